//! The edge: what every request and answer goes through before and after the app.
//!
//! - [`guard_body`] refuses what no form of ours sends, before any handler sees it: a body
//!   over [`MAX_BODY_BYTES`] (413, refused unread when its length is declared), a post to a
//!   server function that is not a form post (415), text that is not UTF-8 or holds a NUL,
//!   in the body or the query string, more than [`MAX_FIELDS`] fields (400).
//! - [`client_errors`] answers a server function's client mistakes (arguments it could not
//!   decode) with their 4xx status and the app's own error, never the decoder's text; a
//!   plain form post (JavaScript off) gets a short page in the user's language instead.
//! - [`security_headers`] adds the headers every answer carries; the pages' Content Security
//!   Policy, which names the render's nonce, is set where the page is rendered
//!   ([`page_csp`]).

use app::domain::limits::{MAX_BODY_BYTES, MAX_FIELDS};
use app::error::{AppError, Malformed};
use app::i18n::{t, Lang};
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

/// The Content Security Policy of a page rendered with `nonce`: scripts only from this site
/// and the render's own inline scripts (hydration, resources), wasm compiled by the browser,
/// nothing framed, no plugins, no `<base>`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// The policy of any answer that is not a page (downloads, errors, static files).
const OTHER_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Adds `X-Content-Type-Options`, `Referrer-Policy`, `X-Frame-Options`, and a strict
/// Content Security Policy to an answer that has none (a page has its own).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages hold one user's data and change with every action: never reused unasked.
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(OTHER_CSP),
        );
    }
    res
}

