//! Dossier codes (TT 01/2018/TT-VPCP Art. 19): `UNITCODE-YYMMDD-XXXX`, the receiving unit's
//! electronic code, the date of receipt, and a sequence per unit per day (1..=9999).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use super::quoted;
use super::unit_code::{is_unit_code, UnitCode, UNIT_CODE_LEN};

/// Length of `000.00.12.H21-240412-0001`.
const DOSSIER_CODE_LEN: usize = UNIT_CODE_LEN + 1 + 6 + 1 + 4;

/// Why a string or parts do not make a [`DossierCode`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DossierCodeError {
    /// Not of the shape `000.00.12.H21-240412-0001`.
    #[error("dossier code must look like 000.00.12.H21-240412-0001 (UNITCODE-YYMMDD-XXXX), got {0}")]
    Malformed(String),
    /// YYMMDD is not a calendar date.
    #[error("dossier code date {0} is not a valid YYMMDD date")]
    InvalidDate(String),
    /// YYMMDD can only express 2000-01-01..=2099-12-31.
    #[error("dossier code date {0} is outside 2000-01-01..2099-12-31")]
    DateOutOfRange(NaiveDate),
    /// XXXX is 0 or above 9999.
    #[error("dossier code sequence must be between 1 and 9999, got {0}")]
    SeqOutOfRange(u32),
}

/// A validated dossier code (mã hồ sơ).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DossierCode {
    unit: UnitCode,
    date: NaiveDate,
    seq: u16,
}

impl DossierCode {
    /// Highest sequence number a unit can issue on one day.
    pub const MAX_SEQ: u16 = 9999;

    /// Builds a code; `date` must lie in 2000–2099 and `seq` in 1..=9999.
    pub fn new(unit: UnitCode, date: NaiveDate, seq: u16) -> Result<Self, DossierCodeError> {
        if !(2000..=2099).contains(&date.year()) {
            return Err(DossierCodeError::DateOutOfRange(date));
        }
        if !(1..=Self::MAX_SEQ).contains(&seq) {
            return Err(DossierCodeError::SeqOutOfRange(u32::from(seq)));
        }
        Ok(Self { unit, date, seq })
    }

    /// The receiving unit.
    pub fn unit(&self) -> &UnitCode {
        &self.unit
    }

    /// The date of receipt.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The sequence number of that unit on that day.
    pub fn seq(&self) -> u16 {
        self.seq
    }
}

/// Value of a run of ASCII digits (callers check they are digits and short).
fn number(b: &[u8]) -> u32 {
    b.iter().fold(0u32, |n, d| n * 10 + u32::from(d.wrapping_sub(b'0')))
}

impl FromStr for DossierCode {
    type Err = DossierCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let b = s.as_bytes();
        let shape_ok = b.len() == DOSSIER_CODE_LEN
            && is_unit_code(&b[..UNIT_CODE_LEN])
            && b[UNIT_CODE_LEN] == b'-'
            && b[UNIT_CODE_LEN + 7] == b'-'
            && b[UNIT_CODE_LEN + 1..UNIT_CODE_LEN + 7].iter().all(u8::is_ascii_digit)
            && b[UNIT_CODE_LEN + 8..].iter().all(u8::is_ascii_digit);
        if !shape_ok {
            return Err(DossierCodeError::Malformed(quoted(s)));
        }
        // The shape check guarantees ASCII, so byte slicing is on char boundaries.
        let unit = UnitCode::from_str(&s[..UNIT_CODE_LEN]).map_err(|_| DossierCodeError::Malformed(quoted(s)))?;
        let ymd = &b[UNIT_CODE_LEN + 1..UNIT_CODE_LEN + 7];
        let year = 2000 + number(&ymd[..2]) as i32;
        let date = NaiveDate::from_ymd_opt(year, number(&ymd[2..4]), number(&ymd[4..]))
            .ok_or_else(|| DossierCodeError::InvalidDate(s[UNIT_CODE_LEN + 1..UNIT_CODE_LEN + 7].to_owned()))?;
        let seq = number(&b[UNIT_CODE_LEN + 8..]);
        let seq = u16::try_from(seq).map_err(|_| DossierCodeError::SeqOutOfRange(seq))?;
        Self::new(unit, date, seq)
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}{:02}{:02}-{:04}",
            self.unit,
            self.date.year() % 100,
            self.date.month(),
            self.date.day(),
            self.seq
        )
    }
}

string_newtype_serde!(DossierCode, to_string);

