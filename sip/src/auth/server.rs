//! The registrar and proxy side: issuing challenges and checking credentials (RFC 3261 §22.1,
//! §22.4; RFC 7616 §3.3 nonce and `stale`, §3.4 nonce count, §5.4-5.5 replay; RFC 8760 §2.4
//! one challenge per algorithm, most preferred first).
//!
//! Nonces are stateless until first used: each one carries its issue time and a serial number,
//! protected by an HMAC-SHA256 under the server's key (the construction RFC 7616 §3.3 suggests,
//! `time-stamp H(time-stamp ":" ETag ":" secret-data)`, with a MAC in place of the bare hash).
//! So the server verifies any nonce it issued without storing it, and only nonces that clients
//! actually use take memory, to remember the highest nonce count seen (replay protection).
//! That memory is bounded: expired nonces are swept, and when the table is still full the oldest
//! entries are evicted and every untracked nonce as old as them is treated as stale.

use super::hmac::hmac_sha256;
use super::{Algorithm, AuthError, Challenge, Credentials, DigestInput, Qop, constant_time_eq};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How a [`DigestServer`] challenges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestServerConfig {
    pub realm: String,
    /// Offered algorithms, one challenge each, most preferred first.
    pub algorithms: Vec<Algorithm>,
    /// Offered qop options; empty to challenge the RFC 2069 way.
    pub qop: Vec<Qop>,
    /// Accept credentials without qop even when qop was offered (RFC 2617 §3.2.2 keeps RFC 2069
    /// clients working). Such credentials carry no nonce count, so they can be replayed while
    /// their nonce lives.
    pub allow_rfc2069: bool,
    pub nonce_lifetime: Duration,
    /// Upper bound of nonces whose nonce count is remembered.
    pub max_tracked_nonces: usize,
}

impl DigestServerConfig {
    /// SHA-256 then MD5 (RFC 8760 §2.4 keeps MD5 for older phones), qop=auth, nonces valid for
    /// five minutes, up to 100,000 nonces tracked (one per phone of a large farm).
    pub fn new(realm: impl Into<String>) -> Self {
        Self {
            realm: realm.into(),
            algorithms: vec![Algorithm::Sha256, Algorithm::Md5],
            qop: vec![Qop::Auth],
            allow_rfc2069: true,
            nonce_lifetime: Duration::from_secs(300),
            max_tracked_nonces: 100_000,
        }
    }
}

/// What the password lookup knows about a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    Password(String),
    /// `H(username:realm:password)` in the hash of the algorithm the lookup was asked for
    /// (MD5 for MD5 and MD5-sess, SHA-256 for SHA-256 and SHA-256-sess), hex.
    Ha1(String),
}

/// The outcome of checking credentials.
///
/// A registrar answers `Authenticated` by processing the request, `Stale` with a fresh
/// challenge carrying `stale=true` (the client retries without asking its user), `Malformed`
/// with 400 and the error as reason phrase, and the others with a fresh challenge (401/407) or
/// 403, as its policy says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Authenticated {
        username: String,
    },
    UnknownUser {
        username: String,
    },
    /// The response does not match: wrong password, or a digest over something else.
    WrongResponse {
        username: String,
    },
    /// The digest is right but the nonce is expired or not ours (RFC 7616 §3.3 `stale`).
    Stale,
    /// The nonce count did not increase (RFC 7616 §5.5).
    Replayed,
    Malformed(AuthError),
}

impl Verdict {
    pub fn is_authenticated(&self) -> bool {
        matches!(self, Verdict::Authenticated { .. })
    }
}

#[derive(Debug, Clone, Copy)]
struct NonceUse {
    issued_ms: u64,
    last_nc: u32,
}

enum NonceState {
    Fresh { issued_ms: u64 },
    Stale,
}

const NONCE_BYTES: usize = 8 + 4 + 16;

/// A sans-IO Digest verifier for one realm.
#[derive(Debug)]
pub struct DigestServer {
    config: DigestServerConfig,
    key: [u8; 32],
    epoch: Instant,
    serial: u32,
    nonces: HashMap<String, NonceUse>,
    /// Untracked nonces issued at or before this time (ms since `epoch`) were evicted.
    evicted_up_to_ms: Option<u64>,
    next_sweep_ms: u64,
}

