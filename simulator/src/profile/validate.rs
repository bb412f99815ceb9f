//! Checks beyond types: every rule of `vendor-profiles/README.md` that serde cannot express
//! (complete service and event sets, versions under the family's notation, source ids, firmware
//! roles, "exactly one of", refusal shapes, placeholders), and agreement with
//! `seed-002-matrix.csv`. Each finding carries the field path it is about; the loader turns the
//! path into a line and column.

use std::collections::{BTreeMap, HashSet};

use super::error::ErrorKind;
use super::matrix::{MatrixRow, MatrixSupport};
use super::names::{EventName, ServiceName};
use super::schema::{
    Assume, Carrier, FirmwareRole, RefusalForm, RefusalKind, Status, VendorProfile,
};
use super::version::{FirmwareVersion, NotationRule, Since};

/// A service's availability, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Answered from this firmware on.
    Since(Since),
    /// Never answered.
    Unsupported,
    /// The server performs it with these services; the phone refuses it.
    Emulated(Vec<ServiceName>),
    /// The source says nothing; the farm does `assume`.
    Undeclared {
        /// Refuse or support.
        assume: Assume,
        /// From when, if supported.
        since: Option<Since>,
    },
}

impl Availability {
    /// The `since` the phone answers from, declared or assumed.
    pub fn since(&self) -> Option<&Since> {
        match self {
            Availability::Since(s) => Some(s),
            Availability::Undeclared { since, .. } => since.as_ref(),
            _ => None,
        }
    }
}

/// What validation yields for a good file.
pub(crate) struct Parsed {
    pub availability: BTreeMap<ServiceName, Availability>,
    pub firmware: Vec<Vec<FirmwareVersion>>,
}

pub(crate) type Finding = (String, ErrorKind);

