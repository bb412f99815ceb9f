//! Common ECMA-269 data types (ECMA-269 clause 12, "Parameter types"; ECMA-323 `device-identifiers`,
//! `call-connection-identifiers`, `connection-states`, `event-cause`, `status-reporting`,
//! `device-feature-types` schemas): device and connection identifiers, the device-identifier
//! wrappers, connection and call states, event causes, monitor filters and the small enumerations
//! the services share.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, DeviationKind};
use crate::xml::{Absent, Decoder, FlagSet, RawXml, Tag, Writer, XmlValue};

/// Decode an enumerated value: the schema spelling, else (as a deviation) a case-insensitive
/// match, else the `Unknown` fallback (also a deviation).
pub(crate) fn decode_enum<T: Clone>(
    d: &mut Decoder<'_>,
    text: &str,
    from_schema: fn(&str) -> Option<T>,
    all: &[T],
    as_str: fn(&T) -> &str,
    unknown: fn(String) -> T,
) -> T {
    if let Some(v) = from_schema(text) {
        return v;
    }
    let shown = text.to_owned();
    d.deviate(DeviationKind::WrongEnumerationValue, || {
        format!("{shown:?} is not a value of the enumeration")
    });
    match all.iter().find(|v| as_str(v).eq_ignore_ascii_case(text)) {
        Some(v) => v.clone(),
        None => unknown(text.to_owned()),
    }
}

/// A monitor cross-reference identifier (ECMA-269 12.2.19), assigned by the switching function in
/// the MonitorStart response and carried by every event.
pub type MonitorCrossRefID = String;

/// A call identifier (ECMA-323 `CallID`). Kept as text: real switches send decimal, negative
/// (snom) and hexadecimal values.
pub type CallID = String;

csta_enum! {
    /// `typeOfNumber` attribute of a device identifier (ECMA-323 `DeviceID`).
    pub enum TypeOfNumber {
        DialingNumber = "dialingNumber",
        DeviceNumber = "deviceNumber",
        ImplicitPublic = "implicitPublic",
        ExplicitPublicUnknown = "explicitPublic:unknown",
        ExplicitPublicInternational = "explicitPublic:international",
        ExplicitPublicNational = "explicitPublic:national",
        ExplicitPublicNetworkSpecific = "explicitPublic:networkspecific",
        ExplicitPublicSubscriber = "explicitPublic:subscriber",
        ExplicitPublicAbbreviated = "explicitPublic:abbreviated",
        ImplicitPrivate = "implicitPrivate",
        ExplicitPrivateUnknown = "explicitPrivate:unknown",
        ExplicitPrivateLevel3RegionalNumber = "explicitPrivate:level3RegionalNumber",
        ExplicitPrivateLevel2RegionalNumber = "explicitPrivate:level2RegionalNumber",
        ExplicitPrivateLevel1RegionalNumber = "explicitPrivate:level1RegionalNumber",
        ExplicitPrivatePtnSpecificNumber = "explicitPrivate:pTNSpecificNumber",
        ExplicitPrivateLocalNumber = "explicitPrivate:localNumber",
        ExplicitPrivateAbbreviated = "explicitPrivate:abbreviated",
        Other = "other",
    }
}

csta_enum! {
    /// A media class (ECMA-269 12.2.17 `MediaClass`), as listed in the `mediaClass` attribute.
    pub enum MediaClass {
        Voice = "voice",
        Data = "data",
        Image = "image",
        Audio = "audio",
        Other = "other",
        NotKnown = "notKnown",
        Chat = "chat",
        Email = "email",
        Message = "message",
        Im = "im",
        Sms = "sms",
        Mms = "mms",
    }
}

csta_enum! {
    /// Bit rate of a media stream (`bitRate` attribute, ECMA-269 `BitRate`).
    pub enum BitRate {
        Constant = "constant",
        Variable = "variable",
    }
}

