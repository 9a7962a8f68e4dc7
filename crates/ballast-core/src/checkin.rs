//! The daily check-in: what a person records in under a minute, parsed into types that only
//! hold valid values, and the rules for which day may be written. Pure: "today" is passed in
//! (in the person's own time zone) by the caller.

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::signals;

/// A 0–10 rating (energy, mood, sleep quality, dread, intrusive images).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Level(u8);

impl Level {
    pub const MAX: u8 = 10;

    pub fn new(value: u8) -> Option<Level> {
        (value <= Self::MAX).then_some(Level(value))
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Level {
    type Error = String;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Level::new(value).ok_or_else(|| format!("{value} is above {}", Self::MAX))
    }
}

impl From<Level> for u8 {
    fn from(level: Level) -> u8 {
        level.0
    }
}

/// The empathy dial: from numb and detached, through steady, to flooded and overwhelmed.
/// Both ends are signs of strain; steady is the middle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i8", into = "i8")]
pub struct EmpathyDial(i8);

impl EmpathyDial {
    pub const STEADY: EmpathyDial = EmpathyDial(0);

    pub fn new(value: i8) -> Option<EmpathyDial> {
        (-3..=3).contains(&value).then_some(EmpathyDial(value))
    }

    pub fn value(self) -> i8 {
        self.0
    }

    /// All positions, numb first, with the words Ballast shows for them.
    pub fn positions() -> [(EmpathyDial, &'static str); 7] {
        [
            (EmpathyDial(-3), "Numb — I feel nothing much"),
            (EmpathyDial(-2), "Detached — at a distance from people"),
            (EmpathyDial(-1), "A little guarded"),
            (EmpathyDial(0), "Steady — present and open"),
            (EmpathyDial(1), "A little raw"),
            (EmpathyDial(2), "Stirred up — other people's pain stays with me"),
            (EmpathyDial(3), "Flooded — overwhelmed by it"),
        ]
    }
}

impl TryFrom<i8> for EmpathyDial {
    type Error = String;
    fn try_from(value: i8) -> Result<Self, Self::Error> {
        EmpathyDial::new(value).ok_or_else(|| format!("{value} is outside -3..3"))
    }
}

impl From<EmpathyDial> for i8 {
    fn from(dial: EmpathyDial) -> i8 {
        dial.0
    }
}

/// Hours slept, in quarter hours from 0 to 24.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct SleepQuarters(u8);

impl SleepQuarters {
    pub fn from_hours(hours: f64) -> Option<SleepQuarters> {
        let quarters = (hours * 4.0).round();
        (hours.is_finite() && (0.0..=96.0).contains(&quarters)).then_some(SleepQuarters(quarters as u8))
    }

    pub fn hours(self) -> f64 {
        f64::from(self.0) / 4.0
    }
}

impl TryFrom<u8> for SleepQuarters {
    type Error = String;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        (value <= 96).then_some(SleepQuarters(value)).ok_or_else(|| format!("{value} quarter hours is over a day"))
    }
}

impl From<SleepQuarters> for u8 {
    fn from(sleep: SleepQuarters) -> u8 {
        sleep.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhysicalSign {
    Headache,
    Stomach,
    Tension,
    Illness,
}

impl PhysicalSign {
    pub const ALL: [PhysicalSign; 4] =
        [PhysicalSign::Headache, PhysicalSign::Stomach, PhysicalSign::Tension, PhysicalSign::Illness];

    pub fn label(self) -> &'static str {
        match self {
            PhysicalSign::Headache => "Headache",
            PhysicalSign::Stomach => "Upset stomach",
            PhysicalSign::Tension => "Tension in the body",
            PhysicalSign::Illness => "Feeling ill",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            PhysicalSign::Headache => "headache",
            PhysicalSign::Stomach => "stomach",
            PhysicalSign::Tension => "tension",
            PhysicalSign::Illness => "illness",
        }
    }
}

/// Where a warning sign shows up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignGroup {
    Emotional,
    Avoidance,
    Cognitive,
    Relational,
    Physical,
}

impl SignGroup {
    pub fn label(self) -> &'static str {
        match self {
            SignGroup::Emotional => "Feelings",
            SignGroup::Avoidance => "Avoiding",
            SignGroup::Cognitive => "Thinking",
            SignGroup::Relational => "With other people",
            SignGroup::Physical => "Body and routine",
        }
    }
}

