//! The server's protocol core, sans-IO: SIP messages, client bytes and time in; SIP transmits, client
//! bytes and timers out. It joins the registrar, the phones' CSTA dialogs, the monitor table and the
//! CSTA XML clients (estos uaCSTA Server manual §4.1.1: phones register, the server opens their CSTA
//! dialogs, clients monitor and control them through the server).
//!
//! Services the server answers itself (estos uaCSTA Server manual §4.2.1): RequestSystemStatus,
//! SystemRegister and SystemRegisterCancel (SwFunctionDevicesChanged when phones' lines come and go),
//! GetSwitchingFunctionDevices (with the SwitchingFunctionDevices report), GetLogicalDeviceInformation,
//! GetPhysicalDeviceInformation, MonitorStart and MonitorStop (one monitor point per device in the phone,
//! however many clients). Every other request is forwarded to the phone that owns the
//! device it names, and the phone's answer goes back to the client that asked.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use uacsta_csta::error_code::{OperationError, SystemResourceAvailabilityError};
use uacsta_csta::messages::call_control::{AlternateCallResponse, HoldCall, RetrieveCall};
use uacsta_csta::messages::capability::{
    DeviceList, DeviceListItem, GetLogicalDeviceInformationResponse,
    GetPhysicalDeviceInformationResponse, GetSwitchingFunctionDevicesResponse,
    SwitchingFunctionDevices,
};
use uacsta_csta::messages::monitoring::{
    BackInServiceEvent, MonitorStart, MonitorStartResponse, MonitorStop, MonitorStopResponse,
    OutOfServiceEvent,
};
use uacsta_csta::messages::system::{
    RequestSystemStatusResponse, SwFunctionDevicesChanged, SystemRegisterCancelResponse,
    SystemRegisterResponse,
};
use uacsta_csta::types::{ConnectionID, DeviceCategory, DeviceID};
use uacsta_csta::{CSTAErrorCode, CstaMessage};
use uacsta_sip::ids::IdGenerator;
use uacsta_sip::parse::ParseError;
use uacsta_sip::transaction::{TimerConfig, TransactionLayer, TxEvent, TxId};
use uacsta_sip::transport::{Protocol, Target};
use uacsta_sip::{Host, Message, Method, Request, Response, StatusCode, TypedHeader, Uri};

use crate::client_tr87::{
    InviteOutcome, Tr87Client, Tr87Config, Tr87Event, Tr87Listener, Tr87Transmit,
};
use crate::client_xml::{XmlClientConfig, XmlClientEvent, XmlClientSession};
use crate::mac::Mac;
use crate::monitors::{ClientId, MonitorAction, Monitors};
use crate::phone_session::{
    DownReason, OutgoingId, PhoneSession, SessionConfig, SessionEvent, SessionState,
};
use crate::registrar::{Registrar, RegistrarConfig, RegistrarEvent};

/// Settings of the core.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    pub registrar: RegistrarConfig,
    /// The template of every phone's CSTA dialog; the Via and Contact are filled in per phone.
    pub session: SessionConfig,
    pub xml_clients: XmlClientConfig,
    /// TR/87 client users and passwords (digest on their INVITE); empty for none.
    pub tr87_users: HashMap<String, String>,
    /// Timer C of proxied INVITEs (RFC 3261 §16.6 step 11: more than 3 minutes).
    pub timer_c: std::time::Duration,
    pub timers: TimerConfig,
    /// Seed of tags, Call-IDs, branches and nonce keys.
    pub seed: u64,
}

/// What the driver must do.
#[derive(Debug)]
pub enum CoreOutput {
    /// Send a SIP message.
    Sip {
        message: Box<Message>,
        target: Target,
    },
    /// Write bytes to a client connection.
    ClientBytes { client: ClientId, bytes: Vec<u8> },
    /// Close a client connection once its queued bytes are written.
    CloseClient(ClientId),
}

/// Why a client request is outstanding at a phone.
#[derive(Debug, Clone)]
enum Awaiting {
    /// Forwarded for a client: its answer goes back with the client's invoke id.
    Client { client: ClientId, token: u64 },
    /// MonitorStart opening the monitor point of a device.
    OpenPoint { device: String },
    /// MonitorStop closing one.
    ClosePoint,
    /// AlternateCall emulated (estos manual §2.4): HoldCall of the active call sent, RetrieveCall of
    /// the held call next.
    AlternateHold {
        client: ClientId,
        token: u64,
        mac: Mac,
        held_call: Box<ConnectionID>,
    },
    /// The RetrieveCall of an emulated AlternateCall.
    AlternateRetrieve { client: ClientId, token: u64 },
}

/// A TR/87 client and where its dialog's requests go.
struct Tr87Entry {
    client: Box<Tr87Client>,
    target: Target,
}

struct PhoneEntry {
    session: PhoneSession,
    target: Target,
    /// The phone's lines (device identifiers as the phone reports them).
    lines: Vec<String>,
}

/// The server's protocol core.
pub struct ServerCore {
    config: CoreConfig,
    ids: IdGenerator,
    layer: TransactionLayer<Target>,
    registrar: Registrar<Target>,
    phones: HashMap<Mac, PhoneEntry>,
    /// Call-ID of a phone's CSTA dialog -> the phone.
    dialogs: HashMap<String, Mac>,
    /// Client transactions of the phones' dialogs.
    transactions: HashMap<TxId, (Mac, OutgoingId)>,
    /// Normalised device -> (phone, device as the phone writes it).
    devices: HashMap<String, (Mac, String)>,
    monitors: Monitors,
    clients: HashMap<ClientId, XmlClientSession>,
    awaiting: HashMap<u64, Awaiting>,
    next_token: u64,
    next_client: u64,
    /// Our listening addresses, for Via and Contact.
    local: HashMap<Protocol, SocketAddr>,
    /// Phones that registered: give them a CSTA dialog if theirs was lost.
    reopen: Vec<Mac>,
    /// Phones that refused the CSTA INVITE (no uaCSTA): not invited again until they move.
    refused: HashMap<Mac, Uri>,
    /// Clients registered for system status (SystemRegister) with their registration id.
    system_registered: HashMap<ClientId, String>,
    /// Proxied requests: client transaction -> the server transaction it serves (RFC 3261 §16.6).
    proxied: HashMap<TxId, TxId>,
    /// Timer C of each proxied INVITE, by client transaction.
    timer_c: HashMap<TxId, Instant>,
    /// TR/87 clients (ECMA TR/87: uaCSTA over SIP toward CTI applications).
    tr87_listener: Tr87Listener,
    tr87: HashMap<ClientId, Tr87Entry>,
    /// Call-ID of a TR/87 client's dialog -> the client.
    tr87_calls: HashMap<String, ClientId>,
    /// Our requests (event INFOs, BYE, refresh) in TR/87 dialogs.
    tr87_tx: HashMap<TxId, ClientId>,
    out: VecDeque<CoreOutput>,
}

impl ServerCore {
    pub fn new(
        config: CoreConfig,
        local: HashMap<Protocol, SocketAddr>,
        now: Instant,
    ) -> ServerCore {
        let mut ids = IdGenerator::from_seed(config.seed);
        let registrar = Registrar::new(config.registrar.clone(), ids.nonce_secret(), now);
        let tr87_listener = Self::tr87_listener(&config, &local, &mut ids, now);
        ServerCore {
            layer: TransactionLayer::new(config.timers),
            registrar,
            ids,
            config,
            phones: HashMap::new(),
            dialogs: HashMap::new(),
            transactions: HashMap::new(),
            devices: HashMap::new(),
            monitors: Monitors::new(),
            clients: HashMap::new(),
            awaiting: HashMap::new(),
            next_token: 1,
            next_client: 1,
            local,
            reopen: Vec::new(),
            refused: HashMap::new(),
            system_registered: HashMap::new(),
            proxied: HashMap::new(),
            timer_c: HashMap::new(),
            tr87_listener,
            tr87: HashMap::new(),
            tr87_calls: HashMap::new(),
            tr87_tx: HashMap::new(),
            out: VecDeque::new(),
        }
    }

