//! Personal identification numbers (số định danh cá nhân, Luật Căn cước 2023): 12 digits
//! `PPP G YY NNNNNN`. PPP = birth-registration province, G = century and sex, YY = the last two
//! digits of the birth year, NNNNNN = random. There is no check digit, so validation can only
//! test the structure and its agreement with a known birth date and sex.
//!
//! The number is basic personal data (NĐ 13/2023): `Debug` and `Display` show it masked, and only
//! [`PersonalId::expose`] gives the full value.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::provinces::birth_registration_province_name;

/// Sex as encoded in the century/sex digit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Nam.
    Male,
    /// Nữ.
    Female,
}

impl Sex {
    fn en(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    fn vi(self) -> &'static str {
        match self {
            Sex::Male => "nam",
            Sex::Female => "nữ",
        }
    }
}

/// Which kind of number was checked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// The 12-digit personal identification number.
    PersonalId,
    /// The former 9-digit identity card number (chứng minh nhân dân).
    Cmnd,
}

/// The input is not a number of either accepted shape (the HTTP layer answers 422).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PersonalIdFormatError {
    /// Nothing but whitespace.
    #[error("personal identification number is empty")]
    Empty,
    /// A character other than an ASCII digit (whitespace is ignored).
    #[error("personal identification number must contain digits only, found {found:?} at position {position}")]
    NonDigit {
        /// 1-based position among the non-whitespace characters.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// Neither 12 digits nor a 9-digit CMND.
    #[error("personal identification number must have 12 digits, got {got}")]
    WrongLength {
        /// Number of digits found.
        got: usize,
    },
}

/// Why a string is not a [`PersonalId`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PersonalIdError {
    /// Empty, non-digit, or wrong length.
    #[error(transparent)]
    Format(#[from] PersonalIdFormatError),
    /// A 9-digit CMND, which is not a personal identification number.
    #[error("a 9-digit CMND is not a personal identification number and is no longer valid since 2025-01-01")]
    Cmnd,
    /// The first three digits are not one of the 63 province codes.
    #[error("unknown birth-registration province code {0}")]
    UnknownProvince(String),
}

/// One disagreement found by [`check_personal_id`]; serialised as `{"code": "...", ...}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PersonalIdProblem {
    /// PPP is not one of the 63 pre-2025 province codes.
    UnknownProvince {
        /// The three digits found.
        province: String,
    },
    /// G + YY encode a year after `today`.
    BirthYearInFuture {
        /// The encoded year.
        year: i32,
    },
    /// The given birth date's year differs from the encoded one.
    BirthYearMismatch {
        /// Year encoded by G + YY.
        encoded: i32,
        /// Year of the given birth date.
        given: i32,
    },
    /// The given sex differs from G's parity.
    SexMismatch {
        /// Sex encoded by G.
        encoded: Sex,
        /// Sex given.
        given: Sex,
    },
    /// The given birth date is after `today`.
    BirthDateInFuture,
    /// A 9-digit CMND.
    CmndNoLongerValid,
}

impl PersonalIdProblem {
    /// A short English sentence.
    pub fn message_en(&self) -> String {
        match self {
            Self::UnknownProvince { province } => {
                format!("unknown birth-registration province code {province}")
            }
            Self::BirthYearInFuture { year } => {
                format!("the birth year {year} encoded in the number is in the future")
            }
            Self::BirthYearMismatch { encoded, given } => {
                format!("the birth date's year {given} does not match the year {encoded} encoded in the number")
            }
            Self::SexMismatch { encoded, given } => format!(
                "the sex given ({}) does not match the sex encoded in the number ({})",
                given.en(),
                encoded.en()
            ),
            Self::BirthDateInFuture => "the birth date is in the future".to_owned(),
            Self::CmndNoLongerValid => "9-digit CMND is no longer valid since 2025-01-01; \
                 accepted only as a historical reference"
                .to_owned(),
        }
    }

