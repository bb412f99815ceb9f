//! `uacsta csta decode` and `uacsta csta encode`: the CSTA codec on files, for people reading captures
//! and writing test messages.

use std::path::Path;

use anyhow::{Context, Result, bail};
use uacsta_csta::{CstaMessage, Edition, Mode};

/// Decodes a CSTA XML file and prints it as JSON. In strict mode the deviations from ECMA-323 are part
/// of the JSON and are also listed on stderr. Fails with the error and its XML position.
pub fn decode(path: &Path, strict: bool) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mode = if strict { Mode::Strict } else { Mode::Tolerant };
    let decoded = uacsta_csta::decode(&bytes, mode)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    println!("{}", serde_json::to_string_pretty(&decoded)?);
    if strict {
        for d in &decoded.deviations {
            eprintln!("deviation: {d}");
        }
        eprintln!(
            "{} deviation(s) from the standard",
            decoded.deviations.len()
        );
    }
    Ok(())
}

/// Reads a message as JSON (the form `decode` prints, or just its `message` member) and prints it as
/// ECMA-323 XML in `edition`.
pub fn encode(path: &Path, edition: &str) -> Result<()> {
    let edition = parse_edition(edition)?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let message_value = value.get("message").cloned().unwrap_or(value);
    let message: CstaMessage = serde_json::from_value(message_value)
        .with_context(|| format!("{} does not hold a CSTA message", path.display()))?;
    println!("{}", uacsta_csta::encode(&message, edition));
    Ok(())
}

/// `ed2`..`ed6`, or just the digit.
pub fn parse_edition(s: &str) -> Result<Edition> {
    let digit = s.trim().trim_start_matches("ed").trim_start_matches("ED");
    Ok(match digit {
        "2" => Edition::Ed2,
        "3" => Edition::Ed3,
        "4" => Edition::Ed4,
        "5" => Edition::Ed5,
        "6" => Edition::Ed6,
        _ => bail!("unknown edition {s:?}: use ed2, ed3, ed4, ed5 or ed6"),
    })
}
