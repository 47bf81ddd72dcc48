//! Unit and property tests of the calendar module.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Weekday};
use proptest::prelude::*;
use unicode_normalization::is_nfc;

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// An instant in Vietnam local time.
fn vn(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("{s}+07:00")).unwrap()
}

/// The default calendar, built once for all tests.
fn cal() -> &'static WorkCalendar {
    static CAL: std::sync::OnceLock<WorkCalendar> = std::sync::OnceLock::new();
    CAL.get_or_init(WorkCalendar::default)
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

// ---------------------------------------------------------------- lunar

#[test]
fn tet_dates_known_years() {
    // Vietnamese Tết (UTC+7), including years where it differs from China (1968, 1969, 1985,
    // 2007, 2030).
    let known = [
        (1905, "1905-02-04"),
        (1910, "1910-02-10"),
        (1915, "1915-02-14"),
        (1920, "1920-02-20"),
        (1925, "1925-01-24"),
        (1930, "1930-01-30"),
        (1935, "1935-02-03"),
        (1940, "1940-02-08"),
        (1945, "1945-02-13"),
        (1950, "1950-02-17"),
        (1955, "1955-01-24"),
        (1960, "1960-01-28"),
        (1965, "1965-02-01"),
        (1968, "1968-01-29"),
        (1969, "1969-02-16"),
        (1970, "1970-02-06"),
        (1975, "1975-02-11"),
        (1980, "1980-02-16"),
        (1985, "1985-01-21"),
        (1990, "1990-01-27"),
        (1995, "1995-01-31"),
        (2000, "2000-02-05"),
        (2005, "2005-02-09"),
        (2007, "2007-02-17"),
        (2010, "2010-02-14"),
        (2015, "2015-02-19"),
        (2020, "2020-01-25"),
        (2021, "2021-02-12"),
        (2022, "2022-02-01"),
        (2023, "2023-01-22"),
        (2024, "2024-02-10"),
        (2025, "2025-01-29"),
        (2026, "2026-02-17"),
        (2027, "2027-02-06"),
        (2028, "2028-01-26"),
        (2029, "2029-02-13"),
        (2030, "2030-02-02"),
        (2031, "2031-01-23"),
        (2032, "2032-02-11"),
        (2033, "2033-01-31"),
        (2034, "2034-02-19"),
        (2035, "2035-02-08"),
        (2040, "2040-02-12"),
        (2050, "2050-01-23"),
        (2060, "2060-02-02"),
        (2070, "2070-02-11"),
        (2080, "2080-01-22"),
        (2090, "2090-01-30"),
        (2100, "2100-02-09"),
    ];
    for (year, date) in known {
        assert_eq!(lunar_new_year(year).unwrap().to_string(), date, "Tết {year}");
    }
}

#[test]
fn vietnamese_dates_where_china_differs() {
    assert_eq!(lunar_new_year(1985).unwrap(), d(1985, 1, 21));
    assert_eq!(lunar_new_year(2007).unwrap(), d(2007, 2, 17));
    assert_eq!(lunar_new_year(2030).unwrap(), d(2030, 2, 2));
    // The day before each is still the old year.
    let eve = solar_to_lunar(d(2030, 2, 1)).unwrap();
    assert_eq!((eve.year, eve.month), (2029, 12));
}

#[test]
fn gio_to_known_years() {
    for (year, date) in [(2024, d(2024, 4, 18)), (2025, d(2025, 4, 7)), (2026, d(2026, 4, 26))] {
        let l = LunarDate {
            day: 10,
            month: 3,
            year,
            leap_month: false,
        };
        assert_eq!(lunar_to_solar(&l).unwrap(), date);
        assert_eq!(solar_to_lunar(date).unwrap(), l);
    }
}

#[test]
fn leap_months_known_years() {
    for (year, leap) in [
        (2012, Some(4)),
        (2014, Some(9)),
        (2017, Some(6)),
        (2020, Some(4)),
        (2023, Some(2)),
        (2025, Some(6)),
        (2024, None),
        (2026, None),
    ] {
        assert_eq!(leap_month(year).unwrap(), leap, "leap month of {year}");
    }
    // 2023: the leap 2nd month started on 2023-03-22.
    let l = solar_to_lunar(d(2023, 3, 22)).unwrap();
    assert_eq!(
        l,
        LunarDate {
            day: 1,
            month: 2,
            year: 2023,
            leap_month: true
        }
    );
    assert_eq!(lunar_to_solar(&l).unwrap(), d(2023, 3, 22));
}

#[test]
fn lunar_json_shape() {
    let l = solar_to_lunar(d(2030, 2, 2)).unwrap();
    assert_eq!(
        serde_json::to_value(l).unwrap(),
        serde_json::json!({"day": 1, "month": 1, "year": 2030, "leap_month": false})
    );
    // Mid-Autumn 2024.
    assert_eq!(
        solar_to_lunar(d(2024, 9, 17)).unwrap(),
        LunarDate {
            day: 15,
            month: 8,
            year: 2024,
            leap_month: false
        }
    );
}

