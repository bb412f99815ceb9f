//! Test peers for the server: a scripted phone speaking SIP over its own transport, and a CTI client
//! speaking CSTA XML over TCP (ECMA-323 Annex J.2). Shared by the end-to-end tests.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::Receiver;
use uacsta_csta::framing::{FrameDecoder, InvokeIdField, encode_frame};
use uacsta_csta::{CstaMessage, Edition, Mode};
use uacsta_server::core::CoreConfig;
use uacsta_server::phone_session::{CstaCarrier, SessionConfig};
use uacsta_server::registrar::RegistrarConfig;
use uacsta_server::run::{Listeners, RunningServer, start};
use uacsta_sip::auth::{Challenge, DigestRequest, best_challenge, respond};
use uacsta_sip::header::WwwAuthenticate;
use uacsta_sip::session_timer::SessionTimerConfig;
use uacsta_sip::transaction::TimerConfig;
use uacsta_sip::transport::{Protocol, Target, Transport, TransportConfig, TransportEvent};
use uacsta_sip::{HeaderName, Host, Message, Method, Request, Response, StatusCode};

pub const MAC: &str = "000413AABBCC";
pub const PASSWORD: &str = "phones";
pub const ED5: &str = "http://www.ecma-international.org/standards/ecma-323/csta/ed5";
pub const LINE: &str = "sip:181@127.0.0.1";
pub const WAIT: Duration = Duration::from_secs(10);

pub fn core_config() -> CoreConfig {
    CoreConfig {
        registrar: RegistrarConfig {
            phone_password: Some(PASSWORD.into()),
            ..RegistrarConfig::default()
        },
        session: SessionConfig {
            keepalive: Duration::from_secs(3600),
            session_timer: SessionTimerConfig::default(),
            request_timeout: Duration::from_secs(8),
            edition: Edition::Ed3,
            carrier: CstaCarrier::Info,
            system_status_in_invite: true,
            system_register: true,
            local_uri: "sip:uacsta@127.0.0.1".parse().expect("uri"),
            contact: "sip:uacsta@127.0.0.1".parse().expect("uri"),
            via_transport: "TCP".into(),
            via_host: Host::Ip("127.0.0.1".parse().expect("ip")),
            via_port: None,
        },
        xml_clients: Default::default(),
        timer_c: std::time::Duration::from_secs(181),
        tr87_users: Default::default(),
        timers: TimerConfig::default(),
        seed: 5,
    }
}

pub async fn server() -> RunningServer {
    server_with(core_config()).await
}

pub async fn server_with(config: CoreConfig) -> RunningServer {
    start(
        config,
        TransportConfig::default(),
        &Listeners {
            sip: vec![(Protocol::Tcp, "127.0.0.1:0".parse().expect("addr"))],
            csta_xml: vec!["127.0.0.1:0".parse().expect("addr")],
            status: Some("127.0.0.1:0".parse().expect("addr")),
        },
    )
    .await
    .expect("server starts")
}

pub fn csta(name: &str, inner: &str) -> Bytes {
    Bytes::from(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><{name} xmlns=\"{ED5}\">{inner}</{name}>"
    ))
}

pub fn decode(body: &[u8]) -> CstaMessage {
    uacsta_csta::decode(body, Mode::Tolerant)
        .expect("CSTA")
        .message
}

/// A phone scripted message by message over its own SIP transport.
pub struct Phone {
    pub transport: Transport,
    events: Receiver<TransportEvent>,
    server: SocketAddr,
    pub local: SocketAddr,
    cseq: u32,
    call_id: String,
    pub mac: String,
    pub line: String,
}

impl Phone {
    pub async fn new(server: SocketAddr, call_id: &str) -> Phone {
        Phone::with_identity(server, call_id, MAC, LINE).await
    }

    pub async fn with_identity(server: SocketAddr, call_id: &str, mac: &str, line: &str) -> Phone {
        let (transport, events) = Transport::bind(
            TransportConfig::default(),
            &[(Protocol::Tcp, "127.0.0.1:0".parse().expect("addr"))],
        )
        .await
        .expect("phone binds");
        let local = transport.local_addr(Protocol::Tcp, None).expect("bound");
        Phone {
            transport,
            events,
            server,
            local,
            cseq: 0,
            call_id: call_id.to_string(),
            mac: mac.to_string(),
            line: line.to_string(),
        }
    }

