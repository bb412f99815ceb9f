//! Interoperability with SIPp, an independent SIP implementation (Debian package `sip-tester`).
//!
//! SIPp's built-in `uac` scenario calls our user agent and our user agent calls SIPp's built-in `uas`,
//! 1,000 calls each way over UDP and over TCP. A test passes only when SIPp exits 0 and its own
//! statistics file counts 1,000 successful and 0 failed calls, and our side counts the same.
//!
//! SIPp missing is a failure with instructions; set `UACSTA_SKIP_SIPP=1` to skip these tests on a machine
//! without it (they then say so on stderr).

#![cfg(feature = "transport")]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;
use uacsta_sip::transport::{Protocol, Target, Transport, TransportConfig};
use uacsta_sip::ua::{CallPlan, CallStats, UaConfig, UserAgent};
use uacsta_sip::uri::{Host, Uri};

/// One SIPp scenario at a time: they measure interop, not how two of them share two cores.
static SIPP_RUN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const CALLS: u64 = 1000;
const RATE: u32 = 200;

fn sipp() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("sipp"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("UACSTA_SKIP_SIPP").is_some() {
            eprintln!(
                "SKIPPED: SIPp is not installed (UACSTA_SKIP_SIPP is set); interop not tested"
            );
            return None;
        }
        panic!(
            "SIPp is not installed: `apt-get install sip-tester` (or set UACSTA_SKIP_SIPP=1 to skip \
             the interoperability tests)"
        );
    }
    found
}

fn free_port(protocol: Protocol) -> u16 {
    match protocol {
        Protocol::Udp => std::net::UdpSocket::bind("127.0.0.1:0")
            .and_then(|s| s.local_addr())
            .map(|a| a.port()),
        _ => std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|s| s.local_addr())
            .map(|a| a.port()),
    }
    .expect("a free loopback port")
}

fn sipp_transport(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Udp => "u1",
        _ => "t1",
    }
}

/// SIPp's cumulative counters from the last line of its `-trace_stat` file.
fn sipp_counts(stat_file: &Path) -> (u64, u64) {
    let text = std::fs::read_to_string(stat_file)
        .unwrap_or_else(|e| panic!("SIPp statistics file {}: {e}", stat_file.display()));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines
        .next()
        .expect("statistics header")
        .split(';')
        .collect();
    let last: Vec<&str> = lines
        .next_back()
        .expect("statistics row")
        .split(';')
        .collect();
    let column = |name: &str| -> u64 {
        let i = header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no {name} column in SIPp statistics"));
        last[i].trim().parse().expect("a counter")
    };
    (column("SuccessfulCall(C)"), column("FailedCall(C)"))
}