#[test]
fn lunar_range_and_invalid_dates_are_errors() {
    assert!(matches!(
        solar_to_lunar(d(1899, 12, 31)),
        Err(CalendarError::YearOutOfRange {
            year: 1899,
            min: 1900,
            max: 2100
        })
    ));
    assert!(solar_to_lunar(d(2101, 1, 1)).is_err());
    assert!(solar_to_lunar(NaiveDate::MIN).is_err());
    assert!(solar_to_lunar(NaiveDate::MAX).is_err());
    assert!(lunar_new_year(1899).is_err());
    assert!(lunar_new_year(2101).is_err());
    assert!(lunar_new_year(i32::MIN).is_err());
    // 1900-01-01 is in month 12 of lunar year 1899; 2100-12-31 in lunar year 2100.
    let first = solar_to_lunar(d(1900, 1, 1)).unwrap();
    assert_eq!((first.year, first.month), (1899, 12));
    assert_eq!(lunar_to_solar(&first).unwrap(), d(1900, 1, 1));
    assert!(solar_to_lunar(d(2100, 12, 31)).is_ok());

    let invalid = |day, month, year, leap_month| {
        let l = LunarDate {
            day,
            month,
            year,
            leap_month,
        };
        matches!(lunar_to_solar(&l), Err(CalendarError::InvalidLunarDate { .. }))
    };
    assert!(invalid(0, 1, 2025, false));
    assert!(invalid(31, 1, 2025, false));
    assert!(invalid(1, 13, 2025, false));
    assert!(invalid(1, 0, 2025, false));
    assert!(invalid(1, 3, 2025, true), "2025 has no leap 3rd month");
    // Month 12 of 2024 (Giáp Thìn) has 29 days: Tết 2025 is the 30th day after its start.
    let m12 = lunar_to_solar(&LunarDate {
        day: 1,
        month: 12,
        year: 2024,
        leap_month: false,
    })
    .unwrap();
    assert_eq!(m12 + Duration::days(29), d(2025, 1, 29));
    assert!(invalid(30, 12, 2024, false));

    let out = |day, month, year| {
        let l = LunarDate {
            day,
            month,
            year,
            leap_month: false,
        };
        matches!(lunar_to_solar(&l), Err(CalendarError::LunarDateOutOfRange { .. }))
    };
    assert!(out(1, 1, 1899), "Tết 1899 is before 1900-01-01");
    assert!(out(1, 1, 2101), "Tết 2101 is after 2100-12-31");
    let last = solar_to_lunar(d(2100, 12, 31)).unwrap();
    assert!(out(last.day + 1, last.month, last.year) || last.day == 30);
    assert!(out(1, 1, 1800));
    assert!(out(1, 1, i32::MAX));
    let msg = CalendarError::YearOutOfRange {
        year: 2101,
        min: 1900,
        max: 2100,
    }
    .to_string();
    assert_eq!(msg, "year 2101 is outside the supported range 1900–2100");
}

#[test]
fn every_day_1900_2100_round_trips_and_counts_up() {
    let mut prev: Option<LunarDate> = None;
    let mut date = d(1900, 1, 1);
    while date <= d(2100, 12, 31) {
        let l = solar_to_lunar(date).unwrap();
        assert_eq!(lunar_to_solar(&l).unwrap(), date, "{date} -> {l:?}");
        assert!((1..=30).contains(&l.day) && (1..=12).contains(&l.month));
        if let Some(p) = prev {
            if l.day != 1 {
                assert_eq!(
                    (l.day, l.month, l.year, l.leap_month),
                    (p.day + 1, p.month, p.year, p.leap_month)
                );
            } else {
                assert!(p.day == 29 || p.day == 30, "month before {date} has {} days", p.day);
                let next_month = if p.month == 12 { 1 } else { p.month + 1 };
                let expected_year = if next_month == 1 && !l.leap_month {
                    p.year + 1
                } else {
                    p.year
                };
                assert!(
                    (l.leap_month && l.month == p.month && !p.leap_month)
                        || (!l.leap_month && l.month == next_month && l.year == expected_year),
                    "{p:?} then {l:?}"
                );
            }
        }
        prev = Some(l);
        date += Duration::days(1);
    }
    // Each lunar year has at most one leap month, and 12 or 13 months.
    for year in 1900..=2099 {
        let months = (1..=12).filter(|&m| {
            lunar_to_solar(&LunarDate {
                day: 1,
                month: m,
                year,
                leap_month: true,
            })
            .is_ok()
        });
        assert!(months.count() <= 1, "{year}");
    }
}

proptest! {
    #[test]
    fn prop_solar_lunar_round_trip(days in 0i64..73_414) {
        let date = d(1900, 1, 1) + Duration::days(days);
        let l = solar_to_lunar(date).unwrap();
        prop_assert_eq!(lunar_to_solar(&l).unwrap(), date);
    }

    #[test]
    fn prop_lunar_api_never_panics(day in 0u32..40, month in 0u32..15, year in 1850i32..2150, leap in any::<bool>()) {
        let l = LunarDate { day, month, year, leap_month: leap };
        if let Ok(date) = lunar_to_solar(&l) {
            prop_assert_eq!(solar_to_lunar(date).unwrap(), l);
        }
    }
}

// ---------------------------------------------------------------- days off

fn table(year: i32) -> YearSchedule {
    seeded_schedules().into_iter().find(|s| s.year == year).unwrap()
}

fn listing(s: &YearSchedule) -> Vec<(NaiveDate, DayOffKind)> {
    s.days_off.iter().map(|o| (o.date, o.kind)).collect()
}

