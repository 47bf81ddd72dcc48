//! TT 03/2025 forms 01–06 as PDF: plain data in, typeset PDF out.

use chrono::{DateTime, FixedOffset, Timelike};
use serde::Serialize;
use serde_json::json;
use typst_layout::PagedDocument;

use crate::world::{FormWorld, DATA_PATH, QR_PATH};
use crate::ReportError;

pub type Instant = DateTime<FixedOffset>;

/// Who issues the form: the superior authority and the issuing body, as the header shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issuer {
    /// Cơ quan chủ quản, e.g. "Ủy ban nhân dân tỉnh Gia Lai".
    pub authority: String,
    /// The issuing body, e.g. "Trung tâm Phục vụ hành chính công tỉnh".
    pub body: String,
    /// Place in the date line ("Gia Lai, ngày … tháng … năm …").
    pub place: String,
}

/// The applicant as the forms address them (never the personal identification number).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Addressee {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A paper handed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaperLine {
    pub name: String,
    pub originals: u32,
    pub copies: u32,
}

/// One hand-over of the control sheet (form 06).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandOver {
    pub at: Instant,
    /// Who hands the dossier over (officer and step or body).
    pub giver: String,
    /// Who receives it (next step, body or the applicant).
    pub receiver: String,
    /// Trước hạn / Đúng hạn / Quá hạn of the step that ended, when it had a quota.
    pub verdict: Option<String>,
    pub note: String,
}

/// What every form says about the dossier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DossierInfo {
    pub issuer: Issuer,
    /// The date of the form.
    pub issued_at: Instant,
    /// `MaHoSo`.
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    /// The competent body (cơ quan giải quyết).
    pub competent_body: String,
    /// The body that received the dossier.
    pub receiving_body: String,
    pub applicant: Addressee,
    pub received_at: Option<Instant>,
    /// The appointment in force (`NgayHenTra`).
    pub appointment: Option<Instant>,
}

/// The form to typeset, with what only it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Form {
    /// 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
    Receipt {
        papers: Vec<PaperLine>,
        /// "05 ngày làm việc".
        legal_time: String,
        /// Where the QR code leads: the public status page of this dossier.
        lookup_url: String,
        officer: String,
    },
    /// 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
    SupplementRequest {
        requested_at: Instant,
        items: Vec<String>,
        officer: String,
    },
    /// 03 Phiếu từ chối giải quyết hồ sơ.
    Refusal {
        refused_at: Instant,
        reasons: Vec<String>,
        officer: String,
    },
    /// 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả.
    Apology {
        previous_appointment: Instant,
        new_appointment: Instant,
        reasons: Vec<String>,
        officer: String,
    },
    /// 05 Thông báo dừng xử lý hồ sơ.
    StopNotice {
        stopped_at: Instant,
        reasons: Vec<String>,
        officer: String,
    },
    /// 06 Phiếu kiểm soát quá trình giải quyết hồ sơ.
    ControlSheet {
        steps: Vec<HandOver>,
        outcome: Option<String>,
    },
}

impl Form {
    /// The form's number, "01" … "06".
    pub fn number(&self) -> &'static str {
        match self {
            Form::Receipt { .. } => "01",
            Form::SupplementRequest { .. } => "02",
            Form::Refusal { .. } => "03",
            Form::Apology { .. } => "04",
            Form::StopNotice { .. } => "05",
            Form::ControlSheet { .. } => "06",
        }
    }

    /// The form's title as printed.
    pub fn title_vi(&self) -> &'static str {
        match self {
            Form::Receipt { .. } => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            Form::SupplementRequest { .. } => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            Form::Refusal { .. } => "Phiếu từ chối giải quyết hồ sơ",
            Form::Apology { .. } => "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            Form::StopNotice { .. } => "Thông báo dừng xử lý hồ sơ",
            Form::ControlSheet { .. } => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        }
    }
}

/// "14 giờ 05 phút, ngày 12/04/2024", in the instant's own offset (Vietnam time as stored).
pub fn time_vi(t: &Instant) -> String {
    format!(
        "{:02} giờ {:02} phút, ngày {}",
        t.hour(),
        t.minute(),
        t.format("%d/%m/%Y")
    )
}

fn date_line(place: &str, t: &Instant) -> String {
    format!(
        "{place}, ngày {} tháng {} năm {}",
        t.format("%d"),
        t.format("%m"),
        t.format("%Y")
    )
}

