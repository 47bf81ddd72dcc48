//! The national catalogue of administrative procedures (TTHC): the portal's record shape
//! ([`RawProcedure`]), the parsed model ([`Procedure`]), parse-coverage accounting and search.
//!
//! The portal flattens its HTML tables into plain strings; the parsers here recover channels,
//! processing times, fees, required documents and legal basis from them. Parsing is total:
//! whatever cannot be recognised stays available in [`Procedure::raw`].

mod channels;
mod coverage;
mod documents;
mod search;

pub use coverage::{coverage, CoverageReport, FieldCoverage};
pub use search::{SearchFilter, SearchIndex};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::nfc;

/// One line of the portal's catalogue export. Unknown fields are ignored, missing ones are
/// empty, and non-string values are read as their JSON text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct RawProcedure {
    #[serde(deserialize_with = "lenient")]
    pub ma_thu_tuc: String,
    #[serde(deserialize_with = "lenient")]
    pub ten_thu_tuc: String,
    #[serde(deserialize_with = "lenient")]
    pub cap_thuc_hien: String,
    #[serde(deserialize_with = "lenient")]
    pub linh_vuc: String,
    #[serde(deserialize_with = "lenient")]
    pub doi_tuong_thuc_hien: String,
    #[serde(deserialize_with = "lenient")]
    pub co_quan_co_tham_quyen: String,
    #[serde(deserialize_with = "lenient")]
    pub co_quan_thuc_hien: String,
    #[serde(deserialize_with = "lenient")]
    pub dia_chi_tiep_nhan: String,
    #[serde(deserialize_with = "lenient")]
    pub trinh_tu_thuc_hien: String,
    #[serde(deserialize_with = "lenient")]
    pub cach_thuc_thuc_hien: String,
    #[serde(deserialize_with = "lenient")]
    pub thanh_phan_ho_so: String,
    #[serde(deserialize_with = "lenient")]
    pub can_cu_phap_ly: String,
    #[serde(deserialize_with = "lenient")]
    pub yeu_cau_dieu_kien: String,
    #[serde(deserialize_with = "lenient")]
    pub ket_qua_xu_ly: String,
    #[serde(deserialize_with = "lenient")]
    pub so_quyet_dinh: String,
    #[serde(deserialize_with = "lenient")]
    pub loai_thu_tuc: String,
    #[serde(deserialize_with = "lenient")]
    pub bo_nganh: String,
    #[serde(deserialize_with = "lenient")]
    pub detail_url: String,
}

/// Accepts a string, null (→ ""), or any other JSON value (→ its JSON text).
fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// Level of government that handles a procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Level {
    /// Cấp tỉnh.
    Province,
    /// Cấp xã.
    Commune,
    /// Cấp bộ / trung ương.
    Central,
    /// Cơ quan khác, or anything unrecognised.
    Other,
}

impl Level {
    /// Parses one API/filter spelling: "province", "commune", "central", "other".
    pub fn from_code(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "province" => Some(Level::Province),
            "commune" => Some(Level::Commune),
            "central" => Some(Level::Central),
            "other" => Some(Level::Other),
            _ => None,
        }
    }
}

/// Submission channel (KenhThucHien 1/2/3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    /// Trực tiếp — at the one-stop counter.
    Counter,
    /// Trực tuyến — online.
    Online,
    /// Dịch vụ bưu chính — by public post.
    Post,
}

/// Unit of a processing time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TimeUnit {
    WorkingDays,
    Days,
    Hours,
    Months,
    Years,
    /// "Trong ngày" — within the day of receipt.
    WithinDay,
}

/// A processing time such as 7 working days. `value` may be fractional (0.5 days); whole
/// values serialise as JSON integers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcessingTime {
    #[serde(serialize_with = "number")]
    pub value: f64,
    pub unit: TimeUnit,
    /// The portal gave a bare number without a unit; working days were assumed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unit_assumed: bool,
}

impl ProcessingTime {
    /// A time with a stated unit.
    pub fn new(value: f64, unit: TimeUnit) -> Self {
        ProcessingTime {
            value,
            unit,
            unit_assumed: false,
        }
    }

