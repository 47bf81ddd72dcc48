//! Steering data (issue #8): digital-transformation / reform plans with indicators and targets
//! per period, the provincial administrative-reform index (PAR Index) as a criteria tree with
//! yearly scores, directives assigned to units, bottlenecks, and the steering-committee report.
//!
//! Everything here is pure: the store keeps the data, the web layer measures system indicators
//! through the QĐ 766 index and hands the figures to these functions.

mod directives;
mod par;
mod report;

#[cfg(test)]
mod tests;

pub use directives::{
    completion_by_unit, directive_state, Directive, DirectiveState, DirectiveStatus, ProgressReport, UnitCompletion,
    DUE_SOON_DAYS,
};
pub use par::{compare_par, par_totals, ParComparison, ParError, ParNode, ParNodeChange, ParScore, ParTree, ParYear};
pub use report::{
    rank_bottlenecks, Bottleneck, BottleneckKind, DirectiveRow, DirectiveSection, IndexSection, IndexUnitRow,
    ParSection, PlanIndicatorRow, PlanSection, SourceRef, SteeringReport,
};

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::index::{IndexTable, Period};

/// Whether a larger measured value is better (online share) or a smaller one (late dossiers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

/// How a value builds up over a period, which decides the forecast.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// A share or level (online share in %): the ratio of two counts that both grow with time,
    /// so its period-to-date value is already the linear forecast of the whole period.
    #[default]
    Level,
    /// A count that accumulates from zero (trainings held, systems connected): the linear
    /// forecast is value ÷ elapsed share of the period.
    Cumulative,
}

/// Where an indicator's measured value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ValueSource {
    /// Computed by motcua from its own dossier data ([`SYSTEM_METRICS`]).
    System,
    /// Entered by the responsible unit with evidence, counted once approved by another user.
    Reported,
}

/// Status of an indicator for a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The period is over and the target was not met.
    Missed,
    /// The linear forecast from the elapsed share of the period misses the target (or nothing
    /// has been measured yet although the period has begun).
    AtRisk,
    /// The forecast meets the target.
    OnTrack,
    /// The period is over and the target is met, or a cumulative target is already met.
    Achieved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Missed => "missed",
            Status::AtRisk => "at_risk",
            Status::OnTrack => "on_track",
            Status::Achieved => "achieved",
        }
    }

    /// The status as Vietnamese reports name it.
    pub fn name_vi(self) -> &'static str {
        match self {
            Status::Missed => "Không đạt",
            Status::AtRisk => "Có nguy cơ không đạt",
            Status::OnTrack => "Đúng tiến độ",
            Status::Achieved => "Đạt",
        }
    }
}

/// One indicator of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanIndicator {
    /// Unique in its plan (`"cds-01"`); letters, digits, `-`, `_`, `.`.
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// Unit of measure as printed (`"%"`, `"hệ thống"`).
    pub unit_of_measure: String,
    pub direction: Direction,
    #[serde(default)]
    pub aggregation: Aggregation,
    /// Code of the organisation answerable for it; its officers enter reported values.
    pub responsible_unit: String,
    pub source: ValueSource,
    /// For `system`: the id of one of [`SYSTEM_METRICS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// Period key (`2024`, `2024-Q1`, `2024-03`) → target in `unit_of_measure`.
    pub targets: BTreeMap<String, f64>,
}

/// A plan: a document of the province with its indicators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub year: i32,
    /// The decision or plan number it comes from (`"Kế hoạch số …/KH-UBND"`).
    #[serde(default)]
    pub document: String,
    /// Illustrative data, not an official document: shown as such everywhere.
    #[serde(default)]
    pub sample: bool,
    pub indicators: Vec<PlanIndicator>,
}

