//! Declarative workflows: the steps a dossier goes through inside the competent unit, who acts at
//! each, the time quota of each step and the actions allowed there.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::Action;
use crate::catalog::{Procedure, ProcessingTime, TimeUnit};
use crate::roles::Role;

/// Length of a working day in minutes under the default office hours; used to turn the catalogue's
/// days into working minutes (a unit's own office hours only change the clock, not the quota).
pub const WORKING_DAY_MINUTES: u32 = 8 * 60;

/// The legal processing time of a dossier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "minutes", rename_all = "snake_case")]
pub enum LegalTime {
    /// "Trong ngày": due at the close of the day of receipt.
    WithinDay,
    /// A number of working minutes (working days × 480).
    WorkingMinutes(u32),
}

impl LegalTime {
    /// Working minutes the steps may share (a day for "within the day").
    pub fn budget_minutes(self) -> u32 {
        match self {
            LegalTime::WithinDay => WORKING_DAY_MINUTES,
            LegalTime::WorkingMinutes(m) => m,
        }
    }

    /// The legal time a catalogue processing time means. Calendar days, months and years are
    /// converted at 5/7, 22 and 250 working days per unit: an approximation used only where the
    /// catalogue states no working-day figure (documented in docs/ARCHITECTURE.md).
    pub fn from_processing_time(t: &ProcessingTime) -> LegalTime {
        let days = |d: f64| LegalTime::WorkingMinutes((d * f64::from(WORKING_DAY_MINUTES)).round().max(60.0) as u32);
        match t.unit {
            TimeUnit::WithinDay => LegalTime::WithinDay,
            TimeUnit::WorkingDays => days(t.value),
            TimeUnit::Days => days((t.value * 5.0 / 7.0).ceil()),
            TimeUnit::Hours => LegalTime::WorkingMinutes((t.value * 60.0).round().max(60.0) as u32),
            TimeUnit::Months => days(t.value * 22.0),
            TimeUnit::Years => days(t.value * 250.0),
        }
    }
}

/// One step of a workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    /// Stable identifier, e.g. `chuyen_vien`.
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// Who acts at this step (in the competent unit).
    pub role: Role,
    /// Working minutes this step may take.
    pub quota_minutes: u32,
    /// Steps a `forward`/`approve` may go to; empty for the last step.
    pub next: Vec<String>,
    /// Actions allowed at this step besides moving between steps.
    pub actions: Vec<Action>,
}

/// A workflow for a procedure, optionally specific to one unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workflow {
    pub procedure: String,
    /// The unit this workflow is specific to; none = the default for every unit.
    pub unit: Option<String>,
    pub legal_time: LegalTime,
    /// The first step is where an accepted dossier starts.
    pub steps: Vec<Step>,
}

/// Why a workflow was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("a workflow needs at least one step")]
    NoSteps,
    #[error("step id {0:?} is used twice")]
    DuplicateStep(String),
    #[error("step {step:?} goes to unknown step {next:?}")]
    UnknownNext { step: String, next: String },
    #[error("steps {0:?} cannot be reached from the first step")]
    Unreachable(Vec<String>),
    #[error("no step allows `finish`, so no dossier could end with a result")]
    NoFinish,
    #[error("step {step:?} is acted by a {role:?}, who cannot work inside a competent unit")]
    BadRole { step: String, role: Role },
    #[error("the longest path takes {total} working minutes, more than the legal time of {legal}")]
    OverLegalTime { total: u32, legal: u32 },
    #[error("the workflow has a cycle through step {0:?}; send_back covers going back")]
    Cycle(String),
    #[error("step {step:?} lists `{action}`, which is not a step action")]
    NotAStepAction { step: String, action: &'static str },
}

