//! Vietnamese text normalisation shared by catalogue search and the virtual assistant.
//!
//! * [`nfc`] — canonical composition, so that visually equal strings compare equal.
//! * [`fold`] — accent-insensitive search key: lowercase, no diacritics, `đ` → `d`,
//!   punctuation turned into spaces and whitespace collapsed.
//! * [`normalize_accented`] — keeps diacritics but puts the tone mark in one canonical
//!   place, so the old (`hòa`, `thúy`) and new (`hoà`, `thuý`) spellings compare equal.
//! * [`tokens`] — folded syllables.

use unicode_normalization::char::decompose_canonical;
use unicode_normalization::UnicodeNormalization;

/// Returns `s` in Unicode Normalisation Form C.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// The five Vietnamese tone marks as combining characters.
fn is_tone_mark(c: char) -> bool {
    matches!(c, '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}')
}

/// Base letter of `c` with every diacritic removed, lowercased; `đ` becomes `d`.
/// Pushes the result (possibly several chars for exotic input) into `out`.
fn push_folded_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if c == 'đ' || c == 'Đ' {
        out.push('d');
        return;
    }
    let mut base = None;
    decompose_canonical(c, |d| {
        if base.is_none() && !is_combining(d) {
            base = Some(d);
        }
    });
    // A lone combining mark folds to nothing.
    if let Some(b) = base {
        out.extend(b.to_lowercase());
    }
}

/// Combining diacritical marks (the block Vietnamese uses, plus the supplement).
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}')
}

/// Accent-insensitive search key: NFC-independent, lowercase, diacritics stripped,
/// `đ` → `d`, every non-alphanumeric character treated as a space, whitespace collapsed.
///
/// `fold("Đăng ký khai sinh") == fold("dang ky  khai-sinh") == "dang ky khai sinh"`.
/// Idempotent: `fold(&fold(s)) == fold(s)`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut buf = String::new();
    for c in s.chars() {
        if is_combining(c) {
            continue;
        }
        buf.clear();
        push_folded_char(c, &mut buf);
        for f in buf.chars() {
            if f.is_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(f);
            } else {
                pending_space = true;
            }
        }
    }
    out
}

