//! The storage boundary. [`Store`] is everything Ballast asks of a database; each backend
//! crate implements it, and [`conformance`] holds the tests every backend must pass.
//!
//! Records here are plain data. Values that were parsed at the edge (emails, ids) keep their
//! core types so that nothing read back from a store needs checking again.

#[cfg(feature = "conformance")]
pub mod conformance;
mod migration;
mod records;

use async_trait::async_trait;
use ballast_core::{Email, FailureCount, SessionId, UserId};
use jiff::Timestamp;

pub use migration::{Migration, MigrationReport, check_migrated};
pub use records::{NewSession, NewUser, Session, SessionWithUser, ThrottleKey, TokenHash, User, UserCredentials};

/// Why a store operation failed. Web handlers map these to responses in one place.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value (named here, e.g. "email") is already taken.
    #[error("that {0} is already in use")]
    Conflict(&'static str),
    /// The schema is older (or newer) than this build expects.
    #[error(
        "the database schema is at version {found}; this build of Ballast needs version {expected} (run `ballast migrate`)"
    )]
    NotMigrated { found: i64, expected: i64 },
    /// The database could not be reached or refused the operation.
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Backend(Box::new(error))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything Ballast persists. Implementations must be safe to share between many
/// concurrent requests and, for PostgreSQL, between several processes: no state that
/// matters may live only in one process's memory.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A short name for logs and `/readyz`: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;

    // --- schema --------------------------------------------------------------------------

    /// Applies any migrations this build carries that the database lacks.
    async fn migrate(&self) -> StoreResult<MigrationReport>;
    /// Succeeds when the database answers and its schema is exactly what this build expects.
    async fn check_ready(&self) -> StoreResult<()>;

    // --- accounts ------------------------------------------------------------------------

    /// Creates an account. The first account on an instance becomes its administrator,
    /// decided atomically so that two simultaneous first sign-ups cannot both win.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_credentials(&self, email: &Email) -> StoreResult<Option<UserCredentials>>;
    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    /// Replaces the password hash and, in the same transaction, ends every session of the
    /// account except `keep` (the one that made the change), if given.
    async fn set_password(&self, id: UserId, password_hash: &str, keep: Option<SessionId>) -> StoreResult<()>;
    /// Deletes the account and everything that belongs to it. Returns false if there was none.
    async fn delete_user(&self, id: UserId) -> StoreResult<bool>;
    /// For every table that holds per-person rows (any table with a `user_id` column), how
    /// many rows belong to this account. Used to prove that deletion leaves nothing behind.
    async fn user_row_counts(&self, id: UserId) -> StoreResult<Vec<(String, u64)>>;

    // --- sessions ------------------------------------------------------------------------

    async fn create_session(&self, session: NewSession) -> StoreResult<SessionId>;
    async fn session_by_token(&self, token: &TokenHash) -> StoreResult<Option<SessionWithUser>>;
    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()>;
    async fn sessions_of(&self, user: UserId) -> StoreResult<Vec<Session>>;
    /// Ends one session, but only if it belongs to `user`. Returns false otherwise.
    async fn end_session(&self, user: UserId, id: SessionId) -> StoreResult<bool>;
    async fn end_session_by_token(&self, token: &TokenHash) -> StoreResult<()>;
    /// Removes sessions last seen before `idle_cutoff` or created before `absolute_cutoff`.
    async fn end_expired_sessions(&self, idle_cutoff: Timestamp, absolute_cutoff: Timestamp) -> StoreResult<u64>;

    // --- sign-in throttling --------------------------------------------------------------

    async fn record_login_failure(&self, keys: &[ThrottleKey], at: Timestamp) -> StoreResult<()>;
    async fn login_failures(&self, key: &ThrottleKey, since: Timestamp) -> StoreResult<FailureCount>;
    async fn clear_login_failures(&self, key: &ThrottleKey) -> StoreResult<()>;
    async fn prune_login_failures(&self, before: Timestamp) -> StoreResult<u64>;
}
