//! The conformance suite: every store operation, checked the same way on every backend.
//!
//! A backend's test binary calls [`conformance_suite!`](crate::conformance_suite) with a
//! function that returns a fresh, migrated store; each case then runs as its own test.

use std::collections::BTreeSet;
use std::sync::Arc;

use ballast_core::checkin::{CheckIn, EmpathyDial, Level, PhysicalSign, SignId, SleepQuarters};
use ballast_core::exposure::{Intensity, Minutes, PacingPlan, ProtectedBreak, SessionKind, WorkSession};
use ballast_core::incident::{FollowUpStep, IncidentKind, IncidentRole, StillWithMe, Support};
use ballast_core::instrument::{Answers, InstrumentId, Words};
use ballast_core::journal::EntryToken;
use ballast_core::sealing::{DataKey, InstanceKey, PassphraseKey, Sealed, WrappedKey, seal};
use ballast_core::{Email, FailureCount, Role, SessionId, TimeZoneName, UserId};
use jiff::Timestamp;
use jiff::civil::{Date, date, time};

use crate::{
    AssessmentId, ChosenSign, ContractReview, ContractSettings, CustomInstrument, FollowUp, Goal, GoalId, GoalProgress,
    GoalText, ImportKey, ImportReport, Incident, IncidentId, JobId, JournalDraft, JournalEntry, JournalLock,
    KitContact, KitStatementId, KitUse, NewAssessment, NewContractReview, NewGoal, NewIncident, NewJob, NewSession,
    NewSupportPerson, NewUser, NewWorkSession, ReminderSettings, ReviewId, SessionChange, Store, StoreError,
    StoredCheckIn, StoredScale, StoredWorkSession, SupportPerson, SupportPersonId, SupportResource, ThrottleKey,
    TokenHash, WorkSessionId,
};

/// Generates one `#[tokio::test]` per conformance case. `$fresh` is an async function
/// returning `Option<Arc<dyn Store>>`, `None` when the backend is not available here (the
/// caller decides whether that is allowed).
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::conformance_suite!(@cases $fresh;
            migrate_is_idempotent_and_ready,
            first_account_is_admin,
            concurrent_first_sign_ups_make_one_admin,
            duplicate_email_is_a_conflict_and_changes_nothing,
            users_are_found_by_id_and_email,
            session_lifecycle,
            sessions_belong_to_their_owner,
            password_change_ends_other_sessions,
            expired_sessions_are_removed,
            login_failures_are_counted_per_key,
            deleting_an_account_removes_everything_of_theirs,
            assessments_round_trip_and_belong_to_their_owner,
            saving_an_assessment_clears_the_draft,
            drafts_are_replaced,
            last_taken_is_per_instrument,
            words_are_replaced_whole,
            support_resources_start_unset_then_replace,
            custom_instruments_are_added_replaced_and_deleted,
            time_zones_default_round_trip_and_change,
            a_data_key_is_made_once_per_person,
            check_ins_round_trip_every_field,
            a_second_check_in_for_a_day_is_a_conflict,
            updating_a_check_in_keeps_when_and_how_it_was_made,
            check_ins_are_listed_by_inclusive_range_oldest_first,
            warning_signs_are_replaced_whole_in_order,
            dismissals_are_idempotent_and_per_person,
            reassessment_cadences_are_upserted_per_person,
            work_sessions_round_trip_every_field,
            work_sessions_are_listed_by_half_open_range_earliest_first,
            importing_again_adds_nothing_and_keeps_what_the_person_tagged,
            an_import_naming_another_account_is_refused_whole,
            bulk_changes_touch_only_the_person_s_own_sessions,
            work_sessions_are_deleted_only_by_their_owner,
            the_pacing_plan_starts_unset_then_is_replaced,
            incidents_are_listed_newest_first_with_follow_ups_in_step_order,
            follow_ups_are_replaced_and_recorded_only_by_the_owner,
            deleting_an_incident_removes_its_follow_ups,
            a_journal_lock_is_made_once_and_rewrapped,
            journal_entries_are_listed_newest_first_and_belong_to_their_owner,
            the_journal_draft_is_saved_replaced_and_cleared,
            reminder_settings_start_unset_then_are_replaced,
            a_calendar_feed_is_found_by_its_secret_renewed_and_revoked,
            email_reminder_recipients_are_those_who_asked,
            a_job_is_enqueued_once_per_person_kind_and_key,
            claimed_jobs_are_leased_finished_retried_and_given_up,
            only_finished_jobs_are_pruned,
            racing_runners_claim_each_job_exactly_once,
            kit_statements_are_kept_in_order_and_belong_to_their_owner,
            the_kit_contact_is_set_replaced_and_cleared,
            kit_uses_are_listed_by_half_open_range_earliest_first,
            journal_unlocks_belong_to_a_session_and_end_with_it,
            deleting_a_journal_removes_all_of_it,
            contract_settings_start_unset_then_are_replaced,
            goals_are_listed_by_due_day_with_progress_oldest_first,
            goals_are_changed_archived_and_added_to_only_by_their_owner,
            support_people_are_listed_in_order_and_deleted_only_by_their_owner,
            contract_reviews_are_listed_newest_first,
        );
    };
    (@cases $fresh:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                if let Some(store) = $fresh().await {
                    $crate::conformance::$case(store).await;
                }
            }
        )*
    };
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + seconds).unwrap()
}

fn email(name: &str) -> Email {
    Email::parse(&format!("{name}@example.org")).unwrap()
}

fn new_user(name: &str) -> NewUser {
    NewUser {
        email: email(name),
        password_hash: format!("hash-of-{name}"),
        time_zone: TimeZoneName::utc(),
        created_at: at(0),
    }
}

fn token(byte: u8) -> TokenHash {
    TokenHash([byte; 32])
}

fn new_session(user: UserId, byte: u8, created: i64) -> NewSession {
    NewSession { user_id: user, token: token(byte), created_at: at(created), user_agent: format!("browser {byte}") }
}

pub async fn migrate_is_idempotent_and_ready(store: Arc<dyn Store>) {
    store.check_ready().await.expect("a fresh store is migrated");
    let again = store.migrate().await.unwrap();
    assert!(again.applied.is_empty(), "second migrate applied {:?}", again.applied);
    assert!(again.current >= 1);
    store.check_ready().await.unwrap();
}

pub async fn first_account_is_admin(store: Arc<dyn Store>) {
    let first = store.create_user(new_user("first")).await.unwrap();
    let second = store.create_user(new_user("second")).await.unwrap();
    assert_eq!(first.role, Role::Admin);
    assert_eq!(second.role, Role::Member);
    assert_eq!(store.list_users().await.unwrap().len(), 2);
}

pub async fn concurrent_first_sign_ups_make_one_admin(store: Arc<dyn Store>) {
    let attempts: Vec<_> = (0..8)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move { store.create_user(new_user(&format!("racer{n}"))).await.unwrap() })
        })
        .collect();
    let mut admins = 0;
    for attempt in attempts {
        if attempt.await.unwrap().role == Role::Admin {
            admins += 1;
        }
    }
    assert_eq!(admins, 1);
}

pub async fn duplicate_email_is_a_conflict_and_changes_nothing(store: Arc<dyn Store>) {
    let original = store.create_user(new_user("sam")).await.unwrap();
    let mut again = new_user("sam");
    again.password_hash = "another-hash".into();
    match store.create_user(again).await {
        Err(StoreError::Conflict("email")) => {}
        other => panic!("expected a conflict on email, got {other:?}"),
    }
    let stored = store.user_credentials(&email("sam")).await.unwrap().unwrap();
    assert_eq!(stored.user, original);
    assert_eq!(stored.password_hash, "hash-of-sam");
    assert_eq!(store.list_users().await.unwrap().len(), 1);
}

pub async fn users_are_found_by_id_and_email(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    assert_eq!(sam.email, email("sam"));
    assert_eq!(sam.created_at, at(0));
    assert_eq!(store.user(sam.id).await.unwrap(), Some(sam.clone()));
    assert_eq!(store.user(UserId(sam.id.0 + 1000)).await.unwrap(), None);
    assert_eq!(store.password_hash(sam.id).await.unwrap().as_deref(), Some("hash-of-sam"));
    assert!(store.user_credentials(&email("nobody")).await.unwrap().is_none());
}

pub async fn session_lifecycle(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let id = store.create_session(new_session(sam.id, 1, 10)).await.unwrap();
    let found = store.session_by_token(&token(1)).await.unwrap().expect("session by its token");
    assert_eq!(found.session.id, id);
    assert_eq!(found.session.created_at, at(10));
    assert_eq!(found.session.last_seen_at, at(10));
    assert_eq!(found.session.user_agent, "browser 1");
    assert_eq!(found.user, sam);
    assert!(store.session_by_token(&token(2)).await.unwrap().is_none());

    store.touch_session(id, at(500)).await.unwrap();
    let touched = store.session_by_token(&token(1)).await.unwrap().unwrap();
    assert_eq!(touched.session.last_seen_at, at(500));

    store.end_session_by_token(&token(1)).await.unwrap();
    assert!(store.session_by_token(&token(1)).await.unwrap().is_none());
    assert!(store.sessions_of(sam.id).await.unwrap().is_empty());
}

pub async fn sessions_belong_to_their_owner(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let sams = store.create_session(new_session(sam.id, 1, 0)).await.unwrap();
    let kims = store.create_session(new_session(kim.id, 2, 0)).await.unwrap();
    assert!(!store.end_session(sam.id, kims).await.unwrap(), "sam must not end kim's session");
    assert!(store.session_by_token(&token(2)).await.unwrap().is_some());
    assert!(!store.end_session(sam.id, SessionId(kims.0 + 1000)).await.unwrap());
    let listed = store.sessions_of(sam.id).await.unwrap();
    assert_eq!(listed.iter().map(|s| s.id).collect::<Vec<_>>(), vec![sams]);
    assert!(store.end_session(kim.id, kims).await.unwrap());
    assert!(store.session_by_token(&token(2)).await.unwrap().is_none());
}

pub async fn password_change_ends_other_sessions(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let current = store.create_session(new_session(sam.id, 1, 0)).await.unwrap();
    store.create_session(new_session(sam.id, 2, 0)).await.unwrap();
    store.create_session(new_session(sam.id, 3, 0)).await.unwrap();
    store.create_session(new_session(kim.id, 4, 0)).await.unwrap();

    store.set_password(sam.id, "new-hash", Some(current)).await.unwrap();
    assert_eq!(store.password_hash(sam.id).await.unwrap().as_deref(), Some("new-hash"));
    let left: Vec<_> = store.sessions_of(sam.id).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(left, vec![current]);
    assert_eq!(store.sessions_of(kim.id).await.unwrap().len(), 1, "other people's sessions stay");

    store.set_password(sam.id, "newer-hash", None).await.unwrap();
    assert!(store.sessions_of(sam.id).await.unwrap().is_empty());
}

pub async fn expired_sessions_are_removed(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let idle = store.create_session(new_session(sam.id, 1, 0)).await.unwrap();
    let old = store.create_session(new_session(sam.id, 2, 0)).await.unwrap();
    let fresh = store.create_session(new_session(sam.id, 3, 900)).await.unwrap();
    store.touch_session(old, at(1000)).await.unwrap();
    // idle cut-off at 500 removes `idle` (last seen 0); absolute cut-off at 100 removes
    // `old` (created 0) despite its recent use.
    let removed = store.end_expired_sessions(at(500), at(100)).await.unwrap();
    assert_eq!(removed, 2);
    let left: Vec<_> = store.sessions_of(sam.id).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(left, vec![fresh]);
    assert!(!left.contains(&idle));
}

pub async fn login_failures_are_counted_per_key(store: Arc<dyn Store>) {
    let account = ThrottleKey([7; 32]);
    let address = ThrottleKey([8; 32]);
    let none = FailureCount { count: 0, oldest: None };
    assert_eq!(store.login_failures(&account, at(0)).await.unwrap(), none);
    for second in [10, 20, 30] {
        store.record_login_failure(&[account, address], at(second)).await.unwrap();
    }
    store.record_login_failure(&[address], at(40)).await.unwrap();
    assert_eq!(store.login_failures(&account, at(0)).await.unwrap(), FailureCount { count: 3, oldest: Some(at(10)) });
    assert_eq!(store.login_failures(&account, at(15)).await.unwrap(), FailureCount { count: 2, oldest: Some(at(20)) });
    assert_eq!(store.login_failures(&address, at(0)).await.unwrap().count, 4);

    store.clear_login_failures(&account).await.unwrap();
    assert_eq!(store.login_failures(&account, at(0)).await.unwrap(), none);
    assert_eq!(store.login_failures(&address, at(0)).await.unwrap().count, 4);

    assert_eq!(store.prune_login_failures(at(25)).await.unwrap(), 2);
    assert_eq!(store.login_failures(&address, at(0)).await.unwrap().count, 2);
}

