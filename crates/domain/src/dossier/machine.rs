//! The dossier state machine.
//!
//! `create` and `decide` check who acts, in which unit and state, and return the events to append;
//! `apply` folds an event into the state. Every computed value (receipt instant, appointment, step
//! due, pause) is written into the event, so replaying the log never recomputes anything.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::exchange::Rating;
use super::status::{Status, SubmissionChannel, Verdict};
use super::workflow::{LegalTime, Workflow, WORKING_DAY_MINUTES};
use crate::calendar::{CalendarError, WorkCalendar, WorkDuration};
use crate::roles::Role;

pub type Instant = DateTime<FixedOffset>;

/// Actions officers and applicants take on a dossier (names of `interfaces.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Accept,
    Refuse,
    RequestSupplement,
    Supplement,
    Forward,
    SendBack,
    Approve,
    RequestPayment,
    Pay,
    Extend,
    Withdraw,
    Stop,
    Finish,
    ReturnResult,
    Transfer,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::Accept,
        Action::Refuse,
        Action::RequestSupplement,
        Action::Supplement,
        Action::Forward,
        Action::SendBack,
        Action::Approve,
        Action::RequestPayment,
        Action::Pay,
        Action::Extend,
        Action::Withdraw,
        Action::Stop,
        Action::Finish,
        Action::ReturnResult,
        Action::Transfer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Refuse => "refuse",
            Action::RequestSupplement => "request_supplement",
            Action::Supplement => "supplement",
            Action::Forward => "forward",
            Action::SendBack => "send_back",
            Action::Approve => "approve",
            Action::RequestPayment => "request_payment",
            Action::Pay => "pay",
            Action::Extend => "extend",
            Action::Withdraw => "withdraw",
            Action::Stop => "stop",
            Action::Finish => "finish",
            Action::ReturnResult => "return_result",
            Action::Transfer => "transfer",
        }
    }

    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// Actions a workflow step may list (the others belong to reception, the applicant or moving).
    pub fn is_step_action(self) -> bool {
        matches!(
            self,
            Action::RequestSupplement
                | Action::RequestPayment
                | Action::Extend
                | Action::Transfer
                | Action::Approve
                | Action::Stop
                | Action::Finish
        )
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Action::Accept => "Tiếp nhận",
            Action::Refuse => "Từ chối tiếp nhận",
            Action::RequestSupplement => "Yêu cầu bổ sung",
            Action::Supplement => "Bổ sung hồ sơ",
            Action::Forward => "Chuyển bước",
            Action::SendBack => "Trả lại bước trước",
            Action::Approve => "Phê duyệt",
            Action::RequestPayment => "Yêu cầu nộp phí, lệ phí",
            Action::Pay => "Nộp phí, lệ phí",
            Action::Extend => "Xin lỗi và hẹn lại",
            Action::Withdraw => "Rút hồ sơ",
            Action::Stop => "Dừng xử lý",
            Action::Finish => "Có kết quả",
            Action::ReturnResult => "Trả kết quả",
            Action::Transfer => "Chuyển liên thông",
        }
    }
}

/// What an event records: an action, or a step the system takes itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventAction {
    /// Submitted online or by post (status 1).
    Submit,
    /// Received at a counter on the spot (status 2).
    Receive,
    /// Processing starts at the first step (status 4).
    Start,
    /// Loaded from a historical record of the national exchange format.
    Import,
    /// The applicant rated the handling (`DanhGia`, QĐ 766 5.4); once, after the result.
    Rate,
    /// A complaint or petition (PAKN) names the dossier (`CoPAKN`, QĐ 766 5.4); recorded once.
    Complain,
    /// The exchange record reached the National Public Service Portal (`DongBoDVCQG`, QĐ 766
    /// 1.4); recorded once, at the first successful delivery.
    SyncToPortal,
    #[serde(untagged)]
    Act(Action),
}

impl EventAction {
    pub fn as_str(self) -> &'static str {
        match self {
            EventAction::Submit => "submit",
            EventAction::Receive => "receive",
            EventAction::Start => "start",
            EventAction::Import => "import",
            EventAction::Rate => "rate",
            EventAction::Complain => "complain",
            EventAction::SyncToPortal => "sync_to_portal",
            EventAction::Act(a) => a.as_str(),
        }
    }

    /// Facts recorded beside the processing: they change no status, step, deadline or counter.
    pub fn is_remark(self) -> bool {
        matches!(
            self,
            EventAction::Rate | EventAction::Complain | EventAction::SyncToPortal
        )
    }
}

