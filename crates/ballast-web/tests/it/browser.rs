//! Browser tests: headless Chromium, driven through chromedriver, walks the account, assessment,
//! own-words and administration journeys the way a person would — by keyboard for registering,
//! signing in and correcting forms, by clicking elsewhere — and axe-core checks every page it
//! reaches against WCAG 2.2 AA and axe's best practices.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without chromedriver the test says on stderr
//! that it was skipped, unless `BALLAST_REQUIRE_BROWSER=1` (CI sets it), which makes that a
//! failure. `BALLAST_CHROMEDRIVER` names another chromedriver, `BALLAST_CHROMIUM` another browser.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ballast_core::Email;
use ballast_core::instrument::{Instrument, parse_word};
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
    in_browser(account_journey).await;
}

#[tokio::test]
async fn taking_an_assessment_by_keyboard_is_accessible_and_saves_as_you_go() {
    in_browser(assessment_journey).await;
}

#[tokio::test]
async fn own_words_and_administration_in_a_browser_are_keyboard_friendly_and_accessible() {
    in_browser(words_and_administration_journey).await;
}

#[tokio::test]
async fn checking_in_by_keyboard_shows_on_the_dashboard_and_is_accessible() {
    in_browser(check_in_journey).await;
}

#[tokio::test]
async fn writing_a_contract_and_reviewing_it_is_accessible() {
    in_browser(contract_journey).await;
}

#[tokio::test]
async fn writing_in_the_private_journal_is_keyboard_friendly_and_accessible() {
    in_browser(journal_journey).await;
}

#[tokio::test]
async fn setting_reminders_and_a_calendar_address_by_keyboard_is_accessible() {
    in_browser(reminders_journey).await;
}

#[tokio::test]
async fn importing_a_calendar_tagging_and_seeing_flags_is_accessible() {
    in_browser(exposure_journey).await;
}

#[tokio::test]
async fn the_rescue_kit_timer_runs_by_keyboard_and_every_kit_page_is_accessible() {
    in_browser(kit_journey).await;
}

/// Starts chromedriver, a browser session and the app, runs `journey`, and always closes the
/// browser, even when the journey panics.
async fn in_browser<J, F>(journey: J)
where
    J: FnOnce(Client, TestApp) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let Some(path) = chromedriver_or_skip() else { return };
    let driver = ChromeDriver::start(&path).await;
    let client = driver.new_session().await;
    let app = spawn_app().await;
    // Run the journey as its own task so that, should it panic, the browser session is still
    // closed (which quits Chromium) before chromedriver is stopped and the panic goes on.
    let outcome = tokio::spawn(journey(client.clone(), app)).await;
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
    let email_problem = "Enter an email address in the form name@example.org.";
    let password_problem = "Use at least 15 characters — a short phrase of a few words works well.";
    assert_eq!(summary_links(&c).await, [("email", email_problem), ("password", password_problem)].map(owned));
    for (field, problem) in [("email", email_problem), ("password", password_problem)] {
        assert_field_error(&c, field, problem).await;
    }
    assert_eq!(value_of(&c, "email").await, "robin.hale@", "what was typed is kept");
    assert_eq!(value_of(&c, "password").await, "", "a password is never sent back");

    // Following the summary's first link by keyboard lands in the email field; fix it there.
    find(&c, ".error-summary li a").await.send_keys(&Key::Enter.to_string()).await.unwrap();
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

// --- taking an assessment ----------------------------------------------------------------------

const ASSESSOR: &str = "sam.okafor@example.org";
/// The answers typed into ProQOL 5, question by question (1 is "Never", 5 "Very Often"). They
/// score compassion satisfaction 46 (High), burnout 15 (Low; questions 1, 4, 15, 17 and 29
/// count in reverse) and secondary traumatic stress 28 (Moderate, below the support prompt).
const PROQOL: [u8; 30] = [5, 2, 5, 5, 2, 4, 3, 2, 4, 1, 3, 5, 2, 3, 4, 5, 5, 4, 2, 5, 1, 4, 3, 5, 4, 2, 5, 2, 4, 4];
/// The question deliberately passed over the first time.
const LEFT_OUT: usize = 12;
const SAVED: &str = "Your answers are saved as you go.";

