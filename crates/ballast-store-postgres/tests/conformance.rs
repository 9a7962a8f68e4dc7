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
    use ballast_core::exposure::{Minutes, SessionKind, WorkSession};
    use ballast_core::incident::{FollowUpStep, IncidentKind, IncidentRole, StillWithMe};
    use ballast_core::journal::EntryToken;
    use ballast_core::sealing::{DataKey, PassphraseKey, seal};
    use ballast_core::{Email, TimeZoneName, UserId};
    use ballast_store::{
        ContractSettings, GoalProgress, GoalText, ImportKey, ImportReport, JournalDraft, JournalEntry, JournalLock,
        NewContractReview, NewGoal, NewIncident, NewSupportPerson, NewUser, NewWorkSession, Store, StoredCheckIn, User,
    };
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

    fn imported(user: UserId, key: u8, minutes: u16) -> NewWorkSession {
        let at = Timestamp::from_second(1_700_000_000 + i64::from(key) * 3600).unwrap();
        NewWorkSession {
            user_id: user,
            session: WorkSession {
                start: at,
                minutes: Minutes::new(minutes).unwrap(),
                kind: SessionKind::ClientSession,
                intensity: None,
                debriefed: false,
            },
            import_key: Some(ImportKey([key; 32])),
            created_at: at,
        }
    }

    #[tokio::test]
    async fn an_import_that_fails_part_way_leaves_nothing() {
        let Some((store, client, sam)) = store_with_sam().await else { return };
        let (from, to) = (Timestamp::MIN, Timestamp::MAX);
        store.import_work_sessions(sam.id, vec![imported(sam.id, 1, 50)]).await.unwrap();
        // A row the database refuses, part way through: the rows before it must go too.
        client
            .batch_execute("ALTER TABLE work_sessions ADD CONSTRAINT refuse_999 CHECK (minutes <> 999)")
            .await
            .unwrap();
        let batch =
            vec![imported(sam.id, 1, 50), imported(sam.id, 2, 50), imported(sam.id, 3, 999), imported(sam.id, 4, 50)];
        assert!(store.import_work_sessions(sam.id, batch).await.is_err());
        let left = store.work_sessions(sam.id, from, to).await.unwrap();
        assert_eq!(left.len(), 1, "only the earlier import's session: {left:?}");
        client.batch_execute("ALTER TABLE work_sessions DROP CONSTRAINT refuse_999").await.unwrap();
        let batch = vec![imported(sam.id, 1, 50), imported(sam.id, 2, 50), imported(sam.id, 3, 999)];
        let report = store.import_work_sessions(sam.id, batch).await.unwrap();
        assert_eq!(report, ImportReport { added: 2, already_there: 1 }, "the failed import left no keys behind");
    }

    #[tokio::test]
    async fn an_exposure_id_that_no_longer_parses_is_an_error_naming_its_column() {
        let Some((store, client, sam)) = store_with_sam().await else { return };
        let edit = |sql: &'static str| {
            let client = &client;
            async move { client.execute(sql, &[&sam.id.0]).await.unwrap() }
        };
        let at = Timestamp::from_second(1_700_000_000).unwrap();
        store.import_work_sessions(sam.id, vec![imported(sam.id, 0, 50)]).await.unwrap();
        edit("UPDATE work_sessions SET kind = 'retired' WHERE user_id = $1").await;
        let error = store.work_sessions(sam.id, Timestamp::MIN, Timestamp::MAX).await.unwrap_err().to_string();
        assert!(error.contains("work_sessions.kind"), "{error}");
        edit("UPDATE work_sessions SET kind = 'other', intensity = 'mild' WHERE user_id = $1").await;
        let error = store.work_sessions(sam.id, Timestamp::MIN, Timestamp::MAX).await.unwrap_err().to_string();
        assert!(error.contains("work_sessions.intensity"), "{error}");

        let incident = NewIncident {
            user_id: sam.id,
            occurred_on: date(2026, 3, 1),
            kind: IncidentKind::Death,
            role: IncidentRole::Witnessed,
            support: Default::default(),
            created_at: at,
        };
        let id = store.add_incident(incident).await.unwrap();
        store.record_follow_up(sam.id, id, FollowUpStep::NextDay, StillWithMe::ALot, at).await.unwrap();
        edit("UPDATE incidents SET support = 'colleague,pets' WHERE user_id = $1").await;
        let error = store.incidents(sam.id).await.unwrap_err().to_string();
        assert!(error.contains("incidents.support"), "{error}");
        edit("UPDATE incidents SET support = '' WHERE user_id = $1").await;
        edit("UPDATE incident_follow_ups SET step = 'two_weeks' WHERE user_id = $1").await;
        let error = store.incident(sam.id, id).await.unwrap_err().to_string();
        assert!(error.contains("incident_follow_ups.step"), "{error}");
    }

    #[tokio::test]
    async fn a_journal_value_that_no_longer_reads_is_an_error_naming_its_column() {
        let Some((store, client, sam)) = store_with_sam().await else { return };
        let edit = |sql: &'static str| {
            let client = &client;
            async move { client.execute(sql, &[&sam.id.0]).await }
        };
        let at = Timestamp::from_second(1_700_000_000).unwrap();
        let journal_key = DataKey::from_bytes([3; 32]);
        let wrapped = journal_key.wrap(&PassphraseKey::from_derived([4; 32]), [5; 24]);
        let lock = JournalLock {
            password_salt: vec![1; 16],
            by_password: wrapped.clone(),
            recovery_salt: vec![2; 16],
            by_recovery: wrapped,
            created_at: at,
        };
        assert!(store.create_journal_lock(sam.id, &lock).await.unwrap());
        let body = seal(&journal_key, "words", b"place", [6; 24]);
        let token = EntryToken::from_bytes([7; 16]);
        let entry =
            JournalEntry { token, user_id: sam.id, prompt: None, body: body.clone(), created_at: at, updated_at: at };
        store.add_journal_entry(&entry).await.unwrap();
        store.save_journal_draft(sam.id, &JournalDraft { prompt: None, body, saved_at: at }).await.unwrap();

        edit("UPDATE journal_locks SET by_password = '\\x0102' WHERE user_id = $1").await.unwrap();
        let error = store.journal_lock(sam.id).await.unwrap_err().to_string();
        assert!(error.contains("journal_locks.by_password"), "{error}");
        edit("UPDATE journal_entries SET body = '\\x00' WHERE user_id = $1").await.unwrap();
        let error = store.journal_entry(sam.id, &token).await.unwrap_err().to_string();
        assert!(error.contains("journal_entries.body"), "{error}");
        edit("UPDATE journal_drafts SET body = '' WHERE user_id = $1").await.unwrap();
        let error = store.journal_draft(sam.id).await.unwrap_err().to_string();
        assert!(error.contains("journal_drafts.body"), "{error}");

        let short = edit("UPDATE journal_entries SET token = '\\x0102' WHERE user_id = $1").await;
        assert!(short.is_err(), "a token is 16 bytes, always");
    }

    #[tokio::test]
    async fn a_contract_value_that_no_longer_reads_is_an_error_naming_its_column() {
        let Some((store, client, sam)) = store_with_sam().await else { return };
        let edit = |sql: &'static str| {
            let client = &client;
            async move { client.execute(sql, &[&sam.id.0]).await }
        };
        let at = Timestamp::from_second(1_700_000_000).unwrap();
        let key = DataKey::from_bytes([3; 32]);
        let words = |text: &str| seal(&key, text, b"place", [6; 24]);
        let settings = ContractSettings {
            review_every_days: 91,
            sign_plan: Some(words("plan")),
            phase: Some("rest".into()),
            phase_since: Some(date(2026, 3, 1)),
            updated_at: at,
        };
        store.set_contract_settings(sam.id, &settings).await.unwrap();
        let text = GoalText { what: words("what"), measure: words("measure"), target: words("target"), why: None };
        let goal = NewGoal { user_id: sam.id, text, due_on: date(2026, 6, 1), created_at: at };
        let goal = store.add_goal(&goal).await.unwrap();
        let noted = GoalProgress { noted_on: date(2026, 3, 1), percent: 50, note: Some(words("note")), created_at: at };
        assert!(store.add_goal_progress(sam.id, goal, &noted).await.unwrap());
        let person =
            NewSupportPerson { user_id: sam.id, name: words("name"), reach: None, partner: true, created_at: at };
        store.add_support_person(&person).await.unwrap();
        let review = NewContractReview {
            user_id: sam.id,
            reviewed_on: date(2026, 3, 1),
            reflection: Some(words("reflection")),
            goals_note: None,
            created_at: at,
        };
        store.add_contract_review(&review).await.unwrap();

        edit("UPDATE contract_settings SET sign_plan = '\\x00' WHERE user_id = $1").await.unwrap();
        let error = store.contract_settings(sam.id).await.unwrap_err().to_string();
        assert!(error.contains("contract_settings.sign_plan"), "{error}");
        edit("UPDATE contract_settings SET sign_plan = NULL, phase_since = '2026-02-30' WHERE user_id = $1")
            .await
            .unwrap();
        let error = store.contract_settings(sam.id).await.unwrap_err().to_string();
        assert!(error.contains("contract_settings.phase_since"), "{error}");
        edit("UPDATE contract_goals SET what = '' WHERE user_id = $1").await.unwrap();
        let error = store.goals(sam.id).await.unwrap_err().to_string();
        assert!(error.contains("contract_goals.what"), "{error}");
        edit("UPDATE contract_goals SET what = measure, due_on = '2026-13-01' WHERE user_id = $1").await.unwrap();
        let error = store.goals(sam.id).await.unwrap_err().to_string();
        assert!(error.contains("contract_goals.due_on"), "{error}");
        edit("UPDATE contract_goals SET due_on = '2026-06-01' WHERE user_id = $1").await.unwrap();
        edit("UPDATE goal_progress SET note = '\\x0102' WHERE user_id = $1").await.unwrap();
        let error = store.goals(sam.id).await.unwrap_err().to_string();
        assert!(error.contains("goal_progress.note"), "{error}");
        edit("UPDATE support_people SET name = '\\x00' WHERE user_id = $1").await.unwrap();
        let error = store.support_people(sam.id).await.unwrap_err().to_string();
        assert!(error.contains("support_people.name"), "{error}");
        edit("UPDATE contract_reviews SET reflection = '' WHERE user_id = $1").await.unwrap();
        let error = store.contract_reviews(sam.id).await.unwrap_err().to_string();
        assert!(error.contains("contract_reviews.reflection"), "{error}");

        for refused in [
            "UPDATE goal_progress SET percent = 101 WHERE user_id = $1",
            "UPDATE contract_settings SET review_every_days = 0 WHERE user_id = $1",
            "UPDATE contract_goals SET due_on = 'next spring' WHERE user_id = $1",
        ] {
            assert!(edit(refused).await.is_err(), "the schema refuses: {refused}");
        }
    }
}
