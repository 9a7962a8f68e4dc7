//! The person's own account: overview, password, signed-in sessions, and deletion.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::{NewPassword, Password, SessionId};
use jiff::Timestamp;
use serde::Deserialize;

use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{ClientAddress, Current, SignInThrottle, SignedIn, end_current_session, signed_out_cookies};
use crate::error::{PageError, WebError};
use crate::forms::{Field, FieldErrors, FormInput};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::security::passwords;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(overview))
        .route("/account/password", get(show_password).post(change_password))
        .route("/account/sessions", get(sessions))
        .route("/account/sessions/end-others", post(end_other_sessions))
        .route("/account/sessions/{id}/end", post(end_session))
        .route("/account/delete", get(show_delete).post(delete_account))
}

/// "22 November 2026 at 14:05 UTC": unambiguous in every locale.
pub(crate) fn display_time(at: Timestamp) -> String {
    at.strftime("%-d %B %Y at %H:%M UTC").to_string()
}

#[derive(Template)]
#[template(path = "account.html")]
struct OverviewPage {
    layout: Layout,
    email: String,
    is_admin: bool,
    member_since: String,
    notice: Option<&'static str>,
}

async fn overview(
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    RawQuery(query): RawQuery,
) -> Response {
    let notice = match query.as_deref() {
        Some("notice=password-changed") => {
            Some("Your password has been changed. Any other devices signed in to your account have been signed out.")
        }
        Some("notice=sessions-ended") => Some("Your other sessions have been signed out."),
        _ => None,
    };
    html(&OverviewPage {
        layout: Layout::new("Your account", Some(&current), &csrf),
        email: current.user.email.to_string(),
        is_admin: current.user.role == ballast_core::Role::Admin,
        member_since: display_time(current.user.created_at),
        notice,
    })
}

// --- password ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    errors: FieldErrors,
    fields: Vec<Field>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    current_password: String,
    new_password: String,
}

fn password_page(current: &Current, csrf: &CsrfToken, errors: FieldErrors) -> Response {
    let fields = vec![
        Field::new("current_password", "Current password", "password", "current-password").error_from(&errors),
        Field::new("new_password", "New password", "password", "new-password")
            .hint("At least 15 characters. A few unrelated words work well.")
            .error_from(&errors),
    ];
    let layout = Layout::new("Change your password", Some(current), csrf).with_errors(!errors.is_empty());
    html(&PasswordPage { layout, errors, fields })
}

async fn show_password(SignedIn(current): SignedIn, Extension(csrf): Extension<CsrfToken>) -> Response {
    password_page(&current, &csrf, FieldErrors::default())
}

/// Checks the account's current password, counting failures like sign-in does so a borrowed
/// session cannot be used to guess it.
pub(crate) async fn confirm_password(
    state: &AppState,
    current: &Current,
    address: &str,
    typed: &str,
    field: &'static str,
    errors: &mut FieldErrors,
) -> Result<(), PageError> {
    if typed.is_empty() {
        errors.add(field, "Enter your current password.");
        return Ok(());
    }
    let throttle = SignInThrottle::new(&current.user.email, address);
    match throttle.check(state).await {
        Err(WebError::TooManyAttempts(wait)) => {
            errors.add(
                field,
                format!("Too many attempts. Please wait {} and try again.", crate::error::describe_wait(wait)),
            );
            return Ok(());
        }
        Err(other) => return Err(other.into()),
        Ok(()) => {}
    }
    let stored = state.store.password_hash(current.user.id).await?;
    if passwords::verify(state, &Password::from_typed(typed), stored).await? {
        Ok(())
    } else {
        tracing::info!(target: "ballast::sign_in", outcome = "wrong_password", reason = "confirmation", address, user = current.user.id.0);
        throttle.failed(state).await?;
        errors.add(field, "That is not your current password.");
        Ok(())
    }
}

