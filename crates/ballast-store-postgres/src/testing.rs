//! Test support shared by this crate's conformance tests and the web crate's tests: a fresh,
//! migrated database per test on a server the tests may create databases on.

use tokio_postgres::{Config, NoTls};

use crate::PostgresStore;
use ballast_store::Store;

/// Creates an empty database `ballast_test_<random>` on the server `url` names and returns a
/// URL for it (for tests that hand a URL to the `ballast` binary).
pub async fn fresh_database_url(url: &str) -> String {
    let config: Config = url.parse().expect("BALLAST_TEST_POSTGRES_URL is a valid PostgreSQL URL");
    let database = create_database(&config).await;
    let without_query = url.split('?').next().unwrap_or(url);
    let server = without_query.rsplit_once('/').map_or(without_query, |(server, _)| server);
    format!("{server}/{database}")
}

async fn create_database(config: &Config) -> String {
    let (client, connection) = config.connect(NoTls).await.expect("connect to BALLAST_TEST_POSTGRES_URL");
    let connection = tokio::spawn(connection);
    let database = format!("ballast_test_{}", random_hex());
    client.batch_execute(&format!("CREATE DATABASE {database}")).await.expect("create a test database");
    drop(client);
    connection.await.unwrap().unwrap();
    database
}

/// Creates `ballast_test_<random>` on the server `url` names and returns a migrated store on
/// it. The database is left behind afterwards: dropping it would need every pooled
/// connection closed first, and a few small databases on a test server cost less than that.
///
/// # Panics
/// When the server cannot be reached or refuses; this is for tests only.
pub async fn fresh_database(url: &str) -> PostgresStore {
    let mut config: Config = url.parse().expect("BALLAST_TEST_POSTGRES_URL is a valid PostgreSQL URL");
    let database = create_database(&config).await;
    config.dbname(&database);
    let store = PostgresStore::connect_with_config(config).await.unwrap();
    store.migrate().await.unwrap();
    store
}

fn random_hex() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