/// The applicant. The personal id never appears in `Debug` output.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Applicant {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub birth_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl std::fmt::Debug for Applicant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applicant")
            .field(
                "personal_id",
                &self.personal_id.as_deref().map(crate::ids::mask_personal_number),
            )
            .finish_non_exhaustive()
    }
}

/// Who acts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub role: Role,
    /// The organisation of an officer.
    pub unit: Option<String>,
}

impl Actor {
    /// The system itself (scheduler, payment gateway callback, import).
    pub fn system(name: &str) -> Actor {
        Actor {
            username: name.to_string(),
            role: Role::ProvinceAdmin,
            unit: None,
        }
    }
}

/// A paper of the application, as the counter (or the online form) records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclaredDocument {
    /// The required-document component, named as the catalogue names it.
    pub component: String,
    #[serde(default)]
    pub originals: u32,
    #[serde(default)]
    pub copies: u32,
}

/// A new dossier as submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDossier {
    pub procedure: String,
    pub procedure_name: String,
    /// The competent organisation (`DonViXuLy`).
    pub unit: String,
    /// The organisation that received it (its electronic code prefixes the dossier code).
    pub receiving_unit: String,
    pub channel: SubmissionChannel,
    pub applicant: Applicant,
    /// The citizen account that submitted it, if any.
    pub applicant_username: Option<String>,
    /// e-ID assurance level of the submitting account (0 none, 1, 2).
    pub eid_level: u8,
    /// Identity checked against the population registry (Đề án 06).
    pub identity_verified: bool,
    pub legal_time: LegalTime,
    /// Fees the catalogue states for this channel, in đồng (0 = free or none stated).
    pub fees_dong: i64,
    /// The papers handed in (checked against the catalogue at the edge).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DeclaredDocument>,
    /// Papers came as electronic files (uploaded or scanned) with the application (QĐ 766 4.2).
    #[serde(default, skip_serializing_if = "is_false")]
    pub digitised_components: bool,
    /// A paper reused an earlier electronic result or document of the applicant (QĐ 766 4.3).
    #[serde(default, skip_serializing_if = "is_false")]
    pub reused_data: bool,
}

fn is_false(flag: &bool) -> bool {
    !flag
}

/// Values computed when an event was decided; `apply` copies them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dossier: Option<NewDossier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<Instant>,
    /// `NgayHenTra`: the appointment given to the applicant (moved only by `extend`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub appointment: Option<Instant>,
    /// The appointment shifted by the working time spent waiting for a supplement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub effective_due: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub step_due: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<Workflow>,
    /// Working minutes of the supplement pause that this event ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_dong: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_online: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub electronic_result: Option<bool>,
    /// `rate`: the rating given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub rating: Option<Rating>,
    /// The whole historical record, for `import` events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub record: Option<serde_json::Value>,
}

/// One entry of the dossier's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub action: EventAction,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Instant,
    pub actor: String,
    pub role: Option<Role>,
    /// Status after the event.
    pub status: Status,
    /// Step after the event.
    pub step: Option<String>,
    /// How the step that was left ended against its quota.
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub data: EventData,
}

/// A status change, as the national exchange's `LichSu` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    pub status: Status,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Instant,
}

/// The current state of a dossier: a fold of its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DossierState {
    pub procedure: String,
    pub procedure_name: String,
    pub unit: String,
    pub receiving_unit: String,
    pub channel: SubmissionChannel,
    pub applicant: Applicant,
    pub applicant_username: Option<String>,
    pub eid_level: u8,
    pub identity_verified: bool,
    pub legal_time: LegalTime,
    pub fees_dong: i64,
    /// The papers handed in with the application.
    #[serde(default)]
    pub documents: Vec<DeclaredDocument>,
    #[serde(default)]
    pub digitised_components: bool,
    #[serde(default)]
    pub reused_data: bool,
    pub status: Status,
    pub step: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub step_started_at: Option<Instant>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub step_due: Option<Instant>,
    /// Steps entered, oldest first; `send_back` returns to the one before the current.
    pub path: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub submitted_at: Instant,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<Instant>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub appointment: Option<Instant>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub effective_due: Option<Instant>,
    /// `NgayKetThucXuLy`: result ready, refused, stopped or withdrawn.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub finished_at: Option<Instant>,
    /// `NgayTra`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub returned_at: Option<Instant>,
    pub supplement_requests: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub paused_since: Option<Instant>,
    pub paused_minutes: i64,
    pub extended: bool,
    pub fees_requested_dong: Option<i64>,
    pub paid: bool,
    pub paid_online: bool,
    pub electronic_result: bool,
    /// The workflow in force when processing started (a dossier is judged by it).
    pub workflow: Option<Workflow>,
    /// How processing ended against the (effective) due time.
    pub verdict: Option<Verdict>,
    /// Delivered to the National Public Service Portal at least once (`DongBoDVCQG`).
    #[serde(default)]
    pub synced_to_portal: bool,
    /// The applicant's rating (`DanhGia`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub rating: Option<Rating>,
    /// Some complaint or petition names the dossier (`CoPAKN`).
    #[serde(default)]
    pub complaint: bool,
    pub history: Vec<StatusChange>,
    /// Number of events applied; the optimistic-concurrency version.
    pub version: i64,
}

