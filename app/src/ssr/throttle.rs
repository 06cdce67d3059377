//! Login throttling that holds under concurrency, on SQLite and PostgreSQL alike.
//!
//! Two counters, one row each in `login_throttle`:
//! - per **name** as typed, an account's or not (so the answers never tell which names have
//!   an account): each attempt is counted *before* its password is checked, by one
//!   conditional UPDATE that also sets the lock when the count reaches [`FREE_ATTEMPTS`].
//!   Parallel attempts therefore get exactly [`FREE_ATTEMPTS`] password checks; the rest
//!   answer "locked" at once. A success clears the row. Each attempt after a lock has run
//!   out doubles the lock, up to 15 minutes.
//! - per **client address**: [`ADDRESS_FAILURES`] failures within an hour lock the address
//!   for 15 minutes, whatever names it tries.
//!
//! Locks run on real time, not the app clock, so that a fixed drill clock cannot lock an
//! account for good.

use crate::ssr::db::Db;
use chrono::{DateTime, Duration, TimeZone, Utc};

/// Password checks allowed for a name before it is locked.
pub const FREE_ATTEMPTS: i64 = 5;
/// Failed logins from one address, within an hour, before it is locked.
pub const ADDRESS_FAILURES: i64 = 50;
/// How long an address is locked.
pub const ADDRESS_LOCK: Duration = Duration::minutes(15);
/// After an hour without attempts, counting starts again.
const FORGET_AFTER_SECONDS: i64 = 3600;

/// How long a name is locked once its `attempts`-th attempt is counted: 30 s at the 5th,
/// doubling with each further one, at most 15 minutes.
pub fn lockout_after(attempts: i64) -> Option<Duration> {
    if attempts < FREE_ATTEMPTS {
        return None;
    }
    let doublings = (attempts - FREE_ATTEMPTS).min(5) as u32;
    Some(Duration::seconds((30i64 << doublings).min(15 * 60)))
}

/// A name or address that may not try now, until `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locked {
    pub until: DateTime<Utc>,
}

impl Locked {
    /// The error the user sees: when to try again, and how long that is from now.
    pub fn into_error(self, now: DateTime<Utc>) -> crate::error::AppError {
        crate::error::AppError::Throttled {
            retry_at: self.until,
            wait_seconds: (self.until - now).num_seconds().max(1),
        }
    }
}

fn instant(epoch: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(epoch, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

/// Makes sure the row exists (a no-op when it does), so that the counting UPDATE always
/// has a row to decide on.
///
/// Guard: `ON CONFLICT (scope, throttle_key) DO NOTHING` on the primary key.
async fn ensure_row(db: &Db, scope: &str, key: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO login_throttle (scope, throttle_key, attempts, locked_until, updated_at) \
         VALUES ($1, $2, 0, NULL, $3) ON CONFLICT (scope, throttle_key) DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

async fn locked_until(db: &Db, scope: &str, key: &str) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT locked_until FROM login_throttle WHERE scope = $1 AND throttle_key = $2",
    )
    .bind(scope)
    .bind(key)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|r| r.0))
}

