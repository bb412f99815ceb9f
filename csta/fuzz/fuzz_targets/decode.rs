//! Fuzz the CSTA XML decoder: no input may panic, and whatever decodes must encode to XML that
//! decodes again to the same message in every edition.

#![no_main]

use libfuzzer_sys::fuzz_target;
use uacsta_csta::{Edition, Mode, decode, encode};

fuzz_target!(|data: &[u8]| {
    let _ = decode(data, Mode::Strict);
    if let Ok(decoded) = decode(data, Mode::Tolerant) {
        for edition in Edition::ALL {
            let xml = encode(&decoded.message, edition);
            let again =
                decode(xml.as_bytes(), Mode::Tolerant).expect("the encoder's output decodes");
            assert_eq!(again.message, decoded.message);
        }
    }
});
