//! Reading SIP messages off the wire (RFC 3261 §7, §18.3, §20; RFC 5626 §4.4.1).
//!
//! Two framings share one head parser:
//!
//! - [`parse_datagram`]: one message per UDP datagram. `Content-Length` may be absent (the body is the
//!   rest of the datagram); a longer datagram is cut to it, a shorter one is an error (RFC 3261 §18.3).
//!   The end of the datagram also ends a header section that lacks its empty line.
//! - [`StreamParser`]: TCP, TLS and other byte streams, fed in chunks of any size. `Content-Length` is
//!   mandatory there; CRLF keep-alives between messages are reported as [`StreamItem::Ping`] and
//!   [`StreamItem::Pong`] (RFC 5626 §4.4.1). After an error the stream is broken: the framing is lost,
//!   [`StreamParser::next`] yields nothing more and the transport closes the connection.
//!
//! The parser checks what every later layer relies on: the start line, the header lines (folding, compact
//! names, bare LF line ends tolerated), `Content-Length` (consumed for framing, never stored), the headers
//! every message carries (To, From, CSeq, Call-ID, Via; RFC 3261 §8.1.1), that To, From, CSeq and Call-ID
//! appear once, and that the CSeq method is the request's (RFC 4475 §3.1.2.17). `Max-Forwards` is not
//! required: RFC 2543 peers omit it (RFC 4475 §3.4.1) and RFC 3261 §8.2 gives a UAS no rule to reject it.
//! Checks of header syntax beyond that, and the application-layer checks of RFC 3261 §8.2 (URI scheme,
//! extensions, media types, hops) are [`validate_request`]'s job.
//!
//! Every rejection is a [`ParseError`] with the status code and reason phrase a server answers with, and,
//! when the header lines could be read, those lines, so the answer can echo Via, From, To, Call-ID and
//! CSeq ([`ParseError::response`]).

use bytes::{Bytes, BytesMut};
use thiserror::Error;

use crate::header::{
    BRANCH_MAGIC_COOKIE, CSeq, Contact, ContentType, From as FromHeader, HeaderError, MaxForwards,
    ProxyRequire, Require, To, Via,
};
use crate::message::{
    HeaderName, HeaderValue, Headers, Message, Method, Request, Response, SIP_VERSION, StatusCode,
    TypedHeader,
};
use crate::uri::{Uri, is_token_byte};

/// Bounds on what the parser buffers and builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message, start line to the end of the body, in bytes. A stream whose header section runs
    /// past it without ending is rejected rather than buffered further.
    pub max_message_size: usize,
    /// Most header lines (after unfolding) in one message.
    pub max_headers: usize,
}

impl Default for Limits {
    /// 65,535 bytes (the largest UDP payload) and 256 header lines. Stream transports carrying large
    /// CSTA bodies may raise the size.
    fn default() -> Limits {
        Limits {
            max_message_size: 65_535,
            max_headers: 256,
        }
    }
}