    /// The TR/87 side: our Contact and Via on the first listener (TCP preferred), the configured users.
    fn tr87_listener(
        config: &CoreConfig,
        local: &HashMap<Protocol, SocketAddr>,
        ids: &mut IdGenerator,
        now: Instant,
    ) -> Tr87Listener {
        let (protocol, addr) = [Protocol::Tcp, Protocol::Tls, Protocol::Udp]
            .into_iter()
            .find_map(|p| local.get(&p).map(|a| (p, *a)))
            .unwrap_or((Protocol::Tcp, SocketAddr::from(([127, 0, 0, 1], 5060))));
        let mut tr87 = Tr87Config::new(
            listener_uri(Some("uacsta"), addr, protocol),
            protocol.via_token(),
            Host::Ip(addr.ip()),
            Some(addr.port()),
        );
        tr87.users = config.tr87_users.clone();
        tr87.timers = config.timers;
        let seed = next_seed(ids);
        Tr87Listener::new(tr87, seed, now).unwrap_or_else(|_| {
            Tr87Listener::new(
                Tr87Config::new(
                    Uri::sip(Some("uacsta"), Host::Ip(addr.ip()), Some(addr.port())),
                    protocol.via_token(),
                    Host::Ip(addr.ip()),
                    Some(addr.port()),
                ),
                seed,
                now,
            )
            .expect("the default TR/87 feature list is valid")
        })
    }

    pub fn registrar(&self) -> &Registrar<Target> {
        &self.registrar
    }

    pub fn monitors(&self) -> &Monitors {
        &self.monitors
    }

    /// The state of a phone's CSTA dialog.
    pub fn phone_state(&self, mac: &Mac) -> Option<SessionState> {
        self.phones.get(mac).map(|p| p.session.state())
    }

    /// The lines a phone reported.
    pub fn phone_lines(&self, mac: &Mac) -> &[String] {
        self.phones.get(mac).map_or(&[], |p| p.lines.as_slice())
    }

    pub fn client_count(&self) -> usize {
        self.clients.len() + self.tr87.len()
    }

    /// A snapshot for the status API: phones (registration, CSTA dialog, lines), monitors, clients.
    pub fn status(&self) -> serde_json::Value {
        let phones: Vec<serde_json::Value> = self
            .registrar
            .phones()
            .into_iter()
            .map(|p| {
                let csta = self.phones.get(&p.mac).map(|e| e.session.state());
                let mut lines: Vec<&str> = self
                    .devices
                    .values()
                    .filter(|(m, _)| *m == p.mac)
                    .map(|(_, d)| d.as_str())
                    .collect();
                lines.sort_unstable();
                serde_json::json!({
                    "mac": p.mac.to_string(),
                    "activation": format!("{:?}", p.activation).to_lowercase(),
                    "registered": p.is_registered(),
                    "contacts": p.bindings.iter().map(|b| serde_json::json!({
                        "uri": b.contact.uri.to_string(),
                        "source": b.source.addr.to_string(),
                        "transport": b.source.protocol.via_token(),
                    })).collect::<Vec<_>>(),
                    "user_agent": p.user_agent,
                    "csta_dialog": csta.map_or("none".to_string(), |s| format!("{s:?}").to_lowercase()),
                    "lines": lines,
                })
            })
            .collect();
        serde_json::json!({
            "phones": phones,
            "monitor_points": self.monitors.open_points(),
            "client_monitors": self.monitors.client_monitors(),
            "clients": self.clients.len() + self.tr87.len(),
            "transactions": self.layer.len(),
        })
    }

    pub fn poll_output(&mut self) -> Option<CoreOutput> {
        self.out.pop_front()
    }

