//! The instrument engine: validated questionnaires as data, and their scoring.
//!
//! A definition file (TOML, one per instrument, see `instruments/README.md`) is parsed and
//! checked once by [`Instrument::from_toml`]; a value of [`Instrument`] is then internally
//! consistent (every item points at a response set, every scale at real items, bands fit the
//! scale's range, placeholders are declared). [`Instrument::score`] is pure: answers in,
//! scale values, bands and safety flags out.

mod bundled;
mod definition;
mod scoring;
mod text;

pub use bundled::{BUNDLED, BundledFile};
pub use definition::{
    Band, DefinitionError, Gate, Instrument, InstrumentId, Item, Licence, Method, Placeholder, ResponseOption,
    ResponseSet, SafetyRule, SafetyTarget, Scale,
};
pub use scoring::{AnswerError, Answers, ScaleScore, Scored};
pub use text::{SubstitutionError, Words, parse_word};
