//! Browser tests: headless Chromium, driven through chromedriver, walks the account journey the
//! way a person would — by keyboard for registering and signing in, by clicking elsewhere — and
//! axe-core checks every page it reaches against WCAG 2.2 AA and axe's best practices.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without chromedriver the test says on stderr
//! that it was skipped, unless `BALLAST_REQUIRE_BROWSER=1` (CI sets it), which makes that a
//! failure. `BALLAST_CHROMEDRIVER` names another chromedriver, `BALLAST_CHROMIUM` another browser.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ballast_core::Email;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::support::{Browser, NEW_PASSWORD, PASSWORD, TestApp, spawn_app};

/// axe-core, vendored (see `tests/assets/README.md`).
const AXE: &str = include_str!("../assets/axe.min.js");
const AXE_TAGS: [&str; 6] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
/// The longest we wait for chromedriver to start or a page to arrive.
const PATIENCE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(20);

const EMAIL_TYPED: &str = "Robin.Hale@Example.org";
const EMAIL: &str = "robin.hale@example.org";
const SESSION_COOKIE: &str = "__Host-ballast-session";
const CSRF_COOKIE: &str = "__Host-ballast-csrf";

#[tokio::test]
async fn account_journey_in_a_browser_is_keyboard_friendly_and_accessible() {
    let Some(path) = chromedriver_or_skip() else { return };
    let driver = ChromeDriver::start(&path).await;
    let client = driver.new_session().await;
    let app = spawn_app().await;
    // Run the journey as its own task so that, should it panic, the browser session is still
    // closed (which quits Chromium) before chromedriver is stopped and the panic goes on.
    let outcome = tokio::spawn(account_journey(client.clone(), app)).await;
    let closed = client.close().await;
    drop(driver);
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
    closed.expect("the browser session closes cleanly");
}

