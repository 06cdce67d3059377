//! Proposals (106号 第四条–第八条), in three steps: [`load`] the situations of the units an
//! office looks after (after its first run of a period, only of those whose facts changed),
//! [`decide`] with the pure [`ladder::propose`] which of its proposals are new, [`write`] them
//! with their audit records and what the run weighed.

use super::codes::{Code, Date};
use super::rows::{open_escalation, responses_of, rows, UnitRow};
use super::{office_of, stored_instant};
use crate::domain::filing::FilingStatus;
use crate::domain::ladder::{
    self, Accident, FiledSituation, OpenEscalation, Proposal, Rung, UnitPosition, UnitSituation,
};
use crate::domain::lifecycle::Life;
use crate::domain::period::Period;
use crate::domain::time::{kunming_date, Clock};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use crate::model::escalation::{EscalationOrigin, EscalationStatus};
use crate::model::UserView;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::db::{new_id, ts, Db};
use crate::ssr::scope::LatestFiling;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};

/// The units an office proposes escalations against for `period`: a county office its
/// county's departments, townships and enterprises; the city office the county-level
/// governments and the city-level departments (第二条: each level to the level below).
///
/// A unit is its county's for the period where it was for that period: an enterprise moved
/// since keeps the period with the chain its filing went to (`unit_past_place`, the earliest
/// place kept for a period not before this one), so the county it left weighs it for that
/// period and the county it joined does not.
#[tracing::instrument(skip(db))]
async fn proposal_targets(
    db: &Db,
    office: &UnitPosition,
    period: Period,
) -> Result<Vec<Target>, AppError> {
    let lines: Vec<TargetLine> = match &office.county_id {
        Some(county) => {
            sqlx::query_as(
                "SELECT n.unit_id, n.kind, n.opened_on, n.closed_on FROM unit n \
                 WHERE n.county_id = $1 AND n.kind IN ($2, $3, $4) \
                 AND NOT EXISTS (SELECT 1 FROM unit_past_place p WHERE p.unit_id = n.unit_id AND p.until_period >= $5) \
                 UNION \
                 SELECT n.unit_id, n.kind, n.opened_on, n.closed_on FROM unit_past_place p JOIN unit n ON n.unit_id = p.unit_id \
                 WHERE p.county_id = $1 AND p.until_period >= $5 \
                 AND p.until_period = (SELECT MIN(q.until_period) FROM unit_past_place q WHERE q.unit_id = p.unit_id AND q.until_period >= $5) \
                 ORDER BY unit_id",
            )
            .bind(county)
            .bind(UnitKind::Department.code())
            .bind(UnitKind::Township.code())
            .bind(UnitKind::Enterprise.code())
            .bind(period.key())
            .fetch_all(db)
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT unit_id, kind, opened_on, closed_on FROM unit WHERE kind IN ($1, $2) \
                 OR (kind = $3 AND county_id IS NULL) ORDER BY unit_id",
            )
            .bind(UnitKind::CountyGovernment.code())
            .bind(UnitKind::ManagementCommittee.code())
            .bind(UnitKind::Department.code())
            .fetch_all(db)
            .await?
        }
    };
    lines
        .into_iter()
        .map(|l| {
            Ok(Target {
                life: crate::ssr::db::stored_life(&l.opened_on, l.closed_on.as_deref())?,
                unit_id: l.unit_id,
                kind: l.kind,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// A target as read.
#[derive(sqlx::FromRow)]
struct TargetLine {
    unit_id: String,
    #[sqlx(try_from = "Code<UnitKind>")]
    kind: UnitKind,
    opened_on: String,
    closed_on: Option<String>,
}

/// A unit an office may propose against, with its life (whether it owes the period's filing).
#[derive(Clone, Debug)]
struct Target {
    unit_id: String,
    kind: UnitKind,
    life: Life,
}

/// An accident as stored (第六条（一）（二）).
#[derive(Clone, Debug, sqlx::FromRow)]
struct AccidentRow {
    unit_id: String,
    #[sqlx(try_from = "Date")]
    occurred_on: NaiveDate,
    larger: i64,
    /// When staff entered it (a stored instant, [`ts`]).
    entered_at: String,
}

/// Changes are looked for from this long before the instant the office's last run read its
/// facts at. A change is stamped with its request's clock before it commits, and a request
/// is cut off after `--request-timeout` (60 s by default; at most a few minutes), so a
/// change the last run could not see is never older than this.
const CHANGE_OVERLAP: chrono::Duration = chrono::Duration::minutes(15);

/// What an office's last completed run weighed (table `proposal_mark`).
#[derive(Clone, Debug, sqlx::FromRow)]
struct Mark {
    period_key: String,
    weighed_at: String,
}

/// Since when a run may weigh only the units whose facts changed: `None` when it weighs every
/// unit (no earlier run, a new period, or a clock set before the last run).
struct Since {
    /// Changes stamped at or after this instant ([`ts`]) are looked at.
    stamp: String,
    /// The Kunming day of the last run: what turned with the date since then is looked at.
    last_day: NaiveDate,
}

impl Since {
    fn of(
        mark: Option<Mark>,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<Option<Since>, AppError> {
        let Some(mark) = mark else { return Ok(None) };
        if mark.period_key != period.key() {
            return Ok(None);
        }
        let at = stored_instant(&mark.weighed_at)?;
        if at > now {
            return Ok(None);
        }
        Ok(Some(Since {
            stamp: ts(at - CHANGE_OVERLAP),
            last_day: kunming_date(at),
        }))
    }
}

/// A proposal of the office already waiting or dismissed: not made again for the same
/// target, rung and findings.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
struct Known {
    target_unit_id: String,
    #[sqlx(try_from = "Code<Rung>")]
    rung: Rung,
    /// The sorted [`ladder::Reason::key`]s, one a line.
    evidence_keys: String,
}

/// What an office's proposals are worked out from, as loaded.
struct Facts {
    period: Period,
    today: NaiveDate,
    targets: Vec<Target>,
    filings: HashMap<String, LatestFiling>,
    previous: HashMap<String, LatestFiling>,
    /// Units whose filing of the period a reviewer returned as not matching the facts.
    untrue: HashSet<String>,
    /// Issued escalations by target, by anyone (the ladder is the unit's, not the office's).
    open: HashMap<String, Vec<OpenEscalation>>,
    accidents: Vec<AccidentRow>,
    /// By unit, the Kunming day of issue of its last closed 告诫: accidents until then are
    /// dealt with.
    dealt_until: HashMap<String, NaiveDate>,
    known: Vec<Known>,
}

impl Facts {
    /// The situation of each target, as the ladder weighs it.
    fn situations(&self) -> Vec<(String, UnitSituation)> {
        self.targets
            .iter()
            .map(
                |Target {
                     unit_id,
                     kind,
                     life,
                 }| {
                    let situation = UnitSituation {
                        unit_kind: *kind,
                        period: self.period,
                        expected_to_file: life.expects(self.period),
                        filing: self.filings.get(unit_id).map(|f| FiledSituation {
                            late: f.late,
                            complete: f.status != FilingStatus::Returned,
                            found_untrue: self.untrue.contains(unit_id),
                            unmet_rows: f.unmet.clone(),
                        }),
                        previous_unmet_rows: self
                            .previous
                            .get(unit_id)
                            .map(|f| f.unmet.iter().map(|u| u.row_id.clone()).collect())
                            .unwrap_or_default(),
                        open_escalations: self.open.get(unit_id).cloned().unwrap_or_default(),
                        accidents: accidents_to_weigh(
                            &self.accidents,
                            unit_id,
                            self.dealt_until.get(unit_id).copied(),
                            self.today,
                        ),
                        today: self.today,
                    };
                    (unit_id.clone(), situation)
                },
            )
            .collect()
    }
}

/// The accidents of a unit to weigh on `today`: up to today, and after the last closed 告诫 on
/// the unit (those before it were dealt with).
fn accidents_to_weigh(
    accidents: &[AccidentRow],
    unit_id: &str,
    dealt_until: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<Accident> {
    accidents
        .iter()
        .filter(|a| a.unit_id == unit_id)
        .filter(|a| a.occurred_on <= today && dealt_until.is_none_or(|d| a.occurred_on > d))
        .map(|a| Accident {
            date: a.occurred_on,
            larger: a.larger == 1,
        })
        .collect()
}

/// Loads what the proposals of `office` are worked out from, at `now`: the facts of every unit
/// it looks after on a first run or a new period, else only of the units whose facts changed
/// since its last run ([`changed_since`]).
#[tracing::instrument(skip(db))]
async fn load(db: &Db, now: DateTime<Utc>, office: &UnitPosition) -> Result<Facts, AppError> {
    let period = Period::latest_closed(now);
    let today = kunming_date(now);
    let mark: Option<Mark> = sqlx::query_as(
        "SELECT period_key, weighed_at FROM proposal_mark WHERE issuer_unit_id = $1",
    )
    .bind(&office.unit_id)
    .fetch_optional(db)
    .await?;
    let since = Since::of(mark, period, now)?;
    let mut targets = proposal_targets(db, office, period).await?;
    // Issued escalations, by anyone (the ladder is the unit's, not the office's).
    let open_rows = rows(db, "x.status = $1", &[EscalationStatus::Issued.code()]).await?;
    let ids: Vec<String> = open_rows.iter().map(|r| r.id.clone()).collect();
    let responses = responses_of(db, &ids).await?;
    let mut open: HashMap<String, Vec<OpenEscalation>> = HashMap::new();
    for r in &open_rows {
        if let Some(o) = open_escalation(r, responses.get(&r.id).map(Vec::as_slice).unwrap_or(&[]))
        {
            open.entry(r.target_unit_id.clone()).or_default().push(o);
        }
    }
    let accidents: Vec<AccidentRow> =
        sqlx::query_as("SELECT unit_id, occurred_on, larger, entered_at FROM accident")
            .fetch_all(db)
            .await?;
    if let Some(since) = &since {
        let changed = changed_since(db, period, since, today, &open, &accidents).await?;
        targets.retain(|t| changed.contains(&t.unit_id));
    }
    // The targets' latest filings only, from the kept `latest_filing` (not the whole city's).
    let ids: Vec<(String, UnitKind)> = targets
        .iter()
        .map(|t| (t.unit_id.clone(), t.kind))
        .collect();
    let filings = crate::ssr::scope::latest_of(db, &period.key(), &ids).await?;
    let previous = crate::ssr::scope::latest_of(db, &period.previous().key(), &ids).await?;
    // Filings of the period a reviewer returned as not matching the facts (第七条（五）), from
    // the few reviews that say so (index filing_review_untrue; CROSS JOIN keeps SQLite from
    // starting at every filing of the period).
    let untrue: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT f.unit_id FROM filing_review r CROSS JOIN filing f \
         WHERE r.untrue = 1 AND f.filing_id = r.filing_id AND f.period_key = $1",
    )
    .bind(period.key())
    .fetch_all(db)
    .await?;
    // Accidents not yet dealt with: after the last closed 告诫 on the unit.
    let closed_admonitions: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT target_unit_id, MAX(issued_at) FROM escalation WHERE status = $1 AND rung = $2 GROUP BY target_unit_id",
    )
    .bind(EscalationStatus::Closed.code())
    .bind(Rung::Admonition.code())
    .fetch_all(db)
    .await?;
    let mut dealt_until = HashMap::new();
    for (unit_id, at) in closed_admonitions {
        if let Some(at) = at {
            dealt_until.insert(unit_id, kunming_date(stored_instant(&at)?));
        }
    }
    // What is already waiting or was dismissed.
    let known: Vec<Known> = sqlx::query_as(
        "SELECT target_unit_id, rung, evidence_keys FROM escalation WHERE issuer_unit_id = $1 AND status IN ($2, $3)",
    )
    .bind(&office.unit_id)
    .bind(EscalationStatus::Proposed.code())
    .bind(EscalationStatus::Dismissed.code())
    .fetch_all(db)
    .await?;
    Ok(Facts {
        period,
        today,
        targets,
        filings,
        previous,
        untrue: untrue.into_iter().collect(),
        open,
        accidents,
        dealt_until,
        known,
    })
}

/// The units whose situation may differ from what the office's last run weighed ([`Since`]):
/// - a filing of the period or the one before submitted, saved or reviewed (a review, the
///   untrue finding of 第七条（五） included, stamps the filing);
/// - an escalation on the unit issued, replied to, decided on or closed (the ladder weighs
///   issued ones, and the closed 告诫 that dealt with accidents). Proposals made or dismissed
///   change no situation: the office's waiting and dismissed ones are read whole each run
///   ([`Known`]), so a run's own proposals do not make their units weighed again;
/// - the unit created, or its life (opening and closing dates) changed (`unit.updated_at`):
///   whether it owes the period's filing may have changed;
/// - an accident entered, or one whose day came since the last run (weighed up to today);
/// - an open escalation whose reply stands otherwise today than on the last run's day (it fell
///   overdue: 第九条's 15 days, or the date the issuer gave).
///
/// Nothing else a proposal rests on changes ([`ladder::propose`]: the period is the same, and
/// its window had closed already).
async fn changed_since(
    db: &Db,
    period: Period,
    since: &Since,
    today: NaiveDate,
    open: &HashMap<String, Vec<OpenEscalation>>,
    accidents: &[AccidentRow],
) -> Result<HashSet<String>, AppError> {
    let mut changed: HashSet<String> = sqlx::query_scalar(
        "SELECT DISTINCT unit_id FROM filing WHERE period_key IN ($1, $2) AND updated_at >= $3",
    )
    .bind(period.key())
    .bind(period.previous().key())
    .bind(&since.stamp)
    .fetch_all(db)
    .await?
    .into_iter()
    .collect();
    changed.extend(
        sqlx::query_scalar::<_, String>(
            "SELECT DISTINCT target_unit_id FROM escalation WHERE status IN ($1, $2) AND updated_at >= $3",
        )
        .bind(EscalationStatus::Issued.code())
        .bind(EscalationStatus::Closed.code())
        .bind(&since.stamp)
        .fetch_all(db)
        .await?,
    );
    changed.extend(
        sqlx::query_scalar::<_, String>("SELECT unit_id FROM unit WHERE created_at >= $1")
            .bind(&since.stamp)
            .fetch_all(db)
            .await?,
    );
    changed.extend(
        sqlx::query_scalar::<_, String>("SELECT unit_id FROM unit WHERE updated_at >= $1")
            .bind(&since.stamp)
            .fetch_all(db)
            .await?,
    );
    changed.extend(
        accidents
            .iter()
            .filter(|a| {
                a.entered_at >= since.stamp
                    || (a.occurred_on > since.last_day && a.occurred_on <= today)
            })
            .map(|a| a.unit_id.clone()),
    );
    changed.extend(
        open.iter()
            .filter(|(_, escalations)| {
                escalations
                    .iter()
                    .any(|e| e.response(since.last_day) != e.response(today))
            })
            .map(|(unit_id, _)| unit_id.clone()),
    );
    Ok(changed)
}

/// A proposal to store.
#[derive(Clone, Debug, PartialEq)]
struct NewProposal {
    target_unit_id: String,
    proposal: Proposal,
    /// The sorted keys of its findings, one a line.
    keys: String,
}

/// The proposals the ladder makes on each situation ([`ladder::propose`]), less those the
/// office already has waiting or dismissed for the same unit, rung and findings.
fn decide(situations: &[(String, UnitSituation)], known: &[Known]) -> Vec<NewProposal> {
    let mut new = Vec::new();
    for (unit_id, situation) in situations {
        for p in ladder::propose(situation) {
            let keys = {
                let mut k: Vec<String> = p.reasons.iter().map(|r| r.key.clone()).collect();
                k.sort();
                k.join("\n")
            };
            if known.iter().any(|k| {
                k.target_unit_id == *unit_id && k.rung == p.rung && k.evidence_keys == keys
            }) {
                continue;
            }
            new.push(NewProposal {
                target_unit_id: unit_id.clone(),
                proposal: p,
                keys,
            });
        }
    }
    new
}

/// Stores the new proposals of `office` with their audit records, and that the proposals ran
/// today.
///
/// `None` when the office's generation is no longer `read` (the facts are stale: load again).
///
/// Guard: first the generation claim (see [`run`]); then the partial unique index
/// escalation_one_open_proposal with `ON CONFLICT DO NOTHING`, audited only when a row was
/// inserted; the run's count is added in one upsert.
#[tracing::instrument(skip(db, new), fields(n = new.len()))]
async fn write(
    db: &Db,
    now: DateTime<Utc>,
    period: Period,
    office: &UnitPosition,
    read: i64,
    weighed: usize,
    new: &[NewProposal],
) -> Result<Option<usize>, AppError> {
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let claimed = sqlx::query(
        "INSERT INTO office_generation (issuer_unit_id, generation) VALUES ($1, $2 + 1) \
         ON CONFLICT (issuer_unit_id) DO UPDATE SET generation = office_generation.generation + 1 \
         WHERE office_generation.generation = $2",
    )
    .bind(&office.unit_id)
    .bind(read)
    .execute(&mut *tx)
    .await;
    match claimed {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) => return Ok(None),
        // Two first runs inserting the row at once: the loser's facts are as stale.
        Err(e) if crate::ssr::db::is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    // Stored 100 at a time: one multi-row INSERT, and one for the audit records of the rows
    // it inserted (issue 13: at 100k enterprises a first run stores about 15,000 proposals,
    // which one statement each took most of the start-up's 17 s).
    let mut added = 0i64;
    let stamp = ts(now);
    for chunk in new.chunks(100) {
        let lines: Vec<(String, &NewProposal)> = chunk.iter().map(|n| (new_id(), n)).collect();
        let sql = format!(
            "INSERT INTO escalation (escalation_id, status, origin, rung, issuer_unit_id, target_unit_id, period_key, evidence_json, evidence_keys, \
             reasons, measures, proposed_at, created_at, updated_at) VALUES {} \
             ON CONFLICT (issuer_unit_id, target_unit_id, rung, evidence_keys) WHERE status = 'proposed' DO NOTHING \
             RETURNING escalation_id",
            crate::ssr::db::value_rows(&tx, lines.len(), 14)
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for (id, n) in &lines {
            let p = &n.proposal;
            let reasons = p
                .reasons
                .iter()
                .map(|r| format!("{}（{}）", r.evidence.describe_zh(), r.clause))
                .collect::<Vec<_>>()
                .join("\n");
            q = q
                .bind(id.clone())
                .bind(EscalationStatus::Proposed.code())
                .bind(EscalationOrigin::Proposal.code())
                .bind(p.rung.code())
                .bind(office.unit_id.clone())
                .bind(n.target_unit_id.clone())
                .bind(period.key())
                .bind(serde_json::to_string(&p.reasons).unwrap_or_else(|_| "[]".into()))
                .bind(n.keys.clone())
                .bind(reasons)
                .bind(default_measures(p.rung))
                .bind(stamp.clone())
                .bind(stamp.clone())
                .bind(stamp.clone());
        }
        // Guard: the unique index on open proposals; a concurrent run that stored the same
        // proposal first makes its row insert nothing (and be recorded nowhere).
        let inserted: HashSet<String> = q.fetch_all(&mut *tx).await?.into_iter().collect();
        let entries: Vec<AuditEntry> = lines
            .iter()
            .filter(|(id, _)| inserted.contains(id))
            .map(|(id, n)| AuditEntry {
                at: now,
                actor: None,
                action: "escalation.propose",
                subject_kind: "escalation",
                subject_id: id,
                before: None,
                after: Some(serde_json::json!({
                    "rung": n.proposal.rung.code(),
                    "article": n.proposal.article(),
                    "clauses": n.proposal.clauses(),
                    "issuer": office.unit_id,
                    "target": n.target_unit_id,
                    "period": period.key(),
                })),
            })
            .collect();
        added += entries.len() as i64;
        audit::record_all(&mut tx, entries).await?;
    }
    sqlx::query(
        "INSERT INTO proposal_run (issuer_unit_id, ran_on, ran_at, added, weighed) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (issuer_unit_id, ran_on) DO UPDATE SET ran_at = excluded.ran_at, added = proposal_run.added + excluded.added, \
         weighed = proposal_run.weighed + excluded.weighed",
    )
    .bind(&office.unit_id)
    .bind(kunming_date(now).to_string())
    .bind(ts(now))
    .bind(added)
    .bind(weighed as i64)
    .execute(&mut *tx)
    .await?;
    // What this run weighed, for the next one to start from (`now` was taken before its
    // facts were read).
    sqlx::query(
        "INSERT INTO proposal_mark (issuer_unit_id, period_key, weighed_at) VALUES ($1, $2, $3) \
         ON CONFLICT (issuer_unit_id) DO UPDATE SET period_key = excluded.period_key, weighed_at = excluded.weighed_at",
    )
    .bind(&office.unit_id)
    .bind(period.key())
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(added as usize))
}

/// How many times a run loads its facts again when the office's escalations changed while
/// it was working. After that it stores nothing and answers 0: the runs and transitions that
/// kept changing them are that busy, and the next run (the timer's, or a page's) goes on.
const RUN_ATTEMPTS: usize = 5;

/// Works out the proposals of one office now and stores the new ones; answers how many were
/// added. A proposal already waiting, or dismissed, for the same unit, rung and findings is
/// not made again. Incremental (issue 13): after the office's first run of a period, only
/// the units whose facts changed since its last run are weighed again ([`changed_since`]);
/// the others' proposals are those already made.
///
/// Guard: the office's generation ([`generation`]) is read before the facts are loaded and
/// claimed in the writing transaction (`… DO UPDATE … WHERE generation = read`, 1 row): a
/// transition or another run that committed in between makes the claim take no row, and
/// this run loads again. Transitions bump it first thing, so the two lock in one order.
#[tracing::instrument(skip(db, clock))]
pub async fn run(db: &Db, clock: &Clock, office: &UnitPosition) -> Result<usize, AppError> {
    let now = clock.now();
    for _ in 0..RUN_ATTEMPTS {
        let read = generation(db, &office.unit_id).await?;
        let facts = load(db, now, office).await?;
        let new = decide(&facts.situations(), &facts.known);
        let weighed = facts.targets.len();
        if let Some(added) = write(db, now, facts.period, office, read, weighed, &new).await? {
            return Ok(added);
        }
        tracing::debug!(office = %office.unit_id, "the office's escalations changed during the run: loading again");
    }
    tracing::info!(office = %office.unit_id, "proposal run left to the next one: the office's escalations kept changing");
    Ok(0)
}

/// The office's generation: how often its escalations changed (0: never).
async fn generation(db: &Db, issuer_unit_id: &str) -> Result<i64, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT generation FROM office_generation WHERE issuer_unit_id = $1")
            .bind(issuer_unit_id)
            .fetch_optional(db)
            .await?;
    Ok(found.unwrap_or(0))
}

/// Counts a change to the office's escalations in `tx`, holding its generation row until
/// commit. Called first in every transaction that changes an escalation.
pub(super) async fn bump_generation(
    tx: &mut sqlx::AnyConnection,
    issuer_unit_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO office_generation (issuer_unit_id, generation) VALUES ($1, 1) \
         ON CONFLICT (issuer_unit_id) DO UPDATE SET generation = office_generation.generation + 1",
    )
    .bind(issuer_unit_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// [`bump_generation`] for the office that issued escalation `id` (nothing if there is no
/// such escalation).
pub(super) async fn bump_generation_of(
    tx: &mut sqlx::AnyConnection,
    escalation_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO office_generation (issuer_unit_id, generation) \
         SELECT issuer_unit_id, 1 FROM escalation WHERE escalation_id = $1 \
         ON CONFLICT (issuer_unit_id) DO UPDATE SET generation = office_generation.generation + 1",
    )
    .bind(escalation_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
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
#[tracing::instrument(skip(db, clock, user), fields(user = %user.user_id))]
pub async fn run_for_user(db: &Db, clock: &Clock, user: &UserView) -> Result<usize, AppError> {
    let office = office_of(user).ok_or(AppError::Forbidden)?;
    run(db, clock, &office).await
}

/// Runs an office's proposals if they have not run yet on this Kunming day: after a window
/// closes, and daily for replies and reports falling overdue (第九条).
///
/// Guard: the day is claimed by `INSERT INTO proposal_run … ON CONFLICT DO NOTHING`; only the
/// caller whose insert took 1 row runs.
#[tracing::instrument(skip(db, clock))]
pub async fn ensure_today(db: &Db, clock: &Clock, office: &UnitPosition) -> Result<(), AppError> {
    let now = clock.now();
    let today = kunming_date(now).to_string();
    // Guard: the day's run is claimed by inserting its row; only whoever inserted it runs
    // (any number of requests, or instances, may ask at once).
    let claimed = sqlx::query(
        "INSERT INTO proposal_run (issuer_unit_id, ran_on, ran_at, added) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (issuer_unit_id, ran_on) DO NOTHING",
    )
    .bind(&office.unit_id)
    .bind(&today)
    .bind(ts(now))
    .execute(db)
    .await?;
    if claimed.rows_affected() == 1 {
        if let Err(e) = run(db, clock, office).await {
            // Not run after all: let the next request (or the timer) try again today.
            sqlx::query(
                "DELETE FROM proposal_run WHERE issuer_unit_id = $1 AND ran_on = $2 AND added = 0",
            )
            .bind(&office.unit_id)
            .bind(&today)
            .execute(db)
            .await?;
            return Err(e);
        }
    }
    Ok(())
}

/// Runs today's proposals of every office that has not had them yet (the server's timer).
#[tracing::instrument(skip(db, clock))]
pub async fn run_due(db: &Db, clock: &Clock) -> Result<usize, AppError> {
    let offices: Vec<UnitRow> = sqlx::query_as(
        "SELECT unit_id, name, kind, county_id FROM unit WHERE kind = $1 ORDER BY unit_id",
    )
    .bind(UnitKind::SafetyOffice.code())
    .fetch_all(db)
    .await?;
    for office in &offices {
        ensure_today(
            db,
            clock,
            &UnitPosition {
                unit_id: office.unit_id.clone(),
                kind: UnitKind::SafetyOffice,
                county_id: office.county_id.clone(),
            },
        )
        .await?;
    }
    Ok(offices.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::filing::UnmetItem;
    use crate::domain::time::parse_instant;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn accident(unit_id: &str, on: &str, larger: bool) -> AccidentRow {
        AccidentRow {
            unit_id: unit_id.into(),
            occurred_on: day(on),
            larger: larger as i64,
            entered_at: format!("{on}T08:00:00Z"),
        }
    }

    #[test]
    fn accidents_are_weighed_up_to_today_and_after_the_last_closed_admonition() {
        let all = [
            accident("a", "2027-03-01", false),
            accident("a", "2027-03-10", true),
            accident("a", "2027-03-20", false),
            accident("b", "2027-03-10", false),
        ];
        let got = accidents_to_weigh(&all, "a", Some(day("2027-03-01")), day("2027-03-15"));
        assert_eq!(
            got,
            vec![Accident {
                date: day("2027-03-10"),
                larger: true
            }]
        );
        assert_eq!(
            accidents_to_weigh(&all, "a", None, day("2027-03-31")).len(),
            3
        );
        assert!(accidents_to_weigh(&all, "c", None, day("2027-03-31")).is_empty());
    }

    #[test]
    fn a_run_is_incremental_only_after_a_run_of_the_same_period_not_later_than_now() {
        let now = parse_instant("2027-01-20T10:00:00+08:00").unwrap();
        let period = Period::latest_closed(now);
        let mark = |period_key: &str, at: &str| {
            Some(Mark {
                period_key: period_key.into(),
                weighed_at: at.into(),
            })
        };
        assert!(Since::of(None, period, now).unwrap().is_none(), "first run");
        assert!(
            Since::of(mark("2026-H1", "2027-01-19T01:00:00Z"), period, now)
                .unwrap()
                .is_none(),
            "a new period"
        );
        assert!(
            Since::of(mark("2026-Y", "2027-01-21T01:00:00Z"), period, now)
                .unwrap()
                .is_none(),
            "a clock set before the last run"
        );
        // 2027-01-18T16:05Z is 00:05 on the 19th in Kunming; changes from 15 minutes before.
        let since = Since::of(mark("2026-Y", "2027-01-18T16:05:00Z"), period, now)
            .unwrap()
            .unwrap();
        assert_eq!(since.stamp, "2027-01-18T15:50:00Z");
        assert_eq!(since.last_day, day("2027-01-19"));
    }

    fn facts(now: DateTime<Utc>) -> Facts {
        Facts {
            period: Period::latest_closed(now),
            today: kunming_date(now),
            targets: vec![
                Target {
                    unit_id: "county".into(),
                    kind: UnitKind::CountyGovernment,
                    life: Life::since_regime_start(),
                },
                Target {
                    unit_id: "enterprise".into(),
                    kind: UnitKind::Enterprise,
                    life: Life::since_regime_start(),
                },
            ],
            filings: HashMap::new(),
            previous: HashMap::new(),
            untrue: HashSet::new(),
            open: HashMap::new(),
            accidents: vec![],
            dealt_until: HashMap::new(),
            known: vec![],
        }
    }

    #[test]
    fn a_unit_without_a_filing_gets_proposals_and_known_ones_are_not_made_again() {
        let now = parse_instant("2027-02-20T10:00:00+08:00").unwrap();
        let situations = facts(now).situations();
        assert_eq!(situations.len(), 2);
        assert!(situations.iter().all(|(_, s)| s.filing.is_none()));
        let first = decide(&situations, &[]);
        assert!(!first.is_empty(), "no filing after the window is a finding");
        for p in &first {
            let mut keys: Vec<&str> = p.keys.lines().collect();
            let sorted = {
                let mut k = keys.clone();
                k.sort();
                k
            };
            assert_eq!(keys, sorted, "keys are stored sorted");
            keys.dedup();
            assert_eq!(p.proposal.reasons.len(), keys.len());
        }
        // Each already waiting or dismissed: nothing new.
        let known: Vec<Known> = first
            .iter()
            .map(|p| Known {
                target_unit_id: p.target_unit_id.clone(),
                rung: p.proposal.rung,
                evidence_keys: p.keys.clone(),
            })
            .collect();
        assert!(decide(&situations, &known).is_empty());
        // The same findings for another unit are still new.
        let other: Vec<Known> = known
            .iter()
            .map(|k| Known {
                target_unit_id: "someone else".into(),
                ..k.clone()
            })
            .collect();
        assert_eq!(decide(&situations, &other), first);
    }

    #[test]
    fn a_returned_filing_is_incomplete_and_an_untrue_one_is_marked() {
        let now = parse_instant("2027-02-20T10:00:00+08:00").unwrap();
        let mut f = facts(now);
        f.filings.insert(
            "enterprise".into(),
            LatestFiling {
                filing_id: "f1".into(),
                version: 1,
                status: FilingStatus::Returned,
                late: true,
                nil: false,
                unmet: vec![UnmetItem {
                    row_id: "5.3".into(),
                    explanation: "未落实".into(),
                }],
            },
        );
        f.untrue.insert("enterprise".into());
        let situations = f.situations();
        let filing = situations[1].1.filing.clone().unwrap();
        assert!(!filing.complete && filing.late && filing.found_untrue);
        assert_eq!(filing.unmet_rows[0].row_id, "5.3");
    }
}
