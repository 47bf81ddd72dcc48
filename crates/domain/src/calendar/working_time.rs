//! Office hours, reception time, due dates and working time left.
//!
//! All arithmetic is done in Vietnam local time (UTC+7) on a "working clock": the working
//! offset `W(t)` of an instant is the working time elapsed from the start of the supported
//! range to `t`, counting only office hours of working days. `W` is continuous and
//! non-decreasing, so a due date is simply the earliest instant whose offset reaches
//! `W(received_at) + duration`. A prefix count of working days over 1900–2100 makes `W` and
//! its inverse O(1) and O(log n).

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Offset, Timelike, Weekday};
use serde::{Deserialize, Serialize};

use super::holidays::{seeded_schedules, statutory_schedule, YearSchedule};
use super::lunar::{date_from_jdn, jdn, max_date, min_date, MAX_YEAR, MIN_YEAR};
use super::CalendarError;

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const NANOS_PER_MINUTE: i64 = 60 * NANOS_PER_SECOND;
const NANOS_PER_HOUR: i64 = 60 * NANOS_PER_MINUTE;

/// `t` in Vietnam local time, or an error when that is outside chrono's range.
fn to_local(t: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, CalendarError> {
    let utc = t.naive_utc();
    utc.checked_add_signed(chrono::Duration::hours(7))
        .map(|_| t.with_timezone(&vietnam()))
        .ok_or(CalendarError::YearOutOfRange {
            year: utc.year(),
            min: MIN_YEAR,
            max: MAX_YEAR,
        })
}

/// Vietnam's offset from UTC (+07:00).
pub fn vietnam() -> FixedOffset {
    // 25 200 s is within ±24 h, so `east_opt` always succeeds.
    FixedOffset::east_opt(25_200).unwrap_or_else(|| chrono::Utc.fix())
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

fn nanos_of_day(t: NaiveTime) -> i64 {
    // A leap second (nanosecond ≥ 1e9) is folded into the last nanosecond of its second.
    let nanos = i64::from(t.nanosecond()).min(NANOS_PER_SECOND - 1);
    i64::from(t.num_seconds_from_midnight()) * NANOS_PER_SECOND + nanos
}

/// Office hours of a working day and the reception cut-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours {
    /// Working periods, half-open `[start, end)`, sorted and disjoint.
    pub periods: Vec<(NaiveTime, NaiveTime)>,
    /// Dossiers received at or after this time count as received the next working day.
    pub cutoff: NaiveTime,
}

impl Default for OfficeHours {
    /// 07:00–11:30 and 13:30–17:00 (8 hours), cut-off 15:00.
    fn default() -> Self {
        OfficeHours {
            periods: vec![(hm(7, 0), hm(11, 30)), (hm(13, 30), hm(17, 0))],
            cutoff: hm(15, 0),
        }
    }
}

impl OfficeHours {
    /// Validated office hours: at least one period, each non-empty, sorted and
    /// non-overlapping (touching is allowed), and the cut-off after the first opening and no
    /// later than the last closing.
    pub fn new(periods: Vec<(NaiveTime, NaiveTime)>, cutoff: NaiveTime) -> Result<Self, CalendarError> {
        let hours = OfficeHours { periods, cutoff };
        hours.validate()?;
        Ok(hours)
    }

    /// Checks the invariants described at [`OfficeHours::new`].
    pub fn validate(&self) -> Result<(), CalendarError> {
        let bad = |reason: &str| CalendarError::InvalidOfficeHours {
            reason: reason.to_owned(),
        };
        let (first, last) = match (self.periods.first(), self.periods.last()) {
            (Some(f), Some(l)) => (f, l),
            _ => return Err(bad("at least one working period is required")),
        };
        for &(start, end) in &self.periods {
            if start >= end {
                return Err(bad(&format!("period {start}–{end} is empty or reversed")));
            }
        }
        for pair in self.periods.windows(2) {
            if pair[1].0 < pair[0].1 {
                return Err(bad(&format!(
                    "periods {}–{} and {}–{} overlap or are not sorted",
                    pair[0].0, pair[0].1, pair[1].0, pair[1].1
                )));
            }
        }
        if self.cutoff <= first.0 || self.cutoff > last.1 {
            return Err(bad(&format!(
                "cut-off {} must be after {} and no later than {}",
                self.cutoff, first.0, last.1
            )));
        }
        Ok(())
    }

    /// Length of a working day (the sum of the periods).
    pub fn day_length(&self) -> chrono::Duration {
        chrono::Duration::nanoseconds(
            self.periods
                .iter()
                .map(|&(s, e)| nanos_of_day(e) - nanos_of_day(s))
                .sum(),
        )
    }
}

/// A processing time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkDuration {
    /// Within the day of receipt: due at the end of its last period. Same as `Days(0)`.
    WithinDay,
    /// Working days, each as long as the working day (8 hours by default).
    Days(u32),
    /// Working hours.
    Hours(u32),
}

