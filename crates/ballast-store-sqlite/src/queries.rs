//! The `Store` implementation: one SQL statement (or one transaction) per operation.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use ballast_core::checkin::{CheckIn, EmpathyDial, Level, PhysicalSign, SignId, SleepQuarters};
use ballast_core::exposure::{Intensity, Minutes, PacingPlan, SessionKind, WorkSession};
use ballast_core::incident::{FollowUpStep, IncidentKind, IncidentRole, StillWithMe, Support};
use ballast_core::instrument::{Answers, InstrumentId, Words};
use ballast_core::journal::EntryToken;
use ballast_core::reminders::{minute_of_day, time_from_minute_of_day};
use ballast_core::sealing::{Sealed, WrappedKey};
use ballast_core::{Email, FailureCount, Role, SessionId, TimeZoneName, UserId};
use ballast_store::{
    Assessment, AssessmentId, ChosenSign, ContractReview, ContractSettings, CustomInstrument, Draft, FollowUp, Goal,
    GoalId, GoalProgress, GoalText, ImportReport, Incident, IncidentId, Job, JobId, JournalDraft, JournalEntry,
    JournalLock, KitContact, KitStatement, KitStatementId, KitUse, Migration, MigrationReport, NewAssessment,
    NewContractReview, NewGoal, NewIncident, NewJob, NewSession, NewSupportPerson, NewUser, NewWorkSession,
    ReminderSettings, ReviewId, Session, SessionChange, SessionWithUser, Store, StoreError, StoreResult, StoredCheckIn,
    StoredWorkSession, SupportPerson, SupportPersonId, SupportResource, ThrottleKey, TokenHash, User, UserCredentials,
    WorkSessionId, check_migrated,
};
use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{OptionalExtension, Row, params};

use crate::{SqliteStore, applied_version, apply_migrations};

/// This backend's schema history, oldest first. Never edit a released migration; add one.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "accounts", sql: include_str!("../migrations/0001_accounts.sql") },
    Migration { version: 2, name: "assessments", sql: include_str!("../migrations/0002_assessments.sql") },
    Migration { version: 3, name: "check_ins", sql: include_str!("../migrations/0003_check_ins.sql") },
    Migration { version: 4, name: "exposure", sql: include_str!("../migrations/0004_exposure.sql") },
    Migration { version: 5, name: "journal", sql: include_str!("../migrations/0005_journal.sql") },
    Migration { version: 6, name: "kit", sql: include_str!("../migrations/0006_kit.sql") },
    Migration { version: 7, name: "reminders", sql: include_str!("../migrations/0007_reminders.sql") },
    Migration { version: 8, name: "contract", sql: include_str!("../migrations/0008_contract.sql") },
];

/// Column lists shared by several queries, as macros so each query is one literal at compile
/// time (the statement cache is keyed by SQL text; building it per call would cost an
/// allocation on every request).
macro_rules! user_columns {
    () => {
        "users.id, users.email, users.role, users.created_at, users.time_zone"
    };
}
/// How many columns `user_columns!()` names, for the queries that select more after them.
const USER_COLUMN_COUNT: usize = 5;
macro_rules! session_columns {
    () => {
        "sessions.id, sessions.user_id, sessions.created_at, sessions.last_seen_at, sessions.user_agent"
    };
}

fn timestamp(seconds: i64) -> rusqlite::Result<Timestamp> {
    Timestamp::from_second(seconds).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn invalid(column: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("stored {what} is not valid").into(),
    )
}

/// Reads the `user_columns!()` starting at `first`.
fn user_from(row: &Row<'_>, first: usize) -> rusqlite::Result<User> {
    let email: String = row.get(first + 1)?;
    let role: String = row.get(first + 2)?;
    let time_zone: String = row.get(first + 4)?;
    Ok(User {
        id: UserId(row.get(first)?),
        email: Email::parse(&email).map_err(|_| invalid(first + 1, "email"))?,
        role: Role::parse(&role).ok_or_else(|| invalid(first + 2, "role"))?,
        created_at: timestamp(row.get(first + 3)?)?,
        // A zone the compiled-in database no longer knows (renamed or removed in an update)
        // reads as UTC rather than failing: failing would lock the person out of their account.
        // They can pick their zone again in settings.
        time_zone: TimeZoneName::parse(&time_zone).unwrap_or_else(TimeZoneName::utc),
    })
}

fn json<T: serde::Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn from_json<T: serde::de::DeserializeOwned>(column: usize, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e)))
}

fn instrument_id(column: usize, text: &str) -> rusqlite::Result<InstrumentId> {
    InstrumentId::parse(text).map_err(|_| invalid(column, "instrument id"))
}

const ASSESSMENT_COLUMNS: &str =
    "SELECT id, user_id, instrument_id, instrument_version, answers, scales, flags, taken_at FROM assessments";

fn assessment_from(row: &Row<'_>) -> rusqlite::Result<Assessment> {
    Ok(Assessment {
        id: AssessmentId(row.get(0)?),
        user_id: UserId(row.get(1)?),
        instrument_id: instrument_id(2, &row.get::<_, String>(2)?)?,
        instrument_version: row.get(3)?,
        answers: from_json(4, &row.get::<_, String>(4)?)?,
        scales: from_json(5, &row.get::<_, String>(5)?)?,
        flags: from_json(6, &row.get::<_, String>(6)?)?,
        taken_at: timestamp(row.get(7)?)?,
    })
}

fn session_from(row: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: SessionId(row.get(0)?),
        user_id: UserId(row.get(1)?),
        created_at: timestamp(row.get(2)?)?,
        last_seen_at: timestamp(row.get(3)?)?,
        user_agent: row.get(4)?,
    })
}

macro_rules! check_in_columns {
    () => {
        "user_id, day, energy, mood, sleep_quarters, sleep_quality, empathy, dread, intrusive, physical, warning_signs,
         restorer, note, backfilled, created_at, updated_at"
    };
}

/// Days are stored as 'YYYY-MM-DD', which sorts as the dates do.
fn day_text(day: Date) -> String {
    day.strftime("%Y-%m-%d").to_string()
}

fn day_from(column: usize, text: &str) -> rusqlite::Result<Date> {
    day_in(column, "check_ins.day", text)
}

/// A day read from the column `what` (e.g. "incidents.occurred_on").
fn day_in(column: usize, what: &str, text: &str) -> rusqlite::Result<Date> {
    Date::strptime("%Y-%m-%d", text).map_err(|_| invalid(column, what))
}

fn level(column: usize, value: u8, what: &str) -> rusqlite::Result<Level> {
    Level::new(value).ok_or_else(|| invalid(column, what))
}

fn optional_level(row: &Row<'_>, column: usize, what: &str) -> rusqlite::Result<Option<Level>> {
    row.get::<_, Option<u8>>(column)?.map(|value| level(column, value, what)).transpose()
}

/// A set of ids as one comma-separated text ('' for none); no id contains a comma.
fn joined<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    ids.into_iter().collect::<Vec<_>>().join(",")
}

/// The set back from `joined`; an id that no longer parses is an error naming the column.
fn split<T: Ord>(
    column: usize,
    what: &str,
    text: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<BTreeSet<T>> {
    if text.is_empty() {
        return Ok(BTreeSet::new());
    }
    text.split(',').map(|id| parse(id).ok_or_else(|| invalid(column, what))).collect()
}

fn physical_sign(id: &str) -> Option<PhysicalSign> {
    PhysicalSign::ALL.iter().copied().find(|sign| sign.id() == id)
}

fn sealed(column: usize, what: &str, bytes: Option<Vec<u8>>) -> rusqlite::Result<Option<Sealed>> {
    bytes.map(|bytes| Sealed::from_bytes(bytes).map_err(|_| invalid(column, what))).transpose()
}

fn wrapped_key(column: usize, bytes: Vec<u8>) -> rusqlite::Result<WrappedKey> {
    wrapped_key_in(column, "data_keys.wrapped", bytes)
}

/// A wrapped key read from the column `what` (e.g. "journal_locks.by_password").
fn wrapped_key_in(column: usize, what: &str, bytes: Vec<u8>) -> rusqlite::Result<WrappedKey> {
    WrappedKey::from_bytes(bytes).map_err(|_| invalid(column, what))
}

fn check_in_from(row: &Row<'_>) -> rusqlite::Result<StoredCheckIn> {
    let sleep_hours = row
        .get::<_, Option<u8>>(4)?
        .map(|value| SleepQuarters::try_from(value).map_err(|_| invalid(4, "check_ins.sleep_quarters")))
        .transpose()?;
    let empathy = row
        .get::<_, Option<i8>>(6)?
        .map(|value| EmpathyDial::new(value).ok_or_else(|| invalid(6, "check_ins.empathy")))
        .transpose()?;
    Ok(StoredCheckIn {
        user_id: UserId(row.get(0)?),
        day: day_from(1, &row.get::<_, String>(1)?)?,
        values: CheckIn {
            energy: level(2, row.get(2)?, "check_ins.energy")?,
            mood: optional_level(row, 3, "check_ins.mood")?,
            sleep_hours,
            sleep_quality: optional_level(row, 5, "check_ins.sleep_quality")?,
            empathy,
            dread: optional_level(row, 7, "check_ins.dread")?,
            intrusive: optional_level(row, 8, "check_ins.intrusive")?,
            physical: split(9, "check_ins.physical", &row.get::<_, String>(9)?, physical_sign)?,
            warning_signs: split(10, "check_ins.warning_signs", &row.get::<_, String>(10)?, SignId::parse)?,
        },
        restorer: sealed(11, "check_ins.restorer", row.get(11)?)?,
        note: sealed(12, "check_ins.note", row.get(12)?)?,
        backfilled: row.get(13)?,
        created_at: timestamp(row.get(14)?)?,
        updated_at: timestamp(row.get(15)?)?,
    })
}

/// A check-in's values as they are bound, in the column order of the insert and the update.
struct CheckInValues<'a> {
    energy: u8,
    mood: Option<u8>,
    sleep_quarters: Option<u8>,
    sleep_quality: Option<u8>,
    empathy: Option<i8>,
    dread: Option<u8>,
    intrusive: Option<u8>,
    physical: String,
    warning_signs: String,
    restorer: Option<&'a [u8]>,
    note: Option<&'a [u8]>,
}

