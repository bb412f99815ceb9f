//! Tolerant decoding of what real phones and servers send: every quirk from VENDOR-FACTS.md, each
//! checked field by field, and (in strict mode) reported as the deviation it is.

use uacsta_csta::error_code::PrivateDataInfoError;
use uacsta_csta::types::{
    CallingDeviceID, ConnectionID, DeviceID, EventCause, LocalConnectionState, MonitorObject,
    SubjectDeviceID,
};
use uacsta_csta::{CSTAErrorCode, CstaMessage, DeviationKind, Edition, Mode, Namespace, decode};

const ED5: &str = "http://www.ecma-international.org/standards/ecma-323/csta/ed5";

fn monitor_device(d: &uacsta_csta::Decoded) -> String {
    match &d.message {
        CstaMessage::MonitorStart(m) => match &m.monitor_object {
            MonitorObject::DeviceObject(dev) => dev.value.clone(),
            other => panic!("unexpected monitor object {other:?}"),
        },
        other => panic!("unexpected message {other:?}"),
    }
}

#[test]
fn no_namespace_is_accepted_and_reported_in_strict_mode() {
    let xml = b"<MonitorStart><monitorObject><deviceObject>181</deviceObject></monitorObject></MonitorStart>";
    let d = decode(xml, Mode::Tolerant).unwrap();
    assert_eq!(monitor_device(&d), "181");
    assert_eq!(d.namespace, Namespace::None);
    assert_eq!(d.edition, None);
    let s = decode(xml, Mode::Strict).unwrap();
    assert_eq!(s.deviations.len(), 1);
    assert_eq!(s.deviations[0].kind, DeviationKind::MissingNamespace);
    assert_eq!(s.deviations[0].path, "/MonitorStart");
}

#[test]
fn prefixed_namespace_is_understood() {
    let xml = format!(
        r#"<csta:MonitorStart xmlns:csta="{ED5}"><csta:monitorObject><csta:deviceObject>sip:181@10.0.0.1</csta:deviceObject></csta:monitorObject></csta:MonitorStart>"#
    );
    let d = decode(xml.as_bytes(), Mode::Strict).unwrap();
    assert_eq!(monitor_device(&d), "sip:181@10.0.0.1");
    assert_eq!(d.edition, Some(Edition::Ed5));
    assert!(d.deviations.is_empty(), "{:#?}", d.deviations);
}

#[test]
fn ed6_namespace_on_the_ecma_ch_host() {
    let xml = br#"<MonitorStopResponse xmlns="http://www.ecma.ch/standards/ecma-323/csta/ed6"/>"#;
    let d = decode(xml, Mode::Tolerant).unwrap();
    assert_eq!(d.edition, Some(Edition::Ed6));
    assert!(matches!(d.message, CstaMessage::MonitorStopResponse(_)));
    let s = decode(xml, Mode::Strict).unwrap();
    assert_eq!(s.deviations[0].kind, DeviationKind::WrongNamespace);
}

#[test]
fn iso_8859_1_body_with_a_non_ascii_name() {
    let mut xml = Vec::new();
    xml.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><MonitorStart xmlns=\"");
    xml.extend_from_slice(ED5.as_bytes());
    xml.extend_from_slice(b"\"><monitorObject><deviceObject>J\xFCrgen M\xFCller</deviceObject></monitorObject></MonitorStart>");
    let d = decode(&xml, Mode::Strict).unwrap();
    assert_eq!(monitor_device(&d), "Jürgen Müller");
    assert!(d.deviations.is_empty(), "{:#?}", d.deviations);
}

#[test]
fn undeclared_latin1_is_read_as_latin1_and_reported() {
    let xml = b"<MonitorStart><monitorObject><deviceObject>Fran\xE7ois</deviceObject></monitorObject></MonitorStart>";
    let d = decode(xml, Mode::Strict).unwrap();
    assert_eq!(monitor_device(&d), "François");
    assert!(
        d.deviations
            .iter()
            .any(|x| x.kind == DeviationKind::Encoding)
    );
}

#[test]
fn byte_order_mark_is_skipped() {
    let mut xml = vec![0xEF, 0xBB, 0xBF];
    xml.extend_from_slice(
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><MonitorStart xmlns="{ED5}"><monitorObject><deviceObject>182</deviceObject></monitorObject></MonitorStart>"#).as_bytes(),
    );
    let d = decode(&xml, Mode::Strict).unwrap();
    assert_eq!(monitor_device(&d), "182");
    assert!(d.deviations.is_empty());
}

