//! SIP transactions: RFC 3261 §17 as updated by RFC 6026 §7–8.
//!
//! Four state machines live here: the INVITE client transaction (§17.1.1, with the Accepted state and
//! Timer M of RFC 6026 §8.4), the non-INVITE client transaction (§17.1.2), the INVITE server transaction
//! (§17.2.1, with the Accepted state and Timer L of RFC 6026 §8.5–8.7) and the non-INVITE server
//! transaction (§17.2.2). A [`TransactionLayer`] owns any number of them, matches incoming messages to
//! them (§17.1.3, §17.2.3, including the RFC 2543 fallback), and drives their timers.
//!
//! The layer is sans-IO: the caller passes messages and the current `Instant` in, and polls out
//! [`Transmit`]s, [`TxEvent`]s and the next deadline. Each transmit carries the caller's destination
//! value (`A`): the one given to [`TransactionLayer::send_request`] for client transactions, the source
//! of the request for server transactions (RFC 3261 §18.2.2 leaves the choice to the transport).
//! Transactions are removed when they reach Terminated; a removed transaction is one whose
//! [`TransactionLayer::state`] is `None`. Every operation is O(1) amortized (hash maps) or O(log n)
//! (the timer heap, with lazy deletion of disarmed timers).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::header::{CSeq, CallId, From, HeaderError, To, Via};
use crate::message::{HeaderName, Message, Method, Request, Response, StatusCode, TypedHeader};

/// The timer base values of RFC 3261 §17.1.1.1 and Table 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// Round-trip time estimate (default 500 ms).
    pub t1: Duration,
    /// Longest retransmit interval for non-INVITE requests and INVITE responses (default 4 s).
    pub t2: Duration,
    /// Longest time a message stays in the network (default 5 s).
    pub t4: Duration,
    /// Timer D on unreliable transports: "at least 32 seconds" (§17.1.1.2).
    pub timer_d: Duration,
    /// How long an INVITE server transaction waits for a provisional response from the TU before it
    /// sends 100 Trying itself (§17.2.1: 200 ms).
    pub trying_delay: Duration,
}

impl Default for TimerConfig {
    fn default() -> TimerConfig {
        TimerConfig {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            timer_d: Duration::from_secs(32),
            trying_delay: Duration::from_millis(200),
        }
    }
}

impl TimerConfig {
    /// 64*T1: Timers B, F, H, J (unreliable), L and M.
    pub fn t1x64(&self) -> Duration {
        self.t1 * 64
    }
}

/// A transaction, as the layer names it. Ids are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxId(u64);

/// Which of the four state machines a transaction runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxKind {
    ClientInvite,
    ClientNonInvite,
    ServerInvite,
    ServerNonInvite,
}

/// Transaction states (RFC 3261 Figures 5–8, RFC 6026 Figures 5–6). Terminated transactions are removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxState {
    /// INVITE client: request sent, nothing heard.
    Calling,
    /// Non-INVITE client or server: request sent or received, no response yet.
    Trying,
    Proceeding,
    Completed,
    /// INVITE server: ACK received for a non-2xx final response.
    Confirmed,
    /// INVITE client or server after a 2xx (RFC 6026 §7.1).
    Accepted,
}

/// The timers of RFC 3261 Table 4 and RFC 6026 §8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// INVITE request retransmit.
    A,
    /// INVITE transaction timeout.
    B,
    /// Wait time for response retransmits (INVITE client, Completed).
    D,
    /// Non-INVITE request retransmit.
    E,
    /// Non-INVITE transaction timeout.
    F,
    /// INVITE final response retransmit.
    G,
    /// Wait time for ACK receipt.
    H,
    /// Wait time for ACK retransmits.
    I,
    /// Wait time for non-INVITE request retransmits.
    J,
    /// Wait time for non-INVITE response retransmits.
    K,
    /// INVITE server: wait time for INVITE retransmits after a 2xx (RFC 6026).
    L,
    /// INVITE client: wait time for 2xx retransmits (RFC 6026).
    M,
    /// INVITE server: send 100 Trying if the TU has not answered (§17.2.1).
    Trying,
}