    /// The same sentence in Vietnamese (NFC).
    pub fn message_vi(&self) -> String {
        match self {
            Self::UnknownProvince { province } => {
                format!("mã tỉnh nơi đăng ký khai sinh {province} không tồn tại")
            }
            Self::BirthYearInFuture { year } => {
                format!("năm sinh {year} mã hóa trong số định danh là năm tương lai")
            }
            Self::BirthYearMismatch { encoded, given } => {
                format!("năm sinh {given} không khớp với năm sinh {encoded} mã hóa trong số định danh")
            }
            Self::SexMismatch { encoded, given } => format!(
                "giới tính khai báo ({}) không khớp với giới tính mã hóa trong số định danh ({})",
                given.vi(),
                encoded.vi()
            ),
            Self::BirthDateInFuture => "ngày sinh ở tương lai".to_owned(),
            Self::CmndNoLongerValid => "CMND 9 số không còn giá trị sử dụng từ ngày 01/01/2025; \
                 chỉ được chấp nhận làm thông tin tham chiếu"
                .to_owned(),
        }
    }
}

/// The outcome of [`check_personal_id`] for a well-formed input.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonalIdCheck {
    /// True when there are no problems (never for a CMND).
    pub valid: bool,
    /// 12-digit personal id or 9-digit CMND.
    pub kind: IdKind,
    /// PPP as written, e.g. `"064"`, even when unknown.
    pub birth_registration_province: Option<String>,
    /// The province's name when PPP is known.
    pub province_name: Option<String>,
    /// First year of the encoded hundred-year block: 1900 for G = 0/1, 2000 for 2/3, …
    pub century: Option<i32>,
    /// Sex encoded by G.
    pub sex: Option<Sex>,
    /// Birth year encoded by G + YY.
    pub birth_year: Option<i32>,
    /// Problems as short English sentences.
    pub problems: Vec<String>,
    /// The same problems in Vietnamese.
    pub problems_vi: Vec<String>,
    /// The same problems as machine-readable codes.
    pub issues: Vec<PersonalIdProblem>,
}

/// Masks all but the first 3 and last 2 characters (`064*******23`); shorter inputs are masked
/// entirely. Use it for any raw number that has to appear in a log.
pub fn mask_personal_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 5 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..3].iter().collect();
    out.push_str(&"*".repeat(chars.len() - 5));
    out.extend(&chars[chars.len() - 2..]);
    out
}

/// Removes whitespace anywhere (people type `064 190 000 123`) and checks for digits only.
/// Returns the digits; the length is checked by the callers.
fn digits_only(number: &str) -> Result<String, PersonalIdFormatError> {
    let compact: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(PersonalIdFormatError::Empty);
    }
    if let Some((index, found)) = compact.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(PersonalIdFormatError::NonDigit {
            position: index + 1,
            found,
        });
    }
    Ok(compact)
}

/// `(first year of the century block, sex)` for the century/sex digit 0–9.
fn decode_century_sex(digit: u8) -> (i32, Sex) {
    let century = 1900 + 100 * i32::from(digit / 2);
    let sex = if digit & 1 == 0 { Sex::Male } else { Sex::Female };
    (century, sex)
}

/// Value of an ASCII digit byte (callers guarantee digits).
fn digit(b: u8) -> u8 {
    b.wrapping_sub(b'0')
}

/// A 12-digit personal identification number with a known province code.
///
/// `Debug`/`Display` print it masked; serde writes the full value (it is needed in stored records
/// and the applicant's own view), so never serialise one into a log.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonalId(String);

impl PersonalId {
    /// The full number. Prefer [`PersonalId::expose`] where the intent should stand out.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The full number, deliberately unmasked.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form, e.g. `064*******23`.
    pub fn masked(&self) -> String {
        mask_personal_number(&self.0)
    }

