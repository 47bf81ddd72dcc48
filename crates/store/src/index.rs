//! The `index_facts` table: one compact QĐ 766 fact per dossier (issue #7), written by the
//! dossier writer in the same transaction as the dossier's events, and recomputable from the
//! event log by [`Store::rebuild_index_facts`].
//!
//! A full rebuild (and the benchmark's bulk load) does not write one row per fact: moving ten
//! million rows through sqlx's `Any` driver costs minutes each way. It packs the facts into
//! `index_segments` blobs ([`encode_segment`], [`SEGMENT_FACTS`] facts each) and empties
//! `index_facts`, in one transaction, so a crash mid-rebuild leaves the previous facts. The
//! stored index is the segments in order, overlaid by the `index_facts` rows the writer upserted
//! since ([`Store::index_facts`] yields them in that order; a later fact of a code replaces an
//! earlier one).

use std::collections::BTreeMap;

use motcua_domain::dossier::exchange::{export_record, ExchangeRecord};
use motcua_domain::dossier::{self, DossierState, Event, EventAction};
use motcua_domain::index::{IndexFact, OPEN};

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

/// Facts per segment: large enough that a segment costs one statement, small enough that a
/// segment (about 0.5 MB) is cheap to hold while encoding or decoding.
pub const SEGMENT_FACTS: usize = 16_384;

/// Format tag of a segment blob.
const SEGMENT_MAGIC: &[u8; 4] = b"IXF1";

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Packs facts into one segment blob. Codes are prefix-compressed against the previous code,
/// units are numbered in a dictionary, and instants are varint deltas (acceptance from the
/// previous acceptance, the others from the fact's own acceptance), so a typical fact takes
/// about 30 bytes instead of a 7-column row.
pub fn encode_segment(facts: &[(String, IndexFact)]) -> Vec<u8> {
    let mut units: Vec<&str> = Vec::new();
    let mut unit_no: BTreeMap<&str, u64> = BTreeMap::new();
    for (_, f) in facts {
        if !unit_no.contains_key(f.unit.as_str()) {
            unit_no.insert(&f.unit, units.len() as u64);
            units.push(&f.unit);
        }
    }
    let mut out = Vec::with_capacity(64 + facts.len() * 32);
    out.extend_from_slice(SEGMENT_MAGIC);
    put_varint(&mut out, facts.len() as u64);
    put_varint(&mut out, units.len() as u64);
    for u in &units {
        put_varint(&mut out, u.len() as u64);
        out.extend_from_slice(u.as_bytes());
    }
    let mut prev_code: &[u8] = &[];
    let mut prev_received = 0i64;
    for (code, f) in facts {
        let code = code.as_bytes();
        let shared = code.iter().zip(prev_code).take_while(|(a, b)| a == b).count();
        put_varint(&mut out, shared as u64);
        put_varint(&mut out, (code.len() - shared) as u64);
        out.extend_from_slice(&code[shared..]);
        prev_code = code;
        put_varint(&mut out, unit_no[f.unit.as_str()]);
        put_varint(&mut out, u64::from(f.flags));
        let mask = u8::from(f.received.is_some()) | u8::from(f.closing.is_some()) << 1 | u8::from(f.due.is_some()) << 2;
        out.push(mask);
        if let Some(r) = f.received {
            put_varint(&mut out, zigzag(r.wrapping_sub(prev_received)));
            prev_received = r;
        }
        let base = f.received.unwrap_or(prev_received);
        for v in [f.closing, f.due].into_iter().flatten() {
            put_varint(&mut out, zigzag(v.wrapping_sub(base)));
        }
        put_varint(&mut out, f.supplements.len() as u64);
        for &(at, until) in &f.supplements {
            put_varint(&mut out, zigzag(at.wrapping_sub(base)));
            if until == OPEN {
                out.push(0);
            } else {
                out.push(1);
                put_varint(&mut out, zigzag(until.wrapping_sub(at)));
            }
        }
    }
    out
}

