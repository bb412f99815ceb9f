//! One CTI client speaking ECMA TR/87 (uaCSTA over SIP) to the server, as Cisco Unified CME CTI clients
//! and Microsoft RCC (Lync/OCS remote call control) do, as a sans-IO state machine. The server is the
//! UAS of the client's dialog: the mirror image of [`crate::phone_session`].
//!
//! - ECMA TR/87 §7.1 (establishing a CSTA application session): the client sends INVITE with
//!   `Content-Type: application/csta+xml` and RequestSystemStatus in the body (Microsoft adds the line
//!   URI as private data; Cisco names the logical user in From and the line in To). The 2xx carries
//!   RequestSystemStatusResponse (`normal`) in the edition of the client's body. An INVITE without a
//!   body is accepted with a 2xx without one. Clients may be asked for digest credentials first
//!   (RFC 3261 §22.2, RFC 7616: 401, then 403 for wrong ones); in-dialog requests are not challenged.
//! - ECMA TR/87 §7.2 (transporting service requests and responses): requests travel in INFO, and the
//!   CSTA response, positive or CSTAErrorCode, is the body of the INFO's 2xx. The INFO's server
//!   transaction stays open until the caller answers ([`Tr87Event::Request`], [`Tr87Client::respond`]).
//!   GetCSTAFeatures (the capability exchange of Cisco CME, ECMA-269 §13.1.1) and RequestSystemStatus
//!   are answered here.
//! - ECMA TR/87 §7.3 (monitors and events): events go to the client in INFO requests of the dialog
//!   ([`Tr87Client::event`]); a 481 or 408 to one, or its transaction timing out, ends the client
//!   (RFC 3261 §12.2.1.2).
//! - The session is kept by RFC 4028 session timers: the client refreshes with re-INVITE (or UPDATE)
//!   and the server ends the session when no refresh came in time (§10); Cisco's interval is 30 minutes,
//!   Microsoft refreshes about a minute before expiry. A client that does not support timers leaves
//!   the refreshing to the server, which then sends the re-INVITEs itself (§9).
//!
//! Malformed CSTA: a TR/87 SIP response reports on the SIP request, the CSTA outcome travels in its
//! body. So an INFO whose `application/csta+xml` body cannot be read is answered 200 OK with a
//! CSTAErrorCode (operation, `generic`): a client that matches its request to the body of the 2xx
//! gets a CSTA answer, as over the CSTA XML interface ([`crate::client_xml`]). A body of another
//! type is a SIP matter (415, RFC 3261 §21.4.13), and so is an INVITE whose body is not a readable
//! RequestSystemStatus (400 or 488): without it no application session exists to answer in. See
//! `docs/decisions/0007-tr87-malformed-csta.md`.
//!
//! The module owns no transaction: server transactions are named by the [`TxId`] the caller passes
//! in and gets back with the response; requests the module wants sent come out as [`Tr87Transmit`].

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use thiserror::Error;
use uacsta_csta::error_code::OperationError;
use uacsta_csta::messages::capability::GetCSTAFeaturesResponse;
use uacsta_csta::messages::system::RequestSystemStatusResponse;
use uacsta_csta::types::SystemStatus;
use uacsta_csta::{
    CSTAErrorCode, CstaMessage, Edition, Flag, FlagGroup, FlagGroups, FlagSet, MessageKind, Mode,
};
use uacsta_sip::auth::{Credentials, DigestServer, DigestServerConfig, Secret, Verdict};
use uacsta_sip::dialog::{Dialog, DialogId, RetransmitAction, SuccessRetransmission};
use uacsta_sip::header::{CSeq, Contact, ContentDisposition, ContentType, From, NameAddr, To, Via};
use uacsta_sip::ids::IdGenerator;
use uacsta_sip::session_timer::{
    SessionTimer, SessionTimerConfig, SessionTimerError, SessionTimerEvent, interval_too_small,
};
use uacsta_sip::transaction::{TimerConfig, TxId};
use uacsta_sip::{HeaderName, Host, Method, Params, Request, Response, StatusCode, Uri};

/// The methods a TR/87 session accepts.
const ALLOW: &str = "INVITE, ACK, BYE, CANCEL, INFO, NOTIFY, OPTIONS, UPDATE";

