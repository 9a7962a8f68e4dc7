//! Exposure and pacing: the sessions and shifts a person works, how heavy their content was,
//! and the pacing plan they set themselves — with the day-by-day arithmetic that compares the
//! two. (Critical incidents and their follow-ups live in [`crate::incident`].)
//!
//! Nothing here can identify a client: a session is a start, a length, a kind, an intensity
//! and whether there was a debrief — there is no field for names and no free text.
//!
//! Pure: no clock and no I/O. "Today" and the person's time zone are passed in, and every day
//! is the person's own local day.
//!
//! # How the days are counted
//!
//! * **A session belongs to every local day it touches.** A night call from 23:30 to 00:30
//!   puts 30 minutes on each day. Day boundaries are the person's local midnights, found with
//!   zoned arithmetic, so the spring-forward day is 23 hours long and the fall-back day 25 —
//!   never a fixed 24 × 60 minutes. Minutes are conserved: the parts of a session always add
//!   up to its length (see [`minutes_by_day`]).
//! * **Gaps** are the free time between sessions on one day. Overlapping sessions are merged
//!   for this purpose (a double-booked hour has no gap inside it); sessions that touch have a
//!   gap of 0 minutes.
//! * **Back-to-back runs** are maximal runs of two or more sessions, each starting less than
//!   the plan's gap after the one before it ended. A gap of exactly the plan's minimum is fine.
//! * **Load** is minutes weighted by intensity ([`load_weight`]), summed per day; a day with no
//!   sessions has load 0, because a rest day is information too.
//! * **Flags** ([`PacingFlag`]) compare the days with the person's own [`PacingPlan`]. They are
//!   observations against limits the person chose, never a diagnosis or a judgement.

use std::collections::BTreeMap;
use std::ops::Range;

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp, Zoned, tz::TimeZone};
use serde::{Deserialize, Serialize};

use crate::days::{date_from_number, day_number};

/// What kind of work a session was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    ClientSession,
    Crisis,
    Group,
    Supervision,
    Admin,
    Other,
}

impl SessionKind {
    pub const ALL: [SessionKind; 6] = [
        SessionKind::ClientSession,
        SessionKind::Crisis,
        SessionKind::Group,
        SessionKind::Supervision,
        SessionKind::Admin,
        SessionKind::Other,
    ];

    pub fn id(self) -> &'static str {
        match self {
            SessionKind::ClientSession => "client_session",
            SessionKind::Crisis => "crisis",
            SessionKind::Group => "group",
            SessionKind::Supervision => "supervision",
            SessionKind::Admin => "admin",
            SessionKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SessionKind::ClientSession => "Client session",
            SessionKind::Crisis => "Crisis work",
            SessionKind::Group => "Group",
            SessionKind::Supervision => "Supervision",
            SessionKind::Admin => "Admin",
            SessionKind::Other => "Other work",
        }
    }

    pub fn parse(id: &str) -> Option<SessionKind> {
        SessionKind::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// How heavy a session's content was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intensity {
    Routine,
    Heavy,
    Traumatic,
}

impl Intensity {
    pub const ALL: [Intensity; 3] = [Intensity::Routine, Intensity::Heavy, Intensity::Traumatic];

    pub fn id(self) -> &'static str {
        match self {
            Intensity::Routine => "routine",
            Intensity::Heavy => "heavy",
            Intensity::Traumatic => "traumatic",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Intensity::Routine => "Routine",
            Intensity::Heavy => "Heavy",
            Intensity::Traumatic => "Traumatic content",
        }
    }

    pub fn parse(id: &str) -> Option<Intensity> {
        Intensity::ALL.into_iter().find(|i| i.id() == id)
    }

    /// Heavy and traumatic content counts toward the plan's heavy limits.
    pub fn is_heavy(self) -> bool {
        self != Intensity::Routine
    }
}

/// A session's length: one minute to a full day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Minutes(u16);

impl Minutes {
    pub const MAX: u16 = 24 * 60;

    pub fn new(minutes: u16) -> Option<Minutes> {
        (1..=Self::MAX).contains(&minutes).then_some(Minutes(minutes))
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for Minutes {
    type Error = String;
    fn try_from(value: u16) -> Result<Self, Self::Error> {
        Minutes::new(value).ok_or_else(|| format!("{value} minutes is not between 1 and {}", Self::MAX))
    }
}

impl From<Minutes> for u16 {
    fn from(minutes: Minutes) -> u16 {
        minutes.0
    }
}

/// One session or shift. Imported sessions start without an intensity until the person
/// tags them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkSession {
    pub start: Timestamp,
    pub minutes: Minutes,
    pub kind: SessionKind,
    pub intensity: Option<Intensity>,
    pub debriefed: bool,
}

impl WorkSession {
    pub fn end(&self) -> Timestamp {
        self.start.checked_add(jiff::SignedDuration::from_mins(i64::from(self.minutes.get()))).unwrap_or(self.start)
    }
}

/// A daily break the person protects (lunch, say): `minutes` from `start`, every working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectedBreak {
    pub start: Time,
    pub minutes: u16,
}

/// The limits a person sets for their own pacing. Flags compare the sessions against these.
///
/// The plan is the person's, not Ballast's: the [`Default`] is only a starting point to edit,
/// and [`PacingPlan::check`] refuses only plans that cannot mean anything (a day that ends
/// before it starts, a break outside the working day, a limit of zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacingPlan {
    /// Shortest gap between two sessions before they count as back-to-back. 0 means the person
    /// does not want back-to-back sessions pointed out.
    pub min_gap_minutes: u16,
    /// Most sessions with heavy or traumatic content in one day.
    pub max_heavy_sessions_per_day: u8,
    /// Most minutes of heavy or traumatic content in one day.
    pub max_heavy_minutes_per_day: u16,
    pub protected_break: Option<ProtectedBreak>,
    /// Most working days in a row before a day off.
    pub max_consecutive_days: u8,
    /// The working day's boundary: sessions outside it are flagged. Both times are on the same
    /// local day (`day_ends` after `day_starts`), so hours that cross midnight cannot be set.
    pub day_starts: Time,
    pub day_ends: Time,
}

// --- the plan -------------------------------------------------------------------------------

