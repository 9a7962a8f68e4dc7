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
use ballast_core::exposure::PacingPlan;
use ballast_core::incident::{FollowUpStep, StillWithMe};
use ballast_core::instrument::{Answers, InstrumentId, Words};
use ballast_core::journal::EntryToken;
use ballast_core::sealing::{Sealed, WrappedKey};
use ballast_core::{Email, FailureCount, SessionId, TimeZoneName, UserId};
use jiff::Timestamp;
use jiff::civil::Date;

pub use migration::{Migration, MigrationReport, check_migrated};
pub use records::{
    Assessment, AssessmentId, ChosenSign, ContractReview, ContractSettings, CustomInstrument, Draft, FollowUp, Goal,
    GoalId, GoalProgress, GoalText, ImportKey, ImportReport, Incident, IncidentId, Job, JobId, JournalDraft,
    JournalEntry, JournalLock, KitContact, KitStatement, KitStatementId, KitUse, NewAssessment, NewContractReview,
    NewGoal, NewIncident, NewJob, NewSession, NewSupportPerson, NewUser, NewWorkSession, ReminderSettings, ReviewId,
    Session, SessionChange, SessionWithUser, StoredCheckIn, StoredScale, StoredWorkSession, SupportPerson,
    SupportPersonId, SupportResource, ThrottleKey, TokenHash, User, UserCredentials, WorkSessionId,
};

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
    async fn set_time_zone(&self, id: UserId, time_zone: &TimeZoneName) -> StoreResult<()>;
    /// Deletes the account and everything that belongs to it, its data key included (so
    /// anything sealed with that key can never be opened again). Returns false if there was none.
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

    // --- assessments ---------------------------------------------------------------------

    /// Stores a completed assessment and, in the same transaction, removes the person's
    /// draft for that instrument.
    async fn save_assessment(&self, assessment: NewAssessment) -> StoreResult<AssessmentId>;
    /// One assessment, only if it belongs to `user`.
    async fn assessment(&self, user: UserId, id: AssessmentId) -> StoreResult<Option<Assessment>>;
    /// The person's assessments of one instrument, oldest first.
    async fn assessments_of(&self, user: UserId, instrument: &InstrumentId) -> StoreResult<Vec<Assessment>>;
    /// For each instrument the person has taken: when they last took it.
    async fn last_taken(&self, user: UserId) -> StoreResult<Vec<(InstrumentId, Timestamp)>>;
    /// Creates or replaces the person's draft for an instrument.
    async fn save_draft(
        &self,
        user: UserId,
        instrument: &InstrumentId,
        answers: &Answers,
        at: Timestamp,
    ) -> StoreResult<()>;
    async fn draft(&self, user: UserId, instrument: &InstrumentId) -> StoreResult<Option<Draft>>;

    // --- the person's words for instrument placeholders --------------------------------------

    async fn words(&self, user: UserId) -> StoreResult<Words>;
    /// Replaces all of the person's words.
    async fn set_words(&self, user: UserId, words: &Words) -> StoreResult<()>;

    // --- the person's data key ------------------------------------------------------------

    /// The person's data key, wrapped by the instance key, if one was ever made.
    async fn data_key(&self, user: UserId) -> StoreResult<Option<WrappedKey>>;
    /// Any one stored data key, so that start-up can check the instance key opens it.
    async fn any_data_key(&self) -> StoreResult<Option<WrappedKey>>;
    /// Stores `key` as the person's data key unless they already have one, and returns the key
    /// that is stored either way, so two requests racing to make the first key agree on it.
    async fn create_data_key(&self, user: UserId, key: WrappedKey, at: Timestamp) -> StoreResult<WrappedKey>;

    // --- check-ins -----------------------------------------------------------------------

    /// Adds a check-in for a day that has none. `Conflict("check-in")` if the day has one.
    async fn insert_check_in(&self, check_in: StoredCheckIn) -> StoreResult<()>;
    /// Replaces the values, sealed text and `updated_at` of an existing check-in, keeping its
    /// `created_at` and `backfilled`. Returns false if the day has none.
    async fn update_check_in(&self, check_in: StoredCheckIn) -> StoreResult<bool>;
    async fn check_in(&self, user: UserId, day: Date) -> StoreResult<Option<StoredCheckIn>>;
    /// The person's check-ins from `from` to `to` inclusive, oldest first.
    async fn check_ins(&self, user: UserId, from: Date, to: Date) -> StoreResult<Vec<StoredCheckIn>>;

    /// The warning signs the person watches for, in their order.
    async fn warning_signs(&self, user: UserId) -> StoreResult<Vec<ChosenSign>>;
    /// Replaces all of the person's warning signs.
    async fn set_warning_signs(&self, user: UserId, signs: &[ChosenSign]) -> StoreResult<()>;

    /// Ids of the signals the person has dismissed.
    async fn dismissed_signals(&self, user: UserId) -> StoreResult<Vec<String>>;
    /// Records a dismissal; dismissing twice is not an error.
    async fn dismiss_signal(&self, user: UserId, signal: &str, at: Timestamp) -> StoreResult<()>;

    /// For each instrument with a chosen cadence: days between re-assessments (0 = never remind).
    async fn reassessment_cadences(&self, user: UserId) -> StoreResult<Vec<(InstrumentId, u16)>>;
    async fn set_reassessment_cadence(&self, user: UserId, instrument: &InstrumentId, days: u16) -> StoreResult<()>;

    // --- exposure: work sessions and the pacing plan --------------------------------------

    async fn add_work_session(&self, session: NewWorkSession) -> StoreResult<WorkSessionId>;
    /// Adds imported sessions in one transaction: all of them or, on any error, none.
    /// Sessions whose import key the person already has are left as they are (the person
    /// may have tagged them) and counted as already there.
    async fn import_work_sessions(&self, user: UserId, sessions: Vec<NewWorkSession>) -> StoreResult<ImportReport>;
    /// The person's sessions starting at or after `from` and before `to`, earliest first.
    async fn work_sessions(&self, user: UserId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<StoredWorkSession>>;
    /// Applies `change` to those of `ids` that belong to `user`; returns how many changed.
    async fn update_work_sessions(
        &self,
        user: UserId,
        ids: &[WorkSessionId],
        change: SessionChange,
    ) -> StoreResult<u64>;
    /// Deletes one session, only if it belongs to `user`.
    async fn delete_work_session(&self, user: UserId, id: WorkSessionId) -> StoreResult<bool>;
    /// The person's pacing plan, or `None` if they have not set one (defaults apply).
    async fn pacing_plan(&self, user: UserId) -> StoreResult<Option<PacingPlan>>;
    async fn set_pacing_plan(&self, user: UserId, plan: &PacingPlan) -> StoreResult<()>;

    // --- critical incidents --------------------------------------------------------------

    async fn add_incident(&self, incident: NewIncident) -> StoreResult<IncidentId>;
    /// The person's incidents, most recent first, each with its answered follow-ups.
    async fn incidents(&self, user: UserId) -> StoreResult<Vec<Incident>>;
    /// One incident, only if it belongs to `user`.
    async fn incident(&self, user: UserId, id: IncidentId) -> StoreResult<Option<Incident>>;
    /// Records (or replaces) the answer to one follow-up of the person's own incident.
    /// Returns false if the incident is not theirs.
    async fn record_follow_up(
        &self,
        user: UserId,
        id: IncidentId,
        step: FollowUpStep,
        still_with_me: StillWithMe,
        at: Timestamp,
    ) -> StoreResult<bool>;
    async fn delete_incident(&self, user: UserId, id: IncidentId) -> StoreResult<bool>;

    // --- private journal -----------------------------------------------------------------
    //
    // Everything here is sealed or wrapped before it reaches the store: the database holds no
    // key that opens an entry, so a copy of it (or the instance key) reads nothing.

    /// The person's journal key in its two wrappings, or `None` if they have no journal yet.
    async fn journal_lock(&self, user: UserId) -> StoreResult<Option<JournalLock>>;
    /// Stores the lock if the person has none; false (and nothing changed) if they already have
    /// one, so two requests racing to start a journal cannot replace each other's key.
    async fn create_journal_lock(&self, user: UserId, lock: &JournalLock) -> StoreResult<bool>;
    /// Replaces the password-wrapped copy (after a password change or a recovery); false if no journal.
    async fn rewrap_journal(&self, user: UserId, password_salt: &[u8], by_password: &WrappedKey) -> StoreResult<bool>;
    /// Removes the lock, every entry, the draft and every unlock of the person, in one transaction.
    async fn delete_journal(&self, user: UserId) -> StoreResult<()>;
    /// Adds an entry; its token must be new (a taken one fails rather than replacing anything).
    async fn add_journal_entry(&self, entry: &JournalEntry) -> StoreResult<()>;
    /// Replaces the prompt, body and `updated_at` of the person's own entry; false if not theirs.
    async fn update_journal_entry(
        &self,
        user: UserId,
        token: &EntryToken,
        prompt: Option<&str>,
        body: &Sealed,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// The person's entries, newest first (by `created_at`, then most recently added).
    async fn journal_entries(&self, user: UserId) -> StoreResult<Vec<JournalEntry>>;
    /// One entry, only if it belongs to `user`.
    async fn journal_entry(&self, user: UserId, token: &EntryToken) -> StoreResult<Option<JournalEntry>>;
    /// Deletes one entry, only if it belongs to `user`.
    async fn delete_journal_entry(&self, user: UserId, token: &EntryToken) -> StoreResult<bool>;
    /// The entry the person was writing, if they saved one and have not finished or cleared it.
    async fn journal_draft(&self, user: UserId) -> StoreResult<Option<JournalDraft>>;
    /// Creates or replaces the person's draft (one per person).
    async fn save_journal_draft(&self, user: UserId, draft: &JournalDraft) -> StoreResult<()>;
    /// Removes the person's draft, if any.
    async fn clear_journal_draft(&self, user: UserId) -> StoreResult<()>;
    /// The journal key as this sign-in session holds it: wrapped by a key made from the
    /// session's cookie, which the database never sees. Goes when the session ends.
    async fn journal_unlock(&self, session: SessionId) -> StoreResult<Option<WrappedKey>>;
    /// Creates or replaces the session's unlock; stores nothing unless the session is the person's own.
    async fn set_journal_unlock(&self, user: UserId, session: SessionId, wrapped: &WrappedKey) -> StoreResult<()>;
    /// Locks the journal in every session of the person.
    async fn end_journal_unlocks(&self, user: UserId) -> StoreResult<()>;

    // --- self-care contract ----------------------------------------------------------------
    //
    // The person's words (goals, notes, names, plans, reflections) are sealed with their data
    // key before they reach the store.

    /// The person's contract settings, or `None` if they have never saved any (defaults apply).
    async fn contract_settings(&self, user: UserId) -> StoreResult<Option<ContractSettings>>;
    /// Creates or replaces the person's contract settings (one row per person).
    async fn set_contract_settings(&self, user: UserId, settings: &ContractSettings) -> StoreResult<()>;
    /// Adds a goal, not archived and with no progress yet.
    async fn add_goal(&self, goal: &NewGoal) -> StoreResult<GoalId>;
    /// Replaces the words, due day and `updated_at` of the person's own goal; false if not theirs.
    async fn update_goal(
        &self,
        user: UserId,
        id: GoalId,
        text: &GoalText,
        due_on: Date,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// Archives the person's own goal, keeping the first `archived_at` if already archived; false if not theirs.
    async fn archive_goal(&self, user: UserId, id: GoalId, at: Timestamp) -> StoreResult<bool>;
    /// The person's goals, archived ones too, by due day then as added, each with its progress oldest first.
    async fn goals(&self, user: UserId) -> StoreResult<Vec<Goal>>;
    /// Adds a progress note to the person's own goal; false (and nothing stored) if the goal is not theirs.
    async fn add_goal_progress(&self, user: UserId, goal: GoalId, progress: &GoalProgress) -> StoreResult<bool>;
    /// The people who support the person, in the order they were added.
    async fn support_people(&self, user: UserId) -> StoreResult<Vec<SupportPerson>>;
    /// Adds someone to the end of the person's list.
    async fn add_support_person(&self, person: &NewSupportPerson) -> StoreResult<SupportPersonId>;
    /// Deletes one person from the list, only if the list is `user`'s.
    async fn delete_support_person(&self, user: UserId, id: SupportPersonId) -> StoreResult<bool>;
    /// Records one review of the person's contract.
    async fn add_contract_review(&self, review: &NewContractReview) -> StoreResult<ReviewId>;
    /// The person's reviews, newest first (by `reviewed_on`, then most recently added).
    async fn contract_reviews(&self, user: UserId) -> StoreResult<Vec<ContractReview>>;

    // --- rescue kit ------------------------------------------------------------------------
    //
    // Statements and the contact are the person's own words, sealed by the web layer before
    // they reach the store; the use log holds only which practice (or "reach out") and when.

    /// The person's self-compassion statements, in the order they added them.
    async fn kit_statements(&self, user: UserId) -> StoreResult<Vec<KitStatement>>;
    /// Adds a statement and returns its id. The web layer keeps the number within its limit.
    async fn add_kit_statement(&self, user: UserId, text: &Sealed, at: Timestamp) -> StoreResult<KitStatementId>;
    /// Replaces the text (and `updated_at`) of the person's own statement; false if not theirs.
    async fn update_kit_statement(
        &self,
        user: UserId,
        id: KitStatementId,
        text: &Sealed,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// Deletes one statement, only if it belongs to `user`.
    async fn delete_kit_statement(&self, user: UserId, id: KitStatementId) -> StoreResult<bool>;
    /// The colleague the person reaches out to, if they chose one.
    async fn kit_contact(&self, user: UserId) -> StoreResult<Option<KitContact>>;
    /// Creates or replaces the person's contact (one per person).
    async fn set_kit_contact(&self, user: UserId, contact: &KitContact) -> StoreResult<()>;
    /// Removes the person's contact, if any.
    async fn clear_kit_contact(&self, user: UserId) -> StoreResult<()>;
    /// Logs one use of the kit: a practice's id or `ballast_core::kit::REACH_OUT`.
    async fn record_kit_use(&self, user: UserId, what: &str, at: Timestamp) -> StoreResult<()>;
    /// The person's uses with `from <= used_at < to`, earliest first (then in the order logged).
    async fn kit_uses(&self, user: UserId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<KitUse>>;

    // --- reminders -----------------------------------------------------------------------
    //
    // Times of day and the hash of the calendar feed's secret; nothing about how anyone is doing.

    /// The person's reminder choices, or `None` if they have never saved any.
    async fn reminder_settings(&self, user: UserId) -> StoreResult<Option<ReminderSettings>>;
    /// Creates or replaces the person's reminder choices.
    async fn set_reminder_settings(&self, user: UserId, settings: &ReminderSettings) -> StoreResult<()>;
    /// When the person's calendar feed was made (or last renewed), or `None` if they have none.
    async fn calendar_feed(&self, user: UserId) -> StoreResult<Option<Timestamp>>;
    /// Gives the person a calendar feed whose secret hashes to `secret`, replacing any feed they
    /// had: the old address stops working at once.
    async fn set_calendar_feed(&self, user: UserId, secret: &TokenHash, at: Timestamp) -> StoreResult<()>;
    /// Removes the person's calendar feed; false if they had none.
    async fn revoke_calendar_feed(&self, user: UserId) -> StoreResult<bool>;
    /// The owner of the calendar feed whose secret hashes to `secret`, if there is one. One
    /// lookup by the hash (a unique index), so an unknown secret costs the same as a known one.
    async fn user_by_calendar_feed(&self, secret: &TokenHash) -> StoreResult<Option<User>>;

    /// Everyone who asked for their check-in reminder by email, with its time of day.
    async fn email_reminder_recipients(&self) -> StoreResult<Vec<(User, jiff::civil::Time)>>;

    // --- background jobs -----------------------------------------------------------------
    //
    // One queue shared by every instance on the database. A job is enqueued once per
    // (person, kind, dedupe); a runner claims jobs with a lease, so two runners never hold the
    // same job, and a runner that dies only delays its jobs until the lease runs out.

    /// Adds the job unless one with the same (person, kind, dedupe) exists; true if added.
    async fn enqueue_job(&self, job: &NewJob) -> StoreResult<bool>;
    /// Claims up to `limit` unfinished jobs whose `run_at` has come and that no runner holds
    /// (or whose lease ran out), earliest first: each gets `owner`'s lease until `until` and
    /// one more attempt. Concurrent claims never return the same job.
    async fn claim_jobs(&self, owner: &str, now: Timestamp, until: Timestamp, limit: u32) -> StoreResult<Vec<Job>>;
    /// Marks a job `owner` holds as finished at `at` (with `note` as its last word, if any);
    /// false if `owner` no longer holds it.
    async fn finish_job(&self, id: JobId, owner: &str, at: Timestamp, note: Option<&str>) -> StoreResult<bool>;
    /// Records a failed attempt of a job `owner` holds and releases it: to run again at
    /// `retry_at`, or given up (finished at `at`) when `retry_at` is `None`. False if `owner`
    /// no longer holds it.
    async fn fail_job(
        &self,
        id: JobId,
        owner: &str,
        error: &str,
        retry_at: Option<Timestamp>,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// The person's jobs, oldest first: for tests and for people looking into the queue.
    async fn jobs_of(&self, user: UserId) -> StoreResult<Vec<Job>>;
    /// Deletes jobs finished (sent or given up) before `before`; returns how many. Unfinished
    /// jobs are never touched, however old.
    async fn prune_finished_jobs(&self, before: Timestamp) -> StoreResult<u64>;

    // --- instance settings (administrators) -------------------------------------------------

    /// The support resources, or `None` if the administrator has never set them (so the
    /// built-in defaults apply).
    async fn support_resources(&self) -> StoreResult<Option<Vec<SupportResource>>>;
    async fn set_support_resources(&self, resources: &[SupportResource]) -> StoreResult<()>;
    async fn custom_instruments(&self) -> StoreResult<Vec<CustomInstrument>>;
    /// Adds or replaces (by id) a custom instrument.
    async fn save_custom_instrument(&self, instrument: CustomInstrument) -> StoreResult<()>;
    async fn delete_custom_instrument(&self, id: &InstrumentId) -> StoreResult<bool>;
}
