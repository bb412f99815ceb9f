//! Invoke ids and request/response correlation for CSTA over a stream (ECMA-323 Annex J.2).
//!
//! A request carries an invoke id `0000`..`9998` in its frame header and the peer answers with the same
//! id; `9999` is reserved for events (see [`crate::framing`], where the sources for these ranges are
//! listed). [`Correlator`] hands out request ids in rising order, wraps from 9998 back to 0 and skips ids
//! whose request is still outstanding, so an id is never in use twice. It remembers, per outstanding
//! request, a deadline and a caller payload (typically who to answer), matches responses by invoke id,
//! and gives back the requests whose deadline passed so the caller can answer its own client with a CSTA
//! error. It is sans-IO: it never reads a clock, every time is passed in.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Instant;

use crate::framing::InvokeIdField;

/// How many finished invoke ids are remembered to tell a duplicate or late response from an unknown one.
const RECENT_CAPACITY: usize = 256;

/// Why a request could not be registered or a response not matched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrelationError {
    /// All 9999 request ids are outstanding.
    #[error("all request invoke ids 0000-9998 are outstanding")]
    InvokeIdsExhausted,
    /// The id given for a new request is still in use.
    #[error("invoke id {0} is already outstanding")]
    AlreadyOutstanding(InvokeIdField),
    /// `9999` was given as a request id, or a response arrived with it.
    #[error("invoke id 9999 is reserved for events")]
    EventInvokeId,
    /// A second response arrived for a request already answered.
    #[error("duplicate response for invoke id {0}")]
    DuplicateResponse(InvokeIdField),
    /// A response arrived after its request had timed out.
    #[error("response for invoke id {0} arrived after the request timed out")]
    LateResponse(InvokeIdField),
    /// A response for an id never used (or finished too long ago to be remembered).
    #[error("response for unknown invoke id {0}")]
    UnknownInvokeId(InvokeIdField),
}

/// A request whose deadline passed without a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedOut<T> {
    /// The request's invoke id, now free again.
    pub invoke_id: InvokeIdField,
    /// The deadline that passed.
    pub deadline: Instant,
    /// The payload given when the request was registered.
    pub payload: T,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finished {
    Answered,
    TimedOut,
}

#[derive(Debug)]
struct Outstanding<T> {
    deadline: Instant,
    payload: T,
}

/// Outstanding requests of one connection, keyed by invoke id.
#[derive(Debug)]
pub struct Correlator<T> {
    next: u16,
    outstanding: HashMap<InvokeIdField, Outstanding<T>>,
    deadlines: BTreeSet<(Instant, InvokeIdField)>,
    recent: VecDeque<(InvokeIdField, Finished)>,
}

impl<T> Default for Correlator<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Correlator<T> {
    /// An empty correlator whose first request id is `0000`.
    pub fn new() -> Self {
        Self::starting_at(0)
    }

    /// An empty correlator whose first request id is `first` (taken modulo 9999), e.g. to avoid reusing
    /// the ids of a previous connection right away.
    pub fn starting_at(first: u16) -> Self {
        Self {
            next: first % (InvokeIdField::MAX_REQUEST + 1),
            outstanding: HashMap::new(),
            deadlines: BTreeSet::new(),
            recent: VecDeque::new(),
        }
    }

    /// Number of outstanding requests.
    pub fn len(&self) -> usize {
        self.outstanding.len()
    }

    /// Whether no request is outstanding.
    pub fn is_empty(&self) -> bool {
        self.outstanding.is_empty()
    }

    /// Whether `invoke_id` belongs to an outstanding request.
    pub fn is_outstanding(&self, invoke_id: InvokeIdField) -> bool {
        self.outstanding.contains_key(&invoke_id)
    }

    /// The next free request id, in rising order from the last one handed out, wrapping after 9998 and
    /// skipping outstanding ids. The id is not reserved until [`Correlator::register`].
    pub fn allocate(&mut self) -> Result<InvokeIdField, CorrelationError> {
        let ids = InvokeIdField::MAX_REQUEST + 1;
        for step in 0..ids {
            let value = (self.next + step) % ids;
            let candidate = InvokeIdField::new(value).ok_or(CorrelationError::EventInvokeId)?;
            if !self.outstanding.contains_key(&candidate) {
                self.next = (value + 1) % ids;
                return Ok(candidate);
            }
        }
        Err(CorrelationError::InvokeIdsExhausted)
    }