/// A device identifier (ECMA-269 12.2.11 `DeviceID`; ECMA-323 `DeviceID`): the identifier text
/// with its optional attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeviceID {
    /// The identifier as written, e.g. `sip:181@172.16.7.255:5060`, `tel:+4930123`, `181`.
    pub value: String,
    /// How `value` is to be read.
    #[serde(
        rename = "typeOfNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub type_of_number: Option<TypeOfNumber>,
    /// Media classes the device supports.
    #[serde(rename = "mediaClass", default, skip_serializing_if = "Vec::is_empty")]
    pub media_class: Vec<MediaClass>,
    /// Constant or variable bit rate.
    #[serde(rename = "bitRate", default, skip_serializing_if = "Option::is_none")]
    pub bit_rate: Option<BitRate>,
    /// Media instance, as written.
    #[serde(rename = "instance", default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl DeviceID {
    /// A device identifier without attributes.
    pub fn new(value: impl Into<String>) -> Self {
        DeviceID {
            value: value.into(),
            ..DeviceID::default()
        }
    }
}

impl Absent for DeviceID {}

impl XmlValue for DeviceID {
    fn decode<'a>(d: &mut Decoder<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let mut out = DeviceID::default();
        if !tag.attributes.bytes().all(|b| b.is_ascii_whitespace()) {
            let mut attributes = d.attributes(tag);
            while let Some((key, value)) = attributes.next(d)? {
                if key.starts_with("xmlns") || key.contains(':') {
                    continue;
                }
                let value: Cow<'_, str> = d.unescape(value)?;
                match key {
                    "typeOfNumber" => {
                        out.type_of_number = Some(decode_enum(
                            d,
                            value.trim(),
                            TypeOfNumber::from_schema,
                            TypeOfNumber::ALL,
                            TypeOfNumber::as_str,
                            TypeOfNumber::Unknown,
                        ));
                    }
                    "mediaClass" => {
                        for item in value.split_ascii_whitespace() {
                            out.media_class.push(decode_enum(
                                d,
                                item,
                                MediaClass::from_schema,
                                MediaClass::ALL,
                                MediaClass::as_str,
                                MediaClass::Unknown,
                            ));
                        }
                    }
                    "bitRate" => {
                        out.bit_rate = Some(decode_enum(
                            d,
                            value.trim(),
                            BitRate::from_schema,
                            BitRate::ALL,
                            BitRate::as_str,
                            BitRate::Unknown,
                        ));
                    }
                    "instance" => out.instance = Some(value.into_owned()),
                    other if d.is_strict() => {
                        let name = other.to_owned();
                        d.deviate_child(
                            &format!("@{name}"),
                            DeviationKind::UnknownAttribute,
                            || format!("attribute {name:?} is not part of DeviceID"),
                        );
                    }
                    _ => {}
                }
            }
        }
        out.value = d.text(tag)?.into_owned();
        d.leave();
        Ok(out)
    }

    fn encode(&self, w: &mut Writer, name: &str) {
        w.start(name);
        if let Some(t) = &self.type_of_number {
            w.attribute("typeOfNumber", t.as_str());
        }
        if !self.media_class.is_empty() {
            let list: Vec<&str> = self.media_class.iter().map(MediaClass::as_str).collect();
            w.attribute("mediaClass", &list.join(" "));
        }
        if let Some(b) = &self.bit_rate {
            w.attribute("bitRate", b.as_str());
        }
        if let Some(i) = &self.instance {
            w.attribute("instance", i);
        }
        let mark = w.end_start();
        w.text(&self.value);
        w.close(name, mark);
    }
}

csta_struct! {
    /// A connection identifier (ECMA-269 12.2.8 `ConnectionID`): a call, a device, or both.
    pub struct ConnectionID {
        call_id: opt CallID = "callID",
        device_id: opt DeviceID = "deviceID",
    }
}

impl ConnectionID {
    /// A connection with both a call and a device.
    pub fn new(call_id: impl Into<String>, device_id: impl Into<String>) -> Self {
        ConnectionID {
            call_id: Some(call_id.into()),
            device_id: Some(DeviceID::new(device_id)),
        }
    }
}

csta_choice! {
    /// A device that may be unknown or withheld (ECMA-269 `CallingDeviceID`).
    pub enum CallingDeviceID default CallingDeviceID::NotKnown; {
        DeviceIdentifier(DeviceID) = "deviceIdentifier",
        NotKnown = "notKnown",
        Restricted = "restricted",
    }
}

