//! The virtual assistant (trợ lý ảo) of motcua: finds the procedure a citizen asks about in
//! the catalogue and answers the facet asked (documents, fee, time, where, online) from the
//! catalogue's structured fields; recognises dossier codes for status look-ups.
//!
//! Pure and synchronous: everything is built in [`Assistant::new`]; [`Assistant::ask`] does no
//! I/O. No generative model: retrieval is BM25F over Vietnamese syllables and syllable pairs,
//! in accented and folded forms, with a staff-editable [`Dictionary`] of abbreviations and
//! synonyms, typo tolerance and a preference for procedures handled locally.

mod answer;
pub mod dictionary;
pub mod eval;
mod index;
mod text;

use std::collections::HashMap;

use motcua_domain::catalog::Procedure;
use motcua_domain::ids::looks_like_dossier_code;
use serde::{Deserialize, Serialize};

pub use answer::{status_answer, StatusView};
pub use dictionary::{Dictionary, DictionaryError};

use index::{Index, ALIAS, DOCS, FIELD, FIELDS, LEGAL, NAME};
use text::{analyze, Tok};

/// Language of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

/// What the citizen asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Thành phần hồ sơ — required documents (the default facet).
    Documents,
    /// Lệ phí.
    Fee,
    /// Thời hạn giải quyết.
    Time,
    /// Nơi nộp hồ sơ.
    Where,
    /// Whether it can be done online.
    Online,
    /// A dossier's status.
    Status,
    /// Anything else, including out-of-scope questions.
    Other,
}

impl Intent {
    /// Parses the serde spelling ("documents", "fee", …).
    pub fn from_code(s: &str) -> Option<Intent> {
        Some(match s.trim() {
            "documents" => Intent::Documents,
            "fee" => Intent::Fee,
            "time" => Intent::Time,
            "where" => Intent::Where,
            "online" => Intent::Online,
            "status" => Intent::Status,
            "other" => Intent::Other,
            _ => return None,
        })
    }

    /// The serde spelling.
    pub fn code(self) -> &'static str {
        match self {
            Intent::Documents => "documents",
            Intent::Fee => "fee",
            Intent::Time => "time",
            Intent::Where => "where",
            Intent::Online => "online",
            Intent::Status => "status",
            Intent::Other => "other",
        }
    }
}

/// A procedure proposed for the question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub code: String,
    pub name: String,
    pub score: f32,
}

/// The assistant's reply (the body of `POST /api/v1/assistant/ask`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    pub intent: Intent,
    /// Best first, at most 5.
    pub procedures: Vec<Candidate>,
    pub answer: String,
    /// A dossier code found in the question (status look-up).
    pub dossier_code: Option<String>,
    /// When the best candidates score too close to choose: up to 3 to pick from.
    pub choices: Vec<Candidate>,
    pub out_of_scope: bool,
}

/// Components of the retrieval, each switchable to measure what it brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssistantConfig {
    /// Dictionary synonyms/abbreviations and procedure aliases.
    pub synonyms: bool,
    /// Edit distance 1 on unknown folded syllables.
    pub typo: bool,
    /// Syllable pairs as terms.
    pub pairs: bool,
    /// Documents, legal basis and field indexed besides the name (weighted far below it).
    pub field_weights: bool,
    /// Prefer procedures handled at province or commune level.
    pub level_preference: bool,
    /// Remove intent phrases ("cần gì", "bao lâu") and stop words before retrieval.
    pub intent_removal: bool,
    /// Score accented syllables when the question has diacritics, and let diacritics tell a
    /// content word from a stop word folded alike ("căn"/"cần", "thẻ"/"thế").
    pub accents: bool,
    /// Re-rank the best candidates by the share of their name the question covers, so
    /// "cấp giấy phép lái xe" prefers "Cấp giấy phép lái xe" over "Cấp lại giấy phép lái xe".
    pub name_precision: bool,
    /// Weigh a term matched in a name by its rarity among names, not in the whole catalogue
    /// text (where "chứng thực", "chữ ký" are everywhere).
    pub name_idf: bool,
    /// Split the question into clauses and weigh the clause carrying the request ("… muốn
    /// nhập hộ khẩu cho vợ") above the clauses telling the story ("cưới xong …").
    pub clause_focus: bool,
}

