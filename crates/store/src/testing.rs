//! Test databases for this crate's and other crates' test suites (feature `testing`): a fresh
//! SQLite file per test, and a fresh PostgreSQL database per test when `MOTCUA_TEST_PG_URL` is set.

use crate::{replace_database, Store};

pub struct TestDb {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    pg_cleanup: Option<(String, String)>,
}

impl TestDb {
    /// A migrated store on a new SQLite file.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("test.sqlite").display());
        TestDb {
            store: Store::open(&url).await.expect("SQLite test database"),
            _dir: Some(dir),
            pg_cleanup: None,
        }
    }

    /// A migrated store on a new PostgreSQL database, or None when `MOTCUA_TEST_PG_URL` is unset.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var("MOTCUA_TEST_PG_URL") else {
            eprintln!("MOTCUA_TEST_PG_URL not set: PostgreSQL variant skipped");
            return None;
        };
        let name = format!("motcua_test_{}_{}", std::process::id(), unique_suffix());
        let admin = Store::connect(&admin_url)
            .await
            .expect("PostgreSQL at MOTCUA_TEST_PG_URL must answer");
        admin.create_database(&name).await.expect("CREATE DATABASE");
        admin.close().await;
        let url = replace_database(&admin_url, &name);
        Some(TestDb {
            store: Store::open(&url).await.expect("PostgreSQL test database"),
            _dir: None,
            pg_cleanup: Some((admin_url, name)),
        })
    }

    /// Closes the store and drops a PostgreSQL test database.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((admin_url, name)) = self.pg_cleanup {
            if let Ok(admin) = Store::connect(&admin_url).await {
                let _ = admin.drop_database(&name).await;
                admin.close().await;
            }
        }
    }
}

impl crate::Store {
    /// Runs a statement directly, bypassing the store's API (tests that tamper with the data).
    pub async fn execute_raw_for_tests(&self, sql: &str) -> crate::Result<u64> {
        Ok(sqlx::query(sql).execute(&self.pool).await?.rows_affected())
    }

    /// Rows of two text columns (tests that inspect what is stored).
    pub async fn query_pairs_for_tests(&self, sql: &str) -> crate::Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(sql).fetch_all(&self.pool).await?)
    }
}

fn unique_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()))
        .unwrap_or(0);
    nanos * 1000 + COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// Defines one `#[tokio::test]` per backend for each story `async fn(&Store)` of the calling
/// module: `sqlite::NAME` always, `postgres::NAME` when `MOTCUA_TEST_PG_URL` is set.
#[macro_export]
macro_rules! on_both_backends {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    let db = $crate::testing::TestDb::sqlite().await;
                    super::$story(&db.store).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $story() {
                    let Some(db) = $crate::testing::TestDb::postgres().await else { return };
                    super::$story(&db.store).await;
                    db.finish().await;
                }
            )*
        }
    };
}
