//! Personal access tokens of the open API ([`crate::domain::token`]): created and revoked by
//! an administrator, checked on every API call, and every call recorded in the audit trail.
//!
//! Only the SHA-256 of a token's secret is stored. The secret is 256 random bits, so a fast
//! hash is enough (a password needs a slow one because people choose guessable ones).

use crate::domain::limits::Text;
use crate::domain::token::{self, ApiScope, TokenState, TokenText};
use crate::error::{AppError, FieldErrors};
use crate::model::token::TokenRow;
use crate::model::UserView;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::db::{kunming_text, parse_instant, ts, Db};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// A token's secret as stored: hex SHA-256.
fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Equality that takes as long whatever the first difference (for the stored hash).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new token's terms as asked for on the tokens page, read once.
pub struct NewToken {
    pub user_id: String,
    pub name: String,
    pub scopes: Vec<ApiScope>,
    pub days: i64,
}

impl NewToken {
    /// Reads the form's fields; each problem is an error next to its field.
    pub fn parse(user: &str, name: &str, scopes: &[String], days: &str) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let name = name.trim();
        if name.is_empty() {
            errors.add("name", "err.required");
        }
        Text::UnitName.check(&mut errors, "name", name);
        if user.trim().is_empty() {
            errors.add("user", "err.required");
        }
        let parsed: Vec<Option<ApiScope>> = scopes.iter().map(|s| ApiScope::parse(s)).collect();
        if parsed.is_empty() {
            errors.add("scopes", "token.err_scopes");
        } else if parsed.iter().any(Option::is_none) {
            errors.add("scopes", "err.invalid");
        }
        let days = match days.trim().parse::<i64>() {
            Ok(d) if (token::MIN_DAYS..=token::MAX_DAYS).contains(&d) => d,
            _ => {
                errors.add("days", "token.err_days");
                0
            }
        };
        errors.into_result()?;
        Ok(NewToken {
            user_id: user.trim().to_string(),
            name: name.to_string(),
            scopes: parsed.into_iter().flatten().collect(),
            days,
        })
    }
}

