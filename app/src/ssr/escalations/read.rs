//! The queries and views: one escalation as a document, the escalations page of an office
//! (or a department) with its dashboard, the public disclosure list (第七条).

use super::propose::ensure_today;
use super::rows::{one, open_escalation, responses_of, rows, Row, UnitRow};
use super::{kunming_text, office_of};
use crate::domain::ladder::{self, Response, Rung, Severity, UnitPosition};
use crate::domain::period::Period;
use crate::domain::time::{kunming_date, Clock};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use crate::model::escalation::{
    Dashboard, Disclosure, EscalationActions, EscalationStatus, EscalationView, EscalationsPage,
    ReplyState, ResponseView, TargetOption,
};
use crate::model::UserView;
use crate::ssr::access;
use crate::ssr::db::{parse_ts, Db};
use chrono::NaiveDate;
use std::collections::HashMap;
use EscalationStatus::{Closed, Dismissed, Issued};

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
            attach: target && issued && pending,
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

#[tracing::instrument(skip_all, fields(n = rows.len()))]
pub(super) async fn views(
    db: &Db,
    rows: Vec<Row>,
    today: NaiveDate,
    user: &UserView,
) -> Result<Vec<EscalationView>, AppError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let responses = responses_of(db, &ids).await?;
    Ok(to_views(rows, responses, today, user))
}

pub(super) fn to_views(
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

/// An attachment of a reply to an escalation, for those who may see the escalation (its
/// issuing office, its target, those overseeing the target); to anyone else, and for a
/// proposal, it does not exist (`NotFound`). Who may see it is decided before its content
/// is read.
#[tracing::instrument(skip(db, user), fields(user = %user.user_id))]
pub async fn attachment(
    db: &Db,
    user: &UserView,
    attachment_id: &str,
) -> Result<crate::ssr::attachments::Download, AppError> {
    let escalation_id = crate::ssr::attachments::escalation_of(db, attachment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = one(db, &escalation_id).await?;
    if row.status == EscalationStatus::Proposed || !may_view(db, user, &row).await? {
        return Err(AppError::NotFound);
    }
    crate::ssr::attachments::escalation_download(db, attachment_id).await
}

/// One escalation for `user`.
#[tracing::instrument(skip(db, clock, user), fields(user = %user.user_id))]
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

/// The escalations page of an office, or of a department (its enterprises, read-only).
#[tracing::instrument(skip(db, clock, user), fields(user = %user.user_id))]
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
                "x.issuer_unit_id = $1 AND x.status <> $2",
                &[&o.unit_id, Dismissed.code()],
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
                "x.status IN ($1, $2) AND t.kind = $3 AND t.county_id = $4",
                &[
                    Issued.code(),
                    Closed.code(),
                    UnitKind::Enterprise.code(),
                    user.county_id.as_deref().unwrap_or(""),
                ],
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
    let last_run: Option<String> = match &office {
        Some(o) => sqlx::query_scalar("SELECT ran_at FROM proposal_run WHERE issuer_unit_id = $1 ORDER BY ran_at DESC LIMIT 1")
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
        last_run: kunming_text(last_run),
        period_label: Period::latest_closed(now).label_zh(),
    })
}

/// Every unit an office may escalate against (第二条), for the hand-issue form.
#[tracing::instrument(skip(db))]
async fn target_options(db: &Db, office: &UnitPosition) -> Result<Vec<TargetOption>, AppError> {
    let units: Vec<UnitRow> = match &office.county_id {
        Some(c) => sqlx::query_as("SELECT unit_id, name, kind, county_id FROM unit WHERE county_id = $1 ORDER BY kind, name")
            .bind(c)
            .fetch_all(db)
            .await,
        None => sqlx::query_as("SELECT unit_id, name, kind, county_id FROM unit ORDER BY area_code, kind, name")
            .fetch_all(db)
            .await,
    }?;
    Ok(units
        .into_iter()
        .filter(|u| {
            let pos = UnitPosition {
                unit_id: u.unit_id.clone(),
                kind: u.kind,
                county_id: u.county_id.clone(),
            };
            ladder::may_issue(office, &pos).is_ok()
        })
        .map(|u| TargetOption {
            unit_id: u.unit_id,
            name: u.name,
            kind: u.kind,
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

/// Units under public disclosure now (第七条): issued 公开 not lifted.
#[tracing::instrument(skip(db))]
pub async fn disclosures(db: &Db) -> Result<Vec<Disclosure>, AppError> {
    Ok(rows(
        db,
        "x.status = $1 AND x.rung = $2",
        &[Issued.code(), Rung::Disclosure.code()],
    )
    .await?
    .into_iter()
    .map(|r| {
        let mut clauses: Vec<String> = r.evidence.iter().map(|e| e.clause.clone()).collect();
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
    .collect())
}
