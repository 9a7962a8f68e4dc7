//! Writing iCalendar (RFC 5545) for a person's reminder feed, the file a calendar app
//! subscribes to.
//!
//! The writer knows nothing about check-ins or incidents: callers hand it a list of
//! [`ReminderEvent`]s (a stable id, a short title, a link and a [`Schedule`]) and it writes
//! them correctly: text escaped (§3.3.11), lines folded at 75 octets without splitting a
//! character (§3.1), CRLF line ends, and times in the person's zone with a `TZID` and a
//! matching `VTIMEZONE`. Writing times in the zone (not UTC) matters for repeating events: a
//! daily 09:00 check-in must stay at 09:00 local time when the clocks change.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Dst, TimeZone};

use crate::TimeZoneName;

/// When a reminder happens, in the feed's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Every day at `at`, local time, starting on `from`.
    Daily { from: Date, at: Time, minutes: u16 },
    /// Once, at a local date and time.
    Once { at: DateTime, minutes: u16 },
    /// A whole day, with no time.
    AllDay(Date),
}

/// One event in the feed. Everything the web layer wants in a person's calendar becomes one
/// of these, so a new kind of reminder needs no change here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderEvent {
    /// Stable across fetches, so calendar apps update the event instead of adding another.
    /// The writer appends `@ballast`; give something unique within the person's feed.
    pub uid: String,
    /// The title. Kept free of health details: calendars are often shared or synced to work.
    pub summary: String,
    /// A line or two under the title.
    pub description: String,
    /// Where in Ballast to go, if anywhere.
    pub url: Option<String>,
    pub schedule: Schedule,
}

/// A whole feed: whose zone its times are in, when it was written and what is in it.
#[derive(Debug, Clone)]
pub struct Feed<'a> {
    /// The calendar's name as apps show it.
    pub name: &'a str,
    pub zone: &'a TimeZoneName,
    /// Now: the `DTSTAMP` of every event, and the middle of the zone rules written out.
    pub stamp: Timestamp,
    pub events: &'a [ReminderEvent],
}

/// How long calendar apps should wait between fetches (RFC 7986 `REFRESH-INTERVAL`).
pub const REFRESH: &str = "PT6H";

/// The longest a line may be, in octets, not counting its CRLF (RFC 5545 §3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// Writes the feed: a complete `VCALENDAR`, CRLF line ends, ready to serve as `text/calendar`.
pub fn write_feed(feed: &Feed<'_>) -> String {
    let zone = feed.zone.zone();
    let tzid = feed.zone.as_str();
    let mut out = Lines::default();
    out.push("BEGIN:VCALENDAR");
    out.push("VERSION:2.0");
    out.push("PRODID:-//Ballast//Reminders//EN");
    out.push("CALSCALE:GREGORIAN");
    out.push("METHOD:PUBLISH");
    out.push(&format!("X-WR-CALNAME:{}", escape_text(feed.name)));
    out.push(&format!("NAME:{}", escape_text(feed.name)));
    out.push(&format!("X-WR-TIMEZONE:{tzid}"));
    out.push(&format!("REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}"));
    out.push(&format!("X-PUBLISHED-TTL:{REFRESH}"));
    let earliest = feed.events.iter().map(|e| first_day(&e.schedule)).min();
    write_time_zone(&mut out, tzid, &zone, earliest, feed.stamp);
    let stamp = utc_text(feed.stamp);
    for event in feed.events {
        out.push("BEGIN:VEVENT");
        out.push(&format!("UID:{}@ballast", escape_text(&event.uid)));
        out.push(&format!("DTSTAMP:{stamp}"));
        match &event.schedule {
            Schedule::Daily { from, at, minutes } => {
                out.push(&format!("DTSTART;TZID={tzid}:{}", local_text(from.to_datetime(*at))));
                out.push(&format!("DURATION:PT{minutes}M"));
                out.push("RRULE:FREQ=DAILY");
            }
            Schedule::Once { at, minutes } => {
                out.push(&format!("DTSTART;TZID={tzid}:{}", local_text(*at)));
                out.push(&format!("DURATION:PT{minutes}M"));
            }
            Schedule::AllDay(day) => {
                out.push(&format!("DTSTART;VALUE=DATE:{}", date_text(*day)));
                // The end of an all-day event is the day after (exclusive), per §3.6.1.
                let next = day.tomorrow().unwrap_or(*day);
                out.push(&format!("DTEND;VALUE=DATE:{}", date_text(next)));
            }
        }
        out.push(&format!("SUMMARY:{}", escape_text(&event.summary)));
        out.push(&format!("DESCRIPTION:{}", escape_text(&event.description)));
        if let Some(url) = &event.url {
            // URL is a URI value, not text: it is written as it is, never escaped.
            out.push(&format!("URL:{url}"));
        }
        out.push("END:VEVENT");
    }
    out.push("END:VCALENDAR");
    out.0
}

