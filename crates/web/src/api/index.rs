//! The QĐ 766 service-quality index of a unit over a period.

use axum::extract::State;
use chrono::NaiveDate;
use motcua_domain::index::Period;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, Json, Query};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndexQuery {
    /// A competent unit's code (commune `23575`, a department's code), or the province code
    /// (`52`) for every unit of the province.
    pub unit: String,
    /// First day, YYYY-MM-DD.
    pub from: String,
    /// Last day, YYYY-MM-DD (inclusive).
    pub to: String,
}

/// The table: `{unit, period, config_version, total, max, groups: [{id, score, max, indicators:
/// [{id, numerator, denominator, ratio, score, max, threshold, na, source}]}]}`; indicators with a
/// zero denominator are N/A and left out of the total and its maximum.
#[derive(Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct IndexResponse(pub motcua_domain::index::IndexTable);

fn date(field: &str, text: &str) -> ApiResult<NaiveDate> {
    text.trim()
        .parse()
        .map_err(|_| ApiError::invalid(field, format!("{text:?} is not a date YYYY-MM-DD")))
}

/// QĐ 766 indicators, group scores and total for a unit and period (no personal data).
#[utoipa::path(get, path = "/api/v1/index", tag = "index", params(IndexQuery),
    responses((status = 200, body = IndexResponse), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn index(State(state): State<AppState>, Query(q): Query<IndexQuery>) -> ApiResult<Json<IndexResponse>> {
    let (from, to) = (date("from", &q.from)?, date("to", &q.to)?);
    let period = Period::new(from, to).map_err(|e| ApiError::invalid("to", e.to_string()))?;
    if (to - from).num_days() > 3 * 366 {
        return Err(ApiError::invalid("to", "a period spans at most three years"));
    }
    let engine = state.engine();
    let unit = q.unit.trim();
    let scope = if unit == engine.province_code() {
        None
    } else if engine.organisation(unit).is_some() {
        Some(unit)
    } else {
        return Err(ApiError::NotFound(format!("no unit {unit:?} in this province")));
    };
    Ok(Json(IndexResponse(engine.index_table(scope, period).await?)))
}