/// Finds the first valid dossier code inside free text ("hồ sơ 000.00.12.h21-240412-0001 của
/// tôi"). A lowercase level-1 letter is accepted because people type that way; the code must not
/// be glued to further letters or digits on either side.
pub fn looks_like_dossier_code(text: &str) -> Option<DossierCode> {
    let b = text.as_bytes();
    if b.len() < DOSSIER_CODE_LEN {
        return None;
    }
    (0..=b.len() - DOSSIER_CODE_LEN).find_map(|start| {
        let end = start + DOSSIER_CODE_LEN;
        let glued_before = start > 0 && b[start - 1].is_ascii_alphanumeric();
        let glued_after = b.get(end).is_some_and(u8::is_ascii_alphanumeric);
        if !b[start].is_ascii_digit() || glued_before || glued_after {
            return None;
        }
        let mut candidate = b[start..end].to_vec();
        candidate[10] = candidate[10].to_ascii_uppercase();
        // Non-ASCII bytes fail the shape check anyway; from_utf8 keeps this free of panics.
        let candidate = String::from_utf8(candidate).ok()?;
        candidate.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unit() -> UnitCode {
        "000.00.12.H21".parse().unwrap()
    }

    #[test]
    fn parses_the_example() {
        let c: DossierCode = "000.00.12.H21-240412-0001".parse().unwrap();
        assert_eq!(c.unit(), &unit());
        assert_eq!(c.unit().level1(), "H21");
        assert_eq!(c.date(), NaiveDate::from_ymd_opt(2024, 4, 12).unwrap());
        assert_eq!(c.seq(), 1);
        assert_eq!(c.to_string(), "000.00.12.H21-240412-0001");
        assert_eq!(DossierCode::try_from("000.00.12.H21-251013-9999").unwrap().seq(), 9999);
    }

    #[test]
    fn rejects_bad_codes() {
        use DossierCodeError::*;
        type Expect = fn(&DossierCodeError) -> bool;
        let cases: [(&str, Expect); 9] = [
            ("", |e| matches!(e, Malformed(_))),
            ("000.00.12.H21-240412-001", |e| matches!(e, Malformed(_))),
            ("000.00.12.H21-240412-00001", |e| matches!(e, Malformed(_))),
            ("000.00.12.h21-240412-0001", |e| matches!(e, Malformed(_))),
            ("000.00.12.H21_240412_0001", |e| matches!(e, Malformed(_))),
            ("000.00.12.H21-240231-0001", |e| matches!(e, InvalidDate(_))),
            ("000.00.12.H21-241301-0001", |e| matches!(e, InvalidDate(_))),
            ("000.00.12.H21-230229-0001", |e| matches!(e, InvalidDate(_))),
            ("000.00.12.H21-240412-0000", |e| matches!(e, SeqOutOfRange(0))),
        ];
        for (text, expected) in cases {
            let e = text.parse::<DossierCode>().unwrap_err();
            assert!(expected(&e), "{text}: {e:?}");
            assert!(!e.to_string().is_empty());
        }
        // 2024 is a leap year.
        assert!("000.00.12.H21-240229-0001".parse::<DossierCode>().is_ok());
    }

    #[test]
    fn new_validates() {
        let d = NaiveDate::from_ymd_opt(2024, 4, 12).unwrap();
        assert!(DossierCode::new(unit(), d, 1).is_ok());
        assert_eq!(DossierCode::new(unit(), d, 0), Err(DossierCodeError::SeqOutOfRange(0)));
        assert_eq!(
            DossierCode::new(unit(), d, 10000),
            Err(DossierCodeError::SeqOutOfRange(10000))
        );
        let old = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
        assert_eq!(
            DossierCode::new(unit(), old, 1),
            Err(DossierCodeError::DateOutOfRange(old))
        );
        assert!(DossierCode::new(unit(), NaiveDate::from_ymd_opt(2100, 1, 1).unwrap(), 1).is_err());
    }

    #[test]
    fn finds_codes_in_text() {
        let c = looks_like_dossier_code("Cho tôi hỏi hồ sơ 000.00.12.H21-240412-0001 đến đâu rồi?").unwrap();
        assert_eq!(c.to_string(), "000.00.12.H21-240412-0001");
        let c = looks_like_dossier_code("mã: 000.00.12.h21-251013-0042.").unwrap();
        assert_eq!(c.to_string(), "000.00.12.H21-251013-0042");
        // The first valid one wins; an invalid date is skipped.
        let c = looks_like_dossier_code("000.00.12.H21-240231-0001 hay 000.01.50.H21-240301-0007").unwrap();
        assert_eq!(c.seq(), 7);
        for none in [
            "",
            "hồ sơ của tôi",
            "1000.00.12.H21-240412-0001",
            "000.00.12.H21-240412-00011",
            "000.00.12.H21-240412-0001x",
            "000.00.12.H21 240412 0001",
        ] {
            assert_eq!(looks_like_dossier_code(none), None, "{none}");
        }
    }

    #[test]
    fn serde_as_string() {
        let c: DossierCode = serde_json::from_str("\"000.00.12.H21-240412-0001\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"000.00.12.H21-240412-0001\"");
        assert!(serde_json::from_str::<DossierCode>("\"000.00.12.H21-240412-0000\"").is_err());
    }

    proptest! {
        #[test]
        fn round_trip(
            v in 0u16..1000, z in 0u8..100, y in 0u8..100, m in "[A-Z][0-9]{2}",
            days in 0i64..36_524, seq in 1u16..=9999,
        ) {
            let unit = UnitCode::from_parts(v, z, y, &m).unwrap();
            let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
            let code = DossierCode::new(unit, date, seq).unwrap();
            let text = code.to_string();
            prop_assert_eq!(text.len(), DOSSIER_CODE_LEN);
            prop_assert_eq!(text.parse::<DossierCode>().unwrap(), code.clone());
            let embedded = format!("xin tra cứu {text}, cảm ơn");
            prop_assert_eq!(looks_like_dossier_code(&embedded), Some(code));
        }

        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = s.parse::<DossierCode>();
            let _ = looks_like_dossier_code(&s);
        }

        #[test]
        fn never_panics_near_misses(s in "[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Za-z][0-9]{2}-[0-9]{6}-[0-9]{4,5}") {
            let _ = s.parse::<DossierCode>();
            let _ = looks_like_dossier_code(&s);
        }
    }
}
