//! `/can-bo`: the officer's queues with counts, one queue as a paged table, search.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::{DateTime, FixedOffset, TimeZone};
use motcua_domain::dossier::default_workflow;
use motcua_domain::roles::Role;
use motcua_engine::Engine;
use motcua_store::queues::{InboxItem, Lookup, QueueFilter, Scope};
use serde::Deserialize;

use super::{require_officer, step_name, time_left, Officer};
use crate::pages::{clean, datetime, error_page, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Rows per page of a queue.
pub const PAGE_SIZE: i64 = 20;
/// Largest page number followed (deeper pages are reached by filters or search).
const MAX_PAGE: i64 = 500;
/// "Sắp đến hạn": due within this many working hours.
const DUE_SOON_HOURS: i64 = 8;

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

    /// The queue an officer sees first.
    fn default_for(role: Role) -> Queue {
        match role {
            Role::CounterOfficer => Queue::Online,
            Role::Leader => Queue::Approval,
            _ => Queue::InProgress,
        }
    }
}

/// Steps acted by a leader (the signing / approval queue): those of the default workflow and of
/// the dossiers' own workflows share the id `lanh_dao` unless configured otherwise.
fn leader_steps() -> Vec<String> {
    default_workflow("", motcua_domain::dossier::LegalTime::WithinDay)
        .steps
        .into_iter()
        .filter(|s| s.role == Role::Leader)
        .map(|s| s.id)
        .collect()
}

/// Midnight of today in Vietnam, in milliseconds.
fn start_of_today_ms(now: DateTime<FixedOffset>) -> i64 {
    let local = now.with_timezone(&motcua_domain::calendar::vietnam());
    local
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| motcua_domain::calendar::vietnam().from_local_datetime(&t).single())
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(|| now.timestamp_millis())
}

