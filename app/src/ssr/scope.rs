//! Scopes of a roll-up and its drill-down (107号 四、(二) 申报程序): the whole city, one
//! county-level area, one department's enterprises, one township's enterprises; who may look
//! at which (a user only within its unit's subtree), the units each counts, and the facts of
//! their filings for a period.

use crate::domain::filing::FilingStatus;
use crate::domain::rollup::{FiledFacts, UnitFacts};
use crate::domain::unit::{industry_name_zh, Role, UnitKind};
use crate::error::AppError;
use crate::model::rollup::{Scope, ScopeKind};
use crate::model::UserView;
use crate::ssr::db::Db;
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
}

const SCOPED_SELECT: &str = "SELECT n.unit_id, n.name, n.kind, n.county_id, c.name, e.industry_code, e.township_id, t.name \
     FROM unit n LEFT JOIN unit c ON c.unit_id = n.county_id LEFT JOIN enterprise e ON e.unit_id = n.unit_id \
     LEFT JOIN unit t ON t.unit_id = e.township_id";

type ScopedTuple = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn scoped(rows: Vec<ScopedTuple>) -> Vec<ScopedUnit> {
    rows.into_iter()
        .filter_map(
            |(
                unit_id,
                name,
                kind,
                county_id,
                county_name,
                industry,
                township_id,
                township_name,
            )| {
                Some(ScopedUnit {
                    unit_id,
                    name,
                    kind: UnitKind::parse(&kind)?,
                    county_id,
                    county_name,
                    industry,
                    township_id,
                    township_name,
                })
            },
        )
        .collect()
}

/// The scope named by `unit` (a unit id; empty for the user's own), if the user may see it:
/// the city office sees everything; a county office its own county, and that county's
/// departments and townships; a department only itself.
pub async fn resolve(db: &Db, user: &UserView, unit: &str) -> Result<Scope, AppError> {
    let unit_id = if unit.is_empty() {
        match user.role {
            Role::CityOfficeStaff => city_government_id(db).await?,
            Role::CountyOfficeStaff => user.county_id.clone().ok_or(AppError::Forbidden)?,
            Role::DepartmentStaff => user.unit_id.clone(),
            _ => return Err(AppError::Forbidden),
        }
    } else {
        unit.to_string()
    };
    let row = crate::ssr::units::unit_by_id(db, &unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = match row.kind {
        UnitKind::CityGovernment => ScopeKind::City,
        UnitKind::CountyGovernment | UnitKind::ManagementCommittee => ScopeKind::County,
        UnitKind::Department => ScopeKind::Department,
        UnitKind::Township => ScopeKind::Township,
        UnitKind::SafetyOffice | UnitKind::Enterprise => return Err(AppError::NotFound),
    };
    let allowed = match user.role {
        Role::CityOfficeStaff => true,
        Role::CountyOfficeStaff => kind != ScopeKind::City && row.county_id == user.county_id,
        Role::DepartmentStaff => kind == ScopeKind::Department && row.unit_id == user.unit_id,
        _ => false,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    Ok(Scope {
        kind,
        unit_id: row.unit_id,
        name: row.name,
        county_id: row.county_id,
        county_name: row.county_name,
    })
}

async fn city_government_id(db: &Db) -> Result<String, AppError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT unit_id FROM unit WHERE kind = 'city_government' ORDER BY unit_id LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| r.0).ok_or(AppError::NotFound)
}

/// The units a scope counts:
/// - the city: every filing unit (county-level governments, departments, townships, enterprises);
/// - a county: its departments, townships and enterprises (its government's own forms are
///   counted by the city);
/// - a department: the enterprises of the industries it supervises, in its county (a
///   city-level department: in the whole city);
/// - a township: the enterprises in it.
pub async fn units(db: &Db, scope: &Scope) -> Result<Vec<ScopedUnit>, AppError> {
    let rows: Vec<ScopedTuple> = match scope.kind {
        ScopeKind::City => sqlx::query_as(&format!(
            "{SCOPED_SELECT} WHERE n.kind IN ('county_government', 'management_committee', 'department', 'township', 'enterprise') \
             ORDER BY n.area_code, n.name"
        ))
        .fetch_all(db)
        .await,
        ScopeKind::County => sqlx::query_as(&format!(
            "{SCOPED_SELECT} WHERE n.county_id = $1 AND n.kind IN ('department', 'township', 'enterprise') ORDER BY n.name"
        ))
        .bind(scope.county_id.clone().unwrap_or_default())
        .fetch_all(db)
        .await,
        ScopeKind::Department => sqlx::query_as(&format!(
            "{SCOPED_SELECT} WHERE n.kind = 'enterprise' AND ($1 = '' OR n.county_id = $1) \
             AND e.industry_code IN (SELECT industry_code FROM department_industry WHERE unit_id = $2) ORDER BY n.name"
        ))
        .bind(scope.county_id.clone().unwrap_or_default())
        .bind(&scope.unit_id)
        .fetch_all(db)
        .await,
        ScopeKind::Township => sqlx::query_as(&format!(
            "{SCOPED_SELECT} WHERE n.kind = 'enterprise' AND e.township_id = $1 ORDER BY n.name"
        ))
        .bind(&scope.unit_id)
        .fetch_all(db)
        .await,
    }?;
    Ok(scoped(rows))
}

