//! The open JSON API (issue 14) under `/api/v1`, for other systems: the unit registry (read,
//! import), filing periods and their windows, filings (read; submit the token's own unit's),
//! roll-ups and escalations (read).
//!
//! - A caller presents a personal access token (`Authorization: Bearer nft_…`), made by an
//!   administrator for one account on `/admin/tokens`. The token acts as that account: the
//!   same subtree of the reporting chain as its pages (107号 四、(二)), within its scopes.
//! - Every call made with a token is recorded in the audit trail (`api.call`: method, path,
//!   query, status), and a change it makes is recorded as the pages' own is.
//! - Lists are read a page at a time (`limit`, `after` = the last page's `next`), in change
//!   order, so `updated_since` (or `If-Modified-Since`) reads only what changed.
//! - `/api/openapi.json` is the OpenAPI 3.1 document, generated from these types by `utoipa`;
//!   `/api/docs/` browses it with Swagger UI, served from the binary.
//! - Errors are JSON ([`ApiErrorBody`]) in Chinese and English, with per-field messages.

use crate::edge::check_form;
use app::domain::chain::ScopeKind;
use app::domain::filing::{self, FieldName, FrameField};
use app::domain::period::Period;
use app::domain::token::ApiScope;
use app::error::AppError;
use app::i18n::{t, Lang};
use app::model::filing::{FilingDraft, PostedFields, SubmitOutcome};
use app::ssr::feeds::{self, Cursor, Reach};
use app::ssr::tokens::{self, Bearer, Call};
use app::ssr::{access, filings, AppState};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The document, generated from the handlers and types below.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "零申报 nil filing: open API",
        version = "1",
        description = "Kunming's work-safety nil filing (昆政办〔2010〕107号) and alert measures (106号). \
            Authenticate with a personal access token made by an administrator: `Authorization: Bearer nft_…`. \
            A token sees what its account's pages show, within its scopes; every call is audited."
    ),
    paths(
        list_units, get_unit, import_units, list_periods, list_filings, get_filing, submit_filing,
        get_rollup, list_escalations
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "units", description = "The unit registry"),
        (name = "filings", description = "Periods, windows and filings"),
        (name = "rollups", description = "Roll-ups (汇总)"),
        (name = "escalations", description = "Alert measures (106号)")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("nft_<id>_<secret>")
                    .description(Some(
                        "A personal access token made on /admin/tokens (shown once).",
                    ))
                    .build(),
            ),
        );
    }
}

/// The API's routes, with their own guard (tokens, call records, body limits), apart from
/// the pages' session and CSRF layers (a token is not sent by a browser on its own).
pub fn router(state: AppState) -> Router<AppState> {
    let calls = Router::new()
        .route("/units", get(list_units))
        .route("/units/{unit_id}", get(get_unit))
        .route(
            "/units/import",
            post(import_units).layer(axum::extract::DefaultBodyLimit::max(
                app::domain::limits::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/periods", get(list_periods))
        .route("/filings", get(list_filings).post(submit_filing))
        .route("/filings/{filing_id}", get(get_filing))
        .route("/rollups/{unit_id}", get(get_rollup))
        .route("/escalations", get(list_escalations))
        .route_layer(axum::middleware::from_fn_with_state(state, with_token))
        .fallback(|| async { failure(AppError::NotFound) });
    let docs =
        utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi());
    Router::new()
        .nest("/api/v1", calls)
        .merge(docs)
        .layer(axum::middleware::from_fn(docs_policy))
}

/// Swagger UI's page needs its own scripts and styles (all served from here), nothing else.
async fn docs_policy(req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    let mut res = next.run(req).await;
    if docs {
        res.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
    }
    res
}

/// A field's message.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
    pub message_en: String,
}

/// What every refusal answers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiErrorBody {
    /// A stable code: `invalid`, `unauthenticated`, `forbidden`, `not_found`, `conflict`,
    /// `malformed`, `unavailable`, `internal`.
    pub error: String,
    pub message: String,
    pub message_en: String,
    /// For `invalid`: each field's problem.
    pub fields: Vec<FieldMessage>,
}

