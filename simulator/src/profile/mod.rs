//! Vendor profiles: how a real phone of a given vendor, model and firmware behaves towards a
//! uaCSTA server, loaded from `vendor-profiles/*.yaml` (schema: `vendor-profiles/README.md`).
//!
//! The farm asks a [`ModelRef`] what a phone on some firmware answers to a CSTA service
//! ([`ModelRef::support`]) and which events it sends ([`ModelRef::emits`]); the harness asks the
//! same to know what to expect. Nothing vendor-specific lives in code: it is all in the YAML.
//!
//! Loading ([`Profiles::load_dir`], [`Profiles::embedded`], [`check`]) validates everything and
//! reports every problem at once, each as `file:line:column: field.path: message`.
//!
//! # Modules
//! - [`schema`]: the YAML records as Rust types (`deny_unknown_fields` everywhere).
//! - [`names`]: the 32 services and 27 events of seed 002 §4.2.1.
//! - [`version`]: firmware notations and their ordering.
//! - [`matrix`]: `seed-002-matrix.csv`, the seed's per-vendor feature tables.

mod error;
mod locate;
pub mod matrix;
pub mod names;
pub mod schema;
mod validate;
pub mod version;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_saphyr::{Localizer, MessageFormatter, UserMessageFormatter};

pub use error::{ErrorKind, ProfileError, ProfileErrors};
pub use locate::Position;
pub use names::{EventName, ServiceName, UnknownName};
pub use validate::Availability;
pub use version::{FirmwareVersion, NotationRule, Since, VersionError};

use locate::SourceMap;
use schema::{
    Assume, Csta, Firmware, Model, Provisioning, Refusal, RefusalKind, Sip, VendorProfile,
};

/// The matrix file's name inside a profile folder.
pub const MATRIX_FILE: &str = "seed-002-matrix.csv";

/// The shipped profiles, compiled in so `uacsta` works without the folder.
const EMBEDDED: [(&str, &str); 6] = [
    (
        "auerswald.yaml",
        include_str!("../../../vendor-profiles/auerswald.yaml"),
    ),
    (
        "bekiot.yaml",
        include_str!("../../../vendor-profiles/bekiot.yaml"),
    ),
    (
        "gigaset.yaml",
        include_str!("../../../vendor-profiles/gigaset.yaml"),
    ),
    (
        "mitel.yaml",
        include_str!("../../../vendor-profiles/mitel.yaml"),
    ),
    (
        "snom.yaml",
        include_str!("../../../vendor-profiles/snom.yaml"),
    ),
    (
        "yealink.yaml",
        include_str!("../../../vendor-profiles/yealink.yaml"),
    ),
];
const EMBEDDED_MATRIX: &str = include_str!("../../../vendor-profiles/seed-002-matrix.csv");

/// Every loaded vendor family.
#[derive(Debug)]
pub struct Profiles {
    families: Vec<Family>,
    matrix_rows: usize,
}

/// What `uacsta profile check` prints on success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The profile files read, in order.
    pub files: Vec<PathBuf>,
    /// Families loaded.
    pub families: usize,
    /// Models across all families.
    pub models: usize,
    /// Firmware entries across all models.
    pub firmware: usize,
    /// Rows of `seed-002-matrix.csv` the profiles were compared with.
    pub matrix_rows: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} families, {} models, {} firmware versions in {} files; {} rows of {MATRIX_FILE} agree",
            self.families,
            self.models,
            self.firmware,
            self.files.len(),
            self.matrix_rows
        )
    }
}

/// Validates the profiles in `dir` (what `uacsta profile check [DIR]` runs).
pub fn check(dir: &Path) -> Result<Summary, Vec<ProfileError>> {
    Profiles::load_dir(dir)
        .map(|p| p.summary())
        .map_err(|e| e.0)
}