impl CheckInValues<'_> {
    fn of(check_in: &StoredCheckIn) -> CheckInValues<'_> {
        let values = &check_in.values;
        CheckInValues {
            energy: u8::from(values.energy),
            mood: values.mood.map(u8::from),
            sleep_quarters: values.sleep_hours.map(u8::from),
            sleep_quality: values.sleep_quality.map(u8::from),
            empathy: values.empathy.map(i8::from),
            dread: values.dread.map(u8::from),
            intrusive: values.intrusive.map(u8::from),
            physical: joined(values.physical.iter().map(|sign| sign.id())),
            warning_signs: joined(values.warning_signs.iter().map(SignId::as_str)),
            restorer: check_in.restorer.as_ref().map(Sealed::as_bytes),
            note: check_in.note.as_ref().map(Sealed::as_bytes),
        }
    }
}

macro_rules! work_session_columns {
    () => {
        "id, user_id, starts_at, minutes, kind, intensity, debriefed, import_key IS NOT NULL"
    };
}

/// Reads one id column through `parse`; an id that no longer parses is an error naming the column.
fn parsed<T>(row: &Row<'_>, column: usize, what: &str, parse: impl Fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    parse(&row.get::<_, String>(column)?).ok_or_else(|| invalid(column, what))
}

fn work_session_from(row: &Row<'_>) -> rusqlite::Result<StoredWorkSession> {
    let intensity = row
        .get::<_, Option<String>>(5)?
        .map(|id| Intensity::parse(&id).ok_or_else(|| invalid(5, "work_sessions.intensity")))
        .transpose()?;
    Ok(StoredWorkSession {
        id: WorkSessionId(row.get(0)?),
        user_id: UserId(row.get(1)?),
        session: WorkSession {
            start: timestamp(row.get(2)?)?,
            minutes: Minutes::new(row.get(3)?).ok_or_else(|| invalid(3, "work_sessions.minutes"))?,
            kind: parsed(row, 4, "work_sessions.kind", SessionKind::parse)?,
            intensity,
            debriefed: row.get(6)?,
        },
        imported: row.get(7)?,
    })
}

/// An import adds sessions to one person's account only: a session naming anyone else is a
/// bug in the caller, refused before anything is written.
fn refuse_others_sessions(user: UserId, sessions: &[NewWorkSession]) -> StoreResult<()> {
    if sessions.iter().any(|session| session.user_id != user) {
        return Err(StoreError::Backend("an imported session names another account".into()));
    }
    Ok(())
}

fn import_report(added: usize, total: usize) -> ImportReport {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    ImportReport { added: count(added), already_there: count(total.saturating_sub(added)) }
}

/// An incident's columns, then its follow-up's (NULL when it has none), one row per follow-up.
macro_rules! incident_rows {
    () => {
        "SELECT i.id, i.user_id, i.occurred_on, i.kind, i.role, i.support, i.created_at,
                f.step, f.still_with_me, f.done_at
         FROM incidents i LEFT JOIN incident_follow_ups f ON f.incident_id = i.id"
    };
}

/// One row of `incident_rows!()`: the incident, and its follow-up if the row has one.
fn incident_row_from(row: &Row<'_>) -> rusqlite::Result<(Incident, Option<FollowUp>)> {
    let incident = Incident {
        id: IncidentId(row.get(0)?),
        user_id: UserId(row.get(1)?),
        occurred_on: day_in(2, "incidents.occurred_on", &row.get::<_, String>(2)?)?,
        kind: parsed(row, 3, "incidents.kind", IncidentKind::parse)?,
        role: parsed(row, 4, "incidents.role", IncidentRole::parse)?,
        support: split(5, "incidents.support", &row.get::<_, String>(5)?, Support::parse)?,
        created_at: timestamp(row.get(6)?)?,
        follow_ups: Vec::new(),
    };
    let follow_up = match row.get::<_, Option<String>>(7)? {
        None => None,
        Some(step) => Some(FollowUp {
            step: FollowUpStep::parse(&step).ok_or_else(|| invalid(7, "incident_follow_ups.step"))?,
            still_with_me: parsed(row, 8, "incident_follow_ups.still_with_me", StillWithMe::parse)?,
            done_at: timestamp(row.get(9)?)?,
        }),
    };
    Ok((incident, follow_up))
}

/// Gathers `incident_rows!()` (ordered so that each incident's rows are together) into incidents,
/// each with its follow-ups in step order.
fn incidents_from(
    rows: impl Iterator<Item = rusqlite::Result<(Incident, Option<FollowUp>)>>,
) -> rusqlite::Result<Vec<Incident>> {
    let mut incidents: Vec<Incident> = Vec::new();
    for row in rows {
        let (incident, follow_up) = row?;
        let current = match incidents.last_mut() {
            Some(last) if last.id == incident.id => last,
            _ => {
                incidents.push(incident);
                incidents.last_mut().expect("just pushed")
            }
        };
        current.follow_ups.extend(follow_up);
    }
    for incident in &mut incidents {
        incident.follow_ups.sort_by_key(|follow_up| follow_up.step);
    }
    Ok(incidents)
}

macro_rules! journal_entry_columns {
    () => {
        "token, user_id, prompt, body, created_at, updated_at"
    };
}

/// A sealed value from a NOT NULL column `what`.
fn sealed_in(row: &Row<'_>, column: usize, what: &str) -> rusqlite::Result<Sealed> {
    Sealed::from_bytes(row.get(column)?).map_err(|_| invalid(column, what))
}

fn journal_entry_from(row: &Row<'_>) -> rusqlite::Result<JournalEntry> {
    Ok(JournalEntry {
        token: EntryToken::from_slice(&row.get::<_, Vec<u8>>(0)?).ok_or_else(|| invalid(0, "journal_entries.token"))?,
        user_id: UserId(row.get(1)?),
        prompt: row.get(2)?,
        body: sealed_in(row, 3, "journal_entries.body")?,
        created_at: timestamp(row.get(4)?)?,
        updated_at: timestamp(row.get(5)?)?,
    })
}

macro_rules! goal_columns {
    () => {
        "id, user_id, what, measure, target, why, due_on, created_at, updated_at, archived_at"
    };
}

/// A goal from `goal_columns!()`, without its progress.
fn goal_from(row: &Row<'_>) -> rusqlite::Result<Goal> {
    Ok(Goal {
        id: GoalId(row.get(0)?),
        user_id: UserId(row.get(1)?),
        text: GoalText {
            what: sealed_in(row, 2, "contract_goals.what")?,
            measure: sealed_in(row, 3, "contract_goals.measure")?,
            target: sealed_in(row, 4, "contract_goals.target")?,
            why: sealed(5, "contract_goals.why", row.get(5)?)?,
        },
        due_on: day_in(6, "contract_goals.due_on", &row.get::<_, String>(6)?)?,
        created_at: timestamp(row.get(7)?)?,
        updated_at: timestamp(row.get(8)?)?,
        archived_at: row.get::<_, Option<i64>>(9)?.map(timestamp).transpose()?,
        progress: Vec::new(),
    })
}

/// One progress note, with the id of its goal.
fn goal_progress_from(row: &Row<'_>) -> rusqlite::Result<(GoalId, GoalProgress)> {
    let progress = GoalProgress {
        noted_on: day_in(1, "goal_progress.noted_on", &row.get::<_, String>(1)?)?,
        percent: Some(row.get::<_, u8>(2)?)
            .filter(|percent| *percent <= 100)
            .ok_or_else(|| invalid(2, "goal_progress.percent"))?,
        note: sealed(3, "goal_progress.note", row.get(3)?)?,
        created_at: timestamp(row.get(4)?)?,
    };
    Ok((GoalId(row.get(0)?), progress))
}

/// Puts each progress note, in the order given, under its goal.
fn with_progress(
    mut goals: Vec<Goal>,
    progress: impl Iterator<Item = rusqlite::Result<(GoalId, GoalProgress)>>,
) -> rusqlite::Result<Vec<Goal>> {
    let places: HashMap<GoalId, usize> = goals.iter().enumerate().map(|(place, goal)| (goal.id, place)).collect();
    for row in progress {
        let (goal, progress) = row?;
        if let Some(&place) = places.get(&goal) {
            goals[place].progress.push(progress);
        }
    }
    Ok(goals)
}

fn support_person_from(row: &Row<'_>) -> rusqlite::Result<SupportPerson> {
    Ok(SupportPerson {
        id: SupportPersonId(row.get(0)?),
        user_id: UserId(row.get(1)?),
        name: sealed_in(row, 2, "support_people.name")?,
        reach: sealed(3, "support_people.reach", row.get(3)?)?,
        partner: row.get(4)?,
        created_at: timestamp(row.get(5)?)?,
    })
}

