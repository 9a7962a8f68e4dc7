//! The pacing arithmetic on sessions in real time zones: property tests for minutes, gaps,
//! runs and loads (with sessions across midnight and around the 2026 clock changes in London,
//! New York and Lord Howe Island, whose clocks move by half an hour), and worked examples of
//! the cases people will check by hand.

use ballast_core::exposure::{
    DailyLoad, DaySummary, Intensity, Minutes, PacingPlan, ProtectedBreak, SessionKind, WorkSession, daily_load,
    days_since_day_off, load_ratio, minutes_by_day, pacing_flags, summarise_days,
};
use jiff::civil::{Date, date, time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

const ZONES: [&str; 5] = ["UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"];

/// Days around each zone's 2026 clock changes (and an ordinary one), so random sessions land on
/// 23-, 23½-, 24½- and 25-hour days and across the changes themselves.
const ANCHORS: [Date; 7] = [
    date(2026, 3, 8),   // New York springs forward
    date(2026, 3, 29),  // London springs forward
    date(2026, 4, 5),   // Lord Howe falls back half an hour
    date(2026, 7, 15),  // nothing happens
    date(2026, 10, 4),  // Lord Howe springs forward half an hour
    date(2026, 10, 25), // London falls back
    date(2026, 11, 1),  // New York falls back
];

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

fn session(start: Timestamp, minutes: u16, intensity: Option<Intensity>) -> WorkSession {
    WorkSession {
        start,
        minutes: Minutes::new(minutes).unwrap(),
        kind: SessionKind::ClientSession,
        intensity,
        debriefed: false,
    }
}

/// A session at a local date and clock time.
fn local(tz: &TimeZone, day: Date, hour: i8, minute: i8, minutes: u16) -> WorkSession {
    session(tz.to_timestamp(day.at(hour, minute, 0, 0)).unwrap(), minutes, None)
}

fn intensity() -> impl Strategy<Value = Option<Intensity>> {
    prop_oneof![
        Just(None),
        Just(Some(Intensity::Routine)),
        Just(Some(Intensity::Heavy)),
        Just(Some(Intensity::Traumatic))
    ]
}

/// A zone and up to a dozen sessions within three days either side of an anchor day: most on
/// whole minutes as people enter them, some at odd seconds, lengths up to a full day.
fn scene() -> impl Strategy<Value = (TimeZone, Vec<WorkSession>)> {
    let sessions = prop::collection::vec(
        (
            -3 * 24 * 60..3 * 24 * 60i64,
            prop_oneof![3 => Just(0i64), 1 => 0..60i64],
            prop_oneof![3 => 1..=180u16, 1 => 1..=Minutes::MAX],
            intensity(),
        ),
        0..12,
    );
    (prop::sample::select(&ZONES[..]), prop::sample::select(&ANCHORS[..]), sessions).prop_map(
        |(name, anchor, sessions)| {
            let tz = zone(name);
            let noon = tz.to_timestamp(anchor.at(12, 0, 0, 0)).unwrap();
            let sessions = sessions
                .into_iter()
                .map(|(minute, second, minutes, intensity)| {
                    let start = noon.checked_add(SignedDuration::from_secs(minute * 60 + second)).unwrap();
                    session(start, minutes, intensity)
                })
                .collect();
            (tz, sessions)
        },
    )
}

fn plan() -> impl Strategy<Value = PacingPlan> {
    (0..=60u16, 1..=5u8, 30..=400u16, 1..=7u8, 6..=10i8, 16..=21i8, prop::option::of((11..=14i8, 5..=60u16))).prop_map(
        |(gap, heavy, heavy_minutes, days, starts, ends, pause)| PacingPlan {
            min_gap_minutes: gap,
            max_heavy_sessions_per_day: heavy,
            max_heavy_minutes_per_day: heavy_minutes,
            protected_break: pause.map(|(hour, minutes)| ProtectedBreak { start: time(hour, 0, 0, 0), minutes }),
            max_consecutive_days: days,
            day_starts: time(starts, 0, 0, 0),
            day_ends: time(ends, 0, 0, 0),
        },
    )
}

/// Summaries from the day before the earliest session to the day after the latest one ends.
fn whole_range(tz: &TimeZone, sessions: &[WorkSession], plan: &PacingPlan) -> Vec<DaySummary> {
    let (from, to) = range(tz, sessions);
    summarise_days(sessions, plan, tz, from, to)
}

fn range(tz: &TimeZone, sessions: &[WorkSession]) -> (Date, Date) {
    let first = sessions.iter().map(|s| s.start).min().unwrap_or(Timestamp::UNIX_EPOCH);
    let last = sessions.iter().map(WorkSession::end).max().unwrap_or(Timestamp::UNIX_EPOCH);
    (tz.to_datetime(first).date().yesterday().unwrap(), tz.to_datetime(last).date().tomorrow().unwrap())
}

fn day_after(day: Date, days: usize) -> Date {
    day.checked_add(jiff::Span::new().days(i64::try_from(days).unwrap())).unwrap()
}

fn nanos(from: Timestamp, to: Timestamp) -> i128 {
    to.duration_since(from).as_nanos()
}

const MINUTE: i128 = 60_000_000_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn minutes_are_conserved_across_days((tz, sessions) in scene(), plan in plan()) {
        let total: u32 = sessions.iter().map(|s| u32::from(s.minutes.get())).sum();
        let days = whole_range(&tz, &sessions, &plan);
        prop_assert_eq!(days.iter().map(|d| d.minutes).sum::<u32>(), total);

        // Each session's parts add up to it, on consecutive days, at most three of them
        // (a full day starting just before a 23-hour day reaches into a third).
        for (index, s) in sessions.iter().enumerate() {
            let parts: u32 =
                days.iter().flat_map(|d| &d.sessions).filter(|p| p.session == index).map(|p| p.minutes).sum();
            prop_assert_eq!(parts, u32::from(s.minutes.get()));
            let split = minutes_by_day(s, &tz);
            prop_assert!((1..=3).contains(&split.len()));
            prop_assert_eq!(split.iter().map(|(_, m)| m).sum::<u32>(), u32::from(s.minutes.get()));
            prop_assert!(split.windows(2).all(|w| w[0].0.tomorrow().unwrap() == w[1].0));
        }

        let (from, to) = range(&tz, &sessions);
        let loads = daily_load(&sessions, &tz, from, to);
        prop_assert_eq!(loads.iter().map(|l| l.minutes).sum::<u32>(), total);
        let day_loads: Vec<u32> = days.iter().map(|d| d.load).collect();
        prop_assert_eq!(loads.iter().map(|l| l.load).collect::<Vec<_>>(), day_loads);
    }

    #[test]
    fn days_are_local_and_the_right_length((tz, sessions) in scene(), plan in plan()) {
        let days = whole_range(&tz, &sessions, &plan);
        for pair in days.windows(2) {
            prop_assert_eq!(pair[0].date.tomorrow().unwrap(), pair[1].date);
            prop_assert_eq!(&pair[0].day_end, &pair[1].day_start);
        }
        for day in &days {
            prop_assert_eq!(day.day_start.date(), day.date);
            prop_assert_eq!(day.day_start.time(), time(0, 0, 0, 0));
            // 23, 23½, 24, 24½ or 25 hours.
            prop_assert!([1380, 1410, 1440, 1470, 1500].contains(&day.length_minutes()), "{}", day.length_minutes());
            for part in &day.sessions {
                prop_assert!(day.day_start <= part.start && part.start < part.end && part.end <= day.day_end);
                prop_assert_eq!(part.start.date(), day.date);
                prop_assert!(part.minutes_outside_hours <= part.minutes);
            }
            prop_assert!(day.sessions.windows(2).all(|w| w[0].start <= w[1].start));
        }
    }

    #[test]
    fn gaps_are_never_negative_and_fit_in_the_day((tz, sessions) in scene(), plan in plan()) {
        for day in whole_range(&tz, &sessions, &plan) {
            let parts: Vec<_> = day.sessions.iter().map(|p| (p.start.timestamp(), p.end.timestamp())).collect();
            // Busy time: the union of the parts, merged independently of the code under test.
            let mut merged: Vec<(Timestamp, Timestamp)> = Vec::new();
            for &(start, end) in &parts {
                match merged.last_mut() {
                    Some(last) if start < last.1 => last.1 = last.1.max(end),
                    _ => merged.push((start, end)),
                }
            }
            prop_assert_eq!(day.gaps.len(), merged.len().saturating_sub(1));
            let mut gap_time = 0;
            for (gap, pair) in day.gaps.iter().zip(merged.windows(2)) {
                prop_assert!(gap.from <= gap.to);
                prop_assert_eq!((gap.from.timestamp(), gap.to.timestamp()), (pair[0].1, pair[1].0));
                prop_assert_eq!(i128::from(gap.minutes), nanos(pair[0].1, pair[1].0) / MINUTE);
                prop_assert_eq!(day.sessions[gap.next].start.timestamp(), pair[1].0);
                gap_time += nanos(gap.from.timestamp(), gap.to.timestamp());
            }
            let busy: i128 = merged.iter().map(|&(start, end)| nanos(start, end)).sum();
            if let (Some(first), Some(last)) = (merged.first(), merged.last()) {
                prop_assert_eq!(gap_time + busy, nanos(first.0, last.1));
            }
            prop_assert!(gap_time + busy <= nanos(day.day_start.timestamp(), day.day_end.timestamp()));
        }
    }

    #[test]
    fn runs_are_maximal_and_close_together((tz, sessions) in scene(), plan in plan()) {
        let min_gap = i128::from(plan.min_gap_minutes) * MINUTE;
        for day in whole_range(&tz, &sessions, &plan) {
            // joined[i]: session i starts less than the plan's gap after everything before it ended.
            let mut joined = vec![false; day.sessions.len()];
            let mut busy_until = None;
            for (i, part) in day.sessions.iter().enumerate() {
                if let Some(until) = busy_until {
                    joined[i] = nanos(until, part.start.timestamp()).max(0) < min_gap;
                }
                busy_until = Some(busy_until.map_or(part.end.timestamp(), |u: Timestamp| u.max(part.end.timestamp())));
            }
            let mut in_run = vec![false; day.sessions.len()];
            for run in &day.runs {
                prop_assert!(run.sessions.len() >= 2);
                // Every session after the first is within the gap of the work before it...
                prop_assert!(run.sessions.clone().skip(1).all(|i| joined[i]));
                // ...and the run cannot be extended either way.
                prop_assert!(!joined[run.sessions.start]);
                prop_assert!(run.sessions.end == day.sessions.len() || !joined[run.sessions.end]);
                prop_assert!(u32::from(plan.min_gap_minutes) > run.shortest_gap_minutes);
                prop_assert_eq!(&run.start, &day.sessions[run.sessions.start].start);
                for i in run.sessions.clone() {
                    prop_assert!(!in_run[i]);
                    in_run[i] = true;
                }
            }
            // Every close pair is in some run.
            for (i, &close) in joined.iter().enumerate() {
                if close {
                    prop_assert!(in_run[i] && in_run[i - 1]);
                }
            }
        }
    }

    #[test]
    fn load_is_at_least_the_minutes((tz, sessions) in scene(), plan in plan()) {
        for day in whole_range(&tz, &sessions, &plan) {
            prop_assert!(day.load >= day.minutes);
            prop_assert!(day.load <= 3 * day.minutes);
            prop_assert!(day.heavy_minutes <= day.minutes);
            prop_assert!(day.heavy_sessions as usize <= day.sessions.len());
            prop_assert_eq!(day.load == day.minutes, day.sessions.iter().all(|p| !p.is_heavy()));
        }
    }

    #[test]
    fn flags_agree_with_the_days((tz, sessions) in scene(), plan in plan()) {
        let days = whole_range(&tz, &sessions, &plan);
        let flags = pacing_flags(&days, &plan);
        let runs: usize = days.iter().map(|d| d.runs.len()).sum();
        prop_assert_eq!(flags.iter().filter(|f| f.id() == "back_to_back").count(), runs);
        let no_break = days.iter().filter(|d| d.break_kept == Some(false)).count();
        prop_assert_eq!(flags.iter().filter(|f| f.id() == "no_break").count(), no_break);
        prop_assert!(flags.windows(2).all(|w| w[0].date() <= w[1].date()));
        for flag in &flags {
            let day = days.iter().find(|d| d.date == flag.date()).unwrap();
            prop_assert!(day.worked());
        }
    }

    #[test]
    fn an_empty_week_raises_no_flags(
        name in prop::sample::select(&ZONES[..]),
        anchor in prop::sample::select(&ANCHORS[..]),
        plan in plan(),
    ) {
        let tz = zone(name);
        let to = anchor.checked_add(jiff::Span::new().days(6)).unwrap();
        let days = summarise_days(&[], &plan, &tz, anchor, to);
        prop_assert_eq!(days.len(), 7);
        prop_assert!(pacing_flags(&days, &plan).is_empty());
        prop_assert!(days.iter().all(|d| d.load == 0 && d.break_kept.is_none() && d.gaps.is_empty()));
        prop_assert_eq!(days_since_day_off(&days, to), Some(1));
    }

    #[test]
    fn a_constant_load_has_a_ratio_of_one(load in 0..5000u32, extra in 0..40usize, at in 0..40usize) {
        let first = date(2026, 2, 1);
        let loads: Vec<DailyLoad> = (0..28 + extra)
            .map(|k| DailyLoad { date: day_after(first, k), minutes: load, load })
            .collect();
        let day = loads[27 + at.min(extra)].date;
        prop_assert_eq!(load_ratio(&loads, day), (load > 0).then_some(1.0));
        // Fewer than 28 days: nothing to say.
        prop_assert_eq!(load_ratio(&loads, loads[26].date), None);
    }

    #[test]
    fn load_ratios_stay_between_zero_and_four(loads in prop::collection::vec(0..2000u32, 28..60)) {
        let first = date(2026, 2, 1);
        let loads: Vec<DailyLoad> = loads
            .into_iter()
            .enumerate()
            .map(|(k, load)| DailyLoad { date: day_after(first, k), minutes: load, load })
            .collect();
        for day in &loads[27..] {
            if let Some(ratio) = load_ratio(&loads, day.date) {
                // The week is part of the month, so the ratio is at most 28 / 7.
                prop_assert!((0.0..=4.0).contains(&ratio));
            }
        }
    }
}

