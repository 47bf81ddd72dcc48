//! Introspection of the live schema, so a test can prove both backends have the same tables.

use std::collections::BTreeMap;

use crate::{Backend, Result, Store};

/// Table name → its column names, sorted.
pub type TableColumns = BTreeMap<String, Vec<String>>;

impl Store {
    /// The tables and columns of the database (internal tables of the engine excluded).
    pub async fn table_columns(&self) -> Result<TableColumns> {
        let rows: Vec<(String, String)> = match self.backend {
            Backend::Sqlite => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                )
                .fetch_all(&self.pool)
                .await?
            }
            Backend::Postgres => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema()",
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        let mut tables = TableColumns::new();
        for (table, column) in rows {
            tables.entry(table).or_default().push(column);
        }
        for columns in tables.values_mut() {
            columns.sort();
        }
        Ok(tables)
    }
}
