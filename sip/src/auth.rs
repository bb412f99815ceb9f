//! Digest access authentication for SIP.
//!
//! Implements RFC 3261 §22.4 (Digest as SIP uses it: 401/407 challenges, `Authorization` and
//! `Proxy-Authorization`), RFC 2617 §3 (qop, cnonce, nonce-count, `-sess` algorithms and RFC 2069
//! compatibility), RFC 7616 §3 (SHA-256, parameter grammar, `stale`, `charset`, `userhash`) and
//! RFC 8760 (SHA-256 and SHA-256-sess in SIP, several challenges in order of preference).
//!
//! The module works on header *values* (what follows `WWW-Authenticate:` and friends), not on
//! messages, so it stands apart from the message model:
//!
//! - [`Challenge`] and [`Credentials`] parse and render the header values.
//! - [`respond`] and [`DigestClient`] answer a challenge (the UA side).
//! - [`DigestServer`] issues challenges and checks credentials (the registrar and proxy side).
//!
//! Nothing here reads a clock: callers pass `Instant`s in.

mod client;
mod header;
mod hmac;
mod server;

pub use client::{
    CnonceSource, DigestClient, DigestRequest, best_challenge, best_challenges, respond,
};
pub use header::{Challenge, Credentials, Param};
pub use server::{DigestServer, DigestServerConfig, Secret, Verdict};

use md5::Md5;
use sha2::{Digest as _, Sha256};
use std::fmt;
use std::str::FromStr;

/// Why a header value could not be parsed, or a challenge could not be answered.
///
/// The `Display` text names the offending parameter, so a server can use it as the reason
/// phrase of a 400 response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("empty authentication header value")]
    Empty,
    #[error("authentication scheme {0:?} is not Digest")]
    UnsupportedScheme(String),
    #[error("malformed Digest parameters at byte {at}: expected {expected}")]
    Syntax { at: usize, expected: &'static str },
    #[error("unterminated quoted string in Digest parameter {0}")]
    UnterminatedQuotedString(String),
    #[error("Digest parameter {0} has no value")]
    MissingValue(String),
    #[error("missing Digest parameter {0}")]
    MissingParameter(&'static str),
    #[error("duplicate Digest parameter {0}")]
    DuplicateParameter(String),
    #[error("invalid Digest parameter {name}: {reason}")]
    InvalidParameter {
        name: &'static str,
        reason: &'static str,
    },
    #[error("unsupported Digest algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    #[error("unsupported qop {0:?}")]
    UnsupportedQop(String),
    #[error("no usable Digest challenge")]
    NoUsableChallenge,
}

/// The `algorithm` parameter (RFC 7616 §3.3, RFC 8760 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl Algorithm {
    /// The name as RFC 7616 §6.1 registers it.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    /// Whether A1 also covers the nonce and cnonce (RFC 7616 §3.4.2).
    pub fn is_session(self) -> bool {
        matches!(self, Algorithm::Md5Sess | Algorithm::Sha256Sess)
    }

    /// Hex length of a digest made with this algorithm.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => 32,
            Algorithm::Sha256 | Algorithm::Sha256Sess => 64,
        }
    }

    /// Client preference: SHA-256 before MD5 (RFC 8760 §2.4), plain before `-sess` (no
    /// interoperability gain from `-sess` in SIP, and fewer servers get it right).
    fn strength(self) -> u8 {
        match self {
            Algorithm::Sha256 => 4,
            Algorithm::Sha256Sess => 3,
            Algorithm::Md5 => 2,
            Algorithm::Md5Sess => 1,
        }
    }

    /// `H(data)` as lowercase hex (RFC 7616 §3.4.1).
    fn hash(self, parts: &[&[u8]]) -> String {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => {
                let mut h = Md5::new();
                for p in parts {
                    h.update(p);
                }
                hex::encode(h.finalize())
            }
            Algorithm::Sha256 | Algorithm::Sha256Sess => {
                let mut h = Sha256::new();
                for p in parts {
                    h.update(p);
                }
                hex::encode(h.finalize())
            }
        }
    }

    /// `H(username:realm:password)`, the value a registrar may store instead of the password.
    pub fn ha1(self, username: &str, realm: &str, password: &str) -> String {
        self.hash(&[
            username.as_bytes(),
            b":",
            realm.as_bytes(),
            b":",
            password.as_bytes(),
        ])
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = AuthError;

    /// Case-insensitive, as RFC 7616 §3.3 makes tokens.
    fn from_str(s: &str) -> Result<Self, AuthError> {
        [
            Algorithm::Md5,
            Algorithm::Md5Sess,
            Algorithm::Sha256,
            Algorithm::Sha256Sess,
        ]
        .into_iter()
        .find(|a| a.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| AuthError::UnsupportedAlgorithm(s.to_owned()))
    }
}

