//! The CSTA service and event names a profile may use: the 32 services and 27 events of seed 002
//! §4.2.1 (estos uaCSTA Server 5.0, "uaCSTA Features"), spelled as ECMA-269 names, plus
//! `BackInService`/`OutOfService` from seed 002 §4.1.1.
//!
//! Both are closed enums: a YAML key that is not one of these names is a deserialisation error
//! (with a "did you mean" hint), never a silently ignored entry.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};

macro_rules! csta_names {
    ($(#[$meta:meta])* $name:ident, $what:literal, $count:literal, [$($variant:ident),+ $(,)?]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $(
                #[doc = concat!("ECMA-269 `", stringify!($variant), "`.")]
                $variant,
            )+
        }

        impl $name {
            /// Every name, in the order of seed 002 §4.2.1.
            pub const ALL: [$name; $count] = [$($name::$variant),+];

            /// The ECMA-269 spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .into_iter()
                    .find(|n| n.as_str() == s)
                    .ok_or_else(|| UnknownName::new($what, s, $name::ALL.iter().map(|n| n.as_str())))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct NameVisitor;

                impl Visitor<'_> for NameVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "a CSTA {} name", $what)
                    }

                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$name, E> {
                        v.parse().map_err(E::custom)
                    }
                }

                deserializer.deserialize_str(NameVisitor)
            }
        }
    };
}

csta_names!(
    /// A CSTA service of seed 002 §4.2.1 (32 names).
    ServiceName,
    "service",
    32,
    [
        GetLogicalDeviceInformation,
        GetPhysicalDeviceInformation,
        GetSwitchingFunctionDevices,
        SystemRegister,
        SystemRegisterCancel,
        RequestSystemStatus,
        MonitorStart,
        MonitorStop,
        SnapshotDevice,
        SnapshotCall,
        AlternateCall,
        AnswerCall,
        ClearConnection,
        ConferenceCall,
        ConsultationCall,
        DeflectCall,
        DialDigits,
        DirectedPickupCall,
        HoldCall,
        MakeCall,
        ReconnectCall,
        RetrieveCall,
        SingleStepConferenceCall,
        SingleStepTransferCall,
        TransferCall,
        GenerateDigits,
        GetMessageWaitingIndicator,
        SetMessageWaitingIndicator,
        GetDoNotDisturb,
        SetDoNotDisturb,
        GetForwarding,
        SetForwarding,
    ]
);

csta_names!(
    /// A CSTA event of seed 002 §4.2.1 plus `BackInService`/`OutOfService` of §4.1.1 (27 names).
    /// `MonitorStop` is the switching-function-initiated monitor end.
    EventName,
    "event",
    27,
    [
        SwitchingFunctionDevices,
        SystemRegisterAbort,
        SwFunctionDevicesChanged,
        MonitorStop,
        CallCleared,
        Conferenced,
        ConnectionCleared,
        Delivered,
        DigitsDialed,
        Diverted,
        Established,
        Failed,
        Held,
        NetworkCapabilitiesChanged,
        NetworkReached,
        Offered,
        Originated,
        Queued,
        Retrieved,
        ServiceInitiated,
        Transferred,
        DigitsGenerated,
        MessageWaiting,
        DoNotDisturb,
        Forwarding,
        BackInService,
        OutOfService,
    ]
);

/// A name that is not one of the closed set, with the closest valid spelling when one is near.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown CSTA {what} `{name}`{}", suggestion_text(.suggestion))]
pub struct UnknownName {
    /// `service` or `event`.
    pub what: &'static str,
    /// The name as written.
    pub name: String,
    /// The nearest valid name (case-insensitive edit distance at most 3).
    pub suggestion: Option<&'static str>,
}

fn suggestion_text(suggestion: &Option<&'static str>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => " (not one of the names of seed 002 §4.2.1)".to_owned(),
    }
}

impl UnknownName {
    fn new(what: &'static str, name: &str, candidates: impl Iterator<Item = &'static str>) -> Self {
        let wanted = name.to_ascii_lowercase().replace([' ', '_', '-'], "");
        let suggestion = candidates
            .map(|c| (edit_distance(&wanted, &c.to_ascii_lowercase()), c))
            .filter(|(d, _)| *d <= 3)
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| c);
        UnknownName {
            what,
            name: name.to_owned(),
            suggestion,
        }
    }
}

/// Levenshtein distance over chars; names are short, so the quadratic table is fine.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips_through_its_spelling() {
        for s in ServiceName::ALL {
            assert_eq!(s.as_str().parse::<ServiceName>(), Ok(s));
        }
        for e in EventName::ALL {
            assert_eq!(e.as_str().parse::<EventName>(), Ok(e));
        }
    }

    #[test]
    fn seed_spellings_are_refused_with_the_ecma_name_suggested() {
        let err = "SnapShotDevice".parse::<ServiceName>().unwrap_err();
        assert_eq!(err.suggestion, Some("SnapshotDevice"));
        let err = "Consultation Call".parse::<ServiceName>().unwrap_err();
        assert_eq!(err.suggestion, Some("ConsultationCall"));
        assert_eq!(
            err.to_string(),
            "unknown CSTA service `Consultation Call` (did you mean `ConsultationCall`?)"
        );
    }

    #[test]
    fn a_name_far_from_every_service_gets_no_suggestion() {
        let err = "PlayMusicOnHold".parse::<ServiceName>().unwrap_err();
        assert_eq!(err.suggestion, None);
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("makecall", "makecall"), 0);
        assert_eq!(edit_distance("makecal", "makecall"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
