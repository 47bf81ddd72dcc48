//! The Vietnamese lunisolar calendar, computed for UTC+7.
//!
//! Method (the one behind the published Vietnamese calendar): a lunar month starts on the
//! local day of an astronomical new moon; month 11 is the month that contains the winter
//! solstice; when 13 new moons separate two months 11, the leap month is the first month after
//! month 11 in which no major solar term (trung khí, a multiple of 30° of the sun's apparent
//! longitude) begins. New moons follow Meeus, "Astronomical Algorithms" (2nd ed.), ch. 49 with
//! all periodic and planetary terms; the sun's apparent longitude follows ch. 25 (accuracy about
//! 0.01°); ΔT (TT − UT) uses the Espenak–Meeus polynomials. Everything is computed once, lazily,
//! into a table of month starts covering the supported range.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::CalendarError;

/// First Gregorian year supported by the public API.
pub const MIN_YEAR: i32 = 1900;
/// Last Gregorian year supported by the public API.
pub const MAX_YEAR: i32 = 2100;

/// Vietnam's civil time zone, in hours east of UTC.
const VIETNAM_UTC_OFFSET_HOURS: f64 = 7.0;

/// `num_days_from_ce` + this = Julian Day Number.
const JDN_FROM_CE: i64 = 1_721_425;

/// A date of the Vietnamese lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LunarDate {
    /// Day of the month, 1–30.
    pub day: u32,
    /// Month, 1–12 (a leap month repeats the number of the month before it).
    pub month: u32,
    /// Lunar year, named by the Gregorian year in which its month 1 begins.
    pub year: i32,
    /// Whether `month` is the intercalary (nhuận) month.
    pub leap_month: bool,
}

/// One lunar month of the precomputed table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Month {
    /// Julian Day Number of the first day (local date).
    pub(crate) start: i64,
    pub(crate) year: i32,
    pub(crate) month: u32,
    pub(crate) leap: bool,
}

/// Result of looking a lunar date up in a [`LunarTable`].
pub(crate) enum Found {
    /// Julian Day Number of the date.
    Day(i64),
    /// No such date (bad day, or no such leap month).
    Invalid,
    /// Outside the table.
    OutOfTable,
}

/// Lunar months in order, plus the start of the month after the last one.
#[derive(Debug)]
pub(crate) struct LunarTable {
    pub(crate) months: Vec<Month>,
    pub(crate) end: i64,
}

fn table() -> &'static LunarTable {
    static TABLE: OnceLock<LunarTable> = OnceLock::new();
    TABLE.get_or_init(|| LunarTable::build(VIETNAM_UTC_OFFSET_HOURS, MIN_YEAR - 1, MAX_YEAR + 1))
}

pub(crate) fn jdn(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) + JDN_FROM_CE
}

pub(crate) fn date_from_jdn(j: i64) -> Option<NaiveDate> {
    i32::try_from(j - JDN_FROM_CE)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

pub(crate) fn min_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).unwrap_or(NaiveDate::MIN)
}

pub(crate) fn max_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31).unwrap_or(NaiveDate::MAX)
}

fn check_year(year: i32) -> Result<(), CalendarError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CalendarError::YearOutOfRange {
            year,
            min: MIN_YEAR,
            max: MAX_YEAR,
        })
    }
}

/// Converts a Gregorian date to the Vietnamese lunar calendar.
pub fn solar_to_lunar(d: NaiveDate) -> Result<LunarDate, CalendarError> {
    check_year(d.year())?;
    table().lookup(jdn(d)).ok_or(CalendarError::YearOutOfRange {
        year: d.year(),
        min: MIN_YEAR,
        max: MAX_YEAR,
    })
}