/// A quality of protection (RFC 7616 §3.3 `qop-options`, §3.4 `message-qop`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Qop {
    Auth,
    AuthInt,
    /// An option this implementation does not know; a client ignores it (RFC 2617 §3.2.1).
    Other(String),
}

impl Qop {
    pub fn as_str(&self) -> &str {
        match self {
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
            Qop::Other(s) => s,
        }
    }

    fn parse(s: &str) -> Qop {
        if s.eq_ignore_ascii_case("auth") {
            Qop::Auth
        } else if s.eq_ignore_ascii_case("auth-int") {
            Qop::AuthInt
        } else {
            Qop::Other(s.to_owned())
        }
    }
}

impl fmt::Display for Qop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The inputs of a request-digest other than the password (RFC 7616 §3.4.1-3.4.3).
struct DigestInput<'a> {
    algorithm: Algorithm,
    nonce: &'a str,
    cnonce: Option<&'a str>,
    nc: Option<u32>,
    qop: Option<&'a Qop>,
    method: &'a str,
    uri: &'a str,
    body: &'a [u8],
}

impl DigestInput<'_> {
    /// `request-digest` from `H(username:realm:password)`.
    fn response(&self, base_ha1: &str) -> Result<String, AuthError> {
        let alg = self.algorithm;
        let ha1 = if alg.is_session() {
            let cnonce = self.cnonce.ok_or(AuthError::MissingParameter("cnonce"))?;
            alg.hash(&[
                base_ha1.as_bytes(),
                b":",
                self.nonce.as_bytes(),
                b":",
                cnonce.as_bytes(),
            ])
        } else {
            base_ha1.to_owned()
        };
        let ha2 = match self.qop {
            None | Some(Qop::Auth) => {
                alg.hash(&[self.method.as_bytes(), b":", self.uri.as_bytes()])
            }
            // RFC 3261 §22.4: an empty body hashes as the empty string.
            Some(Qop::AuthInt) => alg.hash(&[
                self.method.as_bytes(),
                b":",
                self.uri.as_bytes(),
                b":",
                alg.hash(&[self.body]).as_bytes(),
            ]),
            Some(Qop::Other(q)) => return Err(AuthError::UnsupportedQop(q.clone())),
        };
        Ok(match self.qop {
            None => alg.hash(&[
                ha1.as_bytes(),
                b":",
                self.nonce.as_bytes(),
                b":",
                ha2.as_bytes(),
            ]),
            Some(qop) => {
                let cnonce = self.cnonce.ok_or(AuthError::MissingParameter("cnonce"))?;
                let nc = format!("{:08x}", self.nc.ok_or(AuthError::MissingParameter("nc"))?);
                alg.hash(&[
                    ha1.as_bytes(),
                    b":",
                    self.nonce.as_bytes(),
                    b":",
                    nc.as_bytes(),
                    b":",
                    cnonce.as_bytes(),
                    b":",
                    qop.as_str().as_bytes(),
                    b":",
                    ha2.as_bytes(),
                ])
            }
        })
    }
}

/// Compares two byte strings in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
