//! Phone identities: the MAC address a phone registers with as its SIP user name (estos uaCSTA Server
//! manual §3.4.2: "The MAC address for the telephone will be expected as the user name").

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A MAC address, written canonically as 12 upper-case hex digits without separators (the form the
/// estos log filter and Auerswald account names use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac([u8; 6]);

/// Why a user name is not a MAC address.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{input:?} is not a MAC address (12 hex digits, optionally separated by ':', '-' or '.')")]
pub struct MacError {
    pub input: String,
}

impl Mac {
    pub fn new(bytes: [u8; 6]) -> Mac {
        Mac(bytes)
    }

    pub fn bytes(&self) -> [u8; 6] {
        self.0
    }

    /// The vendor prefix (OUI), e.g. `00:04:13` for snom.
    pub fn oui(&self) -> [u8; 3] {
        [self.0[0], self.0[1], self.0[2]]
    }
}

impl FromStr for Mac {
    type Err = MacError;

    /// Accepts any case, with or without separators: `000413aabbcc`, `00:04:13:AA:BB:CC`,
    /// `00-04-13-aa-bb-cc`, `0004.13aa.bbcc`. Separators must be consistent with one of these forms.
    fn from_str(s: &str) -> Result<Mac, MacError> {
        let err = || MacError {
            input: s.to_string(),
        };
        let digits: Vec<u8> = s
            .bytes()
            .filter(|b| !matches!(b, b':' | b'-' | b'.'))
            .collect();
        if digits.len() != 12 || !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(err());
        }
        let separators = s.len() - digits.len();
        let shape_ok = match separators {
            0 => true,
            5 => {
                let sep = s.as_bytes()[2];
                (sep == b':' || sep == b'-')
                    && s.bytes()
                        .enumerate()
                        .all(|(i, b)| (i % 3 == 2) == (b == sep))
            }
            2 => s
                .bytes()
                .enumerate()
                .all(|(i, b)| (i % 5 == 4) == (b == b'.')),
            _ => false,
        };
        if !shape_ok {
            return Err(err());
        }
        let mut out = [0u8; 6];
        for (i, pair) in digits.chunks(2).enumerate() {
            let hex = std::str::from_utf8(pair).map_err(|_| err())?;
            out[i] = u8::from_str_radix(hex, 16).map_err(|_| err())?;
        }
        Ok(Mac(out))
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_every_common_spelling() {
        let want = Mac::new([0x00, 0x04, 0x13, 0xAA, 0xBB, 0xCC]);
        for s in [
            "000413AABBCC",
            "000413aabbcc",
            "00:04:13:aa:bb:cc",
            "00-04-13-AA-BB-CC",
            "0004.13aa.bbcc",
        ] {
            assert_eq!(s.parse::<Mac>(), Ok(want), "{s}");
        }
        assert_eq!(want.to_string(), "000413AABBCC");
        assert_eq!(want.oui(), [0x00, 0x04, 0x13]);
    }

    #[test]
    fn rejects_what_is_not_a_mac() {
        for s in [
            "",
            "000413AABBC",
            "000413AABBCCD",
            "000413AABBCG",
            "00:04:13-AA:BB:CC",
            "0:004:13:AA:BB:CC",
            "alice",
            "00:04:13:AA:BB:CC:",
        ] {
            assert!(s.parse::<Mac>().is_err(), "{s} accepted");
        }
    }

    proptest! {
        #[test]
        fn display_parses_back(bytes in any::<[u8; 6]>()) {
            let mac = Mac::new(bytes);
            prop_assert_eq!(mac.to_string().parse::<Mac>(), Ok(mac));
            prop_assert_eq!(mac.to_string().to_lowercase().parse::<Mac>(), Ok(mac));
        }
    }
}
