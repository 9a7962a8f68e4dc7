//! The self-care contract: goals with progress, the people who support the person, what they
//! will do when their warning signs show, the review cadence and the review itself (kept, so
//! the reviews tell a story), recovery phases with suggestions, and a printable page.
//!
//! Every word the person writes here is sealed with their data key (`vault::Place::Contract`).
//! The rules (dates, cadence, phases, lighter limits) are `ballast_core::contract`'s.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::contract::{
    self, DEFAULT_REVIEW_DAYS, MAX_ACTIVE_GOALS, MAX_FIELD_CHARS, MAX_PEOPLE, MAX_REFLECTION_CHARS, Phase,
    REVIEW_CHOICES,
};
use ballast_core::exposure::PacingPlan;
use ballast_core::instrument::InstrumentId;
use ballast_core::sealing::Sealed;
use ballast_store::{
    ContractReview, ContractSettings, Goal, GoalId, GoalProgress, GoalText, NewContractReview, NewGoal,
    NewSupportPerson, SupportPerson, SupportPersonId, User,
};
use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::Deserialize;

use super::check_in::long_day;
use super::signs::my_signs;
use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::error::{PageError, WebError};
use crate::forms::{FieldErrors, FormInput, Typed};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::vault::{PersonKey, Place};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contract", get(overview))
        .route("/contract/print", get(print))
        .route("/contract/goals/new", get(show_new_goal).post(add_goal))
        .route("/contract/goals/{id}", get(show_goal).post(edit_goal))
        .route("/contract/goals/{id}/progress", post(add_progress))
        .route("/contract/goals/{id}/archive", post(archive_goal))
        .route("/contract/people", post(add_person))
        .route("/contract/people/{id}/delete", post(delete_person))
        .route("/contract/plan", get(show_plan).post(save_plan))
        .route("/contract/phase", get(show_phase).post(set_phase))
        .route("/contract/phase/lighter-limits", post(use_lighter_limits))
        .route("/contract/review", get(show_review).post(save_review))
}

const PROQOL: &str = "proqol5";

fn place(field: &'static str) -> Place<'static> {
    Place::Contract { field }
}

fn today_of(current: &Current) -> Date {
    current.user.time_zone.today(Timestamp::now())
}

fn day_of(current: &Current, at: Timestamp) -> Date {
    at.to_zoned(current.user.time_zone.zone()).date()
}

fn field<'a>(typed: &'a Typed, name: &str) -> &'a str {
    typed.get(name).map(|v| v.trim()).unwrap_or_default()
}

/// A required or optional piece of the person's own words, checked for length.
fn words(typed: &Typed, name: &'static str, max: usize, required: Option<&str>, errors: &mut FieldErrors) -> String {
    let text = field(typed, name).replace("\r\n", "\n");
    if text.is_empty() {
        if let Some(message) = required {
            errors.add(name, message);
        }
    } else if text.chars().count() > max {
        errors.add(name, format!("Keep this to {max} characters; it has {}.", text.chars().count()));
    }
    text
}

fn open(key: &PersonKey, field: &'static str, sealed: &Sealed) -> Result<String, WebError> {
    key.open(place(field), sealed)
}

fn open_opt(key: &PersonKey, field: &'static str, sealed: Option<&Sealed>) -> Result<String, WebError> {
    sealed.map_or(Ok(String::new()), |s| open(key, field, s))
}

async fn settings_of(state: &AppState, current: &Current) -> Result<ContractSettings, WebError> {
    Ok(state.store.contract_settings(current.user.id).await?.unwrap_or(ContractSettings {
        review_every_days: DEFAULT_REVIEW_DAYS,
        sign_plan: None,
        phase: None,
        phase_since: None,
        updated_at: Timestamp::now(),
    }))
}

fn cadence_label(days: u16) -> String {
    REVIEW_CHOICES.iter().find(|(d, _)| *d == days).map_or(format!("Every {days} days"), |(_, l)| (*l).to_owned())
}

// --- views of the person's contract -------------------------------------------------------------

struct ProgressView {
    on: String,
    percent: u8,
    note: String,
}

