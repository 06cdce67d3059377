//! The escalation ladder in the database (昆政办〔2010〕106号): proposals worked out from the
//! filings by [`crate::domain::ladder::propose`], issued or dismissed by office staff, received
//! and answered by the target, decided by the issuer; accidents; the public disclosure list
//! (第七条), the 专报 brief (第八条), the dashboard and the notices.
//!
//! Every state change is written with its audit record in one transaction, and every change
//! of status is a conditional update, so two clicks cannot both issue, dismiss or decide.

use crate::domain::filing::FilingStatus;
use crate::domain::ladder::{
    self, Accident, FiledSituation, OpenEscalation, Reason, Response, Rung, Severity, UnitPosition,
    UnitSituation, UnmetItem,
};
use crate::domain::period::Period;
use crate::domain::time::{kunming_date, Clock};
use crate::domain::unit::{Role, UnitKind};
use crate::error::AppError;
use crate::model::escalation::{
    Brief, BriefPeriod, Dashboard, Disclosure, EscalationActions, EscalationStatus, EscalationView,
    EscalationsPage, Inbox, Notice, ReplyState, ResponseView, TargetOption,
};
use crate::model::UserView;
use crate::ssr::access;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::db::{new_id, parse_ts, ts, Db};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------
// Who is who
// ---------------------------------------------------------------------------------------------

/// The office a user issues for (第二条: a government's safety committee office), if any.
fn office_of(user: &UserView) -> Option<UnitPosition> {
    matches!(user.role, Role::CountyOfficeStaff | Role::CityOfficeStaff).then(|| UnitPosition {
        unit_id: user.unit_id.clone(),
        kind: user.unit_kind,
        county_id: user.county_id.clone(),
    })
}

async fn position_of(db: &Db, unit_id: &str) -> Result<Option<UnitPosition>, AppError> {
    Ok(crate::ssr::units::unit_by_id(db, unit_id)
        .await?
        .map(|u| UnitPosition {
            unit_id: u.unit_id,
            kind: u.kind,
            county_id: u.county_id,
        }))
}

/// The short name an office signs its documents with: 五华区安委办.
fn short_name(office_name: &str) -> String {
    office_name.replace("安全生产委员会办公室", "安委办")
}

