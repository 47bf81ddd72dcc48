//! Online payment of fees (a dossier in status 6, "chờ thực hiện nghĩa vụ tài chính"):
//! `/thanh-toan/{MaHoSo}` → the gateway → `/thanh-toan/{MaHoSo}/ket-qua`.
//!
//! The dossier advances (`pay`, online) only when a callback whose signature verifies says the
//! payment succeeded ([`settle`]); the same callback twice settles once (the payment row moves
//! out of `pending` in one conditional update, and the engine action carries the payment id as
//! its idempotency key). [`reconcile`] asks the gateway about payments still pending (callbacks
//! lost on the way); it runs at start and periodically ([`spawn_reconciler`]).

use std::collections::BTreeMap;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_domain::dossier::{Command, Status};
use motcua_engine::EngineError;
use motcua_store::payments::{Payment, FAILED, PAID, PENDING};
use motcua_store::{Role, User};
use rand::RngCore;
use serde::Deserialize;

use super::lookup::parse_code;
use super::mine::require_sign_in;
use super::{error_page, redirect, render, Ctx, Layout};
use crate::payment_gateway::{gateway, GatewayError, GatewayResult, Outcome, PaymentOrder, SandboxGateway};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/thanh-toan/callback", post(callback))
        .route("/thanh-toan/{code}", get(form).post(start))
        .route("/thanh-toan/{code}/ket-qua", get(result))
        .route(
            "/sandbox-thanh-toan/{gateway_ref}",
            get(sandbox_page).post(sandbox_decide),
        )
}

/// Formats whole đồng the Vietnamese way: `1.250.000 ₫`.
pub fn dong(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("{}{out} ₫", if amount < 0 { "-" } else { "" })
}

/// The identity the engine knows the gateway callback by (never a stored account).
/// The gateway records the payment on behalf of the payer (the applicant who started it), so
/// the engine's rule "only the applicant and the officers handling a dossier act on it" holds.
fn payer(username: &str) -> User {
    User {
        username: username.to_string(),
        full_name: "Cổng thanh toán (thay mặt người nộp)".into(),
        role: Role::Citizen,
        unit_code: None,
        eid_level: 0,
        personal_id: None,
    }
}

#[derive(Template)]
#[template(path = "payment_form.html")]
struct FormPage {
    l: Layout,
    csrf: String,
    code: String,
    procedure: String,
    amount: String,
    pending: bool,
}

/// The dossier of `code` if the signed-in visitor is its applicant and its fees are due.
async fn payable(state: &AppState, ctx: &Ctx, code: &str) -> Result<(String, i64), Response> {
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
    match (s.status, s.fees_requested_dong) {
        (Status::FeesDue, Some(amount)) if amount > 0 => Ok((s.procedure_name, amount)),
        _ => Err(redirect(
            &format!("/tra-cuu?ma={}", urlencoding::encode(&code)),
            Vec::new(),
        )),
    }
}

