//! From a parsed calendar to sessions: reading each event's dates, expanding series, applying
//! skipped dates and changed occurrences, and sorting the result into kept and skipped.

use crate::error::{Field, ImportError};
use crate::expand::{self, ExpandError, Shape};
use crate::scan::{self, BlockLines};
use crate::zone::{self, When, Zones};
use crate::{CalendarEvent, Imported, Window, limits};
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarDuration, ICalendarPeriod, ICalendarProperty,
    ICalendarRecurrenceRule, ICalendarValue,
};
use calcard::{Entry, Parser};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};

pub(crate) fn import(bytes: &[u8], window: Window, fallback: Option<&TimeZone>) -> Result<Imported, ImportError> {
    if window.end <= window.start {
        return Err(ImportError::EmptyWindow);
    }
    let scan = scan::scan(bytes)?;
    let text = String::from_utf8_lossy(bytes);
    let calendars = parse(&text)?;
    // Line numbers are only trusted when the parser saw the same blocks as the scan.
    let lines_match = calendars.len() == scan.calendars.len()
        && calendars.iter().zip(&scan.calendars).all(|(c, s)| c.components.len() == s.len());

    let mut out = Collector::new(window);
    let mut budget = Budget::default();
    for (index, calendar) in calendars.iter().enumerate() {
        let lines = if lines_match { scan.calendars.get(index).map(Vec::as_slice) } else { None };
        let fallback = fallback.cloned().or_else(|| zone::calendar_zone(calendar)).unwrap_or(TimeZone::UTC);
        read_one(calendar, lines, fallback, window, &mut budget, &mut out)?;
    }
    Ok(out.finish())
}

fn parse(text: &str) -> Result<Vec<ICalendar>, ImportError> {
    let mut parser = Parser::new(text);
    let mut calendars = Vec::new();
    loop {
        match parser.entry() {
            Entry::ICalendar(calendar) => calendars.push(calendar),
            Entry::Eof => break,
            // Stray text between or after calendars is ignored, as the scan allowed it.
            Entry::InvalidLine(_) => {}
            Entry::VCard(_) => return Err(ImportError::NotICalendar),
            Entry::TooManyComponents => return Err(ImportError::TooManyComponents),
            // The scan already refused unbalanced blocks; anything else is a damaged file.
            _ => return Err(ImportError::Truncated),
        }
    }
    if calendars.is_empty() {
        return Err(ImportError::NotICalendar);
    }
    Ok(calendars)
}

#[derive(Default)]
struct Budget {
    steps: u64,
    unusual: usize,
}

