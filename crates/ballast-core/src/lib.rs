//! Ballast's pure domain: the types every other crate speaks and the decisions that do not
//! need a database, a clock or a network to make. Nothing here performs I/O; callers pass in
//! the current time and whatever facts a decision needs.

pub mod account;
pub mod checkin;
pub mod contract;
pub mod days;
pub mod exposure;
pub mod icalendar;
pub mod incident;
pub mod insights;
pub mod instrument;
pub mod journal;
pub mod kit;
pub mod reminders;
pub mod sealing;
pub mod session;
pub mod signals;
pub mod throttle;

pub use account::{Email, EmailProblem, NewPassword, Password, PasswordProblem, Role, TimeZoneName, UserId};
pub use session::{SessionId, SessionPolicy, SessionState};
pub use throttle::{FailureCount, ThrottleDecision, ThrottlePolicy};
