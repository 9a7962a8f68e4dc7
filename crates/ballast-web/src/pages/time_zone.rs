//! The person's time zone, which decides where their days begin and end (one check-in per
//! day). Set at sign-up from the browser when it can tell us, and changeable here.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use ballast_core::TimeZoneName;
use jiff::Timestamp;
use serde::Deserialize;

use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::error::PageError;
use crate::forms::{FieldErrors, FormInput};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;

pub fn routes() -> Router<AppState> {
    Router::new().route("/account/time-zone", get(show).post(save))
}

#[derive(Template)]
#[template(path = "time_zone.html")]
struct TimeZonePage {
    layout: Layout,
    errors: FieldErrors,
    value: String,
    error: Option<String>,
    local_time: String,
    zones: Vec<String>,
    notice: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TimeZoneForm {
    time_zone: String,
}

fn page(
    current: &Current,
    csrf: &CsrfToken,
    value: &str,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Response {
    let local_time = Timestamp::now().to_zoned(current.user.time_zone.zone()).strftime("%A %-d %B, %H:%M").to_string();
    let layout = Layout::new("Your time zone", Some(current), csrf).with_errors(!errors.is_empty());
    html(&TimeZonePage {
        layout,
        error: errors.get("time_zone").map(str::to_owned),
        errors,
        value: value.to_owned(),
        local_time,
        zones: TimeZoneName::all(),
        notice,
    })
}

async fn show(
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    RawQuery(query): RawQuery,
) -> Response {
    let notice = (query.as_deref() == Some("saved=1")).then_some("Saved. Your days now follow this time zone.");
    page(&current, &csrf, current.user.time_zone.as_str(), FieldErrors::default(), notice)
}

async fn save(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(form): FormInput<TimeZoneForm>,
) -> Result<Response, PageError> {
    let Some(zone) = TimeZoneName::parse(&form.time_zone) else {
        let mut errors = FieldErrors::default();
        errors.add(
            "time_zone",
            "We do not know that time zone. Pick one from the list, such as Europe/London or America/Chicago.",
        );
        return Ok(invalid(page(&current, &csrf, &form.time_zone, errors, None)));
    };
    state.store.set_time_zone(current.user.id, &zone).await?;
    Ok(see_other("/account/time-zone?saved=1", &[]))
}
