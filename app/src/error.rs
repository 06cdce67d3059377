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
    /// Too many failed logins for the name or from the address: "try again at {retry_at}
    /// (Kunming time), in {wait_seconds} s" (HTTP 429).
    #[error("too many failed attempts, retry at {retry_at}")]
    Throttled {
        retry_at: chrono::DateTime<chrono::Utc>,
        wait_seconds: i64,
    },
    /// The request itself could not be read: the user sees what was wrong with it in plain
    /// words, never the decoder's text (HTTP 400, 413 or 415, see [`Malformed`]).
    #[error("malformed request: {0:?}")]
    Malformed(Malformed),
    /// The action conflicts with the current state, which changed or forbids it (HTTP 409).
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// A failure inside the server: the user sees "please try again", the cause is in the log (HTTP 500).
    #[error("internal error")]
    Internal,
    /// The database cannot be reached right now: the user sees "the service is unavailable,
    /// try again shortly" (HTTP 503).
    #[error("service unavailable")]
    Unavailable,
    /// The request did not reach the server or its answer could not be read (network, decoding).
    #[error("request failed: {0}")]
    Transport(String),
}

/// What was wrong with a request the server could not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Malformed {
    /// The body or its arguments do not decode (a number that is not one, a missing
    /// argument, a list where one value belongs) (HTTP 400).
    Body,
    /// Text that is not UTF-8, or holds a NUL character (HTTP 400).
    Encoding,
    /// More fields than any form has ([`crate::domain::limits::MAX_FIELDS`]) (HTTP 400).
    TooManyFields,
    /// A body over [`crate::domain::limits::MAX_BODY_BYTES`], refused unread (HTTP 413).
    TooLarge,
    /// A body that is not a form post (`application/x-www-form-urlencoded`) (HTTP 415).
    MediaType,
    /// A body that did not arrive within the server's body timeout (HTTP 408).
    TooSlow,
}

impl Malformed {
    /// The HTTP status it is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Malformed::Body | Malformed::Encoding | Malformed::TooManyFields => 400,
            Malformed::TooLarge => 413,
            Malformed::MediaType => 415,
            Malformed::TooSlow => 408,
        }
    }

    /// The message key of what the user sees.
    pub fn message_key(&self) -> &'static str {
        match self {
            Malformed::Body => "err.malformed",
            Malformed::Encoding => "err.encoding",
            Malformed::TooManyFields => "err.too_many_fields",
            Malformed::TooLarge => "err.too_large",
            Malformed::MediaType => "err.media_type",
            Malformed::TooSlow => "err.too_slow",
        }
    }
}

/// How an action conflicts with the current state; each is shown as its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Conflict {
    /// The filing window is closed and no late-filing exception covers the unit (107号 四、(一)).
    WindowClosed,
    /// The unit was not open in the period (opened after its window, or closed before the
    /// period began): it cannot file for it.
    UnitNotOpen,
    /// The unit was merged into another (a duplicate registration, `ssr::admin::merge_unit`):
    /// it files no more; its people file for the unit kept.
    UnitMerged,
    /// The version is submitted: a correction is a new version.
    AlreadySubmitted,
    /// The filing was accepted by its receiving unit and cannot change.
    AlreadyAccepted,
    /// The filing is not (or no longer) waiting for review.
    NotAwaitingReview,
    /// Someone else changed the same thing at the same moment: reload and try again.
    TryAgain,
    /// A newer version of the filing was submitted: the decision was about an old one.
    Superseded,
    /// The escalation proposal was already issued or dismissed.
    EscalationNotProposed,
    /// The escalation is closed or not issued yet.
    EscalationNotOpen,
    /// A special report (专报) asks no reply.
    EscalationNoReply,
    /// A reply already waits for the issuer's decision.
    EscalationPending,
    /// No reply waits for a decision.
    EscalationNothingPending,
}

impl Conflict {
    /// The message key of what the user sees.
    pub fn message_key(&self) -> &'static str {
        match self {
            Conflict::WindowClosed => "err.window_closed",
            Conflict::UnitNotOpen => "err.unit_not_open",
            Conflict::UnitMerged => "err.unit_merged",
            Conflict::AlreadySubmitted => "err.already_submitted",
            Conflict::AlreadyAccepted => "err.already_accepted",
            Conflict::NotAwaitingReview => "err.not_awaiting_review",
            Conflict::TryAgain => "err.try_again",
            Conflict::Superseded => "err.superseded",
            Conflict::EscalationNotProposed => "err.esc_not_proposed",
            Conflict::EscalationNotOpen => "err.esc_not_open",
            Conflict::EscalationNoReply => "err.esc_no_reply",
            Conflict::EscalationPending => "err.esc_pending",
            Conflict::EscalationNothingPending => "err.esc_nothing_pending",
        }
    }
}

impl From<Conflict> for AppError {
    fn from(conflict: Conflict) -> Self {
        AppError::Conflict(conflict)
    }
}

/// A database failure is internal: its whole chain is logged once, here, and the user sees
/// "please try again". Callers that expect a constraint violation (a unique name, a second
/// submission) match it with [`crate::ssr::db::violated`] before it gets here.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = ?err, "database error");
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                AppError::Unavailable
            }
            _ => AppError::Internal,
        }
    }
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
            AppError::Malformed(m) => m.status(),
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Unavailable => 503,
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

    /// On the server these are the arguments a server function could not decode: a client
    /// mistake, answered 400 without the decoder's text (which is logged). In the browser,
    /// a request that failed or an answer that could not be read.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            match value {
                ServerFnErrorErr::Registration(_) => AppError::NotFound,
                ServerFnErrorErr::Response(e)
                | ServerFnErrorErr::ServerError(e)
                | ServerFnErrorErr::Serialization(e) => {
                    tracing::error!(error = %e, "server function failed outside its body");
                    AppError::Internal
                }
                other => {
                    tracing::debug!(error = %other, "undecodable server function arguments");
                    AppError::Malformed(Malformed::Body)
                }
            }
        }
        #[cfg(not(feature = "ssr"))]
        {
            AppError::Transport(value.to_string())
        }
    }
}
