//! The CSTA dialog with a phone, stepped on virtual time against a scripted phone that answers the way
//! real ones do (snom-style ed5 bodies; the 3CX/Bekiot separate-INFO flow; NOTIFY carriers).

use std::time::{Duration, Instant};

use bytes::Bytes;
use uacsta_csta::{CstaMessage, Edition, Mode};
use uacsta_server::phone_session::{
    CstaCarrier, DownReason, OutgoingId, PhoneSession, SessionConfig, SessionError, SessionEvent,
    SessionState,
};
use uacsta_sip::header::{CSeq, ContentType, SessionExpires, To};
use uacsta_sip::session_timer::SessionTimerConfig;
use uacsta_sip::{HeaderName, Host, Method, Request, Response, StatusCode, Uri};

const ED5: &str = "http://www.ecma-international.org/standards/ecma-323/csta/ed5";

fn config(carrier: CstaCarrier) -> SessionConfig {
    SessionConfig {
        keepalive: Duration::from_secs(60),
        session_timer: SessionTimerConfig::default(),
        request_timeout: Duration::from_secs(8),
        edition: Edition::Ed3,
        carrier,
        system_status_in_invite: true,
        system_register: true,
        local_uri: "sip:uacsta@192.0.2.1".parse().expect("uri"),
        contact: "sip:uacsta@192.0.2.1:5060;transport=tcp"
            .parse()
            .expect("uri"),
        via_transport: "TCP".into(),
        via_host: Host::Ip("192.0.2.1".parse().expect("ip")),
        via_port: Some(5060),
    }
}

fn xml(body: &str) -> Bytes {
    Bytes::from(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{body}"))
}

fn csta(name: &str, inner: &str) -> Bytes {
    xml(&format!("<{name} xmlns=\"{ED5}\">{inner}</{name}>"))
}

fn decode(body: &[u8]) -> CstaMessage {
    uacsta_csta::decode(body, Mode::Tolerant)
        .expect("CSTA body")
        .message
}

/// The phone's side of the dialog.
struct FakePhone {
    to_tag: &'static str,
    cseq: u32,
}

impl FakePhone {
    fn answer(&self, request: &Request, status: StatusCode, body: Option<Bytes>) -> Response {
        let mut r = Response::to_request(request, status, Some(self.to_tag));
        r.headers.push(
            HeaderName::Contact,
            "<sip:000413AABBCC@10.0.0.5:5060;transport=tcp>",
        );
        if let Some(body) = body {
            r.headers
                .push(HeaderName::ContentType, "application/csta+xml");
            r.body = body;
        }
        r
    }

    /// A request from the phone inside the dialog the INVITE created.
    fn request(&mut self, method: Method, invite: &Request, body: Bytes) -> Request {
        self.cseq += 1;
        let mut r = Request::new(
            method.clone(),
            "sip:uacsta@192.0.2.1:5060".parse().expect("uri"),
        );
        r.headers.push(
            HeaderName::Via,
            format!("SIP/2.0/TCP 10.0.0.5:5060;branch=z9hG4bKp{}", self.cseq),
        );
        let to = invite.headers.get(&HeaderName::To).expect("To");
        r.headers
            .push(HeaderName::From, format!("{to};tag={}", self.to_tag));
        r.headers.push(
            HeaderName::To,
            invite.headers.get(&HeaderName::From).expect("From"),
        );
        r.headers.push(
            HeaderName::CallId,
            invite.headers.get(&HeaderName::CallId).expect("Call-ID"),
        );
        r.headers
            .push(HeaderName::CSeq, format!("{} {method}", self.cseq));
        if method == Method::Notify {
            r.headers.push(HeaderName::Event, "uaCSTA");
        }
        r.headers
            .push(HeaderName::ContentType, "application/CSTA+xml");
        r.body = body;
        r
    }
}

fn outgoing(s: &mut PhoneSession) -> Vec<(OutgoingId, Request)> {
    std::iter::from_fn(|| s.poll_outgoing().map(|o| (o.id, o.request))).collect()
}

fn events(s: &mut PhoneSession) -> Vec<SessionEvent> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

/// Opens the dialog and answers start-up like a snom phone; returns the INVITE.
fn bring_up(s: &mut PhoneSession, phone: &FakePhone, now: Instant) -> Request {
    s.open(now);
    let sent = outgoing(s);
    assert_eq!(sent.len(), 1);
    let (id, invite) = sent.into_iter().next().expect("INVITE");
    let mut ok = phone.answer(
        &invite,
        StatusCode::OK,
        Some(csta(
            "RequestSystemStatusResponse",
            "<systemStatus>normal</systemStatus>",
        )),
    );
    ok.headers
        .push(HeaderName::SessionExpires, "1800;refresher=uac");
    s.handle_response(id, &ok, now);
    let ack = s.poll_ack().expect("ACK for the 2xx");
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.headers.require::<CSeq>().expect("CSeq").seq, 1);
    assert_eq!(
        ack.uri.to_string(),
        "sip:000413AABBCC@10.0.0.5:5060;transport=tcp"
    );
    // Start-up requests go one at a time: the next after the answer to the previous.
    assert_eq!(s.state(), SessionState::Starting);
    let mut names = Vec::new();
    loop {
        let mut batch = outgoing(s);
        assert!(
            batch.len() <= 1,
            "one start-up request at a time: {batch:?}"
        );
        let Some((id, request)) = batch.pop() else {
            break;
        };
        assert_eq!(request.method, Method::Info);
        let name = decode(&request.body).element_name();
        names.push(name);
        let body = match name {
            "SystemRegister" => csta(
                "SystemRegisterResponse",
                "<sysStatRegisterID>43</sysStatRegisterID>",
            ),
            _ => csta(
                "GetSwitchingFunctionDevicesResponse",
                "<serviceCrossRefID>7</serviceCrossRefID>",
            ),
        };
        s.handle_response(id, &phone.answer(&request, StatusCode::OK, Some(body)), now);
    }
    assert_eq!(names, ["SystemRegister", "GetSwitchingFunctionDevices"]);
    assert_eq!(events(s), vec![SessionEvent::Up]);
    assert_eq!(s.state(), SessionState::Ready);
    invite
}

