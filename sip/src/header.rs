//! Typed views of the headers this product reads and writes (RFC 3261 §20, RFC 3515, RFC 3891, RFC 3892,
//! RFC 4028, RFC 6665). Each type parses one header value and renders it canonically; parse(render(x))
//! is x. Values are read on demand from [`crate::message::Headers`].

use std::fmt;

use thiserror::Error;

use crate::message::{HeaderName, Method, TypedHeader};
use crate::uri::{
    Host, Params, Uri, is_quoted_string, is_token_byte, quote, split_host_port, unquote,
};

/// A header value that could not be read. Its text is fit for a 400 reason phrase.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{header} header {reason}")]
pub struct HeaderError {
    pub header: String,
    pub reason: String,
}

impl HeaderError {
    pub fn new(header: HeaderName, reason: impl Into<String>) -> HeaderError {
        HeaderError {
            header: header.as_str().to_string(),
            reason: reason.into(),
        }
    }

    pub fn missing(header: HeaderName) -> HeaderError {
        HeaderError::new(header, "is missing")
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

/// Splits `value` at the first `;` outside quotes and angle brackets: (main part, parameters).
fn split_params(value: &str) -> (&str, &str) {
    match crate::uri::top_level(value, b';', true).first() {
        Some(&i) => (value[..i].trim(), &value[i + 1..]),
        None => (value.trim(), ""),
    }
}

fn params(header: HeaderName, s: &str) -> Result<Params, HeaderError> {
    Params::parse(s)
        .map_err(|r| HeaderError::new(header, format!("has a malformed parameter list ({r})")))
}

/// `name-addr` or `addr-spec` with header parameters (RFC 3261 §20.10, §25.1): From, To, Contact, Route,
/// Record-Route, Refer-To, Referred-By, Reply-To. Always rendered as name-addr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name, unquoted.
    pub display: Option<String>,
    pub uri: Uri,
    pub params: Params,
}

impl NameAddr {
    pub fn new(uri: Uri) -> NameAddr {
        NameAddr {
            display: None,
            uri,
            params: Params::new(),
        }
    }

    pub fn with_tag(mut self, tag: &str) -> NameAddr {
        self.params.set("tag", Some(tag));
        self
    }

    pub fn tag(&self) -> Option<String> {
        self.params.value("tag")
    }

