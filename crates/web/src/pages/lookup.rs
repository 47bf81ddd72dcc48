//! `/tra-cuu?ma=`: a dossier's status for anyone who has its code (also the receipt's QR target).
//! Only the public view is shown: no applicant data.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::dossier::DossierState;
use motcua_domain::ids::looks_like_dossier_code;
use motcua_engine::{Engine, EngineError};
use serde::Deserialize;

use super::{datetime, error_page, render, Ctx, Lang, Layout};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct LookupQuery {
    pub ma: Option<String>,
}

/// A dossier's public status, ready to show.
pub struct PublicStatus {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub unit: String,
    pub status: String,
    pub closed: bool,
    pub step: Option<String>,
    pub submitted_at: String,
    pub received_at: Option<String>,
    pub due: Option<String>,
    pub finished_at: Option<String>,
    pub time_left: Option<String>,
    pub overdue: bool,
    pub history: Vec<(String, String)>,
}

/// The public part of a dossier's state, in the reader's language.
pub fn public_status(engine: &Engine, code: &str, s: &DossierState, lang: Lang) -> PublicStatus {
    let status_name = |st: motcua_domain::dossier::Status| match lang {
        Lang::Vi => st.name_vi(),
        Lang::En => st.name_en(),
    };
    let time_left = match (s.status.is_closed(), s.effective_due) {
        (false, Some(due)) => engine.calendar().time_left(engine.now(), due).ok(),
        _ => None,
    };
    let unit = engine
        .organisation(&s.unit)
        .map(|o| match lang {
            Lang::En if !o.name_en.is_empty() => o.name_en,
            _ => o.name,
        })
        .unwrap_or_else(|| s.unit.clone());
    PublicStatus {
        code: code.to_string(),
        procedure_code: s.procedure.clone(),
        procedure_name: s.procedure_name.clone(),
        unit,
        status: status_name(s.status).to_string(),
        closed: s.status.is_closed(),
        step: s
            .step
            .as_deref()
            .and_then(|id| s.workflow.as_ref().and_then(|w| w.step(id)))
            .map(|st| st.name.clone()),
        submitted_at: datetime(&s.submitted_at),
        received_at: s.received_at.as_ref().map(datetime),
        due: s.appointment.as_ref().map(datetime),
        finished_at: s.finished_at.as_ref().map(datetime),
        overdue: time_left.as_ref().is_some_and(|t| t.overdue),
        time_left: time_left.map(|t| match lang {
            Lang::Vi => t.vi(),
            Lang::En => t.en(),
        }),
        history: s
            .history
            .iter()
            .map(|h| (status_name(h.status).to_string(), datetime(&h.at)))
            .collect(),
    }
}

/// A code as typed: trimmed, the level-1 letter upper-cased; none when malformed.
pub fn parse_code(text: &str) -> Option<String> {
    let t = text.trim();
    looks_like_dossier_code(t)
        .map(|c| c.to_string())
        .filter(|c| c.eq_ignore_ascii_case(t))
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    l: Layout,
    ma: String,
    error: Option<&'static str>,
    found: Option<PublicStatus>,
    /// Links for the signed-in applicant of the dossier found.
    actions: Vec<super::mine::Action>,
}

pub async fn lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<LookupQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = ctx.lang;
    let ma: String = query
        .ok()
        .and_then(|Query(q)| q.ma)
        .unwrap_or_default()
        .trim()
        .chars()
        .take(100)
        .collect();
    let mut page = LookupPage {
        l: Layout::new(&ctx, lang.t("lookup.title"), "/tra-cuu"),
        ma: ma.clone(),
        error: None,
        found: None,
        actions: Vec::new(),
    };
    let mut status = StatusCode::OK;
    if !ma.is_empty() {
        match parse_code(&ma) {
            None => {
                page.error = Some("lookup.error.malformed");
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Some(code) => match state.engine().state(&code).await {
                Ok(s) => {
                    let own = ctx
                        .user()
                        .is_some_and(|u| s.applicant_username.as_deref() == Some(&u.username));
                    if own {
                        page.actions =
                            match super::mine::applicant_actions(&state, &code, i64::from(s.status.code())).await {
                                Ok(a) => a,
                                Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
                            };
                    }
                    page.found = Some(public_status(state.engine(), &code, &s, lang));
                }
                Err(EngineError::NotFound(_)) => {
                    page.error = Some("lookup.error.unknown");
                    status = StatusCode::NOT_FOUND;
                }
                Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
            },
        }
    }
    if page.error.is_some() {
        page.l.title = format!("{}: {}", lang.t("error.prefix"), page.l.title);
    }
    render(&ctx, status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_recognised_whole() {
        assert_eq!(
            parse_code(" 000.00.12.h21-240412-0001 ").as_deref(),
            Some("000.00.12.H21-240412-0001")
        );
        assert_eq!(parse_code("000.00.12.H21-240412-0001x"), None);
        assert_eq!(parse_code("hồ sơ 000.00.12.H21-240412-0001"), None);
        assert_eq!(parse_code("abc"), None);
    }
}
