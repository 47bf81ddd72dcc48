//! The audit log: an append-only, tamper-evident record of every read of personal data and every
//! action (issue #6 item 8).
//!
//! Entries form a hash chain: entry `n` stores `hash = SHA-256(prev_hash ‖ canonical content)`
//! where `prev_hash` is entry `n − 1`'s hash, and sequence numbers run 1, 2, 3… without gaps.
//! Changing, deleting or reordering a row breaks the chain at that row, which
//! [`Store::verify_audit`] names. The last sequence number and hash are also kept in `settings`
//! (updated in the same transaction), so cutting entries off the end is caught too.
//!
//! A verified **checkpoint** (sequence number and hash of the last entry a walk found intact, in
//! `settings`) lets the audit viewer check only the entries written since
//! ([`Store::verify_audit_since_checkpoint`]): the walk starts from the checkpoint's hash, so
//! every later entry must still link to it, and the checkpoint entry itself must still carry that
//! hash. Only the full walk ([`Store::verify_audit`], `motcua audit verify`) can vouch for the
//! entries before the checkpoint; it also moves the checkpoint back to the last intact entry
//! when it finds a break, so the viewer reports the break as well.
//!
//! Entries are written by the dossier writer task in the transactions it commits anyway (group
//! commit): recording costs the caller a channel send, not a database round trip or an fsync.

use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

use crate::dossiers::Job;
use crate::{now_ms, Backend, Result, Store, StoreError};

/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The settings key holding `"<seq>:<hash>"` of the newest entry.
const HEAD_SETTING: &str = "audit_head";

/// The settings key holding `"<seq>:<hash>:<mac>"` of the last entry a verification found
/// intact; the MAC (under the deployment's key) makes a checkpoint written by hand worthless.
const CHECKPOINT_SETTING: &str = "audit_checkpoint";

/// The settings key holding the time (ms) and result of the last full verification.
const FULL_CHECK_SETTING: &str = "audit_full_check";

/// What happened, before it gets its place in the chain. `details` must not hold raw personal
/// data (mask personal ids; name the dossier, not the applicant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: String,
    /// e.g. `dossier.view`, `dossier.events`, `document.download`, `population.lookup`,
    /// `dossier.accept`.
    pub action: String,
    /// The dossier code, or another target (`-` when there is none).
    pub target: String,
    /// A compact JSON object with masked details.
    pub details: serde_json::Value,
}

/// An entry as stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoredAuditEntry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// The details as stored (JSON text).
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: SHA-256 over the previous hash and the canonical content (a JSON array of
/// the fields, which escapes every separator a field could contain).
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at_ms: i64,
    actor: &str,
    action: &str,
    target: &str,
    details: &str,
) -> String {
    let canonical = serde_json::json!([seq, at_ms, actor, action, target, details]).to_string();
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// Where the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AuditBreak {
    /// The first entry that is not as written (or, for a deletion, the missing number).
    pub seq: i64,
    pub kind: AuditBreakKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditBreakKind {
    /// A sequence number is missing: the entry was deleted.
    Deleted,
    /// The entry's content or position does not match its hash (altered, or moved in the chain).
    Altered,
    /// The entry does not link to the one before it (reordered, or the one before was replaced).
    Unlinked,
    /// The chain ends before the recorded head: entries were cut off the end.
    Truncated,
}

/// The result of walking the chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AuditVerification {
    /// The walk started after this entry: 0 for a full verification, else the checkpoint.
    pub from_seq: i64,
    /// Entries checked by this walk.
    pub entries: u64,
    pub head_seq: i64,
    pub head_hash: String,
    /// The first break, none when the chain is intact.
    pub first_break: Option<AuditBreak>,
}

/// Filters of [`Store::audit_entries`].
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Keyset paging: entries with `seq` below this (newest first).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// Handle for recording audit entries; cheap to clone. Entries go through the dossier writer
/// ([`crate::dossiers::DossierWriter::audit_log`]), which commits them with the next batch.
#[derive(Clone)]
pub struct AuditLog {
    tx: mpsc::Sender<Job>,
}

impl AuditLog {
    pub(crate) fn from_sender(tx: mpsc::Sender<Job>) -> AuditLog {
        AuditLog { tx }
    }

