//! `/nop-ho-so/{code}`: online submission for a signed-in citizen, in the pattern of a form page,
//! a check-answers page and a confirmation page. The form is kept as a draft (data and uploaded
//! files) until sent, so it can be left and resumed; sending submits through the engine and
//! attaches the files with the engine's document checks.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use motcua_domain::catalog::{Level, Procedure};
use motcua_domain::dossier::Applicant;
use motcua_engine::documents::{sniff_media_type, DocumentMeta, NewDocument};
use motcua_engine::{EngineError, Submission, SubmitOptions};
use motcua_store::portal::DraftFile;
use motcua_store::{Organisation, User};
use serde::{Deserialize, Serialize};

use super::catalogue::{doc_kind, submittable, DocKind};
use super::mine::require_sign_in;
use super::session::Session;
use super::signin::{CsrfForm, FieldError};
use super::{error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Largest file accepted by the portal (the engine allows more for officers' scans).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Largest whole form (several files).
pub const MAX_FORM_BYTES: usize = 32 * 1024 * 1024;

/// The form as last saved.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DraftData {
    pub unit: String,
    pub name: String,
    pub personal_id: String,
    pub birth_date: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    /// Idempotency key of the submission: sending twice makes one dossier.
    pub key: String,
    /// Papers answered by an earlier document of the applicant: component → `CODE#SEQ`.
    #[serde(default)]
    pub reused: BTreeMap<String, String>,
}

/// An earlier document of the applicant that a paper may reuse.
pub struct Earlier {
    /// `CODE#SEQ`, the form's value.
    pub key: String,
    pub label: String,
}

/// The applicant's earlier documents, results first.
async fn earlier_documents(state: &AppState, user: &User) -> anyhow::Result<Vec<Earlier>> {
    Ok(state
        .store()
        .applicant_documents(&user.username, MAX_EARLIER_DOCUMENTS)
        .await?
        .into_iter()
        .map(|(code, d)| Earlier {
            key: format!("{code}#{}", d.seq),
            label: format!("{} – {} ({code})", d.file_name, d.component),
        })
        .collect())
}

/// How many earlier documents the form offers for reuse.
const MAX_EARLIER_DOCUMENTS: i64 = 100;

/// A competent unit to choose.
pub struct UnitChoice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

/// A required document and what was uploaded for it.
pub struct DocSlot {
    pub index: usize,
    pub name: String,
    pub group: Option<String>,
    pub uploaded: Option<String>,
    /// The earlier document it reuses (`CODE#SEQ`), if any.
    pub reused: Option<String>,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "submit_form.html")]
struct FormPage {
    l: Layout,
    csrf: String,
    procedure_code: String,
    procedure_name: String,
    d: DraftData,
    units: Vec<UnitChoice>,
    docs: Vec<DocSlot>,
    /// Papers shown at the counter (no upload).
    shown: Vec<String>,
    /// Notes on the documents, shown as hints.
    notes: Vec<String>,
    uploads: bool,
    /// Earlier documents of the applicant that a paper may reuse.
    earlier: Vec<Earlier>,
    errors: Vec<FieldError>,
    saved: bool,
    eid_level: i64,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message)
    }

    fn earlier_label(&self, key: &str) -> String {
        self.earlier
            .iter()
            .find(|e| e.key == key)
            .map_or_else(|| key.to_string(), |e| e.label.clone())
    }
}

/// Organisations that may decide the procedure: communes for commune-level procedures,
/// departments and the provincial committee for province-level ones.
async fn competent_units(state: &AppState, p: &Procedure, lang: Lang) -> anyhow::Result<Vec<Organisation>> {
    let commune = p.level.contains(&Level::Commune);
    let province = p.level.contains(&Level::Province);
    let mut list: Vec<Organisation> = state
        .store()
        .organisations()
        .await?
        .into_iter()
        .filter(|o| match (o.kind.as_str(), o.admin_unit_code.is_some()) {
            ("people_committee", true) => commune,
            ("department", _) | ("people_committee", false) => province,
            _ => false,
        })
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    if lang == Lang::En {
        for o in &mut list {
            if !o.name_en.is_empty() {
                o.name = o.name_en.clone();
            }
        }
    }
    Ok(list)
}

