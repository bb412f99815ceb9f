//! The CSTA part of `uacsta demo`: real vendor messages (snom, OpenScape Voice, 3CX, ECMA-354) decoded
//! tolerantly, re-encoded in every ECMA-323 edition and decoded again.

use anyhow::Result;
use uacsta_csta::{Edition, Mode};

/// (name, bytes) of the demo samples, taken from the golden corpus.
const SAMPLES: &[(&str, &[u8])] = &[
    (
        "3CX MonitorStart (seed 001)",
        include_bytes!("../csta/tests/corpus/001_3cx_MonitorStart.xml"),
    ),
    (
        "snom MonitorStartResponse",
        include_bytes!("../csta/tests/corpus/005_snom_MonitorStartResponse.xml"),
    ),
    (
        "snom SnapshotDeviceResponse",
        include_bytes!("../csta/tests/corpus/011_snom_SnapshotDeviceResponse.xml"),
    ),
    (
        "OpenScape DeliveredEvent",
        include_bytes!("../csta/tests/corpus/026_osv_DeliveredEvent.xml"),
    ),
    (
        "OpenScape TransferedEvent",
        include_bytes!("../csta/tests/corpus/027_osv_TransferedEvent.xml"),
    ),
    (
        "Eltex StartApplicationSession",
        include_bytes!("../csta/tests/corpus/028_eltex_StartApplicationSession.xml"),
    ),
];

pub fn run() -> Result<bool> {
    println!(
        "{:<32} {:<28} {:<8} round trip ed2..ed6",
        "sample", "decoded as", "edition"
    );
    let mut ok = true;
    for (name, bytes) in SAMPLES {
        let decoded = match uacsta_csta::decode(bytes, Mode::Tolerant) {
            Ok(d) => d,
            Err(e) => {
                println!("{name:<32} FAILED: {e}");
                ok = false;
                continue;
            }
        };
        let round_trips: Vec<&str> = Edition::ALL
            .iter()
            .map(|edition| {
                let xml = uacsta_csta::encode(&decoded.message, *edition);
                match uacsta_csta::decode(xml.as_bytes(), Mode::Strict) {
                    Ok(again)
                        if again.message == decoded.message && again.deviations.is_empty() =>
                    {
                        "ok"
                    }
                    _ => "FAIL",
                }
            })
            .collect();
        ok &= round_trips.iter().all(|r| *r == "ok");
        let edition = decoded
            .edition
            .map_or_else(|| "-".to_string(), |e| format!("{e:?}").to_lowercase());
        println!(
            "{name:<32} {:<28} {edition:<8} {}",
            decoded.message.element_name(),
            round_trips.join(" ")
        );
    }
    Ok(ok)
}