impl DigestServer {
    /// `key` protects the nonces (draw it with [`crate::ids::IdGenerator::nonce_secret`]);
    /// `now` is the time origin of the nonces' time stamps.
    pub fn new(config: DigestServerConfig, key: [u8; 32], now: Instant) -> Self {
        let next_sweep_ms = duration_ms(config.nonce_lifetime);
        Self {
            config,
            key,
            epoch: now,
            serial: 0,
            nonces: HashMap::new(),
            evicted_up_to_ms: None,
            next_sweep_ms,
        }
    }

    pub fn config(&self) -> &DigestServerConfig {
        &self.config
    }

    /// The challenges of a 401/407, one per configured algorithm, sharing one fresh nonce.
    /// `stale` says that the previous request failed only for an old nonce.
    pub fn challenges(&mut self, now: Instant, stale: bool) -> Vec<Challenge> {
        let nonce = self.issue_nonce(now);
        self.config
            .algorithms
            .iter()
            .map(|&algorithm| Challenge {
                realm: self.config.realm.clone(),
                nonce: nonce.clone(),
                stale,
                algorithm: Some(algorithm),
                qop: self.config.qop.clone(),
                ..Challenge::default()
            })
            .collect()
    }

    /// Parses an `Authorization`/`Proxy-Authorization` value and checks it; see [`Self::verify`].
    pub fn verify_header(
        &mut self,
        value: &str,
        method: &str,
        body: &[u8],
        now: Instant,
        lookup: impl FnOnce(&str, Algorithm) -> Option<Secret>,
    ) -> Verdict {
        match Credentials::parse(value) {
            Ok(credentials) => self.verify(&credentials, method, body, now, lookup),
            Err(e) => Verdict::Malformed(e),
        }
    }

    /// Checks credentials sent with a request of `method` whose body is `body`.
    ///
    /// The digest is checked before the nonce, so that `Stale` is only reported to a client that
    /// knows the password (RFC 7616 §3.3). The `uri` parameter is taken as the client sent it;
    /// comparing it with the Request-URI (RFC 2617 §3.2.2.5) is the caller's business, as SIP
    /// URI equality (RFC 3261 §19.1.4) belongs to the message model.
    pub fn verify(
        &mut self,
        credentials: &Credentials,
        method: &str,
        body: &[u8],
        now: Instant,
        lookup: impl FnOnce(&str, Algorithm) -> Option<Secret>,
    ) -> Verdict {
        if let Err(e) = self.check_offer(credentials) {
            return Verdict::Malformed(e);
        }
        let algorithm = credentials.algorithm();
        let username = credentials.username.clone();
        let base_ha1 = match lookup(&username, algorithm) {
            None => return Verdict::UnknownUser { username },
            Some(Secret::Password(password)) => {
                algorithm.ha1(&username, &self.config.realm, &password)
            }
            Some(Secret::Ha1(ha1)) => ha1.to_ascii_lowercase(),
        };
        let expected = DigestInput {
            algorithm,
            nonce: &credentials.nonce,
            cnonce: credentials.cnonce.as_deref(),
            nc: credentials.nc,
            qop: credentials.qop.as_ref(),
            method,
            uri: &credentials.uri,
            body,
        }
        .response(&base_ha1);
        let expected = match expected {
            Ok(expected) => expected,
            Err(e) => return Verdict::Malformed(e),
        };
        let response = credentials.response.to_ascii_lowercase();
        if !constant_time_eq(expected.as_bytes(), response.as_bytes()) {
            return Verdict::WrongResponse { username };
        }
        let now_ms = self.ms_since_epoch(now);
        let issued_ms = match self.nonce_state(&credentials.nonce, now_ms) {
            NonceState::Stale => return Verdict::Stale,
            NonceState::Fresh { issued_ms } => issued_ms,
        };
        // Without qop there is no nonce count to track (RFC 2069 compatibility).
        if let Some(nc) = credentials.nc.filter(|_| credentials.qop.is_some()) {
            if let Some(seen) = self.nonces.get_mut(&credentials.nonce) {
                if nc <= seen.last_nc {
                    return Verdict::Replayed;
                }
                seen.last_nc = nc;
            } else {
                if nc == 0 {
                    return Verdict::Replayed;
                }
                self.make_room(now_ms);
                self.nonces.insert(
                    credentials.nonce.clone(),
                    NonceUse {
                        issued_ms,
                        last_nc: nc,
                    },
                );
            }
        }
        Verdict::Authenticated { username }
    }

