//! Scopes of a roll-up and its drill-down (107号 四、(二) 申报程序): the whole city, one
//! county-level area, one department's enterprises, one township's enterprises; who may look
//! at which (a user only within its unit's subtree), the units each counts, and the facts of
//! their filings for a period.

use crate::domain::chain::{self, Member, ScopeUnit};
use crate::domain::filing::{FilingStatus, UnmetItem};
use crate::domain::forms::Answer;
use crate::domain::lifecycle::Life;
use crate::domain::period::Period;
use crate::domain::unit::{industry_name_zh, UnitKind};
use crate::error::AppError;
use crate::model::rollup::{Scope, ScopeKind};
use crate::model::UserView;
use crate::ssr::access;
use crate::ssr::counts::Cell;
use crate::ssr::db::{parse_code, Db};
use std::collections::HashMap;

/// A unit counted in a scope, with where it sits.
#[derive(Clone, Debug)]
pub struct ScopedUnit {
    pub unit_id: String,
    pub name: String,
    pub kind: UnitKind,
    pub county_id: Option<String>,
    pub county_name: Option<String>,
    pub industry: Option<String>,
    pub township_id: Option<String>,
    pub township_name: Option<String>,
    /// When it opened and closed: the periods it is expected to file for.
    pub life: Life,
}

const SCOPED_SELECT: &str = "SELECT n.unit_id, n.name, n.kind, n.county_id, c.name AS county_name, e.industry_code, e.township_id, t.name AS township_name, \
     n.opened_on, n.closed_on \
     FROM unit n LEFT JOIN unit c ON c.unit_id = n.county_id LEFT JOIN enterprise e ON e.unit_id = n.unit_id \
     LEFT JOIN unit t ON t.unit_id = e.township_id";

/// A unit of a scope as read.
#[derive(sqlx::FromRow)]
struct ScopedLine {
    unit_id: String,
    name: String,
    kind: String,
    county_id: Option<String>,
    county_name: Option<String>,
    industry_code: Option<String>,
    township_id: Option<String>,
    township_name: Option<String>,
    opened_on: String,
    closed_on: Option<String>,
}

impl ScopedUnit {
    /// The unit's place in the chain.
    pub fn member(&self) -> Member {
        Member {
            unit_id: self.unit_id.clone(),
            kind: self.kind,
            county_id: self.county_id.clone(),
            industry: self.industry.clone(),
            township_id: self.township_id.clone(),
        }
    }
}

impl ScopedLine {
    fn decode(self) -> Result<ScopedUnit, sqlx::Error> {
        Ok(ScopedUnit {
            unit_id: self.unit_id,
            name: self.name,
            kind: parse_code("kind", &self.kind, UnitKind::parse)?,
            county_id: self.county_id,
            county_name: self.county_name,
            industry: self.industry_code,
            township_id: self.township_id,
            township_name: self.township_name,
            life: crate::ssr::db::stored_life(&self.opened_on, self.closed_on.as_deref())?,
        })
    }
}

/// The scope named by `unit` (a unit id; empty for the user's own), if the user may see it
/// ([`chain::may_view_scope`]): the city office sees everything; a county office its own
/// county, and that county's departments and townships; a department only itself.
pub async fn resolve(db: &Db, user: &UserView, unit: &str) -> Result<Scope, AppError> {
    let viewer = access::viewer(db, user).await?;
    let unit_id = if unit.is_empty() {
        let city = city_government_id(db).await?;
        chain::default_scope_unit(&viewer, &city).ok_or(AppError::Forbidden)?
    } else {
        unit.to_string()
    };
    let row = crate::ssr::units::unit_by_id(db, &unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = ScopeKind::of(row.kind).ok_or(AppError::NotFound)?;
    let scope = Scope {
        kind,
        unit_id: row.unit_id,
        name: row.name,
        county_id: row.county_id,
        county_name: row.county_name,
    };
    if !chain::may_view_scope(&viewer, &chain_scope(db, &scope).await?) {
        return Err(AppError::Forbidden);
    }
    Ok(scope)
}

/// The chain's view of a scope: a department's scope with the industries it supervises.
pub async fn chain_scope(db: &Db, scope: &Scope) -> Result<ScopeUnit, AppError> {
    let industries = if scope.kind == ScopeKind::Department {
        crate::ssr::units::department_industries(db, &scope.unit_id).await?
    } else {
        vec![]
    };
    Ok(ScopeUnit {
        kind: scope.kind,
        unit_id: scope.unit_id.clone(),
        county_id: scope.county_id.clone(),
        industries,
    })
}

async fn city_government_id(db: &Db) -> Result<String, AppError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT unit_id FROM unit WHERE kind = $1 ORDER BY unit_id LIMIT 1")
            .bind(UnitKind::CityGovernment.code())
            .fetch_optional(db)
            .await?;
    row.map(|r| r.0).ok_or(AppError::NotFound)
}

