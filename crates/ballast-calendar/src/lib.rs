//! Import from a work calendar: an `.ics` export becomes a list of session times.
//!
//! A helper uploads the export of their work calendar (Outlook, Google, Apple or anything
//! else that writes RFC 5545 iCalendar); each event becomes a session they can later tag with
//! an intensity. [`read_calendar`] does the reading: it is pure (no I/O, no clock) and returns
//! either every session in the chosen [`Window`] or an [`ImportError`] saying, in plain words,
//! why the file was refused. A file is read whole or not at all: nothing is half-imported.
//!
//! # What comes out, and what never does
//!
//! Only times. A [`CalendarEvent`] is a start instant, a length in minutes and an opaque
//! [`key`](CalendarEvent::key). Titles, descriptions, locations and attendees are never
//! returned, logged or put in an error message: in a therapist's or nurse's calendar they name
//! clients. The event's `UID` is used only inside the key's hash.
//!
//! # Keys and re-importing
//!
//! The key is SHA-256 over the event's `UID` and the occurrence's identity as a UTC instant:
//! its start, or for an occurrence that was moved (`RECURRENCE-ID`) the start it was moved
//! from, which is how RFC 5545 names an occurrence. Re-reading the same file gives the same
//! keys, so a caller that stores them can skip what it already has; a later export in which
//! one occurrence of a series was moved keeps that occurrence's key. An event without a `UID`
//! (which RFC 5545 forbids, but some tools write) gets a key from its start, end and a hash of
//! its title; its title is never kept. Occurrences with the same key in one file (duplicated
//! events are common in exports) are returned once.
//!
//! # Recurrence and time zones
//!
//! `RRULE`, `RDATE`, `EXDATE` and `RECURRENCE-ID` are honoured; repeat rules are expanded by
//! the [`calcard`] crate (Stalwart Labs), never past the end of the window. Zones are known
//! by name: IANA names, Windows names as Outlook writes them ("GMT Standard Time"), and the
//! other forms `calcard` recognises; see the `zone` module for the details and for floating
//! times. Expansion runs on wall-clock time in the event's own zone, so a weekly 09:00 London
//! meeting is at 09:00 UTC in winter and 08:00 UTC in summer.
//!
//! Decisions where RFC 5545 leaves room: `DTSTART` is always the first occurrence, even when
//! the rule would not produce it (§3.8.5.3); a date-only `UNTIL` includes that whole day; a
//! changed occurrence is matched to its series by `UID` and `RECURRENCE-ID` alone (not by
//! `SEQUENCE`), and `RANGE=THISANDFUTURE` is read as a change to that one occurrence; an
//! `RDATE` period's own end is ignored (every occurrence has the series' length); a
//! `DURATION` counts days as 24 hours; a local time that falls in a daylight-saving gap or
//! overlap is read with the offset before the gap, or the first of the overlap.
//!
//! # What is skipped
//!
//! All-day events, cancelled events (`STATUS:CANCELLED`, or a calendar sent with
//! `METHOD:CANCEL`), time marked free (`TRANSP:TRANSPARENT`, or Outlook's
//! `X-MICROSOFT-CDO-BUSYSTATUS:FREE`), events longer than 24 hours, events with no length
//! (a start but no end or duration, which RFC 5545 §3.6.1 gives zero length: reminders and
//! markers, not sessions) and occurrences starting outside the window. Each is counted in
//! [`Skipped`]. Tasks, journal entries and free/busy blocks are ignored.
//!
//! # Limits
//!
//! A hostile file must not exhaust memory or CPU; the [`limits`] are checked before or while
//! the work they bound is done, and exceeding one refuses the file.

mod error;
mod expand;
mod import;
pub mod limits;
mod scan;
mod zone;

pub use error::{Block, Field, ImportError, StructureProblem};

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The period to import: occurrences whose start is at or after `start` and before `end`
/// are kept. Repeat rules are never expanded past `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First instant included.
    pub start: Timestamp,
    /// First instant no longer included.
    pub end: Timestamp,
}

/// One session read from the calendar: when it starts and how long it is. Nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CalendarEvent {
    /// Opaque, stable identity of this occurrence (see the crate documentation).
    pub key: [u8; 32],
    /// When it starts.
    pub start: Timestamp,
    /// How long it is, in whole minutes rounded up; between 1 and 1,440.
    pub minutes: u16,
}

/// What a calendar file held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// The sessions, by start time (then key).
    pub events: Vec<CalendarEvent>,
    /// Occurrences that were read but are not sessions.
    pub skipped: Skipped,
    /// Sessions whose time zone name was not recognised, and which were read in the fallback
    /// zone instead (see [`read_calendar_in`]). A caller may want to say so.
    pub unknown_time_zone: u32,
}

/// Occurrences that were read but not returned, by reason. Each occurrence is counted once,
/// under the first reason that applies in this order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Starting outside the window. Repeat rules are not expanded past the window's end, so
    /// later occurrences of a series are not counted.
    pub outside_window: u32,
    /// The same occurrence (same key) a second time.
    pub duplicate: u32,
    /// Cancelled.
    pub cancelled: u32,
    /// All-day.
    pub all_day: u32,
    /// Marked as free time.
    pub free_time: u32,
    /// With no length.
    pub no_duration: u32,
    /// Longer than 24 hours.
    pub too_long: u32,
}

impl Skipped {
    /// All skipped occurrences.
    pub fn total(&self) -> u32 {
        [
            self.outside_window,
            self.duplicate,
            self.cancelled,
            self.all_day,
            self.free_time,
            self.no_duration,
            self.too_long,
        ]
        .iter()
        .fold(0u32, |sum, n| sum.saturating_add(*n))
    }
}

/// Reads an iCalendar file. Floating times (no zone) and unknown zone names are read in the
/// calendar's `X-WR-TIMEZONE` if it names one, else in UTC; prefer [`read_calendar_in`] with
/// the person's own zone.
pub fn read_calendar(bytes: &[u8], window: Window) -> Result<Imported, ImportError> {
    import::import(bytes, window, None)
}

/// Reads an iCalendar file, reading floating times (no zone, as Apple writes for some events)
/// and unknown zone names in `fallback`, normally the person's own time zone.
pub fn read_calendar_in(bytes: &[u8], window: Window, fallback: &TimeZone) -> Result<Imported, ImportError> {
    import::import(bytes, window, Some(fallback))
}
