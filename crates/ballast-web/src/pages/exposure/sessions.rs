//! Recording a session by hand, deleting one, and tagging imported sessions in bulk.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::exposure::{Intensity, Minutes, SessionKind, WorkSession};
use ballast_store::{NewWorkSession, SessionChange, WorkSessionId};
use jiff::civil::{Date, Time};
use jiff::{Span, Timestamp};
use serde::Deserialize;

use super::{clock, instant, start_of};
use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::error::{PageError, WebError};
use crate::forms::{FieldErrors, FormInput, Typed};
use crate::pages::check_in::long_day;
use crate::pages::{invalid, see_other};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/exposure/sessions/new", get(show_new).post(add))
        .route("/exposure/sessions/{id}/delete", post(delete))
        .route("/exposure/tag", get(show_untagged).post(tag))
}

/// How far back and ahead a session may be recorded by hand.
const RECORD_DAYS_BACK: i32 = 366;
const RECORD_DAYS_AHEAD: i32 = 31;
/// The untagged sessions shown for bulk tagging: the last three months and the next month.
const TAG_DAYS_BACK: i32 = 92;
const TAG_DAYS_AHEAD: i32 = 31;
/// At most this many sessions on the tagging page at once.
const TAG_PAGE_SIZE: usize = 300;

pub(super) struct Pick {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

fn kind_options(chosen: &str) -> Vec<Pick> {
    SessionKind::ALL.iter().map(|k| Pick { value: k.id(), label: k.label(), checked: k.id() == chosen }).collect()
}

fn intensity_options(chosen: &str) -> Vec<Pick> {
    Intensity::ALL.iter().map(|i| Pick { value: i.id(), label: i.label(), checked: i.id() == chosen }).collect()
}

#[derive(Template)]
#[template(path = "exposure_new.html")]
struct NewSessionPage {
    layout: Layout,
    errors: FieldErrors,
    day: String,
    start: String,
    minutes: String,
    kinds: Vec<Pick>,
    intensities: Vec<Pick>,
    debriefed: bool,
}

fn new_page(current: &Current, csrf: &CsrfToken, typed: &Typed, errors: FieldErrors) -> Response {
    let value = |name: &str, default: &str| typed.get(name).cloned().unwrap_or_else(|| default.to_owned());
    let today = current.user.time_zone.today(Timestamp::now()).to_string();
    let page = NewSessionPage {
        layout: Layout::new("Record a session", Some(current), csrf).with_errors(!errors.is_empty()),
        day: value("day", &today),
        start: value("start", ""),
        minutes: value("minutes", "50"),
        kinds: kind_options(&value("kind", SessionKind::ClientSession.id())),
        intensities: intensity_options(&value("intensity", "")),
        debriefed: typed.contains_key("debriefed"),
        errors,
    };
    html(&page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    day: String,
}

async fn show_new(
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<NewQuery>,
) -> Response {
    let mut typed = Typed::new();
    if query.day.parse::<Date>().is_ok() {
        typed.insert("day".into(), query.day);
    }
    new_page(&current, &csrf, &typed, FieldErrors::default())
}

/// Parses the form (or the API's body, turned into the same fields) into a session, with a
/// message per field that cannot be used.
pub(crate) fn parse(typed: &Typed, current: &Current, errors: &mut FieldErrors) -> Option<WorkSession> {
    let zone = current.user.time_zone.zone();
    let today = current.user.time_zone.today(Timestamp::now());
    let field = |name: &str| typed.get(name).map(|v| v.trim()).unwrap_or_default();
    let day = match field("day").parse::<Date>() {
        Ok(day) if today.since(day).is_ok_and(|s| s.get_days() > RECORD_DAYS_BACK) => {
            errors.add("day", "That is more than a year ago; sessions can be recorded up to a year back.");
            None
        }
        Ok(day) if day.since(today).is_ok_and(|s| s.get_days() > RECORD_DAYS_AHEAD) => {
            errors.add("day", "That is more than a month ahead; record sessions once they are near.");
            None
        }
        Ok(day) => Some(day),
        Err(_) => {
            errors.add("day", format!("Enter the day as a date, such as {today}."));
            None
        }
    };
    let start = field("start").parse::<Time>().ok();
    if start.is_none() {
        errors.add("start", "Enter the time it started, such as 09:30.");
    }
    let minutes = field("minutes").parse::<u16>().ok().and_then(Minutes::new);
    if minutes.is_none() {
        errors.add("minutes", "Enter how long it lasted, in minutes, from 1 to 1440 (a whole day).");
    }
    let kind = SessionKind::parse(field("kind"));
    if kind.is_none() {
        errors.add("kind", "Choose what kind of work it was.");
    }
    let intensity = Intensity::parse(field("intensity"));
    if intensity.is_none() {
        errors.add("intensity", "Choose how heavy the content was.");
    }
    let start = instant(day?, start?, &zone);
    if start.is_none() {
        errors.add("start", "That time does not exist on that day.");
    }
    Some(WorkSession {
        start: start?,
        minutes: minutes?,
        kind: kind?,
        intensity: Some(intensity?),
        debriefed: typed.contains_key("debriefed"),
    })
}

async fn add(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let session = parse(&typed, &current, &mut errors);
    let Some(session) = session.filter(|_| errors.is_empty()) else {
        return Ok(invalid(new_page(&current, &csrf, &typed, errors)));
    };
    let new = NewWorkSession { user_id: current.user.id, session, import_key: None, created_at: Timestamp::now() };
    state.store.add_work_session(new).await?;
    let day = session.start.to_zoned(current.user.time_zone.zone()).date();
    Ok(see_other(&format!("/exposure/day?date={day}&added=1"), &[]))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BackTo {
    date: String,
}

async fn delete(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
    FormInput(back): FormInput<BackTo>,
) -> Result<Response, PageError> {
    let id = id.parse::<i64>().map(WorkSessionId).map_err(|_| WebError::NotFound)?;
    if !state.store.delete_work_session(current.user.id, id).await? {
        return Err(WebError::NotFound.into());
    }
    let back = back.date.parse::<Date>().map_or("/exposure".to_owned(), |d| format!("/exposure/day?date={d}"));
    Ok(see_other(&back, &[]))
}

// --- bulk tagging ------------------------------------------------------------------------------

struct UntaggedRow {
    id: i64,
    when: String,
    minutes: u16,
    kind: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "exposure_tag.html")]
struct TagPage {
    layout: Layout,
    errors: FieldErrors,
    notice: Option<String>,
    rows: Vec<UntaggedRow>,
    more: usize,
    intensities: Vec<Pick>,
    kinds: Vec<Pick>,
    kind: String,
    debriefed: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TagQuery {
    tagged: String,
}

async fn tag_page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    typed: &Typed,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let zone = current.user.time_zone.zone();
    let today = current.user.time_zone.today(Timestamp::now());
    let from = today.checked_sub(Span::new().days(TAG_DAYS_BACK)).unwrap_or(today);
    let to = today.checked_add(Span::new().days(TAG_DAYS_AHEAD)).unwrap_or(today);
    let (Some(from), Some(to)) = (start_of(from, &zone), start_of(to, &zone)) else {
        return Err(WebError::internal("the tagging window is outside the calendar"));
    };
    let untagged: Vec<_> = state
        .store
        .work_sessions(current.user.id, from, to)
        .await?
        .into_iter()
        .filter(|s| s.session.intensity.is_none())
        .collect();
    let more = untagged.len().saturating_sub(TAG_PAGE_SIZE);
    let rows = untagged
        .iter()
        .take(TAG_PAGE_SIZE)
        .map(|s| UntaggedRow {
            id: s.id.0,
            when: format!(
                "{}, {}",
                long_day(s.session.start.to_zoned(zone.clone()).date()),
                clock(s.session.start, &zone)
            ),
            minutes: s.session.minutes.get(),
            kind: s.session.kind.label(),
            checked: typed.contains_key(&format!("s-{}", s.id.0)),
        })
        .collect();
    let value = |name: &str| typed.get(name).cloned().unwrap_or_default();
    let page = TagPage {
        layout: Layout::new("Tag imported sessions", Some(current), csrf).with_errors(!errors.is_empty()),
        notice,
        rows,
        more,
        intensities: intensity_options(&value("intensity")),
        kinds: kind_options(&value("kind")),
        kind: value("kind"),
        debriefed: value("debriefed"),
        errors,
    };
    Ok(html(&page))
}

async fn show_untagged(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<TagQuery>,
) -> Result<Response, PageError> {
    let notice =
        query.tagged.parse::<u64>().ok().map(|n| format!("Tagged {n} session{}.", if n == 1 { "" } else { "s" }));
    Ok(tag_page(&state, &current, &csrf, &Typed::new(), FieldErrors::default(), notice).await?)
}

async fn tag(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let mut ids = Vec::new();
    for name in typed.keys() {
        if let Some(id) = name.strip_prefix("s-") {
            match id.parse::<i64>() {
                Ok(id) => ids.push(WorkSessionId(id)),
                Err(_) => errors.add("sessions", "We could not read the ticked sessions. Please reload the page."),
            }
        }
    }
    if ids.is_empty() && errors.is_empty() {
        errors.add("sessions", "Tick the sessions you want to tag.");
    }
    let field = |name: &str| typed.get(name).map(String::as_str).unwrap_or_default();
    let intensity = Intensity::parse(field("intensity"));
    if intensity.is_none() {
        errors.add("intensity", "Choose how heavy the content of these sessions was.");
    }
    let kind = match field("kind") {
        "" => None,
        id => {
            let kind = SessionKind::parse(id);
            if kind.is_none() {
                errors.add("kind", "Choose one of the kinds of work, or keep them as they are.");
            }
            kind
        }
    };
    let debriefed = match field("debriefed") {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("debriefed", "Choose whether there was a debrief, or keep it as it is.");
            None
        }
    };
    if !errors.is_empty() {
        return Ok(invalid(tag_page(&state, &current, &csrf, &typed, errors, None).await?));
    }
    let change = SessionChange { kind, intensity, debriefed };
    let changed = state.store.update_work_sessions(current.user.id, &ids, change).await?;
    Ok(see_other(&format!("/exposure/tag?tagged={changed}"), &[]))
}