struct GoalView {
    id: i64,
    what: String,
    measure: String,
    target: String,
    why: String,
    due: String,
    percent: Option<u8>,
    progress: Vec<ProgressView>,
    archived: bool,
    past_due: bool,
}

fn goal_view(key: &PersonKey, goal: &Goal, today: Date) -> Result<GoalView, WebError> {
    let progress = goal
        .progress
        .iter()
        .map(|p| {
            Ok(ProgressView {
                on: long_day(p.noted_on),
                percent: p.percent,
                note: open_opt(key, "progress-note", p.note.as_ref())?,
            })
        })
        .collect::<Result<Vec<_>, WebError>>()?;
    Ok(GoalView {
        id: goal.id.0,
        what: open(key, "goal-what", &goal.text.what)?,
        measure: open(key, "goal-measure", &goal.text.measure)?,
        target: open(key, "goal-target", &goal.text.target)?,
        why: open_opt(key, "goal-why", goal.text.why.as_ref())?,
        due: long_day(goal.due_on),
        percent: goal.progress.last().map(|p| p.percent),
        progress,
        archived: goal.archived_at.is_some(),
        past_due: goal.due_on < today && goal.archived_at.is_none(),
    })
}

struct PersonView {
    id: i64,
    name: String,
    reach: String,
    partner: bool,
}

struct ReviewView {
    on: String,
    reflection: String,
    goals_note: String,
}

struct PhaseView {
    title: &'static str,
    summary: &'static str,
    suggestions: &'static [&'static str],
    since: String,
    /// For a return: the person's pacing limits and lighter ones, as (limit, now, lighter).
    lighter: Vec<(&'static str, String, String)>,
}

fn lighter_limits(plan: &PacingPlan) -> Vec<(&'static str, String, String)> {
    let gentler = contract::gentler_plan(plan);
    [
        (
            "Heavy sessions a day, at most",
            plan.max_heavy_sessions_per_day.to_string(),
            gentler.max_heavy_sessions_per_day.to_string(),
        ),
        (
            "Minutes of heavy content a day, at most",
            plan.max_heavy_minutes_per_day.to_string(),
            gentler.max_heavy_minutes_per_day.to_string(),
        ),
        ("Minutes between sessions, at least", plan.min_gap_minutes.to_string(), gentler.min_gap_minutes.to_string()),
        (
            "Working days in a row, at most",
            plan.max_consecutive_days.to_string(),
            gentler.max_consecutive_days.to_string(),
        ),
    ]
    .into_iter()
    .filter(|(_, now, lighter)| now != lighter)
    .collect()
}

async fn phase_view(
    state: &AppState,
    current: &Current,
    settings: &ContractSettings,
) -> Result<Option<PhaseView>, WebError> {
    let Some(phase) = settings.phase.as_deref().and_then(Phase::parse) else { return Ok(None) };
    let lighter = if phase == Phase::Return {
        let plan = state.store.pacing_plan(current.user.id).await?.unwrap_or_default();
        lighter_limits(&plan)
    } else {
        Vec::new()
    };
    Ok(Some(PhaseView {
        title: phase.title(),
        summary: phase.summary(),
        suggestions: phase.suggestions(),
        since: settings.phase_since.map(long_day).unwrap_or_default(),
        lighter,
    }))
}

/// Everything the overview and the printable page show.
struct Whole {
    settings: ContractSettings,
    goals: Vec<GoalView>,
    archived: Vec<GoalView>,
    people: Vec<PersonView>,
    signs: Vec<String>,
    sign_plan: String,
    reviews: Vec<ReviewView>,
    phase: Option<PhaseView>,
    /// When the next review falls, once there is a contract to review.
    next_review: Option<Date>,
}