    pub fn parse_as(header: HeaderName, value: &str) -> Result<NameAddr, HeaderError> {
        let v = value.trim();
        let bad = |r: &str| HeaderError::new(header.clone(), r);
        let (display, rest) = if v.starts_with('"') {
            let end = closing_quote(v).ok_or_else(|| bad("has an unterminated display name"))?;
            let rest = v[end + 1..].trim_start();
            if !rest.starts_with('<') {
                return Err(bad("has a quoted display name without <URI>"));
            }
            (Some(unquote(&v[..=end])), rest)
        } else if let Some(lt) = v.find('<') {
            let name = v[..lt].trim();
            if !name
                .split_whitespace()
                .all(|w| w.bytes().all(is_token_byte))
            {
                return Err(bad("has a display name that is neither token nor quoted"));
            }
            ((!name.is_empty()).then(|| name.to_string()), &v[lt..])
        } else {
            (None, v)
        };
        if let Some(inner) = rest.strip_prefix('<') {
            let gt = inner.find('>').ok_or_else(|| bad("has '<' without '>'"))?;
            let uri = inner[..gt]
                .parse::<Uri>()
                .map_err(|e| bad(&format!("has a bad URI: {}", e.reason)))?;
            let tail = inner[gt + 1..].trim_start();
            if !tail.is_empty() && !tail.starts_with(';') {
                return Err(bad("has text after '>' that is not a parameter"));
            }
            let params = params(header.clone(), tail.strip_prefix(';').unwrap_or(""))?;
            Ok(NameAddr {
                display,
                uri,
                params,
            })
        } else {
            let (uri, p) = split_params(rest);
            if uri.contains(',') || uri.contains('?') {
                return Err(bad("has a URI with ',' or '?' outside <>"));
            }
            let uri = uri
                .parse::<Uri>()
                .map_err(|e| bad(&format!("has a bad URI: {}", e.reason)))?;
            Ok(NameAddr {
                display: None,
                uri,
                params: params(header, p)?,
            })
        }
    }
}

fn closing_quote(v: &str) -> Option<usize> {
    let b = v.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

impl fmt::Display for NameAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.display {
            write!(f, "{} ", quote(d))?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

macro_rules! name_addr_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $ty(pub NameAddr);

        impl TypedHeader for $ty {
            const NAME: HeaderName = HeaderName::$name;
            fn parse(value: &str) -> Result<Self, HeaderError> {
                NameAddr::parse_as(HeaderName::$name, value).map($ty)
            }
            fn render(&self) -> String {
                self.0.to_string()
            }
        }

        impl std::ops::Deref for $ty {
            type Target = NameAddr;
            fn deref(&self) -> &NameAddr {
                &self.0
            }
        }
    };
}

name_addr_header!(
    /// From (RFC 3261 §20.20).
    From, From
);
name_addr_header!(
    /// To (RFC 3261 §20.39).
    To, To
);
name_addr_header!(
    /// Route (RFC 3261 §20.34).
    Route, Route
);
name_addr_header!(
    /// Record-Route (RFC 3261 §20.30).
    RecordRoute, RecordRoute
);
name_addr_header!(
    /// Refer-To (RFC 3515 §2.1); the target URI may carry `?Replaces=` (RFC 3891 §4.1).
    ReferTo, ReferTo
);
name_addr_header!(
    /// Referred-By (RFC 3892).
    ReferredBy, ReferredBy
);

/// Contact (RFC 3261 §20.10): an address, or `*` in a REGISTER that removes every binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    Star,
    Address(NameAddr),
}

impl Contact {
    /// The `expires` parameter (RFC 3261 §10.2.1.1).
    pub fn expires(&self) -> Option<u32> {
        match self {
            Contact::Address(a) => a.params.value("expires").and_then(|v| v.parse().ok()),
            Contact::Star => None,
        }
    }

    pub fn address(&self) -> Option<&NameAddr> {
        match self {
            Contact::Address(a) => Some(a),
            Contact::Star => None,
        }
    }
}

impl TypedHeader for Contact {
    const NAME: HeaderName = HeaderName::Contact;
    fn parse(value: &str) -> Result<Contact, HeaderError> {
        if value.trim() == "*" {
            return Ok(Contact::Star);
        }
        NameAddr::parse_as(HeaderName::Contact, value).map(Contact::Address)
    }
    fn render(&self) -> String {
        match self {
            Contact::Star => "*".to_string(),
            Contact::Address(a) => a.to_string(),
        }
    }
}

/// Via (RFC 3261 §20.42, §18.2.1; `rport` of RFC 3581).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// UDP, TCP, TLS, SCTP, WS, WSS... upper case.
    pub transport: String,
    pub host: Host,
    pub port: Option<u16>,
    pub params: Params,
}

/// RFC 3261 §8.1.1.7: branches of compliant elements start with this.
pub const BRANCH_MAGIC_COOKIE: &str = "z9hG4bK";

impl Via {
    pub fn new(transport: &str, host: Host, port: Option<u16>, branch: &str) -> Via {
        let mut params = Params::new();
        params.set("branch", Some(branch));
        Via {
            transport: transport.to_ascii_uppercase(),
            host,
            port,
            params,
        }
    }

    pub fn branch(&self) -> Option<String> {
        self.params.value("branch")
    }

    /// Whether the branch carries the RFC 3261 magic cookie (else RFC 2543 matching applies).
    pub fn is_rfc3261_branch(&self) -> bool {
        self.branch()
            .is_some_and(|b| b.starts_with(BRANCH_MAGIC_COOKIE))
    }