impl DossierState {
    /// The state of a dossier just created from `new`, in `status` at `at`, before any event
    /// is counted (the caller sets what its first event adds).
    pub fn created(new: &NewDossier, status: Status, at: Instant) -> DossierState {
        DossierState {
            procedure: new.procedure.clone(),
            procedure_name: new.procedure_name.clone(),
            unit: new.unit.clone(),
            receiving_unit: new.receiving_unit.clone(),
            channel: new.channel,
            applicant: new.applicant.clone(),
            applicant_username: new.applicant_username.clone(),
            eid_level: new.eid_level,
            identity_verified: new.identity_verified,
            legal_time: new.legal_time,
            fees_dong: new.fees_dong,
            documents: new.documents.clone(),
            digitised_components: new.digitised_components,
            reused_data: new.reused_data,
            status,
            step: None,
            step_started_at: None,
            step_due: None,
            path: Vec::new(),
            submitted_at: at,
            received_at: None,
            appointment: None,
            effective_due: None,
            finished_at: None,
            returned_at: None,
            supplement_requests: 0,
            paused_since: None,
            paused_minutes: 0,
            extended: false,
            fees_requested_dong: None,
            paid: false,
            paid_online: false,
            electronic_result: false,
            workflow: None,
            verdict: None,
            synced_to_portal: false,
            rating: None,
            complaint: false,
            history: Vec::new(),
            version: 0,
        }
    }
}

/// Why a command was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Not allowed in this state or to this actor (HTTP 409).
    #[error("{0}")]
    NotAllowed(String),
    /// Bad input (HTTP 422).
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

fn not_allowed(msg: impl Into<String>) -> Rejection {
    Rejection::NotAllowed(msg.into())
}

fn invalid(field: &'static str, reason: impl Into<String>) -> Rejection {
    Rejection::Invalid {
        field,
        reason: reason.into(),
    }
}

fn calendar_err(e: CalendarError) -> Rejection {
    invalid("time", e.to_string())
}

/// An action with its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// With the workflow in force for the procedure and unit at this moment.
    Accept {
        workflow: Workflow,
    },
    Refuse,
    RequestSupplement,
    Supplement,
    Forward {
        to: Option<String>,
    },
    SendBack,
    Approve,
    RequestPayment {
        amount_dong: i64,
    },
    Pay {
        online: bool,
    },
    Extend {
        new_due: Instant,
    },
    Withdraw,
    Stop,
    Finish {
        electronic_result: bool,
    },
    ReturnResult,
    /// To another competent unit, with the workflow that unit applies to the procedure.
    Transfer {
        to_unit: String,
        workflow: Workflow,
    },
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::Accept { .. } => Action::Accept,
            Command::Refuse => Action::Refuse,
            Command::RequestSupplement => Action::RequestSupplement,
            Command::Supplement => Action::Supplement,
            Command::Forward { .. } => Action::Forward,
            Command::SendBack => Action::SendBack,
            Command::Approve => Action::Approve,
            Command::RequestPayment { .. } => Action::RequestPayment,
            Command::Pay { .. } => Action::Pay,
            Command::Extend { .. } => Action::Extend,
            Command::Withdraw => Action::Withdraw,
            Command::Stop => Action::Stop,
            Command::Finish { .. } => Action::Finish,
            Command::ReturnResult => Action::ReturnResult,
            Command::Transfer { .. } => Action::Transfer,
        }
    }
}

/// The clock and calendar a decision is taken with.
pub struct Context<'a> {
    pub now: Instant,
    pub calendar: &'a WorkCalendar,
}

impl Context<'_> {
    fn now(&self) -> Instant {
        self.now.with_timezone(&crate::calendar::vietnam())
    }

    fn due_after(&self, from: Instant, legal: LegalTime) -> Result<Instant, Rejection> {
        let duration = match legal {
            LegalTime::WithinDay => WorkDuration::WithinDay,
            LegalTime::WorkingMinutes(m) if m % WORKING_DAY_MINUTES == 0 => WorkDuration::Days(m / WORKING_DAY_MINUTES),
            LegalTime::WorkingMinutes(m) => {
                return self
                    .calendar
                    .add_working_minutes(from, i64::from(m))
                    .map_err(calendar_err)
            }
        };
        self.calendar.due(from, duration).map_err(calendar_err)
    }

    fn step_due(&self, from: Instant, quota_minutes: u32) -> Result<Instant, Rejection> {
        self.calendar
            .add_working_minutes(from, i64::from(quota_minutes))
            .map_err(calendar_err)
    }
}

