//! Firmware versions in each vendor's own notation, and how they compare (the four comparison
//! rules of `vendor-profiles/README.md`, "FirmwareNotation").
//!
//! A [`FirmwareVersion`] is parsed under one [`NotationRule`] and keeps the text as written; its
//! `Ord` is the rule's comparison, so `since <= firmware` decides whether a service is available.
//! Equality follows the ordering, not the text: under `dotted-numeric` `8.7.4` equals `8.7.4.0`,
//! under `yealink-model-prefix` `xx.73.98.4` equals `28.73.98.4`.

use std::cmp::Ordering;
use std::fmt;

use serde::Deserialize;

/// How a vendor writes firmware versions and how they compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotationRule {
    /// `^\d+(\.\d+)*$`, field by field as integers, missing trailing fields are `0`.
    DottedNumeric,
    /// `^\d+\.\d+[A-Z]?$`: major, minor, then the letter (absent < `A` < `B` ...).
    AuerswaldLetter,
    /// `^\d+\.\d+\.\d+( SP\d+)?$`: the release triple, then the service pack (absent = 0).
    MitelSp,
    /// `^(\d+|xx)\.\d+\.\d+\.\d+$`: the first field is the model prefix and is ignored.
    YealinkModelPrefix,
}

impl NotationRule {
    /// The name used in the YAML (`dotted-numeric` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            NotationRule::DottedNumeric => "dotted-numeric",
            NotationRule::AuerswaldLetter => "auerswald-letter",
            NotationRule::MitelSp => "mitel-sp",
            NotationRule::YealinkModelPrefix => "yealink-model-prefix",
        }
    }

    /// The accepted form, as the README writes it.
    pub fn form(self) -> &'static str {
        match self {
            NotationRule::DottedNumeric => r"^\d+(\.\d+)*$",
            NotationRule::AuerswaldLetter => r"^\d+\.\d+[A-Z]?$",
            NotationRule::MitelSp => r"^\d+\.\d+\.\d+( SP\d+)?$",
            NotationRule::YealinkModelPrefix => r"^(\d+|xx)\.\d+\.\d+\.\d+$",
        }
    }

    /// Parses `text` as a version in this notation.
    pub fn parse(self, text: &str) -> Result<FirmwareVersion, VersionError> {
        FirmwareVersion::parse(self, text)
    }

    /// Parses a `since` value: a version in this notation or the literal `any`.
    pub fn parse_since(self, text: &str) -> Result<Since, VersionError> {
        if text == "any" {
            Ok(Since::Any)
        } else {
            self.parse(text).map(Since::Version)
        }
    }
}

impl fmt::Display for NotationRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A version string that does not match its notation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a {rule} version (expected {})", .rule.form())]
pub struct VersionError {
    /// The text as written.
    pub text: String,
    /// The notation it was parsed under.
    pub rule: NotationRule,
}

/// What a version compares by; the variant is fixed by the notation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    /// Fields with trailing zeros removed, so `8.7.4` and `8.7.4.0` share a key.
    Dotted(Vec<u64>),
    Letter(u64, u64, Option<u8>),
    Mitel(u64, u64, u64, u64),
    Yealink(u64, u64, u64),
}

/// A firmware version parsed under one notation rule.
#[derive(Debug, Clone)]
pub struct FirmwareVersion {
    text: String,
    /// The Yealink model prefix (`None` for the seed's `xx`); not part of the ordering.
    model_prefix: Option<u64>,
    key: Key,
}

