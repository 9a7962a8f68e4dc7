//! Reminders: the times of day a person chose for their check-in and for a self-care slot,
//! read from what they typed; whether today's check-in is due now; when an email reminder
//! may go out; and how long to wait before trying a failed email again.
//!
//! Times are local wall-clock times in the person's own zone: "09:00" stays at nine in the
//! morning across daylight-saving changes, which is what a person means by it.

use jiff::SignedDuration;
use jiff::civil::{DateTime, Time};

/// How long the check-in event in the calendar feed lasts: about what a check-in takes.
pub const CHECK_IN_MINUTES: u16 = 10;
/// How long the daily self-care slot in the calendar feed lasts.
pub const SELF_CARE_MINUTES: u16 = 30;

/// Why a typed time of day was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeProblem {
    #[error("Enter a time as hours and minutes on the 24-hour clock, such as 08:30 or 17:45.")]
    NotATime,
}

/// A time of day as typed into a `<input type="time">` (or by hand): `H:MM` or `HH:MM` on
/// the 24-hour clock, seconds not accepted. An empty field means "no reminder" (`None`).
pub fn parse_time_of_day(typed: &str) -> Result<Option<Time>, TimeProblem> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let (hours, minutes) = typed.split_once(':').ok_or(TimeProblem::NotATime)?;
    let digits = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<i8>().ok())
    };
    let hours = digits(hours, 2).flatten().ok_or(TimeProblem::NotATime)?;
    let minutes = if minutes.len() == 2 { digits(minutes, 2).flatten() } else { None }.ok_or(TimeProblem::NotATime)?;
    Time::new(hours, minutes, 0, 0).map(Some).map_err(|_| TimeProblem::NotATime)
}

/// A time of day the way the settings form shows it again: `HH:MM`.
pub fn time_of_day_text(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// Minutes since midnight, the way the stores keep a time of day.
pub fn minute_of_day(time: Time) -> i32 {
    i32::from(time.hour()) * 60 + i32::from(time.minute())
}

/// The time of day `minutes` after midnight, if it is one (0 to 1,439).
pub fn time_from_minute_of_day(minutes: i32) -> Option<Time> {
    if !(0..24 * 60).contains(&minutes) {
        return None;
    }
    Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0).ok()
}

/// Whether "today's check-in" belongs in the person's due-now list: they asked for a
/// check-in reminder, its time has come today (`now` is their local time), and they have not
/// checked in today yet.
pub fn check_in_due(reminder_at: Option<Time>, now: DateTime, checked_in_today: bool) -> bool {
    reminder_at.is_some_and(|at| !checked_in_today && now.time() >= at)
}

/// How late an email reminder may still go out, in minutes after its time. A reminder hours
/// late (the server was down, or the person set the time after it had passed) is no help.
pub const EMAIL_LATENESS_MINUTES: i32 = 180;

/// Whether the day's email reminder should be sent at the person's local time `now`: its time
/// has come, and not so long ago that it would arrive out of place. Never across midnight:
/// a 23:00 reminder sent at 00:30 would belong to the wrong day.
pub fn email_reminder_due(reminder_at: Time, now: DateTime) -> bool {
    let late = minute_of_day(now.time()) - minute_of_day(reminder_at);
    (0..EMAIL_LATENESS_MINUTES).contains(&late)
}

/// Tries at most this many times to send one email.
pub const MAX_EMAIL_ATTEMPTS: u32 = 5;