csta_choice! {
    /// The called device (ECMA-269 `CalledDeviceID`).
    pub enum CalledDeviceID default CalledDeviceID::NotKnown; {
        DeviceIdentifier(DeviceID) = "deviceIdentifier",
        NotKnown = "notKnown",
        Restricted = "restricted",
    }
}

csta_choice! {
    /// The device an event is about (ECMA-269 `SubjectDeviceID`).
    pub enum SubjectDeviceID default SubjectDeviceID::NotKnown; {
        DeviceIdentifier(DeviceID) = "deviceIdentifier",
        NotKnown = "notKnown",
        Restricted = "restricted",
    }
}

csta_choice! {
    /// The device that last redirected a call (ECMA-269 `RedirectionDeviceID`).
    pub enum RedirectionDeviceID default RedirectionDeviceID::NotKnown; {
        NumberDialed(DeviceID) = "numberDialed",
        NotKnown = "notKnown",
        NotRequired = "notRequired",
        NotSpecified = "notSpecified",
        Restricted = "restricted",
    }
}

csta_choice! {
    /// The device that routed an incoming call (ECMA-269 `AssociatedCallingDeviceID`).
    pub enum AssociatedCallingDeviceID default AssociatedCallingDeviceID::NotKnown; {
        DeviceIdentifier(DeviceID) = "deviceIdentifier",
        NotKnown = "notKnown",
        Restricted = "restricted",
    }
}

csta_choice! {
    /// The device an outgoing call left through (ECMA-269 `AssociatedCalledDeviceID`).
    pub enum AssociatedCalledDeviceID default AssociatedCalledDeviceID::NotKnown; {
        DeviceIdentifier(DeviceID) = "deviceIdentifier",
        NotKnown = "notKnown",
        Restricted = "restricted",
    }
}

csta_choice! {
    /// The calling device as the network reported it (ECMA-269 `NetworkCallingDeviceID`).
    pub enum NetworkCallingDeviceID default NetworkCallingDeviceID::NotKnown; {
        DeviceIdentifier(DeviceID) = "deviceIdentifier",
        NotKnown = "notKnown",
        Restricted = "restricted",
    }
}

csta_choice! {
    /// The called device as the network reported it (ECMA-269 `NetworkCalledDeviceID`).
    pub enum NetworkCalledDeviceID default NetworkCalledDeviceID::NotKnown; {
        DeviceIdentifier(DeviceID) = "deviceIdentifier",
        NotKnown = "notKnown",
        Restricted = "restricted",
    }
}

csta_enum! {
    /// The state of a connection (ECMA-269 6.1.5 and 12.2.13 `LocalConnectionState`).
    pub enum LocalConnectionState {
        Null = "null",
        Initiated = "initiated",
        Alerting = "alerting",
        Connected = "connected",
        Hold = "hold",
        Queued = "queued",
        Fail = "fail",
    }
}