    pub fn received(&self) -> Option<String> {
        self.params.value("received")
    }

    /// `Some(None)` for a bare `rport` (a request that asks for it), `Some(Some(p))` once filled in.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params
            .get("rport")
            .map(|v| v.and_then(|p| p.parse().ok()))
    }

    /// The sent-by address as written: `host[:port]`.
    pub fn sent_by(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.to_string(),
        }
    }

    /// RFC 3261 §18.2.1 and RFC 3581 §4: a server notes where the request really came from.
    pub fn stamp_source(&mut self, source: std::net::SocketAddr) {
        let src_host = Host::Ip(source.ip());
        if !self.host.equivalent(&src_host) || self.rport().is_some() {
            self.params.set("received", Some(&source.ip().to_string()));
        }
        if self.rport().is_some() {
            self.params.set("rport", Some(&source.port().to_string()));
        }
    }

    pub fn is_reliable(&self) -> bool {
        !self.transport.eq_ignore_ascii_case("UDP")
    }
}

impl TypedHeader for Via {
    const NAME: HeaderName = HeaderName::Via;
    fn parse(value: &str) -> Result<Via, HeaderError> {
        let bad = |r: &str| HeaderError::new(HeaderName::Via, r);
        let (main, p) = split_params(value);
        let mut parts = main.splitn(3, '/');
        let name = parts.next().unwrap_or("").trim();
        let version = parts.next().unwrap_or("").trim();
        let rest = parts
            .next()
            .ok_or_else(|| bad("lacks SIP/2.0/transport"))?
            .trim_start();
        if !name.eq_ignore_ascii_case("SIP") || version != "2.0" {
            return Err(bad("has a protocol other than SIP/2.0"));
        }
        let split = rest
            .find(|c: char| c.is_ascii_whitespace())
            .ok_or_else(|| bad("lacks a sent-by address"))?;
        let transport = &rest[..split];
        if !is_token(transport) {
            return Err(bad("has a bad transport"));
        }
        let mut sent_by = rest[split..].trim();
        if let Some(c) = sent_by.find('(') {
            sent_by = sent_by[..c].trim_end();
        }
        let (host, port) = split_host_port(sent_by).ok_or_else(|| bad("has a bad sent-by"))?;
        let params = params(HeaderName::Via, p)?;
        if params
            .iter()
            .any(|x| x.name.eq_ignore_ascii_case("branch") && x.value.is_none())
        {
            return Err(bad("has a branch parameter without value"));
        }
        Ok(Via {
            transport: transport.to_ascii_uppercase(),
            host,
            port,
            params,
        })
    }
    fn render(&self) -> String {
        format!(
            "SIP/2.0/{} {}{}",
            self.transport,
            self.sent_by(),
            self.params
        )
    }
}

/// CSeq (RFC 3261 §20.16): a number below 2^31 and the method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CSeq {
    pub seq: u32,
    pub method: Method,
}

impl TypedHeader for CSeq {
    const NAME: HeaderName = HeaderName::CSeq;
    fn parse(value: &str) -> Result<CSeq, HeaderError> {
        let bad = |r: &str| HeaderError::new(HeaderName::CSeq, r);
        let mut it = value.split_whitespace();
        let (Some(n), Some(m), None) = (it.next(), it.next(), it.next()) else {
            return Err(bad("is not 'number method'"));
        };
        if !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("has a non-numeric sequence number"));
        }
        let seq = n
            .parse::<u32>()
            .ok()
            .filter(|s| *s < 1 << 31)
            .ok_or_else(|| bad("has a sequence number of 2^31 or more"))?;
        if !is_token(m) {
            return Err(bad("has a bad method"));
        }
        Ok(CSeq {
            seq,
            method: Method::from_token(m),
        })
    }
    fn render(&self) -> String {
        format!("{} {}", self.seq, self.method)
    }
}

/// Call-ID (RFC 3261 §20.8): `word [@ word]`, compared byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallId(pub String);

