//! `uacsta demo`: the main job on embedded defaults. Until the server and the farm exist it exercises
//! what is built: a user agent server and client exchange calls over UDP, TCP and TLS on loopback through
//! the whole SIP stack, and CSTA messages go through the codec in every ECMA-323 edition.

use std::net::SocketAddr;
use std::time::Instant;

use anyhow::{Context, Result};
use uacsta_sip::transport::tls::Identity;
use uacsta_sip::transport::{Protocol, Target, Transport, TransportConfig};
use uacsta_sip::ua::{CallPlan, CallStats, UaConfig, UserAgent};
use uacsta_sip::uri::{Host, Uri};

/// Options of the demo.
pub struct DemoOptions {
    pub calls: u64,
    pub rate: f64,
}

pub async fn run(options: &DemoOptions) -> Result<bool> {
    println!("uacsta demo: SIP calls over loopback, then CSTA in every ECMA-323 edition\n");
    let mut ok = true;
    println!(
        "{:<6} {:>7} {:>9} {:>10} {:>7} {:>9}",
        "proto", "placed", "answered", "completed", "failed", "calls/s"
    );
    for protocol in [Protocol::Udp, Protocol::Tcp, Protocol::Tls] {
        let (stats, rate) = calls_over(protocol, options).await?;
        println!(
            "{:<6} {:>7} {:>9} {:>10} {:>7} {:>9.0}",
            protocol.via_token(),
            stats.started,
            stats.answered,
            stats.completed,
            stats.failed,
            rate
        );
        for f in &stats.failures {
            println!("       failure: {f}");
        }
        ok &= stats.failed == 0 && stats.completed == options.calls;
    }
    println!();
    ok &= crate::csta_demo::run()?;
    println!(
        "\n{}",
        if ok {
            "demo finished: every call completed and every CSTA message round-tripped"
        } else {
            "demo finished with failures (see above)"
        }
    );
    Ok(ok)
}

async fn calls_over(protocol: Protocol, options: &DemoOptions) -> Result<(CallStats, f64)> {
    let mut config = TransportConfig::default();
    if protocol == Protocol::Tls {
        let identity =
            Identity::self_signed(&["127.0.0.1"]).context("generating a TLS certificate")?;
        config.tls_server = Some(identity.server_config()?);
        config.tls_client = Some(identity.trusting_client_config()?);
    }
    let any: SocketAddr = "127.0.0.1:0".parse()?;
    let (server_t, server_rx) = Transport::bind(config.clone(), &[(protocol, any)])
        .await
        .with_context(|| format!("binding the {protocol} user agent server"))?;
    let server_addr = server_t
        .local_addr(protocol, None)
        .context("the server has no address")?;
    let (client_t, client_rx) = Transport::bind(config, &[(protocol, any)])
        .await
        .with_context(|| format!("binding the {protocol} user agent client"))?;
    let ua_config = UaConfig {
        protocol,
        seed: Some(1),
        ..UaConfig::default()
    };
    let mut server = UserAgent::new(server_t, server_rx, ua_config.clone());
    let mut client = UserAgent::new(client_t, client_rx, ua_config);
    let calls = options.calls;
    let uas = tokio::spawn(async move { server.serve(Some(calls)).await });
    let plan = CallPlan {
        target: Target::new(protocol, server_addr),
        request_uri: Uri::sip(
            Some("demo"),
            Host::Ip(server_addr.ip()),
            Some(server_addr.port()),
        ),
        calls,
        rate: options.rate,
        max_concurrent: 200,
    };
    let started = Instant::now();
    let stats = client.place_calls(&plan).await;
    let elapsed = started.elapsed().as_secs_f64();
    uas.abort();
    Ok((stats, calls as f64 / elapsed.max(1e-9)))
}
