//! Two transaction layers on one synthetic clock, joined by a simulated network that can lose chosen
//! messages and be reliable or not (the quinn-proto `Pair` pattern). Time jumps to the next deadline; no
//! test sleeps.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uacsta_sip::header::{CSeq, Via};
use uacsta_sip::transaction::{TimerConfig, TransactionLayer, TxEvent, TxId};
use uacsta_sip::{Message, Method, Request, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Uac,
    Uas,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Uac => Side::Uas,
            Side::Uas => Side::Uac,
        }
    }
}

/// Which messages a drop rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Request(Method),
    Status(u16),
}

impl Kind {
    fn matches(&self, message: &Message) -> bool {
        match (self, message) {
            (Kind::Request(m), Message::Request(r)) => &r.method == m,
            (Kind::Status(s), Message::Response(r)) => r.status.code() == *s,
            _ => false,
        }
    }
}

/// One message put on the wire, delivered or not.
#[derive(Debug, Clone)]
pub struct Sent {
    pub at: Duration,
    pub from: Side,
    pub message: Message,
    pub dropped: bool,
}

impl Sent {
    pub fn request(&self) -> &Request {
        match &self.message {
            Message::Request(r) => r,
            Message::Response(r) => panic!("expected a request, got {}", r.status),
        }
    }

    pub fn response(&self) -> &Response {
        match &self.message {
            Message::Response(r) => r,
            Message::Request(r) => panic!("expected a response, got {}", r.method),
        }
    }
}

struct DropRule {
    from: Side,
    kind: Kind,
    remaining: usize,
}

pub struct Network {
    pub reliable: bool,
    pub latency: Duration,
    rules: Vec<DropRule>,
    loss: Option<(ChaCha8Rng, f64)>,
    in_flight: VecDeque<(Instant, Side, Message)>,
    pub log: Vec<Sent>,
}

impl Network {
    /// Drops the first `n` messages of `kind` sent by `from` (`usize::MAX`: all of them).
    pub fn drop_first(&mut self, from: Side, kind: Kind, n: usize) {
        self.rules.push(DropRule {
            from,
            kind,
            remaining: n,
        });
    }

    /// Loses each message with probability `p`, from a seeded generator.
    pub fn seeded_loss(&mut self, seed: u64, p: f64) {
        self.loss = Some((ChaCha8Rng::seed_from_u64(seed), p));
    }

    fn should_drop(&mut self, from: Side, message: &Message) -> bool {
        for rule in &mut self.rules {
            if rule.from == from && rule.remaining > 0 && rule.kind.matches(message) {
                rule.remaining -= 1;
                return true;
            }
        }
        match &mut self.loss {
            Some((rng, p)) => rng.gen_bool(*p),
            None => false,
        }
    }
}

pub struct Endpoint {
    pub layer: TransactionLayer<()>,
    pub events: VecDeque<TxEvent>,
}

pub struct Pair {
    pub uac: Endpoint,
    pub uas: Endpoint,
    pub net: Network,
    pub start: Instant,
    pub now: Instant,
}

impl Pair {
    pub fn new(reliable: bool) -> Pair {
        Pair::with_config(TimerConfig::default(), reliable)
    }

