//! Token issue for API clients.

use axum::extract::State;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{hash_password, new_token, verify_password, Caller};
use crate::error::{ApiError, ApiResult, Json};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: DateTime<FixedOffset>,
}

/// A hash of a random password, checked against when the account does not exist, so that
/// a wrong username takes as long as a wrong password.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Exchanges a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::ErrorBody)))]
pub async fn token(State(state): State<AppState>, Json(req): Json<TokenRequest>) -> ApiResult<Json<TokenResponse>> {
    let found = state.store().user_credentials(req.username.trim()).await?;
    let password = req.password;
    let (user, ok) = tokio::task::spawn_blocking(move || match found {
        Some((user, hash)) => {
            let ok = verify_password(&password, &hash);
            (Some(user), ok)
        }
        None => {
            let dummy = DUMMY_HASH.get_or_init(|| hash_password("no such account").unwrap_or_default());
            verify_password(&password, dummy);
            (None, false)
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    let Some(user) = user.filter(|_| ok) else {
        tracing::info!("sign-in refused");
        return Err(ApiError::Unauthorized);
    };
    let (token, digest) = new_token();
    let expires = Utc::now() + state.settings().token_ttl;
    state
        .store()
        .insert_token(&digest, &user.username, expires.timestamp_millis())
        .await?;
    tracing::info!(username = %user.username, "token issued");
    Ok(Json(TokenResponse {
        token,
        expires_at: expires.with_timezone(&crate::vietnam()),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct WhoAmI {
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub unit_code: Option<String>,
    pub eid_level: i64,
}

/// The account behind the bearer token.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = WhoAmI), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(Caller(user): Caller) -> Json<WhoAmI> {
    Json(WhoAmI {
        username: user.username,
        full_name: user.full_name,
        role: user.role.as_str().to_string(),
        unit_code: user.unit_code,
        eid_level: user.eid_level,
    })
}