pub async fn deleting_an_account_removes_everything_of_theirs(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    store.create_session(new_session(sam.id, 1, 0)).await.unwrap();
    store.create_session(new_session(sam.id, 2, 0)).await.unwrap();
    store.create_session(new_session(kim.id, 3, 0)).await.unwrap();
    store.save_assessment(assessment(sam.id, "who5", 100)).await.unwrap();
    store.save_draft(sam.id, &instrument("phq9"), &answers(&[Some(1), None]), at(5)).await.unwrap();
    store.set_words(sam.id, &Words::from([("helper".to_owned(), "nurse".to_owned())])).await.unwrap();
    store.save_assessment(assessment(kim.id, "who5", 100)).await.unwrap();
    store.create_data_key(sam.id, wrapped_key(1), at(1)).await.unwrap();
    store.create_data_key(kim.id, wrapped_key(2), at(1)).await.unwrap();
    store.insert_check_in(full_check_in(sam.id, date(2026, 3, 1))).await.unwrap();
    store.insert_check_in(full_check_in(kim.id, date(2026, 3, 1))).await.unwrap();
    store.set_warning_signs(sam.id, &[library_sign("numb"), own_sign(3, "my own sign")]).await.unwrap();
    store.dismiss_signal(sam.id, "energy-falling", at(2)).await.unwrap();
    store.set_reassessment_cadence(sam.id, &instrument("who5"), 14).await.unwrap();
    store.add_work_session(hand_session(sam.id, 10)).await.unwrap();
    store.import_work_sessions(sam.id, vec![imported_session(sam.id, 1, 20)]).await.unwrap();
    store.add_work_session(hand_session(kim.id, 10)).await.unwrap();
    store.set_pacing_plan(sam.id, &pacing_plan()).await.unwrap();
    let sams_incident = store.add_incident(new_incident(sam.id, date(2026, 3, 1), 3)).await.unwrap();
    store.record_follow_up(sam.id, sams_incident, FollowUpStep::NextDay, StillWithMe::Sometimes, at(4)).await.unwrap();
    let kims_incident = store.add_incident(new_incident(kim.id, date(2026, 3, 1), 3)).await.unwrap();
    let sams_session = store.sessions_of(sam.id).await.unwrap()[0].id;
    let kims_session = store.sessions_of(kim.id).await.unwrap()[0].id;
    for (user, session, n) in [(sam.id, sams_session, 1), (kim.id, kims_session, 2)] {
        assert!(store.create_journal_lock(user, &journal_lock(n)).await.unwrap());
        store.add_journal_entry(&journal_entry(user, n, 10)).await.unwrap();
        store.save_journal_draft(user, &journal_draft(n)).await.unwrap();
        store.set_journal_unlock(user, session, &journal_key(n)).await.unwrap();
        store.add_kit_statement(user, &sealed("I am allowed to rest", "statement"), at(5)).await.unwrap();
        store.set_kit_contact(user, &kit_contact(n)).await.unwrap();
        store.record_kit_use(user, "box-breathing", at(6)).await.unwrap();
        store.set_reminder_settings(user, &reminder_settings(n)).await.unwrap();
        store.set_calendar_feed(user, &feed_secret(n), at(1)).await.unwrap();
        store.enqueue_job(&new_job(user, "2026-03-01", 0)).await.unwrap();
    }
    let mut contract_ids = Vec::new();
    for (user, n) in [(sam.id, 1), (kim.id, 2)] {
        store.set_contract_settings(user, &contract_settings(n)).await.unwrap();
        let goal = store.add_goal(&new_goal(user, n, date(2026, 6, 1))).await.unwrap();
        assert!(store.add_goal_progress(user, goal, &progress(date(2026, 3, 1), 50, 5)).await.unwrap());
        store.add_support_person(&support_person(user, n, true)).await.unwrap();
        store.add_contract_review(&contract_review(user, date(2026, 3, 1), n)).await.unwrap();
        contract_ids.push(goal);
    }

    let before = store.user_row_counts(sam.id).await.unwrap();
    assert!(before.iter().any(|(table, count)| table == "sessions" && *count == 2), "{before:?}");
    assert!(before.len() >= 28, "every per-person table is counted: {before:?}");
    // When a table of per-person rows is added, give sam a row in it above.
    assert!(before.iter().all(|(_, count)| *count > 0), "sam has a row in every per-person table: {before:?}");

    assert!(store.delete_user(sam.id).await.unwrap());
    assert!(!store.delete_user(sam.id).await.unwrap(), "deleting twice finds nothing");
    let after = store.user_row_counts(sam.id).await.unwrap();
    assert!(!after.is_empty());
    assert!(after.iter().all(|(_, count)| *count == 0), "left behind: {after:?}");
    assert!(store.kit_statements(sam.id).await.unwrap().is_empty(), "the kit goes with the account");
    assert_eq!(store.kit_contact(sam.id).await.unwrap(), None);
    assert!(store.kit_uses(sam.id, at(-1_000_000), at(1_000_000)).await.unwrap().is_empty());
    assert!(store.user(sam.id).await.unwrap().is_none());
    assert!(store.user_credentials(&email("sam")).await.unwrap().is_none());
    assert!(store.session_by_token(&token(1)).await.unwrap().is_none());
    assert!(store.data_key(sam.id).await.unwrap().is_none(), "the data key goes with the account");
    assert!(store.check_in(sam.id, date(2026, 3, 1)).await.unwrap().is_none());
    assert!(store.warning_signs(sam.id).await.unwrap().is_empty());
    assert!(store.dismissed_signals(sam.id).await.unwrap().is_empty());
    assert!(store.reassessment_cadences(sam.id).await.unwrap().is_empty());
    assert!(store.work_sessions(sam.id, at(-1_000_000), at(1_000_000)).await.unwrap().is_empty());
    assert_eq!(store.pacing_plan(sam.id).await.unwrap(), None);
    assert!(store.incidents(sam.id).await.unwrap().is_empty());
    assert_eq!(store.kit_statements(kim.id).await.unwrap().len(), 1, "and her rescue kit");
    assert_eq!(store.kit_contact(kim.id).await.unwrap(), Some(kit_contact(2)));
    assert_eq!(store.kit_uses(kim.id, at(0), at(100)).await.unwrap().len(), 1);
    assert_eq!(store.journal_lock(sam.id).await.unwrap(), None, "the journal key goes with the account");
    assert!(store.journal_entries(sam.id).await.unwrap().is_empty());
    assert_eq!(store.journal_entry(sam.id, &entry_token(1)).await.unwrap(), None);
    assert_eq!(store.journal_draft(sam.id).await.unwrap(), None);
    assert_eq!(store.journal_unlock(sams_session).await.unwrap(), None);
    assert_eq!(store.reminder_settings(sam.id).await.unwrap(), None);
    assert_eq!(store.calendar_feed(sam.id).await.unwrap(), None);
    assert_eq!(store.user_by_calendar_feed(&feed_secret(1)).await.unwrap(), None, "the feed's address ends");
    assert_eq!(store.reminder_settings(kim.id).await.unwrap(), Some(reminder_settings(2)), "kim keeps her reminders");
    assert_eq!(store.user_by_calendar_feed(&feed_secret(2)).await.unwrap().map(|u| u.id), Some(kim.id));
    assert!(store.jobs_of(sam.id).await.unwrap().is_empty(), "sam's reminders will not be sent");
    assert_eq!(store.jobs_of(kim.id).await.unwrap().len(), 1);
    assert_eq!(store.contract_settings(sam.id).await.unwrap(), None, "the contract goes with the account");
    assert!(store.goals(sam.id).await.unwrap().is_empty());
    assert!(store.support_people(sam.id).await.unwrap().is_empty());
    assert!(store.contract_reviews(sam.id).await.unwrap().is_empty());

    assert!(store.session_by_token(&token(3)).await.unwrap().is_some(), "kim keeps her session");
    assert_eq!(store.data_key(kim.id).await.unwrap(), Some(wrapped_key(2)), "and her data key");
    assert!(store.check_in(kim.id, date(2026, 3, 1)).await.unwrap().is_some(), "and her check-in");
    assert_eq!(store.assessments_of(kim.id, &instrument("who5")).await.unwrap().len(), 1, "and her results");
    assert_eq!(store.work_sessions(kim.id, at(0), at(100)).await.unwrap().len(), 1, "and her sessions");
    assert!(store.incident(kim.id, kims_incident).await.unwrap().is_some(), "and her incident");
    assert_eq!(store.journal_lock(kim.id).await.unwrap(), Some(journal_lock(2)), "and her journal");
    assert_eq!(store.journal_entries(kim.id).await.unwrap(), vec![journal_entry(kim.id, 2, 10)]);
    assert_eq!(store.journal_draft(kim.id).await.unwrap(), Some(journal_draft(2)));
    assert_eq!(store.journal_unlock(kims_session).await.unwrap(), Some(journal_key(2)));
    assert_eq!(store.contract_settings(kim.id).await.unwrap(), Some(contract_settings(2)), "and her contract");
    let kims_goals = store.goals(kim.id).await.unwrap();
    assert_eq!(kims_goals.iter().map(|goal| goal.id).collect::<Vec<_>>(), vec![contract_ids[1]]);
    assert_eq!(kims_goals[0].progress.len(), 1);
    assert_eq!(store.support_people(kim.id).await.unwrap().len(), 1);
    assert_eq!(store.contract_reviews(kim.id).await.unwrap().len(), 1);
    assert_eq!(store.user(kim.id).await.unwrap().map(|u| u.email), Some(email("kim")));
    // The email is free again.
    store.create_user(new_user("sam")).await.unwrap();
}

fn instrument(id: &str) -> InstrumentId {
    InstrumentId::parse(id).unwrap()
}

fn answers(items: &[Option<i32>]) -> Answers {
    Answers { gate: None, items: items.to_vec() }
}

fn assessment(user: UserId, id: &str, taken: i64) -> NewAssessment {
    NewAssessment {
        user_id: user,
        instrument_id: instrument(id),
        instrument_version: "1".into(),
        answers: answers(&[Some(3), Some(4), None]),
        scales: vec![
            StoredScale { id: "raw".into(), value: Some(12.0), band: None },
            StoredScale { id: "percentage".into(), value: Some(48.5), band: Some("Poor well-being".into()) },
            StoredScale { id: "partial".into(), value: None, band: None },
        ],
        flags: vec!["who5_low".into()],
        taken_at: at(taken),
    }
}

pub async fn assessments_round_trip_and_belong_to_their_owner(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let first = store.save_assessment(assessment(sam.id, "who5", 100)).await.unwrap();
    let second = store.save_assessment(assessment(sam.id, "who5", 50)).await.unwrap();
    store.save_assessment(assessment(sam.id, "phq9", 70)).await.unwrap();

    let stored = store.assessment(sam.id, first).await.unwrap().expect("sam's own result");
    let expected = assessment(sam.id, "who5", 100);
    assert_eq!(stored.id, first);
    assert_eq!(stored.user_id, sam.id);
    assert_eq!(stored.instrument_id, expected.instrument_id);
    assert_eq!(stored.instrument_version, "1");
    assert_eq!(stored.answers, expected.answers);
    assert_eq!(stored.scales, expected.scales);
    assert_eq!(stored.flags, expected.flags);
    assert_eq!(stored.taken_at, at(100));

    assert!(store.assessment(kim.id, first).await.unwrap().is_none(), "kim cannot read sam's result");
    assert!(store.assessment(sam.id, AssessmentId(first.0 + 1000)).await.unwrap().is_none());
    let history = store.assessments_of(sam.id, &instrument("who5")).await.unwrap();
    assert_eq!(history.iter().map(|a| a.id).collect::<Vec<_>>(), vec![second, first], "oldest first");
    assert!(store.assessments_of(kim.id, &instrument("who5")).await.unwrap().is_empty());
}

pub async fn saving_an_assessment_clears_the_draft(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let who5 = instrument("who5");
    store.save_draft(sam.id, &who5, &answers(&[Some(1), None, None]), at(1)).await.unwrap();
    store.save_draft(sam.id, &instrument("phq9"), &answers(&[Some(2)]), at(1)).await.unwrap();
    store.save_assessment(assessment(sam.id, "who5", 10)).await.unwrap();
    assert!(store.draft(sam.id, &who5).await.unwrap().is_none());
    assert!(store.draft(sam.id, &instrument("phq9")).await.unwrap().is_some(), "other drafts stay");
}

pub async fn last_taken_is_per_instrument(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    assert!(store.last_taken(sam.id).await.unwrap().is_empty());
    store.save_assessment(assessment(sam.id, "who5", 10)).await.unwrap();
    store.save_assessment(assessment(sam.id, "who5", 30)).await.unwrap();
    store.save_assessment(assessment(sam.id, "phq9", 20)).await.unwrap();
    let mut last = store.last_taken(sam.id).await.unwrap();
    last.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(last, vec![(instrument("phq9"), at(20)), (instrument("who5"), at(30))]);
}

pub async fn drafts_are_replaced(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let who5 = instrument("who5");
    assert!(store.draft(sam.id, &who5).await.unwrap().is_none());
    store.save_draft(sam.id, &who5, &answers(&[Some(1), None]), at(1)).await.unwrap();
    store.save_draft(sam.id, &who5, &answers(&[Some(1), Some(2)]), at(2)).await.unwrap();
    let draft = store.draft(sam.id, &who5).await.unwrap().unwrap();
    assert_eq!(draft.answers, answers(&[Some(1), Some(2)]));
    assert_eq!(draft.updated_at, at(2));
}

pub async fn words_are_replaced_whole(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert!(store.words(sam.id).await.unwrap().is_empty());
    let first = Words::from([("helper".to_owned(), "nurse".to_owned()), ("help".to_owned(), "nurse".to_owned())]);
    store.set_words(sam.id, &first).await.unwrap();
    assert_eq!(store.words(sam.id).await.unwrap(), first);
    let second = Words::from([("clients".to_owned(), "patients".to_owned())]);
    store.set_words(sam.id, &second).await.unwrap();
    assert_eq!(store.words(sam.id).await.unwrap(), second);
    assert!(store.words(kim.id).await.unwrap().is_empty());
}

pub async fn support_resources_start_unset_then_replace(store: Arc<dyn Store>) {
    assert!(store.support_resources().await.unwrap().is_none());
    let resources = vec![
        SupportResource {
            name: "Emergency".into(),
            description: "If you are in danger now.".into(),
            contact: "112".into(),
        },
        SupportResource {
            name: "Staff support".into(),
            description: "Confidential counselling.".into(),
            contact: "0800 000".into(),
        },
    ];
    store.set_support_resources(&resources).await.unwrap();
    assert_eq!(store.support_resources().await.unwrap(), Some(resources.clone()));
    store.set_support_resources(&resources[1..]).await.unwrap();
    assert_eq!(store.support_resources().await.unwrap(), Some(resources[1..].to_vec()), "order kept, old gone");
    store.set_support_resources(&[]).await.unwrap();
    assert_eq!(store.support_resources().await.unwrap(), Some(vec![]), "an empty list is a choice, not unset");
}

pub async fn custom_instruments_are_added_replaced_and_deleted(store: Arc<dyn Store>) {
    let admin = store.create_user(new_user("admin")).await.unwrap();
    let custom = |definition: &str| CustomInstrument {
        id: instrument("mbi-hss"),
        definition: definition.into(),
        licence_note: "Licensed from Mind Garden, 2026".into(),
        added_by: admin.id,
        added_at: at(1),
    };
    store.save_custom_instrument(custom("first")).await.unwrap();
    store.save_custom_instrument(custom("second")).await.unwrap();
    assert_eq!(store.custom_instruments().await.unwrap(), vec![custom("second")]);
    assert!(store.delete_custom_instrument(&instrument("mbi-hss")).await.unwrap());
    assert!(!store.delete_custom_instrument(&instrument("mbi-hss")).await.unwrap());
    assert!(store.custom_instruments().await.unwrap().is_empty());
}

fn zone(name: &str) -> TimeZoneName {
    TimeZoneName::parse(name).unwrap()
}

