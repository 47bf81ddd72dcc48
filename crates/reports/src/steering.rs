//! The steering-committee report (báo cáo Ban Chỉ đạo) of a period, as PDF and as an Excel
//! workbook. Both take a [`SteeringReport`] as it is: they format and lay out its figures and add
//! none of their own. Every figure keeps its source: a numbered reference in the PDF (listed in
//! the closing "Nguồn số liệu" table), a "Nguồn" column in the workbook.

use std::collections::{BTreeMap, HashMap};

use motcua_domain::plans::{
    BottleneckKind, DirectiveState, IndexUnitRow, SourceRef, Status, SteeringReport, ValueSource,
};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use serde_json::{json, Value};
use typst_layout::PagedDocument;

use crate::forms::Issuer;
use crate::world::{FormWorld, DATA_PATH};
use crate::ReportError;

/// What the report needs beyond its figures: who issues it and the names of the units its
/// directive figures name by code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SteeringContext {
    /// Authority ("Ủy ban nhân dân tỉnh Gia Lai"), body ("Ban Chỉ đạo …") and place.
    pub issuer: Issuer,
    /// Unit code → name.
    pub unit_names: BTreeMap<String, String>,
}

impl SteeringContext {
    fn unit_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.unit_names.get(code).map_or(code, String::as_str)
    }
}

/// Vietnamese name of a plan status; `None`: the plan sets no target for the period.
pub fn status_vi(status: Option<Status>) -> &'static str {
    status.map_or("Chưa đặt chỉ tiêu", Status::name_vi)
}

/// Vietnamese name of a directive's state.
pub fn directive_state_vi(state: DirectiveState) -> &'static str {
    match state {
        DirectiveState::CompletedOnTime => "Hoàn thành đúng hạn",
        DirectiveState::CompletedLate => "Hoàn thành quá hạn",
        DirectiveState::Overdue => "Quá hạn",
        DirectiveState::DueSoon => "Sắp đến hạn",
        DirectiveState::Open => "Đang thực hiện",
    }
}

fn source_vi(source: ValueSource) -> &'static str {
    match source {
        ValueSource::System => "Hệ thống",
        ValueSource::Reported => "Đơn vị báo cáo",
    }
}

fn kind_vi(kind: BottleneckKind) -> &'static str {
    match kind {
        BottleneckKind::PlanIndicator => "Chỉ tiêu kế hoạch",
        BottleneckKind::IndexUnit => "Chỉ số QĐ 766",
        BottleneckKind::ParCriterion => "Tiêu chí PAR Index",
        BottleneckKind::DirectiveUnit => "Nhiệm vụ được giao",
    }
}