    /// Records an outstanding request under `invoke_id`, answered by `deadline` at the latest.
    pub fn register(
        &mut self,
        invoke_id: InvokeIdField,
        deadline: Instant,
        payload: T,
    ) -> Result<(), CorrelationError> {
        if invoke_id.is_event() {
            return Err(CorrelationError::EventInvokeId);
        }
        if self.outstanding.contains_key(&invoke_id) {
            return Err(CorrelationError::AlreadyOutstanding(invoke_id));
        }
        self.recent.retain(|(id, _)| *id != invoke_id);
        self.deadlines.insert((deadline, invoke_id));
        self.outstanding
            .insert(invoke_id, Outstanding { deadline, payload });
        Ok(())
    }

    /// Allocates a request id and registers the request under it.
    pub fn start_request(
        &mut self,
        deadline: Instant,
        payload: T,
    ) -> Result<InvokeIdField, CorrelationError> {
        let invoke_id = self.allocate()?;
        self.register(invoke_id, deadline, payload)?;
        Ok(invoke_id)
    }

    /// Matches a response to its request and returns the request's payload; the id becomes free.
    pub fn on_response(&mut self, invoke_id: InvokeIdField) -> Result<T, CorrelationError> {
        if invoke_id.is_event() {
            return Err(CorrelationError::EventInvokeId);
        }
        match self.outstanding.remove(&invoke_id) {
            Some(request) => {
                self.deadlines.remove(&(request.deadline, invoke_id));
                self.remember(invoke_id, Finished::Answered);
                Ok(request.payload)
            }
            None => Err(match self.recent.iter().find(|(id, _)| *id == invoke_id) {
                Some((_, Finished::Answered)) => CorrelationError::DuplicateResponse(invoke_id),
                Some((_, Finished::TimedOut)) => CorrelationError::LateResponse(invoke_id),
                None => CorrelationError::UnknownInvokeId(invoke_id),
            }),
        }
    }

    /// Forgets an outstanding request without a response (e.g. its client went away); a response that
    /// arrives later is reported as unknown.
    pub fn cancel(&mut self, invoke_id: InvokeIdField) -> Option<T> {
        let request = self.outstanding.remove(&invoke_id)?;
        self.deadlines.remove(&(request.deadline, invoke_id));
        Some(request.payload)
    }

    /// Removes and returns every request whose deadline is at or before `now`, earliest first.
    pub fn poll_timeout(&mut self, now: Instant) -> Vec<TimedOut<T>> {
        let mut expired = Vec::new();
        while let Some(&(deadline, invoke_id)) = self.deadlines.first() {
            if deadline > now {
                break;
            }
            self.deadlines.pop_first();
            if let Some(request) = self.outstanding.remove(&invoke_id) {
                self.remember(invoke_id, Finished::TimedOut);
                expired.push(TimedOut {
                    invoke_id,
                    deadline,
                    payload: request.payload,
                });
            }
        }
        expired
    }

