//! The status rule, periods, PAR comparison, directive states and bottleneck ranking.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::index::{score, IndexAccumulator, IndexConfig, Period};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const RUNNING: Progress = Progress {
    elapsed: 0.5,
    over: false,
};
const OVER: Progress = Progress {
    elapsed: 1.0,
    over: true,
};

#[test]
fn periods_parse_print_and_step_back() {
    for text in ["2024", "2024-Q1", "2024-Q4", "2024-03", "2024-12"] {
        assert_eq!(PlanPeriod::parse(text).unwrap().to_string(), text);
    }
    assert_eq!(PlanPeriod::parse("2024-q2").unwrap(), PlanPeriod::Quarter(2024, 2));
    for bad in [
        "", "24", "2024-Q5", "2024-Q0", "2024-13", "2024-00", "2024-1", "2024-W1", "abcd", "2024-Q1x",
    ] {
        assert!(PlanPeriod::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(PlanPeriod::Quarter(2024, 1).previous(), PlanPeriod::Quarter(2023, 4));
    assert_eq!(PlanPeriod::Month(2024, 1).previous(), PlanPeriod::Month(2023, 12));
    assert_eq!(PlanPeriod::Year(2024).previous(), PlanPeriod::Year(2023));
    let q1 = PlanPeriod::Quarter(2024, 1).days().unwrap();
    assert_eq!((q1.from, q1.to), (date(2024, 1, 1), date(2024, 3, 31)));
}

#[test]
fn progress_counts_completed_days() {
    let q1 = PlanPeriod::Quarter(2024, 1);
    assert_eq!(
        q1.progress(date(2023, 12, 31)),
        Progress {
            elapsed: 0.0,
            over: false
        }
    );
    assert_eq!(
        q1.progress(date(2024, 1, 1)),
        Progress {
            elapsed: 0.0,
            over: false
        }
    );
    // 2024-Q1 has 91 days; on 16 February 46 have passed.
    let p = q1.progress(date(2024, 2, 16));
    assert!(!p.over && (p.elapsed - 46.0 / 91.0).abs() < 1e-12);
    assert!(!q1.progress(date(2024, 3, 31)).over);
    assert_eq!(q1.progress(date(2024, 4, 1)), OVER);
}

#[test]
fn status_examples() {
    use Aggregation::*;
    use Direction::*;
    // Period over.
    assert_eq!(status(HigherIsBetter, Level, 50.0, Some(50.0), OVER), Status::Achieved);
    assert_eq!(status(HigherIsBetter, Level, 50.0, Some(49.99), OVER), Status::Missed);
    assert_eq!(status(LowerIsBetter, Level, 5.0, Some(4.0), OVER), Status::Achieved);
    assert_eq!(status(LowerIsBetter, Level, 5.0, Some(6.0), OVER), Status::Missed);
    assert_eq!(status(HigherIsBetter, Level, 50.0, None, OVER), Status::Missed);
    // Running, level: the period-to-date share is the forecast.
    assert_eq!(
        status(HigherIsBetter, Level, 50.0, Some(55.0), RUNNING),
        Status::OnTrack
    );
    assert_eq!(status(HigherIsBetter, Level, 50.0, Some(45.0), RUNNING), Status::AtRisk);
    // Running, cumulative: 6 of 10 trainings at half time is already ahead; 4 forecasts 8.
    assert_eq!(
        status(HigherIsBetter, Cumulative, 10.0, Some(10.0), RUNNING),
        Status::Achieved
    );
    assert_eq!(
        status(HigherIsBetter, Cumulative, 10.0, Some(6.0), RUNNING),
        Status::OnTrack
    );
    assert_eq!(
        status(HigherIsBetter, Cumulative, 10.0, Some(4.0), RUNNING),
        Status::AtRisk
    );
    // Lower is better, cumulative: 3 incidents at half time forecasts 6 > 5.
    assert_eq!(
        status(LowerIsBetter, Cumulative, 5.0, Some(3.0), RUNNING),
        Status::AtRisk
    );
    assert_eq!(
        status(LowerIsBetter, Cumulative, 5.0, Some(2.0), RUNNING),
        Status::OnTrack
    );
    // No data yet.
    let start = Progress {
        elapsed: 0.0,
        over: false,
    };
    assert_eq!(status(HigherIsBetter, Level, 50.0, None, start), Status::OnTrack);
    assert_eq!(status(HigherIsBetter, Level, 50.0, None, RUNNING), Status::AtRisk);
    assert_eq!(
        status(HigherIsBetter, Level, 50.0, Some(f64::NAN), RUNNING),
        Status::AtRisk
    );
}

fn arb_direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::HigherIsBetter), Just(Direction::LowerIsBetter)]
}

