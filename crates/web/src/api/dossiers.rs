//! Dossiers: submission, public and full views, actions, the audit trail.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, FixedOffset};
use motcua_domain::dossier::{Applicant, DeclaredDocument, DossierState, StatusChange, Verdict};
use motcua_engine::{ActionRequest, Engine, Submission};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, MaybeCaller};
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::state::AppState;

/// Longest accepted `Idempotency-Key`.
const MAX_KEY_LEN: usize = 200;

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let key = v
                .to_str()
                .map_err(|_| ApiError::invalid("Idempotency-Key", "must be visible ASCII"))?
                .trim();
            if key.is_empty() || key.len() > MAX_KEY_LEN {
                return Err(ApiError::invalid(
                    "Idempotency-Key",
                    format!("1–{MAX_KEY_LEN} characters"),
                ));
            }
            Ok(Some(key.to_string()))
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubmitResponse {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    /// 1 waiting for the counter (online, post), 2/4 accepted (counter).
    pub status: u8,
    /// When the dossier counts as received; null until accepted.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub received_at: Option<DateTime<FixedOffset>>,
    /// The appointment (`NgayHenTra`); null until accepted.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due: Option<DateTime<FixedOffset>>,
    /// Identity verified against the population registry or by a level-2 e-ID account.
    pub identity_verified: bool,
    /// e-ID assurance level of the submitting account (0 none, 1, 2).
    pub eid_level: u8,
    /// The applicant as recorded (after prefilling from the registry).
    pub applicant: Applicant,
}

/// A submission, with the counter's option to verify the applicant against the population registry.
#[derive(Deserialize, ToSchema)]
pub struct SubmitBody {
    #[serde(flatten)]
    pub submission: Submission,
    /// Counter intake (channel 1 or 3, by a counter officer): look the applicant's personal id up
    /// in the population registry, fill in the name, birth date and address left empty, refuse
    /// what contradicts the registry, and record the identity as verified (`DuocLayTuCSDLDanCu`).
    #[serde(default)]
    pub verify_identity: bool,
}

