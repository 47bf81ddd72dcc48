//! Which workflow step made a dossier late (issue #7, the 2.1 indicator page).
//!
//! A dossier's log says when it entered each step of its workflow (`start`, `forward`, `approve`,
//! `send_back`, `transfer`) and the due instant of that step (its quota in working minutes from
//! the entry, moved later by the supplement pauses). A step *overran* when the dossier left it (or
//! was still there at the reckoning instant) after its due instant; the overrun is measured in
//! working minutes. The step that caused the lateness is the one with the largest overrun. Each
//! step's quota counts from its own entry, so an earlier step's delay never shows again as a later
//! step's overrun.
//!
//! An imported dossier has no step detail (the national exchange carries statuses only): its whole
//! processing at the competent unit is one stay, due at the appointment, paused while waiting for
//! supplements, as the index judges it.

use chrono::Duration;

use super::machine::{Action, Event, EventAction, Instant};
use super::Status;
use crate::calendar::WorkCalendar;

/// One stay of a dossier at a step of its workflow, in one unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepStay {
    /// The workflow step's id; `None` for processing without step detail (an imported dossier).
    pub step: Option<String>,
    /// The step's name (Vietnamese and English) from the dossier's workflow, when known.
    pub name: Option<(String, String)>,
    /// The competent unit while at this step.
    pub unit: String,
    pub entered: Instant,
    /// When the dossier left the step, or the reckoning instant if it was still there.
    pub left: Instant,
    /// The step's due instant (after supplement pauses).
    pub due: Option<Instant>,
    /// Working minutes past `due` (0 when within the quota). A pause still running at the
    /// reckoning instant does not count: the clock stopped when the supplement was requested.
    pub overrun_minutes: i64,
}

impl StepStay {
    pub fn overran(&self) -> bool {
        self.overrun_minutes > 0
    }
}

fn enters_step(action: EventAction) -> bool {
    matches!(
        action,
        EventAction::Start | EventAction::Act(Action::Forward | Action::Approve | Action::SendBack | Action::Transfer)
    )
}

fn overrun(calendar: &WorkCalendar, due: Option<Instant>, clock_stopped: Instant) -> i64 {
    match due {
        Some(due) if clock_stopped > due => calendar.working_minutes_between(due, clock_stopped).unwrap_or(0).max(0),
        _ => 0,
    }
}

/// The stays of a dossier at its workflow steps, from its log, up to `end` (events after it are
/// ignored; a stay still open at `end` ends there). Empty for a log without steps.
pub fn step_stays(events: &[Event], end: Instant, calendar: &WorkCalendar) -> Vec<StepStay> {
    struct Open {
        step: String,
        unit: String,
        entered: Instant,
        due: Option<Instant>,
        /// When the running supplement pause began.
        paused_at: Option<Instant>,
    }
    let mut stays = Vec::new();
    let mut unit = String::new();
    let mut workflow = None;
    let mut open: Option<Open> = None;
    let close = |o: Open, at: Instant, workflow: Option<&super::Workflow>, stays: &mut Vec<StepStay>| {
        let stopped = o.paused_at.unwrap_or(at);
        let name = workflow
            .and_then(|w| w.step(&o.step))
            .map(|s| (s.name.clone(), s.name_en.clone()));
        stays.push(StepStay {
            overrun_minutes: overrun(calendar, o.due, stopped),
            step: Some(o.step),
            name,
            unit: o.unit,
            entered: o.entered,
            left: at,
            due: o.due,
        });
    };
    // Ratings, complaints and the portal sync neither enter nor leave a step.
    for e in events.iter().filter(|e| e.at <= end && !e.action.is_remark()) {
        if let Some(new) = &e.data.dossier {
            unit = new.unit.clone();
        }
        if let Some(u) = &e.data.to_unit {
            unit = u.clone();
        }
        if let Some(w) = &e.data.workflow {
            workflow = Some(w.clone());
        }
        match (&e.step, enters_step(e.action)) {
            (Some(step), true) => {
                if let Some(o) = open.take() {
                    close(o, e.at, workflow.as_ref(), &mut stays);
                }
                open = Some(Open {
                    step: step.clone(),
                    unit: unit.clone(),
                    entered: e.at,
                    due: e.data.step_due,
                    paused_at: None,
                });
            }
            (None, _) => {
                if let Some(o) = open.take() {
                    close(o, e.at, workflow.as_ref(), &mut stays);
                }
            }
            (Some(_), false) => {
                if let Some(o) = open.as_mut() {
                    if let Some(due) = e.data.step_due {
                        o.due = Some(due);
                    }
                    o.paused_at = if e.status == Status::SupplementRequested {
                        o.paused_at.or(Some(e.at))
                    } else {
                        None
                    };
                }
            }
        }
    }
    if let Some(o) = open.take() {
        close(o, end, workflow.as_ref(), &mut stays);
    }
    stays
}

/// The single stay of a dossier without step detail: processing at `unit` from `received` to
/// `reckoned` with `paused` (wall-clock, waiting for supplements) taken off, due at `due`.
pub fn processing_stay(
    unit: &str,
    received: Instant,
    reckoned: Instant,
    paused: Duration,
    due: Option<Instant>,
    calendar: &WorkCalendar,
) -> StepStay {
    StepStay {
        step: None,
        name: None,
        unit: unit.to_string(),
        entered: received,
        left: reckoned,
        due,
        overrun_minutes: overrun(calendar, due, reckoned - paused),
    }
}

/// The stay that caused the lateness: the largest overrun, the earliest on a tie; `None` when no
/// step overran (a dossier late only because of a second supplement request).
pub fn culprit(stays: &[StepStay]) -> Option<&StepStay> {
    stays
        .iter()
        .filter(|s| s.overran())
        .fold(None, |best: Option<&StepStay>, s| match best {
            Some(b) if b.overrun_minutes >= s.overrun_minutes => Some(b),
            _ => Some(s),
        })
}

/// Late dossiers by the step (and unit) that caused their lateness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CauseSummary {
    pub step: Option<String>,
    pub name: Option<(String, String)>,
    pub unit: String,
    pub dossiers: u64,
    pub overrun_minutes: i64,
}

/// Groups the culprits by (unit, step): most dossiers first, then the longest total overrun,
/// then by unit and step.
pub fn summarise<'a>(culprits: impl IntoIterator<Item = &'a StepStay>) -> Vec<CauseSummary> {
    let mut groups: std::collections::BTreeMap<(String, Option<String>), CauseSummary> = Default::default();
    for s in culprits {
        let g = groups
            .entry((s.unit.clone(), s.step.clone()))
            .or_insert_with(|| CauseSummary {
                step: s.step.clone(),
                name: s.name.clone(),
                unit: s.unit.clone(),
                dossiers: 0,
                overrun_minutes: 0,
            });
        g.dossiers += 1;
        g.overrun_minutes += s.overrun_minutes;
        if g.name.is_none() {
            g.name = s.name.clone();
        }
    }
    let mut out: Vec<CauseSummary> = groups.into_values().collect();
    out.sort_by(|a, b| {
        b.dossiers
            .cmp(&a.dossiers)
            .then(b.overrun_minutes.cmp(&a.overrun_minutes))
            .then_with(|| (&a.unit, &a.step).cmp(&(&b.unit, &b.step)))
    });
    out
}
