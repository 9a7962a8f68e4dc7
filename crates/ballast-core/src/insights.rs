//! The arithmetic behind a person's own insights dashboard: a calendar of their check-ins, how
//! often each of their warning signs turned up, and simple comparisons between what they note
//! (what restored them, how long they slept) and how they felt ("what drains and what
//! restores").
//!
//! Everything here is a pure function of what the caller passes in: no clock, no I/O, no
//! randomness. The functions count and average; they never word anything for people (the web
//! layer does that) and they never claim that one thing causes another. An association is an
//! observation about a person's own days — "on days after you noted a walk, your energy was
//! higher on average" — nothing more.
//!
//! Conventions, shared with [`crate::signals`]: when two entries carry the same date, the later
//! one in the slice wins (callers store one per day, so this only matters for malformed input);
//! input order does not otherwise matter. Directions of the measures: energy and mood run from
//! 0 (empty, very low) to 10 (full, very good), so higher is better; the strain index
//! ([`DailyMeasures::strain_index`]) runs from 0 (no strain) to 10, so **higher strain is
//! harder**.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Span;
use jiff::civil::Date;
use unicode_normalization::UnicodeNormalization;

use crate::signals::{CheckInDay, DailyMeasures, Measure};

// ---------------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------------

/// What the calendar shows for a day with a check-in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayMark {
    /// The day's strain index, 0–10, higher is harder; `None` when the check-in had too few
    /// answers for one (see [`crate::signals::MIN_STRAIN_COMPONENTS`]).
    pub strain: Option<f64>,
    /// How many of the person's warning signs showed up that day.
    pub signs: usize,
}

/// One day of a calendar month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalendarDay {
    pub date: Date,
    /// Whether the day lies inside the period asked for. Days of the first and last month
    /// outside it are still laid out (so that every month is a whole month) but never marked.
    pub in_range: bool,
    /// The day's check-in, if it has one and is in range.
    pub check_in: Option<DayMark>,
}

/// One calendar month, laid out in weeks.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarMonth {
    pub year: i16,
    /// 1 = January … 12 = December.
    pub month: i8,
    /// Four to six weeks, Monday first. A cell is `None` when that weekday of the week
    /// belongs to the previous or the next month.
    pub weeks: Vec<[Option<CalendarDay>; 7]>,
}

/// The calendar months covering `from..=to`, in order, each laid out Monday first, with the
/// check-ins among `days` marked on the days in range. Check-ins outside `from..=to` are not
/// marked even when their day is shown, so the calendar agrees with the period's other
/// figures. Empty when `from > to`.
pub fn calendar(from: Date, to: Date, days: &[CheckInDay]) -> Vec<CalendarMonth> {
    if from > to {
        return Vec::new();
    }
    let mut marks: BTreeMap<Date, DayMark> = BTreeMap::new();
    for day in days.iter().filter(|d| from <= d.date && d.date <= to) {
        marks.insert(day.date, DayMark { strain: day.measures.strain_index(), signs: day.warning_signs.len() });
    }
    let mut months = Vec::new();
    let mut first = from.first_of_month();
    loop {
        months.push(month_of(first, from, to, &marks));
        match first.checked_add(Span::new().months(1)) {
            Ok(next) if next <= to => first = next,
            _ => break,
        }
    }
    months
}

fn month_of(first: Date, from: Date, to: Date, marks: &BTreeMap<Date, DayMark>) -> CalendarMonth {
    let lead = first.weekday().to_monday_zero_offset() as usize;
    let length = first.days_in_month();
    let mut weeks = vec![[None; 7]; (lead + length as usize).div_ceil(7)];
    for day in 1..=length {
        let date = jiff::civil::date(first.year(), first.month(), day);
        let in_range = from <= date && date <= to;
        let cell = lead + day as usize - 1;
        weeks[cell / 7][cell % 7] =
            Some(CalendarDay { date, in_range, check_in: if in_range { marks.get(&date).copied() } else { None } });
    }
    CalendarMonth { year: first.year(), month: first.month(), weeks }
}

// ---------------------------------------------------------------------------------------------
// Warning-sign frequency
// ---------------------------------------------------------------------------------------------

/// How often each warning sign turned up over a period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignTally {
    /// Days in the period with a check-in: the denominator for every count below.
    pub check_in_days: u32,
    /// Each sign that turned up at least once, with the number of check-in days it turned up
    /// on; most frequent first, ties by id.
    pub signs: Vec<(String, u32)>,
}

