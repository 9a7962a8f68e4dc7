//! The single writer, with group commit.
//!
//! SQLite allows one writer at a time, and with `synchronous=FULL` each commit waits for the
//! disk. So one thread owns the write connection and takes every write job from a queue;
//! jobs that arrive while a commit is in progress are run together in the next transaction,
//! each inside its own savepoint, and share one commit and one fsync. A job that fails rolls
//! back only its savepoint. Every caller hears back only after the commit that holds its
//! write has returned, so "saved" still means durable.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use ballast_store::{StoreError, StoreResult};
use rusqlite::Connection;
use tokio::sync::oneshot;

/// Most jobs in one transaction; bounds the latency a large burst adds to its first job.
const MAX_BATCH: usize = 256;

/// What a job hands back after running: called once the batch's commit has (or has not)
/// succeeded, to answer the caller.
type Completion = Box<dyn FnOnce(Result<(), &str>) + Send>;

/// A queued write. Given the connection (inside the batch's transaction) it runs and returns
/// its completion and whether the transaction is still sound; given `None` (the transaction
/// could not start) it does not run and only returns its completion.
type Job = Box<dyn FnOnce(Option<&Connection>) -> (Completion, bool) + Send>;

/// Whether a write may change what the store's read cache holds (accounts and sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touches {
    /// It may: the cache is emptied after its commit. The safe default.
    AccountsOrSessions,
    /// It writes only other tables (check-ins, assessments, …), so the cache stays valid.
    OtherTablesOnly,
}

pub struct Writer {
    jobs: mpsc::Sender<(Job, Touches)>,
}

impl Writer {
    /// Starts the writer thread. `after_commit` runs after every successful commit that held a
    /// write marked [`Touches::AccountsOrSessions`], before any caller is answered (the store
    /// empties its read cache there).
    pub fn start(connection: Connection, after_commit: impl Fn() + Send + 'static) -> Writer {
        let (jobs, queue) = mpsc::channel::<(Job, Touches)>();
        std::thread::Builder::new()
            .name("ballast-sqlite-writer".into())
            .spawn(move || run(connection, queue, after_commit))
            .expect("the operating system can start a thread");
        Writer { jobs }
    }

    /// Runs `f` in a savepoint of the next batch and returns its value once committed.
    pub async fn write<T, F>(&self, touches: Touches, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<StoreResult<T>>();
        let job: Job = Box::new(move |connection| {
            let (outcome, sound) = match connection {
                Some(connection) => in_savepoint(connection, f),
                None => (Err(StoreError::backend(CommitFailed("the transaction could not start".into()))), true),
            };
            let complete: Completion = Box::new(move |committed: Result<(), &str>| {
                let result = match (outcome, committed) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Err(error), _) => Err(error),
                    (Ok(_), Err(message)) => Err(StoreError::backend(CommitFailed(message.to_owned()))),
                };
                let _ = reply.send(result);
            });
            (complete, sound)
        });
        let job = (job, touches);
        self.jobs.send(job).map_err(|_| StoreError::backend(CommitFailed("the writer has stopped".into())))?;
        answer.await.map_err(|_| StoreError::backend(CommitFailed("the writer has stopped".into())))?
    }
}

#[derive(Debug, thiserror::Error)]
#[error("commit failed: {0}")]
struct CommitFailed(String);

/// Runs one job in its own savepoint, so its failure (or panic) leaves the others intact.
/// The flag is false if the savepoint itself could not be closed, in which case the whole
/// batch must be rolled back rather than risk committing half a write.
fn in_savepoint<T>(
    connection: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> (Result<T, StoreError>, bool) {
    if let Err(error) = connection.execute_batch("SAVEPOINT job") {
        return (Err(StoreError::backend(error)), true);
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| f(connection)))
        .unwrap_or_else(|_| Err(StoreError::backend(CommitFailed("a write panicked".into()))));
    let finish = if outcome.is_ok() { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
    match connection.execute_batch(finish) {
        Ok(()) => (outcome, true),
        Err(error) => (Err(StoreError::backend(error)), false),
    }
}

fn run(connection: Connection, queue: mpsc::Receiver<(Job, Touches)>, after_commit: impl Fn()) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(error) = connection.execute_batch("BEGIN IMMEDIATE") {
            let message = error.to_string();
            for (job, _) in batch {
                let (complete, _) = job(None);
                complete(Err(&message));
            }
            continue;
        }
        let invalidates = batch.iter().any(|(_, touches)| *touches == Touches::AccountsOrSessions);
        let ran: Vec<(Completion, bool)> = batch.into_iter().map(|(job, _)| job(Some(&connection))).collect();
        let sound = ran.iter().all(|(_, sound)| *sound);
        let committed = if sound {
            connection.execute_batch("COMMIT").map_err(|error| error.to_string())
        } else {
            Err("a write could not be undone cleanly, so the batch was rolled back".to_owned())
        };
        if committed.is_ok() {
            if invalidates {
                after_commit();
            }
        } else {
            let _ = connection.execute_batch("ROLLBACK");
        }
        if let Err(message) = &committed {
            tracing::error!(%message, "a write batch failed to commit");
        }
        for (complete, _) in ran {
            complete(committed.as_ref().map(|_| ()).map_err(String::as_str));
        }
    }
}