/// The procedure if a citizen may submit it online here.
fn procedure_for(state: &AppState, code: &str) -> Option<Procedure> {
    state.catalog().offered(code.trim()).filter(|p| submittable(p)).cloned()
}

async fn load_draft(state: &AppState, user: &User, code: &str) -> anyhow::Result<Option<DraftData>> {
    Ok(match state.store().draft(&user.username, code).await? {
        Some(text) => Some(serde_json::from_str(&text)?),
        None => None,
    })
}

/// A new draft prefilled from the account (do not ask for what the state already holds).
fn prefilled(user: &User) -> DraftData {
    let mut key = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut key);
    DraftData {
        name: user.full_name.clone(),
        personal_id: user.personal_id.clone().unwrap_or_default(),
        key: format!("portal-{}", hex::encode(key)),
        ..DraftData::default()
    }
}

/// A new draft for this sign-in: from the account and, for a level-2 e-ID, from the population
/// registry (Đề án 06: the citizen is not asked for what the state already holds). A registry
/// that is down leaves the account's data; the look-up is logged like an officer's.
async fn prefill(state: &AppState, session: &Session) -> DraftData {
    let mut d = prefilled(&session.user);
    if session.eid_level < 2 {
        return d;
    }
    let purpose = "Điền sẵn tờ khai nộp hồ sơ trực tuyến (VNeID mức 2)";
    match state
        .engine()
        .lookup_own_record(&session.user, session.eid_level, purpose)
        .await
    {
        Ok(Some(record)) => {
            d.name = record.full_name;
            d.birth_date = record.birth_date.format("%Y-%m-%d").to_string();
            d.address = record.current_residence.unwrap_or(record.permanent_residence);
        }
        Ok(None) => {}
        // Only the kind: a registry error may quote the request, which holds the number.
        Err(e) => {
            let kind = match e {
                EngineError::Unavailable(_) => "unavailable",
                EngineError::Forbidden(_) => "forbidden",
                EngineError::Invalid { .. } => "invalid",
                _ => "other",
            };
            tracing::warn!(kind, "population registry prefill skipped");
        }
    }
    d
}

fn file_names(files: &[DraftFile]) -> impl Fn(&str) -> Option<String> + '_ {
    move |component| {
        files
            .iter()
            .find(|f| f.component == component)
            .map(|f| f.file_name.clone())
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    session: &Session,
    p: &Procedure,
    d: DraftData,
    errors: Vec<FieldError>,
    doc_errors: &[(usize, &'static str)],
    saved: bool,
) -> Result<FormPage, Response> {
    let lang = ctx.lang;
    let fail = |e: anyhow::Error| error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e));
    let units = competent_units(state, p, lang).await.map_err(fail)?;
    let files = state
        .store()
        .draft_files(&session.user.username, &p.code)
        .await
        .map_err(|e| fail(e.into()))?;
    let uploaded = file_names(&files);
    let earlier = earlier_documents(state, &session.user).await.map_err(fail)?;
    let docs = p
        .documents
        .iter()
        .enumerate()
        .filter(|(_, doc)| doc_kind(doc) == DocKind::HandIn)
        .map(|(index, doc)| DocSlot {
            index,
            name: doc.name.clone(),
            group: doc.group.clone().filter(|g| !g.trim().is_empty()),
            uploaded: uploaded(&doc.name),
            reused: d.reused.get(&doc.name).cloned(),
            error: doc_errors.iter().find(|(i, _)| *i == index).map(|(_, m)| *m),
        })
        .collect();
    let mut l = Layout::new(ctx, format!("{} – {}", lang.t("submit.title"), p.name), "/thu-tuc");
    if !errors.is_empty() || !doc_errors.is_empty() {
        l.title = format!("{}: {}", lang.t("error.prefix"), l.title);
    }
    let mut errors = errors;
    for (i, m) in doc_errors {
        // The summary links to the file input of the document.
        errors.push(FieldError {
            field: DOC_FIELDS.get(*i).copied().unwrap_or("doc0"),
            message: m,
        });
    }
    Ok(FormPage {
        l,
        csrf: ctx.csrf_token(),
        procedure_code: p.code.clone(),
        procedure_name: p.name.clone(),
        units: units
            .into_iter()
            .map(|o| UnitChoice {
                selected: o.code == d.unit,
                code: o.code,
                name: o.name,
            })
            .collect(),
        d,
        docs,
        shown: documents_of(p, DocKind::Show),
        notes: documents_of(p, DocKind::Note),
        uploads: state.settings().files_dir.is_some(),
        earlier,
        errors,
        saved,
        eid_level: session.eid_level,
    })
}

