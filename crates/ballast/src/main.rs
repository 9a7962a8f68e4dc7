//! The `ballast` binary: parses the command line and hands over to the library crates.

mod config;
mod instruments;

/// mimalloc: measurably faster than the system allocator for many small, short-lived
/// request allocations (see docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;

use anyhow::Context;
use ballast_store::Store;
use ballast_store_postgres::PostgresStore;
use ballast_store_sqlite::SqliteStore;
use clap::{Parser, Subcommand};

use config::{DatabaseChoice, Overrides, Settings};

/// Ballast: notice compassion fatigue and burnout early, act on it, recover.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    overrides: Overrides,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (applies migrations first).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the effective configuration, with secrets hidden.
    Config,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// List, check and score questionnaires (needs no database or configuration).
    #[command(subcommand)]
    Instruments(instruments::InstrumentsCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// List accounts: id, role, email, created.
    List,
    /// Give an account a new temporary password and sign it out everywhere. Their private
    /// journal stays sealed under the old password: only their recovery key opens it.
    ResetPassword {
        /// The account's email address.
        email: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Instruments(command) = cli.command {
        return instruments::run(command);
    }
    let settings = Settings::resolve(&cli.overrides)?;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&settings.log).context("invalid log filter")?)
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli.command, settings))
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Config => {
            println!("{}", settings.describe());
            Ok(())
        }
        Command::Migrate => {
            let store = open_store(&settings).await?;
            let report = store.migrate().await?;
            if report.applied.is_empty() {
                println!("The database is up to date (schema version {}).", report.current);
            } else {
                println!("Applied migrations {:?}; the schema is now at version {}.", report.applied, report.current);
            }
            Ok(())
        }
        Command::Serve => serve(settings).await,
        Command::Instruments(command) => instruments::run(command),
        Command::User(UserCommand::List) => {
            let store = open_store(&settings).await?;
            store.check_ready().await?;
            for user in store.list_users().await? {
                println!("{}\t{}\t{}\t{}", user.id, user.role.as_str(), user.email, user.created_at);
            }
            Ok(())
        }
        Command::User(UserCommand::ResetPassword { email }) => reset_password(&settings, &email).await,
    }
}

/// An operator's password reset, for someone who cannot sign in. The embedded store's running
/// server caches sessions, so with SQLite the server must be stopped first (the data-folder
/// lock says whether it is).
async fn reset_password(settings: &Settings, email: &str) -> anyhow::Result<()> {
    let _lock = match &settings.database {
        DatabaseChoice::Sqlite { data_dir } => Some(lock_data_dir(data_dir)?),
        DatabaseChoice::Postgres { .. } => None,
    };
    let store = open_store(settings).await?;
    store.check_ready().await?;
    let email = ballast_core::Email::parse(email).map_err(|problem| anyhow::anyhow!("{problem}"))?;
    let Some(found) = store.user_credentials(&email).await? else {
        anyhow::bail!("there is no account with the email address {email}");
    };
    let (password, hash) = ballast_web::temporary_password()?;
    store.set_password(found.user.id, &hash, None).await?;
    println!("The new temporary password for {email} is:\n\n    {password}\n");
    println!("Every session of the account has ended. Give them the password privately and ask them to");
    println!("choose their own on their account page after signing in.");
    if store.journal_lock(found.user.id).await?.is_some() {
        println!();
        println!("They have a private journal. It stays sealed under their old password: only the");
        println!("recovery key they were shown when they started it can open it now. Without that key");
        println!("the journal cannot be opened by anyone, you included.");
    }
    Ok(())
}

async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match &settings.database {
        DatabaseChoice::Sqlite { data_dir } => Arc::new(
            SqliteStore::open_in(data_dir)
                .with_context(|| format!("could not open the SQLite database in {}", data_dir.display()))?,
        ),
        DatabaseChoice::Postgres { url } => Arc::new(
            PostgresStore::connect(url)
                .await
                .context("could not connect to PostgreSQL (check BALLAST_DATABASE_URL)")?,
        ),
    })
}

/// The embedded store belongs to one server process (its in-process caches assume so):
/// a second `ballast serve` on the same folder is refused. Held until the process exits.
fn lock_data_dir(data_dir: &std::path::Path) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("could not create {}", data_dir.display()))?;
    let path = data_dir.join("serve.lock");
    let file = std::fs::File::create(&path).with_context(|| format!("could not create {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another `ballast serve` is already using {}; stop it first (to run several instances, use PostgreSQL)",
            data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(error)) => Err(error).context("could not lock the data folder"),
    }
}

/// Loads the instance key that wraps every person's data key.
///
/// With SQLite, a key file in the data folder is made on first start; once the database holds
/// sealed data, a missing key file is an error (making a new key would orphan everything
/// sealed). With PostgreSQL, several instances must share one key, so it must be given
/// explicitly. Either way, the key must open a data key already in the database, so a server
/// started with the wrong key stops here instead of failing on every page.
async fn instance_key(settings: &Settings, store: &dyn Store) -> anyhow::Result<ballast_core::sealing::InstanceKey> {
    use ballast_web::keys::{self, Create};
    let sample = store.any_data_key().await.context("could not read the database's data keys")?;
    let env = |name: &str| std::env::var(name).ok();
    let loaded = match &settings.database {
        DatabaseChoice::Sqlite { data_dir } => {
            let create = if sample.is_some() { Create::Never } else { Create::IfMissing };
            keys::load(Some(data_dir), &env, create)?
        }
        DatabaseChoice::Postgres { .. } => keys::load(None, &env, Create::Never).map_err(|error| match error {
            keys::KeyError::Unconfigured => anyhow::anyhow!(
                "with PostgreSQL, every instance must use the same instance key: set {} or {} (make a key with `openssl rand -hex 32` and keep a backup)",
                keys::MASTER_KEY_VAR,
                keys::MASTER_KEY_FILE_VAR
            ),
            other => other.into(),
        })?,
    };
    if let Some(sample) = sample {
        sample.unwrap(&loaded.key).map_err(|_| {
            anyhow::anyhow!(
                "the instance key from {} does not open the data keys in this database; start Ballast with the key it was using before",
                loaded.source
            )
        })?;
    }
    if matches!(loaded.source, keys::KeySource::DataFolder { created: true, .. }) {
        tracing::warn!(source = %loaded.source, "created a new instance key; back it up, as without it nobody's notes can be read");
    } else {
        tracing::info!(source = %loaded.source, "instance key loaded");
    }
    Ok(loaded.key)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let _lock = match &settings.database {
        DatabaseChoice::Sqlite { data_dir } => Some(lock_data_dir(data_dir)?),
        DatabaseChoice::Postgres { .. } => None,
    };
    let store = open_store(&settings).await?;
    let report = store.migrate().await.context("could not apply database migrations")?;
    if !report.applied.is_empty() {
        tracing::info!(applied = ?report.applied, version = report.current, "migrations applied");
    }
    let listener = tokio::net::TcpListener::bind(settings.bind)
        .await
        .with_context(|| format!("could not listen on {}", settings.bind))?;
    let address = listener.local_addr()?;
    println!("Ballast is running at http://{address}/ ({}). Press Ctrl+C to stop.", settings.database.describe());
    let instance_key = instance_key(&settings, &*store).await?;
    let state = ballast_web::AppState::new(store, settings.web_config(), instance_key);
    ballast_web::serve(listener, state).await?;
    Ok(())
}
