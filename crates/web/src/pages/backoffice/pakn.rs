//! `/can-bo/phan-anh`: feedback and complaints (PAKN) of the officer's unit with their
//! 15-working-day clock; the item page to transfer it to another unit (with a reason; the
//! deadline set at filing is kept), answer it, and — a leader's decision — publish the answer on
//! the portal's public list. Reads of the sender's data and every action are audited.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use motcua_domain::roles::Role;
use motcua_store::feedback::{FeedbackItem, FeedbackTransfer, FEEDBACK_ANSWERED, FEEDBACK_OPEN, FEEDBACK_PUBLISHED};
use serde::Deserialize;

use super::{require_officer, time_left, Officer};
use crate::pages::{clean, datetime_ms, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Rows per page of the list.
const PAGE_SIZE: i64 = 20;
const MAX_PAGE: i64 = 500;
/// Longest answer and published question.
const MAX_ANSWER: usize = 10_000;
const MAX_QUESTION: usize = 1_000;
const MAX_REASON: usize = 1_000;

/// The lists of the page, by the state of the items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Open,
    Answered,
    Published,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Open, Tab::Answered, Tab::Published];

    fn slug(self) -> &'static str {
        match self {
            Tab::Open => "chua-tra-loi",
            Tab::Answered => "da-tra-loi",
            Tab::Published => "da-cong-khai",
        }
    }

    fn status(self) -> &'static str {
        match self {
            Tab::Open => FEEDBACK_OPEN,
            Tab::Answered => FEEDBACK_ANSWERED,
            Tab::Published => FEEDBACK_PUBLISHED,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Tab::Open => "bo.pakn.tab.open",
            Tab::Answered => "bo.pakn.tab.answered",
            Tab::Published => "bo.pakn.tab.published",
        }
    }

    fn parse(slug: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.slug() == slug)
    }
}

/// The state of an item in the page's language.
fn status_key(status: &str) -> &'static str {
    match status {
        FEEDBACK_ANSWERED => "bo.pakn.status.answered",
        FEEDBACK_PUBLISHED => "bo.pakn.status.published",
        _ => "bo.pakn.status.open",
    }
}

/// Officers who decide to publish an answer.
fn may_publish(role: Role) -> bool {
    matches!(role, Role::Leader | Role::UnitAdmin)
}

/// The clock of an item: "còn/quá X ngày Y giờ" while open; whether it was answered in time after.
fn clock(state: &AppState, item: &FeedbackItem, lang: Lang) -> (String, bool) {
    match item.answered_at_ms {
        None => match motcua_store::dossiers::instant_from_ms(item.due_at_ms) {
            Some(due) => time_left(state, due, lang),
            None => (String::new(), false),
        },
        Some(at) if at <= item.due_at_ms => (lang.t("bo.pakn.answered_on_time").to_string(), false),
        Some(_) => (lang.t("bo.pakn.answered_late").to_string(), true),
    }
}

pub struct TabLink {
    pub slug: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

pub struct Row {
    pub code: String,
    pub subject: String,
    pub sender: String,
    pub received: String,
    pub due: String,
    pub left: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "can_bo/pakn_list.html")]
struct ListPage {
    l: Layout,
    o: Officer,
    tabs: Vec<TabLink>,
    tab_slug: &'static str,
    tab_label: &'static str,
    overdue: i64,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    done: Option<&'static str>,
}

impl ListPage {
    /// The link to another page of the current tab.
    fn page_url(&self, page: i64) -> String {
        format!("/can-bo/phan-anh?loai={}&trang={page}", self.tab_slug)
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub loai: Option<String>,
    pub trang: Option<i64>,
    pub xong: Option<String>,
}

fn done_key(slug: &str) -> Option<&'static str> {
    match slug {
        "chuyen" => Some("bo.pakn.done.transfer"),
        "tra-loi" => Some("bo.pakn.done.answer"),
        "cong-khai" => Some("bo.pakn.done.publish"),
        _ => None,
    }
}

