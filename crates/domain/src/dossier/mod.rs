//! The dossier lifecycle: statuses and channels of the national exchange, declarative workflows,
//! and the state machine that turns an actor's command into events (`decide`) and events into
//! state (`apply`). Pure: time, the calendar and the workflow are passed in, so replaying the log
//! gives the same state whatever the calendar says later.

mod counters;
pub mod exchange;
pub mod lateness;
mod machine;
mod status;
mod workflow;

pub use counters::{counter_deltas, CounterDelta, Metric};
pub use machine::*;
pub use status::{Status, SubmissionChannel, Verdict};
pub use workflow::{default_workflow, legal_time_for, LegalTime, Step, Workflow, WorkflowError, WORKING_DAY_MINUTES};

#[cfg(test)]
mod tests;