fn event(action: EventAction, ctx: &Context, actor: &Actor, status: Status, step: Option<String>) -> Event {
    Event {
        action,
        at: ctx.now(),
        actor: actor.username.clone(),
        role: Some(actor.role),
        status,
        step,
        verdict: None,
        note: String::new(),
        data: EventData::default(),
    }
}

/// Events of acceptance: status 2 with the receipt instant and appointment, then status 4 at the
/// first step of `workflow`.
fn acceptance(ctx: &Context, actor: &Actor, legal: LegalTime, workflow: &Workflow) -> Result<Vec<Event>, Rejection> {
    let received_at = ctx.calendar.received_at(ctx.now()).map_err(calendar_err)?;
    let appointment = ctx.due_after(received_at, legal)?;
    let mut accepted = event(EventAction::Act(Action::Accept), ctx, actor, Status::Accepted, None);
    accepted.data.received_at = Some(received_at);
    accepted.data.appointment = Some(appointment);
    accepted.data.effective_due = Some(appointment);
    Ok(vec![accepted, start(ctx, received_at, workflow)?])
}

fn start(ctx: &Context, from: Instant, workflow: &Workflow) -> Result<Event, Rejection> {
    let first = workflow
        .first_step()
        .ok_or_else(|| invalid("workflow", "the workflow has no step"))?;
    let mut started = event(
        EventAction::Start,
        ctx,
        &Actor::system("system"),
        Status::InProgress,
        Some(first.id.clone()),
    );
    started.role = None;
    started.data.step_due = Some(ctx.step_due(from.max(ctx.now()), first.quota_minutes)?);
    started.data.workflow = Some(workflow.clone());
    Ok(started)
}

/// The events that create a dossier: a counter submission by a counter officer is received on the
/// spot and starts processing; an online or postal one waits (status 1) for the counter.
pub fn create(new: NewDossier, actor: &Actor, ctx: &Context, workflow: &Workflow) -> Result<Vec<Event>, Rejection> {
    workflow.validate().map_err(|e| invalid("workflow", e.to_string()))?;
    if new.applicant.name.trim().is_empty() {
        return Err(invalid("applicant.name", "the applicant's name is required"));
    }
    match new.channel {
        SubmissionChannel::Counter | SubmissionChannel::Post if actor.role != Role::CounterOfficer => Err(not_allowed(
            "only a one-stop counter officer records counter and postal submissions",
        )),
        SubmissionChannel::Counter => {
            let mut events = acceptance(ctx, actor, new.legal_time, workflow)?;
            events[0].action = EventAction::Receive;
            events[0].data.dossier = Some(new);
            Ok(events)
        }
        SubmissionChannel::Online | SubmissionChannel::Post => {
            let mut submitted = event(EventAction::Submit, ctx, actor, Status::Submitted, None);
            submitted.data.dossier = Some(new);
            Ok(vec![submitted])
        }
    }
}

impl DossierState {
    fn workflow(&self) -> Result<&Workflow, Rejection> {
        self.workflow
            .as_ref()
            .ok_or_else(|| not_allowed("the dossier has not started processing"))
    }

    fn is_applicant(&self, actor: &Actor) -> bool {
        actor.role == Role::Citizen && self.applicant_username.as_deref() == Some(actor.username.as_str())
    }

    /// The current step, checked against the acting officer: right role, competent unit, and
    /// `action` listed at that step (moving between steps needs no listing).
    fn check_step(&self, actor: &Actor, action: Action) -> Result<&super::Step, Rejection> {
        let step_id = self
            .step
            .as_deref()
            .ok_or_else(|| not_allowed("the dossier is at no step"))?;
        let step = self
            .workflow()?
            .step(step_id)
            .ok_or_else(|| not_allowed(format!("unknown current step {step_id:?}")))?;
        if actor.unit.as_deref() != Some(self.unit.as_str()) {
            return Err(not_allowed(format!(
                "only officers of the competent unit {} may act on this dossier",
                self.unit
            )));
        }
        if actor.role != step.role {
            return Err(not_allowed(format!(
                "step {:?} is acted by a {}, not a {}",
                step.id,
                step.role.as_str(),
                actor.role.as_str()
            )));
        }
        let structural = matches!(action, Action::Forward | Action::SendBack);
        if !structural && !step.actions.contains(&action) {
            return Err(not_allowed(format!(
                "`{}` is not allowed at step {:?}",
                action.as_str(),
                step.id
            )));
        }
        Ok(step)
    }