// --- worked examples --------------------------------------------------------------------------

#[test]
fn half_past_eleven_to_half_past_twelve_splits_thirty_thirty() {
    for name in ZONES {
        let tz = zone(name);
        for anchor in ANCHORS {
            let night = local(&tz, anchor, 23, 30, 60);
            let next = anchor.tomorrow().unwrap();
            assert_eq!(minutes_by_day(&night, &tz), [(anchor, 30), (next, 30)], "{name} {anchor}");
        }
    }
}

#[test]
fn a_morning_session_on_the_spring_forward_sunday() {
    for (name, sunday) in [("America/New_York", date(2026, 3, 8)), ("Europe/London", date(2026, 3, 29))] {
        let tz = zone(name);
        let nine = local(&tz, sunday, 9, 0, 60);
        let days = summarise_days(&[nine], &PacingPlan::default(), &tz, sunday, sunday);
        let day = &days[0];
        assert_eq!(day.length_minutes(), 23 * 60, "{name}");
        assert_eq!((day.sessions[0].start.time(), day.sessions[0].end.time()), (time(9, 0, 0, 0), time(10, 0, 0, 0)));
        assert_eq!((day.minutes, day.minutes_outside_hours), (60, 0));
        assert_eq!(day.break_kept, Some(true));

        // Ten hours from 23:30 on Saturday: 30 minutes on Saturday and 9½ hours on Sunday,
        // ending at 10:30 by the clock because the clocks skipped an hour.
        let saturday = sunday.yesterday().unwrap();
        let night = local(&tz, saturday, 23, 30, 600);
        assert_eq!(minutes_by_day(&night, &tz), [(saturday, 30), (sunday, 570)]);
        let days = summarise_days(&[night], &PacingPlan::default(), &tz, saturday, sunday);
        assert_eq!(days[1].sessions[0].end.time(), time(10, 30, 0, 0));
        // 00:00–08:00 by the clock, but only 7 hours of it happened.
        assert_eq!(days[1].minutes_outside_hours, 7 * 60);
    }
}

