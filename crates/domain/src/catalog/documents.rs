//! Parsers for the flattened `thanh_phan_ho_so` (required documents), `can_cu_phap_ly`
//! (legal basis) and `trinh_tu_thuc_hien` (steps) cells.
//!
//! Documents come as `[group]Tên giấy tờMẫu đơn, tờ khaiSố lượng` followed by entries
//! `name[template.docx]N bản chính[,N bản sao]`, repeated per group; the text after a group's
//! last entry is the next group's title.

use super::{LegalRef, RequiredDocument};

const DOC_HEADER: &str = "Tên giấy tờMẫu đơn, tờ khaiSố lượng";
const LEGAL_HEADER: &str = "Tên văn bản pháp lýMã văn bản";
const TEMPLATE_EXTS: [&str; 6] = [".docx", ".doc", ".pdf", ".xlsx", ".xls", ".rar"];

/// A quantity token found in the text: the byte range it covers and its counts.
struct Quantity {
    start: usize,
    end: usize,
    originals: u32,
    copies: u32,
}

/// Parses the count in front of " bản chính" / " bản sao" whose digit run ends at `end`.
/// Returns (start of the count, value), or `None` when the number reads as prose
/// ("nộp 01 bản chính" inside a document's name).
fn count_before(s: &str, end: usize) -> Option<(usize, u32)> {
    let head = s.get(..end)?;
    let run = head.bytes().rev().take_while(u8::is_ascii_digit).count();
    if run == 0 {
        return None;
    }
    let start = end - run;
    let digits = head.get(start..)?;
    let before = head.get(..start)?.chars().next_back();
    if run == 1 {
        return Some((start, digits.parse().ok()?));
    }
    if before.is_none_or(|c| c.is_whitespace() || c == '(') {
        return None;
    }
    // The count cell is glued to the name: "…2015/TT-BTC;1", "…năm 20261". Counts are one digit,
    // except a zero-padded "01".
    if run == 2 && digits.starts_with('0') {
        return Some((start, digits.parse().ok()?));
    }
    Some((end - 1, digits.get(run - 1..)?.parse().ok()?))
}

fn find_quantities(s: &str) -> Vec<Quantity> {
    const ORIG: &str = " bản chính";
    const COPY: &str = " bản sao";
    let mut out: Vec<Quantity> = Vec::new();
    let mut from = 0;
    while let Some(pos) = s.get(from..).and_then(|r| r.find(" bản ")).map(|p| p + from) {
        from = pos + 1;
        let rest = s.get(pos..).unwrap_or("");
        let (is_orig, word_len) = if rest.starts_with(ORIG) {
            (true, ORIG.len())
        } else if rest.starts_with(COPY) {
            (false, COPY.len())
        } else {
            continue;
        };
        let Some((start, n)) = count_before(s, pos) else {
            continue;
        };
        if out.last().is_some_and(|q| start < q.end) {
            continue;
        }
        let mut q = Quantity {
            start,
            end: pos + word_len,
            originals: 0,
            copies: 0,
        };
        if is_orig {
            q.originals = n;
            // Optional ",N bản sao" right after.
            let tail = s.get(q.end..).unwrap_or("");
            let t = tail.strip_prefix(',').map(str::trim_start);
            if let Some(t) = t {
                let run = t.bytes().take_while(u8::is_ascii_digit).count();
                if run > 0 && t.get(run..).is_some_and(|r| r.starts_with(COPY)) {
                    q.copies = t.get(..run).and_then(|d| d.parse().ok()).unwrap_or(0);
                    q.end += (tail.len() - t.len()) + run + COPY.len();
                }
            }
        } else {
            q.copies = n;
        }
        from = q.end;
        out.push(q);
    }
    out
}

/// Strips list bullets and whitespace around a name or group title.
fn clean_title(s: &str) -> String {
    let t = s.trim().trim_start_matches(['-', '+', '*', '•', '\t', ' ']).trim();
    let t = t.trim_end_matches([':', ' ', '\t', '\n']);
    t.to_string()
}

