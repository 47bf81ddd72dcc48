//! The live QĐ 766 index (issue #7): every dossier's [`IndexFact`] in memory, in columns, one
//! partition per competent unit sorted by acceptance time. Loaded from `index_facts` at start and
//! updated by the dossier writer after every commit (before the writing request is answered), so
//! a reader sees its own writes and the table and the columns hold the same facts.
//!
//! A query for a set of units and a period [s, e) scans, per partition, only the blocks of rows
//! that can count: a dossier counts when accepted in [s, e) (R), accepted before s and closed at
//! or after s (B), or closed with a result in [s, e) (F). Each block keeps the range of its
//! acceptance times and of its closing times, so blocks accepted long before the period and
//! closed before it are skipped without reading their rows; the rows read are counted by
//! [`accumulate`], the same function the property tests compare with the reference
//! classification.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::RwLock;

use motcua_domain::index::{accumulate, IndexAccumulator, IndexFact, Row, NO_DUE, OPEN};

/// Rows per block of the skip summaries.
const BLOCK: usize = 256;

/// One competent unit's dossiers, sorted by acceptance time (not yet accepted last).
#[derive(Default)]
struct Partition {
    received: Vec<i64>,
    closing: Vec<i64>,
    due: Vec<i64>,
    flags: Vec<u16>,
    /// Supplement requests: offset into `supplements` and count.
    sup_at: Vec<u32>,
    sup_len: Vec<u16>,
    /// The dossier of each row (its number in [`Columns::codes`]).
    id: Vec<u32>,
    supplements: Vec<(i64, i64)>,
    /// Per block: the smallest and largest closing time (open counts as [`OPEN`]).
    block_min_closing: Vec<i64>,
    block_max_closing: Vec<i64>,
}

impl Partition {
    fn len(&self) -> usize {
        self.received.len()
    }

    fn insert(&mut self, pos: usize, id: u32, fact: &IndexFact) {
        self.received.insert(pos, fact.received.unwrap_or(OPEN));
        self.closing.insert(pos, fact.closing.unwrap_or(OPEN));
        self.due.insert(pos, fact.due.unwrap_or(NO_DUE));
        self.flags.insert(pos, fact.flags);
        let (at, len) = self.push_supplements(&fact.supplements);
        self.sup_at.insert(pos, at);
        self.sup_len.insert(pos, len);
        self.id.insert(pos, id);
        self.summarise_from(pos);
    }

    fn remove(&mut self, pos: usize) {
        self.received.remove(pos);
        self.closing.remove(pos);
        self.due.remove(pos);
        self.flags.remove(pos);
        self.sup_at.remove(pos);
        self.sup_len.remove(pos);
        self.id.remove(pos);
        self.summarise_from(pos);
    }

    /// Overwrites a row whose acceptance time is unchanged.
    fn update(&mut self, pos: usize, fact: &IndexFact) {
        self.closing[pos] = fact.closing.unwrap_or(OPEN);
        self.due[pos] = fact.due.unwrap_or(NO_DUE);
        self.flags[pos] = fact.flags;
        let same = {
            let (at, len) = (self.sup_at[pos] as usize, usize::from(self.sup_len[pos]));
            self.supplements.get(at..at + len) == Some(&fact.supplements[..])
        };
        if !same {
            let (at, len) = self.push_supplements(&fact.supplements);
            self.sup_at[pos] = at;
            self.sup_len[pos] = len;
        }
        self.summarise_block(pos / BLOCK);
    }

    /// Appends supplement requests to the arena (the replaced ones stay until the next load).
    fn push_supplements(&mut self, list: &[(i64, i64)]) -> (u32, u16) {
        if list.is_empty() {
            return (0, 0);
        }
        let at = u32::try_from(self.supplements.len()).unwrap_or(u32::MAX);
        // More than 65,535 supplement requests on one dossier is not a real history: keep the
        // first ones (two already make the dossier late).
        let len = u16::try_from(list.len()).unwrap_or(u16::MAX);
        self.supplements.extend_from_slice(&list[..usize::from(len)]);
        (at, len)
    }