/// Why a message was rejected; the status code and reason phrase follow from it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseErrorKind {
    #[error("no message: only line ends")]
    Empty,
    #[error("message of {size} bytes exceeds the limit of {limit}")]
    MessageTooLarge { size: usize, limit: usize },
    #[error("body of {size} bytes exceeds the message size limit of {limit}")]
    BodyTooLarge { size: usize, limit: usize },
    #[error("more than {limit} header lines")]
    TooManyHeaders { limit: usize },
    #[error("malformed Request-Line: {0}")]
    BadRequestLine(&'static str),
    #[error("malformed Status-Line: {0}")]
    BadStatusLine(&'static str),
    #[error("SIP version {0:?} is not supported")]
    VersionNotSupported(String),
    #[error("malformed Request-URI: {0}")]
    BadRequestUri(String),
    #[error("malformed header line {line}: {reason}")]
    BadHeaderLine { line: usize, reason: &'static str },
    #[error("malformed Content-Length {0:?}")]
    BadContentLength(String),
    #[error("several different Content-Length values")]
    ConflictingContentLength,
    #[error("no Content-Length on a stream transport")]
    MissingContentLength,
    #[error("body of {got} bytes is shorter than its Content-Length of {expected}")]
    BodyTruncated { expected: usize, got: usize },
    #[error("missing {}", names(.0))]
    MissingHeaders(Vec<HeaderName>),
    #[error("more than one {0} header")]
    DuplicateHeader(HeaderName),
    #[error(transparent)]
    BadHeader(#[from] HeaderError),
    #[error("CSeq method {cseq} does not match the request method {method}")]
    CSeqMethodMismatch { method: Method, cseq: Method },
    #[error("Request-URI scheme {0:?} is not supported")]
    UnsupportedUriScheme(String),
    #[error("unsupported extensions: {}", .0.join(", "))]
    BadExtension(Vec<String>),
    #[error("body type {0} is not accepted")]
    UnsupportedMediaType(String),
    #[error("Max-Forwards is zero")]
    TooManyHops,
}

fn names(list: &[HeaderName]) -> String {
    list.iter()
        .map(HeaderName::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a server still knows of a message it rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorContext {
    /// The start line was not a Status-Line: the peer expects an answer.
    pub is_request: bool,
    /// The header lines read before the error (all of them when the header section was readable).
    pub headers: Headers,
}

/// A rejected message: the reason, and what could be read of it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind}")]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub context: Option<Box<ErrorContext>>,
}

impl From<ParseErrorKind> for ParseError {
    fn from(kind: ParseErrorKind) -> ParseError {
        ParseError {
            kind,
            context: None,
        }
    }
}

impl ParseError {
    fn with_context(kind: ParseErrorKind, is_request: bool, headers: Headers) -> ParseError {
        ParseError {
            kind,
            context: Some(Box::new(ErrorContext {
                is_request,
                headers,
            })),
        }
    }

    /// The status a server answers with: 505 for another SIP version, 413 and 513 for size, 416, 420,
    /// 415 and 483 for the application checks of [`validate_request`], 400 for the rest.
    pub fn status_code(&self) -> StatusCode {
        match self.kind {
            ParseErrorKind::VersionNotSupported(_) => StatusCode::VERSION_NOT_SUPPORTED,
            ParseErrorKind::MessageTooLarge { .. } | ParseErrorKind::TooManyHeaders { .. } => {
                StatusCode::MESSAGE_TOO_LARGE
            }
            ParseErrorKind::BodyTooLarge { .. } => StatusCode::REQUEST_ENTITY_TOO_LARGE,
            ParseErrorKind::UnsupportedUriScheme(_) => StatusCode::UNSUPPORTED_URI_SCHEME,
            ParseErrorKind::BadExtension(_) => StatusCode::BAD_EXTENSION,
            ParseErrorKind::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ParseErrorKind::TooManyHops => StatusCode::TOO_MANY_HOPS,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// A short reason phrase naming the fault, e.g. "Missing Call-ID" or "Malformed CSeq header".
    pub fn reason_phrase(&self) -> String {
        match &self.kind {
            ParseErrorKind::Empty => "Empty message".to_string(),
            ParseErrorKind::BadRequestLine(_) => "Malformed Request-Line".to_string(),
            ParseErrorKind::BadStatusLine(_) => "Malformed Status-Line".to_string(),
            ParseErrorKind::BadRequestUri(_) => "Malformed Request-URI".to_string(),
            ParseErrorKind::BadHeaderLine { .. } => "Malformed header line".to_string(),
            ParseErrorKind::BadContentLength(_) => "Malformed Content-Length header".to_string(),
            ParseErrorKind::ConflictingContentLength => {
                "Conflicting Content-Length values".to_string()
            }
            ParseErrorKind::MissingContentLength => "Missing Content-Length".to_string(),
            ParseErrorKind::BodyTruncated { .. } => {
                "Content-Length larger than message".to_string()
            }
            ParseErrorKind::MissingHeaders(list) => format!("Missing {}", names(list)),
            ParseErrorKind::DuplicateHeader(name) => format!("Multiple {name} headers"),
            ParseErrorKind::BadHeader(e) => format!("Malformed {} header", e.header),
            ParseErrorKind::CSeqMethodMismatch { .. } => {
                "CSeq method does not match Request-Line".to_string()
            }
            _ => self.status_code().default_reason().to_string(),
        }
    }

    /// The answer to a rejected request (RFC 3261 §8.2.6): status and reason phrase from the error, Via,
    /// From, To, Call-ID and CSeq echoed from what was read, `Unsupported` listed for a 420. `None` when
    /// nothing should be sent: the message was a response, or no Via says where an answer would go.
    pub fn response(&self, to_tag: Option<&str>) -> Option<Response> {
        let context = self.context.as_ref()?;
        if !context.is_request || context.headers.get(&HeaderName::Via).is_none() {
            return None;
        }
        let mut response = Response::echoing(&context.headers, self.status_code(), to_tag);
        response.reason = self.reason_phrase();
        if let ParseErrorKind::BadExtension(tags) = &self.kind {
            response
                .headers
                .push(HeaderName::Unsupported, tags.join(", "));
        }
        Some(response)
    }

    /// Whether this was only line ends (a keep-alive datagram): drop it, answer nothing.
    pub fn is_keep_alive(&self) -> bool {
        self.kind == ParseErrorKind::Empty
    }
}

/// Parses one datagram (RFC 3261 §18.3). Trailing bytes past `Content-Length` are dropped
/// (RFC 4475 §3.1.1.8); leading line ends are skipped.
pub fn parse_datagram(bytes: &[u8], limits: &Limits) -> Result<Message, ParseError> {
    if bytes.len() > limits.max_message_size {
        return Err(ParseErrorKind::MessageTooLarge {
            size: bytes.len(),
            limit: limits.max_message_size,
        }
        .into());
    }
    let start = bytes
        .iter()
        .position(|b| *b != b'\r' && *b != b'\n')
        .ok_or(ParseErrorKind::Empty)?;
    let data = &bytes[start..];
    let (head_end, body_start) = match find_head_end(data, 0) {
        Ok(found) => found,
        Err(_) => (data.len(), data.len()),
    };
    // One copy of the datagram, which the header values and the body share.
    let data = Bytes::copy_from_slice(data);
    let head = parse_head(&data, head_end, limits)?;
    let available = data.len() - body_start;
    let body_end = match head.content_length {
        Some(len) if len > available => {
            return Err(head.fail(ParseErrorKind::BodyTruncated {
                expected: len,
                got: available,
            }));
        }
        Some(len) => body_start + len,
        None => data.len(),
    };
    Ok(head.into_message(data.slice(body_start..body_end)))
}

/// What a stream yields. Messages are the common case, so they are not boxed to match the keep-alives.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamItem {
    Message(Message),
    /// A double CRLF keep-alive (RFC 5626 §4.4.1): answer with a single CRLF.
    Ping,
    /// A single CRLF between messages: the answer to our ping.
    Pong,
}

/// Frames messages on a byte stream (RFC 3261 §18.3, RFC 5626 §4.4.1).
///
/// Feed received bytes with [`push`](StreamParser::push), then call [`next`](StreamParser::next) until
/// it returns `None`. Bytes are buffered until a message is complete; a header section that grows past
/// [`Limits::max_message_size`] without ending is an error, so a transport that reads bounded chunks and
/// drains `next` after each never holds more than the limit plus one chunk. After an error the stream is
/// broken (the framing is lost): `next` returns `None` from then on and the transport closes the
/// connection.
#[derive(Debug)]
pub struct StreamParser {
    limits: Limits,
    buf: BytesMut,
    /// Where the search for the end of the header section resumes.
    scan_from: usize,
    /// The head of a message whose body is still arriving.
    pending: Option<PendingHead>,
    /// A lone CRLF at the end of the buffer is a pong at once (the side that sends pings), rather than
    /// possibly the first half of a ping (the side that answers them).
    sends_pings: bool,
    broken: bool,
}

#[derive(Debug)]
struct PendingHead {
    head: Head,
    /// The body's length: the bytes that follow the head, already taken off the buffer.
    body_len: usize,
}

impl StreamParser {
    /// A parser for the side that answers pings (a server, or a registrar's end of a flow).
    pub fn new(limits: Limits) -> StreamParser {
        StreamParser {
            limits,
            buf: BytesMut::new(),
            scan_from: 0,
            pending: None,
            sends_pings: false,
            broken: false,
        }
    }

    /// A parser for the side that sends pings and waits for pongs (a user agent keeping its flow alive).
    pub fn for_pinging_side(limits: Limits) -> StreamParser {
        StreamParser {
            sends_pings: true,
            ..StreamParser::new(limits)
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if !self.broken {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes received and not yet yielded.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether an error ended the stream.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// The next complete item, `None` when more bytes are needed (or the stream is broken).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Result<StreamItem, ParseError>> {
        if self.broken {
            return None;
        }
        if self.pending.is_none() {
            if let Some(keep_alive) = self.keep_alive() {
                return keep_alive.map(Ok);
            }
            match self.read_head() {
                Ok(Some(pending)) => self.pending = Some(pending),
                Ok(None) => return None,
                Err(e) => return Some(Err(self.fail(e))),
            }
        }
        let body_len = self.pending.as_ref()?.body_len;
        if self.buf.len() < body_len {
            return None;
        }
        let pending = self.pending.take()?;
        let body = self.buf.split_to(body_len).freeze();
        Some(Ok(StreamItem::Message(pending.head.into_message(body))))
    }

    /// Handles line ends before a start line. `Some(None)` means: wait, a ping may be half received.
    fn keep_alive(&mut self) -> Option<Option<StreamItem>> {
        loop {
            match self.buf.as_ref() {
                [b'\r', b'\n', b'\r', b'\n', ..] => {
                    let _ = self.buf.split_to(4);
                    return Some(Some(StreamItem::Ping));
                }
                [b'\r', b'\n'] if self.sends_pings => {
                    let _ = self.buf.split_to(2);
                    return Some(Some(StreamItem::Pong));
                }
                [b'\r', b'\n'] | [b'\r', b'\n', b'\r'] | [b'\r'] => return Some(None),
                [b'\r', b'\n', ..] => {
                    let _ = self.buf.split_to(2);
                    return Some(Some(StreamItem::Pong));
                }
                // RFC 3261 §7.5: other line ends before a start line are ignored.
                [b'\n', ..] | [b'\r', _, ..] => {
                    let _ = self.buf.split_to(1);
                }
                [] => return Some(None),
                _ => return None,
            }
        }
    }

    fn read_head(&mut self) -> Result<Option<PendingHead>, ParseError> {
        let limit = self.limits.max_message_size;
        let (head_end, body_start) = match find_head_end(&self.buf, self.scan_from) {
            Ok(found) => found,
            Err(resume) => {
                if self.buf.len() > limit {
                    return Err(ParseErrorKind::MessageTooLarge {
                        size: self.buf.len(),
                        limit,
                    }
                    .into());
                }
                self.scan_from = resume;
                return Ok(None);
            }
        };
        if body_start > limit {
            return Err(ParseErrorKind::MessageTooLarge {
                size: body_start,
                limit,
            }
            .into());
        }
        // The head leaves the buffer; its header values share that storage, as the body will.
        let head_bytes = self.buf.split_to(body_start).freeze();
        self.scan_from = 0;
        let head = parse_head(&head_bytes, head_end, &self.limits)?;
        let Some(len) = head.content_length else {
            return Err(head.fail(ParseErrorKind::MissingContentLength));
        };
        let total = body_start.saturating_add(len);
        if total > limit {
            let kind = if len > limit {
                ParseErrorKind::BodyTooLarge { size: len, limit }
            } else {
                ParseErrorKind::MessageTooLarge { size: total, limit }
            };
            return Err(head.fail(kind));
        }
        Ok(Some(PendingHead {
            head,
            body_len: len,
        }))
    }

    fn fail(&mut self, e: ParseError) -> ParseError {
        self.broken = true;
        self.buf = BytesMut::new();
        self.pending = None;
        e
    }
}

/// Finds the empty line that ends the header section, searching from `from` (a line start or a `\n`).
/// `Ok((head_end, body_start))`: the head is `..head_end` (its last line end included), the body starts
/// at `body_start`. `Err(resume)`: not yet there, search again from `resume` when more bytes came.
fn find_head_end(data: &[u8], from: usize) -> Result<(usize, usize), usize> {
    let mut pos = from;
    while let Some(offset) = data.get(pos..).and_then(|rest| memchr::memchr(b'\n', rest)) {
        let nl = pos + offset;
        match data.get(nl + 1..nl + 3) {
            Some([b'\n', _]) => return Ok((nl + 1, nl + 2)),
            Some([b'\r', b'\n']) => return Ok((nl + 1, nl + 3)),
            Some(_) => pos = nl + 1,
            None => {
                if data.get(nl + 1) == Some(&b'\n') {
                    return Ok((nl + 1, nl + 2));
                }
                return Err(nl);
            }
        }
    }
    Err(data.len().max(from))
}

#[derive(Debug)]
enum StartLine {
    Request { method: Method, uri: Uri },
    Response { status: StatusCode, reason: String },
}

/// A parsed start line and header section.
#[derive(Debug)]
struct Head {
    start: StartLine,
    headers: Headers,
    content_length: Option<usize>,
}

impl Head {
    fn fail(self, kind: ParseErrorKind) -> ParseError {
        let is_request = matches!(self.start, StartLine::Request { .. });
        ParseError::with_context(kind, is_request, self.headers)
    }

    fn into_message(self, body: Bytes) -> Message {
        match self.start {
            StartLine::Request { method, uri } => Message::Request(Request {
                method,
                uri,
                headers: self.headers,
                body,
            }),
            StartLine::Response { status, reason } => Message::Response(Response {
                status,
                reason,
                headers: self.headers,
                body,
            }),
        }
    }
}

/// Lines of a header section, each without its line end (`\r\n` or a bare `\n`).
struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        // Cutting at an ASCII byte keeps both sides valid UTF-8.
        let (line, rest) = match memchr::memchr(b'\n', self.rest.as_bytes()) {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, ""),
        };
        self.rest = rest;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// Where header values are kept: slices of the received buffer when the header section is UTF-8 (the
/// usual case, no copy), copies of the lossily decoded text otherwise.
#[derive(Clone, Copy)]
enum ValueStore<'a> {
    Shared(&'a Bytes),
    Copied,
}

impl ValueStore<'_> {
    fn value(self, text: &str) -> HeaderValue {
        match self {
            ValueStore::Shared(buf) => HeaderValue::shared(buf, text),
            ValueStore::Copied => HeaderValue::from(text),
        }
    }
}

/// Parses the head `buf[..head_len]` (start line and header lines, the empty line excluded).
fn parse_head(buf: &Bytes, head_len: usize, limits: &Limits) -> Result<Head, ParseError> {
    let head = &buf[..head_len];
    let (first, rest) = match memchr::memchr(b'\n', head) {
        Some(i) => (&head[..i], &head[i + 1..]),
        None => (head, &[][..]),
    };
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    let is_request = !first.starts_with(b"SIP/");
    let start = if is_request {
        std::str::from_utf8(first)
            .map_err(|_| ParseErrorKind::BadRequestLine("not UTF-8 text"))
            .and_then(parse_request_line)
    } else {
        parse_status_line(&String::from_utf8_lossy(first))
    };
    let mut headers = Headers::with_capacity(16);
    // The header section is checked for UTF-8 once, as a whole; a value that is not UTF-8 is kept
    // with its bad bytes replaced.
    let lossy;
    let (text, store) = match std::str::from_utf8(rest) {
        Ok(text) => (text, ValueStore::Shared(buf)),
        Err(_) => {
            lossy = String::from_utf8_lossy(rest);
            (&*lossy, ValueStore::Copied)
        }
    };
    let content_length = match parse_header_lines(text, store, limits, &mut headers) {
        Ok(cl) => cl,
        Err(kind) => {
            // A bad start line is the more basic fault (and 505 the more useful answer).
            let kind = start.err().unwrap_or(kind);
            return Err(ParseError::with_context(kind, is_request, headers));
        }
    };
    let head = match start {
        Ok(start) => Head {
            start,
            headers,
            content_length,
        },
        Err(kind) => return Err(ParseError::with_context(kind, is_request, headers)),
    };
    match check_mandatory(&head) {
        Ok(()) => Ok(head),
        Err(kind) => Err(head.fail(kind)),
    }
}

/// `SIP/x.y` with digits: a SIP version, supported or not.
fn is_sip_version(s: &str) -> bool {
    let Some(number) = s
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("SIP/"))
        .and_then(|_| s.get(4..))
    else {
        return false;
    };
    match number.split_once('.') {
        Some((major, minor)) => {
            !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// RFC 3261 §7.1: `Method SP Request-URI SP SIP-Version`, single spaces (RFC 4475 §3.1.2.9, §3.1.2.10).
fn parse_request_line(line: &str) -> Result<StartLine, ParseErrorKind> {
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ParseErrorKind::BadRequestLine(
            "not 'Method SP Request-URI SP SIP-Version'",
        ));
    };
    if !version.eq_ignore_ascii_case(SIP_VERSION) {
        return Err(if is_sip_version(version) {
            ParseErrorKind::VersionNotSupported(version.to_string())
        } else {
            ParseErrorKind::BadRequestLine("not 'Method SP Request-URI SP SIP-Version'")
        });
    }
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(ParseErrorKind::BadRequestLine("method is not a token"));
    }
    let uri: Uri = uri
        .parse()
        .map_err(|e: crate::uri::UriError| ParseErrorKind::BadRequestUri(e.reason.to_string()))?;
    // RFC 3261 §19.1.1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
    if uri.as_sip().is_some_and(|s| !s.headers.is_empty()) {
        return Err(ParseErrorKind::BadRequestUri(
            "a Request-URI must not carry headers".to_string(),
        ));
    }
    Ok(StartLine::Request {
        method: Method::from_token(method),
        uri,
    })
}

/// RFC 3261 §7.2: `SIP-Version SP Status-Code SP Reason-Phrase`; the reason may be empty (RFC 4475
/// §3.1.1.13) or any UTF-8 text (§3.1.1.12).
fn parse_status_line(line: &str) -> Result<StartLine, ParseErrorKind> {
    let (version, rest) = line.split_once(' ').unwrap_or((line, ""));
    if !version.eq_ignore_ascii_case(SIP_VERSION) {
        return Err(if is_sip_version(version) {
            ParseErrorKind::VersionNotSupported(version.to_string())
        } else {
            ParseErrorKind::BadStatusLine("no SIP version")
        });
    }
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    let status = Some(code)
        .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|c| c.parse().ok())
        .and_then(StatusCode::new)
        .ok_or(ParseErrorKind::BadStatusLine(
            "status code is not three digits in 100..=699",
        ))?;
    Ok(StartLine::Response {
        status,
        reason: reason.to_string(),
    })
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `s` without leading and trailing SP and HT.
fn trim_wsp(s: &str) -> &str {
    let b = s.as_bytes();
    let Some(start) = b.iter().position(|c| !is_wsp(*c)) else {
        return "";
    };
    let end = b.iter().rposition(|c| !is_wsp(*c)).map_or(start, |i| i + 1);
    // Both ends are next to ASCII bytes, so they are character boundaries.
    &s[start..end]
}

/// A header value being read: a slice of the line, or the lines of a folded header joined.
enum PendingValue<'a> {
    Line(&'a str),
    Joined(String),
}

impl<'a> PendingValue<'a> {
    /// Appends a (trimmed, non-empty) continuation line, after one space (RFC 3261 §7.3.1).
    fn append(&mut self, more: &'a str) {
        match self {
            PendingValue::Line("") => *self = PendingValue::Line(more),
            PendingValue::Line(first) => {
                let mut joined = String::with_capacity(first.len() + 1 + more.len());
                joined.push_str(first);
                joined.push(' ');
                joined.push_str(more);
                *self = PendingValue::Joined(joined);
            }
            PendingValue::Joined(joined) => {
                joined.push(' ');
                joined.push_str(more);
            }
        }
    }

    fn as_str(&self) -> &str {
        match self {
            PendingValue::Line(s) => s,
            PendingValue::Joined(s) => s,
        }
    }
}

/// Reads header lines into `headers` (RFC 3261 §7.3): `name HCOLON value`, whitespace around the colon,
/// continuation lines (starting with SP or HT) joined with one space (§7.3.1), compact names. Returns the
/// Content-Length, which is not stored.
fn parse_header_lines<'a>(
    text: &'a str,
    store: ValueStore<'_>,
    limits: &Limits,
    headers: &mut Headers,
) -> Result<Option<usize>, ParseErrorKind> {
    let mut content_length = None;
    let mut current: Option<(HeaderName, PendingValue<'a>)> = None;
    let mut count = 0usize;
    for (index, line) in (Lines { rest: text }).enumerate() {
        let line_no = index + 2;
        if line.as_bytes().first().is_some_and(|b| is_wsp(*b)) {
            let Some((_, value)) = current.as_mut() else {
                return Err(ParseErrorKind::BadHeaderLine {
                    line: line_no,
                    reason: "continuation line before any header",
                });
            };
            let more = trim_wsp(line);
            if !more.is_empty() {
                value.append(more);
            }
            continue;
        }
        if let Some((name, value)) = current.take() {
            finish_header(name, value, store, headers, &mut content_length)?;
        }
        count += 1;
        if count > limits.max_headers {
            return Err(ParseErrorKind::TooManyHeaders {
                limit: limits.max_headers,
            });
        }
        // `token *WSP ":"`, read in one pass (the line does not start with whitespace).
        let bytes = line.as_bytes();
        let name_len = bytes
            .iter()
            .position(|b| !is_token_byte(*b))
            .unwrap_or(bytes.len());
        let colon = name_len
            + bytes[name_len..]
                .iter()
                .position(|b| !is_wsp(*b))
                .unwrap_or(bytes.len() - name_len);
        if name_len == 0 || bytes.get(colon) != Some(&b':') {
            return Err(ParseErrorKind::BadHeaderLine {
                line: line_no,
                reason: if bytes.contains(&b':') {
                    "header name is not a token"
                } else {
                    "no ':'"
                },
            });
        }
        let value = PendingValue::Line(trim_wsp(&line[colon + 1..]));
        current = Some((HeaderName::parse(&line[..name_len]), value));
    }
    if let Some((name, value)) = current {
        finish_header(name, value, store, headers, &mut content_length)?;
    }
    Ok(content_length)
}

fn finish_header(
    name: HeaderName,
    value: PendingValue<'_>,
    store: ValueStore<'_>,
    headers: &mut Headers,
    content_length: &mut Option<usize>,
) -> Result<(), ParseErrorKind> {
    if !matches!(name, HeaderName::ContentLength) {
        let value = match value {
            PendingValue::Line(line) => store.value(line),
            PendingValue::Joined(joined) => HeaderValue::from(joined),
        };
        headers.push(name, value);
        return Ok(());
    }
    // RFC 3261 §20.14: 1*DIGIT; a sign (RFC 4475 §3.1.2.3) or an overflow is malformed.
    let text = value.as_str();
    let len = Some(text)
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<usize>().ok())
        .ok_or_else(|| ParseErrorKind::BadContentLength(text.to_string()))?;
    match content_length {
        Some(previous) if *previous != len => Err(ParseErrorKind::ConflictingContentLength),
        _ => {
            *content_length = Some(len);
            Ok(())
        }
    }
}

/// RFC 3261 §8.1.1: To, From, CSeq, Call-ID and Via in every message, the first four once only
/// (RFC 4475 §3.3.8), and a CSeq whose method is the request's (§3.1.2.17, §3.1.2.18).
fn check_mandatory(head: &Head) -> Result<(), ParseErrorKind> {
    let (mut to, mut from, mut cseq, mut call_id, mut via) = (0, 0, 0, 0, 0);
    let mut cseq_value = "";
    for h in &head.headers {
        match h.name {
            HeaderName::To => to += 1,
            HeaderName::From => from += 1,
            HeaderName::CSeq => {
                cseq += 1;
                cseq_value = &h.value;
            }
            HeaderName::CallId => call_id += 1,
            HeaderName::Via => via += 1,
            _ => {}
        }
    }
    let missing: Vec<HeaderName> = [
        (to, HeaderName::To),
        (from, HeaderName::From),
        (cseq, HeaderName::CSeq),
        (call_id, HeaderName::CallId),
        (via, HeaderName::Via),
    ]
    .into_iter()
    .filter(|(n, _)| *n == 0)
    .map(|(_, name)| name)
    .collect();
    if !missing.is_empty() {
        return Err(ParseErrorKind::MissingHeaders(missing));
    }
    for (n, name) in [
        (to, HeaderName::To),
        (from, HeaderName::From),
        (cseq, HeaderName::CSeq),
        (call_id, HeaderName::CallId),
    ] {
        if n > 1 {
            return Err(ParseErrorKind::DuplicateHeader(name));
        }
    }
    let cseq = CSeq::parse(cseq_value)?;
    if let StartLine::Request { method, .. } = &head.start
        && cseq.method != *method
    {
        return Err(ParseErrorKind::CSeqMethodMismatch {
            method: method.clone(),
            cseq: cseq.method,
        });
    }
    Ok(())
}

/// What an element accepts, for [`validate_request`].
#[derive(Debug, Clone, Copy)]
pub struct RequestPolicy<'a> {
    /// Option tags this element supports (RFC 3261 §8.2.2.3, §16.3 step 5).
    pub supported: &'a [&'a str],
    /// Media types accepted in request bodies, as `type/subtype` (RFC 3261 §8.2.3).
    pub accept: &'a [&'a str],
    /// The element forwards the request as a proxy (RFC 3261 §16.3): Max-Forwards zero is 483,
    /// Proxy-Require is checked instead of Require, bodies are not inspected.
    pub proxy: bool,
}