impl Default for PacingPlan {
    /// A starting point for people to change, not a standard they are measured against.
    ///
    /// * 10 minutes between sessions: the "50-minute hour" many therapists work to leaves ten
    ///   minutes for notes, a drink of water and arriving fresh for the next person.
    /// * 3 heavy sessions and 180 heavy minutes a day: people who work with trauma commonly
    ///   advise spreading heavy sessions out rather than stacking them; three is a cautious
    ///   place to start, and the minutes limit catches a few very long ones.
    /// * A 30-minute break at 12:30: a lunch break is the one most often given up first.
    /// * 5 working days in a row: a usual working week; a sixth day without rest is worth noticing.
    /// * 08:00–18:00: ordinary working hours; sessions outside them are the ones that eat into
    ///   the rest of life.
    fn default() -> PacingPlan {
        PacingPlan {
            min_gap_minutes: 10,
            max_heavy_sessions_per_day: 3,
            max_heavy_minutes_per_day: 180,
            protected_break: Some(ProtectedBreak { start: Time::constant(12, 30, 0, 0), minutes: 30 }),
            max_consecutive_days: 5,
            day_starts: Time::constant(8, 0, 0, 0),
            day_ends: Time::constant(18, 0, 0, 0),
        }
    }
}

/// Why a pacing plan cannot be saved, in words meant to sit next to the form field named by
/// [`PlanProblem::field`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanProblem {
    #[error(
        "Choose a gap of {max} minutes or less — a longer one would mark almost every working day as \
         back-to-back.",
        max = PacingPlan::MAX_GAP_MINUTES
    )]
    GapTooLong,
    #[error("Allow at least one heavy session a day — with none, every heavy session would be pointed out.")]
    NoHeavySessions,
    #[error("Allow at least a few heavy minutes a day — with none, every heavy session would be pointed out.")]
    NoHeavyMinutes,
    #[error("A day has 1,440 minutes, so choose a number up to that.")]
    TooManyHeavyMinutes,
    #[error("Allow at least one working day in a row.")]
    NoWorkingDays,
    #[error("Your working day needs to end after it starts, on the same day.")]
    DayEndsBeforeItStarts,
    #[error("A break needs at least one minute. To go without a protected break, leave the break time empty.")]
    BreakTooShort,
    #[error(
        "Your break ({}–{}) needs to fit inside your working hours ({}–{}).",
        hm(*.start), hm(*.end), hm(*.day_starts), hm(*.day_ends)
    )]
    BreakOutsideHours { start: Time, end: Time, day_starts: Time, day_ends: Time },
}

impl PlanProblem {
    /// The form field the problem belongs next to: the [`PacingPlan`] field's name, or
    /// `break_start` / `break_minutes` for the two parts of the protected break.
    pub fn field(&self) -> &'static str {
        match self {
            PlanProblem::GapTooLong => "min_gap_minutes",
            PlanProblem::NoHeavySessions => "max_heavy_sessions_per_day",
            PlanProblem::NoHeavyMinutes | PlanProblem::TooManyHeavyMinutes => "max_heavy_minutes_per_day",
            PlanProblem::NoWorkingDays => "max_consecutive_days",
            PlanProblem::DayEndsBeforeItStarts => "day_ends",
            PlanProblem::BreakTooShort => "break_minutes",
            PlanProblem::BreakOutsideHours { .. } => "break_start",
        }
    }
}

