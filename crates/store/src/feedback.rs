//! Satisfaction ratings of finished dossiers (one per dossier) and feedback/complaints (PAKN)
//! with their handling deadline. The dossier's log holds what the exchange fields `DanhGia` and
//! `CoPAKN` say (the `rate` and `complain` events); `dossier_ratings` is the writer's projection
//! of the `rate` event, written in its transaction.
//!
//! A PAKN item belongs to the unit that must answer it (`unit`); it may be transferred to another
//! unit (with a reason, kept in `feedback_transfers`), answered (`open` → `answered`) and its
//! answer published (`published`). The public list reads [`PublishedFeedback`], which carries
//! nothing personal.

use sqlx::Row;

use crate::{Result, Store};

/// The states of a PAKN item, in order.
pub const FEEDBACK_OPEN: &str = "open";
pub const FEEDBACK_ANSWERED: &str = "answered";
pub const FEEDBACK_PUBLISHED: &str = "published";

/// A PAKN item with its handling.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedbackItem {
    /// Tracking code shown to the sender, e.g. `PAKN-260412-3F9A1C`.
    pub code: String,
    pub dossier_code: Option<String>,
    pub username: Option<String>,
    pub name: String,
    pub contact: String,
    pub subject: String,
    pub body: String,
    /// `open` until the back office answers, then `answered`, then `published`.
    pub status: String,
    pub created_at_ms: i64,
    pub due_at_ms: i64,
    /// The unit that must answer (none only for items filed before units were recorded).
    pub unit: Option<String>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at_ms: Option<i64>,
    /// The question as published (written by the unit without personal data).
    pub public_question: Option<String>,
    pub published_at_ms: Option<i64>,
}

/// A transfer of a PAKN item to another unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackTransfer {
    pub from_unit: Option<String>,
    pub to_unit: String,
    pub reason: String,
    pub actor: String,
    pub at_ms: i64,
}

/// A published answer: only what the public list shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedFeedback {
    pub code: String,
    pub unit: Option<String>,
    pub question: String,
    pub answer: String,
    pub created_at_ms: i64,
    pub answered_at_ms: i64,
    pub published_at_ms: i64,
}

const ITEM_COLUMNS: &str = "code, dossier_code, username, name, contact, subject, body, status, created_at, due_at, \
     unit, answer, answered_by, answered_at, public_question, published_at";

fn item_of(r: &sqlx::any::AnyRow) -> FeedbackItem {
    FeedbackItem {
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
        unit: r.get(10),
        answer: r.get(11),
        answered_by: r.get(12),
        answered_at_ms: r.get(13),
        public_question: r.get(14),
        published_at_ms: r.get(15),
    }
}

