//! The Vietnamese working-time calendar.
//!
//! * [`lunar`] — the Vietnamese lunar calendar (UTC+7): [`solar_to_lunar`], [`lunar_to_solar`],
//!   [`lunar_new_year`].
//! * [`holidays`] — days off per year: the seeded government tables ([`seeded_schedules`]) and
//!   the statutory derivation for other years ([`statutory_schedule`]).
//! * [`working_time`] — office hours, reception time, due dates and working time left
//!   ([`WorkCalendar`]).
//!
//! Supported range: Gregorian years 1900–2100. Every public function returns an error outside
//! it instead of panicking.

pub mod holidays;
pub mod lunar;
pub mod working_time;

#[cfg(test)]
mod oracle_tests;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;

pub use holidays::{seeded_schedules, statutory_schedule, DayOff, DayOffKind, ScheduleSource, YearSchedule};
pub use lunar::{leap_month, lunar_new_year, lunar_to_solar, solar_to_lunar, LunarDate, MAX_YEAR, MIN_YEAR};
pub use working_time::{vietnam, OfficeHours, WorkCalendar, WorkDuration, WorkingTimeLeft};

/// Errors of the calendar module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A year outside the supported range.
    #[error("year {year} is outside the supported range {min}–{max}")]
    YearOutOfRange {
        /// The offending year.
        year: i32,
        /// First supported year.
        min: i32,
        /// Last supported year.
        max: i32,
    },
    /// A lunar date that does not exist.
    #[error("lunar date {day}/{month}{} of year {year} does not exist", if *leap_month { " (leap)" } else { "" })]
    InvalidLunarDate {
        /// Day of the month.
        day: u32,
        /// Month.
        month: u32,
        /// Lunar year.
        year: i32,
        /// Whether the leap month was asked for.
        leap_month: bool,
    },
    /// A lunar date whose Gregorian date lies outside the supported range.
    #[error("lunar date {day}/{month}{} of year {year} falls outside the supported range 1900-01-01..=2100-12-31", if *leap_month { " (leap)" } else { "" })]
    LunarDateOutOfRange {
        /// Day of the month.
        day: u32,
        /// Month.
        month: u32,
        /// Lunar year.
        year: i32,
        /// Whether the leap month was asked for.
        leap_month: bool,
    },
    /// A computed instant that would fall outside the supported range.
    #[error("the result falls outside the supported range {min}..={max}")]
    ResultOutOfRange {
        /// First supported date.
        min: NaiveDate,
        /// Last supported date.
        max: NaiveDate,
    },
    /// Office hours that cannot be used.
    #[error("invalid office hours: {reason}")]
    InvalidOfficeHours {
        /// What is wrong.
        reason: String,
    },
    /// A year table that cannot be used.
    #[error("invalid schedule for {year}: {reason}")]
    InvalidSchedule {
        /// The table's year.
        year: i32,
        /// What is wrong.
        reason: String,
    },
}

impl CalendarError {
    pub(crate) fn result_out_of_range() -> Self {
        CalendarError::ResultOutOfRange {
            min: lunar::min_date(),
            max: lunar::max_date(),
        }
    }
}