/// A time as people write it on a form: `08:00`.
fn hm(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

impl PacingPlan {
    /// The longest gap a plan may ask for. Four hours already means hardly two sessions a
    /// morning; more would turn every working day into a flag and the flags into noise.
    pub const MAX_GAP_MINUTES: u16 = 240;

    /// The first problem with the plan, if any, in the order the fields appear on the form.
    /// Zero limits are refused because a limit of zero flags every heavy session or every
    /// working day, which tells the person nothing; a gap of 0 is allowed and means "never
    /// point out back-to-back sessions".
    pub fn check(&self) -> Result<(), PlanProblem> {
        match self.problems().first() {
            Some(problem) => Err(*problem),
            None => Ok(()),
        }
    }

    /// Every problem with the plan, so a form can show each beside its own field.
    pub fn problems(&self) -> Vec<PlanProblem> {
        let mut problems = Vec::new();
        if self.min_gap_minutes > Self::MAX_GAP_MINUTES {
            problems.push(PlanProblem::GapTooLong);
        }
        if self.max_heavy_sessions_per_day == 0 {
            problems.push(PlanProblem::NoHeavySessions);
        }
        if self.max_heavy_minutes_per_day == 0 {
            problems.push(PlanProblem::NoHeavyMinutes);
        }
        if self.max_heavy_minutes_per_day > Minutes::MAX {
            problems.push(PlanProblem::TooManyHeavyMinutes);
        }
        if self.max_consecutive_days == 0 {
            problems.push(PlanProblem::NoWorkingDays);
        }
        let day_ok = self.day_ends > self.day_starts;
        if !day_ok {
            problems.push(PlanProblem::DayEndsBeforeItStarts);
        }
        if let Some(pause) = self.protected_break {
            if pause.minutes == 0 {
                problems.push(PlanProblem::BreakTooShort);
            } else if day_ok {
                // A break past midnight cannot be inside a day that ends by 23:59.
                let end = pause.end();
                if pause.start < self.day_starts || end.is_none_or(|end| end > self.day_ends) {
                    problems.push(PlanProblem::BreakOutsideHours {
                        start: pause.start,
                        end: end.unwrap_or_else(|| pause.start.wrapping_add(break_length(pause))),
                        day_starts: self.day_starts,
                        day_ends: self.day_ends,
                    });
                }
            }
        }
        problems
    }
}

impl ProtectedBreak {
    /// When the break ends on the clock; `None` if it would run past midnight.
    pub fn end(&self) -> Option<Time> {
        self.start.checked_add(break_length(*self)).ok()
    }
}

fn break_length(pause: ProtectedBreak) -> SignedDuration {
    SignedDuration::from_mins(i64::from(pause.minutes))
}

// --- weights and minutes --------------------------------------------------------------------

/// How much one minute of a session weighs in the daily load: routine 1, heavy 2, traumatic 3.
///
/// The steps are deliberately plain — a traumatic hour counts as three routine hours, not as
/// some fitted figure — so a person can check the arithmetic in their head. An untagged
/// session (imported, say, and not yet looked at) counts as routine: Ballast does not assume
/// the worst about work it knows nothing about, and a load that only rises once the person
/// says so is one they can trust. Untagged minutes likewise never count as heavy minutes.
pub fn load_weight(intensity: Option<Intensity>) -> u32 {
    match intensity {
        None | Some(Intensity::Routine) => 1,
        Some(Intensity::Heavy) => 2,
        Some(Intensity::Traumatic) => 3,
    }
}

const NANOS_PER_MINUTE: i128 = 60_000_000_000;

/// Whole minutes in a duration, to the nearest minute (half a minute rounds up); negative
/// durations count as 0.
fn rounded_minutes(duration: SignedDuration) -> i64 {
    let nanos = duration.as_nanos().max(0);
    i64::try_from((nanos + NANOS_PER_MINUTE / 2) / NANOS_PER_MINUTE).unwrap_or(i64::MAX)
}

/// Whole minutes in a duration, rounded down; negative durations count as 0.
fn floor_minutes(duration: SignedDuration) -> u32 {
    u32::try_from(duration.as_nanos().max(0) / NANOS_PER_MINUTE).unwrap_or(u32::MAX)
}

/// The instant a local date and clock time falls at in `zone`. A time skipped by a
/// spring-forward change resolves to the same distance after the change (02:30 becomes
/// 03:30), and a repeated time to its first occurrence — jiff's "compatible" rule, which is
/// also what a wall clock would show.
fn instant(zone: &TimeZone, date: Date, time: Time) -> Option<Timestamp> {
    zone.to_timestamp(date.to_datetime(time)).ok()
}

/// Where a local day begins: midnight, or the first instant after it in the rare zones that
/// skip midnight itself.
fn day_start(zone: &TimeZone, date: Date) -> Option<Timestamp> {
    instant(zone, date, Time::midnight())
}

/// One local day's share of a session.
#[derive(Debug, Clone, Copy)]
struct Piece {
    date: Date,
    start: Timestamp,
    end: Timestamp,
    minutes: u32,
}

/// Cuts a session at the local midnights it crosses. Each part's minutes are the rounded
/// minutes elapsed up to its end less those up to its start, so the parts always add up to
/// the session's length exactly, even when a midnight falls part-way through a minute (as it
/// can in a historical local-mean-time offset). Parts that round to 0 minutes are dropped: a
/// few seconds past midnight is not a day's work.
fn split(session: &WorkSession, zone: &TimeZone) -> Vec<Piece> {
    let (start, end) = (session.start, session.end());
    let mut pieces = Vec::with_capacity(2);
    let mut date = zone.to_datetime(start).date();
    let mut piece_start = start;
    let mut counted = 0;
    loop {
        let next = date.tomorrow().ok().and_then(|next| Some((next, day_start(zone, next)?)));
        let cut = match next {
            Some((_, midnight)) if midnight < end => midnight,
            _ => end,
        };
        let upto = rounded_minutes(cut.duration_since(start));
        if let Ok(minutes @ 1..) = u32::try_from(upto - counted) {
            pieces.push(Piece { date, start: piece_start, end: cut, minutes });
        }
        counted = upto;
        match next {
            Some((next, _)) if cut < end => {
                date = next;
                piece_start = cut;
            }
            _ => break,
        }
    }
    pieces
}

/// A session's minutes on each local day it touches, earliest day first. The minutes always
/// add up to the session's length.
pub fn minutes_by_day(session: &WorkSession, zone: &TimeZone) -> Vec<(Date, u32)> {
    split(session, zone).into_iter().map(|piece| (piece.date, piece.minutes)).collect()
}

/// One local day's bounds and the parts of sessions on it (with their positions in the input).
struct RawDay {
    date: Date,
    start: Timestamp,
    end: Timestamp,
    pieces: Vec<(usize, Piece)>,
}

/// The pieces of `sessions` on each day of `from..=to`, with the day's bounds. Each day's
/// pieces are in start order (then end, then input order). Days jiff cannot place on the time
/// line (at the very ends of its supported years) are left out.
fn pieces_by_day(sessions: &[WorkSession], zone: &TimeZone, from: Date, to: Date) -> Vec<RawDay> {
    if from > to {
        return Vec::new();
    }
    let first = day_number(from);
    let count = usize::try_from(day_number(to) - first + 1).unwrap_or(0);
    let mut buckets: Vec<Vec<(usize, Piece)>> = vec![Vec::new(); count];
    let range_start = day_start(zone, from);
    let range_end = to.tomorrow().ok().and_then(|next| day_start(zone, next));
    for (index, session) in sessions.iter().enumerate() {
        let before = range_start.is_some_and(|start| session.end() <= start);
        let after = range_end.is_some_and(|end| session.start >= end);
        if before || after {
            continue;
        }
        for piece in split(session, zone) {
            if let Some(bucket) = usize::try_from(day_number(piece.date) - first).ok().and_then(|k| buckets.get_mut(k))
            {
                bucket.push((index, piece));
            }
        }
    }
    let mut days = Vec::with_capacity(count);
    for (k, mut pieces) in buckets.into_iter().enumerate() {
        let Some(date) = i32::try_from(k).ok().and_then(|k| date_from_number(first + k)) else { continue };
        let Some(start) = day_start(zone, date) else { continue };
        let Some(end) = date.tomorrow().ok().and_then(|next| day_start(zone, next)) else { continue };
        pieces.sort_by_key(|(index, piece)| (piece.start, piece.end, *index));
        days.push(RawDay { date, start, end, pieces });
    }
    days
}

// --- one day ---------------------------------------------------------------------------------

/// A session's part in one local day: the whole session, or the part before or after a
/// midnight it crosses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySession {
    /// Position of the session in the slice given to [`summarise_days`].
    pub session: usize,
    /// Start and end of the part in this day, in the person's time zone.
    pub start: Zoned,
    pub end: Zoned,
    /// This day's share of the session's minutes.
    pub minutes: u32,
    pub kind: SessionKind,
    pub intensity: Option<Intensity>,
    /// The session began the day before (it crossed midnight into this day).
    pub from_previous_day: bool,
    /// The session carries on past midnight into the next day.
    pub into_next_day: bool,
    /// Whole minutes of this part outside the plan's working hours.
    pub minutes_outside_hours: u32,
}

impl DaySession {
    /// Heavy or traumatic content; untagged sessions are not assumed heavy.
    pub fn is_heavy(&self) -> bool {
        self.intensity.is_some_and(Intensity::is_heavy)
    }

    /// This part's minutes weighted by intensity ([`load_weight`]).
    pub fn load(&self) -> u32 {
        self.minutes * load_weight(self.intensity)
    }
}

/// Free time between sessions on one day: from the end of everything before it to the start
/// of the next session. Overlapping sessions are merged first, so gaps never overlap work and
/// are never negative; sessions that touch leave a gap of 0 minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub from: Zoned,
    pub to: Zoned,
    /// Whole minutes, rounded down (a gap of 9 minutes 30 seconds is 9).
    pub minutes: u32,
    /// Position in [`DaySummary::sessions`] of the session the gap leads up to.
    pub next: usize,
}

/// A back-to-back run: two or more sessions in a row, each starting less than the plan's
/// minimum gap after everything before it had ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Positions in [`DaySummary::sessions`]; a run is always consecutive in start order and
    /// holds at least two sessions.
    pub sessions: Range<usize>,
    /// From the first session's start to the latest end in the run.
    pub start: Zoned,
    pub end: Zoned,
    /// The shortest gap inside the run, in whole minutes (0 when sessions touch or overlap).
    pub shortest_gap_minutes: u32,
}

