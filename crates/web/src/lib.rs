//! HTTP for motcua (axum): the `/api/v1` routes with their OpenAPI description, the operations
//! endpoints and the server-rendered citizen portal (`pages`).

pub mod api;
pub mod auth;
pub mod error;
pub mod metrics;
pub mod oidc;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod payment_gateway;
pub mod state;

use std::future::Future;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use state::{AppState, WebSettings};

/// Largest request body the API accepts (document uploads have their own limit).
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Vietnam's offset (UTC+7, no daylight saving since 1975).
pub use motcua_domain::calendar::vietnam;

pub use motcua_store::enum_name;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .nest("/api/v1", api::router())
        .merge(pages::router())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                // The path only: query strings may carry search text; no personal data is put in URLs.
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

/// Headers of every response: a strict Content-Security-Policy (our own scripts and styles only,
/// nothing inline), no MIME sniffing, no framing, a restrained referrer. A 500 outside the API
/// (e.g. a panic) is answered with the HTML error page instead of JSON.
async fn security_headers(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let api = request.uri().path().starts_with("/api/");
    let lang = pages::session::cookie(request.headers(), pages::session::LANG_COOKIE)
        .and_then(pages::Lang::parse)
        .unwrap_or(pages::Lang::Vi);
    let mut response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !api && is_json && response.status() == axum::http::StatusCode::INTERNAL_SERVER_ERROR {
        response = pages::error_page(lang, response.status(), None);
    }
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    response
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    error::ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets in-flight requests finish
/// (at most 30 s).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(state);
    let (drained_tx, drained_rx) = tokio::sync::oneshot::channel::<()>();
    // The client's address is known to handlers (sign-in rate limiting).
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = drained_tx.send(());
    });
    let guard = async {
        let _ = drained_rx.await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    };
    tokio::select! {
        result = server => result?,
        _ = guard => tracing::warn!("shutdown: requests still running after 30 s were dropped"),
    }
    Ok(())
}
