//! The journeys a person takes, end to end over HTTP, on SQLite and (when configured) on
//! PostgreSQL, including two servers sharing one PostgreSQL database.

use std::sync::Arc;

use ballast_core::{Email, Role};
use ballast_store::Store;
use ballast_web::WebConfig;

use crate::support::{Browser, NEW_PASSWORD, PASSWORD, TestApp, fresh_postgres_store, serve, spawn_app};

/// register → sign out → sign in → change password → delete, checking the store at each step.
async fn whole_account_journey(app: &TestApp) {
    let mut browser = Browser::new(app);
    let home = browser.get("/").await;
    assert_eq!(home.status, 200);
    home.assert_contains("Create an account");

    let registered = browser.register("Robin.Hale@Example.org", PASSWORD).await;
    assert_eq!(registered.status, 303, "{}", registered.body);
    assert_eq!(registered.location(), "/");
    browser.get("/").await.assert_contains("Welcome back");
    let account = browser.get("/account").await;
    account.assert_contains("robin.hale@example.org").assert_contains("Administrator");

    let email = Email::parse("robin.hale@example.org").unwrap();
    let user = app.store.user_credentials(&email).await.unwrap().unwrap().user;
    assert_eq!(user.role, Role::Admin, "the first account administers the instance");

    let signed_out = browser.sign_out().await;
    assert_eq!(signed_out.status, 303);
    assert_eq!(signed_out.location(), "/?notice=signed-out");
    assert!(browser.session_cookie().is_none());
    assert!(app.store.sessions_of(user.id).await.unwrap().is_empty(), "sign-out ends the session on the server");
    let account = browser.get("/account").await;
    assert_eq!(account.status, 303);
    assert_eq!(account.location(), "/sign-in?next=/account");

    let signed_in = browser.sign_in("robin.hale@example.org", PASSWORD).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    browser.get("/account").await.assert_contains("robin.hale@example.org");

    // A second device, which the password change must sign out.
    let mut phone = Browser::new(app);
    phone.user_agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1".into();
    assert_eq!(phone.sign_in("robin.hale@example.org", PASSWORD).await.status, 303);
    browser.get("/account/sessions").await.assert_contains("Safari on iPhone").assert_contains("This device");

    let changed =
        browser.post("/account/password", &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD)]).await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    browser.get("/account?notice=password-changed").await.assert_contains("Your password has been changed");
    assert_eq!(phone.get("/account").await.status, 303, "the other device is signed out");
    assert_eq!(app.store.sessions_of(user.id).await.unwrap().len(), 1);

    browser.sign_out().await;
    assert_eq!(browser.sign_in("robin.hale@example.org", PASSWORD).await.status, 422, "old password no longer works");
    assert_eq!(browser.sign_in("robin.hale@example.org", NEW_PASSWORD).await.status, 303);

    let deleted = browser.post("/account/delete", &[("password", NEW_PASSWORD)]).await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert_eq!(deleted.location(), "/?notice=deleted");
    browser.get("/?notice=deleted").await.assert_contains("have been deleted");
    assert!(app.store.user(user.id).await.unwrap().is_none());
    let left = app.store.user_row_counts(user.id).await.unwrap();
    assert!(left.iter().all(|(_, count)| *count == 0), "rows left behind: {left:?}");
    assert_eq!(browser.sign_in("robin.hale@example.org", NEW_PASSWORD).await.status, 422);
}

#[tokio::test]
async fn whole_account_journey_on_sqlite() {
    whole_account_journey(&spawn_app().await).await;
}

#[tokio::test]
async fn whole_account_journey_on_postgres() {
    let Some(store) = fresh_postgres_store().await else { return };
    whole_account_journey(&serve(store, WebConfig::default()).await).await;
}

