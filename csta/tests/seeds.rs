//! Messages from the seed documents, decoded field by field: the Bekiot/3CX MonitorStart (seeds
//! 000 and 001) exactly as captured, and the Cisco Unified CME CTI session flow (seed 003):
//! RequestSystemStatus in the INVITE, capability exchange with GetCSTAFeatures, MonitorStart, an
//! event, Set MWI and SnapshotDevice.

use uacsta_csta::messages::SnapshotDeviceResult;
use uacsta_csta::types::{
    CallState, ConnectionID, DeviceID, LocalConnectionState, MonitorObject, SystemStatus,
};
use uacsta_csta::{CstaMessage, Edition, MessageKind, Mode, decode, encode};

/// The INFO body of the Bekiot capture (seed 001, Figure 4.6), newlines as on the wire.
const BEKIOT_MONITOR_START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<MonitorStart xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed5\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n\n<monitorObject><deviceObject>sip:181@172.16.7.255:5060</deviceObject></monitorObject></MonitorStart>\n\n";

#[test]
fn bekiot_monitor_start_from_3cx() {
    let d = decode(BEKIOT_MONITOR_START.as_bytes(), Mode::Strict).unwrap();
    assert!(d.deviations.is_empty(), "{:#?}", d.deviations);
    assert_eq!(d.edition, Some(Edition::Ed5));
    assert_eq!(d.message.kind(), MessageKind::Request);
    let CstaMessage::MonitorStart(m) = &d.message else {
        panic!("not a MonitorStart")
    };
    assert_eq!(
        m.monitor_object,
        MonitorObject::DeviceObject(DeviceID::new("sip:181@172.16.7.255:5060"))
    );
    assert_eq!(m.requested_monitor_filter, None);
    assert_eq!(m.monitor_type, None);
    assert_eq!(m.requested_monitor_media_class, None);
    assert_eq!(m.extensions, None);
    let again = encode(&d.message, Edition::Ed5);
    assert_eq!(
        again,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><MonitorStart xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed5\"><monitorObject><deviceObject>sip:181@172.16.7.255:5060</deviceObject></monitorObject></MonitorStart>"
    );
}

const ED3: &str = "http://www.ecma-international.org/standards/ecma-323/csta/ed3";

fn strict(xml: &str) -> CstaMessage {
    let d = decode(xml.as_bytes(), Mode::Strict).unwrap();
    assert!(d.deviations.is_empty(), "{xml}\n{:#?}", d.deviations);
    assert_eq!(d.edition, Some(Edition::Ed3));
    d.message
}

#[test]
fn cisco_cme_session_setup_with_system_status() {
    let request = strict(&format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><RequestSystemStatus xmlns="{ED3}"><extensions><privateData><private><lcs:line xmlns:lcs="http://schemas.microsoft.com/Lcs/2005/04/RCCExtension">tel:+14085550100</lcs:line></private></privateData></extensions></RequestSystemStatus>"#
    ));
    let CstaMessage::RequestSystemStatus(r) = &request else {
        panic!("not RequestSystemStatus")
    };
    assert_eq!(r.sys_stat_register_id, None);
    let ext = r.extensions.as_ref().expect("private data kept");
    assert!(ext.0.contains("tel:+14085550100"), "{}", ext.0);

    let response = strict(&format!(
        r#"<RequestSystemStatusResponse xmlns="{ED3}"><systemStatus>normal</systemStatus></RequestSystemStatusResponse>"#
    ));
    let CstaMessage::RequestSystemStatusResponse(r) = &response else {
        panic!("not RequestSystemStatusResponse")
    };
    assert_eq!(r.system_status, SystemStatus::Normal);
    assert_eq!(response.kind(), MessageKind::Response);
}

