//! The rescue kit: the person's own self-compassion statements (sealed), the short guided
//! practices from `ballast_core::kit` as plain numbered steps (which `static/kit.js` turns
//! into a timer), and "reach out" — `mailto:`/`sms:` links to a colleague they chose (sealed
//! too). Finishing a practice or reaching out is logged for insights.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::Email;
use ballast_core::kit::{
    self, DEFAULT_MESSAGE, MAX_MESSAGE_CHARS, MAX_NAME_CHARS, MAX_STATEMENT_CHARS, MAX_STATEMENTS, PRACTICES, Phone,
    PhoneProblem, Practice, REACH_OUT, TextProblem,
};
use ballast_store::{KitContact, KitStatementId};
use jiff::Timestamp;
use serde::Deserialize;

use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::error::{PageError, WebError};
use crate::forms::{FieldErrors, FormInput, Typed};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::vault::{Place, open_optional};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kit", get(show))
        .route("/kit/statements", post(add_statement))
        .route("/kit/statements/{id}/edit", get(show_edit_statement).post(edit_statement))
        .route("/kit/statements/{id}/delete", post(delete_statement))
        .route("/kit/reach-out", get(show_reach_out).post(save_reach_out))
        .route("/kit/reach-out/remove", post(remove_reach_out))
        .route("/kit/reach-out/used", post(reached_out))
        .route("/kit/{practice}", get(show_practice))
        .route("/kit/{practice}/done", post(practice_done))
}

fn practice_of(id: &str) -> Result<&'static Practice, WebError> {
    kit::practice(id).ok_or(WebError::NotFound)
}

fn statement_id(text: &str) -> Result<KitStatementId, WebError> {
    text.parse().map(KitStatementId).map_err(|_| WebError::NotFound)
}

// --- the kit's front page ----------------------------------------------------------------------

struct StatementRow {
    id: i64,
    text: String,
}

struct PracticeRow {
    href: String,
    title: &'static str,
    summary: &'static str,
    length: String,
}

/// The reach-out links, ready to tap.
struct ReachOutView {
    name: String,
    message: String,
    mailto: Option<String>,
    sms: Option<String>,
}

