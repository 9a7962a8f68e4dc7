//! `ballast instruments …`: list, check and score questionnaires. For researchers, for
//! administrators preparing a custom definition, and for checking a score by hand. Needs no
//! database and no configuration.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use ballast_core::instrument::{AnswerError, BUNDLED, Instrument};
use serde::Serialize;

#[derive(clap::Subcommand)]
pub enum InstrumentsCommand {
    /// List the bundled instruments: id, short title, number of items, minutes.
    List,
    /// Check a definition file the way Ballast checks one when it loads it.
    Validate {
        /// The definition file (TOML; see instruments/README.md).
        file: PathBuf,
    },
    /// Score answers and print the result as one JSON object.
    Score {
        /// A bundled instrument's id (see `ballast instruments list`), or a definition file.
        id: String,
        /// Option values (or option labels) in item order, separated by commas; `-` for an
        /// unanswered item. Where an instrument opens with a screening question (PC-PTSD-5),
        /// its answer (yes/no) comes first.
        #[arg(long, allow_hyphen_values = true, value_name = "A1,A2,…")]
        answers: String,
    },
}

pub fn run(command: InstrumentsCommand) -> anyhow::Result<()> {
    match command {
        InstrumentsCommand::List => {
            for instrument in bundled()? {
                println!(
                    "{}\t{}\t{}\t{} min",
                    instrument.id,
                    instrument.short_title,
                    count(instrument.items.len(), "item"),
                    instrument.minutes
                );
            }
            Ok(())
        }
        InstrumentsCommand::Validate { file } => {
            let instrument = from_file(&file)?;
            println!(
                "{}: ok — {}, {}, {}",
                file.display(),
                instrument.title,
                count(instrument.items.len(), "item"),
                count(instrument.scales.len(), "scale")
            );
            Ok(())
        }
        InstrumentsCommand::Score { id, answers } => {
            let instrument = find(&id)?;
            let raw: Vec<&str> = answers.split(',').collect();
            let parsed = instrument.parse_answers(&raw).map_err(|error| explain(&instrument, error))?;
            let scored = instrument.score(&parsed).map_err(|error| explain(&instrument, error))?;
            let output = Output {
                instrument: instrument.id.as_str(),
                scales: instrument
                    .scales
                    .iter()
                    .zip(&scored.scales)
                    .map(|(scale, score)| ScaleOutput {
                        id: &scale.id,
                        value: score.value.map(number),
                        band: score.band.map(|b| scale.bands[b].label.as_str()),
                    })
                    .collect(),
                flags: &scored.flags,
            };
            println!("{}", serde_json::to_string(&output)?);
            Ok(())
        }
    }
}

/// "1 item", "30 items".
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

#[derive(Serialize)]
struct Output<'a> {
    instrument: &'a str,
    scales: Vec<ScaleOutput<'a>>,
    flags: &'a [String],
}

#[derive(Serialize)]
struct ScaleOutput<'a> {
    id: &'a str,
    value: Option<serde_json::Number>,
    band: Option<&'a str>,
}

/// A score rounded to at most two decimals; whole numbers print without a fraction (30, not
/// 30.0).
fn number(value: f64) -> serde_json::Number {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 && rounded.abs() < 9.0e15 {
        serde_json::Number::from(rounded as i64)
    } else {
        serde_json::Number::from_f64(rounded).unwrap_or_else(|| serde_json::Number::from(0))
    }
}

fn bundled() -> anyhow::Result<Vec<Instrument>> {
    BUNDLED
        .iter()
        .map(|file| Instrument::from_toml(file.text).with_context(|| format!("bundled {} is broken", file.name)))
        .collect()
}

fn from_file(path: &Path) -> anyhow::Result<Instrument> {
    let text = std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
    Instrument::from_toml(&text).map_err(|error| anyhow!("{}: {error}", path.display()))
}

/// A bundled instrument by id, or else a definition file by path.
fn find(id: &str) -> anyhow::Result<Instrument> {
    let instruments = bundled()?;
    let known: Vec<String> = instruments.iter().map(|i| i.id.to_string()).collect();
    if let Some(instrument) = instruments.into_iter().find(|i| i.id.as_str() == id) {
        return Ok(instrument);
    }
    if Path::new(id).is_file() {
        return from_file(Path::new(id));
    }
    Err(anyhow!("there is no instrument called {id:?}; the bundled ones are {}", known.join(", ")))
}

fn explain(instrument: &Instrument, error: AnswerError) -> anyhow::Error {
    match (&error, &instrument.gate) {
        (AnswerError::WrongCount { .. }, Some(_)) => anyhow!(
            "{}: {error} (the first question's answer, then one per item in order; `-` for an unanswered item)",
            instrument.id
        ),
        (AnswerError::WrongCount { .. }, None) => {
            anyhow!("{}: {error} (one per item in order; `-` for an unanswered item)", instrument.id)
        }
        _ => anyhow!("{}: {error}", instrument.id),
    }
}