/// Names of the procedure's documents of one kind.
fn documents_of(p: &Procedure, kind: DocKind) -> Vec<String> {
    p.documents
        .iter()
        .filter(|d| doc_kind(d) == kind)
        .map(|d| d.name.clone())
        .collect()
}

/// Field ids of document inputs (static strings for the error summary).
const DOC_FIELDS: &[&str] = &[
    "doc0", "doc1", "doc2", "doc3", "doc4", "doc5", "doc6", "doc7", "doc8", "doc9", "doc10", "doc11", "doc12", "doc13",
    "doc14", "doc15", "doc16", "doc17", "doc18", "doc19", "doc20", "doc21", "doc22", "doc23", "doc24", "doc25",
    "doc26", "doc27", "doc28", "doc29",
];

#[derive(Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

/// `GET /nop-ho-so/{code}`: the form, resumed from the draft or prefilled from the account.
pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    query: Result<Query<SavedQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let session = match require_sign_in(&ctx) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(p) = procedure_for(&state, &code) else {
        return error_page(ctx.lang, StatusCode::NOT_FOUND, None);
    };
    let d = match load_draft(&state, &session.user, &p.code).await {
        Ok(Some(d)) => d,
        Ok(None) => prefill(&state, session).await,
        Err(e) => return error_page(ctx.lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    };
    let saved = query.is_ok_and(|Query(q)| q.saved.is_some());
    match form_page(&state, &ctx, session, &p, d, Vec::new(), &[], saved).await {
        Ok(page) => render(&ctx, StatusCode::OK, &page),
        Err(r) => r,
    }
}

/// Checks the applicant's data; the engine checks again when the dossier is submitted.
fn validate(d: &DraftData, units: &[String], today: chrono::NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut err = |field, message| errors.push(FieldError { field, message });
    if !units.contains(&d.unit) {
        err("unit", "submit.error.unit");
    }
    if d.name.is_empty() {
        err("name", "submit.error.name");
    } else if d.name.chars().count() > 200 {
        err("name", "submit.error.name_long");
    }
    let birth = if d.birth_date.is_empty() {
        None
    } else {
        match chrono::NaiveDate::parse_from_str(&d.birth_date, "%Y-%m-%d") {
            Ok(b) if b <= today => Some(b),
            _ => {
                err("birth_date", "submit.error.birth_date");
                None
            }
        }
    };
    if !d.personal_id.is_empty() {
        let ok = motcua_domain::ids::check_personal_id(&d.personal_id, birth, None, today).is_ok_and(|c| c.valid);
        if !ok {
            err("personal_id", "submit.error.personal_id");
        }
    }
    if !d.phone.is_empty() {
        let digits: String = d.phone.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
        let ok = (digits.starts_with('0') && digits.len() == 10 || digits.starts_with("+84") && digits.len() == 12)
            && digits.trim_start_matches('+').chars().all(|c| c.is_ascii_digit());
        if !ok {
            err("phone", "submit.error.phone");
        }
    }
    let email_ok = d.email.contains('@') && d.email.len() <= 200 && !d.email.contains(' ');
    if !d.email.is_empty() && !email_ok {
        err("email", "submit.error.email");
    }
    if d.address.chars().count() > 500 {
        err("address", "submit.error.address");
    }
    errors
}

