//! The national exchange format: one dossier per JSON line, with the field names of the National
//! Public Service Portal (`interfaces.md`, "Historical dossiers"; vietnam-rules §4).
//!
//! Import validates a whole line and lists every problem found (a line is imported whole or not
//! at all), turns a valid record into one `import` event, and [`state_from_import`] folds that event
//! into a [`DossierState`]. Export writes the same shape from any dossier state. Fields this module
//! does not know are kept and written back, so a round trip through motcua loses nothing.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDate};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::{
    Applicant, DossierState, Event, EventAction, EventData, Instant, LegalTime, NewDossier, Status, StatusChange,
    SubmissionChannel, Verdict,
};
use crate::ids::{
    check_personal_id, mask_personal_number, DossierCode, PersonalIdFormatError, PersonalIdProblem, ProcedureCode,
};

/// Field names the record models; every other name lands in [`ExchangeRecord::extra`].
pub const KNOWN_FIELDS: [&str; 29] = [
    "MaHoSo",
    "MaTTHC",
    "MaLinhVuc",
    "DonViXuLy",
    "KenhThucHien",
    "ChuHoSo",
    "LoaiDinhDanh",
    "SoDinhDanh",
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "NgayTuChoi",
    "TrangThaiHoSo",
    "LichSu",
    "HoSoCoThanhPhanSoHoa",
    "KetQuaDienTu",
    "TaiKhoanDuocXacThucVoiVNeID",
    "DuocLayTuCSDLDanCu",
    "SuDungLaiDuLieuSoHoa",
    "CoNghiaVuTaiChinh",
    "DuocThanhToanTrucTuyen",
    "DongBoDVCQG",
    "DanhGia",
    "CoPAKN",
    "MaCSDL",
    "DanhSachLePhi",
    "TaiLieuNop",
];

