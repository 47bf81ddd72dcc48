//! Parser for `cach_thuc_thuc_hien`: the portal's channel × time × fee × description table,
//! flattened into one string such as
//! `Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(…)Trực tiếp…`.
//!
//! Observed shapes (2,642 records): the time cell is `N Ngày làm việc`, `N Ngày`, `N Giờ`,
//! `N Tháng`, a bare `N` (unit lost by the portal), `Không có thông tin` or free text; the fee
//! cell is `Miễn phí`, `Không có thông tin`, or an amount with `Việt Nam Đồng` / `VNĐ` / `USD`,
//! optionally followed by a parenthesised note; the description follows without a separator.

use super::{Channel, ChannelOption, Fee, FeeKind, ProcessingTime, TimeUnit};

const HEADER: &str = "Hình thức nộpThời gianPhí, lệ phíMô tả";
const NO_INFO: &str = "Không có thông tin";
const FREE: &str = "Miễn phí";

const CHANNEL_WORDS: [(&str, Channel); 3] = [
    ("Trực tiếp", Channel::Counter),
    ("Trực tuyến", Channel::Online),
    ("Dịch vụ bưu chính", Channel::Post),
];

/// Time-cell units, longest first so that "Ngày làm việc" wins over "Ngày".
const UNITS: [(&str, TimeUnit); 8] = [
    ("Ngày làm việc", TimeUnit::WorkingDays),
    ("ngày làm việc", TimeUnit::WorkingDays),
    ("Giờ làm việc", TimeUnit::Hours),
    ("Ngày", TimeUnit::Days),
    ("Giờ", TimeUnit::Hours),
    ("Tháng", TimeUnit::Months),
    ("Năm", TimeUnit::Years),
    ("Trong ngày", TimeUnit::WithinDay),
];

const CURRENCIES: [(&str, bool); 8] = [
    ("Việt Nam Đồng", true),
    ("VNĐ", true),
    ("vnđ", true),
    ("VND", true),
    ("Đồng", true),
    ("đồng", true),
    ("đ", true),
    ("USD", false),
];

/// One row of the flattened table before interpretation, kept for coverage accounting.
#[derive(Debug, Default)]
pub(crate) struct RowFacts {
    /// The time cell held something other than "no information" / "not regulated".
    pub time_stated: bool,
    /// The fee cell held something other than "no information".
    pub fee_stated: bool,
}

/// Parses the whole cell. Never panics; unknown text ends up in descriptions.
pub(crate) fn parse_channels(text: &str) -> (Vec<ChannelOption>, Vec<RowFacts>) {
    let body = text.trim();
    let body = body.strip_prefix(HEADER).unwrap_or(body);
    let mut options = Vec::new();
    let mut facts = Vec::new();
    for (channel, row) in split_rows(body) {
        let (opt, f) = parse_row(channel, row);
        options.push(opt);
        facts.push(f);
    }
    (options, facts)
}

/// Whether a channel word at this point starts a table row rather than sitting in prose:
/// a real row continues with a time or fee cell.
fn starts_row(after: &str) -> bool {
    after.starts_with(|c: char| c.is_ascii_digit())
        || after.starts_with("Không")
        || after.starts_with(FREE)
        || after.starts_with("Trong ngày")
}

fn channel_at(s: &str) -> Option<(Channel, usize)> {
    CHANNEL_WORDS
        .iter()
        .find(|(w, _)| s.starts_with(w))
        .map(|(w, c)| (*c, w.len()))
}

/// Splits the body into (channel, rest-of-row) pairs.
fn split_rows(body: &str) -> Vec<(Channel, &str)> {
    let mut starts: Vec<(usize, Channel, usize)> = Vec::new();
    for (i, _) in body.char_indices() {
        let Some(rest) = body.get(i..) else { continue };
        if let Some((ch, len)) = channel_at(rest) {
            let after = rest.get(len..).unwrap_or("");
            // The first row directly follows the header whatever its content.
            if (i == 0 && starts.is_empty()) || starts_row(after) {
                starts.push((i, ch, len));
            }
        }
    }
    let mut rows = Vec::with_capacity(starts.len());
    for (k, &(i, ch, len)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(body.len(), |s| s.0);
        rows.push((ch, body.get(i + len..end).unwrap_or("")));
    }
    rows
}

