//! A leadership-dashboard view (`/dieu-hanh`: overview, ranking, unit, indicator page) as PDF and
//! as an Excel workbook. The caller passes the view's tables with every value both as shown on
//! the page (text, in the page's language) and, for numbers, as the raw value: the PDF prints the
//! shown text and the workbook stores the number, so both carry exactly the page's figures.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use serde_json::{json, Value};
use typst_layout::PagedDocument;

use crate::world::{FormWorld, DATA_PATH};
use crate::ReportError;

/// One exported view.
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardDoc {
    pub title: String,
    /// Label and value lines under the title (scope, period, time of export, notes).
    pub info: Vec<(String, String)>,
    pub tables: Vec<DashTable>,
    /// The day the export was made (the PDF's creation date).
    pub today: chrono::NaiveDate,
    /// "Page" in the export's language, for the PDF footer.
    pub page_label: String,
    /// Name of the workbook's first sheet (the info lines).
    pub info_sheet: String,
}

/// One table of a view.
#[derive(Clone, Debug, PartialEq)]
pub struct DashTable {
    pub title: String,
    /// Short name of its sheet (cut to Excel's 31 characters, forbidden characters replaced).
    pub sheet: String,
    pub columns: Vec<String>,
    /// The column that takes the remaining width in the PDF (a name, a procedure).
    pub wide: usize,
    pub rows: Vec<Vec<DashCell>>,
}

/// One cell: text, or a number with the text the page shows for it.
#[derive(Clone, Debug, PartialEq)]
pub enum DashCell {
    Text(String),
    Integer(u64),
    /// A score or other decimal; `None` for N/A.
    Number {
        value: Option<f64>,
        shown: String,
    },
    /// A ratio (0.85 = 85 %); `None` for N/A.
    Ratio {
        value: Option<f64>,
        shown: String,
    },
}

impl DashCell {
    fn shown(&self) -> String {
        match self {
            DashCell::Text(s) => s.clone(),
            DashCell::Integer(n) => n.to_string(),
            DashCell::Number { shown, .. } | DashCell::Ratio { shown, .. } => shown.clone(),
        }
    }

    fn numeric(&self) -> bool {
        !matches!(self, DashCell::Text(_))
    }
}

