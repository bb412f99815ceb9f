//! The public entry points as a CLI uses them: errors with positions, the JSON form, encoding in
//! the peer's edition and in the ECMA-354 namespace, and no panic on damaged input.

use uacsta_csta::messages::{
    ApplicationInfo, ApplicationSpecificInfo, ProtocolVersionList, StartApplicationSession,
};
use uacsta_csta::types::{ConnectionID, DeviceID};
use uacsta_csta::{
    CSTAErrorCode, CstaMessage, DecodeError, ECMA_354_NAMESPACE, Edition, Mode, Namespace, decode,
    encode,
};

#[test]
fn malformed_xml_reports_byte_line_and_column() {
    let err = decode(
        b"<MonitorStart>\n  <monitorObject></deviceObject>\n</MonitorStart>",
        Mode::Tolerant,
    )
    .unwrap_err();
    let DecodeError::Xml { position, .. } = err else {
        panic!("unexpected error {err:?}")
    };
    assert_eq!(position.line, 2);
    assert!(position.offset > 14);
}

#[test]
fn unknown_root_is_a_typed_error() {
    let err = decode(b"<FooBar xmlns=\"urn:x\"/>", Mode::Tolerant).unwrap_err();
    assert_eq!(
        err,
        DecodeError::UnknownMessage {
            name: "FooBar".into(),
            position: uacsta_csta::Position {
                offset: 0,
                line: 1,
                column: 1
            }
        }
    );
    assert_eq!(
        decode(b"   ", Mode::Tolerant).unwrap_err(),
        DecodeError::Empty
    );
}

#[test]
fn truncated_and_damaged_input_never_panics() {
    let xml = encode(
        &uacsta_csta::messages::AnswerCall {
            call_to_be_answered: ConnectionID::new("-7", "201"),
            ..Default::default()
        }
        .into(),
        Edition::Ed4,
    );
    let bytes = xml.as_bytes();
    for cut in 0..bytes.len() {
        let _ = decode(&bytes[..cut], Mode::Strict);
        let mut flipped = bytes.to_vec();
        flipped[cut] ^= 0x5A;
        let _ = decode(&flipped, Mode::Tolerant);
    }
    assert!(decode(bytes, Mode::Strict).is_ok());
}

#[test]
fn error_code_in_every_edition_namespace() {
    let xml = encode(
        &CSTAErrorCode::StateIncompatibility(
            uacsta_csta::error_code::StateIncompatibilityError::NoCallToAnswer,
        )
        .into(),
        Edition::Ed5,
    );
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CSTAErrorCode xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed5\"><stateIncompatibility>noCallToAnswer</stateIncompatibility></CSTAErrorCode>"
    );
    let unspecified = decode(
        b"<CSTAErrorCode xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed2\"><unspecified/></CSTAErrorCode>",
        Mode::Strict,
    )
    .unwrap();
    assert_eq!(unspecified.edition, Some(Edition::Ed2));
    assert_eq!(
        unspecified.message,
        CstaMessage::CSTAErrorCode(Box::new(CSTAErrorCode::Unspecified))
    );
}

#[test]
fn ecma_354_messages_use_their_own_namespace() {
    let m = CstaMessage::from(StartApplicationSession {
        application_info: ApplicationInfo {
            application_id: "uacsta".into(),
            application_specific_info: Some(ApplicationSpecificInfo {
                user_id: Some("admin".into()),
                password: Some("s3cret".into()),
                private: None,
            }),
        },
        requested_protocol_versions: ProtocolVersionList {
            versions: vec![Edition::Ed3.namespace().into()],
        },
        requested_session_duration: Some(180),
        extensions: None,
    });
    let xml = encode(&m, Edition::Ed6);
    assert!(xml.contains(&format!(
        "<StartApplicationSession xmlns=\"{ECMA_354_NAMESPACE}\">"
    )));
    assert!(xml.contains("<userID>admin</userID><password>s3cret</password>"));
    let d = decode(xml.as_bytes(), Mode::Strict).unwrap();
    assert_eq!(d.namespace, Namespace::Ecma354);
    assert_eq!(d.edition, None);
    assert!(d.deviations.is_empty());
    assert_eq!(d.message, m);
}

#[test]
fn json_form_round_trips_and_uses_element_names() {
    let m = CstaMessage::from(uacsta_csta::messages::MakeCall {
        calling_device: DeviceID::new("201"),
        called_directory_number: DeviceID::new("tel:+4930123"),
        ..Default::default()
    });
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(
        json,
        r#"{"MakeCall":{"callingDevice":{"value":"201"},"calledDirectoryNumber":{"value":"tel:+4930123"}}}"#
    );
    let back: CstaMessage = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
    let decoded = decode(encode(&back, Edition::Ed3).as_bytes(), Mode::Strict).unwrap();
    let again = serde_json::to_value(&decoded).unwrap();
    assert_eq!(again["edition"], "Ed3");
    assert_eq!(
        again["message"]["MakeCall"]["callingDevice"]["value"],
        "201"
    );
}

#[test]
fn unknown_enum_values_survive_json() {
    let d = decode(
        b"<RequestSystemStatusResponse><systemStatus>sleeping</systemStatus></RequestSystemStatusResponse>",
        Mode::Tolerant,
    )
    .unwrap();
    let json = serde_json::to_string(&d.message).unwrap();
    assert_eq!(
        json,
        r#"{"RequestSystemStatusResponse":{"systemStatus":"sleeping"}}"#
    );
    let back: CstaMessage = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d.message);
}

#[test]
fn repeated_attributes_are_ill_formed() {
    for xml in [
        &b"<MonitorStart xmlns=\"urn:a\" xmlns=\"urn:a\"><monitorObject><deviceObject>1</deviceObject></monitorObject></MonitorStart>"[..],
        b"<MonitorStart><monitorObject><deviceObject typeOfNumber=\"other\" typeOfNumber=\"other\">1</deviceObject></monitorObject></MonitorStart>",
        // more attributes than the decoder compares inline
        b"<MonitorStart a=\"1\" b=\"1\" c=\"1\" d=\"1\" e=\"1\" f=\"1\" g=\"1\" h=\"1\" i=\"1\" a=\"2\"/>",
    ] {
        for mode in [Mode::Tolerant, Mode::Strict] {
            let err = decode(xml, mode).unwrap_err();
            assert!(matches!(err, DecodeError::Xml { .. }), "{err:?}");
        }
    }
    let many = b"<MonitorStart xmlns=\"urn:a\" a=\"1\" b=\"1\" c=\"1\" d=\"1\" e=\"1\" f=\"1\" g=\"1\" h=\"1\" i=\"1\"><monitorObject><deviceObject>1</deviceObject></monitorObject></MonitorStart>";
    assert!(decode(many, Mode::Tolerant).is_ok());
}
