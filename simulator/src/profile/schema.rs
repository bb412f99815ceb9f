//! The vendor profile schema of `vendor-profiles/README.md`, one Rust type per table there.
//!
//! These are the records as written in the YAML: versions are still strings (they parse only under
//! the family's notation, see [`super::version`]) and "exactly one of" rules are checked by the
//! loader, not by serde. Every struct denies unknown keys, so a misspelt key is an error with its
//! line, never a silently ignored setting.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::names::{EventName, ServiceName};
use super::version::NotationRule;

/// One vendor family: the whole content of one `vendor-profiles/<family>.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorProfile {
    /// Always `1`.
    pub schema_version: u32,
    /// Manufacturer as it brands the phones.
    pub vendor: String,
    /// Family id, equal to the file stem.
    pub family: String,
    /// Heading of the seed 002 §2.4 table this family transcribes.
    pub seed_table: Option<String>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
    /// Every document a fact in the file relies on.
    pub sources: Vec<Source>,
    /// MAC prefixes the farm draws phone MACs from.
    pub mac_oui: Vec<Oui>,
    /// How this vendor writes versions and how they compare.
    pub firmware_notation: FirmwareNotation,
    /// The models of the family.
    pub models: Vec<Model>,
    /// All 32 services.
    pub services: BTreeMap<ServiceName, Service>,
    /// All 27 events.
    pub events: BTreeMap<EventName, Event>,
    /// What the phone answers to a service it lacks.
    pub refusal: Refusal,
    /// XML and uaCSTA dialog habits.
    pub csta: Csta,
    /// SIP habits.
    pub sip: Sip,
    /// How uaCSTA is switched on and pointed at the server.
    pub provisioning: Provisioning,
}

/// A document the profile relies on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Short id, unique in the file.
    pub id: String,
    /// Document title.
    pub title: String,
    /// Public address.
    #[serde(default)]
    pub url: Option<String>,
    /// Section, page or path inside the document.
    #[serde(default)]
    pub location: Option<String>,
    /// What was taken from it.
    #[serde(default)]
    pub notes: Option<String>,
}

/// How sure a fact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The source says so.
    Confirmed,
    /// Follows from confirmed facts by a rule written in `notes` or in the README.
    Derived,
    /// Nothing public found; `notes` says why the value was chosen.
    Assumed,
}

/// The provenance fields shared by many records (`source`, `status`, `notes`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why (required unless `confirmed`).
    #[serde(default)]
    pub notes: Option<String>,
}

/// A MAC prefix.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Oui {
    /// `XX:XX:XX`, upper-case hex.
    pub prefix: String,
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why.
    #[serde(default)]
    pub notes: Option<String>,
}

/// How this vendor writes versions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirmwareNotation {
    /// Comparison rule.
    pub rule: NotationRule,
    /// A version in this notation.
    pub example: String,
    /// The notation in words.
    pub description: String,
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A phone model.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Stable id, unique across all files.
    pub id: String,
    /// Model name as the seed or vendor writes it.
    pub name: String,
    /// The seed marks the model "(beta)".
    pub beta: bool,
    /// First version field for this model (`yealink-model-prefix` only).
    #[serde(default)]
    pub firmware_prefix: Option<u64>,
    /// What the phone sends in `User-Agent`.
    pub user_agent: UserAgent,
    /// Versions the farm offers for this model, ascending.
    pub firmware: Vec<Firmware>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
}

/// The `User-Agent` header.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserAgent {
    /// Header value with `{firmware}` and optionally `{mac}`.
    pub template: String,
    /// A real or rendered value.
    pub example: String,
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why.
    #[serde(default)]
    pub notes: Option<String>,
}

/// Where a firmware version sits against the seed's minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FirmwareRole {
    /// Older than the oldest `since`.
    BelowMinimum,
    /// Equals a `since` of the seed table (or, when every `since` is `any`, the oldest offered).
    Minimum,
    /// Newer.
    Later,
}

