//! A small migrator: numbered SQL files per backend, embedded at compile time, applied in order,
//! each in its own transaction, recorded in `schema_migrations`.

use sqlx::Acquire;

use crate::{now_ms, Backend, Result, Store, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// Every migration, oldest first. Both backends must end with the same tables and columns
/// (checked by the conformance suite).
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "dossiers",
        sqlite: include_str!("../migrations/sqlite/0002_dossiers.sql"),
        postgres: include_str!("../migrations/postgres/0002_dossiers.sql"),
    },
    Migration {
        version: 3,
        name: "portal",
        sqlite: include_str!("../migrations/sqlite/0003_portal.sql"),
        postgres: include_str!("../migrations/postgres/0003_portal.sql"),
    },
    Migration {
        version: 4,
        name: "plans",
        sqlite: include_str!("../migrations/sqlite/0004_plans.sql"),
        postgres: include_str!("../migrations/postgres/0004_plans.sql"),
    },
    Migration {
        version: 5,
        name: "backoffice",
        sqlite: include_str!("../migrations/sqlite/0005_backoffice.sql"),
        postgres: include_str!("../migrations/postgres/0005_backoffice.sql"),
    },
    Migration {
        version: 6,
        name: "index",
        sqlite: include_str!("../migrations/sqlite/0006_index.sql"),
        postgres: include_str!("../migrations/postgres/0006_index.sql"),
    },
    Migration {
        version: 7,
        name: "payments_feedback",
        sqlite: include_str!("../migrations/sqlite/0007_payments_feedback.sql"),
        postgres: include_str!("../migrations/postgres/0007_payments_feedback.sql"),
    },
    Migration {
        version: 8,
        name: "admin",
        sqlite: include_str!("../migrations/sqlite/0008_admin.sql"),
        postgres: include_str!("../migrations/postgres/0008_admin.sql"),
    },
    Migration {
        version: 9,
        name: "feedback_handling",
        sqlite: include_str!("../migrations/sqlite/0009_feedback_handling.sql"),
        postgres: include_str!("../migrations/postgres/0009_feedback_handling.sql"),
    },
    Migration {
        version: 10,
        name: "inbox_name_search",
        sqlite: include_str!("../migrations/sqlite/0010_inbox_name_search.sql"),
        postgres: include_str!("../migrations/postgres/0010_inbox_name_search.sql"),
    },
    Migration {
        version: 11,
        name: "index_segments",
        sqlite: include_str!("../migrations/sqlite/0011_index_segments.sql"),
        postgres: include_str!("../migrations/postgres/0011_index_segments.sql"),
    },
    Migration {
        version: 12,
        name: "organisation_details",
        sqlite: include_str!("../migrations/sqlite/0012_organisation_details.sql"),
        postgres: include_str!("../migrations/postgres/0012_organisation_details.sql"),
    },
    Migration {
        version: 13,
        name: "inbox_tallies",
        sqlite: include_str!("../migrations/sqlite/0013_inbox_tallies.sql"),
        postgres: include_str!("../migrations/postgres/0013_inbox_tallies.sql"),
    },
];

/// An arbitrary constant that serialises concurrent migrators on PostgreSQL.
const PG_MIGRATION_LOCK: i64 = 0x6d6f_7463_7561;

impl Store {
    /// Applies every migration not yet recorded. Safe to call from several processes at once.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(PG_MIGRATION_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        let result = self.apply_pending(&mut conn).await;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(PG_MIGRATION_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        result
    }

    async fn apply_pending(&self, conn: &mut sqlx::AnyConnection) -> Result<Vec<i64>> {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (\
               version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .execute(&mut *conn)
        .await?;
        let applied: Vec<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations")
            .fetch_all(&mut *conn)
            .await?;
        let newest_known = MIGRATIONS.last().map_or(0, |m| m.version);
        if let Some(&(newer,)) = applied.iter().find(|(v,)| *v > newest_known) {
            return Err(StoreError::Invalid(format!(
                "the database has migration {newer}, newer than this program knows ({newest_known}); \
                 run a newer motcua"
            )));
        }
        let mut done = Vec::new();
        for m in MIGRATIONS {
            if applied.iter().any(|(v,)| *v == m.version) {
                continue;
            }
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            let mut tx = conn.begin().await?;
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, name = m.name, "migration applied");
            done.push(m.version);
        }
        Ok(done)
    }
}