/// `GET /can-bo/phan-anh[?loai=&trang=]`: the unit's items of one state, soonest due first.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let officer = match require_officer(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let tab = q.loai.as_deref().and_then(Tab::parse).unwrap_or(Tab::Open);
    let page_no = q.trang.unwrap_or(1).clamp(1, MAX_PAGE);
    let fail = |e: motcua_store::StoreError| error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into()));
    let now_ms = state.engine().now().timestamp_millis();
    let counts = match state.store().unit_feedback_counts(&officer.unit, now_ms).await {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let (items, total) = match state
        .store()
        .unit_feedback(&officer.unit, tab.status(), PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        .await
    {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let rows = items
        .iter()
        .map(|i| {
            let (left, overdue) = clock(&state, i, lang);
            Row {
                code: i.code.clone(),
                subject: i.subject.clone(),
                sender: i.name.clone(),
                received: datetime_ms(i.created_at_ms),
                due: datetime_ms(i.due_at_ms),
                left,
                overdue,
            }
        })
        .collect();
    let tabs = Tab::ALL
        .into_iter()
        .map(|t| TabLink {
            slug: t.slug(),
            label: lang.t(t.key()),
            count: match t {
                Tab::Open => counts.open,
                Tab::Answered => counts.answered,
                Tab::Published => counts.published,
            },
            current: t == tab,
        })
        .collect();
    let page = ListPage {
        l: Layout::new(&ctx, lang.t("bo.pakn.title"), "/can-bo"),
        tabs,
        tab_slug: tab.slug(),
        tab_label: lang.t(tab.key()),
        overdue: counts.overdue,
        rows,
        total,
        page: page_no,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).clamp(1, MAX_PAGE),
        done: q.xong.as_deref().and_then(done_key),
        o: officer,
    };
    render(&ctx, StatusCode::OK, &page)
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

pub struct TransferLine {
    pub from: String,
    pub to: String,
    pub reason: String,
    pub actor: String,
    pub at: String,
}

pub struct FormError {
    pub href: &'static str,
    pub message: &'static str,
}

#[derive(Template)]
#[template(path = "can_bo/pakn_item.html")]
struct ItemPage {
    l: Layout,
    o: Officer,
    item: FeedbackItem,
    status: &'static str,
    received: String,
    due: String,
    left: String,
    overdue: bool,
    answered_at: String,
    published_at: String,
    transfers: Vec<TransferLine>,
    units: Vec<Choice>,
    may_publish: bool,
    errors: Vec<FormError>,
    done: Option<&'static str>,
    /// What the officer typed, kept when a form comes back with errors.
    to_unit: String,
    reason: String,
    answer: String,
    question: String,
}

impl ItemPage {
    fn error_for(&self, href: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.href == href).map(|e| e.message)
    }
}

/// The item if it belongs to the officer's unit; 404 otherwise (another unit's items do not
/// exist for this officer).
async fn load(state: &AppState, lang: Lang, officer: &Officer, code: &str) -> Result<FeedbackItem, Response> {
    match state.store().feedback(code.trim()).await {
        Ok(Some(item)) if item.unit.as_deref() == Some(officer.unit.as_str()) => Ok(item),
        Ok(_) => Err(error_page(lang, StatusCode::NOT_FOUND, None)),
        Err(e) => Err(error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into()))),
    }
}

fn unit_name(state: &AppState, code: &str, lang: Lang) -> String {
    state
        .engine()
        .organisation(code)
        .map(|o| match lang {
            Lang::En if !o.name_en.is_empty() => o.name_en,
            _ => o.name,
        })
        .unwrap_or_else(|| code.to_string())
}

/// Every other organisation of the province, by name (where an item may be transferred).
async fn transfer_choices(state: &AppState, officer: &Officer, lang: Lang) -> anyhow::Result<Vec<Choice>> {
    let mut list: Vec<Choice> = state
        .store()
        .organisations()
        .await?
        .into_iter()
        .filter(|o| o.code != officer.unit)
        .map(|o| Choice {
            label: match lang {
                Lang::En if !o.name_en.is_empty() => o.name_en,
                _ => o.name,
            },
            value: o.code,
        })
        .collect();
    list.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(list)
}

