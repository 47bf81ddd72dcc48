//! `/can-bo`: the officer's queues with counts, one queue as a paged table, search — all through
//! the engine's inbox ([`Engine::inbox`]), the query path of `GET /api/v1/inbox`, so the pages and
//! the API always count and list the same dossiers.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use motcua_domain::dossier::DossierState;
use motcua_domain::roles::Role;
use motcua_engine::inbox::{InboxPage as EngineInbox, InboxParams};
use motcua_engine::{Engine, EngineError};
use motcua_store::inbox::Queue as StoreQueue;
use serde::Deserialize;

use super::{require_officer, step_name, time_left, Officer};
use crate::pages::{clean, datetime, error_page, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Rows per page of a queue.
pub const PAGE_SIZE: i64 = 20;
/// Largest page number followed (deeper pages are reached by filters or search).
const MAX_PAGE: i64 = 500;

/// The queues of the inbox, in the order the page lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    Online,
    New,
    InProgress,
    Supplement,
    Approval,
    Result,
    Overdue,
    DueSoon,
}

impl Queue {
    pub const ALL: [Queue; 8] = [
        Queue::Online,
        Queue::New,
        Queue::InProgress,
        Queue::Supplement,
        Queue::Approval,
        Queue::Result,
        Queue::Overdue,
        Queue::DueSoon,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Queue::Online => "cho-tiep-nhan",
            Queue::New => "moi-tiep-nhan",
            Queue::InProgress => "dang-xu-ly",
            Queue::Supplement => "cho-bo-sung",
            Queue::Approval => "cho-phe-duyet",
            Queue::Result => "cho-tra-ket-qua",
            Queue::Overdue => "qua-han",
            Queue::DueSoon => "sap-den-han",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Queue::Online => "bo.queue.online",
            Queue::New => "bo.queue.new",
            Queue::InProgress => "bo.queue.in_progress",
            Queue::Supplement => "bo.queue.supplement",
            Queue::Approval => "bo.queue.approval",
            Queue::Result => "bo.queue.result",
            Queue::Overdue => "bo.queue.overdue",
            Queue::DueSoon => "bo.queue.due_soon",
        }
    }

    pub fn parse(slug: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.slug() == slug)
    }

    /// The engine's queue this page lists.
    pub fn inbox_queue(self) -> StoreQueue {
        match self {
            Queue::Online => StoreQueue::ChoTiepNhan,
            Queue::New => StoreQueue::MoiTiepNhan,
            Queue::InProgress => StoreQueue::DangXuLy,
            Queue::Supplement => StoreQueue::ChoBoSung,
            Queue::Approval => StoreQueue::ChoKy,
            Queue::Result => StoreQueue::ChoTraKetQua,
            Queue::Overdue => StoreQueue::QuaHan,
            Queue::DueSoon => StoreQueue::SapDenHan,
        }
    }

    /// The queue an officer sees first.
    fn default_for(role: Role) -> Queue {
        match role {
            Role::CounterOfficer => Queue::Online,
            Role::Leader => Queue::Approval,
            _ => Queue::InProgress,
        }
    }
}

