//! CSTA XML over TCP without SOAP: the message framing of ECMA-323 Annex J.2.
//!
//! Every CSTA XML message on a plain TCP (or TLS) stream is preceded by an 8-byte header:
//!
//! ```text
//! | 0    1 | 2    3 | 4  5  6  7 | 8 ...            |
//! | 0x0000 | length | invoke id  | XML message body |
//! ```
//!
//! - bytes 0-1 are always `0x00 0x00` (a non-zero first byte marks the SOAP variant of the annex, which
//!   this module does not speak);
//! - bytes 2-3 are the length, big-endian;
//! - bytes 4-7 are the invoke id as four ASCII digits: `0000`..`9998` pair a request with its response,
//!   `9999` marks an event (see [`crate::correlation`] for allocation);
//! - then the XML document, with no terminator.
//!
//! # The length rule
//!
//! The length field counts the **whole frame, the 8-byte header included** ([`LengthRule::IncludesHeader`],
//! the default). Evidence, from public captures and open-source peers (the annex text itself was not at
//! hand when this was written; re-check against ECMA-323 Annex J.2 when it is):
//!
//! - OpenScape Voice: frames captured in the pyssimist project (`skarcos/pyssimist`,
//!   `csta/CstaParser.py`) carry `00 00 03 eb "9999"` before a 995-byte `ServiceInitiatedEvent`
//!   (0x03eb = 1003 = 8 + 995) and `00 00 04 43 "9999"` before a 1083-byte `OriginatedEvent`
//!   (0x0443 = 1091 = 8 + 1083); pyssimist itself writes `len(xml) + 8`. The first frame is
//!   `tests/corpus/014_osv_ServiceInitiatedEvent.xml` and is checked in the tests below.
//! - opencsp (a Java CSTA server, `CSTATcpMessage`): writes `body.length() + 8` and reads `length - 8`
//!   body bytes after the header.
//! - An Avaya AES/DMCC client in Haskell (`Network.Avaya`): writes `8 + length xml`, reads `length - 8`;
//!   it names bytes 0-1 "Version" and restricts request invoke ids to 0..9998.
//! - A TypeScript Avaya AES adapter that cites Annex J: "the full frame length, prefix included".
//! - Eltex ECSS-10 documents the same layout ("ECMA 323 Annex J.2 (TCP without SOAP)", invoke ids
//!   `0000`..`9999`, `9999` for events) without saying what the length counts.
//!
//! No public peer was found that counts only the XML body, but hand-written peers get this wrong, so
//! [`LengthRule::PayloadOnly`] (length = XML bytes only) can be chosen per connection. Configure it only
//! for a peer observed to need it.
//!
//! # Errors and resynchronisation
//!
//! The stream has no resynchronisation point: `0x00 0x00` occurs anywhere in binary lengths and XML can
//! hold any byte sequence, so after a framing error the decoder cannot know where the next frame starts.
//! [`FrameDecoder`] therefore treats the stream as broken after its first error: it drops its buffer,
//! ignores further input and returns the same error on every later call. The caller should report the
//! error and close the connection.

use std::fmt;

/// Size of the Annex J.2 header: marker, length and invoke id.
pub const HEADER_LEN: usize = 8;

/// The largest value the 16-bit length field can hold.
const LENGTH_FIELD_MAX: usize = u16::MAX as usize;

/// The four-character invoke id of an Annex J.2 header: ASCII digits `0000` to `9999`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvokeIdField(u16);

impl InvokeIdField {
    /// `9999`: the invoke id of every event (unsolicited message).
    pub const EVENT: Self = Self(9999);

    /// The highest invoke id a request may carry (`9998`).
    pub const MAX_REQUEST: u16 = 9998;

    /// Makes an invoke id from its numeric value; `None` above 9999.
    pub fn new(value: u16) -> Option<Self> {
        (value <= 9999).then_some(Self(value))
    }

