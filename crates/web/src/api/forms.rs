//! Printed forms of a dossier (TT 03/2025 forms 01–06, PDF) and the register 07 (Excel).
//! The data comes from the dossier's state and event log; typesetting is `motcua-reports`.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, TimeZone};
use motcua_domain::dossier::{Action, DossierState, Event, EventAction, LegalTime, Status, WORKING_DAY_MINUTES};
use motcua_domain::roles::Role;
use motcua_engine::Engine;
use motcua_reports::{Addressee, DossierInfo, Form, HandOver, Issuer, PaperLine, RegisterInfo, RegisterRow};
use motcua_store::User;
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Path, Query};
use crate::state::AppState;

/// Who may print a dossier's forms (they carry personal data): whoever may see its full record
/// (the applicant; the competent unit; a counter while the dossier is at the counter) and the
/// officers who may read its trail (competent or receiving unit).
fn may_print(user: &User, s: &DossierState) -> bool {
    Engine::may_view_full(user, s) || Engine::may_view_events(user, s)
}

/// "Ủy ban nhân dân tỉnh Gia Lai" and "Gia Lai" for the deployment's province, looked up once.
pub(crate) async fn province_names(state: &AppState) -> ApiResult<(String, String)> {
    static CACHE: OnceLock<Mutex<HashMap<String, (String, String)>>> = OnceLock::new();
    let code = state.engine().province_code();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|m| m.get(&code).cloned()) {
        return Ok(hit);
    }
    let units = state.store().units().await?;
    let province = units
        .iter()
        .filter(|u| u.code == code && u.parent_code.is_none())
        .max_by_key(|u| u.valid_from)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    // "Tỉnh Gia Lai" → place "Gia Lai", authority "Ủy ban nhân dân tỉnh Gia Lai".
    let (kind, place) = province
        .split_once(' ')
        .map(|(k, p)| (k.to_lowercase(), p.to_string()))
        .unwrap_or_default();
    let names = if place.is_empty() {
        (String::new(), String::new())
    } else {
        (format!("Ủy ban nhân dân {kind} {place}"), place)
    };
    if let Ok(mut m) = cache.lock() {
        m.insert(code, names.clone());
    }
    Ok(names)
}

fn org_name(engine: &Engine, code: &str) -> String {
    engine
        .organisation(code)
        .map(|o| o.name)
        .unwrap_or_else(|| code.to_string())
}

/// The header of a form issued by `body_code`: a people's committee heads its own forms; a
/// department or the service centre shows the province's people's committee above it.
async fn issuer(state: &AppState, body_code: &str) -> ApiResult<Issuer> {
    let (authority, place) = province_names(state).await?;
    let org = state.engine().organisation(body_code);
    let authority = match &org {
        Some(o) if o.kind == "people_committee" => String::new(),
        _ => authority,
    };
    Ok(Issuer {
        authority,
        body: org.map(|o| o.name).unwrap_or_else(|| body_code.to_string()),
        place,
    })
}

/// Full names of the officers who acted, for signatures and the control sheet.
struct Names<'a> {
    state: &'a AppState,
    known: HashMap<String, String>,
}

impl Names<'_> {
    async fn of(&mut self, username: &str) -> ApiResult<String> {
        if let Some(n) = self.known.get(username) {
            return Ok(n.clone());
        }
        let name = match self.state.store().user_credentials(username).await? {
            Some((user, _)) if !user.full_name.is_empty() => user.full_name,
            _ => username.to_string(),
        };
        self.known.insert(username.to_string(), name.clone());
        Ok(name)
    }
}

fn legal_time_vi(t: LegalTime) -> String {
    match t {
        LegalTime::WithinDay => "trong ngày".into(),
        LegalTime::WorkingMinutes(m) if m % WORKING_DAY_MINUTES == 0 => {
            format!("{:02} ngày làm việc", m / WORKING_DAY_MINUTES)
        }
        LegalTime::WorkingMinutes(m) => format!("{} giờ làm việc", m.div_ceil(60)),
    }
}

