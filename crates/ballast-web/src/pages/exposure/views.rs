//! The week and day views: a timeline of the person's sessions and the gaps between them,
//! where the week stretched their own pacing plan, the days since their last day off, and
//! the load against the month around it.
//!
//! The arithmetic is `ballast_core::exposure`'s; this module gathers the sessions and puts
//! the results into words.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use ballast_core::exposure::{self, DailyLoad, DaySession, DaySummary, Intensity, PacingFlag, PacingPlan, WorkSession};
use ballast_store::StoredWorkSession;
use jiff::civil::{Date, Time};
use jiff::{Span, Timestamp, Zoned};
use serde::Deserialize;

use super::{plan_of, start_of};
use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::charts::{self, Stretch, TimelineRow};
use crate::error::{PageError, WebError};
use crate::pages::check_in::long_day;
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;

pub fn routes() -> Router<AppState> {
    Router::new().route("/exposure", get(week)).route("/exposure/day", get(day))
}

/// Days before the period that are summarised too: a run of working days can have begun
/// weeks earlier, the load ratio looks back 28 days, and the banner looks this far back for a
/// day off.
const LOOKBACK_DAYS: i32 = 90;

fn shift(day: Date, days: i32) -> Date {
    day.checked_add(Span::new().days(days)).unwrap_or(day)
}

/// "3 h 20 min", "50 min", "0 min".
pub(crate) fn duration_words(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The person's sessions around a period, summarised against their plan.
struct Period {
    sessions: Vec<StoredWorkSession>,
    days: Vec<DaySummary>,
    flags: Vec<PacingFlag>,
    loads: Vec<DailyLoad>,
    today: Date,
}

impl Period {
    /// Summarises `from..=to` and the [`LOOKBACK_DAYS`] before it, which the flags, the ratio
    /// and (when `to` is today or later) the day-off banner need.
    async fn gather(
        state: &AppState,
        current: &Current,
        plan: &PacingPlan,
        from: Date,
        to: Date,
    ) -> Result<Period, WebError> {
        let zone = current.user.time_zone.zone();
        let today = current.user.time_zone.today(Timestamp::now());
        let (first, last) = (shift(from, -LOOKBACK_DAYS), to);
        let (Some(start), Some(end)) = (start_of(first, &zone), start_of(shift(last, 1), &zone)) else {
            return Err(WebError::BadRequest("That date is too far from today to show.".into()));
        };
        let sessions = state.store.work_sessions(current.user.id, start, end).await?;
        let plain: Vec<WorkSession> = sessions.iter().map(|s| s.session).collect();
        let days = exposure::summarise_days(&plain, plan, &zone, first, last);
        let flags = exposure::pacing_flags(&days, plan);
        let loads = exposure::daily_load(&plain, &zone, first, last);
        Ok(Period { sessions, days, flags, loads, today })
    }

    /// Whether the summarised days reach from [`LOOKBACK_DAYS`] before today to today, as the
    /// day-off banner needs.
    fn reaches_today(&self) -> bool {
        let first = self.days.first().is_some_and(|d| d.date <= shift(self.today, -LOOKBACK_DAYS));
        first && self.days.last().is_some_and(|d| d.date >= self.today)
    }

    fn day(&self, date: Date) -> Option<&DaySummary> {
        self.days.iter().find(|d| d.date == date)
    }

    /// The flags that touch `from..=to`: those of its days, and runs of working days that
    /// overlap it.
    fn flags_within(&self, from: Date, to: Date) -> impl Iterator<Item = &PacingFlag> {
        self.flags.iter().filter(move |flag| match flag {
            PacingFlag::TooManyDaysInARow { first_day, last_day, .. } => *first_day <= to && *last_day >= from,
            other => (from..=to).contains(&other.date()),
        })
    }
}

// --- words -------------------------------------------------------------------------------------

fn time_words(time: Time) -> String {
    time.strftime("%H:%M").to_string()
}

fn zoned_clock(at: &Zoned) -> String {
    at.strftime("%H:%M").to_string()
}

/// One flag in a sentence, gently: what happened against what the person planned.
fn flag_words(flag: &PacingFlag) -> String {
    match flag {
        PacingFlag::BackToBack { sessions, start, end, shortest_gap_minutes, min_gap_minutes, .. } => format!(
            "{} back to back from {} to {}: the shortest gap was {} minutes, where your plan leaves {}.",
            plural(sessions.len(), "session", "sessions"),
            zoned_clock(start),
            zoned_clock(end),
            shortest_gap_minutes,
            min_gap_minutes
        ),
        PacingFlag::NoBreak { break_start, break_minutes, sessions, .. } => format!(
            "Work ran into your {break_minutes}-minute break at {} ({}).",
            time_words(*break_start),
            plural(sessions.len(), "session", "sessions")
        ),
        PacingFlag::HeavyOverLimit { heavy_sessions, max_heavy_sessions, heavy_minutes, max_heavy_minutes, .. } => {
            format!(
                "{} with heavy or traumatic content ({}), beyond the {} and {} your plan allows in a day.",
                plural(*heavy_sessions as usize, "session", "sessions"),
                duration_words(*heavy_minutes),
                plural(usize::from(*max_heavy_sessions), "session", "sessions"),
                duration_words(u32::from(*max_heavy_minutes))
            )
        }
        PacingFlag::OutsideHours { minutes, day_starts, day_ends, .. } => format!(
            "{} of work outside your working hours ({} to {}).",
            duration_words(*minutes),
            time_words(*day_starts),
            time_words(*day_ends)
        ),
        PacingFlag::TooManyDaysInARow { first_day, last_day, days, max_consecutive_days } => format!(
            "{days} working days in a row, from {} to {}; your plan has at most {max_consecutive_days}.",
            long_day(*first_day),
            long_day(*last_day)
        ),
    }
}

fn flag_title(flag: &PacingFlag) -> &'static str {
    match flag {
        PacingFlag::BackToBack { .. } => "Back to back",
        PacingFlag::NoBreak { .. } => "No break",
        PacingFlag::HeavyOverLimit { .. } => "Heavy content over your limit",
        PacingFlag::OutsideHours { .. } => "Outside your hours",
        PacingFlag::TooManyDaysInARow { .. } => "Many days in a row",
    }
}