/// The CMND (9 digits) stopped being valid on this day; older records may still carry one.
fn cmnd_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// The applicant's satisfaction rating (`DanhGia`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Hài lòng.
    HaiLong,
    /// Bình thường.
    BinhThuong,
    /// Không hài lòng: counts against indicator 5.4.
    KhongHaiLong,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::HaiLong => "hai_long",
            Rating::BinhThuong => "binh_thuong",
            Rating::KhongHaiLong => "khong_hai_long",
        }
    }

    pub fn parse(text: &str) -> Option<Rating> {
        [Rating::HaiLong, Rating::BinhThuong, Rating::KhongHaiLong]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// `SoDinhDanh` as written in the record. `Debug` shows it masked so that a logged record never
/// leaks the number; [`IdNumber::expose`] gives the full text.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn new(text: impl Into<String>) -> IdNumber {
        IdNumber(text.into())
    }

    /// The number as written, deliberately unmasked.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form (`064*******23`).
    pub fn masked(&self) -> String {
        mask_personal_number(&self.0)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

/// One `LichSu` entry: a status and when it was entered. Unknown fields of the entry are kept.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEntry {
    #[serde(rename = "TrangThaiHoSo")]
    pub status: Status,
    #[serde(rename = "ThoiGian")]
    pub at: Instant,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One line of the exchange format. Serialises with the portal's field names; 0/1 flags as
/// integers (`None` = not stated, left out), times RFC 3339 with their offset.
///
/// Build one with [`parse_line`] (or `serde_json::from_value`, which runs the same validation) or
/// [`export_record`]. `extra` must not hold a name of [`KNOWN_FIELDS`].
#[derive(Clone, PartialEq, Serialize)]
pub struct ExchangeRecord {
    /// A TT 01/2018 dossier code, in its canonical form.
    #[serde(rename = "MaHoSo")]
    pub code: String,
    #[serde(rename = "MaTTHC")]
    pub procedure: String,
    #[serde(rename = "MaLinhVuc", skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// The competent unit when the dossier was received.
    #[serde(rename = "DonViXuLy")]
    pub unit: String,
    #[serde(rename = "KenhThucHien")]
    pub channel: SubmissionChannel,
    /// The applicant's name (chủ hồ sơ).
    #[serde(rename = "ChuHoSo", skip_serializing_if = "Option::is_none")]
    pub applicant_name: Option<String>,
    #[serde(rename = "LoaiDinhDanh", skip_serializing_if = "Option::is_none")]
    pub id_kind: Option<Value>,
    #[serde(rename = "SoDinhDanh", skip_serializing_if = "Option::is_none")]
    pub id_number: Option<IdNumber>,
    #[serde(rename = "NgayNopHoSo")]
    pub submitted_at: Instant,
    #[serde(rename = "NgayTiepNhan", skip_serializing_if = "Option::is_none")]
    pub received_at: Option<Instant>,
    #[serde(rename = "NgayHenTra", skip_serializing_if = "Option::is_none")]
    pub appointment: Option<Instant>,
    /// Closing time: result ready, refused, stopped or withdrawn.
    #[serde(rename = "NgayKetThucXuLy", skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Instant>,
    #[serde(rename = "NgayTra", skip_serializing_if = "Option::is_none")]
    pub returned_at: Option<Instant>,
    #[serde(rename = "NgayTuChoi", skip_serializing_if = "Option::is_none")]
    pub refused_at: Option<Instant>,
    #[serde(rename = "TrangThaiHoSo")]
    pub status: Status,
    /// Every status change in time order; the last one is `status`.
    #[serde(rename = "LichSu")]
    pub history: Vec<HistoryEntry>,
    #[serde(
        rename = "HoSoCoThanhPhanSoHoa",
        serialize_with = "flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub digitised_components: Option<bool>,
    #[serde(
        rename = "KetQuaDienTu",
        serialize_with = "flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub electronic_result: Option<bool>,
    /// Exported as 1 for any VNeID account (e-ID level 1 or 2); imported as level 2.
    #[serde(
        rename = "TaiKhoanDuocXacThucVoiVNeID",
        serialize_with = "flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub vneid_account: Option<bool>,
    #[serde(
        rename = "DuocLayTuCSDLDanCu",
        serialize_with = "flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub population_data: Option<bool>,
    #[serde(
        rename = "SuDungLaiDuLieuSoHoa",
        serialize_with = "flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub reused_digitised_data: Option<bool>,
    #[serde(
        rename = "CoNghiaVuTaiChinh",
        serialize_with = "flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub has_fees: Option<bool>,
    #[serde(
        rename = "DuocThanhToanTrucTuyen",
        serialize_with = "flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub paid_online: Option<bool>,
    #[serde(
        rename = "DongBoDVCQG",
        serialize_with = "flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub synced_to_portal: Option<bool>,
    /// Always written; `null` = not rated.
    #[serde(rename = "DanhGia")]
    pub rating: Option<Rating>,
    /// A complaint or petition (phản ánh, kiến nghị) was filed about the dossier.
    #[serde(rename = "CoPAKN", serialize_with = "flag", skip_serializing_if = "Option::is_none")]
    pub complaint: Option<bool>,
    #[serde(rename = "MaCSDL", skip_serializing_if = "Option::is_none")]
    pub data_sources: Option<Value>,
    #[serde(rename = "DanhSachLePhi", skip_serializing_if = "Option::is_none")]
    pub fees: Option<Value>,
    #[serde(rename = "TaiLieuNop", skip_serializing_if = "Option::is_none")]
    pub documents: Option<Value>,
    /// Fields motcua does not model, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

// Personal data (name, id number, unknown fields) stays out of `Debug`, which ends up in logs.
impl fmt::Debug for ExchangeRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExchangeRecord")
            .field("code", &self.code)
            .field("procedure", &self.procedure)
            .field("unit", &self.unit)
            .field("channel", &self.channel)
            .field("status", &self.status)
            .field("submitted_at", &self.submitted_at)
            .field("history", &self.history.len())
            .field("id_number", &self.id_number)
            .finish_non_exhaustive()
    }
}

fn flag<S: Serializer>(value: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(b) => s.serialize_u8(u8::from(*b)),
        None => s.serialize_none(),
    }
}

impl<'de> Deserialize<'de> for ExchangeRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        record_from_value(value).map_err(|errors| serde::de::Error::custom(join(&errors)))
    }
}

/// One problem of a line: the field (`LichSu[2].ThoiGian`; `line` for the line as a whole) and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Every problem of one line. Personal identification numbers appear only masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct LineErrors {
    /// 1-based line number.
    pub line: usize,
    /// `MaHoSo` when it is a valid dossier code, to find the dossier in the source system.
    pub code: Option<String>,
    pub errors: Vec<FieldError>,
}

impl fmt::Display for LineErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        write!(f, ": {}", join(&self.errors))
    }
}

