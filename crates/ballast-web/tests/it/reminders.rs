//! Reminders through HTTP: the settings page (bad times refused with what was typed kept),
//! the calendar feed (made, fetched without a session, read back with `ballast_calendar` to
//! check times, recurrence and zone, renewed and revoked), other people's feeds and settings
//! out of reach, "your check-in for today" in the home page's due-now list, and email
//! reminders sent to a real SMTP server started by the test (`crate::smtp`): exactly once
//! with two instances racing, retried with back-off when the server refuses, never when
//! email is off.

use std::collections::BTreeSet;

use ballast_calendar::{Window, read_calendar};
use ballast_core::incident::{IncidentKind, IncidentRole};
use ballast_core::{Email, TimeZoneName, UserId};
use ballast_store::{Job, NewIncident, ReminderSettings, Store};
use ballast_web::{AppState, MailConfig, ReminderRun, WebConfig, run_reminders_once};
use jiff::civil::time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::smtp::{Answer, SmtpServer};
use crate::support::{Browser, PASSWORD, Reply, TestApp, fresh_postgres_store, serve, spawn_app, test_instance_key};

async fn signed_in(app: &TestApp, email: &str, zone: &str) -> Browser {
    let mut browser = Browser::new(app);
    assert_eq!(browser.register(email, PASSWORD).await.status, 303);
    assert_eq!(browser.post("/account/time-zone", &[("time_zone", zone)]).await.status, 303);
    browser
}

async fn user_id(app: &TestApp, email: &str) -> UserId {
    app.store.user_credentials(&Email::parse(email).unwrap()).await.unwrap().unwrap().user.id
}

/// Makes (or renews) the feed and returns its address, which the page shows once.
async fn make_feed(browser: &mut Browser) -> String {
    let made = browser.post("/account/reminders/feed", &[]).await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(made.header("cache-control"), "no-store", "the address is never cached");
    made.assert_contains("shown only this once");
    made.body.split("id=\"feed-url\">").nth(1).unwrap().split('<').next().unwrap().to_owned()
}

/// Fetches a feed the way a calendar app does: no cookies, no session.
async fn fetch(url: &str) -> Reply {
    let mut app_client = Browser::at("http://unused");
    app_client.request(app_client.http().get(url)).await
}

fn path_of(url: &str) -> &str {
    &url[url.find("/calendar/").unwrap()..]
}