/// A number the Vietnamese way: `.` between thousands, `,` before decimals, at most `decimals`
/// decimals with trailing zeros dropped (`1.234,5`).
pub fn num_vi(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = frac.trim_end_matches('0');
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let negative = x < 0.0 && (grouped.chars().any(|c| c != '0' && c != '.') || !frac.is_empty());
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

fn opt_num(x: Option<f64>, decimals: usize) -> String {
    x.map_or("–".into(), |v| num_vi(v, decimals))
}

fn opt_percent(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{}%", num_vi(v, 2)))
}

fn signed(x: Option<f64>) -> String {
    match x {
        Some(v) if v > 0.0 => format!("+{}", num_vi(v, 2)),
        Some(v) => num_vi(v, 2),
        None => "–".into(),
    }
}

fn date_vi(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The numbered source references of the PDF: the same reference gets the same number.
#[derive(Default)]
struct Refs {
    list: Vec<SourceRef>,
    seen: HashMap<(String, String, Option<String>), usize>,
}

impl Refs {
    fn cite(&mut self, r: &SourceRef) -> String {
        let key = (r.query.clone(), r.period.clone(), r.unit.clone());
        let n = match self.seen.get(&key) {
            Some(n) => *n,
            None => {
                self.list.push(r.clone());
                let n = self.list.len();
                self.seen.insert(key, n);
                n
            }
        };
        format!("[{n}]")
    }
}

fn index_row(no: String, row: &IndexUnitRow, refs: &mut Refs) -> Value {
    json!({
        "no": no,
        "name": row.name,
        "code": row.unit,
        "points": format!("{}/{}", num_vi(row.total, 2), num_vi(row.max, 2)),
        "percent": opt_percent(row.percent),
        "previous": opt_percent(row.previous_percent),
        "change": signed(row.change),
        "received": num_vi(row.received as f64, 0),
        "handled": num_vi(row.handled as f64, 0),
        "src": format!("{} {}", refs.cite(&row.source), refs.cite(&row.previous_source)),
    })
}

/// The JSON the template reads: every value already formatted, so the template only lays out.
fn template_data(report: &SteeringReport, ctx: &SteeringContext) -> Value {
    let mut refs = Refs::default();
    let issued = chrono::DateTime::parse_from_rfc3339(&report.generated_at)
        .map(|t| t.date_naive())
        .unwrap_or(report.to);
    let plans: Vec<Value> = report
        .plans
        .iter()
        .map(|plan| {
            let counts = [
                ("achieved", "đạt"),
                ("on_track", "đúng tiến độ"),
                ("at_risk", "có nguy cơ không đạt"),
                ("missed", "không đạt"),
                ("no_target", "chưa đặt chỉ tiêu"),
            ]
            .iter()
            .filter_map(|(key, label)| plan.status_counts.get(*key).map(|n| format!("{n} {label}")))
            .collect::<Vec<_>>()
            .join(", ");
            let rows: Vec<Value> = plan
                .indicators
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    json!({
                        "no": (i + 1).to_string(),
                        "name": r.name,
                        "responsible": r.responsible_unit,
                        "uom": r.unit_of_measure,
                        "target": opt_num(r.target, 2),
                        "actual": opt_num(r.actual, 2),
                        "status": status_vi(r.status),
                        "late": matches!(r.status, Some(Status::Missed | Status::AtRisk)),
                        "source": source_vi(r.source),
                        "src": refs.cite(&r.source_ref),
                    })
                })
                .collect();
            json!({
                "name": plan.name,
                "document": plan.document,
                "sample": plan.sample,
                "summary": format!(
                    "{} chỉ tiêu: {counts}. Thời gian đã qua của kỳ: {}%.",
                    plan.indicators.len(),
                    num_vi(plan.elapsed * 100.0, 0)
                ),
                "rows": rows,
            })
        })
        .collect();

    let index = &report.index;
    let mut index_rows = vec![index_row(String::new(), &index.province, &mut refs)];
    for (i, row) in index.units.iter().enumerate() {
        index_rows.push(index_row((i + 1).to_string(), row, &mut refs));
    }

    let par = report.par.as_ref().map(|p| {
        let c = &p.comparison;
        let src = refs.cite(&p.source);
        let previous = c.previous_year.map_or("–".to_string(), |y| y.to_string());
        json!({
            "year": c.year.to_string(),
            "previous_year": previous,
            "sample": p.sample,
            "summary": format!(
                "Tổng điểm năm {}: {}/{} điểm; năm {previous}: {} điểm.",
                c.year,
                opt_num(c.total, 2),
                num_vi(c.max, 2),
                opt_num(c.previous_total, 2)
            ),
            "src": src,
            "rows": c.lost.iter().enumerate().map(|(i, n)| json!({
                "no": (i + 1).to_string(),
                "id": n.id,
                "name": n.name,
                "max": num_vi(n.max, 2),
                "previous": opt_num(n.previous, 2),
                "current": opt_num(n.current, 2),
                "change": signed(n.change),
                "evidence": n.evidence,
                "src": src,
            })).collect::<Vec<_>>(),
        })
    });

    let d = &report.directives;
    let dsrc = refs.cite(&d.source);
    let states = [
        DirectiveState::CompletedOnTime,
        DirectiveState::CompletedLate,
        DirectiveState::Overdue,
        DirectiveState::DueSoon,
        DirectiveState::Open,
    ]
    .iter()
    .map(|s| {
        format!(
            "{} {}",
            d.states.get(s.as_str()).copied().unwrap_or(0),
            directive_state_vi(*s).to_lowercase()
        )
    })
    .collect::<Vec<_>>()
    .join(", ");
    let by_unit: Vec<Value> = d
        .by_unit
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let unit_src = refs.cite(&SourceRef {
                unit: Some(u.unit.clone()),
                ..d.source.clone()
            });
            json!({
                "no": (i + 1).to_string(),
                "name": ctx.unit_name(&u.unit),
                "assigned": u.assigned.to_string(),
                "on_time": u.completed_on_time.to_string(),
                "late": u.completed_late.to_string(),
                "overdue": u.overdue.to_string(),
                "due_soon": u.due_soon.to_string(),
                "open": u.open.to_string(),
                "rate": opt_percent(u.on_time_rate),
                "src": unit_src,
            })
        })
        .collect();
    let attention: Vec<Value> = d
        .attention
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "no": (i + 1).to_string(),
                "document": a.document,
                "title": a.title,
                "issuer": a.issuer,
                "assignees": a.assignees.iter().map(|u| ctx.unit_name(u)).collect::<Vec<_>>().join("; "),
                "deadline": date_vi(a.deadline),
                "state": directive_state_vi(a.state),
                "src": dsrc,
            })
        })
        .collect();

    let bottlenecks: Vec<Value> = report
        .bottlenecks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            json!({
                "no": (i + 1).to_string(),
                "kind": kind_vi(b.kind),
                "subject": b.subject,
                "severity": format!("{}%", num_vi(b.severity * 100.0, 1)),
                "detail": b.detail,
                "src": refs.cite(&b.evidence),
            })
        })
        .collect();

    // Unit names for the sources: the context's, and the index rows' own.
    let mut names: BTreeMap<&str, &str> = ctx.unit_names.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    for row in std::iter::once(&index.province).chain(&index.units) {
        names.entry(row.unit.as_str()).or_insert(row.name.as_str());
    }
    let sources: Vec<Value> = refs
        .list
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "no": format!("[{}]", i + 1),
                "query": r.query,
                "period": r.period,
                "unit": r.unit.as_deref().map_or(String::new(), |u| match names.get(u) {
                    Some(name) if *name != u => format!("{name} ({u})"),
                    _ => u.to_string(),
                }),
            })
        })
        .collect();

    json!({
        "title": report.title,
        "authority": ctx.issuer.authority,
        "body": ctx.issuer.body,
        "date_line": format!(
            "{}, ngày {} tháng {} năm {}",
            ctx.issuer.place,
            issued.format("%d"),
            issued.format("%m"),
            issued.format("%Y")
        ),
        "subtitle": format!(
            "Kỳ báo cáo: từ ngày {} đến ngày {} (so sánh với kỳ {})",
            date_vi(report.from),
            date_vi(report.to),
            report.previous_period
        ),
        "sample": report.contains_sample_data,
        "generated_at": report.generated_at,
        "plans": plans,
        "index": {
            "config": index.config_version,
            "period": report.period,
            "previous_period": report.previous_period,
            "units": index.units.len().to_string(),
            "rows": index_rows,
        },
        "par": par,
        "directives": {
            "as_of": date_vi(d.as_of),
            "total": d.total.to_string(),
            "states": states,
            "src": dsrc,
            "by_unit": by_unit,
            "attention": attention,
        },
        "bottlenecks": bottlenecks,
        "sources": sources,
    })
}

