//! The server-rendered citizen portal: layout, language, static assets, HTML error pages and the
//! pages at the paths of `interfaces.md`.
//!
//! Other page sets (back office, dashboards) reuse [`session::Ctx`] (language, session, CSRF),
//! [`Layout`] (the shared header, navigation and footer), [`render`] and [`error_page`].

pub mod admin;
pub mod assets;
pub mod assistant;
pub mod backoffice;
pub mod catalogue;
pub mod dashboards;
pub mod feedback;
pub mod i18n;
pub mod lookup;
pub mod mine;
pub mod payment;
pub mod plans;
pub mod respond;
pub mod session;
pub mod signin;
pub mod submit;
pub mod vneid;

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;
pub use i18n::Lang;
pub use session::Ctx;

/// The portal's routes (mounted at the root).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::home))
        .route("/thu-tuc", get(catalogue::search))
        .route("/thu-tuc/{code}", get(catalogue::procedure))
        .route("/tra-cuu", get(lookup::lookup))
        .route("/tro-ly-ao", get(assistant::page).post(assistant::ask))
        .route("/dang-nhap", get(signin::form).post(signin::submit))
        .route("/dang-xuat", post(signin::sign_out))
        .route("/ca-nhan", get(mine::mine))
        .route(
            "/ca-nhan/ho-so/{code}/bo-sung",
            get(respond::supplement_form)
                .post(respond::supplement)
                .layer(axum::extract::DefaultBodyLimit::max(submit::MAX_FORM_BYTES)),
        )
        .route(
            "/ca-nhan/ho-so/{code}/rut",
            get(respond::withdraw_form).post(respond::withdraw),
        )
        .route(
            "/nop-ho-so/{code}",
            get(submit::form)
                .post(submit::save)
                .layer(axum::extract::DefaultBodyLimit::max(submit::MAX_FORM_BYTES)),
        )
        .route("/nop-ho-so/{code}/kiem-tra", get(submit::check).post(submit::send))
        .route("/nop-ho-so/{code}/da-nop", get(submit::done))
        .route("/static/{name}", get(assets::serve))
        .merge(backoffice::routes())
        .merge(payment::routes())
        .merge(feedback::routes())
        .merge(vneid::routes())
        .merge(dashboards::routes())
        .merge(plans::routes())
        .merge(admin::routes())
}

/// One item of the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    /// `aria-current`: "page" on the page itself, "true" elsewhere in its section.
    pub current: Option<&'static str>,
}

/// What the shared layout (`layout.html`) shows around every page.
pub struct Layout {
    pub lang: Lang,
    pub title: String,
    /// The signed-in person's name.
    pub user_name: Option<String>,
    pub csrf: String,
    /// This page in the other language.
    pub switch_url: String,
    /// Path of the current section, for `aria-current`.
    pub section: &'static str,
    /// Path of this page (without the query).
    pub path: String,
    /// Seconds before an idle session ends (the script warns a little before).
    pub idle_seconds: i64,
    /// Show the assistant widget (not on the assistant page itself).
    pub widget: bool,
}

impl Layout {
    /// The layout of a page, from the request's context.
    pub fn new(ctx: &Ctx, title: impl Into<String>, section: &'static str) -> Layout {
        Layout {
            lang: ctx.lang,
            title: title.into(),
            user_name: ctx.user().map(|u| u.full_name.clone()),
            csrf: ctx.csrf_token_if_signed_in(),
            switch_url: switch_url(&ctx.uri, ctx.lang.other()),
            section,
            path: ctx.uri.path().to_string(),
            idle_seconds: if ctx.session.is_some() {
                session::IDLE_TIMEOUT_MS / 1000
            } else {
                0
            },
            widget: section != "/tro-ly-ao",
        }
    }

    /// A message of the page's language.
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn css(&self) -> &'static str {
        assets::css_url()
    }

    pub fn js(&self) -> &'static str {
        assets::js_url()
    }

    pub fn emblem(&self) -> &'static str {
        assets::EMBLEM_URL
    }

    pub fn nav(&self) -> Vec<NavItem> {
        let signed_in = self.user_name.is_some();
        [
            ("/", "nav.home"),
            ("/thu-tuc", "nav.procedures"),
            ("/tra-cuu", "nav.lookup"),
            ("/tro-ly-ao", "nav.assistant"),
            if signed_in {
                ("/ca-nhan", "nav.mine")
            } else {
                ("/dang-nhap", "nav.signin")
            },
        ]
        .into_iter()
        .map(|(href, key)| NavItem {
            href,
            label: self.t(key),
            current: if href != self.section {
                None
            } else if href == self.path {
                Some("page")
            } else {
                Some("true")
            },
        })
        .collect()
    }
}