async fn assessment_journey(c: Client, app: TestApp) {
    register(&c, &app, ASSESSOR).await;

    leave(&c).await;
    click(&c, ".site-nav a[href='/assessments']").await;
    arrive(&c, "Assessments").await;
    check_page(&c, "assessments").await;
    let card = text_of(&c, ".card-list .card:has(a[href='/assessments/proqol5'])").await;
    assert!(card.contains("30 questions") && card.contains("Not taken yet"), "{card}");

    leave(&c).await;
    click_link(&c, "ProQOL 5").await;
    arrive(&c, "ProQOL 5").await;
    assert_eq!(text_of(&c, "#progress-label").await, "0 of 30 answered");
    check_page(&c, "take ProQOL 5").await;

    // From the skip link into the form: the first Tab stop in <main> is question 1. Answer
    // three questions, each saved by the page's script; after a reload they are still chosen,
    // and after a new visit too (which shows they came from the server, not from the browser
    // restoring the form; it also starts the focus at the top again, where after the reload
    // it may or may not start from the "#main" the skip link left in the address).
    skip_to_main(&c).await;
    for n in 1..=3 {
        answer_and_wait_until_saved(&c, n).await;
    }
    assert_eq!(text_of(&c, "#progress-label").await, "3 of 30 answered");
    assert_eq!(c.execute("return document.querySelector('progress').value", vec![]).await.unwrap(), json!(3));
    leave(&c).await;
    c.refresh().await.unwrap();
    arrive(&c, "ProQOL 5").await;
    assert_eq!(checked_answers(&c).await, expected_answers(1..=3), "the answers survive a reload");
    leave(&c).await;
    c.goto(&format!("{}/assessments/proqol5", app.base)).await.unwrap();
    arrive(&c, "ProQOL 5").await;
    assert_eq!(checked_answers(&c).await, expected_answers(1..=3), "the autosaved answers are kept");
    assert_eq!(text_of(&c, "#progress-label").await, "3 of 30 answered");

    // By keyboard again: Tab reaches the chosen radio of question 1, and each further Tab the
    // next question (a radio group is one Tab stop). Pass over one question.
    skip_link_is_first_stop(&c, "take ProQOL 5 (loaded again)").await;
    skip_to_main(&c).await;
    press(&c, Key::Tab).await;
    assert_focused_radio(&c, 1, PROQOL[0], true).await;
    for n in 2..=3 {
        press(&c, Key::Tab).await;
        assert_focused_radio(&c, n, PROQOL[n - 1], true).await;
    }
    for n in 4..=30 {
        if n == LEFT_OUT {
            press(&c, Key::Tab).await;
            assert_focused_radio(&c, n, 1, false).await;
        } else {
            answer(&c, n).await;
        }
    }
    assert_eq!(text_of(&c, "#progress-label").await, "29 of 30 answered");
    press(&c, Key::Tab).await;
    assert_focused_button(&c, "Finish and see my result").await;
    leave(&c).await;
    press(&c, Key::Enter).await;

    // The gap is named in the error summary, which links to the question.
    arrive(&c, "Error: ProQOL 5").await;
    check_page(&c, "take ProQOL 5 with an error").await;
    let all_but_one: Vec<_> = (1..=30).filter(|&n| n != LEFT_OUT).collect();
    assert_eq!(checked_answers(&c).await, expected_answers(all_but_one), "every answer is kept");
    let gap = format!("q{LEFT_OUT}");
    let problem = format!("Please answer question {LEFT_OUT}.");
    let mut listed = Vec::new();
    for link in find(&c, ".error-summary[role='alert']").await.find_all(Locator::Css("li a")).await.unwrap() {
        let target = link.attr("href").await.unwrap().unwrap_or_default();
        listed.push((target, link.text().await.unwrap()));
    }
    assert_eq!(listed, [(format!("#{gap}"), problem.clone())]);
    assert!(text_of(&c, &format!("#{gap}-error")).await.contains(&problem));
    let question = find(&c, &format!("fieldset#{gap}")).await;
    assert_eq!(question.attr("aria-describedby").await.unwrap(), Some(format!("{gap}-error")));

    // By keyboard: the summary's link is the first stop in <main>; following it puts the focus
    // on the question, and the next Tab on its first option.
    skip_to_main(&c).await;
    press(&c, Key::Tab).await;
    let link = focused(&c).await;
    assert_eq!((link["tag"].as_str(), link["text"].as_str()), (Some("a"), Some(problem.as_str())), "{link}");
    press(&c, Key::Enter).await;
    assert_focus(&c, &gap).await;
    press(&c, Key::Tab).await;
    assert_focused_radio(&c, LEFT_OUT, 1, false).await;
    choose_and_wait_until_saved(&c, LEFT_OUT).await;
    assert_eq!(text_of(&c, "#progress-label").await, "30 of 30 answered");
    for n in LEFT_OUT + 1..=30 {
        press(&c, Key::Tab).await;
        assert_focused_radio(&c, n, PROQOL[n - 1], true).await;
    }
    press(&c, Key::Tab).await;
    assert_focused_button(&c, "Finish and see my result").await;
    leave(&c).await;
    press(&c, Key::Enter).await;

    // The result: three scales, each with its score and band, and the authors' attribution.
    arrive(&c, "Your ProQOL 5 result").await;
    check_page(&c, "ProQOL 5 result").await;
    let mut scales = Vec::new();
    for section in c.find_all(Locator::Css("section.scale-result")).await.unwrap() {
        let title = section.find(Locator::Css("h2")).await.unwrap().text().await.unwrap();
        let score = section.find(Locator::Css(".score")).await.unwrap().text().await.unwrap();
        scales.push(format!("{title}: {score}"));
    }
    assert_eq!(
        scales,
        [
            "Compassion satisfaction: 46 out of a possible 10–50 · High",
            "Burnout: 15 out of a possible 10–50 · Low",
            "Secondary traumatic stress: 28 out of a possible 10–50 · Moderate",
        ]
    );
    let attribution = text_of(&c, ".attribution").await;
    assert!(attribution.contains("© B. Hudnall Stamm") && attribution.contains("www.ProQOL.org"), "{attribution}");
    assert!(c.find(Locator::Css(".support-callout")).await.is_err(), "no support prompt for these answers");

    // History: a chart per scale, and its data table behind a disclosure opened by keyboard.
    leave(&c).await;
    click_link(&c, "See how your results have changed over time").await;
    arrive(&c, "Your ProQOL 5 history").await;
    let charts = c.find_all(Locator::Css("figure svg.chart[role='img']")).await.unwrap();
    assert_eq!(charts.len(), 3, "one chart per scale");
    let chart = c
        .execute(
            "const svg = document.querySelector('svg.chart'); \
             const title = document.getElementById(svg.getAttribute('aria-labelledby').split(' ')[0]); \
             return { title: title.textContent, bands: svg.querySelectorAll('rect.band').length, \
                      points: svg.querySelectorAll('circle.point').length, \
                      band_fill: getComputedStyle(svg.querySelector('rect.band')).fill, \
                      point_fill: getComputedStyle(svg.querySelector('circle.point')).fill };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        (&chart["title"], &chart["bands"], &chart["points"]),
        (&json!("Compassion satisfaction"), &json!(3), &json!(1))
    );
    // Unstyled SVG fills black: the stylesheet must shade the bands lightly and the points darkly.
    assert_ne!(chart["band_fill"], json!("rgb(0, 0, 0)"), "{chart}");
    assert_ne!(chart["band_fill"], chart["point_fill"], "{chart}");
    skip_link_is_first_stop(&c, "ProQOL 5 history").await;
    skip_to_main(&c).await;
    for _ in 0..3 {
        press(&c, Key::Tab).await;
        let summary = focused(&c).await;
        assert_eq!(summary["tag"], json!("summary"), "{summary}");
        press(&c, Key::Enter).await;
    }
    let tables = c
        .execute(
            "return [...document.querySelectorAll('details')].map((d) => ({ open: d.open, \
             rows: [...d.querySelectorAll('table.data tbody tr')].map((r) => r.cells.length) }));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        tables,
        json!([{ "open": true, "rows": [3] }, { "open": true, "rows": [3] }, { "open": true, "rows": [3] }])
    );
    let first_row = text_of(&c, "details table.data tbody tr").await;
    assert!(first_row.ends_with("46 High"), "{first_row}");
    // (The first Tab stop was checked above, before the focus moved into the page.)
    run_axe(&c, "ProQOL 5 history (tables open)").await;

    leave(&c).await;
    click(&c, ".site-nav a[href='/support']").await;
    arrive(&c, "Support").await;
    check_page(&c, "support").await;
    assert!(text_of(&c, "main").await.contains("Nobody has been told."));
    assert!(!c.find_all(Locator::Css(".resource-list li h2")).await.unwrap().is_empty());

    // Finishing cleared the draft: the questionnaire starts afresh.
    c.goto(&format!("{}/assessments/proqol5", app.base)).await.unwrap();
    assert_title(&c, "ProQOL 5").await;
    assert_eq!(text_of(&c, "#progress-label").await, "0 of 30 answered");
    assert_eq!(checked_answers(&c).await, json!({}));
}

/// Activates the skip link (which has the focus) and checks that `<main>` has it now.
async fn skip_to_main(c: &Client) {
    press(c, Key::Enter).await;
    assert_focus(c, "main").await;
}

/// Tabs into question `n` (unanswered, so the Tab lands on its first option) and chooses its
/// answer from `PROQOL`.
async fn answer(c: &Client, n: usize) {
    let mut keys = vec![Key::Tab];
    keys.extend(keys_to_choose(PROQOL[n - 1]));
    press_all(c, &keys).await;
    assert_focused_radio(c, n, PROQOL[n - 1], true).await;
}

/// The keys that choose `value` from a group's first option, before anything is chosen:
/// Space takes the focused option; the arrows move and choose, wrapping round at the ends.
fn keys_to_choose(value: u8) -> Vec<Key> {
    match value {
        1 => vec![Key::Space],
        2 => vec![Key::Down],
        3 => vec![Key::Right, Key::Right],
        4 => vec![Key::Up, Key::Left],
        5 => vec![Key::Up],
        _ => unreachable!("ProQOL answers run from 1 to 5"),
    }
}

/// `answer`, then waits until the page's script says the answers were saved. The status is
/// emptied first, since the script only writes it when the text changes.
async fn answer_and_wait_until_saved(c: &Client, n: usize) {
    clear_save_status(c).await;
    answer(c, n).await;
    wait_until_saved(c).await;
}

/// Chooses the answer to question `n`, whose first option has the focus, and waits for the save.
async fn choose_and_wait_until_saved(c: &Client, n: usize) {
    clear_save_status(c).await;
    press_all(c, &keys_to_choose(PROQOL[n - 1])).await;
    assert_focused_radio(c, n, PROQOL[n - 1], true).await;
    wait_until_saved(c).await;
}

async fn clear_save_status(c: &Client) {
    c.execute("document.getElementById('save-status').textContent = '';", vec![]).await.unwrap();
}

async fn wait_until_saved(c: &Client) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let status = text_of(c, "#save-status").await;
        if status == SAVED {
            return;
        }
        assert!(status.is_empty(), "saving failed: {status:?}");
        assert!(Instant::now() < deadline, "the answers were not saved within {PATIENCE:?}");
        tokio::time::sleep(POLL).await;
    }
}

/// The chosen answers on the page, as `{"q1": "5", …}`.
async fn checked_answers(c: &Client) -> Value {
    let script = "return Object.fromEntries([...document.querySelectorAll('input[type=radio]:checked')] \
                  .map((r) => [r.name, r.value]));";
    c.execute(script, vec![]).await.unwrap()
}

fn expected_answers(questions: impl IntoIterator<Item = usize>) -> Value {
    questions.into_iter().map(|n| (format!("q{n}"), json!(PROQOL[n - 1].to_string()))).collect()
}