fn monitor_start() -> CstaMessage {
    decode(&csta(
        "MonitorStart",
        "<monitorObject><deviceObject>sip:181@10.0.0.5</deviceObject></monitorObject>",
    ))
}

fn session() -> PhoneSession {
    PhoneSession::new(
        config(CstaCarrier::Info),
        "sip:000413AABBCC@10.0.0.5:5060;transport=tcp"
            .parse::<Uri>()
            .expect("uri"),
        "sip:000413AABBCC@192.0.2.1".parse().expect("uri"),
        11,
    )
}

#[test]
fn the_invite_carries_request_system_status_and_session_timer() {
    let mut s = session();
    let now = Instant::now();
    s.open(now);
    let (_, invite) = outgoing(&mut s).pop().expect("INVITE");
    assert_eq!(invite.method, Method::Invite);
    assert_eq!(
        invite.uri.to_string(),
        "sip:000413AABBCC@10.0.0.5:5060;transport=tcp"
    );
    let ct = invite
        .headers
        .require::<ContentType>()
        .expect("Content-Type");
    assert!(ct.is("application", "csta+xml"));
    assert_eq!(
        invite.headers.get(&HeaderName::ContentDisposition),
        Some("signal;handling=required")
    );
    assert_eq!(
        invite
            .headers
            .require::<SessionExpires>()
            .expect("Session-Expires")
            .delta,
        1800
    );
    assert_eq!(
        invite.headers.require::<To>().expect("To").uri.user(),
        Some("000413AABBCC")
    );
    let body = uacsta_csta::decode(&invite.body, Mode::Strict).expect("body");
    assert_eq!(body.message.element_name(), "RequestSystemStatus");
    assert_eq!(
        body.edition,
        Some(Edition::Ed3),
        "configured edition until the phone shows its own"
    );
    assert!(body.deviations.is_empty());
}