/// One local day, measured against the pacing plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySummary {
    pub date: Date,
    /// The day's bounds: local midnight to the next local midnight — 23 or 25 hours apart on
    /// the days the clocks change.
    pub day_start: Zoned,
    pub day_end: Zoned,
    /// The day's sessions (clipped to the day) in start order.
    pub sessions: Vec<DaySession>,
    /// Gaps between consecutive stretches of work, in order.
    pub gaps: Vec<Gap>,
    pub minutes: u32,
    /// Minutes with heavy or traumatic content.
    pub heavy_minutes: u32,
    /// Sessions with heavy or traumatic content. A heavy session across midnight counts on
    /// both days: the person carried it on both.
    pub heavy_sessions: u32,
    /// Minutes weighted by intensity ([`load_weight`]).
    pub load: u32,
    /// Maximal back-to-back runs, in order.
    pub runs: Vec<Run>,
    /// Whether no session overlapped the protected break. `None` when the plan has no break
    /// or the day has no sessions (a day off keeps no break; it does not need one).
    pub break_kept: Option<bool>,
    /// Whole minutes worked outside the plan's working hours.
    pub minutes_outside_hours: u32,
}

impl DaySummary {
    /// A working day is one with any session at all, however short.
    pub fn worked(&self) -> bool {
        !self.sessions.is_empty()
    }

    /// The day's length in minutes: 1,440, or 1,380 / 1,500 when the clocks change.
    pub fn length_minutes(&self) -> u32 {
        floor_minutes(self.day_end.duration_since(&self.day_start))
    }
}

/// The length of the overlap of two half-open stretches of time, or zero.
fn overlap(a: (Timestamp, Timestamp), b: (Timestamp, Timestamp)) -> SignedDuration {
    let (start, end) = (a.0.max(b.0), a.1.min(b.1));
    if end > start { end.duration_since(start) } else { SignedDuration::ZERO }
}

/// Every local day from `from` to `to` (inclusive), measured against `plan`: the sessions
/// that fall on it, gaps, back-to-back runs, minutes, heavy minutes and sessions, load, the
/// protected break and work outside hours. Days with no sessions are included (as days off).
///
/// `sessions` may be in any order; [`DaySession::session`] and the flags refer back to
/// positions in it. An empty range (`from > to`) gives no days.
pub fn summarise_days(
    sessions: &[WorkSession],
    plan: &PacingPlan,
    zone: &TimeZone,
    from: Date,
    to: Date,
) -> Vec<DaySummary> {
    let min_gap = i128::from(plan.min_gap_minutes) * NANOS_PER_MINUTE;
    pieces_by_day(sessions, zone, from, to)
        .into_iter()
        .map(|RawDay { date, start, end, pieces }| {
            let hours = instant(zone, date, plan.day_starts).zip(instant(zone, date, plan.day_ends));
            let pause = plan.protected_break.and_then(|pause| {
                let start = instant(zone, date, pause.start)?;
                Some((start, start.checked_add(break_length(pause)).ok()?))
            });
            let day_sessions: Vec<DaySession> = pieces
                .iter()
                .map(|&(index, piece)| {
                    let session = &sessions[index];
                    let span = (piece.start, piece.end);
                    let outside = match hours {
                        Some(hours) => piece.end.duration_since(piece.start) - overlap(span, hours),
                        None => SignedDuration::ZERO,
                    };
                    DaySession {
                        session: index,
                        start: piece.start.to_zoned(zone.clone()),
                        end: piece.end.to_zoned(zone.clone()),
                        minutes: piece.minutes,
                        kind: session.kind,
                        intensity: session.intensity,
                        from_previous_day: piece.start > session.start,
                        into_next_day: piece.end < session.end(),
                        minutes_outside_hours: floor_minutes(outside).min(piece.minutes),
                    }
                })
                .collect();

            // One sweep in start order: `busy_until` is the latest end so far, so overlapping
            // sessions merge and a session nested inside a long one leaves no false gap.
            let mut gaps = Vec::new();
            let mut runs = Vec::new();
            let mut run_start = 0;
            let mut run_shortest = u32::MAX;
            let mut busy_until: Option<Timestamp> = None;
            for (position, &(_, piece)) in pieces.iter().enumerate() {
                if let Some(until) = busy_until {
                    let gap = piece.start.duration_since(until);
                    if gap >= SignedDuration::ZERO {
                        gaps.push(Gap {
                            from: until.to_zoned(zone.clone()),
                            to: piece.start.to_zoned(zone.clone()),
                            minutes: floor_minutes(gap),
                            next: position,
                        });
                    }
                    if gap.as_nanos().max(0) < min_gap {
                        run_shortest = run_shortest.min(floor_minutes(gap));
                    } else {
                        close_run(&mut runs, &pieces, run_start..position, run_shortest, zone);
                        run_start = position;
                        run_shortest = u32::MAX;
                    }
                }
                busy_until = Some(busy_until.map_or(piece.end, |until| until.max(piece.end)));
            }
            close_run(&mut runs, &pieces, run_start..pieces.len(), run_shortest, zone);

            let break_kept = match (pause, day_sessions.is_empty()) {
                (Some(pause), false) => {
                    Some(pieces.iter().all(|(_, piece)| overlap((piece.start, piece.end), pause).is_zero()))
                }
                _ => None,
            };
            let heavy = || day_sessions.iter().filter(|s| s.is_heavy());
            DaySummary {
                date,
                day_start: start.to_zoned(zone.clone()),
                day_end: end.to_zoned(zone.clone()),
                minutes: day_sessions.iter().map(|s| s.minutes).sum(),
                heavy_minutes: heavy().map(|s| s.minutes).sum(),
                heavy_sessions: u32::try_from(heavy().count()).unwrap_or(u32::MAX),
                load: day_sessions.iter().map(DaySession::load).sum(),
                minutes_outside_hours: day_sessions.iter().map(|s| s.minutes_outside_hours).sum(),
                sessions: day_sessions,
                gaps,
                runs,
                break_kept,
            }
        })
        .collect()
}

/// Records `positions` as a run if it holds two or more sessions.
fn close_run(
    runs: &mut Vec<Run>,
    pieces: &[(usize, Piece)],
    positions: Range<usize>,
    shortest_gap_minutes: u32,
    zone: &TimeZone,
) {
    if positions.len() < 2 {
        return;
    }
    let members = &pieces[positions.clone()];
    let start = members[0].1.start;
    let end = members.iter().map(|(_, piece)| piece.end).max().unwrap_or(start);
    runs.push(Run {
        sessions: positions,
        start: start.to_zoned(zone.clone()),
        end: end.to_zoned(zone.clone()),
        shortest_gap_minutes,
    });
}

// --- flags -----------------------------------------------------------------------------------

