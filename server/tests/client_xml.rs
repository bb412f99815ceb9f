//! The CSTA XML client interface (ECMA-323 Annex J.2 framing, ECMA-354 application sessions), fed
//! with the bytes a CTI client sends, in arbitrary chunks, on virtual time.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use uacsta_csta::framing::{FrameDecoder, InvokeIdField, encode_frame};
use uacsta_csta::{CstaMessage, Edition, Mode};
use uacsta_server::client_xml::{ClientEnd, XmlClientConfig, XmlClientEvent, XmlClientSession};

const ED3: &str = "http://www.ecma-international.org/standards/ecma-323/csta/ed3";
const ED5: &str = "http://www.ecma-international.org/standards/ecma-323/csta/ed5";
const ACSE: &str = "http://www.ecma-international.org/standards/ecma-354/appl_session";

fn frame(invoke: u16, xml: &str) -> Vec<u8> {
    let mut out = Vec::new();
    encode_frame(
        InvokeIdField::new(invoke).expect("id"),
        xml.as_bytes(),
        &mut out,
    )
    .expect("frame");
    out
}

fn start_session(user: &str, password: &str, versions: &[&str], duration: u32) -> String {
    let versions: String = versions
        .iter()
        .map(|v| format!("<protocolVersion>{v}</protocolVersion>"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><StartApplicationSession xmlns=\"{ACSE}\">\
         <applicationInfo><applicationID>TapiDriver</applicationID><applicationSpecificInfo>\
         <userID>{user}</userID><password>{password}</password></applicationSpecificInfo></applicationInfo>\
         <requestedProtocolVersions>{versions}</requestedProtocolVersions>\
         <requestedSessionDuration>{duration}</requestedSessionDuration></StartApplicationSession>"
    )
}

fn monitor_start(ns: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><MonitorStart xmlns=\"{ns}\"><monitorObject><deviceObject>sip:181@10.0.0.5\
         </deviceObject></monitorObject></MonitorStart>"
    )
}

/// The frames the session wrote: (invoke id, decoded message, edition).
fn written(s: &mut XmlClientSession) -> Vec<(u16, CstaMessage, Option<Edition>)> {
    let mut decoder = FrameDecoder::default();
    while let Some(bytes) = s.poll_transmit() {
        decoder.feed(&bytes);
    }
    let mut out = Vec::new();
    while let Some(f) = decoder.next_frame().expect("valid frames") {
        let d = uacsta_csta::decode(&f.xml, Mode::Strict).expect("valid CSTA");
        assert!(d.deviations.is_empty(), "{:?}", d.deviations);
        out.push((f.invoke_id.value(), d.message, d.edition));
    }
    out
}

fn events(s: &mut XmlClientSession) -> Vec<XmlClientEvent> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

fn authenticated() -> XmlClientConfig {
    XmlClientConfig {
        users: HashMap::from([("cti".to_string(), "secret".to_string())]),
        ..XmlClientConfig::default()
    }
}

#[test]
fn a_session_with_credentials_agrees_the_newest_common_edition() {
    let mut s = XmlClientSession::new(authenticated(), 0);
    let now = Instant::now();
    let bytes = frame(
        1,
        &start_session("cti", "secret", &[ED3, ED5, "urn:unknown"], 120),
    );
    // Any chunking of the stream gives the same result.
    for chunk in bytes.chunks(7) {
        s.receive(chunk, now);
    }
    let out = written(&mut s);
    assert_eq!(out.len(), 1);
    let (invoke, message, _) = &out[0];
    assert_eq!(*invoke, 1);
    let CstaMessage::StartApplicationSessionPosResponse(pos) = message else {
        panic!("expected a positive response, got {message:?}")
    };
    assert_eq!(pos.actual_protocol_version, ED5);
    assert_eq!(pos.actual_session_duration, Some(120));
    assert_eq!(
        events(&mut s),
        vec![XmlClientEvent::SessionStarted {
            session_id: pos.session_id.clone(),
            user: Some("cti".into())
        }]
    );
    assert_eq!(s.edition(), Edition::Ed5);
    assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(120)));

    // Requests now reach the server with their invoke id; answers and events go back framed.
    s.receive(&frame(2, &monitor_start(ED3)), now);
    let evs = events(&mut s);
    assert!(
        matches!(&evs[..], [XmlClientEvent::Request { token: 2, message }] if message.element_name() == "MonitorStart")
    );
    let answer = uacsta_csta::decode(
        format!("<MonitorStartResponse xmlns=\"{ED3}\"><monitorCrossRefID>1</monitorCrossRefID></MonitorStartResponse>").as_bytes(),
        Mode::Tolerant,
    )
    .expect("response")
    .message;
    s.respond(2, &answer);
    s.event(&answer);
    let out = written(&mut s);
    assert_eq!(out[0].0, 2);
    assert_eq!(
        out[0].2,
        Some(Edition::Ed5),
        "written in the session's edition"
    );
    assert_eq!(out[1].0, 9999, "events carry invoke id 9999");
}