/// Splits "name…Mẫu số 03.docx" into (name, Some(template)).
fn split_template(text: &str) -> (String, Option<String>) {
    let lower = text.to_lowercase();
    let Some(ext) = TEMPLATE_EXTS.iter().find(|e| lower.trim_end().ends_with(*e)) else {
        return (clean_title(text), None);
    };
    let trimmed = text.trim_end();
    let stem_end = trimmed.len().saturating_sub(ext.len());
    let stem = trimmed.get(..stem_end).unwrap_or("");
    // The file name starts at a glued "Mẫu"/"mẫu", else after the last sentence break.
    let glued = ["Mẫu", "mẫu"]
        .iter()
        .filter_map(|m| {
            stem.match_indices(m)
                .filter(|(i, _)| {
                    *i > 0
                        && stem
                            .get(..*i)
                            .and_then(|p| p.chars().next_back())
                            .is_some_and(|c| !c.is_whitespace())
                })
                .map(|(i, _)| i)
                .last()
        })
        .max();
    let start = glued
        .or_else(|| stem.rfind(['.', ';', ')']).map(|i| i + 1))
        .unwrap_or(0);
    let template = trimmed.get(start..).unwrap_or("").trim().to_string();
    let name = clean_title(text.get(..start).unwrap_or(""));
    if name.is_empty() {
        (clean_title(stem), Some(template))
    } else {
        (name, Some(template))
    }
}

/// Parses `thanh_phan_ho_so`. Returns an empty list when no entry can be recognised.
pub(crate) fn parse_documents(text: &str) -> Vec<RequiredDocument> {
    let mut docs = Vec::new();
    let mut segments = text.split(DOC_HEADER);
    let mut group = segments.next().map(clean_title).unwrap_or_default();
    for seg in segments {
        let quantities = find_quantities(seg);
        let mut prev = 0;
        for q in &quantities {
            let name_text = seg.get(prev..q.start).unwrap_or("");
            prev = q.end;
            let (name, form_template) = split_template(name_text);
            if name.is_empty() && form_template.is_none() {
                continue;
            }
            docs.push(RequiredDocument {
                name,
                originals: q.originals,
                copies: q.copies,
                form_template,
                group: (!group.is_empty() && group != "--").then(|| group.clone()),
            });
        }
        // What follows the last entry titles the next group.
        group = clean_title(seg.get(prev..).unwrap_or(""));
    }
    docs
}

/// Whether the cell states any document at all (for coverage accounting).
pub(crate) fn states_documents(text: &str) -> bool {
    let t = text.replace(DOC_HEADER, "");
    let t = t.trim().trim_matches(['-', ' ']);
    !t.is_empty() && t != "Không có thông tin"
}

fn is_code_char(c: char) -> bool {
    c.is_ascii_digit() || c.is_uppercase() || matches!(c, '/' | '-' | '.' | '_')
}

/// Parses `can_cu_phap_ly`: a table of (document name, document code). Codes are recognised
/// as `N/…` tokens, either repeated right after a name that ends with the same code
/// ("Luật 54/2014/QH1354/2014/QH13") or glued to the name ("Luật Đất đai31/2024/QH15").
pub(crate) fn parse_legal_basis(text: &str) -> Vec<LegalRef> {
    let body = text.trim();
    let Some(body) = body.strip_prefix(LEGAL_HEADER) else {
        return Vec::new();
    };
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let mut out = Vec::new();
    let mut entry_start = 0usize; // index into chars
    let mut i = 0usize;
    while i < chars.len() {
        let c = chars[i].1;
        let prev = if i > 0 { Some(chars[i - 1].1) } else { None };
        if !c.is_ascii_digit() || prev.is_some_and(|p| p.is_ascii_digit()) {
            i += 1;
            continue;
        }
        // Maximal run of code characters from i.
        let mut end = i;
        while end < chars.len() && is_code_char(chars[end].1) {
            // An uppercase letter followed by a lowercase one starts the next name.
            if chars[end].1.is_uppercase() && chars.get(end + 1).is_some_and(|n| n.1.is_lowercase()) {
                break;
            }
            end += 1;
        }
        let run: String = chars[i..end].iter().map(|x| x.1).collect();
        // Doubled code: the name ends with code C and the code cell repeats C.
        let mut matched = None;
        for len in (5..=run.chars().count() / 2).rev() {
            let a: String = run.chars().take(len).collect();
            let b: String = run.chars().skip(len).take(len).collect();
            if a == b && a.contains('/') {
                matched = Some(len);
                break;
            }
        }
        let byte = |k: usize| chars.get(k).map_or(body.len(), |x| x.0);
        if let Some(len) = matched {
            let name = body.get(byte(entry_start)..byte(i + len)).unwrap_or("").trim();
            let code = body.get(byte(i + len)..byte(i + 2 * len)).unwrap_or("").trim();
            out.push(LegalRef {
                name: name.to_string(),
                code: code.to_string(),
            });
            entry_start = i + 2 * len;
            i = entry_start;
            continue;
        }
        // Glued code: preceded by a letter or ')' with no space, and containing a '/'.
        let glued = prev.is_some_and(|p| p.is_alphabetic() || p == ')');
        if glued && run.contains('/') && i > entry_start {
            let name = body.get(byte(entry_start)..byte(i)).unwrap_or("").trim();
            out.push(LegalRef {
                name: name.to_string(),
                code: run.trim_end_matches(['.', '-']).to_string(),
            });
            entry_start = end;
            i = end;
            continue;
        }
        i = end.max(i + 1);
    }
    out
}

