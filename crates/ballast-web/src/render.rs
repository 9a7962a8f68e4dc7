//! Turning askama templates into responses, and the layout every page shares.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::auth::Current;
use crate::security::csrf::CsrfToken;

/// What the shared page frame needs: the title, and who is signed in (for the navigation and
/// its sign-out form).
pub struct Layout {
    pub title: String,
    pub signed_in: Option<SignedInNav>,
    pub csrf: String,
    pub version: &'static str,
}

pub struct SignedInNav {
    pub email: String,
}

impl Layout {
    pub fn new(title: impl Into<String>, current: Option<&Current>, csrf: &CsrfToken) -> Layout {
        Layout {
            title: title.into(),
            signed_in: current.map(|c| SignedInNav { email: c.user.email.to_string() }),
            csrf: csrf.0.clone(),
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// For error pages, which may be shown before we know who is asking.
    pub fn bare(title: &str) -> Layout {
        Layout { title: title.into(), signed_in: None, csrf: String::new(), version: env!("CARGO_PKG_VERSION") }
    }

    /// Prefixes the title so screen reader users hear at once that the form needs attention.
    pub fn with_errors(mut self, has_errors: bool) -> Layout {
        if has_errors {
            self.title = format!("Error: {}", self.title);
        }
        self
    }
}

pub fn html(template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => Html(body).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub message: String,
}
