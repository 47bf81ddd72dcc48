//! `/can-bo/ho-so/{code}`: one dossier for an officer — applicant, documents, timeline, deadline,
//! the actions the state machine allows this officer now — and its control sheet (form 06).

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use motcua_domain::dossier::{
    default_workflow, Action, Command, Context, DossierState, EventAction, Rejection, Status, Verdict, Workflow,
};
use motcua_engine::{ActionRequest, Engine, EngineError};
use motcua_store::dossiers::StoredEvent;
use serde::Deserialize;

use super::{may_open, require_officer, role_name, status_name, step_name, time_left, Officer};
use crate::pages::{clean, datetime, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// The i18n key of an action's name.
pub fn action_key(a: Action) -> &'static str {
    match a {
        Action::Accept => "bo.action.accept",
        Action::Refuse => "bo.action.refuse",
        Action::RequestSupplement => "bo.action.request_supplement",
        Action::Supplement => "bo.action.supplement",
        Action::Forward => "bo.action.forward",
        Action::SendBack => "bo.action.send_back",
        Action::Approve => "bo.action.approve",
        Action::RequestPayment => "bo.action.request_payment",
        Action::Pay => "bo.action.pay",
        Action::Extend => "bo.action.extend",
        Action::Withdraw => "bo.action.withdraw",
        Action::Stop => "bo.action.stop",
        Action::Finish => "bo.action.finish",
        Action::ReturnResult => "bo.action.return_result",
        Action::Transfer => "bo.action.transfer",
    }
}

/// The banner key after `?xong=<action>`.
pub fn done_key(action: &str) -> Option<&'static str> {
    Action::parse(action).map(action_key)
}

fn event_action_name(a: EventAction, lang: Lang) -> &'static str {
    lang.t(match a {
        EventAction::Submit => "bo.event.submit",
        EventAction::Receive => "bo.event.receive",
        EventAction::Start => "bo.event.start",
        EventAction::Import => "bo.event.import",
        EventAction::Rate => "bo.event.rate",
        EventAction::Complain => "bo.event.complain",
        EventAction::SyncToPortal => "bo.event.sync_to_portal",
        EventAction::Act(a) => action_key(a),
    })
}

fn verdict_name(v: Verdict, lang: Lang) -> &'static str {
    lang.t(match v {
        Verdict::Early => "bo.verdict.early",
        Verdict::OnTime => "bo.verdict.on_time",
        Verdict::Late => "bo.verdict.late",
    })
}

/// Asks the state machine which actions this officer may take now: each action is decided on a
/// copy with placeholder parameters; refusals for the officer, state or step rule it out, while a
/// refusal of a parameter (to be filled in the form) does not.
pub async fn allowed_actions(state: &AppState, officer: &Officer, s: &DossierState) -> Vec<Action> {
    let engine = state.engine();
    let calendar = engine.calendar();
    let now = engine.now();
    let ctx = Context {
        now,
        calendar: &calendar,
    };
    let actor = officer.actor();
    let workflow = || -> Workflow {
        s.workflow
            .clone()
            .unwrap_or_else(|| default_workflow(&s.procedure, s.legal_time))
    };
    let mut out = Vec::new();
    for action in Action::ALL {
        let command = match action {
            Action::Accept => match engine.workflow_for(&s.procedure, &s.unit, s.legal_time).await {
                Ok(w) => Command::Accept { workflow: w },
                Err(_) => continue,
            },
            Action::Refuse => Command::Refuse,
            Action::RequestSupplement => Command::RequestSupplement,
            Action::Supplement => Command::Supplement,
            Action::Forward => Command::Forward { to: None },
            Action::SendBack => Command::SendBack,
            Action::Approve => Command::Approve,
            Action::RequestPayment => Command::RequestPayment { amount_dong: 1 },
            Action::Pay => Command::Pay { online: false },
            Action::Extend => Command::Extend {
                new_due: s.appointment.unwrap_or(now) + chrono::Duration::days(30),
            },
            Action::Withdraw => Command::Withdraw,
            Action::Stop => Command::Stop,
            Action::Finish => Command::Finish {
                electronic_result: false,
            },
            Action::ReturnResult => Command::ReturnResult,
            Action::Transfer => Command::Transfer {
                to_unit: format!("{}-other", s.unit),
                workflow: workflow(),
            },
        };
        match s.decide(&command, &actor, &ctx, "probe") {
            Ok(_) | Err(Rejection::Invalid { .. }) => out.push(action),
            Err(Rejection::NotAllowed(_)) => {}
        }
    }
    out
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One action form on the page.
pub struct ActionForm {
    pub action: &'static str,
    pub label: &'static str,
    /// The note must say something (refusal, supplement, extension, stop).
    pub note_required: bool,
    pub next_steps: Vec<Choice>,
    pub units: Vec<Choice>,
    pub documents: Vec<Choice>,
    pub extend: bool,
    pub amount: bool,
    pub electronic: bool,
    pub receiver: bool,
}

pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub status: &'static str,
    pub step: String,
    pub verdict: &'static str,
    pub note: String,
}