fn join(errors: &[FieldError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// Rejected text in a message, cut short so that a huge value cannot flood a report.
fn quote(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        format!("{text:?}")
    } else {
        format!("{:?}…", text.chars().take(MAX).collect::<String>())
    }
}

/// A JSON value in a message, as JSON, cut short like [`quote`].
fn shown(value: &Value) -> String {
    const MAX: usize = 40;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

const TIME_HINT: &str = "an RFC 3339 time with offset, e.g. 2025-10-13T09:15:00+07:00";

/// Takes fields out of a JSON object one by one, collecting every problem instead of stopping.
struct Reader {
    object: Map<String, Value>,
    errors: Vec<FieldError>,
}

impl Reader {
    fn error(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(FieldError::new(field, reason));
    }

    /// The value of `key`, removed from the object; `null` counts as absent.
    fn take(&mut self, key: &str) -> Option<Value> {
        self.object.remove(key).filter(|v| !v.is_null())
    }

    fn string(&mut self, key: &str, required: bool) -> Option<String> {
        match self.take(key) {
            None if required => {
                self.error(key, "is required");
                None
            }
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() && required => {
                self.error(key, "is required and must not be empty");
                None
            }
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(_) => {
                // Numbers are refused rather than converted: unit codes may have leading zeros.
                self.error(key, "must be a string");
                None
            }
        }
    }

    fn time(&mut self, key: &str, required: bool) -> Option<Instant> {
        match self.take(key) {
            None if required => {
                self.error(key, format!("is required ({TIME_HINT})"));
                None
            }
            None => None,
            Some(v) => match parse_time(&v) {
                Ok(t) => Some(t),
                Err(reason) => {
                    self.error(key, reason);
                    None
                }
            },
        }
    }

    fn flag(&mut self, key: &str) -> Option<bool> {
        match self.take(key) {
            None => None,
            Some(Value::Bool(b)) => Some(b),
            Some(Value::Number(n)) if n.as_u64() == Some(0) => Some(false),
            Some(Value::Number(n)) if n.as_u64() == Some(1) => Some(true),
            Some(other) => {
                self.error(key, format!("must be 0 or 1, got {}", shown(&other)));
                None
            }
        }
    }

    fn array(&mut self, key: &str) -> Option<Value> {
        match self.take(key) {
            Some(v @ Value::Array(_)) => Some(v),
            Some(_) => {
                self.error(key, "must be an array");
                None
            }
            None => None,
        }
    }
}

fn parse_time(v: &Value) -> Result<Instant, String> {
    match v {
        Value::String(s) => {
            DateTime::parse_from_rfc3339(s.trim()).map_err(|_| format!("{} is not {TIME_HINT}", quote(s)))
        }
        _ => Err(format!("must be {TIME_HINT}")),
    }
}

fn parse_status(v: &Value) -> Result<Status, String> {
    match v.as_i64() {
        Some(code) => Status::from_code(code).ok_or_else(|| format!("unknown status {code} (1–10)")),
        None => Err(format!("must be a status code 1–10, got {}", shown(v))),
    }
}

/// Checks `SoDinhDanh` by the format rules of a personal identification number. The reasons name
/// the number only masked.
fn id_number_problems(raw: &str, submitted: Option<Instant>) -> Vec<String> {
    let masked = mask_personal_number(raw.trim());
    // An encoded birth year may not lie after the submission; without a valid submission time
    // only the format is checked.
    let today = submitted.map_or(NaiveDate::MAX, |t| t.date_naive());
    match check_personal_id(raw, None, None, today) {
        Err(PersonalIdFormatError::Empty) => vec!["must not be empty".to_string()],
        Err(PersonalIdFormatError::NonDigit { .. }) => {
            vec![format!("{masked} must contain digits only")]
        }
        Err(PersonalIdFormatError::WrongLength { got }) => {
            vec![format!(
                "{masked} has {got} digits; a personal identification number has 12"
            )]
        }
        Ok(check) => check
            .issues
            .iter()
            .filter_map(|issue| match issue {
                PersonalIdProblem::UnknownProvince { .. } => Some(format!(
                    "{masked} starts with an unknown birth-registration province code"
                )),
                PersonalIdProblem::BirthYearInFuture { .. } => {
                    Some(format!("{masked} encodes a birth year after the submission date"))
                }
                // Accepted as a historical reference for dossiers submitted while it was valid.
                PersonalIdProblem::CmndNoLongerValid if submitted.is_some_and(|t| t.date_naive() < cmnd_end()) => None,
                PersonalIdProblem::CmndNoLongerValid => Some(format!(
                    "{masked} is a 9-digit CMND, not valid for dossiers submitted since 2025-01-01"
                )),
                // Birth date and sex are not exchanged, so the remaining problems cannot arise.
                _ => Some(format!("{masked} is not a valid personal identification number")),
            })
            .collect(),
    }
}

fn parse_history(r: &mut Reader) -> Vec<HistoryEntry> {
    let items = match r.take("LichSu") {
        None => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            r.error("LichSu", "must be an array of {TrangThaiHoSo, ThoiGian}");
            return Vec::new();
        }
    };
    let mut history = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(mut entry) = item else {
            r.error(format!("LichSu[{i}]"), "must be an object {TrangThaiHoSo, ThoiGian}");
            continue;
        };
        let status = match entry.remove("TrangThaiHoSo").filter(|v| !v.is_null()) {
            None => {
                r.error(format!("LichSu[{i}].TrangThaiHoSo"), "is required");
                None
            }
            Some(v) => parse_status(&v)
                .map_err(|reason| r.error(format!("LichSu[{i}].TrangThaiHoSo"), reason))
                .ok(),
        };
        let at = match entry.remove("ThoiGian").filter(|v| !v.is_null()) {
            None => {
                r.error(format!("LichSu[{i}].ThoiGian"), format!("is required ({TIME_HINT})"));
                None
            }
            Some(v) => parse_time(&v)
                .map_err(|reason| r.error(format!("LichSu[{i}].ThoiGian"), reason))
                .ok(),
        };
        if let (Some(status), Some(at)) = (status, at) {
            history.push(HistoryEntry {
                status,
                at,
                extra: entry,
            });
        }
    }
    history
}

