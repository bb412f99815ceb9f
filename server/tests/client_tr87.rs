//! The TR/87 client interface, stepped on virtual time against scripted CTI clients that send what
//! Microsoft RCC (the sipe project's `sip-csta.c` templates: ed3, private-data line URI,
//! `Content-Disposition: signal;handling=required`) and Cisco CME clients (INVITE without body, From =
//! logical user, To = line) put on the wire. Requests go through a real transaction layer, so the
//! server transactions and their ids are the ones the core will have.

use std::time::{Duration, Instant};

use uacsta_csta::{CstaMessage, Edition, Mode};
use uacsta_server::client_tr87::{
    InviteOutcome, Tr87Client, Tr87Config, Tr87ConfigError, Tr87End, Tr87Error, Tr87Event,
    Tr87Listener, Tr87Transmit, features_response,
};
use uacsta_sip::auth::{DigestClient, DigestRequest, best_challenges};
use uacsta_sip::header::{CSeq, SessionExpires};
use uacsta_sip::ids::IdGenerator;
use uacsta_sip::transaction::{TimerConfig, TransactionLayer, TxEvent, TxId};
use uacsta_sip::{HeaderName, Host, Limits, Message, Method, Response, StatusCode, parse_datagram};

const ED3: &str = "http://www.ecma-international.org/standards/ecma-323/csta/ed3";
const ED5: &str = "http://www.ecma-international.org/standards/ecma-323/csta/ed5";
const LINE: &str = "tel:73124;phone-context=dialstring;partition=BE_BRS_INT";
const SERVER: &str = "sip:cti@192.0.2.1:5062;transport=tcp";

/// sipe's RequestSystemStatus, with the line URI in Microsoft's private data.
fn request_system_status() -> String {
    format!(
        r#"<?xml version="1.0"?><RequestSystemStatus xmlns="{ED3}"><extensions><privateData><private><lcs:line xmlns:lcs="http://schemas.microsoft.com/Lcs/2005/04/RCCExtension">{LINE}</lcs:line></private></privateData></extensions></RequestSystemStatus>"#
    )
}

fn get_csta_features() -> String {
    format!(
        r#"<?xml version="1.0"?><GetCSTAFeatures xmlns="{ED3}"><extensions><privateData><private><lcs:line xmlns:lcs="http://schemas.microsoft.com/Lcs/2005/04/RCCExtension">{LINE}</lcs:line></private></privateData></extensions></GetCSTAFeatures>"#
    )
}

fn monitor_start() -> String {
    format!(
        r#"<?xml version="1.0"?><MonitorStart xmlns="{ED3}"><monitorObject><deviceObject>{LINE}</deviceObject></monitorObject></MonitorStart>"#
    )
}

fn decode(body: &[u8]) -> (CstaMessage, Option<Edition>) {
    let d = uacsta_csta::decode(body, Mode::Tolerant).expect("a CSTA body");
    (d.message, d.edition)
}

fn config() -> Tr87Config {
    Tr87Config::new(
        SERVER.parse().expect("uri"),
        "TCP",
        Host::Ip("192.0.2.1".parse().expect("ip")),
        Some(5062),
    )
}

/// The CTI client's side: builds requests as text, the way they come off the wire.
struct Client {
    call_id: &'static str,
    from: &'static str,
    to: &'static str,
    contact: &'static str,
    /// The server's tag, once the 2xx came.
    to_tag: Option<String>,
    cseq: u32,
    branch: u32,
}

impl Client {
    /// Microsoft Office Communicator controlling its desk phone.
    fn microsoft() -> Client {
        Client {
            call_id: "8f5e2c1d9a7b4e3f@198.51.100.7",
            from: "<sip:alice@example.com>;tag=ocs1a2b;epid=01010101",
            to: "<sip:cti@192.0.2.1>",
            contact: "<sip:alice@198.51.100.7:49152;transport=tcp>",
            to_tag: None,
            cseq: 0,
            branch: 0,
        }
    }

    /// A Cisco CME CTI application: From names the logical user, To the line.
    fn cisco() -> Client {
        Client {
            call_id: "c1sc0-cti-0001@203.0.113.9",
            from: "\"Bob\" <sip:bob@cme.example.com>;tag=cme77",
            to: "<sip:5001@cme.example.com>",
            contact: "<sip:bob@203.0.113.9:5060;transport=tcp>",
            to_tag: None,
            cseq: 0,
            branch: 0,
        }
    }

