//! The one error type of the app, shared by server functions and pages.
//!
//! Messages are keys into [`crate::i18n`], so the page shows them in the user's language.
//! Internal causes are logged once on the server and never sent to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

pub use crate::domain::validation::FieldErrors;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Some fields are invalid: each message is shown next to its field (HTTP 422).
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Not logged in, or the session expired: the user is asked to log in (HTTP 401).
    #[error("not logged in")]
    Unauthenticated,
    /// Logged in, but the thing is outside the user's unit or role (HTTP 403).
    #[error("forbidden")]
    Forbidden,
    /// No such thing (HTTP 404).
    #[error("not found")]
    NotFound,
    /// Too many failed logins: "try again after {retry_at}" (Kunming time) (HTTP 429).
    #[error("too many failed attempts, retry at {retry_at}")]
    Throttled { retry_at: String },
    /// The action conflicts with the current state; the key says how (HTTP 409).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A failure inside the server: the user sees "please try again", the cause is in the log (HTTP 500).
    #[error("internal error")]
    Internal,
    /// The request did not reach the server or its answer could not be read (network, decoding).
    #[error("request failed: {0}")]
    Transport(String),
}

impl FieldErrors {
    /// `Ok(())` when empty, else the errors as [`AppError::Invalid`].
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self))
        }
    }
}

impl AppError {
    /// One field, one message.
    pub fn field(field: &str, message_key: &str) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message_key);
        AppError::Invalid(errors)
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Throttled { .. } => 429,
            AppError::Conflict(_) => 409,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// The field errors, if this is a validation error.
    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
