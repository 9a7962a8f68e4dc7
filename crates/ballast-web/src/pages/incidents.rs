//! Critical incidents: logging an acute event in a few taps, and the follow-ups Ballast
//! schedules after it (the next day, after a week, around four weeks with PC-PTSD-5). When
//! the event is still heavy at four weeks, the support page is offered. Nothing is shared.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::incident::{
    FollowUpStep, IncidentKind, IncidentRole, StillWithMe, Support, due_follow_ups, support_offered,
};
use ballast_core::instrument::InstrumentId;
use ballast_store::{Incident, IncidentId, NewIncident};
use jiff::Timestamp;
use jiff::civil::Date;

use super::check_in::long_day;
use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::error::{PageError, WebError};
use crate::forms::{FieldErrors, FormInput, Typed};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(list).post(log))
        .route("/incidents/{id}", get(show))
        .route("/incidents/{id}/follow-up/{step}", get(show_follow_up).post(save_follow_up))
        .route("/incidents/{id}/delete", post(delete))
}

/// The screening questionnaire of the four-week follow-up.
const PC_PTSD_5: &str = "pc-ptsd-5";
const PC_PTSD_5_POSITIVE: &str = "pc_ptsd5_positive";
/// How far before the four-week date a PC-PTSD-5 still counts for that follow-up.
const SCREEN_EARLY_DAYS: i32 = 7;

struct Choice {
    name: &'static str,
    value: &'static str,
    label: &'static str,
    checked: bool,
}

fn choices<T: Copy + PartialEq>(
    name: &'static str,
    all: &[T],
    id: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    checked: impl Fn(T) -> bool,
) -> Vec<Choice> {
    all.iter().map(|v| Choice { name, value: id(*v), label: label(*v), checked: checked(*v) }).collect()
}

struct DueFollowUp {
    href: String,
    text: String,
}

struct IncidentRow {
    href: String,
    when: String,
    kind: &'static str,
    next: String,
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct IncidentsPage {
    layout: Layout,
    errors: FieldErrors,
    notice: Option<&'static str>,
    day: String,
    today: String,
    kinds: Vec<Choice>,
    roles: Vec<Choice>,
    support: Vec<Choice>,
    due: Vec<DueFollowUp>,
    incidents: Vec<IncidentRow>,
}

/// The follow-ups of the person's incidents that are due today or overdue, for the home page's
/// due-now list (`pages::due`).
pub async fn due_follow_ups_of(state: &AppState, current: &Current) -> Result<Vec<(String, String)>, WebError> {
    let today = current.user.time_zone.today(Timestamp::now());
    let incidents = state.store.incidents(current.user.id).await?;
    Ok(incidents.iter().flat_map(|incident| due_of(incident, today)).map(|d| (d.href, d.text)).collect())
}

fn due_of(incident: &Incident, today: Date) -> Vec<DueFollowUp> {
    let answered: Vec<FollowUpStep> = incident.follow_ups.iter().map(|f| f.step).collect();
    due_follow_ups(incident.occurred_on, &answered, today)
        .into_iter()
        .map(|(step, _)| DueFollowUp {
            href: format!("/incidents/{}/follow-up/{}", incident.id.0, step.id()),
            text: format!(
                "{} check after {} ({})",
                step.label(),
                lower_first(incident.kind.label()),
                long_day(incident.occurred_on)
            ),
        })
        .collect()
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| first.to_lowercase().chain(chars).collect())
}

fn next_text(incident: &Incident, today: Date) -> String {
    let answered: Vec<FollowUpStep> = incident.follow_ups.iter().map(|f| f.step).collect();
    let pending: Vec<FollowUpStep> = FollowUpStep::ALL.iter().copied().filter(|s| !answered.contains(s)).collect();
    match pending.first() {
        None => "All follow-ups done".to_owned(),
        Some(step) if step.due_on(incident.occurred_on) <= today => format!("{} check due now", step.label()),
        Some(step) => format!("Next check: {}", long_day(step.due_on(incident.occurred_on))),
    }
}

