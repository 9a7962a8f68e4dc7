//! The shared store conformance suite, on SQLite. Each case gets its own database file.

use std::sync::Arc;

use ballast_store::Store;
use ballast_store_sqlite::SqliteStore;

async fn fresh_store() -> Option<Arc<dyn Store>> {
    // The folder is leaked on purpose so the file outlives the store; it sits in the system
    // temporary folder and is small.
    let folder = tempfile::tempdir().unwrap().keep();
    let store = SqliteStore::open_in(&folder).unwrap();
    store.migrate().await.unwrap();
    Some(Arc::new(store))
}

ballast_store::conformance_suite!(fresh_store);

/// What only a hand-edited or older database can hold, written past the store with a
/// connection of its own.
mod stored_values {
    use ballast_core::checkin::{CheckIn, Level};
    use ballast_core::{Email, TimeZoneName};
    use ballast_store::{NewUser, Store, StoredCheckIn};
    use ballast_store_sqlite::SqliteStore;
    use jiff::Timestamp;
    use jiff::civil::date;

    async fn store_with_sam() -> (SqliteStore, tempfile::TempDir, ballast_store::User) {
        let folder = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_in(folder.path()).unwrap();
        store.migrate().await.unwrap();
        let sam = store
            .create_user(NewUser {
                email: Email::parse("sam@example.org").unwrap(),
                password_hash: "hash".into(),
                time_zone: TimeZoneName::parse("Europe/Dublin").unwrap(),
                created_at: Timestamp::from_second(1_700_000_000).unwrap(),
            })
            .await
            .unwrap();
        (store, folder, sam)
    }

    fn edit(store: &SqliteStore, sql: &str, user: i64) {
        rusqlite::Connection::open(store.path()).unwrap().execute(sql, [user]).unwrap();
    }

    #[tokio::test]
    async fn a_time_zone_the_zone_database_no_longer_knows_reads_as_utc() {
        let (store, _folder, sam) = store_with_sam().await;
        edit(&store, "UPDATE users SET time_zone = 'Mars/Olympus' WHERE id = ?1", sam.id.0);
        assert_eq!(store.user(sam.id).await.unwrap().unwrap().time_zone, TimeZoneName::utc());
        assert_eq!(store.list_users().await.unwrap()[0].time_zone, TimeZoneName::utc());
    }

    #[tokio::test]
    async fn an_id_that_no_longer_parses_is_an_error_naming_its_column() {
        let (store, _folder, sam) = store_with_sam().await;
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
        edit(&store, "UPDATE check_ins SET physical = 'headache,elbow' WHERE user_id = ?1", sam.id.0);
        let error = store.check_in(sam.id, day).await.unwrap_err().to_string();
        assert!(error.contains("check_ins.physical"), "{error}");
        edit(&store, "UPDATE check_ins SET physical = '', warning_signs = 'numb,gone' WHERE user_id = ?1", sam.id.0);
        let error = store.check_ins(sam.id, day, day).await.unwrap_err().to_string();
        assert!(error.contains("check_ins.warning_signs"), "{error}");
    }
}