    pub fn register_request(&mut self, challenge: Option<&Challenge>) -> Request {
        self.cseq += 1;
        let mut r = Request::new(Method::Register, "sip:127.0.0.1".parse().expect("uri"));
        r.headers.push(
            HeaderName::Via,
            format!(
                "SIP/2.0/TCP {};branch=z9hG4bKreg{}-{}",
                self.local, self.cseq, self.call_id
            ),
        );
        r.headers.push(
            HeaderName::From,
            format!("<sip:{}@127.0.0.1>;tag=ph", self.mac),
        );
        r.headers
            .push(HeaderName::To, format!("<sip:{}@127.0.0.1>", self.mac));
        r.headers.push(HeaderName::CallId, self.call_id.clone());
        r.headers
            .push(HeaderName::CSeq, format!("{} REGISTER", self.cseq));
        r.headers.push(
            HeaderName::Contact,
            format!(
                "<sip:{}@{};transport=tcp>;expires=600",
                self.mac, self.local
            ),
        );
        r.headers.push(HeaderName::UserAgent, "snomD785/10.1.54.13");
        if let Some(c) = challenge {
            let creds = respond(
                c,
                &DigestRequest {
                    method: "REGISTER",
                    uri: "sip:127.0.0.1",
                    body: &[],
                },
                &self.mac,
                PASSWORD,
                "cn0nce",
                1,
            )
            .expect("credentials");
            r.headers.push(HeaderName::Authorization, creds.to_string());
        }
        r
    }

    pub async fn send(&self, message: Message) {
        self.transport
            .send(&message, &Target::new(Protocol::Tcp, self.server))
            .await
            .expect("phone sends");
    }

    pub async fn next(&mut self) -> Message {
        loop {
            let event = tokio::time::timeout(WAIT, self.events.recv())
                .await
                .expect("the server answers in time")
                .expect("transport open");
            if let TransportEvent::Message(m) = event {
                return m.message;
            }
        }
    }

    pub async fn response(&mut self) -> Response {
        loop {
            match self.next().await {
                Message::Response(r) => return r,
                // The ACK of the CSTA INVITE may come at any point.
                Message::Request(r) if r.method == Method::Ack => continue,
                Message::Request(r) => panic!("expected a response, got {} {}", r.method, r.uri),
            }
        }
    }

    pub async fn request(&mut self, method: Method) -> Request {
        loop {
            match self.next().await {
                Message::Request(r) if r.method == method => return r,
                Message::Request(r) if r.method == Method::Ack => continue,
                other => panic!("expected {method}, got {other:?}"),
            }
        }
    }

