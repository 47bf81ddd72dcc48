//! Days off per year: the government's per-year tables and the statutory derivation.
//!
//! A [`YearSchedule`] lists every non-working Monday–Friday of a year and the Saturdays that are
//! worked instead. For a year with a table (seeded here, or edited by an administrator and
//! persisted by the store) the table is the whole truth; for other years
//! [`statutory_schedule`] derives the days off from the Labour Code 2019, Art. 112.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::lunar::{lunar_new_year, lunar_to_solar, LunarDate, MAX_YEAR, MIN_YEAR};
use super::CalendarError;

/// Why a weekday is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayOffKind {
    /// A statutory public holiday.
    Holiday,
    /// A weekday off because a holiday fell on a Saturday or Sunday.
    Compensatory,
    /// A weekday off swapped against a make-up working Saturday.
    Swapped,
}

/// One non-working weekday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOff {
    /// The date (a Monday–Friday).
    pub date: NaiveDate,
    /// Vietnamese name (NFC).
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Why the day is off.
    pub kind: DayOffKind,
}

/// Where a [`YearSchedule`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleSource {
    /// A per-year table fixed by the Government (seeded or edited by an administrator).
    Table,
    /// Derived from the statutory rules.
    Statutory,
}

/// The days off and make-up working Saturdays of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSchedule {
    /// Gregorian year.
    pub year: i32,
    /// Every non-working Monday–Friday of the year, sorted by date.
    pub days_off: Vec<DayOff>,
    /// Saturdays worked in exchange for swapped days off, sorted.
    pub working_saturdays: Vec<NaiveDate>,
    /// Table or statutory derivation.
    pub source: ScheduleSource,
}

impl YearSchedule {
    /// Checks that every date lies in `year`, days off are distinct Mondays–Fridays, working
    /// Saturdays are distinct Saturdays, and the year is supported.
    pub fn validate(&self) -> Result<(), CalendarError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&self.year) {
            return Err(CalendarError::YearOutOfRange {
                year: self.year,
                min: MIN_YEAR,
                max: MAX_YEAR,
            });
        }
        let bad = |reason: String| CalendarError::InvalidSchedule {
            year: self.year,
            reason,
        };
        let mut seen = BTreeSet::new();
        for d in &self.days_off {
            if d.date.year() != self.year {
                return Err(bad(format!("day off {} is not in {}", d.date, self.year)));
            }
            if is_weekend(d.date) {
                return Err(bad(format!(
                    "day off {} is a {}; list only Monday–Friday",
                    d.date,
                    d.date.weekday()
                )));
            }
            if !seen.insert(d.date) {
                return Err(bad(format!("day off {} is listed twice", d.date)));
            }
        }
        let mut seen = BTreeSet::new();
        for &d in &self.working_saturdays {
            if d.year() != self.year {
                return Err(bad(format!("working Saturday {d} is not in {}", self.year)));
            }
            if d.weekday() != Weekday::Sat {
                return Err(bad(format!("working Saturday {d} is a {}", d.weekday())));
            }
            if !seen.insert(d) {
                return Err(bad(format!("working Saturday {d} is listed twice")));
            }
        }
        Ok(())
    }

    /// The same schedule with days off and working Saturdays sorted by date.
    pub fn sorted(mut self) -> Self {
        self.days_off.sort_by_key(|d| d.date);
        self.working_saturdays.sort();
        self
    }

    /// Whether `date` is a working day under this schedule (Monday–Friday not off, plus
    /// working Saturdays). Dates of other years are judged by the weekday alone.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match date.weekday() {
            Weekday::Sat => self.working_saturdays.contains(&date),
            Weekday::Sun => false,
            _ => !self.days_off.iter().any(|d| d.date == date),
        }
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn ymd(year: i32, month: u32, day: u32) -> Result<NaiveDate, CalendarError> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or(CalendarError::YearOutOfRange {
        year,
        min: MIN_YEAR,
        max: MAX_YEAR,
    })
}