/// The services and events of the estos uaCSTA Server (manual §4.2.1), plus GetCSTAFeatures, which
/// this interface answers itself. ECMA-269 names.
pub const ESTOS_FEATURES: &[&str] = &[
    "GetCSTAFeatures",
    "GetLogicalDeviceInformation",
    "GetPhysicalDeviceInformation",
    "GetSwitchingFunctionDevices",
    "SwitchingFunctionDevices",
    "SystemRegister",
    "SystemRegisterAbort",
    "SystemRegisterCancel",
    "RequestSystemStatus",
    "SwFunctionDevicesChanged",
    "MonitorStart",
    "MonitorStop",
    "SnapshotDevice",
    "SnapshotCall",
    "AlternateCall",
    "AnswerCall",
    "ClearConnection",
    "ConferenceCall",
    "ConsultationCall",
    "DeflectCall",
    "DialDigits",
    "DirectedPickupCall",
    "HoldCall",
    "MakeCall",
    "ReconnectCall",
    "RetrieveCall",
    "SingleStepConferenceCall",
    "SingleStepTransferCall",
    "TransferCall",
    "CallCleared",
    "Conferenced",
    "ConnectionCleared",
    "Delivered",
    "DigitsDialed",
    "Diverted",
    "Established",
    "Failed",
    "Held",
    "NetworkCapabilitiesChanged",
    "NetworkReached",
    "Offered",
    "Originated",
    "Queued",
    "Retrieved",
    "ServiceInitiated",
    "Transferred",
    "GenerateDigits",
    "DigitsGenerated",
    "GetMessageWaitingIndicator",
    "SetMessageWaitingIndicator",
    "MessageWaiting",
    "GetDoNotDisturb",
    "GetForwarding",
    "SetDoNotDisturb",
    "SetForwarding",
    "DoNotDisturb",
    "Forwarding",
];

/// Which half of GetCSTAFeaturesResponse a capability goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Half {
    Services,
    Events,
}

/// Where ECMA-323's capability lists (ECMA-269 Annex C) put each service and event: the half of
/// GetCSTAFeaturesResponse, the list element and the ECMA-269 names in it. The flag element is the
/// name with a lower-case first letter, except for [`FLAG_SPELLINGS`].
const CAPABILITY_LISTS: &[(Half, &str, &[&str])] = &[
    (
        Half::Services,
        "capExchangeServList",
        &[
            "GetCSTAFeatures",
            "GetLogicalDeviceInformation",
            "GetPhysicalDeviceInformation",
            "GetSwitchingFunctionCaps",
            "GetSwitchingFunctionDevices",
            "SwitchingFunctionDevices",
        ],
    ),
    (
        Half::Services,
        "systemStatServList",
        &[
            "SystemRegister",
            "SystemRegisterAbort",
            "SystemRegisterCancel",
            "RequestSystemStatus",
            "SystemStatus",
            "SwFunctionDevicesChanged",
        ],
    ),
    (
        Half::Services,
        "monitoringServList",
        &["MonitorStart", "MonitorStop", "ChangeMonitorFilter"],
    ),
    (
        Half::Services,
        "snapshotServList",
        &["SnapshotDevice", "SnapshotCall"],
    ),
    (
        Half::Services,
        "callControlServList",
        &[
            "AcceptCall",
            "AlternateCall",
            "AnswerCall",
            "ClearCall",
            "ClearConnection",
            "ConferenceCall",
            "ConsultationCall",
            "DeflectCall",
            "DialDigits",
            "DirectedPickupCall",
            "HoldCall",
            "MakeCall",
            "ReconnectCall",
            "RetrieveCall",
            "SingleStepConferenceCall",
            "SingleStepTransferCall",
            "TransferCall",
        ],
    ),
    (
        Half::Services,
        "callAssociatedServList",
        &["GenerateDigits"],
    ),
    (
        Half::Services,
        "physDevServList",
        &["GetMessageWaitingIndicator", "SetMessageWaitingIndicator"],
    ),
    (
        Half::Services,
        "logicalServList",
        &[
            "GetDoNotDisturb",
            "GetForwarding",
            "SetDoNotDisturb",
            "SetForwarding",
        ],
    ),
    (
        Half::Events,
        "callControlEvtsList",
        &[
            "CallCleared",
            "Conferenced",
            "ConnectionCleared",
            "Delivered",
            "DigitsDialed",
            "Diverted",
            "Established",
            "Failed",
            "Held",
            "NetworkCapabilitiesChanged",
            "NetworkReached",
            "Offered",
            "Originated",
            "Queued",
            "Retrieved",
            "ServiceInitiated",
            "Transferred",
        ],
    ),
    (Half::Events, "callAssociatedEvtsList", &["DigitsGenerated"]),
    (Half::Events, "physDevEvtsList", &["MessageWaiting"]),
    (
        Half::Events,
        "logicalEvtsList",
        &["DoNotDisturb", "Forwarding"],
    ),
    (
        Half::Events,
        "deviceMaintEvtsList",
        &["BackInService", "OutOfService"],
    ),
];

/// Flags ECMA-323 spells other than the service's name.
const FLAG_SPELLINGS: &[(&str, &str)] = &[
    ("SystemRegisterAbort", "systemStatusRegisterAbort"),
    ("SystemRegisterCancel", "systemStatusRegisterCancel"),
];

/// The half, list and flag element of an ECMA-269 service or event name.
fn capability(name: &str) -> Option<(Half, &'static str, String)> {
    let (half, list, name) = CAPABILITY_LISTS.iter().find_map(|(half, list, names)| {
        names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
            .map(|n| (*half, *list, *n))
    })?;
    let flag = match FLAG_SPELLINGS.iter().find(|(n, _)| *n == name) {
        Some((_, spelled)) => spelled.to_string(),
        None => {
            let mut chars = name.chars();
            let first = chars.next()?;
            first.to_ascii_lowercase().to_string() + chars.as_str()
        }
    };
    Some((half, list, flag))
}