/// Two `ballast serve` instances on one PostgreSQL database: a session started on one works
/// on the other, and ending it on one ends it everywhere.
#[tokio::test]
async fn two_instances_share_one_postgres_database() {
    let Some(store) = fresh_postgres_store().await else { return };
    let first = serve(store.clone(), WebConfig::default()).await;
    let second = serve(Arc::clone(&store) as Arc<dyn Store>, WebConfig::default()).await;

    let mut browser = Browser::new(&first);
    assert_eq!(browser.register("kai@example.org", PASSWORD).await.status, 303);
    browser.base = second.base.clone();
    browser.get("/account").await.assert_contains("kai@example.org");
    assert_eq!(browser.sign_out().await.status, 303);

    // Replaying the old cookie on the first instance fails: the session is gone from the
    // shared database, not just from one process.
    let mut replay = Browser::new(&first);
    replay.cookies = browser.cookies.clone();
    assert!(replay.session_cookie().is_none());
    let mut stolen = Browser::new(&first);
    assert_eq!(stolen.sign_in("kai@example.org", PASSWORD).await.status, 303);
    let cookie = stolen.session_cookie().unwrap().clone();
    let mut other = Browser::at(&second.base);
    other.cookies.insert("__Host-ballast-session".into(), cookie);
    other.get("/account").await.assert_contains("kai@example.org");
    stolen.sign_out().await;
    assert_eq!(other.get("/account").await.status, 303);
}

#[tokio::test]
async fn only_the_first_account_is_an_administrator() {
    let app = spawn_app().await;
    assert_eq!(Browser::new(&app).register("first@example.org", PASSWORD).await.status, 303);
    let mut second = Browser::new(&app);
    assert_eq!(second.register("second@example.org", PASSWORD).await.status, 303);
    let account = second.get("/account").await;
    assert!(!account.body.contains("Administrator"));
}

#[tokio::test]
async fn sessions_page_ends_another_device() {
    let app = spawn_app().await;
    let mut laptop = Browser::new(&app);
    laptop.register("ana@example.org", PASSWORD).await;
    let mut phone = Browser::new(&app);
    phone.user_agent = "Mozilla/5.0 (Linux; Android 15) Chrome/156.0 Mobile Safari/537.36".into();
    phone.sign_in("ana@example.org", PASSWORD).await;

    let page = laptop.get("/account/sessions").await;
    page.assert_contains("Chrome on Android");
    let user = app.store.user_credentials(&Email::parse("ana@example.org").unwrap()).await.unwrap().unwrap().user;
    let sessions = app.store.sessions_of(user.id).await.unwrap();
    let phone_session = sessions.iter().find(|s| s.user_agent == "Chrome on Android").unwrap();

    let ended = laptop.post(&format!("/account/sessions/{}/end", phone_session.id.0), &[]).await;
    assert_eq!(ended.status, 303);
    assert_eq!(phone.get("/account").await.status, 303, "the phone is signed out");
    assert_eq!(laptop.get("/account").await.status, 200, "the laptop is not");

    phone.sign_in("ana@example.org", PASSWORD).await;
    let everywhere = laptop.post("/account/sessions/end-others", &[]).await;
    assert_eq!(everywhere.status, 303);
    assert_eq!(phone.get("/account").await.status, 303);
    assert_eq!(laptop.get("/account").await.status, 200);
}

#[tokio::test]
async fn signing_in_returns_to_the_page_asked_for() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    browser.register("lee@example.org", PASSWORD).await;
    browser.sign_out().await;
    let redirect = browser.get("/account/sessions").await;
    assert_eq!(redirect.location(), "/sign-in?next=/account/sessions");
    browser.get(redirect.location()).await.assert_contains(r#"name="next" value="/account/sessions""#);
    let signed_in = browser
        .post("/sign-in", &[("email", "lee@example.org"), ("password", PASSWORD), ("next", "/account/sessions")])
        .await;
    assert_eq!(signed_in.location(), "/account/sessions");
    let hostile = browser
        .post("/sign-in", &[("email", "lee@example.org"), ("password", PASSWORD), ("next", "//evil.example/")])
        .await;
    assert_eq!(hostile.location(), "/", "signed in already, and never sent off-site");
}
