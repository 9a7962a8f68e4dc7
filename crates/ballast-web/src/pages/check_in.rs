//! The daily check-in: today's (new or changed), an earlier day filled in later, or an
//! earlier day looked at again. Days are the person's own, in their time zone.
//!
//! A save is acknowledged only after the store has committed it (the redirect is sent after
//! the write returns), and a form that cannot be saved comes back with everything typed.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use ballast_core::checkin::{
    DayProblem, EmpathyDial, Entry, Level, MAX_NOTE_CHARS, MAX_RESTORER_CHARS, PhysicalSign, entry_for,
};
use ballast_store::StoredCheckIn;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::signs::{SignLabel, my_signs};
use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::checking_in::{self, Typed};
use crate::error::{PageError, WebError};
use crate::forms::{FieldErrors, FormInput};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::vault::{Place, open_optional};

pub fn routes() -> Router<AppState> {
    Router::new().route("/check-in", get(show).post(save))
}

/// "Sunday 22 November 2026".
pub fn long_day(day: Date) -> String {
    day.strftime("%A %-d %B %Y").to_string()
}

/// The 0–10 questions, in the order they are asked: (field name, question, what 0 and 10 mean).
const RATINGS: [(&str, &str, &str, &str); 5] = [
    ("energy", "How much energy do you have today?", "running on empty", "full of energy"),
    ("mood", "How is your mood?", "very low", "very good"),
    ("sleep_quality", "How well did you sleep last night?", "hardly at all", "deeply and well"),
    ("dread", "How much do you dread the work ahead?", "not at all", "more than I can bear"),
    (
        "intrusive",
        "How much have images or thoughts of other people's trauma come back to you, unasked?",
        "not at all",
        "all the time",
    ),
];

/// One 0–10 question as the template draws it.
struct RatingQuestion {
    name: &'static str,
    question: &'static str,
    low: &'static str,
    high: &'static str,
    required: bool,
    value: String,
    error: Option<String>,
}

struct Choice {
    value: String,
    label: String,
    checked: bool,
}

struct Tick {
    name: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "check_in.html")]
struct CheckInPage {
    layout: Layout,
    errors: FieldErrors,
    heading: String,
    intro: Option<String>,
    day: String,
    today: String,
    day_error: Option<String>,
    time_zone: String,
    early_ratings: Vec<RatingQuestion>,
    late_ratings: Vec<RatingQuestion>,
    sleep_hours: String,
    sleep_hours_error: Option<String>,
    empathy: Vec<Choice>,
    empathy_error: Option<String>,
    physical: Vec<Tick>,
    signs: Vec<Tick>,
    signs_error: Option<String>,
    restorer: String,
    restorer_error: Option<String>,
    note: String,
    note_error: Option<String>,
    max_note: usize,
    max_restorer: usize,
}

#[derive(Template)]
#[template(path = "check_in_view.html")]
struct CheckInView {
    layout: Layout,
    heading: String,
    backfilled: bool,
    rows: Vec<(String, String)>,
    restorer: String,
    note: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DayQuery {
    day: String,
}

fn typed_from(check_in: &StoredCheckIn, restorer: String, note: String) -> Typed {
    let values = &check_in.values;
    let mut typed = Typed::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            typed.insert(name.to_owned(), value);
        }
    };
    put("energy", Some(values.energy.value().to_string()));
    put("mood", values.mood.map(|v| v.value().to_string()));
    put("sleep_quality", values.sleep_quality.map(|v| v.value().to_string()));
    put("dread", values.dread.map(|v| v.value().to_string()));
    put("intrusive", values.intrusive.map(|v| v.value().to_string()));
    put("sleep_hours", values.sleep_hours.map(|v| hours_text(v.hours())));
    put("empathy", values.empathy.map(|v| v.value().to_string()));
    for sign in &values.physical {
        put(&format!("physical-{}", sign.id()), Some("on".into()));
    }
    for sign in &values.warning_signs {
        put(&format!("sign-{}", sign.as_str()), Some("on".into()));
    }
    put("restorer", Some(restorer));
    put("note", Some(note));
    typed
}

