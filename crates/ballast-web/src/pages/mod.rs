//! Server-rendered pages. Each submodule owns one area of the site and its routes.

mod account;
mod admin;
mod assessments;
mod assets;
mod check_in;
pub(crate) mod contract;
mod due;
mod exposure;
mod health;
mod home;
mod incidents;
mod insights;
mod journal;
mod kit;
mod reminders;
mod sign_in;
mod signs;
mod support;
mod time_zone;
mod words;

use axum::Router;

use crate::AppState;

pub(crate) use exposure::parse_session;
pub(crate) use signs::{SignLabel, my_signs};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(sign_in::routes())
        .merge(account::routes())
        .merge(admin::routes())
        .merge(assessments::routes())
        .merge(assets::routes())
        .merge(health::routes())
        .merge(support::routes())
        .merge(words::routes())
        .merge(check_in::routes())
        .merge(signs::routes())
        .merge(insights::routes())
        .merge(time_zone::routes())
        .merge(incidents::routes())
        .merge(exposure::routes())
        .merge(journal::routes())
        .merge(contract::routes())
        .merge(kit::routes())
        .merge(reminders::routes())
}

/// Redirect after a successful form post (303, so a reload does not resubmit), setting
/// `cookies` on the way.
pub(crate) fn see_other(location: &str, cookies: &[axum::http::HeaderValue]) -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::IntoResponse;
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/")));
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie.clone());
    }
    response
}

/// A form shown again because of what was typed: 422, so tools and tests can tell it apart
/// from a first showing.
pub(crate) fn invalid(page: axum::response::Response) -> axum::response::Response {
    let (mut parts, body) = page.into_parts();
    if parts.status == axum::http::StatusCode::OK {
        parts.status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    axum::response::Response::from_parts(parts, body)
}