#[test]
fn the_fall_back_day_is_twenty_five_hours() {
    let tz = zone("America/New_York");
    let sunday = date(2026, 11, 1);
    let whole_day = local(&tz, sunday, 0, 0, 1440);
    let days = summarise_days(&[whole_day], &PacingPlan::default(), &tz, sunday, sunday);
    assert_eq!(days[0].length_minutes(), 25 * 60);
    // 24 hours from midnight end at 23:00 by the clock; the day still has an hour to go.
    assert_eq!(days[0].sessions[0].end.time(), time(23, 0, 0, 0));
    assert!(!days[0].sessions[0].into_next_day);
    assert_eq!(days[0].minutes, 1440);
}

#[test]
fn gaps_are_real_time_not_clock_time() {
    // On the spring-forward night a session ending at 01:50 and the next at 03:00 by the
    // clock are ten minutes apart.
    let tz = zone("America/New_York");
    let sunday = date(2026, 3, 8);
    let sessions = [local(&tz, sunday, 1, 0, 50), local(&tz, sunday, 3, 0, 50)];
    let plan = PacingPlan::default();
    let day = &summarise_days(&sessions, &plan, &tz, sunday, sunday)[0];
    assert_eq!(day.gaps[0].minutes, 10);
    assert!(day.runs.is_empty());
    let stricter = PacingPlan { min_gap_minutes: 11, ..plan };
    let day = &summarise_days(&sessions, &stricter, &tz, sunday, sunday)[0];
    assert_eq!(day.runs.len(), 1);
}

