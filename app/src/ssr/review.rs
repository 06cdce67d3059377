//! Review by the receiving unit (107号 四、(二) 申报程序): where each filing goes, the
//! reviewer's queue, and the decision (accept, or return with a reason), audited.

use crate::domain::filing::FilingStatus;
use crate::domain::time::Clock;
use crate::domain::unit::UnitKind;

use crate::error::AppError;
use crate::model::filing::LastReview;
use crate::model::UserView;
use crate::ssr::access;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::db::{new_id, parse_code, ts, Db};

/// The units whose filings `user`'s unit receives ([`crate::domain::chain::receives`]).
pub async fn received_units(db: &Db, user: &UserView) -> Result<Vec<String>, AppError> {
    Ok(access::received_units(db, user)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect())
}

/// Whether `user`'s unit receives the filings of `unit_id`.
pub async fn receives(db: &Db, user: &UserView, unit_id: &str) -> Result<bool, AppError> {
    access::receives(db, user, unit_id).await
}

pub use crate::model::filing::QueueRow;

/// The queue of `user`'s unit for a period: latest versions that are not drafts, oldest
/// submission first, filtered by status, nil, industry and township (empty = any).
pub async fn queue(
    db: &Db,
    user: &UserView,
    period_key: &str,
    status: &str,
    nil: &str,
    industry: &str,
    township: &str,
) -> Result<Vec<QueueRow>, AppError> {
    // By the place each unit had for the period: a moved unit's filings stay where they went.
    let units = access::received_units_in(db, user, period_key).await?;
    if units.is_empty() {
        return Ok(vec![]);
    }
    let placeholders: Vec<String> = (0..units.len()).map(|i| format!("${}", i + 7)).collect();
    let sql = format!(
        "SELECT f.filing_id, f.unit_id, n.name AS unit_name, n.kind, e.industry_code, t.name AS township_name, f.version, f.status, f.late, f.nil, f.submitted_at \
         FROM filing f JOIN unit n ON n.unit_id = f.unit_id LEFT JOIN enterprise e ON e.unit_id = n.unit_id \
         LEFT JOIN unit t ON t.unit_id = e.township_id \
         WHERE f.period_key = $2 AND f.status <> $1 \
         AND f.version = (SELECT MAX(g.version) FROM filing g WHERE g.unit_id = f.unit_id AND g.period_key = f.period_key AND g.status <> $1) \
         AND ($3 = '' OR f.status = $3) AND ($4 = '' OR f.nil = (CASE WHEN $4 = 'nil' THEN 1 ELSE 0 END)) \
         AND ($5 = '' OR e.industry_code = $5) AND ($6 = '' OR e.township_id = $6) \
         AND f.unit_id IN ({}) ORDER BY f.submitted_at, n.name",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<_, QueueLine>(&sql)
        .bind(FilingStatus::Draft.code())
        .bind(period_key)
        .bind(status)
        .bind(nil)
        .bind(industry)
        .bind(township);
    for u in &units {
        q = q.bind(u);
    }
    q.fetch_all(db)
        .await?
        .into_iter()
        .map(QueueLine::decode)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// A line of the queue as read.
#[derive(sqlx::FromRow)]
struct QueueLine {
    filing_id: String,
    unit_id: String,
    unit_name: String,
    kind: String,
    industry_code: Option<String>,
    township_name: Option<String>,
    version: i64,
    status: String,
    late: i64,
    nil: Option<i64>,
    submitted_at: Option<String>,
}

impl QueueLine {
    fn decode(self) -> Result<QueueRow, sqlx::Error> {
        Ok(QueueRow {
            filing_id: self.filing_id,
            unit_id: self.unit_id,
            unit_name: self.unit_name,
            unit_kind: parse_code("kind", &self.kind, UnitKind::parse)?,
            industry_code: self.industry_code,
            township_name: self.township_name,
            version: self.version,
            status: parse_code("status", &self.status, FilingStatus::parse)?,
            late: self.late == 1,
            nil: self.nil.map(|n| n == 1),
            submitted_at: self
                .submitted_at
                .map(|at| crate::ssr::db::parse_instant("submitted_at", &at))
                .transpose()?,
        })
    }
}

pub use crate::domain::review::Decision;

/// Accepts or returns a submitted filing. Only the receiving unit may decide; only a
/// submitted version can be decided on, once (a conditional update, so two reviewers at
/// once cannot both decide).
///
/// Guard: the decision is in the UPDATE's WHERE (status = 'submitted' and no newer non-draft
/// version), 1 row or Conflict; who receives a filing of a period is fixed once it is filed
/// (a move leaves the unit's place for that period in `unit_past_place`).
pub async fn decide(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    filing_id: &str,
    decision: Decision,
    reason: &str,
) -> Result<FilingStatus, AppError> {
    let reason = reason.trim();
    if !decision.reason_suffices(reason) {
        return Err(AppError::field("reason", "err.return_reason"));
    }
    crate::domain::limits::Text::ReturnReason
        .checked("reason", reason)
        .map_err(AppError::Invalid)?;
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT unit_id, period_key FROM filing WHERE filing_id = $1")
            .bind(filing_id)
            .fetch_optional(db)
            .await?;
    let (unit_id, period_key) = row.ok_or(AppError::NotFound)?;
    if !access::receives_in(db, user, &unit_id, &period_key).await? {
        return Err(AppError::Forbidden);
    }
    let new_status = match decision {
        Decision::Accept => FilingStatus::Accepted,
        Decision::Return | Decision::ReturnUntrue => FilingStatus::Returned,
    };
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    // The decision is made in the UPDATE's WHERE, inside the transaction: the version must
    // still wait for review and be the latest one submitted (a decision taken on a stale
    // page about an older version changes nothing).
    let updated = sqlx::query(
        "UPDATE filing SET status = $1, updated_at = $2, updated_by = $3 \
         WHERE filing_id = $4 AND status = $5 AND NOT EXISTS ( \
           SELECT 1 FROM filing newer WHERE newer.unit_id = filing.unit_id \
             AND newer.period_key = filing.period_key AND newer.version > filing.version \
             AND newer.status <> $6)",
    )
    .bind(new_status.code())
    .bind(ts(now))
    .bind(&user.user_id)
    .bind(filing_id)
    .bind(FilingStatus::Submitted.code())
    .bind(FilingStatus::Draft.code())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        let superseded: Option<(i64,)> = sqlx::query_as(
            "SELECT newer.version FROM filing old JOIN filing newer \
               ON newer.unit_id = old.unit_id AND newer.period_key = old.period_key \
              AND newer.version > old.version AND newer.status <> $2 \
             WHERE old.filing_id = $1 LIMIT 1",
        )
        .bind(filing_id)
        .bind(FilingStatus::Draft.code())
        .fetch_optional(&mut *tx)
        .await?;
        return Err(AppError::Conflict(if superseded.is_some() {
            crate::error::Conflict::Superseded
        } else {
            crate::error::Conflict::NotAwaitingReview
        }));
    }
    sqlx::query(
        "INSERT INTO filing_review (filing_review_id, filing_id, decision, reason, reviewer_unit_id, reviewed_by, reviewed_at, untrue) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(filing_id)
    .bind(decision.code())
    .bind(reason)
    .bind(&user.unit_id)
    .bind(&user.user_id)
    .bind(ts(now))
    .bind((decision == Decision::ReturnUntrue) as i64)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: if decision == Decision::Accept {
                "filing.accept"
            } else {
                "filing.return"
            },
            subject_kind: "filing",
            subject_id: filing_id,
            before: Some(serde_json::json!({ "status": "submitted" })),
            after: Some(serde_json::json!({
                "status": new_status.code(),
                "reason": reason,
                "untrue": decision == Decision::ReturnUntrue,
            })),
        },
    )
    .await?;
    crate::ssr::counts::refresh(&mut tx, &unit_id, &period_key).await?;
    tx.commit().await?;
    Ok(new_status)
}

