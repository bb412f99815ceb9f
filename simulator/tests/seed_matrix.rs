//! `seed-002-matrix.csv` three ways: the profiles answer each row at, just below and just above its
//! version; the CSV is the seed 002 §2.4 tables cell for cell; the service and event names are
//! those of seed 002 §4.2.1.
//!
//! The seed text lives outside the repository (`../shared/seeds/` beside it, as CI clones it).
//! `UACSTA_SEEDS_DIR` points elsewhere; `UACSTA_NO_SEEDS=1` skips the seed comparisons when the
//! seeds are not on the machine.

use std::path::PathBuf;

use uacsta_simulator::profile::matrix::{self, MatrixRow, MatrixSupport};
use uacsta_simulator::profile::{
    EventName, FirmwareVersion, ModelRef, NotationRule, Profiles, ServiceName, Support,
};

fn vendor_profiles() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vendor-profiles")
}

fn rows() -> Vec<MatrixRow> {
    let text = std::fs::read_to_string(vendor_profiles().join("seed-002-matrix.csv"))
        .expect("vendor-profiles/seed-002-matrix.csv is readable");
    matrix::parse(&text).unwrap_or_else(|e| panic!("seed-002-matrix.csv: {e}"))
}

/// Seed 002's text, or `None` when it is absent and `UACSTA_NO_SEEDS=1` allows that.
fn seed_002() -> Option<String> {
    let dir = std::env::var_os("UACSTA_SEEDS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/seeds"));
    let file = std::fs::read_dir(&dir).ok().and_then(|entries| {
        entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("002_"))
        })
    });
    match file {
        Some(path) => Some(std::fs::read_to_string(&path).expect("seed 002 is readable")),
        None if std::env::var("UACSTA_NO_SEEDS").as_deref() == Ok("1") => {
            eprintln!(
                "seed 002 not found in {}; skipped (UACSTA_NO_SEEDS=1)",
                dir.display()
            );
            None
        }
        None => panic!(
            "seed 002 (002_*.txt) not found in {}: put the shared folder beside the repository, \
             point UACSTA_SEEDS_DIR at the seeds, or set UACSTA_NO_SEEDS=1 to skip this check",
            dir.display()
        ),
    }
}

/// The version just below and just above `at` in its notation, for the kinds of version the
/// seed tables use.
fn neighbours(rule: NotationRule, at: &str) -> (String, String) {
    match rule {
        NotationRule::DottedNumeric => {
            let (head, last) = at.rsplit_once('.').expect("dotted version");
            let last: u64 = last.parse().expect("numeric field");
            assert!(last > 0, "no version below {at} in three fields");
            (format!("{head}.{}", last - 1), format!("{at}.1"))
        }
        NotationRule::AuerswaldLetter => {
            let letter = *at.as_bytes().last().expect("non-empty");
            assert!(
                letter.is_ascii_uppercase(),
                "seed versions carry a letter: {at}"
            );
            let release = &at[..at.len() - 1];
            let below = if letter == b'A' {
                release.to_owned()
            } else {
                format!("{release}{}", char::from(letter - 1))
            };
            (below, format!("{release}{}", char::from(letter + 1)))
        }
        NotationRule::MitelSp => {
            let (release, sp) = at
                .split_once(" SP")
                .expect("seed versions carry a service pack");
            let sp: u64 = sp.parse().expect("numeric service pack");
            (
                format!("{release} SP{}", sp - 1),
                format!("{release} SP{}", sp + 1),
            )
        }
        NotationRule::YealinkModelPrefix => {
            let (head, build) = at.rsplit_once('.').expect("four fields");
            let build: u64 = build.parse().expect("numeric build");
            (
                format!("{head}.{}", build - 1),
                format!("{head}.{}", build + 1),
            )
        }
    }
}

