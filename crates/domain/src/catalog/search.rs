//! Full-text search over procedure names, fields and agencies.
//!
//! Ranking: BM25 over folded syllables and syllable pairs, with the name weighted far above
//! field and agency; then bonuses for the query appearing as a phrase in the name, the name
//! starting with it (ignoring a leading "Thủ tục"), and an exact name match; a small bonus
//! when accented query syllables match exactly (so "má" prefers "má" over "mà"), and a mild
//! preference for procedures handled at province or commune level.

use std::collections::HashMap;

use super::{Level, Procedure};
use crate::text::{fold, normalize_accented};

const K1: f32 = 1.2;
const B: f32 = 0.75;
const W_NAME: f32 = 1.0;
const W_OTHER: f32 = 0.15;
const W_PAIR: f32 = 1.5;
const PHRASE: f32 = 0.6;
const PREFIX: f32 = 0.4;
const EXACT: f32 = 0.4;
const ACCENT: f32 = 0.1;
const LOCAL: f32 = 1.05;

/// Restricts search results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// Only procedures handled at this level.
    pub level: Option<Level>,
    /// Only procedures of this field (linh_vuc), compared accent- and case-insensitively.
    pub field: Option<String>,
}

#[derive(Debug, Clone)]
struct Doc {
    /// Folded name without a leading "thu tuc".
    name: String,
    accented: Vec<String>,
    name_len: f32,
    other_len: f32,
    levels: Vec<Level>,
    field: String,
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    tf_name: u16,
    tf_other: u16,
}

/// An in-memory index over a slice of procedures; results refer to positions in that slice.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    docs: Vec<Doc>,
    postings: HashMap<String, Vec<Posting>>,
    avg_name: f32,
    avg_other: f32,
}

/// Syllables and adjacent syllable pairs ("dang", "ky", "dang ky", …).
fn terms(folded: &str) -> Vec<(String, bool)> {
    let syl: Vec<&str> = folded.split(' ').filter(|s| !s.is_empty()).collect();
    let mut out: Vec<(String, bool)> = syl.iter().map(|s| (s.to_string(), false)).collect();
    out.extend(syl.windows(2).map(|w| (format!("{} {}", w[0], w[1]), true)));
    out
}

fn strip_thu_tuc(folded: &str) -> &str {
    folded.strip_prefix("thu tuc ").unwrap_or(folded)
}

