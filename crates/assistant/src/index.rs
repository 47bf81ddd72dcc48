//! The retrieval index: BM25F over syllables, syllable pairs and accented syllables.
//!
//! Terms are keyed as strings: a folded syllable (`khai`), a folded pair (`khai sinh`), or an
//! accented syllable prefixed with `~` (`~khái`). Each posting keeps per-field frequencies so
//! that the field weights can be switched at query time (for the ablation).

use std::collections::{HashMap, HashSet};

use motcua_domain::catalog::{Level, Procedure};

use crate::text::{analyze, Tok};

/// Indexed fields, in posting order.
pub(crate) const NAME: usize = 0;
pub(crate) const ALIAS: usize = 1;
pub(crate) const FIELD: usize = 2;
pub(crate) const DOCS: usize = 3;
pub(crate) const LEGAL: usize = 4;
pub(crate) const FIELDS: usize = 5;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Posting {
    pub doc: u32,
    pub tf: [u16; FIELDS],
}

#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub postings: HashMap<String, Vec<Posting>>,
    /// Field lengths in syllables, per document.
    pub lens: Vec<[f32; FIELDS]>,
    pub avg: [f32; FIELDS],
    /// Folded syllables of name and aliases, per document (for query coverage).
    pub name_words: Vec<HashSet<String>>,
    /// Folded syllables of the name and of each alias, per document (for name precision).
    pub names: Vec<Vec<Vec<String>>>,
    /// Whether a province or commune handles the procedure.
    pub local: Vec<bool>,
    /// Folded syllables of length ≥ 4 grouped by length, for typo look-up.
    pub vocab_by_len: HashMap<usize, Vec<String>>,
    pub vocab: HashSet<String>,
    /// Per term, the number of documents whose name or aliases contain it.
    pub name_df: HashMap<String, u32>,
}

/// "Thủ tục đăng ký khai sinh" → "đăng ký khai sinh": the prefix is noise in a name.
fn strip_prefix(toks: &mut Vec<Tok>) {
    if toks.len() > 2 && toks[0].fold == "thu" && toks[1].fold == "tuc" {
        toks.drain(..2);
    }
}

fn add_terms(toks: &[Tok], field: usize, tf: &mut HashMap<String, [u16; FIELDS]>) {
    // Look up by &str first: most terms repeat, so most keys need no allocation.
    let mut bump = |key: &str| match tf.get_mut(key) {
        Some(e) => e[field] = e[field].saturating_add(1),
        None => {
            let mut e = [0; FIELDS];
            e[field] = 1;
            tf.insert(key.to_owned(), e);
        }
    };
    let mut buf = String::new();
    for t in toks {
        bump(&t.fold);
        if t.is_accented() {
            buf.clear();
            buf.push('~');
            buf.push_str(&t.acc);
            bump(&buf);
        }
    }
    for w in toks.windows(2) {
        buf.clear();
        buf.push_str(&w[0].fold);
        buf.push(' ');
        buf.push_str(&w[1].fold);
        bump(&buf);
    }
}

/// [`analyze`] word by word through a cache: the catalogue has a few thousand distinct
/// syllables but about a million running ones, and normalisation dominates the build time.
fn cached<'a>(cache: &mut HashMap<&'a str, Vec<Tok>>, text: &'a str) -> Vec<Tok> {
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        out.extend_from_slice(cache.entry(word).or_insert_with(|| analyze(word)));
    }
    out
}