/// What has the focus, in brief.
async fn focused(c: &Client) -> Value {
    let script = "const e = document.activeElement; return { tag: e.tagName.toLowerCase(), id: e.id, \
                  type: e.type || '', name: e.name || '', value: e.value || '', checked: e.checked === true, \
                  text: e.textContent.trim().slice(0, 80) };";
    c.execute(script, vec![]).await.unwrap()
}

async fn assert_focused_radio(c: &Client, n: usize, value: u8, checked: bool) {
    let active = focused(c).await;
    let expected = json!({ "type": "radio", "name": format!("q{n}"), "value": value.to_string(), "checked": checked });
    let actual = json!({ "type": active["type"], "name": active["name"], "value": active["value"], "checked": active["checked"] });
    assert_eq!(actual, expected, "the focus is on {active}");
}

async fn assert_focused_button(c: &Client, text: &str) {
    let active = focused(c).await;
    assert_eq!((active["tag"].as_str(), active["text"].as_str()), (Some("button"), Some(text)), "{active}");
}

// --- daily check-in and insights -------------------------------------------------------------

const CHECKER: &str = "ines.moreau@example.org";
const OWN_SIGN: &str = "I stop returning my friends' calls";
const CHECK_IN_NOTE: &str = "Long day on the ward. Glad I stopped for tea.";

/// The radio or checkbox with the focus, by name and value, and whether it is ticked.
async fn assert_focused_choice(c: &Client, name: &str, value: &str, checked: bool) {
    let active = focused(c).await;
    let actual = json!({ "name": active["name"], "value": active["value"], "checked": active["checked"] });
    assert_eq!(actual, json!({ "name": name, "value": value, "checked": checked }), "the focus is on {active}");
}

async fn check_in_journey(c: Client, app: TestApp) {
    register(&c, &app, CHECKER).await;

    // Choose warning signs by keyboard: the first library sign, and one of their own.
    c.goto(&format!("{}/check-in/signs", app.base)).await.unwrap();
    arrive(&c, "Your warning signs").await;
    check_page(&c, "warning signs").await;
    skip_to_main(&c).await;
    press(&c, Key::Tab).await;
    assert_focused_choice(&c, "sign-numb", "on", false).await;
    press(&c, Key::Space).await;
    assert_focused_choice(&c, "sign-numb", "on", true).await;
    type_into(&c, "new", OWN_SIGN).await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Your warning signs").await;
    assert!(text_of(&c, "[role='status']").await.starts_with("Saved."));

    // The check-in, from the navigation, by keyboard only.
    leave(&c).await;
    click(&c, ".site-nav a[href='/check-in']").await;
    arrive(&c, "Today's check-in").await;
    check_page(&c, "check-in").await;
    skip_to_main(&c).await;
    // Energy: nothing chosen, so Tab lands on 0; four steps right choose 4.
    press(&c, Key::Tab).await;
    assert_focused_choice(&c, "energy", "0", false).await;
    press_all(&c, &[Key::Right, Key::Right, Key::Right, Key::Right]).await;
    assert_focused_choice(&c, "energy", "4", true).await;
    // Mood starts on "Skip"; six steps right choose 5.
    press(&c, Key::Tab).await;
    assert_focused_choice(&c, "mood", "", true).await;
    press_all(&c, &[Key::Right; 6]).await;
    assert_focused_choice(&c, "mood", "5", true).await;
    press(&c, Key::Tab).await;
    assert_focused_choice(&c, "sleep_quality", "", true).await;
    press(&c, Key::Tab).await;
    assert_focus(&c, "sleep_hours").await;
    type_into_focused(&c, "lots").await;
    // Empathy, dread and intrusive images are skipped; a headache is ticked.
    for name in ["empathy", "dread", "intrusive"] {
        press(&c, Key::Tab).await;
        assert_focused_choice(&c, name, "", true).await;
    }
    press(&c, Key::Tab).await;
    assert_focused_choice(&c, "physical-headache", "on", false).await;
    press(&c, Key::Space).await;
    for _ in 0..3 {
        press(&c, Key::Tab).await;
    }
    press(&c, Key::Tab).await;
    assert_focused_choice(&c, "sign-numb", "on", false).await;
    press(&c, Key::Space).await;
    press(&c, Key::Tab).await; // their own sign, left unticked
    press(&c, Key::Tab).await; // "Change which signs you watch for"
    press(&c, Key::Tab).await;
    assert_focus(&c, "restorer").await;
    type_into_focused(&c, "Tea in the garden").await;
    press(&c, Key::Tab).await;
    assert_focus(&c, "note").await;
    type_into_focused(&c, CHECK_IN_NOTE).await;
    // Then the day (today unless changed) and its hint's link to the time zone, then Save.
    press(&c, Key::Tab).await;
    assert_eq!(focused(&c).await["text"], json!("change"));
    press(&c, Key::Tab).await;
    assert_focus(&c, "day").await;
    for _ in 0..5 {
        if focused(&c).await["tag"] == json!("button") {
            break;
        }
        press(&c, Key::Tab).await; // the date's own parts: month, day, year, its picker
    }
    assert_focused_button(&c, "Save check-in").await;
    leave(&c).await;
    press(&c, Key::Enter).await;

    // "lots" of sleep is not a number: the summary says so, everything typed is still there.
    arrive(&c, "Error: Today's check-in").await;
    check_page(&c, "check-in with an error").await;
    assert_eq!(
        summary_links(&c).await,
        vec![owned(("sleep_hours", "Enter the hours you slept as a number from 0 to 24, such as 7 or 6.5."))]
    );
    assert_field_error(&c, "sleep_hours", "as a number from 0 to 24").await;
    assert_eq!(value_of(&c, "note").await, CHECK_IN_NOTE);
    assert_eq!(value_of(&c, "restorer").await, "Tea in the garden");
    let ticked = "return [...document.querySelectorAll('input:checked')].map((i) => i.name + '=' + i.value);";
    let ticked = c.execute(ticked, vec![]).await.unwrap();
    for kept in ["energy=4", "mood=5", "physical-headache=on", "sign-numb=on"] {
        assert!(ticked.as_array().unwrap().contains(&json!(kept)), "{kept} was lost: {ticked}");
    }
    follow_first_summary_link(
        &c,
        "Enter the hours you slept as a number from 0 to 24, such as 7 or 6.5.",
        "sleep_hours",
    )
    .await;
    press_all(&c, &[Key::End]).await;
    for _ in 0.."lots".len() {
        press(&c, Key::Backspace).await;
    }
    leave(&c).await;
    type_into_focused(&c, &format!("6.5{}", Key::Enter)).await;

    // Saved, and straight onto the dashboard.
    arrive(&c, "Your insights").await;
    check_page(&c, "insights").await;
    assert!(text_of(&c, "[role='status']").await.starts_with("Saved your check-in for"));
    assert!(text_of(&c, "main").await.contains("1 check-in from"));
    let energy_chart = c.execute("return document.getElementById('energy-desc').textContent;", vec![]).await.unwrap();
    let energy_chart = energy_chart.as_str().unwrap_or_default();
    assert!(energy_chart.starts_with("1 check-in between") && energy_chart.contains(": 4, on"), "{energy_chart}");
    let signs = texts_of(&c, ".sign-counts li").await;
    assert_eq!(signs.len(), 1, "{signs:?}");
    assert!(signs[0].contains("I go flat or numb") && signs[0].contains("1 of 1"), "{signs:?}");

    // The day in the calendar opens the check-in again, with the note.
    leave(&c).await;
    click(&c, ".calendar td.day:not(.missing):not(.outside) a").await;
    arrive(&c, "Today's check-in").await;
    assert_eq!(value_of(&c, "note").await, CHECK_IN_NOTE);
    assert_eq!(value_of(&c, "sleep_hours").await, "6.5");

    // The year view and the time-zone page pass the same checks.
    c.goto(&format!("{}/insights?range=365", app.base)).await.unwrap();
    arrive(&c, "Your insights").await;
    check_page(&c, "insights over a year").await;
    c.goto(&format!("{}/account/time-zone", app.base)).await.unwrap();
    arrive(&c, "Your time zone").await;
    check_page(&c, "time zone").await;
}