/// What one `VEVENT` says, read and validated.
struct Facts<'a> {
    lines: BlockLines,
    uid: Option<&'a str>,
    summary: Option<&'a str>,
    start: When,
    start_tzid: Option<&'a str>,
    end: Option<(When, Option<&'a str>)>,
    duration: Option<i64>,
    rule: Option<&'a ICalendarRecurrenceRule>,
    rdates: Vec<(When, Option<&'a str>)>,
    exdates: Vec<(When, Option<&'a str>)>,
    recurrence_id: Option<(When, Option<&'a str>)>,
    cancelled: bool,
    free: bool,
    all_day: bool,
}

fn line(value: u32) -> Option<u32> {
    (value != 0).then_some(value)
}

fn read_facts<'a>(component: &'a ICalendarComponent, lines: BlockLines) -> Result<Facts<'a>, ImportError> {
    let invalid = |at: u32, field: Field| ImportError::InvalidValue { line: line(at).or(line(lines.begin)), field };
    let mut start = None;
    let mut facts = Facts {
        lines,
        uid: None,
        summary: None,
        start: When::Instant(Timestamp::UNIX_EPOCH),
        start_tzid: None,
        end: None,
        duration: None,
        rule: None,
        rdates: Vec::new(),
        exdates: Vec::new(),
        recurrence_id: None,
        cancelled: false,
        free: false,
        all_day: false,
    };
    for entry in &component.entries {
        let first = entry.values.first();
        match &entry.name {
            ICalendarProperty::Dtstart => {
                let when = date_value(first).ok_or_else(|| invalid(lines.dtstart, Field::Start))?;
                start = Some(when);
                facts.start_tzid = entry.tz_id();
            }
            ICalendarProperty::Dtend => {
                let when = date_value(first).ok_or_else(|| invalid(lines.dtend, Field::End))?;
                facts.end = Some((when, entry.tz_id()));
            }
            ICalendarProperty::Duration => match first {
                Some(ICalendarValue::Duration(duration)) => facts.duration = Some(seconds(duration)),
                _ => return Err(invalid(lines.duration, Field::Duration)),
            },
            ICalendarProperty::Rrule => match first {
                Some(ICalendarValue::RecurrenceRule(rule)) => facts.rule = facts.rule.or(Some(rule)),
                _ => return Err(invalid(lines.rrule, Field::RepeatRule)),
            },
            ICalendarProperty::Rdate => {
                for value in &entry.values {
                    let when = match value {
                        ICalendarValue::PartialDateTime(dt) => When::read(dt),
                        ICalendarValue::Period(
                            ICalendarPeriod::Range { start, .. } | ICalendarPeriod::Duration { start, .. },
                        ) => When::read(start),
                        _ => None,
                    };
                    facts.rdates.push((when.ok_or_else(|| invalid(lines.rdate, Field::ExtraDate))?, entry.tz_id()));
                }
            }
            ICalendarProperty::Exdate => {
                for value in &entry.values {
                    let when = date_value(Some(value)).ok_or_else(|| invalid(lines.exdate, Field::ExcludedDate))?;
                    facts.exdates.push((when, entry.tz_id()));
                }
            }
            ICalendarProperty::RecurrenceId => {
                let when = date_value(first).ok_or_else(|| invalid(lines.recurrence_id, Field::ChangedOccurrence))?;
                facts.recurrence_id = Some((when, entry.tz_id()));
            }
            ICalendarProperty::Uid => facts.uid = first.and_then(|v| v.as_text()),
            ICalendarProperty::Summary => facts.summary = first.and_then(|v| v.as_text()),
            ICalendarProperty::Status => facts.cancelled |= text_is(first, "CANCELLED"),
            ICalendarProperty::Transp => facts.free |= text_is(first, "TRANSPARENT"),
            ICalendarProperty::Other(name) if name.eq_ignore_ascii_case("X-MICROSOFT-CDO-BUSYSTATUS") => {
                facts.free |= text_is(first, "FREE");
            }
            ICalendarProperty::Other(name) if name.eq_ignore_ascii_case("X-MICROSOFT-CDO-ALLDAYEVENT") => {
                facts.all_day |= text_is(first, "TRUE") || matches!(first, Some(ICalendarValue::Boolean(true)));
            }
            _ => {}
        }
    }
    // A changed occurrence may leave out its start and keep the one it replaces.
    facts.start = match (start, facts.recurrence_id) {
        (Some(start), _) => start,
        (None, Some((rid, tzid))) => {
            facts.start_tzid = tzid;
            rid
        }
        (None, None) => return Err(invalid(lines.dtstart, Field::Start)),
    };
    facts.all_day |= facts.start.is_date();
    Ok(facts)
}

fn date_value(value: Option<&ICalendarValue>) -> Option<When> {
    match value? {
        ICalendarValue::PartialDateTime(dt) => When::read(dt),
        _ => None,
    }
}

fn text_is(value: Option<&ICalendarValue>, expected: &str) -> bool {
    value.and_then(|v| v.as_text()).is_some_and(|text| text.trim().eq_ignore_ascii_case(expected))
}

/// A `DURATION` in seconds (days counted as 24 hours); negative when written so.
fn seconds(duration: &ICalendarDuration) -> i64 {
    let days = i64::from(duration.weeks) * 7 + i64::from(duration.days);
    let total = days * 86_400
        + i64::from(duration.hours) * 3_600
        + i64::from(duration.minutes) * 60
        + i64::from(duration.seconds);
    if duration.neg { -total } else { total }
}

/// One event's series, ready to expand.
struct Series<'a> {
    facts: Facts<'a>,
    zone: TimeZone,
    unknown_zone: bool,
    start: Timestamp,
    length: i64,
    /// For a repeat rule: the wall-clock bound and the estimated cost.
    plan: Option<(jiff::civil::DateTime, jiff::civil::DateTime, u64)>,
}

