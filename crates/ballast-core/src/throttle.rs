//! Sign-in throttling: how many failed attempts an account or a client address may make
//! before we ask them to wait. Counting happens in the store (so every instance sees the same
//! numbers); the decision happens here.

use jiff::{SignedDuration, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failed attempts are counted over this window.
    pub window: SignedDuration,
    /// Failures allowed for one account within the window.
    pub per_account: u32,
    /// Failures allowed from one client address within the window; higher, because several
    /// colleagues may share one office address.
    pub per_address: u32,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy { window: SignedDuration::from_mins(15), per_account: 5, per_address: 30 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleDecision {
    Allow,
    /// Refuse without checking the password; the caller may try again after this long.
    Wait(SignedDuration),
}

/// Failures recorded for one throttle key: how many within the window, and the oldest of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub count: u32,
    pub oldest: Option<Timestamp>,
}

impl ThrottlePolicy {
    /// Failures older than this instant no longer count.
    pub fn window_start(&self, now: Timestamp) -> Timestamp {
        now - self.window
    }

    pub fn decide(&self, account: FailureCount, address: FailureCount, now: Timestamp) -> ThrottleDecision {
        let waits = [(account, self.per_account), (address, self.per_address)]
            .into_iter()
            .filter(|(failures, limit)| failures.count >= *limit)
            .map(|(failures, _)| {
                let oldest = failures.oldest.unwrap_or(now);
                (oldest + self.window).duration_since(now).max(SignedDuration::from_secs(1))
            });
        match waits.max() {
            Some(wait) => ThrottleDecision::Wait(wait),
            None => ThrottleDecision::Allow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap()
    }

    fn failures(count: u32, oldest: i64) -> FailureCount {
        FailureCount { count, oldest: Some(at(oldest)) }
    }

    const NONE: FailureCount = FailureCount { count: 0, oldest: None };

    #[test]
    fn allows_until_the_account_limit() {
        let policy = ThrottlePolicy::default();
        assert_eq!(policy.decide(failures(4, 1000), NONE, at(1100)), ThrottleDecision::Allow);
        assert_eq!(
            policy.decide(failures(5, 1000), NONE, at(1100)),
            ThrottleDecision::Wait(SignedDuration::from_secs(15 * 60 - 100))
        );
    }

    #[test]
    fn address_limit_is_separate() {
        let policy = ThrottlePolicy::default();
        assert_eq!(policy.decide(NONE, failures(29, 0), at(10)), ThrottleDecision::Allow);
        assert!(matches!(policy.decide(NONE, failures(30, 0), at(10)), ThrottleDecision::Wait(_)));
    }

    proptest! {
        #[test]
        fn waits_are_positive_and_within_the_window(count in 0u32..100, age in 0i64..900, now in 1_000i64..1_000_000) {
            let policy = ThrottlePolicy::default();
            match policy.decide(failures(count, now - age), NONE, at(now)) {
                ThrottleDecision::Allow => prop_assert!(count < policy.per_account),
                ThrottleDecision::Wait(wait) => {
                    prop_assert!(count >= policy.per_account);
                    prop_assert!(wait >= SignedDuration::from_secs(1) && wait <= policy.window);
                }
            }
        }
    }
}