struct FlagView {
    href: String,
    day: String,
    title: &'static str,
    text: String,
}

fn flag_view(flag: &PacingFlag) -> FlagView {
    let date = flag.date();
    FlagView {
        href: format!("/exposure/day?date={date}"),
        day: long_day(date),
        title: flag_title(flag),
        text: flag_words(flag),
    }
}

/// The number shown most prominently, with a sentence around it.
struct DayOffBanner {
    headline: String,
    detail: String,
    over_plan: bool,
}

fn day_off_banner(period: &Period, plan: &PacingPlan) -> DayOffBanner {
    let since = exposure::days_since_day_off(&period.days, period.today);
    let limit = u32::from(plan.max_consecutive_days);
    match since {
        Some(1) => DayOffBanner {
            headline: "Yesterday was a day off".into(),
            detail: "A full day with no sessions recorded.".into(),
            over_plan: false,
        },
        Some(days) => {
            let last_off = shift(period.today, -i32::try_from(days).unwrap_or(i32::MAX));
            let worked = days - 1;
            DayOffBanner {
                headline: format!("{days} days since your last full day off"),
                detail: if worked > limit {
                    format!(
                        "Your last day off was {}. That is {worked} working days before today, more than the {limit} in a row your plan allows.",
                        long_day(last_off)
                    )
                } else {
                    format!(
                        "Your last day off was {}. Your plan allows {limit} working days in a row.",
                        long_day(last_off)
                    )
                },
                over_plan: worked > limit,
            }
        }
        None => DayOffBanner {
            headline: format!("No full day off in the last {LOOKBACK_DAYS} days"),
            detail: "Every day we have has a session on it. If you had days off, they may be missing from your record."
                .into(),
            over_plan: true,
        },
    }
}

fn ratio_words(ratio: f64) -> String {
    format!("{ratio:.2}")
}

// --- timeline ------------------------------------------------------------------------------------

fn minute_of(at: &Zoned) -> u32 {
    u32::from(at.hour().unsigned_abs()) * 60 + u32::from(at.minute().unsigned_abs())
}

fn time_minute(time: Time) -> u32 {
    u32::from(time.hour().unsigned_abs()) * 60 + u32::from(time.minute().unsigned_abs())
}

fn intensity_class(intensity: Option<Intensity>) -> &'static str {
    match intensity {
        None => "session untagged",
        Some(Intensity::Routine) => "session routine",
        Some(Intensity::Heavy) => "session heavy",
        Some(Intensity::Traumatic) => "session traumatic",
    }
}

