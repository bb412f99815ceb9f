//! Calls between registered phones through the server's record-routing proxy, over real sockets: the
//! callee is found by its line number, the INVITE carries the server's Via and Record-Route, responses
//! come back with the server's Via removed, ACK and BYE follow the route set; unknown numbers get 404
//! and CANCEL is forwarded hop by hop.

mod common;

use bytes::Bytes;
use std::time::Duration;

use common::{Phone, core_config, server, server_with};
use uacsta_server::run::RunningServer;
use uacsta_sip::header::{MaxForwards, RecordRoute, Route, Via};
use uacsta_sip::transport::Protocol;
use uacsta_sip::{HeaderName, Method, Request, Response, StatusCode};

/// A request from `phone` outside any dialog (or with `route` inside one).
#[allow(clippy::too_many_arguments)]
fn request(
    phone: &Phone,
    method: Method,
    uri: &str,
    call_id: &str,
    cseq: u32,
    to_tag: Option<&str>,
    route: Option<&str>,
) -> Request {
    let mut r = Request::new(method.clone(), uri.parse().expect("uri"));
    r.headers.push(
        HeaderName::Via,
        format!(
            "SIP/2.0/TCP {};branch=z9hG4bK{call_id}{cseq}{method}",
            phone.local
        ),
    );
    r.headers.push(HeaderName::MaxForwards, "70");
    r.headers
        .push(HeaderName::From, format!("<{}>;tag=caller", phone.line));
    let to = match to_tag {
        Some(tag) => format!("<sip:182@127.0.0.1>;tag={tag}"),
        None => "<sip:182@127.0.0.1>".to_string(),
    };
    r.headers.push(HeaderName::To, to);
    r.headers.push(HeaderName::CallId, call_id);
    r.headers.push(HeaderName::CSeq, format!("{cseq} {method}"));
    r.headers.push(
        HeaderName::Contact,
        format!("<sip:181@{};transport=tcp>", phone.local),
    );
    if let Some(route) = route {
        r.headers.push(HeaderName::Route, route);
    }
    if method == Method::Invite {
        r.headers.push(HeaderName::ContentType, "application/sdp");
        r.body = Bytes::from_static(b"v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n");
    }
    r
}

async fn final_response(phone: &mut Phone) -> Response {
    loop {
        let r = phone.response().await;
        if r.status.is_final() {
            return r;
        }
    }
}

async fn two_phones() -> (RunningServer, Phone, Phone) {
    two_phones_on(server().await).await
}

async fn two_phones_on(server: RunningServer) -> (RunningServer, Phone, Phone) {
    let sip = server.sip_addr(Protocol::Tcp).expect("SIP listener");
    let mut a = Phone::with_identity(sip, "reg-a", "000413AABB01", "sip:181@127.0.0.1").await;
    a.register().await;
    a.accept_csta_dialog().await;
    assert_eq!(a.response().await.status, StatusCode::OK);
    let mut b = Phone::with_identity(sip, "reg-b", "000413AABB02", "sip:182@127.0.0.1").await;
    b.register().await;
    b.accept_csta_dialog().await;
    assert_eq!(b.response().await.status, StatusCode::OK);
    (server, a, b)
}

#[tokio::test]
async fn a_call_between_two_phones_is_proxied_with_record_route() {
    let (server, mut a, mut b) = two_phones().await;
    let sip = server.sip_addr(Protocol::Tcp).expect("SIP listener");
    let invite = request(
        &a,
        Method::Invite,
        &format!("sip:182@{sip}"),
        "call-1",
        1,
        None,
        None,
    );
    a.send(invite.into()).await;

    let at_b = b.request(Method::Invite).await;
    assert!(
        at_b.uri.to_string().starts_with("sip:000413AABB02@"),
        "Request-URI is B's contact: {}",
        at_b.uri
    );
    let vias = at_b.headers.typed_all::<Via>().expect("Vias");
    assert_eq!(vias.len(), 2, "the server's Via on top of A's");
    assert_eq!(vias[1].branch().as_deref(), Some("z9hG4bKcall-11INVITE"));
    assert_eq!(
        at_b.headers.require::<MaxForwards>().expect("Max-Forwards"),
        MaxForwards(69)
    );
    let rr = at_b.headers.require::<RecordRoute>().expect("Record-Route");
    assert!(rr.uri.as_sip().expect("sip").params.contains("lr"));
    assert_eq!(at_b.headers.get(&HeaderName::CallId), Some("call-1"));
    assert!(at_b.body.starts_with(b"v=0"));

    let mut ringing = Response::to_request(&at_b, StatusCode::RINGING, Some("callee"));
    ringing.headers.push(
        HeaderName::Contact,
        format!("<sip:182@{};transport=tcp>", b.local),
    );
    b.send(ringing.into()).await;
    let mut ok = Response::to_request(&at_b, StatusCode::OK, Some("callee"));
    ok.headers.push(
        HeaderName::Contact,
        format!("<sip:182@{};transport=tcp>", b.local),
    );
    ok.headers.push(HeaderName::RecordRoute, rr.0.to_string());
    b.send(ok.into()).await;

    let ringing_at_a = a.response().await;
    let ringing_at_a = if ringing_at_a.status == StatusCode::TRYING {
        a.response().await
    } else {
        ringing_at_a
    };
    assert_eq!(ringing_at_a.status, StatusCode::RINGING);
    let ok_at_a = final_response(&mut a).await;
    assert_eq!(ok_at_a.status, StatusCode::OK);
    assert_eq!(
        ok_at_a.headers.typed_all::<Via>().expect("Vias").len(),
        1,
        "the server's Via came off"
    );
    let route = ok_at_a
        .headers
        .require::<RecordRoute>()
        .expect("Record-Route")
        .0
        .to_string();

    // ACK and BYE follow the route set to B.
    let b_contact = format!("sip:182@{};transport=tcp", b.local);
    let ack = request(
        &a,
        Method::Ack,
        &b_contact,
        "call-1",
        1,
        Some("callee"),
        Some(&route),
    );
    a.send(ack.into()).await;
    let ack_at_b = b.request(Method::Ack).await;
    assert!(
        ack_at_b.headers.typed::<Route>().is_none(),
        "the server removed its Route"
    );
    assert_eq!(ack_at_b.headers.get(&HeaderName::CallId), Some("call-1"));

    let bye = request(
        &a,
        Method::Bye,
        &b_contact,
        "call-1",
        2,
        Some("callee"),
        Some(&route),
    );
    a.send(bye.into()).await;
    let bye_at_b = b.request(Method::Bye).await;
    b.send(Response::to_request(&bye_at_b, StatusCode::OK, None).into())
        .await;
    assert_eq!(final_response(&mut a).await.status, StatusCode::OK);
    server.shutdown();
}

