//! Administration: the support resources people see, and instruments added from definition
//! files (e.g. a licensed Maslach Burnout Inventory). Only administrators reach these pages.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::instrument::{Instrument, InstrumentId};
use ballast_store::{CustomInstrument, SupportResource};
use jiff::Timestamp;

use super::{invalid, see_other};
use crate::auth::{Admin, Current};
use crate::error::{PageError, WebError};
use crate::forms::{FieldErrors, FormInput};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::{AppState, catalogue, support};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/support", get(show_support).post(save_support))
        .route("/admin/instruments", get(show_instruments).post(add_instrument))
        .route("/admin/instruments/{id}/delete", post(delete_instrument))
}

#[derive(Template)]
#[template(path = "admin.html")]
struct OverviewPage {
    layout: Layout,
}

async fn overview(Admin(current): Admin, Extension(csrf): Extension<CsrfToken>) -> Response {
    html(&OverviewPage { layout: Layout::new("Administration", Some(&current), &csrf) })
}

// --- support resources -----------------------------------------------------------------------

/// Rows shown in the editor: the current list plus a few blank ones to add to.
const BLANK_ROWS: usize = 3;
const MAX_ROWS: usize = 20;

struct ResourceRow {
    index: usize,
    resource: SupportResource,
    name_error: bool,
    contact_error: bool,
}

#[derive(Template)]
#[template(path = "admin_support.html")]
struct SupportPage {
    layout: Layout,
    errors: FieldErrors,
    rows: Vec<ResourceRow>,
    notice: Option<&'static str>,
}

fn support_page(
    current: &Current,
    csrf: &CsrfToken,
    mut rows: Vec<SupportResource>,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Response {
    let blank = SupportResource { name: String::new(), description: String::new(), contact: String::new() };
    rows.extend(std::iter::repeat_n(blank, BLANK_ROWS).take(MAX_ROWS.saturating_sub(rows.len())));
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(index, resource)| ResourceRow {
            index,
            resource,
            name_error: errors.get(&format!("name-{index}")).is_some(),
            contact_error: errors.get(&format!("contact-{index}")).is_some(),
        })
        .collect();
    let layout = Layout::new("Support resources", Some(current), csrf).with_errors(!errors.is_empty());
    html(&SupportPage { layout, errors, rows, notice })
}

async fn show_support(
    State(state): State<AppState>,
    Admin(current): Admin,
    Extension(csrf): Extension<CsrfToken>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let notice =
        (query.as_deref() == Some("saved=1")).then_some("Saved. Everyone now sees this list on the support page.");
    Ok(support_page(&current, &csrf, support::resources(&state).await?, FieldErrors::default(), notice))
}

async fn save_support(
    State(state): State<AppState>,
    Admin(current): Admin,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(form): FormInput<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if form.get("defaults").is_some_and(|v| v == "1") {
        state.store.set_support_resources(&support::defaults()).await?;
        return Ok(see_other("/admin/support?saved=1", &[]));
    }
    let mut errors = FieldErrors::default();
    let mut rows = Vec::new();
    for n in 0..MAX_ROWS {
        let get = |field: &str| form.get(&format!("{field}-{n}")).map(|v| v.trim().to_owned()).unwrap_or_default();
        let row = SupportResource { name: get("name"), description: get("description"), contact: get("contact") };
        let filled = [&row.name, &row.description, &row.contact].iter().filter(|v| !v.is_empty()).count();
        if filled == 0 {
            continue;
        }
        // Errors are keyed by the row's place on the page shown again, where filled rows are
        // packed together, not by its place in the submitted form.
        let shown = rows.len();
        if row.name.is_empty() {
            errors.add_owned(format!("name-{shown}"), format!("Resource {}: give it a name.", shown + 1));
        }
        if row.contact.is_empty() {
            errors.add_owned(format!("contact-{shown}"), format!("Resource {}: say how to reach it.", shown + 1));
        }
        for (field, value) in [("name", &row.name), ("description", &row.description), ("contact", &row.contact)] {
            if value.chars().count() > 500 {
                errors.add_owned(
                    format!("{field}-{shown}"),
                    format!("Resource {}: keep each box under 500 characters.", shown + 1),
                );
            }
        }
        rows.push(row);
    }
    if !errors.is_empty() {
        return Ok(invalid(support_page(&current, &csrf, rows, errors, None)));
    }
    state.store.set_support_resources(&rows).await?;
    tracing::info!(user = current.user.id.0, count = rows.len(), "support resources updated");
    Ok(see_other("/admin/support?saved=1", &[]))
}

