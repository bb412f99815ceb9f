//! Call control services and events (ECMA-269 clause 17; ECMA-323 clause 14).

use crate::types::{
    AssociatedCalledDeviceID, AssociatedCallingDeviceID, AutoOriginate, CalledDeviceID,
    CallingDeviceID, ConnectionID, ConnectionList, ConsultOptions, DeviceID, DeviceIDList,
    EventCause, LocalConnectionState, MediaCallCharacteristics, MonitorCrossRefID,
    NetworkCalledDeviceID, NetworkCallingDeviceID, ParticipationType, ProgressIndicator,
    RedirectionDeviceID, SubjectDeviceID, UserData,
};
use crate::xml::RawXml;

// ----- services -----

csta_struct! {
    /// Put the active call on hold and retrieve the held one (ECMA-269 17.1.2).
    pub struct AlternateCall {
        held_call: req ConnectionID = "heldCall",
        active_call: req ConnectionID = "activeCall",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges AlternateCall.
    pub struct AlternateCallResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Answer an alerting call (ECMA-269 17.1.3).
    pub struct AnswerCall {
        call_to_be_answered: req ConnectionID = "callToBeAnswered",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        call_characteristics: opt RawXml = "callCharacteristics",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        connection_info: opt RawXml = "connectionInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges AnswerCall.
    pub struct AnswerCallResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Release one connection of a call (ECMA-269 17.1.8).
    pub struct ClearConnection {
        connection_to_be_cleared: req ConnectionID = "connectionToBeCleared",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        reason: opt EventCause = "reason",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges ClearConnection.
    pub struct ClearConnectionResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Join a held call and an active call into a conference (ECMA-269 17.1.9).
    pub struct ConferenceCall {
        held_call: req ConnectionID = "heldCall",
        active_call: req ConnectionID = "activeCall",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The conference call and its connections.
    pub struct ConferenceCallResponse {
        conference_call: req ConnectionID = "conferenceCall",
        connections: opt ConnectionList = "connections",
        conference_call_info: opt RawXml = "conferenceCallInfo",
        call_linkage_data_list: opt RawXml = "callLinkageDataList",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Hold the existing call and call another device (ECMA-269 17.1.10).
    pub struct ConsultationCall {
        existing_call: req ConnectionID = "existingCall",
        consulted_device: req DeviceID = "consultedDevice",
        connection_reservation: opt bool = "connectionReservation",
        account_code: opt String = "accountCode",
        auth_code: opt String = "authCode",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        call_characteristics: opt RawXml = "callCharacteristics",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        calling_connection_info: opt RawXml = "callingConnectionInfo",
        consult_options: opt ConsultOptions = "consultOptions",
        subject_of_call: opt String = "subjectOfCall",
        language_preferences: opt String = "languagePreferences",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The consultation call.
    pub struct ConsultationCallResponse {
        initiated_call: req ConnectionID = "initiatedCall",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        initiated_call_info: opt RawXml = "initiatedCallInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Divert an alerting call elsewhere (ECMA-269 17.1.11).
    pub struct DeflectCall {
        call_to_be_diverted: req ConnectionID = "callToBeDiverted",
        new_destination: req DeviceID = "newDestination",
        add_new_destinations_list: opt DeviceIDList = "addNewDestinationsList",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        call_characteristics: opt RawXml = "callCharacteristics",
        subject_of_call: opt String = "subjectOfCall",
        language_preferences: opt String = "languagePreferences",
        reason: opt EventCause = "reason",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges DeflectCall.
    pub struct DeflectCallResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Dial further digits on a call being set up (ECMA-269 17.1.12).
    pub struct DialDigits {
        connection_to_dial_digits: req ConnectionID = "connectionToDialDigits",
        dialing_sequence: req String = "dialingSequence",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges DialDigits.
    pub struct DialDigitsResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Pick up a call alerting at another device (ECMA-269 17.1.13).
    pub struct DirectedPickupCall {
        call_to_be_picked_up: req ConnectionID = "callToBePickedUp",
        requesting_device: req DeviceID = "requestingDevice",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The picked-up call.
    pub struct DirectedPickupCallResponse {
        picked_call: req ConnectionID = "pickedCall",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Put a call on hold (ECMA-269 17.1.16).
    pub struct HoldCall {
        call_to_be_held: req ConnectionID = "callToBeHeld",
        connection_reservation: opt bool = "connectionReservation",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges HoldCall.
    pub struct HoldCallResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Set up a call from one device to another (ECMA-269 17.1.20).
    pub struct MakeCall {
        calling_device: req DeviceID = "callingDevice",
        called_directory_number: req DeviceID = "calledDirectoryNumber",
        account_code: opt String = "accountCode",
        auth_code: opt String = "authCode",
        auto_originate: opt AutoOriginate = "autoOriginate",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        call_characteristics: opt RawXml = "callCharacteristics",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        calling_connection_info: opt RawXml = "callingConnectionInfo",
        subject_of_call: opt String = "subjectOfCall",
        language_preferences: opt String = "languagePreferences",
        reason: opt EventCause = "reason",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The calling device's connection of the new call.
    pub struct MakeCallResponse {
        calling_device: req ConnectionID = "callingDevice",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        initiated_call_info: opt RawXml = "initiatedCallInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Clear the active call and retrieve the held one (ECMA-269 17.1.25).
    pub struct ReconnectCall {
        active_call: req ConnectionID = "activeCall",
        held_call: req ConnectionID = "heldCall",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges ReconnectCall.
    pub struct ReconnectCallResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Retrieve a held call (ECMA-269 17.1.27).
    pub struct RetrieveCall {
        call_to_be_retrieved: req ConnectionID = "callToBeRetrieved",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges RetrieveCall.
    pub struct RetrieveCallResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Add a device to an existing call in one step (ECMA-269 17.1.29).
    pub struct SingleStepConferenceCall {
        active_call: req ConnectionID = "activeCall",
        device_to_join: req DeviceID = "deviceToJoin",
        participation_type: opt ParticipationType = "participationType",
        account_code: opt String = "accountCode",
        auth_code: opt String = "authCode",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The conferenced call.
    pub struct SingleStepConferenceCallResponse {
        conferenced_call: req ConnectionID = "conferencedCall",
        connections: opt ConnectionList = "connections",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Transfer a call to another device without consultation (ECMA-269 17.1.30).
    pub struct SingleStepTransferCall {
        active_call: req ConnectionID = "activeCall",
        transferred_to: req DeviceID = "transferredTo",
        account_code: opt String = "accountCode",
        auth_code: opt String = "authCode",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The transferred call.
    pub struct SingleStepTransferCallResponse {
        transferred_call: req ConnectionID = "transferredCall",
        connections: opt ConnectionList = "connections",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Join a held call and an active call and drop out (ECMA-269 17.1.31).
    pub struct TransferCall {
        held_call: req ConnectionID = "heldCall",
        active_call: req ConnectionID = "activeCall",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The transferred call and its connections.
    pub struct TransferCallResponse {
        transferred_call: req ConnectionID = "transferredCall",
        connections: opt ConnectionList = "connections",
        transferred_call_info: opt RawXml = "transferredCallInfo",
        call_linkage_data_list: opt RawXml = "callLinkageDataList",
        extensions: opt RawXml = "extensions",
    }
}

// ----- events -----

csta_struct! {
    /// A whole call was released (ECMA-269 17.2.2).
    pub struct CallClearedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        cleared_call: req ConnectionID = "clearedCall",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        call_linkage_data: opt RawXml = "callLinkageData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Two calls were joined into a conference (ECMA-269 17.2.3).
    pub struct ConferencedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        primary_old_call: req ConnectionID = "primaryOldCall",
        secondary_old_call: opt ConnectionID = "secondaryOldCall",
        conferencing_device: req SubjectDeviceID = "conferencingDevice",
        added_party: req SubjectDeviceID = "addedParty",
        conference_connections: req ConnectionList = "conferenceConnections",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        call_linkage_data_list: opt RawXml = "callLinkageDataList",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        location_info: opt RawXml = "locationInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A device left a call (ECMA-269 17.2.4).
    pub struct ConnectionClearedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        dropped_connection: req ConnectionID = "droppedConnection",
        releasing_device: req SubjectDeviceID = "releasingDevice",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        charging_info: opt RawXml = "chargingInfo",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        dropped_connection_info: opt RawXml = "droppedConnectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        device_history: opt RawXml = "deviceHistory",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A call is alerting at a device (ECMA-269 17.2.5).
    pub struct DeliveredEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        connection: req ConnectionID = "connection",
        alerting_device: req SubjectDeviceID = "alertingDevice",
        calling_device: req CallingDeviceID = "callingDevice",
        called_device: req CalledDeviceID = "calledDevice",
        last_redirection_device: req RedirectionDeviceID = "lastRedirectionDevice",
        originating_nid_connection: opt ConnectionID = "originatingNIDConnection",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        network_calling_device: opt NetworkCallingDeviceID = "networkCallingDevice",
        network_called_device: opt NetworkCalledDeviceID = "networkCalledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        connection_info: opt RawXml = "connectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        subject_of_call: opt String = "subjectOfCall",
        message_info: opt RawXml = "messageInfo",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        location_info: opt RawXml = "locationInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Digits were dialled on a call being set up (ECMA-269 17.2.6).
    pub struct DigitsDialedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        dialing_connection: req ConnectionID = "dialingConnection",
        dialing_device: req SubjectDeviceID = "dialingDevice",
        dialing_sequence: req String = "dialingSequence",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        call_characteristics: opt RawXml = "callCharacteristics",
        call_linkage_data: opt RawXml = "callLinkageData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A call left a device for another (ECMA-269 17.2.7).
    pub struct DivertedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        connection: req ConnectionID = "connection",
        diverting_device: req SubjectDeviceID = "divertingDevice",
        new_destination: req SubjectDeviceID = "newDestination",
        calling_device: opt CallingDeviceID = "callingDevice",
        called_device: opt CalledDeviceID = "calledDevice",
        last_redirection_device: req RedirectionDeviceID = "lastRedirectionDevice",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        connection_info: opt RawXml = "connectionInfo",
        network_calling_device: opt NetworkCallingDeviceID = "networkCallingDevice",
        network_called_device: opt NetworkCalledDeviceID = "networkCalledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        call_linkage_data: opt RawXml = "callLinkageData",
        subject_of_call: opt String = "subjectOfCall",
        message_info: opt RawXml = "messageInfo",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        location_info: opt RawXml = "locationInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A device answered a call (ECMA-269 17.2.8).
    pub struct EstablishedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        established_connection: req ConnectionID = "establishedConnection",
        answering_device: req SubjectDeviceID = "answeringDevice",
        calling_device: req CallingDeviceID = "callingDevice",
        called_device: req CalledDeviceID = "calledDevice",
        last_redirection_device: req RedirectionDeviceID = "lastRedirectionDevice",
        originating_nid_connection: opt ConnectionID = "originatingNIDConnection",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        network_calling_device: opt NetworkCallingDeviceID = "networkCallingDevice",
        network_called_device: opt NetworkCalledDeviceID = "networkCalledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        established_connection_info: opt RawXml = "establishedConnectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        subject_of_call: opt String = "subjectOfCall",
        message_info: opt RawXml = "messageInfo",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        location_info: opt RawXml = "locationInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A call could not be completed (ECMA-269 17.2.9).
    pub struct FailedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        failed_connection: req ConnectionID = "failedConnection",
        failing_device: req SubjectDeviceID = "failingDevice",
        calling_device: req CallingDeviceID = "callingDevice",
        called_device: req CalledDeviceID = "calledDevice",
        last_redirection_device: req RedirectionDeviceID = "lastRedirectionDevice",
        originating_nid_connection: opt ConnectionID = "originatingNIDConnection",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        network_calling_device: opt NetworkCallingDeviceID = "networkCallingDevice",
        network_called_device: opt NetworkCalledDeviceID = "networkCalledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        failed_connection_info: opt RawXml = "failedConnectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        subject_of_call: opt String = "subjectOfCall",
        message_info: opt RawXml = "messageInfo",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        location_info: opt RawXml = "locationInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A call was put on hold (ECMA-269 17.2.10).
    pub struct HeldEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        held_connection: req ConnectionID = "heldConnection",
        holding_device: req SubjectDeviceID = "holdingDevice",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        held_connection_info: opt RawXml = "heldConnectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The network told what an outgoing call can do (ECMA-269 17.2.11).
    pub struct NetworkCapabilitiesChangedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        outbound_connection: req ConnectionID = "outboundConnection",
        network_interface_used: req SubjectDeviceID = "networkInterfaceUsed",
        called_device: req CalledDeviceID = "calledDevice",
        progress_indicator: req ProgressIndicator = "progressIndicator",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        network_calling_device: opt NetworkCallingDeviceID = "networkCallingDevice",
        network_called_device: opt NetworkCalledDeviceID = "networkCalledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_linkage_data: opt RawXml = "callLinkageData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A call left the switching function for the network (ECMA-269 17.2.12).
    pub struct NetworkReachedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        outbound_connection: req ConnectionID = "outboundConnection",
        network_interface_used: req SubjectDeviceID = "networkInterfaceUsed",
        calling_device: req CallingDeviceID = "callingDevice",
        called_device: req CalledDeviceID = "calledDevice",
        last_redirection_device: req RedirectionDeviceID = "lastRedirectionDevice",
        originating_nid_connection: opt ConnectionID = "originatingNIDConnection",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        network_calling_device: opt NetworkCallingDeviceID = "networkCallingDevice",
        network_called_device: opt NetworkCalledDeviceID = "networkCalledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        outbound_connection_info: opt RawXml = "outboundConnectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        subject_of_call: opt String = "subjectOfCall",
        message_info: opt RawXml = "messageInfo",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        location_info: opt RawXml = "locationInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A call is offered to a device before it alerts (ECMA-269 17.2.13).
    pub struct OfferedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        offered_connection: req ConnectionID = "offeredConnection",
        offered_device: req SubjectDeviceID = "offeredDevice",
        calling_device: req CallingDeviceID = "callingDevice",
        called_device: req CalledDeviceID = "calledDevice",
        last_redirection_device: req RedirectionDeviceID = "lastRedirectionDevice",
        originating_nid_connection: opt ConnectionID = "originatingNIDConnection",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        network_calling_device: opt NetworkCallingDeviceID = "networkCallingDevice",
        network_called_device: opt NetworkCalledDeviceID = "networkCalledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        offered_connection_info: opt RawXml = "offeredConnectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        subject_of_call: opt String = "subjectOfCall",
        message_info: opt RawXml = "messageInfo",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        location_info: opt RawXml = "locationInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A device started an outgoing call (ECMA-269 17.2.14).
    pub struct OriginatedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        originated_connection: req ConnectionID = "originatedConnection",
        calling_device: req SubjectDeviceID = "callingDevice",
        called_device: req CalledDeviceID = "calledDevice",
        originating_device: opt DeviceID = "originatingDevice",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        network_calling_device: opt NetworkCallingDeviceID = "networkCallingDevice",
        network_called_device: opt NetworkCalledDeviceID = "networkCalledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        originated_connection_info: opt RawXml = "originatedConnectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        subject_of_call: opt String = "subjectOfCall",
        message_info: opt RawXml = "messageInfo",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        location_info: opt RawXml = "locationInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A call was queued at a device (ECMA-269 17.2.15).
    pub struct QueuedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        queued_connection: req ConnectionID = "queuedConnection",
        queue: req SubjectDeviceID = "queue",
        calling_device: req CallingDeviceID = "callingDevice",
        called_device: req CalledDeviceID = "calledDevice",
        last_redirection_device: req RedirectionDeviceID = "lastRedirectionDevice",
        number_queued: opt u32 = "numberQueued",
        calls_in_front: opt u32 = "callsInFront",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        network_calling_device: opt NetworkCallingDeviceID = "networkCallingDevice",
        network_called_device: opt NetworkCalledDeviceID = "networkCalledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        queued_connection_info: opt RawXml = "queuedConnectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        subject_of_call: opt String = "subjectOfCall",
        message_info: opt RawXml = "messageInfo",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        location_info: opt RawXml = "locationInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A held call was retrieved (ECMA-269 17.2.16).
    pub struct RetrievedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        retrieved_connection: req ConnectionID = "retrievedConnection",
        retrieving_device: req SubjectDeviceID = "retrievingDevice",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        retrieved_connection_info: opt RawXml = "retrievedConnectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A device went off-hook or was prompted to start a call (ECMA-269 17.2.17).
    pub struct ServiceInitiatedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        initiated_connection: req ConnectionID = "initiatedConnection",
        initiating_device: req SubjectDeviceID = "initiatingDevice",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        initiated_connection_info: opt RawXml = "initiatedConnectionInfo",
        call_linkage_data: opt RawXml = "callLinkageData",
        network_calling_device: opt NetworkCallingDeviceID = "networkCallingDevice",
        network_called_device: opt NetworkCalledDeviceID = "networkCalledDevice",
        associated_calling_device: opt AssociatedCallingDeviceID = "associatedCallingDevice",
        associated_called_device: opt AssociatedCalledDeviceID = "associatedCalledDevice",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A call was transferred (ECMA-269 17.2.18). Some phones spell it `TransferedEvent`.
    pub struct TransferredEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        primary_old_call: req ConnectionID = "primaryOldCall",
        secondary_old_call: opt ConnectionID = "secondaryOldCall",
        transferring_device: req SubjectDeviceID = "transferringDevice",
        transferred_to_device: req SubjectDeviceID = "transferredToDevice",
        transferred_connections: req ConnectionList = "transferredConnections",
        local_connection_info: opt LocalConnectionState = "localConnectionInfo",
        correlator_data: opt String = "correlatorData",
        user_data: opt UserData = "userData",
        charging_info: opt RawXml = "chargingInfo",
        cause: req EventCause = "cause",
        services_permitted: opt RawXml = "servicesPermitted",
        media_call_characteristics: opt MediaCallCharacteristics = "mediaCallCharacteristics",
        call_characteristics: opt RawXml = "callCharacteristics",
        call_linkage_data_list: opt RawXml = "callLinkageDataList",
        language_preferences: opt String = "languagePreferences",
        device_history: opt RawXml = "deviceHistory",
        location_info: opt RawXml = "locationInfo",
        extensions: opt RawXml = "extensions",
    }
}