/// Why the interface could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Tr87ConfigError {
    #[error(
        "{0:?} is not a CSTA service or event the capability exchange knows (use ECMA-269 names such as \"MakeCall\" or \"Delivered\")"
    )]
    UnknownFeature(String),
}

/// Why a call into a client was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Tr87Error {
    #[error("no CSTA request of this client waits for an answer under token {0}")]
    UnknownToken(u64),
    #[error("the TR/87 session has ended")]
    Ended,
}

/// The GetCSTAFeaturesResponse announcing `features` (ECMA-269 names), each in its capability list.
pub fn features_response(features: &[&str]) -> Result<GetCSTAFeaturesResponse, Tr87ConfigError> {
    let mut services: Vec<FlagGroup> = Vec::new();
    let mut events: Vec<FlagGroup> = Vec::new();
    for name in features {
        let (half, list, flag) = capability(name.trim())
            .ok_or_else(|| Tr87ConfigError::UnknownFeature(name.to_string()))?;
        let groups = match half {
            Half::Services => &mut services,
            Half::Events => &mut events,
        };
        let index = match groups.iter().position(|g| g.name == list) {
            Some(i) => i,
            None => {
                groups.push(FlagGroup {
                    name: list.to_string(),
                    flags: FlagSet::default(),
                });
                groups.len() - 1
            }
        };
        let flags = &mut groups[index].flags.0;
        if !flags.iter().any(|f| f.name == flag) {
            flags.push(Flag {
                name: flag,
                value: true,
            });
        }
    }
    Ok(GetCSTAFeaturesResponse {
        supported_services: FlagGroups(services),
        supported_events: FlagGroups(events),
        ..Default::default()
    })
}

/// Settings of the TR/87 client interface.
#[derive(Debug, Clone)]
pub struct Tr87Config {
    /// Digest user names and passwords of CTI clients; empty: no authentication.
    pub users: HashMap<String, String>,
    /// The digest realm of the challenges.
    pub realm: String,
    /// RFC 4028 interval granted (the client's own, lowered to this) and the Min-SE required.
    pub session_timer: SessionTimerConfig,
    /// Services and events announced to GetCSTAFeatures, by ECMA-269 name.
    pub features: Vec<&'static str>,
    /// The edition spoken to a client whose INVITE had no CSTA body, until it shows its own.
    pub edition: Edition,
    /// Where clients reach the server (Contact of the 2xx and of target refresh requests).
    pub contact: Uri,
    /// Via of the server's requests: transport token, host and port (the branch is drawn per request).
    pub via_transport: String,
    pub via_host: Host,
    pub via_port: Option<u16>,
    /// T1 and T2, for retransmitting the 2xx of an INVITE until the ACK (RFC 3261 §13.3.1.4).
    pub timers: TimerConfig,
}

impl Tr87Config {
    /// No authentication, Cisco's 30-minute session interval, the estos feature list, ECMA-323 ed3
    /// (Microsoft RCC) until a client shows its edition.
    pub fn new(contact: Uri, via_transport: &str, via_host: Host, via_port: Option<u16>) -> Self {
        Tr87Config {
            users: HashMap::new(),
            realm: "uacsta".into(),
            session_timer: SessionTimerConfig::default(),
            features: ESTOS_FEATURES.to_vec(),
            edition: Edition::Ed3,
            contact,
            via_transport: via_transport.into(),
            via_host,
            via_port,
            timers: TimerConfig::default(),
        }
    }
}

/// What became of an INVITE outside any dialog.
#[derive(Debug)]
pub enum InviteOutcome {
    /// Send `response` (the 2xx) on the INVITE's server transaction; the session exists from now on
    /// and requests with its Call-ID go to `client`.
    Accepted {
        client: Box<Tr87Client>,
        response: Response,
    },
    /// Send `response` (401, 403, 400, 415, 420, 422, 488); no session.
    Refused(Response),
}

/// Why a client's session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tr87End {
    /// The client sent BYE.
    Bye,
    /// No refresh arrived within the session interval (RFC 4028 §10); the server sent BYE.
    SessionExpired,
    /// The client never acknowledged the 2xx of its INVITE (RFC 3261 §13.3.1.4); the server sent BYE.
    NoAck,
    /// A request to the client was answered 481 or 408, or got no answer.
    Unreachable(String),
    /// Closed by the server ([`Tr87Client::close`]).
    Closed,
}

/// What a client reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Tr87Event {
    /// A CSTA request: answer with [`Tr87Client::respond`] and the same token (unique within this
    /// client), positive response or CSTAErrorCode.
    Request {
        token: u64,
        message: Box<CstaMessage>,
    },
    /// The session is over: release the client's monitors, then send what is still queued.
    Ended(Tr87End),
}

