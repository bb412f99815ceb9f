//! The CSTA dialog with one phone (ECMA TR/87 §6, estos uaCSTA Server manual §4.1.1), as a sans-IO state
//! machine.
//!
//! After a phone registers, the server opens a SIP INVITE dialog to it with `application/csta+xml`
//! (RequestSystemStatus in the INVITE body where the phone expects it), then registers for configuration
//! changes (SystemRegister, where the phone supports it) and asks for the phone's lines
//! (GetSwitchingFunctionDevices; the lines come back in SwitchingFunctionDevices events). CSTA requests
//! travel in INFO (or NOTIFY with `Event: uaCSTA` for phones that want that); the response comes in the
//! body of the 2xx or, for some phones, in a separate request, and is matched to the oldest outstanding
//! request it answers. The dialog is kept alive by a CSTA keep-alive (RequestSystemStatus) at the
//! configured interval and refreshed by re-INVITE (RFC 4028); when either fails, or the phone ends the
//! dialog, the session reports it down.
//!
//! The session builds requests and digests what comes back; the caller runs the SIP transactions. Each
//! request it wants sent carries an [`OutgoingId`] that the caller hands back with the final response or
//! the failure of its transaction.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;
use thiserror::Error;
use uacsta_csta::messages::capability::GetSwitchingFunctionDevices;
use uacsta_csta::messages::system::{
    RequestSystemStatus, RequestSystemStatusResponse, SystemRegister,
};
use uacsta_csta::{CstaMessage, Edition, MessageKind, Mode};
use uacsta_sip::dialog::{Dialog, DialogId};
use uacsta_sip::header::{
    CSeq, CallId, Contact, ContentDisposition, ContentType, From, NameAddr, To, Via,
};
use uacsta_sip::ids::IdGenerator;
use uacsta_sip::session_timer::{SessionTimer, SessionTimerConfig, SessionTimerEvent};
use uacsta_sip::uri::Params;
use uacsta_sip::{HeaderName, Host, Method, Request, Response, StatusCode, Uri};

/// How CSTA travels inside the dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CstaCarrier {
    /// INFO requests (ECMA TR/87, estos, snom, Yealink).
    Info,
    /// NOTIFY with `Event: uaCSTA` (some phones and servers).
    Notify,
}

/// Settings of a phone's CSTA dialog.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Interval of the CSTA keep-alive (estos "Keep Connection Alive Time").
    pub keepalive: Duration,
    /// RFC 4028 session interval requested on the INVITE.
    pub session_timer: SessionTimerConfig,
    /// How long a CSTA request waits for its response.
    pub request_timeout: Duration,
    /// The edition requests are written in until the phone shows its own.
    pub edition: Edition,
    pub carrier: CstaCarrier,
    /// Put RequestSystemStatus in the INVITE body.
    pub system_status_in_invite: bool,
    /// Send SystemRegister after the dialog is up.
    pub system_register: bool,
    /// Our identity in the dialog (From) and where the phone reaches us (Contact).
    pub local_uri: Uri,
    pub contact: Uri,
    /// Via of our requests: transport token, host and port (the branch is drawn per request).
    pub via_transport: String,
    pub via_host: Host,
    pub via_port: Option<u16>,
}

/// Identifies a request the session asked the caller to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutgoingId(pub u64);

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// INVITE sent, no final answer yet.
    Inviting,
    /// Dialog up, start-up requests (SystemRegister, GetSwitchingFunctionDevices) outstanding.
    Starting,
    /// Ready for CSTA requests.
    Ready,
    Down,
}

/// Why the CSTA dialog ended or never came up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownReason {
    /// The phone refused the CSTA INVITE (a phone without uaCSTA answers 488 or 5xx).
    Refused(u16),
    /// A request of the dialog got no answer (SIP timeout or transport failure).
    NoAnswer(String),
    /// The phone ended the dialog (BYE) or no longer knows it (481).
    EndedByPhone,
    /// The session timer ran out without a successful refresh.
    SessionExpired,
    /// Closed by the server.
    Closed,
}