    fn require_status(&self, action: Action, allowed: &[Status]) -> Result<(), Rejection> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(not_allowed(format!(
                "`{}` is not allowed in status {} ({})",
                action.as_str(),
                self.status.code(),
                self.status.name_en()
            )))
        }
    }

    fn verdict_now(&self, ctx: &Context) -> Option<Verdict> {
        self.step_due.map(|due| Verdict::judge(ctx.now(), due))
    }

    /// Decides `command` by `actor`: the events to append, or why not.
    pub fn decide(&self, command: &Command, actor: &Actor, ctx: &Context, note: &str) -> Result<Vec<Event>, Rejection> {
        let action = command.action();
        let now = ctx.now();
        let act = EventAction::Act(action);
        let mut events = match command {
            Command::Accept { workflow } => {
                self.require_status(action, &[Status::Submitted])?;
                if actor.role != Role::CounterOfficer {
                    return Err(not_allowed("only a one-stop counter officer accepts dossiers"));
                }
                workflow.validate().map_err(|e| invalid("workflow", e.to_string()))?;
                acceptance(ctx, actor, self.legal_time, workflow)?
            }
            Command::Refuse => {
                self.require_status(action, &[Status::Submitted])?;
                if actor.role != Role::CounterOfficer {
                    return Err(not_allowed("only a one-stop counter officer refuses at reception"));
                }
                if note.trim().is_empty() {
                    return Err(invalid("note", "a refusal states its reasons (form 03)"));
                }
                vec![event(act, ctx, actor, Status::Refused, None)]
            }
            Command::RequestSupplement => {
                self.require_status(action, &[Status::InProgress])?;
                self.check_step(actor, action)?;
                if self.supplement_requests >= 1 {
                    return Err(not_allowed(
                        "a supplement may be requested only once; the first request must list everything missing",
                    ));
                }
                if note.trim().is_empty() {
                    return Err(invalid("note", "the request lists the missing papers (form 02)"));
                }
                vec![event(act, ctx, actor, Status::SupplementRequested, self.step.clone())]
            }
            Command::Supplement => {
                self.require_status(action, &[Status::SupplementRequested])?;
                if !(self.is_applicant(actor) || actor.role == Role::CounterOfficer) {
                    return Err(not_allowed("the applicant or a counter officer records the supplement"));
                }
                let mut e = event(act, ctx, actor, Status::InProgress, self.step.clone());
                let paused = self.end_pause(ctx, &mut e)?;
                if let Some(due) = self.step_due {
                    e.data.step_due = Some(ctx.calendar.add_working_minutes(due, paused).map_err(calendar_err)?);
                }
                vec![e]
            }
            Command::Forward { to } => {
                self.require_status(action, &[Status::InProgress])?;
                let step = self.check_step(actor, action)?;
                if step.actions.contains(&Action::Approve) {
                    return Err(not_allowed(format!("step {:?} moves on by `approve`", step.id)));
                }
                vec![self.move_to(act, ctx, actor, step, to.as_deref())?]
            }
            Command::Approve => {
                self.require_status(action, &[Status::InProgress])?;
                let step = self.check_step(actor, action)?;
                vec![self.move_to(act, ctx, actor, step, None)?]
            }
            Command::SendBack => {
                self.require_status(action, &[Status::InProgress])?;
                self.check_step(actor, action)?;
                let previous = self
                    .path
                    .len()
                    .checked_sub(2)
                    .and_then(|i| self.path.get(i))
                    .ok_or_else(|| not_allowed("the first step has nowhere to send back to"))?;
                let target = self
                    .workflow()?
                    .step(previous)
                    .ok_or_else(|| not_allowed(format!("unknown step {previous:?}")))?;
                let mut e = event(act, ctx, actor, Status::InProgress, Some(target.id.clone()));
                e.verdict = self.verdict_now(ctx);
                e.data.step_due = Some(ctx.step_due(now, target.quota_minutes)?);
                vec![e]
            }
            Command::RequestPayment { amount_dong } => {
                self.require_status(action, &[Status::InProgress])?;
                self.check_step(actor, action)?;
                if *amount_dong <= 0 {
                    return Err(invalid(
                        "amount_dong",
                        "the amount due must be a positive number of đồng",
                    ));
                }
                let mut e = event(act, ctx, actor, Status::FeesDue, self.step.clone());
                e.data.amount_dong = Some(*amount_dong);
                vec![e]
            }
            Command::Pay { online } => {
                self.require_status(action, &[Status::FeesDue])?;
                // The gateway callback acts as the system actor; a citizen or officer account that
                // happens to be called `payment_gateway` is not it.
                let gateway = *actor == Actor::system("payment_gateway");
                if !(self.is_applicant(actor) || actor.role == Role::CounterOfficer || gateway) {
                    return Err(not_allowed(
                        "fees are paid by the applicant, at the counter or through the gateway",
                    ));
                }
                let mut e = event(act, ctx, actor, Status::InProgress, self.step.clone());
                e.data.paid_online = Some(*online);
                e.data.amount_dong = self.fees_requested_dong;
                vec![e]
            }
            Command::Extend { new_due } => {
                self.require_status(
                    action,
                    &[Status::InProgress, Status::SupplementRequested, Status::FeesDue],
                )?;
                self.check_step(actor, action)?;
                if self.extended {
                    return Err(not_allowed("the appointment may be moved only once"));
                }
                let (Some(appointment), Some(due)) = (self.appointment, self.effective_due) else {
                    return Err(not_allowed("the dossier has no appointment yet"));
                };
                let day = ctx.calendar.day_minutes();
                let left = ctx.calendar.working_minutes_between(now, due).map_err(calendar_err)?;
                if left < day {
                    return Err(not_allowed(
                        "the apology and new date must be sent at least one working day before the due time",
                    ));
                }
                let new_due = new_due.with_timezone(&crate::calendar::vietnam());
                if new_due <= appointment {
                    return Err(invalid(
                        "new_due",
                        "the new date must be later than the current appointment",
                    ));
                }
                if note.trim().is_empty() {
                    return Err(invalid("note", "the apology states the reason for the delay (form 04)"));
                }
                let shift = ctx
                    .calendar
                    .working_minutes_between(appointment, new_due)
                    .map_err(calendar_err)?;
                let shifted = ctx.calendar.add_working_minutes(due, shift).map_err(calendar_err)?;
                let mut e = event(act, ctx, actor, self.status, self.step.clone());
                e.data.appointment = Some(new_due);
                // The shift lands on the working clock (a date on a day off maps back to the last
                // closing, minutes are truncated), but the body is never due before the date it gave.
                e.data.effective_due = Some(shifted.max(new_due));
                vec![e]
            }
            Command::Withdraw => {
                self.require_status(
                    action,
                    &[
                        Status::Submitted,
                        Status::Accepted,
                        Status::InProgress,
                        Status::SupplementRequested,
                        Status::FeesDue,
                    ],
                )?;
                if !(self.is_applicant(actor) || actor.role == Role::CounterOfficer) {
                    return Err(not_allowed(
                        "only the applicant (or a counter officer on their written request) withdraws",
                    ));
                }
                let mut e = event(act, ctx, actor, Status::Withdrawn, None);
                e.verdict = self.verdict_now(ctx);
                self.end_pause(ctx, &mut e)?;
                vec![e]
            }
            Command::Stop => {
                self.require_status(
                    action,
                    &[Status::InProgress, Status::SupplementRequested, Status::FeesDue],
                )?;
                self.check_step(actor, action)?;
                if note.trim().is_empty() {
                    return Err(invalid("note", "a stop notice states its reasons (form 05)"));
                }
                let mut e = event(act, ctx, actor, Status::Stopped, None);
                e.verdict = self.verdict_now(ctx);
                self.end_pause(ctx, &mut e)?;
                vec![e]
            }
            Command::Finish { electronic_result } => {
                self.require_status(action, &[Status::InProgress])?;
                self.check_step(actor, action)?;
                let mut e = event(act, ctx, actor, Status::ResultReady, None);
                e.verdict = self.verdict_now(ctx);
                e.data.electronic_result = Some(*electronic_result);
                vec![e]
            }
            Command::ReturnResult => {
                self.require_status(action, &[Status::ResultReady])?;
                let online_result = self.electronic_result && self.is_applicant(actor);
                if !(actor.role == Role::CounterOfficer || online_result) {
                    return Err(not_allowed(
                        "results are returned by a counter officer (or received online by the applicant)",
                    ));
                }
                vec![event(act, ctx, actor, Status::Returned, None)]
            }
            Command::Transfer { to_unit, workflow } => {
                self.require_status(action, &[Status::InProgress])?;
                self.check_step(actor, action)?;
                if *to_unit == self.unit {
                    return Err(invalid("to_unit", "the dossier is already at this unit"));
                }
                workflow.validate().map_err(|e| invalid("workflow", e.to_string()))?;
                let first = workflow
                    .first_step()
                    .ok_or_else(|| invalid("workflow", "the target workflow has no step"))?;
                let mut e = event(act, ctx, actor, Status::InProgress, Some(first.id.clone()));
                e.verdict = self.verdict_now(ctx);
                e.data.to_unit = Some(to_unit.clone());
                e.data.workflow = Some(workflow.clone());
                e.data.step_due = Some(ctx.step_due(now, first.quota_minutes)?);
                vec![e]
            }
        };
        if let Some(first) = events.first_mut() {
            first.note = note.trim().to_string();
        }
        Ok(events)
    }

    /// When `e` leaves a supplement pause (by `supplement`, `withdraw` or `stop`): records the
    /// working minutes paused and the due time shifted by them, since the clock did not run.
    /// Returns the minutes (0 when not paused).
    fn end_pause(&self, ctx: &Context, e: &mut Event) -> Result<i64, Rejection> {
        let Some(since) = self.paused_since.filter(|_| self.status == Status::SupplementRequested) else {
            return Ok(0);
        };
        let paused = ctx
            .calendar
            .working_minutes_between(since, ctx.now())
            .map_err(calendar_err)?
            .max(0);
        e.data.paused_minutes = Some(paused);
        if let Some(due) = self.effective_due {
            e.data.effective_due = Some(ctx.calendar.add_working_minutes(due, paused).map_err(calendar_err)?);
        }
        Ok(paused)
    }

    /// Leaves `step` for `to` (or its first successor).
    fn move_to(
        &self,
        act: EventAction,
        ctx: &Context,
        actor: &Actor,
        step: &super::Step,
        to: Option<&str>,
    ) -> Result<Event, Rejection> {
        let target_id = match to {
            Some(t) if step.next.iter().any(|n| n == t) => t.to_string(),
            Some(t) => return Err(invalid("to", format!("step {:?} does not lead to {t:?}", step.id))),
            None => step
                .next
                .first()
                .cloned()
                .ok_or_else(|| not_allowed(format!("step {:?} is the last; use `finish`", step.id)))?,
        };
        let target = self
            .workflow()?
            .step(&target_id)
            .ok_or_else(|| invalid("to", format!("unknown step {target_id:?}")))?;
        let mut e = event(act, ctx, actor, Status::InProgress, Some(target.id.clone()));
        e.verdict = self.verdict_now(ctx);
        e.data.step_due = Some(ctx.step_due(ctx.now(), target.quota_minutes)?);
        Ok(e)
    }
}