/// The units a scope counts ([`chain::scope_contains`]), by area then name for the city and
/// by name below it. The SQL loads the candidates (the kinds the scope counts, in its county
/// when it has one); the chain decides.
pub async fn units(db: &Db, scope: &Scope) -> Result<Vec<ScopedUnit>, AppError> {
    let chain_scope = chain_scope(db, scope).await?;
    let kinds = scope.kind.counted_kinds();
    let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 2)).collect();
    let order = if scope.kind == ScopeKind::City {
        "n.area_code, n.name"
    } else {
        "n.name"
    };
    let sql = format!(
        "{SCOPED_SELECT} WHERE ($1 = '' OR n.county_id = $1) AND n.kind IN ({}) ORDER BY {order}",
        placeholders.join(", ")
    );
    let mut q =
        sqlx::query_as::<_, ScopedLine>(&sql).bind(scope.county_id.clone().unwrap_or_default());
    for k in kinds {
        q = q.bind(k.code());
    }
    let mut out = Vec::new();
    for line in q.fetch_all(db).await? {
        let unit = line.decode()?;
        if chain::scope_contains(&chain_scope, &unit.member()) {
            out.push(unit);
        }
    }
    Ok(out)
}

/// The group a unit is counted under in a scope's charts: by county for the city; by kind
/// (enterprises by industry) for a county; by township for a department; by industry for a
/// township.
pub fn group_of(scope: &Scope, u: &ScopedUnit) -> String {
    group_of_place(
        scope,
        u.kind,
        u.county_name.as_deref(),
        u.industry.as_deref(),
        u.township_name.as_deref(),
    )
}

/// [`group_of`] for a cell of the kept counts, with the names of counties and townships.
pub fn group_of_cell(scope: &Scope, cell: &Cell, names: &HashMap<String, String>) -> String {
    let name = |id: &str| {
        (!id.is_empty())
            .then(|| names.get(id).map(String::as_str))
            .flatten()
    };
    group_of_place(
        scope,
        cell.kind,
        name(&cell.county_id),
        (!cell.industry.is_empty()).then_some(cell.industry.as_str()),
        name(&cell.township_id),
    )
}

fn group_of_place(
    scope: &Scope,
    kind: UnitKind,
    county_name: Option<&str>,
    industry: Option<&str>,
    township_name: Option<&str>,
) -> String {
    let industry = || {
        industry
            .map(|i| industry_name_zh(i).unwrap_or(i).to_string())
            .unwrap_or_else(|| "—".to_string())
    };
    match scope.kind {
        ScopeKind::City => county_name.unwrap_or("市级").to_string(),
        ScopeKind::County => match kind {
            UnitKind::Enterprise => format!("企业·{}", industry()),
            k => k.label_zh().to_string(),
        },
        ScopeKind::Department => township_name.unwrap_or("—").to_string(),
        ScopeKind::Township => industry(),
    }
}

/// The names of the county-level governments and townships, by unit id (the groups of the
/// roll-ups).
pub async fn place_names(db: &Db) -> Result<HashMap<String, String>, AppError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT unit_id, name FROM unit WHERE kind IN ($1, $2, $3)")
            .bind(UnitKind::CountyGovernment.code())
            .bind(UnitKind::ManagementCommittee.code())
            .bind(UnitKind::Township.code())
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().collect())
}

/// The units a scope's page lists as its own lines for `period` ([`chain::lists`]), in the
/// order of [`units`]: the SQL loads the candidates (the units filing to the city's or a
/// county's office; a department's or a township's enterprises), the chain decides, and of
/// those only the units expected to file for the period are listed ([`Life::expects`]: one
/// not open in it is not "missing").
pub async fn listed_units(
    db: &Db,
    scope: &Scope,
    chain_scope: &ScopeUnit,
    period: Period,
) -> Result<Vec<ScopedUnit>, AppError> {
    let enterprise = UnitKind::Enterprise.code();
    // Every kind but enterprises, named, so that the indexes unit_by_kind and unit_county
    // find the few hundred units without walking past every enterprise (`<>` would).
    let offices: Vec<String> = UnitKind::ALL
        .iter()
        .filter(|k| **k != UnitKind::Enterprise)
        .map(|k| format!("'{}'", k.code()))
        .collect();
    let offices = offices.join(", ");
    let (filter, order) = match scope.kind {
        ScopeKind::City => (format!("n.kind IN ({offices})"), "n.area_code, n.name"),
        ScopeKind::County => (
            format!("n.kind IN ({offices}) AND n.county_id = $1"),
            "n.name",
        ),
        ScopeKind::Department if scope.county_id.is_some() => (
            format!("n.kind = '{enterprise}' AND n.county_id = $1"),
            "n.name",
        ),
        ScopeKind::Department => (format!("n.kind = '{enterprise}'"), "n.name"),
        ScopeKind::Township => (
            format!("n.kind = '{enterprise}' AND e.township_id = $1"),
            "n.name",
        ),
    };
    let sql = format!("{SCOPED_SELECT} WHERE {filter} ORDER BY {order}");
    let mut q = sqlx::query_as::<_, ScopedLine>(&sql);
    if let Some(v) = crate::ssr::counts::place_value(scope) {
        q = q.bind(v);
    }
    let mut out = Vec::new();
    for line in q.fetch_all(db).await? {
        let unit = line.decode()?;
        if chain::lists(chain_scope, &unit.member()) && unit.life.expects(period) {
            out.push(unit);
        }
    }
    Ok(out)
}