/// Converts a Vietnamese lunar date to the Gregorian calendar.
///
/// Fails with [`CalendarError::InvalidLunarDate`] when the date does not exist (day 30 of a
/// 29-day month, a leap month in a year whose leap month is another one, …) and with
/// [`CalendarError::LunarDateOutOfRange`] when it falls outside 1900-01-01..=2100-12-31.
pub fn lunar_to_solar(l: &LunarDate) -> Result<NaiveDate, CalendarError> {
    let invalid = || CalendarError::InvalidLunarDate {
        day: l.day,
        month: l.month,
        year: l.year,
        leap_month: l.leap_month,
    };
    let out_of_range = || CalendarError::LunarDateOutOfRange {
        day: l.day,
        month: l.month,
        year: l.year,
        leap_month: l.leap_month,
    };
    if !(1..=12).contains(&l.month) || !(1..=30).contains(&l.day) {
        return Err(invalid());
    }
    let j = match table().find(l) {
        Found::Day(j) => j,
        Found::Invalid => return Err(invalid()),
        Found::OutOfTable => return Err(out_of_range()),
    };
    match date_from_jdn(j) {
        Some(d) if (MIN_YEAR..=MAX_YEAR).contains(&d.year()) => Ok(d),
        _ => Err(out_of_range()),
    }
}

/// The Gregorian date of Tết (day 1 of month 1) of the lunar year `year`.
pub fn lunar_new_year(year: i32) -> Result<NaiveDate, CalendarError> {
    check_year(year)?;
    lunar_to_solar(&LunarDate {
        day: 1,
        month: 1,
        year,
        leap_month: false,
    })
}

/// The leap month of the lunar year `year` (months 1–12 after its Tết), if any.
pub fn leap_month(year: i32) -> Result<Option<u32>, CalendarError> {
    check_year(year)?;
    Ok(table()
        .months
        .iter()
        .find(|m| m.year == year && m.leap)
        .map(|m| m.month))
}

impl LunarTable {
    /// Builds the months from month 11 of lunar year `first_year - 1` to the month before
    /// month 11 of lunar year `last_year`, for a calendar kept at `utc_offset` hours.
    pub(crate) fn build(utc_offset: f64, first_year: i32, last_year: i32) -> LunarTable {
        // Lunation numbers (k = 0 is the new moon of 2000-01-06) safely covering the span.
        let k_of = |y: i32| ((f64::from(y) - 2000.0) * 12.3685).floor() as i64;
        let k_min = k_of(first_year - 1) - 2;
        let k_max = k_of(last_year + 1) + 2;
        let starts: Vec<i64> = (k_min..=k_max)
            .map(|k| local_day(new_moon_jde(k), utc_offset))
            .collect();
        // Sun's apparent longitude at the local midnight that begins each month.
        let longitudes: Vec<f64> = starts
            .iter()
            .map(|&d| sun_longitude_at_local_midnight(d, utc_offset))
            .collect();

        // Index of month 11 for each Gregorian year: the month whose days contain the
        // winter solstice, i.e. longitude < 270° at its start and ≥ 270° at the next start.
        let month11 = |y: i32| -> usize {
            let dec31 = jdn(NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(NaiveDate::MIN));
            let mut i = starts.partition_point(|&s| s <= dec31) - 1;
            if longitudes[i] >= 270.0 {
                i -= 1;
            }
            i
        };

        let mut months = Vec::new();
        let mut end = 0;
        for y in first_year..=last_year {
            let a = month11(y - 1);
            let b = month11(y);
            // A month contains a major term when the 30° sector changes during it.
            let sector = |i: usize| (longitudes[i] / 30.0).floor() as i64;
            let leap = if b - a == 13 {
                (a + 1..b).find(|&i| sector(i) == sector(i + 1))
            } else {
                None
            };
            for (i, &start) in starts.iter().enumerate().take(b).skip(a) {
                let offset = match leap {
                    Some(l) if i >= l => i - a - 1,
                    _ => i - a,
                };
                // offset 0 → month 11, 1 → month 12 (previous lunar year), 2.. → months 1..
                let month = ((10 + offset) % 12 + 1) as u32;
                let year = if offset < 2 { y - 1 } else { y };
                months.push(Month {
                    start,
                    year,
                    month,
                    leap: leap == Some(i),
                });
            }
            end = starts[b];
        }
        LunarTable { months, end }
    }

