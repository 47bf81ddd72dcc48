//! Pre-2025 units on the dashboards. Since 01-07-2025 the province's communes are the merged
//! ones; dossiers recorded under an old commune code count under the commune it merged into (the
//! reference merge mapping, as the index does). Leaders still search by the old names and codes,
//! so the search and the unit pages accept them and say where they went.

use motcua_domain::text::fold;
use motcua_domain::units::{Coverage, UnitDirectory, UnitLevel, FIRST_DAY_2025};

use crate::state::AppState;

/// An old unit and the unit of today it merged into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    pub old_code: String,
    pub old_name: String,
    /// The old unit's validity ended on this day (30/06/2025 for the 2025 reorganisation).
    pub until: String,
    pub new_code: String,
    pub new_name: String,
}

/// The old commune `code` (not in force on 01-07-2025) and the organisation of this deployment
/// it counts under; `None` for a unit in force or unknown, or one merged outside the province.
pub fn merged_into(state: &AppState, code: &str) -> Option<Merged> {
    let dir = state.engine().unit_directory();
    merged_in(&dir, code, |new| state.engine().organisation(new).map(|o| o.name))
}

fn merged_in(dir: &UnitDirectory, code: &str, organisation: impl Fn(&str) -> Option<String>) -> Option<Merged> {
    if dir.get(code, FIRST_DAY_2025).is_some() {
        return None;
    }
    let old = dir.get_old(code, UnitLevel::Commune)?;
    let new_code = dir.map_to_2025(code, UnitLevel::Commune)?;
    let new_name = organisation(&new_code)?;
    Some(Merged {
        old_code: old.code.clone(),
        old_name: old.name.clone(),
        until: old
            .valid_to
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        new_code,
        new_name,
    })
}

/// One old unit a unit of today was formed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Predecessor {
    pub code: String,
    pub name: String,
    /// Whole (`true`) or part of it.
    pub whole: bool,
}

/// The old communes the commune `code` was formed from (empty for other units).
pub fn predecessors(state: &AppState, code: &str) -> Vec<Predecessor> {
    let dir = state.engine().unit_directory();
    dir.predecessors(code, UnitLevel::Commune)
        .into_iter()
        .filter(|(_, level, _)| *level == UnitLevel::Commune)
        .filter_map(|(old, level, coverage)| {
            dir.get_old(&old, level).map(|u| Predecessor {
                code: old.clone(),
                name: u.name.clone(),
                whole: coverage == Coverage::Full,
            })
        })
        .collect()
}

/// One hit of the unit search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub code: String,
    pub name: String,
    /// For an old unit: where it went.
    pub merged: Option<Merged>,
}

/// Most hits shown.
pub const MAX_HITS: usize = 50;

/// Units whose code starts with the query or whose folded name contains it: this deployment's
/// organisations first, then the old communes that merged into one of them.
pub fn search(state: &AppState, organisations: &[motcua_store::Organisation], query: &str) -> Vec<Hit> {
    let dir = state.engine().unit_directory();
    search_in(&dir, organisations, query)
}

fn search_in(dir: &UnitDirectory, organisations: &[motcua_store::Organisation], query: &str) -> Vec<Hit> {
    let wanted = fold(query.trim());
    if wanted.is_empty() {
        return Vec::new();
    }
    let matches = |code: &str, name: &str| code.starts_with(query.trim()) || fold(name).contains(&wanted);
    let mut hits: Vec<Hit> = organisations
        .iter()
        .filter(|o| o.kind != "service_centre" && matches(&o.code, &o.name))
        .map(|o| Hit {
            code: o.code.clone(),
            name: o.name.clone(),
            merged: None,
        })
        .take(MAX_HITS)
        .collect();
    let name_of = |code: &str| organisations.iter().find(|o| o.code == code).map(|o| o.name.clone());
    for u in dir.units() {
        if hits.len() >= MAX_HITS {
            break;
        }
        if u.level != UnitLevel::Commune || u.is_valid_on(FIRST_DAY_2025) || !matches(&u.code, &u.name) {
            continue;
        }
        if let Some(m) = merged_in(dir, &u.code, name_of) {
            hits.push(Hit {
                code: m.old_code.clone(),
                name: m.old_name.clone(),
                merged: Some(m),
            });
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_store::Organisation;

    fn org(code: &str, name: &str) -> Organisation {
        Organisation {
            code: code.into(),
            electronic_code: String::new(),
            name: name.into(),
            name_en: String::new(),
            kind: "people_committee".into(),
            province_code: "52".into(),
            admin_unit_code: Some(code.into()),
        }
    }

    #[test]
    fn an_old_commune_is_found_by_name_or_code_with_its_successor() {
        let dir = UnitDirectory::bundled().expect("bundled units");
        // Any old commune of today's Gia Lai (52) whose successor is one of our organisations.
        let (old, new) = dir
            .units()
            .iter()
            .filter(|u| u.level == UnitLevel::Commune && !u.is_valid_on(FIRST_DAY_2025))
            .find_map(|u| {
                let new = dir.map_to_2025(&u.code, UnitLevel::Commune)?;
                let unit = dir.get(&new, FIRST_DAY_2025)?;
                (dir.province_of(unit)?.code == "52" && new != u.code).then(|| (u.clone(), unit.clone()))
            })
            .expect("an old commune of Gia Lai");
        let orgs = vec![org(&new.code, &new.name)];
        let hits = search_in(&dir, &orgs, &old.code);
        let hit = hits.iter().find(|h| h.code == old.code).expect("found by code");
        let merged = hit.merged.as_ref().expect("an old unit");
        assert_eq!(
            (merged.new_code.as_str(), merged.new_name.as_str()),
            (new.code.as_str(), new.name.as_str())
        );
        assert_eq!(merged.until, "30/06/2025");
        // By its name without diacritics, as leaders type it.
        let plain = fold(&old.name);
        assert!(search_in(&dir, &orgs, &plain).iter().any(|h| h.code == old.code));
        // A unit in force is not "merged"; the successor's own page lists its predecessors.
        assert!(merged_in(&dir, &new.code, |_| Some(String::new())).is_none());
        assert!(dir
            .predecessors(&new.code, UnitLevel::Commune)
            .iter()
            .any(|(c, _, _)| *c == old.code));
        // Outside this deployment's organisations: not offered.
        assert!(search_in(&dir, &[], &old.code).is_empty());
        assert!(search_in(&dir, &orgs, "   ").is_empty());
    }
}