    /// Recomputes the block summaries from the block holding row `pos` to the end.
    fn summarise_from(&mut self, pos: usize) {
        let blocks = self.len().div_ceil(BLOCK);
        self.block_min_closing.resize(blocks, OPEN);
        self.block_max_closing.resize(blocks, OPEN);
        for b in pos / BLOCK..blocks {
            self.summarise_block(b);
        }
    }

    fn summarise_block(&mut self, b: usize) {
        let rows = &self.closing[b * BLOCK..((b + 1) * BLOCK).min(self.len())];
        self.block_min_closing[b] = rows.iter().copied().min().unwrap_or(OPEN);
        self.block_max_closing[b] = rows.iter().copied().max().unwrap_or(OPEN);
    }

    /// Where a dossier accepted at `received` goes: after every row accepted at or before it.
    fn insertion_point(&self, received: i64) -> usize {
        self.received.partition_point(|&r| r <= received)
    }

    /// The row of dossier `id` accepted at `received`.
    fn find(&self, id: u32, received: i64) -> Option<usize> {
        let from = self.received.partition_point(|&r| r < received);
        (from..self.len())
            .take_while(|&i| self.received[i] == received)
            .find(|&i| self.id[i] == id)
    }

    /// Counts the rows that can count in [start, end) into `acc`.
    fn count(&self, acc: &mut IndexAccumulator, start: i64, end: i64) {
        let n = self.len();
        for b in 0..self.block_max_closing.len() {
            let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
            let (first, last) = (self.received[lo], self.received[hi - 1]);
            let (min_close, max_close) = (self.block_min_closing[b], self.block_max_closing[b]);
            let received_inside = first < end && last >= start;
            let backlog = first < start && max_close >= start;
            let closed_inside = max_close >= start && min_close < end;
            if !(received_inside || backlog || closed_inside) {
                continue;
            }
            for i in lo..hi {
                let at = self.sup_at[i] as usize;
                let len = usize::from(self.sup_len[i]);
                let row = Row {
                    received: self.received[i],
                    closing: self.closing[i],
                    due: self.due[i],
                    flags: self.flags[i],
                    supplements: if len == 0 { &[] } else { &self.supplements[at..at + len] },
                };
                accumulate(acc, row, start, end);
            }
        }
    }

    /// Rebuilds the columns sorted, after a bulk load, without the rows replaced while loading.
    fn sort(&mut self) {
        let mut order: Vec<usize> = (0..self.len()).filter(|&i| self.id[i] != DEAD).collect();
        // Ids are distinct, so the order is total and an unstable sort is deterministic.
        order.sort_unstable_by_key(|&i| (self.received[i], self.id[i]));
        fn permute<T: Copy>(v: &mut Vec<T>, order: &[usize]) {
            *v = order.iter().map(|&i| v[i]).collect();
        }
        permute(&mut self.received, &order);
        permute(&mut self.closing, &order);
        permute(&mut self.due, &order);
        permute(&mut self.flags, &order);
        permute(&mut self.sup_at, &order);
        permute(&mut self.sup_len, &order);
        permute(&mut self.id, &order);
        self.block_min_closing.clear();
        self.block_max_closing.clear();
        self.summarise_from(0);
    }

    fn push(&mut self, id: u32, fact: &IndexFact) {
        self.received.push(fact.received.unwrap_or(OPEN));
        self.closing.push(fact.closing.unwrap_or(OPEN));
        self.due.push(fact.due.unwrap_or(NO_DUE));
        self.flags.push(fact.flags);
        let (at, len) = self.push_supplements(&fact.supplements);
        self.sup_at.push(at);
        self.sup_len.push(len);
        self.id.push(id);
    }

    fn heap_bytes(&self) -> usize {
        self.received.capacity() * 8 * 3
            + self.flags.capacity() * 2
            + self.sup_at.capacity() * 4
            + self.sup_len.capacity() * 2
            + self.id.capacity() * 4
            + self.supplements.capacity() * 16
            + self.block_max_closing.capacity() * 16
    }
}

/// The id of a row replaced while loading (dropped when the partitions are sorted).
const DEAD: u32 = u32::MAX;