/// A review decision as stored.
#[derive(sqlx::FromRow)]
struct ReviewLine {
    decision: String,
    reason: String,
    reviewed_at: String,
    untrue: i64,
}

/// The latest decision on a filing version.
#[tracing::instrument(skip(db))]
pub async fn last_review(db: &Db, filing_id: &str) -> Result<Option<LastReview>, AppError> {
    let row: Option<ReviewLine> = sqlx::query_as(
        "SELECT decision, reason, reviewed_at, untrue FROM filing_review WHERE filing_id = $1 ORDER BY reviewed_at DESC, filing_review_id DESC LIMIT 1",
    )
    .bind(filing_id)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let untrue = if r.untrue == 1 { "1" } else { "" };
    Ok(Some(LastReview {
        decision: parse_code("decision", &r.decision, |d| Decision::parse(d, untrue))?,
        reason: r.reason,
        at: crate::ssr::db::parse_instant("reviewed_at", &r.reviewed_at)?,
    }))
}

/// The review queue as an export table.
pub fn queue_table(rows: &[QueueRow]) -> crate::ssr::table::Table {
    crate::ssr::table::Table {
        name: "审核".into(),
        headers: [
            "单位",
            "行业",
            "乡镇（街道）",
            "版本",
            "提交时间",
            "状态",
            "逾期",
            "零申报",
        ]
        .map(str::to_string)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.unit_name.clone(),
                    r.industry_code
                        .as_deref()
                        .and_then(crate::domain::unit::industry_name_zh)
                        .unwrap_or("")
                        .to_string(),
                    r.township_name.clone().unwrap_or_default(),
                    r.version.to_string(),
                    r.submitted_at
                        .map(crate::domain::time::format_kunming)
                        .unwrap_or_default(),
                    crate::ssr::table::status_zh(Some(r.status)).to_string(),
                    if r.late { "是" } else { "否" }.to_string(),
                    match r.nil {
                        Some(true) => "是",
                        Some(false) => "否（有不落实事项）",
                        None => "",
                    }
                    .to_string(),
                ]
            })
            .collect(),
    }
}

