//! RFC 4028 session timers between two dialogs, on virtual time: half an hour runs in no wall time.

use std::time::{Duration, Instant};

use uacsta_sip::dialog::{Dialog, DialogState};
use uacsta_sip::header::{CSeq, MinSe, SessionExpires};
use uacsta_sip::session_timer::{
    SessionTimer, SessionTimerConfig, SessionTimerError, SessionTimerEvent, interval_too_small,
};
use uacsta_sip::transaction::{Timer, TxEvent};
use uacsta_sip::{HeaderName, Method, Request, Response, StatusCode};

use crate::msgs::{request, response, via};
use crate::pair::{Kind, Pair, Side};

const SECOND: Duration = Duration::from_secs(1);

fn new_request(event: TxEvent) -> (uacsta_sip::transaction::TxId, Request) {
    match event {
        TxEvent::Request { tx, request } => (tx, request),
        other => panic!("expected a new request, got {other:?}"),
    }
}

fn got_response(event: TxEvent) -> Response {
    match event {
        TxEvent::Response { response, .. } => response,
        other => panic!("expected a response, got {other:?}"),
    }
}

fn header(r: &Request, name: HeaderName) -> Option<&str> {
    r.headers.get(&name)
}

/// A call with session timers on both sides, confirmed at time zero.
struct TimedCall {
    p: Pair,
    uac: Dialog,
    uas: Dialog,
    uac_timer: SessionTimer,
    uas_timer: SessionTimer,
}

fn establish() -> TimedCall {
    let mut p = Pair::new(false);
    let mut uac_timer = SessionTimer::new(SessionTimerConfig::default());
    let mut uas_timer = SessionTimer::new(SessionTimerConfig::default());
    let mut invite = request(Method::Invite, "z9hG4bKtimed", 1);
    uac_timer.add_request_headers(&mut invite);
    assert_eq!(header(&invite, HeaderName::SessionExpires), Some("1800"));
    assert_eq!(header(&invite, HeaderName::MinSe), Some("90"));
    assert_eq!(header(&invite, HeaderName::Supported), Some("timer"));
    p.send_request(Side::Uac, invite.clone());
    let (stx, got) = new_request(p.next_event(Side::Uas, SECOND));
    uas_timer.handle_request(&got).unwrap();
    let mut ok = response(&got, 200);
    uas_timer.answer(&mut ok, p.now);
    assert_eq!(
        ok.headers.get(&HeaderName::SessionExpires),
        Some("1800;refresher=uac")
    );
    assert_eq!(ok.headers.get(&HeaderName::Require), Some("timer"));
    let uas = Dialog::uas(&got, &ok).unwrap();
    p.send_response(Side::Uas, stx, ok);
    let ok = got_response(p.next_event(Side::Uac, SECOND));
    uac_timer.handle_response(&ok, p.now).unwrap();
    let uac = Dialog::uac(&invite, &ok).unwrap();
    p.send_stateless(
        Side::Uac,
        uac.create_ack(1, &via("uac.example.com", "z9hG4bKtimedack"))
            .into(),
    );
    p.uas.events.clear();
    TimedCall {
        p,
        uac,
        uas,
        uac_timer,
        uas_timer,
    }
}

