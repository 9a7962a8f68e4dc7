//! Session lifetimes. A session ends when it has been idle too long or has lived too long,
//! whichever comes first; both limits are configurable and documented in docs/SECURITY.md.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// The database identifier of one signed-in session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SessionId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused for this long ends.
    pub idle_timeout: SignedDuration,
    /// A session ends this long after sign-in however much it is used.
    pub absolute_timeout: SignedDuration,
    /// How stale `last_seen` may get before we write it again; saves a write per request.
    pub touch_interval: SignedDuration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_timeout: SignedDuration::from_hours(24),
            absolute_timeout: SignedDuration::from_hours(24 * 14),
            touch_interval: SignedDuration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Usable, and `last_seen` is fresh enough.
    Live,
    /// Usable; record that it was used now.
    LiveNeedsTouch,
    /// Ended by a timeout.
    Expired,
}

impl SessionPolicy {
    pub fn state(&self, created: Timestamp, last_seen: Timestamp, now: Timestamp) -> SessionState {
        let idle = now.duration_since(last_seen);
        let age = now.duration_since(created);
        if idle >= self.idle_timeout || age >= self.absolute_timeout {
            SessionState::Expired
        } else if idle >= self.touch_interval {
            SessionState::LiveNeedsTouch
        } else {
            SessionState::Live
        }
    }

    /// Sessions last seen before the first instant or created before the second have expired.
    pub fn expiry_cutoffs(&self, now: Timestamp) -> (Timestamp, Timestamp) {
        (now - self.idle_timeout, now - self.absolute_timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap()
    }

    #[test]
    fn idle_and_absolute_limits() {
        let policy = SessionPolicy::default();
        let day = 24 * 3600;
        assert_eq!(policy.state(at(0), at(0), at(10)), SessionState::Live);
        assert_eq!(policy.state(at(0), at(0), at(60)), SessionState::LiveNeedsTouch);
        assert_eq!(policy.state(at(0), at(0), at(day)), SessionState::Expired);
        assert_eq!(policy.state(at(0), at(13 * day), at(13 * day + 5)), SessionState::Live);
        assert_eq!(policy.state(at(0), at(14 * day - 5), at(14 * day)), SessionState::Expired);
    }

    proptest! {
        #[test]
        fn state_agrees_with_the_cleanup_cutoffs(created in 0i64..10_000_000, idle in 0i64..3_000_000, extra in 0i64..3_000_000) {
            let policy = SessionPolicy::default();
            let last_seen = created + extra;
            let now = last_seen + idle;
            let (idle_cutoff, absolute_cutoff) = policy.expiry_cutoffs(at(now));
            let expired_by_cutoffs = at(last_seen) <= idle_cutoff || at(created) <= absolute_cutoff;
            prop_assert_eq!(policy.state(at(created), at(last_seen), at(now)) == SessionState::Expired, expired_by_cutoffs);
        }
    }
}
