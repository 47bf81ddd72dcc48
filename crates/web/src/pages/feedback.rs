//! The applicant's satisfaction rating of a finished dossier (`/danh-gia/{MaHoSo}`, once per
//! dossier) and the feedback/complaint form (`/phan-anh-kien-nghi`, PAKN) whose items are tracked
//! with a handling deadline of 15 working days on the engine's work calendar. Both are recorded in
//! the dossier's log through the engine (`rate`, `complain` events), which is where the exchange
//! fields `DanhGia` and `CoPAKN` and the QĐ 766 index (5.4) read them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use motcua_domain::calendar::WorkDuration;
use motcua_domain::dossier::exchange::Rating;
use motcua_domain::dossier::Status;
use motcua_engine::EngineError;
use motcua_store::feedback::FeedbackItem;
use rand::RngCore;
use serde::Deserialize;

use super::lookup::parse_code;
use super::mine::require_sign_in;
use super::signin::FieldError;
use super::{clean, datetime_ms, error_page, redirect, render, Ctx, Layout};
use crate::state::AppState;

/// Working days the back office has to answer a PAKN item.
pub const PAKN_WORKING_DAYS: u32 = 15;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/danh-gia/{code}", get(rating_form).post(rate))
        .route("/phan-anh-kien-nghi", get(pakn_form).post(pakn_send))
        .route("/phan-anh-kien-nghi/da-gui", get(pakn_done))
        .route("/phan-anh-kien-nghi/cong-khai", get(published))
}

#[cfg(test)]
const RATINGS: [&str; 3] = ["hai_long", "binh_thuong", "khong_hai_long"];

#[derive(Template)]
#[template(path = "feedback_rating.html")]
struct RatingPage {
    l: Layout,
    csrf: String,
    code: String,
    procedure: String,
    /// The rating already given (the page then only thanks).
    given: Option<&'static str>,
    error: Option<&'static str>,
}

/// The dossier's procedure name and rating if the signed-in visitor is its applicant and it has
/// its result.
async fn rateable(state: &AppState, ctx: &Ctx, code: &str) -> Result<(String, String, Option<Rating>), Response> {
    let lang = ctx.lang;
    let session = require_sign_in(ctx)?;
    let code = parse_code(code).ok_or_else(|| error_page(lang, StatusCode::NOT_FOUND, None))?;
    let s = match state.engine().state(&code).await {
        Ok(s) => s,
        Err(EngineError::NotFound(_)) => return Err(error_page(lang, StatusCode::NOT_FOUND, None)),
        Err(e) => return Err(error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into()))),
    };
    if s.applicant_username.as_deref() != Some(session.user.username.as_str()) {
        return Err(error_page(lang, StatusCode::NOT_FOUND, None));
    }
    if !matches!(s.status, Status::ResultReady | Status::Returned) {
        return Err(redirect(
            &format!("/tra-cuu?ma={}", urlencoding::encode(&code)),
            Vec::new(),
        ));
    }
    Ok((code, s.procedure_name, s.rating))
}

fn rating_key(r: &str) -> Option<&'static str> {
    match r {
        "hai_long" => Some("rating.hai_long"),
        "binh_thuong" => Some("rating.binh_thuong"),
        "khong_hai_long" => Some("rating.khong_hai_long"),
        _ => None,
    }
}