/// A firmware version the farm offers for a model.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Firmware {
    /// In the family notation.
    pub version: String,
    /// What the phone shows when it differs from `version`.
    #[serde(default)]
    pub ua_version: Option<String>,
    /// Where it sits against the minimum.
    pub role: FirmwareRole,
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why.
    #[serde(default)]
    pub notes: Option<String>,
}

impl Firmware {
    /// What the phone shows (User-Agent, web UI): `ua_version`, else `version`.
    pub fn shown_version(&self) -> &str {
        self.ua_version.as_deref().unwrap_or(&self.version)
    }
}

/// One service of a family (the value of `services.<ServiceName>`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Seed description, or an ECMA-269 summary.
    pub description: String,
    /// Answered from this firmware on (or `any`).
    #[serde(default)]
    pub since: Option<String>,
    /// Never answered (always `true` when present).
    #[serde(default)]
    pub unsupported: Option<bool>,
    /// Lacking; the server performs it with these services.
    #[serde(default)]
    pub emulated: Option<Vec<ServiceName>>,
    /// The source table says nothing about it.
    #[serde(default)]
    pub undeclared: Option<Undeclared>,
    /// The seed 002 "From version" cell verbatim, or `null`.
    pub seed_cell: Option<String>,
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why.
    #[serde(default)]
    pub notes: Option<String>,
}

/// What the farm does with a service its source says nothing about.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Undeclared {
    /// Refuse or support it.
    pub assume: Assume,
    /// From which firmware, when supported.
    #[serde(default)]
    pub since: Option<String>,
}

/// The farm's choice for an undeclared service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Assume {
    /// As `refusal.unsupported_service`.
    Refuse,
    /// From `since` on.
    Support,
}

/// One event of a family (the value of `events.<EventName>`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The phone sends this event on a monitor.
    pub emits: bool,
    /// The value follows from the services.
    pub derived: bool,
    /// Emitted on firmware `f` iff one of these is available on `f`.
    #[serde(default)]
    pub derived_from: Option<Vec<ServiceName>>,
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why.
    #[serde(default)]
    pub notes: Option<String>,
}

/// How the phone refuses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// Answer to a service marked `unsupported`, `emulated` or `undeclared: {assume: refuse}`.
    pub unsupported_service: RefusalKind,
    /// Answer to a service whose `since` is newer than the firmware.
    pub firmware_too_old: RefusalKind,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
}

/// The shape of a negative answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalForm {
    /// A `CSTAErrorCode` body in the INFO's 2xx.
    CstaError,
    /// A SOAP 1.1 `Fault` body in the 2xx.
    SoapFault,
    /// The INFO itself is rejected.
    SipStatus,
}

/// ECMA-269 `CSTAErrorCode` categories (ECMA-269 §9.3, the choice elements of `CSTAErrorCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCategory {
    /// `operation`.
    Operation,
    /// `security`.
    Security,
    /// `stateIncompatibility`.
    StateIncompatibility,
    /// `systemResourceAvailability`.
    SystemResourceAvailability,
    /// `subscribedResourceAvailability`.
    SubscribedResourceAvailability,
    /// `performanceManagement`.
    PerformanceManagement,
    /// `privateData`.
    PrivateData,
    /// `unspecified`.
    Unspecified,
}

impl ErrorCategory {
    /// The ECMA-323 element name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCategory::Operation => "operation",
            ErrorCategory::Security => "security",
            ErrorCategory::StateIncompatibility => "stateIncompatibility",
            ErrorCategory::SystemResourceAvailability => "systemResourceAvailability",
            ErrorCategory::SubscribedResourceAvailability => "subscribedResourceAvailability",
            ErrorCategory::PerformanceManagement => "performanceManagement",
            ErrorCategory::PrivateData => "privateData",
            ErrorCategory::Unspecified => "unspecified",
        }
    }
}

/// One negative answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusalKind {
    /// Body error, SOAP fault or SIP status.
    pub kind: RefusalForm,
    /// Error category (body kinds only).
    #[serde(default)]
    pub category: Option<ErrorCategory>,
    /// The ECMA-269 value in that category, kept as written.
    #[serde(default)]
    pub value: Option<String>,
    /// SIP status of the INFO response.
    pub sip_status: u16,
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why.
    #[serde(default)]
    pub notes: Option<String>,
}

