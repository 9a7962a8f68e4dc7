//! The JSON API: session-authenticated, problem+json errors, described by openapi.json.

use ballast_core::Email;

use crate::support::{Browser, PASSWORD, spawn_app};

fn assert_problem(reply: &crate::support::Reply, status: u16) -> serde_json::Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("content-type"), "application/problem+json");
    let problem: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(problem["status"], status);
    assert!(problem["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(problem["detail"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(problem["type"].is_string());
    problem
}

#[tokio::test]
async fn api_needs_a_session_and_answers_problems() {
    let app = spawn_app().await;
    let mut stranger = Browser::new(&app);
    assert_problem(&stranger.get("/api/v1/me").await, 401);
    assert_problem(&stranger.get("/api/v1/no-such-thing").await, 404);
}

#[tokio::test]
async fn api_reports_the_account_and_its_sessions() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    browser.register("ada@example.org", PASSWORD).await;
    let mut phone = Browser::new(&app);
    phone.sign_in("ada@example.org", PASSWORD).await;

    let me: serde_json::Value = serde_json::from_str(&browser.get("/api/v1/me").await.body).unwrap();
    assert_eq!(me["email"], "ada@example.org");
    assert_eq!(me["role"], "admin");

    let sessions: Vec<serde_json::Value> = serde_json::from_str(&browser.get("/api/v1/sessions").await.body).unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let other = sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_i64().unwrap();

    let url = format!("{}/api/v1/sessions/{other}", browser.base);
    let cross_site = browser.http().delete(&url).header("sec-fetch-site", "cross-site");
    assert_problem(&browser.request(cross_site).await, 403);
    assert_eq!(phone.get("/api/v1/me").await.status, 200, "a refused request ended nothing");

    let ended = browser.request(browser.http().delete(&url).header("sec-fetch-site", "same-origin")).await;
    assert_eq!(ended.status, 204);
    assert_problem(&phone.get("/api/v1/me").await, 401);
    let again = browser.request(browser.http().delete(&url)).await;
    assert_problem(&again, 404);
}

#[tokio::test]
async fn api_refuses_other_peoples_ids_bad_types_and_big_bodies() {
    let app = spawn_app().await;
    let mut ann = Browser::new(&app);
    ann.register("ann@example.org", PASSWORD).await;
    let mut bob = Browser::new(&app);
    bob.register("bob@example.org", PASSWORD).await;
    let bob_user = app.store.user_credentials(&Email::parse("bob@example.org").unwrap()).await.unwrap().unwrap().user;
    let bobs = app.store.sessions_of(bob_user.id).await.unwrap()[0].id.0;

    for id in [bobs.to_string(), "not-a-number".into(), "99999999999999999999".into()] {
        let url = format!("{}/api/v1/sessions/{id}", ann.base);
        assert_problem(&ann.request(ann.http().delete(&url)).await, 404);
    }
    assert_eq!(bob.get("/api/v1/me").await.status, 200);

    let url = format!("{}/api/v1/sessions/{bobs}", ann.base);
    let form = ann.http().delete(&url).header("content-type", "application/x-www-form-urlencoded").body("a=1");
    assert_problem(&ann.request(form).await, 415);
    let big = ann.http().delete(&url).header("content-type", "application/json").body("[".repeat(100_000));
    let reply = ann.request(big).await;
    assert!(reply.status == 413 || reply.status == 404, "got {}", reply.status);
    assert_eq!(bob.get("/api/v1/me").await.status, 200);
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    browser.register("cy@example.org", PASSWORD).await;
    let spec: serde_json::Value = serde_json::from_str(&browser.get("/api/v1/openapi.json").await.body).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().unwrap();
    assert!(!paths.is_empty());
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            if method == "post" || method == "put" {
                continue; // bodies are exercised by their own tests
            }
            let url = format!("{}/api/v1{}", browser.base, path.replace("{id}", "0").replace("{day}", "2026-01-01"))
                + if path == "/assessments" { "?instrument=who5" } else { "" };
            let request = browser.http().request(method.to_uppercase().parse().unwrap(), &url);
            let reply = browser.request(request).await;
            // Documented routes exist: they answer, even if id 0 is not found.
            assert_ne!(reply.status, 405, "{method} {path}");
            if !path.contains('{') {
                assert_eq!(reply.status, 200, "{method} {path}");
            }
        }
    }
}

#[tokio::test]
async fn api_lists_instruments_and_scores_assessments() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    browser.register("dee@example.org", PASSWORD).await;

    let list: Vec<serde_json::Value> = serde_json::from_str(&browser.get("/api/v1/instruments").await.body).unwrap();
    assert!(list.iter().any(|i| i["id"] == "proqol5" && i["questions"] == 30));
    let proqol: serde_json::Value =
        serde_json::from_str(&browser.get("/api/v1/instruments/proqol5").await.body).unwrap();
    assert_eq!(proqol["items"].as_array().unwrap().len(), 30);
    assert_problem(&browser.get("/api/v1/instruments/nope").await, 404);

    let url = format!("{}/api/v1/assessments", browser.base);
    let http = browser.http().clone();
    let post = |body: serde_json::Value| http.post(&url).json(&body);
    let submission = serde_json::json!({"instrument": "phq9", "answers": {"items": [0, 0, 0, 0, 0, 0, 0, 0, 1]}});
    let created = browser.request(post(submission)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let result: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    assert_eq!(result["scales"][0]["id"], "total");
    assert_eq!(result["scales"][0]["value"], 1.0);
    assert_eq!(result["flags"], serde_json::json!(["phq9_item9"]));

    let out_of_range = serde_json::json!({"instrument": "phq9", "answers": {"items": [0, 0, 7, 0, 0, 0, 0, 0, 0]}});
    let problem = assert_problem(&browser.request(post(out_of_range)).await, 422);
    assert!(problem["detail"].as_str().unwrap().contains("item 3"), "{problem}");
    let gap = serde_json::json!({"instrument": "phq9", "answers": {"items": [0, 0, null, 0, 0, 0, 0, 0, 0]}});
    let problem = assert_problem(&browser.request(post(gap)).await, 422);
    assert!(problem["detail"].as_str().unwrap().contains("item 3"), "{problem}");
    let short = serde_json::json!({"instrument": "phq9", "answers": {"items": [0, 0]}});
    assert_problem(&browser.request(post(short)).await, 422);
    let wrong_type = serde_json::json!({"instrument": "phq9", "answers": {"items": "all zero"}});
    assert_problem(&browser.request(post(wrong_type)).await, 400);
    assert_problem(
        &browser.request(post(serde_json::json!({"instrument": "nope", "answers": {"items": []}}))).await,
        404,
    );

    let listed: Vec<serde_json::Value> =
        serde_json::from_str(&browser.get("/api/v1/assessments?instrument=phq9").await.body).unwrap();
    assert_eq!(listed.len(), 1, "only the valid submission was stored");
    assert_problem(&browser.get("/api/v1/assessments").await, 400);

    let mut other = Browser::new(&app);
    other.register("eli@example.org", PASSWORD).await;
    let theirs: Vec<serde_json::Value> =
        serde_json::from_str(&other.get("/api/v1/assessments?instrument=phq9").await.body).unwrap();
    assert!(theirs.is_empty(), "nobody sees another person's results");
}