fn contract_review_from(row: &Row<'_>) -> rusqlite::Result<ContractReview> {
    Ok(ContractReview {
        id: ReviewId(row.get(0)?),
        user_id: UserId(row.get(1)?),
        reviewed_on: day_in(2, "contract_reviews.reviewed_on", &row.get::<_, String>(2)?)?,
        reflection: sealed(3, "contract_reviews.reflection", row.get(3)?)?,
        goals_note: sealed(4, "contract_reviews.goals_note", row.get(4)?)?,
        created_at: timestamp(row.get(5)?)?,
    })
}

macro_rules! job_columns {
    () => {
        "id, kind, user_id, dedupe, payload, run_at, attempts, locked_by, locked_until, last_error, done_at"
    };
}

fn job_from(row: &Row<'_>) -> rusqlite::Result<Job> {
    Ok(Job {
        id: JobId(row.get(0)?),
        kind: row.get(1)?,
        user_id: UserId(row.get(2)?),
        dedupe: row.get(3)?,
        payload: row.get(4)?,
        run_at: timestamp(row.get(5)?)?,
        attempts: row.get(6)?,
        locked_by: row.get(7)?,
        locked_until: row.get::<_, Option<i64>>(8)?.map(timestamp).transpose()?,
        last_error: row.get(9)?,
        done_at: row.get::<_, Option<i64>>(10)?.map(timestamp).transpose()?,
    })
}

