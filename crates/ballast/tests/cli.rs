//! The `ballast` binary as an operator uses it: zero-set-up `serve`, `migrate`, configuration
//! precedence (flags > environment > ballast.toml > defaults), and PostgreSQL by URL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BALLAST: &str = env!("CARGO_BIN_EXE_ballast");

/// A `ballast` command run in `folder` with no BALLAST_* variables inherited.
fn ballast(folder: &Path) -> Command {
    let mut command = Command::new(BALLAST);
    command.current_dir(folder);
    for (name, _) in std::env::vars() {
        if name.starts_with("BALLAST_") {
            command.env_remove(name);
        }
    }
    command
}

/// A running `ballast serve`, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(mut command: Command) -> Server {
    let mut child =
        command.args(["serve", "--bind", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    assert!(line.starts_with("Ballast is running at http://127.0.0.1:"), "printed: {line:?}");
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().trim_end_matches('/').to_owned();
    Server { child, url }
}

async fn wait_ready(url: &str) -> String {
    for _ in 0..300 {
        if let Ok(response) = reqwest::get(format!("{url}/readyz")).await
            && response.status() == 200
        {
            return response.text().await.unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{url} never became ready");
}

fn output(command: &mut Command) -> (bool, String) {
    let out = command.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test]
async fn serve_needs_no_set_up() {
    let folder = tempfile::tempdir().unwrap();
    let server = serve(ballast(folder.path()));
    assert!(wait_ready(&server.url).await.contains("sqlite"));
    let database = folder.path().join("ballast-data/ballast.sqlite3");
    assert!(database.exists(), "the data folder and database are created");
    // Bytes 18 and 19 of an SQLite header are 2 when the database is in WAL mode.
    let header = std::fs::read(&database).unwrap();
    assert_eq!(&header[18..20], &[2, 2]);
    let home = reqwest::get(&server.url).await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Create an account"));
}

#[tokio::test]
async fn migrate_applies_once() {
    let folder = tempfile::tempdir().unwrap();
    let (ok, text) = output(ballast(folder.path()).args(["migrate", "--data-dir", "db"]));
    assert!(ok, "{text}");
    assert!(text.contains("Applied migrations [1]"), "{text}");
    let (ok, text) = output(ballast(folder.path()).args(["migrate", "--data-dir", "db"]));
    assert!(ok && text.contains("up to date"), "{text}");
    let (ok, text) = output(ballast(folder.path()).args(["user", "list", "--data-dir", "db"]));
    assert!(ok && text.trim().is_empty(), "no accounts yet: {text}");
}

#[test]
fn configuration_precedence() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("ballast.toml"), "data_dir = \"from-file\"\nbind = \"127.0.0.1:9001\"\n")
        .unwrap();
    let (_, text) = output(ballast(folder.path()).arg("config"));
    assert!(text.contains("from-file") && text.contains("127.0.0.1:9001"), "{text}");
    let (_, text) = output(ballast(folder.path()).arg("config").env("BALLAST_DATA_DIR", "from-env"));
    assert!(text.contains("from-env") && text.contains("127.0.0.1:9001"), "{text}");
    let (_, text) =
        output(ballast(folder.path()).args(["config", "--data-dir", "from-flag"]).env("BALLAST_DATA_DIR", "from-env"));
    assert!(text.contains("from-flag"), "{text}");

    let (_, text) = output(
        ballast(folder.path())
            .arg("config")
            .env("BALLAST_DATABASE_URL", "postgres://ballast:s3cret@db.internal/ballast"),
    );
    assert!(text.contains("postgres://ballast:***@db.internal/ballast"), "{text}");
    assert!(!text.contains("s3cret"), "secrets are never printed");
}

#[test]
fn broken_configuration_is_explained() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("ballast.toml"), "data_dri = \"typo\"\n").unwrap();
    let (ok, text) = output(ballast(folder.path()).arg("config"));
    assert!(!ok);
    assert!(text.contains("ballast.toml is not a valid Ballast configuration") && text.contains("data_dri"), "{text}");

    let (ok, text) = output(ballast(folder.path()).args(["config", "--config", "missing.toml"]));
    assert!(!ok && text.contains("could not read missing.toml"), "{text}");

    std::fs::remove_file(folder.path().join("ballast.toml")).unwrap();
    let (ok, text) = output(ballast(folder.path()).args(["serve", "--bind", "not-an-address"]));
    assert!(!ok && text.contains("bind address"), "{text}");
    let (ok, text) =
        output(ballast(folder.path()).arg("migrate").env("BALLAST_DATABASE_URL", "postgres://u:pw@127.0.0.1:1/none"));
    assert!(!ok && text.contains("could not connect to PostgreSQL"), "{text}");
    assert!(!text.contains(":pw@"), "{text}");
}

#[tokio::test]
async fn the_same_binary_runs_on_postgres() {
    let Ok(server) = std::env::var("BALLAST_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("BALLAST_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "BALLAST_TEST_POSTGRES_URL is required"
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), b"skipped: BALLAST_TEST_POSTGRES_URL is not set\n");
        return;
    };
    let url = ballast_store_postgres::testing::fresh_database_url(&server).await;
    let folder = tempfile::tempdir().unwrap();
    let (ok, text) = output(ballast(folder.path()).arg("migrate").env("BALLAST_DATABASE_URL", &url));
    assert!(ok && text.contains("Applied migrations [1]"), "{text}");

    // Two instances on one database, as behind a load balancer.
    let mut first = ballast(folder.path());
    first.env("BALLAST_DATABASE_URL", &url);
    let mut second = ballast(folder.path());
    second.env("BALLAST_DATABASE_URL", &url);
    let (first, second) = (serve(first), serve(second));
    assert!(wait_ready(&first.url).await.contains("postgres"));
    assert!(wait_ready(&second.url).await.contains("postgres"));
    assert!(!folder.path().join("ballast-data").exists(), "no SQLite file when PostgreSQL is chosen");
}
