//! The shipped profiles load, from the folder and compiled in, and answer as the README says.

use std::path::PathBuf;

use uacsta_simulator::profile::{self, Assumed, EventName, Profiles, ServiceName, Support};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vendor-profiles")
}

fn load() -> Profiles {
    match Profiles::load_dir(&dir()) {
        Ok(p) => p,
        Err(e) => panic!("shipped profiles do not load:\n{e}"),
    }
}

#[test]
fn every_shipped_file_loads_and_check_counts_them() {
    let summary = profile::check(&dir()).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let names: Vec<String> = summary
        .files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "auerswald.yaml",
            "bekiot.yaml",
            "gigaset.yaml",
            "mitel.yaml",
            "snom.yaml",
            "yealink.yaml"
        ]
    );
    assert_eq!(summary.families, 6);
    assert_eq!(summary.models, 3 + 1 + 2 + 4 + 7 + 2);
    assert_eq!(summary.matrix_rows, 104);
}

#[test]
fn embedded_profiles_equal_the_folder() {
    let embedded = Profiles::embedded().unwrap_or_else(|e| panic!("{e}"));
    let folder = load();
    assert_eq!(embedded.summary().models, folder.summary().models);
    for (a, b) in embedded.families().iter().zip(folder.families()) {
        assert_eq!(
            a.profile(),
            b.profile(),
            "{} differs from the folder",
            a.id()
        );
    }
}

#[test]
fn snom_answers_by_firmware() {
    let p = load();
    let d7xx = p.model("snom-d7xx").expect("snom-d7xx");
    assert_eq!(d7xx.family().id(), "snom");
    let fw = |v: &str| d7xx.parse_firmware(v).unwrap();

    assert_eq!(
        d7xx.support(ServiceName::MakeCall, &fw("8.7.3")),
        Support::Supported
    );
    match d7xx.support(ServiceName::ConsultationCall, &fw("8.7.3")) {
        Support::TooOld { since, refusal } => {
            assert_eq!(since.as_str(), "8.7.4");
            assert_eq!(
                refusal.value.as_deref(),
                Some("requestIncompatibleWithObject")
            );
        }
        other => panic!("expected TooOld, got {other:?}"),
    }
    assert_eq!(
        d7xx.support(ServiceName::ConsultationCall, &fw("10.1.84.12")),
        Support::Supported
    );
    assert!(matches!(
        d7xx.support(ServiceName::SnapshotCall, &fw("10.1.84.12")),
        Support::Unsupported { .. }
    ));
    match d7xx.support(ServiceName::AlternateCall, &fw("8.7.5.35")) {
        Support::Emulated { by, .. } => {
            assert_eq!(by, [ServiceName::HoldCall, ServiceName::RetrieveCall])
        }
        other => panic!("expected Emulated, got {other:?}"),
    }
    assert!(matches!(
        d7xx.support(ServiceName::ReconnectCall, &fw("8.7.5.35")),
        Support::Undeclared {
            assumed: Assumed::Refused { .. }
        }
    ));
    // AlternateCall works through the server once HoldCall and RetrieveCall do.
    assert!(!d7xx.available(ServiceName::AlternateCall, &fw("8.4.35")));
    assert!(d7xx.available(ServiceName::AlternateCall, &fw("8.7.3")));
}

#[test]
fn derived_events_follow_their_services() {
    let p = load();
    let snom = p.model("snom-821").unwrap();
    let fw = |v: &str| snom.parse_firmware(v).unwrap();
    // SystemRegister comes with 8.7.4, and SystemRegisterAbort with it.
    assert!(!snom.emits(EventName::SystemRegisterAbort, &fw("8.7.3")));
    assert!(snom.emits(EventName::SystemRegisterAbort, &fw("8.7.4")));
    assert!(snom.emits(EventName::Delivered, &fw("8.7.3")));
    assert!(!snom.emits(EventName::Delivered, &fw("8.4.35")));
    assert!(!snom.emits(EventName::CallCleared, &fw("10.1.84.12")));
    assert!(!snom.emits(EventName::DigitsDialed, &fw("10.1.84.12")));
}

#[test]
fn yealink_compares_across_model_prefixes() {
    let p = load();
    let t48g = p.model("yealink-t48g").unwrap();
    let fw = |v: &str| t48g.parse_firmware(v).unwrap();
    assert!(matches!(
        t48g.support(ServiceName::MakeCall, &fw("35.71.0.1")),
        Support::TooOld { .. }
    ));
    assert_eq!(
        t48g.support(ServiceName::MakeCall, &fw("35.73.98.4")),
        Support::Supported
    );
    assert!(t48g.offered("35.83.0.120").is_some());
    assert!(t48g.offered("35.81.0.15").is_none());
}

#[test]
fn habits_and_user_agents_come_from_the_profile() {
    let p = load();
    let n870 = p.model("gigaset-n870").unwrap();
    let latest = n870.firmware().last().unwrap();
    assert_eq!(
        n870.user_agent(latest.entry, "7C2F80AABBCC"),
        "Gigaset N870 IP PRO/83.V2.43.0+build.5f0a106;7C2F80AABBCC"
    );
    let mitel = p.model("mitel-6867i").unwrap();
    let minimum = mitel.offered("4.1.0 SP2").unwrap();
    assert_eq!(
        mitel.user_agent(minimum.entry, "00085D000001"),
        "Mitel 6867i/4.1.0.2033"
    );
    assert_eq!(mitel.sip().register_expires_s, 3600);
    let snom = p.family("snom").unwrap();
    assert_eq!(snom.csta().edition, profile::schema::Edition::Ed5);
    assert_eq!(
        snom.csta().call_id_format,
        profile::schema::CallIdFormat::SignedDecimal
    );
    assert_eq!(snom.provisioning().settings[0].key, "csta_control");
}

#[test]
fn no_source_points_at_a_machine_local_path() {
    for family in load().families() {
        for s in &family.profile().sources {
            for text in [&s.url, &s.location].into_iter().flatten() {
                assert!(
                    !text.contains("/work/"),
                    "{}: source {} cites {text}",
                    family.id(),
                    s.id
                );
            }
        }
    }
}
