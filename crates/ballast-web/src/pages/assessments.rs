//! Assessments: the list of instruments, taking one (with drafts saved as the person goes),
//! results, and history.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::instrument::{Answers, Instrument, Words};
use ballast_store::{Assessment, AssessmentId, StoredScale};
use jiff::Timestamp;

use super::account::display_time;
use super::{invalid, see_other};
use crate::auth::{Current, SignedIn};
use crate::catalogue::{self, Offered};
use crate::charts;
use crate::error::{PageError, WebError};
use crate::forms::{FieldErrors, FormInput};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::{AppState, assessing};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessments", get(list))
        .route("/assessments/{id}", get(take).post(submit))
        .route("/assessments/{id}/draft", post(save_draft))
        .route("/assessments/{id}/history", get(history))
        .route("/assessments/{id}/results/{result}", get(results))
}

fn date(at: Timestamp) -> String {
    at.strftime("%-d %B %Y").to_string()
}

// --- the list ------------------------------------------------------------------------------

struct ListRow {
    id: String,
    title: String,
    purpose: String,
    items: usize,
    minutes: u32,
    recall_period: String,
    last_taken: Option<String>,
}

#[derive(Template)]
#[template(path = "assessments.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ListRow>,
}

async fn list(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, PageError> {
    let last = state.store.last_taken(current.user.id).await?;
    let rows = catalogue::all(&state)
        .await?
        .into_iter()
        .map(|offered| {
            let i = &offered.instrument;
            ListRow {
                id: i.id.to_string(),
                title: i.short_title.clone(),
                purpose: i.purpose.clone(),
                items: i.items.len() + usize::from(i.gate.is_some()),
                minutes: i.minutes,
                recall_period: i.recall_period.clone(),
                last_taken: last.iter().find(|(id, _)| *id == i.id).map(|(_, at)| date(*at)),
            }
        })
        .collect();
    Ok(html(&ListPage { layout: Layout::new("Assessments", Some(&current), &csrf), rows }))
}

// --- taking one ----------------------------------------------------------------------------

struct OptionView {
    value: i32,
    label: String,
    checked: bool,
}

struct Question {
    /// The input name, also the fieldset's id for error links.
    name: String,
    number: String,
    text: String,
    options: Vec<OptionView>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "take.html")]
struct TakePage {
    layout: Layout,
    id: String,
    title: String,
    instructions: String,
    recall_period: String,
    lead_in: Option<String>,
    gate: Option<Question>,
    questions: Vec<Question>,
    answered: usize,
    total: usize,
    errors: FieldErrors,
    attribution: String,
    notice: Option<&'static str>,
}

const GATE_FIELD: &str = "gate";

fn item_field(index: usize) -> String {
    format!("q{}", index + 1)
}

/// Builds one question's view; the arguments are the question's parts, kept apart because
/// the gate and the items store them differently.
#[allow(clippy::too_many_arguments)]
fn question(
    instrument: &Instrument,
    words: &Words,
    name: String,
    number: String,
    text: &str,
    set: usize,
    chosen: Option<i32>,
    errors: &FieldErrors,
) -> Question {
    let error = errors.iter().find(|e| e.field == name).map(|e| e.message.clone());
    Question {
        options: instrument.response_sets[set]
            .options
            .iter()
            .map(|o| OptionView { value: o.value, label: o.label.clone(), checked: chosen == Some(o.value) })
            .collect(),
        text: instrument.render(text, words),
        name,
        number,
        error,
    }
}

fn take_page(
    current: &Current,
    csrf: &CsrfToken,
    offered: &Offered,
    words: &Words,
    answers: &Answers,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Response {
    let instrument = &offered.instrument;
    let total = instrument.items.len() + usize::from(instrument.gate.is_some());
    let gate = instrument.gate.as_ref().map(|g| {
        question(
            instrument,
            words,
            GATE_FIELD.into(),
            "First question".into(),
            &g.text,
            g.response_set,
            answers.gate,
            &errors,
        )
    });
    let questions = instrument
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            question(
                instrument,
                words,
                item_field(i),
                format!("Question {} of {}", i + 1, instrument.items.len()),
                &item.text,
                item.response_set,
                answers.items.get(i).copied().flatten(),
                &errors,
            )
        })
        .collect();
    let answered = answers.items.iter().flatten().count() + usize::from(answers.gate.is_some());
    let layout = Layout::new(instrument.short_title.clone(), Some(current), csrf).with_errors(!errors.is_empty());
    html(&TakePage {
        layout,
        id: instrument.id.to_string(),
        title: instrument.title.clone(),
        instructions: instrument.render(&instrument.instructions, words),
        recall_period: instrument.recall_period.clone(),
        lead_in: instrument.item_lead_in.as_ref().map(|t| instrument.render(t, words)),
        gate,
        questions,
        answered,
        total,
        errors,
        attribution: offered.custom_licence.clone().unwrap_or_else(|| instrument.licence.attribution.clone()),
        notice,
    })
}