    pub fn poll_timeout(&mut self) -> Option<Instant> {
        let phones = self
            .phones
            .values()
            .filter_map(|p| p.session.poll_timeout())
            .min();
        let clients = self.clients.values().filter_map(|c| c.poll_timeout()).min();
        let tr87 = self
            .tr87
            .values()
            .filter_map(|e| e.client.poll_timeout())
            .min();
        let timer_c = self.timer_c.values().min().copied();
        [
            self.layer.poll_timeout(),
            self.registrar.poll_timeout(),
            phones,
            clients,
            tr87,
            timer_c,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        self.fire_timer_c(now);
        self.registrar.handle_timeout(now);
        for entry in self.phones.values_mut() {
            entry.session.handle_timeout(now);
        }
        let tr87: Vec<ClientId> = self.tr87.keys().copied().collect();
        for id in tr87 {
            if let Some(e) = self.tr87.get_mut(&id) {
                e.client.handle_timeout(now);
            }
            self.drain_tr87(id, now);
        }
        let ids: Vec<ClientId> = self.clients.keys().copied().collect();
        for id in ids {
            if let Some(c) = self.clients.get_mut(&id) {
                c.handle_timeout(now);
            }
            self.drain_client(id, now);
        }
        self.run(now);
    }

    /// A SIP message from the network.
    pub fn handle_sip(&mut self, message: Message, source: Target, now: Instant) {
        let reliable = source.protocol.is_reliable();
        match self.layer.handle_incoming(message, source, reliable, now) {
            Ok(Some(event)) => self.tx_event(event, now),
            Ok(None) => {}
            Err(e) => tracing::debug!(error = %e, "message refused by the transaction layer"),
        }
        self.run(now);
    }

    /// Bytes that are not SIP: answered 400 with the reason when the request could be read that far.
    pub fn handle_malformed(&mut self, error: &ParseError, source: Target) {
        if let Some(response) = error.response(Some(&self.ids.tag())) {
            self.out.push_back(CoreOutput::Sip {
                message: Box::new(response.into()),
                target: source,
            });
        }
    }

    /// A stream connection closed: a phone whose CSTA dialog ran on it has lost it (it stays
    /// registered and gets a new dialog when it registers again).
    pub fn connection_closed(
        &mut self,
        connection: uacsta_sip::transport::ConnectionId,
        now: Instant,
    ) {
        let lost: Vec<Mac> = self
            .phones
            .iter()
            .filter(|(_, p)| p.target.connection == Some(connection))
            .map(|(m, _)| *m)
            .collect();
        for mac in lost {
            if let Some(entry) = self.phones.remove(&mac) {
                tracing::info!(%mac, "CSTA dialog lost with its connection");
                self.forget_phone(mac, entry, now);
            }
        }
        self.run(now);
    }

    /// A CSTA XML client connected.
    pub fn client_connected(&mut self) -> ClientId {
        let id = ClientId(self.next_client);
        self.next_client += 1;
        self.clients.insert(
            id,
            XmlClientSession::new(self.config.xml_clients.clone(), id.0 * 1000),
        );
        id
    }

    /// Bytes from a client.
    pub fn client_bytes(&mut self, client: ClientId, bytes: &[u8], now: Instant) {
        if let Some(c) = self.clients.get_mut(&client) {
            c.receive(bytes, now);
        }
        self.drain_client(client, now);
        self.run(now);
    }

    /// A client's connection closed: its monitors go.
    pub fn client_closed(&mut self, client: ClientId, now: Instant) {
        self.system_registered.remove(&client);
        if self.clients.remove(&client).is_some() {
            let actions = self.monitors.client_gone(client);
            self.monitor_actions(actions, now);
            self.awaiting.retain(|_, a| !awaiting_client(a, client));
        }
        self.run(now);
    }

    /// Runs everything that became due until nothing moves.
    fn run(&mut self, now: Instant) {
        loop {
            let mut moved = false;
            while let Some(event) = self.layer.poll_event() {
                moved = true;
                self.tx_event(event, now);
            }
            while let Some(event) = self.registrar.poll_event() {
                moved = true;
                self.registrar_event(event, now);
            }
            if !self.reopen.is_empty() {
                moved = true;
                self.reopen_lost_dialogs(now);
            }
            let macs: Vec<Mac> = self.phones.keys().copied().collect();
            for mac in macs {
                moved |= self.drain_phone(mac, now);
            }
            while let Some(t) = self.layer.poll_transmit() {
                moved = true;
                self.out.push_back(CoreOutput::Sip {
                    message: Box::new(t.message),
                    target: t.destination,
                });
            }
            if !moved {
                return;
            }
        }
    }

    fn tx_event(&mut self, event: TxEvent, now: Instant) {
        match event {
            TxEvent::Request { tx, request } => self.sip_request(tx, request, now),
            TxEvent::Response { tx, response } if self.tr87_tx.contains_key(&tx) => {
                let client = self.tr87_tx[&tx];
                if response.status.is_final() {
                    self.tr87_tx.remove(&tx);
                }
                if let Some(e) = self.tr87.get_mut(&client) {
                    e.client.handle_response(&response, now);
                }
                self.drain_tr87(client, now);
            }
            TxEvent::Timeout { tx, timer } if self.tr87_tx.contains_key(&tx) => {
                if let Some(client) = self.tr87_tx.remove(&tx) {
                    if let Some(e) = self.tr87.get_mut(&client) {
                        e.client.handle_failure(&format!("timer {timer:?} fired"));
                    }
                    self.drain_tr87(client, now);
                }
            }
            TxEvent::Ack { request, .. }
                if call_id(&request).is_some_and(|c| self.tr87_calls.contains_key(&c)) =>
            {
                if let Some(client) =
                    call_id(&request).and_then(|c| self.tr87_calls.get(&c).copied())
                {
                    if let Some(e) = self.tr87.get_mut(&client) {
                        e.client.handle_ack(&request);
                    }
                    self.drain_tr87(client, now);
                }
            }
            TxEvent::Response { tx, response } if self.proxied.contains_key(&tx) => {
                self.proxy_response(tx, response, now)
            }
            TxEvent::Timeout { tx, .. } if self.proxied.contains_key(&tx) => {
                if let Some(server_tx) = self.proxied.remove(&tx)
                    && let Some(request) = self.layer.request(server_tx).cloned()
                {
                    let r = Response::to_request(&request, StatusCode::REQUEST_TIMEOUT, None);
                    let _ = self.layer.send_response(server_tx, r, now);
                }
            }
            TxEvent::Response { tx, response } => {
                if let Some((mac, id)) = self.transactions.get(&tx).copied() {
                    if response.status.is_final() {
                        self.transactions.remove(&tx);
                    }
                    if let Some(p) = self.phones.get_mut(&mac) {
                        p.session.handle_response(id, &response, now);
                    }
                }
            }
            TxEvent::Timeout { tx, timer } => {
                if let Some((mac, id)) = self.transactions.remove(&tx)
                    && let Some(p) = self.phones.get_mut(&mac)
                {
                    p.session
                        .handle_failure(id, &format!("timer {timer:?} fired"), now);
                }
            }
            TxEvent::Cancel {
                tx,
                request,
                invite,
            } => self.proxy_cancel(tx, &request, invite, now),
            TxEvent::Ack { request, .. } => self.proxy_ack(request),
            TxEvent::StrayResponse { response } => self.proxy_stray_response(response),
        }
    }

    fn sip_request(&mut self, tx: TxId, request: Request, now: Instant) {
        let source = self.layer.destination(tx).cloned();
        let _span = aor_mac(&request).map(|mac| phone_span(mac).entered());
        tracing::debug!(method = %request.method, uri = %request.uri, "SIP request");
        let response = if request.method == Method::Register {
            let Some(source) = source else { return };
            let tag = self.ids.tag();
            let response = self.registrar.handle_register(&request, source, &tag, now);
            if response.status.is_success()
                && let Some(mac) = aor_mac(&request)
            {
                self.reopen.push(mac);
            }
            response
        } else if let Some(mac) = call_id(&request).and_then(|c| self.dialogs.get(&c).copied()) {
            match self.phones.get_mut(&mac) {
                Some(p) => p.session.handle_request(&request, now),
                None => Response::to_request(&request, StatusCode::CALL_DOES_NOT_EXIST, None),
            }
        } else if let Some(client) =
            call_id(&request).and_then(|c| self.tr87_calls.get(&c).copied())
        {
            let answer = self
                .tr87
                .get_mut(&client)
                .and_then(|e| e.client.handle_request(tx, &request, now));
            if let Some(response) = answer {
                let _ = self.layer.send_response(tx, response, now);
            }
            self.drain_tr87(client, now);
            return;
        } else if request.method == Method::Invite
            && is_tr87_invite(&request, self.callee(&request).is_some())
        {
            self.tr87_invite(tx, &request, now);
            return;
        } else if self.routes_through_us(&request) {
            match self.proxy_in_dialog(tx, request.clone(), now) {
                Ok(()) => return,
                Err(response) => response,
            }
        } else if let Some(target) = self.callee(&request) {
            match self.proxy_forward(tx, request.clone(), target, true, now) {
                Ok(()) => return,
                Err(response) => response,
            }
        } else if request.method == Method::Invite || request.method == Method::Message {
            let tag = self.ids.tag();
            let mut r = Response::to_request(&request, StatusCode::NOT_FOUND, Some(&tag));
            r.reason = format!(
                "Not Found (no registered phone has the line {})",
                request.uri.user().unwrap_or("(none)")
            );
            r
        } else if request.method == Method::Options {
            let tag = self.ids.tag();
            let mut r = Response::to_request(&request, StatusCode::OK, Some(&tag));
            r.headers.push(
                uacsta_sip::HeaderName::Allow,
                "REGISTER, INVITE, ACK, BYE, CANCEL, INFO, NOTIFY, OPTIONS",
            );
            r
        } else {
            let tag = self.ids.tag();
            let mut r = Response::to_request(&request, StatusCode::NOT_IMPLEMENTED, Some(&tag));
            r.reason = format!("Not Implemented ({} outside a CSTA dialog)", request.method);
            r
        };
        let _ = self.layer.send_response(tx, response, now);
    }

    /// Whether a URI names this server (one of our listening addresses).
    fn is_us(&self, uri: &Uri) -> bool {
        let Some(sip) = uri.as_sip() else {
            return false;
        };
        let Host::Ip(ip) = sip.host else {
            return false;
        };
        self.local.values().any(|a| {
            a.ip() == ip && sip.port.unwrap_or(if sip.secure { 5061 } else { 5060 }) == a.port()
        })
    }

    /// An in-dialog request of a call we record-routed: its first Route is us.
    fn routes_through_us(&self, request: &Request) -> bool {
        request
            .headers
            .typed::<uacsta_sip::header::Route>()
            .and_then(Result::ok)
            .is_some_and(|r| self.is_us(&r.uri))
    }

    /// The phone a call is for: the Request-URI's user is one of its lines (or its MAC).
    fn callee(&self, request: &Request) -> Option<(Target, Uri)> {
        if !matches!(
            request.method,
            Method::Invite | Method::Message | Method::Options
        ) || request.uri.user().is_none()
        {
            return None;
        }
        let user = request.uri.user()?;
        let mac = self
            .devices
            .get(user)
            .map(|(m, _)| *m)
            .or_else(|| user.parse::<Mac>().ok())?;
        let binding = self.registrar.phone(&mac)?.current()?.clone();
        Some((binding.source, binding.contact.uri))
    }

    /// Where a URI leads: a registered phone's connection when it is one's contact, else its address.
    fn target_of(&self, uri: &Uri) -> Option<Target> {
        for phone in self.registrar.phones() {
            if let Some(b) = phone
                .bindings
                .iter()
                .find(|b| b.contact.uri.equivalent(uri))
            {
                return Some(b.source.clone());
            }
        }
        let sip = uri.as_sip()?;
        let protocol = sip
            .params
            .value("transport")
            .and_then(|t| Protocol::from_token(&t))
            .unwrap_or(if sip.secure {
                Protocol::Tls
            } else {
                Protocol::Udp
            });
        let Host::Ip(ip) = sip.host else {
            return None;
        };
        let port = sip.port.unwrap_or(if protocol == Protocol::Tls {
            5061
        } else {
            5060
        });
        Some(Target::new(protocol, SocketAddr::new(ip, port)))
    }

    /// Our listening address for `protocol` (loopback 5060 when we have none).
    fn local_addr(&self, protocol: Protocol) -> SocketAddr {
        self.local
            .get(&protocol)
            .copied()
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 5060)))
    }

    /// Takes our own Route off a record-routed request and finds where it goes next: the next Route,
    /// else the Request-URI (loose routing, RFC 3261 §16.4, §16.12).
    fn next_hop(&self, request: &mut Request) -> Option<Target> {
        request
            .headers
            .remove_first_value(&uacsta_sip::HeaderName::Route);
        let next = request
            .headers
            .typed::<uacsta_sip::header::Route>()
            .and_then(Result::ok)
            .map(|r| r.uri.clone())
            .unwrap_or_else(|| request.uri.clone());
        self.target_of(&next)
    }

    /// Our Via for a request forwarded over `protocol`.
    fn our_via(&mut self, protocol: Protocol) -> uacsta_sip::header::Via {
        let local = self.local_addr(protocol);
        let mut via = uacsta_sip::header::Via::new(
            protocol.via_token(),
            Host::Ip(local.ip()),
            Some(local.port()),
            &self.ids.branch(),
        );
        via.params.set("rport", None);
        via
    }

    /// Forwards a request statefully (RFC 3261 §16.6): new Request-URI, Max-Forwards decremented, our
    /// Via on top, and our Record-Route for dialog-creating requests.
    fn proxy_forward(
        &mut self,
        server_tx: TxId,
        mut request: Request,
        (target, request_uri): (Target, Uri),
        record_route: bool,
        now: Instant,
    ) -> Result<(), Response> {
        use uacsta_sip::header::{MaxForwards, RecordRoute};
        let max_forwards = request
            .headers
            .typed::<MaxForwards>()
            .and_then(Result::ok)
            .map_or(70, |m| m.0);
        if max_forwards == 0 {
            return Err(Response::to_request(
                &request,
                StatusCode::TOO_MANY_HOPS,
                None,
            ));
        }
        request.uri = request_uri;
        request.headers.set_typed(&MaxForwards(max_forwards - 1));
        if record_route && request.method == Method::Invite {
            let local = self.local_addr(target.protocol);
            let mut uri = listener_uri(None, local, target.protocol);
            if let Some(sip) = uri.as_sip_mut() {
                sip.params.set("lr", None);
            }
            request.headers.push_front(
                uacsta_sip::HeaderName::RecordRoute,
                RecordRoute(uacsta_sip::header::NameAddr::new(uri)).render(),
            );
        }
        let via = self.our_via(target.protocol);
        request
            .headers
            .push_front(uacsta_sip::HeaderName::Via, via.render());
        let reliable = target.protocol.is_reliable();
        match self
            .layer
            .send_request(request.clone(), target, reliable, now)
        {
            Ok(client_tx) => {
                self.proxied.insert(client_tx, server_tx);
                if request.method == Method::Invite {
                    self.timer_c.insert(client_tx, now + self.config.timer_c);
                }
                Ok(())
            }
            Err(e) => {
                let mut r = Response::to_request(&request, StatusCode::SERVER_INTERNAL_ERROR, None);
                r.reason = format!("Server Internal Error ({e})");
                Err(r)
            }
        }
    }

    /// An in-dialog request whose first Route is us (loose routing, RFC 3261 §16.4): drop that Route
    /// and forward to the next Route or the Request-URI.
    fn proxy_in_dialog(
        &mut self,
        tx: TxId,
        mut request: Request,
        now: Instant,
    ) -> Result<(), Response> {
        let Some(target) = self.next_hop(&mut request) else {
            let mut r = Response::to_request(&request, StatusCode::NOT_FOUND, None);
            r.reason = "Not Found (the next hop is not reachable)".into();
            return Err(r);
        };
        let uri = request.uri.clone();
        self.proxy_forward(tx, request, (target, uri), false, now)
    }

    /// A response to a proxied request: our Via comes off and it goes back upstream (§16.7).
    fn proxy_response(&mut self, client_tx: TxId, mut response: Response, now: Instant) {
        let Some(server_tx) = self.proxied.get(&client_tx).copied() else {
            return;
        };
        if response.status.is_final() {
            self.proxied.remove(&client_tx);
            self.timer_c.remove(&client_tx);
        } else if response.status != StatusCode::TRYING
            && let Some(deadline) = self.timer_c.get_mut(&client_tx)
        {
            // §16.7 step 2: a provisional response other than 100 restarts Timer C.
            *deadline = now + self.config.timer_c;
        }
        if response.status == StatusCode::TRYING {
            return; // hop by hop: the server transaction sends its own 100
        }
        response
            .headers
            .remove_first_value(&uacsta_sip::HeaderName::Via);
        let _ = self.layer.send_response(server_tx, response, now);
    }

    /// Timer C (§16.8): a forwarded INVITE still unanswered is cancelled downstream once it has had a
    /// provisional response, and otherwise ends as if it had received 408.
    fn fire_timer_c(&mut self, now: Instant) {
        let expired: Vec<TxId> = self
            .timer_c
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(tx, _)| *tx)
            .collect();
        for client_tx in expired {
            self.timer_c.remove(&client_tx);
            match self.layer.cancel(client_tx) {
                Ok(cancel) => {
                    if let Some(target) = self.layer.destination(client_tx).cloned() {
                        let reliable = target.protocol.is_reliable();
                        let _ = self.layer.send_request(cancel, target, reliable, now);
                    }
                }
                Err(_) => {
                    if let Some(server_tx) = self.proxied.remove(&client_tx)
                        && let Some(request) = self.layer.request(server_tx).cloned()
                    {
                        let r = Response::to_request(&request, StatusCode::REQUEST_TIMEOUT, None);
                        let _ = self.layer.send_response(server_tx, r, now);
                    }
                }
            }
        }
    }

    /// A CANCEL (§16.10): 200 for it, and the INVITE we forwarded is cancelled downstream.
    fn proxy_cancel(&mut self, tx: TxId, request: &Request, invite: Option<TxId>, now: Instant) {
        let status = if invite.is_some() {
            StatusCode::OK
        } else {
            StatusCode::CALL_DOES_NOT_EXIST
        };
        let _ = self
            .layer
            .send_response(tx, Response::to_request(request, status, None), now);
        let Some(invite) = invite else { return };
        let downstream = self
            .proxied
            .iter()
            .find(|(_, s)| **s == invite)
            .map(|(c, _)| *c);
        if let Some(client_tx) = downstream
            && let Ok(cancel) = self.layer.cancel(client_tx)
            && let Some(target) = self.layer.destination(client_tx).cloned()
        {
            let reliable = target.protocol.is_reliable();
            let _ = self.layer.send_request(cancel, target, reliable, now);
        }
    }

    /// An ACK for a 2xx of a record-routed call: forwarded statelessly along the route (§16.11).
    fn proxy_ack(&mut self, mut request: Request) {
        if !self.routes_through_us(&request) {
            return;
        }
        let Some(target) = self.next_hop(&mut request) else {
            return;
        };
        let via = self.our_via(target.protocol);
        request
            .headers
            .push_front(uacsta_sip::HeaderName::Via, via.render());
        let reliable = target.protocol.is_reliable();
        self.layer.send_stateless(request.into(), target, reliable);
    }

    /// A 2xx retransmission after the proxied INVITE's transaction ended (§16.7 step 9 / RFC 6026):
    /// forwarded statelessly by its next Via.
    fn proxy_stray_response(&mut self, mut response: Response) {
        let ours = response
            .headers
            .typed::<uacsta_sip::header::Via>()
            .and_then(Result::ok)
            .is_some_and(|v| {
                self.local
                    .values()
                    .any(|a| v.host == Host::Ip(a.ip()) && v.port == Some(a.port()))
            });
        if !ours || !response.status.is_success() {
            return;
        }
        response
            .headers
            .remove_first_value(&uacsta_sip::HeaderName::Via);
        let Some(Ok(next)) = response.headers.typed::<uacsta_sip::header::Via>() else {
            return;
        };
        let Some(protocol) = Protocol::from_token(&next.transport) else {
            return;
        };
        let ip = next
            .received()
            .and_then(|r| r.parse().ok())
            .or(match next.host {
                Host::Ip(ip) => Some(ip),
                Host::Domain(_) => None,
            });
        let port = next.rport().flatten().or(next.port).unwrap_or(5060);
        if let Some(ip) = ip {
            let target = Target::new(protocol, SocketAddr::new(ip, port));
            self.layer
                .send_stateless(response.into(), target, protocol.is_reliable());
        }
    }

    /// A registered, active phone whose CSTA dialog was lost gets a new one on its next REGISTER. Runs
    /// after the registrar's own events, which cover phones coming up or moving.
    fn reopen_lost_dialogs(&mut self, now: Instant) {
        for mac in std::mem::take(&mut self.reopen) {
            if self.phones.contains_key(&mac) {
                continue;
            }
            let binding = match self.registrar.phone(&mac) {
                Some(p) if p.activation == crate::registrar::Activation::Active => {
                    p.current().cloned()
                }
                _ => None,
            };
            if let Some(binding) = binding
                && self
                    .refused
                    .get(&mac)
                    .is_none_or(|contact| !contact.equivalent(&binding.contact.uri))
            {
                self.registrar_event(RegistrarEvent::PhoneUp { mac, binding }, now);
            }
        }
    }

    fn registrar_event(&mut self, event: RegistrarEvent<Target>, now: Instant) {
        let mac = match &event {
            RegistrarEvent::PhoneUp { mac, .. }
            | RegistrarEvent::ContactChanged { mac, .. }
            | RegistrarEvent::PhoneDown { mac, .. }
            | RegistrarEvent::Pending { mac } => *mac,
        };
        let _span = phone_span(mac).entered();
        tracing::info!(event = ?event_kind(&event), "registration");
        match event {
            RegistrarEvent::PhoneUp { mac, .. } if self.phones.contains_key(&mac) => {}
            RegistrarEvent::PhoneUp { mac, binding }
            | RegistrarEvent::ContactChanged { mac, binding } => {
                self.refused.remove(&mac);
                if let Some(mut old) = self.phones.remove(&mac) {
                    old.session.close(now);
                    self.send_phone_requests(mac, &mut old, now);
                    self.forget_phone(mac, old, now);
                }
                let aor = self
                    .registrar
                    .phone(&mac)
                    .and_then(|p| p.aor.clone())
                    .unwrap_or_else(|| binding.contact.uri.clone());
                let config = self.session_config(binding.source.protocol);
                let seed = next_seed(&mut self.ids);
                let mut session = PhoneSession::new(config, binding.contact.uri.clone(), aor, seed);
                session.open(now);
                if let Some(call_id) = session.call_id() {
                    self.dialogs.insert(call_id, mac);
                }
                self.phones.insert(
                    mac,
                    PhoneEntry {
                        session,
                        target: binding.source,
                        lines: Vec::new(),
                    },
                );
            }
            RegistrarEvent::PhoneDown { mac, .. } => {
                if let Some(mut old) = self.phones.remove(&mac) {
                    old.session.close(now);
                    self.send_phone_requests(mac, &mut old, now);
                    self.forget_phone(mac, old, now);
                }
                // The phone is gone from the switching function: so are its lines.
                let before = self.devices.len();
                self.devices.retain(|_, (m, _)| *m != mac);
                if self.devices.len() != before {
                    self.devices_changed(now);
                }
            }
            RegistrarEvent::Pending { .. } => {}
        }
    }

    /// A phone's dialog is gone: its devices go out of service for their monitors.
    fn forget_phone(&mut self, mac: Mac, entry: PhoneEntry, now: Instant) {
        if let Some(call_id) = entry.session.call_id() {
            self.dialogs.remove(&call_id);
        }
        self.transactions.retain(|_, (m, _)| *m != mac);
        let lines = entry.lines.clone();
        let actions = self.monitors.phone_down(lines.iter().map(String::as_str));
        self.monitor_actions(actions, now);
        // Keep the devices known so a client's MonitorStart gets "out of service", not "unknown".
    }

    fn session_config(&self, protocol: Protocol) -> SessionConfig {
        let mut config = self.config.session.clone();
        let local = self.local_addr(protocol);
        config.via_transport = protocol.via_token().to_string();
        config.via_host = Host::Ip(local.ip());
        config.via_port = Some(local.port());
        let contact = listener_uri(Some("uacsta"), local, protocol);
        config.contact = contact.clone();
        config.local_uri = contact;
        config
    }

    /// Moves a phone session's requests and events along; true when anything moved.
    fn drain_phone(&mut self, mac: Mac, now: Instant) -> bool {
        let Some(mut entry) = self.phones.remove(&mac) else {
            return false;
        };
        let mut moved = self.send_phone_requests(mac, &mut entry, now);
        let mut events = Vec::new();
        while let Some(e) = entry.session.poll_event() {
            events.push(e);
        }
        let down = entry.session.state() == SessionState::Down;
        self.phones.insert(mac, entry);
        for event in events {
            moved = true;
            self.phone_event(mac, event, now);
        }
        if down && let Some(entry) = self.phones.remove(&mac) {
            self.forget_phone(mac, entry, now);
            moved = true;
        }
        moved
    }

    fn send_phone_requests(&mut self, mac: Mac, entry: &mut PhoneEntry, now: Instant) -> bool {
        let mut moved = false;
        let reliable = entry.target.protocol.is_reliable();
        // The ACK for the phone's 2xx goes before the requests that follow it in the dialog.
        while let Some(ack) = entry.session.poll_ack() {
            moved = true;
            self.layer
                .send_stateless(ack.into(), entry.target.clone(), reliable);
        }
        while let Some(out) = entry.session.poll_outgoing() {
            moved = true;
            match self
                .layer
                .send_request(out.request, entry.target.clone(), reliable, now)
            {
                Ok(tx) => {
                    self.transactions.insert(tx, (mac, out.id));
                }
                Err(e) => entry.session.handle_failure(out.id, &e.to_string(), now),
            }
        }
        moved
    }

    fn phone_event(&mut self, mac: Mac, event: SessionEvent, now: Instant) {
        let _span = phone_span(mac).entered();
        tracing::debug!(event = ?event_name(&event), "phone CSTA dialog");
        match event {
            SessionEvent::Up => {
                // Restore the monitor points of every line this phone had, known from before.
                let mut lines: Vec<String> = self
                    .devices
                    .values()
                    .filter(|(m, _)| *m == mac)
                    .map(|(_, d)| d.clone())
                    .collect();
                lines.sort();
                let actions = self.monitors.phone_up(lines.iter().map(String::as_str));
                self.monitor_actions(actions, now);
            }
            SessionEvent::Devices(lines) => {
                let mut new = false;
                for line in &lines {
                    new |= self
                        .devices
                        .insert(device_key(line), (mac, line.clone()))
                        .is_none_or(|(m, _)| m != mac);
                }
                if new {
                    self.devices_changed(now);
                }
                let ready = self.phone_state(&mac) == Some(SessionState::Ready);
                if let Some(entry) = self.phones.get_mut(&mac) {
                    for line in &lines {
                        if !entry.lines.contains(line) {
                            entry.lines.push(line.clone());
                        }
                    }
                }
                if ready {
                    // Lines learnt after start-up may have monitors waiting to be restored.
                    let actions = self.monitors.phone_up(lines.iter().map(String::as_str));
                    self.monitor_actions(actions, now);
                }
            }
            SessionEvent::Response { token, result } => self.phone_answer(token, result, now),
            SessionEvent::Event(message) => self.phone_csta_event(message, now),
            SessionEvent::Down(reason) => {
                tracing::info!(%mac, ?reason, "CSTA dialog down");
                if let DownReason::Refused(_) = reason
                    && let Some(entry) = self.phones.get(&mac)
                {
                    // It stays registered and reachable for calls; it gets no new CSTA INVITE until
                    // it registers from another contact.
                    self.refused.insert(mac, entry.session.target().clone());
                }
            }
        }
    }

    fn phone_answer(
        &mut self,
        token: u64,
        result: Result<CstaMessage, crate::phone_session::SessionError>,
        now: Instant,
    ) {
        let Some(awaiting) = self.awaiting.remove(&token) else {
            return;
        };
        match awaiting {
            Awaiting::Client { client, token } => {
                let answer = result.unwrap_or_else(|e| error_for(&e));
                self.respond(client, token, &answer, now);
            }
            Awaiting::OpenPoint { device } => {
                let actions = match result {
                    Ok(CstaMessage::MonitorStartResponse(r)) => {
                        self.monitors.point_opened(&device, &r.monitor_cross_ref_id)
                    }
                    Ok(other) => self.monitors.point_failed(&device, &describe(&other)),
                    Err(e) => self.monitors.point_failed(&device, &e.to_string()),
                };
                self.monitor_actions(actions, now);
            }
            Awaiting::ClosePoint => {}
            Awaiting::AlternateHold {
                client,
                token,
                mac,
                held_call,
            } => match result {
                Ok(CstaMessage::HoldCallResponse(_)) => {
                    let retrieve = CstaMessage::from(RetrieveCall {
                        call_to_be_retrieved: *held_call,
                        ..Default::default()
                    });
                    self.send_to_phone(
                        mac,
                        &retrieve,
                        Awaiting::AlternateRetrieve { client, token },
                        now,
                    );
                }
                other => {
                    let answer = other.unwrap_or_else(|e| error_for(&e));
                    self.respond(client, token, &answer, now);
                }
            },
            Awaiting::AlternateRetrieve { client, token } => {
                let answer = match result {
                    Ok(CstaMessage::RetrieveCallResponse(_)) => {
                        CstaMessage::from(AlternateCallResponse::default())
                    }
                    Ok(other) => other,
                    Err(e) => error_for(&e),
                };
                self.respond(client, token, &answer, now);
            }
        }
    }

    fn phone_csta_event(&mut self, message: CstaMessage, now: Instant) {
        let Some(phone_xref) = cross_ref(&message) else {
            return;
        };
        for (client, xref) in self.monitors.fan_out(&phone_xref) {
            let event = with_cross_ref(&message, &xref);
            self.notify(client, &event, now);
        }
    }

    fn drain_client(&mut self, client: ClientId, now: Instant) {
        let mut events = Vec::new();
        if let Some(c) = self.clients.get_mut(&client) {
            while let Some(e) = c.poll_event() {
                events.push(e);
            }
        }
        for event in events {
            match event {
                XmlClientEvent::Request { token, message } => {
                    self.client_request(client, u64::from(token), *message, now)
                }
                XmlClientEvent::SessionStarted { .. } => {}
                XmlClientEvent::Ended(_) => {
                    self.system_registered.remove(&client);
                    let actions = self.monitors.client_gone(client);
                    self.monitor_actions(actions, now);
                    self.flush_client(client);
                    self.out.push_back(CoreOutput::CloseClient(client));
                }
            }
        }
        self.flush_client(client);
    }

    /// A CSTA request from a client of either interface; `token` is how its answer finds it.
    fn client_request(&mut self, client: ClientId, token: u64, message: CstaMessage, now: Instant) {
        match message.element_name() {
            "RequestSystemStatus" => {
                let answer = CstaMessage::from(RequestSystemStatusResponse::default());
                self.respond(client, token, &answer, now);
            }
            "SystemRegister" => {
                // The client hears SwFunctionDevicesChanged when phones come and go.
                let id = format!("sys{}", client.0);
                self.system_registered.insert(client, id.clone());
                let answer = CstaMessage::from(SystemRegisterResponse {
                    sys_stat_register_id: id,
                    ..Default::default()
                });
                self.respond(client, token, &answer, now);
            }
            "SystemRegisterCancel" => {
                let answer = match self.system_registered.remove(&client) {
                    Some(_) => CstaMessage::from(SystemRegisterCancelResponse::default()),
                    None => CstaMessage::from(CSTAErrorCode::Operation(
                        OperationError::InvalidCrossRefId,
                    )),
                };
                self.respond(client, token, &answer, now);
            }
            "GetLogicalDeviceInformation" | "GetPhysicalDeviceInformation" => {
                let answer = match target_device(&message)
                    .and_then(|d| self.devices.get(&device_key(&d)).cloned())
                {
                    Some((mac, _)) => self.device_information(message.element_name(), mac),
                    None => {
                        CstaMessage::from(CSTAErrorCode::Operation(OperationError::InvalidDeviceId))
                    }
                };
                self.respond(client, token, &answer, now);
            }
            "GetSwitchingFunctionDevices" => {
                let xref = format!("sfd{}", self.next_token);
                self.next_token += 1;
                let answer = CstaMessage::from(GetSwitchingFunctionDevicesResponse {
                    service_cross_ref_id: xref.clone(),
                    ..Default::default()
                });
                let mut items: Vec<DeviceListItem> = self
                    .devices
                    .values()
                    .map(|(_, d)| DeviceListItem {
                        device_id: DeviceID {
                            value: d.clone(),
                            ..Default::default()
                        },
                        ..Default::default()
                    })
                    .collect();
                items.sort_by(|a, b| a.device_id.value.cmp(&b.device_id.value));
                let report = CstaMessage::from(SwitchingFunctionDevices {
                    service_cross_ref_id: xref,
                    last_segment: true,
                    device_list: DeviceList { items },
                    ..Default::default()
                });
                self.respond(client, token, &answer, now);
                self.notify(client, &report, now);
            }
            "AlternateCall" => {
                // Emulated with HoldCall and RetrieveCall: none of the phones of the estos tables
                // performs AlternateCall itself.
                let CstaMessage::AlternateCall(alternate) = &message else {
                    return;
                };
                let Some((mac, _)) = target_device(&message)
                    .and_then(|d| self.devices.get(&device_key(&d)).cloned())
                else {
                    let e = CstaMessage::from(CSTAErrorCode::Operation(
                        OperationError::InvalidDeviceId,
                    ));
                    self.respond(client, token, &e, now);
                    return;
                };
                let hold = CstaMessage::from(HoldCall {
                    call_to_be_held: alternate.active_call.clone(),
                    ..Default::default()
                });
                let awaiting = Awaiting::AlternateHold {
                    client,
                    token,
                    mac,
                    held_call: Box::new(alternate.held_call.clone()),
                };
                self.send_to_phone(mac, &hold, awaiting, now);
            }
            "MonitorStart" => {
                let Some(device) = target_device(&message).and_then(|d| self.known_device(&d))
                else {
                    let e = CstaMessage::from(CSTAErrorCode::Operation(
                        OperationError::InvalidMonitorObject,
                    ));
                    self.respond(client, token, &e, now);
                    return;
                };
                let actions = self.monitors.start(client, token, &device);
                self.monitor_actions(actions, now);
            }
            "MonitorStop" => {
                let xref = match &message {
                    CstaMessage::MonitorStop(m) => m.monitor_cross_ref_id.clone(),
                    _ => String::new(),
                };
                match self.monitors.stop(client, &xref) {
                    Ok(actions) => {
                        let ok = CstaMessage::from(MonitorStopResponse::default());
                        self.respond(client, token, &ok, now);
                        self.monitor_actions(actions, now);
                    }
                    Err(_) => {
                        let e = CstaMessage::from(CSTAErrorCode::Operation(
                            OperationError::InvalidCrossRefId,
                        ));
                        self.respond(client, token, &e, now);
                    }
                }
            }
            _ => {
                let Some((mac, _)) = target_device(&message)
                    .and_then(|d| self.devices.get(&device_key(&d)).cloned())
                else {
                    let e = CstaMessage::from(CSTAErrorCode::Operation(
                        OperationError::InvalidDeviceId,
                    ));
                    self.respond(client, token, &e, now);
                    return;
                };
                let phone_token = self.next_token;
                self.next_token += 1;
                let sent = self
                    .phones
                    .get_mut(&mac)
                    .map(|p| p.session.request(&message, phone_token, now));
                match sent {
                    Some(Ok(())) => {
                        self.awaiting
                            .insert(phone_token, Awaiting::Client { client, token });
                    }
                    _ => {
                        let e = CstaMessage::from(CSTAErrorCode::SystemResourceAvailability(
                            SystemResourceAvailabilityError::DeviceOutOfService,
                        ));
                        self.respond(client, token, &e, now);
                    }
                }
            }
        }
    }

    /// The server's own answer to GetLogical/PhysicalDeviceInformation (ECMA-269 13.1.2, 13.1.3): every
    /// line is a station with one physical element, the phone, named by its User-Agent.
    fn device_information(&self, request: &str, mac: Mac) -> CstaMessage {
        if request == "GetLogicalDeviceInformation" {
            return CstaMessage::from(GetLogicalDeviceInformationResponse {
                device_category: Some(DeviceCategory::Station),
                has_physical_element: true,
                appearance_addressable: false,
                appearance_type: "standard".into(),
                ..Default::default()
            });
        }
        CstaMessage::from(GetPhysicalDeviceInformationResponse {
            device_category: Some(DeviceCategory::Station),
            has_logical_element: true,
            device_model_name: self
                .registrar
                .phone(&mac)
                .and_then(|p| p.user_agent.clone()),
            ..Default::default()
        })
    }

    /// SwFunctionDevicesChanged to every client registered for system status (ECMA-269 14.2.3).
    fn devices_changed(&mut self, now: Instant) {
        let registered: Vec<(ClientId, String)> = self
            .system_registered
            .iter()
            .map(|(c, id)| (*c, id.clone()))
            .collect();
        for (client, id) in registered {
            let event = CstaMessage::from(SwFunctionDevicesChanged {
                sys_stat_register_id: Some(id),
                ..Default::default()
            });
            self.notify(client, &event, now);
        }
    }

    /// Sends a request of the server's own to a phone; its answer is handled as `awaiting` says. A phone
    /// whose dialog is not ready makes the client's request fail at once.
    fn send_to_phone(&mut self, mac: Mac, message: &CstaMessage, awaiting: Awaiting, now: Instant) {
        let phone_token = self.next_token;
        self.next_token += 1;
        let sent = self
            .phones
            .get_mut(&mac)
            .map(|p| p.session.request(message, phone_token, now));
        if matches!(sent, Some(Ok(()))) {
            self.awaiting.insert(phone_token, awaiting);
        } else {
            self.phone_answer_now(awaiting, now);
        }
    }

    /// The client behind `awaiting` gets "out of service" (the phone's dialog is down).
    fn phone_answer_now(&mut self, awaiting: Awaiting, now: Instant) {
        let error = CstaMessage::from(CSTAErrorCode::SystemResourceAvailability(
            SystemResourceAvailabilityError::DeviceOutOfService,
        ));
        match awaiting {
            Awaiting::Client { client, token }
            | Awaiting::AlternateHold { client, token, .. }
            | Awaiting::AlternateRetrieve { client, token } => {
                self.respond(client, token, &error, now)
            }
            Awaiting::OpenPoint { .. } | Awaiting::ClosePoint => {}
        }
    }

    /// The device as the phone writes it, when some phone has it.
    fn known_device(&self, device: &str) -> Option<String> {
        self.devices
            .get(&device_key(device))
            .map(|(_, d)| d.clone())
    }

    fn monitor_actions(&mut self, actions: Vec<MonitorAction>, now: Instant) {
        for action in actions {
            match action {
                MonitorAction::OpenPoint { device } => {
                    let request = monitor_start_for(&device);
                    let token = self.next_token;
                    self.next_token += 1;
                    let mac = self.devices.get(&device_key(&device)).map(|(m, _)| *m);
                    let sent = mac
                        .and_then(|m| self.phones.get_mut(&m))
                        .map(|p| p.session.request(&request, token, now));
                    if matches!(sent, Some(Ok(()))) {
                        self.awaiting.insert(token, Awaiting::OpenPoint { device });
                    } else {
                        let more = self
                            .monitors
                            .point_failed(&device, "the device is out of service");
                        self.monitor_actions(more, now);
                    }
                }
                MonitorAction::ClosePoint { device, phone_xref } => {
                    let request = CstaMessage::from(MonitorStop {
                        monitor_cross_ref_id: phone_xref,
                        ..Default::default()
                    });
                    let token = self.next_token;
                    self.next_token += 1;
                    let mac = self.devices.get(&device_key(&device)).map(|(m, _)| *m);
                    if let Some(p) = mac.and_then(|m| self.phones.get_mut(&m))
                        && p.session.request(&request, token, now).is_ok()
                    {
                        self.awaiting.insert(token, Awaiting::ClosePoint);
                    }
                }
                MonitorAction::Started {
                    client,
                    token,
                    xref,
                } => {
                    let answer = CstaMessage::from(MonitorStartResponse {
                        monitor_cross_ref_id: xref,
                        ..Default::default()
                    });
                    self.respond(client, token, &answer, now);
                }
                MonitorAction::StartFailed {
                    client,
                    token,
                    error,
                } => {
                    let answer = refusal(&error);
                    self.respond(client, token, &answer, now);
                }
                MonitorAction::OutOfService {
                    client,
                    xref,
                    device,
                } => {
                    let event = out_of_service(&xref, &device);
                    self.notify(client, &event, now);
                }
                MonitorAction::BackInService {
                    client,
                    xref,
                    device,
                } => {
                    let event = back_in_service(&xref, &device);
                    self.notify(client, &event, now);
                }
            }
        }
    }

    /// The answer to a client's request, through its interface.
    fn respond(&mut self, client: ClientId, token: u64, message: &CstaMessage, now: Instant) {
        if let Some(c) = self.clients.get_mut(&client) {
            // XML tokens are the client's invoke ids (0..9999).
            if let Ok(invoke) = u16::try_from(token) {
                c.respond(invoke, message);
            }
            self.flush_client(client);
        } else if let Some(entry) = self.tr87.get_mut(&client) {
            match entry.client.respond(token, message) {
                Ok((tx, response)) => {
                    if self.layer.send_response(tx, response.clone(), now).is_err() {
                        let target = entry.target.clone();
                        let reliable = target.protocol.is_reliable();
                        self.layer.send_stateless(response.into(), target, reliable);
                    }
                }
                Err(e) => tracing::debug!(error = %e, "TR/87 answer not sent"),
            }
            self.drain_tr87(client, now);
        }
    }

    /// An event for a client, through its interface.
    fn notify(&mut self, client: ClientId, message: &CstaMessage, now: Instant) {
        if let Some(c) = self.clients.get_mut(&client) {
            c.event(message);
            self.flush_client(client);
        } else if let Some(entry) = self.tr87.get_mut(&client) {
            match entry.client.event(message) {
                Ok(request) => {
                    let target = entry.target.clone();
                    let reliable = target.protocol.is_reliable();
                    if let Ok(tx) = self.layer.send_request(request, target, reliable, now) {
                        self.tr87_tx.insert(tx, client);
                    }
                }
                Err(e) => tracing::debug!(error = %e, "TR/87 event not sent"),
            }
            self.drain_tr87(client, now);
        }
    }

    /// A new TR/87 client's INVITE (ECMA TR/87 §6.1).
    fn tr87_invite(&mut self, tx: TxId, request: &Request, now: Instant) {
        match self.tr87_listener.handle_invite(tx, request, now) {
            InviteOutcome::Accepted { client, response } => {
                let id = ClientId(self.next_client);
                self.next_client += 1;
                let Some(target) = self.layer.destination(tx).cloned() else {
                    return;
                };
                self.tr87_calls.insert(client.call_id().to_string(), id);
                self.tr87.insert(id, Tr87Entry { client, target });
                let _ = self.layer.send_response(tx, response, now);
                self.drain_tr87(id, now);
            }
            InviteOutcome::Refused(response) => {
                let _ = self.layer.send_response(tx, response, now);
            }
        }
    }

    /// Moves a TR/87 client's transmits and events along.
    fn drain_tr87(&mut self, client: ClientId, now: Instant) {
        let mut events = Vec::new();
        if let Some(entry) = self.tr87.get_mut(&client) {
            let target = entry.target.clone();
            let reliable = target.protocol.is_reliable();
            while let Some(t) = entry.client.poll_transmit() {
                match t {
                    Tr87Transmit::Response { tx, response } => {
                        if self.layer.send_response(tx, response.clone(), now).is_err()
                            && response.status.is_success()
                        {
                            self.layer
                                .send_stateless(response.into(), target.clone(), reliable);
                        }
                    }
                    Tr87Transmit::Request(request) => {
                        if let Ok(tx) =
                            self.layer
                                .send_request(request, target.clone(), reliable, now)
                        {
                            self.tr87_tx.insert(tx, client);
                        }
                    }
                    Tr87Transmit::Ack(ack) => {
                        self.layer
                            .send_stateless(ack.into(), target.clone(), reliable)
                    }
                }
            }
            while let Some(e) = entry.client.poll_event() {
                events.push(e);
            }
        }
        for event in events {
            match event {
                Tr87Event::Request { token, message } => {
                    self.client_request(client, token, *message, now)
                }
                Tr87Event::Ended(reason) => {
                    tracing::info!(client = client.0, ?reason, "TR/87 client ended");
                    if let Some(entry) = self.tr87.remove(&client) {
                        self.tr87_calls.remove(entry.client.call_id());
                    }
                    self.tr87_tx.retain(|_, c| *c != client);
                    self.system_registered.remove(&client);
                    let actions = self.monitors.client_gone(client);
                    self.monitor_actions(actions, now);
                    self.awaiting.retain(|_, a| !awaiting_client(a, client));
                }
            }
        }
    }

    fn flush_client(&mut self, client: ClientId) {
        if let Some(c) = self.clients.get_mut(&client) {
            while let Some(bytes) = c.poll_transmit() {
                self.out
                    .push_back(CoreOutput::ClientBytes { client, bytes });
            }
        }
    }
}

