//! Administrative units (both eras), their merge mapping, and the organisations that handle dossiers.

use std::collections::HashMap;

use motcua_domain::units::{AdminUnit, Agency, UnitMerge};
use sqlx::Row;

use crate::{enum_from_str, enum_name, ImportSummary, Result, Store};

/// An organisation that receives or handles dossiers: the service centre, a department, a commune.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Organisation {
    /// `DonViXuLy`: a commune code (`23575`) or a department's electronic code.
    pub code: String,
    pub electronic_code: String,
    pub name: String,
    pub name_en: String,
    /// `service_centre`, `department` or `people_committee`.
    pub kind: String,
    pub province_code: String,
    /// The administrative unit a people's committee governs.
    pub admin_unit_code: Option<String>,
}

impl Organisation {
    pub fn from_agency(agency: &Agency, province_code: &str) -> Organisation {
        Organisation {
            code: agency.code.clone(),
            electronic_code: agency.electronic_code.to_string(),
            name: agency.name.clone(),
            name_en: agency.name_en.clone(),
            kind: enum_name(&agency.kind),
            province_code: province_code.to_string(),
            admin_unit_code: None,
        }
    }
}

/// (code, level, valid_from): codes were reused in 2025, so the code alone is not a key.
type UnitKey = (String, String, String);
/// (name, kind, parent_code, valid_to).
type UnitRow = (String, String, Option<String>, Option<String>);

fn date_text(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn parse_date_text(s: Option<String>) -> Result<Option<chrono::NaiveDate>> {
    match s.as_deref() {
        None | Some("") => Ok(None),
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|_| crate::StoreError::Corrupt(format!("bad date {t:?} in admin_units"))),
    }
}

impl Store {
    /// Inserts or updates units keyed by (code, level, valid_from); unchanged rows are left alone,
    /// so importing the same file twice changes nothing.
    pub async fn import_units(&self, units: &[AdminUnit]) -> Result<ImportSummary> {
        let existing: HashMap<UnitKey, UnitRow> =
            sqlx::query("SELECT code, level, valid_from, name, kind, parent_code, valid_to FROM admin_units")
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|r| ((r.get(0), r.get(1), r.get(2)), (r.get(3), r.get(4), r.get(5), r.get(6))))
                .collect();
        let mut summary = ImportSummary::default();
        let mut tx = self.pool.begin().await?;
        for u in units {
            let key = (u.code.clone(), enum_name(&u.level), date_text(u.valid_from));
            let valid_to = u.valid_to.map(|d| d.to_string());
            let row = (u.name.clone(), u.kind.clone(), u.parent_code.clone(), valid_to.clone());
            match existing.get(&key) {
                Some(old) if *old == row => {
                    summary.unchanged += 1;
                    continue;
                }
                Some(_) => summary.updated += 1,
                None => summary.inserted += 1,
            }
            sqlx::query(
                "INSERT INTO admin_units (code, level, valid_from, name, kind, parent_code, valid_to) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (code, level, valid_from) DO UPDATE SET name = excluded.name, \
                 kind = excluded.kind, parent_code = excluded.parent_code, valid_to = excluded.valid_to",
            )
            .bind(&key.0)
            .bind(&key.1)
            .bind(&key.2)
            .bind(&u.name)
            .bind(&u.kind)
            .bind(&u.parent_code)
            .bind(valid_to)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(summary)
    }

