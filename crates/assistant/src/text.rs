//! Query and document analysis: one token per syllable, kept in two forms.
//!
//! The accented form uses the canonical tone placement (`hòa` = `hoà`) so old and new
//! spellings meet; the folded form (no diacritics, `đ` → `d`) is what unaccented typing
//! produces. Both go through the i/y merge (`kí` = `ký`, `lí` = `lý`), a spelling choice
//! Vietnamese writers disagree on.

use motcua_domain::text::{fold, normalize_accented};

/// One syllable of analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tok {
    /// Lowercase, canonical tone placement, i/y merged.
    pub acc: String,
    /// `acc` without diacritics.
    pub fold: String,
    /// Index of the clause of the question the syllable belongs to (see [`analyze_clauses`]);
    /// 0 in dictionary phrases and catalogue text.
    pub clause: u16,
}

impl Tok {
    /// Whether the writer typed diacritics on this syllable.
    pub fn is_accented(&self) -> bool {
        self.acc != self.fold
    }
}

/// Maps `y` and its toned forms to the matching `i`.
fn y_to_i(c: char) -> Option<char> {
    Some(match c {
        'y' => 'i',
        'ý' => 'í',
        'ỳ' => 'ì',
        'ỷ' => 'ỉ',
        'ỹ' => 'ĩ',
        'ỵ' => 'ị',
        _ => return None,
    })
}

/// Rewrites a consonant + `y` syllable (`ký`, `lý`, `mỹ`) to its `i` spelling. Syllables
/// where `y` follows a vowel (`quy`, `huy`, `tuy`) are left alone: there the letter is not
/// interchangeable.
fn merge_i_y(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if let [onset, last] = chars[..] {
        if onset.is_ascii_alphabetic() && !"aeiouy".contains(onset) {
            if let Some(i) = y_to_i(last) {
                return [onset, i].iter().collect();
            }
        }
    }
    word.to_string()
}

/// Splits `text` into syllable tokens.
pub(crate) fn analyze(text: &str) -> Vec<Tok> {
    normalize_accented(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let acc = merge_i_y(w);
            let folded = fold(&acc).replace(' ', "");
            Tok {
                acc,
                fold: folded,
                clause: 0,
            }
        })
        .collect()
}

/// Splits a question into syllable tokens numbered by clause: a new clause starts after
/// punctuation (`,` `.` `;` `?` `!` `:` …) and at a connective from `breaks` ("xong", "rồi",
/// "thì", "nhưng", "để", "giờ" …), which itself stays in the clause it opens.
pub(crate) fn analyze_clauses(text: &str, breaks: &[Vec<Tok>]) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::new();
    let mut clause: u16 = 0;
    let normalized = normalize_accented(text);
    for piece in normalized.split([',', '.', ';', '?', '!', ':', '(', ')', '\n', '…']) {
        let toks = analyze(piece);
        if toks.is_empty() {
            continue;
        }
        let mut i = 0;
        let mut started = false;
        while i < toks.len() {
            let hit = breaks
                .iter()
                .filter(|b| i + b.len() <= toks.len() && toks[i..].iter().zip(b.iter()).all(|(t, p)| t.matches(p)))
                .map(Vec::len)
                .max();
            let len = hit.unwrap_or(1);
            if hit.is_some() && started {
                clause = clause.saturating_add(1);
            }
            for t in &toks[i..i + len] {
                out.push(Tok { clause, ..t.clone() });
            }
            started = true;
            i += len;
        }
        clause = clause.saturating_add(1);
    }
    out
}

impl Tok {
    /// Whether a question token matches a dictionary token: same folded syllable, and the same
    /// diacritics when both carry them ("thổ" is not "thơ", but "tho" may be either).
    pub fn matches(&self, pattern: &Tok) -> bool {
        self.fold == pattern.fold && (!self.is_accented() || !pattern.is_accented() || self.acc == pattern.acc)
    }
}

/// Drops a repeated last letter ("lâuu" → "lâu", "kyy" → "ky"): a held-down key. Only
/// words with a vowel, so that abbreviations ("cccd") are left to the dictionary.
pub(crate) fn undouble(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let has_vowel = chars.iter().any(|c| "aeiouy".contains(fold_char(*c)));
    let mut end = chars.len();
    while has_vowel && end >= 2 && chars[end - 1] == chars[end - 2] {
        end -= 1;
    }
    chars[..end].iter().collect()
}

/// The base letter of a Vietnamese vowel, for the vowel test of [`undouble`].
fn fold_char(c: char) -> char {
    fold(&c.to_string()).chars().next().unwrap_or(c)
}

/// Levenshtein distance ≤ 1 (a transposition of neighbours also counts as one edit).
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if prefix == la && prefix == lb {
        return true;
    }
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match la.cmp(&lb) {
        std::cmp::Ordering::Equal => {
            ra[1..] == rb[1..] || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        std::cmp::Ordering::Less => ra == &rb[1..],
        std::cmp::Ordering::Greater => &ra[1..] == rb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let t = analyze("Đăng kí khai sinh, Hòa");
        let f: Vec<&str> = t.iter().map(|t| t.fold.as_str()).collect();
        assert_eq!(f, ["dang", "ki", "khai", "sinh", "hoa"]);
        assert_eq!(analyze("đăng ký")[1].acc, "kí");
        assert_eq!(analyze("hoà")[0].acc, analyze("Hòa")[0].acc);
        assert_eq!(analyze("quy")[0].fold, "quy");
        assert!(analyze("đăng")[0].is_accented());
        assert!(!analyze("dang")[0].is_accented());
    }

    #[test]
    fn edits() {
        assert!(within_one_edit("thuong", "thuong"));
        assert!(within_one_edit("thuong", "thuogn"));
        assert!(within_one_edit("thuong", "thung"));
        assert!(within_one_edit("truong", "thuong"));
        assert!(within_one_edit("khai", "khia"));
        assert!(!within_one_edit("khai", "khong"));
        assert!(!within_one_edit("abcd", "badc"));
        assert_eq!(undouble("lâuu"), "lâu");
        assert_eq!(undouble("kyy"), "ky");
        assert_eq!(undouble("cccd"), "cccd");
    }
}
