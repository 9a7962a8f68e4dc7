//! The rescue kit: short guided practices for between sessions (as data: steps with their
//! seconds), the limits on the person's own self-compassion statements, and the "reach out"
//! message — who to write to, checked loosely, and the `mailto:`/`sms:` links that carry it.
//! Ballast never sends the message; the person's own device does.
//!
//! Every word here is Ballast's own. The practices are ordinary ways to steady oneself, offered
//! as something to try, never as treatment.

/// How the pacing indicator moves during a step (and nothing else: the words carry the step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Breathing in: the indicator grows over the step.
    In,
    /// Holding the breath, full or empty: the indicator stays as it is.
    Hold,
    /// Breathing out: the indicator shrinks over the step.
    Out,
    /// Not a breathing step: the indicator rests in the middle.
    Still,
}

impl Pace {
    /// A stable name, used by the page's script and stylesheet.
    pub fn as_str(self) -> &'static str {
        match self {
            Pace::In => "in",
            Pace::Hold => "hold",
            Pace::Out => "out",
            Pace::Still => "still",
        }
    }
}

/// One step of a practice: what to do, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub text: &'static str,
    pub seconds: u16,
    pub pace: Pace,
}

/// One guided practice. Its steps make one round; the round is done `rounds` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Practice {
    /// Stable, in addresses and in the use log: lower-case letters, digits and hyphens.
    pub id: &'static str,
    pub title: &'static str,
    /// One sentence for the list.
    pub summary: &'static str,
    /// Said before the steps: how to begin, and when to stop.
    pub before: &'static str,
    pub rounds: u8,
    pub steps: &'static [Step],
}

impl Practice {
    /// The seconds one round takes.
    pub fn round_seconds(&self) -> u32 {
        self.steps.iter().map(|s| u32::from(s.seconds)).sum()
    }

    /// The seconds the whole practice takes, every round included.
    pub fn total_seconds(&self) -> u32 {
        self.round_seconds() * u32::from(self.rounds)
    }

    /// How long it takes, in words (see [`length_in_words`]).
    pub fn length(&self) -> String {
        length_in_words(self.total_seconds())
    }
}

/// A length in words: "60 seconds", "about a minute and a half".
pub fn length_in_words(seconds: u32) -> String {
    if seconds <= 60 {
        return format!("{seconds} seconds");
    }
    // Rounded to the nearest half minute: nobody needs "76 seconds" to decide.
    let halves = (seconds + 15) / 30;
    match (halves / 2, halves % 2) {
        (1, 0) => "about a minute".to_owned(),
        (1, _) => "about a minute and a half".to_owned(),
        (minutes, 0) => format!("about {minutes} minutes"),
        (minutes, _) => format!("about {minutes} and a half minutes"),
    }
}

const fn step(text: &'static str, seconds: u16, pace: Pace) -> Step {
    Step { text, seconds, pace }
}