pub async fn time_zones_default_round_trip_and_change(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    assert_eq!(sam.time_zone, TimeZoneName::utc());
    let kim = store.create_user(NewUser { time_zone: zone("Pacific/Auckland"), ..new_user("kim") }).await.unwrap();
    assert_eq!(kim.time_zone.as_str(), "Pacific/Auckland");
    assert_eq!(store.user(kim.id).await.unwrap(), Some(kim.clone()));
    assert_eq!(store.user_credentials(&email("kim")).await.unwrap().unwrap().user, kim);
    assert_eq!(store.user_credentials(&email("kim")).await.unwrap().unwrap().password_hash, "hash-of-kim");
    let listed: Vec<_> = store.list_users().await.unwrap().into_iter().map(|u| u.time_zone).collect();
    assert_eq!(listed, vec![TimeZoneName::utc(), zone("Pacific/Auckland")]);

    store.create_session(new_session(sam.id, 1, 0)).await.unwrap();
    let signed_in = store.session_by_token(&token(1)).await.unwrap().unwrap();
    assert_eq!(signed_in.user.time_zone, TimeZoneName::utc());

    store.set_time_zone(sam.id, &zone("Europe/Dublin")).await.unwrap();
    assert_eq!(store.user(sam.id).await.unwrap().unwrap().time_zone.as_str(), "Europe/Dublin");
    let signed_in = store.session_by_token(&token(1)).await.unwrap().unwrap();
    assert_eq!(signed_in.user.time_zone.as_str(), "Europe/Dublin", "the signed-in user sees the change at once");
    assert_eq!(store.user(kim.id).await.unwrap().unwrap().time_zone.as_str(), "Pacific/Auckland", "kim's stays");

    store.set_time_zone(sam.id, &TimeZoneName::utc()).await.unwrap();
    assert_eq!(store.session_by_token(&token(1)).await.unwrap().unwrap().user.time_zone, TimeZoneName::utc());
}

fn wrapped_key(n: u8) -> WrappedKey {
    DataKey::from_bytes([n; 32]).wrap(&InstanceKey::from_bytes([0x5a; 32]), [n; 24])
}

pub async fn a_data_key_is_made_once_per_person(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert_eq!(store.data_key(sam.id).await.unwrap(), None);
    assert_eq!(store.any_data_key().await.unwrap(), None, "no keys yet");

    assert_eq!(store.create_data_key(sam.id, wrapped_key(1), at(1)).await.unwrap(), wrapped_key(1));
    assert_eq!(store.any_data_key().await.unwrap(), Some(wrapped_key(1)));
    assert_eq!(
        store.create_data_key(sam.id, wrapped_key(2), at(2)).await.unwrap(),
        wrapped_key(1),
        "a second key is not stored; the first is returned"
    );
    assert_eq!(store.data_key(sam.id).await.unwrap(), Some(wrapped_key(1)));
    assert_eq!(store.data_key(kim.id).await.unwrap(), None, "keys are per person");
    assert_eq!(store.create_data_key(kim.id, wrapped_key(3), at(3)).await.unwrap(), wrapped_key(3));

    // Racing first requests all end up with the one key that was stored.
    let lee = store.create_user(new_user("lee")).await.unwrap();
    let racers: Vec<_> = (10..18)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move { store.create_data_key(lee.id, wrapped_key(n), at(4)).await.unwrap() })
        })
        .collect();
    let mut agreed = BTreeSet::new();
    for racer in racers {
        agreed.insert(racer.await.unwrap().into_bytes());
    }
    assert_eq!(agreed.len(), 1, "every racer got the same key");
    let stored = store.data_key(lee.id).await.unwrap().unwrap();
    assert_eq!(agreed.into_iter().next().unwrap(), stored.as_bytes());

    assert!(store.delete_user(sam.id).await.unwrap());
    assert_eq!(store.data_key(sam.id).await.unwrap(), None);
    assert_eq!(store.data_key(kim.id).await.unwrap(), Some(wrapped_key(3)));
    let any = store.any_data_key().await.unwrap().expect("kim's and lee's keys remain");
    assert!(any == wrapped_key(3) || any == stored, "one of the stored keys: {any:?}");
}

fn sealed(text: &str, place: &str) -> Sealed {
    seal(&DataKey::from_bytes([7; 32]), text, place.as_bytes(), [1; 24])
}

fn level(value: u8) -> Level {
    Level::new(value).unwrap()
}

fn own_id(n: u8) -> SignId {
    SignId::own([n, 0xab, 0, 1, 2, 3, 4, 0xff])
}

fn sign(id: &str) -> SignId {
    SignId::parse(id).unwrap()
}

/// A check-in with every field filled in, at the edges of their ranges.
fn full_check_in(user: UserId, day: Date) -> StoredCheckIn {
    StoredCheckIn {
        user_id: user,
        day,
        values: CheckIn {
            energy: level(0),
            mood: Some(level(10)),
            sleep_hours: Some(SleepQuarters::from_hours(24.0).unwrap()),
            sleep_quality: Some(level(3)),
            empathy: Some(EmpathyDial::new(-3).unwrap()),
            dread: Some(level(7)),
            intrusive: Some(level(1)),
            physical: BTreeSet::from([PhysicalSign::Headache, PhysicalSign::Illness, PhysicalSign::Tension]),
            warning_signs: BTreeSet::from([sign("brain-fog"), own_id(1), sign("numb")]),
        },
        restorer: Some(sealed("a walk by the canal", "restorer")),
        note: Some(sealed("a long day; the Tuesday group was hard", "note")),
        backfilled: false,
        created_at: at(100),
        updated_at: at(100),
    }
}

/// A check-in with only the one required answer.
fn bare_check_in(user: UserId, day: Date, energy: u8) -> StoredCheckIn {
    StoredCheckIn {
        user_id: user,
        day,
        values: CheckIn::new(level(energy)),
        restorer: None,
        note: None,
        backfilled: false,
        created_at: at(200),
        updated_at: at(200),
    }
}

pub async fn check_ins_round_trip_every_field(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let full = full_check_in(sam.id, date(2026, 11, 22));
    store.insert_check_in(full.clone()).await.unwrap();
    assert_eq!(store.check_in(sam.id, date(2026, 11, 22)).await.unwrap(), Some(full.clone()));
    let stored = store.check_in(sam.id, date(2026, 11, 22)).await.unwrap().unwrap();
    assert_eq!(stored.note.unwrap().as_bytes(), full.note.unwrap().as_bytes(), "sealed bytes, byte for byte");

    let mut bare = bare_check_in(sam.id, date(2026, 11, 21), 10);
    bare.backfilled = true;
    bare.values.empathy = Some(EmpathyDial::new(3).unwrap());
    bare.values.sleep_hours = Some(SleepQuarters::from_hours(0.0).unwrap());
    store.insert_check_in(bare.clone()).await.unwrap();
    assert_eq!(store.check_in(sam.id, date(2026, 11, 21)).await.unwrap(), Some(bare));

    let mut minimal = bare_check_in(sam.id, date(2026, 11, 20), 5);
    minimal.values.physical.insert(PhysicalSign::Stomach);
    minimal.values.warning_signs.insert(own_id(2));
    minimal.note = Some(sealed("", "note"));
    store.insert_check_in(minimal.clone()).await.unwrap();
    assert_eq!(store.check_in(sam.id, date(2026, 11, 20)).await.unwrap(), Some(minimal), "one of each, empty note");

    assert_eq!(store.check_in(sam.id, date(2026, 11, 23)).await.unwrap(), None);
    assert_eq!(store.check_in(kim.id, date(2026, 11, 22)).await.unwrap(), None, "kim cannot read sam's day");
}

pub async fn a_second_check_in_for_a_day_is_a_conflict(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let day = date(2026, 5, 4);
    let first = full_check_in(sam.id, day);
    store.insert_check_in(first.clone()).await.unwrap();
    match store.insert_check_in(bare_check_in(sam.id, day, 9)).await {
        Err(StoreError::Conflict("check-in")) => {}
        other => panic!("expected a conflict on check-in, got {other:?}"),
    }
    assert_eq!(store.check_in(sam.id, day).await.unwrap(), Some(first), "the first check-in is intact");
    store.insert_check_in(bare_check_in(kim.id, day, 9)).await.expect("kim has her own days");
    assert_eq!(store.check_in(kim.id, day).await.unwrap().unwrap().values.energy, level(9));
}

pub async fn updating_a_check_in_keeps_when_and_how_it_was_made(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let day = date(2026, 2, 28);
    let mut original = full_check_in(sam.id, day);
    original.backfilled = true;
    original.created_at = at(10);
    original.updated_at = at(10);
    store.insert_check_in(original).await.unwrap();

    let mut changed = bare_check_in(sam.id, day, 6);
    changed.values.mood = Some(level(2));
    changed.values.warning_signs.insert(sign("tearful"));
    changed.note = Some(sealed("changed my mind", "note"));
    changed.backfilled = false;
    changed.created_at = at(999);
    changed.updated_at = at(50);
    assert!(store.update_check_in(changed.clone()).await.unwrap());

    let stored = store.check_in(sam.id, day).await.unwrap().unwrap();
    assert_eq!(stored.values, changed.values, "every value replaced, sets included");
    assert_eq!(stored.restorer, None, "a cleared restorer is cleared");
    assert_eq!(stored.note, changed.note);
    assert_eq!(stored.updated_at, at(50));
    assert_eq!(stored.created_at, at(10), "created_at is kept");
    assert!(stored.backfilled, "backfilled is kept");

    assert!(!store.update_check_in(bare_check_in(sam.id, date(2026, 3, 1), 1)).await.unwrap(), "no such day");
    assert_eq!(store.check_in(sam.id, date(2026, 3, 1)).await.unwrap(), None, "and none is made");
    assert!(!store.update_check_in(bare_check_in(kim.id, day, 1)).await.unwrap(), "kim has no check-in that day");
    assert_eq!(store.check_in(kim.id, day).await.unwrap(), None);
    assert_eq!(store.check_in(sam.id, day).await.unwrap().unwrap().values.energy, level(6), "sam's is untouched");
}

