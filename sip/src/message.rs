//! SIP messages: start lines, the ordered header list and the body (RFC 3261 §7).
//!
//! Headers are kept as they arrived, in order, as (name, value) pairs; typed views are parsed on demand
//! through [`TypedHeader`] (see [`crate::header`]). That keeps every header a peer sent, known or not,
//! and makes forwarding and round-tripping exact. `Content-Length` is not stored: it is always the length
//! of [`Request::body`] / [`Response::body`], so a serialized message can never carry a wrong one.

use std::fmt;
use std::io::Write;

use bytes::Bytes;

use crate::header::HeaderError;
use crate::uri::Uri;

/// A SIP method (RFC 3261 §7.1; methods are case-sensitive tokens).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    Invite,
    Ack,
    Bye,
    Cancel,
    Register,
    Options,
    Info,
    Update,
    Refer,
    Subscribe,
    Notify,
    Message,
    Prack,
    Publish,
    /// Any other token, kept as sent.
    Other(String),
}

impl Method {
    pub fn as_str(&self) -> &str {
        match self {
            Method::Invite => "INVITE",
            Method::Ack => "ACK",
            Method::Bye => "BYE",
            Method::Cancel => "CANCEL",
            Method::Register => "REGISTER",
            Method::Options => "OPTIONS",
            Method::Info => "INFO",
            Method::Update => "UPDATE",
            Method::Refer => "REFER",
            Method::Subscribe => "SUBSCRIBE",
            Method::Notify => "NOTIFY",
            Method::Message => "MESSAGE",
            Method::Prack => "PRACK",
            Method::Publish => "PUBLISH",
            Method::Other(s) => s,
        }
    }

