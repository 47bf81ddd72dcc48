//! The applicant answers their dossier online: `/ca-nhan/ho-so/{code}/bo-sung` sends the papers
//! an officer asked for (status 5 → the `supplement` action, processing resumes) and
//! `/ca-nhan/ho-so/{code}/rut` withdraws the dossier after a confirmation page.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use motcua_domain::dossier::{Command, DossierState, EventAction, Status};
use motcua_engine::documents::{sniff_media_type, DocumentMeta};
use motcua_engine::EngineError;
use motcua_store::User;
use serde::Deserialize;

use super::catalogue::{doc_kind, DocKind};
use super::mine::require_sign_in;
use super::signin::FieldError;
use super::submit::MAX_FILE_BYTES;
use super::{error_page, redirect, render, Ctx, Layout};
use crate::state::AppState;

/// Longest note or reason the citizen may write.
const MAX_NOTE_CHARS: usize = 1000;
/// Component name of a paper that matches none of the catalogue's documents.
const OTHER_PAPER: &str = "Giấy tờ bổ sung";
/// Most upload slots on the supplement page (ids for the error summary are static).
const SLOT_FIELDS: &[&str] = &["file0", "file1", "file2", "file3", "file4", "file5", "file6", "file7"];

/// The applicant's own dossier, or the 404 anyone else gets.
#[allow(clippy::result_large_err)]
async fn own_dossier(state: &AppState, ctx: &Ctx, user: &User, code: &str) -> Result<(String, DossierState), Response> {
    let lang = ctx.lang;
    let Some(code) = super::lookup::parse_code(code) else {
        return Err(error_page(lang, StatusCode::NOT_FOUND, None));
    };
    match state.engine().state(&code).await {
        Ok(s) if s.applicant_username.as_deref() == Some(user.username.as_str()) => Ok((code, s)),
        Ok(_) | Err(EngineError::NotFound(_)) => Err(error_page(lang, StatusCode::NOT_FOUND, None)),
        Err(e) => Err(error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into()))),
    }
}

/// The user the engine acts for: the assurance of this sign-in, not of the account.
fn acting_user(session: &super::session::Session) -> User {
    let mut user = session.user.clone();
    user.eid_level = session.eid_level;
    user
}

/// One paper to send.
pub struct Slot {
    pub field: &'static str,
    pub name: String,
}

#[derive(Template)]
#[template(path = "supplement.html")]
struct SupplementPage {
    l: Layout,
    csrf: String,
    code: String,
    procedure_name: String,
    /// What the officer wrote (form 02): the missing papers and why.
    request: String,
    slots: Vec<Slot>,
    uploads: bool,
    note: String,
    errors: Vec<FieldError>,
    /// An error of the engine, in its words.
    failure: Option<String>,
}

impl SupplementPage {
    fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message)
    }
}

/// The note of the latest supplement request.
async fn request_note(state: &AppState, code: &str) -> anyhow::Result<String> {
    let events = state.store().dossier_events(code).await?;
    Ok(events
        .iter()
        .rev()
        .find(|e| {
            matches!(
                e.event.action,
                EventAction::Act(motcua_domain::dossier::Action::RequestSupplement)
            )
        })
        .map(|e| e.event.note.clone())
        .unwrap_or_default())
}

