//! Broken profiles give the right error at the right place: each folder under
//! `tests/bad-profiles/` holds `valid/mini.yaml` broken in one spot, and the loader must name the
//! file, line, column and field path of that spot, and nothing else.

use std::path::Path;

use uacsta_simulator::profile::{self, ErrorKind, Position, ProfileError, ServiceName};

fn errors(case: &str) -> Vec<ProfileError> {
    let dir = Path::new("tests/bad-profiles").join(case);
    match profile::check(&dir) {
        Ok(summary) => panic!("{case}: loaded, but should not: {summary}"),
        Err(errors) => errors,
    }
}

/// The one error of `case`, as `uacsta profile check` prints it.
fn only_error(case: &str) -> (String, ProfileError) {
    let mut all = errors(case);
    assert_eq!(all.len(), 1, "{case}: {all:#?}");
    let e = all.remove(0);
    (e.to_string(), e)
}

fn at(line: u32, column: u32) -> Option<Position> {
    Some(Position { line, column })
}

#[test]
fn the_unbroken_profile_loads() {
    let summary = profile::check(Path::new("tests/bad-profiles/valid")).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert_eq!(
        (summary.families, summary.models, summary.firmware),
        (1, 1, 4)
    );
}

#[test]
fn unknown_key() {
    let (text, e) = only_error("unknown-key");
    assert_eq!(
        text,
        "tests/bad-profiles/unknown-key/mini.yaml:20:5: models[0].colour: unknown field `colour`, \
         expected one of id, name, beta, firmware_prefix, user_agent, firmware, notes"
    );
    assert!(matches!(e.kind, ErrorKind::Yaml(_)));
}

#[test]
fn wrong_type() {
    let (text, e) = only_error("wrong-type");
    assert_eq!(
        text,
        "tests/bad-profiles/wrong-type/mini.yaml:129:23: sip.register_expires_s: invalid u32"
    );
    assert_eq!(e.position, at(129, 23));
}

#[test]
fn unknown_service() {
    let (text, _) = only_error("unknown-service");
    assert_eq!(
        text,
        "tests/bad-profiles/unknown-service/mini.yaml:46:3: services.MakeCal: \
         unknown CSTA service `MakeCal` (did you mean `MakeCall`?)"
    );
}

#[test]
fn bad_version() {
    let (text, e) = only_error("bad-version");
    assert_eq!(
        text,
        r"tests/bad-profiles/bad-version/mini.yaml:25:10: models[0].firmware[3].version: `2.0b` is not a dotted-numeric version (expected ^\d+(\.\d+)*$)"
    );
    match e.kind {
        ErrorKind::BadVersion(v) => assert_eq!(v.text, "2.0b"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn dangling_source_id() {
    let (text, e) = only_error("dangling-source");
    assert_eq!(
        text,
        "tests/bad-profiles/dangling-source/mini.yaml:45:61: services.HoldCall.source: \
         source `manual` is not the id of an entry of `sources`"
    );
    assert!(matches!(e.kind, ErrorKind::UnknownSource(id) if id == "manual"));
}

#[test]
fn missing_service() {
    let (text, e) = only_error("missing-service");
    assert_eq!(
        text,
        "tests/bad-profiles/missing-service/mini.yaml:26:1: services: service `SetForwarding` is \
         missing: every family lists all 32 services of seed 002 §4.2.1"
    );
    assert!(matches!(
        e.kind,
        ErrorKind::MissingService(ServiceName::SetForwarding)
    ));
}

#[test]
fn error_category_outside_ecma_269() {
    let (text, _) = only_error("bad-error-category");
    assert!(
        text.starts_with(
            "tests/bad-profiles/bad-error-category/mini.yaml:88:53: \
             refusal.unsupported_service.category: unknown variant `operations`, expected one of operation, "
        ),
        "{text}"
    );
}

#[test]
fn emulated_by_a_service_the_phone_lacks() {
    let (text, _) = only_error("emulated-by-unsupported");
    assert_eq!(
        text,
        "tests/bad-profiles/emulated-by-unsupported/mini.yaml:37:35: services.AlternateCall.emulated: \
         emulated by `DialDigits`, which this family does not support"
    );
}

#[test]
fn machine_local_source() {
    let (text, _) = only_error("machine-local-source");
    assert_eq!(
        text,
        "tests/bad-profiles/machine-local-source/mini.yaml:7:41: sources[0].location: \
         `/home/me/notes/mini.md` is a machine-local path; cite the public document, or write \"project vendor notes\""
    );
}

#[test]
fn a_folder_without_profiles_is_an_error() {
    let errors = profile::check(Path::new("tests/bad-profiles/does-not-exist")).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(matches!(errors[0].kind, ErrorKind::Io(_)));
    assert!(
        errors[0]
            .to_string()
            .starts_with("tests/bad-profiles/does-not-exist: cannot read: ")
    );
}
