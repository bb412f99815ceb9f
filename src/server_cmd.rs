//! `uacsta server`: the uaCSTA server on embedded defaults (127.0.0.1, SIP over UDP, TCP and TLS with a
//! generated certificate, CSTA XML over TCP, the status API), a configuration file, and flags over both.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use uacsta_server::client_xml::XmlClientConfig;
use uacsta_server::core::CoreConfig;
use uacsta_server::mac::Mac;
use uacsta_server::phone_session::{CstaCarrier, SessionConfig};
use uacsta_server::registrar::RegistrarConfig;
use uacsta_server::run::{Listeners, start};
use uacsta_sip::Host;
use uacsta_sip::session_timer::SessionTimerConfig;
use uacsta_sip::transaction::TimerConfig;
use uacsta_sip::transport::tls::Identity;
use uacsta_sip::transport::{Protocol, TransportConfig};

use crate::server_config::ServerFile;

/// Command-line overrides of the configuration file.
#[derive(Debug, Default)]
pub struct Overrides {
    pub sip: Vec<String>,
    pub csta_xml: Vec<SocketAddr>,
    pub phone_password: Option<String>,
    pub no_auto_activate: bool,
    pub keepalive: Option<u64>,
    pub session_expires: Option<u32>,
    pub status: Option<SocketAddr>,
    pub log_macs: Vec<String>,
    pub log_level: Option<String>,
}

impl Overrides {
    pub fn apply(self, file: &mut ServerFile) {
        if !self.sip.is_empty() {
            file.sip.listen = self.sip;
        }
        if !self.csta_xml.is_empty() {
            file.clients.csta_xml = self.csta_xml;
        }
        if let Some(p) = self.phone_password {
            file.phones.password = Some(p);
        }
        if self.no_auto_activate {
            file.phones.auto_activate = false;
        }
        if let Some(k) = self.keepalive {
            file.phones.keepalive = k;
        }
        if let Some(se) = self.session_expires {
            file.phones.session_expires = se;
        }
        if let Some(a) = self.status {
            file.status = Some(a);
        }
        if !self.log_macs.is_empty() {
            file.log.macs = self.log_macs;
        }
        if let Some(level) = self.log_level {
            file.log.level = level;
        }
    }
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

pub async fn run(file: ServerFile) -> Result<bool> {
    crate::server_config::init_logs(&file.log)?;
    let sip = file
        .sip
        .listen
        .iter()
        .map(|s| parse_listener(s))
        .collect::<Result<Vec<_>>>()?;
    let mut transport = TransportConfig {
        limits: uacsta_sip::parse::Limits {
            max_message_size: file.sip.max_message_size,
            ..Default::default()
        },
        max_connections: file.sip.max_connections,
        idle_timeout: Duration::from_secs(file.sip.idle_timeout),
        ..TransportConfig::default()
    };
    if sip.iter().any(|(p, _)| *p == Protocol::Tls) {
        let identity = match (&file.sip.tls_certificate, &file.sip.tls_key) {
            (Some(cert), Some(key)) => Identity::from_pem_files(cert, key)?,
            _ => Identity::self_signed(&["localhost", "127.0.0.1", "::1"])
                .context("generating the TLS certificate")?,
        };
        transport.tls_server = Some(identity.server_config()?);
        transport.tls_client = Some(uacsta_sip::transport::tls::insecure_client_config()?);
    }
    let phones = &file.phones;
    let credentials = phones
        .credentials
        .iter()
        .map(|(mac, pw)| Ok((mac.parse::<Mac>()?, pw.clone())))
        .collect::<Result<_>>()?;
    let config = CoreConfig {
        registrar: RegistrarConfig {
            phone_password: phones.password.clone(),
            credentials,
            auto_activate: phones.auto_activate,
            min_expires: phones.min_expires,
            max_expires: phones.max_expires,
            default_expires: phones.default_expires,
            digest_algorithms: phones
                .digest_algorithms
                .iter()
                .map(|a| a.parse())
                .collect::<Result<_, _>>()?,
            ..RegistrarConfig::default()
        },
        session: SessionConfig {
            keepalive: Duration::from_secs(phones.keepalive),
            session_timer: SessionTimerConfig {
                session_expires: phones.session_expires,
                ..SessionTimerConfig::default()
            },
            request_timeout: Duration::from_secs(phones.request_timeout),
            edition: crate::csta_cmd::parse_edition(&phones.edition)?,
            carrier: if phones.carrier == "notify" {
                CstaCarrier::Notify
            } else {
                CstaCarrier::Info
            },
            system_status_in_invite: phones.system_status_in_invite,
            system_register: phones.system_register,
            local_uri: "sip:uacsta@127.0.0.1".parse()?,
            contact: "sip:uacsta@127.0.0.1".parse()?,
            via_transport: "TCP".into(),
            via_host: Host::Ip("127.0.0.1".parse()?),
            via_port: None,
        },
        xml_clients: XmlClientConfig {
            users: file.clients.users.clone(),
            require_session: file.clients.require_session,
            max_session_duration: file.clients.session_duration,
            ..XmlClientConfig::default()
        },
        timer_c: std::time::Duration::from_secs(181),
        tr87_users: file.clients.tr87_users.clone(),
        timers: TimerConfig::default(),
        seed: rand_seed(),
    };
    let listeners = Listeners {
        sip,
        csta_xml: file.clients.csta_xml.clone(),
        status: file.status,
    };
    let server = start(config, transport, &listeners)
        .await
        .context("starting the server")?;
    for (p, a) in &server.sip {
        println!("SIP {p:<4} {a}   (phones register with their MAC as user name)");
    }
    if let Some(a) = server.status {
        println!("status API http://{a}/status");
    }
    for a in &server.csta_xml {
        println!("CSTA XML over TCP {a}   (ECMA-323 Annex J.2 framing, ECMA-354 sessions)");
    }
    println!(
        "TR/87 (uaCSTA over SIP) clients: INVITE with RequestSystemStatus to the SIP listeners. Ctrl-C stops."
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