impl TimedCall {
    fn next_timer(&self) -> Option<Instant> {
        [self.uac_timer.poll_timeout(), self.uas_timer.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Runs both user agents until `limit`: the UAC refreshes by re-INVITE when told to, the UAS
    /// answers refreshes. Returns the session timer events with their times.
    fn run(&mut self, limit: Duration) -> Vec<(Side, Duration, SessionTimerEvent)> {
        let limit = self.p.at(limit);
        let mut events = Vec::new();
        let mut branches = 0;
        while self
            .p
            .next_deadline(self.next_timer())
            .is_some_and(|t| t <= limit)
        {
            let extra = self.next_timer();
            self.p.advance(extra);
            let now = self.p.now;
            if let Some(e) = self.uac_timer.handle_timeout(now) {
                events.push((Side::Uac, self.p.elapsed(), e));
                if e == SessionTimerEvent::Refresh {
                    branches += 1;
                    let v = via("uac.example.com", &format!("z9hG4bKrefresh{branches}"));
                    let mut reinvite = self.uac.create_request(Method::Invite, &v);
                    self.uac_timer.add_request_headers(&mut reinvite);
                    self.p.send_request(Side::Uac, reinvite);
                }
            }
            if let Some(e) = self.uas_timer.handle_timeout(now) {
                events.push((Side::Uas, self.p.elapsed(), e));
                if e == SessionTimerEvent::Expired {
                    let bye = self
                        .uas
                        .create_request(Method::Bye, &via("uas.example.com", "z9hG4bKexpired"));
                    self.p.send_request(Side::Uas, bye);
                }
            }
            while let Some(event) = self.p.uas.events.pop_front() {
                if let TxEvent::Request { tx, request } = event {
                    self.uas.handle_request(&request).unwrap();
                    self.uas_timer.handle_request(&request).unwrap();
                    let mut ok = response(&request, 200);
                    self.uas_timer.answer(&mut ok, now);
                    self.p.send_response(Side::Uas, tx, ok);
                }
            }
            while let Some(event) = self.p.uac.events.pop_front() {
                match event {
                    TxEvent::Response { response, .. } if response.status.is_success() => {
                        self.uac.handle_response(&response).unwrap();
                        self.uac_timer.handle_response(&response, now).unwrap();
                        let seq = response.headers.require::<CSeq>().unwrap().seq;
                        let ack = self
                            .uac
                            .create_ack(seq, &via("uac.example.com", &format!("z9hG4bKrack{seq}")));
                        self.p.send_stateless(Side::Uac, ack.into());
                    }
                    TxEvent::Request { tx, request } if request.method == Method::Bye => {
                        self.uac.handle_request(&request).unwrap();
                        self.p.send_response(Side::Uac, tx, response(&request, 200));
                    }
                    TxEvent::Timeout { timer, .. } => {
                        assert_eq!((timer, self.p.elapsed()), (Timer::B, 932 * SECOND));
                    }
                    other => panic!("unexpected at the UAC: {other:?}"),
                }
            }
        }
        self.p.run_until(limit - self.p.start);
        events
    }
}

#[test]
fn refresher_refreshes_at_half_the_interval() {
    let mut call = establish();
    assert!(call.uac_timer.we_refresh() && !call.uas_timer.we_refresh());
    assert_eq!(call.uac_timer.poll_timeout(), Some(call.p.at(900 * SECOND)));
    assert_eq!(
        call.uas_timer.poll_timeout(),
        Some(call.p.at(1768 * SECOND)),
        "1800 - min(32, 600)"
    );
    let events = call.run(2000 * SECOND);
    assert_eq!(
        events,
        vec![
            (Side::Uac, 900 * SECOND, SessionTimerEvent::Refresh),
            (Side::Uac, 1800 * SECOND, SessionTimerEvent::Refresh),
        ]
    );
    let refreshes = call.p.sent(Side::Uac, &Method::Invite);
    assert_eq!(Pair::times_ms(&refreshes), vec![0, 900_000, 1_800_000]);
    for (sent, seq) in refreshes[1..].iter().zip([2, 3]) {
        let r = sent.request();
        assert_eq!(r.headers.require::<CSeq>().unwrap().seq, seq);
        assert_eq!(
            r.headers.get(&HeaderName::SessionExpires),
            Some("1800;refresher=uac")
        );
        assert_eq!(r.headers.get(&HeaderName::MinSe), Some("90"));
        assert_eq!(r.headers.get(&HeaderName::Supported), Some("timer"));
        assert_eq!(r.uri, crate::msgs::uri("sip:bob@uas.example.com:5060"));
    }
    // Each refresh pushed the UAS's expiry out: 1800 + 1768.
    assert_eq!(
        call.uas_timer.poll_timeout(),
        Some(call.p.at(3568 * SECOND))
    );
    assert_eq!(
        call.uac_timer.poll_timeout(),
        Some(call.p.at(2700 * SECOND))
    );
}

#[test]
fn expiry_without_refresh_makes_the_other_side_send_bye() {
    let mut call = establish();
    // Every refresh the UAC sends is lost.
    call.p
        .net
        .drop_first(Side::Uac, Kind::Request(Method::Invite), usize::MAX);
    let events = call.run(1800 * SECOND);
    assert_eq!(
        events,
        vec![
            (Side::Uac, 900 * SECOND, SessionTimerEvent::Refresh),
            (Side::Uac, 1768 * SECOND, SessionTimerEvent::Expired),
            (Side::Uas, 1768 * SECOND, SessionTimerEvent::Expired),
        ]
    );
    let byes = call.p.sent(Side::Uas, &Method::Bye);
    assert_eq!(Pair::times_ms(&byes), vec![1_768_000]);
    let bye = byes[0].request();
    assert_eq!(bye.uri, crate::msgs::uri("sip:alice@uac.example.com:5060"));
    assert_eq!(
        bye.headers.require::<CSeq>().unwrap(),
        CSeq {
            seq: 1,
            method: Method::Bye
        }
    );
    assert_eq!(call.uas_timer.poll_timeout(), None);
    assert_eq!(call.uac.state(), DialogState::Terminated);
    let ok = call.p.sent(Side::Uac, &Method::Bye);
    assert_eq!(ok[0].response().status, StatusCode::OK);
}

#[test]
fn too_small_interval_gets_422_and_the_retry_uses_min_se() {
    let mut p = Pair::new(false);
    let mut uac_timer = SessionTimer::new(SessionTimerConfig {
        session_expires: 300,
        min_se: 90,
    });
    let mut uas_timer = SessionTimer::new(SessionTimerConfig {
        session_expires: 1800,
        min_se: 600,
    });
    let mut invite = request(Method::Invite, "z9hG4bKsmall", 1);
    uac_timer.add_request_headers(&mut invite);
    p.send_request(Side::Uac, invite);
    let (stx, got) = new_request(p.next_event(Side::Uas, SECOND));
    let err = uas_timer.handle_request(&got).unwrap_err();
    assert_eq!(
        err,
        SessionTimerError::TooSmall {
            requested: 300,
            min_se: 600
        }
    );
    p.send_response(Side::Uas, stx, interval_too_small(&got, uas_timer.min_se()));
    let rejected = got_response(p.next_event(Side::Uac, SECOND));
    assert_eq!(rejected.status, StatusCode::SESSION_INTERVAL_TOO_SMALL);
    assert_eq!(rejected.headers.require::<MinSe>().unwrap(), MinSe(600));
    assert_eq!(
        p.sent(Side::Uac, &Method::Ack).len(),
        1,
        "the INVITE transaction ACKs the 422"
    );

    assert_eq!(uac_timer.handle_422(&rejected), Ok(600));
    let mut retry = request(Method::Invite, "z9hG4bKsmall2", 2);
    uac_timer.add_request_headers(&mut retry);
    assert_eq!(header(&retry, HeaderName::SessionExpires), Some("600"));
    assert_eq!(header(&retry, HeaderName::MinSe), Some("600"));
    p.send_request(Side::Uac, retry);
    let (stx, got) = new_request(p.next_event(Side::Uas, SECOND));
    uas_timer.handle_request(&got).unwrap();
    let mut ok = response(&got, 200);
    uas_timer.answer(&mut ok, p.now);
    assert_eq!(
        uacsta_sip::TypedHeader::render(&ok.headers.require::<SessionExpires>().unwrap()),
        "600;refresher=uac"
    );
    p.send_response(Side::Uas, stx, ok);
    let ok = got_response(p.next_event(Side::Uac, SECOND));
    uac_timer.handle_response(&ok, p.now).unwrap();
    assert_eq!(uac_timer.interval(), Some(600));
    assert_eq!(uac_timer.poll_timeout(), Some(p.now + 300 * SECOND));
    assert_eq!(uas_timer.poll_timeout(), Some(p.now + 568 * SECOND));
}

#[test]
fn uas_refreshes_when_the_uac_lacks_timer_support() {
    let mut uas_timer = SessionTimer::new(SessionTimerConfig::default());
    let invite = request(Method::Invite, "z9hG4bKplain", 1);
    uas_timer.handle_request(&invite).unwrap();
    let mut ok = response(&invite, 200);
    let now = Instant::now();
    uas_timer.answer(&mut ok, now);
    assert_eq!(
        ok.headers.get(&HeaderName::SessionExpires),
        Some("1800;refresher=uas")
    );
    assert_eq!(
        ok.headers.get(&HeaderName::Require),
        None,
        "the UAC cannot be required to"
    );
    assert!(uas_timer.we_refresh());
    assert_eq!(uas_timer.poll_timeout(), Some(now + 900 * SECOND));
    assert_eq!(uas_timer.handle_timeout(now + 899 * SECOND), None);
    assert_eq!(
        uas_timer.handle_timeout(now + 900 * SECOND),
        Some(SessionTimerEvent::Refresh)
    );
    assert_eq!(uas_timer.poll_timeout(), Some(now + 1768 * SECOND));
    let mut refresh = request(Method::Update, "z9hG4bKupd", 2);
    uas_timer.add_request_headers(&mut refresh);
    assert_eq!(
        header(&refresh, HeaderName::SessionExpires),
        Some("1800;refresher=uac"),
        "the refresher names itself as the UAC of its refresh"
    );
}
