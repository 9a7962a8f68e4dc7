//! Dates, times and time zones: from the parser's values to [`jiff`] at the boundary.
//!
//! A `TZID` is resolved the way the iCalendar library resolves it (IANA names, Windows names
//! such as "GMT Standard Time", Microsoft zone numbers and `X-LIC-LOCATION` inside
//! `VTIMEZONE` blocks, prefixes like "/mozilla.org/…"), then looked up in jiff's bundled time
//! zone database. Following CalConnect's advice, the rules written inside a `VTIMEZONE` are
//! not evaluated: the zone is known by name. Floating times (no zone) and names that cannot be
//! resolved are read in the *fallback* zone (see [`crate::read_calendar_in`]).
//!
//! The one exception is a `TZID` no name lookup knows whose `VTIMEZONE` is simple enough to
//! read exactly, as Outlook's "Customized Time Zone" is: a single fixed offset, or one
//! standard and one daylight rule that recur yearly on the nth (or last) weekday of a month.
//! Those rules become a POSIX TZ rule for jiff. Anything more involved falls back.

use calcard::common::PartialDateTime;
use calcard::common::timezone::Tz;
use calcard::icalendar::timezone::TzResolver;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarFrequency, ICalendarProperty,
    ICalendarRecurrenceRule, ICalendarValue,
};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use std::collections::HashMap;

/// A date or date-time as written in the file, validated (no 30 February, no 25:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// A `DATE` value: an all-day event.
    Date(Date),
    /// A local (floating, or with `TZID`) date-time.
    Local(DateTime),
    /// A date-time with `Z` or an explicit offset: an instant.
    Instant(Timestamp),
}

impl When {
    /// Reads a parser value; `None` when it is not a real date (or time of day).
    pub(crate) fn read(value: &PartialDateTime) -> Option<When> {
        let year = i16::try_from(value.year?).ok()?;
        let month = i8::try_from(value.month?).ok()?;
        let day = i8::try_from(value.day?).ok()?;
        let date = Date::new(year, month, day).ok()?;
        let Some(hour) = value.hour else {
            return Some(When::Date(date));
        };
        let hour = i8::try_from(hour).ok()?;
        let minute = i8::try_from(value.minute.unwrap_or(0)).ok()?;
        // A leap second (:60) is read as :59.
        let second = i8::try_from(value.second.unwrap_or(0).min(59)).ok()?;
        let local = DateTime::new(date.year(), date.month(), date.day(), hour, minute, second, 0).ok()?;
        match value.tz_hour {
            None => Some(When::Local(local)),
            Some(tz_hour) => {
                let seconds = i32::from(tz_hour) * 3600 + i32::from(value.tz_minute.unwrap_or(0)) * 60;
                let seconds = if value.tz_minus { -seconds } else { seconds };
                let offset = Offset::from_seconds(seconds).ok()?;
                offset.to_timestamp(local).ok().map(When::Instant)
            }
        }
    }

    /// The instant this value names when read in `zone`. Local times that fall in a gap or an
    /// overlap of a daylight-saving change are read as jiff's "compatible" strategy does (as
    /// RFC 5545 §3.3.5 asks: the later offset in a gap, the earlier in an overlap).
    pub(crate) fn instant(self, zone: &TimeZone) -> Option<Timestamp> {
        match self {
            When::Date(date) => {
                zone.to_ambiguous_timestamp(date.to_datetime(jiff::civil::Time::midnight())).compatible().ok()
            }
            When::Local(local) => zone.to_ambiguous_timestamp(local).compatible().ok(),
            When::Instant(ts) => Some(ts),
        }
    }

    /// The wall-clock time this value names in `zone`.
    pub(crate) fn local(self, zone: &TimeZone) -> DateTime {
        match self {
            When::Date(date) => date.to_datetime(jiff::civil::Time::midnight()),
            When::Local(local) => local,
            When::Instant(ts) => zone.to_datetime(ts),
        }
    }

    pub(crate) fn is_date(self) -> bool {
        matches!(self, When::Date(_))
    }
}

/// Resolves `TZID` names to jiff zones, caching each name.
pub(crate) struct Zones<'a> {
    calendar: &'a ICalendar,
    resolver: TzResolver<&'a str>,
    fallback: TimeZone,
    cache: HashMap<&'a str, Option<TimeZone>>,
}

impl<'a> Zones<'a> {
    pub(crate) fn new(calendar: &'a ICalendar, fallback: TimeZone) -> Self {
        Zones { calendar, resolver: calendar.build_tz_resolver(), fallback, cache: HashMap::new() }
    }

    pub(crate) fn fallback(&self) -> &TimeZone {
        &self.fallback
    }

