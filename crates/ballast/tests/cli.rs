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
    let (ok, text) = output(ballast(folder.path()).args(["serve", "--bind", "127.0.0.1:0"]));
    assert!(!ok && text.contains("another `ballast serve` is already using"), "{text}");
    let home = reqwest::get(&server.url).await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Create an account"));
}

#[tokio::test]
async fn the_instance_key_is_made_once_and_checked_at_every_start() {
    use std::os::unix::fs::PermissionsExt;

    use ballast_core::sealing::{DataKey, InstanceKey};
    use ballast_store::Store;

    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("ballast-data");
    let server = serve(ballast(folder.path()));
    wait_ready(&server.url).await;
    drop(server);
    let key_file = data.join("instance.key");
    let mode = std::fs::metadata(&key_file).expect("a key file is made on first start").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "only its owner may read it");
    let key = InstanceKey::from_file_contents(&std::fs::read(&key_file).unwrap()).unwrap();

    // Someone's data key, wrapped by the instance key, as after their first note.
    let store = ballast_store_sqlite::SqliteStore::open_in(&data).unwrap();
    let new_user = ballast_store::NewUser {
        email: ballast_core::Email::parse("kim@example.org").unwrap(),
        password_hash: "x".into(),
        time_zone: ballast_core::TimeZoneName::utc(),
        created_at: jiff::Timestamp::now(),
    };
    let user = store.create_user(new_user).await.unwrap();
    let wrapped = DataKey::from_bytes([9; 32]).wrap(&key, [3; 24]);
    store.create_data_key(user.id, wrapped, jiff::Timestamp::now()).await.unwrap();
    drop(store);

    // The same key starts; another key does not; a lost key file is not silently replaced.
    let server = serve(ballast(folder.path()));
    wait_ready(&server.url).await;
    drop(server);
    let (ok, text) = output(
        ballast(folder.path()).args(["serve", "--bind", "127.0.0.1:0"]).env("BALLAST_MASTER_KEY", "cd".repeat(32)),
    );
    assert!(!ok && text.contains("does not open the data keys in this database"), "{text}");
    assert!(!text.contains(&"cd".repeat(32)), "the key is never printed");
    std::fs::remove_file(&key_file).unwrap();
    let (ok, text) = output(ballast(folder.path()).args(["serve", "--bind", "127.0.0.1:0"]));
    assert!(!ok && text.contains("is missing; restore it from your backup"), "{text}");
    assert!(!key_file.exists(), "no new key was made");
}

#[tokio::test]
async fn an_operator_resets_a_password_and_is_told_about_the_journal() {
    use ballast_store::Store;

    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("ballast-data");
    let store = ballast_store_sqlite::SqliteStore::open_in(&data).unwrap();
    store.migrate().await.unwrap();
    let new_user = ballast_store::NewUser {
        email: ballast_core::Email::parse("lee@example.org").unwrap(),
        password_hash: "old".into(),
        time_zone: ballast_core::TimeZoneName::utc(),
        created_at: jiff::Timestamp::now(),
    };
    let user = store.create_user(new_user).await.unwrap();
    let key = ballast_core::sealing::DataKey::from_bytes([1; 32]);
    let wrapping = ballast_core::sealing::PassphraseKey::from_derived([2; 32]);
    let lock = ballast_store::JournalLock {
        password_salt: vec![0; 16],
        by_password: key.wrap(&wrapping, [3; 24]),
        recovery_salt: vec![1; 16],
        by_recovery: key.wrap(&wrapping, [4; 24]),
        created_at: jiff::Timestamp::now(),
    };
    store.create_journal_lock(user.id, &lock).await.unwrap();
    drop(store);

    let (ok, text) = output(ballast(folder.path()).args(["user", "reset-password", "nobody@example.org"]));
    assert!(!ok && text.contains("there is no account with the email address nobody@example.org"), "{text}");
    let (ok, text) = output(ballast(folder.path()).args(["user", "reset-password", "LEE@example.org"]));
    assert!(ok, "{text}");
    assert!(text.contains("only the\nrecovery key") || text.contains("recovery key they were shown"), "{text}");
    let password =
        text.lines().map(str::trim).find(|l| l.len() == 20).expect("the password on its own line").to_owned();
    let store = ballast_store_sqlite::SqliteStore::open_in(&data).unwrap();
    let hash = store.password_hash(user.id).await.unwrap().unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(&password), "{hash}");

    // While a server holds the folder, the reset is refused rather than racing its caches.
    drop(store);
    let server = serve(ballast(folder.path()));
    wait_ready(&server.url).await;
    let (ok, text) = output(ballast(folder.path()).args(["user", "reset-password", "lee@example.org"]));
    assert!(!ok && text.contains("another `ballast serve` is already using"), "{text}");
}

