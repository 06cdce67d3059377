//! The changes of an escalation's state: issuing and dismissing proposals, issuing by hand,
//! acknowledging, replying (第九条 reports), the issuer's decisions, closing and lifting (第七条),
//! and accidents (第六条（一）（二）).
//!
//! Each change of status is one [`transition`]: a conditional UPDATE whose WHERE names the
//! state it expects, so that of two clicks only one changes the row and the other is a
//! conflict; then its audit record, then the commit.

use super::propose::default_measures;
use super::rows::{one, Row};
use super::{office_of, parse_date, position_of, short_name};
use crate::domain::ladder::{self, Rung};
use crate::domain::period::Period;
use crate::domain::time::{kunming_date, Clock};
use crate::error::{AppError, Conflict};
use crate::model::escalation::{
    EscalationOrigin, EscalationStatus, ResponseDecision, ResponseKind,
};
use crate::model::UserView;
use crate::ssr::access;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::db::{is_unique_violation, new_id, ts, Db};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::any::AnyArguments;
use sqlx::Any;
use EscalationStatus::{Closed, Dismissed, Issued, Proposed};

type Tx = crate::ssr::db::WriteTx;
type Update<'q> = sqlx::query::Query<'q, Any, AnyArguments<'q>>;

// ---------------------------------------------------------------------------------------------
// One change of state
// ---------------------------------------------------------------------------------------------

/// A unique violation (a document number taken at the same moment) asks the user to try
/// again; anything else is internal.
fn unique_is_try_again(err: sqlx::Error) -> AppError {
    if is_unique_violation(&err) {
        AppError::Conflict(Conflict::TryAgain)
    } else {
        AppError::from(err)
    }
}

/// Runs a conditional UPDATE: whether it changed a row (else the state it expects is gone).
async fn changed(tx: &mut Tx, update: Update<'_>) -> Result<bool, AppError> {
    let done = update
        .execute(&mut **tx)
        .await
        .map_err(unique_is_try_again)?;
    Ok(done.rows_affected() > 0)
}

/// A conditional UPDATE that must change a row, else `conflict`.
async fn expect_change(
    tx: &mut Tx,
    update: Update<'_>,
    conflict: Conflict,
) -> Result<(), AppError> {
    if changed(tx, update).await? {
        Ok(())
    } else {
        Err(AppError::Conflict(conflict))
    }
}

/// Takes the escalation's row for this transaction while it is still issued (a no-op UPDATE
/// whose `WHERE` holds the decision), else `EscalationNotOpen`. On PostgreSQL the row stays
/// locked until commit, so a close, reply or decision racing this one waits and then sees
/// what this one did; SQLite's `BEGIN IMMEDIATE` already serialises writers.
async fn lock_issued(tx: &mut Tx, now: DateTime<Utc>, id: &str) -> Result<(), AppError> {
    let update = sqlx::query(
        "UPDATE escalation SET updated_at = $1 WHERE escalation_id = $2 AND status = $3",
    )
    .bind(ts(now))
    .bind(id)
    .bind(Issued.code());
    expect_change(tx, update, Conflict::EscalationNotOpen).await
}

/// Begins the transaction of a change to escalation `id`, counting the change in its
/// office's generation first ([`super::propose::bump_generation_of`]), so that every change
/// and every proposal run take their locks in the same order.
async fn begin_change(db: &Db, id: &str) -> Result<Tx, AppError> {
    let mut tx = crate::ssr::db::begin_write(db).await?;
    super::propose::bump_generation_of(&mut tx, id).await?;
    Ok(tx)
}

/// Records the change and commits it.
async fn audit_and_commit(mut tx: Tx, entry: AuditEntry<'_>) -> Result<(), AppError> {
    audit::record(&mut tx, entry).await?;
    tx.commit().await.map_err(unique_is_try_again)
}

/// One change of state: the conditional `update` (the state it expects in its WHERE) must
/// change a row, else `conflict`; then the audit record; then the commit.
async fn transition(
    mut tx: Tx,
    update: Update<'_>,
    conflict: Conflict,
    entry: AuditEntry<'_>,
) -> Result<(), AppError> {
    expect_change(&mut tx, update, conflict).await?;
    audit_and_commit(tx, entry).await
}

