//! The period picker: month, quarter, year or custom dates, as GET parameters; the current year to
//! date by default. A period reaching past today ends today (an open dossier is judged at the
//! period's end, so a future end would count dossiers late that are not late yet).

use chrono::{Datelike, NaiveDate};
use motcua_domain::index::Period;
use serde::Deserialize;

/// The query of every dashboard page. Strings, so that an empty or bad field is an error shown on
/// the page rather than a rejected request.
#[derive(Deserialize, Default, Clone)]
pub struct DashQuery {
    /// `thang`, `quy`, `nam` or `tuy-chon`.
    pub ky: Option<String>,
    pub nam: Option<String>,
    pub thang: Option<String>,
    pub quy: Option<String>,
    pub tu: Option<String>,
    pub den: Option<String>,
    /// A unit's code (indicator pages); empty for the province.
    pub unit: Option<String>,
    /// Ranking level: `so` (departments) or `xa` (communes).
    pub cap: Option<String>,
    pub trang: Option<String>,
    /// An export of the view instead of the page: `xlsx` or `pdf`.
    pub xuat: Option<String>,
    /// The unit search's text (a code or a name, pre-2025 units included).
    pub q: Option<String>,
}

/// What the picker shows, and the period it means.
#[derive(Clone, Debug, PartialEq)]
pub struct Picked {
    pub kind: &'static str,
    pub year: i32,
    pub month: u32,
    pub quarter: u32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub period: Period,
}

/// Longest period, as for `GET /api/v1/index`.
const MAX_DAYS: i64 = 3 * 366;

fn field<T: std::str::FromStr>(v: &Option<String>) -> Option<Result<T, ()>> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| ()))
}

impl DashQuery {
    /// The period asked for, clipped to `today`; `Err(())` for a bad one.
    #[allow(clippy::result_unit_err)]
    pub fn picked(&self, today: NaiveDate) -> Result<Picked, ()> {
        let year = field::<i32>(&self.nam).transpose()?.unwrap_or(today.year());
        if !(2000..=2100).contains(&year) {
            return Err(());
        }
        let month = field::<u32>(&self.thang).transpose()?.unwrap_or(today.month());
        let quarter = field::<u32>(&self.quy)
            .transpose()?
            .unwrap_or(today.month().div_ceil(3));
        let kind = match self.ky.as_deref().map(str::trim).unwrap_or("nam") {
            "thang" => "thang",
            "quy" => "quy",
            "nam" | "" => "nam",
            "tuy-chon" => "tuy-chon",
            _ => return Err(()),
        };
        let period = match kind {
            "thang" => Period::month(year, month).map_err(|_| ())?,
            "quy" => Period::quarter(year, quarter).map_err(|_| ())?,
            "tuy-chon" => {
                let from = field::<NaiveDate>(&self.tu).transpose()?.ok_or(())?;
                let to = field::<NaiveDate>(&self.den).transpose()?.unwrap_or(today);
                Period::new(from, to).map_err(|_| ())?
            }
            _ => Period::year(year).map_err(|_| ())?,
        };
        let to = period.to.min(today).max(period.from);
        if (to - period.from).num_days() > MAX_DAYS {
            return Err(());
        }
        let period = Period { from: period.from, to };
        Ok(Picked {
            kind,
            year,
            month,
            quarter,
            from: period.from,
            to: period.to,
            period,
        })
    }

    /// The default: this year to date.
    pub fn default_picked(today: NaiveDate) -> Picked {
        DashQuery::default().picked(today).unwrap_or_else(|_| Picked {
            kind: "nam",
            year: today.year(),
            month: today.month(),
            quarter: 1,
            from: today,
            to: today,
            period: Period::day(today),
        })
    }
}

/// An option of a `<select>`.
pub struct Opt {
    pub value: u32,
    pub selected: bool,
}

impl Picked {
    pub fn month_options(&self) -> Vec<Opt> {
        (1..=12)
            .map(|m| Opt {
                value: m,
                selected: m == self.month,
            })
            .collect()
    }

    pub fn quarter_options(&self) -> Vec<Opt> {
        (1..=4)
            .map(|q| Opt {
                value: q,
                selected: q == self.quarter,
            })
            .collect()
    }

    pub fn is(&self, kind: &str) -> bool {
        self.kind == kind
    }

    /// The period as query parameters, for links between the pages (already URL-safe).
    pub fn query(&self) -> String {
        match self.kind {
            "thang" => format!("ky=thang&nam={}&thang={}", self.year, self.month),
            "quy" => format!("ky=quy&nam={}&quy={}", self.year, self.quarter),
            "tuy-chon" => format!("ky=tuy-chon&tu={}&den={}", self.from, self.to),
            _ => format!("ky=nam&nam={}", self.year),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> DashQuery {
        let map: serde_json::Map<String, serde_json::Value> =
            pairs.iter().map(|(k, v)| (k.to_string(), (*v).into())).collect();
        serde_json::from_value(map.into()).unwrap()
    }

    #[test]
    fn periods_are_parsed_and_clipped_to_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let p = DashQuery::default().picked(today).unwrap();
        assert_eq!((p.from, p.to, p.kind), (d(2026, 1, 1), today, "nam"));
        let p = q(&[("ky", "quy"), ("nam", "2026"), ("quy", "2")])
            .picked(today)
            .unwrap();
        assert_eq!((p.from, p.to), (d(2026, 4, 1), d(2026, 6, 30)));
        let p = q(&[("ky", "thang"), ("nam", "2025"), ("thang", "2")])
            .picked(today)
            .unwrap();
        assert_eq!((p.from, p.to), (d(2025, 2, 1), d(2025, 2, 28)));
        let p = q(&[("ky", "tuy-chon"), ("tu", "2026-03-05"), ("den", "2026-03-09")])
            .picked(today)
            .unwrap();
        assert_eq!((p.from, p.to), (d(2026, 3, 5), d(2026, 3, 9)));
        assert_eq!(p.query(), "ky=tuy-chon&tu=2026-03-05&den=2026-03-09");
        for bad in [
            q(&[("ky", "thang"), ("thang", "13")]),
            q(&[("ky", "quy"), ("quy", "5")]),
            q(&[("ky", "tuy-chon"), ("tu", "2026-03-09"), ("den", "2026-03-05")]),
            q(&[("ky", "tuy-chon"), ("tu", "2020-01-01"), ("den", "2026-03-05")]),
            q(&[("ky", "tuy-chon")]),
            q(&[("nam", "abc")]),
            q(&[("ky", "tuan")]),
        ] {
            assert!(bad.picked(today).is_err());
        }
    }
}