/// Checks one profile on its own. `stem` is the file stem.
pub(crate) fn validate(p: &VendorProfile, stem: &str) -> Result<Parsed, Vec<Finding>> {
    let mut out: Vec<Finding> = Vec::new();
    let rule = p.firmware_notation.rule;

    if p.schema_version != 1 {
        out.push((
            "schema_version".into(),
            ErrorKind::SchemaVersion(p.schema_version),
        ));
    }
    if p.family != stem {
        out.push((
            "family".into(),
            ErrorKind::FamilyNotStem {
                family: p.family.clone(),
                stem: stem.to_owned(),
            },
        ));
    }

    // Sources.
    let mut ids = HashSet::new();
    if p.sources.is_empty() {
        out.push(("sources".into(), ErrorKind::Empty));
    }
    for (i, s) in p.sources.iter().enumerate() {
        if !ids.insert(s.id.as_str()) {
            out.push((
                format!("sources[{i}].id"),
                ErrorKind::DuplicateSource(s.id.clone()),
            ));
        }
        if s.url.is_none() && s.location.is_none() {
            out.push((format!("sources[{i}]"), ErrorKind::SourceWithoutAddress));
        }
        for (key, value) in [("url", &s.url), ("location", &s.location)] {
            if let Some(v) = value.as_deref().filter(|v| is_machine_local(v)) {
                out.push((
                    format!("sources[{i}].{key}"),
                    ErrorKind::LocalPath(v.to_owned()),
                ));
            }
        }
    }
    let mut provenance = |path: String, source: &str, status: Status, notes: &Option<String>| {
        if !ids.contains(source) {
            out.push((
                format!("{path}.source"),
                ErrorKind::UnknownSource(source.to_owned()),
            ));
        }
        let needs = match status {
            Status::Confirmed => None,
            Status::Derived => Some("derived"),
            Status::Assumed => Some("assumed"),
        };
        if let Some(status) = needs.filter(|_| notes.as_deref().is_none_or(|n| n.trim().is_empty()))
        {
            out.push((format!("{path}.status"), ErrorKind::NotesRequired(status)));
        }
    };

    for (i, o) in p.mac_oui.iter().enumerate() {
        provenance(format!("mac_oui[{i}]"), &o.source, o.status, &o.notes);
    }
    let n = &p.firmware_notation;
    provenance("firmware_notation".into(), &n.source, n.status, &n.notes);
    for (i, m) in p.models.iter().enumerate() {
        let u = &m.user_agent;
        provenance(
            format!("models[{i}].user_agent"),
            &u.source,
            u.status,
            &u.notes,
        );
        for (j, f) in m.firmware.iter().enumerate() {
            provenance(
                format!("models[{i}].firmware[{j}]"),
                &f.source,
                f.status,
                &f.notes,
            );
        }
    }
    for (name, s) in &p.services {
        provenance(format!("services.{name}"), &s.source, s.status, &s.notes);
    }
    for (name, e) in &p.events {
        provenance(format!("events.{name}"), &e.source, e.status, &e.notes);
    }
    for (key, r) in [
        ("unsupported_service", &p.refusal.unsupported_service),
        ("firmware_too_old", &p.refusal.firmware_too_old),
    ] {
        provenance(format!("refusal.{key}"), &r.source, r.status, &r.notes);
    }
    let k = &p.csta.keep_alive;
    provenance("csta.keep_alive".into(), &k.source, k.status, &k.notes);
    for (i, q) in p.csta.quirks.iter().enumerate() {
        provenance(format!("csta.quirks[{i}]"), &q.source, q.status, &q.notes);
    }
    for (key, r) in p.csta.provenance.records() {
        provenance(
            format!("csta.provenance.{key}"),
            &r.source,
            r.status,
            &r.notes,
        );
    }
    for (key, r) in p.sip.provenance.records() {
        provenance(
            format!("sip.provenance.{key}"),
            &r.source,
            r.status,
            &r.notes,
        );
    }
    for (i, s) in p.provisioning.settings.iter().enumerate() {
        provenance(
            format!("provisioning.settings[{i}]"),
            &s.source,
            s.status,
            &s.notes,
        );
    }

    // MAC prefixes and notation.
    if p.mac_oui.is_empty() {
        out.push(("mac_oui".into(), ErrorKind::Empty));
    }
    for (i, o) in p.mac_oui.iter().enumerate() {
        if !is_oui(&o.prefix) {
            out.push((
                format!("mac_oui[{i}].prefix"),
                ErrorKind::BadOui(o.prefix.clone()),
            ));
        }
    }
    if let Err(e) = rule.parse(&n.example) {
        out.push(("firmware_notation.example".into(), e.into()));
    }

    // Services.
    let mut availability = BTreeMap::new();
    for name in ServiceName::ALL {
        if !p.services.contains_key(&name) {
            out.push(("services".into(), ErrorKind::MissingService(name)));
        }
    }
    for (name, s) in &p.services {
        let path = format!("services.{name}");
        let count = usize::from(s.since.is_some())
            + usize::from(s.unsupported.is_some())
            + usize::from(s.emulated.is_some())
            + usize::from(s.undeclared.is_some());
        if count != 1 {
            out.push((path, ErrorKind::AvailabilityCount(count)));
            continue;
        }
        let parsed = if let Some(since) = &s.since {
            match rule.parse_since(since) {
                Ok(v) => Availability::Since(v),
                Err(e) => {
                    out.push((format!("{path}.since"), e.into()));
                    continue;
                }
            }
        } else if let Some(flag) = s.unsupported {
            if !flag {
                out.push((format!("{path}.unsupported"), ErrorKind::UnsupportedFalse));
            }
            Availability::Unsupported
        } else if let Some(by) = &s.emulated {
            if by.is_empty() {
                out.push((format!("{path}.emulated"), ErrorKind::Empty));
            }
            Availability::Emulated(by.clone())
        } else if let Some(u) = &s.undeclared {
            let since = match (u.assume, &u.since) {
                (Assume::Support, Some(text)) => match rule.parse_since(text) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        out.push((format!("{path}.undeclared.since"), e.into()));
                        continue;
                    }
                },
                (Assume::Support, None) => {
                    out.push((
                        format!("{path}.undeclared"),
                        ErrorKind::UndeclaredSince(true),
                    ));
                    continue;
                }
                (Assume::Refuse, Some(_)) => {
                    out.push((
                        format!("{path}.undeclared.since"),
                        ErrorKind::UndeclaredSince(false),
                    ));
                    continue;
                }
                (Assume::Refuse, None) => None,
            };
            Availability::Undeclared {
                assume: u.assume,
                since,
            }
        } else {
            continue;
        };
        availability.insert(*name, parsed);
    }
    let offered = |s: &ServiceName| availability.get(s).and_then(Availability::since).is_some();
    for (name, a) in &availability {
        if let Availability::Emulated(by) = a {
            for part in by.iter().filter(|part| !offered(part)) {
                out.push((
                    format!("services.{name}.emulated"),
                    ErrorKind::EmulatedByUnsupported(*part),
                ));
            }
        }
    }

    // Events.
    for name in EventName::ALL {
        if !p.events.contains_key(&name) {
            out.push(("events".into(), ErrorKind::MissingEvent(name)));
        }
    }
    for (name, e) in &p.events {
        let path = format!("events.{name}.derived_from");
        match (&e.derived_from, e.emits && e.derived) {
            (None, true) => out.push((
                format!("events.{name}"),
                ErrorKind::DerivedFrom(
                    "`derived_from` is required when `emits` and `derived` are true",
                ),
            )),
            (Some(_), _) if !e.derived => {
                out.push((
                    path,
                    ErrorKind::DerivedFrom("`derived_from` is only allowed when `derived` is true"),
                ));
            }
            (Some(from), _) if from.is_empty() => out.push((
                path,
                ErrorKind::DerivedFrom("`derived_from` must not be empty"),
            )),
            (Some(from), _) => {
                for s in from {
                    let available = match availability.get(s) {
                        Some(Availability::Emulated(by)) => by.iter().all(offered),
                        Some(a) => a.since().is_some(),
                        None => true,
                    };
                    if !available {
                        out.push((path.clone(), ErrorKind::DerivedFromUnavailable(*s)));
                    }
                }
            }
            (None, false) => {}
        }
    }

    // Refusal, CSTA, SIP, provisioning.
    for (key, r) in [
        ("unsupported_service", &p.refusal.unsupported_service),
        ("firmware_too_old", &p.refusal.firmware_too_old),
    ] {
        if let Some(problem) = refusal_problem(r) {
            out.push((format!("refusal.{key}"), ErrorKind::Refusal(problem)));
        }
    }
    match (p.csta.carrier, &p.csta.notify_event) {
        (Carrier::Notify, None) => {
            out.push(("csta.notify_event".into(), ErrorKind::NotifyEvent(true)))
        }
        (Carrier::Info, Some(_)) => {
            out.push(("csta.notify_event".into(), ErrorKind::NotifyEvent(false)))
        }
        _ => {}
    }
    if p.csta.accepts_editions.is_empty() {
        out.push(("csta.accepts_editions".into(), ErrorKind::Empty));
    }
    if p.sip.transports.is_empty() {
        out.push(("sip.transports".into(), ErrorKind::Empty));
    }
    if !p.sip.transports.contains(&p.sip.default_transport) {
        out.push(("sip.default_transport".into(), ErrorKind::DefaultTransport));
    }
    const SETTING_PLACEHOLDERS: &str = "server, port, mac, password, extension, transport";
    for (i, s) in p.provisioning.settings.iter().enumerate() {
        for name in placeholders(&s.value) {
            if !SETTING_PLACEHOLDERS.split(", ").any(|a| a == name) {
                out.push((
                    format!("provisioning.settings[{i}].value"),
                    ErrorKind::Placeholder {
                        placeholder: name.to_owned(),
                        allowed: SETTING_PLACEHOLDERS,
                    },
                ));
            }
        }
    }

    // Models and their firmware.
    if p.models.is_empty() {
        out.push(("models".into(), ErrorKind::Empty));
    }
    let sinces: Vec<&FirmwareVersion> = availability
        .values()
        .filter_map(Availability::since)
        .filter_map(Since::version)
        .collect();
    let oldest = sinces.iter().min().copied();
    let mut firmware = Vec::new();
    for (i, m) in p.models.iter().enumerate() {
        let path = format!("models[{i}]");
        match (rule == NotationRule::YealinkModelPrefix, m.firmware_prefix) {
            (true, None) => out.push((path.clone(), ErrorKind::FirmwarePrefix { required: true })),
            (false, Some(_)) => out.push((
                format!("{path}.firmware_prefix"),
                ErrorKind::FirmwarePrefix { required: false },
            )),
            _ => {}
        }
        const UA_PLACEHOLDERS: &str = "firmware, mac";
        let template = &m.user_agent.template;
        for name in placeholders(template) {
            if name != "firmware" && name != "mac" {
                out.push((
                    format!("{path}.user_agent.template"),
                    ErrorKind::Placeholder {
                        placeholder: name.to_owned(),
                        allowed: UA_PLACEHOLDERS,
                    },
                ));
            }
        }
        if !placeholders(template).any(|n| n == "firmware") {
            out.push((
                format!("{path}.user_agent.template"),
                ErrorKind::NoFirmwarePlaceholder,
            ));
        }
        if m.firmware.is_empty() {
            out.push((format!("{path}.firmware"), ErrorKind::Empty));
        }
        let mut versions: Vec<FirmwareVersion> = Vec::new();
        for (j, f) in m.firmware.iter().enumerate() {
            let fpath = format!("{path}.firmware[{j}]");
            let v = match rule.parse(&f.version) {
                Ok(v) => v,
                Err(e) => {
                    out.push((format!("{fpath}.version"), e.into()));
                    continue;
                }
            };
            if let Some(prefix) = m.firmware_prefix
                && rule == NotationRule::YealinkModelPrefix
                && v.model_prefix() != Some(prefix)
            {
                out.push((
                    format!("{fpath}.version"),
                    ErrorKind::WrongModelPrefix {
                        version: f.version.clone(),
                        prefix,
                    },
                ));
            }
            if let Some(previous) = versions.last().filter(|prev| **prev >= v) {
                out.push((
                    format!("{fpath}.version"),
                    ErrorKind::FirmwareOrder {
                        version: f.version.clone(),
                        previous: previous.to_string(),
                    },
                ));
            }
            let wrong = |reason: String| {
                (
                    format!("{fpath}.role"),
                    ErrorKind::FirmwareRole {
                        version: f.version.clone(),
                        role: f.role,
                        reason,
                    },
                )
            };
            match (f.role, oldest) {
                (FirmwareRole::BelowMinimum, Some(min)) if v >= *min => out.push(wrong(format!(
                    "it is not older than the oldest `since` ({min})"
                ))),
                (FirmwareRole::BelowMinimum, None) => out.push(wrong(
                    "every `since` of the family is `any`, so nothing is below the minimum".into(),
                )),
                (FirmwareRole::Minimum, Some(_)) if !sinces.contains(&&v) => {
                    out.push(wrong("it equals no `since` of the family".into()))
                }
                (FirmwareRole::Minimum, None) if j != 0 => out.push(wrong(
                    "with every `since` being `any`, the minimum is the oldest entry".into(),
                )),
                (FirmwareRole::Later, Some(min)) if v <= *min => out.push(wrong(format!(
                    "it is not newer than the oldest `since` ({min})"
                ))),
                _ => {}
            }
            versions.push(v);
        }
        let has = |role| m.firmware.iter().any(|f| f.role == role);
        if !m.firmware.is_empty() {
            if !has(FirmwareRole::Minimum) {
                out.push((
                    format!("{path}.firmware"),
                    ErrorKind::MissingRole("minimum"),
                ));
            }
            if !has(FirmwareRole::Later) {
                out.push((format!("{path}.firmware"), ErrorKind::MissingRole("later")));
            }
            if oldest.is_some() && !has(FirmwareRole::BelowMinimum) {
                out.push((
                    format!("{path}.firmware"),
                    ErrorKind::MissingRole("below-minimum"),
                ));
            }
        }
        firmware.push(versions);
    }

    if out.is_empty() {
        Ok(Parsed {
            availability,
            firmware,
        })
    } else {
        Err(out)
    }
}

