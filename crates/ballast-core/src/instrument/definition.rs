//! Instrument definitions: the TOML shape, and the checks that turn it into an [`Instrument`].

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// An instrument's identifier: lower-case letters, digits and hyphens, e.g. `proqol5`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstrumentId(String);

impl InstrumentId {
    pub fn parse(raw: &str) -> Result<InstrumentId, String> {
        let ok = !raw.is_empty()
            && raw.len() <= 40
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(InstrumentId(raw.to_owned()))
        } else {
            Err(format!("{raw:?} is not a valid id (lower-case letters, digits and hyphens, starting with a letter)"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for InstrumentId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        InstrumentId::parse(&value)
    }
}

impl From<InstrumentId> for String {
    fn from(id: InstrumentId) -> String {
        id.0
    }
}

impl fmt::Display for InstrumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated instrument. Fields are public for reading; build one only through
/// [`Instrument::from_toml`].
#[derive(Debug, Clone, Serialize)]
pub struct Instrument {
    pub id: InstrumentId,
    pub version: String,
    pub title: String,
    pub short_title: String,
    /// One sentence, in Ballast's words: what this helps the person notice.
    pub purpose: String,
    pub minutes: u32,
    pub recall_period: String,
    pub citation: String,
    pub licence: Licence,
    pub instructions: String,
    /// Printed before the items, e.g. "In the past month, have you…".
    pub item_lead_in: Option<String>,
    pub placeholders: Vec<Placeholder>,
    pub response_sets: Vec<ResponseSet>,
    pub gate: Option<Gate>,
    pub items: Vec<Item>,
    pub scales: Vec<Scale>,
    pub safety: Vec<SafetyRule>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// The owner's terms, in brief.
    pub terms: String,
    /// The exact attribution text that must be shown with the instrument.
    pub attribution: String,
    /// Anything unresolved about the licence, shown to people and administrators.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// A word in square brackets in the text (e.g. `[helper]`) that a person may replace with a
/// term for their own work, where the licence allows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placeholder {
    pub token: String,
    /// Shown when the person has chosen nothing.
    pub default: String,
    /// Whether the licence allows replacing it. When false the default is always shown.
    #[serde(default = "yes")]
    pub substitutable: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSet {
    pub id: String,
    pub options: Vec<ResponseOption>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseOption {
    pub value: i32,
    pub label: String,
}

impl ResponseSet {
    pub fn min(&self) -> i32 {
        self.options.iter().map(|o| o.value).min().unwrap_or(0)
    }

    pub fn max(&self) -> i32 {
        self.options.iter().map(|o| o.value).max().unwrap_or(0)
    }

    pub fn option(&self, value: i32) -> Option<&ResponseOption> {
        self.options.iter().find(|o| o.value == value)
    }
}

/// A screening question that decides whether the items are asked at all (PC-PTSD-5's
/// exposure stem). When the answer is `closed_value`, every item counts as its response
/// set's lowest value, as the manual scores it.
#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    pub text: String,
    pub response_set: usize,
    pub closed_value: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// How people and messages refer to it: "1", "2"… unless the file says otherwise.
    pub id: String,
    pub text: String,
    pub response_set: usize,
    pub reverse: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Sum,
    Mean,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scale {
    pub id: String,
    pub title: String,
    /// Indexes into `Instrument::items`.
    pub items: Vec<usize>,
    pub method: Method,
    /// The raw sum or mean is multiplied by this (WHO-5's percentage: ×4).
    pub multiply: f64,
    /// Fewest answered items for a score; below it the scale has no value.
    pub min_answered: usize,
    /// Where higher means more strain (burnout) rather than more well-being.
    pub higher_is_harder: bool,
    pub bands: Vec<Band>,
    /// What the score means in general, in Ballast's words.
    pub about: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Inclusive bounds on the scale's value.
    pub min: f64,
    pub max: f64,
    pub label: String,
    /// What a score here can mean, in Ballast's own words.
    pub interpretation: String,
}

/// A condition that means the person should see support straight away.
#[derive(Debug, Clone, Serialize)]
pub struct SafetyRule {
    /// The flag name, e.g. `phq9_item9`.
    pub id: String,
    pub on: SafetyTarget,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Shown on the support page, in Ballast's words.
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub enum SafetyTarget {
    Item(usize),
    Scale(usize),
}

/// A definition problem, naming the field and saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct DefinitionError {
    pub field: String,
    pub problem: String,
}

fn problem(field: impl Into<String>, problem: impl Into<String>) -> DefinitionError {
    DefinitionError { field: field.into(), problem: problem.into() }
}

// --- the file's shape ---------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    id: String,
    version: String,
    title: String,
    short_title: String,
    purpose: String,
    minutes: u32,
    recall_period: String,
    citation: String,
    licence: Licence,
    instructions: String,
    #[serde(default)]
    item_lead_in: Option<String>,
    #[serde(default)]
    placeholders: Vec<Placeholder>,
    response_sets: Vec<ResponseSet>,
    #[serde(default)]
    gate: Option<GateFile>,
    items: Vec<ItemFile>,
    scales: Vec<ScaleFile>,
    #[serde(default)]
    safety: Vec<SafetyFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GateFile {
    text: String,
    response_set: String,
    closed_value: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemFile {
    #[serde(default)]
    id: Option<String>,
    text: String,
    response_set: String,
    #[serde(default)]
    reverse: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaleFile {
    id: String,
    title: String,
    items: Vec<String>,
    method: Method,
    #[serde(default)]
    multiply: Option<f64>,
    #[serde(default)]
    min_answered: Option<usize>,
    higher_is_harder: bool,
    about: String,
    #[serde(default)]
    bands: Vec<Band>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SafetyFile {
    id: String,
    #[serde(default)]
    item: Option<String>,
    #[serde(default)]
    scale: Option<String>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    message: String,
}

// --- validation ---------------------------------------------------------------------------

fn non_empty(field: &str, value: &str) -> Result<(), DefinitionError> {
    if value.trim().is_empty() { Err(problem(field, "must not be empty")) } else { Ok(()) }
}

impl Instrument {
    /// Parses and checks a definition. Every problem names its field.
    pub fn from_toml(text: &str) -> Result<Instrument, DefinitionError> {
        let file: File = toml::from_str(text).map_err(|e| {
            // The parser knows a position, not a field path: point at the line, and show it.
            let location = e
                .span()
                .map(|span| {
                    let start = span.start.min(text.len());
                    let line = text.get(..start).map_or(1, |before| before.matches('\n').count() + 1);
                    let content: String = text.lines().nth(line - 1).unwrap_or("").trim().chars().take(60).collect();
                    if content.is_empty() { format!("line {line}") } else { format!("line {line} `{content}`") }
                })
                .unwrap_or_else(|| "file".into());
            problem(location, e.message().to_owned())
        })?;
        Instrument::check(file)
    }

    fn check(file: File) -> Result<Instrument, DefinitionError> {
        let id = InstrumentId::parse(&file.id).map_err(|p| problem("id", p))?;
        for (field, value) in [
            ("version", &file.version),
            ("title", &file.title),
            ("short_title", &file.short_title),
            ("purpose", &file.purpose),
            ("recall_period", &file.recall_period),
            ("citation", &file.citation),
            ("instructions", &file.instructions),
            ("licence.terms", &file.licence.terms),
            ("licence.attribution", &file.licence.attribution),
        ] {
            non_empty(field, value)?;
        }
        if file.minutes == 0 || file.minutes > 120 {
            return Err(problem("minutes", "must be between 1 and 120"));
        }

        let mut set_ids = BTreeSet::new();
        for (n, set) in file.response_sets.iter().enumerate() {
            let field = format!("response_sets[{n}]");
            non_empty(&format!("{field}.id"), &set.id)?;
            if !set_ids.insert(set.id.as_str()) {
                return Err(problem(format!("{field}.id"), format!("{:?} is used twice", set.id)));
            }
            if set.options.len() < 2 {
                return Err(problem(format!("{field}.options"), "needs at least two options"));
            }
            let mut values = BTreeSet::new();
            for (o, option) in set.options.iter().enumerate() {
                non_empty(&format!("{field}.options[{o}].label"), &option.label)?;
                if !values.insert(option.value) {
                    return Err(problem(
                        format!("{field}.options[{o}].value"),
                        format!("{} is used twice", option.value),
                    ));
                }
            }
        }
        let set_index = |field: &str, name: &str| {
            file.response_sets
                .iter()
                .position(|s| s.id == name)
                .ok_or_else(|| problem(field, format!("no response set is called {name:?}")))
        };

        let gate = match &file.gate {
            None => None,
            Some(gate) => {
                non_empty("gate.text", &gate.text)?;
                let response_set = set_index("gate.response_set", &gate.response_set)?;
                if file.response_sets[response_set].option(gate.closed_value).is_none() {
                    return Err(problem("gate.closed_value", "is not one of the gate's options"));
                }
                Some(Gate { text: gate.text.clone(), response_set, closed_value: gate.closed_value })
            }
        };

        if file.items.is_empty() {
            return Err(problem("items", "needs at least one item"));
        }
        let mut items = Vec::with_capacity(file.items.len());
        let mut item_ids = BTreeSet::new();
        for (n, item) in file.items.iter().enumerate() {
            let field = format!("items[{n}]");
            non_empty(&format!("{field}.text"), &item.text)?;
            let item_id = item.id.clone().unwrap_or_else(|| (n + 1).to_string());
            if !item_ids.insert(item_id.clone()) {
                return Err(problem(format!("{field}.id"), format!("{item_id:?} is used twice")));
            }
            let response_set = set_index(&format!("{field}.response_set"), &item.response_set)?;
            items.push(Item { id: item_id, text: item.text.clone(), response_set, reverse: item.reverse });
        }
        let item_index = |field: &str, name: &str| {
            items.iter().position(|i| i.id == name).ok_or_else(|| problem(field, format!("no item is called {name:?}")))
        };

        if file.scales.is_empty() {
            return Err(problem("scales", "needs at least one scale"));
        }
        let mut scales = Vec::with_capacity(file.scales.len());
        let mut scale_ids = BTreeSet::new();
        for (n, scale) in file.scales.iter().enumerate() {
            let field = format!("scales[{n}]");
            non_empty(&format!("{field}.id"), &scale.id)?;
            non_empty(&format!("{field}.title"), &scale.title)?;
            non_empty(&format!("{field}.about"), &scale.about)?;
            if !scale_ids.insert(scale.id.clone()) {
                return Err(problem(format!("{field}.id"), format!("{:?} is used twice", scale.id)));
            }
            if scale.items.is_empty() {
                return Err(problem(format!("{field}.items"), "needs at least one item"));
            }
            let mut members = Vec::with_capacity(scale.items.len());
            for name in &scale.items {
                let index = item_index(&format!("{field}.items"), name)?;
                if members.contains(&index) {
                    return Err(problem(format!("{field}.items"), format!("item {name:?} is listed twice")));
                }
                members.push(index);
            }
            let min_answered = scale.min_answered.unwrap_or(members.len());
            if min_answered == 0 || min_answered > members.len() {
                return Err(problem(
                    format!("{field}.min_answered"),
                    format!("must be between 1 and {}", members.len()),
                ));
            }
            if scale.method == Method::Sum && min_answered != members.len() {
                return Err(problem(
                    format!("{field}.min_answered"),
                    "a sum needs every item (a sum over fewer items is not comparable)",
                ));
            }
            let multiply = scale.multiply.unwrap_or(1.0);
            if !(multiply.is_finite() && multiply > 0.0) {
                return Err(problem(format!("{field}.multiply"), "must be a positive number"));
            }
            let built = Scale {
                id: scale.id.clone(),
                title: scale.title.clone(),
                items: members,
                method: scale.method,
                multiply,
                min_answered,
                higher_is_harder: scale.higher_is_harder,
                bands: scale.bands.clone(),
                about: scale.about.clone(),
            };
            let (low, high) = built.range(&items, &file.response_sets);
            let mut previous_max = f64::NEG_INFINITY;
            for (b, band) in built.bands.iter().enumerate() {
                let band_field = format!("{field}.bands[{b}]");
                non_empty(&format!("{band_field}.label"), &band.label)?;
                non_empty(&format!("{band_field}.interpretation"), &band.interpretation)?;
                if !(band.min.is_finite() && band.max.is_finite()) {
                    return Err(problem(band_field, "min and max must be numbers"));
                }
                if band.min > band.max {
                    return Err(problem(band_field, "min is above max"));
                }
                if band.min < low || band.max > high {
                    return Err(problem(band_field, format!("lies outside the scale's range {low}–{high}")));
                }
                if band.min <= previous_max {
                    return Err(problem(band_field, "overlaps the band before it (list bands from low to high)"));
                }
                previous_max = band.max;
            }
            scales.push(built);
        }

        let mut safety = Vec::with_capacity(file.safety.len());
        for (n, rule) in file.safety.iter().enumerate() {
            let field = format!("safety[{n}]");
            non_empty(&format!("{field}.id"), &rule.id)?;
            non_empty(&format!("{field}.message"), &rule.message)?;
            let on = match (&rule.item, &rule.scale) {
                (Some(item), None) => SafetyTarget::Item(item_index(&format!("{field}.item"), item)?),
                (None, Some(scale)) => SafetyTarget::Scale(
                    scales
                        .iter()
                        .position(|s| &s.id == scale)
                        .ok_or_else(|| problem(format!("{field}.scale"), format!("no scale is called {scale:?}")))?,
                ),
                _ => return Err(problem(field, "needs exactly one of `item` or `scale`")),
            };
            if rule.min.is_none() && rule.max.is_none() {
                return Err(problem(field, "needs `min`, `max` or both"));
            }
            if safety.iter().any(|earlier: &SafetyRule| earlier.id == rule.id) {
                return Err(problem(format!("{field}.id"), format!("{:?} is used twice", rule.id)));
            }
            // A rule that no answer can satisfy would silently never show support.
            let (low, high) = match on {
                SafetyTarget::Item(i) => {
                    let set = &file.response_sets[items[i].response_set];
                    (f64::from(set.min()), f64::from(set.max()))
                }
                SafetyTarget::Scale(s) => scales[s].range(&items, &file.response_sets),
            };
            let (min, max) = (rule.min.unwrap_or(low), rule.max.unwrap_or(high));
            if !(min.is_finite() && max.is_finite()) || min > max || min > high || max < low {
                return Err(problem(field, format!("can never fire: values here run from {low} to {high}")));
            }
            safety.push(SafetyRule {
                id: rule.id.clone(),
                on,
                min: rule.min,
                max: rule.max,
                message: rule.message.clone(),
            });
        }

        let instrument = Instrument {
            id,
            version: file.version,
            title: file.title,
            short_title: file.short_title,
            purpose: file.purpose,
            minutes: file.minutes,
            recall_period: file.recall_period,
            citation: file.citation,
            licence: file.licence,
            instructions: file.instructions,
            item_lead_in: file.item_lead_in,
            placeholders: file.placeholders,
            response_sets: file.response_sets,
            gate,
            items,
            scales,
            safety,
        };
        instrument.check_placeholders()?;
        Ok(instrument)
    }

    pub fn response_set(&self, item: &Item) -> &ResponseSet {
        &self.response_sets[item.response_set]
    }

    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|item| item.id == id)
    }

    pub fn scale(&self, id: &str) -> Option<&Scale> {
        self.scales.iter().find(|scale| scale.id == id)
    }
}

impl Scale {
    /// The lowest and highest value this scale can take.
    pub fn range(&self, items: &[Item], sets: &[ResponseSet]) -> (f64, f64) {
        let (low, high) = self.items.iter().fold((0.0, 0.0), |(low, high), &i| {
            let set = &sets[items[i].response_set];
            (low + f64::from(set.min()), high + f64::from(set.max()))
        });
        let count = self.items.len() as f64;
        match self.method {
            Method::Sum => (low * self.multiply, high * self.multiply),
            Method::Mean => (low / count * self.multiply, high / count * self.multiply),
        }
    }

    pub fn band_for(&self, value: f64) -> Option<&Band> {
        self.bands.iter().find(|band| value >= band.min && value <= band.max)
    }
}