fn kunming_text(stored: Option<String>) -> Option<String> {
    stored.as_deref().map(crate::ssr::db::kunming_text)
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// An escalation row as stored, with the names around it.
#[derive(Clone, Debug)]
struct Row {
    id: String,
    status: EscalationStatus,
    origin: String,
    rung: Rung,
    issuer_unit_id: String,
    issuer_name: String,
    target_unit_id: String,
    target_name: String,
    target_kind: UnitKind,
    target_county: Option<String>,
    period_key: Option<String>,
    evidence: Vec<Reason>,
    evidence_keys: Vec<String>,
    reasons: String,
    measures: String,
    number: Option<String>,
    reply_due: Option<String>,
    proposed_at: Option<String>,
    issued_at: Option<String>,
    issued_by: Option<String>,
    acknowledged_at: Option<String>,
    dismissed_at: Option<String>,
    dismiss_reason: String,
    closed_at: Option<String>,
    close_reason: String,
}

const SELECT: &str = "SELECT x.escalation_id, x.status, x.origin, x.rung, x.issuer_unit_id, i.name, x.target_unit_id, t.name, t.kind, \
     t.county_id, c.name, x.period_key, x.evidence_json, x.evidence_keys, x.reasons, x.measures, x.number, x.reply_due, \
     x.proposed_at, x.issued_at, u.display_name, x.acknowledged_at, x.dismissed_at, x.dismiss_reason, x.closed_at, x.close_reason \
     FROM escalation x JOIN unit i ON i.unit_id = x.issuer_unit_id JOIN unit t ON t.unit_id = x.target_unit_id \
     LEFT JOIN unit c ON c.unit_id = t.county_id LEFT JOIN app_user u ON u.user_id = x.issued_by";

fn row_of(r: sqlx::any::AnyRow) -> Option<Row> {
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

async fn rows(db: &Db, filter: &str, binds: &[&str]) -> Result<Vec<Row>, AppError> {
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

async fn one(db: &Db, id: &str) -> Result<Row, AppError> {
    rows(db, "x.escalation_id = $1", &[id])
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// Replies and reports, oldest first, by escalation.
async fn responses_of(
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
fn open_escalation(row: &Row, responses: &[ResponseView]) -> Option<OpenEscalation> {
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

fn reply_state(row: &Row, responses: &[ResponseView], today: NaiveDate) -> ReplyState {
    if row.status != EscalationStatus::Issued {
        return ReplyState::None;
    }
    if responses.iter().any(|r| r.decision.is_none()) {
        return ReplyState::UnderReview;
    }
    match open_escalation(row, responses).map(|o| o.response(today)) {
        Some(Response::Answered) => ReplyState::Answered,
        Some(Response::UnderReview) => ReplyState::UnderReview,
        Some(Response::Awaiting { .. }) => ReplyState::Awaiting,
        Some(Response::Overdue { .. }) => ReplyState::Overdue,
        Some(Response::NotExpected) | None => ReplyState::None,
    }
}

fn to_view(
    row: Row,
    responses: Vec<ResponseView>,
    today: NaiveDate,
    user: &UserView,
) -> EscalationView {
    let issuer = user.unit_id == row.issuer_unit_id && office_of(user).is_some();
    let target = access::own_filing_unit(user).as_deref() == Some(row.target_unit_id.as_str());
    let issued = row.status == EscalationStatus::Issued;
    let pending = responses.iter().any(|r| r.decision.is_none());
    let reply = reply_state(&row, &responses, today);
    EscalationView {
        actions: EscalationActions {
            decide_proposal: issuer && row.status == EscalationStatus::Proposed,
            acknowledge: target && issued && row.acknowledged_at.is_none(),
            respond: target && issued && row.rung != Rung::SpecialReport && !pending,
            decide_response: issuer && issued && pending,
            close: issuer && issued,
        },
        escalation_id: row.id,
        status: row.status,
        origin: row.origin,
        severity: row.rung.severity(),
        delivery: ladder::delivery(row.target_kind, row.rung),
        rung: row.rung,
        issuer_unit_id: row.issuer_unit_id,
        issuer_name: row.issuer_name,
        target_unit_id: row.target_unit_id,
        target_name: row.target_name,
        target_kind: row.target_kind,
        target_county: row.target_county,
        period_key: row.period_key,
        evidence: row.evidence,
        reasons: row.reasons,
        measures: row.measures,
        number: row.number,
        reply_due: row.reply_due,
        proposed_at: kunming_text(row.proposed_at),
        issued_at: kunming_text(row.issued_at),
        issued_by: row.issued_by,
        acknowledged_at: kunming_text(row.acknowledged_at),
        dismissed_at: kunming_text(row.dismissed_at),
        dismiss_reason: row.dismiss_reason,
        closed_at: kunming_text(row.closed_at),
        close_reason: row.close_reason,
        reply,
        responses,
    }
}

async fn views(
    db: &Db,
    rows: Vec<Row>,
    today: NaiveDate,
    user: &UserView,
) -> Result<Vec<EscalationView>, AppError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let responses = responses_of(db, &ids).await?;
    Ok(to_views(rows, responses, today, user))
}

fn to_views(
    rows: Vec<Row>,
    mut responses: HashMap<String, Vec<ResponseView>>,
    today: NaiveDate,
    user: &UserView,
) -> Vec<EscalationView> {
    rows.into_iter()
        .map(|r| {
            let resp = responses.remove(&r.id).unwrap_or_default();
            to_view(r, resp, today, user)
        })
        .collect()
}

/// Whether `user` may see an escalation: its issuing office, its target, the target's
/// supervisors (an enterprise's department, a county office, the city office).
async fn may_view(db: &Db, user: &UserView, row: &Row) -> Result<bool, AppError> {
    Ok(user.unit_id == row.issuer_unit_id
        || access::own_filing_unit(user).as_deref() == Some(row.target_unit_id.as_str())
        || access::can_supervise(db, user, &row.target_unit_id).await?)
}

/// One escalation for `user`.
pub async fn view(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    id: &str,
) -> Result<EscalationView, AppError> {
    let row = one(db, id).await?;
    if !may_view(db, user, &row).await? {
        return Err(AppError::Forbidden);
    }
    if row.status == EscalationStatus::Proposed && user.unit_id != row.issuer_unit_id {
        // A proposal is the office's working paper until issued.
        return Err(AppError::Forbidden);
    }
    Ok(views(db, vec![row], kunming_date(clock.now()), user)
        .await?
        .remove(0))
}

// ---------------------------------------------------------------------------------------------
// Proposals
// ---------------------------------------------------------------------------------------------

/// The units an office proposes escalations against: a county office its county's
/// departments, townships and enterprises; the city office the county-level governments and
/// the city-level departments (第二条: each level to the level below).
async fn proposal_targets(
    db: &Db,
    office: &UnitPosition,
) -> Result<Vec<(String, UnitKind)>, AppError> {
    let rows: Vec<(String, String)> = match &office.county_id {
        Some(county) => sqlx::query_as(
            "SELECT unit_id, kind FROM unit WHERE county_id = $1 AND kind IN ('department', 'township', 'enterprise') ORDER BY unit_id",
        )
        .bind(county)
        .fetch_all(db)
        .await,
        None => sqlx::query_as(
            "SELECT unit_id, kind FROM unit WHERE kind IN ('county_government', 'management_committee') \
             OR (kind = 'department' AND county_id IS NULL) ORDER BY unit_id",
        )
        .fetch_all(db)
        .await,
    }?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind)| Some((id, UnitKind::parse(&kind)?)))
        .collect())
}

/// Works out the proposals of one office now and stores the new ones; answers how many were
/// added. A proposal already waiting, or dismissed, for the same unit, rung and findings is
/// not made again.
pub async fn run(db: &Db, clock: &Clock, office: &UnitPosition) -> Result<usize, AppError> {
    let now = clock.now();
    let today = kunming_date(now);
    let period = Period::latest_closed(now);
    let targets = proposal_targets(db, office).await?;
    let filings = crate::ssr::scope::latest_filings(db, &period.key()).await?;
    let previous = crate::ssr::scope::latest_filings(db, &period.previous().key()).await?;
    // Filings of the period a reviewer returned as not matching the facts (第七条（五）).
    let untrue: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT f.unit_id FROM filing_review r JOIN filing f ON f.filing_id = r.filing_id \
         WHERE f.period_key = $1 AND r.untrue = 1",
    )
    .bind(period.key())
    .fetch_all(db)
    .await?;
    let untrue: std::collections::HashSet<String> = untrue.into_iter().map(|r| r.0).collect();
    // Issued escalations on these targets, by anyone (the ladder is the unit's, not the office's).
    let open_rows = rows(db, "x.status = 'issued'", &[]).await?;
    let ids: Vec<String> = open_rows.iter().map(|r| r.id.clone()).collect();
    let responses = responses_of(db, &ids).await?;
    let mut open: HashMap<&str, Vec<OpenEscalation>> = HashMap::new();
    for r in &open_rows {
        if let Some(o) = open_escalation(r, responses.get(&r.id).map(Vec::as_slice).unwrap_or(&[]))
        {
            open.entry(r.target_unit_id.as_str()).or_default().push(o);
        }
    }
    // Accidents not yet dealt with: after the last closed 告诫 on the unit.
    let accidents: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT unit_id, occurred_on, larger FROM accident")
            .fetch_all(db)
            .await?;
    let closed_admonitions: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT target_unit_id, MAX(issued_at) FROM escalation WHERE status = 'closed' AND rung = 'admonition' GROUP BY target_unit_id",
    )
    .fetch_all(db)
    .await?;
    let dealt_until: HashMap<&str, NaiveDate> = closed_admonitions
        .iter()
        .filter_map(|(u, at)| Some((u.as_str(), kunming_date(parse_ts(at.as_deref()?)?))))
        .collect();
    // What is already waiting or was dismissed: (target, rung, keys).
    let known: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT target_unit_id, rung, evidence_keys FROM escalation WHERE issuer_unit_id = $1 AND status IN ('proposed', 'dismissed')",
    )
    .bind(&office.unit_id)
    .fetch_all(db)
    .await?;

    let mut new = Vec::new();
    for (unit_id, kind) in &targets {
        let situation = UnitSituation {
            unit_kind: *kind,
            period,
            filing: filings.get(unit_id).map(|f| FiledSituation {
                late: f.late,
                complete: f.status != FilingStatus::Returned,
                found_untrue: untrue.contains(unit_id),
                unmet_rows: f
                    .unmet
                    .iter()
                    .map(|(row_id, explanation)| UnmetItem {
                        row_id: row_id.clone(),
                        explanation: explanation.clone(),
                    })
                    .collect(),
            }),
            previous_unmet_rows: previous
                .get(unit_id)
                .map(|f| f.unmet.iter().map(|(r, _)| r.clone()).collect())
                .unwrap_or_default(),
            open_escalations: open.get(unit_id.as_str()).cloned().unwrap_or_default(),
            accidents: accidents
                .iter()
                .filter(|(u, _, _)| u == unit_id)
                .filter_map(|(_, on, larger)| {
                    let date = parse_date(on)?;
                    let after = dealt_until.get(unit_id.as_str()).is_none_or(|d| date > *d);
                    (date <= today && after).then_some(Accident {
                        date,
                        larger: *larger == 1,
                    })
                })
                .collect(),
            today,
        };
        for p in ladder::propose(&situation) {
            let keys = {
                let mut k: Vec<String> = p.reasons.iter().map(|r| r.key.clone()).collect();
                k.sort();
                k.join("\n")
            };
            if known
                .iter()
                .any(|(t, r, k)| t == unit_id && r == p.rung.code() && *k == keys)
            {
                continue;
            }
            new.push((unit_id.clone(), p, keys));
        }
    }
    let mut tx = crate::ssr::db::begin_write(db).await?;
    for (unit_id, p, keys) in &new {
        let id = new_id();
        let reasons = p
            .reasons
            .iter()
            .map(|r| format!("{}（{}）", r.evidence.describe_zh(), r.clause))
            .collect::<Vec<_>>()
            .join("\n");
        sqlx::query(
            "INSERT INTO escalation (escalation_id, status, origin, rung, issuer_unit_id, target_unit_id, period_key, evidence_json, evidence_keys, \
             reasons, measures, proposed_at, created_at, updated_at) VALUES ($1, 'proposed', 'proposal', $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10)",
        )
        .bind(&id)
        .bind(p.rung.code())
        .bind(&office.unit_id)
        .bind(unit_id)
        .bind(period.key())
        .bind(serde_json::to_string(&p.reasons).unwrap_or_else(|_| "[]".into()))
        .bind(keys)
        .bind(&reasons)
        .bind(default_measures(p.rung))
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            AuditEntry {
                at: now,
                actor: None,
                action: "escalation.propose",
                subject_kind: "escalation",
                subject_id: &id,
                before: None,
                after: Some(serde_json::json!({
                    "rung": p.rung.code(),
                    "article": p.article(),
                    "clauses": p.clauses(),
                    "issuer": office.unit_id,
                    "target": unit_id,
                    "period": period.key(),
                })),
            },
        )
        .await?;
    }
    sqlx::query(
        "INSERT INTO proposal_run (issuer_unit_id, ran_on, ran_at, added) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (issuer_unit_id, ran_on) DO UPDATE SET ran_at = excluded.ran_at, added = proposal_run.added + excluded.added",
    )
    .bind(&office.unit_id)
    .bind(today.to_string())
    .bind(ts(now))
    .bind(new.len() as i64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(new.len())
}

