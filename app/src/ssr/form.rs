//! What a form post answers.
//!
//! The same server function serves a page's form (a plain `<form method="post">`, with
//! JavaScript on or off: its request accepts `text/html`) and a client that calls the API
//! (which reads the JSON result and status). For the form post the answer is always a
//! redirect (Post / Redirect / Get): on success to the page named by the server function, or
//! back to the form with `?done=FORM`; on failure back to the form with `?flash=TOKEN`, the
//! errors and the values typed (never passwords) kept in the session under that token, so
//! the page shows each error next to its field after the round trip.

use crate::error::AppError;
use crate::model::Flash;
use axum::http::{header, HeaderMap, StatusCode};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

const FLASH_KEY: &str = "flash";

/// Whether this request is a plain HTML form post (no JavaScript).
pub fn is_plain_form_post() -> bool {
    use_context::<axum::http::request::Parts>()
        .map(|parts| accepts_html(&parts.headers))
        .unwrap_or(false)
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.contains("text/html"))
        .unwrap_or(false)
}

/// The path and query of the page the form was posted from, without our own parameters.
fn referer_path() -> String {
    let referer = use_context::<axum::http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "/".to_string());
    let after_scheme = referer
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(&referer);
    let path = after_scheme
        .find('/')
        .map(|i| &after_scheme[i..])
        .unwrap_or("/");
    strip_params(path, &["flash", "done"])
}

/// Removes the named query parameters from a path with query.
pub fn strip_params(path: &str, names: &[&str]) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .filter(|kv| !names.iter().any(|n| kv.split('=').next() == Some(*n)))
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

fn with_param(path: &str, name: &str, value: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}{name}={value}")
}

/// Finishes a form's server function.
///
/// - `form`: the form's name, so the page knows which form the errors belong to;
/// - `values`: the submitted values to show again after a failed plain post (no passwords);
/// - `success_to`: where a successful plain post goes (default: back to the form with `?done=`).
pub async fn finish<T>(
    form: &str,
    values: Vec<(String, String)>,
    result: Result<T, AppError>,
    success_to: Option<String>,
) -> Result<T, AppError> {
    let plain = is_plain_form_post();
    match &result {
        Ok(_) if plain => {
            let to = success_to.unwrap_or_else(|| with_param(&referer_path(), "done", form));
            leptos_axum::redirect(&to);
        }
        Ok(_) => {}
        Err(err) if plain => {
            let token = uuid::Uuid::new_v4().simple().to_string();
            // What was typed comes back to the form, cut to the longest any field may hold
            // (an oversized value is refused, and need not be kept in the session whole).
            let longest = crate::domain::limits::Text::ReplyBody.max_chars();
            let values = values
                .into_iter()
                .map(|(k, v)| (k, v.chars().take(longest).collect()))
                .collect();
            let flash = Flash {
                token: token.clone(),
                form: form.to_string(),
                error: err.clone(),
                values,
            };
            if let Ok(session) = leptos_axum::extract::<Session>().await {
                if let Err(e) = session.insert(FLASH_KEY, &flash).await {
                    tracing::error!(error = %e, "could not keep form errors in the session");
                }
            }
            leptos_axum::redirect(&with_param(&referer_path(), "flash", &token));
        }
        Err(err) => {
            if let Some(res) = use_context::<ResponseOptions>() {
                res.set_status(
                    StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
        }
    }
    result
}

/// The errors kept for `token` by a failed plain form post, if it is the latest one.
pub async fn flash(token: &str) -> Option<Flash> {
    let session = leptos_axum::extract::<Session>().await.ok()?;
    let flash: Flash = session.get(FLASH_KEY).await.ok().flatten()?;
    (flash.token == token).then_some(flash)
}

/// Answers a read: on failure, the response gets the error's status code.
pub fn answer<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        set_status_for(err);
    }
    result
}

/// Sets the HTTP status of the current response from an error (for pages and reads).
pub fn set_status_for(err: &AppError) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_parameters_are_stripped_and_others_kept() {
        assert_eq!(
            strip_params("/admin/users?flash=abc", &["flash", "done"]),
            "/admin/users"
        );
        assert_eq!(
            strip_params("/x?county=1&done=y&kind=2", &["flash", "done"]),
            "/x?county=1&kind=2"
        );
        assert_eq!(with_param("/x?a=1", "done", "f"), "/x?a=1&done=f");
    }

    #[test]
    fn html_accepting_requests_are_plain_form_posts() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT,
            "text/html,application/xhtml+xml".parse().unwrap(),
        );
        assert!(accepts_html(&h));
        h.insert(header::ACCEPT, "application/json".parse().unwrap());
        assert!(!accepts_html(&h));
    }
}
