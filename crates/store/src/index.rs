//! The `index_facts` table: one compact QĐ 766 fact per dossier (issue #7), written by the
//! dossier writer in the same transaction as the dossier's events, and recomputable from the
//! event log by [`Store::rebuild_index_facts`].

use std::collections::BTreeMap;

use motcua_domain::dossier::exchange::{export_record, ExchangeRecord};
use motcua_domain::dossier::{self, DossierState, Event, EventAction};
use motcua_domain::index::IndexFact;

use crate::dossiers::{bulk_insert, Arg};
use crate::{Result, Store, StoreError};

/// The original record of an imported dossier, from its first event.
pub(crate) fn imported_record(event: &Event) -> Option<ExchangeRecord> {
    if event.action != EventAction::Import {
        return None;
    }
    serde_json::from_value(event.data.record.clone()?).ok()
}

/// The fact of a dossier in `state`, with its original record when it was imported: the
/// exchange record the reference classification reads, summarised.
pub fn fact_of(code: &str, state: &DossierState, original: Option<&ExchangeRecord>) -> IndexFact {
    IndexFact::from_record(&export_record(code, state, original))
}

/// The original records of those of `codes` that were imported, read in a few statements.
pub(crate) async fn originals(
    conn: &mut sqlx::AnyConnection,
    codes: &[&str],
) -> Result<BTreeMap<String, ExchangeRecord>> {
    let mut out = BTreeMap::new();
    for chunk in codes.chunks(200) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT code, event FROM dossier_events WHERE version = 1 AND action = 'import' AND code IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql);
        for code in chunk {
            query = query.bind(*code);
        }
        for (code, text) in query.fetch_all(&mut *conn).await? {
            let event: Event =
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("event {code}#1: {e}")))?;
            if let Some(record) = imported_record(&event) {
                out.insert(code, record);
            }
        }
    }
    Ok(out)
}

/// Inserts or replaces the facts (at most one per code).
pub(crate) async fn write_facts(conn: &mut sqlx::AnyConnection, facts: &[(String, IndexFact)]) -> Result<()> {
    let rows = facts
        .iter()
        .map(|(code, f)| {
            let opt = |v: Option<i64>| v.map_or(Arg::Null, Arg::Int);
            vec![
                Arg::Text(code.clone()),
                Arg::Text(f.unit.clone()),
                opt(f.received),
                opt(f.closing),
                opt(f.due),
                Arg::Int(i64::from(f.flags)),
                Arg::Text(f.supplements_text()),
            ]
        })
        .collect();
    bulk_insert(
        conn,
        "INSERT INTO index_facts (code, unit, received, closing, due, flags, supplements)",
        rows,
        " ON CONFLICT (code) DO UPDATE SET unit = excluded.unit, received = excluded.received, \
         closing = excluded.closing, due = excluded.due, flags = excluded.flags, supplements = excluded.supplements",
    )
    .await
}

type FactRow = (String, String, Option<i64>, Option<i64>, Option<i64>, i64, String);

fn fact_from_row((code, unit, received, closing, due, flags, supplements): FactRow) -> Result<(String, IndexFact)> {
    let supplements = IndexFact::parse_supplements(&supplements)
        .ok_or_else(|| StoreError::Corrupt(format!("index fact {code}: supplements {supplements:?}")))?;
    let flags = u16::try_from(flags).map_err(|_| StoreError::Corrupt(format!("index fact {code}: flags {flags}")))?;
    Ok((
        code,
        IndexFact {
            unit,
            received,
            closing,
            due,
            flags,
            supplements,
        },
    ))
}

/// Rows read per statement when loading or rebuilding.
const PAGE: i64 = 50_000;

impl Store {
    /// Every stored fact, in code order, read in pages; `each` gets every page.
    pub async fn index_facts(&self, mut each: impl FnMut(Vec<(String, IndexFact)>)) -> Result<u64> {
        let mut after = String::new();
        let mut total = 0u64;
        loop {
            let rows: Vec<FactRow> = sqlx::query_as(
                "SELECT code, unit, received, closing, due, flags, supplements FROM index_facts \
                 WHERE code > $1 ORDER BY code LIMIT $2",
            )
            .bind(&after)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            let Some(last) = rows.last() else {
                return Ok(total);
            };
            after = last.0.clone();
            let page = rows.into_iter().map(fact_from_row).collect::<Result<Vec<_>>>()?;
            total += page.len() as u64;
            each(page);
        }
    }

    /// Whether some dossier has no fact (a database written before the index existed).
    pub async fn index_facts_incomplete(&self) -> Result<bool> {
        let (missing,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM index_facts f WHERE f.code = d.code)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(missing > 0)
    }

    /// Stores facts computed elsewhere (the index benchmark loads simulated facts in bulk).
    pub async fn put_index_facts(&self, facts: &[(String, IndexFact)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        write_facts(&mut tx, facts).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Recomputes every fact from the event log alone (replaying each dossier's events, with the
    /// original record of imported ones), in one transaction. Returns the number of dossiers.
    pub async fn rebuild_index_facts(&self) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM index_facts").execute(&mut *tx).await?;
        let mut after = String::new();
        let mut total = 0u64;
        loop {
            // A page of dossiers, then all their events in one ordered read.
            let codes: Vec<(String,)> =
                sqlx::query_as("SELECT DISTINCT code FROM dossier_events WHERE code > $1 ORDER BY code LIMIT $2")
                    .bind(&after)
                    .bind(PAGE / 10)
                    .fetch_all(&mut *tx)
                    .await?;
            let (Some((first,)), Some((last,))) = (codes.first(), codes.last()) else {
                break;
            };
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT code, event FROM dossier_events WHERE code >= $1 AND code <= $2 ORDER BY code, version",
            )
            .bind(first)
            .bind(last)
            .fetch_all(&mut *tx)
            .await?;
            after = last.clone();
            let mut facts = Vec::with_capacity(codes.len());
            let mut current: Option<(String, Option<DossierState>, Option<ExchangeRecord>)> = None;
            for (code, text) in rows {
                let event: Event =
                    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("event of {code}: {e}")))?;
                if current.as_ref().is_none_or(|(c, _, _)| *c != code) {
                    if let Some((c, Some(state), original)) = current.take() {
                        facts.push((c.clone(), fact_of(&c, &state, original.as_ref())));
                    }
                    let original = imported_record(&event);
                    current = Some((code.clone(), None, original));
                }
                if let Some((_, state, _)) = current.as_mut() {
                    let next = dossier::apply(state.take(), &event)
                        .map_err(|e| StoreError::Corrupt(format!("{code}: {e}")))?;
                    *state = Some(next);
                }
            }
            if let Some((c, Some(state), original)) = current.take() {
                facts.push((c.clone(), fact_of(&c, &state, original.as_ref())));
            }
            total += facts.len() as u64;
            write_facts(&mut tx, &facts).await?;
        }
        tx.commit().await?;
        Ok(total)
    }
}
