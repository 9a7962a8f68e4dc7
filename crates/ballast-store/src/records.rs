//! Plain records passed across the store boundary.

use std::collections::BTreeSet;

use ballast_core::checkin::{CheckIn, SignId};
use ballast_core::exposure::{Intensity, SessionKind, WorkSession};
use ballast_core::incident::{FollowUpStep, IncidentKind, IncidentRole, StillWithMe, Support};
use ballast_core::instrument::{Answers, InstrumentId};
use ballast_core::journal::EntryToken;
use ballast_core::sealing::{Sealed, WrappedKey};
use ballast_core::{Email, Role, SessionId, TimeZoneName, UserId};
use jiff::Timestamp;
use jiff::civil::Date;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub password_hash: String,
    pub time_zone: TimeZoneName,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub role: Role,
    pub time_zone: TimeZoneName,
    pub created_at: Timestamp,
}

/// What sign-in needs: the account and its password hash.
#[derive(Debug, Clone)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
}

/// SHA-256 of a session token. The token itself is only ever in the person's cookie.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

/// SHA-256 of what a throttle counts against ("account:<email>", "address:<ip>"), so the
/// throttle table holds no addresses in the clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleKey(pub [u8; 32]);

#[derive(Debug, Clone)]
pub struct NewSession {
    pub user_id: UserId,
    pub token: TokenHash,
    pub created_at: Timestamp,
    /// A short description of the browser, so the person can tell their sessions apart.
    pub user_agent: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub user_agent: String,
}

#[derive(Debug, Clone)]
pub struct SessionWithUser {
    pub session: Session,
    pub user: User,
}

/// The database identifier of one completed assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssessmentId(pub i64);

/// One scale's result as stored: the band by its label, so history reads the same even if
/// a later version of the instrument reorders its bands.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredScale {
    pub id: String,
    pub value: Option<f64>,
    pub band: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub user_id: UserId,
    pub instrument_id: InstrumentId,
    pub instrument_version: String,
    pub answers: Answers,
    pub scales: Vec<StoredScale>,
    pub flags: Vec<String>,
    pub taken_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub id: AssessmentId,
    pub user_id: UserId,
    pub instrument_id: InstrumentId,
    pub instrument_version: String,
    pub answers: Answers,
    pub scales: Vec<StoredScale>,
    pub flags: Vec<String>,
    pub taken_at: Timestamp,
}

/// Answers saved as the person goes, so a reload or a lost connection loses nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub instrument_id: InstrumentId,
    pub answers: Answers,
    pub updated_at: Timestamp,
}

/// One place to turn for support, set by the instance's administrator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SupportResource {
    pub name: String,
    /// When and why to use it, in plain words.
    pub description: String,
    /// A phone number, address or link, shown as given.
    pub contact: String,
}

/// An instrument an administrator added from a definition file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomInstrument {
    pub id: InstrumentId,
    /// The definition file's text, exactly as uploaded.
    pub definition: String,
    /// The licence the administrator declared for it.
    pub licence_note: String,
    pub added_by: UserId,
    pub added_at: Timestamp,
}

/// One day's check-in as stored. The restorer and the note are sealed with the person's data
/// key before they reach the store, so no backend ever holds them in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckIn {
    pub user_id: UserId,
    /// The person's own calendar day (in their time zone).
    pub day: Date,
    pub values: CheckIn,
    pub restorer: Option<Sealed>,
    pub note: Option<Sealed>,
    /// Filled in on a later day than the one it describes.
    pub backfilled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One of the warning signs a person watches for, in their order. Their own signs carry their
/// words, sealed; library signs carry none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenSign {
    pub id: SignId,
    pub own_words: Option<Sealed>,
}

/// The database identifier of one work session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkSessionId(pub i64);

/// Where an imported session came from: SHA-256 of the calendar event's UID and occurrence
/// start, so re-importing the same file matches it without storing the calendar's own ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImportKey(pub [u8; 32]);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWorkSession {
    pub user_id: UserId,
    pub session: WorkSession,
    pub import_key: Option<ImportKey>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWorkSession {
    pub id: WorkSessionId,
    pub user_id: UserId,
    pub session: WorkSession,
    /// Imported from a calendar (rather than recorded by hand).
    pub imported: bool,
}

/// What an import did: sessions added, and sessions already there from an earlier import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportReport {
    pub added: u32,
    pub already_there: u32,
}

/// A change applied to several sessions at once (bulk tagging). `None` leaves a value as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionChange {
    pub kind: Option<SessionKind>,
    pub intensity: Option<Intensity>,
    pub debriefed: Option<bool>,
}

/// The database identifier of one critical incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IncidentId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub user_id: UserId,
    /// The person's own calendar day it happened.
    pub occurred_on: Date,
    pub kind: IncidentKind,
    pub role: IncidentRole,
    pub support: BTreeSet<Support>,
    pub created_at: Timestamp,
}

/// One answered follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUp {
    pub step: FollowUpStep,
    pub still_with_me: StillWithMe,
    pub done_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: IncidentId,
    pub user_id: UserId,
    pub occurred_on: Date,
    pub kind: IncidentKind,
    pub role: IncidentRole,
    pub support: BTreeSet<Support>,
    pub created_at: Timestamp,
    /// The follow-ups answered so far, in step order.
    pub follow_ups: Vec<FollowUp>,
}