fn hours_text(hours: f64) -> String {
    if hours.fract() == 0.0 { format!("{hours:.0}") } else { format!("{hours}") }
}

struct FormContext<'a> {
    current: &'a Current,
    csrf: &'a CsrfToken,
    day: Date,
    entry: Entry,
    signs: &'a [SignLabel],
}

fn form_page(context: &FormContext<'_>, typed: &Typed, errors: FieldErrors) -> Response {
    let value = |name: &str| typed.get(name).cloned().unwrap_or_default();
    let rating =
        |(name, question, low, high): (&'static str, &'static str, &'static str, &'static str)| RatingQuestion {
            name,
            question,
            low,
            high,
            required: name == "energy",
            value: value(name),
            error: errors.get(name).map(str::to_owned),
        };
    let (heading, intro) = match context.entry {
        Entry::New => ("Today's check-in".to_owned(), None),
        Entry::Edit => (
            "Today's check-in".to_owned(),
            Some("You have checked in today already. Change anything you like and save again.".to_owned()),
        ),
        Entry::BackFill => (
            format!("Check-in for {}", long_day(context.day)),
            Some("You are filling in an earlier day. It will be marked as filled in later.".to_owned()),
        ),
    };
    let chosen_empathy = value("empathy");
    let mut empathy = vec![Choice { value: String::new(), label: "Skip".into(), checked: chosen_empathy.is_empty() }];
    empathy.extend(EmpathyDial::positions().iter().map(|(dial, label)| {
        let dial_value = dial.value().to_string();
        Choice { checked: chosen_empathy == dial_value, value: dial_value, label: (*label).to_owned() }
    }));
    let physical = PhysicalSign::ALL
        .iter()
        .map(|sign| {
            let name = format!("physical-{}", sign.id());
            Tick { checked: typed.contains_key(&name), name, label: sign.label().to_owned() }
        })
        .collect();
    let signs = context
        .signs
        .iter()
        .map(|sign| {
            let name = format!("sign-{}", sign.id.as_str());
            Tick { checked: typed.contains_key(&name), name, label: sign.text.clone() }
        })
        .collect();
    let layout = Layout::new(heading.clone(), Some(context.current), context.csrf).with_errors(!errors.is_empty());
    let page = CheckInPage {
        layout,
        heading,
        intro,
        day: typed.get("day").cloned().unwrap_or_else(|| context.day.to_string()),
        today: context.current.user.time_zone.today(Timestamp::now()).to_string(),
        day_error: errors.get("day").map(str::to_owned),
        time_zone: context.current.user.time_zone.to_string(),
        early_ratings: RATINGS[..3].iter().copied().map(rating).collect(),
        late_ratings: RATINGS[3..].iter().copied().map(rating).collect(),
        sleep_hours: value("sleep_hours"),
        sleep_hours_error: errors.get("sleep_hours").map(str::to_owned),
        empathy,
        empathy_error: errors.get("empathy").map(str::to_owned),
        physical,
        signs,
        signs_error: errors.get("signs").map(str::to_owned),
        restorer: value("restorer"),
        restorer_error: errors.get("restorer").map(str::to_owned),
        note: value("note"),
        note_error: errors.get("note").map(str::to_owned),
        max_note: MAX_NOTE_CHARS,
        max_restorer: MAX_RESTORER_CHARS,
        errors,
    };
    html(&page)
}