    fn to_header(&self) -> String {
        match &self.to_tag {
            Some(tag) => format!("{};tag={tag}", self.to),
            None => self.to.to_string(),
        }
    }

    /// A request as text; `headers` are extra lines, `body` goes with its Content-Length.
    fn request(&mut self, method: &str, headers: &[&str], body: &str) -> String {
        self.branch += 1;
        if method != "ACK" {
            self.cseq += 1;
        }
        let mut text = format!(
            "{method} {SERVER} SIP/2.0\r\n\
             Via: SIP/2.0/TCP 198.51.100.7:49152;branch=z9hG4bKcti{}\r\n\
             Max-Forwards: 70\r\n\
             From: {}\r\n\
             To: {}\r\n\
             Call-ID: {}\r\n\
             CSeq: {} {method}\r\n",
            self.branch,
            self.from,
            self.to_header(),
            self.call_id,
            self.cseq,
        );
        for h in headers {
            text.push_str(h);
            text.push_str("\r\n");
        }
        text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        text
    }

    fn invite(&mut self, headers: &[&str], body: &str) -> String {
        let contact = format!("Contact: {}", self.contact);
        let mut all = vec![
            contact.as_str(),
            "User-Agent: UCCAPI/2.0.6362.0 OC/2.0.6362.0 (Microsoft Office Communicator)",
        ];
        all.extend_from_slice(headers);
        self.request("INVITE", &all, body)
    }

    fn csta_invite(&mut self) -> String {
        self.invite(
            &[
                "Supported: timer",
                "Session-Expires: 1800",
                "Content-Disposition: signal;handling=required",
                "Content-Type: application/csta+xml",
            ],
            &request_system_status(),
        )
    }

    fn info(&mut self, body: &str) -> String {
        self.request(
            "INFO",
            &[
                "Content-Disposition: signal;handling=required",
                "Content-Type: application/csta+xml",
            ],
            body,
        )
    }

    /// The ACK for the 2xx of the INVITE with CSeq `seq`.
    fn ack(&mut self, seq: u32) -> String {
        let keep = self.cseq;
        self.cseq = seq;
        let ack = self.request("ACK", &[], "");
        self.cseq = keep;
        ack
    }
}

/// The server's side: a transaction layer, the listener and the one client it accepted.
struct Server {
    now: Instant,
    layer: TransactionLayer<&'static str>,
    listener: Tr87Listener,
    client: Option<Box<Tr87Client>>,
}

impl Server {
    fn new(config: Tr87Config) -> Server {
        let now = Instant::now();
        Server {
            now,
            layer: TransactionLayer::new(TimerConfig::default()),
            listener: Tr87Listener::new(config, 87, now).expect("valid configuration"),
            client: None,
        }
    }

    fn client(&mut self) -> &mut Tr87Client {
        self.client.as_mut().expect("a session")
    }

    fn advance(&mut self, by: Duration) {
        self.now += by;
        self.layer.handle_timeout(self.now);
        if let Some(c) = self.client.as_mut() {
            c.handle_timeout(self.now);
        }
    }

    /// Text off the wire into the transaction layer.
    fn receive(&mut self, text: &str) -> Option<TxEvent> {
        let message = parse_datagram(text.as_bytes(), &Limits::default()).expect("valid SIP");
        self.layer
            .handle_incoming(message, "client", true, self.now)
            .expect("accepted by the transaction layer")
    }

    /// What the layer put on the wire since the last call.
    fn sent(&mut self) -> Vec<Message> {
        std::iter::from_fn(|| self.layer.poll_transmit().map(|t| t.message)).collect()
    }

    /// An INVITE outside any dialog, the way the core routes it; returns the response sent.
    fn invite(&mut self, text: &str) -> Response {
        let Some(TxEvent::Request { tx, request }) = self.receive(text) else {
            panic!("the INVITE opens a server transaction");
        };
        let response = match self.listener.handle_invite(tx, &request, self.now) {
            InviteOutcome::Accepted { client, response } => {
                self.client = Some(client);
                response
            }
            InviteOutcome::Refused(response) => response,
        };
        self.layer
            .send_response(tx, response.clone(), self.now)
            .expect("response sent");
        response
    }

