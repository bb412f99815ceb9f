//! RFC 3261 §17 / RFC 6026 transaction behaviour on virtual time.

use std::time::Duration;

use uacsta_sip::header::{CSeq, To};
use uacsta_sip::transaction::{Timer, TransactionError, TxEvent, TxState};
use uacsta_sip::{HeaderName, Message, Method, Request, Response};

use crate::msgs::{request, response};
use crate::pair::{Kind, Pair, Side, branch};

const SECOND: Duration = Duration::from_secs(1);

fn expect_request(event: TxEvent) -> (uacsta_sip::transaction::TxId, Request) {
    match event {
        TxEvent::Request { tx, request } => (tx, request),
        other => panic!("expected a new request, got {other:?}"),
    }
}

fn expect_response(event: TxEvent) -> (uacsta_sip::transaction::TxId, Response) {
    match event {
        TxEvent::Response { tx, response } => (tx, response),
        other => panic!("expected a response, got {other:?}"),
    }
}

#[test]
fn timer_a_retransmits_invite_at_t1_2t1_4t1() {
    let mut p = Pair::new(false);
    p.net
        .drop_first(Side::Uac, Kind::Request(Method::Invite), 3);
    let invite = request(Method::Invite, "z9hG4bKinv1", 1);
    let tx = p.send_request(Side::Uac, invite.clone());
    let (stx, got) = expect_request(p.next_event(Side::Uas, 10 * SECOND));
    assert_eq!(p.elapsed(), Duration::from_millis(3500));
    assert_eq!(got, invite, "retransmissions are the request byte for byte");

    let sends = p.sent(Side::Uac, &Method::Invite);
    // Intervals T1, 2*T1, 4*T1 after the first send.
    assert_eq!(Pair::times_ms(&sends), vec![0, 500, 1500, 3500]);
    assert_eq!(
        sends.iter().map(|s| s.dropped).collect::<Vec<_>>(),
        vec![true, true, true, false]
    );
    assert!(sends.iter().all(|s| branch(&s.message) == "z9hG4bKinv1"));

    p.send_response(Side::Uas, stx, response(&got, 180));
    let (rtx, ringing) = expect_response(p.next_event(Side::Uac, SECOND));
    assert_eq!(rtx, tx);
    assert_eq!(ringing.status.code(), 180);
    assert_eq!(p.uac.layer.state(tx), Some(TxState::Proceeding));
    // No retransmission in Proceeding: the next INVITE would have been due at 7.5 s.
    p.run_until(20 * SECOND);
    assert_eq!(p.sent(Side::Uac, &Method::Invite).len(), 4);
}

#[test]
fn timer_b_times_out_after_64_t1_when_every_invite_is_lost() {
    let mut p = Pair::new(false);
    p.net
        .drop_first(Side::Uac, Kind::Request(Method::Invite), usize::MAX);
    let tx = p.send_request(Side::Uac, request(Method::Invite, "z9hG4bKlost", 1));
    let event = p.next_event(Side::Uac, 60 * SECOND);
    assert_eq!(
        event,
        TxEvent::Timeout {
            tx,
            timer: Timer::B
        }
    );
    assert_eq!(p.elapsed(), 32 * SECOND);
    assert_eq!(
        Pair::times_ms(&p.sent(Side::Uac, &Method::Invite)),
        vec![0, 500, 1500, 3500, 7500, 15500, 31500]
    );
    assert_eq!(p.uac.layer.state(tx), None);
    assert!(p.uac.layer.is_empty());
    assert_eq!(p.uac.layer.poll_timeout(), None);
}

#[test]
fn timer_f_times_out_info_and_timer_e_is_capped_at_t2() {
    let mut p = Pair::new(false);
    p.net
        .drop_first(Side::Uac, Kind::Request(Method::Info), usize::MAX);
    let tx = p.send_request(Side::Uac, request(Method::Info, "z9hG4bKinfo", 2));
    let event = p.next_event(Side::Uac, 60 * SECOND);
    assert_eq!(
        event,
        TxEvent::Timeout {
            tx,
            timer: Timer::F
        }
    );
    assert_eq!(p.elapsed(), 32 * SECOND);
    // 500 ms, 1 s, 2 s, then T2 = 4 s forever.
    assert_eq!(
        Pair::times_ms(&p.sent(Side::Uac, &Method::Info)),
        vec![
            0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500
        ]
    );
}

