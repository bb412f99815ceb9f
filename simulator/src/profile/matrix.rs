//! `vendor-profiles/seed-002-matrix.csv`: the four vendor tables of seed 002 §2.4 (estos uaCSTA
//! Server 5.0, "Supported Telephones and Features"), cell for cell, with the ECMA-269 service name
//! and the kind of support added. The loader holds every family with a `seed_table` to it; the
//! tests hold it to the seed text itself.

use super::names::ServiceName;

/// The header line, exactly.
pub const HEADER: [&str; 7] = [
    "vendor",
    "models",
    "seed_feature",
    "service",
    "description",
    "from_version",
    "support",
];

/// The seed's cell for a service it lists as not supported.
pub const NOT_SUPPORTED: &str = "Not supported";

/// What the `support` column says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixSupport {
    /// `since`: from the version in `from_version`.
    Since,
    /// `unsupported`.
    Unsupported,
    /// `emulated` by the server.
    Emulated,
}

/// One row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    /// 1-based line in the CSV.
    pub line: u32,
    /// Seed table heading (`snom`).
    pub vendor: String,
    /// The seed's model names, `(beta)` kept.
    pub models: Vec<String>,
    /// The "CSTA Feature" cell as printed.
    pub seed_feature: String,
    /// ECMA-269 service name.
    pub service: ServiceName,
    /// The seed's description.
    pub description: String,
    /// The "From version" cell as printed.
    pub from_version: String,
    /// The kind of support.
    pub support: MatrixSupport,
}

/// A malformed matrix: the line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct MatrixError {
    /// 1-based line.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// Parses the CSV (RFC 4180 quoting) and checks each row's own consistency: a known service, and
/// a `support` that follows from `from_version`.
pub fn parse(text: &str) -> Result<Vec<MatrixRow>, MatrixError> {
    let records = records(text)?;
    let mut rows = Vec::new();
    let mut iter = records.into_iter();
    let Some((_, header)) = iter.next() else {
        return Err(MatrixError {
            line: 1,
            message: "empty file".to_owned(),
        });
    };
    if header != HEADER {
        return Err(MatrixError {
            line: 1,
            message: format!("header must be `{}`", HEADER.join(",")),
        });
    }
    for (line, fields) in iter {
        let err = |message: String| MatrixError { line, message };
        let [
            vendor,
            models,
            seed_feature,
            service,
            description,
            from_version,
            support,
        ] = <[String; 7]>::try_from(fields)
            .map_err(|f| err(format!("{} fields, expected 7", f.len())))?;
        let service: ServiceName = service.parse().map_err(|e| err(format!("{e}")))?;
        let support = match support.as_str() {
            "since" => MatrixSupport::Since,
            "unsupported" => MatrixSupport::Unsupported,
            "emulated" => MatrixSupport::Emulated,
            other => {
                return Err(err(format!(
                    "support `{other}` is not since, unsupported or emulated"
                )));
            }
        };
        let implied = implied_support(&from_version);
        if implied != support {
            return Err(err(format!(
                "support `{}` does not follow from from_version `{from_version}` ({implied:?})",
                support_name(support)
            )));
        }
        rows.push(MatrixRow {
            line,
            vendor,
            models: models.split("; ").map(str::to_owned).collect(),
            seed_feature,
            service,
            description,
            from_version,
            support,
        });
    }
    Ok(rows)
}

/// The kind of support a seed "From version" cell means.
pub fn implied_support(from_version: &str) -> MatrixSupport {
    if from_version == NOT_SUPPORTED {
        MatrixSupport::Unsupported
    } else if from_version.starts_with("Not supported, but emulated") {
        MatrixSupport::Emulated
    } else {
        MatrixSupport::Since
    }
}

fn support_name(s: MatrixSupport) -> &'static str {
    match s {
        MatrixSupport::Since => "since",
        MatrixSupport::Unsupported => "unsupported",
        MatrixSupport::Emulated => "emulated",
    }
}

/// Splits RFC 4180 CSV into records with the line each starts on; blank lines are skipped.
fn records(text: &str) -> Result<Vec<(u32, Vec<String>)>, MatrixError> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1u32;
    let mut start = 1u32;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                if !(fields.len() == 1 && fields[0].is_empty()) {
                    out.push((start, std::mem::take(&mut fields)));
                }
                fields.clear();
                line += 1;
                start = line;
            }
            (_, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if quoted {
        return Err(MatrixError {
            line: start,
            message: "unterminated quoted field".to_owned(),
        });
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        out.push((start, fields));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "vendor,models,seed_feature,service,description,from_version,support\n";

    #[test]
    fn quoted_fields_keep_their_commas_and_quotes() {
        let text = format!(
            "{HEAD}snom,snom 821; snom 870,AlternateCall,AlternateCall,\"Switch, \"\"quoted\"\"\",\"Not supported, but emulated using X.\",emulated\n"
        );
        let rows = parse(&text).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].models, ["snom 821", "snom 870"]);
        assert_eq!(rows[0].description, "Switch, \"quoted\"");
        assert_eq!(rows[0].support, MatrixSupport::Emulated);
    }

    #[test]
    fn a_support_column_that_contradicts_the_cell_is_refused() {
        let text = format!(
            "{HEAD}snom,snom 821,MakeCall,MakeCall,Makes phone calls,Not supported,since\n"
        );
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("does not follow"), "{err}");
    }

    #[test]
    fn seed_spellings_in_the_service_column_are_refused() {
        let text =
            format!("{HEAD}snom,snom 821,SnapShotCall,SnapShotCall,x,Not supported,unsupported\n");
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("did you mean `SnapshotCall`"), "{err}");
    }
}
