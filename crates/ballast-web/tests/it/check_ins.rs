//! Daily check-ins, warning signs and insights through HTTP: the journey on both stores,
//! encryption at rest, days in the person's time zone, and every kind of bad input.

use ballast_core::TimeZoneName;
use ballast_core::checkin::{CheckIn, Level};
use ballast_store::StoredCheckIn;
use ballast_web::WebConfig;
use jiff::civil::Date;
use jiff::{Span, Timestamp};

use crate::support::{Browser, PASSWORD, RawDatabase, TestApp, fresh_postgres_store, serve, spawn_app};

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    assert_eq!(browser.register(email, PASSWORD).await.status, 303);
    browser
}

fn utc_today() -> Date {
    TimeZoneName::utc().today(Timestamp::now())
}

fn days_ago(days: i32) -> Date {
    utc_today().checked_sub(Span::new().days(days)).unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> ballast_core::UserId {
    let email = ballast_core::Email::parse(email).unwrap();
    app.store.user_credentials(&email).await.unwrap().unwrap().user.id
}

const NOTE: &str = "Hard session with the Tuesday family; walked it off by the river";

async fn journey(app: &TestApp) {
    let mut browser = signed_in(app, "ada@example.org").await;

    // Choose warning signs: two from the library and one of their own.
    let signs = browser.get("/check-in/signs").await;
    signs.assert_contains("I go flat or numb").assert_contains("Add a sign of your own");
    let saved = browser
        .post(
            "/check-in/signs",
            &[("sign-numb", "on"), ("sign-brain-fog", "on"), ("new", "I stop answering my sister")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let signs = browser.get(saved.location()).await;
    signs.assert_contains("Saved.").assert_contains(r#"value="I stop answering my sister""#);
    assert_eq!(signs.body.matches(" checked>").count(), 2, "two library signs stay ticked");

    // The check-in form asks about them.
    let form = browser.get("/check-in").await;
    form.assert_contains("Today&#39;s check-in")
        .assert_contains("I stop answering my sister")
        .assert_contains("How much energy do you have today?");
    let own_id = form.body.split("name=\"sign-own-").nth(1).and_then(|rest| rest.get(..16)).expect("own sign box");
    let own_field = format!("sign-own-{own_id}");

    let today = utc_today().to_string();
    let saved = browser
        .post(
            "/check-in",
            &[
                ("day", &today),
                ("energy", "3"),
                ("mood", "4"),
                ("sleep_hours", "6,5"),
                ("sleep_quality", ""),
                ("empathy", "-2"),
                ("dread", "7"),
                ("intrusive", "2"),
                ("physical-headache", "on"),
                ("sign-numb", "on"),
                (&own_field, "on"),
                ("restorer", "A walk by the river"),
                ("note", NOTE),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), format!("/insights?saved={today}"));

    // Durable before the page says so: the store has it the moment the redirect arrives.
    let user = user_id(app, "ada@example.org").await;
    let stored = app.store.check_in(user, utc_today()).await.unwrap().expect("saved");
    assert_eq!(stored.values.energy.value(), 3);
    assert_eq!(stored.values.sleep_hours.map(|h| h.hours()), Some(6.5));
    assert!(stored.values.sleep_quality.is_none(), "skipped stays skipped");
    assert_eq!(stored.values.warning_signs.len(), 2);
    assert!(!stored.backfilled);
    assert!(stored.note.is_some() && stored.restorer.is_some());
    assert!(
        !String::from_utf8_lossy(stored.note.as_ref().unwrap().as_bytes()).contains("Tuesday"),
        "the store only ever sees the sealed note"
    );

    let insights = browser.get(saved.location()).await;
    insights
        .assert_contains("Saved your check-in for")
        .assert_contains("1 check-in from")
        .assert_contains("I go flat or numb")
        .assert_contains("1 of 1")
        .assert_contains("<svg");

    // Today's check-in opens again with every answer, note included, and can be changed.
    let again = browser.get("/check-in").await;
    again
        .assert_contains("You have checked in today already")
        .assert_contains(NOTE)
        .assert_contains("A walk by the river");
    assert!(again.body.contains(r#"name="energy" value="3" checked"#), "energy kept");
    let changed = browser.post("/check-in", &[("day", &today), ("energy", "6"), ("note", "Better after lunch")]).await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let stored = app.store.check_in(user, utc_today()).await.unwrap().unwrap();
    assert_eq!(stored.values.energy.value(), 6);
    assert!(stored.restorer.is_none(), "emptied text is removed");
    assert_eq!(browser.get("/check-in").await.body.matches("Better after lunch").count(), 1);

    // Filling in a missed day marks it; afterwards that day can be seen but not changed.
    let yesterday = days_ago(1).to_string();
    let backfill = browser.get(&format!("/check-in?day={yesterday}")).await;
    backfill.assert_contains("You are filling in an earlier day");
    let saved = browser.post("/check-in", &[("day", &yesterday), ("energy", "5")]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(app.store.check_in(user, days_ago(1)).await.unwrap().unwrap().backfilled);
    let view = browser.get(&format!("/check-in?day={yesterday}")).await;
    view.assert_contains("Filled in on a later day").assert_contains("5 of 10");
    let second = browser.post("/check-in", &[("day", &yesterday), ("energy", "9"), ("note", "keep me")]).await;
    assert_eq!(second.status, 422);
    second.assert_contains("You already checked in for that day").assert_contains("keep me");
    assert_eq!(app.store.check_in(user, days_ago(1)).await.unwrap().unwrap().values.energy.value(), 5, "unchanged");

    // Nobody else sees any of it.
    let mut other = signed_in(app, "bea@example.org").await;
    let theirs = other.get("/insights").await;
    theirs.assert_contains("0 check-ins from");
    assert!(!theirs.body.contains("I go flat or numb"));
    let peek = other.get(&format!("/check-in?day={yesterday}")).await;
    assert!(!peek.body.contains("5 of 10") && peek.body.contains("You are filling in an earlier day"));

    // Deleting the account removes the check-ins, the signs and the data key.
    let deleted = browser.post("/account/delete", &[("password", PASSWORD), ("confirm", "delete")]).await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert!(app.store.data_key(user).await.unwrap().is_none());
    for (table, count) in app.store.user_row_counts(user).await.unwrap() {
        assert_eq!(count, 0, "{table} still holds rows of a deleted account");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_in_journey_on_sqlite() {
    journey(&spawn_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_in_journey_on_postgres() {
    let Some(store) = fresh_postgres_store().await else { return };
    journey(&serve(store, WebConfig::default()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_are_not_in_the_database_file() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "cy@example.org").await;
    let secret_note = "zanzibar-quokka-7731 felt nothing at the funeral";
    let secret_sign = "marmalade-heron-5519 I skip my own appointments";
    let secret_restorer = "pelican-tangerine-0042 swim";
    assert_eq!(browser.post("/check-in/signs", &[("new", secret_sign)]).await.status, 303);
    let today = utc_today().to_string();
    let saved = browser
        .post("/check-in", &[("day", &today), ("energy", "4"), ("note", secret_note), ("restorer", secret_restorer)])
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    // The person reads them back...
    let back = browser.get("/check-in").await;
    back.assert_contains(secret_note).assert_contains(secret_restorer).assert_contains(secret_sign);
    // ...and the database, WAL included, holds none of them, nor any recognisable part.
    let raw = RawDatabase::read(&app);
    assert!(raw.contains("cy@example.org"), "the check reads the real files");
    for needle in ["zanzibar-quokka", "marmalade-heron", "pelican-tangerine", "funeral"] {
        assert!(!raw.contains(needle), "{needle:?} is readable in the database file");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_check_ins_get_clear_messages_and_change_nothing() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "dee@example.org").await;
    let user = user_id(&app, "dee@example.org").await;
    let today = utc_today().to_string();
    let tomorrow = utc_today().tomorrow().unwrap().to_string();
    let long_ago = days_ago(400).to_string();
    let huge_note = "I kept thinking about it. ".repeat(200);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("day", &today)], "it is the one answer a check-in needs"),
        (vec![("day", &today), ("energy", "11")], "Choose a number from 0 to 10."),
        (vec![("day", &today), ("energy", "-1")], "Choose a number from 0 to 10."),
        (vec![("day", &today), ("energy", "lots")], "Choose a number from 0 to 10."),
        (vec![("day", &today), ("energy", "5"), ("mood", "10.5")], "Choose a number from 0 to 10."),
        (vec![("day", &today), ("energy", "5"), ("sleep_hours", "25")], "from 0 to 24"),
        (vec![("day", &today), ("energy", "5"), ("sleep_hours", "NaN")], "from 0 to 24"),
        (vec![("day", &today), ("energy", "5"), ("empathy", "4")], "one of the positions on the empathy dial"),
        (vec![("day", &tomorrow), ("energy", "5")], "That date is in the future"),
        (vec![("day", &long_ago), ("energy", "5")], "back-filling goes back one year at most"),
        (vec![("day", "22/11/2026"), ("energy", "5")], "is not a date we can read"),
        (vec![("day", &today), ("energy", "5"), ("sign-numb", "on")], "no longer on your list"),
        (vec![("day", &today), ("energy", "5"), ("sign-own-0123456789abcdef", "on")], "no longer on your list"),
        (vec![("day", &today), ("energy", "5"), ("note", &huge_note)], "a check-in note can hold 2000"),
    ];
    for (fields, message) in &cases {
        let reply = browser.post("/check-in", fields).await;
        assert_eq!(reply.status, 422, "{fields:?}: {}", reply.body);
        reply.assert_contains(message).assert_contains("Please check the form");
        assert!(reply.body.contains("<title>Error: "), "the title says there is a problem");
    }
    // The note that was too long comes back whole, so nothing typed is lost.
    let reply = browser.post("/check-in", &[("day", &today), ("energy", "5"), ("note", &huge_note)]).await;
    reply.assert_contains(huge_note.trim());
    assert!(app.store.check_ins(user, days_ago(500), utc_today()).await.unwrap().is_empty(), "nothing was saved");

    // A body past the limit is refused outright, with a page that says so.
    let too_big = "x".repeat(200 * 1024);
    let reply = browser.post("/check-in", &[("day", &today), ("energy", "5"), ("note", &too_big)]).await;
    assert_eq!(reply.status, 413);
    reply.assert_contains("more than we can accept");

    // Looking at bad days is refused with a message too.
    let reply = browser.get(&format!("/check-in?day={tomorrow}")).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("That date is in the future");
    assert_eq!(browser.get("/check-in?day=yesterday").await.status, 400);
    assert_eq!(browser.get("/insights?range=7").await.status, 400);

    // Signs: too long, too many, and unknown library ids.
    let long_sign = "a".repeat(121);
    let reply = browser.post("/check-in/signs", &[("new", &long_sign)]).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("one line of 120 characters");
    let reply = browser.post("/check-in/signs", &[("sign-not-a-sign", "on")]).await;
    assert_eq!(reply.status, 422);
    assert!(app.store.warning_signs(user).await.unwrap().is_empty());

    // Dismissing something that is not a signal, and reminders for unknown instruments.
    assert_eq!(browser.post("/insights/dismiss", &[("signal", "<script>")]).await.status, 400);
    assert_eq!(browser.post("/insights/reminders", &[("instrument", "nope"), ("days", "30")]).await.status, 404);
    assert_eq!(browser.post("/insights/reminders", &[("instrument", "proqol5"), ("days", "7")]).await.status, 400);

    // Signed out, none of it is reachable.
    let mut stranger = Browser::new(&app);
    assert_eq!(stranger.get("/check-in").await.status, 303);
    assert_eq!(stranger.get("/insights").await.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn days_follow_the_persons_time_zone() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    let registered = browser
        .post("/register", &[("email", "eve@example.org"), ("password", PASSWORD), ("time_zone", "pacific/kiritimati")])
        .await;
    assert_eq!(registered.status, 303);
    let user = user_id(&app, "eve@example.org").await;
    let account = app.store.user(user).await.unwrap().unwrap();
    assert_eq!(account.time_zone.as_str(), "Pacific/Kiritimati", "taken from sign-up, canonical spelling");

    // UTC+14: "today" there is what the server calls tomorrow for ten hours of every day.
    let their_today = account.time_zone.today(Timestamp::now());
    let saved = browser.post("/check-in", &[("day", &their_today.to_string()), ("energy", "5")]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(app.store.check_in(user, their_today).await.unwrap().is_some());

    // Changing the zone: unknown names are refused, known ones saved.
    let page = browser.get("/account/time-zone").await;
    page.assert_contains("Pacific/Kiritimati").assert_contains(r#"<option value="Europe/Dublin">"#);
    let refused = browser.post("/account/time-zone", &[("time_zone", "Atlantis/Lost")]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("We do not know that time zone").assert_contains("Atlantis/Lost");
    assert_eq!(browser.post("/account/time-zone", &[("time_zone", "Pacific/Pago_Pago")]).await.status, 303);
    assert_eq!(app.store.user(user).await.unwrap().unwrap().time_zone.as_str(), "Pacific/Pago_Pago");

    // A sign-up without a usable zone starts in UTC.
    let mut other = Browser::new(&app);
    other.post("/register", &[("email", "fay@example.org"), ("password", PASSWORD), ("time_zone", "nowhere")]).await;
    let fay = user_id(&app, "fay@example.org").await;
    assert_eq!(app.store.user(fay).await.unwrap().unwrap().time_zone.as_str(), "UTC");
}

/// Stores check-ins straight into the store, as if the person had checked in on each day.
async fn seed(app: &TestApp, user: ballast_core::UserId, days: impl Iterator<Item = (i32, u8, bool)>) {
    for (ago, energy, sign) in days {
        let mut values = CheckIn::new(Level::new(energy).unwrap());
        values.mood = Level::new(energy);
        values.sleep_quality = Level::new(energy);
        values.dread = Level::new(10 - energy);
        if sign {
            values.warning_signs.insert(ballast_core::checkin::SignId::parse("brain-fog").unwrap());
        }
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
async fn insights_point_out_drift_and_a_dismissal_sticks() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "gus@example.org").await;
    assert_eq!(browser.post("/check-in/signs", &[("sign-brain-fog", "on")]).await.status, 303);
    let user = user_id(&app, "gus@example.org").await;
    // A steady half-year (energy wobbling around 7), then ten heavy days with brain fog.
    let steady = (10..190).map(|ago| (ago, [6, 7, 8, 7][ago as usize % 4], ago % 9 == 0));
    let heavy = (0..10).map(|ago| (ago, 2, true));
    seed(&app, user, steady.chain(heavy)).await;

    let page = browser.get("/insights").await;
    page.assert_contains("The strain seems to be building")
        .assert_contains("Your check-ins suggest")
        .assert_contains("One of your warning signs is turning up more often")
        .assert_contains("My head feels foggy and slow")
        .assert_contains("A next step:");
    assert!(!page.body.to_lowercase().contains("you have burnout"), "never a diagnosis");
    let id = page.body.split(r#"name="signal" value=""#).nth(1).and_then(|rest| rest.split('"').next()).unwrap();
    assert!(id.starts_with("sustained_drift:"), "{id}");
    let dismissed = browser.post("/insights/dismiss", &[("signal", id), ("range", "365")]).await;
    assert_eq!(dismissed.status, 303);
    assert_eq!(dismissed.location(), "/insights?range=365");
    let page = browser.get("/insights?range=365").await;
    assert!(!page.body.contains("The strain seems to be building"), "dismissed stays dismissed");
    page.assert_contains("One of your warning signs is turning up more often");
    // The year view shows the calendar and the table for every day.
    let checked_in_days = ["light", "middling", "heavy"]
        .iter()
        .map(|class| page.body.matches(&format!(r#"<td class="day {class}">"#)).count())
        .sum::<usize>();
    assert_eq!(checked_in_days, 190, "one calendar day per check-in");
    page.assert_contains("Show these check-ins as a table");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_checks_in_with_the_same_rules() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "hal@example.org").await;
    assert_eq!(browser.post("/check-in/signs", &[("sign-ruminating", "on")]).await.status, 303);
    let base = format!("{}/api/v1/check-ins", browser.base);
    let http = browser.http().clone();
    let put = |day: &str, body: serde_json::Value| http.put(format!("{base}/{day}")).json(&body);
    let today = utc_today().to_string();
    let problem = |reply: &crate::support::Reply, status: u16| -> String {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.header("content-type"), "application/problem+json");
        let problem: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        problem["detail"].as_str().unwrap().to_owned()
    };

    let body = serde_json::json!({
        "energy": 4, "mood": 6, "sleep_hours": 7.25, "empathy": 1, "physical": ["tension"],
        "warning_signs": ["ruminating"], "restorer": "Choir practice", "note": "Quiet day."
    });
    let created = browser.request(put(&today, body)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let view: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    assert_eq!(view["energy"], 4);
    assert_eq!(view["sleep_hours"], 7.25);
    assert_eq!(view["warning_signs"], serde_json::json!(["ruminating"]));
    assert_eq!(view["note"], "Quiet day.");
    assert_eq!(view["backfilled"], false);

    // Today again changes it (200); the page shows the same check-in.
    let changed = browser.request(put(&today, serde_json::json!({"energy": 8}))).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert!(browser.get("/check-in").await.body.contains(r#"name="energy" value="8" checked"#));

    // An earlier day once, then never again.
    let earlier = days_ago(3).to_string();
    assert_eq!(browser.request(put(&earlier, serde_json::json!({"energy": 2}))).await.status, 201);
    let again = browser.request(put(&earlier, serde_json::json!({"energy": 9}))).await;
    assert!(problem(&again, 422).contains("You already checked in for that day"));

    // Reading back: one day, a range, and nothing of anyone else's.
    let one: serde_json::Value =
        serde_json::from_str(&browser.get(&format!("/api/v1/check-ins/{earlier}")).await.body).unwrap();
    assert_eq!((one["energy"].clone(), one["backfilled"].clone()), (serde_json::json!(2), serde_json::json!(true)));
    let listed: Vec<serde_json::Value> = serde_json::from_str(&browser.get("/api/v1/check-ins").await.body).unwrap();
    assert_eq!(
        listed.iter().map(|c| c["day"].as_str().unwrap().to_owned()).collect::<Vec<_>>(),
        vec![earlier.clone(), today.clone()]
    );
    let mut other = signed_in(&app, "ida@example.org").await;
    assert_eq!(other.get(&format!("/api/v1/check-ins/{earlier}")).await.status, 404);
    assert_eq!(other.get("/api/v1/check-ins").await.body, "[]");

    // Bad input of every kind is named and changes nothing.
    let tomorrow = utc_today().tomorrow().unwrap().to_string();
    let cases = [
        (today.as_str(), serde_json::json!({"energy": 11}), 422, "energy: Choose a number from 0 to 10."),
        (today.as_str(), serde_json::json!({"mood": 3}), 422, "energy: Choose how much energy"),
        (today.as_str(), serde_json::json!({"energy": 5, "empathy": -4}), 422, "empathy:"),
        (today.as_str(), serde_json::json!({"energy": 5, "sleep_hours": 30}), 422, "sleep_hours:"),
        (today.as_str(), serde_json::json!({"energy": 5, "physical": ["elbow"]}), 422, "physical: “elbow”"),
        (today.as_str(), serde_json::json!({"energy": 5, "warning_signs": ["numb"]}), 422, "signs:"),
        (today.as_str(), serde_json::json!({"energy": 5, "note": "n".repeat(2001)}), 422, "note:"),
        (tomorrow.as_str(), serde_json::json!({"energy": 5}), 422, "day: That date is in the future"),
        (today.as_str(), serde_json::json!({"energy": "high"}), 400, "not a valid check-in"),
        (today.as_str(), serde_json::json!({"energy": 5, "colour": "blue"}), 400, "unknown field"),
        ("not-a-day", serde_json::json!({"energy": 5}), 400, "is not a date"),
    ];
    for (day, body, status, expected) in cases {
        let detail = problem(&browser.request(put(day, body.clone())).await, status);
        assert!(detail.contains(expected), "{body}: {detail}");
    }
    assert_eq!(browser.get(&format!("/api/v1/check-ins/{today}")).await.body.matches("\"energy\":8").count(), 1);
    assert_eq!(browser.get("/api/v1/check-ins?from=2026-02-01&to=2026-01-01").await.status, 400);
    assert_eq!(browser.get("/api/v1/check-ins?from=2010-01-01&to=2026-01-01").await.status, 400);

    // Signed out: 401.
    let mut stranger = Browser::new(&app);
    assert_eq!(stranger.get("/api/v1/check-ins").await.status, 401);
}