/// (unit id, kind) of each unit, as [`latest_of`] asks.
pub fn ids_and_kinds(units: &[ScopedUnit]) -> Vec<(String, UnitKind)> {
    units.iter().map(|u| (u.unit_id.clone(), u.kind)).collect()
}

/// A latest filing as kept in `latest_filing`.
#[derive(sqlx::FromRow)]
struct KeptLine {
    unit_id: String,
    filing_id: String,
    version: i64,
    status: String,
    late: i64,
    nil: i64,
}

/// The latest non-draft filings of the period of `units` (unit id, kind), with their unmet
/// binding rows and explanations, read from the kept `latest_filing` by key: as much work as
/// there are units asked about, however many the city has.
pub async fn latest_of(
    db: &Db,
    period_key: &str,
    units: &[(String, UnitKind)],
) -> Result<HashMap<String, LatestFiling>, AppError> {
    let kinds: HashMap<&str, UnitKind> = units.iter().map(|(id, k)| (id.as_str(), *k)).collect();
    let mut out = HashMap::with_capacity(units.len());
    for chunk in units.chunks(500) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT unit_id, filing_id, version, status, late, nil FROM latest_filing WHERE period_key = $1 AND unit_id IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query_as::<_, KeptLine>(&sql).bind(period_key);
        for (unit_id, _) in chunk {
            q = q.bind(unit_id);
        }
        let lines = q.fetch_all(db).await?;
        let with_unmet: Vec<&KeptLine> = lines.iter().filter(|l| l.nil == 0).collect();
        let mut unmet_of: HashMap<String, Vec<UnmetItem>> = HashMap::new();
        if !with_unmet.is_empty() {
            let marks: Vec<String> = (0..with_unmet.len())
                .map(|i| format!("${}", i + 2))
                .collect();
            let sql = format!(
                "SELECT filing_id, row_id, explanation FROM filing_answer WHERE answer = $1 AND filing_id IN ({}) ORDER BY row_id",
                marks.join(", ")
            );
            let mut q = sqlx::query_as::<_, UnmetLine>(&sql).bind(Answer::NotDone.code());
            for l in &with_unmet {
                q = q.bind(&l.filing_id);
            }
            for u in q.fetch_all(db).await? {
                unmet_of.entry(u.filing_id).or_default().push(UnmetItem {
                    row_id: u.row_id,
                    explanation: u.explanation,
                });
            }
        }
        for l in lines {
            let Some(kind) = kinds.get(l.unit_id.as_str()) else {
                continue;
            };
            let unmet = unmet_of
                .remove(&l.filing_id)
                .unwrap_or_default()
                .into_iter()
                .filter(|item| crate::domain::filing::binds(*kind, &item.row_id))
                .collect();
            out.insert(
                l.unit_id,
                LatestFiling {
                    filing_id: l.filing_id,
                    version: l.version,
                    status: parse_code("status", &l.status, FilingStatus::parse)?,
                    late: l.late == 1,
                    nil: l.nil == 1,
                    unmet,
                },
            );
        }
    }
    Ok(out)
}

/// A unit with an unmet answer of one row, as read for a drill-down.
#[derive(sqlx::FromRow)]
struct RowUnitLine {
    unit_id: String,
    name: String,
    kind: String,
    county_id: String,
    industry: String,
    township_id: String,
    row_id: String,
    explanation: String,
}

