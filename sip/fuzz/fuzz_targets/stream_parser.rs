//! Any byte stream, cut into chunks whose sizes come from the input: the stream parser never panics,
//! never buffers past its limit plus one chunk, and yields nothing after an error (RFC 3261 §18.3,
//! RFC 5626 §4.4.1).
#![no_main]

use libfuzzer_sys::fuzz_target;
use uacsta_sip::{Limits, StreamParser};

fuzz_target!(|data: &[u8]| {
    let Some((&seed, stream)) = data.split_first() else {
        return;
    };
    let limits = Limits {
        max_message_size: 4096,
        max_headers: 64,
    };
    let mut parser = if seed & 1 == 0 {
        StreamParser::new(limits)
    } else {
        StreamParser::for_pinging_side(limits)
    };
    let mut rest = stream;
    let mut chunk = usize::from(seed >> 1) + 1;
    while !rest.is_empty() {
        let (now, later) = rest.split_at(chunk.min(rest.len()));
        parser.push(now);
        assert!(parser.buffered() <= limits.max_message_size + 2 * chunk + 4);
        let mut failed = false;
        while let Some(item) = parser.next() {
            assert!(!failed, "an item after an error");
            failed = item.is_err();
        }
        rest = later;
        chunk = chunk * 7 % 131 + 1;
    }
});
