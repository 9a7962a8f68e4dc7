//! The shared store conformance suite, on PostgreSQL. Each case gets its own database on the
//! server named by `BALLAST_TEST_POSTGRES_URL`, so cases run in parallel without meeting.
//!
//! Without that variable the cases pass without running, saying so once each on stderr, unless
//! `BALLAST_REQUIRE_POSTGRES=1` (as in CI), which turns the missing server into a failure.

use std::io::Write;
use std::sync::Arc;

use ballast_store::Store;

/// The test server's URL, or `None` (said once on stderr) when there is none and none is required.
fn server_url() -> Option<String> {
    let Ok(url) = std::env::var("BALLAST_TEST_POSTGRES_URL") else {
        if std::env::var("BALLAST_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!(
                "BALLAST_REQUIRE_POSTGRES=1 but BALLAST_TEST_POSTGRES_URL is not set; \
                 set it to a server the tests may create databases on, \
                 e.g. postgres://postgres@127.0.0.1:5432/test"
            );
        }
        // Written to the stderr handle rather than with `eprintln!`, which the test harness
        // captures and hides for passing tests; a skip should be seen.
        let _ =
            writeln!(std::io::stderr(), "skipped a PostgreSQL conformance case: BALLAST_TEST_POSTGRES_URL is not set");
        return None;
    };
    Some(url)
}

async fn fresh_store() -> Option<Arc<dyn Store>> {
    let url = server_url()?;
    let store: Arc<dyn Store> = Arc::new(ballast_store_postgres::testing::fresh_database(&url).await);
    Some(store)
}

ballast_store::conformance_suite!(fresh_store);

/// What only a hand-edited or older database can hold, written past the store with a
/// connection of its own.
mod stored_values {
    use ballast_core::checkin::{CheckIn, Level};
    use ballast_core::{Email, TimeZoneName};
    use ballast_store::{NewUser, Store, StoredCheckIn, User};
    use ballast_store_postgres::PostgresStore;
    use jiff::Timestamp;
    use jiff::civil::date;
    use tokio_postgres::NoTls;

    /// A migrated store on a fresh database, a second connection to it, and one account.
    async fn store_with_sam() -> Option<(PostgresStore, tokio_postgres::Client, User)> {
        let url = ballast_store_postgres::testing::fresh_database_url(&super::server_url()?).await;
        let store = PostgresStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let (client, connection) = tokio_postgres::connect(&url, NoTls).await.unwrap();
        tokio::spawn(connection);
        let sam = store
            .create_user(NewUser {
                email: Email::parse("sam@example.org").unwrap(),
                password_hash: "hash".into(),
                time_zone: TimeZoneName::parse("Europe/Dublin").unwrap(),
                created_at: Timestamp::from_second(1_700_000_000).unwrap(),
            })
            .await
            .unwrap();
        Some((store, client, sam))
    }

    #[tokio::test]
    async fn a_time_zone_the_zone_database_no_longer_knows_reads_as_utc() {
        let Some((store, client, sam)) = store_with_sam().await else { return };
        client.execute("UPDATE users SET time_zone = 'Mars/Olympus' WHERE id = $1", &[&sam.id.0]).await.unwrap();
        assert_eq!(store.user(sam.id).await.unwrap().unwrap().time_zone, TimeZoneName::utc());
        assert_eq!(store.list_users().await.unwrap()[0].time_zone, TimeZoneName::utc());
    }

    #[tokio::test]
    async fn an_id_that_no_longer_parses_is_an_error_naming_its_column() {
        let Some((store, client, sam)) = store_with_sam().await else { return };
        let at = Timestamp::from_second(1_700_000_000).unwrap();
        let day = date(2026, 3, 1);
        let check_in = StoredCheckIn {
            user_id: sam.id,
            day,
            values: CheckIn::new(Level::new(5).unwrap()),
            restorer: None,
            note: None,
            backfilled: false,
            created_at: at,
            updated_at: at,
        };
        store.insert_check_in(check_in).await.unwrap();
        client
            .execute("UPDATE check_ins SET physical = 'headache,elbow' WHERE user_id = $1", &[&sam.id.0])
            .await
            .unwrap();
        let error = store.check_in(sam.id, day).await.unwrap_err().to_string();
        assert!(error.contains("check_ins.physical"), "{error}");
        client
            .execute("UPDATE check_ins SET physical = '', warning_signs = 'numb,gone' WHERE user_id = $1", &[&sam.id.0])
            .await
            .unwrap();
        let error = store.check_ins(sam.id, day, day).await.unwrap_err().to_string();
        assert!(error.contains("check_ins.warning_signs"), "{error}");
    }
}
