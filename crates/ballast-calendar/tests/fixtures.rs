//! Real-world-shaped exports (written for these tests; no real names): exact occurrence
//! counts, UTC start times, lengths, skipped counts and stable keys.

use ballast_calendar::{CalendarEvent, Imported, Skipped, Window, read_calendar, read_calendar_in};
use jiff::Timestamp;
use jiff::tz::TimeZone;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture exists")
}

fn window(start: &str, end: &str) -> Window {
    Window { start: start.parse().unwrap(), end: end.parse().unwrap() }
}

fn year_2026() -> Window {
    window("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
}

fn starts(imported: &Imported) -> Vec<String> {
    imported.events.iter().map(|e| e.start.to_string()).collect()
}

fn at(imported: &Imported, start: &str) -> CalendarEvent {
    let start: Timestamp = start.parse().unwrap();
    *imported.events.iter().find(|e| e.start == start).unwrap_or_else(|| panic!("no session at {start}"))
}

#[test]
fn outlook_export_with_windows_zones_exceptions_and_cancellations() {
    let imported =
        read_calendar(&fixture("outlook.ics"), window("2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z")).unwrap();
    assert_eq!(
        starts(&imported),
        [
            // Weekly Monday 09:00 "GMT Standard Time", COUNT=16: 19 January is an EXDATE,
            // 2 February was moved to 14:00, and from 30 March it is 09:00 BST = 08:00 UTC.
            "2026-01-05T09:00:00Z",
            "2026-01-12T09:00:00Z",
            // 10:00 "W. Europe Standard Time" (CET).
            "2026-01-15T09:00:00Z",
            "2026-01-26T09:00:00Z",
            "2026-02-02T14:00:00Z",
            "2026-02-09T09:00:00Z",
            "2026-02-16T09:00:00Z",
            "2026-02-23T09:00:00Z",
            "2026-03-02T09:00:00Z",
            "2026-03-09T09:00:00Z",
            // 08:00 "Pacific Standard Time", after the US change on 8 March: PDT.
            "2026-03-10T15:00:00Z",
            "2026-03-16T09:00:00Z",
            "2026-03-23T09:00:00Z",
            "2026-03-30T08:00:00Z",
            // "Customized Time Zone" is not a known name, but its VTIMEZONE has UK rules.
            "2026-04-01T09:00:00Z",
            // "Customized Time Zone 1" lists its changes by RDATE, which is not read: the
            // fallback zone is used (UTC here).
            "2026-04-02T10:00:00Z",
            "2026-04-06T08:00:00Z",
            "2026-04-13T08:00:00Z",
            "2026-04-20T08:00:00Z",
        ]
    );
    assert_eq!(at(&imported, "2026-01-15T09:00:00Z").minutes, 45);
    assert!(imported.events.iter().filter(|e| e.minutes != 45).all(|e| e.minutes == 60));
    assert_eq!(imported.skipped, Skipped { cancelled: 1, all_day: 1, free_time: 1, ..Skipped::default() });
    assert_eq!(imported.unknown_time_zone, 1);
}

#[test]
fn outlook_unknown_zone_uses_the_given_fallback() {
    let london = TimeZone::get("Europe/London").unwrap();
    let imported =
        read_calendar_in(&fixture("outlook.ics"), window("2026-04-02T00:00:00Z", "2026-04-03T00:00:00Z"), &london)
            .unwrap();
    // 10:00 in London on 2 April is BST.
    assert_eq!(starts(&imported), ["2026-04-02T09:00:00Z"]);
    assert_eq!(imported.unknown_time_zone, 1);
}

#[test]
fn google_export_across_both_daylight_saving_changes() {
    let imported = read_calendar(&fixture("google.ics"), year_2026()).unwrap();
    let all = starts(&imported);
    let clinic: Vec<_> = imported.events.iter().filter(|e| e.minutes == 50).map(|e| e.start.to_string()).collect();
    assert_eq!(
        clinic,
        [
            // Weekly Monday 09:00 Europe/London, COUNT=10: GMT, then BST from 30 March.
            "2026-03-02T09:00:00Z",
            "2026-03-09T11:00:00Z", // moved to 11:00 (RECURRENCE-ID, higher SEQUENCE)
            "2026-03-16T09:00:00Z",
            "2026-03-23T09:00:00Z",
            "2026-03-30T08:00:00Z",
            // 6 April is cancelled through a RECURRENCE-ID with STATUS:CANCELLED.
            "2026-04-13T08:00:00Z",
            "2026-04-20T08:00:00Z",
            "2026-04-27T08:00:00Z",
            "2026-05-04T08:00:00Z",
        ]
    );
    // Weekly Thursday 14:00 London UNTIL 5 November 14:00 UTC (inclusive): BST until 25 October.
    for start in [
        "2026-10-01T13:00:00Z",
        "2026-10-08T13:00:00Z",
        "2026-10-15T13:00:00Z",
        "2026-10-22T13:00:00Z",
        "2026-10-29T14:00:00Z",
        "2026-11-05T14:00:00Z",
    ] {
        assert_eq!(at(&imported, start).minutes, 60, "{start}");
    }
    assert!(!all.contains(&"2026-11-12T14:00:00Z".to_string()));
    // Daily 09:00 Europe/Berlin with UNTIL at exactly the last occurrence (08:00 UTC).
    let handover: Vec<_> = imported.events.iter().filter(|e| e.minutes == 30).map(|e| e.start.to_string()).collect();
    assert_eq!(
        handover,
        [
            "2026-03-02T08:00:00Z",
            "2026-03-03T08:00:00Z",
            "2026-03-04T08:00:00Z",
            "2026-03-05T08:00:00Z",
            "2026-03-06T08:00:00Z"
        ]
    );
    // Weekly Wednesday 16:00 London without end, since September 2025: every Wednesday of
    // 2026 (52), and the 18 of 2025 counted as outside the window.
    let wednesdays = imported
        .events
        .iter()
        .filter(|e| e.minutes == 60 && e.start.to_zoned(TimeZone::UTC).weekday() == jiff::civil::Weekday::Wednesday);
    assert_eq!(wednesdays.count(), 52 + 1 /* the UTC training on Wednesday 15 April */);
    assert_eq!(at(&imported, "2026-01-07T16:00:00Z").minutes, 60);
    assert_eq!(at(&imported, "2026-07-01T15:00:00Z").minutes, 60);
    assert_eq!(at(&imported, "2026-12-30T16:00:00Z").minutes, 60);
    // An event in UTC (Z).
    assert_eq!(at(&imported, "2026-04-15T13:00:00Z").minutes, 60);

    assert_eq!(imported.events.len(), 9 + 6 + 5 + 52 + 1);
    assert_eq!(imported.skipped, Skipped { outside_window: 18, cancelled: 1, all_day: 1, ..Skipped::default() });
    assert_eq!(imported.unknown_time_zone, 0);
}

#[test]
fn apple_export_with_floating_times_all_day_and_free_time() {
    let file = fixture("apple.ics");
    let spring = window("2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z");
    let imported = read_calendar(&file, spring).unwrap();
    assert_eq!(
        starts(&imported),
        [
            // Every other Thursday 10:00 New York: EST, then EDT from 8 March; 26 March is
            // an EXDATE; UNTIL is the end of 23 April (in UTC).
            "2026-02-26T15:00:00Z",
            // Floating 08:30: read in the calendar's X-WR-TIMEZONE (New York, EDT).
            "2026-03-10T12:30:00Z",
            "2026-03-12T14:00:00Z",
            // DURATION:PT1H30M.
            "2026-04-07T17:30:00Z",
            "2026-04-09T14:00:00Z",
            "2026-04-23T14:00:00Z",
        ]
    );
    assert_eq!(at(&imported, "2026-03-10T12:30:00Z").minutes, 45);
    assert_eq!(at(&imported, "2026-04-07T17:30:00Z").minutes, 90);
    assert_eq!(
        imported.skipped,
        Skipped { all_day: 1, free_time: 1, no_duration: 1, too_long: 1, ..Skipped::default() }
    );

    // Floating times follow the fallback zone when one is given.
    let london = TimeZone::get("Europe/London").unwrap();
    let imported = read_calendar_in(&file, spring, &london).unwrap();
    assert!(starts(&imported).contains(&"2026-03-10T08:30:00Z".to_string()));
    assert!(starts(&imported).contains(&"2026-02-26T15:00:00Z".to_string()), "zoned times do not move");
}

#[test]
fn reading_twice_gives_the_same_keys() {
    for name in ["outlook.ics", "google.ics", "apple.ics"] {
        let first = read_calendar(&fixture(name), year_2026()).unwrap();
        let second = read_calendar(&fixture(name), year_2026()).unwrap();
        assert_eq!(first, second, "{name}");
        let mut keys: Vec<_> = first.events.iter().map(|e| e.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), first.events.len(), "{name}: keys are unique");
    }
}