fn parse_row(channel: Channel, row: &str) -> (ChannelOption, RowFacts) {
    let mut facts = RowFacts::default();
    let mut rest = row;
    let mut processing_time = None;

    // --- time cell
    if let Some(r) = rest.strip_prefix(NO_INFO) {
        rest = r;
    } else if parse_money(rest).is_some() {
        // No time cell at all: the row goes straight to the amount.
    } else if rest.starts_with(|c: char| c.is_ascii_digit()) {
        facts.time_stated = true;
        let (t, r) = parse_time_cell(rest);
        processing_time = t;
        rest = r;
    } else if let Some(r) = rest.strip_prefix("Trong ngày") {
        facts.time_stated = true;
        processing_time = Some(ProcessingTime::new(1.0, TimeUnit::WithinDay));
        rest = r;
    } else {
        // Free text such as "Không quy định" or "Không phải trả kết quả…": runs until the fee cell.
        let cut = find_fee_start(rest).unwrap_or(rest.len());
        let cell = rest.get(..cut).unwrap_or("").trim();
        // "Không…" (not regulated / no result) states that there is no deadline.
        facts.time_stated = !cell.is_empty() && !cell.starts_with("Không");
        rest = rest.get(cut..).unwrap_or("");
    }

    // --- fee cell
    let mut fees = Vec::new();
    rest = rest.trim_start();
    let mut fee_kind = None;
    let mut fee_text = String::new();
    let mut amount = None;
    if let Some(r) = rest.strip_prefix(FREE) {
        fee_kind = Some(FeeKind::Free);
        fee_text.push_str(FREE);
        rest = r;
    } else if let Some(r) = rest.strip_prefix(NO_INFO) {
        fee_kind = Some(FeeKind::Unspecified);
        rest = r;
    } else if let Some((value, is_dong, used)) = parse_money(rest) {
        fee_kind = Some(FeeKind::Amount);
        amount = if is_dong { Some(value) } else { None };
        fee_text.push_str(rest.get(..used).unwrap_or("").trim());
        rest = rest.get(used..).unwrap_or("");
    }
    // A parenthesised note directly after the fee cell belongs to the fee.
    let mut note = "";
    if fee_kind.is_some() && rest.starts_with('(') {
        let end = balanced_paren_end(rest);
        note = rest.get(1..end.saturating_sub(1)).unwrap_or("").trim();
        rest = rest.get(end..).unwrap_or("");
    }
    let description = rest.trim().to_string();
    if let Some(mut kind) = fee_kind {
        facts.fee_stated = kind != FeeKind::Unspecified;
        // When the only statement is that the council sets the level, say so instead of
        // "free"/"unknown": the portal's "Miễn phí" is often a placeholder in that case.
        if kind != FeeKind::Amount && mentions_council(note) {
            kind = FeeKind::CouncilDecision;
            facts.fee_stated = true;
        }
        let mut desc = fee_text;
        if !note.is_empty() {
            if !desc.is_empty() {
                desc.push(' ');
            }
            desc.push('(');
            desc.push_str(note);
            desc.push(')');
        }
        fees.push(Fee {
            kind,
            amount_dong: amount,
            description: desc,
        });
    }

    // When the time cell is empty the deadline is often written in the description.
    if processing_time.is_none() {
        if let Some(t) = single_duration_in(&description) {
            processing_time = Some(t);
            facts.time_stated = true;
        }
    }

    (
        ChannelOption {
            channel,
            processing_time,
            fees,
            description,
        },
        facts,
    )
}

/// Byte index just past the parenthesis matching the `(` at index 0 (or the end of `s`).
fn balanced_paren_end(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    s.len()
}

fn mentions_council(s: &str) -> bool {
    s.contains("Hội đồng nhân dân") || s.contains("HĐND") || s.contains("hội đồng nhân dân")
}

/// Where the fee cell begins in free text: "Miễn phí", "Không có thông tin" or an amount.
fn find_fee_start(s: &str) -> Option<usize> {
    for (i, c) in s.char_indices() {
        let rest = s.get(i..)?;
        if rest.starts_with(FREE) || rest.starts_with(NO_INFO) {
            return Some(i);
        }
        if c.is_ascii_digit() && parse_money(rest).is_some() {
            return Some(i);
        }
    }
    None
}