/// Why a CSTA request did not get a CSTA response.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionError {
    #[error("the CSTA dialog is not ready")]
    NotReady,
    #[error("the phone did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the phone refused the request with SIP {0}")]
    SipStatus(u16),
    #[error("the phone's answer is not CSTA: {0}")]
    BadResponse(String),
    #[error("the CSTA dialog went down")]
    Down,
}

/// What the session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEvent {
    /// Start-up finished: the phone can be monitored and controlled.
    Up,
    /// The phone's lines (from SwitchingFunctionDevices).
    Devices(Vec<String>),
    /// The answer to the request the caller tagged `token`: a positive response or a CSTAErrorCode
    /// (both are CSTA messages), or why there was none.
    Response {
        token: u64,
        result: Result<CstaMessage, SessionError>,
    },
    /// A CSTA event from the phone.
    Event(CstaMessage),
    Down(DownReason),
}

/// A request for the caller to send in a new client transaction.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: OutgoingId,
    pub request: Request,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Invite,
    Refresh,
    KeepAlive,
    Startup,
    Client(u64),
    Bye,
}

#[derive(Debug)]
struct Pending {
    id: OutgoingId,
    purpose: Purpose,
    /// The CSTA request's element name, to match a response that arrives in a separate request.
    request_name: &'static str,
    deadline: Instant,
    /// 2xx without body received: the CSTA response will come in a separate request.
    awaiting_separate: bool,
}

/// One phone's CSTA dialog.
pub struct PhoneSession {
    config: SessionConfig,
    ids: IdGenerator,
    state: SessionState,
    target: Uri,
    aor: Uri,
    invite: Option<Request>,
    dialog: Option<Dialog>,
    timer: SessionTimer,
    next_id: u64,
    pending: Vec<Pending>,
    /// Start-up requests still to send, one at a time: some phones refuse a second INFO while one is
    /// outstanding in the dialog.
    startup: VecDeque<CstaMessage>,
    next_keepalive: Option<Instant>,
    /// The edition the phone answers in, once seen.
    phone_edition: Option<Edition>,
    out: VecDeque<Outgoing>,
    acks: VecDeque<Request>,
    events: VecDeque<SessionEvent>,
}

