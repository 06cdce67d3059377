//! Passwords, logins and the current user.
//!
//! Passwords are hashed with argon2id (the `argon2` crate's defaults). Repeated failed
//! logins lock the name, and the client's address, for a while ([`throttle`]).

use crate::domain::unit::{Role, UnitKind};
use crate::error::AppError;
use crate::model::UserView;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::db::parse_code;
use crate::ssr::db::Db;
use crate::ssr::throttle;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Utc};

/// The session key under which the logged-in user's id is kept.
pub const SESSION_USER_KEY: &str = "user_id";

pub use crate::ssr::throttle::FREE_ATTEMPTS;

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// At most this many argon2 computations run at once (each holds 19 MiB for its run): about
/// the core count, so a login rush queues instead of taking memory and every core.
fn argon2_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.max(1))
    })
}

/// Runs an argon2 computation off the async workers, holding one of [`argon2_permits`].
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _permit = argon2_permits()
        .acquire()
        .await
        .map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| AppError::Internal)
}

/// [`verify_password`], bounded and off the async workers.
pub async fn verify_password_bounded(password: &str, hash: &str) -> Result<bool, AppError> {
    let (password, hash) = (password.to_string(), hash.to_string());
    bounded(move || verify_password(&password, &hash)).await
}

/// [`hash_password`], bounded and off the async workers.
pub async fn hash_password_bounded(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    bounded(move || hash_password(&password)).await?
}

/// A hash to verify against when the username is unknown, so that the answer takes as
/// long as for a known user with a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("no such user, no such password").unwrap_or_default())
}

/// Checks a username and password from `client` (its address, when known). `now` is the
/// app clock, for the audit trail; throttling runs on real time ([`throttle`]).
///
/// The attempt is counted before the password is checked, and a name without an account is
/// counted, checked (against a dummy hash) and answered exactly like one with an account.
/// On success the name's count is cleared and the user's id returned; every outcome is
/// audited.
///
/// Guard: the attempt is claimed by [`throttle::claim_attempt`] (one conditional UPDATE)
/// before the password is checked; the two transactions here only insert audit records.
#[tracing::instrument(skip(db, password))]
pub async fn check_login(
    db: &Db,
    username: &str,
    password: &str,
    client: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    if let Some(addr) = client {
        if let Some(locked) = throttle::address_locked(db, addr).await? {
            metrics::counter!("logins_throttled_total", "by" => "address").increment(1);
            return Err(locked.into_error(Utc::now()));
        }
    }
    if let Some(locked) = throttle::claim_attempt(db, username).await? {
        metrics::counter!("logins_throttled_total", "by" => "name").increment(1);
        return Err(locked.into_error(Utc::now()));
    }
    let row: Option<LoginRow> =
        sqlx::query_as("SELECT user_id, password_hash FROM app_user WHERE username = $1")
            .bind(username)
            .fetch_optional(db)
            .await?;
    let (user_id, hash) = match row {
        Some(r) => (Some(r.user_id), r.password_hash),
        None => (None, dummy_hash().to_string()),
    };
    // argon2 is deliberately slow: bounded and off the async workers, for unknown names too.
    let ok = verify_password_bounded(password, &hash).await?;
    match user_id {
        Some(user_id) if ok => {
            throttle::clear_name(db, username).await?;
            let mut tx = crate::ssr::db::begin_write(db).await?;
            audit::record(
                &mut tx,
                AuditEntry {
                    at: now,
                    actor: Some(&user_id),
                    action: "user.login",
                    subject_kind: "user",
                    subject_id: &user_id,
                    before: None,
                    after: None,
                },
            )
            .await?;
            tx.commit().await?;
            Ok(user_id)
        }
        user_id => {
            if let Some(addr) = client {
                throttle::record_address_failure(db, addr).await?;
            }
            let mut tx = crate::ssr::db::begin_write(db).await?;
            audit::record(
                &mut tx,
                AuditEntry {
                    at: now,
                    actor: None,
                    action: "user.login_failed",
                    subject_kind: if user_id.is_some() {
                        "user"
                    } else {
                        "login_name"
                    },
                    subject_id: user_id.as_deref().unwrap_or(username),
                    before: None,
                    after: client.map(|a| serde_json::json!({ "client": a })),
                },
            )
            .await?;
            tx.commit().await?;
            Err(AppError::field("password", "err.bad_credentials"))
        }
    }
}

/// The address of the client making the current request: the connection's peer, or with
/// `trust_proxy` (behind a reverse proxy that sets it) the first `X-Forwarded-For` entry.
pub async fn client_address(trust_proxy: bool) -> Option<String> {
    if trust_proxy {
        let forwarded =
            leptos::prelude::use_context::<axum::http::request::Parts>().and_then(|p| {
                p.headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split(',').next())
                    .map(|v| v.trim().to_string())
                    .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
            });
        if forwarded.is_some() {
            return forwarded;
        }
    }
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|ci| ci.0.ip().to_string())
}