/// A time of day kept as minutes after midnight in the column `what`.
fn time_of_day(row: &Row<'_>, column: usize, what: &str) -> rusqlite::Result<Option<jiff::civil::Time>> {
    let minutes: Option<i32> = row.get(column)?;
    minutes.map(|m| time_from_minute_of_day(m).ok_or_else(|| invalid(column, what))).transpose()
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StoreResult<MigrationReport> {
        let (applied, current) = self.write(|tx| apply_migrations(tx, MIGRATIONS)).await?;
        Ok(MigrationReport { applied, current })
    }

    async fn check_ready(&self) -> StoreResult<()> {
        let found = self
            .read(|c| {
                let exists: bool = c.query_row(
                    "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ballast_migrations')",
                    [],
                    |row| row.get(0),
                )?;
                if exists { applied_version(c) } else { Ok(0) }
            })
            .await?;
        check_migrated(found, MIGRATIONS)
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        self.write(move |tx| {
            let is_first: bool = tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))?;
            let role = if is_first { Role::Admin } else { Role::Member };
            let id = tx.query_row(
                "INSERT INTO users (email, password_hash, role, created_at, time_zone)
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                params![
                    user.email.as_str(),
                    user.password_hash,
                    role.as_str(),
                    user.created_at.as_second(),
                    user.time_zone.as_str()
                ],
                |row| row.get(0),
            )?;
            Ok(User { id: UserId(id), email: user.email, role, time_zone: user.time_zone, created_at: user.created_at })
        })
        .await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.read(move |c| {
            c.prepare_cached(concat!("SELECT ", user_columns!(), " FROM users WHERE id = ?1"))?
                .query_row([id.0], |row| user_from(row, 0))
                .optional()
        })
        .await
    }

    async fn user_credentials(&self, email: &Email) -> StoreResult<Option<UserCredentials>> {
        let email = email.as_str().to_owned();
        self.read(move |c| {
            c.prepare_cached(concat!("SELECT ", user_columns!(), ", password_hash FROM users WHERE email = ?1"))?
                .query_row([email], |row| {
                    Ok(UserCredentials { user: user_from(row, 0)?, password_hash: row.get(USER_COLUMN_COUNT)? })
                })
                .optional()
        })
        .await
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        self.read(move |c| {
            c.prepare_cached("SELECT password_hash FROM users WHERE id = ?1")?
                .query_row([id.0], |row| row.get(0))
                .optional()
        })
        .await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        self.read(|c| {
            c.prepare_cached(concat!("SELECT ", user_columns!(), " FROM users ORDER BY id"))?
                .query_map([], |row| user_from(row, 0))?
                .collect()
        })
        .await
    }

    async fn set_password(&self, id: UserId, password_hash: &str, keep: Option<SessionId>) -> StoreResult<()> {
        let password_hash = password_hash.to_owned();
        self.write(move |tx| {
            tx.execute("UPDATE users SET password_hash = ?1 WHERE id = ?2", params![password_hash, id.0])?;
            tx.execute(
                "DELETE FROM sessions WHERE user_id = ?1 AND id IS NOT ?2",
                params![id.0, keep.map(|session| session.0)],
            )?;
            Ok(())
        })
        .await
    }

    async fn set_time_zone(&self, id: UserId, time_zone: &TimeZoneName) -> StoreResult<()> {
        // Through the writer, so the session cache (which holds user rows) is emptied on commit.
        let time_zone = time_zone.as_str().to_owned();
        self.write(move |tx| {
            tx.execute("UPDATE users SET time_zone = ?1 WHERE id = ?2", params![time_zone, id.0])?;
            Ok(())
        })
        .await
    }

    async fn delete_user(&self, id: UserId) -> StoreResult<bool> {
        // Every per-person table references users(id) ON DELETE CASCADE.
        self.write(move |tx| Ok(tx.execute("DELETE FROM users WHERE id = ?1", [id.0])? > 0)).await
    }

    async fn user_row_counts(&self, id: UserId) -> StoreResult<Vec<(String, u64)>> {
        self.read(move |c| {
            let tables: Vec<String> = c
                .prepare(
                    "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                     WHERE m.type = 'table' AND p.name = 'user_id' ORDER BY m.name",
                )?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            tables
                .into_iter()
                .map(|table| {
                    // Table names come from the schema itself, not from input.
                    let count: i64 =
                        c.query_row(&format!("SELECT count(*) FROM \"{table}\" WHERE user_id = ?1"), [id.0], |row| {
                            row.get(0)
                        })?;
                    Ok((table, count as u64))
                })
                .collect()
        })
        .await
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<SessionId> {
        self.write(move |tx| {
            let id = tx.query_row(
                "INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, user_agent)
                 VALUES (?1, ?2, ?3, ?3, ?4) RETURNING id",
                params![session.user_id.0, session.token.0, session.created_at.as_second(), session.user_agent],
                |row| row.get(0),
            )?;
            Ok(SessionId(id))
        })
        .await
    }

    async fn session_by_token(&self, token: &TokenHash) -> StoreResult<Option<SessionWithUser>> {
        let token = *token;
        let miss = match self.sessions().get(&token) {
            Ok(found) => return Ok(Some(found)),
            Err(miss) => miss,
        };
        let found = self
            .read(move |c| {
                c.prepare_cached(concat!(
                    "SELECT ",
                    session_columns!(),
                    ", ",
                    user_columns!(),
                    " FROM sessions JOIN users ON users.id = sessions.user_id WHERE sessions.token_hash = ?1"
                ))?
                .query_row([token.0], |row| {
                    Ok(SessionWithUser { session: session_from(row)?, user: user_from(row, 5)? })
                })
                .optional()
            })
            .await?;
        if let Some(found) = &found {
            self.sessions().fill(miss, &token, found);
        }
        Ok(found)
    }

    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()> {
        self.write(move |tx| {
            tx.execute("UPDATE sessions SET last_seen_at = ?1 WHERE id = ?2", [at.as_second(), id.0])?;
            Ok(())
        })
        .await
    }

    async fn sessions_of(&self, user: UserId) -> StoreResult<Vec<Session>> {
        self.read(move |c| {
            c.prepare_cached(concat!("SELECT ", session_columns!(), " FROM sessions WHERE user_id = ?1 ORDER BY id"))?
                .query_map([user.0], session_from)?
                .collect()
        })
        .await
    }

    async fn end_session(&self, user: UserId, id: SessionId) -> StoreResult<bool> {
        self.write(move |tx| Ok(tx.execute("DELETE FROM sessions WHERE id = ?1 AND user_id = ?2", [id.0, user.0])? > 0))
            .await
    }

    async fn end_session_by_token(&self, token: &TokenHash) -> StoreResult<()> {
        let token = *token;
        self.write(move |tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token.0])?;
            Ok(())
        })
        .await
    }

    async fn end_expired_sessions(&self, idle_cutoff: Timestamp, absolute_cutoff: Timestamp) -> StoreResult<u64> {
        self.write(move |tx| {
            let removed = tx.execute(
                "DELETE FROM sessions WHERE last_seen_at <= ?1 OR created_at <= ?2",
                [idle_cutoff.as_second(), absolute_cutoff.as_second()],
            )?;
            Ok(removed as u64)
        })
        .await
    }

    async fn record_login_failure(&self, keys: &[ThrottleKey], at: Timestamp) -> StoreResult<()> {
        let keys = keys.to_vec();
        self.write(move |tx| {
            let mut insert = tx.prepare_cached("INSERT INTO login_failures (key, at) VALUES (?1, ?2)")?;
            for key in keys {
                insert.execute(params![key.0, at.as_second()])?;
            }
            Ok(())
        })
        .await
    }

    async fn login_failures(&self, key: &ThrottleKey, since: Timestamp) -> StoreResult<FailureCount> {
        let key = *key;
        self.read(move |c| {
            c.prepare_cached("SELECT count(*), min(at) FROM login_failures WHERE key = ?1 AND at >= ?2")?.query_row(
                params![key.0, since.as_second()],
                |row| {
                    let count: i64 = row.get(0)?;
                    let oldest: Option<i64> = row.get(1)?;
                    Ok(FailureCount { count: count as u32, oldest: oldest.map(timestamp).transpose()? })
                },
            )
        })
        .await
    }

    async fn clear_login_failures(&self, key: &ThrottleKey) -> StoreResult<()> {
        let key = *key;
        self.write(move |tx| {
            tx.execute("DELETE FROM login_failures WHERE key = ?1", [key.0])?;
            Ok(())
        })
        .await
    }

    async fn prune_login_failures(&self, before: Timestamp) -> StoreResult<u64> {
        self.write(move |tx| Ok(tx.execute("DELETE FROM login_failures WHERE at < ?1", [before.as_second()])? as u64))
            .await
    }

    async fn save_assessment(&self, assessment: NewAssessment) -> StoreResult<AssessmentId> {
        self.write_elsewhere(move |tx| {
            let id = tx.query_row(
                "INSERT INTO assessments (user_id, instrument_id, instrument_version, answers, scales, flags, taken_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                params![
                    assessment.user_id.0,
                    assessment.instrument_id.as_str(),
                    assessment.instrument_version,
                    json(&assessment.answers)?,
                    json(&assessment.scales)?,
                    json(&assessment.flags)?,
                    assessment.taken_at.as_second(),
                ],
                |row| row.get(0),
            )?;
            tx.execute(
                "DELETE FROM assessment_drafts WHERE user_id = ?1 AND instrument_id = ?2",
                params![assessment.user_id.0, assessment.instrument_id.as_str()],
            )?;
            Ok(AssessmentId(id))
        })
        .await
    }

    async fn assessment(&self, user: UserId, id: AssessmentId) -> StoreResult<Option<Assessment>> {
        self.read(move |c| {
            c.prepare_cached(&format!("{ASSESSMENT_COLUMNS} WHERE id = ?1 AND user_id = ?2"))?
                .query_row([id.0, user.0], assessment_from)
                .optional()
        })
        .await
    }

    async fn assessments_of(&self, user: UserId, instrument: &InstrumentId) -> StoreResult<Vec<Assessment>> {
        let instrument = instrument.as_str().to_owned();
        self.read(move |c| {
            c.prepare_cached(&format!(
                "{ASSESSMENT_COLUMNS} WHERE user_id = ?1 AND instrument_id = ?2 ORDER BY taken_at, id"
            ))?
            .query_map(params![user.0, instrument], assessment_from)?
            .collect()
        })
        .await
    }

    async fn last_taken(&self, user: UserId) -> StoreResult<Vec<(InstrumentId, Timestamp)>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT instrument_id, max(taken_at) FROM assessments WHERE user_id = ?1 GROUP BY instrument_id",
            )?
            .query_map([user.0], |row| Ok((instrument_id(0, &row.get::<_, String>(0)?)?, timestamp(row.get(1)?)?)))?
            .collect()
        })
        .await
    }

    async fn save_draft(
        &self,
        user: UserId,
        instrument: &InstrumentId,
        answers: &Answers,
        at: Timestamp,
    ) -> StoreResult<()> {
        let instrument = instrument.as_str().to_owned();
        let answers = answers.clone();
        self.write_elsewhere(move |tx| {
            tx.execute(
                "INSERT INTO assessment_drafts (user_id, instrument_id, answers, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id, instrument_id) DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at",
                params![user.0, instrument, json(&answers)?, at.as_second()],
            )?;
            Ok(())
        })
        .await
    }

    async fn draft(&self, user: UserId, instrument: &InstrumentId) -> StoreResult<Option<Draft>> {
        let id = instrument.clone();
        self.read(move |c| {
            c.prepare_cached(
                "SELECT answers, updated_at FROM assessment_drafts WHERE user_id = ?1 AND instrument_id = ?2",
            )?
            .query_row(params![user.0, id.as_str()], |row| {
                Ok(Draft {
                    instrument_id: id.clone(),
                    answers: from_json(0, &row.get::<_, String>(0)?)?,
                    updated_at: timestamp(row.get(1)?)?,
                })
            })
            .optional()
        })
        .await
    }

    async fn words(&self, user: UserId) -> StoreResult<Words> {
        self.read(move |c| {
            c.prepare_cached("SELECT token, word FROM placeholder_words WHERE user_id = ?1")?
                .query_map([user.0], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })
        .await
    }

    async fn set_words(&self, user: UserId, words: &Words) -> StoreResult<()> {
        let words = words.clone();
        self.write(move |tx| {
            tx.execute("DELETE FROM placeholder_words WHERE user_id = ?1", [user.0])?;
            let mut insert =
                tx.prepare_cached("INSERT INTO placeholder_words (user_id, token, word) VALUES (?1, ?2, ?3)")?;
            for (token, word) in &words {
                insert.execute(params![user.0, token, word])?;
            }
            Ok(())
        })
        .await
    }

    async fn data_key(&self, user: UserId) -> StoreResult<Option<WrappedKey>> {
        self.read(move |c| {
            c.prepare_cached("SELECT wrapped FROM data_keys WHERE user_id = ?1")?
                .query_row([user.0], |row| wrapped_key(0, row.get(0)?))
                .optional()
        })
        .await
    }

    async fn any_data_key(&self) -> StoreResult<Option<WrappedKey>> {
        self.read(|c| {
            c.prepare_cached("SELECT wrapped FROM data_keys ORDER BY user_id LIMIT 1")?
                .query_row([], |row| wrapped_key(0, row.get(0)?))
                .optional()
        })
        .await
    }

    async fn create_data_key(&self, user: UserId, key: WrappedKey, at: Timestamp) -> StoreResult<WrappedKey> {
        // One write: the insert and the read back commit together, so two racing requests
        // both get the key that was stored first.
        self.write_elsewhere(move |tx| {
            tx.prepare_cached(
                "INSERT INTO data_keys (user_id, wrapped, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id) DO NOTHING",
            )?
            .execute(params![user.0, key.as_bytes(), at.as_second()])?;
            tx.prepare_cached("SELECT wrapped FROM data_keys WHERE user_id = ?1")?
                .query_row([user.0], |row| wrapped_key(0, row.get(0)?))
        })
        .await
    }

    async fn insert_check_in(&self, check_in: StoredCheckIn) -> StoreResult<()> {
        let inserted = self
            .write_elsewhere(move |tx| {
                let v = CheckInValues::of(&check_in);
                let inserted = tx
                    .prepare_cached(concat!(
                        "INSERT INTO check_ins (",
                        check_in_columns!(),
                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                         ON CONFLICT (user_id, day) DO NOTHING"
                    ))?
                    .execute(params![
                        check_in.user_id.0,
                        day_text(check_in.day),
                        v.energy,
                        v.mood,
                        v.sleep_quarters,
                        v.sleep_quality,
                        v.empathy,
                        v.dread,
                        v.intrusive,
                        v.physical,
                        v.warning_signs,
                        v.restorer,
                        v.note,
                        check_in.backfilled,
                        check_in.created_at.as_second(),
                        check_in.updated_at.as_second(),
                    ])?;
                Ok(inserted > 0)
            })
            .await?;
        if inserted { Ok(()) } else { Err(StoreError::Conflict("check-in")) }
    }

    async fn update_check_in(&self, check_in: StoredCheckIn) -> StoreResult<bool> {
        self.write_elsewhere(move |tx| {
            let v = CheckInValues::of(&check_in);
            let updated = tx
                .prepare_cached(
                    "UPDATE check_ins SET energy = ?3, mood = ?4, sleep_quarters = ?5, sleep_quality = ?6,
                         empathy = ?7, dread = ?8, intrusive = ?9, physical = ?10, warning_signs = ?11,
                         restorer = ?12, note = ?13, updated_at = ?14
                     WHERE user_id = ?1 AND day = ?2",
                )?
                .execute(params![
                    check_in.user_id.0,
                    day_text(check_in.day),
                    v.energy,
                    v.mood,
                    v.sleep_quarters,
                    v.sleep_quality,
                    v.empathy,
                    v.dread,
                    v.intrusive,
                    v.physical,
                    v.warning_signs,
                    v.restorer,
                    v.note,
                    check_in.updated_at.as_second(),
                ])?;
            Ok(updated > 0)
        })
        .await
    }

    async fn check_in(&self, user: UserId, day: Date) -> StoreResult<Option<StoredCheckIn>> {
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                check_in_columns!(),
                " FROM check_ins WHERE user_id = ?1 AND day = ?2"
            ))?
            .query_row(params![user.0, day_text(day)], check_in_from)
            .optional()
        })
        .await
    }

    async fn check_ins(&self, user: UserId, from: Date, to: Date) -> StoreResult<Vec<StoredCheckIn>> {
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                check_in_columns!(),
                " FROM check_ins WHERE user_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day"
            ))?
            .query_map(params![user.0, day_text(from), day_text(to)], check_in_from)?
            .collect()
        })
        .await
    }

    async fn warning_signs(&self, user: UserId) -> StoreResult<Vec<ChosenSign>> {
        self.read(move |c| {
            c.prepare_cached("SELECT sign_id, own_words FROM warning_signs WHERE user_id = ?1 ORDER BY position")?
                .query_map([user.0], |row| {
                    Ok(ChosenSign {
                        id: SignId::parse(&row.get::<_, String>(0)?)
                            .ok_or_else(|| invalid(0, "warning_signs.sign_id"))?,
                        own_words: sealed(1, "warning_signs.own_words", row.get(1)?)?,
                    })
                })?
                .collect()
        })
        .await
    }

    async fn set_warning_signs(&self, user: UserId, signs: &[ChosenSign]) -> StoreResult<()> {
        let signs = signs.to_vec();
        self.write_elsewhere(move |tx| {
            tx.execute("DELETE FROM warning_signs WHERE user_id = ?1", [user.0])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO warning_signs (user_id, position, sign_id, own_words) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (position, sign) in (1_i64..).zip(&signs) {
                insert.execute(params![
                    user.0,
                    position,
                    sign.id.as_str(),
                    sign.own_words.as_ref().map(Sealed::as_bytes)
                ])?;
            }
            Ok(())
        })
        .await
    }

    async fn dismissed_signals(&self, user: UserId) -> StoreResult<Vec<String>> {
        self.read(move |c| {
            c.prepare_cached("SELECT signal FROM dismissed_signals WHERE user_id = ?1 ORDER BY signal")?
                .query_map([user.0], |row| row.get(0))?
                .collect()
        })
        .await
    }

    async fn dismiss_signal(&self, user: UserId, signal: &str, at: Timestamp) -> StoreResult<()> {
        let signal = signal.to_owned();
        self.write_elsewhere(move |tx| {
            // A second dismissal keeps the first one's time.
            tx.prepare_cached(
                "INSERT INTO dismissed_signals (user_id, signal, dismissed_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id, signal) DO NOTHING",
            )?
            .execute(params![user.0, signal, at.as_second()])?;
            Ok(())
        })
        .await
    }

    async fn reassessment_cadences(&self, user: UserId) -> StoreResult<Vec<(InstrumentId, u16)>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT instrument_id, days FROM reassessment_cadences WHERE user_id = ?1 ORDER BY instrument_id",
            )?
            .query_map([user.0], |row| Ok((instrument_id(0, &row.get::<_, String>(0)?)?, row.get(1)?)))?
            .collect()
        })
        .await
    }

    async fn set_reassessment_cadence(&self, user: UserId, instrument: &InstrumentId, days: u16) -> StoreResult<()> {
        let instrument = instrument.as_str().to_owned();
        self.write_elsewhere(move |tx| {
            tx.prepare_cached(
                "INSERT INTO reassessment_cadences (user_id, instrument_id, days) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id, instrument_id) DO UPDATE SET days = excluded.days",
            )?
            .execute(params![user.0, instrument, days])?;
            Ok(())
        })
        .await
    }

    async fn add_work_session(&self, session: NewWorkSession) -> StoreResult<WorkSessionId> {
        self.write_elsewhere(move |tx| {
            let inner = &session.session;
            let id = tx
                .prepare_cached(
                    "INSERT INTO work_sessions
                         (user_id, starts_at, minutes, kind, intensity, debriefed, import_key, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                )?
                .query_row(
                    params![
                        session.user_id.0,
                        inner.start.as_second(),
                        inner.minutes.get(),
                        inner.kind.id(),
                        inner.intensity.map(Intensity::id),
                        inner.debriefed,
                        session.import_key.as_ref().map(|key| key.0.as_slice()),
                        session.created_at.as_second(),
                    ],
                    |row| row.get(0),
                )?;
            Ok(WorkSessionId(id))
        })
        .await
    }

    async fn import_work_sessions(&self, user: UserId, sessions: Vec<NewWorkSession>) -> StoreResult<ImportReport> {
        refuse_others_sessions(user, &sessions)?;
        let total = sessions.len();
        // One job, so all or nothing: the writer runs it in a savepoint of its own, and an error
        // part way through undoes every insert before it. One prepared statement serves every row.
        let added = self
            .write_elsewhere(move |tx| {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO work_sessions
                         (user_id, starts_at, minutes, kind, intensity, debriefed, import_key, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (user_id, import_key) DO NOTHING",
                )?;
                let mut added = 0;
                for new in &sessions {
                    let session = &new.session;
                    added += insert.execute(params![
                        user.0,
                        session.start.as_second(),
                        session.minutes.get(),
                        session.kind.id(),
                        session.intensity.map(Intensity::id),
                        session.debriefed,
                        new.import_key.as_ref().map(|key| key.0.as_slice()),
                        new.created_at.as_second(),
                    ])?;
                }
                Ok(added)
            })
            .await?;
        Ok(import_report(added, total))
    }

    async fn work_sessions(&self, user: UserId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<StoredWorkSession>> {
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                work_session_columns!(),
                " FROM work_sessions WHERE user_id = ?1 AND starts_at >= ?2 AND starts_at < ?3 ORDER BY starts_at, id"
            ))?
            .query_map(params![user.0, from.as_second(), to.as_second()], work_session_from)?
            .collect()
        })
        .await
    }

    async fn update_work_sessions(
        &self,
        user: UserId,
        ids: &[WorkSessionId],
        change: SessionChange,
    ) -> StoreResult<u64> {
        // Each id once, so a repeated id is not counted twice.
        let ids: BTreeSet<WorkSessionId> = ids.iter().copied().collect();
        self.write_elsewhere(move |tx| {
            let mut update = tx.prepare_cached(
                "UPDATE work_sessions
                 SET kind = coalesce(?3, kind), intensity = coalesce(?4, intensity), debriefed = coalesce(?5, debriefed)
                 WHERE id = ?1 AND user_id = ?2",
            )?;
            let mut changed = 0;
            for id in ids {
                changed += update.execute(params![
                    id.0,
                    user.0,
                    change.kind.map(SessionKind::id),
                    change.intensity.map(Intensity::id),
                    change.debriefed,
                ])? as u64;
            }
            Ok(changed)
        })
        .await
    }

    async fn delete_work_session(&self, user: UserId, id: WorkSessionId) -> StoreResult<bool> {
        self.write_elsewhere(move |tx| {
            Ok(tx
                .prepare_cached("DELETE FROM work_sessions WHERE id = ?1 AND user_id = ?2")?
                .execute([id.0, user.0])?
                > 0)
        })
        .await
    }

    async fn pacing_plan(&self, user: UserId) -> StoreResult<Option<PacingPlan>> {
        self.read(move |c| {
            let plan: Option<String> = c
                .prepare_cached("SELECT plan FROM pacing_plans WHERE user_id = ?1")?
                .query_row([user.0], |row| row.get(0))
                .optional()?;
            plan.map(|plan| from_json(0, &plan)).transpose()
        })
        .await
    }

    async fn set_pacing_plan(&self, user: UserId, plan: &PacingPlan) -> StoreResult<()> {
        let plan = *plan;
        // The trait passes no time for this one; when it was last changed is only for people
        // looking at the database.
        let at = Timestamp::now();
        self.write_elsewhere(move |tx| {
            let plan = json(&plan)?;
            tx.prepare_cached(
                "INSERT INTO pacing_plans (user_id, plan, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at",
            )?
            .execute(params![user.0, plan, at.as_second()])?;
            Ok(())
        })
        .await
    }

    async fn add_incident(&self, incident: NewIncident) -> StoreResult<IncidentId> {
        self.write_elsewhere(move |tx| {
            let id = tx
                .prepare_cached(
                    "INSERT INTO incidents (user_id, occurred_on, kind, role, support, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                )?
                .query_row(
                    params![
                        incident.user_id.0,
                        day_text(incident.occurred_on),
                        incident.kind.id(),
                        incident.role.id(),
                        joined(incident.support.iter().map(|support| support.id())),
                        incident.created_at.as_second(),
                    ],
                    |row| row.get(0),
                )?;
            Ok(IncidentId(id))
        })
        .await
    }

    async fn incidents(&self, user: UserId) -> StoreResult<Vec<Incident>> {
        // One statement, so the incidents and their follow-ups are read as of one moment.
        self.read(move |c| {
            incidents_from(
                c.prepare_cached(concat!(
                    incident_rows!(),
                    " WHERE i.user_id = ?1 ORDER BY i.occurred_on DESC, i.created_at DESC, i.id DESC"
                ))?
                .query_map([user.0], incident_row_from)?,
            )
        })
        .await
    }

    async fn incident(&self, user: UserId, id: IncidentId) -> StoreResult<Option<Incident>> {
        self.read(move |c| {
            let found = incidents_from(
                c.prepare_cached(concat!(incident_rows!(), " WHERE i.id = ?1 AND i.user_id = ?2"))?
                    .query_map([id.0, user.0], incident_row_from)?,
            )?;
            Ok(found.into_iter().next())
        })
        .await
    }

    async fn record_follow_up(
        &self,
        user: UserId,
        id: IncidentId,
        step: FollowUpStep,
        still_with_me: StillWithMe,
        at: Timestamp,
    ) -> StoreResult<bool> {
        self.write_elsewhere(move |tx| {
            // The row is made from the incident itself, so one that is not the person's makes none.
            let recorded = tx
                .prepare_cached(
                    "INSERT INTO incident_follow_ups (incident_id, user_id, step, still_with_me, done_at)
                     SELECT id, user_id, ?3, ?4, ?5 FROM incidents WHERE id = ?1 AND user_id = ?2
                     ON CONFLICT (incident_id, step)
                     DO UPDATE SET still_with_me = excluded.still_with_me, done_at = excluded.done_at",
                )?
                .execute(params![id.0, user.0, step.id(), still_with_me.id(), at.as_second()])?;
            Ok(recorded > 0)
        })
        .await
    }

    async fn delete_incident(&self, user: UserId, id: IncidentId) -> StoreResult<bool> {
        // Its follow-ups go with it (ON DELETE CASCADE).
        self.write_elsewhere(move |tx| {
            Ok(tx.prepare_cached("DELETE FROM incidents WHERE id = ?1 AND user_id = ?2")?.execute([id.0, user.0])? > 0)
        })
        .await
    }

    async fn journal_lock(&self, user: UserId) -> StoreResult<Option<JournalLock>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT password_salt, by_password, recovery_salt, by_recovery, created_at
                 FROM journal_locks WHERE user_id = ?1",
            )?
            .query_row([user.0], |row| {
                Ok(JournalLock {
                    password_salt: row.get(0)?,
                    by_password: wrapped_key_in(1, "journal_locks.by_password", row.get(1)?)?,
                    recovery_salt: row.get(2)?,
                    by_recovery: wrapped_key_in(3, "journal_locks.by_recovery", row.get(3)?)?,
                    created_at: timestamp(row.get(4)?)?,
                })
            })
            .optional()
        })
        .await
    }

    async fn create_journal_lock(&self, user: UserId, lock: &JournalLock) -> StoreResult<bool> {
        let lock = lock.clone();
        self.write_elsewhere(move |tx| {
            // A lock already there is kept: replacing it would orphan every entry sealed under it.
            let created = tx
                .prepare_cached(
                    "INSERT INTO journal_locks
                         (user_id, password_salt, by_password, recovery_salt, by_recovery, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (user_id) DO NOTHING",
                )?
                .execute(params![
                    user.0,
                    lock.password_salt,
                    lock.by_password.as_bytes(),
                    lock.recovery_salt,
                    lock.by_recovery.as_bytes(),
                    lock.created_at.as_second(),
                ])?;
            Ok(created > 0)
        })
        .await
    }

    async fn rewrap_journal(&self, user: UserId, password_salt: &[u8], by_password: &WrappedKey) -> StoreResult<bool> {
        let password_salt = password_salt.to_vec();
        let by_password = by_password.clone();
        self.write_elsewhere(move |tx| {
            let changed = tx
                .prepare_cached("UPDATE journal_locks SET password_salt = ?2, by_password = ?3 WHERE user_id = ?1")?
                .execute(params![user.0, password_salt, by_password.as_bytes()])?;
            Ok(changed > 0)
        })
        .await
    }

    async fn delete_journal(&self, user: UserId) -> StoreResult<()> {
        // One job, so one savepoint: all of it goes, or (on any error) none of it.
        self.write_elsewhere(move |tx| {
            for table in ["journal_unlocks", "journal_drafts", "journal_entries", "journal_locks"] {
                tx.prepare_cached(&format!("DELETE FROM {table} WHERE user_id = ?1"))?.execute([user.0])?;
            }
            Ok(())
        })
        .await
    }

    async fn add_journal_entry(&self, entry: &JournalEntry) -> StoreResult<()> {
        let entry = entry.clone();
        self.write_elsewhere(move |tx| {
            tx.prepare_cached(concat!(
                "INSERT INTO journal_entries (",
                journal_entry_columns!(),
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ))?
            .execute(params![
                entry.token.as_bytes(),
                entry.user_id.0,
                entry.prompt,
                entry.body.as_bytes(),
                entry.created_at.as_second(),
                entry.updated_at.as_second(),
            ])?;
            Ok(())
        })
        .await
    }

    async fn update_journal_entry(
        &self,
        user: UserId,
        token: &EntryToken,
        prompt: Option<&str>,
        body: &Sealed,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let (token, prompt, body) = (*token, prompt.map(str::to_owned), body.clone());
        self.write_elsewhere(move |tx| {
            let updated = tx
                .prepare_cached(
                    "UPDATE journal_entries SET prompt = ?3, body = ?4, updated_at = ?5
                     WHERE token = ?1 AND user_id = ?2",
                )?
                .execute(params![token.as_bytes(), user.0, prompt, body.as_bytes(), at.as_second()])?;
            Ok(updated > 0)
        })
        .await
    }

    async fn journal_entries(&self, user: UserId) -> StoreResult<Vec<JournalEntry>> {
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                journal_entry_columns!(),
                " FROM journal_entries WHERE user_id = ?1 ORDER BY created_at DESC, id DESC"
            ))?
            .query_map([user.0], journal_entry_from)?
            .collect()
        })
        .await
    }

    async fn journal_entry(&self, user: UserId, token: &EntryToken) -> StoreResult<Option<JournalEntry>> {
        let token = *token;
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                journal_entry_columns!(),
                " FROM journal_entries WHERE token = ?1 AND user_id = ?2"
            ))?
            .query_row(params![token.as_bytes(), user.0], journal_entry_from)
            .optional()
        })
        .await
    }

    async fn delete_journal_entry(&self, user: UserId, token: &EntryToken) -> StoreResult<bool> {
        let token = *token;
        self.write_elsewhere(move |tx| {
            Ok(tx
                .prepare_cached("DELETE FROM journal_entries WHERE token = ?1 AND user_id = ?2")?
                .execute(params![token.as_bytes(), user.0])?
                > 0)
        })
        .await
    }

    async fn journal_draft(&self, user: UserId) -> StoreResult<Option<JournalDraft>> {
        self.read(move |c| {
            c.prepare_cached("SELECT prompt, body, saved_at FROM journal_drafts WHERE user_id = ?1")?
                .query_row([user.0], |row| {
                    Ok(JournalDraft {
                        prompt: row.get(0)?,
                        body: sealed_in(row, 1, "journal_drafts.body")?,
                        saved_at: timestamp(row.get(2)?)?,
                    })
                })
                .optional()
        })
        .await
    }

    async fn save_journal_draft(&self, user: UserId, draft: &JournalDraft) -> StoreResult<()> {
        let draft = draft.clone();
        self.write_elsewhere(move |tx| {
            tx.prepare_cached(
                "INSERT INTO journal_drafts (user_id, prompt, body, saved_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id) DO UPDATE SET prompt = excluded.prompt, body = excluded.body,
                     saved_at = excluded.saved_at",
            )?
            .execute(params![user.0, draft.prompt, draft.body.as_bytes(), draft.saved_at.as_second()])?;
            Ok(())
        })
        .await
    }

    async fn clear_journal_draft(&self, user: UserId) -> StoreResult<()> {
        self.write_elsewhere(move |tx| {
            tx.prepare_cached("DELETE FROM journal_drafts WHERE user_id = ?1")?.execute([user.0])?;
            Ok(())
        })
        .await
    }

    async fn journal_unlock(&self, session: SessionId) -> StoreResult<Option<WrappedKey>> {
        self.read(move |c| {
            c.prepare_cached("SELECT wrapped FROM journal_unlocks WHERE session_id = ?1")?
                .query_row([session.0], |row| wrapped_key_in(0, "journal_unlocks.wrapped", row.get(0)?))
                .optional()
        })
        .await
    }

    async fn set_journal_unlock(&self, user: UserId, session: SessionId, wrapped: &WrappedKey) -> StoreResult<()> {
        let wrapped = wrapped.clone();
        // The trait passes no time for this one; when it was made is only for people looking at
        // the database.
        let at = Timestamp::now();
        // This reads `sessions` but writes only `journal_unlocks`, so the session cache stays valid.
        self.write_elsewhere(move |tx| {
            // The row is made from the session itself, so a session that is not the person's (or
            // has already ended) makes none.
            tx.prepare_cached(
                "INSERT INTO journal_unlocks (session_id, user_id, wrapped, created_at)
                 SELECT id, user_id, ?3, ?4 FROM sessions WHERE id = ?1 AND user_id = ?2
                 ON CONFLICT (session_id) DO UPDATE SET wrapped = excluded.wrapped, created_at = excluded.created_at",
            )?
            .execute(params![session.0, user.0, wrapped.as_bytes(), at.as_second()])?;
            Ok(())
        })
        .await
    }

    async fn end_journal_unlocks(&self, user: UserId) -> StoreResult<()> {
        self.write_elsewhere(move |tx| {
            tx.prepare_cached("DELETE FROM journal_unlocks WHERE user_id = ?1")?.execute([user.0])?;
            Ok(())
        })
        .await
    }

    async fn contract_settings(&self, user: UserId) -> StoreResult<Option<ContractSettings>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT review_every_days, sign_plan, phase, phase_since, updated_at
                 FROM contract_settings WHERE user_id = ?1",
            )?
            .query_row([user.0], |row| {
                Ok(ContractSettings {
                    review_every_days: row.get(0)?,
                    sign_plan: sealed(1, "contract_settings.sign_plan", row.get(1)?)?,
                    phase: row.get(2)?,
                    phase_since: row
                        .get::<_, Option<String>>(3)?
                        .map(|day| day_in(3, "contract_settings.phase_since", &day))
                        .transpose()?,
                    updated_at: timestamp(row.get(4)?)?,
                })
            })
            .optional()
        })
        .await
    }

    async fn set_contract_settings(&self, user: UserId, settings: &ContractSettings) -> StoreResult<()> {
        let settings = settings.clone();
        self.write_elsewhere(move |tx| {
            tx.prepare_cached(
                "INSERT INTO contract_settings (user_id, review_every_days, sign_plan, phase, phase_since, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (user_id) DO UPDATE SET review_every_days = excluded.review_every_days,
                     sign_plan = excluded.sign_plan, phase = excluded.phase, phase_since = excluded.phase_since,
                     updated_at = excluded.updated_at",
            )?
            .execute(params![
                user.0,
                settings.review_every_days,
                settings.sign_plan.as_ref().map(Sealed::as_bytes),
                settings.phase,
                settings.phase_since.map(day_text),
                settings.updated_at.as_second(),
            ])?;
            Ok(())
        })
        .await
    }

    async fn add_goal(&self, goal: &NewGoal) -> StoreResult<GoalId> {
        let goal = goal.clone();
        self.write_elsewhere(move |tx| {
            let text = &goal.text;
            let id = tx
                .prepare_cached(
                    "INSERT INTO contract_goals (user_id, what, measure, target, why, due_on, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
                )?
                .query_row(
                    params![
                        goal.user_id.0,
                        text.what.as_bytes(),
                        text.measure.as_bytes(),
                        text.target.as_bytes(),
                        text.why.as_ref().map(Sealed::as_bytes),
                        day_text(goal.due_on),
                        goal.created_at.as_second(),
                    ],
                    |row| row.get(0),
                )?;
            Ok(GoalId(id))
        })
        .await
    }

    async fn update_goal(
        &self,
        user: UserId,
        id: GoalId,
        text: &GoalText,
        due_on: Date,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let text = text.clone();
        self.write_elsewhere(move |tx| {
            let updated = tx
                .prepare_cached(
                    "UPDATE contract_goals SET what = ?3, measure = ?4, target = ?5, why = ?6, due_on = ?7, updated_at = ?8
                     WHERE id = ?1 AND user_id = ?2",
                )?
                .execute(params![
                    id.0,
                    user.0,
                    text.what.as_bytes(),
                    text.measure.as_bytes(),
                    text.target.as_bytes(),
                    text.why.as_ref().map(Sealed::as_bytes),
                    day_text(due_on),
                    at.as_second(),
                ])?;
            Ok(updated > 0)
        })
        .await
    }

    async fn archive_goal(&self, user: UserId, id: GoalId, at: Timestamp) -> StoreResult<bool> {
        self.write_elsewhere(move |tx| {
            // A goal archived already keeps its first time, and still counts as the person's.
            let archived = tx
                .prepare_cached(
                    "UPDATE contract_goals SET archived_at = coalesce(archived_at, ?3) WHERE id = ?1 AND user_id = ?2",
                )?
                .execute([id.0, user.0, at.as_second()])?;
            Ok(archived > 0)
        })
        .await
    }

    async fn goals(&self, user: UserId) -> StoreResult<Vec<Goal>> {
        self.read(move |c| {
            // One read transaction, so the goals and their progress are read as of one moment.
            let snapshot = c.unchecked_transaction()?;
            let goals = snapshot
                .prepare_cached(concat!(
                    "SELECT ",
                    goal_columns!(),
                    " FROM contract_goals WHERE user_id = ?1 ORDER BY due_on, id"
                ))?
                .query_map([user.0], goal_from)?
                .collect::<rusqlite::Result<Vec<Goal>>>()?;
            let mut progress = snapshot.prepare_cached(
                "SELECT goal_id, noted_on, percent, note, created_at FROM goal_progress
                 WHERE user_id = ?1 ORDER BY noted_on, created_at, id",
            )?;
            with_progress(goals, progress.query_map([user.0], goal_progress_from)?)
        })
        .await
    }

    async fn add_goal_progress(&self, user: UserId, goal: GoalId, progress: &GoalProgress) -> StoreResult<bool> {
        let progress = progress.clone();
        self.write_elsewhere(move |tx| {
            // The row is made from the goal itself, so one that is not the person's makes none.
            let added = tx
                .prepare_cached(
                    "INSERT INTO goal_progress (goal_id, user_id, noted_on, percent, note, created_at)
                     SELECT id, user_id, ?3, ?4, ?5, ?6 FROM contract_goals WHERE id = ?1 AND user_id = ?2",
                )?
                .execute(params![
                    goal.0,
                    user.0,
                    day_text(progress.noted_on),
                    progress.percent,
                    progress.note.as_ref().map(Sealed::as_bytes),
                    progress.created_at.as_second(),
                ])?;
            Ok(added > 0)
        })
        .await
    }

    async fn support_people(&self, user: UserId) -> StoreResult<Vec<SupportPerson>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT id, user_id, name, reach, partner, created_at FROM support_people WHERE user_id = ?1 ORDER BY id",
            )?
            .query_map([user.0], support_person_from)?
            .collect()
        })
        .await
    }

    async fn add_support_person(&self, person: &NewSupportPerson) -> StoreResult<SupportPersonId> {
        let person = person.clone();
        self.write_elsewhere(move |tx| {
            let id = tx
                .prepare_cached(
                    "INSERT INTO support_people (user_id, name, reach, partner, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                )?
                .query_row(
                    params![
                        person.user_id.0,
                        person.name.as_bytes(),
                        person.reach.as_ref().map(Sealed::as_bytes),
                        person.partner,
                        person.created_at.as_second(),
                    ],
                    |row| row.get(0),
                )?;
            Ok(SupportPersonId(id))
        })
        .await
    }

    async fn delete_support_person(&self, user: UserId, id: SupportPersonId) -> StoreResult<bool> {
        self.write_elsewhere(move |tx| {
            Ok(tx
                .prepare_cached("DELETE FROM support_people WHERE id = ?1 AND user_id = ?2")?
                .execute([id.0, user.0])?
                > 0)
        })
        .await
    }

    async fn add_contract_review(&self, review: &NewContractReview) -> StoreResult<ReviewId> {
        let review = review.clone();
        self.write_elsewhere(move |tx| {
            let id = tx
                .prepare_cached(
                    "INSERT INTO contract_reviews (user_id, reviewed_on, reflection, goals_note, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                )?
                .query_row(
                    params![
                        review.user_id.0,
                        day_text(review.reviewed_on),
                        review.reflection.as_ref().map(Sealed::as_bytes),
                        review.goals_note.as_ref().map(Sealed::as_bytes),
                        review.created_at.as_second(),
                    ],
                    |row| row.get(0),
                )?;
            Ok(ReviewId(id))
        })
        .await
    }

    async fn contract_reviews(&self, user: UserId) -> StoreResult<Vec<ContractReview>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT id, user_id, reviewed_on, reflection, goals_note, created_at FROM contract_reviews
                 WHERE user_id = ?1 ORDER BY reviewed_on DESC, id DESC",
            )?
            .query_map([user.0], contract_review_from)?
            .collect()
        })
        .await
    }

    async fn kit_statements(&self, user: UserId) -> StoreResult<Vec<KitStatement>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT id, text, created_at, updated_at FROM kit_statements WHERE user_id = ?1 ORDER BY id",
            )?
            .query_map([user.0], |row| {
                Ok(KitStatement {
                    id: KitStatementId(row.get(0)?),
                    text: sealed_in(row, 1, "kit_statements.text")?,
                    created_at: timestamp(row.get(2)?)?,
                    updated_at: timestamp(row.get(3)?)?,
                })
            })?
            .collect()
        })
        .await
    }

    async fn add_kit_statement(&self, user: UserId, text: &Sealed, at: Timestamp) -> StoreResult<KitStatementId> {
        let text = text.clone();
        self.write_elsewhere(move |tx| {
            let id = tx
                .prepare_cached(
                    "INSERT INTO kit_statements (user_id, text, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?3) RETURNING id",
                )?
                .query_row(params![user.0, text.as_bytes(), at.as_second()], |row| row.get(0))?;
            Ok(KitStatementId(id))
        })
        .await
    }

    async fn update_kit_statement(
        &self,
        user: UserId,
        id: KitStatementId,
        text: &Sealed,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let text = text.clone();
        self.write_elsewhere(move |tx| {
            let updated = tx
                .prepare_cached("UPDATE kit_statements SET text = ?3, updated_at = ?4 WHERE id = ?1 AND user_id = ?2")?
                .execute(params![id.0, user.0, text.as_bytes(), at.as_second()])?;
            Ok(updated > 0)
        })
        .await
    }

    async fn delete_kit_statement(&self, user: UserId, id: KitStatementId) -> StoreResult<bool> {
        self.write_elsewhere(move |tx| {
            Ok(tx
                .prepare_cached("DELETE FROM kit_statements WHERE id = ?1 AND user_id = ?2")?
                .execute([id.0, user.0])?
                > 0)
        })
        .await
    }

    async fn kit_contact(&self, user: UserId) -> StoreResult<Option<KitContact>> {
        self.read(move |c| {
            c.prepare_cached("SELECT name, email, phone, message, updated_at FROM kit_contacts WHERE user_id = ?1")?
                .query_row([user.0], |row| {
                    Ok(KitContact {
                        name: sealed_in(row, 0, "kit_contacts.name")?,
                        email: sealed(1, "kit_contacts.email", row.get(1)?)?,
                        phone: sealed(2, "kit_contacts.phone", row.get(2)?)?,
                        message: sealed_in(row, 3, "kit_contacts.message")?,
                        updated_at: timestamp(row.get(4)?)?,
                    })
                })
                .optional()
        })
        .await
    }

    async fn set_kit_contact(&self, user: UserId, contact: &KitContact) -> StoreResult<()> {
        let contact = contact.clone();
        self.write_elsewhere(move |tx| {
            tx.prepare_cached(
                "INSERT INTO kit_contacts (user_id, name, email, phone, message, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, email = excluded.email,
                     phone = excluded.phone, message = excluded.message, updated_at = excluded.updated_at",
            )?
            .execute(params![
                user.0,
                contact.name.as_bytes(),
                contact.email.as_ref().map(Sealed::as_bytes),
                contact.phone.as_ref().map(Sealed::as_bytes),
                contact.message.as_bytes(),
                contact.updated_at.as_second(),
            ])?;
            Ok(())
        })
        .await
    }

    async fn clear_kit_contact(&self, user: UserId) -> StoreResult<()> {
        self.write_elsewhere(move |tx| {
            tx.prepare_cached("DELETE FROM kit_contacts WHERE user_id = ?1")?.execute([user.0])?;
            Ok(())
        })
        .await
    }

    async fn record_kit_use(&self, user: UserId, what: &str, at: Timestamp) -> StoreResult<()> {
        let what = what.to_owned();
        self.write_elsewhere(move |tx| {
            tx.prepare_cached("INSERT INTO kit_uses (user_id, what, used_at) VALUES (?1, ?2, ?3)")?
                .execute(params![user.0, what, at.as_second()])?;
            Ok(())
        })
        .await
    }

    async fn kit_uses(&self, user: UserId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<KitUse>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT what, used_at FROM kit_uses WHERE user_id = ?1 AND used_at >= ?2 AND used_at < ?3
                 ORDER BY used_at, id",
            )?
            .query_map(params![user.0, from.as_second(), to.as_second()], |row| {
                Ok(KitUse { what: row.get(0)?, used_at: timestamp(row.get(1)?)? })
            })?
            .collect()
        })
        .await
    }

    async fn reminder_settings(&self, user: UserId) -> StoreResult<Option<ReminderSettings>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT check_in_at, self_care_at, email, updated_at FROM reminder_settings WHERE user_id = ?1",
            )?
            .query_row([user.0], |row| {
                Ok(ReminderSettings {
                    check_in_at: time_of_day(row, 0, "reminder_settings.check_in_at")?,
                    self_care_at: time_of_day(row, 1, "reminder_settings.self_care_at")?,
                    email: row.get(2)?,
                    updated_at: timestamp(row.get(3)?)?,
                })
            })
            .optional()
        })
        .await
    }

    async fn set_reminder_settings(&self, user: UserId, settings: &ReminderSettings) -> StoreResult<()> {
        let settings = settings.clone();
        self.write_elsewhere(move |tx| {
            tx.prepare_cached(
                "INSERT INTO reminder_settings (user_id, check_in_at, self_care_at, email, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user_id) DO UPDATE SET check_in_at = excluded.check_in_at,
                     self_care_at = excluded.self_care_at, email = excluded.email, updated_at = excluded.updated_at",
            )?
            .execute(params![
                user.0,
                settings.check_in_at.map(minute_of_day),
                settings.self_care_at.map(minute_of_day),
                settings.email,
                settings.updated_at.as_second(),
            ])?;
            Ok(())
        })
        .await
    }

    async fn calendar_feed(&self, user: UserId) -> StoreResult<Option<Timestamp>> {
        self.read(move |c| {
            c.prepare_cached("SELECT created_at FROM calendar_feeds WHERE user_id = ?1")?
                .query_row([user.0], |row| timestamp(row.get(0)?))
                .optional()
        })
        .await
    }

    async fn set_calendar_feed(&self, user: UserId, secret: &TokenHash, at: Timestamp) -> StoreResult<()> {
        let secret = *secret;
        self.write_elsewhere(move |tx| {
            tx.prepare_cached(
                "INSERT INTO calendar_feeds (user_id, secret_hash, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id) DO UPDATE SET secret_hash = excluded.secret_hash,
                     created_at = excluded.created_at",
            )?
            .execute(params![user.0, secret.0, at.as_second()])?;
            Ok(())
        })
        .await
    }

    async fn revoke_calendar_feed(&self, user: UserId) -> StoreResult<bool> {
        self.write_elsewhere(move |tx| {
            Ok(tx.prepare_cached("DELETE FROM calendar_feeds WHERE user_id = ?1")?.execute([user.0])? > 0)
        })
        .await
    }

    async fn user_by_calendar_feed(&self, secret: &TokenHash) -> StoreResult<Option<User>> {
        let secret = *secret;
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                user_columns!(),
                " FROM calendar_feeds JOIN users ON users.id = calendar_feeds.user_id WHERE calendar_feeds.secret_hash = ?1"
            ))?
            .query_row([secret.0], |row| user_from(row, 0))
            .optional()
        })
        .await
    }

    async fn email_reminder_recipients(&self) -> StoreResult<Vec<(User, jiff::civil::Time)>> {
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                user_columns!(),
                ", reminder_settings.check_in_at FROM reminder_settings JOIN users ON users.id = reminder_settings.user_id
                 WHERE reminder_settings.email = 1 AND reminder_settings.check_in_at IS NOT NULL ORDER BY users.id"
            ))?
            .query_map([], |row| {
                let at = time_of_day(row, USER_COLUMN_COUNT, "reminder_settings.check_in_at")?;
                Ok((user_from(row, 0)?, at.ok_or_else(|| invalid(USER_COLUMN_COUNT, "reminder_settings.check_in_at"))?))
            })?
            .collect()
        })
        .await
    }

    async fn enqueue_job(&self, job: &NewJob) -> StoreResult<bool> {
        let job = job.clone();
        self.write_elsewhere(move |tx| {
            let added = tx
                .prepare_cached(
                    "INSERT INTO jobs (kind, user_id, dedupe, payload, run_at, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (user_id, kind, dedupe) DO NOTHING",
                )?
                .execute(params![
                    job.kind,
                    job.user_id.0,
                    job.dedupe,
                    job.payload,
                    job.run_at.as_second(),
                    job.created_at.as_second()
                ])?;
            Ok(added > 0)
        })
        .await
    }

    async fn claim_jobs(&self, owner: &str, now: Timestamp, until: Timestamp, limit: u32) -> StoreResult<Vec<Job>> {
        let owner = owner.to_owned();
        // SQLite has one writer at a time, so this one statement (choose and mark) cannot
        // interleave with another claim: each job goes to exactly one runner.
        self.write_elsewhere(move |tx| {
            let mut jobs: Vec<Job> = tx
                .prepare_cached(concat!(
                    "UPDATE jobs SET locked_by = ?1, locked_until = ?2, attempts = attempts + 1
                     WHERE id IN (SELECT id FROM jobs
                                  WHERE done_at IS NULL AND run_at <= ?3 AND (locked_until IS NULL OR locked_until <= ?3)
                                  ORDER BY run_at, id LIMIT ?4)
                     RETURNING ",
                    job_columns!()
                ))?
                .query_map(params![owner, until.as_second(), now.as_second(), limit], job_from)?
                .collect::<rusqlite::Result<_>>()?;
            jobs.sort_by_key(|job| (job.run_at, job.id));
            Ok(jobs)
        })
        .await
    }

    async fn finish_job(&self, id: JobId, owner: &str, at: Timestamp, note: Option<&str>) -> StoreResult<bool> {
        let (owner, note) = (owner.to_owned(), note.map(str::to_owned));
        self.write_elsewhere(move |tx| {
            let finished = tx
                .prepare_cached(
                    "UPDATE jobs SET done_at = ?3, last_error = coalesce(?4, last_error), locked_by = NULL,
                         locked_until = NULL
                     WHERE id = ?1 AND locked_by = ?2 AND done_at IS NULL",
                )?
                .execute(params![id.0, owner, at.as_second(), note])?;
            Ok(finished > 0)
        })
        .await
    }

    async fn fail_job(
        &self,
        id: JobId,
        owner: &str,
        error: &str,
        retry_at: Option<Timestamp>,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let (owner, error) = (owner.to_owned(), error.to_owned());
        self.write_elsewhere(move |tx| {
            let failed = tx
                .prepare_cached(
                    "UPDATE jobs SET last_error = ?3, run_at = coalesce(?4, run_at),
                         done_at = CASE WHEN ?4 IS NULL THEN ?5 END, locked_by = NULL, locked_until = NULL
                     WHERE id = ?1 AND locked_by = ?2 AND done_at IS NULL",
                )?
                .execute(params![id.0, owner, error, retry_at.map(|t| t.as_second()), at.as_second()])?;
            Ok(failed > 0)
        })
        .await
    }

    async fn jobs_of(&self, user: UserId) -> StoreResult<Vec<Job>> {
        self.read(move |c| {
            c.prepare_cached(concat!("SELECT ", job_columns!(), " FROM jobs WHERE user_id = ?1 ORDER BY id"))?
                .query_map([user.0], job_from)?
                .collect()
        })
        .await
    }

    async fn prune_finished_jobs(&self, before: Timestamp) -> StoreResult<u64> {
        self.write_elsewhere(move |tx| {
            Ok(tx.execute("DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < ?1", [before.as_second()])? as u64)
        })
        .await
    }

    async fn support_resources(&self) -> StoreResult<Option<Vec<SupportResource>>> {
        self.read(|c| {
            let text: Option<String> =
                c.query_row("SELECT resources FROM support_resources", [], |row| row.get(0)).optional()?;
            text.map(|text| from_json(0, &text)).transpose()
        })
        .await
    }

    async fn set_support_resources(&self, resources: &[SupportResource]) -> StoreResult<()> {
        let resources = resources.to_vec();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO support_resources (only_row, resources) VALUES (1, ?1)
                 ON CONFLICT (only_row) DO UPDATE SET resources = excluded.resources",
                [json(&resources)?],
            )?;
            Ok(())
        })
        .await
    }

    async fn custom_instruments(&self) -> StoreResult<Vec<CustomInstrument>> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT id, definition, licence_note, added_by, added_at FROM custom_instruments ORDER BY id",
            )?
            .query_map([], |row| {
                Ok(CustomInstrument {
                    id: instrument_id(0, &row.get::<_, String>(0)?)?,
                    definition: row.get(1)?,
                    licence_note: row.get(2)?,
                    added_by: UserId(row.get(3)?),
                    added_at: timestamp(row.get(4)?)?,
                })
            })?
            .collect()
        })
        .await
    }

    async fn save_custom_instrument(&self, instrument: CustomInstrument) -> StoreResult<()> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO custom_instruments (id, definition, licence_note, added_by, added_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, licence_note = excluded.licence_note,
                     added_by = excluded.added_by, added_at = excluded.added_at",
                params![
                    instrument.id.as_str(),
                    instrument.definition,
                    instrument.licence_note,
                    instrument.added_by.0,
                    instrument.added_at.as_second()
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn delete_custom_instrument(&self, id: &InstrumentId) -> StoreResult<bool> {
        let id = id.as_str().to_owned();
        self.write(move |tx| Ok(tx.execute("DELETE FROM custom_instruments WHERE id = ?1", [id])? > 0)).await
    }
}
