//! Administrative units of Việt Nam in both structures: the three levels in force until
//! 2025-06-30 (province → district → commune) and the two levels from 2025-07-01 (province →
//! commune), the old → new merge relation, and the demo organisation of a province.
//!
//! Codes are reused across eras (new Gia Lai 52 was old Bình Định 52; many new communes keep one
//! predecessor's code), so a unit's identity is **(code, level, valid_from)**; look-ups therefore
//! take a date or a level. The bundled data is `data/units/` (see its PROVENANCE.md), generated
//! by `scripts/convert_units.py`.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

mod agencies;
mod directory;

pub use agencies::{
    commune_electronic_code, provincial_agencies, try_provincial_agencies, Agency, AgencyKind, COMMUNE_CODE_CAPACITY,
    SERVICE_CENTRE_LEVEL2,
};
pub use directory::{is_valid_on, UnitDirectory, FIRST_DAY_2025, LAST_DAY_PRE_2025};

/// `data/units/units.csv` as shipped with the program.
pub const BUNDLED_UNITS_CSV: &str = include_str!("../../../../data/units/units.csv");
/// `data/units/merges.csv` as shipped with the program.
pub const BUNDLED_MERGES_CSV: &str = include_str!("../../../../data/units/merges.csv");

/// Level of a unit. `agency` is for bodies (departments, service centres) kept in the same table.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitLevel {
    /// Tỉnh / thành phố trực thuộc trung ương.
    Province,
    /// Huyện / quận / thị xã / thành phố thuộc tỉnh (until 2025-06-30).
    District,
    /// Xã / phường / thị trấn / đặc khu.
    Commune,
    /// A state body such as a department.
    Agency,
}

impl UnitLevel {
    /// The lowercase name used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::District => "district",
            Self::Commune => "commune",
            Self::Agency => "agency",
        }
    }
}

impl fmt::Display for UnitLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UnitLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "province" => Ok(Self::Province),
            "district" => Ok(Self::District),
            "commune" => Ok(Self::Commune),
            "agency" => Ok(Self::Agency),
            other => Err(format!(
                "unknown level {other:?} (expected province, district, commune or agency)"
            )),
        }
    }
}

/// Whether the whole old unit, or only part of it, went into the new unit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Coverage {
    /// The whole old unit.
    Full,
    /// Part of the old unit; the rest went elsewhere.
    Partial,
}

impl FromStr for Coverage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(Self::Full),
            "partial" => Ok(Self::Partial),
            other => Err(format!("unknown coverage {other:?} (expected full or partial)")),
        }
    }
}

/// One administrative unit in one era.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUnit {
    /// GSO code (`52`, `622`, `23575`) or, for agencies, the electronic code.
    pub code: String,
    /// Full name in NFC, e.g. `Phường Pleiku`.
    pub name: String,
    /// Level.
    pub level: UnitLevel,
    /// Type as written in Vietnamese: Tỉnh, Thành phố, Quận, Huyện, Thị xã, Phường, Xã, Thị trấn,
    /// Đặc khu, …
    pub kind: String,
    /// Code of the unit one level up, valid in the same era.
    pub parent_code: Option<String>,
    /// First day in force; `None` = before the data's horizon.
    pub valid_from: Option<NaiveDate>,
    /// Last day in force (inclusive); `None` = still in force.
    pub valid_to: Option<NaiveDate>,
}

impl AdminUnit {
    /// True when the unit is in force on `date` (both ends inclusive).
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= date) && self.valid_to.is_none_or(|to| date <= to)
    }
}

/// The new unit `new_code` was formed (wholly or partly) from the old unit `old_code`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitMerge {
    /// Code of the 2025 unit.
    pub new_code: String,
    /// Level of the 2025 unit (province or commune).
    pub new_level: UnitLevel,
    /// Code of the pre-2025 unit.
    pub old_code: String,
    /// Level of the pre-2025 unit (an island district became a special zone directly).
    pub old_level: UnitLevel,
    /// Whether all of the old unit went into the new one.
    pub coverage: Coverage,
}

/// A reference-data file that cannot be read; `line` is 1-based (the header is line 1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct UnitsError {
    /// 1-based line in the file.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl UnitsError {
    fn new(line: u64, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

/// A CSV file with named columns, read record by record with line numbers.
struct Table<'a> {
    columns: Vec<usize>,
    reader: csv::Reader<&'a [u8]>,
}

