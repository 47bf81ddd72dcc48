//! The project's own reference data (data/units through `motcua_domain::units`, data/catalog), embedded in the binary so that a
//! fresh deployment starts with the administrative units and the procedure catalogue loaded.

use std::io::Read;

use chrono::NaiveDate;
use motcua_domain::calendar;
use motcua_domain::catalog::{self, LineError, Procedure};
use motcua_domain::units::{self, AdminUnit, UnitLevel, UnitMerge};

use crate::units::Organisation;
use crate::{ImportSummary, Result, Store, StoreError};

const CATALOG_GZ: &[u8] = include_bytes!("../../../data/catalog/procedures.jsonl.gz");

/// The first day of the two-level structure (NQ 202/2025/QH15).
pub fn reform_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default()
}

/// Text of a file that may be gzip-compressed (recognised by its magic bytes).
pub fn text_maybe_gzip(bytes: &[u8]) -> Result<String> {
    let mut text = String::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| StoreError::Invalid(format!("not a readable gzip text file: {e}")))?;
    } else {
        text =
            String::from_utf8(bytes.to_vec()).map_err(|_| StoreError::Invalid("the file is not UTF-8 text".into()))?;
    }
    Ok(text)
}

pub fn embedded_units() -> Result<Vec<AdminUnit>> {
    units::parse_units_csv(units::BUNDLED_UNITS_CSV).map_err(|e| StoreError::Corrupt(format!("embedded units: {e}")))
}

pub fn embedded_merges() -> Result<Vec<UnitMerge>> {
    units::parse_merges_csv(units::BUNDLED_MERGES_CSV).map_err(|e| StoreError::Corrupt(format!("embedded merges: {e}")))
}

/// The embedded catalogue, parsed; the embedded file is known to be clean.
pub fn embedded_catalog() -> Result<Vec<Procedure>> {
    let (procedures, errors): (Vec<Procedure>, Vec<LineError>) =
        catalog::parse_catalog_jsonl(&text_maybe_gzip(CATALOG_GZ)?);
    match errors.first() {
        Some(e) => Err(StoreError::Corrupt(format!("embedded catalogue: {e}"))),
        None => Ok(procedures),
    }
}

/// What [`load_reference_if_empty`] did.
#[derive(Debug, Default, serde::Serialize)]
pub struct ReferenceLoad {
    pub units: Option<ImportSummary>,
    pub merges: Option<ImportSummary>,
    pub procedures: Option<ImportSummary>,
    pub calendar_years: usize,
}

/// Loads the embedded units, merges, catalogue and seeded calendar tables into an empty store.
/// Parts that already hold data are left untouched (an admin may have edited them).
pub async fn load_reference_if_empty(store: &Store) -> Result<ReferenceLoad> {
    let mut load = ReferenceLoad::default();
    if store.count_units().await? == 0 {
        load.units = Some(store.import_units(&embedded_units()?).await?);
        load.merges = Some(store.import_unit_merges(&embedded_merges()?).await?);
    }
    if store.count_procedures().await? == 0 {
        load.procedures = Some(store.import_procedures(&embedded_catalog()?).await?);
    }
    if store.calendar_years().await?.is_empty() {
        let seeded = calendar::seeded_schedules();
        for schedule in &seeded {
            store.put_calendar_year(schedule, "seed").await?;
        }
        load.calendar_years = seeded.len();
    }
    Ok(load)
}

/// The organisations of a province deployment: the service centre and departments (with
/// electronic codes under `level1`, e.g. `H21`) and the people's committee of every commune.
pub fn province_organisations(all_units: &[AdminUnit], province_code: &str, level1: &str) -> Result<Vec<Organisation>> {
    let mut orgs: Vec<Organisation> = units::try_provincial_agencies(province_code, level1)
        .map_err(|e| StoreError::Invalid(format!("level-1 code {level1:?}: {e}")))?
        .iter()
        .map(|a| Organisation::from_agency(a, province_code))
        .collect();
    let mut communes: Vec<&AdminUnit> = all_units
        .iter()
        .filter(|u| {
            u.level == UnitLevel::Commune
                && u.parent_code.as_deref() == Some(province_code)
                && units::is_valid_on(u, reform_date())
        })
        .collect();
    if communes.is_empty() {
        return Err(StoreError::Invalid(format!(
            "province {province_code} has no communes in the 2025 structure"
        )));
    }
    communes.sort_by(|a, b| a.code.cmp(&b.code));
    for (index, c) in communes.iter().enumerate() {
        let electronic =
            units::commune_electronic_code(level1, index).map_err(|e| StoreError::Invalid(e.to_string()))?;
        orgs.push(Organisation {
            code: c.code.clone(),
            electronic_code: electronic.to_string(),
            name: format!("UBND {}", c.name),
            name_en: format!("People's Committee of {}", c.name),
            kind: "people_committee".into(),
            province_code: province_code.to_string(),
            admin_unit_code: Some(c.code.clone()),
        });
    }
    Ok(orgs)
}
