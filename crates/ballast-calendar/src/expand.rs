//! Repeat rules (`RRULE`): what one costs, and the dates it produces up to a bound.
//!
//! Expansion itself is the iCalendar library's. It is run on a small stand-in event whose
//! start and `UNTIL` are *floating* wall-clock times in the event's own zone: the library
//! then steps through local dates and times only, and the caller turns each into an instant
//! with jiff. This keeps daylight-saving changes right (a 09:00 London meeting stays at 09:00
//! local all year) and lets `UNTIL` be clipped to the end of the import window so that a rule
//! without end is never expanded past it.
//!
//! Before anything is expanded, each rule gets an upper-bound estimate of the candidate
//! dates the expander will step through (from the event's first date to the bound), and a
//! shape: rules that can never match are not expanded at all, and rules of an unusual shape
//! (which can make the expander search a fixed 100,000 steps even when nothing matches) are
//! counted so that a file can only have a few.

use crate::zone::floating;
use calcard::common::timezone::Tz;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarEntry, ICalendarFrequency, ICalendarProperty,
    ICalendarRecurrenceRule, ICalendarValue,
};
use chrono::{Datelike, Timelike};
use jiff::civil::DateTime;
use jiff::tz::Offset;

/// How a rule is expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Its month and day-of-month parts never meet (say, 30 February): only the first date.
    Never,
    /// Daily, weekly, monthly or yearly, of the kinds calendar programs write.
    Usual,
    /// Anything else; limited per file.
    Unusual,
}

pub(crate) fn shape(rule: &ICalendarRecurrenceRule) -> Shape {
    if !rule.bymonthday.is_empty() && !month_days_can_meet(rule) {
        return Shape::Never;
    }
    let usual_frequency = matches!(
        rule.freq,
        ICalendarFrequency::Daily
            | ICalendarFrequency::Weekly
            | ICalendarFrequency::Monthly
            | ICalendarFrequency::Yearly
    );
    let plain_parts = rule.byhour.is_empty()
        && rule.byminute.is_empty()
        && rule.bysecond.is_empty()
        && rule.byyearday.is_empty()
        && rule.byweekno.is_empty()
        && !(!rule.byday.is_empty() && !rule.bymonthday.is_empty());
    // "The nth weekday" only reaches 5 within a month; beyond that it is a yearly ordinal.
    let ordinals_fit = rule.byday.iter().all(|day| match day.ordwk {
        None => true,
        Some(n) => {
            let within_month = rule.freq == ICalendarFrequency::Monthly || !rule.bymonth.is_empty();
            n != 0 && n.abs() <= if within_month { 5 } else { 53 }
        }
    });
    // BYSETPOS picks the nth of each period's candidates: usual only when every period is sure
    // to have that many (at least 4 of each listed weekday in a month, one in a week).
    let set_positions_fit = rule.bysetpos.is_empty() || {
        let weekdays = distinct_weekdays(rule);
        let plain_weekdays = rule.bymonthday.is_empty() && rule.byday.iter().all(|d| d.ordwk.is_none());
        let per_period = match rule.freq {
            ICalendarFrequency::Weekly => weekdays,
            ICalendarFrequency::Monthly | ICalendarFrequency::Yearly => 4 * weekdays,
            _ => 0,
        };
        plain_weekdays
            && weekdays > 0
            && rule.bysetpos.iter().all(|p| *p != 0 && p.unsigned_abs() as usize <= per_period)
    };
    if usual_frequency && plain_parts && ordinals_fit && set_positions_fit { Shape::Usual } else { Shape::Unusual }
}

fn distinct_weekdays(rule: &ICalendarRecurrenceRule) -> usize {
    let mut seen = [false; 7];
    for day in &rule.byday {
        seen[day.weekday as usize % 7] = true;
    }
    seen.iter().filter(|s| **s).count()
}