/// Submits a dossier. A counter submission by a counter officer is accepted on the spot; an online
/// one waits for the counter. The same `Idempotency-Key` always answers with the same dossier.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = SubmitBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe submission key")),
    security(("bearer" = [])),
    responses((status = 201, body = SubmitResponse), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    Caller(user): Caller,
    headers: HeaderMap,
    Json(body): Json<SubmitBody>,
) -> ApiResult<(StatusCode, Json<SubmitResponse>)> {
    let key = idempotency_key(&headers)?;
    let options = motcua_engine::SubmitOptions {
        verify_identity: body.verify_identity,
    };
    let done = state
        .engine()
        .submit_with(&user, body.submission, key.as_deref(), options)
        .await?;
    tracing::info!(code = %done.code, replayed = done.replayed, "dossier submitted");
    Ok((
        StatusCode::CREATED,
        Json(SubmitResponse {
            code: done.code,
            status: done.receipt.status,
            received_at: done.receipt.received_at,
            due: done.receipt.due,
            identity_verified: done.state.identity_verified,
            eid_level: done.state.eid_level,
            applicant: done.state.applicant,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Named {
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusInfo {
    /// `TrangThaiHoSo` 1–10.
    pub code: u8,
    pub name: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct TimeLeft {
    pub overdue: bool,
    /// "còn 1 ngày 2 giờ" / "quá …".
    pub vi: String,
    pub en: String,
}

/// What anyone may see of a dossier: no applicant data.
#[derive(Serialize, ToSchema)]
pub struct PublicView {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    pub procedure: Named,
    pub unit: Named,
    pub status: StatusInfo,
    #[schema(value_type = String, format = DateTime)]
    pub submitted_at: DateTime<FixedOffset>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub received_at: Option<DateTime<FixedOffset>>,
    /// The appointment (`NgayHenTra`).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due: Option<DateTime<FixedOffset>>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<DateTime<FixedOffset>>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub returned_at: Option<DateTime<FixedOffset>>,
    /// Name of the current processing step.
    pub step: Option<String>,
    /// Working time left to the (effective) due, while processing.
    pub time_left: Option<TimeLeft>,
    pub history: Vec<HistoryEntry>,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    pub status: u8,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<FixedOffset>,
}

/// The full record, for the applicant and the competent unit.
#[derive(Serialize, ToSchema)]
pub struct FullView {
    #[serde(flatten)]
    pub public: PublicView,
    pub applicant: Applicant,
    pub channel: u8,
    pub receiving_unit: Named,
    pub step_id: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub step_due: Option<DateTime<FixedOffset>>,
    /// The appointment shifted by the time spent waiting for a supplement.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub effective_due: Option<DateTime<FixedOffset>>,
    pub supplement_requests: u32,
    pub paused_minutes: i64,
    pub extended: bool,
    pub fees_requested_dong: Option<i64>,
    pub paid: bool,
    pub paid_online: bool,
    pub electronic_result: bool,
    pub eid_level: u8,
    pub identity_verified: bool,
    /// The papers handed in with the application.
    pub documents: Vec<DeclaredDocument>,
    pub verdict: Option<Verdict>,
    /// Optimistic-concurrency version (number of events).
    pub version: i64,
}

fn organisation_name(engine: &Engine, code: &str) -> Named {
    Named {
        code: code.to_string(),
        name: engine.organisation(code).map(|o| o.name).unwrap_or_default(),
    }
}

fn public_view(engine: &Engine, code: &str, s: &DossierState) -> PublicView {
    let step = s
        .step
        .as_deref()
        .and_then(|id| s.workflow.as_ref().and_then(|w| w.step(id)))
        .map(|st| st.name.clone());
    let time_left = match (s.status.is_closed(), s.effective_due) {
        (false, Some(due)) => engine.calendar().time_left(engine.now(), due).ok().map(|t| TimeLeft {
            overdue: t.overdue,
            vi: t.vi(),
            en: t.en(),
        }),
        _ => None,
    };
    PublicView {
        code: code.to_string(),
        procedure: Named {
            code: s.procedure.clone(),
            name: s.procedure_name.clone(),
        },
        unit: organisation_name(engine, &s.unit),
        status: StatusInfo {
            code: s.status.code(),
            name: s.status.name_vi().into(),
            name_en: s.status.name_en().into(),
        },
        submitted_at: s.submitted_at,
        received_at: s.received_at,
        due: s.appointment,
        finished_at: s.finished_at,
        returned_at: s.returned_at,
        step,
        time_left,
        history: s.history.iter().map(history_entry).collect(),
    }
}

fn history_entry(h: &StatusChange) -> HistoryEntry {
    HistoryEntry {
        status: h.status.code(),
        name: h.status.name_vi().into(),
        at: h.at,
    }
}

fn full_view(engine: &Engine, code: &str, s: DossierState) -> FullView {
    FullView {
        public: public_view(engine, code, &s),
        channel: s.channel.code(),
        receiving_unit: organisation_name(engine, &s.receiving_unit),
        step_id: s.step.clone(),
        step_due: s.step_due,
        effective_due: s.effective_due,
        supplement_requests: s.supplement_requests,
        paused_minutes: s.paused_minutes,
        extended: s.extended,
        fees_requested_dong: s.fees_requested_dong,
        paid: s.paid,
        paid_online: s.paid_online,
        electronic_result: s.electronic_result,
        eid_level: s.eid_level,
        identity_verified: s.identity_verified,
        documents: s.documents.clone(),
        verdict: s.verdict,
        version: s.version,
        applicant: s.applicant,
    }
}

/// Either view, as the caller is entitled.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum DossierView {
    Full(Box<FullView>),
    Public(Box<PublicView>),
}

async fn view_for(engine: &Engine, user: Option<&motcua_store::User>, code: &str, s: DossierState) -> DossierView {
    match user {
        Some(u) if Engine::may_view_full(u, &s) => {
            // Reads of personal data go to the audit log with who and which dossier (never the data).
            engine
                .audit_event(&u.username, "dossier.view", code, serde_json::json!({}))
                .await;
            DossierView::Full(Box::new(full_view(engine, code, s)))
        }
        _ => DossierView::Public(Box::new(public_view(engine, code, &s))),
    }
}

/// A dossier: the public view for anyone, the full record for the applicant and the competent unit.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers",
    params(("code" = String, Path, description = "MaHoSo, e.g. 000.00.12.H21-240412-0001")),
    responses((status = 200, body = DossierView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    MaybeCaller(user): MaybeCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<DossierView>> {
    let engine = state.engine();
    let s = engine.state(code.trim()).await?;
    Ok(Json(view_for(engine, user.as_ref(), code.trim(), s).await))
}

/// Takes an action; answers with the new state, 409 when not allowed now or to this user.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/actions", tag = "dossiers", request_body = ActionRequest,
    params(("code" = String, Path, description = "MaHoSo"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe action key")),
    security(("bearer" = [])),
    responses((status = 200, body = DossierView), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    Json(req): Json<ActionRequest>,
) -> ApiResult<Json<DossierView>> {
    let key = idempotency_key(&headers)?;
    let engine = state.engine();
    let code = code.trim();
    let s = engine.act_request(&user, code, &req, key.as_deref()).await?;
    tracing::info!(code, action = %req.action, by = %user.username, "dossier action");
    Ok(Json(view_for(engine, Some(&user), code, s).await))
}

#[derive(Serialize, ToSchema)]
pub struct EventEntry {
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    pub role: Option<String>,
    pub action: String,
    pub status: u8,
    pub step: Option<String>,
    /// Trước hạn / Đúng hạn / Quá hạn of the step that was left.
    pub verdict: Option<Verdict>,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    pub events: Vec<EventEntry>,
}

/// The audit trail, for officers of the competent (or receiving) unit.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/events", tag = "dossiers",
    params(("code" = String, Path, description = "MaHoSo")), security(("bearer" = [])),
    responses((status = 200, body = EventList), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    MaybeCaller(user): MaybeCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<EventList>> {
    let code = code.trim();
    let s = state.engine().state(code).await?;
    // Anonymous callers get 403 like anyone outside the unit: the trail is never public.
    if !user.as_ref().is_some_and(|u| Engine::may_view_events(u, &s)) {
        return Err(ApiError::Forbidden(
            "the audit trail is shown to officers of the competent unit only".into(),
        ));
    }
    if let Some(u) = &user {
        state
            .engine()
            .audit_event(&u.username, "dossier.events", code, serde_json::json!({}))
            .await;
    }
    let events = state
        .store()
        .dossier_events(code)
        .await?
        .into_iter()
        .map(|e| EventEntry {
            version: e.version,
            at: e.event.at,
            actor: e.event.actor,
            role: e.event.role.map(|r| r.as_str().to_string()),
            action: e.event.action.as_str().to_string(),
            status: e.event.status.code(),
            step: e.event.step,
            verdict: e.event.verdict,
            note: e.event.note,
        })
        .collect();
    Ok(Json(EventList {
        code: code.to_string(),
        events,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// The unit (default: the caller's own unit; province admins and leadership viewers may ask any).
    pub unit: Option<String>,
    /// Horizon in working hours (default 8 = one working day).
    pub within_hours: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineEntry {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    pub status: u8,
    #[schema(value_type = String, format = DateTime)]
    pub due: DateTime<FixedOffset>,
    pub overdue: bool,
    pub time_left_vi: String,
    pub time_left_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineList {
    pub unit: Option<String>,
    pub overdue: usize,
    pub due_soon: usize,
    pub items: Vec<DeadlineEntry>,
}

/// Open dossiers already overdue or due within the horizon, soonest first (inbox warnings).
#[utoipa::path(get, path = "/api/v1/deadlines", tag = "dossiers", params(DeadlineQuery), security(("bearer" = [])),
    responses((status = 200, body = DeadlineList), (status = 403, body = crate::error::ErrorBody)))]
pub async fn deadlines(
    State(state): State<AppState>,
    Caller(user): Caller,
    crate::error::Query(q): crate::error::Query<DeadlineQuery>,
) -> ApiResult<Json<DeadlineList>> {
    use motcua_domain::roles::Role;
    let province_wide = matches!(user.role, Role::ProvinceAdmin | Role::LeadershipViewer);
    let unit = match (q.unit, province_wide) {
        (Some(u), true) => Some(u),
        (None, true) => None,
        (asked, false) => {
            let own = user
                .unit_code
                .clone()
                .ok_or_else(|| ApiError::Forbidden("deadlines are shown to officers of a unit".into()))?;
            if asked.as_deref().is_some_and(|a| a != own) {
                return Err(ApiError::Forbidden(
                    "officers see the deadlines of their own unit".into(),
                ));
            }
            Some(own)
        }
    };
    let within = q.within_hours.unwrap_or(8);
    if within > 8 * 60 {
        return Err(ApiError::invalid("within_hours", "at most 480 working hours"));
    }
    let flags = state.engine().deadline_flags(unit.as_deref(), within, 1000).await?;
    let overdue = flags.iter().filter(|f| f.overdue).count();
    Ok(Json(DeadlineList {
        unit,
        overdue,
        due_soon: flags.len() - overdue,
        items: flags
            .into_iter()
            .map(|f| DeadlineEntry {
                code: f.code,
                status: f.status,
                due: f.due,
                overdue: f.overdue,
                time_left_vi: f.time_left_vi,
                time_left_en: f.time_left_en,
            })
            .collect(),
    }))
}