/// The span every log line about one phone runs in, so logs can be filtered by MAC (estos manual §3.9
/// "Log Filter - Telephones"): `[phone{mac=000413AABBCC}]=trace`.
pub fn phone_span(mac: Mac) -> tracing::Span {
    tracing::info_span!("phone", mac = %mac)
}

fn event_name(event: &SessionEvent) -> &'static str {
    match event {
        SessionEvent::Up => "up",
        SessionEvent::Devices(_) => "devices",
        SessionEvent::Response { .. } => "response",
        SessionEvent::Event(m) => m.element_name(),
        SessionEvent::Down(_) => "down",
    }
}

fn event_kind<A>(event: &RegistrarEvent<A>) -> &'static str {
    match event {
        RegistrarEvent::PhoneUp { .. } => "phone up",
        RegistrarEvent::ContactChanged { .. } => "contact changed",
        RegistrarEvent::PhoneDown { .. } => "phone down",
        RegistrarEvent::Pending { .. } => "pending activation",
    }
}

/// A seed for a per-phone or per-listener generator, drawn from the core's own.
fn next_seed(ids: &mut IdGenerator) -> u64 {
    let secret = ids.nonce_secret();
    u64::from_le_bytes([
        secret[0], secret[1], secret[2], secret[3], secret[4], secret[5], secret[6], secret[7],
    ])
}

