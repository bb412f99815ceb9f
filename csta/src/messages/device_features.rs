//! Physical and logical device features (ECMA-269 clauses 21 and 22; ECMA-323 clauses 18 and 19):
//! message waiting, do not disturb and forwarding, with their events.

use crate::types::{
    DeviceID, DeviceIDList, ForwardDefault, ForwardingType, MonitorCrossRefID, SubjectDeviceID,
};
use crate::xml::{FlagSet, RawXml};

csta_struct! {
    /// Ask whether the message waiting indicator is on (ECMA-269 21.1.21).
    pub struct GetMessageWaitingIndicator {
        device: req DeviceID = "device",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The message waiting indicator.
    pub struct GetMessageWaitingIndicatorResponse {
        message_waiting_on: req bool = "messageWaitingOn",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Turn the message waiting indicator on or off (ECMA-269 21.1.37).
    pub struct SetMessageWaitingIndicator {
        device: req DeviceID = "device",
        message_waiting_on: req bool = "messageWaitingOn",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges SetMessageWaitingIndicator.
    pub struct SetMessageWaitingIndicatorResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The message waiting indicator changed (ECMA-269 21.2.8).
    pub struct MessageWaitingEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        target_device: req SubjectDeviceID = "targetDevice",
        device_for_message: opt DeviceID = "deviceForMessage",
        message_waiting_on: req bool = "messageWaitingOn",
        message_info: opt RawXml = "messageInfo",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Ask whether do-not-disturb is on (ECMA-269 22.1.7).
    pub struct GetDoNotDisturb {
        device: req DeviceID = "device",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The do-not-disturb setting.
    pub struct GetDoNotDisturbResponse {
        do_not_disturb_on: req bool = "doNotDisturbOn",
        call_origination: opt FlagSet = "callOrigination",
        calling_device_list: opt DeviceIDList = "callingDeviceList",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Turn do-not-disturb on or off (ECMA-269 22.1.17).
    pub struct SetDoNotDisturb {
        device: req DeviceID = "device",
        do_not_disturb_on: req bool = "doNotDisturbOn",
        call_origination: opt FlagSet = "callOrigination",
        calling_device_list: opt DeviceIDList = "callingDeviceList",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges SetDoNotDisturb.
    pub struct SetDoNotDisturbResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Do-not-disturb changed (ECMA-269 22.2.8).
    pub struct DoNotDisturbEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        device: req SubjectDeviceID = "device",
        do_not_disturb_on: req bool = "doNotDisturbOn",
        call_origination: opt FlagSet = "callOrigination",
        calling_device_list: opt DeviceIDList = "callingDeviceList",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Ask for the forwarding settings (ECMA-269 22.1.8).
    pub struct GetForwarding {
        device: req DeviceID = "device",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// One forwarding setting (ECMA-269 `ForwardList` item).
    pub struct ForwardListItem {
        forwarding_type: opt ForwardingType = "forwardingType",
        forward_status: req bool = "forwardStatus",
        forward_dn: opt DeviceID = "forwardDN",
        forward_default: opt ForwardDefault = "forwardDefault",
        ring_duration: opt u32 = "ringDuration",
        ring_count: opt u32 = "ringCount",
    }
}

csta_struct! {
    /// The forwarding settings of a device (ECMA-269 `ForwardList`).
    pub struct ForwardList {
        items: list ForwardListItem = "forwardListItem",
    }
}

csta_struct! {
    /// The forwarding settings.
    pub struct GetForwardingResponse {
        forwarding_list: req ForwardList = "forwardingList",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Switch a kind of forwarding on or off (ECMA-269 22.1.18).
    pub struct SetForwarding {
        device: req DeviceID = "device",
        forwarding_type: opt ForwardingType = "forwardingType",
        activate_forward: req bool = "activateForward",
        forward_dn: opt DeviceID = "forwardDN",
        ring_count: opt u32 = "ringCount",
        ring_duration: opt u32 = "ringDuration",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges SetForwarding.
    pub struct SetForwardingResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A forwarding setting changed (ECMA-269 22.2.9).
    pub struct ForwardingEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        device: req SubjectDeviceID = "device",
        forwarding_type: opt ForwardingType = "forwardingType",
        forward_status: req bool = "forwardStatus",
        forward_to: opt DeviceID = "forwardTo",
        forward_default: opt ForwardDefault = "forwardDefault",
        ring_count: opt u32 = "ringCount",
        ring_duration: opt u32 = "ringDuration",
        extensions: opt RawXml = "extensions",
    }
}
