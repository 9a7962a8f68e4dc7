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
use deadpool_postgres::GenericClient;
use jiff::Timestamp;
use jiff::civil::Date;
use tokio_postgres::types::FromSql;
use tokio_postgres::{IsolationLevel, Row};

use crate::{FIRST_ACCOUNT_LOCK, PostgresStore, applied_version, apply_migrations, lock, map_error, message};

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

const USER_COLUMNS: &str = "users.id, users.email, users.role, users.created_at, users.time_zone";
/// How many columns `USER_COLUMNS` names, for the queries that select more after them.
const USER_COLUMN_COUNT: usize = 5;

fn get<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> StoreResult<T> {
    row.try_get(index).map_err(map_error)
}

fn timestamp(seconds: i64) -> StoreResult<Timestamp> {
    Timestamp::from_second(seconds).map_err(StoreError::backend)
}

fn invalid(what: &str) -> StoreError {
    message(format!("stored {what} is not valid"))
}

/// Reads the `USER_COLUMNS` starting at `first`.
fn user_from(row: &Row, first: usize) -> StoreResult<User> {
    Ok(User {
        id: UserId(get(row, first)?),
        email: Email::parse(get(row, first + 1)?).map_err(|_| invalid("email"))?,
        role: Role::parse(get(row, first + 2)?).ok_or_else(|| invalid("role"))?,
        created_at: timestamp(get(row, first + 3)?)?,
        // A zone the compiled-in database no longer knows (renamed or removed in an update)
        // reads as UTC rather than failing: failing would lock the person out of their account.
        // They can pick their zone again in settings.
        time_zone: TimeZoneName::parse(get(row, first + 4)?).unwrap_or_else(TimeZoneName::utc),
    })
}

const SESSION_COLUMNS: &str =
    "sessions.id, sessions.user_id, sessions.created_at, sessions.last_seen_at, sessions.user_agent";

fn session_from(row: &Row) -> StoreResult<Session> {
    Ok(Session {
        id: SessionId(get(row, 0)?),
        user_id: UserId(get(row, 1)?),
        created_at: timestamp(get(row, 2)?)?,
        last_seen_at: timestamp(get(row, 3)?)?,
        user_agent: get(row, 4)?,
    })
}

/// JSON columns are TEXT holding serde_json's own output, so what is read back is byte for
/// byte what was written (floats included), exactly as on SQLite.
fn json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(StoreError::backend)
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|error| message(format!("stored {what} is not valid: {error}")))
}

fn instrument_id(text: &str) -> StoreResult<InstrumentId> {
    InstrumentId::parse(text).map_err(|_| invalid("instrument id"))
}

const ASSESSMENT_COLUMNS: &str =
    "SELECT id, user_id, instrument_id, instrument_version, answers, scales, flags, taken_at FROM assessments";

fn assessment_from(row: &Row) -> StoreResult<Assessment> {
    Ok(Assessment {
        id: AssessmentId(get(row, 0)?),
        user_id: UserId(get(row, 1)?),
        instrument_id: instrument_id(get(row, 2)?)?,
        instrument_version: get(row, 3)?,
        answers: from_json("answers", get(row, 4)?)?,
        scales: from_json("scales", get(row, 5)?)?,
        flags: from_json("flags", get(row, 6)?)?,
        taken_at: timestamp(get(row, 7)?)?,
    })
}

const CHECK_IN_COLUMNS: &str = "SELECT user_id, day, energy, mood, sleep_quarters, sleep_quality, empathy, dread,
     intrusive, physical, warning_signs, restorer, note, backfilled, created_at, updated_at FROM check_ins";

/// Days are stored as 'YYYY-MM-DD' (in the "C" collation), which sorts as the dates do.
fn day_text(day: Date) -> String {
    day.strftime("%Y-%m-%d").to_string()
}

fn day_from(text: &str) -> StoreResult<Date> {
    day_in("check_ins.day", text)
}

/// A day read from the column `what` (e.g. "incidents.occurred_on").
fn day_in(what: &str, text: &str) -> StoreResult<Date> {
    Date::strptime("%Y-%m-%d", text).map_err(|_| invalid(what))
}

/// Small numbers are SMALLINT, PostgreSQL's smallest integer.
fn small(value: impl Into<i16>) -> i16 {
    value.into()
}

fn level(value: i16, what: &str) -> StoreResult<Level> {
    u8::try_from(value).ok().and_then(Level::new).ok_or_else(|| invalid(what))
}

fn optional_level(value: Option<i16>, what: &str) -> StoreResult<Option<Level>> {
    value.map(|value| level(value, what)).transpose()
}

/// A set of ids as one comma-separated text ('' for none); no id contains a comma.
fn joined<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    ids.into_iter().collect::<Vec<_>>().join(",")
}

/// The set back from `joined`; an id that no longer parses is an error naming the column.
fn split<T: Ord>(what: &str, text: &str, parse: impl Fn(&str) -> Option<T>) -> StoreResult<BTreeSet<T>> {
    if text.is_empty() {
        return Ok(BTreeSet::new());
    }
    text.split(',').map(|id| parse(id).ok_or_else(|| invalid(what))).collect()
}

fn physical_sign(id: &str) -> Option<PhysicalSign> {
    PhysicalSign::ALL.iter().copied().find(|sign| sign.id() == id)
}

fn sealed(what: &str, bytes: Option<Vec<u8>>) -> StoreResult<Option<Sealed>> {
    bytes.map(|bytes| Sealed::from_bytes(bytes).map_err(|_| invalid(what))).transpose()
}

fn wrapped_key(bytes: Vec<u8>) -> StoreResult<WrappedKey> {
    wrapped_key_in("data_keys.wrapped", bytes)
}

/// A wrapped key read from the column `what` (e.g. "journal_locks.by_password").
fn wrapped_key_in(what: &str, bytes: Vec<u8>) -> StoreResult<WrappedKey> {
    WrappedKey::from_bytes(bytes).map_err(|_| invalid(what))
}

fn check_in_from(row: &Row) -> StoreResult<StoredCheckIn> {
    let sleep_hours = get::<Option<i16>>(row, 4)?
        .map(|value| {
            u8::try_from(value)
                .ok()
                .and_then(|value| SleepQuarters::try_from(value).ok())
                .ok_or_else(|| invalid("check_ins.sleep_quarters"))
        })
        .transpose()?;
    let empathy = get::<Option<i16>>(row, 6)?
        .map(|value| i8::try_from(value).ok().and_then(EmpathyDial::new).ok_or_else(|| invalid("check_ins.empathy")))
        .transpose()?;
    Ok(StoredCheckIn {
        user_id: UserId(get(row, 0)?),
        day: day_from(get(row, 1)?)?,
        values: CheckIn {
            energy: level(get(row, 2)?, "check_ins.energy")?,
            mood: optional_level(get(row, 3)?, "check_ins.mood")?,
            sleep_hours,
            sleep_quality: optional_level(get(row, 5)?, "check_ins.sleep_quality")?,
            empathy,
            dread: optional_level(get(row, 7)?, "check_ins.dread")?,
            intrusive: optional_level(get(row, 8)?, "check_ins.intrusive")?,
            physical: split("check_ins.physical", get(row, 9)?, physical_sign)?,
            warning_signs: split("check_ins.warning_signs", get(row, 10)?, SignId::parse)?,
        },
        restorer: sealed("check_ins.restorer", get(row, 11)?)?,
        note: sealed("check_ins.note", get(row, 12)?)?,
        backfilled: get(row, 13)?,
        created_at: timestamp(get(row, 14)?)?,
        updated_at: timestamp(get(row, 15)?)?,
    })
}

/// A check-in's values as they are bound, in the column order of the insert and the update.
struct CheckInValues<'a> {
    energy: i16,
    mood: Option<i16>,
    sleep_quarters: Option<i16>,
    sleep_quality: Option<i16>,
    empathy: Option<i16>,
    dread: Option<i16>,
    intrusive: Option<i16>,
    physical: String,
    warning_signs: String,
    restorer: Option<&'a [u8]>,
    note: Option<&'a [u8]>,
}

impl CheckInValues<'_> {
    fn of(check_in: &StoredCheckIn) -> CheckInValues<'_> {
        let values = &check_in.values;
        let level = |level: Option<Level>| level.map(|level| small(u8::from(level)));
        CheckInValues {
            energy: small(u8::from(values.energy)),
            mood: level(values.mood),
            sleep_quarters: values.sleep_hours.map(|sleep| small(u8::from(sleep))),
            sleep_quality: level(values.sleep_quality),
            empathy: values.empathy.map(|dial| small(i8::from(dial))),
            dread: level(values.dread),
            intrusive: level(values.intrusive),
            physical: joined(values.physical.iter().map(|sign| sign.id())),
            warning_signs: joined(values.warning_signs.iter().map(SignId::as_str)),
            restorer: check_in.restorer.as_ref().map(Sealed::as_bytes),
            note: check_in.note.as_ref().map(Sealed::as_bytes),
        }
    }
}