#[test]
fn start_up_then_requests_are_answered_in_the_2xx_in_the_phones_edition() {
    let mut s = session();
    let now = Instant::now();
    let phone = FakePhone {
        to_tag: "ph1",
        cseq: 0,
    };
    let invite = bring_up(&mut s, &phone, now);
    assert_eq!(s.edition(), Edition::Ed5, "the phone answered in ed5");

    s.request(&monitor_start(), 77, now).expect("ready");
    let (id, info) = outgoing(&mut s).pop().expect("INFO");
    assert_eq!(info.method, Method::Info);
    assert_eq!(
        info.headers.get(&HeaderName::CallId),
        invite.headers.get(&HeaderName::CallId)
    );
    assert!(
        info.headers
            .get(&HeaderName::To)
            .expect("To")
            .contains("tag=ph1")
    );
    assert_eq!(
        info.headers.require::<CSeq>().expect("CSeq").seq,
        4,
        "INVITE 1, two start-up INFOs"
    );
    let sent = uacsta_csta::decode(&info.body, Mode::Strict).expect("body");
    assert_eq!(sent.edition, Some(Edition::Ed5));
    let answer = csta(
        "MonitorStartResponse",
        "<monitorCrossRefID>43</monitorCrossRefID>",
    );
    s.handle_response(
        id,
        &phone.answer(&info, StatusCode::OK, Some(answer.clone())),
        now,
    );
    assert_eq!(
        events(&mut s),
        vec![SessionEvent::Response {
            token: 77,
            result: Ok(decode(&answer))
        }]
    );
}

#[test]
fn responses_in_a_separate_info_are_matched_before_or_after_the_2xx() {
    let mut s = session();
    let now = Instant::now();
    let mut phone = FakePhone {
        to_tag: "ph1",
        cseq: 100,
    };
    let invite = bring_up(&mut s, &phone, now);

    // 3CX/Bekiot flow: an empty 200 OK, then the response in an INFO of its own.
    s.request(&monitor_start(), 1, now).expect("ready");
    let (id, info) = outgoing(&mut s).pop().expect("INFO");
    s.handle_response(id, &phone.answer(&info, StatusCode::OK, None), now);
    assert!(events(&mut s).is_empty());
    let answer = csta(
        "MonitorStartResponse",
        "<monitorCrossRefID>9</monitorCrossRefID>",
    );
    let separate = phone.request(Method::Info, &invite, answer.clone());
    assert_eq!(s.handle_request(&separate, now).status, StatusCode::OK);
    assert_eq!(
        events(&mut s),
        vec![SessionEvent::Response {
            token: 1,
            result: Ok(decode(&answer))
        }]
    );

    // The separate response may even overtake the 2xx.
    s.request(&monitor_start(), 2, now).expect("ready");
    let (id, info) = outgoing(&mut s).pop().expect("INFO");
    let error = csta(
        "CSTAErrorCode",
        "<operation>invalidMonitorObject</operation>",
    );
    let early = phone.request(Method::Info, &invite, error.clone());
    assert_eq!(s.handle_request(&early, now).status, StatusCode::OK);
    assert_eq!(
        events(&mut s),
        vec![SessionEvent::Response {
            token: 2,
            result: Ok(decode(&error))
        }]
    );
    s.handle_response(id, &phone.answer(&info, StatusCode::OK, None), now);
    assert!(events(&mut s).is_empty(), "answered once only");
}

