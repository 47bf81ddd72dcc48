//! Satisfaction ratings of finished dossiers (one per dossier) and feedback/complaints (PAKN)
//! with their handling deadline. Both feed the exchange fields `DanhGia` and `CoPAKN`.

use sqlx::Row;

use crate::{now_ms, Result, Store};

/// A PAKN item as filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackItem {
    /// Tracking code shown to the sender, e.g. `PAKN-260412-3F9A1C`.
    pub code: String,
    pub dossier_code: Option<String>,
    pub username: Option<String>,
    pub name: String,
    pub contact: String,
    pub subject: String,
    pub body: String,
    /// `open` until the back office answers.
    pub status: String,
    pub created_at_ms: i64,
    pub due_at_ms: i64,
}

impl Store {
    /// Records the rating of a dossier; false when it was already rated (the first one stays).
    pub async fn rate_dossier(&self, code: &str, username: &str, rating: &str, comment: &str) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO dossier_ratings (dossier_code, username, rating, comment, rated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dossier_code) DO NOTHING",
        )
        .bind(code)
        .bind(username)
        .bind(rating)
        .bind(comment)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The rating given to a dossier (`hai_long`, `binh_thuong`, `khong_hai_long`), if any.
    pub async fn dossier_rating(&self, code: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT rating FROM dossier_ratings WHERE dossier_code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    pub async fn insert_feedback(&self, f: &FeedbackItem) -> Result<()> {
        sqlx::query(
            "INSERT INTO feedback_items (code, dossier_code, username, name, contact, subject, body, status, \
             created_at, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&f.code)
        .bind(&f.dossier_code)
        .bind(&f.username)
        .bind(&f.name)
        .bind(&f.contact)
        .bind(&f.subject)
        .bind(&f.body)
        .bind(&f.status)
        .bind(f.created_at_ms)
        .bind(f.due_at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn feedback(&self, code: &str) -> Result<Option<FeedbackItem>> {
        let row = sqlx::query(
            "SELECT code, dossier_code, username, name, contact, subject, body, status, created_at, due_at \
             FROM feedback_items WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| FeedbackItem {
            code: r.get(0),
            dossier_code: r.get(1),
            username: r.get(2),
            name: r.get(3),
            contact: r.get(4),
            subject: r.get(5),
            body: r.get(6),
            status: r.get(7),
            created_at_ms: r.get(8),
            due_at_ms: r.get(9),
        }))
    }

    /// True when some feedback/complaint names the dossier (`CoPAKN`).
    pub async fn dossier_has_feedback(&self, code: &str) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) FROM feedback_items WHERE dossier_code = $1")
            .bind(code)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.get::<i64, _>(0) > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn rated_once_and_feedback_tracked(store: &Store) {
        assert!(store.rate_dossier("D-1", "congdan1", "hai_long", "").await.unwrap());
        assert!(!store
            .rate_dossier("D-1", "congdan1", "khong_hai_long", "")
            .await
            .unwrap());
        assert_eq!(store.dossier_rating("D-1").await.unwrap().as_deref(), Some("hai_long"));
        assert_eq!(store.dossier_rating("D-2").await.unwrap(), None);
        let f = FeedbackItem {
            code: "PAKN-1".into(),
            dossier_code: Some("D-1".into()),
            username: None,
            name: "Nguyễn Văn A".into(),
            contact: "0912345678".into(),
            subject: "Chậm trả kết quả".into(),
            body: "Nội dung".into(),
            status: "open".into(),
            created_at_ms: 1,
            due_at_ms: 2,
        };
        assert!(!store.dossier_has_feedback("D-1").await.unwrap());
        store.insert_feedback(&f).await.unwrap();
        assert!(store.dossier_has_feedback("D-1").await.unwrap());
        assert_eq!(store.feedback("PAKN-1").await.unwrap(), Some(f));
    }

    crate::on_both_backends!(rated_once_and_feedback_tracked);
}
