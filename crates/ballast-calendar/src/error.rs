//! Why a file was refused, in words meant for the person who uploaded it.
//!
//! Messages never quote the file: at most a line number and the kind of thing that was wrong
//! (for a block name, only one of the names the iCalendar standard defines), so that no title,
//! description or attendee can reach a log or a screen through an error.

use crate::limits;
use std::fmt;

/// A file that was not imported, and why. Nothing from it was imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The bytes do not start like an iCalendar file (or are empty).
    #[error("This file is not an iCalendar (.ics) file. Export your calendar as .ics and upload that file.")]
    NotICalendar,
    /// The file is over [`limits::MAX_FILE_BYTES`].
    #[error(
        "The file is larger than {} MB, more than Ballast reads in one go. Export a shorter period of your calendar and try again.",
        limits::MAX_FILE_BYTES / (1024 * 1024)
    )]
    TooLarge,
    /// The file has more than [`limits::MAX_LINES`] lines.
    #[error(
        "The file has more than {} lines, more than Ballast reads in one go. Export a shorter period of your calendar and try again.",
        Count(limits::MAX_LINES as u64)
    )]
    TooManyLines,
    /// The file has more than [`limits::MAX_COMPONENTS`] blocks.
    #[error(
        "The file has more than {} entries, more than Ballast reads in one go. Export a shorter period of your calendar and try again.",
        Count(limits::MAX_COMPONENTS as u64)
    )]
    TooManyComponents,
    /// Blocks are nested deeper than [`limits::MAX_DEPTH`].
    #[error(
        "Line {line}: entries are nested more than {} deep, which no calendar program writes. The file looks damaged.",
        limits::MAX_DEPTH
    )]
    TooDeeplyNested {
        /// The line of the `BEGIN:` that went too deep.
        line: u32,
    },
    /// The file ends inside an open block.
    #[error(
        "The file ends in the middle of an entry, so it was probably cut off. Export your calendar again and upload the whole file."
    )]
    Truncated,
    /// The `BEGIN:`/`END:` structure is broken.
    #[error("Line {line}: {problem}. The file looks damaged.")]
    Malformed {
        /// Where the problem was noticed.
        line: u32,
        /// What was wrong.
        problem: StructureProblem,
    },
    /// A date, time, duration or repeat rule of an event could not be read.
    #[error("{}the {field} of an event could not be read. Nothing was imported.", At(*line))]
    InvalidValue {
        /// The line of the property, when known.
        line: Option<u32>,
        /// Which property.
        field: Field,
    },
    /// An event ends before it starts.
    #[error("{}an event ends before it starts. Nothing was imported.", At(*line))]
    EndsBeforeStart {
        /// The line of the end or duration, when known.
        line: Option<u32>,
    },
    /// The repeat rules would generate more than [`limits::MAX_EXPANSION_STEPS`] dates.
    #[error(
        "The repeating events in this calendar repeat more than {} times up to the end of the period being imported. Export a shorter period or remove very frequent repeats, then try again.",
        Count(limits::MAX_EXPANSION_STEPS)
    )]
    TooManyRepeats,
    /// More than [`limits::MAX_UNUSUAL_RULES`] unusual repeat rules.
    #[error(
        "This calendar has more than {} events with unusual repeat rules (every hour or more often, or by week number or day of the year). Ballast does not read those.",
        limits::MAX_UNUSUAL_RULES
    )]
    TooManyUnusualRules,
    /// More than [`limits::MAX_OCCURRENCES`] occurrences start inside the window.
    #[error(
        "The calendar has more than {} sessions in the period being imported. Choose a shorter period and try again.",
        Count(limits::MAX_OCCURRENCES as u64)
    )]
    TooManySessions,
    /// The window's end is not after its start.
    #[error("The period to import is empty: its end is not after its start.")]
    EmptyWindow,
}

/// A property of an event, named as a person would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// `DTSTART`
    Start,
    /// `DTEND`
    End,
    /// `DURATION`
    Duration,
    /// `RRULE`
    RepeatRule,
    /// `RECURRENCE-ID`
    ChangedOccurrence,
    /// `EXDATE`
    ExcludedDate,
    /// `RDATE`
    ExtraDate,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Start => "start time",
            Field::End => "end time",
            Field::Duration => "duration",
            Field::RepeatRule => "repeat rule",
            Field::ChangedOccurrence => "date of a changed occurrence",
            Field::ExcludedDate => "list of skipped dates",
            Field::ExtraDate => "list of extra dates",
        })
    }
}

/// What was wrong with the file's block structure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StructureProblem {
    /// An `END:` closes a block other than the one open. The names are only ever ones the
    /// iCalendar standard defines (anything else is reported as "another entry").
    MismatchedEnd {
        /// The block that was open.
        open: Block,
        /// The block the `END:` named.
        found: Block,
    },
    /// An `END:` with no block open.
    EndWithoutBegin,
    /// A block other than `VCALENDAR` outside any calendar.
    OutsideCalendar,
}

impl fmt::Display for StructureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StructureProblem::MismatchedEnd { open, found } => {
                write!(f, "{found} ends here, but the entry open is {open}")
            }
            StructureProblem::EndWithoutBegin => f.write_str("an entry ends here that never started"),
            StructureProblem::OutsideCalendar => f.write_str("an entry starts outside the calendar"),
        }
    }
}

/// The name of a block, limited to the ones the standard defines so it is safe to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// `VCALENDAR`
    Calendar,
    /// `VEVENT`
    Event,
    /// `VTODO`
    Todo,
    /// `VJOURNAL`
    Journal,
    /// `VFREEBUSY`
    FreeBusy,
    /// `VTIMEZONE`
    TimeZone,
    /// `STANDARD`
    Standard,
    /// `DAYLIGHT`
    Daylight,
    /// `VALARM`
    Alarm,
    /// Anything else (not shown).
    Other,
}

impl Block {
    pub(crate) fn from_name(name: &[u8]) -> Block {
        const NAMES: [(&[u8], Block); 9] = [
            (b"VCALENDAR", Block::Calendar),
            (b"VEVENT", Block::Event),
            (b"VTODO", Block::Todo),
            (b"VJOURNAL", Block::Journal),
            (b"VFREEBUSY", Block::FreeBusy),
            (b"VTIMEZONE", Block::TimeZone),
            (b"STANDARD", Block::Standard),
            (b"DAYLIGHT", Block::Daylight),
            (b"VALARM", Block::Alarm),
        ];
        NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map_or(Block::Other, |(_, b)| *b)
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Block::Calendar => "the calendar (VCALENDAR)",
            Block::Event => "an event (VEVENT)",
            Block::Todo => "a task (VTODO)",
            Block::Journal => "a journal entry (VJOURNAL)",
            Block::FreeBusy => "a free/busy entry (VFREEBUSY)",
            Block::TimeZone => "a time zone (VTIMEZONE)",
            Block::Standard => "a standard-time rule (STANDARD)",
            Block::Daylight => "a summer-time rule (DAYLIGHT)",
            Block::Alarm => "a reminder (VALARM)",
            Block::Other => "another entry",
        })
    }
}

/// "Line N: " when the line is known.
struct At(Option<u32>);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(line) => write!(f, "Line {line}: "),
            None => f.write_str("In this file, "),
        }
    }
}

/// A count with thousands separators: 20,000.
struct Count(u64);

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        f.write_str(&out)
    }
}