async fn change_password(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    ClientAddress(address): ClientAddress,
    FormInput(form): FormInput<PasswordForm>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let new_password = NewPassword::parse(&form.new_password, &[current.user.email.as_str()])
        .map_err(|problem| errors.add("new_password", problem))
        .ok();
    confirm_password(&state, &current, &address, &form.current_password, "current_password", &mut errors).await?;
    let Some(new_password) = new_password.filter(|_| errors.is_empty()) else {
        // Field order: show the current-password message first.
        let mut ordered = FieldErrors::default();
        for name in ["current_password", "new_password"] {
            if let Some(message) = errors.get(name) {
                ordered.add(name, message);
            }
        }
        return Ok(invalid(password_page(&current, &csrf, ordered)));
    };
    let hash = passwords::hash(&state, &new_password).await?;
    state.store.set_password(current.user.id, &hash, Some(current.session.id)).await?;
    // The journal is sealed under the password: seal it again under the new one, while both
    // are at hand, so a change made here never locks the journal away.
    let old_password = Password::from_typed(&form.current_password);
    crate::journal_keys::change_password(
        &state,
        current.user.id,
        &old_password,
        &Password::from_typed(new_password.as_str()),
    )
    .await?;
    tracing::info!(user = current.user.id.0, "password changed; other sessions ended");
    Ok(see_other("/account?notice=password-changed", &[]))
}

// --- sessions ------------------------------------------------------------------------------

struct SessionRow {
    id: i64,
    device: String,
    signed_in: String,
    last_active: String,
    is_current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    layout: Layout,
    sessions: Vec<SessionRow>,
    has_others: bool,
}

async fn sessions(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, PageError> {
    let mut rows: Vec<SessionRow> = state
        .store
        .sessions_of(current.user.id)
        .await?
        .into_iter()
        .map(|session| SessionRow {
            id: session.id.0,
            device: session.user_agent,
            signed_in: display_time(session.created_at),
            last_active: display_time(session.last_seen_at),
            is_current: session.id == current.session.id,
        })
        .collect();
    // This device first, then the most recently used.
    rows.sort_by(|a, b| b.is_current.cmp(&a.is_current).then(b.id.cmp(&a.id)));
    let has_others = rows.iter().any(|row| !row.is_current);
    Ok(html(&SessionsPage {
        layout: Layout::new("Where you are signed in", Some(&current), &csrf),
        sessions: rows,
        has_others,
    }))
}

async fn end_session(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.parse::<i64>().map(SessionId).map_err(|_| WebError::NotFound)?;
    if id == current.session.id {
        let cookies = end_current_session(&state, &headers).await?;
        return Ok(see_other("/?notice=signed-out", &cookies));
    }
    // The store only ends sessions that belong to this person; anything else is not found.
    if !state.store.end_session(current.user.id, id).await? {
        return Err(WebError::NotFound.into());
    }
    Ok(see_other("/account/sessions", &[]))
}

async fn end_other_sessions(State(state): State<AppState>, SignedIn(current): SignedIn) -> Result<Response, PageError> {
    for session in state.store.sessions_of(current.user.id).await? {
        if session.id != current.session.id {
            state.store.end_session(current.user.id, session.id).await?;
        }
    }
    Ok(see_other("/account?notice=sessions-ended", &[]))
}

// --- deletion ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "delete.html")]
struct DeletePage {
    layout: Layout,
    errors: FieldErrors,
    fields: Vec<Field>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeleteForm {
    password: String,
}

fn delete_page(current: &Current, csrf: &CsrfToken, errors: FieldErrors) -> Response {
    let fields =
        vec![Field::new("password", "Your password, to confirm", "password", "current-password").error_from(&errors)];
    let layout = Layout::new("Delete your account", Some(current), csrf).with_errors(!errors.is_empty());
    html(&DeletePage { layout, errors, fields })
}

async fn show_delete(SignedIn(current): SignedIn, Extension(csrf): Extension<CsrfToken>) -> Response {
    delete_page(&current, &csrf, FieldErrors::default())
}

async fn delete_account(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    ClientAddress(address): ClientAddress,
    FormInput(form): FormInput<DeleteForm>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    confirm_password(&state, &current, &address, &form.password, "password", &mut errors).await?;
    if !errors.is_empty() {
        return Ok(invalid(delete_page(&current, &csrf, errors)));
    }
    state.store.delete_user(current.user.id).await?;
    tracing::info!(user = current.user.id.0, "account deleted");
    Ok(see_other("/?notice=deleted", &signed_out_cookies()))
}
