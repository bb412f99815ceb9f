//! Example SIP user agent over UDP, TCP or TLS.
//!
//! ```text
//! ua uas --listen udp:127.0.0.1:5070 [--calls N]
//! ua uac --target tcp:127.0.0.1:5070 [--calls N] [--rate R] [--concurrent C] [--listen tcp:127.0.0.1:0]
//!        [--linger SECS]
//! ```
//!
//! TLS listeners use a generated self-signed certificate; a TLS UAC accepts any server certificate, as
//! lab tools do. The UAC prints its statistics and exits non-zero when a call failed.

use std::net::SocketAddr;
use std::process::ExitCode;

use uacsta_sip::transport::tls::{Identity, insecure_client_config};
use uacsta_sip::transport::{Protocol, Target, Transport, TransportConfig};
use uacsta_sip::ua::{CallPlan, UaConfig, UserAgent};
use uacsta_sip::uri::{Host, Uri};

fn usage() -> ExitCode {
    eprintln!(
        "usage: ua uas --listen PROTO:ADDR [--calls N]\n       ua uac --target PROTO:ADDR [--calls N] [--rate R] [--concurrent C] [--listen PROTO:ADDR] [--linger SECS]\n\
         PROTO is udp, tcp or tls; ADDR is ip:port ([v6]:port)"
    );
    ExitCode::from(2)
}

fn endpoint(s: &str) -> Result<(Protocol, SocketAddr), String> {
    let (p, a) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?} is not PROTO:ADDR"))?;
    let protocol = Protocol::from_token(p).ok_or_else(|| format!("unknown transport {p:?}"))?;
    let addr = a
        .parse()
        .map_err(|e| format!("{a:?} is not an address: {e}"))?;
    Ok((protocol, addr))
}

struct Args {
    mode: String,
    listen: Option<(Protocol, SocketAddr)>,
    target: Option<(Protocol, SocketAddr)>,
    calls: Option<u64>,
    rate: f64,
    concurrent: usize,
    linger: f64,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mode = it.next().ok_or("missing mode")?;
    let mut args = Args {
        mode,
        listen: None,
        target: None,
        calls: None,
        rate: 100.0,
        concurrent: 100,
        linger: 5.0,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--listen" => args.listen = Some(endpoint(&value)?),
            "--target" => args.target = Some(endpoint(&value)?),
            "--calls" => args.calls = Some(value.parse().map_err(|e| format!("--calls: {e}"))?),
            "--rate" => args.rate = value.parse().map_err(|e| format!("--rate: {e}"))?,
            "--concurrent" => {
                args.concurrent = value.parse().map_err(|e| format!("--concurrent: {e}"))?
            }
            "--linger" => args.linger = value.parse().map_err(|e| format!("--linger: {e}"))?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ua: {e}");
            return usage();
        }
    };
    let listen = match (&*args.mode, args.listen, args.target) {
        ("uas", Some(l), _) => l,
        ("uac", Some(l), Some(_)) => l,
        ("uac", None, Some((p, t))) => {
            let any = if t.is_ipv4() {
                "127.0.0.1:0"
            } else {
                "[::1]:0"
            };
            (p, any.parse().expect("literal address"))
        }
        _ => return usage(),
    };
    let mut config = TransportConfig::default();
    if listen.0 == Protocol::Tls {
        let identity = match Identity::self_signed(&["localhost", "127.0.0.1", "::1"]) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("ua: {e}");
                return ExitCode::FAILURE;
            }
        };
        config.tls_server = identity.server_config().ok();
        config.tls_client = insecure_client_config().ok();
    }
    let (transport, events) = match Transport::bind(config, &[listen]).await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ua: cannot listen on {} {}: {e}", listen.0, listen.1);
            return ExitCode::FAILURE;
        }
    };
    for (p, a) in transport.listeners() {
        println!("listening on {p} {a}");
    }
    let ua_config = UaConfig {
        protocol: listen.0,
        ..UaConfig::default()
    };
    let mut ua = UserAgent::new(transport, events, ua_config);
    let stats = if args.mode == "uas" {
        tokio::select! {
            stats = ua.serve(args.calls) => stats,
            _ = tokio::signal::ctrl_c() => ua.stats().clone(),
        }
    } else {
        let Some((protocol, addr)) = args.target else {
            return usage();
        };
        let plan = CallPlan {
            target: Target::new(protocol, addr),
            request_uri: Uri::sip(Some("service"), Host::Ip(addr.ip()), Some(addr.port())),
            calls: args.calls.unwrap_or(1),
            rate: args.rate,
            max_concurrent: args.concurrent,
        };
        let stats = ua.place_calls(&plan).await;
        // Keep connections open and answer stragglers while the peer runs its wait timers.
        let linger = std::time::Duration::from_secs_f64(args.linger.max(0.0));
        let _ = tokio::time::timeout(linger, ua.serve(None)).await;
        stats
    };
    println!(
        "calls started {} answered {} completed {} failed {} malformed {}",
        stats.started, stats.answered, stats.completed, stats.failed, stats.malformed
    );
    for f in &stats.failures {
        println!("failure: {f}");
    }
    if stats.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