#[test]
fn events_and_line_lists_from_the_phone() {
    let mut s = session();
    let now = Instant::now();
    let mut phone = FakePhone {
        to_tag: "ph1",
        cseq: 100,
    };
    let invite = bring_up(&mut s, &phone, now);
    let devices = csta(
        "SwitchingFunctionDevices",
        "<serviceCrossRefID>7</serviceCrossRefID><lastSegment>true</lastSegment><deviceList>\
         <deviceListItem><deviceID>sip:181@10.0.0.5</deviceID></deviceListItem>\
         <deviceListItem><deviceID>sip:182@10.0.0.5</deviceID></deviceListItem></deviceList>",
    );
    let info = phone.request(Method::Info, &invite, devices);
    assert_eq!(s.handle_request(&info, now).status, StatusCode::OK);
    let evs = events(&mut s);
    assert_eq!(
        evs[0],
        SessionEvent::Devices(vec!["sip:181@10.0.0.5".into(), "sip:182@10.0.0.5".into()])
    );
    assert!(
        matches!(&evs[1], SessionEvent::Event(m) if m.element_name() == "SwitchingFunctionDevices")
    );

    let delivered = csta(
        "DeliveredEvent",
        "<monitorCrossRefID>43</monitorCrossRefID><connection><callID>-12</callID>\
         <deviceID>sip:181@10.0.0.5</deviceID></connection><alertingDevice><deviceIdentifier>sip:181@10.0.0.5\
         </deviceIdentifier></alertingDevice><callingDevice><deviceIdentifier>sip:200@10.0.0.9</deviceIdentifier>\
         </callingDevice><calledDevice><deviceIdentifier>sip:181@10.0.0.5</deviceIdentifier></calledDevice>\
         <lastRedirectionDevice><notRequired/></lastRedirectionDevice><localConnectionInfo>alerting\
         </localConnectionInfo><cause>newCall</cause>",
    );
    let info = phone.request(Method::Info, &invite, delivered.clone());
    assert_eq!(s.handle_request(&info, now).status, StatusCode::OK);
    assert_eq!(
        events(&mut s),
        vec![SessionEvent::Event(decode(&delivered))]
    );

    // Garbage in the body is refused with a reason, the dialog stays.
    let bad = phone.request(Method::Info, &invite, Bytes::from_static(b"<notCsta"));
    let r = s.handle_request(&bad, now);
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.reason.contains("CSTA body"), "{}", r.reason);
    assert_eq!(s.state(), SessionState::Ready);
}

#[test]
fn an_unanswered_request_times_out_and_a_dead_keepalive_takes_the_dialog_down() {
    let mut s = session();
    let t0 = Instant::now();
    let phone = FakePhone {
        to_tag: "ph1",
        cseq: 0,
    };
    bring_up(&mut s, &phone, t0);
    s.request(&monitor_start(), 5, t0).expect("ready");
    outgoing(&mut s);
    let deadline = s.poll_timeout().expect("deadline");
    assert_eq!(deadline, t0 + Duration::from_secs(8));
    s.handle_timeout(deadline);
    assert_eq!(
        events(&mut s),
        vec![SessionEvent::Response {
            token: 5,
            result: Err(SessionError::Timeout(Duration::from_secs(8)))
        }]
    );

    // The keep-alive goes out every 60 s; unanswered, the dialog is down.
    let keepalive_at = t0 + Duration::from_secs(60);
    assert_eq!(s.poll_timeout(), Some(keepalive_at));
    s.handle_timeout(keepalive_at);
    let (_, ka) = outgoing(&mut s).pop().expect("keep-alive");
    assert_eq!(decode(&ka.body).element_name(), "RequestSystemStatus");
    s.handle_timeout(keepalive_at + Duration::from_secs(8));
    assert_eq!(
        events(&mut s),
        vec![SessionEvent::Down(DownReason::NoAnswer(
            "keep-alive unanswered".into()
        ))]
    );
    assert_eq!(s.state(), SessionState::Down);
    assert_eq!(
        s.request(&monitor_start(), 6, t0),
        Err(SessionError::NotReady)
    );
}