/// The item page (the officer is known to be of the item's unit).
async fn item_page(
    state: &AppState,
    ctx: &Ctx,
    officer: Officer,
    item: FeedbackItem,
    errors: Vec<FormError>,
    typed: [String; 4],
    done: Option<&'static str>,
) -> Response {
    let lang = ctx.lang;
    let transfers = match state.store().feedback_transfers(&item.code).await {
        Ok(t) => t,
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let units = if item.status == FEEDBACK_OPEN {
        match transfer_choices(state, &officer, lang).await {
            Ok(u) => u,
            Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
        }
    } else {
        Vec::new()
    };
    let (left, overdue) = clock(state, &item, lang);
    let [to_unit, reason, answer, question] = typed;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut page = ItemPage {
        l: Layout::new(ctx, format!("{} {}", lang.t("bo.pakn.item"), item.code), "/can-bo"),
        status: status_key(&item.status),
        received: datetime_ms(item.created_at_ms),
        due: datetime_ms(item.due_at_ms),
        left,
        overdue,
        answered_at: item.answered_at_ms.map(datetime_ms).unwrap_or_default(),
        published_at: item.published_at_ms.map(datetime_ms).unwrap_or_default(),
        transfers: transfers
            .into_iter()
            .map(|t| TransferLine {
                from: t.from_unit.map(|u| unit_name(state, &u, lang)).unwrap_or_default(),
                to: unit_name(state, &t.to_unit, lang),
                reason: t.reason,
                actor: t.actor,
                at: datetime_ms(t.at_ms),
            })
            .collect(),
        units,
        may_publish: may_publish(officer.user.role),
        errors,
        done,
        answer: if answer.is_empty() {
            item.answer.clone().unwrap_or_default()
        } else {
            answer
        },
        question: if question.is_empty() {
            item.subject.clone()
        } else {
            question
        },
        to_unit,
        reason,
        item,
        o: officer,
    };
    if status != StatusCode::OK {
        page.l.title = format!("{}: {}", lang.t("error.prefix"), page.l.title);
    }
    render(ctx, status, &page)
}

#[derive(Deserialize, Default)]
pub struct ItemQuery {
    pub xong: Option<String>,
}

/// `GET /can-bo/phan-anh/{code}`: a read of the sender's personal data, so audited.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    query: Result<Query<ItemQuery>, QueryRejection>,
) -> Response {
    let officer = match require_officer(&state, &ctx) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let item = match load(&state, ctx.lang, &officer, &code).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    state
        .engine()
        .audit_event(
            &officer.user.username,
            "feedback.view",
            &item.code,
            serde_json::json!({"unit": officer.unit}),
        )
        .await;
    let done = query.ok().and_then(|Query(q)| q.xong).as_deref().and_then(done_key);
    item_page(&state, &ctx, officer, item, Vec::new(), Default::default(), done).await
}

#[derive(Deserialize, Default)]
pub struct ActForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub to_unit: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub answer: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub confirm: String,
}

/// The officer, the item and the form of an action, or the response that stops it.
async fn acting(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    form: Result<Form<ActForm>, FormRejection>,
) -> Result<(Officer, FeedbackItem, ActForm), Response> {
    let lang = ctx.lang;
    let officer = require_officer(state, ctx)?;
    let Ok(Form(form)) = form else {
        return Err(error_page(lang, StatusCode::BAD_REQUEST, None));
    };
    if !ctx.csrf_ok(&form.csrf) {
        return Err(error_page(lang, StatusCode::FORBIDDEN, None));
    }
    let item = load(state, lang, &officer, code).await?;
    Ok((officer, item, form))
}

fn item_url(code: &str, done: &str) -> String {
    format!("/can-bo/phan-anh/{}?xong={done}", urlencoding::encode(code))
}