/// Why the layer refused an operation or a message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransactionError {
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error("top Via has no branch parameter")]
    MissingBranch,
    #[error("request method {method} differs from CSeq method {cseq}")]
    MethodMismatch { method: Method, cseq: Method },
    #[error("ACK is never sent in a client transaction (RFC 3261 §17.1.1.3, §13.2.2.4)")]
    AckNotTransaction,
    #[error("a transaction with branch {0} and this method already exists")]
    DuplicateBranch(String),
    #[error("no transaction {0:?}")]
    UnknownTransaction(TxId),
    #[error("transaction {tx:?} is a {kind:?} transaction and cannot {action}")]
    WrongKind {
        tx: TxId,
        kind: TxKind,
        action: &'static str,
    },
    #[error("transaction {tx:?} is {state:?} and cannot {action}")]
    WrongState {
        tx: TxId,
        state: TxState,
        action: &'static str,
    },
}

/// What the transaction layer tells its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxEvent {
    /// A request that created a server transaction; answer with [`TransactionLayer::send_response`].
    Request { tx: TxId, request: Request },
    /// A CANCEL (RFC 3261 §9.2): it has its own server transaction `tx` (answer 200, or 481 when `invite`
    /// is `None`); `invite` is the INVITE server transaction it cancels, which the TU answers with 487 if
    /// it has not sent a final response yet.
    Cancel {
        tx: TxId,
        request: Request,
        invite: Option<TxId>,
    },
    /// A response for a client transaction, to pass to the TU.
    Response { tx: TxId, response: Response },
    /// An ACK for a 2xx: it matched no transaction, or an INVITE server transaction in the Accepted state
    /// (RFC 6026 §8.7). It belongs to the dialog.
    Ack { tx: Option<TxId>, request: Request },
    /// A response that matched no client transaction (§18.1.2), e.g. a 2xx retransmission after Timer M.
    StrayResponse { response: Response },
    /// Timer B or F fired (the TU acts as on a 408, §8.1.3.1), or Timer H (no ACK for a non-2xx final
    /// response). The transaction is gone.
    Timeout { tx: TxId, timer: Timer },
}

/// A message to put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit<A> {
    /// The transaction the message belongs to; `None` for stateless sends.
    pub tx: Option<TxId>,
    pub destination: A,
    pub reliable: bool,
    pub message: Message,
}

/// How transactions are found (§17.1.3, §17.2.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TxKey {
    Client {
        branch: String,
        method: Method,
    },
    Server {
        branch: String,
        sent_by: String,
        method: Method,
    },
    /// RFC 2543 fallback: the branch lacks the magic cookie. ACK carries the INVITE's method, and the To
    /// tag of the request (the one of the response for an ACK to a non-2xx, checked separately).
    Server2543 {
        uri: String,
        to_tag: Option<String>,
        from_tag: Option<String>,
        call_id: String,
        cseq: u32,
        via: String,
        method: Method,
    },
}

struct Transaction<A> {
    kind: TxKind,
    state: TxState,
    key: TxKey,
    reliable: bool,
    destination: A,
    /// The request that created the transaction (retransmitted by clients, matched by servers).
    request: Request,
    /// Server: the last response sent, retransmitted on request retransmissions.
    last_response: Option<Response>,
    /// INVITE client: the ACK sent for a non-2xx final response.
    ack: Option<Request>,
    /// A, E, G or Trying, with the current interval.
    retransmit: Option<(Timer, Instant)>,
    interval: Duration,
    /// B, D, F, H, I, J, K, L or M.
    deadline: Option<(Timer, Instant)>,
}