#[test]
fn the_session_is_refreshed_by_reinvite_at_half_the_interval() {
    let mut s = session();
    let t0 = Instant::now();
    let phone = FakePhone {
        to_tag: "ph1",
        cseq: 0,
    };
    bring_up(&mut s, &phone, t0);
    // Keep-alives answered along the way.
    let half = t0 + Duration::from_secs(900);
    let mut now = t0;
    let mut refreshed = None;
    while now < half + Duration::from_secs(1) {
        now = s.poll_timeout().expect("a deadline");
        s.handle_timeout(now);
        for (id, request) in outgoing(&mut s) {
            if request.method == Method::Invite {
                refreshed = Some((now, request.clone()));
                let mut ok = phone.answer(&request, StatusCode::OK, None);
                ok.headers
                    .push(HeaderName::SessionExpires, "1800;refresher=uac");
                s.handle_response(id, &ok, now);
                assert_eq!(
                    s.poll_ack()
                        .expect("ACK")
                        .headers
                        .require::<CSeq>()
                        .expect("CSeq")
                        .method,
                    Method::Ack
                );
            } else {
                let answer = csta(
                    "RequestSystemStatusResponse",
                    "<systemStatus>normal</systemStatus>",
                );
                s.handle_response(
                    id,
                    &phone.answer(&request, StatusCode::OK, Some(answer)),
                    now,
                );
            }
        }
    }
    let (at, reinvite) = refreshed.expect("a refresh");
    assert_eq!(at, half);
    assert!(
        reinvite
            .headers
            .get(&HeaderName::To)
            .expect("To")
            .contains("tag=ph1")
    );
    assert_eq!(
        reinvite
            .headers
            .require::<SessionExpires>()
            .expect("Session-Expires")
            .delta,
        1800
    );
    assert_eq!(s.state(), SessionState::Ready);
    assert!(events(&mut s).is_empty());
}

#[test]
fn a_phone_without_csta_refuses_and_a_phone_may_end_the_dialog() {
    let mut s = session();
    let now = Instant::now();
    s.open(now);
    let (id, invite) = outgoing(&mut s).pop().expect("INVITE");
    let phone = FakePhone {
        to_tag: "x",
        cseq: 0,
    };
    s.handle_response(
        id,
        &phone.answer(&invite, StatusCode::NOT_ACCEPTABLE_HERE, None),
        now,
    );
    assert_eq!(
        events(&mut s),
        vec![SessionEvent::Down(DownReason::Refused(488))]
    );

    let mut s = session();
    let mut phone = FakePhone {
        to_tag: "ph1",
        cseq: 50,
    };
    let invite = bring_up(&mut s, &phone, now);
    s.request(&monitor_start(), 9, now).expect("ready");
    outgoing(&mut s);
    let bye = phone.request(Method::Bye, &invite, Bytes::new());
    assert_eq!(s.handle_request(&bye, now).status, StatusCode::OK);
    assert_eq!(
        events(&mut s),
        vec![
            SessionEvent::Response {
                token: 9,
                result: Err(SessionError::Down)
            },
            SessionEvent::Down(DownReason::EndedByPhone)
        ]
    );
}

#[test]
fn phones_that_want_notify_get_notify_with_event_uacsta() {
    let mut s = PhoneSession::new(
        config(CstaCarrier::Notify),
        "sip:000413AABBCC@10.0.0.5:5060"
            .parse::<Uri>()
            .expect("uri"),
        "sip:000413AABBCC@192.0.2.1".parse().expect("uri"),
        3,
    );
    let now = Instant::now();
    s.open(now);
    let (id, invite) = outgoing(&mut s).pop().expect("INVITE");
    let phone = FakePhone {
        to_tag: "n1",
        cseq: 0,
    };
    s.handle_response(id, &phone.answer(&invite, StatusCode::OK, None), now);
    for (_, request) in outgoing(&mut s) {
        assert_eq!(request.method, Method::Notify);
        assert_eq!(request.headers.get(&HeaderName::Event), Some("uaCSTA"));
    }
}