pub struct DocRow {
    pub seq: i64,
    pub component: String,
    pub file_name: String,
    pub size_kb: i64,
    pub is_result: bool,
}

pub struct FormLink {
    pub number: &'static str,
    pub label: &'static str,
}

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

/// An error of the action forms: the field's id (or none) and the message.
pub struct ActionError {
    pub href: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "can_bo/dossier.html")]
struct DossierPage {
    l: Layout,
    o: Officer,
    code: String,
    procedure: String,
    status: &'static str,
    step: String,
    full: bool,
    applicant: Vec<Fact>,
    facts: Vec<Fact>,
    left: String,
    overdue: bool,
    documents: Vec<DocRow>,
    events: Option<Vec<EventRow>>,
    forms: Vec<ActionForm>,
    form_links: Vec<FormLink>,
    errors: Vec<ActionError>,
    error_title: &'static str,
    done: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub xong: Option<String>,
}

/// The dossier and whether this officer may open it (404 / 403 pages otherwise).
async fn load(state: &AppState, ctx: &Ctx, officer: &Officer, code: &str) -> Result<DossierState, Response> {
    match state.engine().state(code.trim()).await {
        Ok(s) if may_open(&officer.user, &s) => Ok(s),
        Ok(_) => Err(error_page(ctx.lang, StatusCode::FORBIDDEN, None)),
        Err(EngineError::NotFound(_)) => Err(error_page(ctx.lang, StatusCode::NOT_FOUND, None)),
        Err(e) => Err(error_page(
            ctx.lang,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(anyhow::anyhow!("{e}")),
        )),
    }
}

/// Competent units the dossier may be transferred to (same level as the procedure requires).
async fn transfer_targets(state: &AppState, s: &DossierState, lang: Lang) -> Vec<Choice> {
    let Some(p) = state.catalog().get(&s.procedure).cloned() else {
        return Vec::new();
    };
    super::intake::competent_units(state, &p, lang)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| o.code != s.unit)
        .map(|o| Choice {
            value: o.code,
            label: o.name,
        })
        .collect()
}

async fn action_forms(state: &AppState, officer: &Officer, s: &DossierState, lang: Lang) -> Vec<ActionForm> {
    let mut forms = Vec::new();
    for action in allowed_actions(state, officer, s).await {
        let mut f = ActionForm {
            action: action.as_str(),
            label: lang.t(action_key(action)),
            note_required: matches!(
                action,
                Action::Refuse | Action::RequestSupplement | Action::Extend | Action::Stop
            ),
            next_steps: Vec::new(),
            units: Vec::new(),
            documents: Vec::new(),
            extend: action == Action::Extend,
            amount: action == Action::RequestPayment,
            electronic: action == Action::Finish,
            receiver: action == Action::ReturnResult,
        };
        match action {
            Action::Forward => {
                let current = s.step.as_deref().and_then(|id| s.workflow.as_ref()?.step(id));
                if let Some(step) = current {
                    f.next_steps = step
                        .next
                        .iter()
                        .map(|n| Choice {
                            value: n.clone(),
                            label: step_name(s, Some(n), lang),
                        })
                        .collect();
                }
            }
            Action::Transfer => f.units = transfer_targets(state, s, lang).await,
            Action::RequestSupplement => {
                if let Some(p) = state.catalog().get(&s.procedure) {
                    f.documents = p
                        .documents
                        .iter()
                        .enumerate()
                        .map(|(i, d)| Choice {
                            value: i.to_string(),
                            label: d.name.clone(),
                        })
                        .collect();
                }
            }
            _ => {}
        }
        forms.push(f);
    }
    forms
}