    /// Birth-registration province code, e.g. `"064"`.
    pub fn province_code(&self) -> &str {
        &self.0[..3]
    }

    /// Name of the birth-registration province.
    pub fn province_name(&self) -> &'static str {
        birth_registration_province_name(self.province_code()).unwrap_or_default()
    }

    /// Sex encoded by G.
    pub fn sex(&self) -> Sex {
        decode_century_sex(digit(self.0.as_bytes()[3])).1
    }

    /// First year of the encoded century block (1900, 2000, …).
    pub fn century(&self) -> i32 {
        decode_century_sex(digit(self.0.as_bytes()[3])).0
    }

    /// Birth year encoded by G + YY.
    pub fn birth_year(&self) -> i32 {
        let b = self.0.as_bytes();
        self.century() + i32::from(digit(b[4]) * 10 + digit(b[5]))
    }
}

impl FromStr for PersonalId {
    type Err = PersonalIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = digits_only(s)?;
        match digits.len() {
            12 => {}
            9 => return Err(PersonalIdError::Cmnd),
            got => return Err(PersonalIdFormatError::WrongLength { got }.into()),
        }
        let province = &digits[..3];
        if birth_registration_province_name(province).is_none() {
            return Err(PersonalIdError::UnknownProvince(province.to_owned()));
        }
        Ok(Self(digits))
    }
}

impl fmt::Display for PersonalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for PersonalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PersonalId").field(&self.masked()).finish()
    }
}

string_newtype_serde!(PersonalId, expose);