/// `POST /nop-ho-so/{code}` (multipart): saves the draft and its files; continues to the
/// check-answers page when everything is valid.
pub async fn save(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>, multipart: Multipart) -> Response {
    let lang = ctx.lang;
    let session = match require_sign_in(&ctx) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(p) = procedure_for(&state, &code) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let fail = |e: anyhow::Error| error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e));
    let mut d = match load_draft(&state, &session.user, &p.code).await {
        Ok(Some(d)) => d,
        Ok(None) => prefill(&state, session).await,
        Err(e) => return fail(e),
    };
    let mut multipart = multipart;
    let mut csrf = String::new();
    let mut action = String::new();
    let mut files: Vec<(usize, String, Vec<u8>)> = Vec::new();
    let mut doc_errors: Vec<(usize, &'static str)> = Vec::new();
    let mut reuses: Vec<(usize, String)> = Vec::new();
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
        if let Some(index) = name.strip_prefix("doc").and_then(|i| i.parse::<usize>().ok()) {
            // Only papers handed in take a file.
            let hand_in = p.documents.get(index).is_some_and(|d| doc_kind(d) == DocKind::HandIn);
            if !hand_in || bytes.is_empty() {
                continue;
            }
            if bytes.len() > MAX_FILE_BYTES {
                doc_errors.push((index, "submit.error.file_size"));
            } else if sniff_media_type(&bytes).is_none() {
                doc_errors.push((index, "submit.error.file_type"));
            } else {
                files.push((index, file_name.unwrap_or_default(), bytes.to_vec()));
            }
            continue;
        }
        let text = super::clean(&String::from_utf8_lossy(&bytes));
        if let Some(index) = name.strip_prefix("reuse").and_then(|i| i.parse::<usize>().ok()) {
            if p.documents.get(index).is_some_and(|d| doc_kind(d) == DocKind::HandIn) {
                reuses.push((index, text));
            }
            continue;
        }
        match name.as_str() {
            "csrf" => csrf = text,
            "action" => action = text,
            "unit" => d.unit = text,
            "name" => d.name = text,
            "personal_id" => d.personal_id = text.chars().filter(|c| !c.is_whitespace()).collect(),
            "birth_date" => d.birth_date = text,
            "phone" => d.phone = text,
            "email" => d.email = text,
            "address" => d.address = text,
            _ => {}
        }
    }
    if !ctx.csrf_ok(&csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let username = &session.user.username;
    if !reuses.is_empty() {
        let earlier = match earlier_documents(&state, &session.user).await {
            Ok(e) => e,
            Err(e) => return fail(e),
        };
        for (index, key) in reuses {
            let Some(doc) = p.documents.get(index) else { continue };
            if key.is_empty() {
                d.reused.remove(&doc.name);
            } else if earlier.iter().any(|e| e.key == key) {
                d.reused.insert(doc.name.clone(), key);
            } else {
                doc_errors.push((index, "submit.error.reuse"));
            }
        }
    }
    // Valid files are kept even when other fields need fixing: nothing is uploaded twice.
    for (index, file_name, content) in files {
        let Some(doc) = p.documents.get(index) else { continue };
        // A new file replaces a reused document.
        d.reused.remove(&doc.name);
        let media_type = sniff_media_type(&content)
            .unwrap_or("application/octet-stream")
            .to_string();
        let file = DraftFile {
            component: doc.name.clone(),
            file_name: file_name
                .chars()
                .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
                .take(200)
                .collect(),
            media_type,
            content,
        };
        if let Err(e) = state.store().put_draft_file(username, &p.code, &file).await {
            return fail(e.into());
        }
    }
    let text = match serde_json::to_string(&d) {
        Ok(t) => t,
        Err(e) => return fail(e.into()),
    };
    if let Err(e) = state.store().save_draft(username, &p.code, &text).await {
        return fail(e.into());
    }
    let units = match competent_units(&state, &p, lang).await {
        Ok(u) => u.into_iter().map(|o| o.code).collect::<Vec<_>>(),
        Err(e) => return fail(e),
    };
    let errors = validate(&d, &units, state.engine().now().date_naive());
    if action == "save" && doc_errors.is_empty() {
        return redirect(&format!("/nop-ho-so/{}?saved=1", p.code), Vec::new());
    }
    if errors.is_empty() && doc_errors.is_empty() {
        return redirect(&format!("/nop-ho-so/{}/kiem-tra", p.code), Vec::new());
    }
    match form_page(&state, &ctx, session, &p, d, errors, &doc_errors, false).await {
        Ok(page) => render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(r) => r,
    }
}

