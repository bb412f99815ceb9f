//! The registrar on virtual time: MAC user names, digest (wrong password, stale and replayed nonces),
//! activation, expiry rules (423), un-REGISTER, several contacts, re-registration from a new address.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use uacsta_server::mac::Mac;
use uacsta_server::registrar::{
    Activation, DownReason, Registrar, RegistrarConfig, RegistrarEvent,
};
use uacsta_sip::auth::{Challenge, DigestRequest, respond};
use uacsta_sip::header::{Contact, MinExpires, WwwAuthenticate};
use uacsta_sip::ids::IdGenerator;
use uacsta_sip::{HeaderName, Method, Request, Response, StatusCode};

const MAC: &str = "000413AABBCC";
const PASSWORD: &str = "phones-secret";
type Source = &'static str;

struct Phone {
    mac: String,
    call_id: String,
    cseq: u32,
    nc: u32,
    challenge: Option<Challenge>,
}

impl Phone {
    fn new(mac: &str) -> Phone {
        Phone {
            mac: mac.to_string(),
            call_id: format!("reg-{mac}"),
            cseq: 0,
            nc: 0,
            challenge: None,
        }
    }

    fn register(&mut self, contacts: &[&str], expires: Option<u32>) -> Request {
        self.cseq += 1;
        let mut r = Request::new(Method::Register, "sip:uacsta.test".parse().expect("uri"));
        r.headers.push(
            HeaderName::Via,
            format!("SIP/2.0/TCP 10.0.0.5:5060;branch=z9hG4bKreg{}", self.cseq),
        );
        r.headers.push(
            HeaderName::From,
            format!("<sip:{}@uacsta.test>;tag=p1", self.mac),
        );
        r.headers
            .push(HeaderName::To, format!("<sip:{}@uacsta.test>", self.mac));
        r.headers.push(HeaderName::CallId, self.call_id.clone());
        r.headers
            .push(HeaderName::CSeq, format!("{} REGISTER", self.cseq));
        r.headers.push(HeaderName::UserAgent, "snomD785/10.1.54.13");
        for c in contacts {
            r.headers.push(HeaderName::Contact, *c);
        }
        if let Some(e) = expires {
            r.headers.push(HeaderName::Expires, e.to_string());
        }
        r
    }

    fn authorize(&mut self, request: &mut Request, password: &str) {
        let challenge = self.challenge.as_ref().expect("a challenge to answer");
        self.nc += 1;
        let creds = respond(
            challenge,
            &DigestRequest {
                method: "REGISTER",
                uri: &request.uri.to_string(),
                body: &[],
            },
            &self.mac,
            password,
            "0a4f113b",
            self.nc,
        )
        .expect("credentials");
        request
            .headers
            .push(HeaderName::Authorization, creds.to_string());
    }

    fn learn(&mut self, response: &Response) {
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{response:?}");
        let challenges: Vec<Challenge> = response
            .headers
            .typed_all::<WwwAuthenticate>()
            .expect("challenges")
            .into_iter()
            .map(|w| w.0)
            .collect();
        self.challenge = uacsta_sip::auth::best_challenge(&challenges).cloned();
        self.nc = 0;
    }
}

fn registrar(auto_activate: bool) -> (Registrar<Source>, Instant) {
    let now = Instant::now();
    let mut key = [0u8; 32];
    key.copy_from_slice(&IdGenerator::from_seed(3).nonce_secret());
    let config = RegistrarConfig {
        phone_password: Some(PASSWORD.to_string()),
        auto_activate,
        ..RegistrarConfig::default()
    };
    (Registrar::new(config, key, now), now)
}

/// REGISTER, 401, REGISTER with credentials: the final response.
fn register_with_auth(
    reg: &mut Registrar<Source>,
    phone: &mut Phone,
    contacts: &[&str],
    expires: Option<u32>,
    source: Source,
    now: Instant,
) -> Response {
    let first = reg.handle_register(&phone.register(contacts, expires), source, "t", now);
    phone.learn(&first);
    let mut second = phone.register(contacts, expires);
    phone.authorize(&mut second, PASSWORD);
    reg.handle_register(&second, source, "t", now)
}

fn events(reg: &mut Registrar<Source>) -> Vec<RegistrarEvent<Source>> {
    std::iter::from_fn(|| reg.poll_event()).collect()
}