fn template_error(errors: impl IntoIterator<Item = impl std::fmt::Display>) -> ReportError {
    ReportError::Template(errors.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
}

/// Lays the report out (the step before PDF export; tests read its text).
pub(crate) fn layout_steering(report: &SteeringReport, ctx: &SteeringContext) -> Result<PagedDocument, ReportError> {
    let data = serde_json::to_vec(&template_data(report, ctx)).map_err(|e| ReportError::Input(e.to_string()))?;
    let today = chrono::DateTime::parse_from_rfc3339(&report.generated_at)
        .map(|t| t.date_naive())
        .unwrap_or(report.to);
    let world = FormWorld::new("/steering.typ", vec![(DATA_PATH, data)], today)
        .ok_or_else(|| ReportError::Template("no template /steering.typ".into()))?;
    typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| template_error(errors.iter().map(|e| e.message.clone())))
}

/// Typesets the report as PDF.
pub fn render_steering_pdf(report: &SteeringReport, ctx: &SteeringContext) -> Result<Vec<u8>, ReportError> {
    let document = layout_steering(report, ctx)?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("motcua-steering-{}", report.period)),
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options)
        .map_err(|errors| template_error(errors.iter().map(|e| e.message.clone())))?;
    typst::comemo::evict(8);
    Ok(pdf)
}