async fn list_page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    typed: &Typed,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let today = current.user.time_zone.today(Timestamp::now());
    let incidents = state.store.incidents(current.user.id).await?;
    let value = |name: &str| typed.get(name).cloned().unwrap_or_default();
    let kind = value("kind");
    let role = value("role");
    let page = IncidentsPage {
        layout: Layout::new("Critical incidents", Some(current), csrf).with_errors(!errors.is_empty()),
        notice,
        day: typed.get("day").cloned().unwrap_or_else(|| today.to_string()),
        today: today.to_string(),
        kinds: choices("kind", IncidentKind::ALL, IncidentKind::id, IncidentKind::label, |k| k.id() == kind),
        roles: choices("role", IncidentRole::ALL, IncidentRole::id, IncidentRole::label, |r| r.id() == role),
        support: choices("support", Support::ALL, Support::id, Support::label, |s| {
            typed.contains_key(&format!("support-{}", s.id()))
        }),
        due: incidents.iter().flat_map(|i| due_of(i, today)).collect(),
        incidents: incidents
            .iter()
            .map(|i| IncidentRow {
                href: format!("/incidents/{}", i.id.0),
                when: long_day(i.occurred_on),
                kind: i.kind.label(),
                next: next_text(i, today),
            })
            .collect(),
        errors,
    };
    Ok(html(&page))
}

async fn list(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let notice = match query.as_deref() {
        Some("deleted=1") => Some("Deleted, with its follow-ups."),
        _ => None,
    };
    Ok(list_page(&state, &current, &csrf, &Typed::new(), FieldErrors::default(), notice).await?)
}

/// How far back an incident may be logged: a year, like check-ins.
const OLDEST_INCIDENT_DAYS: i32 = 366;

async fn log(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let now = Timestamp::now();
    let today = current.user.time_zone.today(now);
    let mut errors = FieldErrors::default();
    let day_text = typed.get("day").map(|d| d.trim()).unwrap_or_default();
    let occurred_on = if day_text.is_empty() {
        Some(today)
    } else {
        match day_text.parse::<Date>() {
            Ok(day) if day > today => {
                errors.add("day", "That date is in the future. Log an incident on or after the day it happened.");
                None
            }
            Ok(day) if today.since(day).map_or(true, |span| span.get_days() > OLDEST_INCIDENT_DAYS) => {
                errors.add("day", "That is more than a year ago; incidents can be logged up to a year back.");
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                errors.add("day", format!("“{day_text}” is not a date we can read. Dates look like {today}."));
                None
            }
        }
    };
    let kind = typed.get("kind").and_then(|k| IncidentKind::parse(k));
    if kind.is_none() {
        errors.add("kind", "Choose what happened, in broad terms.");
    }
    let role = typed.get("role").and_then(|r| IncidentRole::parse(r));
    if role.is_none() {
        errors.add("role", "Choose how you were part of it.");
    }
    let mut support = BTreeSet::new();
    for name in typed.keys() {
        if let Some(id) = name.strip_prefix("support-") {
            match Support::parse(id) {
                Some(s) => {
                    support.insert(s);
                }
                None => errors.add("support", "One of the ticked kinds of support is not one we know. Please reload."),
            }
        }
    }
    let (Some(occurred_on), Some(kind), Some(role)) = (occurred_on, kind, role) else {
        return Ok(invalid(list_page(&state, &current, &csrf, &typed, errors, None).await?));
    };
    if !errors.is_empty() {
        return Ok(invalid(list_page(&state, &current, &csrf, &typed, errors, None).await?));
    }
    let incident = NewIncident { user_id: current.user.id, occurred_on, kind, role, support, created_at: now };
    let id = state.store.add_incident(incident).await?;
    Ok(see_other(&format!("/incidents/{}?logged=1", id.0), &[]))
}

fn parse_id(text: &str) -> Result<IncidentId, WebError> {
    text.parse::<i64>().map(IncidentId).map_err(|_| WebError::NotFound)
}

async fn own_incident(state: &AppState, current: &Current, id: &str) -> Result<Incident, WebError> {
    state.store.incident(current.user.id, parse_id(id)?).await?.ok_or(WebError::NotFound)
}

/// Whether the person's PC-PTSD-5 around the four-week mark was positive: `None` if they have
/// not taken it since a week before that follow-up fell due.
async fn screen_result(state: &AppState, current: &Current, incident: &Incident) -> Result<Option<bool>, WebError> {
    let from = FollowUpStep::FourWeeks
        .due_on(incident.occurred_on)
        .checked_sub(jiff::Span::new().days(SCREEN_EARLY_DAYS))
        .unwrap_or(incident.occurred_on);
    let id = InstrumentId::parse(PC_PTSD_5).map_err(WebError::internal)?;
    let zone = current.user.time_zone.zone();
    let results = state.store.assessments_of(current.user.id, &id).await?;
    Ok(results
        .iter()
        .rev()
        .find(|a| a.taken_at.to_zoned(zone.clone()).date() >= from)
        .map(|a| a.flags.iter().any(|f| f == PC_PTSD_5_POSITIVE)))
}

