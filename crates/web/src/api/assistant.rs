//! The virtual assistant (trợ lý ảo): procedure questions and dossier status.

use axum::extract::State;
use motcua_assistant::{status_answer, Intent, Lang, StatusView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Json};
use crate::state::AppState;

const MAX_QUESTION_CHARS: usize = 1000;

#[derive(Deserialize, ToSchema)]
pub struct AskRequest {
    /// The question as the citizen typed it, with or without diacritics.
    pub question: String,
    /// `vi` (default) or `en`: the language of the answer.
    pub lang: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Candidate {
    pub code: String,
    pub name: String,
    pub score: f32,
}

#[derive(Serialize, ToSchema)]
pub struct AskResponse {
    /// `documents`, `fee`, `time`, `where`, `online`, `status` or `other`.
    pub intent: String,
    /// Best first, at most 5; empty for questions outside administrative procedures.
    pub procedures: Vec<Candidate>,
    /// The answer, built from catalogue fields only, citing the procedure code.
    pub answer: String,
    /// The dossier code found in the question, for a status look-up.
    pub dossier_code: Option<String>,
    /// Up to three procedures to choose from when the best ones are too close to call.
    pub choices: Vec<Candidate>,
    pub out_of_scope: bool,
}

fn candidates(list: Vec<motcua_assistant::Candidate>) -> Vec<Candidate> {
    list.into_iter()
        .map(|c| Candidate {
            code: c.code,
            name: c.name,
            score: c.score,
        })
        .collect()
}

/// Answers a citizen's question: which papers, how long, how much, where, online or not, or the
/// status of a dossier whose code the question contains.
#[utoipa::path(post, path = "/api/v1/assistant/ask", tag = "assistant", request_body = AskRequest,
    responses((status = 200, body = AskResponse), (status = 422, body = crate::error::ErrorBody)))]
pub async fn ask(State(state): State<AppState>, Json(req): Json<AskRequest>) -> ApiResult<Json<AskResponse>> {
    let question = req.question.trim();
    if question.is_empty() {
        return Err(ApiError::invalid(
            "question",
            "ask a question, e.g. \"làm giấy khai sinh cần gì\"",
        ));
    }
    if question.chars().count() > MAX_QUESTION_CHARS {
        return Err(ApiError::invalid(
            "question",
            format!("at most {MAX_QUESTION_CHARS} characters"),
        ));
    }
    let lang = match req.lang.as_deref().map(str::trim) {
        None | Some("") | Some("vi") => Lang::Vi,
        Some("en") => Lang::En,
        Some(other) => return Err(ApiError::invalid("lang", format!("{other:?} is not vi or en"))),
    };
    let mut reply = state.assistant().ask(question, lang);
    if let (Intent::Status, Some(code)) = (reply.intent, reply.dossier_code.as_deref()) {
        // The public view only: no personal data goes into the answer.
        let view = state.store().dossier(code).await?.map(|s| StatusView {
            status_code: s.status.code(),
            procedure_name: s.procedure_name.clone(),
            received_at: s.received_at.map(|t| t.format("%d/%m/%Y %H:%M").to_string()),
            due: s.appointment.map(|t| t.format("%d/%m/%Y %H:%M").to_string()),
            finished_at: s.finished_at.map(|t| t.format("%d/%m/%Y %H:%M").to_string()),
        });
        reply.answer = status_answer(code, view.as_ref(), lang);
    }
    Ok(Json(AskResponse {
        intent: reply.intent.code().to_string(),
        procedures: candidates(reply.procedures),
        answer: reply.answer,
        dossier_code: reply.dossier_code,
        choices: candidates(reply.choices),
        out_of_scope: reply.out_of_scope,
    }))
}
