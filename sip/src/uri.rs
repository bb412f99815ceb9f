//! URIs: sip and sips (RFC 3261 §19.1, §25.1), tel (RFC 3966), and any other absolute URI kept opaque.
//!
//! Escapes are kept as written, so a URI writes back exactly; [`unescape`] decodes a part when a caller
//! needs its value. Comparison by RFC 3261 §19.1.4 is [`Uri::equivalent`]; `==` is structural.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use thiserror::Error;

/// Why a URI was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid URI {uri:?}: {reason}")]
pub struct UriError {
    pub uri: String,
    pub reason: &'static str,
}

fn err(uri: &str, reason: &'static str) -> UriError {
    UriError {
        uri: uri.to_string(),
        reason,
    }
}

/// A host: a domain name or an IP address (IPv6 written in brackets).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    Domain(String),
    Ip(IpAddr),
}

impl Host {
    /// Parses a host as it appears in a URI or Via (`[v6]`, dotted v4, or a domain name).
    pub fn parse(s: &str) -> Option<Host> {
        if let Some(inner) = s.strip_prefix('[') {
            let inner = inner.strip_suffix(']')?;
            return inner
                .parse::<Ipv6Addr>()
                .ok()
                .map(|a| Host::Ip(IpAddr::V6(a)));
        }
        if let Ok(v4) = s.parse::<Ipv4Addr>() {
            return Some(Host::Ip(IpAddr::V4(v4)));
        }
        let valid = !s.is_empty()
            && s.bytes().all(|b| DOMAIN_BYTES[usize::from(b)])
            && !s.starts_with('.')
            && !s.starts_with('-');
        valid.then(|| Host::Domain(s.to_string()))
    }

    /// Case-insensitive for names, by value for addresses.
    pub fn equivalent(&self, other: &Host) -> bool {
        match (self, other) {
            (Host::Domain(a), Host::Domain(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::Ip(IpAddr::V4(a)) => write!(f, "{a}"),
            Host::Ip(IpAddr::V6(a)) => write!(f, "[{a}]"),
        }
    }
}

impl From<IpAddr> for Host {
    fn from(ip: IpAddr) -> Host {
        Host::Ip(ip)
    }
}

/// A `;name[=value]` parameter. Names compare case-insensitively; the value is kept as written
/// (a quoted string keeps its quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub value: Option<String>,
}

/// An ordered parameter list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<Param>);

impl Params {
    pub fn new() -> Params {
        Params(Vec::new())
    }

    /// The parameter's value: `Some(None)` for a flag, `None` when absent.
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.0
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_deref())
    }

    /// The parameter's value with quotes removed, when it has one.
    pub fn value(&self, name: &str) -> Option<String> {
        self.get(name).flatten().map(unquote)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets (replacing) or adds a parameter.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        let value = value.map(str::to_string);
        match self
            .0
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        {
            Some(p) => p.value = value,
            None => self.0.push(Param {
                name: name.to_string(),
                value,
            }),
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|p| !p.name.eq_ignore_ascii_case(name));
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Param> {
        self.0.iter()
    }

    /// Parses `;a=1;b;c="x;y"` (the leading `;` optional); stops at the end of `s`.
    /// An empty element between separators (`a;;b`, a trailing `;`) is an error (RFC 4475 §3.1.2.1).
    pub fn parse(s: &str) -> Result<Params, &'static str> {
        let mut params = Params::new();
        if s.is_empty() {
            return Ok(params);
        }
        let parts = split_unquoted(s, b';');
        let only = parts.len() == 1;
        for (i, part) in parts.into_iter().enumerate() {
            let part = part.trim();
            if part.is_empty() {
                if i == 0 || only {
                    continue;
                }
                return Err("empty parameter");
            }
            let (name, value) = match part.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (part, None),
            };
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err("bad parameter name");
            }
            if let Some(v) = value {
                if v.starts_with('"') {
                    if !is_quoted_string(v) {
                        return Err("unterminated quoted parameter value");
                    }
                } else if v.is_empty()
                    || !v.bytes().all(|b| is_token_byte(b) || b"[]:".contains(&b))
                {
                    return Err("bad parameter value");
                }
            }
            params.0.push(Param {
                name: name.to_string(),
                value: value.map(str::to_string),
            });
        }
        Ok(params)
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            match &p.value {
                Some(v) => write!(f, ";{}={}", p.name, v)?,
                None => write!(f, ";{}", p.name)?,
            }
        }
        Ok(())
    }
}