/// A SIP URI at one of our listeners, with `transport=` for stream transports.
fn listener_uri(user: Option<&str>, addr: SocketAddr, protocol: Protocol) -> Uri {
    let mut uri = Uri::sip(user, Host::Ip(addr.ip()), Some(addr.port()));
    if protocol != Protocol::Udp
        && let Some(sip) = uri.as_sip_mut()
    {
        sip.params.set(
            "transport",
            Some(&protocol.via_token().to_ascii_lowercase()),
        );
    }
    uri
}

/// Whether an outstanding phone request answers this client.
fn awaiting_client(awaiting: &Awaiting, client: ClientId) -> bool {
    match awaiting {
        Awaiting::Client { client: c, .. }
        | Awaiting::AlternateHold { client: c, .. }
        | Awaiting::AlternateRetrieve { client: c, .. } => *c == client,
        Awaiting::OpenPoint { .. } | Awaiting::ClosePoint => false,
    }
}

/// Whether an INVITE opens a TR/87 session rather than a call: it carries CSTA, or it carries nothing
/// and names no phone's line (Cisco CME clients send the first INVITE without a body).
fn is_tr87_invite(request: &Request, names_a_line: bool) -> bool {
    let csta = request
        .headers
        .typed::<uacsta_sip::header::ContentType>()
        .and_then(Result::ok)
        .is_some_and(|c| c.is("application", "csta+xml"));
    csta || (request.body.is_empty() && !names_a_line)
}