#[test]
fn seeded_2024_table() {
    use DayOffKind::*;
    let s = table(2024);
    assert_eq!(s.source, ScheduleSource::Table);
    assert_eq!(
        listing(&s),
        vec![
            (d(2024, 1, 1), Holiday),
            (d(2024, 2, 8), Holiday),
            (d(2024, 2, 9), Holiday),
            (d(2024, 2, 12), Holiday),
            (d(2024, 2, 13), Compensatory),
            (d(2024, 2, 14), Compensatory),
            (d(2024, 4, 18), Holiday),
            (d(2024, 4, 29), Swapped),
            (d(2024, 4, 30), Holiday),
            (d(2024, 5, 1), Holiday),
            (d(2024, 9, 2), Holiday),
            (d(2024, 9, 3), Holiday),
        ]
    );
    assert_eq!(s.working_saturdays, vec![d(2024, 5, 4)]);
    let c = cal();
    assert!(!c.is_working_day(d(2024, 4, 29)).unwrap());
    assert!(c.is_working_day(d(2024, 5, 4)).unwrap());
    assert!(!c.is_working_day(d(2024, 5, 11)).unwrap(), "ordinary Saturday");
    assert!(c.is_working_day(d(2024, 2, 15)).unwrap(), "back to work after Tết");
}

#[test]
fn seeded_2025_table() {
    use DayOffKind::*;
    let s = table(2025);
    assert_eq!(
        listing(&s),
        vec![
            (d(2025, 1, 1), Holiday),
            (d(2025, 1, 27), Holiday),
            (d(2025, 1, 28), Holiday),
            (d(2025, 1, 29), Holiday),
            (d(2025, 1, 30), Holiday),
            (d(2025, 1, 31), Holiday),
            (d(2025, 4, 7), Holiday),
            (d(2025, 4, 30), Holiday),
            (d(2025, 5, 1), Holiday),
            (d(2025, 5, 2), Swapped),
            (d(2025, 9, 1), Holiday),
            (d(2025, 9, 2), Holiday),
        ]
    );
    assert_eq!(s.working_saturdays, vec![d(2025, 4, 26)]);
    assert!(cal().is_working_day(d(2025, 4, 26)).unwrap());
    assert!(!cal().is_working_day(d(2025, 5, 2)).unwrap());
}

#[test]
fn seeded_2026_table() {
    use DayOffKind::*;
    let s = table(2026);
    assert_eq!(
        listing(&s),
        vec![
            (d(2026, 1, 1), Holiday),
            (d(2026, 1, 2), Swapped),
            (d(2026, 2, 16), Holiday),
            (d(2026, 2, 17), Holiday),
            (d(2026, 2, 18), Holiday),
            (d(2026, 2, 19), Holiday),
            (d(2026, 2, 20), Holiday),
            (d(2026, 4, 27), Compensatory),
            (d(2026, 4, 30), Holiday),
            (d(2026, 5, 1), Holiday),
            (d(2026, 8, 31), Swapped),
            (d(2026, 9, 1), Holiday),
            (d(2026, 9, 2), Holiday),
        ]
    );
    assert_eq!(s.working_saturdays, vec![d(2026, 1, 10), d(2026, 8, 22)]);
    assert!(cal().is_working_day(d(2026, 1, 10)).unwrap());
    assert!(cal().is_working_day(d(2026, 8, 22)).unwrap());
    assert!(!cal().is_working_day(d(2026, 4, 27)).unwrap());
    assert!(!cal().is_working_day(d(2026, 4, 26)).unwrap(), "Sunday");
}

#[test]
fn seeded_tables_are_valid_named_and_serialise() {
    for s in seeded_schedules() {
        s.validate().unwrap();
        assert_eq!(cal().schedule(s.year).unwrap(), s);
        for o in &s.days_off {
            assert!(is_nfc(&o.name) && !o.name.is_empty() && !o.name_en.is_empty(), "{o:?}");
        }
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<YearSchedule>(&json).unwrap(), s);
    }
    let s = table(2024);
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["source"], "table");
    assert_eq!(v["days_off"][0]["date"], "2024-01-01");
    assert_eq!(v["days_off"][0]["name"], "Tết Dương lịch");
    assert_eq!(v["days_off"][0]["kind"], "holiday");
    assert_eq!(v["days_off"][4]["kind"], "compensatory");
    assert_eq!(v["days_off"][7]["kind"], "swapped");
    let names: Vec<&str> = s.days_off.iter().map(|o| o.name.as_str()).collect();
    for n in [
        "Tết Nguyên đán",
        "Giỗ Tổ Hùng Vương",
        "Ngày Chiến thắng",
        "Quốc tế Lao động",
        "Quốc khánh",
    ] {
        assert!(names.contains(&n), "{n}");
    }
}

#[test]
fn statutory_2027_with_weekend_holidays() {
    use DayOffKind::*;
    // Tết 2027 is Sat 6/2: eve Fri 5/2, Tết Sat–Tue, so Sat and Sun give Wed 10/2 and Thu 11/2.
    // 1/5 is a Saturday → Mon 3/5. 2/9 is a Thursday → Fri 3/9.
    let s = statutory_schedule(2027).unwrap();
    assert_eq!(s.source, ScheduleSource::Statutory);
    assert!(s.working_saturdays.is_empty());
    assert_eq!(
        listing(&s),
        vec![
            (d(2027, 1, 1), Holiday),
            (d(2027, 2, 5), Holiday),
            (d(2027, 2, 8), Holiday),
            (d(2027, 2, 9), Holiday),
            (d(2027, 2, 10), Compensatory),
            (d(2027, 2, 11), Compensatory),
            (d(2027, 4, 16), Holiday),
            (d(2027, 4, 30), Holiday),
            (d(2027, 5, 3), Compensatory),
            (d(2027, 9, 2), Holiday),
            (d(2027, 9, 3), Holiday),
        ]
    );
    assert_eq!(s.days_off[4].name, "Nghỉ bù Tết Nguyên đán");
    assert!(is_nfc(&s.days_off[4].name));
}

