//! `/api/v1`: JSON for integrations. Authenticated by the session cookie for now; errors are
//! RFC 9457 problem+json. The description lives in `openapi.json` beside this module.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get};
use axum::{Json, Router};
use ballast_core::SessionId;
use ballast_core::instrument::{Answers, InstrumentId};
use ballast_store::{Assessment, StoredScale};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::forms::FieldErrors;
use crate::{AppState, assessing, catalogue};

mod check_ins;
mod work_sessions;

const OPENAPI: &str = include_str!("openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }))
        .route("/me", get(me))
        .route("/sessions", get(sessions))
        .route("/sessions/{id}", delete(end_session))
        .route("/instruments", get(instruments))
        .route("/instruments/{id}", get(instrument))
        .route("/assessments", get(assessments).post(submit_assessment))
        .merge(check_ins::routes())
        .merge(work_sessions::routes())
}

#[derive(Serialize)]
struct InstrumentSummary {
    id: String,
    title: String,
    short_title: String,
    purpose: String,
    questions: usize,
    minutes: u32,
    recall_period: String,
    attribution: String,
}

async fn instruments(
    State(state): State<AppState>,
    ApiCaller(_): ApiCaller,
) -> Result<Json<Vec<InstrumentSummary>>, ApiError> {
    let all = catalogue::all(&state).await?;
    Ok(Json(
        all.into_iter()
            .map(|offered| {
                let i = &offered.instrument;
                InstrumentSummary {
                    id: i.id.to_string(),
                    title: i.title.clone(),
                    short_title: i.short_title.clone(),
                    purpose: i.purpose.clone(),
                    questions: i.items.len() + usize::from(i.gate.is_some()),
                    minutes: i.minutes,
                    recall_period: i.recall_period.clone(),
                    attribution: offered.custom_licence.clone().unwrap_or_else(|| i.licence.attribution.clone()),
                }
            })
            .collect(),
    ))
}