// Names of the statutory holidays, (Vietnamese, English).
const NEW_YEAR: (&str, &str) = ("Tết Dương lịch", "New Year's Day");
const TET: (&str, &str) = ("Tết Nguyên đán", "Lunar New Year (Tết)");
const HUNG_KINGS: (&str, &str) = ("Giỗ Tổ Hùng Vương", "Hung Kings' Commemoration Day");
const VICTORY: (&str, &str) = ("Ngày Chiến thắng", "Reunification Day");
const LABOUR: (&str, &str) = ("Quốc tế Lao động", "International Labour Day");
const NATIONAL: (&str, &str) = ("Quốc khánh", "National Day");

fn holiday(date: NaiveDate, (name, name_en): (&str, &str)) -> DayOff {
    DayOff {
        date,
        name: name.to_owned(),
        name_en: name_en.to_owned(),
        kind: DayOffKind::Holiday,
    }
}

fn compensatory(date: NaiveDate, (name, name_en): (&str, &str)) -> DayOff {
    DayOff {
        date,
        name: format!("Nghỉ bù {name}"),
        name_en: format!("{name_en} (compensatory day off)"),
        kind: DayOffKind::Compensatory,
    }
}

fn swapped(date: NaiveDate, saturday: NaiveDate) -> DayOff {
    DayOff {
        date,
        name: format!("Nghỉ hoán đổi (làm bù thứ Bảy {})", saturday.format("%d/%m/%Y")),
        name_en: format!("Swapped day off (made up on Saturday {saturday})"),
        kind: DayOffKind::Swapped,
    }
}

/// The day added to National Day (2/9): the day after when 2/9 is a Sunday, Monday or
/// Thursday, otherwise the day before. This joins the holiday to a weekend where possible and
/// reproduces every Government decision under the 2019 Labour Code (2021: Thu → 3/9,
/// 2022: Fri → 1/9, 2023: Sat → 1/9, 2024: Mon → 3/9, 2025: Tue → 1/9, 2026: Wed → 1/9).
fn national_day_companion(sep2: NaiveDate) -> NaiveDate {
    match sep2.weekday() {
        Weekday::Sun | Weekday::Mon | Weekday::Thu => sep2 + Duration::days(1),
        _ => sep2 - Duration::days(1),
    }
}

/// The statutory schedule of `year` (Labour Code 2019, Art. 112, applied to any year):
/// 1/1; Tết = the last day of the lunar year plus lunar 1–4/1; Giỗ Tổ Hùng Vương (10/3 lunar);
/// 30/4; 1/5; 2/9 plus one adjacent day (the day after when 2/9 is a Sunday, Monday or
/// Thursday, otherwise the day before). Each holiday on a Saturday or Sunday gives a
/// compensatory day off on the next Monday–Friday not already off. No working Saturdays.
pub fn statutory_schedule(year: i32) -> Result<YearSchedule, CalendarError> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(CalendarError::YearOutOfRange {
            year,
            min: MIN_YEAR,
            max: MAX_YEAR,
        });
    }
    let tet = lunar_new_year(year)?;
    let gio_to = lunar_to_solar(&LunarDate {
        day: 10,
        month: 3,
        year,
        leap_month: false,
    })?;
    let sep2 = ymd(year, 9, 2)?;
    let mut holidays = vec![
        (ymd(year, 1, 1)?, NEW_YEAR),
        (gio_to, HUNG_KINGS),
        (ymd(year, 4, 30)?, VICTORY),
        (ymd(year, 5, 1)?, LABOUR),
        (sep2, NATIONAL),
        (national_day_companion(sep2), NATIONAL),
    ];
    holidays.extend((-1..=3).map(|i| (tet + Duration::days(i), TET)));
    holidays.sort_by_key(|&(d, _)| d);
    // Two holidays on the same date give one day off.
    holidays.dedup_by_key(|&mut (d, _)| d);

    let off: BTreeSet<NaiveDate> = holidays.iter().map(|&(d, _)| d).collect();
    let mut taken = BTreeSet::new();
    let mut days_off = Vec::new();
    for &(date, names) in &holidays {
        if !is_weekend(date) {
            days_off.push(holiday(date, names));
            continue;
        }
        let mut d = date + Duration::days(1);
        while is_weekend(d) || off.contains(&d) || taken.contains(&d) {
            d += Duration::days(1);
        }
        taken.insert(d);
        days_off.push(compensatory(d, names));
    }
    Ok(YearSchedule {
        year,
        days_off,
        working_saturdays: Vec::new(),
        source: ScheduleSource::Statutory,
    }
    .sorted())
}

