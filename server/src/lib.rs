//! # 零申报 (nil filing): the server crate
//!
//! The axum binary around the Leptos app: configuration, routing, static files,
//! migrations and the command line.
//!
//! # Layout
//! - this file: [`Config`], [`Application::build`] (the whole app on a bound listener, as
//!   tests build it on port 0), the router and its layers;
//! - [`csrf`]: refuses state-changing requests from other sites (Origin / Referer check);
//! - [`edge`]: body limits, form checks, 4xx for client mistakes, security headers and the
//!   pages' Content Security Policy;
//! - [`serve`]: the accept loop (header and idle timeouts, connection cap, shutdown deadline);
//! - [`observe`]: request log lines and Prometheus metrics;
//! - `main.rs`: the command line (`serve`, `migrate`, `seed-demo`, `create-user`).

pub mod backup;
pub mod csrf;
pub mod edge;
pub mod observe;
pub mod open_api;
pub mod serve;

use app::domain::time::Clock;
use app::ssr::db::{self, Db, DbSetupError};
use app::ssr::session_store::DbSessionStore;
use app::ssr::AppState;
use app::ui::{shell, App};
use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://…` (default: a file under `data/`) or `postgres://…`.
    pub database_url: String,
    /// Where to listen; port 0 picks a free port (tests).
    pub listen: SocketAddr,
    /// The built site: `pkg/app.js`, `pkg/app.wasm`, `pkg/app.css`.
    pub site_root: PathBuf,
    /// The app clock: real, or fixed for drills, demos and tests.
    pub clock: Clock,
    /// Load the demo data set when the database has no units yet.
    pub seed_demo_if_empty: bool,
    /// With a fresh demo seed, also load this many past periods of filings (0: none).
    pub demo_history_periods: usize,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Take the client's address from `X-Forwarded-For` (behind a reverse proxy that sets it).
    pub trust_proxy: bool,
    /// How long start-up waits for the database (connecting, creating it, migrating).
    pub connect_timeout: std::time::Duration,
    /// How often to work out the escalation proposals due (106号; after a window closes and
    /// daily, by the app clock's Kunming day); `None`: only when offices open their pages.
    pub proposal_interval: Option<std::time::Duration>,
    /// Timeouts, connection cap and shutdown deadline of the HTTP server.
    pub limits: serve::Limits,
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            site_root: PathBuf::from("target/site"),
            clock: Clock::system(),
            seed_demo_if_empty: false,
            demo_history_periods: 0,
            secure_cookies: false,
            trust_proxy: false,
            connect_timeout: db::DEFAULT_CONNECT_TIMEOUT,
            proposal_interval: None,
            limits: serve::Limits::default(),
        }
    }
}

/// Why the server could not start; each reads as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: SocketAddr, reason: String },
    #[error("loading the demo data failed: {0}")]
    Seed(String),
}

/// The app, bound to its listener and ready to serve.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    limits: serve::Limits,
}

