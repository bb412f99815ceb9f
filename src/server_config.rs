//! The server's configuration file (YAML). Every setting has an embedded default, so `uacsta server`
//! runs without one; a file sets what it names, unknown keys are errors, and every error names the file,
//! line, column and field. Command-line flags override the file.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerFile {
    pub sip: SipSection,
    pub phones: PhonesSection,
    pub clients: ClientsSection,
    /// The status API (JSON over HTTP); null turns it off.
    pub status: Option<SocketAddr>,
    pub log: LogSection,
}

/// Diagnostics (estos manual §3.9).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    /// error, warn, info, debug or trace.
    pub level: String,
    /// Only these phones are logged (plus warnings and errors of everything), by MAC.
    pub macs: Vec<String>,
}

impl Default for LogSection {
    fn default() -> LogSection {
        LogSection {
            level: "info".into(),
            macs: Vec::new(),
        }
    }
}

/// Where phones reach the server and how.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SipSection {
    /// `proto:address` listeners: udp, tcp, tls (estos refuses UDP; 3CX uses it).
    pub listen: Vec<String>,
    /// PEM certificate chain and key for TLS; a self-signed certificate is generated when absent.
    pub tls_certificate: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub max_message_size: usize,
    pub max_connections: usize,
    /// Seconds a stream connection may stay idle.
    pub idle_timeout: u64,
}

/// Phone registration and the CSTA dialogs to phones.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PhonesSection {
    /// The password every phone may register with (user name = MAC); null to allow only `credentials`.
    pub password: Option<String>,
    /// Per-phone passwords by MAC.
    pub credentials: HashMap<String, String>,
    /// Put unknown phones into operation on their first registration.
    pub auto_activate: bool,
    pub min_expires: u32,
    pub max_expires: u32,
    pub default_expires: u32,
    /// Seconds between CSTA keep-alives.
    pub keepalive: u64,
    /// RFC 4028 interval of the CSTA dialogs, seconds.
    pub session_expires: u32,
    /// Seconds a CSTA request waits for the phone.
    pub request_timeout: u64,
    /// ECMA-323 edition spoken to phones until they show theirs: ed2 .. ed6.
    pub edition: String,
    /// `info` or `notify` (NOTIFY with `Event: uaCSTA`).
    pub carrier: String,
    pub system_status_in_invite: bool,
    pub system_register: bool,
    /// Digest algorithms challenged, in order (MD5, SHA-256, MD5-sess, SHA-256-sess).
    pub digest_algorithms: Vec<String>,
}

/// CTI clients.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ClientsSection {
    /// CSTA XML over TCP (ECMA-323 Annex J.2) listeners.
    pub csta_xml: Vec<SocketAddr>,
    /// ECMA-354 users and passwords; empty for no authentication.
    pub users: HashMap<String, String>,
    /// Require an application session even without users.
    pub require_session: bool,
    /// Longest application session, seconds.
    pub session_duration: u32,
    /// TR/87 (uaCSTA over SIP) users and passwords, checked by digest on their INVITE; empty for none.
    pub tr87_users: HashMap<String, String>,
}

impl Default for ServerFile {
    fn default() -> ServerFile {
        ServerFile {
            sip: SipSection::default(),
            phones: PhonesSection::default(),
            clients: ClientsSection::default(),
            status: Some(SocketAddr::from(([127, 0, 0, 1], 8080))),
            log: LogSection::default(),
        }
    }
}

impl Default for SipSection {
    fn default() -> SipSection {
        SipSection {
            listen: vec![
                "udp:127.0.0.1:5060".into(),
                "tcp:127.0.0.1:5060".into(),
                "tls:127.0.0.1:5061".into(),
            ],
            tls_certificate: None,
            tls_key: None,
            max_message_size: 65_535,
            max_connections: 10_000,
            idle_timeout: 900,
        }
    }
}

impl Default for PhonesSection {
    fn default() -> PhonesSection {
        PhonesSection {
            password: Some("uacsta".into()),
            credentials: HashMap::new(),
            auto_activate: true,
            min_expires: 60,
            max_expires: 3600,
            default_expires: 600,
            keepalive: 60,
            session_expires: 1800,
            request_timeout: 8,
            edition: "ed5".into(),
            carrier: "info".into(),
            system_status_in_invite: true,
            system_register: true,
            digest_algorithms: vec!["MD5".into(), "SHA-256".into()],
        }
    }
}

impl Default for ClientsSection {
    fn default() -> ClientsSection {
        ClientsSection {
            csta_xml: vec![SocketAddr::from(([127, 0, 0, 1], 8882))],
            users: HashMap::new(),
            require_session: false,
            session_duration: 600,
            tr87_users: HashMap::new(),
        }
    }
}

