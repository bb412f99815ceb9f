//! The message catalogue: every CSTA request, response and event and every ECMA-354 session
//! message this codec knows, as one enum [`CstaMessage`], with the root-element dispatch.

pub mod call_associated;
pub mod call_control;
pub mod capability;
pub mod device_features;
pub mod monitoring;
pub mod session;
pub mod snapshot;
pub mod system;

pub use call_associated::*;
pub use call_control::*;
pub use capability::*;
pub use device_features::*;
pub use monitoring::*;
pub use session::*;
pub use snapshot::*;
pub use system::*;

use serde::{Deserialize, Serialize};

use crate::error::DecodeError;
use crate::error_code::CSTAErrorCode;
use crate::xml::{Decoder, Tag, Writer, XmlValue};

/// What role a message plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MessageKind {
    /// A service request (sent by either side).
    Request,
    /// A positive or negative response to a request.
    Response,
    /// An event report (`...Event`) or unsolicited report.
    Event,
}

/// Which standard, and so which namespace, a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Standard {
    /// ECMA-269 services and events in ECMA-323 XML.
    Ecma323,
    /// ECMA-354 application session services.
    Ecma354,
}

/// A name's length and first eight bytes: orders names nearly as well as the names themselves,
/// at the cost of two integer comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct NameKey(usize, u64);

impl NameKey {
    fn of(name: &str) -> NameKey {
        let bytes = name.as_bytes();
        let mut head = [0u8; 8];
        let n = bytes.len().min(8);
        head[..n].copy_from_slice(&bytes[..n]);
        NameKey(bytes.len(), u64::from_be_bytes(head))
    }
}

/// Decoder of one message type from its root element.
type DecodeFn = for<'a> fn(&mut Decoder<'a>, &Tag<'a>) -> Result<CstaMessage, DecodeError>;

macro_rules! csta_messages {
    ( $( $variant:ident = $xml:literal, $kind:ident, $standard:ident; )+ ) => {
        /// Any CSTA or ECMA-354 message. The JSON form is `{"ElementName": { ...fields }}`.
        ///
        /// Every variant holds its message boxed, so that a `CstaMessage` is two words however large
        /// the biggest event is: decoding fills the box in place and moving the result costs
        /// nothing. Build one with `From` (`MonitorStart { .. }.into()`) or `Box::new`; fields
        /// of a matched message are reached through the box as usual (`m.monitor_object`).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum CstaMessage {
            $(
                #[doc = concat!("`", $xml, "`")]
                #[serde(rename = $xml)]
                $variant(Box<$variant>),
            )+
        }

        $(
            impl From<$variant> for CstaMessage {
                fn from(m: $variant) -> Self {
                    CstaMessage::$variant(Box::new(m))
                }
            }

            impl From<Box<$variant>> for CstaMessage {
                fn from(m: Box<$variant>) -> Self {
                    CstaMessage::$variant(m)
                }
            }
        )+

        /// Root element names of every message, in catalogue order.
        pub const MESSAGE_NAMES: &[&str] = &[$($xml),+];

        impl CstaMessage {
            /// The root element name, e.g. `MonitorStart` or `DeliveredEvent`.
            pub fn element_name(&self) -> &'static str {
                match self {
                    $( CstaMessage::$variant(_) => $xml, )+
                }
            }

            /// Whether the message is a request, a response or an event.
            pub fn kind(&self) -> MessageKind {
                match self {
                    $( CstaMessage::$variant(_) => MessageKind::$kind, )+
                }
            }

            /// Which standard (and namespace) the message belongs to.
            pub fn standard(&self) -> Standard {
                match self {
                    $( CstaMessage::$variant(_) => Standard::$standard, )+
                }
            }

            pub(crate) fn encode_element(&self, w: &mut Writer) {
                match self {
                    $( CstaMessage::$variant(m) => m.encode(w, $xml), )+
                }
            }

            /// Decode the root element `tag` as the message called `name`; `None` if no message
            /// has that name. Dispatch is a binary search over the names, sorted once by
            /// [`NameKey`] and name, so that only the final match compares whole names.
            pub(crate) fn decode_element<'a>(
                name: &str,
                d: &mut Decoder<'a>,
                tag: &Tag<'a>,
            ) -> Result<Option<CstaMessage>, DecodeError> {
                static TABLE: std::sync::OnceLock<Vec<(NameKey, &'static str, DecodeFn)>> =
                    std::sync::OnceLock::new();
                let table = TABLE.get_or_init(|| {
                    let mut table: Vec<(NameKey, &'static str, DecodeFn)> = vec![
                        $( (NameKey::of($xml), $xml, |d, tag| {
                            let mut m = Box::<$variant>::default();
                            m.decode_into(d, tag)?;
                            Ok(CstaMessage::$variant(m))
                        }), )+
                    ];
                    table.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
                    table
                });
                let key = NameKey::of(name);
                match table.binary_search_by(|(k, n, _)| k.cmp(&key).then_with(|| (*n).cmp(name))) {
                    Ok(i) => (table[i].2)(d, tag).map(Some),
                    Err(_) => Ok(None),
                }
            }
        }

        #[cfg(test)]
        pub(crate) fn message_strategies(
        ) -> Vec<(&'static str, proptest::strategy::BoxedStrategy<CstaMessage>)> {
            use proptest::strategy::Strategy;
            vec![
                $( ($xml, <$variant as crate::xml::arb::Gen>::strategy().prop_map(CstaMessage::from).boxed()), )+
            ]
        }
    };
}

