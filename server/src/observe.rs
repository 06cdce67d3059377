//! What an operator sees (issue 12): one log line per request and Prometheus metrics at
//! `/metrics`.
//!
//! Metrics (text format, `metrics` + `metrics-exporter-prometheus`):
//! - `http_requests_total{route,status}` and `http_request_duration_seconds{route}` (a
//!   histogram), the route being the router's pattern (`/filings/{id}`), never the raw path;
//! - `db_pool_connections`, `db_pool_idle_connections` (read at each scrape);
//! - `filings_submitted_total{late}` and `logins_throttled_total{by}`, counted where they
//!   happen (`app::ssr::filings::submit`, `app::ssr::auth::check_login`).

use app::ssr::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Latency buckets, in seconds: from a static file to a slow export.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's recorder, installed on first use (one per process, however many apps a
/// test builds in it). `None` if another recorder was installed first.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    LATENCY_BUCKETS,
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics are off: a recorder is already installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Installs the recorder (the server calls this before it serves, so counters counted
/// before the first scrape are kept).
pub fn install() {
    let _ = handle();
}

/// The route pattern a request matched, carried from inside the router (where it is known)
/// to [`observe`] (outside, where the final status is known).
#[derive(Clone)]
struct Route(String);

/// Inner layer (`route_layer`): tags the response with the matched route's pattern.
pub async fn tag_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let mut res = next.run(req).await;
    if let Some(route) = route {
        res.extensions_mut().insert(Route(route));
    }
    res
}

/// Outer layer: counts and times every request, and logs one line for it (method, route,
/// path, status, milliseconds; JSON with `--log-format json`).
pub async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let elapsed = started.elapsed();
    let route = match res.extensions().get::<Route>() {
        Some(Route(r)) => r.clone(),
        None if path.starts_with("/pkg/") => "/pkg/*".to_string(),
        None => "unmatched".to_string(),
    };
    let status = res.status().as_u16();
    metrics::counter!("http_requests_total", "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route.clone())
        .record(elapsed.as_secs_f64());
    tracing::info!(
        target: "nilfiling::request",
        method = %method,
        route = %route,
        path = %path,
        status,
        ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    res
}

/// `GET /metrics`: the Prometheus text format. Behind a trusted proxy, a request that came
/// through it (it carries `X-Forwarded-For`) is answered 404: scrape the instance directly.
pub async fn metrics_page(State(state): State<AppState>, req: Request) -> Response {
    if state.trust_proxy && req.headers().contains_key("x-forwarded-for") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(handle) = handle() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are off").into_response();
    };
    metrics::gauge!("db_pool_connections").set(state.db.size() as f64);
    metrics::gauge!("db_pool_idle_connections").set(state.db.num_idle() as f64);
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        handle.render(),
    )
        .into_response()
}
