//! Cross-site request forgery protection.
//!
//! Every state-changing request (anything but GET, HEAD, OPTIONS) must come from a page of
//! this site: its `Origin` header, or failing that its `Referer`, must name the host the
//! request was sent to. Browsers send one of them on every form post and `fetch`; a request
//! with neither, or with another site's, is refused with 403. Session cookies are also
//! `SameSite=Lax`, which stops most cross-site posts before they get here.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The `host[:port]` of an origin or URL (`http://127.0.0.1:3000/path` → `127.0.0.1:3000`).
fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Whether a state-changing request comes from this site.
pub fn same_site(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null")
        .or_else(|| headers.get(header::REFERER).and_then(|v| v.to_str().ok()));
    match source.and_then(host_of) {
        Some(h) => h.eq_ignore_ascii_case(host),
        None => false,
    }
}

pub async fn reject_cross_site(req: Request<Body>, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || same_site(req.headers()) {
        next.run(req).await
    } else {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
        (
            StatusCode::FORBIDDEN,
            "跨站请求已被拒绝 · Cross-site request refused",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn a_post_from_this_site_passes() {
        assert!(same_site(&headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "http://127.0.0.1:3000")
        ])));
        assert!(same_site(&headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::REFERER, "http://127.0.0.1:3000/login?x=1")
        ])));
    }

    #[test]
    fn a_post_from_another_site_or_from_nowhere_is_refused() {
        assert!(!same_site(&headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "http://evil.example")
        ])));
        assert!(!same_site(&headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "http://127.0.0.1:3000.evil.example")
        ])));
        assert!(!same_site(&headers(&[(header::HOST, "127.0.0.1:3000")])));
        assert!(!same_site(&headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "null")
        ])));
    }
}