/// A session's stretch on its day's wall clock; parts that run on past midnight reach the
/// end of the row.
fn stretch_of(session: &DaySession) -> Stretch {
    let start = if session.from_previous_day { 0 } else { minute_of(&session.start) };
    let end = if session.into_next_day { 24 * 60 } else { minute_of(&session.end) };
    // A part ending in a repeated hour after a clock change can read earlier than it began.
    let end = if end < start && !session.into_next_day { 24 * 60 } else { end };
    Stretch { start, end, class: intensity_class(session.intensity) }
}

fn timeline_row(label: String, day: &DaySummary, plan: &PacingPlan) -> TimelineRow {
    let mut shading =
        vec![Stretch { start: time_minute(plan.day_starts), end: time_minute(plan.day_ends), class: "hours" }];
    if let Some(pause) = plan.protected_break {
        let start = time_minute(pause.start);
        shading.push(Stretch { start, end: start + u32::from(pause.minutes), class: "break" });
    }
    TimelineRow { label, shading, blocks: day.sessions.iter().map(stretch_of).collect() }
}

const TIMELINE_KEY: &str = "Shaded: your working hours, with your break darker. Blocks: sessions, darker as the content was heavier; outlined blocks have no intensity yet.";

// --- week ------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WeekQuery {
    week: String,
}

struct DayRow {
    href: String,
    label: String,
    sessions: usize,
    worked: String,
    heavy: String,
    load: u32,
    flags: usize,
    today: bool,
}

#[derive(Template)]
#[template(path = "exposure_week.html")]
struct WeekPage {
    layout: Layout,
    title: String,
    previous: String,
    next: String,
    this_week: Option<String>,
    has_sessions: bool,
    banner: DayOffBanner,
    flags: Vec<FlagView>,
    timeline: String,
    timeline_key: &'static str,
    days: Vec<DayRow>,
    worked: String,
    load: u32,
    ratio: Option<String>,
    ratio_day: String,
    untagged: usize,
}

fn monday_of(day: Date) -> Date {
    shift(day, -i32::from(day.weekday().to_monday_zero_offset()))
}

async fn week(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let today = current.user.time_zone.today(Timestamp::now());
    let chosen = match query.week.trim() {
        "" => today,
        text => text.parse::<Date>().map_err(|_| {
            WebError::BadRequest(format!("Choose a week by one of its days, written as a date such as {today}."))
        })?,
    };
    let from = monday_of(chosen);
    let to = shift(from, 6);
    let plan = plan_of(&state, &current).await?;
    let period = Period::gather(&state, &current, &plan, from, to).await?;
    // A week in the past does not reach today: the banner, about today, reads its own days.
    let banner = if period.reaches_today() {
        day_off_banner(&period, &plan)
    } else {
        day_off_banner(&Period::gather(&state, &current, &plan, today, today).await?, &plan)
    };

    let week_days: Vec<&DaySummary> = period.days.iter().filter(|d| (from..=to).contains(&d.date)).collect();
    let flags: Vec<&PacingFlag> = period.flags_within(from, to).collect();
    let days: Vec<DayRow> = week_days
        .iter()
        .map(|day| DayRow {
            href: format!("/exposure/day?date={}", day.date),
            label: long_day(day.date),
            sessions: day.sessions.len(),
            worked: duration_words(day.minutes),
            heavy: duration_words(day.heavy_minutes),
            load: day.load,
            flags: flags.iter().filter(|f| f.date() == day.date).count(),
            today: day.date == today,
        })
        .collect();
    let session_count: usize = week_days.iter().map(|d| d.sessions.len()).sum();
    let worked: u32 = week_days.iter().map(|d| d.minutes).sum();
    let rows: Vec<TimelineRow> =
        week_days.iter().map(|day| timeline_row(day.date.strftime("%a %-d").to_string(), day, &plan)).collect();
    let description = format!(
        "{} from {} to {}, {} in all. {TIMELINE_KEY} The table below lists each day.",
        plural(session_count, "session", "sessions"),
        long_day(from),
        long_day(to),
        duration_words(worked)
    );
    let title = format!("Week of {}", from.strftime("%-d %B %Y"));
    let ratio_day = if (from..=to).contains(&today) { today } else { to };
    let untagged = period
        .sessions
        .iter()
        .filter(|s| s.session.intensity.is_none())
        .filter(|s| (from..=to).contains(&s.session.start.to_zoned(current.user.time_zone.zone()).date()))
        .count();
    let page = WeekPage {
        layout: Layout::new(&title, Some(&current), &csrf),
        previous: format!("/exposure?week={}", shift(from, -7)),
        next: format!("/exposure?week={}", shift(from, 7)),
        this_week: (!(from..=to).contains(&today)).then(|| "/exposure".to_owned()),
        has_sessions: !period.sessions.is_empty(),
        banner,
        flags: flags.into_iter().map(flag_view).collect(),
        timeline: charts::timeline("week", &title, &description, &rows),
        timeline_key: TIMELINE_KEY,
        days,
        worked: duration_words(worked),
        load: week_days.iter().map(|d| d.load).sum(),
        ratio: exposure::load_ratio(&period.loads, ratio_day).map(ratio_words),
        ratio_day: long_day(ratio_day),
        untagged,
        title,
    };
    Ok(html(&page))
}