/// Upload slots: the catalogue's papers the request names (the back office writes their names
/// into the note), else one slot for whatever was asked.
fn slots_for(state: &AppState, s: &DossierState, request: &str) -> Vec<Slot> {
    let mut names: Vec<String> = state
        .catalog()
        .get(&s.procedure)
        .map(|p| {
            p.documents
                .iter()
                .filter(|d| doc_kind(d) != DocKind::Note && request.contains(d.name.trim()))
                .map(|d| d.name.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    names.dedup();
    names.truncate(SLOT_FIELDS.len() - 1);
    if names.is_empty() {
        names.push(OTHER_PAPER.to_string());
    }
    names
        .into_iter()
        .zip(SLOT_FIELDS)
        .map(|(name, field)| Slot { field, name })
        .collect()
}

async fn supplement_page(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    s: &DossierState,
    note: String,
    errors: Vec<FieldError>,
    failure: Option<String>,
) -> Result<SupplementPage, Response> {
    let lang = ctx.lang;
    let request = request_note(state, code)
        .await
        .map_err(|e| error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)))?;
    let mut l = Layout::new(ctx, format!("{} {code}", lang.t("supp.title")), "/ca-nhan");
    if !errors.is_empty() || failure.is_some() {
        l.title = format!("{}: {}", lang.t("error.prefix"), l.title);
    }
    Ok(SupplementPage {
        l,
        csrf: ctx.csrf_token(),
        code: code.to_string(),
        procedure_name: s.procedure_name.clone(),
        slots: slots_for(state, s, &request),
        request,
        uploads: state.settings().files_dir.is_some(),
        note,
        errors,
        failure,
    })
}

/// `GET /ca-nhan/ho-so/{code}/bo-sung`.
pub async fn supplement_form(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let session = match require_sign_in(&ctx) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (code, s) = match own_dossier(&state, &ctx, &session.user, &code).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if s.status != Status::SupplementRequested {
        // Answered already, or nothing was asked: the status page says where it stands.
        return redirect(&format!("/tra-cuu?ma={}", urlencoding::encode(&code)), Vec::new());
    }
    match supplement_page(&state, &ctx, &code, &s, String::new(), Vec::new(), None).await {
        Ok(page) => render(&ctx, StatusCode::OK, &page),
        Err(r) => r,
    }
}

/// `POST /ca-nhan/ho-so/{code}/bo-sung` (multipart): attaches the papers, then records the
/// supplement; processing resumes with the clock.
pub async fn supplement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Response {
    let lang = ctx.lang;
    let session = match require_sign_in(&ctx) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (code, s) = match own_dossier(&state, &ctx, &session.user, &code).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut multipart = multipart;
    let mut csrf = String::new();
    let mut note = String::new();
    let mut files: Vec<(String, String, Vec<u8>)> = Vec::new();
    let mut errors: Vec<FieldError> = Vec::new();
    let fail = |e: anyhow::Error| error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e));
    let request = match request_note(&state, &code).await {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let slots = slots_for(&state, &s, &request);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let status = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    StatusCode::PAYLOAD_TOO_LARGE
                } else {
                    StatusCode::BAD_REQUEST
                };
                return error_page(lang, status, None);
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(_) => return error_page(lang, StatusCode::PAYLOAD_TOO_LARGE, None),
        };
        if let Some(slot) = slots.iter().find(|s| s.field == name) {
            if bytes.is_empty() {
                continue;
            }
            if bytes.len() > MAX_FILE_BYTES {
                errors.push(FieldError {
                    field: slot.field,
                    message: "submit.error.file_size",
                });
            } else if sniff_media_type(&bytes).is_none() {
                errors.push(FieldError {
                    field: slot.field,
                    message: "submit.error.file_type",
                });
            } else {
                let file_name = file_name
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
                    .take(200)
                    .collect();
                files.push((slot.name.clone(), file_name, bytes.to_vec()));
            }
            continue;
        }
        let text = super::clean(&String::from_utf8_lossy(&bytes));
        match name.as_str() {
            "csrf" => csrf = text,
            "note" => note = text,
            _ => {}
        }
    }
    if !ctx.csrf_ok(&csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    if s.status != Status::SupplementRequested {
        return redirect(&format!("/tra-cuu?ma={}", urlencoding::encode(&code)), Vec::new());
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        errors.push(FieldError {
            field: "note",
            message: "supp.error.note_long",
        });
    }
    if errors.is_empty() && files.is_empty() && note.is_empty() {
        errors.push(FieldError {
            field: if state.settings().files_dir.is_some() {
                slots.first().map(|s| s.field).unwrap_or("note")
            } else {
                "note"
            },
            message: "supp.error.nothing",
        });
    }
    if !errors.is_empty() {
        return match supplement_page(&state, &ctx, &code, &s, note, errors, None).await {
            Ok(page) => render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page),
            Err(r) => r,
        };
    }
    let user = acting_user(session);
    // Papers first: the supplement is recorded only with what it brings.
    for (component, file_name, content) in &files {
        let meta = DocumentMeta {
            component: component.clone(),
            file_name: file_name.clone(),
            ..DocumentMeta::default()
        };
        if let Err(e) = state.engine().attach_document(&user, &code, meta, content).await {
            return engine_failure(&state, &ctx, &code, &s, note, e).await;
        }
    }
    let text = if note.is_empty() {
        format!("Bổ sung trực tuyến {} giấy tờ.", files.len())
    } else {
        note.clone()
    };
    if let Err(e) = state.engine().act(&user, &code, Command::Supplement, &text, None).await {
        return engine_failure(&state, &ctx, &code, &s, note, e).await;
    }
    tracing::info!(code = %code, files = files.len(), "supplement through the portal");
    redirect(&format!("/tra-cuu?ma={}", urlencoding::encode(&code)), Vec::new())
}