/// A table of the bytes of a character class: ASCII letters and digits, and `extra`.
const fn alphanumeric_and(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

static TOKEN_BYTES: [bool; 256] = alphanumeric_and(b"-.!%*_+`'~");
static USER_BYTES: [bool; 256] = alphanumeric_and(b"-_.!~*'()&=+$,;?/");
static DOMAIN_BYTES: [bool; 256] = alphanumeric_and(b"-._");

/// Bytes a URI never holds: whitespace and other controls, DEL, and the delimiters `<`, `>` and `"`
/// that surround or follow it in a header.
static NOT_IN_URI: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b <= 0x20
            || b == 0x7f
            || b == b'<' as usize
            || b == b'>' as usize
            || b == b'"' as usize;
        b += 1;
    }
    table
};

/// RFC 3261 §25.1 `token` characters.
pub fn is_token_byte(b: u8) -> bool {
    TOKEN_BYTES[usize::from(b)]
}

/// Whether `s` is one complete quoted-string (RFC 3261 §25.1), escapes included.
pub fn is_quoted_string(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b'"' {
        return false;
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i == b.len() - 1,
            _ => i += 1,
        }
    }
    false
}

/// Removes the quotes and backslash escapes of a quoted-string; anything else is returned as is.
pub fn unquote(s: &str) -> String {
    if !is_quoted_string(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s[1..s.len() - 1].chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes `s` as a quoted-string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Where `sep` stands outside quoted strings (RFC 3261 §25.1 quoting, backslash escapes) and, when
/// `angles` is set, outside `<...>`: the one scanner every list and parameter split uses.
pub(crate) fn top_level(s: &str, sep: u8, angles: bool) -> Vec<usize> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut escaped) = (false, false, false);
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if quoted {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => quoted = true,
            b'<' if angles => angle = true,
            b'>' if angles => angle = false,
            _ if b == sep && !angle => out.push(i),
            _ => {}
        }
    }
    out
}

/// Splits at `sep` outside quoted strings.
pub(crate) fn split_unquoted(s: &str, sep: u8) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in top_level(s, sep, false) {
        out.push(&s[start..i]);
        start = i + 1;
    }
    out.push(&s[start..]);
    out
}

/// Decodes `%XX` escapes; invalid escapes are kept literally.
pub fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A sip or sips URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUri {
    pub secure: bool,
    pub user: Option<String>,
    pub password: Option<String>,
    pub host: Host,
    pub port: Option<u16>,
    pub params: Params,
    /// `?name=value&...`, kept as written.
    pub headers: Vec<(String, String)>,
}

/// A tel URI (RFC 3966): the number as written, then parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelUri {
    pub number: String,
    pub params: Params,
}

/// Any URI this product reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uri {
    Sip(SipUri),
    Tel(TelUri),
    /// Another absolute URI (`scheme:rest`), kept verbatim (RFC 3261 §19.1 allows any).
    Other {
        scheme: String,
        rest: String,
    },
}

impl Uri {
    /// A `sip:` URI with optional user and port.
    pub fn sip(user: Option<&str>, host: Host, port: Option<u16>) -> Uri {
        Uri::Sip(SipUri {
            secure: false,
            user: user.map(str::to_string),
            password: None,
            host,
            port,
            params: Params::new(),
            headers: Vec::new(),
        })
    }

