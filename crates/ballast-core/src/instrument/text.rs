//! Placeholder words. Some instruments let a person name their own work in the text — the
//! ProQOL's `[helper]` becomes "nurse", the CBI's `[clients]` becomes "patients" — where, and
//! only where, the licence allows.

use std::collections::BTreeMap;

use super::definition::{DefinitionError, Instrument};

/// The person's chosen words, by placeholder token (`helper` → `nurse`).
pub type Words = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubstitutionError {
    #[error("Use 1 to 30 letters (spaces, hyphens and apostrophes are fine).")]
    BadWord,
}

/// Checks a word a person wants to use in place of a placeholder.
pub fn parse_word(raw: &str) -> Result<String, SubstitutionError> {
    let word = raw.trim();
    let ok = !word.is_empty()
        && word.chars().count() <= 30
        && word.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'' || c == '’');
    if ok { Ok(word.to_owned()) } else { Err(SubstitutionError::BadWord) }
}

/// The `[token]`s in `text`, in order.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split('[').skip(1).filter_map(|rest| rest.split_once(']').map(|(token, _)| token))
}

impl Instrument {
    /// Every text an instrument shows, for checks and searches.
    fn texts(&self) -> impl Iterator<Item = (String, &str)> {
        let fixed = [("instructions".to_owned(), self.instructions.as_str())].into_iter();
        let lead = self.item_lead_in.iter().map(|t| ("item_lead_in".to_owned(), t.as_str()));
        let gate = self.gate.iter().map(|g| ("gate.text".to_owned(), g.text.as_str()));
        let items = self.items.iter().enumerate().map(|(n, item)| (format!("items[{n}].text"), item.text.as_str()));
        fixed.chain(lead).chain(gate).chain(items)
    }

    pub(super) fn check_placeholders(&self) -> Result<(), DefinitionError> {
        for (field, text) in self.texts() {
            for token in tokens(text) {
                if !self.placeholders.iter().any(|p| p.token == token) {
                    return Err(DefinitionError {
                        field,
                        problem: format!("uses [{token}], which is not declared in `placeholders`"),
                    });
                }
            }
        }
        for (n, placeholder) in self.placeholders.iter().enumerate() {
            if placeholder.token.is_empty() || placeholder.default.trim().is_empty() {
                return Err(DefinitionError {
                    field: format!("placeholders[{n}]"),
                    problem: "needs a token and a default".into(),
                });
            }
        }
        Ok(())
    }

    /// `text` with each placeholder replaced: the person's word where the licence allows it,
    /// otherwise the default.
    pub fn render(&self, text: &str, words: &Words) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find('[') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.split_once(']') {
                Some((token, tail)) => {
                    let placeholder = self.placeholders.iter().find(|p| p.token == token);
                    match placeholder {
                        Some(p) => {
                            let chosen = words.get(token).filter(|_| p.substitutable);
                            out.push_str(chosen.unwrap_or(&p.default));
                        }
                        None => {
                            out.push('[');
                            out.push_str(token);
                            out.push(']');
                        }
                    }
                    rest = tail;
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The placeholders a person may choose words for.
    pub fn substitutable(&self) -> impl Iterator<Item = &super::Placeholder> {
        self.placeholders.iter().filter(|p| p.substitutable)
    }
}