pub async fn check_ins_are_listed_by_inclusive_range_oldest_first(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let days = [
        date(2026, 1, 31),
        date(2026, 1, 5),
        date(2026, 2, 1),
        date(2025, 12, 31),
        date(2026, 1, 10),
        date(2026, 1, 4),
    ];
    for (n, day) in days.into_iter().enumerate() {
        store.insert_check_in(bare_check_in(sam.id, day, n as u8)).await.unwrap();
    }
    for day in [date(2026, 1, 6), date(2026, 1, 10)] {
        store.insert_check_in(bare_check_in(kim.id, day, 9)).await.unwrap();
    }
    let listed = |from: Date, to: Date| {
        let store = store.clone();
        async move {
            let found = store.check_ins(sam.id, from, to).await.unwrap();
            assert!(found.iter().all(|c| c.user_id == sam.id), "only sam's check-ins");
            found.into_iter().map(|c| c.day).collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(date(2026, 1, 5), date(2026, 1, 31)).await,
        vec![date(2026, 1, 5), date(2026, 1, 10), date(2026, 1, 31)],
        "both ends included, oldest first"
    );
    assert_eq!(listed(date(2025, 12, 31), date(2026, 1, 4)).await, vec![date(2025, 12, 31), date(2026, 1, 4)]);
    assert_eq!(listed(date(2026, 1, 10), date(2026, 1, 10)).await, vec![date(2026, 1, 10)]);
    assert_eq!(listed(date(2026, 1, 6), date(2026, 1, 9)).await, vec![], "kim's days are not sam's");
    assert_eq!(listed(date(2026, 2, 1), date(2026, 1, 1)).await, vec![], "an empty range");
    assert_eq!(listed(date(2000, 1, 1), date(2099, 12, 31)).await.len(), days.len());
    let kims = store.check_ins(kim.id, date(2000, 1, 1), date(2099, 12, 31)).await.unwrap();
    assert_eq!(kims.iter().map(|c| c.day).collect::<Vec<_>>(), vec![date(2026, 1, 6), date(2026, 1, 10)]);
    assert_eq!(kims[1].values.energy, level(9), "kim's own values, not sam's for the same day");
}

fn library_sign(id: &str) -> ChosenSign {
    ChosenSign { id: sign(id), own_words: None }
}

fn own_sign(n: u8, words: &str) -> ChosenSign {
    ChosenSign { id: own_id(n), own_words: Some(sealed(words, "sign")) }
}

pub async fn warning_signs_are_replaced_whole_in_order(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert!(store.warning_signs(sam.id).await.unwrap().is_empty());
    // Neither alphabetical nor the library's order: the person's own.
    let first = vec![
        library_sign("tearful"),
        own_sign(1, "I stop answering my sister's calls"),
        library_sign("brain-fog"),
        own_sign(2, "I eat at my desk"),
    ];
    store.set_warning_signs(sam.id, &first).await.unwrap();
    assert_eq!(store.warning_signs(sam.id).await.unwrap(), first);
    store.set_warning_signs(kim.id, &[library_sign("numb")]).await.unwrap();

    let second = vec![own_sign(2, "I eat at my desk"), library_sign("numb")];
    store.set_warning_signs(sam.id, &second).await.unwrap();
    assert_eq!(store.warning_signs(sam.id).await.unwrap(), second, "the old list is gone, the new order kept");
    store.set_warning_signs(sam.id, &[]).await.unwrap();
    assert!(store.warning_signs(sam.id).await.unwrap().is_empty());
    assert_eq!(store.warning_signs(kim.id).await.unwrap(), vec![library_sign("numb")], "kim's are her own");
}

pub async fn dismissals_are_idempotent_and_per_person(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert!(store.dismissed_signals(sam.id).await.unwrap().is_empty());
    store.dismiss_signal(sam.id, "energy-falling", at(1)).await.unwrap();
    store.dismiss_signal(sam.id, "energy-falling", at(2)).await.expect("dismissing twice is fine");
    store.dismiss_signal(sam.id, "dread-rising", at(3)).await.unwrap();
    let mut dismissed = store.dismissed_signals(sam.id).await.unwrap();
    dismissed.sort();
    assert_eq!(dismissed, vec!["dread-rising".to_owned(), "energy-falling".to_owned()]);
    assert!(store.dismissed_signals(kim.id).await.unwrap().is_empty(), "sam's dismissals are not kim's");
    store.dismiss_signal(kim.id, "energy-falling", at(4)).await.unwrap();
    assert_eq!(store.dismissed_signals(kim.id).await.unwrap(), vec!["energy-falling".to_owned()]);
    assert_eq!(store.dismissed_signals(sam.id).await.unwrap().len(), 2);
}

pub async fn reassessment_cadences_are_upserted_per_person(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert!(store.reassessment_cadences(sam.id).await.unwrap().is_empty());
    store.set_reassessment_cadence(sam.id, &instrument("who5"), 30).await.unwrap();
    store.set_reassessment_cadence(sam.id, &instrument("proqol5"), 0).await.unwrap();
    store.set_reassessment_cadence(sam.id, &instrument("who5"), 14).await.unwrap();
    store.set_reassessment_cadence(sam.id, &instrument("phq9"), u16::MAX).await.unwrap();
    store.set_reassessment_cadence(kim.id, &instrument("who5"), 7).await.unwrap();
    let mut cadences = store.reassessment_cadences(sam.id).await.unwrap();
    cadences.sort();
    assert_eq!(
        cadences,
        vec![(instrument("phq9"), u16::MAX), (instrument("proqol5"), 0), (instrument("who5"), 14)],
        "the later choice replaces the earlier; 0 (never remind) is kept as a choice"
    );
    assert_eq!(store.reassessment_cadences(kim.id).await.unwrap(), vec![(instrument("who5"), 7)]);
}

fn minutes(value: u16) -> Minutes {
    Minutes::new(value).unwrap()
}

/// A session recorded by hand: a client session, heavy, debriefed.
fn hand_session(user: UserId, start: i64) -> NewWorkSession {
    NewWorkSession {
        user_id: user,
        session: WorkSession {
            start: at(start),
            minutes: minutes(50),
            kind: SessionKind::ClientSession,
            intensity: Some(Intensity::Heavy),
            debriefed: true,
        },
        import_key: None,
        created_at: at(start + 1),
    }
}

fn import_key(n: u32) -> ImportKey {
    let mut key = [0xc5; 32];
    key[..4].copy_from_slice(&n.to_be_bytes());
    ImportKey(key)
}

/// A session as a calendar import makes it: untagged, not debriefed, with its import key.
fn imported_session(user: UserId, key: u32, start: i64) -> NewWorkSession {
    NewWorkSession {
        user_id: user,
        session: WorkSession {
            start: at(start),
            minutes: minutes(60),
            kind: SessionKind::Other,
            intensity: None,
            debriefed: false,
        },
        import_key: Some(import_key(key)),
        created_at: at(5),
    }
}

/// Every session of the person's, whenever it started.
async fn all_work_sessions(store: &Arc<dyn Store>, user: UserId) -> Vec<StoredWorkSession> {
    store.work_sessions(user, at(-1_000_000_000), at(1_000_000_000)).await.unwrap()
}

pub async fn work_sessions_round_trip_every_field(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let traumatic = NewWorkSession {
        session: WorkSession {
            start: at(-3600),
            minutes: minutes(Minutes::MAX),
            kind: SessionKind::Crisis,
            intensity: Some(Intensity::Traumatic),
            debriefed: true,
        },
        ..hand_session(sam.id, 0)
    };
    let untagged = NewWorkSession {
        session: WorkSession {
            start: at(7200),
            minutes: minutes(1),
            kind: SessionKind::Supervision,
            intensity: None,
            debriefed: false,
        },
        ..hand_session(sam.id, 0)
    };
    let first = store.add_work_session(traumatic.clone()).await.unwrap();
    let second = store.add_work_session(untagged.clone()).await.unwrap();
    assert_ne!(first, second);
    let report = store.import_work_sessions(sam.id, vec![imported_session(sam.id, 1, 3600)]).await.unwrap();
    assert_eq!(report, ImportReport { added: 1, already_there: 0 });

    let stored = all_work_sessions(&store, sam.id).await;
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert_eq!(
        stored[0],
        StoredWorkSession { id: first, user_id: sam.id, session: traumatic.session, imported: false },
        "every field, the longest length included"
    );
    assert_eq!(stored[1].session, imported_session(sam.id, 1, 3600).session, "an untagged import");
    assert!(stored[1].imported, "an import is marked as one");
    assert_eq!(stored[1].user_id, sam.id);
    assert_eq!(
        stored[2],
        StoredWorkSession { id: second, user_id: sam.id, session: untagged.session, imported: false },
        "no intensity stays none; the shortest length"
    );

    // Every kind and every intensity is read back as itself.
    for (n, kind) in SessionKind::ALL.into_iter().enumerate() {
        for (m, intensity) in Intensity::ALL.into_iter().enumerate() {
            let start = 100_000 + (n * 10 + m) as i64 * 3600;
            let new = NewWorkSession {
                session: WorkSession { kind, intensity: Some(intensity), ..hand_session(kim.id, start).session },
                ..hand_session(kim.id, start)
            };
            store.add_work_session(new).await.unwrap();
        }
    }
    let kims = all_work_sessions(&store, kim.id).await;
    let read: Vec<_> = kims.iter().map(|s| (s.session.kind, s.session.intensity.unwrap())).collect();
    let expected: Vec<_> =
        SessionKind::ALL.into_iter().flat_map(|k| Intensity::ALL.into_iter().map(move |i| (k, i))).collect();
    assert_eq!(read, expected);
    assert!(kims.iter().all(|s| s.user_id == kim.id && !s.imported));
    assert_eq!(all_work_sessions(&store, sam.id).await.len(), 3, "kim's sessions are not sam's");
}

pub async fn work_sessions_are_listed_by_half_open_range_earliest_first(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let mut ids = std::collections::BTreeMap::new();
    for start in [500, 100, 300, 200, 400, 200] {
        let id = store.add_work_session(hand_session(sam.id, start)).await.unwrap();
        ids.entry(start).or_insert_with(Vec::new).push(id);
    }
    for start in [150, 300] {
        store.add_work_session(hand_session(kim.id, start)).await.unwrap();
    }
    let listed = |from: i64, to: i64| {
        let store = store.clone();
        async move {
            let found = store.work_sessions(sam.id, at(from), at(to)).await.unwrap();
            assert!(found.iter().all(|s| s.user_id == sam.id), "only sam's sessions");
            found.into_iter().map(|s| (s.session.start, s.id)).collect::<Vec<_>>()
        }
    };
    let expect = |starts: &[i64]| {
        let mut expected = Vec::new();
        for start in starts {
            expected.extend(ids[start].iter().map(|id| (at(*start), *id)));
        }
        expected
    };
    assert_eq!(listed(200, 400).await, expect(&[200, 300]), "from included, to excluded, earliest first");
    assert_eq!(listed(199, 401).await, expect(&[200, 300, 400]));
    assert_eq!(listed(0, 1000).await, expect(&[100, 200, 300, 400, 500]));
    assert_eq!(listed(300, 300).await, vec![], "an empty range");
    assert_eq!(listed(400, 200).await, vec![], "a backwards range");
    assert_eq!(listed(140, 160).await, vec![], "kim's session is not sam's");
    let kims = store.work_sessions(kim.id, at(0), at(1000)).await.unwrap();
    assert_eq!(kims.iter().map(|s| s.session.start).collect::<Vec<_>>(), vec![at(150), at(300)]);
}

pub async fn importing_again_adds_nothing_and_keeps_what_the_person_tagged(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    // A year of a busy calendar, in one import.
    let calendar: Vec<_> = (0..5000).map(|n| imported_session(sam.id, n, i64::from(n) * 3600)).collect();
    let first = store.import_work_sessions(sam.id, calendar.clone()).await.unwrap();
    assert_eq!(first, ImportReport { added: 5000, already_there: 0 });
    let stored = all_work_sessions(&store, sam.id).await;
    assert_eq!(stored.len(), 5000);
    assert!(stored.iter().all(|s| s.imported && s.session.intensity.is_none()));

    // The person tags one, then imports the same file again with one new event.
    let tagged = stored[7].id;
    let change =
        SessionChange { kind: Some(SessionKind::Crisis), intensity: Some(Intensity::Traumatic), debriefed: Some(true) };
    assert_eq!(store.update_work_sessions(sam.id, &[tagged], change).await.unwrap(), 1);
    let mut again = calendar;
    again.push(imported_session(sam.id, 5000, 5000 * 3600));
    let second = store.import_work_sessions(sam.id, again).await.unwrap();
    assert_eq!(second, ImportReport { added: 1, already_there: 5000 });
    let stored = all_work_sessions(&store, sam.id).await;
    assert_eq!(stored.len(), 5001);
    let kept = stored.iter().find(|s| s.id == tagged).unwrap();
    assert_eq!(
        (kept.session.kind, kept.session.intensity, kept.session.debriefed),
        (SessionKind::Crisis, Some(Intensity::Traumatic), true),
        "the import did not overwrite the person's tags"
    );
    assert_eq!(stored.iter().filter(|s| s.session.intensity.is_some()).count(), 1);

    // The same event twice in one file is one session.
    let twice = vec![imported_session(sam.id, 9000, -3600), imported_session(sam.id, 9000, -3600)];
    assert_eq!(store.import_work_sessions(sam.id, twice).await.unwrap(), ImportReport { added: 1, already_there: 1 });
    assert_eq!(store.import_work_sessions(sam.id, vec![]).await.unwrap(), ImportReport::default());

    // Keys are per person: kim importing the same events gets her own sessions.
    let kims = (0..3).map(|n| imported_session(kim.id, n, i64::from(n) * 3600)).collect();
    assert_eq!(store.import_work_sessions(kim.id, kims).await.unwrap(), ImportReport { added: 3, already_there: 0 });
    assert_eq!(all_work_sessions(&store, kim.id).await.len(), 3);
    assert_eq!(all_work_sessions(&store, sam.id).await.len(), 5002);

    // Sessions recorded by hand have no key, so identical ones are all kept.
    store.add_work_session(hand_session(kim.id, 10)).await.unwrap();
    store.add_work_session(hand_session(kim.id, 10)).await.unwrap();
    assert_eq!(store.work_sessions(kim.id, at(10), at(11)).await.unwrap().len(), 2);
}

pub async fn an_import_naming_another_account_is_refused_whole(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let mixed =
        vec![imported_session(sam.id, 1, 0), imported_session(kim.id, 2, 3600), imported_session(sam.id, 3, 7200)];
    assert!(store.import_work_sessions(sam.id, mixed).await.is_err(), "a session of kim's in sam's import");
    assert!(all_work_sessions(&store, sam.id).await.is_empty(), "nothing of the import was added");
    assert!(all_work_sessions(&store, kim.id).await.is_empty(), "and nothing was added to kim's account");
    let report = store.import_work_sessions(sam.id, vec![imported_session(sam.id, 1, 0)]).await.unwrap();
    assert_eq!(report, ImportReport { added: 1, already_there: 0 }, "the refused import left no keys behind");
}

pub async fn bulk_changes_touch_only_the_person_s_own_sessions(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let report = store
        .import_work_sessions(sam.id, (0..3).map(|n| imported_session(sam.id, n, i64::from(n) * 3600)).collect())
        .await
        .unwrap();
    assert_eq!(report.added, 3);
    store.import_work_sessions(kim.id, vec![imported_session(kim.id, 0, 0)]).await.unwrap();
    let sams: Vec<WorkSessionId> = all_work_sessions(&store, sam.id).await.iter().map(|s| s.id).collect();
    let kims = all_work_sessions(&store, kim.id).await[0].id;
    let missing = WorkSessionId(sams.iter().chain([&kims]).map(|id| id.0).max().unwrap() + 1000);

    let heavy = SessionChange { kind: None, intensity: Some(Intensity::Heavy), debriefed: Some(true) };
    let changed = store.update_work_sessions(sam.id, &[sams[0], kims, sams[1], missing, sams[0]], heavy).await.unwrap();
    assert_eq!(changed, 2, "sam's two sessions, each once; not kim's, not one that does not exist");
    let stored = all_work_sessions(&store, sam.id).await;
    for session in &stored[..2] {
        assert_eq!(session.session.intensity, Some(Intensity::Heavy));
        assert!(session.session.debriefed);
        assert_eq!(session.session.kind, SessionKind::Other, "a kind left out is left as it is");
    }
    assert_eq!(stored[2].session, imported_session(sam.id, 2, 7200).session, "a session not named is untouched");
    assert_eq!(all_work_sessions(&store, kim.id).await[0].session, imported_session(kim.id, 0, 0).session);

    let group = SessionChange { kind: Some(SessionKind::Group), ..SessionChange::default() };
    assert_eq!(store.update_work_sessions(sam.id, &[sams[1]], group).await.unwrap(), 1);
    let stored = all_work_sessions(&store, sam.id).await;
    assert_eq!(
        stored[1].session,
        WorkSession {
            kind: SessionKind::Group,
            intensity: Some(Intensity::Heavy),
            debriefed: true,
            ..imported_session(sam.id, 1, 3600).session
        },
        "only the kind changed"
    );
    assert_eq!(store.update_work_sessions(kim.id, &[sams[2]], group).await.unwrap(), 0, "kim cannot tag sam's");
    assert_eq!(store.update_work_sessions(sam.id, &[], group).await.unwrap(), 0);
    assert_eq!(all_work_sessions(&store, sam.id).await[2].session.kind, SessionKind::Other);
}

pub async fn work_sessions_are_deleted_only_by_their_owner(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let sams = store.add_work_session(hand_session(sam.id, 10)).await.unwrap();
    let kept = store.add_work_session(hand_session(sam.id, 20)).await.unwrap();
    let kims = store.add_work_session(hand_session(kim.id, 10)).await.unwrap();
    assert!(!store.delete_work_session(sam.id, kims).await.unwrap(), "sam must not delete kim's session");
    assert_eq!(all_work_sessions(&store, kim.id).await.len(), 1);
    assert!(store.delete_work_session(sam.id, sams).await.unwrap());
    assert!(!store.delete_work_session(sam.id, sams).await.unwrap(), "deleting twice finds nothing");
    let left: Vec<_> = all_work_sessions(&store, sam.id).await.into_iter().map(|s| s.id).collect();
    assert_eq!(left, vec![kept]);
    assert!(store.delete_work_session(kim.id, kims).await.unwrap());
    assert!(all_work_sessions(&store, kim.id).await.is_empty());
}

fn pacing_plan() -> PacingPlan {
    PacingPlan {
        min_gap_minutes: 15,
        max_heavy_sessions_per_day: 3,
        max_heavy_minutes_per_day: 180,
        protected_break: Some(ProtectedBreak { start: time(12, 30, 0, 0), minutes: 45 }),
        max_consecutive_days: 5,
        day_starts: time(8, 0, 0, 0),
        day_ends: time(17, 30, 0, 0),
    }
}

pub async fn the_pacing_plan_starts_unset_then_is_replaced(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert_eq!(store.pacing_plan(sam.id).await.unwrap(), None);
    let first = pacing_plan();
    store.set_pacing_plan(sam.id, &first).await.unwrap();
    assert_eq!(store.pacing_plan(sam.id).await.unwrap(), Some(first));
    let second = PacingPlan {
        min_gap_minutes: 0,
        max_heavy_sessions_per_day: u8::MAX,
        max_heavy_minutes_per_day: u16::MAX,
        protected_break: None,
        max_consecutive_days: 1,
        day_starts: time(0, 0, 0, 0),
        day_ends: time(23, 59, 59, 0),
    };
    store.set_pacing_plan(sam.id, &second).await.unwrap();
    assert_eq!(store.pacing_plan(sam.id).await.unwrap(), Some(second), "the whole plan replaced");
    assert_eq!(store.pacing_plan(kim.id).await.unwrap(), None, "sam's plan is not kim's");
}

/// An incident with the `n`th kind and role (wrapping), and support to match.
fn new_incident(user: UserId, occurred_on: Date, n: usize) -> NewIncident {
    NewIncident {
        user_id: user,
        occurred_on,
        kind: IncidentKind::ALL[n % IncidentKind::ALL.len()],
        role: IncidentRole::ALL[n % IncidentRole::ALL.len()],
        support: Support::ALL.iter().copied().take(n % (Support::ALL.len() + 1)).collect(),
        created_at: at(n as i64),
    }
}

fn incident_as_stored(id: IncidentId, new: &NewIncident, follow_ups: Vec<FollowUp>) -> Incident {
    Incident {
        id,
        user_id: new.user_id,
        occurred_on: new.occurred_on,
        kind: new.kind,
        role: new.role,
        support: new.support.clone(),
        created_at: new.created_at,
        follow_ups,
    }
}

pub async fn incidents_are_listed_newest_first_with_follow_ups_in_step_order(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    // Every kind, role and support, none at all and all of them, on days out of order; two on
    // one day, the later logged listed first.
    let news: Vec<NewIncident> = [date(2026, 3, 10), date(2026, 1, 2), date(2026, 3, 10), date(2025, 12, 31)]
        .into_iter()
        .chain((4..12).map(|n| date(2025, 6, n as i8)))
        .enumerate()
        .map(|(n, day)| new_incident(sam.id, day, n))
        .collect();
    assert!(news.iter().any(|n| n.support.is_empty()));
    assert!(news.iter().any(|n| n.support.len() == Support::ALL.len()));
    let mut ids = Vec::new();
    for new in &news {
        ids.push(store.add_incident(new.clone()).await.unwrap());
    }
    store.add_incident(new_incident(kim.id, date(2026, 3, 11), 1)).await.unwrap();

    // Answered out of order; read back in step order.
    let steps = [
        (FollowUpStep::FourWeeks, StillWithMe::NotReally, 40),
        (FollowUpStep::NextDay, StillWithMe::ALot, 10),
        (FollowUpStep::OneWeek, StillWithMe::Sometimes, 20),
    ];
    for (step, answer, done) in steps {
        assert!(store.record_follow_up(sam.id, ids[1], step, answer, at(done)).await.unwrap());
    }
    assert!(store.record_follow_up(sam.id, ids[2], FollowUpStep::OneWeek, StillWithMe::ALot, at(50)).await.unwrap());

    let all_three = vec![
        FollowUp { step: FollowUpStep::NextDay, still_with_me: StillWithMe::ALot, done_at: at(10) },
        FollowUp { step: FollowUpStep::OneWeek, still_with_me: StillWithMe::Sometimes, done_at: at(20) },
        FollowUp { step: FollowUpStep::FourWeeks, still_with_me: StillWithMe::NotReally, done_at: at(40) },
    ];
    let one = vec![FollowUp { step: FollowUpStep::OneWeek, still_with_me: StillWithMe::ALot, done_at: at(50) }];
    let expected_of = |n: usize| {
        let follow_ups = match n {
            1 => all_three.clone(),
            2 => one.clone(),
            _ => vec![],
        };
        incident_as_stored(ids[n], &news[n], follow_ups)
    };
    let listed = store.incidents(sam.id).await.unwrap();
    let mut order: Vec<usize> = (0..news.len()).collect();
    order.sort_by_key(|&n| std::cmp::Reverse((news[n].occurred_on, news[n].created_at)));
    assert_eq!(order[..4], [2, 0, 1, 3], "the latest day first; on one day, the later logged first");
    assert_eq!(listed, order.iter().map(|&n| expected_of(n)).collect::<Vec<_>>(), "every field, newest first");

    assert_eq!(store.incident(sam.id, ids[1]).await.unwrap(), Some(expected_of(1)));
    assert_eq!(store.incident(sam.id, ids[3]).await.unwrap(), Some(expected_of(3)), "none answered yet");
    assert_eq!(store.incident(kim.id, ids[1]).await.unwrap(), None, "kim cannot read sam's incident");
    let kims = store.incidents(kim.id).await.unwrap();
    assert_eq!(kims.len(), 1);
    assert_eq!(kims[0].user_id, kim.id);
    assert!(kims[0].follow_ups.is_empty());
}

pub async fn follow_ups_are_replaced_and_recorded_only_by_the_owner(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let id = store.add_incident(new_incident(sam.id, date(2026, 4, 1), 2)).await.unwrap();
    let kims = store.add_incident(new_incident(kim.id, date(2026, 4, 1), 2)).await.unwrap();
    let follow_ups = |store: Arc<dyn Store>, user: UserId, id: IncidentId| async move {
        store.incident(user, id).await.unwrap().unwrap().follow_ups
    };

    assert!(store.record_follow_up(sam.id, id, FollowUpStep::NextDay, StillWithMe::ALot, at(1)).await.unwrap());
    assert!(store.record_follow_up(sam.id, id, FollowUpStep::NextDay, StillWithMe::Sometimes, at(2)).await.unwrap());
    let replaced =
        vec![FollowUp { step: FollowUpStep::NextDay, still_with_me: StillWithMe::Sometimes, done_at: at(2) }];
    assert_eq!(follow_ups(store.clone(), sam.id, id).await, replaced, "the second answer replaced the first");

    assert!(
        !store.record_follow_up(kim.id, id, FollowUpStep::NextDay, StillWithMe::NotReally, at(3)).await.unwrap(),
        "kim cannot answer for sam's incident"
    );
    assert!(!store.record_follow_up(kim.id, id, FollowUpStep::OneWeek, StillWithMe::NotReally, at(3)).await.unwrap());
    assert_eq!(follow_ups(store.clone(), sam.id, id).await, replaced, "and changed nothing trying");
    assert!(follow_ups(store.clone(), kim.id, kims).await.is_empty(), "nor gave herself a follow-up");
    let missing = IncidentId(id.0.max(kims.0) + 1000);
    assert!(!store.record_follow_up(sam.id, missing, FollowUpStep::NextDay, StillWithMe::ALot, at(4)).await.unwrap());
    assert!(store.incident(sam.id, missing).await.unwrap().is_none());

    assert!(store.record_follow_up(kim.id, kims, FollowUpStep::FourWeeks, StillWithMe::ALot, at(5)).await.unwrap());
    assert_eq!(follow_ups(store.clone(), sam.id, id).await, replaced, "kim's answer is to her own incident");
    assert_eq!(follow_ups(store.clone(), kim.id, kims).await.len(), 1);
}

pub async fn deleting_an_incident_removes_its_follow_ups(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let gone = store.add_incident(new_incident(sam.id, date(2026, 5, 1), 1)).await.unwrap();
    let kept = store.add_incident(new_incident(sam.id, date(2026, 5, 2), 2)).await.unwrap();
    for step in FollowUpStep::ALL {
        assert!(store.record_follow_up(sam.id, gone, *step, StillWithMe::Sometimes, at(1)).await.unwrap());
    }
    assert!(store.record_follow_up(sam.id, kept, FollowUpStep::NextDay, StillWithMe::ALot, at(2)).await.unwrap());
    let follow_up_rows = |store: Arc<dyn Store>| async move {
        let counts = store.user_row_counts(sam.id).await.unwrap();
        counts.into_iter().find(|(table, _)| table == "incident_follow_ups").map(|(_, count)| count)
    };
    assert_eq!(follow_up_rows(store.clone()).await, Some(4));

    assert!(!store.delete_incident(kim.id, gone).await.unwrap(), "kim cannot delete sam's incident");
    assert!(store.incident(sam.id, gone).await.unwrap().is_some());
    assert!(store.delete_incident(sam.id, gone).await.unwrap());
    assert!(!store.delete_incident(sam.id, gone).await.unwrap(), "deleting twice finds nothing");
    assert!(store.incident(sam.id, gone).await.unwrap().is_none());
    assert_eq!(follow_up_rows(store.clone()).await, Some(1), "its follow-ups went with it");
    assert!(
        !store.record_follow_up(sam.id, gone, FollowUpStep::NextDay, StillWithMe::ALot, at(3)).await.unwrap(),
        "a deleted incident takes no more answers"
    );
    let left = store.incidents(sam.id).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, kept);
    assert_eq!(left[0].follow_ups.len(), 1, "the other incident keeps its follow-up");
}

