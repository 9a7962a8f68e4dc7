//! Prints what `read_calendar` makes of a file: start times, lengths and skipped counts
//! (never titles). Usage: `cargo run -p ballast-calendar --example read_ics -- FILE [FROM TO [ZONE]]`
//! with FROM and TO as RFC 3339 instants (default: all of 2026) and ZONE an IANA name.

use ballast_calendar::{Window, read_calendar, read_calendar_in};
use jiff::Timestamp;
use jiff::tz::TimeZone;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: read_ics FILE [FROM TO [ZONE]]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(path).expect("readable file");
    let instant = |i: usize, default: &str| args.get(i).map_or(default, String::as_str).parse::<Timestamp>();
    let window = Window {
        start: instant(1, "2026-01-01T00:00:00Z").expect("FROM as RFC 3339"),
        end: instant(2, "2027-01-01T00:00:00Z").expect("TO as RFC 3339"),
    };
    let result = match args.get(3) {
        Some(zone) => read_calendar_in(&bytes, window, &TimeZone::get(zone).expect("known zone")),
        None => read_calendar(&bytes, window),
    };
    match result {
        Ok(imported) => {
            for event in &imported.events {
                println!(
                    "{} {:>4} min  key {:02x}{:02x}{:02x}{:02x}…",
                    event.start, event.minutes, event.key[0], event.key[1], event.key[2], event.key[3]
                );
            }
            println!(
                "{} sessions; skipped {:?}; unknown zone {}",
                imported.events.len(),
                imported.skipped,
                imported.unknown_time_zone
            );
        }
        Err(error) => {
            println!("refused: {error}");
            println!("        ({error:?})");
        }
    }
}