#[test]
fn national_day_companion_matches_government_decisions() {
    let national: Vec<(i32, Vec<NaiveDate>)> = vec![
        (2021, vec![d(2021, 9, 2), d(2021, 9, 3)]), // Thu → Fri
        (2022, vec![d(2022, 9, 1), d(2022, 9, 2)]), // Fri → Thu
        (2023, vec![d(2023, 9, 1), d(2023, 9, 4)]), // Sat → Fri 1/9, compensatory Mon 4/9
        (2024, vec![d(2024, 9, 2), d(2024, 9, 3)]), // Mon → Tue
        (2025, vec![d(2025, 9, 1), d(2025, 9, 2)]), // Tue → Mon
        (2026, vec![d(2026, 9, 1), d(2026, 9, 2)]), // Wed → Tue
        (2029, vec![d(2029, 9, 3), d(2029, 9, 4)]), // Sun → Mon 3/9, compensatory Tue 4/9
    ];
    for (year, expected) in national {
        let s = statutory_schedule(year).unwrap();
        let september: Vec<NaiveDate> = s.days_off.iter().map(|o| o.date).filter(|x| x.month() == 9).collect();
        assert_eq!(september, expected, "{year}");
    }
}

#[test]
fn statutory_schedules_1900_2100_are_consistent() {
    for year in 1900..=2100 {
        let s = statutory_schedule(year).unwrap();
        s.validate().unwrap();
        assert!(s.days_off.windows(2).all(|w| w[0].date < w[1].date), "{year} sorted");
        // Each distinct holiday gives exactly one weekday off (itself or a compensatory day).
        let tet = lunar_new_year(year).unwrap();
        let mut holidays: Vec<NaiveDate> = (-1..=3).map(|i| tet + Duration::days(i)).collect();
        let sep2 = d(year, 9, 2);
        let companion = match sep2.weekday() {
            Weekday::Sun | Weekday::Mon | Weekday::Thu => d(year, 9, 3),
            _ => d(year, 9, 1),
        };
        holidays.extend([
            d(year, 1, 1),
            lunar_to_solar(&LunarDate {
                day: 10,
                month: 3,
                year,
                leap_month: false,
            })
            .unwrap(),
            d(year, 4, 30),
            d(year, 5, 1),
            sep2,
            companion,
        ]);
        holidays.sort();
        holidays.dedup();
        assert_eq!(s.days_off.len(), holidays.len(), "{year}");
        for o in &s.days_off {
            assert!(is_nfc(&o.name));
        }
    }
    assert!(statutory_schedule(1899).is_err());
    assert!(statutory_schedule(2101).is_err());
}

#[test]
fn table_allows_extra_holiday_and_is_the_whole_truth() {
    // A 2027 table with Ngày Văn hóa Việt Nam (Wed 24/11) and nothing else.
    let s = YearSchedule {
        year: 2027,
        days_off: vec![DayOff {
            date: d(2027, 11, 24),
            name: "Ngày Văn hóa Việt Nam".into(),
            name_en: "Vietnamese Culture Day".into(),
            kind: DayOffKind::Holiday,
        }],
        working_saturdays: vec![],
        source: ScheduleSource::Table,
    };
    let c = WorkCalendar::new(vec![s.clone()], OfficeHours::default()).unwrap();
    assert!(!c.is_working_day(d(2027, 11, 24)).unwrap());
    assert!(
        c.is_working_day(d(2027, 1, 1)).unwrap(),
        "the table replaces the statutory rules"
    );
    assert_eq!(c.schedule(2027).unwrap(), s);
    // Years without a table (here 2024) fall back to the statutory rules.
    assert_eq!(c.schedule(2024).unwrap().source, ScheduleSource::Statutory);
    assert!(!c.is_working_day(d(2024, 2, 13)).unwrap());
    assert!(c.is_working_day(d(2024, 4, 29)).unwrap());
}

#[test]
fn invalid_tables_are_rejected() {
    let base = table(2025);
    let mut weekend = base.clone();
    weekend.days_off[0].date = d(2025, 1, 4);
    let mut other_year = base.clone();
    other_year.days_off[0].date = d(2024, 1, 2);
    let mut not_saturday = base.clone();
    not_saturday.working_saturdays = vec![d(2025, 4, 25)];
    let mut twice = base.clone();
    twice.days_off.push(twice.days_off[0].clone());
    let mut out = base.clone();
    out.year = 2101;
    for bad in [weekend, other_year, not_saturday, twice, out] {
        assert!(WorkCalendar::new(vec![bad], OfficeHours::default()).is_err());
    }
    assert!(matches!(
        WorkCalendar::new(vec![base.clone(), base], OfficeHours::default()),
        Err(CalendarError::InvalidSchedule { year: 2025, .. })
    ));
}

// ---------------------------------------------------------------- office hours

