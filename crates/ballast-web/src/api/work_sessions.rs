//! `/api/v1/work-sessions`: the exposure log for integrations — a rota or scheduling system
//! recording sessions as they happen. A `POST` goes through the same parser and limits as the
//! page's form; like the form, the body has no room for anything that names a client.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Json, Router};
use ballast_store::{NewWorkSession, StoredWorkSession, WorkSessionId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{ApiCaller, Current};
use crate::error::{ApiError, WebError};
use crate::forms::{FieldErrors, Typed};
use crate::pages::parse_session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work-sessions", axum::routing::get(list).post(add))
        .route("/work-sessions/{id}", axum::routing::delete(remove))
}

const DEFAULT_LISTING_DAYS: i64 = 7;
/// The longest span one listing may cover: a year and a day.
const MAX_LISTING_DAYS: i32 = 366;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionBody {
    /// The person's own calendar day, `YYYY-MM-DD`.
    day: String,
    /// Their local clock time, `HH:MM`.
    start: String,
    minutes: i64,
    kind: String,
    intensity: String,
    #[serde(default)]
    debriefed: bool,
}

impl SessionBody {
    /// The body as the form fields the shared parser reads.
    fn into_typed(self) -> Typed {
        let mut typed = Typed::new();
        typed.insert("day".into(), self.day);
        typed.insert("start".into(), self.start);
        typed.insert("minutes".into(), self.minutes.to_string());
        typed.insert("kind".into(), self.kind);
        typed.insert("intensity".into(), self.intensity);
        if self.debriefed {
            typed.insert("debriefed".into(), "on".into());
        }
        typed
    }
}

#[derive(Serialize)]
struct SessionView {
    id: i64,
    /// The instant it started, RFC 3339 in UTC.
    start: String,
    /// The same, as the person's own day and clock time.
    day: String,
    start_time: String,
    minutes: u16,
    kind: &'static str,
    /// `null` until the person tags an imported session.
    intensity: Option<&'static str>,
    debriefed: bool,
    imported: bool,
}

fn view(stored: &StoredWorkSession, current: &Current) -> SessionView {
    let session = &stored.session;
    let local = session.start.to_zoned(current.user.time_zone.zone());
    SessionView {
        id: stored.id.0,
        start: session.start.to_string(),
        day: local.date().to_string(),
        start_time: local.strftime("%H:%M").to_string(),
        minutes: session.minutes.get(),
        kind: session.kind.id(),
        intensity: session.intensity.map(|i| i.id()),
        debriefed: session.debriefed,
        imported: stored.imported,
    }
}

/// Records one session (201, with the session as stored).
async fn add(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
    body: Result<Json<SessionBody>, JsonRejection>,
) -> Result<(StatusCode, Json<SessionView>), ApiError> {
    let typed = super::json_body(body, "work session")?.into_typed();
    let mut errors = FieldErrors::default();
    let session = parse_session(&typed, &current, &mut errors);
    let Some(session) = session.filter(|_| errors.is_empty()) else {
        return Err(super::unprocessable(&errors).into());
    };
    let new = NewWorkSession { user_id: current.user.id, session, import_key: None, created_at: Timestamp::now() };
    let id = state.store.add_work_session(new).await?;
    let stored = StoredWorkSession { id, user_id: current.user.id, session, imported: false };
    Ok((StatusCode::CREATED, Json(view(&stored, &current))))
}

/// The person's sessions that start on the days `from` to `to` (inclusive, in their time
/// zone), earliest first. By default the last seven days up to today.
async fn list(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
    query: Result<Query<super::DayRange>, QueryRejection>,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    let (from, to) = super::DayRange::days(query, &current, DEFAULT_LISTING_DAYS, MAX_LISTING_DAYS)?;
    let zone = current.user.time_zone.zone();
    let start = from.to_zoned(zone.clone()).map_err(WebError::internal)?.timestamp();
    let end = to.tomorrow().and_then(|d| d.to_zoned(zone)).map_err(WebError::internal)?.timestamp();
    let found = state.store.work_sessions(current.user.id, start, end).await?;
    Ok(Json(found.iter().map(|s| view(s, &current)).collect()))
}

/// Deletes one of the person's sessions (204); someone else's, or an unknown id, is 404.
async fn remove(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = id.parse::<i64>().map(WorkSessionId).map_err(|_| WebError::NotFound)?;
    if !state.store.delete_work_session(current.user.id, id).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(StatusCode::NO_CONTENT)
}
