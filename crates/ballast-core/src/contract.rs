//! The self-care contract: the person's own goals (what, how it is measured, the target, by
//! when, why it matters), the people who support them, what they will do when their warning
//! signs show, how often they review it all, and the recovery phase they may be in.
//!
//! Pure: "today" is passed in. The words of goals and plans are the person's and are sealed
//! by the web layer; this module holds the rules around them.

use jiff::Span;
use jiff::civil::Date;

use crate::exposure::PacingPlan;

/// Three months: often enough to notice drift, far enough apart that change can show.
pub const DEFAULT_REVIEW_DAYS: u16 = 91;

/// How often a person can choose to review their contract.
pub const REVIEW_CHOICES: [(u16, &str); 4] =
    [(30, "Every month"), (61, "Every two months"), (91, "Every three months"), (182, "Every six months")];

/// Longest goal field, plan or note, in characters.
pub const MAX_FIELD_CHARS: usize = 300;
/// Longest review reflection, in characters.
pub const MAX_REFLECTION_CHARS: usize = 4000;
/// Most goals in progress at once: a contract with more is a wish list.
pub const MAX_ACTIVE_GOALS: usize = 8;
/// Most people listed.
pub const MAX_PEOPLE: usize = 12;
/// Goals can be set up to two years ahead.
pub const MAX_GOAL_DAYS_AHEAD: i32 = 731;

/// When the next review falls: `every_days` after the last review, or after the contract was
/// started if there has been none.
pub fn next_review(started: Date, last_review: Option<Date>, every_days: u16) -> Date {
    let from = last_review.map_or(started, |last| last.max(started));
    from.checked_add(Span::new().days(i64::from(every_days))).unwrap_or(from)
}

/// A phase of recovery the person can choose to be in, and leave, with suggestions in our words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Rest,
    Process,
    Return,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Rest, Phase::Process, Phase::Return];

    pub fn id(self) -> &'static str {
        match self {
            Phase::Rest => "rest",
            Phase::Process => "process",
            Phase::Return => "return",
        }
    }

    pub fn parse(id: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.id() == id)
    }

    pub fn title(self) -> &'static str {
        match self {
            Phase::Rest => "Rest and stabilise",
            Phase::Process => "Process and reflect",
            Phase::Return => "Return gradually",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            Phase::Rest => {
                "For when you are running on empty. The aim is not to fix anything yet, only to stop the drain and let your body settle."
            }
            Phase::Process => {
                "For when the worst has eased and there is room to look at what happened and what it meant to you."
            }
            Phase::Return => {
                "For coming back to the work step by step, with lighter limits than before, and widening them only as you feel steady."
            }
        }
    }

    pub fn suggestions(self) -> &'static [&'static str] {
        match self {
            Phase::Rest => &[
                "Protect sleep first: the same time to bed and up, even on days off.",
                "Eat regular meals and take the breaks your pacing plan sets, even short ones.",
                "Say no to extra shifts, cover and new commitments for now.",
                "Spend a little time each day on something that asks nothing of you.",
                "Tell one person you trust that you are in a rest phase.",
            ],
            Phase::Process => &[
                "Write about what stayed with you, in your journal, a few times a week.",
                "Book time with a supervisor, a peer or your own therapist to talk it through.",
                "Notice which sessions or situations drain you most, and which restore you.",
                "Retake ProQOL 5 to see where the weight is coming from.",
            ],
            Phase::Return => &[
                "Use lighter pacing limits for a few weeks (Ballast can suggest some from your plan).",
                "Spread heavy sessions across the week instead of stacking them.",
                "Keep one debrief or peer check-in each week.",
                "Widen your limits one at a time, and only after a steady week.",
            ],
        }
    }
}

/// Lighter limits to return to work with, from the person's own plan: one heavy session fewer
/// a day (at least one), a third fewer heavy minutes, five more minutes between sessions, one
/// working day fewer in a row (at least two), and the same break and hours. Never heavier than
/// the plan it comes from, and always a plan that passes [`PacingPlan::check`] when that one
/// did.
pub fn gentler_plan(plan: &PacingPlan) -> PacingPlan {
    // Each `min`/`max` against the plan's own value keeps a limit that is already at its
    // floor (one heavy session, two days) from being raised.
    PacingPlan {
        min_gap_minutes: plan
            .min_gap_minutes
            .saturating_add(5)
            .min(PacingPlan::MAX_GAP_MINUTES)
            .max(plan.min_gap_minutes),
        max_heavy_sessions_per_day: plan
            .max_heavy_sessions_per_day
            .saturating_sub(1)
            .max(1)
            .min(plan.max_heavy_sessions_per_day),
        max_heavy_minutes_per_day: (plan.max_heavy_minutes_per_day - plan.max_heavy_minutes_per_day / 3)
            .max(1)
            .min(plan.max_heavy_minutes_per_day),
        max_consecutive_days: plan.max_consecutive_days.saturating_sub(1).max(2).min(plan.max_consecutive_days),
        ..*plan
    }
}

/// Whether a goal's date is one the person can still aim for: today or later, and not more
/// than [`MAX_GOAL_DAYS_AHEAD`] away.
pub fn goal_date_problem(due_on: Date, today: Date) -> Option<&'static str> {
    if due_on < today {
        return Some("That date has passed. Choose when you want to reach this goal, from today on.");
    }
    let limit = today.checked_add(Span::new().days(MAX_GOAL_DAYS_AHEAD)).unwrap_or(today);
    (due_on > limit).then_some("Choose a date within the next two years; a goal further off is hard to steer by.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn reviews_follow_the_last_one_or_the_start() {
        assert_eq!(next_review(date(2026, 1, 1), None, 91), date(2026, 4, 2));
        assert_eq!(next_review(date(2026, 1, 1), Some(date(2026, 3, 1)), 30), date(2026, 3, 31));
    }

    #[test]
    fn goal_dates_must_lie_ahead_and_within_reach() {
        let today = date(2026, 12, 3);
        assert!(goal_date_problem(today, today).is_none());
        assert!(goal_date_problem(date(2026, 12, 2), today).is_some());
        assert!(goal_date_problem(date(2030, 1, 1), today).is_some());
    }

    #[test]
    fn phases_read_back_by_id() {
        for phase in Phase::ALL {
            assert_eq!(Phase::parse(phase.id()), Some(phase));
            assert!(!phase.suggestions().is_empty());
        }
        assert_eq!(Phase::parse("burnout"), None);
    }

    fn plans() -> impl Strategy<Value = PacingPlan> {
        (0..=240u16, 1..=24u8, 1..=1440u16, 1..=31u8).prop_map(|(gap, sessions, minutes, days)| PacingPlan {
            min_gap_minutes: gap,
            max_heavy_sessions_per_day: sessions,
            max_heavy_minutes_per_day: minutes,
            max_consecutive_days: days,
            ..PacingPlan::default()
        })
    }

    proptest! {
        #[test]
        fn a_gentler_plan_is_never_heavier_and_stays_valid(plan in plans()) {
            let gentler = gentler_plan(&plan);
            prop_assert!(gentler.min_gap_minutes >= plan.min_gap_minutes);
            prop_assert!(gentler.max_heavy_sessions_per_day <= plan.max_heavy_sessions_per_day);
            prop_assert!(gentler.max_heavy_minutes_per_day <= plan.max_heavy_minutes_per_day);
            prop_assert!(gentler.max_consecutive_days <= plan.max_consecutive_days);
            if plan.check().is_ok() {
                prop_assert!(gentler.check().is_ok(), "{:?} → {:?}: {:?}", plan, gentler, gentler.problems());
            }
        }
    }
}
