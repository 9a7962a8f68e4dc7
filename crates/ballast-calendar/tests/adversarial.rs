//! Malformed and hostile files: each is refused quickly, as the right error, with a message a
//! person can read that quotes nothing from the file.

use ballast_calendar::{Block, Field, ImportError, StructureProblem, Window, limits, read_calendar};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture exists")
}

fn year_2026() -> Window {
    Window { start: "2026-01-01T00:00:00Z".parse().unwrap(), end: "2027-01-01T00:00:00Z".parse().unwrap() }
}

/// Reads, checking that it took less than `budget` even in a debug build.
fn read_within(bytes: &[u8], budget: Duration) -> Result<ballast_calendar::Imported, ImportError> {
    let started = Instant::now();
    let result = read_calendar(bytes, year_2026());
    let took = started.elapsed();
    assert!(took < budget, "took {took:?}");
    result
}

fn calendar(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Tests//EN\r\n{body}END:VCALENDAR\r\n")
}

fn event(lines: &str) -> String {
    format!("BEGIN:VEVENT\r\n{lines}END:VEVENT\r\n")
}

#[test]
fn not_a_calendar() {
    for bytes in [
        fixture("not-ics.txt"),
        Vec::new(),
        b"   \r\n\r\n".to_vec(),
        vec![0, 159, 146, 150, 255, 0, 1],
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Someone\r\nEND:VCARD\r\n".to_vec(),
        b"<html><body>BEGIN:VCALENDAR</body></html>".to_vec(),
    ] {
        let error = read_within(&bytes, Duration::from_secs(1)).unwrap_err();
        assert_eq!(error, ImportError::NotICalendar);
    }
    assert_eq!(
        ImportError::NotICalendar.to_string(),
        "This file is not an iCalendar (.ics) file. Export your calendar as .ics and upload that file."
    );
}

#[test]
fn truncated_file() {
    let error = read_within(&fixture("truncated.ics"), Duration::from_secs(1)).unwrap_err();
    assert_eq!(error, ImportError::Truncated);
    assert!(error.to_string().contains("cut off"));
}

#[test]
fn invalid_date_names_the_line_and_nothing_else() {
    let error = read_within(&fixture("invalid-date.ics"), Duration::from_secs(1)).unwrap_err();
    assert_eq!(error, ImportError::InvalidValue { line: Some(12), field: Field::Start });
    let message = error.to_string();
    assert_eq!(message, "Line 12: the start time of an event could not be read. Nothing was imported.");
    assert!(!message.contains("February") && !message.contains("invalid-1"));
}

#[test]
fn invalid_time_of_day() {
    let error = read_within(&fixture("invalid-time.ics"), Duration::from_secs(1)).unwrap_err();
    assert_eq!(error, ImportError::InvalidValue { line: Some(7), field: Field::End });
    assert_eq!(error.to_string(), "Line 7: the end time of an event could not be read. Nothing was imported.");
}

#[test]
fn unreadable_values_of_each_kind() {
    let cases = [
        ("DTSTART:garbage\r\n", Field::Start),
        ("DTSTART:20260301T090000Z\r\nDURATION:soon\r\n", Field::Duration),
        ("DTSTART:20260301T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;BYMONTHDAY=3\r\n", Field::RepeatRule),
        (
            "DTSTART:20260301T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\nEXDATE:20260431T090000Z\r\n",
            Field::ExcludedDate,
        ),
        ("DTSTART:20260301T090000Z\r\nDURATION:PT1H\r\nRDATE:tomorrow\r\n", Field::ExtraDate),
        ("DTSTART:20260301T090000Z\r\nDURATION:PT1H\r\nRECURRENCE-ID:20261301T090000Z\r\n", Field::ChangedOccurrence),
        ("SUMMARY:No start at all\r\n", Field::Start),
    ];
    for (lines, field) in cases {
        let file = calendar(&event(&format!("UID:u@example.org\r\n{lines}")));
        let error = read_within(file.as_bytes(), Duration::from_secs(1)).unwrap_err();
        match error {
            ImportError::InvalidValue { line: Some(line), field: got } => {
                assert_eq!(got, field, "{lines}");
                assert!((4..=9).contains(&line), "{lines}: line {line}");
            }
            other => panic!("{lines}: {other:?}"),
        }
    }
}