/// Length of the leading ASCII-digit run.
fn digit_run(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// Parses "10,000 Việt Nam Đồng", "1,500,000 VNĐ", "150 USD" at the start of `s`.
/// Returns (value, is_dong, bytes used). Thousands separators must be well formed, which
/// is what tells "1100,000 VNĐ" (a bare time 1 followed by 100,000 đồng) apart.
fn parse_money(s: &str) -> Option<(i64, bool, usize)> {
    let first = digit_run(s);
    if first == 0 {
        return None;
    }
    let mut used = first;
    let mut digits = String::from(s.get(..first)?);
    let mut grouped = false;
    loop {
        let rest = s.get(used..)?;
        let sep = rest.as_bytes().first().copied();
        if matches!(sep, Some(b',') | Some(b'.')) && digit_run(&rest[1..]) == 3 {
            let after = rest.get(4..).unwrap_or("");
            if digit_run(after) == 0 {
                digits.push_str(rest.get(1..4)?);
                used += 4;
                grouped = true;
                continue;
            }
        }
        break;
    }
    if grouped && first > 3 {
        return None;
    }
    let rest = s.get(used..)?;
    let trimmed = rest.trim_start();
    let skipped = rest.len() - trimmed.len();
    for (word, is_dong) in CURRENCIES {
        if trimmed.starts_with(word) {
            let value: i64 = digits.parse().ok()?;
            return Some((value, is_dong, used + skipped + word.len()));
        }
    }
    None
}

/// Parses a time cell starting with a digit. Returns the time (if any) and the remainder.
fn parse_time_cell(s: &str) -> (Option<ProcessingTime>, &str) {
    let run = digit_run(s);
    // "1100,000 VNĐ": the digits may run straight into the amount of the fee cell.
    for k in 1..run {
        if let Some(rest) = s.get(k..) {
            if parse_money(rest).is_some() {
                let value = s.get(..k).and_then(|d| d.parse::<f64>().ok());
                return (value.map(ProcessingTime::assumed), rest);
            }
        }
    }
    let mut used = run;
    // Fractions: "1.5 Ngày làm việc", "0,5 Ngày".
    if let Some(rest) = s.get(run..) {
        if rest.starts_with(['.', ',']) {
            let frac = digit_run(&rest[1..]);
            if frac > 0 && frac < 3 {
                used = run + 1 + frac;
            }
        }
    }
    let value = s
        .get(..used)
        .map(|d| d.replace(',', "."))
        .and_then(|d| d.parse::<f64>().ok());
    let rest = s.get(used..).unwrap_or("");
    let trimmed = rest.trim_start();
    for (word, unit) in UNITS {
        if let Some(r) = trimmed.strip_prefix(word) {
            return (value.map(|v| ProcessingTime::new(v, unit)), r);
        }
    }
    // A bare number: the portal lost the unit. Deadlines of administrative procedures are
    // set in working days unless stated otherwise, so assume that and flag it.
    (value.map(ProcessingTime::assumed), rest)
}

const PROSE_UNITS: [(&str, TimeUnit); 5] = [
    ("ngày làm việc", TimeUnit::WorkingDays),
    ("giờ làm việc", TimeUnit::Hours),
    ("ngày", TimeUnit::Days),
    ("giờ", TimeUnit::Hours),
    ("tháng", TimeUnit::Months),
];

/// Every "N unit" duration in prose, skipping dates such as "ngày 20 tháng 11".
fn durations_in(text: &str) -> Vec<ProcessingTime> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    for (idx, c) in lower.char_indices() {
        let boundary = !prev.is_some_and(|p| p.is_alphanumeric() || matches!(p, '/' | '.' | ','));
        prev = Some(c);
        if !c.is_ascii_digit() || !boundary {
            continue;
        }
        let Some(rest) = lower.get(idx..) else {
            continue;
        };
        let run = digit_run(rest);
        if run > 3 || lower.get(..idx).is_some_and(|p| p.ends_with("ngày ")) {
            continue;
        }
        let Some(after) = rest.get(run..).and_then(|a| a.strip_prefix(' ')) else {
            continue;
        };
        if let Some((_, unit)) = PROSE_UNITS.iter().find(|(w, _)| after.starts_with(w)) {
            let value: f64 = rest.get(..run).and_then(|d| d.parse().ok()).unwrap_or(0.0);
            if value > 0.0 {
                out.push(ProcessingTime::new(value, *unit));
            }
        }
    }
    out
}