#[test]
fn newline_before_the_declaration() {
    let xml = format!(
        "\r\n\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MonitorStart xmlns=\"{ED5}\"><monitorObject><deviceObject>183</deviceObject></monitorObject></MonitorStart>\n"
    );
    let d = decode(xml.as_bytes(), Mode::Tolerant).unwrap();
    assert_eq!(monitor_device(&d), "183");
    let s = decode(xml.as_bytes(), Mode::Strict).unwrap();
    assert_eq!(s.deviations.len(), 1);
    assert_eq!(s.deviations[0].kind, DeviationKind::Prolog);
}

const TRANSFERED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<TransferedEvent xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3">
 <monitorCrossRefID>1</monitorCrossRefID>
 <primaryOldCall><callID>-1829</callID><deviceID>201</deviceID></primaryOldCall>
 <secondaryOldCall><callID>0A1B2C3D4E5F60718293A4B5C6D7E8F9</callID><deviceID>201</deviceID></secondaryOldCall>
 <transferringDevice><deviceIdentifier>201</deviceIdentifier></transferringDevice>
 <transferredToDevice><deviceIdentifier>203</deviceIdentifier></transferredToDevice>
 <transferredConnections>
  <connectionListItem>
   <newConnection><callID>-1830</callID><deviceID>203</deviceID></newConnection>
   <oldConnection><callID>-1829</callID><deviceID>202</deviceID></oldConnection>
   <endpoint><deviceID>202</deviceID></endpoint>
  </connectionListItem>
 </transferredConnections>
 <localConnectionInfo>null</localConnectionInfo>
 <cause>transfer</cause>
 <yealinkLineKey index="2">L2</yealinkLineKey>
</TransferedEvent>"#;

#[test]
fn ecma_spelling_transfered_event_with_negative_and_hex_call_ids() {
    let d = decode(TRANSFERED.as_bytes(), Mode::Tolerant).unwrap();
    assert_eq!(d.message.element_name(), "TransferredEvent");
    let CstaMessage::TransferredEvent(e) = &d.message else {
        panic!("not a TransferredEvent")
    };
    assert_eq!(e.primary_old_call, ConnectionID::new("-1829", "201"));
    assert_eq!(
        e.secondary_old_call
            .as_ref()
            .and_then(|c| c.call_id.as_deref()),
        Some("0A1B2C3D4E5F60718293A4B5C6D7E8F9")
    );
    assert_eq!(
        e.transferred_to_device,
        SubjectDeviceID::DeviceIdentifier(DeviceID::new("203"))
    );
    let item = &e.transferred_connections.items[0];
    assert_eq!(item.new_connection, Some(ConnectionID::new("-1830", "203")));
    assert_eq!(e.local_connection_info, Some(LocalConnectionState::Null));
    assert_eq!(e.cause, EventCause::Transfer);
    assert_eq!(d.edition, Some(Edition::Ed3));
}

#[test]
fn unknown_element_is_kept_verbatim_with_its_path() {
    let d = decode(TRANSFERED.as_bytes(), Mode::Strict).unwrap();
    assert_eq!(d.unknown_elements.len(), 1);
    assert_eq!(
        d.unknown_elements[0].path,
        "/TransferedEvent/yealinkLineKey"
    );
    assert_eq!(
        d.unknown_elements[0].xml,
        r#"<yealinkLineKey index="2">L2</yealinkLineKey>"#
    );
    let kinds: Vec<_> = d
        .deviations
        .iter()
        .map(|x| (x.kind, x.path.as_str()))
        .collect();
    assert!(kinds.contains(&(DeviationKind::MisspelledElement, "/TransferedEvent")));
    assert!(kinds.contains(&(
        DeviationKind::UnknownElement,
        "/TransferedEvent/yealinkLineKey"
    )));
}

