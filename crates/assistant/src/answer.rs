//! Answer templates. Every figure comes from a catalogue field; when the catalogue does not
//! state something the answer says so instead of guessing.

use motcua_domain::catalog::{Channel, FeeKind, OnlineLevel, Procedure, ProcessingTime, TimeUnit};
use serde::{Deserialize, Serialize};

use crate::{Candidate, Intent, Lang};

/// What the web layer knows about a dossier, for [`status_answer`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusView {
    /// TrangThaiHoSo, 1–10 (vietnam-rules §4).
    pub status_code: u8,
    pub procedure_name: String,
    pub received_at: Option<String>,
    pub due: Option<String>,
    pub finished_at: Option<String>,
}

/// Status names of the national portal (vietnam-rules §4).
fn status_name(code: u8, lang: Lang) -> &'static str {
    match (code, lang) {
        (1, Lang::Vi) => "Mới đăng ký",
        (2, Lang::Vi) => "Được tiếp nhận",
        (3, Lang::Vi) => "Không được tiếp nhận",
        (4, Lang::Vi) => "Đang xử lý",
        (5, Lang::Vi) => "Yêu cầu bổ sung giấy tờ",
        (6, Lang::Vi) => "Yêu cầu thực hiện nghĩa vụ tài chính",
        (7, Lang::Vi) => "Công dân yêu cầu rút hồ sơ",
        (8, Lang::Vi) => "Dừng xử lý",
        (9, Lang::Vi) => "Đã xử lý xong",
        (10, Lang::Vi) => "Đã trả kết quả",
        (1, Lang::En) => "Submitted online, not yet accepted",
        (2, Lang::En) => "Accepted",
        (3, Lang::En) => "Not accepted",
        (4, Lang::En) => "In progress",
        (5, Lang::En) => "Additional documents requested",
        (6, Lang::En) => "Fees or taxes due",
        (7, Lang::En) => "Withdrawn at the applicant's request",
        (8, Lang::En) => "Processing stopped",
        (9, Lang::En) => "Processed, result ready",
        (10, Lang::En) => "Result returned",
        (_, Lang::Vi) => "Không xác định",
        (_, Lang::En) => "Unknown",
    }
}

/// The answer to a status question once the web layer has looked the dossier up.
pub fn status_answer(code: &str, view: Option<&StatusView>, lang: Lang) -> String {
    let Some(v) = view else {
        return match lang {
            Lang::Vi => format!(
                "Không tìm thấy hồ sơ có mã {code}. Vui lòng kiểm tra lại mã trên giấy tiếp nhận \
                 hoặc tra cứu tại /tra-cuu."
            ),
            Lang::En => format!(
                "No dossier with code {code} was found. Please check the code on your receipt \
                 or search at /tra-cuu."
            ),
        };
    };
    let mut out = match lang {
        Lang::Vi => format!(
            "Hồ sơ {code} ({}): {}.",
            v.procedure_name,
            status_name(v.status_code, lang)
        ),
        Lang::En => format!(
            "Dossier {code} ({}): {}.",
            v.procedure_name,
            status_name(v.status_code, lang)
        ),
    };
    let labels = match lang {
        Lang::Vi => ["Ngày tiếp nhận", "Ngày hẹn trả", "Ngày hoàn thành"],
        Lang::En => ["Received", "Due", "Finished"],
    };
    for (label, value) in labels.iter().zip([&v.received_at, &v.due, &v.finished_at]) {
        if let Some(value) = value {
            out.push_str(&format!(" {label}: {value}."));
        }
    }
    out.push_str(&format!(" /tra-cuu?ma={code}"));
    out
}

pub(crate) fn status_pending(code: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("Đang tra cứu tình trạng hồ sơ {code}… /tra-cuu?ma={code}"),
        Lang::En => format!("Looking up the status of dossier {code}… /tra-cuu?ma={code}"),
    }
}

pub(crate) fn status_needs_code(lang: Lang) -> String {
    match lang {
        Lang::Vi => "Để tra cứu tình trạng hồ sơ, vui lòng cho biết mã hồ sơ ghi trên giấy tiếp \
                     nhận (ví dụ 000.00.12.H21-240412-0001), hoặc tra cứu tại /tra-cuu."
            .into(),
        Lang::En => "To check a dossier's status, please give the dossier code printed on your \
                     receipt (for example 000.00.12.H21-240412-0001), or search at /tra-cuu."
            .into(),
    }
}

pub(crate) fn out_of_scope(lang: Lang) -> String {
    match lang {
        Lang::Vi => "Xin lỗi, tôi chỉ có thể hỗ trợ về thủ tục hành chính (giấy tờ cần chuẩn bị, \
                     lệ phí, thời hạn, nơi nộp, nộp trực tuyến) và tra cứu hồ sơ."
            .into(),
        Lang::En => "Sorry, I can help with administrative procedures (documents, fees, \
                     processing time, where to submit, online submission) and dossier status."
            .into(),
    }
}

