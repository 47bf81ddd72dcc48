//! The citizen portal's own rows: server-side sessions and online-submission drafts.
//!
//! A session row is keyed by the SHA-256 of the cookie's random id (a database leak yields no
//! usable cookie); drafts are one per account and procedure, with their uploaded files.

use sqlx::Row;

use crate::{enum_from_str, now_ms, Result, Store, StoreError, User};

const USER_COLUMNS_U: &str = "u.username, u.full_name, u.role, u.unit_code, u.eid_level, u.personal_id";

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

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

fn from_hex(text: &str) -> Result<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err(StoreError::Corrupt("draft file content has odd length".into()));
    }
    bytes
        .chunks(2)
        .map(|pair| match (digit(pair[0]), digit(pair[1])) {
            (Some(h), Some(l)) => Ok(h << 4 | l),
            _ => Err(StoreError::Corrupt("draft file content is not hex".into())),
        })
        .collect()
}

/// A live portal session and its account.
#[derive(Clone, Debug)]
pub struct PortalSession {
    pub user: User,
    pub csrf_token: String,
    /// e-ID assurance level of this sign-in (0 password, 1 or 2 through VNeID).
    pub eid_level: i64,
    pub last_seen_ms: i64,
}

/// One dossier in a citizen's "my dossiers" list.
#[derive(Clone, Debug)]
pub struct ApplicantDossier {
    pub code: String,
    pub procedure_code: String,
    pub status: i64,
    pub submitted_at_ms: i64,
    pub appointment_ms: Option<i64>,
}

/// A file uploaded into a draft, not yet attached to a dossier.
#[derive(Clone, Debug)]
pub struct DraftFile {
    pub component: String,
    pub file_name: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

impl Store {
    pub async fn create_portal_session(
        &self,
        id_hash: &str,
        username: &str,
        csrf_token: &str,
        eid_level: i64,
    ) -> Result<()> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO portal_sessions (id_hash, username, csrf_token, eid_level, created_at, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id_hash)
        .bind(username)
        .bind(csrf_token)
        .bind(eid_level)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session if seen after `idle_cutoff_ms` and its account is enabled.
    pub async fn portal_session(&self, id_hash: &str, idle_cutoff_ms: i64) -> Result<Option<PortalSession>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS_U}, s.csrf_token, s.eid_level, s.last_seen \
             FROM portal_sessions s JOIN users u ON u.username = s.username \
             WHERE s.id_hash = $1 AND s.last_seen > $2 AND u.disabled = 0"
        ))
        .bind(id_hash)
        .bind(idle_cutoff_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PortalSession {
                user: user_from_row(&r)?,
                csrf_token: r.get(6),
                eid_level: r.get(7),
                last_seen_ms: r.get(8),
            })
        })
        .transpose()
    }

    /// Marks the session as active now (sliding idle timeout).
    pub async fn touch_portal_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("UPDATE portal_sessions SET last_seen = $1 WHERE id_hash = $2")
            .bind(now_ms())
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_portal_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM portal_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes sessions idle since before the cutoff; returns how many.
    pub async fn purge_portal_sessions(&self, idle_cutoff_ms: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM portal_sessions WHERE last_seen <= $1")
            .bind(idle_cutoff_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// The dossiers an account submitted, newest first.
    pub async fn dossiers_of_applicant(&self, username: &str, limit: i64) -> Result<Vec<ApplicantDossier>> {
        let rows = sqlx::query(
            "SELECT code, procedure_code, status, submitted_at, appointment FROM dossiers \
             WHERE applicant_username = $1 ORDER BY submitted_at DESC, code DESC LIMIT $2",
        )
        .bind(username)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| ApplicantDossier {
                code: r.get(0),
                procedure_code: r.get(1),
                status: r.get(2),
                submitted_at_ms: r.get(3),
                appointment_ms: r.get(4),
            })
            .collect())
    }

    /// Creates or replaces the draft's form data (JSON text).
    pub async fn save_draft(&self, username: &str, procedure_code: &str, data: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO portal_drafts (username, procedure_code, data, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (username, procedure_code) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(username)
        .bind(procedure_code)
        .bind(data)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn draft(&self, username: &str, procedure_code: &str) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT data FROM portal_drafts WHERE username = $1 AND procedure_code = $2")
                .bind(username)
                .bind(procedure_code)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// Stores (or replaces) the file of one document component of a draft.
    pub async fn put_draft_file(&self, username: &str, procedure_code: &str, file: &DraftFile) -> Result<()> {
        sqlx::query(
            "INSERT INTO portal_draft_files \
             (username, procedure_code, component, file_name, media_type, content_hex, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (username, procedure_code, component) DO UPDATE SET file_name = excluded.file_name, \
             media_type = excluded.media_type, content_hex = excluded.content_hex, uploaded_at = excluded.uploaded_at",
        )
        .bind(username)
        .bind(procedure_code)
        .bind(&file.component)
        .bind(&file.file_name)
        .bind(&file.media_type)
        .bind(to_hex(&file.content))
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The files of a draft, in component order.
    pub async fn draft_files(&self, username: &str, procedure_code: &str) -> Result<Vec<DraftFile>> {
        let rows = sqlx::query(
            "SELECT component, file_name, media_type, content_hex FROM portal_draft_files \
             WHERE username = $1 AND procedure_code = $2 ORDER BY component",
        )
        .bind(username)
        .bind(procedure_code)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let content = from_hex(&r.get::<String, _>(3))?;
                Ok(DraftFile {
                    component: r.get(0),
                    file_name: r.get(1),
                    media_type: r.get(2),
                    content,
                })
            })
            .collect()
    }

    /// Removes a draft and its files (after submission, or when the citizen discards it).
    pub async fn delete_draft(&self, username: &str, procedure_code: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM portal_draft_files WHERE username = $1 AND procedure_code = $2")
            .bind(username)
            .bind(procedure_code)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM portal_drafts WHERE username = $1 AND procedure_code = $2")
            .bind(username)
            .bind(procedure_code)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Procedure codes by number of dossiers, most first.
    pub async fn most_used_procedures(&self, limit: i64) -> Result<Vec<String>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT procedure_code, COUNT(*) AS n FROM dossiers GROUP BY procedure_code \
             ORDER BY n DESC, procedure_code LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes = [0u8, 1, 0x7f, 0x80, 0xff];
        assert_eq!(to_hex(&bytes), "00017f80ff");
        assert_eq!(from_hex("00017f80ff").unwrap(), bytes);
        assert!(from_hex("0g").is_err());
        assert!(from_hex("abc").is_err());
    }
}
