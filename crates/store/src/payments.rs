//! Online payments of a dossier's fees, and the sandbox gateway's own ledger.
//!
//! A payment row is created `pending` when the payer is sent to the gateway and settles once:
//! [`Store::settle_payment`] moves it out of `pending` in one conditional update, so a callback
//! that arrives twice (or races with reconciliation) settles it exactly once.

use sqlx::Row;

use crate::{now_ms, Result, Store};

pub const PENDING: &str = "pending";
pub const PAID: &str = "paid";
pub const FAILED: &str = "failed";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub id: String,
    pub dossier_code: String,
    pub username: String,
    pub amount_dong: i64,
    /// `pending`, `paid` or `failed`.
    pub status: String,
    pub gateway: String,
    pub gateway_ref: Option<String>,
    pub created_at_ms: i64,
    pub settled_at_ms: Option<i64>,
}

const COLUMNS: &str = "id, dossier_code, username, amount_dong, status, gateway, gateway_ref, created_at, settled_at";

fn from_row(r: &sqlx::any::AnyRow) -> Payment {
    Payment {
        id: r.get(0),
        dossier_code: r.get(1),
        username: r.get(2),
        amount_dong: r.get(3),
        status: r.get(4),
        gateway: r.get(5),
        gateway_ref: r.get(6),
        created_at_ms: r.get(7),
        settled_at_ms: r.get(8),
    }
}

/// A transaction as the sandbox gateway records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxTxn {
    pub gateway_ref: String,
    pub merchant_ref: String,
    pub amount_dong: i64,
    pub description: String,
    /// Where the payer's browser goes back to.
    pub return_url: String,
    /// Where the gateway posts the signed result (server to server).
    pub callback_url: String,
    /// `pending`, `paid` or `failed`.
    pub status: String,
    pub created_at_ms: i64,
}

impl Store {
    pub async fn insert_payment(&self, p: &Payment) -> Result<()> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO payments (id, dossier_code, username, amount_dong, status, gateway, gateway_ref, \
             created_at, updated_at, settled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)",
        )
        .bind(&p.id)
        .bind(&p.dossier_code)
        .bind(&p.username)
        .bind(p.amount_dong)
        .bind(&p.status)
        .bind(&p.gateway)
        .bind(&p.gateway_ref)
        .bind(p.created_at_ms)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_payment_gateway_ref(&self, id: &str, gateway_ref: &str) -> Result<()> {
        sqlx::query("UPDATE payments SET gateway_ref = $1, updated_at = $2 WHERE id = $3")
            .bind(gateway_ref)
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn payment(&self, id: &str) -> Result<Option<Payment>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM payments WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// A dossier's payments, newest first.
    pub async fn payments_of_dossier(&self, code: &str) -> Result<Vec<Payment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM payments WHERE dossier_code = $1 ORDER BY created_at DESC, id"
        ))
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// Pending payments created before `before_ms`, oldest first (for reconciliation).
    pub async fn pending_payments(&self, before_ms: i64, limit: i64) -> Result<Vec<Payment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM payments WHERE status = $1 AND created_at < $2 ORDER BY created_at LIMIT $3"
        ))
        .bind(PENDING)
        .bind(before_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// Moves a pending payment to `status`; true when this call did it (false: already settled).
    pub async fn settle_payment(&self, id: &str, status: &str) -> Result<bool> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE payments SET status = $1, updated_at = $2, settled_at = $3 WHERE id = $4 AND status = $5",
        )
        .bind(status)
        .bind(now)
        .bind(now)
        .bind(id)
        .bind(PENDING)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts a settled payment back to pending (the dossier could not advance: retried later).
    pub async fn reopen_payment(&self, id: &str) -> Result<()> {
        sqlx::query("UPDATE payments SET status = $1, updated_at = $2, settled_at = NULL WHERE id = $3")
            .bind(PENDING)
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn insert_sandbox_txn(&self, t: &SandboxTxn) -> Result<()> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sandbox_gateway_txns (gateway_ref, merchant_ref, amount_dong, description, return_url, \
             callback_url, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&t.gateway_ref)
        .bind(&t.merchant_ref)
        .bind(t.amount_dong)
        .bind(&t.description)
        .bind(&t.return_url)
        .bind(&t.callback_url)
        .bind(&t.status)
        .bind(t.created_at_ms)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn sandbox_txn(&self, gateway_ref: &str) -> Result<Option<SandboxTxn>> {
        let row = sqlx::query(
            "SELECT gateway_ref, merchant_ref, amount_dong, description, return_url, callback_url, status, \
             created_at FROM sandbox_gateway_txns WHERE gateway_ref = $1",
        )
        .bind(gateway_ref)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| SandboxTxn {
            gateway_ref: r.get(0),
            merchant_ref: r.get(1),
            amount_dong: r.get(2),
            description: r.get(3),
            return_url: r.get(4),
            callback_url: r.get(5),
            status: r.get(6),
            created_at_ms: r.get(7),
        }))
    }

    /// Records the payer's decision on a pending sandbox transaction; false if already decided.
    pub async fn decide_sandbox_txn(&self, gateway_ref: &str, status: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sandbox_gateway_txns SET status = $1, updated_at = $2 WHERE gateway_ref = $3 AND status = $4",
        )
        .bind(status)
        .bind(now_ms())
        .bind(gateway_ref)
        .bind(PENDING)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn settles_once(store: &Store) {
        let p = Payment {
            id: "p1".into(),
            dossier_code: "D-1".into(),
            username: "congdan1".into(),
            amount_dong: 50_000,
            status: PENDING.into(),
            gateway: "sandbox".into(),
            gateway_ref: None,
            created_at_ms: 1,
            settled_at_ms: None,
        };
        store.insert_payment(&p).await.unwrap();
        store.set_payment_gateway_ref("p1", "G1").await.unwrap();
        assert_eq!(store.pending_payments(2, 10).await.unwrap().len(), 1);
        assert_eq!(store.pending_payments(1, 10).await.unwrap().len(), 0);
        assert!(store.settle_payment("p1", PAID).await.unwrap());
        assert!(!store.settle_payment("p1", PAID).await.unwrap());
        let got = store.payment("p1").await.unwrap().unwrap();
        assert_eq!((got.status.as_str(), got.gateway_ref.as_deref()), (PAID, Some("G1")));
        assert!(got.settled_at_ms.is_some());
        assert_eq!(store.payments_of_dossier("D-1").await.unwrap().len(), 1);
        let t = SandboxTxn {
            gateway_ref: "G1".into(),
            merchant_ref: "p1".into(),
            amount_dong: 50_000,
            description: "Lệ phí".into(),
            return_url: "/r".into(),
            callback_url: "http://127.0.0.1:1/cb".into(),
            status: PENDING.into(),
            created_at_ms: 5,
        };
        store.insert_sandbox_txn(&t).await.unwrap();
        assert!(store.decide_sandbox_txn("G1", FAILED).await.unwrap());
        assert!(!store.decide_sandbox_txn("G1", PAID).await.unwrap());
        assert_eq!(store.sandbox_txn("G1").await.unwrap().unwrap().status, FAILED);
    }

    crate::on_both_backends!(settles_once);
}