/// The measures a proposal suggests, for staff to edit (第四条–第九条).
fn default_measures(rung: Rung) -> &'static str {
    match rung {
        Rung::Prompt => "对照不落实事项逐项落实，并在规定期限内书面回复落实情况。",
        Rung::Notification => "针对告知事项制定整改方案，明确责任人和时限，限期整改并书面回复。",
        Rung::Admonition => {
            "自收到告诫之日起15日内，将采取的措施和落实情况书面报告发出告诫的单位备案（第九条）。"
        }
        Rung::Disclosure => "予以通报（对企业在媒体上曝光）；限期整改，整改到位后申请解除公开。",
        Rung::SpecialReport => "专报同级人民政府主要领导，提请研究督办。",
    }
}

/// Runs the proposals of the user's office on demand.
pub async fn run_for_user(db: &Db, clock: &Clock, user: &UserView) -> Result<usize, AppError> {
    let office = office_of(user).ok_or(AppError::Forbidden)?;
    run(db, clock, &office).await
}

/// Runs an office's proposals if they have not run yet on this Kunming day: after a window
/// closes, and daily for replies and reports falling overdue (第九条).
pub async fn ensure_today(db: &Db, clock: &Clock, office: &UnitPosition) -> Result<(), AppError> {
    let today = kunming_date(clock.now()).to_string();
    let ran: Option<(String,)> =
        sqlx::query_as("SELECT ran_on FROM proposal_run WHERE issuer_unit_id = $1 AND ran_on = $2")
            .bind(&office.unit_id)
            .bind(&today)
            .fetch_optional(db)
            .await?;
    if ran.is_none() {
        run(db, clock, office).await?;
    }
    Ok(())
}

