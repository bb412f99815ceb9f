//! The `WWW-Authenticate`/`Proxy-Authenticate` value ([`Challenge`], RFC 7616 §3.3, RFC 3261
//! §25.1 `challenge`) and the `Authorization`/`Proxy-Authorization` value ([`Credentials`],
//! RFC 7616 §3.4, RFC 3261 §25.1 `credentials`).
//!
//! Parsing is liberal where real phones are sloppy: parameter names in any case and any order,
//! quoted or unquoted values for any parameter, linear white space and line folds anywhere
//! between elements, empty list elements. It is strict where a wrong value would change the
//! digest: duplicates, a `nc` that is not 8 hex digits, a `response` that is not hex.
//! Rendering is canonical: known parameters in a fixed order, quoted as the RFC's examples quote
//! them, then unknown parameters as they came.

use super::{Algorithm, AuthError, Qop};
use std::fmt;
use std::str::FromStr;

/// An auth-param this implementation does not interpret, kept so that it can be relayed or
/// inspected (RFC 7616 §3.3: "any unrecognized directive MUST be ignored").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Name as received (case preserved).
    pub name: String,
    /// Value with quoting and escapes removed.
    pub value: String,
    /// Whether the value was a quoted-string; rendering quotes it again.
    pub quoted: bool,
}

/// A Digest challenge: the value of `WWW-Authenticate` or `Proxy-Authenticate`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Challenge {
    pub realm: String,
    /// Space-separated URI list, as received (RFC 7616 §3.3).
    pub domain: Option<String>,
    pub nonce: String,
    pub opaque: Option<String>,
    pub stale: bool,
    /// `None` when absent, which means MD5 (see [`Challenge::algorithm`]).
    pub algorithm: Option<Algorithm>,
    /// `qop-options`; empty when the server sent none (RFC 2069 compatibility).
    pub qop: Vec<Qop>,
    pub charset: Option<String>,
    pub userhash: Option<bool>,
    pub extensions: Vec<Param>,
}

impl Challenge {
    /// The algorithm in force, MD5 when the parameter is absent (RFC 7616 §3.3).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm.unwrap_or(Algorithm::Md5)
    }

    pub fn parse(value: &str) -> Result<Self, AuthError> {
        let mut c = Challenge::default();
        let mut realm = None;
        let mut nonce = None;
        let mut seen = Seen::default();
        for p in parse_digest_params(value)? {
            let lower = p.name.to_ascii_lowercase();
            match lower.as_str() {
                "realm" => set_once(&mut realm, p.value, "realm", &mut seen)?,
                "nonce" => set_once(&mut nonce, p.value, "nonce", &mut seen)?,
                "domain" => set_once(&mut c.domain, p.value, "domain", &mut seen)?,
                "opaque" => set_once(&mut c.opaque, p.value, "opaque", &mut seen)?,
                "charset" => set_once(&mut c.charset, p.value, "charset", &mut seen)?,
                "stale" => {
                    seen.check("stale")?;
                    c.stale = parse_bool(&p.value, "stale")?;
                }
                "userhash" => {
                    seen.check("userhash")?;
                    c.userhash = Some(parse_bool(&p.value, "userhash")?);
                }
                "algorithm" => {
                    seen.check("algorithm")?;
                    c.algorithm = Some(Algorithm::from_str(&p.value)?);
                }
                "qop" => {
                    seen.check("qop")?;
                    c.qop = p
                        .value
                        .split(',')
                        .map(|q| q.trim_matches(is_lws))
                        .filter(|q| !q.is_empty())
                        .map(Qop::parse)
                        .collect();
                    if c.qop.is_empty() {
                        return Err(AuthError::InvalidParameter {
                            name: "qop",
                            reason: "empty list of options",
                        });
                    }
                }
                _ => {
                    seen.check(&lower)?;
                    c.extensions.push(p.into_param());
                }
            }
        }
        c.realm = realm.ok_or(AuthError::MissingParameter("realm"))?;
        c.nonce = nonce.ok_or(AuthError::MissingParameter("nonce"))?;
        Ok(c)
    }
}