impl Default for RequestPolicy<'static> {
    /// A user agent server with no extensions that takes SDP bodies.
    fn default() -> RequestPolicy<'static> {
        RequestPolicy {
            supported: &[],
            accept: &["application/sdp"],
            proxy: false,
        }
    }
}

/// The checks an element makes on a parsed request before acting on it (RFC 3261 §8.2, §16.3), in the
/// order RFC 3261 gives them:
///
/// 1. the headers it reads parse: every Via (RFC 4475 §3.1.2.1) with a branch that is more than the
///    magic cookie (§3.2.1), From and To (§3.1.2.6, §3.1.2.14, §3.1.2.15), every Contact (§3.1.2.13),
///    Max-Forwards when present;
/// 2. the Request-URI scheme is sip, sips or tel, else 416 (§8.2.2.1; RFC 4475 §3.3.2, §3.3.3);
/// 3. a proxy answers Max-Forwards 0 with 483 (§16.3 step 2; RFC 4475 §3.3.11);
/// 4. unknown Require (a UAS) or Proxy-Require (a proxy) tags give 420 (§8.2.2.3; RFC 4475 §3.3.5);
/// 5. a UAS needs a Content-Type for a body and answers 415 to one it does not accept (§8.2.3;
///    RFC 4475 §3.3.6).
pub fn validate_request(request: &Request, policy: &RequestPolicy<'_>) -> Result<(), ParseError> {
    check_request(request, policy)
        .map_err(|kind| ParseError::with_context(kind, true, request.headers.clone()))
}

