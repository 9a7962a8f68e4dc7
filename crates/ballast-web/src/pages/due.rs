//! "Due now": everything waiting for the person today, as one list built here and shown on
//! the home page. Today's check-in comes first (once the reminder time they chose has passed
//! and until they check in), then follow-ups after critical incidents, then a contract review
//! that has come round.

use ballast_core::reminders::check_in_due;
use jiff::Timestamp;

use crate::AppState;
use crate::auth::Current;
use crate::error::WebError;

/// One thing due: where to go, and what to call it.
pub struct DueItem {
    pub href: String,
    pub text: String,
}

/// What is due for the person at `now`, in the order the home page shows it.
pub async fn due_now(state: &AppState, current: &Current, now: Timestamp) -> Result<Vec<DueItem>, WebError> {
    let user = &current.user;
    let local_now = now.to_zoned(user.time_zone.zone()).datetime();
    let mut due = Vec::new();
    let reminder_at = state.store.reminder_settings(user.id).await?.and_then(|s| s.check_in_at);
    // The check-in is only looked up when a reminder time has passed: most page views need no read.
    if check_in_due(reminder_at, local_now, false) {
        let checked_in = state.store.check_in(user.id, local_now.date()).await?.is_some();
        if check_in_due(reminder_at, local_now, checked_in) {
            due.push(DueItem { href: "/check-in".into(), text: "Your check-in for today".into() });
        }
    }
    for (href, text) in super::incidents::due_follow_ups_of(state, current).await? {
        due.push(DueItem { href, text });
    }
    if let (Some(review), _) = super::contract::contract_dates(state, user).await?
        && review <= local_now.date()
    {
        due.push(DueItem { href: "/contract/review".into(), text: "Your self-care contract review".into() });
    }
    Ok(due)
}