async fn gather(state: &AppState, current: &Current) -> Result<Whole, WebError> {
    let user = current.user.id;
    let key = state.vault.key_for(state.store.as_ref(), user).await?;
    let today = today_of(current);
    let settings = settings_of(state, current).await?;
    let stored_goals = state.store.goals(user).await?;
    let stored_people = state.store.support_people(user).await?;
    let stored_reviews = state.store.contract_reviews(user).await?;
    let (mut goals, mut archived) = (Vec::new(), Vec::new());
    for goal in &stored_goals {
        let view = goal_view(&key, goal, today)?;
        if view.archived { archived.push(view) } else { goals.push(view) }
    }
    let people = stored_people
        .iter()
        .map(|p| {
            Ok(PersonView {
                id: p.id.0,
                name: open(&key, "support-name", &p.name)?,
                reach: open_opt(&key, "support-reach", p.reach.as_ref())?,
                partner: p.partner,
            })
        })
        .collect::<Result<Vec<_>, WebError>>()?;
    let reviews = stored_reviews
        .iter()
        .map(|r| {
            Ok(ReviewView {
                on: long_day(r.reviewed_on),
                reflection: open_opt(&key, "review-reflection", r.reflection.as_ref())?,
                goals_note: open_opt(&key, "review-goals", r.goals_note.as_ref())?,
            })
        })
        .collect::<Result<Vec<_>, WebError>>()?;
    let stored_settings = state.store.contract_settings(user).await?;
    let next_review =
        next_review_from(&current.user, stored_settings.as_ref(), &stored_goals, &stored_people, &stored_reviews);
    Ok(Whole {
        signs: my_signs(state, current).await?.into_iter().map(|s| s.text).collect(),
        sign_plan: open_opt(&key, "sign-plan", settings.sign_plan.as_ref())?,
        phase: phase_view(state, current, &settings).await?,
        settings,
        goals,
        archived,
        people,
        reviews,
        next_review,
    })
}

/// When the person's next review falls; `None` until they have written anything in their
/// contract. It began with the first thing written in it.
fn next_review_from(
    user: &User,
    settings: Option<&ContractSettings>,
    goals: &[Goal],
    people: &[SupportPerson],
    reviews: &[ContractReview],
) -> Option<Date> {
    let started = goals
        .iter()
        .map(|g| g.created_at)
        .chain(people.iter().map(|p| p.created_at))
        .chain(settings.map(|s| s.updated_at))
        .min()?;
    let every = settings.map_or(DEFAULT_REVIEW_DAYS, |s| s.review_every_days);
    Some(contract::next_review(user.time_zone.today(started), reviews.first().map(|r| r.reviewed_on), every))
}

/// The person's next contract review and the dates of their goals in progress, for the
/// calendar feed and the home page's "due now".
pub(crate) async fn contract_dates(state: &AppState, user: &User) -> Result<(Option<Date>, Vec<Date>), WebError> {
    let settings = state.store.contract_settings(user.id).await?;
    let goals = state.store.goals(user.id).await?;
    let people = state.store.support_people(user.id).await?;
    let reviews = state.store.contract_reviews(user.id).await?;
    let next = next_review_from(user, settings.as_ref(), &goals, &people, &reviews);
    Ok((next, goals.iter().filter(|g| g.archived_at.is_none()).map(|g| g.due_on).collect()))
}

// --- the overview --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "contract.html")]
struct ContractPage {
    layout: Layout,
    errors: FieldErrors,
    notice: Option<&'static str>,
    whole: Whole,
    review_every: String,
    next_review: Option<String>,
    review_due: bool,
    can_add_goal: bool,
    can_add_person: bool,
    person_name: String,
    person_reach: String,
    person_partner: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NoticeQuery {
    notice: String,
}

fn notice_text(id: &str) -> Option<&'static str> {
    match id {
        "goal" => Some("Saved the goal."),
        "archived" => Some("Moved the goal to your finished and set-aside goals."),
        "person" => Some("Added to your people."),
        "removed" => Some("Removed from your people."),
        "plan" => Some("Saved your plan for your warning signs and your review rhythm."),
        "phase" => Some("Saved your recovery phase."),
        "limits" => Some("Your pacing plan now uses the lighter limits. Change them any time in your pacing plan."),
        "reviewed" => Some("Saved your review. It is kept below, with the ones before it."),
        _ => None,
    }
}