    /// A request of the session; returns the server transaction and the immediate response.
    fn in_dialog(&mut self, text: &str) -> (TxId, Option<Response>) {
        let Some(TxEvent::Request { tx, request }) = self.receive(text) else {
            panic!("an in-dialog request opens a server transaction");
        };
        let now = self.now;
        let response = self.client().handle_request(tx, &request, now);
        if let Some(r) = &response {
            self.layer
                .send_response(tx, r.clone(), now)
                .expect("response sent");
        }
        (tx, response)
    }

    fn ack(&mut self, text: &str) {
        let Some(TxEvent::Ack { request, .. }) = self.receive(text) else {
            panic!("an ACK for a 2xx");
        };
        self.client().handle_ack(&request);
    }

    fn events(&mut self) -> Vec<Tr87Event> {
        let c = self.client();
        std::iter::from_fn(|| c.poll_event()).collect()
    }

    fn transmits(&mut self) -> Vec<Tr87Transmit> {
        let c = self.client();
        std::iter::from_fn(|| c.poll_transmit()).collect()
    }
}

/// Opens a Microsoft-style session and acknowledges it.
fn established() -> (Server, Client) {
    let mut server = Server::new(config());
    let mut client = Client::microsoft();
    let ok = server.invite(&client.csta_invite());
    assert_eq!(ok.status, StatusCode::OK);
    client.to_tag = to_tag(&ok);
    server.ack(&client.ack(1));
    (server, client)
}

fn to_tag(response: &Response) -> Option<String> {
    response
        .headers
        .require::<uacsta_sip::header::To>()
        .ok()
        .and_then(|t| t.tag())
}

fn header(headers: &uacsta_sip::Headers, name: HeaderName) -> &str {
    headers.get(&name).unwrap_or_default()
}

#[test]
fn invite_with_request_system_status_is_answered_in_ed3() {
    let mut server = Server::new(config());
    let mut client = Client::microsoft();
    let ok = server.invite(&client.csta_invite());

    assert_eq!(ok.status, StatusCode::OK);
    assert!(to_tag(&ok).is_some(), "the 2xx creates the dialog: To tag");
    assert_eq!(
        header(&ok.headers, HeaderName::Contact),
        format!("<{SERVER}>")
    );
    assert_eq!(
        header(&ok.headers, HeaderName::ContentType),
        "application/csta+xml"
    );
    let se = ok
        .headers
        .require::<SessionExpires>()
        .expect("Session-Expires");
    assert_eq!(se.delta, 1800);
    assert_eq!(
        header(&ok.headers, HeaderName::SessionExpires),
        "1800;refresher=uac",
        "the client refreshes"
    );
    assert_eq!(header(&ok.headers, HeaderName::Require), "timer");
    let (body, edition) = decode(&ok.body);
    assert_eq!(edition, Some(Edition::Ed3));
    assert!(String::from_utf8_lossy(&ok.body).contains(ED3));
    let CstaMessage::RequestSystemStatusResponse(status) = body else {
        panic!("RequestSystemStatusResponse expected, got {body:?}");
    };
    assert!(String::from_utf8_lossy(&ok.body).contains("<systemStatus>normal</systemStatus>"));
    assert_eq!(format!("{:?}", status.system_status), "Normal");

    let sent = server.sent();
    assert_eq!(
        sent.len(),
        1,
        "the 2xx goes out through the INVITE transaction"
    );
    let c = server.client();
    assert_eq!(c.line(), Some(LINE), "the line of the private data");
    assert_eq!(
        c.client_uri().map(ToString::to_string).as_deref(),
        Some("sip:alice@example.com")
    );
    assert_eq!(c.call_id(), client.call_id);
    assert_eq!(c.edition(), Edition::Ed3);
    assert_eq!(c.session_interval(), Some(1800));
    assert_eq!(c.user(), None);
    assert!(server.events().is_empty());
}

#[test]
fn cisco_invite_without_body_is_accepted_without_body() {
    let mut config = config();
    config.edition = Edition::Ed5;
    let mut server = Server::new(config);
    let mut client = Client::cisco();
    let ok = server.invite(&client.invite(&["Supported: timer", "Session-Expires: 1800"], ""));

    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body.is_empty());
    assert_eq!(header(&ok.headers, HeaderName::ContentType), "");
    let c = server.client();
    assert_eq!(
        c.line(),
        Some("sip:5001@cme.example.com"),
        "To names the line"
    );
    assert_eq!(
        c.client_uri().map(ToString::to_string).as_deref(),
        Some("sip:bob@cme.example.com")
    );
    assert_eq!(
        c.edition(),
        Edition::Ed5,
        "the configured edition until the client shows one"
    );
}