#[derive(Template)]
#[template(path = "kit.html")]
struct KitPage {
    layout: Layout,
    errors: FieldErrors,
    notice: Option<String>,
    statements: Vec<StatementRow>,
    /// What was typed into "add a statement", shown again after an error.
    statement: String,
    can_add: bool,
    max_statements: usize,
    max_chars: usize,
    practices: Vec<PracticeRow>,
    reach_out: Option<ReachOutView>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct KitQuery {
    notice: String,
    done: String,
}

fn notice_text(query: &KitQuery) -> Option<String> {
    if let Some(practice) = kit::practice(&query.done) {
        return Some(format!("Noted: {}. Thank you for taking that time for yourself.", practice.title));
    }
    let text = match query.notice.as_str() {
        "added" => "Added your statement.",
        "saved" => "Saved your statement.",
        "removed" => "Removed the statement.",
        "contact" => "Saved who you reach out to.",
        "contact-removed" => "Removed your reach-out contact.",
        "reached" => "Noted that you reached out. Asking for five minutes is a strong thing to do.",
        _ => return None,
    };
    Some(text.to_owned())
}

/// The person's statements, opened, as (id, text), in the order they added them.
async fn statements_of(state: &AppState, current: &Current) -> Result<Vec<StatementRow>, WebError> {
    let stored = state.store.kit_statements(current.user.id).await?;
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let key = state.vault.existing_key(&*state.store, current.user.id).await?;
    stored
        .iter()
        .map(|s| {
            let text = open_optional(key.as_ref(), Place::KitStatement, Some(&s.text))?;
            Ok(StatementRow { id: s.id.0, text })
        })
        .collect()
}

/// The contact as the person typed it: name, email, phone, message (blank when not given).
struct ContactText {
    name: String,
    email: String,
    phone: String,
    message: String,
}

async fn contact_of(state: &AppState, current: &Current) -> Result<Option<ContactText>, WebError> {
    let Some(contact) = state.store.kit_contact(current.user.id).await? else { return Ok(None) };
    let key = state.vault.existing_key(&*state.store, current.user.id).await?;
    let open = |field, sealed| open_optional(key.as_ref(), Place::KitContact { field }, sealed);
    Ok(Some(ContactText {
        name: open("name", Some(&contact.name))?,
        email: open("email", contact.email.as_ref())?,
        phone: open("phone", contact.phone.as_ref())?,
        message: open("message", Some(&contact.message))?,
    }))
}

async fn kit_page(
    state: &AppState,
    current: &Current,
    csrf: &CsrfToken,
    notice: Option<String>,
    statement: String,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let statements = statements_of(state, current).await?;
    let reach_out = contact_of(state, current).await?.map(|contact| {
        // A phone number stored was checked when saved; one that no longer parses gets no link.
        let sms = Phone::parse(&contact.phone).ok().map(|phone| kit::sms_link(&phone, &contact.message));
        let mailto = (!contact.email.is_empty()).then(|| kit::mailto_link(&contact.email, &contact.message));
        ReachOutView { name: contact.name, message: contact.message, mailto, sms }
    });
    let practices = PRACTICES
        .iter()
        .map(|p| PracticeRow { href: format!("/kit/{}", p.id), title: p.title, summary: p.summary, length: p.length() })
        .collect();
    let layout = Layout::new("Your rescue kit", Some(current), csrf).with_errors(!errors.is_empty());
    Ok(html(&KitPage {
        layout,
        errors,
        notice,
        can_add: statements.len() < MAX_STATEMENTS,
        statements,
        statement,
        max_statements: MAX_STATEMENTS,
        max_chars: MAX_STATEMENT_CHARS,
        practices,
        reach_out,
    }))
}

async fn show(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<KitQuery>,
) -> Result<Response, PageError> {
    Ok(kit_page(&state, &current, &csrf, notice_text(&query), String::new(), FieldErrors::default()).await?)
}

// --- statements --------------------------------------------------------------------------------

/// The statement as typed, checked; a message on the field "statement" otherwise.
fn parse_statement(typed: &Typed, errors: &mut FieldErrors) -> Option<String> {
    let raw = typed.get("statement").map(String::as_str).unwrap_or_default();
    match kit::own_text(raw, MAX_STATEMENT_CHARS) {
        Ok(text) => Some(text),
        Err(TextProblem::Empty) => {
            errors.add("statement", "Write your statement first — a few words are enough.");
            None
        }
        Err(TextProblem::TooLong(max)) => {
            errors.add(
                "statement",
                format!("A statement can be up to {max} characters; this one is {}.", raw.trim().chars().count()),
            );
            None
        }
    }
}

async fn add_statement(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let text = parse_statement(&typed, &mut errors);
    let count = state.store.kit_statements(current.user.id).await?.len();
    if count >= MAX_STATEMENTS {
        errors.add(
            "statement",
            format!("You can keep up to {MAX_STATEMENTS} statements. Remove or rewrite one to make room for this."),
        );
    }
    let Some(text) = text.filter(|_| errors.is_empty()) else {
        let typed_text = typed.get("statement").cloned().unwrap_or_default();
        return Ok(invalid(kit_page(&state, &current, &csrf, None, typed_text, errors).await?));
    };
    let key = state.vault.key_for(&*state.store, current.user.id).await?;
    state.store.add_kit_statement(current.user.id, &key.seal(Place::KitStatement, &text)?, Timestamp::now()).await?;
    Ok(see_other("/kit?notice=added", &[]))
}

#[derive(Template)]
#[template(path = "kit_statement.html")]
struct StatementPage {
    layout: Layout,
    errors: FieldErrors,
    id: i64,
    text: String,
    max_chars: usize,
}

fn statement_page(current: &Current, csrf: &CsrfToken, id: i64, text: String, errors: FieldErrors) -> Response {
    let layout = Layout::new("Edit a statement", Some(current), csrf).with_errors(!errors.is_empty());
    html(&StatementPage { layout, errors, id, text, max_chars: MAX_STATEMENT_CHARS })
}

async fn show_edit_statement(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = statement_id(&id)?;
    let statement = statements_of(&state, &current).await?.into_iter().find(|s| s.id == id.0);
    let statement = statement.ok_or(WebError::NotFound)?;
    Ok(statement_page(&current, &csrf, statement.id, statement.text, FieldErrors::default()))
}

async fn edit_statement(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let id = statement_id(&id)?;
    if !state.store.kit_statements(current.user.id).await?.iter().any(|s| s.id == id) {
        return Err(WebError::NotFound.into());
    }
    let mut errors = FieldErrors::default();
    let Some(text) = parse_statement(&typed, &mut errors) else {
        let typed_text = typed.get("statement").cloned().unwrap_or_default();
        return Ok(invalid(statement_page(&current, &csrf, id.0, typed_text, errors)));
    };
    let key = state.vault.key_for(&*state.store, current.user.id).await?;
    let sealed = key.seal(Place::KitStatement, &text)?;
    if !state.store.update_kit_statement(current.user.id, id, &sealed, Timestamp::now()).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other("/kit?notice=saved", &[]))
}