/// The audit record of a change `user` made to escalation `id`.
fn entry<'a>(
    now: DateTime<Utc>,
    user: &'a UserView,
    action: &'a str,
    id: &'a str,
    before: Option<Value>,
    after: Value,
) -> AuditEntry<'a> {
    AuditEntry {
        at: now,
        actor: Some(&user.user_id),
        action,
        subject_kind: "escalation",
        subject_id: id,
        before,
        after: Some(after),
    }
}

// ---------------------------------------------------------------------------------------------
// Issuing, dismissing
// ---------------------------------------------------------------------------------------------

/// The next document number of an office for a rung in a Kunming year, inside the transaction.
///
/// Guard: the document_counter row, `UPDATE … last_seq + 1 RETURNING` holding its lock until
/// commit (a missing row is created by `ON CONFLICT DO NOTHING` first).
#[tracing::instrument(skip(tx))]
async fn next_number(
    tx: &mut Tx,
    office_id: &str,
    office_name: &str,
    rung: Rung,
    now: DateTime<Utc>,
) -> Result<(String, i64, i64), AppError> {
    let year = ladder::document_year(now);
    // Guard: the counter row, incremented in this transaction (PostgreSQL holds its row lock
    // until commit, so concurrent issues take turns; SQLite has one writer at a time).
    sqlx::query(
        "INSERT INTO document_counter (issuer_unit_id, rung, number_year, last_seq) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (issuer_unit_id, rung, number_year) DO NOTHING",
    )
    .bind(office_id)
    .bind(rung.code())
    .bind(year as i64)
    .execute(&mut **tx)
    .await?;
    let seq: i64 = sqlx::query_scalar(
        "UPDATE document_counter SET last_seq = last_seq + 1 \
         WHERE issuer_unit_id = $1 AND rung = $2 AND number_year = $3 RETURNING last_seq",
    )
    .bind(office_id)
    .bind(rung.code())
    .bind(year as i64)
    .fetch_one(&mut **tx)
    .await?;
    Ok((
        ladder::document_number(&short_name(office_name), year, rung, seq as u32),
        year as i64,
        seq,
    ))
}

/// The reply date of an escalation issued now: a 告诫's report is due 15 days after issue
/// (第九条, fixed); a 专报 asks no reply; otherwise the date staff chose (later than today),
/// or 15 days.
fn reply_due_for(
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

fn check_wording(reasons: &str) -> Result<(), AppError> {
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
///
/// Guard: [`transition`] with `UPDATE … WHERE status = 'proposed'`, 1 row or
/// `EscalationNotProposed`; the number from [`next_number`]'s counter row. Issuer, rung,
/// target and wording read before it do not change while the escalation is proposed.
#[tracing::instrument(skip(db, clock, user, reasons, measures), fields(user = %user.user_id))]
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
    if row.status != Proposed {
        return Err(AppError::Conflict(Conflict::EscalationNotProposed));
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
    let mut tx = begin_change(db, id).await?;
    let (number, year, seq) =
        next_number(&mut tx, &office.unit_id, &user.unit_name, row.rung, now).await?;
    let update = sqlx::query(
        "UPDATE escalation SET status = $1, number = $2, number_year = $3, number_seq = $4, reasons = $5, measures = $6, reply_due = $7, \
         issued_at = $8, issued_by = $9, updated_at = $8 WHERE escalation_id = $10 AND status = $11",
    )
    .bind(Issued.code())
    .bind(&number)
    .bind(year)
    .bind(seq)
    .bind(&reasons)
    .bind(&measures)
    .bind(due.map(|d| d.to_string()))
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(id)
    .bind(Proposed.code());
    let audit = entry(
        now,
        user,
        "escalation.issue",
        id,
        Some(
            serde_json::json!({ "status": Proposed.code(), "reasons": row.reasons, "measures": row.measures }),
        ),
        serde_json::json!({
            "status": Issued.code(), "number": number, "rung": row.rung.code(), "target": row.target_unit_id,
            "reasons": reasons, "measures": measures, "reply_due": due.map(|d| d.to_string()),
        }),
    );
    transition(tx, update, Conflict::EscalationNotProposed, audit).await?;
    Ok(number)
}

/// Dismisses a proposal of the user's office, with a reason.
///
/// Guard: [`transition`] with `UPDATE … WHERE status = 'proposed'`, 1 row or
/// `EscalationNotProposed`.
#[tracing::instrument(skip(db, clock, user, reason), fields(user = %user.user_id))]
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
    let tx = begin_change(db, id).await?;
    let update = sqlx::query(
        "UPDATE escalation SET status = $1, dismissed_at = $2, dismissed_by = $3, dismiss_reason = $4, updated_at = $2 \
         WHERE escalation_id = $5 AND status = $6",
    )
    .bind(Dismissed.code())
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(reason)
    .bind(id)
    .bind(Proposed.code());
    let audit = entry(
        now,
        user,
        "escalation.dismiss",
        id,
        Some(serde_json::json!({ "status": Proposed.code() })),
        serde_json::json!({ "status": Dismissed.code(), "reason": reason, "rung": row.rung.code(), "target": row.target_unit_id }),
    );
    transition(tx, update, Conflict::EscalationNotProposed, audit).await
}

/// Issues a rung by hand against a unit, with a reason; refused sideways or upward (第二条).
///
/// Guard: decides on no escalation's state; the number comes from [`next_number`]'s counter
/// row, and a number taken anyway (UNIQUE number) answers `Conflict::TryAgain`.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip(db, clock, user, reasons, measures), fields(user = %user.user_id))]
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
    super::propose::bump_generation(&mut tx, &office.unit_id).await?;
    let (number, year, seq) =
        next_number(&mut tx, &office.unit_id, &user.unit_name, rung, now).await?;
    sqlx::query(
        "INSERT INTO escalation (escalation_id, status, origin, rung, issuer_unit_id, target_unit_id, period_key, reasons, measures, number, number_year, \
         number_seq, reply_due, issued_at, issued_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $14, $14)",
    )
    .bind(&id)
    .bind(Issued.code())
    .bind(EscalationOrigin::Manual.code())
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
    .await
    .map_err(unique_is_try_again)?;
    let audit = entry(
        now,
        user,
        "escalation.issue",
        &id,
        None,
        serde_json::json!({
            "status": Issued.code(), "origin": EscalationOrigin::Manual.code(), "number": number, "rung": rung.code(),
            "target": target.unit_id, "reasons": reasons.trim(), "measures": measures, "reply_due": due.map(|d| d.to_string()),
        }),
    );
    audit_and_commit(tx, audit).await?;
    Ok(number)
}

