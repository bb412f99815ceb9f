//! The phone registrar (RFC 3261 §10.3) as a sans-IO state machine.
//!
//! Phones register with their MAC address as user name and digest password (estos uaCSTA Server manual
//! §3.4.2): one server-wide phone password, or per-phone credentials from the configuration. A phone the
//! server has never seen is put into operation at once when auto-activation is on (manual §3.6), otherwise
//! it is listed as pending until an administrator activates it. The registrar reports what the rest of the
//! server acts on: a phone that came up (open its CSTA dialog), moved to a new contact (re-open it), went
//! down (un-REGISTER or expiry: its CSTA dialog is gone), or waits for activation.
//!
//! Time is passed in; `A` is whatever the caller uses to reach a phone (transport, address, connection).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use uacsta_sip::auth::{Algorithm, Credentials, DigestServer, DigestServerConfig, Secret, Verdict};
use uacsta_sip::header::{CallId, Contact, Expires, MinExpires, NameAddr, To, UserAgent};
use uacsta_sip::{HeaderName, Request, Response, StatusCode, Uri};

use crate::mac::Mac;

/// Registrar settings.
#[derive(Debug, Clone)]
pub struct RegistrarConfig {
    /// The digest realm.
    pub realm: String,
    /// The password every phone may use, when set.
    pub phone_password: Option<String>,
    /// Per-phone passwords; a phone listed here is known (and active) without auto-activation.
    pub credentials: HashMap<Mac, String>,
    /// Put unknown phones into operation on their first registration.
    pub auto_activate: bool,
    /// Shorter registrations are refused with 423 and this Min-Expires.
    pub min_expires: u32,
    /// Longer registrations are shortened to this.
    pub max_expires: u32,
    /// The expiry of a Contact that asks for none.
    pub default_expires: u32,
    /// Contacts kept per phone; the oldest goes when a new one would exceed it.
    pub max_bindings: usize,
    /// Digest algorithms challenged, in this order. MD5 comes first by default: many phones (and SIPp)
    /// answer only the first challenge and know only MD5 (docs/decisions/0009).
    pub digest_algorithms: Vec<Algorithm>,
}

impl Default for RegistrarConfig {
    fn default() -> RegistrarConfig {
        RegistrarConfig {
            realm: "uacsta".to_string(),
            phone_password: None,
            credentials: HashMap::new(),
            auto_activate: true,
            min_expires: 60,
            max_expires: 3600,
            default_expires: 600,
            max_bindings: 8,
            digest_algorithms: vec![Algorithm::Md5, Algorithm::Sha256],
        }
    }
}

/// Whether a phone may be controlled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Active,
    /// Registered but waiting for an administrator (auto-activation off).
    Pending,
}

/// One registered contact of a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding<A> {
    pub contact: NameAddr,
    pub expires_at: Instant,
    pub call_id: String,
    pub cseq: u32,
    /// Where the REGISTER came from.
    pub source: A,
    pub registered_at: Instant,
}

/// A phone the registrar knows.
#[derive(Debug, Clone)]
pub struct Phone<A> {
    pub mac: Mac,
    pub activation: Activation,
    /// Most recent registration last.
    pub bindings: Vec<Binding<A>>,
    pub user_agent: Option<String>,
    /// The address-of-record of its last registration.
    pub aor: Option<Uri>,
}

impl<A> Phone<A> {
    /// The binding requests to the phone go to: the most recently registered.
    pub fn current(&self) -> Option<&Binding<A>> {
        self.bindings.last()
    }

    pub fn is_registered(&self) -> bool {
        !self.bindings.is_empty()
    }
}

/// Why a phone went down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownReason {
    Unregistered,
    Expired,
    Deactivated,
}

/// What the registrar reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrarEvent<A> {
    /// An active phone has a binding where it had none: open its CSTA dialog.
    PhoneUp { mac: Mac, binding: Binding<A> },
    /// The phone's current contact changed (it re-registered from elsewhere): re-open its CSTA dialog.
    ContactChanged { mac: Mac, binding: Binding<A> },
    /// The last binding of an active phone went away: its CSTA dialog is gone.
    PhoneDown { mac: Mac, reason: DownReason },
    /// An unknown phone registered while auto-activation is off.
    Pending { mac: Mac },
}

