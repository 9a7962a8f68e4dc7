//! Recording a daily check-in, shared by the pages and the API so both check and store it
//! exactly the same way. Both hand over what was sent as form-style fields ([`Typed`]), so
//! there is one parser and one set of messages.

use std::collections::BTreeSet;

use ballast_core::checkin::{
    CheckIn, EmpathyDial, Entry, Level, MAX_NOTE_CHARS, MAX_RESTORER_CHARS, PhysicalSign, SignId, SleepQuarters,
    entry_for,
};
use ballast_store::{StoreError, StoredCheckIn};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::AppState;
use crate::auth::Current;
use crate::error::WebError;
use crate::forms::FieldErrors;
use crate::pages::SignLabel;
use crate::vault::Place;

/// What was sent, by field name (`energy`, `physical-headache`, `sign-numb`, `note`, …):
/// the one shape a first showing, a failed save and an API call all use.
pub use crate::forms::Typed;

/// A parsed check-in and its free text, not yet sealed.
pub struct Submission {
    pub values: CheckIn,
    pub restorer: String,
    pub note: String,
}

/// The day a request names (today when it names none), or why it cannot be used.
pub fn requested_day(text: &str, today: Date) -> Result<Date, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(today);
    }
    text.parse::<Date>().map_err(|_| format!("“{text}” is not a date we can read. Dates look like {today}."))
}

/// Which day a submission is for and how it would be written, or (with a message on `day`)
/// why it cannot be.
pub async fn choose_day(
    state: &AppState,
    current: &Current,
    text: &str,
    now: Timestamp,
    errors: &mut FieldErrors,
) -> Result<(Date, Option<Entry>), WebError> {
    let today = current.user.time_zone.today(now);
    match requested_day(text, today) {
        Ok(day) => {
            let exists = state.store.check_in(current.user.id, day).await?.is_some();
            match entry_for(day, today, exists) {
                Ok(entry) => Ok((day, Some(entry))),
                Err(problem) => {
                    errors.add("day", problem);
                    Ok((day, None))
                }
            }
        }
        Err(message) => {
            errors.add("day", message);
            Ok((today, None))
        }
    }
}

/// Reads a 0–10 answer. Empty is "skipped", which only energy may not be.
fn parse_level(typed: &Typed, name: &'static str, errors: &mut FieldErrors) -> Option<Level> {
    let text = typed.get(name).map(|v| v.trim()).unwrap_or_default();
    if text.is_empty() {
        if name == "energy" {
            errors.add(name, "Choose how much energy you have today: it is the one answer a check-in needs.");
        }
        return None;
    }
    let level = text.parse::<u8>().ok().and_then(Level::new);
    if level.is_none() {
        errors.add(name, "Choose a number from 0 to 10.");
    }
    level
}

/// Parses a submitted form into a check-in and its two pieces of free text, collecting a
/// message for each field that cannot be used.
pub fn parse(typed: &Typed, signs: &[SignLabel], errors: &mut FieldErrors) -> Option<Submission> {
    let energy = parse_level(typed, "energy", errors);
    let mood = parse_level(typed, "mood", errors);
    let sleep_quality = parse_level(typed, "sleep_quality", errors);
    let dread = parse_level(typed, "dread", errors);
    let intrusive = parse_level(typed, "intrusive", errors);
    let sleep_text = typed.get("sleep_hours").map(|v| v.trim().replace(',', ".")).unwrap_or_default();
    let sleep_hours = if sleep_text.is_empty() {
        None
    } else {
        let parsed = sleep_text.parse::<f64>().ok().and_then(SleepQuarters::from_hours);
        if parsed.is_none() {
            errors.add("sleep_hours", "Enter the hours you slept as a number from 0 to 24, such as 7 or 6.5.");
        }
        parsed
    };
    let empathy_text = typed.get("empathy").map(|v| v.trim()).unwrap_or_default();
    let empathy = if empathy_text.is_empty() {
        None
    } else {
        let parsed = empathy_text.parse::<i8>().ok().and_then(EmpathyDial::new);
        if parsed.is_none() {
            errors.add("empathy", "Choose one of the positions on the empathy dial, or skip it.");
        }
        parsed
    };
    let physical: BTreeSet<PhysicalSign> =
        PhysicalSign::ALL.into_iter().filter(|sign| typed.contains_key(&format!("physical-{}", sign.id()))).collect();
    let mut warning_signs = BTreeSet::new();
    for name in typed.keys() {
        if let Some(id) = name.strip_prefix("sign-") {
            match SignId::parse(id).filter(|id| signs.iter().any(|s| &s.id == id)) {
                Some(id) => {
                    warning_signs.insert(id);
                }
                None => errors
                    .add("signs", "One of the ticked warning signs is no longer on your list. Please tick them again."),
            }
        }
    }
    let restorer = typed.get("restorer").map(|v| v.trim().to_owned()).unwrap_or_default();
    let restorer_chars = restorer.chars().count();
    if restorer_chars > MAX_RESTORER_CHARS {
        errors.add(
            "restorer",
            format!("Please keep this to {MAX_RESTORER_CHARS} characters; it is {restorer_chars} now. A few words are enough."),
        );
    }
    let note = typed.get("note").map(|v| v.trim().to_owned()).unwrap_or_default();
    let note_chars = note.chars().count();
    if note_chars > MAX_NOTE_CHARS {
        errors.add(
            "note",
            format!(
                "Your note is {note_chars} characters long; a check-in note can hold {MAX_NOTE_CHARS}. Please shorten it — nothing has been saved yet."
            ),
        );
    }
    let energy = energy?;
    if !errors.is_empty() {
        return None;
    }
    let check_in =
        CheckIn { energy, mood, sleep_hours, sleep_quality, empathy, dread, intrusive, physical, warning_signs };
    Some(Submission { values: check_in, restorer, note })
}

/// Seals the free text and stores the check-in. Returns false when the day turned out to
/// have a check-in already (saved a moment ago elsewhere) and `day` is not today.
pub async fn record(
    state: &AppState,
    current: &Current,
    day: Date,
    entry: Entry,
    submission: Submission,
    now: Timestamp,
) -> Result<bool, WebError> {
    let user = current.user.id;
    let Submission { values, restorer, note } = submission;
    let (restorer, note) = if restorer.is_empty() && note.is_empty() {
        (None, None)
    } else {
        let key = state.vault.key_for(&*state.store, user).await?;
        (
            key.seal_optional(Place::CheckInRestorer { day }, &restorer)?,
            key.seal_optional(Place::CheckInNote { day }, &note)?,
        )
    };
    let record = StoredCheckIn {
        user_id: user,
        day,
        values,
        restorer,
        note,
        backfilled: entry == Entry::BackFill,
        created_at: now,
        updated_at: now,
    };
    let today = current.user.time_zone.today(now);
    Ok(match entry {
        Entry::Edit => state.store.update_check_in(record).await?,
        Entry::New | Entry::BackFill => match state.store.insert_check_in(record.clone()).await {
            Ok(()) => true,
            // Another tab saved today's first check-in a moment ago: this one replaces it,
            // as a second save of today's would.
            Err(StoreError::Conflict(_)) if day == today => state.store.update_check_in(record).await?,
            Err(StoreError::Conflict(_)) => false,
            Err(other) => return Err(other.into()),
        },
    })
}