#[test]
fn digest_authentication_challenges_then_admits_the_client() {
    let mut config = config();
    config.realm = "cti.example.com".into();
    config.users.insert("alice".into(), "s3cret".into());
    let mut server = Server::new(config);
    let mut client = Client::microsoft();

    let challenge = server.invite(&client.csta_invite());
    assert_eq!(challenge.status, StatusCode::UNAUTHORIZED);
    assert!(server.client.is_none());
    let challenges = best_challenges(challenge.headers.get_all(&HeaderName::WwwAuthenticate))
        .expect("challenges");
    let best = challenges.first().expect("a challenge");
    assert_eq!(best.realm, "cti.example.com");

    let body = request_system_status();
    let credentials = DigestClient::new()
        .authorize(
            best,
            &DigestRequest {
                method: "INVITE",
                uri: SERVER,
                body: body.as_bytes(),
            },
            "alice",
            "s3cret",
            &mut IdGenerator::from_seed(7),
        )
        .expect("credentials");
    let authorization = format!("Authorization: {credentials}");
    let ok = server.invite(&client.invite(
        &[
            authorization.as_str(),
            "Supported: timer",
            "Content-Type: application/csta+xml",
        ],
        &body,
    ));
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(server.client().user(), Some("alice"));
    assert!(matches!(
        decode(&ok.body).0,
        CstaMessage::RequestSystemStatusResponse(_)
    ));
}

#[test]
fn a_wrong_password_is_forbidden() {
    let mut config = config();
    config.users.insert("alice".into(), "s3cret".into());
    let mut server = Server::new(config);
    let mut client = Client::microsoft();
    let challenge = server.invite(&client.csta_invite());
    let challenges = best_challenges(challenge.headers.get_all(&HeaderName::WwwAuthenticate))
        .expect("challenges");
    let body = request_system_status();
    let credentials = DigestClient::new()
        .authorize(
            &challenges[0],
            &DigestRequest {
                method: "INVITE",
                uri: SERVER,
                body: body.as_bytes(),
            },
            "alice",
            "guessed",
            &mut IdGenerator::from_seed(7),
        )
        .expect("credentials");
    let authorization = format!("Authorization: {credentials}");
    let refused = server.invite(&client.invite(
        &[authorization.as_str(), "Content-Type: application/csta+xml"],
        &body,
    ));
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.reason.contains("wrong credentials"),
        "{}",
        refused.reason
    );
    assert!(server.client.is_none());
}

#[test]
fn get_csta_features_is_answered_by_the_module() {
    let (mut server, mut client) = established();
    let (_, response) = server.in_dialog(&client.info(&get_csta_features()));
    let response = response.expect("answered at once");

    assert_eq!(response.status, StatusCode::OK);
    let (message, edition) = decode(&response.body);
    assert_eq!(edition, Some(Edition::Ed3));
    let CstaMessage::GetCSTAFeaturesResponse(features) = message else {
        panic!("GetCSTAFeaturesResponse expected, got {message:?}");
    };
    let services = &features.supported_services;
    let call_control = services.group("callControlServList").expect("call control");
    for flag in [
        "makeCall",
        "answerCall",
        "clearConnection",
        "holdCall",
        "transferCall",
    ] {
        assert!(call_control.is_set(flag), "{flag}");
    }
    assert!(
        services
            .group("monitoringServList")
            .expect("monitoring")
            .is_set("monitorStart")
    );
    assert!(
        services
            .group("systemStatServList")
            .expect("system")
            .is_set("systemStatusRegisterCancel")
    );
    assert!(
        services
            .group("physDevServList")
            .expect("physical device")
            .is_set("setMessageWaitingIndicator")
    );
    let events = &features.supported_events;
    let call_events = events
        .group("callControlEvtsList")
        .expect("call control events");
    for flag in [
        "delivered",
        "established",
        "connectionCleared",
        "transferred",
    ] {
        assert!(call_events.is_set(flag), "{flag}");
    }
    assert!(
        events
            .group("logicalEvtsList")
            .expect("logical")
            .is_set("doNotDisturb")
    );
    assert!(server.events().is_empty(), "nothing for the core");
}