/// A journal key wrapped as the web layer wraps it: by a key derived from a secret (`n` stands
/// for the secret, a password, a recovery key or a session's cookie).
fn journal_key(n: u8) -> WrappedKey {
    DataKey::from_bytes([0x33; 32]).wrap(&PassphraseKey::from_derived([n; 32]), [n; 24])
}

fn journal_lock(n: u8) -> JournalLock {
    JournalLock {
        password_salt: vec![n; 16],
        by_password: journal_key(n),
        recovery_salt: vec![n.wrapping_add(100); 16],
        by_recovery: journal_key(n.wrapping_add(100)),
        created_at: at(i64::from(n)),
    }
}

fn entry_token(n: u8) -> EntryToken {
    EntryToken::from_bytes([n; 16])
}

/// Entry `n`, written at `created`. Tokens are unique across every person, so each person's
/// entries need their own `n`.
fn journal_entry(user: UserId, n: u8, created: i64) -> JournalEntry {
    JournalEntry {
        token: entry_token(n),
        user_id: user,
        prompt: Some("stayed".into()),
        body: sealed(&format!("entry {n}"), &format!("entry {n}")),
        created_at: at(created),
        updated_at: at(created),
    }
}

fn journal_draft(n: u8) -> JournalDraft {
    JournalDraft {
        prompt: Some("carry".into()),
        body: sealed(&format!("draft {n}"), "draft"),
        saved_at: at(i64::from(n)),
    }
}

/// How many rows of `table` belong to `user`.
async fn rows_in(store: &Arc<dyn Store>, user: UserId, table: &str) -> Option<u64> {
    let counts = store.user_row_counts(user).await.unwrap();
    counts.into_iter().find(|(name, _)| name == table).map(|(_, count)| count)
}

pub async fn a_journal_lock_is_made_once_and_rewrapped(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert_eq!(store.journal_lock(sam.id).await.unwrap(), None);

    assert!(store.create_journal_lock(sam.id, &journal_lock(1)).await.unwrap());
    assert_eq!(store.journal_lock(sam.id).await.unwrap(), Some(journal_lock(1)));
    assert!(!store.create_journal_lock(sam.id, &journal_lock(2)).await.unwrap(), "a second lock is refused");
    assert_eq!(store.journal_lock(sam.id).await.unwrap(), Some(journal_lock(1)), "and changes nothing");
    assert_eq!(store.journal_lock(kim.id).await.unwrap(), None, "locks are per person");

    assert!(!store.rewrap_journal(kim.id, &[9; 16], &journal_key(9)).await.unwrap(), "kim has no journal");
    assert_eq!(store.journal_lock(kim.id).await.unwrap(), None, "and rewrapping made none");

    assert!(store.rewrap_journal(sam.id, &[9; 16], &journal_key(9)).await.unwrap());
    let rewrapped = JournalLock { password_salt: vec![9; 16], by_password: journal_key(9), ..journal_lock(1) };
    assert_eq!(store.journal_lock(sam.id).await.unwrap(), Some(rewrapped), "the recovery copy is kept");

    // Racing first requests: exactly one lock is stored, and it is one of theirs.
    let lee = store.create_user(new_user("lee")).await.unwrap();
    let racers: Vec<_> = (10..18)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move { (n, store.create_journal_lock(lee.id, &journal_lock(n)).await.unwrap()) })
        })
        .collect();
    let mut winners = Vec::new();
    for racer in racers {
        let (n, created) = racer.await.unwrap();
        if created {
            winners.push(n);
        }
    }
    assert_eq!(winners.len(), 1, "one racer made the lock: {winners:?}");
    assert_eq!(store.journal_lock(lee.id).await.unwrap(), Some(journal_lock(winners[0])));
}

pub async fn journal_entries_are_listed_newest_first_and_belong_to_their_owner(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let first = JournalEntry { prompt: None, ..journal_entry(sam.id, 1, 10) };
    store.add_journal_entry(&first).await.unwrap();
    store.add_journal_entry(&journal_entry(sam.id, 2, 30)).await.unwrap();
    // Written in the same second as entry 2 but added after it: it comes first.
    store.add_journal_entry(&journal_entry(sam.id, 3, 30)).await.unwrap();
    store.add_journal_entry(&journal_entry(sam.id, 4, 20)).await.unwrap();
    store.add_journal_entry(&journal_entry(kim.id, 5, 40)).await.unwrap();

    let listed = store.journal_entries(sam.id).await.unwrap();
    let tokens: Vec<EntryToken> = listed.iter().map(|entry| entry.token).collect();
    assert_eq!(tokens, vec![entry_token(3), entry_token(2), entry_token(4), entry_token(1)]);
    assert_eq!(listed[3], first, "every field reads back, a missing prompt included");
    assert_eq!(store.journal_entries(kim.id).await.unwrap(), vec![journal_entry(kim.id, 5, 40)]);

    assert_eq!(store.journal_entry(sam.id, &entry_token(2)).await.unwrap(), Some(journal_entry(sam.id, 2, 30)));
    assert_eq!(store.journal_entry(kim.id, &entry_token(2)).await.unwrap(), None, "kim cannot read sam's entry");
    assert_eq!(store.journal_entry(sam.id, &entry_token(5)).await.unwrap(), None, "nor sam kim's");
    assert_eq!(store.journal_entry(sam.id, &entry_token(99)).await.unwrap(), None);

    let rewritten = sealed("entry 1, rewritten", "entry 1");
    assert!(!store.update_journal_entry(kim.id, &entry_token(1), None, &rewritten, at(50)).await.unwrap());
    assert_eq!(store.journal_entry(sam.id, &entry_token(1)).await.unwrap(), Some(first.clone()), "unchanged");
    assert!(!store.update_journal_entry(sam.id, &entry_token(99), None, &rewritten, at(50)).await.unwrap());
    assert!(store.update_journal_entry(sam.id, &entry_token(1), Some("value"), &rewritten, at(50)).await.unwrap());
    let updated = JournalEntry { prompt: Some("value".into()), body: rewritten.clone(), updated_at: at(50), ..first };
    assert_eq!(store.journal_entry(sam.id, &entry_token(1)).await.unwrap(), Some(updated.clone()));
    assert!(store.update_journal_entry(sam.id, &entry_token(1), None, &rewritten, at(60)).await.unwrap());
    let unprompted = JournalEntry { prompt: None, updated_at: at(60), ..updated };
    assert_eq!(store.journal_entry(sam.id, &entry_token(1)).await.unwrap(), Some(unprompted.clone()));
    let listed = store.journal_entries(sam.id).await.unwrap();
    assert_eq!(listed.last(), Some(&unprompted), "an edit does not move an entry: the order is by when it was written");

    let taken = journal_entry(kim.id, 2, 70);
    assert!(store.add_journal_entry(&taken).await.is_err(), "a taken token is refused");
    assert_eq!(store.journal_entry(sam.id, &entry_token(2)).await.unwrap(), Some(journal_entry(sam.id, 2, 30)));
    assert_eq!(store.journal_entries(kim.id).await.unwrap().len(), 1);

    assert!(!store.delete_journal_entry(kim.id, &entry_token(1)).await.unwrap(), "kim cannot delete sam's entry");
    assert!(store.delete_journal_entry(sam.id, &entry_token(1)).await.unwrap());
    assert!(!store.delete_journal_entry(sam.id, &entry_token(1)).await.unwrap(), "deleting twice finds nothing");
    assert_eq!(store.journal_entry(sam.id, &entry_token(1)).await.unwrap(), None);
    assert_eq!(store.journal_entries(sam.id).await.unwrap().len(), 3);
    assert_eq!(store.journal_entries(kim.id).await.unwrap().len(), 1, "kim's entry stays");
}

