//! Look-ups over both unit structures and the merge relation between them.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::agencies::commune_electronic_code;
use super::{
    parse_merges_csv, parse_units_csv, AdminUnit, Coverage, UnitLevel, UnitMerge, UnitsError, BUNDLED_MERGES_CSV,
    BUNDLED_UNITS_CSV,
};
use crate::ids::{UnitCode, UnitCodeError};

/// The last day of the three-level structure.
pub const LAST_DAY_PRE_2025: NaiveDate = match NaiveDate::from_ymd_opt(2025, 6, 30) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The first day of the two-level structure.
pub const FIRST_DAY_2025: NaiveDate = match NaiveDate::from_ymd_opt(2025, 7, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// True when `unit` is in force on `date` (see [`AdminUnit::is_valid_on`]).
pub fn is_valid_on(unit: &AdminUnit, date: NaiveDate) -> bool {
    unit.is_valid_on(date)
}

/// Both unit structures with indexes for look-ups by code, parent and date.
#[derive(Clone, Debug, Default)]
pub struct UnitDirectory {
    units: Vec<AdminUnit>,
    merges: Vec<UnitMerge>,
    by_code: HashMap<String, Vec<usize>>,
    by_parent: HashMap<String, Vec<usize>>,
    /// (old code, old level) → indexes into `merges`, ordered by new code.
    successors: HashMap<(String, UnitLevel), Vec<usize>>,
    /// (new code, new level) → indexes into `merges`, ordered by old code.
    predecessors: HashMap<(String, UnitLevel), Vec<usize>>,
}

/// `name` without its leading type word ("Phường Pleiku" → "Pleiku"), to compare names across a
/// change of type (a Thị trấn that became a Xã keeps its proper name).
fn proper_name(unit: &AdminUnit) -> &str {
    unit.name
        .strip_prefix(unit.kind.as_str())
        .map_or(unit.name.as_str(), str::trim_start)
}

/// Numeric order for GSO codes of equal length, text order otherwise.
fn code_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl UnitDirectory {
    /// Builds the indexes.
    pub fn new(units: Vec<AdminUnit>, merges: Vec<UnitMerge>) -> Self {
        let mut by_code: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_parent: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, unit) in units.iter().enumerate() {
            by_code.entry(unit.code.clone()).or_default().push(i);
            if let Some(parent) = &unit.parent_code {
                by_parent.entry(parent.clone()).or_default().push(i);
            }
        }
        for list in by_parent.values_mut() {
            list.sort_by(|&a, &b| code_order(&units[a].code, &units[b].code));
        }
        let mut successors: HashMap<(String, UnitLevel), Vec<usize>> = HashMap::new();
        let mut predecessors: HashMap<(String, UnitLevel), Vec<usize>> = HashMap::new();
        for (i, m) in merges.iter().enumerate() {
            successors.entry((m.old_code.clone(), m.old_level)).or_default().push(i);
            predecessors
                .entry((m.new_code.clone(), m.new_level))
                .or_default()
                .push(i);
        }
        for list in successors.values_mut() {
            list.sort_by(|&a, &b| code_order(&merges[a].new_code, &merges[b].new_code));
        }
        for list in predecessors.values_mut() {
            list.sort_by(|&a, &b| code_order(&merges[a].old_code, &merges[b].old_code));
        }
        Self {
            units,
            merges,
            by_code,
            by_parent,
            successors,
            predecessors,
        }
    }

    /// Parses and indexes the two CSV files.
    pub fn from_csv(units_csv: &str, merges_csv: &str) -> Result<Self, UnitsError> {
        Ok(Self::new(parse_units_csv(units_csv)?, parse_merges_csv(merges_csv)?))
    }

    /// The reference data shipped in `data/units/`.
    pub fn bundled() -> Result<Self, UnitsError> {
        Self::from_csv(BUNDLED_UNITS_CSV, BUNDLED_MERGES_CSV)
    }

    /// Every unit of both eras, in file order.
    pub fn units(&self) -> &[AdminUnit] {
        &self.units
    }

    /// Every merge pair.
    pub fn merges(&self) -> &[UnitMerge] {
        &self.merges
    }

    /// The unit with `code` in force on `on`. GSO codes have a different length per level, so a
    /// code and a date identify at most one unit in the bundled data; if a caller's data is
    /// ambiguous, the highest level wins.
    pub fn get(&self, code: &str, on: NaiveDate) -> Option<&AdminUnit> {
        self.by_code
            .get(code)?
            .iter()
            .map(|&i| &self.units[i])
            .filter(|u| u.is_valid_on(on))
            .min_by_key(|u| u.level)
    }

    /// The unit with `code` at `level` in force on `on`.
    pub fn get_at(&self, code: &str, level: UnitLevel, on: NaiveDate) -> Option<&AdminUnit> {
        self.by_code
            .get(code)?
            .iter()
            .map(|&i| &self.units[i])
            .find(|u| u.level == level && u.is_valid_on(on))
    }

    /// The pre-2025 unit with `code` at `level` (in force on 2025-06-30).
    pub fn get_old(&self, code: &str, level: UnitLevel) -> Option<&AdminUnit> {
        self.get_at(code, level, LAST_DAY_PRE_2025)
    }

    /// Provinces in force on `on`, by code.
    pub fn provinces(&self, on: NaiveDate) -> Vec<&AdminUnit> {
        let mut out: Vec<&AdminUnit> = self
            .units
            .iter()
            .filter(|u| u.level == UnitLevel::Province && u.is_valid_on(on))
            .collect();
        out.sort_by(|a, b| code_order(&a.code, &b.code));
        out
    }

    /// Units in force on `on` whose parent is `parent_code`, by code.
    pub fn children(&self, parent_code: &str, on: NaiveDate) -> Vec<&AdminUnit> {
        self.by_parent.get(parent_code).map_or_else(Vec::new, |list| {
            list.iter()
                .map(|&i| &self.units[i])
                .filter(|u| u.is_valid_on(on))
                .collect()
        })
    }

    /// Communes of a province in force on `on`, by code: directly under the province from
    /// 2025-07-01, under its districts before.
    pub fn communes_of(&self, province_code: &str, on: NaiveDate) -> Vec<&AdminUnit> {
        let mut out = Vec::new();
        for child in self.children(province_code, on) {
            match child.level {
                UnitLevel::Commune => out.push(child),
                UnitLevel::District => out.extend(
                    self.children(&child.code, on)
                        .into_iter()
                        .filter(|u| u.level == UnitLevel::Commune),
                ),
                _ => {}
            }
        }
        out.sort_by(|a, b| code_order(&a.code, &b.code));
        out
    }

    /// The province a unit belongs to, in the unit's own era (a province is its own province).
    pub fn province_of<'a>(&'a self, unit: &'a AdminUnit) -> Option<&'a AdminUnit> {
        let on = unit.valid_from.or(unit.valid_to)?;
        let mut current = unit;
        // Three levels at most; the bound also stops a cycle in bad data.
        for _ in 0..4 {
            if current.level == UnitLevel::Province {
                return Some(current);
            }
            current = self.get(current.parent_code.as_deref()?, on)?;
        }
        None
    }

    /// The 2025 units an old unit went into, by new code, with coverage.
    pub fn successors(&self, old_code: &str, level: UnitLevel) -> Vec<(String, Coverage)> {
        self.successors
            .get(&(old_code.to_owned(), level))
            .map_or_else(Vec::new, |list| {
                list.iter()
                    .map(|&i| (self.merges[i].new_code.clone(), self.merges[i].coverage))
                    .collect()
            })
    }

    /// The old units a 2025 unit was formed from: (old code, old level, coverage), by old code.
    pub fn predecessors(&self, new_code: &str, level: UnitLevel) -> Vec<(String, UnitLevel, Coverage)> {
        self.predecessors
            .get(&(new_code.to_owned(), level))
            .map_or_else(Vec::new, |list| {
                list.iter()
                    .map(|&i| {
                        let m = &self.merges[i];
                        (m.old_code.clone(), m.old_level, m.coverage)
                    })
                    .collect()
            })
    }

    /// The single 2025 unit that statistics should attribute an old (pre-2025) unit to.
    ///
    /// The sources record only full/partial, not areas or populations, so "the successor that got
    /// the largest part" is approximated by this deterministic rule, first match wins:
    /// 1. the only successor;
    /// 2. the successor that took the old unit whole (`full`);
    /// 3. the successor that reused the old unit's code (GSO gives a merged unit the code of the
    ///    predecessor it is built around);
    /// 4. the successor carrying the old unit's proper name (type word ignored);
    /// 5. the successor with the smallest code.
    ///
    /// `None` when the old unit has no successor at that level (districts, except the five island
    /// districts that became special zones; use [`Self::map_to_2025_province`] for those).
    pub fn map_to_2025(&self, code: &str, level: UnitLevel) -> Option<String> {
        let list = self.successors.get(&(code.to_owned(), level))?;
        let candidates: Vec<&UnitMerge> = list.iter().map(|&i| &self.merges[i]).collect();
        if let [only] = candidates.as_slice() {
            return Some(only.new_code.clone());
        }
        if let Some(m) = candidates.iter().find(|m| m.coverage == Coverage::Full) {
            return Some(m.new_code.clone());
        }
        if let Some(m) = candidates.iter().find(|m| m.new_code == code) {
            return Some(m.new_code.clone());
        }
        if let Some(old) = self.get_old(code, level) {
            let old_name = proper_name(old);
            let same_name = candidates.iter().find(|m| {
                self.get_at(&m.new_code, m.new_level, FIRST_DAY_2025)
                    .is_some_and(|new| proper_name(new) == old_name)
            });
            if let Some(m) = same_name {
                return Some(m.new_code.clone());
            }
        }
        // `list` is sorted by new code.
        candidates.first().map(|m| m.new_code.clone())
    }

    /// The 2025 province that an old unit of any level (province, district, commune) lies in,
    /// through its old province. Old provinces were always merged whole, so this is exact.
    pub fn map_to_2025_province(&self, code: &str, level: UnitLevel) -> Option<String> {
        let unit = self.get_old(code, level)?;
        let province = self.province_of(unit)?;
        self.map_to_2025(&province.code, UnitLevel::Province)
    }

    /// The demo electronic codes of a province's communes on `on`: the commune at position `i`
    /// (by code) gets [`commune_electronic_code`]`(level1, i)`. Demo-assigned, replaceable data.
    pub fn commune_electronic_codes(
        &self,
        province_code: &str,
        level1: &str,
        on: NaiveDate,
    ) -> Result<Vec<(&AdminUnit, UnitCode)>, UnitCodeError> {
        self.communes_of(province_code, on)
            .into_iter()
            .enumerate()
            .map(|(i, unit)| Ok((unit, commune_electronic_code(level1, i)?)))
            .collect()
    }
}
