//! Scoring: answers in; scale values, bands and safety flags out. Pure and deterministic.

use serde::Serialize;

use super::definition::{Instrument, Method, SafetyTarget};

/// A person's answers: the gate's (if the instrument has one) and one per item, in order.
/// `None` is an unanswered question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Answers {
    #[serde(default)]
    pub gate: Option<i32>,
    pub items: Vec<Option<i32>>,
}

/// An answer that does not fit the instrument, naming the question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("expected {expected} answers, got {got}")]
    WrongCount { expected: usize, got: usize },
    #[error("{question}: {value:?} is not one of the options ({options})")]
    NotAnOption { question: String, value: String, options: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleScore {
    pub id: String,
    /// `None` when too few of the scale's items were answered.
    pub value: Option<f64>,
    /// Index into the scale's bands.
    pub band: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub scales: Vec<ScaleScore>,
    /// Ids of the safety rules that fired.
    pub flags: Vec<String>,
}

impl Scored {
    /// Whether every scale has a value.
    pub fn is_complete(&self) -> bool {
        self.scales.iter().all(|scale| scale.value.is_some())
    }
}

impl Instrument {
    /// How a question is named in messages: "the first question" for the gate, "item 3".
    pub fn question_name(&self, item: Option<usize>) -> String {
        match item {
            None => "the first question".to_owned(),
            Some(index) => format!("item {}", self.items[index].id),
        }
    }

    /// Reads answers given as option values or labels (case-insensitive), `-` or empty for
    /// unanswered; for a gated instrument the gate's answer comes first.
    pub fn parse_answers(&self, raw: &[&str]) -> Result<Answers, AnswerError> {
        let gate_count = usize::from(self.gate.is_some());
        let expected = gate_count + self.items.len();
        if raw.len() != expected {
            return Err(AnswerError::WrongCount { expected, got: raw.len() });
        }
        let read = |set: &super::ResponseSet, text: &str, question: String| -> Result<Option<i32>, AnswerError> {
            let text = text.trim();
            if text.is_empty() || text == "-" {
                return Ok(None);
            }
            let by_value = text.parse::<i32>().ok().filter(|v| set.option(*v).is_some());
            let by_label = || set.options.iter().find(|o| o.label.eq_ignore_ascii_case(text)).map(|o| o.value);
            by_value.or_else(by_label).map(Some).ok_or_else(|| AnswerError::NotAnOption {
                question,
                value: text.to_owned(),
                options: set.options.iter().map(|o| o.value.to_string()).collect::<Vec<_>>().join(", "),
            })
        };
        let gate = match &self.gate {
            Some(gate) => read(&self.response_sets[gate.response_set], raw[0], self.question_name(None))?,
            None => None,
        };
        let items = self
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| read(self.response_set(item), raw[gate_count + i], self.question_name(Some(i))))
            .collect::<Result<_, _>>()?;
        Ok(Answers { gate, items })
    }

    /// Checks that answers fit: the right number, each one of its question's options.
    pub fn check_answers(&self, answers: &Answers) -> Result<(), AnswerError> {
        if answers.items.len() != self.items.len() {
            return Err(AnswerError::WrongCount { expected: self.items.len(), got: answers.items.len() });
        }
        let fits = |set: &super::ResponseSet, value: Option<i32>, question: String| match value {
            Some(value) if set.option(value).is_none() => Err(AnswerError::NotAnOption {
                question,
                value: value.to_string(),
                options: set.options.iter().map(|o| o.value.to_string()).collect::<Vec<_>>().join(", "),
            }),
            _ => Ok(()),
        };
        match &self.gate {
            Some(gate) => fits(&self.response_sets[gate.response_set], answers.gate, self.question_name(None))?,
            None if answers.gate.is_some() => {
                return Err(AnswerError::NotAnOption {
                    question: "the first question".into(),
                    value: "a gate answer".into(),
                    options: "none: this instrument has no screening question".into(),
                });
            }
            None => {}
        }
        for (i, item) in self.items.iter().enumerate() {
            fits(self.response_set(item), answers.items[i], self.question_name(Some(i)))?;
        }
        Ok(())
    }

    /// Whether the gate closes the items (so they are not asked and count as their lowest).
    pub fn gate_closed(&self, answers: &Answers) -> bool {
        matches!((&self.gate, answers.gate), (Some(gate), Some(value)) if value == gate.closed_value)
    }

    /// The answer each item counts as: its own, or its lowest option when the gate is closed.
    fn effective(&self, answers: &Answers) -> Vec<Option<i32>> {
        if self.gate_closed(answers) {
            self.items.iter().map(|item| Some(self.response_set(item).min())).collect()
        } else {
            answers.items.clone()
        }
    }

    /// Scores `answers` (which must have passed [`check_answers`](Self::check_answers)).
    pub fn score(&self, answers: &Answers) -> Result<Scored, AnswerError> {
        self.check_answers(answers)?;
        let gate_open_or_absent = self.gate.is_none() || answers.gate.is_some();
        let effective = self.effective(answers);
        let scales: Vec<ScaleScore> = self
            .scales
            .iter()
            .map(|scale| {
                let keyed: Vec<f64> = scale
                    .items
                    .iter()
                    .filter_map(|&i| {
                        let item = &self.items[i];
                        let set = self.response_set(item);
                        effective[i].map(|v| f64::from(if item.reverse { set.min() + set.max() - v } else { v }))
                    })
                    .collect();
                let value = (gate_open_or_absent && keyed.len() >= scale.min_answered).then(|| {
                    let total: f64 = keyed.iter().sum();
                    let raw = match scale.method {
                        Method::Sum => total,
                        Method::Mean => total / keyed.len() as f64,
                    };
                    raw * scale.multiply
                });
                let band = value.and_then(|v| scale.bands.iter().position(|b| v >= b.min && v <= b.max));
                ScaleScore { id: scale.id.clone(), value, band }
            })
            .collect();
        let flags = self
            .safety
            .iter()
            .filter(|rule| {
                let value = match rule.on {
                    SafetyTarget::Item(i) => effective[i].map(f64::from),
                    SafetyTarget::Scale(s) => scales[s].value,
                };
                value.is_some_and(|v| rule.min.is_none_or(|min| v >= min) && rule.max.is_none_or(|max| v <= max))
            })
            .map(|rule| rule.id.clone())
            .collect();
        Ok(Scored { scales, flags })
    }

    /// The questions that must be answered before every scale has a value: the gate if it
    /// is unanswered, otherwise unanswered items of the scales still lacking one. `None`
    /// stands for the gate.
    pub fn gaps(&self, answers: &Answers) -> Vec<Option<usize>> {
        if self.gate.is_some() && answers.gate.is_none() {
            return vec![None];
        }
        if self.gate_closed(answers) {
            return Vec::new();
        }
        let Ok(scored) = self.score(answers) else { return Vec::new() };
        let mut gaps: Vec<usize> = self
            .scales
            .iter()
            .zip(&scored.scales)
            .filter(|(_, score)| score.value.is_none())
            .flat_map(|(scale, _)| scale.items.iter().copied())
            .filter(|&i| answers.items.get(i).copied().flatten().is_none())
            .collect();
        gaps.sort_unstable();
        gaps.dedup();
        gaps.into_iter().map(Some).collect()
    }
}