impl Profiles {
    /// Loads every `*.yaml` in `dir`, checked against `dir/seed-002-matrix.csv` (or the shipped
    /// matrix when the folder has none).
    pub fn load_dir(dir: &Path) -> Result<Self, ProfileErrors> {
        let fail = |path: &Path, kind| ProfileErrors(vec![whole_file(path, kind)]);
        let entries = std::fs::read_dir(dir).map_err(|e| fail(dir, e.into()))?;
        let mut files = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| fail(dir, e.into()))?.path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
        files.sort();
        if files.is_empty() {
            return Err(fail(dir, ErrorKind::NoProfiles));
        }
        let mut texts = Vec::new();
        let mut errors = Vec::new();
        for path in files {
            match std::fs::read_to_string(&path) {
                Ok(text) => texts.push((path, text)),
                Err(e) => errors.push(whole_file(&path, e.into())),
            }
        }
        let matrix_path = dir.join(MATRIX_FILE);
        let matrix = match std::fs::read_to_string(&matrix_path) {
            Ok(text) => (matrix_path, text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (
                PathBuf::from("embedded").join(MATRIX_FILE),
                EMBEDDED_MATRIX.to_owned(),
            ),
            Err(e) => return Err(fail(&matrix_path, e.into())),
        };
        let loaded = Self::from_texts(&texts, (&matrix.0, &matrix.1));
        match loaded {
            Ok(p) if errors.is_empty() => Ok(p),
            Ok(_) => Err(ProfileErrors(errors)),
            Err(ProfileErrors(more)) => {
                errors.extend(more);
                Err(ProfileErrors(errors))
            }
        }
    }

    /// The shipped profiles, compiled into the binary. Their validity is proven by this crate's
    /// tests; an error here means a profile was edited without running them.
    pub fn embedded() -> Result<Self, ProfileErrors> {
        let texts: Vec<(PathBuf, String)> = EMBEDDED
            .iter()
            .map(|(name, text)| (Path::new("vendor-profiles").join(name), (*text).to_owned()))
            .collect();
        let matrix = Path::new("vendor-profiles").join(MATRIX_FILE);
        Self::from_texts(&texts, (&matrix, EMBEDDED_MATRIX))
    }

    /// Loads profiles from `(file name, YAML text)` pairs, checked against a matrix text.
    pub fn from_texts(
        texts: &[(PathBuf, String)],
        matrix: (&Path, &str),
    ) -> Result<Self, ProfileErrors> {
        let mut errors = Vec::new();
        let rows = match matrix::parse(matrix.1) {
            Ok(rows) => rows,
            Err(e) => {
                errors.push(ProfileError {
                    file: matrix.0.to_owned(),
                    position: Some(Position {
                        line: e.line,
                        column: 1,
                    }),
                    path: String::new(),
                    kind: ErrorKind::MatrixSyntax(e.message),
                });
                Vec::new()
            }
        };
        let mut families: Vec<Family> = Vec::new();
        let mut matrix_rows = 0;
        let mut family_files: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut model_files: BTreeMap<String, PathBuf> = BTreeMap::new();
        for (file, text) in texts {
            let map = SourceMap::build(text);
            let at = |path: String, kind| ProfileError {
                file: file.clone(),
                position: map.locate(&path),
                path,
                kind,
            };
            let profile: VendorProfile = match serde_saphyr::from_str(text) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(yaml_error(file, &map, &e));
                    continue;
                }
            };
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let parsed = match validate::validate(&profile, &stem) {
                Ok(parsed) => parsed,
                Err(findings) => {
                    errors.extend(findings.into_iter().map(|(path, kind)| at(path, kind)));
                    continue;
                }
            };
            let mut findings = Vec::new();
            matrix_rows += validate::check_matrix(&profile, &parsed, &rows, &mut findings);
            if let Some(other) = family_files.insert(profile.family.clone(), file.clone()) {
                findings.push((
                    "family".into(),
                    ErrorKind::DuplicateFamily(profile.family.clone(), other),
                ));
            }
            for (i, m) in profile.models.iter().enumerate() {
                if let Some(other) = model_files.insert(m.id.clone(), file.clone()) {
                    findings.push((
                        format!("models[{i}].id"),
                        ErrorKind::DuplicateModel(m.id.clone(), other),
                    ));
                }
            }
            if findings.is_empty() {
                families.push(Family {
                    file: file.clone(),
                    profile,
                    availability: parsed.availability,
                    firmware: parsed.firmware,
                });
            } else {
                errors.extend(findings.into_iter().map(|(path, kind)| at(path, kind)));
            }
        }
        if errors.is_empty() {
            Ok(Profiles {
                families,
                matrix_rows,
            })
        } else {
            Err(ProfileErrors(errors))
        }
    }

    /// Every family, in file-name order.
    pub fn families(&self) -> &[Family] {
        &self.families
    }

    /// The family with this id (`snom`).
    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id() == id)
    }

    /// Every model of every family.
    pub fn models(&self) -> impl Iterator<Item = ModelRef<'_>> {
        self.families.iter().flat_map(Family::models)
    }

    /// The model with this id (`snom-d7xx`), in whichever family.
    pub fn model(&self, id: &str) -> Option<ModelRef<'_>> {
        self.models().find(|m| m.id() == id)
    }

    /// Counts for `uacsta profile check`.
    pub fn summary(&self) -> Summary {
        Summary {
            files: self.families.iter().map(|f| f.file.clone()).collect(),
            families: self.families.len(),
            models: self.models().count(),
            firmware: self.models().map(|m| m.firmware().count()).sum(),
            matrix_rows: self.matrix_rows,
        }
    }
}