#[test]
fn the_feature_list_is_configurable_and_checked() {
    let cisco = features_response(&["MakeCall", "AnswerCall", "SnapshotDevice", "Delivered"])
        .expect("known names");
    assert_eq!(cisco.supported_services.0.len(), 2);
    assert_eq!(cisco.supported_events.0.len(), 1);
    assert_eq!(
        features_response(&["MakeCall", "TeleportCall"]),
        Err(Tr87ConfigError::UnknownFeature("TeleportCall".into()))
    );
    let mut config = config();
    config.features = vec!["MakeCall", "Frobnicate"];
    assert!(Tr87Listener::new(config, 1, Instant::now()).is_err());
}

#[test]
fn monitor_start_goes_to_the_core_and_its_answer_into_the_200() {
    let (mut server, mut client) = established();
    let _ = server.sent();
    // Upper-case media type, as some clients write it.
    let text = client.request(
        "INFO",
        &["Content-Type: application/CSTA+xml"],
        &monitor_start(),
    );
    let (tx, response) = server.in_dialog(&text);
    assert!(response.is_none(), "the INFO waits for the core's answer");
    assert!(server.sent().is_empty(), "nothing sent yet");

    let events = server.events();
    let [Tr87Event::Request { token, message }] = events.as_slice() else {
        panic!("one request for the core, got {events:?}");
    };
    let CstaMessage::MonitorStart(start) = message.as_ref() else {
        panic!("MonitorStart expected");
    };
    assert!(format!("{start:?}").contains(LINE));

    let (answer, _) = decode(
        format!(
            r#"<MonitorStartResponse xmlns="{ED5}"><monitorCrossRefID>42</monitorCrossRefID></MonitorStartResponse>"#
        )
        .as_bytes(),
    );
    let (response_tx, ok) = server
        .client()
        .respond(*token, &answer)
        .expect("token known");
    assert_eq!(
        response_tx, tx,
        "the response belongs to the INFO's transaction"
    );
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(header(&ok.headers, HeaderName::CSeq), "2 INFO");
    assert_eq!(
        header(&ok.headers, HeaderName::ContentType),
        "application/csta+xml"
    );
    let (message, edition) = decode(&ok.body);
    assert_eq!(
        edition,
        Some(Edition::Ed3),
        "written in the client's edition"
    );
    let CstaMessage::MonitorStartResponse(started) = message else {
        panic!("MonitorStartResponse expected");
    };
    assert!(format!("{:?}", started.monitor_cross_ref_id).contains("\"42\""));
    assert!(
        String::from_utf8_lossy(&ok.body).contains("<monitorCrossRefID>42</monitorCrossRefID>")
    );
    let now = server.now;
    server
        .layer
        .send_response(tx, ok, now)
        .expect("the transaction was still open");
    assert_eq!(server.sent().len(), 1);
    assert_eq!(
        server.client().respond(*token, &answer),
        Err(Tr87Error::UnknownToken(*token)),
        "answered once"
    );
}

#[test]
fn an_info_before_the_ack_is_accepted_and_the_2xx_is_repeated_until_the_ack() {
    let mut server = Server::new(config());
    let mut client = Client::microsoft();
    let ok = server.invite(&client.csta_invite());
    client.to_tag = to_tag(&ok);
    let _ = server.sent();

    // TR/87 clients send their first INFO as soon as the 2xx arrives.
    let (_, response) = server.in_dialog(&client.info(&get_csta_features()));
    let response = response.expect("answered");
    assert_eq!(response.status, StatusCode::OK);
    assert!(matches!(
        decode(&response.body).0,
        CstaMessage::GetCSTAFeaturesResponse(_)
    ));
    let (tx, none) = server.in_dialog(&client.info(&monitor_start()));
    assert!(none.is_none());
    assert!(matches!(
        server.events().as_slice(),
        [Tr87Event::Request { token: 1, .. }]
    ));

    // RFC 3261 §13.3.1.4: no ACK yet, the 2xx goes again after T1.
    server.advance(Duration::from_millis(500));
    let again = server.transmits();
    let [Tr87Transmit::Response { response, .. }] = again.as_slice() else {
        panic!("a 2xx retransmission, got {again:?}");
    };
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(header(&response.headers, HeaderName::CSeq), "1 INVITE");

    server.ack(&client.ack(1));
    server.advance(Duration::from_secs(4));
    assert!(
        server.transmits().is_empty(),
        "the ACK stopped the retransmissions"
    );
    assert!(!server.client().is_ended());
    let (answer, _) = decode(
        format!(
            r#"<MonitorStartResponse xmlns="{ED3}"><monitorCrossRefID>7</monitorCrossRefID></MonitorStartResponse>"#
        )
        .as_bytes(),
    );
    let (response_tx, _) = server.client().respond(1, &answer).expect("still pending");
    assert_eq!(response_tx, tx);
}

