use std::collections::BTreeMap;

use chrono::NaiveDate;
use motcua_domain::plans::{
    Bottleneck, BottleneckKind, Direction, DirectiveRow, DirectiveSection, DirectiveState, IndexSection, IndexUnitRow,
    ParComparison, ParNodeChange, ParSection, PlanIndicatorRow, PlanSection, SourceRef, Status, SteeringReport,
    UnitCompletion, ValueSource,
};
use typst::layout::{Frame, FrameItem};

use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn src(query: &str, unit: Option<&str>) -> SourceRef {
    SourceRef {
        query: query.into(),
        period: "2024-Q1".into(),
        unit: unit.map(Into::into),
    }
}

fn unit(i: usize) -> IndexUnitRow {
    let code = format!("{}", 23500 + i);
    let percent = 60.0 + (i as f64) * 0.25;
    IndexUnitRow {
        unit: code.clone(),
        name: format!("Ủy ban nhân dân xã Ia Đơn {i}"),
        total: percent / 5.0,
        max: 20.0,
        percent: Some(percent),
        previous_total: Some(12.0),
        previous_max: Some(20.0),
        previous_percent: Some(60.0),
        change: Some(((percent - 60.0) * 100.0).round() / 100.0),
        received: 10 + i as u64,
        handled: 8 + i as u64,
        source: src(
            &format!("GET /api/v1/index?unit={code}&from=2024-01-01&to=2024-03-31"),
            Some(&code),
        ),
        previous_source: SourceRef {
            period: "2023-Q4".into(),
            ..src(
                &format!("GET /api/v1/index?unit={code}&from=2023-10-01&to=2023-12-31"),
                Some(&code),
            )
        },
    }
}

fn report(units: usize) -> SteeringReport {
    let indicators = vec![
        PlanIndicatorRow {
            id: "ct-01".into(),
            name: "Tỷ lệ hồ sơ trực tuyến toàn trình".into(),
            name_en: "Share of full-online dossiers".into(),
            unit_of_measure: "%".into(),
            direction: Direction::HigherIsBetter,
            source: ValueSource::System,
            metric: Some("online_share".into()),
            responsible_unit: "Sở Khoa học và Công nghệ".into(),
            targets: BTreeMap::from([("2024-Q1".to_string(), 80.0)]),
            target: Some(80.0),
            actual: Some(61.25),
            forecast: Some(61.25),
            status: Some(Status::Missed),
            numerator: Some(49),
            denominator: Some(80),
            value_id: None,
            source_ref: src("GET /api/v1/plans/cds-2024?period=2024-Q1", None),
        },
        PlanIndicatorRow {
            id: "ct-02".into(),
            name: "Số cuộc tập huấn kỹ năng số".into(),
            name_en: "Digital-skills trainings".into(),
            unit_of_measure: "cuộc".into(),
            direction: Direction::HigherIsBetter,
            source: ValueSource::Reported,
            metric: None,
            responsible_unit: "Sở Nội vụ".into(),
            targets: BTreeMap::from([("2024-Q1".to_string(), 1200.0)]),
            target: Some(1200.0),
            actual: Some(1350.5),
            forecast: Some(1350.5),
            status: Some(Status::Achieved),
            numerator: None,
            denominator: None,
            value_id: Some(7),
            source_ref: src("GET /api/v1/plans/cds-2024/values/7", None),
        },
    ];
    let lost = ParNodeChange {
        id: "2.3".into(),
        name: "Kiểm soát thủ tục hành chính".into(),
        name_en: "Control of procedures".into(),
        depth: 1,
        max: 3.5,
        previous: Some(3.0),
        current: Some(2.25),
        current_self_assessed: Some(3.0),
        change: Some(-0.75),
        evidence: "Báo cáo số 12/BC-VP".into(),
    };
    let directives = DirectiveSection {
        as_of: day("2024-03-31"),
        total: 4,
        states: BTreeMap::from([("overdue".to_string(), 1), ("completed_on_time".to_string(), 3)]),
        by_unit: vec![UnitCompletion {
            unit: "000.00.12.H21".into(),
            assigned: 4,
            completed_on_time: 3,
            completed_late: 0,
            overdue: 1,
            due_soon: 0,
            open: 0,
            on_time_rate: Some(75.0),
        }],
        attention: vec![DirectiveRow {
            id: "cd-2024-03".into(),
            document: "Công văn 123/UBND-KGVX".into(),
            title: "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính".into(),
            issuer: "Chủ tịch UBND tỉnh".into(),
            assignees: vec!["000.00.12.H21".into()],
            deadline: day("2024-03-20"),
            completed_at: None,
            state: DirectiveState::Overdue,
        }],
        source: src("GET /api/v1/directives?as_of=2024-03-31", None),
    };
    SteeringReport {
        title: "Báo cáo Ban Chỉ đạo kỳ 2024-Q1".into(),
        title_en: "Steering committee report, 2024-Q1".into(),
        period: "2024-Q1".into(),
        from: day("2024-01-01"),
        to: day("2024-03-31"),
        previous_period: "2023-Q4".into(),
        province: "64".into(),
        generated_at: "2024-04-02T08:00:00+07:00".into(),
        contains_sample_data: true,
        plans: vec![PlanSection {
            id: "cds-2024".into(),
            name: "Kế hoạch chuyển đổi số năm 2024".into(),
            name_en: "Digital transformation plan 2024".into(),
            year: 2024,
            document: "Kế hoạch số 01/KH-UBND (dữ liệu mẫu)".into(),
            sample: true,
            period: "2024-Q1".into(),
            elapsed: 1.0,
            status_counts: PlanSection::count_statuses(&indicators),
            indicators,
        }],
        index: IndexSection {
            config_version: "qd766-2023".into(),
            province: IndexUnitRow {
                name: "Toàn tỉnh".into(),
                ..unit(99)
            },
            units: (0..units).map(unit).collect(),
        },
        par: Some(ParSection {
            comparison: ParComparison {
                tree_version: "par-2023".into(),
                year: 2023,
                previous_year: Some(2022),
                total: Some(80.5),
                previous_total: Some(82.0),
                max: 100.0,
                nodes: vec![lost.clone()],
                lost: vec![lost],
            },
            sample: true,
            source: SourceRef {
                period: "2023".into(),
                ..src("GET /api/v1/par-index?year=2023&version=par-2023", None)
            },
        }),
        directives,
        bottlenecks: vec![Bottleneck {
            kind: BottleneckKind::PlanIndicator,
            subject_id: "cds-2024/ct-01".into(),
            subject: "Tỷ lệ hồ sơ trực tuyến toàn trình".into(),
            severity: 0.234,
            detail: "Chỉ tiêu 80 %, thực hiện 61.25; trạng thái missed".into(),
            detail_en: "Target 80 %, actual 61.25; status missed".into(),
            evidence: src("GET /api/v1/plans/cds-2024?period=2024-Q1", None),
        }],
    }
}

