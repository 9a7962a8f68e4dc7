//! The `Store` implementation: one SQL statement (or one transaction) per operation.

use async_trait::async_trait;
use ballast_core::{Email, FailureCount, Role, SessionId, UserId};
use ballast_store::{
    Migration, MigrationReport, NewSession, NewUser, Session, SessionWithUser, Store, StoreResult, ThrottleKey,
    TokenHash, User, UserCredentials, check_migrated,
};
use jiff::Timestamp;
use rusqlite::{OptionalExtension, Row, params};

use crate::{SqliteStore, applied_version, apply_migrations};

/// This backend's schema history, oldest first. Never edit a released migration; add one.
pub const MIGRATIONS: &[Migration] =
    &[Migration { version: 1, name: "accounts", sql: include_str!("../migrations/0001_accounts.sql") }];

/// Column lists shared by several queries, as macros so each query is one literal at compile
/// time (the statement cache is keyed by SQL text; building it per call would cost an
/// allocation on every request).
macro_rules! user_columns {
    () => {
        "users.id, users.email, users.role, users.created_at"
    };
}
macro_rules! session_columns {
    () => {
        "sessions.id, sessions.user_id, sessions.created_at, sessions.last_seen_at, sessions.user_agent"
    };
}

fn timestamp(seconds: i64) -> rusqlite::Result<Timestamp> {
    Timestamp::from_second(seconds).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn invalid(column: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("stored {what} is not valid").into(),
    )
}

/// Reads the four `user_columns!()` starting at `first`.
fn user_from(row: &Row<'_>, first: usize) -> rusqlite::Result<User> {
    let email: String = row.get(first + 1)?;
    let role: String = row.get(first + 2)?;
    Ok(User {
        id: UserId(row.get(first)?),
        email: Email::parse(&email).map_err(|_| invalid(first + 1, "email"))?,
        role: Role::parse(&role).ok_or_else(|| invalid(first + 2, "role"))?,
        created_at: timestamp(row.get(first + 3)?)?,
    })
}

