//! `/can-bo/quan-tri/lich`: the per-year calendar table — the weekdays off (holidays,
//! compensatory and swapped days) and the Saturdays worked instead. A year with a stored table
//! uses it as the whole truth; saving one reloads the engine's calendar, so every deadline
//! computed afterwards follows it.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::{Datelike, NaiveDate};
use motcua_domain::calendar::{DayOff, DayOffKind, OfficeHours, ScheduleSource, WorkCalendar, YearSchedule};
use serde::Deserialize;

use super::{audit_change, error_for, failed, require_province_admin, Admin, FieldError};
use crate::pages::{clean, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Years an administrator may edit.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

fn kind_name(kind: DayOffKind) -> &'static str {
    match kind {
        DayOffKind::Holiday => "holiday",
        DayOffKind::Compensatory => "compensatory",
        DayOffKind::Swapped => "swapped",
    }
}

fn kind_key(kind: DayOffKind) -> &'static str {
    match kind {
        DayOffKind::Holiday => "adm.cal.kind.holiday",
        DayOffKind::Compensatory => "adm.cal.kind.compensatory",
        DayOffKind::Swapped => "adm.cal.kind.swapped",
    }
}

fn weekday_key(d: NaiveDate) -> &'static str {
    use chrono::Weekday::*;
    match d.weekday() {
        Mon => "adm.cal.mon",
        Tue => "adm.cal.tue",
        Wed => "adm.cal.wed",
        Thu => "adm.cal.thu",
        Fri => "adm.cal.fri",
        Sat => "adm.cal.sat",
        Sun => "adm.cal.sun",
    }
}