    /// Number of nonces whose nonce count is remembered.
    pub fn tracked_nonces(&self) -> usize {
        self.nonces.len()
    }

    /// Rejects what this server did not offer, before any hashing.
    fn check_offer(&self, c: &Credentials) -> Result<(), AuthError> {
        if c.realm != self.config.realm {
            return Err(AuthError::InvalidParameter {
                name: "realm",
                reason: "not the realm of this server",
            });
        }
        if !self.config.algorithms.contains(&c.algorithm()) {
            return Err(AuthError::InvalidParameter {
                name: "algorithm",
                reason: "not offered",
            });
        }
        match &c.qop {
            None if self.config.qop.is_empty() || self.config.allow_rfc2069 => {}
            None => return Err(AuthError::MissingParameter("qop")),
            Some(q) if self.config.qop.contains(q) => {}
            Some(_) => {
                return Err(AuthError::InvalidParameter {
                    name: "qop",
                    reason: "not offered",
                });
            }
        }
        if c.userhash == Some(true) {
            return Err(AuthError::InvalidParameter {
                name: "userhash",
                reason: "not offered",
            });
        }
        if c.response.len() != c.algorithm().hex_len() {
            return Err(AuthError::InvalidParameter {
                name: "response",
                reason: "wrong length for the algorithm",
            });
        }
        Ok(())
    }

    fn issue_nonce(&mut self, now: Instant) -> String {
        let issued_ms = self.ms_since_epoch(now).to_be_bytes();
        let serial = self.serial.to_be_bytes();
        self.serial = self.serial.wrapping_add(1);
        let mac = self.mac(&issued_ms, &serial);
        let mut raw = [0u8; NONCE_BYTES];
        raw[..8].copy_from_slice(&issued_ms);
        raw[8..12].copy_from_slice(&serial);
        raw[12..].copy_from_slice(&mac[..16]);
        hex::encode(raw)
    }

    fn mac(&self, issued_ms: &[u8], serial: &[u8]) -> [u8; 32] {
        hmac_sha256(
            &self.key,
            &[self.config.realm.as_bytes(), b"\0", issued_ms, serial],
        )
    }

    fn nonce_state(&self, nonce: &str, now_ms: u64) -> NonceState {
        let mut raw = [0u8; NONCE_BYTES];
        if hex::decode_to_slice(nonce, &mut raw).is_err() {
            return NonceState::Stale;
        }
        let (issued, rest) = raw.split_at(8);
        let (serial, tag) = rest.split_at(4);
        if !constant_time_eq(&self.mac(issued, serial)[..16], tag) {
            return NonceState::Stale;
        }
        let mut ms = [0u8; 8];
        ms.copy_from_slice(issued);
        let issued_ms = u64::from_be_bytes(ms);
        let lifetime = duration_ms(self.config.nonce_lifetime);
        if issued_ms > now_ms || now_ms - issued_ms > lifetime {
            return NonceState::Stale;
        }
        let evicted = self.evicted_up_to_ms.is_some_and(|t| issued_ms <= t);
        if evicted && !self.nonces.contains_key(nonce) {
            return NonceState::Stale;
        }
        NonceState::Fresh { issued_ms }
    }

    /// Sweeps expired nonces once per lifetime, and evicts the oldest eighth of the table when
    /// it is full of live ones.
    fn make_room(&mut self, now_ms: u64) {
        let lifetime = duration_ms(self.config.nonce_lifetime);
        let full = self.nonces.len() >= self.config.max_tracked_nonces;
        if full || now_ms >= self.next_sweep_ms {
            self.nonces
                .retain(|_, u| now_ms.saturating_sub(u.issued_ms) <= lifetime);
            self.next_sweep_ms = now_ms.saturating_add(lifetime);
        }
        if self.nonces.len() < self.config.max_tracked_nonces {
            return;
        }
        let mut issued: Vec<u64> = self.nonces.values().map(|u| u.issued_ms).collect();
        issued.sort_unstable();
        let Some(&cut) = issued.get(issued.len() / 8) else {
            return;
        };
        self.nonces.retain(|_, u| u.issued_ms > cut);
        self.evicted_up_to_ms = Some(self.evicted_up_to_ms.map_or(cut, |t| t.max(cut)));
    }

