//! The stored escalation as read: one SELECT with the names around it, its decoded row, the
//! replies and reports, units as listed for the ladder, and the ladder's view of an issued
//! escalation.

use super::codes::Code;
use super::{kunming_text, parse_date};
use crate::domain::ladder::{OpenEscalation, Reason, Rung};
use crate::domain::time::kunming_date;
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use crate::model::escalation::{
    EscalationOrigin, EscalationStatus, ResponseDecision, ResponseKind, ResponseView,
};
use crate::ssr::db::{parse_ts, Db};
use std::collections::HashMap;

/// An escalation row as stored, with the names around it; its codes decoded.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(super) struct Row {
    pub(super) id: String,
    #[sqlx(try_from = "Code<EscalationStatus>")]
    pub(super) status: EscalationStatus,
    #[sqlx(try_from = "Code<EscalationOrigin>")]
    pub(super) origin: EscalationOrigin,
    #[sqlx(try_from = "Code<Rung>")]
    pub(super) rung: Rung,
    pub(super) issuer_unit_id: String,
    pub(super) issuer_name: String,
    pub(super) target_unit_id: String,
    pub(super) target_name: String,
    #[sqlx(try_from = "Code<UnitKind>")]
    pub(super) target_kind: UnitKind,
    pub(super) target_county: Option<String>,
    pub(super) period_key: Option<String>,
    #[sqlx(try_from = "super::codes::Evidence")]
    pub(super) evidence: Vec<Reason>,
    /// The [`Reason::key`]s, one a line.
    pub(super) evidence_keys: String,
    pub(super) reasons: String,
    pub(super) measures: String,
    pub(super) number: Option<String>,
    pub(super) reply_due: Option<String>,
    pub(super) proposed_at: Option<String>,
    pub(super) issued_at: Option<String>,
    /// The issuing user's display name.
    pub(super) issued_by: Option<String>,
    pub(super) acknowledged_at: Option<String>,
    pub(super) dismissed_at: Option<String>,
    pub(super) dismiss_reason: String,
    pub(super) closed_at: Option<String>,
    pub(super) close_reason: String,
}

const SELECT: &str = "SELECT x.escalation_id AS id, x.status, x.origin, x.rung, x.issuer_unit_id, i.name AS issuer_name, \
     x.target_unit_id, t.name AS target_name, t.kind AS target_kind, c.name AS target_county, x.period_key, \
     x.evidence_json AS evidence, x.evidence_keys, x.reasons, x.measures, x.number, x.reply_due, x.proposed_at, x.issued_at, \
     u.display_name AS issued_by, x.acknowledged_at, x.dismissed_at, x.dismiss_reason, x.closed_at, x.close_reason \
     FROM escalation x JOIN unit i ON i.unit_id = x.issuer_unit_id JOIN unit t ON t.unit_id = x.target_unit_id \
     LEFT JOIN unit c ON c.unit_id = t.county_id LEFT JOIN app_user u ON u.user_id = x.issued_by";

/// The escalations matching `filter` (SQL over `x`, the escalation, and `t`, its target, with
/// `$1`… bound to `binds`: codes are bound, never spelled in the filter), newest first.
#[tracing::instrument(skip(db))]
pub(super) async fn rows(db: &Db, filter: &str, binds: &[&str]) -> Result<Vec<Row>, AppError> {
    let sql = format!("{SELECT} WHERE {filter} ORDER BY x.created_at DESC, x.escalation_id");
    let mut q = sqlx::query_as::<_, Row>(&sql);
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.fetch_all(db).await?)
}

#[tracing::instrument(skip(db))]
pub(super) async fn one(db: &Db, id: &str) -> Result<Row, AppError> {
    rows(db, "x.escalation_id = $1", &[id])
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// A reply or report as stored.
#[derive(sqlx::FromRow)]
struct ResponseRow {
    escalation_id: String,
    response_id: String,
    #[sqlx(try_from = "Code<ResponseKind>")]
    kind: ResponseKind,
    body: String,
    submitted_at: String,
    submitted_by: String,
    decision: Option<Code<ResponseDecision>>,
    decision_note: String,
    decided_at: Option<String>,
}

/// Replies and reports, oldest first, by escalation.
#[tracing::instrument(skip(db, ids), fields(n = ids.len()))]
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
        "SELECT r.escalation_id, r.escalation_response_id AS response_id, r.kind, r.body, r.submitted_at, \
         COALESCE(u.display_name, '') AS submitted_by, r.decision, r.decision_note, r.decided_at \
         FROM escalation_response r LEFT JOIN app_user u ON u.user_id = r.submitted_by \
         WHERE r.escalation_id IN ({}) ORDER BY r.submitted_at, r.escalation_response_id",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<_, ResponseRow>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(db).await?;
    let response_ids: Vec<String> = rows.iter().map(|r| r.response_id.clone()).collect();
    let mut attached = crate::ssr::attachments::list_for_responses(db, &response_ids).await?;
    for r in rows {
        out.entry(r.escalation_id).or_default().push(ResponseView {
            attachments: attached.remove(&r.response_id).unwrap_or_default(),
            response_id: r.response_id,
            kind: r.kind,
            body: r.body,
            submitted_at: crate::ssr::db::kunming_text(&r.submitted_at),
            submitted_by: r.submitted_by,
            decision: r.decision.map(Code::into_inner),
            decision_note: r.decision_note,
            decided_at: kunming_text(r.decided_at),
        });
    }
    Ok(out)
}

/// A unit as the ladder lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(super) struct UnitRow {
    pub(super) unit_id: String,
    pub(super) name: String,
    #[sqlx(try_from = "Code<UnitKind>")]
    pub(super) kind: UnitKind,
    pub(super) county_id: Option<String>,
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
            .any(|r| r.decision != Some(ResponseDecision::MoreRequested)),
        rectification_due: row.reply_due.as_deref().and_then(parse_date),
        report_accepted: responses
            .iter()
            .any(|r| r.decision == Some(ResponseDecision::Accepted)),
        evidence_keys: row.evidence_keys.lines().map(str::to_string).collect(),
    })
}