    /// Starts a writer of its own (tools and tests without an engine).
    pub fn start(store: Store) -> AuditLog {
        crate::dossiers::DossierWriter::start(store).audit_log()
    }

    /// Queues an entry, stamped now. Waits only when the queue is full (backpressure rather than
    /// a lost entry).
    pub async fn record(&self, entry: AuditEntry) {
        if self.tx.send(Job::Audit(entry, now_ms())).await.is_err() {
            tracing::error!("the writer has stopped; an audit entry was not recorded");
        }
    }

    /// Returns once everything queued before the call is committed.
    pub async fn flush(&self) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job::Flush(reply))
            .await
            .map_err(|_| StoreError::Invalid("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Invalid("the writer stopped before answering".into()))?
    }
}

impl Store {
    /// Appends entries to the chain in one transaction, after the newest stored entry.
    pub async fn append_audit(&self, entries: &[(AuditEntry, i64)]) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        sqlx::query(begin).execute(&mut *conn).await?;
        let result = append_in(&mut conn, entries).await;
        match result {
            Ok(()) => {
                if let Err(e) = sqlx::query("COMMIT").execute(&mut *conn).await {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    return Err(e.into());
                }
                Ok(())
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e)
            }
        }
    }

    /// Entries newest first, filtered, at most `limit` (keyset paging by `before_seq`).
    pub async fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<StoredAuditEntry>> {
        type Row = (i64, i64, String, String, String, String, String, String);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT seq, at, actor, action, target, details, prev_hash, hash FROM audit_log \
             WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) AND ($3 = '' OR target = $3) \
             AND at >= $4 AND at < $5 AND seq < $6 ORDER BY seq DESC LIMIT $7",
        )
        .bind(q.actor.as_deref().unwrap_or(""))
        .bind(q.action.as_deref().unwrap_or(""))
        .bind(q.target.as_deref().unwrap_or(""))
        .bind(q.from_ms.unwrap_or(i64::MIN))
        .bind(q.to_ms.unwrap_or(i64::MAX))
        .bind(q.before_seq.unwrap_or(i64::MAX))
        .bind(q.limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(stored).collect())
    }

    /// Walks the whole chain in sequence order and reports the first break. An intact chain
    /// moves the checkpoint to its head; a broken one moves it back to the last intact entry.
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        let v = self.walk_audit(0, GENESIS.to_string()).await?;
        // The last intact entry: past a break this moves the checkpoint back, so the viewer's
        // walk meets the break too.
        let checkpoint = self.checkpoint_text(v.head_seq, &v.head_hash).await?;
        self.set_setting(CHECKPOINT_SETTING, &checkpoint).await?;
        let result = match &v.first_break {
            None => "intact".to_string(),
            Some(b) => format!("broken at {}", b.seq),
        };
        self.set_setting(FULL_CHECK_SETTING, &format!("{}:{}:{result}", now_ms(), v.head_seq))
            .await?;
        Ok(v)
    }

    /// Verifies the entries written since the checkpoint (all of them when there is none): the
    /// checkpoint entry must still carry the checkpoint's hash and every later entry must link
    /// from it. An intact result advances the checkpoint (only if no other verification moved it
    /// meanwhile). Entries before the checkpoint are vouched for by [`Store::verify_audit`] only.
    pub async fn verify_audit_since_checkpoint(&self) -> Result<AuditVerification> {
        let stored_checkpoint = self.setting(CHECKPOINT_SETTING).await?;
        let mut start = None;
        if let Some(text) = stored_checkpoint.as_deref() {
            // A checkpoint that fails its MAC is ignored: the walk starts from the first entry.
            if let Some((seq, hash)) = text.rsplit_once(':').and_then(|(pos, _)| parse_position(pos)) {
                if self.checkpoint_text(seq, &hash).await? == text {
                    start = Some((seq, hash));
                }
            }
        }
        let (from, from_hash) = start.unwrap_or((0, GENESIS.to_string()));
        if from > 0 {
            type Row = (i64, i64, String, String, String, String, String, String);
            let row: Option<Row> = sqlx::query_as(
                "SELECT seq, at, actor, action, target, details, prev_hash, hash FROM audit_log WHERE seq = $1",
            )
            .bind(from)
            .fetch_optional(&self.pool)
            .await?;
            let problem = match row.map(stored) {
                None => Some((
                    AuditBreakKind::Deleted,
                    format!("entry {from}, verified earlier, is missing (deleted)"),
                )),
                Some(e) => {
                    let recomputed =
                        entry_hash(&e.prev_hash, e.seq, e.at_ms, &e.actor, &e.action, &e.target, &e.details);
                    (recomputed != e.hash || e.hash != from_hash).then(|| {
                        (
                            AuditBreakKind::Altered,
                            format!("entry {from} was changed after it was verified"),
                        )
                    })
                }
            };
            if let Some((kind, message)) = problem {
                return Ok(AuditVerification {
                    from_seq: from,
                    entries: 0,
                    head_seq: from - 1,
                    head_hash: String::new(),
                    first_break: Some(AuditBreak {
                        seq: from,
                        kind,
                        message,
                    }),
                });
            }
        }
        let v = self.walk_audit(from, from_hash).await?;
        if v.first_break.is_none() && v.head_seq > from {
            let new = self.checkpoint_text(v.head_seq, &v.head_hash).await?;
            let query = match &stored_checkpoint {
                Some(old) => sqlx::query("UPDATE settings SET value = $2 WHERE key = $1 AND value = $3")
                    .bind(CHECKPOINT_SETTING)
                    .bind(new)
                    .bind(old.clone()),
                None => sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(CHECKPOINT_SETTING)
                    .bind(new),
            };
            query.execute(&self.pool).await?;
        }
        Ok(v)
    }

    /// The stored form of a checkpoint: position and its MAC.
    async fn checkpoint_text(&self, seq: i64, hash: &str) -> Result<String> {
        let key = self.pid_key().await?;
        let position = format!("{seq}:{hash}");
        let mac = crate::keyed::hmac_sha256(&key, format!("{CHECKPOINT_SETTING}\n{position}").as_bytes());
        Ok(format!("{position}:{}", hex::encode(mac)))
    }

    /// When the last full verification ran (ms), the head it reached, and its result.
    pub async fn last_full_audit_check(&self) -> Result<Option<(i64, i64, String)>> {
        Ok(self.setting(FULL_CHECK_SETTING).await?.and_then(|v| {
            let mut parts = v.splitn(3, ':');
            let at = parts.next()?.parse().ok()?;
            let seq = parts.next()?.parse().ok()?;
            Some((at, seq, parts.next()?.to_string()))
        }))
    }

    /// Walks the chain after entry `after`, whose hash is `prev_hash`, and checks the recorded
    /// head. The head is read first: it is written in the same transaction as the entries, so
    /// entries appended during the walk cannot look like a truncation.
    async fn walk_audit(&self, after: i64, prev_hash: String) -> Result<AuditVerification> {
        let from_seq = after;
        let from_hash = prev_hash.clone();
        let recorded = match self.setting(HEAD_SETTING).await? {
            Some(head) => Some(
                parse_position(&head)
                    .ok_or_else(|| StoreError::Corrupt(format!("setting {HEAD_SETTING} is unreadable")))?,
            ),
            None => None,
        };
        let mut expected_seq = after + 1;
        let mut prev_hash = prev_hash;
        let mut entries = 0u64;
        let mut after = after;
        // The hash of the recorded head's entry, once the walk passes it.
        let mut recorded_hash_seen: Option<String> = None;
        let broken = |seq: i64, kind: AuditBreakKind, message: String, entries: u64, prev: &str| AuditVerification {
            from_seq,
            entries,
            head_seq: seq - 1,
            head_hash: prev.to_string(),
            first_break: Some(AuditBreak { seq, kind, message }),
        };
        loop {
            type Row = (i64, i64, String, String, String, String, String, String);
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT seq, at, actor, action, target, details, prev_hash, hash FROM audit_log \
                 WHERE seq > $1 ORDER BY seq LIMIT 5000",
            )
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let e = stored(row);
                after = e.seq;
                if e.seq != expected_seq {
                    let message = if e.seq > expected_seq {
                        format!(
                            "entry {expected_seq} is missing (deleted); the chain continues at {}",
                            e.seq
                        )
                    } else {
                        format!("entry {} appears out of order", e.seq)
                    };
                    return Ok(broken(
                        expected_seq,
                        AuditBreakKind::Deleted,
                        message,
                        entries,
                        &prev_hash,
                    ));
                }
                let recomputed = entry_hash(&e.prev_hash, e.seq, e.at_ms, &e.actor, &e.action, &e.target, &e.details);
                if recomputed != e.hash {
                    let message = format!(
                        "entry {} was altered or moved: its content does not match its hash",
                        e.seq
                    );
                    return Ok(broken(e.seq, AuditBreakKind::Altered, message, entries, &prev_hash));
                }
                if e.prev_hash != prev_hash {
                    let message = format!(
                        "entry {} does not follow entry {} (entries reordered or replaced)",
                        e.seq,
                        e.seq - 1
                    );
                    return Ok(broken(e.seq, AuditBreakKind::Unlinked, message, entries, &prev_hash));
                }
                if recorded.as_ref().is_some_and(|(seq, _)| *seq == e.seq) {
                    recorded_hash_seen = Some(e.hash.clone());
                }
                prev_hash = e.hash;
                expected_seq += 1;
                entries += 1;
            }
        }
        let head_seq = expected_seq - 1;
        if let Some((seq, hash)) = recorded {
            let problem = if seq > head_seq {
                Some((
                    head_seq + 1,
                    format!("the chain ends at entry {head_seq} but entry {seq} was written (entries cut off)"),
                ))
            } else {
                let matches = match seq.cmp(&from_seq) {
                    std::cmp::Ordering::Greater => recorded_hash_seen.as_deref() == Some(hash.as_str()),
                    std::cmp::Ordering::Equal => hash == from_hash,
                    // The head only moves forward, and the checkpoint never passes it.
                    std::cmp::Ordering::Less => false,
                };
                (!matches).then(|| {
                    (
                        seq.max(1),
                        format!("the recorded head (entry {seq}) does not match the chain's entry {seq}"),
                    )
                })
            };
            if let Some((at, message)) = problem {
                return Ok(AuditVerification {
                    from_seq,
                    entries,
                    head_seq,
                    head_hash: prev_hash,
                    first_break: Some(AuditBreak {
                        seq: at,
                        kind: AuditBreakKind::Truncated,
                        message,
                    }),
                });
            }
        }
        Ok(AuditVerification {
            from_seq,
            entries,
            head_seq,
            head_hash: prev_hash,
            first_break: None,
        })
    }
}