/// The registrar.
pub struct Registrar<A> {
    config: RegistrarConfig,
    digest: DigestServer,
    phones: HashMap<Mac, Phone<A>>,
    events: VecDeque<RegistrarEvent<A>>,
    expiries: BinaryHeap<Reverse<(Instant, Mac)>>,
}

impl<A: Clone + PartialEq> Registrar<A> {
    /// `key` protects the nonces (draw it from a seeded generator in tests).
    pub fn new(config: RegistrarConfig, key: [u8; 32], now: Instant) -> Registrar<A> {
        let mut digest_config = DigestServerConfig::new(config.realm.clone());
        if !config.digest_algorithms.is_empty() {
            digest_config.algorithms = config.digest_algorithms.clone();
        }
        let digest = DigestServer::new(digest_config, key, now);
        Registrar {
            config,
            digest,
            phones: HashMap::new(),
            events: VecDeque::new(),
            expiries: BinaryHeap::new(),
        }
    }

    pub fn config(&self) -> &RegistrarConfig {
        &self.config
    }

    pub fn phone(&self, mac: &Mac) -> Option<&Phone<A>> {
        self.phones.get(mac)
    }

    /// Every known phone, in MAC order.
    pub fn phones(&self) -> Vec<&Phone<A>> {
        let mut list: Vec<_> = self.phones.values().collect();
        list.sort_by_key(|p| p.mac);
        list
    }

    pub fn poll_event(&mut self) -> Option<RegistrarEvent<A>> {
        self.events.pop_front()
    }

