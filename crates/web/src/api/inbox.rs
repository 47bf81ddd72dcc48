//! The officers' inbox: queues of the caller's unit with counts, search, claim and assign.

use axum::extract::State;
use motcua_engine::inbox::{Assignment, InboxPage, InboxParams};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiResult, Json, Path, Query};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQueryParams {
    /// `cho_tiep_nhan`, `moi_tiep_nhan`, `dang_xu_ly`, `cho_bo_sung`, `cho_ky`, `cho_tra_ket_qua`,
    /// `qua_han`, `sap_den_han` (default: the first queue of the caller's role).
    pub queue: Option<String>,
    /// A dossier code, a 12-digit personal id (exact), or part of the applicant's name.
    pub q: Option<String>,
    /// From 1.
    pub page: Option<u32>,
    /// 1–100, default 20.
    pub per_page: Option<u32>,
    /// Only dossiers assigned to the caller.
    #[serde(default)]
    pub mine: bool,
}

/// A queue of the caller's unit (or a search), with every queue's count and the working time
/// left per dossier. Counter officers see their centre's dossiers and the province's online
/// dossiers awaiting reception; specialists and leaders their unit's.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "inbox", params(InboxQueryParams), security(("bearer" = [])),
    responses((status = 200, body = InboxPage), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    Caller(user): Caller,
    Query(q): Query<InboxQueryParams>,
) -> ApiResult<Json<InboxPage>> {
    let params = InboxParams {
        queue: q.queue,
        q: q.q,
        page: q.page,
        per_page: q.per_page,
        mine: q.mine,
        procedure: None,
    };
    Ok(Json(state.engine().inbox(&user, &params).await?))
}

/// The caller takes an open dossier of their unit (409 when a colleague holds it).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/claim", tag = "inbox",
    params(("code" = String, Path, description = "MaHoSo")), security(("bearer" = [])),
    responses((status = 200, body = Assignment), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Assignment>> {
    Ok(Json(state.engine().claim(&user, code.trim()).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// Username of an officer of the same unit.
    pub user: String,
}

/// A leader assigns an open dossier of the unit to one of its officers.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/assign", tag = "inbox", request_body = AssignRequest,
    params(("code" = String, Path, description = "MaHoSo")), security(("bearer" = [])),
    responses((status = 200, body = Assignment), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(code): Path<String>,
    Json(req): Json<AssignRequest>,
) -> ApiResult<Json<Assignment>> {
    Ok(Json(state.engine().assign(&user, code.trim(), &req.user).await?))
}
