//! Capability exchange services (ECMA-269 clause 13; ECMA-323 clause 10): GetCSTAFeatures (as used
//! by Cisco CME), GetLogicalDeviceInformation, GetPhysicalDeviceInformation,
//! GetSwitchingFunctionDevices and the SwitchingFunctionDevices report.

use crate::types::{DeviceCategory, DeviceID, MonitorFilter};
use crate::xml::{FlagGroups, FlagSet, RawXml};

csta_struct! {
    /// Ask which services and events the switching function supports (ECMA-269 13.1.1).
    pub struct GetCSTAFeatures {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The supported services and events, as capability lists (`callControlServList`, ...).
    pub struct GetCSTAFeaturesResponse {
        supported_services: req FlagGroups = "supportedServices",
        supported_events: req FlagGroups = "supportedEvents",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Ask for the capabilities of a logical device (ECMA-269 13.1.2).
    pub struct GetLogicalDeviceInformation {
        device: req DeviceID = "device",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The capabilities of a logical device (ECMA-269 13.1.2).
    pub struct GetLogicalDeviceInformationResponse {
        device_category: opt DeviceCategory = "deviceCategory",
        group_device_attributes: opt FlagSet = "groupDeviceAttributes",
        named_device_types: opt FlagSet = "namedDeviceTypes",
        short_form_device_id: opt DeviceID = "shortFormDeviceID",
        has_physical_element: req bool = "hasPhysicalElement",
        acd_models: req FlagSet = "acdModels",
        agent_log_on_models: opt FlagSet = "agentLogOnModels",
        appearance_addressable: req bool = "appearanceAddressable",
        appearance_type: req String = "appearanceType",
        appearance_list: opt RawXml = "appearanceList",
        other_physical_device_list: opt RawXml = "otherPhysicalDeviceList",
        misc_monitor_caps: opt FlagSet = "miscMonitorCaps",
        associated_group_list: opt RawXml = "associatedGroupList",
        max_callbacks: opt u32 = "maxCallbacks",
        max_auto_answer_rings: opt u32 = "maxAutoAnswerRings",
        max_active_calls: opt u32 = "maxActiveCalls",
        max_held_calls: opt u32 = "maxHeldCalls",
        max_fwd_settings: opt u32 = "maxFwdSettings",
        max_devices_in_conf: opt u32 = "maxDevicesInConf",
        trans_and_conf_setup: opt FlagSet = "transAndConfSetup",
        device_on_device_monitor_filter: opt MonitorFilter = "deviceOnDeviceMonitorFilter",
        device_on_connection_monitor_filter: opt MonitorFilter = "deviceOnConnectionMonitorFilter",
        call_on_device_monitor_filter: opt MonitorFilter = "callOnDeviceMonitorFilter",
        call_on_connection_monitor_filter: opt MonitorFilter = "callOnConnectionMonitorFilter",
        media_class_support: opt FlagSet = "mediaClassSupport",
        media_service_caps_list: opt RawXml = "mediaServiceCapsList",
        connection_rate_list: opt RawXml = "connectionRateList",
        delay_tolerance_list: opt RawXml = "delayToleranceList",
        number_of_channels: opt u32 = "numberOfChannels",
        max_channel_bind: opt u32 = "maxChannelBind",
        routeing_serv_list: opt FlagSet = "routeingServList",
        log_dev_serv_list: opt FlagGroups = "logDevServList",
        log_dev_evts_list: opt FlagGroups = "logDevEvtsList",
        device_maint_evts_list: opt FlagSet = "deviceMaintEvtsList",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Ask for the capabilities of a physical device (ECMA-269 13.1.3).
    pub struct GetPhysicalDeviceInformation {
        device: req DeviceID = "device",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The capabilities of a physical device (ECMA-269 13.1.3).
    pub struct GetPhysicalDeviceInformationResponse {
        device_category: opt DeviceCategory = "deviceCategory",
        group_device_attributes: opt FlagSet = "groupDeviceAttributes",
        named_device_types: opt FlagSet = "namedDeviceTypes",
        has_logical_element: req bool = "hasLogicalElement",
        other_logical_device_list: opt RawXml = "otherLogicalDeviceList",
        device_model_name: opt String = "deviceModelName",
        device_on_device_monitor_filter: opt MonitorFilter = "deviceOnDeviceMonitorFilter",
        device_on_connection_monitor_filter: opt MonitorFilter = "deviceOnConnectionMonitorFilter",
        call_on_device_monitor_filter: opt MonitorFilter = "callOnDeviceMonitorFilter",
        call_on_connection_monitor_filter: opt MonitorFilter = "callOnConnectionMonitorFilter",
        max_displays: opt u32 = "maxDisplays",
        max_buttons: opt u32 = "maxButtons",
        max_lamps: opt u32 = "maxLamps",
        max_ring_patterns: opt u32 = "maxRingPatterns",
        phys_dev_serv_list: opt FlagSet = "physDevServList",
        phys_dev_evts_list: opt FlagSet = "physDevEvtsList",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Ask for the devices of the switching function (ECMA-269 13.1.5); the list follows in
    /// SwitchingFunctionDevices reports.
    pub struct GetSwitchingFunctionDevices {
        requested_device_id: opt DeviceID = "requestedDeviceID",
        requested_device_category: opt DeviceCategory = "requestedDeviceCategory",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Acknowledges GetSwitchingFunctionDevices with the cross reference of the reports.
    pub struct GetSwitchingFunctionDevicesResponse {
        service_cross_ref_id: req String = "serviceCrossRefID",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// One device of a SwitchingFunctionDevices report.
    pub struct DeviceListItem {
        device_id: req DeviceID = "deviceID",
        device_category: opt DeviceCategory = "deviceCategory",
        named_device_types: opt FlagSet = "namedDeviceTypes",
        device_attributes: opt FlagSet = "deviceAttributes",
        device_model_name: opt String = "deviceModelName",
        nid_group: opt DeviceID = "nidGroup",
    }
}

csta_struct! {
    /// The devices of one SwitchingFunctionDevices segment.
    pub struct DeviceList {
        items: list DeviceListItem = "deviceListItem",
    }
}

csta_struct! {
    /// A segment of the device list asked for by GetSwitchingFunctionDevices (ECMA-269 13.1.6),
    /// sent by the switching function.
    pub struct SwitchingFunctionDevices {
        service_cross_ref_id: req String = "serviceCrossRefID",
        segment_id: opt u32 = "segmentID",
        last_segment: req bool = "lastSegment",
        device_list: req DeviceList = "deviceList",
        extensions: opt RawXml = "extensions",
    }
}