/// What is wrong with plan data.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("{0} is not a period: use YYYY, YYYY-Qn or YYYY-MM")]
    BadPeriod(String),
    #[error("{what} {id:?}: use 1–64 letters, digits, '-', '_' or '.'")]
    BadId { what: &'static str, id: String },
    #[error("indicator {0} is defined twice")]
    DuplicateIndicator(String),
    #[error("indicator {indicator}: {reason}")]
    Indicator { indicator: String, reason: String },
    #[error("the plan needs a name and at least one indicator")]
    Empty,
}

/// Ids appear in URLs: keep them plain.
pub fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

impl Plan {
    /// Every problem of the plan (ids, duplicates, targets on periods of another year, a system
    /// indicator without a known metric, a reported one with a metric).
    pub fn validate(&self) -> Result<(), Vec<PlanError>> {
        let mut errors = Vec::new();
        if !valid_id(&self.id) {
            errors.push(PlanError::BadId {
                what: "plan",
                id: self.id.clone(),
            });
        }
        if self.name.trim().is_empty() || self.indicators.is_empty() {
            errors.push(PlanError::Empty);
        }
        let mut seen = std::collections::HashSet::new();
        for ind in &self.indicators {
            let bad = |reason: String| PlanError::Indicator {
                indicator: ind.id.clone(),
                reason,
            };
            if !valid_id(&ind.id) {
                errors.push(PlanError::BadId {
                    what: "indicator",
                    id: ind.id.clone(),
                });
            }
            if !seen.insert(ind.id.as_str()) {
                errors.push(PlanError::DuplicateIndicator(ind.id.clone()));
            }
            if ind.name.trim().is_empty() || ind.responsible_unit.trim().is_empty() {
                errors.push(bad("name and responsible unit are required".into()));
            }
            match (ind.source, ind.metric.as_deref()) {
                (ValueSource::System, Some(m)) if system_metric(m).is_some() => {}
                (ValueSource::System, other) => errors.push(bad(format!(
                    "a system indicator needs one of the metrics {}, not {other:?}",
                    SYSTEM_METRICS.iter().map(|m| m.id).collect::<Vec<_>>().join(", ")
                ))),
                (ValueSource::Reported, Some(_)) => errors.push(bad("a reported indicator has no metric".into())),
                (ValueSource::Reported, None) => {}
            }
            for (key, target) in &ind.targets {
                match PlanPeriod::parse(key) {
                    Ok(p) if p.year() == self.year => {}
                    Ok(_) => errors.push(bad(format!(
                        "target period {key} lies outside the plan year {}",
                        self.year
                    ))),
                    Err(e) => errors.push(bad(e.to_string())),
                }
                if !target.is_finite() {
                    errors.push(bad(format!("target of {key} is not a number")));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    pub fn indicator(&self, id: &str) -> Option<&PlanIndicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The period shown when none is asked for: the quarter of `today` while the plan's year
    /// runs, else the whole year.
    pub fn default_period(&self, today: NaiveDate) -> PlanPeriod {
        if today.year() == self.year {
            PlanPeriod::Quarter(self.year, (today.month() - 1) / 3 + 1)
        } else {
            PlanPeriod::Year(self.year)
        }
    }
}

/// A period of a plan: a year, a quarter or a month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlanPeriod {
    Year(i32),
    Quarter(i32, u32),
    Month(i32, u32),
}

impl PlanPeriod {
    /// `2024`, `2024-Q1` (or `2024-q1`), `2024-03`.
    pub fn parse(text: &str) -> Result<PlanPeriod, PlanError> {
        let bad = || PlanError::BadPeriod(text.to_string());
        let text = text.trim();
        let (year, rest) = match text.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (text, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let period = match rest {
            None => PlanPeriod::Year(year),
            Some(q) if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
                PlanPeriod::Quarter(year, q[1..].parse().map_err(|_| bad())?)
            }
            Some(m) if m.len() == 2 && m.bytes().all(|b| b.is_ascii_digit()) => {
                PlanPeriod::Month(year, m.parse().map_err(|_| bad())?)
            }
            Some(_) => return Err(bad()),
        };
        period.days().map_err(|_| bad())?;
        Ok(period)
    }

    pub fn year(self) -> i32 {
        match self {
            PlanPeriod::Year(y) | PlanPeriod::Quarter(y, _) | PlanPeriod::Month(y, _) => y,
        }
    }

    /// The whole days of the period.
    pub fn days(self) -> Result<Period, crate::index::PeriodError> {
        match self {
            PlanPeriod::Year(y) => Period::year(y),
            PlanPeriod::Quarter(y, q) => Period::quarter(y, q),
            PlanPeriod::Month(y, m) => Period::month(y, m),
        }
    }

    /// The period of the same length just before (2024-Q1 → 2023-Q4).
    pub fn previous(self) -> PlanPeriod {
        match self {
            PlanPeriod::Year(y) => PlanPeriod::Year(y - 1),
            PlanPeriod::Quarter(y, 1) => PlanPeriod::Quarter(y - 1, 4),
            PlanPeriod::Quarter(y, q) => PlanPeriod::Quarter(y, q - 1),
            PlanPeriod::Month(y, 1) => PlanPeriod::Month(y - 1, 12),
            PlanPeriod::Month(y, m) => PlanPeriod::Month(y, m - 1),
        }
    }

    /// How far `today` is into the period.
    pub fn progress(self, today: NaiveDate) -> Progress {
        match self.days() {
            Ok(p) => Progress::of(p, today),
            Err(_) => Progress {
                elapsed: 1.0,
                over: true,
            },
        }
    }
}

impl fmt::Display for PlanPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanPeriod::Year(y) => write!(f, "{y}"),
            PlanPeriod::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            PlanPeriod::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

/// The elapsed share of a period on a day: whole days completed before `today` ÷ days of the
/// period; `over` once `today` is after its last day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    pub elapsed: f64,
    pub over: bool,
}

impl Progress {
    pub fn of(period: Period, today: NaiveDate) -> Progress {
        if today > period.to {
            return Progress {
                elapsed: 1.0,
                over: true,
            };
        }
        let done = (today - period.from).num_days().max(0) as f64;
        Progress {
            elapsed: (done / period.days().max(1) as f64).clamp(0.0, 1.0),
            over: false,
        }
    }
}

fn meets(direction: Direction, value: f64, target: f64) -> bool {
    match direction {
        Direction::HigherIsBetter => value >= target,
        Direction::LowerIsBetter => value <= target,
    }
}

/// The linear forecast of the period's final value from its value so far.
pub fn forecast(aggregation: Aggregation, value: f64, progress: Progress) -> f64 {
    match aggregation {
        Aggregation::Level => value,
        Aggregation::Cumulative if progress.over || progress.elapsed >= 1.0 => value,
        Aggregation::Cumulative if progress.elapsed <= 0.0 => value,
        Aggregation::Cumulative => value / progress.elapsed,
    }
}

/// The status rule of issue #8.
///
/// - period over: `achieved` if the value meets the target, else `missed` (no value: `missed`);
/// - a cumulative higher-is-better target already met: `achieved` (it cannot be lost);
/// - otherwise `on_track` if the [`forecast`] meets the target, else `at_risk`;
/// - no value yet: `on_track` before any day has passed, `at_risk` after.
///
/// For a fixed target and progress the status is monotonic in the value: never worse for a
/// better value (a property test checks it).
pub fn status(
    direction: Direction,
    aggregation: Aggregation,
    target: f64,
    value: Option<f64>,
    progress: Progress,
) -> Status {
    let Some(value) = value.filter(|v| v.is_finite()) else {
        return if progress.over {
            Status::Missed
        } else if progress.elapsed <= 0.0 {
            Status::OnTrack
        } else {
            Status::AtRisk
        };
    };
    if progress.over {
        return if meets(direction, value, target) {
            Status::Achieved
        } else {
            Status::Missed
        };
    }
    if aggregation == Aggregation::Cumulative
        && direction == Direction::HigherIsBetter
        && meets(direction, value, target)
    {
        return Status::Achieved;
    }
    if meets(direction, forecast(aggregation, value, progress), target) {
        Status::OnTrack
    } else {
        Status::AtRisk
    }
}

/// A measure motcua computes itself, read from the QĐ 766 table of the province and period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SystemMetric {
    pub id: &'static str,
    /// The QĐ 766 indicator whose numerator ÷ denominator it is (`None`: the table's total).
    pub index_indicator: Option<&'static str>,
    pub name: &'static str,
    pub name_en: &'static str,
}

/// Every system metric; values are percentages except `qd766_total` (points of 100).
pub const SYSTEM_METRICS: [SystemMetric; 9] = [
    SystemMetric {
        id: "online_share",
        index_indicator: Some("3.3"),
        name: "Tỷ lệ hồ sơ trực tuyến",
        name_en: "Share of dossiers submitted online",
    },
    SystemMetric {
        id: "online_payment_share",
        index_indicator: Some("3.6"),
        name: "Tỷ lệ hồ sơ thanh toán trực tuyến",
        name_en: "Share of fee-bearing dossiers paid online",
    },
    SystemMetric {
        id: "digitised_share",
        index_indicator: Some("4.2"),
        name: "Tỷ lệ hồ sơ có thành phần được số hóa",
        name_en: "Share of dossiers with digitised components",
    },
    SystemMetric {
        id: "electronic_result_share",
        index_indicator: Some("4.1"),
        name: "Tỷ lệ hồ sơ có kết quả điện tử",
        name_en: "Share of results issued electronically",
    },
    SystemMetric {
        id: "data_reuse_share",
        index_indicator: Some("4.3"),
        name: "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa",
        name_en: "Share of dossiers reusing digitised data",
    },
    SystemMetric {
        id: "population_data_share",
        index_indicator: Some("4.5b"),
        name: "Tỷ lệ hồ sơ sử dụng dữ liệu dân cư hoặc VNeID",
        name_en: "Share of dossiers using population data or VNeID",
    },
    SystemMetric {
        id: "on_time_share",
        index_indicator: Some("2.1"),
        name: "Tỷ lệ hồ sơ giải quyết đúng hạn",
        name_en: "Share of dossiers handled on time",
    },
    SystemMetric {
        id: "portal_sync_share",
        index_indicator: Some("1.4"),
        name: "Tỷ lệ hồ sơ đồng bộ lên Cổng DVC quốc gia",
        name_en: "Share of dossiers synchronised to the national portal",
    },
    SystemMetric {
        id: "qd766_total",
        index_indicator: None,
        name: "Điểm Bộ chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)",
        name_en: "QĐ 766 service index total",
    },
];

pub fn system_metric(id: &str) -> Option<&'static SystemMetric> {
    SYSTEM_METRICS.iter().find(|m| m.id == id)
}