impl<'a> Table<'a> {
    fn open(text: &'a str, wanted: &[&'static str]) -> Result<Self, UnitsError> {
        // A byte-order mark would otherwise become part of the first column's name.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| UnitsError::new(1, format!("cannot read the header: {e}")))?
            .clone();
        let columns = wanted
            .iter()
            .map(|name| {
                headers
                    .iter()
                    .position(|h| h == *name)
                    .ok_or_else(|| UnitsError::new(1, format!("missing column {name:?}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { columns, reader })
    }

    /// Calls `row` with the line number and the wanted fields, in `wanted` order.
    fn for_each(mut self, mut row: impl FnMut(u64, &[&str]) -> Result<(), UnitsError>) -> Result<(), UnitsError> {
        let mut record = csv::StringRecord::new();
        loop {
            let line_hint = self.reader.position().line();
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(line_hint, csv::Position::line);
                    return Err(UnitsError::new(line, e.to_string()));
                }
            }
            let line = record.position().map_or(line_hint, csv::Position::line);
            let fields: Vec<&str> = self.columns.iter().map(|&i| record.get(i).unwrap_or("")).collect();
            row(line, &fields)?;
        }
    }
}

fn parse_code(line: u64, column: &str, value: &str) -> Result<String, UnitsError> {
    let ok = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(UnitsError::new(line, format!("{column}: {value:?} is not a unit code")))
    }
}

fn parse_date(line: u64, column: &str, value: &str) -> Result<Option<NaiveDate>, UnitsError> {
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| UnitsError::new(line, format!("{column}: {value:?} is not a date (YYYY-MM-DD)")))
}

fn parse_level(line: u64, column: &str, value: &str) -> Result<UnitLevel, UnitsError> {
    value
        .parse()
        .map_err(|e| UnitsError::new(line, format!("{column}: {e}")))
}

/// Parses `units.csv` (`code,name,level,kind,parent_code,valid_from,valid_to`; extra columns are
/// ignored). Names are NFC-normalised; a duplicate (code, level, valid_from) is an error.
pub fn parse_units_csv(text: &str) -> Result<Vec<AdminUnit>, UnitsError> {
    let table = Table::open(
        text,
        &["code", "name", "level", "kind", "parent_code", "valid_from", "valid_to"],
    )?;
    let mut units = Vec::new();
    let mut seen = HashSet::new();
    table.for_each(|line, f| {
        let code = parse_code(line, "code", f[0])?;
        let name: String = f[1].nfc().collect();
        if name.is_empty() {
            return Err(UnitsError::new(line, "name is empty"));
        }
        let level = parse_level(line, "level", f[2])?;
        let parent_code = if f[4].is_empty() {
            None
        } else {
            Some(parse_code(line, "parent_code", f[4])?)
        };
        let valid_from = parse_date(line, "valid_from", f[5])?;
        let valid_to = parse_date(line, "valid_to", f[6])?;
        if let (Some(from), Some(to)) = (valid_from, valid_to) {
            if from > to {
                return Err(UnitsError::new(
                    line,
                    format!("valid_from {from} is after valid_to {to}"),
                ));
            }
        }
        if !seen.insert((code.clone(), level, valid_from)) {
            return Err(UnitsError::new(
                line,
                format!("duplicate {level} {code} valid from {}", f[5]),
            ));
        }
        units.push(AdminUnit {
            code,
            name,
            level,
            kind: f[3].nfc().collect(),
            parent_code,
            valid_from,
            valid_to,
        });
        Ok(())
    })?;
    Ok(units)
}

/// Parses `merges.csv` (`new_code,new_level,old_code,old_level,coverage`); a duplicate pair is an
/// error.
pub fn parse_merges_csv(text: &str) -> Result<Vec<UnitMerge>, UnitsError> {
    let table = Table::open(text, &["new_code", "new_level", "old_code", "old_level", "coverage"])?;
    let mut merges = Vec::new();
    let mut seen = HashSet::new();
    table.for_each(|line, f| {
        let merge = UnitMerge {
            new_code: parse_code(line, "new_code", f[0])?,
            new_level: parse_level(line, "new_level", f[1])?,
            old_code: parse_code(line, "old_code", f[2])?,
            old_level: parse_level(line, "old_level", f[3])?,
            coverage: f[4]
                .parse()
                .map_err(|e| UnitsError::new(line, format!("coverage: {e}")))?,
        };
        let key = (
            merge.new_code.clone(),
            merge.new_level,
            merge.old_code.clone(),
            merge.old_level,
        );
        if !seen.insert(key) {
            return Err(UnitsError::new(
                line,
                format!(
                    "duplicate merge {} {} <- {} {}",
                    merge.new_level, merge.new_code, merge.old_level, merge.old_code
                ),
            ));
        }
        merges.push(merge);
        Ok(())
    })?;
    Ok(merges)
}

#[cfg(test)]
mod tests;
