//! The audit trail: every state change, with who, when, what, before and after.
//!
//! Written through the same transaction as the change it records, so that a change
//! without its record (or a record without its change) cannot exist.

use crate::ssr::db::{new_id, ts};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::AnyConnection;

/// One state change to record.
pub struct AuditEntry<'a> {
    pub at: DateTime<Utc>,
    /// The user who made the change; `None` for the system (command line, seeding).
    pub actor: Option<&'a str>,
    /// What happened, e.g. `unit.create`, `user.password_change`.
    pub action: &'a str,
    pub subject_kind: &'a str,
    pub subject_id: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[tracing::instrument(skip_all, fields(action = entry.action, subject = entry.subject_id))]
pub async fn record(tx: &mut AnyConnection, entry: AuditEntry<'_>) -> Result<(), sqlx::Error> {
    record_all(tx, vec![entry]).await
}

/// Records `entries` in multi-row INSERTs of up to 100 (a run of proposals records
/// thousands at once).
pub async fn record_all(
    tx: &mut AnyConnection,
    entries: Vec<AuditEntry<'_>>,
) -> Result<(), sqlx::Error> {
    for chunk in entries.chunks(100) {
        let sql = format!(
            "INSERT INTO audit_event (audit_event_id, occurred_at, actor_user_id, action, subject_kind, subject_id, before_json, after_json) \
             VALUES {}",
            crate::ssr::db::value_rows(tx, chunk.len(), 8)
        );
        let mut q = sqlx::query(&sql);
        for entry in chunk {
            q = q
                .bind(new_id())
                .bind(ts(entry.at))
                .bind(entry.actor.map(str::to_string))
                .bind(entry.action)
                .bind(entry.subject_kind)
                .bind(entry.subject_id)
                .bind(entry.before.as_ref().map(|v| v.to_string()))
                .bind(entry.after.as_ref().map(|v| v.to_string()));
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// A recorded change as the history of a unit reads it back.
#[derive(sqlx::FromRow)]
struct UnitEvent {
    occurred_at: String,
    actor_name: Option<String>,
    action: String,
    subject_id: String,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// One change in a unit's history.
#[derive(Clone, Debug)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// The actor's display name (none for the system).
    pub actor: Option<String>,
    pub action: String,
    pub subject_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Every recorded change to a unit and to its filings and late-filing exceptions for a
/// period, oldest first.
#[tracing::instrument(skip(db))]
pub async fn unit_history(
    db: &crate::ssr::db::Db,
    unit_id: &str,
    period_key: &str,
) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    let events: Vec<UnitEvent> = sqlx::query_as(
        "SELECT a.occurred_at, u.display_name AS actor_name, a.action, a.subject_id, a.before_json, a.after_json \
         FROM audit_event a LEFT JOIN app_user u ON u.user_id = a.actor_user_id \
         WHERE (a.subject_kind = $4 AND a.subject_id IN (SELECT filing_id FROM filing WHERE unit_id = $1 AND period_key = $2)) \
            OR (a.subject_kind = $5 AND a.subject_id = $1) \
            OR (a.subject_kind = $6 AND a.subject_id = $3) \
         ORDER BY a.occurred_at, a.audit_event_id",
    )
    .bind(unit_id)
    .bind(period_key)
    .bind(format!("{unit_id}/{period_key}"))
    .bind("filing")
    .bind("unit")
    .bind("late_exception")
    .fetch_all(db)
    .await?;
    events
        .into_iter()
        .map(|e| {
            Ok(HistoryEntry {
                at: crate::ssr::db::parse_instant("occurred_at", &e.occurred_at)?,
                actor: e.actor_name,
                action: e.action,
                subject_id: e.subject_id,
                before: e.before_json,
                after: e.after_json,
            })
        })
        .collect()
}