async fn show(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<DayQuery>,
) -> Result<Response, PageError> {
    let today = current.user.time_zone.today(Timestamp::now());
    let day = checking_in::requested_day(&query.day, today).map_err(WebError::BadRequest)?;
    let user = current.user.id;
    let existing = state.store.check_in(user, day).await?;
    let entry = match entry_for(day, today, existing.is_some()) {
        Ok(entry) => entry,
        Err(DayProblem::AlreadyRecorded) => {
            let existing = existing.ok_or_else(|| WebError::internal("a recorded day vanished"))?;
            return Ok(view_page(&state, &current, &csrf, &existing).await?);
        }
        Err(problem) => return Err(WebError::Unprocessable(problem.to_string()).into()),
    };
    let signs = my_signs(&state, &current).await?;
    let typed = match &existing {
        Some(existing) => {
            let key = state.vault.existing_key(&*state.store, user).await?;
            let restorer = open_optional(key.as_ref(), Place::CheckInRestorer { day }, existing.restorer.as_ref())?;
            let note = open_optional(key.as_ref(), Place::CheckInNote { day }, existing.note.as_ref())?;
            typed_from(existing, restorer, note)
        }
        None => Typed::new(),
    };
    let context = FormContext { current: &current, csrf: &csrf, day, entry, signs: &signs };
    Ok(form_page(&context, &typed, FieldErrors::default()))
}

async fn view_page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    check_in: &StoredCheckIn,
) -> Result<Response, WebError> {
    let day = check_in.day;
    let key = state.vault.existing_key(&*state.store, current.user.id).await?;
    let restorer = open_optional(key.as_ref(), Place::CheckInRestorer { day }, check_in.restorer.as_ref())?;
    let note = open_optional(key.as_ref(), Place::CheckInNote { day }, check_in.note.as_ref())?;
    let signs = my_signs(state, current).await?;
    let values = &check_in.values;
    let mut rows = Vec::new();
    let level = |level: Option<Level>| level.map_or("—".to_owned(), |l| format!("{} of 10", l.value()));
    rows.push(("Energy".to_owned(), level(Some(values.energy))));
    rows.push(("Mood".to_owned(), level(values.mood)));
    rows.push((
        "Sleep last night".to_owned(),
        values.sleep_hours.map_or("—".to_owned(), |h| format!("{} hours", hours_text(h.hours()))),
    ));
    rows.push(("How well you slept".to_owned(), level(values.sleep_quality)));
    rows.push((
        "Empathy dial".to_owned(),
        values
            .empathy
            .and_then(|dial| EmpathyDial::positions().into_iter().find(|(d, _)| *d == dial))
            .map_or("—".to_owned(), |(_, label)| label.to_owned()),
    ));
    rows.push(("Dread about the work ahead".to_owned(), level(values.dread)));
    rows.push(("Others' trauma coming back to you".to_owned(), level(values.intrusive)));
    let physical: Vec<&str> = values.physical.iter().map(|p| p.label()).collect();
    rows.push(("In your body".to_owned(), if physical.is_empty() { "—".into() } else { physical.join(", ") }));
    let shown: Vec<String> = values.warning_signs.iter().map(|id| super::signs::label_of(id, &signs)).collect();
    rows.push(("Your warning signs".to_owned(), if shown.is_empty() { "—".into() } else { shown.join("; ") }));
    let heading = format!("Check-in for {}", long_day(day));
    Ok(html(&CheckInView {
        layout: Layout::new(heading.clone(), Some(current), csrf),
        heading,
        backfilled: check_in.backfilled,
        rows,
        restorer,
        note,
    }))
}

async fn save(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let now = Timestamp::now();
    let mut errors = FieldErrors::default();
    let (day, entry) = checking_in::choose_day(
        &state,
        &current,
        typed.get("day").map(String::as_str).unwrap_or_default(),
        now,
        &mut errors,
    )
    .await?;
    let signs = my_signs(&state, &current).await?;
    let parsed = checking_in::parse(&typed, &signs, &mut errors);
    let (Some(entry), Some(submission)) = (entry, parsed) else {
        let context =
            FormContext { current: &current, csrf: &csrf, day, entry: entry.unwrap_or(Entry::New), signs: &signs };
        return Ok(invalid(form_page(&context, &typed, errors)));
    };
    if !checking_in::record(&state, &current, day, entry, submission, now).await? {
        errors.add("day", DayProblem::AlreadyRecorded);
        let context = FormContext { current: &current, csrf: &csrf, day, entry, signs: &signs };
        return Ok(invalid(form_page(&context, &typed, errors)));
    }
    Ok(see_other(&format!("/insights?saved={day}"), &[]))
}