    pub fn as_sip(&self) -> Option<&SipUri> {
        match self {
            Uri::Sip(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_sip_mut(&mut self) -> Option<&mut SipUri> {
        match self {
            Uri::Sip(s) => Some(s),
            _ => None,
        }
    }

    /// The user part of a sip URI or the number of a tel URI.
    pub fn user(&self) -> Option<&str> {
        match self {
            Uri::Sip(s) => s.user.as_deref(),
            Uri::Tel(t) => Some(&t.number),
            Uri::Other { .. } => None,
        }
    }

    pub fn scheme(&self) -> &str {
        match self {
            Uri::Sip(s) if s.secure => "sips",
            Uri::Sip(_) => "sip",
            Uri::Tel(_) => "tel",
            Uri::Other { scheme, .. } => scheme,
        }
    }

    /// RFC 3261 §19.1.4 comparison: user and password case-sensitive after unescaping, host
    /// case-insensitive, ports must both be given or both absent, `user`, `ttl`, `method`, `maddr` and
    /// `transport` must match where either side has them, other parameters only where both have them,
    /// headers must match.
    pub fn equivalent(&self, other: &Uri) -> bool {
        match (self, other) {
            (Uri::Sip(a), Uri::Sip(b)) => {
                if a.secure != b.secure
                    || a.user.as_deref().map(unescape) != b.user.as_deref().map(unescape)
                    || a.password.as_deref().map(unescape) != b.password.as_deref().map(unescape)
                    || !a.host.equivalent(&b.host)
                    || a.port != b.port
                {
                    return false;
                }
                for special in ["user", "ttl", "method", "maddr", "transport"] {
                    let va = a
                        .params
                        .get(special)
                        .map(|v| v.map(str::to_ascii_lowercase));
                    let vb = b
                        .params
                        .get(special)
                        .map(|v| v.map(str::to_ascii_lowercase));
                    if va != vb {
                        return false;
                    }
                }
                for p in a.params.iter() {
                    if let Some(vb) = b.params.get(&p.name) {
                        let same = match (p.value.as_deref(), vb) {
                            (Some(x), Some(y)) => unescape(x).eq_ignore_ascii_case(&unescape(y)),
                            (None, None) => true,
                            _ => false,
                        };
                        if !same {
                            return false;
                        }
                    }
                }
                let mut ha: Vec<_> = a
                    .headers
                    .iter()
                    .map(|(n, v)| (n.to_ascii_lowercase(), unescape(v)))
                    .collect();
                let mut hb: Vec<_> = b
                    .headers
                    .iter()
                    .map(|(n, v)| (n.to_ascii_lowercase(), unescape(v)))
                    .collect();
                ha.sort();
                hb.sort();
                ha == hb
            }
            (Uri::Tel(a), Uri::Tel(b)) => {
                let digits = |n: &str| {
                    n.chars()
                        .filter(|c| !"-.()".contains(*c))
                        .collect::<String>()
                };
                digits(&a.number).eq_ignore_ascii_case(&digits(&b.number))
            }
            (a, b) => a == b,
        }
    }
}

impl FromStr for Uri {
    type Err = UriError;

    fn from_str(s: &str) -> Result<Uri, UriError> {
        let (scheme, rest) = s.split_once(':').ok_or_else(|| err(s, "no scheme"))?;
        if scheme.is_empty()
            || !scheme.as_bytes()[0].is_ascii_alphabetic()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            return Err(err(s, "bad scheme"));
        }
        if rest.bytes().any(|b| NOT_IN_URI[usize::from(b)]) {
            return Err(err(
                s,
                "whitespace, control character or delimiter inside URI",
            ));
        }
        if scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips") {
            parse_sip(s, scheme.eq_ignore_ascii_case("sips"), rest).map(Uri::Sip)
        } else if scheme.eq_ignore_ascii_case("tel") {
            let (number, params) = match rest.split_once(';') {
                Some((n, p)) => (n, p),
                None => (rest, ""),
            };
            if number.is_empty()
                || !number
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b"+-.()*#pw".contains(&b))
            {
                return Err(err(s, "bad telephone number"));
            }
            let params = Params::parse(params).map_err(|r| err(s, r))?;
            Ok(Uri::Tel(TelUri {
                number: number.to_string(),
                params,
            }))
        } else {
            if rest.is_empty() {
                return Err(err(s, "empty URI after scheme"));
            }
            Ok(Uri::Other {
                scheme: scheme.to_string(),
                rest: rest.to_string(),
            })
        }
    }
}