    pub async fn register(&mut self) {
        let first = self.register_request(None);
        self.send(first.into()).await;
        let challenge = self.response().await;
        assert_eq!(challenge.status, StatusCode::UNAUTHORIZED);
        let offered: Vec<Challenge> = challenge
            .headers
            .typed_all::<WwwAuthenticate>()
            .expect("challenges")
            .into_iter()
            .map(|w| w.0)
            .collect();
        let second = self.register_request(best_challenge(&offered));
        self.send(second.into()).await;
        let ok = self.response().await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.reason);
    }

    pub async fn answer(&self, request: &Request, body: Option<Bytes>) {
        let mut r = Response::to_request(request, StatusCode::OK, Some("phtag"));
        r.headers.push(
            HeaderName::Contact,
            format!("<sip:{MAC}@{};transport=tcp>", self.local),
        );
        if let Some(body) = body {
            r.headers
                .push(HeaderName::ContentType, "application/csta+xml");
            r.body = body;
        }
        self.send(r.into()).await;
    }

    /// Accepts the CSTA INVITE and answers start-up like a snom phone with one line.
    pub async fn accept_csta_dialog(&mut self) -> Request {
        let invite = self.request(Method::Invite).await;
        assert_eq!(decode(&invite.body).element_name(), "RequestSystemStatus");
        self.answer(
            &invite,
            Some(csta(
                "RequestSystemStatusResponse",
                "<systemStatus>normal</systemStatus>",
            )),
        )
        .await;
        for _ in 0..2 {
            let info = self.request(Method::Info).await;
            let body = match decode(&info.body).element_name() {
                "SystemRegister" => csta(
                    "SystemRegisterResponse",
                    "<sysStatRegisterID>1</sysStatRegisterID>",
                ),
                "GetSwitchingFunctionDevices" => csta(
                    "GetSwitchingFunctionDevicesResponse",
                    "<serviceCrossRefID>9</serviceCrossRefID>",
                ),
                other => panic!("unexpected start-up request {other}"),
            };
            self.answer(&info, Some(body)).await;
        }
        let devices = csta(
            "SwitchingFunctionDevices",
            &format!(
                "<serviceCrossRefID>9</serviceCrossRefID><lastSegment>true</lastSegment><deviceList>\
                 <deviceListItem><deviceID>{}</deviceID></deviceListItem></deviceList>",
                self.line
            ),
        );
        self.send_info(&invite, devices).await;
        invite
    }

    /// An INFO from the phone in the CSTA dialog the server's INVITE created.
    pub async fn send_info(&mut self, invite: &Request, body: Bytes) {
        self.cseq += 1;
        let mut r = Request::new(Method::Info, "sip:uacsta@127.0.0.1".parse().expect("uri"));
        r.headers.push(
            HeaderName::Via,
            format!(
                "SIP/2.0/TCP {};branch=z9hG4bKinfo{}-{}",
                self.local, self.cseq, self.call_id
            ),
        );
        r.headers.push(
            HeaderName::From,
            format!(
                "{};tag=phtag",
                invite.headers.get(&HeaderName::To).expect("To")
            ),
        );
        r.headers.push(
            HeaderName::To,
            invite.headers.get(&HeaderName::From).expect("From"),
        );
        r.headers.push(
            HeaderName::CallId,
            invite.headers.get(&HeaderName::CallId).expect("Call-ID"),
        );
        r.headers
            .push(HeaderName::CSeq, format!("{} INFO", self.cseq));
        r.headers
            .push(HeaderName::ContentType, "application/csta+xml");
        r.body = body;
        self.send(r.into()).await;
    }
}

/// A CTI client speaking CSTA XML over TCP.
pub struct Client {
    stream: TcpStream,
    decoder: FrameDecoder,
    invoke: u16,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Client {
        Client {
            stream: TcpStream::connect(addr).await.expect("client connects"),
            decoder: FrameDecoder::default(),
            invoke: 0,
        }
    }

    pub async fn send(&mut self, xml: &str) -> u16 {
        self.invoke += 1;
        let mut frame = Vec::new();
        encode_frame(
            InvokeIdField::new(self.invoke).expect("id"),
            xml.as_bytes(),
            &mut frame,
        )
        .expect("frame");
        self.stream.write_all(&frame).await.expect("write");
        self.invoke
    }

    pub async fn next(&mut self) -> (u16, CstaMessage) {
        loop {
            if let Some(frame) = self.decoder.next_frame().expect("valid framing") {
                let d = uacsta_csta::decode(&frame.xml, Mode::Strict).expect("valid CSTA");
                assert!(d.deviations.is_empty(), "{:?}", d.deviations);
                return (frame.invoke_id.value(), d.message);
            }
            let mut buf = [0u8; 4096];
            let n = tokio::time::timeout(WAIT, self.stream.read(&mut buf))
                .await
                .expect("the server answers in time")
                .expect("read");
            assert!(n > 0, "the server closed the connection");
            self.decoder.feed(&buf[..n]);
        }
    }

    pub async fn monitor_start(&mut self) -> String {
        let invoke = self
            .send(&format!(
                "<MonitorStart xmlns=\"{ED5}\"><monitorObject><deviceObject>{LINE}</deviceObject></monitorObject></MonitorStart>"
            ))
            .await;
        let (id, answer) = self.next().await;
        assert_eq!(id, invoke);
        match answer {
            CstaMessage::MonitorStartResponse(r) => r.monitor_cross_ref_id.clone(),
            other => panic!("expected MonitorStartResponse, got {other:?}"),
        }
    }
}

/// `GET /status` from the server's status API.
pub async fn status(addr: SocketAddr) -> serde_json::Value {
    let mut stream = TcpStream::connect(addr).await.expect("status API");
    stream
        .write_all(b"GET /status HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut response))
        .await
        .expect("answer in time")
        .expect("read");
    let text = String::from_utf8(response).expect("UTF-8");
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    let body = text.split_once("\r\n\r\n").expect("body").1;
    serde_json::from_str(body).expect("JSON")
}