/// An officer's note as numbered items: one per line or per ";".
fn note_items(note: &str) -> Vec<String> {
    note.split(['\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn last_event(events: &[Event], action: Action) -> Option<&Event> {
    events.iter().rev().find(|e| e.action == EventAction::Act(action))
}

fn step_name(s: &DossierState, id: Option<&str>) -> Option<String> {
    let id = id?;
    Some(
        s.workflow
            .as_ref()
            .and_then(|w| w.step(id))
            .map(|st| st.name.clone())
            .unwrap_or_else(|| id.to_string()),
    )
}

/// One control-sheet row per event: who handed the dossier on, to whom, when, and how the step
/// that ended did against its quota.
async fn hand_overs(
    state: &AppState,
    s: &DossierState,
    events: &[Event],
    names: &mut Names<'_>,
) -> ApiResult<Vec<HandOver>> {
    let engine = state.engine();
    let applicant = format!("Người nộp hồ sơ ({})", s.applicant.name);
    let receiving = org_name(engine, &s.receiving_unit);
    let competent = org_name(engine, &s.unit);
    let mut rows = Vec::with_capacity(events.len());
    let mut step: Option<String> = None;
    // Ratings, complaints and the portal sync hand nothing over.
    for e in events.iter().filter(|e| !e.action.is_remark()) {
        let actor = if e.actor == "system" {
            receiving.clone()
        } else {
            names.of(&e.actor).await?
        };
        let left = step_name(s, step.as_deref());
        let entered = if e.step != step {
            step_name(s, e.step.as_deref())
        } else {
            None
        };
        let holder = |who: &str| match &left {
            Some(st) => format!("{who} – {st}"),
            None => who.to_string(),
        };
        let (giver, receiver) = match e.action {
            EventAction::Submit => (applicant.clone(), receiving.clone()),
            EventAction::Receive => (applicant.clone(), format!("{actor} – {receiving}")),
            EventAction::Import => (applicant.clone(), competent.clone()),
            EventAction::Start => (receiving.clone(), entered.clone().unwrap_or_else(|| competent.clone())),
            EventAction::Act(Action::Accept) => (applicant.clone(), format!("{actor} – {receiving}")),
            EventAction::Act(Action::Supplement | Action::Pay) => (
                applicant.clone(),
                left.clone()
                    .map(|st| format!("{competent} – {st}"))
                    .unwrap_or_else(|| competent.clone()),
            ),
            EventAction::Act(
                Action::RequestSupplement
                | Action::Refuse
                | Action::Stop
                | Action::Extend
                | Action::RequestPayment
                | Action::ReturnResult,
            ) => (holder(&actor), applicant.clone()),
            EventAction::Act(Action::Withdraw) => (applicant.clone(), competent.clone()),
            EventAction::Act(Action::Transfer) => (
                holder(&actor),
                e.data
                    .to_unit
                    .as_deref()
                    .map(|u| org_name(engine, u))
                    .unwrap_or_default(),
            ),
            EventAction::Act(Action::Finish) => (holder(&actor), receiving.clone()),
            EventAction::Act(Action::Forward | Action::SendBack | Action::Approve) => (
                holder(&actor),
                entered.clone().unwrap_or_else(|| e.status.name_vi().to_string()),
            ),
            EventAction::Rate | EventAction::Complain | EventAction::SyncToPortal => continue,
        };
        let label = match e.action {
            EventAction::Act(a) => a.name_vi(),
            EventAction::Submit => "Nộp hồ sơ",
            EventAction::Receive => "Tiếp nhận",
            EventAction::Start => "Chuyển xử lý",
            EventAction::Import => "Nhập từ hệ thống khác",
            EventAction::Rate | EventAction::Complain | EventAction::SyncToPortal => continue,
        };
        let note = if e.note.trim().is_empty() {
            label.to_string()
        } else {
            format!("{label}: {}", e.note.trim())
        };
        rows.push(HandOver {
            at: e.at,
            giver,
            receiver,
            verdict: e.verdict.map(|v| v.name_vi().to_string()),
            note,
        });
        step = e.step.clone();
    }
    Ok(rows)
}

/// The base URL the caller reached this deployment at (scheme from a proxy's
/// `X-Forwarded-Proto`), for the QR code of the receipt.
fn public_base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic() && b != b'/' && b != b'\\'))
        .unwrap_or("localhost");
    let scheme = match headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