/// A fact recorded beside the processing (see [`EventAction::is_remark`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remark {
    /// The applicant's rating, with their comment (kept as the event's note).
    Rate { rating: Rating, comment: String },
    /// A PAKN item names the dossier; its tracking code is noted (nothing personal).
    Complain { feedback_code: String },
    /// The exchange record was delivered to the National Public Service Portal.
    SyncToPortal,
}

/// Longest rating comment, in characters.
pub const RATING_COMMENT_MAX: usize = 2000;

impl DossierState {
    /// The event recording `remark`, or `None` when the state already holds it: a dossier is
    /// rated once (the first rating stays), and a complaint or the portal sync is recorded once
    /// because QĐ 766 only asks whether there was one. The event keeps the status and step, so
    /// `apply` changes nothing but the remark.
    pub fn remark(&self, remark: &Remark, actor: &Actor, ctx: &Context) -> Result<Option<Event>, Rejection> {
        let mut e = event(EventAction::Rate, ctx, actor, self.status, self.step.clone());
        match remark {
            Remark::Rate { rating, comment } => {
                if !self.is_applicant(actor) {
                    return Err(not_allowed("only the applicant rates the handling of the dossier"));
                }
                if !matches!(self.status, Status::ResultReady | Status::Returned) {
                    return Err(not_allowed("a dossier is rated once its result is ready"));
                }
                if comment.chars().count() > RATING_COMMENT_MAX {
                    return Err(invalid("comment", format!("at most {RATING_COMMENT_MAX} characters")));
                }
                if self.rating.is_some() {
                    return Ok(None);
                }
                e.data.rating = Some(*rating);
                e.note = comment.trim().to_string();
            }
            Remark::Complain { feedback_code } => {
                if self.complaint {
                    return Ok(None);
                }
                e.action = EventAction::Complain;
                // The sender of a PAKN takes no part in the dossier's handling.
                e.role = None;
                e.note = feedback_code.trim().to_string();
            }
            Remark::SyncToPortal => {
                if self.synced_to_portal {
                    return Ok(None);
                }
                e.action = EventAction::SyncToPortal;
                e.role = None;
            }
        }
        Ok(Some(e))
    }
}