csta_enum! {
    /// Why an event happened (ECMA-269 12.2.10 `EventCause`).
    pub enum EventCause {
        AcdBusy = "aCDBusy",
        AcdForward = "aCDForward",
        AcdSaturated = "aCDSaturated",
        Activation = "activation",
        ActiveParticipation = "activeParticipation",
        AlertTimeExpired = "alertTimeExpired",
        Alternate = "alternate",
        AutoWork = "autoWork",
        Babble = "babble",
        BadAttribute = "badAttribute",
        BadGrammar = "badGrammar",
        BadVoice = "badVoice",
        BadUri = "badUri",
        Blocked = "blocked",
        Busy = "busy",
        BusyOverflow = "busyOverflow",
        CalendarOverflow = "calendarOverflow",
        CallBack = "callBack",
        CallCancelled = "callCancelled",
        CallForward = "callForward",
        CallForwardImmediate = "callForwardImmediate",
        CallForwardBusy = "callForwardBusy",
        CallForwardNoAnswer = "callForwardNoAnswer",
        CallInterception = "callInterception",
        CallInterceptionBusy = "callInterceptionBusy",
        CallInterceptionForwarded = "callInterceptionForwarded",
        CallInterceptionNoAnswer = "callInterceptionNoAnswer",
        CallInterceptionResourcesNotAvailable = "callInterceptionResourcesNotAvailable",
        CallNotAnswered = "callNotAnswered",
        CallPickup = "callPickup",
        CampOn = "campOn",
        CampOnTrunks = "campOnTrunks",
        CapacityOverflow = "capacityOverflow",
        CharacterCountReached = "characterCountReached",
        Conference = "conference",
        Consultation = "consultation",
        DestDetected = "destDetected",
        DestNotObtainable = "destNotObtainable",
        DestOutOfOrder = "destOutOfOrder",
        Distributed = "distributed",
        DistributionDelay = "distributionDelay",
        DoNotDisturb = "doNotDisturb",
        DtmfDigitDetected = "dTMFDigitDetected",
        DuplicateDtmf = "duplicateDTMF",
        DurationExceeded = "durationExceeded",
        EarlyStop = "earlyStop",
        EmptyQueue = "emptyQueue",
        EndOfMessageDetected = "endOfMessageDetected",
        EnteringDistribution = "enteringDistribution",
        ForcedPause = "forcedPause",
        ForcedTransition = "forcedTransition",
        IncompatibleDestination = "incompatibleDestination",
        InterDigitTimeout = "interDigitTimeout",
        Intrude = "intrude",
        InvalidAccountCode = "invalidAccountCode",
        InvalidConnection = "invalidConnection",
        InvalidConnectionState = "invalidConnectionState",
        InvalidNumberFormat = "invalidNumberFormat",
        JoinCall = "joinCall",
        KeyOperation = "keyOperation",
        KeyOperationInUse = "keyOperationInUse",
        LawfulInterception = "lawfulInterception",
        Lockout = "lockout",
        Maintenance = "maintenance",
        MakeCall = "makeCall",
        MakeConnection = "makeConnection",
        MakePredictiveCall = "makePredictiveCall",
        MaxTimeout = "maxTimeout",
        MessageDurationExceeded = "messageDurationExceeded",
        MessageSizeExceeded = "messageSizeExceeded",
        MultipleAlerting = "multipleAlerting",
        MultipleQueuing = "multipleQueuing",
        NetworkCongestion = "networkCongestion",
        NetworkDialling = "networkDialling",
        NetworkNotObtainable = "networkNotObtainable",
        NetworkOutOfOrder = "networkOutOfOrder",
        NetworkSignal = "networkSignal",
        NewCall = "newCall",
        NextMessage = "nextMessage",
        NoAudioSaved = "noAudioSaved",
        NoAvailableAgents = "noAvailableAgents",
        NoQueue = "noQueue",
        Normal = "normal",
        NormalClearing = "normalClearing",
        NoRule = "noRule",
        NoSpeechDetected = "noSpeechDetected",
        NotAvaliableBearerService = "notAvaliableBearerService",
        NotSupportedBearerService = "notSupportedBearerService",
        NumberChanged = "numberChanged",
        NumberUnallocated = "numberUnallocated",
        OutOfGrammar = "outOfGrammar",
        Overflow = "overflow",
        Override = "override",
        Park = "park",
        PathReplacement = "pathReplacement",
        QueueCleared = "queueCleared",
        QueueTimeOverflow = "queueTimeOverflow",
        Recall = "recall",
        RecallBusy = "recallBusy",
        RecallForwarded = "recallForwarded",
        RecallNoAnswer = "recallNoAnswer",
        RecallResourcesNotAvailable = "recallResourcesNotAvailable",
        Redirected = "redirected",
        RemainsInQueue = "remainsInQueue",
        ReorderTone = "reorderTone",
        Reserved = "reserved",
        ResourcesNotAvailable = "resourcesNotAvailable",
        SelectedTrunkBusy = "selectedTrunkBusy",
        SilentParticipation = "silentParticipation",
        SingleStepConference = "singleStepConference",
        SingleStepTransfer = "singleStepTransfer",
        SpeechDetected = "speechDetected",
        Suspend = "suspend",
        SwitchingFunctionTerminated = "switchingFunctionTerminated",
        TerminationCharacterReceived = "terminationCharacterReceived",
        Timeout = "timeout",
        Transfer = "transfer",
        TrunksBusy = "trunksBusy",
        UnauthorisedBearerService = "unauthorisedBearerService",
        UnknownOverflow = "unknownOverflow",
    }
}

