//! The dossier event log and its projections.
//!
//! Writes go through one [`DossierWriter`] task that commits many requests per transaction (group
//! commit): each acknowledgement waits for the commit, and the commit's fsync is shared by the
//! batch, so durability does not cost throughput. Every request carries the events, the state
//! they produce, the counter increments and outbox messages; all land in the same transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use motcua_domain::dossier::exchange::ExchangeRecord;
use motcua_domain::dossier::{self, CounterDelta, DossierState, Event, EventAction};
use motcua_domain::ids::{DossierCode, UnitCode};
use motcua_domain::index::IndexFact;
use sqlx::Row;
use tokio::sync::{mpsc, oneshot};

use crate::{now_ms, Backend, Result, Store, StoreError};

/// Largest number of requests committed together.
const MAX_BATCH: usize = 512;

/// Which dossier a request appends to.
#[derive(Clone, Debug)]
pub enum AppendTarget {
    /// A new dossier: the writer allocates its code from the receiving unit and the day.
    Create { receiving_unit: UnitCode, day: NaiveDate },
    /// A historical dossier with its own code; if the code exists already nothing is written and
    /// the outcome is `Duplicate` (importing a file twice changes nothing).
    Imported { code: String },
    /// An existing dossier expected at `expected_version` (optimistic concurrency).
    Existing { code: String, expected_version: i64 },
}

/// `Idempotency-Key` of the request: a repeat returns the first response.
#[derive(Clone, Debug)]
pub struct IdempotencyRecord {
    pub actor: String,
    pub key: String,
    /// The response to store; for a new dossier `MaHoSo` is filled in by the writer.
    pub response: serde_json::Value,
}

/// A message for the outbox, delivered after commit by the notification worker.
#[derive(Clone, Debug)]
pub struct OutboxMessage {
    pub topic: String,
    pub payload: serde_json::Value,
}

#[derive(Clone, Debug)]
pub struct AppendRequest {
    pub target: AppendTarget,
    pub events: Vec<Event>,
    /// The state after the events.
    pub state: DossierState,
    pub counters: Vec<CounterDelta>,
    pub idempotency: Option<IdempotencyRecord>,
    pub outbox: Vec<OutboxMessage>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AppendOutcome {
    Appended {
        code: String,
        version: i64,
    },
    /// The dossier changed since it was read (or does not exist).
    Conflict,
    /// The idempotency key was used before: the stored response.
    Duplicate {
        code: String,
        response: serde_json::Value,
    },
    /// The unit received 9,999 dossiers that day already (the code has four digits).
    SequenceExhausted,
}

/// An event as stored, with its position in the dossier's log.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub version: i64,
    pub event: Event,
}

/// What the writer task is asked to do. Audit entries ride in the same transactions as dossier
/// writes, so the audit log's hash chain has one writer and costs no commit of its own.
pub(crate) enum Job {
    Append(Box<AppendRequest>, oneshot::Sender<Result<AppendOutcome>>),
    Audit(crate::audit::AuditEntry, i64),
    /// Answered once everything queued before it is committed.
    Flush(oneshot::Sender<Result<()>>),
}

/// Called by the writer after each commit with the index facts the batch wrote (one per dossier,
/// the latest), in commit order and before any request of the batch is answered.
pub type CommitListener = Arc<dyn Fn(&[(String, IndexFact)]) + Send + Sync>;

/// Handle to the writer task; cheap to clone.
#[derive(Clone)]
pub struct DossierWriter {
    tx: mpsc::Sender<Job>,
}

fn ms(t: DateTime<FixedOffset>) -> i64 {
    t.timestamp_millis()
}

fn opt_ms(t: Option<DateTime<FixedOffset>>) -> Option<i64> {
    t.map(ms)
}