/// The first day an event can happen on.
fn first_day(schedule: &Schedule) -> Date {
    match schedule {
        Schedule::Daily { from, .. } => *from,
        Schedule::Once { at, .. } => at.date(),
        Schedule::AllDay(day) => *day,
    }
}

/// The feed's text, built a folded line at a time.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn push(&mut self, line: &str) {
        self.0.push_str(&fold(line));
    }
}

/// The `VTIMEZONE` for the feed's zone: the offset in force when the first event starts,
/// then every change of offset until five years after `stamp`. Listing the changes (rather
/// than writing rules) keeps it exact for any zone the database knows; apps that know the
/// zone by its name (most do) use their own rules anyway, and the feed is rewritten on every
/// fetch, so the list moves forward with time.
fn write_time_zone(out: &mut Lines, tzid: &str, zone: &TimeZone, earliest: Option<Date>, stamp: Timestamp) {
    let start = earliest
        .and_then(|day| day.to_datetime(Time::midnight()).to_zoned(zone.clone()).ok())
        .map_or(stamp, |zoned| zoned.timestamp())
        .min(stamp);
    let end = stamp.checked_add(jiff::SignedDuration::from_hours(5 * 366 * 24)).unwrap_or(stamp);
    out.push("BEGIN:VTIMEZONE");
    out.push(&format!("TZID:{tzid}"));
    let first = zone.to_offset_info(start);
    let kind = if first.dst().is_dst() { "DAYLIGHT" } else { "STANDARD" };
    let offset = first.offset();
    observance(out, kind, start.to_zoned(zone.clone()).datetime(), offset, offset, first.abbreviation());
    for transition in zone.following(start).take_while(|t| t.timestamp() < end) {
        let before = zone.to_offset(transition.timestamp() - jiff::SignedDuration::from_secs(1));
        let kind = if transition.dst() == Dst::Yes { "DAYLIGHT" } else { "STANDARD" };
        // An observance starts at the local time just before the change (in the old offset).
        let local = before.to_datetime(transition.timestamp());
        observance(out, kind, local, before, transition.offset(), transition.abbreviation());
    }
    out.push("END:VTIMEZONE");
}

fn observance(out: &mut Lines, kind: &str, start: DateTime, from: jiff::tz::Offset, to: jiff::tz::Offset, name: &str) {
    out.push(&format!("BEGIN:{kind}"));
    out.push(&format!("DTSTART:{}", local_text(start)));
    out.push(&format!("TZOFFSETFROM:{}", offset_text(from)));
    out.push(&format!("TZOFFSETTO:{}", offset_text(to)));
    if !name.is_empty() {
        out.push(&format!("TZNAME:{}", escape_text(name)));
    }
    out.push(&format!("END:{kind}"));
}