/// Folded syllables of `s` (see [`fold`]).
pub fn tokens(s: &str) -> Vec<String> {
    fold(s)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Lowercase, NFC, with every syllable's tone mark moved to one canonical position
/// (the "new" placement: `hoà`, `thuý`, `khoẻ`), so spelling variants compare equal.
/// Characters that are not letters are kept as they are.
pub fn normalize_accented(s: &str) -> String {
    let lower: String = s.nfd().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(lower.len());
    let mut word: Vec<char> = Vec::new();
    for c in lower.chars() {
        if c.is_alphabetic() || is_combining(c) {
            word.push(c);
        } else {
            flush_syllable(&mut word, &mut out);
            out.push(c);
        }
    }
    flush_syllable(&mut word, &mut out);
    nfc(&out)
}

/// One letter of a decomposed syllable: base letter, non-tone diacritics, tone.
struct Letter {
    base: char,
    marks: Vec<char>,
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Re-places the tone mark of the decomposed syllable in `word` and appends it to `out`.
fn flush_syllable(word: &mut Vec<char>, out: &mut String) {
    if word.is_empty() {
        return;
    }
    let mut letters: Vec<Letter> = Vec::with_capacity(word.len());
    let mut tone = None;
    for &c in word.iter() {
        if is_tone_mark(c) {
            tone = Some(c);
        } else if is_combining(c) {
            if let Some(l) = letters.last_mut() {
                l.marks.push(c);
            }
        } else {
            letters.push(Letter {
                base: c,
                marks: Vec::new(),
            });
        }
    }
    word.clear();
    let pos = tone.and_then(|_| tone_position(&letters));
    for (i, l) in letters.iter().enumerate() {
        out.push(l.base);
        out.extend(l.marks.iter());
        if Some(i) == pos {
            out.extend(tone);
        }
    }
    // Not a Vietnamese syllable we understand: keep the tone rather than lose it.
    if pos.is_none() {
        out.extend(tone);
    }
}

/// Index of the letter that carries the tone in the canonical placement.
fn tone_position(letters: &[Letter]) -> Option<usize> {
    let bases: Vec<char> = letters.iter().map(|l| l.base).collect();
    let first = bases.iter().position(|&c| is_vowel(c))?;
    let mut end = first;
    while end < bases.len() && is_vowel(bases[end]) {
        end += 1;
    }
    let mut start = first;
    // "qu" and "gi" + vowel: the u / i belongs to the onset.
    if start > 0 && end - start > 1 {
        let onset = bases[start - 1];
        if (onset == 'q' && bases[start] == 'u') || (onset == 'g' && bases[start] == 'i') {
            start += 1;
        }
    }
    // A vowel with a shape diacritic (â ă ê ô ơ ư) always carries the tone; for "ươ" the last.
    if let Some(i) = (start..end).rev().find(|&i| !letters[i].marks.is_empty()) {
        return Some(i);
    }
    let n = end - start;
    let has_final = end < bases.len();
    Some(match n {
        0 | 1 => start,
        _ if has_final => end - 1,
        2 => {
            let pair = (bases[start], bases[start + 1]);
            if matches!(pair, ('o', 'a') | ('o', 'e') | ('u', 'y')) {
                start + 1
            } else {
                start
            }
        }
        _ => start + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fold_examples() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("dang ky  khai-sinh"), "dang ky khai sinh");
        assert_eq!(fold("  Cấp (lại) thẻ Căn cước!  "), "cap lai the can cuoc");
        assert_eq!(fold("Quyết định 2628/QĐ-BTC"), "quyet dinh 2628 qd btc");
        // Decomposed input folds like composed input.
        assert_eq!(fold("Đăng ký".nfd().collect::<String>().as_str()), "dang ky");
        assert_eq!(fold(""), "");
        assert_eq!(fold("--"), "");
    }

    #[test]
    fn tokens_examples() {
        assert_eq!(
            tokens("Thủ tục đăng ký kết hôn"),
            ["thu", "tuc", "dang", "ky", "ket", "hon"]
        );
    }

    #[test]
    fn accented_tone_placement() {
        assert_eq!(normalize_accented("Hòa"), normalize_accented("hoà"));
        assert_eq!(normalize_accented("thúy"), normalize_accented("thuý"));
        assert_eq!(normalize_accented("khỏe"), normalize_accented("khoẻ"));
        assert_eq!(normalize_accented("hoà"), nfc("hoà"));
        // Syllables with a final consonant or a shaped vowel are unambiguous and unchanged.
        assert_eq!(normalize_accented("Hoàng"), "hoàng");
        assert_eq!(normalize_accented("người"), "người");
        assert_eq!(normalize_accented("quý"), "quý");
        assert_eq!(normalize_accented("gió"), "gió");
        assert_eq!(normalize_accented("Đăng ký khai sinh"), "đăng ký khai sinh");
        assert_eq!(normalize_accented("mía, của"), "mía, của");
        assert_eq!(normalize_accented("ngoại"), "ngoại");
        assert_ne!(normalize_accented("má"), normalize_accented("mà"));
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let f = fold(&s);
            prop_assert_eq!(fold(&f), f.clone());
            prop_assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
        }

        #[test]
        fn fold_vietnamese_is_idempotent(s in "[a-zA-ZàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵĐ ,.-]{0,40}") {
            let f = fold(&s);
            prop_assert_eq!(fold(&f), f.clone());
            prop_assert!(f.is_ascii());
        }

        #[test]
        fn normalize_accented_is_idempotent(s in "[a-zàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ ]{0,30}") {
            let n = normalize_accented(&s);
            prop_assert_eq!(normalize_accented(&n), n.clone());
            prop_assert_eq!(fold(&n), fold(&s));
        }
    }
}
