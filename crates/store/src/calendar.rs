//! The per-year table of civil-service days off, swaps and make-up Saturdays, editable by admins.

use motcua_domain::calendar::YearSchedule;

use crate::{now_ms, Result, Store, StoreError};

impl Store {
    /// Every stored year table, oldest first.
    pub async fn calendar_years(&self) -> Result<Vec<YearSchedule>> {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT year, schedule FROM calendar_years ORDER BY year")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|(year, json)| {
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("calendar table {year}: {e}")))
            })
            .collect()
    }

    /// Stores (or replaces) one year's table; `by` names who changed it.
    pub async fn put_calendar_year(&self, schedule: &YearSchedule, by: &str) -> Result<()> {
        let json = serde_json::to_string(schedule).map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO calendar_years (year, schedule, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (year) DO UPDATE SET schedule = excluded.schedule, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(i64::from(schedule.year))
        .bind(json)
        .bind(now_ms())
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
