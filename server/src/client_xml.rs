//! One CTI client connected over CSTA XML on TCP or TLS (ECMA-323 Annex J.2 framing), with ECMA-354
//! application sessions (MX-ONE style, Mitel MX-ONE CSTA server description §1-§5), as a sans-IO state
//! machine.
//!
//! The client starts an application session (StartApplicationSession with its application id, the
//! protocol versions it speaks and, where the server asks for it, a user id and password), keeps it alive
//! with ResetApplicationSessionTimer and ends it with StopApplicationSession; a session whose timer runs
//! out ends too. Ending the session ends the client: its monitors are released by the caller. CSTA
//! requests are handed to the caller with their invoke id as token; responses go back with that invoke
//! id and events with `9999`, in the edition the session agreed.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use uacsta_csta::error_code::{OperationError, SecurityError};
use uacsta_csta::framing::{FrameDecoder, InvokeIdField, LengthRule, encode_frame_with_rule};
use uacsta_csta::messages::session::{
    DefinedSessionError, ResetApplicationSessionTimerNegResponse,
    ResetApplicationSessionTimerPosResponse, SessionErrorCode, StartApplicationSessionNegResponse,
    StartApplicationSessionPosResponse, StopApplicationSessionNegResponse,
    StopApplicationSessionPosResponse,
};
use uacsta_csta::{CSTAErrorCode, CstaMessage, Edition, MessageKind, Mode};

/// Settings of the CSTA XML client interface.
#[derive(Debug, Clone)]
pub struct XmlClientConfig {
    /// Accepted user ids and passwords; empty means no authentication (ECMA-354 is still accepted).
    pub users: HashMap<String, String>,
    /// Whether CSTA requests need an application session first (always true when users are set).
    pub require_session: bool,
    /// The longest session duration granted, and the one given when none is asked for.
    pub max_session_duration: u32,
    pub length_rule: LengthRule,
    /// The edition spoken before a session agrees one (or without sessions, until the client shows its
    /// own).
    pub edition: Edition,
}

impl Default for XmlClientConfig {
    fn default() -> XmlClientConfig {
        XmlClientConfig {
            users: HashMap::new(),
            require_session: false,
            max_session_duration: 600,
            length_rule: LengthRule::default(),
            edition: Edition::Ed5,
        }
    }
}

/// Why a client ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEnd {
    /// StopApplicationSession.
    Stopped,
    /// The session timer ran out.
    SessionTimeout,
    /// The byte stream broke its framing.
    Framing(String),
}

/// What the client session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum XmlClientEvent {
    /// A CSTA request; answer with [`XmlClientSession::respond`] and the same token.
    Request {
        token: u16,
        message: Box<CstaMessage>,
    },
    /// An application session started (user id when one was given).
    SessionStarted {
        session_id: String,
        user: Option<String>,
    },
    /// The client is done: release what it holds, then close the connection after sending what is queued.
    Ended(ClientEnd),
}

/// One CSTA XML client.
pub struct XmlClientSession {
    config: XmlClientConfig,
    decoder: FrameDecoder,
    session: Option<(String, Instant)>,
    session_duration: u32,
    session_serial: u64,
    edition: Edition,
    out: VecDeque<Vec<u8>>,
    events: VecDeque<XmlClientEvent>,
    ended: bool,
}

impl XmlClientSession {
    /// `serial` makes session ids unique across clients.
    pub fn new(config: XmlClientConfig, serial: u64) -> XmlClientSession {
        XmlClientSession {
            decoder: FrameDecoder::new(config.length_rule),
            edition: config.edition,
            session_duration: config.max_session_duration,
            config,
            session: None,
            session_serial: serial,
            out: VecDeque::new(),
            events: VecDeque::new(),
            ended: false,
        }
    }

    /// The edition responses and events are written in.
    pub fn edition(&self) -> Edition {
        self.edition
    }

    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Bytes from the connection.
    pub fn receive(&mut self, bytes: &[u8], now: Instant) {
        if self.ended {
            return;
        }
        self.decoder.feed(bytes);
        loop {
            match self.decoder.next_frame() {
                Ok(Some(frame)) => self.frame(frame.invoke_id, &frame.xml, now),
                Ok(None) => return,
                Err(e) => {
                    self.end(ClientEnd::Framing(e.to_string()));
                    return;
                }
            }
        }
    }

    /// The answer (positive response or CSTAErrorCode) to the request with invoke id `token`.
    pub fn respond(&mut self, token: u16, message: &CstaMessage) {
        self.write(token, message);
    }

    /// An event for this client.
    pub fn event(&mut self, message: &CstaMessage) {
        self.write(InvokeIdField::EVENT.value(), message);
    }