/// Validates a JSON value as a record; every problem is listed.
fn record_from_value(value: Value) -> Result<ExchangeRecord, Vec<FieldError>> {
    let Value::Object(object) = value else {
        return Err(vec![FieldError::new("line", "must be a JSON object")]);
    };
    let mut r = Reader {
        object,
        errors: Vec::new(),
    };
    let code = r.string("MaHoSo", true).and_then(|s| match s.parse::<DossierCode>() {
        Ok(code) => Some(code.to_string()),
        Err(e) => {
            r.error("MaHoSo", e.to_string());
            None
        }
    });
    let procedure = r.string("MaTTHC", true).and_then(|s| match s.parse::<ProcedureCode>() {
        Ok(p) => Some(p.to_string()),
        Err(e) => {
            r.error("MaTTHC", e.to_string());
            None
        }
    });
    let sector = r.string("MaLinhVuc", false);
    let unit = r.string("DonViXuLy", true);
    let channel = match r.take("KenhThucHien") {
        None => {
            r.error("KenhThucHien", "is required (1 counter, 2 online, 3 post)");
            None
        }
        Some(v) => {
            let channel = v.as_i64().and_then(SubmissionChannel::from_code);
            if channel.is_none() {
                let reason = format!("unknown channel {} (1 counter, 2 online, 3 post)", shown(&v));
                r.error("KenhThucHien", reason);
            }
            channel
        }
    };
    let applicant_name = r.string("ChuHoSo", false).filter(|s| !s.is_empty());
    let id_kind = r.take("LoaiDinhDanh");
    let id_number = r.string("SoDinhDanh", false);
    let submitted_at = r.time("NgayNopHoSo", true);
    if let Some(raw) = &id_number {
        for reason in id_number_problems(raw, submitted_at) {
            r.error("SoDinhDanh", reason);
        }
    }
    let received_at = r.time("NgayTiepNhan", false);
    let appointment = r.time("NgayHenTra", false);
    let finished_at = r.time("NgayKetThucXuLy", false);
    let returned_at = r.time("NgayTra", false);
    let refused_at = r.time("NgayTuChoi", false);
    let status = match r.take("TrangThaiHoSo") {
        None => {
            r.error("TrangThaiHoSo", "is required (1–10)");
            None
        }
        Some(v) => parse_status(&v).map_err(|reason| r.error("TrangThaiHoSo", reason)).ok(),
    };
    let history = parse_history(&mut r);
    let digitised_components = r.flag("HoSoCoThanhPhanSoHoa");
    let electronic_result = r.flag("KetQuaDienTu");
    let vneid_account = r.flag("TaiKhoanDuocXacThucVoiVNeID");
    let population_data = r.flag("DuocLayTuCSDLDanCu");
    let reused_digitised_data = r.flag("SuDungLaiDuLieuSoHoa");
    let has_fees = r.flag("CoNghiaVuTaiChinh");
    let paid_online = r.flag("DuocThanhToanTrucTuyen");
    let synced_to_portal = r.flag("DongBoDVCQG");
    let rating = match r.take("DanhGia") {
        None => None,
        Some(Value::String(s)) if Rating::parse(&s).is_some() => Rating::parse(&s),
        Some(other) => {
            let reason = format!(
                "must be hai_long, binh_thuong, khong_hai_long or null, got {}",
                shown(&other)
            );
            r.error("DanhGia", reason);
            None
        }
    };
    let complaint = r.flag("CoPAKN");
    let data_sources = r.take("MaCSDL");
    let fees = r.array("DanhSachLePhi");
    let documents = r.array("TaiLieuNop");

    check_times(
        &mut r,
        &Times {
            status,
            submitted_at,
            received_at,
            appointment,
            finished_at,
            returned_at,
            refused_at,
        },
        &history,
    );

    let Reader { object: extra, errors } = r;
    match (code, procedure, unit, channel, submitted_at, status) {
        (Some(code), Some(procedure), Some(unit), Some(channel), Some(submitted_at), Some(status))
            if errors.is_empty() =>
        {
            Ok(ExchangeRecord {
                code,
                procedure,
                sector,
                unit,
                channel,
                applicant_name,
                id_kind,
                id_number: id_number.map(IdNumber),
                submitted_at,
                received_at,
                appointment,
                finished_at,
                returned_at,
                refused_at,
                status,
                history,
                digitised_components,
                electronic_result,
                vneid_account,
                population_data,
                reused_digitised_data,
                has_fees,
                paid_online,
                synced_to_portal,
                rating,
                complaint,
                data_sources,
                fees,
                documents,
                extra,
            })
        }
        // A missing required value always recorded an error, so `errors` is not empty here.
        _ => Err(errors),
    }
}

