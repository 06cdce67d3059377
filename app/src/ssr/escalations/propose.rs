//! Proposals (106号 第四条–第八条): the situations of the units an office looks after are loaded,
//! [`crate::domain::ladder::propose`] decides, the new proposals are written.

use super::rows::*;
use super::*;
use crate::domain::filing::FilingStatus;
use crate::domain::ladder::{
    self, Accident, FiledSituation, OpenEscalation, Rung, UnitPosition, UnitSituation, UnmetItem,
};
use crate::domain::period::Period;
use crate::domain::time::{kunming_date, Clock};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use crate::model::UserView;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::db::{new_id, parse_ts, ts, Db};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The units an office proposes escalations against: a county office its county's
/// departments, townships and enterprises; the city office the county-level governments and
/// the city-level departments (第二条: each level to the level below).
pub(super) async fn proposal_targets(
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
pub(super) fn default_measures(rung: Rung) -> &'static str {
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