impl FirmwareVersion {
    /// Parses `text` under `rule`.
    pub fn parse(rule: NotationRule, text: &str) -> Result<Self, VersionError> {
        let bad = || VersionError {
            text: text.to_owned(),
            rule,
        };
        let mut model_prefix = None;
        let key = match rule {
            NotationRule::DottedNumeric => {
                let mut fields = text
                    .split('.')
                    .map(number)
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(bad)?;
                while fields.last() == Some(&0) {
                    fields.pop();
                }
                Key::Dotted(fields)
            }
            NotationRule::AuerswaldLetter => {
                let (major, rest) = text.split_once('.').ok_or_else(bad)?;
                let (minor, letter) = match rest.as_bytes().last() {
                    Some(l) if l.is_ascii_uppercase() => (&rest[..rest.len() - 1], Some(*l)),
                    _ => (rest, None),
                };
                Key::Letter(
                    number(major).ok_or_else(bad)?,
                    number(minor).ok_or_else(bad)?,
                    letter,
                )
            }
            NotationRule::MitelSp => {
                let (release, sp) = match text.split_once(" SP") {
                    Some((release, sp)) => (release, number(sp).ok_or_else(bad)?),
                    None => (text, 0),
                };
                let [a, b, c] = fields::<3>(release).ok_or_else(bad)?;
                Key::Mitel(a, b, c, sp)
            }
            NotationRule::YealinkModelPrefix => {
                let (prefix, rest) = text.split_once('.').ok_or_else(bad)?;
                if prefix != "xx" {
                    model_prefix = Some(number(prefix).ok_or_else(bad)?);
                }
                let [a, b, c] = fields::<3>(rest).ok_or_else(bad)?;
                Key::Yealink(a, b, c)
            }
        };
        Ok(FirmwareVersion {
            text: text.to_owned(),
            model_prefix,
            key,
        })
    }

    /// The version as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The notation it was parsed under.
    pub fn rule(&self) -> NotationRule {
        match self.key {
            Key::Dotted(_) => NotationRule::DottedNumeric,
            Key::Letter(..) => NotationRule::AuerswaldLetter,
            Key::Mitel(..) => NotationRule::MitelSp,
            Key::Yealink(..) => NotationRule::YealinkModelPrefix,
        }
    }

    /// The Yealink model prefix (`28` in `28.73.98.4`); `None` for `xx` and other notations.
    pub fn model_prefix(&self) -> Option<u64> {
        self.model_prefix
    }
}

/// A field of ASCII digits (at least one, no sign) that fits in a `u64`.
fn number(field: &str) -> Option<u64> {
    if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    field.parse().ok()
}

/// Exactly `N` dot-separated number fields.
fn fields<const N: usize>(text: &str) -> Option<[u64; N]> {
    let mut out = [0; N];
    let mut parts = text.split('.');
    for slot in &mut out {
        *slot = number(parts.next()?)?;
    }
    parts.next().is_none().then_some(out)
}

impl PartialEq for FirmwareVersion {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for FirmwareVersion {}

impl PartialOrd for FirmwareVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FirmwareVersion {
    /// The notation's comparison. Versions of different notations never meet in one profile;
    /// they order by notation so that the order stays total.
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl fmt::Display for FirmwareVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The firmware a service is available from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// `since: any`: every firmware the profile offers.
    Any,
    /// From this version on (inclusive).
    Version(FirmwareVersion),
}

impl Since {
    /// Whether `firmware` is at or after this point.
    pub fn admits(&self, firmware: &FirmwareVersion) -> bool {
        match self {
            Since::Any => true,
            Since::Version(since) => since <= firmware,
        }
    }

    /// The version, unless `any`.
    pub fn version(&self) -> Option<&FirmwareVersion> {
        match self {
            Since::Any => None,
            Since::Version(v) => Some(v),
        }
    }
}

impl fmt::Display for Since {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Since::Any => f.write_str("any"),
            Since::Version(v) => v.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NotationRule::*;
    use super::*;
    use proptest::prelude::*;