    /// A bare number: working days assumed.
    pub(crate) fn assumed(value: f64) -> Self {
        ProcessingTime {
            value,
            unit: TimeUnit::WorkingDays,
            unit_assumed: true,
        }
    }
}

fn number<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

/// What a fee statement says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FeeKind {
    /// A stated amount (in đồng when `amount_dong` is set, otherwise e.g. USD — see description).
    Amount,
    /// Miễn phí.
    Free,
    /// The level is set by the provincial People's Council (HĐND).
    CouncilDecision,
    /// "Không có thông tin" or unrecognised.
    Unspecified,
}

/// One fee of a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fee {
    pub kind: FeeKind,
    /// Whole đồng.
    pub amount_dong: Option<i64>,
    /// The fee cell and its note as written.
    pub description: String,
}

/// One row of the portal's channel table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelOption {
    pub channel: Channel,
    pub processing_time: Option<ProcessingTime>,
    pub fees: Vec<Fee>,
    pub description: String,
}

/// One document of the dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequiredDocument {
    pub name: String,
    pub originals: u32,
    pub copies: u32,
    /// File name of the form/template, when the portal links one.
    pub form_template: Option<String>,
    /// Case/group title ("Giấy tờ phải nộp", "Trường hợp …").
    pub group: Option<String>,
}

/// One legal document the procedure rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalRef {
    pub name: String,
    pub code: String,
}

/// Online service level (NĐ 42/2022 Art. 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OnlineLevel {
    /// Toàn trình.
    Full,
    /// Một phần.
    Partial,
    /// No online submission.
    None,
}

/// The raw text of every parsed field, so nothing is lost when a parser falls short.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RawTexts {
    pub level: String,
    pub channels: String,
    pub documents: String,
    pub legal_basis: String,
    pub steps: String,
}

/// A parsed catalogue procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Procedure {
    pub code: String,
    pub name: String,
    pub level: Vec<Level>,
    pub field: String,
    pub agency: String,
    pub ministry: String,
    pub target: String,
    pub where_to_submit: String,
    pub steps: Vec<String>,
    pub channels: Vec<ChannelOption>,
    pub documents: Vec<RequiredDocument>,
    pub results: String,
    pub legal_basis: Vec<LegalRef>,
    pub conditions: String,
    pub decision: String,
    pub online: OnlineLevel,
    pub detail_url: String,
    pub raw: RawTexts,
}

/// A malformed line of a JSONL file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LineError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// Treats the portal's "no information" placeholder as empty.
fn clean(s: &str) -> String {
    let t = nfc(s.trim());
    if t == "Không có thông tin" {
        String::new()
    } else {
        t
    }
}

fn parse_levels(s: &str) -> Vec<Level> {
    let mut out = Vec::new();
    for part in s.split([',', ';']) {
        let f = crate::text::fold(part);
        let level = match f.as_str() {
            "" => continue,
            "cap tinh" => Level::Province,
            "cap xa" => Level::Commune,
            "cap bo" | "cap trung uong" => Level::Central,
            _ => Level::Other,
        };
        if !out.contains(&level) {
            out.push(level);
        }
    }
    out
}

/// Online level derived from what the record states.
///
/// Rule (NĐ 42/2022: *toàn trình* = information, submission, processing and payment online):
/// * `none` — no "Trực tuyến" row in the channel table;
/// * `full` — an online row whose fees are all known and payable through the portal:
///   free, or a fixed amount in đồng;
/// * `partial` — an online row, but the fee is unknown, set by the council, or not in đồng,
///   so payment cannot be shown to be online.
fn online_level(channels: &[ChannelOption]) -> OnlineLevel {
    let online: Vec<&ChannelOption> = channels.iter().filter(|c| c.channel == Channel::Online).collect();
    if online.is_empty() {
        return OnlineLevel::None;
    }
    let payable = |f: &Fee| f.kind == FeeKind::Free || (f.kind == FeeKind::Amount && f.amount_dong.is_some());
    if online.iter().any(|c| !c.fees.is_empty() && c.fees.iter().all(payable)) {
        OnlineLevel::Full
    } else {
        OnlineLevel::Partial
    }
}