/// An instant from the database, at +07:00.
pub fn instant_from_ms(v: i64) -> Option<DateTime<FixedOffset>> {
    motcua_domain::calendar::vietnam().timestamp_millis_opt(v).single()
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl DossierWriter {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: Store) -> DossierWriter {
        DossierWriter::start_with(store, None)
    }

    /// Starts the writer task, telling `listener` of every commit.
    pub fn start_with(store: Store, listener: Option<CommitListener>) -> DossierWriter {
        let (tx, rx) = mpsc::channel::<Job>(4 * MAX_BATCH);
        tokio::spawn(run_writer(store, rx, listener));
        DossierWriter { tx }
    }

    /// Appends durably: returns after the transaction holding the request has committed.
    pub async fn append(&self, request: AppendRequest) -> Result<AppendOutcome> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job::Append(Box::new(request), reply))
            .await
            .map_err(|_| StoreError::Invalid("the dossier writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Invalid("the dossier writer stopped before answering".into()))?
    }

    /// A handle for recording audit entries through this writer.
    pub fn audit_log(&self) -> crate::audit::AuditLog {
        crate::audit::AuditLog::from_sender(self.tx.clone())
    }
}

type Reply = oneshot::Sender<Result<AppendOutcome>>;

async fn run_writer(store: Store, mut rx: mpsc::Receiver<Job>, listener: Option<CommitListener>) {
    let mut batch: Vec<(AppendRequest, Reply)> = Vec::with_capacity(MAX_BATCH);
    let mut audit: Vec<(crate::audit::AuditEntry, i64)> = Vec::new();
    let mut flushes: Vec<oneshot::Sender<Result<()>>> = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Append(r, reply) => batch.push((*r, reply)),
                Job::Audit(e, at) => audit.push((e, at)),
                Job::Flush(w) => flushes.push(w),
            }
            if batch.len() + audit.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        let requests: Vec<&AppendRequest> = batch.iter().map(|(r, _)| r).collect();
        let mut audit_result = Ok(());
        match store.commit_batch(&requests, &audit).await {
            Ok((outcomes, facts)) => {
                if let Some(listener) = &listener {
                    listener(&facts);
                }
                for ((_, reply), outcome) in batch.drain(..).zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, size = batch.len(), "dossier batch failed; nothing of it was written");
                let message = e.to_string();
                for (_, reply) in batch.drain(..) {
                    let _ = reply.send(Err(StoreError::Invalid(format!("write failed: {message}"))));
                }
                // The audit entries are not lost with the batch: they get a transaction of their own.
                if !audit.is_empty() {
                    if let Err(e) = store.append_audit(&audit).await {
                        tracing::error!(error = %e, lost = audit.len(), "audit entries could not be written");
                        audit_result = Err(e.to_string());
                    }
                }
            }
        }
        audit.clear();
        for w in flushes.drain(..) {
            let _ = w.send(audit_result.clone().map_err(StoreError::Invalid));
        }
    }
}