/// ECMA-323 namespace edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    /// `.../ecma-323/csta/ed2`.
    Ed2,
    /// `.../ed3`.
    Ed3,
    /// `.../ed4`.
    Ed4,
    /// `.../ed5`.
    Ed5,
    /// `.../ed6`.
    Ed6,
}

/// A request namespace the phone answers: an edition, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AcceptedEdition {
    /// `ed2`.
    Ed2,
    /// `ed3`.
    Ed3,
    /// `ed4`.
    Ed4,
    /// `ed5`.
    Ed5,
    /// `ed6`.
    Ed6,
    /// No namespace at all.
    None,
}

/// Host part of the ECMA-323 namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum NamespaceHost {
    /// `www.ecma-international.org`.
    #[serde(rename = "www.ecma-international.org")]
    EcmaInternational,
    /// `www.ecma.ch`.
    #[serde(rename = "www.ecma.ch")]
    EcmaCh,
}

/// How responses and events carry the namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NamespaceStyle {
    /// `xmlns="..."` on the root.
    Default,
    /// `csta:` prefix.
    Prefixed,
    /// No namespace.
    None,
}

/// Whether bodies start with `<?xml ...?>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum XmlDeclaration {
    /// Always.
    Always,
    /// Never.
    Never,
    /// Sometimes.
    Sometimes,
}

/// SIP method carrying CSTA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Carrier {
    /// INFO (ECMA TR/87).
    Info,
    /// NOTIFY.
    Notify,
}

/// Where the CSTA response goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ResponseIn {
    /// In the INFO's 200 OK.
    #[serde(rename = "2xx-body")]
    TwoXxBody,
    /// 200 OK empty, response in a new INFO.
    #[serde(rename = "separate-info")]
    SeparateInfo,
}

/// Who sends the dialog-creating INVITE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DialogInitiator {
    /// The uaCSTA server.
    Server,
    /// The phone.
    Phone,
}

/// What goes with the dialog-creating INVITE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InviteBody {
    /// A `RequestSystemStatus`.
    RequestSystemStatus,
    /// Nothing.
    Empty,
    /// Either.
    Either,
}

/// Format of `callID` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallIdFormat {
    /// Non-negative decimal.
    Decimal,
    /// Decimal, negative values occur.
    SignedDecimal,
    /// Hex digits.
    Hex,
    /// 32 hex digits.
    Hex32,
    /// Any string.
    String,
}

/// Format of `monitorCrossRefID` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MonitorCrossRefIdFormat {
    /// Decimal.
    Decimal,
    /// The SIP account number.
    AccountIndex,
    /// Hex digits.
    Hex,
    /// Any string.
    String,
}

/// A deviation from ECMA-323 the codec and the farm must reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuirkId {
    /// Writes `TransferedEvent`.
    TransferedEventSpelling,
    /// Errors as SOAP faults.
    SoapFaultErrors,
    /// Events and responses in different editions.
    MixedNamespaces,
    /// Misspelled element names.
    MisspelledElements,
    /// Newlines around the XML declaration and elements.
    BlankLinesInBody,
    /// No XML declaration.
    NoXmlDeclaration,
    /// Answers in another edition than the request's.
    RequestNamespaceDiffers,
    /// A second 200 OK follows the one with the body.
    #[serde(rename = "second-2xx")]
    Second2xx,
    /// Negative and positive call ids.
    PositiveAndNegativeCallIds,
    /// monitorCrossRefID is the account number.
    MonitorCrossRefIsAccount,
}

/// A quirk of the family.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quirk {
    /// Which quirk.
    pub id: QuirkId,
    /// What it looks like.
    pub description: String,
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why.
    #[serde(default)]
    pub notes: Option<String>,
}

/// Who keeps the CSTA dialog alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepAliveInitiator {
    /// The server.
    Server,
    /// The phone.
    Phone,
    /// Nobody.
    None,
}

/// How the CSTA dialog is kept alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeepAliveMethod {
    /// re-INVITE (RFC 4028).
    ReInvite,
    /// A `RequestSystemStatus` exchange.
    RequestSystemStatus,
    /// Not documented.
    Unspecified,
}