/// Sheet names of the workbook, in order.
pub const STEERING_SHEETS: [&str; 7] = [
    "Thông tin",
    "1. Chỉ tiêu kế hoạch",
    "2. Chỉ số QĐ 766",
    "3. PAR Index",
    "4. Nhiệm vụ theo đơn vị",
    "4b. Quá hạn, sắp đến hạn",
    "5. Điểm nghẽn",
];

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Spreadsheet(e.to_string())
}

/// The cell formats of the workbook.
struct Styles {
    head: Format,
    text: Format,
    number: Format,
    integer: Format,
    percent: Format,
    change: Format,
    bold: Format,
}

impl Styles {
    fn new() -> Styles {
        let border = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::Top);
        Styles {
            head: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color("#E7ECF3"),
            text: border.clone().set_text_wrap(),
            number: border.clone().set_num_format("#,##0.00"),
            integer: border.clone().set_num_format("#,##0"),
            percent: border.clone().set_num_format("0.00%"),
            change: border.set_num_format("+0.00;-0.00;0.00"),
            bold: Format::new().set_bold(),
        }
    }
}

/// One cell of a data row.
enum Cell {
    Text(String),
    Number(Option<f64>),
    Integer(u64),
    /// A value in percent (85.23) written as the fraction 0.8523 with a percent format.
    Percent(Option<f64>),
    /// A change in percentage points or points, signed.
    Change(Option<f64>),
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn source_text(r: &SourceRef) -> String {
    match &r.unit {
        Some(u) => format!("{} (kỳ {}, đơn vị {u})", r.query, r.period),
        None => format!("{} (kỳ {})", r.query, r.period),
    }
}

/// A sheet with a frozen header row and one row per `rows` entry.
fn write_table(
    sheet: &mut Worksheet,
    styles: &Styles,
    columns: &[(&str, f64)],
    rows: &[Vec<Cell>],
) -> Result<(), ReportError> {
    for (col, (name, width)) in columns.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, *width).map_err(xlsx_err)?;
        sheet
            .write_string_with_format(0, col, *name, &styles.head)
            .map_err(xlsx_err)?;
    }
    sheet.set_row_height(0, 32).map_err(xlsx_err)?;
    for (i, cells) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| ReportError::Input("too many rows".into()))?;
        for (col, cell) in cells.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(s) => sheet.write_string_with_format(row, col, s, &styles.text),
                Cell::Number(Some(v)) => sheet.write_number_with_format(row, col, *v, &styles.number),
                Cell::Integer(v) => sheet.write_number_with_format(row, col, *v as f64, &styles.integer),
                Cell::Percent(Some(v)) => sheet.write_number_with_format(row, col, *v / 100.0, &styles.percent),
                Cell::Change(Some(v)) => sheet.write_number_with_format(row, col, *v, &styles.change),
                Cell::Number(None) | Cell::Percent(None) | Cell::Change(None) => {
                    sheet.write_blank(row, col, &styles.text)
                }
            }
            .map_err(xlsx_err)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    Ok(())
}

fn index_cells(no: &str, row: &IndexUnitRow) -> Vec<Cell> {
    vec![
        text(no),
        text(&row.unit),
        text(&row.name),
        Cell::Number(Some(row.total)),
        Cell::Number(Some(row.max)),
        Cell::Percent(row.percent),
        Cell::Percent(row.previous_percent),
        Cell::Change(row.change),
        Cell::Integer(row.received),
        Cell::Integer(row.handled),
        text(source_text(&row.source)),
        text(source_text(&row.previous_source)),
    ]
}

