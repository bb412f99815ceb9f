//! Any datagram: the parser returns a message or a typed error, never panics, and a message it
//! accepts serializes to bytes it reads back the same (RFC 3261 §7).
#![no_main]

use libfuzzer_sys::fuzz_target;
use uacsta_sip::{Limits, Message, RequestPolicy, parse_datagram, validate_request};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    match parse_datagram(data, &limits) {
        Ok(message) => {
            if let Message::Request(request) = &message {
                let _ = validate_request(request, &RequestPolicy::default());
            }
            let again = parse_datagram(
                &message.to_bytes(),
                &Limits {
                    max_message_size: usize::MAX,
                    ..limits
                },
            );
            assert_eq!(
                again.as_ref(),
                Ok(&message),
                "serialized form does not read back"
            );
        }
        Err(error) => {
            let _ = error.status_code();
            let _ = error.reason_phrase();
            let _ = error.response(Some("fuzz"));
        }
    }
});
