//! Accounts and API tokens. Passwords arrive already hashed (argon2, by the web layer); tokens are
//! stored only as their SHA-256 digest, so a database leak does not leak usable tokens.

use serde::Serialize;
use sqlx::Row;

use crate::{enum_from_str, now_ms, Result, Store};

pub use motcua_domain::roles::Role;

/// A stored account (the password hash is not part of it).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    /// The organisation an officer belongs to (`DonViXuLy` code), none for citizens.
    pub unit_code: Option<String>,
    /// e-ID assurance level (NĐ 69/2024): 0 none, 1 or 2.
    pub eid_level: i64,
    /// Personal identification number of a citizen account; never logged.
    #[serde(skip)]
    pub personal_id: Option<String>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("unit_code", &self.unit_code)
            .field("eid_level", &self.eid_level)
            .finish_non_exhaustive()
    }
}

/// A new account with its password already hashed.
pub struct NewUser {
    pub user: User,
    pub password_hash: String,
}

/// A stored token's owner and expiry.
#[derive(Clone, Debug)]
pub struct TokenGrant {
    pub user: User,
    pub expires_at_ms: i64,
}

const USER_COLUMNS: &str = "username, full_name, role, unit_code, eid_level, personal_id";

fn user_from_row(r: &sqlx::any::AnyRow) -> Result<User> {
    Ok(User {
        username: r.get(0),
        full_name: r.get(1),
        role: enum_from_str(&r.get::<String, _>(2))?,
        unit_code: r.get(3),
        eid_level: r.get(4),
        personal_id: r.get(5),
    })
}

impl Store {
    /// Creates the account or replaces its details and password.
    pub async fn upsert_user(&self, new: &NewUser) -> Result<()> {
        let u = &new.user;
        sqlx::query(
            "INSERT INTO users (username, full_name, role, unit_code, password_hash, eid_level, personal_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (username) DO UPDATE SET full_name = excluded.full_name, role = excluded.role, \
             unit_code = excluded.unit_code, password_hash = excluded.password_hash, \
             eid_level = excluded.eid_level, personal_id = excluded.personal_id",
        )
        .bind(&u.username)
        .bind(&u.full_name)
        .bind(u.role.as_str())
        .bind(&u.unit_code)
        .bind(&new.password_hash)
        .bind(u.eid_level)
        .bind(&u.personal_id)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The account and its password hash, for sign-in; disabled accounts are not returned.
    pub async fn user_credentials(&self, username: &str) -> Result<Option<(User, String)>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1 AND disabled = 0"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((user_from_row(&r)?, r.get(6)))).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY username"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn insert_token(&self, token_hash: &str, username: &str, expires_at_ms: i64) -> Result<()> {
        sqlx::query("INSERT INTO api_tokens (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(username)
            .bind(now_ms())
            .bind(expires_at_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The owner of an unexpired token of an enabled account.
    pub async fn token_owner(&self, token_hash: &str) -> Result<Option<TokenGrant>> {
        let row = sqlx::query(
            "SELECT u.username, u.full_name, u.role, u.unit_code, u.eid_level, u.personal_id, t.expires_at \
             FROM api_tokens t JOIN users u ON u.username = t.username \
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(TokenGrant {
                user: user_from_row(&r)?,
                expires_at_ms: r.get(6),
            })
        })
        .transpose()
    }

    /// Removes expired tokens; returns how many.
    pub async fn purge_expired_tokens(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1")
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// An account as the administration pages list it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub user: User,
    pub disabled: bool,
    pub created_at_ms: i64,
}

fn account_from_row(r: &sqlx::any::AnyRow) -> Result<Account> {
    Ok(Account {
        user: user_from_row(r)?,
        disabled: r.get::<i64, _>(6) != 0,
        created_at_ms: r.get(7),
    })
}

impl Store {
    /// Every account with its state, ordered by username (administration pages).
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, disabled, created_at FROM users ORDER BY username"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(account_from_row).collect()
    }

    pub async fn account(&self, username: &str) -> Result<Option<Account>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, disabled, created_at FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// Creates an account; false (and nothing written) when the username is taken.
    pub async fn create_user(&self, new: &NewUser) -> Result<bool> {
        let u = &new.user;
        let done = sqlx::query(
            "INSERT INTO users (username, full_name, role, unit_code, password_hash, eid_level, personal_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (username) DO NOTHING",
        )
        .bind(&u.username)
        .bind(&u.full_name)
        .bind(u.role.as_str())
        .bind(&u.unit_code)
        .bind(&new.password_hash)
        .bind(u.eid_level)
        .bind(&u.personal_id)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Changes an account's role and organisation; false when there is no such account.
    pub async fn set_user_role(&self, username: &str, role: Role, unit_code: Option<&str>) -> Result<bool> {
        let done = sqlx::query("UPDATE users SET role = $1, unit_code = $2 WHERE username = $3")
            .bind(role.as_str())
            .bind(unit_code)
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Disables (or re-enables) an account. A disabled account cannot sign in, and its sessions
    /// and tokens stop working at once (their queries require `disabled = 0`).
    pub async fn set_user_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
            .bind(i64::from(disabled))
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