// --- self-care contract ----------------------------------------------------------------------

const CONTRACTOR: &str = "ines.batista@example.org";

async fn contract_journey(c: Client, app: TestApp) {
    register(&c, &app, CONTRACTOR).await;
    leave(&c).await;
    click(&c, ".site-nav a[href='/contract']").await;
    arrive(&c, "Your self-care contract").await;
    check_page(&c, "contract, empty").await;

    // A goal by keyboard, with a date that has passed fixed from the error summary.
    leave(&c).await;
    click_link(&c, "Add a goal").await;
    arrive(&c, "Add a goal").await;
    check_page(&c, "add a goal").await;
    type_into(&c, "what", "Take a real lunch break").await;
    press(&c, Key::Tab).await;
    type_into_focused(&c, "Days a week").await;
    press(&c, Key::Tab).await;
    type_into_focused(&c, "Three every week").await;
    // The date field is left empty: the summary says so.
    type_into(&c, "why", "Afternoons go better").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Error: Add a goal").await;
    check_page(&c, "add a goal, with an error").await;
    assert_eq!(summary_links(&c).await, vec![owned(("due_on", "Choose a date to aim for."))]);
    assert_eq!(value_of(&c, "what").await, "Take a real lunch break", "what was typed is kept");
    let due = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(40))
        .unwrap();
    c.execute("document.getElementById('due_on').value = arguments[0];", vec![json!(due.to_string())]).await.unwrap();
    leave(&c).await;
    click(&c, "main form button[type='submit']").await;
    arrive(&c, "Your self-care contract").await;
    check_page(&c, "contract with a goal").await;
    assert_eq!(text_of(&c, "[role='status']").await, "Saved the goal.");

    // A person, progress, a plan for the warning signs.
    type_into(&c, "name", "Priya").await;
    click(&c, "input[name='partner']").await;
    leave(&c).await;
    click(&c, "form[action='/contract/people'] button").await;
    arrive(&c, "Your self-care contract").await;
    assert!(text_of(&c, ".people-list").await.contains("Priya (accountability partner)"));
    leave(&c).await;
    click_link(&c, "Take a real lunch break").await;
    arrive(&c, "A goal in your contract").await;
    check_page(&c, "a goal").await;
    type_into(&c, "percent", "30").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "A goal in your contract").await;
    assert!(text_of(&c, "main").await.contains("30%"));
    c.goto(&format!("{}/contract/plan", app.base)).await.unwrap();
    arrive(&c, "When my warning signs show").await;
    check_page(&c, "warning-sign plan").await;
    type_into(&c, "sign_plan", "Tell Priya and take the evening off.").await;
    leave(&c).await;
    click(&c, "main form button[type='submit']").await;
    arrive(&c, "Your self-care contract").await;

    // A recovery phase and a review.
    c.goto(&format!("{}/contract/phase", app.base)).await.unwrap();
    arrive(&c, "Recovery phase").await;
    check_page(&c, "recovery phase").await;
    click(&c, "input[name='phase'][value='rest']").await;
    leave(&c).await;
    click(&c, "main form button[type='submit']").await;
    arrive(&c, "Your self-care contract").await;
    check_page(&c, "contract in a phase").await;
    leave(&c).await;
    click_link(&c, "Review now").await;
    arrive(&c, "Review your contract").await;
    check_page(&c, "review").await;
    type_into(&c, "reflection", "A steadier month than the last.").await;
    leave(&c).await;
    click(&c, "main form button[type='submit']").await;
    arrive(&c, "Your self-care contract").await;
    check_page(&c, "contract after a review").await;
    assert!(text_of(&c, ".review-story").await.contains("A steadier month than the last."));
    c.goto(&format!("{}/contract/print", app.base)).await.unwrap();
    arrive(&c, "My self-care contract").await;
    check_page(&c, "printable contract").await;
}

// --- private journal -------------------------------------------------------------------------

const JOURNALER: &str = "wren.adeyemi@example.org";
const JOURNAL_ENTRY: &str = "The Thursday visit stayed with me. I walked home the long way.";

async fn journal_journey(c: Client, app: TestApp) {
    register(&c, &app, JOURNALER).await;
    leave(&c).await;
    click(&c, ".site-nav a[href='/journal']").await;
    arrive(&c, "Your journal").await;
    check_page(&c, "journal, not started").await;
    assert!(text_of(&c, "main").await.contains("the entries are lost"));

    // Forgetting the box is caught; then the journal starts and shows its recovery key once.
    type_into(&c, "password", PASSWORD).await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Error: Your journal").await;
    check_page(&c, "journal start with an error").await;
    click(&c, "#understood").await;
    type_into(&c, "password", PASSWORD).await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Your recovery key").await;
    check_page(&c, "recovery key").await;
    let recovery_key = text_of(&c, "#recovery-key").await;
    assert_eq!(recovery_key.len(), 39, "{recovery_key}");

    // Write by keyboard: a prompt, the text; the script keeps a draft as it goes.
    leave(&c).await;
    click_link(&c, "I have saved it — write my first entry").await;
    arrive(&c, "Write in your journal").await;
    check_page(&c, "writing").await;
    skip_to_main(&c).await;
    press(&c, Key::Tab).await;
    assert_focused_choice(&c, "prompt", "", true).await;
    press(&c, Key::Right).await;
    assert_focused_choice(&c, "prompt", "stayed", true).await;
    press(&c, Key::Tab).await;
    assert_focus(&c, "body").await;
    type_into_focused(&c, JOURNAL_ENTRY).await;
    let deadline = Instant::now() + PATIENCE;
    while text_of(&c, "#draft-status").await != "Draft saved." {
        assert!(Instant::now() < deadline, "no draft was saved");
        tokio::time::sleep(POLL).await;
    }
    press(&c, Key::Tab).await;
    assert_focused_button(&c, "Save entry").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Journal entry").await;
    check_page(&c, "an entry").await;
    assert_eq!(text_of(&c, "[role='status']").await, "Saved your entry.");
    assert_eq!(text_of(&c, ".journal-text").await, JOURNAL_ENTRY);

    // Search, then lock.
    c.goto(&format!("{}/journal", app.base)).await.unwrap();
    arrive(&c, "Your journal").await;
    check_page(&c, "journal, open").await;
    type_into(&c, "q", "thursday").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Your journal").await;
    check_page(&c, "journal search").await;
    assert!(text_of(&c, ".journal-entries").await.contains("The Thursday visit stayed with me."));
    leave(&c).await;
    click(&c, "form[action='/journal/lock'] button").await;
    arrive(&c, "Your journal").await;
    check_page(&c, "journal, locked").await;
    c.goto(&format!("{}/journal/recover", app.base)).await.unwrap();
    arrive(&c, "Open your journal with the recovery key").await;
    check_page(&c, "journal recovery").await;
}

// --- rescue kit ------------------------------------------------------------------------------

const KIT_USER: &str = "noor.haddad@example.org";
const KIT_STATEMENT: &str = "I am allowed to find this hard and still be good at it.";

/// What the timer said through its live region, in order, since `listen_to_timer`.
async fn timer_said(c: &Client) -> Vec<String> {
    let said = c.execute("return window.ballastSaid;", vec![]).await.unwrap();
    serde_json::from_value(said).unwrap()
}

/// Records every announcement of the timer's live region, and runs the page's clock twenty
/// times faster: the script asks `window.setTimeout` for each tick, so a 64-second practice
/// takes a little over three seconds here.
async fn listen_to_timer(c: &Client) {
    c.execute(
        "window.ballastSaid = []; \
         const region = document.getElementById('kit-now'); \
         new MutationObserver(() => window.ballastSaid.push(region.textContent)) \
             .observe(region, { childList: true, characterData: true, subtree: true }); \
         const slow = window.setTimeout.bind(window); \
         window.setTimeout = (f, ms) => slow(f, ms / 20);",
        vec![],
    )
    .await
    .unwrap();
}