/// How long to wait before trying again after `attempts` failed tries, doubling from a minute
/// (1, 2, 4, 8 minutes), or `None` when that was the last try.
pub fn retry_after(attempts: u32) -> Option<SignedDuration> {
    if attempts == 0 || attempts >= MAX_EMAIL_ATTEMPTS {
        return None;
    }
    Some(SignedDuration::from_mins(1 << (attempts - 1).min(10)))
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn times_are_read_on_the_24_hour_clock() {
        assert_eq!(parse_time_of_day("08:30"), Ok(Some(time(8, 30, 0, 0))));
        assert_eq!(parse_time_of_day(" 7:05 "), Ok(Some(time(7, 5, 0, 0))));
        assert_eq!(parse_time_of_day("23:59"), Ok(Some(time(23, 59, 0, 0))));
        assert_eq!(parse_time_of_day(""), Ok(None));
        assert_eq!(parse_time_of_day("   "), Ok(None));
        for bad in ["24:00", "12:60", "9", "9:5", "09:30:00", "nine", "-1:00", "+9:00", "0930", "12:3x", "123:00"] {
            assert_eq!(parse_time_of_day(bad), Err(TimeProblem::NotATime), "{bad:?}");
        }
    }

    #[test]
    fn minutes_of_day_round_trip_and_stay_in_the_day() {
        assert_eq!(time_from_minute_of_day(0), Some(time(0, 0, 0, 0)));
        assert_eq!(time_from_minute_of_day(1439), Some(time(23, 59, 0, 0)));
        assert_eq!(time_from_minute_of_day(1440), None);
        assert_eq!(time_from_minute_of_day(-1), None);
        assert_eq!(minute_of_day(time(17, 45, 0, 0)), 1065);
    }

    #[test]
    fn the_check_in_is_due_once_its_time_has_come_until_the_person_checks_in() {
        let nine = Some(time(9, 0, 0, 0));
        let day = date(2026, 3, 29);
        assert!(!check_in_due(nine, day.at(8, 59, 59, 0), false), "not yet");
        assert!(check_in_due(nine, day.at(9, 0, 0, 0), false));
        assert!(check_in_due(nine, day.at(23, 30, 0, 0), false));
        assert!(!check_in_due(nine, day.at(10, 0, 0, 0), true), "done for today");
        assert!(!check_in_due(None, day.at(10, 0, 0, 0), false), "no reminder asked for");
    }

    #[test]
    fn an_email_reminder_goes_out_from_its_time_for_three_hours_within_the_day() {
        let nine = time(9, 0, 0, 0);
        let day = date(2026, 3, 29);
        assert!(!email_reminder_due(nine, day.at(8, 59, 0, 0)));
        assert!(email_reminder_due(nine, day.at(9, 0, 0, 0)));
        assert!(email_reminder_due(nine, day.at(11, 59, 0, 0)));
        assert!(!email_reminder_due(nine, day.at(12, 0, 0, 0)), "too late to help");
        assert!(!email_reminder_due(time(23, 0, 0, 0), day.at(0, 30, 0, 0)), "never into the next day");
        assert!(email_reminder_due(time(23, 0, 0, 0), day.at(23, 59, 0, 0)));
    }

    #[test]
    fn retries_wait_twice_as_long_each_time_then_stop() {
        let waits: Vec<_> = (1..=MAX_EMAIL_ATTEMPTS).map(retry_after).collect();
        assert_eq!(
            waits,
            [
                Some(SignedDuration::from_mins(1)),
                Some(SignedDuration::from_mins(2)),
                Some(SignedDuration::from_mins(4)),
                Some(SignedDuration::from_mins(8)),
                None
            ]
        );
        assert_eq!(retry_after(0), None);
        assert_eq!(retry_after(u32::MAX), None);
    }

    proptest! {
        #[test]
        fn every_time_of_day_survives_being_shown_and_read_again(hour in 0i8..24, minute in 0i8..60) {
            let time = Time::new(hour, minute, 0, 0).unwrap();
            prop_assert_eq!(parse_time_of_day(&time_of_day_text(time)), Ok(Some(time)));
            prop_assert_eq!(time_from_minute_of_day(minute_of_day(time)), Some(time));
        }

        #[test]
        fn any_text_is_read_without_panicking(text in "\\PC{0,12}") {
            let _ = parse_time_of_day(&text);
        }
    }
}
