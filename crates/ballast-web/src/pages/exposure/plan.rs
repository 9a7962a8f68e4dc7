//! The person's own pacing plan: the limits the week view compares their sessions against.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use ballast_core::exposure::{PacingPlan, ProtectedBreak};
use jiff::civil::Time;

use super::plan_of;
use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::error::PageError;
use crate::forms::{FieldErrors, FormInput, Typed};
use crate::pages::{invalid, see_other};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;

pub fn routes() -> Router<AppState> {
    Router::new().route("/exposure/plan", get(show).post(save))
}

/// One number or time on the form.
struct PlanField {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    kind: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "exposure_plan.html")]
struct PlanPage {
    layout: Layout,
    errors: FieldErrors,
    notice: Option<&'static str>,
    fields: Vec<PlanField>,
    keep_break: bool,
}

fn time_text(time: Time) -> String {
    time.strftime("%H:%M").to_string()
}

fn typed_from(plan: &PacingPlan) -> Typed {
    let mut typed = Typed::new();
    typed.insert("min_gap_minutes".into(), plan.min_gap_minutes.to_string());
    typed.insert("max_heavy_sessions_per_day".into(), plan.max_heavy_sessions_per_day.to_string());
    typed.insert("max_heavy_minutes_per_day".into(), plan.max_heavy_minutes_per_day.to_string());
    typed.insert("max_consecutive_days".into(), plan.max_consecutive_days.to_string());
    typed.insert("day_starts".into(), time_text(plan.day_starts));
    typed.insert("day_ends".into(), time_text(plan.day_ends));
    if let Some(pause) = plan.protected_break {
        typed.insert("keep_break".into(), "on".into());
        typed.insert("break_starts".into(), time_text(pause.start));
        typed.insert("break_minutes".into(), pause.minutes.to_string());
    } else {
        let default = PacingPlan::default().protected_break;
        typed.insert("break_starts".into(), default.map_or("12:30".into(), |b| time_text(b.start)));
        typed.insert("break_minutes".into(), default.map_or("30".into(), |b| b.minutes.to_string()));
    }
    typed
}

const FIELDS: [(&str, &str, &str, &str); 8] = [
    (
        "min_gap_minutes",
        "Shortest gap between sessions (minutes)",
        "Sessions closer than this count as back to back.",
        "numeric",
    ),
    (
        "max_heavy_sessions_per_day",
        "Most heavy sessions in a day",
        "Sessions with heavy or traumatic content.",
        "numeric",
    ),
    ("max_heavy_minutes_per_day", "Most minutes of heavy content in a day", "", "numeric"),
    ("max_consecutive_days", "Most working days in a row", "Then a day off.", "numeric"),
    ("day_starts", "My working day starts at", "Work before this is flagged.", "time"),
    ("day_ends", "My working day ends at", "Work after this is flagged.", "time"),
    ("break_starts", "My protected break starts at", "", "time"),
    ("break_minutes", "My protected break lasts (minutes)", "", "numeric"),
];

fn page(
    current: &Current,
    csrf: &CsrfToken,
    typed: &Typed,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Response {
    let fields = FIELDS
        .iter()
        .map(|(name, label, hint, kind)| PlanField {
            name,
            label,
            hint,
            kind,
            value: typed.get(*name).cloned().unwrap_or_default(),
            error: errors.get(name).map(str::to_owned),
        })
        .collect();
    let layout = Layout::new("Your pacing plan", Some(current), csrf).with_errors(!errors.is_empty());
    html(&PlanPage { layout, notice, fields, keep_break: typed.contains_key("keep_break"), errors })
}

async fn show(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let plan = plan_of(&state, &current).await?;
    let notice = (query.as_deref() == Some("saved=1")).then_some("Saved. Your week is now compared with this plan.");
    Ok(page(&current, &csrf, &typed_from(&plan), FieldErrors::default(), notice))
}

/// Parses the form, with a message next to each field that cannot be used.
fn parse(typed: &Typed, errors: &mut FieldErrors) -> Option<PacingPlan> {
    let text = |name: &str| typed.get(name).map(|v| v.trim()).unwrap_or_default();
    let mut number = |name: &'static str, max: u16| -> Option<u16> {
        let value = text(name).parse::<u16>().ok().filter(|n| (1..=max).contains(n));
        if value.is_none() {
            errors.add(name, format!("Enter a whole number from 1 to {max}."));
        }
        value
    };
    let min_gap = number("min_gap_minutes", 240);
    let heavy_sessions = number("max_heavy_sessions_per_day", 24);
    let heavy_minutes = number("max_heavy_minutes_per_day", 1440);
    let days = number("max_consecutive_days", 31);
    let keep_break = typed.contains_key("keep_break");
    let break_minutes = if keep_break { number("break_minutes", 240) } else { Some(0) };
    let mut time = |name: &'static str| -> Option<Time> {
        let value = text(name).parse::<Time>().ok();
        if value.is_none() {
            errors.add(name, "Enter a time such as 08:30.");
        }
        value
    };
    let day_starts = time("day_starts");
    let day_ends = time("day_ends");
    let break_starts = if keep_break { time("break_starts") } else { Some(Time::midnight()) };
    let plan = PacingPlan {
        min_gap_minutes: min_gap?,
        max_heavy_sessions_per_day: u8::try_from(heavy_sessions?).ok()?,
        max_heavy_minutes_per_day: heavy_minutes?,
        protected_break: keep_break.then_some(ProtectedBreak { start: break_starts?, minutes: break_minutes? }),
        max_consecutive_days: u8::try_from(days?).ok()?,
        day_starts: day_starts?,
        day_ends: day_ends?,
    };
    if let Err(problem) = plan.check() {
        errors.add(problem.field(), problem.to_string());
        return None;
    }
    Some(plan)
}

async fn save(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let plan = parse(&typed, &mut errors);
    let Some(plan) = plan.filter(|_| errors.is_empty()) else {
        return Ok(invalid(page(&current, &csrf, &typed, errors, None)));
    };
    state.store.set_pacing_plan(current.user.id, &plan).await?;
    Ok(see_other("/exposure/plan?saved=1", &[]))
}
