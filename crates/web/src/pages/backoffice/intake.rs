//! `/can-bo/tiep-nhan`: counter intake of a paper dossier — choose the procedure and the competent
//! unit, enter the applicant, tick the papers received, upload scans, submit on channel 1 through
//! the engine — then the receipt with the appointment and the link to form 01.
//!
//! The officer may look the applicant up in the population registry (Đề án 06) by personal
//! identification number: a POST of the same form (the number never goes into a URL), through
//! the engine's logged look-up, which prefills the name, birth date and address. A dossier
//! submitted after a look-up is verified against the registry again and recorded as verified.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::catalog::{Level, Procedure, SearchFilter};
use motcua_domain::dossier::{Applicant, DeclaredDocument};
use motcua_domain::roles::Role;
use motcua_engine::documents::{sniff_media_type, DocumentMeta, NewDocument};
use motcua_engine::population::LookupRequest;
use motcua_engine::{Engine, EngineError, Submission, SubmitOptions};
use motcua_store::Organisation;
use serde::Deserialize;

use super::{require_officer, Officer};
use crate::pages::{clean, datetime, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Largest scan accepted (the engine's own limit applies too).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Largest whole intake form.
pub const MAX_FORM_BYTES: usize = 48 * 1024 * 1024;
/// Procedures listed for a search.
const SEARCH_LIMIT: usize = 20;

/// Organisations competent for a procedure (communes' people's committees for commune-level
/// procedures, departments and the provincial committee for province-level ones), by name.
pub async fn competent_units(state: &AppState, p: &Procedure, lang: Lang) -> anyhow::Result<Vec<Organisation>> {
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
        .map(|mut o| {
            if lang == Lang::En && !o.name_en.is_empty() {
                o.name = o.name_en.clone();
            }
            o
        })
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
}

/// The counter officer of the request, or the page that stops anyone else.
#[allow(clippy::result_large_err)]
fn require_counter(state: &AppState, ctx: &Ctx) -> Result<Officer, Response> {
    let o = require_officer(state, ctx)?;
    if o.user.role != Role::CounterOfficer {
        return Err(error_page(ctx.lang, StatusCode::FORBIDDEN, None));
    }
    Ok(o)
}

pub struct ProcedureHit {
    pub code: String,
    pub name: String,
}

pub struct UnitChoice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

pub struct DocLine {
    pub index: usize,
    pub name: String,
    pub group: Option<String>,
    pub copies: String,
    pub received: bool,
}

pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// What the officer typed (kept when the form comes back with errors).
#[derive(Default, Clone)]
pub struct IntakeData {
    pub unit: String,
    pub name: String,
    pub personal_id: String,
    pub birth_date: String,
    pub phone: String,
    pub address: String,
    pub key: String,
    /// The applicant was found in the population registry by this number.
    pub verified: bool,
}

#[derive(Template)]
#[template(path = "can_bo/intake.html")]
struct IntakePage {
    l: Layout,
    o: Officer,
    q: String,
    hits: Vec<ProcedureHit>,
    searched: bool,
    procedure: Option<ProcedureHit>,
    units: Vec<UnitChoice>,
    docs: Vec<DocLine>,
    d: IntakeData,
    errors: Vec<FieldError>,
    /// The outcome of a registry look-up just made.
    looked_up: Option<&'static str>,
}

impl IntakePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Deserialize, Default)]
pub struct IntakeQuery {
    pub q: Option<String>,
    pub thu_tuc: Option<String>,
}

fn new_key() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    format!("intake-{}", hex::encode(b))
}

