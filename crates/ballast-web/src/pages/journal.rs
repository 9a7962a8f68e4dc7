//! The private journal: starting it (with a recovery key shown once), unlocking it with the
//! password, writing with prompts and an autosaved draft, reading, editing, deleting,
//! searching one's own entries, exporting them decrypted, locking it, and recovering it with
//! the recovery key. The keys are `crate::journal_keys`' business; this module never sees
//! them unsealed for longer than a request.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::Password;
use ballast_core::journal::{self, EntryToken, MAX_ENTRY_BYTES, PROMPTS, RecoveryKey};
use ballast_store::{JournalDraft, JournalEntry};
use jiff::Timestamp;
use serde::Deserialize;

use super::account::{confirm_password, display_time};
use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{ClientAddress, Current, SignedIn};
use crate::error::{PageError, WebError};
use crate::forms::{FieldErrors, FormInput, Typed};
use crate::journal_keys::{self, JournalKey, JournalState, Unlock};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::vault::random;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/journal", get(home))
        .route("/journal/start", post(start))
        .route("/journal/unlock", post(unlock))
        .route("/journal/lock", post(lock))
        .route("/journal/recover", get(show_recover).post(recover))
        .route("/journal/discard", post(discard))
        .route("/journal/new", get(show_new).post(add))
        .route("/journal/draft", post(save_draft))
        .route("/journal/export", get(export))
        .route("/journal/{token}", get(read))
        .route("/journal/{token}/edit", get(show_edit).post(edit))
        .route("/journal/{token}/delete", post(delete))
}

/// A handler's proof that the person's journal is open in this session. Anyone signed in
/// whose journal is not (not started, or locked) is sent to `/journal` to start or unlock it;
/// anyone else, to sign in.
struct OpenJournal {
    current: Current,
    key: JournalKey,
}

impl FromRequestParts<AppState> for OpenJournal {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn(current) = SignedIn::from_request_parts(parts, state).await?;
        match journal_keys::state_of(state, &current, &parts.headers).await {
            Ok(JournalState::Open(key)) => Ok(OpenJournal { current, key }),
            Ok(JournalState::NotStarted | JournalState::Locked) => Err(see_other("/journal", &[])),
            Err(error) => Err(PageError(error).into_response()),
        }
    }
}

fn token_of(text: &str) -> Result<EntryToken, WebError> {
    EntryToken::parse(text).ok_or(WebError::NotFound)
}

fn prompt_text(id: Option<&str>) -> Option<&'static str> {
    id.and_then(journal::prompt).map(|p| p.text)
}

// --- the journal's front page ----------------------------------------------------------------

struct EntryRow {
    href: String,
    when: String,
    prompt: Option<&'static str>,
    preview: String,
}

#[derive(Template)]
#[template(path = "journal.html")]
struct JournalPage {
    layout: Layout,
    errors: FieldErrors,
    /// "not-started", "locked" or "open".
    stage: &'static str,
    notice: Option<&'static str>,
    query: String,
    entries: Vec<EntryRow>,
    total: usize,
    has_draft: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HomeQuery {
    q: String,
    notice: String,
}

fn notice_text(id: &str) -> Option<&'static str> {
    match id {
        "saved" => Some("Saved your entry."),
        "deleted" => Some("Deleted the entry."),
        "locked" => Some("Your journal is locked on every device. Your password opens it again."),
        "recovered" => Some("Your journal is open again, and sealed under your current password."),
        "discarded" => Some("Your old journal and its entries are deleted. You can start a new one below."),
        _ => None,
    }
}

/// A short first glimpse of an entry for the list: its first line, cut at a word.
fn preview(text: &str) -> String {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().trim();
    if first.chars().count() <= 120 {
        return first.to_owned();
    }
    let cut: String = first.chars().take(120).collect();
    format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head))
}

async fn home_page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    headers: &HeaderMap,
    query: &HomeQuery,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let (stage, entries, total, has_draft) = match journal_keys::state_of(state, current, headers).await? {
        JournalState::NotStarted => ("not-started", Vec::new(), 0, false),
        JournalState::Locked => ("locked", Vec::new(), 0, false),
        JournalState::Open(key) => {
            let all = state.store.journal_entries(current.user.id).await?;
            let mut rows = Vec::new();
            for entry in &all {
                let text = key.open_entry(&entry.token, &entry.body)?;
                let prompt = prompt_text(entry.prompt.as_deref());
                let searched = query.q.trim();
                if searched.is_empty()
                    || journal::matches(&text, searched)
                    || prompt.is_some_and(|p| journal::matches(p, searched))
                {
                    rows.push(EntryRow {
                        href: format!("/journal/{}", entry.token),
                        when: display_time(entry.created_at),
                        prompt,
                        preview: preview(&text),
                    });
                }
            }
            let has_draft = state.store.journal_draft(current.user.id).await?.is_some();
            ("open", rows, all.len(), has_draft)
        }
    };
    let layout = Layout::new("Your journal", Some(current), csrf).with_errors(!errors.is_empty());
    Ok(html(&JournalPage {
        layout,
        errors,
        stage,
        notice: notice_text(&query.notice),
        query: query.q.clone(),
        entries,
        total,
        has_draft,
    }))
}