/// Every practice, in the order the kit lists them.
pub const PRACTICES: &[Practice] = &[
    Practice {
        id: "breathing-4-7-8",
        title: "4-7-8 breathing",
        summary: "A long, slow out-breath to let your body know it can stand down for a moment.",
        before: "Sit or stand however is comfortable, and let your shoulders drop. If you feel light-headed at any point, stop and breathe normally; shorter counts are fine too.",
        rounds: 4,
        steps: &[
            step("Breathe in quietly through your nose for a count of 4.", 4, Pace::In),
            step("Hold the breath gently for a count of 7.", 7, Pace::Hold),
            step("Breathe out slowly through your mouth for a count of 8.", 8, Pace::Out),
        ],
    },
    Practice {
        id: "box-breathing",
        title: "Box breathing",
        summary: "Four even sides — in, hold, out, hold — to give a busy mind a simple shape to follow.",
        before: "Sit with your feet on the floor if you can. If holding your breath is uncomfortable, just pause without holding.",
        rounds: 4,
        steps: &[
            step("Breathe in through your nose for a count of 4.", 4, Pace::In),
            step("Hold, softly, for a count of 4.", 4, Pace::Hold),
            step("Breathe out through your mouth for a count of 4.", 4, Pace::Out),
            step("Rest with your lungs empty for a count of 4.", 4, Pace::Hold),
        ],
    },
    Practice {
        id: "body-scan",
        title: "A 60-second body scan",
        summary: "A quick check from head to feet, noticing what you are carrying without needing to fix it.",
        before: "You can do this sitting, standing or lying down, with your eyes open or closed. There is nothing to get right.",
        rounds: 1,
        steps: &[
            step("Notice your breath for a moment, just as it is.", 10, Pace::Still),
            step(
                "Bring your attention to your face and jaw. If they are tight, let them soften a little.",
                10,
                Pace::Still,
            ),
            step("Move to your neck and shoulders. Let them drop, even slightly.", 10, Pace::Still),
            step("Notice your chest and belly rising and falling.", 10, Pace::Still),
            step("Feel your hands and arms. Unclench anything that is holding on.", 10, Pace::Still),
            step(
                "Feel your legs and the weight of your feet on the ground. You are here, in this moment.",
                10,
                Pace::Still,
            ),
        ],
    },
    Practice {
        id: "grounding-5-4-3-2-1",
        title: "5-4-3-2-1 grounding",
        summary: "Using your senses to come back to the room you are in, after a session that pulled you elsewhere.",
        before: "Look around you. You can name things silently or under your breath; nobody needs to know.",
        rounds: 1,
        steps: &[
            step("Name five things you can see around you.", 20, Pace::Still),
            step("Name four things you can feel: your clothes, the chair, the air on your skin.", 15, Pace::Still),
            step("Name three things you can hear, near or far.", 15, Pace::Still),
            step("Name two things you can smell, or two smells you like.", 10, Pace::Still),
            step("Name one thing you can taste, or one kind thing you could say to yourself.", 10, Pace::Still),
        ],
    },
    Practice {
        id: "doorway-stretch",
        title: "Doorway stretch",
        summary: "Open up a chest and shoulders that have leaned towards other people all day.",
        before: "Find a doorway. Only go as far as feels comfortable, and skip this one if your shoulders or arms are hurting.",
        rounds: 1,
        steps: &[
            step(
                "Stand in the doorway and rest your forearms on the frame, elbows at about shoulder height.",
                10,
                Pace::Still,
            ),
            step(
                "Step one foot forward slowly until you feel a gentle stretch across your chest. Breathe.",
                20,
                Pace::Still,
            ),
            step("Step back, let your arms hang and roll your shoulders a few times.", 10, Pace::Still),
            step("Place your forearms a little higher on the frame and lean in gently again.", 20, Pace::Still),
            step("Step back and let your arms hang loose. Notice how your shoulders feel now.", 10, Pace::Still),
        ],
    },
];

/// The practice with this id, if there is one.
pub fn practice(id: &str) -> Option<&'static Practice> {
    PRACTICES.iter().find(|p| p.id == id)
}

/// What the use log records for a "reach out" (a practice is recorded by its id).
pub const REACH_OUT: &str = "reach_out";

// --- the person's own words ------------------------------------------------------------------

/// How many self-compassion statements a person can keep: enough for a handful of lines that
/// matter, few enough that the top of the kit stays something to read in a hard moment.
pub const MAX_STATEMENTS: usize = 12;
/// The longest statement, in characters: a sentence or two.
pub const MAX_STATEMENT_CHARS: usize = 300;
/// The longest reach-out message, in characters: a text message, not a letter.
pub const MAX_MESSAGE_CHARS: usize = 300;
/// The longest colleague's name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// The message offered until the person writes their own.
pub const DEFAULT_MESSAGE: &str = "Rough day — got five minutes?";

/// Why a piece of the person's own text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    /// Longer than the limit, which is given.
    TooLong(usize),
}

