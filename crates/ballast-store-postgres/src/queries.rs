//! The `Store` implementation: one SQL statement (or one transaction) per operation.

use async_trait::async_trait;
use ballast_core::{Email, FailureCount, Role, SessionId, UserId};
use ballast_store::{
    Migration, MigrationReport, NewSession, NewUser, Session, SessionWithUser, Store, StoreError, StoreResult,
    ThrottleKey, TokenHash, User, UserCredentials, check_migrated,
};
use deadpool_postgres::GenericClient;
use jiff::Timestamp;
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

use crate::{FIRST_ACCOUNT_LOCK, PostgresStore, applied_version, apply_migrations, lock, map_error, message};

/// This backend's schema history, oldest first. Never edit a released migration; add one.
pub const MIGRATIONS: &[Migration] =
    &[Migration { version: 1, name: "accounts", sql: include_str!("../migrations/0001_accounts.sql") }];

const USER_COLUMNS: &str = "users.id, users.email, users.role, users.created_at";

fn get<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> StoreResult<T> {
    row.try_get(index).map_err(map_error)
}

fn timestamp(seconds: i64) -> StoreResult<Timestamp> {
    Timestamp::from_second(seconds).map_err(StoreError::backend)
}

fn invalid(what: &str) -> StoreError {
    message(format!("stored {what} is not valid"))
}

/// Reads the four `USER_COLUMNS` starting at `first`.
fn user_from(row: &Row, first: usize) -> StoreResult<User> {
    Ok(User {
        id: UserId(get(row, first)?),
        email: Email::parse(get(row, first + 1)?).map_err(|_| invalid("email"))?,
        role: Role::parse(get(row, first + 2)?).ok_or_else(|| invalid("role"))?,
        created_at: timestamp(get(row, first + 3)?)?,
    })
}

const SESSION_COLUMNS: &str =
    "sessions.id, sessions.user_id, sessions.created_at, sessions.last_seen_at, sessions.user_agent";

fn session_from(row: &Row) -> StoreResult<Session> {
    Ok(Session {
        id: SessionId(get(row, 0)?),
        user_id: UserId(get(row, 1)?),
        created_at: timestamp(get(row, 2)?)?,
        last_seen_at: timestamp(get(row, 3)?)?,
        user_agent: get(row, 4)?,
    })
}

