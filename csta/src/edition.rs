//! ECMA-323 editions and the XML namespaces that identify them (ECMA-323 clause 6, "Namespace"),
//! plus the ECMA-354 application-session namespace.
//!
//! A peer's edition is read off the namespace of the root element so that a server can answer in the
//! edition it was spoken to.

use serde::{Deserialize, Serialize};

/// The ECMA-354 (application session services) namespace.
pub const ECMA_354_NAMESPACE: &str =
    "http://www.ecma-international.org/standards/ecma-354/appl_session";

/// An edition of ECMA-323 (CSTA XML). Each edition has its own namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Edition {
    /// ECMA-323 2nd edition.
    Ed2,
    /// ECMA-323 3rd edition (Microsoft RCC, Cisco CME).
    Ed3,
    /// ECMA-323 4th edition.
    Ed4,
    /// ECMA-323 5th edition (snom, 3CX).
    Ed5,
    /// ECMA-323 6th edition.
    Ed6,
}

impl Edition {
    /// Every edition, oldest first.
    pub const ALL: [Edition; 5] = [
        Edition::Ed2,
        Edition::Ed3,
        Edition::Ed4,
        Edition::Ed5,
        Edition::Ed6,
    ];

    /// The canonical namespace URI of this edition.
    pub fn namespace(self) -> &'static str {
        match self {
            Edition::Ed2 => "http://www.ecma-international.org/standards/ecma-323/csta/ed2",
            Edition::Ed3 => "http://www.ecma-international.org/standards/ecma-323/csta/ed3",
            Edition::Ed4 => "http://www.ecma-international.org/standards/ecma-323/csta/ed4",
            Edition::Ed5 => "http://www.ecma-international.org/standards/ecma-323/csta/ed5",
            Edition::Ed6 => "http://www.ecma-international.org/standards/ecma-323/csta/ed6",
        }
    }

    fn from_digit(d: u8) -> Option<Edition> {
        match d {
            b'2' => Some(Edition::Ed2),
            b'3' => Some(Edition::Ed3),
            b'4' => Some(Edition::Ed4),
            b'5' => Some(Edition::Ed5),
            b'6' => Some(Edition::Ed6),
            _ => None,
        }
    }
}

/// What the namespace of a decoded root element says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Namespace {
    /// The canonical namespace of an ECMA-323 edition.
    Csta(Edition),
    /// An ECMA-323 edition written in a non-canonical form, e.g. on the `www.ecma.ch` host, over
    /// `https`, or with a trailing slash. Accepted, and reported as a deviation in strict mode.
    CstaVariant {
        /// The edition the URI names.
        edition: Edition,
        /// The URI as received.
        uri: String,
    },
    /// The ECMA-354 application-session namespace.
    Ecma354,
    /// No namespace at all.
    None,
    /// A namespace this codec does not know.
    Unknown(String),
}

impl Namespace {
    /// Classify a namespace URI.
    pub fn classify(uri: &str) -> Namespace {
        if uri.is_empty() {
            return Namespace::None;
        }
        if uri == ECMA_354_NAMESPACE {
            return Namespace::Ecma354;
        }
        for ed in Edition::ALL {
            if uri == ed.namespace() {
                return Namespace::Csta(ed);
            }
        }
        match variant_edition(uri) {
            Some(edition) => Namespace::CstaVariant {
                edition,
                uri: uri.to_owned(),
            },
            None => Namespace::Unknown(uri.to_owned()),
        }
    }

    /// The ECMA-323 edition named by this namespace, if any.
    pub fn edition(&self) -> Option<Edition> {
        match self {
            Namespace::Csta(ed) => Some(*ed),
            Namespace::CstaVariant { edition, .. } => Some(*edition),
            _ => None,
        }
    }
}

/// Recognise `http(s)://www.ecma(-international.org|.ch)/standards/ecma-323/csta/edN[/]`.
fn variant_edition(uri: &str) -> Option<Edition> {
    let rest = uri
        .strip_prefix("http://")
        .or_else(|| uri.strip_prefix("https://"))?;
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let rest = rest
        .strip_prefix("ecma-international.org")
        .or_else(|| rest.strip_prefix("ecma.ch"))?;
    let rest = rest.strip_prefix("/standards/ecma-323/csta/ed")?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    match rest.as_bytes() {
        [d] => Edition::from_digit(*d),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_namespaces_map_to_their_edition() {
        for ed in Edition::ALL {
            assert_eq!(Namespace::classify(ed.namespace()), Namespace::Csta(ed));
        }
    }

    #[test]
    fn ecma_ch_host_is_a_variant_of_ed6() {
        let ns = Namespace::classify("http://www.ecma.ch/standards/ecma-323/csta/ed6");
        assert_eq!(ns.edition(), Some(Edition::Ed6));
        assert!(matches!(ns, Namespace::CstaVariant { .. }));
    }

    #[test]
    fn unknown_and_empty_namespaces() {
        assert_eq!(Namespace::classify(""), Namespace::None);
        assert_eq!(
            Namespace::classify("urn:example"),
            Namespace::Unknown("urn:example".into())
        );
        assert_eq!(
            Namespace::classify("http://www.ecma.ch/standards/ecma-323/csta/ed9"),
            Namespace::Unknown("http://www.ecma.ch/standards/ecma-323/csta/ed9".into())
        );
        assert_eq!(Namespace::classify(ECMA_354_NAMESPACE), Namespace::Ecma354);
    }
}