#[tokio::test]
async fn migrate_applies_once() {
    let folder = tempfile::tempdir().unwrap();
    let (ok, text) = output(ballast(folder.path()).args(["migrate", "--data-dir", "db"]));
    assert!(ok, "{text}");
    assert!(text.contains("Applied migrations [1, 2, 3, 4, 5, 6, 7, 8]"), "{text}");
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
    assert!(ok && text.contains("Applied migrations [1, 2, 3, 4, 5, 6, 7, 8]"), "{text}");

    // Without an instance key given, PostgreSQL instances refuse to start: each would
    // otherwise make its own and none could read the others' notes.
    let (ok, text) =
        output(ballast(folder.path()).args(["serve", "--bind", "127.0.0.1:0"]).env("BALLAST_DATABASE_URL", &url));
    assert!(!ok && text.contains("every instance must use the same instance key"), "{text}");

    // Two instances on one database, as behind a load balancer, sharing one key.
    let key = "ab".repeat(32);
    let mut first = ballast(folder.path());
    first.env("BALLAST_DATABASE_URL", &url).env("BALLAST_MASTER_KEY", &key);
    let mut second = ballast(folder.path());
    second.env("BALLAST_DATABASE_URL", &url).env("BALLAST_MASTER_KEY", &key);
    let (first, second) = (serve(first), serve(second));
    assert!(wait_ready(&first.url).await.contains("postgres"));
    assert!(wait_ready(&second.url).await.contains("postgres"));
    assert!(!folder.path().join("ballast-data").exists(), "no SQLite file when PostgreSQL is chosen");
}

// --- ballast instruments ------------------------------------------------------------------

/// A folder whose ballast.toml is broken: the instrument commands must not need configuration.
fn no_config_folder() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("ballast.toml"), "data_dri = \"typo\"\n").unwrap();
    folder
}

fn bundled_file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../instruments").join(name)
}

