//! Property test: for every message type and every edition, decoding what was encoded gives the
//! message back, and strict decoding of it finds no deviation.

use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::messages::message_strategies;
use crate::{Edition, Mode, decode, encode};

#[test]
fn every_message_round_trips_in_every_edition() {
    for (name, strategy) in message_strategies() {
        for edition in Edition::ALL {
            let mut runner = TestRunner::new(Config {
                cases: 24,
                failure_persistence: None,
                ..Config::default()
            });
            let result = runner.run(&strategy, |message| {
                let xml = encode(&message, edition);
                let decoded = decode(xml.as_bytes(), Mode::Strict)
                    .map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
                proptest::prop_assert_eq!(&decoded.message, &message, "{}", xml);
                proptest::prop_assert!(
                    decoded.deviations.is_empty(),
                    "{:?}\n{}",
                    decoded.deviations,
                    xml
                );
                proptest::prop_assert!(decoded.unknown_elements.is_empty(), "{}", xml);
                Ok(())
            });
            if let Err(e) = result {
                panic!("{name} in {edition:?}: {e}");
            }
        }
    }
}