#[test]
fn mixed_namespaces_are_accepted_and_reported() {
    let xml = format!(
        r#"<DeliveredEvent xmlns="{ED5}" xmlns:old="http://www.ecma-international.org/standards/ecma-323/csta/ed3"><monitorCrossRefID>3</monitorCrossRefID><connection><callID>5</callID><deviceID>201</deviceID></connection><alertingDevice><deviceIdentifier>201</deviceIdentifier></alertingDevice><old:callingDevice><old:deviceIdentifier>202</old:deviceIdentifier></old:callingDevice><calledDevice><deviceIdentifier>201</deviceIdentifier></calledDevice><lastRedirectionDevice><notKnown/></lastRedirectionDevice><cause>newCall</cause></DeliveredEvent>"#
    );
    let d = decode(xml.as_bytes(), Mode::Tolerant).unwrap();
    let CstaMessage::DeliveredEvent(e) = &d.message else {
        panic!("not a DeliveredEvent")
    };
    assert_eq!(
        e.calling_device,
        CallingDeviceID::DeviceIdentifier(DeviceID::new("202"))
    );
    let s = decode(xml.as_bytes(), Mode::Strict).unwrap();
    assert!(
        s.deviations
            .iter()
            .any(|x| x.kind == DeviationKind::MixedNamespace
                && x.path == "/DeliveredEvent/callingDevice")
    );
}

#[test]
fn device_id_attributes_are_kept() {
    let xml = format!(
        r#"<SnapshotDevice xmlns="{ED5}"><snapshotObject typeOfNumber="dialingNumber" mediaClass="voice data" bitRate="constant">+4930123</snapshotObject></SnapshotDevice>"#
    );
    let d = decode(xml.as_bytes(), Mode::Strict).unwrap();
    let CstaMessage::SnapshotDevice(s) = &d.message else {
        panic!("not a SnapshotDevice")
    };
    assert_eq!(s.snapshot_object.value, "+4930123");
    assert_eq!(
        s.snapshot_object.type_of_number,
        Some(uacsta_csta::types::TypeOfNumber::DialingNumber)
    );
    assert_eq!(s.snapshot_object.media_class.len(), 2);
    assert!(d.deviations.is_empty(), "{:#?}", d.deviations);
}

#[test]
fn mx_private_error_code_is_the_private_data_category() {
    let xml = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/031_mx_CSTAErrorCode.xml"
    ))
    .unwrap();
    let d = decode(&xml, Mode::Tolerant).unwrap();
    let expected = CSTAErrorCode::PrivateData(PrivateDataInfoError::Unknown("URM Denied".into()));
    assert_eq!(d.message, CstaMessage::from(expected.clone()));
    assert!(d.unknown_elements.is_empty());
    let s = decode(&xml, Mode::Strict).unwrap();
    assert_eq!(s.message, d.message);
    let kinds: Vec<_> = s.deviations.iter().map(|d| d.kind).collect();
    assert!(
        kinds.contains(&DeviationKind::MisspelledElement),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&DeviationKind::WrongEnumerationValue),
        "{kinds:?}"
    );
    let out = uacsta_csta::encode(&d.message, Edition::Ed5);
    assert!(
        out.contains("<privateData>URM Denied</privateData>"),
        "{out}"
    );
    let again = decode(out.as_bytes(), Mode::Tolerant).unwrap();
    assert_eq!(again.message, CstaMessage::from(expected));
}

#[test]
fn osv_call_information_event_is_decoded() {
    let xml = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/025_osv_CallInformationEvent.xml"
    ))
    .unwrap();
    let d = decode(&xml, Mode::Tolerant).unwrap();
    assert_eq!(d.edition, Some(Edition::Ed4));
    let CstaMessage::CallInformationEvent(e) = &d.message else {
        panic!("decoded as {:?}", d.message);
    };
    assert_eq!(e.monitor_cross_ref_id, "1166743342");
    assert_eq!(
        e.connection,
        ConnectionID::new("FF00010000000000E2E00E6416060000", "3021061290000")
    );
    let SubjectDeviceID::DeviceIdentifier(device) = &e.device else {
        panic!("device {:?}", e.device);
    };
    assert_eq!(device.value, "N<3021061290000>;noa=nk");
    assert!(e.calling_device.is_none() && e.account_info.is_none());
    let info = e.connection_info.as_ref().unwrap();
    assert_eq!(info.0, "<mediaSessionInfo>voice</mediaSessionInfo>");
    assert!(
        e.call_characteristics
            .as_ref()
            .unwrap()
            .0
            .contains("<acdCall>true</acdCall>")
    );
    assert!(e.extensions.as_ref().unwrap().0.contains("scx:aliDBInfo"));
    // OpenScape wraps the correlator data in a <string> element; it is kept verbatim.
    assert!(
        d.unknown_elements
            .iter()
            .any(|u| u.path.ends_with("/correlatorData/string"))
    );
}