#[test]
fn office_hours_validation() {
    let h = OfficeHours::default();
    h.validate().unwrap();
    assert_eq!(h.day_length(), Duration::hours(8));
    assert!(OfficeHours::new(vec![], hm(15, 0)).is_err());
    assert!(OfficeHours::new(vec![(hm(8, 0), hm(8, 0))], hm(8, 0)).is_err());
    assert!(OfficeHours::new(vec![(hm(13, 0), hm(17, 0)), (hm(7, 0), hm(11, 0))], hm(15, 0)).is_err());
    assert!(OfficeHours::new(vec![(hm(7, 0), hm(12, 0)), (hm(11, 0), hm(17, 0))], hm(15, 0)).is_err());
    assert!(OfficeHours::new(vec![(hm(7, 0), hm(17, 0))], hm(18, 0)).is_err());
    assert!(OfficeHours::new(vec![(hm(7, 0), hm(17, 0))], hm(7, 0)).is_err());
    let bad = OfficeHours {
        periods: vec![],
        cutoff: hm(15, 0),
    };
    assert!(matches!(
        WorkCalendar::new(vec![], bad),
        Err(CalendarError::InvalidOfficeHours { .. })
    ));
    OfficeHours::new(vec![(hm(7, 30), hm(11, 30)), (hm(11, 30), hm(16, 30))], hm(16, 30)).unwrap();
}

// ---------------------------------------------------------------- reception

#[test]
fn received_at_rules() {
    let c = cal();
    let r = |s: &str| c.received_at(vn(s)).unwrap();
    // Mon 2025-03-03, an ordinary week.
    assert_eq!(r("2025-03-03T09:00:00"), vn("2025-03-03T09:00:00"));
    assert_eq!(r("2025-03-03T06:59:59"), vn("2025-03-03T07:00:00"), "before opening");
    assert_eq!(r("2025-03-03T07:00:00"), vn("2025-03-03T07:00:00"));
    assert_eq!(r("2025-03-03T11:29:59"), vn("2025-03-03T11:29:59"));
    assert_eq!(
        r("2025-03-03T11:30:00"),
        vn("2025-03-03T13:30:00"),
        "11:30 sharp is lunch"
    );
    assert_eq!(r("2025-03-03T12:15:00"), vn("2025-03-03T13:30:00"), "lunch");
    assert_eq!(r("2025-03-03T13:30:00"), vn("2025-03-03T13:30:00"));
    assert_eq!(r("2025-03-03T14:59:59"), vn("2025-03-03T14:59:59"));
    assert_eq!(
        r("2025-03-03T15:00:00"),
        vn("2025-03-04T07:00:00"),
        "cut-off 15:00 sharp"
    );
    assert_eq!(r("2025-03-03T16:30:00"), vn("2025-03-04T07:00:00"));
    assert_eq!(r("2025-03-03T17:00:00"), vn("2025-03-04T07:00:00"), "after closing");
    assert_eq!(r("2025-03-03T23:59:59"), vn("2025-03-04T07:00:00"));
    // Friday after the cut-off → Monday; Saturday and Sunday → Monday.
    assert_eq!(r("2025-03-07T15:30:00"), vn("2025-03-10T07:00:00"));
    assert_eq!(r("2025-03-08T10:00:00"), vn("2025-03-10T07:00:00"));
    assert_eq!(r("2025-03-09T06:00:00"), vn("2025-03-10T07:00:00"));
    // Friday after the cut-off before days off: Mon 1/9 and Tue 2/9/2025 → Wednesday.
    assert_eq!(r("2025-08-29T15:30:00"), vn("2025-09-03T07:00:00"));
    // 2024: Fri 26/4 after cut-off; Mon 29/4 swapped, 30/4 and 1/5 off → Thu 2/5.
    assert_eq!(r("2024-04-26T16:00:00"), vn("2024-05-02T07:00:00"));
    // Make-up Saturday 4/5/2024 is a working day.
    assert_eq!(r("2024-05-04T09:00:00"), vn("2024-05-04T09:00:00"));
    assert_eq!(r("2024-05-03T15:00:00"), vn("2024-05-04T07:00:00"));
    // Tết weeks.
    assert_eq!(r("2025-01-24T16:00:00"), vn("2025-02-03T07:00:00"));
    assert_eq!(r("2025-01-29T10:00:00"), vn("2025-02-03T07:00:00"));
    assert_eq!(r("2026-02-13T15:00:00"), vn("2026-02-23T07:00:00"));
    assert_eq!(r("2024-02-07T15:01:00"), vn("2024-02-15T07:00:00"));
    // Other offsets are converted; the answer is at +07:00.
    let utc = DateTime::parse_from_rfc3339("2025-03-03T02:00:00Z").unwrap();
    let got = c.received_at(utc).unwrap();
    assert_eq!(got, vn("2025-03-03T09:00:00"));
    assert_eq!(got.offset().local_minus_utc(), 7 * 3600);
    assert_eq!(got.to_rfc3339(), "2025-03-03T09:00:00+07:00");
    let tokyo = DateTime::parse_from_rfc3339("2025-03-03T17:00:00+09:00").unwrap();
    assert_eq!(
        c.received_at(tokyo).unwrap(),
        vn("2025-03-04T07:00:00"),
        "15:00 in Vietnam"
    );
    // Sub-second precision is kept.
    let precise = vn("2025-03-03T09:00:00.123456789");
    assert_eq!(c.received_at(precise).unwrap(), precise);
}