/// Counts, over the check-ins dated `from..=to`, on how many days each warning sign showed up.
/// A sign counts at most once per day. Signs that never showed up are absent (the caller knows
/// the person's full list and can show them as "not noted").
pub fn sign_frequency(days: &[CheckInDay], from: Date, to: Date) -> SignTally {
    let mut by_date: BTreeMap<Date, &CheckInDay> = BTreeMap::new();
    for day in days.iter().filter(|d| from <= d.date && d.date <= to) {
        by_date.insert(day.date, day);
    }
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for day in by_date.values() {
        for sign in &day.warning_signs {
            *counts.entry(sign.as_str()).or_default() += 1;
        }
    }
    let mut signs: Vec<(String, u32)> = counts.into_iter().map(|(id, n)| (id.to_owned(), n)).collect();
    signs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    SignTally { check_in_days: by_date.len() as u32, signs }
}

// ---------------------------------------------------------------------------------------------
// Associations: what drains and what restores
// ---------------------------------------------------------------------------------------------

/// Neither side of a comparison may rest on fewer days than this.
///
/// Why 7: a mean of a few days is dominated by one or two unusual ones. Everyday 0–10 ratings
/// typically move 1.5–2 points from day to day, so a 7-day mean is uncertain by roughly ±0.7
/// and a difference between two 7-day means by roughly ±1 point; with fewer days chance
/// differences of one or two points would be common, and those are exactly the sizes that
/// would look meaningful. Seven days also means at least a week's worth of days on each side
/// (for someone checking in daily, every weekday can be represented), so a pattern of, say,
/// walks only at weekends is less likely to pass as an effect of walking. Even at this size a
/// difference of under about a point is well within chance; the web layer should word every
/// association as an observation, never as a cause.
pub const MIN_GROUP_DAYS: u32 = 7;

/// Sleep under this many hours last night counts as short.
pub const SHORT_SLEEP_HOURS: f64 = 6.0;

/// Sleep of at least this many hours counts as enough. Nights between [`SHORT_SLEEP_HOURS`]
/// and this are left out of the comparison, so that it compares clearly short nights with
/// clearly adequate ones rather than splitting hairs around one cut-off.
pub const ENOUGH_SLEEP_HOURS: f64 = 7.0;

/// One check-in day with the inputs that associations compare.
#[derive(Debug, Clone, PartialEq)]
pub struct AssociationDay {
    pub day: CheckInDay,
    /// Hours slept last night, if given.
    pub sleep_hours: Option<f64>,
    /// "One thing that restored me", already unsealed by the caller. Compared after
    /// [`normalise_restorer`], so "A walk " and "a  walk" are the same restorer. Blank counts as
    /// none.
    pub restorer: Option<String>,
    /// Whether the person used the rescue kit that day (a practice, or reaching out).
    pub used_kit: bool,
}

/// What a comparison splits days by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Factor {
    /// Days on which the person noted this restorer (normalised, see [`normalise_restorer`])
    /// against days they noted something else or nothing; the outcome is taken from the next
    /// calendar day's check-in.
    Restorer(String),
    /// Days on which the person noted any restorer against days they noted none; the outcome
    /// is taken from the next calendar day's check-in. Left out when it would split the days
    /// exactly as one [`Factor::Restorer`] does (someone who always notes the same thing), as
    /// the named restorer says the same more concretely.
    AnyRestorer,
    /// Days after a short night (under [`SHORT_SLEEP_HOURS`]) against days after a night of
    /// at least [`ENOUGH_SLEEP_HOURS`]; the outcome is taken from the same day's check-in,
    /// because the sleep asked about is last night's. Nights in between are left out.
    ShortSleep,
    /// Days on which the person used the rescue kit against days they did not; like a
    /// restorer, the outcome is taken from the next calendar day's check-in, and a day counts
    /// only when it has a check-in itself (so "did not use it" means a day the person was
    /// here and chose otherwise, not a day nothing is known about).
    UsedKit,
}

/// What a comparison measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// A raw check-in measure (see [`Measure`] for each one's direction).
    Measure(Measure),
    /// The day's strain index, 0–10: **higher strain is harder**.
    Strain,
}

impl Outcome {
    /// The outcomes [`associations`] compares: energy, mood and the strain index.
    pub const COMPARED: [Outcome; 3] =
        [Outcome::Measure(Measure::Energy), Outcome::Measure(Measure::Mood), Outcome::Strain];