async fn home(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    headers: HeaderMap,
    Query(query): Query<HomeQuery>,
) -> Result<Response, PageError> {
    Ok(home_page(&state, &current, &csrf, &headers, &query, FieldErrors::default()).await?)
}

#[derive(Template)]
#[template(path = "journal_recovery_key.html")]
struct RecoveryKeyPage {
    layout: Layout,
    recovery_key: String,
}

async fn start(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let typed_password = typed.get("password").map(String::as_str).unwrap_or_default();
    let mut errors = FieldErrors::default();
    if !typed.contains_key("understood") {
        errors.add("understood", "Tick the box to say you have read how the recovery key works.");
    }
    confirm_password(&state, &current, &address, typed_password, "password", &mut errors).await?;
    if !errors.is_empty() {
        let page = home_page(&state, &current, &csrf, &headers, &HomeQuery::default(), errors).await?;
        return Ok(invalid(page));
    }
    let recovery = journal_keys::start(&state, &current, &headers, &Password::from_typed(typed_password)).await?;
    // Shown once, in this response only: never stored, never in an address, never cached.
    let mut response = html(&RecoveryKeyPage {
        layout: Layout::new("Your recovery key", Some(&current), &csrf),
        recovery_key: recovery.to_string(),
    });
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn unlock(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let typed_password = typed.get("password").map(String::as_str).unwrap_or_default();
    let mut errors = FieldErrors::default();
    confirm_password(&state, &current, &address, typed_password, "password", &mut errors).await?;
    if errors.is_empty() {
        match journal_keys::unlock(&state, &current, &headers, &Password::from_typed(typed_password)).await? {
            Unlock::Opened => return Ok(see_other("/journal", &[])),
            Unlock::NeedsRecovery => errors.add(
                "password",
                "That is your password, but your journal was sealed under an earlier one. Open it with your recovery key instead.",
            ),
        }
    }
    Ok(invalid(home_page(&state, &current, &csrf, &headers, &HomeQuery::default(), errors).await?))
}

async fn lock(State(state): State<AppState>, SignedIn(current): SignedIn) -> Result<Response, PageError> {
    state.store.end_journal_unlocks(current.user.id).await?;
    Ok(see_other("/journal?notice=locked", &[]))
}

// --- recovery ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "journal_recover.html")]
struct RecoverPage {
    layout: Layout,
    errors: FieldErrors,
}

fn recover_page(current: &Current, csrf: &CsrfToken, errors: FieldErrors) -> Response {
    let layout =
        Layout::new("Open your journal with the recovery key", Some(current), csrf).with_errors(!errors.is_empty());
    html(&RecoverPage { layout, errors })
}

async fn show_recover(SignedIn(current): SignedIn, Extension(csrf): Extension<CsrfToken>) -> Response {
    recover_page(&current, &csrf, FieldErrors::default())
}

async fn recover(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let recovery = RecoveryKey::parse(typed.get("recovery_key").map(String::as_str).unwrap_or_default());
    if recovery.is_none() {
        errors.add(
            "recovery_key",
            "Enter the recovery key exactly as you saved it: eight groups of four letters and digits.",
        );
    }
    let typed_password = typed.get("password").map(String::as_str).unwrap_or_default();
    confirm_password(&state, &current, &address, typed_password, "password", &mut errors).await?;
    let Some(recovery) = recovery.filter(|_| errors.is_empty()) else {
        return Ok(invalid(recover_page(&current, &csrf, errors)));
    };
    if state.store.journal_lock(current.user.id).await?.is_none() {
        return Ok(see_other("/journal", &[]));
    }
    if !journal_keys::recover(&state, &current, &headers, &recovery, &Password::from_typed(typed_password)).await? {
        errors.add("recovery_key", "That recovery key does not open this journal. Check it against what you saved.");
        return Ok(invalid(recover_page(&current, &csrf, errors)));
    }
    Ok(see_other("/journal?notice=recovered", &[]))
}

/// Deletes a journal that can no longer be opened (or that the person no longer wants), with
/// every entry and the draft, so they can start again. Needs the password and a ticked box.
async fn discard(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    ClientAddress(address): ClientAddress,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    if !typed.contains_key("discard_understood") {
        errors.add("discard_understood", "Tick the box to confirm that every entry will be deleted.");
    }
    let typed_password = typed.get("discard_password").map(String::as_str).unwrap_or_default();
    confirm_password(&state, &current, &address, typed_password, "discard_password", &mut errors).await?;
    if !errors.is_empty() {
        return Ok(invalid(recover_page(&current, &csrf, errors)));
    }
    state.store.delete_journal(current.user.id).await?;
    tracing::info!(user = current.user.id.0, "journal deleted by its owner");
    Ok(see_other("/journal?notice=discarded", &[]))
}

// --- writing -----------------------------------------------------------------------------------

struct PromptChoice {
    id: &'static str,
    text: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "journal_write.html")]
