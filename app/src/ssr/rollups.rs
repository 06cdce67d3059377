//! Roll-ups with drill-down, summaries filed upward, the city government's report, and
//! their export tables (107号 四、(二) 申报程序: 审核、汇总、上报).

use crate::domain::chain::{self, ScopeUnit};
use crate::domain::filing::FilingStatus;
use crate::domain::forms::Answer;
use crate::domain::period::Period;
use crate::domain::rollup::{self, Rollup, TrendPoint};
use crate::domain::time::{kunming_date, Clock};
use crate::domain::unit::{industry_name_zh, Role, UnitKind};
use crate::error::AppError;
use crate::model::rollup::{
    ChildLine, CityReport, ReportCounty, RollupView, RowDetail, Scope, ScopeKind, SummaryRecord,
    UnitLine, TREND_PERIODS,
};
use crate::model::UserView;
use crate::ssr::access;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::counts::{self, Cell};
use crate::ssr::db::parse_code;
use crate::ssr::db::{new_id, ts, Db};
use crate::ssr::scope::{self, LatestFiling, ScopedUnit};
use crate::ssr::table::Table;
use std::collections::HashMap;

/// Logs a stored-JSON error and turns it into the opaque internal error.
fn json_error(err: serde_json::Error) -> AppError {
    tracing::error!(error = %err, "summary JSON");
    AppError::Internal
}

/// What the kept counts (`ssr::counts`) say of a scope's reach over the periods of a trend
/// ending with `period` (oldest first), with the unmet rows of the period shown and the one
/// before it: a few hundred to a few thousand rows, however many units file.
struct Counted {
    periods: Vec<Period>,
    names: HashMap<String, String>,
    expected: Vec<counts::Expected>,
    tallies: Vec<counts::CellTally>,
    rows: HashMap<String, Vec<counts::RowCount>>,
}

impl Counted {
    /// The counts of `scope` for `period`; with `history`, also those of the periods before
    /// it that a page's trend and change show (tallies of [`TREND_PERIODS`], rows of the
    /// previous period).
    async fn load(
        db: &Db,
        scope: &Scope,
        period: Period,
        by_county: bool,
        history: bool,
    ) -> Result<Self, AppError> {
        let span = if history { TREND_PERIODS } else { 1 };
        let mut periods: Vec<Period> = std::iter::successors(Some(period), |p| Some(p.previous()))
            .take(span)
            .collect();
        periods.reverse();
        let keys: Vec<String> = periods.iter().map(|p| p.key()).collect();
        let mut rows = HashMap::new();
        for p in periods.iter().rev().take(2) {
            rows.insert(p.key(), counts::rows(db, scope, &p.key(), by_county).await?);
        }
        Ok(Counted {
            names: scope::place_names(db).await?,
            expected: counts::expected(db, scope).await?,
            tallies: counts::tallies(db, scope, &keys).await?,
            rows,
            periods,
        })
    }

    /// The roll-up of the cells `within` contains ([`chain::scope_contains`] on each cell),
    /// grouped as `scope`'s page groups them; with per-row counts when the period's rows
    /// were loaded; `accepted_only`: what a summary counts ([`rollup::summary_of`]).
    fn rollup(
        &self,
        scope: &Scope,
        within: &dyn Fn(&Cell) -> bool,
        period_key: &str,
        accepted_only: bool,
    ) -> Rollup {
        let mut r = Rollup::default();
        // The units expected for this period: open in it (`domain::lifecycle`).
        let period = Period::parse_key(period_key);
        for e in &self.expected {
            if period.is_some_and(|p| e.periods.contains(p)) && within(&e.cell) {
                r.add_expected(&scope::group_of_cell(scope, &e.cell, &self.names), e.units);
            }
        }
        for t in self.tallies.iter().filter(|t| t.period_key == period_key) {
            if within(&t.cell) {
                let tally = if accepted_only { &t.accepted } else { &t.all };
                r.add_tally(&scope::group_of_cell(scope, &t.cell, &self.names), tally);
            }
        }
        for row in self.rows.get(period_key).into_iter().flatten() {
            if within(&row.cell) {
                let n = if accepted_only {
                    row.unmet_accepted
                } else {
                    row.unmet
                };
                let industry =
                    (!row.cell.industry.is_empty()).then_some(row.cell.industry.as_str());
                r.add_unmet_row(&row.row_id, industry, n);
            }
        }
        r.finish()
    }