impl Index {
    /// `shorthand` is applied to names and aliases too, so that an abbreviation written in a
    /// procedure name ("cấp thẻ BHYT") meets its expansion in the question.
    pub fn build(
        procs: &[Procedure],
        aliases: &HashMap<&str, Vec<&str>>,
        shorthand: &[crate::dictionary::Rule],
    ) -> Index {
        let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
        let mut lens = Vec::with_capacity(procs.len());
        let mut name_words = Vec::with_capacity(procs.len());
        let mut names = Vec::with_capacity(procs.len());
        let mut sums = [0f32; FIELDS];
        let mut cache: HashMap<&str, Vec<Tok>> = HashMap::new();
        for (i, p) in procs.iter().enumerate() {
            let mut name = crate::rewrite(cached(&mut cache, &p.name), shorthand);
            strip_prefix(&mut name);
            let alias_list: Vec<Vec<Tok>> = aliases
                .get(p.code.as_str())
                .map(|a| a.iter().map(|s| crate::rewrite(analyze(s), shorthand)).collect())
                .unwrap_or_default();
            let alias: Vec<Tok> = alias_list.iter().flatten().cloned().collect();
            let docs: Vec<Tok> = p.documents.iter().flat_map(|d| cached(&mut cache, &d.name)).collect();
            let legal: Vec<Tok> = p.legal_basis.iter().flat_map(|l| cached(&mut cache, &l.name)).collect();
            let field = cached(&mut cache, &p.field);
            let fields: [&[Tok]; FIELDS] = [&name, &alias, &field, &docs, &legal];
            let mut tf: HashMap<String, [u16; FIELDS]> = HashMap::new();
            let mut len = [0f32; FIELDS];
            for (f, toks) in fields.iter().enumerate() {
                add_terms(toks, f, &mut tf);
                len[f] = toks.len() as f32;
                sums[f] += len[f];
            }
            for (term, tf) in tf {
                postings.entry(term).or_default().push(Posting { doc: i as u32, tf });
            }
            lens.push(len);
            name_words.push(name.iter().chain(&alias).map(|t| t.fold.clone()).collect());
            let folded = |toks: &[Tok]| toks.iter().map(|t| t.fold.clone()).collect::<Vec<_>>();
            let mut own = vec![folded(&name)];
            own.extend(alias_list.iter().map(|a| folded(a)));
            names.push(own);
        }
        let n = procs.len().max(1) as f32;
        let mut avg = sums.map(|s| (s / n).max(1.0));
        // Few procedures have aliases, so their own average would be tiny and punish every
        // alias for its length; an alias is an alternative name, normalised like one.
        avg[ALIAS] = avg[NAME];
        let vocab: HashSet<String> = postings
            .keys()
            .filter(|k| !k.starts_with('~') && !k.contains(' '))
            .cloned()
            .collect();
        let mut vocab_by_len: HashMap<usize, Vec<String>> = HashMap::new();
        for w in &vocab {
            let l = w.chars().count();
            if l >= 3 {
                vocab_by_len.entry(l).or_default().push(w.clone());
            }
        }
        let name_df = postings
            .iter()
            .map(|(k, ps)| {
                let df = ps.iter().filter(|p| p.tf[NAME] > 0 || p.tf[ALIAS] > 0).count();
                (k.clone(), df as u32)
            })
            .filter(|&(_, df)| df > 0)
            .collect();
        let local = procs
            .iter()
            .map(|p| p.level.iter().any(|l| matches!(l, Level::Province | Level::Commune)))
            .collect();
        Index {
            postings,
            lens,
            avg,
            name_words,
            names,
            local,
            vocab_by_len,
            vocab,
            name_df,
        }
    }

    pub fn len(&self) -> usize {
        self.lens.len()
    }

    /// BM25 inverse document frequency of `term` (0 when unknown).
    pub fn idf(&self, term: &str) -> f32 {
        let df = self.postings.get(term).map_or(0, Vec::len) as f32;
        if df == 0.0 {
            return 0.0;
        }
        let n = self.len() as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Inverse document frequency of `term` among names and aliases: "chữ ký" fills the
    /// documents field of half the catalogue but names few procedures, and a name match on
    /// it should weigh what a name match says (0 when no name holds the term).
    pub fn name_idf(&self, term: &str) -> f32 {
        let df = self.name_df.get(term).copied().unwrap_or(0) as f32;
        if df == 0.0 {
            return 0.0;
        }
        let n = self.len() as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Known folded syllables one edit away from `word`, for typo tolerance.
    pub fn near(&self, word: &str) -> Vec<&str> {
        let l = word.chars().count();
        let mut out = Vec::new();
        for len in [l.saturating_sub(1), l, l + 1] {
            if let Some(ws) = self.vocab_by_len.get(&len) {
                out.extend(
                    ws.iter()
                        .filter(|w| crate::text::within_one_edit(word, w))
                        .map(String::as_str),
                );
            }
        }
        out
    }
}