fn error_code(err: &AppError) -> &'static str {
    match err {
        AppError::Invalid(_) => "invalid",
        AppError::Unauthenticated => "unauthenticated",
        AppError::Forbidden => "forbidden",
        AppError::NotFound => "not_found",
        AppError::Throttled { .. } => "throttled",
        AppError::Conflict(_) => "conflict",
        AppError::Malformed(_) => "malformed",
        AppError::Unavailable => "unavailable",
        AppError::Internal | AppError::Transport(_) => "internal",
    }
}

/// The JSON answer to a refusal.
fn failure(err: AppError) -> Response {
    let message = |lang| {
        app::ui::general_error(lang, &err).unwrap_or_else(|| t(lang, "api.err_fields").to_string())
    };
    let fields = err
        .field_errors()
        .map(|f| {
            f.0.iter()
                .map(|(field, key)| FieldMessage {
                    field: field.clone(),
                    message: t(Lang::Zh, key).to_string(),
                    message_en: t(Lang::En, key).to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let body = ApiErrorBody {
        error: error_code(&err).to_string(),
        message: message(Lang::Zh),
        message_en: message(Lang::En),
        fields,
    };
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, Json(body)).into_response();
    if matches!(err, AppError::Unauthenticated) {
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    res
}

/// A refusal, answered as [`ApiErrorBody`].
pub struct ApiError(AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        failure(self.0)
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Checks the token on every call, hands it to the handler, and records the call.
async fn with_token(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let now = state.clock.now();
    let bearer = match presented {
        Some(p) => match tokens::authenticate(&state.db, now, &p).await {
            Ok(b) => b,
            Err(e) => return failure(e),
        },
        None => None,
    };
    let Some(bearer) = bearer else {
        tracing::info!(path = %req.uri().path(), "API call without a valid token");
        return failure(AppError::Unauthenticated);
    };
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let recorded_query: String = query.chars().filter(|c| *c != '\0').take(2000).collect();
    req.extensions_mut().insert(bearer.clone());
    // The query is read by the forms' rules (no NUL, valid UTF-8 after decoding), and a path
    // parameter must decode to text without control characters (PostgreSQL cannot compare
    // a NUL).
    let path_ok = percent_encoding::percent_decode_str(&path)
        .decode_utf8()
        .is_ok_and(|p| !p.chars().any(char::is_control));
    let res = match check_form(query.as_bytes()) {
        Ok(()) if path_ok => next.run(req).await,
        Ok(()) => failure(AppError::Malformed(app::error::Malformed::Encoding)),
        Err(m) => failure(AppError::Malformed(m)),
    };
    let call = Call {
        method: &method,
        path: &path,
        query: &recorded_query,
        status: res.status().as_u16(),
    };
    // No answer leaves without its record.
    match tokens::record_call(&state.db, state.clock.now(), &bearer, call).await {
        Ok(()) => res,
        Err(e) => {
            tracing::error!(error = ?e, "recording an API call failed");
            failure(AppError::Unavailable)
        }
    }
}

fn need(bearer: &Bearer, scope: ApiScope) -> Result<(), AppError> {
    if bearer.scopes.contains(&scope) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, AppError> {
    q.map(|Query(v)| v)
        .map_err(|_| AppError::field("query", "err.invalid"))
}

fn limit_of(limit: Option<i64>) -> Result<i64, AppError> {
    match limit {
        None => Ok(feeds::DEFAULT_LIMIT),
        Some(n) if (1..=feeds::MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::field("limit", "api.err_limit")),
    }
}

/// Paging of the registry.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UnitQuery {
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1–1000 (default 100).
    pub limit: Option<i64>,
}

/// Paging and change-following of a list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ChangeQuery {
    /// Only this period (`2026-Y`, `2027-H1`).
    pub period: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Only what changed at or after this instant (RFC 3339). `If-Modified-Since` is read
    /// the same way when this is absent.
    pub updated_since: Option<String>,
    /// Items per page, 1–1000 (default 100).
    pub limit: Option<i64>,
}

/// Where a change-ordered list starts: `after`, else `updated_since`, else the
/// `If-Modified-Since` header, else the beginning.
fn start_of(q: &ChangeQuery, headers: &HeaderMap) -> Result<Cursor, AppError> {
    if let Some(after) = q.after.as_deref().filter(|a| !a.is_empty()) {
        return Cursor::parse(after).ok_or(AppError::field("after", "err.invalid"));
    }
    if let Some(since) = q.updated_since.as_deref().filter(|s| !s.is_empty()) {
        return DateTime::parse_from_rfc3339(since)
            .map(|t| Cursor::since(t.with_timezone(&Utc)))
            .map_err(|_| AppError::field("updated_since", "err.invalid"));
    }
    if let Some(v) = headers.get(header::IF_MODIFIED_SINCE) {
        return v
            .to_str()
            .ok()
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .map(|t| Cursor::since(t.with_timezone(&Utc)))
            .map_or_else(
                || Err(AppError::field("If-Modified-Since", "err.invalid")),
                Ok,
            );
    }
    Ok(Cursor::default())
}

/// The units the token's account sees, by id.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(UnitQuery),
    responses((status = 200, body = feeds::UnitPage), (status = 400, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn list_units(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
    q: Result<Query<UnitQuery>, QueryRejection>,
) -> ApiResult<feeds::UnitPage> {
    need(&bearer, ApiScope::UnitsRead)?;
    let q = query(q)?;
    let limit = limit_of(q.limit)?;
    let reach = Reach::of(&state.db, &bearer.user).await?;
    feeds::units(&state.db, &reach, q.after.as_deref().unwrap_or(""), limit)
        .await
        .map(Json)
        .map_err(ApiError)
}

/// One unit the token's account sees.
#[utoipa::path(get, path = "/api/v1/units/{unit_id}", tag = "units",
    params(("unit_id" = String, Path, description = "The unit's id")),
    responses((status = 200, body = feeds::ApiUnit), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn get_unit(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
    Path(unit_id): Path<String>,
) -> ApiResult<feeds::ApiUnit> {
    need(&bearer, ApiScope::UnitsRead)?;
    let reach = Reach::of(&state.db, &bearer.user).await?;
    feeds::unit(&state.db, &reach, &unit_id)
        .await
        .map(Json)
        .map_err(ApiError)
}

/// Whether an import only checks (default) or also writes.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// `true`: import when the file has no problem; otherwise only check it (a dry run).
    pub apply: Option<bool>,
}

/// A problem of one line of a registry file.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportProblem {
    pub line: usize,
    /// The column's header, if the problem is in one cell.
    pub column: Option<String>,
    pub message: String,
    pub message_en: String,
}

/// What an import found, and whether it wrote.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub applied: bool,
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Every problem; nothing is written while there is one.
    pub problems: Vec<ImportProblem>,
}

fn problems(list: &[app::domain::registry::LineProblem]) -> Vec<ImportProblem> {
    list.iter()
        .map(|p| ImportProblem {
            line: p.line,
            column: p.column.map(|c| c.header_zh().to_string()),
            message: app::i18n::registry_problem(Lang::Zh, p),
            message_en: app::i18n::registry_problem(Lang::En, p),
        })
        .collect()
}

/// Imports the enterprise registry from a CSV (UTF-8 or GBK) or XLSX file in the request
/// body, in the template's columns: a dry run unless `apply=true`; all or nothing. Only an
/// administrator's token with the `units:import` scope.
#[utoipa::path(post, path = "/api/v1/units/import", tag = "units", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file (CSV or XLSX), as the registry template"),
    responses((status = 200, body = ImportReport), (status = 400, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
async fn import_units(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
    q: Result<Query<ImportQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<ImportReport> {
    need(&bearer, ApiScope::UnitsImport)?;
    if bearer.user.role != app::domain::unit::Role::Administrator {
        return Err(AppError::Forbidden.into());
    }
    let q = query(q)?;
    let body = body.map_err(|_| AppError::Malformed(app::error::Malformed::TooLarge))?;
    if body.is_empty() {
        return Err(AppError::field("file", "registry.err_empty").into());
    }
    if q.apply != Some(true) {
        let plan = app::ssr::registry::check(&state.db, &body).await?;
        return Ok(Json(ImportReport {
            applied: false,
            rows: plan.rows,
            added: plan.adds(),
            updated: plan.updates(),
            unchanged: plan.unchanged,
            problems: problems(&plan.problems),
        }));
    }
    let done = app::ssr::registry::import(
        &state.db,
        &state.clock,
        Some(&bearer.user.user_id),
        &body,
        &|_, _| {},
    )
    .await?;
    Ok(Json(match done {
        Ok(i) => ImportReport {
            applied: true,
            rows: i.rows,
            added: i.added,
            updated: i.updated,
            unchanged: i.unchanged,
            problems: vec![],
        },
        Err(list) => ImportReport {
            applied: false,
            rows: 0,
            added: 0,
            updated: 0,
            unchanged: 0,
            problems: problems(&list),
        },
    }))
}

/// A filing period and its window (107号 四、(一): 1–10 January for the year before, 1–10
/// July for the half-year, Kunming time).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiPeriod {
    /// `2026-Y` or `2027-H1`.
    pub period: String,
    pub label: String,
    pub label_en: String,
    /// RFC 3339 with the Kunming offset: the window's first instant and the instant after it.
    pub window_opens: String,
    pub window_closes: String,
    /// `upcoming`, `open` or `closed`, by the server's clock.
    pub state: String,
}

/// The periods around now: the next one, and the last six whose windows opened.
#[utoipa::path(get, path = "/api/v1/periods", tag = "filings",
    responses((status = 200, body = Vec<ApiPeriod>), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody)))]
async fn list_periods(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
) -> ApiResult<Vec<ApiPeriod>> {
    need(&bearer, ApiScope::FilingsRead)?;
    let now = state.clock.now();
    let latest = Period::latest_opened(now);
    let mut periods = vec![latest.next()];
    let mut p = latest;
    for _ in 0..6 {
        periods.push(p);
        p = p.previous();
    }
    let kunming = |at: DateTime<Utc>| {
        at.with_timezone(&app::domain::time::KUNMING)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    };
    Ok(Json(
        periods
            .into_iter()
            .map(|p| {
                let w = p.window();
                let state = if now < w.opens_at {
                    "upcoming"
                } else if w.contains(now) {
                    "open"
                } else {
                    "closed"
                };
                ApiPeriod {
                    period: p.key(),
                    label: p.label_zh(),
                    label_en: p.label_en(),
                    window_opens: kunming(w.opens_at),
                    window_closes: kunming(w.closes_at),
                    state: state.into(),
                }
            })
            .collect(),
    ))
}

/// The filing versions the token's account sees (never drafts), in change order.
#[utoipa::path(get, path = "/api/v1/filings", tag = "filings", params(ChangeQuery),
    responses((status = 200, body = feeds::FilingPage), (status = 400, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn list_filings(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
    headers: HeaderMap,
    q: Result<Query<ChangeQuery>, QueryRejection>,
) -> ApiResult<feeds::FilingPage> {
    need(&bearer, ApiScope::FilingsRead)?;
    let q = query(q)?;
    let limit = limit_of(q.limit)?;
    let from = start_of(&q, &headers)?;
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Some(
            Period::parse_key(p)
                .ok_or(AppError::field("period", "err.invalid"))?
                .key(),
        ),
        None => None,
    };
    let reach = Reach::of(&state.db, &bearer.user).await?;
    feeds::filings(&state.db, &reach, period.as_deref(), &from, limit)
        .await
        .map(Json)
        .map_err(ApiError)
}

/// What a filing says: the frame (表头), an answer per row (`done` 落实 / `not_done` 不落实),
/// an explanation per unmet row, and a note (申报说明) per form.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct ApiContent {
    /// 主要负责人
    #[serde(default)]
    pub principal: String,
    /// 分管领导
    #[serde(default)]
    pub leader_in_charge: String,
    /// 填表人
    #[serde(default)]
    pub filled_by: String,
    /// 审核人
    #[serde(default)]
    pub reviewed_by: String,
    /// 联系电话
    #[serde(default)]
    pub phone: String,
    /// Row id (`3.1.2`) → `done` or `not_done`.
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    /// Row id → the explanation of an unmet item.
    #[serde(default)]
    pub explanations: BTreeMap<String, String>,
    /// Form number (`1`–`9`) → 申报说明.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
}

impl From<filing::FilingContent> for ApiContent {
    fn from(c: filing::FilingContent) -> Self {
        ApiContent {
            principal: c.frame.principal,
            leader_in_charge: c.frame.leader_in_charge,
            filled_by: c.frame.filled_by,
            reviewed_by: c.frame.reviewed_by,
            phone: c.frame.phone,
            answers: c
                .answers
                .into_iter()
                .map(|(r, a)| (r, a.code().to_string()))
                .collect(),
            explanations: c.explanations,
            notes: c
                .notes
                .into_iter()
                .map(|(n, t)| (n.to_string(), t))
                .collect(),
        }
    }
}

impl ApiContent {
    /// The fields the filing form would post, so that the content is read by the form's
    /// own rules ([`FilingDraft`]); a row or form that does not exist is an unknown field.
    fn posted(&self) -> PostedFields {
        let mut out: Vec<(String, String)> = FrameField::ALL
            .into_iter()
            .map(|f| {
                let value = match f {
                    FrameField::Principal => &self.principal,
                    FrameField::LeaderInCharge => &self.leader_in_charge,
                    FrameField::FilledBy => &self.filled_by,
                    FrameField::ReviewedBy => &self.reviewed_by,
                    FrameField::Phone => &self.phone,
                };
                (FieldName::Frame(f).to_string(), value.clone())
            })
            .collect();
        let unknown = || ("unknown".to_string(), String::new());
        for (row, answer) in &self.answers {
            out.push(match filing::RowId::parse(row) {
                Some(r) => (FieldName::Answer(r).to_string(), answer.clone()),
                None => unknown(),
            });
        }
        for (row, text) in &self.explanations {
            out.push(match filing::RowId::parse(row) {
                Some(r) => (FieldName::Explanation(r).to_string(), text.clone()),
                None => unknown(),
            });
        }
        for (form, text) in &self.notes {
            out.push(match form.parse::<u8>().ok().and_then(FieldName::note) {
                Some(f) => (f.to_string(), text.clone()),
                None => unknown(),
            });
        }
        PostedFields(out)
    }
}

/// One filing version with what it says.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiFiling {
    pub filing: feeds::ApiFilingSummary,
    pub content: ApiContent,
}

/// One filing version (not a draft) of a unit the token's account sees.
#[utoipa::path(get, path = "/api/v1/filings/{filing_id}", tag = "filings",
    params(("filing_id" = String, Path, description = "The filing version's id")),
    responses((status = 200, body = ApiFiling), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn get_filing(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
    Path(filing_id): Path<String>,
) -> ApiResult<ApiFiling> {
    need(&bearer, ApiScope::FilingsRead)?;
    let reach = Reach::of(&state.db, &bearer.user).await?;
    let summary = feeds::filing(&state.db, &reach, &filing_id).await?;
    let content = filings::content(&state.db, &filing_id)
        .await
        .map_err(AppError::from)?;
    Ok(Json(ApiFiling {
        filing: summary,
        content: content.into(),
    }))
}

/// A filing to submit: the period and what it says; for another unit, from its paper form.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiSubmission {
    /// `2026-Y` or `2027-H1`: a period whose window is open now, or after it under a
    /// late-filing exception (补报).
    pub period: String,
    pub content: ApiContent,
    /// Filing on behalf (代填): the enterprise whose sealed paper form this is. Only the
    /// department that receives its filing, or the township it lies in. Absent: the token's
    /// own unit.
    #[serde(default)]
    pub unit_id: Option<String>,
    /// With `unit_id`: the date on the paper (`YYYY-MM-DD`, Kunming), its 申报时间; on time
    /// when it lies in the window.
    #[serde(default)]
    pub paper_date: Option<String>,
}

/// What a submission did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiSubmitted {
    pub filing_id: String,
    pub version: i64,
    /// Submitted under a late-filing exception.
    pub late: bool,
    /// No binding row answered 不落实.
    pub nil: bool,
}

/// Submits the token's own unit's filing for a period, as its filing page does: saved as the
/// draft, checked (every binding row answered, every 不落实 explained), and submitted; the
/// unit's supervisors then review it. With `unit_id` and `paper_date`: enters another unit's
/// filing from its sealed paper form (代填), as the paper page does (the receiving department
/// or the township only). A filing already submitted answers 409.
#[utoipa::path(post, path = "/api/v1/filings", tag = "filings", request_body = ApiSubmission,
    responses((status = 200, body = ApiSubmitted), (status = 400, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
async fn submit_filing(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<ApiSubmitted> {
    need(&bearer, ApiScope::FilingsSubmit)?;
    let body = body.map_err(|_| AppError::Malformed(app::error::Malformed::TooLarge))?;
    let submission: ApiSubmission = serde_json::from_slice(&body)
        .map_err(|_| AppError::Malformed(app::error::Malformed::Body))?;
    submit(&state, &bearer, &submission)
        .await
        .map(Json)
        .map_err(ApiError)
}

async fn submit(
    state: &AppState,
    bearer: &Bearer,
    s: &ApiSubmission,
) -> Result<ApiSubmitted, AppError> {
    let user = &bearer.user;
    let own = access::own_filing_unit(user);
    let period = Period::parse_key(&s.period).ok_or(AppError::field("period", "err.invalid"))?;
    let draft = FilingDraft::try_from(s.content.posted())?;
    if let Some(unit_id) = s.unit_id.as_deref().filter(|u| Some(*u) != own.as_deref()) {
        // 代填: the paper page's own rules, as this token's account.
        let outcome = app::api::filing::enter_paper_as(
            state,
            user,
            &period.key(),
            unit_id,
            s.paper_date.as_deref().unwrap_or(""),
            &draft.content,
        )
        .await?;
        return submitted(state, unit_id, period, outcome).await;
    }
    let unit_id = own.ok_or(AppError::Forbidden)?;
    let unit = app::ssr::units::unit_by_id(&state.db, &unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = filing::binding_kind(unit.kind);
    let access = filings::access_for(&state.db, &state.clock, &unit_id, period).await?;
    if !access.may_file() {
        return Err(AppError::Conflict(app::error::Conflict::WindowClosed));
    }
    filing::check_binding(kind, &draft.content).into_result()?;
    filing::check_submit(kind, &draft.content).into_result()?;
    let saved = filings::save_draft(
        &state.db,
        &state.clock,
        &user.user_id,
        &unit_id,
        period,
        &draft.content,
    )
    .await?;
    let outcome = filings::submit(
        &state.db,
        &state.clock,
        &user.user_id,
        &unit_id,
        kind,
        period,
        saved.version,
        access.is_late(),
    )
    .await?;
    submitted(state, &unit_id, period, outcome).await
}

/// The API's answer to a submission: the version submitted, with its id.
async fn submitted(
    state: &AppState,
    unit_id: &str,
    period: Period,
    outcome: SubmitOutcome,
) -> Result<ApiSubmitted, AppError> {
    match outcome {
        SubmitOutcome::Submitted { version, late, nil } => {
            let filing_id = filings::versions(&state.db, unit_id, period)
                .await?
                .into_iter()
                .find(|r| r.version == version)
                .map(|r| r.filing_id)
                .ok_or(AppError::Internal)?;
            Ok(ApiSubmitted {
                filing_id,
                version,
                late,
                nil,
            })
        }
        SubmitOutcome::AlreadySubmitted { .. } => {
            Err(AppError::Conflict(app::error::Conflict::AlreadySubmitted))
        }
    }
}

/// The counts of a roll-up (汇总) over the units a scope counts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiCounts {
    /// Units expected to file.
    pub expected: usize,
    pub filed_on_time: usize,
    pub filed_late: usize,
    pub missing: usize,
    pub returned: usize,
    pub accepted: usize,
    /// Filed with no unmet item (零申报).
    pub nil: usize,
    pub with_unmet: usize,
    /// Unmet items by form number.
    pub unmet_by_form: BTreeMap<String, usize>,
    /// Unmet items by row id.
    pub unmet_by_row: BTreeMap<String, usize>,
}

/// A unit below the scope with its own counts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiChild {
    pub unit_id: String,
    pub name: String,
    pub expected: usize,
    pub filed: usize,
    pub late: usize,
    pub missing: usize,
    pub unmet_items: usize,
}

/// A roll-up of one period over a scope (the city, a county, a department, a township).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiRollup {
    pub period: String,
    pub scope_unit_id: String,
    pub scope_name: String,
    /// `city`, `county`, `department` or `township`.
    pub scope_kind: String,
    pub counts: ApiCounts,
    pub children: Vec<ApiChild>,
}

/// Which period a roll-up is of.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// `2026-Y` or `2027-H1`; default: the period whose window is open, else the latest.
    pub period: Option<String>,
}

/// The roll-up of a scope the token's account may open (the city office every scope; a
/// county office its county, its departments and townships; a department its own).
#[utoipa::path(get, path = "/api/v1/rollups/{unit_id}", tag = "rollups",
    params(("unit_id" = String, Path, description = "The scope's unit: the city government, a county-level government, a department or a township"),
        PeriodQuery),
    responses((status = 200, body = ApiRollup), (status = 400, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
async fn get_rollup(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
    Path(unit_id): Path<String>,
    q: Result<Query<PeriodQuery>, QueryRejection>,
) -> ApiResult<ApiRollup> {
    need(&bearer, ApiScope::RollupsRead)?;
    let q = query(q)?;
    let view = app::ssr::rollups::rollup_view(
        &state.db,
        &state.clock,
        &bearer.user,
        q.period.as_deref().unwrap_or(""),
        &unit_id,
        "",
    )
    .await?;
    let r = view.rollup;
    Ok(Json(ApiRollup {
        period: view.period.key(),
        scope_unit_id: view.scope.unit_id,
        scope_name: view.scope.name,
        scope_kind: match view.scope.kind {
            ScopeKind::City => "city",
            ScopeKind::County => "county",
            ScopeKind::Department => "department",
            ScopeKind::Township => "township",
        }
        .to_string(),
        counts: ApiCounts {
            expected: r.expected,
            filed_on_time: r.filed_on_time,
            filed_late: r.filed_late,
            missing: r.missing,
            returned: r.returned,
            accepted: r.accepted,
            nil: r.nil,
            with_unmet: r.with_unmet,
            unmet_by_form: r
                .unmet_by_form
                .into_iter()
                .map(|(f, n)| (f.to_string(), n))
                .collect(),
            unmet_by_row: r.unmet_by_row,
        },
        children: view
            .children
            .into_iter()
            .map(|c| ApiChild {
                unit_id: c.unit_id,
                name: c.name,
                expected: c.expected,
                filed: c.filed,
                late: c.late,
                missing: c.missing,
                unmet_items: c.unmet_items,
            })
            .collect(),
    }))
}

/// The escalations the token's account sees, in change order.
#[utoipa::path(get, path = "/api/v1/escalations", tag = "escalations", params(ChangeQuery),
    responses((status = 200, body = feeds::EscalationPage), (status = 400, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn list_escalations(
    State(state): State<AppState>,
    Extension(bearer): Extension<Bearer>,
    headers: HeaderMap,
    q: Result<Query<ChangeQuery>, QueryRejection>,
) -> ApiResult<feeds::EscalationPage> {
    need(&bearer, ApiScope::EscalationsRead)?;
    let q = query(q)?;
    let limit = limit_of(q.limit)?;
    let from = start_of(&q, &headers)?;
    let reach = Reach::of(&state.db, &bearer.user).await?;
    feeds::escalations(&state.db, &reach, &bearer.user, &from, limit)
        .await
        .map(Json)
        .map_err(ApiError)
}