fn session_from(row: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: SessionId(row.get(0)?),
        user_id: UserId(row.get(1)?),
        created_at: timestamp(row.get(2)?)?,
        last_seen_at: timestamp(row.get(3)?)?,
        user_agent: row.get(4)?,
    })
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StoreResult<MigrationReport> {
        let (applied, current) = self.write(|tx| apply_migrations(tx, MIGRATIONS)).await?;
        Ok(MigrationReport { applied, current })
    }

    async fn check_ready(&self) -> StoreResult<()> {
        let found = self
            .read(|c| {
                let exists: bool = c.query_row(
                    "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ballast_migrations')",
                    [],
                    |row| row.get(0),
                )?;
                if exists { applied_version(c) } else { Ok(0) }
            })
            .await?;
        check_migrated(found, MIGRATIONS)
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        self.write(move |tx| {
            let is_first: bool = tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))?;
            let role = if is_first { Role::Admin } else { Role::Member };
            let id = tx.query_row(
                "INSERT INTO users (email, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                params![user.email.as_str(), user.password_hash, role.as_str(), user.created_at.as_second()],
                |row| row.get(0),
            )?;
            Ok(User { id: UserId(id), email: user.email, role, created_at: user.created_at })
        })
        .await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.read(move |c| {
            c.prepare_cached(concat!("SELECT ", user_columns!(), " FROM users WHERE id = ?1"))?
                .query_row([id.0], |row| user_from(row, 0))
                .optional()
        })
        .await
    }

    async fn user_credentials(&self, email: &Email) -> StoreResult<Option<UserCredentials>> {
        let email = email.as_str().to_owned();
        self.read(move |c| {
            c.prepare_cached(concat!("SELECT ", user_columns!(), ", password_hash FROM users WHERE email = ?1"))?
                .query_row([email], |row| Ok(UserCredentials { user: user_from(row, 0)?, password_hash: row.get(4)? }))
                .optional()
        })
        .await
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        self.read(move |c| {
            c.prepare_cached("SELECT password_hash FROM users WHERE id = ?1")?
                .query_row([id.0], |row| row.get(0))
                .optional()
        })
        .await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        self.read(|c| {
            c.prepare_cached(concat!("SELECT ", user_columns!(), " FROM users ORDER BY id"))?
                .query_map([], |row| user_from(row, 0))?
                .collect()
        })
        .await
    }

    async fn set_password(&self, id: UserId, password_hash: &str, keep: Option<SessionId>) -> StoreResult<()> {
        let password_hash = password_hash.to_owned();
        self.write(move |tx| {
            tx.execute("UPDATE users SET password_hash = ?1 WHERE id = ?2", params![password_hash, id.0])?;
            tx.execute(
                "DELETE FROM sessions WHERE user_id = ?1 AND id IS NOT ?2",
                params![id.0, keep.map(|session| session.0)],
            )?;
            Ok(())
        })
        .await
    }

    async fn delete_user(&self, id: UserId) -> StoreResult<bool> {
        // Every per-person table references users(id) ON DELETE CASCADE.
        self.write(move |tx| Ok(tx.execute("DELETE FROM users WHERE id = ?1", [id.0])? > 0)).await
    }

    async fn user_row_counts(&self, id: UserId) -> StoreResult<Vec<(String, u64)>> {
        self.read(move |c| {
            let tables: Vec<String> = c
                .prepare(
                    "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                     WHERE m.type = 'table' AND p.name = 'user_id' ORDER BY m.name",
                )?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            tables
                .into_iter()
                .map(|table| {
                    // Table names come from the schema itself, not from input.
                    let count: i64 =
                        c.query_row(&format!("SELECT count(*) FROM \"{table}\" WHERE user_id = ?1"), [id.0], |row| {
                            row.get(0)
                        })?;
                    Ok((table, count as u64))
                })
                .collect()
        })
        .await
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<SessionId> {
        self.write(move |tx| {
            let id = tx.query_row(
                "INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, user_agent)
                 VALUES (?1, ?2, ?3, ?3, ?4) RETURNING id",
                params![session.user_id.0, session.token.0, session.created_at.as_second(), session.user_agent],
                |row| row.get(0),
            )?;
            Ok(SessionId(id))
        })
        .await
    }

    async fn session_by_token(&self, token: &TokenHash) -> StoreResult<Option<SessionWithUser>> {
        let token = *token;
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                session_columns!(),
                ", ",
                user_columns!(),
                " FROM sessions JOIN users ON users.id = sessions.user_id WHERE sessions.token_hash = ?1"
            ))?
            .query_row([token.0], |row| Ok(SessionWithUser { session: session_from(row)?, user: user_from(row, 5)? }))
            .optional()
        })
        .await
    }

    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()> {
        self.write(move |tx| {
            tx.execute("UPDATE sessions SET last_seen_at = ?1 WHERE id = ?2", [at.as_second(), id.0])?;
            Ok(())
        })
        .await
    }

    async fn sessions_of(&self, user: UserId) -> StoreResult<Vec<Session>> {
        self.read(move |c| {
            c.prepare_cached(concat!("SELECT ", session_columns!(), " FROM sessions WHERE user_id = ?1 ORDER BY id"))?
                .query_map([user.0], session_from)?
                .collect()
        })
        .await
    }

    async fn end_session(&self, user: UserId, id: SessionId) -> StoreResult<bool> {
        self.write(move |tx| Ok(tx.execute("DELETE FROM sessions WHERE id = ?1 AND user_id = ?2", [id.0, user.0])? > 0))
            .await
    }

    async fn end_session_by_token(&self, token: &TokenHash) -> StoreResult<()> {
        let token = *token;
        self.write(move |tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token.0])?;
            Ok(())
        })
        .await
    }

    async fn end_expired_sessions(&self, idle_cutoff: Timestamp, absolute_cutoff: Timestamp) -> StoreResult<u64> {
        self.write(move |tx| {
            let removed = tx.execute(
                "DELETE FROM sessions WHERE last_seen_at <= ?1 OR created_at <= ?2",
                [idle_cutoff.as_second(), absolute_cutoff.as_second()],
            )?;
            Ok(removed as u64)
        })
        .await
    }

    async fn record_login_failure(&self, keys: &[ThrottleKey], at: Timestamp) -> StoreResult<()> {
        let keys = keys.to_vec();
        self.write(move |tx| {
            let mut insert = tx.prepare_cached("INSERT INTO login_failures (key, at) VALUES (?1, ?2)")?;
            for key in keys {
                insert.execute(params![key.0, at.as_second()])?;
            }
            Ok(())
        })
        .await
    }

    async fn login_failures(&self, key: &ThrottleKey, since: Timestamp) -> StoreResult<FailureCount> {
        let key = *key;
        self.read(move |c| {
            c.prepare_cached("SELECT count(*), min(at) FROM login_failures WHERE key = ?1 AND at >= ?2")?.query_row(
                params![key.0, since.as_second()],
                |row| {
                    let count: i64 = row.get(0)?;
                    let oldest: Option<i64> = row.get(1)?;
                    Ok(FailureCount { count: count as u32, oldest: oldest.map(timestamp).transpose()? })
                },
            )
        })
        .await
    }

    async fn clear_login_failures(&self, key: &ThrottleKey) -> StoreResult<()> {
        let key = *key;
        self.write(move |tx| {
            tx.execute("DELETE FROM login_failures WHERE key = ?1", [key.0])?;
            Ok(())
        })
        .await
    }

    async fn prune_login_failures(&self, before: Timestamp) -> StoreResult<u64> {
        self.write(move |tx| Ok(tx.execute("DELETE FROM login_failures WHERE at < ?1", [before.as_second()])? as u64))
            .await
    }
}