fn arb_aggregation() -> impl Strategy<Value = Aggregation> {
    prop_oneof![Just(Aggregation::Level), Just(Aggregation::Cumulative)]
}

fn arb_progress() -> impl Strategy<Value = Progress> {
    prop_oneof![
        Just(OVER),
        (0.0f64..1.0).prop_map(|elapsed| Progress { elapsed, over: false })
    ]
}

proptest! {
    #[test]
    fn status_is_monotonic_in_the_value(
        direction in arb_direction(), aggregation in arb_aggregation(), progress in arb_progress(),
        target in 0.0f64..1000.0, a in 0.0f64..1000.0, b in 0.0f64..1000.0,
    ) {
        let (worse, better) = match direction {
            Direction::HigherIsBetter => (a.min(b), a.max(b)),
            Direction::LowerIsBetter => (a.max(b), a.min(b)),
        };
        let s_worse = status(direction, aggregation, target, Some(worse), progress);
        let s_better = status(direction, aggregation, target, Some(better), progress);
        prop_assert!(s_worse <= s_better, "{s_worse:?} for {worse}, {s_better:?} for {better}");
        // Some data never ranks below no data.
        prop_assert!(status(direction, aggregation, target, None, progress) <= s_worse);
    }

    #[test]
    fn a_finished_period_is_achieved_or_missed(
        direction in arb_direction(), aggregation in arb_aggregation(),
        target in 0.0f64..1000.0, value in proptest::option::of(0.0f64..1000.0),
    ) {
        let s = status(direction, aggregation, target, value, OVER);
        prop_assert!(matches!(s, Status::Achieved | Status::Missed));
    }

    #[test]
    fn period_keys_round_trip(year in 1990i32..2100, q in 1u32..=4, m in 1u32..=12) {
        for p in [PlanPeriod::Year(year), PlanPeriod::Quarter(year, q), PlanPeriod::Month(year, m)] {
            prop_assert_eq!(PlanPeriod::parse(&p.to_string()).unwrap(), p);
        }
    }
}

fn indicator(id: &str, source: ValueSource, metric: Option<&str>) -> PlanIndicator {
    PlanIndicator {
        id: id.into(),
        name: format!("Chỉ tiêu {id}"),
        name_en: format!("Indicator {id}"),
        unit_of_measure: "%".into(),
        direction: Direction::HigherIsBetter,
        aggregation: Aggregation::Level,
        responsible_unit: "000.00.08.H21".into(),
        source,
        metric: metric.map(Into::into),
        targets: BTreeMap::from([("2024".to_string(), 50.0), ("2024-Q1".to_string(), 40.0)]),
    }
}

fn plan() -> Plan {
    Plan {
        id: "cds-2024".into(),
        name: "Kế hoạch".into(),
        name_en: "Plan".into(),
        year: 2024,
        document: String::new(),
        sample: true,
        indicators: vec![
            indicator("a", ValueSource::System, Some("online_share")),
            indicator("b", ValueSource::Reported, None),
        ],
    }
}

#[test]
fn plan_validation_reports_every_problem() {
    assert_eq!(plan().validate(), Ok(()));
    let mut p = plan();
    p.id = "bad id/".into();
    p.indicators
        .push(indicator("a", ValueSource::System, Some("no_such_metric")));
    p.indicators
        .push(indicator("c", ValueSource::Reported, Some("online_share")));
    p.indicators[1].targets.insert("2023-Q4".into(), 1.0);
    p.indicators[1].targets.insert("2024-Q9".into(), 1.0);
    let errors = p.validate().unwrap_err();
    assert_eq!(errors.len(), 6, "{errors:#?}");
    assert!(errors.contains(&PlanError::DuplicateIndicator("a".into())));
}

#[test]
fn default_period_is_the_running_quarter_or_the_year() {
    let p = plan();
    assert_eq!(p.default_period(date(2024, 5, 2)), PlanPeriod::Quarter(2024, 2));
    assert_eq!(p.default_period(date(2026, 11, 28)), PlanPeriod::Year(2024));
}