impl Store {
    /// The rating given to a dossier (`hai_long`, `binh_thuong`, `khong_hai_long`), if any, with
    /// the comment, as projected from its `rate` event.
    pub async fn dossier_rating(&self, code: &str) -> Result<Option<(String, String)>> {
        let row = sqlx::query("SELECT rating, comment FROM dossier_ratings WHERE dossier_code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    pub async fn insert_feedback(&self, f: &FeedbackItem) -> Result<()> {
        sqlx::query(
            "INSERT INTO feedback_items (code, dossier_code, username, name, contact, subject, body, status, \
             created_at, due_at, unit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
        .bind(&f.unit)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn feedback(&self, code: &str) -> Result<Option<FeedbackItem>> {
        let row = sqlx::query(&format!("SELECT {ITEM_COLUMNS} FROM feedback_items WHERE code = $1"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(item_of))
    }

    /// A page of a unit's items in one state, soonest due first, and how many there are.
    pub async fn unit_feedback(
        &self,
        unit: &str,
        status: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<FeedbackItem>, i64)> {
        let rows = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM feedback_items WHERE unit = $1 AND status = $2 \
             ORDER BY due_at, code LIMIT $3 OFFSET $4"
        ))
        .bind(unit)
        .bind(status)
        .bind(limit.clamp(1, 200))
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM feedback_items WHERE unit = $1 AND status = $2")
            .bind(unit)
            .bind(status)
            .fetch_one(&self.pool)
            .await?;
        Ok((rows.iter().map(item_of).collect(), total))
    }

    /// How many of a unit's items are open, open past `now_ms`, answered, published.
    pub async fn unit_feedback_counts(&self, unit: &str, now_ms: i64) -> Result<FeedbackCounts> {
        let (open, overdue, answered, published): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT \
               COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN status = 'open' AND due_at < $2 THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN status = 'answered' THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN status = 'published' THEN 1 ELSE 0 END), 0) \
             FROM feedback_items WHERE unit = $1",
        )
        .bind(unit)
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(FeedbackCounts {
            open,
            overdue,
            answered,
            published,
        })
    }

    /// Moves an open item of `from_unit` to `to_unit` and records why; false when the item is
    /// not open at `from_unit` (nothing is written then). The deadline is kept.
    pub async fn transfer_feedback(&self, code: &str, from_unit: &str, t: &FeedbackTransfer) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let moved =
            sqlx::query("UPDATE feedback_items SET unit = $1 WHERE code = $2 AND unit = $3 AND status = 'open'")
                .bind(&t.to_unit)
                .bind(code)
                .bind(from_unit)
                .execute(&mut *tx)
                .await?;
        if moved.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO feedback_transfers (code, from_unit, to_unit, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(code)
        .bind(from_unit)
        .bind(&t.to_unit)
        .bind(&t.reason)
        .bind(&t.actor)
        .bind(t.at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The item's transfers, oldest first.
    pub async fn feedback_transfers(&self, code: &str) -> Result<Vec<FeedbackTransfer>> {
        let rows: Vec<(Option<String>, String, String, String, i64)> = sqlx::query_as(
            "SELECT from_unit, to_unit, reason, actor, at FROM feedback_transfers WHERE code = $1 ORDER BY at, id",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(from_unit, to_unit, reason, actor, at_ms)| FeedbackTransfer {
                from_unit,
                to_unit,
                reason,
                actor,
                at_ms,
            })
            .collect())
    }

    /// Records (or, before publication, corrects) the unit's answer; false when the item is not
    /// the unit's or is already published.
    pub async fn answer_feedback(&self, code: &str, unit: &str, answer: &str, by: &str, at_ms: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE feedback_items SET status = 'answered', answer = $1, answered_by = $2, answered_at = $3 \
             WHERE code = $4 AND unit = $5 AND status IN ('open', 'answered')",
        )
        .bind(answer)
        .bind(by)
        .bind(at_ms)
        .bind(code)
        .bind(unit)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Publishes an answered item of the unit with the question as the unit wrote it for the
    /// public; false when it is not answered or not the unit's.
    pub async fn publish_feedback(&self, code: &str, unit: &str, public_question: &str, at_ms: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE feedback_items SET status = 'published', public_question = $1, published_at = $2 \
             WHERE code = $3 AND unit = $4 AND status = 'answered'",
        )
        .bind(public_question)
        .bind(at_ms)
        .bind(code)
        .bind(unit)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Published answers, newest first, and how many there are.
    pub async fn published_feedback(&self, limit: i64, offset: i64) -> Result<(Vec<PublishedFeedback>, i64)> {
        type Row = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            i64,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT code, unit, public_question, answer, created_at, answered_at, published_at FROM feedback_items \
             WHERE status = 'published' ORDER BY published_at DESC, code LIMIT $1 OFFSET $2",
        )
        .bind(limit.clamp(1, 200))
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM feedback_items WHERE status = 'published'")
            .fetch_one(&self.pool)
            .await?;
        let items = rows
            .into_iter()
            .map(|(code, unit, q, a, created, answered, published)| PublishedFeedback {
                code,
                unit,
                question: q.unwrap_or_default(),
                answer: a.unwrap_or_default(),
                created_at_ms: created,
                answered_at_ms: answered.unwrap_or(created),
                published_at_ms: published.unwrap_or(created),
            })
            .collect();
        Ok((items, total))
    }

    /// Ratings and complaints that the dossiers' logs do not record yet: rows written before
    /// the log held them, or a complaint whose event failed after its item was stored. Ratings
    /// as (dossier, username, rating, comment); complaints as (dossier, first item's code, its
    /// sender).
    pub async fn feedback_missing_from_logs(&self) -> Result<MissingFeedback> {
        let ratings: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT r.dossier_code, r.username, r.rating, r.comment FROM dossier_ratings r \
             WHERE NOT EXISTS (SELECT 1 FROM dossier_events e WHERE e.code = r.dossier_code AND e.action = 'rate') \
             ORDER BY r.dossier_code",
        )
        .fetch_all(&self.pool)
        .await?;
        let complaints: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT f.dossier_code, f.code, f.username FROM feedback_items f \
             WHERE f.dossier_code IS NOT NULL AND NOT EXISTS \
               (SELECT 1 FROM dossier_events e WHERE e.code = f.dossier_code AND e.action = 'complain') \
             ORDER BY f.dossier_code, f.created_at, f.code",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut seen = std::collections::BTreeSet::new();
        let complaints = complaints
            .into_iter()
            .filter(|(dossier, _, _)| seen.insert(dossier.clone()))
            .collect();
        Ok(MissingFeedback { ratings, complaints })
    }
}

/// What [`Store::feedback_missing_from_logs`] finds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MissingFeedback {
    pub ratings: Vec<(String, String, String, String)>,
    pub complaints: Vec<(String, String, Option<String>)>,
}

