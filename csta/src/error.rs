//! Decoding errors and conformance deviations.
//!
//! A [`DecodeError`] means no message could be produced (the bytes are not well-formed XML, or the
//! root element is not a CSTA message). A [`Deviation`] is a departure from ECMA-323 / ECMA-354 that
//! the decoder worked around; strict mode lists every one of them.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where in the input something went wrong. `offset` counts bytes from the start of the input as
/// given (after a Latin-1 input has been transcoded, it counts bytes of the UTF-8 text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Byte offset.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Position {
    pub(crate) fn locate(text: &str, base: usize, offset: usize) -> Position {
        let end = floor_char_boundary(text, offset);
        let before = &text[..end];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position {
            offset: base + offset,
            line,
            column,
        }
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "byte {} (line {}, column {})",
            self.offset, self.line, self.column
        )
    }
}

/// Why a CSTA XML body could not be decoded at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The input holds no element.
    #[error("no XML element in the input")]
    Empty,
    /// The input is not well-formed XML.
    #[error("malformed XML at {position}: {message}")]
    Xml {
        /// Where the XML parser stopped.
        position: Position,
        /// What the XML parser reported.
        message: String,
    },
    /// The input ended inside an element.
    #[error("input ends inside <{element}> opened at {position}")]
    UnexpectedEof {
        /// The element left open.
        element: String,
        /// Where it was opened.
        position: Position,
    },
    /// The root element is not a CSTA or ECMA-354 message this codec knows.
    #[error("unknown message <{name}> at {position}")]
    UnknownMessage {
        /// The root element's local name.
        name: String,
        /// Where it starts.
        position: Position,
    },
    /// The input declares an encoding this codec cannot read (UTF-16, EBCDIC, ...).
    #[error("unsupported character encoding {encoding:?}")]
    UnsupportedEncoding {
        /// The encoding as declared or sniffed.
        encoding: String,
    },
    /// There is content after the root element's end tag.
    #[error("content after the root element at {position}")]
    TrailingContent {
        /// Where the extra content starts.
        position: Position,
    },
}

/// The class of a departure from the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviationKind {
    /// The root has no namespace.
    MissingNamespace,
    /// The namespace is not the canonical one (unknown URI, `ecma.ch` host, ECMA-354 on a CSTA
    /// message or the reverse).
    WrongNamespace,
    /// A child element declares or uses a namespace other than the root's.
    MixedNamespace,
    /// A known element spelled differently from the schema (case, `Transfered`, `dialing`).
    MisspelledElement,
    /// An element the schema does not have at that place.
    UnknownElement,
    /// A mandatory element is absent.
    MissingMandatory,
    /// An enumerated value the schema does not list.
    WrongEnumerationValue,
    /// A value that does not parse as its type (boolean, integer).
    InvalidValue,
    /// Elements out of the schema's sequence order.
    WrongOrder,
    /// An element that may occur once occurs again.
    Duplicate,
    /// Character data where the schema allows only elements.
    UnexpectedText,
    /// An attribute the schema does not have.
    UnknownAttribute,
    /// The character encoding is not as declared, or undeclared and not UTF-8.
    Encoding,
    /// Something before the XML declaration (whitespace, a newline).
    Prolog,
}

/// One departure from ECMA-323 / ECMA-354, located by an XML path such as
/// `/MonitorStart/monitorObject/deviceObject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    /// Path of local element names from the root; an attribute is written `/@name`.
    pub path: String,
    /// The class of deviation.
    pub kind: DeviationKind,
    /// Human-readable detail.
    pub message: String,
}

impl std::fmt::Display for Deviation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}: {}", self.path, self.kind, self.message)
    }
}

/// An element the decoder did not know, kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownElement {
    /// Path of the element itself, e.g. `/DeliveredEvent/vendorThing`.
    pub path: String,
    /// The element, start tag to end tag, as it appeared in the input.
    pub xml: String,
}