impl TypedHeader for CallId {
    const NAME: HeaderName = HeaderName::CallId;
    fn parse(value: &str) -> Result<CallId, HeaderError> {
        let v = value.trim();
        let word = |w: &str| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| is_token_byte(b) || b"()<>:\\\"/[]?{}".contains(&b))
        };
        let ok = match v.split_once('@') {
            Some((a, b)) => word(a) && word(b),
            None => word(v),
        };
        if !ok {
            return Err(HeaderError::new(HeaderName::CallId, "is not word[@word]"));
        }
        Ok(CallId(v.to_string()))
    }
    fn render(&self) -> String {
        self.0.clone()
    }
}

macro_rules! number_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident, $int:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty(pub $int);

        impl TypedHeader for $ty {
            const NAME: HeaderName = HeaderName::$name;
            fn parse(value: &str) -> Result<Self, HeaderError> {
                let v = value.trim();
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(HeaderError::new(HeaderName::$name, "is not a number"));
                }
                // Delta-seconds larger than the type saturate (RFC 3261 §25.1 allows any size).
                Ok($ty(v.parse::<$int>().unwrap_or(<$int>::MAX)))
            }
            fn render(&self) -> String {
                self.0.to_string()
            }
        }
    };
}

number_header!(
    /// Expires (RFC 3261 §20.19), delta-seconds.
    Expires, Expires, u32
);
number_header!(
    /// Min-Expires (RFC 3261 §20.23).
    MinExpires, MinExpires, u32
);
number_header!(
    /// Max-Forwards (RFC 3261 §20.22).
    MaxForwards, MaxForwards, u32
);
number_header!(
    /// Min-SE (RFC 4028 §5).
    MinSe, MinSe, u32
);

/// Who refreshes a session (RFC 4028 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresher {
    Uac,
    Uas,
}

/// Session-Expires (RFC 4028 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionExpires {
    pub delta: u32,
    pub refresher: Option<Refresher>,
    pub params: Params,
}

impl TypedHeader for SessionExpires {
    const NAME: HeaderName = HeaderName::SessionExpires;
    fn parse(value: &str) -> Result<SessionExpires, HeaderError> {
        let (main, p) = split_params(value);
        let delta = Expires::parse(main)
            .map_err(|_| HeaderError::new(HeaderName::SessionExpires, "has no delta-seconds"))?
            .0;
        let mut params = params(HeaderName::SessionExpires, p)?;
        let refresher = match params.value("refresher").map(|r| r.to_ascii_lowercase()) {
            None => None,
            Some(r) if r == "uac" => Some(Refresher::Uac),
            Some(r) if r == "uas" => Some(Refresher::Uas),
            Some(_) => {
                return Err(HeaderError::new(
                    HeaderName::SessionExpires,
                    "has a refresher other than uac or uas",
                ));
            }
        };
        params.remove("refresher");
        Ok(SessionExpires {
            delta,
            refresher,
            params,
        })
    }
    fn render(&self) -> String {
        let r = match self.refresher {
            Some(Refresher::Uac) => ";refresher=uac",
            Some(Refresher::Uas) => ";refresher=uas",
            None => "",
        };
        format!("{}{r}{}", self.delta, self.params)
    }
}

/// A media type with parameters: Content-Type (RFC 3261 §20.15) and Accept elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    pub mtype: String,
    pub subtype: String,
    pub params: Params,
}

impl ContentType {
    pub fn new(mtype: &str, subtype: &str) -> ContentType {
        ContentType {
            mtype: mtype.to_string(),
            subtype: subtype.to_string(),
            params: Params::new(),
        }
    }

    /// Case-insensitive match (`application/CSTA+xml` is `application/csta+xml`).
    pub fn is(&self, mtype: &str, subtype: &str) -> bool {
        self.mtype.eq_ignore_ascii_case(mtype) && self.subtype.eq_ignore_ascii_case(subtype)
    }
}