#[test]
fn exactly_the_minimum_gap_is_not_back_to_back() {
    let tz = zone("Europe/London");
    let day = date(2026, 6, 3);
    let plan = PacingPlan::default();
    let exactly = [local(&tz, day, 9, 0, 50), local(&tz, day, 10, 0, 50)];
    assert!(pacing_flags(&summarise_days(&exactly, &plan, &tz, day, day), &plan).is_empty());
    let a_minute_short = [local(&tz, day, 9, 0, 51), local(&tz, day, 10, 0, 50)];
    let flags = pacing_flags(&summarise_days(&a_minute_short, &plan, &tz, day, day), &plan);
    assert_eq!(flags.iter().map(|f| f.id()).collect::<Vec<_>>(), ["back_to_back"]);
    // Thirty seconds short is short too: the rule compares real durations.
    let mut seconds_short = exactly;
    seconds_short[1].start = seconds_short[1].start.checked_sub(SignedDuration::from_secs(30)).unwrap();
    assert_eq!(summarise_days(&seconds_short, &plan, &tz, day, day)[0].runs.len(), 1);
}

#[test]
fn days_off_are_counted_across_a_clock_change() {
    let tz = zone("Europe/London");
    let today = date(2026, 4, 2);
    // Worked every day from Friday 27 March, through the change on the 29th.
    let worked: Vec<WorkSession> = (0..7)
        .map(|k| local(&tz, date(2026, 3, 27).checked_add(jiff::Span::new().days(k)).unwrap(), 10, 0, 60))
        .collect();
    let days = summarise_days(&worked, &PacingPlan::default(), &tz, date(2026, 3, 20), today);
    assert_eq!(days_since_day_off(&days, today), Some(7));
    let flags = pacing_flags(&days, &PacingPlan::default());
    assert_eq!(flags.iter().map(|f| f.id()).collect::<Vec<_>>(), ["too_many_days_in_a_row"]);
}