/// Counts an attempt for `name` before its password is checked. `Ok(None)`: go on and
/// check it; `Ok(Some(locked))`: the name is locked, check nothing.
///
/// Guard: one UPDATE whose WHERE refuses a locked row and whose SET locks the row at the
/// [`FREE_ATTEMPTS`]-th count, so concurrent attempts cannot all pass (PostgreSQL re-checks
/// the WHERE on the row a concurrent UPDATE just wrote; SQLite runs one writer at a time).
#[tracing::instrument(skip(db))]
pub async fn claim_attempt(db: &Db, name: &str) -> Result<Option<Locked>, sqlx::Error> {
    let now = Utc::now();
    let t = now.timestamp();
    ensure_row(db, "name", name, t).await?;
    // The new count: from 1 again after an hour of quiet, else one more.
    let next = "(CASE WHEN updated_at < $3 THEN 1 ELSE attempts + 1 END)";
    let locks: Vec<i64> = (FREE_ATTEMPTS..=FREE_ATTEMPTS + 5)
        .map(|n| (now + lockout_after(n).unwrap_or_default()).timestamp())
        .collect();
    let sql = format!(
        "UPDATE login_throttle SET attempts = {next}, updated_at = $2, locked_until = CASE \
           WHEN {next} < {free} THEN NULL \
           WHEN {next} = {free} THEN $4 WHEN {next} = {f1} THEN $5 WHEN {next} = {f2} THEN $6 \
           WHEN {next} = {f3} THEN $7 WHEN {next} = {f4} THEN $8 ELSE $9 END \
         WHERE scope = 'name' AND throttle_key = $1 \
           AND (locked_until IS NULL OR locked_until <= $2) \
         RETURNING attempts",
        free = FREE_ATTEMPTS,
        f1 = FREE_ATTEMPTS + 1,
        f2 = FREE_ATTEMPTS + 2,
        f3 = FREE_ATTEMPTS + 3,
        f4 = FREE_ATTEMPTS + 4,
    );
    let mut q = sqlx::query_as::<_, (i64,)>(&sql)
        .bind(name)
        .bind(t)
        .bind(t - FORGET_AFTER_SECONDS);
    for lock in &locks {
        q = q.bind(*lock);
    }
    match q.fetch_optional(db).await? {
        Some(_) => Ok(None),
        None => Ok(Some(Locked {
            until: instant(locked_until(db, "name", name).await?.unwrap_or(t + 1)),
        })),
    }
}

/// A success clears the name's count and lock.
///
/// Guard: none needed: an unconditional UPDATE that decides nothing. It keeps the row (a
/// DELETE could land between [`claim_attempt`]'s insert and its counting UPDATE, which would
/// then find no row and answer "locked").
#[tracing::instrument(skip(db))]
pub async fn clear_name(db: &Db, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE login_throttle SET attempts = 0, locked_until = NULL \
         WHERE scope = 'name' AND throttle_key = $1",
    )
    .bind(name)
    .execute(db)
    .await?;
    Ok(())
}

/// Whether the address is locked now.
#[tracing::instrument(skip(db))]
pub async fn address_locked(db: &Db, addr: &str) -> Result<Option<Locked>, sqlx::Error> {
    let t = Utc::now().timestamp();
    Ok(locked_until(db, "addr", addr)
        .await?
        .filter(|until| *until > t)
        .map(|until| Locked {
            until: instant(until),
        }))
}

/// Counts a failed login from the address, locking it at [`ADDRESS_FAILURES`] within an hour.
///
/// Guard: one UPDATE that computes the count and the lock from the row itself (PostgreSQL
/// re-reads the row a concurrent UPDATE wrote), so concurrent failures all count. The check
/// in [`address_locked`] is a plain read: concurrent attempts may pass it together.
#[tracing::instrument(skip(db))]
pub async fn record_address_failure(db: &Db, addr: &str) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    let t = now.timestamp();
    ensure_row(db, "addr", addr, t).await?;
    let next = "(CASE WHEN updated_at < $3 THEN 1 ELSE attempts + 1 END)";
    let sql = format!(
        "UPDATE login_throttle SET attempts = {next}, updated_at = $2, locked_until = CASE \
           WHEN {next} >= {limit} THEN $4 ELSE locked_until END \
         WHERE scope = 'addr' AND throttle_key = $1",
        limit = ADDRESS_FAILURES,
    );
    sqlx::query(&sql)
        .bind(addr)
        .bind(t)
        .bind(t - FORGET_AFTER_SECONDS)
        .bind((now + ADDRESS_LOCK).timestamp())
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_starts_at_the_fifth_attempt_and_doubles_to_fifteen_minutes() {
        assert_eq!(lockout_after(4), None);
        assert_eq!(lockout_after(5), Some(Duration::seconds(30)));
        assert_eq!(lockout_after(6), Some(Duration::seconds(60)));
        assert_eq!(lockout_after(10), Some(Duration::minutes(15)));
        assert_eq!(lockout_after(99), Some(Duration::minutes(15)));
    }
}
