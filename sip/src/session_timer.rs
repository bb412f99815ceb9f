//! Session timers: RFC 4028.
//!
//! A [`SessionTimer`] belongs to one dialog and takes either part in each refresh transaction: as the
//! transaction's UAC it puts Session-Expires, Min-SE and `Supported: timer` on the INVITE or UPDATE
//! (§7.1, §7.4), raises its request after a 422 (§7.3) and reads the interval and refresher from the 2xx
//! (§7.2); as the UAS it checks the request against its Min-SE, answering 422 when the interval is too
//! small (§8.1, §9), picks the refresher and puts Session-Expires and `Require: timer` on the 2xx (§9).
//!
//! The timer is sans-IO: [`SessionTimer::poll_timeout`] gives the deadline and
//! [`SessionTimer::handle_timeout`] yields [`SessionTimerEvent::Refresh`] at half the interval when this
//! side refreshes (§10), or [`SessionTimerEvent::Expired`] at interval − min(32 s, interval/3) when no
//! refresh succeeded (§10): the caller then sends BYE. "uac" and "uas" in the refresher parameter name
//! the roles in the transaction that carries it, so the timer only keeps whether *this* side refreshes.

use std::time::{Duration, Instant};

use thiserror::Error;

use crate::header::{HeaderError, MinSe, Refresher, Require, SessionExpires, Supported};
use crate::message::{HeaderName, Request, Response, StatusCode};
use crate::uri::Params;

/// The option tag of RFC 4028 §3.
pub const TIMER_OPTION: &str = "timer";

/// The lowest Min-SE allowed (§4: 90 seconds).
pub const MIN_SE_FLOOR: u32 = 90;

/// What this side asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimerConfig {
    /// The interval requested, in seconds (Cisco and the RFC's example use 1800).
    pub session_expires: u32,
    /// The smallest interval accepted, in seconds (at least 90).
    pub min_se: u32,
}

impl Default for SessionTimerConfig {
    fn default() -> SessionTimerConfig {
        SessionTimerConfig {
            session_expires: 1800,
            min_se: MIN_SE_FLOOR,
        }
    }
}

/// Why a session timer step failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionTimerError {
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// Answer with [`interval_too_small`] (RFC 4028 §9).
    #[error("Session-Expires {requested} is below the minimum of {min_se} seconds")]
    TooSmall { requested: u32, min_se: u32 },
    #[error("the 422 response has no Min-SE (RFC 4028 §6)")]
    MissingMinSe,
}

/// What the caller must do when the deadline passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionTimerEvent {
    /// Send a refresh (re-INVITE or UPDATE) with [`SessionTimer::add_request_headers`].
    Refresh,
    /// No refresh succeeded in time: send BYE (§10).
    Expired,
}

/// The 422 for a request whose Session-Expires is below `min_se` (RFC 4028 §6, §9).
pub fn interval_too_small(request: &Request, min_se: u32) -> Response {
    let mut response = Response::to_request(request, StatusCode::SESSION_INTERVAL_TOO_SMALL, None);
    response.headers.push_typed(&MinSe(min_se));
    response
}

fn supports_timer(headers: &crate::message::Headers) -> Result<bool, HeaderError> {
    Ok(headers
        .typed_all::<Supported>()?
        .iter()
        .any(|s| s.0.eq_ignore_ascii_case(TIMER_OPTION)))
}

/// The session timer of one dialog.
#[derive(Debug, Clone)]
pub struct SessionTimer {
    config: SessionTimerConfig,
    /// The interval asked for in our next request; raised by 422s.
    requested: u32,
    /// The floor: ours, raised by 422s and by the peer's Min-SE.
    min_se: u32,
    /// The negotiated interval; `None` when the session does not expire.
    interval: Option<u32>,
    we_refresh: bool,
    /// The peer's last request carried `Supported: timer`.
    peer_supports: bool,
    started: Option<Instant>,
    deadline: Option<(Instant, SessionTimerEvent)>,
}

impl SessionTimer {
    pub fn new(config: SessionTimerConfig) -> SessionTimer {
        let min_se = config.min_se.max(MIN_SE_FLOOR);
        SessionTimer {
            config,
            requested: config.session_expires.max(min_se),
            min_se,
            interval: None,
            we_refresh: false,
            peer_supports: false,
            started: None,
            deadline: None,
        }
    }

    pub fn config(&self) -> &SessionTimerConfig {
        &self.config
    }

    /// The negotiated session interval in seconds, once a 2xx set one.
    pub fn interval(&self) -> Option<u32> {
        self.interval
    }

    /// Whether this side sends the refreshes.
    pub fn we_refresh(&self) -> bool {
        self.we_refresh
    }

    /// The current Min-SE.
    pub fn min_se(&self) -> u32 {
        self.min_se
    }

    /// Headers for an INVITE or UPDATE this side sends (§7.1, §7.4): `Supported: timer`, Min-SE and
    /// Session-Expires. A refresh keeps the interval and says who refreshes; the first request leaves
    /// the choice to the UAS.
    pub fn add_request_headers(&self, request: &mut Request) {
        add_supported(&mut request.headers);
        let (delta, refresher) = match self.interval {
            Some(i) => (
                i.max(self.min_se),
                Some(if self.we_refresh {
                    Refresher::Uac
                } else {
                    Refresher::Uas
                }),
            ),
            None => (self.requested, None),
        };
        request.headers.set_typed(&SessionExpires {
            delta,
            refresher,
            params: Params::new(),
        });
        request.headers.set_typed(&MinSe(self.min_se));
    }