async fn overview_page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    typed: &Typed,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let whole = gather(state, current).await?;
    let today = today_of(current);
    let layout = Layout::new("Your self-care contract", Some(current), csrf).with_errors(!errors.is_empty());
    Ok(html(&ContractPage {
        layout,
        errors,
        notice,
        review_every: cadence_label(whole.settings.review_every_days),
        next_review: whole.next_review.map(long_day),
        review_due: whole.next_review.is_some_and(|d| d <= today),
        can_add_goal: whole.goals.len() < MAX_ACTIVE_GOALS,
        can_add_person: whole.people.len() < MAX_PEOPLE,
        person_name: field(typed, "name").to_owned(),
        person_reach: field(typed, "reach").to_owned(),
        person_partner: typed.contains_key("partner"),
        whole,
    }))
}

async fn overview(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    Ok(overview_page(&state, &current, &csrf, &Typed::new(), FieldErrors::default(), notice_text(&query.notice))
        .await?)
}

#[derive(Template)]
#[template(path = "contract_print.html")]
struct PrintPage {
    layout: Layout,
    whole: Whole,
    review_every: String,
    next_review: Option<String>,
    today: String,
}

async fn print(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, PageError> {
    let whole = gather(&state, &current).await?;
    Ok(html(&PrintPage {
        layout: Layout::new("My self-care contract", Some(&current), &csrf),
        review_every: cadence_label(whole.settings.review_every_days),
        next_review: whole.next_review.map(long_day),
        today: long_day(today_of(&current)),
        whole,
    }))
}

// --- goals ---------------------------------------------------------------------------------------

struct GoalTextField {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "contract_goal.html")]
struct GoalPage {
    layout: Layout,
    errors: FieldErrors,
    /// None for a new goal.
    goal: Option<GoalView>,
    action: String,
    /// What, how measured, target: three one-line fields alike.
    texts: Vec<GoalTextField>,
    due_on: String,
    why: String,
    today: String,
    progress_percent: String,
    progress_note: String,
}

fn goal_page(
    current: &Current,
    csrf: &CsrfToken,
    goal: Option<GoalView>,
    typed: &Typed,
    errors: FieldErrors,
) -> Response {
    let title = if goal.is_some() { "A goal in your contract" } else { "Add a goal" };
    let action = goal.as_ref().map_or("/contract/goals/new".to_owned(), |g| format!("/contract/goals/{}", g.id));
    let value = |name: &str| typed.get(name).cloned().unwrap_or_default();
    html(&GoalPage {
        layout: Layout::new(title, Some(current), csrf).with_errors(!errors.is_empty()),
        errors,
        goal,
        action,
        texts: [
            ("what", "What will you do?", ""),
            ("measure", "How will you measure it?", "For example: days a week, minutes, times a month."),
            ("target", "What is the target?", "What reaching it looks like."),
        ]
        .into_iter()
        .map(|(name, label, hint)| GoalTextField { name, label, hint, value: value(name) })
        .collect(),
        due_on: value("due_on"),
        why: value("why"),
        today: today_of(current).to_string(),
        progress_percent: value("percent"),
        progress_note: value("note"),
    })
}

/// The goal form as typed, checked: the goal's words and date, or messages beside the fields.
/// `kept` is the date the goal already has: left unchanged, it may have passed (the person is
/// editing the words of a goal that ran over).
fn parse_goal(
    typed: &Typed,
    today: Date,
    kept: Option<Date>,
    errors: &mut FieldErrors,
) -> Option<(String, String, String, String, Date)> {
    let what = words(typed, "what", MAX_FIELD_CHARS, Some("Say what the goal is, in a few words."), errors);
    let measure =
        words(typed, "measure", MAX_FIELD_CHARS, Some("Say how you will know you are getting there."), errors);
    let target = words(typed, "target", MAX_FIELD_CHARS, Some("Say what reaching it looks like."), errors);
    let due_text = field(typed, "due_on");
    let due_on = match due_text.parse::<Date>() {
        Ok(day) if Some(day) == kept => Some(day),
        Ok(day) => match contract::goal_date_problem(day, today) {
            Some(problem) => {
                errors.add("due_on", problem);
                None
            }
            None => Some(day),
        },
        Err(_) if due_text.is_empty() => {
            errors.add("due_on", "Choose a date to aim for.");
            None
        }
        Err(_) => {
            errors.add("due_on", format!("Enter the date as a date, such as {today}."));
            None
        }
    };
    let why = words(typed, "why", MAX_FIELD_CHARS, None, errors);
    errors.is_empty().then_some((what, measure, target, why, due_on?))
}