#[test]
fn metric_values_are_read_from_the_index_table() {
    let config = IndexConfig::qd766_2022();
    let period = Period::quarter(2024, 1).unwrap();
    let empty = score("52", period, &IndexAccumulator::new(), &config, &[]);
    for m in SYSTEM_METRICS {
        assert!(metric_value(&m, &empty).is_none(), "{} has no data", m.id);
        if let Some(i) = m.index_indicator {
            assert!(config.indicator(i).is_some(), "{i} is a QĐ 766 indicator");
        }
    }
    let acc = IndexAccumulator {
        received: 3,
        online: 2,
        handled: 4,
        on_time: 3,
        ..IndexAccumulator::default()
    };
    let table = score("52", period, &acc, &config, &[]);
    let online = metric_value(system_metric("online_share").unwrap(), &table).unwrap();
    assert_eq!(
        (online.value, online.numerator, online.denominator),
        (66.67, Some(2), Some(3))
    );
    let on_time = metric_value(system_metric("on_time_share").unwrap(), &table).unwrap();
    assert_eq!(on_time.value, 75.0);
    let total = metric_value(system_metric("qd766_total").unwrap(), &table).unwrap();
    assert_eq!(total.value, table.total);
}

fn leaf(id: &str, max: f64) -> ParNode {
    ParNode {
        id: id.into(),
        name: format!("Tiêu chí {id}"),
        name_en: String::new(),
        max,
        children: vec![],
    }
}

fn tree() -> ParTree {
    ParTree {
        version: "par-test".into(),
        name: "PAR".into(),
        sample: true,
        fields: vec![
            ParNode {
                id: "1".into(),
                name: "Lĩnh vực 1".into(),
                name_en: String::new(),
                max: 5.0,
                children: vec![
                    ParNode {
                        id: "1.1".into(),
                        name: "Tiêu chí 1.1".into(),
                        name_en: String::new(),
                        max: 3.0,
                        children: vec![leaf("1.1.1", 1.5), leaf("1.1.2", 1.5)],
                    },
                    leaf("1.2", 2.0),
                ],
            },
            ParNode {
                id: "2".into(),
                name: "Lĩnh vực 2".into(),
                name_en: String::new(),
                max: 4.0,
                children: vec![leaf("2.1", 4.0)],
            },
        ],
    }
}

fn year(y: i32, scores: &[(&str, Option<f64>, Option<f64>)]) -> ParYear {
    ParYear {
        year: y,
        tree_version: "par-test".into(),
        scores: scores
            .iter()
            .map(|&(id, s, a)| {
                (
                    id.to_string(),
                    ParScore {
                        self_assessed: s,
                        appraised: a,
                        evidence: format!("minh chứng {id}"),
                    },
                )
            })
            .collect(),
    }
}

#[test]
fn par_tree_validation() {
    assert_eq!(tree().validate(), Ok(()));
    let mut t = tree();
    t.fields[0].max = 6.0;
    t.fields[1].children.push(leaf("1.2", 0.0));
    let errors = t.validate().unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
    let bad = year(2023, &[("1.1", Some(1.0), None), ("2.1", Some(5.0), None)]);
    assert_eq!(bad.validate(&tree()).unwrap_err().len(), 2);
}

#[test]
fn par_comparison_lists_the_criteria_that_lost_points() {
    let t = tree();
    let y2022 = year(
        2022,
        &[
            ("1.1.1", Some(1.5), Some(1.5)),
            ("1.1.2", Some(1.0), Some(1.0)),
            ("1.2", Some(2.0), Some(1.5)),
            ("2.1", Some(3.0), Some(3.0)),
        ],
    );
    let y2023 = year(
        2023,
        &[
            ("1.1.1", Some(1.5), Some(0.5)),
            ("1.1.2", Some(1.5), Some(1.5)),
            ("1.2", Some(2.0), None),
            ("2.1", Some(4.0), Some(2.25)),
        ],
    );
    let c = compare_par(&t, &y2023, Some(&y2022));
    // 2023 effective: 0.5 + 1.5 + 2.0 (self, not appraised) + 2.25 = 6.25; 2022: 7.0.
    assert_eq!((c.total, c.previous_total, c.max), (Some(6.25), Some(7.0), 9.0));
    let lost: Vec<(&str, f64)> = c.lost.iter().map(|n| (n.id.as_str(), n.change.unwrap())).collect();
    // Criterion 1.1 lost 0.5 through its component 1.1.1; 1.2 gained 0.5.
    assert_eq!(lost, vec![("1.1.1", -1.0), ("2.1", -0.75), ("1.1", -0.5)]);
    let field1 = c.nodes.iter().find(|n| n.id == "1").unwrap();
    assert_eq!(
        (field1.previous, field1.current, field1.change),
        (Some(4.0), Some(4.0), Some(0.0))
    );
    let first = compare_par(&t, &y2022, None);
    assert!(first.lost.is_empty() && first.previous_total.is_none());
}