/// Many transactions, matched and timed together.
pub struct TransactionLayer<A> {
    config: TimerConfig,
    next_id: u64,
    transactions: HashMap<TxId, Transaction<A>>,
    keys: HashMap<TxKey, TxId>,
    timers: BinaryHeap<Reverse<(Instant, TxId, TimerSlot)>>,
    transmits: VecDeque<Transmit<A>>,
    events: VecDeque<TxEvent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TimerSlot {
    Retransmit,
    Deadline,
}

fn top_via(headers: &crate::message::Headers) -> Result<Via, TransactionError> {
    Ok(headers.require::<Via>()?)
}

fn client_key(via: &Via, method: &Method) -> Result<TxKey, TransactionError> {
    Ok(TxKey::Client {
        branch: via.branch().ok_or(TransactionError::MissingBranch)?,
        method: method.clone(),
    })
}

/// The key of a request at the server; `to_tag` overrides the request's To tag (ACK lookups).
fn server_key(
    request: &Request,
    method: Method,
    to_tag: Option<Option<String>>,
) -> Result<TxKey, TransactionError> {
    let via = top_via(&request.headers)?;
    if via.is_rfc3261_branch() {
        return Ok(TxKey::Server {
            branch: via.branch().ok_or(TransactionError::MissingBranch)?,
            sent_by: via.sent_by().to_ascii_lowercase(),
            method,
        });
    }
    let to_tag = match to_tag {
        Some(t) => t,
        None => request.headers.require::<To>()?.tag(),
    };
    Ok(TxKey::Server2543 {
        uri: request.uri.to_string(),
        to_tag,
        from_tag: request.headers.require::<From>()?.tag(),
        call_id: request.headers.require::<CallId>()?.0,
        cseq: request.headers.require::<CSeq>()?.seq,
        via: via.render(),
        method,
    })
}

/// A copy of `request` with only its top Via (ACK and CANCEL, §17.1.1.3, §9.1).
fn copy_for(request: &Request, method: Method, to: &str) -> Result<Request, TransactionError> {
    let mut out = Request::new(method.clone(), request.uri.clone());
    let via = request
        .headers
        .get_all(&HeaderName::Via)
        .next()
        .and_then(|line| crate::message::split_list(line).first().copied())
        .ok_or_else(|| HeaderError::missing(HeaderName::Via))?;
    out.headers.push(HeaderName::Via, via);
    out.headers.push(HeaderName::MaxForwards, "70");
    for name in [HeaderName::From, HeaderName::CallId] {
        let value = request
            .headers
            .get(&name)
            .ok_or_else(|| HeaderError::missing(name.clone()))?;
        out.headers.push(name, value);
    }
    out.headers.push(HeaderName::To, to);
    let cseq = request.headers.require::<CSeq>()?;
    out.headers.push_typed(&CSeq {
        seq: cseq.seq,
        method,
    });
    for route in request.headers.get_all(&HeaderName::Route) {
        out.headers.push(HeaderName::Route, route);
    }
    Ok(out)
}

/// The ACK an INVITE client transaction sends for a non-2xx final response (RFC 3261 §17.1.1.3):
/// Request-URI, Call-ID, From and CSeq number of the INVITE, To of the response, the INVITE's top Via
/// only, and its Route headers.
pub fn ack_for_non_2xx(invite: &Request, response: &Response) -> Result<Request, TransactionError> {
    let to = response
        .headers
        .get(&HeaderName::To)
        .ok_or_else(|| HeaderError::missing(HeaderName::To))?;
    copy_for(invite, Method::Ack, to)
}

/// The CANCEL for an INVITE (RFC 3261 §9.1): same Request-URI, Call-ID, To, From, CSeq number and top
/// Via (so the same branch) as the INVITE, method CANCEL, and its Route headers.
pub fn cancel_for(invite: &Request) -> Result<Request, TransactionError> {
    let to = invite
        .headers
        .get(&HeaderName::To)
        .ok_or_else(|| HeaderError::missing(HeaderName::To))?;
    copy_for(invite, Method::Cancel, to)
}

impl<A: Clone> TransactionLayer<A> {
    pub fn new(config: TimerConfig) -> TransactionLayer<A> {
        TransactionLayer {
            config,
            next_id: 0,
            transactions: HashMap::new(),
            keys: HashMap::new(),
            timers: BinaryHeap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &TimerConfig {
        &self.config
    }

    /// How many transactions are alive.
    pub fn len(&self) -> usize {
        self.transactions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.transactions.is_empty()
    }

    /// The state of a live transaction; `None` once it has terminated.
    pub fn state(&self, tx: TxId) -> Option<TxState> {
        self.transactions.get(&tx).map(|t| t.state)
    }

    pub fn kind(&self, tx: TxId) -> Option<TxKind> {
        self.transactions.get(&tx).map(|t| t.kind)
    }

    /// The request that created a live transaction.
    pub fn request(&self, tx: TxId) -> Option<&Request> {
        self.transactions.get(&tx).map(|t| &t.request)
    }

    /// Starts a client transaction (§17.1.1.2, §17.1.2.2). The request carries its top Via with the
    /// branch the caller chose and a CSeq naming its method. `reliable` is the transport's.
    /// Where a transaction's messages go: the destination given to `send_request`, or the source of
    /// the request that created a server transaction.
    pub fn destination(&self, tx: TxId) -> Option<&A> {
        self.transactions.get(&tx).map(|t| &t.destination)
    }

    pub fn send_request(
        &mut self,
        request: Request,
        destination: A,
        reliable: bool,
        now: Instant,
    ) -> Result<TxId, TransactionError> {
        if request.method == Method::Ack {
            return Err(TransactionError::AckNotTransaction);
        }
        let cseq = request.headers.require::<CSeq>()?;
        if cseq.method != request.method {
            return Err(TransactionError::MethodMismatch {
                method: request.method.clone(),
                cseq: cseq.method,
            });
        }
        let via = top_via(&request.headers)?;
        let key = client_key(&via, &request.method)?;
        if self.keys.contains_key(&key) {
            return Err(TransactionError::DuplicateBranch(
                via.branch().unwrap_or_default(),
            ));
        }
        let (kind, state, retransmit) = if request.method == Method::Invite {
            (TxKind::ClientInvite, TxState::Calling, Timer::A)
        } else {
            (TxKind::ClientNonInvite, TxState::Trying, Timer::E)
        };
        let timeout = if kind == TxKind::ClientInvite {
            Timer::B
        } else {
            Timer::F
        };
        let id = self.insert(Transaction {
            kind,
            state,
            key,
            reliable,
            destination,
            request: request.clone(),
            last_response: None,
            ack: None,
            retransmit: None,
            interval: self.config.t1,
            deadline: None,
        });
        self.transmit(id, request.into());
        if !reliable {
            self.arm(id, TimerSlot::Retransmit, retransmit, now + self.config.t1);
        }
        self.arm(id, TimerSlot::Deadline, timeout, now + self.config.t1x64());
        Ok(id)
    }

    /// Sends a message outside any transaction: the ACK for a 2xx (§13.2.2.4) or a 2xx the TU
    /// retransmits after the INVITE server transaction is gone.
    pub fn send_stateless(&mut self, message: Message, destination: A, reliable: bool) {
        self.transmits.push_back(Transmit {
            tx: None,
            destination,
            reliable,
            message,
        });
    }

    /// Builds the CANCEL for a client INVITE transaction (§9.1). Only allowed once a provisional
    /// response has arrived (the Proceeding state); send it with [`Self::send_request`].
    pub fn cancel(&self, tx: TxId) -> Result<Request, TransactionError> {
        let t = self
            .transactions
            .get(&tx)
            .ok_or(TransactionError::UnknownTransaction(tx))?;
        if t.kind != TxKind::ClientInvite {
            return Err(TransactionError::WrongKind {
                tx,
                kind: t.kind,
                action: "be cancelled",
            });
        }
        if t.state != TxState::Proceeding {
            return Err(TransactionError::WrongState {
                tx,
                state: t.state,
                action: "be cancelled before a provisional response",
            });
        }
        cancel_for(&t.request)
    }

    /// The TU's response for a server transaction (§17.2.1, §17.2.2, RFC 6026 §8.5–8.6).
    pub fn send_response(
        &mut self,
        tx: TxId,
        response: Response,
        now: Instant,
    ) -> Result<(), TransactionError> {
        let config = self.config;
        let t = self
            .transactions
            .get_mut(&tx)
            .ok_or(TransactionError::UnknownTransaction(tx))?;
        let status = response.status;
        let wrong_state = |state| TransactionError::WrongState {
            tx,
            state,
            action: "send this response",
        };
        match (t.kind, t.state) {
            (TxKind::ServerInvite, TxState::Proceeding) => {
                if status.is_provisional() {
                    t.last_response = Some(response.clone());
                    t.retransmit = None;
                    self.transmit(tx, response.into());
                } else if status.is_success() {
                    // RFC 6026 §8.5: the 2xx moves to Accepted; the TU retransmits it (§13.3.1.4).
                    t.state = TxState::Accepted;
                    t.retransmit = None;
                    t.last_response = Some(response.clone());
                    self.transmit(tx, response.into());
                    self.arm(tx, TimerSlot::Deadline, Timer::L, now + config.t1x64());
                } else {
                    t.state = TxState::Completed;
                    t.last_response = Some(response.clone());
                    let reliable = t.reliable;
                    self.transmit(tx, response.into());
                    if reliable {
                        self.disarm(tx, TimerSlot::Retransmit);
                    } else {
                        self.set_interval(tx, config.t1);
                        self.arm(tx, TimerSlot::Retransmit, Timer::G, now + config.t1);
                    }
                    self.arm(tx, TimerSlot::Deadline, Timer::H, now + config.t1x64());
                }
            }
            (TxKind::ServerInvite, TxState::Accepted) if status.is_success() => {
                t.last_response = Some(response.clone());
                self.transmit(tx, response.into());
            }
            (TxKind::ServerNonInvite, TxState::Trying | TxState::Proceeding) => {
                t.last_response = Some(response.clone());
                if status.is_provisional() {
                    t.state = TxState::Proceeding;
                    self.transmit(tx, response.into());
                } else {
                    t.state = TxState::Completed;
                    let reliable = t.reliable;
                    self.transmit(tx, response.into());
                    self.wait_or_terminate(tx, Timer::J, reliable, config.t1x64(), now);
                }
            }
            (_, state) => return Err(wrong_state(state)),
        }
        Ok(())
    }

    /// Matches a message from the network to a transaction and runs it (§17.1.3, §17.2.3). `source` is
    /// where a request came from; responses of a new server transaction go there. Malformed messages
    /// (no Via, no CSeq...) are refused with an error and change nothing.
    pub fn handle_incoming(
        &mut self,
        message: Message,
        source: A,
        reliable: bool,
        now: Instant,
    ) -> Result<Option<TxEvent>, TransactionError> {
        match message {
            Message::Response(response) => self.incoming_response(response, now),
            Message::Request(request) if request.method == Method::Ack => {
                self.incoming_ack(request, now)
            }
            Message::Request(request) => self.incoming_request(request, source, reliable, now),
        }
    }

    /// Fires every timer due at `now`; events go to [`Self::poll_event`].
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(Reverse((at, id, slot))) = self.timers.peek().copied() {
            if at > now {
                break;
            }
            self.timers.pop();
            let Some(t) = self.transactions.get(&id) else {
                continue;
            };
            let armed = match slot {
                TimerSlot::Retransmit => t.retransmit,
                TimerSlot::Deadline => t.deadline,
            };
            if let Some((timer, when)) = armed
                && when == at
            {
                self.fire(id, slot, timer, at);
            }
        }
    }

    /// The next message to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit<A>> {
        self.transmits.pop_front()
    }

