//! Configuration: defaults that just work, overridden in turn by `ballast.toml`, by
//! `BALLAST_*` environment variables, and by command-line flags. Secrets (the database
//! password) are hidden whenever the configuration is printed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use ballast_core::{SessionPolicy, ThrottlePolicy};
use jiff::SignedDuration;
use serde::Deserialize;

/// Flags (each also readable from its environment variable).
#[derive(Debug, Default, clap::Args)]
pub struct Overrides {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true, env = "BALLAST_BIND")]
    pub bind: Option<String>,
    /// Folder for the SQLite database and other local data [default: ./ballast-data].
    #[arg(long, global = true, env = "BALLAST_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use PostgreSQL instead of SQLite, e.g. postgres://ballast@db.internal/ballast.
    #[arg(long, global = true, env = "BALLAST_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The address people use to reach Ballast, e.g. https://ballast.example.org.
    #[arg(long, global = true, env = "BALLAST_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Send email reminders through this server: smtp://user:password@host:587?tls=required or
    /// smtps://user:password@host:465. Unset: no email is sent.
    #[arg(long, global = true, env = "BALLAST_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of Ballast's email, e.g. "Ballast <ballast@care.example.org>".
    #[arg(long, global = true, env = "BALLAST_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// A configuration file [default: ./ballast.toml, if it exists].
    #[arg(long, global = true, env = "BALLAST_CONFIG")]
    pub config: Option<PathBuf>,
}

/// `ballast.toml`. Unknown keys are an error, so a typo never silently does nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    trust_proxy_headers: Option<bool>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    max_body_bytes: Option<usize>,
    log: Option<String>,
}

#[derive(Debug, Clone)]
pub enum DatabaseChoice {
    Sqlite { data_dir: PathBuf },
    Postgres { url: String },
}

