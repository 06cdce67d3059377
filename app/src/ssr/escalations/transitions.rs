//! The changes of an escalation's state: issuing and dismissing proposals, issuing by hand,
//! acknowledging, replying (第九条 reports), the issuer's decisions, closing and lifting (第七条),
//! and accidents (第六条（一）（二）).

use super::propose::*;
use super::rows::*;
use super::*;
use crate::domain::ladder::{self, Rung};
use crate::domain::period::Period;
use crate::domain::time::{kunming_date, Clock};
use crate::error::AppError;
use crate::model::escalation::EscalationStatus;
use crate::model::UserView;
use crate::ssr::access;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::db::{new_id, ts, Db};
use chrono::{DateTime, NaiveDate, Utc};

/// The next document number of an office for a rung in a Kunming year, inside the transaction.
pub(super) async fn next_number(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    office_id: &str,
    office_name: &str,
    rung: Rung,
    now: DateTime<Utc>,
) -> Result<(String, i64, i64), AppError> {
    let year = ladder::document_year(now);
    let (max,): (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(number_seq) FROM escalation WHERE issuer_unit_id = $1 AND rung = $2 AND number_year = $3",
    )
    .bind(office_id)
    .bind(rung.code())
    .bind(year as i64)
    .fetch_one(&mut **tx)
    .await?;
    let seq = max.unwrap_or(0) + 1;
    Ok((
        ladder::document_number(&short_name(office_name), year, rung, seq as u32),
        year as i64,
        seq,
    ))
}

/// The reply date of an escalation issued now: a 告诫's report is due 15 days after issue
/// (第九条, fixed); a 专报 asks no reply; otherwise the date staff chose (later than today),
/// or 15 days.
pub(super) fn reply_due_for(
    rung: Rung,
    chosen: &str,
    now: DateTime<Utc>,
) -> Result<Option<NaiveDate>, AppError> {
    let today = kunming_date(now);
    Ok(match rung {
        Rung::Admonition => Some(ladder::rectification_due(now)),
        Rung::SpecialReport => None,
        _ if chosen.trim().is_empty() => Some(ladder::reply_due(today)),
        _ => {
            let d = parse_date(chosen).ok_or(AppError::field("reply_due", "err.date"))?;
            if d <= today {
                return Err(AppError::field("reply_due", "err.reply_due_past"));
            }
            Some(d)
        }
    })
}

pub(super) fn check_wording(reasons: &str) -> Result<(), AppError> {
    let n = reasons.trim().chars().count();
    if n < 4 {
        return Err(AppError::field("reasons", "err.esc_reasons"));
    }
    if n > 4000 {
        return Err(AppError::field("reasons", "err.too_long"));
    }
    Ok(())
}

/// Issues a proposal of the user's office, with the wording staff gave it.
pub async fn issue_proposal(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
    reasons: &str,
    measures: &str,
    reply_due: &str,
) -> Result<String, AppError> {
    let office = office_of(user).ok_or(AppError::Forbidden)?;
    let row = one(db, id).await?;
    if row.issuer_unit_id != office.unit_id {
        return Err(AppError::Forbidden);
    }
    if row.status != EscalationStatus::Proposed {
        return Err(AppError::Conflict(
            crate::error::Conflict::EscalationNotProposed,
        ));
    }
    let target = position_of(db, &row.target_unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    ladder::may_issue(&office, &target)
        .map_err(|r| AppError::field("target_unit_id", r.message_key()))?;
    let reasons = if reasons.trim().is_empty() {
        row.reasons.clone()
    } else {
        reasons.trim().to_string()
    };
    check_wording(&reasons)?;
    let measures = if measures.trim().is_empty() {
        row.measures.clone()
    } else {
        measures.trim().to_string()
    };
    let now = clock.now();
    let due = reply_due_for(row.rung, reply_due, now)?;
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let (number, year, seq) =
        next_number(&mut tx, &office.unit_id, &user.unit_name, row.rung, now).await?;
    let updated = sqlx::query(
        "UPDATE escalation SET status = 'issued', number = $1, number_year = $2, number_seq = $3, reasons = $4, measures = $5, reply_due = $6, \
         issued_at = $7, issued_by = $8, updated_at = $7 WHERE escalation_id = $9 AND status = 'proposed'",
    )
    .bind(&number)
    .bind(year)
    .bind(seq)
    .bind(&reasons)
    .bind(&measures)
    .bind(due.map(|d| d.to_string()))
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::Conflict(
            crate::error::Conflict::EscalationNotProposed,
        ));
    }
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: "escalation.issue",
            subject_kind: "escalation",
            subject_id: id,
            before: Some(serde_json::json!({ "status": "proposed", "reasons": row.reasons, "measures": row.measures })),
            after: Some(serde_json::json!({
                "status": "issued", "number": number, "rung": row.rung.code(), "target": row.target_unit_id,
                "reasons": reasons, "measures": measures, "reply_due": due.map(|d| d.to_string()),
            })),
        },
    )
    .await?;
    tx.commit().await.map_err(|e| {
        if crate::ssr::db::is_unique_violation(&e) {
            AppError::Conflict(crate::error::Conflict::TryAgain)
        } else {
            AppError::from(e)
        }
    })?;
    Ok(number)
}