/// Reads any YAML document into `T` with the loader's error placement: a syntax error, an unknown key,
/// a wrong type or a missing key names the file, the line and column, and the field path. Used for
/// configuration files and farm scenarios as well as profiles.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    file: &Path,
    text: &str,
) -> Result<T, ProfileError> {
    serde_saphyr::from_str(text).map_err(|e| yaml_error(file, &SourceMap::build(text), &e))
}

/// A serde-saphyr error, placed: its location, and the field path found at that location.
fn yaml_error(file: &Path, map: &SourceMap, e: &serde_saphyr::Error) -> ProfileError {
    let message = e
        .render_with_options(serde_saphyr::render_options! {
            formatter: &PlainMessages,
            snippets: serde_saphyr::SnippetMode::Off,
        })
        .trim()
        .to_owned();
    let position = e.location().map(|l| Position {
        line: u32::try_from(l.line()).unwrap_or(u32::MAX),
        column: u32::try_from(l.column()).unwrap_or(u32::MAX),
    });
    let names_a_key = message.starts_with("unknown field")
        || message.starts_with("unknown CSTA")
        || message.starts_with("duplicate mapping key");
    let path = position
        .and_then(|p| map.path_at(p, names_a_key))
        .unwrap_or_default()
        .to_owned();
    ProfileError {
        file: file.to_owned(),
        position,
        path,
        kind: ErrorKind::Yaml(message),
    }
}

/// serde-saphyr's user-facing wording without its " at line X, column Y" suffix: the loader puts
/// the location in front, in `file:line:column` form.
struct PlainMessages;

impl Localizer for PlainMessages {
    fn attach_location<'a>(
        &self,
        base: std::borrow::Cow<'a, str>,
        _: serde_saphyr::Location,
    ) -> std::borrow::Cow<'a, str> {
        base
    }
}

impl MessageFormatter for PlainMessages {
    fn localizer(&self) -> &dyn Localizer {
        self
    }

    fn format_message<'a>(&self, err: &'a serde_saphyr::Error) -> std::borrow::Cow<'a, str> {
        UserMessageFormatter.format_message(err)
    }
}

fn whole_file(path: &Path, kind: ErrorKind) -> ProfileError {
    ProfileError {
        file: path.to_owned(),
        position: None,
        path: String::new(),
        kind,
    }
}

/// One vendor family, validated.
#[derive(Debug)]
pub struct Family {
    file: PathBuf,
    profile: VendorProfile,
    availability: BTreeMap<ServiceName, Availability>,
    firmware: Vec<Vec<FirmwareVersion>>,
}

impl Family {
    /// Family id (`snom`).
    pub fn id(&self) -> &str {
        &self.profile.family
    }

    /// Manufacturer (`snom`, `Yealink`).
    pub fn vendor(&self) -> &str {
        &self.profile.vendor
    }

    /// The file it was loaded from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The profile as written.
    pub fn profile(&self) -> &VendorProfile {
        &self.profile
    }

    /// The firmware comparison rule.
    pub fn notation(&self) -> NotationRule {
        self.profile.firmware_notation.rule
    }