/// Something for the caller to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tr87Transmit {
    /// A response on the server transaction `tx` (`TransactionLayer::send_response`): a 2xx
    /// retransmission, or 487 for a CSTA request left unanswered when the session ended. When the
    /// transaction is already gone, a 2xx is sent statelessly (RFC 6026 §8.1) and a 487 dropped.
    Response { tx: TxId, response: Response },
    /// A request in a new client transaction (BYE, or the server's own refresh re-INVITE); give its
    /// final response to [`Tr87Client::handle_response`] and its failure to
    /// [`Tr87Client::handle_failure`].
    Request(Request),
    /// The ACK for a 2xx to the server's re-INVITE, sent outside any transaction (RFC 3261
    /// §13.2.2.4).
    Ack(Request),
}

/// Accepts TR/87 sessions: checks the client's credentials and the INVITE, and creates the
/// [`Tr87Client`] that runs the dialog. Owns the digest nonces shared by all clients.
pub struct Tr87Listener {
    config: Arc<Tr87Config>,
    features: Arc<CstaMessage>,
    digest: DigestServer,
    ids: IdGenerator,
}

impl Tr87Listener {
    /// `seed` feeds tags, branches and the nonce key.
    pub fn new(config: Tr87Config, seed: u64, now: Instant) -> Result<Self, Tr87ConfigError> {
        let features = CstaMessage::from(features_response(&config.features)?);
        let mut ids = IdGenerator::from_seed(seed);
        let digest = DigestServer::new(
            DigestServerConfig::new(config.realm.clone()),
            ids.nonce_secret(),
            now,
        );
        Ok(Tr87Listener {
            config: Arc::new(config),
            features: Arc::new(features),
            digest,
            ids,
        })
    }

    pub fn config(&self) -> &Tr87Config {
        &self.config
    }

    /// An INVITE that matched no dialog, received on server transaction `tx` (ECMA TR/87 §7.1).
    pub fn handle_invite(&mut self, tx: TxId, request: &Request, now: Instant) -> InviteOutcome {
        let tag = self.ids.tag();
        let refuse = |status: StatusCode, reason: Option<String>| {
            let mut r = Response::to_request(request, status, Some(&tag));
            if let Some(reason) = reason {
                r.reason = reason;
            }
            r
        };
        match self.check_invite(request, now, &refuse) {
            Ok(accepted) => self.accept(tx, request, accepted, &tag, now),
            Err(response) => InviteOutcome::Refused(response),
        }
    }