/// The times and status of a record, as far as they parsed.
struct Times {
    status: Option<Status>,
    submitted_at: Option<Instant>,
    received_at: Option<Instant>,
    appointment: Option<Instant>,
    finished_at: Option<Instant>,
    returned_at: Option<Instant>,
    refused_at: Option<Instant>,
}

/// Cross-field consistency: the dates follow the life of a dossier, and `LichSu` agrees with them.
fn check_times(r: &mut Reader, t: &Times, history: &[HistoryEntry]) {
    fn not_before(r: &mut Reader, later: (&str, Option<Instant>), earlier: (&str, Option<Instant>)) {
        if let (Some(l), Some(e)) = (later.1, earlier.1) {
            if l < e {
                r.error(later.0, format!("is before {}", earlier.0));
            }
        }
    }
    let submitted = ("NgayNopHoSo", t.submitted_at);
    let received = ("NgayTiepNhan", t.received_at);
    let finished = ("NgayKetThucXuLy", t.finished_at);
    not_before(r, received, submitted);
    // Compare against the latest earlier date that is present.
    not_before(r, finished, if t.received_at.is_some() { received } else { submitted });
    let before_return = [finished, received, submitted].into_iter().find(|(_, v)| v.is_some());
    not_before(r, ("NgayTra", t.returned_at), before_return.unwrap_or(submitted));
    not_before(
        r,
        ("NgayHenTra", t.appointment),
        if t.received_at.is_some() { received } else { submitted },
    );
    not_before(r, ("NgayTuChoi", t.refused_at), submitted);

    if let Some(status) = t.status {
        let name = |s: Status| format!("{} ({})", s.code(), s.name_en());
        if status.is_closed() && t.finished_at.is_none() {
            r.error(
                "NgayKetThucXuLy",
                format!("is required for the closed status {}", name(status)),
            );
        }
        if !status.is_closed() && t.finished_at.is_some() {
            r.error(
                "NgayKetThucXuLy",
                format!("is set but status {} is still open", name(status)),
            );
        }
        if status == Status::Returned && t.returned_at.is_none() {
            r.error("NgayTra", format!("is required for status {}", name(status)));
        }
        // Every status past reception (except a refusal or a withdrawal, which may come first)
        // means the dossier was accepted; the index counts dossiers by this date.
        let accepted = !matches!(status, Status::Submitted | Status::Refused | Status::Withdrawn);
        if accepted && t.received_at.is_none() {
            r.error("NgayTiepNhan", format!("is required for status {}", name(status)));
        }
        if let Some(last) = history.last() {
            if last.status != status {
                r.error(
                    "TrangThaiHoSo",
                    format!(
                        "is {} but the last LichSu entry is {}",
                        status.code(),
                        last.status.code()
                    ),
                );
            }
        }
    }
    if let (Some(first), Some(submitted_at)) = (history.first(), t.submitted_at) {
        if first.at < submitted_at {
            r.error("LichSu[0].ThoiGian", "is before NgayNopHoSo");
        }
    }
    for (i, pair) in history.windows(2).enumerate() {
        if pair[1].at < pair[0].at {
            r.error(
                format!("LichSu[{}].ThoiGian", i + 1),
                format!("is before LichSu[{i}]: LichSu must be in time order"),
            );
        }
    }
}