const WORK_SESSION_COLUMNS: &str =
    "SELECT id, user_id, starts_at, minutes, kind, intensity, debriefed, import_key IS NOT NULL FROM work_sessions";

/// Reads one id column through `parse`; an id that no longer parses is an error naming the column.
fn parsed<T>(row: &Row, index: usize, what: &str, parse: impl Fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(get(row, index)?).ok_or_else(|| invalid(what))
}

/// A session's length as stored (SMALLINT); `Minutes` is at most a day, so it always fits.
fn minutes_value(minutes: Minutes) -> i16 {
    i16::try_from(minutes.get()).unwrap_or(i16::MAX)
}

fn work_session_from(row: &Row) -> StoreResult<StoredWorkSession> {
    let minutes = u16::try_from(get::<i16>(row, 3)?)
        .ok()
        .and_then(Minutes::new)
        .ok_or_else(|| invalid("work_sessions.minutes"))?;
    let intensity = get::<Option<&str>>(row, 5)?
        .map(|id| Intensity::parse(id).ok_or_else(|| invalid("work_sessions.intensity")))
        .transpose()?;
    Ok(StoredWorkSession {
        id: WorkSessionId(get(row, 0)?),
        user_id: UserId(get(row, 1)?),
        session: WorkSession {
            start: timestamp(get(row, 2)?)?,
            minutes,
            kind: parsed(row, 4, "work_sessions.kind", SessionKind::parse)?,
            intensity,
            debriefed: get(row, 6)?,
        },
        imported: get(row, 7)?,
    })
}

/// An import adds sessions to one person's account only: a session naming anyone else is a
/// bug in the caller, refused before anything is written.
fn refuse_others_sessions(user: UserId, sessions: &[NewWorkSession]) -> StoreResult<()> {
    if sessions.iter().any(|session| session.user_id != user) {
        return Err(message("an imported session names another account"));
    }
    Ok(())
}

fn import_report(added: u64, total: usize) -> ImportReport {
    let added = u32::try_from(added).unwrap_or(u32::MAX);
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    ImportReport { added, already_there: total.saturating_sub(added) }
}

/// An incident's columns, then its follow-up's (NULL when it has none), one row per follow-up.
const INCIDENT_ROWS: &str = "SELECT i.id, i.user_id, i.occurred_on, i.kind, i.role, i.support, i.created_at,
        f.step, f.still_with_me, f.done_at
     FROM incidents i LEFT JOIN incident_follow_ups f ON f.incident_id = i.id";

/// One row of `INCIDENT_ROWS`: the incident, and its follow-up if the row has one.
fn incident_row_from(row: &Row) -> StoreResult<(Incident, Option<FollowUp>)> {
    let incident = Incident {
        id: IncidentId(get(row, 0)?),
        user_id: UserId(get(row, 1)?),
        occurred_on: day_in("incidents.occurred_on", get(row, 2)?)?,
        kind: parsed(row, 3, "incidents.kind", IncidentKind::parse)?,
        role: parsed(row, 4, "incidents.role", IncidentRole::parse)?,
        support: split("incidents.support", get(row, 5)?, Support::parse)?,
        created_at: timestamp(get(row, 6)?)?,
        follow_ups: Vec::new(),
    };
    let follow_up = match get::<Option<&str>>(row, 7)? {
        None => None,
        Some(step) => Some(FollowUp {
            step: FollowUpStep::parse(step).ok_or_else(|| invalid("incident_follow_ups.step"))?,
            still_with_me: parsed(row, 8, "incident_follow_ups.still_with_me", StillWithMe::parse)?,
            done_at: timestamp(get(row, 9)?)?,
        }),
    };
    Ok((incident, follow_up))
}

