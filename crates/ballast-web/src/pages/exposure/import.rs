//! Importing sessions from a work calendar (`.ics`). Every event in the window becomes a
//! session without an intensity (the person tags them afterwards, in bulk). Events are
//! matched on their calendar identity, so importing the same file again changes nothing,
//! and a file that cannot be read is refused whole: nothing is half-imported.

use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use ballast_calendar::limits::MAX_FILE_BYTES;
use ballast_calendar::{ImportError, Window, read_calendar_in};
use ballast_core::exposure::{Minutes, SessionKind, WorkSession};
use ballast_store::{ImportKey, NewWorkSession};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::error::{PageError, WebError};
use crate::pages::{invalid, see_other};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;

/// The upload may be as large as the calendar reader accepts, plus the form around it.
const BODY_LIMIT: usize = MAX_FILE_BYTES + 64 * 1024;
/// Events from the past year and the next three months are imported.
const WINDOW_BACK: SignedDuration = SignedDuration::from_hours(366 * 24);
const WINDOW_AHEAD: SignedDuration = SignedDuration::from_hours(92 * 24);

pub fn routes() -> Router<AppState> {
    Router::new().route("/exposure/import", get(show).post(import).layer(DefaultBodyLimit::max(BODY_LIMIT)))
}

#[derive(Template)]
#[template(path = "exposure_import.html")]
struct ImportPage {
    layout: Layout,
    error: Option<String>,
    result: Option<ImportResult>,
    max_megabytes: usize,
}

/// What the last import did, as shown after it.
struct ImportResult {
    added: u32,
    existing: u32,
    skipped: u32,
    unknown_zone: u32,
}

/// The redirect after an import carries its counts, so a reload shows them again and
/// never imports twice.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ImportQuery {
    added: Option<u32>,
    existing: u32,
    skipped: u32,
    unknown_zone: u32,
}

fn page(current: &Current, csrf: &CsrfToken, error: Option<String>, result: Option<ImportResult>) -> Response {
    let title = if error.is_some() { "Error: Import a calendar" } else { "Import a calendar" };
    html(&ImportPage {
        layout: Layout::new(title, Some(current), csrf),
        error,
        result,
        max_megabytes: MAX_FILE_BYTES / (1024 * 1024),
    })
}

async fn show(
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<ImportQuery>,
) -> Response {
    let result = query.added.map(|added| ImportResult {
        added,
        existing: query.existing,
        skipped: query.skipped,
        unknown_zone: query.unknown_zone,
    });
    page(&current, &csrf, None, result)
}

/// Reads the uploaded file from the form, or says what went wrong.
async fn uploaded_file(multipart: Result<Multipart, MultipartRejection>) -> Result<Vec<u8>, String> {
    let mut multipart =
        multipart.map_err(|_| "We could not read that upload. Please choose the file again.".to_owned())?;
    while let Some(field) = multipart.next_field().await.map_err(|error| {
        if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            format!("That file is larger than {} MB, too large to be a work calendar.", MAX_FILE_BYTES / (1024 * 1024))
        } else {
            "The upload was cut short. Please try again.".to_owned()
        }
    })? {
        if field.name() == Some("calendar") {
            let bytes = field.bytes().await.map_err(|_| {
                format!(
                    "That file is larger than {} MB, too large to be a work calendar.",
                    MAX_FILE_BYTES / (1024 * 1024)
                )
            })?;
            if bytes.is_empty() {
                return Err("Choose a calendar file (.ics) to import.".to_owned());
            }
            return Ok(bytes.to_vec());
        }
    }
    Err("Choose a calendar file (.ics) to import.".to_owned())
}

async fn import(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let bytes = match uploaded_file(multipart).await {
        Ok(bytes) => bytes,
        Err(message) => {
            // Part of the upload may be left unread, so this connection cannot carry another
            // request.
            let mut response = invalid(page(&current, &csrf, Some(message), None));
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            return Ok(response);
        }
    };
    let now = Timestamp::now();
    let window = Window {
        start: now.checked_sub(WINDOW_BACK).map_err(WebError::internal)?,
        end: now.checked_add(WINDOW_AHEAD).map_err(WebError::internal)?,
    };
    // Parsing is pure CPU work on up to megabytes: keep it off the async workers. Times
    // without a zone are read in the person's own.
    let zone = current.user.time_zone.zone();
    let read = tokio::task::spawn_blocking(move || read_calendar_in(&bytes, window, &zone))
        .await
        .map_err(WebError::internal)?;
    let imported = match read {
        Ok(imported) => imported,
        Err(error) => return Ok(invalid(page(&current, &csrf, Some(describe(&error)), None))),
    };
    let skipped = imported.skipped.total();
    // The reader promises 1 to 1,440 minutes, which is exactly what `Minutes` holds.
    let sessions = imported
        .events
        .into_iter()
        .filter_map(|event| {
            Some(NewWorkSession {
                user_id: current.user.id,
                session: WorkSession {
                    start: event.start,
                    minutes: Minutes::new(event.minutes)?,
                    kind: SessionKind::ClientSession,
                    intensity: None,
                    debriefed: false,
                },
                import_key: Some(ImportKey(event.key)),
                created_at: now,
            })
        })
        .collect();
    let report = state.store.import_work_sessions(current.user.id, sessions).await?;
    tracing::info!(
        user = current.user.id.0,
        added = report.added,
        existing = report.already_there,
        skipped,
        "calendar imported"
    );
    Ok(see_other(
        &format!(
            "/exposure/import?added={}&existing={}&skipped={skipped}&unknown_zone={}",
            report.added, report.already_there, imported.unknown_time_zone
        ),
        &[],
    ))
}

fn describe(error: &ImportError) -> String {
    format!("{error} Nothing was imported.")
}