async fn take(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let offered = catalogue::find(&state, &id).await?;
    let instrument = &offered.instrument;
    let draft = state.store.draft(current.user.id, &instrument.id).await?;
    // A draft saved against an older version of the instrument may not fit; start afresh.
    let answers = draft
        .map(|d| d.answers)
        .filter(|a| instrument.check_answers(a).is_ok())
        .unwrap_or_else(|| Answers { gate: None, items: vec![None; instrument.items.len()] });
    let words = state.store.words(current.user.id).await?;
    let notice = (query.as_deref() == Some("saved=1"))
        .then_some("Your answers are saved. You can come back and finish whenever you like.");
    Ok(take_page(&current, &csrf, &offered, &words, &answers, FieldErrors::default(), notice))
}

/// Reads the submitted radio buttons. A value that is not one of the options (only possible
/// by tampering) is reported against its question; everything else is kept.
fn read_answers(instrument: &Instrument, form: &HashMap<String, String>, errors: &mut FieldErrors) -> Answers {
    let mut read = |field: &str, set: usize| -> Option<i32> {
        let raw = form.get(field).map(|v| v.trim()).filter(|v| !v.is_empty())?;
        match raw.parse::<i32>().ok().filter(|v| instrument.response_sets[set].option(*v).is_some()) {
            Some(value) => Some(value),
            None => {
                errors.add_owned(field.to_owned(), "That answer is not one of the options. Please choose again.");
                None
            }
        }
    };
    let gate = instrument.gate.as_ref().and_then(|g| read(GATE_FIELD, g.response_set));
    let items = instrument.items.iter().enumerate().map(|(i, item)| read(&item_field(i), item.response_set)).collect();
    Answers { gate, items }
}

async fn submit(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    FormInput(form): FormInput<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let offered = catalogue::find(&state, &id).await?;
    let instrument = &offered.instrument;
    let mut errors = FieldErrors::default();
    let answers = read_answers(instrument, &form, &mut errors);
    let now = Timestamp::now();
    // Whatever happens next, what was typed is kept.
    state.store.save_draft(current.user.id, &instrument.id, &answers, now).await?;
    for gap in instrument.gaps(&answers) {
        let (field, name) = match gap {
            None => (GATE_FIELD.to_owned(), "the first question".to_owned()),
            Some(i) => (item_field(i), format!("question {}", i + 1)),
        };
        if errors.iter().all(|e| e.field != field) {
            errors.add_owned(field, format!("Please answer {name}."));
        }
    }
    if !errors.is_empty() {
        let words = state.store.words(current.user.id).await?;
        return Ok(invalid(take_page(&current, &csrf, &offered, &words, &answers, errors, None)));
    }
    let saved = assessing::record(&state, &current, instrument, answers, now).await?;
    let target = if saved.flags.is_empty() {
        format!("/assessments/{}/results/{}", instrument.id, saved.id.0)
    } else {
        format!("/support?result={}", saved.id.0)
    };
    Ok(see_other(&target, &[]))
}