/// Dismisses a proposal of the user's office, with a reason.
pub async fn dismiss(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
    reason: &str,
) -> Result<(), AppError> {
    let office = office_of(user).ok_or(AppError::Forbidden)?;
    let row = one(db, id).await?;
    if row.issuer_unit_id != office.unit_id {
        return Err(AppError::Forbidden);
    }
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(AppError::field("reason", "err.dismiss_reason"));
    }
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let updated = sqlx::query(
        "UPDATE escalation SET status = 'dismissed', dismissed_at = $1, dismissed_by = $2, dismiss_reason = $3, updated_at = $1 \
         WHERE escalation_id = $4 AND status = 'proposed'",
    )
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(reason)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::Conflict(
            crate::error::Conflict::EscalationNotProposed,
        ));
    }
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: "escalation.dismiss",
            subject_kind: "escalation",
            subject_id: id,
            before: Some(serde_json::json!({ "status": "proposed" })),
            after: Some(serde_json::json!({ "status": "dismissed", "reason": reason, "rung": row.rung.code(), "target": row.target_unit_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Issues a rung by hand against a unit, with a reason; refused sideways or upward (第二条).
#[allow(clippy::too_many_arguments)]
pub async fn issue_by_hand(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    target_unit_id: &str,
    rung: &str,
    reasons: &str,
    measures: &str,
    reply_due: &str,
) -> Result<String, AppError> {
    let office = office_of(user).ok_or(AppError::Forbidden)?;
    let rung = Rung::parse(rung).ok_or(AppError::field("rung", "err.esc_rung"))?;
    let target = position_of(db, target_unit_id.trim())
        .await?
        .ok_or(AppError::field("target_unit_id", "err.esc_target"))?;
    ladder::may_issue(&office, &target)
        .map_err(|r| AppError::field("target_unit_id", r.message_key()))?;
    check_wording(reasons)?;
    let now = clock.now();
    let due = reply_due_for(rung, reply_due, now)?;
    let measures = if measures.trim().is_empty() {
        default_measures(rung).to_string()
    } else {
        measures.trim().to_string()
    };
    let id = new_id();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let (number, year, seq) =
        next_number(&mut tx, &office.unit_id, &user.unit_name, rung, now).await?;
    sqlx::query(
        "INSERT INTO escalation (escalation_id, status, origin, rung, issuer_unit_id, target_unit_id, period_key, reasons, measures, number, number_year, \
         number_seq, reply_due, issued_at, issued_by, created_at, updated_at) \
         VALUES ($1, 'issued', 'manual', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12, $12)",
    )
    .bind(&id)
    .bind(rung.code())
    .bind(&office.unit_id)
    .bind(&target.unit_id)
    .bind(Period::latest_closed(now).key())
    .bind(reasons.trim())
    .bind(&measures)
    .bind(&number)
    .bind(year)
    .bind(seq)
    .bind(due.map(|d| d.to_string()))
    .bind(ts(now))
    .bind(&user.user_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: "escalation.issue",
            subject_kind: "escalation",
            subject_id: &id,
            before: None,
            after: Some(serde_json::json!({
                "status": "issued", "origin": "manual", "number": number, "rung": rung.code(), "target": target.unit_id,
                "reasons": reasons.trim(), "measures": measures, "reply_due": due.map(|d| d.to_string()),
            })),
        },
    )
    .await?;
    tx.commit().await.map_err(|e| {
        if crate::ssr::db::is_unique_violation(&e) {
            AppError::Conflict(crate::error::Conflict::TryAgain)
        } else {
            AppError::from(e)
        }
    })?;
    Ok(number)
}

// ---------------------------------------------------------------------------------------------
// The target and the issuer after issuing
// ---------------------------------------------------------------------------------------------

pub(super) async fn issued_for_target(db: &Db, user: &UserView, id: &str) -> Result<Row, AppError> {
    let row = one(db, id).await?;
    if access::own_filing_unit(user).as_deref() != Some(row.target_unit_id.as_str()) {
        return Err(AppError::Forbidden);
    }
    if row.status != EscalationStatus::Issued {
        return Err(AppError::Conflict(
            crate::error::Conflict::EscalationNotOpen,
        ));
    }
    Ok(row)
}

pub(super) async fn issued_by_office(db: &Db, user: &UserView, id: &str) -> Result<Row, AppError> {
    let office = office_of(user).ok_or(AppError::Forbidden)?;
    let row = one(db, id).await?;
    if row.issuer_unit_id != office.unit_id {
        return Err(AppError::Forbidden);
    }
    if row.status != EscalationStatus::Issued {
        return Err(AppError::Conflict(
            crate::error::Conflict::EscalationNotOpen,
        ));
    }
    Ok(row)
}

/// The target signs for an escalation.
pub async fn acknowledge(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
) -> Result<(), AppError> {
    issued_for_target(db, user, id).await?;
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let updated = sqlx::query(
        "UPDATE escalation SET acknowledged_at = $1, acknowledged_by = $2, updated_at = $1 WHERE escalation_id = $3 AND acknowledged_at IS NULL",
    )
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(()); // already acknowledged: nothing changes
    }
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: "escalation.acknowledge",
            subject_kind: "escalation",
            subject_id: id,
            before: None,
            after: Some(serde_json::json!({ "acknowledged_at": ts(now) })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The target replies, or files its 第九条 report after a 告诫 (acknowledging it as well).
pub async fn respond(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
    body: &str,
) -> Result<(), AppError> {
    let row = issued_for_target(db, user, id).await?;
    if row.rung == Rung::SpecialReport {
        return Err(AppError::Conflict(
            crate::error::Conflict::EscalationNoReply,
        ));
    }
    let body = body.trim();
    let n = body.chars().count();
    if n < 10 {
        return Err(AppError::field("body", "err.esc_body"));
    }
    if n > 8000 {
        return Err(AppError::field("body", "err.too_long"));
    }
    let now = clock.now();
    let kind = if row.rung == Rung::Admonition {
        "report"
    } else {
        "reply"
    };
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let (pending,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM escalation_response WHERE escalation_id = $1 AND decision IS NULL",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if pending > 0 {
        return Err(AppError::Conflict(
            crate::error::Conflict::EscalationPending,
        ));
    }
    let response_id = new_id();
    sqlx::query(
        "INSERT INTO escalation_response (escalation_response_id, escalation_id, kind, body, submitted_at, submitted_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&response_id)
    .bind(id)
    .bind(kind)
    .bind(body)
    .bind(ts(now))
    .bind(&user.user_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE escalation SET acknowledged_at = COALESCE(acknowledged_at, $1), acknowledged_by = COALESCE(acknowledged_by, $2), updated_at = $1 WHERE escalation_id = $3",
    )
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: "escalation.respond",
            subject_kind: "escalation",
            subject_id: id,
            before: None,
            after: Some(serde_json::json!({ "kind": kind, "response": response_id, "body": body })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The issuer accepts the pending reply or report (the escalation closes: 备案) or asks for
/// more with a note.
pub async fn decide_response(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
    decision: &str,
    note: &str,
) -> Result<(), AppError> {
    let row = issued_by_office(db, user, id).await?;
    let accept = match decision {
        "accept" => true,
        "more" => false,
        _ => return Err(AppError::field("decision", "err.decision")),
    };
    let note = note.trim();
    if !accept && note.chars().count() < 4 {
        return Err(AppError::field("note", "err.esc_more_note"));
    }
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let updated = sqlx::query(
        "UPDATE escalation_response SET decision = $1, decision_note = $2, decided_at = $3, decided_by = $4 WHERE escalation_id = $5 AND decision IS NULL",
    )
    .bind(if accept { "accepted" } else { "more_requested" })
    .bind(note)
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::Conflict(
            crate::error::Conflict::EscalationNothingPending,
        ));
    }
    if accept {
        let reason = if row.rung == Rung::Admonition {
            "整改报告已备案（第九条）"
        } else {
            "答复已接受"
        };
        sqlx::query(
            "UPDATE escalation SET status = 'closed', closed_at = $1, closed_by = $2, close_reason = $3, updated_at = $1 WHERE escalation_id = $4 AND status = 'issued'",
        )
        .bind(ts(now))
        .bind(&user.user_id)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: if accept { "escalation.accept_response" } else { "escalation.request_more" },
            subject_kind: "escalation",
            subject_id: id,
            before: Some(serde_json::json!({ "status": "issued" })),
            after: Some(serde_json::json!({ "status": if accept { "closed" } else { "issued" }, "note": note })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The issuer closes an escalation; for a 公开 this lifts the disclosure (the public page
/// drops the unit; the history stays in the audit).
pub async fn close(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
    reason: &str,
) -> Result<(), AppError> {
    let row = issued_by_office(db, user, id).await?;
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(AppError::field("close_reason", "err.esc_close_reason"));
    }
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let updated = sqlx::query(
        "UPDATE escalation SET status = 'closed', closed_at = $1, closed_by = $2, close_reason = $3, updated_at = $1 WHERE escalation_id = $4 AND status = 'issued'",
    )
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(reason)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::Conflict(
            crate::error::Conflict::EscalationNotOpen,
        ));
    }
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: if row.rung == Rung::Disclosure {
                "escalation.lift"
            } else {
                "escalation.close"
            },
            subject_kind: "escalation",
            subject_id: id,
            before: Some(serde_json::json!({ "status": "issued" })),
            after: Some(serde_json::json!({ "status": "closed", "reason": reason })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Staff enter an accident in a unit they supervise.
pub async fn record_accident(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    unit_id: &str,
    occurred_on: &str,
    larger: bool,
    description: &str,
) -> Result<(), AppError> {
    if !user.role.is_supervisor() {
        return Err(AppError::Forbidden);
    }
    let now = clock.now();
    let mut errors = crate::domain::validation::FieldErrors::new();
    let date = parse_date(occurred_on);
    match date {
        None => errors.add("occurred_on", "err.date"),
        Some(d) if d > kunming_date(now) => errors.add("occurred_on", "err.date_future"),
        _ => {}
    }
    let description = description.trim();
    if description.chars().count() < 4 {
        errors.add("description", "err.accident_description");
    }
    if unit_id.trim().is_empty() {
        errors.add("unit_id", "err.esc_target");
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if !access::can_supervise(db, user, unit_id.trim()).await? {
        return Err(AppError::Forbidden);
    }
    let id = new_id();
    let date = date.expect("checked");
    let mut tx = crate::ssr::db::begin_write(db).await?;
    sqlx::query(
        "INSERT INTO accident (accident_id, unit_id, occurred_on, larger, description, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(unit_id.trim())
    .bind(date.to_string())
    .bind(larger as i64)
    .bind(description)
    .bind(&user.user_id)
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: "accident.record",
            subject_kind: "unit",
            subject_id: unit_id.trim(),
            before: None,
            after: Some(serde_json::json!({ "accident": id, "occurred_on": date.to_string(), "larger": larger, "description": description })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