/// `GET /danh-gia/{code}`.
pub async fn rating_form(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let (code, procedure, rating) = match rateable(&state, &ctx, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let given = rating.and_then(|r| rating_key(r.as_str()));
    let page = RatingPage {
        l: Layout::new(&ctx, ctx.lang.t("rating.title"), "/ca-nhan"),
        csrf: ctx.csrf_token(),
        code,
        procedure,
        given,
        error: None,
    };
    render(&ctx, StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub rating: String,
    #[serde(default)]
    pub comment: String,
}

/// `POST /danh-gia/{code}`: the first rating stays; a second one changes nothing.
pub async fn rate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<RatingForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let Ok(Form(form)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&form.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let (code, procedure, _) = match rateable(&state, &ctx, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let comment: String = clean(&form.comment)
        .chars()
        .take(motcua_domain::dossier::RATING_COMMENT_MAX)
        .collect();
    let Some(rating) = Rating::parse(&form.rating) else {
        let mut page = RatingPage {
            l: Layout::new(&ctx, lang.t("rating.title"), "/ca-nhan"),
            csrf: ctx.csrf_token(),
            code,
            procedure,
            given: None,
            error: Some("rating.error.choose"),
        };
        page.l.title = format!("{}: {}", lang.t("error.prefix"), page.l.title);
        return render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let Some(user) = ctx.user() else {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    };
    match state.engine().rate(user, &code, rating, &comment).await {
        Ok(first) => {
            tracing::info!(dossier = %code, first, "dossier rated");
            redirect(&format!("/danh-gia/{}", urlencoding::encode(&code)), ctx.cookies())
        }
        // Moved back out of the rateable statuses meanwhile (it cannot: 9 and 10 are final).
        Err(EngineError::NotAllowed(_) | EngineError::Conflict) => error_page(lang, StatusCode::CONFLICT, None),
        Err(e) => error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    }
}

#[derive(Template)]
#[template(path = "feedback_form.html")]
struct PaknPage {
    l: Layout,
    csrf: String,
    form: PaknForm,
    errors: Vec<FieldError>,
}

impl PaknPage {
    fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message)
    }
}

#[derive(Deserialize, Default)]
pub struct PaknForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub ma: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
}

#[derive(Deserialize)]
pub struct PaknQuery {
    pub ma: Option<String>,
}

/// `GET /phan-anh-kien-nghi[?ma=]`.
pub async fn pakn_form(
    ctx: Ctx,
    query: Result<Query<PaknQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let form = PaknForm {
        ma: query
            .ok()
            .and_then(|Query(q)| q.ma)
            .map(|m| m.trim().chars().take(100).collect())
            .unwrap_or_default(),
        name: ctx.user().map(|u| u.full_name.clone()).unwrap_or_default(),
        ..PaknForm::default()
    };
    let page = PaknPage {
        l: Layout::new(&ctx, ctx.lang.t("pakn.title"), ""),
        csrf: ctx.csrf_token(),
        form,
        errors: Vec::new(),
    };
    render(&ctx, StatusCode::OK, &page)
}

fn new_code(now: &chrono::DateTime<chrono::FixedOffset>) -> String {
    let mut b = [0u8; 3];
    rand::thread_rng().fill_bytes(&mut b);
    format!("PAKN-{}-{}", now.format("%y%m%d"), hex::encode_upper(b))
}

/// `POST /phan-anh-kien-nghi`.
pub async fn pakn_send(
    State(state): State<AppState>,
    ctx: Ctx,
    form: Result<Form<PaknForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let Ok(Form(mut form)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&form.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    form.name = clean(&form.name);
    form.contact = clean(&form.contact);
    form.subject = clean(&form.subject);
    form.body = clean(&form.body);
    form.ma = form.ma.trim().to_string();
    let mut errors = Vec::new();
    let mut err = |field, message| errors.push(FieldError { field, message });
    let dossier = if form.ma.is_empty() {
        None
    } else {
        match parse_code(&form.ma) {
            None => {
                err("ma", "pakn.error.ma");
                None
            }
            Some(code) => match state.engine().state(&code).await {
                Ok(s) => Some((code, s.unit)),
                Err(EngineError::NotFound(_)) => {
                    err("ma", "pakn.error.ma_unknown");
                    None
                }
                Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
            },
        }
    };
    if form.name.is_empty() || form.name.chars().count() > 200 {
        err("name", "pakn.error.name");
    }
    if form.contact.is_empty() || form.contact.chars().count() > 200 {
        err("contact", "pakn.error.contact");
    }
    if form.subject.is_empty() || form.subject.chars().count() > 300 {
        err("subject", "pakn.error.subject");
    }
    if form.body.is_empty() || form.body.chars().count() > 5000 {
        err("body", "pakn.error.body");
    }
    if !errors.is_empty() {
        let mut page = PaknPage {
            l: Layout::new(&ctx, lang.t("pakn.title"), ""),
            csrf: ctx.csrf_token(),
            form,
            errors,
        };
        page.l.title = format!("{}: {}", lang.t("error.prefix"), page.l.title);
        return render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let engine = state.engine();
    let now = engine.now();
    let due = match engine.calendar().due(now, WorkDuration::Days(PAKN_WORKING_DAYS)) {
        Ok(d) => d,
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    // About a dossier: its competent unit answers. Otherwise the province's public
    // administration service centre receives it and transfers it to the competent unit.
    let (dossier, unit) = match dossier {
        Some((code, unit)) => (Some(code), Some(unit)),
        None => match service_centre(&state).await {
            Ok(u) => (None, u),
            Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
        },
    };
    let item = FeedbackItem {
        code: new_code(&now),
        dossier_code: dossier,
        unit,
        username: ctx.user().map(|u| u.username.clone()),
        name: form.name,
        contact: form.contact,
        subject: form.subject,
        body: form.body,
        status: "open".into(),
        created_at_ms: now.timestamp_millis(),
        due_at_ms: due.timestamp_millis(),
        ..FeedbackItem::default()
    };
    if let Err(e) = state.store().insert_feedback(&item).await {
        return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into()));
    }
    // The dossier's log records the complaint (QĐ 766 5.4). Should this fail, the item is kept
    // and the engine records it at its next start (it reconciles items with their dossiers).
    if let Some(dossier) = &item.dossier_code {
        if let Err(e) = engine
            .record_complaint(dossier, &item.code, item.username.as_deref())
            .await
        {
            tracing::error!(code = %item.code, error = %e, "complaint not yet recorded in the dossier's log");
        }
    }
    tracing::info!(code = %item.code, dossier = ?item.dossier_code, "feedback received");
    redirect(
        &format!("/phan-anh-kien-nghi/da-gui?ma={}", urlencoding::encode(&item.code)),
        ctx.cookies(),
    )
}

/// The province's one-stop service centre, which receives PAKN not about a dossier.
async fn service_centre(state: &AppState) -> Result<Option<String>, motcua_store::StoreError> {
    Ok(state
        .store()
        .organisations()
        .await?
        .into_iter()
        .find(|o| o.kind == "service_centre")
        .map(|o| o.code))
}

#[derive(Template)]
#[template(path = "feedback_done.html")]
struct DonePage {
    l: Layout,
    code: String,
    due: String,
    received: String,
}

/// `GET /phan-anh-kien-nghi/da-gui?ma=`: the tracking code and the deadline (nothing personal).
pub async fn pakn_done(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<PaknQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = ctx.lang;
    let code = query.ok().and_then(|Query(q)| q.ma).unwrap_or_default();
    let item = match state.store().feedback(code.trim()).await {
        Ok(Some(i)) => i,
        Ok(None) => return error_page(lang, StatusCode::NOT_FOUND, None),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let page = DonePage {
        l: Layout::new(&ctx, lang.t("pakn.done.title"), ""),
        code: item.code,
        due: datetime_ms(item.due_at_ms),
        received: datetime_ms(item.created_at_ms),
    };
    render(&ctx, StatusCode::OK, &page)
}

/// Published answers per page.
const PUBLISHED_PAGE: i64 = 10;

/// A published answer as the public sees it: no sender, contact or original text.
pub struct PublishedRow {
    pub code: String,
    pub unit: String,
    pub question: String,
    pub answer: String,
    pub received: String,
    pub answered: String,
}

#[derive(Template)]
#[template(path = "feedback_public.html")]
struct PublishedPage {
    l: Layout,
    rows: Vec<PublishedRow>,
    total: i64,
    page: i64,
    pages: i64,
}

impl PublishedPage {
    fn page_url(&self, page: i64) -> String {
        format!("/phan-anh-kien-nghi/cong-khai?trang={page}")
    }
}

#[derive(Deserialize)]
pub struct PublishedQuery {
    pub trang: Option<i64>,
}

/// `GET /phan-anh-kien-nghi/cong-khai[?trang=]`: answers the units published, newest first.
pub async fn published(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<PublishedQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = ctx.lang;
    let page_no = query.ok().and_then(|Query(q)| q.trang).unwrap_or(1).clamp(1, 1000);
    let (items, total) = match state
        .store()
        .published_feedback(PUBLISHED_PAGE, (page_no - 1) * PUBLISHED_PAGE)
        .await
    {
        Ok(x) => x,
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let engine = state.engine();
    let rows = items
        .into_iter()
        .map(|i| PublishedRow {
            unit: i
                .unit
                .as_deref()
                .and_then(|u| engine.organisation(u))
                .map(|o| match lang {
                    super::Lang::En if !o.name_en.is_empty() => o.name_en,
                    _ => o.name,
                })
                .unwrap_or_default(),
            code: i.code,
            question: i.question,
            answer: i.answer,
            received: datetime_ms(i.created_at_ms),
            answered: datetime_ms(i.answered_at_ms),
        })
        .collect();
    let page = PublishedPage {
        l: Layout::new(&ctx, lang.t("pakn.public.title"), ""),
        rows,
        total,
        page: page_no,
        pages: ((total + PUBLISHED_PAGE - 1) / PUBLISHED_PAGE).clamp(1, 1000),
    };
    render(&ctx, StatusCode::OK, &page)
}

pub const VI: &[(&str, &str)] = &[
    ("rating.title", "Đánh giá mức độ hài lòng"),
    ("rating.intro", "Hãy cho biết bạn có hài lòng với việc giải quyết hồ sơ này không. Mỗi hồ sơ được đánh giá một lần."),
    ("rating.question", "Mức độ hài lòng của bạn"),
    ("rating.hai_long", "Hài lòng"),
    ("rating.binh_thuong", "Bình thường"),
    ("rating.khong_hai_long", "Không hài lòng"),
    ("rating.comment", "Góp ý thêm (không bắt buộc)"),
    ("rating.send", "Gửi đánh giá"),
    ("rating.thanks", "Cảm ơn bạn đã đánh giá"),
    ("rating.given", "Đánh giá của bạn:"),
    ("rating.error.choose", "Hãy chọn một mức độ hài lòng"),
    ("rating.pakn", "Muốn phản ánh, kiến nghị về hồ sơ này?"),
    ("pakn.title", "Phản ánh, kiến nghị"),
    ("pakn.intro", "Gửi phản ánh, kiến nghị về thủ tục hành chính hoặc về việc giải quyết hồ sơ. Cơ quan có thẩm quyền trả lời trong 15 ngày làm việc."),
    ("pakn.ma", "Mã hồ sơ liên quan (nếu có)"),
    ("pakn.ma_hint", "Ví dụ 000.00.12.H21-240412-0001"),
    ("pakn.name", "Họ và tên"),
    ("pakn.contact", "Số điện thoại hoặc thư điện tử để nhận trả lời"),
    ("pakn.subject", "Tiêu đề"),
    ("pakn.body", "Nội dung phản ánh, kiến nghị"),
    ("pakn.send", "Gửi phản ánh, kiến nghị"),
    ("pakn.error.ma", "Mã hồ sơ không đúng định dạng"),
    ("pakn.error.ma_unknown", "Không tìm thấy hồ sơ có mã này"),
    ("pakn.error.name", "Nhập họ và tên (tối đa 200 ký tự)"),
    ("pakn.error.contact", "Nhập số điện thoại hoặc thư điện tử (tối đa 200 ký tự)"),
    ("pakn.error.subject", "Nhập tiêu đề (tối đa 300 ký tự)"),
    ("pakn.error.body", "Nhập nội dung (tối đa 5.000 ký tự)"),
    ("pakn.done.title", "Đã gửi phản ánh, kiến nghị"),
    ("pakn.done.code", "Mã theo dõi phản ánh, kiến nghị"),
    ("pakn.done.received", "Tiếp nhận lúc"),
    ("pakn.done.due", "Hạn trả lời"),
    ("pakn.done.next", "Cơ quan có thẩm quyền xem xét và trả lời qua số điện thoại hoặc thư điện tử bạn đã cung cấp. Hãy giữ mã theo dõi để hỏi về phản ánh, kiến nghị này."),
    ("pakn.public.title", "Trả lời phản ánh, kiến nghị"),
    ("pakn.public.intro", "Các câu trả lời đã được cơ quan có thẩm quyền công khai. Thông tin cá nhân của người gửi không được đăng."),
    ("pakn.public.empty", "Chưa có trả lời nào được công khai."),
    ("pakn.public.total", "Số trả lời đã công khai:"),
    ("pakn.public.unit", "Cơ quan trả lời"),
    ("pakn.public.received", "Tiếp nhận"),
    ("pakn.public.answered", "Trả lời"),
    ("pakn.public.answer", "Nội dung trả lời"),
    ("pakn.public.send", "Gửi phản ánh, kiến nghị"),
    ("pakn.public.pages", "Trang trả lời"),
    ("pakn.public.prev", "Trang trước"),
    ("pakn.public.next", "Trang sau"),
    ("pakn.public.page", "Trang"),
    ("pakn.public.link", "Xem các trả lời đã công khai"),
];

pub const EN: &[(&str, &str)] = &[
    ("rating.title", "Rate your satisfaction"),
    ("rating.intro", "Tell us whether you are satisfied with how this application was handled. Each application can be rated once."),
    ("rating.question", "How satisfied are you?"),
    ("rating.hai_long", "Satisfied"),
    ("rating.binh_thuong", "Neither satisfied nor dissatisfied"),
    ("rating.khong_hai_long", "Dissatisfied"),
    ("rating.comment", "Further comments (optional)"),
    ("rating.send", "Send rating"),
    ("rating.thanks", "Thank you for your rating"),
    ("rating.given", "Your rating:"),
    ("rating.error.choose", "Choose how satisfied you are"),
    ("rating.pakn", "Want to give feedback or complain about this application?"),
    ("pakn.title", "Feedback and complaints"),
    ("pakn.intro", "Send feedback or a complaint about an administrative procedure or how an application was handled. The competent agency answers within 15 working days."),
    ("pakn.ma", "Related application code (if any)"),
    ("pakn.ma_hint", "For example 000.00.12.H21-240412-0001"),
    ("pakn.name", "Full name"),
    ("pakn.contact", "Phone number or email for the answer"),
    ("pakn.subject", "Subject"),
    ("pakn.body", "Your feedback or complaint"),
    ("pakn.send", "Send feedback"),
    ("pakn.error.ma", "The application code is not in the right format"),
    ("pakn.error.ma_unknown", "No application has this code"),
    ("pakn.error.name", "Enter your full name (at most 200 characters)"),
    ("pakn.error.contact", "Enter a phone number or email (at most 200 characters)"),
    ("pakn.error.subject", "Enter a subject (at most 300 characters)"),
    ("pakn.error.body", "Enter your feedback (at most 5,000 characters)"),
    ("pakn.done.title", "Feedback sent"),
    ("pakn.done.code", "Your feedback tracking code"),
    ("pakn.done.received", "Received at"),
    ("pakn.done.due", "Answer due by"),
    ("pakn.done.next", "The competent agency reviews it and answers by the phone number or email you gave. Keep the tracking code to ask about this feedback."),
    ("pakn.public.title", "Answers to feedback and complaints"),
    ("pakn.public.intro", "Answers the competent agencies have published. The senders' personal data is not published."),
    ("pakn.public.empty", "No answer has been published yet."),
    ("pakn.public.total", "Published answers:"),
    ("pakn.public.unit", "Answered by"),
    ("pakn.public.received", "Received"),
    ("pakn.public.answered", "Answered"),
    ("pakn.public.answer", "Answer"),
    ("pakn.public.send", "Send feedback"),
    ("pakn.public.pages", "Pages of answers"),
    ("pakn.public.prev", "Previous page"),
    ("pakn.public.next", "Next page"),
    ("pakn.public.page", "Page"),
    ("pakn.public.link", "See the published answers"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_date_and_a_random_part() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-04-12T09:00:00+07:00").unwrap();
        let c = new_code(&now);
        assert!(c.starts_with("PAKN-260412-") && c.len() == 18, "{c}");
        assert_ne!(new_code(&now), c);
    }

    #[test]
    fn every_rating_has_a_label() {
        for r in RATINGS {
            assert!(rating_key(r).is_some() && Rating::parse(r).is_some(), "{r}");
        }
    }
}