fn accented_syllables(s: &str) -> Vec<String> {
    normalize_accented(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

impl SearchIndex {
    /// Builds the index.
    pub fn new(procs: &[Procedure]) -> Self {
        let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
        let mut docs = Vec::with_capacity(procs.len());
        let (mut sum_name, mut sum_other) = (0.0f32, 0.0f32);
        for (i, p) in procs.iter().enumerate() {
            let name = fold(&p.name);
            let other = fold(&format!("{} {}", p.field, p.agency));
            let mut tf: HashMap<String, (u16, u16)> = HashMap::new();
            let name_terms = terms(&name);
            let other_terms = terms(&other);
            for (t, _) in &name_terms {
                let e = tf.entry(t.clone()).or_default();
                e.0 = e.0.saturating_add(1);
            }
            for (t, _) in &other_terms {
                let e = tf.entry(t.clone()).or_default();
                e.1 = e.1.saturating_add(1);
            }
            for (t, (n, o)) in tf {
                postings.entry(t).or_default().push(Posting {
                    doc: i as u32,
                    tf_name: n,
                    tf_other: o,
                });
            }
            let name_len = name_terms.len() as f32;
            let other_len = other_terms.len() as f32;
            sum_name += name_len;
            sum_other += other_len;
            docs.push(Doc {
                name: strip_thu_tuc(&name).to_string(),
                accented: accented_syllables(&p.name),
                name_len,
                other_len,
                levels: p.level.clone(),
                field: fold(&p.field),
            });
        }
        let n = docs.len().max(1) as f32;
        SearchIndex {
            avg_name: (sum_name / n).max(1.0),
            avg_other: (sum_other / n).max(1.0),
            docs,
            postings,
        }
    }

    /// Number of indexed procedures.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn passes(&self, doc: &Doc, filter: &SearchFilter, field: &Option<String>) -> bool {
        filter.level.is_none_or(|l| doc.levels.contains(&l)) && field.as_ref().is_none_or(|f| doc.field == *f)
    }

    /// Procedures matching `query`, best first, as (index into the indexed slice, score).
    /// An empty query lists every procedure passing the filter, in slice order, with score 0.
    pub fn search(&self, query: &str, filter: &SearchFilter) -> Vec<(usize, f32)> {
        let q = fold(query);
        let field = filter.field.as_deref().map(fold);
        if q.is_empty() {
            return (0..self.docs.len())
                .filter(|&i| self.passes(&self.docs[i], filter, &field))
                .map(|i| (i, 0.0))
                .collect();
        }
        let n = self.docs.len() as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        let mut idf_sum = 0.0f32;
        let mut seen: Vec<String> = Vec::new();
        for (term, pair) in terms(&q) {
            if seen.contains(&term) {
                continue;
            }
            seen.push(term.clone());
            let Some(list) = self.postings.get(&term) else {
                continue;
            };
            let df = list.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let w = if pair { W_PAIR } else { 1.0 };
            if !pair {
                idf_sum += idf;
            }
            for p in list {
                let Some(doc) = self.docs.get(p.doc as usize) else {
                    continue;
                };
                let bm = |tf: u16, len: f32, avg: f32| {
                    let tf = f32::from(tf);
                    if tf == 0.0 {
                        0.0
                    } else {
                        tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg))
                    }
                };
                let s = idf
                    * w
                    * (W_NAME * bm(p.tf_name, doc.name_len, self.avg_name)
                        + W_OTHER * bm(p.tf_other, doc.other_len, self.avg_other));
                *scores.entry(p.doc).or_default() += s;
            }
        }
        let q_core = strip_thu_tuc(&q);
        let q_accented = accented_syllables(query);
        let accented_query = q_accented.iter().any(|s| !s.is_ascii());
        let mut out: Vec<(usize, f32)> = scores
            .into_iter()
            .filter_map(|(d, mut s)| {
                let doc = self.docs.get(d as usize)?;
                if !self.passes(doc, filter, &field) {
                    return None;
                }
                let padded = format!(" {} ", doc.name);
                if padded.contains(&format!(" {q_core} ")) {
                    s += PHRASE * idf_sum;
                    if doc.name.starts_with(q_core) && doc.name.as_bytes().get(q_core.len()).is_none_or(|&b| b == b' ')
                    {
                        s += PREFIX * idf_sum;
                    }
                    if doc.name == q_core {
                        s += EXACT * idf_sum;
                    }
                }
                if accented_query && !q_accented.is_empty() {
                    let hits = q_accented.iter().filter(|a| doc.accented.contains(a)).count();
                    s += ACCENT * idf_sum * hits as f32 / q_accented.len() as f32;
                }
                if doc.levels.iter().any(|l| matches!(l, Level::Province | Level::Commune)) {
                    s *= LOCAL;
                }
                Some((d as usize, s))
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::fixtures;
    use crate::catalog::{parse_catalog_jsonl, Procedure};

    fn top(procs: &[Procedure], idx: &SearchIndex, q: &str) -> Vec<String> {
        idx.search(q, &SearchFilter::default())
            .iter()
            .take(5)
            .map(|(i, _)| procs[*i].code.clone())
            .collect()
    }

    #[test]
    fn khai_sinh_first_with_and_without_diacritics() {
        let p = fixtures();
        let idx = SearchIndex::new(&p);
        for q in [
            "đăng ký khai sinh",
            "dang ky khai sinh",
            "Đăng  ký khai-sinh",
            "ĐĂNG KÝ KHAI SINH",
        ] {
            assert_eq!(top(&p, &idx, q)[0], "1.001193", "{q}");
        }
    }

    #[test]
    fn filters() {
        let p = fixtures();
        let idx = SearchIndex::new(&p);
        let central = SearchFilter {
            level: Some(Level::Central),
            field: None,
        };
        for (i, _) in idx.search("căn cước", &central) {
            assert!(p[i].level.contains(&Level::Central));
        }
        let f = SearchFilter {
            level: None,
            field: Some("ho tich".into()),
        };
        let r = idx.search("khai sinh", &f);
        assert!(!r.is_empty());
        assert!(r.iter().all(|(i, _)| fold(&p[*i].field) == "ho tich"));
        assert_eq!(idx.search("", &SearchFilter::default()).len(), p.len());
        assert!(idx.search("zzzz qqqq", &SearchFilter::default()).is_empty());
    }

    /// Common queries checked by hand against the full catalogue; skipped without gzip.
    #[test]
    fn common_queries_on_full_catalogue() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/catalog/procedures.jsonl.gz");
        let Ok(out) = std::process::Command::new("gzip").arg("-dc").arg(path).output() else {
            return;
        };
        if !out.status.success() {
            return;
        }
        let (p, _) = parse_catalog_jsonl(&String::from_utf8(out.stdout).unwrap());
        let idx = SearchIndex::new(&p);
        let cases: &[(&str, &str)] = &[
            ("đăng ký khai sinh", "1.001193"),
            ("dang ky khai sinh", "1.001193"),
            ("đăng ký kết hôn", "1.000894"),
            ("dang ky ket hon", "1.000894"),
            ("đăng ký khai tử", "1.000656"),
            ("đăng ký thường trú", "1.004222"),
            ("dang ky thuong tru", "1.004222"),
            ("xóa đăng ký thường trú", "1.003197"),
            ("đăng ký thành lập hộ kinh doanh", "1.001612"),
            ("chứng thực di chúc", "2.001019"),
            ("đăng ký lại khai sinh", "1.004884"),
            ("khai sinh lưu động", "1.003583"),
            ("cap doi giay chung nhan quyen su dung dat", "1.012783"),
        ];
        for (q, want) in cases {
            let got = top(&p, &idx, q);
            println!("{q:<45} → {got:?}");
            assert_eq!(got.first().map(String::as_str), Some(*want), "{q}");
        }
        // Broader queries: the expected procedure is among the first five.
        let loose: &[(&str, &str)] = &[("cấp lại căn cước", "1.000757"), ("lý lịch tư pháp", "3.000333")];
        for (q, want) in loose {
            let got = top(&p, &idx, q);
            println!("{q:<45} → {got:?}");
            assert!(got.iter().any(|c| c == want), "{q}: {got:?}");
        }
        // Permit query: the top two issue a building permit, the top five all name one.
        let hits = idx.search("cấp giấy phép xây dựng", &SearchFilter::default());
        for (rank, (i, _)) in hits.iter().take(5).enumerate() {
            let name = strip_thu_tuc(&fold(&p[*i].name)).to_string();
            println!("cấp giấy phép xây dựng → {} {}", p[*i].code, p[*i].name);
            assert!(name.contains("giay phep xay dung"), "{name}");
            if rank < 2 {
                assert!(name.starts_with("cap giay phep xay dung"), "{name}");
            }
        }
    }
}