    /// Julian Day Number of a lunar date, if it exists in the table.
    pub(crate) fn find(&self, l: &LunarDate) -> Found {
        let (first, last) = match (self.months.first(), self.months.last()) {
            (Some(f), Some(l)) => (f, l),
            _ => return Found::OutOfTable,
        };
        if (l.year, l.month) < (first.year, first.month) || (l.year, l.month) > (last.year, last.month) {
            return Found::OutOfTable;
        }
        let key = (l.year, l.month, l.leap_month);
        let Ok(idx) = self.months.binary_search_by(|m| (m.year, m.month, m.leap).cmp(&key)) else {
            return Found::Invalid;
        };
        let start = self.months[idx].start;
        let next = self.months.get(idx + 1).map_or(self.end, |m| m.start);
        if l.day == 0 || i64::from(l.day) > next - start {
            return Found::Invalid;
        }
        Found::Day(start + i64::from(l.day) - 1)
    }

    pub(crate) fn lookup(&self, j: i64) -> Option<LunarDate> {
        if j >= self.end {
            return None;
        }
        let idx = self.months.partition_point(|m| m.start <= j).checked_sub(1)?;
        let m = self.months[idx];
        Some(LunarDate {
            day: (j - m.start + 1) as u32,
            month: m.month,
            year: m.year,
            leap_month: m.leap,
        })
    }
}

/// Local day (Julian Day Number) of the winter solstice of `year` at `utc_offset` hours.
#[cfg(test)]
pub(crate) fn winter_solstice_day(year: i32, utc_offset: f64) -> i64 {
    let dec15 = jdn(NaiveDate::from_ymd_opt(year, 12, 15).unwrap_or_default());
    (dec15..)
        .find(|&d| sun_longitude_at_local_midnight(d + 1, utc_offset) >= 270.0)
        .unwrap_or(dec15)
}

/// Local calendar day (Julian Day Number) containing the instant `jde` (TT).
fn local_day(jde: f64, utc_offset: f64) -> i64 {
    let ut = jde - delta_t_days(jde);
    (ut + 0.5 + utc_offset / 24.0).floor() as i64
}

/// Sun's apparent longitude (degrees) at the local midnight that begins day `jdn`.
fn sun_longitude_at_local_midnight(jdn: i64, utc_offset: f64) -> f64 {
    let ut = jdn as f64 - 0.5 - utc_offset / 24.0;
    sun_apparent_longitude(ut + delta_t_days(ut))
}

fn sin_deg(x: f64) -> f64 {
    x.to_radians().sin()
}

/// Instant (Julian Ephemeris Day, TT) of the mean-phase-corrected true new moon number `k`
/// (Meeus ch. 49).
pub(crate) fn new_moon_jde(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let t4 = t3 * t;
    let jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4;
    let e = 1.0 - 0.002516 * t - 0.0000074 * t2;
    let m = 2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3;
    let mp = 201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4;
    let f = 160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4;
    let om = 124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3;

    let periodic = -0.40720 * sin_deg(mp)
        + 0.17241 * e * sin_deg(m)
        + 0.01608 * sin_deg(2.0 * mp)
        + 0.01039 * sin_deg(2.0 * f)
        + 0.00739 * e * sin_deg(mp - m)
        - 0.00514 * e * sin_deg(mp + m)
        + 0.00208 * e * e * sin_deg(2.0 * m)
        - 0.00111 * sin_deg(mp - 2.0 * f)
        - 0.00057 * sin_deg(mp + 2.0 * f)
        + 0.00056 * e * sin_deg(2.0 * mp + m)
        - 0.00042 * sin_deg(3.0 * mp)
        + 0.00042 * e * sin_deg(m + 2.0 * f)
        + 0.00038 * e * sin_deg(m - 2.0 * f)
        - 0.00024 * e * sin_deg(2.0 * mp - m)
        - 0.00017 * sin_deg(om)
        - 0.00007 * sin_deg(mp + 2.0 * m)
        + 0.00004 * sin_deg(2.0 * mp - 2.0 * f)
        + 0.00004 * sin_deg(3.0 * m)
        + 0.00003 * sin_deg(mp + m - 2.0 * f)
        + 0.00003 * sin_deg(2.0 * mp + 2.0 * f)
        - 0.00003 * sin_deg(mp + m + 2.0 * f)
        + 0.00003 * sin_deg(mp - m + 2.0 * f)
        - 0.00002 * sin_deg(mp - m - 2.0 * f)
        - 0.00002 * sin_deg(3.0 * mp + m)
        + 0.00002 * sin_deg(4.0 * mp);

    // Planetary arguments: (coefficient, A0, rate per lunation).
    const PLANETARY: [(f64, f64, f64); 14] = [
        (0.000325, 299.77, 0.107408),
        (0.000165, 251.88, 0.016321),
        (0.000164, 251.83, 26.651886),
        (0.000126, 349.42, 36.412478),
        (0.000110, 84.66, 18.206239),
        (0.000062, 141.74, 53.303771),
        (0.000060, 207.14, 2.453732),
        (0.000056, 154.84, 7.306860),
        (0.000047, 34.52, 27.261239),
        (0.000042, 207.19, 0.121824),
        (0.000040, 291.34, 1.844379),
        (0.000037, 161.72, 24.198154),
        (0.000035, 239.56, 25.513099),
        (0.000023, 331.55, 3.592518),
    ];
    let planetary: f64 = PLANETARY
        .iter()
        .enumerate()
        .map(|(i, &(c, a0, rate))| {
            // Only A1 has a quadratic term.
            let a = a0 + rate * k - if i == 0 { 0.009173 * t2 } else { 0.0 };
            c * sin_deg(a)
        })
        .sum();
    jde + periodic + planetary
}