async fn save_draft(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
    FormInput(form): FormInput<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let offered = catalogue::find(&state, &id).await?;
    let mut ignored = FieldErrors::default();
    let answers = read_answers(&offered.instrument, &form, &mut ignored);
    state.store.save_draft(current.user.id, &offered.instrument.id, &answers, Timestamp::now()).await?;
    // The page's script saves as the person goes and only needs to know it worked.
    if form.get("autosave").is_some_and(|v| v == "1") {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(see_other(&format!("/assessments/{}?saved=1", offered.instrument.id), &[]))
}

// --- results -------------------------------------------------------------------------------

struct ScaleResult {
    title: String,
    about: String,
    value: String,
    range: String,
    band: Option<String>,
    interpretation: Option<String>,
    comparison: Option<String>,
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    layout: Layout,
    id: String,
    title: String,
    taken: String,
    scales: Vec<ScaleResult>,
    flagged: bool,
    result_id: i64,
    attribution: String,
    citation: String,
    licence_status: Option<String>,
}

pub(crate) fn show_value(value: Option<f64>) -> String {
    match value {
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => "not enough answers to score".to_owned(),
    }
}

fn compare(now: &StoredScale, before: Option<(&Assessment, &StoredScale)>) -> Option<String> {
    let (earlier, then) = before?;
    let (now_value, then_value) = (now.value?, then.value?);
    let difference = now_value - then_value;
    let band = then.band.as_deref().map(|b| format!(", {b}")).unwrap_or_default();
    let when = date(earlier.taken_at);
    Some(if difference.abs() < 0.05 {
        format!("The same as on {when} ({}{band}).", show_value(then.value))
    } else {
        let direction = if difference > 0.0 { "higher" } else { "lower" };
        format!("{} {direction} than on {when} ({}{band}).", show_value(Some(difference.abs())), show_value(then.value))
    })
}

async fn results(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path((id, result)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let offered = catalogue::find(&state, &id).await?;
    let instrument = &offered.instrument;
    let result_id = result.parse::<i64>().map(AssessmentId).map_err(|_| WebError::NotFound)?;
    let assessment = state
        .store
        .assessment(current.user.id, result_id)
        .await?
        .filter(|a| a.instrument_id == instrument.id)
        .ok_or(WebError::NotFound)?;
    let history = state.store.assessments_of(current.user.id, &instrument.id).await?;
    let previous = history.iter().rfind(|a| (a.taken_at, a.id.0) < (assessment.taken_at, assessment.id.0));
    let scales = assessment
        .scales
        .iter()
        .map(|stored| {
            let scale = instrument.scale(&stored.id);
            let band = stored.band.clone();
            let interpretation = scale
                .and_then(|s| s.bands.iter().find(|b| Some(&b.label) == band.as_ref()))
                .map(|b| b.interpretation.clone());
            let (low, high) =
                scale.map(|s| s.range(&instrument.items, &instrument.response_sets)).unwrap_or((0.0, 0.0));
            ScaleResult {
                title: scale.map_or_else(|| stored.id.clone(), |s| s.title.clone()),
                about: scale.map(|s| s.about.clone()).unwrap_or_default(),
                value: show_value(stored.value),
                range: format!("out of a possible {}–{}", show_value(Some(low)), show_value(Some(high))),
                band,
                interpretation,
                comparison: compare(
                    stored,
                    previous.and_then(|p| p.scales.iter().find(|s| s.id == stored.id).map(|s| (p, s))),
                ),
            }
        })
        .collect();
    Ok(html(&ResultsPage {
        layout: Layout::new(format!("Your {} result", instrument.short_title), Some(&current), &csrf),
        id: instrument.id.to_string(),
        title: instrument.short_title.clone(),
        taken: display_time(assessment.taken_at),
        scales,
        flagged: !assessment.flags.is_empty(),
        result_id: assessment.id.0,
        attribution: offered.custom_licence.clone().unwrap_or_else(|| instrument.licence.attribution.clone()),
        citation: instrument.citation.clone(),
        licence_status: instrument.licence.status.clone(),
    }))
}

// --- history -------------------------------------------------------------------------------

struct HistoryRow {
    date: String,
    value: String,
    band: String,
}

struct ScaleHistory {
    title: String,
    chart: String,
    rows: Vec<HistoryRow>,
}

struct PastResult {
    href: String,
    date: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    layout: Layout,
    id: String,
    title: String,
    scales: Vec<ScaleHistory>,
    past: Vec<PastResult>,
}

async fn history(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let offered = catalogue::find(&state, &id).await?;
    let instrument: &Arc<Instrument> = &offered.instrument;
    let results = state.store.assessments_of(current.user.id, &instrument.id).await?;
    let scales = instrument
        .scales
        .iter()
        .map(|scale| {
            let scored: Vec<(Timestamp, f64, Option<&str>)> = results
                .iter()
                .filter_map(|a| {
                    let s = a.scales.iter().find(|s| s.id == scale.id)?;
                    Some((a.taken_at, s.value?, s.band.as_deref()))
                })
                .collect();
            let points: Vec<(Timestamp, f64)> = scored.iter().map(|(t, v, _)| (*t, *v)).collect();
            let range = scale.range(&instrument.items, &instrument.response_sets);
            ScaleHistory {
                title: scale.title.clone(),
                chart: charts::scale_history(
                    &format!("chart-{}", scale.id),
                    &scale.title,
                    &points,
                    range,
                    &scale.bands,
                ),
                rows: scored
                    .iter()
                    .rev()
                    .map(|(t, v, band)| HistoryRow {
                        date: date(*t),
                        value: show_value(Some(*v)),
                        band: band.unwrap_or("—").to_owned(),
                    })
                    .collect(),
            }
        })
        .collect();
    let past = results
        .iter()
        .rev()
        .map(|a| PastResult {
            href: format!("/assessments/{}/results/{}", instrument.id, a.id.0),
            date: display_time(a.taken_at),
            summary: a
                .scales
                .iter()
                .map(|s| {
                    let title = instrument.scale(&s.id).map_or(s.id.as_str(), |scale| scale.title.as_str());
                    format!("{title} {}", show_value(s.value))
                })
                .collect::<Vec<_>>()
                .join(" · "),
        })
        .collect();
    Ok(html(&HistoryPage {
        layout: Layout::new(format!("Your {} history", instrument.short_title), Some(&current), &csrf),
        id: instrument.id.to_string(),
        title: instrument.short_title.clone(),
        scales,
        past,
    }))
}