impl Ctx {
    /// The CSRF token when signed in (for the header's sign-out form), else empty: pages with
    /// their own POST form call [`Ctx::csrf_token`].
    fn csrf_token_if_signed_in(&self) -> String {
        self.session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default()
    }
}

/// The current URL with `lang` set to `to` (the language switch).
fn switch_url(uri: &axum::http::Uri, to: Lang) -> String {
    let mut pairs: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("lang="))
        .collect();
    let lang = format!("lang={}", to.code());
    pairs.push(&lang);
    format!("{}?{}", uri.path(), pairs.join("&"))
}

/// Renders a page with the context's cookies; a template failure becomes the 500 page.
pub fn render(ctx: &Ctx, status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut response = (status, axum::response::Html(html)).into_response();
            let headers = response.headers_mut();
            for c in ctx.cookies() {
                headers.append(header::SET_COOKIE, c);
            }
            // Pages with a session or a form token are personal: never cached.
            let cache = if ctx.session.is_some() || headers.contains_key(header::SET_COOKIE) {
                "no-store"
            } else {
                "no-cache"
            };
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            response
        }
        Err(e) => error_page(ctx.lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    }
}

/// A 303 redirect (after a POST), with extra cookies.
pub fn redirect(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut response = axum::response::Redirect::to(to).into_response();
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    l: Layout,
    heading: &'static str,
    body: &'static str,
}

/// A readable HTML error page (never a stack trace); internal errors are logged.
pub fn error_page(lang: Lang, status: StatusCode, error: Option<anyhow::Error>) -> Response {
    if let Some(e) = error {
        tracing::error!(error = %format!("{e:#}"), "page failed");
    }
    let (heading, body) = match status {
        StatusCode::NOT_FOUND => ("error.404.title", "error.404.body"),
        StatusCode::FORBIDDEN => ("error.403.title", "error.403.body"),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => ("error.400.title", "error.400.body"),
        StatusCode::PAYLOAD_TOO_LARGE => ("error.413.title", "error.413.body"),
        _ => ("error.500.title", "error.500.body"),
    };
    let page = ErrorTemplate {
        l: Layout {
            lang,
            title: lang.t(heading).to_string(),
            user_name: None,
            csrf: String::new(),
            switch_url: format!("/?lang={}", lang.other().code()),
            section: "",
            path: String::new(),
            idle_seconds: 0,
            widget: false,
        },
        heading: lang.t(heading),
        body: lang.t(body),
    };
    let html = page
        .render()
        .unwrap_or_else(|_| "<!DOCTYPE html><html lang=\"vi\"><title>Lỗi</title><p>Lỗi hệ thống.</p></html>".into());
    let mut response = (status, axum::response::Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The HTML 404 for every path outside `/api/v1` that no route takes.
pub async fn not_found(ctx: Ctx) -> Response {
    error_page(ctx.lang, StatusCode::NOT_FOUND, None)
}

/// Formats an instant as Vietnamese readers expect (`13/10/2025 09:15`).
pub fn datetime(t: &chrono::DateTime<chrono::FixedOffset>) -> String {
    t.with_timezone(&crate::vietnam()).format("%d/%m/%Y %H:%M").to_string()
}

/// Formats milliseconds since the epoch in Vietnam's time.
pub fn datetime_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| datetime(&t.fixed_offset()))
        .unwrap_or_default()
}

/// A form value as NFC text, trimmed.
pub fn clean(text: &str) -> String {
    motcua_domain::text::nfc(text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_switch_keeps_the_query() {
        let uri: axum::http::Uri = "/thu-tuc?q=khai+sinh&lang=vi&page=2".parse().unwrap();
        assert_eq!(switch_url(&uri, Lang::En), "/thu-tuc?q=khai+sinh&page=2&lang=en");
        let uri: axum::http::Uri = "/".parse().unwrap();
        assert_eq!(switch_url(&uri, Lang::En), "/?lang=en");
    }
}
