//! Administrative units and the organisations that handle dossiers.

use axum::extract::State;
use chrono::NaiveDate;
use motcua_domain::units::{AdminUnit, UnitLevel};
use motcua_store::Organisation;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, Json, Query};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Only the units directly under this code (e.g. `52` for the communes of Gia Lai).
    pub parent: Option<String>,
    /// `province`, `district` or `commune`.
    pub level: Option<String>,
    /// Only units in force on this date (default: today).
    pub on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitList {
    pub items: Vec<AdminUnit>,
    pub total: usize,
}

/// Administrative units in force on a date (the 2025 two-level structure by default).
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(UnitQuery),
    responses((status = 200, body = UnitList), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(State(state): State<AppState>, Query(q): Query<UnitQuery>) -> ApiResult<Json<UnitList>> {
    let on = match q.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => chrono::Utc::now().with_timezone(&crate::vietnam()).date_naive(),
        Some(text) => text
            .parse::<NaiveDate>()
            .map_err(|_| ApiError::invalid("on", format!("{text:?} is not a date YYYY-MM-DD")))?,
    };
    let level: Option<UnitLevel> = match q.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(
            serde_json::from_value(serde_json::Value::String(text.to_string()))
                .map_err(|_| ApiError::invalid("level", format!("{text:?} is not province, district or commune")))?,
        ),
    };
    let items: Vec<AdminUnit> = state
        .store()
        .units()
        .await?
        .into_iter()
        .filter(|u| motcua_domain::units::is_valid_on(u, on))
        .filter(|u| level.is_none_or(|l| u.level == l))
        .filter(|u| q.parent.as_deref().is_none_or(|p| u.parent_code.as_deref() == Some(p)))
        .collect();
    Ok(Json(UnitList {
        total: items.len(),
        items,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Organisation>,
}

/// The service centre, departments and people's committees of the deployment's province.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "units",
    responses((status = 200, body = OrganisationList)))]
pub async fn organisations(State(state): State<AppState>) -> ApiResult<Json<OrganisationList>> {
    Ok(Json(OrganisationList {
        items: state.store().organisations().await?,
    }))
}
