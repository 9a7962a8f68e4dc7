//! Reminders: the settings page (the daily check-in time, a daily self-care slot, email on or
//! off), the personal calendar feed's address (made, renewed and revoked here, shown once),
//! and the feed itself at `/calendar/{secret}.ics`.
//!
//! The feed's secret is its only credential (calendar apps cannot sign in): 256 random bits,
//! of which only the SHA-256 is stored, exactly like session tokens. An unknown or revoked
//! secret is one indexed lookup that finds nothing, and answers 404.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::icalendar::{Feed, write_feed};
use ballast_core::reminders::{parse_time_of_day, time_of_day_text};
use ballast_store::ReminderSettings;
use jiff::Timestamp;
use serde::Deserialize;

use super::account::display_time;
use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::error::{PageError, WebError};
use crate::forms::{FieldErrors, FormInput};
use crate::reminder_events;
use crate::render::{Layout, html};
use crate::security::csrf::{CsrfToken, FEED_PREFIX};
use crate::security::tokens;

/// How long a calendar app (or anything between) may keep a copy of the feed. Apps fetch every
/// few hours anyway; an hour keeps a renewed or revoked address from living on for long.
const FEED_CACHE: &str = "private, max-age=3600";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/reminders", get(show).post(save))
        .route("/account/reminders/feed", post(make_feed))
        .route("/account/reminders/feed/revoke", post(revoke_feed))
        .route(&format!("{FEED_PREFIX}{{file}}"), get(feed))
}

#[derive(Template)]
#[template(path = "reminders.html")]
struct RemindersPage {
    layout: Layout,
    errors: FieldErrors,
    notice: Option<&'static str>,
    time_zone: String,
    check_in_at: String,
    check_in_error: Option<String>,
    self_care_at: String,
    self_care_error: Option<String>,
    /// Whether this server sends email at all; the choice is offered only if it does.
    email_offered: bool,
    email: bool,
    /// When the person's feed was made, if they have one.
    feed_made: Option<String>,
    /// The feed's address, only in the answer that made it: it cannot be shown again.
    feed_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SettingsForm {
    check_in_at: String,
    self_care_at: String,
    email: Option<String>,
}

/// What the form shows: what was typed (after an error) or what is saved.
struct Shown {
    check_in_at: String,
    self_care_at: String,
    email: bool,
}

async fn page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    shown: Option<Shown>,
    errors: FieldErrors,
    notice: Option<&'static str>,
    feed_url: Option<String>,
) -> Result<Response, WebError> {
    let shown = match shown {
        Some(shown) => shown,
        None => {
            let saved = state.store.reminder_settings(current.user.id).await?;
            let text = |time: Option<jiff::civil::Time>| time.map(time_of_day_text).unwrap_or_default();
            Shown {
                check_in_at: text(saved.as_ref().and_then(|s| s.check_in_at)),
                self_care_at: text(saved.as_ref().and_then(|s| s.self_care_at)),
                email: saved.is_some_and(|s| s.email),
            }
        }
    };
    let feed_made = state.store.calendar_feed(current.user.id).await?.map(display_time);
    let layout = Layout::new("Reminders", Some(current), csrf).with_errors(!errors.is_empty());
    Ok(html(&RemindersPage {
        layout,
        check_in_error: errors.get("check_in_at").map(str::to_owned),
        self_care_error: errors.get("self_care_at").map(str::to_owned),
        errors,
        notice,
        time_zone: current.user.time_zone.as_str().to_owned(),
        check_in_at: shown.check_in_at,
        self_care_at: shown.self_care_at,
        email_offered: state.config.mail.is_some(),
        email: shown.email,
        feed_made,
        feed_url,
    }))
}

fn notice_for(query: Option<&str>) -> Option<&'static str> {
    match query? {
        "saved=1" => Some("Saved your reminders."),
        "revoked=1" => Some("Your calendar address no longer works. Calendars subscribed to it will stop updating."),
        _ => None,
    }
}

async fn show(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    Ok(page(&state, &current, &csrf, None, FieldErrors::default(), notice_for(query.as_deref()), None).await?)
}

async fn save(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(form): FormInput<SettingsForm>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let check_in_at = parse_time_of_day(&form.check_in_at).map_err(|problem| {
        errors.add("check_in_at", format!("Check-in reminder: {problem}"));
    });
    let self_care_at = parse_time_of_day(&form.self_care_at).map_err(|problem| {
        errors.add("self_care_at", format!("Time for yourself: {problem}"));
    });
    // Without an email server the choice is not offered, so nothing can turn it on.
    let email = state.config.mail.is_some() && form.email.is_some();
    let (Ok(check_in_at), Ok(self_care_at)) = (check_in_at, self_care_at) else {
        let shown = Shown { check_in_at: form.check_in_at, self_care_at: form.self_care_at, email };
        return Ok(invalid(page(&state, &current, &csrf, Some(shown), errors, None, None).await?));
    };
    let settings = ReminderSettings { check_in_at, self_care_at, email, updated_at: Timestamp::now() };
    state.store.set_reminder_settings(current.user.id, &settings).await?;
    Ok(see_other("/account/reminders?saved=1", &[]))
}

/// Makes the feed, or renews it (a new secret; the old address stops working at once), and
/// shows its address this once.
async fn make_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, PageError> {
    let secret = tokens::random_token();
    state.store.set_calendar_feed(current.user.id, &tokens::hash_token(&secret), Timestamp::now()).await?;
    let url = format!("{}{FEED_PREFIX}{secret}.ics", base_url(&state, &headers));
    let notice = Some("Here is your calendar address. Copy it now: for your privacy it is shown only this once.");
    Ok(page(&state, &current, &csrf, None, FieldErrors::default(), notice, Some(url)).await?)
}

async fn revoke_feed(State(state): State<AppState>, SignedIn(current): SignedIn) -> Result<Response, PageError> {
    state.store.revoke_calendar_feed(current.user.id).await?;
    Ok(see_other("/account/reminders?revoked=1", &[]))
}

/// The feed itself. No session: the secret in the address is the credential.
async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    // Something that is not even shaped like a secret is refused without asking the database;
    // that reveals nothing, since every real secret has this shape.
    let secret = file.strip_suffix(".ics").filter(|s| tokens::is_well_formed(s)).ok_or(WebError::NotFound)?;
    let user = state.store.user_by_calendar_feed(&tokens::hash_token(secret)).await?.ok_or(WebError::NotFound)?;
    let events = reminder_events::gather(&state, &user, &base_url(&state, &headers)).await?;
    let body = write_feed(&Feed {
        name: "Ballast reminders",
        zone: &user.time_zone,
        stamp: Timestamp::now(),
        events: &events,
    });
    let mut response = body.into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(FEED_CACHE));
    response_headers
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"ballast-reminders.ics\""));
    Ok(response)
}

/// The address people use to reach Ballast: `public_url` when the operator set it, otherwise
/// this request's own host (fine on a laptop; operators set `public_url` for real use).
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}")
}