    pub async fn import_unit_merges(&self, merges: &[UnitMerge]) -> Result<ImportSummary> {
        let mut summary = ImportSummary::default();
        let mut tx = self.pool.begin().await?;
        for m in merges {
            let done = sqlx::query(
                "INSERT INTO unit_merges (new_code, new_level, old_code, old_level, coverage) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (new_code, new_level, old_code, old_level) DO NOTHING",
            )
            .bind(&m.new_code)
            .bind(enum_name(&m.new_level))
            .bind(&m.old_code)
            .bind(enum_name(&m.old_level))
            .bind(enum_name(&m.coverage))
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() > 0 {
                summary.inserted += 1;
            } else {
                summary.unchanged += 1;
            }
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Every stored unit, ordered by level and code.
    pub async fn units(&self) -> Result<Vec<AdminUnit>> {
        let rows = sqlx::query(
            "SELECT code, level, valid_from, name, kind, parent_code, valid_to FROM admin_units \
             ORDER BY level, code, valid_from",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(AdminUnit {
                    code: r.get(0),
                    level: enum_from_str(&r.get::<String, _>(1))?,
                    valid_from: parse_date_text(r.get(2))?,
                    name: r.get(3),
                    kind: r.get(4),
                    parent_code: r.get(5),
                    valid_to: parse_date_text(r.get(6))?,
                })
            })
            .collect()
    }

    pub async fn unit_merges(&self) -> Result<Vec<UnitMerge>> {
        let rows = sqlx::query(
            "SELECT new_code, new_level, old_code, old_level, coverage FROM unit_merges \
             ORDER BY new_level, new_code, old_code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(UnitMerge {
                    new_code: r.get(0),
                    new_level: enum_from_str(&r.get::<String, _>(1))?,
                    old_code: r.get(2),
                    old_level: enum_from_str(&r.get::<String, _>(3))?,
                    coverage: enum_from_str(&r.get::<String, _>(4))?,
                })
            })
            .collect()
    }

    pub async fn count_units(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM admin_units")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Inserts or replaces organisations by code.
    pub async fn upsert_organisations(&self, orgs: &[Organisation]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for o in orgs {
            sqlx::query(
                "INSERT INTO organisations (code, electronic_code, name, name_en, kind, province_code, admin_unit_code) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (code) DO UPDATE SET electronic_code = excluded.electronic_code, \
                 name = excluded.name, name_en = excluded.name_en, kind = excluded.kind, \
                 province_code = excluded.province_code, admin_unit_code = excluded.admin_unit_code",
            )
            .bind(&o.code)
            .bind(&o.electronic_code)
            .bind(&o.name)
            .bind(&o.name_en)
            .bind(&o.kind)
            .bind(&o.province_code)
            .bind(&o.admin_unit_code)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        let rows = sqlx::query(
            "SELECT code, electronic_code, name, name_en, kind, province_code, admin_unit_code \
             FROM organisations ORDER BY kind, code",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(organisation_from_row).collect())
    }

    pub async fn organisation(&self, code: &str) -> Result<Option<Organisation>> {
        let row = sqlx::query(
            "SELECT code, electronic_code, name, name_en, kind, province_code, admin_unit_code \
             FROM organisations WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(organisation_from_row))
    }
}

/// The display fields of an organisation that motcua owns (migration 0012), as a province
/// administrator edits them. Validated by the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OrganisationDetails {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub opening_hours: String,
    /// When and by whom the fields were last edited; none while they are as loaded.
    pub updated_at_ms: Option<i64>,
    pub updated_by: Option<String>,
}

impl Store {
    /// An organisation's display fields.
    pub async fn organisation_details(&self, code: &str) -> Result<Option<OrganisationDetails>> {
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<i64>,
            Option<String>,
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT code, name, name_en, address, phone, email, opening_hours, updated_at, updated_by \
             FROM organisations WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| OrganisationDetails {
            code: r.0,
            name: r.1,
            name_en: r.2,
            address: r.3,
            phone: r.4,
            email: r.5,
            opening_hours: r.6,
            updated_at_ms: r.7,
            updated_by: r.8,
        }))
    }

    /// Saves an organisation's display fields; false when there is no such organisation.
    pub async fn update_organisation_details(&self, d: &OrganisationDetails, by: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE organisations SET name = $2, name_en = $3, address = $4, phone = $5, email = $6, \
             opening_hours = $7, updated_at = $8, updated_by = $9 WHERE code = $1",
        )
        .bind(&d.code)
        .bind(&d.name)
        .bind(&d.name_en)
        .bind(&d.address)
        .bind(&d.phone)
        .bind(&d.email)
        .bind(&d.opening_hours)
        .bind(crate::now_ms())
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

fn organisation_from_row(r: &sqlx::any::AnyRow) -> Organisation {
    Organisation {
        code: r.get(0),
        electronic_code: r.get(1),
        name: r.get(2),
        name_en: r.get(3),
        kind: r.get(4),
        province_code: r.get(5),
        admin_unit_code: r.get(6),
    }
}
