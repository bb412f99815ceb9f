//! `uacsta server`: the uaCSTA server on embedded defaults (127.0.0.1, SIP over UDP, TCP and TLS with a
//! generated certificate, CSTA XML over TCP), each setting overridable by a flag.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use uacsta_csta::Edition;
use uacsta_server::core::CoreConfig;
use uacsta_server::phone_session::{CstaCarrier, SessionConfig};
use uacsta_server::registrar::RegistrarConfig;
use uacsta_server::run::{Listeners, start};
use uacsta_sip::Host;
use uacsta_sip::session_timer::SessionTimerConfig;
use uacsta_sip::transaction::TimerConfig;
use uacsta_sip::transport::tls::Identity;
use uacsta_sip::transport::{Protocol, TransportConfig};

/// Settings from the command line.
pub struct ServerOptions {
    pub sip: Vec<String>,
    pub csta_xml: Vec<SocketAddr>,
    pub phone_password: String,
    pub no_auto_activate: bool,
    pub keepalive: u64,
    pub session_expires: u32,
    pub status: SocketAddr,
}

/// `udp:127.0.0.1:5060` and the like.
pub fn parse_listener(s: &str) -> Result<(Protocol, SocketAddr)> {
    let (p, a) = s
        .split_once(':')
        .with_context(|| format!("{s:?} is not PROTO:ADDR (e.g. tcp:127.0.0.1:5060)"))?;
    let protocol = Protocol::from_token(p).with_context(|| format!("unknown transport {p:?}"))?;
    let addr = a
        .parse()
        .with_context(|| format!("{a:?} is not an address"))?;
    Ok((protocol, addr))
}

pub async fn run(options: ServerOptions) -> Result<bool> {
    let sip = options
        .sip
        .iter()
        .map(|s| parse_listener(s))
        .collect::<Result<Vec<_>>>()?;
    let mut transport = TransportConfig::default();
    if sip.iter().any(|(p, _)| *p == Protocol::Tls) {
        let identity = Identity::self_signed(&["localhost", "127.0.0.1", "::1"])
            .context("generating the TLS certificate")?;
        transport.tls_server = Some(identity.server_config()?);
        transport.tls_client = Some(uacsta_sip::transport::tls::insecure_client_config()?);
    }
    let config = CoreConfig {
        registrar: RegistrarConfig {
            phone_password: Some(options.phone_password.clone()),
            auto_activate: !options.no_auto_activate,
            ..RegistrarConfig::default()
        },
        session: SessionConfig {
            keepalive: Duration::from_secs(options.keepalive),
            session_timer: SessionTimerConfig {
                session_expires: options.session_expires,
                ..SessionTimerConfig::default()
            },
            request_timeout: Duration::from_secs(8),
            edition: Edition::Ed5,
            carrier: CstaCarrier::Info,
            system_status_in_invite: true,
            system_register: true,
            local_uri: "sip:uacsta@127.0.0.1".parse()?,
            contact: "sip:uacsta@127.0.0.1".parse()?,
            via_transport: "TCP".into(),
            via_host: Host::Ip("127.0.0.1".parse()?),
            via_port: None,
        },
        xml_clients: Default::default(),
        timers: TimerConfig::default(),
        seed: rand_seed(),
    };
    let listeners = Listeners {
        sip,
        csta_xml: options.csta_xml.clone(),
        status: Some(options.status),
    };
    let server = start(config, transport, &listeners)
        .await
        .context("starting the server")?;
    for (p, a) in &server.sip {
        println!(
            "SIP {p:<4} {a}   (phones: user name = MAC, password {:?})",
            options.phone_password
        );
    }
    if let Some(a) = server.status {
        println!("status API http://{a}/status");
    }
    for a in &server.csta_xml {
        println!("CSTA XML over TCP {a}   (ECMA-323 Annex J.2 framing, ECMA-354 sessions)");
    }
    println!(
        "TR/87 clients, call routing and the status API are not implemented yet; Ctrl-C stops."
    );
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    server.shutdown();
    Ok(true)
}

/// A seed for tags, Call-IDs and nonce keys that differs per start.
fn rand_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    t ^ (u64::from(std::process::id()) << 32)
}