#[tokio::test]
async fn unknown_numbers_get_404_and_cancel_is_forwarded() {
    let (server, mut a, mut b) = two_phones().await;
    let sip = server.sip_addr(Protocol::Tcp).expect("SIP listener");
    a.send(
        request(
            &a,
            Method::Invite,
            &format!("sip:999@{sip}"),
            "call-x",
            1,
            None,
            None,
        )
        .into(),
    )
    .await;
    let r = final_response(&mut a).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.reason.contains("999"), "{}", r.reason);

    let invite = request(
        &a,
        Method::Invite,
        &format!("sip:182@{sip}"),
        "call-2",
        1,
        None,
        None,
    );
    a.send(invite.clone().into()).await;
    let at_b = b.request(Method::Invite).await;
    b.send(Response::to_request(&at_b, StatusCode::RINGING, Some("c2")).into())
        .await;
    loop {
        if a.response().await.status == StatusCode::RINGING {
            break;
        }
    }
    let mut cancel = invite.clone();
    cancel.method = Method::Cancel;
    cancel.headers.set(HeaderName::CSeq, "1 CANCEL");
    cancel.body = Bytes::new();
    cancel.headers.remove(&HeaderName::ContentType);
    a.send(cancel.into()).await;
    let cancel_at_b = b.request(Method::Cancel).await;
    assert_eq!(cancel_at_b.headers.get(&HeaderName::CallId), Some("call-2"));
    b.send(Response::to_request(&cancel_at_b, StatusCode::OK, None).into())
        .await;
    b.send(Response::to_request(&at_b, StatusCode::REQUEST_TERMINATED, Some("c2")).into())
        .await;
    // A gets 200 for its CANCEL and 487 for its INVITE (in either order).
    let mut statuses = vec![
        final_response(&mut a).await.status,
        final_response(&mut a).await.status,
    ];
    statuses.sort();
    assert_eq!(
        statuses,
        vec![StatusCode::OK, StatusCode::REQUEST_TERMINATED]
    );
    server.shutdown();
}

/// Timer C (RFC 3261 §16.6 step 11, §16.8), set short here: a ringing callee that never answers is
/// cancelled by the proxy; a callee that never even rings ends the call with 408.
#[tokio::test]
async fn timer_c_cancels_a_call_nobody_answers() {
    let config = uacsta_server::core::CoreConfig {
        timer_c: Duration::from_millis(300),
        ..core_config()
    };
    let (server, mut a, mut b) = two_phones_on(server_with(config).await).await;
    let sip = server.sip_addr(Protocol::Tcp).expect("SIP listener");

    a.send(
        request(
            &a,
            Method::Invite,
            &format!("sip:182@{sip}"),
            "call-c1",
            1,
            None,
            None,
        )
        .into(),
    )
    .await;
    let at_b = b.request(Method::Invite).await;
    b.send(Response::to_request(&at_b, StatusCode::RINGING, Some("c1")).into())
        .await;
    let cancel = b.request(Method::Cancel).await;
    assert_eq!(cancel.headers.get(&HeaderName::CallId), Some("call-c1"));
    assert_eq!(
        cancel.headers.require::<Via>().expect("Via").branch(),
        at_b.headers.require::<Via>().expect("Via").branch(),
        "the CANCEL matches the forwarded INVITE"
    );
    b.send(Response::to_request(&cancel, StatusCode::OK, None).into())
        .await;
    b.send(Response::to_request(&at_b, StatusCode::REQUEST_TERMINATED, Some("c1")).into())
        .await;
    assert_eq!(
        final_response(&mut a).await.status,
        StatusCode::REQUEST_TERMINATED
    );

    a.send(
        request(
            &a,
            Method::Invite,
            &format!("sip:182@{sip}"),
            "call-c2",
            1,
            None,
            None,
        )
        .into(),
    )
    .await;
    b.request(Method::Invite).await;
    assert_eq!(
        final_response(&mut a).await.status,
        StatusCode::REQUEST_TIMEOUT
    );
    server.shutdown();
}