/// The MAC a REGISTER's address-of-record names.
fn aor_mac(request: &Request) -> Option<Mac> {
    let to = request.headers.require::<uacsta_sip::header::To>().ok()?;
    to.uri.user()?.parse().ok()
}

fn call_id(request: &Request) -> Option<String> {
    request
        .headers
        .require::<uacsta_sip::header::CallId>()
        .ok()
        .map(|c| c.0)
}

/// The key a device is found by: the user part of a sip/sips/tel URI, or the string itself.
pub fn device_key(device: &str) -> String {
    let d = device.trim();
    match d.parse::<Uri>() {
        Ok(uri) => uri
            .user()
            .map(str::to_string)
            .unwrap_or_else(|| d.to_string()),
        Err(_) => d.to_string(),
    }
}

/// The JSON form of a message's body: `{"Name": {...}}` -> the inner object.
fn body_json(message: &CstaMessage) -> serde_json::Value {
    let value = serde_json::to_value(message).unwrap_or_default();
    value
        .as_object()
        .and_then(|o| o.values().next().cloned())
        .unwrap_or_default()
}

/// A device given as a string or as `{"value": ...}` / `{"deviceIdentifier": ...}`.
fn device_string(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => ["value", "deviceIdentifier", "deviceObject", "deviceID"]
            .iter()
            .find_map(|k| o.get(*k).and_then(device_string)),
        _ => None,
    }
}

