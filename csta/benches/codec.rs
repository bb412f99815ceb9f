//! Decode and encode rates of the CSTA codec against the time quick-xml's raw reader needs just to
//! scan the same bytes (`read_event_into` loop), for a small request (MonitorStart), a typical event
//! (DeliveredEvent) and a large response (SnapshotDeviceResponse with 50 calls). After the criterion
//! groups, the decode/scan ratio of each sample is printed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use quick_xml::Reader;
use quick_xml::events::Event;
use uacsta_csta::{Edition, Mode, decode, encode};

const ED5: &str = "http://www.ecma-international.org/standards/ecma-323/csta/ed5";

fn monitor_start() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<MonitorStart xmlns=\"{ED5}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n\n<monitorObject><deviceObject>sip:181@172.16.7.255:5060</deviceObject></monitorObject></MonitorStart>\n\n"
    )
}

fn delivered_event() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<DeliveredEvent xmlns="{ED5}">
  <monitorCrossRefID>1042</monitorCrossRefID>
  <connection><callID>-18273</callID><deviceID>sip:201@pbx.example.com</deviceID></connection>
  <alertingDevice><deviceIdentifier>sip:201@pbx.example.com</deviceIdentifier></alertingDevice>
  <callingDevice><deviceIdentifier typeOfNumber="dialingNumber">tel:+4930555123</deviceIdentifier></callingDevice>
  <calledDevice><deviceIdentifier>sip:201@pbx.example.com</deviceIdentifier></calledDevice>
  <lastRedirectionDevice><notRequired/></lastRedirectionDevice>
  <localConnectionInfo>alerting</localConnectionInfo>
  <cause>newCall</cause>
  <networkCallingDevice><deviceIdentifier>+4930555123</deviceIdentifier></networkCallingDevice>
  <extensions><privateData><private><vendor:callerName xmlns:vendor="urn:x">M&#252;ller</vendor:callerName></private></privateData></extensions>
</DeliveredEvent>"#
    )
}

fn snapshot_device_response(entries: usize) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><SnapshotDeviceResponse xmlns=\"{ED5}\"><crossRefIDorSnapshotData><snapshotData>"
    );
    for i in 0..entries {
        xml.push_str(&format!(
            "<snapshotDeviceResponseInfo><connectionIdentifier><callID>{}</callID><deviceID>sip:{}@pbx.example.com</deviceID></connectionIdentifier><localCallState><compoundCallState><localConnectionState>connected</localConnectionState><localConnectionState>hold</localConnectionState></compoundCallState></localCallState></snapshotDeviceResponseInfo>",
            1000 + i,
            200 + i
        ));
    }
    xml.push_str("</snapshotData></crossRefIDorSnapshotData></SnapshotDeviceResponse>");
    xml
}

fn raw_scan(bytes: &[u8], buf: &mut Vec<u8>) -> usize {
    let mut reader = Reader::from_reader(bytes);
    let mut events = 0;
    loop {
        buf.clear();
        match reader.read_event_into(buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => events += 1,
        }
    }
    events
}

fn samples() -> Vec<(&'static str, String)> {
    vec![
        ("MonitorStart", monitor_start()),
        ("DeliveredEvent", delivered_event()),
        ("SnapshotDeviceResponse50", snapshot_device_response(50)),
    ]
}

fn bench(c: &mut Criterion) {
    for (name, xml) in samples() {
        let bytes = xml.as_bytes();
        let message = decode(bytes, Mode::Tolerant)
            .expect("benchmark sample decodes")
            .message;
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("decode", |b| {
            b.iter(|| decode(black_box(bytes), Mode::Tolerant))
        });
        group.bench_function("decode_strict", |b| {
            b.iter(|| decode(black_box(bytes), Mode::Strict))
        });
        group.bench_function("encode", |b| {
            b.iter(|| encode(black_box(&message), Edition::Ed5))
        });
        let mut buf = Vec::new();
        group.bench_function("raw_scan", |b| {
            b.iter(|| raw_scan(black_box(bytes), &mut buf))
        });
        group.finish();
    }
}

/// Mean time of `f` over about `budget`.
fn mean(budget: Duration, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < budget {
        f();
        n += 1;
    }
    start.elapsed() / n.max(1)
}

fn print_ratios() {
    println!("\nsample                     decode      raw scan    decode speed / scan speed");
    for (name, xml) in samples() {
        let bytes = xml.as_bytes();
        let mut buf = Vec::new();
        let budget = Duration::from_millis(500);
        let scan = mean(budget, || {
            black_box(raw_scan(black_box(bytes), &mut buf));
        });
        let dec = mean(budget, || {
            let _ = black_box(decode(black_box(bytes), Mode::Tolerant));
        });
        println!(
            "{name:<26} {:>9.2?}  {:>9.2?}   {:.2}x",
            dec,
            scan,
            scan.as_secs_f64() / dec.as_secs_f64()
        );
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    print_ratios();
}
