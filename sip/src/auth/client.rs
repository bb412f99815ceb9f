//! The UA side: answering a 401/407 challenge (RFC 3261 §22.2, §22.3; RFC 7616 §3.4; RFC 8760
//! §2.4 for choosing among several challenges).

use super::{AuthError, Challenge, Credentials, DigestInput, Qop};
use crate::ids::IdGenerator;
use std::collections::HashMap;

/// Where fresh client nonces come from (RFC 7616 §3.4: "an opaque quoted string value provided
/// by the client", fresh for each nonce-count sequence).
pub trait CnonceSource {
    fn cnonce(&mut self) -> String;
}

impl CnonceSource for IdGenerator {
    fn cnonce(&mut self) -> String {
        IdGenerator::cnonce(self)
    }
}

/// What of the request goes into the digest (RFC 7616 §3.4.3 A2).
#[derive(Debug, Clone, Copy)]
pub struct DigestRequest<'a> {
    pub method: &'a str,
    /// The Request-URI, as it will be sent (RFC 3261 §22.4 `digest-uri`).
    pub uri: &'a str,
    /// The message body; only `qop=auth-int` covers it.
    pub body: &'a [u8],
}

/// Builds the credentials that answer `challenge`, with the given `cnonce` and nonce count.
///
/// Pure function: [`DigestClient`] keeps the nonce counts and draws the cnonces. `cnonce` and
/// `nc` are ignored when the challenge offers no qop (RFC 2069 compatibility, RFC 2617 §3.2.2).
pub fn respond(
    challenge: &Challenge,
    request: &DigestRequest<'_>,
    username: &str,
    password: &str,
    cnonce: &str,
    nc: u32,
) -> Result<Credentials, AuthError> {
    let algorithm = challenge.algorithm();
    let qop = choose_qop(&challenge.qop)?;
    if qop.is_none() && algorithm.is_session() {
        return Err(AuthError::InvalidParameter {
            name: "algorithm",
            reason: "a -sess algorithm needs qop",
        });
    }
    let (cnonce, nc) = match qop {
        Some(_) => (Some(cnonce), Some(nc)),
        None => (None, None),
    };
    let response = DigestInput {
        algorithm,
        nonce: &challenge.nonce,
        cnonce,
        nc,
        qop: qop.as_ref(),
        method: request.method,
        uri: request.uri,
        body: request.body,
    }
    .response(&algorithm.ha1(username, &challenge.realm, password))?;
    Ok(Credentials {
        username: username.to_owned(),
        realm: challenge.realm.clone(),
        nonce: challenge.nonce.clone(),
        uri: request.uri.to_owned(),
        response,
        algorithm: challenge.algorithm,
        cnonce: cnonce.map(str::to_owned),
        opaque: challenge.opaque.clone(),
        qop,
        nc,
        userhash: None,
        extensions: Vec::new(),
    })
}

/// `auth` when offered (it survives proxies that touch the body), else `auth-int`; none when the
/// server offered no qop at all. Unknown options alone are unusable (RFC 2617 §3.2.1).
fn choose_qop(offered: &[Qop]) -> Result<Option<Qop>, AuthError> {
    if offered.is_empty() {
        Ok(None)
    } else if offered.contains(&Qop::Auth) {
        Ok(Some(Qop::Auth))
    } else if offered.contains(&Qop::AuthInt) {
        Ok(Some(Qop::AuthInt))
    } else {
        let names: Vec<&str> = offered.iter().map(Qop::as_str).collect();
        Err(AuthError::UnsupportedQop(names.join(",")))
    }
}

/// The challenge to answer among those of one realm: the strongest algorithm (SHA-256 before
/// MD5, RFC 8760 §2.4), the server's order breaking ties. Challenges offering only unknown qop
/// options are skipped. `None` when no challenge is usable.
pub fn best_challenge<'a, I>(challenges: I) -> Option<&'a Challenge>
where
    I: IntoIterator<Item = &'a Challenge>,
{
    challenges
        .into_iter()
        .filter(|c| choose_qop(&c.qop).is_ok())
        .fold(None, |best: Option<&Challenge>, c| match best {
            Some(b) if b.algorithm().strength() >= c.algorithm().strength() => Some(b),
            _ => Some(c),
        })
}