csta_enum! {
    /// A call's state in one value (ECMA-269 `SimpleCallState`), the first connection's state
    /// against the second's.
    pub enum SimpleCallState {
        CallNull = "callNull",
        CallPending = "callPending",
        CallOriginated = "callOriginated",
        CallDelivered = "callDelivered",
        CallDeliveredHeld = "callDeliveredHeld",
        CallReceived = "callReceived",
        CallEstablished = "callEstablished",
        CallEstablishedHeld = "callEstablishedHeld",
        CallReceivedOnHold = "callReceivedOnHold",
        CallEstablishedOnHold = "callEstablishedOnHold",
        CallQueued = "callQueued",
        CallQueuedHeld = "callQueuedHeld",
        CallFailed = "callFailed",
        CallFailedHeld = "callFailedHeld",
        CallBlocked = "callBlocked",
    }
}

csta_struct! {
    /// The states of every connection of a call, in order (ECMA-269 `CompoundCallState`).
    pub struct CompoundCallState {
        states: list LocalConnectionState = "localConnectionState",
    }
}

csta_choice! {
    /// A call's state as seen from a device (ECMA-269 `CallState`).
    pub enum CallState default CallState::Unknown; {
        CompoundCallState(CompoundCallState) = "compoundCallState",
        SimpleCallState(SimpleCallState) = "simpleCallState",
        Unknown = "unknown",
    }
}

csta_choice! {
    /// The far end of a connection in a connection list (ECMA-269 `ConnectionList` endpoint).
    pub enum Endpoint default Endpoint::NotKnown; {
        DeviceID(DeviceID) = "deviceID",
        NotKnown = "notKnown",
        Restricted = "restricted",
    }
}

csta_choice! {
    /// The network interface device of a connection (ECMA-269 `ConnectionList` associatedNID).
    pub enum AssociatedNID default AssociatedNID::NotKnown; {
        DeviceID(DeviceID) = "deviceID",
        NotKnown = "notKnown",
    }
}

csta_struct! {
    /// How a connection was renamed by a transfer or conference (ECMA-269 `ConnectionList` item).
    pub struct ConnectionListItem {
        new_connection: opt ConnectionID = "newConnection",
        old_connection: opt ConnectionID = "oldConnection",
        endpoint: opt Endpoint = "endpoint",
        associated_nid: opt AssociatedNID = "associatedNID",
        resulting_connection_info: opt RawXml = "resultingConnectionInfo",
    }
}

csta_struct! {
    /// The connections of a call after a transfer or conference (ECMA-269 `ConnectionList`).
    pub struct ConnectionList {
        items: list ConnectionListItem = "connectionListItem",
    }
}

csta_struct! {
    /// User-to-user data (ECMA-269 `UserData`), as an octet string.
    pub struct UserData {
        string: req String = "string",
    }
}

csta_struct! {
    /// The media of a call (ECMA-269 12.2.16 `MediaCallCharacteristics`).
    pub struct MediaCallCharacteristics {
        media_class: req FlagSet = "mediaClass",
        connection_rate: opt u32 = "connectionRate",
        bit_rate: opt BitRate = "bitRate",
        delay_tolerance: opt u32 = "delayTolerance",
        switching_sub_domain_ccie_type: opt String = "switchingSubDomainCCIEType",
    }
}

csta_struct! {
    /// Progress of a call through the network (ECMA-269 `ProgressIndicator`).
    pub struct ProgressIndicator {
        progress_location: opt String = "progressLocation",
        progress_description: opt String = "progressDescription",
    }
}

csta_choice! {
    /// A monitored object (ECMA-269 12.2.20 `MonitorObject`): a device or a call.
    pub enum MonitorObject default MonitorObject::DeviceObject(DeviceID::default()); {
        DeviceObject(DeviceID) = "deviceObject",
        CallObject(ConnectionID) = "callObject",
    }
}

csta_enum! {
    /// Whether a monitor follows a call or a device (ECMA-269 `MonitorType`).
    pub enum MonitorType {
        Call = "call",
        Device = "device",
    }
}