/// Sun's apparent geocentric longitude in degrees, [0, 360), at `jde` (TT) (Meeus ch. 25).
pub(crate) fn sun_apparent_longitude(jde: f64) -> f64 {
    let t = (jde - 2451545.0) / 36525.0;
    let l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t;
    let m = 357.52911 + 35999.05029 * t - 0.0001537 * t * t;
    let c = (1.914602 - 0.004817 * t - 0.000014 * t * t) * sin_deg(m)
        + (0.019993 - 0.000101 * t) * sin_deg(2.0 * m)
        + 0.000289 * sin_deg(3.0 * m);
    let omega = 125.04 - 1934.136 * t;
    // Nutation and aberration.
    let apparent = l0 + c - 0.00569 - 0.00478 * sin_deg(omega);
    apparent.rem_euclid(360.0)
}

/// ΔT = TT − UT in days near the instant `jd` (Espenak & Meeus polynomials, 1860–2150).
pub(crate) fn delta_t_days(jd: f64) -> f64 {
    let y = 2000.0 + (jd - 2451544.5) / 365.2425;
    let seconds = if y < 1900.0 {
        let t = y - 1860.0;
        7.62 + 0.5737 * t - 0.251754 * t.powi(2) + 0.01680668 * t.powi(3) - 0.0004473624 * t.powi(4)
            + t.powi(5) / 233174.0
    } else if y < 1920.0 {
        let t = y - 1900.0;
        -2.79 + 1.494119 * t - 0.0598939 * t.powi(2) + 0.0061966 * t.powi(3) - 0.000197 * t.powi(4)
    } else if y < 1941.0 {
        let t = y - 1920.0;
        21.20 + 0.84493 * t - 0.076100 * t.powi(2) + 0.0020936 * t.powi(3)
    } else if y < 1961.0 {
        let t = y - 1950.0;
        29.07 + 0.407 * t - t.powi(2) / 233.0 + t.powi(3) / 2547.0
    } else if y < 1986.0 {
        let t = y - 1975.0;
        45.45 + 1.067 * t - t.powi(2) / 260.0 - t.powi(3) / 718.0
    } else if y < 2005.0 {
        let t = y - 2000.0;
        63.86 + 0.3345 * t - 0.060374 * t.powi(2)
            + 0.0017275 * t.powi(3)
            + 0.000651814 * t.powi(4)
            + 0.00002373599 * t.powi(5)
    } else if y < 2050.0 {
        let t = y - 2000.0;
        62.92 + 0.32217 * t + 0.005589 * t.powi(2)
    } else {
        -20.0 + 32.0 * ((y - 1820.0) / 100.0).powi(2) - 0.5628 * (2150.0 - y)
    };
    seconds / 86400.0
}
