//! Persistence behind one facade, [`Store`], over SQLite (embedded default, WAL) and PostgreSQL.
//!
//! Queries are plain runtime SQL through sqlx's `Any` driver, so the build needs no database. Each
//! backend has its own migrations (`migrations/sqlite`, `migrations/postgres`); SQL that differs
//! between the two is chosen through [`Backend`]. Placeholders are written `$1, $2, …` in order,
//! which both backends accept.

mod accounts;
pub mod audit;
mod calendar;
pub mod catalog;
pub mod dossiers;
mod eid_accounts;
pub mod feedback;
pub mod inbox;
pub mod index;
pub mod keyed;
mod migrate;
pub mod payments;
pub mod plans;
pub mod population;
pub mod portal;
pub mod reference;
mod schema;
#[cfg(feature = "testing")]
pub mod testing;
mod units;

pub use units::{Organisation, OrganisationDetails};

pub use accounts::{Account, NewUser, Role, TokenGrant, User};
pub use catalog::LocalSetting;
pub use schema::TableColumns;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

/// Which database a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors of the persistence layer. Messages never carry personal data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (expected sqlite://… or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How many rows an import touched.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// The store: a connection pool and the backend it belongs to.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The key of personal-id hashes, loaded on first use ([`Store::pid_key`]).
    pid_key: std::sync::Arc<std::sync::OnceLock<[u8; 32]>>,
}

impl Store {
    /// Connects to `url` (`sqlite://path` — created if missing — or `postgres://…`) and applies
    /// pending migrations.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating (for `motcua migrate` and tests of the migrator itself).
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact_url(url)));
        };
        let pool = match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') {
                    url.to_string()
                } else {
                    format!("{url}?mode=rwc")
                };
                let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    // WAL lets readers run beside the writer; synchronous=FULL makes a committed
                    // transaction survive power loss, which the lifecycle engine promises.
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?
            }
        };
        Ok(Store {
            pool,
            backend,
            pid_key: Default::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Answers when the database answers a trivial query (`/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections to be returned (graceful shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A setting of the deployment (e.g. `province_code`), if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.0))
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Copies a SQLite database to `dest` as a consistent snapshot while the server runs.
    pub async fn backup_to(&self, dest: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Invalid(
                "backup is built in for SQLite only; back up PostgreSQL with pg_dump".into(),
            ));
        }
        if dest.exists() {
            return Err(StoreError::Invalid(format!(
                "{} exists already; choose a new file",
                dest.display()
            )));
        }
        let path = dest
            .to_str()
            .ok_or_else(|| StoreError::Invalid("backup path is not valid UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    /// Refreshes the planner's statistics (and, on PostgreSQL, the visibility map that lets
    /// counts and pages be read from indexes alone) after a bulk change such as an import;
    /// autovacuum does the same on its own schedule.
    pub async fn refresh_statistics(&self) -> Result<()> {
        let sql = match self.backend {
            Backend::Sqlite => "ANALYZE",
            Backend::Postgres => {
                "VACUUM (ANALYZE) dossiers, dossier_events, inbox_tallies, dossier_assignments, index_facts"
            }
        };
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }
}

impl Store {
    /// Creates a PostgreSQL database (for test suites and benchmarks that need a fresh one).
    pub async fn create_database(&self, name: &str) -> Result<()> {
        self.admin_database_statement("CREATE DATABASE", name).await
    }

    /// Drops a PostgreSQL database, disconnecting its sessions.
    pub async fn drop_database(&self, name: &str) -> Result<()> {
        self.admin_database_statement("DROP DATABASE IF EXISTS", name).await
    }

    async fn admin_database_statement(&self, statement: &str, name: &str) -> Result<()> {
        if self.backend != Backend::Postgres {
            return Err(StoreError::Invalid("databases are created on PostgreSQL only".into()));
        }
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(StoreError::Invalid(format!("invalid database name {name:?}")));
        }
        let force = if statement.starts_with("DROP") {
            " WITH (FORCE)"
        } else {
            ""
        };
        sqlx::raw_sql(&format!("{statement} {name}{force}"))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// The URL with its database name replaced (`postgres://h/test` → `postgres://h/NAME`).
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    match base[scheme_end..].find('/') {
        Some(slash) => format!("{}/{name}{query}", &base[..scheme_end + slash]),
        None => format!("{base}/{name}{query}"),
    }
}

/// Current time as milliseconds since the epoch, the representation of instants in the database.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A URL with its password removed, safe to print.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// The serde name of a unit-like enum (`UnitLevel::Province` → `"province"`).
pub fn enum_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// The inverse of [`enum_name`], for values read back from the database.
pub(crate) fn enum_from_str<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|e| StoreError::Corrupt(format!("unexpected value {s:?}: {e}")))
}