/// A warning sign from Ballast's library, written in Ballast's own words around what
/// helpers commonly notice when the work is starting to cost too much.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WarningSign {
    pub id: &'static str,
    pub group: SignGroup,
    pub text: &'static str,
}

const fn sign(id: &'static str, group: SignGroup, text: &'static str) -> WarningSign {
    WarningSign { id, group, text }
}

/// The library a person picks their own warning signs from (top three or more).
pub const WARNING_SIGNS: &[WarningSign] = &[
    sign("numb", SignGroup::Emotional, "I go flat or numb, even with people I care about"),
    sign("tearful", SignGroup::Emotional, "Tears come easily, sometimes out of nowhere"),
    sign("irritable", SignGroup::Emotional, "Small things make me snappy or short-tempered"),
    sign("dread-client", SignGroup::Avoidance, "I dread seeing a particular person I work with"),
    sign("running-late", SignGroup::Avoidance, "I drift in late or find reasons to start later"),
    sign("cancelling", SignGroup::Avoidance, "I cancel or put off sessions and plans"),
    sign("skipping-supervision", SignGroup::Avoidance, "I put off supervision or avoid talking about cases"),
    sign("brain-fog", SignGroup::Cognitive, "My head feels foggy and slow"),
    sign("mixing-cases", SignGroup::Cognitive, "I mix up details between the people I work with"),
    sign("ruminating", SignGroup::Cognitive, "I keep going over work long after I have left it"),
    sign("snapping", SignGroup::Relational, "I snap at colleagues or feel I have no patience left for them"),
    sign("withdrawing", SignGroup::Relational, "I pull back from friends and family"),
    sign(
        "blurred-boundaries",
        SignGroup::Relational,
        "My boundaries slip: extra hours, answering messages late at night",
    ),
    sign("poor-sleep", SignGroup::Physical, "I struggle to fall asleep or wake too early"),
    sign("skipped-breaks", SignGroup::Physical, "I skip meals and breaks"),
    sign("run-down", SignGroup::Physical, "I keep catching colds or feeling run down"),
];

pub fn warning_sign(id: &str) -> Option<&'static WarningSign> {
    WARNING_SIGNS.iter().find(|s| s.id == id)
}

/// One of a person's warning signs: a library sign by its id ("brain-fog"), or one they wrote
/// themselves ("own-" and 16 hex digits; its words are sealed and kept apart from check-ins).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SignId(String);

impl SignId {
    const OWN_PREFIX: &str = "own-";

    pub fn parse(id: &str) -> Option<SignId> {
        let own = id.strip_prefix(Self::OWN_PREFIX).is_some_and(|hex| {
            hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        (own || warning_sign(id).is_some()).then(|| SignId(id.to_owned()))
    }

    /// A new id for a sign the person writes, from 8 random bytes.
    pub fn own(random: [u8; 8]) -> SignId {
        let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
        SignId(format!("{}{hex}", Self::OWN_PREFIX))
    }

    /// The library sign this id names, if it is not the person's own.
    pub fn library(&self) -> Option<&'static WarningSign> {
        warning_sign(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SignId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        SignId::parse(&value).ok_or_else(|| format!("{value:?} is not a warning sign"))
    }
}

impl From<SignId> for String {
    fn from(id: SignId) -> String {
        id.0
    }
}

/// Everything a check-in records apart from free text, each value already in range. Energy
/// is the one required answer; the rest may be skipped. (The restorer and the note are
/// sealed before they reach a store, so they travel separately.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    pub energy: Level,
    pub mood: Option<Level>,
    pub sleep_hours: Option<SleepQuarters>,
    pub sleep_quality: Option<Level>,
    pub empathy: Option<EmpathyDial>,
    pub dread: Option<Level>,
    pub intrusive: Option<Level>,
    pub physical: BTreeSet<PhysicalSign>,
    pub warning_signs: BTreeSet<SignId>,
}

impl CheckIn {
    pub fn new(energy: Level) -> CheckIn {
        CheckIn {
            energy,
            mood: None,
            sleep_hours: None,
            sleep_quality: None,
            empathy: None,
            dread: None,
            intrusive: None,
            physical: BTreeSet::new(),
            warning_signs: BTreeSet::new(),
        }
    }