impl Store {
    /// One transaction for the whole batch; a request that conflicts is skipped, the others land.
    async fn commit_batch(
        &self,
        requests: &[&AppendRequest],
        audit: &[(crate::audit::AuditEntry, i64)],
    ) -> Result<(Vec<AppendOutcome>, Vec<(String, IndexFact)>)> {
        if requests.is_empty() && audit.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut conn = self.pool.acquire().await?;
        let begin = match self.backend {
            // IMMEDIATE takes the write lock now, so the transaction cannot fail to upgrade later.
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        let key = self.pid_key().await?;
        sqlx::query(begin).execute(&mut *conn).await?;
        let written = match write_batch(&mut conn, requests, &key).await {
            Ok(outcomes) if !audit.is_empty() => crate::audit::append_in(&mut conn, audit).await.map(|()| outcomes),
            other => other,
        };
        match written {
            Ok(outcomes) => match sqlx::query("COMMIT").execute(&mut *conn).await {
                Ok(_) => Ok(outcomes),
                Err(e) => {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    Err(e.into())
                }
            },
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e)
            }
        }
    }

    /// The current state and version of a dossier.
    pub async fn dossier(&self, code: &str) -> Result<Option<DossierState>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT state FROM dossiers WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|(s,)| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}"))))
            .transpose()
    }

    /// The dossier's log, oldest first.
    pub async fn dossier_events(&self, code: &str) -> Result<Vec<StoredEvent>> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT version, event FROM dossier_events WHERE code = $1 ORDER BY version")
                .bind(code)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(version, text)| {
                serde_json::from_str(&text)
                    .map(|event| StoredEvent { version, event })
                    .map_err(|e| StoreError::Corrupt(format!("event {code}#{version}: {e}")))
            })
            .collect()
    }

    /// A response stored under an idempotency key.
    pub async fn idempotent_response(&self, actor: &str, key: &str) -> Result<Option<(String, serde_json::Value)>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT code, response FROM idempotency_keys WHERE actor = $1 AND key = $2")
                .bind(actor)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(code, text)| {
            serde_json::from_str(&text)
                .map(|v| (code, v))
                .map_err(|e| StoreError::Corrupt(format!("idempotency record: {e}")))
        })
        .transpose()
    }

    /// Counter values per (unit, day, metric) within [from, to] (all units when `unit` is None).
    pub async fn counters(
        &self,
        unit: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<(String, String, String), i64>> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT unit, day, metric, value FROM unit_counters \
             WHERE day >= $1 AND day <= $2 AND ($3 = '' OR unit = $3)",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(unit.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(u, d, m, v)| ((u, d, m), v)).collect())
    }

    /// Number of dossiers and events stored.
    pub async fn dossier_totals(&self) -> Result<(i64, i64)> {
        let (d,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dossiers")
            .fetch_one(&self.pool)
            .await?;
        let (e,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dossier_events")
            .fetch_one(&self.pool)
            .await?;
        Ok((d, e))
    }

    /// Every dossier row's state and every counter, for comparing live projections with a rebuild.
    pub async fn projection_snapshot(
        &self,
    ) -> Result<(BTreeMap<String, String>, BTreeMap<(String, String, String), i64>)> {
        let states: Vec<(String, String)> = sqlx::query_as("SELECT code, state FROM dossiers ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        let counters: Vec<(String, String, String, i64)> =
            sqlx::query_as("SELECT unit, day, metric, value FROM unit_counters WHERE value <> 0")
                .fetch_all(&self.pool)
                .await?;
        Ok((
            states.into_iter().collect(),
            counters.into_iter().map(|(u, d, m, v)| ((u, d, m), v)).collect(),
        ))
    }

    /// Recomputes the dossier rows and the counters from the event log alone, in one transaction.
    /// Returns the number of dossiers and events replayed.
    pub async fn rebuild_projections(&self) -> Result<(u64, u64)> {
        let key = self.pid_key().await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM dossiers").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM unit_counters").execute(&mut *tx).await?;
        let codes: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT code FROM dossier_events ORDER BY code")
            .fetch_all(&mut *tx)
            .await?;
        let (mut dossiers, mut events) = (0u64, 0u64);
        for (code,) in codes {
            let rows: Vec<(String,)> =
                sqlx::query_as("SELECT event FROM dossier_events WHERE code = $1 ORDER BY version")
                    .bind(&code)
                    .fetch_all(&mut *tx)
                    .await?;
            let mut state: Option<DossierState> = None;
            let mut deltas = Vec::new();
            for (text,) in rows {
                let event: Event =
                    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("event of {code}: {e}")))?;
                let next =
                    dossier::apply(state.clone(), &event).map_err(|e| StoreError::Corrupt(format!("{code}: {e}")))?;
                deltas.extend(dossier::counter_deltas(state.as_ref(), &event, &next));
                state = Some(next);
                events += 1;
            }
            if let Some(state) = state {
                insert_row(&mut tx, &code, &state, false, &key).await?;
                add_counters(&mut tx, &deltas).await?;
                dossiers += 1;
            }
        }
        tx.commit().await?;
        Ok((dossiers, events))
    }
}