/// Holds a family to its table of `seed-002-matrix.csv` (or, without a `seed_table`, checks that
/// it claims no seed cell). Returns the number of rows compared.
pub(crate) fn check_matrix(
    p: &VendorProfile,
    parsed: &Parsed,
    rows: &[MatrixRow],
    out: &mut Vec<Finding>,
) -> usize {
    let Some(table) = &p.seed_table else {
        for (name, s) in &p.services {
            if s.seed_cell.is_some() {
                out.push((
                    format!("services.{name}.seed_cell"),
                    ErrorKind::SeedMatrix("must be null: the family has no seed_table".into()),
                ));
            }
        }
        return 0;
    };
    let rows: Vec<&MatrixRow> = rows.iter().filter(|r| &r.vendor == table).collect();
    if rows.is_empty() {
        out.push((
            "seed_table".into(),
            ErrorKind::SeedMatrix(format!("`{table}` is not a vendor of seed-002-matrix.csv")),
        ));
        return 0;
    }
    let names: Vec<String> = p
        .models
        .iter()
        .map(|m| {
            if m.beta {
                format!("{} (beta)", m.name)
            } else {
                m.name.clone()
            }
        })
        .collect();
    for r in &rows {
        if r.models != names {
            out.push((
                "models".into(),
                ErrorKind::SeedMatrix(format!(
                    "model names {names:?} differ from the seed table's {:?} (seed-002-matrix.csv line {})",
                    r.models, r.line
                )),
            ));
            break;
        }
    }
    let by_service: BTreeMap<ServiceName, &MatrixRow> =
        rows.iter().map(|r| (r.service, *r)).collect();
    for (name, s) in &p.services {
        let path = format!("services.{name}");
        let Some(row) = by_service.get(name) else {
            if s.seed_cell.is_some() {
                out.push((
                    format!("{path}.seed_cell"),
                    ErrorKind::SeedMatrix(format!(
                        "must be null: the {table} table does not list {name}"
                    )),
                ));
            }
            if !matches!(
                parsed.availability.get(name),
                Some(Availability::Undeclared { .. }) | None
            ) {
                out.push((
                    path,
                    ErrorKind::SeedMatrix(format!(
                        "must be `undeclared`: the {table} table does not list {name}"
                    )),
                ));
            }
            continue;
        };
        let at = format!("(seed-002-matrix.csv line {})", row.line);
        if s.seed_cell.as_deref() != Some(row.from_version.as_str()) {
            out.push((
                format!("{path}.seed_cell"),
                ErrorKind::SeedMatrix(format!("must be {:?} {at}", row.from_version)),
            ));
        }
        if s.description != row.description {
            out.push((
                format!("{path}.description"),
                ErrorKind::SeedMatrix(format!("must be the seed's {:?} {at}", row.description)),
            ));
        }
        let agrees = match (row.support, parsed.availability.get(name)) {
            (MatrixSupport::Since, Some(Availability::Since(Since::Version(v)))) => {
                v.as_str() == row.from_version
            }
            (MatrixSupport::Unsupported, Some(Availability::Unsupported)) => true,
            (MatrixSupport::Emulated, Some(Availability::Emulated(_))) => true,
            (_, None) => true,
            _ => false,
        };
        if !agrees {
            let expected = match row.support {
                MatrixSupport::Since => format!("`since: \"{}\"`", row.from_version),
                MatrixSupport::Unsupported => "`unsupported: true`".to_owned(),
                MatrixSupport::Emulated => "`emulated: [...]`".to_owned(),
            };
            out.push((
                path,
                ErrorKind::SeedMatrix(format!("must be {expected} {at}")),
            ));
        }
    }
    rows.len()
}

