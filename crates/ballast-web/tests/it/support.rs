//! Starting the real server for a test, and a small HTTP client that keeps cookies the way a
//! browser does (so tests can also inspect and tamper with them).

use std::collections::BTreeMap;
use std::sync::Arc;

use ballast_store::Store;
use ballast_store_sqlite::SqliteStore;
use ballast_web::{AppState, WebConfig};
use reqwest::header::{HeaderMap, HeaderValue};

pub const PASSWORD: &str = "lantern orchard velvet quietly";
pub const NEW_PASSWORD: &str = "harbour kestrel mosaic thimble";

pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    /// The SQLite data folder, when the app runs on SQLite.
    pub data_dir: Option<std::path::PathBuf>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(WebConfig::default()).await
}

pub async fn spawn_app_with(config: WebConfig) -> TestApp {
    let folder = tempfile::tempdir().unwrap().keep();
    let store = SqliteStore::open_in(&folder).unwrap();
    store.migrate().await.unwrap();
    TestApp { data_dir: Some(folder), ..serve(Arc::new(store), config).await }
}

/// A fresh PostgreSQL database for one test, or `None` when no server is configured (CI sets
/// `BALLAST_REQUIRE_POSTGRES=1`, which turns a missing server into a failure).
pub async fn fresh_postgres_store() -> Option<Arc<dyn Store>> {
    let Ok(url) = std::env::var("BALLAST_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("BALLAST_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "BALLAST_REQUIRE_POSTGRES=1 but BALLAST_TEST_POSTGRES_URL is not set"
        );
        // Straight to stderr: the harness hides `eprintln!` from passing tests, and a skip
        // should be seen.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"skipped a PostgreSQL web test: BALLAST_TEST_POSTGRES_URL is not set\n",
        );
        return None;
    };
    let store = ballast_store_postgres::testing::fresh_database(&url).await;
    Some(Arc::new(store))
}

/// The instance key test servers use. A fixed key is fine here: the tests check what the
/// database holds, and a key from the environment must never leak into them.
pub fn test_instance_key() -> ballast_core::sealing::InstanceKey {
    ballast_core::sealing::InstanceKey::from_bytes([0x5a; 32])
}

/// Serves `store` on a random port and waits until `/readyz` answers.
pub async fn serve(store: Arc<dyn Store>, config: WebConfig) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(store.clone(), config, test_instance_key());
    tokio::spawn(ballast_web::serve(listener, state));
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{base}/readyz")).send().await
            && response.status() == 200
        {
            return TestApp { base, store, data_dir: None };
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the server at {base} never became ready");
}

/// What came back from one request.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn location(&self) -> &str {
        self.header("location")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect()
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Reply {
        assert!(self.body.contains(text), "expected {text:?} in a {} reply:\n{}", self.status, self.body);
        self
    }
}

/// Every file in a SQLite app's data folder (database, WAL, shared memory) as bytes: what
/// someone who copied the folder, or a backup of it, would hold.
pub struct RawDatabase(Vec<u8>);

impl RawDatabase {
    pub fn read(app: &TestApp) -> RawDatabase {
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(app.data_dir.as_ref().expect("a SQLite app has a data folder")).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                bytes.extend(std::fs::read(path).unwrap());
            }
        }
        RawDatabase(bytes)
    }

    pub fn contains(&self, text: &str) -> bool {
        self.0.windows(text.len()).any(|window| window == text.as_bytes())
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests follow them).
pub struct Browser {
    pub base: String,
    http: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub user_agent: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser::at(&app.base)
    }

    pub fn at(base: &str) -> Browser {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser {
            base: base.to_owned(),
            http,
            cookies: BTreeMap::new(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0".into(),
        }
    }

    fn cookie_header(&self) -> Option<HeaderValue> {
        if self.cookies.is_empty() {
            return None;
        }
        let text = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        Some(HeaderValue::from_str(&text).unwrap())
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Reply {
        let mut request = request.header("user-agent", &self.user_agent);
        if let Some(cookies) = self.cookie_header() {
            request = request.header("cookie", cookies);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for value in headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = response.text().await.unwrap();
        Reply { status, headers, body }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub fn csrf(&self) -> String {
        self.cookies.get("__Host-ballast-csrf").cloned().unwrap_or_default()
    }

    /// Posts a form with the CSRF token a page would have embedded.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        if self.csrf().is_empty() {
            self.get("/").await;
        }
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[]).await
    }

    /// Posts exactly these fields and extra headers, nothing added.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Reply {
        let mut request = self.http.post(format!("{}{path}", self.base)).form(fields);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request).await
    }

    pub async fn request(&mut self, request: reqwest::RequestBuilder) -> Reply {
        self.send(request).await
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub async fn register(&mut self, email: &str, password: &str) -> Reply {
        self.get("/register").await;
        self.post("/register", &[("email", email), ("password", password)]).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        self.get("/sign-in").await;
        self.post("/sign-in", &[("email", email), ("password", password)]).await
    }

    pub async fn sign_out(&mut self) -> Reply {
        self.post("/sign-out", &[]).await
    }

    pub fn session_cookie(&self) -> Option<&String> {
        self.cookies.get("__Host-ballast-session")
    }
}

/// Everything the server logs during the test run, for tests that check log lines (and that
/// secrets never appear in them). Installed once for the whole test binary.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogSink;

impl std::io::Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn capture_logs() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let subscriber =
            tracing_subscriber::fmt().with_env_filter("info").with_ansi(false).with_writer(|| LogSink).finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}
