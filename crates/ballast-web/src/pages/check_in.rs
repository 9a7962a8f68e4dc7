//! The daily check-in: today's (new or changed), an earlier day filled in later, or an
//! earlier day looked at again. Days are the person's own, in their time zone.
//!
//! A save is acknowledged only after the store has committed it (the redirect is sent after
//! the write returns), and a form that cannot be saved comes back with everything typed.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use ballast_core::checkin::{
    CheckIn, DayProblem, EmpathyDial, Entry, Level, MAX_NOTE_CHARS, MAX_RESTORER_CHARS, PhysicalSign, SignId,
    SleepQuarters, entry_for,
};
use ballast_store::{StoreError, StoredCheckIn};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::signs::{SignLabel, my_signs};
use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{Current, SignedIn};
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

/// What was typed, by field name: the one shape both a first showing and a failed save use.
type Typed = HashMap<String, String>;

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

/// The day a request names (today when it names none), or why it cannot be used.
fn requested_day(text: &str, today: Date) -> Result<Date, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(today);
    }
    text.parse::<Date>().map_err(|_| format!("“{text}” is not a date we can read. Dates look like {today}."))
}

async fn show(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<DayQuery>,
) -> Result<Response, PageError> {
    let today = current.user.time_zone.today(Timestamp::now());
    let day = requested_day(&query.day, today).map_err(WebError::BadRequest)?;
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

/// Reads a 0–10 answer. Empty is "skipped", which only energy may not be.
fn parse_level(typed: &Typed, name: &'static str, errors: &mut FieldErrors) -> Option<Level> {
    let text = typed.get(name).map(|v| v.trim()).unwrap_or_default();
    if text.is_empty() {
        if name == "energy" {
            errors.add(name, "Choose how much energy you have today: it is the one answer a check-in needs.");
        }
        return None;
    }
    let level = text.parse::<u8>().ok().and_then(Level::new);
    if level.is_none() {
        errors.add(name, "Choose a number from 0 to 10.");
    }
    level
}

/// Parses a submitted form into a check-in and its two pieces of free text, collecting a
/// message for each field that cannot be used.
fn parse(typed: &Typed, signs: &[SignLabel], errors: &mut FieldErrors) -> Option<(CheckIn, String, String)> {
    let energy = parse_level(typed, "energy", errors);
    let mood = parse_level(typed, "mood", errors);
    let sleep_quality = parse_level(typed, "sleep_quality", errors);
    let dread = parse_level(typed, "dread", errors);
    let intrusive = parse_level(typed, "intrusive", errors);
    let sleep_text = typed.get("sleep_hours").map(|v| v.trim().replace(',', ".")).unwrap_or_default();
    let sleep_hours = if sleep_text.is_empty() {
        None
    } else {
        let parsed = sleep_text.parse::<f64>().ok().and_then(SleepQuarters::from_hours);
        if parsed.is_none() {
            errors.add("sleep_hours", "Enter the hours you slept as a number from 0 to 24, such as 7 or 6.5.");
        }
        parsed
    };
    let empathy_text = typed.get("empathy").map(|v| v.trim()).unwrap_or_default();
    let empathy = if empathy_text.is_empty() {
        None
    } else {
        let parsed = empathy_text.parse::<i8>().ok().and_then(EmpathyDial::new);
        if parsed.is_none() {
            errors.add("empathy", "Choose one of the positions on the empathy dial, or skip it.");
        }
        parsed
    };
    let physical: BTreeSet<PhysicalSign> =
        PhysicalSign::ALL.into_iter().filter(|sign| typed.contains_key(&format!("physical-{}", sign.id()))).collect();
    let mut warning_signs = BTreeSet::new();
    for name in typed.keys() {
        if let Some(id) = name.strip_prefix("sign-") {
            match SignId::parse(id).filter(|id| signs.iter().any(|s| &s.id == id)) {
                Some(id) => {
                    warning_signs.insert(id);
                }
                None => errors
                    .add("signs", "One of the ticked warning signs is no longer on your list. Please tick them again."),
            }
        }
    }
    let restorer = typed.get("restorer").map(|v| v.trim().to_owned()).unwrap_or_default();
    let restorer_chars = restorer.chars().count();
    if restorer_chars > MAX_RESTORER_CHARS {
        errors.add(
            "restorer",
            format!("Please keep this to {MAX_RESTORER_CHARS} characters; it is {restorer_chars} now. A few words are enough."),
        );
    }
    let note = typed.get("note").map(|v| v.trim().to_owned()).unwrap_or_default();
    let note_chars = note.chars().count();
    if note_chars > MAX_NOTE_CHARS {
        errors.add(
            "note",
            format!(
                "Your note is {note_chars} characters long; a check-in note can hold {MAX_NOTE_CHARS}. Please shorten it — nothing has been saved yet."
            ),
        );
    }
    let energy = energy?;
    if !errors.is_empty() {
        return None;
    }
    let check_in =
        CheckIn { energy, mood, sleep_hours, sleep_quality, empathy, dread, intrusive, physical, warning_signs };
    Some((check_in, restorer, note))
}

async fn save(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let now = Timestamp::now();
    let today = current.user.time_zone.today(now);
    let user = current.user.id;
    let mut errors = FieldErrors::default();
    let (day, entry) = match requested_day(typed.get("day").map(String::as_str).unwrap_or_default(), today) {
        Ok(day) => {
            let exists = state.store.check_in(user, day).await?.is_some();
            match entry_for(day, today, exists) {
                Ok(entry) => (day, Some(entry)),
                Err(problem) => {
                    errors.add("day", problem);
                    (day, None)
                }
            }
        }
        Err(message) => {
            errors.add("day", message);
            (today, None)
        }
    };
    let signs = my_signs(&state, &current).await?;
    let parsed = parse(&typed, &signs, &mut errors);
    let (Some(entry), Some((values, restorer, note))) = (entry, parsed) else {
        let context =
            FormContext { current: &current, csrf: &csrf, day, entry: entry.unwrap_or(Entry::New), signs: &signs };
        return Ok(invalid(form_page(&context, &typed, errors)));
    };
    let (restorer, note) = if restorer.is_empty() && note.is_empty() {
        (None, None)
    } else {
        let key = state.vault.key_for(&*state.store, user).await?;
        (
            key.seal_optional(Place::CheckInRestorer { day }, &restorer)?,
            key.seal_optional(Place::CheckInNote { day }, &note)?,
        )
    };
    let record = StoredCheckIn {
        user_id: user,
        day,
        values,
        restorer,
        note,
        backfilled: entry == Entry::BackFill,
        created_at: now,
        updated_at: now,
    };
    let saved = match entry {
        Entry::Edit => state.store.update_check_in(record).await?,
        Entry::New | Entry::BackFill => match state.store.insert_check_in(record.clone()).await {
            Ok(()) => true,
            // Another tab saved today's first check-in a moment ago: this one replaces it,
            // as a second save of today's would.
            Err(StoreError::Conflict(_)) if day == today => state.store.update_check_in(record).await?,
            Err(StoreError::Conflict(_)) => false,
            Err(other) => return Err(other.into()),
        },
    };
    if !saved {
        errors.add("day", DayProblem::AlreadyRecorded);
        let context = FormContext { current: &current, csrf: &csrf, day, entry, signs: &signs };
        return Ok(invalid(form_page(&context, &typed, errors)));
    }
    Ok(see_other(&format!("/insights?saved={day}"), &[]))
}
