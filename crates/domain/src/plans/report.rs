//! The steering-committee report: the figures of a period with the query that produced each one,
//! and the bottlenecks that pull the province down most. Renderers (PDF, spreadsheet) take a
//! [`SteeringReport`] as it is and add nothing but layout.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::directives::{DirectiveState, UnitCompletion};
use super::par::{ParComparison, ParNodeChange};
use super::{Direction, Status, ValueSource};

/// Where a figure comes from: the API query that returns it (and so the data behind it), the
/// period and the unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceRef {
    /// E.g. `GET /api/v1/index?unit=52&from=2024-01-01&to=2024-03-31`.
    pub query: String,
    /// `2024-Q1`, `2024`, or `from..to`.
    pub period: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// One indicator of a plan for a period, as shown on the plan page and in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanIndicatorRow {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub unit_of_measure: String,
    pub direction: Direction,
    pub source: ValueSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    pub responsible_unit: String,
    /// Every target of the plan, period key → value.
    pub targets: BTreeMap<String, f64>,
    /// The target of the selected period, if the plan sets one.
    pub target: Option<f64>,
    /// Measured (system) or approved reported value for the period; `None`: no data.
    pub actual: Option<f64>,
    /// The linear forecast of the period's final value.
    pub forecast: Option<f64>,
    /// `None` when the plan sets no target for the period.
    pub status: Option<Status>,
    /// Counts behind a system value (numerator ÷ denominator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<u64>,
    /// For a reported value: the approved value's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_id: Option<i64>,
    pub source_ref: SourceRef,
}

/// A plan for a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanSection {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub year: i32,
    pub document: String,
    /// Illustrative data, not an official plan.
    pub sample: bool,
    /// The period the values and statuses are for (`2024-Q1`).
    pub period: String,
    /// Elapsed share of the period on the day of computation, 0–1.
    pub elapsed: f64,
    pub indicators: Vec<PlanIndicatorRow>,
    /// Status → number of indicators (`achieved`, `on_track`, `at_risk`, `missed`, `no_target`).
    pub status_counts: BTreeMap<String, u32>,
}

impl PlanSection {
    /// Counts the statuses of `indicators`.
    pub fn count_statuses(indicators: &[PlanIndicatorRow]) -> BTreeMap<String, u32> {
        let mut counts = BTreeMap::new();
        for i in indicators {
            let key = i.status.map_or("no_target", Status::as_str);
            *counts.entry(key.to_string()).or_insert(0) += 1;
        }
        counts
    }
}

/// The QĐ 766 score of a unit for the period and the previous one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndexUnitRow {
    pub unit: String,
    pub name: String,
    pub total: f64,
    pub max: f64,
    /// total ÷ max × 100 (2 decimals); `None` when every indicator is N/A.
    pub percent: Option<f64>,
    pub previous_total: Option<f64>,
    pub previous_max: Option<f64>,
    pub previous_percent: Option<f64>,
    /// percent − previous_percent, in percentage points.
    pub change: Option<f64>,
    /// Dossiers received in the period (|R|) and handled (|D|).
    pub received: u64,
    pub handled: u64,
    pub source: SourceRef,
    pub previous_source: SourceRef,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndexSection {
    pub config_version: String,
    pub province: IndexUnitRow,
    /// Units with dossiers in either period, lowest percent first.
    pub units: Vec<IndexUnitRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParSection {
    pub comparison: ParComparison,
    pub sample: bool,
    pub source: SourceRef,
}

/// A directive in the report's lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectiveRow {
    pub id: String,
    pub document: String,
    pub title: String,
    pub issuer: String,
    pub assignees: Vec<String>,
    pub deadline: NaiveDate,
    pub completed_at: Option<NaiveDate>,
    pub state: DirectiveState,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectiveSection {
    /// The day the states are computed for: the period's last day, or today while it runs.
    pub as_of: NaiveDate,
    /// Directives issued on or before `as_of`.
    pub total: u32,
    /// State → number of directives.
    pub states: BTreeMap<String, u32>,
    pub by_unit: Vec<UnitCompletion>,
    /// Overdue and due-soon directives, earliest deadline first.
    pub attention: Vec<DirectiveRow>,
    pub source: SourceRef,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BottleneckKind {
    PlanIndicator,
    IndexUnit,
    ParCriterion,
    DirectiveUnit,
}

/// Something that pulls the province down, with a severity in 0–1 comparable across kinds:
/// the share of the target, points or directives that is missing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bottleneck {
    pub kind: BottleneckKind,
    pub subject_id: String,
    pub subject: String,
    pub severity: f64,
    /// Vietnamese explanation with the figures.
    pub detail: String,
    pub detail_en: String,
    pub evidence: SourceRef,
}

/// The whole report of a period. Every figure carries a [`SourceRef`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SteeringReport {
    pub title: String,
    pub title_en: String,
    /// `2024-Q1`.
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub previous_period: String,
    /// The province's GSO code.
    pub province: String,
    /// RFC 3339 instant of computation.
    pub generated_at: String,
    /// Some of the data is illustrative sample data (demo plans, PAR scores, directives).
    pub contains_sample_data: bool,
    pub plans: Vec<PlanSection>,
    pub index: IndexSection,
    pub par: Option<ParSection>,
    pub directives: DirectiveSection,
    /// The most severe first.
    pub bottlenecks: Vec<Bottleneck>,
}