/// Working time between now and a due date, split into working days, hours and minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingTimeLeft {
    /// Whether the due date has passed.
    pub overdue: bool,
    /// Whole working days.
    pub days: u64,
    /// Whole hours beyond the days.
    pub hours: u64,
    /// Whole minutes beyond the hours.
    pub minutes: u64,
}

impl WorkingTimeLeft {
    /// Splits `minutes` of working time (negative = overdue) into days of `day_minutes`.
    pub fn from_minutes(minutes: i64, day_minutes: i64) -> Self {
        Self::from_nanos(
            minutes.saturating_mul(NANOS_PER_MINUTE),
            minutes < 0,
            day_minutes.saturating_mul(NANOS_PER_MINUTE),
        )
    }

    fn from_nanos(nanos: i64, overdue: bool, day_nanos: i64) -> Self {
        let abs = nanos.unsigned_abs();
        let day = day_nanos.max(1).unsigned_abs();
        let rest = abs % day;
        WorkingTimeLeft {
            overdue,
            days: abs / day,
            hours: rest / NANOS_PER_HOUR as u64,
            minutes: rest % NANOS_PER_HOUR as u64 / NANOS_PER_MINUTE as u64,
        }
    }

    /// "còn X ngày Y giờ" or "quá X ngày Y giờ".
    pub fn vi(&self) -> String {
        let word = if self.overdue { "quá" } else { "còn" };
        format!("{word} {} ngày {} giờ", self.days, self.hours)
    }

    /// "X days Y hours left" or "X days Y hours overdue".
    pub fn en(&self) -> String {
        let plural = |n: u64, one: &str, many: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {many}")
            }
        };
        format!(
            "{} {} {}",
            plural(self.days, "day", "days"),
            plural(self.hours, "hour", "hours"),
            if self.overdue { "overdue" } else { "left" }
        )
    }
}

impl fmt::Display for WorkingTimeLeft {
    /// The Vietnamese form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vi())
    }
}

/// The working-time calendar: year tables (statutory rules for other years) and office hours.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    tables: BTreeMap<i32, YearSchedule>,
    hours: OfficeHours,
    /// Periods in nanoseconds from midnight.
    periods: Vec<(i64, i64)>,
    cutoff: i64,
    day_len: i64,
    /// Julian Day Number of 1900-01-01 (day index 0).
    base: i64,
    /// `cum[i]` = number of working days among day indexes `0..i`; one entry per day + 1.
    cum: Vec<u32>,
}

impl Default for WorkCalendar {
    /// The seeded tables (2024–2026) with the default office hours.
    fn default() -> Self {
        Self::build(
            seeded_schedules().into_iter().map(|s| (s.year, s)).collect(),
            OfficeHours::default(),
        )
    }
}

impl WorkCalendar {
    /// A calendar from per-year tables (each the whole truth for its year; other years follow
    /// the statutory rules) and office hours. Fails on an invalid table, two tables for the same
    /// year, or invalid office hours.
    pub fn new(tables: Vec<YearSchedule>, hours: OfficeHours) -> Result<Self, CalendarError> {
        hours.validate()?;
        let mut by_year = BTreeMap::new();
        for t in tables {
            t.validate()?;
            let year = t.year;
            if by_year.insert(year, t.sorted()).is_some() {
                return Err(CalendarError::InvalidSchedule {
                    year,
                    reason: "more than one table for the year".to_owned(),
                });
            }
        }
        Ok(Self::build(by_year, hours))
    }