#[test]
fn events_become_in_dialog_infos() {
    let (mut server, client) = established();
    let (delivered, _) = decode(
        format!(
            r#"<DeliveredEvent xmlns="{ED5}"><monitorCrossRefID>42</monitorCrossRefID><connection><callID>17</callID><deviceID>{LINE}</deviceID></connection><alertingDevice><deviceIdentifier>{LINE}</deviceIdentifier></alertingDevice><callingDevice><deviceIdentifier>tel:+3222220220</deviceIdentifier></callingDevice><calledDevice><deviceIdentifier>{LINE}</deviceIdentifier></calledDevice><lastRedirectionDevice><notRequired/></lastRedirectionDevice><localConnectionInfo>alerting</localConnectionInfo><cause>newCall</cause></DeliveredEvent>"#
        )
        .as_bytes(),
    );
    let info = server.client().event(&delivered).expect("session up");

    assert_eq!(info.method, Method::Info);
    assert_eq!(
        info.uri.to_string(),
        "sip:alice@198.51.100.7:49152;transport=tcp",
        "sent to the client's Contact"
    );
    let server_tag = client.to_tag.clone().expect("tag");
    assert_eq!(
        header(&info.headers, HeaderName::From),
        format!("<sip:cti@192.0.2.1>;tag={server_tag}")
    );
    assert_eq!(
        header(&info.headers, HeaderName::To),
        "<sip:alice@example.com>;tag=ocs1a2b;epid=01010101"
    );
    assert_eq!(header(&info.headers, HeaderName::CallId), client.call_id);
    assert_eq!(header(&info.headers, HeaderName::CSeq), "1 INFO");
    assert_eq!(
        header(&info.headers, HeaderName::ContentType),
        "application/csta+xml"
    );
    assert_eq!(
        header(&info.headers, HeaderName::ContentDisposition),
        "signal;handling=required"
    );
    assert!(
        header(&info.headers, HeaderName::Via)
            .starts_with("SIP/2.0/TCP 192.0.2.1:5062;branch=z9hG4bK")
    );
    let (message, edition) = decode(&info.body);
    assert_eq!(
        edition,
        Some(Edition::Ed3),
        "the client's edition, not the phone's"
    );
    assert_eq!(message, delivered);

    // Through the layer, as the core sends it; the client answers 200, the next event numbers on.
    let now = server.now;
    let tx = server
        .layer
        .send_request(info, "client", true, now)
        .expect("sent");
    let ok = Response::to_request(
        server.layer.request(tx).expect("request"),
        StatusCode::OK,
        None,
    );
    let Some(TxEvent::Response { response, .. }) = server
        .layer
        .handle_incoming(Message::Response(ok), "client", true, now)
        .expect("matched")
    else {
        panic!("a response");
    };
    server.client().handle_response(&response, now);
    assert!(!server.client().is_ended());
    let second = server.client().event(&delivered).expect("still up");
    assert_eq!(second.headers.require::<CSeq>().expect("CSeq").seq, 2);

    // A client that forgot the dialog answers 481: it is gone.
    let gone = Response::to_request(&second, StatusCode::CALL_DOES_NOT_EXIST, None);
    server.client().handle_response(&gone, now);
    let events = server.events();
    assert!(
        matches!(events.as_slice(), [Tr87Event::Ended(Tr87End::Unreachable(why))] if why.contains("481")),
        "{events:?}"
    );
    assert_eq!(server.client().event(&delivered), Err(Tr87Error::Ended));
}