async fn kit_journey(c: Client, app: TestApp) {
    register(&c, &app, KIT_USER).await;
    leave(&c).await;
    click(&c, ".site-nav a[href='/kit']").await;
    arrive(&c, "Your rescue kit").await;
    check_page(&c, "rescue kit, empty").await;

    // A statement: an empty one is caught, then theirs is kept at the top.
    leave(&c).await;
    click(&c, "form[action='/kit/statements'] button").await;
    arrive(&c, "Error: Your rescue kit").await;
    check_page(&c, "rescue kit with an error").await;
    assert_eq!(summary_links(&c).await, [owned(("statement", "Write your statement first — a few words are enough."))]);
    assert_field_error(&c, "statement", "Write your statement first").await;
    type_into(&c, "statement", KIT_STATEMENT).await;
    press(&c, Key::Tab).await;
    assert_focused_button(&c, "Add statement").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Your rescue kit").await;
    check_page(&c, "rescue kit with a statement").await;
    assert_eq!(text_of(&c, "[role='status']").await, "Added your statement.");
    assert_eq!(text_of(&c, ".kit-statement").await, KIT_STATEMENT);

    // A practice with the timer, by keyboard: start, pause in the second round, carry on, and
    // the end presses "I did this".
    leave(&c).await;
    click_link(&c, "Box breathing").await;
    arrive(&c, "Box breathing").await;
    check_page(&c, "a practice").await;
    assert!(find(&c, "#kit-timer").await.is_displayed().await.unwrap(), "the script shows the timer");
    listen_to_timer(&c).await;
    skip_to_main(&c).await;
    press(&c, Key::Tab).await;
    assert_focused_button(&c, "Start the timer").await;
    press(&c, Key::Enter).await;
    let deadline = Instant::now() + PATIENCE;
    while !text_of(&c, "#kit-count").await.starts_with("Round 2 of 4") {
        assert!(Instant::now() < deadline, "the timer never reached the second round");
        tokio::time::sleep(POLL).await;
    }
    press(&c, Key::Enter).await;
    assert_focused_button(&c, "Resume").await;
    let said = timer_said(&c).await;
    assert_eq!(
        said[..5],
        [
            "Round 1 of 4. Breathe in through your nose for a count of 4.",
            "Round 1 of 4. Hold, softly, for a count of 4.",
            "Round 1 of 4. Breathe out through your mouth for a count of 4.",
            "Round 1 of 4. Rest with your lungs empty for a count of 4.",
            "Round 2 of 4. Breathe in, 4.",
        ]
    );
    assert_eq!(said.last().map(String::as_str), Some("Paused."));
    assert!(said.len() <= 10, "once per step, not every second: {said:?}");
    assert_eq!(texts_of(&c, ".kit-steps li[aria-current='step']").await.len(), 1, "the current step is marked");
    run_axe(&c, "a practice, paused").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Your rescue kit").await;
    check_page(&c, "rescue kit after a practice").await;
    assert!(text_of(&c, "[role='status']").await.starts_with("Noted: Box breathing."));

    // Reach out: a mistyped address is caught, then the links carry the message.
    leave(&c).await;
    click_link(&c, "Choose who to reach out to").await;
    arrive(&c, "Who you reach out to").await;
    check_page(&c, "reach-out form").await;
    assert_eq!(value_of(&c, "message").await, "Rough day — got five minutes?");
    type_into(&c, "name", "Ana").await;
    type_into(&c, "email", "ana@example").await;
    type_into(&c, "phone", "+44 7700 900123").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Error: Who you reach out to").await;
    check_page(&c, "reach-out form with an error").await;
    assert_field_error(&c, "email", "Enter an email address in the form name@example.org.").await;
    assert_eq!(value_of(&c, "phone").await, "+44 7700 900123", "what was typed stays");
    find(&c, "#email").await.clear().await.unwrap();
    type_into(&c, "email", "ana@example.org").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Your rescue kit").await;
    check_page(&c, "rescue kit with reach-out").await;
    let body = "?body=Rough%20day%20%E2%80%94%20got%20five%20minutes%3F";
    let href = |id: &'static str| {
        let c = c.clone();
        async move { find(&c, id).await.attr("href").await.unwrap().unwrap_or_default() }
    };
    assert_eq!(href("#reach-out-sms").await, format!("sms:+447700900123{body}"));
    assert_eq!(href("#reach-out-email").await, format!("mailto:ana@example.org{body}"));
    leave(&c).await;
    click(&c, "form[action='/kit/reach-out/used'] button").await;
    arrive(&c, "Your rescue kit").await;
    assert!(text_of(&c, "[role='status']").await.starts_with("Noted that you reached out."));

    // Both uses show on insights.
    leave(&c).await;
    click(&c, ".site-nav a[href='/insights']").await;
    arrive(&c, "Your insights").await;
    check_page(&c, "insights with the rescue kit").await;
    let uses = texts_of(&c, ".kit-uses li").await;
    assert_eq!(uses, ["Box breathing: 1 time", "Reaching out: 1 time"]);
}

// --- reminders -------------------------------------------------------------------------------

const REMINDED: &str = "ola.berg@example.org";

async fn reminders_journey(c: Client, app: TestApp) {
    register(&c, &app, REMINDED).await;
    leave(&c).await;
    click(&c, ".site-nav a[href='/account']").await;
    arrive(&c, "Your account").await;
    leave(&c).await;
    click_link(&c, "Reminders").await;
    arrive(&c, "Reminders").await;
    check_page(&c, "reminders").await;
    assert!(text_of(&c, "#email-off").await.contains("This server does not send email"));

    // A mistyped time is caught and fixed from the error summary, all by keyboard.
    type_into(&c, "check_in_at", "8.30").await;
    press(&c, Key::Tab).await;
    assert_focus(&c, "self_care_at").await;
    leave(&c).await;
    type_into_focused(&c, &format!("12:30{}", Key::Enter)).await;
    arrive(&c, "Error: Reminders").await;
    check_page(&c, "reminders with an error").await;
    assert_eq!(value_of(&c, "self_care_at").await, "12:30", "what was typed is kept");
    // `focused` reports a link's first 80 characters.
    let problem = "Check-in reminder: Enter a time as hours and minutes on the 24-hour clock, such ";
    follow_first_summary_link(&c, problem, "check_in_at").await;
    press_all(&c, &[Key::End, Key::Backspace, Key::Backspace, Key::Backspace, Key::Backspace]).await;
    leave(&c).await;
    type_into_focused(&c, &format!("8:30{}", Key::Enter)).await;
    arrive(&c, "Reminders").await;
    check_page(&c, "reminders saved").await;
    assert_eq!(text_of(&c, "[role='status']").await, "Saved your reminders.");
    assert_eq!(value_of(&c, "check_in_at").await, "08:30");

    // The calendar address: made, shown once, then renewed.
    let make = find(&c, "form[action='/account/reminders/feed'] button").await;
    assert_eq!(make.text().await.unwrap(), "Make my calendar address");
    leave(&c).await;
    make.send_keys(&Key::Enter.to_string()).await.unwrap();
    arrive(&c, "Reminders").await;
    check_page(&c, "calendar address shown").await;
    let first = text_of(&c, "#feed-url").await;
    assert!(first.starts_with(&format!("{}/calendar/", app.base)) && first.ends_with(".ics"), "{first}");
    let feed = reqwest::get(&first).await.unwrap();
    assert_eq!(feed.status(), 200);
    assert!(feed.text().await.unwrap().contains("RRULE:FREQ=DAILY"));

    let renew = find(&c, "form[action='/account/reminders/feed'] button").await;
    assert_eq!(renew.text().await.unwrap(), "Get a new calendar address");
    leave(&c).await;
    renew.send_keys(&Key::Enter.to_string()).await.unwrap();
    arrive(&c, "Reminders").await;
    check_page(&c, "calendar address renewed").await;
    let second = text_of(&c, "#feed-url").await;
    assert_ne!(second, first);
    assert_eq!(reqwest::get(&first).await.unwrap().status(), 404, "the old address ends");
    assert_eq!(reqwest::get(&second).await.unwrap().status(), 200);
}

// --- exposure and pacing ---------------------------------------------------------------------

const PACER: &str = "sam.okafor@example.org";