async fn account_journey(c: Client, app: TestApp) {
    // Home, signed out. The page's CSP refuses inline script, yet axe (injected through
    // WebDriver) runs: DevTools-injected script is not subject to the page's policy.
    c.goto(&app.base).await.unwrap();
    assert_title(&c, "Home").await;
    check_page(&c, "home (signed out)").await;
    csp_refuses_inline_script(&c).await;
    skip_link_moves_focus_to_main(&c).await;

    leave(&c).await;
    click(&c, "main a[href='/register']").await;
    arrive(&c, "Create an account").await;
    check_page(&c, "register").await;

    // A bad email and a short password, typed and submitted with Enter.
    type_into(&c, "email", "robin.hale@").await;
    press(&c, Key::Tab).await;
    assert_focus(&c, "password").await;
    leave(&c).await;
    type_into_focused(&c, &format!("short{}", Key::Enter)).await;
    arrive(&c, "Error: Create an account").await;
    check_page(&c, "register with errors").await;
    let summary = c.find(Locator::Css(".error-summary[role='alert']")).await.expect("an error summary");
    assert_eq!(summary.find(Locator::Css("h2")).await.unwrap().text().await.unwrap(), "Please check the form");
    let email_problem = "Enter an email address in the form name@example.org.";
    let password_problem = "Use at least 15 characters — a short phrase of a few words works well.";
    let mut listed = Vec::new();
    for link in summary.find_all(Locator::Css("li a")).await.unwrap() {
        let target = link.attr("href").await.unwrap().unwrap_or_default();
        let target = target.rsplit_once('#').map(|(_, id)| id.to_owned()).unwrap_or(target);
        listed.push((target, link.text().await.unwrap()));
    }
    assert_eq!(
        listed,
        [("email".to_owned(), email_problem.to_owned()), ("password".to_owned(), password_problem.to_owned())]
    );
    for (field, problem) in [("email", email_problem), ("password", password_problem)] {
        let message = text_of(&c, &format!("#{field}-error")).await;
        assert!(message.contains(problem), "#{field}-error says {message:?}");
        let input = c.find(Locator::Id(field)).await.unwrap();
        assert_eq!(input.attr("aria-invalid").await.unwrap().as_deref(), Some("true"), "#{field}");
        let described_by = input.attr("aria-describedby").await.unwrap().unwrap_or_default();
        assert!(described_by.split(' ').any(|id| id == format!("{field}-error")), "#{field}: {described_by:?}");
    }
    assert_eq!(value_of(&c, "email").await, "robin.hale@", "what was typed is kept");
    assert_eq!(value_of(&c, "password").await, "", "a password is never sent back");

    // Following the summary's first link by keyboard lands in the email field; fix it there.
    summary.find(Locator::Css("li a")).await.unwrap().send_keys(&Key::Enter.to_string()).await.unwrap();
    assert_focus(&c, "email").await;
    // Select what is there and type over it (WebDriver's "clear" would also move the focus away).
    type_into_focused(&c, &format!("{}a{}{EMAIL_TYPED}", Key::Control, Key::Null)).await;
    assert_eq!(value_of(&c, "email").await, EMAIL_TYPED);
    press(&c, Key::Tab).await;
    assert_focus(&c, "password").await;
    leave(&c).await;
    type_into_focused(&c, &format!("{PASSWORD}{}", Key::Enter)).await;
    arrive(&c, "Home").await;
    assert_eq!(text_of(&c, "h1").await, "Welcome back");
    check_page(&c, "home (signed in)").await;
    // Chromium keeps `__Host-` + `Secure` cookies on http://127.0.0.1, and the session cookie
    // is out of reach of page script.
    let cookies = cookie_names(&c).await;
    assert!(cookies.contains(&SESSION_COOKIE.to_owned()) && cookies.contains(&CSRF_COOKIE.to_owned()), "{cookies:?}");
    let script_cookies = c.execute("return document.cookie", vec![]).await.unwrap();
    assert!(!script_cookies.as_str().unwrap_or_default().contains(SESSION_COOKIE), "{script_cookies}");

    leave(&c).await;
    click(&c, ".site-nav a[href='/account']").await;
    arrive(&c, "Your account").await;
    check_page(&c, "account").await;
    let main = text_of(&c, "main").await;
    assert!(main.contains(EMAIL) && main.contains("Administrator"), "{main}");

    leave(&c).await;
    click(&c, ".site-nav button[type='submit']").await;
    arrive(&c, "Home").await;
    assert_eq!(text_of(&c, "p.notice[role='status']").await, "You have signed out. See you next time.");
    check_page(&c, "home (signed out, with notice)").await;
    assert!(!cookie_names(&c).await.contains(&SESSION_COOKIE.to_owned()));

    // Sign in by keyboard.
    leave(&c).await;
    click(&c, ".site-nav a[href='/sign-in']").await;
    arrive(&c, "Sign in").await;
    check_page(&c, "sign in").await;
    type_into(&c, "email", EMAIL).await;
    press(&c, Key::Tab).await;
    assert_focus(&c, "password").await;
    leave(&c).await;
    type_into_focused(&c, &format!("{PASSWORD}{}", Key::Enter)).await;
    arrive(&c, "Home").await;
    assert_eq!(text_of(&c, "h1").await, "Welcome back");

    // Change the password.
    leave(&c).await;
    click(&c, ".site-nav a[href='/account']").await;
    arrive(&c, "Your account").await;
    leave(&c).await;
    click_link(&c, "Change your password").await;
    arrive(&c, "Change your password").await;
    check_page(&c, "change password").await;
    type_into(&c, "current_password", PASSWORD).await;
    type_into(&c, "new_password", NEW_PASSWORD).await;
    leave(&c).await;
    click(&c, "main form button[type='submit']").await;
    arrive(&c, "Your account").await;
    let notice = text_of(&c, "p.notice[role='status']").await;
    assert!(notice.starts_with("Your password has been changed."), "{notice}");
    check_page(&c, "account (password changed)").await;

    // Another device signs in, so the sessions page has someone to sign out.
    let mut phone = Browser::at(&app.base);
    phone.user_agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1".into();
    assert_eq!(phone.sign_in(EMAIL, NEW_PASSWORD).await.status, 303);

    leave(&c).await;
    click_link(&c, "See where you are signed in").await;
    arrive(&c, "Where you are signed in").await;
    check_page(&c, "sessions").await;
    let rows = c.find_all(Locator::Css("table.sessions tbody tr")).await.unwrap();
    let mut devices = Vec::new();
    for row in rows {
        devices.push(row.find(Locator::Css("th")).await.unwrap().text().await.unwrap());
    }
    devices.sort();
    assert_eq!(devices, ["Chrome on Linux This device", "Safari on iPhone"]);
    leave(&c).await;
    click(&c, "main form[action='/account/sessions/end-others'] button").await;
    arrive(&c, "Your account").await;
    assert_eq!(text_of(&c, "p.notice[role='status']").await, "Your other sessions have been signed out.");
    assert_eq!(phone.get("/account").await.status, 303, "the phone is signed out");

    // Delete the account: first without the password, then with it.
    leave(&c).await;
    click_link(&c, "Delete your account").await;
    arrive(&c, "Delete your account").await;
    check_page(&c, "delete account").await;
    leave(&c).await;
    click(&c, "main form button[type='submit']").await;
    arrive(&c, "Error: Delete your account").await;
    check_page(&c, "delete account with errors").await;
    assert!(text_of(&c, ".error-summary").await.contains("Enter your current password."));
    type_into(&c, "password", NEW_PASSWORD).await;
    leave(&c).await;
    click(&c, "main form button[type='submit']").await;
    arrive(&c, "Home").await;
    assert_eq!(text_of(&c, "p.notice[role='status']").await, "Your account and everything in it have been deleted.");
    assert_eq!(text_of(&c, "h1").await, "Steady yourself in the work of caring");
    check_page(&c, "home (account deleted)").await;
    assert!(!cookie_names(&c).await.contains(&SESSION_COOKIE.to_owned()));
    let email = Email::parse(EMAIL).unwrap();
    assert!(app.store.user_credentials(&email).await.unwrap().is_none(), "the account is gone from the store");

    // The error page a mistyped address leads to.
    c.goto(&format!("{}/no-such-page", app.base)).await.unwrap();
    check_page(&c, "not found").await;
}