impl TypedHeader for ContentType {
    const NAME: HeaderName = HeaderName::ContentType;
    fn parse(value: &str) -> Result<ContentType, HeaderError> {
        let (main, p) = split_params(value);
        let (t, s) = main
            .split_once('/')
            .map(|(t, s)| (t.trim(), s.trim()))
            .filter(|(t, s)| is_token(t) && is_token(s))
            .ok_or_else(|| HeaderError::new(HeaderName::ContentType, "is not type/subtype"))?;
        Ok(ContentType {
            mtype: t.to_string(),
            subtype: s.to_string(),
            params: params(HeaderName::ContentType, p)?,
        })
    }
    fn render(&self) -> String {
        format!("{}/{}{}", self.mtype, self.subtype, self.params)
    }
}

/// Content-Disposition (RFC 3261 §20.11), e.g. `signal;handling=required` on uaCSTA bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDisposition {
    pub disposition: String,
    pub params: Params,
}

impl TypedHeader for ContentDisposition {
    const NAME: HeaderName = HeaderName::ContentDisposition;
    fn parse(value: &str) -> Result<ContentDisposition, HeaderError> {
        let (main, p) = split_params(value);
        if !is_token(main) {
            return Err(HeaderError::new(
                HeaderName::ContentDisposition,
                "is not a token",
            ));
        }
        Ok(ContentDisposition {
            disposition: main.to_string(),
            params: params(HeaderName::ContentDisposition, p)?,
        })
    }
    fn render(&self) -> String {
        format!("{}{}", self.disposition, self.params)
    }
}

macro_rules! token_list_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $ty(pub String);

        impl TypedHeader for $ty {
            const NAME: HeaderName = HeaderName::$name;
            fn parse(value: &str) -> Result<Self, HeaderError> {
                let v = value.trim();
                if !is_token(v) {
                    return Err(HeaderError::new(HeaderName::$name, "has an element that is not a token"));
                }
                Ok($ty(v.to_string()))
            }
            fn render(&self) -> String {
                self.0.clone()
            }
        }
    };
}

token_list_header!(
    /// One option tag of Supported (RFC 3261 §20.37).
    Supported, Supported
);
token_list_header!(
    /// One option tag of Require (RFC 3261 §20.32).
    Require, Require
);
token_list_header!(
    /// One option tag of Proxy-Require (RFC 3261 §20.29).
    ProxyRequire, ProxyRequire
);
token_list_header!(
    /// One option tag of Unsupported (RFC 3261 §20.40).
    Unsupported, Unsupported
);

/// One method of Allow (RFC 3261 §20.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow(pub Method);

impl TypedHeader for Allow {
    const NAME: HeaderName = HeaderName::Allow;
    fn parse(value: &str) -> Result<Allow, HeaderError> {
        let v = value.trim();
        if !is_token(v) {
            return Err(HeaderError::new(
                HeaderName::Allow,
                "has an element that is not a method",
            ));
        }
        Ok(Allow(Method::from_token(v)))
    }
    fn render(&self) -> String {
        self.0.to_string()
    }
}

macro_rules! text_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $ty(pub String);

        impl TypedHeader for $ty {
            const NAME: HeaderName = HeaderName::$name;
            fn parse(value: &str) -> Result<Self, HeaderError> {
                Ok($ty(value.trim().to_string()))
            }
            fn render(&self) -> String {
                self.0.clone()
            }
        }
    };
}

text_header!(
    /// User-Agent (RFC 3261 §20.41): product tokens and comments, kept as text.
    UserAgent, UserAgent
);
text_header!(
    /// Server (RFC 3261 §20.35).
    Server, Server
);

/// Date (RFC 3261 §20.17): an RFC 1123 date that must be in GMT (`Sat, 13 Nov 2010 23:29:00 GMT`),
/// kept as written. Another time zone is malformed (RFC 4475 §3.1.2.12), though an element may choose
/// to ignore the header rather than reject the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date(pub String);