#[allow(clippy::too_many_arguments)]
async fn intake_page(
    state: &AppState,
    ctx: &Ctx,
    officer: Officer,
    q: String,
    procedure: Option<&Procedure>,
    d: IntakeData,
    received: &[usize],
    errors: Vec<FieldError>,
) -> anyhow::Result<IntakePage> {
    let lang = ctx.lang;
    let catalog = state.catalog();
    let searched = !q.is_empty() && procedure.is_none();
    let hits = if searched {
        catalog
            .index
            .search(&q, &SearchFilter::default())
            .into_iter()
            .take(SEARCH_LIMIT)
            .filter_map(|(i, _)| catalog.procedures.get(i))
            .map(|p| ProcedureHit {
                code: p.code.clone(),
                name: p.name.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let (units, docs) = match procedure {
        Some(p) => (
            competent_units(state, p, lang)
                .await?
                .into_iter()
                .map(|o| UnitChoice {
                    selected: o.code == d.unit,
                    code: o.code,
                    name: o.name,
                })
                .collect(),
            p.documents
                .iter()
                .enumerate()
                .map(|(index, doc)| DocLine {
                    index,
                    name: doc.name.clone(),
                    group: doc.group.clone(),
                    copies: format!("{} / {}", doc.originals, doc.copies),
                    received: received.contains(&index),
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(IntakePage {
        l: Layout::new(ctx, lang.t("bo.intake.title"), "/can-bo"),
        o: officer,
        q,
        hits,
        searched,
        procedure: procedure.map(|p| ProcedureHit {
            code: p.code.clone(),
            name: p.name.clone(),
        }),
        units,
        docs,
        d,
        errors,
        looked_up: None,
    })
}

/// `GET /can-bo/tiep-nhan[?q=|?thu_tuc=]`.
pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<IntakeQuery>, QueryRejection>,
) -> Response {
    let officer = match require_counter(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let catalog = state.catalog();
    let procedure = q.thu_tuc.as_deref().and_then(|c| catalog.offered(c.trim()));
    if q.thu_tuc.is_some() && procedure.is_none() {
        return error_page(ctx.lang, StatusCode::NOT_FOUND, None);
    }
    let d = IntakeData {
        key: new_key(),
        ..IntakeData::default()
    };
    let text = q.q.as_deref().map(clean).unwrap_or_default();
    match intake_page(&state, &ctx, officer, text, procedure, d, &[], Vec::new()).await {
        Ok(p) => render(&ctx, StatusCode::OK, &p),
        Err(e) => error_page(ctx.lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    }
}

/// Checks the typed applicant; errors name the form's fields.
pub fn validate(d: &IntakeData, units: &[String], today: chrono::NaiveDate, lang: Lang) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut err = |field: &str, key: &str| {
        errors.push(FieldError {
            field: field.to_string(),
            message: lang.t(key).to_string(),
        })
    };
    if !units.contains(&d.unit) {
        err("unit", "bo.intake.error.unit");
    }
    if d.name.is_empty() || d.name.chars().count() > 200 {
        err("name", "bo.intake.error.name");
    }
    let birth = if d.birth_date.is_empty() {
        None
    } else {
        match chrono::NaiveDate::parse_from_str(&d.birth_date, "%Y-%m-%d") {
            Ok(b) if b <= today => Some(b),
            _ => {
                err("birth_date", "bo.intake.error.birth_date");
                None
            }
        }
    };
    if d.personal_id.is_empty() {
        err("personal_id", "bo.intake.error.personal_id_missing");
    } else {
        let ok = motcua_domain::ids::check_personal_id(&d.personal_id, birth, None, today).is_ok_and(|c| c.valid);
        if !ok {
            err("personal_id", "bo.intake.error.personal_id");
        }
    }
    if !d.phone.is_empty() {
        let digits: String = d.phone.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
        let ok = (digits.starts_with('0') && digits.len() == 10 || digits.starts_with("+84") && digits.len() == 12)
            && digits.trim_start_matches('+').chars().all(|c| c.is_ascii_digit());
        if !ok {
            err("phone", "bo.intake.error.phone");
        }
    }
    if d.address.chars().count() > 500 {
        err("address", "bo.intake.error.address");
    }
    errors
}

/// The form field an engine field error belongs to.
fn form_field(engine_field: &str) -> &'static str {
    match engine_field {
        "unit" => "unit",
        "applicant.name" => "name",
        "applicant.personal_id" => "personal_id",
        "applicant.birth_date" => "birth_date",
        "applicant.phone" => "phone",
        "applicant.address" => "address",
        f if f.starts_with("documents") || f == "file" || f == "component" => "documents",
        _ => "name",
    }
}

/// `POST /can-bo/tiep-nhan` (multipart): records the dossier received at the counter.
pub async fn submit(State(state): State<AppState>, ctx: Ctx, mut multipart: Multipart) -> Response {
    let lang = ctx.lang;
    let officer = match require_counter(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut csrf = String::new();
    let mut procedure_code = String::new();
    let mut d = IntakeData::default();
    let mut received: Vec<usize> = Vec::new();
    let mut lookup = false;
    let mut files: Vec<(usize, String, Vec<u8>)> = Vec::new();
    let mut errors: Vec<FieldError> = Vec::new();
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
        let Ok(bytes) = field.bytes().await else {
            return error_page(lang, StatusCode::PAYLOAD_TOO_LARGE, None);
        };
        if let Some(i) = name.strip_prefix("file").and_then(|n| n.parse::<usize>().ok()) {
            if bytes.is_empty() {
                continue;
            }
            if bytes.len() > MAX_FILE_BYTES {
                errors.push(FieldError {
                    field: format!("file{i}"),
                    message: lang.t("bo.intake.error.file_size").to_string(),
                });
            } else if sniff_media_type(&bytes).is_none() {
                errors.push(FieldError {
                    field: format!("file{i}"),
                    message: lang.t("bo.intake.error.file_type").to_string(),
                });
            } else {
                files.push((i, file_name.unwrap_or_default(), bytes.to_vec()));
            }
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).to_string();
        match name.as_str() {
            "csrf" => csrf = text,
            "procedure" => procedure_code = clean(&text),
            "unit" => d.unit = clean(&text),
            "name" => d.name = clean(&text),
            "personal_id" => d.personal_id = text.chars().filter(|c| !c.is_whitespace()).collect(),
            "birth_date" => d.birth_date = clean(&text),
            "phone" => d.phone = clean(&text),
            "address" => d.address = clean(&text),
            "key" => d.key = clean(&text).chars().take(100).collect(),
            "verified" => d.verified = text == "1",
            "action" => lookup = text == "lookup",
            n => {
                if let Some(i) = n.strip_prefix("received").and_then(|v| v.parse::<usize>().ok()) {
                    received.push(i);
                }
            }
        }
    }
    if !ctx.csrf_ok(&csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let catalog = state.catalog();
    let Some(p) = catalog.offered(&procedure_code) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    if d.key.is_empty() {
        d.key = new_key();
    }
    let units = match competent_units(&state, p, lang).await {
        Ok(u) => u,
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    };
    let unit_codes: Vec<String> = units.into_iter().map(|o| o.code).collect();
    let today = state
        .engine()
        .now()
        .with_timezone(&motcua_domain::calendar::vietnam())
        .date_naive();
    errors.extend(validate(&d, &unit_codes, today, lang));
    // A file belongs to a paper ticked as received.
    for (i, _, _) in &files {
        if !received.contains(i) {
            errors.push(FieldError {
                field: format!("received{i}"),
                message: lang.t("bo.intake.error.file_unticked").to_string(),
            });
        }
    }
    if lookup {
        return look_up(&state, &ctx, officer, p, d, &received).await;
    }
    let page_with = |errors: Vec<FieldError>, d: IntakeData, officer: Officer| {
        let state = state.clone();
        let received = received.clone();
        async move {
            match intake_page(&state, &ctx, officer, String::new(), Some(p), d, &received, errors).await {
                Ok(page) => render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(e) => error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
            }
        }
    };
    if !errors.is_empty() {
        return page_with(errors, d, officer).await;
    }
    let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
    let documents: Vec<DeclaredDocument> = received
        .iter()
        .filter_map(|i| p.documents.get(*i))
        .map(|doc| DeclaredDocument {
            component: doc.name.clone(),
            originals: doc.originals,
            copies: doc.copies,
        })
        .collect();
    let submission = Submission {
        procedure: p.code.clone(),
        unit: d.unit.clone(),
        channel: 1,
        applicant: Applicant {
            name: d.name.clone(),
            personal_id: opt(&d.personal_id),
            birth_date: chrono::NaiveDate::parse_from_str(&d.birth_date, "%Y-%m-%d").ok(),
            phone: opt(&d.phone),
            email: None,
            address: opt(&d.address),
        },
        documents,
    };
    // After a registry look-up the engine checks the applicant against the registry again, so
    // the dossier is recorded as verified only for the number actually submitted.
    let options = SubmitOptions {
        verify_identity: d.verified,
    };
    // The scans go with the submission: checked before the dossier exists, and recorded in its
    // log as digitised papers (QĐ 766 4.2).
    let scans = files
        .iter()
        .filter_map(|(i, file_name, bytes)| {
            let doc = p.documents.get(*i)?;
            Some(NewDocument {
                meta: DocumentMeta {
                    component: doc.name.clone(),
                    file_name: file_name.clone(),
                    digitised: true,
                    ..DocumentMeta::default()
                },
                bytes: bytes.clone(),
            })
        })
        .collect();
    let submitted = match state
        .engine()
        .submit_with_documents(&officer.user, submission, Some(&d.key), options, scans)
        .await
    {
        Ok(s) => s,
        Err(EngineError::Invalid { fields, .. }) => {
            let errors = fields
                .into_iter()
                .map(|(f, reason)| FieldError {
                    field: form_field(&f).to_string(),
                    message: reason,
                })
                .collect();
            return page_with(errors, d, officer).await;
        }
        Err(EngineError::NotAllowed(m)) => {
            let errors = vec![FieldError {
                field: "unit".into(),
                message: m,
            }];
            return page_with(errors, d, officer).await;
        }
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(anyhow::anyhow!("{e}"))),
    };
    let to = format!("/can-bo/tiep-nhan/bien-nhan/{}", submitted.code);
    redirect(&to, Vec::new())
}

/// The look-up button: asks the population registry for the typed number (logged by the engine
/// with the officer, the purpose and the outcome; the number masked) and prefills the applicant.
async fn look_up(
    state: &AppState,
    ctx: &Ctx,
    officer: Officer,
    p: &Procedure,
    mut d: IntakeData,
    received: &[usize],
) -> Response {
    let lang = ctx.lang;
    let request = LookupRequest {
        personal_id: d.personal_id.clone(),
        dossier: None,
        purpose: format!("tiếp nhận hồ sơ thủ tục {} tại quầy / counter intake", p.code),
    };
    d.verified = false;
    let field_error = |message: String| {
        vec![FieldError {
            field: "personal_id".into(),
            message,
        }]
    };
    let (errors, looked_up) = if d.personal_id.is_empty() {
        (field_error(lang.t("bo.intake.error.personal_id_missing").into()), None)
    } else {
        match state.engine().lookup_citizen(&officer.user, &request).await {
            Ok(Some(c)) => {
                d.name = c.full_name;
                d.birth_date = c.birth_date.format("%Y-%m-%d").to_string();
                if d.address.is_empty() {
                    d.address = c.current_residence.unwrap_or(c.permanent_residence);
                }
                d.verified = true;
                (Vec::new(), Some("bo.intake.lookup.found"))
            }
            Ok(None) => (field_error(lang.t("bo.intake.lookup.not_found").into()), None),
            Err(EngineError::Invalid { .. }) => (field_error(lang.t("bo.intake.error.personal_id").into()), None),
            Err(EngineError::Unavailable(_)) => (field_error(lang.t("bo.intake.lookup.unavailable").into()), None),
            Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(anyhow::anyhow!("{e}"))),
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    match intake_page(state, ctx, officer, String::new(), Some(p), d, received, errors).await {
        Ok(mut page) => {
            page.looked_up = looked_up;
            render(ctx, status, &page)
        }
        Err(e) => error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    }
}

#[derive(Template)]
#[template(path = "can_bo/receipt.html")]
struct ReceiptPage {
    l: Layout,
    o: Officer,
    code: String,
    procedure: String,
    unit: String,
    applicant: String,
    received: String,
    appointment: String,
    documents: Vec<String>,
    scans: usize,
}

/// `GET /can-bo/tiep-nhan/bien-nhan/{code}`: the receipt just issued.
pub async fn receipt(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let lang = ctx.lang;
    let officer = match require_counter(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let code = code.trim().to_string();
    let s = match state.engine().state(&code).await {
        Ok(s) if Engine::may_view_full(&officer.user, &s) => s,
        Ok(_) => return error_page(lang, StatusCode::FORBIDDEN, None),
        Err(EngineError::NotFound(_)) => return error_page(lang, StatusCode::NOT_FOUND, None),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(anyhow::anyhow!("{e}"))),
    };
    let scans = match state.store().dossier_documents(&code).await {
        Ok(d) => d.len(),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let unit = state
        .engine()
        .organisation(&s.unit)
        .map(|o| match lang {
            Lang::En if !o.name_en.is_empty() => o.name_en,
            _ => o.name,
        })
        .unwrap_or_else(|| s.unit.clone());
    let when = |t: Option<chrono::DateTime<chrono::FixedOffset>>| t.map(|t| datetime(&t)).unwrap_or_else(|| "—".into());
    let page = ReceiptPage {
        l: Layout::new(&ctx, lang.t("bo.receipt.title"), "/can-bo"),
        procedure: format!("{} – {}", s.procedure, s.procedure_name),
        unit,
        applicant: s.applicant.name.clone(),
        received: when(s.received_at),
        appointment: when(s.appointment),
        documents: s
            .documents
            .iter()
            .map(|d| format!("{} ({} / {})", d.component, d.originals, d.copies))
            .collect(),
        scans,
        code,
        o: officer,
    };
    render(&ctx, StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applicant_is_checked_field_by_field() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let units = vec!["23575".to_string()];
        let good = IntakeData {
            unit: "23575".into(),
            name: "Nguyễn Thị Lan".into(),
            personal_id: "064190012345".into(),
            birth_date: "1990-05-01".into(),
            phone: "0912345678".into(),
            ..IntakeData::default()
        };
        assert!(validate(&good, &units, today, Lang::Vi).is_empty());
        let bad = IntakeData {
            unit: "99999".into(),
            personal_id: "064190012345".into(),
            birth_date: "1985-01-01".into(),
            phone: "12".into(),
            ..IntakeData::default()
        };
        let fields: Vec<String> = validate(&bad, &units, today, Lang::Vi)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["unit", "name", "personal_id", "phone"]);
    }
}