    /// A 422 to our request (§7.3): takes its Min-SE and returns the interval the retry asks for.
    pub fn handle_422(&mut self, response: &Response) -> Result<u32, SessionTimerError> {
        let min_se = response
            .headers
            .typed::<MinSe>()
            .ok_or(SessionTimerError::MissingMinSe)??
            .0;
        self.min_se = self.min_se.max(min_se);
        self.requested = self.requested.max(self.min_se);
        if let Some(i) = self.interval {
            self.interval = Some(i.max(self.min_se));
        }
        Ok(self.requested)
    }

    /// A 2xx to our INVITE or UPDATE (§7.2): its Session-Expires sets the interval and the refresher
    /// (`uac` or absent: us), and the timer restarts at `now`; without Session-Expires the session no
    /// longer expires.
    pub fn handle_response(
        &mut self,
        response: &Response,
        now: Instant,
    ) -> Result<(), SessionTimerError> {
        match response.headers.typed::<SessionExpires>().transpose()? {
            Some(se) => {
                self.interval = Some(se.delta);
                self.we_refresh = se.refresher != Some(Refresher::Uas);
                self.start(now);
            }
            None => self.stop(),
        }
        Ok(())
    }

    /// An INVITE or UPDATE the peer sent (§9). `Err(TooSmall)` asks for a 422 ([`interval_too_small`]
    /// with [`Self::min_se`]); otherwise the interval and refresher are chosen and take effect with
    /// [`Self::answer`]. The interval may be lowered to ours but never below the request's Min-SE.
    pub fn handle_request(&mut self, request: &Request) -> Result<(), SessionTimerError> {
        self.peer_supports = supports_timer(&request.headers)?;
        let requested_min = request
            .headers
            .typed::<MinSe>()
            .transpose()?
            .map_or(MIN_SE_FLOOR, |m| m.0);
        let se = request.headers.typed::<SessionExpires>().transpose()?;
        if let Some(se) = &se
            && se.delta < self.min_se
        {
            return Err(SessionTimerError::TooSmall {
                requested: se.delta,
                min_se: self.min_se,
            });
        }
        self.min_se = self.min_se.max(requested_min);
        let ours = self.requested.max(self.min_se);
        let (interval, refresher) = match se {
            Some(se) => (se.delta.min(ours), se.refresher),
            None => (ours, None),
        };
        self.interval = Some(interval);
        self.we_refresh = match refresher {
            Some(Refresher::Uas) => true,
            Some(Refresher::Uac) => false,
            // §9: a UAC that supports timers refreshes; otherwise only we can.
            None => !self.peer_supports,
        };
        Ok(())
    }

    /// Adds Session-Expires (and `Require: timer` when the peer supports it) to our 2xx for the request
    /// passed to [`Self::handle_request`], and starts the timer at `now` (§9).
    pub fn answer(&mut self, response: &mut Response, now: Instant) {
        let Some(interval) = self.interval else {
            return;
        };
        response.headers.set_typed(&SessionExpires {
            delta: interval,
            refresher: Some(if self.we_refresh {
                Refresher::Uas
            } else {
                Refresher::Uac
            }),
            params: Params::new(),
        });
        if self.peer_supports {
            response
                .headers
                .push_typed(&Require(TIMER_OPTION.to_string()));
        }
        add_supported(&mut response.headers);
        self.start(now);
    }

    /// The next deadline, if the session expires.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline.map(|(at, _)| at)
    }

    /// Reports a due refresh or expiry. After a refresh is due, the expiry stays armed until a refresh
    /// succeeds ([`Self::handle_response`] or [`Self::answer`]).
    pub fn handle_timeout(&mut self, now: Instant) -> Option<SessionTimerEvent> {
        let (at, event) = self.deadline?;
        if at > now {
            return None;
        }
        match event {
            SessionTimerEvent::Refresh => {
                self.deadline = self
                    .started
                    .zip(self.interval)
                    .map(|(s, i)| (s + expiry_after(i), SessionTimerEvent::Expired));
            }
            SessionTimerEvent::Expired => self.stop(),
        }
        Some(event)
    }

    fn start(&mut self, now: Instant) {
        let Some(interval) = self.interval else {
            return;
        };
        self.started = Some(now);
        self.deadline = Some(if self.we_refresh {
            (
                now + Duration::from_secs(u64::from(interval)) / 2,
                SessionTimerEvent::Refresh,
            )
        } else {
            (now + expiry_after(interval), SessionTimerEvent::Expired)
        });
    }

    fn stop(&mut self) {
        self.interval = None;
        self.started = None;
        self.deadline = None;
    }
}

/// §10: the side that does not refresh sends BYE min(32 s, interval/3) before the session expires.
fn expiry_after(interval: u32) -> Duration {
    let interval = Duration::from_secs(u64::from(interval));
    interval - (interval / 3).min(Duration::from_secs(32))
}

fn add_supported(headers: &mut crate::message::Headers) {
    let present = headers
        .values(&HeaderName::Supported)
        .any(|v| v.eq_ignore_ascii_case(TIMER_OPTION));
    if !present {
        headers.push_typed(&Supported(TIMER_OPTION.to_string()));
    }
}