/// A measured system value with the counts behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    /// Percent with 2 decimals (points for `qd766_total`).
    pub value: f64,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    /// The QĐ 766 indicator it was read from.
    pub index_indicator: Option<String>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The metric's value in a QĐ 766 table; `None` when the indicator is N/A (no dossiers).
pub fn metric_value(metric: &SystemMetric, table: &IndexTable) -> Option<MetricValue> {
    let Some(indicator) = metric.index_indicator else {
        return (table.max > 0.0).then_some(MetricValue {
            value: table.total,
            numerator: None,
            denominator: None,
            index_indicator: None,
        });
    };
    let row = table
        .groups
        .iter()
        .flat_map(|g| g.indicators.iter())
        .find(|i| i.id == indicator)?;
    if row.na || row.denominator == 0 {
        return None;
    }
    Some(MetricValue {
        value: round2(row.numerator.min(row.denominator) as f64 * 100.0 / row.denominator as f64),
        numerator: Some(row.numerator),
        denominator: Some(row.denominator),
        index_indicator: Some(indicator.to_string()),
    })
}

/// The illustrative sample data of `data/plans/` (file name, JSON [`PlansBundle`]): a 2024
/// digital-transformation plan, a PAR-index tree with 2022 and 2023 scores, directives. Loaded by
/// the demo; see `data/plans/PROVENANCE.md`.
pub const SAMPLE_BUNDLES: [(&str, &str); 4] = [
    (
        "ke-hoach-cds-2024.json",
        include_str!("../../../data/plans/ke-hoach-cds-2024.json"),
    ),
    (
        "ke-hoach-cds-2026.json",
        include_str!("../../../data/plans/ke-hoach-cds-2026.json"),
    ),
    ("par-index.json", include_str!("../../../data/plans/par-index.json")),
    ("directives.json", include_str!("../../../data/plans/directives.json")),
];