// ---------------------------------------------------------------------------------------------
// The target and the issuer after issuing
// ---------------------------------------------------------------------------------------------

async fn issued_for_target(db: &Db, user: &UserView, id: &str) -> Result<Row, AppError> {
    let row = one(db, id).await?;
    if access::own_filing_unit(user).as_deref() != Some(row.target_unit_id.as_str()) {
        return Err(AppError::Forbidden);
    }
    if row.status != Issued {
        return Err(AppError::Conflict(Conflict::EscalationNotOpen));
    }
    Ok(row)
}

async fn issued_by_office(db: &Db, user: &UserView, id: &str) -> Result<Row, AppError> {
    let office = office_of(user).ok_or(AppError::Forbidden)?;
    let row = one(db, id).await?;
    if row.issuer_unit_id != office.unit_id {
        return Err(AppError::Forbidden);
    }
    if row.status != Issued {
        return Err(AppError::Conflict(Conflict::EscalationNotOpen));
    }
    Ok(row)
}

/// The target signs for an escalation.
///
/// Guard: [`lock_issued`] first (still issued, row locked), then `UPDATE … WHERE
/// acknowledged_at IS NULL`: of two acknowledgements one changes the row, the other nothing.
#[tracing::instrument(skip(db, clock, user), fields(user = %user.user_id))]
pub async fn acknowledge(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
) -> Result<(), AppError> {
    issued_for_target(db, user, id).await?;
    let now = clock.now();
    let mut tx = begin_change(db, id).await?;
    lock_issued(&mut tx, now, id).await?;
    let update = sqlx::query(
        "UPDATE escalation SET acknowledged_at = $1, acknowledged_by = $2, updated_at = $1 WHERE escalation_id = $3 AND acknowledged_at IS NULL",
    )
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(id);
    if !changed(&mut tx, update).await? {
        return Ok(()); // already acknowledged: nothing changes
    }
    let audit = entry(
        now,
        user,
        "escalation.acknowledge",
        id,
        None,
        serde_json::json!({ "acknowledged_at": ts(now) }),
    );
    audit_and_commit(tx, audit).await
}