impl FromStr for Challenge {
    type Err = AuthError;
    fn from_str(s: &str) -> Result<Self, AuthError> {
        Challenge::parse(s)
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = ParamWriter::new(f)?;
        w.quoted("realm", &self.realm)?;
        if let Some(domain) = &self.domain {
            w.quoted("domain", domain)?;
        }
        w.quoted("nonce", &self.nonce)?;
        if let Some(opaque) = &self.opaque {
            w.quoted("opaque", opaque)?;
        }
        if self.stale {
            w.token("stale", "true")?;
        }
        if let Some(algorithm) = self.algorithm {
            w.token("algorithm", algorithm.as_str())?;
        }
        if !self.qop.is_empty() {
            let options: Vec<&str> = self.qop.iter().map(Qop::as_str).collect();
            w.quoted("qop", &options.join(","))?;
        }
        if let Some(charset) = &self.charset {
            w.token("charset", charset)?;
        }
        if let Some(userhash) = self.userhash {
            w.token("userhash", if userhash { "true" } else { "false" })?;
        }
        w.extensions(&self.extensions)
    }
}

/// Digest credentials: the value of `Authorization` or `Proxy-Authorization`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    /// `digest-uri`: the Request-URI as the client saw it (RFC 3261 §22.4).
    pub uri: String,
    /// `request-digest`, hex (compared case-insensitively).
    pub response: String,
    /// `None` when absent, which means MD5.
    pub algorithm: Option<Algorithm>,
    pub cnonce: Option<String>,
    pub opaque: Option<String>,
    /// `None` for RFC 2069 compatible credentials.
    pub qop: Option<Qop>,
    /// Nonce count, rendered as 8 hex digits.
    pub nc: Option<u32>,
    pub userhash: Option<bool>,
    pub extensions: Vec<Param>,
}

impl Credentials {
    /// The algorithm in force, MD5 when the parameter is absent.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm.unwrap_or(Algorithm::Md5)
    }

    pub fn parse(value: &str) -> Result<Self, AuthError> {
        let mut c = Credentials::default();
        let (mut username, mut realm, mut nonce, mut uri, mut response) =
            (None, None, None, None, None);
        let mut seen = Seen::default();
        for p in parse_digest_params(value)? {
            let lower = p.name.to_ascii_lowercase();
            match lower.as_str() {
                "username" => set_once(&mut username, p.value, "username", &mut seen)?,
                "realm" => set_once(&mut realm, p.value, "realm", &mut seen)?,
                "nonce" => set_once(&mut nonce, p.value, "nonce", &mut seen)?,
                "uri" => set_once(&mut uri, p.value, "uri", &mut seen)?,
                "cnonce" => set_once(&mut c.cnonce, p.value, "cnonce", &mut seen)?,
                "opaque" => set_once(&mut c.opaque, p.value, "opaque", &mut seen)?,
                "response" => {
                    if p.value.is_empty() || !p.value.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return Err(AuthError::InvalidParameter {
                            name: "response",
                            reason: "expected hex digits",
                        });
                    }
                    set_once(&mut response, p.value, "response", &mut seen)?;
                }
                "algorithm" => {
                    seen.check("algorithm")?;
                    c.algorithm = Some(Algorithm::from_str(&p.value)?);
                }
                "qop" => {
                    seen.check("qop")?;
                    c.qop = Some(Qop::parse(&p.value));
                }
                "nc" => {
                    seen.check("nc")?;
                    c.nc = Some(parse_nc(&p.value)?);
                }
                "userhash" => {
                    seen.check("userhash")?;
                    c.userhash = Some(parse_bool(&p.value, "userhash")?);
                }
                _ => {
                    seen.check(&lower)?;
                    c.extensions.push(p.into_param());
                }
            }
        }
        c.username = username.ok_or(AuthError::MissingParameter("username"))?;
        c.realm = realm.ok_or(AuthError::MissingParameter("realm"))?;
        c.nonce = nonce.ok_or(AuthError::MissingParameter("nonce"))?;
        c.uri = uri.ok_or(AuthError::MissingParameter("uri"))?;
        c.response = response.ok_or(AuthError::MissingParameter("response"))?;
        // RFC 7616 §3.4: cnonce and nc MUST be sent when qop is.
        if c.qop.is_some() {
            if c.cnonce.is_none() {
                return Err(AuthError::MissingParameter("cnonce"));
            }
            if c.nc.is_none() {
                return Err(AuthError::MissingParameter("nc"));
            }
        }
        Ok(c)
    }
}