/// Parses `"<seq>:<hash>"`.
fn parse_position(text: &str) -> Option<(i64, String)> {
    let (seq, hash) = text.split_once(':')?;
    Some((seq.parse().ok()?, hash.to_string()))
}

fn stored(r: (i64, i64, String, String, String, String, String, String)) -> StoredAuditEntry {
    StoredAuditEntry {
        seq: r.0,
        at_ms: r.1,
        actor: r.2,
        action: r.3,
        target: r.4,
        details: r.5,
        prev_hash: r.6,
        hash: r.7,
    }
}

pub(crate) async fn append_in(conn: &mut sqlx::AnyConnection, entries: &[(AuditEntry, i64)]) -> Result<()> {
    let head: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_string()));
    // Rows per statement stay far below both backends' bound-parameter limits (8 per row).
    for chunk in entries.chunks(200) {
        let mut sql =
            String::from("INSERT INTO audit_log (seq, at, actor, action, target, details, prev_hash, hash) VALUES ");
        let mut rows = Vec::with_capacity(chunk.len());
        for (i, (e, at)) in chunk.iter().enumerate() {
            seq += 1;
            let details = e.details.to_string();
            let hash = entry_hash(&prev, seq, *at, &e.actor, &e.action, &e.target, &details);
            if i > 0 {
                sql.push_str(", ");
            }
            let b = i * 8;
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8
            ));
            rows.push((seq, *at, e, details, prev.clone(), hash.clone()));
            prev = hash;
        }
        let mut query = sqlx::query(&sql);
        for (seq, at, e, details, prev_hash, hash) in rows {
            query = query
                .bind(seq)
                .bind(at)
                .bind(e.actor.clone())
                .bind(e.action.clone())
                .bind(e.target.clone())
                .bind(details)
                .bind(prev_hash)
                .bind(hash);
        }
        query.execute(&mut *conn).await?;
    }
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(HEAD_SETTING)
    .bind(format!("{seq}:{prev}"))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
