//! `/dang-nhap`: sign-in with a local account (argon2), rate limited per username and address;
//! `/dang-xuat`: sign-out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::{error_page, redirect, render, session, Ctx, Layout};
use crate::auth::{hash_password, verify_password};
use crate::state::AppState;

/// Checked when the account does not exist, so a wrong username takes as long as a wrong password.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub next: String,
}

/// An error of one field, for the error summary and the field itself.
pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    l: Layout,
    csrf: String,
    username: String,
    next: String,
    errors: Vec<FieldError>,
    /// The VNeID sign-in link with `next`, when an OpenID Provider is configured.
    vneid_url: Option<String>,
}

impl SignInPage {
    fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message)
    }
}

/// Only our own paths are followed after sign-in (no open redirect).
pub fn safe_next(next: &str) -> Option<String> {
    let n = next.trim();
    (n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() <= 500).then(|| n.to_string())
}

fn page(state: &AppState, ctx: &Ctx, username: String, next: String, errors: Vec<FieldError>) -> SignInPage {
    let mut l = Layout::new(ctx, ctx.lang.t("signin.title"), "/dang-nhap");
    if !errors.is_empty() {
        l.title = format!("{}: {}", ctx.lang.t("error.prefix"), l.title);
    }
    let vneid_url = super::vneid::enabled(state).then(|| {
        let back = if next.is_empty() { "/ca-nhan" } else { next.as_str() };
        format!("/dang-nhap/vneid?next={}", urlencoding::encode(back))
    });
    SignInPage {
        l,
        csrf: ctx.csrf_token(),
        username,
        next,
        errors,
        vneid_url,
    }
}

/// `GET /dang-nhap[?next=]`.
pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<NextQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = query
        .ok()
        .and_then(|Query(q)| q.next)
        .and_then(|n| safe_next(&n))
        .unwrap_or_default();
    if ctx.session.is_some() {
        return redirect(if next.is_empty() { "/ca-nhan" } else { &next }, Vec::new());
    }
    render(
        &ctx,
        StatusCode::OK,
        &page(&state, &ctx, String::new(), next, Vec::new()),
    )
}

/// `POST /dang-nhap`.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    form: Result<Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let Ok(Form(form)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&form.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let username: String = form.username.trim().chars().take(100).collect();
    let next = safe_next(&form.next).unwrap_or_default();
    let mut errors = Vec::new();
    if username.is_empty() {
        errors.push(FieldError {
            field: "username",
            message: "signin.error.username",
        });
    }
    if form.password.is_empty() {
        errors.push(FieldError {
            field: "password",
            message: "signin.error.password",
        });
    }
    if !errors.is_empty() {
        return render(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, &ctx, username, next, errors),
        );
    }
    let limiter = &state.portal().login_limiter;
    let key = ctx.login_key(&username);
    if limiter.blocked(&key) {
        tracing::warn!("portal sign-in rate limited");
        let errors = vec![FieldError {
            field: "username",
            message: "signin.error.limited",
        }];
        return render(
            &ctx,
            StatusCode::TOO_MANY_REQUESTS,
            &page(&state, &ctx, username, next, errors),
        );
    }
    let found = match state.store().user_credentials(&username).await {
        Ok(f) => f,
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let password = form.password;
    let checked = tokio::task::spawn_blocking(move || match found {
        Some((user, hash)) => verify_password(&password, &hash).then_some(user),
        None => {
            let dummy = DUMMY_HASH.get_or_init(|| hash_password("no such account").unwrap_or_default());
            verify_password(&password, dummy);
            None
        }
    })
    .await;
    let user = match checked {
        Ok(u) => u,
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let Some(user) = user else {
        limiter.failed(&key);
        tracing::info!("portal sign-in refused");
        let errors = vec![FieldError {
            field: "username",
            message: "signin.error.wrong",
        }];
        return render(
            &ctx,
            StatusCode::UNAUTHORIZED,
            &page(&state, &ctx, username, next, errors),
        );
    };
    limiter.succeeded(&key);
    match session::sign_in(&state, &user, 0, ctx.secure).await {
        Ok(cookie) => {
            let to = if next.is_empty() { "/ca-nhan".to_string() } else { next };
            redirect(&to, vec![cookie])
        }
        Err(e) => error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /dang-xuat`.
pub async fn sign_out(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    form: Result<Form<CsrfForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return error_page(ctx.lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&form.csrf) {
        return error_page(ctx.lang, StatusCode::FORBIDDEN, None);
    }
    match session::sign_out(&state, &headers, ctx.secure).await {
        Ok(cookie) => redirect("/", vec![cookie]),
        Err(e) => error_page(ctx.lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/ca-nhan").as_deref(), Some("/ca-nhan"));
        assert_eq!(safe_next("//evil.example"), None);
        assert_eq!(safe_next("https://evil.example"), None);
        assert_eq!(safe_next("/\\evil"), None);
    }
}