pub async fn the_journal_draft_is_saved_replaced_and_cleared(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert_eq!(store.journal_draft(sam.id).await.unwrap(), None);

    store.save_journal_draft(sam.id, &journal_draft(1)).await.unwrap();
    assert_eq!(store.journal_draft(sam.id).await.unwrap(), Some(journal_draft(1)));
    let blank_page = JournalDraft { prompt: None, ..journal_draft(2) };
    store.save_journal_draft(sam.id, &blank_page).await.unwrap();
    assert_eq!(store.journal_draft(sam.id).await.unwrap(), Some(blank_page.clone()), "replaced, prompt and all");
    assert_eq!(rows_in(&store, sam.id, "journal_drafts").await, Some(1), "one draft per person");
    assert_eq!(store.journal_draft(kim.id).await.unwrap(), None, "drafts are per person");

    store.save_journal_draft(kim.id, &journal_draft(3)).await.unwrap();
    store.clear_journal_draft(kim.id).await.unwrap();
    assert_eq!(store.journal_draft(kim.id).await.unwrap(), None);
    assert_eq!(store.journal_draft(sam.id).await.unwrap(), Some(blank_page), "clearing kim's leaves sam's");
    store.clear_journal_draft(sam.id).await.unwrap();
    assert_eq!(store.journal_draft(sam.id).await.unwrap(), None);
    store.clear_journal_draft(sam.id).await.unwrap();
}

pub async fn journal_unlocks_belong_to_a_session_and_end_with_it(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let phone = store.create_session(new_session(sam.id, 1, 0)).await.unwrap();
    let laptop = store.create_session(new_session(sam.id, 2, 0)).await.unwrap();
    let kims = store.create_session(new_session(kim.id, 3, 0)).await.unwrap();
    assert_eq!(store.journal_unlock(phone).await.unwrap(), None);

    store.set_journal_unlock(sam.id, phone, &journal_key(1)).await.unwrap();
    assert_eq!(store.journal_unlock(phone).await.unwrap(), Some(journal_key(1)));
    assert_eq!(store.journal_unlock(laptop).await.unwrap(), None, "unlocks are per session");
    store.set_journal_unlock(sam.id, phone, &journal_key(2)).await.unwrap();
    assert_eq!(store.journal_unlock(phone).await.unwrap(), Some(journal_key(2)), "a second unlock replaces the first");
    assert_eq!(rows_in(&store, sam.id, "journal_unlocks").await, Some(1));
    store.set_journal_unlock(sam.id, laptop, &journal_key(3)).await.unwrap();
    store.set_journal_unlock(kim.id, kims, &journal_key(4)).await.unwrap();
    store.set_journal_unlock(sam.id, kims, &journal_key(5)).await.unwrap();
    assert_eq!(store.journal_unlock(kims).await.unwrap(), Some(journal_key(4)), "sam cannot unlock in kim's session");
    store.set_journal_unlock(sam.id, SessionId(kims.0 + 1000), &journal_key(5)).await.unwrap();
    assert_eq!(rows_in(&store, sam.id, "journal_unlocks").await, Some(2), "nor in a session that does not exist");

    assert!(store.end_session(sam.id, laptop).await.unwrap());
    assert_eq!(store.journal_unlock(laptop).await.unwrap(), None, "ending a session locks the journal in it");
    assert_eq!(store.journal_unlock(phone).await.unwrap(), Some(journal_key(2)));

    store.end_journal_unlocks(sam.id).await.unwrap();
    assert_eq!(store.journal_unlock(phone).await.unwrap(), None, "locked in every session of sam's");
    assert!(store.session_by_token(&token(1)).await.unwrap().is_some(), "without signing sam out");
    assert_eq!(store.journal_unlock(kims).await.unwrap(), Some(journal_key(4)), "kim's stays unlocked");

    store.set_journal_unlock(sam.id, phone, &journal_key(6)).await.unwrap();
    assert_eq!(store.journal_unlock(phone).await.unwrap(), Some(journal_key(6)));
    store.end_session_by_token(&token(1)).await.unwrap();
    assert_eq!(store.journal_unlock(phone).await.unwrap(), None, "signing out locks it");

    let kims_other = store.create_session(new_session(kim.id, 4, 0)).await.unwrap();
    store.set_journal_unlock(kim.id, kims_other, &journal_key(7)).await.unwrap();
    store.set_password(kim.id, "new-hash", Some(kims_other)).await.unwrap();
    assert_eq!(store.journal_unlock(kims).await.unwrap(), None, "a password change ends the other sessions' unlocks");
    assert_eq!(store.journal_unlock(kims_other).await.unwrap(), Some(journal_key(7)), "and keeps the current one's");

    store.create_session(new_session(kim.id, 5, 0)).await.unwrap();
    let expiring = store.sessions_of(kim.id).await.unwrap().last().unwrap().id;
    store.set_journal_unlock(kim.id, expiring, &journal_key(8)).await.unwrap();
    store.touch_session(kims_other, at(1000)).await.unwrap();
    assert_eq!(store.end_expired_sessions(at(500), at(-1)).await.unwrap(), 1);
    assert_eq!(store.journal_unlock(expiring).await.unwrap(), None, "an expired session's unlock goes with it");
    assert_eq!(rows_in(&store, kim.id, "journal_unlocks").await, Some(1));
}

pub async fn deleting_a_journal_removes_all_of_it(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let phone = store.create_session(new_session(sam.id, 1, 0)).await.unwrap();
    let laptop = store.create_session(new_session(sam.id, 2, 0)).await.unwrap();
    let kims = store.create_session(new_session(kim.id, 3, 0)).await.unwrap();
    assert!(store.create_journal_lock(sam.id, &journal_lock(1)).await.unwrap());
    store.add_journal_entry(&journal_entry(sam.id, 1, 10)).await.unwrap();
    store.add_journal_entry(&journal_entry(sam.id, 2, 20)).await.unwrap();
    store.save_journal_draft(sam.id, &journal_draft(1)).await.unwrap();
    store.set_journal_unlock(sam.id, phone, &journal_key(1)).await.unwrap();
    store.set_journal_unlock(sam.id, laptop, &journal_key(2)).await.unwrap();
    assert!(store.create_journal_lock(kim.id, &journal_lock(3)).await.unwrap());
    store.add_journal_entry(&journal_entry(kim.id, 3, 10)).await.unwrap();
    store.save_journal_draft(kim.id, &journal_draft(3)).await.unwrap();
    store.set_journal_unlock(kim.id, kims, &journal_key(3)).await.unwrap();

    store.delete_journal(sam.id).await.unwrap();
    assert_eq!(store.journal_lock(sam.id).await.unwrap(), None);
    assert!(store.journal_entries(sam.id).await.unwrap().is_empty());
    assert_eq!(store.journal_entry(sam.id, &entry_token(1)).await.unwrap(), None);
    assert_eq!(store.journal_draft(sam.id).await.unwrap(), None);
    assert_eq!(store.journal_unlock(phone).await.unwrap(), None);
    assert_eq!(store.journal_unlock(laptop).await.unwrap(), None);
    for table in ["journal_locks", "journal_entries", "journal_drafts", "journal_unlocks"] {
        assert_eq!(rows_in(&store, sam.id, table).await, Some(0), "left behind in {table}");
    }
    assert_eq!(store.sessions_of(sam.id).await.unwrap().len(), 2, "sam stays signed in");
    assert!(store.user(sam.id).await.unwrap().is_some(), "and keeps the account");

    assert_eq!(store.journal_lock(kim.id).await.unwrap(), Some(journal_lock(3)), "kim keeps her journal");
    assert_eq!(store.journal_entries(kim.id).await.unwrap(), vec![journal_entry(kim.id, 3, 10)]);
    assert_eq!(store.journal_draft(kim.id).await.unwrap(), Some(journal_draft(3)));
    assert_eq!(store.journal_unlock(kims).await.unwrap(), Some(journal_key(3)));

    store.delete_journal(sam.id).await.unwrap();
    assert!(store.create_journal_lock(sam.id, &journal_lock(4)).await.unwrap(), "sam can start again");
    store.add_journal_entry(&journal_entry(sam.id, 1, 30)).await.unwrap();
    assert_eq!(store.journal_entries(sam.id).await.unwrap(), vec![journal_entry(sam.id, 1, 30)], "the token is free");
}

fn contract_settings(n: u8) -> ContractSettings {
    ContractSettings {
        review_every_days: 91,
        sign_plan: Some(sealed(&format!("plan {n}: call my sister"), "sign-plan")),
        phase: Some("rest".into()),
        phase_since: Some(date(2026, 2, n as i8)),
        updated_at: at(i64::from(n)),
    }
}

pub async fn contract_settings_start_unset_then_are_replaced(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert_eq!(store.contract_settings(sam.id).await.unwrap(), None);

    store.set_contract_settings(sam.id, &contract_settings(1)).await.unwrap();
    assert_eq!(store.contract_settings(sam.id).await.unwrap(), Some(contract_settings(1)));
    let bare = ContractSettings {
        review_every_days: 366,
        sign_plan: None,
        phase: None,
        phase_since: None,
        updated_at: at(10),
    };
    store.set_contract_settings(sam.id, &bare).await.unwrap();
    assert_eq!(
        store.contract_settings(sam.id).await.unwrap(),
        Some(bare.clone()),
        "replaced whole, plan and phase too"
    );
    assert_eq!(rows_in(&store, sam.id, "contract_settings").await, Some(1), "one row per person");
    assert_eq!(store.contract_settings(kim.id).await.unwrap(), None, "settings are per person");

    for days in [0, 367] {
        let refused = ContractSettings { review_every_days: days, ..contract_settings(2) };
        assert!(store.set_contract_settings(sam.id, &refused).await.is_err(), "every {days} days is refused");
    }
    assert_eq!(store.contract_settings(sam.id).await.unwrap(), Some(bare.clone()), "and changes nothing");
    let daily = ContractSettings { review_every_days: 1, ..contract_settings(3) };
    store.set_contract_settings(kim.id, &daily).await.unwrap();
    assert_eq!(store.contract_settings(kim.id).await.unwrap(), Some(daily));
    assert_eq!(store.contract_settings(sam.id).await.unwrap(), Some(bare), "kim's leave sam's alone");
}

fn goal_text(n: u8) -> GoalText {
    GoalText {
        what: sealed(&format!("goal {n}: walk at lunch"), "goal-what"),
        measure: sealed(&format!("goal {n}: days a week"), "goal-measure"),
        target: sealed(&format!("goal {n}: three"), "goal-target"),
        why: Some(sealed(&format!("goal {n}: to sleep better"), "goal-why")),
    }
}

/// Goal `n`, due on `due_on`, added at `n` seconds.
fn new_goal(user: UserId, n: u8, due_on: Date) -> NewGoal {
    NewGoal { user_id: user, text: goal_text(n), due_on, created_at: at(i64::from(n)) }
}

fn goal_as_stored(id: GoalId, new: &NewGoal, progress: Vec<GoalProgress>) -> Goal {
    Goal {
        id,
        user_id: new.user_id,
        text: new.text.clone(),
        due_on: new.due_on,
        created_at: new.created_at,
        updated_at: new.created_at,
        archived_at: None,
        progress,
    }
}

fn progress(noted_on: Date, percent: u8, created: i64) -> GoalProgress {
    GoalProgress {
        noted_on,
        percent,
        note: Some(sealed(&format!("{percent}% on {noted_on}"), "progress-note")),
        created_at: at(created),
    }
}

pub async fn goals_are_listed_by_due_day_with_progress_oldest_first(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert!(store.goals(sam.id).await.unwrap().is_empty());
    // Due days out of order, two on one day (listed as added), one without a why.
    let news = vec![
        new_goal(sam.id, 1, date(2026, 9, 1)),
        new_goal(sam.id, 2, date(2026, 4, 15)),
        NewGoal { text: GoalText { why: None, ..goal_text(3) }, ..new_goal(sam.id, 3, date(2026, 9, 1)) },
        new_goal(sam.id, 4, date(2025, 12, 31)),
    ];
    let mut ids = Vec::new();
    for new in &news {
        ids.push(store.add_goal(new).await.unwrap());
    }
    let kims = store.add_goal(&new_goal(kim.id, 5, date(2026, 1, 1))).await.unwrap();

    // Noted out of order: a note backfilled for an earlier day comes before one noted later
    // but written first; on one day, the earlier written first. Both edges of the range fit.
    let later = progress(date(2026, 3, 5), 40, 50);
    let backfilled = GoalProgress { note: None, ..progress(date(2026, 3, 1), 0, 60) };
    let same_day = progress(date(2026, 3, 5), 100, 70);
    for noted in [&later, &backfilled, &same_day] {
        assert!(store.add_goal_progress(sam.id, ids[0], noted).await.unwrap());
    }
    let only = progress(date(2026, 2, 1), 25, 80);
    assert!(store.add_goal_progress(sam.id, ids[3], &only).await.unwrap());
    assert!(store.add_goal_progress(kim.id, kims, &progress(date(2026, 1, 1), 90, 90)).await.unwrap());

    let expected = vec![
        goal_as_stored(ids[3], &news[3], vec![only.clone()]),
        goal_as_stored(ids[1], &news[1], vec![]),
        goal_as_stored(ids[0], &news[0], vec![backfilled, later, same_day]),
        goal_as_stored(ids[2], &news[2], vec![]),
    ];
    assert_eq!(store.goals(sam.id).await.unwrap(), expected, "every field, by due day, progress oldest first");
    let theirs = store.goals(kim.id).await.unwrap();
    assert_eq!(theirs.iter().map(|goal| goal.id).collect::<Vec<_>>(), vec![kims], "kim sees only her own");
    assert_eq!(theirs[0].progress.iter().map(|p| p.percent).collect::<Vec<_>>(), vec![90], "with only its progress");

    let too_far = progress(date(2026, 3, 6), 101, 100);
    assert!(store.add_goal_progress(sam.id, ids[3], &too_far).await.is_err(), "101% is refused");
    assert_eq!(store.goals(sam.id).await.unwrap(), expected, "and stores nothing");
}