/// The target replies, or files its 第九条 report after a 告诫 (acknowledging it as well).
///
/// Guard: [`lock_issued`] first (still issued, row locked until commit), so of two replies
/// at once the second waits for the first and then counts it as pending
/// (`EscalationPending`).
#[tracing::instrument(skip(db, clock, user, body), fields(user = %user.user_id))]
pub async fn respond(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
    body: &str,
) -> Result<(), AppError> {
    let row = issued_for_target(db, user, id).await?;
    if row.rung == Rung::SpecialReport {
        return Err(AppError::Conflict(Conflict::EscalationNoReply));
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
        ResponseKind::Report
    } else {
        ResponseKind::Reply
    };
    let mut tx = begin_change(db, id).await?;
    lock_issued(&mut tx, now, id).await?;
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM escalation_response WHERE escalation_id = $1 AND decision IS NULL",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if pending > 0 {
        return Err(AppError::Conflict(Conflict::EscalationPending));
    }
    let response_id = new_id();
    sqlx::query(
        "INSERT INTO escalation_response (escalation_response_id, escalation_id, kind, body, submitted_at, submitted_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&response_id)
    .bind(id)
    .bind(kind.code())
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
    let audit = entry(
        now,
        user,
        "escalation.respond",
        id,
        None,
        serde_json::json!({ "kind": kind.code(), "response": response_id, "body": body }),
    );
    audit_and_commit(tx, audit).await
}

/// The target attaches the sealed, signed paper copy (a PDF or image scan) to its reply or
/// 第九条 report waiting for the issuer's decision (issue 14). Only the target's own filer
/// attaches; to anyone else the escalation does not exist here (`NotFound`). The file passes
/// the checks of every attachment (`attachments::checked`).
///
/// Guard: [`lock_issued`] first (still issued, row locked until commit), then the pending
/// reply and its attachment count are read: a decision or another upload racing this waits
/// for it.
#[tracing::instrument(skip(db, clock, user, bytes), fields(user = %user.user_id))]
pub async fn attach_to_reply(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<(), AppError> {
    let row = one(db, id).await?;
    if access::own_filing_unit(user).as_deref() != Some(row.target_unit_id.as_str()) {
        return Err(AppError::NotFound);
    }
    let file = crate::ssr::attachments::checked(file_name, bytes)?;
    let now = clock.now();
    let mut tx = begin_change(db, id).await?;
    lock_issued(&mut tx, now, id).await?;
    let pending: Option<String> = sqlx::query_scalar(
        "SELECT escalation_response_id FROM escalation_response WHERE escalation_id = $1 AND decision IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let response_id = pending.ok_or(AppError::Conflict(Conflict::EscalationNothingPending))?;
    let attachment_id = crate::ssr::attachments::store(
        &mut tx,
        crate::ssr::attachments::Holder::Response {
            response_id: &response_id,
            escalation_id: id,
        },
        &file,
        &user.user_id,
        now,
    )
    .await?;
    let audit = file.audit(&attachment_id, now, &user.user_id, "escalation", id);
    audit_and_commit(tx, audit).await
}

/// The issuer accepts the pending reply or report (the escalation closes: 备案) or asks for
/// more with a note.
///
/// Guard: [`lock_issued`] first (still issued, row locked until commit), then `UPDATE
/// escalation_response … WHERE decision IS NULL`, 1 row or `EscalationNothingPending`; the
/// close must change its row too.
#[tracing::instrument(skip(db, clock, user, note), fields(user = %user.user_id))]
pub async fn decide_response(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
    decision: &str,
    note: &str,
) -> Result<(), AppError> {
    let row = issued_by_office(db, user, id).await?;
    let decision = match decision {
        "accept" => ResponseDecision::Accepted,
        "more" => ResponseDecision::MoreRequested,
        _ => return Err(AppError::field("decision", "err.decision")),
    };
    let accept = decision == ResponseDecision::Accepted;
    let note = note.trim();
    if !accept && note.chars().count() < 4 {
        return Err(AppError::field("note", "err.esc_more_note"));
    }
    let now = clock.now();
    let mut tx = begin_change(db, id).await?;
    lock_issued(&mut tx, now, id).await?;
    let update = sqlx::query(
        "UPDATE escalation_response SET decision = $1, decision_note = $2, decided_at = $3, decided_by = $4 WHERE escalation_id = $5 AND decision IS NULL",
    )
    .bind(decision.code())
    .bind(note)
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(id);
    expect_change(&mut tx, update, Conflict::EscalationNothingPending).await?;
    if accept {
        let reason = if row.rung == Rung::Admonition {
            "整改报告已备案（第九条）"
        } else {
            "答复已接受"
        };
        expect_change(
            &mut tx,
            close_update(now, user, id, reason),
            Conflict::EscalationNotOpen,
        )
        .await?;
    }
    let audit = entry(
        now,
        user,
        if accept {
            "escalation.accept_response"
        } else {
            "escalation.request_more"
        },
        id,
        Some(serde_json::json!({ "status": Issued.code() })),
        serde_json::json!({ "status": if accept { Closed.code() } else { Issued.code() }, "note": note }),
    );
    audit_and_commit(tx, audit).await
}

/// The UPDATE that closes an issued escalation.
fn close_update<'q>(
    now: DateTime<Utc>,
    user: &'q UserView,
    id: &'q str,
    reason: &'q str,
) -> Update<'q> {
    sqlx::query(
        "UPDATE escalation SET status = $1, closed_at = $2, closed_by = $3, close_reason = $4, updated_at = $2 WHERE escalation_id = $5 AND status = $6",
    )
    .bind(Closed.code())
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(reason)
    .bind(id)
    .bind(Issued.code())
}