fn ctx() -> SteeringContext {
    SteeringContext {
        issuer: Issuer {
            authority: "Ủy ban nhân dân tỉnh Gia Lai".into(),
            body: "Ban Chỉ đạo chuyển đổi số và cải cách hành chính tỉnh".into(),
            place: "Gia Lai".into(),
        },
        unit_names: BTreeMap::from([("000.00.12.H21".to_string(), "Sở Khoa học và Công nghệ".to_string())]),
    }
}

fn walk(frame: &Frame, text: &mut String, notdef: &mut usize) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => walk(&g.frame, text, notdef),
            FrameItem::Text(t) => {
                text.push_str(&t.text);
                text.push(' ');
                *notdef += t.glyphs.iter().filter(|g| g.id == 0).count();
            }
            _ => {}
        }
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Text of each page, whitespace removed.
fn pages(report: &SteeringReport) -> Vec<String> {
    let doc = layout_steering(report, &ctx()).expect("layout");
    doc.pages()
        .iter()
        .map(|p| {
            let (mut text, mut notdef) = (String::new(), 0);
            walk(&p.frame, &mut text, &mut notdef);
            assert_eq!(notdef, 0, "glyphs missing: {text}");
            squash(&text)
        })
        .collect()
}

#[test]
fn numbers_are_written_the_vietnamese_way() {
    assert_eq!(num_vi(1234.5, 2), "1.234,5");
    assert_eq!(num_vi(80.0, 2), "80");
    assert_eq!(num_vi(-0.75, 2), "-0,75");
    assert_eq!(num_vi(-0.001, 2), "0");
    assert_eq!(num_vi(1_000_000.0, 0), "1.000.000");
    assert_eq!(num_vi(f64::NAN, 2), "–");
}

#[test]
fn the_pdf_carries_the_headings_figures_and_sources() {
    let report = report(3);
    let text = pages(&report).concat();
    for expected in [
        "ỦY BAN NHÂN DÂN TỈNH GIA LAI",
        "BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ VÀ CẢI CÁCH HÀNH CHÍNH TỈNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BÁO CÁO BAN CHỈ ĐẠO KỲ 2024-Q1",
        "Gia Lai, ngày 02 tháng 04 năm 2024",
        "dữ liệu mẫu",
        "1. Kết quả thực hiện các chỉ tiêu kế hoạch",
        "Tỷ lệ hồ sơ trực tuyến toàn trình",
        "61,25",
        "1.350,5",
        "Không đạt",
        "Đạt",
        "Toàn tỉnh",
        "Ủy ban nhân dân xã Ia Đơn 2",
        "60,5%",
        "+0,5",
        "Kiểm soát thủ tục hành chính",
        "-0,75",
        "Sở Khoa học và Công nghệ",
        "Quá hạn",
        "20/03/2024",
        "75%",
        "23,4%",
        "Nguồn số liệu",
        "GET /api/v1/directives?as_of=2024-03-31",
        "GET /api/v1/index?unit=23502&from=2024-01-01&to=2024-03-31",
    ] {
        assert!(text.contains(&squash(expected)), "{expected} missing");
    }
    let pdf = render_steering_pdf(&report, &ctx()).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf[pdf.len().saturating_sub(64)..].windows(5).any(|w| w == b"%%EOF"));
}