#[test]
fn first_register_is_challenged_then_accepted_and_the_phone_comes_up() {
    let (mut reg, now) = registrar(true);
    let mut phone = Phone::new(MAC);
    let first = reg.handle_register(
        &phone.register(
            &["<sip:000413aabbcc@10.0.0.5:5060;transport=tcp>"],
            Some(600),
        ),
        "10.0.0.5",
        "t",
        now,
    );
    assert_eq!(first.status, StatusCode::UNAUTHORIZED);
    let offered: Vec<String> = first
        .headers
        .get_all(&HeaderName::WwwAuthenticate)
        .map(str::to_string)
        .collect();
    assert_eq!(offered.len(), 2, "MD5 and SHA-256: {offered:?}");
    assert!(offered[0].contains("MD5") && offered[1].contains("SHA-256"));
    assert!(events(&mut reg).is_empty());

    phone.learn(&first);
    let mut second = phone.register(
        &["<sip:000413aabbcc@10.0.0.5:5060;transport=tcp>"],
        Some(600),
    );
    phone.authorize(&mut second, PASSWORD);
    let ok = reg.handle_register(&second, "10.0.0.5", "t", now);
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.reason);
    let contacts = ok.headers.typed_all::<Contact>().expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].expires(), Some(600));

    let mac: Mac = MAC.parse().expect("mac");
    let evs = events(&mut reg);
    assert_eq!(evs.len(), 1);
    match &evs[0] {
        RegistrarEvent::PhoneUp { mac: m, binding } => {
            assert_eq!(*m, mac);
            assert_eq!(binding.source, "10.0.0.5");
            assert_eq!(
                binding.contact.uri.to_string(),
                "sip:000413aabbcc@10.0.0.5:5060;transport=tcp"
            );
        }
        other => panic!("expected PhoneUp, got {other:?}"),
    }
    let p = reg.phone(&mac).expect("listed");
    assert_eq!(p.activation, Activation::Active);
    assert_eq!(p.user_agent.as_deref(), Some("snomD785/10.1.54.13"));
}

#[test]
fn mac_in_any_spelling_is_the_same_phone() {
    let (mut reg, now) = registrar(true);
    let mut phone = Phone::new("00:04:13:aa:bb:cc");
    let ok = register_with_auth(&mut reg, &mut phone, &["<sip:p@10.0.0.5>"], None, "a", now);
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.reason);
    assert!(reg.phone(&MAC.parse().expect("mac")).is_some());
    let mut not_mac = Phone::new("alice");
    let r = reg.handle_register(
        &not_mac.register(&["<sip:alice@10.0.0.9>"], None),
        "b",
        "t",
        now,
    );
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.reason.contains("MAC"), "{}", r.reason);
}

#[test]
fn wrong_password_stale_and_replayed_nonces_are_rejected() {
    let (mut reg, now) = registrar(true);
    let mut phone = Phone::new(MAC);
    let first = reg.handle_register(&phone.register(&["<sip:p@10.0.0.5>"], None), "a", "t", now);
    phone.learn(&first);

    let mut wrong = phone.register(&["<sip:p@10.0.0.5>"], None);
    phone.authorize(&mut wrong, "not-the-password");
    let r = reg.handle_register(&wrong, "a", "t", now);
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.reason.contains("wrong credentials"), "{}", r.reason);

    let mut good = phone.register(&["<sip:p@10.0.0.5>"], None);
    phone.authorize(&mut good, PASSWORD);
    assert_eq!(
        reg.handle_register(&good, "a", "t", now).status,
        StatusCode::OK
    );

    // The same credentials again: the nonce count did not increase.
    let mut replay = good.clone();
    replay.headers.set(HeaderName::CSeq, "99 REGISTER");
    let r = reg.handle_register(&replay, "a", "t", now);
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.reason.contains("replayed"), "{}", r.reason);

    // After the nonce lifetime (five minutes) the right password gets a stale challenge.
    let later = now + Duration::from_secs(301);
    let mut old = phone.register(&["<sip:p@10.0.0.5>"], None);
    phone.authorize(&mut old, PASSWORD);
    let r = reg.handle_register(&old, "a", "t", later);
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let w = r.headers.require::<WwwAuthenticate>().expect("challenge");
    assert!(w.0.stale, "stale=true expected: {:?}", w.0);

    // Another phone's MAC as digest user for this AOR is refused.
    let mut other = phone.register(&["<sip:p@10.0.0.5>"], None);
    let creds = respond(
        phone.challenge.as_ref().expect("challenge"),
        &DigestRequest {
            method: "REGISTER",
            uri: "sip:uacsta.test",
            body: &[],
        },
        "000413DDEEFF",
        PASSWORD,
        "c",
        1,
    )
    .expect("credentials");
    other
        .headers
        .push(HeaderName::Authorization, creds.to_string());
    assert_eq!(
        reg.handle_register(&other, "a", "t", now).status,
        StatusCode::FORBIDDEN
    );
}