fn file_response(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("inline"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        bytes,
    )
        .into_response()
}

/// A file answered as raw bytes (PDF or workbook), for the OpenAPI description.
pub struct BinaryFile;

impl utoipa::PartialSchema for BinaryFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}
impl utoipa::ToSchema for BinaryFile {}

fn not_applicable(form: &str, why: &str) -> ApiError {
    ApiError::Conflict(format!("form {form} does not apply to this dossier: {why}"))
}

/// Builds the form `number` for a dossier, or says why it does not apply.
async fn build_form(
    state: &AppState,
    code: &str,
    s: &DossierState,
    events: &[Event],
    number: &str,
    base: &str,
) -> ApiResult<(DossierInfo, Form)> {
    let engine = state.engine();
    let mut names = Names {
        state,
        known: HashMap::new(),
    };
    let receiving = org_name(engine, &s.receiving_unit);
    let competent = org_name(engine, &s.unit);
    let officer_of = |e: Option<&Event>| e.map(|e| e.actor.clone());
    // Receipt and control sheet come from the one-stop counter; notices from the competent unit.
    let issuing = match number {
        "01" | "06" => &s.receiving_unit,
        _ => &s.unit,
    };
    let (form, issued_at) = match number {
        "01" => {
            let Some(received_at) = s.received_at else {
                return Err(not_applicable("01", "it has not been received yet"));
            };
            let by = officer_of(
                events
                    .iter()
                    .find(|e| matches!(e.action, EventAction::Receive | EventAction::Act(Action::Accept))),
            );
            let officer = match by {
                Some(u) => names.of(&u).await?,
                None => String::new(),
            };
            let form = Form::Receipt {
                papers: s
                    .documents
                    .iter()
                    .map(|d| PaperLine {
                        name: d.component.clone(),
                        originals: d.originals,
                        copies: d.copies,
                    })
                    .collect(),
                legal_time: legal_time_vi(s.legal_time),
                lookup_url: format!("{base}/tra-cuu?ma={code}"),
                officer,
            };
            (form, received_at)
        }
        "02" => {
            let e = last_event(events, Action::RequestSupplement)
                .ok_or_else(|| not_applicable("02", "no supplement was requested"))?;
            let form = Form::SupplementRequest {
                requested_at: e.at,
                items: note_items(&e.note),
                officer: names.of(&e.actor).await?,
            };
            (form, e.at)
        }
        "03" => {
            let e = last_event(events, Action::Refuse)
                .filter(|_| s.status == Status::Refused)
                .ok_or_else(|| not_applicable("03", "it was not refused"))?;
            let form = Form::Refusal {
                refused_at: e.at,
                reasons: note_items(&e.note),
                officer: names.of(&e.actor).await?,
            };
            (form, e.at)
        }
        "04" => {
            let i = events
                .iter()
                .rposition(|e| e.action == EventAction::Act(Action::Extend))
                .filter(|_| s.extended)
                .ok_or_else(|| not_applicable("04", "its appointment was not moved (action extend)"))?;
            let e = &events[i];
            let previous = events[..i].iter().rev().find_map(|p| p.data.appointment);
            let (Some(previous), Some(new)) = (previous, e.data.appointment) else {
                return Err(not_applicable("04", "the log holds no appointment to move"));
            };
            let form = Form::Apology {
                previous_appointment: previous,
                new_appointment: new,
                reasons: note_items(&e.note),
                officer: names.of(&e.actor).await?,
            };
            (form, e.at)
        }
        "05" => {
            let e = last_event(events, Action::Stop)
                .filter(|_| s.status == Status::Stopped)
                .ok_or_else(|| not_applicable("05", "its processing was not stopped"))?;
            let form = Form::StopNotice {
                stopped_at: e.at,
                reasons: note_items(&e.note),
                officer: names.of(&e.actor).await?,
            };
            (form, e.at)
        }
        "06" => {
            if s.received_at.is_none() {
                return Err(not_applicable("06", "it has not been received yet"));
            }
            let steps = hand_overs(state, s, events, &mut names).await?;
            let outcome = match (s.status.is_closed(), s.verdict) {
                (true, Some(v)) => Some(format!("{} – {}", s.status.name_vi(), v.name_vi())),
                (true, None) => Some(s.status.name_vi().to_string()),
                (false, _) => None,
            };
            (Form::ControlSheet { steps, outcome }, engine.now())
        }
        other => {
            return Err(ApiError::NotFound(format!(
                "no form {other}.pdf; forms are 01.pdf to 06.pdf"
            )))
        }
    };
    let a = &s.applicant;
    let info = DossierInfo {
        issuer: issuer(state, issuing).await?,
        issued_at,
        code: code.to_string(),
        procedure_code: s.procedure.clone(),
        procedure_name: s.procedure_name.clone(),
        competent_body: competent,
        receiving_body: receiving,
        applicant: Addressee {
            name: a.name.clone(),
            address: a.address.clone(),
            phone: a.phone.clone(),
            email: a.email.clone(),
        },
        received_at: s.received_at,
        appointment: s.appointment,
    };
    Ok((info, form))
}

