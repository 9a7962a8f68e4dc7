//! Properties: no input makes the reader panic, and generated calendars come back exactly.

use ballast_calendar::{Window, read_calendar};
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;

fn year_2026() -> Window {
    Window { start: "2026-01-01T00:00:00Z".parse().unwrap(), end: "2027-01-01T00:00:00Z".parse().unwrap() }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Lines an iCalendar file is made of, valid and not, to build plausible hostile files from.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("BEGIN:VCALENDAR".to_string()),
        Just("END:VCALENDAR".to_string()),
        Just("BEGIN:VEVENT".to_string()),
        Just("END:VEVENT".to_string()),
        Just("BEGIN:VALARM".to_string()),
        Just("END:VALARM".to_string()),
        Just("BEGIN:VTIMEZONE".to_string()),
        Just("END:VTIMEZONE".to_string()),
        "UID:[a-z0-9@.]{0,12}",
        "DTSTART(;TZID=(Europe/London|GMT Standard Time|Nowhere/Else))?:20[0-9]{2}[01][0-9][0-3][0-9](T[0-2][0-9][0-5][0-9][0-6][0-9]Z?)?",
        "DTEND(;VALUE=DATE)?:20[0-9]{6}(T[0-9]{6})?",
        "DURATION:-?P([0-9]{1,3}[WD])?(T[0-9]{1,3}[HMS])?",
        "RRULE:FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;INTERVAL=[0-9]{1,5})?(;COUNT=[0-9]{1,6})?(;UNTIL=20[0-9]{6}(T[0-9]{6}Z)?)?(;BYDAY=(-?[0-9]{0,2}(MO|TU|SU),?){1,3})?(;BYMONTHDAY=-?[0-9]{1,2})?(;BYMONTH=[0-9]{1,2})?(;BYSETPOS=-?[0-9]{1,3})?(;BYHOUR=[0-9]{1,2})?",
        "EXDATE:20[0-9]{6}T[0-9]{6}Z?",
        "RDATE:20[0-9]{6}T[0-9]{6}Z?",
        "RECURRENCE-ID:20[0-9]{6}T[0-9]{6}Z?",
        "STATUS:(CANCELLED|CONFIRMED)",
        "TRANSP:(TRANSPARENT|OPAQUE)",
        " [ -~]{0,20}",
        "[ -~]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2_048)) {
        let _ = read_calendar(&bytes, year_2026());
    }

    #[test]
    fn arbitrary_calendar_lines_never_panic(lines in proptest::collection::vec(line(), 0..60)) {
        let mut file = String::from("BEGIN:VCALENDAR\r\n");
        for line in &lines {
            file.push_str(line);
            file.push_str("\r\n");
        }
        file.push_str("END:VCALENDAR\r\n");
        let _ = read_calendar(file.as_bytes(), year_2026());
    }

    #[test]
    fn damaged_fixtures_never_panic(
        name in prop_oneof![Just("outlook.ics"), Just("google.ics"), Just("apple.ics")],
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = fixture(name).into_bytes();
        for (at, len, byte) in cuts {
            match byte % 3 {
                0 => { let i = at.index(bytes.len()); bytes[i] = byte; }
                1 => { let i = at.index(bytes.len()); let n = len.index(64).min(bytes.len() - i); bytes.drain(i..i + n); }
                _ => { let i = at.index(bytes.len()); let j = len.index(bytes.len()); let copy = bytes[i.min(j)..i.max(j)].to_vec(); bytes.splice(i..i, copy); }
            }
            if bytes.is_empty() { break; }
        }
        let _ = read_calendar(&bytes, year_2026());
    }

    #[test]
    fn a_generated_calendar_of_n_simple_events_gives_n_sessions(
        events in proptest::collection::vec((0i64..365 * 24 * 60, 1i64..=600, any::<bool>()), 0..200),
    ) {
        let start_of_year: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut file = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Generated//EN\r\n");
        let mut expected = Vec::new();
        for (i, (minute, length, use_duration)) in events.iter().enumerate() {
            let start = start_of_year.checked_add(minute.minutes()).unwrap();
            let end = start.checked_add(length.minutes()).unwrap();
            let format = |t: Timestamp| t.strftime("%Y%m%dT%H%M%SZ").to_string();
            file.push_str(&format!("BEGIN:VEVENT\r\nUID:generated-{i}@example.org\r\nDTSTART:{}\r\n", format(start)));
            if *use_duration {
                file.push_str(&format!("DURATION:PT{length}M\r\n"));
            } else {
                file.push_str(&format!("DTEND:{}\r\n", format(end)));
            }
            file.push_str("SUMMARY:Generated\r\nEND:VEVENT\r\n");
            expected.push((start, u16::try_from(*length).unwrap()));
        }
        file.push_str("END:VCALENDAR\r\n");

        let imported = read_calendar(file.as_bytes(), year_2026()).unwrap();
        prop_assert_eq!(imported.events.len(), events.len());
        let mut got: Vec<_> = imported.events.iter().map(|e| (e.start, e.minutes)).collect();
        got.sort();
        expected.sort();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(imported.skipped.total(), 0);
        // Reading again gives the same keys.
        let again = read_calendar(file.as_bytes(), year_2026()).unwrap();
        prop_assert_eq!(imported, again);
    }
}