impl Application {
    /// Connects and migrates the database, seeds demo data if asked, binds the listener.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = db::open(&config.database_url, config.connect_timeout).await?;
        // A database migrated from before the kept roll-up counts is counted once (outside
        // the connect time limit: at 100,000 enterprises this reads every unmet answer once).
        app::ssr::counts::ensure_built(&db)
            .await
            .map_err(|e| StartError::Seed(format!("counting the roll-ups: {e:?}")))?;
        if config.seed_demo_if_empty {
            let report = match app::ssr::seed::seed_demo(&db, &config.clock).await {
                Ok(report) => report,
                // Another instance seeded the empty database at the same moment: its seed
                // stands (ours was one transaction, rolled back whole).
                Err(e) if db::is_unique_violation(&e) => app::ssr::seed::SeedReport {
                    skipped: true,
                    ..Default::default()
                },
                Err(e) => return Err(StartError::Seed(e.to_string())),
            };
            if !report.skipped {
                tracing::info!(
                    units = report.units,
                    enterprises = report.enterprises,
                    users = report.users,
                    "demo data loaded"
                );
                if config.demo_history_periods > 0 {
                    let history = app::ssr::seed::seed_demo_history(
                        &db,
                        &config.clock,
                        config.demo_history_periods,
                    )
                    .await
                    .map_err(|e| StartError::Seed(e.to_string()))?;
                    tracing::info!(
                        periods = history.periods,
                        filings = history.filings,
                        "demo history loaded"
                    );
                }
            }
        }
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| StartError::Listen {
                addr: config.listen,
                reason: e.to_string(),
            })?;
        let addr = listener.local_addr().map_err(|e| StartError::Listen {
            addr: config.listen,
            reason: e.to_string(),
        })?;
        let version = asset_version(&config.site_root.join("pkg"));
        let leptos_options = LeptosOptions::builder()
            .output_name("app")
            .site_root(config.site_root.to_string_lossy().to_string())
            .site_pkg_dir(format!("pkg/{version}"))
            .site_addr(addr)
            .build();
        let state = AppState {
            leptos_options,
            db,
            clock: config.clock.clone(),
            trust_proxy: config.trust_proxy,
            registry_jobs: Default::default(),
        };
        observe::install();
        let router = router(state.clone(), config.secure_cookies)
            // Outside the body guard, so that the guard's read of the body is timed (408).
            .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
                config.limits.body_timeout,
            ))
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                config.limits.request_timeout,
            ))
            .layer(axum::middleware::from_fn(observe::observe));
        if let Some(every) = config.proposal_interval {
            let (db, clock) = (state.db.clone(), state.clock.clone());
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                loop {
                    tick.tick().await;
                    if let Err(e) = app::ssr::escalations::run_due(&db, &clock).await {
                        tracing::error!(error = ?e, "working out the escalation proposals failed");
                    }
                }
            });
        }
        Ok(Self {
            listener,
            router,
            state,
            limits: config.limits,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// Serves until the process is asked to stop (Ctrl-C / SIGTERM), then finishes the
    /// requests in flight within the shutdown deadline.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes (tests stop a server this way).
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        serve::serve(self.listener, self.router, self.limits, stop).await
    }

    /// Serves in the background (tests).
    pub fn spawn(self) -> tokio::task::JoinHandle<std::io::Result<()>> {
        tokio::spawn(self.run_until(std::future::pending()))
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The whole router: pages, server functions, static files, language switch; with
/// sessions, CSRF protection and compression.
pub fn router(state: AppState, secure_cookies: bool) -> Router {
    let routes = generate_route_list(App);
    let session_layer = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("nilfiling_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(8)));
    let pkg_dir = PathBuf::from(state.leptos_options.site_root.as_ref()).join("pkg");
    // `/pkg/<version>/…`: the current build's files, cached for a year (their URL changes
    // with their content).
    let versioned = format!("/{}", state.leptos_options.site_pkg_dir);
    let context_state = state.clone();
    let pages = Router::new()
        .route("/lang/{lang}", get(set_lang))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(observe::metrics_page))
        .route("/export/{file}", get(export))
        .route(
            "/attachments/upload",
            axum::routing::post(attachment_upload).layer(axum::extract::DefaultBodyLimit::max(
                app::domain::attachment::MAX_ATTACHMENT_BYTES + 64 * 1024,
            )),
        )
        .route("/attachments/{id}", get(attachment_download))
        .route(
            "/registry/upload",
            axum::routing::post(registry_upload).layer(axum::extract::DefaultBodyLimit::max(
                app::domain::limits::MAX_UPLOAD_BYTES,
            )),
        )
        .nest_service(
            &versioned,
            built_files(&pkg_dir, "public, max-age=31536000, immutable"),
        )
        // Unversioned names (the short error pages' stylesheet): revalidated each time.
        .nest_service("/pkg", built_files(&pkg_dir, "no-cache"))
        .leptos_routes_with_context(&state, routes, move || page_context(&context_state), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .route_layer(axum::middleware::from_fn(observe::tag_route))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            {
                let state = state.clone();
                move || page_context(&state)
            },
            shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            attach_session_info,
        ))
        .layer(axum::middleware::from_fn(edge::client_errors))
        .layer(axum::middleware::from_fn(csrf::reject_cross_site))
        .layer(session_layer)
        .layer(axum::middleware::from_fn(edge::guard_body));
    // The open API: tokens instead of sessions, JSON instead of forms (see `open_api`).
    Router::new()
        .merge(open_api::router(state.clone()))
        .merge(pages)
        .layer(axum::middleware::from_fn(edge::security_headers))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// The built site's files with their `Cache-Control`; the brotli or gzip copies made by
/// `bin/build` are sent as they are to browsers that take them.
fn built_files(
    pkg_dir: &std::path::Path,
    cache_control: &'static str,
) -> SetResponseHeader<ServeDir, HeaderValue> {
    SetResponseHeader::overriding(
        ServeDir::new(pkg_dir)
            .precompressed_br()
            .precompressed_gzip(),
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    )
}

/// A short hash of the built site's files (`app.js`, `app.wasm`, `app.css`, `favicon.svg`),
/// read once at start: the `/pkg/<version>/` segment that changes whenever a file does, so
/// the files can be cached as immutable. `dev` when there is no built site.
pub fn asset_version(pkg_dir: &std::path::Path) -> String {
    use std::hash::Hasher;
    let mut hasher = std::hash::DefaultHasher::new();
    let mut found = false;
    for name in ["app.js", "app.wasm", "app.css", "favicon.svg"] {
        if let Ok(bytes) = std::fs::read(pkg_dir.join(name)) {
            hasher.write(name.as_bytes());
            hasher.write(&bytes);
            found = true;
        }
    }
    if found {
        format!("{:016x}", hasher.finish())
    } else {
        "dev".to_string()
    }
}

/// What every page render gets: the app's state, and the Content Security Policy naming the
/// nonce Leptos puts on this render's inline scripts.
fn page_context(state: &AppState) {
    provide_context(state.clone());
    if let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(csp) = HeaderValue::from_str(&edge::page_csp(&nonce)) {
            res.insert_header(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
}

/// Computes the page's session info (user, language, clock) once per page request and hands
/// it to the render through the request's extensions (see `app::ui::load_session_info`).
async fn attach_session_info(
    axum::extract::State(state): axum::extract::State<AppState>,
    session: tower_sessions::Session,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/pkg/") && !path.starts_with("/api/") {
        match app::ssr::auth::session_info(&state.db, &state.clock, &session, req.headers()).await {
            Ok(info) => {
                req.extensions_mut().insert(info);
            }
            Err(e) => {
                let lang = app::ssr::auth::lang_from_cookie(req.headers()).unwrap_or_default();
                return edge::unavailable_page(&e, lang);
            }
        }
    }
    next.run(req).await
}

/// `/readyz`: 200 when the database answers a query within two seconds, else 503 (for load
/// balancers and probes; `/healthz` only says the process is alive).
async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let query = sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&state.db);
    match tokio::time::timeout(std::time::Duration::from_secs(2), query).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: the database did not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database too slow").into_response(),
    }
}