/// Gathers rows of `INCIDENT_ROWS` (ordered so that each incident's rows are together) into
/// incidents, each with its follow-ups in step order.
fn incidents_from(rows: &[Row]) -> StoreResult<Vec<Incident>> {
    let mut incidents: Vec<Incident> = Vec::new();
    for row in rows {
        let (incident, follow_up) = incident_row_from(row)?;
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

const JOURNAL_ENTRY_COLUMNS: &str = "SELECT token, user_id, prompt, body, created_at, updated_at FROM journal_entries";

/// A sealed value from a NOT NULL column `what`.
fn sealed_in(what: &str, bytes: Vec<u8>) -> StoreResult<Sealed> {
    Sealed::from_bytes(bytes).map_err(|_| invalid(what))
}

fn journal_entry_from(row: &Row) -> StoreResult<JournalEntry> {
    Ok(JournalEntry {
        token: EntryToken::from_slice(get(row, 0)?).ok_or_else(|| invalid("journal_entries.token"))?,
        user_id: UserId(get(row, 1)?),
        prompt: get(row, 2)?,
        body: sealed_in("journal_entries.body", get(row, 3)?)?,
        created_at: timestamp(get(row, 4)?)?,
        updated_at: timestamp(get(row, 5)?)?,
    })
}

const GOAL_COLUMNS: &str =
    "SELECT id, user_id, what, measure, target, why, due_on, created_at, updated_at, archived_at FROM contract_goals";

/// A goal from `GOAL_COLUMNS`, without its progress.
fn goal_from(row: &Row) -> StoreResult<Goal> {
    Ok(Goal {
        id: GoalId(get(row, 0)?),
        user_id: UserId(get(row, 1)?),
        text: GoalText {
            what: sealed_in("contract_goals.what", get(row, 2)?)?,
            measure: sealed_in("contract_goals.measure", get(row, 3)?)?,
            target: sealed_in("contract_goals.target", get(row, 4)?)?,
            why: sealed("contract_goals.why", get(row, 5)?)?,
        },
        due_on: day_in("contract_goals.due_on", get(row, 6)?)?,
        created_at: timestamp(get(row, 7)?)?,
        updated_at: timestamp(get(row, 8)?)?,
        archived_at: get::<Option<i64>>(row, 9)?.map(timestamp).transpose()?,
        progress: Vec::new(),
    })
}

/// One progress note, with the id of its goal.
fn goal_progress_from(row: &Row) -> StoreResult<(GoalId, GoalProgress)> {
    let percent = u8::try_from(get::<i16>(row, 2)?)
        .ok()
        .filter(|percent| *percent <= 100)
        .ok_or_else(|| invalid("goal_progress.percent"))?;
    let progress = GoalProgress {
        noted_on: day_in("goal_progress.noted_on", get(row, 1)?)?,
        percent,
        note: sealed("goal_progress.note", get(row, 3)?)?,
        created_at: timestamp(get(row, 4)?)?,
    };
    Ok((GoalId(get(row, 0)?), progress))
}

/// Puts each progress note, in the order of `rows`, under its goal.
fn with_progress(mut goals: Vec<Goal>, rows: &[Row]) -> StoreResult<Vec<Goal>> {
    let places: HashMap<GoalId, usize> = goals.iter().enumerate().map(|(place, goal)| (goal.id, place)).collect();
    for row in rows {
        let (goal, progress) = goal_progress_from(row)?;
        if let Some(&place) = places.get(&goal) {
            goals[place].progress.push(progress);
        }
    }
    Ok(goals)
}

const SUPPORT_PERSON_COLUMNS: &str = "SELECT id, user_id, name, reach, partner, created_at FROM support_people";

fn support_person_from(row: &Row) -> StoreResult<SupportPerson> {
    Ok(SupportPerson {
        id: SupportPersonId(get(row, 0)?),
        user_id: UserId(get(row, 1)?),
        name: sealed_in("support_people.name", get(row, 2)?)?,
        reach: sealed("support_people.reach", get(row, 3)?)?,
        partner: get(row, 4)?,
        created_at: timestamp(get(row, 5)?)?,
    })
}

const CONTRACT_REVIEW_COLUMNS: &str =
    "SELECT id, user_id, reviewed_on, reflection, goals_note, created_at FROM contract_reviews";

fn contract_review_from(row: &Row) -> StoreResult<ContractReview> {
    Ok(ContractReview {
        id: ReviewId(get(row, 0)?),
        user_id: UserId(get(row, 1)?),
        reviewed_on: day_in("contract_reviews.reviewed_on", get(row, 2)?)?,
        reflection: sealed("contract_reviews.reflection", get(row, 3)?)?,
        goals_note: sealed("contract_reviews.goals_note", get(row, 4)?)?,
        created_at: timestamp(get(row, 5)?)?,
    })
}

const JOB_COLUMNS: &str =
    "id, kind, user_id, dedupe, payload, run_at, attempts, locked_by, locked_until, last_error, done_at";

fn job_from(row: &Row) -> StoreResult<Job> {
    let attempts: i32 = get(row, 6)?;
    Ok(Job {
        id: JobId(get(row, 0)?),
        kind: get(row, 1)?,
        user_id: UserId(get(row, 2)?),
        dedupe: get(row, 3)?,
        payload: get(row, 4)?,
        run_at: timestamp(get(row, 5)?)?,
        attempts: u32::try_from(attempts).map_err(|_| invalid("jobs.attempts"))?,
        locked_by: get(row, 7)?,
        locked_until: get::<Option<i64>>(row, 8)?.map(timestamp).transpose()?,
        last_error: get(row, 9)?,
        done_at: get::<Option<i64>>(row, 10)?.map(timestamp).transpose()?,
    })
}

/// A time of day kept as minutes after midnight in the column `what`.
fn time_of_day(what: &str, minutes: Option<i32>) -> StoreResult<Option<jiff::civil::Time>> {
    minutes.map(|m| time_from_minute_of_day(m).ok_or_else(|| invalid(what))).transpose()
}

/// Doubles any embedded quote, so a name read from the catalogue is always one identifier.
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> StoreResult<MigrationReport> {
        let mut client = self.client().await?;
        let (applied, current) = apply_migrations(&mut client, MIGRATIONS).await?;
        Ok(MigrationReport { applied, current })
    }

    async fn check_ready(&self) -> StoreResult<()> {
        let client = self.client().await?;
        let exists: bool = get(
            &client.query_one("SELECT to_regclass('ballast_migrations') IS NOT NULL", &[]).await.map_err(map_error)?,
            0,
        )?;
        let found = if exists { applied_version(&client).await? } else { 0 };
        check_migrated(found, MIGRATIONS)
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(map_error)?;
        // Two first sign-ups on different instances would each see an empty table; holding
        // this lock until commit makes the second wait and then see the first.
        lock(&transaction, FIRST_ACCOUNT_LOCK).await?;
        let is_first: bool =
            get(&transaction.query_one("SELECT NOT EXISTS (SELECT 1 FROM users)", &[]).await.map_err(map_error)?, 0)?;
        let role = if is_first { Role::Admin } else { Role::Member };
        let insert = transaction
            .prepare_cached(
                "INSERT INTO users (email, password_hash, role, created_at, time_zone)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .await
            .map_err(map_error)?;
        let row = transaction
            .query_one(
                &insert,
                &[
                    &user.email.as_str(),
                    &user.password_hash,
                    &role.as_str(),
                    &user.created_at.as_second(),
                    &user.time_zone.as_str(),
                ],
            )
            .await
            .map_err(map_error)?;
        let id = get(&row, 0)?;
        transaction.commit().await.map_err(map_error)?;
        Ok(User { id: UserId(id), email: user.email, role, time_zone: user.time_zone, created_at: user.created_at })
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"), &[&id.0])
            .await?
            .map(|row| user_from(&row, 0))
            .transpose()
    }

    async fn user_credentials(&self, email: &Email) -> StoreResult<Option<UserCredentials>> {
        self.query_opt(&format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1"), &[&email.as_str()])
            .await?
            .map(|row| Ok(UserCredentials { user: user_from(&row, 0)?, password_hash: get(&row, USER_COLUMN_COUNT)? }))
            .transpose()
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        self.query_opt("SELECT password_hash FROM users WHERE id = $1", &[&id.0])
            .await?
            .map(|row| get(&row, 0))
            .transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        self.query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"), &[])
            .await?
            .iter()
            .map(|row| user_from(row, 0))
            .collect()
    }

    async fn set_password(&self, id: UserId, password_hash: &str, keep: Option<SessionId>) -> StoreResult<()> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(map_error)?;
        transaction
            .execute("UPDATE users SET password_hash = $1 WHERE id = $2", &[&password_hash, &id.0])
            .await
            .map_err(map_error)?;
        transaction
            .execute(
                "DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2",
                &[&id.0, &keep.map(|session| session.0)],
            )
            .await
            .map_err(map_error)?;
        transaction.commit().await.map_err(map_error)
    }

    async fn set_time_zone(&self, id: UserId, time_zone: &TimeZoneName) -> StoreResult<()> {
        self.execute("UPDATE users SET time_zone = $1 WHERE id = $2", &[&time_zone.as_str(), &id.0]).await?;
        Ok(())
    }

    async fn delete_user(&self, id: UserId) -> StoreResult<bool> {
        // Every per-person table references users(id) ON DELETE CASCADE.
        Ok(self.execute("DELETE FROM users WHERE id = $1", &[&id.0]).await? > 0)
    }

    async fn user_row_counts(&self, id: UserId) -> StoreResult<Vec<(String, u64)>> {
        let client = self.client().await?;
        let tables = client
            .query(
                "SELECT c.table_name::text
                 FROM information_schema.columns c
                 JOIN information_schema.tables t
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                 WHERE c.table_schema = current_schema()
                   AND c.column_name = 'user_id'
                   AND t.table_type = 'BASE TABLE'
                 ORDER BY 1",
                &[],
            )
            .await
            .map_err(map_error)?;
        let mut counts = Vec::with_capacity(tables.len());
        for row in tables {
            let table: String = get(&row, 0)?;
            // Table names come from the schema itself, not from input; quoted all the same.
            let counted = client
                .query_one(&format!("SELECT count(*) FROM {} WHERE user_id = $1", quote_identifier(&table)), &[&id.0])
                .await
                .map_err(map_error)?;
            let count: i64 = get(&counted, 0)?;
            counts.push((table, count as u64));
        }
        Ok(counts)
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<SessionId> {
        let row = self
            .query_one(
                "INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, user_agent)
                 VALUES ($1, $2, $3, $3, $4) RETURNING id",
                &[
                    &session.user_id.0,
                    &session.token.0.as_slice(),
                    &session.created_at.as_second(),
                    &session.user_agent,
                ],
            )
            .await?;
        Ok(SessionId(get(&row, 0)?))
    }

    async fn session_by_token(&self, token: &TokenHash) -> StoreResult<Option<SessionWithUser>> {
        self.query_opt(
            &format!(
                "SELECT {SESSION_COLUMNS}, {USER_COLUMNS} FROM sessions JOIN users ON users.id = sessions.user_id
                 WHERE sessions.token_hash = $1"
            ),
            &[&token.0.as_slice()],
        )
        .await?
        .map(|row| Ok(SessionWithUser { session: session_from(&row)?, user: user_from(&row, 5)? }))
        .transpose()
    }

    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()> {
        self.execute("UPDATE sessions SET last_seen_at = $1 WHERE id = $2", &[&at.as_second(), &id.0]).await?;
        Ok(())
    }

    async fn sessions_of(&self, user: UserId) -> StoreResult<Vec<Session>> {
        self.query(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY id"), &[&user.0])
            .await?
            .iter()
            .map(session_from)
            .collect()
    }

    async fn end_session(&self, user: UserId, id: SessionId) -> StoreResult<bool> {
        Ok(self.execute("DELETE FROM sessions WHERE id = $1 AND user_id = $2", &[&id.0, &user.0]).await? > 0)
    }

    async fn end_session_by_token(&self, token: &TokenHash) -> StoreResult<()> {
        self.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token.0.as_slice()]).await?;
        Ok(())
    }

    async fn end_expired_sessions(&self, idle_cutoff: Timestamp, absolute_cutoff: Timestamp) -> StoreResult<u64> {
        self.execute(
            "DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2",
            &[&idle_cutoff.as_second(), &absolute_cutoff.as_second()],
        )
        .await
    }

    async fn record_login_failure(&self, keys: &[ThrottleKey], at: Timestamp) -> StoreResult<()> {
        // One statement for every key, so a failure is counted against all of them or none.
        let keys: Vec<&[u8]> = keys.iter().map(|key| key.0.as_slice()).collect();
        self.execute("INSERT INTO login_failures (key, at) SELECT unnest($1::bytea[]), $2", &[&keys, &at.as_second()])
            .await?;
        Ok(())
    }

    async fn login_failures(&self, key: &ThrottleKey, since: Timestamp) -> StoreResult<FailureCount> {
        let row = self
            .query_one(
                "SELECT count(*), min(at) FROM login_failures WHERE key = $1 AND at >= $2",
                &[&key.0.as_slice(), &since.as_second()],
            )
            .await?;
        let count: i64 = get(&row, 0)?;
        let oldest: Option<i64> = get(&row, 1)?;
        Ok(FailureCount { count: u32::try_from(count).unwrap_or(u32::MAX), oldest: oldest.map(timestamp).transpose()? })
    }

    async fn clear_login_failures(&self, key: &ThrottleKey) -> StoreResult<()> {
        self.execute("DELETE FROM login_failures WHERE key = $1", &[&key.0.as_slice()]).await?;
        Ok(())
    }

    async fn prune_login_failures(&self, before: Timestamp) -> StoreResult<u64> {
        self.execute("DELETE FROM login_failures WHERE at < $1", &[&before.as_second()]).await
    }

    async fn save_assessment(&self, assessment: NewAssessment) -> StoreResult<AssessmentId> {
        let answers = json(&assessment.answers)?;
        let scales = json(&assessment.scales)?;
        let flags = json(&assessment.flags)?;
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(map_error)?;
        let insert = transaction
            .prepare_cached(
                "INSERT INTO assessments (user_id, instrument_id, instrument_version, answers, scales, flags, taken_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .await
            .map_err(map_error)?;
        let row = transaction
            .query_one(
                &insert,
                &[
                    &assessment.user_id.0,
                    &assessment.instrument_id.as_str(),
                    &assessment.instrument_version,
                    &answers,
                    &scales,
                    &flags,
                    &assessment.taken_at.as_second(),
                ],
            )
            .await
            .map_err(map_error)?;
        let id = get(&row, 0)?;
        let delete_draft = transaction
            .prepare_cached("DELETE FROM assessment_drafts WHERE user_id = $1 AND instrument_id = $2")
            .await
            .map_err(map_error)?;
        transaction
            .execute(&delete_draft, &[&assessment.user_id.0, &assessment.instrument_id.as_str()])
            .await
            .map_err(map_error)?;
        transaction.commit().await.map_err(map_error)?;
        Ok(AssessmentId(id))
    }

    async fn assessment(&self, user: UserId, id: AssessmentId) -> StoreResult<Option<Assessment>> {
        self.query_opt(&format!("{ASSESSMENT_COLUMNS} WHERE id = $1 AND user_id = $2"), &[&id.0, &user.0])
            .await?
            .map(|row| assessment_from(&row))
            .transpose()
    }

    async fn assessments_of(&self, user: UserId, instrument: &InstrumentId) -> StoreResult<Vec<Assessment>> {
        self.query(
            &format!("{ASSESSMENT_COLUMNS} WHERE user_id = $1 AND instrument_id = $2 ORDER BY taken_at, id"),
            &[&user.0, &instrument.as_str()],
        )
        .await?
        .iter()
        .map(assessment_from)
        .collect()
    }

    async fn last_taken(&self, user: UserId) -> StoreResult<Vec<(InstrumentId, Timestamp)>> {
        self.query(
            "SELECT instrument_id, max(taken_at) FROM assessments WHERE user_id = $1 GROUP BY instrument_id",
            &[&user.0],
        )
        .await?
        .iter()
        .map(|row| Ok((instrument_id(get(row, 0)?)?, timestamp(get(row, 1)?)?)))
        .collect()
    }

    async fn save_draft(
        &self,
        user: UserId,
        instrument: &InstrumentId,
        answers: &Answers,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.execute(
            "INSERT INTO assessment_drafts (user_id, instrument_id, answers, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, instrument_id)
             DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at",
            &[&user.0, &instrument.as_str(), &json(answers)?, &at.as_second()],
        )
        .await?;
        Ok(())
    }

    async fn draft(&self, user: UserId, instrument: &InstrumentId) -> StoreResult<Option<Draft>> {
        self.query_opt(
            "SELECT answers, updated_at FROM assessment_drafts WHERE user_id = $1 AND instrument_id = $2",
            &[&user.0, &instrument.as_str()],
        )
        .await?
        .map(|row| {
            Ok(Draft {
                instrument_id: instrument.clone(),
                answers: from_json("draft answers", get(&row, 0)?)?,
                updated_at: timestamp(get(&row, 1)?)?,
            })
        })
        .transpose()
    }

    async fn words(&self, user: UserId) -> StoreResult<Words> {
        self.query("SELECT token, word FROM placeholder_words WHERE user_id = $1", &[&user.0])
            .await?
            .iter()
            .map(|row| Ok((get(row, 0)?, get(row, 1)?)))
            .collect()
    }

    async fn set_words(&self, user: UserId, words: &Words) -> StoreResult<()> {
        let tokens: Vec<&str> = words.keys().map(String::as_str).collect();
        let replacements: Vec<&str> = words.values().map(String::as_str).collect();
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(map_error)?;
        let delete =
            transaction.prepare_cached("DELETE FROM placeholder_words WHERE user_id = $1").await.map_err(map_error)?;
        transaction.execute(&delete, &[&user.0]).await.map_err(map_error)?;
        // Every word in one statement: the two arrays are unnested side by side.
        let insert = transaction
            .prepare_cached(
                "INSERT INTO placeholder_words (user_id, token, word) SELECT $1, * FROM unnest($2::text[], $3::text[])",
            )
            .await
            .map_err(map_error)?;
        transaction.execute(&insert, &[&user.0, &tokens, &replacements]).await.map_err(map_error)?;
        transaction.commit().await.map_err(map_error)
    }

    async fn data_key(&self, user: UserId) -> StoreResult<Option<WrappedKey>> {
        self.query_opt("SELECT wrapped FROM data_keys WHERE user_id = $1", &[&user.0])
            .await?
            .map(|row| wrapped_key(get(&row, 0)?))
            .transpose()
    }

    async fn any_data_key(&self) -> StoreResult<Option<WrappedKey>> {
        self.query_opt("SELECT wrapped FROM data_keys ORDER BY user_id LIMIT 1", &[])
            .await?
            .map(|row| wrapped_key(get(&row, 0)?))
            .transpose()
    }

    async fn create_data_key(&self, user: UserId, key: WrappedKey, at: Timestamp) -> StoreResult<WrappedKey> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(map_error)?;
        // A racing insert makes this one wait for it to commit and then do nothing; the select,
        // a statement of its own, then sees the row that won.
        let insert = transaction
            .prepare_cached(
                "INSERT INTO data_keys (user_id, wrapped, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .await
            .map_err(map_error)?;
        transaction.execute(&insert, &[&user.0, &key.as_bytes(), &at.as_second()]).await.map_err(map_error)?;
        let select =
            transaction.prepare_cached("SELECT wrapped FROM data_keys WHERE user_id = $1").await.map_err(map_error)?;
        let row = transaction.query_one(&select, &[&user.0]).await.map_err(map_error)?;
        let stored = wrapped_key(get(&row, 0)?)?;
        transaction.commit().await.map_err(map_error)?;
        Ok(stored)
    }

    async fn insert_check_in(&self, check_in: StoredCheckIn) -> StoreResult<()> {
        let v = CheckInValues::of(&check_in);
        let inserted = self
            .execute(
                "INSERT INTO check_ins (user_id, day, energy, mood, sleep_quarters, sleep_quality, empathy, dread,
                     intrusive, physical, warning_signs, restorer, note, backfilled, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 ON CONFLICT (user_id, day) DO NOTHING",
                &[
                    &check_in.user_id.0,
                    &day_text(check_in.day),
                    &v.energy,
                    &v.mood,
                    &v.sleep_quarters,
                    &v.sleep_quality,
                    &v.empathy,
                    &v.dread,
                    &v.intrusive,
                    &v.physical,
                    &v.warning_signs,
                    &v.restorer,
                    &v.note,
                    &check_in.backfilled,
                    &check_in.created_at.as_second(),
                    &check_in.updated_at.as_second(),
                ],
            )
            .await?;
        if inserted > 0 { Ok(()) } else { Err(StoreError::Conflict("check-in")) }
    }

    async fn update_check_in(&self, check_in: StoredCheckIn) -> StoreResult<bool> {
        let v = CheckInValues::of(&check_in);
        let updated = self
            .execute(
                "UPDATE check_ins SET energy = $3, mood = $4, sleep_quarters = $5, sleep_quality = $6, empathy = $7,
                     dread = $8, intrusive = $9, physical = $10, warning_signs = $11, restorer = $12, note = $13,
                     updated_at = $14
                 WHERE user_id = $1 AND day = $2",
                &[
                    &check_in.user_id.0,
                    &day_text(check_in.day),
                    &v.energy,
                    &v.mood,
                    &v.sleep_quarters,
                    &v.sleep_quality,
                    &v.empathy,
                    &v.dread,
                    &v.intrusive,
                    &v.physical,
                    &v.warning_signs,
                    &v.restorer,
                    &v.note,
                    &check_in.updated_at.as_second(),
                ],
            )
            .await?;
        Ok(updated > 0)
    }

    async fn check_in(&self, user: UserId, day: Date) -> StoreResult<Option<StoredCheckIn>> {
        self.query_opt(&format!("{CHECK_IN_COLUMNS} WHERE user_id = $1 AND day = $2"), &[&user.0, &day_text(day)])
            .await?
            .map(|row| check_in_from(&row))
            .transpose()
    }

    async fn check_ins(&self, user: UserId, from: Date, to: Date) -> StoreResult<Vec<StoredCheckIn>> {
        self.query(
            &format!("{CHECK_IN_COLUMNS} WHERE user_id = $1 AND day >= $2 AND day <= $3 ORDER BY day"),
            &[&user.0, &day_text(from), &day_text(to)],
        )
        .await?
        .iter()
        .map(check_in_from)
        .collect()
    }

    async fn warning_signs(&self, user: UserId) -> StoreResult<Vec<ChosenSign>> {
        self.query("SELECT sign_id, own_words FROM warning_signs WHERE user_id = $1 ORDER BY position", &[&user.0])
            .await?
            .iter()
            .map(|row| {
                Ok(ChosenSign {
                    id: SignId::parse(get(row, 0)?).ok_or_else(|| invalid("warning_signs.sign_id"))?,
                    own_words: sealed("warning_signs.own_words", get(row, 1)?)?,
                })
            })
            .collect()
    }

    async fn set_warning_signs(&self, user: UserId, signs: &[ChosenSign]) -> StoreResult<()> {
        let ids: Vec<&str> = signs.iter().map(|sign| sign.id.as_str()).collect();
        let words: Vec<Option<&[u8]>> =
            signs.iter().map(|sign| sign.own_words.as_ref().map(Sealed::as_bytes)).collect();
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(map_error)?;
        let delete =
            transaction.prepare_cached("DELETE FROM warning_signs WHERE user_id = $1").await.map_err(map_error)?;
        transaction.execute(&delete, &[&user.0]).await.map_err(map_error)?;
        // Every sign in one statement; the ordinality of the unnested arrays is the position.
        let insert = transaction
            .prepare_cached(
                "INSERT INTO warning_signs (user_id, position, sign_id, own_words)
                 SELECT $1, position, sign_id, own_words
                 FROM unnest($2::text[], $3::bytea[]) WITH ORDINALITY AS signs (sign_id, own_words, position)",
            )
            .await
            .map_err(map_error)?;
        transaction.execute(&insert, &[&user.0, &ids, &words]).await.map_err(map_error)?;
        transaction.commit().await.map_err(map_error)
    }

    async fn dismissed_signals(&self, user: UserId) -> StoreResult<Vec<String>> {
        self.query("SELECT signal FROM dismissed_signals WHERE user_id = $1 ORDER BY signal", &[&user.0])
            .await?
            .iter()
            .map(|row| get(row, 0))
            .collect()
    }

    async fn dismiss_signal(&self, user: UserId, signal: &str, at: Timestamp) -> StoreResult<()> {
        // A second dismissal keeps the first one's time.
        self.execute(
            "INSERT INTO dismissed_signals (user_id, signal, dismissed_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, signal) DO NOTHING",
            &[&user.0, &signal, &at.as_second()],
        )
        .await?;
        Ok(())
    }

    async fn reassessment_cadences(&self, user: UserId) -> StoreResult<Vec<(InstrumentId, u16)>> {
        self.query(
            "SELECT instrument_id, days FROM reassessment_cadences WHERE user_id = $1 ORDER BY instrument_id",
            &[&user.0],
        )
        .await?
        .iter()
        .map(|row| {
            let days = u16::try_from(get::<i32>(row, 1)?).map_err(|_| invalid("reassessment_cadences.days"))?;
            Ok((instrument_id(get(row, 0)?)?, days))
        })
        .collect()
    }

    async fn set_reassessment_cadence(&self, user: UserId, instrument: &InstrumentId, days: u16) -> StoreResult<()> {
        self.execute(
            "INSERT INTO reassessment_cadences (user_id, instrument_id, days) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, instrument_id) DO UPDATE SET days = excluded.days",
            &[&user.0, &instrument.as_str(), &i32::from(days)],
        )
        .await?;
        Ok(())
    }

    async fn add_work_session(&self, session: NewWorkSession) -> StoreResult<WorkSessionId> {
        let inner = &session.session;
        let row = self
            .query_one(
                "INSERT INTO work_sessions
                     (user_id, starts_at, minutes, kind, intensity, debriefed, import_key, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &session.user_id.0,
                    &inner.start.as_second(),
                    &minutes_value(inner.minutes),
                    &inner.kind.id(),
                    &inner.intensity.map(Intensity::id),
                    &inner.debriefed,
                    &session.import_key.as_ref().map(|key| key.0.as_slice()),
                    &session.created_at.as_second(),
                ],
            )
            .await?;
        Ok(WorkSessionId(get(&row, 0)?))
    }

    async fn import_work_sessions(&self, user: UserId, sessions: Vec<NewWorkSession>) -> StoreResult<ImportReport> {
        refuse_others_sessions(user, &sessions)?;
        let starts: Vec<i64> = sessions.iter().map(|new| new.session.start.as_second()).collect();
        let minutes: Vec<i16> = sessions.iter().map(|new| minutes_value(new.session.minutes)).collect();
        let kinds: Vec<&str> = sessions.iter().map(|new| new.session.kind.id()).collect();
        let intensities: Vec<Option<&str>> =
            sessions.iter().map(|new| new.session.intensity.map(Intensity::id)).collect();
        let debriefed: Vec<bool> = sessions.iter().map(|new| new.session.debriefed).collect();
        let keys: Vec<Option<&[u8]>> =
            sessions.iter().map(|new| new.import_key.as_ref().map(|key| key.0.as_slice())).collect();
        let created: Vec<i64> = sessions.iter().map(|new| new.created_at.as_second()).collect();
        // Every session in one statement (the arrays unnested side by side), so one round trip
        // however long the calendar, and all or nothing: a statement is its own transaction.
        let added = self
            .execute(
                "INSERT INTO work_sessions
                     (user_id, starts_at, minutes, kind, intensity, debriefed, import_key, created_at)
                 SELECT $1, * FROM unnest($2::bigint[], $3::smallint[], $4::text[], $5::text[], $6::boolean[],
                     $7::bytea[], $8::bigint[])
                 ON CONFLICT (user_id, import_key) DO NOTHING",
                &[&user.0, &starts, &minutes, &kinds, &intensities, &debriefed, &keys, &created],
            )
            .await?;
        Ok(import_report(added, sessions.len()))
    }

    async fn work_sessions(&self, user: UserId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<StoredWorkSession>> {
        self.query(
            &format!(
                "{WORK_SESSION_COLUMNS} WHERE user_id = $1 AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, id"
            ),
            &[&user.0, &from.as_second(), &to.as_second()],
        )
        .await?
        .iter()
        .map(work_session_from)
        .collect()
    }

    async fn update_work_sessions(
        &self,
        user: UserId,
        ids: &[WorkSessionId],
        change: SessionChange,
    ) -> StoreResult<u64> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        self.execute(
            "UPDATE work_sessions
             SET kind = coalesce($3, kind), intensity = coalesce($4, intensity), debriefed = coalesce($5, debriefed)
             WHERE user_id = $1 AND id = ANY($2)",
            &[
                &user.0,
                &ids,
                &change.kind.map(SessionKind::id),
                &change.intensity.map(Intensity::id),
                &change.debriefed,
            ],
        )
        .await
    }

    async fn delete_work_session(&self, user: UserId, id: WorkSessionId) -> StoreResult<bool> {
        Ok(self.execute("DELETE FROM work_sessions WHERE id = $1 AND user_id = $2", &[&id.0, &user.0]).await? > 0)
    }

    async fn pacing_plan(&self, user: UserId) -> StoreResult<Option<PacingPlan>> {
        self.query_opt("SELECT plan FROM pacing_plans WHERE user_id = $1", &[&user.0])
            .await?
            .map(|row| from_json("pacing_plans.plan", get(&row, 0)?))
            .transpose()
    }

    async fn set_pacing_plan(&self, user: UserId, plan: &PacingPlan) -> StoreResult<()> {
        // The trait passes no time for this one; when it was last changed is only for people
        // looking at the database.
        self.execute(
            "INSERT INTO pacing_plans (user_id, plan, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at",
            &[&user.0, &json(plan)?, &Timestamp::now().as_second()],
        )
        .await?;
        Ok(())
    }

    async fn add_incident(&self, incident: NewIncident) -> StoreResult<IncidentId> {
        let row = self
            .query_one(
                "INSERT INTO incidents (user_id, occurred_on, kind, role, support, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    &incident.user_id.0,
                    &day_text(incident.occurred_on),
                    &incident.kind.id(),
                    &incident.role.id(),
                    &joined(incident.support.iter().map(|support| support.id())),
                    &incident.created_at.as_second(),
                ],
            )
            .await?;
        Ok(IncidentId(get(&row, 0)?))
    }

    async fn incidents(&self, user: UserId) -> StoreResult<Vec<Incident>> {
        // One statement, so the incidents and their follow-ups are read as of one moment.
        let rows = self
            .query(
                &format!(
                    "{INCIDENT_ROWS} WHERE i.user_id = $1 ORDER BY i.occurred_on DESC, i.created_at DESC, i.id DESC"
                ),
                &[&user.0],
            )
            .await?;
        incidents_from(&rows)
    }

    async fn incident(&self, user: UserId, id: IncidentId) -> StoreResult<Option<Incident>> {
        let rows =
            self.query(&format!("{INCIDENT_ROWS} WHERE i.id = $1 AND i.user_id = $2"), &[&id.0, &user.0]).await?;
        Ok(incidents_from(&rows)?.into_iter().next())
    }

    async fn record_follow_up(
        &self,
        user: UserId,
        id: IncidentId,
        step: FollowUpStep,
        still_with_me: StillWithMe,
        at: Timestamp,
    ) -> StoreResult<bool> {
        // The row is made from the incident itself, so one that is not the person's makes none.
        let recorded = self
            .execute(
                "INSERT INTO incident_follow_ups (incident_id, user_id, step, still_with_me, done_at)
                 SELECT id, user_id, $3, $4, $5 FROM incidents WHERE id = $1 AND user_id = $2
                 ON CONFLICT (incident_id, step)
                 DO UPDATE SET still_with_me = excluded.still_with_me, done_at = excluded.done_at",
                &[&id.0, &user.0, &step.id(), &still_with_me.id(), &at.as_second()],
            )
            .await?;
        Ok(recorded > 0)
    }

    async fn delete_incident(&self, user: UserId, id: IncidentId) -> StoreResult<bool> {
        // Its follow-ups go with it (ON DELETE CASCADE).
        Ok(self.execute("DELETE FROM incidents WHERE id = $1 AND user_id = $2", &[&id.0, &user.0]).await? > 0)
    }

    async fn journal_lock(&self, user: UserId) -> StoreResult<Option<JournalLock>> {
        self.query_opt(
            "SELECT password_salt, by_password, recovery_salt, by_recovery, created_at
             FROM journal_locks WHERE user_id = $1",
            &[&user.0],
        )
        .await?
        .map(|row| {
            Ok(JournalLock {
                password_salt: get(&row, 0)?,
                by_password: wrapped_key_in("journal_locks.by_password", get(&row, 1)?)?,
                recovery_salt: get(&row, 2)?,
                by_recovery: wrapped_key_in("journal_locks.by_recovery", get(&row, 3)?)?,
                created_at: timestamp(get(&row, 4)?)?,
            })
        })
        .transpose()
    }

    async fn create_journal_lock(&self, user: UserId, lock: &JournalLock) -> StoreResult<bool> {
        // A lock already there is kept: replacing it would orphan every entry sealed under it. A
        // racing insert makes this one wait for it to commit and then do nothing.
        let created = self
            .execute(
                "INSERT INTO journal_locks
                     (user_id, password_salt, by_password, recovery_salt, by_recovery, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (user_id) DO NOTHING",
                &[
                    &user.0,
                    &lock.password_salt,
                    &lock.by_password.as_bytes(),
                    &lock.recovery_salt,
                    &lock.by_recovery.as_bytes(),
                    &lock.created_at.as_second(),
                ],
            )
            .await?;
        Ok(created > 0)
    }

    async fn rewrap_journal(&self, user: UserId, password_salt: &[u8], by_password: &WrappedKey) -> StoreResult<bool> {
        let changed = self
            .execute(
                "UPDATE journal_locks SET password_salt = $2, by_password = $3 WHERE user_id = $1",
                &[&user.0, &password_salt, &by_password.as_bytes()],
            )
            .await?;
        Ok(changed > 0)
    }

    async fn delete_journal(&self, user: UserId) -> StoreResult<()> {
        // One transaction: all of it goes, or (on any error) none of it.
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(map_error)?;
        for table in ["journal_unlocks", "journal_drafts", "journal_entries", "journal_locks"] {
            let delete = transaction
                .prepare_cached(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .await
                .map_err(map_error)?;
            transaction.execute(&delete, &[&user.0]).await.map_err(map_error)?;
        }
        transaction.commit().await.map_err(map_error)
    }

    async fn add_journal_entry(&self, entry: &JournalEntry) -> StoreResult<()> {
        self.execute(
            "INSERT INTO journal_entries (token, user_id, prompt, body, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &entry.token.as_bytes().as_slice(),
                &entry.user_id.0,
                &entry.prompt,
                &entry.body.as_bytes(),
                &entry.created_at.as_second(),
                &entry.updated_at.as_second(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn update_journal_entry(
        &self,
        user: UserId,
        token: &EntryToken,
        prompt: Option<&str>,
        body: &Sealed,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let updated = self
            .execute(
                "UPDATE journal_entries SET prompt = $3, body = $4, updated_at = $5 WHERE token = $1 AND user_id = $2",
                &[&token.as_bytes().as_slice(), &user.0, &prompt, &body.as_bytes(), &at.as_second()],
            )
            .await?;
        Ok(updated > 0)
    }

    async fn journal_entries(&self, user: UserId) -> StoreResult<Vec<JournalEntry>> {
        self.query(&format!("{JOURNAL_ENTRY_COLUMNS} WHERE user_id = $1 ORDER BY created_at DESC, id DESC"), &[&user.0])
            .await?
            .iter()
            .map(journal_entry_from)
            .collect()
    }

    async fn journal_entry(&self, user: UserId, token: &EntryToken) -> StoreResult<Option<JournalEntry>> {
        self.query_opt(
            &format!("{JOURNAL_ENTRY_COLUMNS} WHERE token = $1 AND user_id = $2"),
            &[&token.as_bytes().as_slice(), &user.0],
        )
        .await?
        .map(|row| journal_entry_from(&row))
        .transpose()
    }

    async fn delete_journal_entry(&self, user: UserId, token: &EntryToken) -> StoreResult<bool> {
        let deleted = self
            .execute(
                "DELETE FROM journal_entries WHERE token = $1 AND user_id = $2",
                &[&token.as_bytes().as_slice(), &user.0],
            )
            .await?;
        Ok(deleted > 0)
    }

    async fn journal_draft(&self, user: UserId) -> StoreResult<Option<JournalDraft>> {
        self.query_opt("SELECT prompt, body, saved_at FROM journal_drafts WHERE user_id = $1", &[&user.0])
            .await?
            .map(|row| {
                Ok(JournalDraft {
                    prompt: get(&row, 0)?,
                    body: sealed_in("journal_drafts.body", get(&row, 1)?)?,
                    saved_at: timestamp(get(&row, 2)?)?,
                })
            })
            .transpose()
    }

    async fn save_journal_draft(&self, user: UserId, draft: &JournalDraft) -> StoreResult<()> {
        self.execute(
            "INSERT INTO journal_drafts (user_id, prompt, body, saved_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id)
             DO UPDATE SET prompt = excluded.prompt, body = excluded.body, saved_at = excluded.saved_at",
            &[&user.0, &draft.prompt, &draft.body.as_bytes(), &draft.saved_at.as_second()],
        )
        .await?;
        Ok(())
    }

    async fn clear_journal_draft(&self, user: UserId) -> StoreResult<()> {
        self.execute("DELETE FROM journal_drafts WHERE user_id = $1", &[&user.0]).await?;
        Ok(())
    }

    async fn journal_unlock(&self, session: SessionId) -> StoreResult<Option<WrappedKey>> {
        self.query_opt("SELECT wrapped FROM journal_unlocks WHERE session_id = $1", &[&session.0])
            .await?
            .map(|row| wrapped_key_in("journal_unlocks.wrapped", get(&row, 0)?))
            .transpose()
    }

    async fn set_journal_unlock(&self, user: UserId, session: SessionId, wrapped: &WrappedKey) -> StoreResult<()> {
        // The row is made from the session itself, so a session that is not the person's (or has
        // already ended) makes none. The trait passes no time for this one; when it was made is
        // only for people looking at the database.
        self.execute(
            "INSERT INTO journal_unlocks (session_id, user_id, wrapped, created_at)
             SELECT id, user_id, $3, $4 FROM sessions WHERE id = $1 AND user_id = $2
             ON CONFLICT (session_id) DO UPDATE SET wrapped = excluded.wrapped, created_at = excluded.created_at",
            &[&session.0, &user.0, &wrapped.as_bytes(), &Timestamp::now().as_second()],
        )
        .await?;
        Ok(())
    }

    async fn end_journal_unlocks(&self, user: UserId) -> StoreResult<()> {
        self.execute("DELETE FROM journal_unlocks WHERE user_id = $1", &[&user.0]).await?;
        Ok(())
    }

    async fn contract_settings(&self, user: UserId) -> StoreResult<Option<ContractSettings>> {
        self.query_opt(
            "SELECT review_every_days, sign_plan, phase, phase_since, updated_at
             FROM contract_settings WHERE user_id = $1",
            &[&user.0],
        )
        .await?
        .map(|row| {
            Ok(ContractSettings {
                review_every_days: u16::try_from(get::<i32>(&row, 0)?)
                    .map_err(|_| invalid("contract_settings.review_every_days"))?,
                sign_plan: sealed("contract_settings.sign_plan", get(&row, 1)?)?,
                phase: get(&row, 2)?,
                phase_since: get::<Option<&str>>(&row, 3)?
                    .map(|day| day_in("contract_settings.phase_since", day))
                    .transpose()?,
                updated_at: timestamp(get(&row, 4)?)?,
            })
        })
        .transpose()
    }

    async fn set_contract_settings(&self, user: UserId, settings: &ContractSettings) -> StoreResult<()> {
        self.execute(
            "INSERT INTO contract_settings (user_id, review_every_days, sign_plan, phase, phase_since, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_id) DO UPDATE SET review_every_days = excluded.review_every_days,
                 sign_plan = excluded.sign_plan, phase = excluded.phase, phase_since = excluded.phase_since,
                 updated_at = excluded.updated_at",
            &[
                &user.0,
                &i32::from(settings.review_every_days),
                &settings.sign_plan.as_ref().map(Sealed::as_bytes),
                &settings.phase,
                &settings.phase_since.map(day_text),
                &settings.updated_at.as_second(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn add_goal(&self, goal: &NewGoal) -> StoreResult<GoalId> {
        let text = &goal.text;
        let row = self
            .query_one(
                "INSERT INTO contract_goals (user_id, what, measure, target, why, due_on, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                &[
                    &goal.user_id.0,
                    &text.what.as_bytes(),
                    &text.measure.as_bytes(),
                    &text.target.as_bytes(),
                    &text.why.as_ref().map(Sealed::as_bytes),
                    &day_text(goal.due_on),
                    &goal.created_at.as_second(),
                ],
            )
            .await?;
        Ok(GoalId(get(&row, 0)?))
    }

    async fn update_goal(
        &self,
        user: UserId,
        id: GoalId,
        text: &GoalText,
        due_on: Date,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let updated = self
            .execute(
                "UPDATE contract_goals SET what = $3, measure = $4, target = $5, why = $6, due_on = $7, updated_at = $8
                 WHERE id = $1 AND user_id = $2",
                &[
                    &id.0,
                    &user.0,
                    &text.what.as_bytes(),
                    &text.measure.as_bytes(),
                    &text.target.as_bytes(),
                    &text.why.as_ref().map(Sealed::as_bytes),
                    &day_text(due_on),
                    &at.as_second(),
                ],
            )
            .await?;
        Ok(updated > 0)
    }

    async fn archive_goal(&self, user: UserId, id: GoalId, at: Timestamp) -> StoreResult<bool> {
        // A goal archived already keeps its first time, and still counts as the person's.
        let archived = self
            .execute(
                "UPDATE contract_goals SET archived_at = coalesce(archived_at, $3) WHERE id = $1 AND user_id = $2",
                &[&id.0, &user.0, &at.as_second()],
            )
            .await?;
        Ok(archived > 0)
    }

    async fn goals(&self, user: UserId) -> StoreResult<Vec<Goal>> {
        // One snapshot, so the goals and their progress are read as of one moment.
        let mut client = self.client().await?;
        let transaction = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(map_error)?;
        let select_goals = transaction
            .prepare_cached(&format!("{GOAL_COLUMNS} WHERE user_id = $1 ORDER BY due_on, id"))
            .await
            .map_err(map_error)?;
        let goals = transaction.query(&select_goals, &[&user.0]).await.map_err(map_error)?;
        let select_progress = transaction
            .prepare_cached(
                "SELECT goal_id, noted_on, percent, note, created_at FROM goal_progress
                 WHERE user_id = $1 ORDER BY noted_on, created_at, id",
            )
            .await
            .map_err(map_error)?;
        let progress = transaction.query(&select_progress, &[&user.0]).await.map_err(map_error)?;
        transaction.commit().await.map_err(map_error)?;
        with_progress(goals.iter().map(goal_from).collect::<StoreResult<_>>()?, &progress)
    }

    async fn add_goal_progress(&self, user: UserId, goal: GoalId, progress: &GoalProgress) -> StoreResult<bool> {
        // The row is made from the goal itself, so one that is not the person's makes none.
        let added = self
            .execute(
                "INSERT INTO goal_progress (goal_id, user_id, noted_on, percent, note, created_at)
                 SELECT id, user_id, $3, $4, $5, $6 FROM contract_goals WHERE id = $1 AND user_id = $2",
                &[
                    &goal.0,
                    &user.0,
                    &day_text(progress.noted_on),
                    &small(progress.percent),
                    &progress.note.as_ref().map(Sealed::as_bytes),
                    &progress.created_at.as_second(),
                ],
            )
            .await?;
        Ok(added > 0)
    }

    async fn support_people(&self, user: UserId) -> StoreResult<Vec<SupportPerson>> {
        self.query(&format!("{SUPPORT_PERSON_COLUMNS} WHERE user_id = $1 ORDER BY id"), &[&user.0])
            .await?
            .iter()
            .map(support_person_from)
            .collect()
    }

    async fn add_support_person(&self, person: &NewSupportPerson) -> StoreResult<SupportPersonId> {
        let row = self
            .query_one(
                "INSERT INTO support_people (user_id, name, reach, partner, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    &person.user_id.0,
                    &person.name.as_bytes(),
                    &person.reach.as_ref().map(Sealed::as_bytes),
                    &person.partner,
                    &person.created_at.as_second(),
                ],
            )
            .await?;
        Ok(SupportPersonId(get(&row, 0)?))
    }

    async fn delete_support_person(&self, user: UserId, id: SupportPersonId) -> StoreResult<bool> {
        Ok(self.execute("DELETE FROM support_people WHERE id = $1 AND user_id = $2", &[&id.0, &user.0]).await? > 0)
    }

    async fn add_contract_review(&self, review: &NewContractReview) -> StoreResult<ReviewId> {
        let row = self
            .query_one(
                "INSERT INTO contract_reviews (user_id, reviewed_on, reflection, goals_note, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    &review.user_id.0,
                    &day_text(review.reviewed_on),
                    &review.reflection.as_ref().map(Sealed::as_bytes),
                    &review.goals_note.as_ref().map(Sealed::as_bytes),
                    &review.created_at.as_second(),
                ],
            )
            .await?;
        Ok(ReviewId(get(&row, 0)?))
    }

    async fn contract_reviews(&self, user: UserId) -> StoreResult<Vec<ContractReview>> {
        self.query(
            &format!("{CONTRACT_REVIEW_COLUMNS} WHERE user_id = $1 ORDER BY reviewed_on DESC, id DESC"),
            &[&user.0],
        )
        .await?
        .iter()
        .map(contract_review_from)
        .collect()
    }

    async fn kit_statements(&self, user: UserId) -> StoreResult<Vec<KitStatement>> {
        self.query(
            "SELECT id, text, created_at, updated_at FROM kit_statements WHERE user_id = $1 ORDER BY id",
            &[&user.0],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(KitStatement {
                id: KitStatementId(get(row, 0)?),
                text: sealed_in("kit_statements.text", get(row, 1)?)?,
                created_at: timestamp(get(row, 2)?)?,
                updated_at: timestamp(get(row, 3)?)?,
            })
        })
        .collect()
    }

    async fn add_kit_statement(&self, user: UserId, text: &Sealed, at: Timestamp) -> StoreResult<KitStatementId> {
        let row = self
            .query_one(
                "INSERT INTO kit_statements (user_id, text, created_at, updated_at)
                 VALUES ($1, $2, $3, $3) RETURNING id",
                &[&user.0, &text.as_bytes(), &at.as_second()],
            )
            .await?;
        Ok(KitStatementId(get(&row, 0)?))
    }

    async fn update_kit_statement(
        &self,
        user: UserId,
        id: KitStatementId,
        text: &Sealed,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let updated = self
            .execute(
                "UPDATE kit_statements SET text = $3, updated_at = $4 WHERE id = $1 AND user_id = $2",
                &[&id.0, &user.0, &text.as_bytes(), &at.as_second()],
            )
            .await?;
        Ok(updated > 0)
    }

    async fn delete_kit_statement(&self, user: UserId, id: KitStatementId) -> StoreResult<bool> {
        Ok(self.execute("DELETE FROM kit_statements WHERE id = $1 AND user_id = $2", &[&id.0, &user.0]).await? > 0)
    }

    async fn kit_contact(&self, user: UserId) -> StoreResult<Option<KitContact>> {
        self.query_opt(
            "SELECT name, email, phone, message, updated_at FROM kit_contacts WHERE user_id = $1",
            &[&user.0],
        )
        .await?
        .map(|row| {
            Ok(KitContact {
                name: sealed_in("kit_contacts.name", get(&row, 0)?)?,
                email: sealed("kit_contacts.email", get(&row, 1)?)?,
                phone: sealed("kit_contacts.phone", get(&row, 2)?)?,
                message: sealed_in("kit_contacts.message", get(&row, 3)?)?,
                updated_at: timestamp(get(&row, 4)?)?,
            })
        })
        .transpose()
    }

    async fn set_kit_contact(&self, user: UserId, contact: &KitContact) -> StoreResult<()> {
        self.execute(
            "INSERT INTO kit_contacts (user_id, name, email, phone, message, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, email = excluded.email,
                 phone = excluded.phone, message = excluded.message, updated_at = excluded.updated_at",
            &[
                &user.0,
                &contact.name.as_bytes(),
                &contact.email.as_ref().map(Sealed::as_bytes),
                &contact.phone.as_ref().map(Sealed::as_bytes),
                &contact.message.as_bytes(),
                &contact.updated_at.as_second(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn clear_kit_contact(&self, user: UserId) -> StoreResult<()> {
        self.execute("DELETE FROM kit_contacts WHERE user_id = $1", &[&user.0]).await?;
        Ok(())
    }

    async fn record_kit_use(&self, user: UserId, what: &str, at: Timestamp) -> StoreResult<()> {
        self.execute(
            "INSERT INTO kit_uses (user_id, what, used_at) VALUES ($1, $2, $3)",
            &[&user.0, &what, &at.as_second()],
        )
        .await?;
        Ok(())
    }

    async fn kit_uses(&self, user: UserId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<KitUse>> {
        self.query(
            "SELECT what, used_at FROM kit_uses WHERE user_id = $1 AND used_at >= $2 AND used_at < $3
             ORDER BY used_at, id",
            &[&user.0, &from.as_second(), &to.as_second()],
        )
        .await?
        .iter()
        .map(|row| Ok(KitUse { what: get(row, 0)?, used_at: timestamp(get(row, 1)?)? }))
        .collect()
    }

    async fn reminder_settings(&self, user: UserId) -> StoreResult<Option<ReminderSettings>> {
        self.query_opt(
            "SELECT check_in_at, self_care_at, email, updated_at FROM reminder_settings WHERE user_id = $1",
            &[&user.0],
        )
        .await?
        .map(|row| {
            Ok(ReminderSettings {
                check_in_at: time_of_day("reminder_settings.check_in_at", get(&row, 0)?)?,
                self_care_at: time_of_day("reminder_settings.self_care_at", get(&row, 1)?)?,
                email: get(&row, 2)?,
                updated_at: timestamp(get(&row, 3)?)?,
            })
        })
        .transpose()
    }

    async fn set_reminder_settings(&self, user: UserId, settings: &ReminderSettings) -> StoreResult<()> {
        self.execute(
            "INSERT INTO reminder_settings (user_id, check_in_at, self_care_at, email, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id) DO UPDATE SET check_in_at = excluded.check_in_at,
                 self_care_at = excluded.self_care_at, email = excluded.email, updated_at = excluded.updated_at",
            &[
                &user.0,
                &settings.check_in_at.map(minute_of_day),
                &settings.self_care_at.map(minute_of_day),
                &settings.email,
                &settings.updated_at.as_second(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn calendar_feed(&self, user: UserId) -> StoreResult<Option<Timestamp>> {
        self.query_opt("SELECT created_at FROM calendar_feeds WHERE user_id = $1", &[&user.0])
            .await?
            .map(|row| timestamp(get(&row, 0)?))
            .transpose()
    }

    async fn set_calendar_feed(&self, user: UserId, secret: &TokenHash, at: Timestamp) -> StoreResult<()> {
        self.execute(
            "INSERT INTO calendar_feeds (user_id, secret_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at",
            &[&user.0, &secret.0.as_slice(), &at.as_second()],
        )
        .await?;
        Ok(())
    }

    async fn revoke_calendar_feed(&self, user: UserId) -> StoreResult<bool> {
        Ok(self.execute("DELETE FROM calendar_feeds WHERE user_id = $1", &[&user.0]).await? > 0)
    }

    async fn user_by_calendar_feed(&self, secret: &TokenHash) -> StoreResult<Option<User>> {
        self.query_opt(
            &format!(
                "SELECT {USER_COLUMNS} FROM calendar_feeds JOIN users ON users.id = calendar_feeds.user_id
                 WHERE calendar_feeds.secret_hash = $1"
            ),
            &[&secret.0.as_slice()],
        )
        .await?
        .map(|row| user_from(&row, 0))
        .transpose()
    }

    async fn email_reminder_recipients(&self) -> StoreResult<Vec<(User, jiff::civil::Time)>> {
        self.query(
            &format!(
                "SELECT {USER_COLUMNS}, reminder_settings.check_in_at
                 FROM reminder_settings JOIN users ON users.id = reminder_settings.user_id
                 WHERE reminder_settings.email AND reminder_settings.check_in_at IS NOT NULL ORDER BY users.id"
            ),
            &[],
        )
        .await?
        .iter()
        .map(|row| {
            let at = time_of_day("reminder_settings.check_in_at", get(row, USER_COLUMN_COUNT)?)?;
            Ok((user_from(row, 0)?, at.ok_or_else(|| invalid("reminder_settings.check_in_at"))?))
        })
        .collect()
    }

    async fn enqueue_job(&self, job: &NewJob) -> StoreResult<bool> {
        let added = self
            .execute(
                "INSERT INTO jobs (kind, user_id, dedupe, payload, run_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (user_id, kind, dedupe) DO NOTHING",
                &[
                    &job.kind,
                    &job.user_id.0,
                    &job.dedupe,
                    &job.payload,
                    &job.run_at.as_second(),
                    &job.created_at.as_second(),
                ],
            )
            .await?;
        Ok(added > 0)
    }

    async fn claim_jobs(&self, owner: &str, now: Timestamp, until: Timestamp, limit: u32) -> StoreResult<Vec<Job>> {
        // SKIP LOCKED: rows another runner is claiming right now are passed over rather than
        // waited for, and the lease columns keep them from being claimed again afterwards.
        let rows = self
            .query(
                &format!(
                    "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1
                     WHERE id IN (SELECT id FROM jobs
                                  WHERE done_at IS NULL AND run_at <= $3 AND (locked_until IS NULL OR locked_until <= $3)
                                  ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
                     RETURNING {JOB_COLUMNS}"
                ),
                &[&owner, &until.as_second(), &now.as_second(), &i64::from(limit)],
            )
            .await?;
        let mut jobs = rows.iter().map(job_from).collect::<StoreResult<Vec<_>>>()?;
        jobs.sort_by_key(|job| (job.run_at, job.id));
        Ok(jobs)
    }

    async fn finish_job(&self, id: JobId, owner: &str, at: Timestamp, note: Option<&str>) -> StoreResult<bool> {
        let finished = self
            .execute(
                "UPDATE jobs SET done_at = $3, last_error = coalesce($4, last_error), locked_by = NULL, locked_until = NULL
                 WHERE id = $1 AND locked_by = $2 AND done_at IS NULL",
                &[&id.0, &owner, &at.as_second(), &note],
            )
            .await?;
        Ok(finished > 0)
    }

    async fn fail_job(
        &self,
        id: JobId,
        owner: &str,
        error: &str,
        retry_at: Option<Timestamp>,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let failed = self
            .execute(
                "UPDATE jobs SET last_error = $3, run_at = coalesce($4, run_at),
                     done_at = CASE WHEN $4::BIGINT IS NULL THEN $5::BIGINT END, locked_by = NULL, locked_until = NULL
                 WHERE id = $1 AND locked_by = $2 AND done_at IS NULL",
                &[&id.0, &owner, &error, &retry_at.map(|t| t.as_second()), &at.as_second()],
            )
            .await?;
        Ok(failed > 0)
    }

    async fn jobs_of(&self, user: UserId) -> StoreResult<Vec<Job>> {
        self.query(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE user_id = $1 ORDER BY id"), &[&user.0])
            .await?
            .iter()
            .map(job_from)
            .collect()
    }

    async fn prune_finished_jobs(&self, before: Timestamp) -> StoreResult<u64> {
        self.execute("DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < $1", &[&before.as_second()]).await
    }
    async fn support_resources(&self) -> StoreResult<Option<Vec<SupportResource>>> {
        self.query_opt("SELECT resources FROM support_resources WHERE only_row = 1", &[])
            .await?
            .map(|row| from_json("support resources", get(&row, 0)?))
            .transpose()
    }

    async fn set_support_resources(&self, resources: &[SupportResource]) -> StoreResult<()> {
        self.execute(
            "INSERT INTO support_resources (only_row, resources) VALUES (1, $1)
             ON CONFLICT (only_row) DO UPDATE SET resources = excluded.resources",
            &[&json(&resources)?],
        )
        .await?;
        Ok(())
    }

    async fn custom_instruments(&self) -> StoreResult<Vec<CustomInstrument>> {
        self.query("SELECT id, definition, licence_note, added_by, added_at FROM custom_instruments ORDER BY id", &[])
            .await?
            .iter()
            .map(|row| {
                Ok(CustomInstrument {
                    id: instrument_id(get(row, 0)?)?,
                    definition: get(row, 1)?,
                    licence_note: get(row, 2)?,
                    added_by: UserId(get(row, 3)?),
                    added_at: timestamp(get(row, 4)?)?,
                })
            })
            .collect()
    }

    async fn save_custom_instrument(&self, instrument: CustomInstrument) -> StoreResult<()> {
        self.execute(
            "INSERT INTO custom_instruments (id, definition, licence_note, added_by, added_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, licence_note = excluded.licence_note,
                 added_by = excluded.added_by, added_at = excluded.added_at",
            &[
                &instrument.id.as_str(),
                &instrument.definition,
                &instrument.licence_note,
                &instrument.added_by.0,
                &instrument.added_at.as_second(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn delete_custom_instrument(&self, id: &InstrumentId) -> StoreResult<bool> {
        Ok(self.execute("DELETE FROM custom_instruments WHERE id = $1", &[&id.as_str()]).await? > 0)
    }
}
