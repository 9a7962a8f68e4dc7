//! The conformance suite: every store operation, checked the same way on every backend.
//!
//! A backend's test binary calls [`conformance_suite!`](crate::conformance_suite) with a
//! function that returns a fresh, migrated store; each case then runs as its own test.

use std::sync::Arc;

use ballast_core::{Email, FailureCount, Role, SessionId, UserId};
use jiff::Timestamp;

use ballast_core::instrument::{Answers, InstrumentId, Words};

use crate::{
    AssessmentId, CustomInstrument, NewAssessment, NewSession, NewUser, Store, StoreError, StoredScale,
    SupportResource, ThrottleKey, TokenHash,
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
    NewUser { email: email(name), password_hash: format!("hash-of-{name}"), created_at: at(0) }
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

    let before = store.user_row_counts(sam.id).await.unwrap();
    assert!(before.iter().any(|(table, count)| table == "sessions" && *count == 2), "{before:?}");
    assert!(before.iter().filter(|(_, count)| *count > 0).count() >= 4, "every kind of row is counted: {before:?}");

    assert!(store.delete_user(sam.id).await.unwrap());
    assert!(!store.delete_user(sam.id).await.unwrap(), "deleting twice finds nothing");
    let after = store.user_row_counts(sam.id).await.unwrap();
    assert!(!after.is_empty());
    assert!(after.iter().all(|(_, count)| *count == 0), "left behind: {after:?}");
    assert!(store.user(sam.id).await.unwrap().is_none());
    assert!(store.user_credentials(&email("sam")).await.unwrap().is_none());
    assert!(store.session_by_token(&token(1)).await.unwrap().is_none());

    assert!(store.session_by_token(&token(3)).await.unwrap().is_some(), "kim keeps her session");
    assert_eq!(store.assessments_of(kim.id, &instrument("who5")).await.unwrap().len(), 1, "and her results");
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