impl TypedHeader for Date {
    const NAME: HeaderName = HeaderName::Date;
    fn parse(value: &str) -> Result<Date, HeaderError> {
        const WKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let v = value.trim();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let fields: Vec<&str> = v.split(' ').collect();
        let ok = match fields.as_slice() {
            [wkday, day, month, year, time, zone] => {
                wkday.strip_suffix(',').is_some_and(|w| WKDAYS.contains(&w))
                    && digits(day, 2)
                    && MONTHS.contains(month)
                    && digits(year, 4)
                    && time.len() == 8
                    && time
                        .split(':')
                        .map(|p| digits(p, 2))
                        .filter(|ok| *ok)
                        .count()
                        == 3
                    && *zone == "GMT"
            }
            _ => false,
        };
        if !ok {
            return Err(HeaderError::new(
                HeaderName::Date,
                "is not an RFC 1123 date in GMT",
            ));
        }
        Ok(Date(v.to_string()))
    }
    fn render(&self) -> String {
        self.0.clone()
    }
}

/// Event (RFC 6665 §8.2.1), e.g. `uaCSTA`, `refer`, `message-summary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub package: String,
    pub params: Params,
}

impl Event {
    pub fn id(&self) -> Option<String> {
        self.params.value("id")
    }
}

impl TypedHeader for Event {
    const NAME: HeaderName = HeaderName::Event;
    fn parse(value: &str) -> Result<Event, HeaderError> {
        let (main, p) = split_params(value);
        if !is_token(main) {
            return Err(HeaderError::new(
                HeaderName::Event,
                "has a bad event package",
            ));
        }
        Ok(Event {
            package: main.to_string(),
            params: params(HeaderName::Event, p)?,
        })
    }
    fn render(&self) -> String {
        format!("{}{}", self.package, self.params)
    }
}

/// Subscription-State (RFC 6665 §8.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionState {
    /// active, pending, terminated (or an extension).
    pub state: String,
    pub params: Params,
}

impl SubscriptionState {
    pub fn expires(&self) -> Option<u32> {
        self.params.value("expires").and_then(|v| v.parse().ok())
    }

    pub fn reason(&self) -> Option<String> {
        self.params.value("reason")
    }
}

impl TypedHeader for SubscriptionState {
    const NAME: HeaderName = HeaderName::SubscriptionState;
    fn parse(value: &str) -> Result<SubscriptionState, HeaderError> {
        let (main, p) = split_params(value);
        if !is_token(main) {
            return Err(HeaderError::new(
                HeaderName::SubscriptionState,
                "has a bad state",
            ));
        }
        Ok(SubscriptionState {
            state: main.to_ascii_lowercase(),
            params: params(HeaderName::SubscriptionState, p)?,
        })
    }
    fn render(&self) -> String {
        format!("{}{}", self.state, self.params)
    }
}

/// Replaces (RFC 3891 §6.1): the dialog an INVITE takes over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaces {
    pub call_id: String,
    pub to_tag: String,
    pub from_tag: String,
    pub early_only: bool,
}

impl TypedHeader for Replaces {
    const NAME: HeaderName = HeaderName::Replaces;
    fn parse(value: &str) -> Result<Replaces, HeaderError> {
        let bad = |r: &str| HeaderError::new(HeaderName::Replaces, r);
        let (call_id, p) = split_params(value);
        if call_id.is_empty() {
            return Err(bad("has no Call-ID"));
        }
        let params = params(HeaderName::Replaces, p)?;
        Ok(Replaces {
            call_id: call_id.to_string(),
            to_tag: params.value("to-tag").ok_or_else(|| bad("lacks to-tag"))?,
            from_tag: params
                .value("from-tag")
                .ok_or_else(|| bad("lacks from-tag"))?,
            early_only: params.contains("early-only"),
        })
    }
    fn render(&self) -> String {
        let early = if self.early_only { ";early-only" } else { "" };
        format!(
            "{};to-tag={};from-tag={}{early}",
            self.call_id, self.to_tag, self.from_tag
        )
    }
}

