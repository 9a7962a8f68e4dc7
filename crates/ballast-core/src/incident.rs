//! Critical incidents: an acute event logged in a few taps, and the follow-ups Ballast
//! schedules after it — the next day, after a week, and around four weeks (with PC-PTSD-5).
//! About a month of watchful waiting is the usual guidance after a traumatic event: most
//! reactions settle by then, and those that do not deserve support. Nothing here is shared.
//!
//! Pure: "today" (the person's own) is passed in.

use jiff::Span;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => ($id:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant),+];

            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(id: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.id() == id)
            }
        }
    };
}

choice_enum!(
    /// What happened, in broad terms (never who).
    IncidentKind {
        Death => ("death", "The death of someone I work with"),
        SuicideOrSelfHarm => ("suicide_or_self_harm", "A suicide, attempt or serious self-harm"),
        ViolenceAgainstMe => ("violence_against_me", "Violence or a threat against me"),
        HarmToChild => ("harm_to_child", "Serious harm to a child"),
        MajorIncident => ("major_incident", "A major incident or disaster"),
        Other => ("other", "Something else that shook me"),
    }
);

choice_enum!(
    /// How the person was part of it.
    IncidentRole {
        Involved => ("involved", "I was directly involved"),
        Witnessed => ("witnessed", "I saw it happen"),
        Supported => ("supported", "I supported the people affected"),
        HeardAfter => ("heard_after", "I heard about it afterwards"),
    }
);

choice_enum!(
    /// Support received so far (any number of these).
    Support {
        Colleague => ("colleague", "A colleague or peer"),
        Supervisor => ("supervisor", "My supervisor or manager"),
        Debrief => ("debrief", "A team debrief"),
        Professional => ("professional", "A counsellor, therapist or employee assistance"),
        FamilyFriends => ("family_friends", "Family or friends"),
    }
);

choice_enum!(
    /// The scheduled check-ins after an incident.
    FollowUpStep {
        NextDay => ("next_day", "The next day"),
        OneWeek => ("one_week", "After a week"),
        FourWeeks => ("four_weeks", "After four weeks"),
    }
);

impl FollowUpStep {
    /// Days after the incident that the step falls due.
    pub fn days_after(self) -> i32 {
        match self {
            FollowUpStep::NextDay => 1,
            FollowUpStep::OneWeek => 7,
            FollowUpStep::FourWeeks => 28,
        }
    }

    pub fn due_on(self, incident: Date) -> Date {
        incident.checked_add(Span::new().days(self.days_after())).unwrap_or(incident)
    }
}

choice_enum!(
    /// How much the event is still with the person, asked at every follow-up.
    StillWithMe {
        NotReally => ("not_really", "Not really — it has mostly settled"),
        Sometimes => ("sometimes", "Sometimes — it comes back now and then"),
        ALot => ("a_lot", "A lot — it is still very much with me"),
    }
);

impl FollowUpStep {
    /// Whether the step asks the PC-PTSD-5 as well: only the four-week one, because the screen
    /// asks about the past month and reactions in the first weeks after an event are expected.
    pub fn asks_pc_ptsd_5(self) -> bool {
        self == FollowUpStep::FourWeeks
    }
}

/// The follow-ups due by `today` for an incident on `occurred_on` that have not been answered,
/// earliest first, with the date each fell due.
///
/// An overdue step stays due until it is answered, even once a later one is due too: the
/// person chooses what to answer, and the home page can show the latest first if it wants to
/// keep the list short. Nothing is due before the incident's own date.
pub fn due_follow_ups(occurred_on: Date, answered: &[FollowUpStep], today: Date) -> Vec<(FollowUpStep, Date)> {
    FollowUpStep::ALL
        .iter()
        .copied()
        .filter(|step| !answered.contains(step))
        .map(|step| (step, step.due_on(occurred_on)))
        .filter(|&(_, due)| due <= today)
        .collect()
}

/// The next follow-up still to come (due after `today` and not answered), if any — for
/// "your next check-in about this is on …".
pub fn next_follow_up(occurred_on: Date, answered: &[FollowUpStep], today: Date) -> Option<(FollowUpStep, Date)> {
    FollowUpStep::ALL
        .iter()
        .copied()
        .filter(|step| !answered.contains(step))
        .map(|step| (step, step.due_on(occurred_on)))
        .find(|&(_, due)| due > today)
}