impl FromStr for Credentials {
    type Err = AuthError;
    fn from_str(s: &str) -> Result<Self, AuthError> {
        Credentials::parse(s)
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = ParamWriter::new(f)?;
        w.quoted("username", &self.username)?;
        w.quoted("realm", &self.realm)?;
        w.quoted("nonce", &self.nonce)?;
        w.quoted("uri", &self.uri)?;
        w.quoted("response", &self.response)?;
        if let Some(algorithm) = self.algorithm {
            w.token("algorithm", algorithm.as_str())?;
        }
        if let Some(cnonce) = &self.cnonce {
            w.quoted("cnonce", cnonce)?;
        }
        if let Some(opaque) = &self.opaque {
            w.quoted("opaque", opaque)?;
        }
        if let Some(qop) = &self.qop {
            w.token("qop", qop.as_str())?;
        }
        if let Some(nc) = self.nc {
            w.token("nc", &format!("{nc:08x}"))?;
        }
        if let Some(userhash) = self.userhash {
            w.token("userhash", if userhash { "true" } else { "false" })?;
        }
        w.extensions(&self.extensions)
    }
}

/// Known parameters already seen, and unknown ones by lowercase name, to reject duplicates.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn check(&mut self, name: &str) -> Result<(), AuthError> {
        if self.0.iter().any(|n| n == name) {
            return Err(AuthError::DuplicateParameter(name.to_owned()));
        }
        self.0.push(name.to_owned());
        Ok(())
    }
}

fn set_once(
    slot: &mut Option<String>,
    value: String,
    name: &'static str,
    seen: &mut Seen,
) -> Result<(), AuthError> {
    seen.check(name)?;
    *slot = Some(value);
    Ok(())
}

fn parse_bool(value: &str, name: &'static str) -> Result<bool, AuthError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(AuthError::InvalidParameter {
            name,
            reason: "expected true or false",
        })
    }
}

/// RFC 7616 §3.4: `nc-value = 8LHEX`.
fn parse_nc(value: &str) -> Result<u32, AuthError> {
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AuthError::InvalidParameter {
            name: "nc",
            reason: "expected 8 hex digits",
        });
    }
    u32::from_str_radix(value, 16).map_err(|_| AuthError::InvalidParameter {
        name: "nc",
        reason: "expected 8 hex digits",
    })
}

fn is_lws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// RFC 3261 §25.1 `token` characters.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        )
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

struct RawParam {
    name: String,
    value: String,
    quoted: bool,
}

impl RawParam {
    fn into_param(self) -> Param {
        Param {
            name: self.name,
            value: self.value,
            quoted: self.quoted,
        }
    }
}

