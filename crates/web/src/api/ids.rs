//! Personal identification number checks (Luật Căn cước 2023). The number travels in the body,
//! never in the URL, and is not logged.

use chrono::NaiveDate;
use motcua_domain::ids::{self, Sex};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Json};

#[derive(Deserialize, ToSchema)]
pub struct PersonalIdCheckRequest {
    /// 12-digit personal identification number (or a 9-digit legacy CMND).
    pub number: String,
    /// Optional; when given it must agree with the century and year digits.
    pub birth_date: Option<String>,
    /// Optional `male` or `female`; when given it must agree with the century/sex digit.
    pub sex: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonalIdCheckResponse {
    pub valid: bool,
    /// `personal_id` or `cmnd`.
    pub kind: String,
    /// Province (pre-2025 code) where the birth was registered, e.g. `064`.
    pub birth_registration_province: Option<String>,
    pub province_name: Option<String>,
    pub birth_year: Option<i32>,
    /// `male` or `female`, as the century/sex digit says.
    pub sex: Option<String>,
    /// What is wrong, in English.
    pub problems: Vec<String>,
    /// What is wrong, in Vietnamese.
    pub problems_vi: Vec<String>,
}

/// Validates a personal identification number and its agreement with a birth date and sex.
#[utoipa::path(post, path = "/api/v1/personal-ids/check", tag = "identifiers",
    request_body = PersonalIdCheckRequest,
    responses((status = 200, body = PersonalIdCheckResponse), (status = 422, body = crate::error::ErrorBody)))]
pub async fn check(Json(req): Json<PersonalIdCheckRequest>) -> ApiResult<Json<PersonalIdCheckResponse>> {
    let birth_date = match req.birth_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            text.parse::<NaiveDate>()
                .map_err(|_| ApiError::invalid("birth_date", format!("{text:?} is not a date YYYY-MM-DD")))?,
        ),
    };
    let sex = match req.sex.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        None => None,
        Some(s) if s.is_empty() => None,
        Some(s) if s == "male" || s == "nam" => Some(Sex::Male),
        Some(s) if s == "female" || s == "nu" || s == "nữ" => Some(Sex::Female),
        Some(s) => return Err(ApiError::invalid("sex", format!("{s:?} is not male or female"))),
    };
    let today = chrono::Utc::now().date_naive();
    let check = ids::check_personal_id(&req.number, birth_date, sex, today)
        .map_err(|e| ApiError::invalid("number", e.to_string()))?;
    Ok(Json(PersonalIdCheckResponse {
        valid: check.valid,
        kind: crate::enum_name(&check.kind),
        birth_registration_province: check.birth_registration_province,
        province_name: check.province_name,
        birth_year: check.birth_year,
        sex: check.sex.as_ref().map(crate::enum_name),
        problems: check.problems,
        problems_vi: check.problems_vi,
    }))
}