/// Ticks, by keyboard, the checkboxes on the page whose labels contain `text` (or all of
/// them), starting from the skip link (where `check_page` leaves the focus); leaves the focus
/// on the last checkbox.
async fn tick_by_keyboard(c: &Client, text: Option<&str>) -> usize {
    skip_to_main(c).await;
    let boxes = c.find_all(Locator::Css("input[type='checkbox']")).await.unwrap().len();
    let mut ticked = 0;
    for _ in 0..boxes {
        press(c, Key::Tab).await;
        let label = c
            .execute(
                "const e = document.activeElement; return e.type + ' ' + (e.closest('label') || {}).textContent;",
                vec![],
            )
            .await
            .unwrap();
        let label = label.as_str().unwrap_or_default().to_owned();
        assert!(label.starts_with("checkbox "), "the Tab order reaches each session in turn: {label}");
        if text.is_none_or(|text| label.contains(text)) {
            press(c, Key::Space).await;
            ticked += 1;
        }
    }
    ticked
}

/// From the last ticked session: the intensity radios (Routine first, then one step right
/// per step given), then the two selects, then the submit button.
async fn choose_intensity_and_submit(c: &Client, steps_right: usize) {
    press(c, Key::Tab).await;
    assert_focused_choice(c, "intensity", "routine", false).await;
    if steps_right == 0 {
        press(c, Key::Space).await;
    } else {
        press_all(c, &vec![Key::Right; steps_right]).await;
    }
    press_all(c, &[Key::Tab, Key::Tab, Key::Tab]).await;
    assert_focused_button(c, "Tag the ticked sessions").await;
    leave(c).await;
    press(c, Key::Enter).await;
}

async fn exposure_journey(c: Client, app: TestApp) {
    register(&c, &app, PACER).await;
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let day = today.checked_sub(jiff::Span::new().days(3)).unwrap();
    let monday = |d: jiff::civil::Date| {
        d.checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset()))).unwrap()
    };

    // From the navigation to this week, empty.
    leave(&c).await;
    click(&c, ".site-nav a[href='/exposure']").await;
    arrive(&c, &format!("Week of {}", monday(today).strftime("%-d %B %Y"))).await;
    check_page(&c, "an empty week").await;
    assert!(text_of(&c, "main").await.contains("No sessions recorded yet"));

    // Import a calendar file through the file picker.
    leave(&c).await;
    click_link(&c, "Import a calendar").await;
    arrive(&c, "Import a calendar").await;
    check_page(&c, "import").await;
    let mut file = tempfile::Builder::new().suffix(".ics").tempfile().unwrap();
    file.write_all(crate::exposure::work_calendar(day).as_bytes()).unwrap();
    find(&c, "#calendar").await.send_keys(&file.path().display().to_string()).await.unwrap();
    leave(&c).await;
    click(&c, "main button[type='submit']").await;
    arrive(&c, "Import a calendar").await;
    check_page(&c, "import done").await;
    assert!(text_of(&c, "[role='status']").await.starts_with("Imported 9 new sessions."));

    // Tag the five sessions of that day as heavy, by keyboard, then the rest as routine.
    leave(&c).await;
    click_link(&c, "Tag their intensity now").await;
    arrive(&c, "Tag imported sessions").await;
    check_page(&c, "tagging").await;
    let long_day = day.strftime("%A %-d %B %Y").to_string();
    assert_eq!(tick_by_keyboard(&c, Some(&long_day)).await, 5);
    choose_intensity_and_submit(&c, 1).await;
    arrive(&c, "Tag imported sessions").await;
    check_page(&c, "tagging, one round done").await;
    assert_eq!(text_of(&c, "[role='status']").await, "Tagged 5 sessions.");
    assert_eq!(tick_by_keyboard(&c, None).await, 4);
    choose_intensity_and_submit(&c, 0).await;
    arrive(&c, "Tag imported sessions").await;
    assert_eq!(text_of(&c, "[role='status']").await, "Tagged 4 sessions.");
    assert!(text_of(&c, "main").await.contains("Every session from the last three months"));

    // That week's flags, and the day behind them.
    c.goto(&format!("{}/exposure?week={day}", app.base)).await.unwrap();
    arrive(&c, &format!("Week of {}", monday(day).strftime("%-d %B %Y"))).await;
    check_page(&c, "a week with flags").await;
    let flags = texts_of(&c, ".flags li").await.join("\n");
    for flag in ["Back to back", "No break", "Heavy content over your limit", "Outside your hours"] {
        assert!(flags.contains(flag), "{flag} is missing from:\n{flags}");
    }
    assert_eq!(text_of(&c, ".day-off h2").await, "Yesterday was a day off");
    let description = c.execute("return document.getElementById('week-desc').textContent;", vec![]).await.unwrap();
    assert!(description.as_str().unwrap_or_default().contains("session"), "{description}");
    leave(&c).await;
    click(&c, ".flags a").await;
    arrive(&c, &long_day).await;
    check_page(&c, "a day").await;
    let entries = texts_of(&c, ".day-timeline li").await;
    assert!(entries.iter().any(|e| e.contains("A gap of 5 min — shorter than")), "{entries:?}");

    // Record a session by hand: a mistake first, fixed from the error summary.
    c.goto(&format!("{}/exposure?week={day}", app.base)).await.unwrap();
    arrive(&c, &format!("Week of {}", monday(day).strftime("%-d %B %Y"))).await;
    leave(&c).await;
    click_link(&c, "Record a session").await;
    arrive(&c, "Record a session").await;
    check_page(&c, "record a session").await;
    type_into(&c, "start", "0700AM").await;
    assert_eq!(value_of(&c, "start").await, "07:00");
    find(&c, "#minutes").await.clear().await.unwrap();
    type_into(&c, "minutes", "half an hour").await;
    click(&c, "input[name='kind'][value='crisis']").await;
    leave(&c).await;
    click(&c, "main button[type='submit']").await;
    arrive(&c, "Error: Record a session").await;
    check_page(&c, "record a session with errors").await;
    let problems: Vec<String> = summary_links(&c).await.into_iter().map(|(id, _)| id).collect();
    assert_eq!(problems, ["minutes", "intensity"]);
    assert_eq!(value_of(&c, "start").await, "07:00", "what was typed is kept");
    follow_first_summary_link(&c, "Enter how long it lasted, in minutes, from 1 to 1440 (a whole day).", "minutes")
        .await;
    find(&c, "#minutes").await.clear().await.unwrap();
    type_into(&c, "minutes", "30").await;
    click(&c, "input[name='intensity'][value='traumatic']").await;
    leave(&c).await;
    click(&c, "main button[type='submit']").await;
    arrive(&c, &today.strftime("%A %-d %B %Y").to_string()).await;
    check_page(&c, "the day with the new session").await;
    assert_eq!(text_of(&c, "[role='status']").await, "Saved the session.");
    assert!(texts_of(&c, ".day-timeline li").await.iter().any(|e| e.starts_with("07:00–07:30 · Crisis work")));

    // Log a critical incident in a few clicks; its checks are not due yet.
    c.goto(&format!("{}/incidents", app.base)).await.unwrap();
    arrive(&c, "Critical incidents").await;
    check_page(&c, "incidents").await;
    click(&c, "input[name='kind'][value='violence_against_me']").await;
    click(&c, "input[name='role'][value='involved']").await;
    click(&c, "input[name='support-colleague']").await;
    leave(&c).await;
    click(&c, "main button[type='submit']").await;
    let incident_title = format!("Violence or a threat against me — {}", today.strftime("%A %-d %B %Y"));
    arrive(&c, &incident_title).await;
    check_page(&c, "an incident").await;
    assert!(text_of(&c, "[role='status']").await.starts_with("Logged."));
    let incident = c.current_url().await.unwrap().path().to_owned();
    c.goto(&format!("{}{incident}/follow-up/next_day", app.base)).await.unwrap();
    arrive(&c, "The next day check: violence or a threat against me").await;
    check_page(&c, "a follow-up").await;
    click(&c, "input[name='still_with_me'][value='sometimes']").await;
    leave(&c).await;
    click(&c, "main button[type='submit']").await;
    arrive(&c, "Error: The next day check: violence or a threat against me").await;
    check_page(&c, "a follow-up that is not due").await;
    assert!(text_of(&c, ".error-summary").await.contains("it is not due yet"));

    // Pacing plan and the load on the insights page pass the same checks.
    c.goto(&format!("{}/exposure/plan", app.base)).await.unwrap();
    arrive(&c, "Your pacing plan").await;
    check_page(&c, "pacing plan").await;
    c.goto(&format!("{}/insights", app.base)).await.unwrap();
    arrive(&c, "Your insights").await;
    check_page(&c, "insights with the work load").await;
    assert!(text_of(&c, "main").await.contains("Your work load beside your check-ins"));
}