/// The whole definition, as validated.
async fn instrument(
    State(state): State<AppState>,
    ApiCaller(_): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let offered = catalogue::find(&state, &id).await?;
    serde_json::to_value(&*offered.instrument).map(Json).map_err(|e| ApiError(WebError::internal(e)))
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD` for listings, both optional.
#[derive(Deserialize)]
pub(super) struct DayRange {
    from: Option<String>,
    to: Option<String>,
}

impl DayRange {
    /// The days asked for, inclusive, in the caller's time zone: by default the
    /// `default_days` up to today; at most `max_days` in all.
    pub(super) fn days(
        query: Result<Query<DayRange>, QueryRejection>,
        current: &crate::auth::Current,
        default_days: i64,
        max_days: i32,
    ) -> Result<(Date, Date), WebError> {
        let Query(range) = query.map_err(|_| WebError::BadRequest("Use ?from=YYYY-MM-DD&to=YYYY-MM-DD.".into()))?;
        let to = match range.to.as_deref() {
            Some(text) => parse_day(text)?,
            None => current.user.time_zone.today(Timestamp::now()),
        };
        let from = match range.from.as_deref() {
            Some(text) => parse_day(text)?,
            None => to.checked_sub(jiff::Span::new().days(default_days - 1)).unwrap_or(to),
        };
        if from > to {
            return Err(WebError::BadRequest("`from` is after `to`.".into()));
        }
        if to.since(from).map(|span| span.get_days()).unwrap_or(i32::MAX) >= max_days {
            return Err(WebError::BadRequest(format!("Ask for at most {max_days} days at a time.")));
        }
        Ok((from, to))
    }
}

pub(super) fn parse_day(text: &str) -> Result<Date, WebError> {
    text.parse::<Date>().map_err(|_| WebError::BadRequest(format!("“{text}” is not a date; use YYYY-MM-DD.")))
}

/// Everything wrong with a submission, one sentence per field, named.
pub(super) fn unprocessable(errors: &FieldErrors) -> WebError {
    let problems: Vec<String> = errors
        .iter()
        .map(|e| if e.field.is_empty() { e.message.clone() } else { format!("{}: {}", e.field, e.message) })
        .collect();
    WebError::Unprocessable(problems.join(" "))
}

/// A JSON request body, or the error that says what is wrong with it (`what` names the thing
/// expected: "The body is not a valid check-in: …").
fn json_body<T>(body: Result<Json<T>, JsonRejection>, what: &str) -> Result<T, WebError> {
    body.map(|Json(value)| value).map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => WebError::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => WebError::UnsupportedMediaType,
        _ => WebError::BadRequest(format!("The body is not a valid {what}: {}", rejection.body_text())),
    })
}

#[derive(Deserialize)]
struct Submission {
    instrument: String,
    answers: Answers,
}

#[derive(Serialize)]
struct AssessmentView {
    id: i64,
    instrument: String,
    instrument_version: String,
    taken_at: String,
    scales: Vec<StoredScale>,
    flags: Vec<String>,
    answers: Answers,
}

impl From<Assessment> for AssessmentView {
    fn from(a: Assessment) -> Self {
        AssessmentView {
            id: a.id.0,
            instrument: a.instrument_id.to_string(),
            instrument_version: a.instrument_version,
            taken_at: a.taken_at.to_string(),
            scales: a.scales,
            flags: a.flags,
            answers: a.answers,
        }
    }
}

/// Scores and stores a completed assessment: the same checks and scoring as the pages.
async fn submit_assessment(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
    body: Result<Json<Submission>, JsonRejection>,
) -> Result<(StatusCode, Json<AssessmentView>), ApiError> {
    let submission = json_body(body, "submission")?;
    let offered = catalogue::find(&state, &submission.instrument).await?;
    let instrument = &offered.instrument;
    instrument.check_answers(&submission.answers).map_err(|e| WebError::Unprocessable(e.to_string()))?;
    let gaps = instrument.gaps(&submission.answers);
    if !gaps.is_empty() {
        let named: Vec<String> = gaps.iter().map(|gap| instrument.question_name(*gap)).collect();
        return Err(WebError::Unprocessable(format!("Unanswered: {}.", named.join(", "))).into());
    }
    let saved = assessing::record(&state, &current, instrument, submission.answers, Timestamp::now()).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

#[derive(Deserialize)]
struct AssessmentQuery {
    instrument: String,
}

async fn assessments(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
    query: Result<Query<AssessmentQuery>, QueryRejection>,
) -> Result<Json<Vec<AssessmentView>>, ApiError> {
    let Query(query) = query.map_err(|_| WebError::BadRequest("Name the instrument: ?instrument=ID".into()))?;
    let id = InstrumentId::parse(&query.instrument).map_err(|_| WebError::NotFound)?;
    let found = state.store.assessments_of(current.user.id, &id).await?;
    Ok(Json(found.into_iter().map(AssessmentView::from).collect()))
}

#[derive(Serialize)]
struct Me {
    id: i64,
    email: String,
    role: &'static str,
    created_at: String,
}

async fn me(ApiCaller(current): ApiCaller) -> Json<Me> {
    let user = current.user;
    Json(Me {
        id: user.id.0,
        email: user.email.to_string(),
        role: user.role.as_str(),
        created_at: user.created_at.to_string(),
    })
}

#[derive(Serialize)]
struct SessionView {
    id: i64,
    device: String,
    created_at: String,
    last_seen_at: String,
    current: bool,
}

async fn sessions(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    let sessions = state.store.sessions_of(current.user.id).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|session| SessionView {
                id: session.id.0,
                current: session.id == current.session.id,
                device: session.user_agent,
                created_at: session.created_at.to_string(),
                last_seen_at: session.last_seen_at.to_string(),
            })
            .collect(),
    ))
}

async fn end_session(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = id.parse::<i64>().map(SessionId).map_err(|_| WebError::NotFound)?;
    if state.store.end_session(current.user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(WebError::NotFound.into())
    }
}