/// Writes the report as a workbook: an information sheet, then one sheet per section.
pub fn render_steering_xlsx(report: &SteeringReport, ctx: &SteeringContext) -> Result<Vec<u8>, ReportError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();

    let sheet = workbook.add_worksheet();
    sheet.set_name(STEERING_SHEETS[0]).map_err(xlsx_err)?;
    sheet.set_column_width(0, 28).map_err(xlsx_err)?;
    sheet.set_column_width(1, 80).map_err(xlsx_err)?;
    let sample = if report.contains_sample_data {
        "Có — báo cáo có sử dụng dữ liệu mẫu (minh họa), không phải số liệu chính thức"
    } else {
        "Không"
    };
    let info = [
        ("Báo cáo", report.title.clone()),
        ("Cơ quan", format!("{} — {}", ctx.issuer.authority, ctx.issuer.body)),
        ("Kỳ báo cáo", report.period.clone()),
        ("Từ ngày", date_vi(report.from)),
        ("Đến ngày", date_vi(report.to)),
        ("Kỳ so sánh", report.previous_period.clone()),
        ("Mã tỉnh", report.province.clone()),
        ("Thời điểm lập", report.generated_at.clone()),
        ("Dữ liệu mẫu", sample.to_string()),
    ];
    for (i, (k, v)) in info.iter().enumerate() {
        let row = i as u32;
        sheet
            .write_string_with_format(row, 0, *k, &styles.bold)
            .map_err(xlsx_err)?;
        sheet.write_string(row, 1, v).map_err(xlsx_err)?;
    }

    // 1. Plan indicators.
    let mut rows = Vec::new();
    for plan in &report.plans {
        for r in &plan.indicators {
            rows.push(vec![
                text(&plan.name),
                text(&r.id),
                text(&r.name),
                text(&r.unit_of_measure),
                Cell::Number(r.target),
                Cell::Number(r.actual),
                Cell::Number(r.forecast),
                text(status_vi(r.status)),
                text(source_vi(r.source)),
                text(&r.responsible_unit),
                text(source_text(&r.source_ref)),
            ]);
        }
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name(STEERING_SHEETS[1]).map_err(xlsx_err)?;
    write_table(
        sheet,
        &styles,
        &[
            ("Kế hoạch", 30.0),
            ("Mã", 10.0),
            ("Chỉ tiêu", 50.0),
            ("Đơn vị tính", 12.0),
            ("Chỉ tiêu kỳ", 12.0),
            ("Thực hiện", 12.0),
            ("Dự báo cuối kỳ", 12.0),
            ("Trạng thái", 20.0),
            ("Nguồn số liệu", 16.0),
            ("Đơn vị chủ trì", 28.0),
            ("Nguồn", 60.0),
        ],
        &rows,
    )?;

    // 2. The QĐ 766 index, province first, then units lowest first.
    let mut rows = vec![index_cells("", &report.index.province)];
    for (i, u) in report.index.units.iter().enumerate() {
        rows.push(index_cells(&(i + 1).to_string(), u));
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name(STEERING_SHEETS[2]).map_err(xlsx_err)?;
    let previous = format!("Tỷ lệ kỳ {}", report.previous_period);
    let now = format!("Tỷ lệ kỳ {}", report.period);
    write_table(
        sheet,
        &styles,
        &[
            ("STT", 6.0),
            ("Mã đơn vị", 12.0),
            ("Đơn vị", 40.0),
            ("Điểm", 10.0),
            ("Điểm tối đa", 10.0),
            (now.as_str(), 12.0),
            (previous.as_str(), 12.0),
            ("Thay đổi (điểm %)", 12.0),
            ("Hồ sơ tiếp nhận", 12.0),
            ("Hồ sơ đã giải quyết", 12.0),
            ("Nguồn", 60.0),
            ("Nguồn kỳ trước", 60.0),
        ],
        &rows,
    )?;

    // 3. PAR criteria that lost points.
    let mut rows = Vec::new();
    if let Some(par) = &report.par {
        let src = source_text(&par.source);
        for n in &par.comparison.lost {
            rows.push(vec![
                text(&n.id),
                text(&n.name),
                Cell::Number(Some(n.max)),
                Cell::Number(n.previous),
                Cell::Number(n.current),
                Cell::Change(n.change),
                text(&n.evidence),
                text(src.clone()),
            ]);
        }
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name(STEERING_SHEETS[3]).map_err(xlsx_err)?;
    let (year, before) = report.par.as_ref().map_or((String::new(), String::new()), |p| {
        (
            p.comparison.year.to_string(),
            p.comparison.previous_year.map_or(String::new(), |y| y.to_string()),
        )
    });
    let before = format!("Điểm năm {before}");
    let year = format!("Điểm năm {year}");
    write_table(
        sheet,
        &styles,
        &[
            ("Mã tiêu chí", 10.0),
            ("Tiêu chí", 50.0),
            ("Điểm tối đa", 10.0),
            (before.as_str(), 12.0),
            (year.as_str(), 12.0),
            ("Thay đổi (điểm)", 12.0),
            ("Minh chứng", 40.0),
            ("Nguồn", 50.0),
        ],
        &rows,
    )?;

    // 4. Directive completion by unit, then the overdue and due-soon list.
    let d = &report.directives;
    let rows: Vec<Vec<Cell>> = d
        .by_unit
        .iter()
        .map(|u| {
            vec![
                text(&u.unit),
                text(ctx.unit_name(&u.unit)),
                Cell::Integer(u64::from(u.assigned)),
                Cell::Integer(u64::from(u.completed_on_time)),
                Cell::Integer(u64::from(u.completed_late)),
                Cell::Integer(u64::from(u.overdue)),
                Cell::Integer(u64::from(u.due_soon)),
                Cell::Integer(u64::from(u.open)),
                Cell::Percent(u.on_time_rate),
                text(source_text(&SourceRef {
                    unit: Some(u.unit.clone()),
                    ..d.source.clone()
                })),
            ]
        })
        .collect();
    let sheet = workbook.add_worksheet();
    sheet.set_name(STEERING_SHEETS[4]).map_err(xlsx_err)?;
    write_table(
        sheet,
        &styles,
        &[
            ("Mã đơn vị", 12.0),
            ("Đơn vị", 40.0),
            ("Được giao", 10.0),
            ("Hoàn thành đúng hạn", 12.0),
            ("Hoàn thành quá hạn", 12.0),
            ("Quá hạn", 10.0),
            ("Sắp đến hạn", 10.0),
            ("Đang thực hiện", 10.0),
            ("Tỷ lệ đúng hạn", 12.0),
            ("Nguồn", 50.0),
        ],
        &rows,
    )?;
    let src = source_text(&d.source);
    let rows: Vec<Vec<Cell>> = d
        .attention
        .iter()
        .map(|a| {
            vec![
                text(&a.id),
                text(&a.document),
                text(&a.title),
                text(&a.issuer),
                text(
                    a.assignees
                        .iter()
                        .map(|u| ctx.unit_name(u))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                text(date_vi(a.deadline)),
                text(directive_state_vi(a.state)),
                text(src.clone()),
            ]
        })
        .collect();
    let sheet = workbook.add_worksheet();
    sheet.set_name(STEERING_SHEETS[5]).map_err(xlsx_err)?;
    write_table(
        sheet,
        &styles,
        &[
            ("Mã", 14.0),
            ("Văn bản giao", 22.0),
            ("Nội dung nhiệm vụ", 50.0),
            ("Cơ quan giao", 24.0),
            ("Đơn vị thực hiện", 36.0),
            ("Hạn hoàn thành", 12.0),
            ("Tình trạng", 16.0),
            ("Nguồn", 40.0),
        ],
        &rows,
    )?;

    // 5. Bottlenecks.
    let rows: Vec<Vec<Cell>> = report
        .bottlenecks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            vec![
                text((i + 1).to_string()),
                text(kind_vi(b.kind)),
                text(&b.subject),
                Cell::Percent(Some(b.severity * 100.0)),
                text(&b.detail),
                text(source_text(&b.evidence)),
            ]
        })
        .collect();
    let sheet = workbook.add_worksheet();
    sheet.set_name(STEERING_SHEETS[6]).map_err(xlsx_err)?;
    write_table(
        sheet,
        &styles,
        &[
            ("STT", 6.0),
            ("Loại", 20.0),
            ("Đối tượng", 36.0),
            ("Mức độ", 10.0),
            ("Nội dung", 60.0),
            ("Nguồn", 60.0),
        ],
        &rows,
    )?;

    workbook.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
mod tests;