    /// Parses the four header bytes; they must all be ASCII digits.
    pub fn from_ascii(bytes: [u8; 4]) -> Result<Self, FrameError> {
        let mut value: u16 = 0;
        for byte in bytes {
            if !byte.is_ascii_digit() {
                return Err(FrameError::InvokeIdNotDigits { found: bytes });
            }
            value = value * 10 + u16::from(byte - b'0');
        }
        Ok(Self(value))
    }

    /// The numeric value, 0 to 9999.
    pub fn value(self) -> u16 {
        self.0
    }

    /// Whether this is the event invoke id `9999`.
    pub fn is_event(self) -> bool {
        self == Self::EVENT
    }

    /// The four ASCII digits as they go on the wire.
    pub fn to_ascii(self) -> [u8; 4] {
        let v = self.0;
        [
            b'0' + (v / 1000) as u8,
            b'0' + (v / 100 % 10) as u8,
            b'0' + (v / 10 % 10) as u8,
            b'0' + (v % 10) as u8,
        ]
    }
}

impl fmt::Display for InvokeIdField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

/// What the two-byte length field counts. Peers differ; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LengthRule {
    /// The length counts the whole frame, the 8-byte header included (ECMA-323 Annex J.2 as
    /// OpenScape Voice, Avaya AES and opencsp implement it).
    #[default]
    IncludesHeader,
    /// The length counts only the XML body after the header.
    PayloadOnly,
}

impl LengthRule {
    /// The largest XML body a frame can carry under this rule.
    pub fn max_xml_len(self) -> usize {
        match self {
            Self::IncludesHeader => LENGTH_FIELD_MAX - HEADER_LEN,
            Self::PayloadOnly => LENGTH_FIELD_MAX,
        }
    }

    fn length_field(self, xml_len: usize) -> Option<u16> {
        let length = match self {
            Self::IncludesHeader => xml_len.checked_add(HEADER_LEN)?,
            Self::PayloadOnly => xml_len,
        };
        u16::try_from(length).ok()
    }

    fn xml_len(self, length: u16) -> Result<usize, FrameError> {
        match self {
            Self::IncludesHeader => usize::from(length)
                .checked_sub(HEADER_LEN)
                .ok_or(FrameError::LengthBelowHeader { length }),
            Self::PayloadOnly => Ok(usize::from(length)),
        }
    }
}

/// One CSTA XML message taken off the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The invoke id from the header (`9999` for events).
    pub invoke_id: InvokeIdField,
    /// The XML document, exactly the bytes that followed the header.
    pub xml: Vec<u8>,
}

/// Why a frame could not be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The first two header bytes were not `0x00 0x00` (a SOAP frame, or a stream out of step).
    #[error("frame header starts with {found:02x?}, expected [00, 00]")]
    BadMarker {
        /// The two bytes found.
        found: [u8; 2],
    },
    /// The length field, which should count the header, is smaller than the header.
    #[error("length field {length} is smaller than the {HEADER_LEN}-byte header it should include")]
    LengthBelowHeader {
        /// The length field as received.
        length: u16,
    },
    /// The invoke id bytes were not four ASCII digits.
    #[error("invoke id {found:02x?} is not four ASCII digits")]
    InvokeIdNotDigits {
        /// The four bytes found.
        found: [u8; 4],
    },
    /// The announced XML body is larger than this decoder accepts.
    #[error("frame announces an XML body of {xml_len} bytes, more than the limit of {max}")]
    Oversize {
        /// The announced body size.
        xml_len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The XML body does not fit the 16-bit length field.
    #[error(
        "XML body of {xml_len} bytes does not fit one frame (at most {max} bytes under {rule:?})"
    )]
    LengthOverflow {
        /// The body size to be sent.
        xml_len: usize,
        /// The most one frame can carry under `rule`.
        max: usize,
        /// The length rule in use.
        rule: LengthRule,
    },
}

/// Appends one frame carrying `xml` to `out`, with the standard length rule.
pub fn encode_frame(
    invoke_id: InvokeIdField,
    xml: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), FrameError> {
    encode_frame_with_rule(LengthRule::default(), invoke_id, xml, out)
}