    /// The zone a `TZID` names; `None` when no zone of that name is known.
    pub(crate) fn named(&mut self, tzid: &'a str) -> Option<TimeZone> {
        if let Some(found) = self.cache.get(tzid) {
            return found.clone();
        }
        let found =
            self.resolver.resolve(tzid).and_then(|tz| to_jiff(&tz)).or_else(|| defined_zone(self.calendar, tzid));
        self.cache.insert(tzid, found.clone());
        found
    }

    /// The zone for a value with this optional `TZID`, and whether it had to fall back
    /// because the name was unknown.
    pub(crate) fn zone_for(&mut self, tzid: Option<&'a str>) -> (TimeZone, bool) {
        match tzid {
            None => (self.fallback.clone(), false),
            Some(name) => match self.named(name) {
                Some(zone) => (zone, false),
                None => (self.fallback.clone(), true),
            },
        }
    }
}

/// Converts the iCalendar library's zone to jiff's.
pub(crate) fn to_jiff(tz: &Tz) -> Option<TimeZone> {
    match tz {
        Tz::Floating => None,
        Tz::Fixed(offset) => Offset::from_seconds(offset.local_minus_utc()).ok().map(TimeZone::fixed),
        Tz::Tz(_) => {
            let name = tz.name()?;
            TimeZone::get(&name).ok()
        }
    }
}

/// A zone from the rules of the calendar's own `VTIMEZONE` named `tzid`, when they are simple.
fn defined_zone(calendar: &ICalendar, tzid: &str) -> Option<TimeZone> {
    let definition = calendar.components.iter().find(|c| {
        c.component_type == ICalendarComponentType::VTimezone
            && c.entries
                .iter()
                .any(|e| e.name == ICalendarProperty::Tzid && e.values.first().and_then(|v| v.as_text()) == Some(tzid))
    })?;
    // The latest-starting observance of each kind is the one in force.
    let mut standard: Option<Observance<'_>> = None;
    let mut daylight: Option<Observance<'_>> = None;
    for &child in &definition.component_ids {
        let component = calendar.components.get(usize::try_from(child).ok()?)?;
        let slot = match component.component_type {
            ICalendarComponentType::Standard => &mut standard,
            ICalendarComponentType::Daylight => &mut daylight,
            _ => continue,
        };
        let observance = Observance::read(component)?;
        if slot.as_ref().is_none_or(|current| current.start < observance.start) {
            *slot = Some(observance);
        }
    }
    let standard = standard?;
    let Some(daylight) = daylight else {
        return Offset::from_seconds(standard.offset).ok().map(TimeZone::fixed);
    };
    let rule = format!(
        "STD{}DST{},{},{}",
        posix_offset(standard.offset),
        posix_offset(daylight.offset),
        daylight.posix_transition()?,
        standard.posix_transition()?,
    );
    TimeZone::posix(&rule).ok()
}

/// A `STANDARD` or `DAYLIGHT` block: its onset (local time), offset and yearly rule.
struct Observance<'a> {
    start: DateTime,
    offset: i32,
    rule: Option<&'a ICalendarRecurrenceRule>,
}

impl<'a> Observance<'a> {
    fn read(component: &'a ICalendarComponent) -> Option<Self> {
        let mut start = None;
        let mut offset = None;
        let mut rule = None;
        for entry in &component.entries {
            match (&entry.name, entry.values.first()) {
                (ICalendarProperty::Dtstart, Some(ICalendarValue::PartialDateTime(dt))) => {
                    start = match When::read(dt)? {
                        When::Local(local) => Some(local),
                        _ => None,
                    };
                }
                (ICalendarProperty::Tzoffsetto, Some(ICalendarValue::PartialDateTime(dt))) => {
                    let seconds = i32::from(dt.tz_hour?) * 3600 + i32::from(dt.tz_minute.unwrap_or(0)) * 60;
                    offset = Some(if dt.tz_minus { -seconds } else { seconds });
                }
                (ICalendarProperty::Rrule, Some(ICalendarValue::RecurrenceRule(r))) => rule = Some(&**r),
                _ => {}
            }
        }
        Some(Observance { start: start?, offset: offset?, rule })
    }

    /// `Mm.w.d/hh:mm:ss`: the nth (5 = last) weekday `d` of month `m`, at the onset's time.
    fn posix_transition(&self) -> Option<String> {
        let rule = self.rule?;
        if rule.freq != ICalendarFrequency::Yearly || rule.bymonth.len() != 1 || rule.byday.len() != 1 {
            return None;
        }
        let month = rule.bymonth[0].month();
        let day = &rule.byday[0];
        let week = match day.ordwk {
            Some(n @ 1..=4) => n,
            Some(-1 | 5) => 5,
            _ => return None,
        };
        let weekday = day.weekday as u8; // Sunday = 0, as POSIX counts.
        let time = self.start.time();
        Some(format!("M{month}.{week}.{weekday}/{}:{:02}:{:02}", time.hour(), time.minute(), time.second()))
    }
}