/// Splits `Digest name=value, name="value", ...` into parameters (RFC 3261 §25.1 `challenge`,
/// `credentials`; RFC 7235 §2.1 `#auth-param`). CR and LF count as white space, which covers
/// line folds (RFC 3261 §7.3.1) whether or not the caller unfolded them.
fn parse_digest_params(value: &str) -> Result<Vec<RawParam>, AuthError> {
    let mut cur = Cursor { s: value, pos: 0 };
    cur.skip_lws();
    if cur.at_end() {
        return Err(AuthError::Empty);
    }
    let scheme = cur.token().ok_or(AuthError::Syntax {
        at: cur.pos,
        expected: "an authentication scheme",
    })?;
    if !scheme.eq_ignore_ascii_case("Digest") {
        return Err(AuthError::UnsupportedScheme(scheme.to_owned()));
    }
    if !cur.at_end() && !cur.skip_lws() {
        return Err(AuthError::Syntax {
            at: cur.pos,
            expected: "white space after Digest",
        });
    }
    let mut params = Vec::new();
    loop {
        cur.skip_lws();
        if cur.at_end() {
            break;
        }
        if cur.eat(b',') {
            continue;
        }
        let name = cur.token().ok_or(AuthError::Syntax {
            at: cur.pos,
            expected: "a parameter name",
        })?;
        cur.skip_lws();
        if !cur.eat(b'=') {
            return Err(AuthError::MissingValue(name.to_owned()));
        }
        cur.skip_lws();
        let (value, quoted) = if cur.peek() == Some(b'"') {
            let v = cur
                .quoted_string()
                .ok_or_else(|| AuthError::UnterminatedQuotedString(name.to_owned()))?;
            (v, true)
        } else {
            let v = cur
                .token()
                .ok_or_else(|| AuthError::MissingValue(name.to_owned()))?;
            (v.to_owned(), false)
        };
        params.push(RawParam {
            name: name.to_owned(),
            value,
            quoted,
        });
        cur.skip_lws();
        if !cur.at_end() && !cur.eat(b',') {
            return Err(AuthError::Syntax {
                at: cur.pos,
                expected: "a comma between parameters",
            });
        }
    }
    if params.is_empty() {
        return Err(AuthError::Syntax {
            at: cur.pos,
            expected: "Digest parameters",
        });
    }
    Ok(params)
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Returns whether any white space was skipped.
    fn skip_lws(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(|b| is_lws(b as char)) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn token(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_some_and(is_token_byte) {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.s[start..self.pos])
    }

    /// RFC 3261 §25.1 `quoted-string` with `quoted-pair` escapes; returns the unescaped content,
    /// or `None` when the closing quote is missing.
    fn quoted_string(&mut self) -> Option<String> {
        let rest = &self.s[self.pos + 1..];
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += 1 + i + 1;
                    return Some(out);
                }
                '\\' => out.push(chars.next()?.1),
                c => out.push(c),
            }
        }
        None
    }
}

/// Writes `Digest a="b", c=d` with canonical quoting.
struct ParamWriter<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    first: bool,
}

impl<'a, 'b> ParamWriter<'a, 'b> {
    fn new(f: &'a mut fmt::Formatter<'b>) -> Result<Self, fmt::Error> {
        f.write_str("Digest ")?;
        Ok(Self { f, first: true })
    }

    fn sep(&mut self) -> fmt::Result {
        if !self.first {
            self.f.write_str(", ")?;
        }
        self.first = false;
        Ok(())
    }

    fn quoted(&mut self, name: &str, value: &str) -> fmt::Result {
        self.sep()?;
        write!(self.f, "{name}=\"")?;
        for c in value.chars() {
            if c == '"' || c == '\\' {
                self.f.write_str("\\")?;
            }
            write!(self.f, "{c}")?;
        }
        self.f.write_str("\"")
    }

    /// Falls back to quoting when `value` is not a token, so the output always parses.
    fn token(&mut self, name: &str, value: &str) -> fmt::Result {
        if !is_token(value) {
            return self.quoted(name, value);
        }
        self.sep()?;
        write!(self.f, "{name}={value}")
    }