/// Parses and validates one line (`line_no` is 1-based, for the report). Never panics.
pub fn parse_line(line: &str, line_no: usize) -> Result<ExchangeRecord, LineErrors> {
    let text = line.trim_start_matches('\u{feff}');
    let fail = |code: Option<String>, errors: Vec<FieldError>| LineErrors {
        line: line_no,
        code,
        errors,
    };
    // serde_json's messages give a position, never the text, and its depth limit stops runaway nesting.
    let value: Value = serde_json::from_str(text)
        .map_err(|e| fail(None, vec![FieldError::new("line", format!("malformed JSON: {e}"))]))?;
    let code = value
        .get("MaHoSo")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<DossierCode>().ok())
        .map(|c| c.to_string());
    record_from_value(value).map_err(|errors| fail(code, errors))
}

/// Parses a JSON Lines text: the valid records with their line numbers, and the lines rejected.
/// Blank lines are ignored.
pub fn parse_jsonl(text: &str) -> (Vec<(usize, ExchangeRecord)>, Vec<LineErrors>) {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start_matches('\u{feff}').trim().is_empty() {
            continue;
        }
        match parse_line(line, i + 1) {
            Ok(record) => records.push((i + 1, record)),
            Err(e) => errors.push(e),
        }
    }
    (records, errors)
}

/// Sum of `DanhSachLePhi[].Gia` in đồng, counting only non-negative whole amounts.
fn fees_dong(fees: Option<&Value>) -> i64 {
    let Some(Value::Array(items)) = fees else {
        return 0;
    };
    items
        .iter()
        .filter_map(|item| match item.get("Gia")? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        })
        .filter(|amount| *amount >= 0)
        .fold(0i64, i64::saturating_add)
}

/// The `import` event of a validated record: the dossier as `NewDossier` and the record itself.
///
/// The record stored in the event leaves out `SoDinhDanh`: the number lives in the applicant
/// (whose `Debug` masks it), while a raw JSON value would print it wherever the event is logged.
pub fn import_event(record: &ExchangeRecord, procedure_name: &str, legal_time: LegalTime) -> Event {
    let receiving_unit = match record.code.parse::<DossierCode>() {
        Ok(code) => code.unit().to_string(),
        // Only a hand-built record can get here; its code's unit part is the best guess.
        Err(_) => record.code.split('-').next().unwrap_or_default().to_string(),
    };
    let applicant = Applicant {
        name: record.applicant_name.clone().unwrap_or_else(|| "—".to_string()),
        // Without the spaces people type (`064 190 000 123`), as the rest of motcua stores it.
        personal_id: record
            .id_number
            .as_ref()
            .map(|n| n.expose().split_whitespace().collect()),
        ..Applicant::default()
    };
    let dossier = NewDossier {
        procedure: record.procedure.clone(),
        procedure_name: procedure_name.to_string(),
        unit: record.unit.clone(),
        receiving_unit,
        channel: record.channel,
        applicant,
        applicant_username: None,
        eid_level: if record.vneid_account == Some(true) { 2 } else { 0 },
        identity_verified: record.population_data == Some(true),
        legal_time,
        fees_dong: fees_dong(record.fees.as_ref()),
        documents: Vec::new(),
        digitised_components: false,
        reused_data: false,
    };
    let stored = serde_json::to_value(record).ok().map(|mut v| {
        if let Some(object) = v.as_object_mut() {
            object.remove("SoDinhDanh");
        }
        v
    });
    Event {
        action: EventAction::Import,
        at: record.submitted_at,
        actor: "import".to_string(),
        role: None,
        status: record.status,
        step: None,
        verdict: None,
        note: String::new(),
        data: EventData {
            dossier: Some(dossier),
            record: stored,
            ..EventData::default()
        },
    }
}

/// Supplement requests and the time spent waiting for them, as the QĐ 766 index reads `LichSu`
/// (issue #7): each status-5 entry up to `end` pauses the clock until the next non-5 status (or
/// `end`). Wall-clock time, not working time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupplementPause {
    pub requests: u32,
    pub paused: Duration,
}

