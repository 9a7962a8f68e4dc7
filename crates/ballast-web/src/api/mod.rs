//! `/api/v1`: JSON for integrations. Authenticated by the session cookie for now; errors are
//! RFC 9457 problem+json. The description lives in `openapi.json` beside this module.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get};
use axum::{Json, Router};
use ballast_core::SessionId;
use serde::Serialize;

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};

const OPENAPI: &str = include_str!("openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }))
        .route("/me", get(me))
        .route("/sessions", get(sessions))
        .route("/sessions/{id}", delete(end_session))
}

#[derive(Serialize)]
struct Me {
    id: i64,
    email: String,
    role: &'static str,
    created_at: String,
}

async fn me(ApiCaller(current): ApiCaller) -> Json<Me> {
    let user = current.user;
    Json(Me {
        id: user.id.0,
        email: user.email.to_string(),
        role: user.role.as_str(),
        created_at: user.created_at.to_string(),
    })
}

#[derive(Serialize)]
struct SessionView {
    id: i64,
    device: String,
    created_at: String,
    last_seen_at: String,
    current: bool,
}

async fn sessions(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    let sessions = state.store.sessions_of(current.user.id).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|session| SessionView {
                id: session.id.0,
                current: session.id == current.session.id,
                device: session.user_agent,
                created_at: session.created_at.to_string(),
                last_seen_at: session.last_seen_at.to_string(),
            })
            .collect(),
    ))
}

async fn end_session(
    State(state): State<AppState>,
    ApiCaller(current): ApiCaller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = id.parse::<i64>().map(SessionId).map_err(|_| WebError::NotFound)?;
    if state.store.end_session(current.user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(WebError::NotFound.into())
    }
}