/// A unit's PAKN figures for the back office.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeedbackCounts {
    pub open: i64,
    /// Open past the deadline.
    pub overdue: i64,
    pub answered: i64,
    pub published: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn feedback_tracked(store: &Store) {
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
            unit: Some("23575".into()),
            ..FeedbackItem::default()
        };
        store.insert_feedback(&f).await.unwrap();
        // No `complain` event names D-1 yet: the engine is to record it.
        let missing = store.feedback_missing_from_logs().await.unwrap();
        assert_eq!(missing.complaints, [("D-1".to_string(), "PAKN-1".to_string(), None)]);
        assert!(missing.ratings.is_empty());
        // A rating row from before the log held ratings.
        sqlx::query(
            "INSERT INTO dossier_ratings (dossier_code, username, rating, comment, rated_at) \
             VALUES ('D-1', 'congdan1', 'khong_hai_long', 'Chậm', 1)",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        assert_eq!(
            store.dossier_rating("D-1").await.unwrap(),
            Some(("khong_hai_long".into(), "Chậm".into()))
        );
        let missing = store.feedback_missing_from_logs().await.unwrap();
        assert_eq!(
            missing.ratings,
            [("D-1".into(), "congdan1".into(), "khong_hai_long".into(), "Chậm".into())]
        );
        assert_eq!(store.feedback("PAKN-1").await.unwrap(), Some(f));
    }

    fn item(code: &str, unit: &str, due: i64) -> FeedbackItem {
        FeedbackItem {
            code: code.into(),
            name: "Trần Thị Bình".into(),
            contact: "0987654321".into(),
            subject: format!("Phản ánh {code}"),
            body: "Nội dung có số điện thoại 0987654321".into(),
            status: FEEDBACK_OPEN.into(),
            created_at_ms: 10,
            due_at_ms: due,
            unit: Some(unit.into()),
            ..FeedbackItem::default()
        }
    }

    async fn handled_transferred_answered_published(store: &Store) {
        store.insert_feedback(&item("P-1", "23575", 100)).await.unwrap();
        store.insert_feedback(&item("P-2", "23575", 50)).await.unwrap();
        store.insert_feedback(&item("P-3", "21583", 70)).await.unwrap();
        let (page, total) = store.unit_feedback("23575", FEEDBACK_OPEN, 10, 0).await.unwrap();
        assert_eq!(total, 2);
        assert_eq!(page.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(), ["P-2", "P-1"]);
        let counts = store.unit_feedback_counts("23575", 60).await.unwrap();
        assert_eq!((counts.open, counts.overdue, counts.answered), (2, 1, 0));

        // A transfer from the wrong unit writes nothing; from the right one it moves the item
        // and keeps the deadline.
        let t = FeedbackTransfer {
            from_unit: Some("23575".into()),
            to_unit: "21583".into(),
            reason: "Thuộc thẩm quyền xã khác".into(),
            actor: "chuyenvien1".into(),
            at_ms: 20,
        };
        assert!(!store.transfer_feedback("P-1", "21583", &t).await.unwrap());
        assert!(store.feedback_transfers("P-1").await.unwrap().is_empty());
        assert!(store.transfer_feedback("P-1", "23575", &t).await.unwrap());
        let moved = store.feedback("P-1").await.unwrap().unwrap();
        assert_eq!((moved.unit.as_deref(), moved.due_at_ms), (Some("21583"), 100));
        assert_eq!(store.feedback_transfers("P-1").await.unwrap(), vec![t]);
        assert_eq!(store.unit_feedback_counts("21583", 60).await.unwrap().open, 2);

        // Publication needs an answer; the unit answers only its own items.
        assert!(!store.publish_feedback("P-2", "23575", "Câu hỏi", 30).await.unwrap());
        assert!(!store.answer_feedback("P-2", "21583", "Trả lời", "x", 30).await.unwrap());
        assert!(store
            .answer_feedback("P-2", "23575", "Trả lời", "chuyenvien1", 30)
            .await
            .unwrap());
        assert!(store
            .answer_feedback("P-2", "23575", "Trả lời đã sửa", "lanhdao1", 31)
            .await
            .unwrap());
        assert!(store
            .publish_feedback("P-2", "23575", "Câu hỏi công khai", 40)
            .await
            .unwrap());
        assert!(!store
            .answer_feedback("P-2", "23575", "Sau khi công khai", "x", 41)
            .await
            .unwrap());
        let done = store.feedback("P-2").await.unwrap().unwrap();
        assert_eq!(done.status, FEEDBACK_PUBLISHED);
        assert_eq!(done.answer.as_deref(), Some("Trả lời đã sửa"));
        assert_eq!(done.answered_by.as_deref(), Some("lanhdao1"));
        let (public, total) = store.published_feedback(10, 0).await.unwrap();
        assert_eq!(total, 1);
        assert_eq!(
            public,
            vec![PublishedFeedback {
                code: "P-2".into(),
                unit: Some("23575".into()),
                question: "Câu hỏi công khai".into(),
                answer: "Trả lời đã sửa".into(),
                created_at_ms: 10,
                answered_at_ms: 31,
                published_at_ms: 40,
            }]
        );
        let counts = store.unit_feedback_counts("23575", 60).await.unwrap();
        assert_eq!((counts.open, counts.answered, counts.published), (0, 0, 1));
    }

    crate::on_both_backends!(feedback_tracked, handled_transferred_answered_published);
}