fn read_one(
    calendar: &ICalendar,
    lines: Option<&[BlockLines]>,
    fallback: TimeZone,
    window: Window,
    budget: &mut Budget,
    out: &mut Collector,
) -> Result<(), ImportError> {
    let mut zones = Zones::new(calendar, fallback);
    let cancel_all = calendar.components.first().is_some_and(|root| {
        root.entries.iter().any(|e| e.name == ICalendarProperty::Method && text_is(e.values.first(), "CANCEL"))
    });

    // Read every event and plan its expansion; nothing is expanded until all are planned.
    let mut masters: Vec<Series<'_>> = Vec::new();
    let mut changes: Vec<Series<'_>> = Vec::new();
    for (index, component) in calendar.components.iter().enumerate() {
        if component.component_type != ICalendarComponentType::VEvent {
            continue;
        }
        let block = lines.and_then(|l| l.get(index)).copied().unwrap_or_default();
        let mut facts = read_facts(component, block)?;
        facts.cancelled |= cancel_all;
        let series = plan(facts, &mut zones, window, budget)?;
        if series.facts.recurrence_id.is_some() {
            changes.push(series);
        } else {
            masters.push(series);
        }
    }
    if budget.steps > limits::MAX_EXPANSION_STEPS {
        return Err(ImportError::TooManyRepeats);
    }
    if budget.unusual > limits::MAX_UNUSUAL_RULES {
        return Err(ImportError::TooManyUnusualRules);
    }

    // Changed occurrences, by UID, each with the identity (instant) of the one it replaces.
    let master_by_uid: HashMap<&str, usize> =
        masters.iter().enumerate().rev().filter_map(|(i, m)| Some((m.facts.uid?, i))).collect();
    let mut replaced: HashMap<&str, HashSet<Timestamp>> = HashMap::new();
    let mut change_identities = Vec::with_capacity(changes.len());
    for change in &changes {
        let (rid, tzid) = change.facts.recurrence_id.expect("changes have a RECURRENCE-ID");
        let master_zone = change.facts.uid.and_then(|uid| master_by_uid.get(uid)).map(|&i| &masters[i]);
        let zone = match (tzid, master_zone) {
            (Some(name), _) => zones.zone_for(Some(name)).0,
            (None, Some(master)) => master.zone.clone(),
            (None, None) => change.zone.clone(),
        };
        let identity = rid.instant(&zone).ok_or(ImportError::InvalidValue {
            line: line(change.facts.lines.recurrence_id),
            field: Field::ChangedOccurrence,
        })?;
        if let Some(uid) = change.facts.uid {
            replaced.entry(uid).or_default().insert(identity);
        }
        change_identities.push(identity);
    }

    // Changed occurrences first, so that where a series repeats one, the change wins.
    for (change, identity) in changes.iter().zip(change_identities) {
        out.push(change, change.start, identity)?;
    }
    for master in &masters {
        let skip = master.facts.uid.and_then(|uid| replaced.get(uid));
        for (start, identity) in occurrences(master, &mut zones)? {
            if skip.is_some_and(|s| s.contains(&identity)) {
                continue;
            }
            out.push(master, start, identity)?;
        }
    }
    Ok(())
}