// --- pages and keys --------------------------------------------------------------------------

/// Marks the current document so that `arrive` can tell when the next one has replaced it.
async fn leave(c: &Client) {
    c.execute("window.ballastLeaving = true;", vec![]).await.unwrap();
}

/// Waits until a new document (not the one `leave` marked) has loaded, and checks its title.
async fn arrive(c: &Client, title: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let ready =
            c.execute("return window.ballastLeaving !== true && document.readyState === 'complete';", vec![]).await;
        if matches!(ready, Ok(Value::Bool(true))) {
            break;
        }
        assert!(Instant::now() < deadline, "no new page arrived (expected {title:?}); last answer: {ready:?}");
        tokio::time::sleep(POLL).await;
    }
    assert_title(c, title).await;
}

async fn assert_title(c: &Client, title: &str) {
    let (url, actual) = (c.current_url().await.unwrap(), c.title().await.unwrap());
    if actual != format!("{title} · Ballast") {
        let main = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
        panic!("expected the page {title:?} but {url} is {actual:?}:\n{main}");
    }
}

async fn click(c: &Client, selector: &str) {
    find(c, selector).await.click().await.unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
}

async fn click_link(c: &Client, text: &str) {
    let link = c.find(Locator::LinkText(text)).await.unwrap_or_else(|e| panic!("no link {text:?}: {e}"));
    link.click().await.unwrap();
}

async fn find(c: &Client, selector: &str) -> Element {
    match c.find(Locator::Css(selector)).await {
        Ok(element) => element,
        Err(error) => panic!("no {selector} on {}: {error}", c.current_url().await.unwrap()),
    }
}

