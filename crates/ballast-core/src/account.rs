//! Accounts: email addresses and passwords parsed once at the edge, and roles.
//!
//! A value of [`Email`] or [`NewPassword`] is valid by construction, so code further in never
//! re-checks them.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// The database identifier of a person's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What an account may do on this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the instance. The first account created on an instance gets this role.
    Admin,
    /// Everyone else.
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

/// Longest address that fits in SMTP's forward path (RFC 5321, 4.5.3.1.3).
const MAX_EMAIL_LEN: usize = 254;

/// An email address in its canonical form: trimmed and lower-cased, so that one person
/// cannot hold two accounts that differ only in letter case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailProblem {
    #[error("Enter your email address.")]
    Empty,
    #[error("That email address is too long (254 characters at most).")]
    TooLong,
    #[error("Enter an email address in the form name@example.org.")]
    Malformed,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailProblem> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailProblem::Empty);
        }
        if trimmed.len() > MAX_EMAIL_LEN {
            return Err(EmailProblem::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailProblem::Malformed)?;
        let well_formed = !local.is_empty()
            && !local.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && trimmed.chars().all(|c| !c.is_whitespace() && !c.is_control());
        if !well_formed {
            return Err(EmailProblem::Malformed);
        }
        Ok(Email(trimmed.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Fewest characters in a password (NIST SP 800-63B-4 for a password used on its own).
pub const MIN_PASSWORD_CHARS: usize = 15;
/// Most characters in a password. Generous (the guidance asks for at least 64) while keeping
/// hashing cost bounded.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// zxcvbn's cost grows quickly with length; a prefix this long already tells us whether a
/// password is a common one.
const STRENGTH_CHECK_CHARS: usize = 64;

/// A password as typed at sign-in, normalised (NFKC) so that the same characters typed on
/// different keyboards compare equal. No policy applies: a wrong password is simply wrong.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn from_typed(raw: &str) -> Password {
        Password(raw.nfkc().collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A password someone wants to set, checked against the policy: long enough, not too long,
/// and not one that attackers try first.
#[derive(Clone)]
pub struct NewPassword(Password);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("Choose a password.")]
    Empty,
    #[error("Use at least 15 characters — a short phrase of a few words works well.")]
    TooShort,
    #[error("That is longer than we can accept (256 characters at most).")]
    TooLong,
    #[error("That password is too easy to guess{hint}. Try a phrase of several unrelated words.")]
    TooGuessable { hint: String },
}

impl NewPassword {
    /// Checks `raw` against the policy. `personal` holds words an attacker would try for this
    /// person (their email address, for example).
    pub fn parse(raw: &str, personal: &[&str]) -> Result<NewPassword, PasswordProblem> {
        let password = Password::from_typed(raw);
        let chars = password.0.chars().count();
        if chars == 0 {
            return Err(PasswordProblem::Empty);
        }
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordProblem::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordProblem::TooLong);
        }
        let checked: String = password.0.chars().take(STRENGTH_CHECK_CHARS).collect();
        // zxcvbn matches personal words whole, so offer the pieces of each as well
        // ("sam.rivers@example.org" gives "sam", "rivers", "example"…).
        let pieces: Vec<&str> = personal
            .iter()
            .flat_map(|word| std::iter::once(*word).chain(word.split(|c: char| !c.is_alphanumeric())))
            .filter(|piece| piece.chars().count() >= 3)
            .collect();
        let estimate = zxcvbn::zxcvbn(&checked, &pieces);
        if (estimate.score() as u8) < 3 {
            let hint = estimate
                .feedback()
                .and_then(|feedback| feedback.warning())
                .map(|warning| format!(" ({})", warning.to_string().trim_end_matches('.')))
                .unwrap_or_default();
            return Err(PasswordProblem::TooGuessable { hint });
        }
        Ok(NewPassword(password))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

/// A person's time zone, by its IANA name ("Europe/Dublin"). Their days (one check-in per
/// day) begin and end at their own midnight. The zone database is compiled into Ballast, so
/// every instance knows the same zones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn utc() -> TimeZoneName {
        TimeZoneName("UTC".to_owned())
    }

    /// Accepts a name the zone database knows, in its canonical spelling or not
    /// ("europe/dublin" becomes "Europe/Dublin").
    pub fn parse(name: &str) -> Option<TimeZoneName> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        let zone = jiff::tz::db().get(name).ok()?;
        Some(TimeZoneName(zone.iana_name().unwrap_or(name).to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::db().get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// The calendar day it is for this person at `now`.
    pub fn today(&self, now: jiff::Timestamp) -> jiff::civil::Date {
        now.to_zoned(self.zone()).date()
    }

    /// Every zone name Ballast knows, sorted, for a picker.
    pub fn all() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db().available().map(|name| name.to_string()).collect();
        names.sort_unstable();
        names
    }
}

impl Default for TimeZoneName {
    fn default() -> TimeZoneName {
        TimeZoneName::utc()
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TimeZoneName::parse(&value).ok_or_else(|| format!("unknown time zone {value:?}"))
    }
}

impl From<TimeZoneName> for String {
    fn from(name: TimeZoneName) -> String {
        name.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_canonicalised() {
        let email = Email::parse("  Sam.Rivers@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "sam.rivers@example.org");
    }

    #[test]
    fn malformed_emails_are_refused_with_a_reason() {
        assert_eq!(Email::parse(""), Err(EmailProblem::Empty));
        assert_eq!(Email::parse("   "), Err(EmailProblem::Empty));
        for bad in [
            "sam",
            "sam@",
            "@example.org",
            "sam@example",
            "sam@.org",
            "sam@example.",
            "s am@example.org",
            "sam@exa..mple.org",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailProblem::Malformed), "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailProblem::TooLong));
    }

    #[test]
    fn password_length_rules() {
        assert_eq!(NewPassword::parse("", &[]).unwrap_err(), PasswordProblem::Empty);
        assert_eq!(NewPassword::parse("short but odd!", &[]).unwrap_err(), PasswordProblem::TooShort);
        assert!(NewPassword::parse("lantern orchard velvet quietly", &[]).is_ok());
        let sixty_four = "river stone ".repeat(5) + "kite";
        assert!(sixty_four.chars().count() >= 64);
        assert!(NewPassword::parse(&sixty_four, &[]).is_ok());
        assert_eq!(NewPassword::parse(&"x".repeat(257), &[]).unwrap_err(), PasswordProblem::TooLong);
    }

    #[test]
    fn common_passwords_are_refused_and_say_why() {
        for common in ["passwordpassword", "123456789012345", "qwertyuiopasdfgh", "iloveyouiloveyou"] {
            match NewPassword::parse(common, &[]) {
                Err(PasswordProblem::TooGuessable { .. }) => {}
                other => panic!("{common} gave {other:?}"),
            }
        }
        let problem = NewPassword::parse("passwordpassword", &[]).unwrap_err();
        assert!(problem.to_string().contains("too easy to guess"));
    }

    #[test]
    fn personal_words_count_against_a_password() {
        let email = "harriet.okafor@clinic.example";
        assert!(NewPassword::parse(email, &[email]).is_err());
        assert!(NewPassword::parse("okaforokaforharriet", &[email]).is_err());
    }

    #[test]
    fn unicode_is_normalised_nfkc() {
        // "ﬁ" (U+FB01) is the compatibility form of "fi".
        let a = Password::from_typed("ﬁne harbour lights at dusk");
        let b = Password::from_typed("fine harbour lights at dusk");
        assert_eq!(a.as_str(), b.as_str());
        assert!(NewPassword::parse("ﬁne harbour lights at dusk", &[]).is_ok());
        assert!(NewPassword::parse("пароль для души и моря", &[]).is_ok());
    }

    #[test]
    fn secrets_never_print() {
        let password = NewPassword::parse("lantern orchard velvet quietly", &[]).unwrap();
        assert!(!format!("{password:?}").contains("lantern"));
    }

    proptest! {
        #[test]
        fn any_parsed_email_reparses_to_itself(local in "[a-zA-Z0-9._%+-]{1,30}", domain in "[a-zA-Z0-9-]{1,20}", tld in "[a-zA-Z]{2,6}") {
            let email = Email::parse(&format!("{local}@{domain}.{tld}")).unwrap();
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email.clone());
            prop_assert_eq!(email.as_str().to_lowercase(), email.as_str());
        }

        #[test]
        fn short_passwords_never_pass(raw in "[ -~]{0,14}") {
            prop_assert!(NewPassword::parse(&raw, &[]).is_err());
        }

        #[test]
        fn parsing_any_string_never_panics(raw in "\\PC{0,300}") {
            let _ = NewPassword::parse(&raw, &["someone@example.org"]);
            let _ = Email::parse(&raw);
        }
    }

    #[test]
    fn time_zones_are_checked_and_give_the_local_day() {
        let dublin = TimeZoneName::parse("europe/dublin").expect("known zone");
        assert_eq!(dublin.as_str(), "Europe/Dublin");
        assert!(TimeZoneName::parse("Mars/Olympus").is_none());
        assert!(TimeZoneName::parse("").is_none());
        let instant: jiff::Timestamp = "2026-11-22T23:30:00Z".parse().unwrap();
        let auckland = TimeZoneName::parse("Pacific/Auckland").unwrap();
        assert_eq!(auckland.today(instant), jiff::civil::date(2026, 11, 23), "already tomorrow in Auckland");
        assert_eq!(TimeZoneName::utc().today(instant), jiff::civil::date(2026, 11, 22));
        assert!(TimeZoneName::all().iter().any(|name| name == "America/New_York"));
    }
}
