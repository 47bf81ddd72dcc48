//! Reporting periods: whole days in Vietnam local time (UTC+7).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::calendar::vietnam;
use crate::dossier::Instant;

/// The days `from..=to`. As instants the period is the half-open interval
/// [`start`](Period::start), [`end`](Period::end)): an instant exactly at `end` belongs to the next
/// period, so consecutive periods (days of a month, months of a year) never count an event twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period starts ({from}) after it ends ({to})")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("no such month or quarter: {0}")]
    NoSuchPeriod(String),
}

/// 00:00 of `date` in Vietnam.
fn local_midnight(date: NaiveDate) -> Instant {
    let naive = date.and_time(NaiveTime::MIN);
    // A fixed offset has exactly one local time per instant; only dates at the edge of chrono's
    // range can fail, and they get the same wall time read as UTC.
    naive
        .and_local_timezone(vietnam())
        .single()
        .unwrap_or_else(|| DateTime::from_naive_utc_and_offset(naive, vietnam()))
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if from > to {
            return Err(PeriodError::Reversed { from, to });
        }
        Ok(Period { from, to })
    }

    pub fn day(date: NaiveDate) -> Period {
        Period { from: date, to: date }
    }

    pub fn month(year: i32, month: u32) -> Result<Period, PeriodError> {
        let missing = || PeriodError::NoSuchPeriod(format!("{year}-{month:02}"));
        let from = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(missing)?;
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        };
        let to = next.and_then(|d| d.pred_opt()).ok_or_else(missing)?;
        Ok(Period { from, to })
    }

    /// Quarter 1–4.
    pub fn quarter(year: i32, quarter: u32) -> Result<Period, PeriodError> {
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::NoSuchPeriod(format!("{year}-Q{quarter}")));
        }
        let first = Period::month(year, quarter * 3 - 2)?;
        let last = Period::month(year, quarter * 3)?;
        Ok(Period {
            from: first.from,
            to: last.to,
        })
    }

    pub fn year(year: i32) -> Result<Period, PeriodError> {
        Ok(Period {
            from: Period::month(year, 1)?.from,
            to: Period::month(year, 12)?.to,
        })
    }

    /// 00:00 (UTC+7) of `from`.
    pub fn start(&self) -> Instant {
        local_midnight(self.from)
    }

    /// The instant the period ends: 00:00 (UTC+7) of the day after `to`, itself outside the period.
    pub fn end(&self) -> Instant {
        match self.to.succ_opt() {
            Some(next) => local_midnight(next),
            None => {
                let last = local_midnight(self.to);
                last.checked_add_signed(Duration::days(1)).unwrap_or(last)
            }
        }
    }

    /// `start() <= t < end()`.
    pub fn contains(&self, t: Instant) -> bool {
        self.start() <= t && t < self.end()
    }

    /// Number of days (0 for a reversed period built by hand).
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days().max(-1) + 1
    }

    /// Each day of the period, for summing per-day counters.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }
}