    fn ms_since_epoch(&self, now: Instant) -> u64 {
        duration_ms(now.saturating_duration_since(self.epoch))
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{DigestClient, DigestRequest, respond};
    use crate::ids::IdGenerator;

    const REALM: &str = "pbx.example.com";
    const USER: &str = "000413a1b2c3";
    const PASSWORD: &str = "s3cret";

    const REGISTER: DigestRequest<'static> = DigestRequest {
        method: "REGISTER",
        uri: "sip:pbx.example.com",
        body: b"",
    };

    fn server(config: DigestServerConfig, t0: Instant) -> DigestServer {
        DigestServer::new(config, IdGenerator::from_seed(1).nonce_secret(), t0)
    }

    fn passwords(user: &str, _: Algorithm) -> Option<Secret> {
        (user == USER).then(|| Secret::Password(PASSWORD.into()))
    }

    fn challenge_for(server: &mut DigestServer, now: Instant, algorithm: Algorithm) -> Challenge {
        server
            .challenges(now, false)
            .into_iter()
            .find(|c| c.algorithm() == algorithm)
            .expect("algorithm offered")
    }

    fn answer(challenge: &Challenge, password: &str, nc: u32) -> Credentials {
        respond(challenge, &REGISTER, USER, password, "c0ffee", nc).expect("answerable")
    }

    fn check(server: &mut DigestServer, credentials: &Credentials, now: Instant) -> Verdict {
        server.verify(credentials, "REGISTER", b"", now, passwords)
    }

    fn authenticated() -> Verdict {
        Verdict::Authenticated {
            username: USER.into(),
        }
    }

    #[test]
    fn offers_sha256_then_md5_with_one_nonce() {
        let t0 = Instant::now();
        let mut s = server(DigestServerConfig::new(REALM), t0);
        let challenges = s.challenges(t0, false);
        let algorithms: Vec<Algorithm> = challenges.iter().map(Challenge::algorithm).collect();
        assert_eq!(algorithms, [Algorithm::Sha256, Algorithm::Md5]);
        assert_eq!(challenges[0].nonce, challenges[1].nonce);
        assert_eq!(challenges[0].nonce.len(), 2 * NONCE_BYTES);
        assert_eq!(challenges[0].qop, [Qop::Auth]);
        assert!(!challenges[0].stale);
        assert_eq!(
            challenges[1].to_string(),
            format!(
                "Digest realm=\"{REALM}\", nonce=\"{}\", algorithm=MD5, qop=\"auth\"",
                challenges[1].nonce
            )
        );
        assert_ne!(s.challenges(t0, false)[0].nonce, challenges[0].nonce);
        assert!(s.challenges(t0, true).iter().all(|c| c.stale));
    }

    #[test]
    fn same_key_and_time_give_same_nonces() {
        let t0 = Instant::now();
        let mut a = server(DigestServerConfig::new(REALM), t0);
        let mut b = server(DigestServerConfig::new(REALM), t0);
        let later = t0 + Duration::from_secs(3);
        assert_eq!(a.challenges(later, false), b.challenges(later, false));
    }

    #[test]
    fn round_trip_each_algorithm_with_qop() {
        for algorithm in [
            Algorithm::Sha256,
            Algorithm::Md5,
            Algorithm::Sha256Sess,
            Algorithm::Md5Sess,
        ] {
            let t0 = Instant::now();
            let mut config = DigestServerConfig::new(REALM);
            config.algorithms = vec![algorithm];
            let mut s = server(config, t0);
            let ch = challenge_for(&mut s, t0, algorithm);
            let creds = answer(&ch, PASSWORD, 1);
            assert_eq!(creds.algorithm, Some(algorithm));
            let header = creds.to_string();
            assert_eq!(
                s.verify_header(&header, "REGISTER", b"", t0, passwords),
                authenticated(),
                "{algorithm}"
            );
        }
    }

