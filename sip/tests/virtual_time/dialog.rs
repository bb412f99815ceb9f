//! RFC 3261 §12–15 dialogs over the transaction layer, on virtual time.

use std::time::Duration;

use uacsta_sip::dialog::{
    Dialog, DialogError, DialogState, RetransmitAction, SuccessRetransmission, call_does_not_exist,
};
use uacsta_sip::header::{CSeq, Contact, From, Route, To};
use uacsta_sip::transaction::{TxEvent, TxId, TxState};
use uacsta_sip::{HeaderName, Message, Method, Request, Response, StatusCode};

use crate::msgs::{request, response, uri, via};
use crate::pair::{Kind, Pair, Side, branch};

const SECOND: Duration = Duration::from_secs(1);

fn new_request(event: TxEvent) -> (TxId, Request) {
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

fn got_ack(event: TxEvent) -> Request {
    match event {
        TxEvent::Ack { request, .. } => request,
        other => panic!("expected an ACK, got {other:?}"),
    }
}

fn contact(r: &Request) -> String {
    r.headers
        .get(&HeaderName::Contact)
        .unwrap_or("")
        .to_string()
}

/// A call set up to the confirmed state on both sides, with the UAS having answered at once.
struct Call {
    p: Pair,
    uac: Dialog,
    uas: Dialog,
}

/// INVITE, 200, ACK; `record_route` is what proxies on the path would have added.
fn establish(reliable: bool, record_route: &[&str]) -> Call {
    let mut p = Pair::new(reliable);
    let mut invite = request(Method::Invite, "z9hG4bKsetup", 1);
    for rr in record_route {
        invite.headers.push(HeaderName::RecordRoute, *rr);
    }
    p.send_request(Side::Uac, invite.clone());
    let (stx, got) = new_request(p.next_event(Side::Uas, SECOND));
    let mut ok = response(&got, 200);
    for rr in record_route {
        ok.headers.push(HeaderName::RecordRoute, *rr);
    }
    let uas = Dialog::uas(&got, &ok).unwrap();
    p.send_response(Side::Uas, stx, ok);
    let ok = got_response(p.next_event(Side::Uac, SECOND));
    let uac = Dialog::uac(&invite, &ok).unwrap();
    let ack = uac.create_ack(1, &via("uac.example.com", "z9hG4bKack1"));
    p.send_stateless(Side::Uac, ack.into());
    got_ack(p.next_event(Side::Uas, SECOND));
    Call { p, uac, uas }
}

#[test]
fn invite_ringing_ok_ack_bye_with_the_invite_lost_once() {
    let mut p = Pair::new(false);
    p.net
        .drop_first(Side::Uac, Kind::Request(Method::Invite), 1);
    let invite = request(Method::Invite, "z9hG4bKcall", 1);
    let itx = p.send_request(Side::Uac, invite.clone());
    let (stx, got) = new_request(p.next_event(Side::Uas, SECOND));
    assert_eq!(p.elapsed(), Duration::from_millis(500), "Timer A after T1");

    let ringing = response(&got, 180);
    let mut uas = Dialog::uas(&got, &ringing).unwrap();
    assert_eq!(uas.state(), DialogState::Early);
    p.send_response(Side::Uas, stx, ringing);
    let ringing = got_response(p.next_event(Side::Uac, SECOND));
    let mut uac = Dialog::uac(&invite, &ringing).unwrap();
    assert_eq!(uac.state(), DialogState::Early);

    p.run_until(3 * SECOND);
    let ok = response(&got, 200);
    uas.invite_answered(&ok);
    let mut retransmit = SuccessRetransmission::new(ok.clone(), p.uas.layer.config(), p.now);
    p.send_response(Side::Uas, stx, ok);
    assert_eq!(p.uas.layer.state(stx), Some(TxState::Accepted));
    let ok = got_response(p.next_event(Side::Uac, SECOND));
    uac.handle_response(&ok).unwrap();
    assert_eq!(p.uac.layer.state(itx), Some(TxState::Accepted));
    assert_eq!(
        (uac.state(), uas.state()),
        (DialogState::Confirmed, DialogState::Confirmed)
    );
    assert_eq!(uac.id().remote_tag, "bob-tag");
    assert_eq!(uac.id().local_tag, "1928301774");
    assert_eq!(uas.id().local_tag, "bob-tag");
    assert_eq!(uas.id().remote_tag, "1928301774");
    assert_eq!(uac.remote_target(), &uri("sip:bob@uas.example.com:5060"));
    assert_eq!(uas.remote_target(), &uri("sip:alice@uac.example.com:5060"));

    let ack = uac.create_ack(1, &via("uac.example.com", "z9hG4bKack"));
    p.send_stateless(Side::Uac, ack.into());
    let ack = got_ack(p.next_event(Side::Uas, SECOND));
    retransmit.ack_received();
    assert_eq!(ack.uri, uri("sip:bob@uas.example.com:5060"));
    assert_eq!(
        ack.headers.require::<CSeq>().unwrap(),
        CSeq {
            seq: 1,
            method: Method::Ack
        }
    );
    assert_eq!(branch(&Message::Request(ack.clone())), "z9hG4bKack");
    assert_eq!(
        ack.headers.require::<To>().unwrap().tag().as_deref(),
        Some("bob-tag")
    );
    assert_eq!(uas.handle_request(&ack), Ok(()));
    assert_eq!(retransmit.poll_timeout(), None);

    let bye = uac.create_request(Method::Bye, &via("uac.example.com", "z9hG4bKbye"));
    assert_eq!(
        bye.headers.require::<CSeq>().unwrap(),
        CSeq {
            seq: 2,
            method: Method::Bye
        }
    );
    assert_eq!(bye.uri, uri("sip:bob@uas.example.com:5060"));
    assert_eq!(bye.headers.get(&HeaderName::Route), None);
    assert_eq!(contact(&bye), "", "BYE is no target refresh");
    p.send_request(Side::Uac, bye);
    let (btx, bye) = new_request(p.next_event(Side::Uas, SECOND));
    uas.handle_request(&bye).unwrap();
    assert_eq!(uas.state(), DialogState::Terminated);
    p.send_response(Side::Uas, btx, response(&bye, 200));
    let ok = got_response(p.next_event(Side::Uac, SECOND));
    uac.handle_response(&ok).unwrap();
    assert_eq!(uac.state(), DialogState::Terminated);
    assert_eq!(uac.handle_request(&bye), Err(DialogError::WrongDialog));
}

#[test]
fn uas_retransmits_the_2xx_until_the_ack_arrives() {
    let mut p = Pair::new(false);
    p.net.drop_first(Side::Uac, Kind::Request(Method::Ack), 5);
    let invite = request(Method::Invite, "z9hG4bKre2xx", 1);
    p.send_request(Side::Uac, invite.clone());
    let (stx, got) = new_request(p.next_event(Side::Uas, SECOND));
    let ok = response(&got, 200);
    let mut retransmit = SuccessRetransmission::new(ok.clone(), p.uas.layer.config(), p.now);
    p.send_response(Side::Uas, stx, ok);
    let mut uac: Option<Dialog> = None;
    let mut acked_at = None;
    loop {
        while let Some(event) = p.uac.events.pop_front() {
            // §13.2.2.4: every 2xx retransmission is answered with the same ACK.
            let ok = got_response(event);
            let d = uac.get_or_insert_with(|| Dialog::uac(&invite, &ok).unwrap());
            let ack = d.create_ack(1, &via("uac.example.com", "z9hG4bKack2xx"));
            p.send_stateless(Side::Uac, ack.into());
        }
        while let Some(event) = p.uas.events.pop_front() {
            got_ack(event);
            retransmit.ack_received();
            acked_at.get_or_insert(p.elapsed());
        }
        if !p.advance(retransmit.poll_timeout()) {
            break;
        }
        match retransmit.handle_timeout(p.now) {
            Some(RetransmitAction::Resend(r)) => p.send_response(Side::Uas, stx, r),
            Some(RetransmitAction::GiveUp) => panic!("the sixth ACK gets through"),
            None => {}
        }
    }
    let oks = p.sent(Side::Uas, &Method::Invite);
    // T1, 2*T1, 4*T1, then T2 = 4 s.
    assert_eq!(Pair::times_ms(&oks), vec![0, 500, 1500, 3500, 7500, 11500]);
    assert!(oks.iter().all(|s| s.response().status == StatusCode::OK));
    let acks = p.sent(Side::Uac, &Method::Ack);
    assert_eq!(Pair::times_ms(&acks), Pair::times_ms(&oks));
    assert!(acks.iter().all(|a| branch(&a.message) == "z9hG4bKack2xx"));
    assert_eq!(acked_at, Some(Duration::from_millis(11500)));
    assert_eq!(
        p.elapsed(),
        32 * SECOND,
        "Timers L and M end both INVITE transactions at 64*T1"
    );
    assert!(p.uac.layer.is_empty() && p.uas.layer.is_empty());
}

#[test]
fn uas_gives_up_after_64_t1_without_ack() {
    let mut p = Pair::new(false);
    let invite = request(Method::Invite, "z9hG4bKnoack2xx", 1);
    p.send_request(Side::Uac, invite);
    let (stx, got) = new_request(p.next_event(Side::Uas, SECOND));
    let ok = response(&got, 200);
    let mut retransmit = SuccessRetransmission::new(ok.clone(), p.uas.layer.config(), p.now);
    p.send_response(Side::Uas, stx, ok);
    let mut gave_up = None;
    while gave_up.is_none() && p.advance(retransmit.poll_timeout()) {
        match retransmit.handle_timeout(p.now) {
            Some(RetransmitAction::Resend(r)) => {
                p.send_response(Side::Uas, stx, r);
            }
            Some(RetransmitAction::GiveUp) => gave_up = Some(p.elapsed()),
            None => {}
        }
    }
    assert_eq!(gave_up, Some(32 * SECOND));
    assert_eq!(
        Pair::times_ms(&p.sent(Side::Uas, &Method::Invite)),
        vec![
            0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500
        ]
    );
}

#[test]
fn early_dialog_from_180_is_confirmed_by_200_with_route_set_recomputed() {
    let mut p = Pair::new(false);
    let invite = request(Method::Invite, "z9hG4bKearly", 1);
    p.send_request(Side::Uac, invite.clone());
    let (stx, got) = new_request(p.next_event(Side::Uas, SECOND));
    let mut ringing = response(&got, 180);
    ringing
        .headers
        .set(HeaderName::Contact, "<sip:bob@early.example.com>");
    ringing.headers.push(
        HeaderName::RecordRoute,
        "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>",
    );
    p.send_response(Side::Uas, stx, ringing);
    let ringing = got_response(p.next_event(Side::Uac, SECOND));
    let mut uac = Dialog::uac(&invite, &ringing).unwrap();
    assert_eq!(uac.state(), DialogState::Early);
    assert_eq!(uac.remote_target(), &uri("sip:bob@early.example.com"));
    let early_routes: Vec<String> = uac.route_set().iter().map(|r| r.uri.to_string()).collect();
    assert_eq!(
        early_routes,
        vec!["sip:p1.example.com;lr", "sip:p2.example.com;lr"]
    );

    let mut ok = response(&got, 200);
    ok.headers
        .push(HeaderName::RecordRoute, "<sip:p9.example.com;lr>");
    p.send_response(Side::Uas, stx, ok);
    let ok = got_response(p.next_event(Side::Uac, SECOND));
    uac.handle_response(&ok).unwrap();
    assert_eq!(uac.state(), DialogState::Confirmed);
    assert_eq!(uac.remote_target(), &uri("sip:bob@uas.example.com:5060"));
    let routes: Vec<String> = uac.route_set().iter().map(|r| r.uri.to_string()).collect();
    assert_eq!(
        routes,
        vec!["sip:p9.example.com;lr"],
        "the 2xx's Record-Route wins"
    );
}

#[test]
fn route_set_is_reversed_for_the_uac_and_kept_for_the_uas() {
    let Call {
        mut uac, mut uas, ..
    } = establish(
        false,
        &["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"],
    );
    let bye = uac.create_request(Method::Bye, &via("uac.example.com", "z9hG4bKb1"));
    let routes: Vec<String> = bye
        .headers
        .typed_all::<Route>()
        .unwrap()
        .iter()
        .map(|r| r.uri.to_string())
        .collect();
    assert_eq!(
        routes,
        vec!["sip:p1.example.com;lr", "sip:p2.example.com;lr"]
    );
    assert_eq!(
        bye.uri,
        uri("sip:bob@uas.example.com:5060"),
        "loose routing keeps the target"
    );

    let info = uas.create_request(Method::Info, &via("uas.example.com", "z9hG4bKi1"));
    let routes: Vec<String> = info
        .headers
        .typed_all::<Route>()
        .unwrap()
        .iter()
        .map(|r| r.uri.to_string())
        .collect();
    assert_eq!(
        routes,
        vec!["sip:p2.example.com;lr", "sip:p1.example.com;lr"]
    );
    assert_eq!(info.uri, uri("sip:alice@uac.example.com:5060"));
    assert_eq!(
        info.headers.require::<CSeq>().unwrap(),
        CSeq {
            seq: 1,
            method: Method::Info
        },
        "a UAS's first request"
    );
    assert_eq!(
        info.headers.require::<From>().unwrap().tag().as_deref(),
        Some("bob-tag")
    );
    assert_eq!(
        info.headers.require::<To>().unwrap().tag().as_deref(),
        Some("1928301774")
    );
    assert_eq!(
        info.headers.get(&HeaderName::CallId),
        Some(crate::msgs::CALL_ID)
    );
}

#[test]
fn strict_first_route_takes_the_request_uri() {
    let invite = {
        let mut r = request(Method::Invite, "z9hG4bKstrict", 1);
        r.uri = uri("sips:bob@uas.example.com");
        r
    };
    let mut ok = response(&invite, 200);
    ok.headers
        .push(HeaderName::RecordRoute, "<sip:loose.example.com;lr>");
    ok.headers.push(
        HeaderName::RecordRoute,
        "<sip:strict.example.com;method=INVITE;maddr=10.0.0.1>",
    );
    let mut uac = Dialog::uac(&invite, &ok).unwrap();
    assert!(uac.secure(), "sips Request-URI");
    let bye = uac.create_request(Method::Bye, &via("uac.example.com", "z9hG4bKsb"));
    assert_eq!(bye.uri, uri("sip:strict.example.com;maddr=10.0.0.1"));
    let routes: Vec<String> = bye
        .headers
        .typed_all::<Route>()
        .unwrap()
        .iter()
        .map(|r| r.uri.to_string())
        .collect();
    assert_eq!(
        routes,
        vec!["sip:loose.example.com;lr", "sip:bob@uas.example.com:5060"]
    );
}

#[test]
fn reinvite_from_the_uas_changes_the_uacs_remote_target() {
    let Call {
        mut p,
        mut uac,
        mut uas,
    } = establish(false, &[]);
    uas.set_local_target(uri("sip:bob@10.0.0.9:5070"));
    let reinvite = uas.create_request(Method::Invite, &via("uas.example.com", "z9hG4bKre1"));
    assert_eq!(contact(&reinvite), "<sip:bob@10.0.0.9:5070>");
    assert_eq!(reinvite.headers.require::<CSeq>().unwrap().seq, 1);
    p.send_request(Side::Uas, reinvite.clone());
    let (rtx, got) = new_request(p.next_event(Side::Uac, SECOND));
    uac.handle_request(&got).unwrap();
    assert_eq!(uac.remote_target(), &uri("sip:bob@10.0.0.9:5070"));
    assert_eq!(uac.remote_seq(), Some(1));
    let mut ok = Response::to_request(&got, StatusCode::OK, None);
    ok.headers
        .push(HeaderName::Contact, "<sip:alice@uac.example.com:5060>");
    p.send_response(Side::Uac, rtx, ok);
    let ok = got_response(p.next_event(Side::Uas, SECOND));
    uas.handle_response(&ok).unwrap();
    let ack = uas.create_ack(1, &via("uas.example.com", "z9hG4bKreack"));
    assert_eq!(ack.uri, uri("sip:alice@uac.example.com:5060"));
    p.send_stateless(Side::Uas, ack.into());
    let ack = got_ack(p.next_event(Side::Uac, SECOND));
    uac.handle_request(&ack).unwrap();

    let bye = uac.create_request(Method::Bye, &via("uac.example.com", "z9hG4bKbye2"));
    assert_eq!(bye.uri, uri("sip:bob@10.0.0.9:5070"));
    assert_eq!(
        bye.headers.require::<CSeq>().unwrap().seq,
        2,
        "the UAC's CSeq was 1 (INVITE)"
    );
}

#[test]
fn update_refreshes_both_targets_from_request_and_2xx() {
    let Call {
        mut p,
        mut uac,
        mut uas,
    } = establish(true, &[]);
    uac.set_local_target(uri("sip:alice@192.0.2.50:5080"));
    let update = uac.create_request(Method::Update, &via("uac.example.com", "z9hG4bKupd"));
    assert_eq!(
        update.headers.require::<CSeq>().unwrap(),
        CSeq {
            seq: 2,
            method: Method::Update
        }
    );
    assert_eq!(
        update
            .headers
            .require::<Contact>()
            .unwrap()
            .address()
            .map(|a| a.uri.clone()),
        Some(uri("sip:alice@192.0.2.50:5080"))
    );
    p.send_request(Side::Uac, update);
    let (utx, got) = new_request(p.next_event(Side::Uas, SECOND));
    uas.handle_request(&got).unwrap();
    assert_eq!(uas.remote_target(), &uri("sip:alice@192.0.2.50:5080"));
    let mut ok = Response::to_request(&got, StatusCode::OK, None);
    ok.headers
        .push(HeaderName::Contact, "<sip:bob@moved.example.com>");
    p.send_response(Side::Uas, utx, ok);
    let ok = got_response(p.next_event(Side::Uac, SECOND));
    uac.handle_response(&ok).unwrap();
    assert_eq!(uac.remote_target(), &uri("sip:bob@moved.example.com"));
    let info = uac.create_request(Method::Info, &via("uac.example.com", "z9hG4bKinfo"));
    assert_eq!(info.uri, uri("sip:bob@moved.example.com"));
    assert_eq!(info.headers.require::<CSeq>().unwrap().seq, 3);
}

#[test]
fn lower_remote_cseq_is_rejected_with_500() {
    let Call {
        mut p,
        mut uac,
        mut uas,
    } = establish(false, &[]);
    let info2 = uac.create_request(Method::Info, &via("uac.example.com", "z9hG4bKi2"));
    let info3 = uac.create_request(Method::Info, &via("uac.example.com", "z9hG4bKi3"));
    // info3 overtakes info2 on the way.
    p.send_request(Side::Uac, info3);
    let (tx3, got3) = new_request(p.next_event(Side::Uas, SECOND));
    uas.handle_request(&got3).unwrap();
    p.send_response(Side::Uas, tx3, response(&got3, 200));
    p.send_request(Side::Uac, info2);
    let (tx2, got2) = new_request(p.next_event(Side::Uas, SECOND));
    let err = uas.handle_request(&got2).unwrap_err();
    assert_eq!(err, DialogError::CSeqOutOfOrder { got: 2, last: 3 });
    assert_eq!(err.status(), StatusCode::SERVER_INTERNAL_ERROR);
    assert_eq!(uas.remote_seq(), Some(3));
    p.send_response(
        Side::Uas,
        tx2,
        Response::to_request(&got2, err.status(), None),
    );
    let r3 = got_response(p.next_event(Side::Uac, SECOND));
    let r2 = got_response(p.next_event(Side::Uac, SECOND));
    assert_eq!(
        (r3.status.code(), r3.headers.require::<CSeq>().unwrap().seq),
        (200, 3)
    );
    assert_eq!(
        (r2.status.code(), r2.headers.require::<CSeq>().unwrap().seq),
        (500, 2)
    );
    uac.handle_response(&r2).unwrap();
    assert_eq!(
        uac.state(),
        DialogState::Confirmed,
        "500 does not end the dialog"
    );
}

#[test]
fn requests_for_unknown_dialogs_get_481_and_481_ends_a_dialog() {
    let Call { mut p, mut uac, .. } = establish(false, &[]);
    let info = uac.create_request(Method::Info, &via("uac.example.com", "z9hG4bKlost"));
    p.send_request(Side::Uac, info);
    let (tx, got) = new_request(p.next_event(Side::Uas, SECOND));
    // The UAS lost its dialog (restart): the To tag names nothing it knows.
    let answer = call_does_not_exist(&got).unwrap();
    assert_eq!(answer.status, StatusCode::CALL_DOES_NOT_EXIST);
    assert_eq!(
        answer.headers.require::<To>().unwrap().tag().as_deref(),
        Some("bob-tag")
    );
    p.send_response(Side::Uas, tx, answer);
    let r = got_response(p.next_event(Side::Uac, SECOND));
    uac.handle_response(&r).unwrap();
    assert_eq!(uac.state(), DialogState::Terminated);
    let ack = uac.create_ack(1, &via("uac.example.com", "z9hG4bKx"));
    assert_eq!(call_does_not_exist(&ack), None, "an ACK is never answered");
    assert!(matches!(
        Dialog::uas(&ack, &response(&ack, 100)),
        Err(DialogError::NoDialog(s)) if s.code() == 100
    ));
}

#[test]
fn ack_and_cancel_do_not_consume_a_cseq_number() {
    let Call { mut uac, .. } = establish(true, &[]);
    let info = uac.create_request(Method::Info, &via("uac.example.com", "z9hG4bKc1"));
    assert_eq!(info.headers.require::<CSeq>().unwrap().seq, 2);
    let ack = uac.create_request(Method::Ack, &via("uac.example.com", "z9hG4bKc2"));
    assert_eq!(
        ack.headers.require::<CSeq>().unwrap(),
        CSeq {
            seq: 2,
            method: Method::Ack
        }
    );
    let bye = uac.create_request(Method::Bye, &via("uac.example.com", "z9hG4bKc3"));
    assert_eq!(bye.headers.require::<CSeq>().unwrap().seq, 3);
    assert_eq!(uac.local_seq(), Some(3));
}