/// Keep-alive of the CSTA dialog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepAlive {
    /// Who sends it.
    pub initiator: KeepAliveInitiator,
    /// What is sent.
    pub method: KeepAliveMethod,
    /// Interval in seconds, when known.
    pub interval_s: Option<u32>,
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why.
    #[serde(default)]
    pub notes: Option<String>,
}

/// XML and uaCSTA dialog habits.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Csta {
    /// Namespace edition the phone writes.
    pub edition: Edition,
    /// Namespace host.
    pub namespace_host: NamespaceHost,
    /// How the namespace is carried.
    pub namespace_style: NamespaceStyle,
    /// Request namespaces the phone answers.
    pub accepts_editions: Vec<AcceptedEdition>,
    /// Whether bodies carry an XML declaration.
    pub xml_declaration: XmlDeclaration,
    /// Declared and used encoding.
    pub encoding: String,
    /// SIP method carrying CSTA.
    pub carrier: Carrier,
    /// `Event:` header when `carrier: notify`.
    pub notify_event: Option<String>,
    /// Exact `Content-Type` spelling.
    pub content_type: String,
    /// `Content-Disposition`, when sent.
    pub content_disposition: Option<String>,
    /// Where the CSTA response goes.
    pub response_in: ResponseIn,
    /// Who opens the CSTA dialog.
    pub dialog_initiator: DialogInitiator,
    /// What the dialog-creating INVITE carries.
    pub invite_body: InviteBody,
    /// Format of `callID`.
    pub call_id_format: CallIdFormat,
    /// Format of `monitorCrossRefID`.
    pub monitor_cross_ref_id_format: MonitorCrossRefIdFormat,
    /// MonitorStartResponse carries `monitorExistingCalls`.
    pub monitor_existing_calls: bool,
    /// Keep-alive.
    pub keep_alive: KeepAlive,
    /// Deviations from ECMA-323.
    pub quirks: Vec<Quirk>,
    /// One provenance record per key above except `quirks` and `keep_alive`.
    pub provenance: CstaProvenance,
}

/// Provenance of each [`Csta`] key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct CstaProvenance {
    pub edition: Provenance,
    pub namespace_host: Provenance,
    pub namespace_style: Provenance,
    pub accepts_editions: Provenance,
    pub xml_declaration: Provenance,
    pub encoding: Provenance,
    pub carrier: Provenance,
    pub notify_event: Provenance,
    pub content_type: Provenance,
    pub content_disposition: Provenance,
    pub response_in: Provenance,
    pub dialog_initiator: Provenance,
    pub invite_body: Provenance,
    pub call_id_format: Provenance,
    pub monitor_cross_ref_id_format: Provenance,
    pub monitor_existing_calls: Provenance,
}

impl CstaProvenance {
    /// Every record with its key, in schema order.
    pub fn records(&self) -> [(&'static str, &Provenance); 16] {
        [
            ("edition", &self.edition),
            ("namespace_host", &self.namespace_host),
            ("namespace_style", &self.namespace_style),
            ("accepts_editions", &self.accepts_editions),
            ("xml_declaration", &self.xml_declaration),
            ("encoding", &self.encoding),
            ("carrier", &self.carrier),
            ("notify_event", &self.notify_event),
            ("content_type", &self.content_type),
            ("content_disposition", &self.content_disposition),
            ("response_in", &self.response_in),
            ("dialog_initiator", &self.dialog_initiator),
            ("invite_body", &self.invite_body),
            ("call_id_format", &self.call_id_format),
            (
                "monitor_cross_ref_id_format",
                &self.monitor_cross_ref_id_format,
            ),
            ("monitor_existing_calls", &self.monitor_existing_calls),
        ]
    }
}

/// SIP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// TLS.
    Tls,
}

/// Where the phone asks for its registration expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpiresIn {
    /// `Expires:` header.
    Header,
    /// `;expires=` in Contact only.
    Contact,
    /// Both.
    Both,
}

