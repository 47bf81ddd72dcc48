//! `/ca-nhan`: the signed-in citizen's dossiers.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::dossier::Status;

use super::{datetime_ms, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// How many dossiers the page lists.
const LIMIT: i64 = 200;

pub struct Row {
    pub code: String,
    pub procedure: String,
    pub status: String,
    pub submitted_at: String,
    pub due: String,
    pub actions: Vec<Action>,
}

/// A link offered to the applicant for one of their dossiers.
pub struct Action {
    pub href: String,
    pub label: &'static str,
}

/// What the applicant can do with their dossier at `status`: pay when fees are due, rate a
/// finished dossier not yet rated, send the papers asked for, download the receipt, send a PAKN
/// about it, withdraw it while it is open.
pub async fn applicant_actions(state: &AppState, code: &str, status: i64) -> anyhow::Result<Vec<Action>> {
    let enc = urlencoding::encode(code);
    let mut out = Vec::new();
    let mut add = |href: String, label| out.push(Action { href, label });
    let status = Status::from_code(status);
    match status {
        Some(Status::SupplementRequested) => add(format!("/ca-nhan/ho-so/{enc}/bo-sung"), "mine.supplement"),
        Some(Status::FeesDue) => add(format!("/thanh-toan/{enc}"), "mine.pay"),
        Some(Status::ResultReady | Status::Returned) if state.store().dossier_rating(code).await?.is_none() => {
            add(format!("/danh-gia/{enc}"), "mine.rate")
        }
        _ => {}
    }
    add(format!("/api/v1/dossiers/{enc}/forms/01.pdf"), "mine.receipt");
    add(format!("/phan-anh-kien-nghi?ma={enc}"), "mine.pakn");
    if status.is_some_and(super::respond::withdrawable) {
        add(format!("/ca-nhan/ho-so/{enc}/rut"), "mine.withdraw");
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    l: Layout,
    name: String,
    eid_level: i64,
    rows: Vec<Row>,
}

fn status_name(code: i64, lang: Lang) -> String {
    Status::from_code(code)
        .map(|s| match lang {
            Lang::Vi => s.name_vi(),
            Lang::En => s.name_en(),
        })
        .unwrap_or("?")
        .to_string()
}

/// A signed-in visitor, or the redirect to the sign-in page that comes back here.
// The error is the response itself, handed straight back to axum: boxing it gains nothing.
#[allow(clippy::result_large_err)]
pub fn require_sign_in(ctx: &Ctx) -> Result<&super::session::Session, Response> {
    ctx.session.as_ref().ok_or_else(|| {
        let back = ctx.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        redirect(&format!("/dang-nhap?next={}", urlencoding::encode(back)), Vec::new())
    })
}

pub async fn mine(State(state): State<AppState>, ctx: Ctx) -> Response {
    let session = match require_sign_in(&ctx) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let list = match state.store().dossiers_of_applicant(&session.user.username, LIMIT).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let catalog = state.catalog();
    let mut rows = Vec::with_capacity(list.len());
    for d in list {
        let actions = match applicant_actions(&state, &d.code, d.status).await {
            Ok(a) => a,
            Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
        };
        rows.push(Row {
            procedure: catalog
                .get(&d.procedure_code)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| d.procedure_code.clone()),
            status: status_name(d.status, lang),
            submitted_at: datetime_ms(d.submitted_at_ms),
            due: d.appointment_ms.map(datetime_ms).unwrap_or_else(|| "—".into()),
            code: d.code,
            actions,
        });
    }
    let page = MinePage {
        l: Layout::new(&ctx, lang.t("mine.title"), "/ca-nhan"),
        name: session.user.full_name.clone(),
        eid_level: session.eid_level.max(session.user.eid_level),
        rows,
    };
    render(&ctx, StatusCode::OK, &page)
}
