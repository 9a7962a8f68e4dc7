//! Everything that goes into one person's calendar feed, gathered in one place.
//!
//! Each kind of reminder becomes a generic [`ReminderEvent`] (a stable id, a short title, a
//! link and a schedule); `ballast_core::icalendar` writes them without knowing what they are.
//! To add a kind, add one function below that returns its events and call it from
//! [`gather`]; nothing else changes.
//!
//! Titles and descriptions say only "check in" or "a follow-up", never how anyone is doing:
//! calendars are often synced to work accounts and seen by others.

use ballast_core::icalendar::{ReminderEvent, Schedule};
use ballast_core::incident::FollowUpStep;
use ballast_core::reminders::{CHECK_IN_MINUTES, SELF_CARE_MINUTES};
use ballast_store::{ReminderSettings, User};

use crate::AppState;
use crate::error::WebError;

/// The feed's events for `user`, with links under `base` (the address people use to reach
/// Ballast, no trailing slash).
pub async fn gather(state: &AppState, user: &User, base: &str) -> Result<Vec<ReminderEvent>, WebError> {
    let mut events = Vec::new();
    if let Some(settings) = state.store.reminder_settings(user.id).await? {
        events.extend(daily(user, &settings, base));
    }
    events.extend(incident_follow_ups(state, user, base).await?);
    events.extend(contract_dates(state, user, base).await?);
    Ok(events)
}

/// The next review of the self-care contract, and the date of each goal in progress.
async fn contract_dates(state: &AppState, user: &User, base: &str) -> Result<Vec<ReminderEvent>, WebError> {
    let (review, goals) = crate::pages::contract::contract_dates(state, user).await?;
    let mut events = Vec::new();
    if let Some(day) = review {
        events.push(ReminderEvent {
            uid: format!("contract-review.{day}.{}", user.id.0),
            summary: "Review your self-care contract".into(),
            description: "A few minutes to look back and adjust your plan.".into(),
            url: Some(format!("{base}/contract/review")),
            schedule: Schedule::AllDay(day),
        });
    }
    for (n, day) in goals.into_iter().enumerate() {
        events.push(ReminderEvent {
            // The goal's words are sealed and stay out of calendars: a date and a number only.
            uid: format!("contract-goal.{day}.{n}.{}", user.id.0),
            summary: "A goal date in your contract".into(),
            description: "One of your goals was set for today. See how it went.".into(),
            url: Some(format!("{base}/contract")),
            schedule: Schedule::AllDay(day),
        });
    }
    Ok(events)
}

/// The daily check-in and the daily self-care slot, repeating from the day they were set.
fn daily(user: &User, settings: &ReminderSettings, base: &str) -> Vec<ReminderEvent> {
    let from = user.time_zone.today(settings.updated_at);
    let mut events = Vec::new();
    if let Some(at) = settings.check_in_at {
        events.push(ReminderEvent {
            uid: format!("check-in.{}", user.id.0),
            summary: "Daily check-in".into(),
            description: "A minute to notice how you are. Open Ballast to check in.".into(),
            url: Some(format!("{base}/check-in")),
            schedule: Schedule::Daily { from, at, minutes: CHECK_IN_MINUTES },
        });
    }
    if let Some(at) = settings.self_care_at {
        events.push(ReminderEvent {
            uid: format!("self-care.{}", user.id.0),
            summary: "Time for yourself".into(),
            description: "Time you set aside for yourself. Nothing to do but take it.".into(),
            url: Some(format!("{base}/")),
            schedule: Schedule::Daily { from, at, minutes: SELF_CARE_MINUTES },
        });
    }
    events
}

/// Every follow-up not yet answered, on the day it falls due (overdue ones stay on their day).
async fn incident_follow_ups(state: &AppState, user: &User, base: &str) -> Result<Vec<ReminderEvent>, WebError> {
    let incidents = state.store.incidents(user.id).await?;
    let mut events = Vec::new();
    for incident in &incidents {
        let answered: Vec<FollowUpStep> = incident.follow_ups.iter().map(|f| f.step).collect();
        for step in FollowUpStep::ALL.iter().copied().filter(|step| !answered.contains(step)) {
            let day = step.due_on(incident.occurred_on);
            events.push(ReminderEvent {
                uid: format!("follow-up.{}.{}.{}", incident.id.0, step.id(), user.id.0),
                summary: "Ballast follow-up".into(),
                description: "A short follow-up you asked Ballast for. It takes a minute.".into(),
                // The home page, where it is listed as due: the link names nothing either.
                url: Some(format!("{base}/")),
                schedule: Schedule::AllDay(day),
            });
        }
    }
    Ok(events)
}
