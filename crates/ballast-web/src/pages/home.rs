//! The home page: what Ballast is, for newcomers; a starting point for people signed in,
//! with anything due now (see `pages::due`).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};

use jiff::Timestamp;

use super::due::{DueItem, due_now};
use crate::AppState;
use crate::auth::MaybeSignedIn;
use crate::error::PageError;
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    notice: Option<&'static str>,
    signed_in: bool,
    /// What is due now (today's check-in, follow-ups after critical incidents).
    due: Vec<DueItem>,
}

/// Messages shown after a redirect, chosen by a fixed key so nobody can make the page say
/// anything else.
fn notice_for(query: Option<&str>) -> Option<&'static str> {
    match query? {
        "notice=signed-out" => Some("You have signed out. See you next time."),
        "notice=deleted" => Some("Your account and everything in it have been deleted."),
        _ => None,
    }
}

async fn home(
    State(state): State<AppState>,
    MaybeSignedIn(current): MaybeSignedIn,
    Extension(csrf): Extension<CsrfToken>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let due = match &current {
        Some(current) => due_now(&state, current, Timestamp::now()).await?,
        None => Vec::new(),
    };
    let page = HomePage {
        layout: Layout::new("Home", current.as_ref(), &csrf),
        notice: notice_for(query.as_deref()),
        signed_in: current.is_some(),
        due,
    };
    Ok(html(&page))
}
