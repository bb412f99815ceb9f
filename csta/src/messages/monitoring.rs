//! Monitoring services and status events (ECMA-269 clauses 15 and 16; ECMA-323 clauses 12 and
//! 13): MonitorStart, MonitorStop, the monitor-ended report, and BackInService / OutOfService.

use crate::types::{
    DeviceID, EventCause, MonitorCrossRefID, MonitorFilter, MonitorObject, MonitorType,
};
use crate::xml::{FlagSet, RawXml};

csta_struct! {
    /// Start monitoring a device or call (ECMA-269 15.1.2).
    pub struct MonitorStart {
        monitor_object: req MonitorObject = "monitorObject",
        requested_monitor_filter: opt MonitorFilter = "requestedMonitorFilter",
        monitor_type: opt MonitorType = "monitorType",
        requested_monitor_media_class: opt FlagSet = "requestedMonitorMediaClass",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The monitor's cross reference and what it actually reports.
    pub struct MonitorStartResponse {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        actual_monitor_filter: opt MonitorFilter = "actualMonitorFilter",
        actual_monitor_media_class: opt FlagSet = "actualMonitorMediaClass",
        monitor_existing_calls: opt bool = "monitorExistingCalls",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Stop a monitor (ECMA-269 15.1.3); sent by either side.
    pub struct MonitorStop {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges MonitorStop.
    pub struct MonitorStopResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The switching function ended a monitor on its own (the monitor-ended report of CSTA Phase
    /// I, ECMA-179, still sent by TAPI-oriented servers; ECMA-269 servers send MonitorStop).
    pub struct MonitorEndedEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        cause: opt EventCause = "cause",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A device is back in service (ECMA-269 16.2.1).
    pub struct BackInServiceEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        device: req DeviceID = "device",
        cause: opt EventCause = "cause",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// A device is out of service (ECMA-269 16.2.3).
    pub struct OutOfServiceEvent {
        monitor_cross_ref_id: req MonitorCrossRefID = "monitorCrossRefID",
        device: req DeviceID = "device",
        cause: opt EventCause = "cause",
        extensions: opt RawXml = "extensions",
    }
}