/// The issuer closes an escalation; for a 公开 this lifts the disclosure (the public page
/// drops the unit; the history stays in the audit).
///
/// Guard: [`transition`] with [`close_update`]'s `WHERE status = 'issued'`, 1 row or
/// `EscalationNotOpen`.
#[tracing::instrument(skip(db, clock, user, reason), fields(user = %user.user_id))]
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
    let tx = begin_change(db, id).await?;
    let audit = entry(
        now,
        user,
        if row.rung == Rung::Disclosure {
            "escalation.lift"
        } else {
            "escalation.close"
        },
        id,
        Some(serde_json::json!({ "status": Issued.code() })),
        serde_json::json!({ "status": Closed.code(), "reason": reason }),
    );
    transition(
        tx,
        close_update(now, user, id, reason),
        Conflict::EscalationNotOpen,
        audit,
    )
    .await
}

/// Staff enter an accident in a unit they supervise.
///
/// Guard: none needed: an insert under a new id that decides on no stored state (what
/// `can_supervise` reads, units and the user's role, never changes).
#[tracing::instrument(skip(db, clock, user, description), fields(user = %user.user_id))]
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
    let audit = AuditEntry {
        subject_kind: "unit",
        ..entry(
            now,
            user,
            "accident.record",
            unit_id.trim(),
            None,
            serde_json::json!({ "accident": id, "occurred_on": date.to_string(), "larger": larger, "description": description }),
        )
    };
    audit_and_commit(tx, audit).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::parse_instant;

    #[test]
    fn the_reply_date_is_fixed_for_an_admonition_absent_for_a_special_report_else_chosen_or_15_days(
    ) {
        let now = parse_instant("2027-03-01T10:00:00+08:00").unwrap();
        let today = kunming_date(now);
        assert_eq!(
            reply_due_for(Rung::Admonition, "2030-01-01", now).unwrap(),
            Some(ladder::rectification_due(now))
        );
        assert_eq!(reply_due_for(Rung::SpecialReport, "", now).unwrap(), None);
        assert_eq!(
            reply_due_for(Rung::Prompt, " ", now).unwrap(),
            Some(ladder::reply_due(today))
        );
        assert_eq!(
            reply_due_for(Rung::Notification, "2027-03-20", now).unwrap(),
            parse_date("2027-03-20")
        );
        for (chosen, key) in [("2027-03-01", "err.reply_due_past"), ("soon", "err.date")] {
            assert_eq!(
                reply_due_for(Rung::Prompt, chosen, now).unwrap_err(),
                AppError::field("reply_due", key)
            );
        }
    }

    #[test]
    fn the_wording_needs_four_characters_and_at_most_4000() {
        assert!(check_wording(" 未按时 ").is_err());
        assert!(check_wording("未按时申报").is_ok());
        assert_eq!(
            check_wording(&"字".repeat(4001)).unwrap_err(),
            AppError::field("reasons", "err.too_long")
        );
    }
}
