//! The self-care contract through HTTP: goals with progress, people, the warning-sign plan
//! and review rhythm, recovery phases with lighter pacing limits, reviews kept as a story,
//! the printable page, sealing at rest, bad input and other people's ids.

use ballast_web::WebConfig;
use jiff::{Span, Timestamp};

use crate::support::{Browser, PASSWORD, RawDatabase, TestApp, fresh_postgres_store, serve, spawn_app};

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    assert_eq!(browser.register(email, PASSWORD).await.status, 303);
    browser
}

fn in_days(days: i64) -> String {
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    today.checked_add(Span::new().days(days)).unwrap().to_string()
}

const GOAL: [(&str, &str); 4] = [
    ("what", "Take a real lunch break away from my desk"),
    ("measure", "Days a week"),
    ("target", "Three days every week"),
    ("why", "The afternoons go better when I do"),
];

async fn add_goal(browser: &mut Browser) -> String {
    let due = in_days(30);
    let mut fields = GOAL.to_vec();
    fields.push(("due_on", &due));
    let saved = browser.post("/contract/goals/new", &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = browser.get(saved.location()).await;
    page.assert_contains("Saved the goal.");
    page.body.split("href=\"/contract/goals/").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

async fn journey(app: &TestApp) {
    let mut browser = signed_in(app, "ayo@example.org").await;
    browser.get("/contract").await.assert_contains("No goals yet.");

    // A goal, then progress on it.
    let goal = add_goal(&mut browser).await;
    let overview = browser.get("/contract").await;
    overview.assert_contains("Take a real lunch break away from my desk").assert_contains("Why it matters");
    let noted = browser
        .post(&format!("/contract/goals/{goal}/progress"), &[("percent", "40"), ("note", "Two good weeks")])
        .await;
    assert_eq!(noted.status, 303, "{}", noted.body);
    browser.get(&format!("/contract/goals/{goal}")).await.assert_contains("40% — Two good weeks");
    browser.get("/contract").await.assert_contains(r#"value="40""#);

    // People, the plan for warning signs, a review rhythm.
    let added =
        browser.post("/contract/people", &[("name", "Priya"), ("reach", "07700 900123"), ("partner", "on")]).await;
    assert_eq!(added.status, 303, "{}", added.body);
    browser.post("/contract/people", &[("name", "My sister")]).await;
    let overview = browser.get("/contract").await;
    overview
        .assert_contains("Priya <strong>(accountability partner)</strong> · 07700 900123")
        .assert_contains("My sister");
    let planned = browser
        .post(
            "/contract/plan",
            &[("sign_plan", "Tell Priya, cancel one evening thing, walk at lunch."), ("review_every", "30")],
        )
        .await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    let overview = browser.get("/contract").await;
    overview
        .assert_contains("Tell Priya, cancel one evening thing, walk at lunch.")
        .assert_contains("Every month; the next one is due on");

    // A recovery phase; returning offers lighter limits from the pacing plan.
    let phased = browser.post("/contract/phase", &[("phase", "return")]).await;
    assert_eq!(phased.status, 303);
    let overview = browser.get("/contract").await;
    overview
        .assert_contains("Your recovery phase: Return gradually")
        .assert_contains("Lighter pacing limits for returning");
    let lighter = browser.post("/contract/phase/lighter-limits", &[]).await;
    assert_eq!(lighter.location(), "/contract?notice=limits");
    let plan = browser.get("/exposure/plan").await;
    plan.assert_contains(r#"id="max_heavy_sessions_per_day" name="max_heavy_sessions_per_day" type="text" inputmode="numeric" class="narrow" value="2""#);
    browser.post("/contract/phase", &[("phase", "none")]).await;
    assert!(!browser.get("/contract").await.body.contains("Your recovery phase:"));

    // A review, kept as part of the story.
    let review = browser.get("/contract/review").await;
    review.assert_contains("Since you started your contract").assert_contains("You have not taken it yet.");
    review.assert_contains("Take a real lunch break away from my desk").assert_contains("40% now");
    let saved = browser
        .post(
            "/contract/review",
            &[("reflection", "A steadier month. Lunch breaks helped."), ("goals_note", "Keep the lunch goal.")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let overview = browser.get(saved.location()).await;
    overview.assert_contains("Saved your review.").assert_contains("A steadier month. Lunch breaks helped.");
    browser.get("/contract/review").await.assert_contains("Since your last review on");

    // The printable page holds the whole contract.
    let print = browser.get("/contract/print").await;
    print.assert_contains("My self-care contract").assert_contains("Three days every week").assert_contains("Priya");

    // Finishing a goal moves it aside.
    let archived = browser.post(&format!("/contract/goals/{goal}/archive"), &[]).await;
    assert_eq!(archived.location(), "/contract?notice=archived");
    browser.get("/contract").await.assert_contains("Finished and set-aside goals (1)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_journey_on_sqlite() {
    journey(&spawn_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_journey_on_postgres() {
    let Some(store) = fresh_postgres_store().await else { return };
    journey(&serve(store, WebConfig::default()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contract_is_sealed_at_rest() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "bex@example.org").await;
    add_goal(&mut browser).await;
    browser.post("/contract/people", &[("name", "Zephyrine Oduya")]).await;
    browser.post("/contract/review", &[("reflection", "Periwinkle month")]).await;
    let raw = RawDatabase::read(&app);
    for secret in ["real lunch break", "Zephyrine", "Periwinkle"] {
        assert!(!raw.contains(secret), "{secret} is in the database file");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_contract_input_and_other_peoples_ids() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "cy@example.org").await;
    let yesterday = in_days(-1);
    let far = in_days(1000);
    let long = "x".repeat(301);
    let cases: [(Vec<(&str, &str)>, &str); 5] = [
        (vec![("what", ""), ("measure", ""), ("target", ""), ("due_on", "")], "Say what the goal is"),
        (vec![("what", "Walk"), ("measure", "Days"), ("target", "3"), ("due_on", &yesterday)], "That date has passed."),
        (vec![("what", "Walk"), ("measure", "Days"), ("target", "3"), ("due_on", &far)], "within the next two years"),
        (vec![("what", "Walk"), ("measure", "Days"), ("target", "3"), ("due_on", "soon")], "Enter the date as a date"),
        (vec![("what", &long), ("measure", "Days"), ("target", "3"), ("due_on", "")], "Keep this to 300 characters"),
    ];
    for (fields, message) in &cases {
        let reply = browser.post("/contract/goals/new", fields).await;
        assert_eq!(reply.status, 422, "{fields:?}");
        reply.assert_contains(message).assert_contains("Please check the form");
    }
    browser.get("/contract").await.assert_contains("No goals yet.");
    let goal = add_goal(&mut browser).await;
    for percent in ["101", "-5", "lots"] {
        let reply = browser.post(&format!("/contract/goals/{goal}/progress"), &[("percent", percent)]).await;
        assert_eq!(reply.status, 422);
        reply.assert_contains("a number from 0 to 100");
    }
    let reply = browser.post("/contract/people", &[("name", "  ")]).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("Enter their name");
    let reply = browser.post("/contract/plan", &[("sign_plan", "ok"), ("review_every", "7")]).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("Choose how often");
    let reply = browser.post("/contract/phase", &[("phase", "burnout")]).await;
    assert_eq!(reply.status, 422);
    let reply = browser.post("/contract/review", &[("reflection", "")]).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("Write a line or two");
    browser.post("/contract/people", &[("name", "Dana")]).await;
    let overview = browser.get("/contract").await;
    let person = overview.body.split("/contract/people/").nth(1).unwrap().split('/').next().unwrap().to_owned();

    let mut other = signed_in(&app, "dev@example.org").await;
    assert_eq!(other.get(&format!("/contract/goals/{goal}")).await.status, 404);
    assert_eq!(other.post(&format!("/contract/goals/{goal}"), &[("what", "mine now")]).await.status, 404);
    assert_eq!(other.post(&format!("/contract/goals/{goal}/progress"), &[("percent", "1")]).await.status, 404);
    assert_eq!(other.post(&format!("/contract/goals/{goal}/archive"), &[]).await.status, 404);
    assert_eq!(other.post(&format!("/contract/people/{person}/delete"), &[]).await.status, 404);
    assert_eq!(other.get("/contract/goals/abc").await.status, 404);
    assert!(!other.get("/contract").await.body.contains("Take a real lunch break"));
    let mine = browser.get("/contract").await;
    mine.assert_contains("Take a real lunch break").assert_contains("Dana");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_dates_reach_the_calendar_feed_and_a_due_review_the_home_page() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "eli@example.org").await;
    add_goal(&mut browser).await;
    assert!(!browser.get("/").await.body.contains("Your self-care contract review"), "not due yet");

    // A contract begun forty days ago with a monthly rhythm is due for review.
    let user = app.store.user_credentials(&ballast_core::Email::parse("eli@example.org").unwrap()).await.unwrap();
    let user = user.unwrap().user.id;
    let begun = Timestamp::now() - jiff::SignedDuration::from_hours(24 * 40);
    let settings = ballast_store::ContractSettings {
        review_every_days: 30,
        sign_plan: None,
        phase: None,
        phase_since: None,
        updated_at: begun,
    };
    app.store.set_contract_settings(user, &settings).await.unwrap();
    let home = browser.get("/").await;
    home.assert_contains("Due now").assert_contains(r#"<a href="/contract/review">Your self-care contract review</a>"#);
    browser.get("/contract").await.assert_contains("Time to review your contract");

    // The feed carries the review and the goal's date, and not a word of the goal.
    let made = browser.post("/account/reminders/feed", &[]).await;
    let url = made.body.split("id=\"feed-url\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let path = &url[url.find("/calendar/").unwrap()..];
    let mut calendar_app = Browser::new(&app);
    let feed = calendar_app.get(path).await;
    assert_eq!(feed.status, 200);
    let review_day =
        (Timestamp::now() - jiff::SignedDuration::from_hours(24 * 10)).to_zoned(jiff::tz::TimeZone::UTC).date();
    assert!(feed.body.contains("SUMMARY:Review your self-care contract"), "{}", feed.body);
    assert!(feed.body.contains(&format!("DTSTART;VALUE=DATE:{}", review_day.strftime("%Y%m%d"))), "{}", feed.body);
    assert!(feed.body.contains(&format!("DTSTART;VALUE=DATE:{}", in_days(30).replace('-', ""))), "{}", feed.body);
    assert!(!feed.body.contains("lunch"), "the goal's words stay out of calendars");
    let window = ballast_calendar::Window {
        start: Timestamp::now() - jiff::SignedDuration::from_hours(24 * 60),
        end: Timestamp::now() + jiff::SignedDuration::from_hours(24 * 60),
    };
    let read = ballast_calendar::read_calendar(feed.body.as_bytes(), window).expect("a valid calendar");
    assert_eq!(read.skipped.all_day, 2, "the review and the goal date, as all-day events");
}