pub struct DayRow {
    pub date: String,
    pub weekday: &'static str,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "quan_tri/calendar.html")]
struct CalendarPage {
    l: Layout,
    a: Admin,
    year: i32,
    years: Vec<i32>,
    from_table: bool,
    days: Vec<DayRow>,
    saturdays: Vec<String>,
    days_text: String,
    saturdays_text: String,
    errors: Vec<FieldError>,
    done: bool,
}

impl CalendarPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The editable text of a schedule: one day off per line, `date | name | English name | kind`.
fn days_text(s: &YearSchedule) -> String {
    s.days_off
        .iter()
        .map(|d| format!("{} | {} | {} | {}", d.date, d.name, d.name_en, kind_name(d.kind)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn saturdays_text(s: &YearSchedule) -> String {
    s.working_saturdays
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses the form's two lists into a table for `year`; a message per faulty line.
fn parse_schedule(year: i32, days: &str, saturdays: &str, lang: Lang) -> Result<YearSchedule, Vec<FieldError>> {
    let mut errors = Vec::new();
    let line_error = |field: &'static str, n: usize, key: &str| FieldError {
        field: field.into(),
        message: format!("{} {n}: {}", lang.t("adm.cal.line"), lang.t(key)),
    };
    let mut days_off = Vec::new();
    for (i, line) in days.lines().enumerate() {
        let line = clean(line);
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let [date, name, name_en, kind] = parts[..] else {
            errors.push(line_error("days_off", i + 1, "adm.err.cal_fields"));
            continue;
        };
        let Ok(date) = NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
            errors.push(line_error("days_off", i + 1, "adm.err.date"));
            continue;
        };
        let kind = match kind {
            "holiday" => DayOffKind::Holiday,
            "compensatory" => DayOffKind::Compensatory,
            "swapped" => DayOffKind::Swapped,
            _ => {
                errors.push(line_error("days_off", i + 1, "adm.err.cal_kind"));
                continue;
            }
        };
        if name.is_empty() || name.chars().count() > 100 || name_en.chars().count() > 100 {
            errors.push(line_error("days_off", i + 1, "adm.err.cal_name"));
            continue;
        }
        days_off.push(DayOff {
            date,
            name: name.to_string(),
            name_en: if name_en.is_empty() {
                name.to_string()
            } else {
                name_en.to_string()
            },
            kind,
        });
    }
    let mut working_saturdays = Vec::new();
    for (i, line) in saturdays.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match NaiveDate::parse_from_str(line, "%Y-%m-%d") {
            Ok(d) => working_saturdays.push(d),
            Err(_) => errors.push(line_error("saturdays", i + 1, "adm.err.date")),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    days_off.sort_by_key(|d| d.date);
    working_saturdays.sort();
    let schedule = YearSchedule {
        year,
        days_off,
        working_saturdays,
        source: ScheduleSource::Table,
    };
    // The same checks the store's tables pass when the engine loads them.
    let checked = schedule
        .validate()
        .and_then(|()| WorkCalendar::new(vec![schedule.clone()], OfficeHours::default()).map(|_| ()));
    match checked {
        Ok(()) => Ok(schedule),
        Err(e) => Err(vec![FieldError {
            field: "days_off".into(),
            message: format!("{} {e}", lang.t("adm.err.cal_invalid")),
        }]),
    }
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub nam: Option<i32>,
    pub xong: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn calendar_page(
    state: &AppState,
    ctx: &Ctx,
    admin: Admin,
    year: i32,
    texts: Option<(String, String)>,
    errors: Vec<FieldError>,
    done: bool,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let calendar = state.calendar();
    let schedule = match calendar.schedule(year) {
        Ok(s) => s,
        Err(e) => return failed(lang, anyhow::anyhow!("{e}")),
    };
    let from_table = calendar.tables().any(|t| t.year == year);
    let (days_text, saturdays_text) = texts.unwrap_or_else(|| (days_text(&schedule), saturdays_text(&schedule)));
    let this_year = state.engine().now().year();
    let mut years: Vec<i32> = calendar.tables().map(|t| t.year).collect();
    years.extend([this_year - 1, this_year, this_year + 1]);
    years.retain(|y| YEARS.contains(y));
    years.sort();
    years.dedup();
    let page = CalendarPage {
        l: Layout::new(ctx, format!("{} {year}", lang.t("adm.cal.title")), "/can-bo"),
        a: admin,
        year,
        years,
        from_table,
        days: schedule
            .days_off
            .iter()
            .map(|d| DayRow {
                date: d.date.format("%d/%m/%Y").to_string(),
                weekday: lang.t(weekday_key(d.date)),
                name: match lang {
                    Lang::En => d.name_en.clone(),
                    Lang::Vi => d.name.clone(),
                },
                kind: lang.t(kind_key(d.kind)),
            })
            .collect(),
        saturdays: schedule
            .working_saturdays
            .iter()
            .map(|d| d.format("%d/%m/%Y").to_string())
            .collect(),
        days_text,
        saturdays_text,
        errors,
        done,
    };
    render(ctx, status, &page)
}

/// `GET /can-bo/quan-tri/lich?nam=2026`: the year's table and the form to edit it.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<YearQuery>, QueryRejection>,
) -> Response {
    let admin = match require_province_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(Query(q)) = query else {
        return error_page(ctx.lang, StatusCode::BAD_REQUEST, None);
    };
    let year = q.nam.unwrap_or_else(|| state.engine().now().year());
    if !YEARS.contains(&year) {
        return error_page(ctx.lang, StatusCode::NOT_FOUND, None);
    }
    let done = q.xong.is_some();
    calendar_page(&state, &ctx, admin, year, None, Vec::new(), done, StatusCode::OK)
}

#[derive(Deserialize, Default)]
pub struct SaveForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub days_off: String,
    #[serde(default)]
    pub saturdays: String,
}

/// `POST /can-bo/quan-tri/lich`: replaces the year's table after checking every line.
pub async fn save(State(state): State<AppState>, ctx: Ctx, form: Result<Form<SaveForm>, FormRejection>) -> Response {
    let admin = match require_province_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Ok(Form(f)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&f.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let Some(year) = f.year.trim().parse::<i32>().ok().filter(|y| YEARS.contains(y)) else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if f.days_off.len() > 20_000 || f.saturdays.len() > 5_000 {
        return error_page(lang, StatusCode::PAYLOAD_TOO_LARGE, None);
    }
    let schedule = match parse_schedule(year, &f.days_off, &f.saturdays, lang) {
        Ok(s) => s,
        Err(errors) => {
            return calendar_page(
                &state,
                &ctx,
                admin,
                year,
                Some((f.days_off, f.saturdays)),
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    if let Err(e) = state.store().put_calendar_year(&schedule, &admin.user.username).await {
        return failed(lang, e);
    }
    if let Err(e) = state.engine().reload().await {
        return failed(lang, e);
    }
    audit_change(
        &state,
        &admin,
        "admin.calendar.set",
        &year.to_string(),
        serde_json::json!({
            "days_off": schedule.days_off.len(),
            "working_saturdays": schedule.working_saturdays.len(),
        }),
    )
    .await;
    redirect(&format!("/can-bo/quan-tri/lich?nam={year}&xong=1"), ctx.cookies())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_text_round_trips_and_bad_lines_are_named() {
        let s = parse_schedule(
            2026,
            "2026-01-01 | Tết Dương lịch | New Year's Day | holiday\n\n2026-04-27 | Nghỉ bù | Day off | compensatory",
            "",
            Lang::Vi,
        )
        .unwrap();
        assert_eq!(s.days_off.len(), 2);
        assert_eq!(parse_schedule(2026, &days_text(&s), "", Lang::Vi).unwrap(), s);
        let errors = parse_schedule(
            2026,
            "2026-01-01 | x | y | party\n2026-13-01 | a | b | holiday",
            "",
            Lang::En,
        )
        .unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[1].message.starts_with("Line 2"), "{}", errors[1].message);
        // A Sunday cannot be a day off; a weekday cannot be a working Saturday.
        assert!(parse_schedule(2026, "2026-01-04 | a | b | holiday", "", Lang::Vi).is_err());
        assert!(parse_schedule(2026, "", "2026-01-05", Lang::Vi).is_err());
    }
}