    fn check_invite(
        &mut self,
        request: &Request,
        now: Instant,
        refuse: &dyn Fn(StatusCode, Option<String>) -> Response,
    ) -> Result<Checked, Response> {
        if request.method != Method::Invite {
            let mut r = refuse(StatusCode::METHOD_NOT_ALLOWED, None);
            r.headers.push(HeaderName::Allow, ALLOW);
            return Err(r);
        }
        match DialogId::for_incoming_request(request) {
            // A re-INVITE of a session this server does not know.
            Ok(Some(_)) => {
                return Err(Response::to_request(
                    request,
                    StatusCode::CALL_DOES_NOT_EXIST,
                    None,
                ));
            }
            Ok(None) => {}
            Err(e) => return Err(refuse(StatusCode::BAD_REQUEST, Some(bad_request(&e)))),
        }
        let unsupported: Vec<&str> = request
            .headers
            .values(&HeaderName::Require)
            .filter(|o| !o.eq_ignore_ascii_case("timer"))
            .collect();
        if !unsupported.is_empty() {
            let mut r = refuse(StatusCode::BAD_EXTENSION, None);
            r.headers
                .push(HeaderName::Unsupported, unsupported.join(", "));
            return Err(r);
        }
        let user = if self.config.users.is_empty() {
            None
        } else {
            Some(self.authenticate(request, now, refuse)?)
        };
        let mut checked = Checked {
            user,
            edition: self.config.edition,
            line: None,
            answer: None,
        };
        if is_blank(&request.body) {
            return Ok(checked);
        }
        if !is_csta(request) {
            let mut r = refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, None);
            r.headers.push(HeaderName::Accept, "application/csta+xml");
            return Err(r);
        }
        let decoded = uacsta_csta::decode(&request.body, Mode::Tolerant).map_err(|e| {
            refuse(
                StatusCode::BAD_REQUEST,
                Some(format!("Bad Request (CSTA body: {e})")),
            )
        })?;
        if let Some(edition) = decoded.edition {
            checked.edition = edition;
        }
        let CstaMessage::RequestSystemStatus(status) = &decoded.message else {
            return Err(refuse(
                StatusCode::NOT_ACCEPTABLE_HERE,
                Some(format!(
                    "Not Acceptable Here (a TR/87 INVITE carries RequestSystemStatus, not {})",
                    decoded.message.element_name()
                )),
            ));
        };
        checked.line = status.extensions.as_ref().and_then(|x| private_line(&x.0));
        checked.answer = Some(CstaMessage::from(RequestSystemStatusResponse {
            system_status: SystemStatus::Normal,
            ..Default::default()
        }));
        Ok(checked)
    }

    /// Digest authentication of the INVITE (RFC 3261 §22.2, RFC 7616): the digest user name.
    fn authenticate(
        &mut self,
        request: &Request,
        now: Instant,
        refuse: &dyn Fn(StatusCode, Option<String>) -> Response,
    ) -> Result<String, Response> {
        let realm = &self.config.realm;
        let credentials = request
            .headers
            .get_all(&HeaderName::Authorization)
            .filter_map(|v| Credentials::parse(v).ok())
            .find(|c| &c.realm == realm);
        let Some(credentials) = credentials else {
            if let Some(bad) = request.headers.get(&HeaderName::Authorization)
                && let Err(e) = Credentials::parse(bad)
            {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    Some(format!("Bad Request ({e})")),
                ));
            }
            return Err(self.challenge(refuse, now, false));
        };
        if let Ok(uri) = credentials.uri.parse::<Uri>()
            && !uri.equivalent(&request.uri)
        {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                Some("Bad Request (digest uri does not match the Request-URI)".into()),
            ));
        }
        let users = &self.config.users;
        let verdict =
            self.digest
                .verify(&credentials, "INVITE", &request.body, now, |username, _| {
                    users.get(username).cloned().map(Secret::Password)
                });
        let forbidden =
            |why: &str| refuse(StatusCode::FORBIDDEN, Some(format!("Forbidden ({why})")));
        match verdict {
            Verdict::Authenticated { username } => Ok(username),
            Verdict::Stale => Err(self.challenge(refuse, now, true)),
            Verdict::UnknownUser { .. } | Verdict::WrongResponse { .. } => {
                Err(forbidden("wrong credentials"))
            }
            Verdict::Replayed => Err(forbidden("replayed nonce count")),
            Verdict::Malformed(e) => Err(refuse(
                StatusCode::BAD_REQUEST,
                Some(format!("Bad Request ({e})")),
            )),
        }
    }

    fn challenge(
        &mut self,
        refuse: &dyn Fn(StatusCode, Option<String>) -> Response,
        now: Instant,
        stale: bool,
    ) -> Response {
        let mut r = refuse(StatusCode::UNAUTHORIZED, None);
        for c in self.digest.challenges(now, stale) {
            r.headers.push(HeaderName::WwwAuthenticate, c.to_string());
        }
        r
    }

    fn accept(
        &mut self,
        tx: TxId,
        request: &Request,
        checked: Checked,
        tag: &str,
        now: Instant,
    ) -> InviteOutcome {
        let refuse = |status: StatusCode, reason: String| {
            let mut r = Response::to_request(request, status, Some(tag));
            r.reason = reason;
            InviteOutcome::Refused(r)
        };
        let mut timer = SessionTimer::new(self.config.session_timer);
        match timer.handle_request(request) {
            Ok(()) => {}
            Err(SessionTimerError::TooSmall { .. }) => {
                return InviteOutcome::Refused(interval_too_small(request, timer.min_se()));
            }
            Err(e) => return refuse(StatusCode::BAD_REQUEST, bad_request(&e)),
        }
        let mut ok = Response::to_request(request, StatusCode::OK, Some(tag));
        // RFC 3261 §12.1.1: the dialog-creating 2xx carries the request's Record-Route.
        for route in request.headers.get_all(&HeaderName::RecordRoute) {
            ok.headers.push(HeaderName::RecordRoute, route);
        }
        ok.headers.push_typed(&Contact::Address(NameAddr::new(
            self.config.contact.clone(),
        )));
        ok.headers.push(HeaderName::Allow, ALLOW);
        if let Some(answer) = &checked.answer {
            set_csta_body(&mut ok.headers, &mut ok.body, answer, checked.edition);
        }
        let dialog = match Dialog::uas(request, &ok) {
            Ok(d) => d,
            Err(e) => return refuse(StatusCode::BAD_REQUEST, bad_request(&e)),
        };
        timer.answer(&mut ok, now);
        let to = request.headers.require::<To>().ok().map(|t| t.0.uri);
        let line = checked
            .line
            .or_else(|| to.as_ref().map(ToString::to_string));
        let invite_seq = request.headers.require::<CSeq>().map_or(0, |c| c.seq);
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&self.ids.nonce_secret()[..8]);
        let client = Tr87Client {
            config: Arc::clone(&self.config),
            features: Arc::clone(&self.features),
            ids: IdGenerator::from_seed(u64::from_le_bytes(seed)),
            dialog,
            timer,
            edition: checked.edition,
            user: checked.user,
            client_uri: request.headers.require::<From>().ok().map(|f| f.0.uri),
            line,
            retransmit: Some(Retransmit {
                tx,
                seq: invite_seq,
                sender: SuccessRetransmission::new(ok.clone(), &self.config.timers, now),
            }),
            pending: HashMap::new(),
            next_token: 1,
            refreshing: false,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            ended: false,
        };
        InviteOutcome::Accepted {
            client: Box::new(client),
            response: ok,
        }
    }
}

/// What the checks of an INVITE learnt.
struct Checked {
    user: Option<String>,
    edition: Edition,
    line: Option<String>,
    answer: Option<CstaMessage>,
}

/// The 2xx of an INVITE on its way until the ACK (RFC 3261 §13.3.1.4).
#[derive(Debug)]
struct Retransmit {
    tx: TxId,
    /// CSeq number of the INVITE, which its ACK repeats.
    seq: u32,
    sender: SuccessRetransmission,
}