/// Runs today's proposals of every office that has not had them yet (the server's timer).
pub async fn run_due(db: &Db, clock: &Clock) -> Result<usize, AppError> {
    let offices: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT unit_id, county_id FROM unit WHERE kind = 'safety_office' ORDER BY unit_id",
    )
    .fetch_all(db)
    .await?;
    for (unit_id, county_id) in &offices {
        ensure_today(
            db,
            clock,
            &UnitPosition {
                unit_id: unit_id.clone(),
                kind: UnitKind::SafetyOffice,
                county_id: county_id.clone(),
            },
        )
        .await?;
    }
    Ok(offices.len())
}

// ---------------------------------------------------------------------------------------------
// Issuing, dismissing
// ---------------------------------------------------------------------------------------------

/// The next document number of an office for a rung in a Kunming year, inside the transaction.
async fn next_number(
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

async fn issued_for_target(db: &Db, user: &UserView, id: &str) -> Result<Row, AppError> {
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

async fn issued_by_office(db: &Db, user: &UserView, id: &str) -> Result<Row, AppError> {
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

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

/// The escalations page of an office, or of a department (its enterprises, read-only).
pub async fn page(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    rung: &str,
    severity: &str,
    county: &str,
    status: &str,
) -> Result<EscalationsPage, AppError> {
    let now = clock.now();
    let today = kunming_date(now);
    let office = office_of(user);
    if let Some(o) = &office {
        ensure_today(db, clock, o).await?;
    }
    let all = match &office {
        Some(o) => {
            rows(
                db,
                "x.issuer_unit_id = $1 AND x.status <> 'dismissed'",
                &[&o.unit_id],
            )
            .await?
        }
        None => {
            // A department: the escalations on the enterprises it supervises (its scope).
            let scope = crate::ssr::scope::resolve(db, user, "").await?;
            let supervised: std::collections::HashSet<String> =
                crate::ssr::scope::units(db, &scope)
                    .await?
                    .into_iter()
                    .map(|u| u.unit_id)
                    .collect();
            rows(
                db,
                "x.status IN ('issued', 'closed') AND t.kind = 'enterprise' AND t.county_id = $1",
                &[user.county_id.as_deref().unwrap_or("")],
            )
            .await?
            .into_iter()
            .filter(|r| supervised.contains(&r.target_unit_id))
            .collect()
        }
    };
    let all = views(db, all, today, user).await?;
    let (proposals, issued): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|v| v.status == EscalationStatus::Proposed);
    let dashboard = dashboard(&proposals, &issued, today);
    let rung = Rung::parse(rung);
    let severity = Severity::parse(severity);
    let issued = issued
        .into_iter()
        .filter(|v| rung.is_none_or(|r| v.rung == r))
        .filter(|v| severity.is_none_or(|s| v.severity == s))
        .filter(|v| county.is_empty() || v.target_county.as_deref().unwrap_or("市级") == county)
        .filter(|v| match status {
            "open" => v.status == EscalationStatus::Issued,
            "closed" => v.status == EscalationStatus::Closed,
            "overdue" => v.reply == ReplyState::Overdue,
            _ => true,
        })
        .collect();
    let targets = match &office {
        Some(o) => target_options(db, o).await?,
        None => vec![],
    };
    let last_run: Option<(String,)> = match &office {
        Some(o) => sqlx::query_as("SELECT ran_at FROM proposal_run WHERE issuer_unit_id = $1 ORDER BY ran_at DESC LIMIT 1")
            .bind(&o.unit_id)
            .fetch_optional(db)
            .await?,
        None => None,
    };
    Ok(EscalationsPage {
        may_issue: office.is_some(),
        proposals,
        issued,
        dashboard,
        targets,
        last_run: kunming_text(last_run.map(|r| r.0)),
        period_label: Period::latest_closed(now).label_zh(),
    })
}

/// Every unit an office may escalate against (第二条), for the hand-issue form.
async fn target_options(db: &Db, office: &UnitPosition) -> Result<Vec<TargetOption>, AppError> {
    let rows: Vec<(String, String, String, Option<String>)> = match &office.county_id {
        Some(c) => sqlx::query_as("SELECT unit_id, name, kind, county_id FROM unit WHERE county_id = $1 ORDER BY kind, name")
            .bind(c)
            .fetch_all(db)
            .await,
        None => sqlx::query_as("SELECT unit_id, name, kind, county_id FROM unit ORDER BY area_code, kind, name")
            .fetch_all(db)
            .await,
    }?;
    Ok(rows
        .into_iter()
        .filter_map(|(unit_id, name, kind, county_id)| {
            let kind = UnitKind::parse(&kind)?;
            let pos = UnitPosition {
                unit_id: unit_id.clone(),
                kind,
                county_id,
            };
            ladder::may_issue(office, &pos).ok()?;
            Some(TargetOption {
                unit_id,
                name,
                kind,
            })
        })
        .collect())
}

fn dashboard(
    proposals: &[EscalationView],
    issued: &[EscalationView],
    today: NaiveDate,
) -> Dashboard {
    let open: Vec<&EscalationView> = issued
        .iter()
        .filter(|v| v.status == EscalationStatus::Issued)
        .collect();
    let by_rung = Rung::ALL
        .iter()
        .map(|r| (*r, open.iter().filter(|v| v.rung == *r).count()))
        .collect();
    let by_severity = Severity::ALL
        .iter()
        .map(|s| (*s, open.iter().filter(|v| v.severity == *s).count()))
        .collect();
    let mut by_county: std::collections::BTreeMap<String, usize> = Default::default();
    for v in &open {
        *by_county
            .entry(v.target_county.clone().unwrap_or_else(|| "市级".into()))
            .or_default() += 1;
    }
    let mut ladders: HashMap<&str, (String, Rung, usize, i64)> = HashMap::new();
    for v in &open {
        let days = v
            .issued_at
            .as_deref()
            .and_then(|s| NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok())
            .map(|d| (today - d).num_days())
            .unwrap_or(0);
        let e = ladders.entry(v.target_unit_id.as_str()).or_insert((
            v.target_name.clone(),
            v.rung,
            0,
            0,
        ));
        e.1 = e.1.max(v.rung);
        e.2 += 1;
        e.3 = e.3.max(days);
    }
    let mut longest: Vec<(String, String, Rung, usize, i64)> = ladders
        .into_iter()
        .map(|(id, (name, rung, n, days))| (id.to_string(), name, rung, n, days))
        .collect();
    longest.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then(b.4.cmp(&a.4))
            .then(b.3.cmp(&a.3))
            .then(a.0.cmp(&b.0))
    });
    longest.truncate(10);
    Dashboard {
        by_rung,
        by_severity,
        by_county: by_county.into_iter().collect(),
        proposals_waiting: proposals.len(),
        responses_to_decide: open
            .iter()
            .filter(|v| v.reply == ReplyState::UnderReview)
            .count(),
        overdue: open
            .iter()
            .filter(|v| v.reply == ReplyState::Overdue)
            .count(),
        longest,
    }
}