/// Writes a batch in two phases: first each request's row (sequence allocation or the
/// version-checked update), then the events, counters, outbox messages and idempotency keys of all
/// requests that got through, as a few multi-row statements.
async fn write_batch(
    conn: &mut sqlx::AnyConnection,
    requests: &[&AppendRequest],
    key: &[u8; 32],
) -> Result<(Vec<AppendOutcome>, Vec<(String, IndexFact)>)> {
    let mut outcomes = Vec::with_capacity(requests.len());
    let mut landed: Vec<(&AppendRequest, String, i64)> = Vec::with_capacity(requests.len());
    let mut keys_in_batch: BTreeMap<(&str, &str), (String, serde_json::Value)> = BTreeMap::new();
    for r in requests {
        // A repeated key is answered before anything is written (also within this batch).
        if let Some(idem) = &r.idempotency {
            if let Some((code, response)) = keys_in_batch.get(&(idem.actor.as_str(), idem.key.as_str())) {
                outcomes.push(AppendOutcome::Duplicate {
                    code: code.clone(),
                    response: response.clone(),
                });
                continue;
            }
            let existing: Option<(String, String)> =
                sqlx::query_as("SELECT code, response FROM idempotency_keys WHERE actor = $1 AND key = $2")
                    .bind(&idem.actor)
                    .bind(&idem.key)
                    .fetch_optional(&mut *conn)
                    .await?;
            if let Some((code, text)) = existing {
                let response = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
                outcomes.push(AppendOutcome::Duplicate { code, response });
                continue;
            }
        }
        let (code, base_version) = match &r.target {
            AppendTarget::Create { receiving_unit, day } => {
                let (seq,): (i64,) = sqlx::query_as(
                    "INSERT INTO dossier_sequences (unit, day, last) VALUES ($1, $2, 1) \
                     ON CONFLICT (unit, day) DO UPDATE SET last = dossier_sequences.last + 1 RETURNING last",
                )
                .bind(receiving_unit.to_string())
                .bind(day.to_string())
                .fetch_one(&mut *conn)
                .await?;
                let code = u16::try_from(seq)
                    .ok()
                    .and_then(|seq| DossierCode::new(receiving_unit.clone(), *day, seq).ok());
                let Some(code) = code else {
                    outcomes.push(AppendOutcome::SequenceExhausted);
                    continue;
                };
                let code = code.to_string();
                insert_row(&mut *conn, &code, &r.state, false, key).await?;
                (code, 0)
            }
            AppendTarget::Imported { code } => {
                if !insert_row(&mut *conn, code, &r.state, true, key).await? {
                    outcomes.push(AppendOutcome::Duplicate {
                        code: code.clone(),
                        response: serde_json::Value::Null,
                    });
                    continue;
                }
                (code.clone(), 0)
            }
            AppendTarget::Existing { code, expected_version } => {
                if !update_row(&mut *conn, code, &r.state, *expected_version).await? {
                    outcomes.push(AppendOutcome::Conflict);
                    continue;
                }
                (code.clone(), *expected_version)
            }
        };
        if let Some(idem) = &r.idempotency {
            keys_in_batch.insert(
                (idem.actor.as_str(), idem.key.as_str()),
                (code.clone(), stored_response(r, &code)),
            );
        }
        outcomes.push(AppendOutcome::Appended {
            code: code.clone(),
            version: r.state.version,
        });
        landed.push((r, code, base_version));
    }
    let recorded = now_ms();
    let mut events = Vec::new();
    let mut outbox = Vec::new();
    let mut idempotency = Vec::new();
    let mut counters = Vec::new();
    let mut ratings = Vec::new();
    for (r, code, base) in &landed {
        for (i, e) in r.events.iter().enumerate() {
            // The portal's rating table is a projection of the `rate` event, in its transaction.
            if let (EventAction::Rate, Some(rating)) = (e.action, e.data.rating) {
                ratings.push(vec![
                    Arg::Text(code.clone()),
                    Arg::Text(e.actor.clone()),
                    Arg::Text(rating.as_str().into()),
                    Arg::Text(e.note.clone()),
                    Arg::Int(ms(e.at)),
                ]);
            }
            events.push(vec![
                Arg::Text(code.clone()),
                Arg::Int(base + i as i64 + 1),
                Arg::Int(ms(e.at)),
                Arg::Text(e.action.as_str().into()),
                Arg::Text(e.actor.clone()),
                Arg::Int(i64::from(e.status.code())),
                Arg::Text(json(e)?),
                Arg::Int(recorded),
            ]);
        }
        for m in &r.outbox {
            // The code of a new dossier is known only here: every message carries it.
            let mut payload = m.payload.clone();
            if let Some(obj) = payload.as_object_mut() {
                obj.insert("MaHoSo".into(), serde_json::Value::String(code.clone()));
            }
            outbox.push(vec![
                Arg::Text(m.topic.clone()),
                Arg::Text(code.clone()),
                Arg::Text(payload.to_string()),
                Arg::Int(recorded),
                Arg::Int(0),
                Arg::Int(recorded),
            ]);
        }
        if let Some(idem) = &r.idempotency {
            let response = stored_response(r, code);
            idempotency.push(vec![
                Arg::Text(idem.actor.clone()),
                Arg::Text(idem.key.clone()),
                Arg::Text(code.clone()),
                Arg::Text(response.to_string()),
                Arg::Int(recorded),
            ]);
        }
        counters.extend(r.counters.iter().cloned());
    }
    bulk_insert(
        conn,
        "INSERT INTO dossier_events (code, version, at, action, actor, status, event, recorded_at)",
        events,
        "",
    )
    .await?;
    bulk_insert(
        conn,
        "INSERT INTO outbox (topic, code, payload, created_at, attempts, next_attempt_at)",
        outbox,
        "",
    )
    .await?;
    bulk_insert(
        conn,
        "INSERT INTO idempotency_keys (actor, key, code, response, created_at)",
        idempotency,
        "",
    )
    .await?;
    bulk_insert(
        conn,
        "INSERT INTO dossier_ratings (dossier_code, username, rating, comment, rated_at)",
        ratings,
        " ON CONFLICT (dossier_code) DO NOTHING",
    )
    .await?;
    add_counters(conn, &counters).await?;
    let facts = index_facts_of(conn, &landed).await?;
    crate::index::write_facts(conn, &facts).await?;
    Ok((outcomes, facts))
}