/// The sample bundles, parsed and validated.
pub fn sample_bundles() -> Result<Vec<PlansBundle>, String> {
    SAMPLE_BUNDLES
        .iter()
        .map(|(name, text)| {
            let bundle: PlansBundle = serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            bundle
                .validate()
                .map_err(|errors| format!("{name}: {}", errors.join("; ")))?;
            Ok(bundle)
        })
        .collect()
}

/// A data file of `data/plans/` or an admin import: any of plans, PAR trees and scores,
/// directives and reported values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlansBundle {
    /// Free text shown to whoever loads it (e.g. "illustrative sample data").
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub plans: Vec<Plan>,
    #[serde(default)]
    pub par_trees: Vec<ParTree>,
    #[serde(default)]
    pub par_years: Vec<ParYear>,
    #[serde(default)]
    pub directives: Vec<Directive>,
    /// Reported values already entered and approved (sample history).
    #[serde(default)]
    pub reported_values: Vec<BundleValue>,
}

/// A reported value of a bundle, with who entered and who approved it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BundleValue {
    pub plan: String,
    pub indicator: String,
    pub period: String,
    pub value: f64,
    pub evidence_ref: String,
    #[serde(default)]
    pub note: String,
    pub submitted_by: String,
    #[serde(default)]
    pub approved_by: Option<String>,
}