/// `GET /thanh-toan/{code}`: what is due, and the button to pay.
pub async fn form(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let (procedure, amount) = match payable(&state, &ctx, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let code = parse_code(&code).unwrap_or(code);
    let pending = match state.store().payments_of_dossier(&code).await {
        Ok(list) => list.iter().any(|p| p.status == PENDING && p.gateway_ref.is_some()),
        Err(e) => return error_page(ctx.lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let page = FormPage {
        l: Layout::new(&ctx, ctx.lang.t("payment.title"), "/ca-nhan"),
        csrf: ctx.csrf_token(),
        code,
        procedure,
        amount: dong(amount),
        pending,
    };
    render(&ctx, StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /thanh-toan/{code}`: records a pending payment and sends the payer to the gateway.
pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<CsrfForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let Ok(Form(form)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&form.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let (procedure, amount) = match payable(&state, &ctx, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let code = parse_code(&code).unwrap_or(code);
    let settings = &state.settings().payments;
    let Some(public_url) = settings.public_url.as_deref() else {
        return error_page(lang, StatusCode::SERVICE_UNAVAILABLE, None);
    };
    let gw = gateway(state.store(), settings);
    let mut b = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut b);
    let payment = Payment {
        id: format!("TT{}", hex::encode_upper(b)),
        dossier_code: code.clone(),
        username: ctx.user().map(|u| u.username.clone()).unwrap_or_default(),
        amount_dong: amount,
        status: PENDING.into(),
        gateway: gw.name().into(),
        gateway_ref: None,
        created_at_ms: chrono::Utc::now().timestamp_millis(),
        settled_at_ms: None,
    };
    if let Err(e) = state.store().insert_payment(&payment).await {
        return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into()));
    }
    let order = PaymentOrder {
        merchant_ref: payment.id.clone(),
        amount_dong: amount,
        description: format!("Phí, lệ phí hồ sơ {code} – {procedure}"),
        return_url: format!("/thanh-toan/{}/ket-qua", urlencoding::encode(&code)),
        callback_url: format!("{}/thanh-toan/callback", public_url.trim_end_matches('/')),
    };
    let created = match gw.create(&order).await {
        Ok(c) => c,
        Err(e) => {
            let _ = state.store().settle_payment(&payment.id, FAILED).await;
            return error_page(lang, StatusCode::BAD_GATEWAY, Some(e.into()));
        }
    };
    if let Err(e) = state
        .store()
        .set_payment_gateway_ref(&payment.id, &created.gateway_ref)
        .await
    {
        return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into()));
    }
    tracing::info!(payment = %payment.id, dossier = %code, amount, "payment started");
    redirect(&created.redirect_url, ctx.cookies())
}

/// What applying a gateway result did.
#[derive(Debug, PartialEq, Eq)]
pub enum Settled {
    /// This result settled the payment (and, when paid, advanced the dossier).
    Now(Outcome),
    /// The payment was settled before (a replayed callback): nothing changed.
    Already,
    /// The result says the payment is still pending.
    StillPending,
}

/// Applies a verified gateway result: settles the payment once and, when paid, takes the
/// dossier's `pay` action (online) as the gateway.
pub async fn settle(state: &AppState, r: &GatewayResult) -> anyhow::Result<Settled> {
    let store = state.store();
    let payment = store
        .payment(&r.merchant_ref)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no payment {}", r.merchant_ref))?;
    if payment.gateway_ref.as_deref() != Some(r.gateway_ref.as_str()) || payment.amount_dong != r.amount_dong {
        anyhow::bail!("gateway result does not match payment {}", payment.id);
    }
    let status = match r.outcome {
        Outcome::Pending => return Ok(Settled::StillPending),
        Outcome::Paid => PAID,
        Outcome::Failed => FAILED,
    };
    if !store.settle_payment(&payment.id, status).await? {
        return Ok(Settled::Already);
    }
    if r.outcome == Outcome::Paid {
        let engine = state.engine();
        let note = format!("Thanh toán trực tuyến {} (mã giao dịch {})", payment.id, r.gateway_ref);
        let key = format!("payment:{}", payment.id);
        match engine
            .act(
                &payer(&payment.username),
                &payment.dossier_code,
                Command::Pay { online: true },
                &note,
                Some(&key),
            )
            .await
        {
            Ok(_) => tracing::info!(payment = %payment.id, dossier = %payment.dossier_code, "payment settled"),
            Err(EngineError::NotAllowed(reason)) => {
                // Fees settled meanwhile at the counter (or a second order paid): the money is
                // recorded; the back office refunds.
                tracing::warn!(payment = %payment.id, %reason, "paid, but the dossier no longer awaits fees");
            }
            Err(e) => {
                // Try again at the next callback or reconciliation.
                store.reopen_payment(&payment.id).await?;
                return Err(anyhow::Error::from(e).context("dossier did not advance"));
            }
        }
    }
    Ok(Settled::Now(r.outcome))
}

/// `POST /thanh-toan/callback`: the gateway's server-to-server result. No CSRF token: the HMAC
/// signature authenticates it.
pub async fn callback(
    State(state): State<AppState>,
    form: Result<Form<BTreeMap<String, String>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(fields)) = form else {
        return (StatusCode::BAD_REQUEST, "malformed").into_response();
    };
    let gw = gateway(state.store(), &state.settings().payments);
    let result = match gw.verify(&fields) {
        Ok(r) => r,
        Err(e @ (GatewayError::BadSignature | GatewayError::Malformed(_))) => {
            tracing::warn!(error = %e, "payment callback refused");
            return (StatusCode::BAD_REQUEST, "invalid signature or fields").into_response();
        }
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    match settle(&state, &result).await {
        Ok(Settled::Already) => (StatusCode::OK, "already settled").into_response(),
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "payment callback failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "not settled").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "payment_result.html")]
struct ResultPage {
    l: Layout,
    code: String,
    /// `paid`, `failed` or `pending`.
    status: &'static str,
    amount: String,
    gateway_ref: String,
}

/// `GET /thanh-toan/{code}/ket-qua?…`: where the gateway sends the payer back. The signed return
/// only says which payment; what is shown is motcua's own record (settled by the callback).
pub async fn result(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(fields): Query<BTreeMap<String, String>>,
) -> Response {
    let lang = ctx.lang;
    let gw = gateway(state.store(), &state.settings().payments);
    let mut fields = fields;
    fields.remove("lang");
    let Ok(r) = gw.verify(&fields) else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let payment = match state.store().payment(&r.merchant_ref).await {
        Ok(Some(p)) if p.dossier_code == code => p,
        Ok(_) => return error_page(lang, StatusCode::NOT_FOUND, None),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let status = match payment.status.as_str() {
        PAID => "paid",
        FAILED => "failed",
        _ => "pending",
    };
    let page = ResultPage {
        l: Layout::new(&ctx, lang.t(&format!("payment.result.{status}")), "/ca-nhan"),
        code: payment.dossier_code,
        status,
        amount: dong(payment.amount_dong),
        gateway_ref: r.gateway_ref,
    };
    render(&ctx, StatusCode::OK, &page)
}

/// Asks the gateway about payments pending for longer than `older_than` and settles them.
/// Returns how many were settled.
pub async fn reconcile(state: &AppState, older_than: Duration) -> anyhow::Result<usize> {
    let cutoff = chrono::Utc::now().timestamp_millis() - older_than.as_millis() as i64;
    let pending = state.store().pending_payments(cutoff, 500).await?;
    let gw = gateway(state.store(), &state.settings().payments);
    let mut settled = 0;
    for p in pending {
        let Some(gateway_ref) = p.gateway_ref.clone() else {
            // The order never reached the gateway.
            if state.store().settle_payment(&p.id, FAILED).await? {
                settled += 1;
            }
            continue;
        };
        let outcome = match gw.query(&gateway_ref).await {
            Ok(o) => o,
            Err(e) => {
                tracing::warn!(payment = %p.id, error = %e, "reconciliation query failed");
                continue;
            }
        };
        let r = GatewayResult {
            merchant_ref: p.id.clone(),
            gateway_ref,
            amount_dong: p.amount_dong,
            outcome,
        };
        match settle(state, &r).await {
            Ok(Settled::Now(_)) => settled += 1,
            Ok(_) => {}
            Err(e) => tracing::warn!(payment = %p.id, error = %format!("{e:#}"), "reconciliation failed"),
        }
    }
    if settled > 0 {
        tracing::info!(settled, "payments reconciled");
    }
    Ok(settled)
}

/// Reconciles at start and then every `every`, for payments pending over two minutes.
pub fn spawn_reconciler(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = reconcile(&state, Duration::from_secs(120)).await {
                tracing::warn!(error = %format!("{e:#}"), "payment reconciliation failed");
            }
            tokio::time::sleep(every).await;
        }
    })
}

#[derive(Template)]
#[template(path = "payment_sandbox.html")]
struct SandboxPage {
    l: Layout,
    csrf: String,
    gateway_ref: String,
    merchant_ref: String,
    description: String,
    amount: String,
    decided: Option<&'static str>,
}

fn sandbox(state: &AppState) -> SandboxGateway {
    SandboxGateway::new(state.store().clone(), &state.settings().payments.secret)
}

/// `GET /sandbox-thanh-toan/{ref}`: the sandbox bank's page.
pub async fn sandbox_page(State(state): State<AppState>, ctx: Ctx, Path(gateway_ref): Path<String>) -> Response {
    let lang = ctx.lang;
    let t = match state.store().sandbox_txn(&gateway_ref).await {
        Ok(Some(t)) => t,
        Ok(None) => return error_page(lang, StatusCode::NOT_FOUND, None),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let page = SandboxPage {
        l: Layout::new(&ctx, lang.t("sandbox.title"), ""),
        csrf: ctx.csrf_token(),
        gateway_ref: t.gateway_ref,
        merchant_ref: t.merchant_ref,
        description: t.description,
        amount: dong(t.amount_dong),
        decided: match t.status.as_str() {
            PAID => Some("sandbox.decided.paid"),
            FAILED => Some("sandbox.decided.failed"),
            _ => None,
        },
    };
    render(&ctx, StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub decision: String,
}

/// `POST /sandbox-thanh-toan/{ref}`: the payer confirms or cancels.
pub async fn sandbox_decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(gateway_ref): Path<String>,
    form: Result<Form<DecideForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let Ok(Form(form)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&form.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let confirm = match form.decision.as_str() {
        "confirm" => true,
        "cancel" => false,
        _ => return error_page(lang, StatusCode::BAD_REQUEST, None),
    };
    match sandbox(&state).decide(&gateway_ref, confirm).await {
        Ok(back) => redirect(&back, ctx.cookies()),
        Err(GatewayError::Unknown) => error_page(lang, StatusCode::NOT_FOUND, None),
        Err(e) => error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    }
}

pub const VI: &[(&str, &str)] = &[
    ("payment.title", "Thanh toán phí, lệ phí trực tuyến"),
    ("payment.code", "Mã hồ sơ"),
    ("payment.procedure", "Thủ tục"),
    ("payment.amount", "Số tiền phải nộp"),
    ("payment.intro", "Hồ sơ đang chờ thực hiện nghĩa vụ tài chính. Bạn sẽ được chuyển sang cổng thanh toán để xác nhận; hồ sơ được xử lý tiếp ngay khi cổng thanh toán báo đã nhận tiền."),
    ("payment.pending", "Bạn đã mở một giao dịch chưa hoàn tất. Nếu đã trả tiền, hệ thống sẽ tự đối soát; chỉ tạo giao dịch mới khi chắc chắn chưa trả."),
    ("payment.pay", "Thanh toán"),
    ("payment.back", "Quay lại hồ sơ của tôi"),
    ("payment.result.paid", "Thanh toán thành công"),
    ("payment.result.failed", "Thanh toán không thành công"),
    ("payment.result.pending", "Đang chờ xác nhận thanh toán"),
    ("payment.result.paid_body", "Cổng thanh toán đã xác nhận. Hồ sơ của bạn được chuyển xử lý tiếp."),
    ("payment.result.failed_body", "Giao dịch đã bị hủy hoặc không thành công. Bạn chưa bị trừ tiền; có thể thanh toán lại."),
    ("payment.result.pending_body", "Chưa nhận được xác nhận từ cổng thanh toán. Hệ thống sẽ tự đối soát; hãy xem lại sau ít phút."),
    ("payment.gateway_ref", "Mã giao dịch"),
    ("payment.follow", "Theo dõi hồ sơ"),
    ("payment.retry", "Thanh toán lại"),
    ("sandbox.title", "Cổng thanh toán thử nghiệm"),
    ("sandbox.notice", "Đây là cổng thanh toán thử nghiệm của bản trình diễn: không có tiền thật được chuyển."),
    ("sandbox.merchant", "Đơn vị nhận tiền"),
    ("sandbox.merchant_name", "Cổng dịch vụ công tỉnh Gia Lai"),
    ("sandbox.order", "Mã đơn hàng"),
    ("sandbox.description", "Nội dung"),
    ("sandbox.confirm", "Xác nhận thanh toán"),
    ("sandbox.cancel", "Hủy giao dịch"),
    ("sandbox.decided.paid", "Giao dịch này đã được thanh toán."),
    ("sandbox.decided.failed", "Giao dịch này đã bị hủy."),
];

pub const EN: &[(&str, &str)] = &[
    ("payment.title", "Pay fees online"),
    ("payment.code", "Application code"),
    ("payment.procedure", "Service"),
    ("payment.amount", "Amount due"),
    ("payment.intro", "The application is waiting for its fees. You will be taken to the payment gateway to confirm; processing continues as soon as the gateway reports the payment."),
    ("payment.pending", "You already started a payment that is not complete. If you paid, it will be reconciled automatically; start a new payment only if you are sure you did not pay."),
    ("payment.pay", "Pay"),
    ("payment.back", "Back to my applications"),
    ("payment.result.paid", "Payment successful"),
    ("payment.result.failed", "Payment not completed"),
    ("payment.result.pending", "Waiting for the payment to be confirmed"),
    ("payment.result.paid_body", "The gateway confirmed the payment. Your application continues to be processed."),
    ("payment.result.failed_body", "The payment was cancelled or failed. You have not been charged; you can pay again."),
    ("payment.result.pending_body", "The gateway has not confirmed yet. It will be reconciled automatically; check again in a few minutes."),
    ("payment.gateway_ref", "Transaction reference"),
    ("payment.follow", "Track the application"),
    ("payment.retry", "Pay again"),
    ("sandbox.title", "Test payment gateway"),
    ("sandbox.notice", "This is the demo's test payment gateway: no real money is moved."),
    ("sandbox.merchant", "Merchant"),
    ("sandbox.merchant_name", "Gia Lai province public service portal"),
    ("sandbox.order", "Order reference"),
    ("sandbox.description", "Description"),
    ("sandbox.confirm", "Confirm payment"),
    ("sandbox.cancel", "Cancel"),
    ("sandbox.decided.paid", "This transaction has been paid."),
    ("sandbox.decided.failed", "This transaction has been cancelled."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_dong() {
        assert_eq!(dong(0), "0 ₫");
        assert_eq!(dong(50_000), "50.000 ₫");
        assert_eq!(dong(1_250_000), "1.250.000 ₫");
        assert_eq!(dong(-1000), "-1.000 ₫");
    }
}