#[test]
fn wrong_credentials_or_versions_are_refused_and_requests_need_a_session() {
    let mut s = XmlClientSession::new(authenticated(), 0);
    let now = Instant::now();
    s.receive(&frame(3, &monitor_start(ED5)), now);
    let out = written(&mut s);
    assert!(
        matches!(&out[..], [(3, CstaMessage::CSTAErrorCode(_), _)]),
        "a request before the session is refused: {out:?}"
    );
    assert!(events(&mut s).is_empty());

    s.receive(&frame(4, &start_session("cti", "wrong", &[ED5], 60)), now);
    let out = written(&mut s);
    assert!(
        matches!(
            &out[..],
            [(4, CstaMessage::StartApplicationSessionNegResponse(_), _)]
        ),
        "{out:?}"
    );
    let xml = uacsta_csta::encode(&out[0].1, Edition::Ed5);
    assert!(xml.contains("invalidApplicationInfo"), "{xml}");

    s.receive(
        &frame(5, &start_session("cti", "secret", &["urn:none"], 60)),
        now,
    );
    let xml = uacsta_csta::encode(&written(&mut s)[0].1, Edition::Ed5);
    assert!(xml.contains("nonSupportedProtocolVersion"), "{xml}");
}

#[test]
fn the_session_timer_is_reset_and_runs_out() {
    let mut s = XmlClientSession::new(authenticated(), 41);
    let t0 = Instant::now();
    s.receive(&frame(1, &start_session("cti", "secret", &[ED5], 60)), t0);
    let id = match &written(&mut s)[0].1 {
        CstaMessage::StartApplicationSessionPosResponse(p) => p.session_id.clone(),
        other => panic!("{other:?}"),
    };
    events(&mut s);
    let t1 = t0 + Duration::from_secs(50);
    s.receive(
        &frame(
            2,
            &format!(
                "<ResetApplicationSessionTimer xmlns=\"{ACSE}\"><sessionID>{id}</sessionID>\
                 <requestedSessionDuration>90</requestedSessionDuration></ResetApplicationSessionTimer>"
            ),
        ),
        t1,
    );
    match &written(&mut s)[..] {
        [(2, CstaMessage::ResetApplicationSessionTimerPosResponse(r), _)] => {
            assert_eq!(
                r.actual_session_duration,
                Some(90),
                "the requested 90 s, within the 600 s maximum"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.poll_timeout(), Some(t1 + Duration::from_secs(90)));
    s.handle_timeout(t1 + Duration::from_secs(89));
    assert!(events(&mut s).is_empty());
    s.handle_timeout(t1 + Duration::from_secs(90));
    assert_eq!(
        events(&mut s),
        vec![XmlClientEvent::Ended(ClientEnd::SessionTimeout)]
    );
    assert!(s.is_ended());
}

#[test]
fn stop_ends_the_client_and_framing_errors_end_it_too() {
    let mut s = XmlClientSession::new(XmlClientConfig::default(), 0);
    let now = Instant::now();
    // Without users no session is needed: requests pass at once.
    s.receive(&frame(8, &monitor_start(ED3)), now);
    assert!(matches!(
        &events(&mut s)[..],
        [XmlClientEvent::Request { token: 8, .. }]
    ));
    assert_eq!(s.edition(), Edition::Ed3, "the client's own edition");
    s.receive(&frame(9, &start_session("x", "y", &[ED3], 0)), now);
    let id = match &written(&mut s)[0].1 {
        CstaMessage::StartApplicationSessionPosResponse(p) => p.session_id.clone(),
        other => panic!("{other:?}"),
    };
    events(&mut s);
    s.receive(
        &frame(
            10,
            &format!(
                "<StopApplicationSession xmlns=\"{ACSE}\"><sessionID>{id}</sessionID><sessionEndReason>\
                 <definedEndReason>normal</definedEndReason></sessionEndReason></StopApplicationSession>"
            ),
        ),
        now,
    );
    assert!(matches!(
        &written(&mut s)[..],
        [(10, CstaMessage::StopApplicationSessionPosResponse(_), _)]
    ));
    assert_eq!(
        events(&mut s),
        vec![XmlClientEvent::Ended(ClientEnd::Stopped)]
    );

    let mut s = XmlClientSession::new(XmlClientConfig::default(), 0);
    s.receive(b"\x01\x00\x00\x20garbage", now);
    assert!(matches!(
        &events(&mut s)[..],
        [XmlClientEvent::Ended(ClientEnd::Framing(_))]
    ));
}

#[test]
fn malformed_csta_gets_a_csta_error_and_the_connection_stays() {
    let mut s = XmlClientSession::new(XmlClientConfig::default(), 0);
    let now = Instant::now();
    s.receive(&frame(12, "<MonitorStart><unclosed>"), now);
    s.receive(&frame(13, "<NoSuchService xmlns=\"urn:x\"/>"), now);
    let out = written(&mut s);
    assert_eq!(out.len(), 2);
    assert!(
        out.iter()
            .all(|(_, m, _)| m.element_name() == "CSTAErrorCode")
    );
    assert_eq!((out[0].0, out[1].0), (12, 13));
    assert!(!s.is_ended());
    s.receive(&frame(14, &monitor_start(ED5)), now);
    assert!(matches!(
        &events(&mut s)[..],
        [XmlClientEvent::Request { token: 14, .. }]
    ));
}