impl Default for AssistantConfig {
    fn default() -> Self {
        AssistantConfig {
            synonyms: true,
            typo: true,
            pairs: true,
            field_weights: true,
            level_preference: true,
            intent_removal: true,
            accents: true,
            name_precision: true,
            name_idf: true,
            clause_focus: true,
        }
    }
}

impl AssistantConfig {
    /// Plain BM25 over folded syllables of the name: the ablation baseline.
    pub fn baseline() -> Self {
        AssistantConfig {
            synonyms: false,
            typo: false,
            pairs: false,
            field_weights: false,
            level_preference: false,
            intent_removal: false,
            accents: false,
            name_precision: false,
            name_idf: false,
            clause_focus: false,
        }
    }
}

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Field weights: name and aliases ≫ field ≫ documents ≫ legal basis.
const WEIGHTS: [f32; FIELDS] = {
    let mut w = [0.0; FIELDS];
    w[NAME] = 1.0;
    w[ALIAS] = 1.0;
    w[FIELD] = 0.25;
    w[DOCS] = 0.08;
    w[LEGAL] = 0.03;
    w
};
const W_PAIR: f32 = 1.0;
const W_ACCENT: f32 = 0.3;
const W_TYPO: f32 = 0.6;
const LOCAL_BOOST: f32 = 1.15;
/// Below this share of the question's (idf-weighted) words found in the best name, the
/// question is not about a procedure.
const MIN_COVERAGE: f32 = 0.2;
/// Weight of the name-precision re-ranking and how many candidates it looks at.
const NAME_PRECISION: f32 = 0.5;
const RERANK: usize = 40;
/// Weight of the terms of the request clause relative to the other clauses.
const FOCUS: f32 = 2.0;
/// Candidates scoring within this ratio of the best are "too close" to choose between.
const CLOSE: f32 = 0.97;

/// The assistant over one catalogue.
#[derive(Debug, Clone)]
pub struct Assistant {
    procs: Vec<Procedure>,
    dict: Dictionary,
    index: Index,
    config: AssistantConfig,
}

/// One weighted query term.
struct Term {
    key: String,
    weight: f32,
}

impl Assistant {
    /// Builds the index with every component on.
    pub fn new(procedures: Vec<Procedure>, dictionary: Dictionary) -> Assistant {
        Assistant::with_config(procedures, dictionary, AssistantConfig::default())
    }

    /// Builds the index with the given components.
    pub fn with_config(procedures: Vec<Procedure>, dictionary: Dictionary, config: AssistantConfig) -> Assistant {
        let mut aliases: HashMap<&str, Vec<&str>> = HashMap::new();
        if config.synonyms {
            for (code, phrase) in &dictionary.aliases {
                aliases.entry(code.as_str()).or_default().push(phrase.as_str());
            }
        }
        let index = Index::build(&procedures, &aliases, &dictionary.shorthand);
        Assistant {
            procs: procedures,
            dict: dictionary,
            index,
            config,
        }
    }

    /// The active configuration.
    pub fn config(&self) -> AssistantConfig {
        self.config
    }

    /// Number of indexed procedures.
    pub fn len(&self) -> usize {
        self.procs.len()
    }

    /// Whether the catalogue is empty.
    pub fn is_empty(&self) -> bool {
        self.procs.is_empty()
    }

