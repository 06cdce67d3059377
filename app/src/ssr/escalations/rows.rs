//! The stored escalation as read: one SELECT with the names around it, its decoded row, the
//! replies and reports, and the ladder's view of an issued escalation.

use super::*;
use crate::domain::ladder::{OpenEscalation, Reason, Rung};
use crate::domain::time::kunming_date;
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use crate::model::escalation::{EscalationStatus, ResponseView};
use crate::ssr::db::{parse_ts, Db};
use std::collections::HashMap;

/// An escalation row as stored, with the names around it.
#[derive(Clone, Debug)]
pub(super) struct Row {
    pub(super) id: String,
    pub(super) status: EscalationStatus,
    pub(super) origin: String,
    pub(super) rung: Rung,
    pub(super) issuer_unit_id: String,
    pub(super) issuer_name: String,
    pub(super) target_unit_id: String,
    pub(super) target_name: String,
    pub(super) target_kind: UnitKind,
    pub(super) target_county: Option<String>,
    pub(super) period_key: Option<String>,
    pub(super) evidence: Vec<Reason>,
    pub(super) evidence_keys: Vec<String>,
    pub(super) reasons: String,
    pub(super) measures: String,
    pub(super) number: Option<String>,
    pub(super) reply_due: Option<String>,
    pub(super) proposed_at: Option<String>,
    pub(super) issued_at: Option<String>,
    pub(super) issued_by: Option<String>,
    pub(super) acknowledged_at: Option<String>,
    pub(super) dismissed_at: Option<String>,
    pub(super) dismiss_reason: String,
    pub(super) closed_at: Option<String>,
    pub(super) close_reason: String,
}

pub(super) const SELECT: &str = "SELECT x.escalation_id, x.status, x.origin, x.rung, x.issuer_unit_id, i.name, x.target_unit_id, t.name, t.kind, \
     t.county_id, c.name, x.period_key, x.evidence_json, x.evidence_keys, x.reasons, x.measures, x.number, x.reply_due, \
     x.proposed_at, x.issued_at, u.display_name, x.acknowledged_at, x.dismissed_at, x.dismiss_reason, x.closed_at, x.close_reason \
     FROM escalation x JOIN unit i ON i.unit_id = x.issuer_unit_id JOIN unit t ON t.unit_id = x.target_unit_id \
     LEFT JOIN unit c ON c.unit_id = t.county_id LEFT JOIN app_user u ON u.user_id = x.issued_by";

pub(super) fn row_of(r: sqlx::any::AnyRow) -> Option<Row> {
    use sqlx::Row as _;
    let text = |i: usize| r.try_get::<String, _>(i).ok();
    let opt = |i: usize| r.try_get::<Option<String>, _>(i).ok().flatten();
    Some(Row {
        id: text(0)?,
        status: EscalationStatus::parse(&text(1)?)?,
        origin: text(2)?,
        rung: Rung::parse(&text(3)?)?,
        issuer_unit_id: text(4)?,
        issuer_name: text(5)?,
        target_unit_id: text(6)?,
        target_name: text(7)?,
        target_kind: UnitKind::parse(&text(8)?)?,
        target_county: opt(10),
        period_key: opt(11),
        evidence: serde_json::from_str(&text(12)?).unwrap_or_default(),
        evidence_keys: text(13)?.lines().map(str::to_string).collect(),
        reasons: text(14)?,
        measures: text(15)?,
        number: opt(16),
        reply_due: opt(17),
        proposed_at: opt(18),
        issued_at: opt(19),
        issued_by: opt(20),
        acknowledged_at: opt(21),
        dismissed_at: opt(22),
        dismiss_reason: text(23)?,
        closed_at: opt(24),
        close_reason: text(25)?,
    })
}

pub(super) async fn rows(db: &Db, filter: &str, binds: &[&str]) -> Result<Vec<Row>, AppError> {
    let sql = format!("{SELECT} WHERE {filter} ORDER BY x.created_at DESC, x.escalation_id");
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.fetch_all(db)
        .await?
        .into_iter()
        .filter_map(row_of)
        .collect())
}

pub(super) async fn one(db: &Db, id: &str) -> Result<Row, AppError> {
    rows(db, "x.escalation_id = $1", &[id])
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// Replies and reports, oldest first, by escalation.
pub(super) async fn responses_of(
    db: &Db,
    ids: &[String],
) -> Result<HashMap<String, Vec<ResponseView>>, AppError> {
    let mut out: HashMap<String, Vec<ResponseView>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT r.escalation_id, r.escalation_response_id, r.kind, r.body, r.submitted_at, COALESCE(u.display_name, ''), r.decision, r.decision_note, r.decided_at \
         FROM escalation_response r LEFT JOIN app_user u ON u.user_id = r.submitted_by \
         WHERE r.escalation_id IN ({}) ORDER BY r.submitted_at, r.escalation_response_id",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<
        _,
        (
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
            Option<String>,
        ),
    >(&sql);
    for id in ids {
        q = q.bind(id);
    }
    for (esc, id, kind, body, at, by, decision, note, decided_at) in q.fetch_all(db).await? {
        out.entry(esc).or_default().push(ResponseView {
            response_id: id,
            kind,
            body,
            submitted_at: crate::ssr::db::kunming_text(&at),
            submitted_by: by,
            decision,
            decision_note: note,
            decided_at: kunming_text(decided_at),
        });
    }
    Ok(out)
}

/// The ladder's view of an issued escalation (for proposals, reply states and reminders).
pub(super) fn open_escalation(row: &Row, responses: &[ResponseView]) -> Option<OpenEscalation> {
    let issued = parse_ts(row.issued_at.as_deref()?)?;
    Some(OpenEscalation {
        number: row.number.clone().unwrap_or_default(),
        rung: row.rung,
        issued_on: kunming_date(issued),
        acknowledged: row.acknowledged_at.is_some(),
        responded: responses
            .iter()
            .any(|r| r.decision.as_deref() != Some("more_requested")),
        rectification_due: row.reply_due.as_deref().and_then(parse_date),
        report_accepted: responses
            .iter()
            .any(|r| r.decision.as_deref() == Some("accepted")),
        evidence_keys: row.evidence_keys.clone(),
    })
}