/// POSIX writes offsets west-positive: UTC+01:00 is "-1:00:00".
fn posix_offset(seconds: i32) -> String {
    let west = -seconds;
    let sign = if west < 0 { "-" } else { "+" };
    let west = west.unsigned_abs();
    format!("{sign}{}:{:02}:{:02}", west / 3600, west / 60 % 60, west % 60)
}

/// The fallback zone a calendar names in `X-WR-TIMEZONE` (Google and Apple write it).
pub(crate) fn calendar_zone(calendar: &ICalendar) -> Option<TimeZone> {
    let root = calendar.components.first()?;
    root.entries.iter().find_map(|entry| match &entry.name {
        ICalendarProperty::Other(name) if name.eq_ignore_ascii_case("X-WR-TIMEZONE") => {
            let text = entry.values.first()?.as_text()?;
            let tz: Tz = text.parse().ok()?;
            to_jiff(&tz)
        }
        _ => None,
    })
}

/// A parser value for a floating local date-time, to feed the recurrence expander.
pub(crate) fn floating(local: DateTime) -> PartialDateTime {
    PartialDateTime {
        year: u16::try_from(local.year()).ok(),
        month: u8::try_from(local.month()).ok(),
        day: u8::try_from(local.day()).ok(),
        hour: u8::try_from(local.hour()).ok(),
        minute: u8::try_from(local.minute()).ok(),
        second: u8::try_from(local.second()).ok(),
        tz_hour: None,
        tz_minute: None,
        tz_minus: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdt(y: u16, mo: u8, d: u8, h: Option<u8>) -> PartialDateTime {
        PartialDateTime {
            year: Some(y),
            month: Some(mo),
            day: Some(d),
            hour: h,
            minute: h.map(|_| 0),
            second: h.map(|_| 0),
            ..PartialDateTime::default()
        }
    }

    #[test]
    fn invalid_dates_are_refused() {
        assert_eq!(When::read(&pdt(2026, 2, 30, Some(9))), None);
        assert_eq!(When::read(&pdt(2026, 3, 1, Some(25))), None);
        assert_eq!(When::read(&pdt(2026, 13, 1, None)), None);
        assert!(When::read(&pdt(2028, 2, 29, Some(9))).is_some());
        assert!(matches!(When::read(&pdt(2026, 3, 1, None)), Some(When::Date(_))));
    }

    #[test]
    fn outlook_customized_zone_is_read_from_its_rules() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\n\
            BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n\
            TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n\
            BEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n\
            TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
            BEGIN:VTIMEZONE\r\nTZID:Fixed Custom\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n\
            TZOFFSETFROM:-0330\r\nTZOFFSETTO:-0330\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
        let calendar = match calcard::Parser::new(text).entry() {
            calcard::Entry::ICalendar(calendar) => calendar,
            other => panic!("{other:?}"),
        };
        let mut zones = Zones::new(&calendar, TimeZone::UTC);
        let custom = zones.named("Customized Time Zone").expect("read from its rules");
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        for day in [
            jiff::civil::date(2026, 1, 15),
            jiff::civil::date(2026, 3, 29),
            jiff::civil::date(2026, 7, 1),
            jiff::civil::date(2026, 10, 25),
        ] {
            for hour in [0, 1, 2, 3, 4, 12] {
                let local = When::Local(day.at(hour, 30, 0, 0));
                assert_eq!(local.instant(&custom), local.instant(&berlin), "{day} {hour}:30");
            }
        }
        let fixed = zones.named("Fixed Custom").expect("a fixed offset");
        let local = When::Local(jiff::civil::date(2026, 7, 1).at(9, 0, 0, 0));
        assert_eq!(local.instant(&fixed).unwrap().to_string(), "2026-07-01T12:30:00Z");
        assert!(zones.named("Nowhere").is_none());
    }

    #[test]
    fn gaps_and_overlaps_use_the_compatible_reading() {
        let london = TimeZone::get("Europe/London").unwrap();
        // 01:30 on 29 March 2026 does not exist in London: read as 02:30 BST = 01:30 UTC.
        let gap = When::Local(jiff::civil::date(2026, 3, 29).at(1, 30, 0, 0));
        assert_eq!(gap.instant(&london).unwrap().to_string(), "2026-03-29T01:30:00Z");
        // 01:30 on 25 October 2026 happens twice: read as the first (BST), 00:30 UTC.
        let overlap = When::Local(jiff::civil::date(2026, 10, 25).at(1, 30, 0, 0));
        assert_eq!(overlap.instant(&london).unwrap().to_string(), "2026-10-25T00:30:00Z");
    }
}
