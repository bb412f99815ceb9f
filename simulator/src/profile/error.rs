//! Profile errors: every one names the file, the line and column, and the field path, so that
//! `uacsta profile check` output can be followed straight to the text to fix
//! (`vendor-profiles/snom.yaml:112:7: models[2].firmware[0].version: ...`).

use std::fmt;
use std::path::PathBuf;

use super::locate::Position;
use super::names::{EventName, ServiceName};
use super::schema::FirmwareRole;
use super::version::VersionError;

/// One problem in one profile file.
#[derive(Debug, thiserror::Error)]
pub struct ProfileError {
    /// The file, as given to the loader (or `embedded/<name>` for compiled-in profiles).
    pub file: PathBuf,
    /// Line and column, when the problem is in the text.
    pub position: Option<Position>,
    /// Field path (`models[2].firmware[0].version`); empty for the whole file.
    pub path: String,
    /// What is wrong.
    #[source]
    pub kind: ErrorKind,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        if self.path.is_empty() {
            write!(f, ": {}", self.kind)
        } else {
            write!(f, ": {}: {}", self.path, self.kind)
        }
    }
}

/// A list of [`ProfileError`]s, shown one per line.
#[derive(Debug, thiserror::Error)]
pub struct ProfileErrors(pub Vec<ProfileError>);

impl fmt::Display for ProfileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// What is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// The file or folder could not be read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// The folder holds no `*.yaml` profile.
    #[error("no *.yaml profile in this folder")]
    NoProfiles,
    /// YAML syntax, an unknown key, a wrong type or a missing key, as serde-saphyr reports it.
    #[error("{0}")]
    Yaml(String),
    /// `schema_version` is not 1.
    #[error("schema_version {0} is not supported (expected 1)")]
    SchemaVersion(u32),
    /// `family` is not the file stem.
    #[error("family `{family}` must equal the file name stem `{stem}`")]
    FamilyNotStem {
        /// As written.
        family: String,
        /// The file stem.
        stem: String,
    },
    /// Two files declare the same family.
    #[error("family `{0}` is also declared in {1}")]
    DuplicateFamily(String, PathBuf),
    /// A model id is used twice (across all files).
    #[error("model id `{0}` is also used in {1}")]
    DuplicateModel(String, PathBuf),
    /// A source id is used twice in the file.
    #[error("source id `{0}` is declared twice")]
    DuplicateSource(String),
    /// A `source:` names no entry of `sources`.
    #[error("source `{0}` is not the id of an entry of `sources`")]
    UnknownSource(String),
    /// A source has neither `url` nor `location`.
    #[error("a source needs a `url` or a `location`")]
    SourceWithoutAddress,
    /// A source points at a file on one machine.
    #[error(
        "`{0}` is a machine-local path; cite the public document, or write \"project vendor notes\""
    )]
    LocalPath(String),
    /// `notes` missing where the status requires them.
    #[error("status `{0}` needs `notes` saying why")]
    NotesRequired(&'static str),
    /// A list that must not be empty is empty.
    #[error("must hold at least one entry")]
    Empty,
    /// A MAC prefix not in `XX:XX:XX` upper-case hex.
    #[error("MAC prefix `{0}` is not XX:XX:XX in upper-case hex")]
    BadOui(String),
    /// A version that does not parse under the family's rule.
    #[error("{0}")]
    BadVersion(#[from] VersionError),
    /// A Yealink firmware whose first field is not the model's prefix.
    #[error("firmware `{version}` does not start with the model's firmware_prefix {prefix}")]
    WrongModelPrefix {
        /// The version.
        version: String,
        /// The model's prefix.
        prefix: u64,
    },
    /// `firmware_prefix` missing under `yealink-model-prefix`, or present under another rule.
    #[error("firmware_prefix is {}", if *.required { "required under yealink-model-prefix" } else { "only allowed under yealink-model-prefix" })]
    FirmwarePrefix {
        /// Whether it is required (true) or forbidden (false).
        required: bool,
    },
    /// Firmware entries out of ascending order.
    #[error("firmware `{version}` is not newer than the entry before it (`{previous}`)")]
    FirmwareOrder {
        /// This entry.
        version: String,
        /// The one before.
        previous: String,
    },
    /// A firmware entry whose role disagrees with the family's `since` values.
    #[error("firmware `{version}` has role {role:?}, but {reason}")]
    FirmwareRole {
        /// The version.
        version: String,
        /// Its declared role.
        role: FirmwareRole,
        /// Why that is wrong.
        reason: String,
    },
    /// A model lacks a `minimum`, `later` or `below-minimum` entry.
    #[error("the firmware list has no `{0}` entry")]
    MissingRole(&'static str),
    /// A `{placeholder}` the template or setting does not allow.
    #[error("placeholder `{{{placeholder}}}` is not allowed here (allowed: {allowed})")]
    Placeholder {
        /// The name inside the braces.
        placeholder: String,
        /// The allowed names.
        allowed: &'static str,
    },
    /// A User-Agent template without `{firmware}`.
    #[error("the template must contain `{{firmware}}`")]
    NoFirmwarePlaceholder,
    /// A service of §4.2.1 missing from `services`.
    #[error("service `{0}` is missing: every family lists all 32 services of seed 002 §4.2.1")]
    MissingService(ServiceName),
    /// An event missing from `events`.
    #[error("event `{0}` is missing: every family lists all 27 events")]
    MissingEvent(EventName),
    /// Not exactly one of `since`, `unsupported`, `emulated`, `undeclared`.
    #[error(
        "exactly one of `since`, `unsupported`, `emulated`, `undeclared` is required, found {0}"
    )]
    AvailabilityCount(usize),
    /// `unsupported: false`.
    #[error("`unsupported` may only be `true` (leave it out otherwise)")]
    UnsupportedFalse,
    /// An emulated service built from a service the family lacks.
    #[error("emulated by `{0}`, which this family does not support")]
    EmulatedByUnsupported(ServiceName),
    /// `undeclared.since` present with `refuse` or absent with `support`.
    #[error("`since` is {} with `assume: {}`", if *.0 { "required" } else { "not allowed" }, if *.0 { "support" } else { "refuse" })]
    UndeclaredSince(bool),
    /// `derived_from` missing, empty, or given for a non-derived event.
    #[error("{0}")]
    DerivedFrom(&'static str),
    /// `derived_from` names a service the family never offers.
    #[error("derived from `{0}`, which this family never offers")]
    DerivedFromUnavailable(ServiceName),
    /// A refusal kind with missing or extra fields, or a wrong SIP status.
    #[error("{0}")]
    Refusal(&'static str),
    /// `notify_event` disagrees with `carrier`.
    #[error("notify_event must be {} when carrier is {}", if *.0 { "set" } else { "null" }, if *.0 { "notify" } else { "info" })]
    NotifyEvent(bool),
    /// `default_transport` not in `transports`.
    #[error("default transport is not one of `transports`")]
    DefaultTransport,
    /// A seed cell, description or support that disagrees with `seed-002-matrix.csv`.
    #[error("{0}")]
    SeedMatrix(String),
    /// `seed-002-matrix.csv` itself is malformed.
    #[error("seed-002-matrix.csv: {0}")]
    MatrixSyntax(String),
}