/// Whether some listed day of the month exists in some listed month (any month if none).
fn month_days_can_meet(rule: &ICalendarRecurrenceRule) -> bool {
    const LONGEST: [i32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let months: Vec<usize> = if rule.bymonth.is_empty() {
        (1..=12).collect()
    } else {
        rule.bymonth.iter().map(|m| usize::from(m.month())).filter(|m| (1..=12).contains(m)).collect()
    };
    months.iter().any(|&month| {
        let length = LONGEST[month - 1];
        rule.bymonthday.iter().any(|&day| day != 0 && i32::from(day).abs() <= length)
    })
}

/// An upper bound on the candidate dates the expander steps through between `first` and
/// `last` (wall-clock times in the event's zone).
pub(crate) fn estimate(rule: &ICalendarRecurrenceRule, first: DateTime, last: DateTime) -> u64 {
    let seconds = seconds_between(first, last).max(0) as u64;
    let days = seconds / 86_400;
    let years = u64::try_from(i32::from(last.year()) - i32::from(first.year())).unwrap_or(0) + 1;
    let has_day_parts = !rule.byday.is_empty()
        || !rule.bymonthday.is_empty()
        || !rule.byyearday.is_empty()
        || !rule.byweekno.is_empty();
    let (periods, per_period) = match rule.freq {
        ICalendarFrequency::Yearly => (years, if has_day_parts { 366 } else { rule.bymonth.len().max(1) as u64 }),
        ICalendarFrequency::Monthly => (years * 12, if has_day_parts { 31 } else { 1 }),
        ICalendarFrequency::Weekly => (days / 7 + 2, if rule.byday.is_empty() { 1 } else { 7 }),
        ICalendarFrequency::Daily => (days + 2, 1),
        ICalendarFrequency::Hourly => (seconds / 3_600 + 2, 1),
        ICalendarFrequency::Minutely => (seconds / 60 + 2, 1),
        ICalendarFrequency::Secondly => (seconds + 2, 1),
    };
    let factor = |parts: usize, unit: ICalendarFrequency| if rule.freq < unit { parts.max(1) as u64 } else { 1 };
    let per_period = per_period
        .saturating_mul(factor(rule.byhour.len(), ICalendarFrequency::Hourly))
        .saturating_mul(factor(rule.byminute.len(), ICalendarFrequency::Minutely))
        .saturating_mul(factor(rule.bysecond.len(), ICalendarFrequency::Secondly));
    let interval = u64::from(rule.interval.unwrap_or(1).max(1));
    let mut total = periods.div_ceil(interval).saturating_mul(per_period);
    if let Some(count) = rule.count {
        // Stepping stops at COUNT dates; allow for periods without a match in between.
        total = total.min(u64::from(count).saturating_mul(per_period).saturating_mul(8).saturating_add(per_period));
    }
    total
}

fn seconds_between(first: DateTime, last: DateTime) -> i64 {
    match (Offset::UTC.to_timestamp(first), Offset::UTC.to_timestamp(last)) {
        (Ok(a), Ok(b)) => b.as_second() - a.as_second(),
        _ => 0,
    }
}

/// Why expansion stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExpandError {
    /// The library refused the rule (say, BYMONTHDAY in a weekly rule).
    Invalid,
    /// More dates than `limit`.
    Exhausted,
}