    /// The models.
    pub fn models(&self) -> impl Iterator<Item = ModelRef<'_>> {
        self.profile
            .models
            .iter()
            .zip(&self.firmware)
            .map(move |(model, firmware)| ModelRef {
                family: self,
                model,
                firmware,
            })
    }

    /// A service's availability (every service of §4.2.1 has one).
    pub fn availability(&self, service: ServiceName) -> Option<&Availability> {
        self.availability.get(&service)
    }

    /// How the phone refuses.
    pub fn refusal(&self) -> &Refusal {
        &self.profile.refusal
    }

    /// XML and uaCSTA dialog habits.
    pub fn csta(&self) -> &Csta {
        &self.profile.csta
    }

    /// SIP habits.
    pub fn sip(&self) -> &Sip {
        &self.profile.sip
    }

    /// Provisioning.
    pub fn provisioning(&self) -> &Provisioning {
        &self.profile.provisioning
    }
}

/// A firmware version the farm offers for a model.
#[derive(Debug, Clone, Copy)]
pub struct OfferedFirmware<'a> {
    /// The entry as written.
    pub entry: &'a Firmware,
    /// Its version, parsed.
    pub version: &'a FirmwareVersion,
}

/// One model of a family.
#[derive(Debug, Clone, Copy)]
pub struct ModelRef<'a> {
    family: &'a Family,
    model: &'a Model,
    firmware: &'a [FirmwareVersion],
}

/// What a phone answers to a CSTA service on a given firmware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support<'a> {
    /// It performs the service.
    Supported,
    /// It never does; it refuses like this.
    Unsupported {
        /// `refusal.unsupported_service`.
        refusal: &'a RefusalKind,
    },
    /// Newer firmware does; this one refuses.
    TooOld {
        /// The first firmware that does.
        since: &'a FirmwareVersion,
        /// `refusal.firmware_too_old`.
        refusal: &'a RefusalKind,
    },
    /// The phone lacks it and the server performs it with other services; sent to the phone
    /// anyway, it is refused as `refusal.unsupported_service`.
    Emulated {
        /// The services the server uses.
        by: &'a [ServiceName],
        /// `refusal.unsupported_service`.
        refusal: &'a RefusalKind,
    },
    /// The source says nothing; the farm does what the profile assumes. The harness reports
    /// these as not applicable, never as pass or fail.
    Undeclared {
        /// What the farm phone does.
        assumed: Assumed<'a>,
    },
}

/// What the farm does with an undeclared service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assumed<'a> {
    /// Performs it.
    Supported,
    /// Refuses it as `refusal.unsupported_service`.
    Refused {
        /// The refusal.
        refusal: &'a RefusalKind,
    },
    /// Performs it from `since`; this firmware refuses as `refusal.firmware_too_old`.
    TooOld {
        /// The first firmware that does.
        since: &'a FirmwareVersion,
        /// The refusal.
        refusal: &'a RefusalKind,
    },
}

impl Support<'_> {
    /// Whether the phone itself performs the service (declared or assumed).
    pub fn phone_performs(&self) -> bool {
        matches!(
            self,
            Support::Supported
                | Support::Undeclared {
                    assumed: Assumed::Supported
                }
        )
    }

    /// How the phone refuses, when it does.
    pub fn refusal(&self) -> Option<&RefusalKind> {
        match self {
            Support::Supported
            | Support::Undeclared {
                assumed: Assumed::Supported,
            } => None,
            Support::Unsupported { refusal }
            | Support::TooOld { refusal, .. }
            | Support::Emulated { refusal, .. }
            | Support::Undeclared {
                assumed: Assumed::Refused { refusal } | Assumed::TooOld { refusal, .. },
            } => Some(refusal),
        }
    }
}