/// The notices of `user`'s unit now: escalations not yet acknowledged, deadlines coming,
/// returned filings; for an office, the decisions waiting.
pub async fn notices(
    db: &Db,
    clock: &Clock,
    user: &UserView,
) -> Result<(Vec<Notice>, Vec<EscalationView>), AppError> {
    let now = clock.now();
    let today = kunming_date(now);
    let mut notices = Vec::new();
    let mut mine = Vec::new();
    if let Some(unit) = access::own_filing_unit(user) {
        let rows = rows(
            db,
            "x.target_unit_id = $1 AND x.status IN ('issued', 'closed')",
            &[&unit],
        )
        .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let responses = responses_of(db, &ids).await?;
        let open: Vec<OpenEscalation> = rows
            .iter()
            .filter(|r| r.status == EscalationStatus::Issued)
            .filter_map(|r| {
                open_escalation(r, responses.get(&r.id).map(Vec::as_slice).unwrap_or(&[]))
            })
            .collect();
        mine = to_views(rows, responses, today, user);
        for v in &mine {
            if v.status == EscalationStatus::Issued && v.acknowledged_at.is_none() {
                notices.push(Notice::NewEscalation {
                    escalation_id: v.escalation_id.clone(),
                    number: v.number.clone().unwrap_or_default(),
                    rung: v.rung,
                });
            }
        }
        notices.extend(
            ladder::deadline_reminders(now, &open)
                .into_iter()
                .map(Notice::Deadline),
        );
        let returned: Vec<(String,)> = sqlx::query_as(
            "SELECT f.period_key FROM filing f WHERE f.unit_id = $1 AND f.status = 'returned' \
             AND f.version = (SELECT MAX(g.version) FROM filing g WHERE g.unit_id = f.unit_id AND g.period_key = f.period_key) ORDER BY f.period_key",
        )
        .bind(&unit)
        .fetch_all(db)
        .await?;
        notices.extend(
            returned
                .into_iter()
                .map(|(period_key,)| Notice::Returned { period_key }),
        );
    }
    if let Some(o) = office_of(user) {
        let rows = rows(
            db,
            "x.issuer_unit_id = $1 AND x.status IN ('proposed', 'issued')",
            &[&o.unit_id],
        )
        .await?;
        let v = views(db, rows, today, user).await?;
        let proposals = v
            .iter()
            .filter(|e| e.status == EscalationStatus::Proposed)
            .count();
        let responses = v
            .iter()
            .filter(|e| e.reply == ReplyState::UnderReview)
            .count();
        let overdue = v.iter().filter(|e| e.reply == ReplyState::Overdue).count();
        if proposals + responses + overdue > 0 {
            notices.push(Notice::Decisions {
                proposals,
                responses,
                overdue,
            });
        }
    }
    Ok((notices, mine))
}