    /// The earliest deadline of an outstanding request: when to call [`Correlator::poll_timeout`] next.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.first().map(|(deadline, _)| *deadline)
    }

    fn remember(&mut self, invoke_id: InvokeIdField, finished: Finished) {
        if self.recent.len() == RECENT_CAPACITY {
            self.recent.pop_front();
        }
        self.recent.push_back((invoke_id, finished));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn id(value: u16) -> InvokeIdField {
        InvokeIdField::new(value).expect("test invoke id is at most 9999")
    }

    fn secs(base: Instant, n: u64) -> Instant {
        base + Duration::from_secs(n)
    }

    #[test]
    fn ids_rise_and_wrap_after_9998_without_touching_9999() {
        let t0 = Instant::now();
        let mut c = Correlator::starting_at(9997);
        let got: Vec<u16> = (0..4)
            .map(|n| c.start_request(secs(t0, 10), n).expect("free ids").value())
            .collect();
        assert_eq!(got, [9997, 9998, 0, 1]);
    }

    #[test]
    fn allocation_skips_ids_still_outstanding() {
        let t0 = Instant::now();
        let mut c = Correlator::new();
        c.register(id(0), secs(t0, 10), "a").expect("free");
        c.register(id(1), secs(t0, 10), "b").expect("free");
        c.register(id(3), secs(t0, 10), "c").expect("free");
        assert_eq!(c.allocate(), Ok(id(2)));
        assert_eq!(c.allocate(), Ok(id(4)));
    }

    #[test]
    fn wrapping_allocation_skips_the_long_running_request() {
        let t0 = Instant::now();
        let mut c = Correlator::new();
        let long = c.start_request(secs(t0, 1000), "long").expect("free");
        assert_eq!(long, id(0));
        for _ in 1..=InvokeIdField::MAX_REQUEST {
            let short = c.start_request(secs(t0, 1), "short").expect("free");
            assert_eq!(c.on_response(short), Ok("short"));
        }
        assert_eq!(c.allocate(), Ok(id(1)), "0000 is still outstanding");
    }

    #[test]
    fn exhaustion_is_reported() {
        let t0 = Instant::now();
        let mut c = Correlator::new();
        for n in 0..=InvokeIdField::MAX_REQUEST {
            c.start_request(secs(t0, 1), n).expect("free");
        }
        assert_eq!(c.len(), 9999);
        assert_eq!(c.allocate(), Err(CorrelationError::InvokeIdsExhausted));
    }

    #[test]
    fn response_returns_the_payload_once() {
        let t0 = Instant::now();
        let mut c = Correlator::new();
        let first = c.start_request(secs(t0, 5), "client-1").expect("free");
        let second = c.start_request(secs(t0, 5), "client-2").expect("free");
        assert_eq!(c.on_response(second), Ok("client-2"));
        assert_eq!(c.on_response(first), Ok("client-1"));
        assert_eq!(
            c.on_response(first),
            Err(CorrelationError::DuplicateResponse(first))
        );
        assert_eq!(
            c.on_response(id(77)),
            Err(CorrelationError::UnknownInvokeId(id(77)))
        );
        assert_eq!(
            c.on_response(InvokeIdField::EVENT),
            Err(CorrelationError::EventInvokeId)
        );
        assert!(c.is_empty());
        assert_eq!(c.next_deadline(), None);
    }

    #[test]
    fn register_refuses_event_id_and_ids_in_use() {
        let t0 = Instant::now();
        let mut c = Correlator::new();
        assert_eq!(
            c.register(InvokeIdField::EVENT, t0, ()),
            Err(CorrelationError::EventInvokeId)
        );
        c.register(id(5), t0, ()).expect("free");
        assert_eq!(
            c.register(id(5), t0, ()),
            Err(CorrelationError::AlreadyOutstanding(id(5)))
        );
    }

    #[test]
    fn timeouts_come_out_in_deadline_order_on_synthetic_time() {
        let t0 = Instant::now();
        let mut c = Correlator::new();
        let late = c.start_request(secs(t0, 30), "late").expect("free");
        let early = c.start_request(secs(t0, 10), "early").expect("free");
        let middle = c.start_request(secs(t0, 20), "middle").expect("free");
        assert_eq!(c.next_deadline(), Some(secs(t0, 10)));

        assert!(c.poll_timeout(secs(t0, 9)).is_empty());
        let expired = c.poll_timeout(secs(t0, 20));
        assert_eq!(
            expired,
            vec![
                TimedOut {
                    invoke_id: early,
                    deadline: secs(t0, 10),
                    payload: "early"
                },
                TimedOut {
                    invoke_id: middle,
                    deadline: secs(t0, 20),
                    payload: "middle"
                },
            ]
        );
        assert_eq!(c.next_deadline(), Some(secs(t0, 30)));
        assert!(c.is_outstanding(late));
        assert_eq!(
            c.on_response(early),
            Err(CorrelationError::LateResponse(early))
        );
        assert_eq!(c.on_response(late), Ok("late"));
        assert!(c.poll_timeout(secs(t0, 100)).is_empty());
    }

    #[test]
    fn cancelled_request_no_longer_times_out() {
        let t0 = Instant::now();
        let mut c = Correlator::new();
        let req = c.start_request(secs(t0, 1), 42).expect("free");
        assert_eq!(c.cancel(req), Some(42));
        assert!(c.poll_timeout(secs(t0, 2)).is_empty());
        assert_eq!(
            c.on_response(req),
            Err(CorrelationError::UnknownInvokeId(req))
        );
    }

    #[test]
    fn reused_id_is_matched_afresh() {
        let t0 = Instant::now();
        let mut c = Correlator::new();
        c.register(id(9), t0, "old").expect("free");
        assert_eq!(c.on_response(id(9)), Ok("old"));
        c.register(id(9), t0, "new").expect("free again");
        assert_eq!(c.on_response(id(9)), Ok("new"));
    }
}
