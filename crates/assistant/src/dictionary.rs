//! The staff-editable dictionary: shorthand, synonyms, procedure aliases, intent phrases,
//! stop words and out-of-scope markers. See `data/assistant/README.md` for the format.

use std::collections::HashSet;

use crate::text::{analyze, Tok};
use crate::Intent;

/// A malformed dictionary line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dictionary line {line}: {message}")]
pub struct DictionaryError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// A phrase rewrite, matched on folded syllables.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub pattern: Vec<Tok>,
    /// Replacement as written (accented); empty deletes the phrase.
    pub replacement: String,
}

/// The assistant's vocabulary knowledge, kept as data so staff can review and extend it.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    /// Chat shorthand normalised before anything else ("ko" → "không"); always applied.
    pub(crate) shorthand: Vec<Rule>,
    /// Abbreviations and everyday words mapped to catalogue wording; switchable for ablation.
    pub(crate) synonyms: Vec<Rule>,
    /// Extra names of a procedure, indexed with its name: (code, phrase).
    pub(crate) aliases: Vec<(String, String)>,
    /// Phrases that reveal the facet asked, with the intent they signal.
    pub(crate) intents: Vec<(Intent, Vec<Tok>)>,
    /// Phrases that hint at a facet without asking it ("lên xã", "trực tuyến" in passing):
    /// used only when no phrase of `intents` occurs.
    pub(crate) weak_intents: Vec<(Intent, Vec<Tok>)>,
    /// Folded words that carry no retrieval meaning in a question.
    pub(crate) stopwords: HashSet<String>,
    /// The same words as written (accented): an accented question word is a stop word only
    /// when it is one of these ("căn" is not "cần", "thẻ" is not "thế").
    pub(crate) stopwords_acc: HashSet<String>,
    /// Phrases that mark a question outside administrative procedures.
    pub(crate) out_of_scope: Vec<Vec<Tok>>,
    /// Connectives that start a new clause of the question ("xong", "rồi", "thì", "giờ").
    pub(crate) clause_breaks: Vec<Vec<Tok>>,
    /// Phrases that mark the clause carrying the request ("muốn", "xin", "làm lại").
    pub(crate) request: Vec<Vec<Tok>>,
}

const BUNDLED: [&str; 2] = [
    include_str!("../../../data/assistant/dictionary.txt"),
    include_str!("../../../data/assistant/intents.txt"),
];

#[derive(Clone, Copy)]
enum Section {
    Shorthand,
    Synonyms,
    Aliases,
    Intent(Intent),
    WeakIntent(Intent),
    Stopwords,
    OutOfScope,
    ClauseBreaks,
    Request,
}

fn section(name: &str) -> Option<Section> {
    Some(match name {
        "shorthand" => Section::Shorthand,
        "synonyms" => Section::Synonyms,
        "aliases" => Section::Aliases,
        "stopwords" => Section::Stopwords,
        "out_of_scope" => Section::OutOfScope,
        "clause_breaks" => Section::ClauseBreaks,
        "request" => Section::Request,
        other => match other.strip_prefix("weak.") {
            Some(code) => Section::WeakIntent(Intent::from_code(code)?),
            None => Section::Intent(Intent::from_code(other.strip_prefix("intent.")?)?),
        },
    })
}

impl Dictionary {
    /// The dictionary shipped in `data/assistant/`. Tested to parse, so it cannot fail at run
    /// time; should it ever, the broken file yields an empty dictionary rather than a panic.
    pub fn bundled() -> Dictionary {
        let mut dict = Dictionary::default();
        for text in BUNDLED {
            if let Ok(part) = Dictionary::parse(text) {
                dict.merge(part);
            }
        }
        dict
    }

    /// Same as [`Dictionary::bundled`] but reports a parse error (used by tests and start-up
    /// checks).
    pub fn bundled_checked() -> Result<Dictionary, DictionaryError> {
        let mut dict = Dictionary::default();
        for text in BUNDLED {
            dict.merge(Dictionary::parse(text)?);
        }
        Ok(dict)
    }

    /// Appends the entries of `other`.
    pub fn merge(&mut self, other: Dictionary) {
        self.shorthand.extend(other.shorthand);
        self.synonyms.extend(other.synonyms);
        self.aliases.extend(other.aliases);
        self.intents.extend(other.intents);
        self.weak_intents.extend(other.weak_intents);
        self.stopwords.extend(other.stopwords);
        self.stopwords_acc.extend(other.stopwords_acc);
        self.out_of_scope.extend(other.out_of_scope);
        self.clause_breaks.extend(other.clause_breaks);
        self.request.extend(other.request);
        // Longest patterns first, so "giấy phép lái xe" wins over "giấy phép".
        self.shorthand.sort_by_key(|r| std::cmp::Reverse(r.pattern.len()));
        self.synonyms.sort_by_key(|r| std::cmp::Reverse(r.pattern.len()));
        self.intents.sort_by_key(|r| std::cmp::Reverse(r.1.len()));
        self.weak_intents.sort_by_key(|r| std::cmp::Reverse(r.1.len()));
    }

