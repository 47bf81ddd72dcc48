//! `/tro-ly-ao`: the virtual assistant as a page. The form works without JavaScript (POST to the
//! page, or GET `?q=` from the widget on other pages); the script turns it into a chat that calls
//! `POST /api/v1/assistant/ask`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use motcua_assistant::{status_answer, Intent, StatusView};
use serde::Deserialize;

use super::{error_page, render, Ctx, Lang, Layout};
use crate::state::AppState;

const MAX_QUESTION_CHARS: usize = 1000;

/// One procedure the answer points to.
pub struct Pointer {
    pub code: String,
    pub name: String,
}

pub struct Answer {
    pub question: String,
    pub text: String,
    pub procedures: Vec<Pointer>,
    pub choices: Vec<Pointer>,
    pub lookup: Option<String>,
}

#[derive(Template)]
#[template(path = "assistant.html")]
struct AssistantPage {
    l: Layout,
    csrf: String,
    question: String,
    error: Option<&'static str>,
    answer: Option<Answer>,
}

#[derive(Deserialize)]
pub struct AskQuery {
    pub q: Option<String>,
}

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub csrf: String,
}

async fn answer(state: &AppState, question: &str, lang: Lang) -> anyhow::Result<Answer> {
    let a_lang = match lang {
        Lang::Vi => motcua_assistant::Lang::Vi,
        Lang::En => motcua_assistant::Lang::En,
    };
    let mut reply = state.assistant().ask(question, a_lang);
    if let (Intent::Status, Some(code)) = (reply.intent, reply.dossier_code.as_deref()) {
        // The public view only: no personal data goes into the answer.
        let view = state.store().dossier(code).await?.map(|s| StatusView {
            status_code: s.status.code(),
            procedure_name: s.procedure_name.clone(),
            received_at: s.received_at.as_ref().map(super::datetime),
            due: s.appointment.as_ref().map(super::datetime),
            finished_at: s.finished_at.as_ref().map(super::datetime),
        });
        reply.answer = status_answer(code, view.as_ref(), a_lang);
    }
    let pointers = |list: Vec<motcua_assistant::Candidate>| {
        list.into_iter()
            .map(|c| Pointer {
                code: c.code,
                name: c.name,
            })
            .collect()
    };
    Ok(Answer {
        question: question.to_string(),
        text: reply.answer,
        lookup: reply.dossier_code.clone(),
        procedures: if reply.out_of_scope {
            Vec::new()
        } else {
            pointers(reply.procedures.into_iter().take(3).collect())
        },
        choices: pointers(reply.choices),
    })
}

fn check(question: &str) -> Result<String, &'static str> {
    let q = super::clean(question);
    if q.is_empty() {
        Err("assistant.error.empty")
    } else if q.chars().count() > MAX_QUESTION_CHARS {
        Err("assistant.error.long")
    } else {
        Ok(q)
    }
}

async fn respond(state: &AppState, ctx: &Ctx, question: Option<String>) -> Response {
    let lang = ctx.lang;
    let mut page = AssistantPage {
        l: Layout::new(ctx, lang.t("assistant.title"), "/tro-ly-ao"),
        csrf: ctx.csrf_token(),
        question: String::new(),
        error: None,
        answer: None,
    };
    let mut status = StatusCode::OK;
    if let Some(q) = question {
        match check(&q) {
            Ok(q) => match answer(state, &q, lang).await {
                Ok(a) => page.answer = Some(a),
                Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
            },
            Err(key) => {
                page.question = q.chars().take(MAX_QUESTION_CHARS).collect();
                page.error = Some(key);
                page.l.title = format!("{}: {}", lang.t("error.prefix"), page.l.title);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
        }
    }
    render(ctx, status, &page)
}

/// `GET /tro-ly-ao[?q=]`: the page, answering `q` when the widget sent one.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<AskQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = query.ok().and_then(|Query(q)| q.q);
    respond(&state, &ctx, q).await
}

/// `POST /tro-ly-ao`: the form without JavaScript.
pub async fn ask(
    State(state): State<AppState>,
    ctx: Ctx,
    form: Result<Form<AskForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return error_page(ctx.lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&form.csrf) {
        return error_page(ctx.lang, StatusCode::FORBIDDEN, None);
    }
    respond(&state, &ctx, Some(form.question)).await
}
