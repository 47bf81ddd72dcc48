//! The working-time calendar and the lunar calendar.

use axum::extract::State;
use chrono::{DateTime, FixedOffset, NaiveDate};
use motcua_domain::calendar::{self, CalendarError, DayOffKind, WorkDuration};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::state::AppState;

/// Longest duration the due-date route accepts (ten years of working days).
const MAX_WORKING_DAYS: u32 = 2_600;

#[derive(Serialize, ToSchema)]
pub struct CalendarYear {
    pub year: i32,
    /// Every non-working Monday–Friday of the year.
    pub days_off: Vec<DayOffEntry>,
    /// Saturdays worked to make up for a swapped day.
    #[schema(value_type = Vec<String>, format = Date)]
    pub working_saturdays: Vec<NaiveDate>,
    /// Tết (lunar 1/1) of this solar year, Vietnamese calendar (UTC+7).
    #[schema(value_type = String, format = Date)]
    pub lunar_new_year: NaiveDate,
    /// `table` when the year has an official schedule, `statutory` when derived from the Labour Code.
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct DayOffEntry {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Vietnamese name.
    pub name: String,
    pub name_en: String,
    /// `holiday`, `compensatory` or `swapped`.
    #[schema(value_type = String)]
    pub kind: DayOffKind,
}

fn calendar_error(field: &str, e: CalendarError) -> ApiError {
    ApiError::invalid(field, e.to_string())
}

fn parse_year(text: &str) -> ApiResult<i32> {
    text.parse::<i32>()
        .map_err(|_| ApiError::invalid("year", format!("{text:?} is not a year (expected e.g. 2026)")))
}

/// Days off, make-up Saturdays and Tết of a year.
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = String, Path, description = "Solar year, 1900–2100")),
    responses((status = 200, body = CalendarYear), (status = 422, body = crate::error::ErrorBody)))]
pub async fn year(State(state): State<AppState>, Path(year): Path<String>) -> ApiResult<Json<CalendarYear>> {
    let year = parse_year(&year)?;
    let schedule = state.calendar().schedule(year).map_err(|e| calendar_error("year", e))?;
    let lunar_new_year = calendar::lunar_new_year(year).map_err(|e| calendar_error("year", e))?;
    let source = crate::enum_name(&schedule.source);
    Ok(Json(CalendarYear {
        year,
        days_off: schedule
            .days_off
            .into_iter()
            .map(|d| DayOffEntry {
                date: d.date,
                name: d.name,
                name_en: d.name_en,
                kind: d.kind,
            })
            .collect(),
        working_saturdays: schedule.working_saturdays,
        lunar_new_year,
        source,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// The instant the dossier arrives, RFC 3339 with offset (e.g. `2024-06-03T09:00:00+07:00`).
    pub from: String,
    /// Legal time in working days (0 = within the day). Give this or `working_hours`.
    pub working_days: Option<String>,
    /// Legal time in working hours.
    pub working_hours: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DueResponse {
    /// When the dossier counts as received (office hours, 15:00 cut-off, days off).
    #[schema(value_type = String, format = DateTime)]
    pub received_at: DateTime<FixedOffset>,
    /// The appointment: the earliest instant at which the working time has elapsed.
    #[schema(value_type = String, format = DateTime)]
    pub due: DateTime<FixedOffset>,
}

fn parse_count(field: &str, text: &str) -> ApiResult<u32> {
    let n: u32 = text
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid(field, format!("{text:?} is not a whole number ≥ 0")))?;
    Ok(n)
}

/// Reception instant and due instant for a legal time in working days or hours.
#[utoipa::path(get, path = "/api/v1/calendar/due", tag = "calendar", params(DueQuery),
    responses((status = 200, body = DueResponse), (status = 422, body = crate::error::ErrorBody)))]
pub async fn due(State(state): State<AppState>, Query(q): Query<DueQuery>) -> ApiResult<Json<DueResponse>> {
    let from = DateTime::parse_from_rfc3339(q.from.trim())
        .map_err(|_| ApiError::invalid("from", format!("{:?} is not an RFC 3339 time with offset", q.from)))?;
    let duration = match (q.working_days.as_deref(), q.working_hours.as_deref()) {
        (Some(d), None) => {
            let days = parse_count("working_days", d)?;
            if days > MAX_WORKING_DAYS {
                return Err(ApiError::invalid("working_days", format!("at most {MAX_WORKING_DAYS}")));
            }
            if days == 0 {
                WorkDuration::WithinDay
            } else {
                WorkDuration::Days(days)
            }
        }
        (None, Some(h)) => {
            let hours = parse_count("working_hours", h)?;
            if hours > MAX_WORKING_DAYS * 8 {
                return Err(ApiError::invalid(
                    "working_hours",
                    format!("at most {}", MAX_WORKING_DAYS * 8),
                ));
            }
            WorkDuration::Hours(hours)
        }
        _ => {
            return Err(ApiError::invalid(
                "working_days",
                "give exactly one of working_days and working_hours",
            ))
        }
    };
    let calendar = state.calendar();
    let received_at = calendar.received_at(from).map_err(|e| calendar_error("from", e))?;
    let due = calendar
        .due(received_at, duration)
        .map_err(|e| calendar_error("from", e))?;
    Ok(Json(DueResponse { received_at, due }))
}

#[derive(Serialize, ToSchema)]
pub struct LunarResponse {
    pub day: u32,
    pub month: u32,
    pub year: i32,
    pub leap_month: bool,
}

/// The Vietnamese lunar date (UTC+7) of a solar date.
#[utoipa::path(get, path = "/api/v1/lunar/{date}", tag = "calendar",
    params(("date" = String, Path, description = "Solar date YYYY-MM-DD, 1900–2100")),
    responses((status = 200, body = LunarResponse), (status = 422, body = crate::error::ErrorBody)))]
pub async fn lunar(Path(date): Path<String>) -> ApiResult<Json<LunarResponse>> {
    let solar: NaiveDate = date
        .parse()
        .map_err(|_| ApiError::invalid("date", format!("{date:?} is not a date YYYY-MM-DD")))?;
    let l = calendar::solar_to_lunar(solar).map_err(|e| calendar_error("date", e))?;
    Ok(Json(LunarResponse {
        day: l.day,
        month: l.month,
        year: l.year,
        leap_month: l.leap_month,
    }))
}