/// Drill-down to a row (107号 四、(二) 汇总: which units answered it 不落实, and why): the
/// units of the scope whose latest filing of the period answers `row_id` 不落实 where it
/// binds them, by name; read by the row's index, not by scanning the period.
pub async fn units_with_unmet_row(
    db: &Db,
    scope: &Scope,
    chain_scope: &ScopeUnit,
    period_key: &str,
    row_id: &str,
) -> Result<Vec<(String, String, String)>, AppError> {
    let order = if scope.kind == ScopeKind::City {
        "n.area_code, n.name"
    } else {
        "n.name"
    };
    let lines: Vec<RowUnitLine> = sqlx::query_as(&format!(
        "SELECT l.unit_id, n.name, l.kind, l.county_id, l.industry, l.township_id, a.row_id, a.explanation \
         FROM filing_answer a CROSS JOIN latest_filing l JOIN unit n ON n.unit_id = l.unit_id \
         WHERE l.filing_id = a.filing_id AND a.row_id = $1 AND a.answer = '{not_done}' AND l.period_key = $2 \
         ORDER BY {order}",
        // A literal, so that the partial index filing_answer_unmet_by_row (migration 11)
        // serves it on both databases; CROSS JOIN makes SQLite start from those answers
        // (without it, it read the period's every latest filing first: 0.40 s instead of
        // 0.03 s at 100k). PostgreSQL plans it as the inner join it is.
        not_done = Answer::NotDone.code()
    ))
    .bind(row_id)
    .bind(period_key)
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    for l in lines {
        let cell = Cell::decode(l.county_id, &l.kind, l.industry, l.township_id)?;
        if crate::domain::filing::binds(cell.kind, &l.row_id)
            && chain::scope_contains(chain_scope, &cell.member())
        {
            out.push((l.unit_id, l.name, l.explanation));
        }
    }
    Ok(out)
}

/// The latest non-draft version of each unit's filing for a period, with its unmet binding
/// rows and their explanations.
#[derive(Clone, Debug)]
pub struct LatestFiling {
    pub filing_id: String,
    pub version: i64,
    pub status: FilingStatus,
    pub late: bool,
    /// Whether it is nil, as stored at submission.
    pub nil: bool,
    /// (row id, explanation), binding rows answered 不落实 only.
    pub unmet: Vec<UnmetItem>,
}

/// A filing as read for the roll-ups.
#[derive(sqlx::FromRow)]
struct LatestLine {
    unit_id: String,
    filing_id: String,
    version: i64,
    status: String,
    late: i64,
    nil: Option<i64>,
    kind: String,
}

/// An unmet answer as read.
#[derive(sqlx::FromRow)]
struct UnmetLine {
    filing_id: String,
    row_id: String,
    explanation: String,
}

/// Latest non-draft filings of the period, by unit id (the whole period: callers pick).
#[tracing::instrument(skip(db))]
pub async fn latest_filings(
    db: &Db,
    period_key: &str,
) -> Result<HashMap<String, LatestFiling>, AppError> {
    let filings: Vec<LatestLine> = sqlx::query_as(
        "SELECT f.unit_id, f.filing_id, f.version, f.status, f.late, f.nil, n.kind FROM filing f JOIN unit n ON n.unit_id = f.unit_id \
         WHERE f.period_key = $1 AND f.status <> $2 \
         AND f.version = (SELECT MAX(g.version) FROM filing g WHERE g.unit_id = f.unit_id AND g.period_key = f.period_key AND g.status <> $2)",
    )
    .bind(period_key)
    .bind(FilingStatus::Draft.code())
    .fetch_all(db)
    .await?;
    let unmet: Vec<UnmetLine> = sqlx::query_as(
        "SELECT a.filing_id, a.row_id, a.explanation FROM filing_answer a JOIN filing f ON f.filing_id = a.filing_id \
         WHERE f.period_key = $1 AND f.status <> $2 AND a.answer = $3 ORDER BY a.row_id",
    )
    .bind(period_key)
    .bind(FilingStatus::Draft.code())
    .bind(Answer::NotDone.code())
    .fetch_all(db)
    .await?;
    let mut by_filing: HashMap<String, Vec<UnmetItem>> = HashMap::new();
    for u in unmet {
        by_filing.entry(u.filing_id).or_default().push(UnmetItem {
            row_id: u.row_id,
            explanation: u.explanation,
        });
    }
    let mut out = HashMap::with_capacity(filings.len());
    for f in filings {
        let kind = parse_code("kind", &f.kind, UnitKind::parse)?;
        let unmet = by_filing
            .remove(&f.filing_id)
            .unwrap_or_default()
            .into_iter()
            .filter(|item| crate::domain::filing::binds(kind, &item.row_id))
            .collect();
        let status = parse_code("status", &f.status, FilingStatus::parse)?;
        out.insert(
            f.unit_id,
            LatestFiling {
                filing_id: f.filing_id,
                version: f.version,
                status,
                late: f.late == 1,
                nil: f.nil == Some(1),
                unmet,
            },
        );
    }
    Ok(out)
}