#[test]
fn an_event_info_that_times_out_ends_the_client() {
    let (mut server, _) = established();
    let (event, _) = decode(
        format!(
            r#"<HeldEvent xmlns="{ED3}"><monitorCrossRefID>1</monitorCrossRefID><heldConnection><callID>3</callID><deviceID>{LINE}</deviceID></heldConnection><holdingDevice><deviceIdentifier>{LINE}</deviceIdentifier></holdingDevice><localConnectionInfo>hold</localConnectionInfo><cause>normal</cause></HeldEvent>"#
        )
        .as_bytes(),
    );
    server.client().event(&event).expect("session up");
    server.client().handle_failure("timer F fired");
    assert_eq!(
        server.events(),
        vec![Tr87Event::Ended(Tr87End::Unreachable(
            "timer F fired".into()
        ))]
    );
}

#[test]
fn a_reinvite_refreshes_the_session() {
    let (mut server, mut client) = established();
    server.advance(Duration::from_secs(1000));
    // Microsoft re-INVITEs with the same RequestSystemStatus body.
    let text = client.csta_invite();
    let (_, response) = server.in_dialog(&text);
    let ok = response.expect("answered");
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(
        header(&ok.headers, HeaderName::SessionExpires),
        "1800;refresher=uac"
    );
    assert!(matches!(
        decode(&ok.body).0,
        CstaMessage::RequestSystemStatusResponse(_)
    ));
    server.ack(&client.ack(2));

    // The first interval would have run out at 1800 - 32 s; the refresh moved it to 1000 + 1768 s.
    server.advance(Duration::from_secs(1000));
    assert!(server.events().is_empty(), "still alive at 2000 s");
    assert_eq!(
        server.client().poll_timeout(),
        Some(server.now + Duration::from_secs(768))
    );

    // UPDATE refreshes too (RFC 4028 §7.4).
    let text = client.request(
        "UPDATE",
        &["Supported: timer", "Session-Expires: 1800;refresher=uac"],
        "",
    );
    let (_, response) = server.in_dialog(&text);
    assert_eq!(response.expect("answered").status, StatusCode::OK);
    assert_eq!(
        server.client().poll_timeout(),
        Some(server.now + Duration::from_secs(1768))
    );
}

#[test]
fn a_session_without_refresh_expires_and_the_server_says_bye() {
    let (mut server, client) = established();
    server.advance(Duration::from_secs(1767));
    assert!(server.events().is_empty());
    server.advance(Duration::from_secs(1));

    assert_eq!(
        server.events(),
        vec![Tr87Event::Ended(Tr87End::SessionExpired)]
    );
    let sent = server.transmits();
    let [Tr87Transmit::Request(bye)] = sent.as_slice() else {
        panic!("a BYE, got {sent:?}");
    };
    assert_eq!(bye.method, Method::Bye);
    assert_eq!(header(&bye.headers, HeaderName::CallId), client.call_id);
    assert_eq!(
        bye.uri.to_string(),
        "sip:alice@198.51.100.7:49152;transport=tcp"
    );
    assert!(server.client().is_ended());
    assert_eq!(server.client().poll_timeout(), None);
}

#[test]
fn a_client_without_timer_support_is_refreshed_by_the_server() {
    let mut server = Server::new(config());
    let mut client = Client::cisco();
    let ok = server.invite(&client.invite(&[], ""));
    assert_eq!(
        header(&ok.headers, HeaderName::SessionExpires),
        "1800;refresher=uas"
    );
    assert_eq!(
        header(&ok.headers, HeaderName::Require),
        "",
        "the client did not offer timer"
    );
    client.to_tag = to_tag(&ok);
    server.ack(&client.ack(1));

    server.advance(Duration::from_secs(900));
    let sent = server.transmits();
    let [Tr87Transmit::Request(reinvite)] = sent.as_slice() else {
        panic!("a refresh re-INVITE, got {sent:?}");
    };
    assert_eq!(reinvite.method, Method::Invite);
    // In this transaction the server is the UAC, and it refreshes.
    assert_eq!(
        header(&reinvite.headers, HeaderName::SessionExpires),
        "1800;refresher=uac"
    );
    let mut answer = Response::to_request(reinvite, StatusCode::OK, None);
    answer.headers.push(
        HeaderName::Contact,
        "<sip:bob@203.0.113.9:5060;transport=tcp>",
    );
    answer
        .headers
        .push(HeaderName::SessionExpires, "1800;refresher=uac");
    let now = server.now;
    server.client().handle_response(&answer, now);
    let sent = server.transmits();
    let [Tr87Transmit::Ack(ack)] = sent.as_slice() else {
        panic!("the ACK, got {sent:?}");
    };
    let seq = |r: &uacsta_sip::Request| r.headers.require::<CSeq>().expect("CSeq");
    assert_eq!(seq(ack).seq, seq(reinvite).seq);
    assert_eq!(seq(ack).method, Method::Ack);
    assert_eq!(
        server.client().poll_timeout(),
        Some(now + Duration::from_secs(900)),
        "next refresh at half the interval"
    );
}