    /// The day as the signal engine sees it.
    pub fn signal_day(&self, day: Date) -> signals::CheckInDay {
        let rating = |level: Option<Level>| level.and_then(|l| signals::Rating::new(l.value()));
        let measures = signals::DailyMeasures {
            energy: signals::Rating::new(self.energy.value()),
            mood: rating(self.mood),
            sleep_quality: rating(self.sleep_quality),
            dread: rating(self.dread),
            intrusive_images: rating(self.intrusive),
            empathy_dial: self.empathy.and_then(|d| signals::Dial::new(d.value())),
        };
        let mut signal_day = signals::CheckInDay::new(day, measures);
        signal_day.warning_signs = self.warning_signs.iter().map(|s| s.as_str().to_owned()).collect();
        signal_day
    }
}

/// Longest note, in characters. A check-in is a minute's work; a page of writing belongs
/// in the journal.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Longest "one thing that restored me".
pub const MAX_RESTORER_CHARS: usize = 200;

/// How a check-in for `day` would be written, given the person's `today` and whether that
/// day already has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Today's first check-in.
    New,
    /// Changing today's check-in.
    Edit,
    /// Filling in an earlier day that has none; marked as back-filled.
    BackFill,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DayProblem {
    #[error("That date is in the future. Check in for today or an earlier day.")]
    Future,
    #[error("You already checked in for that day. Only today's check-in can be changed.")]
    AlreadyRecorded,
    #[error("That is more than a year ago; back-filling goes back one year at most.")]
    TooOld,
}

/// How far back a day may be filled in.
pub const BACKFILL_DAYS: i32 = 366;

pub fn entry_for(day: Date, today: Date, exists: bool) -> Result<Entry, DayProblem> {
    if day > today {
        return Err(DayProblem::Future);
    }
    if day == today {
        return Ok(if exists { Entry::Edit } else { Entry::New });
    }
    if exists {
        return Err(DayProblem::AlreadyRecorded);
    }
    let age = today.since(day).map(|span| span.get_days()).unwrap_or(i32::MAX);
    if age > BACKFILL_DAYS { Err(DayProblem::TooOld) } else { Ok(Entry::BackFill) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn which_days_may_be_written() {
        let today = date(2026, 11, 22);
        assert_eq!(entry_for(today, today, false), Ok(Entry::New));
        assert_eq!(entry_for(today, today, true), Ok(Entry::Edit));
        assert_eq!(entry_for(date(2026, 11, 21), today, false), Ok(Entry::BackFill));
        assert_eq!(entry_for(date(2026, 11, 21), today, true), Err(DayProblem::AlreadyRecorded));
        assert_eq!(entry_for(date(2026, 11, 23), today, false), Err(DayProblem::Future));
        assert_eq!(entry_for(date(2025, 11, 20), today, false), Err(DayProblem::TooOld));
        assert_eq!(entry_for(date(2025, 11, 22), today, false), Ok(Entry::BackFill), "a year ago is fine");
    }

    #[test]
    fn values_outside_their_range_do_not_exist() {
        assert!(Level::new(10).is_some() && Level::new(11).is_none());
        assert!(EmpathyDial::new(-3).is_some() && EmpathyDial::new(4).is_none() && EmpathyDial::new(-4).is_none());
        assert_eq!(SleepQuarters::from_hours(7.5).unwrap().hours(), 7.5);
        assert_eq!(SleepQuarters::from_hours(7.3).unwrap().hours(), 7.25, "rounded to a quarter hour");
        assert!(SleepQuarters::from_hours(24.0).is_some());
        assert!(SleepQuarters::from_hours(24.5).is_none() && SleepQuarters::from_hours(-1.0).is_none());
        assert!(SleepQuarters::from_hours(f64::NAN).is_none());
        assert!(serde_json::from_str::<Level>("11").is_err(), "deserialising checks too");
        assert!(serde_json::from_str::<EmpathyDial>("-4").is_err());
    }

    #[test]
    fn the_library_is_well_formed() {
        let mut ids: Vec<&str> = WARNING_SIGNS.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), WARNING_SIGNS.len(), "ids are unique");
        for group in [
            SignGroup::Emotional,
            SignGroup::Avoidance,
            SignGroup::Cognitive,
            SignGroup::Relational,
            SignGroup::Physical,
        ] {
            assert!(WARNING_SIGNS.iter().filter(|s| s.group == group).count() >= 3, "{group:?}");
        }
        assert_eq!(warning_sign("brain-fog").unwrap().group, SignGroup::Cognitive);
        assert!(warning_sign("nope").is_none());
        assert_eq!(EmpathyDial::positions()[3].0, EmpathyDial::STEADY);
    }

