//! Strict mode on broken samples under `tests/broken/`: each reports the exact deviation, while
//! tolerant mode decodes the same bytes without complaint.

use uacsta_csta::{CstaMessage, DeviationKind, Mode, decode};

fn broken(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/broken/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn assert_reports(name: &str, kind: DeviationKind, path: &str) {
    let input = broken(name);
    let strict = decode(&input, Mode::Strict).expect("strict decoding still yields a message");
    assert!(
        strict
            .deviations
            .iter()
            .any(|d| d.kind == kind && d.path == path),
        "{name}: expected {kind:?} at {path}, got {:#?}",
        strict.deviations
    );
    let tolerant = decode(&input, Mode::Tolerant).expect("tolerant decoding");
    assert!(
        tolerant.deviations.is_empty(),
        "tolerant mode reports nothing"
    );
    assert_eq!(tolerant.message, strict.message);
}

#[test]
fn wrong_namespace_is_reported_at_the_root() {
    assert_reports(
        "wrong_namespace.xml",
        DeviationKind::WrongNamespace,
        "/MonitorStart",
    );
    let d = decode(&broken("wrong_namespace.xml"), Mode::Strict).unwrap();
    assert_eq!(d.deviations.len(), 1, "{:#?}", d.deviations);
    assert_eq!(d.edition, None);
}

#[test]
fn misspelled_element_is_reported_and_still_understood() {
    assert_reports(
        "misspelled_element.xml",
        DeviationKind::MisspelledElement,
        "/MonitorStart/monitorObject/DeviceObject",
    );
    let d = decode(&broken("misspelled_element.xml"), Mode::Tolerant).unwrap();
    let CstaMessage::MonitorStart(m) = d.message else {
        panic!("not a MonitorStart")
    };
    assert_eq!(
        m.monitor_object,
        uacsta_csta::types::MonitorObject::DeviceObject(uacsta_csta::types::DeviceID::new("181"))
    );
}

#[test]
fn missing_mandatory_cause_is_reported() {
    assert_reports(
        "missing_mandatory.xml",
        DeviationKind::MissingMandatory,
        "/DeliveredEvent/cause",
    );
    let d = decode(&broken("missing_mandatory.xml"), Mode::Strict).unwrap();
    assert_eq!(d.deviations.len(), 1, "{:#?}", d.deviations);
}

#[test]
fn wrong_enumeration_values_are_reported_and_kept() {
    assert_reports(
        "wrong_enumeration_value.xml",
        DeviationKind::WrongEnumerationValue,
        "/HeldEvent/localConnectionInfo",
    );
    assert_reports(
        "wrong_enumeration_value.xml",
        DeviationKind::WrongEnumerationValue,
        "/HeldEvent/cause",
    );
    let d = decode(&broken("wrong_enumeration_value.xml"), Mode::Tolerant).unwrap();
    let CstaMessage::HeldEvent(e) = d.message else {
        panic!("not a HeldEvent")
    };
    assert_eq!(
        e.local_connection_info,
        Some(uacsta_csta::types::LocalConnectionState::Unknown(
            "onHold".into()
        ))
    );
    assert_eq!(
        e.cause,
        uacsta_csta::types::EventCause::Unknown("callHeld".into())
    );
}

#[test]
fn wrong_order_is_reported_at_the_late_element() {
    assert_reports(
        "wrong_order.xml",
        DeviationKind::WrongOrder,
        "/MakeCall/callingDevice",
    );
    let d = decode(&broken("wrong_order.xml"), Mode::Tolerant).unwrap();
    let CstaMessage::MakeCall(m) = d.message else {
        panic!("not a MakeCall")
    };
    assert_eq!(m.calling_device.value, "201");
    assert_eq!(m.called_directory_number.value, "202");
}

#[test]
fn a_conformant_message_has_no_deviation() {
    let xml = br#"<?xml version="1.0" encoding="UTF-8"?><MonitorStart xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3"><monitorObject><deviceObject>181</deviceObject></monitorObject></MonitorStart>"#;
    let d = decode(xml, Mode::Strict).unwrap();
    assert!(d.deviations.is_empty(), "{:#?}", d.deviations);
}
