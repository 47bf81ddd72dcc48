//! Register 07 (sổ theo dõi hồ sơ) of a unit for a period, as an Excel workbook.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::forms::Instant;
use crate::ReportError;

pub const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The register's heading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterInfo {
    /// The unit whose register this is.
    pub unit_name: String,
    pub unit_code: String,
    /// "01/01/2025 – 31/03/2025".
    pub period: String,
}

/// One dossier of the register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRow {
    pub code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    /// Address and phone, as the register's contact column shows them.
    pub contact: String,
    pub competent_body: String,
    pub received_at: Option<Instant>,
    pub appointment: Option<Instant>,
    /// Result ready, refused or stopped.
    pub finished_at: Option<Instant>,
    pub returned_at: Option<Instant>,
    /// Status name, and Trước hạn / Đúng hạn / Quá hạn when processing ended.
    pub note: String,
}

/// The columns of the register (TT 03/2025 form 07).
pub const COLUMNS: [(&str, f64); 11] = [
    ("STT", 6.0),
    ("Mã hồ sơ", 26.0),
    ("Tên thủ tục hành chính", 40.0),
    ("Tên tổ chức, cá nhân", 24.0),
    ("Địa chỉ, số điện thoại", 30.0),
    ("Cơ quan chủ trì giải quyết", 28.0),
    ("Nhận hồ sơ", 17.0),
    ("Hẹn trả kết quả", 17.0),
    ("Có kết quả / kết thúc xử lý", 17.0),
    ("Trả kết quả", 17.0),
    ("Ghi chú", 28.0),
];

fn when(t: &Option<Instant>) -> String {
    t.map(|t| t.format("%d/%m/%Y %H:%M").to_string()).unwrap_or_default()
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Spreadsheet(e.to_string())
}

/// Writes the register: a title, the unit and period, the header row and one row per dossier.
pub fn render_register(info: &RegisterInfo, rows: &[RegisterRow]) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("So theo doi").map_err(xlsx_err)?;
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let centred = Format::new().set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let cell = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let last = (COLUMNS.len() - 1) as u16;
    sheet
        .merge_range(0, 0, 0, last, "SỔ THEO DÕI HỒ SƠ", &title)
        .map_err(xlsx_err)?;
    sheet
        .merge_range(
            1,
            0,
            1,
            last,
            &format!("{} ({})", info.unit_name, info.unit_code),
            &centred,
        )
        .map_err(xlsx_err)?;
    sheet
        .merge_range(2, 0, 2, last, &format!("Kỳ: {}", info.period), &centred)
        .map_err(xlsx_err)?;
    const HEAD_ROW: u32 = 4;
    for (col, (name, width)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, *width).map_err(xlsx_err)?;
        sheet
            .write_string_with_format(HEAD_ROW, col, *name, &head)
            .map_err(xlsx_err)?;
    }
    sheet.set_row_height(HEAD_ROW, 32).map_err(xlsx_err)?;
    for (i, r) in rows.iter().enumerate() {
        let row = HEAD_ROW + 1 + u32::try_from(i).map_err(|_| ReportError::Input("too many rows".into()))?;
        let values = [
            (i + 1).to_string(),
            r.code.clone(),
            r.procedure_name.clone(),
            r.applicant_name.clone(),
            r.contact.clone(),
            r.competent_body.clone(),
            when(&r.received_at),
            when(&r.appointment),
            when(&r.finished_at),
            when(&r.returned_at),
            r.note.clone(),
        ];
        for (col, v) in values.iter().enumerate() {
            sheet
                .write_string_with_format(row, col as u16, v, &cell)
                .map_err(xlsx_err)?;
        }
    }
    sheet.set_freeze_panes(HEAD_ROW + 1, 0).map_err(xlsx_err)?;
    workbook.save_to_buffer().map_err(xlsx_err)
}
