//! Directives: tasks assigned to provincial units by the Government, ministries or the
//! provincial chairman, with deadlines and progress reports.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Days before its deadline from which an open directive is "due soon".
pub const DUE_SOON_DAYS: i64 = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DirectiveStatus {
    Open,
    InProgress,
    Completed,
}

impl DirectiveStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DirectiveStatus::Open => "open",
            DirectiveStatus::InProgress => "in_progress",
            DirectiveStatus::Completed => "completed",
        }
    }
}

/// A progress report of an assignee unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressReport {
    pub on: NaiveDate,
    pub unit: String,
    pub note: String,
    #[serde(default)]
    pub evidence_ref: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Directive {
    pub id: String,
    /// Source document (`"Công văn 1234/VPCP-KSTT"`).
    pub document: String,
    pub title: String,
    /// Who assigned it (`"Văn phòng Chính phủ"`, `"Chủ tịch UBND tỉnh"`).
    pub issuer: String,
    pub issued_on: NaiveDate,
    /// Codes of the organisations that must carry it out.
    pub assignees: Vec<String>,
    pub deadline: NaiveDate,
    pub status: DirectiveStatus,
    #[serde(default)]
    pub completed_at: Option<NaiveDate>,
    #[serde(default)]
    pub sample: bool,
    #[serde(default)]
    pub progress: Vec<ProgressReport>,
}

impl Directive {
    pub fn validate(&self) -> Result<(), String> {
        if !super::valid_id(&self.id) {
            return Err("bad id".into());
        }
        if self.title.trim().is_empty() || self.document.trim().is_empty() || self.assignees.is_empty() {
            return Err("document, title and at least one assignee are required".into());
        }
        if self.deadline < self.issued_on {
            return Err("the deadline precedes the issue date".into());
        }
        match (self.status, self.completed_at) {
            (DirectiveStatus::Completed, None) => Err("a completed directive needs completed_at".into()),
            (DirectiveStatus::Completed, Some(c)) if c < self.issued_on => Err("completed before it was issued".into()),
            (DirectiveStatus::Completed, Some(_)) => Ok(()),
            (_, Some(_)) => Err("completed_at is set on a directive that is not completed".into()),
            (_, None) => Ok(()),
        }
    }
}

/// Where a directive stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DirectiveState {
    CompletedOnTime,
    CompletedLate,
    /// Not completed and its deadline has passed.
    Overdue,
    /// Not completed, deadline within [`DUE_SOON_DAYS`].
    DueSoon,
    Open,
}

impl DirectiveState {
    pub fn as_str(self) -> &'static str {
        match self {
            DirectiveState::CompletedOnTime => "completed_on_time",
            DirectiveState::CompletedLate => "completed_late",
            DirectiveState::Overdue => "overdue",
            DirectiveState::DueSoon => "due_soon",
            DirectiveState::Open => "open",
        }
    }
}

/// The state of `d` on `today` (a directive completed after `today` counts as open then).
pub fn directive_state(d: &Directive, today: NaiveDate) -> DirectiveState {
    match d.completed_at.filter(|c| *c <= today) {
        Some(c) if c <= d.deadline => DirectiveState::CompletedOnTime,
        Some(_) => DirectiveState::CompletedLate,
        None if today > d.deadline => DirectiveState::Overdue,
        None if (d.deadline - today).num_days() <= DUE_SOON_DAYS => DirectiveState::DueSoon,
        None => DirectiveState::Open,
    }
}

/// Directive completion of one unit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitCompletion {
    pub unit: String,
    pub assigned: u32,
    pub completed_on_time: u32,
    pub completed_late: u32,
    pub overdue: u32,
    pub due_soon: u32,
    pub open: u32,
    /// Completed on time ÷ directives whose deadline has passed or that are completed (%, 2
    /// decimals); `None` when none is due yet.
    pub on_time_rate: Option<f64>,
}

/// Completion per assignee unit on `today`, units in code order. A directive with several
/// assignees counts for each of them.
pub fn completion_by_unit(directives: &[Directive], today: NaiveDate) -> Vec<UnitCompletion> {
    let mut units: BTreeMap<&str, UnitCompletion> = BTreeMap::new();
    for d in directives {
        let state = directive_state(d, today);
        for unit in &d.assignees {
            let c = units.entry(unit.as_str()).or_insert_with(|| UnitCompletion {
                unit: unit.clone(),
                ..UnitCompletion::default()
            });
            c.assigned += 1;
            match state {
                DirectiveState::CompletedOnTime => c.completed_on_time += 1,
                DirectiveState::CompletedLate => c.completed_late += 1,
                DirectiveState::Overdue => c.overdue += 1,
                DirectiveState::DueSoon => c.due_soon += 1,
                DirectiveState::Open => c.open += 1,
            }
        }
    }
    units
        .into_values()
        .map(|mut c| {
            let due = c.completed_on_time + c.completed_late + c.overdue;
            c.on_time_rate =
                (due > 0).then(|| (f64::from(c.completed_on_time) * 10_000.0 / f64::from(due)).round() / 100.0);
            c
        })
        .collect()
}