async fn text_of(c: &Client, selector: &str) -> String {
    find(c, selector).await.text().await.unwrap()
}

async fn value_of(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id)).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
}

/// Focuses the field with this id (as WebDriver does before typing) and types into it.
async fn type_into(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id)).await.unwrap().send_keys(text).await.unwrap();
    assert_focus(c, id).await;
}

/// Types into whatever has the focus: what a keyboard user's next keystrokes would reach.
async fn type_into_focused(c: &Client, text: &str) {
    c.active_element().await.unwrap().send_keys(text).await.unwrap();
}

/// Presses and releases one key, sent to the page rather than to an element.
async fn press(c: &Client, key: Key) {
    let key = char::from(key);
    let keys =
        KeyActions::new("keyboard".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    c.perform_actions(keys).await.unwrap();
}

async fn assert_focus(c: &Client, id: &str) {
    let active = c.active_element().await.unwrap();
    if active.attr("id").await.unwrap().as_deref() != Some(id) {
        panic!("expected the focus on #{id}, but it is on {}", active.html(false).await.unwrap());
    }
}

async fn cookie_names(c: &Client) -> Vec<String> {
    c.get_all_cookies().await.unwrap().iter().map(|cookie| cookie.name().to_owned()).collect()
}

// --- keyboard and CSP checks -----------------------------------------------------------------

/// From a fresh load, the first Tab reaches "Skip to main content" (and leaves it focused).
async fn skip_link_is_first_stop(c: &Client, page: &str) {
    press(c, Key::Tab).await;
    let active = c.active_element().await.unwrap();
    let href = active.attr("href").await.unwrap().unwrap_or_default();
    let text = active.text().await.unwrap();
    assert!(
        href.ends_with("#main") && text == "Skip to main content",
        "{page}: the first Tab stop is {}",
        active.html(false).await.unwrap()
    );
}

/// Activating the skip link (focused by `check_page`) moves the focus to `<main>`, so the next
/// Tab goes on inside it.
async fn skip_link_moves_focus_to_main(c: &Client) {
    let active = c.active_element().await.unwrap();
    assert_eq!(active.attr("class").await.unwrap().as_deref(), Some("skip-link"));
    press(c, Key::Enter).await;
    assert_focus(c, "main").await;
    press(c, Key::Tab).await;
    let inside = c.execute("return document.querySelector('main').contains(document.activeElement);", vec![]);
    assert_eq!(inside.await.unwrap(), Value::Bool(true), "the Tab after skipping stays in the main content");
}

async fn csp_refuses_inline_script(c: &Client) {
    let script = r#"
        const done = arguments[arguments.length - 1];
        window.ballastInlineRan = false;
        document.addEventListener('securitypolicyviolation',
            (e) => done({ directive: e.effectiveDirective, ran: window.ballastInlineRan }), { once: true });
        const inline = document.createElement('script');
        inline.textContent = 'window.ballastInlineRan = true;';
        document.head.appendChild(inline);
    "#;
    let answer = c.execute_async(script, vec![]).await.unwrap();
    assert_eq!(answer, json!({ "directive": "script-src-elem", "ran": false }), "the page's CSP is in force");
}

// --- accessibility -----------------------------------------------------------------------------

/// Runs axe-core on the current page and fails with a readable list of violations, then checks
/// that the first Tab reaches the skip link.
async fn check_page(c: &Client, page: &str) {
    c.execute(
        "window.ballastCsp = []; document.addEventListener('securitypolicyviolation', \
         (e) => window.ballastCsp.push(e.effectiveDirective + ' ' + e.blockedURI));",
        vec![],
    )
    .await
    .unwrap();
    c.execute(AXE, vec![]).await.unwrap_or_else(|e| panic!("{page}: injecting axe-core failed: {e}"));
    let run = r#"
        const [tags, done] = arguments;
        axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
            .then((results) => done({
                violations: results.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
                })),
                csp: window.ballastCsp,
            }))
            .catch((error) => done({ error: String(error) }));
    "#;
    let answer = c.execute_async(run, vec![json!(AXE_TAGS)]).await.unwrap_or_else(|e| panic!("{page}: axe: {e}"));
    assert!(answer.get("error").is_none(), "{page}: axe.run failed: {}", answer["error"]);
    assert_eq!(answer["csp"], json!([]), "{page}: running axe tripped the page's CSP");
    let violations = answer["violations"].as_array().expect("axe answers with a list of violations");
    if !violations.is_empty() {
        let url = c.current_url().await.unwrap();
        panic!("{page} ({url}): axe found {} accessibility problem(s):\n{}", violations.len(), describe(violations));
    }
    skip_link_is_first_stop(c, page).await;
}