/// A roll-up as an export table: one line per measure, then per form, row and group.
pub fn rollup_table(r: &crate::domain::rollup::Rollup) -> crate::ssr::table::Table {
    let mut rows: Vec<Vec<String>> = [
        ("应报", r.expected),
        ("按时已报", r.filed_on_time),
        ("逾期补报", r.filed_late),
        ("未报", r.missing),
        ("已退回", r.returned),
        ("已受理", r.accepted),
        ("零申报", r.nil),
        ("有不落实事项", r.with_unmet),
    ]
    .into_iter()
    .map(|(k, n)| vec!["汇总".to_string(), k.to_string(), n.to_string()])
    .collect();
    for (form, n) in &r.unmet_by_form {
        rows.push(vec![
            "不落实事项（按表）".into(),
            format!("表{form}"),
            n.to_string(),
        ]);
    }
    for (row, n) in &r.unmet_by_row {
        rows.push(vec![
            "不落实事项（按项）".into(),
            row.clone(),
            n.to_string(),
        ]);
    }
    for (industry, n) in &r.unmet_by_industry {
        rows.push(vec![
            "不落实事项（按行业）".into(),
            crate::domain::unit::industry_name_zh(industry)
                .unwrap_or(industry)
                .to_string(),
            n.to_string(),
        ]);
    }
    for (group, g) in &r.by_group {
        rows.push(vec![
            "下级单位（已报/应报）".into(),
            group.clone(),
            format!("{}/{}", g.filed, g.expected),
        ]);
    }
    crate::ssr::table::Table {
        name: "汇总".into(),
        headers: ["类别", "项目", "数量"].map(str::to_string).to_vec(),
        rows,
    }
}