/// The device a client request acts on (ECMA-269: the calling device of MakeCall, the device of a
/// connection for call control, the device of device features, the monitor object of MonitorStart).
pub fn target_device(message: &CstaMessage) -> Option<String> {
    let body = body_json(message);
    let paths: &[&str] = match message.element_name() {
        "MonitorStart" => &["monitorObject"],
        "MakeCall" => &["callingDevice"],
        "SnapshotDevice" => &["snapshotObject"],
        "SnapshotCall" => &["snapshotObject/deviceID"],
        "DirectedPickupCall" => &["requestingDevice"],
        "GetDoNotDisturb"
        | "SetDoNotDisturb"
        | "GetForwarding"
        | "SetForwarding"
        | "GetMessageWaitingIndicator"
        | "SetMessageWaitingIndicator"
        | "GetLogicalDeviceInformation"
        | "GetPhysicalDeviceInformation" => &["device"],
        "AnswerCall" => &["callToBeAnswered/deviceID"],
        "ClearConnection" => &["connectionToBeCleared/deviceID"],
        "HoldCall" => &["callToBeHeld/deviceID"],
        "RetrieveCall" => &["callToBeRetrieved/deviceID"],
        "ConsultationCall" => &["existingCall/deviceID"],
        "DeflectCall" => &["callToBeDiverted/deviceID"],
        "DialDigits" => &["callToBeDialed/deviceID"],
        "GenerateDigits" => &["connectionToSendDigits/deviceID"],
        "SingleStepTransferCall" => &["activeCall/deviceID"],
        "SingleStepConferenceCall" => &["activeCall/deviceID", "deviceToJoin"],
        "AlternateCall" | "ConferenceCall" | "ReconnectCall" | "TransferCall" => {
            &["heldCall/deviceID", "activeCall/deviceID"]
        }
        _ => &[],
    };
    paths.iter().find_map(|path| {
        let mut v = &body;
        for part in path.split('/') {
            v = v.get(part)?;
        }
        device_string(v)
    })
}