// --- own words and administration ------------------------------------------------------------

/// The first account on the instance, which makes it the administrator.
const ADMINISTRATOR: &str = "noor.haddad@example.org";
const MEMBER: &str = "lee.marsh@example.org";
/// What is first typed for `[helper]`: markup and punctuation are refused.
const BAD_WORD: &str = "n<u>rse!";
const LICENCE: &str = "Adapted for St Anne's Hospital staff, licence 12345";
const ADDED_TITLE: &str = "Team well-being (WHO-5)";
const ADDED_SHORT_TITLE: &str = "Team well-being";

async fn words_and_administration_journey(c: Client, app: TestApp) {
    register(&c, &app, ADMINISTRATOR).await;

    // Words for your work: a word that is refused first, then the fix, by keyboard.
    leave(&c).await;
    click(&c, ".site-nav a[href='/account']").await;
    arrive(&c, "Your account").await;
    leave(&c).await;
    click_link(&c, "Words for your work").await;
    arrive(&c, "Words for your work").await;
    check_page(&c, "words").await;
    for (token, default) in [("helper", "helper"), ("help", "help"), ("clients", "clients")] {
        let id = format!("word-{token}");
        assert_eq!(text_of(&c, &format!("label[for='{id}']")).await, format!("Instead of “{default}”"));
        assert_eq!(value_of(&c, &id).await, "", "#{id} starts empty");
    }
    assert_eq!(text_of(&c, "#word-helper-hint").await, "Used in ProQOL 5.");
    assert_eq!(text_of(&c, "#word-clients-hint").await, "Used in CBI.");
    type_into(&c, "word-help", "nurse").await;
    type_into(&c, "word-helper", BAD_WORD).await;
    type_into(&c, "word-clients", "patients").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Error: Words for your work").await;
    check_page(&c, "words with an error").await;
    let problem = parse_word(BAD_WORD).unwrap_err().to_string();
    assert_eq!(summary_links(&c).await, [owned(("word-helper", problem.as_str()))]);
    assert_field_error(&c, "word-helper", &problem).await;
    let help = find(&c, "#word-help").await;
    assert_eq!(help.attr("aria-invalid").await.unwrap(), None, "only the refused word is marked");
    for (id, typed) in [("word-helper", BAD_WORD), ("word-help", "nurse"), ("word-clients", "patients")] {
        assert_eq!(value_of(&c, id).await, typed, "what was typed in #{id} is kept");
    }
    follow_first_summary_link(&c, &problem, "word-helper").await;
    type_into_focused(&c, &format!("{}a{}nurse", Key::Control, Key::Null)).await;
    assert_eq!(value_of(&c, "word-helper").await, "nurse");
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Words for your work").await;
    assert_eq!(text_of(&c, "p.notice[role='status']").await, "Saved. Questionnaires will use your words from now on.");
    check_page(&c, "words (saved)").await;
    for (id, word) in [("word-helper", "nurse"), ("word-help", "nurse"), ("word-clients", "patients")] {
        assert_eq!(value_of(&c, id).await, word, "#{id} shows the saved word");
    }

    // The questionnaires that allow it use those words.
    c.goto(&format!("{}/assessments/proqol5", app.base)).await.unwrap();
    assert_title(&c, "ProQOL 5").await;
    let questions = texts_of(&c, "fieldset.question legend").await;
    let as_a_nurse = questions.iter().filter(|q| q.contains("as a nurse")).count();
    assert_eq!(as_a_nurse, 5, "[helper] reads \"nurse\": {questions:#?}");
    assert!(questions.iter().any(|q| q.ends_with("the people I nurse.")), "[help] reads \"nurse\": {questions:#?}");
    let main = text_of(&c, "main").await;
    assert!(main.contains("When you nurse people") && !main.contains("[help"), "{main}");
    c.goto(&format!("{}/assessments/cbi", app.base)).await.unwrap();
    assert_title(&c, "CBI").await;
    check_page(&c, "take CBI (with your words)").await;
    let questions = texts_of(&c, "fieldset.question legend").await;
    let patients = questions.iter().filter(|q| q.contains("with patients")).count();
    assert_eq!(patients, 6, "[clients] reads \"patients\": {questions:#?}");
    let main = text_of(&c, "main").await;
    assert!(main.contains("whose work is with patients") && !main.contains("clients]"), "{main}");

    // Administration, reached from the account page.
    leave(&c).await;
    click(&c, ".site-nav a[href='/account']").await;
    arrive(&c, "Your account").await;
    assert!(text_of(&c, "main").await.contains("Administrator of this Ballast instance"));
    leave(&c).await;
    click_link(&c, "administration").await;
    arrive(&c, "Administration").await;
    check_page(&c, "administration").await;

    // Support resources: a new one without a way to reach it, then fixed by keyboard.
    leave(&c).await;
    click_link(&c, "Support resources").await;
    arrive(&c, "Support resources").await;
    check_page(&c, "support resources").await;
    let blank = c
        .execute(
            "return [...document.querySelectorAll('input[id^=\"name-\"]')].findIndex((i) => i.value === '');",
            vec![],
        )
        .await
        .unwrap();
    let row = blank.as_u64().and_then(|n| usize::try_from(n).ok()).unwrap_or_else(|| panic!("no blank row: {blank}"));
    let legend = format!("Resource {}", row + 1);
    assert_eq!(text_of(&c, &format!("fieldset:has(#name-{row}) legend")).await, legend);
    type_into(&c, &format!("name-{row}"), "Staff counselling").await;
    type_into(&c, &format!("description-{row}"), "Free and confidential, in working hours.").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Error: Support resources").await;
    check_page(&c, "support resources with an error").await;
    let contact = format!("contact-{row}");
    let problem = format!("{legend}: say how to reach it.");
    assert_eq!(summary_links(&c).await, [owned((contact.as_str(), problem.as_str()))]);
    assert_field_error(&c, &contact, &problem).await;
    assert_eq!(value_of(&c, &format!("name-{row}")).await, "Staff counselling", "what was typed is kept");
    follow_first_summary_link(&c, &problem, &contact).await;
    type_into_focused(&c, "ext. 4321").await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Support resources").await;
    assert_eq!(text_of(&c, "p.notice[role='status']").await, "Saved. Everyone now sees this list on the support page.");
    check_page(&c, "support resources (saved)").await;
    leave(&c).await;
    click(&c, ".site-nav a[href='/support']").await;
    arrive(&c, "Support").await;
    check_page(&c, "support (with the administrator's resource)").await;
    let resource = text_of(&c, ".resource-list li:last-child").await;
    assert_eq!(resource, "Staff counselling\nFree and confidential, in working hours.\next. 4321");

    // Instruments: a definition file chosen with the file picker, whose script puts its text
    // in the form. A broken one first (and no licence), then a good one.
    let folder = tempfile::tempdir().unwrap();
    let who5 = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../instruments/who5.toml")).unwrap();
    let definition = who5
        .replacen("id = \"who5\"", "id = \"team-wellbeing\"", 1)
        .replacen("title = \"WHO-5 Well-Being Index\"", &format!("title = \"{ADDED_TITLE}\""), 1)
        .replacen("short_title = \"WHO-5\"", &format!("short_title = \"{ADDED_SHORT_TITLE}\""), 1);
    assert_eq!(Instrument::from_toml(&definition).unwrap().id.as_str(), "team-wellbeing");
    let broken = definition.replacen("response_set = \"frequency\"", "response_set = \"frequncy\"", 1);
    let broken_problem = Instrument::from_toml(&broken).unwrap_err().to_string();
    assert!(broken_problem.contains("frequncy"), "{broken_problem}");
    let (broken_file, good_file) = (folder.path().join("broken.toml"), folder.path().join("team-wellbeing.toml"));
    std::fs::write(&broken_file, &broken).unwrap();
    std::fs::write(&good_file, &definition).unwrap();

    c.goto(&format!("{}/admin", app.base)).await.unwrap();
    assert_title(&c, "Administration").await;
    leave(&c).await;
    click_link(&c, "Instruments").await;
    arrive(&c, "Instruments").await;
    check_page(&c, "instruments").await;
    assert!(text_of(&c, "main").await.contains("None yet."));
    choose_definition_file(&c, &broken_file, &broken).await;
    run_axe(&c, "instruments (a file chosen)").await;
    leave(&c).await;
    click(&c, "main form[action='/admin/instruments'] button[type='submit']").await;
    arrive(&c, "Error: Instruments").await;
    check_page(&c, "instruments with errors").await;
    let definition_problem = format!("The definition has a problem — {broken_problem}");
    let licence_problem =
        "Say under what licence your organisation uses it (for example the licence number and holder).";
    assert_eq!(
        summary_links(&c).await,
        [("definition", definition_problem.as_str()), ("licence_note", licence_problem)].map(owned)
    );
    assert_field_error(&c, "definition", &definition_problem).await;
    assert_field_error(&c, "licence_note", licence_problem).await;
    assert_eq!(value_of(&c, "definition").await, broken, "the definition is sent back to be fixed");
    choose_definition_file(&c, &good_file, &definition).await;
    type_into(&c, "licence_note", LICENCE).await;
    leave(&c).await;
    press(&c, Key::Enter).await;
    arrive(&c, "Instruments").await;
    assert_eq!(
        text_of(&c, "p.notice[role='status']").await,
        "Added. People can take it from their Assessments page now."
    );
    check_page(&c, "instruments (one added)").await;
    let listed = texts_of(&c, "main ul.link-list li").await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].starts_with(&format!("{ADDED_TITLE} (team-wellbeing) — {LICENCE}; added ")), "{listed:?}");
    let remove = find(&c, "form[action='/admin/instruments/team-wellbeing/delete'] button").await;
    assert_eq!(remove.prop("textContent").await.unwrap().as_deref(), Some(&*format!("Remove {ADDED_TITLE}")));

    // A member (the second account) can take the new instrument but not administer.
    leave(&c).await;
    click(&c, ".site-nav button[type='submit']").await;
    arrive(&c, "Home").await;
    register(&c, &app, MEMBER).await;
    leave(&c).await;
    click(&c, ".site-nav a[href='/assessments']").await;
    arrive(&c, "Assessments").await;
    check_page(&c, "assessments (with an added instrument)").await;
    let card = text_of(&c, ".card-list .card:has(a[href='/assessments/team-wellbeing'])").await;
    assert!(card.starts_with(&format!("{ADDED_SHORT_TITLE}\n")) && card.contains("5 questions"), "{card}");
    leave(&c).await;
    click_link(&c, ADDED_SHORT_TITLE).await;
    arrive(&c, ADDED_SHORT_TITLE).await;
    check_page(&c, "take an added instrument").await;
    assert!(text_of(&c, "main").await.contains(LICENCE), "the declared licence is shown");

    leave(&c).await;
    click(&c, ".site-nav a[href='/account']").await;
    arrive(&c, "Your account").await;
    assert!(!text_of(&c, "main").await.contains("Administrator"));
    assert!(c.find(Locator::Css("main a[href='/admin']")).await.is_err(), "no way into administration");
    for path in ["/admin", "/admin/support", "/admin/instruments"] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        assert_title(&c, "We could not find that page").await;
    }
    check_page(&c, "not found (a member at /admin/instruments)").await;
}

