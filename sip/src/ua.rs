//! A small SIP user agent over the tokio transports: it answers calls (UAS) and places calls (UAC)
//! through the full stack: parser, transactions (RFC 3261 §17), dialogs (§12), 2xx retransmission
//! (§13.3.1.4) and the ACK for a 2xx (§13.2.2.4). It is what the interoperability tests run against SIPp
//! and what `examples/ua.rs` wraps; it keeps the statistics a load tool reports.
//!
//! Calls are simple: the UAC sends INVITE with an SDP offer, ACKs the 200 and hangs up with BYE after
//! `hold`; the UAS rings (180), answers (200 with SDP) and answers the BYE.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::time::Instant as TokioInstant;

use crate::dialog::{
    Dialog, DialogId, RetransmitAction, SuccessRetransmission, call_does_not_exist,
};
use crate::header::{CSeq, CallId, Contact, ContentType, From, NameAddr, To, Via};
use crate::ids::IdGenerator;
use crate::message::{HeaderName, Method, Request, Response, StatusCode};
use crate::transaction::{TimerConfig, TransactionLayer, TxEvent, TxId};
use crate::transport::{Protocol, Target, Transport, TransportEvent};
use crate::uri::{Host, Uri};

type Instant = std::time::Instant;

/// Settings of a [`UserAgent`].
#[derive(Debug, Clone)]
pub struct UaConfig {
    /// The transport used for calls this agent places.
    pub protocol: Protocol,
    /// The user part of our Contact and From.
    pub user: String,
    /// Seed for branches, tags and Call-IDs; `None` draws from the OS.
    pub seed: Option<u64>,
    pub timers: TimerConfig,
    /// How long a placed call stays up before the BYE.
    pub hold: Duration,
}

impl Default for UaConfig {
    fn default() -> UaConfig {
        UaConfig {
            protocol: Protocol::Udp,
            user: "uacsta".to_string(),
            seed: None,
            timers: TimerConfig::default(),
            hold: Duration::ZERO,
        }
    }
}

/// What happened to the calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallStats {
    /// INVITEs sent (UAC) or received (UAS).
    pub started: u64,
    /// 2xx received (UAC) or ACKed (UAS).
    pub answered: u64,
    /// Calls ended by a BYE that got (UAC) or was given (UAS) a 200.
    pub completed: u64,
    pub failed: u64,
    /// Messages that did not parse (answered with 400 where possible).
    pub malformed: u64,
    /// The first failure reasons, for diagnosis.
    pub failures: Vec<String>,
}

impl CallStats {
    fn fail(&mut self, reason: String) {
        self.failed += 1;
        if self.failures.len() < 10 {
            self.failures.push(reason);
        }
    }
}

/// Placing calls: how many, how fast, how many at once.
#[derive(Debug, Clone)]
pub struct CallPlan {
    pub target: Target,
    pub request_uri: Uri,
    pub calls: u64,
    /// Calls started per second.
    pub rate: f64,
    pub max_concurrent: usize,
}

enum Pending {
    Invite {
        request: Box<Request>,
        target: Target,
    },
    Bye {
        dialog: DialogId,
    },
}

struct Call {
    dialog: Dialog,
    target: Target,
    /// UAS: the 2xx being retransmitted until the ACK.
    retransmit: Option<SuccessRetransmission>,
    /// UAC: the ACK sent for the 2xx, resent when the 2xx is retransmitted.
    ack: Option<Request>,
    /// UAC: when to send the BYE.
    bye_at: Option<Instant>,
}

/// A user agent on one [`Transport`].
pub struct UserAgent {
    transport: Transport,
    events: mpsc::Receiver<TransportEvent>,
    config: UaConfig,
    layer: TransactionLayer<Target>,
    ids: IdGenerator,
    calls: HashMap<DialogId, Call>,
    pending: HashMap<TxId, Pending>,
    stats: CallStats,
}