impl PlansBundle {
    /// Every problem of every part, prefixed by where it is.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        for plan in &self.plans {
            if let Err(es) = plan.validate() {
                errors.extend(es.into_iter().map(|e| format!("plan {}: {e}", plan.id)));
            }
        }
        for tree in &self.par_trees {
            if let Err(es) = tree.validate() {
                errors.extend(es.into_iter().map(|e| format!("PAR tree {}: {e}", tree.version)));
            }
        }
        for year in &self.par_years {
            match self.par_trees.iter().find(|t| t.version == year.tree_version) {
                Some(tree) => {
                    if let Err(es) = year.validate(tree) {
                        errors.extend(es.into_iter().map(|e| format!("PAR {}: {e}", year.year)));
                    }
                }
                None => errors.push(format!(
                    "PAR {}: the tree {} is not in the same file",
                    year.year, year.tree_version
                )),
            }
        }
        for d in &self.directives {
            if let Err(e) = d.validate() {
                errors.push(format!("directive {}: {e}", d.id));
            }
        }
        for v in &self.reported_values {
            let plan = self.plans.iter().find(|p| p.id == v.plan);
            match plan.and_then(|p| p.indicator(&v.indicator)) {
                Some(i) if i.source == ValueSource::Reported => {}
                Some(_) => errors.push(format!("value of {}/{}: not a reported indicator", v.plan, v.indicator)),
                None => errors.push(format!(
                    "value of {}/{}: no such indicator in this file",
                    v.plan, v.indicator
                )),
            }
            if PlanPeriod::parse(&v.period).is_err() || !v.value.is_finite() {
                errors.push(format!("value of {}/{}: bad period or value", v.plan, v.indicator));
            }
            if v.approved_by.as_deref() == Some(v.submitted_by.as_str()) {
                errors.push(format!(
                    "value of {}/{}: approved by its own submitter",
                    v.plan, v.indicator
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