    /// The trend of the roll-up of the cells `within` contains.
    fn trend(&self, scope: &Scope, within: &dyn Fn(&Cell) -> bool) -> Vec<TrendPoint> {
        self.periods
            .iter()
            .map(|p| {
                TrendPoint::of(
                    p.key(),
                    p.label_zh(),
                    &self.rollup(scope, within, &p.key(), false),
                )
            })
            .collect()
    }
}

/// The cells a scope counts.
fn contained(scope: &ScopeUnit) -> impl Fn(&Cell) -> bool + '_ {
    move |cell| chain::scope_contains(scope, &cell.member())
}

/// A summary as stored, with the name of who filed it.
#[derive(sqlx::FromRow)]
struct StoredSummary {
    unit_id: String,
    version: i64,
    submitted_at: String,
    submitted_by: String,
    remarks: String,
    content_json: String,
}

/// The latest summary of each unit for a period.
#[tracing::instrument(skip(db))]
pub async fn latest_summaries(
    db: &Db,
    period_key: &str,
) -> Result<HashMap<String, SummaryRecord>, AppError> {
    let rows: Vec<StoredSummary> = sqlx::query_as(
        "SELECT s.unit_id, s.version, s.submitted_at, COALESCE(u.display_name, '') AS submitted_by, s.remarks, s.content_json \
         FROM summary s LEFT JOIN app_user u ON u.user_id = s.submitted_by WHERE s.period_key = $1 ORDER BY s.version",
    )
    .bind(period_key)
    .fetch_all(db)
    .await?;
    let mut out = HashMap::new();
    for row in rows {
        let rollup: Rollup = serde_json::from_str(&row.content_json).map_err(json_error)?;
        let submitted_at = crate::ssr::db::kunming_text(&row.submitted_at);
        out.insert(
            row.unit_id.clone(),
            SummaryRecord {
                unit_id: row.unit_id,
                version: row.version,
                submitted_at,
                submitted_by: row.submitted_by,
                remarks: row.remarks,
                rollup,
            },
        );
    }
    Ok(out)
}

/// The breadcrumbs from the top of what `user` may see down to `scope`.
fn crumbs(user: &UserView, scope: &Scope) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if user.role == Role::CityOfficeStaff && scope.kind != ScopeKind::City {
        out.push((String::new(), "全市".to_string()));
    }
    if matches!(scope.kind, ScopeKind::Department | ScopeKind::Township)
        && matches!(user.role, Role::CityOfficeStaff | Role::CountyOfficeStaff)
    {
        if let (Some(id), Some(name)) = (&scope.county_id, &scope.county_name) {
            out.push((id.clone(), name.clone()));
        }
    }
    out.push((scope.unit_id.clone(), scope.name.clone()));
    if scope.kind == ScopeKind::City {
        out.last_mut().unwrap().0 = String::new();
    }
    out
}

fn child_line(
    unit: &ScopedUnit,
    r: &Rollup,
    own: Option<&LatestFiling>,
    summary: Option<&SummaryRecord>,
) -> ChildLine {
    ChildLine {
        unit_id: unit.unit_id.clone(),
        name: unit.name.clone(),
        kind: unit.kind,
        expected: r.expected,
        filed: r.filed(),
        late: r.filed_late,
        missing: r.missing,
        unmet_items: r.unmet_items(),
        own_status: own.map(|f| f.status),
        summary: summary.cloned(),
    }
}

/// The units below a scope that can be drilled into, with their own scope's counts: the
/// counties of the city; the departments and townships of a county.
async fn children(
    db: &Db,
    scope: &Scope,
    listed: &[ScopedUnit],
    counted: &Counted,
    period_key: &str,
    filings: &HashMap<String, LatestFiling>,
    summaries: &HashMap<String, SummaryRecord>,
) -> Result<Vec<ChildLine>, AppError> {
    let child_kinds = scope.kind.child_kinds();
    if child_kinds.is_empty() {
        return Ok(vec![]);
    }
    // A county's departments open scopes of the industries they supervise.
    let industries = if scope.kind == ScopeKind::County {
        crate::ssr::units::industries_of_departments(db, scope.county_id.as_deref()).await?
    } else {
        HashMap::new()
    };
    let mut out = Vec::new();
    for child in listed.iter().filter(|u| child_kinds.contains(&u.kind)) {
        let Some(kind) = ScopeKind::of(child.kind) else {
            continue;
        };
        let child_scope = ScopeUnit {
            kind,
            unit_id: child.unit_id.clone(),
            county_id: child.county_id.clone(),
            industries: industries.get(&child.unit_id).cloned().unwrap_or_default(),
        };
        let r = counted.rollup(scope, &contained(&child_scope), period_key, false);
        out.push(child_line(
            child,
            &r,
            filings.get(&child.unit_id),
            summaries.get(&child.unit_id),
        ));
    }
    Ok(out)
}

