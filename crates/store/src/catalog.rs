//! The procedure catalogue: each procedure is kept as its parsed JSON (raw source texts included)
//! with a few columns for filtering.

use std::collections::HashMap;

use motcua_domain::catalog::{Fee, FeeKind, Procedure};

use crate::{now_ms, ImportSummary, Result, Store, StoreError};

/// The largest local fee accepted (a sanity bound: one billion đồng).
pub const MAX_LOCAL_FEE_DONG: i64 = 1_000_000_000;

/// How the province offers one catalogue procedure (issue #6 item 7). A procedure without a
/// setting is offered with the catalogue's fees.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LocalSetting {
    pub code: String,
    /// Offered in the province: a withdrawn procedure takes no new dossiers and leaves the portal
    /// and the API's catalogue, while dossiers already received are processed to the end.
    pub enabled: bool,
    /// The fee fixed by the provincial People's Council, whole đồng; it replaces the catalogue's
    /// fees on every channel.
    pub local_fee_dong: Option<i64>,
    /// Shown with the fee (e.g. the council resolution).
    pub note: String,
    pub updated_at_ms: i64,
    pub updated_by: String,
}

/// A stored procedure with the province's local fee, if any, in place of the catalogue's fees.
fn parse_with_local(code: &str, data: &str, fee: Option<i64>, note: Option<&str>) -> Result<Procedure> {
    let mut p: Procedure =
        serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("procedure {code}: {e}")))?;
    if let Some(amount) = fee {
        let local = Fee {
            kind: if amount == 0 { FeeKind::Free } else { FeeKind::Amount },
            amount_dong: Some(amount),
            description: note.unwrap_or("").trim().to_string(),
        };
        for c in &mut p.channels {
            c.fees = vec![local.clone()];
        }
    }
    Ok(p)
}

struct Columns {
    code: String,
    name: String,
    field: String,
    levels: String,
    online: String,
    data: String,
}

fn columns(p: &Procedure) -> Result<Columns> {
    let value = serde_json::to_value(p).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let levels = value
        .get("level")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|l| l.as_str()).collect::<Vec<_>>().join(","))
        .unwrap_or_default();
    Ok(Columns {
        code: text("code"),
        name: text("name"),
        field: text("field"),
        levels,
        online: text("online"),
        data: value.to_string(),
    })
}

impl Store {
    /// Inserts new procedures and updates changed ones, in one transaction; an unchanged
    /// procedure is not touched, so re-importing the same catalogue changes nothing.
    pub async fn import_procedures(&self, procedures: &[Procedure]) -> Result<ImportSummary> {
        let existing: HashMap<String, String> = sqlx::query_as("SELECT code, data FROM procedures")
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .collect();
        let mut summary = ImportSummary::default();
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        for p in procedures {
            let c = columns(p)?;
            if c.code.is_empty() {
                return Err(StoreError::Invalid(format!("procedure without a code: {:?}", c.name)));
            }
            match existing.get(&c.code) {
                Some(old) if *old == c.data => {
                    summary.unchanged += 1;
                    continue;
                }
                Some(_) => summary.updated += 1,
                None => summary.inserted += 1,
            }
            sqlx::query(
                "INSERT INTO procedures (code, name, field, levels, online, data, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, field = excluded.field, \
                 levels = excluded.levels, online = excluded.online, data = excluded.data, \
                 imported_at = excluded.imported_at",
            )
            .bind(c.code)
            .bind(c.name)
            .bind(c.field)
            .bind(c.levels)
            .bind(c.online)
            .bind(c.data)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// The whole catalogue, ordered by code (2,642 procedures load in well under a second), with
    /// the province's local fees in place of the catalogue's (see [`LocalSetting`]).
    pub async fn procedures(&self) -> Result<Vec<Procedure>> {
        type Row = (String, String, Option<i64>, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT p.code, p.data, l.local_fee_dong, l.note FROM procedures p \
             LEFT JOIN procedure_local l ON l.code = p.code ORDER BY p.code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(code, data, fee, note)| parse_with_local(&code, &data, fee, note.as_deref()))
            .collect()
    }

    pub async fn procedure(&self, code: &str) -> Result<Option<Procedure>> {
        type Row = (String, Option<i64>, Option<String>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT p.data, l.local_fee_dong, l.note FROM procedures p \
             LEFT JOIN procedure_local l ON l.code = p.code WHERE p.code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(data, fee, note)| parse_with_local(code, &data, fee, note.as_deref()))
            .transpose()
    }

    /// The province's settings of the procedures that have any, ordered by code.
    pub async fn procedure_settings(&self) -> Result<Vec<LocalSetting>> {
        type Row = (String, i64, Option<i64>, String, i64, String);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT code, enabled, local_fee_dong, note, updated_at, updated_by FROM procedure_local ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(code, enabled, local_fee_dong, note, updated_at_ms, updated_by)| LocalSetting {
                    code,
                    enabled: enabled != 0,
                    local_fee_dong,
                    note,
                    updated_at_ms,
                    updated_by,
                },
            )
            .collect())
    }

    /// Stores the province's setting of one catalogue procedure (`updated_*` are set here).
    pub async fn put_procedure_setting(&self, setting: &LocalSetting, by: &str) -> Result<()> {
        if matches!(setting.local_fee_dong, Some(f) if !(0..=MAX_LOCAL_FEE_DONG).contains(&f)) {
            return Err(StoreError::Invalid(format!(
                "a local fee is 0–{MAX_LOCAL_FEE_DONG} đồng"
            )));
        }
        let known: Option<(String,)> = sqlx::query_as("SELECT code FROM procedures WHERE code = $1")
            .bind(&setting.code)
            .fetch_optional(&self.pool)
            .await?;
        if known.is_none() {
            return Err(StoreError::Invalid(format!("no procedure {:?}", setting.code)));
        }
        sqlx::query(
            "INSERT INTO procedure_local (code, enabled, local_fee_dong, note, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET enabled = excluded.enabled, \
             local_fee_dong = excluded.local_fee_dong, note = excluded.note, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(&setting.code)
        .bind(i64::from(setting.enabled))
        .bind(setting.local_fee_dong)
        .bind(&setting.note)
        .bind(now_ms())
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn count_procedures(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM procedures")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}
