//! CSTA for uacsta: the ECMA-269 service and event model, its ECMA-323 XML form in every edition
//! (ed2 to ed6), and the ECMA-354 application-session messages. Sans-IO: bytes in, messages out,
//! and back.
//!
//! # Decoding
//!
//! [`decode`] takes a message body as received (UTF-8 or ISO-8859-1, with or without an XML
//! declaration or byte-order mark, with stray whitespace before `<?xml`) and returns a [`Decoded`]:
//! the [`CstaMessage`], the [`Namespace`] and [`Edition`] the peer used (so a server can answer in
//! it), every element the codec did not know (kept verbatim), and, in [`Mode::Strict`], every
//! [`Deviation`] from the standard with its XML path. Namespaces may be default or prefixed, absent,
//! on the `www.ecma.ch` host or mixed; element names may be misspelled the way real phones spell
//! them (`TransferedEvent`); enumerations may hold values the schema does not list
//! (`Unknown(String)`). [`Mode::Tolerant`] accepts all of this silently; [`Mode::Strict`] accepts it
//! too but reports each departure, so the same call serves a server and a conformance harness.
//! Input that is not well-formed XML, or whose root is not a known message, gives a typed
//! [`DecodeError`] with the byte position, line and column; no input makes the decoder panic.
//!
//! # Encoding
//!
//! [`encode`] writes a message deterministically: `<?xml version="1.0" encoding="UTF-8"?>`, the root
//! in the namespace of the chosen [`Edition`] (ECMA-354 messages in their own namespace), children
//! in schema order, text escaped.
//!
//! # JSON
//!
//! Every message type is `serde` serialisable; [`CstaMessage`] serialises as
//! `{"ElementName": {...}}` with the XML element names as field names.
//!
//! # Modules
//!
//! - [`types`]: identifiers, states, causes and the other shared ECMA-269 types.
//! - [`messages`]: one type per request, response and event, by ECMA-269 area.
//! - [`error_code`]: `CSTAErrorCode`, the negative response, with every error category.
//! - [`edition`]: editions and namespaces.
//! - [`error`]: decode errors and deviations.
//! - [`framing`]: ECMA-323 Annex J.2 framing of CSTA XML over TCP.
//! - [`correlation`]: invoke ids and request/response correlation.

#[macro_use]
mod macros;

pub mod correlation;
pub mod edition;
pub mod error;
pub mod error_code;
pub mod framing;
pub mod messages;
pub mod types;
mod xml;

#[cfg(test)]
mod roundtrip;

use serde::{Deserialize, Serialize};

pub use edition::{ECMA_354_NAMESPACE, Edition, Namespace};
pub use error::{DecodeError, Deviation, DeviationKind, Position, UnknownElement};
pub use error_code::CSTAErrorCode;
pub use messages::{CstaMessage, MESSAGE_NAMES, MessageKind, Standard};
pub use xml::{Flag, FlagGroup, FlagGroups, FlagSet, RawXml};

/// How strictly to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Mode {
    /// Accept the deviations real implementations produce, without reporting them.
    #[default]
    Tolerant,
    /// Accept the same input but report every deviation from ECMA-323 / ECMA-354.
    Strict,
}

/// A decoded message and what was learnt while decoding it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decoded {
    /// The message.
    pub message: CstaMessage,
    /// The namespace of the root element.
    pub namespace: Namespace,
    /// The ECMA-323 edition the namespace names; `None` for ECMA-354 messages and messages
    /// without a CSTA namespace.
    pub edition: Option<Edition>,
    /// Departures from the standard (strict mode only).
    pub deviations: Vec<Deviation>,
    /// Elements the codec does not know, kept verbatim with their paths.
    pub unknown_elements: Vec<UnknownElement>,
}

/// Decode one CSTA XML body. See the [crate documentation](crate) for what is accepted.
pub fn decode(input: &[u8], mode: Mode) -> Result<Decoded, DecodeError> {
    let prepared = prepare(input)?;
    let mut d = xml::Decoder::new(&prepared.text, prepared.skipped, mode);
    if let Some(dev) = prepared.deviation {
        d.deviate(dev.0, || dev.1);
    }
    let root = d.root()?;
    let ns = Namespace::classify(d.root_namespace());
    let local = root.local();
    let message = match CstaMessage::decode_element(local, &mut d, &root)? {
        Some(m) => m,
        None => {
            let wanted = xml::normalize_name(local);
            let canonical = MESSAGE_NAMES
                .iter()
                .find(|n| xml::normalize_name(n) == wanted)
                .copied();
            let Some(name) = canonical else {
                return Err(DecodeError::UnknownMessage {
                    name: local.to_owned(),
                    position: d.position(root.pos),
                });
            };
            d.deviate(DeviationKind::MisspelledElement, || {
                format!("{local:?} should be spelled {name:?}")
            });
            CstaMessage::decode_element(name, &mut d, &root)?.ok_or_else(|| {
                DecodeError::UnknownMessage {
                    name: local.to_owned(),
                    position: d.position(root.pos),
                }
            })?
        }
    };
    d.finish()?;
    if d.is_strict() {
        check_namespace(&mut d, local, &ns, message.standard());
    }
    Ok(Decoded {
        edition: match message.standard() {
            Standard::Ecma323 => ns.edition(),
            Standard::Ecma354 => None,
        },
        namespace: ns,
        message,
        deviations: d.deviations,
        unknown_elements: d.unknown,
    })
}

