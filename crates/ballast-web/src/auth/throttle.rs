//! Applies the core throttle policy to a sign-in attempt, counting failures in the store so
//! every instance sees the same numbers.

use ballast_core::{Email, ThrottleDecision};
use ballast_store::ThrottleKey;
use jiff::Timestamp;

use crate::AppState;
use crate::error::WebError;
use crate::security::tokens::throttle_key;

/// The two counters one sign-in attempt touches.
pub struct SignInThrottle {
    account: ThrottleKey,
    address: ThrottleKey,
}

impl SignInThrottle {
    pub fn new(email: &Email, address: &str) -> SignInThrottle {
        SignInThrottle { account: throttle_key("account", email.as_str()), address: throttle_key("address", address) }
    }

    /// Refuses with [`WebError::TooManyAttempts`] when either counter is over its limit.
    pub async fn check(&self, state: &AppState) -> Result<(), WebError> {
        let now = Timestamp::now();
        let policy = state.config.throttle;
        let since = policy.window_start(now);
        let account = state.store.login_failures(&self.account, since).await?;
        let address = state.store.login_failures(&self.address, since).await?;
        match policy.decide(account, address, now) {
            ThrottleDecision::Allow => Ok(()),
            ThrottleDecision::Wait(wait) => Err(WebError::TooManyAttempts(wait)),
        }
    }

    pub async fn failed(&self, state: &AppState) -> Result<(), WebError> {
        Ok(state.store.record_login_failure(&[self.account, self.address], Timestamp::now()).await?)
    }

    /// A correct password clears the account's counter (not the address's: one success must
    /// not let a shared address go on guessing other accounts).
    pub async fn succeeded(&self, state: &AppState) -> Result<(), WebError> {
        Ok(state.store.clear_login_failures(&self.account).await?)
    }
}