/// User part of the REGISTER Contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactUser {
    /// Same as the digest user.
    Account,
    /// The line extension.
    Line,
    /// Something else.
    Other,
}

/// User name of the uaCSTA registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UacstaAccount {
    /// The MAC, 12 hex digits, no separators.
    Mac,
    /// The extension.
    Extension,
}

/// `From:` of calls the phone places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallFrom {
    /// The line's extension.
    LineExtension,
    /// The uaCSTA account.
    Account,
}

/// DTMF transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dtmf {
    /// RFC 4733 telephone-event.
    Rfc4733,
    /// SIP INFO.
    SipInfo,
    /// In-band audio.
    Inband,
}

/// SDP direction of a hold re-INVITE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Hold {
    /// `a=sendonly`.
    Sendonly,
    /// `a=inactive`.
    Inactive,
}

/// How the phone transfers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transfer {
    /// REFER with `Replaces`.
    ReferWithReplaces,
    /// Plain REFER.
    Refer,
    /// No transfer.
    None,
}

/// SIP habits.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sip {
    /// Transports the phone can use.
    pub transports: Vec<Transport>,
    /// Factory default.
    pub default_transport: Transport,
    /// Expiry the phone asks for.
    pub register_expires_s: u32,
    /// Where it asks for it.
    pub expires_in: ExpiresIn,
    /// Contact user part.
    pub contact_user: ContactUser,
    /// User name of the uaCSTA registration.
    pub uacsta_account: UacstaAccount,
    /// `From:` of placed calls.
    pub call_from: CallFrom,
    /// DTMF transport.
    pub dtmf: Dtmf,
    /// Hold direction.
    pub hold: Hold,
    /// Transfer method.
    pub transfer: Transfer,
    /// SIP status to the CSTA INVITE when uaCSTA is off.
    pub csta_off_answer: u16,
    /// One provenance record per key above.
    pub provenance: SipProvenance,
}

/// Provenance of each [`Sip`] key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct SipProvenance {
    pub transports: Provenance,
    pub default_transport: Provenance,
    pub register_expires_s: Provenance,
    pub expires_in: Provenance,
    pub contact_user: Provenance,
    pub uacsta_account: Provenance,
    pub call_from: Provenance,
    pub dtmf: Provenance,
    pub hold: Provenance,
    pub transfer: Provenance,
    pub csta_off_answer: Provenance,
}

impl SipProvenance {
    /// Every record with its key, in schema order.
    pub fn records(&self) -> [(&'static str, &Provenance); 11] {
        [
            ("transports", &self.transports),
            ("default_transport", &self.default_transport),
            ("register_expires_s", &self.register_expires_s),
            ("expires_in", &self.expires_in),
            ("contact_user", &self.contact_user),
            ("uacsta_account", &self.uacsta_account),
            ("call_from", &self.call_from),
            ("dtmf", &self.dtmf),
            ("hold", &self.hold),
            ("transfer", &self.transfer),
            ("csta_off_answer", &self.csta_off_answer),
        ]
    }
}

/// Provisioning file dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProvisioningFormat {
    /// snom XML settings.
    SnomSettings,
    /// Yealink `.cfg`.
    YealinkCfg,
    /// Mitel/Aastra `.cfg`.
    MitelCfg,
    /// Auerswald web UI.
    AuerswaldWeb,
    /// Bekiot TXT.
    BekiotTxt,
    /// Gigaset XML.
    GigasetXml,
}

/// How uaCSTA is switched on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provisioning {
    /// File dialect.
    pub format: ProvisioningFormat,
    /// File names the phone fetches.
    pub files: Vec<String>,
    /// The settings.
    pub settings: Vec<Setting>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
}

/// One provisioning setting.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Key as the vendor writes it, or a `Menu > Item` web path.
    pub key: String,
    /// Value, with `{server}`, `{port}`, `{mac}`, `{password}`, `{extension}`, `{transport}`.
    pub value: String,
    /// What it does.
    pub meaning: String,
    /// A `sources[].id`.
    pub source: String,
    /// How sure the fact is.
    pub status: Status,
    /// Why.
    #[serde(default)]
    pub notes: Option<String>,
}