#[test]
fn too_brief_expiry_gets_423_with_min_expires_and_long_ones_are_capped() {
    let (mut reg, now) = registrar(true);
    let mut phone = Phone::new(MAC);
    let r = register_with_auth(
        &mut reg,
        &mut phone,
        &["<sip:p@10.0.0.5>"],
        Some(30),
        "a",
        now,
    );
    assert_eq!(r.status, StatusCode::INTERVAL_TOO_BRIEF);
    assert_eq!(
        r.headers.require::<MinExpires>().expect("Min-Expires"),
        MinExpires(60)
    );
    assert!(events(&mut reg).is_empty());

    let r = register_with_auth(
        &mut reg,
        &mut phone,
        &["<sip:p@10.0.0.5>;expires=99999"],
        None,
        "a",
        now,
    );
    assert_eq!(r.status, StatusCode::OK);
    let c = r.headers.require::<Contact>().expect("contact");
    assert_eq!(c.expires(), Some(3600));
}

#[test]
fn unregister_and_expiry_take_the_phone_down() {
    let (mut reg, now) = registrar(true);
    let mac: Mac = MAC.parse().expect("mac");
    let mut phone = Phone::new(MAC);
    register_with_auth(
        &mut reg,
        &mut phone,
        &["<sip:p@10.0.0.5>"],
        Some(120),
        "a",
        now,
    );
    assert!(matches!(
        events(&mut reg)[..],
        [RegistrarEvent::PhoneUp { .. }]
    ));

    let r = register_with_auth(&mut reg, &mut phone, &["*"], Some(0), "a", now);
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get(&HeaderName::Contact).is_none());
    assert_eq!(
        events(&mut reg),
        vec![RegistrarEvent::PhoneDown {
            mac,
            reason: DownReason::Unregistered
        }]
    );

    register_with_auth(
        &mut reg,
        &mut phone,
        &["<sip:p@10.0.0.5>"],
        Some(120),
        "a",
        now,
    );
    assert!(matches!(
        events(&mut reg)[..],
        [RegistrarEvent::PhoneUp { .. }]
    ));
    let deadline = reg.poll_timeout().expect("an expiry");
    assert_eq!(deadline, now + Duration::from_secs(120));
    reg.handle_timeout(deadline - Duration::from_millis(1));
    assert!(events(&mut reg).is_empty());
    reg.handle_timeout(deadline);
    assert_eq!(
        events(&mut reg),
        vec![RegistrarEvent::PhoneDown {
            mac,
            reason: DownReason::Expired
        }]
    );
    assert!(!reg.phone(&mac).expect("still listed").is_registered());
}

#[test]
fn several_contacts_and_reregistration_from_a_new_address() {
    let (mut reg, now) = registrar(true);
    let mac: Mac = MAC.parse().expect("mac");
    let mut phone = Phone::new(MAC);
    let r = register_with_auth(
        &mut reg,
        &mut phone,
        &[
            "<sip:p@10.0.0.5>;expires=300",
            "<sip:p@10.0.0.6>;expires=600",
        ],
        None,
        "a",
        now,
    );
    assert_eq!(r.headers.typed_all::<Contact>().expect("contacts").len(), 2);
    events(&mut reg);

    // Re-registration from a new address (a new Call-ID after a reboot): the current contact moves.
    let mut rebooted = Phone::new(MAC);
    rebooted.call_id = "after-reboot".into();
    register_with_auth(
        &mut reg,
        &mut rebooted,
        &["<sip:p@10.0.0.7>"],
        Some(300),
        "b",
        now,
    );
    match &events(&mut reg)[..] {
        [RegistrarEvent::ContactChanged { mac: m, binding }] => {
            assert_eq!(*m, mac);
            assert_eq!(binding.source, "b");
            assert_eq!(binding.contact.uri.to_string(), "sip:p@10.0.0.7");
        }
        other => panic!("expected ContactChanged, got {other:?}"),
    }
    assert_eq!(reg.phone(&mac).expect("phone").bindings.len(), 3);

    // A refresh of a binding with the same Call-ID and a lower CSeq is refused.
    let mut stale = phone.register(&["<sip:p@10.0.0.5>"], Some(300));
    stale.headers.set(HeaderName::CSeq, "1 REGISTER");
    phone.authorize(&mut stale, PASSWORD);
    let r = reg.handle_register(&stale, "a", "t", now);
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.reason.contains("CSeq"), "{}", r.reason);
}