/// The monitorCrossRefID of an event.
fn cross_ref(message: &CstaMessage) -> Option<String> {
    body_json(message)
        .get("monitorCrossRefID")
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// The event with the client's cross-reference id in place of the phone's.
fn with_cross_ref(message: &CstaMessage, xref: &str) -> CstaMessage {
    let mut value = serde_json::to_value(message).unwrap_or_default();
    if let Some(body) = value
        .as_object_mut()
        .and_then(|o| o.values_mut().next())
        .and_then(|b| b.as_object_mut())
    {
        body.insert(
            "monitorCrossRefID".into(),
            serde_json::Value::String(xref.to_string()),
        );
    }
    serde_json::from_value(value).unwrap_or_else(|_| message.clone())
}

fn monitor_start_for(device: &str) -> CstaMessage {
    let json =
        serde_json::json!({"MonitorStart": {"monitorObject": {"deviceObject": {"value": device}}}});
    serde_json::from_value(json).unwrap_or_else(|_| CstaMessage::from(MonitorStart::default()))
}

fn out_of_service(xref: &str, device: &str) -> CstaMessage {
    CstaMessage::from(OutOfServiceEvent {
        monitor_cross_ref_id: xref.to_string(),
        device: DeviceID {
            value: device.to_string(),
            ..Default::default()
        },
        ..Default::default()
    })
}

fn back_in_service(xref: &str, device: &str) -> CstaMessage {
    CstaMessage::from(BackInServiceEvent {
        monitor_cross_ref_id: xref.to_string(),
        device: DeviceID {
            value: device.to_string(),
            ..Default::default()
        },
        ..Default::default()
    })
}

fn describe(message: &CstaMessage) -> String {
    uacsta_csta::encode(message, uacsta_csta::Edition::Ed5)
}

/// The CSTA error a client gets when the phone refused to open a monitor point.
fn refusal(error: &str) -> CstaMessage {
    if error.contains("out of service") {
        return CstaMessage::from(CSTAErrorCode::SystemResourceAvailability(
            SystemResourceAvailabilityError::DeviceOutOfService,
        ));
    }
    match uacsta_csta::decode(error.as_bytes(), uacsta_csta::Mode::Tolerant) {
        Ok(d) if d.message.element_name() == "CSTAErrorCode" => d.message,
        _ => CstaMessage::from(CSTAErrorCode::Operation(
            OperationError::InvalidMonitorObject,
        )),
    }
}

/// The CSTA error for a request the phone did not answer.
fn error_for(error: &crate::phone_session::SessionError) -> CstaMessage {
    use crate::phone_session::SessionError;
    CstaMessage::from(match error {
        SessionError::Down | SessionError::NotReady => CSTAErrorCode::SystemResourceAvailability(
            SystemResourceAvailabilityError::DeviceOutOfService,
        ),
        // No ECMA-269 value names a timeout; a busy resource is what the client can retry on.
        SessionError::Timeout(_) => {
            CSTAErrorCode::SystemResourceAvailability(SystemResourceAvailabilityError::ResourceBusy)
        }
        SessionError::SipStatus(_) | SessionError::BadResponse(_) => {
            CSTAErrorCode::Operation(OperationError::Generic)
        }
    })
}