/// Whether, after answering `step`, Ballast offers the support page (shown prominently, with
/// ways to reach someone; the page is always reachable from the menu either way).
///
/// * **Four weeks:** offered when the event is still with the person "a lot", or when the
///   PC-PTSD-5 screen is positive. By about a month most reactions have settled; those that
///   have not are the ones the watchful-waiting guidance (NICE NG116, for example) says should
///   be met with an offer of support rather than more waiting.
/// * **One week:** offered, gently, when it is still with them "a lot". Waiting is the norm at
///   this point, but strong reactions a week on deserve to be told where help is without
///   waiting three more weeks.
/// * **Next day:** not offered on "a lot" alone. Strong reactions the day after are expected
///   and usually pass; the follow-up says so instead of pointing at help as if something were
///   wrong.
///
/// A positive PC-PTSD-5 offers support at any step (it is only asked at four weeks, but a
/// positive screen is never ignored). `None` means it was not asked or not finished, and counts
/// as neither positive nor negative.
pub fn support_offered(step: FollowUpStep, still_with_me: StillWithMe, pc_ptsd_positive: Option<bool>) -> bool {
    if pc_ptsd_positive == Some(true) {
        return true;
    }
    match step {
        FollowUpStep::NextDay => false,
        FollowUpStep::OneWeek | FollowUpStep::FourWeeks => still_with_me == StillWithMe::ALot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const INCIDENT: Date = date(2026, 3, 27);

    #[test]
    fn steps_fall_due_one_seven_and_twenty_eight_days_on() {
        assert_eq!(FollowUpStep::NextDay.due_on(INCIDENT), date(2026, 3, 28));
        assert_eq!(FollowUpStep::OneWeek.due_on(INCIDENT), date(2026, 4, 3));
        assert_eq!(FollowUpStep::FourWeeks.due_on(INCIDENT), date(2026, 4, 24));
        assert!(FollowUpStep::FourWeeks.asks_pc_ptsd_5());
        assert!(!FollowUpStep::OneWeek.asks_pc_ptsd_5());
    }

    #[test]
    fn nothing_is_due_on_the_day_itself() {
        assert!(due_follow_ups(INCIDENT, &[], INCIDENT).is_empty());
        assert!(due_follow_ups(INCIDENT, &[], date(2026, 3, 1)).is_empty());
        assert_eq!(next_follow_up(INCIDENT, &[], INCIDENT), Some((FollowUpStep::NextDay, date(2026, 3, 28))));
    }

    #[test]
    fn due_steps_are_the_unanswered_ones_up_to_today() {
        let today = date(2026, 4, 3);
        assert_eq!(
            due_follow_ups(INCIDENT, &[], today),
            [(FollowUpStep::NextDay, date(2026, 3, 28)), (FollowUpStep::OneWeek, date(2026, 4, 3))]
        );
        assert_eq!(
            due_follow_ups(INCIDENT, &[FollowUpStep::NextDay], today),
            [(FollowUpStep::OneWeek, date(2026, 4, 3))]
        );
        assert!(due_follow_ups(INCIDENT, &[FollowUpStep::NextDay, FollowUpStep::OneWeek], today).is_empty());
        assert_eq!(next_follow_up(INCIDENT, &[], today), Some((FollowUpStep::FourWeeks, date(2026, 4, 24))));
    }

    #[test]
    fn after_four_weeks_only_unanswered_steps_remain_and_nothing_is_next() {
        let later = date(2026, 6, 1);
        let all = [FollowUpStep::NextDay, FollowUpStep::OneWeek, FollowUpStep::FourWeeks];
        assert_eq!(due_follow_ups(INCIDENT, &all[..2], later), [(FollowUpStep::FourWeeks, date(2026, 4, 24))]);
        assert!(due_follow_ups(INCIDENT, &all, later).is_empty());
        assert_eq!(next_follow_up(INCIDENT, &[], later), None);
    }

    #[test]
    fn next_skips_answered_steps() {
        // Answered early (from the incident page, say): the next one is the week after.
        assert_eq!(
            next_follow_up(INCIDENT, &[FollowUpStep::NextDay], INCIDENT),
            Some((FollowUpStep::OneWeek, date(2026, 4, 3)))
        );
    }

    #[test]
    fn support_at_four_weeks_on_a_lot_or_a_positive_screen() {
        use StillWithMe::*;
        let four = FollowUpStep::FourWeeks;
        assert!(support_offered(four, ALot, None));
        assert!(support_offered(four, ALot, Some(false)));
        assert!(support_offered(four, NotReally, Some(true)));
        assert!(support_offered(four, Sometimes, Some(true)));
        assert!(!support_offered(four, Sometimes, Some(false)));
        assert!(!support_offered(four, Sometimes, None));
        assert!(!support_offered(four, NotReally, None));
    }

    #[test]
    fn earlier_steps_offer_support_only_from_a_week_on() {
        use StillWithMe::*;
        assert!(support_offered(FollowUpStep::OneWeek, ALot, None));
        assert!(!support_offered(FollowUpStep::OneWeek, Sometimes, None));
        assert!(!support_offered(FollowUpStep::NextDay, ALot, None));
        assert!(support_offered(FollowUpStep::NextDay, NotReally, Some(true)));
    }
}