/// Resolves an event's zone, start and length, and estimates what expanding it will cost.
fn plan<'a>(
    facts: Facts<'a>,
    zones: &mut Zones<'a>,
    window: Window,
    budget: &mut Budget,
) -> Result<Series<'a>, ImportError> {
    let start_line = line(facts.lines.dtstart).or(line(facts.lines.begin));
    let (zone, unknown_zone) = match facts.start {
        // A start in UTC (or with an offset) repeats in UTC.
        When::Instant(_) => (TimeZone::UTC, false),
        When::Date(_) => (zones.fallback().clone(), false),
        When::Local(_) => zones.zone_for(facts.start_tzid),
    };
    let start =
        facts.start.instant(&zone).ok_or(ImportError::InvalidValue { line: start_line, field: Field::Start })?;
    let length = match (facts.end, facts.duration) {
        (Some((end, tzid)), _) => {
            let end_zone = match tzid {
                Some(name) => zones.zone_for(Some(name)).0,
                None => zone.clone(),
            };
            let end_line = line(facts.lines.dtend).or(start_line);
            let end = end.instant(&end_zone).ok_or(ImportError::InvalidValue { line: end_line, field: Field::End })?;
            end.as_second() - start.as_second()
        }
        (None, Some(duration)) => duration,
        (None, None) if facts.start.is_date() => 86_400,
        (None, None) => 0,
    };
    if length < 0 {
        let at = if facts.end.is_some() { facts.lines.dtend } else { facts.lines.duration };
        return Err(ImportError::EndsBeforeStart { line: line(at).or(start_line) });
    }

    let mut plan = None;
    if let Some(rule) = facts.rule
        && facts.recurrence_id.is_none()
    {
        let first = facts.start.local(&zone);
        let mut last = zone.to_datetime(window.end);
        if let Some(until) = &rule.until {
            let rule_line = line(facts.lines.rrule).or(start_line);
            let until =
                When::read(until).ok_or(ImportError::InvalidValue { line: rule_line, field: Field::RepeatRule })?;
            let until = match until {
                // A date UNTIL includes that whole day.
                When::Date(date) => date
                    .tomorrow()
                    .ok()
                    .and_then(|d| When::Date(d).instant(&zone))
                    .and_then(|t| t.checked_sub(jiff::SignedDuration::from_secs(1)).ok()),
                other => other.instant(&zone),
            };
            if let Some(until) = until {
                last = last.min(zone.to_datetime(until));
            }
        }
        let shape = expand::shape(rule);
        let cost = if shape == Shape::Never || last < first { 0 } else { expand::estimate(rule, first, last) };
        if shape == Shape::Unusual && cost > 0 {
            budget.unusual += 1;
        }
        budget.steps = budget.steps.saturating_add(cost);
        plan = Some((first, last, cost));
    }
    Ok(Series { facts, zone, unknown_zone, start, length, plan })
}

/// Every occurrence of a series as (start, identity); for a series both are the same instant.
fn occurrences<'a>(series: &Series<'a>, zones: &mut Zones<'a>) -> Result<Vec<(Timestamp, Timestamp)>, ImportError> {
    let facts = &series.facts;
    let mut starts = BTreeSet::new();
    starts.insert(series.start);
    if let (Some(rule), Some((first, last, cost))) = (facts.rule, series.plan) {
        // The estimate is an upper bound; the hard stop leaves it generous room.
        let limit = usize::try_from(cost.saturating_mul(2).saturating_add(64).min(limits::MAX_EXPANSION_STEPS * 2))
            .unwrap_or(usize::MAX);
        let locals = expand::expand(rule, first, last, limit).map_err(|error| match error {
            ExpandError::Invalid => ImportError::InvalidValue {
                line: line(facts.lines.rrule).or(line(facts.lines.begin)),
                field: Field::RepeatRule,
            },
            ExpandError::Exhausted => ImportError::TooManyRepeats,
        })?;
        for local in locals {
            if let Some(instant) = When::Local(local).instant(&series.zone) {
                starts.insert(instant);
            }
        }
    }
    for (when, tzid) in &facts.rdates {
        let zone = match tzid {
            Some(name) => zones.zone_for(Some(name)).0,
            None => series.zone.clone(),
        };
        let instant = when
            .instant(&zone)
            .ok_or(ImportError::InvalidValue { line: line(facts.lines.rdate), field: Field::ExtraDate })?;
        starts.insert(instant);
    }
    if !facts.exdates.is_empty() {
        let mut instants = HashSet::new();
        let mut dates: HashSet<Date> = HashSet::new();
        for (when, tzid) in &facts.exdates {
            match when {
                When::Date(date) => {
                    dates.insert(*date);
                }
                _ => {
                    let zone = match tzid {
                        Some(name) => zones.zone_for(Some(name)).0,
                        None => series.zone.clone(),
                    };
                    if let Some(instant) = when.instant(&zone) {
                        instants.insert(instant);
                    }
                }
            }
        }
        starts.retain(|s| !instants.contains(s) && !dates.contains(&series.zone.to_datetime(*s).date()));
    }
    Ok(starts.into_iter().map(|s| (s, s)).collect())
}