fn seal_goal(key: &PersonKey, (what, measure, target, why): (&str, &str, &str, &str)) -> Result<GoalText, WebError> {
    Ok(GoalText {
        what: key.seal(place("goal-what"), what)?,
        measure: key.seal(place("goal-measure"), measure)?,
        target: key.seal(place("goal-target"), target)?,
        why: key.seal_optional(place("goal-why"), why)?,
    })
}

async fn show_new_goal(SignedIn(current): SignedIn, Extension(csrf): Extension<CsrfToken>) -> Response {
    goal_page(&current, &csrf, None, &Typed::new(), FieldErrors::default())
}

async fn add_goal(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let active = state.store.goals(current.user.id).await?.iter().filter(|g| g.archived_at.is_none()).count();
    if active >= MAX_ACTIVE_GOALS {
        errors.add(
            "",
            format!("You have {MAX_ACTIVE_GOALS} goals in progress. Finish or set one aside before adding another: a few goals held well do more than many."),
        );
    }
    let parsed = parse_goal(&typed, today_of(&current), None, &mut errors);
    let Some((what, measure, target, why, due_on)) = parsed.filter(|_| errors.is_empty()) else {
        return Ok(invalid(goal_page(&current, &csrf, None, &typed, errors)));
    };
    let key = state.vault.key_for(state.store.as_ref(), current.user.id).await?;
    let text = seal_goal(&key, (&what, &measure, &target, &why))?;
    state.store.add_goal(&NewGoal { user_id: current.user.id, text, due_on, created_at: Timestamp::now() }).await?;
    Ok(see_other("/contract?notice=goal", &[]))
}

async fn own_goal(state: &AppState, current: &Current, id: &str) -> Result<Goal, WebError> {
    let id = id.parse::<i64>().map(GoalId).map_err(|_| WebError::NotFound)?;
    state.store.goals(current.user.id).await?.into_iter().find(|g| g.id == id).ok_or(WebError::NotFound)
}

fn typed_from(view: &GoalView, due_on: Date) -> Typed {
    let mut typed = Typed::new();
    for (name, value) in
        [("what", &view.what), ("measure", &view.measure), ("target", &view.target), ("why", &view.why)]
    {
        typed.insert(name.into(), value.clone());
    }
    typed.insert("due_on".into(), due_on.to_string());
    typed
}

async fn show_goal(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let goal = own_goal(&state, &current, &id).await?;
    let key = state.vault.key_for(state.store.as_ref(), current.user.id).await?;
    let view = goal_view(&key, &goal, today_of(&current))?;
    let typed = typed_from(&view, goal.due_on);
    Ok(goal_page(&current, &csrf, Some(view), &typed, FieldErrors::default()))
}

async fn edit_goal(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let goal = own_goal(&state, &current, &id).await?;
    let key = state.vault.key_for(state.store.as_ref(), current.user.id).await?;
    let today = today_of(&current);
    let mut errors = FieldErrors::default();
    let parsed = parse_goal(&typed, today, Some(goal.due_on), &mut errors);
    let Some((what, measure, target, why, due_on)) = parsed.filter(|_| errors.is_empty()) else {
        let view = goal_view(&key, &goal, today)?;
        return Ok(invalid(goal_page(&current, &csrf, Some(view), &typed, errors)));
    };
    let text = seal_goal(&key, (&what, &measure, &target, &why))?;
    if !state.store.update_goal(current.user.id, goal.id, &text, due_on, Timestamp::now()).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other("/contract?notice=goal", &[]))
}

