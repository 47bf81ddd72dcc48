//! Electronic unit codes per QCVN 102:2016: `V1V2V3.Z1Z2.Y1Y2.MX1X2`, e.g. `000.00.12.H21`.
//! Read right to left: `MX1X2` is the level-1 unit (a province is `H` + 2 digits), `Y1Y2` the
//! level-2 unit under it, `Z1Z2` level 3, `V1V2V3` level 4.

use std::fmt;
use std::str::FromStr;

use super::quoted;

/// Why a string is not a [`UnitCode`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitCodeError {
    /// Not of the shape `000.00.12.H21`.
    #[error("unit code must look like 000.00.12.H21 (V1V2V3.Z1Z2.Y1Y2.MX1X2), got {0}")]
    Malformed(String),
    /// Not of the shape `H21`.
    #[error("level-1 unit code must be a capital letter and two digits, like H21, got {0}")]
    Level1(String),
    /// A numeric part does not fit its digits.
    #[error("unit code part {part} = {value} does not fit in {digits} digits")]
    OutOfRange {
        /// Which part (`V1V2V3`, `Z1Z2`, `Y1Y2`).
        part: &'static str,
        /// The value given.
        value: u32,
        /// Digits available.
        digits: u32,
    },
}

/// A validated electronic unit code.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct UnitCode(String);

/// Length of `000.00.12.H21`.
pub(super) const UNIT_CODE_LEN: usize = 13;

/// True for the exact shape `^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$`.
pub(super) fn is_unit_code(b: &[u8]) -> bool {
    b.len() == UNIT_CODE_LEN
        && b.iter().enumerate().all(|(i, c)| match i {
            3 | 6 | 9 => *c == b'.',
            10 => c.is_ascii_uppercase(),
            _ => c.is_ascii_digit(),
        })
}

fn is_level1(b: &[u8]) -> bool {
    b.len() == 3 && b[0].is_ascii_uppercase() && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

impl UnitCode {
    /// Builds a code from its parts, e.g. `(0, 0, 12, "H21")` → `000.00.12.H21`.
    pub fn from_parts(level4: u16, level3: u8, level2: u8, level1: &str) -> Result<Self, UnitCodeError> {
        if !is_level1(level1.as_bytes()) {
            return Err(UnitCodeError::Level1(quoted(level1)));
        }
        for (part, value, digits) in [
            ("V1V2V3", u32::from(level4), 3),
            ("Z1Z2", u32::from(level3), 2),
            ("Y1Y2", u32::from(level2), 2),
        ] {
            if value >= 10u32.pow(digits) {
                return Err(UnitCodeError::OutOfRange { part, value, digits });
            }
        }
        Ok(Self(format!("{level4:03}.{level3:02}.{level2:02}.{level1}")))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level-1 part `MX1X2`, e.g. `"H21"`.
    pub fn level1(&self) -> &str {
        &self.0[10..]
    }

    /// The level-2 part `Y1Y2`, e.g. `"12"`.
    pub fn level2(&self) -> &str {
        &self.0[7..9]
    }

    /// The level-3 part `Z1Z2`.
    pub fn level3(&self) -> &str {
        &self.0[4..6]
    }

    /// The level-4 part `V1V2V3`.
    pub fn level4(&self) -> &str {
        &self.0[..3]
    }
}

impl FromStr for UnitCode {
    type Err = UnitCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if is_unit_code(s.as_bytes()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(UnitCodeError::Malformed(quoted(s)))
        }
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_newtype_serde!(UnitCode, as_str);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn valid_codes() {
        let c: UnitCode = "000.00.12.H21".parse().unwrap();
        assert_eq!(c.level1(), "H21");
        assert_eq!(c.level2(), "12");
        assert_eq!(c.level3(), "00");
        assert_eq!(c.level4(), "000");
        assert_eq!(c.to_string(), "000.00.12.H21");
        for ok in ["000.00.00.H49", "123.45.67.A00", " 000.01.50.H21 "] {
            assert!(ok.parse::<UnitCode>().is_ok(), "{ok}");
        }
        assert_eq!(
            UnitCode::from_parts(0, 0, 12, "H21").unwrap(),
            UnitCode::try_from("000.00.12.H21").unwrap()
        );
    }

    #[test]
    fn invalid_codes() {
        for bad in [
            "",
            "000.00.12.h21",
            "000.00.12.H2",
            "000.00.12.H211",
            "00.000.12.H21",
            "000-00-12-H21",
            "000.00.1A.H21",
            "000.00.12.121",
            "000.00.12.H21-240412-0001",
            "ǅ00.00.12.H21",
        ] {
            let e = bad.parse::<UnitCode>().unwrap_err();
            assert!(e.to_string().contains("000.00.12.H21"), "{bad}: {e}");
        }
        assert!(UnitCode::from_parts(1000, 0, 0, "H21").is_err());
        assert!(UnitCode::from_parts(0, 100, 0, "H21").is_err());
        assert!(UnitCode::from_parts(0, 0, 0, "h21").is_err());
        assert!(UnitCode::from_parts(0, 0, 0, "H2").is_err());
    }

    #[test]
    fn serde_as_string() {
        let c: UnitCode = serde_json::from_str("\"000.00.12.H21\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"000.00.12.H21\"");
        assert!(serde_json::from_str::<UnitCode>("\"H21\"").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = s.parse::<UnitCode>();
        }

        #[test]
        fn round_trip(v in 0u16..1000, z in 0u8..100, y in 0u8..100, m in "[A-Z][0-9]{2}") {
            let c = UnitCode::from_parts(v, z, y, &m).unwrap();
            let back: UnitCode = c.to_string().parse().unwrap();
            prop_assert_eq!(back.level1(), m.as_str());
            prop_assert_eq!(back, c);
        }
    }
}
