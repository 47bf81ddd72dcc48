//! Sign-in with the national e-ID (VNeID) through OpenID Connect: `/dang-nhap/vneid` sends the
//! visitor to the provider, `/dang-nhap/vneid/callback` verifies the answer and signs in.
//!
//! The state, nonce and PKCE verifier of a sign-in in progress travel in a short-lived HttpOnly
//! cookie (`mc_oidc`) of the visitor's own browser. The citizen account is the one with the
//! verified personal identification number (created on first sign-in); the e-ID level from
//! `acr` is recorded on the session and on the account. The number is logged only masked.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use motcua_domain::ids::PersonalId;
use motcua_store::{Role, User};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::signin::safe_next;
use super::{error_page, redirect, session, Ctx};
use crate::oidc::{self, OidcError, OidcSettings};
use crate::state::AppState;

pub const OIDC_COOKIE: &str = "mc_oidc";
/// How long a sign-in at the provider may take.
const FLOW_SECS: i64 = 600;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dang-nhap/vneid", get(start))
        .route("/dang-nhap/vneid/callback", get(callback))
}

/// True when VNeID sign-in is configured (the sign-in page then offers it).
pub fn enabled(state: &AppState) -> bool {
    state.settings().oidc.is_some()
}

fn settings(state: &AppState) -> Option<&OidcSettings> {
    state.settings().oidc.as_ref()
}

#[derive(Deserialize)]
pub struct StartQuery {
    pub next: Option<String>,
}

/// `GET /dang-nhap/vneid[?next=]`.
pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<StartQuery>, QueryRejection>,
) -> Response {
    let lang = ctx.lang;
    let Some(s) = settings(&state) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let next = query
        .ok()
        .and_then(|Query(q)| q.next)
        .and_then(|n| safe_next(&n))
        .unwrap_or_default();
    let meta = match oidc::discover(&s.issuer).await {
        Ok(m) => m,
        Err(e) => return error_page(lang, StatusCode::BAD_GATEWAY, Some(e.into())),
    };
    let (st, nonce, verifier) = (oidc::random_token(), oidc::random_token(), oidc::random_token());
    let flow = format!("{st}.{nonce}.{verifier}.{}", urlencoding::encode(&next));
    let cookie = session::set_cookie(OIDC_COOKIE, &flow, Some(FLOW_SECS), ctx.secure);
    let mut cookies = ctx.cookies();
    cookies.push(cookie);
    redirect(&oidc::authorization_url(&meta, s, &st, &nonce, &verifier), cookies)
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// The account name of an e-ID citizen: derived from the number, not revealing it.
fn username_for(personal_id: &str) -> String {
    let digest = hex::encode(Sha256::digest(format!("motcua-vneid:{personal_id}").as_bytes()));
    format!("vneid-{}", &digest[..16])
}

/// `GET /dang-nhap/vneid/callback?code=&state=`.
pub async fn callback(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Response {
    let lang = ctx.lang;
    let Some(s) = settings(&state) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let Ok(Query(q)) = query else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let clear = session::set_cookie(OIDC_COOKIE, "", Some(0), ctx.secure);
    let refused = |status: StatusCode, e: Option<anyhow::Error>| {
        let mut r = error_page(lang, status, e);
        r.headers_mut().append(axum::http::header::SET_COOKIE, clear.clone());
        r
    };
    if let Some(e) = q.error {
        tracing::info!(error = %e.chars().take(100).collect::<String>(), "VNeID sign-in not completed");
        return refused(StatusCode::FORBIDDEN, None);
    }
    let flow = session::cookie(&headers, OIDC_COOKIE).unwrap_or("");
    let mut parts = flow.splitn(4, '.');
    let (Some(st), Some(nonce), Some(verifier), Some(next)) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return refused(StatusCode::BAD_REQUEST, None);
    };
    let (Some(code), Some(returned_state)) = (q.code, q.state) else {
        return refused(StatusCode::BAD_REQUEST, None);
    };
    if st.is_empty() || !session::same_secret(st, &returned_state) {
        tracing::warn!("VNeID callback with a state that is not this browser's");
        return refused(StatusCode::FORBIDDEN, None);
    }
    let claims = match verified_claims(s, &code, verifier, nonce).await {
        Ok(c) => c,
        Err(e @ OidcError::Provider(_)) => return refused(StatusCode::BAD_GATEWAY, Some(e.into())),
        Err(e) => {
            tracing::warn!(error = %e, "VNeID ID token refused");
            return refused(StatusCode::FORBIDDEN, None);
        }
    };
    let Some(personal_id) = claims.personal_id.as_deref().and_then(|p| p.parse::<PersonalId>().ok()) else {
        tracing::warn!("VNeID ID token without a valid personal identification number");
        return refused(StatusCode::FORBIDDEN, None);
    };
    let level = oidc::eid_level(claims.acr.as_deref());
    let name = claims
        .name
        .as_deref()
        .map(super::clean)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| personal_id.masked());
    let user = match account(&state, &personal_id, &name, level).await {
        Ok(u) => u,
        Err(e) => return refused(StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    };
    tracing::info!(personal_id = %personal_id.masked(), username = %user.username, level, "VNeID sign-in");
    match session::sign_in(&state, &user, level, ctx.secure).await {
        Ok(cookie) => {
            let next = urlencoding::decode(next).map(|n| n.into_owned()).unwrap_or_default();
            let to = safe_next(&next).unwrap_or_else(|| "/ca-nhan".to_string());
            redirect(&to, vec![cookie, clear])
        }
        Err(e) => refused(StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    }
}

async fn verified_claims(
    s: &OidcSettings,
    code: &str,
    verifier: &str,
    nonce: &str,
) -> Result<oidc::IdClaims, OidcError> {
    let meta = oidc::discover(&s.issuer).await?;
    let token = oidc::exchange_code(&meta, s, code, verifier).await?;
    let jwks = oidc::fetch_jwks(&meta).await?;
    let expected = oidc::Expected {
        issuer: &meta.issuer,
        client_id: &s.client_id,
        nonce,
        now: chrono::Utc::now().timestamp(),
    };
    oidc::verify_id_token(&token, &jwks, &expected)
}

/// The citizen account of this number (linking an existing one), created if none; its e-ID level
/// and name updated.
async fn account(state: &AppState, personal_id: &PersonalId, name: &str, level: i64) -> anyhow::Result<User> {
    let store = state.store();
    let number = personal_id.expose();
    if let Some(mut user) = store.citizen_by_personal_id(number).await? {
        store.set_eid_level(&user.username, level, name).await?;
        user.eid_level = level;
        user.full_name = name.to_string();
        return Ok(user);
    }
    let user = User {
        username: username_for(number),
        full_name: name.to_string(),
        role: Role::Citizen,
        unit_code: None,
        eid_level: level,
        personal_id: Some(number.to_string()),
    };
    store.create_eid_citizen(&user).await?;
    Ok(user)
}

pub const VI: &[(&str, &str)] = &[
    ("vneid.button", "Đăng nhập bằng tài khoản định danh điện tử VNeID"),
    ("vneid.or", "hoặc"),
];

pub const EN: &[(&str, &str)] = &[
    ("vneid.button", "Sign in with your VNeID electronic identity account"),
    ("vneid.or", "or"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_do_not_reveal_the_number() {
        let u = username_for("064190012345");
        assert!(
            u.starts_with("vneid-") && u.len() == 22 && !u.contains("064190012345"),
            "{u}"
        );
        assert_eq!(u, username_for("064190012345"));
        assert_ne!(u, username_for("052085006789"));
    }
}