pub(crate) fn choose(choices: &[Candidate], lang: Lang) -> String {
    let mut out = String::from(match lang {
        Lang::Vi => "Câu hỏi có thể ứng với một trong các thủ tục sau, bạn vui lòng chọn:",
        Lang::En => "Your question may refer to one of these procedures, please choose:",
    });
    for (i, c) in choices.iter().enumerate() {
        out.push_str(&format!("\n{}. {} ({}) /thu-tuc/{}", i + 1, c.name, c.code, c.code));
    }
    out
}

fn channel_name(c: Channel, lang: Lang) -> &'static str {
    match (c, lang) {
        (Channel::Counter, Lang::Vi) => "Trực tiếp",
        (Channel::Online, Lang::Vi) => "Trực tuyến",
        (Channel::Post, Lang::Vi) => "Bưu chính",
        (Channel::Counter, Lang::En) => "At the counter",
        (Channel::Online, Lang::En) => "Online",
        (Channel::Post, Lang::En) => "By post",
    }
}

/// 10000 → "10.000" (Vietnamese thousands separator).
fn dong(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if amount < 0 {
        out.insert(0, '-');
    }
    out
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn time_text(t: &ProcessingTime, lang: Lang) -> String {
    let unit = match (t.unit, lang) {
        (TimeUnit::WithinDay, Lang::Vi) => return "trong ngày".into(),
        (TimeUnit::WithinDay, Lang::En) => return "within the day".into(),
        (TimeUnit::WorkingDays, Lang::Vi) if t.unit_assumed => "(danh mục không ghi đơn vị)",
        (TimeUnit::WorkingDays, Lang::En) if t.unit_assumed => "(unit not stated in the catalogue)",
        (TimeUnit::WorkingDays, Lang::Vi) => "ngày làm việc",
        (TimeUnit::WorkingDays, Lang::En) => "working days",
        (TimeUnit::Days, Lang::Vi) => "ngày",
        (TimeUnit::Days, Lang::En) => "days",
        (TimeUnit::Hours, Lang::Vi) => "giờ",
        (TimeUnit::Hours, Lang::En) => "hours",
        (TimeUnit::Months, Lang::Vi) => "tháng",
        (TimeUnit::Months, Lang::En) => "months",
        (TimeUnit::Years, Lang::Vi) => "năm",
        (TimeUnit::Years, Lang::En) => "years",
    };
    format!("{} {unit}", number(t.value))
}

/// At most `max` characters, cut at a character boundary.
fn clip(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn fee_lines(p: &Procedure, lang: Lang) -> Vec<String> {
    let mut lines = Vec::new();
    for c in &p.channels {
        let mut parts = Vec::new();
        for f in &c.fees {
            let text = match (f.kind, f.amount_dong, lang) {
                (FeeKind::Amount, Some(a), Lang::Vi) => format!("{} đồng", dong(a)),
                (FeeKind::Amount, Some(a), Lang::En) => format!("{} VND", dong(a)),
                (FeeKind::Amount, None, _) => clip(&f.description, 200),
                (FeeKind::Free, _, Lang::Vi) => "miễn phí".into(),
                (FeeKind::Free, _, Lang::En) => "free of charge".into(),
                (FeeKind::CouncilDecision, _, Lang::Vi) => format!(
                    "theo mức do Hội đồng nhân dân tỉnh quy định ({})",
                    clip(&f.description, 160)
                ),
                (FeeKind::CouncilDecision, _, Lang::En) => format!(
                    "as set by the provincial People's Council ({})",
                    clip(&f.description, 160)
                ),
                (FeeKind::Unspecified, _, _) => continue,
            };
            parts.push(text);
        }
        if !parts.is_empty() {
            lines.push(format!("- {}: {}", channel_name(c.channel, lang), parts.join("; ")));
        }
    }
    lines
}

fn footer(p: &Procedure, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("\nMã thủ tục: {}. Chi tiết: /thu-tuc/{}", p.code, p.code),
        Lang::En => format!("\nProcedure code: {}. Details: /thu-tuc/{}", p.code, p.code),
    }
}

/// The answer to `intent` about procedure `p`.
pub(crate) fn facet(p: &Procedure, intent: Intent, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let mut out = match intent {
        Intent::Fee => {
            let lines = fee_lines(p, lang);
            if lines.is_empty() {
                if vi {
                    format!("Danh mục thủ tục không nêu lệ phí của thủ tục «{}».", p.name)
                } else {
                    format!("The catalogue does not state a fee for «{}».", p.name)
                }
            } else {
                let head = if vi {
                    format!("Lệ phí thủ tục «{}»:", p.name)
                } else {
                    format!("Fees for «{}»:", p.name)
                };
                format!("{head}\n{}", lines.join("\n"))
            }
        }
        Intent::Time => {
            let lines: Vec<String> = p
                .channels
                .iter()
                .filter_map(|c| {
                    c.processing_time
                        .as_ref()
                        .map(|t| format!("- {}: {}", channel_name(c.channel, lang), time_text(t, lang)))
                })
                .collect();
            if lines.is_empty() {
                if vi {
                    format!("Danh mục thủ tục không nêu thời hạn giải quyết của thủ tục «{}».", p.name)
                } else {
                    format!("The catalogue does not state a processing time for «{}».", p.name)
                }
            } else {
                let head = if vi {
                    format!("Thời hạn giải quyết thủ tục «{}»:", p.name)
                } else {
                    format!("Processing time for «{}»:", p.name)
                };
                format!("{head}\n{}", lines.join("\n"))
            }
        }
        Intent::Where => {
            let place = if !p.where_to_submit.is_empty() {
                Some(clip(&p.where_to_submit, 400))
            } else if !p.agency.is_empty() {
                Some(clip(&p.agency, 400))
            } else {
                None
            };
            match (place, vi) {
                (Some(pl), true) => format!("Nơi nộp hồ sơ thủ tục «{}»: {pl}", p.name),
                (Some(pl), false) => format!("Where to submit «{}»: {pl}", p.name),
                (None, true) => format!("Danh mục thủ tục không nêu nơi nộp hồ sơ của thủ tục «{}».", p.name),
                (None, false) => format!("The catalogue does not state where to submit «{}».", p.name),
            }
        }
        Intent::Online => match (p.online, vi) {
            (OnlineLevel::Full, true) => format!(
                "Thủ tục «{}» có thể thực hiện trực tuyến toàn trình trên Cổng dịch vụ công: /nop-ho-so/{}",
                p.name, p.code
            ),
            (OnlineLevel::Full, false) => format!(
                "«{}» can be done fully online on the public service portal: /nop-ho-so/{}",
                p.name, p.code
            ),
            (OnlineLevel::Partial, true) => format!(
                "Thủ tục «{}» có thể nộp hồ sơ trực tuyến (một phần): /nop-ho-so/{}; một số bước vẫn thực hiện trực tiếp.",
                p.name, p.code
            ),
            (OnlineLevel::Partial, false) => format!(
                "«{}» can be submitted online (partially): /nop-ho-so/{}; some steps are still done in person.",
                p.name, p.code
            ),
            (OnlineLevel::None, true) => format!(
                "Thủ tục «{}» chưa có hình thức nộp trực tuyến trong danh mục; vui lòng nộp trực tiếp hoặc qua bưu chính nếu được phép.",
                p.name
            ),
            (OnlineLevel::None, false) => format!(
                "The catalogue lists no online submission for «{}»; please submit at the counter or by post where allowed.",
                p.name
            ),
        },
        _ => {
            if p.documents.is_empty() {
                if vi {
                    format!("Danh mục thủ tục không liệt kê thành phần hồ sơ của thủ tục «{}».", p.name)
                } else {
                    format!("The catalogue does not list the documents for «{}».", p.name)
                }
            } else {
                const MAX: usize = 10;
                let mut s = if vi {
                    format!("Hồ sơ thủ tục «{}» gồm:", p.name)
                } else {
                    format!("Documents for «{}»:", p.name)
                };
                for d in p.documents.iter().take(MAX) {
                    let counts = if vi {
                        format!("bản chính: {}, bản sao: {}", d.originals, d.copies)
                    } else {
                        format!("originals: {}, copies: {}", d.originals, d.copies)
                    };
                    s.push_str(&format!("\n- {} ({counts})", clip(&d.name, 200)));
                }
                if p.documents.len() > MAX {
                    let more = p.documents.len() - MAX;
                    s.push_str(&if vi {
                        format!("\n… và {more} giấy tờ khác tùy trường hợp.")
                    } else {
                        format!("\n… and {more} more depending on the case.")
                    });
                }
                s
            }
        }
    };
    out.push_str(&footer(p, lang));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(dong(10_000), "10.000");
        assert_eq!(dong(500), "500");
        assert_eq!(dong(1_234_567), "1.234.567");
    }

    #[test]
    fn status_texts() {
        let v = StatusView {
            status_code: 4,
            procedure_name: "Đăng ký khai sinh".into(),
            received_at: Some("2024-04-12".into()),
            due: Some("2024-04-15".into()),
            finished_at: None,
        };
        let s = status_answer("000.00.12.H21-240412-0001", Some(&v), Lang::Vi);
        assert!(s.contains("Đang xử lý") && s.contains("2024-04-15"), "{s}");
        let s = status_answer("000.00.12.H21-240412-0001", None, Lang::En);
        assert!(s.contains("No dossier"), "{s}");
        assert_eq!(status_name(10, Lang::Vi), "Đã trả kết quả");
    }

    #[test]
    fn clip_is_char_safe() {
        assert_eq!(clip("đăng ký", 3), "đăn…");
        assert_eq!(clip("ab", 3), "ab");
    }
}