/// Every dossier's code, numbered by its id, with where its row is: the codes in one byte arena
/// and a hash table of ids rather than a map of boxed strings, which cost about 80 bytes per
/// dossier (most of the resident memory at 10M dossiers).
#[derive(Default)]
struct Codes {
    bytes: Vec<u8>,
    /// End offset in `bytes` of each id's code (it starts where the previous one ends).
    end: Vec<u32>,
    table: hashbrown::HashTable<u32>,
    hasher: std::hash::RandomState,
    /// The partition and acceptance time of each id's row.
    partition: Vec<u32>,
    received: Vec<i64>,
}

impl Codes {
    fn len(&self) -> usize {
        self.end.len()
    }

    fn code<'a>(bytes: &'a [u8], end: &[u32], id: u32) -> &'a [u8] {
        let id = id as usize;
        let start = if id == 0 { 0 } else { end[id - 1] as usize };
        &bytes[start..end[id] as usize]
    }

    fn find(&self, code: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(code.as_bytes());
        self.table
            .find(hash, |&id| Codes::code(&self.bytes, &self.end, id) == code.as_bytes())
            .copied()
    }

    /// Numbers a code not seen before.
    fn add(&mut self, code: &str, partition: u32, received: i64) -> u32 {
        let id = u32::try_from(self.end.len()).expect("more than 4 billion dossiers in the index");
        self.bytes.extend_from_slice(code.as_bytes());
        // 4 GiB of codes is over 100 million dossiers, beyond any province.
        self.end
            .push(u32::try_from(self.bytes.len()).expect("over 4 GiB of dossier codes in the index"));
        self.partition.push(partition);
        self.received.push(received);
        let hash = self.hasher.hash_one(code.as_bytes());
        let (bytes, end, hasher) = (&self.bytes, &self.end, &self.hasher);
        self.table
            .insert_unique(hash, id, |&other| hasher.hash_one(Codes::code(bytes, end, other)));
        id
    }

    fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
            + self.end.capacity() * 4
            + self.table.capacity() * 5
            + self.partition.capacity() * 4
            + self.received.capacity() * 8
    }
}

#[derive(Default)]
struct Columns {
    partitions: Vec<Partition>,
    /// The recorded unit (`DonViXuLy`) of each partition.
    units: Vec<String>,
    by_unit: HashMap<String, u32>,
    codes: Codes,
}

impl Columns {
    fn partition_of(&mut self, unit: &str) -> u32 {
        if let Some(&p) = self.by_unit.get(unit) {
            return p;
        }
        let p = self.partitions.len() as u32;
        self.partitions.push(Partition::default());
        self.units.push(unit.to_string());
        self.by_unit.insert(unit.to_string(), p);
        p
    }

    fn apply(&mut self, code: &str, fact: &IndexFact) {
        let partition = self.partition_of(&fact.unit);
        let received = fact.received.unwrap_or(OPEN);
        let id = match self.codes.find(code) {
            Some(id) => {
                let (old_partition, old_received) =
                    (self.codes.partition[id as usize], self.codes.received[id as usize]);
                let part = &mut self.partitions[old_partition as usize];
                if let Some(pos) = part.find(id, old_received) {
                    if old_partition == partition && old_received == received {
                        part.update(pos, fact);
                        return;
                    }
                    part.remove(pos);
                }
                self.codes.partition[id as usize] = partition;
                self.codes.received[id as usize] = received;
                id
            }
            None => self.codes.add(code, partition, received),
        };
        let part = &mut self.partitions[partition as usize];
        let pos = part.insertion_point(received);
        part.insert(pos, id, fact);
    }
}

/// Gathers facts page by page (as they are read from the store) for [`IndexCache::install`],
/// without holding them all as separate objects.
#[derive(Default)]
pub struct IndexLoader {
    columns: Columns,
    /// Before sorting: the position of each id's row in its partition.
    pos: Vec<u32>,
}