#[test]
fn timer_e_runs_at_t2_once_a_provisional_arrived() {
    let mut p = Pair::new(false);
    let info = request(Method::Info, "z9hG4bKslow", 3);
    p.send_request(Side::Uac, info.clone());
    let (stx, got) = expect_request(p.next_event(Side::Uas, SECOND));
    p.send_response(Side::Uas, stx, response(&got, 100));
    p.net
        .drop_first(Side::Uac, Kind::Request(Method::Info), usize::MAX);
    p.run_until(10 * SECOND);
    // §17.1.2.2: Timer E armed in Trying still fires at T1; in Proceeding it is reset to T2 each time.
    assert_eq!(
        Pair::times_ms(&p.sent(Side::Uac, &Method::Info)),
        vec![0, 500, 4500, 8500]
    );
    // Each retransmission reaching the server (none did here) would be answered with the 100 again.
    assert_eq!(p.sent(Side::Uas, &Method::Info).len(), 1);
}

#[test]
fn non_invite_over_reliable_transport_never_retransmits_and_timer_k_is_zero() {
    let mut p = Pair::new(true);
    let tx = p.send_request(Side::Uac, request(Method::Info, "z9hG4bKtcp", 5));
    let (stx, got) = expect_request(p.next_event(Side::Uas, SECOND));
    p.run_until(20 * SECOND);
    assert_eq!(p.sent(Side::Uac, &Method::Info).len(), 1);
    p.send_response(Side::Uas, stx, response(&got, 200));
    // Timer J = 0 on reliable transports: the server transaction is gone once the final is sent.
    assert_eq!(p.uas.layer.state(stx), None);
    let (rtx, ok) = expect_response(p.next_event(Side::Uac, SECOND));
    assert_eq!((rtx, ok.status.code()), (tx, 200));
    // Timer K = 0: the client transaction is gone as soon as the final response arrived.
    assert_eq!(p.uac.layer.state(tx), None);
    assert_eq!(p.elapsed(), 20 * SECOND);
    assert!(p.uac.layer.is_empty() && p.uas.layer.is_empty());
}

#[test]
fn non_invite_over_udp_waits_timer_k_and_timer_j() {
    let mut p = Pair::new(false);
    let tx = p.send_request(Side::Uac, request(Method::Options, "z9hG4bKopt", 1));
    let (stx, got) = expect_request(p.next_event(Side::Uas, SECOND));
    p.send_response(Side::Uas, stx, response(&got, 200));
    assert_eq!(p.uac.layer.state(tx), Some(TxState::Completed));
    p.run_until(Duration::from_millis(4999));
    assert_eq!(p.uac.layer.state(tx), Some(TxState::Completed));
    p.run_until(5 * SECOND);
    assert_eq!(p.uac.layer.state(tx), None, "Timer K = T4");
    p.run_until(Duration::from_millis(31_999));
    assert_eq!(p.uas.layer.state(stx), Some(TxState::Completed));
    p.run_until(32 * SECOND);
    assert_eq!(p.uas.layer.state(stx), None, "Timer J = 64*T1");
}