/// `POST /can-bo/phan-anh/{code}/chuyen`: to another unit, with the reason; the deadline stays.
pub async fn transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<ActForm>, FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let (officer, item, form) = match acting(&state, &ctx, &code, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let to_unit = form.to_unit.trim().to_string();
    let reason = clean(&form.reason);
    let mut errors = Vec::new();
    if item.status != FEEDBACK_OPEN {
        errors.push(FormError {
            href: "#to_unit",
            message: "bo.pakn.error.not_open",
        });
    }
    if to_unit == officer.unit || state.engine().organisation(&to_unit).is_none() {
        errors.push(FormError {
            href: "#to_unit",
            message: "bo.pakn.error.to_unit",
        });
    }
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        errors.push(FormError {
            href: "#reason",
            message: "bo.pakn.error.reason",
        });
    }
    if !errors.is_empty() {
        let typed = [to_unit, reason, String::new(), String::new()];
        return item_page(&state, &ctx, officer, item, errors, typed, None).await;
    }
    let t = FeedbackTransfer {
        from_unit: Some(officer.unit.clone()),
        to_unit: to_unit.clone(),
        reason: reason.clone(),
        actor: officer.user.username.clone(),
        at_ms: state.engine().now().timestamp_millis(),
    };
    match state.store().transfer_feedback(&item.code, &officer.unit, &t).await {
        Ok(true) => {}
        // Answered or moved by a colleague meanwhile.
        Ok(false) => return error_page(lang, StatusCode::CONFLICT, None),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    }
    state
        .engine()
        .audit_event(
            &officer.user.username,
            "feedback.transfer",
            &item.code,
            serde_json::json!({"from": officer.unit, "to": to_unit, "reason": reason}),
        )
        .await;
    // The item is now the other unit's: back to the list.
    redirect("/can-bo/phan-anh?xong=chuyen", ctx.cookies())
}

/// `POST /can-bo/phan-anh/{code}/tra-loi`: records the answer (correctable until published).
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<ActForm>, FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let (officer, item, form) = match acting(&state, &ctx, &code, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let text = clean(&form.answer);
    let mut errors = Vec::new();
    if item.status == FEEDBACK_PUBLISHED {
        errors.push(FormError {
            href: "#answer",
            message: "bo.pakn.error.published",
        });
    }
    if text.is_empty() || text.chars().count() > MAX_ANSWER {
        errors.push(FormError {
            href: "#answer",
            message: "bo.pakn.error.answer",
        });
    }
    if !errors.is_empty() {
        let typed = [String::new(), String::new(), text, String::new()];
        return item_page(&state, &ctx, officer, item, errors, typed, None).await;
    }
    let now = state.engine().now().timestamp_millis();
    match state
        .store()
        .answer_feedback(&item.code, &officer.unit, &text, &officer.user.username, now)
        .await
    {
        Ok(true) => {}
        Ok(false) => return error_page(lang, StatusCode::CONFLICT, None),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    }
    state
        .engine()
        .audit_event(
            &officer.user.username,
            "feedback.answer",
            &item.code,
            serde_json::json!({"on_time": now <= item.due_at_ms, "chars": text.chars().count()}),
        )
        .await;
    redirect(&item_url(&item.code, "tra-loi"), ctx.cookies())
}

