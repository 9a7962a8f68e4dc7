//! Exposure, pacing and critical incidents through HTTP: importing a work calendar (again,
//! and broken), tagging, the week and day views with their flags, the pacing plan, incidents
//! and their follow-ups, other people's ids, and bad input of every kind.

use ballast_web::WebConfig;
use jiff::civil::Date;
use jiff::{Span, Timestamp};

use crate::support::{Browser, PASSWORD, Reply, TestApp, fresh_postgres_store, serve, spawn_app};

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    assert_eq!(browser.register(email, PASSWORD).await.status, 303);
    browser
}

fn utc_today() -> Date {
    Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

fn days_from_today(days: i32) -> Date {
    utc_today().checked_add(Span::new().days(days)).unwrap()
}

fn ics_day(day: Date) -> String {
    day.strftime("%Y%m%d").to_string()
}

/// A calendar shaped like a real export, with events relative to today: five sessions on one
/// day (two back to back, one over the lunch break, one in another time zone, one in the
/// evening), a weekly series, and an all-day and a cancelled event that are not sessions.
pub fn work_calendar(day: Date) -> String {
    let d = ics_day(day);
    let series_start = ics_day(days_from_today(-21));
    let event = |uid: &str, start: &str, end: &str, extra: &str| {
        format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART{start}\r\nDTEND{end}\r\nSUMMARY:Client {uid}\r\n{extra}END:VEVENT\r\n"
        )
    };
    [
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ballast tests//EN\r\n".to_owned(),
        event("a@test", &format!(":{d}T090000Z"), &format!(":{d}T095000Z"), ""),
        event("b@test", &format!(":{d}T095500Z"), &format!(":{d}T104500Z"), ""),
        event("c@test", &format!(":{d}T124000Z"), &format!(":{d}T133000Z"), ""),
        event(
            "d@test",
            &format!(";TZID=America/New_York:{d}T100000"),
            &format!(";TZID=America/New_York:{d}T103000"),
            "",
        ),
        event("e@test", &format!(":{d}T190000Z"), &format!(":{d}T200000Z"), ""),
        event(
            "series@test",
            &format!(":{series_start}T150000Z"),
            &format!(":{series_start}T160000Z"),
            "RRULE:FREQ=WEEKLY;COUNT=4\r\n",
        ),
        event(
            "allday@test",
            &format!(";VALUE=DATE:{d}"),
            &format!(";VALUE=DATE:{}", ics_day(day.tomorrow().unwrap())),
            "",
        ),
        event("cancelled@test", &format!(":{d}T160000Z"), &format!(":{d}T170000Z"), "STATUS:CANCELLED\r\n"),
        "END:VCALENDAR\r\n".to_owned(),
    ]
    .concat()
}

/// Uploads `bytes` as the calendar file, as the import form does (token in the address).
pub async fn upload(browser: &mut Browser, bytes: Vec<u8>) -> Reply {
    let csrf = browser.csrf();
    let part = reqwest::multipart::Part::bytes(bytes).file_name("work.ics").mime_str("text/calendar").unwrap();
    let form = reqwest::multipart::Form::new().part("calendar", part);
    let request = browser.http().post(format!("{}/exposure/import?csrf={csrf}", browser.base)).multipart(form);
    browser.request(request).await
}

async fn session_count(app: &TestApp, email: &str) -> usize {
    let email = ballast_core::Email::parse(email).unwrap();
    let user = app.store.user_credentials(&email).await.unwrap().unwrap().user.id;
    let from = Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24 * 800)).unwrap();
    let to = Timestamp::now().checked_add(jiff::SignedDuration::from_hours(24 * 400)).unwrap();
    app.store.work_sessions(user, from, to).await.unwrap().len()
}

