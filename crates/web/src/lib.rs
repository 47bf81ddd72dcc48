//! HTTP for motcua (axum): the `/api/v1` routes with their OpenAPI description and the operations
//! endpoints. Pages for citizens, officers and leaders join this crate as they are built.

pub mod api;
pub mod auth;
pub mod error;
pub mod metrics;
pub mod openapi;
pub mod ops;
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
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
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
