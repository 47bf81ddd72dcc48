//! The evaluation harness behind `motcua bench assistant` and the crate's tests.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::{Assistant, Intent, Lang};

/// The tuning set (`crates/assistant/eval/questions.jsonl`).
pub const BUNDLED_QUESTIONS: &str = include_str!("../eval/questions.jsonl");
/// The first held-out set (`eval/heldout-v1.jsonl`): its misses were analysed, so it is now
/// tuning material, evaluated together with [`BUNDLED_QUESTIONS`].
pub const BUNDLED_HELDOUT_V1: &str = include_str!("../eval/heldout-v1.jsonl");
/// The second held-out set (`eval/heldout-v2.jsonl`): spent like the first (its misses were
/// analysed), so it is tuning material too.
pub const BUNDLED_HELDOUT_V2: &str = include_str!("../eval/heldout-v2.jsonl");
/// Typo variants of tuning questions (`eval/typos.jsonl`), to judge typo tolerance.
pub const BUNDLED_TYPOS: &str = include_str!("../eval/typos.jsonl");
/// The held-out set, written after the tuning was frozen (`eval/heldout.jsonl`).
pub const BUNDLED_HELDOUT: &str = include_str!("../eval/heldout.jsonl");

/// One evaluation question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub question: String,
    /// accented | unaccented | abbreviated | informal | typo.
    pub variant: String,
    /// Expected intent (serde spelling).
    pub intent: String,
    /// Procedure codes counted as a right answer; empty for status and out-of-scope questions.
    #[serde(default)]
    pub accepted: Vec<String>,
    /// The dossier code the question contains, if any.
    #[serde(default)]
    pub dossier_code: Option<String>,
}

/// A malformed line of an evaluation file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct EvalError {
    pub line: usize,
    pub message: String,
}

/// Parses JSON Lines questions; blank lines are skipped.
pub fn load_questions(text: &str) -> Result<Vec<Question>, EvalError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let q: Question = serde_json::from_str(line).map_err(|e| EvalError {
            line: i + 1,
            message: e.to_string(),
        })?;
        if Intent::from_code(&q.intent).is_none() {
            return Err(EvalError {
                line: i + 1,
                message: format!("unknown intent `{}`", q.intent),
            });
        }
        out.push(q);
    }
    Ok(out)
}

/// A ratio with its counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rate {
    pub hits: usize,
    pub total: usize,
}

impl Rate {
    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hits += usize::from(hit);
    }

    /// Percentage, 100 when there is nothing to measure.
    pub fn pct(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.hits as f64 / self.total as f64
        }
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:6.1} % ({}/{})", self.pct(), self.hits, self.total)
    }
}

/// The figures of one evaluation run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvalReport {
    pub questions: usize,
    /// Top-1 accuracy per variant, over questions with accepted codes.
    pub top1: BTreeMap<String, Rate>,
    pub top1_all: Rate,
    pub recall5: Rate,
    pub mrr: f64,
    pub intent: Rate,
    /// Questions with a dossier code: status intent and the exact code extracted.
    pub status: Rate,
    /// Out-of-scope questions answered with no procedure.
    pub out_of_scope: Rate,
    /// In-scope procedure questions wrongly declined.
    pub false_out_of_scope: usize,
    /// Questions answered with choices instead of a single procedure.
    pub with_choices: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Ids of procedure questions whose top-1 was wrong (for tuning and review).
    #[serde(skip)]
    pub misses: Vec<String>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs every question through `assistant` (Vietnamese answers) and scores it.
pub fn run(assistant: &Assistant, questions: &[Question]) -> EvalReport {
    let mut r = EvalReport {
        questions: questions.len(),
        ..EvalReport::default()
    };
    let mut lat = Vec::with_capacity(questions.len());
    let mut rr_sum = 0.0;
    for q in questions {
        let t = Instant::now();
        let reply = assistant.ask(&q.question, Lang::Vi);
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        r.intent.add(reply.intent.code() == q.intent);
        if !reply.choices.is_empty() {
            r.with_choices += 1;
        }
        if let Some(code) = &q.dossier_code {
            r.status
                .add(reply.intent == Intent::Status && reply.dossier_code.as_deref() == Some(code));
        }
        if q.intent == "other" {
            r.out_of_scope.add(reply.out_of_scope && reply.procedures.is_empty());
        }
        if q.accepted.is_empty() {
            continue;
        }
        if reply.out_of_scope {
            r.false_out_of_scope += 1;
        }
        let rank = reply.procedures.iter().position(|c| q.accepted.contains(&c.code));
        let hit = rank == Some(0);
        r.top1.entry(q.variant.clone()).or_default().add(hit);
        r.top1_all.add(hit);
        r.recall5.add(rank.is_some_and(|k| k < 5));
        rr_sum += rank.map_or(0.0, |k| 1.0 / (k as f64 + 1.0));
        if !hit {
            r.misses.push(q.id.clone());
        }
    }
    r.mrr = if r.top1_all.total == 0 {
        0.0
    } else {
        rr_sum / r.top1_all.total as f64
    };
    lat.sort_by(f64::total_cmp);
    r.p50_ms = percentile(&lat, 50.0);
    r.p99_ms = percentile(&lat, 99.0);
    r
}

impl EvalReport {
    /// The figures as one JSON object (the last line of `motcua bench assistant`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut top1 = serde_json::Map::new();
        for (k, v) in &self.top1 {
            top1.insert(k.clone(), serde_json::json!(round(v.pct())));
        }
        serde_json::json!({
            "bench": "assistant",
            "questions": self.questions,
            "top1_pct": top1,
            "top1_all_pct": round(self.top1_all.pct()),
            "recall5_pct": round(self.recall5.pct()),
            "mrr": round(self.mrr * 100.0) / 100.0,
            "intent_pct": round(self.intent.pct()),
            "status_pct": round(self.status.pct()),
            "out_of_scope_pct": round(self.out_of_scope.pct()),
            "false_out_of_scope": self.false_out_of_scope,
            "p50_ms": round(self.p50_ms * 1000.0) / 1000.0,
            "p99_ms": round(self.p99_ms * 1000.0) / 1000.0,
        })
    }
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<28} value", "metric")?;
        writeln!(f, "{:-<28} {:-<22}", "", "")?;
        for (variant, rate) in &self.top1 {
            writeln!(f, "{:<28} {rate}", format!("top-1 {variant}"))?;
        }
        writeln!(f, "{:<28} {}", "top-1 all", self.top1_all)?;
        writeln!(f, "{:<28} {}", "recall@5", self.recall5)?;
        writeln!(f, "{:<28} {:8.3}", "MRR", self.mrr)?;
        writeln!(f, "{:<28} {}", "intent accuracy", self.intent)?;
        writeln!(f, "{:<28} {}", "status code extraction", self.status)?;
        writeln!(f, "{:<28} {}", "out-of-scope, no procedure", self.out_of_scope)?;
        writeln!(f, "{:<28} {:8}", "in-scope wrongly declined", self.false_out_of_scope)?;
        writeln!(f, "{:<28} {:8}", "answered with choices", self.with_choices)?;
        writeln!(f, "{:<28} {:8.3} ms", "latency p50", self.p50_ms)?;
        write!(f, "{:<28} {:8.3} ms", "latency p99", self.p99_ms)
    }
}