/// Creates a token for an account; answers its written form, to be shown once.
#[tracing::instrument(skip(db, new), fields(user = %new.user_id))]
pub async fn create(
    db: &Db,
    now: DateTime<Utc>,
    admin_id: Option<&str>,
    new: &NewToken,
) -> Result<(String, TokenText), AppError> {
    let expires_at =
        token::expiry(now, new.days).ok_or(AppError::field("days", "token.err_days"))?;
    let text = TokenText {
        id: random_hex(16),
        secret: random_hex(32),
    };
    let scopes = token::scopes_text(&new.scopes);
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let owner: Option<(String,)> =
        sqlx::query_as("SELECT username FROM app_user WHERE user_id = $1")
            .bind(&new.user_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((username,)) = owner else {
        return Err(AppError::field("user", "token.err_user"));
    };
    sqlx::query(
        "INSERT INTO api_token (token_id, user_id, name, scopes, secret_hash, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&text.id)
    .bind(&new.user_id)
    .bind(&new.name)
    .bind(&scopes)
    .bind(secret_hash(&text.secret))
    .bind(admin_id)
    .bind(ts(now))
    .bind(ts(expires_at))
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: admin_id,
            action: "api_token.create",
            subject_kind: "api_token",
            subject_id: &text.id,
            before: None,
            after: Some(serde_json::json!({
                "user": username, "name": new.name, "scopes": scopes, "expires_at": ts(expires_at),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((text.id.clone(), text))
}

/// The id of the account named `username` (the command line names accounts so).
pub async fn user_id_of(db: &Db, username: &str) -> Result<Option<String>, AppError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT user_id FROM app_user WHERE username = $1")
        .bind(username)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.0))
}

/// Revokes a token; revoking a revoked token changes nothing.
#[tracing::instrument(skip(db))]
pub async fn revoke(
    db: &Db,
    now: DateTime<Utc>,
    admin_id: &str,
    token_id: &str,
) -> Result<(), AppError> {
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let done = sqlx::query(
        "UPDATE api_token SET revoked_at = $1, revoked_by = $2 WHERE token_id = $3 AND revoked_at IS NULL",
    )
    .bind(ts(now))
    .bind(admin_id)
    .bind(token_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT token_id FROM api_token WHERE token_id = $1")
                .bind(token_id)
                .fetch_optional(&mut *tx)
                .await?;
        tx.rollback().await?;
        return match exists {
            Some(_) => Ok(()),
            None => Err(AppError::NotFound),
        };
    }
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(admin_id),
            action: "api_token.revoke",
            subject_kind: "api_token",
            subject_id: token_id,
            before: Some(serde_json::json!({ "revoked": false })),
            after: Some(serde_json::json!({ "revoked": true })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TokenLine {
    token_id: String,
    name: String,
    scopes: String,
    username: String,
    display_name: String,
    unit_name: String,
    created_at: String,
    expires_at: String,
    revoked_at: Option<String>,
    last_used_at: Option<String>,
}

/// Every token, newest first, for the administrator's page.
pub async fn list(db: &Db, now: DateTime<Utc>) -> Result<Vec<TokenRow>, AppError> {
    let lines: Vec<TokenLine> = sqlx::query_as(
        "SELECT t.token_id, t.name, t.scopes, u.username, u.display_name, n.name AS unit_name, \
         t.created_at, t.expires_at, t.revoked_at, t.last_used_at \
         FROM api_token t JOIN app_user u ON u.user_id = t.user_id JOIN unit n ON n.unit_id = u.unit_id \
         ORDER BY t.created_at DESC, t.token_id",
    )
    .fetch_all(db)
    .await?;
    lines
        .into_iter()
        .map(|l| {
            let expires = parse_instant("expires_at", &l.expires_at)?;
            Ok(TokenRow {
                state: TokenState::at(now, expires, l.revoked_at.is_some()),
                token_id: l.token_id,
                name: l.name,
                scopes: token::parse_scopes(&l.scopes),
                username: l.username,
                display_name: l.display_name,
                unit_name: l.unit_name,
                created_at: kunming_text(&l.created_at),
                expires_at: kunming_text(&l.expires_at),
                revoked_at: l.revoked_at.as_deref().map(kunming_text),
                last_used_at: l.last_used_at.as_deref().map(kunming_text),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// The accounts a token may be made for (an administrator's token may import the registry).
pub async fn accounts(db: &Db) -> Result<Vec<(String, String)>, AppError> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT u.user_id, u.username, u.display_name, n.name FROM app_user u JOIN unit n ON n.unit_id = u.unit_id \
         ORDER BY n.name, u.username",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, username, display, unit)| (id, format!("{unit} · {display} ({username})")))
        .collect())
}

/// A token that was presented and holds: its id, its scopes and the account it acts as.
#[derive(Clone, Debug)]
pub struct Bearer {
    pub token_id: String,
    pub scopes: Vec<ApiScope>,
    pub user: UserView,
}

#[derive(sqlx::FromRow)]
struct CheckLine {
    user_id: String,
    scopes: String,
    secret_hash: String,
    expires_at: String,
    revoked_at: Option<String>,
}

/// The token `presented` (the `Authorization: Bearer` value), if it is one of ours, its
/// secret matches, and it is neither expired nor revoked; `None` otherwise (all alike, so
/// that a caller learns nothing about which part was wrong).
pub async fn authenticate(
    db: &Db,
    now: DateTime<Utc>,
    presented: &str,
) -> Result<Option<Bearer>, AppError> {
    let Some(text) = TokenText::parse(presented.trim()) else {
        return Ok(None);
    };
    let line: Option<CheckLine> = sqlx::query_as(
        "SELECT user_id, scopes, secret_hash, expires_at, revoked_at FROM api_token WHERE token_id = $1",
    )
    .bind(&text.id)
    .fetch_optional(db)
    .await?;
    let Some(line) = line else { return Ok(None) };
    if !same(&line.secret_hash, &secret_hash(&text.secret)) {
        return Ok(None);
    }
    let expires = parse_instant("expires_at", &line.expires_at)?;
    if TokenState::at(now, expires, line.revoked_at.is_some()) != TokenState::Active {
        return Ok(None);
    }
    let Some(user) = crate::ssr::auth::load_user(db, &line.user_id).await? else {
        return Ok(None);
    };
    Ok(Some(Bearer {
        token_id: text.id,
        scopes: token::parse_scopes(&line.scopes),
        user,
    }))
}

/// One API call, as the audit trail keeps it.
pub struct Call<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub status: u16,
}

/// Records a call made with `bearer` (every call, read or write, answered or refused) and
/// when the token was last used.
pub async fn record_call(
    db: &Db,
    now: DateTime<Utc>,
    bearer: &Bearer,
    call: Call<'_>,
) -> Result<(), AppError> {
    let mut tx = crate::ssr::db::begin_write(db).await?;
    sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE token_id = $2")
        .bind(ts(now))
        .bind(&bearer.token_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&bearer.user.user_id),
            action: "api.call",
            subject_kind: "api_token",
            subject_id: &bearer.token_id,
            before: None,
            after: Some(serde_json::json!({
                "method": call.method, "path": call.path, "query": call.query, "status": call.status,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_hash_is_sha256_of_the_secret() {
        assert_eq!(
            secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }

    #[test]
    fn a_new_token_needs_a_name_an_account_scopes_and_a_life() {
        let err = NewToken::parse("", " ", &[], "0").err().unwrap();
        let fields = err.field_errors().unwrap();
        assert_eq!(fields.get("name"), Some("err.required"));
        assert_eq!(fields.get("user"), Some("err.required"));
        assert_eq!(fields.get("scopes"), Some("token.err_scopes"));
        assert_eq!(fields.get("days"), Some("token.err_days"));
        let err = NewToken::parse("u", "n", &["root".into()], "30")
            .err()
            .unwrap();
        assert_eq!(
            err.field_errors().unwrap().get("scopes"),
            Some("err.invalid")
        );
        let ok = NewToken::parse("u", " 数据交换 ", &["units:read".into()], "30").unwrap();
        assert_eq!(ok.name, "数据交换");
        assert_eq!(ok.scopes, vec![ApiScope::UnitsRead]);
        assert_eq!(ok.days, 30);
    }
}