impl<'a> ModelRef<'a> {
    /// Stable id (`snom-d7xx`).
    pub fn id(&self) -> &'a str {
        &self.model.id
    }

    /// Name as the seed or vendor writes it.
    pub fn name(&self) -> &'a str {
        &self.model.name
    }

    /// Marked "(beta)" in the seed.
    pub fn beta(&self) -> bool {
        self.model.beta
    }

    /// The model as written.
    pub fn model(&self) -> &'a Model {
        self.model
    }

    /// Its family.
    pub fn family(&self) -> &'a Family {
        self.family
    }

    /// The firmware versions the farm offers, ascending.
    pub fn firmware(&self) -> impl Iterator<Item = OfferedFirmware<'a>> + 'a {
        self.model
            .firmware
            .iter()
            .zip(self.firmware)
            .map(|(entry, version)| OfferedFirmware { entry, version })
    }

    /// The offered firmware with this version (compared under the family's rule).
    pub fn offered(&self, version: &str) -> Option<OfferedFirmware<'a>> {
        let wanted = self.parse_firmware(version).ok()?;
        self.firmware().find(|f| *f.version == wanted)
    }

    /// Parses a version in the family's notation (any version, offered or not).
    pub fn parse_firmware(&self, version: &str) -> Result<FirmwareVersion, VersionError> {
        self.family.notation().parse(version)
    }

    /// What a phone of this model on `firmware` answers to `service`.
    pub fn support(&self, service: ServiceName, firmware: &FirmwareVersion) -> Support<'a> {
        let refusal = &self.family.profile.refusal;
        let since_or_too_old = |since: &'a Since| match since {
            Since::Version(v) if v > firmware => Err(v),
            _ => Ok(()),
        };
        match self.family.availability.get(&service) {
            Some(Availability::Since(since)) => match since_or_too_old(since) {
                Ok(()) => Support::Supported,
                Err(since) => Support::TooOld {
                    since,
                    refusal: &refusal.firmware_too_old,
                },
            },
            Some(Availability::Emulated(by)) => Support::Emulated {
                by,
                refusal: &refusal.unsupported_service,
            },
            Some(Availability::Undeclared {
                assume: Assume::Support,
                since: Some(since),
            }) => Support::Undeclared {
                assumed: match since_or_too_old(since) {
                    Ok(()) => Assumed::Supported,
                    Err(since) => Assumed::TooOld {
                        since,
                        refusal: &refusal.firmware_too_old,
                    },
                },
            },
            Some(Availability::Undeclared { .. }) => Support::Undeclared {
                assumed: Assumed::Refused {
                    refusal: &refusal.unsupported_service,
                },
            },
            Some(Availability::Unsupported) | None => Support::Unsupported {
                refusal: &refusal.unsupported_service,
            },
        }
    }

    /// Whether `service` works against this phone on `firmware`: the phone performs it, or it is
    /// emulated and the phone performs every part.
    pub fn available(&self, service: ServiceName, firmware: &FirmwareVersion) -> bool {
        match self.support(service, firmware) {
            Support::Emulated { by, .. } => by
                .iter()
                .all(|s| self.support(*s, firmware).phone_performs()),
            s => s.phone_performs(),
        }
    }

    /// Whether a phone of this model on `firmware` sends `event` on a monitor (README, "Event":
    /// a derived event is emitted iff one of its `derived_from` services is available).
    pub fn emits(&self, event: EventName, firmware: &FirmwareVersion) -> bool {
        let Some(e) = self.family.profile.events.get(&event) else {
            return false;
        };
        match (&e.derived_from, e.emits, e.derived) {
            (_, false, _) => false,
            (Some(from), true, true) => from.iter().any(|s| self.available(*s, firmware)),
            (_, true, _) => true,
        }
    }

    /// The `User-Agent` header for a phone on `firmware` with this MAC (12 hex digits).
    pub fn user_agent(&self, firmware: &Firmware, mac: &str) -> String {
        self.model
            .user_agent
            .template
            .replace("{firmware}", firmware.shown_version())
            .replace("{mac}", mac)
    }

    /// How the phone refuses.
    pub fn refusal(&self) -> &'a Refusal {
        &self.family.profile.refusal
    }

    /// XML and uaCSTA dialog habits.
    pub fn csta(&self) -> &'a Csta {
        &self.family.profile.csta
    }

    /// SIP habits.
    pub fn sip(&self) -> &'a Sip {
        &self.family.profile.sip
    }

    /// Provisioning.
    pub fn provisioning(&self) -> &'a Provisioning {
        &self.family.profile.provisioning
    }
}
