//! Times `read_calendar` on a generated, Outlook-shaped export with 5,000 sessions: 4,000
//! single events and 20 weekly series of 50 occurrences each (with an EXDATE and a moved
//! occurrence apiece), all in "GMT Standard Time" with its VTIMEZONE, descriptions, attendees
//! and reminders as Outlook writes them.
//!
//! Run in release: `cargo run --release -p ballast-calendar --example import_bench [RUNS]`.

use ballast_calendar::{Window, read_calendar};
use jiff::ToSpan;
use jiff::civil::DateTime;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const SINGLE: usize = 4_000;
const SERIES: usize = 20;
const PER_SERIES: usize = 50;

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(25);
    let file = generate();
    let window =
        Window { start: "2025-01-01T00:00:00Z".parse().unwrap(), end: "2027-01-01T00:00:00Z".parse().unwrap() };

    let first = read_calendar(file.as_bytes(), window).expect("the generated file imports");
    assert_eq!(first.events.len(), SINGLE + SERIES * PER_SERIES, "sessions");

    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let imported = read_calendar(file.as_bytes(), window).expect("imports");
            let took = started.elapsed();
            assert_eq!(imported.events.len(), first.events.len());
            took
        })
        .collect();
    times.sort_unstable();
    println!(
        "{} sessions from {:.2} MB ({} lines): best {:.1} ms, median {:.1} ms, worst {:.1} ms over {runs} runs",
        first.events.len(),
        file.len() as f64 / 1_048_576.0,
        file.lines().count(),
        times[0].as_secs_f64() * 1e3,
        times[runs / 2].as_secs_f64() * 1e3,
        times[runs - 1].as_secs_f64() * 1e3,
    );
}

fn generate() -> String {
    let mut out = String::with_capacity(4 << 20);
    out.push_str(concat!(
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\nVERSION:2.0\r\n",
        "METHOD:PUBLISH\r\nX-WR-CALNAME:Calendar\r\nX-PRIMARY-CALENDAR:TRUE\r\n",
        "BEGIN:VTIMEZONE\r\nTZID:GMT Standard Time\r\n",
        "BEGIN:STANDARD\r\nDTSTART:16011028T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n",
        "TZOFFSETFROM:+0100\r\nTZOFFSETTO:-0000\r\nEND:STANDARD\r\n",
        "BEGIN:DAYLIGHT\r\nDTSTART:16010325T010000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n",
        "TZOFFSETFROM:-0000\r\nTZOFFSETTO:+0100\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n",
    ));
    let base = jiff::civil::date(2025, 1, 6).at(0, 0, 0, 0);
    let local = |t: DateTime| t.strftime("%Y%m%dT%H%M%S").to_string();
    for i in 0..SINGLE {
        // Spread over about 100 weeks, 8 slots a working day, 08:00 to 16:00.
        let day = (i / 8) as i64;
        let start = base
            .checked_add((day / 5 * 7 + day % 5).days())
            .unwrap()
            .checked_add((8 + (i % 8) as i64).hours())
            .unwrap();
        let end = start.checked_add(50.minutes()).unwrap();
        write_event(&mut out, i, &local(start), &local(end), None);
    }
    for s in 0..SERIES {
        let start = base
            .checked_add(((s % 5) as i64).days())
            .unwrap()
            .checked_add((17 + (s / 5) as i64).hours())
            .unwrap()
            .checked_add(((s % 2) as i64 * 30).minutes())
            .unwrap();
        let end = start.checked_add(30.minutes()).unwrap();
        // COUNT is one more than kept: one EXDATE removes an occurrence, one is moved.
        let rule = format!("RRULE:FREQ=WEEKLY;COUNT={}\r\n", PER_SERIES + 1);
        let exdate = start.checked_add((7 * 10).days()).unwrap();
        let extra = format!("{rule}EXDATE;TZID=\"GMT Standard Time\":{}\r\n", local(exdate));
        write_event(&mut out, SINGLE + s, &local(start), &local(end), Some(&extra));
        // Occurrence 20 moved an hour later.
        let original = start.checked_add((7 * 20).days()).unwrap();
        let moved = original.checked_add(1.hour()).unwrap();
        let rid = format!("RECURRENCE-ID;TZID=\"GMT Standard Time\":{}\r\nSEQUENCE:1\r\n", local(original));
        write_event(&mut out, SINGLE + s, &local(moved), &local(moved.checked_add(30.minutes()).unwrap()), Some(&rid));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn write_event(out: &mut String, id: usize, start: &str, end: &str, extra: Option<&str>) {
    let _ = write!(
        out,
        concat!(
            "BEGIN:VEVENT\r\nCLASS:PUBLIC\r\nCREATED:20241215T101500Z\r\n",
            "DESCRIPTION:Session notes are kept elsewhere. Room booking ref {id}.\\n\\nJoin online:\r\n",
            "  https://meet.example.org/j/{id:010}\\n\r\n",
            "DTEND;TZID=\"GMT Standard Time\":{end}\r\nDTSTAMP:20241216T081200Z\r\n",
            "DTSTART;TZID=\"GMT Standard Time\":{start}\r\n{extra}",
            "LAST-MODIFIED:20241215T101500Z\r\nLOCATION:Room {room}\r\n",
            "ORGANIZER;CN=\"Scheduling\":mailto:scheduling@example.org\r\n",
            "ATTENDEE;CN=\"Sample Helper\";RSVP=TRUE:mailto:helper@example.org\r\n",
            "PRIORITY:5\r\nSEQUENCE:0\r\nSUMMARY;LANGUAGE=en-gb:Appointment {id}\r\nTRANSP:OPAQUE\r\n",
            "UID:040000008200E00074C5B7101A82E00800000000{id:016X}01000000000000000010000000\r\n",
            "X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\nX-MICROSOFT-CDO-IMPORTANCE:1\r\n",
            "X-MICROSOFT-DISALLOW-COUNTER:FALSE\r\nX-MS-OLK-AUTOFILLLOCATION:FALSE\r\nX-MS-OLK-CONFTYPE:0\r\n",
            "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nEND:VALARM\r\nEND:VEVENT\r\n",
        ),
        id = id,
        start = start,
        end = end,
        extra = extra.unwrap_or(""),
        room = id % 40,
    );
}