#[test]
fn busy_here_is_acked_by_the_transaction_and_its_retransmission_absorbed() {
    let mut p = Pair::new(false);
    let mut invite = request(Method::Invite, "z9hG4bKbusy", 7);
    invite
        .headers
        .push(HeaderName::Route, "<sip:proxy.example.com;lr>");
    let tx = p.send_request(Side::Uac, invite.clone());
    let (stx, got) = expect_request(p.next_event(Side::Uas, SECOND));
    // The first ACK is lost, so the server retransmits the 486 on Timer G.
    p.net.drop_first(Side::Uac, Kind::Request(Method::Ack), 1);
    p.send_response(Side::Uas, stx, response(&got, 486));
    let (rtx, busy) = expect_response(p.next_event(Side::Uac, SECOND));
    assert_eq!((rtx, busy.status.code()), (tx, 486));
    assert_eq!(p.uac.layer.state(tx), Some(TxState::Completed));

    p.run_until(Duration::from_millis(600));
    let acks = p.sent(Side::Uac, &Method::Ack);
    assert_eq!(Pair::times_ms(&acks), vec![0, 500]);
    let ack = acks[1].request();
    assert_eq!(ack.uri, invite.uri);
    assert_eq!(
        ack.headers.require::<CSeq>().unwrap(),
        CSeq {
            seq: 7,
            method: Method::Ack
        }
    );
    assert_eq!(ack.headers.get_all(&HeaderName::Via).count(), 1);
    assert_eq!(branch(&acks[1].message), "z9hG4bKbusy");
    assert_eq!(
        ack.headers.require::<To>().unwrap().tag().as_deref(),
        Some("bob-tag"),
        "the To of the response"
    );
    assert_eq!(
        ack.headers.get(&HeaderName::From),
        invite.headers.get(&HeaderName::From)
    );
    assert_eq!(
        ack.headers.get(&HeaderName::CallId),
        invite.headers.get(&HeaderName::CallId)
    );
    assert_eq!(
        ack.headers.get(&HeaderName::Route),
        Some("<sip:proxy.example.com;lr>")
    );
    assert_eq!(
        Pair::times_ms(&p.sent(Side::Uas, &Method::Invite)),
        vec![0, 500],
        "486 sent, then retransmitted once on Timer G"
    );
    // The retransmitted 486 was absorbed in Completed, never passed to the TU again.
    assert!(p.uac.events.is_empty());
    assert_eq!(p.uas.layer.state(stx), Some(TxState::Confirmed));
    assert!(
        p.uas.events.is_empty(),
        "the ACK of a non-2xx stays in the transaction"
    );

    p.run_until(Duration::from_millis(5499));
    assert_eq!(p.uas.layer.state(stx), Some(TxState::Confirmed));
    p.run_until(Duration::from_millis(5500));
    assert_eq!(p.uas.layer.state(stx), None, "Timer I = T4 after the ACK");
    p.run_until(Duration::from_millis(31_999));
    assert_eq!(p.uac.layer.state(tx), Some(TxState::Completed));
    p.run_until(32 * SECOND);
    assert_eq!(p.uac.layer.state(tx), None, "Timer D = 32 s");
}

#[test]
fn timer_h_reports_a_missing_ack_and_timer_g_caps_at_t2() {
    let mut p = Pair::new(false);
    p.send_request(Side::Uac, request(Method::Invite, "z9hG4bKnoack", 1));
    let (stx, got) = expect_request(p.next_event(Side::Uas, SECOND));
    p.net
        .drop_first(Side::Uac, Kind::Request(Method::Ack), usize::MAX);
    p.send_response(Side::Uas, stx, response(&got, 603));
    let event = p.next_event(Side::Uas, 60 * SECOND);
    assert_eq!(
        event,
        TxEvent::Timeout {
            tx: stx,
            timer: Timer::H
        }
    );
    assert_eq!(p.elapsed(), 32 * SECOND);
    assert_eq!(
        Pair::times_ms(&p.sent(Side::Uas, &Method::Invite)),
        vec![
            0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500
        ]
    );
}

#[test]
fn server_sends_100_trying_when_the_tu_is_slow_and_on_retransmission() {
    let mut p = Pair::new(false);
    p.net.drop_first(Side::Uas, Kind::Status(100), 1);
    p.send_request(Side::Uac, request(Method::Invite, "z9hG4bKslowtu", 1));
    let (stx, _) = expect_request(p.next_event(Side::Uas, SECOND));
    p.run_until(Duration::from_millis(600));
    let trying = p.sent(Side::Uas, &Method::Invite);
    // 100 at 200 ms (lost), then again for the INVITE retransmitted at 500 ms.
    assert_eq!(Pair::times_ms(&trying), vec![200, 500]);
    assert!(trying.iter().all(|s| s.response().status.code() == 100));
    assert_eq!(
        trying[1].response().headers.require::<To>().unwrap().tag(),
        None,
        "100 Trying carries no To tag"
    );
    assert_eq!(p.uas.layer.state(stx), Some(TxState::Proceeding));
    // The 100 stopped Timer A.
    p.run_until(10 * SECOND);
    assert_eq!(p.sent(Side::Uac, &Method::Invite).len(), 2);
}