/// Something in the sessions that goes past the person's own plan, with the evidence to show
/// them. Session numbers are positions in the slice given to [`summarise_days`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacingFlag {
    /// Sessions ran into each other: a run of two or more, each starting less than
    /// `min_gap_minutes` after the work before it ended (one flag per run).
    BackToBack {
        date: Date,
        sessions: Vec<usize>,
        start: Zoned,
        end: Zoned,
        shortest_gap_minutes: u32,
        min_gap_minutes: u16,
    },
    /// A working day on which some session overlapped the protected break; `sessions` are
    /// the ones that did.
    NoBreak { date: Date, break_start: Time, break_minutes: u16, sessions: Vec<usize> },
    /// More heavy or traumatic sessions, or more heavy minutes, than the plan allows in one
    /// day (strictly more: reaching the limit is within it). Either may be the one over.
    HeavyOverLimit {
        date: Date,
        heavy_sessions: u32,
        max_heavy_sessions: u8,
        heavy_minutes: u32,
        max_heavy_minutes: u16,
    },
    /// Work outside the plan's working hours: total minutes and the sessions with any.
    OutsideHours { date: Date, minutes: u32, sessions: Vec<usize>, day_starts: Time, day_ends: Time },
    /// More working days in a row than the plan allows: `days` working days from `first_day`
    /// to `last_day`. A run still going on the last day summarised ends there; one that began
    /// before the first day summarised is counted from that first day.
    TooManyDaysInARow { first_day: Date, last_day: Date, days: u32, max_consecutive_days: u8 },
}

impl PacingFlag {
    /// A stable name for the kind of flag (for templates and stored preferences).
    pub fn id(&self) -> &'static str {
        match self {
            PacingFlag::BackToBack { .. } => "back_to_back",
            PacingFlag::NoBreak { .. } => "no_break",
            PacingFlag::HeavyOverLimit { .. } => "heavy_over_limit",
            PacingFlag::OutsideHours { .. } => "outside_hours",
            PacingFlag::TooManyDaysInARow { .. } => "too_many_days_in_a_row",
        }
    }

    /// The day the flag belongs to (for a run of days, its last day).
    pub fn date(&self) -> Date {
        match self {
            PacingFlag::BackToBack { date, .. }
            | PacingFlag::NoBreak { date, .. }
            | PacingFlag::HeavyOverLimit { date, .. }
            | PacingFlag::OutsideHours { date, .. } => *date,
            PacingFlag::TooManyDaysInARow { last_day, .. } => *last_day,
        }
    }
}

/// The flags for summarised days, in date order (within a day: back-to-back runs, break,
/// heavy content, hours; a run of days after its last day). `days` should come from
/// [`summarise_days`] with the same `plan`, for consecutive dates; a missing date breaks a
/// run of working days.
pub fn pacing_flags(days: &[DaySummary], plan: &PacingPlan) -> Vec<PacingFlag> {
    let mut flags = Vec::new();
    let mut streak: Option<(Date, Date, u32)> = None;
    let close_streak = |flags: &mut Vec<PacingFlag>, streak: Option<(Date, Date, u32)>| {
        if let Some((first_day, last_day, days)) = streak
            && days > u32::from(plan.max_consecutive_days)
        {
            flags.push(PacingFlag::TooManyDaysInARow {
                first_day,
                last_day,
                days,
                max_consecutive_days: plan.max_consecutive_days,
            });
        }
    };
    for day in days {
        let continues = streak.is_some_and(|(_, last, _)| last.tomorrow().ok() == Some(day.date));
        if !(day.worked() && continues) {
            close_streak(&mut flags, streak.take());
        }
        if !day.worked() {
            continue;
        }
        streak = Some(match streak {
            Some((first, _, count)) => (first, day.date, count + 1),
            None => (day.date, day.date, 1),
        });

        let sessions_where = |keep: &dyn Fn(&DaySession) -> bool| -> Vec<usize> {
            day.sessions.iter().filter(|s| keep(s)).map(|s| s.session).collect()
        };
        for run in &day.runs {
            flags.push(PacingFlag::BackToBack {
                date: day.date,
                sessions: day.sessions[run.sessions.clone()].iter().map(|s| s.session).collect(),
                start: run.start.clone(),
                end: run.end.clone(),
                shortest_gap_minutes: run.shortest_gap_minutes,
                min_gap_minutes: plan.min_gap_minutes,
            });
        }
        if let (Some(false), Some(pause)) = (day.break_kept, plan.protected_break) {
            let window = day
                .day_start
                .time_zone()
                .to_timestamp(day.date.to_datetime(pause.start))
                .ok()
                .and_then(|start| Some((start, start.checked_add(break_length(pause)).ok()?)));
            flags.push(PacingFlag::NoBreak {
                date: day.date,
                break_start: pause.start,
                break_minutes: pause.minutes,
                sessions: sessions_where(&|s| {
                    window.is_some_and(|w| !overlap((s.start.timestamp(), s.end.timestamp()), w).is_zero())
                }),
            });
        }
        if day.heavy_sessions > u32::from(plan.max_heavy_sessions_per_day)
            || day.heavy_minutes > u32::from(plan.max_heavy_minutes_per_day)
        {
            flags.push(PacingFlag::HeavyOverLimit {
                date: day.date,
                heavy_sessions: day.heavy_sessions,
                max_heavy_sessions: plan.max_heavy_sessions_per_day,
                heavy_minutes: day.heavy_minutes,
                max_heavy_minutes: plan.max_heavy_minutes_per_day,
            });
        }
        if day.minutes_outside_hours > 0 {
            flags.push(PacingFlag::OutsideHours {
                date: day.date,
                minutes: day.minutes_outside_hours,
                sessions: sessions_where(&|s| s.minutes_outside_hours > 0),
                day_starts: plan.day_starts,
                day_ends: plan.day_ends,
            });
        }
    }
    close_streak(&mut flags, streak);
    flags
}

/// Days since the person's last full day off — the number Ballast shows most prominently.
///
/// A day off is a day with no sessions at all. Today never counts as one, because it is not
/// over: at 7 in the morning before the first session, "0 days since a day off" would hide a
/// week of work at exactly the moment it matters. So the answer is the days from the most
/// recent day off *before today* to today: 1 if yesterday was free, 7 after six working days
/// (however today goes). A person resting today sees 1 tomorrow.
///
/// `None` when `days` cannot tell: no day before today is in `days`, or every day back to the
/// earliest one given was a working day (the last day off is further back than the data — pass
/// a longer range, or show "more than N days"). A date missing from `days` also stops the
/// search with `None`, since it might have been a day off.
pub fn days_since_day_off(days: &[DaySummary], today: Date) -> Option<u32> {
    let worked: BTreeMap<Date, bool> = days.iter().map(|day| (day.date, day.worked())).collect();
    let today_number = day_number(today);
    for back in 1..=u32::try_from(worked.len()).unwrap_or(u32::MAX) {
        let date = date_from_number(today_number - i32::try_from(back).ok()?)?;
        match worked.get(&date) {
            Some(false) => return Some(back),
            Some(true) => continue,
            None => return None,
        }
    }
    None
}

