//! The tokio transports over real sockets on 127.0.0.1 and [::1]: UDP, TCP and TLS delivery, Via
//! stamping (RFC 3581), connection reuse, CRLF keep-alive (RFC 5626), malformed input, limits and the
//! idle timeout (on tokio's paused clock).

#![cfg(feature = "transport")]

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::Receiver;
use uacsta_sip::header::{CSeq, Via};
use uacsta_sip::parse::{Limits, ParseErrorKind};
use uacsta_sip::transport::tls::Identity;
use uacsta_sip::transport::{
    Protocol, Target, Transport, TransportConfig, TransportError, TransportEvent,
};
use uacsta_sip::{HeaderName, Message, Method, Request, Response, StatusCode, Uri};

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address literal")
}

fn options(via_host: SocketAddr, protocol: Protocol, branch: &str) -> Message {
    let mut r = Request::new(
        Method::Options,
        "sip:peer@example.com".parse::<Uri>().expect("uri"),
    );
    r.headers.push(
        HeaderName::Via,
        format!(
            "SIP/2.0/{} {via_host};branch={branch};rport",
            protocol.via_token()
        ),
    );
    r.headers
        .push(HeaderName::From, "<sip:a@example.com>;tag=1");
    r.headers.push(HeaderName::To, "<sip:peer@example.com>");
    r.headers.push(HeaderName::CallId, format!("{branch}@test"));
    r.headers.push(HeaderName::CSeq, "1 OPTIONS");
    r.headers.push(HeaderName::MaxForwards, "70");
    r.into()
}

async fn bind(
    config: TransportConfig,
    protocol: Protocol,
    at: &str,
) -> (Transport, Receiver<TransportEvent>) {
    Transport::bind(config, &[(protocol, addr(at))])
        .await
        .expect("bind")
}

