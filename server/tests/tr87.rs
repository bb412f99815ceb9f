//! A TR/87 client (uaCSTA over SIP, Microsoft RCC / Cisco CME style) through the server to a phone, over
//! real sockets: INVITE with RequestSystemStatus answered in the 200 OK, MonitorStart in INFO answered in
//! the INFO's 200 OK with the client's own cross-reference id, the phone's events delivered as INFO in
//! the client's edition (ed3), and BYE releasing the client's monitor point in the phone.

mod common;

use bytes::Bytes;
use common::{LINE, Phone, csta, decode, server};
use uacsta_csta::{CstaMessage, Edition, Mode};
use uacsta_sip::transport::Protocol;
use uacsta_sip::{HeaderName, Message, Method, Request, Response, StatusCode};

const ED3: &str = "http://www.ecma-international.org/standards/ecma-323/csta/ed3";

fn client_request(
    client: &Phone,
    method: Method,
    server: std::net::SocketAddr,
    cseq: u32,
    to_tag: Option<&str>,
    body: Option<String>,
) -> Request {
    let mut r = Request::new(
        method.clone(),
        format!("sip:181@{server}").parse().expect("uri"),
    );
    r.headers.push(
        HeaderName::Via,
        format!(
            "SIP/2.0/TCP {};branch=z9hG4bKrcc{cseq}{method}",
            client.local
        ),
    );
    r.headers.push(HeaderName::MaxForwards, "70");
    r.headers
        .push(HeaderName::From, "<sip:alice@cti.example>;tag=rcc1");
    let to = match to_tag {
        Some(t) => format!("<sip:181@127.0.0.1>;tag={t}"),
        None => "<sip:181@127.0.0.1>".to_string(),
    };
    r.headers.push(HeaderName::To, to);
    r.headers.push(HeaderName::CallId, "rcc-session-1");
    r.headers.push(HeaderName::CSeq, format!("{cseq} {method}"));
    r.headers.push(
        HeaderName::Contact,
        format!("<sip:alice@{};transport=tcp>", client.local),
    );
    if let Some(body) = body {
        r.headers
            .push(HeaderName::ContentType, "application/csta+xml");
        r.headers
            .push(HeaderName::ContentDisposition, "signal;handling=required");
        r.body = Bytes::from(body);
    }
    r
}

#[tokio::test]
async fn a_tr87_client_monitors_a_phone_through_the_server() {
    let server = server().await;
    let sip = server.sip_addr(Protocol::Tcp).expect("SIP listener");
    let mut phone = Phone::new(sip, "reg-1").await;
    phone.register().await;
    let csta_dialog = phone.accept_csta_dialog().await;
    assert_eq!(phone.response().await.status, StatusCode::OK);

    let mut client = Phone::with_identity(sip, "rcc", "000000000001", "").await;
    let invite = client_request(
        &client,
        Method::Invite,
        sip,
        1,
        None,
        Some(format!(
            "<?xml version=\"1.0\"?><RequestSystemStatus xmlns=\"{ED3}\"/>"
        )),
    );
    client.send(invite.into()).await;
    let ok = loop {
        let r = client.response().await;
        if r.status.is_final() {
            break r;
        }
    };
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.reason);
    let status = uacsta_csta::decode(&ok.body, Mode::Strict).expect("CSTA in the 200");
    assert_eq!(status.message.element_name(), "RequestSystemStatusResponse");
    assert_eq!(
        status.edition,
        Some(Edition::Ed3),
        "answered in the client's edition"
    );
    let to_tag = ok
        .headers
        .require::<uacsta_sip::header::To>()
        .expect("To")
        .tag()
        .expect("a To tag");
    client
        .send(client_request(&client, Method::Ack, sip, 1, Some(&to_tag), None).into())
        .await;

    let monitor_start = format!(
        "<?xml version=\"1.0\"?><MonitorStart xmlns=\"{ED3}\"><monitorObject><deviceObject>{LINE}</deviceObject></monitorObject></MonitorStart>"
    );
    client
        .send(
            client_request(
                &client,
                Method::Info,
                sip,
                2,
                Some(&to_tag),
                Some(monitor_start),
            )
            .into(),
        )
        .await;
    let at_phone = phone.request(Method::Info).await;
    assert_eq!(decode(&at_phone.body).element_name(), "MonitorStart");
    phone
        .answer(
            &at_phone,
            Some(csta(
                "MonitorStartResponse",
                "<monitorCrossRefID>43</monitorCrossRefID>",
            )),
        )
        .await;
    let answer = loop {
        let r = client.response().await;
        if r.status.is_final() {
            break r;
        }
    };
    assert_eq!(answer.status, StatusCode::OK);
    let xref = match uacsta_csta::decode(&answer.body, Mode::Strict)
        .expect("CSTA")
        .message
    {
        CstaMessage::MonitorStartResponse(r) => r.monitor_cross_ref_id.clone(),
        other => panic!("expected MonitorStartResponse in the INFO's 200, got {other:?}"),
    };
    assert_ne!(
        xref, "43",
        "the client gets its own cross-reference id, not the phone's"
    );

    // The phone's event reaches the client as an INFO, under the client's id, in ed3.
    let held = csta(
        "HeldEvent",
        &format!(
            "<monitorCrossRefID>43</monitorCrossRefID><heldConnection><callID>-12</callID><deviceID>{LINE}\
             </deviceID></heldConnection><holdingDevice><deviceIdentifier>{LINE}</deviceIdentifier>\
             </holdingDevice><localConnectionInfo>hold</localConnectionInfo><cause>normal</cause>"
        ),
    );
    phone.send_info(&csta_dialog, held).await;
    assert_eq!(phone.response().await.status, StatusCode::OK);
    let event = client.request(Method::Info).await;
    assert_eq!(
        event.headers.get(&HeaderName::CallId),
        Some("rcc-session-1")
    );
    let decoded = uacsta_csta::decode(&event.body, Mode::Strict).expect("CSTA event");
    assert_eq!(decoded.edition, Some(Edition::Ed3));
    match decoded.message {
        CstaMessage::HeldEvent(e) => {
            assert_eq!(e.monitor_cross_ref_id, xref);
            assert_eq!(e.held_connection.call_id.as_deref(), Some("-12"));
        }
        other => panic!("expected HeldEvent, got {other:?}"),
    }
    client
        .send(Response::to_request(&event, StatusCode::OK, None).into())
        .await;

    // BYE ends the session; the monitor point it held in the phone is removed.
    client
        .send(client_request(&client, Method::Bye, sip, 3, Some(&to_tag), None).into())
        .await;
    loop {
        match client.next().await {
            Message::Response(r) if r.status == StatusCode::OK => break,
            Message::Response(r) if r.status.is_provisional() => continue,
            other => panic!("expected 200 for BYE, got {other:?}"),
        }
    }
    let stop = phone.request(Method::Info).await;
    match decode(&stop.body) {
        CstaMessage::MonitorStop(m) => assert_eq!(m.monitor_cross_ref_id, "43"),
        other => panic!("expected MonitorStop, got {other:?}"),
    }
    server.shutdown();
}
