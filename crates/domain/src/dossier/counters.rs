//! Running counters per unit and day, derived from events alone so that a rebuild from the log
//! reproduces them exactly. Dashboards read these instead of scanning dossiers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::machine::{Action, DossierState, Event, EventAction};
use super::status::{Status, SubmissionChannel, Verdict};

/// What a counter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Submitted online or by post (status 1).
    Submitted,
    /// Accepted (`NgayTiepNhan` on that day).
    Received,
    /// Accepted, submitted online (channel 2).
    ReceivedOnline,
    Refused,
    SupplementRequested,
    /// Result ready (status 9).
    Finished,
    /// Result ready after the (effective) due instant.
    FinishedLate,
    Returned,
    Withdrawn,
    Stopped,
    /// Left this unit by transfer (liên thông).
    TransferredOut,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Submitted => "submitted",
            Metric::Received => "received",
            Metric::ReceivedOnline => "received_online",
            Metric::Refused => "refused",
            Metric::SupplementRequested => "supplement_requested",
            Metric::Finished => "finished",
            Metric::FinishedLate => "finished_late",
            Metric::Returned => "returned",
            Metric::Withdrawn => "withdrawn",
            Metric::Stopped => "stopped",
            Metric::TransferredOut => "transferred_out",
        }
    }
}

/// An increment of one counter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CounterDelta {
    pub unit: String,
    /// Local (UTC+7) date of the event.
    pub day: NaiveDate,
    pub metric: Metric,
    pub delta: i64,
}

/// The counter increments an event causes. `before` is the state the event was applied to,
/// `after` the state it produced.
pub fn counter_deltas(before: Option<&DossierState>, event: &Event, after: &DossierState) -> Vec<CounterDelta> {
    let day = event.at.with_timezone(&crate::calendar::vietnam()).date_naive();
    let unit = before.map_or(after.unit.as_str(), |b| b.unit.as_str());
    let mut out = Vec::new();
    let mut add = |metric: Metric| {
        out.push(CounterDelta {
            unit: unit.to_string(),
            day,
            metric,
            delta: 1,
        })
    };
    let entered = |s: Status| event.status == s && before.is_none_or(|b| b.status != s);
    match event.action {
        // Imported history is counted by the index from its own dates, not as live activity.
        EventAction::Import => return Vec::new(),
        // Ratings, complaints and the portal sync count in the index, not in the activity counters.
        a if a.is_remark() => return Vec::new(),
        EventAction::Act(Action::Transfer) => add(Metric::TransferredOut),
        _ => {}
    }
    if entered(Status::Submitted) {
        add(Metric::Submitted);
    }
    if entered(Status::Accepted) {
        add(Metric::Received);
        if after.channel == SubmissionChannel::Online {
            add(Metric::ReceivedOnline);
        }
    }
    if entered(Status::Refused) {
        add(Metric::Refused);
    }
    if entered(Status::SupplementRequested) {
        add(Metric::SupplementRequested);
    }
    if entered(Status::ResultReady) {
        add(Metric::Finished);
        if after.verdict == Some(Verdict::Late) {
            add(Metric::FinishedLate);
        }
    }
    if entered(Status::Returned) {
        add(Metric::Returned);
    }
    if entered(Status::Withdrawn) {
        add(Metric::Withdrawn);
    }
    if entered(Status::Stopped) {
        add(Metric::Stopped);
    }
    out
}