fn directive(id: &str, assignees: &[&str], deadline: NaiveDate, completed: Option<NaiveDate>) -> Directive {
    Directive {
        id: id.into(),
        document: "Công văn 1/VPCP".into(),
        title: "Nhiệm vụ".into(),
        issuer: "Văn phòng Chính phủ".into(),
        issued_on: date(2024, 1, 2),
        assignees: assignees.iter().map(|s| s.to_string()).collect(),
        deadline,
        status: if completed.is_some() {
            DirectiveStatus::Completed
        } else {
            DirectiveStatus::InProgress
        },
        completed_at: completed,
        sample: true,
        progress: vec![],
    }
}

#[test]
fn directive_states_on_a_day() {
    let today = date(2024, 3, 25);
    let deadline = date(2024, 3, 20);
    assert_eq!(
        directive_state(&directive("a", &["x"], deadline, Some(deadline)), today),
        DirectiveState::CompletedOnTime
    );
    assert_eq!(
        directive_state(&directive("a", &["x"], deadline, Some(date(2024, 3, 21))), today),
        DirectiveState::CompletedLate
    );
    assert_eq!(
        directive_state(&directive("a", &["x"], deadline, None), today),
        DirectiveState::Overdue
    );
    assert_eq!(
        directive_state(&directive("a", &["x"], date(2024, 4, 1), None), today),
        DirectiveState::DueSoon
    );
    assert_eq!(
        directive_state(&directive("a", &["x"], date(2024, 4, 2), None), today),
        DirectiveState::Open
    );
    // Completed after the day of the report: still open then.
    assert_eq!(
        directive_state(&directive("a", &["x"], deadline, Some(date(2024, 3, 30))), today),
        DirectiveState::Overdue
    );
    assert!(directive("a", &["x"], deadline, None).validate().is_ok());
    let mut bad = directive("a", &[], deadline, None);
    assert!(bad.validate().is_err());
    bad.assignees.push("x".into());
    bad.completed_at = Some(deadline);
    assert!(bad.validate().is_err(), "completed_at on an unfinished directive");
}

#[test]
fn completion_per_unit_counts_each_assignee() {
    let today = date(2024, 4, 30);
    let ds = vec![
        directive("a", &["x", "y"], date(2024, 3, 1), Some(date(2024, 2, 20))),
        directive("b", &["x"], date(2024, 3, 1), None),
        directive("c", &["y"], date(2024, 3, 1), Some(date(2024, 3, 5))),
        directive("d", &["y"], date(2024, 6, 1), None),
    ];
    let by_unit = completion_by_unit(&ds, today);
    assert_eq!(by_unit.len(), 2);
    let x = &by_unit[0];
    assert_eq!(
        (x.unit.as_str(), x.assigned, x.completed_on_time, x.overdue),
        ("x", 2, 1, 1)
    );
    assert_eq!(x.on_time_rate, Some(50.0));
    let y = &by_unit[1];
    assert_eq!(
        (y.assigned, y.completed_on_time, y.completed_late, y.open),
        (3, 1, 1, 1)
    );
    assert_eq!(y.on_time_rate, Some(50.0));
}

fn source(q: &str) -> SourceRef {
    SourceRef {
        query: q.into(),
        period: "2024-Q1".into(),
        unit: None,
    }
}