fn parse(model: &ModelRef<'_>, text: &str) -> FirmwareVersion {
    // The seed writes `xx` for the Yealink model prefix; a real phone shows its own.
    let text = match model.model().firmware_prefix {
        Some(prefix) => text.replacen("xx", &prefix.to_string(), 1),
        None => text.to_owned(),
    };
    model
        .parse_firmware(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", model.id()))
}

#[test]
fn profiles_answer_every_matrix_row_at_below_and_above_its_version() {
    let profiles = Profiles::load_dir(&vendor_profiles()).unwrap_or_else(|e| panic!("{e}"));
    let rows = rows();
    assert_eq!(rows.len(), 104);
    let mut checked = 0;
    for row in &rows {
        let family = profiles
            .families()
            .iter()
            .find(|f| f.profile().seed_table.as_deref() == Some(row.vendor.as_str()))
            .unwrap_or_else(|| panic!("no family transcribes the {} table", row.vendor));
        let names: Vec<String> = family
            .models()
            .map(|m| {
                if m.beta() {
                    format!("{} (beta)", m.name())
                } else {
                    m.name().to_owned()
                }
            })
            .collect();
        assert_eq!(names, row.models, "line {}: model list", row.line);
        for model in family.models() {
            let here = format!(
                "line {} ({} {} on {})",
                row.line,
                row.vendor,
                row.service,
                model.id()
            );
            match row.support {
                MatrixSupport::Since => {
                    let (below, above) = neighbours(family.notation(), &row.from_version);
                    let at = parse(&model, &row.from_version);
                    assert_eq!(
                        model.support(row.service, &at),
                        Support::Supported,
                        "{here}: at {at}"
                    );
                    let above = parse(&model, &above);
                    assert_eq!(
                        model.support(row.service, &above),
                        Support::Supported,
                        "{here}: above, {above}"
                    );
                    let below = parse(&model, &below);
                    match model.support(row.service, &below) {
                        Support::TooOld { since, refusal } => {
                            assert_eq!(*since, at, "{here}");
                            assert_eq!(refusal, &family.refusal().firmware_too_old, "{here}");
                        }
                        other => panic!("{here}: below, {below}: expected TooOld, got {other:?}"),
                    }
                }
                MatrixSupport::Unsupported => {
                    for fw in model.firmware() {
                        match model.support(row.service, fw.version) {
                            Support::Unsupported { refusal } => {
                                assert_eq!(refusal, &family.refusal().unsupported_service, "{here}")
                            }
                            other => panic!(
                                "{here}: on {}: expected Unsupported, got {other:?}",
                                fw.version
                            ),
                        }
                    }
                }
                MatrixSupport::Emulated => {
                    for fw in model.firmware() {
                        match model.support(row.service, fw.version) {
                            Support::Emulated { by, .. } => {
                                assert_eq!(
                                    by,
                                    [ServiceName::HoldCall, ServiceName::RetrieveCall],
                                    "{here}"
                                )
                            }
                            other => panic!(
                                "{here}: on {}: expected Emulated, got {other:?}",
                                fw.version
                            ),
                        }
                    }
                }
            }
            checked += 1;
        }
    }
    // 26 services for each of 3 Auerswald, 4 Mitel, 7 snom and 2 Yealink models.
    assert_eq!(checked, 26 * (3 + 4 + 7 + 2));
}

/// One §2.4 table as printed: heading, model names, and the (feature, description, from) rows.
#[derive(Debug)]
struct SeedTable {
    vendor: String,
    models: Vec<String>,
    rows: Vec<[String; 3]>,
}

/// Reads seed 002 §2.4: a vendor heading, lines of model names (several may share a line, each
/// starting with the line's first word), the header `CSTA Feature / Description / From version`,
/// then tab-separated rows; blank lines anywhere.
fn seed_tables(seed: &str) -> Vec<SeedTable> {
    let start = seed
        .find("\n2.4 Supported Telephones and Features")
        .expect("§2.4 heading");
    let end = seed[start..]
        .find("\n3 Installation")
        .expect("chapter 3 heading")
        + start;
    let mut tables: Vec<SeedTable> = Vec::new();
    let mut in_rows = true;
    for line in seed[start..end]
        .lines()
        .skip(2)
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
    {
        if line == "CSTA Feature\tDescription\tFrom version" {
            in_rows = true;
        } else if line.contains('\t') {
            let cells: Vec<String> = line.split('\t').map(str::to_owned).collect();
            let cells: [String; 3] = cells.try_into().unwrap_or_else(|c| panic!("row {c:?}"));
            tables.last_mut().expect("a heading first").rows.push(cells);
        } else if in_rows {
            tables.push(SeedTable {
                vendor: line.to_owned(),
                models: Vec::new(),
                rows: Vec::new(),
            });
            in_rows = false;
        } else {
            let first = line.split(' ').next().expect("non-empty");
            let table = tables.last_mut().expect("a heading first");
            for word in line.split(' ') {
                match table.models.last_mut() {
                    Some(name) if word != first => {
                        name.push(' ');
                        name.push_str(word);
                    }
                    _ => table.models.push(word.to_owned()),
                }
            }
        }
    }
    tables
}

#[test]
fn matrix_is_the_seed_table_cell_for_cell() {
    let Some(seed) = seed_002() else { return };
    let tables = seed_tables(&seed);
    let vendors: Vec<&str> = tables.iter().map(|t| t.vendor.as_str()).collect();
    assert_eq!(vendors, ["Auerswald", "Mitel", "snom", "Yealink"]);
    let seed_rows: Vec<(&SeedTable, &[String; 3])> = tables
        .iter()
        .flat_map(|t| t.rows.iter().map(move |r| (t, r)))
        .collect();
    let rows = rows();
    assert_eq!(seed_rows.len(), rows.len(), "row count");
    for ((table, [feature, description, from]), row) in seed_rows.into_iter().zip(&rows) {
        let here = format!("seed-002-matrix.csv line {}", row.line);
        assert_eq!(row.vendor, table.vendor, "{here}: vendor");
        assert_eq!(row.models, table.models, "{here}: models");
        assert_eq!(&row.seed_feature, feature, "{here}: seed_feature");
        assert_eq!(&row.description, description, "{here}: description");
        assert_eq!(&row.from_version, from, "{here}: from_version");
        let ecma = feature.replace(' ', "").replace("SnapShot", "Snapshot");
        assert_eq!(row.service.as_str(), ecma, "{here}: service");
        assert_eq!(
            row.support,
            matrix::implied_support(from),
            "{here}: support"
        );
    }
}

#[test]
fn service_and_event_names_are_those_of_seed_section_4_2_1() {
    let Some(seed) = seed_002() else { return };
    let start = seed
        .find("\n4.2.1 uaCSTA Features")
        .expect("§4.2.1 heading");
    // The seed marks cells with Latin X, Cyrillic Х or Greek Χ.
    let marked = |cell: &str| matches!(cell.trim(), "X" | "\u{425}" | "\u{3a7}");
    let (mut services, mut events) = (Vec::new(), Vec::new());
    for line in seed[start..].lines().filter(|l| l.contains('\t')) {
        let cells: Vec<&str> = line
            .strip_prefix('\t')
            .unwrap_or(line)
            .split('\t')
            .collect();
        let [name, service, event] = cells[..] else {
            continue;
        };
        let name = name.replace(' ', "");
        if name.is_empty() || name == "CSTAMethods/Events" {
            continue;
        }
        if marked(service) {
            services.push(
                name.parse::<ServiceName>()
                    .unwrap_or_else(|e| panic!("{e}")),
            );
        }
        if marked(event) {
            events.push(name.parse::<EventName>().unwrap_or_else(|e| panic!("{e}")));
        }
    }
    services.sort();
    let mut all = ServiceName::ALL.to_vec();
    all.sort();
    assert_eq!(services, all, "the 32 services");
    // The profiles add BackInService/OutOfService from seed 002 §4.1.1; the table's row with an
    // empty name cell (after Transferred) is not modelled.
    let missing: Vec<EventName> = EventName::ALL
        .into_iter()
        .filter(|e| !events.contains(e))
        .collect();
    assert_eq!(missing, [EventName::BackInService, EventName::OutOfService]);
    assert_eq!(events.len(), 25);
}