/// Doubles any embedded quote, so a name read from the catalogue is always one identifier.
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> StoreResult<MigrationReport> {
        let mut client = self.client().await?;
        let (applied, current) = apply_migrations(&mut client, MIGRATIONS).await?;
        Ok(MigrationReport { applied, current })
    }

    async fn check_ready(&self) -> StoreResult<()> {
        let client = self.client().await?;
        let exists: bool = get(
            &client.query_one("SELECT to_regclass('ballast_migrations') IS NOT NULL", &[]).await.map_err(map_error)?,
            0,
        )?;
        let found = if exists { applied_version(&client).await? } else { 0 };
        check_migrated(found, MIGRATIONS)
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(map_error)?;
        // Two first sign-ups on different instances would each see an empty table; holding
        // this lock until commit makes the second wait and then see the first.
        lock(&transaction, FIRST_ACCOUNT_LOCK).await?;
        let is_first: bool =
            get(&transaction.query_one("SELECT NOT EXISTS (SELECT 1 FROM users)", &[]).await.map_err(map_error)?, 0)?;
        let role = if is_first { Role::Admin } else { Role::Member };
        let insert = transaction
            .prepare_cached(
                "INSERT INTO users (email, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .await
            .map_err(map_error)?;
        let row = transaction
            .query_one(
                &insert,
                &[&user.email.as_str(), &user.password_hash, &role.as_str(), &user.created_at.as_second()],
            )
            .await
            .map_err(map_error)?;
        let id = get(&row, 0)?;
        transaction.commit().await.map_err(map_error)?;
        Ok(User { id: UserId(id), email: user.email, role, created_at: user.created_at })
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"), &[&id.0])
            .await?
            .map(|row| user_from(&row, 0))
            .transpose()
    }

    async fn user_credentials(&self, email: &Email) -> StoreResult<Option<UserCredentials>> {
        self.query_opt(&format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1"), &[&email.as_str()])
            .await?
            .map(|row| Ok(UserCredentials { user: user_from(&row, 0)?, password_hash: get(&row, 4)? }))
            .transpose()
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        self.query_opt("SELECT password_hash FROM users WHERE id = $1", &[&id.0])
            .await?
            .map(|row| get(&row, 0))
            .transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        self.query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"), &[])
            .await?
            .iter()
            .map(|row| user_from(row, 0))
            .collect()
    }

    async fn set_password(&self, id: UserId, password_hash: &str, keep: Option<SessionId>) -> StoreResult<()> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(map_error)?;
        transaction
            .execute("UPDATE users SET password_hash = $1 WHERE id = $2", &[&password_hash, &id.0])
            .await
            .map_err(map_error)?;
        transaction
            .execute(
                "DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2",
                &[&id.0, &keep.map(|session| session.0)],
            )
            .await
            .map_err(map_error)?;
        transaction.commit().await.map_err(map_error)
    }

    async fn delete_user(&self, id: UserId) -> StoreResult<bool> {
        // Every per-person table references users(id) ON DELETE CASCADE.
        Ok(self.execute("DELETE FROM users WHERE id = $1", &[&id.0]).await? > 0)
    }

    async fn user_row_counts(&self, id: UserId) -> StoreResult<Vec<(String, u64)>> {
        let client = self.client().await?;
        let tables = client
            .query(
                "SELECT c.table_name::text
                 FROM information_schema.columns c
                 JOIN information_schema.tables t
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                 WHERE c.table_schema = current_schema()
                   AND c.column_name = 'user_id'
                   AND t.table_type = 'BASE TABLE'
                 ORDER BY 1",
                &[],
            )
            .await
            .map_err(map_error)?;
        let mut counts = Vec::with_capacity(tables.len());
        for row in tables {
            let table: String = get(&row, 0)?;
            // Table names come from the schema itself, not from input; quoted all the same.
            let counted = client
                .query_one(&format!("SELECT count(*) FROM {} WHERE user_id = $1", quote_identifier(&table)), &[&id.0])
                .await
                .map_err(map_error)?;
            let count: i64 = get(&counted, 0)?;
            counts.push((table, count as u64));
        }
        Ok(counts)
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<SessionId> {
        let row = self
            .query_one(
                "INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, user_agent)
                 VALUES ($1, $2, $3, $3, $4) RETURNING id",
                &[
                    &session.user_id.0,
                    &session.token.0.as_slice(),
                    &session.created_at.as_second(),
                    &session.user_agent,
                ],
            )
            .await?;
        Ok(SessionId(get(&row, 0)?))
    }

    async fn session_by_token(&self, token: &TokenHash) -> StoreResult<Option<SessionWithUser>> {
        self.query_opt(
            &format!(
                "SELECT {SESSION_COLUMNS}, {USER_COLUMNS} FROM sessions JOIN users ON users.id = sessions.user_id
                 WHERE sessions.token_hash = $1"
            ),
            &[&token.0.as_slice()],
        )
        .await?
        .map(|row| Ok(SessionWithUser { session: session_from(&row)?, user: user_from(&row, 5)? }))
        .transpose()
    }

    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()> {
        self.execute("UPDATE sessions SET last_seen_at = $1 WHERE id = $2", &[&at.as_second(), &id.0]).await?;
        Ok(())
    }

    async fn sessions_of(&self, user: UserId) -> StoreResult<Vec<Session>> {
        self.query(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY id"), &[&user.0])
            .await?
            .iter()
            .map(session_from)
            .collect()
    }

    async fn end_session(&self, user: UserId, id: SessionId) -> StoreResult<bool> {
        Ok(self.execute("DELETE FROM sessions WHERE id = $1 AND user_id = $2", &[&id.0, &user.0]).await? > 0)
    }

    async fn end_session_by_token(&self, token: &TokenHash) -> StoreResult<()> {
        self.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token.0.as_slice()]).await?;
        Ok(())
    }

    async fn end_expired_sessions(&self, idle_cutoff: Timestamp, absolute_cutoff: Timestamp) -> StoreResult<u64> {
        self.execute(
            "DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2",
            &[&idle_cutoff.as_second(), &absolute_cutoff.as_second()],
        )
        .await
    }

    async fn record_login_failure(&self, keys: &[ThrottleKey], at: Timestamp) -> StoreResult<()> {
        // One statement for every key, so a failure is counted against all of them or none.
        let keys: Vec<&[u8]> = keys.iter().map(|key| key.0.as_slice()).collect();
        self.execute("INSERT INTO login_failures (key, at) SELECT unnest($1::bytea[]), $2", &[&keys, &at.as_second()])
            .await?;
        Ok(())
    }

    async fn login_failures(&self, key: &ThrottleKey, since: Timestamp) -> StoreResult<FailureCount> {
        let row = self
            .query_one(
                "SELECT count(*), min(at) FROM login_failures WHERE key = $1 AND at >= $2",
                &[&key.0.as_slice(), &since.as_second()],
            )
            .await?;
        let count: i64 = get(&row, 0)?;
        let oldest: Option<i64> = get(&row, 1)?;
        Ok(FailureCount { count: u32::try_from(count).unwrap_or(u32::MAX), oldest: oldest.map(timestamp).transpose()? })
    }

    async fn clear_login_failures(&self, key: &ThrottleKey) -> StoreResult<()> {
        self.execute("DELETE FROM login_failures WHERE key = $1", &[&key.0.as_slice()]).await?;
        Ok(())
    }

    async fn prune_login_failures(&self, before: Timestamp) -> StoreResult<u64> {
        self.execute("DELETE FROM login_failures WHERE at < $1", &[&before.as_second()]).await
    }
}