csta_messages! {
    // capability exchange
    GetCSTAFeatures = "GetCSTAFeatures", Request, Ecma323;
    GetCSTAFeaturesResponse = "GetCSTAFeaturesResponse", Response, Ecma323;
    GetLogicalDeviceInformation = "GetLogicalDeviceInformation", Request, Ecma323;
    GetLogicalDeviceInformationResponse = "GetLogicalDeviceInformationResponse", Response, Ecma323;
    GetPhysicalDeviceInformation = "GetPhysicalDeviceInformation", Request, Ecma323;
    GetPhysicalDeviceInformationResponse = "GetPhysicalDeviceInformationResponse", Response, Ecma323;
    GetSwitchingFunctionDevices = "GetSwitchingFunctionDevices", Request, Ecma323;
    GetSwitchingFunctionDevicesResponse = "GetSwitchingFunctionDevicesResponse", Response, Ecma323;
    SwitchingFunctionDevices = "SwitchingFunctionDevices", Event, Ecma323;
    // system
    SystemRegister = "SystemRegister", Request, Ecma323;
    SystemRegisterResponse = "SystemRegisterResponse", Response, Ecma323;
    SystemRegisterAbort = "SystemRegisterAbort", Event, Ecma323;
    SystemRegisterCancel = "SystemRegisterCancel", Request, Ecma323;
    SystemRegisterCancelResponse = "SystemRegisterCancelResponse", Response, Ecma323;
    RequestSystemStatus = "RequestSystemStatus", Request, Ecma323;
    RequestSystemStatusResponse = "RequestSystemStatusResponse", Response, Ecma323;
    SystemStatus = "SystemStatus", Request, Ecma323;
    SystemStatusResponse = "SystemStatusResponse", Response, Ecma323;
    SwFunctionDevicesChanged = "SwFunctionDevicesChanged", Event, Ecma323;
    // monitoring and status
    MonitorStart = "MonitorStart", Request, Ecma323;
    MonitorStartResponse = "MonitorStartResponse", Response, Ecma323;
    MonitorStop = "MonitorStop", Request, Ecma323;
    MonitorStopResponse = "MonitorStopResponse", Response, Ecma323;
    MonitorEndedEvent = "MonitorEndedEvent", Event, Ecma323;
    BackInServiceEvent = "BackInServiceEvent", Event, Ecma323;
    OutOfServiceEvent = "OutOfServiceEvent", Event, Ecma323;
    // snapshot
    SnapshotDevice = "SnapshotDevice", Request, Ecma323;
    SnapshotDeviceResponse = "SnapshotDeviceResponse", Response, Ecma323;
    SnapshotCall = "SnapshotCall", Request, Ecma323;
    SnapshotCallResponse = "SnapshotCallResponse", Response, Ecma323;
    // call control services
    AlternateCall = "AlternateCall", Request, Ecma323;
    AlternateCallResponse = "AlternateCallResponse", Response, Ecma323;
    AnswerCall = "AnswerCall", Request, Ecma323;
    AnswerCallResponse = "AnswerCallResponse", Response, Ecma323;
    ClearConnection = "ClearConnection", Request, Ecma323;
    ClearConnectionResponse = "ClearConnectionResponse", Response, Ecma323;
    ConferenceCall = "ConferenceCall", Request, Ecma323;
    ConferenceCallResponse = "ConferenceCallResponse", Response, Ecma323;
    ConsultationCall = "ConsultationCall", Request, Ecma323;
    ConsultationCallResponse = "ConsultationCallResponse", Response, Ecma323;
    DeflectCall = "DeflectCall", Request, Ecma323;
    DeflectCallResponse = "DeflectCallResponse", Response, Ecma323;
    DialDigits = "DialDigits", Request, Ecma323;
    DialDigitsResponse = "DialDigitsResponse", Response, Ecma323;
    DirectedPickupCall = "DirectedPickupCall", Request, Ecma323;
    DirectedPickupCallResponse = "DirectedPickupCallResponse", Response, Ecma323;
    HoldCall = "HoldCall", Request, Ecma323;
    HoldCallResponse = "HoldCallResponse", Response, Ecma323;
    MakeCall = "MakeCall", Request, Ecma323;
    MakeCallResponse = "MakeCallResponse", Response, Ecma323;
    ReconnectCall = "ReconnectCall", Request, Ecma323;
    ReconnectCallResponse = "ReconnectCallResponse", Response, Ecma323;
    RetrieveCall = "RetrieveCall", Request, Ecma323;
    RetrieveCallResponse = "RetrieveCallResponse", Response, Ecma323;
    SingleStepConferenceCall = "SingleStepConferenceCall", Request, Ecma323;
    SingleStepConferenceCallResponse = "SingleStepConferenceCallResponse", Response, Ecma323;
    SingleStepTransferCall = "SingleStepTransferCall", Request, Ecma323;
    SingleStepTransferCallResponse = "SingleStepTransferCallResponse", Response, Ecma323;
    TransferCall = "TransferCall", Request, Ecma323;
    TransferCallResponse = "TransferCallResponse", Response, Ecma323;
    // call control events
    CallClearedEvent = "CallClearedEvent", Event, Ecma323;
    ConferencedEvent = "ConferencedEvent", Event, Ecma323;
    ConnectionClearedEvent = "ConnectionClearedEvent", Event, Ecma323;
    DeliveredEvent = "DeliveredEvent", Event, Ecma323;
    DigitsDialedEvent = "DigitsDialedEvent", Event, Ecma323;
    DivertedEvent = "DivertedEvent", Event, Ecma323;
    EstablishedEvent = "EstablishedEvent", Event, Ecma323;
    FailedEvent = "FailedEvent", Event, Ecma323;
    HeldEvent = "HeldEvent", Event, Ecma323;
    NetworkCapabilitiesChangedEvent = "NetworkCapabilitiesChangedEvent", Event, Ecma323;
    NetworkReachedEvent = "NetworkReachedEvent", Event, Ecma323;
    OfferedEvent = "OfferedEvent", Event, Ecma323;
    OriginatedEvent = "OriginatedEvent", Event, Ecma323;
    QueuedEvent = "QueuedEvent", Event, Ecma323;
    RetrievedEvent = "RetrievedEvent", Event, Ecma323;
    ServiceInitiatedEvent = "ServiceInitiatedEvent", Event, Ecma323;
    TransferredEvent = "TransferredEvent", Event, Ecma323;
    // call associated
    CallInformationEvent = "CallInformationEvent", Event, Ecma323;
    GenerateDigits = "GenerateDigits", Request, Ecma323;
    GenerateDigitsResponse = "GenerateDigitsResponse", Response, Ecma323;
    DigitsGeneratedEvent = "DigitsGeneratedEvent", Event, Ecma323;
    // physical device
    GetMessageWaitingIndicator = "GetMessageWaitingIndicator", Request, Ecma323;
    GetMessageWaitingIndicatorResponse = "GetMessageWaitingIndicatorResponse", Response, Ecma323;
    SetMessageWaitingIndicator = "SetMessageWaitingIndicator", Request, Ecma323;
    SetMessageWaitingIndicatorResponse = "SetMessageWaitingIndicatorResponse", Response, Ecma323;
    MessageWaitingEvent = "MessageWaitingEvent", Event, Ecma323;
    // logical device
    GetDoNotDisturb = "GetDoNotDisturb", Request, Ecma323;
    GetDoNotDisturbResponse = "GetDoNotDisturbResponse", Response, Ecma323;
    SetDoNotDisturb = "SetDoNotDisturb", Request, Ecma323;
    SetDoNotDisturbResponse = "SetDoNotDisturbResponse", Response, Ecma323;
    DoNotDisturbEvent = "DoNotDisturbEvent", Event, Ecma323;
    GetForwarding = "GetForwarding", Request, Ecma323;
    GetForwardingResponse = "GetForwardingResponse", Response, Ecma323;
    SetForwarding = "SetForwarding", Request, Ecma323;
    SetForwardingResponse = "SetForwardingResponse", Response, Ecma323;
    ForwardingEvent = "ForwardingEvent", Event, Ecma323;
    // negative response
    CSTAErrorCode = "CSTAErrorCode", Response, Ecma323;
    // ECMA-354 application sessions
    StartApplicationSession = "StartApplicationSession", Request, Ecma354;
    StartApplicationSessionPosResponse = "StartApplicationSessionPosResponse", Response, Ecma354;
    StartApplicationSessionNegResponse = "StartApplicationSessionNegResponse", Response, Ecma354;
    StopApplicationSession = "StopApplicationSession", Request, Ecma354;
    StopApplicationSessionPosResponse = "StopApplicationSessionPosResponse", Response, Ecma354;
    StopApplicationSessionNegResponse = "StopApplicationSessionNegResponse", Response, Ecma354;
    ResetApplicationSessionTimer = "ResetApplicationSessionTimer", Request, Ecma354;
    ResetApplicationSessionTimerPosResponse = "ResetApplicationSessionTimerPosResponse", Response, Ecma354;
    ResetApplicationSessionTimerNegResponse = "ResetApplicationSessionTimerNegResponse", Response, Ecma354;
}
