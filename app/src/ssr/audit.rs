//! The audit trail: every state change, with who, when, what, before and after.
//!
//! Written through the same transaction as the change it records, so that a change
//! without its record (or a record without its change) cannot exist.

use crate::ssr::db::{new_id, ts};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{Any, Transaction};

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
pub async fn record(
    tx: &mut Transaction<'_, Any>,
    entry: AuditEntry<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_event (audit_event_id, occurred_at, actor_user_id, action, subject_kind, subject_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(ts(entry.at))
    .bind(entry.actor.map(str::to_string))
    .bind(entry.action)
    .bind(entry.subject_kind)
    .bind(entry.subject_id)
    .bind(entry.before.map(|v| v.to_string()))
    .bind(entry.after.map(|v| v.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An audit event as read back.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct AuditRow {
    pub occurred_at: String,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// The history of one subject, oldest first.
pub async fn history(
    db: &crate::ssr::db::Db,
    subject_kind: &str,
    subject_id: &str,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    let rows: Vec<(String, Option<String>, String, String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT occurred_at, actor_user_id, action, subject_kind, subject_id, before_json, after_json \
         FROM audit_event WHERE subject_kind = $1 AND subject_id = $2 ORDER BY occurred_at, audit_event_id",
    )
    .bind(subject_kind)
    .bind(subject_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                occurred_at,
                actor_user_id,
                action,
                subject_kind,
                subject_id,
                before_json,
                after_json,
            )| AuditRow {
                occurred_at,
                actor_user_id,
                action,
                subject_kind,
                subject_id,
                before_json,
                after_json,
            },
        )
        .collect())
}

/// Every recorded change to a unit and to its filings and late-filing exceptions for a
/// period, oldest first: (occurred_at, actor's name, action, subject id, before, after).
pub async fn unit_history(
    db: &crate::ssr::db::Db,
    unit_id: &str,
    period_key: &str,
) -> Result<
    Vec<(
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        Option<String>,
    )>,
    sqlx::Error,
> {
    sqlx::query_as(
        "SELECT a.occurred_at, u.display_name, a.action, a.subject_id, a.before_json, a.after_json \
         FROM audit_event a LEFT JOIN app_user u ON u.user_id = a.actor_user_id \
         WHERE (a.subject_kind = 'filing' AND a.subject_id IN (SELECT filing_id FROM filing WHERE unit_id = $1 AND period_key = $2)) \
            OR (a.subject_kind = 'unit' AND a.subject_id = $1) \
            OR (a.subject_kind = 'late_exception' AND a.subject_id = $3) \
         ORDER BY a.occurred_at, a.audit_event_id",
    )
    .bind(unit_id)
    .bind(period_key)
    .bind(format!("{unit_id}/{period_key}"))
    .fetch_all(db)
    .await
}