/// Waits until a socket is bound on `port` (read from /proc, so SIPp sees no probe connection).
async fn wait_bound(port: u16, protocol: Protocol) {
    let table = if protocol == Protocol::Udp {
        "/proc/net/udp"
    } else {
        "/proc/net/tcp"
    };
    let needle = format!(":{port:04X} ");
    for _ in 0..500 {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        let bound = text.lines().skip(1).any(|l| {
            let local = l.split_whitespace().nth(1).unwrap_or("");
            let state = l.split_whitespace().nth(3).unwrap_or("");
            format!("{local} ").contains(&needle) && (protocol == Protocol::Udp || state == "0A")
        });
        if bound {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("SIPp did not bind port {port}");
}

async fn user_agent(protocol: Protocol) -> UserAgent {
    let (transport, events) = Transport::bind(
        TransportConfig::default(),
        &[(protocol, "127.0.0.1:0".parse().expect("address"))],
    )
    .await
    .expect("bind the user agent");
    UserAgent::new(
        transport,
        events,
        UaConfig {
            protocol,
            seed: Some(7),
            ..UaConfig::default()
        },
    )
}

/// SIPp's own account of errors (`-trace_err`), for a failure message.
fn sipp_errors(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with("_errors.log") {
            let log = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            text.push_str(&tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        }
    }
    text
}

fn assert_all_calls(
    ours: &CallStats,
    sipp_status: std::process::ExitStatus,
    stat: &Path,
    dir: &Path,
) {
    assert!(
        sipp_status.success(),
        "SIPp exited with {sipp_status}; our side: {ours:?}; SIPp's errors:\n{}",
        sipp_errors(dir)
    );
    let counts = sipp_counts(stat);
    assert_eq!(counts, (CALLS, 0), "SIPp's successful and failed calls");
    assert_eq!(ours.started, CALLS, "{ours:?}");
    assert_eq!(ours.answered, CALLS, "{ours:?}");
    assert_eq!(ours.completed, CALLS, "{ours:?}");
    assert_eq!(ours.failed, 0, "{ours:?}");
    assert_eq!(ours.malformed, 0, "{ours:?}");
}

/// SIPp's `uac` scenario calls our user agent.
async fn sipp_calls_us(protocol: Protocol) {
    let Some(sipp) = sipp() else { return };
    let _one_at_a_time = SIPP_RUN.lock().await;
    let dir = tempdir(&format!("sipp-uac-{protocol}"));
    let mut ua = user_agent(protocol).await;
    let ours: SocketAddr = ua_addr(&ua, protocol);
    let server = tokio::spawn(async move { ua.serve(Some(CALLS)).await });
    let stat = dir.join("stat.csv");
    let status = Command::new(sipp)
        .current_dir(&dir)
        .args(["-sn", "uac", &ours.to_string(), "-i", "127.0.0.1"])
        .args(["-p", &free_port(protocol).to_string()])
        .args(["-t", sipp_transport(protocol), "-m", &CALLS.to_string()])
        .args([
            "-r",
            &RATE.to_string(),
            "-timeout",
            "120",
            "-nostdin",
            "-trace_stat",
            "-trace_err",
        ])
        .arg("-stf")
        .arg(&stat)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .status()
        .await
        .expect("run SIPp");
    let ours = tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("our UAS finished")
        .expect("our UAS task");
    assert_all_calls(&ours, status, &stat, &dir);
}

/// Our user agent calls SIPp's `uas` scenario.
async fn we_call_sipp(protocol: Protocol) {
    let Some(sipp) = sipp() else { return };
    let _one_at_a_time = SIPP_RUN.lock().await;
    let dir = tempdir(&format!("sipp-uas-{protocol}"));
    let port = free_port(protocol);
    let stat = dir.join("stat.csv");
    let mut child = Command::new(sipp)
        .current_dir(&dir)
        .args(["-sn", "uas", "-i", "127.0.0.1", "-p", &port.to_string()])
        .args(["-t", sipp_transport(protocol), "-m", &CALLS.to_string()])
        .args(["-timeout", "120", "-nostdin", "-trace_stat", "-trace_err"])
        .arg("-stf")
        .arg(&stat)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start SIPp");
    wait_bound(port, protocol).await;
    let mut ua = user_agent(protocol).await;
    let target: SocketAddr = ([127, 0, 0, 1], port).into();
    let plan = CallPlan {
        target: Target::new(protocol, target),
        request_uri: Uri::sip(Some("service"), Host::Ip(target.ip()), Some(port)),
        calls: CALLS,
        rate: f64::from(RATE),
        max_concurrent: 200,
    };
    let ours = ua.place_calls(&plan).await;
    // SIPp's uas waits 4 s after each call before counting it: keep our connection open meanwhile.
    let status = tokio::select! {
        status = child.wait() => status.expect("SIPp exit status"),
        _ = ua.serve(None) => panic!("our transport closed while SIPp was running"),
    };
    assert_all_calls(&ours, status, &stat, &dir);
}

fn ua_addr(ua: &UserAgent, protocol: Protocol) -> SocketAddr {
    ua.transport()
        .local_addr(protocol, None)
        .expect("bound address")
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("uacsta-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sipp_uac_calls_our_uas_over_udp() {
    sipp_calls_us(Protocol::Udp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sipp_uac_calls_our_uas_over_tcp() {
    sipp_calls_us(Protocol::Tcp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_uac_calls_sipp_uas_over_udp() {
    we_call_sipp(Protocol::Udp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_uac_calls_sipp_uas_over_tcp() {
    we_call_sipp(Protocol::Tcp).await;
}