/// Where a queue's dossiers are and which of them it holds, for this officer now.
pub fn queue_query<'a>(
    state: &AppState,
    officer: &'a Officer,
    queue: Queue,
    procedure: Option<String>,
) -> (Scope<'a>, QueueFilter) {
    let unit = officer.unit.as_str();
    let scope = match (officer.is_counter(), queue) {
        // An online submission names no counter: any one-stop counter may accept it.
        (true, Queue::Online) => Scope::Province,
        (true, _) => Scope::Receiving(unit),
        (false, _) => Scope::Unit(unit),
    };
    let engine = state.engine();
    let now = engine.now();
    let now_ms = now.timestamp_millis();
    let mut f = QueueFilter {
        procedure,
        ..QueueFilter::default()
    };
    match queue {
        Queue::Online => {
            f.statuses = vec![1];
            f.by_submission = true;
        }
        Queue::New => {
            f.statuses = vec![2, 4];
            f.received_from = Some(start_of_today_ms(now));
        }
        Queue::InProgress => f.statuses = vec![4],
        Queue::Supplement => f.statuses = vec![5],
        Queue::Approval => {
            f.statuses = vec![4];
            f.steps = leader_steps();
        }
        Queue::Result => f.statuses = vec![9],
        Queue::Overdue => {
            f.statuses = vec![4, 5, 6];
            f.due_before = Some(now_ms);
        }
        Queue::DueSoon => {
            f.statuses = vec![4, 5, 6];
            f.due_from = Some(now_ms);
            let horizon = engine
                .calendar()
                .add_working_minutes(now, DUE_SOON_HOURS * 60)
                .map(|t| t.timestamp_millis())
                .unwrap_or(now_ms);
            f.due_before = Some(horizon);
        }
    }
    (scope, f)
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

pub fn row(state: &AppState, officer: &Officer, item: &InboxItem, lang: Lang) -> Row {
    let s = &item.state;
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
        code: item.code.clone(),
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
    let fail = |e: anyhow::Error| error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e));
    let tabs = match tabs(&state, &officer, queue, procedure.clone(), lang).await {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let (scope, filter) = queue_query(&state, &officer, queue, procedure.clone());
    let total = tabs.iter().find(|t| t.current).map(|t| t.count).unwrap_or(0);
    let items = match state
        .store()
        .queue_page(scope, &filter, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        .await
    {
        Ok(i) => i,
        Err(e) => return fail(e.into()),
    };
    let rows: Vec<Row> = items.iter().map(|i| row(&state, &officer, i, lang)).collect();
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

async fn tabs(
    state: &AppState,
    officer: &Officer,
    current: Queue,
    procedure: Option<String>,
    lang: Lang,
) -> anyhow::Result<Vec<QueueTab>> {
    let mut out = Vec::with_capacity(Queue::ALL.len());
    for q in Queue::ALL {
        let (scope, filter) = queue_query(state, officer, q, procedure.clone());
        out.push(QueueTab {
            slug: q.slug(),
            label: lang.t(q.key()),
            count: state.store().queue_count(scope, &filter).await?,
            current: q == current,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub q: String,
}

/// What a search text means: a dossier code, a personal identification number or a name.
pub fn lookup_of(text: &str) -> Option<Lookup> {
    let t = clean(text);
    if t.is_empty() || t.chars().count() > 200 {
        return None;
    }
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let upper = compact.to_uppercase();
    if motcua_domain::ids::looks_like_dossier_code(&upper).is_some_and(|c| c.to_string() == upper) {
        return Some(Lookup::Code(upper));
    }
    if (compact.len() == 9 || compact.len() == 12) && compact.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Lookup::PersonalId(compact));
    }
    Some(Lookup::Name(t))
}

/// `POST /can-bo/tim-kiem`: search by code, personal id or name. A POST, so that a personal id
/// never appears in a URL, a log line or the browser's history.
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
    let fail = |e: anyhow::Error| error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e));
    let queue = Queue::default_for(officer.user.role);
    let tabs = match tabs(&state, &officer, queue, None, lang).await {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let lookup = lookup_of(&form.q);
    let (rows, search_error, status) = match &lookup {
        None => (Vec::new(), Some("bo.search.error"), StatusCode::UNPROCESSABLE_ENTITY),
        Some(l) => {
            // A code is looked up everywhere, then shown only if this officer may open it.
            let scope = match (l, officer.is_counter()) {
                (Lookup::Code(_), _) => Scope::Province,
                (_, true) => Scope::Receiving(&officer.unit),
                (_, false) => Scope::Unit(&officer.unit),
            };
            match state.store().queue_search(scope, l, 100).await {
                Ok(items) => (
                    items
                        .iter()
                        .filter(|i| super::may_open(&officer.user, &i.state))
                        .map(|i| row(&state, &officer, i, lang))
                        .collect(),
                    None,
                    StatusCode::OK,
                ),
                Err(e) => return fail(e.into()),
            }
        }
    };
    // The page repeats a name or code searched for, never a personal id.
    let shown = match &lookup {
        Some(Lookup::PersonalId(p)) => motcua_domain::ids::mask_personal_number(p),
        Some(Lookup::Code(c)) => c.clone(),
        Some(Lookup::Name(n)) => n.clone(),
        None => String::new(),
    };
    let n = rows.len() as i64;
    let page = InboxPage {
        l: Layout::new(&ctx, lang.t("bo.search.results"), "/can-bo"),
        tabs: tabs.into_iter().map(|t| QueueTab { current: false, ..t }).collect(),
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
    fn search_text_is_classified() {
        assert_eq!(
            lookup_of(" 000.00.12.h21-250101-0001 "),
            Some(Lookup::Code("000.00.12.H21-250101-0001".into()))
        );
        assert_eq!(
            lookup_of("0641 9001 2345"),
            Some(Lookup::PersonalId("064190012345".into()))
        );
        assert_eq!(lookup_of("Nguyễn Văn"), Some(Lookup::Name("Nguyễn Văn".into())));
        assert_eq!(lookup_of("   "), None);
    }

    #[test]
    fn queues_round_trip_their_slugs() {
        for q in Queue::ALL {
            assert_eq!(Queue::parse(q.slug()), Some(q));
        }
        assert_eq!(leader_steps(), vec!["lanh_dao".to_string()]);
    }
}
