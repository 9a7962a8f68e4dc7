//! The PostgreSQL store: the path for organisations that run several Ballast instances on
//! one database.
//!
//! Every instance keeps a small pool of connections. Nothing that decides an outcome lives in
//! one process: where two instances could race (migrating, the first sign-up) they serialise
//! on a transaction-scoped advisory lock in the database itself.

mod queries;
pub mod testing;

use std::fmt;
use std::time::Duration;

use ballast_store::{Migration, StoreError, StoreResult};
use deadpool_postgres::{Client, GenericClient, Manager, Pool, PoolError, Runtime, TimeoutType};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Config, NoTls, Row};

pub use queries::MIGRATIONS;

/// Connections per instance. Several instances share one server, whose default limit is 100.
const MAX_CONNECTIONS: usize = 16;

/// How long one attempt to reach the server may take, unless the URL says otherwise, so that a
/// wrong or unreachable address fails at start-up with a message instead of hanging.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A backstop for the whole of opening a connection (name lookup, every address, sign-in),
/// which the per-attempt timeout above does not cover.
const CREATE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request waits for a free connection before it fails rather than queueing forever.
const WAIT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore").field("status", &self.pool.status()).finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`),
    /// checking that it answers before returning.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        // tokio-postgres's parse errors name the offending option or position, not its value,
        // so they do not repeat the password.
        let config: Config = url.parse().map_err(|error| StoreError::Backend(Box::new(PgError(error))))?;
        PostgresStore::connect_with_config(config).await
    }

    /// Like [`connect`](PostgresStore::connect), for a configuration built in code (the tests
    /// use it to point at a database they have just created). Timeouts the configuration
    /// leaves unset get this crate's defaults.
    pub async fn connect_with_config(mut config: Config) -> StoreResult<PostgresStore> {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("ballast");
        }
        let target = describe_target(&config);
        let pool = Pool::builder(Manager::new(config, NoTls))
            .max_size(MAX_CONNECTIONS)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(CREATE_TIMEOUT))
            .wait_timeout(Some(WAIT_TIMEOUT))
            .build()
            .map_err(StoreError::backend)?;
        // The pool connects lazily; connecting once now turns a bad address or password into
        // an error at start-up rather than on the first request.
        if let Err(error) = pool.get().await {
            return Err(message(format!(
                "could not connect to PostgreSQL at {target}: {}",
                describe_pool_error(&error)
            )));
        }
        tracing::info!(database = %target, "connected to PostgreSQL");
        Ok(PostgresStore { pool })
    }

    async fn client(&self) -> StoreResult<Client> {
        self.pool.get().await.map_err(|error| message(describe_pool_error(&error)))
    }

    /// Runs one statement that returns no more than one row, on a pooled connection.
    async fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<Option<Row>> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(map_error)?;
        client.query_opt(&statement, params).await.map_err(map_error)
    }

    async fn query_one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<Row> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(map_error)?;
        client.query_one(&statement, params).await.map_err(map_error)
    }

    async fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<Vec<Row>> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(map_error)?;
        client.query(&statement, params).await.map_err(map_error)
    }

    /// Runs one statement that changes rows and returns how many it changed.
    async fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<u64> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(map_error)?;
        client.execute(&statement, params).await.map_err(map_error)
    }
}

/// Who and where, for messages and logs: user, hosts, ports and database, never the password.
fn describe_target(config: &Config) -> String {
    let mut hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if hosts.is_empty() {
        hosts = config.get_hostaddrs().iter().map(ToString::to_string).collect();
    }
    let ports: Vec<String> = config.get_ports().iter().map(ToString::to_string).collect();
    let ports = if ports.is_empty() { "5432".to_owned() } else { ports.join(",") };
    let user = config.get_user().unwrap_or("(no user)");
    let database = config.get_dbname().unwrap_or(user);
    format!("{user}@{}:{ports}/{database}", hosts.join(","))
}

/// tokio-postgres keeps the useful part of an error (the server's message, the I/O failure)
/// in its source and leaves it out of its own message; this shows both in one line, as the
/// SQLite backend's errors do.
#[derive(Debug)]
struct PgError(tokio_postgres::Error);

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(&self.0))
    }
}

fn describe(error: &tokio_postgres::Error) -> String {
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

impl std::error::Error for PgError {}

fn message(text: impl Into<String>) -> StoreError {
    StoreError::Backend(text.into().into())
}

fn describe_pool_error(error: &PoolError) -> String {
    match error {
        PoolError::Backend(error) => describe(error),
        PoolError::Timeout(TimeoutType::Create) => "timed out connecting to the server".to_owned(),
        PoolError::Timeout(TimeoutType::Wait) => "timed out waiting for a free database connection".to_owned(),
        other => other.to_string(),
    }
}

fn map_error(error: tokio_postgres::Error) -> StoreError {
    if let Some(db) = error.as_db_error()
        && *db.code() == SqlState::UNIQUE_VIOLATION
        && db.constraint() == Some("users_email_key")
    {
        return StoreError::Conflict("email");
    }
    StoreError::Backend(Box::new(PgError(error)))
}

/// Advisory lock keys: "ballast" in ASCII and a purpose byte, so they cannot plausibly collide
/// with another application's locks on a shared database.
const MIGRATION_LOCK: i64 = 0x6261_6c6c_6173_7401;
const FIRST_ACCOUNT_LOCK: i64 = 0x6261_6c6c_6173_7402;

/// Waits until no other transaction, in any process, holds `key`; released at commit or rollback.
async fn lock(client: &impl GenericClient, key: i64) -> StoreResult<()> {
    client.execute("SELECT pg_advisory_xact_lock($1)", &[&key]).await.map_err(map_error)?;
    Ok(())
}

async fn applied_version(client: &impl GenericClient) -> StoreResult<i64> {
    let row =
        client.query_one("SELECT coalesce(max(version), 0) FROM ballast_migrations", &[]).await.map_err(map_error)?;
    row.try_get(0).map_err(map_error)
}

async fn apply_migrations(client: &mut Client, migrations: &[Migration]) -> StoreResult<(Vec<i64>, i64)> {
    let transaction = client.transaction().await.map_err(map_error)?;
    // Taken before anything else, so that instances starting together on an empty database
    // do not race to create the bookkeeping table or apply the same migration twice.
    lock(&transaction, MIGRATION_LOCK).await?;
    transaction
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS ballast_migrations (
                 version    BIGINT PRIMARY KEY,
                 name       TEXT   NOT NULL,
                 applied_at BIGINT NOT NULL
             )",
        )
        .await
        .map_err(map_error)?;
    let start = applied_version(&transaction).await?;
    let mut current = start;
    let mut applied = Vec::new();
    for migration in migrations.iter().filter(|m| m.version > start) {
        transaction.batch_execute(migration.sql).await.map_err(map_error)?;
        transaction
            .execute(
                "INSERT INTO ballast_migrations (version, name, applied_at)
                 VALUES ($1, $2, extract(epoch FROM now())::bigint)",
                &[&migration.version, &migration.name],
            )
            .await
            .map_err(map_error)?;
        applied.push(migration.version);
        current = migration.version;
    }
    transaction.commit().await.map_err(map_error)?;
    Ok((applied, current))
}