    /// Builds from already validated parts.
    fn build(tables: BTreeMap<i32, YearSchedule>, hours: OfficeHours) -> Self {
        let base = jdn(min_date());
        let days = (jdn(max_date()) - base + 1) as usize;
        let mut working = vec![false; days];
        for (i, w) in working.iter_mut().enumerate() {
            if let Some(d) = date_from_jdn(base + i as i64) {
                *w = !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
            }
        }
        let mut set = |d: NaiveDate, value: bool| {
            if let Some(w) = working.get_mut((jdn(d) - base) as usize) {
                *w = value;
            }
        };
        for year in MIN_YEAR..=MAX_YEAR {
            let derived;
            let schedule = match tables.get(&year) {
                Some(t) => t,
                None => match statutory_schedule(year) {
                    Ok(s) => {
                        derived = s;
                        &derived
                    }
                    // Cannot happen inside the supported range; weekends alone then.
                    Err(_) => continue,
                },
            };
            for d in &schedule.days_off {
                set(d.date, false);
            }
            for &d in &schedule.working_saturdays {
                set(d, true);
            }
        }
        let mut cum = Vec::with_capacity(days + 1);
        let mut count = 0u32;
        cum.push(0);
        for w in working {
            count += u32::from(w);
            cum.push(count);
        }
        let periods: Vec<(i64, i64)> = hours
            .periods
            .iter()
            .map(|&(s, e)| (nanos_of_day(s), nanos_of_day(e)))
            .collect();
        let day_len = periods.iter().map(|(s, e)| e - s).sum();
        WorkCalendar {
            tables,
            cutoff: nanos_of_day(hours.cutoff),
            hours,
            periods,
            day_len,
            base,
            cum,
        }
    }

    /// The office hours in use.
    pub fn hours(&self) -> &OfficeHours {
        &self.hours
    }

    /// The per-year tables in use (years without one follow [`statutory_schedule`]).
    pub fn tables(&self) -> impl Iterator<Item = &YearSchedule> {
        self.tables.values()
    }

    /// Length of a working day in minutes.
    pub fn day_minutes(&self) -> i64 {
        self.day_len / NANOS_PER_MINUTE
    }

    /// The schedule of `year`: its table if there is one, else the statutory derivation.
    pub fn schedule(&self, year: i32) -> Result<YearSchedule, CalendarError> {
        match self.tables.get(&year) {
            Some(t) => Ok(t.clone()),
            None => statutory_schedule(year),
        }
    }