/// `POST /registry/upload` (multipart, field `file`): the administrator's registry file,
/// kept and checked in the background; answered with a redirect to the registry page that
/// shows the check's progress and outcome (`/registry?job=…`), or back with `?error=…`.
async fn registry_upload(
    axum::extract::State(state): axum::extract::State<AppState>,
    session: tower_sessions::Session,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let user = match app::ssr::auth::session_user(&state.db, &session).await {
        Ok(Some(u)) if u.role == app::domain::unit::Role::Administrator => u,
        Ok(Some(_)) => return StatusCode::FORBIDDEN.into_response(),
        Ok(None) => return Redirect::to("/login?next=/registry").into_response(),
        Err(e) => {
            let lang = app::i18n::Lang::Zh;
            return edge::unavailable_page(&e, lang);
        }
    };
    let back = |error: &str| Redirect::to(&format!("/registry?error={error}")).into_response();
    let upload = read_upload(multipart).await;
    if !upload.complete {
        return back("upload");
    }
    let Some((name, bytes)) = upload.file.filter(|(_, b)| !b.is_empty()) else {
        return back("empty");
    };
    match app::ssr::registry::start_check(
        &state.db,
        &state.registry_jobs,
        &user.user_id,
        &name,
        bytes,
    ) {
        Ok(job) => Redirect::to(&format!("/registry?job={job}")).into_response(),
        Err(_) => back("busy"),
    }
}

/// A multipart upload form as read: its short text fields, its `file` field (the name the
/// browser gave and the bytes), and whether the whole body was read (not when it is no
/// multipart form, breaks off, or has a text field over 100 bytes).
struct Upload {
    fields: std::collections::HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
    complete: bool,
}

/// Reads an upload form (the registry file, an attachment) within the route's body limit.
async fn read_upload(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Upload {
    let mut upload = Upload {
        fields: Default::default(),
        file: None,
        complete: false,
    };
    let Ok(mut multipart) = multipart else {
        return upload;
    };
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().map(str::to_string);
                match (name.as_str(), field.bytes().await) {
                    ("file", Ok(bytes)) => {
                        upload.file = Some((file_name.unwrap_or_default(), bytes.to_vec()))
                    }
                    (_, Ok(bytes)) if bytes.len() <= 100 => {
                        upload
                            .fields
                            .insert(name, String::from_utf8_lossy(&bytes).into_owned());
                    }
                    _ => return upload,
                }
            }
            Ok(None) => break,
            Err(_) => return upload,
        }
    }
    upload.complete = true;
    upload
}