/// One row of the check-answers list.
pub struct AnswerRow {
    pub label: &'static str,
    pub value: String,
    pub change: &'static str,
}

#[derive(Template)]
#[template(path = "submit_check.html")]
struct CheckPage {
    l: Layout,
    csrf: String,
    procedure_code: String,
    procedure_name: String,
    rows: Vec<AnswerRow>,
    files: Vec<(String, String)>,
    error: Option<String>,
}

async fn check_page(
    state: &AppState,
    ctx: &Ctx,
    session: &Session,
    p: &Procedure,
    error: Option<String>,
) -> Result<CheckPage, Response> {
    let lang = ctx.lang;
    let fail = |e: anyhow::Error| error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e));
    let Some(d) = load_draft(state, &session.user, &p.code).await.map_err(fail)? else {
        return Err(redirect(&format!("/nop-ho-so/{}", p.code), Vec::new()));
    };
    let units = competent_units(state, p, lang).await.map_err(fail)?;
    let unit = units
        .iter()
        .find(|o| o.code == d.unit)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let files = state
        .store()
        .draft_files(&session.user.username, &p.code)
        .await
        .map_err(|e| fail(e.into()))?;
    let dash = |s: &str| if s.is_empty() { "—".to_string() } else { s.to_string() };
    let rows = vec![
        AnswerRow {
            label: "submit.unit",
            value: unit,
            change: "unit",
        },
        AnswerRow {
            label: "submit.name",
            value: dash(&d.name),
            change: "name",
        },
        AnswerRow {
            label: "submit.personal_id",
            value: dash(&d.personal_id),
            change: "personal_id",
        },
        AnswerRow {
            label: "submit.birth_date",
            value: dash(&d.birth_date),
            change: "birth_date",
        },
        AnswerRow {
            label: "submit.phone",
            value: dash(&d.phone),
            change: "phone",
        },
        AnswerRow {
            label: "submit.email",
            value: dash(&d.email),
            change: "email",
        },
        AnswerRow {
            label: "submit.address",
            value: dash(&d.address),
            change: "address",
        },
    ];
    let mut l = Layout::new(ctx, format!("{} – {}", lang.t("check.title"), p.name), "/thu-tuc");
    if error.is_some() {
        l.title = format!("{}: {}", lang.t("error.prefix"), l.title);
    }
    Ok(CheckPage {
        l,
        csrf: ctx.csrf_token(),
        procedure_code: p.code.clone(),
        procedure_name: p.name.clone(),
        rows,
        files: papers_listed(
            &d,
            files,
            &earlier_documents(state, &session.user).await.map_err(fail)?,
            lang,
        ),
        error,
    })
}

/// The papers as the check page lists them: uploaded files, then reused documents.
fn papers_listed(d: &DraftData, files: Vec<DraftFile>, earlier: &[Earlier], lang: Lang) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = files
        .into_iter()
        .filter(|f| !d.reused.contains_key(&f.component))
        .map(|f| (f.component, f.file_name))
        .collect();
    for (component, key) in &d.reused {
        let label = earlier
            .iter()
            .find(|e| &e.key == key)
            .map_or(key.as_str(), |e| e.label.as_str());
        list.push((component.clone(), format!("{} {label}", lang.t("submit.reused"))));
    }
    list
}