    #[test]
    fn round_trip_without_qop() {
        for algorithm in [Algorithm::Sha256, Algorithm::Md5] {
            let t0 = Instant::now();
            let mut config = DigestServerConfig::new(REALM);
            config.qop.clear();
            let mut s = server(config, t0);
            let ch = challenge_for(&mut s, t0, algorithm);
            assert!(ch.qop.is_empty());
            let creds = answer(&ch, PASSWORD, 1);
            assert_eq!((creds.qop.as_ref(), creds.nc), (None, None));
            assert_eq!(check(&mut s, &creds, t0), authenticated(), "{algorithm}");
            // No nonce count, so nothing is tracked and a repeat within the lifetime passes.
            assert_eq!(check(&mut s, &creds, t0), authenticated());
            assert_eq!(s.tracked_nonces(), 0);
        }
    }

    #[test]
    fn rfc2069_credentials_can_be_refused() {
        let t0 = Instant::now();
        let mut config = DigestServerConfig::new(REALM);
        config.allow_rfc2069 = false;
        let mut s = server(config, t0);
        let mut ch = challenge_for(&mut s, t0, Algorithm::Md5);
        ch.qop.clear();
        assert_eq!(
            check(&mut s, &answer(&ch, PASSWORD, 1), t0),
            Verdict::Malformed(AuthError::MissingParameter("qop"))
        );
    }

    #[test]
    fn precomputed_ha1_is_accepted() {
        let t0 = Instant::now();
        let mut s = server(DigestServerConfig::new(REALM), t0);
        let ch = challenge_for(&mut s, t0, Algorithm::Sha256);
        let creds = answer(&ch, PASSWORD, 1);
        let verdict = s.verify(&creds, "REGISTER", b"", t0, |user, algorithm| {
            Some(Secret::Ha1(algorithm.ha1(user, REALM, PASSWORD)))
        });
        assert_eq!(verdict, authenticated());
    }

    #[test]
    fn wrong_password_and_unknown_user() {
        let t0 = Instant::now();
        let mut s = server(DigestServerConfig::new(REALM), t0);
        let ch = challenge_for(&mut s, t0, Algorithm::Sha256);
        assert_eq!(
            check(&mut s, &answer(&ch, "guess", 1), t0),
            Verdict::WrongResponse {
                username: USER.into()
            }
        );
        let stranger = respond(&ch, &REGISTER, "intruder", PASSWORD, "c", 1).expect("answerable");
        assert_eq!(
            check(&mut s, &stranger, t0),
            Verdict::UnknownUser {
                username: "intruder".into()
            }
        );
        // A digest over another method does not pass either.
        let creds = answer(&ch, PASSWORD, 1);
        assert_eq!(
            s.verify(&creds, "INVITE", b"", t0, passwords),
            Verdict::WrongResponse {
                username: USER.into()
            }
        );
    }

    #[test]
    fn nonce_goes_stale_after_its_lifetime() {
        let t0 = Instant::now();
        let mut s = server(DigestServerConfig::new(REALM), t0);
        let issued = t0 + Duration::from_secs(10);
        let ch = challenge_for(&mut s, issued, Algorithm::Sha256);
        let lifetime = s.config().nonce_lifetime;
        assert_eq!(
            check(&mut s, &answer(&ch, PASSWORD, 1), issued + lifetime),
            authenticated()
        );
        let late = issued + lifetime + Duration::from_millis(1);
        assert_eq!(
            check(&mut s, &answer(&ch, PASSWORD, 2), late),
            Verdict::Stale
        );
        // But a wrong password is reported as such, not as stale (RFC 7616 §3.3).
        assert_eq!(
            check(&mut s, &answer(&ch, "guess", 3), late),
            Verdict::WrongResponse {
                username: USER.into()
            }
        );
        let fresh = s.challenges(late, true);
        assert!(fresh[0].stale);
        assert_eq!(
            check(&mut s, &answer(&fresh[0], PASSWORD, 1), late),
            authenticated()
        );
    }