/// The group a unit is counted under in a scope's charts: by county for the city; by kind
/// (enterprises by industry) for a county; by township for a department; by industry for a
/// township.
pub fn group_of(scope: &Scope, u: &ScopedUnit) -> String {
    let industry = |u: &ScopedUnit| {
        u.industry
            .as_deref()
            .map(|i| industry_name_zh(i).unwrap_or(i).to_string())
            .unwrap_or_else(|| "—".to_string())
    };
    match scope.kind {
        ScopeKind::City => u.county_name.clone().unwrap_or_else(|| "市级".to_string()),
        ScopeKind::County => match u.kind {
            UnitKind::Enterprise => format!("企业·{}", industry(u)),
            k => k.label_zh().to_string(),
        },
        ScopeKind::Department => u.township_name.clone().unwrap_or_else(|| "—".to_string()),
        ScopeKind::Township => industry(u),
    }
}

/// The latest non-draft version of each unit's filing for a period, with its unmet binding
/// rows and their explanations.
#[derive(Clone, Debug)]
pub struct LatestFiling {
    pub filing_id: String,
    pub version: i64,
    pub status: FilingStatus,
    pub late: bool,
    /// (row id, explanation), binding rows answered 不落实 only.
    pub unmet: Vec<(String, String)>,
}

/// Latest non-draft filings of the period, by unit id (the whole period: callers pick).
pub async fn latest_filings(
    db: &Db,
    period_key: &str,
) -> Result<HashMap<String, LatestFiling>, AppError> {
    let filings: Vec<(String, String, i64, String, i64, String)> = sqlx::query_as(
        "SELECT f.unit_id, f.filing_id, f.version, f.status, f.late, n.kind FROM filing f JOIN unit n ON n.unit_id = f.unit_id \
         WHERE f.period_key = $1 AND f.status <> 'draft' \
         AND f.version = (SELECT MAX(g.version) FROM filing g WHERE g.unit_id = f.unit_id AND g.period_key = f.period_key AND g.status <> 'draft')",
    )
    .bind(period_key)
    .fetch_all(db)
    .await?;
    let unmet: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT a.filing_id, a.row_id, a.explanation FROM filing_answer a JOIN filing f ON f.filing_id = a.filing_id \
         WHERE f.period_key = $1 AND f.status <> 'draft' AND a.answer = 'not_done' ORDER BY a.row_id",
    )
    .bind(period_key)
    .fetch_all(db)
    .await?;
    let mut by_filing: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (filing_id, row, explanation) in unmet {
        by_filing
            .entry(filing_id)
            .or_default()
            .push((row, explanation));
    }
    Ok(filings
        .into_iter()
        .filter_map(|(unit_id, filing_id, version, status, late, kind)| {
            let binding = crate::domain::filing::binding_kind(UnitKind::parse(&kind)?);
            let unmet = by_filing
                .remove(&filing_id)
                .unwrap_or_default()
                .into_iter()
                .filter(|(row, _)| {
                    crate::domain::forms::row(row)
                        .map(|r| r.is_binding_for(binding))
                        .unwrap_or(false)
                })
                .collect();
            Some((
                unit_id,
                LatestFiling {
                    filing_id,
                    version,
                    status: FilingStatus::parse(&status)?,
                    late: late == 1,
                    unmet,
                },
            ))
        })
        .collect())
}

/// The roll-up facts of a scope's units, in the order of `units`.
pub fn facts(
    scope: &Scope,
    units: &[ScopedUnit],
    filings: &HashMap<String, LatestFiling>,
) -> Vec<UnitFacts> {
    units
        .iter()
        .map(|u| UnitFacts {
            unit_id: u.unit_id.clone(),
            group: group_of(scope, u),
            industry: u.industry.clone(),
            filing: filings.get(&u.unit_id).map(|f| FiledFacts {
                status: f.status,
                late: f.late,
                unmet_rows: f.unmet.iter().map(|(row, _)| row.clone()).collect(),
            }),
        })
        .collect()
}

/// The roll-up facts of a scope for a period.
pub async fn scope_facts(
    db: &Db,
    scope: &Scope,
    period_key: &str,
) -> Result<Vec<UnitFacts>, AppError> {
    let units = units(db, scope).await?;
    let filings = latest_filings(db, period_key).await?;
    Ok(facts(scope, &units, &filings))
}

/// The industries each department of a county (or the city, for `None`) supervises.
pub async fn department_industries(
    db: &Db,
    county_id: Option<&str>,
) -> Result<HashMap<String, Vec<String>>, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT d.unit_id, d.industry_code FROM department_industry d JOIN unit n ON n.unit_id = d.unit_id \
         WHERE ($1 = '' AND n.county_id IS NULL) OR n.county_id = $1",
    )
    .bind(county_id.unwrap_or_default())
    .fetch_all(db)
    .await?;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (unit, industry) in rows {
        map.entry(unit).or_default().push(industry);
    }
    Ok(map)
}
