//! Background work. Two loops run on every instance:
//!
//! - housekeeping: removing expired sessions and old throttle counts. The deletes are
//!   idempotent, so several instances on one database only repeat each other's work;
//! - reminders, when the operator configured email: a scheduler pass enqueues each person's
//!   check-in email once per local day (the store refuses a second job with the same person,
//!   kind and day), then a runner claims due jobs with a lease and sends them. The store
//!   hands each job to one runner only, so several instances never send a reminder twice;
//!   a failed send is tried again later, waiting twice as long each time, up to
//!   `MAX_EMAIL_ATTEMPTS` tries.
//!
//! [`run_reminders_once`] is one pass of the reminder loop, public so tests (and the loop)
//! drive it with a chosen time instead of waiting.

use std::time::Duration;

use ballast_core::reminders::{email_reminder_due, retry_after};
use ballast_store::{Job, NewJob};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::WebError;
use crate::mail::check_in_reminder;

const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(10 * 60);
const REMINDERS_EVERY: Duration = Duration::from_secs(60);
/// How long finished jobs (sent reminders, given-up ones) are kept.
const FINISHED_JOBS_KEPT: SignedDuration = SignedDuration::from_hours(30 * 24);
/// How long a runner holds a claimed job: longer than one send may take (its timeout is 30
/// seconds), so a job is only taken over from a runner that has stopped.
const LEASE: SignedDuration = SignedDuration::from_mins(5);
/// Jobs claimed at a time by one runner.
const BATCH: u32 = 20;
/// The job that sends a person's daily check-in email.
pub const CHECK_IN_EMAIL: &str = "check-in-email";

pub fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(HOUSEKEEPING_EVERY);
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
    // A finished job is only history; a month of it is plenty to look into a problem.
    match state.store.prune_finished_jobs(now - FINISHED_JOBS_KEPT).await {
        Ok(count) => tracing::debug!(count, "old finished jobs pruned"),
        Err(error) => tracing::warn!(%error, "could not prune finished jobs"),
    }
}

/// Starts the reminder loop, if this instance sends email at all.
pub fn spawn_reminders(state: AppState) {
    if state.mailer.is_none() {
        return;
    }
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(REMINDERS_EVERY);
        loop {
            ticker.tick().await;
            run_reminders_once(&state, Timestamp::now()).await;
        }
    });
}

/// What one pass did, for logs and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderRun {
    /// New jobs enqueued by this pass (not ones another instance enqueued first).
    pub enqueued: u32,
    pub sent: u32,
    /// Failed sends, retried later or given up.
    pub failed: u32,
    /// Jobs finished without sending: email turned off since, or already checked in.
    pub skipped: u32,
}

/// One pass of the reminder loop at `now`: enqueue what is due, then run what is ready.
/// Does nothing when this instance sends no email.
pub async fn run_reminders_once(state: &AppState, now: Timestamp) -> ReminderRun {
    let mut run = ReminderRun::default();
    if state.mailer.is_none() {
        return run;
    }
    match schedule(state, now).await {
        Ok(enqueued) => run.enqueued = enqueued,
        Err(error) => tracing::warn!(%error, "could not schedule reminders"),
    }
    if let Err(error) = run_ready_jobs(state, now, &mut run).await {
        tracing::warn!(%error, "could not run reminder jobs");
    }
    if run != ReminderRun::default() {
        tracing::info!(?run, "reminders");
    }
    run
}

/// A check-in email's payload: the person's local day it is for. Nothing else.
#[derive(Debug, Serialize, Deserialize)]
struct CheckInEmail {
    day: jiff::civil::Date,
}

async fn schedule(state: &AppState, now: Timestamp) -> Result<u32, WebError> {
    let mut enqueued = 0;
    for (user, at) in state.store.email_reminder_recipients().await? {
        let local = now.to_zoned(user.time_zone.zone()).datetime();
        if !email_reminder_due(at, local) || state.store.check_in(user.id, local.date()).await?.is_some() {
            continue;
        }
        let payload = serde_json::to_string(&CheckInEmail { day: local.date() }).map_err(WebError::internal)?;
        let job = NewJob {
            kind: CHECK_IN_EMAIL.into(),
            user_id: user.id,
            dedupe: local.date().to_string(),
            payload,
            run_at: now,
            created_at: now,
        };
        if state.store.enqueue_job(&job).await? {
            enqueued += 1;
        }
    }
    Ok(enqueued)
}

async fn run_ready_jobs(state: &AppState, now: Timestamp, run: &mut ReminderRun) -> Result<(), WebError> {
    let owner = state.runner_id.as_str();
    loop {
        let jobs = state.store.claim_jobs(owner, now, now + LEASE, BATCH).await?;
        if jobs.is_empty() {
            return Ok(());
        }
        for job in jobs {
            match attempt(state, &job).await {
                Ok(Outcome::Sent) => {
                    state.store.finish_job(job.id, owner, now, None).await?;
                    run.sent += 1;
                }
                Ok(Outcome::NotWanted(why)) => {
                    state.store.finish_job(job.id, owner, now, Some(why)).await?;
                    run.skipped += 1;
                }
                Err(error) => {
                    // The server's words, never the message: they hold no personal details.
                    tracing::warn!(job = job.id.0, attempts = job.attempts, %error, "a reminder email failed");
                    let retry_at = retry_after(job.attempts).map(|wait| now + wait);
                    state.store.fail_job(job.id, owner, &error, retry_at, now).await?;
                    run.failed += 1;
                }
            }
        }
    }
}

enum Outcome {
    Sent,
    NotWanted(&'static str),
}

async fn attempt(state: &AppState, job: &Job) -> Result<Outcome, String> {
    if job.kind != CHECK_IN_EMAIL {
        return Err(format!("this version of Ballast does not know jobs of kind {:?}", job.kind));
    }
    let Some(mailer) = &state.mailer else { return Ok(Outcome::NotWanted("this instance sends no email")) };
    let payload: CheckInEmail = serde_json::from_str(&job.payload).map_err(|error| format!("payload: {error}"))?;
    let store = &state.store;
    let user = store.user(job.user_id).await.map_err(|error| error.to_string())?;
    let settings = store.reminder_settings(job.user_id).await.map_err(|error| error.to_string())?;
    let (Some(user), Some(settings)) = (user, settings) else { return Ok(Outcome::NotWanted("no longer wanted")) };
    // The person may have changed their mind, or checked in, since the job was made.
    if !settings.email || settings.check_in_at.is_none() {
        return Ok(Outcome::NotWanted("email reminders were turned off"));
    }
    if store.check_in(user.id, payload.day).await.map_err(|error| error.to_string())?.is_some() {
        return Ok(Outcome::NotWanted("already checked in"));
    }
    let (subject, body) = check_in_reminder(state.config.public_url.as_deref());
    mailer.send(&user.email, subject, body).await.map(|()| Outcome::Sent)
}
