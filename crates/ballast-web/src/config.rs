//! Settings the web layer needs. The binary builds this from flags, environment and
//! `ballast.toml`; tests build it directly.

use ballast_core::{SessionPolicy, ThrottlePolicy};

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people use to reach Ballast, e.g. `https://ballast.example.org`. When set,
    /// form submissions must come from this origin, and an `https` address turns on HSTS.
    /// When unset, the request's own `Host` is the expected origin.
    pub public_url: Option<String>,
    /// Take the client address from the last `X-Forwarded-For` entry (set only behind a
    /// reverse proxy you run, or anyone can pick their address and dodge throttling).
    pub trust_proxy_headers: bool,
    pub sessions: SessionPolicy,
    pub throttle: ThrottlePolicy,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Where to send email from, when the operator set up an SMTP server; `None` means this
    /// instance sends no email at all (reminders then come by calendar feed and the home page).
    pub mail: Option<MailConfig>,
    /// Run the background reminder loop (tests turn it off and drive
    /// [`run_reminders_once`](crate::run_reminders_once) themselves).
    pub background_jobs: bool,
}

/// The operator's outgoing mail server.
///
/// `smtp://` speaks plain SMTP (add `?tls=required` for STARTTLS, which any server reached
/// over a network should use); `smtps://` uses TLS from the start.
#[derive(Clone)]
pub struct MailConfig {
    /// `smtp://user:password@host:port` or `smtps://…`. Holds a password: never print or
    /// log it whole.
    pub smtp_url: String,
    /// The sender address, e.g. `Ballast <ballast@care.example.org>`.
    pub from: String,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig").field("smtp_url", &"(hidden)").field("from", &self.from).finish()
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: None,
            trust_proxy_headers: false,
            sessions: SessionPolicy::default(),
            throttle: ThrottlePolicy::default(),
            max_body_bytes: 64 * 1024,
            mail: None,
            background_jobs: true,
        }
    }
}

impl WebConfig {
    pub(crate) fn serves_tls(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| url.starts_with("https://"))
    }

    /// The origin (`scheme://host[:port]`) of `public_url`, without any path.
    pub(crate) fn public_origin(&self) -> Option<&str> {
        let url = self.public_url.as_deref()?;
        let after_scheme = url.find("://").map(|i| i + 3)?;
        let end = url[after_scheme..].find('/').map_or(url.len(), |i| after_scheme + i);
        Some(&url[..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_drops_the_path() {
        let config = WebConfig { public_url: Some("https://care.example.org/ballast/".into()), ..WebConfig::default() };
        assert_eq!(config.public_origin(), Some("https://care.example.org"));
        assert!(config.serves_tls());
        let plain = WebConfig { public_url: Some("http://10.0.0.2:8080".into()), ..WebConfig::default() };
        assert_eq!(plain.public_origin(), Some("http://10.0.0.2:8080"));
        assert!(!plain.serves_tls());
    }
}