#[test]
fn bye_ends_the_client_and_terminates_what_is_open() {
    let (mut server, mut client) = established();
    let (tx, _) = server.in_dialog(&client.info(&monitor_start()));
    let _ = server.events();

    let (_, response) = server.in_dialog(&client.request("BYE", &[], ""));
    assert_eq!(response.expect("answered").status, StatusCode::OK);
    assert_eq!(server.events(), vec![Tr87Event::Ended(Tr87End::Bye)]);
    let sent = server.transmits();
    let [Tr87Transmit::Response { tx: open, response }] = sent.as_slice() else {
        panic!("the open INFO is terminated, got {sent:?}");
    };
    assert_eq!(*open, tx);
    assert_eq!(response.status, StatusCode::REQUEST_TERMINATED);
    let (answer, _) = decode(
        format!(
            r#"<MonitorStartResponse xmlns="{ED3}"><monitorCrossRefID>1</monitorCrossRefID></MonitorStartResponse>"#
        )
        .as_bytes(),
    );
    assert_eq!(server.client().respond(1, &answer), Err(Tr87Error::Ended));

    // Nothing of the session is left.
    let (_, late) = server.in_dialog(&client.info(&get_csta_features()));
    assert_eq!(
        late.expect("answered").status,
        StatusCode::CALL_DOES_NOT_EXIST
    );
}

#[test]
fn a_malformed_csta_body_gets_a_csta_error_in_the_200() {
    let (mut server, mut client) = established();
    let (_, response) = server.in_dialog(&client.info(&format!(
        r#"<?xml version="1.0"?><MonitorStart xmlns="{ED3}"><monitorObject><deviceObject>{LINE}</monitorObject>"#
    )));
    let response = response.expect("answered at once");
    assert_eq!(response.status, StatusCode::OK);
    let (message, edition) = decode(&response.body);
    assert_eq!(edition, Some(Edition::Ed3));
    assert!(
        matches!(message, CstaMessage::CSTAErrorCode(_)),
        "{message:?}"
    );
    assert!(
        String::from_utf8_lossy(&response.body).contains("<operation>generic</operation>"),
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let (_, unknown) = server.in_dialog(&client.info(&format!(
        r#"<TeleportCall xmlns="{ED3}"><to>Mars</to></TeleportCall>"#
    )));
    let unknown = unknown.expect("answered");
    assert!(matches!(
        decode(&unknown.body).0,
        CstaMessage::CSTAErrorCode(_)
    ));
    assert!(server.events().is_empty(), "nothing reaches the core");

    // Not CSTA at all is a SIP matter.
    let text = client.request("INFO", &["Content-Type: text/plain"], "hello");
    let (_, refused) = server.in_dialog(&text);
    let refused = refused.expect("answered");
    assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        header(&refused.headers, HeaderName::Accept),
        "application/csta+xml"
    );
    assert!(!server.client().is_ended());
}

#[test]
fn an_invite_that_is_not_a_session_request_is_refused() {
    let mut server = Server::new(config());
    let mut client = Client::microsoft();
    let refused =
        server.invite(&client.invite(&["Content-Type: application/csta+xml"], &monitor_start()));
    assert_eq!(refused.status, StatusCode::NOT_ACCEPTABLE_HERE);
    assert!(
        refused.reason.contains("MonitorStart"),
        "{}",
        refused.reason
    );
    let sdp = server.invite(&client.invite(&["Content-Type: application/sdp"], "v=0\r\n"));
    assert_eq!(sdp.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let short = server.invite(&client.invite(
        &["Session-Expires: 30", "Content-Type: application/csta+xml"],
        &request_system_status(),
    ));
    assert_eq!(short.status.code(), 422);
    assert_eq!(header(&short.headers, HeaderName::MinSe), "90");
    assert!(server.client.is_none());
}