/// `POST /can-bo/phan-anh/{code}/cong-khai`: a leader publishes the answer with the question as
/// the unit rewrote it, after confirming that it holds no personal data.
pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<ActForm>, FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let (officer, item, form) = match acting(&state, &ctx, &code, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !may_publish(officer.user.role) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let question = clean(&form.question);
    let mut errors = Vec::new();
    if item.status != FEEDBACK_ANSWERED {
        errors.push(FormError {
            href: "#question",
            message: "bo.pakn.error.not_answered",
        });
    }
    if question.is_empty() || question.chars().count() > MAX_QUESTION {
        errors.push(FormError {
            href: "#question",
            message: "bo.pakn.error.question",
        });
    }
    if form.confirm != "1" {
        errors.push(FormError {
            href: "#confirm",
            message: "bo.pakn.error.confirm",
        });
    }
    // The sender's own contact must not go out with the question.
    let leaks = |text: &str| {
        let contact = item.contact.trim();
        contact.chars().count() >= 5 && text.contains(contact)
    };
    if leaks(&question) || item.answer.as_deref().is_some_and(leaks) {
        errors.push(FormError {
            href: "#question",
            message: "bo.pakn.error.personal",
        });
    }
    if !errors.is_empty() {
        let typed = [String::new(), String::new(), String::new(), question];
        return item_page(&state, &ctx, officer, item, errors, typed, None).await;
    }
    let now = state.engine().now().timestamp_millis();
    match state
        .store()
        .publish_feedback(&item.code, &officer.unit, &question, now)
        .await
    {
        Ok(true) => {}
        Ok(false) => return error_page(lang, StatusCode::CONFLICT, None),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    }
    state
        .engine()
        .audit_event(
            &officer.user.username,
            "feedback.publish",
            &item.code,
            serde_json::json!({"unit": officer.unit}),
        )
        .await;
    redirect(&item_url(&item.code, "cong-khai"), ctx.cookies())
}