impl ServerFile {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<ServerFile> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file: ServerFile = uacsta_simulator::profile::parse_yaml(path, &text)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        file.check(path)?;
        Ok(file)
    }

    /// Checks what types cannot: listener syntax, MACs, editions, expiry bounds.
    pub fn check(&self, path: &Path) -> Result<()> {
        let at = |field: &str, why: String| anyhow::anyhow!("{}: {field}: {why}", path.display());
        for (i, l) in self.sip.listen.iter().enumerate() {
            crate::server_cmd::parse_listener(l)
                .map_err(|e| at(&format!("sip.listen[{i}]"), format!("{e:#}")))?;
        }
        for mac in self.phones.credentials.keys() {
            mac.parse::<uacsta_server::mac::Mac>()
                .map_err(|e| at(&format!("phones.credentials.{mac}"), e.to_string()))?;
        }
        for (i, a) in self.phones.digest_algorithms.iter().enumerate() {
            a.parse::<uacsta_sip::auth::Algorithm>()
                .map_err(|e| at(&format!("phones.digest_algorithms[{i}]"), e.to_string()))?;
        }
        if self.phones.digest_algorithms.is_empty() {
            return Err(at(
                "phones.digest_algorithms",
                "needs at least one algorithm".into(),
            ));
        }
        for (i, mac) in self.log.macs.iter().enumerate() {
            mac.parse::<uacsta_server::mac::Mac>()
                .map_err(|e| at(&format!("log.macs[{i}]"), e.to_string()))?;
        }
        if !matches!(
            self.log.level.as_str(),
            "error" | "warn" | "info" | "debug" | "trace"
        ) {
            return Err(at(
                "log.level",
                format!(
                    "{:?} is not error, warn, info, debug or trace",
                    self.log.level
                ),
            ));
        }
        crate::csta_cmd::parse_edition(&self.phones.edition)
            .map_err(|e| at("phones.edition", e.to_string()))?;
        if !matches!(self.phones.carrier.as_str(), "info" | "notify") {
            return Err(at(
                "phones.carrier",
                format!("{:?} is neither info nor notify", self.phones.carrier),
            ));
        }
        let p = &self.phones;
        if !(p.min_expires <= p.default_expires && p.default_expires <= p.max_expires) {
            bail!(
                "{}: phones: min_expires ({}) <= default_expires ({}) <= max_expires ({}) does not hold",
                path.display(),
                p.min_expires,
                p.default_expires,
                p.max_expires
            );
        }
        if self.sip.tls_certificate.is_some() != self.sip.tls_key.is_some() {
            return Err(at("sip", "tls_certificate and tls_key go together".into()));
        }
        Ok(())
    }
}

/// Starts logging to stderr: the configured level, or with a MAC filter only those phones' lines (in
/// their `phone{mac=..}` spans) plus warnings and errors; `RUST_LOG` overrides both.
pub fn init_logs(log: &LogSection) -> Result<()> {
    use std::io::IsTerminal;
    let mut directives = if log.macs.is_empty() {
        log.level.clone()
    } else {
        "warn".to_string()
    };
    for mac in &log.macs {
        let mac: uacsta_server::mac::Mac = mac.parse()?;
        directives.push_str(&format!(",[phone{{mac={mac}}}]={}", log.level));
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&directives))
        .with_context(|| format!("log filter {directives:?}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init()
        .map_err(|e| anyhow::anyhow!("starting the log: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("uacsta-config-{}-{name}.yaml", std::process::id()));
        std::fs::write(&path, text).expect("write a temporary file");
        path
    }

    #[test]
    fn the_documented_file_lists_exactly_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/server-config.yaml");
        assert_eq!(
            ServerFile::load(&path).expect("the example loads"),
            ServerFile::default()
        );
    }

    #[test]
    fn a_partial_file_keeps_the_defaults_for_the_rest() {
        let path = write(
            "partial",
            "phones:\n  password: s3cret\n  keepalive: 30\nclients:\n  users:\n    cti: pw\n",
        );
        let f = ServerFile::load(&path).expect("valid");
        assert_eq!(f.phones.password.as_deref(), Some("s3cret"));
        assert_eq!(f.phones.keepalive, 30);
        assert_eq!(f.phones.session_expires, 1800);
        assert_eq!(f.clients.users.get("cti").map(String::as_str), Some("pw"));
        assert_eq!(f.sip, SipSection::default());
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_file_line_and_field() {
        let path = write(
            "unknown",
            "sip:\n  listen: [\"tcp:127.0.0.1:5060\"]\nphones:\n  keepalive: 30\n  colour: red\n",
        );
        let e = ServerFile::load(&path)
            .expect_err("unknown key")
            .to_string();
        assert!(e.contains(&format!("{}:5:", path.display())), "{e}");
        assert!(e.contains("colour"), "{e}");

        let path = write("type", "phones:\n  keepalive: often\n");
        let e = ServerFile::load(&path).expect_err("wrong type").to_string();
        assert!(e.contains(":2:"), "{e}");
        assert!(e.contains("keepalive"), "{e}");
    }

    #[test]
    fn semantic_errors_name_the_field() {
        let path = write("listen", "sip:\n  listen: [\"sctp:127.0.0.1:5060\"]\n");
        let e = ServerFile::load(&path)
            .expect_err("bad listener")
            .to_string();
        assert!(e.contains("sip.listen[0]") && e.contains("sctp"), "{e}");
        let path = write("mac", "phones:\n  credentials:\n    alice: pw\n");
        let e = ServerFile::load(&path).expect_err("bad MAC").to_string();
        assert!(e.contains("phones.credentials.alice"), "{e}");
        let path = write("expires", "phones:\n  min_expires: 900\n");
        assert!(ServerFile::load(&path).is_err());
    }
}