/// One TR/87 client's session.
#[derive(Debug)]
pub struct Tr87Client {
    config: Arc<Tr87Config>,
    features: Arc<CstaMessage>,
    ids: IdGenerator,
    dialog: Dialog,
    timer: SessionTimer,
    edition: Edition,
    user: Option<String>,
    client_uri: Option<Uri>,
    line: Option<String>,
    /// The 2xx of the last INVITE, retransmitted until its ACK.
    retransmit: Option<Retransmit>,
    /// Token -> the INFO's server transaction and its 2xx, waiting for the CSTA response.
    pending: HashMap<u64, (TxId, Response)>,
    next_token: u64,
    /// The server's own refresh re-INVITE is outstanding.
    refreshing: bool,
    transmits: VecDeque<Tr87Transmit>,
    events: VecDeque<Tr87Event>,
    ended: bool,
}

impl Tr87Client {
    /// The Call-ID that routes the client's requests here.
    pub fn call_id(&self) -> &str {
        &self.dialog.id().call_id
    }

    pub fn dialog_id(&self) -> &DialogId {
        self.dialog.id()
    }

    /// The digest user the client authenticated as, when authentication is on.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The client's identity (From of the INVITE: the logical user for Cisco, the user's SIP URI for
    /// Microsoft).
    pub fn client_uri(&self) -> Option<&Uri> {
        self.client_uri.as_ref()
    }

    /// The line the client wants to control: Microsoft's private-data line URI of the
    /// RequestSystemStatus, else the To URI of the INVITE (Cisco).
    pub fn line(&self) -> Option<&str> {
        self.line.as_deref()
    }

    /// The edition responses and events are written in: that of the client's last CSTA body.
    pub fn edition(&self) -> Edition {
        self.edition
    }

    /// The negotiated session interval in seconds.
    pub fn session_interval(&self) -> Option<u32> {
        self.timer.interval()
    }

    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// A request of the client's dialog, received on server transaction `tx`. Returns the response to
    /// send now on `tx`; `None` when there is none yet (a CSTA request handed out as
    /// [`Tr87Event::Request`], answered by [`Self::respond`]) or none at all (ACK).
    pub fn handle_request(
        &mut self,
        tx: TxId,
        request: &Request,
        now: Instant,
    ) -> Option<Response> {
        if request.method == Method::Ack {
            self.handle_ack(request);
            return None;
        }
        if let Err(e) = self.dialog.handle_request(request) {
            return Some(Response::to_request(request, e.status(), None));
        }
        Some(match request.method {
            Method::Bye => {
                self.end(Tr87End::Bye);
                Response::to_request(request, StatusCode::OK, None)
            }
            Method::Invite | Method::Update => self.refresh_from_client(tx, request, now),
            Method::Info | Method::Notify => return self.csta_request(tx, request),
            Method::Options => {
                let mut r = Response::to_request(request, StatusCode::OK, None);
                r.headers.push(HeaderName::Allow, ALLOW);
                r
            }
            _ => {
                let mut r = Response::to_request(request, StatusCode::METHOD_NOT_ALLOWED, None);
                r.headers.push(HeaderName::Allow, ALLOW);
                r
            }
        })
    }

    /// The ACK for the 2xx of an INVITE (the transaction layer's `TxEvent::Ack`): its retransmissions
    /// stop.
    pub fn handle_ack(&mut self, ack: &Request) {
        let seq = ack.headers.require::<CSeq>().map(|c| c.seq);
        if self
            .retransmit
            .as_ref()
            .is_some_and(|r| seq.as_ref() == Ok(&r.seq))
        {
            self.retransmit = None;
        }
    }

    /// The CSTA response to the request handed out with `token`: the 2xx for its INFO, to send with
    /// `TransactionLayer::send_response(tx, response, now)`.
    pub fn respond(
        &mut self,
        token: u64,
        message: &CstaMessage,
    ) -> Result<(TxId, Response), Tr87Error> {
        if self.ended {
            return Err(Tr87Error::Ended);
        }
        let (tx, mut ok) = self
            .pending
            .remove(&token)
            .ok_or(Tr87Error::UnknownToken(token))?;
        set_csta_body(&mut ok.headers, &mut ok.body, message, self.edition);
        Ok((tx, ok))
    }

    /// An event for the client: an INFO of the dialog, to send in a new client transaction; give its
    /// final response to [`Self::handle_response`] and its failure to [`Self::handle_failure`].
    pub fn event(&mut self, message: &CstaMessage) -> Result<Request, Tr87Error> {
        if self.ended {
            return Err(Tr87Error::Ended);
        }
        let via = self.via();
        let mut info = self.dialog.create_request(Method::Info, &via);
        set_csta_body(&mut info.headers, &mut info.body, message, self.edition);
        info.headers.push_typed(&ContentDisposition {
            disposition: "signal".into(),
            params: required(),
        });
        Ok(info)
    }

    /// Ends the session from the server side with BYE.
    pub fn close(&mut self) {
        if !self.ended {
            self.send_bye();
            self.end(Tr87End::Closed);
        }
    }