/// `POST /attachments/upload` (multipart: `filing_id`, `period`, `version`, `file`): the
/// sealed paper copy of a filing version, from its unit's filer; answered with a redirect to
/// the filing page with `attached=1` or `attach_error=<why>`. With `escalation_id` instead
/// of `filing_id`: the paper copy of the target's reply or 第九条 report waiting for a
/// decision, back to the escalation's page the same way.
async fn attachment_upload(
    axum::extract::State(state): axum::extract::State<AppState>,
    session: tower_sessions::Session,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let user = match app::ssr::auth::session_user(&state.db, &session).await {
        Ok(Some(u)) => u,
        Ok(None) => return Redirect::to("/login?next=/filing").into_response(),
        Err(e) => return edge::unavailable_page(&e, app::i18n::Lang::Zh),
    };
    let upload = read_upload(multipart).await;
    // Back to the version's page (the period and version only as the page's own query).
    let keep = |k: &str| -> String {
        upload
            .fields
            .get(k)
            .map(|v| {
                v.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect()
            })
            .unwrap_or_default()
    };
    let escalation_id = upload.fields.get("escalation_id").cloned();
    let back = |outcome: &str| {
        let page = match &escalation_id {
            Some(_) => format!("/escalation?id={}", keep("escalation_id")),
            None => format!(
                "/filing?period={}&version={}",
                keep("period"),
                keep("version")
            ),
        };
        Redirect::to(&format!("{page}&{outcome}")).into_response()
    };
    let Some((file_name, bytes)) = upload.file.filter(|_| upload.complete) else {
        return back("attach_error=upload");
    };
    let attached = match &escalation_id {
        Some(id) => {
            app::ssr::escalations::attach_to_reply(
                &state.db,
                &state.clock,
                &user,
                id,
                &file_name,
                &bytes,
            )
            .await
        }
        None => {
            let filing_id = upload.fields.get("filing_id").cloned().unwrap_or_default();
            app::ssr::attachments::attach(
                &state.db,
                &state.clock,
                &user,
                &filing_id,
                &file_name,
                &bytes,
            )
            .await
            .map(|_| ())
        }
    };
    match attached {
        Ok(()) => back("attached=1"),
        Err(app::error::AppError::Invalid(fe)) => {
            let why = match fe.get("file") {
                Some("err.attachment_size") => "size",
                Some("err.attachment_count") => "count",
                Some("err.required") => "empty",
                _ => "type",
            };
            back(&format!("attach_error={why}"))
        }
        // The reply was decided on, or the escalation closed, meanwhile.
        Err(app::error::AppError::Conflict(_)) => back("attach_error=closed"),
        Err(app::error::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => edge::unavailable_page(&e, app::i18n::Lang::Zh),
    }
}

/// `GET /attachments/{id}`: an attachment, to those who may see its filing; always as a
/// download of the type its content was checked to be, never rendered in the page's origin.
async fn attachment_download(
    axum::extract::State(state): axum::extract::State<AppState>,
    session: tower_sessions::Session,
    Path(id): Path<String>,
) -> Response {
    let user = match app::ssr::auth::session_user(&state.db, &session).await {
        Ok(Some(u)) => u,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return edge::unavailable_page(&e, app::i18n::Lang::Zh),
    };
    // A filing version's attachment, else an escalation reply's: each to those who may see
    // what it belongs to.
    let found = match app::ssr::attachments::fetch(&state.db, &user, &id).await {
        Err(app::error::AppError::NotFound) => {
            app::ssr::escalations::attachment(&state.db, &user, &id).await
        }
        other => other,
    };
    match found {
        Ok(d) => {
            let ascii: String = d
                .file_name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let encoded = percent_encoding::utf8_percent_encode(
                &d.file_name,
                percent_encoding::NON_ALPHANUMERIC,
            );
            (
                [
                    (header::CONTENT_TYPE, d.kind.content_type().to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
                    ),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                    (header::CACHE_CONTROL, "private, no-store".to_string()),
                    (
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'none'; sandbox".to_string(),
                    ),
                ],
                d.bytes,
            )
                .into_response()
        }
        Err(app::error::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => edge::unavailable_page(&e, app::i18n::Lang::Zh),
    }
}

/// `/export/{table}.{csv|xlsx}?period=…&unit=…`: a table of the pages as a download.
async fn export(
    axum::extract::State(state): axum::extract::State<AppState>,
    session: tower_sessions::Session,
    Path(file): Path<String>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    match app::ssr::export::export(&state, &session, &file, &query).await {
        Ok(d) => (
            [
                (header::CONTENT_TYPE, d.content_type.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", d.filename),
                ),
            ],
            d.bytes,
        )
            .into_response(),
        Err(e) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            e.to_string(),
        )
            .into_response(),
    }
}

#[derive(serde::Deserialize)]
struct LangQuery {
    next: Option<String>,
}

/// `/lang/{zh|en}?next=/path`: remembers the language in a cookie and goes back.
async fn set_lang(Path(lang): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let lang = app::i18n::Lang::parse(&lang);
    let next = app::api::safe_next(q.next.as_deref());
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, next), (header::SET_COOKIE, cookie)],
    )
        .into_response()
}