/// Sends the file's path to the file picker, as WebDriver chooses files, and waits until the
/// page's script has put its text in the definition box. The focus stays on the picker.
async fn choose_definition_file(c: &Client, file: &Path, text: &str) {
    let picker = find(c, "#definition-file").await;
    assert!(picker.is_displayed().await.unwrap(), "the script shows the file picker");
    assert!(find(c, "label[for='definition-file']").await.is_displayed().await.unwrap());
    c.execute("document.getElementById('definition-file').focus();", vec![]).await.unwrap();
    picker.send_keys(&file.display().to_string()).await.unwrap();
    let name = file.file_name().unwrap().to_string_lossy();
    let status = format!("The text of {name} is now in the definition box below.");
    let deadline = Instant::now() + PATIENCE;
    while value_of(c, "definition").await != text || text_of(c, "#definition-file-status").await != status {
        assert!(Instant::now() < deadline, "the text of {name} did not arrive in #definition within {PATIENCE:?}");
        tokio::time::sleep(POLL).await;
    }
    assert_focus(c, "definition-file").await;
}

/// From the skip link (focused by `check_page`), the first Tab stop in `<main>` is the error
/// summary's first link; Enter follows it into the field it names.
async fn follow_first_summary_link(c: &Client, problem: &str, field: &str) {
    skip_to_main(c).await;
    press(c, Key::Tab).await;
    let link = focused(c).await;
    assert_eq!((link["tag"].as_str(), link["text"].as_str()), (Some("a"), Some(problem)), "{link}");
    press(c, Key::Enter).await;
    assert_focus(c, field).await;
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

async fn texts_of(c: &Client, selector: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for element in c.find_all(Locator::Css(selector)).await.unwrap() {
        texts.push(element.text().await.unwrap());
    }
    texts
}

async fn value_of(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id)).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
}

/// Creates an account through the form, by keyboard, and arrives home signed in.
async fn register(c: &Client, app: &TestApp, email: &str) {
    c.goto(&format!("{}/register", app.base)).await.unwrap();
    arrive(c, "Create an account").await;
    type_into(c, "email", email).await;
    press(c, Key::Tab).await;
    assert_focus(c, "password").await;
    leave(c).await;
    type_into_focused(c, &format!("{PASSWORD}{}", Key::Enter)).await;
    arrive(c, "Home").await;
}

/// The error summary's links, as (the id each points to, its text).
async fn summary_links(c: &Client) -> Vec<(String, String)> {
    let summary = find(c, ".error-summary[role='alert']").await;
    assert_eq!(summary.find(Locator::Css("h2")).await.unwrap().text().await.unwrap(), "Please check the form");
    let mut listed = Vec::new();
    for link in summary.find_all(Locator::Css("li a")).await.unwrap() {
        let target = link.attr("href").await.unwrap().unwrap_or_default();
        let target = target.rsplit_once('#').map(|(_, id)| id.to_owned()).unwrap_or(target);
        listed.push((target, link.text().await.unwrap()));
    }
    listed
}

fn owned((id, text): (&str, &str)) -> (String, String) {
    (id.to_owned(), text.to_owned())
}

/// The field with this id says what is wrong next to it, is marked invalid and is described
/// by the message.
async fn assert_field_error(c: &Client, id: &str, problem: &str) {
    let message = text_of(c, &format!("#{id}-error")).await;
    assert!(message.contains(problem), "#{id}-error says {message:?}");
    let input = c.find(Locator::Id(id)).await.unwrap();
    assert_eq!(input.attr("aria-invalid").await.unwrap().as_deref(), Some("true"), "#{id}");
    let described_by = input.attr("aria-describedby").await.unwrap().unwrap_or_default();
    assert!(described_by.split(' ').any(|d| d == format!("{id}-error")), "#{id}: {described_by:?}");
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
    press_all(c, &[key]).await;
}

/// Presses and releases each key in turn, in one go.
async fn press_all(c: &Client, keys: &[Key]) {
    let mut actions = KeyActions::new("keyboard".into());
    for &key in keys {
        let key = char::from(key);
        actions = actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    }
    c.perform_actions(actions).await.unwrap();
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
    run_axe(c, page).await;
    skip_link_is_first_stop(c, page).await;
}

/// Runs axe-core on the current page and fails with a readable list of violations.
async fn run_axe(c: &Client, page: &str) {
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