    #[test]
    fn forged_or_foreign_nonces_are_stale() {
        let t0 = Instant::now();
        let mut s = server(DigestServerConfig::new(REALM), t0);
        let ch = challenge_for(&mut s, t0, Algorithm::Sha256);

        let mut tampered = ch.clone();
        let last = tampered.nonce.pop().expect("non-empty nonce");
        tampered.nonce.push(if last == '0' { '1' } else { '0' });
        assert_eq!(
            check(&mut s, &answer(&tampered, PASSWORD, 1), t0),
            Verdict::Stale
        );

        let foreign = Challenge {
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            ..ch.clone()
        };
        assert_eq!(
            check(&mut s, &answer(&foreign, PASSWORD, 1), t0),
            Verdict::Stale
        );

        let other_key = DigestServer::new(
            DigestServerConfig::new(REALM),
            IdGenerator::from_seed(2).nonce_secret(),
            t0,
        )
        .challenges(t0, false)
        .remove(0);
        assert_eq!(
            check(&mut s, &answer(&other_key, PASSWORD, 1), t0),
            Verdict::Stale
        );

        // A nonce time-stamped in the future cannot be ours.
        let mut ahead = server(DigestServerConfig::new(REALM), t0);
        let future = challenge_for(&mut ahead, t0 + Duration::from_secs(60), Algorithm::Sha256);
        assert_eq!(
            check(&mut ahead, &answer(&future, PASSWORD, 1), t0),
            Verdict::Stale
        );
    }

    #[test]
    fn nonce_count_must_increase() {
        let t0 = Instant::now();
        let mut s = server(DigestServerConfig::new(REALM), t0);
        let ch = challenge_for(&mut s, t0, Algorithm::Md5);
        let first = answer(&ch, PASSWORD, 1);
        assert_eq!(check(&mut s, &first, t0), authenticated());
        assert_eq!(check(&mut s, &first, t0), Verdict::Replayed);
        assert_eq!(
            check(&mut s, &answer(&ch, PASSWORD, 3), t0),
            authenticated()
        );
        assert_eq!(
            check(&mut s, &answer(&ch, PASSWORD, 2), t0),
            Verdict::Replayed
        );
        assert_eq!(
            check(&mut s, &answer(&ch, PASSWORD, 4), t0),
            authenticated()
        );
        assert_eq!(s.tracked_nonces(), 1);

        let other = challenge_for(&mut s, t0, Algorithm::Md5);
        assert_eq!(
            check(&mut s, &answer(&other, PASSWORD, 0), t0),
            Verdict::Replayed
        );
    }

    #[test]
    fn client_and_server_agree_over_many_requests() {
        let t0 = Instant::now();
        let mut s = server(DigestServerConfig::new(REALM), t0);
        let mut client = DigestClient::new();
        let mut ids = IdGenerator::from_seed(3);
        let header_values: Vec<String> = s
            .challenges(t0, false)
            .iter()
            .map(Challenge::to_string)
            .collect();
        let best = crate::auth::best_challenges(header_values.iter().map(String::as_str))
            .expect("usable")
            .remove(0);
        assert_eq!(best.algorithm(), Algorithm::Sha256);
        for i in 1..=5u32 {
            let creds = client
                .authorize(&best, &REGISTER, USER, PASSWORD, &mut ids)
                .expect("answerable");
            assert_eq!(creds.nc, Some(i));
            let now = t0 + Duration::from_secs(u64::from(i));
            assert_eq!(
                s.verify_header(&creds.to_string(), "REGISTER", b"", now, passwords),
                authenticated()
            );
        }
    }

    #[test]
    fn auth_int_is_checked_against_the_body() {
        let t0 = Instant::now();
        let mut config = DigestServerConfig::new(REALM);
        config.qop = vec![Qop::AuthInt];
        let mut s = server(config, t0);
        let ch = challenge_for(&mut s, t0, Algorithm::Sha256);
        let request = DigestRequest {
            method: "INVITE",
            uri: "sip:bob@pbx.example.com",
            body: b"v=0\r\n",
        };
        let creds = respond(&ch, &request, USER, PASSWORD, "c", 1).expect("answerable");
        assert_eq!(
            s.verify(&creds, "INVITE", b"v=1\r\n", t0, passwords),
            Verdict::WrongResponse {
                username: USER.into()
            }
        );
        assert_eq!(
            s.verify(&creds, "INVITE", b"v=0\r\n", t0, passwords),
            authenticated()
        );
    }

