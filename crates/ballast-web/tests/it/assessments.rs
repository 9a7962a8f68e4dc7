//! Taking assessments through HTTP: drafts, gaps, results, history, the support pathway, and
//! bad input. Runs on SQLite, and the main journey on PostgreSQL too.

use ballast_web::WebConfig;

use crate::support::{Browser, PASSWORD, TestApp, fresh_postgres_store, serve, spawn_app};

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    assert_eq!(browser.register(email, PASSWORD).await.status, 303);
    browser
}

/// Every ProQOL answer `value`, as form fields.
fn proqol_all(value: &str) -> Vec<(String, String)> {
    (1..=30).map(|n| (format!("q{n}"), value.to_owned())).collect()
}

fn fields(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn proqol_journey(app: &TestApp) {
    let mut browser = signed_in(app, "pat@example.org").await;
    let list = browser.get("/assessments").await;
    list.assert_contains("ProQOL 5").assert_contains("30 questions").assert_contains("Not taken yet");

    let page = browser.get("/assessments/proqol5").await;
    page.assert_contains("When you help people")
        .assert_contains(r#"<legend><span class="question-number">Question 1 of 30:</span> I am happy.</legend>"#);

    // Answer all but question 7, finishing: the gap is named, every answer kept.
    let mut answers = proqol_all("3");
    answers.retain(|(k, _)| k != "q7");
    let reply = browser.post("/assessments/proqol5", &fields(&answers)).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("Please answer question 7.").assert_contains(r##"href="#q7""##);
    assert_eq!(reply.body.matches(r#"value="3" checked"#).count(), 29, "every answer is kept");

    // The draft survives a reload.
    let reloaded = browser.get("/assessments/proqol5").await;
    assert_eq!(reloaded.body.matches(r#"value="3" checked"#).count(), 29);
    reloaded.assert_contains("29</span> of 30 answered");

    let done = browser.post("/assessments/proqol5", &fields(&proqol_all("3"))).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let result_url = done.location().to_owned();
    assert!(result_url.starts_with("/assessments/proqol5/results/"), "{result_url}");
    let result = browser.get(&result_url).await;
    result
        .assert_contains("Compassion satisfaction")
        .assert_contains("<strong>30</strong>")
        .assert_contains("Moderate");
    result.assert_contains("© B. Hudnall Stamm");
    assert!(!result.body.contains("Compared with last time"));

    // A second time, higher burnout: the comparison appears.
    let mut second = proqol_all("3");
    for n in [8, 10, 19, 21, 26] {
        second[n - 1].1 = "5".into();
    }
    let done = browser.post("/assessments/proqol5", &fields(&second)).await;
    let result = browser.get(done.location()).await;
    result.assert_contains("Compared with last time: 10 higher than on");

    let history = browser.get("/assessments/proqol5/history").await;
    assert_eq!(history.status, 200);
    assert_eq!(history.body.matches("<svg").count(), 3, "one chart per scale");
    assert!(history.body.matches("<circle").count() >= 6);
    history.assert_contains("<table").assert_contains("as a table");
    browser.get("/assessments").await.assert_contains("Last taken");
}

#[tokio::test]
async fn proqol_journey_on_sqlite() {
    proqol_journey(&spawn_app().await).await;
}

#[tokio::test]
async fn proqol_journey_on_postgres() {
    let Some(store) = fresh_postgres_store().await else { return };
    proqol_journey(&serve(store, WebConfig::default()).await).await;
}

#[tokio::test]
async fn phq9_item9_shows_support_even_with_a_low_total() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "quin@example.org").await;
    let mut answers: Vec<(String, String)> = (1..=9).map(|n| (format!("q{n}"), "0".to_owned())).collect();
    answers[8].1 = "1".into();
    let done = browser.post("/assessments/phq9", &fields(&answers)).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(done.location().starts_with("/support?result="), "{}", done.location());
    let support = browser.get(done.location()).await;
    support
        .assert_contains("About your answers")
        .assert_contains("Nobody has been told")
        .assert_contains("Emergency services");
    // The result itself says total 1 and still points at support.
    let result_link =
        support.body.split("href=\"/assessments/phq9/results/").nth(1).unwrap().split('"').next().unwrap();
    let result = browser.get(&format!("/assessments/phq9/results/{result_link}")).await;
    result.assert_contains("<strong>1</strong>").assert_contains("See who you can talk to");
}

#[tokio::test]
async fn support_is_reachable_by_everyone_and_private_to_the_owner() {
    let app = spawn_app().await;
    let mut owner = signed_in(&app, "ray@example.org").await;
    let mut answers: Vec<(String, String)> = (1..=9).map(|n| (format!("q{n}"), "0".to_owned())).collect();
    answers[8].1 = "2".into();
    let done = owner.post("/assessments/phq9", &fields(&answers)).await;
    let location = done.location().to_owned();

    let mut stranger = Browser::new(&app);
    let page = stranger.get(&location).await;
    assert_eq!(page.status, 200, "anyone can see the support page");
    assert!(!page.body.contains("About your answers"), "but not someone else's messages");
    let mut other = signed_in(&app, "sol@example.org").await;
    assert!(!other.get(&location).await.body.contains("About your answers"));
    for path in ["/", "/sign-in", "/no-such-page"] {
        stranger.get(path).await.assert_contains(r#"href="/support""#);
    }
}

#[tokio::test]
async fn drafts_can_be_saved_without_javascript_and_by_autosave() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "uli@example.org").await;
    let saved = browser.post("/assessments/who5/draft", &[("q1", "4"), ("q2", "2")]).await;
    assert_eq!(saved.status, 303);
    assert_eq!(saved.location(), "/assessments/who5?saved=1");
    browser
        .get(saved.location())
        .await
        .assert_contains("Your answers are saved")
        .assert_contains("2</span> of 5 answered");
    let autosaved =
        browser.post("/assessments/who5/draft", &[("q1", "4"), ("q2", "2"), ("q3", "1"), ("autosave", "1")]).await;
    assert_eq!(autosaved.status, 204);
    browser.get("/assessments/who5").await.assert_contains("3</span> of 5 answered");
}

#[tokio::test]
async fn bad_answers_and_unknown_ids_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "val@example.org").await;
    let mut answers = proqol_all("3");
    answers[4].1 = "9".into();
    answers[5].1 = "three".into();
    let reply = browser.post("/assessments/proqol5", &fields(&answers)).await;
    assert_eq!(reply.status, 422);
    reply.assert_contains("That answer is not one of the options");
    assert!(reply.body.contains(r##"href="#q5""##) && reply.body.contains(r##"href="#q6""##));

    for path in
        ["/assessments/nope", "/assessments/NOPE", "/assessments/proqol5/results/999", "/assessments/proqol5/results/x"]
    {
        assert_eq!(browser.get(path).await.status, 404, "{path}");
    }
    assert_eq!(browser.post("/assessments/nope", &[("q1", "1")]).await.status, 404);

    // Someone else's result is not found, even with the right instrument.
    let done = browser.post("/assessments/proqol5", &fields(&proqol_all("2"))).await;
    let mut other = signed_in(&app, "wyn@example.org").await;
    assert_eq!(other.get(done.location()).await.status, 404);
    let mut stranger = Browser::new(&app);
    assert_eq!(stranger.get(done.location()).await.status, 303, "signed out: sign in first");
}

#[tokio::test]
async fn pc_ptsd_5_with_no_exposure_finishes_at_the_first_question() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "xan@example.org").await;
    let page = browser.get("/assessments/pc-ptsd-5").await;
    page.assert_contains("First question");
    let done = browser.post("/assessments/pc-ptsd-5", &[("gate", "0")]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(done.location().starts_with("/assessments/pc-ptsd-5/results/"));
    browser.get(done.location()).await.assert_contains("<strong>0</strong>");
    let missing_gate = browser.post("/assessments/pc-ptsd-5", &[("q1", "1")]).await;
    assert_eq!(missing_gate.status, 422);
    missing_gate.assert_contains("Please answer the first question.");
}

#[tokio::test]
async fn a_persons_own_words_appear_where_the_licence_allows() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "yan@example.org").await;
    browser.get("/account/words").await.assert_contains("Instead of “helper”").assert_contains("Instead of “clients”");
    let bad = browser.post("/account/words", &[("word-helper", "n<u>rse!"), ("word-help", "nurse")]).await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("Use 1 to 30 letters").assert_contains(r#"value="nurse""#);
    let saved = browser
        .post("/account/words", &[("word-helper", "nurse"), ("word-help", "nurse"), ("word-clients", "patients")])
        .await;
    assert_eq!(saved.status, 303);
    browser.get("/assessments/proqol5").await.assert_contains("as a nurse").assert_contains("When you nurse people");
    browser.get("/assessments/cbi").await.assert_contains("work with patients");
    browser.get("/assessments/phq9").await.assert_contains("Little interest or pleasure");
}

#[tokio::test]
async fn administrators_set_support_resources_and_add_instruments() {
    let app = spawn_app().await;
    let mut admin = signed_in(&app, "admin@example.org").await;
    let mut member = signed_in(&app, "member@example.org").await;
    for path in ["/admin", "/admin/support", "/admin/instruments"] {
        assert_eq!(member.get(path).await.status, 404, "members do not see {path}");
        assert_eq!(admin.get(path).await.status, 200);
    }
    assert_eq!(member.post("/admin/support", &[("name-0", "x"), ("contact-0", "y")]).await.status, 404);

    // A filled row after blank ones: the error points at the row as shown again.
    let later_row = admin.post("/admin/support", &[("name-5", "Chaplaincy")]).await;
    assert_eq!(later_row.status, 422);
    later_row.assert_contains(r##"href="#contact-0""##).assert_contains(r#"id="contact-0-error""#);
    let incomplete = admin.post("/admin/support", &[("name-0", "Staff counselling"), ("description-0", "Free.")]).await;
    assert_eq!(incomplete.status, 422);
    incomplete.assert_contains("say how to reach it").assert_contains(r#"value="Staff counselling""#);
    let saved = admin
        .post(
            "/admin/support",
            &[("name-0", "Staff counselling"), ("description-0", "Free and confidential."), ("contact-0", "ext. 4321")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let support = member.get("/support").await;
    support.assert_contains("Staff counselling").assert_contains("ext. 4321");
    assert!(!support.body.contains("Emergency services"), "the administrator's list replaces the defaults");

    let broken = admin.post("/admin/instruments", &[("definition", "id = \"x\"\n"), ("licence_note", "ours")]).await;
    assert_eq!(broken.status, 422);
    broken.assert_contains("The definition has a problem");
    let bundled_id =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../instruments/who5.toml")).unwrap();
    let clash =
        admin.post("/admin/instruments", &[("definition", bundled_id.as_str()), ("licence_note", "ours")]).await;
    assert_eq!(clash.status, 422);
    clash.assert_contains("belongs to a bundled instrument");
    let custom = bundled_id.replacen("id = \"who5\"", "id = \"team-wellbeing\"", 1);
    let missing_licence = admin.post("/admin/instruments", &[("definition", custom.as_str())]).await;
    assert_eq!(missing_licence.status, 422);
    let added = admin
        .post("/admin/instruments", &[("definition", custom.as_str()), ("licence_note", "Our own adaptation")])
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    member.get("/assessments").await.assert_contains(r#"href="/assessments/team-wellbeing""#);
    member.get("/assessments/team-wellbeing").await.assert_contains("Our own adaptation");
    assert_eq!(admin.post("/admin/instruments/team-wellbeing/delete", &[]).await.status, 303);
    assert_eq!(member.get("/assessments/team-wellbeing").await.status, 404);
    assert_eq!(admin.post("/admin/instruments/team-wellbeing/delete", &[]).await.status, 404);
}