pub const VI: &[(&str, &str)] = &[
    ("bo.nav.pakn", "Phản ánh, kiến nghị"),
    ("bo.nav.admin", "Quản trị"),
    ("bo.pakn.title", "Phản ánh, kiến nghị"),
    ("bo.pakn.intro", "Phản ánh, kiến nghị gửi đến đơn vị. Thời hạn trả lời là 15 ngày làm việc kể từ khi tiếp nhận; chuyển sang đơn vị khác không làm thay đổi thời hạn."),
    ("bo.pakn.lists", "Danh sách theo trạng thái"),
    ("bo.pakn.tab.open", "Chưa trả lời"),
    ("bo.pakn.tab.answered", "Đã trả lời, chờ công khai"),
    ("bo.pakn.tab.published", "Đã công khai"),
    ("bo.pakn.overdue_count", "Quá hạn trả lời:"),
    ("bo.pakn.empty", "Không có phản ánh, kiến nghị nào trong danh sách này."),
    ("bo.pakn.total", "Tổng số:"),
    ("bo.pakn.col.code", "Mã"),
    ("bo.pakn.col.subject", "Tiêu đề"),
    ("bo.pakn.col.sender", "Người gửi"),
    ("bo.pakn.col.received", "Tiếp nhận"),
    ("bo.pakn.col.due", "Hạn trả lời"),
    ("bo.pakn.col.left", "Thời hạn"),
    ("bo.pakn.item", "Phản ánh, kiến nghị"),
    ("bo.pakn.back", "Về danh sách phản ánh, kiến nghị"),
    ("bo.pakn.status", "Trạng thái"),
    ("bo.pakn.status.open", "Chưa trả lời"),
    ("bo.pakn.status.answered", "Đã trả lời, chưa công khai"),
    ("bo.pakn.status.published", "Đã công khai"),
    ("bo.pakn.deadline", "Thời hạn trả lời"),
    ("bo.pakn.answered_on_time", "Đã trả lời đúng hạn"),
    ("bo.pakn.answered_late", "Đã trả lời quá hạn"),
    ("bo.pakn.sender", "Người gửi"),
    ("bo.pakn.contact", "Liên hệ"),
    ("bo.pakn.dossier", "Hồ sơ liên quan"),
    ("bo.pakn.subject", "Tiêu đề"),
    ("bo.pakn.body", "Nội dung"),
    ("bo.pakn.received", "Tiếp nhận lúc"),
    ("bo.pakn.due", "Hạn trả lời"),
    ("bo.pakn.answer_title", "Trả lời"),
    ("bo.pakn.answered_at", "Trả lời lúc"),
    ("bo.pakn.published_at", "Công khai lúc"),
    ("bo.pakn.transfers", "Quá trình chuyển"),
    ("bo.pakn.transfer.from", "Từ đơn vị"),
    ("bo.pakn.transfer.to", "Đến đơn vị"),
    ("bo.pakn.transfer.reason", "Lý do"),
    ("bo.pakn.transfer.by", "Người chuyển"),
    ("bo.pakn.transfer.at", "Thời điểm"),
    ("bo.pakn.transfer.title", "Chuyển đơn vị có thẩm quyền"),
    ("bo.pakn.transfer.hint", "Thời hạn trả lời giữ nguyên khi chuyển."),
    ("bo.pakn.transfer.choose", "Chọn đơn vị"),
    ("bo.pakn.transfer.button", "Chuyển"),
    ("bo.pakn.answer.label", "Nội dung trả lời"),
    ("bo.pakn.answer.button", "Lưu trả lời"),
    ("bo.pakn.publish.title", "Công khai trả lời"),
    ("bo.pakn.publish.hint", "Câu hỏi được đăng trên Cổng cùng nội dung trả lời. Viết lại câu hỏi, bỏ họ tên, số định danh, địa chỉ, số điện thoại của người gửi."),
    ("bo.pakn.publish.question", "Câu hỏi công khai"),
    ("bo.pakn.publish.confirm", "Tôi xác nhận câu hỏi và nội dung trả lời không chứa thông tin cá nhân"),
    ("bo.pakn.publish.button", "Công khai"),
    ("bo.pakn.publish.leader", "Lãnh đạo đơn vị quyết định công khai trả lời."),
    ("bo.pakn.done.transfer", "Đã chuyển phản ánh, kiến nghị sang đơn vị khác."),
    ("bo.pakn.done.answer", "Đã lưu trả lời."),
    ("bo.pakn.done.publish", "Đã công khai trả lời trên Cổng."),
    ("bo.pakn.error.not_open", "Chỉ chuyển được phản ánh, kiến nghị chưa trả lời"),
    ("bo.pakn.error.to_unit", "Chọn một đơn vị khác để chuyển"),
    ("bo.pakn.error.reason", "Nhập lý do chuyển (tối đa 1.000 ký tự)"),
    ("bo.pakn.error.answer", "Nhập nội dung trả lời (tối đa 10.000 ký tự)"),
    ("bo.pakn.error.published", "Trả lời đã công khai, không sửa được"),
    ("bo.pakn.error.not_answered", "Chỉ công khai được phản ánh, kiến nghị đã trả lời và chưa công khai"),
    ("bo.pakn.error.question", "Nhập câu hỏi công khai (tối đa 1.000 ký tự)"),
    ("bo.pakn.error.confirm", "Xác nhận không có thông tin cá nhân trước khi công khai"),
    ("bo.pakn.error.personal", "Câu hỏi hoặc trả lời chứa thông tin liên hệ của người gửi; hãy bỏ đi trước khi công khai"),
];

