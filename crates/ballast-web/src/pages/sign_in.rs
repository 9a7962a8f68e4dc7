//! Creating an account, signing in and signing out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::{Email, NewPassword, Password, TimeZoneName};
use ballast_store::{NewUser, StoreError};
use jiff::Timestamp;
use serde::Deserialize;

use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{ClientAddress, MaybeSignedIn, SignInThrottle, end_current_session, safe_next, start_session};
use crate::error::{PageError, WebError, respond};
use crate::forms::{Field, FieldErrors, FormInput};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::security::passwords;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/register", get(show_register).post(register))
        .route("/sign-in", get(show_sign_in).post(sign_in))
        .route("/sign-out", post(sign_out))
}

const PASSWORD_HINT: &str = "At least 15 characters. A few unrelated words work well. \
     Pasting from a password manager is welcome.";

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    errors: FieldErrors,
    fields: Vec<Field>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RegisterForm {
    email: String,
    password: String,
    /// Filled in by the browser's script when it can tell; UTC otherwise.
    time_zone: String,
}

fn register_page(csrf: &CsrfToken, email: &str, errors: FieldErrors) -> Response {
    let fields = vec![
        Field::new("email", "Email address", "email", "email").with(email, &errors),
        Field::new("password", "Choose a password", "password", "new-password").hint(PASSWORD_HINT).error_from(&errors),
    ];
    let layout = Layout::new("Create an account", None, csrf).with_errors(!errors.is_empty());
    html(&RegisterPage { layout, errors, fields })
}

async fn show_register(MaybeSignedIn(current): MaybeSignedIn, Extension(csrf): Extension<CsrfToken>) -> Response {
    match current {
        Some(_) => see_other("/account", &[]),
        None => register_page(&csrf, "", FieldErrors::default()),
    }
}

async fn register(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    headers: HeaderMap,
    FormInput(form): FormInput<RegisterForm>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let email = Email::parse(&form.email).map_err(|problem| errors.add("email", problem)).ok();
    let password = NewPassword::parse(&form.password, &[form.email.trim()])
        .map_err(|problem| errors.add("password", problem))
        .ok();
    let (Some(email), Some(password)) = (email, password) else {
        return Ok(invalid(register_page(&csrf, &form.email, errors)));
    };
    let password_hash = passwords::hash(&state, &password).await?;
    let time_zone = TimeZoneName::parse(&form.time_zone).unwrap_or_default();
    let new_user = NewUser { email, password_hash, time_zone, created_at: Timestamp::now() };
    let user = match state.store.create_user(new_user).await {
        Ok(user) => user,
        Err(StoreError::Conflict(_)) => {
            errors.add(
                "email",
                "There is already an account with this email address. Sign in instead, or use another address.",
            );
            return Ok(invalid(register_page(&csrf, &form.email, errors)));
        }
        Err(other) => return Err(other.into()),
    };
    tracing::info!(user = %user.id, role = user.role.as_str(), "account created");
    let cookies = start_session(&state, &user, &headers).await?;
    Ok(see_other("/", &cookies))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    errors: FieldErrors,
    fields: Vec<Field>,
    next: String,
    notice: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInForm {
    email: String,
    password: String,
    next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInQuery {
    next: String,
    ended: Option<String>,
}

fn sign_in_page(
    csrf: &CsrfToken,
    email: &str,
    next: &str,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Response {
    let fields = vec![
        Field::new("email", "Email address", "email", "email").with(email, &errors),
        Field::new("password", "Password", "password", "current-password").error_from(&errors),
    ];
    let layout = Layout::new("Sign in", None, csrf).with_errors(!errors.is_empty());
    html(&SignInPage { layout, errors, fields, next: safe_next(next).to_owned(), notice })
}

async fn show_sign_in(
    MaybeSignedIn(current): MaybeSignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<SignInQuery>,
) -> Response {
    if current.is_some() {
        return see_other(safe_next(&query.next), &[]);
    }
    let notice = query.ended.map(|_| "Your session ended, so you have been signed out. Please sign in again.");
    sign_in_page(&csrf, "", &query.next, FieldErrors::default(), notice)
}

async fn sign_in(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    FormInput(form): FormInput<SignInForm>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let email = Email::parse(&form.email).map_err(|problem| errors.add("email", problem)).ok();
    if form.password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Ok(invalid(sign_in_page(&csrf, &form.email, &form.next, errors, None)));
    };

    let throttle = SignInThrottle::new(&email, &address);
    if let Err(error) = throttle.check(&state).await {
        tracing::info!(target: "ballast::sign_in", outcome = "throttled", %address);
        if let WebError::TooManyAttempts(wait) = error {
            errors.add(
                "",
                format!(
                    "Too many sign-in attempts. For your safety, please wait {} and try again.",
                    crate::error::describe_wait(wait)
                ),
            );
            let mut page = sign_in_page(&csrf, &form.email, &form.next, errors, None);
            *page.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            page.headers_mut().insert(axum::http::header::RETRY_AFTER, wait.as_secs().max(1).into());
            return Ok(page);
        }
        return Err(error.into());
    }

    let credentials = state.store.user_credentials(&email).await?;
    let stored_hash = credentials.as_ref().map(|c| c.password_hash.clone());
    let matches = passwords::verify(&state, &Password::from_typed(&form.password), stored_hash).await?;
    let user = match credentials {
        Some(credentials) if matches => credentials.user,
        unmatched => {
            let outcome = if unmatched.is_some() { "wrong_password" } else { "unknown_account" };
            tracing::info!(target: "ballast::sign_in", outcome, %address, user = ?unmatched.map(|c| c.user.id.0));
            throttle.failed(&state).await?;
            errors.add("", "That email address and password do not match an account. Check both and try again.");
            return Ok(invalid(sign_in_page(&csrf, &form.email, &form.next, errors, None)));
        }
    };
    throttle.succeeded(&state).await?;
    tracing::info!(target: "ballast::sign_in", outcome = "success", %address, user = user.id.0);
    let cookies = start_session(&state, &user, &headers).await?;
    Ok(see_other(safe_next(&form.next), &cookies))
}

async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match end_current_session(&state, &headers).await {
        Ok(cookies) => see_other("/?notice=signed-out", &cookies),
        Err(error) => respond(error, false),
    }
}