/// How many things the header's bell counts.
pub async fn notice_count(db: &Db, clock: &Clock, user: &UserView) -> Result<usize, AppError> {
    let (notices, _) = notices(db, clock, user).await?;
    Ok(notices
        .iter()
        .map(|n| match n {
            Notice::Decisions {
                proposals,
                responses,
                overdue,
            } => proposals + responses + overdue,
            _ => 1,
        })
        .sum())
}

/// The inbox of `user`'s unit.
pub async fn inbox(db: &Db, clock: &Clock, user: &UserView) -> Result<Inbox, AppError> {
    let (notices, escalations) = notices(db, clock, user).await?;
    Ok(Inbox {
        escalations,
        notices,
    })
}

/// Units under public disclosure now (第七条): issued 公开 not lifted.
pub async fn disclosures(db: &Db) -> Result<Vec<Disclosure>, AppError> {
    Ok(
        rows(db, "x.status = 'issued' AND x.rung = 'disclosure'", &[])
            .await?
            .into_iter()
            .map(|r| {
                let mut clauses: Vec<String> =
                    r.evidence.iter().map(|e| e.clause.clone()).collect();
                clauses.dedup();
                Disclosure {
                    number: r.number.unwrap_or_default(),
                    unit_name: r.target_name,
                    county: r.target_county,
                    issuer_name: r.issuer_name,
                    reasons: r.reasons,
                    measures: r.measures,
                    clauses,
                    issued_on: r
                        .issued_at
                        .as_deref()
                        .and_then(parse_ts)
                        .map(|t| kunming_date(t).to_string())
                        .unwrap_or_default(),
                }
            })
            .collect(),
    )
}