fn check_namespace(d: &mut xml::Decoder<'_>, root: &str, ns: &Namespace, standard: Standard) {
    let (kind, message) = match (ns, standard) {
        (Namespace::Csta(_), Standard::Ecma323) | (Namespace::Ecma354, Standard::Ecma354) => {
            return;
        }
        (Namespace::None, _) => (
            DeviationKind::MissingNamespace,
            "the message has no namespace".to_owned(),
        ),
        (Namespace::CstaVariant { uri, .. }, Standard::Ecma323) => (
            DeviationKind::WrongNamespace,
            format!("{uri} is not the canonical ECMA-323 namespace"),
        ),
        (other, _) => (
            DeviationKind::WrongNamespace,
            format!("namespace {other:?} does not fit a {standard:?} message"),
        ),
    };
    d.deviate_child(root, kind, || message);
}

/// Encode a message in `edition` (ECMA-354 messages always use the ECMA-354 namespace).
pub fn encode(message: &CstaMessage, edition: Edition) -> String {
    let mut w = xml::Writer::new();
    w.declaration();
    w.root_namespace(match message.standard() {
        Standard::Ecma323 => edition.namespace(),
        Standard::Ecma354 => ECMA_354_NAMESPACE,
    });
    message.encode_element(&mut w);
    w.finish()
}

/// The input as UTF-8 text, ready for the XML reader.
struct Prepared<'a> {
    text: std::borrow::Cow<'a, str>,
    skipped: usize,
    deviation: Option<(DeviationKind, String)>,
}

/// Strip a byte-order mark and whitespace before the first markup, then read the bytes in the
/// declared encoding: UTF-8 (the default) or ISO-8859-1 (also for undeclared bytes that are not
/// UTF-8, which is how such bodies arrive in practice).
fn prepare(input: &[u8]) -> Result<Prepared<'_>, DecodeError> {
    if input.starts_with(&[0xFE, 0xFF]) || input.starts_with(&[0xFF, 0xFE]) {
        return Err(DecodeError::UnsupportedEncoding {
            encoding: "UTF-16".into(),
        });
    }
    let mut skipped = 0;
    let mut bytes = input;
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        bytes = rest;
        skipped = 3;
    }
    let leading = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    bytes = &bytes[leading..];
    skipped += leading;
    let mut deviation = None;
    let declared = declared_encoding(bytes);
    if leading > 0 && bytes.starts_with(b"<?xml") {
        deviation = Some((
            DeviationKind::Prolog,
            format!("{leading} byte(s) of whitespace before the XML declaration"),
        ));
    }
    let latin1 = |bytes: &[u8]| bytes.iter().map(|&b| char::from(b)).collect::<String>();
    let is = |name: &str| declared.is_some_and(|d| d.eq_ignore_ascii_case(name.as_bytes()));
    let text = if declared.is_none() || is("utf-8") || is("utf8") {
        match std::str::from_utf8(bytes) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => {
                deviation = Some((
                    DeviationKind::Encoding,
                    "the body is not UTF-8; read as ISO-8859-1".into(),
                ));
                std::borrow::Cow::Owned(latin1(bytes))
            }
        }
    } else if [
        "iso-8859-1",
        "iso8859-1",
        "latin1",
        "latin-1",
        "us-ascii",
        "ascii",
    ]
    .into_iter()
    .any(is)
    {
        std::borrow::Cow::Owned(latin1(bytes))
    } else {
        let other = String::from_utf8_lossy(declared.unwrap_or_default()).to_ascii_lowercase();
        if other.starts_with("utf-16") || other.starts_with("ucs") {
            return Err(DecodeError::UnsupportedEncoding { encoding: other });
        }
        deviation = Some((
            DeviationKind::Encoding,
            format!("encoding {other:?} is not supported; read as ISO-8859-1"),
        ));
        std::borrow::Cow::Owned(latin1(bytes))
    };
    Ok(Prepared {
        text,
        skipped,
        deviation,
    })
}

/// The `encoding` pseudo-attribute of an XML declaration, as written.
fn declared_encoding(bytes: &[u8]) -> Option<&[u8]> {
    let decl = bytes.strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = &decl[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = &decl[at + 8..];
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = &rest[1..];
    let close = value.iter().position(|&b| b == quote)?;
    Some(&value[..close])
}