struct WritePage {
    layout: Layout,
    errors: FieldErrors,
    action: String,
    /// Autosave only for new entries: an edit is saved when the person says so.
    autosave: bool,
    prompts: Vec<PromptChoice>,
    body: String,
    drafted: bool,
    max_bytes: usize,
}

/// What the writing form shows: where it posts (a new entry, or an edit), the prompt chosen
/// and the text.
struct EntryForm<'a> {
    action: String,
    prompt: &'a str,
    body: String,
    drafted: bool,
}

impl EntryForm<'_> {
    fn new_entry(prompt: &str, body: String) -> EntryForm<'_> {
        EntryForm { action: "/journal/new".into(), prompt, body, drafted: false }
    }

    fn edit<'a>(token: &EntryToken, prompt: &'a str, body: String) -> EntryForm<'a> {
        EntryForm { action: format!("/journal/{token}/edit"), prompt, body, drafted: false }
    }
}

fn write_page(current: &Current, csrf: &CsrfToken, form: EntryForm<'_>, errors: FieldErrors) -> Response {
    let EntryForm { action, prompt, body, drafted } = form;
    let is_new = action == "/journal/new";
    let title = if is_new { "Write in your journal" } else { "Edit a journal entry" };
    let mut prompts = vec![PromptChoice { id: "", text: "No prompt — just write", checked: prompt.is_empty() }];
    prompts.extend(PROMPTS.iter().map(|p| PromptChoice { id: p.id, text: p.text, checked: p.id == prompt }));
    let layout = Layout::new(title, Some(current), csrf).with_errors(!errors.is_empty());
    html(&WritePage {
        layout,
        errors,
        autosave: is_new,
        action,
        prompts,
        body,
        drafted,
        max_bytes: MAX_ENTRY_BYTES / 1024,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    prompt: String,
    drafted: String,
}

async fn show_new(
    State(state): State<AppState>,
    OpenJournal { current, key }: OpenJournal,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let (prompt, body) = match state.store.journal_draft(current.user.id).await? {
        Some(draft) => (draft.prompt.unwrap_or_default(), key.open_draft(&draft.body)?),
        None => (query.prompt.clone(), String::new()),
    };
    let prompt = if journal::prompt(&prompt).is_some() { prompt } else { String::new() };
    let drafted = query.drafted == "1";
    let form = EntryForm { drafted, ..EntryForm::new_entry(&prompt, body) };
    Ok(write_page(&current, &csrf, form, FieldErrors::default()))
}

/// The entry as typed, checked: (prompt id, text) or a message per field.
fn parse_entry(typed: &Typed, errors: &mut FieldErrors) -> (Option<String>, String) {
    let prompt = typed.get("prompt").map(String::as_str).unwrap_or_default();
    let prompt = match prompt {
        "" => None,
        id if journal::prompt(id).is_some() => Some(id.to_owned()),
        _ => {
            errors.add("prompt", "Choose one of the prompts, or none.");
            None
        }
    };
    let body = typed.get("body").cloned().unwrap_or_default().replace("\r\n", "\n");
    if body.trim().is_empty() {
        errors.add("body", "Write something before saving — even one line.");
    } else if body.len() > MAX_ENTRY_BYTES {
        errors.add(
            "body",
            format!(
                "This entry is {} KB; an entry can be up to {} KB (about 2,500 words). Split it into two entries.",
                body.len().div_ceil(1024),
                MAX_ENTRY_BYTES / 1024
            ),
        );
    }
    (prompt, body)
}

async fn add(
    State(state): State<AppState>,
    OpenJournal { current, key }: OpenJournal,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let (prompt, body) = parse_entry(&typed, &mut errors);
    if !errors.is_empty() {
        let prompt = typed.get("prompt").cloned().unwrap_or_default();
        return Ok(invalid(write_page(&current, &csrf, EntryForm::new_entry(&prompt, body), errors)));
    }
    let token = EntryToken::from_bytes(random()?);
    let now = Timestamp::now();
    let entry = JournalEntry {
        token,
        user_id: current.user.id,
        prompt,
        body: key.seal_entry(&token, &body)?,
        created_at: now,
        updated_at: now,
    };
    state.store.add_journal_entry(&entry).await?;
    state.store.clear_journal_draft(current.user.id).await?;
    Ok(see_other(&format!("/journal/{token}?saved=1"), &[]))
}

/// Saves the draft of a new entry: by the page's script as the person types (answered with
/// 204), or by the "Save draft" button without JavaScript (answered with the form again).
async fn save_draft(
    State(state): State<AppState>,
    OpenJournal { current, key }: OpenJournal,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let (prompt, body) = parse_entry(&typed, &mut errors);
    let by_script = typed.contains_key("autosave");
    if body.trim().is_empty() {
        state.store.clear_journal_draft(current.user.id).await?;
    } else if errors.is_empty() {
        let draft = JournalDraft { prompt, body: key.seal_draft(&body)?, saved_at: Timestamp::now() };
        state.store.save_journal_draft(current.user.id, &draft).await?;
    } else if by_script {
        return Ok(StatusCode::UNPROCESSABLE_ENTITY.into_response());
    } else {
        let prompt = typed.get("prompt").cloned().unwrap_or_default();
        return Ok(invalid(write_page(&current, &csrf, EntryForm::new_entry(&prompt, body), errors)));
    }
    if by_script {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(see_other("/journal/new?drafted=1", &[]))
}

// --- reading, editing, deleting --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "journal_entry.html")]
struct EntryPage {
    layout: Layout,
    token: String,
    saved: bool,
    written: String,
    edited: Option<String>,
    prompt: Option<&'static str>,
    body: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReadQuery {
    saved: String,
}

async fn own_entry(state: &AppState, current: &Current, token: &str) -> Result<JournalEntry, WebError> {
    state.store.journal_entry(current.user.id, &token_of(token)?).await?.ok_or(WebError::NotFound)
}

async fn read(
    State(state): State<AppState>,
    OpenJournal { current, key }: OpenJournal,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
    Query(query): Query<ReadQuery>,
) -> Result<Response, PageError> {
    let entry = own_entry(&state, &current, &token).await?;
    let written = display_time(entry.created_at);
    Ok(html(&EntryPage {
        layout: Layout::new("Journal entry", Some(&current), &csrf),
        token: entry.token.to_string(),
        saved: query.saved == "1",
        edited: (entry.updated_at != entry.created_at).then(|| display_time(entry.updated_at)),
        prompt: prompt_text(entry.prompt.as_deref()),
        body: key.open_entry(&entry.token, &entry.body)?,
        written,
    }))
}

async fn show_edit(
    State(state): State<AppState>,
    OpenJournal { current, key }: OpenJournal,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let entry = own_entry(&state, &current, &token).await?;
    let body = key.open_entry(&entry.token, &entry.body)?;
    let prompt = entry.prompt.unwrap_or_default();
    Ok(write_page(&current, &csrf, EntryForm::edit(&entry.token, &prompt, body), FieldErrors::default()))
}

async fn edit(
    State(state): State<AppState>,
    OpenJournal { current, key }: OpenJournal,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let entry = own_entry(&state, &current, &token).await?;
    let mut errors = FieldErrors::default();
    let (prompt, body) = parse_entry(&typed, &mut errors);
    if !errors.is_empty() {
        let chosen = typed.get("prompt").cloned().unwrap_or_default();
        return Ok(invalid(write_page(&current, &csrf, EntryForm::edit(&entry.token, &chosen, body), errors)));
    }
    let sealed = key.seal_entry(&entry.token, &body)?;
    if !state
        .store
        .update_journal_entry(current.user.id, &entry.token, prompt.as_deref(), &sealed, Timestamp::now())
        .await?
    {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other(&format!("/journal/{}?saved=1", entry.token), &[]))
}

async fn delete(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !state.store.delete_journal_entry(current.user.id, &token_of(&token)?).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other("/journal?notice=deleted", &[]))
}

// --- export ----------------------------------------------------------------------------------------

/// Every entry, opened, as one plain-text (Markdown) file, oldest first. Sent only to the
/// person, only while their journal is unlocked, and never cached.
async fn export(
    State(state): State<AppState>,
    OpenJournal { current, key }: OpenJournal,
) -> Result<Response, PageError> {
    let mut entries = state.store.journal_entries(current.user.id).await?;
    entries.reverse();
    let mut text = String::from("# My Ballast journal\n");
    for entry in &entries {
        text.push_str(&format!("\n## {}\n\n", display_time(entry.created_at)));
        if let Some(prompt) = prompt_text(entry.prompt.as_deref()) {
            text.push_str(&format!("*{prompt}*\n\n"));
        }
        text.push_str(key.open_entry(&entry.token, &entry.body)?.trim_end());
        text.push('\n');
    }
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/markdown; charset=utf-8"));
    headers
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"ballast-journal.md\""));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