fn template_data(doc: &DashboardDoc) -> Value {
    let tables: Vec<Value> = doc
        .tables
        .iter()
        .map(|t| {
            let align: Vec<&str> = (0..t.columns.len())
                .map(|c| {
                    let numeric = t.rows.iter().any(|r| r.get(c).is_some_and(DashCell::numeric));
                    if numeric {
                        "right"
                    } else {
                        "left"
                    }
                })
                .collect();
            json!({
                "title": t.title,
                "columns": t.columns,
                "wide": t.wide,
                "align": align,
                "rows": t.rows.iter().map(|r| r.iter().map(DashCell::shown).collect::<Vec<_>>()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "title": doc.title,
        "info": doc.info.iter().map(|(k, v)| json!({"label": k, "value": v})).collect::<Vec<_>>(),
        "tables": tables,
        "page": doc.page_label,
    })
}

fn template_error(errors: impl IntoIterator<Item = impl std::fmt::Display>) -> ReportError {
    ReportError::Template(errors.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
}

/// Lays the view out (the step before PDF export; tests read its text).
pub(crate) fn layout_dashboard(doc: &DashboardDoc) -> Result<PagedDocument, ReportError> {
    let data = serde_json::to_vec(&template_data(doc)).map_err(|e| ReportError::Input(e.to_string()))?;
    let world = FormWorld::new("/dashboard.typ", vec![(DATA_PATH, data)], doc.today)
        .ok_or_else(|| ReportError::Template("no template /dashboard.typ".into()))?;
    typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| template_error(errors.iter().map(|e| e.message.clone())))
}

/// Typesets the view as PDF.
pub fn render_dashboard_pdf(doc: &DashboardDoc) -> Result<Vec<u8>, ReportError> {
    let document = layout_dashboard(doc)?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("motcua-dashboard-{}", doc.title)),
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options)
        .map_err(|errors| template_error(errors.iter().map(|e| e.message.clone())))?;
    typst::comemo::evict(8);
    Ok(pdf)
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Spreadsheet(e.to_string())
}

/// A valid, unique sheet name: Excel forbids `[]:*?/\`, allows 31 characters.
fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let clean = match clean.trim() {
        "" => "Sheet".to_string(),
        c => c.to_string(),
    };
    let mut name: String = clean.chars().take(31).collect();
    let mut n = 2;
    while taken.iter().any(|t| t.to_lowercase() == name.to_lowercase()) {
        let suffix = format!(" ({n})");
        name = clean.chars().take(31 - suffix.chars().count()).collect::<String>() + &suffix;
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// Writes the view as a workbook: the info sheet, then one sheet per table with a frozen header.
/// Integers and scores are numbers, ratios fractions with a percent format, N/A an empty cell.
pub fn render_dashboard_xlsx(doc: &DashboardDoc) -> Result<Vec<u8>, ReportError> {
    let border = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::Top);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color("#E7ECF3");
    let text = border.clone().set_text_wrap();
    let number = border.clone().set_num_format("0.00");
    let integer = border.clone().set_num_format("#,##0");
    let ratio = border.set_num_format("0.0%");
    let bold = Format::new().set_bold();

    let mut taken = Vec::new();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(sheet_name(&doc.info_sheet, &mut taken))
        .map_err(xlsx_err)?;
    sheet.set_column_width(0, 28).map_err(xlsx_err)?;
    sheet.set_column_width(1, 80).map_err(xlsx_err)?;
    sheet
        .write_string_with_format(0, 0, &doc.title, &bold)
        .map_err(xlsx_err)?;
    for (i, (k, v)) in doc.info.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string_with_format(row, 0, k, &bold).map_err(xlsx_err)?;
        sheet.write_string(row, 1, v).map_err(xlsx_err)?;
    }

    for t in &doc.tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&t.sheet, &mut taken)).map_err(xlsx_err)?;
        for (c, name) in t.columns.iter().enumerate() {
            let c = c as u16;
            let width = if usize::from(c) == t.wide { 50.0 } else { 16.0 };
            sheet.set_column_width(c, width).map_err(xlsx_err)?;
            sheet.write_string_with_format(0, c, name, &head).map_err(xlsx_err)?;
        }
        for (i, cells) in t.rows.iter().enumerate() {
            let row = u32::try_from(i + 1).map_err(|_| ReportError::Input("too many rows".into()))?;
            for (c, cell) in cells.iter().enumerate() {
                let c = c as u16;
                match cell {
                    DashCell::Text(s) => sheet.write_string_with_format(row, c, s, &text),
                    DashCell::Integer(n) => sheet.write_number_with_format(row, c, *n as f64, &integer),
                    DashCell::Number { value: Some(v), .. } => sheet.write_number_with_format(row, c, *v, &number),
                    DashCell::Ratio { value: Some(v), .. } => sheet.write_number_with_format(row, c, *v, &ratio),
                    DashCell::Number { value: None, .. } | DashCell::Ratio { value: None, .. } => {
                        sheet.write_blank(row, c, &text)
                    }
                }
                .map_err(xlsx_err)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    }
    workbook.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst::layout::{Frame, FrameItem};

    fn doc() -> DashboardDoc {
        DashboardDoc {
            title: "Chỉ số phục vụ người dân – Tỉnh Gia Lai".into(),
            info: vec![("Kỳ".into(), "01/10/2025 – 31/10/2025".into())],
            tables: vec![DashTable {
                title: "Các chỉ số".into(),
                sheet: "Chỉ số: QĐ 766/2022 [tỉnh] và một tên rất dài".into(),
                columns: vec![
                    "Mã".into(),
                    "Chỉ số".into(),
                    "Điểm".into(),
                    "Tỷ lệ".into(),
                    "Số hồ sơ".into(),
                ],
                wide: 1,
                rows: vec![
                    vec![
                        DashCell::Text("2.1".into()),
                        DashCell::Text("Tiến độ giải quyết".into()),
                        DashCell::Number {
                            value: Some(13.33),
                            shown: "13,33".into(),
                        },
                        DashCell::Ratio {
                            value: Some(2.0 / 3.0),
                            shown: "66,7 %".into(),
                        },
                        DashCell::Integer(3),
                    ],
                    vec![
                        DashCell::Text(r#"#panic("x") *b* ]"#.into()),
                        DashCell::Text("N/A".into()),
                        DashCell::Number {
                            value: None,
                            shown: "N/A".into(),
                        },
                        DashCell::Ratio {
                            value: None,
                            shown: "N/A".into(),
                        },
                        DashCell::Integer(0),
                    ],
                ],
            }],
            today: chrono::NaiveDate::from_ymd_opt(2025, 11, 3).unwrap(),
            page_label: "Trang".into(),
            info_sheet: "Thông tin".into(),
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

    #[test]
    fn the_pdf_shows_the_page_texts_with_every_glyph() {
        let doc = doc();
        let laid = layout_dashboard(&doc).expect("layout");
        let (mut text, mut notdef) = (String::new(), 0);
        for p in laid.pages() {
            walk(&p.frame, &mut text, &mut notdef);
        }
        assert_eq!(notdef, 0, "glyphs missing: {text}");
        let squashed: String = text.split_whitespace().collect();
        for expected in [
            "Tiến độ giải quyết",
            "13,33",
            "66,7 %",
            "01/10/2025",
            r#"#panic("x")"#,
            "Trang",
        ] {
            let e: String = expected.split_whitespace().collect();
            assert!(squashed.contains(&e), "{expected} missing from {text}");
        }
        assert!(render_dashboard_pdf(&doc).expect("pdf").starts_with(b"%PDF-"));
    }

    #[test]
    fn the_workbook_holds_the_numbers_and_blank_na() {
        use calamine::{Data, Reader, Xlsx};
        let bytes = render_dashboard_xlsx(&doc()).expect("xlsx");
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
        let names = book.sheet_names();
        assert_eq!(names[0], "Thông tin");
        assert_eq!(names[1].chars().count(), 31, "{names:?}");
        assert!(!names[1].contains(['[', ']', ':']));
        let t = book.worksheet_range(&names[1]).expect("table");
        assert_eq!(t.get_value((1, 2)), Some(&Data::Float(13.33)));
        assert!(matches!(t.get_value((1, 3)), Some(Data::Float(f)) if (f - 2.0 / 3.0).abs() < 1e-12));
        assert_eq!(t.get_value((1, 4)), Some(&Data::Float(3.0)));
        assert!(matches!(t.get_value((2, 2)), None | Some(Data::Empty)));
    }

    #[test]
    fn sheet_names_stay_unique() {
        let mut taken = Vec::new();
        assert_eq!(sheet_name("A/B", &mut taken), "A-B");
        assert_eq!(sheet_name("a-b", &mut taken), "a-b (2)");
        assert_eq!(sheet_name(" ", &mut taken), "Sheet");
        assert_eq!(sheet_name("Sheet", &mut taken), "Sheet (2)");
    }
}