#[test]
fn ends_before_it_starts() {
    let file =
        calendar(&event("UID:u@example.org\r\nDTSTART:20260301T100000Z\r\nDTEND:20260301T090000Z\r\nSUMMARY:Back\r\n"));
    let error = read_within(file.as_bytes(), Duration::from_secs(1)).unwrap_err();
    assert_eq!(error, ImportError::EndsBeforeStart { line: Some(7) });
    assert_eq!(error.to_string(), "Line 7: an event ends before it starts. Nothing was imported.");
}

#[test]
fn mismatched_blocks() {
    let file = calendar("BEGIN:VEVENT\r\nUID:u\r\nBEGIN:VALARM\r\nEND:VEVENT\r\nEND:VALARM\r\n");
    let error = read_within(file.as_bytes(), Duration::from_secs(1)).unwrap_err();
    assert_eq!(
        error,
        ImportError::Malformed {
            line: 7,
            problem: StructureProblem::MismatchedEnd { open: Block::Alarm, found: Block::Event }
        }
    );
    assert_eq!(
        error.to_string(),
        "Line 7: an event (VEVENT) ends here, but the entry open is a reminder (VALARM). The file looks damaged."
    );
    // Names that are not standard are never echoed.
    let file = calendar("BEGIN:X-PATIENT-JANE-DOE\r\nEND:X-OTHER\r\n");
    let message = read_within(file.as_bytes(), Duration::from_secs(1)).unwrap_err().to_string();
    assert!(!message.contains("JANE") && message.contains("another entry"), "{message}");
}

#[test]
fn deeply_nested_blocks_are_refused_at_the_limit() {
    let depth = 200_000;
    let mut file = String::from("BEGIN:VCALENDAR\r\n");
    for _ in 0..depth {
        file.push_str("BEGIN:VEVENT\r\n");
    }
    for _ in 0..depth {
        file.push_str("END:VEVENT\r\n");
    }
    file.push_str("END:VCALENDAR\r\n");
    let error = read_within(file.as_bytes(), Duration::from_secs(2)).unwrap_err();
    assert_eq!(error, ImportError::TooDeeplyNested { line: limits::MAX_DEPTH as u32 + 1 });
}

#[test]
fn too_many_blocks() {
    let mut body = String::new();
    for _ in 0..=limits::MAX_COMPONENTS {
        body.push_str("BEGIN:VJOURNAL\r\nEND:VJOURNAL\r\n");
    }
    let error = read_within(calendar(&body).as_bytes(), Duration::from_secs(2)).unwrap_err();
    assert_eq!(error, ImportError::TooManyComponents);
}

#[test]
fn a_million_lines_over_the_size_limit_is_refused_before_reading() {
    let mut file = String::from("BEGIN:VCALENDAR\r\n");
    for i in 0..1_000_000 {
        let _ = write!(file, "X-LINE:{i:012}\r\n");
    }
    file.push_str("END:VCALENDAR\r\n");
    assert!(file.len() > limits::MAX_FILE_BYTES);
    let error = read_within(file.as_bytes(), Duration::from_millis(50)).unwrap_err();
    assert_eq!(error, ImportError::TooLarge);
    assert_eq!(
        error.to_string(),
        "The file is larger than 10 MB, more than Ballast reads in one go. Export a shorter period of your calendar and try again."
    );
}

#[test]
fn a_million_short_lines_under_the_size_limit_are_refused_by_count() {
    let mut file = String::from("BEGIN:VCALENDAR\r\n");
    for _ in 0..1_000_000 {
        file.push_str("X:1\r\n");
    }
    file.push_str("END:VCALENDAR\r\n");
    assert!(file.len() < limits::MAX_FILE_BYTES);
    let error = read_within(file.as_bytes(), Duration::from_secs(2)).unwrap_err();
    assert_eq!(error, ImportError::TooManyLines);
}

#[test]
fn a_huge_line_is_read_without_trouble() {
    let description = "x".repeat(9 * 1024 * 1024);
    let file = calendar(&event(&format!(
        "UID:u@example.org\r\nDTSTART:20260301T090000Z\r\nDTEND:20260301T100000Z\r\nDESCRIPTION:{description}\r\n"
    )));
    let imported = read_within(file.as_bytes(), Duration::from_secs(5)).unwrap();
    assert_eq!(imported.events.len(), 1);
    assert_eq!(imported.events[0].minutes, 60);
}

#[test]
fn endless_rules_every_second_or_minute_are_refused_before_expanding() {
    for name in ["rrule-secondly.ics", "rrule-minutely.ics"] {
        let error = read_within(&fixture(name), Duration::from_millis(200)).unwrap_err();
        assert_eq!(error, ImportError::TooManyRepeats, "{name}");
    }
}

