//! Liveness and readiness for load balancers and orchestrators.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// The process is up and answering.
async fn healthz() -> &'static str {
    "ok\n"
}

/// The database answers and its schema is the one this build expects.
async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    match state.store.check_ready().await {
        Ok(()) => (StatusCode::OK, format!("ready ({})\n", state.store.backend())),
        Err(error) => {
            tracing::warn!(%error, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {error}\n"))
        }
    }
}