async fn settings_journey(app: &TestApp) {
    let mut browser = signed_in(app, "ines@example.org", "Europe/London").await;
    let page = browser.get("/account/reminders").await;
    assert_eq!(page.status, 200);
    page.assert_contains("This server does not send email").assert_contains("Europe/London");
    assert!(!page.body.contains("id=\"email\""), "email is not offered without a mail server");
    assert!(browser.get("/account").await.body.contains("href=\"/account/reminders\""));

    // Bad times: 422, a message for each, what was typed kept, nothing saved.
    let bad = browser.post("/account/reminders", &[("check_in_at", "25:00"), ("self_care_at", "half twelve")]).await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("<title>Error: Reminders")
        .assert_contains("Check-in reminder: Enter a time as hours and minutes on the 24-hour clock")
        .assert_contains("Time for yourself: Enter a time")
        .assert_contains(r#"value="25:00""#)
        .assert_contains(r#"value="half twelve""#);
    let one_bad = browser.post("/account/reminders", &[("check_in_at", "08:30"), ("self_care_at", "12:3")]).await;
    assert_eq!(one_bad.status, 422);
    one_bad.assert_contains(r#"value="08:30""#).assert_contains(r#"value="12:3""#);
    assert!(!one_bad.body.contains("Check-in reminder:"), "only the bad field is flagged");
    let ines = user_id(app, "ines@example.org").await;
    assert_eq!(app.store.reminder_settings(ines).await.unwrap(), None, "nothing half-saved");

    // Good times are saved; asking for email without a mail server turns nothing on.
    let saved = browser
        .post("/account/reminders", &[("check_in_at", "8:30"), ("self_care_at", "12:30"), ("email", "on")])
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), "/account/reminders?saved=1");
    browser
        .get(saved.location())
        .await
        .assert_contains("Saved your reminders.")
        .assert_contains(r#"value="08:30""#)
        .assert_contains(r#"value="12:30""#);
    let stored = app.store.reminder_settings(ines).await.unwrap().unwrap();
    assert_eq!(
        (stored.check_in_at, stored.self_care_at, stored.email),
        (Some(time(8, 30, 0, 0)), Some(time(12, 30, 0, 0)), false)
    );

    // Emptying a field removes that reminder.
    assert_eq!(browser.post("/account/reminders", &[("check_in_at", "08:30"), ("self_care_at", "")]).await.status, 303);
    assert_eq!(app.store.reminder_settings(ines).await.unwrap().unwrap().self_care_at, None);

    // Someone else sees their own (empty) settings, never ines's.
    let mut other = signed_in(app, "tomas@example.org", "UTC").await;
    let theirs = other.get("/account/reminders").await;
    assert!(!theirs.body.contains(r#"value="08:30""#), "{}", theirs.body);
    assert_eq!(Browser::new(app).get("/account/reminders").await.status, 303, "signed out: sent to sign in");
}

#[tokio::test]
async fn reminder_settings_are_checked_saved_and_kept_to_their_owner_on_sqlite() {
    settings_journey(&spawn_app().await).await;
}

#[tokio::test]
async fn reminder_settings_are_checked_saved_and_kept_to_their_owner_on_postgres() {
    let Some(store) = fresh_postgres_store().await else { return };
    settings_journey(&serve(store, Default::default()).await).await;
}

async fn feed_journey(app: &TestApp) {
    let email = "noor@example.org";
    let mut browser = signed_in(app, email, "Europe/London").await;
    let saved = browser.post("/account/reminders", &[("check_in_at", "08:30"), ("self_care_at", "12:30")]).await;
    assert_eq!(saved.status, 303);
    let noor = user_id(app, email).await;
    let today = TimeZoneName::parse("Europe/London").unwrap().today(Timestamp::now());
    let incident = NewIncident {
        user_id: noor,
        occurred_on: today,
        kind: IncidentKind::ALL[0],
        role: IncidentRole::ALL[0],
        support: BTreeSet::new(),
        created_at: Timestamp::now(),
    };
    app.store.add_incident(incident).await.unwrap();

    browser.get("/account/reminders").await.assert_contains("Make my calendar address");
    let url = make_feed(&mut browser).await;
    assert!(url.starts_with(&app.base) && url.ends_with(".ics"), "{url}");
    let secret = path_of(&url).trim_start_matches("/calendar/").trim_end_matches(".ics");
    assert_eq!(secret.len(), 43, "256 random bits");
    let later = browser.get("/account/reminders").await;
    later.assert_contains("Your calendar address was made on").assert_contains("Get a new calendar address");
    assert!(!later.body.contains(secret), "the address is shown only once");

    let served = fetch(&url).await;
    assert_eq!(served.status, 200, "{}", served.body);
    assert_eq!(served.header("content-type"), "text/calendar; charset=utf-8");
    assert_eq!(served.header("cache-control"), "private, max-age=3600");
    assert!(served.set_cookies().is_empty(), "a feed sets no cookies");
    assert!(served.body.contains("TZID=Europe/London") && served.body.contains("BEGIN:VTIMEZONE"));
    for private in ["noor@", "ncident"] {
        assert!(!served.body.contains(private), "{private:?} in the feed:\n{}", served.body);
    }

    // Read back with the calendar reader, over a window that crosses the spring clock change.
    let start = Timestamp::now() - SignedDuration::from_hours(48);
    let window = Window { start, end: start + SignedDuration::from_hours(24 * 200) };
    let read = read_calendar(served.body.as_bytes(), window).expect("the feed is valid iCalendar");
    let london = TimeZoneName::parse("Europe/London").unwrap().zone();
    let check_ins: Vec<_> = read.events.iter().filter(|e| e.minutes == 10).collect();
    let self_care: Vec<_> = read.events.iter().filter(|e| e.minutes == 30).collect();
    assert_eq!(check_ins.len() + self_care.len(), read.events.len());
    assert!(check_ins.len() >= 197, "one check-in a day: {}", check_ins.len());
    // The window may end between a day's check-in and its self-care slot.
    assert!(check_ins.len().abs_diff(self_care.len()) <= 1);
    for (events, local) in [(&check_ins, time(8, 30, 0, 0)), (&self_care, time(12, 30, 0, 0))] {
        assert!(events.iter().all(|e| e.start.to_zoned(london.clone()).time() == local), "always {local} in London");
        let days: BTreeSet<_> = events.iter().map(|e| e.start.to_zoned(london.clone()).date()).collect();
        assert_eq!(days.len(), events.len(), "one a day");
        assert_eq!(days.first(), Some(&today), "starting the day they were set");
        let offsets: BTreeSet<_> = events.iter().map(|e| london.to_offset(e.start).seconds()).collect();
        assert_eq!(offsets, BTreeSet::from([0, 3600]), "in winter and summer time alike");
    }
    assert_eq!(read.skipped.all_day, 3, "the incident's three follow-ups, as all-day events");
    assert_eq!(read.unknown_time_zone, 0);
    let again = read_calendar(fetch(&url).await.body.as_bytes(), window).unwrap();
    assert_eq!(again.events, read.events, "stable UIDs: the same events on every fetch");

    // Unknown, malformed and other-shaped secrets: 404.
    for path in [
        format!("/calendar/{}.ics", "A".repeat(43)),
        "/calendar/short.ics".to_owned(),
        format!("/calendar/{secret}"),
        format!("/calendar/{secret}.ics.bak"),
    ] {
        assert_eq!(fetch(&format!("{}{path}", app.base)).await.status, 404, "{path}");
    }

    // Renewing: a new address, and the old one stops at once.
    let renewed = make_feed(&mut browser).await;
    assert_ne!(renewed, url);
    assert_eq!(fetch(&url).await.status, 404, "the old address ends");
    assert_eq!(fetch(&renewed).await.status, 200);

    // Someone else's feed holds only their own reminders, and they cannot touch noor's.
    let mut other = signed_in(app, "piet@example.org", "Asia/Tokyo").await;
    let theirs = make_feed(&mut other).await;
    let their_feed = fetch(&theirs).await;
    assert!(their_feed.body.contains("X-WR-TIMEZONE:Asia/Tokyo\r\n"));
    assert!(!their_feed.body.contains("BEGIN:VEVENT"), "piet set no reminders:\n{}", their_feed.body);
    assert_eq!(other.post("/account/reminders/feed/revoke", &[]).await.status, 303);
    assert_eq!(fetch(&renewed).await.status, 200, "revoking piet's feed leaves noor's");
    assert_eq!(fetch(&theirs).await.status, 404);

    // Revoking.
    let revoked = browser.post("/account/reminders/feed/revoke", &[]).await;
    assert_eq!(revoked.location(), "/account/reminders?revoked=1");
    browser
        .get(revoked.location())
        .await
        .assert_contains("no longer works")
        .assert_contains("Make my calendar address");
    assert_eq!(fetch(&renewed).await.status, 404, "a revoked address ends");
    assert_eq!(app.store.calendar_feed(noor).await.unwrap(), None);
}

#[tokio::test]
async fn the_calendar_feed_reads_back_and_can_be_renewed_and_revoked_on_sqlite() {
    feed_journey(&spawn_app().await).await;
}

#[tokio::test]
async fn the_calendar_feed_reads_back_and_can_be_renewed_and_revoked_on_postgres() {
    let Some(store) = fresh_postgres_store().await else { return };
    feed_journey(&serve(store, Default::default()).await).await;
}

#[tokio::test]
async fn today_s_check_in_is_due_once_its_reminder_time_passes_until_the_person_checks_in() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "ada@example.org", "UTC").await;
    assert!(!browser.get("/").await.body.contains("Your check-in for today"), "no reminder set, nothing due");

    // Midnight has always passed.
    assert_eq!(browser.post("/account/reminders", &[("check_in_at", "00:00")]).await.status, 303);
    let home = browser.get("/").await;
    home.assert_contains("Due now").assert_contains(r#"<a href="/check-in">Your check-in for today</a>"#);

    let today = TimeZoneName::utc().today(Timestamp::now()).to_string();
    assert_eq!(browser.post("/check-in", &[("day", &today), ("energy", "6")]).await.status, 303);
    let home = browser.get("/").await;
    assert!(!home.body.contains("Your check-in for today"), "done for today:\n{}", home.body);
}

// --- email reminders -------------------------------------------------------------------------

/// The served app's settings with email on; the background loop is off so the test drives it.
fn with_email(server: &SmtpServer) -> WebConfig {
    WebConfig {
        mail: Some(MailConfig { smtp_url: server.url(), from: "Ballast <ballast@example.org>".into() }),
        background_jobs: false,
        ..WebConfig::default()
    }
}

/// Another instance on the same database, as a second server behind a load balancer would
/// be, with `public_url` set so its emails carry a link.
fn instance(app: &TestApp, config: &WebConfig) -> AppState {
    let config = WebConfig { public_url: Some(app.base.clone()), ..config.clone() };
    AppState::new(app.store.clone(), config, test_instance_key())
}

/// Today (UTC) at a time of day.
fn today_at(hour: i8, minute: i8) -> Timestamp {
    let today = TimeZoneName::utc().today(Timestamp::now());
    today.at(hour, minute, 0, 0).to_zoned(TimeZone::UTC).unwrap().timestamp()
}

async fn wants_email_at_eight(app: &TestApp, email: &str) -> UserId {
    let mut browser = signed_in(app, email, "UTC").await;
    let page = browser.get("/account/reminders").await;
    page.assert_contains("Also send my check-in reminder by email");
    assert!(!page.body.contains("does not send email"));
    let saved = browser.post("/account/reminders", &[("check_in_at", "08:00"), ("email", "on")]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    browser.get("/account/reminders").await.assert_contains(r#"name="email" checked"#);
    let user = user_id(app, email).await;
    assert!(app.store.reminder_settings(user).await.unwrap().unwrap().email);
    user
}

async fn only_job(store: &std::sync::Arc<dyn Store>, user: UserId) -> Job {
    let jobs = store.jobs_of(user).await.unwrap();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    jobs.into_iter().next().unwrap()
}

async fn one_email_with_two_instances_racing(app: TestApp, server: &SmtpServer, config: &WebConfig) {
    let mara = wants_email_at_eight(&app, "mara@example.org").await;
    let (first, second) = (instance(&app, config), instance(&app, config));

    assert_eq!(run_reminders_once(&first, today_at(7, 59)).await, ReminderRun::default(), "not yet");
    let morning = today_at(8, 5);
    let (a, b) = tokio::join!(run_reminders_once(&first, morning), run_reminders_once(&second, morning));
    assert_eq!((a.enqueued + b.enqueued, a.sent + b.sent, a.failed + b.failed), (1, 1, 0), "{a:?} {b:?}");

    let messages = server.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = &messages[0];
    assert_eq!(message.from, "<ballast@example.org>");
    assert_eq!(message.to, ["<mara@example.org>"]);
    assert!(message.data.contains("Subject: Your daily check-in\r\n"), "{}", message.data);
    assert!(message.data.contains(&format!("\r\n{}/check-in\r\n", app.base)), "{}", message.data);
    let settings = format!("\r\nTo turn them off: {}/account/reminders\r\n", app.base);
    assert!(message.data.contains(&settings), "{}", message.data);

    // Later passes, on either instance, send nothing more that day.
    for at in [morning, today_at(9, 0), today_at(10, 59)] {
        let run = run_reminders_once(&second, at).await;
        assert_eq!((run.enqueued, run.sent), (0, 0), "{run:?}");
    }
    assert_eq!(server.messages().len(), 1);
    let job = only_job(&app.store, mara).await;
    assert_eq!((job.attempts, job.done_at, job.last_error), (1, Some(morning), None));
}

#[tokio::test]
async fn a_reminder_email_is_sent_exactly_once_by_racing_instances_on_sqlite() {
    let server = SmtpServer::start(Answer::Accept).await;
    let config = with_email(&server);
    let app = crate::support::spawn_app_with(config.clone()).await;
    one_email_with_two_instances_racing(app, &server, &config).await;
}

#[tokio::test]
async fn a_reminder_email_is_sent_exactly_once_by_racing_instances_on_postgres() {
    let Some(store) = fresh_postgres_store().await else { return };
    let server = SmtpServer::start(Answer::Accept).await;
    let config = with_email(&server);
    one_email_with_two_instances_racing(serve(store, config.clone()).await, &server, &config).await;
}

#[tokio::test]
async fn a_refused_reminder_is_retried_later_and_later_then_given_up() {
    let server = SmtpServer::start(Answer::TryLater).await;
    let config = with_email(&server);
    let app = crate::support::spawn_app_with(config.clone()).await;
    let jo = wants_email_at_eight(&app, "jo@example.org").await;
    let runner = instance(&app, &config);

    let mut now = today_at(8, 0);
    let run = run_reminders_once(&runner, now).await;
    assert_eq!((run.enqueued, run.sent, run.failed), (1, 0, 1));
    // Each failure waits twice as long as the one before: 1, 2, 4 and 8 minutes.
    for (attempt, wait) in [(1, 1), (2, 2), (3, 4), (4, 8)] {
        let job = only_job(&app.store, jo).await;
        assert_eq!(job.attempts, attempt);
        assert!(job.last_error.as_deref().is_some_and(|e| e.contains("451")), "{job:?}");
        assert_eq!((job.run_at, job.done_at, job.locked_by), (now + SignedDuration::from_mins(wait), None, None));
        let early =
            run_reminders_once(&runner, now + SignedDuration::from_mins(wait) - SignedDuration::from_secs(1)).await;
        assert_eq!(early, ReminderRun::default(), "not before its time");
        assert_eq!(server.connections(), attempt as usize);
        now += SignedDuration::from_mins(wait);
        assert_eq!(run_reminders_once(&runner, now).await.failed, 1);
    }
    // The fifth try was the last.
    let job = only_job(&app.store, jo).await;
    assert_eq!((job.attempts, job.done_at, job.run_at), (5, Some(now), now));
    assert!(job.last_error.as_deref().is_some_and(|e| e.contains("451")));
    assert_eq!(run_reminders_once(&runner, now + SignedDuration::from_mins(60)).await, ReminderRun::default());
    assert_eq!(server.connections(), 5);
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn nothing_is_sent_when_email_is_off_or_the_person_has_checked_in() {
    let server = SmtpServer::start(Answer::Accept).await;
    let config = with_email(&server);
    let app = crate::support::spawn_app_with(config.clone()).await;
    let runner = instance(&app, &config);

    // Email reminders turned off by the person: a check-in time alone sends nothing.
    let mut browser = signed_in(&app, "kai@example.org", "UTC").await;
    assert_eq!(browser.post("/account/reminders", &[("check_in_at", "08:00")]).await.status, 303);
    let kai = user_id(&app, "kai@example.org").await;
    // Checked in already today: nothing to remind about.
    let lin = wants_email_at_eight(&app, "lin@example.org").await;
    let mut lins = Browser::new(&app);
    lins.sign_in("lin@example.org", PASSWORD).await;
    let today = TimeZoneName::utc().today(Timestamp::now()).to_string();
    assert_eq!(lins.post("/check-in", &[("day", &today), ("energy", "7")]).await.status, 303);
    // Turned off after the job was made: the job ends without sending.
    let ida = wants_email_at_eight(&app, "ida@example.org").await;
    let job = ballast_store::NewJob {
        kind: "check-in-email".into(),
        user_id: ida,
        dedupe: today.clone(),
        payload: format!(r#"{{"day":"{today}"}}"#),
        run_at: today_at(8, 0),
        created_at: today_at(8, 0),
    };
    assert!(app.store.enqueue_job(&job).await.unwrap());
    let off = ReminderSettings { email: false, ..app.store.reminder_settings(ida).await.unwrap().unwrap() };
    app.store.set_reminder_settings(ida, &off).await.unwrap();

    let run = run_reminders_once(&runner, today_at(8, 30)).await;
    assert_eq!(run, ReminderRun { enqueued: 0, sent: 0, failed: 0, skipped: 1 });
    assert!(app.store.jobs_of(kai).await.unwrap().is_empty());
    assert!(app.store.jobs_of(lin).await.unwrap().is_empty());
    let ended = only_job(&app.store, ida).await;
    assert_eq!(
        (ended.done_at, ended.last_error.as_deref()),
        (Some(today_at(8, 30)), Some("email reminders were turned off"))
    );
    assert_eq!(server.connections(), 0, "the mail server never heard from us");

    // An instance without email configured sends nothing, even to someone who asked for it.
    let mut wants = app.store.reminder_settings(ida).await.unwrap().unwrap();
    wants.email = true;
    app.store.set_reminder_settings(ida, &wants).await.unwrap();
    let no_mail = instance(&app, &WebConfig { background_jobs: false, ..WebConfig::default() });
    assert_eq!(run_reminders_once(&no_mail, today_at(8, 30)).await, ReminderRun::default());
    assert_eq!(app.store.jobs_of(ida).await.unwrap().len(), 1, "nothing new enqueued");
    assert_eq!(server.connections(), 0);
}