/// Why an event could not be applied (a corrupt or out-of-order log).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("event {index} ({action}) cannot be applied: {reason}")]
pub struct ApplyError {
    pub index: i64,
    pub action: &'static str,
    pub reason: String,
}

/// Folds one event into the state (`None` before the first event).
pub fn apply(state: Option<DossierState>, e: &Event) -> Result<DossierState, ApplyError> {
    let fail = |index: i64, reason: &str| ApplyError {
        index,
        action: e.action.as_str(),
        reason: reason.to_string(),
    };
    // An imported dossier starts from its historical record, as the exchange format maps it.
    if e.action == EventAction::Import {
        if state.is_some() {
            return Err(fail(-1, "an import must be the first event of a dossier"));
        }
        return super::exchange::state_from_import(e).map_err(|reason| fail(0, &reason));
    }
    let mut s = match (state, &e.data.dossier) {
        (None, Some(new)) => DossierState::created(new, e.status, e.at),
        (None, None) => return Err(fail(0, "the first event of a dossier must carry the dossier")),
        (Some(_), Some(_)) => return Err(fail(-1, "only the first event may carry the dossier")),
        (Some(s), None) => s,
    };
    let index = s.version;
    let d = &e.data;
    if e.action.is_remark() {
        if index == 0 || e.status != s.status || e.step != s.step {
            return Err(fail(index, "a remark keeps the status and step of an existing dossier"));
        }
        match e.action {
            EventAction::Rate => {
                s.rating = Some(
                    d.rating
                        .ok_or_else(|| fail(index, "a rating event carries the rating"))?,
                );
            }
            EventAction::Complain => s.complaint = true,
            EventAction::SyncToPortal => s.synced_to_portal = true,
            _ => {}
        }
        s.version = index + 1;
        return Ok(s);
    }
    let previous_status = if index == 0 { None } else { Some(s.status) };
    if let Some(w) = &d.workflow {
        s.workflow = Some(w.clone());
    }
    if let Some(t) = d.received_at {
        s.received_at = Some(t);
    }
    if let Some(t) = d.appointment {
        if s.appointment.is_some() && matches!(e.action, EventAction::Act(Action::Extend)) {
            s.extended = true;
        }
        s.appointment = Some(t);
    }
    if let Some(t) = d.effective_due {
        s.effective_due = Some(t);
    }
    // Any event that leaves status 5 (supplement, withdraw, stop) ends the pause.
    if e.status != Status::SupplementRequested {
        s.paused_since = None;
    }
    s.paused_minutes += d.paused_minutes.unwrap_or(0);
    if let Some(u) = &d.to_unit {
        s.unit = u.clone();
        s.path.clear();
    }
    match e.action {
        EventAction::Act(Action::RequestSupplement) => {
            s.supplement_requests += 1;
            s.paused_since = Some(e.at);
        }
        EventAction::Act(Action::RequestPayment) => s.fees_requested_dong = d.amount_dong,
        EventAction::Act(Action::Pay) => {
            s.paid = true;
            s.paid_online = d.paid_online.unwrap_or(false);
        }
        EventAction::Act(Action::Finish) => s.electronic_result = d.electronic_result.unwrap_or(false),
        _ => {}
    }
    // Entering a step resets the step clock; the path records the way back for `send_back`.
    let enters_step = matches!(
        e.action,
        EventAction::Start | EventAction::Act(Action::Forward | Action::Approve | Action::SendBack | Action::Transfer)
    );
    if let (true, Some(step)) = (enters_step, &e.step) {
        if e.action == EventAction::Act(Action::SendBack) {
            s.path.pop();
        } else {
            s.path.push(step.clone());
        }
        s.step_started_at = Some(e.at);
    }
    if let Some(t) = d.step_due {
        s.step_due = Some(t);
    }
    s.step = e.step.clone();
    if e.step.is_none() {
        s.step_due = None;
        s.step_started_at = None;
    }
    s.status = e.status;
    if e.status.is_closed() && s.finished_at.is_none() && e.status != Status::Returned {
        s.finished_at = Some(e.at);
        s.verdict = e.verdict.or(s.verdict);
        if let Some(due) = s.effective_due {
            s.verdict = Some(Verdict::judge(e.at, due));
        }
    }
    if e.status == Status::Returned {
        s.returned_at = Some(e.at);
    }
    if previous_status != Some(e.status) {
        s.history.push(StatusChange {
            status: e.status,
            at: e.at,
        });
    }
    s.version = index + 1;
    Ok(s)
}

/// Replays a whole log.
pub fn replay(events: &[Event]) -> Result<Option<DossierState>, ApplyError> {
    let mut state = None;
    for e in events {
        state = Some(apply(state, e)?);
    }
    Ok(state)
}