impl IndexLoader {
    /// Adds facts; a code seen again replaces its row (the store yields a segment's fact, then
    /// the newer row the writer upserted).
    pub fn add<'a>(&mut self, facts: impl IntoIterator<Item = &'a (String, IndexFact)>) {
        let c = &mut self.columns;
        for (code, fact) in facts {
            let partition = c.partition_of(&fact.unit);
            let received = fact.received.unwrap_or(OPEN);
            let part_len = c.partitions[partition as usize].len() as u32;
            let id = match c.codes.find(code) {
                Some(id) => {
                    // Unsorted yet: mark the old row dead, the sort drops it.
                    let old = c.codes.partition[id as usize] as usize;
                    c.partitions[old].id[self.pos[id as usize] as usize] = DEAD;
                    c.codes.partition[id as usize] = partition;
                    c.codes.received[id as usize] = received;
                    self.pos[id as usize] = part_len;
                    id
                }
                None => {
                    self.pos.push(part_len);
                    c.codes.add(code, partition, received)
                }
            };
            c.partitions[partition as usize].push(id, fact);
        }
    }

    /// Dossiers gathered so far.
    pub fn len(&self) -> usize {
        self.columns.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The in-memory index of every dossier's fact.
#[derive(Default)]
pub struct IndexCache {
    columns: RwLock<Columns>,
}

/// Size figures of the cache.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct CacheStats {
    pub dossiers: usize,
    pub partitions: usize,
    /// Bytes of the columns (not counting the code → row map).
    pub column_bytes: usize,
    /// Bytes of the code → row map.
    pub code_bytes: usize,
}

impl IndexCache {
    pub fn new() -> IndexCache {
        IndexCache::default()
    }