#[test]
fn keys_do_not_depend_on_the_window() {
    let whole = read_calendar(&fixture("google.ics"), year_2026()).unwrap();
    let march = read_calendar(&fixture("google.ics"), window("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")).unwrap();
    assert!(!march.events.is_empty());
    for event in &march.events {
        assert!(whole.events.contains(event));
    }
}

#[test]
fn a_moved_occurrence_keeps_the_key_of_the_slot_it_replaced() {
    let file = String::from_utf8(fixture("google.ics")).unwrap();
    let before = read_calendar(file.as_bytes(), year_2026()).unwrap();
    // The same export, with the 9 March change moved again, to 12:00.
    let later = file
        .replace("DTSTART;TZID=Europe/London:20260309T110000", "DTSTART;TZID=Europe/London:20260309T120000")
        .replace("DTEND;TZID=Europe/London:20260309T115000", "DTEND;TZID=Europe/London:20260309T125000");
    let after = read_calendar(later.as_bytes(), year_2026()).unwrap();
    let old = at(&before, "2026-03-09T11:00:00Z");
    let new = at(&after, "2026-03-09T12:00:00Z");
    assert_eq!(old.key, new.key);
}

#[test]
fn nothing_identifying_is_in_the_output() {
    // The output types hold only a hash, an instant and a length; check that the Debug
    // output of a whole import has no text from the file either.
    let imported = read_calendar(&fixture("outlook.ics"), year_2026()).unwrap();
    let debug = format!("{imported:?}");
    for secret in ["Supervision", "Room", "helper@example.org", "040000008200E", "Lunch", "Seattle"] {
        assert!(!debug.contains(secret), "{secret} leaked");
    }
}

#[test]
fn lf_only_and_bom_are_accepted() {
    let file = String::from_utf8(fixture("google.ics")).unwrap().replace("\r\n", "\n");
    let with_bom = format!("\u{feff}{file}");
    let a = read_calendar(file.as_bytes(), year_2026()).unwrap();
    let b = read_calendar(with_bom.as_bytes(), year_2026()).unwrap();
    let c = read_calendar(&fixture("google.ics"), year_2026()).unwrap();
    assert_eq!(a, c);
    assert_eq!(b, c);
}