pub fn supplement_pause(history: &[StatusChange], end: Instant) -> SupplementPause {
    let mut pause = SupplementPause {
        requests: 0,
        paused: Duration::zero(),
    };
    for (i, change) in history.iter().enumerate() {
        if change.status != Status::SupplementRequested || change.at > end {
            continue;
        }
        pause.requests += 1;
        let until = history
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .find(|c| c.status != Status::SupplementRequested)
            .map_or(end, |c| c.at.min(end));
        pause.paused += (until - change.at).max(Duration::zero());
    }
    pause
}

/// The history a record without `LichSu` implies: submitted (online or post), accepted, in
/// progress, then the current status at the latest date known for it.
fn synthesised_history(r: &ExchangeRecord) -> Vec<StatusChange> {
    let mut h: Vec<StatusChange> = Vec::new();
    let mut push = |status: Status, at: Instant| {
        if h.last().map(|c| c.status) != Some(status) {
            h.push(StatusChange { status, at });
        }
    };
    if r.channel != SubmissionChannel::Counter || r.status == Status::Submitted {
        push(Status::Submitted, r.submitted_at);
    }
    let closing = r.finished_at.or(r.refused_at).unwrap_or(r.submitted_at);
    match r.status {
        Status::Submitted => {}
        Status::Refused => push(
            Status::Refused,
            r.refused_at.or(r.finished_at).unwrap_or(r.submitted_at),
        ),
        Status::Withdrawn if r.received_at.is_none() => push(Status::Withdrawn, closing),
        status => {
            let received = r.received_at.unwrap_or(r.submitted_at);
            push(Status::Accepted, received);
            if status != Status::Accepted {
                push(Status::InProgress, received);
            }
            match status {
                Status::SupplementRequested | Status::FeesDue => push(status, received),
                Status::Withdrawn | Status::Stopped | Status::ResultReady => push(status, closing),
                Status::Returned => {
                    push(Status::ResultReady, closing);
                    push(Status::Returned, r.returned_at.unwrap_or(closing));
                }
                _ => {}
            }
        }
    }
    h
}

/// The state of an imported dossier, from its `import` event alone.
///
/// The verdict follows the index's on-time rule (issue #7) rather than a bare comparison of
/// `NgayKetThucXuLy` with `NgayHenTra`, so the dossier page and the index agree: the time waiting
/// for a supplement is subtracted, and a second supplement request makes the dossier late.
/// `paused_minutes` stays 0: imported pauses are wall-clock spans in `LichSu`, not working minutes.
pub fn state_from_import(event: &Event) -> Result<DossierState, String> {
    if event.action != EventAction::Import {
        return Err(format!("{} is not an import event", event.action.as_str()));
    }
    let new = event
        .data
        .dossier
        .as_ref()
        .ok_or("an import event must carry the dossier")?;
    let value = event
        .data
        .record
        .clone()
        .ok_or("an import event must carry the exchange record")?;
    let record = record_from_value(value).map_err(|errors| format!("invalid exchange record: {}", join(&errors)))?;
    if record.status != event.status || record.submitted_at != event.at {
        return Err("the import event disagrees with its record on status or submission time".to_string());
    }
    let history: Vec<StatusChange> = if record.history.is_empty() {
        synthesised_history(&record)
    } else {
        record
            .history
            .iter()
            .map(|e| StatusChange {
                status: e.status,
                at: e.at,
            })
            .collect()
    };
    let is_request = |c: &&StatusChange| c.status == Status::SupplementRequested;
    let supplement_requests = u32::try_from(history.iter().filter(is_request).count()).unwrap_or(u32::MAX);
    let paused_since = if record.status == Status::SupplementRequested {
        history.iter().rev().find(is_request).map(|c| c.at)
    } else {
        None
    };
    let verdict = match (record.finished_at, record.appointment) {
        (Some(end), Some(due)) => {
            let pause = supplement_pause(&history, end);
            Some(if pause.requests > 1 {
                Verdict::Late
            } else {
                Verdict::judge(end - pause.paused, due)
            })
        }
        _ => None,
    };
    let paid_online = record.paid_online == Some(true);
    Ok(DossierState {
        received_at: record.received_at,
        appointment: record.appointment,
        effective_due: record.appointment,
        finished_at: record.finished_at,
        returned_at: record.returned_at,
        supplement_requests,
        paused_since,
        paid: paid_online,
        paid_online,
        electronic_result: record.electronic_result == Some(true),
        verdict,
        history,
        version: 1,
        ..DossierState::created(new, record.status, record.submitted_at)
    })
}