pub async fn goals_are_changed_archived_and_added_to_only_by_their_owner(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let first = new_goal(sam.id, 1, date(2026, 5, 1));
    let second = new_goal(sam.id, 2, date(2026, 6, 1));
    let id = store.add_goal(&first).await.unwrap();
    let other = store.add_goal(&second).await.unwrap();
    let kims = store.add_goal(&new_goal(kim.id, 3, date(2026, 5, 1))).await.unwrap();
    let missing = GoalId(id.0.max(other.0).max(kims.0) + 1000);
    let goal = |store: Arc<dyn Store>, user: UserId, id: GoalId| async move {
        store.goals(user).await.unwrap().into_iter().find(|goal| goal.id == id)
    };

    // Changing the due day moves the goal in the list; when it was added stays.
    let changed = GoalText { why: None, ..goal_text(9) };
    assert!(!store.update_goal(kim.id, id, &changed, date(2026, 7, 1), at(50)).await.unwrap(), "not kim's to change");
    assert!(!store.update_goal(sam.id, missing, &changed, date(2026, 7, 1), at(50)).await.unwrap());
    assert_eq!(goal(store.clone(), sam.id, id).await, Some(goal_as_stored(id, &first, vec![])), "unchanged");
    assert!(store.update_goal(sam.id, id, &changed, date(2026, 7, 1), at(50)).await.unwrap());
    let updated =
        Goal { text: changed, due_on: date(2026, 7, 1), updated_at: at(50), ..goal_as_stored(id, &first, vec![]) };
    let listed = store.goals(sam.id).await.unwrap();
    assert_eq!(
        listed,
        vec![goal_as_stored(other, &second, vec![]), updated.clone()],
        "every field, moved after goal 2"
    );

    // Progress is added only to the person's own goal.
    let noted = progress(date(2026, 4, 1), 30, 60);
    assert!(!store.add_goal_progress(kim.id, id, &noted).await.unwrap(), "kim cannot add to sam's goal");
    assert!(!store.add_goal_progress(sam.id, kims, &noted).await.unwrap(), "nor sam to kim's");
    assert!(!store.add_goal_progress(sam.id, missing, &noted).await.unwrap());
    assert_eq!(rows_in(&store, kim.id, "goal_progress").await, Some(0), "and neither stored anything");
    assert_eq!(rows_in(&store, sam.id, "goal_progress").await, Some(0));
    assert!(store.add_goal_progress(sam.id, id, &noted).await.unwrap());
    let with_progress = Goal { progress: vec![noted.clone()], ..updated };
    assert_eq!(goal(store.clone(), sam.id, id).await, Some(with_progress.clone()));
    assert!(goal(store.clone(), kim.id, kims).await.unwrap().progress.is_empty());

    // Archived once, the first time kept; still listed, still the person's.
    assert!(!store.archive_goal(kim.id, id, at(70)).await.unwrap(), "kim cannot archive sam's goal");
    assert!(!store.archive_goal(sam.id, missing, at(70)).await.unwrap());
    assert_eq!(goal(store.clone(), sam.id, id).await.unwrap().archived_at, None);
    assert!(store.archive_goal(sam.id, id, at(80)).await.unwrap());
    let archived = Goal { archived_at: Some(at(80)), ..with_progress };
    assert_eq!(goal(store.clone(), sam.id, id).await, Some(archived.clone()), "archived, nothing else changed");
    assert!(store.archive_goal(sam.id, id, at(90)).await.unwrap(), "archiving again is no error");
    assert_eq!(goal(store.clone(), sam.id, id).await, Some(archived), "and keeps the first time");
    assert_eq!(store.goals(sam.id).await.unwrap().len(), 2, "archived goals are listed too");
    assert_eq!(goal(store.clone(), sam.id, other).await.unwrap().archived_at, None, "the other is in progress");
    assert_eq!(goal(store.clone(), kim.id, kims).await.unwrap().archived_at, None);
}

fn support_person(user: UserId, n: u8, partner: bool) -> NewSupportPerson {
    NewSupportPerson {
        user_id: user,
        name: sealed(&format!("person {n}"), "support-name"),
        reach: Some(sealed(&format!("phone {n}"), "support-reach")),
        partner,
        created_at: at(i64::from(n)),
    }
}

fn support_person_as_stored(id: SupportPersonId, new: &NewSupportPerson) -> SupportPerson {
    SupportPerson {
        id,
        user_id: new.user_id,
        name: new.name.clone(),
        reach: new.reach.clone(),
        partner: new.partner,
        created_at: new.created_at,
    }
}

pub async fn support_people_are_listed_in_order_and_deleted_only_by_their_owner(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert!(store.support_people(sam.id).await.unwrap().is_empty());
    let news = vec![
        support_person(sam.id, 1, true),
        NewSupportPerson { reach: None, ..support_person(sam.id, 2, false) },
        support_person(sam.id, 3, false),
    ];
    let mut ids = Vec::new();
    for new in &news {
        ids.push(store.add_support_person(new).await.unwrap());
    }
    let kims = store.add_support_person(&support_person(kim.id, 4, true)).await.unwrap();
    let expected: Vec<SupportPerson> =
        ids.iter().zip(&news).map(|(id, new)| support_person_as_stored(*id, new)).collect();
    assert_eq!(store.support_people(sam.id).await.unwrap(), expected, "every field, in the order added");
    assert_eq!(
        store.support_people(kim.id).await.unwrap(),
        vec![support_person_as_stored(kims, &support_person(kim.id, 4, true))],
        "kim sees only her own"
    );

    assert!(!store.delete_support_person(kim.id, ids[1]).await.unwrap(), "kim cannot delete sam's");
    assert!(!store.delete_support_person(sam.id, kims).await.unwrap(), "nor sam kim's");
    assert!(!store.delete_support_person(sam.id, SupportPersonId(ids[2].0.max(kims.0) + 1000)).await.unwrap());
    assert_eq!(store.support_people(sam.id).await.unwrap(), expected, "and nothing changed trying");
    assert!(store.delete_support_person(sam.id, ids[1]).await.unwrap());
    assert!(!store.delete_support_person(sam.id, ids[1]).await.unwrap(), "deleting twice finds nothing");
    assert_eq!(store.support_people(sam.id).await.unwrap(), vec![expected[0].clone(), expected[2].clone()]);
    assert_eq!(store.support_people(kim.id).await.unwrap().len(), 1, "kim's stays");
}

/// Review `n`, of `reviewed_on`, added at `n` seconds.
fn contract_review(user: UserId, reviewed_on: Date, n: u8) -> NewContractReview {
    NewContractReview {
        user_id: user,
        reviewed_on,
        reflection: Some(sealed(&format!("review {n}: steadier"), "review-reflection")),
        goals_note: Some(sealed(&format!("review {n}: walking twice a week"), "review-goals")),
        created_at: at(i64::from(n)),
    }
}

fn contract_review_as_stored(id: ReviewId, new: &NewContractReview) -> ContractReview {
    ContractReview {
        id,
        user_id: new.user_id,
        reviewed_on: new.reviewed_on,
        reflection: new.reflection.clone(),
        goals_note: new.goals_note.clone(),
        created_at: new.created_at,
    }
}

pub async fn contract_reviews_are_listed_newest_first(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert!(store.contract_reviews(sam.id).await.unwrap().is_empty());
    // Days out of order; two on one day, the later added listed first; one with no words at all.
    let news = vec![
        contract_review(sam.id, date(2026, 3, 1), 1),
        contract_review(sam.id, date(2026, 6, 1), 2),
        NewContractReview { reflection: None, goals_note: None, ..contract_review(sam.id, date(2026, 3, 1), 3) },
        contract_review(sam.id, date(2025, 12, 1), 4),
    ];
    let mut ids = Vec::new();
    for new in &news {
        ids.push(store.add_contract_review(new).await.unwrap());
    }
    let kims = store.add_contract_review(&contract_review(kim.id, date(2026, 7, 1), 5)).await.unwrap();

    let expected: Vec<ContractReview> =
        [1, 2, 0, 3].into_iter().map(|n| contract_review_as_stored(ids[n], &news[n])).collect();
    assert_eq!(store.contract_reviews(sam.id).await.unwrap(), expected, "every field, newest first");
    let theirs = store.contract_reviews(kim.id).await.unwrap();
    assert_eq!(theirs.iter().map(|review| review.id).collect::<Vec<_>>(), vec![kims], "kim sees only her own");
}

/// A contact as the web layer stores it; `n` varies every field, and odd `n` have no phone.
fn kit_contact(n: u8) -> KitContact {
    KitContact {
        name: sealed(&format!("colleague {n}"), "name"),
        email: Some(sealed(&format!("colleague{n}@example.org"), "email")),
        phone: n.is_multiple_of(2).then(|| sealed(&format!("+44 7700 90012{n}"), "phone")),
        message: sealed("Rough day — got five minutes?", "message"),
        updated_at: at(i64::from(n)),
    }
}

pub async fn kit_statements_are_kept_in_order_and_belong_to_their_owner(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert!(store.kit_statements(sam.id).await.unwrap().is_empty());

    let first = store.add_kit_statement(sam.id, &sealed("one", "statement"), at(10)).await.unwrap();
    let second = store.add_kit_statement(sam.id, &sealed("two", "statement"), at(5)).await.unwrap();
    let kims = store.add_kit_statement(kim.id, &sealed("kim's", "statement"), at(7)).await.unwrap();
    assert_ne!(first, second);
    let listed = store.kit_statements(sam.id).await.unwrap();
    assert_eq!(listed.iter().map(|s| s.id).collect::<Vec<_>>(), [first, second], "in the order added");
    assert_eq!(listed[0].text, sealed("one", "statement"));
    assert_eq!((listed[1].created_at, listed[1].updated_at), (at(5), at(5)));

    assert!(store.update_kit_statement(sam.id, second, &sealed("two, rewritten", "statement"), at(20)).await.unwrap());
    let listed = store.kit_statements(sam.id).await.unwrap();
    assert_eq!(listed[1].text, sealed("two, rewritten", "statement"));
    assert_eq!((listed[1].created_at, listed[1].updated_at), (at(5), at(20)), "keeps when it was written");
    assert_eq!(listed[1].id, second, "and its place");

    assert!(!store.update_kit_statement(kim.id, first, &sealed("kim was here", "statement"), at(30)).await.unwrap());
    assert!(!store.delete_kit_statement(kim.id, first).await.unwrap(), "kim cannot delete sam's");
    assert!(!store.delete_kit_statement(sam.id, KitStatementId(kims.0 + 1000)).await.unwrap());
    assert_eq!(store.kit_statements(sam.id).await.unwrap()[0].text, sealed("one", "statement"), "untouched");

    assert!(store.delete_kit_statement(sam.id, first).await.unwrap());
    assert!(!store.delete_kit_statement(sam.id, first).await.unwrap(), "deleting twice finds nothing");
    assert_eq!(store.kit_statements(sam.id).await.unwrap().iter().map(|s| s.id).collect::<Vec<_>>(), [second]);
    assert_eq!(store.kit_statements(kim.id).await.unwrap().iter().map(|s| s.id).collect::<Vec<_>>(), [kims]);
}

pub async fn the_kit_contact_is_set_replaced_and_cleared(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert_eq!(store.kit_contact(sam.id).await.unwrap(), None);

    store.set_kit_contact(sam.id, &kit_contact(2)).await.unwrap();
    assert_eq!(store.kit_contact(sam.id).await.unwrap(), Some(kit_contact(2)));
    let phone_only = KitContact { email: None, ..kit_contact(4) };
    store.set_kit_contact(sam.id, &phone_only).await.unwrap();
    assert_eq!(store.kit_contact(sam.id).await.unwrap(), Some(phone_only.clone()), "replaced, every field");
    assert_eq!(rows_in(&store, sam.id, "kit_contacts").await, Some(1), "one contact per person");
    store.set_kit_contact(sam.id, &kit_contact(3)).await.unwrap();
    assert_eq!(store.kit_contact(sam.id).await.unwrap().unwrap().phone, None, "a phone can be taken away");
    assert_eq!(store.kit_contact(kim.id).await.unwrap(), None, "contacts are per person");

    let neither = KitContact { email: None, phone: None, ..kit_contact(6) };
    assert!(store.set_kit_contact(kim.id, &neither).await.is_err(), "an email or a phone, at least");
    assert_eq!(store.kit_contact(kim.id).await.unwrap(), None);

    store.set_kit_contact(kim.id, &kit_contact(6)).await.unwrap();
    store.clear_kit_contact(sam.id).await.unwrap();
    assert_eq!(store.kit_contact(sam.id).await.unwrap(), None);
    store.clear_kit_contact(sam.id).await.unwrap();
    assert_eq!(store.kit_contact(kim.id).await.unwrap(), Some(kit_contact(6)), "clearing sam's leaves kim's");
}

pub async fn kit_uses_are_listed_by_half_open_range_earliest_first(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    store.record_kit_use(sam.id, "body-scan", at(30)).await.unwrap();
    store.record_kit_use(sam.id, "reach_out", at(10)).await.unwrap();
    store.record_kit_use(sam.id, "box-breathing", at(20)).await.unwrap();
    store.record_kit_use(sam.id, "box-breathing", at(20)).await.unwrap();
    store.record_kit_use(sam.id, "doorway-stretch", at(20)).await.unwrap();
    store.record_kit_use(kim.id, "body-scan", at(20)).await.unwrap();

    let use_of = |what: &str, seconds| KitUse { what: what.to_owned(), used_at: at(seconds) };
    assert_eq!(
        store.kit_uses(sam.id, at(10), at(30)).await.unwrap(),
        vec![
            use_of("reach_out", 10),
            use_of("box-breathing", 20),
            use_of("box-breathing", 20),
            use_of("doorway-stretch", 20)
        ],
        "from is included, to is not; each use counts, ties in the order logged"
    );
    assert_eq!(store.kit_uses(sam.id, at(0), at(100)).await.unwrap().len(), 5);
    assert!(store.kit_uses(sam.id, at(31), at(100)).await.unwrap().is_empty());
    assert_eq!(store.kit_uses(kim.id, at(0), at(100)).await.unwrap(), vec![use_of("body-scan", 20)]);
}