/// Parses one portal record. Total: never fails, never panics.
pub fn parse_procedure(raw: &RawProcedure) -> Procedure {
    let channels_text = nfc(raw.cach_thuc_thuc_hien.trim());
    let documents_text = nfc(raw.thanh_phan_ho_so.trim());
    let legal_text = nfc(raw.can_cu_phap_ly.trim());
    let steps_text = nfc(raw.trinh_tu_thuc_hien.trim());
    let level_text = nfc(raw.cap_thuc_hien.trim());
    let (channels, _) = channels::parse_channels(&channels_text);
    let agency = match clean(&raw.co_quan_co_tham_quyen) {
        a if a.is_empty() => clean(&raw.co_quan_thuc_hien),
        a => a,
    };
    Procedure {
        code: clean(&raw.ma_thu_tuc),
        name: clean(&raw.ten_thu_tuc),
        level: parse_levels(&level_text),
        field: clean(&raw.linh_vuc),
        agency,
        ministry: clean(&raw.bo_nganh),
        target: clean(&raw.doi_tuong_thuc_hien),
        where_to_submit: clean(&raw.dia_chi_tiep_nhan),
        steps: documents::parse_steps(&steps_text),
        online: online_level(&channels),
        channels,
        documents: documents::parse_documents(&documents_text),
        results: clean(&raw.ket_qua_xu_ly),
        legal_basis: documents::parse_legal_basis(&legal_text),
        conditions: clean(&raw.yeu_cau_dieu_kien),
        decision: clean(&raw.so_quyet_dinh),
        detail_url: raw.detail_url.trim().to_string(),
        raw: RawTexts {
            level: level_text,
            channels: channels_text,
            documents: documents_text,
            legal_basis: legal_text,
            steps: steps_text,
        },
    }
}