    pub fn with_config(config: TimerConfig, reliable: bool) -> Pair {
        let start = Instant::now();
        let endpoint = || Endpoint {
            layer: TransactionLayer::new(config),
            events: VecDeque::new(),
        };
        Pair {
            uac: endpoint(),
            uas: endpoint(),
            net: Network {
                reliable,
                latency: Duration::ZERO,
                rules: Vec::new(),
                loss: None,
                in_flight: VecDeque::new(),
                log: Vec::new(),
            },
            start,
            now: start,
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    pub fn at(&self, offset: Duration) -> Instant {
        self.start + offset
    }

    pub fn ep(&mut self, side: Side) -> &mut Endpoint {
        match side {
            Side::Uac => &mut self.uac,
            Side::Uas => &mut self.uas,
        }
    }

    pub fn send_request(&mut self, side: Side, request: Request) -> TxId {
        let (reliable, now) = (self.net.reliable, self.now);
        let tx = self
            .ep(side)
            .layer
            .send_request(request, (), reliable, now)
            .expect("test requests are well formed");
        self.flush();
        tx
    }

    pub fn send_response(&mut self, side: Side, tx: TxId, response: Response) {
        let now = self.now;
        self.ep(side)
            .layer
            .send_response(tx, response, now)
            .expect("the transaction accepts this response");
        self.flush();
    }

    pub fn send_stateless(&mut self, side: Side, message: Message) {
        let reliable = self.net.reliable;
        self.ep(side).layer.send_stateless(message, (), reliable);
        self.flush();
    }

    /// Moves every transmit onto the network and delivers what is due now, until nothing moves.
    pub fn flush(&mut self) {
        loop {
            let mut moved = false;
            for side in [Side::Uac, Side::Uas] {
                while let Some(t) = self.ep(side).layer.poll_transmit() {
                    moved = true;
                    let dropped = self.net.should_drop(side, &t.message);
                    self.net.log.push(Sent {
                        at: self.now - self.start,
                        from: side,
                        message: t.message.clone(),
                        dropped,
                    });
                    if !dropped {
                        let at = self.now + self.net.latency;
                        self.net.in_flight.push_back((at, side.other(), t.message));
                    }
                }
            }
            while let Some(pos) = self
                .net
                .in_flight
                .iter()
                .position(|(at, _, _)| *at <= self.now)
            {
                let Some((_, to, message)) = self.net.in_flight.remove(pos) else {
                    break;
                };
                moved = true;
                let (reliable, now) = (self.net.reliable, self.now);
                let ep = self.ep(to);
                let event = ep
                    .layer
                    .handle_incoming(message, (), reliable, now)
                    .expect("test messages are well formed");
                ep.events.extend(event);
            }
            if !moved {
                break;
            }
        }
    }

    /// The earliest of the layers' timers, the next delivery and `extra` (a TU timer).
    pub fn next_deadline(&mut self, extra: Option<Instant>) -> Option<Instant> {
        [
            self.uac.layer.poll_timeout(),
            self.uas.layer.poll_timeout(),
            self.net.in_flight.iter().map(|(at, _, _)| *at).min(),
            extra,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Jumps to the next deadline (at most `extra`), fires timers and delivers; false when idle.
    pub fn advance(&mut self, extra: Option<Instant>) -> bool {
        let Some(next) = self.next_deadline(extra) else {
            return false;
        };
        self.now = self.now.max(next);
        for side in [Side::Uac, Side::Uas] {
            let now = self.now;
            let ep = self.ep(side);
            ep.layer.handle_timeout(now);
            while let Some(e) = ep.layer.poll_event() {
                ep.events.push_back(e);
            }
        }
        self.flush();
        true
    }

    /// Runs every deadline up to `offset` from the start, then sets the clock there.
    pub fn run_until(&mut self, offset: Duration) {
        let limit = self.at(offset);
        while self.next_deadline(None).is_some_and(|t| t <= limit) {
            self.advance(None);
        }
        self.now = self.now.max(limit);
    }

    /// Advances until `side` has an event and returns it; panics after `limit` of virtual time.
    pub fn next_event(&mut self, side: Side, limit: Duration) -> TxEvent {
        let deadline = self.now + limit;
        loop {
            if let Some(e) = self.ep(side).events.pop_front() {
                return e;
            }
            match self.next_deadline(None) {
                Some(t) if t <= deadline => {
                    self.advance(None);
                }
                _ => panic!("no event for {side:?} within {limit:?}"),
            }
        }
    }

    /// Every message `from` sent, in order, whose method (or CSeq method, for responses) is `method`.
    pub fn sent(&self, from: Side, method: &Method) -> Vec<&Sent> {
        self.net
            .log
            .iter()
            .filter(|s| s.from == from)
            .filter(|s| match &s.message {
                Message::Request(r) => &r.method == method,
                Message::Response(r) => r
                    .headers
                    .require::<CSeq>()
                    .is_ok_and(|c| &c.method == method),
            })
            .collect()
    }

    /// Send times of `sent`, in milliseconds since the start.
    pub fn times_ms(sent: &[&Sent]) -> Vec<u128> {
        sent.iter().map(|s| s.at.as_millis()).collect()
    }
}

/// The branch of the top Via of a message.
pub fn branch(message: &Message) -> String {
    message
        .headers()
        .require::<Via>()
        .ok()
        .and_then(|v| v.branch())
        .unwrap_or_default()
}
