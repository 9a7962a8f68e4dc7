//! Ballast's web application: server-rendered pages for people, `/api/v1` JSON for
//! integrations, and everything that keeps both safe (sessions, CSRF, security headers,
//! throttling, body limits).
//!
//! Requests flow one way: parse into core types (rejecting bad input with a message) →
//! decide in `ballast-core` → persist through the [`Store`](ballast_store::Store) → render.

mod api;
mod assessing;
mod auth;
mod catalogue;
mod charts;
mod checking_in;
mod config;
mod error;
mod forms;
mod jobs;
mod journal_keys;
pub mod keys;
mod mail;
mod pages;
mod reminder_events;
mod render;
mod security;
mod state;
mod support;
mod vault;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;

pub use config::{MailConfig, WebConfig};
pub use jobs::{ReminderRun, run_reminders_once};
pub use mail::Mailer;
pub use security::passwords::temporary_password;
pub use state::AppState;

/// The whole application, ready to serve.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), security::guard))
        .with_state(state)
}

/// Serves until the process is asked to stop. Binds first so the caller can print the address.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    // Load and check the bundled instruments now, so a broken one is reported at start-up
    // (and left out) rather than on first use.
    let instruments = catalogue::bundled().len();
    tracing::info!(instruments, "bundled instruments loaded");
    jobs::spawn_housekeeping(state.clone());
    if state.config.background_jobs {
        jobs::spawn_reminders(state.clone());
    }
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