    #[test]
    fn sign_ids_are_library_ids_or_own() {
        assert!(SignId::parse("brain-fog").unwrap().library().is_some());
        let own = SignId::own([0xab, 1, 2, 3, 4, 5, 6, 0xff]);
        assert_eq!(own.as_str(), "own-ab010203040506ff");
        assert_eq!(SignId::parse(own.as_str()), Some(own.clone()));
        assert!(own.library().is_none());
        for bad in ["", "own-", "own-XYZ", "own-ab01020304050607ff", "nope", "own-AB01020304050607"] {
            assert!(SignId::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_check_in_becomes_a_signal_day() {
        let mut check_in = CheckIn::new(Level::new(3).unwrap());
        check_in.empathy = EmpathyDial::new(-2);
        check_in.warning_signs.insert(SignId::parse("numb").unwrap());
        let day = check_in.signal_day(date(2026, 11, 22));
        assert_eq!(day.measures.energy.map(|r| r.get()), Some(3));
        assert_eq!(day.measures.empathy_dial.map(|d| d.get()), Some(-2));
        assert!(day.measures.mood.is_none());
        assert!(day.warning_signs.contains("numb"));
    }

    proptest! {
        #[test]
        fn future_days_are_never_written(offset in 1i32..4000, exists in any::<bool>()) {
            let today = date(2026, 6, 15);
            let day = today.checked_add(jiff::Span::new().days(offset)).unwrap();
            prop_assert_eq!(entry_for(day, today, exists), Err(DayProblem::Future));
        }

        #[test]
        fn past_days_are_written_only_once(offset in 1i32..=BACKFILL_DAYS) {
            let today = date(2026, 6, 15);
            let day = today.checked_sub(jiff::Span::new().days(offset)).unwrap();
            prop_assert_eq!(entry_for(day, today, false), Ok(Entry::BackFill));
            prop_assert_eq!(entry_for(day, today, true), Err(DayProblem::AlreadyRecorded));
        }

        #[test]
        fn sleep_round_trips_in_quarters(quarters in 0u8..=96) {
            let sleep = SleepQuarters::from_hours(f64::from(quarters) / 4.0).unwrap();
            prop_assert_eq!(u8::from(sleep), quarters);
        }
    }
}
