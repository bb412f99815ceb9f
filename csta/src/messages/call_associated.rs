//! Call associated features (ECMA-269 clause 18; ECMA-323 clause 15): GenerateDigits and the
//! DigitsGenerated event.

use crate::types::{ConnectionID, MonitorCrossRefID};
use crate::xml::RawXml;

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
