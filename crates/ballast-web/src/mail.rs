//! Sending email through the operator's SMTP server (`smtp_url`), with `lettre`.
//!
//! Only plain, short messages: the text never says anything about how the person is doing,
//! because email passes through other people's servers and is often read on shared screens.

use std::time::Duration;

use ballast_core::Email;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailConfig;

/// How long one conversation with the mail server may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// A ready connection recipe for the operator's server and the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// Reads the configuration; an error says (without the password) what is wrong with it.
    pub fn new(config: &MailConfig) -> Result<Mailer, String> {
        if !(config.smtp_url.starts_with("smtp://") || config.smtp_url.starts_with("smtps://")) {
            return Err("smtp_url must start with smtp:// or smtps://".into());
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|_| "smtp_url is not a mail server address such as smtp://user:password@host:587".to_owned())?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = config.from.parse::<Mailbox>().map_err(|_| {
            format!("mail_from {:?} is not an address such as Ballast <ballast@example.org>", config.from)
        })?;
        Ok(Mailer { transport, from })
    }

    /// Sends one plain-text message; the error is the server's answer or what went wrong.
    pub async fn send(&self, to: &Email, subject: &str, body: String) -> Result<(), String> {
        let to = to.as_str().parse::<Mailbox>().map_err(|error| format!("recipient: {error}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|error| format!("message: {error}"))?;
        self.transport.send(message).await.map(|_| ()).map_err(|error| error.to_string())
    }
}

/// The day's check-in reminder: (subject, body). `base` is `public_url`, when the operator set it.
pub fn check_in_reminder(base: Option<&str>) -> (&'static str, String) {
    // Short lines, plain ASCII: the message goes as it is, with no encoding to trip on.
    let (link, settings) = match base {
        Some(base) => {
            let base = base.trim_end_matches('/');
            (format!("{base}/check-in"), format!("{base}/account/reminders"))
        }
        None => ("Open Ballast and choose Check in.".to_owned(), "Your account, then Reminders, in Ballast".into()),
    };
    let body = format!(
        "Hello,\n\n\
         This is the daily check-in reminder you asked for.\n\
         A minute to notice how you are:\n\n\
         {link}\n\n\
         Go gently today.\n\n\
         You get this email because you turned on email reminders.\n\
         To turn them off: {settings}\n"
    );
    ("Your daily check-in", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reminder_links_to_the_check_in_and_says_nothing_else() {
        let (subject, body) = check_in_reminder(Some("https://care.example.org/"));
        assert_eq!(subject, "Your daily check-in");
        assert!(body.contains("\n\nhttps://care.example.org/check-in\n\n"), "{body}");
        assert!(body.contains("\nTo turn them off: https://care.example.org/account/reminders\n"));
        assert!(body.lines().all(|line| line.len() <= 76 && line.is_ascii()), "{body}");
        let (_, without_address) = check_in_reminder(None);
        assert!(without_address.contains("Open Ballast"), "{without_address}");
    }

    #[test]
    fn bad_settings_are_explained_without_the_password() {
        let config = |url: &str, from: &str| MailConfig { smtp_url: url.into(), from: from.into() };
        let error = Mailer::new(&config("http://u:hunter2@mail", "a@b.org")).err().unwrap();
        assert!(error.contains("smtp://") && !error.contains("hunter2"), "{error}");
        let error = Mailer::new(&config("smtp://u:hunter2@mail:587", "not an address")).err().unwrap();
        assert!(error.contains("mail_from") && !error.contains("hunter2"), "{error}");
        assert!(Mailer::new(&config("smtps://u:hunter2@mail.example.org", "Ballast <b@example.org>")).is_ok());
    }
}