/// The user part may hold `?`, `;` and `/` (RFC 3261 §25.1 user-unreserved, RFC 4475 §3.1.1.2), while `@`
/// may appear nowhere after it, so the first `@` ends the userinfo. Some peers put an unescaped `@` in a
/// URI header (`?Replaces=id@host`); when a `?` comes before the first `@`, the reading with the `@`
/// inside the headers is tried first and the userinfo reading is the fallback.
fn parse_sip(whole: &str, secure: bool, rest: &str) -> Result<SipUri, UriError> {
    let at = rest.find('@');
    let question = rest.find('?');
    match (at, question) {
        (Some(a), Some(q)) if q < a => parse_sip_split(whole, secure, rest, false)
            .or_else(|_| parse_sip_split(whole, secure, rest, true)),
        _ => parse_sip_split(whole, secure, rest, at.is_some()),
    }
}

fn parse_sip_split(
    whole: &str,
    secure: bool,
    rest: &str,
    userinfo_first: bool,
) -> Result<SipUri, UriError> {
    let (userinfo, after_user) = match rest.find('@') {
        Some(i) if userinfo_first => (Some(&rest[..i]), &rest[i + 1..]),
        _ => (None, rest),
    };
    let (hostpart, headers) = match after_user.split_once('?') {
        Some((b, h)) => (b, Some(h)),
        None => (after_user, None),
    };
    let (user, password) = match userinfo {
        None => (None, None),
        Some(ui) => {
            let (u, p) = match ui.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (ui, None),
            };
            if u.is_empty() {
                return Err(err(whole, "empty user part before '@'"));
            }
            if !u.bytes().all(|b| is_user_byte(b) || b == b'%') {
                return Err(err(whole, "bad character in user part"));
            }
            (Some(u.to_string()), p.map(str::to_string))
        }
    };
    let (hostport, params) = match hostpart.find(';') {
        Some(i) => (&hostpart[..i], &hostpart[i + 1..]),
        None => (hostpart, ""),
    };
    let (host, port) = split_host_port(hostport).ok_or_else(|| err(whole, "bad host or port"))?;
    let params = Params::parse(params).map_err(|r| err(whole, r))?;
    let mut hdrs = Vec::new();
    if let Some(h) = headers {
        for pair in h.split('&').filter(|p| !p.is_empty()) {
            let (n, v) = pair
                .split_once('=')
                .ok_or_else(|| err(whole, "URI header without '='"))?;
            hdrs.push((n.to_string(), v.to_string()));
        }
    }
    Ok(SipUri {
        secure,
        user,
        password,
        host,
        port,
        params,
        headers: hdrs,
    })
}

/// RFC 3261 §25.1 user characters (unreserved / user-unreserved), escapes checked by the caller.
fn is_user_byte(b: u8) -> bool {
    USER_BYTES[usize::from(b)]
}