    /// Bytes to write to the connection.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<XmlClientEvent> {
        self.events.pop_front()
    }

    /// When the application session runs out.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.session.as_ref().map(|(_, deadline)| *deadline)
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if self.session.as_ref().is_some_and(|(_, d)| *d <= now) {
            self.session = None;
            self.end(ClientEnd::SessionTimeout);
        }
    }

    fn frame(&mut self, invoke_id: InvokeIdField, xml: &[u8], now: Instant) {
        let token = invoke_id.value();
        let decoded = match uacsta_csta::decode(xml, Mode::Tolerant) {
            Ok(d) => d,
            Err(_) => {
                // Malformed or unknown CSTA: a CSTA error response, the connection stays.
                self.write(
                    token,
                    &CstaMessage::from(CSTAErrorCode::Operation(OperationError::Generic)),
                );
                return;
            }
        };
        if let Some(edition) = decoded.edition
            && self.session.is_none()
        {
            self.edition = edition;
        }
        let message = decoded.message;
        match message.element_name() {
            "StartApplicationSession" => self.start_session(token, &message, now),
            "ResetApplicationSessionTimer" => self.reset_timer(token, &message, now),
            "StopApplicationSession" => self.stop_session(token, &message),
            _ if message.kind() != MessageKind::Request => {
                self.write(
                    token,
                    &CstaMessage::from(CSTAErrorCode::Operation(OperationError::Generic)),
                );
            }
            _ if self.session.is_none() && self.needs_session() => {
                // No session yet: refused as a security matter (ECMA-354 §6).
                self.write(
                    token,
                    &CstaMessage::from(CSTAErrorCode::Security(
                        SecurityError::SecurityInfoViolated,
                    )),
                );
            }
            _ => self.events.push_back(XmlClientEvent::Request {
                token,
                message: Box::new(message),
            }),
        }
    }

    fn needs_session(&self) -> bool {
        self.config.require_session || !self.config.users.is_empty()
    }

    fn start_session(&mut self, token: u16, message: &CstaMessage, now: Instant) {
        let CstaMessage::StartApplicationSession(start) = message else {
            return;
        };
        let refuse = |error: DefinedSessionError| {
            CstaMessage::from(StartApplicationSessionNegResponse {
                error_code: SessionErrorCode::DefinedError(error),
                ..Default::default()
            })
        };
        if self.session.is_some() {
            let answer = refuse(DefinedSessionError::SessionLimitExceeded);
            self.write(token, &answer);
            return;
        }
        let info = start.application_info.application_specific_info.as_ref();
        let user = info.and_then(|i| i.user_id.clone());
        if !self.config.users.is_empty() {
            let password = info.and_then(|i| i.password.as_deref());
            let ok = user
                .as_ref()
                .and_then(|u| self.config.users.get(u))
                .is_some_and(|p| Some(p.as_str()) == password);
            if !ok {
                let answer = refuse(DefinedSessionError::InvalidApplicationInfo);
                self.write(token, &answer);
                return;
            }
        }
        // The newest ECMA-323 edition both sides speak.
        let chosen = start
            .requested_protocol_versions
            .versions
            .iter()
            .filter_map(|v| {
                Edition::ALL
                    .iter()
                    .find(|e| e.namespace() == v.trim())
                    .copied()
            })
            .max_by_key(|e| *e as u8);
        let Some(edition) = chosen else {
            let answer = refuse(DefinedSessionError::NonSupportedProtocolVersion);
            self.write(token, &answer);
            return;
        };
        let duration = match start.requested_session_duration {
            Some(0) | None => self.config.max_session_duration,
            Some(d) => d.min(self.config.max_session_duration),
        };
        self.session_serial += 1;
        let session_id = format!("{:06}", self.session_serial);
        self.edition = edition;
        self.session_duration = duration;
        self.session = Some((
            session_id.clone(),
            now + Duration::from_secs(u64::from(duration)),
        ));
        let answer = CstaMessage::from(StartApplicationSessionPosResponse {
            session_id: session_id.clone(),
            actual_protocol_version: edition.namespace().to_string(),
            actual_session_duration: Some(duration),
            ..Default::default()
        });
        self.write(token, &answer);
        self.events
            .push_back(XmlClientEvent::SessionStarted { session_id, user });
    }

    fn reset_timer(&mut self, token: u16, message: &CstaMessage, now: Instant) {
        let CstaMessage::ResetApplicationSessionTimer(reset) = message else {
            return;
        };
        let Some((_, deadline)) = self
            .session
            .as_mut()
            .filter(|(id, _)| *id == reset.session_id)
        else {
            let answer = CstaMessage::from(ResetApplicationSessionTimerNegResponse {
                error_code: SessionErrorCode::DefinedError(DefinedSessionError::InvalidSessionId),
                ..Default::default()
            });
            self.write(token, &answer);
            return;
        };
        let duration = match reset.requested_session_duration {
            Some(0) | None => self.session_duration,
            Some(d) => d.min(self.config.max_session_duration),
        };
        *deadline = now + Duration::from_secs(u64::from(duration));
        self.session_duration = duration;
        let answer = CstaMessage::from(ResetApplicationSessionTimerPosResponse {
            actual_session_duration: Some(duration),
            ..Default::default()
        });
        self.write(token, &answer);
    }

    fn stop_session(&mut self, token: u16, message: &CstaMessage) {
        let CstaMessage::StopApplicationSession(stop) = message else {
            return;
        };
        if self
            .session
            .as_ref()
            .is_none_or(|(id, _)| *id != stop.session_id)
        {
            let answer = CstaMessage::from(StopApplicationSessionNegResponse {
                error_code: SessionErrorCode::DefinedError(DefinedSessionError::InvalidSessionId),
                ..Default::default()
            });
            self.write(token, &answer);
            return;
        }
        self.session = None;
        self.write(
            token,
            &CstaMessage::from(StopApplicationSessionPosResponse::default()),
        );
        self.end(ClientEnd::Stopped);
    }

    fn end(&mut self, reason: ClientEnd) {
        if !self.ended {
            self.ended = true;
            self.events.push_back(XmlClientEvent::Ended(reason));
        }
    }

    fn write(&mut self, token: u16, message: &CstaMessage) {
        let xml = uacsta_csta::encode(message, self.edition);
        let Some(invoke_id) = InvokeIdField::new(token) else {
            return;
        };
        let mut frame = Vec::with_capacity(xml.len() + 8);
        if encode_frame_with_rule(
            self.config.length_rule,
            invoke_id,
            xml.as_bytes(),
            &mut frame,
        )
        .is_ok()
        {
            self.out.push_back(frame);
        }
    }
}