/// Appends one frame carrying `xml` to `out`, with the given length rule. Nothing is written on error.
pub fn encode_frame_with_rule(
    rule: LengthRule,
    invoke_id: InvokeIdField,
    xml: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), FrameError> {
    let length = rule
        .length_field(xml.len())
        .ok_or(FrameError::LengthOverflow {
            xml_len: xml.len(),
            max: rule.max_xml_len(),
            rule,
        })?;
    out.reserve(HEADER_LEN + xml.len());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&invoke_id.to_ascii());
    out.extend_from_slice(xml);
    Ok(())
}

/// Sans-IO decoder: feed it bytes as they arrive, in any chunking, and take frames out.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    rule: LengthRule,
    max_xml_len: usize,
    buf: Vec<u8>,
    broken: Option<FrameError>,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new(LengthRule::default())
    }
}

impl FrameDecoder {
    /// A decoder for the given length rule, accepting bodies up to what the rule allows.
    pub fn new(rule: LengthRule) -> Self {
        Self {
            rule,
            max_xml_len: rule.max_xml_len(),
            buf: Vec::new(),
            broken: None,
        }
    }

    /// Lowers the largest XML body accepted; larger frames fail with [`FrameError::Oversize`] as soon
    /// as their header arrives, before the body is buffered.
    pub fn with_max_xml_len(mut self, max_xml_len: usize) -> Self {
        self.max_xml_len = max_xml_len;
        self
    }

    /// The length rule this decoder applies.
    pub fn length_rule(&self) -> LengthRule {
        self.rule
    }

    /// Adds received bytes. Ignored once the stream is broken.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.broken.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes received but not yet returned as a frame.
    pub fn buffered_len(&self) -> usize {
        self.buf.len()
    }