impl DatabaseChoice {
    pub fn describe(&self) -> String {
        match self {
            DatabaseChoice::Sqlite { data_dir } => {
                format!("SQLite database in {}", data_dir.join(ballast_store_sqlite::DATABASE_FILE).display())
            }
            DatabaseChoice::Postgres { url } => format!("PostgreSQL at {}", redact_url(url)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database: DatabaseChoice,
    pub public_url: Option<String>,
    /// Outgoing email, when the operator set `smtp_url` and `mail_from`.
    pub mail: Option<ballast_web::MailConfig>,
    pub trust_proxy_headers: bool,
    pub sessions: SessionPolicy,
    pub max_body_bytes: usize,
    pub log: String,
    /// Which configuration file was read, if any.
    pub source: Option<PathBuf>,
}

impl Settings {
    pub fn resolve(overrides: &Overrides) -> anyhow::Result<Settings> {
        let (file, source) = match &overrides.config {
            Some(path) => (read_file(path)?, Some(path.clone())),
            None if Path::new("ballast.toml").exists() => {
                (read_file(Path::new("ballast.toml"))?, Some(PathBuf::from("ballast.toml")))
            }
            None => (FileConfig::default(), None),
        };
        let log = std::env::var("BALLAST_LOG").ok().or(file.log.clone()).unwrap_or_else(|| "info".into());
        merge(overrides, file, source, log)
    }

    pub fn web_config(&self) -> ballast_web::WebConfig {
        ballast_web::WebConfig {
            public_url: self.public_url.clone(),
            trust_proxy_headers: self.trust_proxy_headers,
            sessions: self.sessions,
            throttle: ThrottlePolicy::default(),
            max_body_bytes: self.max_body_bytes,
            mail: self.mail.clone(),
            background_jobs: true,
        }
    }

    /// The effective configuration as text, secrets hidden.
    pub fn describe(&self) -> String {
        let source = self.source.as_ref().map_or("none".to_owned(), |p| p.display().to_string());
        format!(
            "config file:           {source}\n\
             bind:                  {}\n\
             data_dir:              {}\n\
             database:              {}\n\
             public_url:            {}\n\
             email:                 {}\n\
             trust_proxy_headers:   {}\n\
             session idle timeout:  {} minutes\n\
             session max age:       {} hours\n\
             max_body_bytes:        {}\n\
             log:                   {}",
            self.bind,
            self.data_dir.display(),
            self.database.describe(),
            self.public_url.as_deref().unwrap_or("(not set)"),
            self.mail.as_ref().map_or("(not set: no email is sent)".to_owned(), |mail| {
                format!("{} from {}", redact_url(&mail.smtp_url), mail.from)
            }),
            self.trust_proxy_headers,
            self.sessions.idle_timeout.as_mins(),
            self.sessions.absolute_timeout.as_hours(),
            self.max_body_bytes,
            self.log,
        )
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{} is not a valid Ballast configuration", path.display()))
}

/// Flags and environment (already merged by clap) win over the file, which wins over defaults.
fn merge(overrides: &Overrides, file: FileConfig, source: Option<PathBuf>, log: String) -> anyhow::Result<Settings> {
    let bind_text = overrides.bind.clone().or(file.bind).unwrap_or_else(|| "127.0.0.1:8080".into());
    let bind: SocketAddr =
        bind_text.parse().with_context(|| format!("bind address {bind_text:?} is not of the form 127.0.0.1:8080"))?;
    let data_dir = overrides.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("ballast-data"));
    let database = match overrides.database_url.clone().or(file.database_url).filter(|url| !url.is_empty()) {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            DatabaseChoice::Postgres { url }
        }
        Some(url) => bail!("database_url {} is not a postgres:// URL; leave it unset to use SQLite", redact_url(&url)),
        None => DatabaseChoice::Sqlite { data_dir: data_dir.clone() },
    };
    let public_url = overrides.public_url.clone().or(file.public_url).filter(|url| !url.is_empty());
    if let Some(url) = &public_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        bail!("public_url {url:?} must start with https:// (or http:// for testing)");
    }
    let smtp_url = overrides.smtp_url.clone().or(file.smtp_url).filter(|url| !url.is_empty());
    let mail_from = overrides.mail_from.clone().or(file.mail_from).filter(|from| !from.is_empty());
    let mail = match (smtp_url, mail_from) {
        (None, None) => None,
        (Some(smtp_url), Some(from)) => {
            let mail = ballast_web::MailConfig { smtp_url, from };
            // Checked now, so a mistake stops start-up rather than silently sending nothing.
            if let Err(problem) = ballast_web::Mailer::new(&mail) {
                bail!("{problem}");
            }
            Some(mail)
        }
        (Some(_), None) => bail!("smtp_url is set but mail_from is not: say who Ballast's email comes from"),
        (None, Some(_)) => bail!("mail_from is set but smtp_url is not: say which server sends Ballast's email"),
    };
    let defaults = SessionPolicy::default();
    let idle_minutes = file.session_idle_minutes.unwrap_or(defaults.idle_timeout.as_mins());
    let absolute_hours = file.session_absolute_hours.unwrap_or(defaults.absolute_timeout.as_hours());
    if idle_minutes < 5 || absolute_hours < 1 || idle_minutes > absolute_hours * 60 {
        bail!("session_idle_minutes must be at least 5 and no longer than session_absolute_hours (at least 1)");
    }
    let max_body_bytes = file.max_body_bytes.unwrap_or(64 * 1024);
    if !(1024..=64 * 1024 * 1024).contains(&max_body_bytes) {
        bail!("max_body_bytes must be between 1024 and 67108864");
    }
    Ok(Settings {
        bind,
        data_dir,
        database,
        public_url,
        mail,
        trust_proxy_headers: file.trust_proxy_headers.unwrap_or(false),
        sessions: SessionPolicy {
            idle_timeout: SignedDuration::from_mins(idle_minutes),
            absolute_timeout: SignedDuration::from_hours(absolute_hours),
            ..defaults
        },
        max_body_bytes,
        log,
        source,
    })
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return "***".into() };
    let (authority, tail) = rest.split_once('/').map_or((rest, None), |(a, t)| (a, Some(t)));
    let authority = match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{credentials}@{host}"),
        },
        None => authority.to_owned(),
    };
    // Query parameters can carry a password too (`?password=`); drop them all.
    let tail = tail.map(|t| t.split('?').next().unwrap_or_default().to_owned());
    match tail {
        Some(tail) => format!("{scheme}://{authority}/{tail}"),
        None => format!("{scheme}://{authority}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> FileConfig {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn defaults_need_nothing() {
        let settings = merge(&Overrides::default(), FileConfig::default(), None, "info".into()).unwrap();
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.data_dir, PathBuf::from("ballast-data"));
        assert!(matches!(settings.database, DatabaseChoice::Sqlite { .. }));
    }

    #[test]
    fn flags_beat_the_file() {
        let overrides = Overrides { bind: Some("0.0.0.0:9000".into()), ..Overrides::default() };
        let settings =
            merge(&overrides, file("bind = \"127.0.0.1:7000\"\ndata_dir = \"/srv/ballast\""), None, "info".into())
                .unwrap();
        assert_eq!(settings.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(settings.data_dir, PathBuf::from("/srv/ballast"));
    }

    #[test]
    fn bad_values_are_explained() {
        let bad_bind = Overrides { bind: Some("localhost".into()), ..Overrides::default() };
        assert!(merge(&bad_bind, FileConfig::default(), None, "info".into()).unwrap_err().to_string().contains("bind"));
        let mysql = file("database_url = \"mysql://root@x/db\"");
        assert!(merge(&Overrides::default(), mysql, None, "info".into()).is_err());
        assert!(toml::from_str::<FileConfig>("bnid = \"x\"").is_err(), "typos are errors");
    }

    #[test]
    fn postgres_urls_select_postgres_and_print_redacted() {
        let settings = merge(
            &Overrides { database_url: Some("postgres://ballast:hunter2@db/ballast".into()), ..Overrides::default() },
            FileConfig::default(),
            None,
            "info".into(),
        )
        .unwrap();
        assert!(matches!(settings.database, DatabaseChoice::Postgres { .. }));
        let printed = settings.describe();
        assert!(printed.contains("postgres://ballast:***@db/ballast"), "{printed}");
        assert!(!printed.contains("hunter2"));
    }

    #[test]
    fn email_needs_a_server_and_a_sender_and_prints_without_the_password() {
        let both = file(
            "smtp_url = \"smtp://ballast:hunter2@mail.example.org:587?tls=required\"\nmail_from = \"Ballast <ballast@example.org>\"",
        );
        let settings = merge(&Overrides::default(), both, None, "info".into()).unwrap();
        let printed = settings.describe();
        assert!(printed.contains("email:                 smtp://ballast:***@mail.example.org:587"), "{printed}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert_eq!(settings.web_config().mail.map(|m| m.from), Some("Ballast <ballast@example.org>".to_owned()));
        let none = merge(&Overrides::default(), FileConfig::default(), None, "info".into()).unwrap();
        assert!(none.describe().contains("(not set: no email is sent)"));
        assert!(none.web_config().mail.is_none());

        let only_url = Overrides { smtp_url: Some("smtps://u:hunter2@mail".into()), ..Overrides::default() };
        let error = merge(&only_url, FileConfig::default(), None, "info".into()).unwrap_err().to_string();
        assert!(error.contains("mail_from") && !error.contains("hunter2"), "{error}");
        let bad = Overrides {
            smtp_url: Some("mailto://u:hunter2@mail".into()),
            mail_from: Some("b@example.org".into()),
            ..Overrides::default()
        };
        let error = merge(&bad, FileConfig::default(), None, "info".into()).unwrap_err().to_string();
        assert!(error.contains("smtp://") && !error.contains("hunter2"), "{error}");
    }

    #[test]
    fn redaction() {
        assert_eq!(redact_url("postgres://u:p@h:5432/d"), "postgres://u:***@h:5432/d");
        assert_eq!(redact_url("postgres://u@h/d?password=p"), "postgres://u@h/d");
        assert_eq!(redact_url("postgres://h"), "postgres://h");
    }
}