/// Parses a JSONL catalogue (portal format, one object a line). Blank lines are skipped;
/// malformed lines and lines without `ma_thu_tuc` are reported with their line number.
pub fn parse_catalog_jsonl(text: &str) -> (Vec<Procedure>, Vec<LineError>) {
    let mut procs = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<RawProcedure>(line) {
            Ok(raw) if raw.ma_thu_tuc.trim().is_empty() => errors.push(LineError {
                line: line_no,
                message: "missing ma_thu_tuc".into(),
            }),
            Ok(raw) => procs.push(parse_procedure(&raw)),
            Err(e) => errors.push(LineError {
                line: line_no,
                message: e.to_string(),
            }),
        }
    }
    (procs, errors)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) const FIXTURES: &str = include_str!("fixtures.jsonl");

    pub(crate) fn fixtures() -> Vec<Procedure> {
        let (p, e) = parse_catalog_jsonl(FIXTURES);
        assert!(e.is_empty(), "{e:?}");
        p
    }

    fn by_code<'a>(p: &'a [Procedure], code: &str) -> &'a Procedure {
        p.iter().find(|x| x.code == code).unwrap()
    }

    fn time_of(p: &Procedure, ch: Channel) -> Option<ProcessingTime> {
        p.channels
            .iter()
            .find(|c| c.channel == ch)
            .and_then(|c| c.processing_time.clone())
    }

    #[test]
    fn known_times() {
        let p = fixtures();
        assert_eq!(p.len(), 32);
        let thuong_tru = by_code(&p, "1.004222");
        assert_eq!(
            time_of(thuong_tru, Channel::Online),
            Some(ProcessingTime::new(7.0, TimeUnit::WorkingDays))
        );
        assert_eq!(thuong_tru.channels[0].fees[0].amount_dong, Some(10_000));
        assert_eq!(thuong_tru.channels[1].fees[0].amount_dong, Some(20_000));
        assert_eq!(thuong_tru.online, OnlineLevel::Full);
        let gcn = by_code(&p, "1.012783");
        assert_eq!(
            time_of(gcn, Channel::Online),
            Some(ProcessingTime::new(15.0, TimeUnit::WorkingDays))
        );
        assert_eq!(
            time_of(gcn, Channel::Post),
            Some(ProcessingTime::new(20.0, TimeUnit::WorkingDays))
        );
        assert_eq!(
            time_of(gcn, Channel::Counter),
            Some(ProcessingTime::new(5.0, TimeUnit::WorkingDays))
        );
        let ks = by_code(&p, "1.001193");
        assert_eq!(ks.level, [Level::Commune]);
        assert_eq!(ks.channels.len(), 3);
        assert!(ks.channels.iter().all(|c| c.fees[0].kind == FeeKind::Free));
        assert!(!ks.documents.is_empty());
        assert!(ks.steps.len() > 1);
    }

    #[test]
    fn json_shape() {
        let p = fixtures();
        let v = serde_json::to_value(by_code(&p, "1.004222")).unwrap();
        assert_eq!(v["online"], "full");
        assert_eq!(v["channels"][0]["channel"], "online");
        assert_eq!(
            v["channels"][0]["processing_time"],
            serde_json::json!({"value": 7, "unit": "working_days"})
        );
        assert_eq!(v["channels"][0]["fees"][0]["kind"], "amount");
        let half = serde_json::to_value(ProcessingTime::new(0.5, TimeUnit::Days)).unwrap();
        assert_eq!(half, serde_json::json!({"value": 0.5, "unit": "days"}));
        // Round trip.
        let back: Procedure = serde_json::from_value(v).unwrap();
        assert_eq!(&back, by_code(&p, "1.004222"));
    }

    #[test]
    fn levels_and_legal() {
        assert_eq!(parse_levels("Cấp Tỉnh, Cấp Xã"), [Level::Province, Level::Commune]);
        assert_eq!(parse_levels("Cấp bộ, Cơ quan khác"), [Level::Central, Level::Other]);
        let p = fixtures();
        let customs = by_code(&p, "1.000005");
        let codes: Vec<&str> = customs.legal_basis.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["54/2014/QH13", "92/2015/TT-BTC", "78/2006/QH11"]);
    }

    #[test]
    fn jsonl_errors_have_line_numbers() {
        let text = "{\"ma_thu_tuc\":\"1.1\",\"ten_thu_tuc\":\"A\",\"extra\":5}\n\nnot json\n{\"ten_thu_tuc\":\"no code\"}\n{\"ma_thu_tuc\":2,\"cap_thuc_hien\":null}\n";
        let (p, e) = parse_catalog_jsonl(text);
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].code, "2");
        assert_eq!(e.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(p[0].online, OnlineLevel::None);
    }

    #[test]
    fn print_sample() {
        let p = fixtures();
        for x in &p {
            let times: Vec<String> = x
                .channels
                .iter()
                .map(|c| {
                    format!(
                        "{:?}:{:?}/{:?}",
                        c.channel,
                        c.processing_time.as_ref().map(|t| (t.value, t.unit)),
                        c.fees.first().map(|f| (f.kind, f.amount_dong))
                    )
                })
                .collect();
            println!(
                "{} {:?} docs={} legal={} {:?} {}",
                x.code,
                x.online,
                x.documents.len(),
                x.legal_basis.len(),
                x.level,
                times.join(" ")
            );
        }
    }

    fn arb_raw() -> impl Strategy<Value = RawProcedure> {
        let s = || {
            "\\PC{0,60}|(Trực tuyến|Trực tiếp|Dịch vụ bưu chính|[0-9]{1,5}|,|\\.| bản chính| bản sao|Ngày làm việc|VNĐ|Miễn phí|\\(|\\)|Tên giấy tờMẫu đơn, tờ khaiSố lượng|Tên văn bản pháp lýMã văn bản|/|Mẫu|.docx){0,14}"
        };
        (s(), s(), s(), s(), s(), s()).prop_map(|(a, b, c, d, e, f)| RawProcedure {
            ma_thu_tuc: a,
            ten_thu_tuc: b.clone(),
            cap_thuc_hien: b,
            cach_thuc_thuc_hien: format!("Hình thức nộpThời gianPhí, lệ phíMô tả{c}"),
            thanh_phan_ho_so: d,
            can_cu_phap_ly: format!("Tên văn bản pháp lýMã văn bản{e}"),
            trinh_tu_thuc_hien: f,
            ..Default::default()
        })
    }

    proptest! {
        #[test]
        fn parse_never_panics(raw in arb_raw()) {
            let p = parse_procedure(&raw);
            let _ = serde_json::to_string(&p).unwrap();
        }
    }
}
