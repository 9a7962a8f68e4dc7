//! The one form pattern. Every form body deserialises into a struct of `String` fields
//! (missing fields are empty, so nothing fails before we can explain it), is parsed into core
//! types collecting a message per field, and on failure is shown again with what the person
//! typed and each message next to its field.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::{PageError, WebError};

/// A form read as what was typed, by field name: for forms whose fields are named at run time
/// (one per question, sign or word), and the shape in which such a form is shown again.
pub type Typed = std::collections::HashMap<String, String>;

/// A submitted form, read leniently (see the module docs).
pub struct FormInput<T>(pub T);

impl<S, T> FromRequest<S> for FormInput<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(FormInput(value)),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(WebError::TooLarge.into())
            }
            Err(_) => {
                Err(WebError::BadRequest("We could not read that form. Please reload the page and try again.".into())
                    .into())
            }
        }
    }
}

/// One problem with one field (`field` is the input's id; empty for the form as a whole).
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: std::borrow::Cow<'static, str>,
    pub message: String,
}

#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl ToString) {
        self.0.push(FieldError { field: field.into(), message: message.to_string() });
    }

    /// For fields whose names are built at run time (one per question).
    pub fn add_owned(&mut self, field: String, message: impl ToString) {
        self.0.push(FieldError { field: field.into(), message: message.to_string() });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

/// One input as a template draws it.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// The input's `type`.
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
}

impl Field {
    pub fn new(name: &'static str, label: &'static str, kind: &'static str, autocomplete: &'static str) -> Field {
        Field { name, label, kind, autocomplete, hint: "", value: String::new(), error: None }
    }

    pub fn hint(mut self, hint: &'static str) -> Field {
        self.hint = hint;
        self
    }

    /// Fills in what was typed (never used for passwords) and this field's error, if any.
    pub fn with(mut self, value: &str, errors: &FieldErrors) -> Field {
        self.value = value.to_owned();
        self.error = errors.get(self.name).map(str::to_owned);
        self
    }

    pub fn error_from(mut self, errors: &FieldErrors) -> Field {
        self.error = errors.get(self.name).map(str::to_owned);
        self
    }

    /// The ids that describe this input, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}