    /// The next binding expiry.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.expiries.peek().map(|Reverse((at, _))| *at)
    }

    /// Removes expired bindings; a phone left without any goes down.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(Reverse((at, mac))) = self.expiries.peek().copied() {
            if at > now {
                break;
            }
            self.expiries.pop();
            let Some(phone) = self.phones.get_mut(&mac) else {
                continue;
            };
            let before = phone.bindings.len();
            phone.bindings.retain(|b| b.expires_at > now);
            if before > 0 && phone.bindings.is_empty() && phone.activation == Activation::Active {
                self.events.push_back(RegistrarEvent::PhoneDown {
                    mac,
                    reason: DownReason::Expired,
                });
            }
        }
    }

    /// Puts a pending phone into operation; a registered one comes up at once.
    pub fn activate(&mut self, mac: Mac) -> bool {
        let Some(phone) = self.phones.get_mut(&mac) else {
            return false;
        };
        if phone.activation == Activation::Active {
            return true;
        }
        phone.activation = Activation::Active;
        if let Some(binding) = phone.current().cloned() {
            self.events
                .push_back(RegistrarEvent::PhoneUp { mac, binding });
        }
        true
    }

    /// Takes a phone out of operation; it stays registered and listed as pending.
    pub fn deactivate(&mut self, mac: Mac) -> bool {
        let Some(phone) = self.phones.get_mut(&mac) else {
            return false;
        };
        if phone.activation == Activation::Active && phone.is_registered() {
            self.events.push_back(RegistrarEvent::PhoneDown {
                mac,
                reason: DownReason::Deactivated,
            });
        }
        phone.activation = Activation::Pending;
        true
    }

    /// Answers a REGISTER (RFC 3261 §10.3). `source` is where it came from; `to_tag` goes on the
    /// response.
    pub fn handle_register(
        &mut self,
        request: &Request,
        source: A,
        to_tag: &str,
        now: Instant,
    ) -> Response {
        match self.register(request, source, to_tag, now) {
            Ok(response) | Err(response) => response,
        }
    }

    fn register(
        &mut self,
        request: &Request,
        source: A,
        to_tag: &str,
        now: Instant,
    ) -> Result<Response, Response> {
        let reply = |status: StatusCode, reason: Option<&str>| {
            let mut r = Response::to_request(request, status, Some(to_tag));
            if let Some(reason) = reason {
                r.reason = reason.to_string();
            }
            r
        };
        let to = request
            .headers
            .require::<To>()
            .map_err(|e| reply(StatusCode::BAD_REQUEST, Some(&format!("Bad Request ({e})"))))?;
        // A MAC written with colons reads as `user:password` in a SIP URI; put it back together.
        let aor_user = match to.uri.as_sip() {
            Some(sip) => match (&sip.user, &sip.password) {
                (Some(u), Some(p)) => format!("{u}:{p}"),
                (Some(u), None) => u.clone(),
                (None, _) => String::new(),
            },
            None => to.uri.user().unwrap_or_default().to_string(),
        };
        let mac: Mac = aor_user.parse().map_err(|_| {
            reply(
                StatusCode::NOT_FOUND,
                Some("Not Found (the user name must be the phone's MAC address)"),
            )
        })?;
        self.authenticate(request, mac, now, &reply)?;

        let contacts = request
            .headers
            .typed_all::<Contact>()
            .map_err(|e| reply(StatusCode::BAD_REQUEST, Some(&format!("Bad Request ({e})"))))?;
        let header_expires = match request.headers.typed::<Expires>() {
            Some(Ok(Expires(e))) => Some(e),
            Some(Err(e)) => {
                return Err(reply(
                    StatusCode::BAD_REQUEST,
                    Some(&format!("Bad Request ({e})")),
                ));
            }
            None => None,
        };
        let call_id = request
            .headers
            .require::<CallId>()
            .map_err(|e| reply(StatusCode::BAD_REQUEST, Some(&format!("Bad Request ({e})"))))?
            .0;
        let cseq = request
            .headers
            .require::<uacsta_sip::header::CSeq>()
            .map_err(|e| reply(StatusCode::BAD_REQUEST, Some(&format!("Bad Request ({e})"))))?
            .seq;

        // §10.3 step 6: '*' only alone and with Expires: 0.
        let star = contacts.iter().any(|c| matches!(c, Contact::Star));
        if star && (contacts.len() != 1 || header_expires != Some(0)) {
            return Err(reply(
                StatusCode::BAD_REQUEST,
                Some("Bad Request (Contact '*' needs Expires: 0 and no other Contact)"),
            ));
        }
        // §10.3 step 7: every requested expiry is checked before any binding changes.
        let mut updates = Vec::new();
        for contact in contacts.iter().filter_map(Contact::address) {
            let asked = Contact::Address(contact.clone())
                .expires()
                .or(header_expires)
                .unwrap_or(self.config.default_expires);
            if asked != 0 && asked < self.config.min_expires {
                let mut r = reply(StatusCode::INTERVAL_TOO_BRIEF, None);
                r.headers.push_typed(&MinExpires(self.config.min_expires));
                return Err(r);
            }
            updates.push((contact.clone(), asked.min(self.config.max_expires)));
        }

        let config_known = self.config.credentials.contains_key(&mac);
        let auto = self.config.auto_activate;
        let phone = self.phones.entry(mac).or_insert_with(|| Phone {
            mac,
            activation: if auto || config_known {
                Activation::Active
            } else {
                Activation::Pending
            },
            bindings: Vec::new(),
            user_agent: None,
            aor: None,
        });
        let first_time = phone.aor.is_none();
        // §10.3 step 7: a binding refreshed with the same Call-ID needs a higher CSeq.
        for (contact, _) in &updates {
            if let Some(b) = phone
                .bindings
                .iter()
                .find(|b| b.contact.uri.equivalent(&contact.uri))
                && b.call_id == call_id
                && cseq <= b.cseq
            {
                return Err(reply(
                    StatusCode::BAD_REQUEST,
                    Some("Bad Request (CSeq not above the registration's)"),
                ));
            }
        }
        let before = phone.current().cloned();
        if star {
            phone.bindings.clear();
        }
        for (contact, expires) in updates {
            phone
                .bindings
                .retain(|b| !b.contact.uri.equivalent(&contact.uri));
            if expires == 0 {
                continue;
            }
            let mut contact = contact;
            contact.params.remove("expires");
            let expires_at = now + Duration::from_secs(u64::from(expires));
            phone.bindings.push(Binding {
                contact,
                expires_at,
                call_id: call_id.clone(),
                cseq,
                source: source.clone(),
                registered_at: now,
            });
            self.expiries.push(Reverse((expires_at, mac)));
        }
        while phone.bindings.len() > self.config.max_bindings {
            phone.bindings.remove(0);
        }
        phone.aor = Some(to.uri.clone());
        if let Some(Ok(ua)) = request.headers.typed::<UserAgent>() {
            phone.user_agent = Some(ua.0);
        }

        let after = phone.current().cloned();
        if phone.activation == Activation::Active {
            match (&before, &after) {
                (None, Some(b)) => self.events.push_back(RegistrarEvent::PhoneUp {
                    mac,
                    binding: b.clone(),
                }),
                (Some(old), Some(new))
                    if !old.contact.uri.equivalent(&new.contact.uri)
                        || old.source != new.source =>
                {
                    self.events.push_back(RegistrarEvent::ContactChanged {
                        mac,
                        binding: new.clone(),
                    })
                }
                (Some(_), None) => self.events.push_back(RegistrarEvent::PhoneDown {
                    mac,
                    reason: DownReason::Unregistered,
                }),
                _ => {}
            }
        } else if first_time {
            self.events.push_back(RegistrarEvent::Pending { mac });
        }

        // §10.3 step 8: the 200 lists every current binding with its remaining time.
        let mut ok = reply(StatusCode::OK, None);
        if let Some(phone) = self.phones.get(&mac) {
            for b in &phone.bindings {
                let mut contact = b.contact.clone();
                let left = b.expires_at.saturating_duration_since(now).as_secs();
                contact.params.set("expires", Some(&left.to_string()));
                ok.headers.push_typed(&Contact::Address(contact));
            }
        }
        Ok(ok)
    }

    /// Digest authentication of a REGISTER (RFC 3261 §22.2, RFC 7616). The digest user must be the
    /// MAC of the address-of-record.
    fn authenticate(
        &mut self,
        request: &Request,
        mac: Mac,
        now: Instant,
        reply: &dyn Fn(StatusCode, Option<&str>) -> Response,
    ) -> Result<(), Response> {
        let realm = self.config.realm.clone();
        let credentials = request
            .headers
            .get_all(&HeaderName::Authorization)
            .filter_map(|v| Credentials::parse(v).ok())
            .find(|c| c.realm == realm);
        let Some(credentials) = credentials else {
            if let Some(bad) = request.headers.get(&HeaderName::Authorization)
                && let Err(e) = Credentials::parse(bad)
            {
                return Err(reply(
                    StatusCode::BAD_REQUEST,
                    Some(&format!("Bad Request ({e})")),
                ));
            }
            return Err(self.challenge(reply, now, false));
        };
        if let Ok(uri) = credentials.uri.parse::<Uri>()
            && !uri.equivalent(&request.uri)
        {
            return Err(reply(
                StatusCode::BAD_REQUEST,
                Some("Bad Request (digest uri does not match the Request-URI)"),
            ));
        }
        let password = self
            .config
            .credentials
            .get(&mac)
            .cloned()
            .or_else(|| self.config.phone_password.clone());
        let verdict = self.digest.verify(
            &credentials,
            "REGISTER",
            &request.body,
            now,
            |username, _| {
                let user_mac = username.parse::<Mac>().ok()?;
                (user_mac == mac).then(|| password.clone().map(Secret::Password))?
            },
        );
        match verdict {
            Verdict::Authenticated { .. } => Ok(()),
            Verdict::Stale => Err(self.challenge(reply, now, true)),
            Verdict::UnknownUser { .. } => Err(reply(
                StatusCode::FORBIDDEN,
                Some("Forbidden (unknown phone or user name is not the MAC of the To URI)"),
            )),
            Verdict::WrongResponse { .. } => Err(reply(
                StatusCode::FORBIDDEN,
                Some("Forbidden (wrong credentials)"),
            )),
            Verdict::Replayed => Err(reply(
                StatusCode::FORBIDDEN,
                Some("Forbidden (replayed nonce count)"),
            )),
            Verdict::Malformed(e) => Err(reply(
                StatusCode::BAD_REQUEST,
                Some(&format!("Bad Request ({e})")),
            )),
        }
    }

    fn challenge(
        &mut self,
        reply: &dyn Fn(StatusCode, Option<&str>) -> Response,
        now: Instant,
        stale: bool,
    ) -> Response {
        let mut r = reply(StatusCode::UNAUTHORIZED, None);
        for c in self.digest.challenges(now, stale) {
            r.headers.push(HeaderName::WwwAuthenticate, c.to_string());
        }
        r
    }
}