/// Everything the roll-up page shows.
#[tracing::instrument(skip(db, clock, user), fields(user = %user.user_id))]
pub async fn rollup_view(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    period: &str,
    unit: &str,
    row: &str,
) -> Result<RollupView, AppError> {
    let now = clock.now();
    let period = crate::model::filing::period_or_default(period, now)?;
    let scope = scope::resolve(db, user, unit).await?;
    let chain_scope = scope::chain_scope(db, &scope).await?;
    let counted = Counted::load(db, &scope, period, false, true).await?;
    let within = contained(&chain_scope);
    let rollup = counted.rollup(&scope, &within, &period.key(), false);
    let previous = counted.rollup(&scope, &within, &period.previous().key(), false);
    let change = rollup::change(&previous, &rollup);
    let listed = scope::listed_units(db, &scope, &chain_scope, period).await?;
    let filings = scope::latest_of(db, &period.key(), &scope::ids_and_kinds(&listed)).await?;
    let summaries = latest_summaries(db, &period.key()).await?;
    let children = children(
        db,
        &scope,
        &listed,
        &counted,
        &period.key(),
        &filings,
        &summaries,
    )
    .await?;
    let lines = listed
        .iter()
        .map(|u| {
            let latest = filings.get(&u.unit_id);
            UnitLine {
                unit_id: u.unit_id.clone(),
                name: u.name.clone(),
                kind: u.kind,
                group: scope::group_of(&scope, u),
                status: latest.map(|l| l.status),
                late: latest.map(|l| l.late).unwrap_or(false),
                version: latest.map(|l| l.version),
                unmet: latest.map(|l| l.unmet.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let row = if row.is_empty() {
        None
    } else {
        let def = crate::domain::forms::row(row).ok_or(AppError::NotFound)?;
        Some(RowDetail {
            row_id: def.id.to_string(),
            row_text: def.text.to_string(),
            units: scope::units_with_unmet_row(db, &scope, &chain_scope, &period.key(), def.id)
                .await?,
        })
    };
    let trend = counted.trend(&scope, &within);
    let summary = chain::summary_filer(&chain_scope).and_then(|u| summaries.get(u).cloned());
    let own_scope = chain::files_summary_of(&access::viewer(db, user).await?, &chain_scope);
    let can_file_summary = own_scope && now >= period.window().opens_at;
    let own_filing = match scope.kind {
        ScopeKind::City => None,
        _ => {
            let status = own_status(db, &scope.unit_id, &period).await?;
            Some((scope.unit_id.clone(), status))
        }
    };
    Ok(RollupView {
        crumbs: crumbs(user, &scope),
        period,
        scope,
        rollup,
        previous,
        change,
        periods: crate::model::filing::recent_periods(now),
        children,
        units: lines,
        row,
        trend,
        summary,
        can_file_summary,
        own_filing,
    })
}

/// The status of the latest non-draft version of a unit's own filing for a period.
#[tracing::instrument(skip(db))]
async fn own_status(
    db: &Db,
    unit_id: &str,
    period: &Period,
) -> Result<Option<FilingStatus>, AppError> {
    let status: Option<String> = sqlx::query_scalar(
        "SELECT status FROM filing WHERE unit_id = $1 AND period_key = $2 AND status <> $3 ORDER BY version DESC LIMIT 1",
    )
    .bind(unit_id)
    .bind(period.key())
    .bind(FilingStatus::Draft.code())
    .fetch_optional(db)
    .await?;
    Ok(status
        .map(|s| parse_code("status", &s, FilingStatus::parse))
        .transpose()?)
}

/// Files the summary of the user's own scope (a department; a county office for its county)
/// for `period`: the roll-up of the accepted filings, as a new version, audited in the same
/// transaction. Not before the period's window opens.
///
/// Guard: the filer's unit row, held from the transaction's start (no-op UPDATE), so filings
/// of one scope run one after another and each reads the facts after the one before it
/// committed; the unique (unit_id, period_key, version) backs this up (`Conflict::TryAgain`).
#[tracing::instrument(skip(db, clock, user, remarks), fields(user = %user.user_id, period = %period.key()))]
pub async fn file_summary(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    period: Period,
    remarks: &str,
) -> Result<i64, AppError> {
    let unit_id = match user.role {
        Role::DepartmentStaff => user.unit_id.clone(),
        Role::CountyOfficeStaff => user.county_id.clone().ok_or(AppError::Forbidden)?,
        _ => return Err(AppError::Forbidden),
    };
    let remarks = remarks.trim();
    if remarks.chars().count() > 2000 {
        return Err(AppError::field("remarks", "err.too_long"));
    }
    let now = clock.now();
    if now < period.window().opens_at {
        return Err(AppError::field("period", "err.summary_too_early"));
    }
    let scope = scope::resolve(db, user, &unit_id).await?;
    let mut tx = crate::ssr::db::begin_write(db).await?;
    // The filer's summaries are filed one at a time: the unit's row is held (a no-op UPDATE)
    // until commit, and the facts are read after that, so a later version never carries
    // older facts than the one before it.
    sqlx::query("UPDATE unit SET name = name WHERE unit_id = $1")
        .bind(&unit_id)
        .execute(&mut *tx)
        .await?;
    let chain_scope = scope::chain_scope(db, &scope).await?;
    // A summary is of one period: no trend, no change.
    let counted = Counted::load(db, &scope, period, false, false).await?;
    let summary = counted.rollup(&scope, &contained(&chain_scope), &period.key(), true);
    let content = serde_json::to_string(&summary).map_err(json_error)?;
    let latest: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(version) FROM summary WHERE unit_id = $1 AND period_key = $2",
    )
    .bind(&unit_id)
    .bind(period.key())
    .fetch_one(&mut *tx)
    .await?;
    let version = latest.unwrap_or(0) + 1;
    let summary_id = new_id();
    // Guard: the unique (unit, period, version): of two filings at once one lands, the other
    // is told to try again (409), never a 500.
    let inserted = sqlx::query(
        "INSERT INTO summary (summary_id, unit_id, period_key, version, content_json, remarks, submitted_at, submitted_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&summary_id)
    .bind(&unit_id)
    .bind(period.key())
    .bind(version)
    .bind(&content)
    .bind(remarks)
    .bind(ts(now))
    .bind(&user.user_id)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if crate::ssr::db::is_unique_violation(&e) => {
            return Err(AppError::Conflict(crate::error::Conflict::TryAgain))
        }
        Err(e) => return Err(AppError::from(e)),
    }
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: "summary.file",
            subject_kind: "unit",
            subject_id: &unit_id,
            before: None,
            after: Some(serde_json::json!({
                "period": period.key(),
                "version": version,
                "expected": summary.expected,
                "accepted": summary.accepted,
                "unmet_items": summary.unmet_items(),
                "remarks": remarks,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// The city government's report for a period.
#[tracing::instrument(skip(db, clock, user), fields(user = %user.user_id))]
pub async fn city_report(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    period: &str,
) -> Result<CityReport, AppError> {
    let now = clock.now();
    let period = crate::model::filing::period_or_default(period, now)?;
    let city = scope::resolve(db, user, "").await?;
    let city_scope = scope::chain_scope(db, &city).await?;
    let counted = Counted::load(db, &city, period, true, true).await?;
    let in_city = contained(&city_scope);
    let listed = scope::listed_units(db, &city, &city_scope, period).await?;
    let filings = scope::latest_of(db, &period.key(), &scope::ids_and_kinds(&listed)).await?;
    let summaries = latest_summaries(db, &period.key()).await?;
    let mut counties = Vec::new();
    for county in listed
        .iter()
        .filter(|u| u.kind.is_county_level_government())
    {
        // Everything the city counts in the county but the county's government itself.
        let in_county = |cell: &Cell| {
            in_city(cell)
                && cell.county_id == county.unit_id
                && !cell.kind.is_county_level_government()
        };
        let own = filings.get(&county.unit_id);
        counties.push(ReportCounty {
            unit_id: county.unit_id.clone(),
            name: county.name.clone(),
            rollup: counted.rollup(&city, &in_county, &period.key(), false),
            own_status: own.map(|f| f.status),
            own_late: own.map(|f| f.late).unwrap_or(false),
            summary: summaries.get(&county.unit_id).cloned(),
        });
    }
    let city_departments = listed
        .iter()
        .filter(|u| u.kind == UnitKind::Department && u.county_id.is_none())
        .map(|u| {
            let f = filings.get(&u.unit_id);
            (
                u.name.clone(),
                f.map(|f| f.status),
                f.map(|f| f.late).unwrap_or(false),
            )
        })
        .collect();
    Ok(CityReport {
        compiled_on: kunming_date(now).format("%Y年%m月%d日").to_string(),
        periods: crate::model::filing::recent_periods(now),
        total: counted.rollup(&city, &in_city, &period.key(), false),
        previous: counted.rollup(&city, &in_city, &period.previous().key(), false),
        counties,
        city_departments,
        gaps: coverage_gaps(db, period).await?,
        trend: counted.trend(&city, &in_city),
        period,
    })
}

/// Enterprises expected to file for `period` whose industry no department supervises in their
/// county (无盲区: a gap is a finding): (county, industry, number of enterprises).
#[tracing::instrument(skip(db))]
pub async fn coverage_gaps(
    db: &Db,
    period: Period,
) -> Result<Vec<(String, String, usize)>, AppError> {
    let rows: Vec<CoverageGap> = sqlx::query_as(
        // From the kept units per cell (`ssr::counts`), summed per (county, industry) first
        // (a few hundred groups), then each group checked for a department: checking each of
        // the thousands of cells took 60 ms at 100k, this takes 10.
        "SELECT c.name AS county, g.industry AS industry_code, g.enterprises FROM \
         (SELECT county_id, industry, CAST(SUM(units) AS BIGINT) AS enterprises FROM unit_cell \
          WHERE kind = $1 AND industry <> '' AND first_period <= $2 AND (last_period = '' OR last_period >= $2) \
          GROUP BY county_id, industry) g \
         JOIN unit c ON c.unit_id = g.county_id \
         WHERE NOT EXISTS (SELECT 1 FROM department_industry d JOIN unit dn ON dn.unit_id = d.unit_id \
                           WHERE d.industry_code = g.industry AND dn.county_id = g.county_id) \
         ORDER BY c.area_code, g.industry",
    )
    .bind(UnitKind::Enterprise.code())
    .bind(period.key())
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|gap| {
            let name = industry_name_zh(&gap.industry_code)
                .unwrap_or(&gap.industry_code)
                .to_string();
            (gap.county, name, gap.enterprises as usize)
        })
        .collect())
}

/// Enterprises of one industry in one county that no department there supervises.
#[derive(sqlx::FromRow)]
struct CoverageGap {
    county: String,
    industry_code: String,
    enterprises: i64,
}

/// The units list of a roll-up as an export table.
pub fn units_table(view: &RollupView) -> Table {
    Table {
        name: "单位".into(),
        headers: [
            "单位",
            "类别",
            "分组",
            "状态",
            "逾期",
            "版本",
            "不落实事项数",
            "不落实事项",
        ]
        .map(str::to_string)
        .to_vec(),
        rows: view
            .units
            .iter()
            .map(|u| {
                vec![
                    u.name.clone(),
                    u.kind.label_zh().to_string(),
                    u.group.clone(),
                    crate::ssr::table::status_zh(u.status).to_string(),
                    if u.late { "是" } else { "否" }.to_string(),
                    u.version.map(|v| v.to_string()).unwrap_or_default(),
                    u.unmet.len().to_string(),
                    u.unmet
                        .iter()
                        .map(|i| format!("{}：{}", i.row_id, i.explanation))
                        .collect::<Vec<_>>()
                        .join("；"),
                ]
            })
            .collect(),
    }
}

/// The trend of a roll-up as an export table.
pub fn trend_table(view: &RollupView) -> Table {
    Table {
        name: "趋势".into(),
        headers: [
            "申报期",
            "应报",
            "已报",
            "逾期",
            "完成率（%）",
            "有不落实事项单位",
            "不落实事项数",
        ]
        .map(str::to_string)
        .to_vec(),
        rows: view
            .trend
            .iter()
            .map(|p| {
                vec![
                    p.label.clone(),
                    p.expected.to_string(),
                    p.filed.to_string(),
                    p.filed_late.to_string(),
                    format!("{:.1}", p.completeness() * 100.0),
                    p.with_unmet.to_string(),
                    p.unmet_items.to_string(),
                ]
            })
            .collect(),
    }
}

/// The filings of a scope's units for a period, one line per answered row of each unit's
/// latest submitted version.
#[tracing::instrument(skip(db, user), fields(user = %user.user_id, period = %period.key()))]
pub async fn filings_table(
    db: &Db,
    user: &UserView,
    period: Period,
    unit: &str,
) -> Result<Table, AppError> {
    let scope = scope::resolve(db, user, unit).await?;
    let units = scope::units(db, &scope).await?;
    let filings = scope::latest_filings(db, &period.key()).await?;
    let answers: Vec<StoredAnswer> = sqlx::query_as(
        "SELECT a.filing_id, a.row_id, a.answer, a.explanation FROM filing_answer a JOIN filing f ON f.filing_id = a.filing_id \
         WHERE f.period_key = $1 AND f.status <> $2",
    )
    .bind(period.key())
    .bind(FilingStatus::Draft.code())
    .fetch_all(db)
    .await?;
    // 代填: the versions entered from paper, with the paper's date and who entered them.
    let on_paper: HashMap<String, String> = sqlx::query_as::<_, (String, String, String)>(
        "SELECT f.filing_id, f.paper_date, COALESCE(u.display_name, '') FROM filing f LEFT JOIN app_user u ON u.user_id = f.entered_by \
         WHERE f.period_key = $1 AND f.paper_date IS NOT NULL",
    )
    .bind(period.key())
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|(id, date, by)| (id, format!("{date} {by}")))
    .collect();
    let mut by_filing: HashMap<&str, Vec<(&str, Answer, &str)>> = HashMap::new();
    for a in &answers {
        let answer = parse_code("answer", &a.answer, Answer::parse)?;
        by_filing.entry(a.filing_id.as_str()).or_default().push((
            a.row_id.as_str(),
            answer,
            a.explanation.as_str(),
        ));
    }
    let mut rows = Vec::new();
    for u in &units {
        let Some(f) = filings.get(&u.unit_id) else {
            continue;
        };
        let mut lines = by_filing.remove(f.filing_id.as_str()).unwrap_or_default();
        lines.sort_by_key(|(row, _, _)| {
            crate::domain::forms::all_rows()
                .position(|r| r.id == *row)
                .unwrap_or(usize::MAX)
        });
        for (row, answer, why) in lines {
            let def = crate::domain::forms::row(row);
            rows.push(vec![
                u.name.clone(),
                u.kind.label_zh().to_string(),
                u.county_name.clone().unwrap_or_default(),
                u.industry
                    .as_deref()
                    .and_then(industry_name_zh)
                    .unwrap_or("")
                    .to_string(),
                f.version.to_string(),
                crate::ssr::table::status_zh(Some(f.status)).to_string(),
                if f.late { "是" } else { "否" }.to_string(),
                on_paper.get(&f.filing_id).cloned().unwrap_or_default(),
                format!("表{}", row.split('.').next().unwrap_or("")),
                row.to_string(),
                def.map(|d| d.text.to_string()).unwrap_or_default(),
                answer.label_zh().to_string(),
                why.to_string(),
            ]);
        }
    }
    Ok(Table {
        name: "申报明细".into(),
        headers: [
            "单位",
            "类别",
            "县（市）区",
            "行业",
            "版本",
            "状态",
            "逾期",
            "纸质代填",
            "表",
            "项目编号",
            "项目",
            "落实情况",
            "说明",
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
    })
}

/// One answer of a filing, as stored.
#[derive(sqlx::FromRow)]
struct StoredAnswer {
    filing_id: String,
    row_id: String,
    answer: String,
    explanation: String,
}

/// The city report's county table as an export table.
pub fn report_table(report: &CityReport) -> Table {
    Table {
        name: "全市汇总".into(),
        headers: [
            "县（市）区",
            "应报",
            "按时已报",
            "逾期补报",
            "未报",
            "已受理",
            "有不落实事项单位",
            "不落实事项数",
            "本级申报",
            "汇总上报",
        ]
        .map(str::to_string)
        .to_vec(),
        rows: report
            .counties
            .iter()
            .map(|c: &ReportCounty| {
                vec![
                    c.name.clone(),
                    c.rollup.expected.to_string(),
                    c.rollup.filed_on_time.to_string(),
                    c.rollup.filed_late.to_string(),
                    c.rollup.missing.to_string(),
                    c.rollup.accepted.to_string(),
                    c.rollup.with_unmet.to_string(),
                    c.rollup.unmet_items().to_string(),
                    crate::ssr::table::status_zh(c.own_status).to_string(),
                    c.summary
                        .as_ref()
                        .map(|s| format!("第{}版 {}", s.version, s.submitted_at))
                        .unwrap_or_else(|| "未上报".to_string()),
                ]
            })
            .collect(),
    }
}
