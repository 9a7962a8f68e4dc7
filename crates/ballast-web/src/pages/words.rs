//! The person's own words for instrument placeholders ("nurse" for `[helper]`, "patients"
//! for `[clients]`), used wherever the instrument's licence allows.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use ballast_core::instrument::{Words, parse_word};

use super::{invalid, see_other};
use crate::auth::{Current, SignedIn};
use crate::error::PageError;
use crate::forms::{FieldErrors, FormInput, Typed};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::{AppState, catalogue};

pub fn routes() -> Router<AppState> {
    Router::new().route("/account/words", get(show).post(save))
}

struct WordField {
    token: String,
    default: String,
    used_in: String,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "words.html")]
struct WordsPage {
    layout: Layout,
    errors: FieldErrors,
    fields: Vec<WordField>,
    notice: Option<&'static str>,
}

/// Every placeholder a person may fill in, with its default and the instruments using it.
async fn placeholders(state: &AppState) -> Result<BTreeMap<String, (String, Vec<String>)>, PageError> {
    let mut found: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for offered in catalogue::all(state).await? {
        for placeholder in offered.instrument.substitutable() {
            let entry =
                found.entry(placeholder.token.clone()).or_insert_with(|| (placeholder.default.clone(), Vec::new()));
            entry.1.push(offered.instrument.short_title.clone());
        }
    }
    Ok(found)
}

fn page(
    current: &Current,
    csrf: &CsrfToken,
    known: &BTreeMap<String, (String, Vec<String>)>,
    values: &Typed,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Response {
    let fields = known
        .iter()
        .map(|(token, (default, used_in))| WordField {
            token: token.clone(),
            default: default.clone(),
            used_in: used_in.join(", "),
            value: values.get(token).cloned().unwrap_or_default(),
            error: errors.iter().find(|e| e.field == format!("word-{token}")).map(|e| e.message.clone()),
        })
        .collect();
    let layout = Layout::new("Words for your work", Some(current), csrf).with_errors(!errors.is_empty());
    html(&WordsPage { layout, errors, fields, notice })
}

async fn show(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let known = placeholders(&state).await?;
    let words: Typed = state.store.words(current.user.id).await?.into_iter().collect();
    let notice =
        (query.as_deref() == Some("saved=1")).then_some("Saved. Questionnaires will use your words from now on.");
    Ok(page(&current, &csrf, &known, &words, FieldErrors::default(), notice))
}

async fn save(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(form): FormInput<Typed>,
) -> Result<Response, PageError> {
    let known = placeholders(&state).await?;
    let mut errors = FieldErrors::default();
    let mut words = Words::new();
    let mut typed = Typed::new();
    for token in known.keys() {
        let raw = form.get(&format!("word-{token}")).map(|v| v.trim()).unwrap_or_default();
        typed.insert(token.clone(), raw.to_owned());
        if raw.is_empty() {
            continue; // empty means "use the questionnaire's own word"
        }
        match parse_word(raw) {
            Ok(word) => {
                words.insert(token.clone(), word);
            }
            Err(problem) => errors.add_owned(format!("word-{token}"), problem),
        }
    }
    if !errors.is_empty() {
        return Ok(invalid(page(&current, &csrf, &known, &typed, errors, None)));
    }
    state.store.set_words(current.user.id, &words).await?;
    Ok(see_other("/account/words?saved=1", &[]))
}