/// A queue with its count, for the list of queues.
pub struct QueueTab {
    pub slug: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

/// A listed dossier.
pub struct Row {
    pub code: String,
    pub procedure_code: String,
    pub procedure: String,
    pub applicant: String,
    pub status: &'static str,
    pub received: String,
    pub due: String,
    pub left: String,
    pub overdue: bool,
    pub step: String,
}

pub fn row(state: &AppState, officer: &Officer, code: &str, s: &DossierState, lang: Lang) -> Row {
    let (left, overdue) = match s.effective_due {
        Some(due) if !s.status.is_closed() && s.status != motcua_domain::dossier::Status::Submitted => {
            time_left(state, due, lang)
        }
        _ => (String::new(), false),
    };
    let step = match s.step.as_deref() {
        Some(id) => {
            let role = s
                .workflow
                .as_ref()
                .and_then(|w| w.step(id))
                .map(|st| super::role_name(st.role, lang))
                .unwrap_or("");
            format!("{} ({role})", step_name(s, Some(id), lang))
        }
        None => String::new(),
    };
    Row {
        code: code.to_string(),
        procedure_code: s.procedure.clone(),
        procedure: s.procedure_name.clone(),
        applicant: if Engine::may_view_full(&officer.user, s) {
            s.applicant.name.clone()
        } else {
            lang.t("bo.hidden").to_string()
        },
        status: super::status_name(s.status, lang),
        received: datetime(&s.received_at.unwrap_or(s.submitted_at)),
        due: s.effective_due.map(|d| datetime(&d)).unwrap_or_default(),
        left,
        overdue,
        step,
    }
}

#[derive(Template)]
#[template(path = "can_bo/inbox.html")]
struct InboxPage {
    l: Layout,
    o: Officer,
    tabs: Vec<QueueTab>,
    queue_slug: &'static str,
    queue_label: &'static str,
    total: i64,
    rows: Vec<Row>,
    page: i64,
    pages: i64,
    first_shown: i64,
    last_shown: i64,
    procedure: String,
    /// Search results (a POST), instead of a queue.
    searched: Option<String>,
    search_error: Option<&'static str>,
    done: Option<&'static str>,
}

impl InboxPage {
    /// The link to another page of the current queue.
    fn page_url(&self, page: i64) -> String {
        let mut url = format!("/can-bo?hang={}&trang={page}", self.queue_slug);
        if !self.procedure.is_empty() {
            url.push_str(&format!("&thu_tuc={}", urlencoding::encode(&self.procedure)));
        }
        url
    }
}

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    pub hang: Option<String>,
    pub trang: Option<i64>,
    pub thu_tuc: Option<String>,
    /// A success banner after an action that took the dossier out of the officer's view.
    pub xong: Option<String>,
}

/// `GET /can-bo[?hang=&trang=&thu_tuc=]`.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<InboxQuery>, QueryRejection>,
) -> Response {
    let officer = match require_officer(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let lang = ctx.lang;
    let queue = q
        .hang
        .as_deref()
        .and_then(Queue::parse)
        .unwrap_or_else(|| Queue::default_for(officer.user.role));
    let procedure = q.thu_tuc.as_deref().map(clean).filter(|p| !p.is_empty());
    let page_no = q.trang.unwrap_or(1).clamp(1, MAX_PAGE);
    let done = q.xong.as_deref().and_then(super::dossier::done_key);
    let params = InboxParams {
        queue: Some(queue.inbox_queue().as_str().to_string()),
        page: Some(page_no as u32),
        per_page: Some(PAGE_SIZE as u32),
        procedure: procedure.clone(),
        ..InboxParams::default()
    };
    let inbox = match state.engine().inbox(&officer.user, &params).await {
        Ok(i) => i,
        Err(e) => return engine_error(lang, e),
    };
    let rows = match rows_of(&state, &officer, &inbox, lang).await {
        Ok(r) => r,
        Err(e) => return engine_error(lang, e),
    };
    let tabs = tabs(&inbox, Some(queue), lang);
    let total = inbox.total;
    let first_shown = if rows.is_empty() {
        0
    } else {
        (page_no - 1) * PAGE_SIZE + 1
    };
    let page = InboxPage {
        l: Layout::new(&ctx, lang.t("bo.title"), "/can-bo"),
        tabs,
        queue_slug: queue.slug(),
        queue_label: lang.t(queue.key()),
        total,
        last_shown: first_shown + rows.len() as i64 - 1,
        first_shown,
        rows,
        page: page_no,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).clamp(1, MAX_PAGE),
        procedure: procedure.unwrap_or_default(),
        searched: None,
        search_error: None,
        done,
        o: officer,
    };
    render(&ctx, StatusCode::OK, &page)
}

/// The queue list with the engine's counts.
fn tabs(inbox: &EngineInbox, current: Option<Queue>, lang: Lang) -> Vec<QueueTab> {
    Queue::ALL
        .into_iter()
        .map(|q| QueueTab {
            slug: q.slug(),
            label: lang.t(q.key()),
            count: inbox
                .counts
                .iter()
                .find(|c| c.queue == q.inbox_queue().as_str())
                .map_or(0, |c| c.count),
            current: Some(q) == current,
        })
        .collect()
}

