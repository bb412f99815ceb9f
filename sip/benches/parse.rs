//! Parse and serialize throughput for the messages this product lives on: a REGISTER, an INVITE with
//! SDP and a uaCSTA INFO (ECMA-323 over ECMA TR/87) with a 2 kB body; the same bytes parsed by rsip 0.4
//! for comparison. Run with
//! `cargo bench -p uacsta-sip --no-default-features --bench parse -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use uacsta_sip::{Limits, parse_datagram};

const REGISTER: &str = "REGISTER sip:pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-524287-1---4a2f6b1c;rport\r\n\
Max-Forwards: 70\r\n\
Contact: <sip:000413aabbcc@192.0.2.10:5060;transport=tcp>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000413aabbcc>\";reg-id=1\r\n\
To: <sip:000413aabbcc@pbx.example.com>\r\n\
From: <sip:000413aabbcc@pbx.example.com>;tag=4f2c1a9b\r\n\
Call-ID: ZDc0ODEzMmI3NTg1YjU1MDI4ZTQ5YzJhZDcxMjM0NmI\r\n\
CSeq: 2 REGISTER\r\n\
Expires: 3600\r\n\
Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n\
Supported: replaces, outbound, path, gruu\r\n\
User-Agent: snom D785/10.1.141.13\r\n\
Authorization: Digest username=\"000413aabbcc\",realm=\"pbx.example.com\",nonce=\"5f2b8a3c0001a6e2\",uri=\"sip:pbx.example.com\",response=\"0b5b7d2e7f6c4b1f2c9f8e7d6c5b4a39\",algorithm=MD5,cnonce=\"8d2c\",qop=auth,nc=00000001\r\n\
Content-Length: 0\r\n\
\r\n";

const INVITE_SDP: &str = "INVITE sip:201@pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---7d1e0f3a;rport\r\n\
Max-Forwards: 70\r\n\
Contact: <sip:000413aabbcc@192.0.2.10:5060>\r\n\
To: <sip:201@pbx.example.com>\r\n\
From: \"Alice Example\" <sip:200@pbx.example.com>;tag=9a3c2e1f\r\n\
Call-ID: YjFlNjY3YzQ0NWUxMjc3ZjBkZjE3NWE5OGQ4MmJmNzY\r\n\
CSeq: 1 INVITE\r\n\
Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n\
Content-Type: application/sdp\r\n\
Supported: replaces, timer\r\n\
Session-Expires: 1800;refresher=uac\r\n\
Min-SE: 90\r\n\
User-Agent: Yealink SIP-T54W 96.86.0.70\r\n\
Content-Length: 305\r\n\
\r\n\
v=0\r\n\
o=- 3945678901 3945678901 IN IP4 192.0.2.10\r\n\
s=-\r\n\
c=IN IP4 192.0.2.10\r\n\
t=0 0\r\n\
m=audio 49170 RTP/AVP 9 0 8 18 101\r\n\
a=rtpmap:9 G722/8000\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:18 G729/8000\r\n\
a=fmtp:18 annexb=no\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15\r\n\
a=ptime:20\r\n\
a=sendrecv\r\n";

fn snapshot_body() -> String {
    let mut calls = String::new();
    for i in 0..8 {
        calls.push_str(&format!(
            "<snapshotDeviceResponseInfo><connectionIdentifier><callID>{}</callID><deviceID>201</deviceID></connectionIdentifier>\
<endpoint><deviceIdentifier>sip:20{i}@pbx.example.com</deviceIdentifier></endpoint>\
<localCallState><compoundCallState><localConnectionState>connected</localConnectionState></compoundCallState></localCallState></snapshotDeviceResponseInfo>",
            1000 + i
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
<SnapshotDeviceResponse xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed5\">\
<crossRefIDorSnapshotData><snapshotData>{calls}</snapshotData></crossRefIDorSnapshotData>\
<extensions><privateData><private><monitorCrossRefID>42</monitorCrossRefID></private></privateData></extensions>\
</SnapshotDeviceResponse>"
    )
}

fn info_csta() -> String {
    let body = snapshot_body();
    format!(
        "INFO sip:000413aabbcc@192.0.2.10:5060;transport=tcp SIP/2.0\r\n\
Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-csta-00017\r\n\
Max-Forwards: 70\r\n\
To: <sip:000413aabbcc@pbx.example.com>;tag=4f2c1a9b\r\n\
From: <sip:csta@pbx.example.com>;tag=srv-77\r\n\
Call-ID: csta-dialog-000413aabbcc@pbx.example.com\r\n\
CSeq: 17 INFO\r\n\
Contact: <sip:csta@192.0.2.1:5060;transport=tcp>\r\n\
Content-Type: application/csta+xml\r\n\
Content-Disposition: signal;handling=required\r\n\
Content-Length: {}\r\n\
\r\n\
{body}",
        body.len()
    )
}

fn messages() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("register", REGISTER.as_bytes().to_vec()),
        ("invite_sdp", INVITE_SDP.as_bytes().to_vec()),
        ("info_csta_2k", info_csta().into_bytes()),
    ]
}

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    for (name, bytes) in messages() {
        let parsed = parse_datagram(&bytes, &limits).expect("benchmark message parses");
        assert!(
            rsip::SipMessage::try_from(bytes.as_slice()).is_ok(),
            "rsip reads {name}"
        );
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("uacsta_parse", |b| {
            b.iter(|| parse_datagram(black_box(&bytes), &limits))
        });
        group.bench_function("rsip_parse", |b| {
            b.iter(|| rsip::SipMessage::try_from(black_box(bytes.as_slice())))
        });
        group.bench_function("uacsta_serialize", |b| {
            let mut out = Vec::with_capacity(bytes.len() + 64);
            b.iter(|| {
                out.clear();
                black_box(&parsed).write_to(&mut out);
                out.len()
            })
        });
        group.finish();
    }
    print_ratios();
}

/// A plain side-by-side figure per message, so the ratio to rsip reads at a glance.
fn print_ratios() {
    let limits = Limits::default();
    println!("\nparse time per message (mean of a 1 s run each):");
    for (name, bytes) in messages() {
        let ours = mean(|| {
            let _ = black_box(parse_datagram(black_box(&bytes), &limits));
        });
        let theirs = mean(|| {
            let _ = black_box(rsip::SipMessage::try_from(black_box(bytes.as_slice())));
        });
        println!(
            "  {name:<14} {:>5} B  uacsta {:>8.2} µs  rsip {:>8.2} µs  rsip/uacsta {:>5.1}x",
            bytes.len(),
            ours.as_secs_f64() * 1e6,
            theirs.as_secs_f64() * 1e6,
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
}

fn mean(mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    start.elapsed() / n
}

criterion_group!(benches, bench);
criterion_main!(benches);