fn check_request(request: &Request, policy: &RequestPolicy<'_>) -> Result<(), ParseErrorKind> {
    let headers = &request.headers;
    let vias = headers.typed_all::<Via>()?;
    if vias
        .first()
        .and_then(Via::branch)
        .is_some_and(|b| b == BRANCH_MAGIC_COOKIE)
    {
        return Err(HeaderError::new(
            HeaderName::Via,
            "has a branch that is only the magic cookie",
        )
        .into());
    }
    headers.require::<FromHeader>()?;
    headers.require::<To>()?;
    headers.typed_all::<Contact>()?;
    let max_forwards = headers.typed::<MaxForwards>().transpose()?;

    if let Uri::Other { scheme, .. } = &request.uri {
        return Err(ParseErrorKind::UnsupportedUriScheme(scheme.clone()));
    }
    if policy.proxy && max_forwards == Some(MaxForwards(0)) {
        return Err(ParseErrorKind::TooManyHops);
    }

    if !matches!(request.method, Method::Ack | Method::Cancel) {
        let required: Vec<String> = if policy.proxy {
            headers
                .typed_all::<ProxyRequire>()?
                .into_iter()
                .map(|t| t.0)
                .collect()
        } else {
            headers
                .typed_all::<Require>()?
                .into_iter()
                .map(|t| t.0)
                .collect()
        };
        let unknown: Vec<String> = required
            .into_iter()
            .filter(|tag| !policy.supported.contains(&tag.as_str()))
            .collect();
        if !unknown.is_empty() {
            return Err(ParseErrorKind::BadExtension(unknown));
        }
    }

    if !policy.proxy && !request.body.is_empty() {
        let content_type =
            headers
                .typed::<ContentType>()
                .ok_or(ParseErrorKind::MissingHeaders(vec![
                    HeaderName::ContentType,
                ]))??;
        let accepted = policy.accept.iter().any(|a| {
            a.split_once('/')
                .is_some_and(|(t, s)| content_type.is(t, s))
        });
        if !accepted {
            return Err(ParseErrorKind::UnsupportedMediaType(format!(
                "{}/{}",
                content_type.mtype, content_type.subtype
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &[u8] = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9\r\n\
Max-Forwards: 70\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n\
To: Bob <sip:bob@biloxi.example.com>\r\n\
Call-ID: 3848276298220188511@atlanta.example.com\r\n\
CSeq: 2 INVITE\r\n\
Content-Type: text/plain\r\n\
Content-Length: 5\r\n\
\r\n\
hello";

    fn request(m: Message) -> Request {
        match m {
            Message::Request(r) => r,
            Message::Response(r) => panic!("not a request: {r:?}"),
        }
    }

    #[test]
    fn datagram_with_body() {
        let r = request(parse_datagram(INVITE, &Limits::default()).unwrap());
        assert_eq!(r.method, Method::Invite);
        assert_eq!(r.uri.to_string(), "sip:bob@biloxi.example.com");
        assert_eq!(&r.body[..], b"hello");
        assert_eq!(r.headers.len(), 7);
        assert_eq!(r.headers.get(&HeaderName::ContentLength), None);
        assert_eq!(r.headers.get(&HeaderName::CSeq), Some("2 INVITE"));
    }

    #[test]
    fn datagram_without_content_length_takes_the_rest() {
        let text = String::from_utf8_lossy(INVITE).replace("Content-Length: 5\r\n", "");
        let r = request(parse_datagram(text.as_bytes(), &Limits::default()).unwrap());
        assert_eq!(&r.body[..], b"hello");
    }

    #[test]
    fn bare_lf_and_folding() {
        let text = "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h\n ;branch=z9hG4bKx\nTo: <sip:a@b>\nFrom: <sip:c@d>;tag=1\nCall-ID: x\nCSeq: 1\n\tOPTIONS\nl: 0\n\n";
        let r = request(parse_datagram(text.as_bytes(), &Limits::default()).unwrap());
        assert_eq!(
            r.headers.get(&HeaderName::Via),
            Some("SIP/2.0/UDP h ;branch=z9hG4bKx")
        );
        assert_eq!(r.headers.get(&HeaderName::CSeq), Some("1 OPTIONS"));
        assert!(r.body.is_empty());
    }

    #[test]
    fn serialize_then_parse_is_identity() {
        let m = parse_datagram(INVITE, &Limits::default()).unwrap();
        let bytes = m.to_bytes();
        assert!(bytes.ends_with(b"Content-Length: 5\r\n\r\nhello"));
        assert_eq!(parse_datagram(&bytes, &Limits::default()).unwrap(), m);
    }

    #[test]
    fn keep_alive_datagram_is_empty() {
        let e = parse_datagram(b"\r\n\r\n", &Limits::default()).unwrap_err();
        assert!(e.is_keep_alive());
    }

    #[test]
    fn stream_frames_messages_and_keep_alives() {
        let mut p = StreamParser::new(Limits::default());
        let mut input = Vec::new();
        input.extend_from_slice(b"\r\n\r\n");
        input.extend_from_slice(INVITE);
        input.extend_from_slice(b"\r\n");
        input.extend_from_slice(INVITE);
        let mut items = Vec::new();
        for byte in &input {
            p.push(std::slice::from_ref(byte));
            while let Some(item) = p.next() {
                items.push(item.unwrap());
            }
        }
        assert_eq!(items.len(), 4);
        assert_eq!(items[0], StreamItem::Ping);
        assert!(matches!(items[1], StreamItem::Message(_)));
        assert_eq!(items[2], StreamItem::Pong);
        assert_eq!(items[1], items[3]);
        assert_eq!(p.buffered(), 0);
    }

    #[test]
    fn pinging_side_sees_a_lone_crlf_as_pong() {
        let mut server = StreamParser::new(Limits::default());
        server.push(b"\r\n");
        assert_eq!(server.next(), None);
        let mut client = StreamParser::for_pinging_side(Limits::default());
        client.push(b"\r\n");
        assert_eq!(client.next(), Some(Ok(StreamItem::Pong)));
    }

    #[test]
    fn stream_needs_content_length_and_breaks_on_error() {
        let text = String::from_utf8_lossy(INVITE).replace("Content-Length: 5\r\n", "");
        let mut p = StreamParser::new(Limits::default());
        p.push(text.as_bytes());
        let e = p.next().unwrap().unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::MissingContentLength);
        assert!(p.is_broken());
        p.push(INVITE);
        assert_eq!(p.next(), None);
    }

    #[test]
    fn unterminated_header_section_is_bounded() {
        let limits = Limits {
            max_message_size: 1024,
            max_headers: 256,
        };
        let mut p = StreamParser::new(limits);
        p.push(b"INVITE sip:a@b SIP/2.0\r\n");
        let line =
            b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
        let mut error = None;
        for _ in 0..100 {
            p.push(line);
            if let Some(item) = p.next() {
                error = Some(item.unwrap_err());
                break;
            }
        }
        let error = error.unwrap();
        assert!(matches!(
            error.kind,
            ParseErrorKind::MessageTooLarge { limit: 1024, .. }
        ));
        assert_eq!(error.status_code(), StatusCode::MESSAGE_TOO_LARGE);
        assert!(p.buffered() < 1024 + line.len());
    }

    #[test]
    fn oversized_body_is_413() {
        let limits = Limits {
            max_message_size: 600,
            max_headers: 256,
        };
        let text = String::from_utf8_lossy(INVITE).replace("Length: 5", "Length: 5000");
        let mut p = StreamParser::new(limits);
        p.push(text.as_bytes());
        let e = p.next().unwrap().unwrap_err();
        assert_eq!(e.status_code(), StatusCode::REQUEST_ENTITY_TOO_LARGE);
    }

    #[test]
    fn error_response_echoes_the_request() {
        let text = String::from_utf8_lossy(INVITE).replace("CSeq: 2 INVITE", "CSeq: 2 BYE");
        let e = parse_datagram(text.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(e.status_code(), StatusCode::BAD_REQUEST);
        let r = e.response(Some("srv1")).unwrap();
        assert_eq!(r.reason, "CSeq method does not match Request-Line");
        assert_eq!(r.headers.get(&HeaderName::CSeq), Some("2 BYE"));
        assert_eq!(
            r.headers.get(&HeaderName::To),
            Some("Bob <sip:bob@biloxi.example.com>;tag=srv1")
        );
        assert_eq!(r.headers.get(&HeaderName::MaxForwards), None);
    }

    #[test]
    fn too_many_headers() {
        let limits = Limits {
            max_message_size: 65_535,
            max_headers: 5,
        };
        let e = parse_datagram(INVITE, &limits).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::TooManyHeaders { limit: 5 });
    }
}