/// The ids in `name="s-ID"` checkboxes or `/exposure/sessions/ID/delete` forms on a page.
fn ids_after(body: &str, marker: &str) -> Vec<String> {
    body.split(marker)
        .skip(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
        .filter(|id| !id.is_empty())
        .collect()
}

async fn journey(app: &TestApp) {
    let email = "ines@example.org";
    let mut browser = signed_in(app, email).await;
    browser.get("/exposure").await.assert_contains("No sessions recorded yet");

    // Import a calendar: nine sessions, two events that are not sessions.
    let day = days_from_today(-3);
    let imported = upload(&mut browser, work_calendar(day).into_bytes()).await;
    assert_eq!(imported.status, 303, "{}", imported.body);
    let result = browser.get(imported.location()).await;
    result.assert_contains("Imported 9 new sessions.").assert_contains("2 events were skipped");
    assert_eq!(session_count(app, email).await, 9);

    // The same file again changes nothing.
    let again = upload(&mut browser, work_calendar(day).into_bytes()).await;
    let result = browser.get(again.location()).await;
    result.assert_contains("Imported 0 new sessions.").assert_contains("9 were already here");
    assert_eq!(session_count(app, email).await, 9);

    // Untagged sessions count as routine and are offered for tagging, all nine.
    let week = browser.get(&format!("/exposure?week={day}")).await;
    week.assert_contains("no intensity yet").assert_contains("Back to back").assert_contains("No break");
    week.assert_contains("Outside your hours");
    assert!(!week.body.contains("Heavy content over your limit"), "untagged sessions are not heavy");
    let tag = browser.get("/exposure/tag").await;
    let ids = ids_after(&tag.body, "name=\"s-");
    assert_eq!(ids.len(), 9, "{}", tag.body);
    let mut fields: Vec<(String, String)> = ids.iter().map(|id| (format!("s-{id}"), "on".to_owned())).collect();
    fields.push(("intensity".into(), "heavy".into()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let tagged = browser.post("/exposure/tag", &fields).await;
    assert_eq!(tagged.status, 303, "{}", tagged.body);
    browser.get(tagged.location()).await.assert_contains("Tagged 9 sessions.").assert_contains("Every session");

    // Now the day is over the heavy-content limit too.
    let week = browser.get(&format!("/exposure?week={day}")).await;
    week.assert_contains("Heavy content over your limit").assert_contains("5 sessions with heavy or traumatic content");
    week.assert_contains("Yesterday was a day off");
    // A week in the past still says how today stands.
    let weeks_ago = browser.get(&format!("/exposure?week={}", days_from_today(-21))).await;
    weeks_ago.assert_contains("Yesterday was a day off");
    let day_page = browser.get(&format!("/exposure/day?date={day}")).await;
    day_page
        .assert_contains("09:00–09:50 · Client session · Heavy · 50 min · from your calendar")
        .assert_contains("09:50–09:55 · A gap of 5 min — shorter than the 10 minutes your plan leaves")
        .assert_contains("15:00–15:30")
        .assert_contains("19:00–20:00");

    // A session recorded by hand, then deleted.
    let today = utc_today().to_string();
    let added = browser
        .post(
            "/exposure/sessions/new",
            &[("day", &today), ("start", "07:00"), ("minutes", "30"), ("kind", "crisis"), ("intensity", "traumatic")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let shown = browser.get(added.location()).await;
    shown
        .assert_contains("Saved the session.")
        .assert_contains("07:00–07:30 · Crisis work · Traumatic content · 30 min");
    let delete = ids_after(&shown.body, "/exposure/sessions/");
    assert_eq!(session_count(app, email).await, 10);
    let deleted = browser.post(&format!("/exposure/sessions/{}/delete", delete[0]), &[("date", &today)]).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(deleted.location(), format!("/exposure/day?date={today}"));
    assert_eq!(session_count(app, email).await, 9);

    // A plan of one's own: a longer gap makes more runs back to back.
    let plan = browser.get("/exposure/plan").await;
    plan.assert_contains(r#"value="10""#);
    let saved = browser
        .post(
            "/exposure/plan",
            &[
                ("min_gap_minutes", "30"),
                ("max_heavy_sessions_per_day", "6"),
                ("max_heavy_minutes_per_day", "400"),
                ("max_consecutive_days", "5"),
                ("day_starts", "07:00"),
                ("day_ends", "21:00"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    browser.get(saved.location()).await.assert_contains("Saved.");
    let week = browser.get(&format!("/exposure?week={day}")).await;
    assert!(!week.body.contains("Outside your hours") && !week.body.contains("No break"), "{}", week.body);
    assert!(!week.body.contains("Heavy content over your limit"));
    week.assert_contains("where your plan leaves 30");

    // The load sits beside the check-ins on the insights page.
    browser.get("/insights").await.assert_contains("Your work load beside your check-ins").assert_contains("work-load");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exposure_journey_on_sqlite() {
    journey(&spawn_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exposure_journey_on_postgres() {
    let Some(store) = fresh_postgres_store().await else { return };
    journey(&serve(store, WebConfig::default()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_and_hostile_calendars_import_nothing() {
    let app = spawn_app().await;
    let email = "kofi@example.org";
    let mut browser = signed_in(&app, email).await;
    browser.get("/exposure/import").await;

    // A valid calendar with one broken event at the end: refused whole.
    let mut broken = work_calendar(days_from_today(-2));
    broken = broken.replace(
        "END:VCALENDAR\r\n",
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261340T250000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let refused = upload(&mut browser, broken.into_bytes()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    refused.assert_contains("We could not import that file").assert_contains("Nothing was imported.");

    let truncated = work_calendar(days_from_today(-2));
    let refused = upload(&mut browser, truncated.as_bytes()[..truncated.len() / 2].to_vec()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    refused.assert_contains("Nothing was imported.");

    // Deeply nested blocks.
    let nested =
        format!("BEGIN:VCALENDAR\r\n{}{}END:VCALENDAR\r\n", "BEGIN:X\r\n".repeat(200), "END:X\r\n".repeat(200));
    let refused = upload(&mut browser, nested.into_bytes()).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("Nothing was imported.");

    // Not a calendar at all, binary noise, an empty file, no file.
    for bytes in [b"Name,Start\nclient,09:00\n".to_vec(), vec![0xff, 0xfe, 0x00, 0x42, 0x00], Vec::new()] {
        let refused = upload(&mut browser, bytes).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        refused.assert_contains("We could not import that file");
    }
    let csrf = browser.csrf();
    let request = browser
        .http()
        .post(format!("{}/exposure/import?csrf={csrf}", browser.base))
        .multipart(reqwest::multipart::Form::new().text("other", "value"));
    let refused = browser.request(request).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("Choose a calendar file (.ics) to import.");

    // Too large.
    let huge = vec![b'X'; 11 * 1024 * 1024];
    let refused = upload(&mut browser, huge).await;
    assert!(refused.status == 413 || refused.status == 422, "{}", refused.status);
    refused.assert_contains("larger than 10 MB");

    // Without the token in the address, the upload is refused before it is read.
    let part = reqwest::multipart::Part::bytes(work_calendar(days_from_today(-2)).into_bytes()).file_name("a.ics");
    let request = browser
        .http()
        .post(format!("{}/exposure/import", browser.base))
        .multipart(reqwest::multipart::Form::new().part("calendar", part));
    assert_eq!(browser.request(request).await.status, 403);

    assert_eq!(session_count(&app, email).await, 0, "nothing was half-imported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sessions_and_plans_get_clear_messages() {
    let app = spawn_app().await;
    let email = "lena@example.org";
    let mut browser = signed_in(&app, email).await;
    let today = utc_today().to_string();
    let far_ahead = days_from_today(60).to_string();
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[("day", &today), ("start", "09:00"), ("minutes", "0"), ("kind", "group"), ("intensity", "heavy")],
            "from 1 to 1440",
        ),
        (
            &[("day", &today), ("start", "09:00"), ("minutes", "2000"), ("kind", "group"), ("intensity", "heavy")],
            "from 1 to 1440",
        ),
        (
            &[("day", &today), ("start", "nine"), ("minutes", "50"), ("kind", "group"), ("intensity", "heavy")],
            "such as 09:30",
        ),
        (
            &[("day", &far_ahead), ("start", "09:00"), ("minutes", "50"), ("kind", "group"), ("intensity", "heavy")],
            "more than a month ahead",
        ),
        (
            &[("day", "someday"), ("start", "09:00"), ("minutes", "50"), ("kind", "group"), ("intensity", "heavy")],
            "Enter the day as a date",
        ),
        (
            &[("day", &today), ("start", "09:00"), ("minutes", "50"), ("kind", "client names"), ("intensity", "awful")],
            "Choose what kind of work",
        ),
    ];
    for (fields, message) in cases {
        let reply = browser.post("/exposure/sessions/new", fields).await;
        assert_eq!(reply.status, 422, "{fields:?}");
        reply.assert_contains(message).assert_contains("Please check the form");
        assert!(reply.body.contains(r#"value="09:00""#) || fields[1].1 == "nine", "inputs are kept");
    }
    assert_eq!(session_count(&app, email).await, 0);

    let plan = |gap: &'static str, starts: &'static str, ends: &'static str| {
        vec![
            ("min_gap_minutes", gap),
            ("max_heavy_sessions_per_day", "3"),
            ("max_heavy_minutes_per_day", "180"),
            ("max_consecutive_days", "5"),
            ("day_starts", starts),
            ("day_ends", ends),
        ]
    };
    let reply = browser.post("/exposure/plan", &plan("-5", "08:00", "18:00")).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("Enter a whole number from 1 to 240.");
    let reply = browser.post("/exposure/plan", &plan("10", "18:00", "08:00")).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let reply = browser.post("/exposure/plan", &plan("10", "8 o'clock", "18:00")).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("Enter a time such as 08:30.");
    browser.get("/exposure/plan").await.assert_contains(r#"value="10""#);

    // Tagging nothing, or with no intensity, says so.
    let reply = browser.post("/exposure/tag", &[("intensity", "heavy")]).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("Tick the sessions you want to tag.");
    let reply = browser.post("/exposure/tag", &[("s-abc", "on"), ("intensity", "")]).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("We could not read the ticked sessions");

    for path in ["/exposure?week=last-tuesday", "/exposure/day?date=31-12-2026", "/exposure/day"] {
        let reply = browser.get(path).await;
        assert_eq!(reply.status, 400, "{path}");
        reply.assert_contains("written as a date");
    }
    assert_eq!(browser.post("/exposure/sessions/abc/delete", &[]).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_peoples_sessions_and_incidents_stay_theirs() {
    let app = spawn_app().await;
    let mut owner = signed_in(&app, "mara@example.org").await;
    let today = utc_today().to_string();
    let added = owner
        .post(
            "/exposure/sessions/new",
            &[
                ("day", &today),
                ("start", "10:00"),
                ("minutes", "50"),
                ("kind", "client_session"),
                ("intensity", "heavy"),
            ],
        )
        .await;
    let day = owner.get(added.location()).await;
    let session = ids_after(&day.body, "/exposure/sessions/").remove(0);
    let logged =
        owner.post("/incidents", &[("day", &today), ("kind", "violence_against_me"), ("role", "involved")]).await;
    assert_eq!(logged.status, 303, "{}", logged.body);
    let incident = logged.location().trim_start_matches("/incidents/").split('?').next().unwrap().to_owned();

    let mut other = signed_in(&app, "noor@example.org").await;
    assert_eq!(other.post(&format!("/exposure/sessions/{session}/delete"), &[]).await.status, 404);
    let tagged = other.post("/exposure/tag", &[(&format!("s-{session}"), "on"), ("intensity", "routine")]).await;
    assert_eq!(tagged.status, 303);
    other.get(tagged.location()).await.assert_contains("Tagged 0 sessions.");
    assert_eq!(other.get(&format!("/incidents/{incident}")).await.status, 404);
    assert_eq!(other.get(&format!("/incidents/{incident}/follow-up/next_day")).await.status, 404);
    let answer = other.post(&format!("/incidents/{incident}/follow-up/next_day"), &[("still_with_me", "a_lot")]).await;
    assert_eq!(answer.status, 404);
    assert_eq!(other.post(&format!("/incidents/{incident}/delete"), &[]).await.status, 404);
    assert!(!other.get(&format!("/exposure/day?date={today}")).await.body.contains("10:00–10:50"));

    // The owner's data is untouched.
    owner.get(&format!("/exposure/day?date={today}")).await.assert_contains("10:00–10:50 · Client session · Heavy");
    owner.get(&format!("/incidents/{incident}")).await.assert_contains("Violence or a threat against me");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_follow_ups_come_due_and_offer_support() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "olu@example.org").await;
    browser.get("/incidents").await.assert_contains("Log this incident");

    // Bad input first: nothing is logged.
    let tomorrow = days_from_today(1).to_string();
    let reply = browser.post("/incidents", &[("day", &tomorrow), ("kind", "death"), ("role", "witnessed")]).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("That date is in the future.");
    let reply = browser.post("/incidents", &[("day", "")]).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("Choose what happened").assert_contains("Choose how you were part of it.");
    let reply = browser.post("/incidents", &[("kind", "death"), ("role", "witnessed"), ("support-gossip", "on")]).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("not one we know");

    // Logged a month ago: all three checks are due, on the home page too.
    let month_ago = days_from_today(-30).to_string();
    let logged = browser
        .post(
            "/incidents",
            &[("day", &month_ago), ("kind", "death"), ("role", "witnessed"), ("support-colleague", "on")],
        )
        .await;
    assert_eq!(logged.status, 303, "{}", logged.body);
    let incident = browser.get(logged.location()).await;
    incident.assert_contains("A colleague or peer");
    let home = browser.get("/").await;
    home.assert_contains("Due now")
        .assert_contains("The next day check after the death of someone I work with")
        .assert_contains("After four weeks check");
    let base = logged.location().split('?').next().unwrap().to_owned();

    // An answer is required; then each check is recorded.
    let reply = browser.post(&format!("{base}/follow-up/next_day"), &[]).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("Choose how much it is still with you.");
    assert_eq!(browser.post(&format!("{base}/follow-up/someday"), &[("still_with_me", "a_lot")]).await.status, 404);
    for (step, answer) in [("next_day", "a_lot"), ("one_week", "sometimes")] {
        let saved = browser.post(&format!("{base}/follow-up/{step}"), &[("still_with_me", answer)]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
    }
    let four_weeks = browser.get(&format!("{base}/follow-up/four_weeks")).await;
    four_weeks.assert_contains("PC-PTSD-5");
    assert!(!browser.get(&base).await.body.contains("still weighing on you"), "not offered before four weeks");
    let saved = browser.post(&format!("{base}/follow-up/four_weeks"), &[("still_with_me", "a_lot")]).await;
    assert_eq!(saved.status, 303);
    let incident = browser.get(&base).await;
    incident.assert_contains("It sounds like this is still weighing on you").assert_contains("Nobody has been told.");
    assert!(!browser.get("/").await.body.contains("Due now"), "nothing is due once answered");

    // A check that is not due yet cannot be answered.
    let today = utc_today().to_string();
    let logged = browser.post("/incidents", &[("day", &today), ("kind", "other"), ("role", "heard_after")]).await;
    let base = logged.location().split('?').next().unwrap().to_owned();
    let early = browser.post(&format!("{base}/follow-up/four_weeks"), &[("still_with_me", "not_really")]).await;
    assert_eq!(early.status, 422);
    early.assert_contains("it is not due yet");

    // Deleting an incident removes it and its follow-ups.
    let deleted = browser.post(&format!("{base}/delete"), &[]).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(browser.get(&base).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_records_sessions_with_the_same_rules() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "wim@example.org").await;
    let base = format!("{}/api/v1/work-sessions", browser.base);
    let http = browser.http().clone();
    let today = utc_today().to_string();
    let problem = |reply: &Reply, status: u16| -> String {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.header("content-type"), "application/problem+json");
        serde_json::from_str::<serde_json::Value>(&reply.body).unwrap()["detail"].as_str().unwrap().to_owned()
    };

    let body = serde_json::json!({
        "day": today, "start": "09:30", "minutes": 50, "kind": "crisis", "intensity": "traumatic", "debriefed": true
    });
    let created = browser.request(http.post(&base).json(&body)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let view: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    assert_eq!((view["day"].as_str(), view["start_time"].as_str()), (Some(today.as_str()), Some("09:30")));
    assert_eq!((view["kind"].as_str(), view["intensity"].as_str()), (Some("crisis"), Some("traumatic")));
    assert_eq!((view["minutes"].as_u64(), view["debriefed"].as_bool()), (Some(50), Some(true)));
    assert!(view["start"].as_str().unwrap().ends_with('Z'));
    let id = view["id"].as_i64().unwrap();
    browser.get(&format!("/exposure/day?date={today}")).await.assert_contains("09:30–10:20 · Crisis work");

    // The same rules as the form, named by field; unknown fields and wrong types refused.
    let bad = serde_json::json!({"day": today, "start": "9h", "minutes": 0, "kind": "therapy", "intensity": "awful"});
    let detail = problem(&browser.request(http.post(&base).json(&bad)).await, 422);
    for field in ["start:", "minutes:", "kind:", "intensity:"] {
        assert!(detail.contains(field), "{field} in {detail}");
    }
    let named = serde_json::json!({"day": today, "start": "09:00", "minutes": 30, "kind": "crisis", "intensity": "heavy", "client": "J. Smith"});
    assert!(problem(&browser.request(http.post(&base).json(&named)).await, 400).contains("client"));
    let wrong_type = serde_json::json!({"day": today, "start": "09:00", "minutes": "thirty", "kind": "crisis", "intensity": "heavy"});
    problem(&browser.request(http.post(&base).json(&wrong_type)).await, 400);
    let form = http.post(&base).header("content-type", "application/x-www-form-urlencoded").body("day=x");
    assert_eq!(browser.request(form).await.status, 415);

    // Listing, and a range that is too long or backwards.
    let listed: serde_json::Value = serde_json::from_str(&browser.request(http.get(&base)).await.body).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let too_long = format!("{base}?from={}&to={today}", days_from_today(-400));
    assert!(problem(&browser.request(http.get(&too_long)).await, 400).contains("at most 366 days"));
    let backwards = format!("{base}?from={today}&to={}", days_from_today(-1));
    problem(&browser.request(http.get(&backwards)).await, 400);

    // Someone else sees none of it and cannot delete it; the owner can.
    let mut other = signed_in(&app, "xan@example.org").await;
    let theirs: serde_json::Value = serde_json::from_str(&other.request(other.http().get(&base)).await.body).unwrap();
    assert!(theirs.as_array().unwrap().is_empty());
    assert_eq!(other.request(other.http().delete(format!("{base}/{id}"))).await.status, 404);
    assert_eq!(browser.request(http.delete(format!("{base}/{id}"))).await.status, 204);
    assert_eq!(browser.request(http.delete(format!("{base}/{id}"))).await.status, 404);
    assert_eq!(browser.request(http.delete(format!("{base}/abc"))).await.status, 404);
    let signed_out = Browser::new(&app).request(reqwest::Client::new().get(&base)).await;
    assert_eq!(signed_out.status, 401);
}