// ---------------------------------------------------------------- due dates

#[test]
fn due_examples_from_interfaces() {
    let c = cal();
    let due = |from: &str, dur| c.due(vn(from), dur).unwrap();
    // Monday 09:00 + 3 working days = Thursday 09:00.
    assert_eq!(
        due("2025-03-03T09:00:00", WorkDuration::Days(3)),
        vn("2025-03-06T09:00:00")
    );
    // Intervals ending exactly at the end of a period end there.
    assert_eq!(
        due("2025-03-03T07:30:00", WorkDuration::Hours(4)),
        vn("2025-03-03T11:30:00")
    );
    assert_eq!(
        due("2025-03-03T14:00:00", WorkDuration::Hours(3)),
        vn("2025-03-03T17:00:00")
    );
    assert_eq!(
        due("2025-03-03T07:00:00", WorkDuration::Days(1)),
        vn("2025-03-03T17:00:00")
    );
    assert_eq!(
        due("2025-03-03T07:00:00", WorkDuration::Days(5)),
        vn("2025-03-07T17:00:00")
    );
    assert_eq!(
        due("2025-03-03T13:30:00", WorkDuration::Days(1)),
        vn("2025-03-04T11:30:00")
    );
    // Across lunch and across the night.
    assert_eq!(
        due("2025-03-03T10:00:00", WorkDuration::Hours(2)),
        vn("2025-03-03T14:00:00")
    );
    assert_eq!(
        due("2025-03-03T16:00:00", WorkDuration::Hours(2)),
        vn("2025-03-04T08:00:00")
    );
    assert_eq!(
        due("2025-03-07T16:00:00", WorkDuration::Hours(2)),
        vn("2025-03-10T08:00:00")
    );
    // Within the day.
    assert_eq!(
        due("2025-03-03T09:00:00", WorkDuration::WithinDay),
        vn("2025-03-03T17:00:00")
    );
    assert_eq!(
        due("2025-03-03T09:00:00", WorkDuration::Days(0)),
        vn("2025-03-03T17:00:00")
    );
    assert_eq!(
        due("2025-03-08T09:00:00", WorkDuration::WithinDay),
        vn("2025-03-10T17:00:00")
    );
    assert_eq!(
        due("2025-03-03T09:00:00", WorkDuration::Hours(0)),
        vn("2025-03-03T09:00:00")
    );
    // Over Tết 2025 (27–31/1 off): Fri 24/1 10:00 + 1 day = Mon 3/2 10:00.
    assert_eq!(
        due("2025-01-24T10:00:00", WorkDuration::Days(1)),
        vn("2025-02-03T10:00:00")
    );
    // Over Tết 2026 (16–20/2 off): Thu 12/2 09:00 + 3 days = Tue 24/2 09:00.
    assert_eq!(
        due("2026-02-12T09:00:00", WorkDuration::Days(3)),
        vn("2026-02-24T09:00:00")
    );
    // The make-up Saturday counts: Fri 3/5/2024 09:00 + 1 day = Sat 4/5 09:00.
    assert_eq!(
        due("2024-05-03T09:00:00", WorkDuration::Days(1)),
        vn("2024-05-04T09:00:00")
    );
    // 2026-01-10 (Saturday) is worked: Fri 9/1 10:00 + 1 day = Sat 10/1 10:00.
    assert_eq!(
        due("2026-01-09T10:00:00", WorkDuration::Days(1)),
        vn("2026-01-10T10:00:00")
    );
    // Whole pipeline: received Fri 15:00 → Mon 07:00, + 2 days → Tue 17:00.
    let r = c.received_at(vn("2025-03-07T15:00:00")).unwrap();
    assert_eq!(c.due(r, WorkDuration::Days(2)).unwrap(), vn("2025-03-11T17:00:00"));
}

#[test]
fn custom_day_length_is_used() {
    // A 4-hour day: Days(1) is 4 working hours.
    let hours = OfficeHours::new(vec![(hm(7, 0), hm(11, 0))], hm(10, 0)).unwrap();
    let c = WorkCalendar::new(seeded_schedules(), hours).unwrap();
    assert_eq!(c.day_minutes(), 240);
    assert_eq!(
        c.due(vn("2025-03-03T08:00:00"), WorkDuration::Days(1)).unwrap(),
        vn("2025-03-04T08:00:00")
    );
    assert_eq!(
        c.due(vn("2025-03-03T08:00:00"), WorkDuration::Hours(3)).unwrap(),
        vn("2025-03-03T11:00:00")
    );
    assert_eq!(
        c.received_at(vn("2025-03-03T10:00:00")).unwrap(),
        vn("2025-03-04T07:00:00")
    );
    // A period opening after the cut-off receives nothing: 12:00 → next morning.
    let hours = OfficeHours::new(vec![(hm(7, 0), hm(11, 0)), (hm(14, 0), hm(17, 0))], hm(13, 0)).unwrap();
    let c = WorkCalendar::new(vec![], hours).unwrap();
    assert_eq!(
        c.received_at(vn("2025-03-03T12:00:00")).unwrap(),
        vn("2025-03-04T07:00:00")
    );
}