    /// A stable identifier: the measure's ([`Measure::as_str`]) or `"strain"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Measure(measure) => measure.as_str(),
            Outcome::Strain => "strain",
        }
    }

    /// `Some(true)` when a higher value is better (energy, mood, sleep quality),
    /// `Some(false)` when it is harder (dread, intrusive images, the strain index), `None` for
    /// the empathy dial, whose both ends are strain.
    pub fn higher_is_better(self) -> Option<bool> {
        match self {
            Outcome::Measure(Measure::Energy | Measure::Mood | Measure::SleepQuality) => Some(true),
            Outcome::Measure(Measure::Dread | Measure::IntrusiveImages) | Outcome::Strain => Some(false),
            Outcome::Measure(Measure::EmpathyDial) => None,
        }
    }

    /// The outcome's value on a day, if the check-in has it.
    pub fn of(self, measures: &DailyMeasures) -> Option<f64> {
        match self {
            Outcome::Measure(measure) => measures.raw(measure),
            Outcome::Strain => measures.strain_index(),
        }
    }
}

/// One side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupSummary {
    /// How many days (pairs of days, for next-day factors) it rests on.
    pub days: u32,
    /// The mean outcome over them, in the outcome's own points.
    pub mean: f64,
}

/// A comparison of an outcome between days with and without a factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Association {
    pub factor: Factor,
    pub outcome: Outcome,
    /// Days with the factor.
    pub with: GroupSummary,
    /// Days without it.
    pub without: GroupSummary,
    /// `with.mean − without.mean`, in points of the outcome. For energy and mood a positive
    /// difference means the outcome was *better* with the factor; for strain a positive
    /// difference means it was *harder* (so a restorer that helps shows a negative strain
    /// difference).
    pub difference: f64,
}

/// How a restorer's text is compared: Unicode-normalised (NFC), lower-cased, with leading and
/// trailing whitespace removed and inner runs of whitespace collapsed to one space. `None`
/// when nothing is left.
pub fn normalise_restorer(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.nfc().flat_map(char::to_lowercase));
    }
    (!out.is_empty()).then_some(out)
}

/// The comparisons between the person's own inputs and how they felt, largest difference
/// first, at most `max` of them.
///
/// For each outcome in [`Outcome::COMPARED`] and each [`Factor`], the qualifying days are
/// split in two and the outcome averaged on each side. For restorer factors a day qualifies
/// when the next calendar day has a check-in with that outcome; for short sleep, when the day
/// itself has the outcome and a sleep duration outside the excluded middle. A comparison is
/// returned only when both sides hold at least [`MIN_GROUP_DAYS`] days. Days after `today` are
/// ignored.
///
/// Sorted by the size of the difference, regardless of direction (ties by factor, then
/// outcome). Note that picking the largest of many comparisons favours differences that are
/// partly chance; the caller should show them as what happened on the person's own days, and
/// may well want to leave out differences of under a point.
pub fn associations(days: &[AssociationDay], today: Date, max: usize) -> Vec<Association> {
    let mut by_date: BTreeMap<Date, &AssociationDay> = BTreeMap::new();
    for day in days.iter().filter(|d| d.day.date <= today) {
        by_date.insert(day.day.date, day);
    }
    let restorers: BTreeMap<Date, Option<String>> =
        by_date.iter().map(|(date, day)| (*date, day.restorer.as_deref().and_then(normalise_restorer))).collect();

    let mut found = Vec::new();
    for outcome in Outcome::COMPARED {
        // (what was restoring on day D, the outcome on day D + 1)
        let next_day: Vec<(Option<&str>, f64)> = by_date
            .keys()
            .filter_map(|date| {
                let next = by_date.get(&date.tomorrow().ok()?)?;
                Some((restorers[date].as_deref(), outcome.of(&next.day.measures)?))
            })
            .collect();

        let any_with = next_day.iter().filter(|(r, _)| r.is_some()).count();
        let names: BTreeSet<&str> = next_day.iter().filter_map(|(r, _)| *r).collect();
        let mut any_is_one_restorer = false;
        for name in names {
            let with = next_day.iter().filter(|(r, _)| *r == Some(name)).count();
            any_is_one_restorer |= with == any_with;
            if with < MIN_GROUP_DAYS as usize {
                continue;
            }
            let split = next_day.iter().map(|(r, v)| (*r == Some(name), *v));
            found.extend(compare(Factor::Restorer(name.to_owned()), outcome, split));
        }
        if !any_is_one_restorer {
            found.extend(compare(Factor::AnyRestorer, outcome, next_day.iter().map(|(r, v)| (r.is_some(), *v))));
        }

        let kit = by_date.iter().filter_map(|(date, day)| {
            let next = by_date.get(&date.tomorrow().ok()?)?;
            Some((day.used_kit, outcome.of(&next.day.measures)?))
        });
        found.extend(compare(Factor::UsedKit, outcome, kit));

        let sleep = by_date.values().filter_map(|d| {
            let hours = d.sleep_hours?;
            let short = if hours < SHORT_SLEEP_HOURS {
                true
            } else if hours >= ENOUGH_SLEEP_HOURS {
                false
            } else {
                return None;
            };
            Some((short, outcome.of(&d.day.measures)?))
        });
        found.extend(compare(Factor::ShortSleep, outcome, sleep));
    }
    found.sort_by(|a: &Association, b: &Association| {
        b.difference
            .abs()
            .total_cmp(&a.difference.abs())
            .then_with(|| a.factor.cmp(&b.factor))
            .then_with(|| a.outcome.cmp(&b.outcome))
    });
    found.truncate(max);
    found
}

