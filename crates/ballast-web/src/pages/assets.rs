//! Static assets, compiled into the binary so Ballast never fetches anything at runtime.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

const STYLESHEET: &str = include_str!("../../static/ballast.css");
const ICON: &str = include_str!("../../static/favicon.svg");
const ASSESSMENT_SCRIPT: &str = include_str!("../../static/assessment.js");
const DEFINITION_FILE_SCRIPT: &str = include_str!("../../static/definition-file.js");
const TIME_ZONE_SCRIPT: &str = include_str!("../../static/time-zone.js");
const JOURNAL_SCRIPT: &str = include_str!("../../static/journal.js");
const KIT_SCRIPT: &str = include_str!("../../static/kit.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/ballast.css", get(|| async { asset("text/css; charset=utf-8", STYLESHEET) }))
        .route("/static/favicon.svg", get(|| async { asset("image/svg+xml", ICON) }))
        .route("/static/assessment.js", get(|| async { asset("text/javascript; charset=utf-8", ASSESSMENT_SCRIPT) }))
        .route(
            "/static/definition-file.js",
            get(|| async { asset("text/javascript; charset=utf-8", DEFINITION_FILE_SCRIPT) }),
        )
        .route("/static/time-zone.js", get(|| async { asset("text/javascript; charset=utf-8", TIME_ZONE_SCRIPT) }))
        .route("/static/journal.js", get(|| async { asset("text/javascript; charset=utf-8", JOURNAL_SCRIPT) }))
        .route("/static/kit.js", get(|| async { asset("text/javascript; charset=utf-8", KIT_SCRIPT) }))
}

/// Assets change only with a release, and their URLs carry the version.
fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400")], body)
}
