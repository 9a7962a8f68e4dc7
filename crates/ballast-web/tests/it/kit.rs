//! The rescue kit through HTTP: statements, practices, reaching out and the use log on both
//! stores, the sealed words not in the raw database, bad input, other people's statements, and
//! the kit's section on insights.

use ballast_core::checkin::{CheckIn, Level};
use ballast_core::{TimeZoneName, UserId};
use ballast_store::StoredCheckIn;
use ballast_web::WebConfig;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use crate::support::{Browser, PASSWORD, RawDatabase, Reply, TestApp, fresh_postgres_store, serve, spawn_app};

const STATEMENT: &str = "I did what I could with what I had today.";
const MAILTO: &str = "mailto:ana.k@example.org?body=Rough%20day%20%E2%80%94%20got%20five%20minutes%3F";
const SMS: &str = "sms:+447700900123?body=Rough%20day%20%E2%80%94%20got%20five%20minutes%3F";

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    assert_eq!(browser.register(email, PASSWORD).await.status, 303);
    browser
}

async fn user_id(app: &TestApp, email: &str) -> UserId {
    let email = ballast_core::Email::parse(email).unwrap();
    app.store.user_credentials(&email).await.unwrap().unwrap().user.id
}

fn days_ago(days: i32) -> Date {
    TimeZoneName::utc().today(Timestamp::now()).checked_sub(Span::new().days(days)).unwrap()
}

/// Every use the person logged, as what was used.
async fn uses(app: &TestApp, user: UserId) -> Vec<String> {
    let far = Span::new().hours(24 * 800);
    let (from, to) = (Timestamp::now().checked_sub(far).unwrap(), Timestamp::now().checked_add(far).unwrap());
    app.store.kit_uses(user, from, to).await.unwrap().into_iter().map(|u| u.what).collect()
}

/// The ids in the page's "Edit" links to statements, in order.
fn statement_ids(page: &Reply) -> Vec<String> {
    page.body.split("href=\"/kit/statements/").skip(1).map(|rest| rest.split('/').next().unwrap().to_owned()).collect()
}

async fn add_statement(browser: &mut Browser, text: &str) -> Reply {
    browser.post("/kit/statements", &[("statement", text)]).await
}

fn contact<'a>(name: &'a str, email: &'a str, phone: &'a str, message: &'a str) -> [(&'static str, &'a str); 4] {
    [("name", name), ("email", email), ("phone", phone), ("message", message)]
}