impl PhoneSession {
    /// A session to the phone registered at `target` (its contact) for the address-of-record `aor`.
    /// `seed` feeds the generator of tags, Call-ID and branches.
    pub fn new(config: SessionConfig, target: Uri, aor: Uri, seed: u64) -> PhoneSession {
        PhoneSession {
            timer: SessionTimer::new(config.session_timer),
            config,
            ids: IdGenerator::from_seed(seed),
            state: SessionState::Inviting,
            target,
            aor,
            invite: None,
            dialog: None,
            next_id: 1,
            pending: Vec::new(),
            startup: VecDeque::new(),
            next_keepalive: None,
            phone_edition: None,
            out: VecDeque::new(),
            acks: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn state(&self) -> SessionState {
        self.state
    }

    /// Where the CSTA INVITE goes: the phone's registered contact.
    pub fn target(&self) -> &Uri {
        &self.target
    }

    /// The dialog id once the phone accepted the INVITE.
    pub fn dialog_id(&self) -> Option<&DialogId> {
        self.dialog.as_ref().map(Dialog::id)
    }

    /// The Call-ID of the dialog (known from the INVITE on).
    pub fn call_id(&self) -> Option<String> {
        self.invite
            .as_ref()
            .and_then(|r| r.headers.require::<CallId>().ok())
            .map(|c| c.0)
    }

    /// The edition to speak to this phone.
    pub fn edition(&self) -> Edition {
        self.phone_edition.unwrap_or(self.config.edition)
    }

    /// Sends the CSTA INVITE.
    pub fn open(&mut self, now: Instant) {
        let mut request = Request::new(Method::Invite, self.target.clone());
        request.headers.push_typed(&self.via());
        request.headers.push(HeaderName::MaxForwards, "70");
        let from = NameAddr::new(self.config.local_uri.clone()).with_tag(&self.ids.tag());
        request.headers.push_typed(&From(from));
        request
            .headers
            .push_typed(&To(NameAddr::new(self.aor.clone())));
        let host = match &self.config.via_host {
            Host::Ip(ip) => ip.to_string(),
            Host::Domain(d) => d.clone(),
        };
        request.headers.push_typed(&CallId(self.ids.call_id(&host)));
        request.headers.push_typed(&CSeq {
            seq: 1,
            method: Method::Invite,
        });
        request.headers.push_typed(&Contact::Address(NameAddr::new(
            self.config.contact.clone(),
        )));
        request.headers.push(
            HeaderName::Allow,
            "INVITE, ACK, BYE, CANCEL, INFO, NOTIFY, OPTIONS, UPDATE",
        );
        self.timer.add_request_headers(&mut request);
        let mut request_name = "";
        if self.config.system_status_in_invite {
            let body = CstaMessage::from(RequestSystemStatus::default());
            request_name = body.element_name();
            self.set_csta_body(&mut request, &body);
        }
        self.invite = Some(request.clone());
        self.state = SessionState::Inviting;
        self.send(request, Purpose::Invite, request_name, now);
    }

    /// Sends a CSTA request for a client; the answer comes as [`SessionEvent::Response`] with `token`.
    pub fn request(
        &mut self,
        message: &CstaMessage,
        token: u64,
        now: Instant,
    ) -> Result<(), SessionError> {
        if self.state != SessionState::Ready {
            return Err(SessionError::NotReady);
        }
        self.send_csta(message, Purpose::Client(token), now);
        Ok(())
    }

    /// Ends the dialog with BYE.
    pub fn close(&mut self, now: Instant) {
        if self.dialog.is_some() {
            let via = self.via();
            if let Some(dialog) = self.dialog.as_mut() {
                let bye = dialog.create_request(Method::Bye, &via);
                self.send(bye, Purpose::Bye, "", now);
            }
        }
        self.go_down(DownReason::Closed);
    }

    /// The next request to send in a new client transaction.
    pub fn poll_outgoing(&mut self) -> Option<Outgoing> {
        self.out.pop_front()
    }

    /// The next ACK for a 2xx to send outside any transaction (RFC 3261 §13.2.2.4).
    pub fn poll_ack(&mut self) -> Option<Request> {
        self.acks.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<SessionEvent> {
        self.events.pop_front()
    }

    /// The next deadline: a request timeout, the keep-alive or the session timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let pending = self.pending.iter().map(|p| p.deadline).min();
        [pending, self.next_keepalive, self.timer.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state == SessionState::Down {
            return;
        }
        let timeout = self.config.request_timeout;
        let expired: Vec<Pending> = {
            let (gone, keep): (Vec<_>, Vec<_>) =
                self.pending.drain(..).partition(|p| p.deadline <= now);
            self.pending = keep;
            gone
        };
        for p in expired {
            self.fail(p, SessionError::Timeout(timeout), now);
        }
        if self.state == SessionState::Down {
            return;
        }
        if self.next_keepalive.is_some_and(|t| t <= now) {
            self.next_keepalive = Some(now + self.config.keepalive);
            let keepalive = CstaMessage::from(RequestSystemStatus::default());
            self.send_csta(&keepalive, Purpose::KeepAlive, now);
        }
        match self.timer.handle_timeout(now) {
            Some(SessionTimerEvent::Refresh) => self.refresh(now),
            Some(SessionTimerEvent::Expired) => {
                self.close(now);
                self.state = SessionState::Down;
                self.replace_last_down(DownReason::SessionExpired);
            }
            None => {}
        }
    }

    /// The final response to a request this session sent (provisional ones may be passed too and are
    /// ignored).
    pub fn handle_response(&mut self, id: OutgoingId, response: &Response, now: Instant) {
        if response.status.is_provisional() {
            return;
        }
        let Some(index) = self.pending.iter().position(|p| p.id == id) else {
            return;
        };
        let purpose = self.pending[index].purpose;
        if matches!(purpose, Purpose::Invite | Purpose::Refresh) {
            let pending = self.pending.remove(index);
            self.invite_answered(pending, response, now);
            return;
        }
        if !response.status.is_success() {
            let pending = self.pending.remove(index);
            let code = response.status.code();
            if code == 481 || code == 408 {
                self.go_down(if code == 481 {
                    DownReason::EndedByPhone
                } else {
                    DownReason::NoAnswer(format!("{code} {}", response.reason))
                });
                return;
            }
            self.fail(pending, SessionError::SipStatus(code), now);
            return;
        }
        if purpose == Purpose::Bye {
            self.pending.remove(index);
            return;
        }
        if response.body.iter().all(u8::is_ascii_whitespace) {
            // The CSTA response follows in a separate request (e.g. the 3CX/Bekiot flow).
            self.pending[index].awaiting_separate = true;
            return;
        }
        let pending = self.pending.remove(index);
        match self.decode(&response.body) {
            Ok(message) => self.answered(pending, message, now),
            Err(e) => self.fail(pending, SessionError::BadResponse(e), now),
        }
    }

    /// The transaction of a request failed without a response (Timer B/F, transport error).
    pub fn handle_failure(&mut self, id: OutgoingId, reason: &str, now: Instant) {
        let Some(index) = self.pending.iter().position(|p| p.id == id) else {
            return;
        };
        let pending = self.pending.remove(index);
        match pending.purpose {
            Purpose::Client(_) | Purpose::Startup => self.fail(
                pending,
                SessionError::Timeout(self.config.request_timeout),
                now,
            ),
            Purpose::Bye => {}
            _ => self.go_down(DownReason::NoAnswer(reason.to_string())),
        }
    }

    /// A request from the phone inside this dialog (INFO or NOTIFY with CSTA, BYE, re-INVITE, UPDATE).
    /// Returns the response to send. An INFO that arrives before our ACK is accepted like any other.
    pub fn handle_request(&mut self, request: &Request, now: Instant) -> Response {
        let Some(dialog) = self.dialog.as_mut() else {
            return Response::to_request(request, StatusCode::CALL_DOES_NOT_EXIST, None);
        };
        if let Err(e) = dialog.handle_request(request) {
            return Response::to_request(request, e.status(), None);
        }
        match request.method {
            Method::Bye => {
                self.go_down(DownReason::EndedByPhone);
                Response::to_request(request, StatusCode::OK, None)
            }
            Method::Invite | Method::Update => {
                let mut ok = Response::to_request(request, StatusCode::OK, None);
                ok.headers.push_typed(&Contact::Address(NameAddr::new(
                    self.config.contact.clone(),
                )));
                if self.timer.handle_request(request).is_ok() {
                    self.timer.answer(&mut ok, now);
                }
                ok
            }
            Method::Info | Method::Notify => self.csta_from_phone(request, now),
            Method::Ack => Response::to_request(request, StatusCode::OK, None),
            _ => Response::to_request(request, StatusCode::NOT_IMPLEMENTED, None),
        }
    }

    fn csta_from_phone(&mut self, request: &Request, now: Instant) -> Response {
        if request.body.iter().all(u8::is_ascii_whitespace) {
            return Response::to_request(request, StatusCode::OK, None);
        }
        let message = match self.decode(&request.body) {
            Ok(m) => m,
            Err(e) => {
                let mut r = Response::to_request(request, StatusCode::BAD_REQUEST, None);
                r.reason = format!("Bad Request (CSTA body: {e})");
                return r;
            }
        };
        let mut ok = Response::to_request(request, StatusCode::OK, None);
        match message.kind() {
            MessageKind::Event => {
                if let devices @ [_, ..] = device_list(&message).as_slice() {
                    self.events
                        .push_back(SessionEvent::Devices(devices.to_vec()));
                }
                self.events.push_back(SessionEvent::Event(message));
            }
            MessageKind::Response => {
                let name = message.element_name();
                let matched = self.pending.iter().position(|p| {
                    p.awaiting_separate
                        && (name == "CSTAErrorCode" || response_name(p.request_name) == name)
                });
                // Not yet answered at SIP level but already answered in CSTA: take the oldest match.
                let matched = matched.or_else(|| {
                    self.pending.iter().position(|p| {
                        !matches!(p.purpose, Purpose::Invite | Purpose::Refresh | Purpose::Bye)
                            && (name == "CSTAErrorCode" || response_name(p.request_name) == name)
                    })
                });
                if let Some(index) = matched {
                    let pending = self.pending.remove(index);
                    self.answered(pending, message, now);
                }
            }
            MessageKind::Request => {
                // A phone asking for our status (some use it as their keep-alive): we are normal.
                if message.element_name() == "RequestSystemStatus" {
                    let answer = CstaMessage::from(RequestSystemStatusResponse::default());
                    self.set_csta_response_body(&mut ok, &answer);
                }
            }
        }
        ok
    }

    fn invite_answered(&mut self, pending: Pending, response: &Response, now: Instant) {
        let refresh = pending.purpose == Purpose::Refresh;
        if !response.status.is_success() {
            let code = response.status.code();
            if refresh && code == 491 {
                // Glare: try again at the next timer tick.
                return;
            }
            self.go_down(if refresh && code != 481 {
                DownReason::NoAnswer(format!("refresh answered {code}"))
            } else if refresh {
                DownReason::EndedByPhone
            } else {
                DownReason::Refused(code)
            });
            return;
        }
        let Some(invite) = self.invite.clone() else {
            return;
        };
        if self.dialog.is_none() {
            match Dialog::uac(&invite, response) {
                Ok(d) => self.dialog = Some(d),
                Err(e) => {
                    self.go_down(DownReason::NoAnswer(format!(
                        "2xx without a usable dialog: {e}"
                    )));
                    return;
                }
            }
        }
        let seq = response
            .headers
            .require::<CSeq>()
            .map(|c| c.seq)
            .unwrap_or(1);
        let via = self.via();
        if let Some(dialog) = self.dialog.as_mut() {
            let _ = dialog.handle_response(response);
            self.acks.push_back(dialog.create_ack(seq, &via));
        }
        let _ = self.timer.handle_response(response, now);
        if refresh {
            return;
        }
        if !response.body.iter().all(u8::is_ascii_whitespace) {
            // RequestSystemStatusResponse in the 2xx: note the phone's edition.
            let _ = self.decode(&response.body);
        }
        self.next_keepalive = Some(now + self.config.keepalive);
        self.state = SessionState::Starting;
        if self.config.system_register {
            self.startup
                .push_back(CstaMessage::from(SystemRegister::default()));
        }
        self.startup
            .push_back(CstaMessage::from(GetSwitchingFunctionDevices::default()));
        self.startup_done(now);
    }

    fn answered(&mut self, pending: Pending, message: CstaMessage, now: Instant) {
        match pending.purpose {
            Purpose::Client(token) => self.events.push_back(SessionEvent::Response {
                token,
                result: Ok(message),
            }),
            Purpose::Startup => self.startup_done(now),
            _ => {}
        }
    }

    fn fail(&mut self, pending: Pending, error: SessionError, now: Instant) {
        match pending.purpose {
            Purpose::Client(token) => self.events.push_back(SessionEvent::Response {
                token,
                result: Err(error),
            }),
            // A phone that refuses SystemRegister (Mitel, Yealink) still works.
            Purpose::Startup => self.startup_done(now),
            Purpose::KeepAlive => {
                if matches!(error, SessionError::Timeout(_)) {
                    self.go_down(DownReason::NoAnswer("keep-alive unanswered".into()));
                }
            }
            Purpose::Invite | Purpose::Refresh => {
                self.go_down(DownReason::NoAnswer(error.to_string()))
            }
            Purpose::Bye => {}
        }
    }

    /// Sends the next start-up request, or reports the session up when none is left.
    fn startup_done(&mut self, now: Instant) {
        if self.state != SessionState::Starting {
            return;
        }
        match self.startup.pop_front() {
            Some(next) => self.send_csta(&next, Purpose::Startup, now),
            None => {
                self.state = SessionState::Ready;
                self.events.push_back(SessionEvent::Up);
            }
        }
    }

    fn refresh(&mut self, now: Instant) {
        let via = self.via();
        let Some(dialog) = self.dialog.as_mut() else {
            return;
        };
        let mut reinvite = dialog.create_request(Method::Invite, &via);
        self.timer.add_request_headers(&mut reinvite);
        self.invite = Some(reinvite.clone());
        self.send(reinvite, Purpose::Refresh, "", now);
    }

    fn go_down(&mut self, reason: DownReason) {
        if self.state == SessionState::Down {
            return;
        }
        self.state = SessionState::Down;
        self.next_keepalive = None;
        for p in std::mem::take(&mut self.pending) {
            if let Purpose::Client(token) = p.purpose {
                self.events.push_back(SessionEvent::Response {
                    token,
                    result: Err(SessionError::Down),
                });
            }
        }
        self.events.push_back(SessionEvent::Down(reason));
    }

    fn replace_last_down(&mut self, reason: DownReason) {
        if let Some(SessionEvent::Down(r)) = self.events.back_mut() {
            *r = reason;
        }
    }

    fn via(&mut self) -> Via {
        Via::new(
            &self.config.via_transport,
            self.config.via_host.clone(),
            self.config.via_port,
            &self.ids.branch(),
        )
    }

    fn send_csta(&mut self, message: &CstaMessage, purpose: Purpose, now: Instant) {
        let via = self.via();
        let Some(dialog) = self.dialog.as_mut() else {
            return;
        };
        let method = match self.config.carrier {
            CstaCarrier::Info => Method::Info,
            CstaCarrier::Notify => Method::Notify,
        };
        let mut request = dialog.create_request(method, &via);
        if self.config.carrier == CstaCarrier::Notify {
            request.headers.push(HeaderName::Event, "uaCSTA");
            request
                .headers
                .push(HeaderName::SubscriptionState, "active");
        }
        self.set_csta_body(&mut request, message);
        self.send(request, purpose, message.element_name(), now);
    }

    fn set_csta_body(&self, request: &mut Request, message: &CstaMessage) {
        request
            .headers
            .push_typed(&ContentType::new("application", "csta+xml"));
        let mut params = Params::new();
        params.set("handling", Some("required"));
        request.headers.push_typed(&ContentDisposition {
            disposition: "signal".into(),
            params,
        });
        request.body = Bytes::from(uacsta_csta::encode(message, self.edition()));
    }

    fn set_csta_response_body(&self, response: &mut Response, message: &CstaMessage) {
        response
            .headers
            .push_typed(&ContentType::new("application", "csta+xml"));
        response.body = Bytes::from(uacsta_csta::encode(message, self.edition()));
    }

    fn send(
        &mut self,
        request: Request,
        purpose: Purpose,
        request_name: &'static str,
        now: Instant,
    ) {
        let id = OutgoingId(self.next_id);
        self.next_id += 1;
        self.pending.push(Pending {
            id,
            purpose,
            request_name,
            deadline: now + self.config.request_timeout,
            awaiting_separate: false,
        });
        self.out.push_back(Outgoing { id, request });
    }

    fn decode(&mut self, body: &[u8]) -> Result<CstaMessage, String> {
        let decoded = uacsta_csta::decode(body, Mode::Tolerant).map_err(|e| e.to_string())?;
        if let Some(edition) = decoded.edition {
            self.phone_edition = Some(edition);
        }
        Ok(decoded.message)
    }
}

/// `MonitorStart` -> `MonitorStartResponse`.
fn response_name(request: &str) -> String {
    format!("{request}Response")
}

/// The device identifiers a SwitchingFunctionDevices event lists.
fn device_list(message: &CstaMessage) -> Vec<String> {
    match message {
        CstaMessage::SwitchingFunctionDevices(m) => m
            .device_list
            .items
            .iter()
            .map(|item| item.device_id.value.clone())
            .collect(),
        _ => Vec::new(),
    }
}