/// The index fact of each dossier the batch wrote, from its latest state (and, for an imported
/// dossier, its original record: from the request itself or, for a later action, the log).
async fn index_facts_of(
    conn: &mut sqlx::AnyConnection,
    landed: &[(&AppendRequest, String, i64)],
) -> Result<Vec<(String, IndexFact)>> {
    let existing: Vec<&str> = landed
        .iter()
        .filter(|(r, _, _)| matches!(r.target, AppendTarget::Existing { .. }))
        .map(|(_, code, _)| code.as_str())
        .collect();
    let stored = crate::index::originals(conn, &existing).await?;
    let mut latest: BTreeMap<&str, (&DossierState, Option<ExchangeRecord>)> = BTreeMap::new();
    for (r, code, _) in landed {
        let original = match r.target {
            AppendTarget::Imported { .. } => r.events.first().and_then(crate::index::imported_record),
            AppendTarget::Existing { .. } => stored.get(code).cloned(),
            AppendTarget::Create { .. } => None,
        };
        latest.insert(code.as_str(), (&r.state, original));
    }
    Ok(latest
        .into_iter()
        .map(|(code, (state, original))| (code.to_string(), crate::index::fact_of(code, state, original.as_ref())))
        .collect())
}

/// The response stored under a request's idempotency key, with the dossier's code.
fn stored_response(r: &AppendRequest, code: &str) -> serde_json::Value {
    let mut response = r.idempotency.as_ref().map(|i| i.response.clone()).unwrap_or_default();
    if let Some(obj) = response.as_object_mut() {
        obj.insert("MaHoSo".into(), serde_json::Value::String(code.to_string()));
    }
    response
}

/// A value bound into a multi-row statement.
pub(crate) enum Arg {
    Int(i64),
    Text(String),
    Null,
}

/// Rows per statement: stays under SQLite's and PostgreSQL's bound-parameter limits.
const ROWS_PER_STATEMENT: usize = 200;