pub const EN: &[(&str, &str)] = &[
    ("bo.nav.pakn", "Feedback and complaints"),
    ("bo.nav.admin", "Administration"),
    ("bo.pakn.title", "Feedback and complaints"),
    ("bo.pakn.intro", "Feedback and complaints sent to the unit. They must be answered within 15 working days of receipt; a transfer to another unit does not change the deadline."),
    ("bo.pakn.lists", "Lists by state"),
    ("bo.pakn.tab.open", "Not answered"),
    ("bo.pakn.tab.answered", "Answered, to publish"),
    ("bo.pakn.tab.published", "Published"),
    ("bo.pakn.overdue_count", "Past the answer deadline:"),
    ("bo.pakn.empty", "There is no feedback in this list."),
    ("bo.pakn.total", "Total:"),
    ("bo.pakn.col.code", "Code"),
    ("bo.pakn.col.subject", "Subject"),
    ("bo.pakn.col.sender", "Sender"),
    ("bo.pakn.col.received", "Received"),
    ("bo.pakn.col.due", "Answer due"),
    ("bo.pakn.col.left", "Time"),
    ("bo.pakn.item", "Feedback"),
    ("bo.pakn.back", "Back to feedback and complaints"),
    ("bo.pakn.status", "State"),
    ("bo.pakn.status.open", "Not answered"),
    ("bo.pakn.status.answered", "Answered, not published"),
    ("bo.pakn.status.published", "Published"),
    ("bo.pakn.deadline", "Answer deadline"),
    ("bo.pakn.answered_on_time", "Answered on time"),
    ("bo.pakn.answered_late", "Answered late"),
    ("bo.pakn.sender", "Sender"),
    ("bo.pakn.contact", "Contact"),
    ("bo.pakn.dossier", "Related application"),
    ("bo.pakn.subject", "Subject"),
    ("bo.pakn.body", "Text"),
    ("bo.pakn.received", "Received at"),
    ("bo.pakn.due", "Answer due by"),
    ("bo.pakn.answer_title", "Answer"),
    ("bo.pakn.answered_at", "Answered at"),
    ("bo.pakn.published_at", "Published at"),
    ("bo.pakn.transfers", "Transfers"),
    ("bo.pakn.transfer.from", "From"),
    ("bo.pakn.transfer.to", "To"),
    ("bo.pakn.transfer.reason", "Reason"),
    ("bo.pakn.transfer.by", "By"),
    ("bo.pakn.transfer.at", "When"),
    ("bo.pakn.transfer.title", "Transfer to the competent unit"),
    ("bo.pakn.transfer.hint", "The answer deadline stays the same after a transfer."),
    ("bo.pakn.transfer.choose", "Choose a unit"),
    ("bo.pakn.transfer.button", "Transfer"),
    ("bo.pakn.answer.label", "Answer"),
    ("bo.pakn.answer.button", "Save the answer"),
    ("bo.pakn.publish.title", "Publish the answer"),
    ("bo.pakn.publish.hint", "The question is published on the portal with the answer. Rewrite it without the sender's name, personal number, address or phone number."),
    ("bo.pakn.publish.question", "Question as published"),
    ("bo.pakn.publish.confirm", "I confirm that the question and the answer hold no personal data"),
    ("bo.pakn.publish.button", "Publish"),
    ("bo.pakn.publish.leader", "The unit's leaders decide to publish an answer."),
    ("bo.pakn.done.transfer", "The feedback was transferred to another unit."),
    ("bo.pakn.done.answer", "The answer was saved."),
    ("bo.pakn.done.publish", "The answer is published on the portal."),
    ("bo.pakn.error.not_open", "Only feedback not yet answered can be transferred"),
    ("bo.pakn.error.to_unit", "Choose another unit to transfer to"),
    ("bo.pakn.error.reason", "Enter the reason for the transfer (at most 1,000 characters)"),
    ("bo.pakn.error.answer", "Enter the answer (at most 10,000 characters)"),
    ("bo.pakn.error.published", "The answer is published and can no longer be changed"),
    ("bo.pakn.error.not_answered", "Only answered feedback not yet published can be published"),
    ("bo.pakn.error.question", "Enter the question as published (at most 1,000 characters)"),
    ("bo.pakn.error.confirm", "Confirm that there is no personal data before publishing"),
    ("bo.pakn.error.personal", "The question or the answer holds the sender's contact; remove it before publishing"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_round_trip_and_only_leaders_publish() {
        for t in Tab::ALL {
            assert_eq!(Tab::parse(t.slug()), Some(t));
        }
        assert!(may_publish(Role::Leader) && may_publish(Role::UnitAdmin));
        assert!(!may_publish(Role::Specialist) && !may_publish(Role::CounterOfficer));
    }

    #[test]
    fn answered_items_show_whether_in_time() {
        assert_eq!(status_key("open"), "bo.pakn.status.open");
        assert_eq!(done_key("cong-khai"), Some("bo.pakn.done.publish"));
        assert_eq!(done_key("khac"), None);
    }
}
