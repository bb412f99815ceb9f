//! Call associated features (ECMA-269 clause 18; ECMA-323 clause 15): GenerateDigits and the
//! CallInformation and DigitsGenerated events.

use crate::types::{
    CallingDeviceID, ConnectionID, DeviceID, MonitorCrossRefID, SubjectDeviceID, UserData,
};
use crate::xml::RawXml;

csta_struct! {
    /// Information about a call became available or changed at a device: account or
    /// authorisation codes, correlator or user data, call characteristics (ECMA-269 clause 18,
    /// call associated events; the ASN.1 of ECMA-285 `CallInformationEvent`). OpenScape Voice
    /// sends it with correlator data and `callCharacteristics` for ACD calls.
    pub struct CallInformationEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        connection: req ConnectionID = "connection",
        device: req SubjectDeviceID = "device",
        calling_device: opt CallingDeviceID = "callingDevice",
        account_info: opt String = "accountInfo",
        authorisation_code: opt String = "authorisationCode",
        correlator_data: opt String = "correlatorData",
        services_permitted: opt RawXml = "servicesPermitted",
        user_data: opt UserData = "userData",
        call_qualifying_data: opt String = "callQualifyingData",
        connection_info: opt RawXml = "connectionInfo",
        call_linkage_data_list: opt RawXml = "callLinkageDataList",
        call_characteristics: opt RawXml = "callCharacteristics",
        subject_of_call: opt String = "subjectOfCall",
        language_preferences: opt String = "languagePreferences",
        device_info: opt DeviceID = "deviceInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Send DTMF digits on a connection (ECMA-269 18.1.4).
    pub struct GenerateDigits {
        connection_to_send_digits: req ConnectionID = "connectionToSendDigits",
        characters_to_send: req String = "charactersToSend",
        tone_duration: opt u32 = "toneDuration",
        pause_duration: opt u32 = "pauseDuration",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges GenerateDigits.
    pub struct GenerateDigitsResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Digits were sent on a connection (ECMA-269 18.2.4).
    pub struct DigitsGeneratedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        connection: req ConnectionID = "connection",
        digit_generated_list: req String = "digitGeneratedList",
        digit_duration_list: opt RawXml = "digitDurationList",
        pause_duration_list: opt RawXml = "pauseDurationList",
        connection_info: opt RawXml = "connectionInfo",
        extensions: opt RawXml = "extensions",
    }
}