// --- reminders -------------------------------------------------------------------------------

fn reminder_settings(n: u8) -> ReminderSettings {
    ReminderSettings {
        check_in_at: Some(time(8, n as i8, 0, 0)),
        self_care_at: (n % 2 == 1).then(|| time(17, 30, 0, 0)),
        email: n.is_multiple_of(2),
        updated_at: at(i64::from(n)),
    }
}

fn feed_secret(n: u8) -> TokenHash {
    TokenHash([0xf0 | n; 32])
}

pub async fn reminder_settings_start_unset_then_are_replaced(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert_eq!(store.reminder_settings(sam.id).await.unwrap(), None);

    store.set_reminder_settings(sam.id, &reminder_settings(1)).await.unwrap();
    assert_eq!(store.reminder_settings(sam.id).await.unwrap(), Some(reminder_settings(1)));
    let none_at_all = ReminderSettings { check_in_at: None, self_care_at: None, email: true, updated_at: at(9) };
    store.set_reminder_settings(sam.id, &none_at_all).await.unwrap();
    assert_eq!(store.reminder_settings(sam.id).await.unwrap(), Some(none_at_all.clone()), "replaced whole");
    assert_eq!(rows_in(&store, sam.id, "reminder_settings").await, Some(1), "one row per person");
    assert_eq!(store.reminder_settings(kim.id).await.unwrap(), None, "settings are per person");

    let edges = ReminderSettings {
        check_in_at: Some(time(0, 0, 0, 0)),
        self_care_at: Some(time(23, 59, 0, 0)),
        email: false,
        updated_at: at(10),
    };
    store.set_reminder_settings(kim.id, &edges).await.unwrap();
    assert_eq!(store.reminder_settings(kim.id).await.unwrap(), Some(edges), "midnight and a minute to midnight");
    assert_eq!(store.reminder_settings(sam.id).await.unwrap(), Some(none_at_all));
}

pub async fn a_calendar_feed_is_found_by_its_secret_renewed_and_revoked(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert_eq!(store.calendar_feed(sam.id).await.unwrap(), None);
    assert_eq!(store.user_by_calendar_feed(&feed_secret(1)).await.unwrap(), None);
    assert!(!store.revoke_calendar_feed(sam.id).await.unwrap(), "nothing to revoke");

    store.set_calendar_feed(sam.id, &feed_secret(1), at(5)).await.unwrap();
    store.set_calendar_feed(kim.id, &feed_secret(2), at(6)).await.unwrap();
    assert_eq!(store.calendar_feed(sam.id).await.unwrap(), Some(at(5)));
    let owner = store.user_by_calendar_feed(&feed_secret(1)).await.unwrap().unwrap();
    assert_eq!((owner.id, owner.email), (sam.id, email("sam")));
    assert_eq!(store.user_by_calendar_feed(&feed_secret(2)).await.unwrap().map(|u| u.id), Some(kim.id));
    assert_eq!(store.user_by_calendar_feed(&feed_secret(3)).await.unwrap(), None);

    // Renewing replaces the secret: the old one leads nowhere.
    store.set_calendar_feed(sam.id, &feed_secret(3), at(7)).await.unwrap();
    assert_eq!(store.user_by_calendar_feed(&feed_secret(1)).await.unwrap(), None, "the old address ends");
    assert_eq!(store.user_by_calendar_feed(&feed_secret(3)).await.unwrap().map(|u| u.id), Some(sam.id));
    assert_eq!(store.calendar_feed(sam.id).await.unwrap(), Some(at(7)));
    assert_eq!(rows_in(&store, sam.id, "calendar_feeds").await, Some(1), "one feed per person");

    // A secret is never shared: taking kim's is refused and changes nothing.
    let taken = store.set_calendar_feed(sam.id, &feed_secret(2), at(8)).await;
    assert!(taken.is_err(), "{taken:?}");
    assert_eq!(store.user_by_calendar_feed(&feed_secret(2)).await.unwrap().map(|u| u.id), Some(kim.id));
    assert_eq!(store.user_by_calendar_feed(&feed_secret(3)).await.unwrap().map(|u| u.id), Some(sam.id));

    assert!(store.revoke_calendar_feed(sam.id).await.unwrap());
    assert_eq!(store.calendar_feed(sam.id).await.unwrap(), None);
    assert_eq!(store.user_by_calendar_feed(&feed_secret(3)).await.unwrap(), None, "a revoked address ends");
    assert_eq!(store.user_by_calendar_feed(&feed_secret(2)).await.unwrap().map(|u| u.id), Some(kim.id), "kim's stays");
}

// --- background jobs -------------------------------------------------------------------------

fn new_job(user: UserId, dedupe: &str, run_at: i64) -> NewJob {
    NewJob {
        kind: "check-in-email".into(),
        user_id: user,
        dedupe: dedupe.into(),
        payload: format!("{{\"day\":\"{dedupe}\"}}"),
        run_at: at(run_at),
        created_at: at(0),
    }
}

pub async fn email_reminder_recipients_are_those_who_asked(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    let lee = store.create_user(new_user("lee")).await.unwrap();
    store.create_user(new_user("ann")).await.unwrap();
    assert!(store.email_reminder_recipients().await.unwrap().is_empty());
    store.set_reminder_settings(sam.id, &reminder_settings(2)).await.unwrap(); // email, 08:02
    store.set_reminder_settings(kim.id, &reminder_settings(1)).await.unwrap(); // no email
    let no_time = ReminderSettings { check_in_at: None, ..reminder_settings(4) };
    store.set_reminder_settings(lee.id, &no_time).await.unwrap(); // email, but no time
    let recipients = store.email_reminder_recipients().await.unwrap();
    assert_eq!(recipients.len(), 1, "{recipients:?}");
    assert_eq!((recipients[0].0.id, recipients[0].1), (sam.id, time(8, 2, 0, 0)));
    assert_eq!(recipients[0].0.email, email("sam"));
}

pub async fn a_job_is_enqueued_once_per_person_kind_and_key(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    let kim = store.create_user(new_user("kim")).await.unwrap();
    assert!(store.enqueue_job(&new_job(sam.id, "2026-03-01", 0)).await.unwrap());
    assert!(!store.enqueue_job(&new_job(sam.id, "2026-03-01", 50)).await.unwrap(), "the same day again adds nothing");
    assert!(store.enqueue_job(&new_job(sam.id, "2026-03-02", 0)).await.unwrap(), "another day is another job");
    assert!(store.enqueue_job(&new_job(kim.id, "2026-03-01", 0)).await.unwrap(), "another person too");
    let other_kind = NewJob { kind: "other".into(), ..new_job(sam.id, "2026-03-01", 0) };
    assert!(store.enqueue_job(&other_kind).await.unwrap(), "and another kind");
    let jobs = store.jobs_of(sam.id).await.unwrap();
    assert_eq!(jobs.len(), 3);
    let first = &jobs[0];
    assert_eq!((first.kind.as_str(), first.user_id, first.dedupe.as_str()), ("check-in-email", sam.id, "2026-03-01"));
    assert_eq!((first.payload.as_str(), first.run_at, first.attempts), (r#"{"day":"2026-03-01"}"#, at(0), 0));
    assert_eq!(
        (first.locked_by.clone(), first.locked_until, first.last_error.clone(), first.done_at),
        (None, None, None, None)
    );

    // Racing schedulers enqueue a day's job once.
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.enqueue_job(&new_job(kim.id, "2026-03-09", 0)).await.unwrap() })
        })
        .collect();
    let mut added = 0;
    for racer in racers {
        added += usize::from(racer.await.unwrap());
    }
    assert_eq!(added, 1);
    assert_eq!(store.jobs_of(kim.id).await.unwrap().len(), 2);
}

pub async fn claimed_jobs_are_leased_finished_retried_and_given_up(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    store.enqueue_job(&new_job(sam.id, "a", 0)).await.unwrap();
    store.enqueue_job(&new_job(sam.id, "b", 10)).await.unwrap();
    store.enqueue_job(&new_job(sam.id, "later", 1000)).await.unwrap();

    // Only jobs whose time has come, earliest first, each with a lease and one more attempt.
    let claimed = store.claim_jobs("one", at(20), at(80), 10).await.unwrap();
    assert_eq!(claimed.iter().map(|j| j.dedupe.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    assert!(
        claimed
            .iter()
            .all(|j| j.attempts == 1 && j.locked_by.as_deref() == Some("one") && j.locked_until == Some(at(80)))
    );
    let (a, b) = (claimed[0].id, claimed[1].id);
    assert!(store.claim_jobs("two", at(30), at(90), 10).await.unwrap().is_empty(), "held jobs are not claimed");

    // Finishing: only by the holder, and once.
    assert!(!store.finish_job(a, "two", at(31), None).await.unwrap(), "not two's to finish");
    assert!(store.finish_job(a, "one", at(32), None).await.unwrap());
    assert!(!store.finish_job(a, "one", at(33), None).await.unwrap(), "finished once");
    let done = store.jobs_of(sam.id).await.unwrap().into_iter().find(|j| j.id == a).unwrap();
    assert_eq!((done.done_at, done.locked_by, done.locked_until, done.attempts), (Some(at(32)), None, None, 1));

    // A runner that stops: its lease runs out and another runner takes the job over; the first
    // can then neither finish nor fail it.
    let taken = store.claim_jobs("two", at(80), at(140), 10).await.unwrap();
    assert_eq!(taken.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(), [(b, 2)]);
    assert!(!store.fail_job(b, "one", "late", Some(at(500)), at(81)).await.unwrap());
    assert!(!store.finish_job(b, "one", at(81), None).await.unwrap());

    // Failing with a retry time: released, to run again then, the error kept.
    assert!(store.fail_job(b, "two", "451 try later", Some(at(200)), at(82)).await.unwrap());
    let retried = store.jobs_of(sam.id).await.unwrap().into_iter().find(|j| j.id == b).unwrap();
    assert_eq!((retried.run_at, retried.attempts, retried.done_at), (at(200), 2, None));
    assert_eq!(
        (retried.last_error.as_deref(), retried.locked_by, retried.locked_until),
        (Some("451 try later"), None, None)
    );
    assert!(store.claim_jobs("two", at(199), at(260), 10).await.unwrap().is_empty(), "not before its time");
    let again = store.claim_jobs("two", at(200), at(260), 1).await.unwrap();
    assert_eq!(again.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(), [(b, 3)]);

    // Failing without one: given up, finished, the error kept.
    assert!(store.fail_job(b, "two", "550 no such mailbox", None, at(201)).await.unwrap());
    let given_up = store.jobs_of(sam.id).await.unwrap().into_iter().find(|j| j.id == b).unwrap();
    assert_eq!(
        (given_up.done_at, given_up.run_at, given_up.last_error.as_deref()),
        (Some(at(201)), at(200), Some("550 no such mailbox"))
    );
    let later = store.claim_jobs("two", at(5000), at(5060), 10).await.unwrap();
    assert_eq!(
        later.iter().map(|j| j.dedupe.as_str()).collect::<Vec<_>>(),
        ["later"],
        "finished jobs are never claimed"
    );

    // A note on finishing is kept as the job's last word.
    assert!(store.finish_job(later[0].id, "two", at(5001), Some("turned off")).await.unwrap());
    let noted = store.jobs_of(sam.id).await.unwrap().into_iter().find(|j| j.id == later[0].id).unwrap();
    assert_eq!(noted.last_error.as_deref(), Some("turned off"));
}

pub async fn only_finished_jobs_are_pruned(store: Arc<dyn Store>) {
    let sam = store.create_user(new_user("sam")).await.unwrap();
    for day in ["2026-03-01", "2026-03-02", "2026-03-03"] {
        assert!(store.enqueue_job(&new_job(sam.id, day, 0)).await.unwrap());
    }
    let claimed = store.claim_jobs("runner", at(1), at(100), 2).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(store.finish_job(claimed[0].id, "runner", at(10), None).await.unwrap());
    assert!(store.fail_job(claimed[1].id, "runner", "the mail server said no", None, at(50)).await.unwrap());

    assert_eq!(store.prune_finished_jobs(at(20)).await.unwrap(), 1, "only the one finished before then");
    let left: Vec<JobId> = store.jobs_of(sam.id).await.unwrap().iter().map(|job| job.id).collect();
    assert!(!left.contains(&claimed[0].id) && left.contains(&claimed[1].id) && left.len() == 2, "{left:?}");
    assert_eq!(store.prune_finished_jobs(at(1_000)).await.unwrap(), 1, "the given-up one, later");
    assert_eq!(store.jobs_of(sam.id).await.unwrap().len(), 1, "the unfinished job stays, however old");
}

pub async fn racing_runners_claim_each_job_exactly_once(store: Arc<dyn Store>) {
    let mut users = Vec::new();
    for n in 0..4 {
        users.push(store.create_user(new_user(&format!("racer{n}"))).await.unwrap().id);
    }
    for (n, user) in users.iter().enumerate() {
        for day in 0..15 {
            store.enqueue_job(&new_job(*user, &format!("day-{day}"), (n * day) as i64)).await.unwrap();
        }
    }
    // Eight runners, each claiming three at a time until nothing is left.
    let runners: Vec<_> = (0..8)
        .map(|runner| {
            let store = store.clone();
            tokio::spawn(async move {
                let owner = format!("runner-{runner}");
                let mut mine = Vec::new();
                loop {
                    let claimed = store.claim_jobs(&owner, at(100), at(400), 3).await.unwrap();
                    if claimed.is_empty() {
                        break mine;
                    }
                    for job in claimed {
                        assert_eq!(job.locked_by.as_deref(), Some(owner.as_str()));
                        mine.push(job.id);
                    }
                }
            })
        })
        .collect();
    let mut all: Vec<JobId> = Vec::new();
    for runner in runners {
        all.extend(runner.await.unwrap());
    }
    let unique: BTreeSet<JobId> = all.iter().copied().collect();
    assert_eq!(all.len(), 60, "every job claimed");
    assert_eq!(unique.len(), 60, "and none twice");
    for user in users {
        assert!(store.jobs_of(user).await.unwrap().iter().all(|job| job.attempts == 1));
    }
}