    fn read<T>(&self, f: impl FnOnce(&Columns) -> T) -> T {
        match self.columns.read() {
            Ok(c) => f(&c),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    fn write<T>(&self, f: impl FnOnce(&mut Columns) -> T) -> T {
        match self.columns.write() {
            Ok(mut c) => f(&mut c),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Replaces the contents with `facts` (distinct codes, any order).
    pub fn load<'a>(&self, facts: impl IntoIterator<Item = &'a (String, IndexFact)>) {
        let mut loader = IndexLoader::default();
        loader.add(facts);
        self.install(loader);
    }

    /// Replaces the contents with what `loader` gathered.
    pub fn install(&self, loader: IndexLoader) {
        let mut c = loader.columns;
        c.codes.bytes.shrink_to_fit();
        for p in &mut c.partitions {
            p.sort();
        }
        self.write(|cols| *cols = c);
    }

    /// Applies committed facts (the writer's listener).
    pub fn apply(&self, facts: &[(String, IndexFact)]) {
        self.write(|c| {
            for (code, fact) in facts {
                c.apply(code, fact);
            }
        });
    }

    /// The recorded units (`DonViXuLy`) that have dossiers.
    pub fn units(&self) -> Vec<String> {
        self.read(|c| c.units.clone())
    }

    /// Counts the dossiers of the units for which `select` is true (by recorded unit) over
    /// [start, end) in nanoseconds.
    pub fn count(&self, select: impl Fn(&str) -> bool, start: i64, end: i64) -> IndexAccumulator {
        self.read(|c| {
            let mut acc = IndexAccumulator::new();
            for (part, unit) in c.partitions.iter().zip(&c.units) {
                if select(unit) {
                    part.count(&mut acc, start, end);
                }
            }
            acc
        })
    }

    pub fn stats(&self) -> CacheStats {
        self.read(|c| CacheStats {
            dossiers: c.codes.len(),
            partitions: c.partitions.len(),
            column_bytes: c.partitions.iter().map(Partition::heap_bytes).sum(),
            code_bytes: c.codes.heap_bytes(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::index::flag;

    /// xorshift64*: deterministic random numbers without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    const DAY: i64 = 86_400_000_000_000;

    /// A random fact over 400 days: some never accepted, some open, some closed before they were
    /// accepted (bad imported data), with up to three supplement requests.
    fn fact(rng: &mut Rng, units: &[&str]) -> IndexFact {
        let received = (rng.below(20) != 0).then(|| rng.below(400 * DAY as u64) as i64);
        let base = received.unwrap_or(rng.below(400 * DAY as u64) as i64);
        let closing = match rng.below(10) {
            0..=2 => None,
            3 => Some(base - rng.below(5 * DAY as u64) as i64),
            _ => Some(base + rng.below(60 * DAY as u64) as i64),
        };
        let due = (rng.below(10) != 0).then(|| base + rng.below(30 * DAY as u64) as i64);
        let mut supplements = Vec::new();
        let mut at = base;
        for _ in 0..rng.below(4) {
            at += rng.below(10 * DAY as u64) as i64;
            let until = if rng.below(4) == 0 {
                OPEN
            } else {
                at + rng.below(5 * DAY as u64) as i64
            };
            supplements.push((at, until));
            at = if until == OPEN { at } else { until };
        }
        IndexFact {
            unit: units[rng.below(units.len() as u64) as usize].to_string(),
            received,
            closing,
            due,
            flags: (rng.next() & 0x7ff) as u16 | if rng.below(2) == 0 { flag::RESULT } else { 0 },
            supplements,
        }
    }

    fn brute(facts: &HashMap<String, IndexFact>, unit: Option<&str>, start: i64, end: i64) -> IndexAccumulator {
        let mut acc = IndexAccumulator::new();
        for f in facts.values() {
            if unit.is_none_or(|u| f.unit == u) {
                f.accumulate(&mut acc, start, end);
            }
        }
        acc
    }

    #[test]
    fn scans_equal_counting_every_fact_through_loads_and_updates() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let units = ["23575", "23581", "000.00.12.H21"];
        let mut truth: HashMap<String, IndexFact> = HashMap::new();
        for i in 0..6_000 {
            truth.insert(format!("D{i:05}"), fact(&mut rng, &units));
        }
        let cache = IndexCache::new();
        // Loaded in two pages, one code repeated with a newer fact.
        let mut loader = IndexLoader::default();
        let all: Vec<(String, IndexFact)> = truth.iter().map(|(c, f)| (c.clone(), f.clone())).collect();
        loader.add(&all[..3_000]);
        let replaced = fact(&mut rng, &units);
        loader.add(&[(all[10].0.clone(), replaced.clone())]);
        loader.add(&all[3_000..]);
        let mut reloaded = all[10].clone();
        reloaded.1 = replaced;
        truth.insert(reloaded.0.clone(), reloaded.1.clone());
        cache.install(loader);
        assert_eq!(cache.stats().dossiers, 6_000);
        let check = |truth: &HashMap<String, IndexFact>, rng: &mut Rng| {
            for _ in 0..60 {
                let start = (rng.below(420) as i64 - 10) * DAY;
                let end = start + (1 + rng.below(120) as i64) * DAY;
                let unit = match rng.below(4) {
                    0 => None,
                    k => Some(units[k as usize - 1]),
                };
                let got = cache.count(|u| unit.is_none_or(|w| w == u), start, end);
                assert_eq!(got, brute(truth, unit, start, end), "unit {unit:?} [{start}, {end})");
            }
        };
        check(&truth, &mut rng);
        // Live updates: new dossiers, changed ones (accepted, closed, moved to another unit).
        for round in 0..5 {
            let mut batch = Vec::new();
            for j in 0..400 {
                let code = if rng.below(2) == 0 {
                    format!("N{round}-{j}")
                } else {
                    format!("D{:05}", rng.below(6_000))
                };
                let f = fact(&mut rng, &units);
                truth.insert(code.clone(), f.clone());
                batch.push((code, f));
            }
            // Some updates keep the acceptance time and change only the rest.
            for _ in 0..100 {
                let code = format!("D{:05}", rng.below(6_000));
                let mut f = truth[&code].clone();
                f.closing = Some(f.received.unwrap_or(0) + DAY);
                f.supplements.push((f.received.unwrap_or(0), OPEN));
                truth.insert(code.clone(), f.clone());
                batch.push((code, f));
            }
            cache.apply(&batch);
            check(&truth, &mut rng);
        }
        assert_eq!(cache.stats().dossiers, truth.len());
    }
}