    /// The next event raised by a timer.
    pub fn poll_event(&mut self) -> Option<TxEvent> {
        self.events.pop_front()
    }

    /// When [`Self::handle_timeout`] must next be called. Drops disarmed timers from the heap top.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        while let Some(Reverse((at, id, slot))) = self.timers.peek().copied() {
            let live = self.transactions.get(&id).is_some_and(|t| {
                let armed = match slot {
                    TimerSlot::Retransmit => t.retransmit,
                    TimerSlot::Deadline => t.deadline,
                };
                armed.is_some_and(|(_, when)| when == at)
            });
            if live {
                return Some(at);
            }
            self.timers.pop();
        }
        None
    }

    fn insert(&mut self, t: Transaction<A>) -> TxId {
        let id = TxId(self.next_id);
        self.next_id += 1;
        self.keys.insert(t.key.clone(), id);
        self.transactions.insert(id, t);
        id
    }

    fn remove(&mut self, id: TxId) {
        if let Some(t) = self.transactions.remove(&id) {
            self.keys.remove(&t.key);
        }
    }

    fn arm(&mut self, id: TxId, slot: TimerSlot, timer: Timer, at: Instant) {
        if let Some(t) = self.transactions.get_mut(&id) {
            match slot {
                TimerSlot::Retransmit => t.retransmit = Some((timer, at)),
                TimerSlot::Deadline => t.deadline = Some((timer, at)),
            }
            self.timers.push(Reverse((at, id, slot)));
        }
    }

    fn disarm(&mut self, id: TxId, slot: TimerSlot) {
        if let Some(t) = self.transactions.get_mut(&id) {
            match slot {
                TimerSlot::Retransmit => t.retransmit = None,
                TimerSlot::Deadline => t.deadline = None,
            }
        }
    }

    fn set_interval(&mut self, id: TxId, interval: Duration) {
        if let Some(t) = self.transactions.get_mut(&id) {
            t.interval = interval;
        }
    }

    /// Timers D, I, J and K are zero on reliable transports (Table 4): terminate at once.
    fn wait_or_terminate(
        &mut self,
        id: TxId,
        timer: Timer,
        reliable: bool,
        unreliable_wait: Duration,
        now: Instant,
    ) {
        self.disarm(id, TimerSlot::Retransmit);
        if reliable {
            self.remove(id);
        } else {
            self.arm(id, TimerSlot::Deadline, timer, now + unreliable_wait);
        }
    }

    fn transmit(&mut self, id: TxId, message: Message) {
        if let Some(t) = self.transactions.get(&id) {
            self.transmits.push_back(Transmit {
                tx: Some(id),
                destination: t.destination.clone(),
                reliable: t.reliable,
                message,
            });
        }
    }

    fn fire(&mut self, id: TxId, slot: TimerSlot, timer: Timer, at: Instant) {
        self.disarm(id, slot);
        let config = self.config;
        let Some(t) = self.transactions.get_mut(&id) else {
            return;
        };
        match timer {
            Timer::A | Timer::E => {
                let next = if timer == Timer::A {
                    // §17.1.1.2: Timer A doubles without a cap.
                    t.interval * 2
                } else if t.state == TxState::Trying {
                    (t.interval * 2).min(config.t2)
                } else {
                    // §17.1.2.2: in Proceeding, retransmit every T2.
                    config.t2
                };
                t.interval = next;
                let request = t.request.clone();
                self.transmit(id, request.into());
                self.arm(id, TimerSlot::Retransmit, timer, at + next);
            }
            Timer::G => {
                let next = (t.interval * 2).min(config.t2);
                t.interval = next;
                if let Some(response) = t.last_response.clone() {
                    self.transmit(id, response.into());
                }
                self.arm(id, TimerSlot::Retransmit, Timer::G, at + next);
            }
            Timer::Trying => {
                let trying = Response::to_request(&t.request, StatusCode::TRYING, None);
                t.last_response = Some(trying.clone());
                self.transmit(id, trying.into());
            }
            Timer::B | Timer::F | Timer::H => {
                self.remove(id);
                self.events.push_back(TxEvent::Timeout { tx: id, timer });
            }
            Timer::D | Timer::I | Timer::J | Timer::K | Timer::L | Timer::M => self.remove(id),
        }
    }

    fn incoming_response(
        &mut self,
        response: Response,
        now: Instant,
    ) -> Result<Option<TxEvent>, TransactionError> {
        let via = top_via(&response.headers)?;
        let cseq = response.headers.require::<CSeq>()?;
        let key = client_key(&via, &cseq.method)?;
        let Some(&id) = self.keys.get(&key) else {
            return Ok(Some(TxEvent::StrayResponse { response }));
        };
        let config = self.config;
        let Some(t) = self.transactions.get_mut(&id) else {
            return Ok(Some(TxEvent::StrayResponse { response }));
        };
        let status = response.status;
        let pass = Some(TxEvent::Response {
            tx: id,
            response: response.clone(),
        });
        let event = match (t.kind, t.state) {
            (TxKind::ClientInvite, TxState::Calling | TxState::Proceeding) => {
                if status.is_provisional() {
                    t.state = TxState::Proceeding;
                    // §17.1.1.2: no more retransmissions; Timer B only matters in Calling.
                    t.retransmit = None;
                    t.deadline = None;
                } else if status.is_success() {
                    // RFC 6026 §8.4: Accepted, 2xx retransmissions go to the TU until Timer M.
                    t.state = TxState::Accepted;
                    t.retransmit = None;
                    self.arm(id, TimerSlot::Deadline, Timer::M, now + config.t1x64());
                } else {
                    t.state = TxState::Completed;
                    let ack = ack_for_non_2xx(&t.request, &response)?;
                    t.ack = Some(ack.clone());
                    let reliable = t.reliable;
                    self.transmit(id, ack.into());
                    self.wait_or_terminate(id, Timer::D, reliable, config.timer_d, now);
                }
                pass
            }
            (TxKind::ClientInvite, TxState::Accepted) if status.is_success() => pass,
            (TxKind::ClientInvite, TxState::Completed)
                if status.is_final() && !status.is_success() =>
            {
                // §17.1.1.2: a retransmitted final response is answered with the ACK again, not passed up.
                if let Some(ack) = t.ack.clone() {
                    self.transmit(id, ack.into());
                }
                None
            }
            (TxKind::ClientNonInvite, TxState::Trying | TxState::Proceeding) => {
                if status.is_provisional() {
                    t.state = TxState::Proceeding;
                } else {
                    t.state = TxState::Completed;
                    t.deadline = None;
                    let reliable = t.reliable;
                    self.wait_or_terminate(id, Timer::K, reliable, config.t4, now);
                }
                pass
            }
            _ => None,
        };
        Ok(event)
    }

    fn incoming_ack(
        &mut self,
        request: Request,
        now: Instant,
    ) -> Result<Option<TxEvent>, TransactionError> {
        let Some(id) = self.find_invite_for_ack(&request)? else {
            return Ok(Some(TxEvent::Ack { tx: None, request }));
        };
        let config = self.config;
        let Some(t) = self.transactions.get_mut(&id) else {
            return Ok(Some(TxEvent::Ack { tx: None, request }));
        };
        match t.state {
            TxState::Completed => {
                // §17.2.1: ACK for the non-2xx; absorb further ACKs for Timer I.
                t.state = TxState::Confirmed;
                t.deadline = None;
                let reliable = t.reliable;
                self.wait_or_terminate(id, Timer::I, reliable, config.t4, now);
                Ok(None)
            }
            TxState::Accepted => Ok(Some(TxEvent::Ack {
                tx: Some(id),
                request,
            })),
            _ => Ok(None),
        }
    }

    /// ACK matches the INVITE server transaction (§17.2.3); in RFC 2543 mode its To tag is the one of the
    /// response the transaction sent.
    fn find_invite_for_ack(&self, ack: &Request) -> Result<Option<TxId>, TransactionError> {
        let key = server_key(ack, Method::Invite, None)?;
        if let Some(&id) = self.keys.get(&key) {
            return Ok(Some(id));
        }
        if !matches!(key, TxKey::Server2543 { .. }) {
            return Ok(None);
        }
        let ack_tag = ack.headers.require::<To>()?.tag();
        let key = server_key(ack, Method::Invite, Some(None))?;
        let Some(&id) = self.keys.get(&key) else {
            return Ok(None);
        };
        let sent_tag = self
            .transactions
            .get(&id)
            .and_then(|t| t.last_response.as_ref())
            .and_then(|r| r.headers.typed::<To>())
            .and_then(Result::ok)
            .and_then(|to| to.tag());
        Ok((sent_tag == ack_tag).then_some(id))
    }

    fn incoming_request(
        &mut self,
        request: Request,
        source: A,
        reliable: bool,
        now: Instant,
    ) -> Result<Option<TxEvent>, TransactionError> {
        let key = server_key(&request, request.method.clone(), None)?;
        if let Some(&id) = self.keys.get(&key) {
            self.retransmitted_request(id);
            return Ok(None);
        }
        let is_invite = request.method == Method::Invite;
        let invite = if request.method == Method::Cancel {
            let invite_key = server_key(&request, Method::Invite, None)?;
            self.keys.get(&invite_key).copied()
        } else {
            None
        };
        let id = self.insert(Transaction {
            kind: if is_invite {
                TxKind::ServerInvite
            } else {
                TxKind::ServerNonInvite
            },
            state: if is_invite {
                TxState::Proceeding
            } else {
                TxState::Trying
            },
            key,
            reliable,
            destination: source,
            request: request.clone(),
            last_response: None,
            ack: None,
            retransmit: None,
            interval: self.config.t1,
            deadline: None,
        });
        if is_invite {
            let at = now + self.config.trying_delay;
            self.arm(id, TimerSlot::Retransmit, Timer::Trying, at);
        }
        Ok(Some(if request.method == Method::Cancel {
            TxEvent::Cancel {
                tx: id,
                request,
                invite,
            }
        } else {
            TxEvent::Request { tx: id, request }
        }))
    }

    /// A request retransmission reaching its server transaction (§17.2.1, §17.2.2).
    fn retransmitted_request(&mut self, id: TxId) {
        let Some(t) = self.transactions.get_mut(&id) else {
            return;
        };
        let resend = match (t.kind, t.state) {
            (TxKind::ServerInvite, TxState::Proceeding) => {
                if t.last_response.is_none() {
                    // No provisional from the TU yet: answer the retransmission with 100 Trying now.
                    t.retransmit = None;
                    t.last_response =
                        Some(Response::to_request(&t.request, StatusCode::TRYING, None));
                }
                t.last_response.clone()
            }
            (TxKind::ServerInvite, TxState::Completed)
            | (TxKind::ServerNonInvite, TxState::Proceeding | TxState::Completed) => {
                t.last_response.clone()
            }
            // Trying (non-INVITE), Accepted (RFC 6026 §8.7) and Confirmed absorb retransmissions.
            _ => None,
        };
        if let Some(response) = resend {
            self.transmit(id, response.into());
        }
    }
}
