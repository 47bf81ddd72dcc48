//! `/can-bo/quan-tri/nhat-ky`: the audit viewer — the hash-chained log newest first, filtered by
//! actor, dossier (or other target), action and date, paged by sequence number, with the result
//! of the same chain check as `motcua audit verify`. Personal identification numbers that might
//! appear in details are masked before display. Opening the viewer is itself recorded.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use motcua_domain::ids::mask_personal_number;
use motcua_store::audit::{AuditQuery, AuditVerification};
use serde::Deserialize;

use super::{audit_change, error_for, failed, require_province_admin, Admin, FieldError};
use crate::pages::{clean, datetime_ms, error_page, render, Ctx, Layout};
use crate::state::AppState;

/// Entries per page.
const PER_PAGE: i64 = 50;

#[derive(Deserialize, Default, Clone)]
pub struct Filters {
    pub nguoi: Option<String>,
    pub ho_so: Option<String>,
    pub hanh_dong: Option<String>,
    /// First day (YYYY-MM-DD, Vietnam time), inclusive.
    pub tu: Option<String>,
    /// Last day, inclusive.
    pub den: Option<String>,
    /// Keyset paging: entries older than this sequence number.
    pub truoc: Option<i64>,
    /// `1`: verify the whole chain instead of the entries since the checkpoint.
    pub toan_bo: Option<String>,
}

pub struct Row {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub hash: String,
}

#[derive(Template)]
#[template(path = "quan_tri/audit.html")]
struct AuditPage {
    l: Layout,
    a: Admin,
    actor: String,
    target: String,
    action: String,
    from: String,
    to: String,
    rows: Vec<Row>,
    next: Option<String>,
    first_page: Option<String>,
    check: AuditVerification,
    /// This load ran the full walk.
    full: bool,
    /// When the last full walk ran and what it found.
    last_full: Option<(String, String)>,
    errors: Vec<FieldError>,
}

impl AuditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// Masks every run of 9 or 12 digits (the lengths of identity card and personal identification
/// numbers) in text shown on the page; entries are written masked, this guards older ones.
pub fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() == 9 || run.len() == 12 {
            out.push_str(&mask_personal_number(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The start of a day in Vietnam time, in milliseconds.
fn day_start_ms(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(crate::vietnam()).single())
        .map(|t| t.timestamp_millis())
        .unwrap_or(0)
}

fn text(v: &Option<String>, max: usize) -> String {
    clean(v.as_deref().unwrap_or("")).chars().take(max).collect()
}

fn query_string(actor: &str, target: &str, action: &str, from: &str, to: &str) -> String {
    let enc = |s: &str| urlencoding::encode(s).into_owned();
    format!(
        "nguoi={}&ho_so={}&hanh_dong={}&tu={}&den={}",
        enc(actor),
        enc(target),
        enc(action),
        enc(from),
        enc(to)
    )
}

/// `GET /can-bo/quan-tri/nhat-ky`: province administrators only, like `GET /api/v1/audit`.
pub async fn page(State(state): State<AppState>, ctx: Ctx, query: Result<Query<Filters>, QueryRejection>) -> Response {
    let admin = match require_province_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Ok(Query(f)) = query else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let actor = text(&f.nguoi, 64);
    let target = text(&f.ho_so, 64);
    let action = text(&f.hanh_dong, 64);
    let from = text(&f.tu, 10);
    let to = text(&f.den, 10);
    let mut errors = Vec::new();
    let mut date = |field: &'static str, v: &str| -> Option<NaiveDate> {
        if v.is_empty() {
            return None;
        }
        let parsed = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
        if parsed.is_none() {
            errors.push(FieldError {
                field: field.into(),
                message: lang.t("adm.err.date").into(),
            });
        }
        parsed
    };
    let from_day = date("tu", &from);
    let to_day = date("den", &to);
    if let (Some(a), Some(b)) = (from_day, to_day) {
        if a > b {
            errors.push(FieldError {
                field: "den".into(),
                message: lang.t("adm.err.date_order").into(),
            });
        }
    }
    let full = f.toan_bo.as_deref() == Some("1");
    let check = if full {
        state.store().verify_audit().await
    } else {
        state.store().verify_audit_since_checkpoint().await
    };
    let check = match check {
        Ok(c) => c,
        Err(e) => return failed(lang, e),
    };
    let last_full = match state.store().last_full_audit_check().await {
        Ok(v) => v.map(|(at, _, result)| {
            let result = if result == "intact" {
                lang.t("adm.audit.full_intact").to_string()
            } else {
                format!("{} ({result})", lang.t("adm.audit.broken"))
            };
            (datetime_ms(at), result)
        }),
        Err(e) => return failed(lang, e),
    };
    let (rows, next, status) = if errors.is_empty() {
        let q = AuditQuery {
            actor: Some(actor.clone()).filter(|s| !s.is_empty()),
            action: Some(action.clone()).filter(|s| !s.is_empty()),
            target: Some(target.clone()).filter(|s| !s.is_empty()),
            from_ms: from_day.map(day_start_ms),
            to_ms: to_day.and_then(|d| d.succ_opt()).map(day_start_ms),
            before_seq: f.truoc,
            limit: PER_PAGE,
        };
        let entries = match state.store().audit_entries(&q).await {
            Ok(e) => e,
            Err(e) => return failed(lang, e),
        };
        let next = (entries.len() as i64 == PER_PAGE)
            .then(|| entries.last().map(|e| e.seq))
            .flatten()
            .map(|seq| {
                format!(
                    "/can-bo/quan-tri/nhat-ky?{}&truoc={seq}",
                    query_string(&actor, &target, &action, &from, &to)
                )
            });
        let rows = entries
            .into_iter()
            .map(|e| Row {
                seq: e.seq,
                at: datetime_ms(e.at_ms),
                actor: e.actor,
                action: e.action,
                target: mask_numbers(&e.target),
                details: mask_numbers(&e.details),
                hash: e.hash.chars().take(12).collect(),
            })
            .collect();
        (rows, next, StatusCode::OK)
    } else {
        (Vec::new(), None, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let first_page = f.truoc.map(|_| {
        format!(
            "/can-bo/quan-tri/nhat-ky?{}",
            query_string(&actor, &target, &action, &from, &to)
        )
    });
    audit_change(
        &state,
        &admin,
        "audit.read",
        "-",
        serde_json::json!({"actor": actor, "action": action, "target": target, "from": from, "to": to,
            "full_check": full}),
    )
    .await;
    let page = AuditPage {
        l: Layout::new(&ctx, lang.t("adm.audit.title"), "/can-bo"),
        a: admin,
        actor,
        target,
        action,
        from,
        to,
        rows,
        next,
        first_page,
        check,
        full,
        last_full,
        errors,
    };
    render(&ctx, status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_are_masked_in_details() {
        assert_eq!(
            mask_numbers(r#"{"personal_id":"064190012345","n":12}"#),
            r#"{"personal_id":"064*******45","n":12}"#
        );
        assert_eq!(mask_numbers("cmnd 230123456 ok"), "cmnd 230****56 ok");
        // Dossier codes and instants keep their digits.
        assert_eq!(mask_numbers("000.00.12.H21-260105-0007"), "000.00.12.H21-260105-0007");
        assert_eq!(mask_numbers("1767225600000"), "1767225600000");
    }
}