async fn delete_statement(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    if !state.store.delete_kit_statement(current.user.id, statement_id(&id)?).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other("/kit?notice=removed", &[]))
}

// --- reaching out --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "kit_reach_out.html")]
struct ReachOutPage {
    layout: Layout,
    errors: FieldErrors,
    name: String,
    email: String,
    phone: String,
    message: String,
    has_contact: bool,
    max_message: usize,
}

fn reach_out_page(
    current: &Current,
    csrf: &CsrfToken,
    typed: ContactText,
    has_contact: bool,
    errors: FieldErrors,
) -> Response {
    let layout = Layout::new("Who you reach out to", Some(current), csrf).with_errors(!errors.is_empty());
    let ContactText { name, email, phone, message } = typed;
    html(&ReachOutPage { layout, errors, name, email, phone, message, has_contact, max_message: MAX_MESSAGE_CHARS })
}

async fn show_reach_out(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, PageError> {
    let existing = contact_of(&state, &current).await?;
    let has_contact = existing.is_some();
    let typed = existing.unwrap_or_else(|| ContactText {
        name: String::new(),
        email: String::new(),
        phone: String::new(),
        message: DEFAULT_MESSAGE.to_owned(),
    });
    Ok(reach_out_page(&current, &csrf, typed, has_contact, FieldErrors::default()))
}

/// The contact as typed, checked: (name, email, phone, message), or a message per field.
fn parse_contact(
    typed: &ContactText,
    errors: &mut FieldErrors,
) -> Option<(String, Option<Email>, Option<Phone>, String)> {
    let name = match kit::own_text(&typed.name, MAX_NAME_CHARS) {
        Ok(name) => Some(name),
        Err(TextProblem::Empty) => {
            errors.add("name", "Enter your colleague's name, or whatever you call them.");
            None
        }
        Err(TextProblem::TooLong(max)) => {
            errors.add("name", format!("A name can be up to {max} characters."));
            None
        }
    };
    let (email_text, phone_text) = (typed.email.trim(), typed.phone.trim());
    if email_text.is_empty() && phone_text.is_empty() {
        errors.add(
            "email",
            "Give an email address or a mobile number (or both), so the kit knows where your message goes.",
        );
    }
    let email = match email_text {
        "" => Ok(None),
        text => Email::parse(text).map(Some).map_err(|problem| errors.add("email", problem)),
    };
    let phone = match phone_text {
        "" => Ok(None),
        text => Phone::parse(text).map(Some).map_err(|problem| {
            errors.add(
                "phone",
                match problem {
                    PhoneProblem::Characters => {
                        "A phone number can have digits, spaces, brackets, dots and hyphens, and a + at the start."
                    }
                    PhoneProblem::Digits => "A phone number has between 5 and 15 digits. Check it is complete.",
                },
            )
        }),
    };
    let message = match kit::own_text(&typed.message, MAX_MESSAGE_CHARS) {
        Ok(message) => Some(message),
        Err(TextProblem::Empty) => {
            errors.add("message", format!("Write a message, or use ours: “{DEFAULT_MESSAGE}”"));
            None
        }
        Err(TextProblem::TooLong(max)) => {
            errors.add("message", format!("A message can be up to {max} characters; keep it short enough to text."));
            None
        }
    };
    match (name, email, phone, message) {
        (Some(name), Ok(email), Ok(phone), Some(message)) if errors.is_empty() => Some((name, email, phone, message)),
        _ => None,
    }
}

async fn save_reach_out(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(form): FormInput<Typed>,
) -> Result<Response, PageError> {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let typed =
        ContactText { name: field("name"), email: field("email"), phone: field("phone"), message: field("message") };
    let mut errors = FieldErrors::default();
    let Some((name, email, phone, message)) = parse_contact(&typed, &mut errors) else {
        let has_contact = state.store.kit_contact(current.user.id).await?.is_some();
        return Ok(invalid(reach_out_page(&current, &csrf, typed, has_contact, errors)));
    };
    let key = state.vault.key_for(&*state.store, current.user.id).await?;
    let seal = |field, text: &str| key.seal(Place::KitContact { field }, text);
    let contact = KitContact {
        name: seal("name", &name)?,
        email: email.map(|email| seal("email", email.as_str())).transpose()?,
        phone: phone.map(|phone| seal("phone", phone.as_str())).transpose()?,
        message: seal("message", &message)?,
        updated_at: Timestamp::now(),
    };
    state.store.set_kit_contact(current.user.id, &contact).await?;
    Ok(see_other("/kit?notice=contact", &[]))
}

async fn remove_reach_out(State(state): State<AppState>, SignedIn(current): SignedIn) -> Result<Response, PageError> {
    state.store.clear_kit_contact(current.user.id).await?;
    Ok(see_other("/kit?notice=contact-removed", &[]))
}

/// The "I reached out" button: a link to `sms:` cannot report back that it was used on every
/// device, so the person says so themselves.
async fn reached_out(State(state): State<AppState>, SignedIn(current): SignedIn) -> Result<Response, PageError> {
    state.store.record_kit_use(current.user.id, REACH_OUT, Timestamp::now()).await?;
    Ok(see_other("/kit?notice=reached", &[]))
}

// --- practices ---------------------------------------------------------------------------------

struct StepView {
    text: &'static str,
    seconds: u16,
    pace: &'static str,
}

#[derive(Template)]
#[template(path = "kit_practice.html")]
struct PracticePage {
    layout: Layout,
    id: &'static str,
    summary: &'static str,
    before: &'static str,
    length: String,
    rounds: u8,
    round_seconds: u32,
    steps: Vec<StepView>,
}

async fn show_practice(
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let practice = practice_of(&id)?;
    Ok(html(&PracticePage {
        layout: Layout::new(practice.title, Some(&current), &csrf),
        id: practice.id,
        summary: practice.summary,
        before: practice.before,
        length: practice.length(),
        rounds: practice.rounds,
        round_seconds: practice.round_seconds(),
        steps: practice
            .steps
            .iter()
            .map(|s| StepView { text: s.text, seconds: s.seconds, pace: s.pace.as_str() })
            .collect(),
    }))
}

/// "I did this", pressed by the person or, at the end of the timer, by the page's script.
async fn practice_done(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let practice = practice_of(&id)?;
    state.store.record_kit_use(current.user.id, practice.id, Timestamp::now()).await?;
    Ok(see_other(&format!("/kit?done={}", practice.id), &[]))
}