// --- custom instruments ------------------------------------------------------------------------

struct CustomRow {
    id: String,
    title: String,
    licence_note: String,
    added: String,
}

#[derive(Template)]
#[template(path = "admin_instruments.html")]
struct InstrumentsPage {
    layout: Layout,
    errors: FieldErrors,
    custom: Vec<CustomRow>,
    definition: String,
    licence_note: String,
    notice: Option<&'static str>,
}

async fn instruments_page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    definition: String,
    licence_note: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let custom = state
        .store
        .custom_instruments()
        .await?
        .into_iter()
        .map(|c| CustomRow {
            title: Instrument::from_toml(&c.definition).map_or_else(|e| format!("(no longer loads: {e})"), |i| i.title),
            id: c.id.to_string(),
            licence_note: c.licence_note,
            added: c.added_at.strftime("%-d %B %Y").to_string(),
        })
        .collect();
    let layout = Layout::new("Instruments", Some(current), csrf).with_errors(!errors.is_empty());
    Ok(html(&InstrumentsPage { layout, errors, custom, definition, licence_note, notice }))
}

async fn show_instruments(
    State(state): State<AppState>,
    Admin(current): Admin,
    Extension(csrf): Extension<CsrfToken>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let notice = match query.as_deref() {
        Some("added=1") => Some("Added. People can take it from their Assessments page now."),
        Some("removed=1") => Some("Removed. Results people already recorded with it are kept."),
        _ => None,
    };
    instruments_page(&state, &current, &csrf, String::new(), String::new(), FieldErrors::default(), notice).await
}

async fn add_instrument(
    State(state): State<AppState>,
    Admin(current): Admin,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(form): FormInput<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let definition = form.get("definition").cloned().unwrap_or_default();
    let licence_note = form.get("licence_note").map(|v| v.trim().to_owned()).unwrap_or_default();
    let mut errors = FieldErrors::default();
    let parsed = if definition.trim().is_empty() {
        errors.add("definition", "Paste the instrument's definition file.");
        None
    } else {
        match Instrument::from_toml(&definition) {
            Ok(instrument) if catalogue::bundled().iter().any(|b| b.id == instrument.id) => {
                errors.add(
                    "definition",
                    format!("The id {:?} belongs to a bundled instrument; choose another.", instrument.id.as_str()),
                );
                None
            }
            Ok(instrument) => Some(instrument),
            Err(problem) => {
                errors.add("definition", format!("The definition has a problem — {problem}"));
                None
            }
        }
    };
    if licence_note.is_empty() {
        errors.add(
            "licence_note",
            "Say under what licence your organisation uses it (for example the licence number and holder).",
        );
    }
    let Some(instrument) = parsed.filter(|_| errors.is_empty()) else {
        let page = instruments_page(&state, &current, &csrf, definition, licence_note, errors, None).await?;
        return Ok(invalid(page));
    };
    state
        .store
        .save_custom_instrument(CustomInstrument {
            id: instrument.id.clone(),
            definition,
            licence_note,
            added_by: current.user.id,
            added_at: Timestamp::now(),
        })
        .await?;
    tracing::info!(user = current.user.id.0, instrument = %instrument.id, "custom instrument added");
    Ok(see_other("/admin/instruments?added=1", &[]))
}

async fn delete_instrument(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = InstrumentId::parse(&id).map_err(|_| WebError::NotFound)?;
    if !state.store.delete_custom_instrument(&id).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other("/admin/instruments?removed=1", &[]))
}