/// The exchange record of a dossier, for the national portal or a migration.
///
/// Times, status, `LichSu` and the flags the state tracks (e-result, VNeID account, population
/// data, online payment, fees, and from the log's remarks the portal sync, rating and complaint)
/// come from `state`. For an imported dossier pass its original record as `extra`: the fields the
/// state does not track (sector, digitised components, reuse, fee and document lists, unknown
/// fields, unknown fields of matching `LichSu` entries) are carried over from it, and its sync,
/// rating and complaint stand where the state has none. For a live dossier the untracked fields
/// stay unset (`None`).
///
/// Personal data stays masked: exports leave the province, so `SoDinhDanh` is written in its
/// masked form (`064*******23`), never the full number.
pub fn export_record(code: &str, state: &DossierState, extra: Option<&ExchangeRecord>) -> ExchangeRecord {
    let history = state
        .history
        .iter()
        .enumerate()
        .map(|(i, change)| HistoryEntry {
            status: change.status,
            at: change.at,
            // Entry fields survive when the entry is the same change as in the original record.
            extra: extra
                .and_then(|x| x.history.get(i))
                .filter(|e| e.status == change.status && e.at == change.at)
                .map(|e| e.extra.clone())
                .unwrap_or_default(),
        })
        .collect();
    let refused_at = extra.and_then(|x| x.refused_at).or_else(|| {
        state
            .history
            .iter()
            .rev()
            .find(|c| c.status == Status::Refused)
            .map(|c| c.at)
    });
    let state_has_fees = state.fees_dong > 0 || state.fees_requested_dong.is_some_and(|a| a > 0);
    let has_fees = if state_has_fees {
        Some(true)
    } else {
        extra.map_or(Some(false), |x| x.has_fees)
    };
    let applicant_name = match state.applicant.name.trim() {
        "" | "—" => extra.and_then(|x| x.applicant_name.clone()),
        name => Some(name.to_string()),
    };
    let id_number = state
        .applicant
        .personal_id
        .as_deref()
        .or_else(|| extra.and_then(|x| x.id_number.as_ref()).map(IdNumber::expose))
        .map(|n| IdNumber(mask_personal_number(n)));
    let mut unknown = extra.map(|x| x.extra.clone()).unwrap_or_default();
    unknown.retain(|key, _| !KNOWN_FIELDS.contains(&key.as_str()));
    ExchangeRecord {
        code: code.to_string(),
        procedure: state.procedure.clone(),
        sector: extra.and_then(|x| x.sector.clone()),
        unit: state.unit.clone(),
        channel: state.channel,
        applicant_name,
        id_kind: extra.and_then(|x| x.id_kind.clone()),
        id_number,
        submitted_at: state.submitted_at,
        received_at: state.received_at,
        appointment: state.appointment,
        finished_at: state.finished_at,
        returned_at: state.returned_at,
        refused_at,
        status: state.status,
        history,
        // Imported records say it themselves; live dossiers record it at submission.
        digitised_components: extra.map_or(Some(state.digitised_components), |x| x.digitised_components),
        electronic_result: Some(state.electronic_result),
        vneid_account: Some(state.eid_level >= 1),
        population_data: Some(state.identity_verified),
        reused_digitised_data: extra.map_or(Some(state.reused_data), |x| x.reused_digitised_data),
        has_fees,
        paid_online: Some(state.paid_online),
        // Recorded in the log for live dossiers; an imported record's own values stand otherwise.
        synced_to_portal: state
            .synced_to_portal
            .then_some(true)
            .or_else(|| extra.and_then(|x| x.synced_to_portal)),
        rating: state.rating.or_else(|| extra.and_then(|x| x.rating)),
        complaint: state
            .complaint
            .then_some(true)
            .or_else(|| extra.and_then(|x| x.complaint)),
        data_sources: extra.and_then(|x| x.data_sources.clone()),
        fees: extra.and_then(|x| x.fees.clone()),
        documents: extra.and_then(|x| x.documents.clone()),
        extra: unknown,
    }
}

/// One JSON line (no trailing newline).
pub fn to_json_line(record: &ExchangeRecord) -> String {
    // Cannot fail: every map key is a string and every field serialises infallibly.
    serde_json::to_string(record).unwrap_or_default()
}

#[cfg(test)]
#[path = "exchange_tests.rs"]
mod tests;