#[test]
fn unknown_phones_wait_for_activation_when_auto_activation_is_off() {
    let (mut reg, now) = registrar(false);
    let mac: Mac = MAC.parse().expect("mac");
    let mut phone = Phone::new(MAC);
    let r = register_with_auth(&mut reg, &mut phone, &["<sip:p@10.0.0.5>"], None, "a", now);
    assert_eq!(r.status, StatusCode::OK, "a pending phone stays registered");
    assert_eq!(events(&mut reg), vec![RegistrarEvent::Pending { mac }]);
    assert_eq!(
        reg.phone(&mac).expect("listed").activation,
        Activation::Pending
    );
    assert!(reg.activate(mac));
    match &events(&mut reg)[..] {
        [RegistrarEvent::PhoneUp { mac: m, .. }] => assert_eq!(*m, mac),
        other => panic!("expected PhoneUp, got {other:?}"),
    }
    assert!(reg.deactivate(mac));
    assert_eq!(
        events(&mut reg),
        vec![RegistrarEvent::PhoneDown {
            mac,
            reason: DownReason::Deactivated
        }]
    );
}

#[test]
fn the_challenged_algorithms_follow_the_configuration() {
    let now = Instant::now();
    let config = RegistrarConfig {
        phone_password: Some(PASSWORD.into()),
        digest_algorithms: vec![uacsta_sip::auth::Algorithm::Sha256],
        ..RegistrarConfig::default()
    };
    let mut reg: Registrar<Source> = Registrar::new(config, [1; 32], now);
    let mut phone = Phone::new(MAC);
    let r = reg.handle_register(&phone.register(&["<sip:p@10.0.0.5>"], None), "a", "t", now);
    let offered: Vec<&str> = r.headers.get_all(&HeaderName::WwwAuthenticate).collect();
    assert_eq!(offered.len(), 1);
    assert!(offered[0].contains("SHA-256"), "{offered:?}");
    // A SHA-256 answer registers.
    phone.learn(&r);
    let mut second = phone.register(&["<sip:p@10.0.0.5>"], None);
    phone.authorize(&mut second, PASSWORD);
    assert_eq!(
        reg.handle_register(&second, "a", "t", now).status,
        StatusCode::OK
    );
}

#[test]
fn per_phone_credentials_override_the_shared_password() {
    let now = Instant::now();
    let mac: Mac = MAC.parse().expect("mac");
    let config = RegistrarConfig {
        phone_password: None,
        credentials: HashMap::from([(mac, "own".to_string())]),
        auto_activate: false,
        ..RegistrarConfig::default()
    };
    let mut reg: Registrar<Source> = Registrar::new(config, [7; 32], now);
    let mut phone = Phone::new(MAC);
    let first = reg.handle_register(&phone.register(&["<sip:p@10.0.0.5>"], None), "a", "t", now);
    phone.learn(&first);
    let mut req = phone.register(&["<sip:p@10.0.0.5>"], None);
    phone.authorize(&mut req, "own");
    assert_eq!(
        reg.handle_register(&req, "a", "t", now).status,
        StatusCode::OK
    );
    // Configured phones are known: active without auto-activation.
    assert!(matches!(
        events(&mut reg)[..],
        [RegistrarEvent::PhoneUp { .. }]
    ));

    let mut stranger = Phone::new("000413000001");
    let first = reg.handle_register(
        &stranger.register(&["<sip:s@10.0.0.8>"], None),
        "s",
        "t",
        now,
    );
    stranger.learn(&first);
    let mut req = stranger.register(&["<sip:s@10.0.0.8>"], None);
    stranger.authorize(&mut req, "own");
    let r = reg.handle_register(&req, "s", "t", now);
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "no shared password: unknown phones are refused"
    );
}