#[test]
fn cancel_of_a_ringing_invite_gives_487_and_200() {
    let mut p = Pair::new(false);
    let invite = request(Method::Invite, "z9hG4bKring", 1);
    let tx = p.send_request(Side::Uac, invite.clone());
    assert!(matches!(
        p.uac.layer.cancel(tx),
        Err(TransactionError::WrongState {
            state: TxState::Calling,
            ..
        })
    ));
    let (stx, got) = expect_request(p.next_event(Side::Uas, SECOND));
    p.send_response(Side::Uas, stx, response(&got, 180));
    expect_response(p.next_event(Side::Uac, SECOND));

    let cancel = p.uac.layer.cancel(tx).unwrap();
    assert_eq!(cancel.method, Method::Cancel);
    assert_eq!(cancel.uri, invite.uri);
    assert_eq!(branch(&Message::Request(cancel.clone())), "z9hG4bKring");
    assert_eq!(
        cancel.headers.require::<CSeq>().unwrap(),
        CSeq {
            seq: 1,
            method: Method::Cancel
        }
    );
    assert_eq!(
        cancel.headers.get(&HeaderName::To),
        Some("<sip:bob@example.com>")
    );
    assert_eq!(
        cancel.headers.get(&HeaderName::From),
        invite.headers.get(&HeaderName::From)
    );
    let ctx = p.send_request(Side::Uac, cancel);
    let (cstx, cancelled) = match p.next_event(Side::Uas, SECOND) {
        TxEvent::Cancel { tx, invite, .. } => (tx, invite),
        other => panic!("expected CANCEL, got {other:?}"),
    };
    assert_eq!(cancelled, Some(stx));
    assert_ne!(cstx, stx, "CANCEL has its own server transaction");
    let cancel_req = p.uas.layer.request(cstx).unwrap().clone();
    p.send_response(Side::Uas, cstx, response(&cancel_req, 200));
    p.send_response(Side::Uas, stx, response(&got, 487));

    let (r1, ok) = expect_response(p.next_event(Side::Uac, SECOND));
    assert_eq!((r1, ok.status.code()), (ctx, 200));
    assert_eq!(ok.headers.require::<CSeq>().unwrap().method, Method::Cancel);
    let (r2, terminated) = expect_response(p.next_event(Side::Uac, SECOND));
    assert_eq!((r2, terminated.status.code()), (tx, 487));
    let acks = p.sent(Side::Uac, &Method::Ack);
    assert_eq!(acks.len(), 1);
    assert_eq!(branch(&acks[0].message), "z9hG4bKring");
    assert_eq!(p.uas.layer.state(stx), Some(TxState::Confirmed));
}

#[test]
fn cancel_without_invite_is_reported_for_a_481() {
    let mut p = Pair::new(true);
    let mut cancel = request(Method::Cancel, "z9hG4bKorphan", 1);
    cancel.headers.remove(&HeaderName::Contact);
    p.send_request(Side::Uac, cancel);
    match p.next_event(Side::Uas, SECOND) {
        TxEvent::Cancel {
            invite, request, ..
        } => {
            assert_eq!(invite, None);
            assert_eq!(request.method, Method::Cancel);
        }
        other => panic!("expected CANCEL, got {other:?}"),
    }
}