/// Splits `host[:port]`, IPv6 references in brackets.
pub fn split_host_port(s: &str) -> Option<(Host, Option<u16>)> {
    let (host, port) = if s.starts_with('[') {
        let end = s.find(']')?;
        let after = &s[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return None,
        };
        (&s[..=end], port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let port = match port {
        Some(p) => {
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(p.parse::<u16>().ok()?)
        }
        None => None,
    };
    Some((Host::parse(host)?, port))
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "sips:" } else { "sip:" })?;
        if let Some(u) = &self.user {
            f.write_str(u)?;
            if let Some(p) = &self.password {
                write!(f, ":{p}")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "{}", self.params)?;
        for (i, (n, v)) in self.headers.iter().enumerate() {
            write!(f, "{}{n}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uri::Sip(s) => write!(f, "{s}"),
            Uri::Tel(t) => write!(f, "tel:{}{}", t.number, t.params),
            Uri::Other { scheme, rest } => write!(f, "{scheme}:{rest}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sip(s: &str) -> SipUri {
        match s.parse::<Uri>().unwrap() {
            Uri::Sip(u) => u,
            other => panic!("not sip: {other:?}"),
        }
    }

    #[test]
    fn full_sip_uri() {
        let u =
            sip("sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?Subject=hi&Priority=urgent");
        assert!(u.secure);
        assert_eq!(u.user.as_deref(), Some("alice"));
        assert_eq!(u.password.as_deref(), Some("secret"));
        assert_eq!(u.host, Host::Ip("2001:db8::1".parse().unwrap()));
        assert_eq!(u.port, Some(5061));
        assert_eq!(u.params.get("TRANSPORT"), Some(Some("tcp")));
        assert_eq!(u.params.get("lr"), Some(None));
        assert_eq!(u.headers[1], ("Priority".into(), "urgent".into()));
        assert_eq!(
            u.to_string(),
            "sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?Subject=hi&Priority=urgent"
        );
    }

    #[test]
    fn user_with_escapes_and_semicolon() {
        let u = sip("sip:user;par=u%40example.net@example.com");
        assert_eq!(u.user.as_deref(), Some("user;par=u%40example.net"));
        assert_eq!(
            unescape(u.user.as_deref().unwrap()),
            "user;par=u@example.net"
        );
        assert_eq!(u.host, Host::Domain("example.com".into()));
    }

    #[test]
    fn user_part_with_question_mark_and_password() {
        let u = sip(
            "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
        );
        assert_eq!(
            u.user.as_deref(),
            Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        );
        assert_eq!(
            u.password.as_deref(),
            Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        );
        assert_eq!(u.host, Host::Domain("example.com".into()));
        assert!(u.headers.is_empty());
    }

    #[test]
    fn unescaped_at_in_uri_header() {
        let u = sip("sip:bob@b.example?Replaces=abc@a.example");
        assert_eq!(u.user.as_deref(), Some("bob"));
        let u = sip("sip:b.example?Replaces=abc@a.example");
        assert_eq!(u.user, None);
        assert_eq!(u.headers, vec![("Replaces".into(), "abc@a.example".into())]);
    }

    #[test]
    fn empty_parameters_are_rejected() {
        assert!(Params::parse("a=1;;b").is_err());
        assert!(Params::parse("a=1;").is_err());
        assert_eq!(Params::parse(";a=1").unwrap().0.len(), 1);
        assert!(Params::parse("").unwrap().0.is_empty());
    }

    #[test]
    fn tel_and_other_schemes() {
        let t: Uri = "tel:+1-201-555-0123;ext=12".parse().unwrap();
        assert_eq!(t.user(), Some("+1-201-555-0123"));
        let o: Uri = "urn:uuid:f81d4fae".parse().unwrap();
        assert_eq!(o.scheme(), "urn");
        assert_eq!(o.to_string(), "urn:uuid:f81d4fae");
    }

    #[test]
    fn rejects_broken_uris() {
        for bad in [
            "sip:",
            "sip:@host",
            "sip:user@host:99999",
            "sip:user@[::1",
            "sip:user@ho st",
            "nocolon",
            "sip:user@host:",
            "1sip:x",
        ] {
            assert!(bad.parse::<Uri>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn equivalence_by_rfc3261() {
        let eq = |a: &str, b: &str| a.parse::<Uri>().unwrap().equivalent(&b.parse().unwrap());
        assert!(eq(
            "sip:%61lice@atlanta.com;transport=TCP",
            "sip:alice@AtLanTa.CoM;Transport=tcp"
        ));
        assert!(eq(
            "sip:carol@chicago.com",
            "sip:carol@chicago.com;newparam=5"
        ));
        assert!(eq(
            "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
            "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"
        ));
        assert!(!eq(
            "SIP:ALICE@AtLanTa.CoM;Transport=udp",
            "sip:alice@AtLanTa.CoM;Transport=UDP"
        ));
        assert!(!eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
        assert!(!eq(
            "sip:bob@biloxi.com",
            "sip:bob@biloxi.com;transport=udp"
        ));
        assert!(!eq(
            "sip:carol@chicago.com;security=on",
            "sip:carol@chicago.com;security=off"
        ));
    }

    #[test]
    fn quoting() {
        assert_eq!(unquote(r#""a \"b\" \\c""#), r#"a "b" \c"#);
        assert_eq!(quote(r#"a "b""#), r#""a \"b\"""#);
        assert!(!is_quoted_string(r#""open"#));
        assert!(!is_quoted_string(r#""a\""#));
    }
}
