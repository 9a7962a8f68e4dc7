//! The private journal through HTTP: starting it and its recovery key, writing with an
//! autosaved draft, search, edit, export, locking, per-session unlocking, a password change
//! that keeps it open, recovery after a reset, other people's entries, the raw database,
//! and bad input.

use ballast_web::WebConfig;

use crate::support::{
    Browser, NEW_PASSWORD, PASSWORD, RawDatabase, Reply, TestApp, fresh_postgres_store, serve, spawn_app,
};

const ENTRY: &str = "The Thursday visit stayed with me: the smell of the hallway, the kid's drawing on the fridge.\nI walked home the long way.";

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    assert_eq!(browser.register(email, PASSWORD).await.status, 303);
    browser
}

/// Starts the journal and returns the recovery key the page shows once.
async fn start(browser: &mut Browser) -> String {
    let started = browser.post("/journal/start", &[("understood", "on"), ("password", PASSWORD)]).await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(started.header("cache-control"), "no-store");
    started.assert_contains("shown <strong>only this once</strong>");
    started.body.split("id=\"recovery-key\">").nth(1).unwrap().split('<').next().unwrap().to_owned()
}

async fn write(browser: &mut Browser, prompt: &str, body: &str) -> String {
    let saved = browser.post("/journal/new", &[("prompt", prompt), ("body", body)]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let location = saved.location().to_owned();
    assert!(location.starts_with("/journal/") && location.ends_with("?saved=1"), "{location}");
    location.trim_end_matches("?saved=1").to_owned()
}

fn escaped(text: &str) -> String {
    text.replace('\'', "&#39;")
}

async fn journey(app: &TestApp) {
    let email = "rhea@example.org";
    let mut browser = signed_in(app, email).await;
    browser.get("/journal").await.assert_contains("Before you start: the recovery key");

    // Starting needs the box ticked and the right password; nothing is created otherwise.
    let refused = browser.post("/journal/start", &[("password", PASSWORD)]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("Tick the box");
    let refused = browser.post("/journal/start", &[("understood", "on"), ("password", "not my password at all")]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("That is not your current password.");
    browser.get("/journal").await.assert_contains("Before you start");

    let recovery_key = start(&mut browser).await;
    assert_eq!(recovery_key.len(), 39, "{recovery_key}");
    let again = browser.post("/journal/start", &[("understood", "on"), ("password", PASSWORD)]).await;
    assert_eq!(again.status, 422, "a journal is started once");
    browser.get("/journal").await.assert_contains("Nothing written yet");

    // A draft kept by the script, then the entry.
    let draft = browser
        .post("/journal/draft", &[("autosave", "1"), ("prompt", "stayed"), ("body", "The Thursday visit")])
        .await;
    assert_eq!(draft.status, 204);
    browser
        .get("/journal/new")
        .await
        .assert_contains(">The Thursday visit</textarea>")
        .assert_contains(r#"value="stayed" checked"#);
    browser.get("/journal").await.assert_contains("Carry on with your draft");
    let entry = write(&mut browser, "stayed", ENTRY).await;
    let shown = browser.get(&format!("{entry}?saved=1")).await;
    shown
        .assert_contains("Saved your entry.")
        .assert_contains(&escaped(ENTRY))
        .assert_contains("What stayed with me today?");
    assert!(browser.get("/journal/new").await.body.contains("></textarea>"), "the draft is gone once saved");

    // Search one's own words.
    write(&mut browser, "", "Supervision helped. We talked about boundaries.").await;
    let found = browser.get("/journal?q=thursday+HALLWAY").await;
    found
        .assert_contains("Entries with “thursday HALLWAY”")
        .assert_contains(&escaped("The Thursday visit stayed with me"));
    assert!(!found.body.contains("Supervision helped"));
    browser.get("/journal?q=river").await.assert_contains("No entry has all of those words.");

    // Edit, then export everything.
    let edited = browser
        .post(&format!("{entry}/edit"), &[("prompt", "restored"), ("body", "Rewritten: the walk home helped.")])
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    browser.get(&entry).await.assert_contains("Rewritten: the walk home helped.").assert_contains("What restored me");
    let export = browser.get("/journal/export").await;
    assert_eq!(export.status, 200);
    assert!(export.header("content-type").starts_with("text/markdown"));
    assert!(export.header("content-disposition").contains("ballast-journal.md"));
    assert!(export.body.contains("Rewritten: the walk home helped.") && export.body.contains("Supervision helped."));

    // Another sign-in of the same person starts locked: unlocking is per session.
    let mut phone = Browser::new(app);
    assert_eq!(phone.sign_in(email, PASSWORD).await.status, 303);
    phone.get("/journal").await.assert_contains("Your journal is locked.");
    assert_eq!(phone.get(&entry).await.location(), "/journal");
    assert_eq!(phone.get("/journal/export").await.location(), "/journal");
    let wrong = phone.post("/journal/unlock", &[("password", "guess guess guess")]).await;
    assert_eq!(wrong.status, 422);
    wrong.assert_contains("That is not your current password.");
    let opened = phone.post("/journal/unlock", &[("password", PASSWORD)]).await;
    assert_eq!(opened.status, 303);
    phone.get(&entry).await.assert_contains("Rewritten: the walk home helped.");

    // Locking locks it everywhere.
    let locked = browser.post("/journal/lock", &[]).await;
    browser.get(locked.location()).await.assert_contains("Your journal is locked on every device.");
    phone.get("/journal").await.assert_contains("Your journal is locked.");

    // Deleting an entry.
    browser.post("/journal/unlock", &[("password", PASSWORD)]).await;
    let deleted = browser.post(&format!("{entry}/delete"), &[]).await;
    assert_eq!(deleted.location(), "/journal?notice=deleted");
    assert_eq!(browser.get(&entry).await.status, 404);
    let _ = recovery_key;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_journey_on_sqlite() {
    journey(&spawn_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_journey_on_postgres() {
    let Some(store) = fresh_postgres_store().await else { return };
    journey(&serve(store, WebConfig::default()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_and_drafts_are_not_in_the_database_file() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "sol@example.org").await;
    let recovery_key = start(&mut browser).await;
    write(&mut browser, "story", "Marigold lantern: the phrase nobody else would write").await;
    browser.post("/journal/draft", &[("autosave", "1"), ("body", "Quillwort drafting words")]).await;
    let raw = RawDatabase::read(&app);
    let contains = |needle: &str| raw.contains(needle);
    assert!(!contains("Marigold lantern"), "an entry is in the database file as plain text");
    assert!(!contains("Quillwort drafting"), "a draft is in the database file as plain text");
    assert!(!contains(&recovery_key) && !contains(&recovery_key.replace('-', "")), "the recovery key is stored");
}

/// An argon2id hash of `password`, as an operator's reset would store.
fn hash_of(password: &str) -> String {
    use argon2::PasswordHasher;
    let salt = argon2::password_hash::SaltString::encode_b64(b"sixteen byte slt").unwrap();
    argon2::Argon2::default().hash_password(password.as_bytes(), &salt).unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_keeps_the_journal_and_a_reset_needs_the_recovery_key() {
    let app = spawn_app().await;
    let email = "tomas@example.org";
    let mut browser = signed_in(&app, email).await;
    let recovery_key = start(&mut browser).await;
    let entry = write(&mut browser, "value", "Why I still do this work: the small turns.").await;

    // Changing the password seals the journal again under the new one.
    let changed =
        browser.post("/account/password", &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD)]).await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let mut laptop = Browser::new(&app);
    assert_eq!(laptop.sign_in(email, NEW_PASSWORD).await.status, 303);
    assert_eq!(laptop.post("/journal/unlock", &[("password", NEW_PASSWORD)]).await.status, 303);
    laptop.get(&entry).await.assert_contains("Why I still do this work");

    // A reset (a new password set without the old one) leaves the journal sealed under the
    // old password: only the recovery key opens it.
    let user = app.store.user_credentials(&ballast_core::Email::parse(email).unwrap()).await.unwrap().unwrap().user.id;
    let reset_password = "a brand new reset passphrase";
    app.store.set_password(user, &hash_of(reset_password), None).await.unwrap();
    let mut after = Browser::new(&app);
    assert_eq!(after.sign_in(email, reset_password).await.status, 303);
    let refused = after.post("/journal/unlock", &[("password", reset_password)]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("sealed under an earlier one");
    let wrong_key = "0000-0000-0000-0000-0000-0000-0000-0000";
    let refused = after.post("/journal/recover", &[("recovery_key", wrong_key), ("password", reset_password)]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("does not open this journal");
    let refused = after.post("/journal/recover", &[("recovery_key", "not a key"), ("password", reset_password)]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("eight groups of four");
    let sloppy = recovery_key.to_lowercase().replace('-', " ");
    let recovered = after.post("/journal/recover", &[("recovery_key", &sloppy), ("password", reset_password)]).await;
    assert_eq!(recovered.location(), "/journal?notice=recovered", "{}", recovered.body);
    after.get(&entry).await.assert_contains("Why I still do this work");

    // From then on the reset password opens it.
    after.post("/journal/lock", &[]).await;
    assert_eq!(after.post("/journal/unlock", &[("password", reset_password)]).await.status, 303);
    after.get(&entry).await.assert_contains("Why I still do this work");

    // Without a recovery key, the only way on is to delete the journal and start again.
    let refused = after.post("/journal/discard", &[("discard_password", reset_password)]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("Tick the box to confirm");
    let refused = after.post("/journal/discard", &[("discard_understood", "on"), ("discard_password", "wrong")]).await;
    assert_eq!(refused.status, 422);
    after.get(&entry).await.assert_contains("Why I still do this work");
    let discarded =
        after.post("/journal/discard", &[("discard_understood", "on"), ("discard_password", reset_password)]).await;
    assert_eq!(discarded.location(), "/journal?notice=discarded");
    after
        .get(discarded.location())
        .await
        .assert_contains("Your old journal and its entries are deleted.")
        .assert_contains("Before you start");
    assert!(app.store.journal_entries(user).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_entries_and_other_peoples_entries() {
    let app = spawn_app().await;
    let mut owner = signed_in(&app, "uma@example.org").await;
    start(&mut owner).await;
    let entry = write(&mut owner, "", "Mine alone.").await;

    let empty = owner.post("/journal/new", &[("body", "   \n ")]).await;
    assert_eq!(empty.status, 422);
    empty.assert_contains("Write something before saving");
    let long = "word ".repeat(4000);
    let too_long: Reply = owner.post("/journal/new", &[("body", &long)]).await;
    assert_eq!(too_long.status, 422);
    too_long.assert_contains("an entry can be up to 16 KB").assert_contains("word word word");
    let odd_prompt = owner.post("/journal/new", &[("prompt", "gossip"), ("body", "text")]).await;
    assert_eq!(odd_prompt.status, 422);
    odd_prompt.assert_contains("Choose one of the prompts");
    let megabyte = "x".repeat(1024 * 1024);
    let huge = owner.post("/journal/new", &[("body", &megabyte)]).await;
    assert_eq!(huge.status, 413);
    huge.assert_contains("Nothing was saved");
    assert_eq!(owner.get("/journal/not-a-token").await.status, 404);
    assert_eq!(owner.get(&format!("/journal/{}", "ab".repeat(16))).await.status, 404);
    assert!(owner.get("/journal").await.body.contains("Mine alone."), "only the good entry was saved");

    // Someone else, with a journal of their own, cannot reach it.
    let mut other = signed_in(&app, "vik@example.org").await;
    assert_eq!(other.get(&entry).await.location(), "/journal", "no journal yet: sent to start one");
    start(&mut other).await;
    assert_eq!(other.get(&entry).await.status, 404);
    assert_eq!(other.get(&format!("{entry}/edit")).await.status, 404);
    assert_eq!(other.post(&format!("{entry}/edit"), &[("body", "overwritten")]).await.status, 404);
    assert_eq!(other.post(&format!("{entry}/delete"), &[]).await.status, 404);
    owner.get(&entry).await.assert_contains("Mine alone.");
}