    /// A response to a request the server sent in this dialog (an event INFO, a BYE, a refresh
    /// re-INVITE). Provisional responses are ignored.
    pub fn handle_response(&mut self, response: &Response, now: Instant) {
        if response.status.is_provisional() {
            return;
        }
        let Ok(cseq) = response.headers.require::<CSeq>() else {
            return;
        };
        let code = response.status.code();
        if cseq.method == Method::Bye {
            return;
        }
        if cseq.method == Method::Invite {
            self.refresh_answered(response, cseq.seq, now);
            return;
        }
        if code == 481 || code == 408 {
            self.end(Tr87End::Unreachable(format!(
                "{} answered {code} {}",
                cseq.method, response.reason
            )));
        }
    }

    /// A request the server sent got no response (Timer B or F, or a transport error): the client is
    /// gone.
    pub fn handle_failure(&mut self, reason: &str) {
        self.end(Tr87End::Unreachable(reason.to_string()));
    }

    pub fn poll_event(&mut self) -> Option<Tr87Event> {
        self.events.pop_front()
    }

    pub fn poll_transmit(&mut self) -> Option<Tr87Transmit> {
        self.transmits.pop_front()
    }

    /// The next deadline: a 2xx retransmission, a refresh or the session's expiry.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.ended {
            return None;
        }
        let retransmit = self
            .retransmit
            .as_ref()
            .and_then(|r| r.sender.poll_timeout());
        [retransmit, self.timer.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if self.ended {
            return;
        }
        if let Some(r) = self.retransmit.as_mut() {
            match r.sender.handle_timeout(now) {
                Some(RetransmitAction::Resend(response)) => {
                    let tx = r.tx;
                    self.transmits
                        .push_back(Tr87Transmit::Response { tx, response });
                }
                Some(RetransmitAction::GiveUp) => {
                    self.retransmit = None;
                    self.send_bye();
                    self.end(Tr87End::NoAck);
                    return;
                }
                None => {}
            }
        }
        match self.timer.handle_timeout(now) {
            Some(SessionTimerEvent::Refresh) => self.send_refresh(),
            Some(SessionTimerEvent::Expired) => {
                self.send_bye();
                self.end(Tr87End::SessionExpired);
            }
            None => {}
        }
    }

    /// A re-INVITE or UPDATE from the client: a session refresh (RFC 4028 §9). A re-INVITE may carry
    /// RequestSystemStatus again and gets its answer.
    fn refresh_from_client(&mut self, tx: TxId, request: &Request, now: Instant) -> Response {
        if request.method == Method::Invite && self.refreshing {
            // RFC 3261 §14.2: our own re-INVITE is pending.
            return Response::to_request(request, StatusCode::REQUEST_PENDING, None);
        }
        match self.timer.handle_request(request) {
            Ok(()) => {}
            Err(SessionTimerError::TooSmall { .. }) => {
                return interval_too_small(request, self.timer.min_se());
            }
            Err(e) => {
                let mut r = Response::to_request(request, StatusCode::BAD_REQUEST, None);
                r.reason = bad_request(&e);
                return r;
            }
        }
        let mut ok = Response::to_request(request, StatusCode::OK, None);
        ok.headers.push_typed(&Contact::Address(NameAddr::new(
            self.config.contact.clone(),
        )));
        ok.headers.push(HeaderName::Allow, ALLOW);
        if !is_blank(&request.body)
            && is_csta(request)
            && let Ok(decoded) = uacsta_csta::decode(&request.body, Mode::Tolerant)
            && let CstaMessage::RequestSystemStatus(_) = decoded.message
        {
            if let Some(edition) = decoded.edition {
                self.edition = edition;
            }
            let answer = CstaMessage::from(RequestSystemStatusResponse {
                system_status: SystemStatus::Normal,
                ..Default::default()
            });
            set_csta_body(&mut ok.headers, &mut ok.body, &answer, self.edition);
        }
        self.timer.answer(&mut ok, now);
        if request.method == Method::Invite {
            self.retransmit = Some(Retransmit {
                tx,
                seq: request.headers.require::<CSeq>().map_or(0, |c| c.seq),
                sender: SuccessRetransmission::new(ok.clone(), &self.config.timers, now),
            });
        }
        ok
    }

    /// An INFO (or NOTIFY) with CSTA (ECMA TR/87 §7.2).
    fn csta_request(&mut self, tx: TxId, request: &Request) -> Option<Response> {
        let mut ok = Response::to_request(request, StatusCode::OK, None);
        if is_blank(&request.body) {
            return Some(ok);
        }
        if !is_csta(request) {
            let mut r = Response::to_request(request, StatusCode::UNSUPPORTED_MEDIA_TYPE, None);
            r.headers.push(HeaderName::Accept, "application/csta+xml");
            return Some(r);
        }
        let decoded = match uacsta_csta::decode(&request.body, Mode::Tolerant) {
            Ok(d) => d,
            Err(e) => {
                tracing::debug!(error = %e, call_id = self.call_id(), "unreadable CSTA from a TR/87 client");
                let error = CstaMessage::from(CSTAErrorCode::Operation(OperationError::Generic));
                set_csta_body(&mut ok.headers, &mut ok.body, &error, self.edition);
                return Some(ok);
            }
        };
        if let Some(edition) = decoded.edition {
            self.edition = edition;
        }
        let message = decoded.message;
        if message.kind() != MessageKind::Request {
            // Nothing the server asked the client for: acknowledged and dropped.
            return Some(ok);
        }
        let answer = match message {
            CstaMessage::GetCSTAFeatures(_) => (*self.features).clone(),
            CstaMessage::RequestSystemStatus(_) => CstaMessage::from(RequestSystemStatusResponse {
                system_status: SystemStatus::Normal,
                ..Default::default()
            }),
            message => {
                let token = self.next_token;
                self.next_token += 1;
                self.pending.insert(token, (tx, ok));
                self.events.push_back(Tr87Event::Request {
                    token,
                    message: Box::new(message),
                });
                return None;
            }
        };
        set_csta_body(&mut ok.headers, &mut ok.body, &answer, self.edition);
        Some(ok)
    }

    /// The server refreshes (the client does not support session timers, RFC 4028 §9).
    fn send_refresh(&mut self) {
        if self.refreshing {
            return;
        }
        let via = self.via();
        let mut reinvite = self.dialog.create_request(Method::Invite, &via);
        self.timer.add_request_headers(&mut reinvite);
        reinvite.headers.push(HeaderName::Allow, ALLOW);
        self.refreshing = true;
        self.transmits.push_back(Tr87Transmit::Request(reinvite));
    }

    fn refresh_answered(&mut self, response: &Response, seq: u32, now: Instant) {
        self.refreshing = false;
        let code = response.status.code();
        if response.status.is_success() {
            let _ = self.dialog.handle_response(response);
            let _ = self.timer.handle_response(response, now);
            let via = self.via();
            let ack = self.dialog.create_ack(seq, &via);
            self.transmits.push_back(Tr87Transmit::Ack(ack));
        } else if code == 422 {
            if self.timer.handle_422(response).is_ok() {
                self.send_refresh();
            }
        } else if code == 481 || code == 408 {
            self.end(Tr87End::Unreachable(format!(
                "refresh answered {code} {}",
                response.reason
            )));
        }
        // Anything else (491 and the like): the expiry stays armed and ends the session unless a
        // refresh succeeds first.
    }

    fn send_bye(&mut self) {
        let via = self.via();
        let bye = self.dialog.create_request(Method::Bye, &via);
        self.transmits.push_back(Tr87Transmit::Request(bye));
    }

    fn end(&mut self, reason: Tr87End) {
        if self.ended {
            return;
        }
        self.ended = true;
        self.retransmit = None;
        self.dialog.terminate();
        // RFC 3261 §15.1.2: requests still open when the session ends are answered 487.
        let mut open: Vec<(u64, (TxId, Response))> = self.pending.drain().collect();
        open.sort_by_key(|(token, _)| *token);
        for (_, (tx, mut response)) in open {
            response.status = StatusCode::REQUEST_TERMINATED;
            response.reason = StatusCode::REQUEST_TERMINATED.default_reason().to_string();
            self.transmits
                .push_back(Tr87Transmit::Response { tx, response });
        }
        self.events.push_back(Tr87Event::Ended(reason));
    }

    fn via(&mut self) -> Via {
        Via::new(
            &self.config.via_transport,
            self.config.via_host.clone(),
            self.config.via_port,
            &self.ids.branch(),
        )
    }
}

