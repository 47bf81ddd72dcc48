//! The provincial administrative-reform index (PAR Index): a criteria tree (field → criterion →
//! component criterion) with maximum points, yearly self-assessed and appraised scores at the
//! leaves, and the year-over-year comparison.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

/// A node of the tree; a node without children is scored directly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParNode {
    /// Unique in the tree (`"1"`, `"1.2"`, `"1.2.1"`).
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub max: f64,
    #[serde(default)]
    pub children: Vec<ParNode>,
}

/// A version of the criteria tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParTree {
    pub version: String,
    pub name: String,
    #[serde(default)]
    pub sample: bool,
    /// The fields (lĩnh vực), the first level.
    pub fields: Vec<ParNode>,
}

/// The score of one leaf in one year.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParScore {
    #[serde(default)]
    pub self_assessed: Option<f64>,
    #[serde(default)]
    pub appraised: Option<f64>,
    /// Document reference or URL of the evidence.
    #[serde(default)]
    pub evidence: String,
}

impl ParScore {
    /// The appraised score when there is one, else the self-assessment.
    pub fn effective(&self) -> Option<f64> {
        self.appraised.or(self.self_assessed)
    }
}

/// The scores of one year, per leaf id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParYear {
    pub year: i32,
    pub tree_version: String,
    pub scores: BTreeMap<String, ParScore>,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParError {
    #[error("node {0} is defined twice")]
    Duplicate(String),
    #[error("node {id}: max {max} differs from its children's sum {sum}")]
    MaxMismatch { id: String, max: f64, sum: f64 },
    #[error("node {0}: bad id or negative maximum")]
    BadNode(String),
    #[error("score of {0}: not a leaf of the tree")]
    UnknownLeaf(String),
    #[error("score of {id}: {score} outside 0..={max}")]
    OutOfRange { id: String, score: f64, max: f64 },
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn walk<'a>(nodes: &'a [ParNode], depth: usize, out: &mut Vec<(&'a ParNode, usize)>) {
    for n in nodes {
        out.push((n, depth));
        walk(&n.children, depth + 1, out);
    }
}

impl ParTree {
    /// Every node with its depth (0 = field), depth-first in display order.
    pub fn nodes(&self) -> Vec<(&ParNode, usize)> {
        let mut out = Vec::new();
        walk(&self.fields, 0, &mut out);
        out
    }

    pub fn max(&self) -> f64 {
        self.fields.iter().map(|f| f.max).sum()
    }

    pub fn validate(&self) -> Result<(), Vec<ParError>> {
        let mut errors = Vec::new();
        let mut ids = HashSet::new();
        for (n, _) in self.nodes() {
            if !ids.insert(n.id.as_str()) {
                errors.push(ParError::Duplicate(n.id.clone()));
            }
            if !super::valid_id(&n.id) || !n.max.is_finite() || n.max < 0.0 {
                errors.push(ParError::BadNode(n.id.clone()));
            }
            if !n.children.is_empty() {
                let sum: f64 = n.children.iter().map(|c| c.max).sum();
                if !close(sum, n.max) {
                    errors.push(ParError::MaxMismatch {
                        id: n.id.clone(),
                        max: n.max,
                        sum,
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl ParYear {
    /// Scores only on leaves of `tree`, each within 0..=max.
    pub fn validate(&self, tree: &ParTree) -> Result<(), Vec<ParError>> {
        let leaves: BTreeMap<&str, f64> = tree
            .nodes()
            .into_iter()
            .filter(|(n, _)| n.children.is_empty())
            .map(|(n, _)| (n.id.as_str(), n.max))
            .collect();
        let mut errors = Vec::new();
        for (id, s) in &self.scores {
            let Some(&max) = leaves.get(id.as_str()) else {
                errors.push(ParError::UnknownLeaf(id.clone()));
                continue;
            };
            for score in [s.self_assessed, s.appraised].into_iter().flatten() {
                if !score.is_finite() || score < 0.0 || score > max + 1e-9 {
                    errors.push(ParError::OutOfRange {
                        id: id.clone(),
                        score,
                        max,
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Self-assessed and effective (appraised, else self-assessed) totals of every node: leaves
/// from the scores, inner nodes as the sums of their children; `None` when no leaf below is scored.
pub fn par_totals(tree: &ParTree, year: &ParYear) -> BTreeMap<String, (Option<f64>, Option<f64>)> {
    fn go(
        node: &ParNode,
        year: &ParYear,
        out: &mut BTreeMap<String, (Option<f64>, Option<f64>)>,
    ) -> (Option<f64>, Option<f64>) {
        let result = if node.children.is_empty() {
            let s = year.scores.get(&node.id);
            (s.and_then(|s| s.self_assessed), s.and_then(ParScore::effective))
        } else {
            let add = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
            };
            node.children.iter().fold((None, None), |(s, e), c| {
                let (cs, ce) = go(c, year, out);
                (add(s, cs), add(e, ce))
            })
        };
        let result = (result.0.map(round2), result.1.map(round2));
        out.insert(node.id.clone(), result);
        result
    }
    let mut out = BTreeMap::new();
    for f in &tree.fields {
        go(f, year, &mut out);
    }
    out
}

/// One node in the comparison of two years.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParNodeChange {
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// 0 field, 1 criterion, 2 component criterion.
    pub depth: usize,
    pub max: f64,
    pub previous: Option<f64>,
    pub current: Option<f64>,
    pub current_self_assessed: Option<f64>,
    /// current − previous, 2 decimals, when both are known.
    pub change: Option<f64>,
    pub evidence: String,
}

/// The comparison of a year with the previous one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParComparison {
    pub tree_version: String,
    pub year: i32,
    pub previous_year: Option<i32>,
    pub total: Option<f64>,
    pub previous_total: Option<f64>,
    pub max: f64,
    /// Every node, depth-first.
    pub nodes: Vec<ParNodeChange>,
    /// Criteria and component criteria (depth ≥ 1) that lost points, the largest loss first.
    pub lost: Vec<ParNodeChange>,
}

/// Compares `current` with `previous` (scores of the same tree; `None`: no earlier year).
pub fn compare_par(tree: &ParTree, current: &ParYear, previous: Option<&ParYear>) -> ParComparison {
    let now = par_totals(tree, current);
    let before = previous.map(|p| par_totals(tree, p)).unwrap_or_default();
    let nodes: Vec<ParNodeChange> = tree
        .nodes()
        .into_iter()
        .map(|(n, depth)| {
            let (self_assessed, current_value) = now.get(&n.id).copied().unwrap_or((None, None));
            let previous_value = before.get(&n.id).and_then(|t| t.1);
            ParNodeChange {
                id: n.id.clone(),
                name: n.name.clone(),
                name_en: n.name_en.clone(),
                depth,
                max: n.max,
                previous: previous_value,
                current: current_value,
                current_self_assessed: self_assessed,
                change: current_value.zip(previous_value).map(|(c, p)| round2(c - p)),
                evidence: current
                    .scores
                    .get(&n.id)
                    .map(|s| s.evidence.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let mut lost: Vec<ParNodeChange> = nodes
        .iter()
        .filter(|n| n.depth >= 1 && n.change.is_some_and(|c| c < 0.0))
        .cloned()
        .collect();
    lost.sort_by(|a, b| {
        a.change
            .unwrap_or(0.0)
            .total_cmp(&b.change.unwrap_or(0.0))
            .then_with(|| a.id.cmp(&b.id))
    });
    let total_of = |totals: &BTreeMap<String, (Option<f64>, Option<f64>)>| {
        let values: Vec<f64> = tree
            .fields
            .iter()
            .filter_map(|f| totals.get(&f.id).and_then(|t| t.1))
            .collect();
        (!values.is_empty()).then(|| round2(values.iter().sum()))
    };
    ParComparison {
        tree_version: tree.version.clone(),
        year: current.year,
        previous_year: previous.map(|p| p.year),
        total: total_of(&now),
        previous_total: previous.and_then(|_| total_of(&before)),
        max: round2(tree.max()),
        nodes,
        lost,
    }
}