/// `head VALUES (…), (…) tail` for all `rows`, in chunks.
pub(crate) async fn bulk_insert(
    conn: &mut sqlx::AnyConnection,
    head: &str,
    rows: Vec<Vec<Arg>>,
    tail: &str,
) -> Result<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Arg>> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let mut sql = String::with_capacity(head.len() + chunk.len() * 40 + tail.len());
        sql.push_str(head);
        sql.push_str(" VALUES ");
        let mut n = 0;
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..row.len() {
                if j > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        sql.push_str(tail);
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for arg in row {
                query = match arg {
                    Arg::Int(v) => query.bind(v),
                    Arg::Text(v) => query.bind(v),
                    Arg::Null => query.bind(Option::<i64>::None),
                };
            }
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The indexed columns of a dossier row.
struct RowColumns {
    status: i64,
    applicant_pid: Option<String>,
    state: String,
}

fn columns(state: &DossierState) -> Result<RowColumns> {
    Ok(RowColumns {
        status: i64::from(state.status.code()),
        applicant_pid: state.applicant.personal_id.clone(),
        state: json(state)?,
    })
}

/// Inserts a dossier row; with `if_absent`, an existing code is left alone and false returned.
async fn insert_row(
    conn: &mut sqlx::AnyConnection,
    code: &str,
    s: &DossierState,
    if_absent: bool,
    key: &[u8; 32],
) -> Result<bool> {
    let c = columns(s)?;
    // Search columns: the keyed hash of the number and the folded name (the inbox's search).
    let pid_hash = c.applicant_pid.as_deref().map(|p| crate::keyed::pid_hash_with(key, p));
    let name_fold = motcua_domain::text::fold(&s.applicant.name);
    let on_conflict = if if_absent {
        " ON CONFLICT (code) DO NOTHING"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO dossiers (code, procedure_code, unit, receiving_unit, channel, status, step, \
         applicant_username, applicant_name, applicant_pid, submitted_at, received_at, appointment, \
         effective_due, step_due, finished_at, returned_at, version, state, updated_at, applicant_pid_hash, \
         applicant_name_fold) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22){on_conflict}"
    );
    let done = sqlx::query(&sql)
        .bind(code)
        .bind(&s.procedure)
        .bind(&s.unit)
        .bind(&s.receiving_unit)
        .bind(i64::from(s.channel.code()))
        .bind(c.status)
        .bind(&s.step)
        .bind(&s.applicant_username)
        .bind(&s.applicant.name)
        .bind(c.applicant_pid)
        .bind(ms(s.submitted_at))
        .bind(opt_ms(s.received_at))
        .bind(opt_ms(s.appointment))
        .bind(opt_ms(s.effective_due))
        .bind(opt_ms(s.step_due))
        .bind(opt_ms(s.finished_at))
        .bind(opt_ms(s.returned_at))
        .bind(s.version)
        .bind(c.state)
        .bind(now_ms())
        .bind(pid_hash)
        .bind(name_fold)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes the new state if the row is still at `expected_version`; false on a conflict.
async fn update_row(
    conn: &mut sqlx::AnyConnection,
    code: &str,
    s: &DossierState,
    expected_version: i64,
) -> Result<bool> {
    let c = columns(s)?;
    let done = sqlx::query(
        "UPDATE dossiers SET unit = $2, status = $3, step = $4, received_at = $5, appointment = $6, \
         effective_due = $7, step_due = $8, finished_at = $9, returned_at = $10, version = $11, \
         state = $12, updated_at = $13 WHERE code = $1 AND version = $14",
    )
    .bind(code)
    .bind(&s.unit)
    .bind(c.status)
    .bind(&s.step)
    .bind(opt_ms(s.received_at))
    .bind(opt_ms(s.appointment))
    .bind(opt_ms(s.effective_due))
    .bind(opt_ms(s.step_due))
    .bind(opt_ms(s.finished_at))
    .bind(opt_ms(s.returned_at))
    .bind(s.version)
    .bind(c.state)
    .bind(now_ms())
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds counter increments, summed per key first so each counter is written once.
async fn add_counters(conn: &mut sqlx::AnyConnection, deltas: &[CounterDelta]) -> Result<()> {
    let mut sums: BTreeMap<(&str, NaiveDate, &'static str), i64> = BTreeMap::new();
    for d in deltas {
        *sums.entry((d.unit.as_str(), d.day, d.metric.as_str())).or_default() += d.delta;
    }
    let rows = sums
        .into_iter()
        .map(|((unit, day, metric), delta)| {
            vec![
                Arg::Text(unit.to_string()),
                Arg::Text(day.to_string()),
                Arg::Text(metric.to_string()),
                Arg::Int(delta),
            ]
        })
        .collect();
    bulk_insert(
        conn,
        "INSERT INTO unit_counters (unit, day, metric, value)",
        rows,
        " ON CONFLICT (unit, day, metric) DO UPDATE SET value = unit_counters.value + excluded.value",
    )
    .await
}

impl Store {
    /// Every configured workflow (the engine keeps them in memory).
    pub async fn workflows(&self) -> Result<Vec<dossier::Workflow>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT definition FROM workflows ORDER BY procedure_code, unit")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|(text,)| serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("workflow: {e}"))))
            .collect()
    }

    /// Stores a workflow (validated by the caller) for its procedure and unit.
    pub async fn put_workflow(&self, workflow: &dossier::Workflow, by: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO workflows (procedure_code, unit, definition, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (procedure_code, unit) DO UPDATE SET \
             definition = excluded.definition, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(&workflow.procedure)
        .bind(workflow.unit.as_deref().unwrap_or(""))
        .bind(json(workflow)?)
        .bind(now_ms())
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes the workflow configured for `procedure` at `unit` (`""`: the province-wide one);
    /// false when there was none.
    pub async fn delete_workflow(&self, procedure: &str, unit: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM workflows WHERE procedure_code = $1 AND unit = $2")
            .bind(procedure)
            .bind(unit)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Undelivered outbox messages whose next attempt is due, oldest first.
    pub async fn pending_outbox(&self, limit: i64) -> Result<Vec<PendingMessage>> {
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, topic, code, payload, attempts FROM outbox \
             WHERE delivered_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $2",
        )
        .bind(now_ms())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, topic, code, payload, attempts)| PendingMessage {
                id,
                topic,
                code,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                attempts,
            })
            .collect())
    }

    pub async fn mark_outbox_delivered(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE outbox SET delivered_at = $2, attempts = attempts + 1 WHERE id = $1")
            .bind(id)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed delivery and when to try again.
    pub async fn mark_outbox_failed(&self, id: i64, error: &str, retry_at_ms: i64) -> Result<()> {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1")
            .bind(id)
            .bind(error)
            .bind(retry_at_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Open dossiers (status 4, 5, 6), of one unit or all, whose effective due is before `before`,
    /// soonest first: (code, status, effective due in ms).
    pub async fn dossiers_due_before(
        &self,
        unit: Option<&str>,
        before: DateTime<FixedOffset>,
        limit: i64,
    ) -> Result<Vec<(String, i64, i64)>> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT code, status, effective_due FROM dossiers WHERE status IN (4, 5, 6) \
             AND effective_due IS NOT NULL AND effective_due < $1 AND ($2 = '' OR unit = $2) \
             ORDER BY effective_due LIMIT $3",
        )
        .bind(ms(before))
        .bind(unit.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

/// An outbox message waiting for delivery.
#[derive(Clone, Debug)]
pub struct PendingMessage {
    pub id: i64,
    pub topic: String,
    pub code: String,
    pub payload: serde_json::Value,
    pub attempts: i64,
}

impl Store {
    /// Codes of the dossiers submitted in [from, to) (milliseconds), of one unit or all, in code order.
    pub async fn dossier_codes(&self, unit: Option<&str>, from_ms: i64, to_ms: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT code FROM dossiers WHERE submitted_at >= $1 AND submitted_at < $2 \
             AND ($3 = '' OR unit = $3) ORDER BY code",
        )
        .bind(from_ms)
        .bind(to_ms)
        .bind(unit.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }
}

/// A file attached to a dossier (a component of the application or a result).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DossierDocument {
    pub seq: i64,
    /// The required-document component it answers, as the catalogue names it.
    pub component: String,
    pub file_name: String,
    /// SHA-256 of the content; the file lives at `files/<first two hex>/<hash>` in the data dir.
    pub hash: String,
    pub size: i64,
    pub media_type: String,
    pub is_result: bool,
    /// Scanned or born digital (QĐ 766 4.2).
    pub digitised: bool,
    /// Reused from an earlier result of the same citizen (QĐ 766 4.3).
    pub reused: bool,
    /// Taken from the citizen's personal data store (QĐ 766 4.4).
    pub from_data_store: bool,
    pub uploaded_by: String,
    pub uploaded_at_ms: i64,
}

impl Store {
    /// Records a stored file and attaches it to a dossier, in one transaction; returns its number.
    pub async fn attach_document(&self, code: &str, doc: &DossierDocument) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO documents (hash, size, media_type, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&doc.hash)
        .bind(doc.size)
        .bind(&doc.media_type)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let (seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) + 1 FROM dossier_documents WHERE code = $1")
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO dossier_documents (code, seq, component, file_name, hash, is_result, digitised, reused, \
             from_data_store, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(code)
        .bind(seq)
        .bind(&doc.component)
        .bind(&doc.file_name)
        .bind(&doc.hash)
        .bind(i64::from(doc.is_result))
        .bind(i64::from(doc.digitised))
        .bind(i64::from(doc.reused))
        .bind(i64::from(doc.from_data_store))
        .bind(&doc.uploaded_by)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// The documents of a dossier, in upload order.
    pub async fn dossier_documents(&self, code: &str) -> Result<Vec<DossierDocument>> {
        let rows: Vec<DocumentRow> = sqlx::query_as(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM dossier_documents d \
             JOIN documents f ON f.hash = d.hash WHERE d.code = $1 ORDER BY d.seq"
        ))
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(document_of).collect())
    }

    /// The documents of an account's own dossiers, with each dossier's code: what the citizen
    /// may reuse in a new application. Results come first, then the newest.
    pub async fn applicant_documents(&self, username: &str, limit: i64) -> Result<Vec<(String, DossierDocument)>> {
        let rows = sqlx::query(&format!(
            "SELECT d.code, {DOCUMENT_COLUMNS} FROM dossier_documents d \
             JOIN documents f ON f.hash = d.hash JOIN dossiers o ON o.code = d.code \
             WHERE o.applicant_username = $1 ORDER BY d.is_result DESC, d.uploaded_at DESC, d.code, d.seq LIMIT $2"
        ))
        .bind(username)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let doc = document_of((
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    r.get(4),
                    r.get(5),
                    r.get(6),
                    r.get(7),
                    r.get(8),
                    r.get(9),
                    r.get(10),
                    r.get(11),
                    r.get(12),
                ));
                (r.get(0), doc)
            })
            .collect())
    }
}