/// The wall-clock start times of `rule` from `first` (the event's own start, always
/// included, as RFC 5545 §3.8.5.3 says) up to and including `last`, ascending. `limit` is a
/// hard stop on the number of dates taken from the expander.
pub(crate) fn expand(
    rule: &ICalendarRecurrenceRule,
    first: DateTime,
    last: DateTime,
    limit: usize,
) -> Result<Vec<DateTime>, ExpandError> {
    if last < first || shape(rule) == Shape::Never {
        return Ok(vec![first]);
    }
    let mut bounded = rule.clone();
    bounded.until = Some(floating(last));
    let event = ICalendarComponent {
        component_type: ICalendarComponentType::VEvent,
        entries: vec![
            ICalendarEntry {
                name: ICalendarProperty::Dtstart,
                params: Vec::new(),
                values: vec![ICalendarValue::PartialDateTime(Box::new(floating(first)))],
            },
            ICalendarEntry {
                name: ICalendarProperty::Rrule,
                params: Vec::new(),
                values: vec![ICalendarValue::RecurrenceRule(Box::new(bounded))],
            },
        ],
        component_ids: Vec::new(),
    };
    let calendar = ICalendar { components: vec![event] };
    let expanded = calendar.expand_dates(Tz::Floating, limit.saturating_add(1));
    if !expanded.errors.is_empty() {
        return Err(ExpandError::Invalid);
    }
    if expanded.events.len() > limit {
        return Err(ExpandError::Exhausted);
    }
    let mut dates = Vec::with_capacity(expanded.events.len() + 1);
    dates.push(first);
    for event in expanded.events {
        let local = event.start.naive_local();
        let Ok(date) = DateTime::new(
            i16::try_from(local.year()).unwrap_or(i16::MAX),
            local.month() as i8,
            local.day() as i8,
            local.hour() as i8,
            local.minute() as i8,
            local.second() as i8,
            0,
        ) else {
            continue;
        };
        if first < date && date <= last {
            dates.push(date);
        }
    }
    dates.sort_unstable();
    dates.dedup();
    Ok(dates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calcard::icalendar::{ICalendarDay, ICalendarMonth, ICalendarWeekday};
    use jiff::civil::date;

    fn rule(freq: ICalendarFrequency) -> ICalendarRecurrenceRule {
        ICalendarRecurrenceRule { freq, ..ICalendarRecurrenceRule::default() }
    }

    #[test]
    fn weekly_until_the_bound() {
        let first = date(2026, 1, 5).at(9, 0, 0, 0);
        let dates = expand(&rule(ICalendarFrequency::Weekly), first, date(2026, 2, 2).at(9, 0, 0, 0), 100).unwrap();
        assert_eq!(dates.len(), 5);
        assert_eq!(dates[4], date(2026, 2, 2).at(9, 0, 0, 0));
    }

    #[test]
    fn first_date_counts_even_off_rule() {
        let mut r = rule(ICalendarFrequency::Weekly);
        r.byday = vec![ICalendarDay { ordwk: None, weekday: ICalendarWeekday::Tuesday }];
        // 5 January 2026 is a Monday.
        let dates = expand(&r, date(2026, 1, 5).at(9, 0, 0, 0), date(2026, 1, 14).at(0, 0, 0, 0), 100).unwrap();
        assert_eq!(
            dates,
            vec![date(2026, 1, 5).at(9, 0, 0, 0), date(2026, 1, 6).at(9, 0, 0, 0), date(2026, 1, 13).at(9, 0, 0, 0)]
        );
    }

    #[test]
    fn shapes() {
        let mut never = rule(ICalendarFrequency::Yearly);
        never.bymonth = vec![ICalendarMonth::new(2, false)];
        never.bymonthday = vec![30, 31];
        assert_eq!(shape(&never), Shape::Never);
        assert_eq!(shape(&rule(ICalendarFrequency::Secondly)), Shape::Unusual);
        assert_eq!(shape(&rule(ICalendarFrequency::Weekly)), Shape::Usual);
        let mut last_weekday = rule(ICalendarFrequency::Monthly);
        last_weekday.byday = [ICalendarWeekday::Monday, ICalendarWeekday::Friday]
            .into_iter()
            .map(|weekday| ICalendarDay { ordwk: None, weekday })
            .collect();
        last_weekday.bysetpos = vec![-1];
        assert_eq!(shape(&last_weekday), Shape::Usual);
        last_weekday.bysetpos = vec![9];
        assert_eq!(shape(&last_weekday), Shape::Unusual);
    }

    #[test]
    fn estimates_bound_the_work() {
        let first = date(2026, 1, 1).at(0, 0, 0, 0);
        let last = date(2027, 1, 1).at(0, 0, 0, 0);
        assert!(estimate(&rule(ICalendarFrequency::Secondly), first, last) > 31_000_000);
        let daily = estimate(&rule(ICalendarFrequency::Daily), first, last);
        assert!((365..400).contains(&daily), "{daily}");
        let mut counted = rule(ICalendarFrequency::Secondly);
        counted.count = Some(10);
        assert!(estimate(&counted, first, last) < 1_000);
    }
}