async fn next_message(rx: &mut Receiver<TransportEvent>) -> uacsta_sip::transport::Received {
    loop {
        match rx.recv().await.expect("transport alive") {
            TransportEvent::Message(m) => return m,
            TransportEvent::Closed { .. } => continue,
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

async fn exchange(
    protocol: Protocol,
    host: &str,
    config_a: TransportConfig,
    config_b: TransportConfig,
) {
    let (a, mut a_rx) = bind(config_a, protocol, &format!("{host}:0")).await;
    let (b, mut b_rx) = bind(config_b, protocol, &format!("{host}:0")).await;
    let a_addr = a.local_addr(protocol, None).expect("a bound");
    let b_addr = b.local_addr(protocol, None).expect("b bound");

    a.send(
        &options(a_addr, protocol, "z9hG4bKone"),
        &Target::new(protocol, b_addr),
    )
    .await
    .expect("send request");
    let got = next_message(&mut b_rx).await;
    assert_eq!(got.protocol, protocol);
    let Message::Request(request) = &got.message else {
        panic!("expected a request")
    };
    assert_eq!(request.method, Method::Options);
    let via = request.headers.require::<Via>().expect("Via");
    assert_eq!(via.branch().as_deref(), Some("z9hG4bKone"));
    // RFC 3581: rport is filled with the real source port.
    assert_eq!(via.rport(), Some(Some(got.source.port())));
    assert_eq!(got.source.ip(), a_addr.ip());
    if protocol == Protocol::Udp {
        assert_eq!(got.source, a_addr);
        assert!(got.connection.is_none());
    } else {
        assert!(got.connection.is_some());
    }

    let response: Message = Response::to_request(request, StatusCode::OK, Some("b1")).into();
    let back = Target {
        connection: got.connection,
        ..Target::new(protocol, got.source)
    };
    b.send(&response, &back).await.expect("send response");
    let reply = next_message(&mut a_rx).await;
    let Message::Response(resp) = &reply.message else {
        panic!("expected a response")
    };
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        resp.headers.require::<CSeq>().expect("CSeq").method,
        Method::Options
    );
    if protocol != Protocol::Udp {
        // The response came back on the connection A opened: one connection on each side.
        assert_eq!(reply.source, b_addr);
        assert_eq!(a.connection_count(), 1);
        assert_eq!(b.connection_count(), 1);
        // A second request reuses it.
        a.send(
            &options(a_addr, protocol, "z9hG4bKtwo"),
            &Target::new(protocol, b_addr),
        )
        .await
        .expect("send again");
        let again = next_message(&mut b_rx).await;
        assert_eq!(again.connection, got.connection);
        assert_eq!(a.connection_count(), 1);
    }
}

#[tokio::test]
async fn udp_over_ipv4_and_ipv6() {
    exchange(
        Protocol::Udp,
        "127.0.0.1",
        TransportConfig::default(),
        TransportConfig::default(),
    )
    .await;
    exchange(
        Protocol::Udp,
        "[::1]",
        TransportConfig::default(),
        TransportConfig::default(),
    )
    .await;
}

#[tokio::test]
async fn tcp_over_ipv4_and_ipv6_reuses_connections() {
    exchange(
        Protocol::Tcp,
        "127.0.0.1",
        TransportConfig::default(),
        TransportConfig::default(),
    )
    .await;
    exchange(
        Protocol::Tcp,
        "[::1]",
        TransportConfig::default(),
        TransportConfig::default(),
    )
    .await;
}

#[tokio::test]
async fn tls_with_a_generated_certificate() {
    let identity = Identity::self_signed(&["localhost", "127.0.0.1", "::1"]).expect("certificate");
    let server = TransportConfig {
        tls_server: Some(identity.server_config().expect("server config")),
        tls_client: Some(identity.trusting_client_config().expect("client config")),
        ..TransportConfig::default()
    };
    exchange(Protocol::Tls, "127.0.0.1", server.clone(), server.clone()).await;
    exchange(Protocol::Tls, "[::1]", server.clone(), server).await;
}

#[tokio::test]
async fn tls_refuses_an_untrusted_certificate() {
    let server_id = Identity::self_signed(&["127.0.0.1"]).expect("certificate");
    let other_id = Identity::self_signed(&["127.0.0.1"]).expect("certificate");
    let server = TransportConfig {
        tls_server: Some(server_id.server_config().expect("server config")),
        ..TransportConfig::default()
    };
    let client = TransportConfig {
        tls_server: Some(other_id.server_config().expect("server config")),
        tls_client: Some(other_id.trusting_client_config().expect("client config")),
        ..TransportConfig::default()
    };
    let (_b, _b_rx) = bind(server, Protocol::Tls, "127.0.0.1:0").await;
    let b_addr = _b.local_addr(Protocol::Tls, None).expect("bound");
    let (a, _a_rx) = bind(client, Protocol::Tls, "127.0.0.1:0").await;
    let err = a
        .send(
            &options(b_addr, Protocol::Tls, "z9hG4bKx"),
            &Target::new(Protocol::Tls, b_addr),
        )
        .await
        .expect_err("an untrusted certificate must fail the handshake");
    assert!(matches!(err, TransportError::Connect { .. }), "{err}");
}

#[tokio::test]
async fn crlf_ping_gets_a_pong_and_messages_still_flow() {
    let (t, mut rx) = bind(TransportConfig::default(), Protocol::Tcp, "127.0.0.1:0").await;
    let at = t.local_addr(Protocol::Tcp, None).expect("bound");
    let mut client = TcpStream::connect(at).await.expect("connect");
    client.write_all(b"\r\n\r\n").await.expect("ping");
    let mut pong = [0u8; 2];
    client.read_exact(&mut pong).await.expect("pong");
    assert_eq!(&pong, b"\r\n");
    let local = client.local_addr().expect("local");
    client
        .write_all(&options(local, Protocol::Tcp, "z9hG4bKafter").to_bytes())
        .await
        .expect("request");
    let got = next_message(&mut rx).await;
    assert_eq!(got.source, local);
}

#[tokio::test]
async fn malformed_stream_input_is_reported_and_the_connection_closed() {
    let (t, mut rx) = bind(TransportConfig::default(), Protocol::Tcp, "127.0.0.1:0").await;
    let at = t.local_addr(Protocol::Tcp, None).expect("bound");
    let mut client = TcpStream::connect(at).await.expect("connect");
    client
        .write_all(
            b"INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKm\r\n\
              From: <sip:a@b>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: m1\r\nCSeq: one INVITE\r\n\
              Content-Length: 0\r\n\r\n",
        )
        .await
        .expect("write");
    match rx.recv().await.expect("event") {
        TransportEvent::Malformed {
            error,
            protocol,
            connection,
            ..
        } => {
            assert_eq!(protocol, Protocol::Tcp);
            assert!(connection.is_some());
            assert_eq!(error.status_code(), StatusCode::BAD_REQUEST);
            let reply = error.response(Some("x")).expect("a 400 can be built");
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
            assert!(
                reply.reason.to_ascii_lowercase().contains("cseq"),
                "{}",
                reply.reason
            );
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    assert!(matches!(
        rx.recv().await,
        Some(TransportEvent::Closed { .. })
    ));
    let mut buf = [0u8; 16];
    assert_eq!(
        client.read(&mut buf).await.expect("read"),
        0,
        "server closed the stream"
    );
}

#[tokio::test]
async fn malformed_datagram_is_reported() {
    let (t, mut rx) = bind(TransportConfig::default(), Protocol::Udp, "127.0.0.1:0").await;
    let at = t.local_addr(Protocol::Udp, None).expect("bound");
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind");
    sock.send_to(b"NOT SIP AT ALL\r\n\r\n", at)
        .await
        .expect("send");
    match rx.recv().await.expect("event") {
        TransportEvent::Malformed {
            source, protocol, ..
        } => {
            assert_eq!(source, sock.local_addr().expect("local"));
            assert_eq!(protocol, Protocol::Udp);
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[tokio::test]
async fn message_size_limit_applies_both_ways() {
    let config = TransportConfig {
        limits: Limits {
            max_message_size: 600,
            ..Limits::default()
        },
        ..TransportConfig::default()
    };
    let (t, mut rx) = bind(config, Protocol::Tcp, "127.0.0.1:0").await;
    let at = t.local_addr(Protocol::Tcp, None).expect("bound");
    let mut big = options(at, Protocol::Tcp, "z9hG4bKbig");
    if let Message::Request(r) = &mut big {
        r.body = bytes::Bytes::from(vec![b'x'; 2000]);
    }
    let err = t
        .send(&big, &Target::new(Protocol::Tcp, at))
        .await
        .expect_err("too large");
    assert!(
        matches!(err, TransportError::TooLarge { limit: 600, .. }),
        "{err}"
    );

    let mut client = TcpStream::connect(at).await.expect("connect");
    client.write_all(&big.to_bytes()).await.expect("write");
    match rx.recv().await.expect("event") {
        TransportEvent::Malformed { error, .. } => {
            // The header section fits; the Content-Length announces a body past the limit, so the
            // stream is refused before the body is buffered.
            assert_eq!(
                error.kind,
                ParseErrorKind::BodyTooLarge {
                    size: 2000,
                    limit: 600
                }
            );
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[tokio::test]
async fn connection_limit_refuses_extra_connections() {
    let config = TransportConfig {
        max_connections: 1,
        ..TransportConfig::default()
    };
    let (t, mut rx) = bind(config, Protocol::Tcp, "127.0.0.1:0").await;
    let at = t.local_addr(Protocol::Tcp, None).expect("bound");
    let mut first = TcpStream::connect(at).await.expect("first");
    let local = first.local_addr().expect("local");
    first
        .write_all(&options(local, Protocol::Tcp, "z9hG4bKfirst").to_bytes())
        .await
        .expect("write");
    next_message(&mut rx).await;
    assert_eq!(t.connection_count(), 1);
    let mut second = TcpStream::connect(at).await.expect("the kernel accepts");
    let mut buf = [0u8; 4];
    assert_eq!(
        second.read(&mut buf).await.expect("read"),
        0,
        "refused by the limit"
    );
    assert_eq!(t.connection_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn idle_connections_close_after_the_timeout() {
    let config = TransportConfig {
        idle_timeout: Duration::from_secs(900),
        ..TransportConfig::default()
    };
    let (t, mut rx) = bind(config, Protocol::Tcp, "127.0.0.1:0").await;
    let at = t.local_addr(Protocol::Tcp, None).expect("bound");
    let mut client = TcpStream::connect(at).await.expect("connect");
    let local = client.local_addr().expect("local");
    client
        .write_all(&options(local, Protocol::Tcp, "z9hG4bKidle").to_bytes())
        .await
        .expect("write");
    next_message(&mut rx).await;
    let started = tokio::time::Instant::now();
    match rx.recv().await.expect("event") {
        TransportEvent::Closed { peer, .. } => assert_eq!(peer, local),
        other => panic!("expected Closed, got {other:?}"),
    }
    assert!(
        started.elapsed() >= Duration::from_secs(899),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(t.connection_count(), 0);
    let mut buf = [0u8; 4];
    assert_eq!(client.read(&mut buf).await.expect("read"), 0);
}