/// RFC 2543 peers send no magic cookie: §17.2.3 matches on Request-URI, tags, Call-ID, CSeq and top Via.
#[test]
fn rfc2543_requests_match_without_magic_cookie() {
    let mut p = Pair::new(false);
    let now = p.now;
    let layer = &mut p.uas.layer;
    let mut invite = request(Method::Invite, "old1", 1);
    invite.headers.set_typed(&{
        let mut v = crate::msgs::via("uac.example.com", "x");
        v.params.remove("branch");
        v
    });
    let stx = match layer
        .handle_incoming(invite.clone().into(), (), false, now)
        .unwrap()
    {
        Some(TxEvent::Request { tx, .. }) => tx,
        other => panic!("expected a new transaction, got {other:?}"),
    };
    // A retransmission matches (absorbed, answered with 100), it does not create a transaction.
    assert_eq!(
        layer
            .handle_incoming(invite.clone().into(), (), false, now)
            .unwrap(),
        None
    );
    assert_eq!(layer.len(), 1);
    // Another Call-ID is another transaction.
    let mut other = invite.clone();
    other
        .headers
        .set(HeaderName::CallId, "different@uac.example.com");
    assert!(matches!(
        layer.handle_incoming(other.into(), (), false, now).unwrap(),
        Some(TxEvent::Request { .. })
    ));
    assert_eq!(layer.len(), 2);

    layer
        .send_response(stx, response(&invite, 486), now)
        .unwrap();
    // The ACK: same Via and CSeq number, To tag of the 486.
    let mut ack = invite.clone();
    ack.method = Method::Ack;
    ack.headers.set_typed(&CSeq {
        seq: 1,
        method: Method::Ack,
    });
    let mut wrong_tag = ack.clone();
    wrong_tag
        .headers
        .set(HeaderName::To, "<sip:bob@example.com>;tag=someone-else");
    assert!(matches!(
        layer
            .handle_incoming(wrong_tag.into(), (), false, now)
            .unwrap(),
        Some(TxEvent::Ack { tx: None, .. })
    ));
    ack.headers
        .set(HeaderName::To, "<sip:bob@example.com>;tag=bob-tag");
    assert_eq!(
        layer.handle_incoming(ack.into(), (), false, now).unwrap(),
        None
    );
    assert_eq!(layer.state(stx), Some(TxState::Confirmed));
}

#[test]
fn malformed_messages_are_refused_without_panic() {
    let mut p = Pair::new(false);
    let now = p.now;
    let mut no_via = request(Method::Invite, "z9hG4bKx", 1);
    no_via.headers.remove(&HeaderName::Via);
    assert!(matches!(
        p.uas
            .layer
            .handle_incoming(no_via.clone().into(), (), false, now),
        Err(TransactionError::Header(_))
    ));
    let mut no_cseq = request(Method::Info, "z9hG4bKy", 1);
    no_cseq.headers.remove(&HeaderName::CSeq);
    assert!(p.uac.layer.send_request(no_cseq, (), false, now).is_err());
    let mut resp = response(&request(Method::Invite, "z9hG4bKz", 1), 200);
    resp.headers.set(HeaderName::Via, "SIP/2.0/UDP host");
    assert_eq!(
        p.uac.layer.handle_incoming(resp.into(), (), false, now),
        Err(TransactionError::MissingBranch)
    );
    let ack = request(Method::Ack, "z9hG4bKack", 1);
    assert_eq!(
        p.uac.layer.send_request(ack, (), false, now),
        Err(TransactionError::AckNotTransaction)
    );
    assert!(p.uac.layer.is_empty() && p.uas.layer.is_empty());
}

#[test]
fn non_invite_transactions_complete_through_seeded_loss() {
    let mut p = Pair::new(false);
    p.net.seeded_loss(7, 0.3);
    let schedule = [
        0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
    ];
    for seq in 1..=5u32 {
        let start = p.elapsed().as_millis();
        let info = request(Method::Info, &format!("z9hG4bKloss{seq}"), seq);
        let tx = p.send_request(Side::Uac, info);
        let (stx, got) = expect_request(p.next_event(Side::Uas, 40 * SECOND));
        assert_eq!(got.headers.require::<CSeq>().unwrap().seq, seq);
        p.send_response(Side::Uas, stx, response(&got, 200));
        let (rtx, ok) = expect_response(p.next_event(Side::Uac, 40 * SECOND));
        assert_eq!((rtx, ok.status.code()), (tx, 200));
        assert_eq!(
            ok.headers.require::<CSeq>().unwrap(),
            CSeq {
                seq,
                method: Method::Info
            }
        );
        let sends: Vec<u128> = p
            .sent(Side::Uac, &Method::Info)
            .iter()
            .filter(|s| branch(&s.message) == format!("z9hG4bKloss{seq}"))
            .map(|s| s.at.as_millis() - start)
            .collect();
        assert_eq!(
            sends,
            schedule[..sends.len()],
            "retransmissions follow Timer E"
        );
        p.run_until(p.elapsed() + 10 * SECOND);
    }
    assert!(
        p.net.log.iter().any(|s| s.dropped),
        "the seed does lose messages"
    );
}