/// Own text as it is kept: line endings made plain, surrounding space trimmed, and checked
/// against `max` characters.
pub fn own_text(raw: &str, max: usize) -> Result<String, TextProblem> {
    let text = raw.replace("\r\n", "\n").trim().to_owned();
    if text.is_empty() {
        Err(TextProblem::Empty)
    } else if text.chars().count() > max {
        Err(TextProblem::TooLong(max))
    } else {
        Ok(text)
    }
}

/// A phone number for a text message, checked loosely: people write numbers in many ways
/// ("+44 7700 900123", "(555) 010-9999"), so any mix of digits with spaces, dots, hyphens and
/// brackets is accepted, with at most a leading "+", as long as it holds 5 to 15 digits (15 is
/// the longest international number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneProblem {
    /// Letters or other characters a phone number does not have.
    Characters,
    /// Too few or too many digits.
    Digits,
}

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, PhoneProblem> {
        let text = raw.trim();
        let body = text.strip_prefix('+').unwrap_or(text);
        if !body.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')')) {
            return Err(PhoneProblem::Characters);
        }
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if !(5..=15).contains(&digits) {
            return Err(PhoneProblem::Digits);
        }
        Ok(Phone(text.to_owned()))
    }

    /// As the person typed it (trimmed), for showing.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only the digits, with the leading "+" if there was one: what an `sms:` link dials.
    pub fn dialled(&self) -> String {
        let plus = if self.0.starts_with('+') { "+" } else { "" };
        format!("{plus}{}", self.0.chars().filter(char::is_ascii_digit).collect::<String>())
    }
}

/// A `mailto:` link to `address` with `message` as the body (RFC 6068).
pub fn mailto_link(address: &str, message: &str) -> String {
    // The address keeps its "@"; anything else outside the unreserved set is encoded too.
    format!("mailto:{}?body={}", percent_encode(address, b"@"), percent_encode(message, b""))
}

/// An `sms:` link to `phone` with `message` as the body (RFC 5724).
pub fn sms_link(phone: &Phone, message: &str) -> String {
    format!("sms:{}?body={}", percent_encode(&phone.dialled(), b"+"), percent_encode(message, b""))
}