/// The Government's tables for 2024, 2025 and 2026 (vietnam-rules.md §2).
pub fn seeded_schedules() -> Vec<YearSchedule> {
    // Dates below are literals checked by the tests; `d` cannot fail for them.
    let d = |y: i32, m: u32, day: u32| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
    let table = |year: i32, days_off: Vec<DayOff>, working_saturdays: Vec<NaiveDate>| {
        YearSchedule {
            year,
            days_off,
            working_saturdays,
            source: ScheduleSource::Table,
        }
        .sorted()
    };
    vec![
        // 2024: Tết Giáp Thìn on Sat 10/2; off Thu 8/2 (29 Tết) to Wed 14/2, the last two days
        // compensating the weekend inside Tết. Mon 29/4 swapped against Sat 4/5.
        table(
            2024,
            vec![
                holiday(d(2024, 1, 1), NEW_YEAR),
                holiday(d(2024, 2, 8), TET),
                holiday(d(2024, 2, 9), TET),
                holiday(d(2024, 2, 12), TET),
                compensatory(d(2024, 2, 13), TET),
                compensatory(d(2024, 2, 14), TET),
                holiday(d(2024, 4, 18), HUNG_KINGS),
                swapped(d(2024, 4, 29), d(2024, 5, 4)),
                holiday(d(2024, 4, 30), VICTORY),
                holiday(d(2024, 5, 1), LABOUR),
                holiday(d(2024, 9, 2), NATIONAL),
                holiday(d(2024, 9, 3), NATIONAL),
            ],
            vec![d(2024, 5, 4)],
        ),
        // 2025: Tết Ất Tỵ on Wed 29/1, off Mon 27/1 – Fri 31/1. Fri 2/5 swapped against Sat 26/4.
        table(
            2025,
            vec![
                holiday(d(2025, 1, 1), NEW_YEAR),
                holiday(d(2025, 1, 27), TET),
                holiday(d(2025, 1, 28), TET),
                holiday(d(2025, 1, 29), TET),
                holiday(d(2025, 1, 30), TET),
                holiday(d(2025, 1, 31), TET),
                holiday(d(2025, 4, 7), HUNG_KINGS),
                holiday(d(2025, 4, 30), VICTORY),
                holiday(d(2025, 5, 1), LABOUR),
                swapped(d(2025, 5, 2), d(2025, 4, 26)),
                holiday(d(2025, 9, 1), NATIONAL),
                holiday(d(2025, 9, 2), NATIONAL),
            ],
            vec![d(2025, 4, 26)],
        ),
        // 2026: Tết Bính Ngọ on Tue 17/2, off Mon 16/2 – Fri 20/2. Giỗ Tổ on Sun 26/4 → Mon 27/4.
        // Fri 2/1 swapped against Sat 10/1 ([verify] in the rules), Mon 31/8 against Sat 22/8.
        table(
            2026,
            vec![
                holiday(d(2026, 1, 1), NEW_YEAR),
                swapped(d(2026, 1, 2), d(2026, 1, 10)),
                holiday(d(2026, 2, 16), TET),
                holiday(d(2026, 2, 17), TET),
                holiday(d(2026, 2, 18), TET),
                holiday(d(2026, 2, 19), TET),
                holiday(d(2026, 2, 20), TET),
                compensatory(d(2026, 4, 27), HUNG_KINGS),
                holiday(d(2026, 4, 30), VICTORY),
                holiday(d(2026, 5, 1), LABOUR),
                swapped(d(2026, 8, 31), d(2026, 8, 22)),
                holiday(d(2026, 9, 1), NATIONAL),
                holiday(d(2026, 9, 2), NATIONAL),
            ],
            vec![d(2026, 1, 10), d(2026, 8, 22)],
        ),
    ]
}