/// The listed dossiers' rows, from their current state (step names, who may see the applicant).
async fn rows_of(
    state: &AppState,
    officer: &Officer,
    inbox: &EngineInbox,
    lang: Lang,
) -> Result<Vec<Row>, EngineError> {
    let codes: Vec<String> = inbox.items.iter().map(|i| i.code.clone()).collect();
    let states = state.store().inbox_states(&codes).await?;
    Ok(states
        .iter()
        .map(|(code, s)| row(state, officer, code, s, lang))
        .collect())
}

fn engine_error(lang: Lang, e: EngineError) -> Response {
    match e {
        EngineError::Forbidden(_) => error_page(lang, StatusCode::FORBIDDEN, None),
        e => error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    }
}

#[derive(Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub q: String,
}

/// `POST /can-bo/tim-kiem`: search by code, personal id or name through the engine's inbox
/// (which records the search, masked, in the audit log). A POST, so that a personal id never
/// appears in a URL, a log line or the browser's history.
pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    form: Result<Form<SearchForm>, FormRejection>,
) -> Response {
    let officer = match require_officer(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Ok(Form(form)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&form.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let queue = Queue::default_for(officer.user.role);
    let text = clean(&form.q);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let upper = compact.to_uppercase();
    let code = motcua_domain::ids::looks_like_dossier_code(&upper)
        .map(|c| c.to_string())
        .filter(|c| *c == upper);
    let is_pid = compact.len() == 12 && compact.bytes().all(|b| b.is_ascii_digit());
    let params = InboxParams {
        q: Some(code.clone().unwrap_or_else(|| text.clone())),
        per_page: Some(100),
        ..InboxParams::default()
    };
    let (inbox, search_error, status) = if text.is_empty() || text.chars().count() > 200 {
        (None, Some("bo.search.error"), StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        match state.engine().inbox(&officer.user, &params).await {
            Ok(i) => (Some(i), None, StatusCode::OK),
            Err(EngineError::Invalid { .. }) => (None, Some("bo.search.error"), StatusCode::UNPROCESSABLE_ENTITY),
            Err(e) => return engine_error(lang, e),
        }
    };
    let mut rows = match &inbox {
        Some(i) => match rows_of(&state, &officer, i, lang).await {
            Ok(r) => r,
            Err(e) => return engine_error(lang, e),
        },
        None => Vec::new(),
    };
    // A code outside the officer's queues (e.g. an online submission a counter may accept) is
    // still found when this officer may open the dossier.
    if let (Some(code), true) = (&code, rows.is_empty() && search_error.is_none()) {
        match state.engine().state(code).await {
            Ok(s) if super::may_open(&officer.user, &s) => rows.push(row(&state, &officer, code, &s, lang)),
            Ok(_) | Err(EngineError::NotFound(_)) => {}
            Err(e) => return engine_error(lang, e),
        }
    }
    // The counts of the queue list need an inbox even when the search failed.
    let counts = match inbox {
        Some(i) => i,
        None => {
            let params = InboxParams {
                queue: Some(queue.inbox_queue().as_str().to_string()),
                per_page: Some(1),
                ..InboxParams::default()
            };
            match state.engine().inbox(&officer.user, &params).await {
                Ok(i) => i,
                Err(e) => return engine_error(lang, e),
            }
        }
    };
    // The page repeats a name or code searched for, never a personal id.
    let shown = if is_pid {
        motcua_domain::ids::mask_personal_number(&compact)
    } else {
        code.unwrap_or(text)
    };
    let n = rows.len() as i64;
    let page = InboxPage {
        l: Layout::new(&ctx, lang.t("bo.search.results"), "/can-bo"),
        tabs: tabs(&counts, None, lang),
        queue_slug: queue.slug(),
        queue_label: lang.t("bo.search.results"),
        total: n,
        first_shown: if n > 0 { 1 } else { 0 },
        last_shown: n,
        rows,
        page: 1,
        pages: 1,
        procedure: String::new(),
        searched: Some(shown),
        search_error,
        done: None,
        o: officer,
    };
    render(&ctx, status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_round_trip_their_slugs() {
        for q in Queue::ALL {
            assert_eq!(Queue::parse(q.slug()), Some(q));
        }
        let engine_queues: Vec<StoreQueue> = Queue::ALL.into_iter().map(Queue::inbox_queue).collect();
        assert_eq!(
            engine_queues,
            StoreQueue::ALL,
            "one page queue per engine queue, in order"
        );
    }
}