/// Refuses bodies that no page of ours sends (see the module's note), then hands the
/// request on with its body read (at most [`MAX_BODY_BYTES`]).
pub async fn guard_body(req: Request, next: Next) -> Response {
    let plain = accepts_html(req.headers());
    let lang = app::ssr::auth::lang_from_cookie(req.headers()).unwrap_or_default();
    let refuse = |m: Malformed| refusal(m, plain, lang);
    // The query string is read by the same rules as a form (a NUL in an id would reach
    // PostgreSQL, which cannot store one).
    if let Some(query) = req.uri().query() {
        if let Err(m) = check_form(query.as_bytes()) {
            return refuse(m);
        }
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // A registry file and an attachment (issue 14) are the large bodies; the rest are forms.
    let limit = match req.uri().path() {
        "/registry/upload" => app::domain::limits::MAX_UPLOAD_BYTES,
        // An attachment at its limit, with the multipart form around it.
        "/attachments/upload" => app::domain::attachment::MAX_ATTACHMENT_BYTES + 64 * 1024,
        _ => MAX_BODY_BYTES,
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return refuse(Malformed::TooLarge);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    if req.uri().path().starts_with("/api/") && !is_form {
        return refuse(Malformed::MediaType);
    }
    let (parts, body) = req.into_parts();
    let bytes = match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return refuse(Malformed::TooLarge),
        Err(e) if is_body_timeout(e.as_ref()) => return refuse(Malformed::TooSlow),
        Err(_) => return refuse(Malformed::Body),
    };
    if is_form {
        if let Err(m) = check_form(&bytes) {
            return refuse(m);
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether reading the body failed because it did not arrive within `--body-timeout`
/// (`tower_http`'s request-body timeout, somewhere in the error's chain).
fn is_body_timeout(mut err: &(dyn std::error::Error + 'static)) -> bool {
    loop {
        if err.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        match err.source() {
            Some(next) => err = next,
            None => return false,
        }
    }
}

/// Checks an urlencoded body: at most [`MAX_FIELDS`] fields, every name and value UTF-8
/// once decoded, and no NUL (which PostgreSQL cannot store in text).
pub fn check_form(body: &[u8]) -> Result<(), Malformed> {
    let mut fields = 0usize;
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(Malformed::TooManyFields);
        }
        for part in pair.splitn(2, |b| *b == b'=') {
            let plus_free: Vec<u8> = part
                .iter()
                .map(|b| if *b == b'+' { b' ' } else { *b })
                .collect();
            let decoded: Vec<u8> = percent_encoding::percent_decode(&plus_free).collect();
            match std::str::from_utf8(&decoded) {
                Ok(text) if !text.contains('\0') => {}
                _ => return Err(Malformed::Encoding),
            }
        }
    }
    Ok(())
}

/// A server function's answer to a client mistake gets its own status (400, 413, 415, …)
/// instead of the 500 server functions answer every error with; a plain form post whose
/// arguments could not be read gets a short page in the user's language.
pub async fn client_errors(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let plain = accepts_html(req.headers());
    let lang = app::ssr::auth::lang_from_cookie(req.headers()).unwrap_or_default();
    let res = next.run(req).await;
    if !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(AppError::Malformed(m)) => refusal(m, plain, lang),
        Ok(err) => {
            if parts.status == StatusCode::INTERNAL_SERVER_ERROR && err.status() != 500 {
                parts.status =
                    StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// The answer to a request refused for `m`: the app's error as JSON, or for a plain form
/// post a short page saying what was wrong and leading back.
fn refusal(m: Malformed, plain: bool, lang: Lang) -> Response {
    let status = StatusCode::from_u16(m.status()).unwrap_or(StatusCode::BAD_REQUEST);
    if plain {
        let next = format!(
            "{} <a href=\"/\">{}</a>",
            t(lang, "page.go_back"),
            t(lang, "nav.home")
        );
        let page = short_page(
            lang,
            t(lang, "page.bad_request"),
            t(lang, m.message_key()),
            &next,
        );
        return (status, PAGE_HEADERS, page).into_response();
    }
    let body = serde_json::to_vec(&AppError::Malformed(m)).unwrap_or_default();
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::HeaderName::from_static("serverfnerror"), "refused"),
        ],
        Bytes::from(body),
    )
        .into_response()
}

/// The page answered when the database cannot be reached: 503, what happened in the user's
/// language, and when to try again.
pub fn unavailable_page(err: &AppError, lang: Lang) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let message = match err {
        AppError::Unavailable => t(lang, "err.unavailable"),
        _ => t(lang, "err.internal"),
    };
    let next = format!("<a href=\"\">{}</a>", t(lang, "page.retry"));
    let page = short_page(lang, t(lang, "app.name"), message, &next);
    (status, [(header::RETRY_AFTER, "10")], PAGE_HEADERS, page).into_response()
}

/// The headers of a [`short_page`]: HTML, and a policy that allows only the stylesheet.
const PAGE_HEADERS: [(header::HeaderName, &str); 2] = [
    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
];

/// A page answered by the edge itself, outside the app's render: a title, what happened,
/// and where to go next (trusted HTML).
fn short_page(lang: Lang, title: &str, message: &str, next: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/pkg/app.css\"></head><body><main class=\"page\">\
         <h1>{title}</h1><p class=\"form-error\">{message}</p><p>{next}</p></main></body></html>",
        lang.html_lang(),
    )
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_with_valid_text_passes() {
        assert_eq!(
            check_form(b"answers%5Br1_1%5D=done&explanations%5Bx5_3%5D=%E5%AE%89+x"),
            Ok(())
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_or_hold_nul_are_refused() {
        assert_eq!(check_form(b"reason=%FF%FE"), Err(Malformed::Encoding));
        assert_eq!(check_form(b"reason=%ED%A0%80"), Err(Malformed::Encoding));
        assert_eq!(check_form(b"reason=a%00b"), Err(Malformed::Encoding));
        assert_eq!(check_form(b"%FF=x"), Err(Malformed::Encoding));
    }

    #[test]
    fn more_fields_than_any_form_has_are_refused() {
        let body = vec!["k=v"; MAX_FIELDS + 1].join("&");
        assert_eq!(check_form(body.as_bytes()), Err(Malformed::TooManyFields));
        let body = vec!["k=v"; MAX_FIELDS].join("&");
        assert_eq!(check_form(body.as_bytes()), Ok(()));
    }
}