fn refusal_problem(r: &RefusalKind) -> Option<&'static str> {
    let body = matches!(r.kind, RefusalForm::CstaError | RefusalForm::SoapFault);
    if body && (r.category.is_none() || r.value.is_none()) {
        Some("csta-error and soap-fault need `category` and `value`")
    } else if body && !(200..300).contains(&r.sip_status) {
        Some("csta-error and soap-fault travel in a 2xx: sip_status must be 200..=299")
    } else if !body && (r.category.is_some() || r.value.is_some()) {
        Some("sip-status takes no `category` or `value`")
    } else if !body && !(400..700).contains(&r.sip_status) {
        Some("sip-status needs a 4xx, 5xx or 6xx sip_status")
    } else {
        None
    }
}

/// The names inside `{...}`.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

fn is_oui(prefix: &str) -> bool {
    let parts: Vec<&str> = prefix.split(':').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            p.len() == 2
                && p.bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        })
}

/// An address that only means something on one machine: an absolute or home path, a `file:` URL.
fn is_machine_local(text: &str) -> bool {
    let t = text.trim();
    t.starts_with('/')
        || t.starts_with('~')
        || t.starts_with("file:")
        || t.contains("/work/")
        || t.get(1..3) == Some(":\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_the_names_in_braces() {
        let names: Vec<&str> = placeholders("{server}:{port};transport={transport}").collect();
        assert_eq!(names, ["server", "port", "transport"]);
        assert_eq!(placeholders("no braces").count(), 0);
    }

    #[test]
    fn oui_is_three_upper_case_hex_octets() {
        assert!(is_oui("00:04:13"));
        assert!(is_oui("7C:2F:80"));
        assert!(!is_oui("7c:2f:80"));
        assert!(!is_oui("00:04"));
        assert!(!is_oui("00-04-13"));
    }

    #[test]
    fn machine_local_paths_are_recognised() {
        assert!(is_machine_local("/work/shared/VENDOR-FACTS.md"));
        assert!(is_machine_local("file:///tmp/x"));
        assert!(is_machine_local("C:\\notes.txt"));
        assert!(!is_machine_local("seeds/002: §2.4"));
        assert!(!is_machine_local("project vendor notes"));
    }

    #[test]
    fn refusal_shapes() {
        let base = |kind, category, value: Option<&str>, sip_status| RefusalKind {
            kind,
            category,
            value: value.map(str::to_owned),
            sip_status,
            source: "s".into(),
            status: Status::Confirmed,
            notes: None,
        };
        use super::super::schema::ErrorCategory::Operation;
        assert_eq!(
            refusal_problem(&base(
                RefusalForm::CstaError,
                Some(Operation),
                Some("generic"),
                200
            )),
            None
        );
        assert!(
            refusal_problem(&base(RefusalForm::CstaError, None, Some("generic"), 200)).is_some()
        );
        assert!(
            refusal_problem(&base(
                RefusalForm::SoapFault,
                Some(Operation),
                Some("generic"),
                488
            ))
            .is_some()
        );
        assert_eq!(
            refusal_problem(&base(RefusalForm::SipStatus, None, None, 488)),
            None
        );
        assert!(
            refusal_problem(&base(RefusalForm::SipStatus, Some(Operation), None, 488)).is_some()
        );
        assert!(refusal_problem(&base(RefusalForm::SipStatus, None, None, 200)).is_some());
    }
}
