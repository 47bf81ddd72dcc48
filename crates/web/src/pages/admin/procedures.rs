//! `/can-bo/quan-tri/thu-tuc`: the catalogue as the province offers it — search, offer or
//! withdraw a procedure, set the local fee (whole đồng) and its note. The settings live in the
//! store (`procedure_local`); the store's catalogue applies them, and the engine's in-memory
//! catalogue is reloaded, so the portal and the API show the change at once; the assistant's
//! index is rebuilt in the background and swapped in about a second later.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use motcua_domain::catalog::{FeeKind, Procedure};
use motcua_domain::text::fold;
use motcua_store::catalog::MAX_LOCAL_FEE_DONG;
use motcua_store::LocalSetting;
use serde::Deserialize;

use super::{audit_change, error_for, failed, require_province_admin, Admin, FieldError};
use crate::pages::{clean, datetime_ms, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Procedures per page of the list.
const PER_PAGE: usize = 50;
/// Longest note accepted.
const MAX_NOTE_CHARS: usize = 500;

pub struct Row {
    pub code: String,
    pub name: String,
    pub offered: bool,
    pub fee: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub trang: Option<usize>,
    /// `tat` lists only withdrawn procedures, `phi` only those with a local fee.
    pub loc: Option<String>,
    pub xong: Option<String>,
}

#[derive(Template)]
#[template(path = "quan_tri/procedures.html")]
struct ListPage {
    l: Layout,
    a: Admin,
    q: String,
    only: String,
    rows: Vec<Row>,
    total: usize,
    page: usize,
    pages: usize,
    done: Option<String>,
}

impl ListPage {
    fn page_url(&self, page: usize) -> String {
        format!(
            "/can-bo/quan-tri/thu-tuc?q={}&loc={}&trang={page}",
            urlencoding(&self.q),
            urlencoding(&self.only)
        )
    }
}

fn urlencoding(s: &str) -> String {
    urlencoding::encode(s).into_owned()
}

/// A whole number of đồng written the Vietnamese way (`1.250.000 đ`).
pub fn dong(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("{out} đ")
}

/// Reads a fee typed by an administrator: digits, optionally grouped by `.`, `,` or spaces;
/// empty means "no local fee" (the catalogue's fees apply).
fn parse_fee(text: &str) -> Result<Option<i64>, ()> {
    let compact: String = text
        .trim()
        .trim_end_matches(['đ', 'd'])
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}'))
        .collect();
    if compact.is_empty() {
        return Ok(None);
    }
    if !compact.bytes().all(|b| b.is_ascii_digit()) || compact.len() > 12 {
        return Err(());
    }
    let amount: i64 = compact.parse().map_err(|_| ())?;
    if amount > MAX_LOCAL_FEE_DONG {
        return Err(());
    }
    Ok(Some(amount))
}

fn fee_summary(setting: Option<&LocalSetting>, lang: Lang) -> String {
    match setting.and_then(|s| s.local_fee_dong) {
        Some(0) => lang.t("adm.procs.free").to_string(),
        Some(f) => dong(f),
        None => lang.t("adm.procs.catalogue_fee").to_string(),
    }
}

/// `GET /can-bo/quan-tri/thu-tuc`: every catalogue procedure, offered or withdrawn, searchable
/// by code or name (accents optional).
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let admin = match require_province_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Ok(Query(q)) = query else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let settings: std::collections::HashMap<String, LocalSetting> = match state.store().procedure_settings().await {
        Ok(s) => s.into_iter().map(|s| (s.code.clone(), s)).collect(),
        Err(e) => return failed(lang, e),
    };
    let text: String = clean(q.q.as_deref().unwrap_or("")).chars().take(200).collect();
    let needle = fold(&text);
    let only = q.loc.clone().unwrap_or_default();
    let catalog = state.catalog();
    let mut all: Vec<&Procedure> = catalog.procedures.iter().chain(catalog.withdrawn()).collect();
    all.sort_by(|a, b| a.code.cmp(&b.code));
    let matching: Vec<&Procedure> = all
        .into_iter()
        .filter(|p| needle.is_empty() || p.code.contains(text.as_str()) || fold(&p.name).contains(&needle))
        .filter(|p| match only.as_str() {
            "tat" => catalog.is_withdrawn(&p.code),
            "phi" => settings.get(&p.code).is_some_and(|s| s.local_fee_dong.is_some()),
            _ => true,
        })
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = q.trang.unwrap_or(1).clamp(1, pages);
    let rows = matching
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|p| Row {
            code: p.code.clone(),
            name: p.name.clone(),
            offered: !catalog.is_withdrawn(&p.code),
            fee: fee_summary(settings.get(&p.code), lang),
        })
        .collect();
    let done = q
        .xong
        .as_deref()
        .filter(|c| catalog.get(c).is_some())
        .map(|c| format!("{} {c}", lang.t("adm.procs.saved")));
    let page = ListPage {
        l: Layout::new(&ctx, lang.t("adm.procs.title"), "/can-bo"),
        a: admin,
        q: text,
        only,
        rows,
        total,
        page,
        pages,
        done,
    };
    render(&ctx, StatusCode::OK, &page)
}

/// What the edit form holds.
#[derive(Deserialize, Default)]
pub struct EditForm {
    #[serde(default)]
    pub csrf: String,
    /// `1` when offered.
    #[serde(default)]
    pub enabled: String,
    #[serde(default)]
    pub fee: String,
    #[serde(default)]
    pub note: String,
}

pub struct CatalogueFee {
    pub channel: &'static str,
    pub text: String,
}