async fn journey(app: &TestApp) {
    let mut browser = signed_in(app, "ines@example.org").await;
    let user = user_id(app, "ines@example.org").await;
    browser.get("/").await.assert_contains(r#"<a href="/kit">Rescue kit</a>"#);
    let kit = browser.get("/kit").await;
    kit.assert_contains("<h1>Your rescue kit</h1>")
        .assert_contains(r#"<a href="/kit/breathing-4-7-8">4-7-8 breathing</a>"#)
        .assert_contains(r#"<a href="/kit/body-scan">A 60-second body scan</a> <span class="hint">· 60 seconds</span>"#)
        .assert_contains("Choose who to reach out to");

    // A statement, written and then rewritten in the person's own words.
    let added = add_statement(&mut browser, &format!("  {STATEMENT}\r\n")).await;
    assert_eq!(added.location(), "/kit?notice=added");
    let kit = browser.get("/kit?notice=added").await;
    kit.assert_contains("Added your statement.")
        .assert_contains(&format!(r#"<p class="kit-statement">{STATEMENT}</p>"#));
    let ids = statement_ids(&kit);
    assert_eq!(ids.len(), 1);
    let edit = format!("/kit/statements/{}/edit", ids[0]);
    browser.get(&edit).await.assert_contains(&format!(">{STATEMENT}</textarea>"));
    let saved = browser.post(&edit, &[("statement", "Rest is part of the work.")]).await;
    assert_eq!(saved.location(), "/kit?notice=saved");
    let kit = browser.get("/kit").await;
    kit.assert_contains("Rest is part of the work.");
    assert!(!kit.body.contains(STATEMENT), "replaced, not added");

    // A practice as plain steps, with the timer's hooks, and "I did this".
    let practice = browser.get("/kit/box-breathing").await;
    practice
        .assert_contains("<h1>Box breathing</h1>")
        .assert_contains(r#"<li data-seconds="4" data-pace="in"><span class="kit-step-text">Breathe in through your nose for a count of 4.</span>"#)
        .assert_contains("Takes about a minute. One round is 16 seconds; you do 4 rounds.")
        .assert_contains(r#"aria-live="polite""#)
        .assert_contains(r#"<form method="post" action="/kit/box-breathing/done" id="kit-done">"#)
        .assert_contains("/static/kit.js");
    let script = browser.get("/static/kit.js").await;
    assert_eq!(script.status, 200);
    assert!(script.header("content-type").starts_with("text/javascript"));
    let done = browser.post("/kit/box-breathing/done", &[]).await;
    assert_eq!(done.location(), "/kit?done=box-breathing");
    browser.get(done.location()).await.assert_contains("Noted: Box breathing.");

    // Reaching out: the colleague and the suggested message, then one-tap links.
    browser.get("/kit/reach-out").await.assert_contains(">Rough day — got five minutes?</textarea>");
    let saved = browser
        .post(
            "/kit/reach-out",
            &contact("Ana", "Ana.K@example.org", "+44 7700 900123", "Rough day — got five minutes?"),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let kit = browser.get("/kit").await;
    kit.assert_contains(&format!(r#"href="{MAILTO}""#))
        .assert_contains(&format!(r#"href="{SMS}""#))
        .assert_contains("Text Ana")
        .assert_contains("I reached out");
    browser.get("/kit/reach-out").await.assert_contains(r#"value="+44 7700 900123""#).assert_contains(r#"value="Ana""#);
    let email_only = browser.post("/kit/reach-out", &contact("Ana", "ana@example.org", "", "Tea & a chat?")).await;
    assert_eq!(email_only.status, 303);
    let kit = browser.get("/kit").await;
    kit.assert_contains(r#"href="mailto:ana@example.org?body=Tea%20%26%20a%20chat%3F""#);
    assert!(!kit.body.contains("sms:"), "no phone, no text link");
    let reached = browser.post("/kit/reach-out/used", &[]).await;
    assert_eq!(reached.location(), "/kit?notice=reached");
    browser.get(reached.location()).await.assert_contains("Noted that you reached out.");
    assert_eq!(uses(app, user).await, ["box-breathing", "reach_out"]);

    // Insights counts each.
    let insights = browser.get("/insights").await;
    insights
        .assert_contains("<h2 id=\"kit-title\">Your rescue kit</h2>")
        .assert_contains("<li>Box breathing: 1 time</li>")
        .assert_contains("<li>Reaching out: 1 time</li>")
        .assert_contains("Once there are at least 7 days you used the kit");

    // Removing things.
    let removed = browser.post(&format!("/kit/statements/{}/delete", ids[0]), &[]).await;
    assert_eq!(removed.location(), "/kit?notice=removed");
    assert!(!browser.get("/kit").await.body.contains("Rest is part of the work."));
    assert_eq!(browser.post(&format!("/kit/statements/{}/delete", ids[0]), &[]).await.status, 404);
    assert_eq!(browser.post("/kit/reach-out/remove", &[]).await.location(), "/kit?notice=contact-removed");
    let kit = browser.get("/kit").await;
    kit.assert_contains("Choose who to reach out to");
    assert!(!kit.body.contains("mailto:"));
    assert!(
        app.store.kit_statements(user).await.unwrap().is_empty()
            && app.store.kit_contact(user).await.unwrap().is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kit_journey_on_sqlite() {
    journey(&spawn_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kit_journey_on_postgres() {
    let Some(store) = fresh_postgres_store().await else { return };
    journey(&serve(store, WebConfig::default()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kit_statements_and_contact_are_not_in_the_database_file() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "odile@example.org").await;
    assert_eq!(add_statement(&mut browser, "Saffron harbour: I am allowed to rest").await.status, 303);
    let words =
        contact("Quennell Marchbank", "quennell.m@example.net", "+44 7700 900456", "Tangerine kettle, five min?");
    assert_eq!(browser.post("/kit/reach-out", &words).await.status, 303);
    browser.get("/kit").await.assert_contains("Saffron harbour").assert_contains("Quennell Marchbank");

    let raw = RawDatabase::read(&app);
    let contains = |needle: &str| raw.contains(needle);
    for secret in ["Saffron harbour", "Quennell", "quennell.m", "7700 900456", "447700900456", "Tangerine kettle"] {
        assert!(!contains(secret), "{secret:?} is in the database file as plain text");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_kit_input_gets_clear_messages_and_other_peoples_ids_are_not_found() {
    let app = spawn_app().await;
    let mut owner = signed_in(&app, "pia@example.org").await;
    let pia = user_id(&app, "pia@example.org").await;

    // Statements: empty, too long (kept as typed), and one too many.
    let empty = add_statement(&mut owner, " \r\n ").await;
    assert_eq!(empty.status, 422);
    empty.assert_contains("Write your statement first").assert_contains(r#"aria-invalid="true""#);
    let long = "kind ".repeat(70);
    let too_long = add_statement(&mut owner, &long).await;
    assert_eq!(too_long.status, 422);
    too_long.assert_contains("A statement can be up to 300 characters; this one is 349.").assert_contains(&long);
    for n in 0..12 {
        assert_eq!(add_statement(&mut owner, &format!("Statement {n}")).await.status, 303);
    }
    owner.get("/kit").await.assert_contains("You have 12 statements, as many as the kit keeps.");
    let thirteenth = add_statement(&mut owner, "One more").await;
    assert_eq!(thirteenth.status, 422);
    thirteenth.assert_contains("You can keep up to 12 statements.").assert_contains(">One more</textarea>");
    assert_eq!(app.store.kit_statements(pia).await.unwrap().len(), 12, "nothing half-made was stored");

    // The contact: each field says what is wrong, and what was typed stays.
    let nothing = owner.post("/kit/reach-out", &contact("", "", "", "")).await;
    assert_eq!(nothing.status, 422);
    nothing
        .assert_contains("Enter your colleague&#39;s name")
        .assert_contains("Give an email address or a mobile number (or both)")
        .assert_contains("Write a message, or use ours");
    let bad = owner.post("/kit/reach-out", &contact("Raf", "raf@example", "call me maybe", "Hi")).await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("Enter an email address in the form name@example.org.")
        .assert_contains("A phone number can have digits, spaces, brackets, dots and hyphens")
        .assert_contains(r#"value="raf@example""#)
        .assert_contains(r#"value="call me maybe""#)
        .assert_contains(r#"value="Raf""#);
    let short = owner.post("/kit/reach-out", &contact("Raf", "", "0123", "Hi")).await;
    assert_eq!(short.status, 422);
    short.assert_contains("A phone number has between 5 and 15 digits.");
    let wordy = "please ".repeat(50);
    let long_message = owner.post("/kit/reach-out", &contact(&"R".repeat(81), "", "01234 567890", &wordy)).await;
    assert_eq!(long_message.status, 422);
    long_message
        .assert_contains("A name can be up to 80 characters.")
        .assert_contains("A message can be up to 300 characters");
    assert_eq!(app.store.kit_contact(pia).await.unwrap(), None, "no contact was stored");

    // Unknown practices are not found and log nothing.
    assert_eq!(owner.get("/kit/not-a-practice").await.status, 404);
    assert_eq!(owner.post("/kit/not-a-practice/done", &[]).await.status, 404);
    assert_eq!(owner.post("/kit/reach_out/done", &[]).await.status, 404, "reaching out is not a practice");
    assert!(uses(&app, pia).await.is_empty());

    // Someone else cannot reach pia's statements, and pia's stay as they were.
    let ids = statement_ids(&owner.get("/kit").await);
    assert_eq!(ids.len(), 12);
    let mut other = signed_in(&app, "quin@example.org").await;
    assert_eq!(add_statement(&mut other, "Quin's own").await.status, 303);
    for id in [&ids[0], &ids[11]] {
        assert_eq!(other.get(&format!("/kit/statements/{id}/edit")).await.status, 404);
        let overwrite = other.post(&format!("/kit/statements/{id}/edit"), &[("statement", "overwritten")]).await;
        assert_eq!(overwrite.status, 404);
        assert_eq!(other.post(&format!("/kit/statements/{id}/delete"), &[]).await.status, 404);
    }
    assert_eq!(other.get("/kit/statements/not-a-number/edit").await.status, 404);
    assert_eq!(owner.post("/kit/statements/99999999/delete", &[]).await.status, 404);
    let kit = owner.get("/kit").await;
    kit.assert_contains("Statement 0").assert_contains("Statement 11");
    assert!(!kit.body.contains("overwritten") && !kit.body.contains("Quin"));
    assert_eq!(app.store.kit_statements(pia).await.unwrap().len(), 12);
}

/// Check-ins stored straight into the store, with energy (and so strain) set per day.
async fn seed_check_ins(app: &TestApp, user: UserId, days: impl Iterator<Item = (i32, u8)>) {
    for (ago, energy) in days {
        let mut values = CheckIn::new(Level::new(energy).unwrap());
        values.mood = Level::new(energy);
        values.sleep_quality = Level::new(energy);
        values.dread = Level::new(10 - energy);
        let record = StoredCheckIn {
            user_id: user,
            day: days_ago(ago),
            values,
            restorer: None,
            note: None,
            backfilled: false,
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
        };
        app.store.insert_check_in(record).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insights_compare_the_next_days_strain_after_using_the_kit() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "rosa@example.org").await;
    let user = user_id(&app, "rosa@example.org").await;
    // The kit on every other day for a month (noon UTC, the person's zone); each day after one
    // is easier (energy 8) than each day after a day without it (energy 3).
    seed_check_ins(&app, user, (0..=30).map(|ago| (ago, if ago % 2 == 1 { 8 } else { 3 }))).await;
    for ago in (2..=30).step_by(2) {
        let noon = days_ago(ago).at(12, 0, 0, 0).to_zoned(TimeZone::UTC).unwrap().timestamp();
        app.store.record_kit_use(user, "doorway-stretch", noon).await.unwrap();
    }
    // A use 200 days ago counts for the year's comparison but not in the 90 days shown.
    let long_ago = days_ago(200).at(12, 0, 0, 0).to_zoned(TimeZone::UTC).unwrap().timestamp();
    app.store.record_kit_use(user, "body-scan", long_ago).await.unwrap();

    let page = browser.get("/insights").await;
    page.assert_contains("<li>Doorway stretch: 15 times</li>")
        .assert_contains("On the 15 days after you used the rescue kit, your strain the next day averaged");
    let sentence = page.body.split("after you used the rescue kit").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(sentence.contains("lower than the") && sentence.contains("on 15 days after you did not."), "{sentence}");
    assert!(!page.body.contains("A 60-second body scan:"), "outside the period shown");
    browser.get("/insights?range=365").await.assert_contains("<li>A 60-second body scan: 1 time</li>");
    // Said once, in the kit's own section, not again among what drains and restores.
    assert_eq!(page.body.matches("used the rescue kit").count(), 1);
}