    #[test]
    fn rejects_what_was_not_offered() {
        let t0 = Instant::now();
        let mut config = DigestServerConfig::new(REALM);
        config.algorithms = vec![Algorithm::Sha256];
        let mut s = server(config, t0);
        let ch = challenge_for(&mut s, t0, Algorithm::Sha256);
        let cases = [
            (
                Challenge {
                    realm: "elsewhere".into(),
                    ..ch.clone()
                },
                AuthError::InvalidParameter {
                    name: "realm",
                    reason: "not the realm of this server",
                },
            ),
            (
                Challenge {
                    algorithm: Some(Algorithm::Md5),
                    ..ch.clone()
                },
                AuthError::InvalidParameter {
                    name: "algorithm",
                    reason: "not offered",
                },
            ),
            (
                Challenge {
                    qop: vec![Qop::AuthInt],
                    ..ch.clone()
                },
                AuthError::InvalidParameter {
                    name: "qop",
                    reason: "not offered",
                },
            ),
        ];
        for (challenge, error) in cases {
            assert_eq!(
                check(&mut s, &answer(&challenge, PASSWORD, 1), t0),
                Verdict::Malformed(error)
            );
        }
        let mut short = answer(&ch, PASSWORD, 1);
        short.response.truncate(32);
        assert_eq!(
            check(&mut s, &short, t0),
            Verdict::Malformed(AuthError::InvalidParameter {
                name: "response",
                reason: "wrong length for the algorithm",
            })
        );
        let mut hashed = answer(&ch, PASSWORD, 1);
        hashed.userhash = Some(true);
        assert_eq!(
            check(&mut s, &hashed, t0),
            Verdict::Malformed(AuthError::InvalidParameter {
                name: "userhash",
                reason: "not offered",
            })
        );
        assert_eq!(
            s.verify_header("Digest username=\"u\"", "REGISTER", b"", t0, passwords),
            Verdict::Malformed(AuthError::MissingParameter("realm"))
        );
    }

    #[test]
    fn nonce_table_stays_bounded_and_evicted_nonces_go_stale() {
        let t0 = Instant::now();
        let mut config = DigestServerConfig::new(REALM);
        config.max_tracked_nonces = 8;
        let mut s = server(config, t0);
        let mut used = Vec::new();
        for i in 0..40u64 {
            let now = t0 + Duration::from_millis(i);
            let ch = challenge_for(&mut s, now, Algorithm::Sha256);
            assert_eq!(
                check(&mut s, &answer(&ch, PASSWORD, 1), now),
                authenticated()
            );
            assert!(s.tracked_nonces() <= 8, "{} tracked", s.tracked_nonces());
            used.push(ch);
        }
        // The first nonce was evicted; accepting nc=2 would be fine, but accepting nc=1 again
        // would be a replay, so an evicted nonce must not pass as new.
        let now = t0 + Duration::from_millis(40);
        assert_eq!(
            check(&mut s, &answer(&used[0], PASSWORD, 1), now),
            Verdict::Stale
        );
        // The newest is still tracked.
        assert_eq!(
            check(&mut s, &answer(&used[39], PASSWORD, 1), now),
            Verdict::Replayed
        );
        assert_eq!(
            check(&mut s, &answer(&used[39], PASSWORD, 2), now),
            authenticated()
        );
    }

    #[test]
    fn expired_nonces_are_swept() {
        let t0 = Instant::now();
        let mut s = server(DigestServerConfig::new(REALM), t0);
        for i in 0..50u64 {
            let now = t0 + Duration::from_millis(i);
            let ch = challenge_for(&mut s, now, Algorithm::Md5);
            assert_eq!(
                check(&mut s, &answer(&ch, PASSWORD, 1), now),
                authenticated()
            );
        }
        assert_eq!(s.tracked_nonces(), 50);
        let later = t0 + s.config().nonce_lifetime * 3;
        let ch = challenge_for(&mut s, later, Algorithm::Md5);
        assert_eq!(
            check(&mut s, &answer(&ch, PASSWORD, 1), later),
            authenticated()
        );
        assert_eq!(s.tracked_nonces(), 1);
    }
}