fn opt_time(t: &Option<Instant>) -> String {
    t.as_ref().map(time_vi).unwrap_or_default()
}

#[derive(Serialize)]
struct Paper<'a> {
    name: &'a str,
    originals: u32,
    copies: u32,
}

#[derive(Serialize)]
struct Row<'a> {
    at: String,
    giver: &'a str,
    receiver: &'a str,
    verdict: &'a str,
    note: &'a str,
}

/// The JSON the templates read: every value already formatted, so templates only lay out.
fn template_data(info: &DossierInfo, form: &Form) -> serde_json::Value {
    let a = &info.applicant;
    let mut data = json!({
        "form": form.number(),
        "title": form.title_vi(),
        "authority": info.issuer.authority,
        "body": info.issuer.body,
        "date_line": date_line(&info.issuer.place, &info.issued_at),
        "code": info.code,
        "procedure_code": info.procedure_code,
        "procedure_name": info.procedure_name,
        "competent_body": info.competent_body,
        "receiving_body": info.receiving_body,
        "applicant": {
            "name": a.name,
            "address": a.address.clone().unwrap_or_default(),
            "phone": a.phone.clone().unwrap_or_default(),
            "email": a.email.clone().unwrap_or_default(),
        },
        "received_at": opt_time(&info.received_at),
        "appointment": opt_time(&info.appointment),
    });
    let extra = match form {
        Form::Receipt {
            papers,
            legal_time,
            lookup_url,
            officer,
        } => json!({
            "papers": papers.iter().map(|p| Paper { name: &p.name, originals: p.originals, copies: p.copies })
                .collect::<Vec<_>>(),
            "legal_time": legal_time,
            "lookup_url": lookup_url,
            "officer": officer,
        }),
        Form::SupplementRequest {
            requested_at,
            items,
            officer,
        } => json!({ "at": time_vi(requested_at), "items": items, "officer": officer }),
        Form::Refusal {
            refused_at,
            reasons,
            officer,
        } => json!({ "at": time_vi(refused_at), "items": reasons, "officer": officer }),
        Form::Apology {
            previous_appointment,
            new_appointment,
            reasons,
            officer,
        } => json!({
            "previous": time_vi(previous_appointment),
            "new": time_vi(new_appointment),
            "items": reasons,
            "officer": officer,
        }),
        Form::StopNotice {
            stopped_at,
            reasons,
            officer,
        } => json!({ "at": time_vi(stopped_at), "items": reasons, "officer": officer }),
        Form::ControlSheet { steps, outcome } => json!({
            "steps": steps.iter().map(|s| Row {
                at: time_vi(&s.at),
                giver: &s.giver,
                receiver: &s.receiver,
                verdict: s.verdict.as_deref().unwrap_or(""),
                note: &s.note,
            }).collect::<Vec<_>>(),
            "outcome": outcome.clone().unwrap_or_default(),
        }),
    };
    if let (Some(target), serde_json::Value::Object(more)) = (data.as_object_mut(), extra) {
        target.extend(more);
    }
    data
}

/// The QR code of a URL as SVG (black modules on white, with the quiet zone).
pub fn qr_svg(url: &str) -> Result<String, ReportError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| ReportError::Input(format!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// Lays a form out (the step before PDF export; tests read its text and glyphs).
pub(crate) fn layout(info: &DossierInfo, form: &Form) -> Result<PagedDocument, ReportError> {
    let data = serde_json::to_vec(&template_data(info, form)).map_err(|e| ReportError::Input(e.to_string()))?;
    let mut files = vec![(DATA_PATH, data)];
    if let Form::Receipt { lookup_url, .. } = form {
        files.push((QR_PATH, qr_svg(lookup_url)?.into_bytes()));
    }
    let main = format!("/form-{}.typ", form.number());
    let world = FormWorld::new(&main, files, info.issued_at.date_naive())
        .ok_or_else(|| ReportError::Template(format!("no template {main}")))?;
    let result = typst::compile::<PagedDocument>(&world);
    result.output.map_err(|errors| {
        ReportError::Template(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// Typesets a form as PDF.
pub fn render_pdf(info: &DossierInfo, form: &Form) -> Result<Vec<u8>, ReportError> {
    let document = layout(info, form)?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("motcua-form-{}-{}", form.number(), info.code)),
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| {
        ReportError::Template(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    // typst memoises across compilations; drop entries unused for a few renders so a
    // long-running server does not keep every dossier's layout.
    typst::comemo::evict(8);
    Ok(pdf)
}