    /// Answers one question.
    pub fn ask(&self, question: &str, lang: Lang) -> Reply {
        if let Some(code) = looks_like_dossier_code(question) {
            let code = code.to_string();
            return Reply {
                intent: Intent::Status,
                procedures: Vec::new(),
                answer: answer::status_pending(&code, lang),
                dossier_code: Some(code),
                choices: Vec::new(),
                out_of_scope: false,
            };
        }
        let toks = if self.config.clause_focus {
            text::analyze_clauses(question, &self.dict.clause_breaks)
        } else {
            analyze(question)
        };
        let toks = rewrite(self.respell(toks), &self.dict.shorthand);
        let (intent, toks) = self.detect_intent(toks);
        let requests: Vec<u16> = if self.config.clause_focus {
            (0..toks.len())
                .filter(|&i| self.dict.request.iter().any(|p| matches_at(&toks, p, i)))
                .map(|i| toks[i].clause)
                .collect()
        } else {
            Vec::new()
        };
        if intent == Some(Intent::Status) {
            return Reply {
                intent: Intent::Status,
                procedures: Vec::new(),
                answer: answer::status_needs_code(lang),
                dossier_code: None,
                choices: Vec::new(),
                out_of_scope: false,
            };
        }
        let marked_oos = self.dict.out_of_scope.iter().any(|p| find(&toks, p, 0).is_some());
        let toks = if self.config.synonyms {
            rewrite(toks, &self.dict.synonyms)
        } else {
            toks
        };
        let toks: Vec<Tok> = if self.config.intent_removal {
            toks.into_iter()
                .filter(|t| {
                    !self.dict.stopwords.contains(&t.fold)
                        || (self.config.accents && t.is_accented() && !self.dict.stopwords_acc.contains(&t.acc))
                })
                .collect()
        } else {
            toks
        };
        let focus = if self.config.clause_focus {
            focus_clause(&toks, &requests)
        } else {
            None
        };
        let ranked = self.rank(&toks, focus);
        let in_scope = ranked
            .first()
            .is_some_and(|&(doc, _)| !marked_oos && self.coverage(&toks, doc) >= MIN_COVERAGE);
        if !in_scope {
            return Reply {
                intent: Intent::Other,
                procedures: Vec::new(),
                answer: answer::out_of_scope(lang),
                dossier_code: None,
                choices: Vec::new(),
                out_of_scope: true,
            };
        }
        let intent = intent.unwrap_or(Intent::Documents);
        let procedures: Vec<Candidate> = ranked
            .iter()
            .take(5)
            .map(|&(doc, score)| self.candidate(doc, score))
            .collect();
        let best = ranked[0].1;
        let choices: Vec<Candidate> = if ranked.len() > 1 && ranked[1].1 >= best * CLOSE {
            procedures
                .iter()
                .filter(|c| c.score >= best * CLOSE)
                .take(3)
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let answer = if choices.is_empty() {
            answer::facet(&self.procs[ranked[0].0], intent, lang)
        } else {
            answer::choose(&choices, lang)
        };
        Reply {
            intent,
            procedures,
            answer,
            dossier_code: None,
            choices,
            out_of_scope: false,
        }
    }

    /// Undoes a held-down key ("lâuu", "kyy", "xee"): an unknown syllable with a doubled
    /// letter becomes the known syllable without it. Runs before the dictionary, so intent
    /// phrases and shorthand see the corrected word.
    fn respell(&self, toks: Vec<Tok>) -> Vec<Tok> {
        if !self.config.typo {
            return toks;
        }
        toks.into_iter()
            .map(|t| {
                if self.index.vocab.contains(&t.fold) {
                    return t;
                }
                let fixed = Tok {
                    acc: text::undouble(&t.acc),
                    fold: text::undouble(&t.fold),
                    clause: t.clause,
                };
                if fixed.fold != t.fold && self.index.vocab.contains(&fixed.fold) {
                    fixed
                } else {
                    t
                }
            })
            .collect()
    }

    fn candidate(&self, doc: usize, score: f32) -> Candidate {
        let p = &self.procs[doc];
        Candidate {
            code: p.code.clone(),
            name: p.name.clone(),
            score: (score * 1000.0).round() / 1000.0,
        }
    }

    /// Finds facet phrases and returns the facet asked, with the phrases removed from the
    /// tokens (when intent removal is on). Rule: a status phrase always wins; otherwise the
    /// first facet asked wins ("nộp ở đâu, cần gì" is a `where` question); weak phrases (a
    /// place named, "trực tuyến" said in passing) count only when no facet is asked outright.
    fn detect_intent(&self, toks: Vec<Tok>) -> (Option<Intent>, Vec<Tok>) {
        let mut first: Option<Intent> = None;
        let mut weak: Option<Intent> = None;
        let mut status = false;
        let mut keep = vec![true; toks.len()];
        let mut i = 0;
        while i < toks.len() {
            let strong = self.dict.intents.iter().find(|(_, p)| matches_at(&toks, p, i));
            let hit = strong.map(|h| (h, true)).or_else(|| {
                self.dict
                    .weak_intents
                    .iter()
                    .find(|(_, p)| matches_at(&toks, p, i))
                    .map(|h| (h, false))
            });
            match hit {
                Some(((intent, p), is_strong)) => {
                    status |= *intent == Intent::Status;
                    let slot = if is_strong { &mut first } else { &mut weak };
                    slot.get_or_insert(*intent);
                    for k in keep.iter_mut().skip(i).take(p.len()) {
                        *k = false;
                    }
                    i += p.len();
                }
                None => i += 1,
            }
        }
        let found = if status { Some(Intent::Status) } else { first.or(weak) };
        if !self.config.intent_removal {
            return (found, toks);
        }
        let rest = toks.into_iter().zip(keep).filter_map(|(t, k)| k.then_some(t)).collect();
        (found, rest)
    }

    fn terms(&self, toks: &[Tok], focus: Option<u16>) -> Vec<Term> {
        let mut terms = Vec::new();
        let boost = |t: &Tok| if focus == Some(t.clause) { FOCUS } else { 1.0 };
        for t in toks {
            let b = boost(t);
            if self.index.vocab.contains(&t.fold) || !self.config.typo {
                terms.push(Term {
                    key: t.fold.clone(),
                    weight: b,
                });
            } else if t.fold.chars().count() >= 4 {
                // An unknown word: most likely a typo of a known one.
                for near in self.index.near(&t.fold) {
                    terms.push(Term {
                        key: near.to_string(),
                        weight: W_TYPO * b,
                    });
                }
            }
            if self.config.accents && t.is_accented() {
                terms.push(Term {
                    key: format!("~{}", t.acc),
                    weight: W_ACCENT * b,
                });
            }
        }
        if self.config.pairs {
            for w in toks.windows(2) {
                terms.push(Term {
                    key: format!("{} {}", w[0].fold, w[1].fold),
                    weight: W_PAIR * boost(&w[0]).min(boost(&w[1])),
                });
            }
        }
        terms
    }

    /// Documents by descending score.
    fn rank(&self, toks: &[Tok], focus: Option<u16>) -> Vec<(usize, f32)> {
        let mut scores = vec![0f32; self.index.len()];
        let weights = if self.config.field_weights {
            WEIGHTS
        } else {
            let mut w = [0.0; FIELDS];
            w[NAME] = 1.0;
            w[ALIAS] = 1.0;
            w
        };
        for term in self.terms(toks, focus) {
            let Some(postings) = self.index.postings.get(&term.key) else {
                continue;
            };
            let idf = self.index.idf(&term.key) * term.weight;
            let name_idf = if self.config.name_idf {
                self.index.name_idf(&term.key) * term.weight
            } else {
                idf
            };
            for p in postings {
                let d = p.doc as usize;
                let in_name = p.tf[NAME] > 0 || p.tf[ALIAS] > 0;
                let idf = if in_name { 0.5 * (name_idf + idf) } else { idf };
                let lens = &self.index.lens[d];
                let mut tf = 0f32;
                for f in 0..FIELDS {
                    if p.tf[f] > 0 && weights[f] > 0.0 {
                        let norm = 1.0 - B + B * lens[f] / self.index.avg[f];
                        tf += weights[f] * f32::from(p.tf[f]) / norm;
                    }
                }
                if tf > 0.0 {
                    scores[d] += idf * tf * (K1 + 1.0) / (tf + K1);
                }
            }
        }
        if self.config.level_preference {
            for (s, &local) in scores.iter_mut().zip(&self.index.local) {
                if local {
                    *s *= LOCAL_BOOST;
                }
            }
        }
        let mut ranked: Vec<(usize, f32)> = scores.into_iter().enumerate().filter(|&(_, s)| s > 0.0).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if self.config.name_precision && !ranked.is_empty() {
            let pairs: std::collections::HashSet<String> = toks
                .windows(2)
                .map(|w| format!("{} {}", w[0].fold, w[1].fold))
                .collect();
            let words: std::collections::HashSet<&str> = toks.iter().map(|t| t.fold.as_str()).collect();
            ranked.truncate(RERANK);
            for (doc, score) in ranked.iter_mut() {
                let best = self.index.names[*doc]
                    .iter()
                    .map(|name| precision(name, &words, &pairs))
                    .fold(0f32, f32::max);
                *score *= 1.0 + NAME_PRECISION * best;
            }
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        ranked
    }

    /// Share of the question's content (idf-weighted folded syllables) found in the name or
    /// aliases of `doc`. Typos count when a near word is there.
    fn coverage(&self, toks: &[Tok], doc: usize) -> f32 {
        let words = &self.index.name_words[doc];
        let (mut have, mut total) = (0f32, 0f32);
        for t in toks {
            let idf = self.index.idf(&t.fold).max(if self.index.vocab.contains(&t.fold) {
                0.0
            } else {
                // Unknown words weigh like rare ones: they are what the question is about.
                3.0
            });
            total += idf;
            let hit = words.contains(&t.fold)
                || (self.config.typo
                    && t.fold.chars().count() >= 4
                    && !self.index.vocab.contains(&t.fold)
                    && self.index.near(&t.fold).iter().any(|w| words.contains(*w)));
            if hit {
                have += idf;
            }
        }
        if total == 0.0 {
            0.0
        } else {
            have / total
        }
    }
}

/// The clause carrying the request, when the question has several clauses with content
/// words: the last one holding a request phrase (`requests`: their clauses), otherwise the
/// last one.
fn focus_clause(toks: &[Tok], requests: &[u16]) -> Option<u16> {
    let first = toks.first()?.clause;
    if toks.iter().all(|t| t.clause == first) {
        return None;
    }
    toks.iter()
        .rev()
        .map(|t| t.clause)
        .find(|c| requests.contains(c))
        .or(toks.last().map(|t| t.clause))
}

/// Share of a name's syllable pairs (or, for a one-syllable name, of its syllables) that the
/// question contains: high when the name says nothing the question does not.
fn precision(
    name: &[String],
    words: &std::collections::HashSet<&str>,
    pairs: &std::collections::HashSet<String>,
) -> f32 {
    if name.len() < 2 {
        return name
            .first()
            .map_or(0.0, |w| f32::from(u8::from(words.contains(w.as_str()))));
    }
    let hit = name
        .windows(2)
        .filter(|w| pairs.contains(&format!("{} {}", w[0], w[1])))
        .count();
    hit as f32 / (name.len() - 1) as f32
}

/// Whether `pattern` (folded words) occurs in `toks` at `at`.
fn matches_at(toks: &[Tok], pattern: &[Tok], at: usize) -> bool {
    at + pattern.len() <= toks.len() && toks[at..].iter().zip(pattern).all(|(t, p)| t.matches(p))
}

/// First position ≥ `from` where `pattern` occurs.
fn find(toks: &[Tok], pattern: &[Tok], from: usize) -> Option<usize> {
    (from..toks.len()).find(|&i| matches_at(toks, pattern, i))
}

/// Rewrites every occurrence of a rule's pattern (longest rules first, left to right).
pub(crate) fn rewrite(toks: Vec<Tok>, rules: &[dictionary::Rule]) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        match rules.iter().find(|r| matches_at(&toks, &r.pattern, i)) {
            Some(rule) => {
                let clause = toks[i].clause;
                out.extend(analyze(&rule.replacement).into_iter().map(|t| Tok { clause, ..t }));
                i += rule.pattern.len();
            }
            None => {
                out.push(toks[i].clone());
                i += 1;
            }
        }
    }
    out
}