    /// Maps a token to a method; the caller has checked it is a token.
    pub fn from_token(s: &str) -> Method {
        match s {
            "INVITE" => Method::Invite,
            "ACK" => Method::Ack,
            "BYE" => Method::Bye,
            "CANCEL" => Method::Cancel,
            "REGISTER" => Method::Register,
            "OPTIONS" => Method::Options,
            "INFO" => Method::Info,
            "UPDATE" => Method::Update,
            "REFER" => Method::Refer,
            "SUBSCRIBE" => Method::Subscribe,
            "NOTIFY" => Method::Notify,
            "MESSAGE" => Method::Message,
            "PRACK" => Method::Prack,
            "PUBLISH" => Method::Publish,
            other => Method::Other(other.to_string()),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status code 100..=699 (RFC 3261 §7.2, §21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusCode(u16);

impl StatusCode {
    pub const TRYING: StatusCode = StatusCode(100);
    pub const RINGING: StatusCode = StatusCode(180);
    pub const SESSION_PROGRESS: StatusCode = StatusCode(183);
    pub const OK: StatusCode = StatusCode(200);
    pub const ACCEPTED: StatusCode = StatusCode(202);
    pub const BAD_REQUEST: StatusCode = StatusCode(400);
    pub const UNAUTHORIZED: StatusCode = StatusCode(401);
    pub const FORBIDDEN: StatusCode = StatusCode(403);
    pub const NOT_FOUND: StatusCode = StatusCode(404);
    pub const METHOD_NOT_ALLOWED: StatusCode = StatusCode(405);
    pub const PROXY_AUTHENTICATION_REQUIRED: StatusCode = StatusCode(407);
    pub const REQUEST_TIMEOUT: StatusCode = StatusCode(408);
    pub const REQUEST_ENTITY_TOO_LARGE: StatusCode = StatusCode(413);
    pub const UNSUPPORTED_MEDIA_TYPE: StatusCode = StatusCode(415);
    pub const UNSUPPORTED_URI_SCHEME: StatusCode = StatusCode(416);
    pub const BAD_EXTENSION: StatusCode = StatusCode(420);
    pub const SESSION_INTERVAL_TOO_SMALL: StatusCode = StatusCode(422);
    pub const INTERVAL_TOO_BRIEF: StatusCode = StatusCode(423);
    pub const TEMPORARILY_UNAVAILABLE: StatusCode = StatusCode(480);
    pub const CALL_DOES_NOT_EXIST: StatusCode = StatusCode(481);
    pub const LOOP_DETECTED: StatusCode = StatusCode(482);
    pub const TOO_MANY_HOPS: StatusCode = StatusCode(483);
    pub const ADDRESS_INCOMPLETE: StatusCode = StatusCode(484);
    pub const BUSY_HERE: StatusCode = StatusCode(486);
    pub const REQUEST_TERMINATED: StatusCode = StatusCode(487);
    pub const NOT_ACCEPTABLE_HERE: StatusCode = StatusCode(488);
    pub const BAD_EVENT: StatusCode = StatusCode(489);
    pub const REQUEST_PENDING: StatusCode = StatusCode(491);
    pub const SERVER_INTERNAL_ERROR: StatusCode = StatusCode(500);
    pub const NOT_IMPLEMENTED: StatusCode = StatusCode(501);
    pub const SERVICE_UNAVAILABLE: StatusCode = StatusCode(503);
    pub const SERVER_TIMEOUT: StatusCode = StatusCode(504);
    pub const VERSION_NOT_SUPPORTED: StatusCode = StatusCode(505);
    pub const MESSAGE_TOO_LARGE: StatusCode = StatusCode(513);
    pub const DECLINE: StatusCode = StatusCode(603);

    /// A code in 100..=699, or `None`.
    pub fn new(code: u16) -> Option<StatusCode> {
        (100..=699).contains(&code).then_some(StatusCode(code))
    }

    pub fn code(self) -> u16 {
        self.0
    }

    pub fn is_provisional(self) -> bool {
        self.0 < 200
    }

    pub fn is_success(self) -> bool {
        (200..300).contains(&self.0)
    }

    pub fn is_final(self) -> bool {
        self.0 >= 200
    }

    /// The reason phrase RFC 3261 §21 (and the extensions above) suggest.
    pub fn default_reason(self) -> &'static str {
        match self.0 {
            100 => "Trying",
            180 => "Ringing",
            181 => "Call Is Being Forwarded",
            182 => "Queued",
            183 => "Session Progress",
            200 => "OK",
            202 => "Accepted",
            300 => "Multiple Choices",
            301 => "Moved Permanently",
            302 => "Moved Temporarily",
            305 => "Use Proxy",
            380 => "Alternative Service",
            400 => "Bad Request",
            401 => "Unauthorized",
            402 => "Payment Required",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            406 => "Not Acceptable",
            407 => "Proxy Authentication Required",
            408 => "Request Timeout",
            410 => "Gone",
            413 => "Request Entity Too Large",
            414 => "Request-URI Too Long",
            415 => "Unsupported Media Type",
            416 => "Unsupported URI Scheme",
            420 => "Bad Extension",
            421 => "Extension Required",
            422 => "Session Interval Too Small",
            423 => "Interval Too Brief",
            480 => "Temporarily Unavailable",
            481 => "Call/Transaction Does Not Exist",
            482 => "Loop Detected",
            483 => "Too Many Hops",
            484 => "Address Incomplete",
            485 => "Ambiguous",
            486 => "Busy Here",
            487 => "Request Terminated",
            488 => "Not Acceptable Here",
            489 => "Bad Event",
            491 => "Request Pending",
            493 => "Undecipherable",
            500 => "Server Internal Error",
            501 => "Not Implemented",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Server Time-out",
            505 => "Version Not Supported",
            513 => "Message Too Large",
            600 => "Busy Everywhere",
            603 => "Decline",
            604 => "Does Not Exist Anywhere",
            606 => "Not Acceptable",
            _ => "Unknown",
        }
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A header name. Known names are case-insensitive and have a compact form (RFC 3261 §7.3.3); both map
/// to the same variant and are written in the long form. Unknown names keep their spelling but compare
/// case-insensitively.
#[derive(Debug, Clone)]
pub enum HeaderName {
    Accept,
    AcceptEncoding,
    AcceptLanguage,
    AlertInfo,
    Allow,
    AllowEvents,
    Authorization,
    CallId,
    CallInfo,
    Contact,
    ContentDisposition,
    ContentEncoding,
    ContentLanguage,
    ContentLength,
    ContentType,
    CSeq,
    Date,
    ErrorInfo,
    Event,
    Expires,
    From,
    MaxForwards,
    MinExpires,
    MinSe,
    Organization,
    Priority,
    ProxyAuthenticate,
    ProxyAuthorization,
    ProxyRequire,
    Reason,
    RecordRoute,
    ReferTo,
    ReferredBy,
    Replaces,
    ReplyTo,
    Require,
    RetryAfter,
    Route,
    Server,
    SessionExpires,
    Subject,
    SubscriptionState,
    Supported,
    Timestamp,
    To,
    Unsupported,
    UserAgent,
    Via,
    Warning,
    WwwAuthenticate,
    /// Any other header, spelled as received.
    Other(String),
}

impl HeaderName {
    /// Maps a received name (long or compact, any case) to a header name.
    #[inline]
    pub fn parse(name: &str) -> HeaderName {
        lookup(name).unwrap_or_else(|| HeaderName::Other(name.to_string()))
    }

    /// The canonical (long) spelling.
    pub fn as_str(&self) -> &str {
        match self {
            HeaderName::Other(s) => s,
            known => known.spellings().0,
        }
    }

    /// The compact form (RFC 3261 §7.3.3 and the extensions that define one), if the header has one.
    pub fn compact(&self) -> Option<&'static str> {
        match self {
            HeaderName::Other(_) => None,
            known => known.spellings().1,
        }
    }

    /// (long form, compact form) of a known header; `Other` has none and answers ("", None).
    fn spellings(&self) -> (&'static str, Option<&'static str>) {
        match self {
            HeaderName::Accept => ("Accept", None),
            HeaderName::AcceptEncoding => ("Accept-Encoding", None),
            HeaderName::AcceptLanguage => ("Accept-Language", None),
            HeaderName::AlertInfo => ("Alert-Info", None),
            HeaderName::Allow => ("Allow", None),
            HeaderName::AllowEvents => ("Allow-Events", Some("u")),
            HeaderName::Authorization => ("Authorization", None),
            HeaderName::CallId => ("Call-ID", Some("i")),
            HeaderName::CallInfo => ("Call-Info", None),
            HeaderName::Contact => ("Contact", Some("m")),
            HeaderName::ContentDisposition => ("Content-Disposition", None),
            HeaderName::ContentEncoding => ("Content-Encoding", Some("e")),
            HeaderName::ContentLanguage => ("Content-Language", None),
            HeaderName::ContentLength => ("Content-Length", Some("l")),
            HeaderName::ContentType => ("Content-Type", Some("c")),
            HeaderName::CSeq => ("CSeq", None),
            HeaderName::Date => ("Date", None),
            HeaderName::ErrorInfo => ("Error-Info", None),
            HeaderName::Event => ("Event", Some("o")),
            HeaderName::Expires => ("Expires", None),
            HeaderName::From => ("From", Some("f")),
            HeaderName::MaxForwards => ("Max-Forwards", None),
            HeaderName::MinExpires => ("Min-Expires", None),
            HeaderName::MinSe => ("Min-SE", None),
            HeaderName::Organization => ("Organization", None),
            HeaderName::Priority => ("Priority", None),
            HeaderName::ProxyAuthenticate => ("Proxy-Authenticate", None),
            HeaderName::ProxyAuthorization => ("Proxy-Authorization", None),
            HeaderName::ProxyRequire => ("Proxy-Require", None),
            HeaderName::Reason => ("Reason", None),
            HeaderName::RecordRoute => ("Record-Route", None),
            HeaderName::ReferTo => ("Refer-To", Some("r")),
            HeaderName::ReferredBy => ("Referred-By", Some("b")),
            HeaderName::Replaces => ("Replaces", None),
            HeaderName::ReplyTo => ("Reply-To", None),
            HeaderName::Require => ("Require", None),
            HeaderName::RetryAfter => ("Retry-After", None),
            HeaderName::Route => ("Route", None),
            HeaderName::Server => ("Server", None),
            HeaderName::SessionExpires => ("Session-Expires", Some("x")),
            HeaderName::Subject => ("Subject", Some("s")),
            HeaderName::SubscriptionState => ("Subscription-State", None),
            HeaderName::Supported => ("Supported", Some("k")),
            HeaderName::Timestamp => ("Timestamp", None),
            HeaderName::To => ("To", Some("t")),
            HeaderName::Unsupported => ("Unsupported", None),
            HeaderName::UserAgent => ("User-Agent", None),
            HeaderName::Via => ("Via", Some("v")),
            HeaderName::Warning => ("Warning", None),
            HeaderName::WwwAuthenticate => ("WWW-Authenticate", None),
            HeaderName::Other(_) => ("", None),
        }
    }

    fn same_variant(&self, other: &HeaderName) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// Whether the header's grammar is a comma-separated list, so that several values may share one line
    /// (RFC 3261 §7.3.1). Authentication headers are not: their parameters are comma-separated.
    pub fn is_list(&self) -> bool {
        matches!(
            self,
            HeaderName::Accept
                | HeaderName::AcceptEncoding
                | HeaderName::AcceptLanguage
                | HeaderName::AlertInfo
                | HeaderName::Allow
                | HeaderName::AllowEvents
                | HeaderName::CallInfo
                | HeaderName::Contact
                | HeaderName::ContentEncoding
                | HeaderName::ContentLanguage
                | HeaderName::ErrorInfo
                | HeaderName::ProxyRequire
                | HeaderName::Reason
                | HeaderName::RecordRoute
                | HeaderName::Require
                | HeaderName::Route
                | HeaderName::Supported
                | HeaderName::Unsupported
                | HeaderName::Via
                | HeaderName::Warning
        )
    }
}

impl PartialEq for HeaderName {
    fn eq(&self, other: &HeaderName) -> bool {
        match (self, other) {
            (HeaderName::Other(a), HeaderName::Other(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a.same_variant(b),
        }
    }
}

impl Eq for HeaderName {}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Case-insensitive lookup of a known name, long or compact, without allocating: the parser calls this
/// for every header line. The length and first letter leave at most three candidates, compared with
/// the name folded into words.
#[inline]
fn lookup(name: &str) -> Option<HeaderName> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_KNOWN_NAME {
        return None;
    }
    let folded = fold(bytes);
    let first = bytes[0].to_ascii_lowercase();
    if bytes.len() == 1 {
        return Some(match first {
            b'u' => HeaderName::AllowEvents,
            b'i' => HeaderName::CallId,
            b'm' => HeaderName::Contact,
            b'e' => HeaderName::ContentEncoding,
            b'l' => HeaderName::ContentLength,
            b'c' => HeaderName::ContentType,
            b'o' => HeaderName::Event,
            b'f' => HeaderName::From,
            b'r' => HeaderName::ReferTo,
            b'b' => HeaderName::ReferredBy,
            b'x' => HeaderName::SessionExpires,
            b's' => HeaderName::Subject,
            b'k' => HeaderName::Supported,
            b't' => HeaderName::To,
            b'v' => HeaderName::Via,
            _ => return None,
        });
    }
    let candidates: &[(FoldedName, HeaderName)] = match (bytes.len(), first) {
        (2, b't') => const { &[(fold(b"to"), HeaderName::To)] },
        (3, b'v') => const { &[(fold(b"via"), HeaderName::Via)] },
        (4, b'c') => const { &[(fold(b"cseq"), HeaderName::CSeq)] },
        (4, b'd') => const { &[(fold(b"date"), HeaderName::Date)] },
        (4, b'f') => const { &[(fold(b"from"), HeaderName::From)] },
        (5, b'a') => const { &[(fold(b"allow"), HeaderName::Allow)] },
        (5, b'e') => const { &[(fold(b"event"), HeaderName::Event)] },
        (5, b'r') => const { &[(fold(b"route"), HeaderName::Route)] },
        (6, b'a') => const { &[(fold(b"accept"), HeaderName::Accept)] },
        (6, b'm') => const { &[(fold(b"min-se"), HeaderName::MinSe)] },
        (6, b'r') => const { &[(fold(b"reason"), HeaderName::Reason)] },
        (6, b's') => const { &[(fold(b"server"), HeaderName::Server)] },
        (7, b'c') => {
            const {
                &[
                    (fold(b"call-id"), HeaderName::CallId),
                    (fold(b"contact"), HeaderName::Contact),
                ]
            }
        }
        (7, b'e') => const { &[(fold(b"expires"), HeaderName::Expires)] },
        (7, b'r') => const { &[(fold(b"require"), HeaderName::Require)] },
        (7, b's') => const { &[(fold(b"subject"), HeaderName::Subject)] },
        (7, b'w') => const { &[(fold(b"warning"), HeaderName::Warning)] },
        (8, b'p') => const { &[(fold(b"priority"), HeaderName::Priority)] },
        (8, b'r') => {
            const {
                &[
                    (fold(b"refer-to"), HeaderName::ReferTo),
                    (fold(b"replaces"), HeaderName::Replaces),
                    (fold(b"reply-to"), HeaderName::ReplyTo),
                ]
            }
        }
        (9, b'c') => const { &[(fold(b"call-info"), HeaderName::CallInfo)] },
        (9, b's') => const { &[(fold(b"supported"), HeaderName::Supported)] },
        (9, b't') => const { &[(fold(b"timestamp"), HeaderName::Timestamp)] },
        (10, b'a') => const { &[(fold(b"alert-info"), HeaderName::AlertInfo)] },
        (10, b'e') => const { &[(fold(b"error-info"), HeaderName::ErrorInfo)] },
        (10, b'u') => const { &[(fold(b"user-agent"), HeaderName::UserAgent)] },
        (11, b'm') => const { &[(fold(b"min-expires"), HeaderName::MinExpires)] },
        (11, b'r') => {
            const {
                &[
                    (fold(b"referred-by"), HeaderName::ReferredBy),
                    (fold(b"retry-after"), HeaderName::RetryAfter),
                ]
            }
        }
        (11, b'u') => const { &[(fold(b"unsupported"), HeaderName::Unsupported)] },
        (12, b'a') => const { &[(fold(b"allow-events"), HeaderName::AllowEvents)] },
        (12, b'c') => const { &[(fold(b"content-type"), HeaderName::ContentType)] },
        (12, b'm') => const { &[(fold(b"max-forwards"), HeaderName::MaxForwards)] },
        (12, b'o') => const { &[(fold(b"organization"), HeaderName::Organization)] },
        (12, b'r') => const { &[(fold(b"record-route"), HeaderName::RecordRoute)] },
        (13, b'a') => const { &[(fold(b"authorization"), HeaderName::Authorization)] },
        (13, b'p') => const { &[(fold(b"proxy-require"), HeaderName::ProxyRequire)] },
        (14, b'c') => const { &[(fold(b"content-length"), HeaderName::ContentLength)] },
        (15, b'a') => {
            const {
                &[
                    (fold(b"accept-encoding"), HeaderName::AcceptEncoding),
                    (fold(b"accept-language"), HeaderName::AcceptLanguage),
                ]
            }
        }
        (15, b's') => const { &[(fold(b"session-expires"), HeaderName::SessionExpires)] },
        (16, b'c') => {
            const {
                &[
                    (fold(b"content-encoding"), HeaderName::ContentEncoding),
                    (fold(b"content-language"), HeaderName::ContentLanguage),
                ]
            }
        }
        (16, b'w') => const { &[(fold(b"www-authenticate"), HeaderName::WwwAuthenticate)] },
        (18, b'p') => const { &[(fold(b"proxy-authenticate"), HeaderName::ProxyAuthenticate)] },
        (18, b's') => const { &[(fold(b"subscription-state"), HeaderName::SubscriptionState)] },
        (19, b'c') => const { &[(fold(b"content-disposition"), HeaderName::ContentDisposition)] },
        (19, b'p') => const { &[(fold(b"proxy-authorization"), HeaderName::ProxyAuthorization)] },
        _ => return None,
    };
    candidates
        .iter()
        .find(|(known, _)| known[0] == folded[0] && known[1] == folded[1] && known[2] == folded[2])
        .map(|(_, name)| name.clone())
}

/// The longest known header name (`Content-Disposition`, `Proxy-Authorization`).
const MAX_KNOWN_NAME: usize = 19;

/// A name of at most [`MAX_KNOWN_NAME`] bytes, lowercased and packed into words, so that comparing two
/// names is comparing three integers.
type FoldedName = [u64; 3];

const fn fold(name: &[u8]) -> FoldedName {
    let mut words = [0u64; 3];
    let mut w = 0;
    while w < words.len() {
        // Each word is built in a register, not byte by byte in memory.
        let mut word = 0u64;
        let mut i = 0;
        while i < 8 && w * 8 + i < name.len() {
            word |= (name[w * 8 + i].to_ascii_lowercase() as u64) << (8 * i);
            i += 1;
        }
        words[w] = word;
        w += 1;
    }
    words
}

/// One header line (after unfolding), value trimmed of surrounding whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: HeaderName,
    pub value: HeaderValue,
}

/// A header value: UTF-8 text that reads as a `&str`.
///
/// The values of a parsed message share the one buffer the message was read into, so reading a message
/// costs one allocation rather than one per header line; values built by code (`From<String>`,
/// `From<&str>`) hold their own bytes. Cloning never copies the text.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeaderValue(
    /// Valid UTF-8: every constructor takes a `&str` or a `String`, and the bytes never change.
    Bytes,
);

impl HeaderValue {
    /// The part `text` of `buf`, sharing its storage. Panics if `text` does not lie inside `buf`.
    #[inline]
    pub(crate) fn shared(buf: &Bytes, text: &str) -> HeaderValue {
        HeaderValue(buf.slice_ref(text.as_bytes()))
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: the bytes are those of a `&str` or `String` (see the constructors) and are never
        // changed, so they are valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}

impl std::ops::Deref for HeaderValue {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for HeaderValue {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for HeaderValue {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for HeaderValue {
    fn from(s: String) -> HeaderValue {
        HeaderValue(Bytes::from(s))
    }
}

impl From<&str> for HeaderValue {
    fn from(s: &str) -> HeaderValue {
        HeaderValue(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<&String> for HeaderValue {
    fn from(s: &String) -> HeaderValue {
        HeaderValue::from(s.as_str())
    }
}

impl From<HeaderValue> for String {
    fn from(v: HeaderValue) -> String {
        v.as_str().to_string()
    }
}

impl PartialEq<str> for HeaderValue {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for HeaderValue {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for HeaderValue {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<HeaderValue> for str {
    fn eq(&self, other: &HeaderValue) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<HeaderValue> for &str {
    fn eq(&self, other: &HeaderValue) -> bool {
        *self == other.as_str()
    }
}

impl fmt::Display for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A typed view of a header value.
pub trait TypedHeader: Sized {
    /// The header this type reads and writes.
    const NAME: HeaderName;
    /// Parses one value (one element of a list header).
    fn parse(value: &str) -> Result<Self, HeaderError>;
    /// Writes the value in canonical form.
    fn render(&self) -> String;
}

/// The headers of a message, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<Header>);

impl Headers {
    pub fn new() -> Headers {
        Headers(Vec::new())
    }

    /// Room for `n` lines without reallocating.
    pub fn with_capacity(n: usize) -> Headers {
        Headers(Vec::with_capacity(n))
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends a header line.
    pub fn push(&mut self, name: HeaderName, value: impl Into<HeaderValue>) {
        self.0.push(Header {
            name,
            value: value.into(),
        });
    }

    /// Inserts a header line before all others (a proxy adding its Via, RFC 3261 §16.6 step 8).
    pub fn push_front(&mut self, name: HeaderName, value: impl Into<HeaderValue>) {
        self.0.insert(
            0,
            Header {
                name,
                value: value.into(),
            },
        );
    }

    /// Replaces every line of `name` by one line with `value`, at the place of the first one.
    pub fn set(&mut self, name: HeaderName, value: impl Into<HeaderValue>) {
        let value = value.into();
        match self.0.iter().position(|h| h.name == name) {
            Some(pos) => {
                self.0[pos].value = value;
                let mut i = 0;
                self.0.retain(|h| {
                    let keep = h.name != name || i == pos;
                    i += 1;
                    keep
                });
            }
            None => self.push(name, value),
        }
    }

    /// Removes every line of `name`; returns how many there were.
    pub fn remove(&mut self, name: &HeaderName) -> usize {
        let before = self.0.len();
        self.0.retain(|h| &h.name != name);
        before - self.0.len()
    }

    /// The value of the first line of `name`.
    pub fn get(&self, name: &HeaderName) -> Option<&str> {
        self.0
            .iter()
            .find(|h| &h.name == name)
            .map(|h| h.value.as_str())
    }

    /// Every line of `name`, in order, as received.
    pub fn get_all<'a>(&'a self, name: &'a HeaderName) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |h| &h.name == name)
            .map(|h| h.value.as_str())
    }

    /// Every element of `name`, in order: lines of list headers are split at top-level commas.
    pub fn values<'a>(&'a self, name: &'a HeaderName) -> impl Iterator<Item = &'a str> + 'a {
        let list = name.is_list();
        self.get_all(name).flat_map(move |v| {
            let parts: Vec<&str> = if list { split_list(v) } else { vec![v.trim()] };
            parts.into_iter()
        })
    }

    /// The first element of `H`, parsed; `None` when absent.
    pub fn typed<H: TypedHeader>(&self) -> Option<Result<H, HeaderError>> {
        self.values(&H::NAME).next().map(H::parse)
    }

    /// The first element of `H`, parsed; an error names the header when it is absent.
    pub fn require<H: TypedHeader>(&self) -> Result<H, HeaderError> {
        self.typed::<H>()
            .unwrap_or_else(|| Err(HeaderError::missing(H::NAME)))
    }

    /// Every element of `H`, parsed, in order.
    pub fn typed_all<H: TypedHeader>(&self) -> Result<Vec<H>, HeaderError> {
        self.values(&H::NAME).map(H::parse).collect()
    }

    /// Removes the first element of `name`: the first comma-separated value of its first line, or the
    /// line itself when it holds one value (a proxy taking its own Via or Route off, RFC 3261 §16.7,
    /// §16.4).
    pub fn remove_first_value(&mut self, name: &HeaderName) {
        let Some(index) = self.0.iter().position(|h| &h.name == name) else {
            return;
        };
        let rest = split_list(&self.0[index].value)
            .get(1..)
            .map(|r| r.join(", "))
            .unwrap_or_default();
        if rest.is_empty() {
            self.0.remove(index);
        } else {
            self.0[index].value = rest.into();
        }
    }

    /// Replaces the first element of `name`: the first comma-separated value of its first line for list
    /// headers, the whole first line otherwise. Does nothing when the header is absent.
    pub fn replace_first_value(&mut self, name: &HeaderName, value: String) {
        let Some(line) = self.0.iter_mut().find(|h| &h.name == name) else {
            return;
        };
        if name.is_list() {
            let mut parts = split_list(&line.value);
            if parts.len() > 1 {
                parts[0] = &value;
                line.value = parts.join(", ").into();
                return;
            }
        }
        line.value = value.into();
    }

    /// Appends a typed value as a line of its own.
    pub fn push_typed<H: TypedHeader>(&mut self, value: &H) {
        self.push(H::NAME, value.render());
    }

    /// Replaces every line of the header by one typed value.
    pub fn set_typed<H: TypedHeader>(&mut self, value: &H) {
        self.set(H::NAME, value.render());
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Splits a list header value at commas outside quoted strings and angle brackets.
pub fn split_list(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in crate::uri::top_level(value, b',', true)
        .into_iter()
        .chain([value.len()])
    {
        let part = value[start..i].trim();
        if !part.is_empty() {
            out.push(part);
        }
        start = i + 1;
    }
    out
}

/// A request (RFC 3261 §7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub uri: Uri,
    pub headers: Headers,
    pub body: Bytes,
}

/// A response (RFC 3261 §7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: StatusCode,
    pub reason: String,
    pub headers: Headers,
    pub body: Bytes,
}

/// Either kind of message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Request(Request),
    Response(Response),
}

impl Request {
    pub fn new(method: Method, uri: Uri) -> Request {
        Request {
            method,
            uri,
            headers: Headers::new(),
            body: Bytes::new(),
        }
    }
}

impl Response {
    /// A response with the default reason phrase and no headers.
    pub fn new(status: StatusCode) -> Response {
        Response {
            status,
            reason: status.default_reason().to_string(),
            headers: Headers::new(),
            body: Bytes::new(),
        }
    }

    /// A response to `request` built by RFC 3261 §8.2.6.2: Via, From, To, Call-ID and CSeq copied, To tag
    /// added when given and absent. Record-Route is copied for dialog-creating responses by the caller.
    pub fn to_request(request: &Request, status: StatusCode, to_tag: Option<&str>) -> Response {
        Response::echoing(&request.headers, status, to_tag)
    }

    /// [`Response::to_request`] from the headers alone: what a server has of a request it could not
    /// fully parse (see [`crate::parse::ParseError::response`]).
    pub fn echoing(headers: &Headers, status: StatusCode, to_tag: Option<&str>) -> Response {
        let mut response = Response::new(status);
        for header in headers {
            match header.name {
                HeaderName::Via
                | HeaderName::From
                | HeaderName::CallId
                | HeaderName::CSeq
                | HeaderName::Timestamp => response
                    .headers
                    .push(header.name.clone(), header.value.clone()),
                HeaderName::To => {
                    let value: HeaderValue = match to_tag {
                        Some(tag) if !has_tag_param(&header.value) => {
                            format!("{};tag={tag}", header.value).into()
                        }
                        _ => header.value.clone(),
                    };
                    response.headers.push(HeaderName::To, value)
                }
                _ => {}
            }
        }
        response
    }
}

/// Whether a From/To value carries a `tag` parameter (outside its URI).
fn has_tag_param(value: &str) -> bool {
    let tail = match value.rfind('>') {
        Some(i) => &value[i + 1..],
        None => value,
    };
    tail.split(';').skip(1).any(|p| {
        p.trim()
            .split('=')
            .next()
            .is_some_and(|n| n.trim().eq_ignore_ascii_case("tag"))
    })
}

impl Message {
    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => &r.headers,
            Message::Response(r) => &r.headers,
        }
    }

    pub fn headers_mut(&mut self) -> &mut Headers {
        match self {
            Message::Request(r) => &mut r.headers,
            Message::Response(r) => &mut r.headers,
        }
    }

    pub fn body(&self) -> &Bytes {
        match self {
            Message::Request(r) => &r.body,
            Message::Response(r) => &r.body,
        }
    }

    pub fn is_request(&self) -> bool {
        matches!(self, Message::Request(_))
    }
}

impl From<Request> for Message {
    fn from(r: Request) -> Message {
        Message::Request(r)
    }
}

impl From<Response> for Message {
    fn from(r: Response) -> Message {
        Message::Response(r)
    }
}

/// The protocol version this crate speaks (RFC 3261 §7.1).
pub const SIP_VERSION: &str = "SIP/2.0";

/// Serialization (RFC 3261 §7): the start line, every header as `Name: value` in order under its long
/// name, then `Content-Length` with the true body length, the empty line and the body. Any
/// `Content-Length` line pushed into [`Headers`] by hand is skipped, so the length is never wrong.
/// Header values must not contain CR or LF; the parser never produces such values.
impl Request {
    /// Appends the wire form to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(estimate(&self.headers, &self.body));
        out.extend_from_slice(self.method.as_str().as_bytes());
        out.push(b' ');
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{}", self.uri);
        out.push(b' ');
        out.extend_from_slice(SIP_VERSION.as_bytes());
        out.extend_from_slice(b"\r\n");
        write_headers_and_body(&self.headers, &self.body, out);
    }

    /// The wire form.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = Vec::new();
        self.write_to(&mut out);
        Bytes::from(out)
    }
}

impl Response {
    /// Appends the wire form to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(estimate(&self.headers, &self.body));
        out.extend_from_slice(SIP_VERSION.as_bytes());
        // Writing into a Vec cannot fail.
        let _ = write!(out, " {} ", self.status);
        out.extend_from_slice(self.reason.as_bytes());
        out.extend_from_slice(b"\r\n");
        write_headers_and_body(&self.headers, &self.body, out);
    }

    /// The wire form.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = Vec::new();
        self.write_to(&mut out);
        Bytes::from(out)
    }
}

impl Message {
    /// Appends the wire form to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Message::Request(r) => r.write_to(out),
            Message::Response(r) => r.write_to(out),
        }
    }

    /// The wire form.
    pub fn to_bytes(&self) -> Bytes {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }
}

/// A close upper bound of the serialized size, so `write_to` allocates once.
fn estimate(headers: &Headers, body: &Bytes) -> usize {
    let heads: usize = headers
        .iter()
        .map(|h| h.name.as_str().len() + h.value.len() + 4)
        .sum();
    128 + heads + body.len()
}

fn write_headers_and_body(headers: &Headers, body: &Bytes, out: &mut Vec<u8>) {
    for header in headers {
        if header.name == HeaderName::ContentLength {
            continue;
        }
        out.extend_from_slice(header.name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(header.value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    // Writing into a Vec cannot fail.
    let _ = write!(out, "Content-Length: {}\r\n\r\n", body.len());
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_long_names_are_one_header() {
        assert_eq!(HeaderName::parse("v"), HeaderName::Via);
        assert_eq!(HeaderName::parse("VIA"), HeaderName::Via);
        assert_eq!(HeaderName::parse("i").as_str(), "Call-ID");
        assert_eq!(HeaderName::parse("x").as_str(), "Session-Expires");
        assert_eq!(HeaderName::parse("X-Foo"), HeaderName::parse("x-foo"));
        assert_eq!(HeaderName::parse("X-Foo").as_str(), "X-Foo");
        assert_ne!(HeaderName::parse("X-Foo"), HeaderName::Via);
    }

    #[test]
    fn every_known_name_is_found_in_any_case() {
        let known = [
            HeaderName::Accept,
            HeaderName::AcceptEncoding,
            HeaderName::AcceptLanguage,
            HeaderName::AlertInfo,
            HeaderName::Allow,
            HeaderName::AllowEvents,
            HeaderName::Authorization,
            HeaderName::CallId,
            HeaderName::CallInfo,
            HeaderName::Contact,
            HeaderName::ContentDisposition,
            HeaderName::ContentEncoding,
            HeaderName::ContentLanguage,
            HeaderName::ContentLength,
            HeaderName::ContentType,
            HeaderName::CSeq,
            HeaderName::Date,
            HeaderName::ErrorInfo,
            HeaderName::Event,
            HeaderName::Expires,
            HeaderName::From,
            HeaderName::MaxForwards,
            HeaderName::MinExpires,
            HeaderName::MinSe,
            HeaderName::Organization,
            HeaderName::Priority,
            HeaderName::ProxyAuthenticate,
            HeaderName::ProxyAuthorization,
            HeaderName::ProxyRequire,
            HeaderName::Reason,
            HeaderName::RecordRoute,
            HeaderName::ReferTo,
            HeaderName::ReferredBy,
            HeaderName::Replaces,
            HeaderName::ReplyTo,
            HeaderName::Require,
            HeaderName::RetryAfter,
            HeaderName::Route,
            HeaderName::Server,
            HeaderName::SessionExpires,
            HeaderName::Subject,
            HeaderName::SubscriptionState,
            HeaderName::Supported,
            HeaderName::Timestamp,
            HeaderName::To,
            HeaderName::Unsupported,
            HeaderName::UserAgent,
            HeaderName::Via,
            HeaderName::Warning,
            HeaderName::WwwAuthenticate,
        ];
        for name in known {
            let long = name.as_str();
            assert_eq!(HeaderName::parse(long), name, "{long}");
            assert_eq!(
                HeaderName::parse(&long.to_ascii_lowercase()),
                name,
                "{long}"
            );
            assert_eq!(
                HeaderName::parse(&long.to_ascii_uppercase()),
                name,
                "{long}"
            );
            if let Some(compact) = name.compact() {
                assert_eq!(HeaderName::parse(compact), name, "{compact}");
                assert_eq!(HeaderName::parse(&compact.to_ascii_uppercase()), name);
            }
        }
        assert!(matches!(HeaderName::parse("Via-X"), HeaderName::Other(_)));
        assert!(matches!(
            HeaderName::parse("Contacts"),
            HeaderName::Other(_)
        ));
        assert!(matches!(
            HeaderName::parse("Reply-Tx"),
            HeaderName::Other(_)
        ));
        assert!(matches!(HeaderName::parse("q"), HeaderName::Other(_)));
        assert!(matches!(HeaderName::parse(""), HeaderName::Other(_)));
    }

    #[test]
    fn list_values_split_outside_quotes_and_brackets() {
        let mut h = Headers::new();
        h.push(
            HeaderName::Contact,
            r#""Doe, John" <sip:a@b;x=1,2>;q=0.5, <sip:c@d>"#,
        );
        h.push(HeaderName::Contact, "sip:e@f");
        let v: Vec<_> = h.values(&HeaderName::Contact).collect();
        assert_eq!(
            v,
            vec![
                r#""Doe, John" <sip:a@b;x=1,2>;q=0.5"#,
                "<sip:c@d>",
                "sip:e@f"
            ]
        );
    }

    #[test]
    fn auth_values_are_not_split() {
        let mut h = Headers::new();
        h.push(
            HeaderName::WwwAuthenticate,
            r#"Digest realm="a", nonce="b""#,
        );
        assert_eq!(h.values(&HeaderName::WwwAuthenticate).count(), 1);
    }

    #[test]
    fn remove_first_value_takes_one_element_off() {
        let mut h = Headers::new();
        h.push(
            HeaderName::Via,
            "SIP/2.0/TCP proxy;branch=z9hG4bKp, SIP/2.0/TCP ua;branch=z9hG4bKu",
        );
        h.push(HeaderName::Route, "<sip:proxy;lr>");
        h.remove_first_value(&HeaderName::Via);
        assert_eq!(
            h.get(&HeaderName::Via),
            Some("SIP/2.0/TCP ua;branch=z9hG4bKu")
        );
        h.remove_first_value(&HeaderName::Route);
        assert_eq!(h.get(&HeaderName::Route), None);
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn set_replaces_all_lines_in_place() {
        let mut h = Headers::new();
        h.push(HeaderName::Via, "a");
        h.push(HeaderName::Expires, "1");
        h.push(HeaderName::Via, "b");
        h.set(HeaderName::Via, "c");
        let names: Vec<_> = h
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
            .collect();
        assert_eq!(names, vec![("Via", "c"), ("Expires", "1")]);
    }

    #[test]
    fn response_to_request_copies_dialog_headers_and_adds_tag() {
        let mut req = Request::new(Method::Invite, "sip:bob@b".parse().unwrap());
        req.headers
            .push(HeaderName::Via, "SIP/2.0/UDP a;branch=z9hG4bK1");
        req.headers.push(HeaderName::From, "<sip:alice@a>;tag=1");
        req.headers.push(HeaderName::To, "<sip:bob@b>");
        req.headers.push(HeaderName::CallId, "c1");
        req.headers.push(HeaderName::CSeq, "1 INVITE");
        req.headers.push(HeaderName::MaxForwards, "70");
        let resp = Response::to_request(&req, StatusCode::RINGING, Some("t9"));
        assert_eq!(
            resp.headers.get(&HeaderName::To),
            Some("<sip:bob@b>;tag=t9")
        );
        assert_eq!(resp.headers.get(&HeaderName::MaxForwards), None);
        assert_eq!(resp.headers.len(), 5);
        assert_eq!(resp.reason, "Ringing");
    }
}