/// The form again with the engine's refusal, or the error page when it is not the form's fault.
async fn engine_failure(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    s: &DossierState,
    note: String,
    e: EngineError,
) -> Response {
    match e {
        EngineError::Invalid { message, .. } | EngineError::NotAllowed(message) => {
            match supplement_page(state, ctx, code, s, note, Vec::new(), Some(message)).await {
                Ok(page) => render(ctx, StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(r) => r,
            }
        }
        EngineError::Conflict => error_page(ctx.lang, StatusCode::CONFLICT, None),
        e => error_page(ctx.lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    }
}

#[derive(Template)]
#[template(path = "withdraw.html")]
struct WithdrawPage {
    l: Layout,
    csrf: String,
    code: String,
    procedure_name: String,
    status: String,
    reason: String,
    errors: Vec<FieldError>,
    failure: Option<String>,
}

impl WithdrawPage {
    fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message)
    }
}

/// Statuses in which the applicant may withdraw (the state machine's rule).
pub fn withdrawable(s: Status) -> bool {
    matches!(
        s,
        Status::Submitted | Status::Accepted | Status::InProgress | Status::SupplementRequested | Status::FeesDue
    )
}

fn withdraw_page(
    ctx: &Ctx,
    code: &str,
    s: &DossierState,
    reason: String,
    errors: Vec<FieldError>,
    failure: Option<String>,
) -> WithdrawPage {
    let lang = ctx.lang;
    let mut l = Layout::new(ctx, format!("{} {code}", lang.t("withdraw.title")), "/ca-nhan");
    if !errors.is_empty() || failure.is_some() {
        l.title = format!("{}: {}", lang.t("error.prefix"), l.title);
    }
    WithdrawPage {
        l,
        csrf: ctx.csrf_token(),
        code: code.to_string(),
        procedure_name: s.procedure_name.clone(),
        status: match lang {
            super::Lang::Vi => s.status.name_vi(),
            super::Lang::En => s.status.name_en(),
        }
        .to_string(),
        reason,
        errors,
        failure,
    }
}

/// `GET /ca-nhan/ho-so/{code}/rut`: the confirmation step.
pub async fn withdraw_form(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let session = match require_sign_in(&ctx) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (code, s) = match own_dossier(&state, &ctx, &session.user, &code).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if !withdrawable(s.status) {
        return redirect(&format!("/tra-cuu?ma={}", urlencoding::encode(&code)), Vec::new());
    }
    render(
        &ctx,
        StatusCode::OK,
        &withdraw_page(&ctx, &code, &s, String::new(), Vec::new(), None),
    )
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub confirm: String,
}

/// `POST /ca-nhan/ho-so/{code}/rut`: withdraws through the engine once confirmed.
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<WithdrawForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let session = match require_sign_in(&ctx) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(Form(form)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&form.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let (code, s) = match own_dossier(&state, &ctx, &session.user, &code).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let reason = super::clean(&form.reason);
    let mut errors = Vec::new();
    if form.confirm != "yes" {
        errors.push(FieldError {
            field: "confirm",
            message: "withdraw.error.confirm",
        });
    }
    if reason.chars().count() > MAX_NOTE_CHARS {
        errors.push(FieldError {
            field: "reason",
            message: "supp.error.note_long",
        });
    }
    if !errors.is_empty() {
        let page = withdraw_page(&ctx, &code, &s, reason, errors, None);
        return render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let note = if reason.is_empty() {
        "Công dân rút hồ sơ trực tuyến.".to_string()
    } else {
        reason.clone()
    };
    match state
        .engine()
        .act(&acting_user(session), &code, Command::Withdraw, &note, None)
        .await
    {
        Ok(_) => {
            tracing::info!(code = %code, "withdrawn through the portal");
            redirect(&format!("/tra-cuu?ma={}", urlencoding::encode(&code)), Vec::new())
        }
        Err(EngineError::Invalid { message, .. } | EngineError::NotAllowed(message)) => {
            let page = withdraw_page(&ctx, &code, &s, reason, Vec::new(), Some(message));
            render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(EngineError::Conflict) => error_page(lang, StatusCode::CONFLICT, None),
        Err(e) => error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    }
}