#[test]
fn cisco_cme_capability_exchange() {
    let request = strict(&format!(r#"<GetCSTAFeatures xmlns="{ED3}"/>"#));
    assert!(matches!(request, CstaMessage::GetCSTAFeatures(_)));
    let response = strict(&format!(
        r#"<GetCSTAFeaturesResponse xmlns="{ED3}">
  <supportedServices>
    <callControlServList><answerCall>true</answerCall><clearConnection>true</clearConnection><makeCall>true</makeCall><holdCall>true</holdCall><retrieveCall>true</retrieveCall><singleStepTransferCall>true</singleStepTransferCall></callControlServList>
    <logicalServList><setDoNotDisturb>true</setDoNotDisturb><setForwarding>true</setForwarding></logicalServList>
    <physDevServList><setMessageWaitingIndicator>true</setMessageWaitingIndicator></physDevServList>
    <snapshotServList><snapshotDevice>true</snapshotDevice></snapshotServList>
  </supportedServices>
  <supportedEvents>
    <callControlEvtsList><delivered>true</delivered><established>true</established><connectionCleared>true</connectionCleared><held>true</held><retrieved>true</retrieved><transferred>false</transferred></callControlEvtsList>
  </supportedEvents>
</GetCSTAFeaturesResponse>"#
    ));
    let CstaMessage::GetCSTAFeaturesResponse(f) = &response else {
        panic!("not GetCSTAFeaturesResponse")
    };
    let cc = f.supported_services.group("callControlServList").unwrap();
    assert_eq!(cc.0.len(), 6);
    assert!(cc.is_set("makeCall"));
    assert!(
        f.supported_services
            .group("physDevServList")
            .unwrap()
            .is_set("setMessageWaitingIndicator")
    );
    let ev = f.supported_events.group("callControlEvtsList").unwrap();
    assert!(ev.is_set("delivered"));
    assert!(!ev.is_set("transferred"));
}

#[test]
fn cisco_cme_monitor_event_mwi_and_snapshot() {
    let start = strict(&format!(
        r#"<MonitorStart xmlns="{ED3}"><monitorObject><deviceObject>tel:+14085550100</deviceObject></monitorObject></MonitorStart>"#
    ));
    assert!(matches!(start, CstaMessage::MonitorStart(_)));
    let started = strict(&format!(
        r#"<MonitorStartResponse xmlns="{ED3}"><monitorCrossRefID>45</monitorCrossRefID><actualMonitorFilter><callControl><queued>true</queued></callControl></actualMonitorFilter></MonitorStartResponse>"#
    ));
    let CstaMessage::MonitorStartResponse(r) = &started else {
        panic!("not MonitorStartResponse")
    };
    assert_eq!(r.monitor_cross_ref_id, "45");
    let filter = r.actual_monitor_filter.as_ref().unwrap();
    assert!(filter.call_control.as_ref().unwrap().is_set("queued"));

    let established = strict(&format!(
        r#"<EstablishedEvent xmlns="{ED3}"><monitorCrossRefID>45</monitorCrossRefID><establishedConnection><callID>18</callID><deviceID>tel:+14085550100</deviceID></establishedConnection><answeringDevice><deviceIdentifier>tel:+14085550100</deviceIdentifier></answeringDevice><callingDevice><deviceIdentifier>tel:+14085550199</deviceIdentifier></callingDevice><calledDevice><deviceIdentifier>tel:+14085550100</deviceIdentifier></calledDevice><lastRedirectionDevice><notRequired/></lastRedirectionDevice><localConnectionInfo>connected</localConnectionInfo><cause>normal</cause></EstablishedEvent>"#
    ));
    let CstaMessage::EstablishedEvent(e) = &established else {
        panic!("not EstablishedEvent")
    };
    assert_eq!(e.monitor_cross_ref_id, "45");
    assert_eq!(
        e.established_connection,
        ConnectionID::new("18", "tel:+14085550100")
    );
    assert_eq!(
        e.local_connection_info,
        Some(LocalConnectionState::Connected)
    );

    let mwi = strict(&format!(
        r#"<SetMessageWaitingIndicator xmlns="{ED3}"><device>tel:+14085550100</device><messageWaitingOn>true</messageWaitingOn></SetMessageWaitingIndicator>"#
    ));
    let CstaMessage::SetMessageWaitingIndicator(m) = &mwi else {
        panic!("not SetMessageWaitingIndicator")
    };
    assert!(m.message_waiting_on);
    assert_eq!(m.device.value, "tel:+14085550100");

    let snap = strict(&format!(
        r#"<SnapshotDeviceResponse xmlns="{ED3}"><crossRefIDorSnapshotData><snapshotData><snapshotDeviceResponseInfo><connectionIdentifier><callID>18</callID><deviceID>tel:+14085550100</deviceID></connectionIdentifier><localCallState><compoundCallState><localConnectionState>connected</localConnectionState><localConnectionState>connected</localConnectionState></compoundCallState></localCallState></snapshotDeviceResponseInfo><snapshotDeviceResponseInfo><connectionIdentifier><callID>19</callID></connectionIdentifier><localCallState><simpleCallState>callDeliveredHeld</simpleCallState></localCallState></snapshotDeviceResponseInfo></snapshotData></crossRefIDorSnapshotData></SnapshotDeviceResponse>"#
    ));
    let CstaMessage::SnapshotDeviceResponse(s) = &snap else {
        panic!("not SnapshotDeviceResponse")
    };
    let SnapshotDeviceResult::SnapshotData(data) = &s.cross_ref_id_or_snapshot_data else {
        panic!("no snapshot data")
    };
    assert_eq!(data.items.len(), 2);
    assert_eq!(
        data.items[0].connection_identifier,
        ConnectionID::new("18", "tel:+14085550100")
    );
    let CallState::CompoundCallState(c) = &data.items[0].local_call_state else {
        panic!("not compound")
    };
    assert_eq!(c.states, vec![LocalConnectionState::Connected; 2]);
    assert!(matches!(
        data.items[1].local_call_state,
        CallState::SimpleCallState(uacsta_csta::types::SimpleCallState::CallDeliveredHeld)
    ));
    assert_eq!(data.items[1].connection_identifier.device_id, None);
}