/// Whether a parameter value needs quoting to be written.
pub fn needs_quotes(v: &str) -> bool {
    !is_token(v) && !is_quoted_string(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_addr_forms() {
        let f =
            From::parse(r#""Alice \"A\"" <sip:alice@atlanta.com;transport=tcp>;tag=1928301774"#)
                .unwrap();
        assert_eq!(f.display.as_deref(), Some(r#"Alice "A""#));
        assert_eq!(f.tag().as_deref(), Some("1928301774"));
        assert_eq!(
            f.uri.as_sip().unwrap().params.get("transport"),
            Some(Some("tcp"))
        );
        let t = To::parse("sip:bob@biloxi.com;tag=a6c85cf").unwrap();
        assert_eq!(t.tag().as_deref(), Some("a6c85cf"));
        assert!(t.uri.as_sip().unwrap().params.0.is_empty());
        let t2 = To::parse("Bob Smith <sip:bob@biloxi.com>").unwrap();
        assert_eq!(t2.display.as_deref(), Some("Bob Smith"));
        assert_eq!(To::parse(&t2.render()).unwrap(), t2);
        assert!(From::parse("\"open <sip:a@b>").is_err());
        assert!(From::parse("<sip:a@b").is_err());
        assert!(From::parse("<sip:a@b> junk").is_err());
    }

    #[test]
    fn contact_star_and_expires() {
        assert_eq!(Contact::parse(" * ").unwrap(), Contact::Star);
        let c = Contact::parse("<sip:000413aabbcc@10.0.0.5:5060;transport=tcp>;expires=300;+sip.instance=\"<urn:uuid:1>\"").unwrap();
        assert_eq!(c.expires(), Some(300));
        assert_eq!(Contact::parse(&c.render()).unwrap(), c);
    }

    #[test]
    fn via_with_whitespace_and_rport() {
        let v =
            Via::parse("SIP / 2.0 / udp  192.0.2.1:5060 ;branch=z9hG4bK776asdhds ; rport").unwrap();
        assert_eq!(v.transport, "UDP");
        assert_eq!(v.port, Some(5060));
        assert_eq!(v.branch().as_deref(), Some("z9hG4bK776asdhds"));
        assert!(v.is_rfc3261_branch());
        assert_eq!(v.rport(), Some(None));
        let mut v2 = v.clone();
        v2.stamp_source("192.0.2.1:40000".parse().unwrap());
        assert_eq!(v2.rport(), Some(Some(40000)));
        assert_eq!(v2.received().as_deref(), Some("192.0.2.1"));
        assert_eq!(Via::parse(&v2.render()).unwrap(), v2);
        let v6 = Via::parse("SIP/2.0/TLS [2001:db8::9]:5061;branch=z9hG4bKx").unwrap();
        assert_eq!(v6.sent_by(), "[2001:db8::9]:5061");
        assert!(Via::parse("SIP/3.0/UDP a").is_err());
        assert!(Via::parse("SIP/2.0/UDP").is_err());
        assert!(Via::parse("SIP/2.0/UDP a;branch").is_err());
    }

    #[test]
    fn cseq_and_numbers() {
        assert_eq!(
            CSeq::parse("  4711   INVITE ").unwrap(),
            CSeq {
                seq: 4711,
                method: Method::Invite
            }
        );
        assert!(CSeq::parse("2147483648 INVITE").is_err());
        assert!(CSeq::parse("-1 INVITE").is_err());
        assert!(CSeq::parse("1").is_err());
        assert_eq!(Expires::parse("3600").unwrap(), Expires(3600));
        assert_eq!(Expires::parse("99999999999999").unwrap(), Expires(u32::MAX));
        assert!(MaxForwards::parse("seventy").is_err());
    }

    #[test]
    fn session_timer_headers() {
        let s = SessionExpires::parse("1800;refresher=UAS").unwrap();
        assert_eq!(s.delta, 1800);
        assert_eq!(s.refresher, Some(Refresher::Uas));
        assert_eq!(s.render(), "1800;refresher=uas");
        assert!(SessionExpires::parse("1800;refresher=me").is_err());
        assert_eq!(MinSe::parse("90").unwrap(), MinSe(90));
    }

    #[test]
    fn content_headers() {
        let c = ContentType::parse("application/CSTA+xml; charset=\"UTF-8\"").unwrap();
        assert!(c.is("application", "csta+xml"));
        assert_eq!(c.params.value("charset").as_deref(), Some("UTF-8"));
        let d = ContentDisposition::parse("signal;handling=required").unwrap();
        assert_eq!(d.params.value("handling").as_deref(), Some("required"));
        assert!(ContentType::parse("text").is_err());
    }

    #[test]
    fn date_must_be_gmt() {
        let d = Date::parse("Sat, 13 Nov 2010 23:29:00 GMT").unwrap();
        assert_eq!(d.render(), "Sat, 13 Nov 2010 23:29:00 GMT");
        assert!(Date::parse("Fri, 01 Jan 2010 16:00:00 EST").is_err());
        assert!(Date::parse("Fri, 01 Jan 2010 16:00 GMT").is_err());
        assert!(Date::parse("Fry, 01 Jan 2010 16:00:00 GMT").is_err());
    }

    #[test]
    fn event_subscription_replaces() {
        let e = Event::parse("refer;id=93809824").unwrap();
        assert_eq!(
            (e.package.as_str(), e.id().as_deref()),
            ("refer", Some("93809824"))
        );
        let s = SubscriptionState::parse("terminated;reason=noresource").unwrap();
        assert_eq!(s.reason().as_deref(), Some("noresource"));
        let r = Replaces::parse("425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only")
            .unwrap();
        assert_eq!(r.to_tag, "7743");
        assert!(r.early_only);
        assert_eq!(Replaces::parse(&r.render()).unwrap(), r);
        assert!(Replaces::parse("x;to-tag=1").is_err());
    }
}

macro_rules! auth_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident, $inner:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $ty(pub $inner);

        impl TypedHeader for $ty {
            const NAME: HeaderName = HeaderName::$name;
            fn parse(value: &str) -> Result<Self, HeaderError> {
                <$inner>::parse(value)
                    .map($ty)
                    .map_err(|e| HeaderError::new(HeaderName::$name, e.to_string()))
            }
            fn render(&self) -> String {
                self.0.to_string()
            }
        }
    };
}

auth_header!(
    /// WWW-Authenticate (RFC 3261 §20.44, RFC 7616 §3.3).
    WwwAuthenticate, WwwAuthenticate, crate::auth::Challenge
);
auth_header!(
    /// Proxy-Authenticate (RFC 3261 §20.27).
    ProxyAuthenticate, ProxyAuthenticate, crate::auth::Challenge
);
auth_header!(
    /// Authorization (RFC 3261 §20.7, RFC 7616 §3.4).
    Authorization, Authorization, crate::auth::Credentials
);
auth_header!(
    /// Proxy-Authorization (RFC 3261 §20.28).
    ProxyAuthorization, ProxyAuthorization, crate::auth::Credentials
);

#[cfg(test)]
mod auth_header_tests {
    use super::*;
    use crate::message::Headers;

    #[test]
    fn digest_headers_are_typed() {
        let mut h = Headers::new();
        h.push(
            HeaderName::WwwAuthenticate,
            r#"Digest realm="uacsta", nonce="abc", algorithm=SHA-256, qop="auth""#,
        );
        let c = h.require::<WwwAuthenticate>().unwrap();
        assert_eq!(c.0.realm, "uacsta");
        assert_eq!(c.0.nonce, "abc");
        h.push(HeaderName::Authorization, "Basic xyz");
        let err = h.require::<Authorization>().unwrap_err();
        assert_eq!(err.header, "Authorization");
    }
}