#[test]
fn without_sample_data_there_is_no_notice() {
    let mut report = report(1);
    report.contains_sample_data = false;
    let text = pages(&report).concat();
    assert!(!text.contains(&squash("Lưu ý — dữ liệu mẫu")));
}

#[test]
fn a_long_index_table_repeats_its_header_on_every_page() {
    let report = report(140);
    let pages = pages(&report);
    // The header row is repeated on every page the index table spans.
    let with_header = pages.iter().filter(|p| p.contains(&squash("Tỷ lệ kỳ trước"))).count();
    assert!(with_header >= 3, "{with_header} pages with the index header");
    let all = pages.concat();
    // Province first, then lowest first: unit 0 (60%) comes before unit 139.
    let first = all.find(&squash("Ia Đơn 0")).expect("unit 0");
    let last = all.find(&squash("Ia Đơn 139")).expect("unit 139");
    assert!(all.find(&squash("Toàn tỉnh")).expect("province") < first && first < last);
}

#[test]
fn user_text_is_never_markup() {
    let mut report = report(1);
    let hostile = r#"#panic("x") *b* $x$ ] #import "/data.json" <l> @ref"#;
    report.plans[0].indicators[0].name = hostile.into();
    report.index.units[0].name = hostile.into();
    let text = pages(&report).concat();
    assert!(text.matches(&squash(hostile)).count() >= 2);
}

#[test]
fn the_workbook_has_the_same_figures_as_the_report() {
    use calamine::{Data, Reader, Xlsx};
    let report = report(5);
    let bytes = render_steering_xlsx(&report, &ctx()).expect("xlsx");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
    assert_eq!(book.sheet_names(), STEERING_SHEETS.map(String::from).to_vec());
    let num = |d: Option<&Data>| match d {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    };
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    };

    let plans = book.worksheet_range(STEERING_SHEETS[1]).expect("plans");
    assert_eq!(
        plans.get_value((0, 10)).map(|v| v.to_string()).as_deref(),
        Some("Nguồn")
    );
    for (i, r) in report.plans[0].indicators.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(plans.get_value((row, 1)).map(|v| v.to_string()), Some(r.id.clone()));
        assert!(close(num(plans.get_value((row, 4))), r.target));
        assert!(close(num(plans.get_value((row, 5))), r.actual));
        assert_eq!(
            plans.get_value((row, 7)).map(|v| v.to_string()).as_deref(),
            Some(status_vi(r.status))
        );
        assert!(plans
            .get_value((row, 10))
            .map(|v| v.to_string())
            .unwrap_or_default()
            .contains(&r.source_ref.query));
    }

    let index = book.worksheet_range(STEERING_SHEETS[2]).expect("index");
    let rows: Vec<&IndexUnitRow> = std::iter::once(&report.index.province)
        .chain(&report.index.units)
        .collect();
    assert_eq!(index.end().map(|(r, _)| r as usize), Some(rows.len()));
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(index.get_value((row, 1)).map(|v| v.to_string()), Some(r.unit.clone()));
        assert!(close(num(index.get_value((row, 3))), Some(r.total)));
        // Percentages are stored as fractions with a percent format.
        assert!(close(num(index.get_value((row, 5))).map(|v| v * 100.0), r.percent));
        assert!(close(num(index.get_value((row, 7))), r.change));
        assert!(close(num(index.get_value((row, 8))), Some(r.received as f64)));
    }

    let par = book.worksheet_range(STEERING_SHEETS[3]).expect("par");
    assert!(close(num(par.get_value((1, 5))), Some(-0.75)));
    let units = book.worksheet_range(STEERING_SHEETS[4]).expect("units");
    assert_eq!(
        units.get_value((1, 1)).map(|v| v.to_string()).as_deref(),
        Some("Sở Khoa học và Công nghệ")
    );
    assert!(close(num(units.get_value((1, 5))), Some(1.0)));
    assert!(close(num(units.get_value((1, 8))), Some(0.75)));
    let attention = book.worksheet_range(STEERING_SHEETS[5]).expect("attention");
    assert_eq!(
        attention.get_value((1, 0)).map(|v| v.to_string()).as_deref(),
        Some("cd-2024-03")
    );
    let bottlenecks = book.worksheet_range(STEERING_SHEETS[6]).expect("bottlenecks");
    assert!(close(num(bottlenecks.get_value((1, 3))), Some(0.234)));
}