async fn add_progress(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let goal = own_goal(&state, &current, &id).await?;
    let key = state.vault.key_for(state.store.as_ref(), current.user.id).await?;
    let today = today_of(&current);
    let mut errors = FieldErrors::default();
    let percent = field(&typed, "percent").trim_end_matches('%').trim().parse::<u8>().ok().filter(|p| *p <= 100);
    if percent.is_none() {
        errors.add("percent", "Enter how far along you are as a number from 0 to 100.");
    }
    let note = words(&typed, "note", MAX_FIELD_CHARS, None, &mut errors);
    let Some(percent) = percent.filter(|_| errors.is_empty()) else {
        let view = goal_view(&key, &goal, today)?;
        let mut shown = typed_from(&view, goal.due_on);
        shown
            .extend(typed.iter().filter(|(k, _)| *k == "percent" || *k == "note").map(|(k, v)| (k.clone(), v.clone())));
        return Ok(invalid(goal_page(&current, &csrf, Some(view), &shown, errors)));
    };
    let progress = GoalProgress {
        noted_on: today,
        percent,
        note: key.seal_optional(place("progress-note"), &note)?,
        created_at: Timestamp::now(),
    };
    if !state.store.add_goal_progress(current.user.id, goal.id, &progress).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other(&format!("/contract/goals/{}", goal.id.0), &[]))
}

async fn archive_goal(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let goal = own_goal(&state, &current, &id).await?;
    if !state.store.archive_goal(current.user.id, goal.id, Timestamp::now()).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other("/contract?notice=archived", &[]))
}

// --- people ---------------------------------------------------------------------------------------

async fn add_person(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    if state.store.support_people(current.user.id).await?.len() >= MAX_PEOPLE {
        errors.add("name", format!("Your contract can list {MAX_PEOPLE} people. Remove someone to add someone new."));
    }
    let name = words(&typed, "name", 80, Some("Enter their name, or what you call them."), &mut errors);
    let reach = words(&typed, "reach", 120, None, &mut errors);
    if !errors.is_empty() {
        return Ok(invalid(overview_page(&state, &current, &csrf, &typed, errors, None).await?));
    }
    let key = state.vault.key_for(state.store.as_ref(), current.user.id).await?;
    let person = NewSupportPerson {
        user_id: current.user.id,
        name: key.seal(place("support-name"), &name)?,
        reach: key.seal_optional(place("support-reach"), &reach)?,
        partner: typed.contains_key("partner"),
        created_at: Timestamp::now(),
    };
    state.store.add_support_person(&person).await?;
    Ok(see_other("/contract?notice=person#people-title", &[]))
}

async fn delete_person(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.parse::<i64>().map(SupportPersonId).map_err(|_| WebError::NotFound)?;
    if !state.store.delete_support_person(current.user.id, id).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other("/contract?notice=removed", &[]))
}

// --- warning-sign plan and review rhythm ------------------------------------------------------------

#[derive(Template)]
#[template(path = "contract_plan.html")]
struct PlanPage {
    layout: Layout,
    errors: FieldErrors,
    signs: Vec<String>,
    sign_plan: String,
    cadences: Vec<(u16, &'static str, bool)>,
}

async fn plan_page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    sign_plan: String,
    every: u16,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    Ok(html(&PlanPage {
        layout: Layout::new("When my warning signs show", Some(current), csrf).with_errors(!errors.is_empty()),
        errors,
        signs: my_signs(state, current).await?.into_iter().map(|s| s.text).collect(),
        sign_plan,
        cadences: REVIEW_CHOICES.iter().map(|(days, label)| (*days, *label, *days == every)).collect(),
    }))
}

async fn show_plan(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, PageError> {
    let settings = settings_of(&state, &current).await?;
    let key = state.vault.key_for(state.store.as_ref(), current.user.id).await?;
    let plan = open_opt(&key, "sign-plan", settings.sign_plan.as_ref())?;
    Ok(plan_page(&state, &current, &csrf, plan, settings.review_every_days, FieldErrors::default()).await?)
}

async fn save_plan(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let plan = words(&typed, "sign_plan", MAX_REFLECTION_CHARS / 4, None, &mut errors);
    let every =
        field(&typed, "review_every").parse::<u16>().ok().filter(|d| REVIEW_CHOICES.iter().any(|(c, _)| c == d));
    if every.is_none() {
        errors.add("review_every", "Choose how often to review your contract.");
    }
    let Some(every) = every.filter(|_| errors.is_empty()) else {
        let shown = field(&typed, "review_every").parse().unwrap_or(DEFAULT_REVIEW_DAYS);
        return Ok(invalid(plan_page(&state, &current, &csrf, plan, shown, errors).await?));
    };
    let key = state.vault.key_for(state.store.as_ref(), current.user.id).await?;
    let settings = ContractSettings {
        review_every_days: every,
        sign_plan: key.seal_optional(place("sign-plan"), &plan)?,
        updated_at: Timestamp::now(),
        ..settings_of(&state, &current).await?
    };
    state.store.set_contract_settings(current.user.id, &settings).await?;
    Ok(see_other("/contract?notice=plan", &[]))
}

// --- recovery phases ----------------------------------------------------------------------------------

struct PhaseChoice {
    id: &'static str,
    title: &'static str,
    summary: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "contract_phase.html")]