impl Workflow {
    /// Checks structure and quotas: unique ids, known targets, every step reachable, no cycle,
    /// a step that finishes, quotas along the longest path within the legal time.
    pub fn validate(&self) -> Result<(), WorkflowError> {
        if self.steps.is_empty() {
            return Err(WorkflowError::NoSteps);
        }
        let mut index = HashMap::new();
        for (i, s) in self.steps.iter().enumerate() {
            if index.insert(s.id.as_str(), i).is_some() {
                return Err(WorkflowError::DuplicateStep(s.id.clone()));
            }
            if !matches!(s.role, Role::Specialist | Role::Leader | Role::CounterOfficer) {
                return Err(WorkflowError::BadRole {
                    step: s.id.clone(),
                    role: s.role,
                });
            }
            for a in &s.actions {
                if !a.is_step_action() {
                    return Err(WorkflowError::NotAStepAction {
                        step: s.id.clone(),
                        action: a.as_str(),
                    });
                }
            }
        }
        for s in &self.steps {
            for n in &s.next {
                if !index.contains_key(n.as_str()) {
                    return Err(WorkflowError::UnknownNext {
                        step: s.id.clone(),
                        next: n.clone(),
                    });
                }
            }
        }
        // Longest path by depth-first search with cycle detection (workflows are small).
        fn longest(
            wf: &Workflow,
            index: &HashMap<&str, usize>,
            i: usize,
            on_path: &mut Vec<bool>,
            memo: &mut Vec<Option<u32>>,
            seen: &mut BTreeSet<usize>,
        ) -> Result<u32, WorkflowError> {
            if let Some(v) = memo[i] {
                return Ok(v);
            }
            if on_path[i] {
                return Err(WorkflowError::Cycle(wf.steps[i].id.clone()));
            }
            on_path[i] = true;
            seen.insert(i);
            let mut best = 0;
            for n in &wf.steps[i].next {
                let j = index[n.as_str()];
                best = best.max(longest(wf, index, j, on_path, memo, seen)?);
            }
            on_path[i] = false;
            let total = wf.steps[i].quota_minutes.saturating_add(best);
            memo[i] = Some(total);
            Ok(total)
        }
        let n = self.steps.len();
        let mut seen = BTreeSet::new();
        let total = longest(self, &index, 0, &mut vec![false; n], &mut vec![None; n], &mut seen)?;
        if seen.len() != n {
            let unreachable = (0..n)
                .filter(|i| !seen.contains(i))
                .map(|i| self.steps[i].id.clone())
                .collect();
            return Err(WorkflowError::Unreachable(unreachable));
        }
        if !self.steps.iter().any(|s| s.actions.contains(&Action::Finish)) {
            return Err(WorkflowError::NoFinish);
        }
        let legal = self.legal_time.budget_minutes();
        if total > legal {
            return Err(WorkflowError::OverLegalTime { total, legal });
        }
        Ok(())
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    pub fn first_step(&self) -> Option<&Step> {
        self.steps.first()
    }
}

/// The legal time for a procedure and channel: that channel's stated time, else any channel's,
/// else `fallback` (the catalogue states no time for about 5 % of procedures).
pub fn legal_time_for(procedure: &Procedure, channel: crate::catalog::Channel, fallback: LegalTime) -> LegalTime {
    let stated = |c: Option<crate::catalog::Channel>| {
        procedure
            .channels
            .iter()
            .filter(|o| c.is_none_or(|c| o.channel == c))
            .find_map(|o| o.processing_time.as_ref())
    };
    stated(Some(channel))
        .or_else(|| stated(None))
        .map(LegalTime::from_processing_time)
        .unwrap_or(fallback)
}

/// The default workflow every catalogue procedure gets: specialist (60 % of the time) → leader
/// (25 %, approves) → result (the rest, issues the result). Reception before it and the return of
/// the result after it are done at the one-stop counter.
pub fn default_workflow(procedure_code: &str, legal_time: LegalTime) -> Workflow {
    let budget = legal_time.budget_minutes();
    let specialist = budget * 60 / 100;
    let leader = budget * 25 / 100;
    let result = budget - specialist - leader;
    Workflow {
        procedure: procedure_code.to_string(),
        unit: None,
        legal_time,
        steps: vec![
            Step {
                id: "chuyen_vien".into(),
                name: "Chuyên viên thẩm định".into(),
                name_en: "Specialist review".into(),
                role: Role::Specialist,
                quota_minutes: specialist,
                next: vec!["lanh_dao".into()],
                actions: vec![
                    Action::RequestSupplement,
                    Action::RequestPayment,
                    Action::Extend,
                    Action::Transfer,
                ],
            },
            Step {
                id: "lanh_dao".into(),
                name: "Lãnh đạo phê duyệt".into(),
                name_en: "Leader approval".into(),
                role: Role::Leader,
                quota_minutes: leader,
                next: vec!["tra_ket_qua".into()],
                actions: vec![Action::Approve, Action::Extend, Action::Stop],
            },
            Step {
                id: "tra_ket_qua".into(),
                name: "Ban hành kết quả".into(),
                name_en: "Issue the result".into(),
                role: Role::Specialist,
                quota_minutes: result,
                next: vec![],
                actions: vec![Action::Finish, Action::Extend],
            },
        ],
    }
}
