//! The portal's own stylesheet, script and emblem, compiled into the binary and served under
//! names that carry a hash of their content, so browsers may cache them for a year.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");
const EMBLEM: &str = include_str!("../../static/emblem.svg");

pub const EMBLEM_URL: &str = "/static/emblem-1.svg";

fn hashed(name: &str, ext: &str, content: &str) -> String {
    let hash = hex::encode(Sha256::digest(content.as_bytes()));
    format!("/static/{name}.{}.{ext}", &hash[..12])
}

pub fn css_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| hashed("app", "css", CSS))
}

pub fn js_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| hashed("app", "js", JS))
}

/// `GET /static/{name}`: only the current names answer; an old hash is a 404.
pub async fn serve(Path(name): Path<String>) -> Response {
    let path = format!("/static/{name}");
    let (content, media) = if path == css_url() {
        (CSS, "text/css; charset=utf-8")
    } else if path == js_url() {
        (JS, "text/javascript; charset=utf-8")
    } else if path == EMBLEM_URL {
        (EMBLEM, "image/svg+xml")
    } else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        content,
    )
        .into_response()
}