/// Runs `ballast instruments score ID --answers ANSWERS`; on success, stdout must be exactly one
/// JSON object.
fn score(id: &str, answers: &str) -> (bool, String) {
    let folder = no_config_folder();
    let out = ballast(folder.path()).args(["instruments", "score", id, "--answers", answers]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        let value: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
        assert!(value.is_object(), "{stdout}");
        (true, stdout.trim_end().to_owned())
    } else {
        assert!(stdout.is_empty(), "nothing on stdout when it fails: {stdout}");
        (false, String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn instruments_list() {
    let folder = no_config_folder();
    let (ok, text) = output(ballast(folder.path()).args(["instruments", "list"]));
    assert!(ok, "{text}");
    assert!(text.contains("proqol5\tProQOL 5\t30 items\t5 min"), "{text}");
    assert!(text.contains("single-item-burnout\tSingle-item burnout\t1 item\t1 min"), "{text}");
    for id in ["proqol5", "who5", "phq9", "gad7", "phq4", "pc-ptsd-5", "single-item-burnout", "cbi"] {
        assert!(text.lines().any(|line| line.starts_with(&format!("{id}\t"))), "{id} is listed: {text}");
    }
    assert!(!text.contains("scs"), "the SCS-SF is not bundled");
}

#[test]
fn instruments_validate() {
    let folder = no_config_folder();
    let good = bundled_file("proqol5.toml");
    let (ok, text) = output(ballast(folder.path()).args(["instruments", "validate"]).arg(&good));
    assert!(ok, "{text}");
    assert_eq!(
        text.trim_end(),
        format!("{}: ok — Professional Quality of Life Scale (ProQOL) Version 5, 30 items, 3 scales", good.display())
    );
    let (ok, text) = output(ballast(folder.path()).args(["instruments", "validate"]).arg(bundled_file("cbi.toml")));
    assert!(ok && text.contains("ok — Copenhagen Burnout Inventory (CBI), 19 items, 3 scales"), "{text}");

    // Overlapping bands: the error names the band.
    let text = std::fs::read_to_string(&good).unwrap().replacen("min = 23\nmax = 41", "min = 22\nmax = 41", 1);
    std::fs::write(folder.path().join("broken.toml"), text).unwrap();
    let (ok, text) = output(ballast(folder.path()).args(["instruments", "validate", "broken.toml"]));
    assert!(!ok, "{text}");
    assert!(text.contains("broken.toml: scales[0].bands[1]: overlaps the band before it"), "{text}");

    // An unknown field and an unknown response set.
    std::fs::write(folder.path().join("typo.toml"), "id = \"x\"\ncolour = \"red\"\n").unwrap();
    let (ok, text) = output(ballast(folder.path()).args(["instruments", "validate", "typo.toml"]));
    assert!(!ok && text.contains("line 2 `colour = \"red\"`: unknown field `colour`"), "{text}");
    let text =
        std::fs::read_to_string(&good).unwrap().replacen("response_set = \"frequency\"", "response_set = \"freq\"", 1);
    std::fs::write(folder.path().join("set.toml"), text).unwrap();
    let (ok, text) = output(ballast(folder.path()).args(["instruments", "validate", "set.toml"]));
    assert!(!ok && text.contains("items[0].response_set: no response set is called \"freq\""), "{text}");

    let (ok, text) = output(ballast(folder.path()).args(["instruments", "validate", "missing.toml"]));
    assert!(!ok && text.contains("could not read missing.toml"), "{text}");
}

#[test]
fn instruments_score() {
    let threes = vec!["3"; 30].join(",");
    assert_eq!(
        score("proqol5", &threes),
        (
            true,
            r#"{"instrument":"proqol5","scales":[{"id":"compassion_satisfaction","value":30,"band":"Moderate"},{"id":"burnout","value":30,"band":"Moderate"},{"id":"secondary_traumatic_stress","value":30,"band":"Moderate"}],"flags":[]}"#
                .to_owned()
        )
    );
    assert_eq!(
        score("phq9", "0,0,0,0,0,0,0,0,1"),
        (
            true,
            r#"{"instrument":"phq9","scales":[{"id":"total","value":1,"band":"Minimal"}],"flags":["phq9_item9"]}"#
                .to_owned()
        )
    );
    assert_eq!(
        score("who5", "2,2,1,1,1"),
        (
            true,
            r#"{"instrument":"who5","scales":[{"id":"raw","value":7,"band":null},{"id":"percentage","value":28,"band":"Likely depression"}],"flags":["who5_low"]}"#
                .to_owned()
        )
    );
    // Means round to two decimals; unanswered items are `-`; scales short of answers are null.
    assert_eq!(
        score("cbi", "100,75,75,-,-,-,-,-,-,-,-,-,-,-,-,-,-,-,-"),
        (
            true,
            r#"{"instrument":"cbi","scales":[{"id":"personal","value":83.33,"band":"High"},{"id":"work","value":null,"band":null},{"id":"client","value":null,"band":null}],"flags":[]}"#
                .to_owned()
        )
    );
    // PC-PTSD-5: the stem first; "no" closes it with a total of 0. Labels in any case.
    assert_eq!(
        score("pc-ptsd-5", "no,-,-,-,-,-"),
        (
            true,
            r#"{"instrument":"pc-ptsd-5","scales":[{"id":"total","value":0,"band":"Negative screen"}],"flags":[]}"#
                .to_owned()
        )
    );
    let (ok, text) = score("pc-ptsd-5", "Yes,YES,yes,no,yes,no");
    assert!(
        ok && text.contains(r#""value":3,"band":"Positive screen""#) && text.contains("pc_ptsd5_positive"),
        "{text}"
    );
    let (ok, text) = score("pc-ptsd-5", "-,yes,yes,yes,yes,yes");
    assert!(ok && text.contains(r#""value":null"#), "{text}");
    let (ok, text) = score("single-item-burnout", "5");
    assert!(ok && text.contains(r#""flags":["single_item_burnout_5"]"#), "{text}");
}

#[test]
fn instruments_score_refuses_answers_that_do_not_fit() {
    let (ok, text) = score("phq9", "0,0,0,0,0,0,0,0");
    assert!(!ok && text.contains("phq9: expected 9 answers, got 8"), "{text}");
    let (ok, text) = score("pc-ptsd-5", "yes,yes,yes,yes,yes");
    assert!(!ok && text.contains("expected 6 answers, got 5") && text.contains("first question"), "{text}");
    let (ok, text) = score("phq9", "0,0,0,4,0,0,0,0,0");
    assert!(!ok && text.contains("item 4: \"4\" is not one of the options (0, 1, 2, 3)"), "{text}");
    let (ok, text) = score("proqol5", &vec!["often"; 30].join(",").replacen("often", "sometimes-ish", 1));
    assert!(!ok && text.contains("item 1: \"sometimes-ish\""), "{text}");
    let (ok, text) = score("pc-ptsd-5", "maybe,-,-,-,-,-");
    assert!(!ok && text.contains("the first question: \"maybe\""), "{text}");
    let (ok, text) = score("mbi", "1");
    assert!(!ok && text.contains("there is no instrument called \"mbi\""), "{text}");
}