impl UserAgent {
    pub fn new(
        transport: Transport,
        events: mpsc::Receiver<TransportEvent>,
        config: UaConfig,
    ) -> UserAgent {
        let ids = match config.seed {
            Some(seed) => IdGenerator::from_seed(seed),
            None => IdGenerator::from_entropy(),
        };
        UserAgent {
            layer: TransactionLayer::new(config.timers),
            transport,
            events,
            config,
            ids,
            calls: HashMap::new(),
            pending: HashMap::new(),
            stats: CallStats::default(),
        }
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    pub fn stats(&self) -> &CallStats {
        &self.stats
    }

    /// Answers calls until `completed` calls have ended (forever with `None`) or the transport closes.
    pub async fn serve(&mut self, completed: Option<u64>) -> CallStats {
        loop {
            if completed.is_some_and(|n| self.stats.completed + self.stats.failed >= n) {
                return self.stats.clone();
            }
            if !self.step(None).await {
                return self.stats.clone();
            }
        }
    }

    /// Places the calls of `plan` and returns when every one has ended.
    pub async fn place_calls(&mut self, plan: &CallPlan) -> CallStats {
        let interval = Duration::from_secs_f64(1.0 / plan.rate.max(0.001));
        let mut next_call = now();
        let mut placed = 0u64;
        loop {
            let now = now();
            while placed < plan.calls
                && next_call <= now
                && self.in_progress() < plan.max_concurrent
            {
                self.start_call(plan, now).await;
                placed += 1;
                next_call += interval;
            }
            if placed >= plan.calls && self.pending.is_empty() && self.calls.is_empty() {
                return self.stats.clone();
            }
            let wake = (placed < plan.calls && self.in_progress() < plan.max_concurrent)
                .then_some(next_call);
            if !self.step(wake).await {
                return self.stats.clone();
            }
        }
    }

    fn in_progress(&self) -> usize {
        self.pending.len() + self.calls.len()
    }

    /// Waits for one transport event or the next deadline, then runs everything that became due.
    /// Returns false when the transport is gone.
    async fn step(&mut self, extra_wake: Option<Instant>) -> bool {
        let deadline = [self.layer.poll_timeout(), self.call_deadline(), extra_wake]
            .into_iter()
            .flatten()
            .min();
        let sleep_until = deadline
            .map(TokioInstant::from_std)
            .unwrap_or_else(|| TokioInstant::now() + Duration::from_secs(3600));
        tokio::select! {
            event = self.events.recv() => match event {
                Some(event) => self.on_transport_event(event).await,
                None => return false,
            },
            _ = tokio::time::sleep_until(sleep_until) => {}
        }
        let now = now();
        self.layer.handle_timeout(now);
        self.on_call_timers(now);
        self.flush(now).await;
        true
    }

    fn call_deadline(&self) -> Option<Instant> {
        self.calls
            .values()
            .filter_map(|c| {
                let r = c.retransmit.as_ref().and_then(|r| r.poll_timeout());
                [r, c.bye_at].into_iter().flatten().min()
            })
            .min()
    }

    async fn on_transport_event(&mut self, event: TransportEvent) {
        match event {
            TransportEvent::Message(received) => {
                let source = Target {
                    protocol: received.protocol,
                    addr: received.source,
                    connection: received.connection,
                    server_name: None,
                };
                let reliable = received.protocol.is_reliable();
                let now = now();
                match self
                    .layer
                    .handle_incoming(received.message, source, reliable, now)
                {
                    Ok(Some(event)) => self.on_tx_event(event, now),
                    Ok(None) => {}
                    Err(e) => {
                        self.stats.malformed += 1;
                        tracing::debug!(error = %e, "message refused by the transaction layer");
                    }
                }
            }
            TransportEvent::Malformed {
                error,
                source,
                protocol,
                connection,
                ..
            } => {
                self.stats.malformed += 1;
                if let Some(response) = error.response(Some(&self.ids.tag())) {
                    let target = Target {
                        protocol,
                        addr: source,
                        connection,
                        server_name: None,
                    };
                    let _ = self.transport.send(&response.into(), &target).await;
                }
            }
            TransportEvent::Closed { .. } => {}
        }
    }

    fn on_call_timers(&mut self, now: Instant) {
        let mut byes = Vec::new();
        let mut resend = Vec::new();
        for (id, call) in self.calls.iter_mut() {
            if let Some(r) = call.retransmit.as_mut() {
                match r.handle_timeout(now) {
                    Some(RetransmitAction::Resend(response)) => {
                        resend.push((response, call.target.clone()))
                    }
                    Some(RetransmitAction::GiveUp) => {
                        call.retransmit = None;
                        byes.push(id.clone());
                    }
                    None => {}
                }
            }
            if call.bye_at.is_some_and(|t| t <= now) {
                call.bye_at = None;
                byes.push(id.clone());
            }
        }
        for (response, target) in resend {
            let reliable = target.protocol.is_reliable();
            self.layer.send_stateless(response.into(), target, reliable);
        }
        for id in byes {
            self.send_bye(&id, now);
        }
    }

    async fn flush(&mut self, now: Instant) {
        loop {
            let mut progressed = false;
            while let Some(event) = self.layer.poll_event() {
                self.on_tx_event(event, now);
                progressed = true;
            }
            while let Some(transmit) = self.layer.poll_transmit() {
                progressed = true;
                if let Err(e) = self
                    .transport
                    .send(&transmit.message, &transmit.destination)
                    .await
                {
                    self.on_send_error(transmit.tx, e.to_string());
                }
            }
            if !progressed {
                return;
            }
        }
    }

    fn on_send_error(&mut self, tx: Option<TxId>, reason: String) {
        let Some(tx) = tx else { return };
        match self.pending.remove(&tx) {
            Some(Pending::Invite { .. }) => self.stats.fail(format!("INVITE not sent: {reason}")),
            Some(Pending::Bye { dialog }) => {
                self.calls.remove(&dialog);
                self.stats.fail(format!("BYE not sent: {reason}"));
            }
            None => {}
        }
    }

    fn via(&mut self, protocol: Protocol) -> Via {
        let local = self.local_addr(protocol);
        let mut via = Via::new(
            protocol.via_token(),
            Host::Ip(local.ip()),
            Some(local.port()),
            &self.ids.branch(),
        );
        via.params.set("rport", None);
        via
    }

    fn local_addr(&self, protocol: Protocol) -> SocketAddr {
        self.transport
            .local_addr(protocol, None)
            .unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 5060))
    }

    fn contact(&self, protocol: Protocol) -> Contact {
        let local = self.local_addr(protocol);
        let mut uri = Uri::sip(
            Some(&self.config.user),
            Host::Ip(local.ip()),
            Some(local.port()),
        );
        if protocol != Protocol::Udp
            && let Some(sip) = uri.as_sip_mut()
        {
            sip.params.set(
                "transport",
                Some(&protocol.via_token().to_ascii_lowercase()),
            );
        }
        Contact::Address(NameAddr::new(uri))
    }

    async fn start_call(&mut self, plan: &CallPlan, now: Instant) {
        let protocol = plan.target.protocol;
        let local = self.local_addr(protocol);
        let mut request = Request::new(Method::Invite, plan.request_uri.clone());
        let via = self.via(protocol);
        request.headers.push_typed(&via);
        request.headers.push(HeaderName::MaxForwards, "70");
        let from_uri = Uri::sip(
            Some(&self.config.user),
            Host::Ip(local.ip()),
            Some(local.port()),
        );
        request
            .headers
            .push_typed(&From(NameAddr::new(from_uri).with_tag(&self.ids.tag())));
        request
            .headers
            .push_typed(&To(NameAddr::new(plan.request_uri.clone())));
        let call_id = self.ids.call_id(&local.ip().to_string());
        request.headers.push_typed(&CallId(call_id));
        request.headers.push_typed(&CSeq {
            seq: 1,
            method: Method::Invite,
        });
        request.headers.push_typed(&self.contact(protocol));
        request
            .headers
            .push_typed(&ContentType::new("application", "sdp"));
        request.body = sdp(local.ip(), "offer");
        self.stats.started += 1;
        match self.layer.send_request(
            request.clone(),
            plan.target.clone(),
            protocol.is_reliable(),
            now,
        ) {
            Ok(tx) => {
                self.pending.insert(
                    tx,
                    Pending::Invite {
                        request: Box::new(request),
                        target: plan.target.clone(),
                    },
                );
            }
            Err(e) => self.stats.fail(format!("INVITE refused locally: {e}")),
        }
        self.flush(now).await;
    }

    fn on_tx_event(&mut self, event: TxEvent, now: Instant) {
        match event {
            TxEvent::Request { tx, request } => self.on_request(tx, request, now),
            TxEvent::Cancel {
                tx,
                request,
                invite,
            } => {
                let status = if invite.is_some() {
                    StatusCode::OK
                } else {
                    StatusCode::CALL_DOES_NOT_EXIST
                };
                let tag = self.ids.tag();
                let _ = self.layer.send_response(
                    tx,
                    Response::to_request(&request, status, Some(&tag)),
                    now,
                );
                if let Some(invite) = invite
                    && let Some(original) = self.layer.request(invite).cloned()
                {
                    let terminated =
                        Response::to_request(&original, StatusCode::REQUEST_TERMINATED, Some(&tag));
                    let _ = self.layer.send_response(invite, terminated, now);
                }
            }
            TxEvent::Ack { request, .. } => {
                if let Ok(Some(id)) = DialogId::for_incoming_request(&request)
                    && let Some(call) = self.calls.get_mut(&id)
                    && let Some(r) = call.retransmit.as_mut()
                {
                    r.ack_received();
                    call.retransmit = None;
                    self.stats.answered += 1;
                }
            }
            TxEvent::Response { tx, response } => self.on_response(tx, response, now),
            TxEvent::StrayResponse { response } => self.resend_ack(&response),
            TxEvent::Timeout { tx, timer } => match self.pending.remove(&tx) {
                Some(Pending::Invite { .. }) => self
                    .stats
                    .fail(format!("INVITE timed out (timer {timer:?})")),
                Some(Pending::Bye { dialog }) => {
                    self.calls.remove(&dialog);
                    self.stats.fail(format!("BYE timed out (timer {timer:?})"));
                }
                None => {}
            },
        }
    }

    fn on_request(&mut self, tx: TxId, request: Request, now: Instant) {
        let id = DialogId::for_incoming_request(&request).ok().flatten();
        let source = self.layer.destination(tx).cloned();
        if let Some(id) = id.clone().filter(|id| self.calls.contains_key(id)) {
            let result = self
                .calls
                .get_mut(&id)
                .map(|c| c.dialog.handle_request(&request));
            let mut response = match result {
                Some(Err(e)) => Response::to_request(&request, e.status(), None),
                _ => Response::to_request(&request, StatusCode::OK, None),
            };
            if response.status.is_success() {
                match request.method {
                    Method::Bye => {
                        self.calls.remove(&id);
                        self.stats.completed += 1;
                    }
                    Method::Invite => {
                        let protocol = source.as_ref().map_or(self.config.protocol, |s| s.protocol);
                        response.headers.push_typed(&self.contact(protocol));
                        response
                            .headers
                            .push_typed(&ContentType::new("application", "sdp"));
                        response.body = sdp(self.local_addr(protocol).ip(), "answer");
                    }
                    _ => {}
                }
            }
            let _ = self.layer.send_response(tx, response, now);
            return;
        }
        let response = match request.method {
            Method::Invite if id.is_none() => {
                self.answer_invite(tx, &request, source, now);
                None
            }
            _ if id.is_some() => call_does_not_exist(&request),
            Method::Options => {
                let tag = self.ids.tag();
                let mut r = Response::to_request(&request, StatusCode::OK, Some(&tag));
                r.headers.push(HeaderName::Allow, ALLOW);
                Some(r)
            }
            _ => {
                let tag = self.ids.tag();
                let mut r =
                    Response::to_request(&request, StatusCode::METHOD_NOT_ALLOWED, Some(&tag));
                r.headers.push(HeaderName::Allow, ALLOW);
                Some(r)
            }
        };
        if let Some(response) = response {
            let _ = self.layer.send_response(tx, response, now);
        }
    }

    fn answer_invite(&mut self, tx: TxId, request: &Request, source: Option<Target>, now: Instant) {
        self.stats.started += 1;
        let tag = self.ids.tag();
        let protocol = source.as_ref().map_or(self.config.protocol, |s| s.protocol);
        let mut ringing = Response::to_request(request, StatusCode::RINGING, Some(&tag));
        ringing.headers.push_typed(&self.contact(protocol));
        let _ = self.layer.send_response(tx, ringing, now);
        let mut ok = Response::to_request(request, StatusCode::OK, Some(&tag));
        for rr in request.headers.get_all(&HeaderName::RecordRoute) {
            ok.headers.push(HeaderName::RecordRoute, rr);
        }
        ok.headers.push_typed(&self.contact(protocol));
        ok.headers
            .push_typed(&ContentType::new("application", "sdp"));
        ok.body = sdp(self.local_addr(protocol).ip(), "answer");
        let dialog = match Dialog::uas(request, &ok) {
            Ok(d) => d,
            Err(e) => {
                let bad = Response::to_request(request, e.status(), Some(&tag));
                let _ = self.layer.send_response(tx, bad, now);
                self.stats.fail(format!("INVITE refused: {e}"));
                return;
            }
        };
        let target = self.target_for(&dialog, source.as_ref());
        let retransmit = (!target.protocol.is_reliable())
            .then(|| SuccessRetransmission::new(ok.clone(), self.layer.config(), now));
        let reliable = target.protocol.is_reliable();
        if self.layer.send_response(tx, ok, now).is_ok() {
            if reliable {
                // No 2xx retransmission on reliable transports: the ACK only confirms.
                self.stats.answered += 1;
            }
            self.calls.insert(
                dialog.id().clone(),
                Call {
                    dialog,
                    target,
                    retransmit,
                    ack: None,
                    bye_at: None,
                },
            );
        }
    }

    fn on_response(&mut self, tx: TxId, response: Response, now: Instant) {
        let Some(pending) = self.pending.get(&tx) else {
            self.resend_ack(&response);
            return;
        };
        match pending {
            Pending::Invite { request, target } => {
                if response.status.is_provisional() {
                    return;
                }
                let (request, target) = ((**request).clone(), target.clone());
                self.pending.remove(&tx);
                if !response.status.is_success() {
                    self.stats.fail(format!(
                        "INVITE answered {} {}",
                        response.status, response.reason
                    ));
                    return;
                }
                let mut dialog = match Dialog::uac(&request, &response) {
                    Ok(d) => d,
                    Err(e) => {
                        self.stats.fail(format!("2xx without a usable dialog: {e}"));
                        return;
                    }
                };
                let _ = dialog.handle_response(&response);
                self.stats.answered += 1;
                let via = self.via(target.protocol);
                let ack = dialog.create_ack(1, &via);
                let target = self.target_for(&dialog, Some(&target));
                self.layer.send_stateless(
                    ack.clone().into(),
                    target.clone(),
                    target.protocol.is_reliable(),
                );
                self.calls.insert(
                    dialog.id().clone(),
                    Call {
                        dialog,
                        target,
                        retransmit: None,
                        ack: Some(ack),
                        bye_at: Some(now + self.config.hold),
                    },
                );
            }
            Pending::Bye { dialog } => {
                if response.status.is_provisional() {
                    return;
                }
                let dialog = dialog.clone();
                self.pending.remove(&tx);
                self.calls.remove(&dialog);
                if response.status.is_success() {
                    self.stats.completed += 1;
                } else {
                    self.stats.fail(format!(
                        "BYE answered {} {}",
                        response.status, response.reason
                    ));
                }
            }
        }
    }

    /// A 2xx retransmitted by the peer: our ACK was lost (§13.2.2.4), send it again.
    fn resend_ack(&mut self, response: &Response) {
        let is_invite = response
            .headers
            .typed::<CSeq>()
            .and_then(Result::ok)
            .is_some_and(|c| c.method == Method::Invite);
        if !response.status.is_success() || !is_invite {
            return;
        }
        if let Ok(Some(id)) = DialogId::for_response(response)
            && let Some(call) = self.calls.get(&id)
            && let Some(ack) = &call.ack
        {
            let target = call.target.clone();
            self.layer.send_stateless(
                ack.clone().into(),
                target.clone(),
                target.protocol.is_reliable(),
            );
        }
    }

    fn send_bye(&mut self, id: &DialogId, now: Instant) {
        let protocol = match self.calls.get(id) {
            Some(c) => c.target.protocol,
            None => return,
        };
        let via = self.via(protocol);
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let bye = call.dialog.create_request(Method::Bye, &via);
        let target = call.target.clone();
        match self
            .layer
            .send_request(bye, target.clone(), target.protocol.is_reliable(), now)
        {
            Ok(tx) => {
                self.pending.insert(tx, Pending::Bye { dialog: id.clone() });
            }
            Err(e) => {
                self.calls.remove(id);
                self.stats.fail(format!("BYE refused locally: {e}"));
            }
        }
    }

    /// Where in-dialog requests go: the remote target when it names an address, on the transport it
    /// asks for; otherwise where the dialog's first message came from.
    fn target_for(&self, dialog: &Dialog, fallback: Option<&Target>) -> Target {
        let uri = dialog
            .route_set()
            .first()
            .map(|r| &r.uri)
            .unwrap_or(dialog.remote_target());
        let protocol = uri
            .as_sip()
            .and_then(|s| s.params.value("transport"))
            .and_then(|t| Protocol::from_token(&t))
            .or(fallback.map(|f| f.protocol))
            .unwrap_or(self.config.protocol);
        let addr = uri.as_sip().and_then(|s| match &s.host {
            Host::Ip(ip) => Some(SocketAddr::new(
                *ip,
                s.port.unwrap_or(if protocol == Protocol::Tls {
                    5061
                } else {
                    5060
                }),
            )),
            Host::Domain(_) => None,
        });
        match (addr, fallback) {
            (Some(addr), Some(f)) if f.addr == addr => f.clone(),
            (Some(addr), _) => Target::new(protocol, addr),
            (None, Some(f)) => f.clone(),
            (None, None) => Target::new(protocol, self.local_addr(protocol)),
        }
    }
}

/// The methods this agent answers.
const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE";

fn now() -> Instant {
    TokioInstant::now().into_std()
}

/// A minimal RFC 4566 body: PCMU and telephone-event (RFC 4733).
fn sdp(ip: IpAddr, session: &str) -> Bytes {
    let family = if ip.is_ipv4() { "IP4" } else { "IP6" };
    Bytes::from(format!(
        "v=0\r\no=uacsta 1 1 IN {family} {ip}\r\ns={session}\r\nc=IN {family} {ip}\r\nt=0 0\r\n\
         m=audio 6000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-15\r\na=sendrecv\r\n"
    ))
}