/// Loads a user with their unit, for the session.
#[tracing::instrument(skip(db))]
pub async fn load_user(db: &Db, user_id: &str) -> Result<Option<UserView>, AppError> {
    let row: Option<SessionUserRow> = sqlx::query_as(
        "SELECT u.user_id, u.username, u.display_name, u.role, n.unit_id, n.name AS unit_name, n.kind AS unit_kind, \
         n.county_id, c.name AS county_name \
         FROM app_user u JOIN unit n ON n.unit_id = u.unit_id LEFT JOIN unit c ON c.unit_id = n.county_id \
         WHERE u.user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(UserView::try_from).transpose()?)
}

/// What a login checks, as stored.
#[derive(sqlx::FromRow)]
struct LoginRow {
    user_id: String,
    password_hash: String,
}

/// A user with their unit, as stored.
#[derive(sqlx::FromRow)]
struct SessionUserRow {
    user_id: String,
    username: String,
    display_name: String,
    role: String,
    unit_id: String,
    unit_name: String,
    unit_kind: String,
    county_id: Option<String>,
    county_name: Option<String>,
}

impl TryFrom<SessionUserRow> for UserView {
    type Error = sqlx::Error;

    fn try_from(row: SessionUserRow) -> Result<Self, sqlx::Error> {
        Ok(UserView {
            role: parse_code("role", &row.role, Role::parse)?,
            unit_kind: parse_code("kind", &row.unit_kind, UnitKind::parse)?,
            user_id: row.user_id,
            username: row.username,
            display_name: row.display_name,
            unit_id: row.unit_id,
            unit_name: row.unit_name,
            county_id: row.county_id,
            county_name: row.county_name,
        })
    }
}

/// The logged-in user of this request, if any.
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    let session: tower_sessions::Session = leptos_axum::extract().await.map_err(|e| {
        tracing::error!(error = ?e, "no session layer");
        AppError::Internal
    })?;
    let user_id: Option<String> = session.get(SESSION_USER_KEY).await.map_err(|e| {
        tracing::error!(error = %e, "session load failed");
        AppError::Internal
    })?;
    match user_id {
        Some(id) => load_user(&crate::ssr::app_state()?.db, &id).await,
        None => Ok(None),
    }
}

/// The logged-in user, or [`AppError::Unauthenticated`].
pub async fn require_user() -> Result<UserView, AppError> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// The logged-in user if their role supervises units below it, else [`AppError::Forbidden`].
pub async fn require_supervisor() -> Result<UserView, AppError> {
    let user = require_user().await?;
    if user.role.is_supervisor() {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The logged-in user if they have one of `roles`, else [`AppError::Forbidden`].
/// The user of a session, outside a server function (downloads, uploads).
pub async fn session_user(
    db: &Db,
    session: &tower_sessions::Session,
) -> Result<Option<UserView>, AppError> {
    let user_id: Option<String> = session
        .get(SESSION_USER_KEY)
        .await
        .map_err(|_| AppError::Internal)?;
    match user_id {
        Some(id) => load_user(db, &id).await,
        None => Ok(None),
    }
}

pub async fn require_role(roles: &[Role]) -> Result<UserView, AppError> {
    let user = require_user().await?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The session info of a page request: the user (if logged in), the language cookie, the
/// app clock. Computed once per page by the server's middleware.
pub async fn session_info(
    db: &Db,
    clock: &crate::domain::time::Clock,
    session: &tower_sessions::Session,
    headers: &axum::http::HeaderMap,
) -> Result<crate::model::SessionInfo, AppError> {
    // A session or user that cannot be read is an outage, not a logged-out visitor.
    let user_id: Option<String> = session.get(SESSION_USER_KEY).await.map_err(|e| {
        tracing::error!(error = %e, "could not read the session");
        AppError::Unavailable
    })?;
    let user = match user_id {
        Some(id) => load_user(db, &id).await?,
        None => None,
    };
    let notices = match &user {
        Some(u) => crate::ssr::escalations::notice_count(db, clock, u)
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = ?e, "could not count the user's notices");
                0
            }),
        None => 0,
    };
    Ok(crate::model::SessionInfo {
        user,
        lang: lang_from_cookie(headers).unwrap_or_default(),
        now: clock.now(),
        clock_fixed: clock.is_fixed(),
        notices,
    })
}

/// Reads the `lang` cookie.
pub fn lang_from_cookie(headers: &axum::http::HeaderMap) -> Option<crate::i18n::Lang> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == "lang")
        .map(|(_, v)| crate::i18n::Lang::parse(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"), "argon2id is used: {hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }
}