    fn extensions(&mut self, params: &[Param]) -> fmt::Result {
        for p in params {
            if p.quoted {
                self.quoted(&p.name, &p.value)?;
            } else {
                self.token(&p.name, &p.value)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc2617_challenge_with_folds() {
        let c = Challenge::parse(
            "Digest\r\n realm=\"testrealm@host.com\",\r\n\tqop=\"auth,auth-int\",\r\n \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n \
             opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .expect("valid challenge");
        assert_eq!(c.realm, "testrealm@host.com");
        assert_eq!(c.qop, vec![Qop::Auth, Qop::AuthInt]);
        assert_eq!(c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
        assert_eq!(
            c.opaque.as_deref(),
            Some("5ccc069c403ebaf9f0171e9517f40e41")
        );
        assert_eq!(c.algorithm, None);
        assert_eq!(c.algorithm(), Algorithm::Md5);
        assert!(!c.stale);
    }

    #[test]
    fn parses_rfc8760_challenge_any_case_any_order() {
        let c = Challenge::parse(
            "digest ALGORITHM=sha-256 , Stale=TRUE,NONCE=\"abc\" ,Realm=\"atlanta.com\", \
             QOP=\"auth\", charset=UTF-8, userhash=true, domain=\"sip:ss1.carrier.com\"",
        )
        .expect("valid challenge");
        assert_eq!(c.algorithm, Some(Algorithm::Sha256));
        assert!(c.stale);
        assert_eq!(c.nonce, "abc");
        assert_eq!(c.realm, "atlanta.com");
        assert_eq!(c.qop, vec![Qop::Auth]);
        assert_eq!(c.charset.as_deref(), Some("UTF-8"));
        assert_eq!(c.userhash, Some(true));
        assert_eq!(c.domain.as_deref(), Some("sip:ss1.carrier.com"));
        assert!(c.extensions.is_empty());
    }

    #[test]
    fn unescapes_quoted_pairs() {
        let c = Challenge::parse(r#"Digest realm="a \"quoted\" \\ realm", nonce="n""#)
            .expect("valid challenge");
        assert_eq!(c.realm, r#"a "quoted" \ realm"#);
        assert_eq!(
            c.to_string(),
            r#"Digest realm="a \"quoted\" \\ realm", nonce="n""#
        );
    }

    #[test]
    fn keeps_unknown_params_in_order_and_renders_them() {
        let c = Challenge::parse(
            r#"Digest realm="r", X-Vendor="yealink, t46", nonce="n", foo=bar, qop="auth,auth-conf""#,
        )
        .expect("valid challenge");
        assert_eq!(
            c.extensions,
            vec![
                Param {
                    name: "X-Vendor".into(),
                    value: "yealink, t46".into(),
                    quoted: true
                },
                Param {
                    name: "foo".into(),
                    value: "bar".into(),
                    quoted: false
                },
            ]
        );
        assert_eq!(c.qop, vec![Qop::Auth, Qop::Other("auth-conf".into())]);
        assert_eq!(
            c.to_string(),
            r#"Digest realm="r", nonce="n", qop="auth,auth-conf", X-Vendor="yealink, t46", foo=bar"#
        );
        assert_eq!(Challenge::parse(&c.to_string()), Ok(c));
    }

    #[test]
    fn parses_credentials_with_unquoted_and_quoted_qop() {
        let value = "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b\", \
                     uri=\"sip:bob@biloxi.com\", qop=\"auth\", nc=0000000A, cnonce=\"0a4f113b\", \
                     response=\"6629FAE49393A05397450978507C4EF1\", opaque=\"5ccc\", algorithm=md5";
        let c = Credentials::parse(value).expect("valid credentials");
        assert_eq!(c.username, "bob");
        assert_eq!(c.uri, "sip:bob@biloxi.com");
        assert_eq!(c.qop, Some(Qop::Auth));
        assert_eq!(c.nc, Some(10));
        assert_eq!(c.algorithm, Some(Algorithm::Md5));
        assert_eq!(
            c.to_string(),
            "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b\", \
             uri=\"sip:bob@biloxi.com\", response=\"6629FAE49393A05397450978507C4EF1\", \
             algorithm=MD5, cnonce=\"0a4f113b\", opaque=\"5ccc\", qop=auth, nc=0000000a"
        );
        assert_eq!(Credentials::parse(&c.to_string()), Ok(c));
    }

    #[test]
    fn malformed_values_name_the_problem() {
        let cases: &[(&str, AuthError)] = &[
            ("", AuthError::Empty),
            ("  \r\n ", AuthError::Empty),
            (
                r#"Basic realm="x""#,
                AuthError::UnsupportedScheme("Basic".into()),
            ),
            (
                "Digest",
                AuthError::Syntax {
                    at: 6,
                    expected: "Digest parameters",
                },
            ),
            (
                r#"Digest realm="x" nonce="y""#,
                AuthError::Syntax {
                    at: 17,
                    expected: "a comma between parameters",
                },
            ),
            (
                r#"Digest realm="x", ="y""#,
                AuthError::Syntax {
                    at: 18,
                    expected: "a parameter name",
                },
            ),
            (
                r#"Digest realm="x", nonce="y\""#,
                AuthError::UnterminatedQuotedString("nonce".into()),
            ),
            (
                r#"Digest realm="x", nonce"#,
                AuthError::MissingValue("nonce".into()),
            ),
            (
                r#"Digest realm="x", nonce="#,
                AuthError::MissingValue("nonce".into()),
            ),
            (r#"Digest nonce="y""#, AuthError::MissingParameter("realm")),
            (r#"Digest realm="x""#, AuthError::MissingParameter("nonce")),
            (
                r#"Digest realm="x", nonce="y", REALM="z""#,
                AuthError::DuplicateParameter("realm".into()),
            ),
            (
                r#"Digest realm="x", nonce="y", foo=1, Foo=2"#,
                AuthError::DuplicateParameter("foo".into()),
            ),
            (
                r#"Digest realm="x", nonce="y", algorithm=SHA-512-256"#,
                AuthError::UnsupportedAlgorithm("SHA-512-256".into()),
            ),
            (
                r#"Digest realm="x", nonce="y", stale=maybe"#,
                AuthError::InvalidParameter {
                    name: "stale",
                    reason: "expected true or false",
                },
            ),
            (
                r#"Digest realm="x", nonce="y", qop=" , ""#,
                AuthError::InvalidParameter {
                    name: "qop",
                    reason: "empty list of options",
                },
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(Challenge::parse(value).as_ref(), Err(expected), "{value:?}");
        }
    }

    #[test]
    fn malformed_credentials_name_the_parameter() {
        let ok = r#"username="u", realm="r", nonce="n", uri="sip:r", response="0123abcd""#;
        let cases: &[(String, AuthError)] = &[
            (
                format!("Digest {ok}, qop=auth, cnonce=\"c\", nc=1"),
                AuthError::InvalidParameter {
                    name: "nc",
                    reason: "expected 8 hex digits",
                },
            ),
            (
                format!("Digest {ok}, qop=auth, cnonce=\"c\", nc=0000000g"),
                AuthError::InvalidParameter {
                    name: "nc",
                    reason: "expected 8 hex digits",
                },
            ),
            (
                format!("Digest {ok}, qop=auth, nc=00000001"),
                AuthError::MissingParameter("cnonce"),
            ),
            (
                format!("Digest {ok}, qop=auth, cnonce=\"c\""),
                AuthError::MissingParameter("nc"),
            ),
            (
                r#"Digest username="u", realm="r", nonce="n", uri="sip:r", response="xyz""#.into(),
                AuthError::InvalidParameter {
                    name: "response",
                    reason: "expected hex digits",
                },
            ),
            (
                r#"Digest username="u", realm="r", nonce="n", response="00""#.into(),
                AuthError::MissingParameter("uri"),
            ),
            (
                r#"Digest realm="r", nonce="n", uri="sip:r", response="00""#.into(),
                AuthError::MissingParameter("username"),
            ),
            (
                r#"Digest username="u", realm="r", nonce="n", uri="sip:r""#.into(),
                AuthError::MissingParameter("response"),
            ),
            (
                format!("Digest {ok}, userhash=yes"),
                AuthError::InvalidParameter {
                    name: "userhash",
                    reason: "expected true or false",
                },
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(
                Credentials::parse(value).as_ref(),
                Err(expected),
                "{value:?}"
            );
        }
    }

    #[test]
    fn error_text_is_usable_as_reason_phrase() {
        let err = Credentials::parse(
            r#"Digest username="u", realm="r", nonce="n", uri="u", response="00", qop=auth, cnonce="c", nc=12"#,
        )
        .expect_err("short nc");
        assert_eq!(
            err.to_string(),
            "invalid Digest parameter nc: expected 8 hex digits"
        );
    }

    mod roundtrip {
        use super::*;
        use proptest::prelude::*;

        fn text() -> impl Strategy<Value = String> {
            // Printable ASCII and some UTF-8, including the characters that need escaping.
            "[ -~éü日]{0,24}"
        }

        fn token() -> impl Strategy<Value = String> {
            "[A-Za-z0-9.!%*_+`'~-]{1,16}"
        }

        fn algorithm() -> impl Strategy<Value = Option<Algorithm>> {
            prop::option::of(prop_oneof![
                Just(Algorithm::Md5),
                Just(Algorithm::Md5Sess),
                Just(Algorithm::Sha256),
                Just(Algorithm::Sha256Sess),
            ])
        }

        fn qop() -> impl Strategy<Value = Qop> {
            prop_oneof![
                Just(Qop::Auth),
                Just(Qop::AuthInt),
                "x-[a-z]{1,6}".prop_map(Qop::Other),
            ]
        }

        fn extensions() -> impl Strategy<Value = Vec<Param>> {
            prop::collection::vec(
                prop_oneof![
                    ("x-[a-z]{1,6}", text()).prop_map(|(name, value)| Param {
                        name,
                        value,
                        quoted: true
                    }),
                    ("y-[a-z]{1,6}", token()).prop_map(|(name, value)| Param {
                        name,
                        value,
                        quoted: false
                    }),
                ],
                0..3,
            )
            .prop_filter("extension names are unique", |ps| {
                let mut names: Vec<String> =
                    ps.iter().map(|p| p.name.to_ascii_lowercase()).collect();
                names.sort();
                names.dedup();
                names.len() == ps.len()
            })
        }

        proptest! {
            #[test]
            fn challenge_parse_render_is_identity(
                realm in text(),
                domain in prop::option::of(text()),
                nonce in text(),
                opaque in prop::option::of(text()),
                stale in any::<bool>(),
                algorithm in algorithm(),
                qop in prop::collection::vec(qop(), 0..3),
                charset in prop::option::of(token()),
                userhash in prop::option::of(any::<bool>()),
                extensions in extensions(),
            ) {
                let c = Challenge {
                    realm, domain, nonce, opaque, stale, algorithm, qop, charset, userhash,
                    extensions,
                };
                prop_assert_eq!(Challenge::parse(&c.to_string()), Ok(c));
            }

            #[test]
            fn credentials_parse_render_is_identity(
                username in text(),
                realm in text(),
                nonce in text(),
                uri in text(),
                response in "[0-9a-fA-F]{1,64}",
                algorithm in algorithm(),
                opaque in prop::option::of(text()),
                qop_cnonce_nc in prop::option::of((qop(), text(), any::<u32>())),
                userhash in prop::option::of(any::<bool>()),
                extensions in extensions(),
            ) {
                let (qop, cnonce, nc) = match qop_cnonce_nc {
                    Some((q, c, n)) => (Some(q), Some(c), Some(n)),
                    None => (None, None, None),
                };
                let c = Credentials {
                    username, realm, nonce, uri, response, algorithm, cnonce, opaque, qop, nc,
                    userhash, extensions,
                };
                prop_assert_eq!(Credentials::parse(&c.to_string()), Ok(c));
            }

            #[test]
            fn arbitrary_input_never_panics(s in "\\PC{0,80}") {
                let _ = Challenge::parse(&s);
                let _ = Credentials::parse(&s);
            }
        }
    }
}
