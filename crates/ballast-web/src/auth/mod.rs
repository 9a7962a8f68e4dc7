//! Who is asking: session cookies in, [`Current`] out. Handlers state what they need by the
//! extractor they take: [`SignedIn`] for pages (anyone else is sent to sign in), [`ApiCaller`]
//! for the API (anyone else gets 401), [`MaybeSignedIn`] where both are welcome.

mod client;
mod throttle;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use ballast_core::SessionState;
use ballast_store::{NewSession, Session, User};
use jiff::Timestamp;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::security::{cookies, csrf, tokens};

pub use client::{ClientAddress, describe_user_agent};
pub use throttle::SignInThrottle;

/// The signed-in person and the session they are using.
#[derive(Debug, Clone)]
pub struct Current {
    pub user: User,
    pub session: Session,
}

enum Lookup {
    Active(Current),
    Expired,
    Absent,
}

async fn lookup(state: &AppState, headers: &HeaderMap) -> Result<Lookup, WebError> {
    let Some(token) = cookies::read(headers, cookies::SESSION).filter(|t| tokens::is_well_formed(t)) else {
        return Ok(Lookup::Absent);
    };
    let hash = tokens::hash_token(token);
    let Some(found) = state.store.session_by_token(&hash).await? else { return Ok(Lookup::Absent) };
    let now = Timestamp::now();
    match state.config.sessions.state(found.session.created_at, found.session.last_seen_at, now) {
        SessionState::Expired => {
            state.store.end_session_by_token(&hash).await?;
            Ok(Lookup::Expired)
        }
        SessionState::LiveNeedsTouch => {
            state.store.touch_session(found.session.id, now).await?;
            let session = Session { last_seen_at: now, ..found.session };
            Ok(Lookup::Active(Current { user: found.user, session }))
        }
        SessionState::Live => Ok(Lookup::Active(Current { user: found.user, session: found.session })),
    }
}

/// A page handler's proof that someone is signed in.
pub struct SignedIn(pub Current);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let reason = match lookup(state, &parts.headers).await.map_err(|e| PageError(e).into_response())? {
            Lookup::Active(current) => return Ok(SignedIn(current)),
            Lookup::Expired => "&ended=1",
            Lookup::Absent => "",
        };
        let path =
            parts.extensions.get::<OriginalUri>().map_or_else(|| parts.uri.clone(), |original| original.0.clone());
        let next = path.path_and_query().map_or("/", |pq| pq.as_str());
        let target = format!("/sign-in?next={}{reason}", encode_component(next));
        Err(Redirect::to(&target).into_response())
    }
}

/// Someone who may or may not be signed in.
pub struct MaybeSignedIn(pub Option<Current>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match lookup(state, &parts.headers).await? {
            Lookup::Active(current) => Ok(MaybeSignedIn(Some(current))),
            Lookup::Expired | Lookup::Absent => Ok(MaybeSignedIn(None)),
        }
    }
}

/// An API caller with a valid session.
pub struct ApiCaller(pub Current);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match lookup(state, &parts.headers).await? {
            Lookup::Active(current) => Ok(ApiCaller(current)),
            Lookup::Expired | Lookup::Absent => Err(WebError::SignInRequired.into()),
        }
    }
}

/// Starts a session for `user`: a new random token (never reused from before sign-in), its
/// hash stored, and the cookies to set — the session and a rotated CSRF token.
pub async fn start_session(state: &AppState, user: &User, headers: &HeaderMap) -> Result<[HeaderValue; 2], WebError> {
    let token = tokens::random_token();
    let user_agent = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    state
        .store
        .create_session(NewSession {
            user_id: user.id,
            token: tokens::hash_token(&token),
            created_at: Timestamp::now(),
            user_agent: describe_user_agent(user_agent),
        })
        .await?;
    let max_age = state.config.sessions.absolute_timeout.as_secs();
    Ok([cookies::set(cookies::SESSION, &token, max_age), csrf::rotated_cookie()])
}

/// Ends the session the request carries (if any) and returns the cookies that clear it.
pub async fn end_current_session(state: &AppState, headers: &HeaderMap) -> Result<[HeaderValue; 2], WebError> {
    if let Some(token) = cookies::read(headers, cookies::SESSION).filter(|t| tokens::is_well_formed(t)) {
        state.store.end_session_by_token(&tokens::hash_token(token)).await?;
    }
    Ok(signed_out_cookies())
}

/// The cookies that leave a browser signed out, with a fresh CSRF token.
pub fn signed_out_cookies() -> [HeaderValue; 2] {
    [cookies::clear(cookies::SESSION), csrf::rotated_cookie()]
}

/// Percent-encodes a value for a query string.
pub fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where to go after signing in: only paths on this site, never `//elsewhere` or a URL.
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    if local && !next.chars().any(char::is_control) { next } else { "/" }
}

/// A page handler's proof that an administrator is asking. Anyone else is told the page
/// does not exist, so the administration area is not advertised.
pub struct Admin(pub Current);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn(current) = SignedIn::from_request_parts(parts, state).await?;
        if current.user.role == ballast_core::Role::Admin {
            Ok(Admin(current))
        } else {
            Err(PageError(WebError::NotFound).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/account"), "/account");
        assert_eq!(safe_next("/account/sessions?x=1"), "/account/sessions?x=1");
        for hostile in ["//evil.example", "https://evil.example", "/\\evil.example", "", "javascript:alert(1)", "/\n/x"]
        {
            assert_eq!(safe_next(hostile), "/", "{hostile:?}");
        }
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode_component("/account?x=1&y=2"), "/account%3Fx%3D1%26y%3D2");
    }
}