    /// Whether an earlier error has broken the stream.
    pub fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// The next complete frame, `Ok(None)` if more bytes are needed, or the error that broke the
    /// stream (returned again on every later call).
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if let Some(err) = &self.broken {
            return Err(err.clone());
        }
        match self.parse() {
            Ok(frame) => Ok(frame),
            Err(err) => {
                self.buf = Vec::new();
                self.broken = Some(err.clone());
                Err(err)
            }
        }
    }

    fn parse(&mut self) -> Result<Option<Frame>, FrameError> {
        let Some(header) = self.buf.first_chunk::<HEADER_LEN>() else {
            // Check the marker early so a wrong protocol fails on its first bytes.
            return match self.buf.as_slice() {
                [first, ..] if *first != 0 => Err(FrameError::BadMarker {
                    found: [*first, self.buf.get(1).copied().unwrap_or(0)],
                }),
                [_, second, ..] if *second != 0 => Err(FrameError::BadMarker {
                    found: [0, *second],
                }),
                _ => Ok(None),
            };
        };
        let [m0, m1, l0, l1, i0, i1, i2, i3] = *header;
        if [m0, m1] != [0, 0] {
            return Err(FrameError::BadMarker { found: [m0, m1] });
        }
        let xml_len = self.rule.xml_len(u16::from_be_bytes([l0, l1]))?;
        let invoke_id = InvokeIdField::from_ascii([i0, i1, i2, i3])?;
        if xml_len > self.max_xml_len {
            return Err(FrameError::Oversize {
                xml_len,
                max: self.max_xml_len,
            });
        }
        let frame_len = HEADER_LEN + xml_len;
        if self.buf.len() < frame_len {
            return Ok(None);
        }
        let xml = self.buf[HEADER_LEN..frame_len].to_vec();
        self.buf.drain(..frame_len);
        Ok(Some(Frame { invoke_id, xml }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OSV_SERVICE_INITIATED: &[u8] =
        include_bytes!("../tests/corpus/014_osv_ServiceInitiatedEvent.xml");

    fn id(value: u16) -> InvokeIdField {
        InvokeIdField::new(value).expect("test invoke id is at most 9999")
    }

    fn drain(decoder: &mut FrameDecoder) -> Result<Vec<Frame>, FrameError> {
        let mut frames = Vec::new();
        while let Some(frame) = decoder.next_frame()? {
            frames.push(frame);
        }
        Ok(frames)
    }

    #[test]
    fn invoke_id_text_form_is_four_digits() {
        assert_eq!(id(7).to_ascii(), *b"0007");
        assert_eq!(id(9998).to_string(), "9998");
        assert_eq!(InvokeIdField::from_ascii(*b"0042"), Ok(id(42)));
        assert!(InvokeIdField::EVENT.is_event());
        assert_eq!(InvokeIdField::new(10_000), None);
    }

    #[test]
    fn openscape_voice_event_header_counts_the_header() {
        assert_eq!(OSV_SERVICE_INITIATED.len(), 995);
        let mut wire = Vec::new();
        encode_frame(InvokeIdField::EVENT, OSV_SERVICE_INITIATED, &mut wire).expect("fits");
        assert_eq!(&wire[..HEADER_LEN], b"\x00\x00\x03\xeb9999");

        let mut decoder = FrameDecoder::default();
        decoder.feed(&wire);
        let frame = decoder.next_frame().expect("valid").expect("complete");
        assert_eq!(frame.invoke_id, InvokeIdField::EVENT);
        assert_eq!(frame.xml, OSV_SERVICE_INITIATED);
        assert_eq!(decoder.buffered_len(), 0);
    }

    #[test]
    fn payload_only_rule_writes_and_reads_the_body_length() {
        let xml = b"<MonitorStopResponse/>";
        let mut wire = Vec::new();
        encode_frame_with_rule(LengthRule::PayloadOnly, id(12), xml, &mut wire).expect("fits");
        assert_eq!(&wire[..HEADER_LEN], b"\x00\x00\x00\x160012");

        let mut decoder = FrameDecoder::new(LengthRule::PayloadOnly);
        decoder.feed(&wire);
        let frame = decoder.next_frame().expect("valid").expect("complete");
        assert_eq!(
            frame,
            Frame {
                invoke_id: id(12),
                xml: xml.to_vec()
            }
        );
    }

    #[test]
    fn encoder_refuses_bodies_that_overflow_the_length_field() {
        let mut out = Vec::new();
        let biggest = vec![b'x'; 65_535 - HEADER_LEN];
        encode_frame(id(1), &biggest, &mut out).expect("largest body fits");
        assert_eq!(&out[2..4], &[0xff, 0xff]);

        out.clear();
        let too_big = vec![b'x'; 65_535 - HEADER_LEN + 1];
        assert_eq!(
            encode_frame(id(1), &too_big, &mut out),
            Err(FrameError::LengthOverflow {
                xml_len: 65_528,
                max: 65_527,
                rule: LengthRule::IncludesHeader
            })
        );
        assert!(out.is_empty(), "nothing written on error");
        let payload_only_max = vec![b'x'; 65_535];
        encode_frame_with_rule(LengthRule::PayloadOnly, id(1), &payload_only_max, &mut out)
            .expect("payload-only length may use all 16 bits for the body");
    }

    #[test]
    fn bad_marker_breaks_the_stream_for_good() {
        let mut decoder = FrameDecoder::default();
        decoder.feed(b"\x01\x00\x00\x100001<a/>");
        let err = Err(FrameError::BadMarker { found: [1, 0] });
        assert_eq!(decoder.next_frame(), err);
        assert!(decoder.is_broken());
        let mut good = Vec::new();
        encode_frame(id(2), b"<b/>", &mut good).expect("fits");
        decoder.feed(&good);
        assert_eq!(decoder.next_frame(), err, "no resynchronisation");
        assert_eq!(decoder.buffered_len(), 0);
    }

    #[test]
    fn bad_marker_is_seen_before_a_whole_header_arrives() {
        let mut decoder = FrameDecoder::default();
        decoder.feed(b"<?");
        assert_eq!(
            decoder.next_frame(),
            Err(FrameError::BadMarker { found: *b"<?" })
        );
    }

    #[test]
    fn length_smaller_than_header_is_rejected() {
        let mut decoder = FrameDecoder::default();
        decoder.feed(b"\x00\x00\x00\x079999");
        assert_eq!(
            decoder.next_frame(),
            Err(FrameError::LengthBelowHeader { length: 7 })
        );
    }

    #[test]
    fn non_digit_invoke_id_is_rejected() {
        let mut decoder = FrameDecoder::default();
        decoder.feed(b"\x00\x00\x00\x0c00a1<a/>");
        assert_eq!(
            decoder.next_frame(),
            Err(FrameError::InvokeIdNotDigits { found: *b"00a1" })
        );
    }

    #[test]
    fn oversize_frame_is_rejected_from_its_header() {
        let mut decoder = FrameDecoder::default().with_max_xml_len(100);
        let mut wire = Vec::new();
        encode_frame(id(3), &[b'x'; 101], &mut wire).expect("fits");
        decoder.feed(&wire[..HEADER_LEN]);
        assert_eq!(
            decoder.next_frame(),
            Err(FrameError::Oversize {
                xml_len: 101,
                max: 100
            })
        );
    }

    #[test]
    fn partial_frame_waits_for_more_bytes() {
        let mut wire = Vec::new();
        encode_frame(id(4), b"<MakeCall/>", &mut wire).expect("fits");
        let mut decoder = FrameDecoder::default();
        decoder.feed(&wire[..wire.len() - 1]);
        assert_eq!(decoder.next_frame(), Ok(None));
        decoder.feed(&wire[wire.len() - 1..]);
        let frame = decoder.next_frame().expect("valid").expect("complete");
        assert_eq!(frame.xml, b"<MakeCall/>");
    }

    fn arb_frame() -> impl Strategy<Value = Frame> {
        (0u16..=9999, proptest::collection::vec(any::<u8>(), 0..300)).prop_map(|(v, xml)| Frame {
            invoke_id: id(v),
            xml,
        })
    }

    fn arb_rule() -> impl Strategy<Value = LengthRule> {
        prop_oneof![
            Just(LengthRule::IncludesHeader),
            Just(LengthRule::PayloadOnly)
        ]
    }

    proptest! {
        #[test]
        fn any_chunking_yields_the_same_frames(
            rule in arb_rule(),
            frames in proptest::collection::vec(arb_frame(), 1..6),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..20),
        ) {
            let mut wire = Vec::new();
            for frame in &frames {
                encode_frame_with_rule(rule, frame.invoke_id, &frame.xml, &mut wire)
                    .expect("small frames fit");
            }
            let mut points: Vec<usize> = cuts.iter().map(|c| c.index(wire.len() + 1)).collect();
            points.push(0);
            points.push(wire.len());
            points.sort_unstable();

            let mut decoder = FrameDecoder::new(rule);
            let mut decoded = Vec::new();
            for pair in points.windows(2) {
                decoder.feed(&wire[pair[0]..pair[1]]);
                decoded.extend(drain(&mut decoder).expect("well-formed stream"));
            }
            prop_assert_eq!(decoded, frames);
            prop_assert_eq!(decoder.buffered_len(), 0);
        }

        #[test]
        fn arbitrary_input_gives_frames_or_a_sticky_error(
            rule in arb_rule(),
            bytes in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            let mut decoder = FrameDecoder::new(rule).with_max_xml_len(200);
            decoder.feed(&bytes);
            let mut consumed = 0;
            let outcome = loop {
                match decoder.next_frame() {
                    Ok(Some(frame)) => {
                        prop_assert!(frame.xml.len() <= 200);
                        consumed += HEADER_LEN + frame.xml.len();
                    }
                    Ok(None) => break None,
                    Err(err) => break Some(err),
                }
            };
            match outcome {
                None => prop_assert_eq!(consumed + decoder.buffered_len(), bytes.len()),
                Some(err) => {
                    prop_assert!(decoder.is_broken());
                    prop_assert_eq!(decoder.next_frame(), Err(err));
                }
            }
        }
    }
}
