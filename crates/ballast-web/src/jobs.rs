//! Background housekeeping: removing expired sessions and old throttle counts. Every
//! instance runs it; the deletes are idempotent, so several instances on one database only
//! repeat each other's work.

use std::time::Duration;

use jiff::Timestamp;

use crate::AppState;

const EVERY: Duration = Duration::from_secs(10 * 60);

pub fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(EVERY);
        loop {
            ticker.tick().await;
            tidy(&state).await;
        }
    });
}

async fn tidy(state: &AppState) {
    let now = Timestamp::now();
    let (idle_cutoff, absolute_cutoff) = state.config.sessions.expiry_cutoffs(now);
    match state.store.end_expired_sessions(idle_cutoff, absolute_cutoff).await {
        Ok(count) => tracing::debug!(count, "expired sessions removed"),
        Err(error) => tracing::warn!(%error, "could not remove expired sessions"),
    }
    match state.store.prune_login_failures(state.config.throttle.window_start(now)).await {
        Ok(count) => tracing::debug!(count, "old sign-in failures pruned"),
        Err(error) => tracing::warn!(%error, "could not prune sign-in failures"),
    }
}