/// Splits `trinh_tu_thuc_hien` into steps: one per non-empty line, and when everything is on
/// one line, one per "Bước N" marker.
pub(crate) fn parse_steps(text: &str) -> Vec<String> {
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if lines.len() != 1 {
        return lines;
    }
    let line = &lines[0];
    let mut cuts: Vec<usize> = line.match_indices("Bước ").map(|(i, _)| i).filter(|&i| i > 0).collect();
    if cuts.is_empty() {
        return lines;
    }
    cuts.insert(0, 0);
    cuts.push(line.len());
    cuts.windows(2)
        .filter_map(|w| line.get(w[0]..w[1]))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_with_groups_and_templates() {
        let t = "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượng- Tờ khai đăng ký khai sinh theo mẫu.Mẫu số 01.docx1 bản chính- Giấy chứng sinh.1 bản chính,1 bản sao* Giấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượngHộ chiếu hoặc thẻ căn cước, nộp 01 bản chính để đối chiếu.1 bản chính";
        let d = parse_documents(t);
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[0].name, "Tờ khai đăng ký khai sinh theo mẫu.");
        assert_eq!(d[0].form_template.as_deref(), Some("Mẫu số 01.docx"));
        assert_eq!(d[0].group.as_deref(), Some("Giấy tờ phải nộp"));
        assert_eq!((d[1].originals, d[1].copies), (1, 1));
        assert_eq!(d[2].group.as_deref(), Some("Giấy tờ phải xuất trình"));
        assert!(d[2].name.contains("nộp 01 bản chính để đối chiếu"));
    }

    #[test]
    fn glued_counts() {
        let d = parse_documents("--Tên giấy tờMẫu đơn, tờ khaiSố lượngQuyết định ngày 01/01/20261 bản chínhHóa đơn: 01 bản chụp;0 bản chính,1 bản sao");
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].name, "Quyết định ngày 01/01/2026");
        assert_eq!(d[0].group, None);
        assert_eq!((d[1].originals, d[1].copies), (0, 1));
    }

    #[test]
    fn legal() {
        let l = parse_legal_basis("Tên văn bản pháp lýMã văn bảnLuật 54/2014/QH1354/2014/QH13Luật Các tổ chức tín dụng32/2024/QH15Thông tư 92/2015/TT-BTC92/2015/TT-BTC");
        let pairs: Vec<(&str, &str)> = l.iter().map(|r| (r.name.as_str(), r.code.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("Luật 54/2014/QH13", "54/2014/QH13"),
                ("Luật Các tổ chức tín dụng", "32/2024/QH15"),
                ("Thông tư 92/2015/TT-BTC", "92/2015/TT-BTC")
            ]
        );
        assert!(parse_legal_basis("Không có thông tin").is_empty());
    }

    #[test]
    fn steps() {
        assert_eq!(
            parse_steps("Bước 1: nộp hồ sơ Bước 2: nhận kết quả"),
            ["Bước 1: nộp hồ sơ", "Bước 2: nhận kết quả"]
        );
        assert_eq!(parse_steps("a\n\n b \n"), ["a", "b"]);
        assert!(parse_steps("").is_empty());
    }
}