#[test]
fn an_endless_rule_is_expanded_only_up_to_the_window() {
    // Every minute, starting on the last day of the window: 1,440 sessions, not infinitely many.
    let file =
        calendar(&event("UID:m@example.org\r\nDTSTART:20261231T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY\r\n"));
    let imported = read_within(file.as_bytes(), Duration::from_secs(5)).unwrap();
    assert_eq!(imported.events.len(), 1_440);
    assert_eq!(imported.events.last().unwrap().start.to_string(), "2026-12-31T23:59:00Z");
}

#[test]
fn rules_that_can_never_match_give_only_their_first_date() {
    let file = calendar(&event(
        "UID:n@example.org\r\nDTSTART:20260301T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30,31\r\n",
    ));
    let imported = read_within(file.as_bytes(), Duration::from_secs(1)).unwrap();
    assert_eq!(imported.events.len(), 1);
}

#[test]
fn unusual_rules_are_limited_per_file() {
    let rule = "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=9\r\n";
    let events = |n: usize| {
        (0..n)
            .map(|i| event(&format!("UID:{i}@example.org\r\nDTSTART:20260302T090000Z\r\nDURATION:PT1H\r\n{rule}")))
            .collect::<String>()
    };
    let error =
        read_within(calendar(&events(limits::MAX_UNUSUAL_RULES + 1)).as_bytes(), Duration::from_secs(1)).unwrap_err();
    assert_eq!(error, ImportError::TooManyUnusualRules);
    // A couple are fine (each costs the expander its fixed search before it gives up).
    let imported = read_within(calendar(&events(2)).as_bytes(), Duration::from_secs(10)).unwrap();
    assert_eq!(imported.events.len(), 2, "only the first dates");
}

#[test]
fn too_many_sessions_in_the_window() {
    let body: String = (0..=limits::MAX_OCCURRENCES)
        .map(|i| {
            let minute = i % 1_000;
            let day = 1 + (i / 1_000) % 28;
            event(&format!(
                "UID:{i}@example.org\r\nDTSTART:202603{day:02}T{:02}{:02}00Z\r\nDURATION:PT5M\r\n",
                minute / 60,
                minute % 60
            ))
        })
        .collect();
    let error = read_within(calendar(&body).as_bytes(), Duration::from_secs(5)).unwrap_err();
    assert_eq!(error, ImportError::TooManySessions);
    assert!(error.to_string().contains("20,000"));
}

#[test]
fn an_empty_window_is_refused() {
    let window =
        Window { start: "2026-01-01T00:00:00Z".parse().unwrap(), end: "2026-01-01T00:00:00Z".parse().unwrap() };
    assert_eq!(read_calendar(&fixture("google.ics"), window).unwrap_err(), ImportError::EmptyWindow);
}

#[test]
fn every_message_is_plain_and_short() {
    let errors = [
        ImportError::NotICalendar,
        ImportError::TooLarge,
        ImportError::TooManyLines,
        ImportError::TooManyComponents,
        ImportError::TooDeeplyNested { line: 9 },
        ImportError::Truncated,
        ImportError::Malformed { line: 3, problem: StructureProblem::EndWithoutBegin },
        ImportError::Malformed { line: 3, problem: StructureProblem::OutsideCalendar },
        ImportError::InvalidValue { line: None, field: Field::RepeatRule },
        ImportError::EndsBeforeStart { line: None },
        ImportError::TooManyRepeats,
        ImportError::TooManyUnusualRules,
        ImportError::TooManySessions,
        ImportError::EmptyWindow,
    ];
    for error in errors {
        let message = error.to_string();
        assert!(message.len() < 300, "{message}");
        assert!(message.ends_with('.'), "{message}");
        assert!(message.chars().next().unwrap().is_uppercase(), "{message}");
    }
}

#[test]
fn line_numbers_count_every_block_before_the_broken_event() {
    // Break the Pacific call in the Outlook fixture, after time zones, alarms and changes.
    let file = String::from_utf8(fixture("outlook.ics")).unwrap();
    let broken = file.replace(
        "DTSTART;TZID=\"Pacific Standard Time\":20260310T080000",
        "DTSTART;TZID=\"Pacific Standard Time\":20260310T086100",
    );
    let line = broken.lines().position(|l| l.ends_with("20260310T086100")).unwrap() as u32 + 1;
    let error = read_within(broken.as_bytes(), Duration::from_secs(1)).unwrap_err();
    assert_eq!(error, ImportError::InvalidValue { line: Some(line), field: Field::Start });
}
