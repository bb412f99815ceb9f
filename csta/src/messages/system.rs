//! System services (ECMA-269 clause 14; ECMA-323 clause 11): registration for system status,
//! system status requests and reports, and the switching-function-devices-changed report.

use crate::types::SystemStatus as SystemStatusValue;
use crate::xml::{FlagSet, RawXml};

csta_struct! {
    /// Register for system status reports (ECMA-269 14.1.4). `requestTypes` and
    /// `requestedStatusFilter` are bit sets (`systemStatus`, `requestSystemStatus`, ...).
    pub struct SystemRegister {
        request_types: req FlagSet = "requestTypes",
        requested_status_filter: opt FlagSet = "requestedStatusFilter",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The registration identifier for system status reports.
    pub struct SystemRegisterResponse {
        sys_stat_register_id: req String = "sysStatRegisterID",
        actual_status_filter: opt FlagSet = "actualStatusFilter",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The switching function ends a system status registration (ECMA-269 14.1.5).
    pub struct SystemRegisterAbort {
        sys_stat_register_id: req String = "sysStatRegisterID",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// End a system status registration (ECMA-269 14.1.6).
    pub struct SystemRegisterCancel {
        sys_stat_register_id: req String = "sysStatRegisterID",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges SystemRegisterCancel.
    pub struct SystemRegisterCancelResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Ask for the status of the switching function (ECMA-269 14.1.3); uaCSTA clients send it in
    /// the INVITE that opens the CSTA dialog.
    pub struct RequestSystemStatus {
        sys_stat_register_id: opt String = "sysStatRegisterID",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The status of the switching function.
    pub struct RequestSystemStatusResponse {
        system_status: req SystemStatusValue = "systemStatus",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Report the status of the switching function or computing function (ECMA-269 14.1.7).
    pub struct SystemStatus {
        sys_stat_register_id: opt String = "sysStatRegisterID",
        system_status: req SystemStatusValue = "systemStatus",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges SystemStatus.
    pub struct SystemStatusResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The set of devices of the switching function changed (ECMA-269 14.1.9).
    pub struct SwFunctionDevicesChanged {
        sys_stat_register_id: opt String = "sysStatRegisterID",
        extensions: opt RawXml = "extensions",
    }
}