    fn v(rule: NotationRule, text: &str) -> FirmwareVersion {
        rule.parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn assert_ascending(rule: NotationRule, chain: &[&str]) {
        for pair in chain.windows(2) {
            assert!(
                v(rule, pair[0]) < v(rule, pair[1]),
                "{} < {}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn dotted_numeric_compares_numerically_with_missing_fields_as_zero() {
        assert_ascending(
            DottedNumeric,
            &[
                "8.4.35",
                "8.7.3",
                "8.7.4",
                "8.7.5.15",
                "8.7.5.35",
                "10.1.84.12",
            ],
        );
        assert_eq!(v(DottedNumeric, "8.7.4"), v(DottedNumeric, "8.7.4.0"));
        assert!(v(DottedNumeric, "8.10") > v(DottedNumeric, "8.9.99"));
        assert_eq!(v(DottedNumeric, "08.9.3.80"), v(DottedNumeric, "8.9.3.80"));
    }

    #[test]
    fn auerswald_letter_puts_the_bare_release_before_its_letters() {
        assert_ascending(
            AuerswaldLetter,
            &["2.2G", "2.8", "2.8A", "2.8B", "2.8D", "2.9", "2.10"],
        );
    }

    #[test]
    fn mitel_sp_counts_a_missing_service_pack_as_zero() {
        assert_ascending(
            MitelSp,
            &["4.0.0 SP1", "4.1.0", "4.1.0 SP2", "4.1.0 SP3", "4.2.0"],
        );
        assert_eq!(v(MitelSp, "4.1.0"), v(MitelSp, "4.1.0 SP0"));
    }

    #[test]
    fn yealink_ignores_the_model_prefix() {
        assert_ascending(
            YealinkModelPrefix,
            &["28.71.0.50", "xx.73.98.4", "28.81.0.15"],
        );
        assert_eq!(
            v(YealinkModelPrefix, "xx.73.98.4"),
            v(YealinkModelPrefix, "28.73.98.4")
        );
        assert_eq!(
            v(YealinkModelPrefix, "35.73.98.4"),
            v(YealinkModelPrefix, "28.73.98.4")
        );
        assert_eq!(
            v(YealinkModelPrefix, "35.83.0.120").model_prefix(),
            Some(35)
        );
        assert_eq!(v(YealinkModelPrefix, "xx.73.98.4").model_prefix(), None);
    }

    #[test]
    fn malformed_versions_are_refused_under_each_rule() {
        let cases = [
            (
                DottedNumeric,
                vec!["", "8.", ".8", "8..7", "8.7a", "v8", "-1", "8 .7", "any"],
            ),
            (
                AuerswaldLetter,
                vec!["2", "2.8a", "2.8AB", "2.8.1", "A.8", "2.A", "2.8 A"],
            ),
            (
                MitelSp,
                vec![
                    "4.1",
                    "4.1.0SP2",
                    "4.1.0 SP",
                    "4.1.0 sp2",
                    "4.1.0.2033",
                    "4.1.0  SP2",
                ],
            ),
            (
                YealinkModelPrefix,
                vec![
                    "73.98.4",
                    "XX.73.98.4",
                    "x.73.98.4",
                    "28.73.98",
                    "28.73.98.4.1",
                ],
            ),
        ];
        for (rule, texts) in cases {
            for text in texts {
                let err = rule.parse(text).unwrap_err();
                assert_eq!(err.text, text);
                assert_eq!(err.rule, rule);
            }
        }
        assert_eq!(
            DottedNumeric
                .parse("99999999999999999999")
                .unwrap_err()
                .to_string(),
            r"`99999999999999999999` is not a dotted-numeric version (expected ^\d+(\.\d+)*$)"
        );
    }

    #[test]
    fn since_any_admits_every_firmware_and_a_version_admits_itself_and_later() {
        let since = MitelSp.parse_since("4.1.0 SP2").unwrap();
        assert!(!since.admits(&v(MitelSp, "4.1.0")));
        assert!(since.admits(&v(MitelSp, "4.1.0 SP2")));
        assert!(since.admits(&v(MitelSp, "4.2.0")));
        assert!(
            MitelSp
                .parse_since("any")
                .unwrap()
                .admits(&v(MitelSp, "0.0.0"))
        );
        assert_eq!(MitelSp.parse_since("any").unwrap().version(), None);
    }

    fn version_text(rule: NotationRule) -> BoxedStrategy<String> {
        match rule {
            DottedNumeric => proptest::collection::vec(0u64..12, 1..5)
                .prop_map(|f| f.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
                .boxed(),
            AuerswaldLetter => (0u64..4, 0u64..12, proptest::option::of(b'A'..=b'Z'))
                .prop_map(|(a, b, l)| {
                    format!(
                        "{a}.{b}{}",
                        l.map(char::from).map(String::from).unwrap_or_default()
                    )
                })
                .boxed(),
            MitelSp => (0u64..5, 0u64..5, 0u64..3, proptest::option::of(0u64..4))
                .prop_map(|(a, b, c, sp)| match sp {
                    Some(sp) => format!("{a}.{b}.{c} SP{sp}"),
                    None => format!("{a}.{b}.{c}"),
                })
                .boxed(),
            YealinkModelPrefix => (
                proptest::option::of(0u64..40),
                60u64..90,
                0u64..5,
                0u64..200,
            )
                .prop_map(|(p, a, b, c)| match p {
                    Some(p) => format!("{p}.{a}.{b}.{c}"),
                    None => format!("xx.{a}.{b}.{c}"),
                })
                .boxed(),
        }
    }

    fn rule() -> impl Strategy<Value = NotationRule> {
        prop_oneof![
            Just(DottedNumeric),
            Just(AuerswaldLetter),
            Just(MitelSp),
            Just(YealinkModelPrefix)
        ]
    }

    fn three(rule: NotationRule) -> impl Strategy<Value = (String, String, String)> {
        (version_text(rule), version_text(rule), version_text(rule))
    }

    /// The reference ordering, written independently from the parser: numeric fields compared as
    /// tuples, built straight from the generated text.
    fn reference_key(rule: NotationRule, text: &str) -> Vec<u64> {
        match rule {
            DottedNumeric => {
                let mut f: Vec<u64> = text.split('.').map(|x| x.parse().unwrap()).collect();
                f.resize(8, 0);
                f
            }
            AuerswaldLetter => {
                let letter = text.chars().last().filter(char::is_ascii_uppercase);
                let digits = text.trim_end_matches(|c: char| c.is_ascii_uppercase());
                let (a, b) = digits.split_once('.').unwrap();
                vec![
                    a.parse().unwrap(),
                    b.parse().unwrap(),
                    letter.map_or(0, |l| u64::from(l) - 64),
                ]
            }
            MitelSp => {
                let (release, sp) = text.split_once(" SP").unwrap_or((text, "0"));
                let mut f: Vec<u64> = release.split('.').map(|x| x.parse().unwrap()).collect();
                f.push(sp.parse().unwrap());
                f
            }
            YealinkModelPrefix => text
                .split('.')
                .skip(1)
                .map(|x| x.parse().unwrap())
                .collect(),
        }
    }

    proptest! {
        #[test]
        fn every_generated_version_parses_and_keeps_its_text((rule, text) in rule().prop_flat_map(|r| (Just(r), version_text(r)))) {
            let parsed = rule.parse(&text).unwrap();
            prop_assert_eq!(parsed.as_str(), text.as_str());
            prop_assert_eq!(parsed.rule(), rule);
        }

        #[test]
        fn ordering_matches_the_reference_and_is_total((rule, (a, b, c)) in rule().prop_flat_map(|r| (Just(r), three(r)))) {
            let (va, vb, vc) = (v(rule, &a), v(rule, &b), v(rule, &c));
            // Matches the field-wise reference.
            prop_assert_eq!(va.cmp(&vb), reference_key(rule, &a).cmp(&reference_key(rule, &b)));
            // Antisymmetric, and equality agrees with the ordering.
            prop_assert_eq!(va.cmp(&vb), vb.cmp(&va).reverse());
            prop_assert_eq!(va == vb, va.cmp(&vb) == Ordering::Equal);
            prop_assert_eq!(va.partial_cmp(&vb), Some(va.cmp(&vb)));
            // Transitive.
            if va <= vb && vb <= vc {
                prop_assert!(va <= vc);
            }
            // Sorting is stable under permutation: the sorted keys are the same either way.
            let mut fwd = [va.clone(), vb.clone(), vc.clone()];
            let mut rev = [vc, vb, va];
            fwd.sort();
            rev.sort();
            prop_assert!(fwd.iter().zip(&rev).all(|(x, y)| x == y));
        }

        #[test]
        fn dotted_trailing_zeros_do_not_change_the_version(text in version_text(DottedNumeric), zeros in 1usize..3) {
            let padded = format!("{text}{}", ".0".repeat(zeros));
            prop_assert_eq!(v(DottedNumeric, &text), v(DottedNumeric, &padded));
        }

        #[test]
        fn arbitrary_text_never_panics_the_parser(rule in rule(), text in "\\PC{0,20}") {
            if let Ok(parsed) = rule.parse(&text) {
                prop_assert_eq!(parsed.as_str(), text.as_str());
            }
        }
    }
}
