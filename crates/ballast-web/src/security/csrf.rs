//! Cross-site request forgery protection for every state-changing request.
//!
//! Two independent checks, so either alone would stop a forged request:
//! 1. where it came from: a browser's `Sec-Fetch-Site` must say `same-origin`, and any
//!    `Origin` header must name this site;
//! 2. what it carries: page forms must echo the token from the `__Host-ballast-csrf` cookie
//!    in a hidden `csrf` field (a double-submit token the `__Host-` prefix makes unforgeable
//!    from sibling domains); API calls must be JSON, which other sites cannot send without
//!    a CORS preflight we never grant.
//!
//! The middleware also hands the token to handlers (as [`CsrfToken`]) so forms can embed it,
//! and sets the cookie when the browser does not have one yet.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::config::WebConfig;
use crate::error::{WebError, respond};
use crate::security::{cookies, tokens};

/// Where calendar feeds are served (see `pages::reminders`).
pub const FEED_PREFIX: &str = "/calendar/";

/// The form field that carries the token.
pub const FIELD: &str = "csrf";

/// The current request's CSRF token, for embedding in forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// How long the CSRF cookie lasts. A form older than this asks to be submitted again.
const COOKIE_SECONDS: i64 = 30 * 24 * 3600;

pub async fn protect(state: &AppState, mut request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let existing =
        cookies::read(request.headers(), cookies::CSRF).filter(|v| tokens::is_well_formed(v)).map(str::to_owned);
    // A calendar app fetching a feed is not a browser with forms: the feed sets no cookie, so
    // nothing personal-looking is attached to a response apps may cache.
    let fresh = existing.is_none() && !request.uri().path().starts_with(FEED_PREFIX);
    let token = existing.unwrap_or_else(tokens::random_token);

    if !is_safe(request.method()) {
        let checked = match check_origin(&state.config, request.headers()) {
            Err(error) => Err(error),
            Ok(()) if is_api => check_api_content_type(request.headers()).map(|()| request),
            Ok(()) => check_form_token(request, &token, state.config.max_body_bytes).await,
        };
        request = match checked {
            Ok(request) => request,
            Err(error) => return with_cookie(respond(error, is_api), fresh.then_some(&token)),
        };
    }

    request.extensions_mut().insert(CsrfToken(token.clone()));
    with_cookie(next.run(request).await, fresh.then_some(&token))
}

fn with_cookie(mut response: Response, token: Option<&String>) -> Response {
    if let Some(token) = token {
        // A handler that starts or ends a session sets its own fresh token; keep that one.
        let already_set = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.starts_with(cookies::CSRF)));
        if !already_set {
            response.headers_mut().append(header::SET_COOKIE, cookies::set(cookies::CSRF, token, COOKIE_SECONDS));
        }
    }
    response
}

/// A fresh CSRF cookie, set whenever a session starts or ends so a token seen before
/// sign-in is useless after it.
pub fn rotated_cookie() -> axum::http::HeaderValue {
    cookies::set(cookies::CSRF, &tokens::random_token(), COOKIE_SECONDS)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn check_origin(config: &WebConfig, headers: &HeaderMap) -> Result<(), WebError> {
    if let Some(site) = headers.get("sec-fetch-site") {
        // "none" is a request the person started themselves (typed, bookmarked).
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return Err(WebError::ForgedRequest);
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
    let origin = origin.to_str().map_err(|_| WebError::ForgedRequest)?;
    // With `Referrer-Policy: no-referrer`, browsers send `Origin: null` even on same-origin
    // posts; `Sec-Fetch-Site`, which pages cannot forge, then vouches for the origin.
    if origin == "null" && headers.get("sec-fetch-site").is_some_and(|site| site == "same-origin") {
        return Ok(());
    }
    let matches = match config.public_origin() {
        Some(expected) => origin.eq_ignore_ascii_case(expected),
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
            let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
            !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
        }
    };
    if matches { Ok(()) } else { Err(WebError::ForgedRequest) }
}

fn check_api_content_type(headers: &HeaderMap) -> Result<(), WebError> {
    let has_body = headers.get(header::CONTENT_LENGTH).is_some_and(|length| length.as_bytes() != b"0")
        || headers.contains_key(header::TRANSFER_ENCODING);
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    // Bodiless calls (DELETE) are safe from forms: a form cannot send DELETE.
    if has_body && !is_json { Err(WebError::UnsupportedMediaType) } else { Ok(()) }
}

/// Reads the (size-limited) form body, checks its `csrf` field, and rebuilds the request.
///
/// File uploads (`multipart/form-data`) carry the token in the form's address instead
/// (`action="…?csrf=TOKEN"`), so that checking it does not mean reading a large body twice;
/// the handler reads the upload under its own size limit.
async fn check_form_token(request: Request, expected: &str, limit: usize) -> Result<Request, WebError> {
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        let query = request.uri().query().unwrap_or_default();
        let fields: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let submitted = fields.iter().find(|(name, _)| name == FIELD).map(|(_, value)| value.as_str());
        return match submitted {
            Some(value) if tokens::same_secret(value, expected) => Ok(request),
            _ => Err(WebError::ForgedRequest),
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(WebError::UnsupportedMediaType);
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, limit).await.map_err(|_| WebError::TooLarge)?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|_| WebError::BadRequest("We could not read that form.".into()))?;
    let submitted = fields.iter().find(|(name, _)| name == FIELD).map(|(_, value)| value.as_str());
    match submitted {
        Some(value) if tokens::same_secret(value, expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(WebError::ForgedRequest),
    }
}