/// `GET /nop-ho-so/{code}/kiem-tra`: check your answers.
pub async fn check(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let session = match require_sign_in(&ctx) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(p) = procedure_for(&state, &code) else {
        return error_page(ctx.lang, StatusCode::NOT_FOUND, None);
    };
    match check_page(&state, &ctx, session, &p, None).await {
        Ok(page) => render(&ctx, StatusCode::OK, &page),
        Err(r) => r,
    }
}

/// `POST /nop-ho-so/{code}/kiem-tra`: submits the dossier, attaches the files, discards the draft.
pub async fn send(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<CsrfForm>, axum::extract::rejection::FormRejection>,
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
    let Some(p) = procedure_for(&state, &code) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let fail = |e: anyhow::Error| error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e));
    let d = match load_draft(&state, &session.user, &p.code).await {
        Ok(Some(d)) => d,
        // Sent already (a second click) or never started.
        Ok(None) => return redirect("/ca-nhan", Vec::new()),
        Err(e) => return fail(e),
    };
    let files = match state.store().draft_files(&session.user.username, &p.code).await {
        Ok(f) => f,
        Err(e) => return fail(e.into()),
    };
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let submission = Submission {
        procedure: p.code.clone(),
        unit: d.unit.clone(),
        channel: 2,
        applicant: Applicant {
            name: d.name.clone(),
            personal_id: opt(&d.personal_id),
            birth_date: chrono::NaiveDate::parse_from_str(&d.birth_date, "%Y-%m-%d").ok(),
            phone: opt(&d.phone),
            email: opt(&d.email),
            address: opt(&d.address),
        },
        documents: Vec::new(),
    };
    // The assurance of this sign-in, not of the account: a password is not an e-ID.
    let mut user = session.user.clone();
    user.eid_level = session.eid_level;
    let mut papers: Vec<NewDocument> = files
        .into_iter()
        .filter(|f| !d.reused.contains_key(&f.component))
        .map(|f| NewDocument {
            meta: DocumentMeta {
                component: f.component,
                file_name: f.file_name,
                digitised: true,
                ..DocumentMeta::default()
            },
            bytes: f.content,
        })
        .collect();
    for (component, key) in &d.reused {
        let earlier = key
            .split_once('#')
            .and_then(|(code, seq)| Some((code, seq.parse::<i64>().ok()?)));
        let found = match earlier {
            Some((code, seq)) => state.engine().document_content(&user, code, seq).await.ok(),
            None => None,
        };
        let Some((doc, bytes)) = found else {
            let message = format!("{}: {component}", lang.t("submit.error.reuse_gone"));
            return match check_page(&state, &ctx, session, &p, Some(message)).await {
                Ok(page) => render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(r) => r,
            };
        };
        papers.push(NewDocument {
            meta: DocumentMeta {
                component: component.clone(),
                file_name: doc.file_name,
                digitised: true,
                reused: true,
                ..DocumentMeta::default()
            },
            bytes,
        });
    }
    let submitted = state
        .engine()
        .submit_with_documents(&user, submission, Some(&d.key), SubmitOptions::default(), papers)
        .await;
    let done = match submitted {
        Ok(done) => done,
        Err(EngineError::Invalid { message, .. }) => {
            return match check_page(&state, &ctx, session, &p, Some(message)).await {
                Ok(page) => render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(r) => r,
            };
        }
        Err(e) => return fail(e.into()),
    };
    if let Err(e) = state.store().delete_draft(&session.user.username, &p.code).await {
        return fail(e.into());
    }
    tracing::info!(code = %done.code, "online submission through the portal");
    redirect(
        &format!("/nop-ho-so/{}/da-nop?ma={}", p.code, urlencoding::encode(&done.code)),
        Vec::new(),
    )
}

