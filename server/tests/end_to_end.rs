//! The server over real sockets on 127.0.0.1: a scripted snom-like phone registers over TCP with its MAC
//! and digest, accepts the CSTA INVITE and answers start-up; two CTI clients speak CSTA XML over TCP
//! (ECMA-323 Annex J.2). Both monitor the phone's line: the phone sees one MonitorStart, each client gets
//! its own cross-reference id and every event under it; the last MonitorStop removes the point. When the
//! phone's connection drops the clients get OutOfService; when it registers again the monitor point is
//! restored and they get BackInService.

mod common;

use common::{Client, ED5, LINE, Phone, csta, decode, server};
use uacsta_csta::CstaMessage;
use uacsta_csta::types::{DeviceID, MonitorObject};
use uacsta_sip::transport::Protocol;
use uacsta_sip::{Message, Method, StatusCode};

#[tokio::test]
async fn two_clients_share_one_monitor_point_and_survive_a_lost_phone() {
    let server = server().await;
    let sip = server.sip_addr(Protocol::Tcp).expect("SIP listener");
    let xml = server.csta_xml[0];

    let mut phone = Phone::new(sip, "reg-1").await;
    phone.register().await;
    let invite = phone.accept_csta_dialog().await;
    assert_eq!(phone.response().await.status, StatusCode::OK);

    let mut a = Client::connect(xml).await;
    let mut b = Client::connect(xml).await;
    let start_a = tokio::spawn(async move {
        let x = a.monitor_start().await;
        (a, x)
    });
    // The phone sees exactly one MonitorStart for both clients.
    let monitor = phone.request(Method::Info).await;
    let CstaMessage::MonitorStart(m) = decode(&monitor.body) else {
        panic!("expected MonitorStart")
    };
    assert_eq!(
        m.monitor_object,
        MonitorObject::DeviceObject(DeviceID {
            value: LINE.into(),
            ..Default::default()
        })
    );
    phone
        .answer(
            &monitor,
            Some(csta(
                "MonitorStartResponse",
                "<monitorCrossRefID>43</monitorCrossRefID>",
            )),
        )
        .await;
    let (mut a, xref_a) = start_a.await.expect("client A");
    let xref_b = b.monitor_start().await;
    assert_ne!(xref_a, xref_b, "each client has its own cross-reference id");

    // An event from the phone reaches both, each under its own id.
    let delivered = csta(
        "DeliveredEvent",
        &format!(
            "<monitorCrossRefID>43</monitorCrossRefID><connection><callID>-12</callID><deviceID>{LINE}</deviceID>\
             </connection><alertingDevice><deviceIdentifier>{LINE}</deviceIdentifier></alertingDevice>\
             <callingDevice><deviceIdentifier>sip:200@127.0.0.1</deviceIdentifier></callingDevice>\
             <calledDevice><deviceIdentifier>{LINE}</deviceIdentifier></calledDevice><lastRedirectionDevice>\
             <notRequired/></lastRedirectionDevice><localConnectionInfo>alerting</localConnectionInfo>\
             <cause>newCall</cause>"
        ),
    );
    phone.send_info(&invite, delivered).await;
    assert_eq!(phone.response().await.status, StatusCode::OK);
    for (client, xref) in [(&mut a, &xref_a), (&mut b, &xref_b)] {
        let (invoke, event) = client.next().await;
        assert_eq!(invoke, 9999);
        match event {
            CstaMessage::DeliveredEvent(e) => {
                assert_eq!(&e.monitor_cross_ref_id, xref);
                assert_eq!(e.connection.call_id.as_deref(), Some("-12"));
            }
            other => panic!("expected DeliveredEvent, got {other:?}"),
        }
    }

    // The status API shows the phone, its dialog, its line and the shared monitor point.
    let snapshot = common::status(server.status.expect("status API")).await;
    assert_eq!(snapshot["phones"][0]["mac"], "000413AABBCC");
    assert_eq!(snapshot["phones"][0]["registered"], true);
    assert_eq!(snapshot["phones"][0]["csta_dialog"], "ready");
    assert_eq!(snapshot["phones"][0]["lines"][0], LINE);
    assert_eq!(snapshot["phones"][0]["user_agent"], "snomD785/10.1.54.13");
    assert_eq!(snapshot["monitor_points"], 1);
    assert_eq!(snapshot["client_monitors"], 2);
    assert_eq!(snapshot["clients"], 2);

    // The phone's connection drops: both clients hear OutOfService.
    phone.transport.shutdown();
    drop(phone);
    for (client, xref) in [(&mut a, &xref_a), (&mut b, &xref_b)] {
        match client.next().await {
            (9999, CstaMessage::OutOfServiceEvent(e)) => assert_eq!(&e.monitor_cross_ref_id, xref),
            other => panic!("expected OutOfServiceEvent, got {other:?}"),
        }
    }

    // It registers again from a new connection: a new dialog, the point restored, BackInService.
    let mut phone = Phone::new(sip, "reg-2").await;
    phone.register().await;
    phone.accept_csta_dialog().await;
    // The server restores the monitor point as soon as the dialog is up, maybe before it answers the
    // phone's line report.
    let (mut monitor, mut answered) = (None, false);
    while monitor.is_none() || !answered {
        match phone.next().await {
            Message::Request(r) if r.method == Method::Info => monitor = Some(r),
            Message::Request(r) if r.method == Method::Ack => {}
            Message::Response(r) => {
                assert_eq!(r.status, StatusCode::OK);
                answered = true;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let monitor = monitor.expect("MonitorStart");
    assert_eq!(decode(&monitor.body).element_name(), "MonitorStart");
    phone
        .answer(
            &monitor,
            Some(csta(
                "MonitorStartResponse",
                "<monitorCrossRefID>44</monitorCrossRefID>",
            )),
        )
        .await;
    for (client, xref) in [(&mut a, &xref_a), (&mut b, &xref_b)] {
        match client.next().await {
            (9999, CstaMessage::BackInServiceEvent(e)) => assert_eq!(&e.monitor_cross_ref_id, xref),
            other => panic!("expected BackInServiceEvent, got {other:?}"),
        }
    }

    // The first MonitorStop keeps the point; the last removes it from the phone.
    let stop = |x: &str| {
        format!(
            "<MonitorStop xmlns=\"{ED5}\"><monitorCrossRefID>{x}</monitorCrossRefID></MonitorStop>"
        )
    };
    a.send(&stop(&xref_a)).await;
    assert_eq!(a.next().await.1.element_name(), "MonitorStopResponse");
    b.send(&stop(&xref_b)).await;
    assert_eq!(b.next().await.1.element_name(), "MonitorStopResponse");
    let stop_in_phone = phone.request(Method::Info).await;
    match decode(&stop_in_phone.body) {
        CstaMessage::MonitorStop(m) => assert_eq!(m.monitor_cross_ref_id, "44"),
        other => panic!("expected MonitorStop, got {other:?}"),
    }
    // A stale id is refused with a CSTA error.
    a.send(&stop(&xref_a)).await;
    assert_eq!(a.next().await.1.element_name(), "CSTAErrorCode");
    server.shutdown();
}

/// Services the server answers itself: SystemRegister with SwFunctionDevicesChanged as a phone's lines
/// appear and go, GetLogical/PhysicalDeviceInformation for a known line (and a CSTA error for an
/// unknown one), SystemRegisterCancel.
#[tokio::test]
async fn the_server_answers_system_and_device_information_services() {
    let server = server().await;
    let sip = server.sip_addr(Protocol::Tcp).expect("SIP listener");
    let mut client = Client::connect(server.csta_xml[0]).await;
    let invoke = client
        .send(&format!(
            "<SystemRegister xmlns=\"{ED5}\"><requestTypes><switchingFunctionDevicesChanged>true\
             </switchingFunctionDevicesChanged></requestTypes></SystemRegister>"
        ))
        .await;
    let registration = match client.next().await {
        (id, CstaMessage::SystemRegisterResponse(r)) if id == invoke => {
            r.sys_stat_register_id.clone()
        }
        other => panic!("expected SystemRegisterResponse, got {other:?}"),
    };
    let logical = format!(
        "<GetLogicalDeviceInformation xmlns=\"{ED5}\"><device>{LINE}</device></GetLogicalDeviceInformation>"
    );
    client.send(&logical).await;
    assert_eq!(
        client.next().await.1.element_name(),
        "CSTAErrorCode",
        "no phone has the line yet"
    );

    // A phone registers and reports its line: the client hears the change.
    let mut phone = Phone::new(sip, "reg-1").await;
    phone.register().await;
    phone.accept_csta_dialog().await;
    match client.next().await {
        (9999, CstaMessage::SwFunctionDevicesChanged(e)) => {
            assert_eq!(
                e.sys_stat_register_id.as_deref(),
                Some(registration.as_str())
            )
        }
        other => panic!("expected SwFunctionDevicesChanged, got {other:?}"),
    }

    client.send(&logical).await;
    match client.next().await.1 {
        CstaMessage::GetLogicalDeviceInformationResponse(r) => {
            assert!(r.has_physical_element);
            assert_eq!(
                r.device_category,
                Some(uacsta_csta::types::DeviceCategory::Station)
            );
        }
        other => panic!("expected GetLogicalDeviceInformationResponse, got {other:?}"),
    }
    client
        .send(&format!(
            "<GetPhysicalDeviceInformation xmlns=\"{ED5}\"><device>{LINE}</device></GetPhysicalDeviceInformation>"
        ))
        .await;
    match client.next().await.1 {
        CstaMessage::GetPhysicalDeviceInformationResponse(r) => {
            assert!(r.has_logical_element);
            assert_eq!(r.device_model_name.as_deref(), Some("snomD785/10.1.54.13"));
        }
        other => panic!("expected GetPhysicalDeviceInformationResponse, got {other:?}"),
    }

    client
        .send(&format!(
            "<SystemRegisterCancel xmlns=\"{ED5}\"><sysStatRegisterID>{registration}</sysStatRegisterID>\
             </SystemRegisterCancel>"
        ))
        .await;
    assert_eq!(
        client.next().await.1.element_name(),
        "SystemRegisterCancelResponse"
    );
    server.shutdown();
}

/// AlternateCall is emulated by the server with HoldCall of the active call, then RetrieveCall of the
/// held one, as the estos tables say for every phone family.
#[tokio::test]
async fn alternate_call_is_emulated_with_hold_and_retrieve() {
    let server = server().await;
    let sip = server.sip_addr(Protocol::Tcp).expect("SIP listener");
    let mut phone = Phone::new(sip, "reg-1").await;
    phone.register().await;
    phone.accept_csta_dialog().await;
    assert_eq!(phone.response().await.status, StatusCode::OK);

    let mut client = Client::connect(server.csta_xml[0]).await;
    let invoke = client
        .send(&format!(
            "<AlternateCall xmlns=\"{ED5}\"><heldCall><callID>1</callID><deviceID>{LINE}</deviceID></heldCall>\
             <activeCall><callID>2</callID><deviceID>{LINE}</deviceID></activeCall></AlternateCall>"
        ))
        .await;
    let hold = phone.request(Method::Info).await;
    match decode(&hold.body) {
        CstaMessage::HoldCall(h) => assert_eq!(h.call_to_be_held.call_id.as_deref(), Some("2")),
        other => panic!("expected HoldCall of the active call, got {other:?}"),
    }
    phone
        .answer(&hold, Some(csta("HoldCallResponse", "")))
        .await;
    let retrieve = phone.request(Method::Info).await;
    match decode(&retrieve.body) {
        CstaMessage::RetrieveCall(r) => {
            assert_eq!(r.call_to_be_retrieved.call_id.as_deref(), Some("1"))
        }
        other => panic!("expected RetrieveCall of the held call, got {other:?}"),
    }
    phone
        .answer(&retrieve, Some(csta("RetrieveCallResponse", "")))
        .await;
    let (id, answer) = client.next().await;
    assert_eq!(id, invoke);
    assert_eq!(answer.element_name(), "AlternateCallResponse");
    server.shutdown();
}