csta_struct! {
    /// Events to be filtered out of a monitor, per category (ECMA-269 12.2.18 `MonitorFilter`).
    /// A set bit means the event is *not* reported.
    pub struct MonitorFilter {
        call_control: opt FlagSet = "callControl",
        call_associated: opt FlagSet = "callAssociated",
        media_attachment: opt FlagSet = "mediaAttachment",
        physical_device_feature: opt FlagSet = "physicalDeviceFeature",
        logical_device_feature: opt FlagSet = "logicalDeviceFeature",
        maintenance: opt FlagSet = "maintenance",
        voice_unit: opt FlagSet = "voiceUnit",
        private: opt FlagSet = "private",
    }
}

csta_enum! {
    /// The state of the switching function (ECMA-269 `SystemStatus`).
    pub enum SystemStatus {
        Initializing = "initializing",
        Enabled = "enabled",
        Normal = "normal",
        MessagesLost = "messagesLost",
        Disabled = "disabled",
        PartiallyDisabled = "partiallyDisabled",
        OverloadImminent = "overloadImminent",
        OverloadReached = "overloadReached",
        OverloadRelieved = "overloadRelieved",
    }
}

csta_enum! {
    /// The kind of call forwarding (ECMA-269 `ForwardingType`).
    pub enum ForwardingType {
        ForwardImmediate = "forwardImmediate",
        ForwardBusy = "forwardBusy",
        ForwardNoAns = "forwardNoAns",
        ForwardDnd = "forwardDND",
        ForwardBusyInt = "forwardBusyInt",
        ForwardBusyExt = "forwardBusyExt",
        ForwardNoAnsInt = "forwardNoAnsInt",
        ForwardNoAnsExt = "forwardNoAnsExt",
        ForwardImmInt = "forwardImmInt",
        ForwardImmExt = "forwardImmExt",
        ForwardDndInt = "forwardDNDInt",
        ForwardDndExt = "forwardDNDExt",
    }
}

csta_enum! {
    /// Which forwarding settings are the device's defaults (ECMA-269 `ForwardDefault`).
    pub enum ForwardDefault {
        ForwardingTypeAndForwardDn = "forwardingTypeAndForwardDN",
        ForwardingType = "forwardingType",
        ForwardDn = "forwardDN",
    }
}

csta_enum! {
    /// What a consultation call may later be used for (ECMA-269 `ConsultOptions`).
    pub enum ConsultOptions {
        Unrestricted = "unrestricted",
        ConsultOnly = "consultOnly",
        TransferOnly = "transferOnly",
        ConferenceOnly = "conferenceOnly",
    }
}

csta_enum! {
    /// Whether MakeCall rings the calling device first (ECMA-269 `AutoOriginate`).
    pub enum AutoOriginate {
        Prompt = "prompt",
        DoNotPrompt = "doNotPrompt",
    }
}

csta_enum! {
    /// How a device joins a call (ECMA-269 `ParticipationType`).
    pub enum ParticipationType {
        Silent = "silent",
        Active = "active",
    }
}

csta_enum! {
    /// The category of a device (ECMA-269 `DeviceCategory`).
    pub enum DeviceCategory {
        Acd = "acd",
        Conference = "conference",
        DtmfIv = "dtmfIV",
        GenericIv = "genericIV",
        GroupAcd = "groupACD",
        GroupHunt = "groupHunt",
        GroupPick = "groupPick",
        GroupOther = "groupOther",
        GroupUser = "groupUser",
        ListenerIv = "listenerIV",
        MessageIv = "messageIV",
        NetworkInterface = "networkInterface",
        Park = "park",
        PromptIv = "promptIV",
        PromptQueue = "promptQueue",
        RouteingDevice = "routeingDevice",
        Station = "station",
        VoiceUnit = "voiceUnit",
        Other = "other",
    }
}

csta_struct! {
    /// A list of device identifiers.
    pub struct DeviceIDList {
        devices: list DeviceID = "deviceID",
    }
}

#[cfg(test)]
impl crate::xml::arb::Gen for DeviceID {
    fn strategy() -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        (
            String::strategy(),
            proptest::option::of(TypeOfNumber::strategy()),
            proptest::collection::vec(MediaClass::strategy(), 0..3),
            proptest::option::of(BitRate::strategy()),
            proptest::option::of("[a-z0-9]{0,6}"),
        )
            .prop_map(
                |(value, type_of_number, media_class, bit_rate, instance)| DeviceID {
                    value,
                    type_of_number,
                    media_class,
                    bit_rate,
                    instance,
                },
            )
            .boxed()
    }
}