#[derive(Template)]
#[template(path = "quan_tri/procedure.html")]
struct EditPage {
    l: Layout,
    a: Admin,
    code: String,
    name: String,
    enabled: bool,
    fee: String,
    note: String,
    fees_now: Vec<CatalogueFee>,
    updated: String,
    errors: Vec<FieldError>,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn channel_key(c: motcua_domain::catalog::Channel) -> &'static str {
    use motcua_domain::catalog::Channel;
    match c {
        Channel::Counter => "channel.counter",
        Channel::Online => "channel.online",
        Channel::Post => "channel.post",
    }
}

/// The fees in force now (the catalogue's, or the local fee), one line per channel and fee.
fn fees_now(p: &Procedure, lang: Lang) -> Vec<CatalogueFee> {
    p.channels
        .iter()
        .flat_map(|c| {
            c.fees.iter().map(move |f| CatalogueFee {
                channel: lang.t(channel_key(c.channel)),
                text: match (f.kind, f.amount_dong) {
                    (FeeKind::Free, _) => lang.t("adm.procs.free").to_string(),
                    (_, Some(a)) => format!("{} {}", dong(a), f.description).trim().to_string(),
                    _ => f.description.clone(),
                },
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    ctx: &Ctx,
    admin: Admin,
    p: &Procedure,
    form: Option<&EditForm>,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let setting = match state.store().procedure_settings().await {
        Ok(all) => all.into_iter().find(|s| s.code == p.code),
        Err(e) => return failed(lang, e),
    };
    let (enabled, fee, note) = match (form, &setting) {
        (Some(f), _) => (f.enabled == "1", f.fee.clone(), f.note.clone()),
        (None, Some(s)) => (
            s.enabled,
            s.local_fee_dong.map(|f| f.to_string()).unwrap_or_default(),
            s.note.clone(),
        ),
        (None, None) => (true, String::new(), String::new()),
    };
    let updated = setting
        .as_ref()
        .map(|s| format!("{} ({})", datetime_ms(s.updated_at_ms), s.updated_by))
        .unwrap_or_default();
    let page = EditPage {
        l: Layout::new(ctx, format!("{} {}", lang.t("adm.procs.edit"), p.code), "/can-bo"),
        a: admin,
        code: p.code.clone(),
        name: p.name.clone(),
        enabled,
        fee,
        note,
        fees_now: fees_now(p, lang),
        updated,
        errors,
    };
    render(ctx, status, &page)
}

/// `GET /can-bo/quan-tri/thu-tuc/{code}`: the province's setting of one procedure.
pub async fn edit(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let admin = match require_province_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let catalog = state.catalog();
    let Some(p) = catalog.get(code.trim()) else {
        return error_page(ctx.lang, StatusCode::NOT_FOUND, None);
    };
    edit_page(&state, &ctx, admin, p, None, Vec::new(), StatusCode::OK).await
}

/// `POST /can-bo/quan-tri/thu-tuc/{code}`: saves the setting after checking every field; the
/// catalogue in memory is rebuilt from the store.
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<EditForm>, FormRejection>,
) -> Response {
    let admin = match require_province_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Ok(Form(mut f)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&f.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let catalog = state.catalog();
    let Some(p) = catalog.get(code.trim()) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    f.note = clean(&f.note);
    let mut errors = Vec::new();
    let fee = match parse_fee(&f.fee) {
        Ok(fee) => fee,
        Err(()) => {
            errors.push(FieldError {
                field: "fee".into(),
                message: lang.t("adm.err.fee").into(),
            });
            None
        }
    };
    if f.note.chars().count() > MAX_NOTE_CHARS {
        errors.push(FieldError {
            field: "note".into(),
            message: lang.t("adm.err.note").into(),
        });
    }
    if !matches!(f.enabled.as_str(), "1" | "0") {
        errors.push(FieldError {
            field: "enabled-1".into(),
            message: lang.t("adm.err.enabled").into(),
        });
    }
    if !errors.is_empty() {
        return edit_page(
            &state,
            &ctx,
            admin,
            p,
            Some(&f),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let setting = LocalSetting {
        code: p.code.clone(),
        enabled: f.enabled == "1",
        local_fee_dong: fee,
        note: f.note.clone(),
        updated_at_ms: 0,
        updated_by: String::new(),
    };
    if let Err(e) = state
        .store()
        .put_procedure_setting(&setting, &admin.user.username)
        .await
    {
        return failed(lang, e);
    }
    if let Err(e) = state.engine().reload().await {
        return failed(lang, e);
    }
    // The assistant answers from its own index of the catalogue: rebuilt in the background.
    state.refresh_assistant();
    audit_change(
        &state,
        &admin,
        "admin.procedure.set",
        &setting.code,
        serde_json::json!({"enabled": setting.enabled, "local_fee_dong": fee, "note": setting.note}),
    )
    .await;
    redirect(
        &format!("/can-bo/quan-tri/thu-tuc?xong={}", urlencoding(&setting.code)),
        ctx.cookies(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_are_whole_dong_within_bounds() {
        assert_eq!(parse_fee(""), Ok(None));
        assert_eq!(parse_fee(" 50.000 "), Ok(Some(50_000)));
        assert_eq!(parse_fee("1,250,000 đ"), Ok(Some(1_250_000)));
        assert_eq!(parse_fee("0"), Ok(Some(0)));
        assert!(parse_fee("-5").is_err() && parse_fee("12,5k").is_err() && parse_fee("2000000000").is_err());
        assert_eq!(dong(1_250_000), "1.250.000 đ");
        assert_eq!(dong(500), "500 đ");
    }
}