#[test]
fn range_limits_are_errors_not_panics() {
    let c = cal();
    assert!(c.received_at(vn("1899-12-31T09:00:00")).is_err());
    assert!(c.received_at(vn("2101-01-01T09:00:00")).is_err());
    assert!(
        c.received_at(vn("2100-12-31T16:00:00")).is_err(),
        "next working day is in 2101"
    );
    assert!(matches!(
        c.due(vn("2100-12-30T09:00:00"), WorkDuration::Days(5)),
        Err(CalendarError::ResultOutOfRange { .. })
    ));
    assert!(c.due(vn("2025-03-03T09:00:00"), WorkDuration::Hours(u32::MAX)).is_err());
    assert!(c.due(vn("2025-03-03T09:00:00"), WorkDuration::Days(u32::MAX)).is_err());
    assert!(c.add_working_minutes(vn("2025-03-03T09:00:00"), i64::MAX).is_err());
    assert!(c.add_working_minutes(vn("2025-03-03T09:00:00"), i64::MIN).is_err());
    assert!(c.add_working_minutes(vn("1900-01-01T09:00:00"), -600).is_err());
    assert!(c.is_working_day(d(2101, 1, 1)).is_err());
    assert!(c.schedule(2101).is_err());
    assert!(c
        .working_minutes_between(vn("1899-01-01T00:00:00"), vn("2025-01-01T00:00:00"))
        .is_err());
    let far = DateTime::<FixedOffset>::MAX_UTC.fixed_offset();
    assert!(c.received_at(far).is_err());
    assert!(c.due(far, WorkDuration::WithinDay).is_err());
}

// ---------------------------------------------------------------- working time left

#[test]
fn working_minutes_and_time_left() {
    let c = cal();
    let m = |a: &str, b: &str| c.working_minutes_between(vn(a), vn(b)).unwrap();
    assert_eq!(m("2025-03-03T09:00:00", "2025-03-04T11:00:00"), 600);
    assert_eq!(m("2025-03-04T11:00:00", "2025-03-03T09:00:00"), -600);
    assert_eq!(m("2025-03-03T11:30:00", "2025-03-03T13:30:00"), 0, "lunch");
    assert_eq!(m("2025-03-07T17:00:00", "2025-03-10T07:00:00"), 0, "weekend");
    assert_eq!(m("2025-01-24T09:00:00", "2025-02-03T09:00:00"), 480, "Tết");

    let left = c
        .time_left(vn("2025-03-03T09:00:00"), vn("2025-03-04T11:00:00"))
        .unwrap();
    assert_eq!(
        left,
        WorkingTimeLeft {
            overdue: false,
            days: 1,
            hours: 2,
            minutes: 0
        }
    );
    assert_eq!(left.vi(), "còn 1 ngày 2 giờ");
    assert_eq!(left.en(), "1 day 2 hours left");
    assert_eq!(left.to_string(), "còn 1 ngày 2 giờ");
    let late = c
        .time_left(vn("2025-03-06T16:30:00"), vn("2025-03-04T11:00:00"))
        .unwrap();
    // Tue 11:00 → Thu 11:00 is 2 days, then 11:00–11:30 and 13:30–16:30: 3 h 30 min.
    assert_eq!(
        late,
        WorkingTimeLeft {
            overdue: true,
            days: 2,
            hours: 3,
            minutes: 30
        }
    );
    assert_eq!(late.vi(), "quá 2 ngày 3 giờ");
    assert_eq!(late.en(), "2 days 3 hours overdue");
    assert!(is_nfc(&late.vi()));
    // Past the due date by wall clock but not by working time: overdue by 0.
    let evening = c
        .time_left(vn("2025-03-03T18:00:00"), vn("2025-03-03T17:00:00"))
        .unwrap();
    assert_eq!(evening.vi(), "quá 0 ngày 0 giờ");
    let f = WorkingTimeLeft::from_minutes(-(480 * 3 + 61), 480);
    assert_eq!(
        f,
        WorkingTimeLeft {
            overdue: true,
            days: 3,
            hours: 1,
            minutes: 1
        }
    );
    assert_eq!(WorkingTimeLeft::from_minutes(0, 480).en(), "0 days 0 hours left");
    // Extreme inputs saturate instead of panicking.
    assert!(WorkingTimeLeft::from_minutes(i64::MIN, 0).overdue);
    assert!(!WorkingTimeLeft::from_minutes(i64::MAX, -5).overdue);
}

#[test]
fn add_working_minutes_shifts_by_working_time() {
    let c = cal();
    let add = |t: &str, m| c.add_working_minutes(vn(t), m).unwrap();
    assert_eq!(add("2025-03-03T11:00:00", 30), vn("2025-03-03T11:30:00"));
    assert_eq!(add("2025-03-03T11:00:00", 31), vn("2025-03-03T13:31:00"));
    assert_eq!(add("2025-03-03T12:00:00", 30), vn("2025-03-03T14:00:00"), "from lunch");
    assert_eq!(add("2025-03-03T09:00:00", 0), vn("2025-03-03T09:00:00"));
    assert_eq!(add("2025-03-04T09:00:00", -480), vn("2025-03-03T09:00:00"));
    assert_eq!(add("2025-03-04T07:00:00", -60), vn("2025-03-03T16:00:00"));
}