/// Splits `(has the factor, outcome)` pairs and compares the two means, if both sides are big
/// enough.
fn compare(factor: Factor, outcome: Outcome, pairs: impl Iterator<Item = (bool, f64)>) -> Option<Association> {
    let (mut with, mut without) = ((0u32, 0.0), (0u32, 0.0));
    for (has, value) in pairs.filter(|(_, v)| v.is_finite()) {
        let side = if has { &mut with } else { &mut without };
        side.0 += 1;
        side.1 += value;
    }
    if with.0 < MIN_GROUP_DAYS || without.0 < MIN_GROUP_DAYS {
        return None;
    }
    let with = GroupSummary { days: with.0, mean: with.1 / f64::from(with.0) };
    let without = GroupSummary { days: without.0, mean: without.1 / f64::from(without.0) };
    Some(Association { factor, outcome, with, without, difference: with.mean - without.mean })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::{Dial, Rating};
    use jiff::civil::{Weekday, date};
    use proptest::prelude::*;

    const START: Date = date(2026, 1, 5);

    fn day(i: i32) -> Date {
        START.checked_add(Span::new().days(i)).unwrap()
    }

    fn measures(energy: u8, mood: Option<u8>) -> DailyMeasures {
        DailyMeasures {
            energy: Rating::new(energy),
            mood: mood.and_then(Rating::new),
            sleep_quality: Rating::new(5),
            empathy_dial: Dial::new(0),
            ..DailyMeasures::default()
        }
    }

    fn check_in(date: Date, energy: u8, signs: &[&str]) -> CheckInDay {
        let mut day = CheckInDay::new(date, measures(energy, Some(5)));
        day.warning_signs = signs.iter().map(|s| (*s).to_owned()).collect();
        day
    }

    fn assoc_day(date: Date, energy: u8, sleep: Option<f64>, restorer: Option<&str>) -> AssociationDay {
        AssociationDay {
            day: check_in(date, energy, &[]),
            sleep_hours: sleep,
            restorer: restorer.map(str::to_owned),
            used_kit: false,
        }
    }

    fn cells(month: &CalendarMonth) -> Vec<Option<CalendarDay>> {
        month.weeks.iter().flatten().copied().collect()
    }

    // --- calendar ------------------------------------------------------------------------

    #[test]
    fn a_month_starting_on_sunday_takes_six_weeks() {
        assert_eq!(date(2026, 3, 1).weekday(), Weekday::Sunday);
        let months = calendar(date(2026, 3, 1), date(2026, 3, 31), &[]);
        assert_eq!(months.len(), 1);
        let march = &months[0];
        assert_eq!((march.year, march.month), (2026, 3));
        assert_eq!(march.weeks.len(), 6);
        assert!(march.weeks[0][..6].iter().all(Option::is_none), "Monday to Saturday belong to February");
        assert_eq!(march.weeks[0][6].unwrap().date, date(2026, 3, 1));
        assert_eq!(march.weeks[5][1].unwrap().date, date(2026, 3, 31), "31 March 2026 is a Tuesday");
        assert!(march.weeks[5][2..].iter().all(Option::is_none));
        assert!(cells(march).iter().flatten().all(|d| d.in_range && d.check_in.is_none()));
    }

    #[test]
    fn february_in_leap_and_common_years() {
        let leap = &calendar(date(2024, 2, 10), date(2024, 2, 10), &[])[0];
        let days: Vec<CalendarDay> = cells(leap).into_iter().flatten().collect();
        assert_eq!(days.len(), 29);
        assert_eq!(days.last().unwrap().date, date(2024, 2, 29));
        assert_eq!(date(2024, 2, 1).weekday(), Weekday::Thursday);
        assert_eq!(leap.weeks[0][3].unwrap().date, date(2024, 2, 1));
        assert_eq!(leap.weeks.len(), 5);
        assert_eq!(days.iter().filter(|d| d.in_range).count(), 1);

        // 1 February 2021 was a Monday and the month had 28 days: exactly four whole weeks.
        let tidy = &calendar(date(2021, 2, 1), date(2021, 2, 28), &[])[0];
        assert_eq!(tidy.weeks.len(), 4);
        assert!(cells(tidy).iter().all(Option::is_some));
        // February 2026 starts on a Sunday.
        let sunday = &calendar(date(2026, 2, 1), date(2026, 2, 1), &[])[0];
        assert_eq!(sunday.weeks.len(), 5);
        assert_eq!(sunday.weeks[0][6].unwrap().date, date(2026, 2, 1));
    }

    #[test]
    fn range_edges_and_marks() {
        let days = [
            check_in(date(2025, 11, 14), 3, &["numb"]),
            check_in(date(2025, 11, 15), 4, &["numb", "brain-fog"]),
            check_in(date(2025, 12, 20), 8, &[]),
            check_in(date(2025, 12, 21), 8, &["numb"]),
            CheckInDay::new(date(2025, 12, 1), DailyMeasures { energy: Rating::new(2), ..DailyMeasures::default() }),
        ];
        let months = calendar(date(2025, 11, 15), date(2025, 12, 20), &days);
        assert_eq!(months.iter().map(|m| (m.year, m.month)).collect::<Vec<_>>(), [(2025, 11), (2025, 12)]);
        let all: Vec<CalendarDay> = months.iter().flat_map(cells).flatten().collect();
        assert_eq!(all.len(), 30 + 31, "whole months are laid out");
        let find = |d: Date| *all.iter().find(|c| c.date == d).unwrap();
        assert!(!find(date(2025, 11, 14)).in_range && find(date(2025, 11, 14)).check_in.is_none(), "before the range");
        assert!(find(date(2025, 11, 15)).in_range);
        assert_eq!(find(date(2025, 11, 15)).check_in.unwrap().signs, 2);
        assert!(find(date(2025, 11, 15)).check_in.unwrap().strain.is_some());
        assert!(find(date(2025, 12, 20)).in_range && find(date(2025, 12, 20)).check_in.is_some(), "last day included");
        assert!(!find(date(2025, 12, 21)).in_range && find(date(2025, 12, 21)).check_in.is_none(), "after the range");
        let short = find(date(2025, 12, 1)).check_in.unwrap();
        assert_eq!((short.strain, short.signs), (None, 0), "a one-answer check-in has no strain index");
        assert_eq!(all.iter().filter(|d| d.check_in.is_some()).count(), 3);
    }

    #[test]
    fn empty_and_reversed_ranges() {
        assert!(calendar(date(2025, 12, 2), date(2025, 12, 1), &[]).is_empty());
        let months = calendar(date(2025, 12, 31), date(2026, 1, 1), &[]);
        assert_eq!(months.iter().map(|m| (m.year, m.month)).collect::<Vec<_>>(), [(2025, 12), (2026, 1)]);
        let year = calendar(date(2025, 1, 1), date(2025, 12, 31), &[]);
        assert_eq!(year.len(), 12);
    }

    // --- sign frequency --------------------------------------------------------------------

    #[test]
    fn signs_are_counted_once_per_day_and_sorted() {
        let days = [
            check_in(day(0), 5, &["numb", "tearful"]),
            check_in(day(1), 5, &["tearful"]),
            check_in(day(2), 5, &["brain-fog", "tearful"]),
            check_in(day(3), 5, &[]),
            check_in(day(4), 5, &["numb"]),
            check_in(day(5), 5, &["run-down"]),
            check_in(day(9), 5, &["numb", "run-down"]),
        ];
        let tally = sign_frequency(&days, day(0), day(5));
        assert_eq!(tally.check_in_days, 6);
        let expected = [("tearful", 3), ("numb", 2), ("brain-fog", 1), ("run-down", 1)];
        assert_eq!(tally.signs, expected.map(|(s, n)| (s.to_owned(), n)));

        let edges = sign_frequency(&days, day(1), day(1));
        assert_eq!(edges, SignTally { check_in_days: 1, signs: vec![("tearful".to_owned(), 1)] });
        assert_eq!(sign_frequency(&[], day(0), day(9)), SignTally::default());
        assert_eq!(sign_frequency(&days, day(5), day(0)), SignTally::default(), "reversed range is empty");

        // The same date twice: the later entry wins.
        let twice = [check_in(day(0), 5, &["numb"]), check_in(day(0), 5, &["tearful"])];
        assert_eq!(sign_frequency(&twice, day(0), day(0)).signs, vec![("tearful".to_owned(), 1)]);
    }

    // --- associations ----------------------------------------------------------------------

    #[test]
    fn restorers_are_normalised() {
        assert_eq!(normalise_restorer("  A   walk\t"), Some("a walk".to_owned()));
        assert_eq!(normalise_restorer("a walk"), Some("a walk".to_owned()));
        assert_eq!(normalise_restorer("CAFE\u{301}"), normalise_restorer("caf\u{e9}"), "composed and decomposed");
        assert_eq!(normalise_restorer(" \n "), None);
        assert_eq!(normalise_restorer(""), None);
    }

    /// Twenty days: a walk on every even day, and the day after a walk has energy 7, otherwise 4.
    fn walking_days() -> Vec<AssociationDay> {
        (0..20)
            .map(|i| {
                let walk = if i % 4 == 0 { Some("A walk ") } else { Some("a  WALK") };
                let energy = if i % 2 == 1 { 7 } else { 4 };
                assoc_day(day(i), energy, None, walk.filter(|_| i % 2 == 0))
            })
            .collect()
    }

    #[test]
    fn a_restorer_is_compared_with_the_next_day() {
        let found = associations(&walking_days(), day(30), 10);
        let energy = found
            .iter()
            .find(|a| a.factor == Factor::Restorer("a walk".into()) && a.outcome == Outcome::Measure(Measure::Energy))
            .expect("walks grouped despite spelling");
        // Pairs (D, D+1) for D = 0..18: walks on 10 days (0, 2, …, 18), none on 9 (1, 3, …, 17).
        assert_eq!((energy.with.days, energy.without.days), (10, 9));
        assert_eq!((energy.with.mean, energy.without.mean), (7.0, 4.0));
        assert_eq!(energy.difference, 3.0);
        assert!(!found.iter().any(|a| a.factor == Factor::AnyRestorer), "the same split as the one restorer");
        let strain = found.iter().find(|a| a.outcome == Outcome::Strain).unwrap();
        assert!(strain.difference < 0.0, "more energy is less strain");
        let mood = found.iter().find(|a| a.outcome == Outcome::Measure(Measure::Mood)).unwrap();
        assert_eq!(mood.difference, 0.0, "mood is the same every day; no difference is still reported");
        assert_eq!(found[0].difference.abs(), 3.0, "largest first");
        assert!(found.windows(2).all(|w| w[0].difference.abs() >= w[1].difference.abs()));
        assert_eq!(associations(&walking_days(), day(30), 1).len(), 1);
        assert!(associations(&walking_days(), day(30), 0).is_empty());
    }

    #[test]
    fn using_the_kit_is_compared_with_the_next_day() {
        // The kit on even days; the day after each is easier (energy 7, less strain) than the
        // day after an odd day (energy 4). Day 20 is missing, so day 19 has no next day.
        let days: Vec<AssociationDay> = (0..30)
            .filter(|i| *i != 20)
            .map(|i| AssociationDay {
                used_kit: i % 2 == 0,
                ..assoc_day(day(i), if i % 2 == 1 { 7 } else { 4 }, None, None)
            })
            .collect();
        let found = associations(&days, day(40), usize::MAX);
        let strain = found.iter().find(|a| a.factor == Factor::UsedKit && a.outcome == Outcome::Strain).unwrap();
        // Pairs (D, D+1) for D = 0..28 except 19 and 20: kit on 14 of them, none on 13.
        assert_eq!((strain.with.days, strain.without.days), (14, 13));
        assert!(strain.difference < 0.0, "less strain the day after the kit");
        let energy =
            found.iter().find(|a| a.factor == Factor::UsedKit && a.outcome == Outcome::Measure(Measure::Energy));
        assert_eq!(energy.map(|a| a.difference), Some(3.0));
        let few: Vec<AssociationDay> = days.iter().filter(|d| d.day.date < day(13)).cloned().collect();
        assert!(associations(&few, day(40), usize::MAX).iter().all(|a| a.factor != Factor::UsedKit), "6 each way");
    }

    #[test]
    fn any_restorer_when_there_are_several() {
        let days: Vec<AssociationDay> = (0..30)
            .map(|i| {
                let restorer = match i % 3 {
                    0 => Some("music"),
                    1 => Some("a walk"),
                    _ => None,
                };
                assoc_day(day(i), if i % 3 == 0 { 3 } else { 6 }, None, restorer)
            })
            .collect();
        let found = associations(&days, day(40), usize::MAX);
        let any = found
            .iter()
            .find(|a| a.factor == Factor::AnyRestorer && a.outcome == Outcome::Measure(Measure::Energy))
            .unwrap();
        // 29 pairs: restorer on days ≡ 0, 1 (mod 3) → next day ≡ 1, 2 → energy 6; none on
        // days ≡ 2 → next day ≡ 0 → energy 3.
        assert_eq!((any.with.days, any.without.days), (20, 9));
        assert_eq!(any.difference, 3.0);
        let music = found
            .iter()
            .find(|a| a.factor == Factor::Restorer("music".into()) && a.outcome == Outcome::Measure(Measure::Energy))
            .unwrap();
        assert_eq!((music.with.days, music.without.days), (10, 19));
    }

    #[test]
    fn only_pairs_with_a_next_day_check_in_count() {
        // Check-ins every other day: no day has a next-day check-in.
        let days: Vec<AssociationDay> =
            (0..40).map(|i| assoc_day(day(2 * i), 5, None, Some("tea").filter(|_| i % 2 == 0))).collect();
        assert!(associations(&days, day(100), 10).is_empty());
    }

    #[test]
    fn short_sleep_is_compared_the_same_day_leaving_out_the_middle() {
        let mut days = Vec::new();
        for i in 0..8 {
            days.push(assoc_day(day(3 * i), 3, Some(5.75), None));
            days.push(assoc_day(day(3 * i + 1), 7, Some(7.0), None));
            days.push(assoc_day(day(3 * i + 2), 10, Some(6.5), None)); // left out
        }
        let found = associations(&days, day(100), 10);
        let energy = found
            .iter()
            .find(|a| a.factor == Factor::ShortSleep && a.outcome == Outcome::Measure(Measure::Energy))
            .unwrap();
        assert_eq!((energy.with.days, energy.without.days), (8, 8));
        assert_eq!(energy.difference, -4.0, "short nights, lower energy the same day");
        // Exactly 6 hours is in the left-out middle: two such nights leave six short ones, too few.
        days[0].sleep_hours = Some(6.0);
        assert!(associations(&days, day(100), 10).iter().any(|a| a.factor == Factor::ShortSleep), "seven are enough");
        days[3].sleep_hours = Some(6.0);
        assert!(associations(&days, day(100), 10).iter().all(|a| a.factor != Factor::ShortSleep));
    }

    #[test]
    fn too_few_days_future_days_and_empty_input() {
        assert!(associations(&[], day(0), 10).is_empty());
        let days = walking_days();
        // Up to day 12: walks on 0, 2, …, 10 before a check-in (6 pairs) — too few.
        assert!(associations(&days, day(12), 10).iter().all(|a| a.factor != Factor::Restorer("a walk".into())));
        assert!(!associations(&days, day(14), 10).is_empty(), "7 pairs each side are enough");
    }

    // --- properties ------------------------------------------------------------------------

    fn arb_days() -> impl Strategy<Value = Vec<AssociationDay>> {
        let entry = (
            any::<bool>(),
            0u8..=10,
            proptest::option::of(0u8..=10),
            proptest::option::of(0u8..=48),
            proptest::option::weighted(0.7, 0usize..4),
            any::<bool>(),
        );
        proptest::collection::vec(entry, 0..150).prop_map(|entries| {
            const NAMES: [&str; 4] = ["a walk", " A Walk", "music", "tea with a friend"];
            entries
                .into_iter()
                .enumerate()
                .filter(|(_, (present, ..))| *present)
                .map(|(i, (_, energy, mood, sleep, restorer, used_kit))| AssociationDay {
                    day: CheckInDay::new(day(i as i32), measures(energy, mood)),
                    sleep_hours: sleep.map(|q| f64::from(q) / 4.0),
                    restorer: restorer.map(|n| NAMES[n].to_owned()),
                    used_kit,
                })
                .collect()
        })
    }

    /// Qualifying pairs for a factor and outcome, counted the plain way.
    fn qualifying(days: &[AssociationDay], factor: &Factor, outcome: Outcome) -> u32 {
        let on = |d: Date| days.iter().rev().find(|x| x.day.date == d);
        let mut count = 0;
        for d in days {
            let counts = match factor {
                Factor::ShortSleep => {
                    d.sleep_hours.is_some_and(|h| !(SHORT_SLEEP_HOURS..ENOUGH_SLEEP_HOURS).contains(&h))
                        && outcome.of(&d.day.measures).is_some()
                }
                _ => on(d.day.date.tomorrow().unwrap()).is_some_and(|n| outcome.of(&n.day.measures).is_some()),
            };
            count += u32::from(counts);
        }
        count
    }

    proptest! {
        #[test]
        fn the_calendar_holds_every_day_once(start in 0i32..3000, length in 0i32..800) {
            let from = date(2020, 1, 1).checked_add(Span::new().days(start)).unwrap();
            let to = from.checked_add(Span::new().days(length)).unwrap();
            let months = calendar(from, to, &[]);
            let all: Vec<CalendarDay> = months.iter().flat_map(cells).flatten().collect();
            let in_range: Vec<Date> = all.iter().filter(|d| d.in_range).map(|d| d.date).collect();
            prop_assert_eq!(in_range.len() as i32, length + 1);
            prop_assert!(in_range.windows(2).all(|w| w[0].tomorrow().unwrap() == w[1]), "in order, no gaps");
            prop_assert_eq!(in_range.first().copied(), Some(from));
            prop_assert_eq!(in_range.last().copied(), Some(to));
            prop_assert!(all.windows(2).all(|w| w[0].date.tomorrow().unwrap() == w[1].date), "each day once");
            for month in &months {
                prop_assert!((4..=6).contains(&month.weeks.len()));
                for week in &month.weeks {
                    for (i, cell) in week.iter().enumerate() {
                        if let Some(cell) = cell {
                            prop_assert_eq!(cell.date.weekday().to_monday_zero_offset() as usize, i);
                            prop_assert_eq!((cell.date.year(), cell.date.month()), (month.year, month.month));
                            prop_assert_eq!(cell.in_range, from <= cell.date && cell.date <= to);
                        }
                    }
                }
                prop_assert!(month.weeks[0].iter().any(Option::is_some) && month.weeks.last().unwrap().iter().any(Option::is_some));
            }
        }

        #[test]
        fn marks_match_the_check_ins(days in arb_days(), from in 0i32..150, length in 0i32..150) {
            let check_ins: Vec<CheckInDay> = days.iter().map(|d| d.day.clone()).collect();
            let (from, to) = (day(from), day(from + length));
            let marked: Vec<Date> = calendar(from, to, &check_ins)
                .iter()
                .flat_map(cells)
                .flatten()
                .filter(|c| c.check_in.is_some())
                .map(|c| c.date)
                .collect();
            let expected: Vec<Date> = check_ins.iter().map(|d| d.date).filter(|d| from <= *d && *d <= to).collect();
            prop_assert_eq!(&marked, &expected);
            prop_assert_eq!(sign_frequency(&check_ins, from, to).check_in_days as usize, expected.len());
        }

        #[test]
        fn associations_are_sound(days in arb_days(), max in 0usize..20) {
            let today = day(200);
            let all = associations(&days, today, usize::MAX);
            for a in &all {
                prop_assert!(a.with.days >= MIN_GROUP_DAYS && a.without.days >= MIN_GROUP_DAYS);
                prop_assert_eq!(a.with.days + a.without.days, qualifying(&days, &a.factor, a.outcome), "{:?}", a);
                prop_assert!((a.difference - (a.with.mean - a.without.mean)).abs() < 1e-12);
                prop_assert!((0.0..=10.0).contains(&a.with.mean) && (0.0..=10.0).contains(&a.without.mean));
                prop_assert!(Outcome::COMPARED.contains(&a.outcome));
            }
            prop_assert!(all.windows(2).all(|w| w[0].difference.abs() >= w[1].difference.abs()));
            let limited = associations(&days, today, max);
            prop_assert_eq!(&limited[..], &all[..max.min(all.len())]);
        }

        #[test]
        fn mirrored_inputs_flip_the_difference(days in arb_days()) {
            // One restorer only, so its split and its mirror are both Restorer("tea").
            let tea: Vec<AssociationDay> = days
                .iter()
                .map(|d| AssociationDay { restorer: d.restorer.as_ref().map(|_| "Tea".to_owned()), ..d.clone() })
                .collect();
            let mirrored: Vec<AssociationDay> = tea
                .iter()
                .map(|d| AssociationDay {
                    restorer: if d.restorer.is_some() { None } else { Some("tea ".to_owned()) },
                    sleep_hours: d.sleep_hours.map(|h| if h < SHORT_SLEEP_HOURS { 8.0 } else if h >= ENOUGH_SLEEP_HOURS { 5.0 } else { h }),
                    used_kit: !d.used_kit,
                    ..d.clone()
                })
                .collect();
            let key = |a: &Association| (a.factor.clone(), a.outcome);
            let mut before = associations(&tea, day(500), usize::MAX);
            let mut after = associations(&mirrored, day(500), usize::MAX);
            before.sort_by_key(key);
            after.sort_by_key(key);
            prop_assert_eq!(before.len(), after.len());
            for (a, b) in before.iter().zip(&after) {
                prop_assert_eq!(key(a), key(b));
                prop_assert!((a.difference + b.difference).abs() < 1e-9, "{:?} vs {:?}", a, b);
                prop_assert_eq!((a.with.days, a.without.days), (b.without.days, b.with.days));
            }
        }

        #[test]
        fn future_days_change_nothing(days in arb_days(), cut in 0i32..150) {
            let today = day(cut);
            let past: Vec<AssociationDay> = days.iter().filter(|d| d.day.date <= today).cloned().collect();
            prop_assert_eq!(associations(&days, today, usize::MAX), associations(&past, today, usize::MAX));
        }
    }
}
