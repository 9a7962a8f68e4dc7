//! The embedded SQLite store: Ballast's zero-set-up default.
//!
//! One file in the data folder, in WAL mode with `synchronous=FULL`, so a commit that returned
//! has reached the disk. All writes go through one connection (SQLite allows one writer at a
//! time anyway, and queueing in-process is cheaper than lock retries); reads use a small pool
//! of read-only connections. rusqlite is blocking, so every call runs on Tokio's blocking pool.

mod queries;
mod session_cache;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ballast_store::{Migration, StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use writer::Touches;

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
    writer: writer::Writer,
    readers: Mutex<Vec<Connection>>,
    sessions: Arc<session_cache::SessionCache>,
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
        let sessions = Arc::new(session_cache::SessionCache::default());
        let after_commit = {
            let sessions = sessions.clone();
            move || sessions.forget_all()
        };
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: writer::Writer::start(writer, after_commit),
                readers: Mutex::new(Vec::new()),
                sessions,
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

    /// Runs `f` as one write, committed (durably) before this returns; see [`writer`] for
    /// how concurrent writes share a commit. Empties the session cache after the commit.
    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.inner.writer.write(Touches::AccountsOrSessions, move |connection| f(connection).map_err(map_error)).await
    }

    /// [`write`](Self::write) for a write that touches neither `users` nor `sessions`, so the
    /// session cache stays as it is. Only for the busiest writes (a check-in, an assessment);
    /// anything in doubt uses `write`.
    async fn write_elsewhere<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.inner.writer.write(Touches::OtherTablesOnly, move |connection| f(connection).map_err(map_error)).await
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

fn apply_migrations(transaction: &Connection, migrations: &[Migration]) -> rusqlite::Result<(Vec<i64>, i64)> {
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

    #[tokio::test]
    async fn durable_settings_are_on() {
        let folder = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_in(&folder.path().join("nested/data")).unwrap();
        let (journal, synchronous, foreign_keys) = store
            .write(|c| {
                let journal: String = c.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
                let synchronous: i64 = c.query_row("PRAGMA synchronous", [], |row| row.get(0))?;
                let foreign_keys: i64 = c.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
                Ok((journal, synchronous, foreign_keys))
            })
            .await
            .unwrap();
        assert_eq!(journal, "wal");
        assert_eq!(synchronous, 2, "FULL");
        assert_eq!(foreign_keys, 1);
        assert!(store.path().ends_with("nested/data/ballast.sqlite3"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_share_commits_and_a_failing_one_spoils_nothing() {
        let folder = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_in(folder.path()).unwrap();
        store.write(|c| c.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)")).await.unwrap();
        let writes: Vec<_> = (0..200)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .write(move |c| {
                            c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                            if n % 10 == 0 {
                                // A failure after its own insert: only this write is undone.
                                c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                            }
                            Ok(n)
                        })
                        .await
                })
            })
            .collect();
        let mut failed = 0;
        for write in writes {
            if write.await.unwrap().is_err() {
                failed += 1;
            }
        }
        assert_eq!(failed, 20);
        let count: i64 = store.read(|c| c.query_row("SELECT count(*) FROM t", [], |row| row.get(0))).await.unwrap();
        assert_eq!(count, 180, "every successful write is there, no failed one left a row");
        let panicked = store.write(|_| -> rusqlite::Result<()> { panic!("a bug in a write") }).await;
        assert!(panicked.is_err());
        store.write(|c| c.execute("INSERT INTO t (n) VALUES (1000)", [])).await.expect("the writer survives a panic");
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn check_ins_keep_the_session_cache_and_signing_out_empties_it() {
        use ballast_core::checkin::{CheckIn, Level};
        use ballast_store::{NewSession, NewUser, Store, StoredCheckIn, TokenHash};

        let folder = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_in(folder.path()).unwrap();
        store.migrate().await.unwrap();
        let now = jiff::Timestamp::now();
        let user = store
            .create_user(NewUser {
                email: ballast_core::Email::parse("ana@example.org").unwrap(),
                password_hash: "x".into(),
                time_zone: ballast_core::TimeZoneName::utc(),
                created_at: now,
            })
            .await
            .unwrap();
        let token = TokenHash([7; 32]);
        let session = NewSession { user_id: user.id, token, created_at: now, user_agent: "test".into() };
        store.create_session(session).await.unwrap();
        assert!(store.session_by_token(&token).await.unwrap().is_some());
        assert!(store.sessions().get(&token).is_ok(), "the lookup was cached");

        let check_in = StoredCheckIn {
            user_id: user.id,
            day: jiff::civil::date(2026, 11, 22),
            values: CheckIn::new(Level::new(5).unwrap()),
            restorer: None,
            note: None,
            backfilled: false,
            created_at: now,
            updated_at: now,
        };
        store.insert_check_in(check_in).await.unwrap();
        assert!(store.sessions().get(&token).is_ok(), "a check-in leaves the cache alone");

        store.end_session_by_token(&token).await.unwrap();
        assert!(store.sessions().get(&token).is_err(), "signing out empties it");
        assert!(store.session_by_token(&token).await.unwrap().is_none(), "and the session is gone at once");
    }
}
