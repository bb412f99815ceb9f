//! Snapshot services (ECMA-269 clause 16.1; ECMA-323 `snapshot-device`, `snapshot-call`): the
//! calls at a device and the devices in a call.

use crate::types::{
    AssociatedCalledDeviceID, AssociatedCallingDeviceID, CallState, CalledDeviceID,
    CallingDeviceID, ConnectionID, DeviceID, LocalConnectionState, MediaCallCharacteristics,
    SubjectDeviceID,
};
use crate::xml::RawXml;

csta_struct! {
    /// Ask for the calls at a device (ECMA-269 16.1.2).
    pub struct SnapshotDevice {
        snapshot_object: req DeviceID = "snapshotObject",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// One call at the device.
    pub struct SnapshotDeviceResponseInfo {
        connection_identifier: req ConnectionID = "connectionIdentifier",
        endpoint_device: opt SubjectDeviceID = "endpointDevice",
        local_call_state: req CallState = "localCallState",
        services_permitted: opt RawXml = "servicesPermitted",
        media_service_info_list: opt RawXml = "mediaServiceInfoList",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_linkage_data: opt RawXml = "callLinkageData",
    }
}

csta_struct! {
    /// The calls at the device.
    pub struct SnapshotDeviceData {
        items: list SnapshotDeviceResponseInfo = "snapshotDeviceResponseInfo",
    }
}

csta_choice! {
    /// The snapshot itself, or a cross reference when it follows in SnapshotDeviceData reports.
    pub enum SnapshotDeviceResult default SnapshotDeviceResult::SnapshotData(SnapshotDeviceData::default()); {
        ServiceCrossRefID(String) = "serviceCrossRefID",
        SnapshotData(SnapshotDeviceData) = "snapshotData",
    }
}

csta_struct! {
    /// The calls at a device.
    pub struct SnapshotDeviceResponse {
        cross_ref_id_or_snapshot_data: req SnapshotDeviceResult = "crossRefIDorSnapshotData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Ask for the devices in a call (ECMA-269 16.1.1).
    pub struct SnapshotCall {
        snapshot_object: req ConnectionID = "snapshotObject",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// One device in the call.
    pub struct SnapshotCallResponseInfo {
        device_on_call: req SubjectDeviceID = "deviceOnCall",
        call_identifier: opt ConnectionID = "callIdentifier",
        local_connection_state: opt LocalConnectionState = "localConnectionState",
        services_permitted: opt RawXml = "servicesPermitted",
        media_service_info_list: opt RawXml = "mediaServiceInfoList",
        location_info: opt RawXml = "locationInfo",
    }
}

csta_struct! {
    /// The devices in the call.
    pub struct SnapshotCallData {
        items: list SnapshotCallResponseInfo = "snapshotCallResponseInfo",
    }
}

csta_choice! {
    /// The snapshot itself, or a cross reference when it follows in SnapshotCallData reports.
    pub enum SnapshotCallResult default SnapshotCallResult::SnapshotData(SnapshotCallData::default()); {
        ServiceCrossRefID(String) = "serviceCrossRefID",
        SnapshotData(SnapshotCallData) = "snapshotData",
    }
}

csta_struct! {
    /// The devices in a call and the call's characteristics.
    pub struct SnapshotCallResponse {
        cross_ref_id_or_snapshot_data: req SnapshotCallResult = "crossRefIDorSnapshotData",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        calling_device: opt CallingDeviceID = "callingDevice",
        called_device: opt CalledDeviceID = "calledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        correlator_data: opt String = "correlatorData",
        call_linkage_data: opt RawXml = "callLinkageData",
        subject_of_call: opt String = "subjectOfCall",
        message_info: opt RawXml = "messageInfo",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        extensions: opt RawXml = "extensions",
    }
}