/// The journal key, stored twice: wrapped by a key derived (argon2id, with its salt) from the
/// person's password, and by one derived from their recovery key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalLock {
    pub password_salt: Vec<u8>,
    pub by_password: WrappedKey,
    pub recovery_salt: Vec<u8>,
    pub by_recovery: WrappedKey,
    pub created_at: Timestamp,
}

/// One journal entry. The body is sealed with the journal key, bound to the entry's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub token: EntryToken,
    pub user_id: UserId,
    /// The id of the prompt the entry started from (ballast_core::journal::PROMPTS), if any.
    pub prompt: Option<String>,
    pub body: Sealed,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The entry being written, saved as the person goes; one per person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalDraft {
    pub prompt: Option<String>,
    pub body: Sealed,
    pub saved_at: Timestamp,
}

/// The database identifier of one goal of the self-care contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoalId(pub i64);

/// A goal's words, sealed with the person's data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalText {
    pub what: Sealed,
    pub measure: Sealed,
    pub target: Sealed,
    pub why: Option<Sealed>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGoal {
    pub user_id: UserId,
    pub text: GoalText,
    /// The person's own calendar day it is due.
    pub due_on: Date,
    pub created_at: Timestamp,
}

/// One note of how far a goal has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalProgress {
    /// The person's own calendar day it was noted.
    pub noted_on: Date,
    /// 0 to 100.
    pub percent: u8,
    pub note: Option<Sealed>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub id: GoalId,
    pub user_id: UserId,
    pub text: GoalText,
    pub due_on: Date,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub archived_at: Option<Timestamp>,
    /// The progress noted so far, oldest first.
    pub progress: Vec<GoalProgress>,
}

/// The database identifier of one person in someone's support network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SupportPersonId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSupportPerson {
    pub user_id: UserId,
    pub name: Sealed,
    /// How to reach them, in the person's words.
    pub reach: Option<Sealed>,
    /// An accountability partner (else someone who supports them).
    pub partner: bool,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportPerson {
    pub id: SupportPersonId,
    pub user_id: UserId,
    pub name: Sealed,
    pub reach: Option<Sealed>,
    pub partner: bool,
    pub created_at: Timestamp,
}

/// The person's contract settings; one row per person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractSettings {
    /// Days between reviews, 1 to 366.
    pub review_every_days: u16,
    /// "When I notice these, I will…"
    pub sign_plan: Option<Sealed>,
    /// A recovery phase id (ballast_core::contract::Phase), if the person is in one.
    pub phase: Option<String>,
    pub phase_since: Option<Date>,
    pub updated_at: Timestamp,
}

/// The database identifier of one review of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReviewId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContractReview {
    pub user_id: UserId,
    /// The person's own calendar day of the review.
    pub reviewed_on: Date,
    pub reflection: Option<Sealed>,
    /// What the person saw in their goals at the review, in their words.
    pub goals_note: Option<Sealed>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractReview {
    pub id: ReviewId,
    pub user_id: UserId,
    pub reviewed_on: Date,
    pub reflection: Option<Sealed>,
    pub goals_note: Option<Sealed>,
    pub created_at: Timestamp,
}

/// The database identifier of one self-compassion statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KitStatementId(pub i64);

/// One of the person's own self-compassion statements, sealed with their data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitStatement {
    pub id: KitStatementId,
    pub text: Sealed,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The colleague the person reaches out to, and the message; every field sealed with their
/// data key. At least one of `email` and `phone` is set (the web layer sees to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitContact {
    pub name: Sealed,
    pub email: Option<Sealed>,
    pub phone: Option<Sealed>,
    pub message: Sealed,
    pub updated_at: Timestamp,
}

/// One use of the rescue kit: a practice's id (`ballast_core::kit::PRACTICES`) or
/// `ballast_core::kit::REACH_OUT`, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitUse {
    pub what: String,
    pub used_at: Timestamp,
}

/// A person's reminder choices. Times of day are local to the person's own time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderSettings {
    /// When to be reminded to check in each day, if at all.
    pub check_in_at: Option<jiff::civil::Time>,
    /// The start of a daily self-care slot, if the person wants one.
    pub self_care_at: Option<jiff::civil::Time>,
    /// Whether the person wants their check-in reminder by email (sent only when the operator
    /// configured email).
    pub email: bool,
    /// When they last changed these; repeating calendar events start on this day.
    pub updated_at: Timestamp,
}

/// A job's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(pub i64);

/// Work to do in the background, for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What to do, e.g. "check-in-email"; the runner chooses the code by it.
    pub kind: String,
    pub user_id: UserId,
    /// Makes the job exist once per (person, kind, dedupe), e.g. the person's local date.
    pub dedupe: String,
    /// JSON the runner reads; never health details.
    pub payload: String,
    /// Not before this.
    pub run_at: Timestamp,
    pub created_at: Timestamp,
}

/// A job as the queue holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub user_id: UserId,
    pub dedupe: String,
    pub payload: String,
    pub run_at: Timestamp,
    /// Attempts started so far (a claim counts as one).
    pub attempts: u32,
    /// The runner holding the job and until when, while one does.
    pub locked_by: Option<String>,
    pub locked_until: Option<Timestamp>,
    pub last_error: Option<String>,
    /// When it was finished: done, no longer wanted, or given up (see `last_error`).
    pub done_at: Option<Timestamp>,
}
