//! The population registry (Đề án 06): look-ups by personal identification number for counter
//! officers and specialists, each one logged with who, why and for which dossier.

use axum::extract::State;
use chrono::NaiveDate;
use motcua_domain::ids::Sex;
use motcua_engine::population::LookupRequest;
use motcua_store::population::CitizenRecord;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json};
use crate::state::AppState;

/// A citizen as the population database holds them (to prefill and verify an application).
#[derive(Serialize, ToSchema)]
pub struct Citizen {
    /// The number asked for.
    pub personal_id: String,
    pub full_name: String,
    #[schema(value_type = String, format = Date)]
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// Nơi thường trú.
    pub permanent_residence: String,
    /// Nơi ở hiện tại.
    pub current_residence: Option<String>,
    /// Quê quán.
    pub place_of_origin: Option<String>,
    pub ethnicity: Option<String>,
    pub nationality: String,
    /// `embedded` or `http`: which registry answered.
    pub source: String,
}

impl Citizen {
    fn from_record(c: CitizenRecord, source: &str) -> Citizen {
        Citizen {
            personal_id: c.personal_id,
            full_name: c.full_name,
            birth_date: c.birth_date,
            sex: c.sex,
            permanent_residence: c.permanent_residence,
            current_residence: c.current_residence,
            place_of_origin: c.place_of_origin,
            ethnicity: c.ethnicity,
            nationality: c.nationality,
            source: source.to_string(),
        }
    }
}

/// Looks a citizen up by personal identification number (counter officers and specialists; with
/// a dossier, only officers handling it). Every look-up is logged; 404 when the number is unknown,
/// 503 when the registry does not answer.
#[utoipa::path(post, path = "/api/v1/population/lookup", tag = "population", request_body = LookupRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Citizen), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody),
        (status = 503, body = crate::error::ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    Caller(user): Caller,
    Json(req): Json<LookupRequest>,
) -> ApiResult<Json<Citizen>> {
    let engine = state.engine();
    match engine.lookup_citizen(&user, &req).await? {
        Some(c) => Ok(Json(Citizen::from_record(c, engine.registry_source()))),
        None => Err(ApiError::NotFound(
            "no citizen with this number in the population registry".into(),
        )),
    }
}
