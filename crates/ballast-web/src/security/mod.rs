//! Request-level protections: security headers, CSRF, cookies, tokens and password hashing.

pub mod cookies;
pub mod csrf;
pub mod headers;
pub mod passwords;
pub mod tokens;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// The one middleware every request passes through: CSRF checks on the way in, security
/// headers on the way out (on every response, rejections included). One layer rather than
/// two, because each axum middleware layer costs a boxed future per request.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = csrf::protect(&state, request, next).await;
    headers::apply(&state, response)
}
