//! The embedded copy of population data (Đề án 06) and the log of look-ups.
//!
//! Citizens are keyed by the keyed hash of their personal identification number; the raw number
//! is not stored (a look-up already knows it), only its masked form for people reading the table.

use chrono::NaiveDate;
use motcua_domain::ids::{mask_personal_number, Sex};

use crate::keyed::pid_hash_with;
use crate::{enum_from_str, enum_name, now_ms, ImportSummary, Result, Store, StoreError};

/// A citizen as the population database describes them.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CitizenRecord {
    /// The 12-digit personal identification number.
    pub personal_id: String,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// Nơi thường trú.
    pub permanent_residence: String,
    /// Nơi ở hiện tại, when different.
    #[serde(default)]
    pub current_residence: Option<String>,
    /// Quê quán.
    #[serde(default)]
    pub place_of_origin: Option<String>,
    /// Dân tộc.
    #[serde(default)]
    pub ethnicity: Option<String>,
    /// Quốc tịch.
    pub nationality: String,
}

impl std::fmt::Debug for CitizenRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CitizenRecord")
            .field("personal_id", &mask_personal_number(&self.personal_id))
            .finish_non_exhaustive()
    }
}

/// One row of the look-up log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PopulationLookup {
    pub at_ms: i64,
    pub actor: String,
    pub unit: Option<String>,
    pub dossier: Option<String>,
    pub purpose: String,
    /// `embedded` or `http`.
    pub source: String,
    /// `found`, `not_found` or `error`.
    pub outcome: String,
    pub pid_masked: String,
    pub pid_hash: String,
}

type CitizenRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

impl Store {
    /// Inserts or updates citizens by number in one transaction; unchanged rows are left alone.
    pub async fn upsert_citizens(&self, citizens: &[CitizenRecord]) -> Result<ImportSummary> {
        let key = self.pid_key().await?;
        let mut summary = ImportSummary::default();
        let mut tx = self.pool.begin().await?;
        for c in citizens {
            let hash = pid_hash_with(&key, &c.personal_id);
            let existing: Option<CitizenRow> = sqlx::query_as(
                "SELECT full_name, birth_date, sex, permanent_residence, current_residence, place_of_origin, \
                 ethnicity, nationality FROM population_citizens WHERE pid_hash = $1",
            )
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?;
            let row: CitizenRow = (
                c.full_name.clone(),
                c.birth_date.to_string(),
                enum_name(&c.sex),
                c.permanent_residence.clone(),
                c.current_residence.clone(),
                c.place_of_origin.clone(),
                c.ethnicity.clone(),
                c.nationality.clone(),
            );
            match existing {
                Some(old) if old == row => {
                    summary.unchanged += 1;
                    continue;
                }
                Some(_) => summary.updated += 1,
                None => summary.inserted += 1,
            }
            sqlx::query(
                "INSERT INTO population_citizens (pid_hash, pid_masked, full_name, birth_date, sex, \
                 permanent_residence, current_residence, place_of_origin, ethnicity, nationality, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (pid_hash) DO UPDATE SET \
                 full_name = excluded.full_name, birth_date = excluded.birth_date, sex = excluded.sex, \
                 permanent_residence = excluded.permanent_residence, current_residence = excluded.current_residence, \
                 place_of_origin = excluded.place_of_origin, ethnicity = excluded.ethnicity, \
                 nationality = excluded.nationality, updated_at = excluded.updated_at",
            )
            .bind(&hash)
            .bind(mask_personal_number(&c.personal_id))
            .bind(row.0)
            .bind(row.1)
            .bind(row.2)
            .bind(row.3)
            .bind(row.4)
            .bind(row.5)
            .bind(row.6)
            .bind(row.7)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// The citizen with this number in the embedded registry.
    pub async fn citizen(&self, personal_id: &str) -> Result<Option<CitizenRecord>> {
        let hash = self.pid_hash(personal_id).await?;
        let row: Option<CitizenRow> = sqlx::query_as(
            "SELECT full_name, birth_date, sex, permanent_residence, current_residence, place_of_origin, \
             ethnicity, nationality FROM population_citizens WHERE pid_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(CitizenRecord {
                personal_id: personal_id.chars().filter(|c| !c.is_whitespace()).collect(),
                full_name: r.0,
                birth_date: r
                    .1
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("citizen birth date {:?}", r.1)))?,
                sex: enum_from_str(&r.2)?,
                permanent_residence: r.3,
                current_residence: r.4,
                place_of_origin: r.5,
                ethnicity: r.6,
                nationality: r.7,
            })
        })
        .transpose()
    }

    /// Number of citizens in the embedded registry.
    pub async fn citizen_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM population_citizens")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Records a look-up (the number only masked and hashed).
    pub async fn log_population_lookup(&self, entry: &PopulationLookup) -> Result<()> {
        sqlx::query(
            "INSERT INTO population_lookups (at, actor, unit, dossier, purpose, source, outcome, pid_masked, pid_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entry.at_ms)
        .bind(&entry.actor)
        .bind(&entry.unit)
        .bind(&entry.dossier)
        .bind(&entry.purpose)
        .bind(&entry.source)
        .bind(&entry.outcome)
        .bind(&entry.pid_masked)
        .bind(&entry.pid_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest look-ups, newest first.
    pub async fn population_lookups(&self, limit: i64) -> Result<Vec<PopulationLookup>> {
        type Row = (
            i64,
            String,
            Option<String>,
            Option<String>,
            String,
            String,
            String,
            String,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT at, actor, unit, dossier, purpose, source, outcome, pid_masked, pid_hash FROM population_lookups \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| PopulationLookup {
                at_ms: r.0,
                actor: r.1,
                unit: r.2,
                dossier: r.3,
                purpose: r.4,
                source: r.5,
                outcome: r.6,
                pid_masked: r.7,
                pid_hash: r.8,
            })
            .collect())
    }
}