/// A TT 03/2025 form of a dossier as PDF: 01 receipt (with a QR code to the status page),
/// 02 supplement request, 03 refusal, 04 apology and new date, 05 stop notice, 06 control
/// sheet. For the applicant and officers of the competent unit or the receiving centre; 409
/// when the form does not apply in the dossier's state.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/forms/{file}", tag = "forms",
    params(("code" = String, Path, description = "MaHoSo"),
        ("file" = String, Path, description = "`01.pdf` … `06.pdf`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The form", content_type = "application/pdf", body = BinaryFile),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "The form does not apply in this state", body = crate::error::ErrorBody)))]
pub async fn form(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((code, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let number = file
        .strip_suffix(".pdf")
        .filter(|n| matches!(*n, "01" | "02" | "03" | "04" | "05" | "06"))
        .ok_or_else(|| ApiError::NotFound(format!("no form {file}; forms are 01.pdf to 06.pdf")))?
        .to_string();
    let code = code.trim();
    let s = state.engine().state(code).await?;
    if !may_print(&user, &s) {
        return Err(ApiError::Forbidden(
            "forms are issued to the applicant and officers of the competent or receiving unit".into(),
        ));
    }
    let events: Vec<Event> = state
        .store()
        .dossier_events(code)
        .await?
        .into_iter()
        .map(|e| e.event)
        .collect();
    let base = public_base(&headers);
    let (info, form) = build_form(&state, code, &s, &events, &number, &base).await?;
    tracing::info!(target: "motcua::personal_data", reader = %user.username, code, form = %number, "form issued");
    let started = std::time::Instant::now();
    let pdf = tokio::task::spawn_blocking(move || motcua_reports::render_pdf(&info, &form))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(e.into()))?;
    tracing::debug!(form = %number, ms = started.elapsed().as_millis() as u64, "form rendered");
    // The file name carries the form and the dossier code, never the applicant.
    Ok(file_response(
        pdf,
        "application/pdf",
        &format!("mau-{number}-{code}.pdf"),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterQuery {
    /// The unit (default: the caller's own). Officers get their own unit's register only.
    pub unit: Option<String>,
    /// First day, `YYYY-MM-DD` (default: the first of the current month).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today).
    pub to: Option<String>,
}

fn parse_day(field: &str, value: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| ApiError::invalid(field, "a date YYYY-MM-DD"))
}

/// The register 07 (sổ theo dõi hồ sơ) of a unit over a period, as an Excel workbook: the
/// dossiers the unit received (service centre) or handles (competent unit) in the period.
#[utoipa::path(get, path = "/api/v1/registers/{file}", tag = "forms", params(
        ("file" = String, Path, description = "`07.xlsx`"), RegisterQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The register",
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = BinaryFile),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(file): Path<String>,
    Query(q): Query<RegisterQuery>,
) -> ApiResult<Response> {
    if file != "07.xlsx" {
        return Err(ApiError::NotFound(format!(
            "no register {file}; the register is 07.xlsx"
        )));
    }
    let own = match (user.role, user.unit_code.clone()) {
        (Role::CounterOfficer | Role::Specialist | Role::Leader | Role::UnitAdmin, Some(u)) => u,
        _ => return Err(ApiError::Forbidden("the register is kept by officers of a unit".into())),
    };
    let unit = q.unit.map(|u| u.trim().to_string()).unwrap_or_else(|| own.clone());
    if unit != own {
        return Err(ApiError::Forbidden(
            "officers get the register of their own unit".into(),
        ));
    }
    let engine = state.engine();
    let today = engine.now().date_naive();
    let from = match q.from.as_deref() {
        Some(v) => parse_day("from", v)?,
        None => today.with_day(1).unwrap_or(today),
    };
    let to = match q.to.as_deref() {
        Some(v) => parse_day("to", v)?,
        None => today,
    };
    if to < from {
        return Err(ApiError::invalid("to", "must not be before from"));
    }
    if (to - from).num_days() > 366 {
        return Err(ApiError::invalid("to", "a register covers at most a year"));
    }
    let vn = motcua_domain::calendar::vietnam();
    let start = vn
        .from_local_datetime(&from.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .ok_or_else(|| ApiError::invalid("from", "not a valid day"))?;
    let end = vn
        .from_local_datetime(&to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .ok_or_else(|| ApiError::invalid("to", "not a valid day"))?;
    let org = engine.organisation(&unit);
    let centre = org.as_ref().is_some_and(|o| o.kind == "service_centre");
    // A service centre receives for every unit of the province: scan all, keep what it received.
    let scope = if centre { None } else { Some(unit.as_str()) };
    let mut dossiers: Vec<(String, DossierState)> = state
        .store()
        .dossiers_for_index(scope, end.timestamp_millis())
        .await?
        .into_iter()
        .filter(|(_, s, _)| {
            if centre {
                s.receiving_unit == unit
            } else {
                s.unit == unit
            }
        })
        .filter(|(_, s, _)| s.received_at.is_some_and(|t| t >= start && t < end))
        .map(|(code, s, _)| (code, s))
        .collect();
    dossiers.sort_by(|a, b| (a.1.received_at, &a.0).cmp(&(b.1.received_at, &b.0)));
    let rows: Vec<RegisterRow> = dossiers
        .into_iter()
        .map(|(code, s)| {
            let contact = [s.applicant.address.as_deref(), s.applicant.phone.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; ");
            let note = match s.verdict {
                Some(v) => format!("{} – {}", s.status.name_vi(), v.name_vi()),
                None => s.status.name_vi().to_string(),
            };
            RegisterRow {
                code,
                procedure_name: s.procedure_name.clone(),
                applicant_name: s.applicant.name.clone(),
                contact,
                competent_body: org_name(engine, &s.unit),
                received_at: s.received_at,
                appointment: s.appointment,
                finished_at: s.finished_at,
                returned_at: s.returned_at,
                note,
            }
        })
        .collect();
    let info = RegisterInfo {
        unit_name: org.map(|o| o.name).unwrap_or_else(|| unit.clone()),
        unit_code: unit.clone(),
        period: format!("{} – {}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y")),
    };
    tracing::info!(target: "motcua::personal_data", reader = %user.username, unit = %unit, rows = rows.len(), "register issued");
    let xlsx = tokio::task::spawn_blocking(move || motcua_reports::render_register(&info, &rows))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(e.into()))?;
    let name = format!(
        "so-theo-doi-{unit}-{}-{}.xlsx",
        from.format("%Y%m%d"),
        to.format("%Y%m%d")
    );
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(file_response(xlsx, motcua_reports::XLSX_CONTENT_TYPE, &name))
}