struct StepRow {
    label: &'static str,
    due: String,
    answer: Option<&'static str>,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    layout: Layout,
    id: i64,
    logged: bool,
    title: String,
    role: &'static str,
    support: Vec<&'static str>,
    steps: Vec<StepRow>,
    offer_support: bool,
}

async fn show(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let incident = own_incident(&state, &current, &id).await?;
    let today = current.user.time_zone.today(Timestamp::now());
    let screen = screen_result(&state, &current, &incident).await?;
    let offer_support = incident
        .follow_ups
        .iter()
        .any(|f| support_offered(f.step, f.still_with_me, screen.filter(|_| f.step == FollowUpStep::FourWeeks)));
    let steps = FollowUpStep::ALL
        .iter()
        .map(|step| {
            let due = step.due_on(incident.occurred_on);
            let answer = incident.follow_ups.iter().find(|f| f.step == *step).map(|f| f.still_with_me.label());
            StepRow {
                label: step.label(),
                due: long_day(due),
                answer,
                href: (due <= today).then(|| format!("/incidents/{}/follow-up/{}", incident.id.0, step.id())),
            }
        })
        .collect();
    let title = format!("{} — {}", incident.kind.label(), long_day(incident.occurred_on));
    Ok(html(&IncidentPage {
        layout: Layout::new(title.clone(), Some(&current), &csrf),
        id: incident.id.0,
        logged: query.as_deref() == Some("logged=1"),
        title,
        role: incident.role.label(),
        support: incident.support.iter().map(|s| s.label()).collect(),
        steps,
        offer_support,
    }))
}

#[derive(Template)]
#[template(path = "follow_up.html")]
struct FollowUpPage {
    layout: Layout,
    errors: FieldErrors,
    action: String,
    incident_href: String,
    heading: String,
    four_weeks: bool,
    screen: Option<bool>,
    answers: Vec<Choice>,
}

fn parse_step(text: &str) -> Result<FollowUpStep, WebError> {
    FollowUpStep::parse(text).ok_or(WebError::NotFound)
}

async fn follow_up_page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    incident: &Incident,
    step: FollowUpStep,
    chosen: &str,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let four_weeks = step == FollowUpStep::FourWeeks;
    let screen = if four_weeks { screen_result(state, current, incident).await? } else { None };
    let heading = format!("{} check: {}", step.label(), lower_first(incident.kind.label()));
    let page = FollowUpPage {
        layout: Layout::new(heading.clone(), Some(current), csrf).with_errors(!errors.is_empty()),
        action: format!("/incidents/{}/follow-up/{}", incident.id.0, step.id()),
        incident_href: format!("/incidents/{}", incident.id.0),
        heading,
        four_weeks,
        screen,
        answers: choices("still_with_me", StillWithMe::ALL, StillWithMe::id, StillWithMe::label, |s| s.id() == chosen),
        errors,
    };
    Ok(html(&page))
}

async fn show_follow_up(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path((id, step)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let incident = own_incident(&state, &current, &id).await?;
    let step = parse_step(&step)?;
    let chosen = incident.follow_ups.iter().find(|f| f.step == step).map_or("", |f| f.still_with_me.id());
    Ok(follow_up_page(&state, &current, &csrf, &incident, step, chosen, FieldErrors::default()).await?)
}

async fn save_follow_up(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path((id, step)): Path<(String, String)>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let incident = own_incident(&state, &current, &id).await?;
    let step = parse_step(&step)?;
    let today = current.user.time_zone.today(Timestamp::now());
    let chosen = typed.get("still_with_me").map(String::as_str).unwrap_or_default();
    let mut errors = FieldErrors::default();
    if step.due_on(incident.occurred_on) > today {
        errors
            .add("", format!("This check is for {}; it is not due yet.", long_day(step.due_on(incident.occurred_on))));
    }
    let answer = StillWithMe::parse(chosen);
    if answer.is_none() {
        errors.add("still_with_me", "Choose how much it is still with you.");
    }
    let Some(answer) = answer.filter(|_| errors.is_empty()) else {
        return Ok(invalid(follow_up_page(&state, &current, &csrf, &incident, step, chosen, errors).await?));
    };
    state.store.record_follow_up(current.user.id, incident.id, step, answer, Timestamp::now()).await?;
    Ok(see_other(&format!("/incidents/{}", incident.id.0), &[]))
}

async fn delete(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    if !state.store.delete_incident(current.user.id, parse_id(&id)?).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other("/incidents?deleted=1", &[]))
}