/// The 专报 brief on a unit (第八条), for an office that supervises it.
pub async fn brief(db: &Db, clock: &Clock, user: &UserView, unit: &str) -> Result<Brief, AppError> {
    if office_of(user).is_none() || !access::can_supervise(db, user, unit).await? {
        return Err(AppError::Forbidden);
    }
    let u = crate::ssr::units::unit_by_id(db, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = clock.now();
    let mut periods = Vec::new();
    let mut p = crate::model::filing::default_period(now);
    for _ in 0..6 {
        let filings = crate::ssr::scope::latest_filings(db, &p.key()).await?;
        let f = filings.get(unit);
        periods.push(BriefPeriod {
            period_key: p.key(),
            label: p.label_zh(),
            status: f.map(|f| f.status),
            late: f.map(|f| f.late).unwrap_or(false),
            unmet: f.map(|f| f.unmet.clone()).unwrap_or_default(),
        });
        p = p.previous();
    }
    let rows = rows(
        db,
        "x.target_unit_id = $1 AND x.status IN ('issued', 'closed')",
        &[unit],
    )
    .await?;
    Ok(Brief {
        unit_id: u.unit_id,
        unit_name: u.name,
        unit_kind: u.kind,
        county: u.county_name,
        issuer_name: user.unit_name.clone(),
        compiled_on: kunming_date(now).format("%Y年%m月%d日").to_string(),
        periods,
        escalations: views(db, rows, kunming_date(now), user).await?,
    })
}