/// Sorts occurrences into sessions and skipped ones, enforcing the occurrence limit.
struct Collector {
    window: Window,
    seen: HashSet<[u8; 32]>,
    in_window: usize,
    imported: Imported,
}

impl Collector {
    fn new(window: Window) -> Self {
        Collector { window, seen: HashSet::new(), in_window: 0, imported: Imported::default() }
    }

    fn push(&mut self, series: &Series<'_>, start: Timestamp, identity: Timestamp) -> Result<(), ImportError> {
        let skipped = &mut self.imported.skipped;
        if start < self.window.start || start >= self.window.end {
            skipped.outside_window = skipped.outside_window.saturating_add(1);
            return Ok(());
        }
        self.in_window += 1;
        if self.in_window > limits::MAX_OCCURRENCES {
            return Err(ImportError::TooManySessions);
        }
        let facts = &series.facts;
        let key = match facts.uid {
            Some(uid) => occurrence_key(uid, identity),
            None => anonymous_key(start, series.length, facts.summary),
        };
        let counter = if !self.seen.insert(key) {
            &mut skipped.duplicate
        } else if facts.cancelled {
            &mut skipped.cancelled
        } else if facts.all_day {
            &mut skipped.all_day
        } else if facts.free {
            &mut skipped.free_time
        } else if series.length == 0 {
            &mut skipped.no_duration
        } else if series.length > limits::MAX_SESSION_MINUTES * 60 {
            &mut skipped.too_long
        } else {
            let minutes = u16::try_from((series.length + 59) / 60).unwrap_or(u16::MAX);
            self.imported.events.push(CalendarEvent { key, start, minutes });
            if series.unknown_zone {
                self.imported.unknown_time_zone = self.imported.unknown_time_zone.saturating_add(1);
            }
            return Ok(());
        };
        *counter = counter.saturating_add(1);
        Ok(())
    }

    fn finish(mut self) -> Imported {
        self.imported.events.sort_unstable_by(|a, b| a.start.cmp(&b.start).then(a.key.cmp(&b.key)));
        self.imported
    }
}

/// SHA-256 over a domain tag, the UID (length-prefixed) and the identity in UTC seconds.
fn occurrence_key(uid: &str, identity: Timestamp) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"ballast-calendar/occurrence/v1\0");
    hash.update((uid.len() as u64).to_be_bytes());
    hash.update(uid.as_bytes());
    hash.update(identity.as_second().to_be_bytes());
    hash.finalize().into()
}

/// For events without a UID: start, length and a hash of the title (never the title itself).
fn anonymous_key(start: Timestamp, length: i64, summary: Option<&str>) -> [u8; 32] {
    let title: [u8; 32] = Sha256::digest(summary.unwrap_or("").as_bytes()).into();
    let mut hash = Sha256::new();
    hash.update(b"ballast-calendar/no-uid/v1\0");
    hash.update(start.as_second().to_be_bytes());
    hash.update((start.as_second() + length).to_be_bytes());
    hash.update(title);
    hash.finalize().into()
}
