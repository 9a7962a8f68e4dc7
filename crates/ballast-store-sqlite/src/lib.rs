//! The embedded SQLite store: Ballast's zero-set-up default.
//!
//! One file in the data folder, in WAL mode with `synchronous=FULL`, so a commit that returned
//! has reached the disk. All writes go through one connection (SQLite allows one writer at a
//! time anyway, and queueing in-process is cheaper than lock retries); reads use a small pool
//! of read-only connections. rusqlite is blocking, so every call runs on Tokio's blocking pool.

mod queries;
mod session_cache;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ballast_store::{Migration, StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use queries::MIGRATIONS;

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "ballast.sqlite3";

/// How many idle read connections to keep.
const MAX_IDLE_READERS: usize = 8;

#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    sessions: session_cache::SessionCache,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir`, creating the folder too.
    pub fn open_in(data_dir: &Path) -> StoreResult<SqliteStore> {
        std::fs::create_dir_all(data_dir).map_err(StoreError::backend)?;
        SqliteStore::open(&data_dir.join(DATABASE_FILE))
    }

    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        let writer = Connection::open(path).map_err(StoreError::backend)?;
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA busy_timeout = 5000;",
            )
            .map_err(StoreError::backend)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
                sessions: session_cache::SessionCache::default(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    fn sessions(&self) -> &session_cache::SessionCache {
        &self.inner.sessions
    }

    /// Runs `f` on a read-only connection, on the calling task. Ballast's reads are indexed
    /// lookups that take microseconds, far less than handing them to another thread would
    /// cost; in WAL mode they never wait for the writer.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let connection = self.inner.take_reader()?;
        let result = f(&connection);
        self.inner.return_reader(connection);
        result.map_err(map_error)
    }

    /// Runs `f` inside one write transaction, committed only if `f` succeeds.
    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        run_blocking(move || {
            let mut connection = inner.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(map_error)?;
            let value = f(&transaction).map_err(map_error)?;
            transaction.commit().map_err(map_error)?;
            inner.sessions.forget_all();
            Ok(value)
        })
        .await
    }
}

impl Inner {
    fn take_reader(&self) -> StoreResult<Connection> {
        if let Some(connection) = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            return Ok(connection);
        }
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(StoreError::backend)?;
        connection
            .execute_batch("PRAGMA query_only = ON; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
            .map_err(StoreError::backend)?;
        Ok(connection)
    }

    fn return_reader(&self, connection: Connection) {
        let mut readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if readers.len() < MAX_IDLE_READERS {
            readers.push(connection);
        }
    }
}

async fn run_blocking<T: Send + 'static>(f: impl FnOnce() -> StoreResult<T> + Send + 'static) -> StoreResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(StoreError::backend)?
}

fn map_error(error: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, Some(message)) = &error
        && failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        && message.contains("users.email")
    {
        return StoreError::Conflict("email");
    }
    StoreError::backend(error)
}

fn applied_version(connection: &Connection) -> rusqlite::Result<i64> {
    connection.query_row("SELECT coalesce(max(version), 0) FROM ballast_migrations", [], |row| row.get(0))
}

fn apply_migrations(transaction: &Transaction<'_>, migrations: &[Migration]) -> rusqlite::Result<(Vec<i64>, i64)> {
    transaction.execute_batch(
        "CREATE TABLE IF NOT EXISTS ballast_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT    NOT NULL,
             applied_at INTEGER NOT NULL
         )",
    )?;
    let start = applied_version(transaction)?;
    let mut current = start;
    let mut applied = Vec::new();
    for migration in migrations.iter().filter(|m| m.version > start) {
        transaction.execute_batch(migration.sql)?;
        transaction.execute(
            "INSERT INTO ballast_migrations (version, name, applied_at) VALUES (?1, ?2, unixepoch())",
            (migration.version, migration.name),
        )?;
        applied.push(migration.version);
        current = migration.version;
    }
    Ok((applied, current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durable_settings_are_on() {
        let folder = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_in(&folder.path().join("nested/data")).unwrap();
        let writer = store.inner.writer.lock().unwrap();
        let journal: String = writer.query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
        let synchronous: i64 = writer.query_row("PRAGMA synchronous", [], |row| row.get(0)).unwrap();
        let foreign_keys: i64 = writer.query_row("PRAGMA foreign_keys", [], |row| row.get(0)).unwrap();
        assert_eq!(journal, "wal");
        assert_eq!(synchronous, 2, "FULL");
        assert_eq!(foreign_keys, 1);
        assert!(store.path().ends_with("nested/data/ballast.sqlite3"));
    }
}