// --- load over time --------------------------------------------------------------------------

/// One day's load: minutes worked, and minutes weighted by intensity ([`load_weight`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyLoad {
    pub date: Date,
    pub minutes: u32,
    pub load: u32,
}

/// The load of every local day from `from` to `to` (inclusive), in date order. Days without
/// sessions are included with 0: a rest day is information, and leaving it out would make
/// every average look heavier than the weeks were.
pub fn daily_load(sessions: &[WorkSession], zone: &TimeZone, from: Date, to: Date) -> Vec<DailyLoad> {
    pieces_by_day(sessions, zone, from, to)
        .into_iter()
        .map(|RawDay { date, pieces, .. }| DailyLoad {
            date,
            minutes: pieces.iter().map(|(_, piece)| piece.minutes).sum(),
            load: pieces.iter().map(|(index, piece)| piece.minutes * load_weight(sessions[*index].intensity)).sum(),
        })
        .collect()
}

/// The last 7 days' mean load divided by the last 28 days' mean load, both windows ending on
/// (and including) `day`.
///
/// In sports science this is the "acute:chronic workload ratio": above 1 the past week was
/// heavier than the month around it, below 1 lighter. Sport has read bands into it (a "sweet
/// spot" of 0.8–1.3, "danger" above 1.5), but those came from injury studies in athletes,
/// have been criticised since (the two windows share their last 7 days, which couples the
/// numbers), and nobody has validated any band for emotional load. So Ballast shows the
/// ratio beside the person's check-ins, as a plain number, and sets no threshold that would
/// pretend to a precision it does not have.
///
/// `None` when any of the 28 days is missing from `loads` (fewer than 28 days of data: a ratio
/// from a partial month says little) or the 28-day load is 0 (nothing to compare with).
/// `loads` must be in date order, as [`daily_load`] gives them. A constant load gives exactly
/// 1.0.
pub fn load_ratio(loads: &[DailyLoad], day: Date) -> Option<f64> {
    let end = loads.binary_search_by_key(&day, |load| load.date).ok()?;
    let window = loads.get(end.checked_sub(27)?..=end)?;
    let first = day_number(window[0].date);
    let consecutive = window.iter().zip(first..).all(|(load, number)| day_number(load.date) == number);
    if !consecutive {
        return None;
    }
    let month: u64 = window.iter().map(|load| u64::from(load.load)).sum();
    let week: u64 = window[21..].iter().map(|load| u64::from(load.load)).sum();
    // (week / 7) / (month / 28) = 4 × week / month, kept in integers until the last step so
    // that a steady load is exactly 1.
    (month > 0).then(|| (4 * week) as f64 / month as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn london() -> TimeZone {
        TimeZone::get("Europe/London").unwrap()
    }

    fn at(zone: &TimeZone, day: Date, hour: i8, minute: i8, minutes: u16, intensity: Option<Intensity>) -> WorkSession {
        WorkSession {
            start: zone.to_timestamp(day.at(hour, minute, 0, 0)).unwrap(),
            minutes: Minutes::new(minutes).unwrap(),
            kind: SessionKind::ClientSession,
            intensity,
            debriefed: false,
        }
    }

    const DAY: Date = date(2026, 5, 12);
    const ROUTINE: Option<Intensity> = Some(Intensity::Routine);
    const HEAVY: Option<Intensity> = Some(Intensity::Heavy);
    const TRAUMATIC: Option<Intensity> = Some(Intensity::Traumatic);

    fn one_day(sessions: &[WorkSession], plan: &PacingPlan) -> DaySummary {
        let mut days = summarise_days(sessions, plan, &london(), DAY, DAY);
        assert_eq!(days.len(), 1);
        days.remove(0)
    }

    #[test]
    fn the_default_plan_is_valid() {
        assert_eq!(PacingPlan::default().check(), Ok(()));
        assert_eq!(PacingPlan::default().protected_break.unwrap().end(), Some(time(13, 0, 0, 0)));
    }

    #[test]
    fn plan_problems_name_their_fields() {
        let plan = PacingPlan::default();
        let cases = [
            (PacingPlan { min_gap_minutes: 241, ..plan }, "min_gap_minutes"),
            (PacingPlan { max_heavy_sessions_per_day: 0, ..plan }, "max_heavy_sessions_per_day"),
            (PacingPlan { max_heavy_minutes_per_day: 0, ..plan }, "max_heavy_minutes_per_day"),
            (PacingPlan { max_heavy_minutes_per_day: 1441, ..plan }, "max_heavy_minutes_per_day"),
            (PacingPlan { max_consecutive_days: 0, ..plan }, "max_consecutive_days"),
            (PacingPlan { day_ends: time(8, 0, 0, 0), ..plan }, "day_ends"),
            (PacingPlan { day_ends: time(7, 0, 0, 0), ..plan }, "day_ends"),
            (
                PacingPlan { protected_break: Some(ProtectedBreak { start: time(12, 0, 0, 0), minutes: 0 }), ..plan },
                "break_minutes",
            ),
            (
                PacingPlan { protected_break: Some(ProtectedBreak { start: time(7, 30, 0, 0), minutes: 30 }), ..plan },
                "break_start",
            ),
            (
                PacingPlan { protected_break: Some(ProtectedBreak { start: time(17, 45, 0, 0), minutes: 30 }), ..plan },
                "break_start",
            ),
            (
                PacingPlan {
                    protected_break: Some(ProtectedBreak { start: time(23, 45, 0, 0), minutes: 30 }),
                    day_ends: time(23, 59, 0, 0),
                    ..plan
                },
                "break_start",
            ),
        ];
        for (plan, field) in cases {
            let problem = plan.check().unwrap_err();
            assert_eq!(problem.field(), field, "{problem}");
            assert_eq!(plan.problems(), [problem]);
        }
        // Allowed: no break at all, a gap of 0, a break that ends exactly at the end of the day.
        assert_eq!(PacingPlan { protected_break: None, min_gap_minutes: 0, ..plan }.check(), Ok(()));
        let late = ProtectedBreak { start: time(17, 30, 0, 0), minutes: 30 };
        assert_eq!(PacingPlan { protected_break: Some(late), ..plan }.check(), Ok(()));
    }

    #[test]
    fn plan_problems_read_plainly() {
        let plan = PacingPlan {
            protected_break: Some(ProtectedBreak { start: time(18, 30, 0, 0), minutes: 45 }),
            ..PacingPlan::default()
        };
        assert_eq!(
            plan.check().unwrap_err().to_string(),
            "Your break (18:30–19:15) needs to fit inside your working hours (08:00–18:00)."
        );
        assert!(PlanProblem::GapTooLong.to_string().contains("240 minutes or less"));
        // Several problems at once, in form order.
        let bad = PacingPlan { max_consecutive_days: 0, day_ends: time(6, 0, 0, 0), ..plan };
        let fields: Vec<_> = bad.problems().iter().map(PlanProblem::field).collect();
        assert_eq!(fields, ["max_consecutive_days", "day_ends"]);
    }

    #[test]
    fn weights_are_one_two_three_and_untagged_is_routine() {
        assert_eq!(load_weight(None), 1);
        assert_eq!(load_weight(ROUTINE), 1);
        assert_eq!(load_weight(HEAVY), 2);
        assert_eq!(load_weight(TRAUMATIC), 3);
    }

    #[test]
    fn a_session_across_midnight_splits_between_the_days() {
        let zone = london();
        let late = at(&zone, DAY, 23, 30, 60, HEAVY);
        assert_eq!(minutes_by_day(&late, &zone), [(DAY, 30), (date(2026, 5, 13), 30)]);
        let days = summarise_days(&[late], &PacingPlan::default(), &zone, DAY, date(2026, 5, 13));
        assert_eq!(days[0].sessions[0].end.time(), time(0, 0, 0, 0));
        assert!(days[0].sessions[0].into_next_day && !days[0].sessions[0].from_previous_day);
        assert!(days[1].sessions[0].from_previous_day && !days[1].sessions[0].into_next_day);
        assert_eq!((days[0].heavy_sessions, days[1].heavy_sessions), (1, 1));
        assert_eq!((days[0].load, days[1].load), (60, 60));
        assert_eq!((days[0].minutes_outside_hours, days[1].minutes_outside_hours), (30, 30));
    }

    #[test]
    fn a_day_in_full() {
        let zone = london();
        let sessions = [
            at(&zone, DAY, 9, 0, 50, HEAVY),
            at(&zone, DAY, 9, 55, 50, TRAUMATIC),
            at(&zone, DAY, 11, 0, 60, ROUTINE),
            at(&zone, DAY, 12, 45, 30, None),
            at(&zone, DAY, 17, 30, 60, HEAVY),
        ];
        let day = one_day(&sessions, &PacingPlan::default());
        assert_eq!(day.minutes, 50 + 50 + 60 + 30 + 60);
        assert_eq!(day.heavy_minutes, 50 + 50 + 60);
        assert_eq!(day.heavy_sessions, 3);
        assert_eq!(day.load, 100 + 150 + 60 + 30 + 120);
        let gaps: Vec<u32> = day.gaps.iter().map(|gap| gap.minutes).collect();
        assert_eq!(gaps, [5, 15, 45, 255]);
        assert_eq!(day.runs.len(), 1);
        assert_eq!(day.runs[0].sessions, 0..2);
        assert_eq!(day.runs[0].shortest_gap_minutes, 5);
        assert_eq!((day.runs[0].start.time(), day.runs[0].end.time()), (time(9, 0, 0, 0), time(10, 45, 0, 0)));
        assert_eq!(day.break_kept, Some(false));
        assert_eq!(day.minutes_outside_hours, 30);
        assert_eq!(day.length_minutes(), 1440);
    }

    #[test]
    fn back_to_back_means_less_than_the_minimum_gap() {
        let zone = london();
        let plan = PacingPlan::default();
        let exactly = one_day(&[at(&zone, DAY, 9, 0, 50, None), at(&zone, DAY, 10, 0, 50, None)], &plan);
        assert_eq!(exactly.gaps[0].minutes, 10);
        assert!(exactly.runs.is_empty());
        let short = one_day(&[at(&zone, DAY, 9, 0, 50, None), at(&zone, DAY, 9, 59, 50, None)], &plan);
        assert_eq!(short.runs.len(), 1);
        // Touching sessions have a gap of 0, and a gap of 0 in the plan never flags.
        let touching = [at(&zone, DAY, 9, 0, 60, None), at(&zone, DAY, 10, 0, 60, None)];
        assert_eq!(one_day(&touching, &plan).gaps[0].minutes, 0);
        assert!(one_day(&touching, &PacingPlan { min_gap_minutes: 0, ..plan }).runs.is_empty());
    }

    #[test]
    fn overlapping_sessions_merge_for_gaps() {
        let zone = london();
        // A long block with a short session inside it, then one 20 minutes after the block.
        let sessions = [
            at(&zone, DAY, 9, 0, 180, None),
            at(&zone, DAY, 9, 30, 10, None),
            at(&zone, DAY, 12, 20, 30, None),
            at(&zone, DAY, 12, 25, 10, None),
        ];
        let day = one_day(&sessions, &PacingPlan::default());
        let gaps: Vec<_> = day.gaps.iter().map(|gap| (gap.from.time(), gap.to.time(), gap.minutes, gap.next)).collect();
        assert_eq!(gaps, [(time(12, 0, 0, 0), time(12, 20, 0, 0), 20, 2)]);
        assert_eq!(day.runs.iter().map(|run| run.sessions.clone()).collect::<Vec<_>>(), [0..2, 2..4]);
        assert!(day.runs.iter().all(|run| run.shortest_gap_minutes == 0));
    }

    #[test]
    fn the_break_counts_only_on_working_days_with_a_break() {
        let zone = london();
        let plan = PacingPlan::default();
        assert_eq!(one_day(&[], &plan).break_kept, None);
        assert_eq!(one_day(&[at(&zone, DAY, 9, 0, 60, None)], &plan).break_kept, Some(true));
        // Ending exactly as the break starts, and starting as it ends, keeps it.
        let edges = [at(&zone, DAY, 11, 30, 60, None), at(&zone, DAY, 13, 0, 60, None)];
        assert_eq!(one_day(&edges, &plan).break_kept, Some(true));
        let into = [at(&zone, DAY, 12, 0, 31, None)];
        assert_eq!(one_day(&into, &plan).break_kept, Some(false));
        assert_eq!(one_day(&into, &PacingPlan { protected_break: None, ..plan }).break_kept, None);
    }

    #[test]
    fn each_flag_carries_its_evidence() {
        let zone = london();
        let plan = PacingPlan::default();
        let sessions = [
            at(&zone, DAY, 7, 0, 60, HEAVY),
            at(&zone, DAY, 8, 5, 60, HEAVY),
            at(&zone, DAY, 12, 15, 60, HEAVY),
            at(&zone, DAY, 15, 0, 30, TRAUMATIC),
        ];
        let flags = pacing_flags(&summarise_days(&sessions, &plan, &zone, DAY, DAY), &plan);
        let ids: Vec<_> = flags.iter().map(PacingFlag::id).collect();
        assert_eq!(ids, ["back_to_back", "no_break", "heavy_over_limit", "outside_hours"]);
        assert!(flags.iter().all(|flag| flag.date() == DAY));
        match &flags[0] {
            PacingFlag::BackToBack { sessions, shortest_gap_minutes, min_gap_minutes, .. } => {
                assert_eq!((sessions.as_slice(), *shortest_gap_minutes, *min_gap_minutes), (&[0, 1][..], 5, 10));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            flags[1],
            PacingFlag::NoBreak { date: DAY, break_start: time(12, 30, 0, 0), break_minutes: 30, sessions: vec![2] }
        );
        assert_eq!(
            flags[2],
            PacingFlag::HeavyOverLimit {
                date: DAY,
                heavy_sessions: 4,
                max_heavy_sessions: 3,
                heavy_minutes: 210,
                max_heavy_minutes: 180
            }
        );
        assert_eq!(
            flags[3],
            PacingFlag::OutsideHours {
                date: DAY,
                minutes: 60,
                sessions: vec![0],
                day_starts: time(8, 0, 0, 0),
                day_ends: time(18, 0, 0, 0)
            }
        );
    }

    #[test]
    fn heavy_limits_are_inclusive() {
        let zone = london();
        let plan = PacingPlan::default();
        let three =
            [at(&zone, DAY, 9, 0, 60, HEAVY), at(&zone, DAY, 10, 30, 60, HEAVY), at(&zone, DAY, 14, 0, 60, HEAVY)];
        assert!(pacing_flags(&summarise_days(&three, &plan, &zone, DAY, DAY), &plan).is_empty());
        let long = [at(&zone, DAY, 9, 0, 181, TRAUMATIC)];
        let flags = pacing_flags(&summarise_days(&long, &plan, &zone, DAY, DAY), &plan);
        assert!(
            matches!(flags[..], [PacingFlag::HeavyOverLimit { heavy_sessions: 1, heavy_minutes: 181, .. }]),
            "{flags:?}"
        );
    }

    fn working_days(zone: &TimeZone, days: &[Date]) -> Vec<WorkSession> {
        days.iter().map(|&day| at(zone, day, 10, 0, 60, ROUTINE)).collect()
    }

    fn dates(from: Date, count: i32) -> Vec<Date> {
        (0..count).map(|k| date_from_number(day_number(from) + k).unwrap()).collect()
    }

    #[test]
    fn too_many_days_in_a_row_reports_the_run() {
        let zone = london();
        let plan = PacingPlan::default();
        let first = date(2026, 5, 1);
        let mut worked = dates(first, 7);
        worked.extend(dates(date(2026, 5, 10), 5));
        let days = summarise_days(&working_days(&zone, &worked), &plan, &zone, first, date(2026, 5, 20));
        assert_eq!(
            pacing_flags(&days, &plan),
            [PacingFlag::TooManyDaysInARow {
                first_day: first,
                last_day: date(2026, 5, 7),
                days: 7,
                max_consecutive_days: 5
            }]
        );
        // A run still going on the last day is reported up to that day.
        let days = summarise_days(&working_days(&zone, &worked), &plan, &zone, first, date(2026, 5, 4));
        let flags = pacing_flags(&days, &plan);
        assert!(flags.is_empty(), "{flags:?}");
        let plan = PacingPlan { max_consecutive_days: 3, ..plan };
        let days = summarise_days(&working_days(&zone, &worked), &plan, &zone, first, date(2026, 5, 4));
        assert_eq!(pacing_flags(&days, &plan)[0].date(), date(2026, 5, 4));
    }

    #[test]
    fn days_since_a_day_off() {
        let zone = london();
        let plan = PacingPlan::default();
        let today = date(2026, 5, 12);
        let from = date(2026, 5, 1);
        // Worked 5–11 May (and today): the 4th was the last day off.
        let sessions = working_days(&zone, &dates(date(2026, 5, 5), 8));
        let days = summarise_days(&sessions, &plan, &zone, from, today);
        assert_eq!(days_since_day_off(&days, today), Some(8));
        // Today not worked yet: the same answer — today is not over.
        let days = summarise_days(&sessions[..7], &plan, &zone, from, today);
        assert_eq!(days_since_day_off(&days, today), Some(8));
        // Yesterday off.
        let days = summarise_days(&[], &plan, &zone, from, today);
        assert_eq!(days_since_day_off(&days, today), Some(1));
        // Every day in the data worked, or nothing before today: cannot tell.
        let days = summarise_days(&sessions, &plan, &zone, date(2026, 5, 6), today);
        assert_eq!(days_since_day_off(&days, today), None);
        assert_eq!(days_since_day_off(&days[days.len() - 1..], today), None);
        assert_eq!(days_since_day_off(&[], today), None);
    }

    #[test]
    fn loads_include_rest_days() {
        let zone = london();
        let sessions = [at(&zone, DAY, 9, 0, 60, TRAUMATIC), at(&zone, DAY, 11, 0, 30, None)];
        let loads = daily_load(&sessions, &zone, date(2026, 5, 11), date(2026, 5, 13));
        let values: Vec<_> = loads.iter().map(|l| (l.date, l.minutes, l.load)).collect();
        assert_eq!(values, [(date(2026, 5, 11), 0, 0), (DAY, 90, 210), (date(2026, 5, 13), 0, 0)]);
        assert!(daily_load(&sessions, &zone, DAY, date(2026, 5, 11)).is_empty());
    }

    #[test]
    fn load_ratio_needs_four_weeks_with_some_load() {
        let from = date(2026, 4, 1);
        let steady: Vec<DailyLoad> =
            dates(from, 40).into_iter().map(|date| DailyLoad { date, minutes: 100, load: 150 }).collect();
        assert_eq!(load_ratio(&steady, steady[27].date), Some(1.0));
        assert_eq!(load_ratio(&steady, steady[39].date), Some(1.0));
        assert_eq!(load_ratio(&steady, steady[26].date), None);
        assert_eq!(load_ratio(&steady, date(2026, 12, 1)), None);
        // The last week double the three before it: 7 × 2 / (21 + 14) × 4 = 1.6.
        let mut rising = steady.clone();
        for load in &mut rising[33..] {
            load.load = 300;
        }
        let ratio = load_ratio(&rising, rising[39].date).unwrap();
        assert!((ratio - 1.6).abs() < 1e-12, "{ratio}");
        let rest: Vec<DailyLoad> = steady.iter().map(|l| DailyLoad { load: 0, minutes: 0, ..*l }).collect();
        assert_eq!(load_ratio(&rest, rest[30].date), None);
        // A hole in the data is not a month of data.
        let mut holed = steady.clone();
        holed.remove(20);
        assert_eq!(load_ratio(&holed, holed[28].date), None);
    }
}