fn clamp01(x: f64) -> f64 {
    if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        1.0
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Bottlenecks of a period from the report's sections, the most severe first, at most `limit`.
///
/// - a plan indicator `missed` or `at_risk`: the relative gap between target and actual (no
///   value: 1), weighted 1 for missed and 0.7 for at risk;
/// - a unit of the index: the share of points it lost (1 − total ÷ max);
/// - a PAR criterion that lost points: the loss ÷ its maximum;
/// - a unit with overdue directives: overdue ÷ assigned.
pub fn rank_bottlenecks(
    plans: &[PlanSection],
    index: &IndexSection,
    par: Option<&ParSection>,
    directives: &DirectiveSection,
    limit: usize,
) -> Vec<Bottleneck> {
    let mut out = Vec::new();
    for plan in plans {
        for row in &plan.indicators {
            let weight = match row.status {
                Some(Status::Missed) => 1.0,
                Some(Status::AtRisk) => 0.7,
                _ => continue,
            };
            let Some(target) = row.target else { continue };
            let basis = row.forecast.or(row.actual);
            let gap = match basis {
                Some(v) if target.abs() > f64::EPSILON => clamp01((target - v).abs() / target.abs()),
                Some(_) => 1.0,
                None => 1.0,
            };
            let shown = row.actual.map_or("chưa có số liệu".to_string(), |v| format!("{v}"));
            let shown_en = row.actual.map_or("no data".to_string(), |v| format!("{v}"));
            out.push(Bottleneck {
                kind: BottleneckKind::PlanIndicator,
                subject_id: format!("{}/{}", plan.id, row.id),
                subject: row.name.clone(),
                severity: round3(weight * gap),
                detail: format!(
                    "Chỉ tiêu {target} {u}, thực hiện {shown}; trạng thái {s}; đơn vị chủ trì {r}",
                    u = row.unit_of_measure,
                    s = row.status.map_or("", Status::name_vi),
                    r = row.responsible_unit
                ),
                detail_en: format!(
                    "Target {target} {u}, actual {shown_en}; status {s}; responsible unit {r}",
                    u = row.unit_of_measure,
                    s = row.status.map_or("", Status::as_str),
                    r = row.responsible_unit
                ),
                evidence: row.source_ref.clone(),
            });
        }
    }
    for unit in &index.units {
        let Some(percent) = unit.percent else { continue };
        let change = unit.change.map_or(String::new(), |c| format!(" ({c:+.2} điểm %)"));
        let change_en = unit.change.map_or(String::new(), |c| format!(" ({c:+.2} pp)"));
        out.push(Bottleneck {
            kind: BottleneckKind::IndexUnit,
            subject_id: unit.unit.clone(),
            subject: unit.name.clone(),
            severity: round3(clamp01(1.0 - percent / 100.0)),
            detail: format!(
                "Chỉ số QĐ 766: {:.2}/{:.2} điểm = {percent:.2}%{change}",
                unit.total, unit.max
            ),
            detail_en: format!(
                "QĐ 766 index: {:.2}/{:.2} points = {percent:.2}%{change_en}",
                unit.total, unit.max
            ),
            evidence: unit.source.clone(),
        });
    }
    if let Some(par) = par {
        for node in &par.comparison.lost {
            let loss = -node.change.unwrap_or(0.0);
            let severity = if node.max > 0.0 { clamp01(loss / node.max) } else { 0.0 };
            out.push(Bottleneck {
                kind: BottleneckKind::ParCriterion,
                subject_id: node.id.clone(),
                subject: node.name.clone(),
                severity: round3(severity),
                detail: par_detail(node, par.comparison.year, true),
                detail_en: par_detail(node, par.comparison.year, false),
                evidence: par.source.clone(),
            });
        }
    }
    for unit in &directives.by_unit {
        if unit.overdue == 0 || unit.assigned == 0 {
            continue;
        }
        out.push(Bottleneck {
            kind: BottleneckKind::DirectiveUnit,
            subject_id: unit.unit.clone(),
            subject: unit.unit.clone(),
            severity: round3(f64::from(unit.overdue) / f64::from(unit.assigned)),
            detail: format!("{}/{} nhiệm vụ quá hạn", unit.overdue, unit.assigned),
            detail_en: format!("{} of {} directives overdue", unit.overdue, unit.assigned),
            evidence: SourceRef {
                unit: Some(unit.unit.clone()),
                ..directives.source.clone()
            },
        });
    }
    out.sort_by(|a, b| {
        b.severity
            .total_cmp(&a.severity)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.subject_id.cmp(&b.subject_id))
    });
    out.truncate(limit);
    out
}

fn par_detail(node: &ParNodeChange, year: i32, vi: bool) -> String {
    let previous = node.previous.unwrap_or(0.0);
    let current = node.current.unwrap_or(0.0);
    if vi {
        format!(
            "Năm {year}: {current}/{} điểm, năm trước {previous} điểm ({:+.2})",
            node.max,
            current - previous
        )
    } else {
        format!(
            "{year}: {current}/{} points, previous year {previous} ({:+.2})",
            node.max,
            current - previous
        )
    }
}