/// Whether a body is empty for CSTA's purposes.
fn is_blank(body: &Bytes) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Whether the body is CSTA: `application/csta+xml` in any case, `application/xml`, or no
/// Content-Type at all (read as CSTA rather than refused).
fn is_csta(request: &Request) -> bool {
    match request.headers.typed::<ContentType>() {
        None => true,
        Some(Ok(t)) => t.is("application", "csta+xml") || t.is("application", "xml"),
        Some(Err(_)) => false,
    }
}

fn required() -> Params {
    let mut params = Params::new();
    params.set("handling", Some("required"));
    params
}

fn set_csta_body(
    headers: &mut uacsta_sip::message::Headers,
    body: &mut Bytes,
    message: &CstaMessage,
    edition: Edition,
) {
    headers.set_typed(&ContentType::new("application", "csta+xml"));
    *body = Bytes::from(uacsta_csta::encode(message, edition));
}

fn bad_request(error: &dyn std::fmt::Display) -> String {
    format!("Bad Request ({error})")
}

/// The text of the first element called `line` in any namespace (Microsoft's
/// `<lcs:line xmlns:lcs="http://schemas.microsoft.com/Lcs/2005/04/RCCExtension">` in the private
/// data of RequestSystemStatus).
fn private_line(extensions: &str) -> Option<String> {
    let mut rest = extensions;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let end = rest.find('>')?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let name = tag.split_whitespace().next().unwrap_or_default();
        let local = name.rsplit(':').next().unwrap_or(name);
        if local == "line" && !tag.ends_with('/') {
            let text = &rest[..rest.find('<')?];
            let text = text
                .trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            return (!text.is_empty()).then_some(text);
        }
    }
    None
}