#[test]
fn bottlenecks_rank_across_kinds() {
    let row = |id: &str, status: Option<Status>, target: f64, actual: Option<f64>| PlanIndicatorRow {
        id: id.into(),
        name: id.into(),
        name_en: id.into(),
        unit_of_measure: "%".into(),
        direction: Direction::HigherIsBetter,
        source: ValueSource::Reported,
        metric: None,
        responsible_unit: "u".into(),
        targets: BTreeMap::new(),
        target: Some(target),
        actual,
        forecast: actual,
        status,
        numerator: None,
        denominator: None,
        value_id: None,
        source_ref: source(&format!("plan {id}")),
    };
    let indicators = vec![
        row("missed-half", Some(Status::Missed), 80.0, Some(40.0)),
        row("risk-quarter", Some(Status::AtRisk), 80.0, Some(60.0)),
        row("fine", Some(Status::Achieved), 80.0, Some(90.0)),
        row("nodata", Some(Status::Missed), 80.0, None),
    ];
    let plans = vec![PlanSection {
        id: "p".into(),
        name: "p".into(),
        name_en: "p".into(),
        year: 2024,
        document: String::new(),
        sample: true,
        period: "2024-Q1".into(),
        elapsed: 1.0,
        status_counts: PlanSection::count_statuses(&indicators),
        indicators,
    }];
    assert_eq!(plans[0].status_counts.get("missed"), Some(&2));
    let unit = |code: &str, percent: Option<f64>| IndexUnitRow {
        unit: code.into(),
        name: code.into(),
        total: percent.unwrap_or(0.0),
        max: 100.0,
        percent,
        previous_total: None,
        previous_max: None,
        previous_percent: None,
        change: None,
        received: 1,
        handled: 1,
        source: source(code),
        previous_source: source(code),
    };
    let index = IndexSection {
        config_version: "qd766-2022".into(),
        province: unit("52", Some(80.0)),
        units: vec![unit("c1", Some(70.0)), unit("c2", None)],
    };
    let directives = DirectiveSection {
        as_of: date(2024, 3, 31),
        total: 4,
        states: BTreeMap::new(),
        by_unit: completion_by_unit(
            &[
                directive("a", &["x"], date(2024, 3, 1), None),
                directive("b", &["x"], date(2024, 3, 1), Some(date(2024, 3, 1))),
                directive("c", &["x"], date(2024, 3, 1), Some(date(2024, 3, 1))),
                directive("d", &["x"], date(2024, 3, 1), Some(date(2024, 3, 1))),
            ],
            date(2024, 3, 31),
        ),
        attention: vec![],
        source: source("directives"),
    };
    let ranked = rank_bottlenecks(&plans, &index, None, &directives, 10);
    let order: Vec<(&str, f64)> = ranked.iter().map(|b| (b.subject_id.as_str(), b.severity)).collect();
    assert_eq!(
        order,
        vec![
            ("p/nodata", 1.0),
            ("p/missed-half", 0.5),
            ("c1", 0.3),
            ("x", 0.25),
            ("p/risk-quarter", 0.175)
        ]
    );
    assert_eq!(ranked[2].evidence.query, "c1");
    assert_eq!(rank_bottlenecks(&plans, &index, None, &directives, 2).len(), 2);
}

#[test]
fn sample_data_is_valid_and_labelled() {
    let bundles = sample_bundles().unwrap();
    let plans: Vec<&Plan> = bundles.iter().flat_map(|b| &b.plans).collect();
    // The 2024 plan of the meeting and the same indicators for the current year.
    let years: Vec<i32> = plans.iter().map(|p| p.year).collect();
    assert_eq!(years, vec![2024, 2026]);
    for plan in plans {
        assert!(plan.sample && plan.name.contains("dữ liệu mẫu"));
        assert_eq!(plan.indicators.len(), 12);
        let system = plan
            .indicators
            .iter()
            .filter(|i| i.source == ValueSource::System)
            .count();
        assert!(system >= 6, "{system} system indicators");
        let (year, q1) = (plan.year.to_string(), format!("{}-Q1", plan.year));
        for i in &plan.indicators {
            assert!(i.targets.contains_key(&year) && i.targets.contains_key(&q1), "{}", i.id);
        }
    }
    let trees: Vec<&ParTree> = bundles.iter().flat_map(|b| &b.par_trees).collect();
    assert_eq!(trees.len(), 1);
    assert_eq!(trees[0].fields.len(), 8, "the eight fields of the PAR Index");
    assert!((trees[0].max() - 100.0).abs() < 1e-9);
    let years: Vec<i32> = bundles.iter().flat_map(|b| &b.par_years).map(|y| y.year).collect();
    assert_eq!(years, vec![2022, 2023]);
    let directives: Vec<&Directive> = bundles.iter().flat_map(|b| &b.directives).collect();
    assert_eq!(directives.len(), 10);
    assert!(directives.iter().all(|d| d.sample && d.document.contains("minh họa")));
    for b in &bundles {
        assert!(b.note.contains("MẪU"), "{}", b.note);
    }
}