fn utc_text(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn local_text(at: DateTime) -> String {
    at.strftime("%Y%m%dT%H%M%S").to_string()
}

fn date_text(day: Date) -> String {
    day.strftime("%Y%m%d").to_string()
}

/// `+HHMM`, or `+HHMMSS` for the odd historical offset with seconds (§3.3.14).
fn offset_text(offset: jiff::tz::Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if s == 0 { format!("{sign}{h:02}{m:02}") } else { format!("{sign}{h:02}{m:02}{s:02}") }
}

/// Escapes a TEXT value (§3.3.11): backslash, semicolon and comma get a backslash, a line
/// break becomes `\n`. Other control characters are not allowed in TEXT and are dropped; a
/// CR LF pair or a lone CR counts as one line break.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Reads an escaped TEXT value back, the way a calendar app does (`\N` is a line break too).
pub fn unescape_text(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// One content line, folded (§3.1): no line longer than 75 octets, each continuation starting
/// with a space, never splitting a UTF-8 character; every line ends in CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 60 * 3 + 2);
    let mut room = MAX_LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > room {
            out.push_str("\r\n ");
            // The leading space counts towards the next line's 75.
            room = MAX_LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// Undoes [`fold`] for a whole file: a CRLF followed by a space or tab joins the lines.
pub fn unfold(text: &str) -> String {
    text.replace("\r\n ", "").replace("\r\n\t", "")
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    use super::*;

    fn london() -> TimeZoneName {
        TimeZoneName::parse("Europe/London").unwrap()
    }

    fn stamp() -> Timestamp {
        "2026-03-20T12:00:00Z".parse().unwrap()
    }

    fn events() -> Vec<ReminderEvent> {
        vec![
            ReminderEvent {
                uid: "check-in.7".into(),
                summary: "Daily check-in".into(),
                description: "A minute for yourself, then the check-in.".into(),
                url: Some("https://care.example.org/check-in".into()),
                schedule: Schedule::Daily { from: date(2026, 3, 1), at: time(9, 0, 0, 0), minutes: 10 },
            },
            ReminderEvent {
                uid: "follow-up.3.next-day.7".into(),
                summary: "Ballast: a gentle follow-up".into(),
                description: "Semi; colon, comma \\ backslash\nand a new line".into(),
                url: None,
                schedule: Schedule::AllDay(date(2026, 3, 31)),
            },
        ]
    }

    fn feed_text() -> String {
        let zone = london();
        let events = events();
        write_feed(&Feed { name: "Ballast reminders", zone: &zone, stamp: stamp(), events: &events })
    }

    #[test]
    fn a_feed_is_crlf_lines_of_at_most_75_octets_in_one_calendar() {
        let text = feed_text();
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), "{text}");
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "no bare line feeds");
        assert!(text.split("\r\n").all(|line| line.len() <= MAX_LINE_OCTETS));
    }

    #[test]
    fn a_daily_reminder_repeats_at_a_local_time_in_the_person_s_zone() {
        let text = unfold(&feed_text());
        assert!(
            text.contains("\r\nDTSTART;TZID=Europe/London:20260301T090000\r\nDURATION:PT10M\r\nRRULE:FREQ=DAILY\r\n")
        );
        assert!(text.contains("\r\nUID:check-in.7@ballast\r\n"));
        assert!(text.contains("\r\nDTSTAMP:20260320T120000Z\r\n"));
        assert!(text.contains("\r\nURL:https://care.example.org/check-in\r\n"));
        assert!(text.contains("\r\nSUMMARY:Daily check-in\r\n"));
    }

    #[test]
    fn the_time_zone_lists_the_clock_changes_with_their_offsets() {
        let text = unfold(&feed_text());
        assert!(
            text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\nBEGIN:STANDARD\r\nDTSTART:20260301T000000\r\n")
        );
        // Clocks go forward at 01:00 GMT on 29 March 2026 and back at 02:00 BST on 25 October.
        assert!(text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20260329T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nEND:DAYLIGHT"
        ));
        assert!(text.contains(
            "BEGIN:STANDARD\r\nDTSTART:20261025T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nEND:STANDARD"
        ));
        let zone_part = text.split("END:VTIMEZONE").next().unwrap();
        assert!(zone_part.matches("BEGIN:DAYLIGHT").count() >= 5, "five years of changes ahead");
    }

    #[test]
    fn a_zone_without_changes_has_one_observance() {
        let zone = TimeZoneName::utc();
        let text = write_feed(&Feed { name: "Ballast", zone: &zone, stamp: stamp(), events: &events() });
        assert_eq!(text.matches("BEGIN:STANDARD").count(), 1);
        assert_eq!(text.matches("BEGIN:DAYLIGHT").count(), 0);
        assert!(text.contains("TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\n"));
    }

    #[test]
    fn an_all_day_reminder_ends_the_next_day_and_its_text_is_escaped() {
        let text = unfold(&feed_text());
        assert!(text.contains("DTSTART;VALUE=DATE:20260331\r\nDTEND;VALUE=DATE:20260401\r\n"));
        assert!(text.contains("DESCRIPTION:Semi\\; colon\\, comma \\\\ backslash\\nand a new line\r\n"));
    }

    #[test]
    fn odd_offsets_are_written_with_seconds() {
        assert_eq!(offset_text(jiff::tz::Offset::from_seconds(-(4 * 3600 + 56 * 60 + 2)).unwrap()), "-045602");
        assert_eq!(offset_text(jiff::tz::Offset::from_seconds(5 * 3600 + 30 * 60).unwrap()), "+0530");
    }

    #[test]
    fn folding_keeps_characters_whole() {
        let line = format!("SUMMARY:{}", "é".repeat(80));
        let folded = fold(&line);
        for part in folded.trim_end_matches("\r\n").split("\r\n") {
            assert!(part.len() <= MAX_LINE_OCTETS);
        }
        assert_eq!(unfold(&folded), format!("{line}\r\n"));
        assert_eq!(fold("SHORT:1"), "SHORT:1\r\n");
        assert_eq!(fold(&"a".repeat(75)), format!("{}\r\n", "a".repeat(75)));
        assert_eq!(fold(&"a".repeat(76)), format!("{}\r\n a\r\n", "a".repeat(75)));
    }

    proptest! {
        #[test]
        fn text_without_control_characters_round_trips(text in "[^\\p{Cc}]{0,200}") {
            prop_assert_eq!(unescape_text(&escape_text(&text)), text);
        }

        #[test]
        fn any_text_escapes_to_one_line_without_bare_separators(text in "\\PC{0,200}|[\\x00-\\x7f]{0,200}") {
            let escaped = escape_text(&text);
            prop_assert!(!escaped.chars().any(|c| c.is_control() && c != '\t'));
            // Every ';' or ',' is escaped: remove escaped pairs, and none is left.
            let mut bare = String::new();
            let mut chars = escaped.chars();
            while let Some(c) = chars.next() {
                if c == '\\' { chars.next(); } else { bare.push(c); }
            }
            prop_assert!(!bare.contains(';') && !bare.contains(','));
            // Line breaks come back as '\n' and nothing else changes.
            let expected: String = text.replace("\r\n", "\n").replace('\r', "\n").chars()
                .filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
            prop_assert_eq!(unescape_text(&escaped), expected);
        }

        #[test]
        fn folded_lines_are_at_most_75_octets_and_unfold_to_the_line(text in "\\PC{0,400}") {
            let line = format!("DESCRIPTION:{}", escape_text(&text));
            let folded = fold(&line);
            prop_assert!(folded.ends_with("\r\n"));
            for part in folded[..folded.len() - 2].split("\r\n") {
                prop_assert!(part.len() <= MAX_LINE_OCTETS, "{} octets", part.len());
            }
            prop_assert_eq!(unfold(&folded), format!("{line}\r\n"));
        }
    }
}