    /// Whether `date` is a working day (Monday–Friday not off, plus working Saturdays).
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let i = self.index(date)?;
        Ok(self.working(i))
    }

    /// The instant from which a dossier submitted at `t` is counted: `t` itself inside office
    /// hours of a working day before the cut-off; the start of the next period before opening
    /// or in a break; the first period start of the next working day at or after the cut-off,
    /// after closing, or on a day off. Returned at +07:00.
    pub fn received_at(&self, t: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, CalendarError> {
        let local = to_local(t)?;
        let i = self.index(local.date_naive())?;
        let tod = nanos_of_day(local.time());
        if self.working(i) && tod < self.cutoff {
            for &(start, end) in &self.periods {
                if tod < start {
                    // A period that opens at or after the cut-off receives nothing.
                    if start < self.cutoff {
                        return self.instant(i, start);
                    }
                    break;
                }
                if tod < end {
                    return Ok(local);
                }
            }
        }
        let next = self.nth_working_day(i64::from(self.cum[i + 1]))?;
        self.instant(next, self.first_start())
    }

    /// The earliest instant at which `duration` of working time has elapsed after `from`,
    /// counting office hours of working days only. `from` is taken as is (apply
    /// [`WorkCalendar::received_at`] first for reception rules). An interval ending exactly at
    /// the end of a period ends there (11:30, 17:00), not at the next opening.
    /// `WithinDay` (= `Days(0)`) gives the end of the last period of `from`'s working day (the
    /// next working day if `from` is on a day off or after closing). `Hours(0)` gives `from`.
    pub fn due(
        &self,
        from: DateTime<FixedOffset>,
        duration: WorkDuration,
    ) -> Result<DateTime<FixedOffset>, CalendarError> {
        let nanos = match duration {
            WorkDuration::WithinDay | WorkDuration::Days(0) => return self.end_of_working_day(from),
            WorkDuration::Days(n) => i64::from(n).checked_mul(self.day_len),
            WorkDuration::Hours(n) => i64::from(n).checked_mul(NANOS_PER_HOUR),
        };
        self.add_working_nanos(from, nanos.ok_or_else(CalendarError::result_out_of_range)?)
    }

    /// `t` moved by `minutes` of working time: the earliest instant whose working offset is
    /// that of `t` plus `minutes` (may be negative). Zero returns `t` (at +07:00). Used to
    /// shift a due date by the working time a dossier was paused.
    pub fn add_working_minutes(
        &self,
        t: DateTime<FixedOffset>,
        minutes: i64,
    ) -> Result<DateTime<FixedOffset>, CalendarError> {
        let nanos = minutes
            .checked_mul(NANOS_PER_MINUTE)
            .ok_or_else(CalendarError::result_out_of_range)?;
        self.add_working_nanos(t, nanos)
    }

    /// Working minutes from `a` to `b` (negative when `b` is before `a`), truncated toward zero.
    pub fn working_minutes_between(
        &self,
        a: DateTime<FixedOffset>,
        b: DateTime<FixedOffset>,
    ) -> Result<i64, CalendarError> {
        Ok((self.offset(b)? - self.offset(a)?) / NANOS_PER_MINUTE)
    }

    /// Working time from `now` to `due`, overdue when `now` is after `due`.
    pub fn time_left(
        &self,
        now: DateTime<FixedOffset>,
        due: DateTime<FixedOffset>,
    ) -> Result<WorkingTimeLeft, CalendarError> {
        let nanos = self.offset(due)? - self.offset(now)?;
        Ok(WorkingTimeLeft::from_nanos(nanos, now > due, self.day_len))
    }

    // --- internals ---

    fn index(&self, d: NaiveDate) -> Result<usize, CalendarError> {
        let i = jdn(d) - self.base;
        if i < 0 || i as usize + 1 >= self.cum.len() {
            return Err(CalendarError::YearOutOfRange {
                year: d.year(),
                min: MIN_YEAR,
                max: MAX_YEAR,
            });
        }
        Ok(i as usize)
    }

    fn working(&self, i: usize) -> bool {
        self.cum[i + 1] > self.cum[i]
    }

    fn first_start(&self) -> i64 {
        self.periods.first().map_or(0, |p| p.0)
    }

    fn last_end(&self) -> i64 {
        self.periods.last().map_or(0, |p| p.1)
    }

    /// Day index of the working day number `n` (0-based count from 1900-01-01).
    fn nth_working_day(&self, n: i64) -> Result<usize, CalendarError> {
        let n = u32::try_from(n).map_err(|_| CalendarError::result_out_of_range())?;
        let i = self.cum[1..].partition_point(|&c| c <= n);
        if i + 1 >= self.cum.len() {
            return Err(CalendarError::result_out_of_range());
        }
        Ok(i)
    }

    fn instant(&self, i: usize, nanos: i64) -> Result<DateTime<FixedOffset>, CalendarError> {
        let date = date_from_jdn(self.base + i as i64).ok_or_else(CalendarError::result_out_of_range)?;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(
            (nanos / NANOS_PER_SECOND) as u32,
            (nanos % NANOS_PER_SECOND) as u32,
        )
        .ok_or_else(CalendarError::result_out_of_range)?;
        date.and_time(time)
            .and_local_timezone(vietnam())
            .single()
            .ok_or_else(CalendarError::result_out_of_range)
    }

    /// Working time within day `i` up to time-of-day `tod`.
    fn within_day(&self, i: usize, tod: i64) -> i64 {
        if !self.working(i) {
            return 0;
        }
        self.periods.iter().map(|&(s, e)| tod.clamp(s, e) - s).sum()
    }

    /// Working offset `W(t)` in nanoseconds.
    fn offset(&self, t: DateTime<FixedOffset>) -> Result<i64, CalendarError> {
        let local = to_local(t)?;
        let i = self.index(local.date_naive())?;
        Ok(i64::from(self.cum[i]) * self.day_len + self.within_day(i, nanos_of_day(local.time())))
    }

    /// Earliest instant whose working offset is `w` (> 0).
    fn at_offset(&self, w: i64) -> Result<DateTime<FixedOffset>, CalendarError> {
        if w <= 0 {
            return Err(CalendarError::result_out_of_range());
        }
        let (mut n, mut rest) = (w / self.day_len, w % self.day_len);
        if rest == 0 {
            // The end of the previous working day, not the next morning.
            n -= 1;
            rest = self.day_len;
        }
        let i = self.nth_working_day(n)?;
        for &(s, e) in &self.periods {
            if rest <= e - s {
                return self.instant(i, s + rest);
            }
            rest -= e - s;
        }
        self.instant(i, self.last_end())
    }

    fn add_working_nanos(&self, t: DateTime<FixedOffset>, nanos: i64) -> Result<DateTime<FixedOffset>, CalendarError> {
        let start = self.offset(t)?;
        if nanos == 0 {
            return to_local(t);
        }
        let target = start
            .checked_add(nanos)
            .ok_or_else(CalendarError::result_out_of_range)?;
        self.at_offset(target)
    }

    fn end_of_working_day(&self, t: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, CalendarError> {
        let local = to_local(t)?;
        let i = self.index(local.date_naive())?;
        let day = if self.working(i) && nanos_of_day(local.time()) <= self.last_end() {
            i
        } else {
            self.nth_working_day(i64::from(self.cum[i + 1]))?
        };
        self.instant(day, self.last_end())
    }
}