struct PhaseFormPage {
    layout: Layout,
    errors: FieldErrors,
    choices: Vec<PhaseChoice>,
    none_checked: bool,
}

fn phase_form(current: &Current, csrf: &CsrfToken, chosen: &str, errors: FieldErrors) -> Response {
    html(&PhaseFormPage {
        layout: Layout::new("Recovery phase", Some(current), csrf).with_errors(!errors.is_empty()),
        errors,
        choices: Phase::ALL
            .iter()
            .map(|p| PhaseChoice { id: p.id(), title: p.title(), summary: p.summary(), checked: p.id() == chosen })
            .collect(),
        none_checked: chosen.is_empty() || chosen == "none",
    })
}

async fn show_phase(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, PageError> {
    let settings = settings_of(&state, &current).await?;
    Ok(phase_form(&current, &csrf, settings.phase.as_deref().unwrap_or_default(), FieldErrors::default()))
}

async fn set_phase(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let chosen = field(&typed, "phase");
    let phase = match chosen {
        "none" => None,
        id => match Phase::parse(id) {
            Some(phase) => Some(phase),
            None => {
                let mut errors = FieldErrors::default();
                errors.add("phase", "Choose one of the phases, or that you are not in one.");
                return Ok(invalid(phase_form(&current, &csrf, chosen, errors)));
            }
        },
    };
    let settings = settings_of(&state, &current).await?;
    let unchanged = settings.phase.as_deref() == phase.map(Phase::id);
    let settings = ContractSettings {
        phase: phase.map(|p| p.id().to_owned()),
        phase_since: if unchanged { settings.phase_since } else { phase.map(|_| today_of(&current)) },
        updated_at: Timestamp::now(),
        ..settings
    };
    state.store.set_contract_settings(current.user.id, &settings).await?;
    Ok(see_other("/contract?notice=phase", &[]))
}

async fn use_lighter_limits(State(state): State<AppState>, SignedIn(current): SignedIn) -> Result<Response, PageError> {
    let plan = state.store.pacing_plan(current.user.id).await?.unwrap_or_default();
    state.store.set_pacing_plan(current.user.id, &contract::gentler_plan(&plan)).await?;
    Ok(see_other("/contract?notice=limits", &[]))
}

// --- the review -----------------------------------------------------------------------------------------

struct ScaleChange {
    title: String,
    before: String,
    now: String,
}

struct GoalSince {
    id: i64,
    what: String,
    before: Option<u8>,
    now: Option<u8>,
    due: String,
}

#[derive(Template)]
#[template(path = "contract_review.html")]
struct ReviewPage {
    layout: Layout,
    errors: FieldErrors,
    since: Option<String>,
    retaken: bool,
    last_taken: Option<String>,
    scales: Vec<ScaleChange>,
    goals: Vec<GoalSince>,
    strain_before: Option<String>,
    strain_now: Option<String>,
    check_ins_now: usize,
    reflection: String,
    goals_note: String,
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

async fn review_page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    typed: &Typed,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let user = current.user.id;
    let key = state.vault.key_for(state.store.as_ref(), user).await?;
    let today = today_of(current);
    let reviews: Vec<ContractReview> = state.store.contract_reviews(user).await?;
    let since = reviews.first().map(|r| r.reviewed_on);

    // ProQOL 5: the latest result before the last review against the latest since.
    let proqol = InstrumentId::parse(PROQOL).map_err(WebError::internal)?;
    let taken = state.store.assessments_of(user, &proqol).await?;
    let dated: Vec<(Date, &ballast_store::Assessment)> =
        taken.iter().map(|a| (day_of(current, a.taken_at), a)).collect();
    let latest = dated.last();
    let before = since.and_then(|since| dated.iter().rev().find(|(d, _)| *d <= since));
    let retaken = latest.is_some_and(|(d, _)| since.is_none_or(|since| *d > since));
    let offered = crate::catalogue::find(state, PROQOL).await.ok();
    let scales = match (latest, offered) {
        (Some((_, now)), Some(offered)) => offered
            .instrument
            .scales
            .iter()
            .map(|scale| {
                let band = |a: &ballast_store::Assessment| {
                    a.scales
                        .iter()
                        .find(|s| s.id == scale.id)
                        .and_then(|s| s.band.clone())
                        .unwrap_or_else(|| "—".into())
                };
                ScaleChange {
                    title: scale.title.clone(),
                    before: before.map_or("—".into(), |(_, a)| band(a)),
                    now: band(now),
                }
            })
            .collect(),
        _ => Vec::new(),
    };

    // Each goal in progress: how far along it was at the last review, and now.
    let goals = state
        .store
        .goals(user)
        .await?
        .iter()
        .filter(|g| g.archived_at.is_none())
        .map(|g| {
            Ok(GoalSince {
                id: g.id.0,
                what: open(&key, "goal-what", &g.text.what)?,
                before: since.and_then(|s| g.progress.iter().rev().find(|p| p.noted_on <= s).map(|p| p.percent)),
                now: g.progress.last().map(|p| p.percent),
                due: long_day(g.due_on),
            })
        })
        .collect::<Result<Vec<_>, WebError>>()?;

    // Strain from check-ins: the 30 days before the last review, and the last 30 days.
    let back = |day: Date, days: i64| day.checked_sub(Span::new().days(days)).unwrap_or(day);
    let strain = |c: &ballast_store::StoredCheckIn| c.values.signal_day(c.day).measures.strain_index();
    let recent = state.store.check_ins(user, back(today, 29), today).await?;
    let recent_values: Vec<f64> = recent.iter().filter_map(strain).collect();
    let before_values: Vec<f64> = match since {
        Some(since) => state.store.check_ins(user, back(since, 29), since).await?.iter().filter_map(strain).collect(),
        None => Vec::new(),
    };
    let value = |name: &str| typed.get(name).cloned().unwrap_or_default();
    Ok(html(&ReviewPage {
        layout: Layout::new("Review your contract", Some(current), csrf).with_errors(!errors.is_empty()),
        errors,
        since: since.map(long_day),
        retaken,
        last_taken: latest.map(|(d, _)| long_day(*d)),
        scales,
        goals,
        strain_before: mean(&before_values).map(|m| format!("{m:.1}")),
        strain_now: mean(&recent_values).map(|m| format!("{m:.1}")),
        check_ins_now: recent.len(),
        reflection: value("reflection"),
        goals_note: value("goals_note"),
    }))
}

async fn show_review(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, PageError> {
    Ok(review_page(&state, &current, &csrf, &Typed::new(), FieldErrors::default()).await?)
}

async fn save_review(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let reflection = words(&typed, "reflection", MAX_REFLECTION_CHARS, None, &mut errors);
    let goals_note = words(&typed, "goals_note", MAX_REFLECTION_CHARS, None, &mut errors);
    if errors.is_empty() && reflection.is_empty() && goals_note.is_empty() {
        errors.add(
            "reflection",
            "Write a line or two about how things have gone — it is what makes a review worth keeping.",
        );
    }
    if !errors.is_empty() {
        return Ok(invalid(review_page(&state, &current, &csrf, &typed, errors).await?));
    }
    let key = state.vault.key_for(state.store.as_ref(), current.user.id).await?;
    let review = NewContractReview {
        user_id: current.user.id,
        reviewed_on: today_of(&current),
        reflection: key.seal_optional(place("review-reflection"), &reflection)?,
        goals_note: key.seal_optional(place("review-goals"), &goals_note)?,
        created_at: Timestamp::now(),
    };
    state.store.add_contract_review(&review).await?;
    Ok(see_other("/contract?notice=reviewed", &[]))
}