/// Checks a personal identification number (or a former CMND) against an optional birth date and
/// sex. `Err` for input that is not a number at all; otherwise the decoded parts and every
/// disagreement found.
pub fn check_personal_id(
    number: &str,
    birth_date: Option<NaiveDate>,
    sex: Option<Sex>,
    today: NaiveDate,
) -> Result<PersonalIdCheck, PersonalIdFormatError> {
    let digits = digits_only(number)?;
    let mut issues = Vec::new();
    if birth_date.is_some_and(|d| d > today) {
        issues.push(PersonalIdProblem::BirthDateInFuture);
    }
    let check = match digits.len() {
        12 => {
            let bytes = digits.as_bytes();
            let province = digits[..3].to_owned();
            let province_name = birth_registration_province_name(&province);
            if province_name.is_none() {
                issues.push(PersonalIdProblem::UnknownProvince {
                    province: province.clone(),
                });
            }
            let (century, encoded_sex) = decode_century_sex(digit(bytes[3]));
            let year = century + i32::from(digit(bytes[4]) * 10 + digit(bytes[5]));
            if year > today.year() {
                issues.push(PersonalIdProblem::BirthYearInFuture { year });
            }
            if let Some(date) = birth_date {
                if date.year() != year {
                    issues.push(PersonalIdProblem::BirthYearMismatch {
                        encoded: year,
                        given: date.year(),
                    });
                }
            }
            if let Some(given) = sex {
                if given != encoded_sex {
                    issues.push(PersonalIdProblem::SexMismatch {
                        encoded: encoded_sex,
                        given,
                    });
                }
            }
            PersonalIdCheck {
                valid: issues.is_empty(),
                kind: IdKind::PersonalId,
                birth_registration_province: Some(province),
                province_name: province_name.map(str::to_owned),
                century: Some(century),
                sex: Some(encoded_sex),
                birth_year: Some(year),
                problems: Vec::new(),
                problems_vi: Vec::new(),
                issues,
            }
        }
        9 => {
            issues.push(PersonalIdProblem::CmndNoLongerValid);
            PersonalIdCheck {
                valid: false,
                kind: IdKind::Cmnd,
                birth_registration_province: None,
                province_name: None,
                century: None,
                sex: None,
                birth_year: None,
                problems: Vec::new(),
                problems_vi: Vec::new(),
                issues,
            }
        }
        got => return Err(PersonalIdFormatError::WrongLength { got }),
    };
    let problems = check.issues.iter().map(PersonalIdProblem::message_en).collect();
    let problems_vi = check.issues.iter().map(PersonalIdProblem::message_vi).collect();
    Ok(PersonalIdCheck {
        problems,
        problems_vi,
        ..check
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::is_nfc;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2026, 3, 1)
    }

    #[test]
    fn interfaces_example_is_valid() {
        let c = check_personal_id("064190000123", Some(d(1990, 5, 1)), Some(Sex::Female), today()).unwrap();
        assert!(c.valid, "{:?}", c.problems);
        assert_eq!(c.kind, IdKind::PersonalId);
        assert_eq!(c.birth_registration_province.as_deref(), Some("064"));
        assert_eq!(c.province_name.as_deref(), Some("Tỉnh Gia Lai"));
        assert_eq!(c.century, Some(1900));
        assert_eq!(c.sex, Some(Sex::Female));
        assert_eq!(c.birth_year, Some(1990));
        assert!(c.problems.is_empty() && c.problems_vi.is_empty());
    }

    #[test]
    fn valid_examples() {
        for (number, year, sex) in [
            ("001090123456", 1990, Sex::Male),
            ("052305000001", 2005, Sex::Female),
            ("096200999999", 2000, Sex::Male),
            ("079199000000", 1999, Sex::Female),
            ("   064 190 000 123 ", 1990, Sex::Female),
        ] {
            let c = check_personal_id(number, Some(d(year, 1, 1)), Some(sex), today()).unwrap();
            assert!(c.valid, "{number}: {:?}", c.problems);
            assert_eq!(c.birth_year, Some(year));
        }
        // Birth date and sex are optional.
        assert!(check_personal_id("052305000001", None, None, today()).unwrap().valid);
    }

    #[test]
    fn century_digits() {
        for (g, century, sex) in [
            (0, 1900, Sex::Male),
            (1, 1900, Sex::Female),
            (2, 2000, Sex::Male),
            (3, 2000, Sex::Female),
            (4, 2100, Sex::Male),
            (5, 2100, Sex::Female),
            (6, 2200, Sex::Male),
            (7, 2200, Sex::Female),
            (8, 2300, Sex::Male),
            (9, 2300, Sex::Female),
        ] {
            assert_eq!(decode_century_sex(g), (century, sex));
        }
        let c = check_personal_id("064410000001", None, None, today()).unwrap();
        assert_eq!(c.birth_year, Some(2110));
        assert!(!c.valid);
        assert!(c.issues.contains(&PersonalIdProblem::BirthYearInFuture { year: 2110 }));
        // A year later this year is still in the future.
        let c = check_personal_id("064227000001", None, None, today()).unwrap();
        assert_eq!(c.issues, vec![PersonalIdProblem::BirthYearInFuture { year: 2027 }]);
        assert!(check_personal_id("064226000001", None, None, today()).unwrap().valid);
    }

    #[test]
    fn disagreements_are_reported() {
        // Century: born 1990 but G says 2000s.
        let c = check_personal_id("064390000123", Some(d(1990, 5, 1)), None, today()).unwrap();
        assert!(!c.valid);
        assert_eq!(
            c.issues,
            vec![
                PersonalIdProblem::BirthYearInFuture { year: 2090 },
                PersonalIdProblem::BirthYearMismatch {
                    encoded: 2090,
                    given: 1990
                }
            ]
        );
        // Year digits.
        let c = check_personal_id("064191000123", Some(d(1990, 5, 1)), None, today()).unwrap();
        assert_eq!(
            c.issues,
            vec![PersonalIdProblem::BirthYearMismatch {
                encoded: 1991,
                given: 1990
            }]
        );
        assert!(c.problems[0].contains("1990") && c.problems[0].contains("1991"));
        // Sex.
        let c = check_personal_id("064190000123", None, Some(Sex::Male), today()).unwrap();
        assert_eq!(
            c.issues,
            vec![PersonalIdProblem::SexMismatch {
                encoded: Sex::Female,
                given: Sex::Male
            }]
        );
        // Everything at once.
        let c = check_personal_id("099291000123", Some(d(1990, 5, 1)), Some(Sex::Female), today()).unwrap();
        assert_eq!(c.issues.len(), 4); // province, future year, year, sex
        assert_eq!(c.problems.len(), 4);
        assert_eq!(c.problems_vi.len(), 4);
    }

    #[test]
    fn unknown_province_is_invalid_not_an_error() {
        let c = check_personal_id("099190000123", None, None, today()).unwrap();
        assert!(!c.valid);
        assert_eq!(c.birth_registration_province.as_deref(), Some("099"));
        assert_eq!(c.province_name, None);
        assert_eq!(c.problems, vec!["unknown birth-registration province code 099"]);
        for unknown in ["000", "003", "005", "013", "097", "100", "999"] {
            let n = format!("{unknown}190000123");
            assert!(!check_personal_id(&n, None, None, today()).unwrap().valid);
        }
    }

    #[test]
    fn format_errors() {
        let e = check_personal_id("0641900001234", None, None, today()).unwrap_err();
        assert_eq!(e, PersonalIdFormatError::WrongLength { got: 13 });
        assert!(e.to_string().contains("must have 12 digits, got 13"));
        for bad in [
            "",
            "   ",
            "06419000012A",
            "064-190-000-123",
            "O64190000123",
            "٠٦٤١٩٠٠٠٠١٢٣",
        ] {
            assert!(check_personal_id(bad, None, None, today()).is_err(), "{bad}");
        }
        assert_eq!(
            check_personal_id(" ", None, None, today()),
            Err(PersonalIdFormatError::Empty)
        );
        assert_eq!(
            check_personal_id("06419000012A", None, None, today()),
            Err(PersonalIdFormatError::NonDigit {
                position: 12,
                found: 'A'
            })
        );
        for len in [1, 8, 10, 11, 13, 20] {
            let n = "1".repeat(len);
            assert_eq!(
                check_personal_id(&n, None, None, today()),
                Err(PersonalIdFormatError::WrongLength { got: len })
            );
        }
    }

    #[test]
    fn cmnd_is_a_historical_reference() {
        let c = check_personal_id("230123456", None, None, today()).unwrap();
        assert!(!c.valid);
        assert_eq!(c.kind, IdKind::Cmnd);
        assert_eq!(
            c.problems,
            vec!["9-digit CMND is no longer valid since 2025-01-01; accepted only as a historical reference"]
        );
        assert_eq!(c.birth_registration_province, None);
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["kind"], "cmnd");
        assert_eq!(json["valid"], false);
        assert_eq!("230123456".parse::<PersonalId>(), Err(PersonalIdError::Cmnd));
    }

    #[test]
    fn check_serialises_in_the_interface_shape() {
        let c = check_personal_id("064190000123", None, Some(Sex::Male), today()).unwrap();
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["kind"], "personal_id");
        assert_eq!(json["birth_registration_province"], "064");
        assert_eq!(json["sex"], "female");
        assert_eq!(json["issues"][0]["code"], "sex_mismatch");
        assert_eq!(json["issues"][0]["given"], "male");
        assert!(json["problems"][0].is_string());
    }

    #[test]
    fn vietnamese_messages_are_nfc() {
        let all = [
            PersonalIdProblem::UnknownProvince { province: "099".into() },
            PersonalIdProblem::BirthYearInFuture { year: 2090 },
            PersonalIdProblem::BirthYearMismatch {
                encoded: 1990,
                given: 1991,
            },
            PersonalIdProblem::SexMismatch {
                encoded: Sex::Female,
                given: Sex::Male,
            },
            PersonalIdProblem::BirthDateInFuture,
            PersonalIdProblem::CmndNoLongerValid,
        ];
        for p in &all {
            assert!(is_nfc(&p.message_vi()), "{p:?}");
            assert!(!p.message_en().is_empty());
        }
        for (_, name) in super::super::BIRTH_REGISTRATION_PROVINCES {
            assert!(is_nfc(name));
        }
    }

    #[test]
    fn birth_date_in_the_future() {
        let c = check_personal_id("064226000001", Some(d(2026, 12, 1)), None, today()).unwrap();
        assert_eq!(c.issues, vec![PersonalIdProblem::BirthDateInFuture]);
    }

    #[test]
    fn newtype_masks_and_exposes() {
        let id: PersonalId = "064190000123".parse().unwrap();
        assert_eq!(id.to_string(), "064*******23");
        assert_eq!(format!("{id:?}"), "PersonalId(\"064*******23\")");
        assert_eq!(id.masked(), "064*******23");
        assert_eq!(id.expose(), "064190000123");
        assert_eq!(id.as_str(), "064190000123");
        assert_eq!(id.province_code(), "064");
        assert_eq!(id.province_name(), "Tỉnh Gia Lai");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.century(), 1900);
        assert_eq!(id.birth_year(), 1990);
        assert_eq!(PersonalId::try_from(" 064 190 000 123").unwrap(), id);
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"064190000123\"");
        let back: PersonalId = serde_json::from_str("\"064190000123\"").unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<PersonalId>("\"099190000123\"").is_err());
        assert!(serde_json::from_str::<PersonalId>("\"12\"").is_err());
        assert_eq!(
            "099190000123".parse::<PersonalId>(),
            Err(PersonalIdError::UnknownProvince("099".into()))
        );
        assert_eq!(mask_personal_number("230123456"), "230****56");
        assert_eq!(mask_personal_number("12345"), "*****");
    }

    #[test]
    fn all_province_codes_are_sorted_and_known() {
        let codes: Vec<&str> = super::super::BIRTH_REGISTRATION_PROVINCES
            .iter()
            .map(|(c, _)| *c)
            .collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert_eq!(birth_registration_province_name("001"), Some("Thành phố Hà Nội"));
        assert_eq!(birth_registration_province_name("052"), Some("Tỉnh Bình Định"));
        assert_eq!(birth_registration_province_name("096"), Some("Tỉnh Cà Mau"));
        assert_eq!(birth_registration_province_name("64"), None);
    }

    proptest! {
        #[test]
        fn check_never_panics(s in "\\PC{0,30}", y in 1800i32..2400, m in 1u32..13) {
            let date = NaiveDate::from_ymd_opt(y, m, 1);
            let _ = check_personal_id(&s, date, Some(Sex::Male), today());
            let _ = s.parse::<PersonalId>();
        }

        #[test]
        fn digit_strings_never_panic(s in "[0-9 ]{0,16}") {
            let _ = check_personal_id(&s, None, None, today());
            if let Ok(id) = s.parse::<PersonalId>() {
                prop_assert!(!id.to_string().contains(&id.expose()[3..10]));
            }
        }

        #[test]
        fn round_trip(p in 0usize..63, g in 0u8..10, yy in 0u8..100, rest in 0u32..1_000_000) {
            let code = super::super::BIRTH_REGISTRATION_PROVINCES[p].0;
            let text = format!("{code}{g}{yy:02}{rest:06}");
            let id: PersonalId = text.parse().unwrap();
            prop_assert_eq!(id.expose(), text.as_str());
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<PersonalId>(&json).unwrap(), id.clone());
            let check = check_personal_id(&text, None, None, d(2400, 1, 1)).unwrap();
            prop_assert!(check.valid);
            prop_assert_eq!(check.birth_year, Some(id.birth_year()));
            prop_assert_eq!(check.sex, Some(id.sex()));
        }
    }
}
