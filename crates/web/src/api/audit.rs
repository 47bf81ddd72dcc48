//! The audit log viewer for the province administrator.

use axum::extract::State;
use chrono::{DateTime, FixedOffset};
use motcua_domain::roles::Role;
use motcua_store::audit::AuditQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Query};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub actor: Option<String>,
    /// e.g. `dossier.view`, `population.lookup`, `dossier.accept`.
    pub action: Option<String>,
    /// A dossier code.
    pub target: Option<String>,
    /// RFC 3339 lower bound (inclusive).
    pub from: Option<String>,
    /// RFC 3339 upper bound (exclusive).
    pub to: Option<String>,
    /// Keyset paging: entries older than this sequence number (from `next_before`).
    pub before: Option<i64>,
    /// 1–500, default 100.
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditItem {
    pub seq: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// Masked details.
    pub details: serde_json::Value,
    pub hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditItem>,
    /// Pass as `before` for the next (older) page; null at the end.
    pub next_before: Option<i64>,
}

fn instant(field: &str, v: Option<&str>) -> ApiResult<Option<i64>> {
    v.map(|t| {
        DateTime::parse_from_rfc3339(t.trim())
            .map(|d| d.timestamp_millis())
            .map_err(|_| ApiError::invalid(field, "an RFC 3339 time, e.g. 2026-01-31T08:00:00+07:00"))
    })
    .transpose()
}

/// Audit entries, newest first (province administrators only). Reading the log is itself logged.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams), security(("bearer" = [])),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
    Query(p): Query<AuditParams>,
) -> ApiResult<Json<AuditPage>> {
    if user.role != Role::ProvinceAdmin {
        return Err(ApiError::Forbidden(
            "the audit log is shown to province administrators".into(),
        ));
    }
    let per_page = p.per_page.unwrap_or(100).clamp(1, 500);
    let query = AuditQuery {
        actor: p.actor.filter(|s| !s.is_empty()),
        action: p.action.filter(|s| !s.is_empty()),
        target: p.target.filter(|s| !s.is_empty()),
        from_ms: instant("from", p.from.as_deref())?,
        to_ms: instant("to", p.to.as_deref())?,
        before_seq: p.before,
        limit: per_page,
    };
    let rows = state.store().audit_entries(&query).await?;
    let next_before = (rows.len() as i64 == per_page)
        .then(|| rows.last().map(|r| r.seq))
        .flatten();
    let tz = motcua_domain::calendar::vietnam();
    let items = rows
        .into_iter()
        .map(|r| AuditItem {
            seq: r.seq,
            at: DateTime::from_timestamp_millis(r.at_ms)
                .unwrap_or_default()
                .with_timezone(&tz),
            actor: r.actor,
            action: r.action,
            target: r.target,
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::String(r.details)),
            hash: r.hash,
        })
        .collect();
    state
        .engine()
        .audit_event(
            &user.username,
            "audit.read",
            "-",
            serde_json::json!({"per_page": per_page}),
        )
        .await;
    Ok(Json(AuditPage { items, next_before }))
}
