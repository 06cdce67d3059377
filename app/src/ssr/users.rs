//! SQL for accounts.

use crate::domain::unit::Role;
use crate::model::UserRow;
use crate::ssr::db::{parse_code, ts, Db};
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

#[derive(Clone, Debug)]
pub struct NewUser {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub unit_id: String,
    pub role: Role,
    pub password_hash: String,
}

/// Inserts an account.
///
/// Guard: the UNIQUE username; callers map its violation (`admin::create_user`:
/// `err.username_taken`).
#[tracing::instrument(skip(tx, user), fields(username = %user.username))]
pub async fn insert_user(
    tx: &mut AnyConnection,
    user: &NewUser,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO app_user (user_id, username, display_name, unit_id, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&user.user_id)
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(&user.unit_id)
    .bind(user.role.code())
    .bind(&user.password_hash)
    .bind(ts(at))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[tracing::instrument(skip(db))]
pub async fn password_hash(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM app_user WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// Replaces the password hash, only if it is still `current` (the hash the old password was
/// checked against); `false` when another change came first.
///
/// Guard: the decision is in the UPDATE's `WHERE password_hash = current`, its count checked:
/// of two changes made with the same old password, one wins and the other is refused.
#[tracing::instrument(skip(tx, current, hash))]
pub async fn replace_password_hash(
    tx: &mut AnyConnection,
    user_id: &str,
    current: &str,
    hash: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE app_user SET password_hash = $1 WHERE user_id = $2 AND password_hash = $3",
    )
    .bind(hash)
    .bind(user_id)
    .bind(current)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An account as stored, with its unit's name.
#[derive(sqlx::FromRow)]
struct StoredUser {
    user_id: String,
    username: String,
    display_name: String,
    role: String,
    unit_id: String,
    unit_name: String,
}

impl TryFrom<StoredUser> for UserRow {
    type Error = sqlx::Error;

    fn try_from(row: StoredUser) -> Result<Self, sqlx::Error> {
        Ok(UserRow {
            role: parse_code("role", &row.role, Role::parse)?,
            user_id: row.user_id,
            username: row.username,
            display_name: row.display_name,
            unit_id: row.unit_id,
            unit_name: row.unit_name,
        })
    }
}

#[tracing::instrument(skip(db))]
pub async fn list_users(db: &Db, limit: i64) -> Result<Vec<UserRow>, sqlx::Error> {
    let rows: Vec<StoredUser> = sqlx::query_as(
        "SELECT u.user_id, u.username, u.display_name, u.role, n.unit_id, n.name AS unit_name FROM app_user u \
         JOIN unit n ON n.unit_id = u.unit_id ORDER BY u.username LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(UserRow::try_from).collect()
}

#[tracing::instrument(skip(db))]
pub async fn count_users(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM app_user")
        .fetch_one(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_code_is_a_decoding_error_of_its_column() {
        assert_eq!(
            parse_code("role", "administrator", Role::parse).ok(),
            Some(Role::Administrator)
        );
        match parse_code("role", "janitor", Role::parse) {
            Err(sqlx::Error::ColumnDecode { index, source }) => {
                assert_eq!(index, "role");
                assert!(source.to_string().contains("janitor"), "{source}");
            }
            other => panic!("expected a decoding error, got {other:?}"),
        }
    }
}