fn form_links(s: &DossierState) -> Vec<FormLink> {
    let mut links = Vec::new();
    if s.received_at.is_some() {
        links.push(FormLink {
            number: "01",
            label: "bo.form.01",
        });
    }
    if s.supplement_requests > 0 {
        links.push(FormLink {
            number: "02",
            label: "bo.form.02",
        });
    }
    if s.status == Status::Refused {
        links.push(FormLink {
            number: "03",
            label: "bo.form.03",
        });
    }
    if s.extended {
        links.push(FormLink {
            number: "04",
            label: "bo.form.04",
        });
    }
    if s.status == Status::Stopped {
        links.push(FormLink {
            number: "05",
            label: "bo.form.05",
        });
    }
    if s.received_at.is_some() {
        links.push(FormLink {
            number: "06",
            label: "bo.form.06",
        });
    }
    links
}

fn event_rows(s: &DossierState, events: &[StoredEvent], lang: Lang) -> Vec<EventRow> {
    events
        .iter()
        .map(|e| {
            let ev = &e.event;
            EventRow {
                at: datetime(&ev.at),
                actor: match ev.role {
                    Some(r) => format!("{} ({})", ev.actor, role_name(r, lang)),
                    None => ev.actor.clone(),
                },
                action: event_action_name(ev.action, lang),
                status: status_name(ev.status, lang),
                step: step_name(s, ev.step.as_deref(), lang),
                verdict: ev.verdict.map(|v| verdict_name(v, lang)).unwrap_or(""),
                note: ev.note.clone(),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn dossier_page(
    state: &AppState,
    ctx: &Ctx,
    officer: Officer,
    code: &str,
    s: DossierState,
    errors: Vec<ActionError>,
    error_title: &'static str,
    done: Option<&'static str>,
) -> Result<DossierPage, anyhow::Error> {
    let lang = ctx.lang;
    let full = Engine::may_view_full(&officer.user, &s);
    let a = &s.applicant;
    let mut applicant = vec![Fact {
        label: "bo.applicant.name",
        value: a.name.clone(),
    }];
    if full {
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        applicant.push(Fact {
            label: "bo.applicant.personal_id",
            value: opt(&a.personal_id),
        });
        applicant.push(Fact {
            label: "bo.applicant.birth_date",
            value: a
                .birth_date
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|| "—".into()),
        });
        applicant.push(Fact {
            label: "bo.applicant.phone",
            value: opt(&a.phone),
        });
        applicant.push(Fact {
            label: "bo.applicant.email",
            value: opt(&a.email),
        });
        applicant.push(Fact {
            label: "bo.applicant.address",
            value: opt(&a.address),
        });
        applicant.push(Fact {
            label: "bo.applicant.identity",
            value: lang
                .t(if s.identity_verified {
                    "bo.applicant.verified"
                } else {
                    "bo.applicant.not_verified"
                })
                .to_string(),
        });
    } else {
        applicant.clear();
    }
    let unit_name = |code: &str| {
        state
            .engine()
            .organisation(code)
            .map(|o| match lang {
                Lang::En if !o.name_en.is_empty() => o.name_en,
                _ => o.name,
            })
            .unwrap_or_else(|| code.to_string())
    };
    let when = |t: Option<chrono::DateTime<chrono::FixedOffset>>| t.map(|t| datetime(&t)).unwrap_or_else(|| "—".into());
    let facts = vec![
        Fact {
            label: "bo.fact.unit",
            value: unit_name(&s.unit),
        },
        Fact {
            label: "bo.fact.receiving",
            value: unit_name(&s.receiving_unit),
        },
        Fact {
            label: "bo.fact.channel",
            value: lang
                .t(match s.channel.code() {
                    1 => "bo.channel.1",
                    2 => "bo.channel.2",
                    _ => "bo.channel.3",
                })
                .to_string(),
        },
        Fact {
            label: "bo.fact.submitted",
            value: datetime(&s.submitted_at),
        },
        Fact {
            label: "bo.fact.received",
            value: when(s.received_at),
        },
        Fact {
            label: "bo.fact.appointment",
            value: when(s.appointment),
        },
        Fact {
            label: "bo.fact.due",
            value: when(s.effective_due),
        },
        Fact {
            label: "bo.fact.step_due",
            value: when(s.step_due),
        },
    ];
    let (left, overdue) = match s.effective_due {
        Some(due) if !s.status.is_closed() => time_left(state, due, lang),
        _ => (String::new(), false),
    };
    let documents = if full {
        state
            .store()
            .dossier_documents(code)
            .await?
            .into_iter()
            .map(|d| DocRow {
                seq: d.seq,
                component: d.component,
                file_name: d.file_name,
                size_kb: (d.size + 1023) / 1024,
                is_result: d.is_result,
            })
            .collect()
    } else {
        Vec::new()
    };
    let events = if Engine::may_view_events(&officer.user, &s) {
        Some(event_rows(&s, &state.store().dossier_events(code).await?, lang))
    } else {
        None
    };
    let forms = action_forms(state, &officer, &s, lang).await;
    Ok(DossierPage {
        l: Layout::new(ctx, format!("{} {code}", lang.t("bo.dossier.title")), "/can-bo"),
        code: code.to_string(),
        procedure: format!("{} – {}", s.procedure, s.procedure_name),
        status: status_name(s.status, lang),
        step: step_name(&s, s.step.as_deref(), lang),
        full,
        applicant,
        facts,
        left,
        overdue,
        documents,
        events,
        forms,
        form_links: form_links(&s),
        errors,
        error_title,
        done,
        o: officer,
    })
}

/// `GET /can-bo/ho-so/{code}[?xong=<action>]`.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let officer = match require_officer(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let s = match load(&state, &ctx, &officer, &code).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let done = query.ok().and_then(|Query(q)| q.xong).as_deref().and_then(done_key);
    match dossier_page(&state, &ctx, officer, code.trim(), s, Vec::new(), "", done).await {
        Ok(p) => render(&ctx, StatusCode::OK, &p),
        Err(e) => error_page(ctx.lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    }
}

/// The action request a submitted form means (field names of `dossier.html`).
pub fn request_of(fields: &[(String, String)], missing_names: &[String]) -> ActionRequest {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| clean(v))
            .filter(|v| !v.is_empty())
    };
    let action = get("action").unwrap_or_default();
    let mut note = get("note").unwrap_or_default();
    if action == Action::RequestSupplement.as_str() {
        let missing: Vec<&str> = fields
            .iter()
            .filter(|(n, _)| n == "missing")
            .filter_map(|(_, v)| v.trim().parse::<usize>().ok())
            .filter_map(|i| missing_names.get(i).map(String::as_str))
            .collect();
        if !missing.is_empty() {
            let list = format!("Giấy tờ cần bổ sung: {}.", missing.join("; "));
            note = if note.is_empty() {
                list
            } else {
                format!("{list} {note}")
            };
        }
    }
    if action == Action::ReturnResult.as_str() {
        if let Some(who) = get("receiver") {
            let line = format!("Người nhận kết quả: {who}.");
            note = if note.is_empty() {
                line
            } else {
                format!("{line} {note}")
            };
        }
    }
    // A date from the form: the new appointment at the end of that working day (17:00).
    let new_due = get("new_due").map(|d| format!("{d}T17:00:00+07:00"));
    ActionRequest {
        action,
        note,
        to: get("to"),
        amount_dong: get("amount_dong").map(|v| v.replace(['.', ',', ' '], "").parse::<i64>().unwrap_or(-1)),
        online: None,
        new_due,
        to_unit: get("to_unit"),
        electronic_result: Some(get("electronic_result").is_some()),
    }
}

/// `POST /can-bo/ho-so/{code}/xu-ly`: takes one action through the engine.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let officer = match require_officer(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let Ok(Form(fields)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !ctx.csrf_ok(csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let code = code.trim().to_string();
    let s = match load(&state, &ctx, &officer, &code).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let missing_names: Vec<String> = state
        .catalog()
        .get(&s.procedure)
        .map(|p| p.documents.iter().map(|d| d.name.clone()).collect())
        .unwrap_or_default();
    let req = request_of(&fields, &missing_names);
    // A receipt of the result names who took it.
    if req.action == Action::ReturnResult.as_str()
        && !fields.iter().any(|(k, v)| k == "receiver" && !v.trim().is_empty())
    {
        let errors = vec![ActionError {
            href: "#return_result-receiver".into(),
            message: lang.t("bo.error.receiver").to_string(),
        }];
        return error_response(
            &state,
            &ctx,
            officer,
            &code,
            s,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let action = req.action.clone();
    match state.engine().act_request(&officer.user, &code, &req, None).await {
        Ok(after) => {
            if may_open(&officer.user, &after) {
                redirect(&format!("/can-bo/ho-so/{code}?xong={action}"), Vec::new())
            } else {
                redirect(&format!("/can-bo?xong={action}"), Vec::new())
            }
        }
        Err(e) => {
            let (status, errors) = match e {
                EngineError::Invalid { fields, .. } => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    fields
                        .into_iter()
                        .map(|(field, reason)| ActionError {
                            href: format!("#{action}-{}", field_id(&field)),
                            message: reason,
                        })
                        .collect(),
                ),
                EngineError::NotAllowed(m) => (
                    StatusCode::CONFLICT,
                    vec![ActionError {
                        href: "#actions".into(),
                        message: m,
                    }],
                ),
                EngineError::Conflict => (
                    StatusCode::CONFLICT,
                    vec![ActionError {
                        href: "#actions".into(),
                        message: lang.t("bo.error.conflict").to_string(),
                    }],
                ),
                EngineError::NotFound(_) => return error_page(lang, StatusCode::NOT_FOUND, None),
                EngineError::Forbidden(_) => return error_page(lang, StatusCode::FORBIDDEN, None),
                EngineError::Unavailable(m) => {
                    return error_page(lang, StatusCode::SERVICE_UNAVAILABLE, Some(anyhow::anyhow!(m)))
                }
                EngineError::Internal(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
            };
            // Show the dossier as it is now (another officer may have moved it).
            let s = match load(&state, &ctx, &officer, &code).await {
                Ok(s) => s,
                Err(r) => return r,
            };
            error_response(&state, &ctx, officer, &code, s, errors, status).await
        }
    }
}

/// The form field an engine field error belongs to.
fn field_id(field: &str) -> &'static str {
    match field {
        "note" => "note",
        "to" => "to",
        "to_unit" => "to_unit",
        "new_due" => "new_due",
        "amount_dong" => "amount_dong",
        _ => "note",
    }
}

async fn error_response(
    state: &AppState,
    ctx: &Ctx,
    officer: Officer,
    code: &str,
    s: DossierState,
    errors: Vec<ActionError>,
    status: StatusCode,
) -> Response {
    let title = if status == StatusCode::CONFLICT {
        "bo.error.not_done"
    } else {
        "bo.error.fix"
    };
    match dossier_page(state, ctx, officer, code, s, errors, title, None).await {
        Ok(p) => render(ctx, status, &p),
        Err(e) => error_page(ctx.lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    }
}

/// `GET /can-bo/ho-so/{code}/tai-lieu/{seq}`: a document of the dossier, for officers entitled
/// to its full record (the session-authenticated twin of the documents API).
pub async fn document(State(state): State<AppState>, ctx: Ctx, Path((code, seq)): Path<(String, i64)>) -> Response {
    let officer = match require_officer(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    match state.engine().document_content(&officer.user, code.trim(), seq).await {
        Ok((doc, bytes)) => {
            let mut response = bytes.into_response();
            let h = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&doc.media_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            let name: String = doc
                .file_name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || ".-_".contains(*c))
                .collect();
            if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            response
        }
        Err(EngineError::NotFound(_)) => error_page(ctx.lang, StatusCode::NOT_FOUND, None),
        Err(EngineError::NotAllowed(_)) => error_page(ctx.lang, StatusCode::FORBIDDEN, None),
        Err(e) => error_page(
            ctx.lang,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(anyhow::anyhow!("{e}")),
        ),
    }
}

/// One stint of the dossier at a step (a row of the control sheet).
pub struct Stint {
    pub step: String,
    pub handler: String,
    pub from: String,
    pub due: String,
    pub to: String,
    pub verdict: &'static str,
    pub late: bool,
}

/// The stints of a dossier's log: each starts when the dossier reaches a step and ends at the
/// next hand-over (forward, approve, send back, transfer) or at the end (finish, stop, withdraw).
pub fn stints(events: &[StoredEvent], lang: Lang) -> Vec<Stint> {
    let mut out: Vec<Stint> = Vec::new();
    let mut workflow: Option<Workflow> = None;
    let mut open = false;
    for e in events {
        let ev = &e.event;
        if let Some(w) = &ev.data.workflow {
            workflow = Some(w.clone());
        }
        let moves = matches!(
            ev.action,
            EventAction::Start
                | EventAction::Act(Action::Forward)
                | EventAction::Act(Action::Approve)
                | EventAction::Act(Action::SendBack)
                | EventAction::Act(Action::Transfer)
        );
        let ends = matches!(
            ev.action,
            EventAction::Act(Action::Finish) | EventAction::Act(Action::Stop) | EventAction::Act(Action::Withdraw)
        );
        if (moves || ends) && open {
            if let Some(last) = out.last_mut() {
                last.to = datetime(&ev.at);
                if let Some(v) = ev.verdict {
                    last.verdict = verdict_name(v, lang);
                    last.late = v == Verdict::Late;
                }
                last.handler = ev.actor.clone();
            }
            open = false;
        }
        if moves {
            let (name, role) = match (ev.step.as_deref(), &workflow) {
                (Some(id), Some(w)) => match w.step(id) {
                    Some(st) => (
                        match lang {
                            Lang::Vi => st.name.clone(),
                            Lang::En => st.name_en.clone(),
                        },
                        role_name(st.role, lang),
                    ),
                    None => (id.to_string(), ""),
                },
                (Some(id), None) => (id.to_string(), ""),
                (None, _) => (String::new(), ""),
            };
            out.push(Stint {
                step: if role.is_empty() {
                    name
                } else {
                    format!("{name} ({role})")
                },
                handler: String::new(),
                from: datetime(&ev.at),
                due: ev.data.step_due.map(|d| datetime(&d)).unwrap_or_default(),
                to: String::new(),
                verdict: "",
                late: false,
            });
            open = true;
        }
    }
    out
}

#[derive(Template)]
#[template(path = "can_bo/control_sheet.html")]
struct ControlSheetPage {
    l: Layout,
    o: Officer,
    code: String,
    procedure: String,
    applicant: String,
    received: String,
    appointment: String,
    finished: String,
    returned: String,
    verdict: &'static str,
    stints: Vec<Stint>,
}

/// `GET /can-bo/ho-so/{code}/phieu-kiem-soat`: the control sheet (form 06) as a page.
pub async fn control_sheet(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let lang = ctx.lang;
    let officer = match require_officer(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let code = code.trim().to_string();
    let s = match load(&state, &ctx, &officer, &code).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !Engine::may_view_events(&officer.user, &s) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let events = match state.store().dossier_events(&code).await {
        Ok(e) => e,
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let when = |t: Option<chrono::DateTime<chrono::FixedOffset>>| t.map(|t| datetime(&t)).unwrap_or_else(|| "—".into());
    let page = ControlSheetPage {
        l: Layout::new(&ctx, format!("{} {code}", lang.t("bo.sheet.title")), "/can-bo"),
        procedure: format!("{} – {}", s.procedure, s.procedure_name),
        applicant: if Engine::may_view_full(&officer.user, &s) {
            s.applicant.name.clone()
        } else {
            lang.t("bo.hidden").to_string()
        },
        received: when(s.received_at),
        appointment: when(s.effective_due.or(s.appointment)),
        finished: when(s.finished_at),
        returned: when(s.returned_at),
        verdict: s.verdict.map(|v| verdict_name(v, lang)).unwrap_or(""),
        stints: stints(&events, lang),
        code,
        o: officer,
    };
    render(&ctx, StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn forms_become_action_requests() {
        let names = vec!["Tờ khai".to_string(), "Giấy chứng sinh".to_string()];
        let r = request_of(
            &f(&[
                ("action", "request_supplement"),
                ("missing", "1"),
                ("missing", "9"),
                ("note", "gấp"),
            ]),
            &names,
        );
        assert_eq!(r.action, "request_supplement");
        assert_eq!(r.note, "Giấy tờ cần bổ sung: Giấy chứng sinh. gấp");
        let r = request_of(
            &f(&[("action", "extend"), ("new_due", "2026-12-01"), ("note", "x")]),
            &names,
        );
        assert_eq!(r.new_due.as_deref(), Some("2026-12-01T17:00:00+07:00"));
        let r = request_of(
            &f(&[("action", "return_result"), ("receiver", "Nguyễn Văn An")]),
            &names,
        );
        assert_eq!(r.note, "Người nhận kết quả: Nguyễn Văn An.");
        let r = request_of(&f(&[("action", "request_payment"), ("amount_dong", "50.000")]), &names);
        assert_eq!(r.amount_dong, Some(50_000));
        assert_eq!(r.electronic_result, Some(false));
    }
}
