//! Exposure and pacing: the person's sessions and shifts (recorded by hand or imported from a
//! work calendar), their own pacing plan, and the day and week views that show the gaps,
//! the load and where the plan was stretched. Nothing here identifies a client: sessions
//! have no names and no free text.

mod import;
mod plan;
mod sessions;
mod views;

pub(crate) use sessions::parse as parse_session;
pub(crate) use views::duration_words;

use axum::Router;
use ballast_core::exposure::PacingPlan;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use crate::AppState;
use crate::auth::Current;
use crate::error::WebError;

pub fn routes() -> Router<AppState> {
    Router::new().merge(views::routes()).merge(sessions::routes()).merge(import::routes()).merge(plan::routes())
}

/// The person's plan, or the defaults until they set their own.
async fn plan_of(state: &AppState, current: &Current) -> Result<PacingPlan, WebError> {
    Ok(state.store.pacing_plan(current.user.id).await?.unwrap_or_default())
}

/// The instant a local day and time fall on in `zone`. A time skipped by a daylight-saving
/// change resolves to the instant after the gap, as clocks do.
fn instant(day: Date, time: Time, zone: &TimeZone) -> Option<Timestamp> {
    day.to_datetime(time).to_zoned(zone.clone()).ok().map(|z| z.timestamp())
}

/// The start of `day` in `zone`.
fn start_of(day: Date, zone: &TimeZone) -> Option<Timestamp> {
    day.to_zoned(zone.clone()).ok().map(|z: Zoned| z.timestamp())
}

/// "09:30".
fn clock(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%H:%M").to_string()
}