const DOCUMENT_COLUMNS: &str = "d.seq, d.component, d.file_name, d.hash, f.size, f.media_type, d.is_result, \
     d.digitised, d.reused, d.from_data_store, d.uploaded_by, d.uploaded_at";

type DocumentRow = (
    i64,
    String,
    String,
    String,
    i64,
    String,
    i64,
    i64,
    i64,
    i64,
    String,
    i64,
);

fn document_of(r: DocumentRow) -> DossierDocument {
    DossierDocument {
        seq: r.0,
        component: r.1,
        file_name: r.2,
        hash: r.3,
        size: r.4,
        media_type: r.5,
        is_result: r.6 != 0,
        digitised: r.7 != 0,
        reused: r.8 != 0,
        from_data_store: r.9 != 0,
        uploaded_by: r.10,
        uploaded_at_ms: r.11,
    }
}

impl Store {
    /// Every dossier of a unit (all units when None) submitted before `before_ms`, with the
    /// original record of imported ones: what the index classifies for a period.
    pub async fn dossiers_for_index(
        &self,
        unit: Option<&str>,
        before_ms: i64,
    ) -> Result<Vec<(String, DossierState, Option<serde_json::Value>)>> {
        let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT d.code, d.state, e.event FROM dossiers d \
             LEFT JOIN dossier_events e ON e.code = d.code AND e.version = 1 AND e.action = 'import' \
             WHERE d.submitted_at < $1 AND ($2 = '' OR d.unit = $2) ORDER BY d.code",
        )
        .bind(before_ms)
        .bind(unit.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(code, state, event)| {
                let state: DossierState =
                    serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))?;
                let record = event
                    .and_then(|text| serde_json::from_str::<Event>(&text).ok())
                    .and_then(|e| e.data.record);
                Ok((code, state, record))
            })
            .collect()
    }
}
