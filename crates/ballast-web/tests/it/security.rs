//! Security properties, each checked from the outside: headers, cookies, CSRF, throttling,
//! session expiry and tampering, body limits, and bad input of every kind leaving the data
//! intact.

use ballast_core::Email;
use ballast_web::WebConfig;
use jiff::{SignedDuration, Timestamp};

use crate::support::{Browser, PASSWORD, TestApp, capture_logs, captured_logs, spawn_app, spawn_app_with};

async fn user_count(app: &TestApp) -> usize {
    app.store.list_users().await.unwrap().len()
}

async fn registered(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    assert_eq!(browser.register(email, PASSWORD).await.status, 303);
    browser
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let mut browser = registered(&app, "hana@example.org").await;
    for path in
        ["/", "/account", "/sign-in", "/no-such-page", "/api/v1/me", "/api/v1/nope", "/healthz", "/static/ballast.css"]
    {
        let reply = browser.get(path).await;
        let csp = reply.header("content-security-policy");
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: CSP {csp:?} lacks {directive}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{path}");
        assert_eq!(reply.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(reply.header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(reply.header("strict-transport-security"), "", "no HSTS over plain HTTP");
        if path.starts_with("/static/") {
            assert!(reply.header("cache-control").starts_with("public"), "{path}");
        } else {
            assert_eq!(reply.header("cache-control"), "no-store", "{path}");
        }
    }
}

#[tokio::test]
async fn hsts_is_sent_when_served_over_tls() {
    let config = WebConfig { public_url: Some("https://ballast.example.org".into()), ..WebConfig::default() };
    let app = spawn_app_with(config).await;
    let reply = Browser::new(&app).get("/").await;
    assert!(reply.header("strict-transport-security").starts_with("max-age="));
}

#[tokio::test]
async fn session_cookie_is_locked_down_and_stored_only_as_a_hash() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    browser.get("/register").await;
    let reply = browser.post("/register", &[("email", "ivo@example.org"), ("password", PASSWORD)]).await;
    let cookie = reply.set_cookies().into_iter().find(|c| c.starts_with("__Host-ballast-session=")).unwrap();
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Domain="));
    let token = browser.session_cookie().unwrap().clone();
    assert_eq!(token.len(), 43, "256 bits, base64url");

    // The database holds the hash, never the token.
    let user = app.store.user_credentials(&Email::parse("ivo@example.org").unwrap()).await.unwrap().unwrap().user;
    assert_eq!(app.store.sessions_of(user.id).await.unwrap().len(), 1);
    let database = app.data_dir.as_ref().unwrap().join(ballast_store_sqlite::DATABASE_FILE);
    let mut raw = std::fs::read(&database).unwrap();
    raw.extend(std::fs::read(database.with_extension("sqlite3-wal")).unwrap_or_default());
    assert!(raw.len() > 4096, "read the real database");
    assert!(!raw.windows(token.len()).any(|w| w == token.as_bytes()), "raw token found in the database");
}

#[tokio::test]
async fn sign_in_issues_a_new_token_and_ignores_planted_ones() {
    let app = spawn_app().await;
    registered(&app, "jo@example.org").await;
    let mut browser = Browser::new(&app);
    let planted = "A".repeat(43);
    browser.cookies.insert("__Host-ballast-session".into(), planted.clone());
    assert_eq!(browser.get("/account").await.status, 303, "a planted token is not a session");
    assert_eq!(browser.sign_in("jo@example.org", PASSWORD).await.status, 303);
    let first = browser.session_cookie().unwrap().clone();
    assert_ne!(first, planted);
    browser.sign_out().await;
    browser.sign_in("jo@example.org", PASSWORD).await;
    assert_ne!(browser.session_cookie().unwrap(), &first, "every sign-in gets a fresh token");
}

#[tokio::test]
async fn tampered_and_garbage_cookies_are_simply_signed_out() {
    let app = spawn_app().await;
    let mut browser = registered(&app, "kit@example.org").await;
    let good = browser.session_cookie().unwrap().clone();
    let mut flipped = good.clone().into_bytes();
    flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
    for value in [String::from_utf8(flipped).unwrap(), "garbage".into(), "%00%ff;;==".into(), "x".repeat(5000)] {
        let mut other = Browser::new(&app);
        other.cookies.insert("__Host-ballast-session".into(), value);
        let reply = other.get("/account").await;
        assert_eq!(reply.status, 303, "a bad cookie means signed out, not an error");
        assert!(reply.location().starts_with("/sign-in"));
        assert_eq!(other.get("/api/v1/me").await.status, 401);
    }
    assert_eq!(browser.get("/account").await.status, 200, "the real session is untouched");
}

#[tokio::test]
async fn idle_and_old_sessions_expire() {
    let app = spawn_app().await;
    let mut browser = registered(&app, "lu@example.org").await;
    let user = app.store.user_credentials(&Email::parse("lu@example.org").unwrap()).await.unwrap().unwrap().user;
    let session = app.store.sessions_of(user.id).await.unwrap()[0].id;

    // Idle for longer than the idle timeout (24 hours by default).
    app.store.touch_session(session, Timestamp::now() - SignedDuration::from_hours(25)).await.unwrap();
    let reply = browser.get("/account").await;
    assert_eq!(reply.status, 303);
    assert_eq!(reply.location(), "/sign-in?next=/account&ended=1");
    browser.get(reply.location()).await.assert_contains("Your session ended");
    assert!(app.store.sessions_of(user.id).await.unwrap().is_empty(), "the expired session is deleted");

    // Used constantly, but older than the absolute timeout: a short policy shows it.
    let short = WebConfig {
        sessions: ballast_core::SessionPolicy {
            absolute_timeout: SignedDuration::from_secs(1),
            ..ballast_core::SessionPolicy::default()
        },
        ..WebConfig::default()
    };
    let app = spawn_app_with(short).await;
    let mut browser = registered(&app, "lu@example.org").await;
    let user = app.store.user_credentials(&Email::parse("lu@example.org").unwrap()).await.unwrap().unwrap().user;
    let created = app.store.sessions_of(user.id).await.unwrap()[0].created_at;
    // Wait on the clock, not a fixed sleep: the session is expired once a second has passed.
    while Timestamp::now() < created + SignedDuration::from_secs(1) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(browser.get("/account").await.status, 303);
}

#[tokio::test]
async fn forms_without_the_csrf_token_change_nothing() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    browser.get("/register").await;
    let fields = [("email", "mo@example.org"), ("password", PASSWORD)];

    let missing = browser.post_raw("/register", &fields, &[]).await;
    assert_eq!(missing.status, 403);
    missing.assert_contains("That form needs to be sent again");
    let wrong = "B".repeat(43);
    let forged = browser.post_raw("/register", &[("csrf", wrong.as_str()), fields[0], fields[1]], &[]).await;
    assert_eq!(forged.status, 403);
    let mut stranger = Browser::new(&app);
    let no_cookie = stranger.post_raw("/register", &[("csrf", wrong.as_str()), fields[0], fields[1]], &[]).await;
    assert_eq!(no_cookie.status, 403, "a token without its cookie is refused");
    assert_eq!(user_count(&app).await, 0);

    // With a valid token, a cross-site origin is still refused.
    let csrf = browser.csrf();
    let token_fields = [("csrf", csrf.as_str()), fields[0], fields[1]];
    let cross_site = browser.post_raw("/register", &token_fields, &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(cross_site.status, 403);
    let same_site = browser.post_raw("/register", &token_fields, &[("sec-fetch-site", "same-site")]).await;
    assert_eq!(same_site.status, 403, "a sibling subdomain is another site");
    let other_origin = browser.post_raw("/register", &token_fields, &[("origin", "https://evil.example")]).await;
    assert_eq!(other_origin.status, 403);
    assert_eq!(user_count(&app).await, 0);

    let null_origin = browser.post_raw("/register", &token_fields, &[("origin", "null")]).await;
    assert_eq!(null_origin.status, 403, "an opaque origin is trusted only with Sec-Fetch-Site: same-origin");
    assert_eq!(user_count(&app).await, 0);

    let origin = browser.base.clone();
    let good = browser
        .post_raw("/register", &token_fields, &[("sec-fetch-site", "same-origin"), ("origin", origin.as_str())])
        .await;
    assert_eq!(good.status, 303);
    assert_eq!(user_count(&app).await, 1);

    // What Chromium really sends for a same-origin form under `Referrer-Policy: no-referrer`.
    let mut second = Browser::new(&app);
    second.get("/register").await;
    let csrf = second.csrf();
    let fields = [("csrf", csrf.as_str()), ("email", "mo2@example.org"), ("password", PASSWORD)];
    let reply = second.post_raw("/register", &fields, &[("origin", "null"), ("sec-fetch-site", "same-origin")]).await;
    assert_eq!(reply.status, 303);
    assert_eq!(user_count(&app).await, 2);
}

#[tokio::test]
async fn signed_in_actions_need_the_token_too() {
    let app = spawn_app().await;
    let mut browser = registered(&app, "ned@example.org").await;
    let deleted = browser.post_raw("/account/delete", &[("password", PASSWORD)], &[]).await;
    assert_eq!(deleted.status, 403);
    let signed_out = browser.post_raw("/sign-out", &[], &[]).await;
    assert_eq!(signed_out.status, 403);
    assert_eq!(browser.get("/account").await.status, 200, "still signed in, account intact");
    assert_eq!(user_count(&app).await, 1);
}

#[tokio::test]
async fn nothing_changes_state_over_get() {
    let app = spawn_app().await;
    let mut browser = registered(&app, "oz@example.org").await;
    for path in ["/sign-out", "/account/sessions/end-others", "/account/sessions/1/end"] {
        let reply = browser.get(path).await;
        assert_eq!(reply.status, 405, "{path}");
        reply.assert_contains("does not work that way");
    }
    assert_eq!(browser.get("/account").await.status, 200);
}

#[tokio::test]
async fn the_csrf_token_rotates_at_sign_in() {
    let app = spawn_app().await;
    registered(&app, "pia@example.org").await;
    let mut browser = Browser::new(&app);
    browser.get("/sign-in").await;
    let before = browser.csrf();
    browser.sign_in("pia@example.org", PASSWORD).await;
    assert_ne!(browser.csrf(), before);
    assert!(!browser.csrf().is_empty());
}

#[tokio::test]
async fn sign_in_is_throttled_per_account_and_logged_without_passwords() {
    capture_logs();
    let app = spawn_app().await;
    registered(&app, "quinn@example.org").await;
    let mut attacker = Browser::new(&app);
    for attempt in 0..5 {
        let reply = attacker.sign_in("quinn@example.org", &format!("wrong guess number {attempt}")).await;
        assert_eq!(reply.status, 422);
        reply.assert_contains("do not match an account");
    }
    let refused = attacker.sign_in("quinn@example.org", PASSWORD).await;
    assert_eq!(refused.status, 429, "even the right password waits");
    refused.assert_contains("Too many sign-in attempts");
    assert!(refused.header("retry-after").parse::<u64>().unwrap() > 0);
    assert!(attacker.session_cookie().is_none());

    let logs = captured_logs();
    let user = app.store.user_credentials(&Email::parse("quinn@example.org").unwrap()).await.unwrap().unwrap().user;
    let marker = format!("user=Some({})", user.id.0);
    let failures = logs.lines().filter(|l| l.contains("outcome=\"wrong_password\"") && l.contains(&marker)).count();
    assert!(failures >= 5, "one log line per failed attempt:\n{logs}");
    assert!(logs.contains("outcome=\"throttled\""));
    assert!(!logs.contains("wrong guess number"), "passwords never reach the logs");
    assert!(!logs.contains(PASSWORD));
}

#[tokio::test]
async fn sign_in_is_throttled_per_address() {
    let app = spawn_app().await;
    let mut attacker = Browser::new(&app);
    attacker.get("/sign-in").await;
    // Spraying one guess at many accounts from one address.
    for n in 0..30 {
        let email = format!("person{n}@example.org");
        let reply = attacker.post("/sign-in", &[("email", email.as_str()), ("password", "a common guess 2024")]).await;
        assert_eq!(reply.status, 422, "attempt {n}");
    }
    let refused =
        attacker.post("/sign-in", &[("email", "someone.else@example.org"), ("password", "another guess here")]).await;
    assert_eq!(refused.status, 429);
}

#[tokio::test]
async fn registration_explains_each_problem_and_keeps_the_email() {
    let app = spawn_app().await;
    registered(&app, "taken@example.org").await;
    let mut browser = Browser::new(&app);
    browser.get("/register").await;

    let cases: [(&str, &str, &str); 6] = [
        ("not-an-email", PASSWORD, "Enter an email address in the form"),
        ("", PASSWORD, "Enter your email address"),
        ("new@example.org", "too short", "Use at least 15 characters"),
        ("new@example.org", "passwordpassword", "too easy to guess"),
        ("new@example.org", "", "Choose a password"),
        ("Taken@Example.org", PASSWORD, "already an account with this email"),
    ];
    for (email, password, message) in cases {
        let reply = browser.post("/register", &[("email", email), ("password", password)]).await;
        assert_eq!(reply.status, 422, "{email} / {password}");
        reply.assert_contains(message).assert_contains("Please check the form");
        assert!(reply.body.contains(&format!(r#"value="{email}""#)), "keeps what was typed: {email}");
        if !password.is_empty() {
            assert!(!reply.body.contains(password), "never echoes the password");
        }
        assert!(reply.body.contains("aria-invalid=\"true\""));
    }
    let empty = browser.post("/register", &[]).await;
    assert_eq!(empty.status, 422);
    empty.assert_contains("Enter your email address").assert_contains("Choose a password");
    assert_eq!(user_count(&app).await, 1, "nothing half-made was stored");
}

#[tokio::test]
async fn long_and_unicode_passwords_work() {
    let app = spawn_app().await;
    let long = "a quiet river under the long white bridge at evening, ".repeat(2);
    assert!(long.chars().count() >= 64);
    let mut browser = Browser::new(&app);
    assert_eq!(browser.register("uma@example.org", &long).await.status, 303);
    browser.sign_out().await;
    assert_eq!(browser.sign_in("uma@example.org", &long).await.status, 303);

    // "ﬁ" (one ligature character) and "fi" are the same after NFKC normalisation.
    let mut browser = Browser::new(&app);
    assert_eq!(browser.register("vic@example.org", "ﬁeld notes by the harbour wall").await.status, 303);
    browser.sign_out().await;
    assert_eq!(browser.sign_in("vic@example.org", "field notes by the harbour wall").await.status, 303);
}

#[tokio::test]
async fn wrong_current_password_changes_nothing() {
    let app = spawn_app().await;
    let mut browser = registered(&app, "wren@example.org").await;
    let reply = browser
        .post(
            "/account/password",
            &[("current_password", "not my password at all"), ("new_password", "sparrow lattice honey meadow")],
        )
        .await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("That is not your current password");
    let weak = browser.post("/account/password", &[("current_password", PASSWORD), ("new_password", "short")]).await;
    assert_eq!(weak.status, 422);
    weak.assert_contains("Use at least 15 characters");
    browser.sign_out().await;
    assert_eq!(browser.sign_in("wren@example.org", PASSWORD).await.status, 303, "the password is unchanged");

    let delete = browser.post("/account/delete", &[("password", "not my password at all")]).await;
    assert_eq!(delete.status, 422);
    assert_eq!(user_count(&app).await, 1);
}

#[tokio::test]
async fn other_peoples_sessions_cannot_be_ended() {
    let app = spawn_app().await;
    let mut xena = registered(&app, "xena@example.org").await;
    let mut yuri = registered(&app, "yuri@example.org").await;
    let yuri_user = app.store.user_credentials(&Email::parse("yuri@example.org").unwrap()).await.unwrap().unwrap().user;
    let yuris = app.store.sessions_of(yuri_user.id).await.unwrap()[0].id;
    for path in [
        format!("/account/sessions/{}/end", yuris.0),
        "/account/sessions/99999/end".into(),
        "/account/sessions/abc/end".into(),
    ] {
        let reply = xena.post(&path, &[]).await;
        assert_eq!(reply.status, 404, "{path}");
        reply.assert_contains("We could not find that page");
    }
    assert_eq!(yuri.get("/account").await.status, 200, "yuri is still signed in");
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_refused_cleanly() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    browser.get("/register").await;
    let huge = "x".repeat(200 * 1024);
    let reply = browser.post("/register", &[("email", "zed@example.org"), ("password", huge.as_str())]).await;
    assert_eq!(reply.status, 413);
    reply.assert_contains("more than we can accept");

    let csrf = browser.csrf();
    let url = format!("{}/register", browser.base);
    let garbage = browser
        .http()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("__Host-ballast-csrf={csrf}"))
        .body(format!("csrf={csrf}&email=%E0%A4%A&password=%%%"));
    let reply = browser.request(garbage).await;
    assert!(reply.status == 400 || reply.status == 422, "got {}", reply.status);
    let wrong_type = browser
        .http()
        .post(&url)
        .header("content-type", "application/json")
        .header("cookie", format!("__Host-ballast-csrf={csrf}"))
        .body(r#"{"email":"zed@example.org"}"#);
    assert_eq!(browser.request(wrong_type).await.status, 415);
    let unknown_id = browser.get("/account/sessions/1/end").await;
    assert_eq!(unknown_id.status, 405);
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404() {
    let app = spawn_app().await;
    let reply = Browser::new(&app).get("/no/such/page").await;
    assert_eq!(reply.status, 404);
    assert!(reply.header("content-type").starts_with("text/html"));
    reply.assert_contains("We could not find that page").assert_contains(r#"href="/""#);
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    assert_eq!(browser.get("/healthz").await.status, 200);
    let ready = browser.get("/readyz").await;
    assert_eq!(ready.status, 200);
    ready.assert_contains("sqlite");

    // A database whose schema is not migrated is alive but not ready.
    let folder = tempfile::tempdir().unwrap().keep();
    let bare = ballast_store_sqlite::SqliteStore::open_in(&folder).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(ballast_web::serve(
        listener,
        ballast_web::AppState::new(
            std::sync::Arc::new(bare),
            WebConfig::default(),
            crate::support::test_instance_key(),
        ),
    ));
    let mut browser = Browser::at(&base);
    let mut healthy = false;
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status() == 200) {
            healthy = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(healthy);
    let not_ready = browser.get("/readyz").await;
    assert_eq!(not_ready.status, 503);
    not_ready.assert_contains("ballast migrate");
}
