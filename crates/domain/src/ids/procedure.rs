//! Procedure codes of the national procedure database: `1.001193`, optionally with a province's
//! local suffix (`1.000948.H38`).

use std::fmt;
use std::str::FromStr;

use super::quoted;

/// Why a string is not a [`ProcedureCode`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProcedureCodeError {
    /// Not of the shape `1.001193` or `1.000948.H38`.
    #[error("procedure code must look like 1.001193 or 1.000948.H38, got {0}")]
    Malformed(String),
}

/// A validated procedure code (mã thủ tục hành chính).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcedureCode(String);

/// Length of `1.001193`.
const NATIONAL_LEN: usize = 8;

fn is_national(b: &[u8]) -> bool {
    b.len() == NATIONAL_LEN && b[0].is_ascii_digit() && b[1] == b'.' && b[2..].iter().all(u8::is_ascii_digit)
}

fn is_suffix(b: &[u8]) -> bool {
    b.len() == 4 && b[0] == b'.' && b[1].is_ascii_uppercase() && b[2].is_ascii_digit() && b[3].is_ascii_digit()
}

impl ProcedureCode {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national part, e.g. `"1.000948"` for `1.000948.H38`.
    pub fn national(&self) -> &str {
        &self.0[..NATIONAL_LEN]
    }

    /// The local suffix without its dot, e.g. `Some("H38")`.
    pub fn local_suffix(&self) -> Option<&str> {
        self.0.get(NATIONAL_LEN + 1..)
    }

    /// The code without any local suffix.
    pub fn without_suffix(&self) -> ProcedureCode {
        ProcedureCode(self.national().to_owned())
    }
}

impl FromStr for ProcedureCode {
    type Err = ProcedureCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let b = s.as_bytes();
        let ok = match b.len() {
            NATIONAL_LEN => is_national(b),
            12 => is_national(&b[..NATIONAL_LEN]) && is_suffix(&b[NATIONAL_LEN..]),
            _ => false,
        };
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ProcedureCodeError::Malformed(quoted(s)))
        }
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_newtype_serde!(ProcedureCode, as_str);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn valid_codes() {
        let c: ProcedureCode = "1.001193".parse().unwrap();
        assert_eq!(c.national(), "1.001193");
        assert_eq!(c.local_suffix(), None);
        let c: ProcedureCode = "1.000948.H38".parse().unwrap();
        assert_eq!(c.national(), "1.000948");
        assert_eq!(c.local_suffix(), Some("H38"));
        assert_eq!(c.without_suffix().as_str(), "1.000948");
        assert_eq!(c.to_string(), "1.000948.H38");
        assert!(ProcedureCode::try_from("2.002162").is_ok());
    }

    #[test]
    fn invalid_codes() {
        for bad in [
            "",
            "1001193",
            "1.00119",
            "1.0011930",
            "11.001193",
            "1.001193.",
            "1.001193.h38",
            "1.001193.H3",
            "1.001193-H38",
            "a.001193",
            "1.00119ă",
        ] {
            let e = bad.parse::<ProcedureCode>().unwrap_err();
            assert!(e.to_string().contains("1.001193"), "{bad}");
        }
    }

    #[test]
    fn serde_as_string() {
        let c: ProcedureCode = serde_json::from_str("\"1.000948.H38\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"1.000948.H38\"");
        assert!(serde_json::from_str::<ProcedureCode>("\"1.0\"").is_err());
    }

    proptest! {
        #[test]
        fn round_trip(s in "[0-9]\\.[0-9]{6}(\\.[A-Z][0-9]{2})?") {
            let c: ProcedureCode = s.parse().unwrap();
            prop_assert_eq!(c.to_string(), s);
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = s.parse::<ProcedureCode>();
        }
    }
}
