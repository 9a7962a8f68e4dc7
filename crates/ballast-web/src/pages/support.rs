//! The support page: reachable from every page, for everyone, and shown straight after an
//! assessment whose answers suggest risk. It lists who the person can turn to. It never
//! notifies anyone.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use ballast_store::{AssessmentId, SupportResource};
use serde::Deserialize;

use crate::AppState;
use crate::auth::MaybeSignedIn;
use crate::catalogue;
use crate::error::PageError;
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::support;

pub fn routes() -> Router<AppState> {
    Router::new().route("/support", get(support_page))
}

#[derive(Template)]
#[template(path = "support.html")]
struct SupportPage {
    layout: Layout,
    messages: Vec<String>,
    result_href: Option<String>,
    resources: Vec<SupportResource>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SupportQuery {
    result: String,
}

async fn support_page(
    State(state): State<AppState>,
    MaybeSignedIn(current): MaybeSignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<SupportQuery>,
) -> Result<Response, PageError> {
    let mut messages = Vec::new();
    let mut result_href = None;
    // The messages for a result are shown only to its owner; anyone else sees the page as is.
    if let (Some(current), Ok(id)) = (&current, query.result.parse::<i64>())
        && let Some(assessment) = state.store.assessment(current.user.id, AssessmentId(id)).await?
        && let Ok(offered) = catalogue::find(&state, assessment.instrument_id.as_str()).await
    {
        messages = offered
            .instrument
            .safety
            .iter()
            .filter(|rule| assessment.flags.contains(&rule.id))
            .map(|rule| rule.message.clone())
            .collect();
        result_href = Some(format!("/assessments/{}/results/{}", assessment.instrument_id, assessment.id.0));
    }
    Ok(html(&SupportPage {
        layout: Layout::new("Support", current.as_ref(), &csrf),
        messages,
        result_href,
        resources: support::resources(&state).await?,
    }))
}