#[derive(Template)]
#[template(path = "submit_done.html")]
struct DonePage {
    l: Layout,
    code: String,
    procedure_name: String,
    qr_svg: String,
    lookup_url: String,
    documents: Vec<String>,
    /// `NgayHenTra`, set when the dossier is accepted.
    appointment: Option<String>,
}

/// An SVG QR code of `text`, labelled for screen readers.
pub fn qr_svg(text: &str, label: &str) -> anyhow::Result<String> {
    let code = qrcode::QrCode::new(text.as_bytes())?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build();
    let start = svg
        .find("<svg")
        .ok_or_else(|| anyhow::anyhow!("QR renderer gave no <svg>"))?;
    let label = label.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    Ok(format!(
        "<svg role=\"img\" aria-label=\"{label}\" class=\"qr\"{}",
        &svg[start + 4..]
    ))
}

#[derive(Deserialize)]
pub struct DoneQuery {
    pub ma: Option<String>,
}

/// `GET /nop-ho-so/{code}/da-nop?ma=`: the confirmation with the dossier code and its QR code.
pub async fn done(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(_code): Path<String>,
    query: Result<Query<DoneQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = ctx.lang;
    let session = match require_sign_in(&ctx) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(ma) = query
        .ok()
        .and_then(|Query(q)| q.ma)
        .and_then(|m| super::lookup::parse_code(&m))
    else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let s = match state.engine().state(&ma).await {
        Ok(s) => s,
        Err(EngineError::NotFound(_)) => return error_page(lang, StatusCode::NOT_FOUND, None),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    // Only the applicant sees the confirmation; anyone else gets the same 404 as a wrong code.
    if s.applicant_username.as_deref() != Some(session.user.username.as_str()) {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if ctx.secure { "https" } else { "http" };
    let lookup_url = format!("{scheme}://{host}/tra-cuu?ma={}", urlencoding::encode(&ma));
    let qr = match qr_svg(&lookup_url, lang.t("done.qr_label")) {
        Ok(q) => q,
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    };
    let documents = match state.store().dossier_documents(&ma).await {
        Ok(list) => list
            .into_iter()
            .map(|d| format!("{} ({})", d.component, d.file_name))
            .collect(),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let page = DonePage {
        l: Layout::new(&ctx, lang.t("done.title"), "/thu-tuc"),
        code: ma,
        procedure_name: s.procedure_name.clone(),
        qr_svg: qr,
        lookup_url,
        documents,
        appointment: s.appointment.as_ref().map(super::datetime),
    };
    render(&ctx, StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_is_an_inline_labelled_svg() {
        let svg = qr_svg("http://localhost/tra-cuu?ma=000.00.12.H21-240412-0001", "Mã QR").unwrap();
        assert!(
            svg.starts_with("<svg role=\"img\" aria-label=\"Mã QR\""),
            "{}",
            &svg[..80]
        );
        assert!(!svg.contains("<?xml"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn applicant_checks() {
        let today = chrono::NaiveDate::from_ymd_opt(2025, 10, 13).unwrap();
        let units = vec!["23575".to_string()];
        let good = DraftData {
            unit: "23575".into(),
            name: "Nguyễn Thị Lan".into(),
            personal_id: "064190012345".into(),
            birth_date: "1990-05-01".into(),
            phone: "0912 345 678".into(),
            ..DraftData::default()
        };
        assert!(validate(&good, &units, today).is_empty());
        let bad = DraftData {
            unit: "x".into(),
            phone: "12".into(),
            personal_id: "123".into(),
            birth_date: "2030-01-01".into(),
            email: "no-at".into(),
            ..DraftData::default()
        };
        let fields: Vec<&str> = validate(&bad, &units, today).iter().map(|e| e.field).collect();
        assert_eq!(fields, ["unit", "name", "birth_date", "personal_id", "phone", "email"]);
    }
}