/// The one duration mentioned in prose ("15 ngày làm việc kể từ…"), if exactly one distinct
/// duration is mentioned; several different ones (per case) are too ambiguous to pick from.
pub(crate) fn single_duration_in(text: &str) -> Option<ProcessingTime> {
    let all = durations_in(text);
    let first = all.first()?;
    all.iter().all(|t| t == first).then(|| first.clone())
}

/// Whether prose mentions any duration at all (for coverage accounting).
pub(crate) fn mentions_duration(text: &str) -> bool {
    !durations_in(text).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money() {
        assert_eq!(parse_money("10,000 Việt Nam Đồng(x"), Some((10_000, true, 25)));
        assert_eq!(parse_money("1,500,000 VNĐ").map(|m| m.0), Some(1_500_000));
        assert_eq!(parse_money("150 USD").map(|m| (m.0, m.1)), Some((150, false)));
        assert_eq!(parse_money("1100,000 VNĐ"), None);
        assert_eq!(parse_money("7 Ngày làm việc"), None);
        assert_eq!(parse_money("2.000 đồng").map(|m| m.0), Some(2000));
    }

    #[test]
    fn rows() {
        let (opts, facts) = parse_channels(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(Nộp qua cổng)Trực tiếp0.5 Ngày20,000 VNĐDịch vụ bưu chínhKhông có thông tinMiễn phíGửi qua bưu điện, 15 ngày làm việc",
        );
        assert_eq!(opts.len(), 3);
        assert_eq!(opts[0].channel, Channel::Online);
        assert_eq!(
            opts[0].processing_time,
            Some(ProcessingTime::new(7.0, TimeUnit::WorkingDays))
        );
        assert_eq!(opts[0].fees[0].amount_dong, Some(10_000));
        assert_eq!(opts[0].fees[0].description, "10,000 Việt Nam Đồng (Nộp qua cổng)");
        assert_eq!(opts[1].processing_time, Some(ProcessingTime::new(0.5, TimeUnit::Days)));
        assert_eq!(opts[2].channel, Channel::Post);
        assert_eq!(opts[2].fees[0].kind, FeeKind::Free);
        assert_eq!(
            opts[2].processing_time,
            Some(ProcessingTime::new(15.0, TimeUnit::WorkingDays))
        );
        assert!(facts.iter().all(|f| f.time_stated && f.fee_stated));
    }

    #[test]
    fn bare_number_and_glued_amount() {
        let (opts, _) =
            parse_channels("Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1100,000 VNĐTrực tiếp1Miễn phí");
        assert_eq!(
            opts[0].processing_time.as_ref().map(|t| (t.value, t.unit_assumed)),
            Some((1.0, true))
        );
        assert_eq!(opts[0].fees[0].amount_dong, Some(100_000));
        assert_eq!(
            opts[1].processing_time.as_ref().map(|t| t.unit),
            Some(TimeUnit::WorkingDays)
        );
    }

    #[test]
    fn prose_channel_words_do_not_split() {
        let (opts, _) = parse_channels(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyếnKhông có thông tinKhông có thông tinTrực tuyến: nộp hồ sơ qua Cổng",
        );
        assert_eq!(opts.len(), 1);
        assert_eq!(opts[0].description, "Trực tuyến: nộp hồ sơ qua Cổng");
        assert_eq!(opts[0].fees[0].kind, FeeKind::Unspecified);
    }

    #[test]
    fn council() {
        let (opts, _) = parse_channels(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến10 NgàyMiễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.)",
        );
        assert_eq!(opts[0].fees[0].kind, FeeKind::CouncilDecision);
        assert_eq!(opts[0].processing_time, Some(ProcessingTime::new(10.0, TimeUnit::Days)));
    }

    #[test]
    fn durations_in_prose() {
        assert_eq!(
            single_duration_in("15 ngày làm việc kể từ ngày nhận được hồ sơ đầy đủ"),
            Some(ProcessingTime::new(15.0, TimeUnit::WorkingDays))
        );
        assert_eq!(single_duration_in("02 ngày làm việc và 45 ngày"), None);
        assert_eq!(single_duration_in("theo Quy chế làm việc"), None);
        assert!(mentions_duration("trong thời hạn 05 ngày làm việc"));
        assert!(!mentions_duration("gửi qua hệ thống quản lý văn bản"));
    }
}