/// Percent-encodes every byte of `text`'s UTF-8 except RFC 3986's unreserved characters and
/// those in `keep`. Spaces become "%20", never "+", which mail and message apps would show.
fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || keep.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(practice: &Practice) -> Vec<u16> {
        practice.steps.iter().map(|s| s.seconds).collect()
    }

    #[test]
    fn four_seven_eight_is_four_seven_eight_four_times() {
        let practice = practice("breathing-4-7-8").unwrap();
        assert_eq!(seconds(practice), [4, 7, 8]);
        let paces: Vec<Pace> = practice.steps.iter().map(|s| s.pace).collect();
        assert_eq!(paces, [Pace::In, Pace::Hold, Pace::Out]);
        assert_eq!(practice.round_seconds(), 19);
        assert_eq!(practice.total_seconds(), 76);
        assert_eq!(practice.length(), "about a minute and a half");
    }

    #[test]
    fn box_breathing_has_four_even_sides() {
        let practice = practice("box-breathing").unwrap();
        assert_eq!(seconds(practice), [4, 4, 4, 4]);
        let paces: Vec<Pace> = practice.steps.iter().map(|s| s.pace).collect();
        assert_eq!(paces, [Pace::In, Pace::Hold, Pace::Out, Pace::Hold]);
        assert_eq!(practice.total_seconds(), 64);
    }

    #[test]
    fn the_body_scan_takes_sixty_seconds() {
        let practice = practice("body-scan").unwrap();
        assert_eq!(practice.rounds, 1);
        assert_eq!(practice.total_seconds(), 60);
        assert_eq!(practice.length(), "60 seconds");
    }

    #[test]
    fn grounding_counts_down_from_five_senses() {
        let practice = practice("grounding-5-4-3-2-1").unwrap();
        let counts: Vec<&str> = practice.steps.iter().map(|s| s.text.split(' ').nth(1).unwrap()).collect();
        assert_eq!(counts, ["five", "four", "three", "two", "one"]);
        assert_eq!(practice.total_seconds(), 70);
    }

    #[test]
    fn every_practice_is_short_well_formed_and_listed_once() {
        for (i, practice) in PRACTICES.iter().enumerate() {
            assert!(
                practice.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                practice.id
            );
            assert_ne!(practice.id, REACH_OUT);
            assert!(PRACTICES[..i].iter().all(|p| p.id != practice.id), "{} twice", practice.id);
            assert!(practice.rounds >= 1 && !practice.steps.is_empty(), "{}", practice.id);
            assert!(practice.steps.iter().all(|s| s.seconds >= 3 && !s.text.is_empty()), "{}", practice.id);
            assert_eq!(
                practice.total_seconds(),
                practice.steps.iter().map(|s| u32::from(s.seconds)).sum::<u32>() * u32::from(practice.rounds)
            );
            // Between sessions means a minute or two, never more.
            assert!((45..=120).contains(&practice.total_seconds()), "{}: {}", practice.id, practice.total_seconds());
        }
        assert_eq!(practice("no-such-practice"), None);
    }

    #[test]
    fn lengths_read_naturally() {
        assert_eq!(length_in_words(45), "45 seconds");
        assert_eq!(length_in_words(70), "about a minute");
        assert_eq!(length_in_words(80), "about a minute and a half");
        assert_eq!(length_in_words(120), "about 2 minutes");
        assert_eq!(length_in_words(150), "about 2 and a half minutes");
    }

    #[test]
    fn own_text_is_trimmed_and_limited() {
        assert_eq!(own_text("  I am doing enough.\r\nReally. ", 300), Ok("I am doing enough.\nReally.".to_owned()));
        assert_eq!(own_text(" \n\t ", 300), Err(TextProblem::Empty));
        assert_eq!(own_text(&"é".repeat(300), 300).map(|t| t.chars().count()), Ok(300), "characters, not bytes");
        assert_eq!(own_text(&"é".repeat(301), 300), Err(TextProblem::TooLong(300)));
    }

    #[test]
    fn phone_numbers_are_checked_loosely() {
        for good in ["+44 7700 900123", "(555) 010-9999", "555.010.9999", "12345", " 07700900123 "] {
            assert!(Phone::parse(good).is_ok(), "{good}");
        }
        assert_eq!(Phone::parse("call me"), Err(PhoneProblem::Characters));
        assert_eq!(Phone::parse("0770 ext 12"), Err(PhoneProblem::Characters));
        assert_eq!(Phone::parse("++44 7700"), Err(PhoneProblem::Characters));
        assert_eq!(Phone::parse("1234"), Err(PhoneProblem::Digits));
        assert_eq!(Phone::parse(""), Err(PhoneProblem::Digits));
        assert_eq!(Phone::parse("1234567890123456"), Err(PhoneProblem::Digits));
        assert_eq!(Phone::parse(" +44 (0)7700-900.123 ").unwrap().dialled(), "+4407700900123");
        assert_eq!(Phone::parse("(555) 010-9999").unwrap().as_str(), "(555) 010-9999");
    }

    #[test]
    fn links_carry_the_message_percent_encoded() {
        assert_eq!(
            mailto_link("ana@example.org", DEFAULT_MESSAGE),
            "mailto:ana@example.org?body=Rough%20day%20%E2%80%94%20got%20five%20minutes%3F"
        );
        let phone = Phone::parse("+44 7700 900123").unwrap();
        assert_eq!(sms_link(&phone, "Tea & 5 min? 100%"), "sms:+447700900123?body=Tea%20%26%205%20min%3F%20100%25");
        assert_eq!(
            mailto_link("o'neil+kit@example.org", "a\nb#c"),
            "mailto:o%27neil%2Bkit@example.org?body=a%0Ab%23c",
            "nothing in the address or body can start another field"
        );
    }
}
