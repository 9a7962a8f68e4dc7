//! The one web error type and how it looks: a friendly page for people, RFC 9457
//! `application/problem+json` for the API. Every failure a handler or middleware can hit is a
//! [`WebError`]; [`PageError`] and [`ApiError`] only choose the look.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use ballast_store::StoreError;
use jiff::SignedDuration;

use crate::render::{ErrorPage, Layout, html};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    SignInRequired,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request failed the cross-site check")]
    ForgedRequest,
    #[error("request body too large")]
    TooLarge,
    #[error("unsupported content type")]
    UnsupportedMediaType,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Well-formed, but the content does not fit (an answer outside the options, a gap).
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    #[error("too many attempts; retry in {0:?}")]
    TooManyAttempts(SignedDuration),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl WebError {
    pub fn internal(error: impl std::fmt::Display) -> WebError {
        WebError::Internal(error.to_string())
    }

    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::SignInRequired => StatusCode::UNAUTHORIZED,
            WebError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            WebError::ForgedRequest => StatusCode::FORBIDDEN,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Store(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            WebError::NotFound => "We could not find that page",
            WebError::SignInRequired => "Please sign in",
            WebError::MethodNotAllowed => "That address does not work that way",
            WebError::ForgedRequest => "That form needs to be sent again",
            WebError::TooLarge => "That was more than we can accept",
            WebError::UnsupportedMediaType => "We could not read that request",
            WebError::BadRequest(_) => "We could not read that request",
            WebError::Unprocessable(_) => "Some answers need another look",
            WebError::TooManyAttempts(_) => "Too many attempts",
            WebError::Store(StoreError::Conflict(_)) => "That is already in use",
            WebError::Store(_) | WebError::Internal(_) => "Something went wrong on our side",
        }
    }

    /// What the person can do about it, in plain words. Never includes internal details.
    fn detail(&self) -> String {
        match self {
            WebError::NotFound => "The address may be mistyped, or what it pointed to may have been removed.".into(),
            WebError::SignInRequired => "Sign in to continue.".into(),
            WebError::MethodNotAllowed => {
                "This address cannot be used like that; perhaps a link or bookmark points at a form. Nothing was changed.".into()
            }
            WebError::ForgedRequest => "For your safety, forms expire and must come from this site. \
                 Nothing was changed. Go back, reload the page and try again."
                .into(),
            WebError::TooLarge => "The request was too large. Nothing was saved; please send something shorter.".into(),
            WebError::UnsupportedMediaType => {
                "The request was not in a format we accept (forms as url-encoded, the API as JSON).".into()
            }
            WebError::BadRequest(message) | WebError::Unprocessable(message) => message.clone(),
            WebError::TooManyAttempts(wait) => format!(
                "For your account's safety we have paused sign-in. Please wait {} and try again.",
                describe_wait(*wait)
            ),
            WebError::Store(StoreError::Conflict(what)) => format!("That {what} is already in use."),
            WebError::Store(_) | WebError::Internal(_) => {
                "Your last action may not have been saved. Please try again in a moment.".into()
            }
        }
    }
}

/// "about 3 minutes", rounded up so we never promise too short a wait.
pub fn describe_wait(wait: SignedDuration) -> String {
    let minutes = (wait.as_secs() + 59) / 60;
    if minutes <= 1 { "a minute".into() } else { format!("about {minutes} minutes") }
}

/// Renders `error` as a page or as problem+json.
pub fn respond(error: WebError, is_api: bool) -> Response {
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(error = %error, "request failed");
    }
    let mut response = if is_api {
        let body = serde_json::json!({
            "type": "about:blank",
            "title": error.title(),
            "status": status.as_u16(),
            "detail": error.detail(),
        });
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        response
    } else {
        let page = ErrorPage { layout: Layout::bare(error.title()), message: error.detail() };
        (status, html(&page)).into_response()
    };
    match error {
        WebError::TooManyAttempts(wait) => {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
        }
        // The rest of an oversized body is never read, so the connection cannot carry another
        // request: say so, or a client may send its next request into a closing socket.
        WebError::TooLarge => {
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        _ => {}
    }
    response
}

/// An error shown as a page.
#[derive(Debug)]
pub struct PageError(pub WebError);

/// An error answered as problem+json.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        respond(self.0, false)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        respond(self.0, true)
    }
}

impl From<WebError> for PageError {
    fn from(error: WebError) -> Self {
        PageError(error)
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        PageError(error.into())
    }
}

impl From<WebError> for ApiError {
    fn from(error: WebError) -> Self {
        ApiError(error)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError(error.into())
    }
}

/// The fallback for every unknown route.
pub async fn not_found(uri: Uri) -> Response {
    respond(WebError::NotFound, uri.path().starts_with("/api/"))
}

/// A known route asked for with the wrong method (for example `GET /sign-out`).
pub async fn method_not_allowed(uri: Uri) -> Response {
    respond(WebError::MethodNotAllowed, uri.path().starts_with("/api/"))
}