    /// Parses one dictionary file. `#` starts a comment; `[section]` opens a section.
    pub fn parse(text: &str) -> Result<Dictionary, DictionaryError> {
        let mut dict = Dictionary::default();
        let mut current: Option<Section> = None;
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let err = |message: String| DictionaryError { line: line_no, message };
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                current = Some(section(name.trim()).ok_or_else(|| err(format!("unknown section [{name}]")))?);
                continue;
            }
            let sec = current.ok_or_else(|| err("entry before any [section]".into()))?;
            match sec {
                Section::Shorthand | Section::Synonyms => {
                    let (lhs, rhs) = line
                        .split_once('=')
                        .ok_or_else(|| err("expected `phrase = replacement`".into()))?;
                    let replacement = motcua_domain::text::nfc(rhs.trim());
                    for alias in lhs.split('|') {
                        let pattern = analyze(alias);
                        if pattern.is_empty() {
                            return Err(err("empty phrase before `=`".into()));
                        }
                        let rule = Rule {
                            pattern,
                            replacement: replacement.clone(),
                        };
                        match sec {
                            Section::Shorthand => dict.shorthand.push(rule),
                            _ => dict.synonyms.push(rule),
                        }
                    }
                }
                Section::Aliases => {
                    let (code, rhs) = line
                        .split_once('=')
                        .ok_or_else(|| err("expected `code = phrase | phrase`".into()))?;
                    let code = code.trim();
                    if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                        return Err(err(format!("`{code}` is not a procedure code")));
                    }
                    for phrase in rhs.split('|').map(str::trim).filter(|p| !p.is_empty()) {
                        dict.aliases.push((code.to_string(), motcua_domain::text::nfc(phrase)));
                    }
                }
                Section::Intent(intent) | Section::WeakIntent(intent) => {
                    for phrase in line.split('|') {
                        let words = analyze(phrase);
                        if words.is_empty() {
                            return Err(err("empty intent phrase".into()));
                        }
                        match sec {
                            Section::WeakIntent(_) => dict.weak_intents.push((intent, words)),
                            _ => dict.intents.push((intent, words)),
                        }
                    }
                }
                Section::Stopwords => {
                    for t in analyze(line) {
                        dict.stopwords_acc.insert(t.acc);
                        dict.stopwords.insert(t.fold);
                    }
                }
                Section::OutOfScope | Section::ClauseBreaks | Section::Request => {
                    for phrase in line.split('|') {
                        let words = analyze(phrase);
                        if !words.is_empty() {
                            match sec {
                                Section::OutOfScope => dict.out_of_scope.push(words),
                                Section::ClauseBreaks => dict.clause_breaks.push(words),
                                _ => dict.request.push(words),
                            }
                        }
                    }
                }
            }
        }
        dict.merge(Dictionary::default());
        Ok(dict)
    }

    /// Number of entries, for start-up logs.
    pub fn len(&self) -> usize {
        self.shorthand.len()
            + self.synonyms.len()
            + self.aliases.len()
            + self.intents.len()
            + self.weak_intents.len()
            + self.stopwords.len()
            + self.out_of_scope.len()
            + self.clause_breaks.len()
            + self.request.len()
    }

    /// Whether the dictionary has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Procedure codes named in `[aliases]`, to check them against the catalogue.
    pub fn alias_codes(&self) -> impl Iterator<Item = &str> {
        self.aliases.iter().map(|(c, _)| c.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_lines() {
        let d = Dictionary::parse("# c\n[synonyms]\ncccd | cmnd = căn cước\n[intent.fee]\nlệ phí | bao nhiêu tiền\n")
            .unwrap_or_default();
        assert_eq!(d.synonyms.len(), 2);
        assert_eq!(d.intents.len(), 2);
        let words: Vec<&str> = d.intents[0].1.iter().map(|t| t.fold.as_str()).collect();
        assert_eq!(words, ["bao", "nhieu", "tien"]);
        let e = Dictionary::parse("[synonyms]\nok = fine\nbroken\n").err();
        assert_eq!(e.map(|e| e.line), Some(3));
        let e = Dictionary::parse("x = y").err();
        assert_eq!(e.map(|e| e.line), Some(1));
        let e = Dictionary::parse("[nope]").err();
        assert_eq!(e.map(|e| e.line), Some(1));
    }

    #[test]
    fn bundled_parses() {
        let d = Dictionary::bundled_checked();
        assert!(d.is_ok(), "{d:?}");
        assert!(d.map(|d| d.len() > 50).unwrap_or(false));
    }
}