/// Reads a segment blob back, checking its structure (a damaged blob is an error, never facts
/// made up from it).
pub fn decode_segment(data: &[u8]) -> Result<Vec<(String, IndexFact)>> {
    let bad = |what: &str| StoreError::Corrupt(format!("index segment: {what}"));
    let mut r = Reader { data, at: 0 };
    if r.bytes(SEGMENT_MAGIC.len()).ok_or_else(|| bad("too short"))? != SEGMENT_MAGIC {
        return Err(bad("unknown format"));
    }
    let n = r.varint().ok_or_else(|| bad("truncated header"))?;
    let n_units = r.varint().ok_or_else(|| bad("truncated header"))?;
    // Every fact and unit takes at least a byte: bounds the allocations below by the blob size.
    if n > data.len() as u64 || n_units > data.len() as u64 {
        return Err(bad("counts larger than the blob"));
    }
    let mut units = Vec::with_capacity(n_units as usize);
    for _ in 0..n_units {
        let len = r.varint().ok_or_else(|| bad("truncated unit"))?;
        let bytes = r.bytes(usize::try_from(len).map_err(|_| bad("unit length"))?);
        let unit = bytes
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| bad("unit"))?;
        units.push(unit.to_string());
    }
    let mut facts = Vec::with_capacity(n as usize);
    let mut code: Vec<u8> = Vec::new();
    let mut prev_received = 0i64;
    for _ in 0..n {
        let fact = (|| {
            let shared = usize::try_from(r.varint()?).ok()?;
            let len = usize::try_from(r.varint()?).ok()?;
            if shared > code.len() {
                return None;
            }
            code.truncate(shared);
            code.extend_from_slice(r.bytes(len)?);
            let unit = units.get(usize::try_from(r.varint()?).ok()?)?.clone();
            let flags = u16::try_from(r.varint()?).ok()?;
            let mask = r.byte()?;
            if mask > 7 {
                return None;
            }
            let received = if mask & 1 != 0 {
                prev_received = prev_received.wrapping_add(unzigzag(r.varint()?));
                Some(prev_received)
            } else {
                None
            };
            let base = received.unwrap_or(prev_received);
            let closing = if mask & 2 != 0 {
                Some(base.wrapping_add(unzigzag(r.varint()?)))
            } else {
                None
            };
            let due = if mask & 4 != 0 {
                Some(base.wrapping_add(unzigzag(r.varint()?)))
            } else {
                None
            };
            let count = r.varint()?;
            if count > (r.data.len() - r.at) as u64 {
                return None;
            }
            let mut supplements = Vec::with_capacity(count as usize);
            for _ in 0..count {
                let at = base.wrapping_add(unzigzag(r.varint()?));
                let until = match r.byte()? {
                    0 => OPEN,
                    1 => at.wrapping_add(unzigzag(r.varint()?)),
                    _ => return None,
                };
                supplements.push((at, until));
            }
            let code = String::from_utf8(code.clone()).ok()?;
            Some((
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
        })()
        .ok_or_else(|| bad(&format!("fact {} of {n} is damaged", facts.len())))?;
        facts.push(fact);
    }
    if r.at != data.len() {
        return Err(bad("trailing bytes"));
    }
    Ok(facts)
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.data.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
}

/// A bulk replacement of every stored fact, in one transaction: [`Store::begin_index_bulk`]
/// removes the old facts (taking SQLite's write lock, so the dossier writer waits), `push` packs
/// facts into segments, `finish` commits. Dropped without `finish`, it rolls back and the old
/// facts stay.
pub struct IndexBulkWrite {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    pending: Vec<(String, IndexFact)>,
    seq: i64,
    total: u64,
}

impl IndexBulkWrite {
    /// Adds facts (a code repeated later replaces its earlier fact when loaded).
    pub async fn push(&mut self, facts: impl IntoIterator<Item = (String, IndexFact)>) -> Result<()> {
        for fact in facts {
            self.pending.push(fact);
            if self.pending.len() == SEGMENT_FACTS {
                self.flush().await?;
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let data = encode_segment(&self.pending);
        sqlx::query("INSERT INTO index_segments (seq, facts, data) VALUES ($1, $2, $3)")
            .bind(self.seq)
            .bind(self.pending.len() as i64)
            .bind(data)
            .execute(&mut *self.tx)
            .await?;
        self.seq += 1;
        self.total += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Writes the last segment and commits. Returns the number of facts written.
    pub async fn finish(mut self) -> Result<u64> {
        self.flush().await?;
        self.tx.commit().await?;
        Ok(self.total)
    }
}

/// Rows read per statement when loading or rebuilding.
const PAGE: i64 = 50_000;

impl Store {
    /// Every stored fact: the segments in order, then the rows the writer upserted since (in
    /// code order), each read in pages; `each` gets every page. A code may come twice (a segment's
    /// fact, then its newer row): the later one is current. Returns the number of facts read.
    pub async fn index_facts(&self, mut each: impl FnMut(Vec<(String, IndexFact)>)) -> Result<u64> {
        let mut total = 0u64;
        let mut after_seq = -1i64;
        loop {
            let rows: Vec<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT seq, data FROM index_segments WHERE seq > $1 ORDER BY seq LIMIT 4")
                    .bind(after_seq)
                    .fetch_all(&self.pool)
                    .await?;
            let Some(&(last, _)) = rows.last() else {
                break;
            };
            after_seq = last;
            for (seq, data) in rows {
                let page = decode_segment(&data).map_err(|e| StoreError::Corrupt(format!("segment {seq}: {e}")))?;
                total += page.len() as u64;
                each(page);
            }
        }
        let mut after = String::new();
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

    /// Whether some dossier has no fact (a database written before the index existed). Once
    /// segments exist they were written by a full rebuild over every dossier of the log, and every
    /// dossier written since has its row, so only a store without segments needs the check.
    pub async fn index_facts_incomplete(&self) -> Result<bool> {
        let (segments,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM index_segments")
            .fetch_one(&self.pool)
            .await?;
        if segments > 0 {
            return Ok(false);
        }
        let (missing,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM index_facts f WHERE f.code = d.code)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(missing > 0)
    }

    /// Upserts facts computed elsewhere as rows, as the dossier writer does (they overlay the
    /// segments).
    pub async fn put_index_facts(&self, facts: &[(String, IndexFact)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        write_facts(&mut tx, facts).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts replacing every stored fact in bulk (see [`IndexBulkWrite`]).
    pub async fn begin_index_bulk(&self) -> Result<IndexBulkWrite> {
        let mut tx = self.pool.begin().await?;
        // Writing first takes SQLite's write lock before anything is read.
        sqlx::query("DELETE FROM index_segments").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM index_facts").execute(&mut *tx).await?;
        Ok(IndexBulkWrite {
            tx,
            pending: Vec::with_capacity(SEGMENT_FACTS),
            seq: 0,
            total: 0,
        })
    }

    /// Recomputes every fact from the event log alone (replaying each dossier's events, with the
    /// original record of imported ones) and replaces the stored facts with them in bulk, in one
    /// transaction. Returns the number of dossiers.
    pub async fn rebuild_index_facts(&self) -> Result<u64> {
        let mut bulk = self.begin_index_bulk().await?;
        let mut after = String::new();
        loop {
            // A page of dossiers, then all their events in one ordered read.
            let codes: Vec<(String,)> =
                sqlx::query_as("SELECT DISTINCT code FROM dossier_events WHERE code > $1 ORDER BY code LIMIT $2")
                    .bind(&after)
                    .bind(PAGE / 10)
                    .fetch_all(&mut *bulk.tx)
                    .await?;
            let (Some((first,)), Some((last,))) = (codes.first(), codes.last()) else {
                break;
            };
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT code, event FROM dossier_events WHERE code >= $1 AND code <= $2 ORDER BY code, version",
            )
            .bind(first)
            .bind(last)
            .fetch_all(&mut *bulk.tx)
            .await?;
            after = last.clone();
            let facts = replay(rows)?;
            bulk.push(facts).await?;
        }
        bulk.finish().await
    }
}

/// The facts of the dossiers whose events (ordered by code, then version) are `rows`.
fn replay(rows: Vec<(String, String)>) -> Result<Vec<(String, IndexFact)>> {
    let mut facts = Vec::new();
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
            let next = dossier::apply(state.take(), &event).map_err(|e| StoreError::Corrupt(format!("{code}: {e}")))?;
            *state = Some(next);
        }
    }
    if let Some((c, Some(state), original)) = current.take() {
        facts.push((c.clone(), fact_of(&c, &state, original.as_ref())));
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(unit: &str, received: Option<i64>, closing: Option<i64>, due: Option<i64>) -> IndexFact {
        IndexFact {
            unit: unit.into(),
            received,
            closing,
            due,
            flags: 0,
            supplements: Vec::new(),
        }
    }

    fn sample() -> Vec<(String, IndexFact)> {
        let day = 86_400_000_000_000i64;
        let t = 1_700_000_000_000_000_000i64;
        let mut out = vec![
            (
                "H21.01-250101-0001".to_string(),
                fact("23575", Some(t), Some(t + day), Some(t + 3 * day)),
            ),
            ("H21.01-250101-0002".to_string(), fact("23575", None, None, None)),
            // Closed before it was accepted (bad imported data), and extreme instants.
            (
                "H21.01-250101-0010".to_string(),
                fact("000.00.12.H21", Some(t), Some(t - day), Some(i64::MIN)),
            ),
            ("X".to_string(), fact("", Some(i64::MAX), Some(i64::MIN), Some(0))),
            ("Hồ sơ-ư".to_string(), fact("23581", Some(-5), None, Some(7))),
            (String::new(), fact("23581", None, Some(t), None)),
        ];
        out[0].1.flags = u16::MAX;
        out[0].1.supplements = vec![(t + 10, t + day), (t + 2 * day, OPEN), (i64::MIN, i64::MAX - 1)];
        out[4].1.supplements = vec![(3, OPEN)];
        // A run of ordinary facts.
        for i in 0..500i64 {
            let mut f = fact(
                ["23575", "23581", "000.00.12.H21"][(i % 3) as usize],
                Some(t + i * 997),
                None,
                None,
            );
            f.closing = (i % 4 != 0).then_some(t + i * 997 + i * day / 7);
            f.due = (i % 5 != 0).then_some(t + i * 997 + 5 * day);
            f.flags = (i % 2048) as u16;
            out.push((format!("H21.02-{i:06}"), f));
        }
        out
    }

    #[test]
    fn segments_round_trip_every_field() {
        let facts = sample();
        let blob = encode_segment(&facts);
        assert_eq!(decode_segment(&blob).unwrap(), facts);
        assert!(blob.len() < facts.len() * 40, "{} bytes", blob.len());
        assert_eq!(decode_segment(&encode_segment(&[])).unwrap(), Vec::new());
    }

    #[test]
    fn damaged_segments_are_errors() {
        let blob = encode_segment(&sample());
        for cut in [0, 3, 4, 5, 40, blob.len() / 2, blob.len() - 1] {
            assert!(decode_segment(&blob[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert!(decode_segment(&longer).is_err());
        let mut other = blob.clone();
        other[0] = b'J';
        assert!(decode_segment(&other).is_err());
        // A fact count far beyond the blob is refused before allocating.
        let mut huge = SEGMENT_MAGIC.to_vec();
        put_varint(&mut huge, u64::MAX);
        put_varint(&mut huge, 0);
        assert!(decode_segment(&huge).is_err());
    }
}
