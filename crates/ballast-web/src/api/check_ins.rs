//! `/api/v1/check-ins`: the daily check-in for integrations. A `PUT` goes through the same
//! parser, day rules and sealing as the check-in page (see `checking_in`); reads return the
//! person's own notes opened, since only they can call it.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Json, Router};
use ballast_core::checkin::{Entry, PhysicalSign};
use ballast_store::StoredCheckIn;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{ApiCaller, Current};
use crate::checking_in::{self, Typed};
use crate::error::{ApiError, WebError};
use crate::forms::FieldErrors;
use crate::pages::my_signs;
use crate::vault::{PersonKey, Place, open_optional};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/check-ins", axum::routing::get(list))
        .route("/check-ins/{day}", axum::routing::get(one).put(put))
}

/// The longest span one listing may cover: five years and a leap day.
const MAX_LISTING_DAYS: i32 = 5 * 365 + 2;
const DEFAULT_LISTING_DAYS: i64 = 30;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckInBody {
    energy: Option<i64>,
    mood: Option<i64>,
    sleep_hours: Option<f64>,
    sleep_quality: Option<i64>,
    empathy: Option<i64>,
    dread: Option<i64>,
    intrusive: Option<i64>,
    #[serde(default)]
    physical: Vec<String>,
    #[serde(default)]
    warning_signs: Vec<String>,
    restorer: Option<String>,
    note: Option<String>,
}

impl CheckInBody {
    /// The body as the form fields the shared parser reads. Unknown physical signs are named
    /// here, since the form has no way to send one.
    fn into_typed(self, day: &str) -> Result<Typed, WebError> {
        let mut typed = Typed::new();
        typed.insert("day".into(), day.to_owned());
        let numbers = [
            ("energy", self.energy),
            ("mood", self.mood),
            ("sleep_quality", self.sleep_quality),
            ("empathy", self.empathy),
            ("dread", self.dread),
            ("intrusive", self.intrusive),
        ];
        for (name, value) in numbers {
            if let Some(value) = value {
                typed.insert(name.into(), value.to_string());
            }
        }
        if let Some(hours) = self.sleep_hours {
            typed.insert("sleep_hours".into(), hours.to_string());
        }
        for sign in self.physical {
            if !PhysicalSign::ALL.iter().any(|p| p.id() == sign) {
                let known: Vec<&str> = PhysicalSign::ALL.iter().map(|p| p.id()).collect();
                return Err(WebError::Unprocessable(format!(
                    "physical: “{sign}” is not one we know; use {}.",
                    known.join(", ")
                )));
            }
            typed.insert(format!("physical-{sign}"), "on".into());
        }
        for sign in self.warning_signs {
            typed.insert(format!("sign-{sign}"), "on".into());
        }
        typed.insert("restorer".into(), self.restorer.unwrap_or_default());
        typed.insert("note".into(), self.note.unwrap_or_default());
        Ok(typed)
    }
}

#[derive(Serialize)]
struct CheckInView {
    day: String,
    energy: u8,
    mood: Option<u8>,
    sleep_hours: Option<f64>,
    sleep_quality: Option<u8>,
    empathy: Option<i8>,
    dread: Option<u8>,
    intrusive: Option<u8>,
    physical: Vec<&'static str>,
    warning_signs: Vec<String>,
    restorer: String,
    note: String,
    backfilled: bool,
    created_at: String,
    updated_at: String,
}

fn view(check_in: &StoredCheckIn, key: Option<&PersonKey>) -> Result<CheckInView, WebError> {
    let day = check_in.day;
    let values = &check_in.values;
    Ok(CheckInView {
        day: day.to_string(),
        energy: values.energy.value(),
        mood: values.mood.map(|v| v.value()),
        sleep_hours: values.sleep_hours.map(|v| v.hours()),
        sleep_quality: values.sleep_quality.map(|v| v.value()),
        empathy: values.empathy.map(|v| v.value()),
        dread: values.dread.map(|v| v.value()),
        intrusive: values.intrusive.map(|v| v.value()),
        physical: values.physical.iter().map(|p| p.id()).collect(),
        warning_signs: values.warning_signs.iter().map(|s| s.as_str().to_owned()).collect(),
        restorer: open_optional(key, Place::CheckInRestorer { day }, check_in.restorer.as_ref())?,
        note: open_optional(key, Place::CheckInNote { day }, check_in.note.as_ref())?,
        backfilled: check_in.backfilled,
        created_at: check_in.created_at.to_string(),
        updated_at: check_in.updated_at.to_string(),
    })
}

/// Creates the check-in for `day` (201), or changes today's (200).
async fn put(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
    Path(day): Path<String>,
    body: Result<Json<CheckInBody>, JsonRejection>,
) -> Result<(StatusCode, Json<CheckInView>), ApiError> {
    let body = super::json_body(body, "check-in")?;
    super::parse_day(&day)?;
    let typed = body.into_typed(&day)?;
    let now = Timestamp::now();
    let mut errors = FieldErrors::default();
    let (day, entry) = checking_in::choose_day(&state, &current, &day, now, &mut errors).await?;
    let signs = my_signs(&state, &current).await?;
    let parsed = checking_in::parse(&typed, &signs, &mut errors);
    let (Some(entry), Some(submission)) = (entry, parsed) else { return Err(super::unprocessable(&errors).into()) };
    if !checking_in::record(&state, &current, day, entry, submission, now).await? {
        return Err(WebError::Unprocessable(ballast_core::checkin::DayProblem::AlreadyRecorded.to_string()).into());
    }
    let status = if entry == Entry::Edit { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(saved(&state, &current, day).await?)))
}

async fn saved(state: &AppState, current: &Current, day: Date) -> Result<CheckInView, WebError> {
    let stored = state.store.check_in(current.user.id, day).await?.ok_or(WebError::NotFound)?;
    let key = state.vault.existing_key(&*state.store, current.user.id).await?;
    view(&stored, key.as_ref())
}

async fn one(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
    Path(day): Path<String>,
) -> Result<Json<CheckInView>, ApiError> {
    let day = super::parse_day(&day)?;
    Ok(Json(saved(&state, &current, day).await?))
}

/// The person's check-ins from `from` to `to` (inclusive), oldest first. By default, the last
/// 30 days up to today in their time zone.
async fn list(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
    query: Result<Query<super::DayRange>, QueryRejection>,
) -> Result<Json<Vec<CheckInView>>, ApiError> {
    let (from, to) = super::DayRange::days(query, &current, DEFAULT_LISTING_DAYS, MAX_LISTING_DAYS)?;
    let found = state.store.check_ins(current.user.id, from, to).await?;
    let key = if found.iter().any(|c| c.note.is_some() || c.restorer.is_some()) {
        state.vault.existing_key(&*state.store, current.user.id).await?
    } else {
        None
    };
    let views: Result<Vec<_>, _> = found.iter().map(|c| view(c, key.as_ref())).collect();
    Ok(Json(views?))
}