#[test]
fn many_due_dates_are_fast() {
    let t0 = std::time::Instant::now();
    let c = &WorkCalendar::default();
    eprintln!("WorkCalendar::default() built in {:?}", t0.elapsed());
    let start = vn("2025-01-02T08:00:00");
    let t0 = std::time::Instant::now();
    let mut last = start;
    for i in 0..100_000i64 {
        let t = start + Duration::minutes(i * 7);
        let r = c.received_at(t).unwrap();
        last = c.due(r, WorkDuration::Days((i % 30) as u32)).unwrap();
    }
    assert!(last > start);
    eprintln!("100000 received_at + due in {:?}", t0.elapsed());
}

// ---------------------------------------------------------------- properties

/// Instants 2023–2027 (seeded and statutory years), often on a boundary of the office hours.
fn instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
    let boundary = prop::sample::select(vec![
        0u32,
        6 * 60,
        7 * 60,
        11 * 60 + 30,
        12 * 60,
        13 * 60 + 30,
        15 * 60,
        17 * 60,
        23 * 60 + 59,
    ])
    .prop_map(|m| m * 60);
    let second = prop_oneof![boundary, 0u32..86_400];
    (0i64..5 * 366, second).prop_map(|(day, s)| {
        let date = d(2023, 1, 1) + Duration::days(day);
        let t = date.and_time(NaiveTime::from_num_seconds_from_midnight_opt(s, 0).unwrap());
        t.and_local_timezone(working_time::vietnam()).unwrap()
    })
}

fn duration() -> impl Strategy<Value = WorkDuration> {
    prop_oneof![
        Just(WorkDuration::WithinDay),
        (0u32..40).prop_map(WorkDuration::Days),
        (0u32..200).prop_map(WorkDuration::Hours),
    ]
}

/// Whether `t` lies in `(start, end]` of a period of a working day (a due date), or in
/// `[start, end)` when `start_ok` (a reception time).
fn in_office_hours(c: &WorkCalendar, t: DateTime<FixedOffset>, start_ok: bool) -> bool {
    let local = t.naive_local();
    c.is_working_day(local.date()).unwrap()
        && c.hours().periods.iter().any(|&(s, e)| {
            let tod = local.time();
            if start_ok {
                s <= tod && tod < e
            } else {
                s < tod && tod <= e
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn prop_received_at_is_idempotent_and_in_office_hours(t in instant()) {
        let c = cal();
        let r = c.received_at(t).unwrap();
        prop_assert_eq!(c.received_at(r).unwrap(), r);
        prop_assert!(r >= t);
        prop_assert!(in_office_hours(c, r, true), "{} -> {}", t, r);
        prop_assert!(r.time() < c.hours().cutoff);
        prop_assert_eq!(r.offset().local_minus_utc(), 7 * 3600);
    }

    /// Additivity holds for every instant (not only period starts), because a due date is the
    /// earliest instant whose working offset reaches the target and the offset is additive:
    /// for Hours(a), Hours(b) with any a, b, and for Days(a), Days(b) with a, b ≥ 1. It does not
    /// hold when one of them is Days(0) = WithinDay, which means "end of the day", not "0 hours".
    #[test]
    fn prop_due_is_additive(t in instant(), a in 0u32..100, b in 0u32..100) {
        let c = cal();
        let r = c.received_at(t).unwrap();
        let h = |x, n| c.due(x, WorkDuration::Hours(n)).unwrap();
        prop_assert_eq!(h(r, a + b), h(h(r, a), b));
        prop_assert_eq!(h(t, a + b), h(h(t, a), b), "raw instants too");
        let (a, b) = (a % 20 + 1, b % 20 + 1);
        let dd = |x, n| c.due(x, WorkDuration::Days(n)).unwrap();
        prop_assert_eq!(dd(r, a + b), dd(dd(r, a), b));
        prop_assert_eq!(dd(r, a), h(r, a * 8));
    }

    #[test]
    fn prop_due_lands_in_office_hours(t in instant(), dur in duration()) {
        let c = cal();
        let r = c.received_at(t).unwrap();
        let due = c.due(r, dur).unwrap();
        prop_assert!(due >= r);
        if dur != WorkDuration::Hours(0) {
            prop_assert!(due > r);
            prop_assert!(in_office_hours(c, due, false), "{} + {:?} -> {}", r, dur, due);
        }
        if let WorkDuration::Hours(n) = dur {
            prop_assert_eq!(c.working_minutes_between(r, due).unwrap(), i64::from(n) * 60);
        }
        if let WorkDuration::Days(n @ 1..) = dur {
            prop_assert_eq!(c.working_minutes_between(r, due).unwrap(), i64::from(n) * 480);
        }
    }

    #[test]
    fn prop_due_is_monotonic(t1 in instant(), t2 in instant(), dur in duration()) {
        let c = cal();
        let (t1, t2) = if t1 <= t2 { (t1, t2) } else { (t2, t1) };
        prop_assert!(c.due(t1, dur).unwrap() <= c.due(t2, dur).unwrap());
        let (r1, r2) = (c.received_at(t1).unwrap(), c.received_at(t2).unwrap());
        prop_assert!(r1 <= r2);
        prop_assert!(c.due(r1, dur).unwrap() <= c.due(r2, dur).unwrap());
    }

    #[test]
    fn prop_add_working_minutes_round_trips(t in instant(), m in -20_000i64..20_000) {
        let c = cal();
        let u = c.add_working_minutes(t, m).unwrap();
        prop_assert_eq!(c.working_minutes_between(t, u).unwrap(), m);
        prop_assert_eq!(c.working_minutes_between(u, t).unwrap(), -m);
    }
}