// --- day ---------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DayQuery {
    date: String,
    added: String,
}

/// A line of the day's timeline: a session (which can be deleted) or the gap before one.
struct DayEntry {
    when: String,
    what: String,
    delete: Option<i64>,
    gap: bool,
    short_gap: bool,
}

#[derive(Template)]
#[template(path = "exposure_day.html")]
struct DayPage {
    layout: Layout,
    title: String,
    date: String,
    added: bool,
    previous: String,
    next: String,
    week: String,
    entries: Vec<DayEntry>,
    flags: Vec<FlagView>,
    timeline: String,
    worked: String,
    heavy: String,
    load: u32,
    min_gap: u16,
}

fn session_words(day: &DaySession, stored: &StoredWorkSession) -> String {
    let mut words = vec![day.kind.label().to_owned()];
    words.push(match day.intensity {
        Some(intensity) => intensity.label().to_owned(),
        None => "no intensity yet".to_owned(),
    });
    words.push(duration_words(day.minutes));
    if stored.session.debriefed {
        words.push("debriefed".into());
    }
    if day.from_previous_day {
        words.push("continued from the day before".into());
    }
    if day.into_next_day {
        words.push("ran on past midnight".into());
    }
    if stored.imported {
        words.push("from your calendar".into());
    }
    words.join(" · ")
}

async fn day(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<DayQuery>,
) -> Result<Response, PageError> {
    let today = current.user.time_zone.today(Timestamp::now());
    let date = query
        .date
        .trim()
        .parse::<Date>()
        .map_err(|_| WebError::BadRequest(format!("Choose a day, written as a date such as {today}.")))?;
    let plan = plan_of(&state, &current).await?;
    let period = Period::gather(&state, &current, &plan, date, date).await?;
    let summary =
        period.day(date).ok_or_else(|| WebError::BadRequest("That date is too far from today to show.".into()))?;

    let mut entries = Vec::new();
    for (position, session) in summary.sessions.iter().enumerate() {
        if let Some(gap) = summary.gaps.iter().find(|g| g.next == position) {
            entries.push(DayEntry {
                when: format!("{}–{}", zoned_clock(&gap.from), zoned_clock(&gap.to)),
                what: format!("A gap of {}", duration_words(gap.minutes)),
                delete: None,
                gap: true,
                short_gap: gap.minutes < u32::from(plan.min_gap_minutes),
            });
        }
        let stored = &period.sessions[session.session];
        entries.push(DayEntry {
            when: format!("{}–{}", zoned_clock(&session.start), zoned_clock(&session.end)),
            what: session_words(session, stored),
            delete: Some(stored.id.0),
            gap: false,
            short_gap: false,
        });
    }
    let flags: Vec<FlagView> = period.flags_within(date, date).map(flag_view).collect();
    let title = long_day(date);
    let description = format!(
        "{} on {title}, {} in all. {TIMELINE_KEY} The list below gives each session and gap.",
        plural(summary.sessions.len(), "session", "sessions"),
        duration_words(summary.minutes)
    );
    let row = timeline_row(date.strftime("%a %-d").to_string(), summary, &plan);
    let page = DayPage {
        layout: Layout::new(&title, Some(&current), &csrf),
        date: date.to_string(),
        added: query.added == "1",
        previous: format!("/exposure/day?date={}", shift(date, -1)),
        next: format!("/exposure/day?date={}", shift(date, 1)),
        week: format!("/exposure?week={date}"),
        entries,
        flags,
        timeline: charts::timeline("day", &title, &description, &[row]),
        worked: duration_words(summary.minutes),
        heavy: duration_words(summary.heavy_minutes),
        load: summary.load,
        min_gap: plan.min_gap_minutes,
        title,
    };
    Ok(html(&page))
}
