//! Feeds arbitrary bytes to the calendar import's entry point. Any panic, abort, timeout or
//! out-of-memory is a finding; an `Err` is the expected answer to most inputs.

#![no_main]

use ballast_calendar::{Window, read_calendar};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let window = Window {
        start: jiff::Timestamp::from_second(1_767_225_600).expect("2026-01-01"),
        end: jiff::Timestamp::from_second(1_798_761_600).expect("2027-01-01"),
    };
    if let Ok(imported) = read_calendar(bytes, window) {
        for event in &imported.events {
            assert!(window.start <= event.start && event.start < window.end);
            assert!((1..=1_440).contains(&event.minutes));
        }
    }
});
