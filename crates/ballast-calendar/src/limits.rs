//! The limits that keep a broken or hostile file from exhausting memory or CPU.
//!
//! Each is checked before or while the work it bounds is done, never after: the size before
//! anything is read, lines, blocks and nesting in one cheap pass before the iCalendar parser
//! runs, the cost of expanding repeat rules before any rule is expanded, and the number of
//! sessions while they are collected. Real exports sit far below every one of them: a
//! 5,000-event Outlook export is about 3.5 MB, 115,000 lines and 10,000 blocks, three deep.

/// Largest file read, in bytes (10 MiB). Checked before anything else.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Most logical lines (after unfolding) in a file.
pub const MAX_LINES: usize = 500_000;

/// Most `BEGIN:` blocks (events, alarms, time zones, …) in a file.
pub const MAX_COMPONENTS: usize = 100_000;

/// Deepest nesting of `BEGIN:` blocks. Calendar programs write three (calendar, event, alarm).
pub const MAX_DEPTH: usize = 8;

/// Most occurrences that may start inside the import window, counting those then skipped
/// (all-day, cancelled, …). A calendar over this is refused rather than cut short.
pub const MAX_OCCURRENCES: usize = 20_000;

/// Upper bound on the candidate dates all repeat rules in a file may generate, from each
/// event's first date up to the end of the import window. Estimated per rule before
/// expanding anything; a daily event since 1990 costs about 13,000.
pub const MAX_EXPANSION_STEPS: u64 = 500_000;

/// Most repeat rules of an unusual shape (hourly or finer, by hour/minute/second, by week
/// number or day of year, or combinations that may never match). Such a rule can cost its
/// iCalendar library up to a fixed 100,000 search steps even when it never produces a date,
/// so only a few are accepted per file. Outlook, Google and Apple never write them.
pub const MAX_UNUSUAL_RULES: usize = 8;

/// Sessions longer than this (in minutes) are skipped as not being sessions.
pub const MAX_SESSION_MINUTES: i64 = 24 * 60;