/// Parses the `WWW-Authenticate` (or `Proxy-Authenticate`) values of one response and picks
/// the best for each realm, in order of first appearance (RFC 3261 §22.3: a forked request may
/// collect challenges from several realms, and the UA answers each). Values that do not parse,
/// such as another scheme or an unknown algorithm, are skipped; if none is usable the first
/// error is returned, or [`AuthError::NoUsableChallenge`].
pub fn best_challenges<'a, I>(values: I) -> Result<Vec<Challenge>, AuthError>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut first_error = None;
    let mut parsed: Vec<Challenge> = Vec::new();
    for value in values {
        match Challenge::parse(value) {
            Ok(c) => parsed.push(c),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let mut realms: Vec<&str> = Vec::new();
    for c in &parsed {
        if !realms.contains(&c.realm.as_str()) {
            realms.push(&c.realm);
        }
    }
    let best: Vec<Challenge> = realms
        .iter()
        .filter_map(|realm| best_challenge(parsed.iter().filter(|c| c.realm == *realm)))
        .cloned()
        .collect();
    if best.is_empty() {
        return Err(first_error.unwrap_or(AuthError::NoUsableChallenge));
    }
    Ok(best)
}

/// A UA's Digest state: the nonce count of the current nonce of each realm.
///
/// Memory is bounded by the number of realms: a new nonce for a realm replaces the old one
/// (RFC 7616 §3.4: nc counts requests sent with one nonce).
#[derive(Debug, Clone, Default)]
pub struct DigestClient {
    nonce_counts: HashMap<String, (String, u32)>,
}

impl DigestClient {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers `challenge`, drawing a fresh cnonce and the next nonce count for its nonce.
    pub fn authorize(
        &mut self,
        challenge: &Challenge,
        request: &DigestRequest<'_>,
        username: &str,
        password: &str,
        cnonces: &mut impl CnonceSource,
    ) -> Result<Credentials, AuthError> {
        if choose_qop(&challenge.qop)?.is_none() {
            return respond(challenge, request, username, password, "", 0);
        }
        let nc = self.next_nc(&challenge.realm, &challenge.nonce);
        respond(
            challenge,
            request,
            username,
            password,
            &cnonces.cnonce(),
            nc,
        )
    }

    /// Drops the nonce of `realm`, e.g. when the registration ends.
    pub fn forget(&mut self, realm: &str) {
        self.nonce_counts.remove(realm);
    }

    fn next_nc(&mut self, realm: &str, nonce: &str) -> u32 {
        let entry = self
            .nonce_counts
            .entry(realm.to_owned())
            .or_insert_with(|| (nonce.to_owned(), 0));
        if entry.0 != nonce {
            *entry = (nonce.to_owned(), 0);
        }
        // At 2^32 - 1 the server rejects the repeat and sends a fresh nonce.
        entry.1 = entry.1.saturating_add(1);
        entry.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Algorithm;

    struct Fixed(&'static str);
    impl CnonceSource for Fixed {
        fn cnonce(&mut self) -> String {
            self.0.to_owned()
        }
    }

    const GET: DigestRequest<'static> = DigestRequest {
        method: "GET",
        uri: "/dir/index.html",
        body: b"",
    };

    /// RFC 2617 §3.5.
    #[test]
    fn rfc2617_example() {
        let challenge = Challenge::parse(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        )
        .expect("RFC challenge parses");
        let creds = respond(&challenge, &GET, "Mufasa", "Circle Of Life", "0a4f113b", 1)
            .expect("answerable");
        assert_eq!(creds.response, "6629fae49393a05397450978507c4ef1");
        assert_eq!(creds.qop, Some(Qop::Auth));
        assert_eq!(creds.nc, Some(1));
        assert_eq!(
            creds.opaque.as_deref(),
            Some("5ccc069c403ebaf9f0171e9517f40e41")
        );
        assert_eq!(
            creds.to_string(),
            r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001"#
        );
    }

    fn rfc7616_challenge(algorithm: &str) -> Challenge {
        Challenge::parse(&format!(
            "Digest\r\n    realm=\"http-auth@example.org\",\r\n    qop=\"auth, auth-int\",\r\n    \
             algorithm={algorithm},\r\n    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n    \
             opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
        ))
        .expect("RFC challenge parses")
    }

    const RFC7616_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    /// RFC 7616 §3.9.1, MD5.
    #[test]
    fn rfc7616_md5_example() {
        let creds = respond(
            &rfc7616_challenge("MD5"),
            &GET,
            "Mufasa",
            "Circle of Life",
            RFC7616_CNONCE,
            1,
        )
        .expect("answerable");
        assert_eq!(creds.response, "8ca523f5e9506fed4657c9700eebdbec");
        assert_eq!(creds.algorithm, Some(Algorithm::Md5));
    }

    /// RFC 7616 §3.9.1, SHA-256. The RFC prints the response across two lines; joined, it is
    /// the value below.
    #[test]
    fn rfc7616_sha256_example() {
        let challenge = rfc7616_challenge("SHA-256");
        let creds = respond(
            &challenge,
            &GET,
            "Mufasa",
            "Circle of Life",
            RFC7616_CNONCE,
            1,
        )
        .expect("answerable");
        assert_eq!(
            creds.response,
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
        assert_eq!(creds.algorithm, Some(Algorithm::Sha256));
        assert_eq!(
            creds.to_string(),
            "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", \
             nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", \
             response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", \
             algorithm=SHA-256, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", \
             opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", qop=auth, nc=00000001"
        );
    }

    /// A REGISTER as a phone sends it; the expected value is H(H(A1):nonce:nc:cnonce:qop:H(A2))
    /// worked out independently of this module (Python hashlib).
    #[test]
    fn sip_register_md5() {
        let challenge = Challenge::parse(
            r#"Digest realm="uacsta", nonce="4c5c2a1b", algorithm=MD5, qop="auth""#,
        )
        .expect("parses");
        let register = DigestRequest {
            method: "REGISTER",
            uri: "sip:pbx.example.com",
            body: b"",
        };
        let creds = respond(
            &challenge,
            &register,
            "000413a1b2c3",
            "s3cret",
            "abcdef01",
            1,
        )
        .expect("answerable");
        assert_eq!(creds.uri, "sip:pbx.example.com");
        assert_eq!(creds.response, SIP_REGISTER_MD5_RESPONSE);
    }

    const SIP_REGISTER_MD5_RESPONSE: &str = "04503c504d195805f3da792514a679d5";

    /// RFC 2069 compatibility: no qop, so no cnonce or nc, and response = H(HA1:nonce:HA2).
    #[test]
    fn no_qop_leaves_out_cnonce_and_nc() {
        let challenge = Challenge::parse(
            r#"Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#,
        )
        .expect("parses");
        let creds =
            respond(&challenge, &GET, "Mufasa", "Circle Of Life", "x", 7).expect("answerable");
        assert_eq!(creds.qop, None);
        assert_eq!(creds.cnonce, None);
        assert_eq!(creds.nc, None);
        assert_eq!(creds.algorithm, None);
        assert_eq!(creds.response, RFC2069_RESPONSE);
    }

    const RFC2069_RESPONSE: &str = "670fd8c2df070c60b045671b8b24ff02";

    #[test]
    fn auth_int_covers_the_body() {
        let challenge =
            Challenge::parse(r#"Digest realm="r", nonce="n", qop="auth-int""#).expect("parses");
        let with_body = |body: &'static [u8]| {
            respond(
                &challenge,
                &DigestRequest {
                    method: "INVITE",
                    uri: "sip:bob@example.org",
                    body,
                },
                "alice",
                "pw",
                "c",
                1,
            )
            .expect("answerable")
        };
        let a = with_body(b"v=0\r\n");
        assert_eq!(a.qop, Some(Qop::AuthInt));
        assert_ne!(a.response, with_body(b"v=1\r\n").response);
    }

    #[test]
    fn unknown_qop_only_is_unsupported() {
        let challenge =
            Challenge::parse(r#"Digest realm="r", nonce="n", qop="auth-conf""#).expect("parses");
        assert_eq!(
            respond(&challenge, &GET, "u", "p", "c", 1),
            Err(AuthError::UnsupportedQop("auth-conf".into()))
        );
    }

    #[test]
    fn sess_without_qop_is_rejected() {
        let challenge =
            Challenge::parse(r#"Digest realm="r", nonce="n", algorithm=MD5-sess"#).expect("parses");
        assert_eq!(
            respond(&challenge, &GET, "u", "p", "c", 1),
            Err(AuthError::InvalidParameter {
                name: "algorithm",
                reason: "a -sess algorithm needs qop"
            })
        );
    }

    #[test]
    fn prefers_sha256_over_md5_whatever_the_order() {
        let values = [
            r#"Digest realm="atlanta.com", nonce="a", algorithm=MD5, qop="auth""#,
            r#"Digest realm="atlanta.com", nonce="b", algorithm=SHA-256, qop="auth""#,
            r#"Digest realm="atlanta.com", nonce="c", algorithm=SHA-512-256, qop="auth""#,
            r#"Basic realm="atlanta.com""#,
        ];
        let best = best_challenges(values).expect("usable");
        assert_eq!(best.len(), 1);
        assert_eq!(best[0].nonce, "b");
        assert_eq!(best[0].algorithm(), Algorithm::Sha256);
    }

    #[test]
    fn picks_one_challenge_per_realm() {
        let values = [
            r#"Digest realm="a", nonce="1""#,
            r#"Digest realm="b", nonce="2", algorithm=SHA-256"#,
            r#"Digest realm="a", nonce="3", algorithm=SHA-256"#,
            r#"Digest realm="b", nonce="4""#,
        ];
        let best = best_challenges(values).expect("usable");
        let nonces: Vec<&str> = best.iter().map(|c| c.nonce.as_str()).collect();
        assert_eq!(nonces, ["3", "2"]);
    }

    #[test]
    fn no_usable_challenge_reports_why() {
        assert_eq!(
            best_challenges([r#"Basic realm="x""#]),
            Err(AuthError::UnsupportedScheme("Basic".into()))
        );
        assert_eq!(
            best_challenges([r#"Digest realm="x", nonce="n", qop="auth-conf""#]),
            Err(AuthError::NoUsableChallenge)
        );
    }

    #[test]
    fn client_counts_per_nonce_and_restarts_on_new_nonce() {
        let mut client = DigestClient::new();
        let mut cnonces = Fixed("c");
        let first = rfc7616_challenge("SHA-256");
        let nc = |client: &mut DigestClient, ch: &Challenge, cnonces: &mut Fixed| {
            client
                .authorize(ch, &GET, "Mufasa", "Circle of Life", cnonces)
                .expect("answerable")
                .nc
        };
        assert_eq!(nc(&mut client, &first, &mut cnonces), Some(1));
        assert_eq!(nc(&mut client, &first, &mut cnonces), Some(2));
        let second = Challenge {
            nonce: "fresh".into(),
            ..first.clone()
        };
        assert_eq!(nc(&mut client, &second, &mut cnonces), Some(1));
        client.forget("http-auth@example.org");
        assert_eq!(nc(&mut client, &second, &mut cnonces), Some(1));
    }

    #[test]
    fn client_draws_cnonces_from_the_id_generator() {
        let mut client = DigestClient::new();
        let mut ids = IdGenerator::from_seed(5);
        let ch = rfc7616_challenge("MD5");
        let a = client
            .authorize(&ch, &GET, "u", "p", &mut ids)
            .expect("answerable");
        let b = client
            .authorize(&ch, &GET, "u", "p", &mut ids)
            .expect("answerable");
        let mut replay = IdGenerator::from_seed(5);
        assert_eq!(a.cnonce, Some(replay.cnonce()));
        assert_eq!(b.cnonce, Some(replay.cnonce()));
        assert_ne!(a.response, b.response);
    }
}