fn describe(violations: &[Value]) -> String {
    let mut text = String::new();
    for violation in violations {
        let (id, impact, help, url) =
            (&violation["id"], &violation["impact"], &violation["help"], &violation["helpUrl"]);
        text.push_str(&format!("- {} ({}): {} <{}>\n", str_of(id), str_of(impact), str_of(help), str_of(url)));
        for node in violation["nodes"].as_array().into_iter().flatten() {
            let summary = str_of(&node["summary"]).replace('\n', "\n      ");
            text.push_str(&format!("    on {}\n      {summary}\n", str_of(&node["target"])));
        }
    }
    text
}

fn str_of(value: &Value) -> &str {
    value.as_str().unwrap_or("?")
}

// --- chromedriver ------------------------------------------------------------------------------

/// Where chromedriver is, or `None` (after saying so) when the test should be skipped.
fn chromedriver_or_skip() -> Option<PathBuf> {
    let path =
        std::env::var_os("BALLAST_CHROMEDRIVER").map_or_else(|| PathBuf::from("/usr/bin/chromedriver"), PathBuf::from);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var("BALLAST_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "BALLAST_REQUIRE_BROWSER=1 but there is no chromedriver at {} \
         (apt-get install chromium chromium-driver, or set BALLAST_CHROMEDRIVER)",
        path.display()
    );
    writeln!(
        std::io::stderr(),
        "skipped: browser test, no chromedriver at {} (apt-get install chromium chromium-driver, \
         or set BALLAST_CHROMEDRIVER; BALLAST_REQUIRE_BROWSER=1 makes this a failure)",
        path.display()
    )
    .ok();
    None
}

/// A chromedriver process of our own, on a free port, stopped when dropped (panics included).
struct ChromeDriver {
    child: Child,
    url: String,
    /// Chromium's profile and chromedriver's output, removed after the process is gone.
    folder: tempfile::TempDir,
}

impl ChromeDriver {
    async fn start(path: &Path) -> ChromeDriver {
        let folder = tempfile::tempdir().unwrap();
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let log = std::fs::File::create(folder.path().join("chromedriver.log")).unwrap();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", path.display()));
        let mut driver = ChromeDriver { child, url: format!("http://127.0.0.1:{port}"), folder };
        driver.wait_until_ready().await;
        driver
    }

    async fn wait_until_ready(&mut self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("chromedriver exited ({status}) before it was ready:\n{}", self.output());
            }
            if let Ok(response) = http.get(format!("{}/status", self.url)).send().await
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == Value::Bool(true)
            {
                return;
            }
            assert!(Instant::now() < deadline, "chromedriver was not ready after {PATIENCE:?}:\n{}", self.output());
            tokio::time::sleep(POLL).await;
        }
    }

    async fn new_session(&self) -> Client {
        let profile = self.folder.path().join("profile");
        let mut options = json!({
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        });
        if let Some(binary) = std::env::var_os("BALLAST_CHROMIUM") {
            options["binary"] = json!(binary.to_string_lossy());
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("starting Chromium through chromedriver failed: {e}\n{}", self.output()))
    }

    fn output(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("chromedriver.log")).unwrap_or_default()
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
