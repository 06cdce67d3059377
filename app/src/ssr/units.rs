//! SQL for the unit hierarchy: units, the industries departments supervise, enterprises.

use crate::domain::unit::UnitKind;
use crate::model::UnitRow;
use crate::ssr::db::{ts, Db};
use chrono::{DateTime, Utc};
use sqlx::{Any, Transaction};

/// A unit to insert.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NewUnit {
    pub unit_id: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<String>,
    pub county_id: Option<String>,
    pub area_code: Option<String>,
}

#[tracing::instrument(skip(tx))]
pub async fn insert_unit(
    tx: &mut Transaction<'_, Any>,
    unit: &NewUnit,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO unit (unit_id, name, kind, parent_id, county_id, area_code, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&unit.unit_id)
    .bind(&unit.name)
    .bind(unit.kind.code())
    .bind(unit.parent_id.clone())
    .bind(unit.county_id.clone())
    .bind(unit.area_code.clone())
    .bind(ts(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_department_industry(
    tx: &mut Transaction<'_, Any>,
    unit_id: &str,
    industry_code: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO department_industry (unit_id, industry_code) VALUES ($1, $2)")
        .bind(unit_id)
        .bind(industry_code)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What is known of an enterprise beyond its unit row.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EnterpriseDetails {
    pub township_id: Option<String>,
    pub industry_code: String,
    pub address: String,
    pub legal_representative: String,
    pub headcount: i64,
}

pub async fn insert_enterprise(
    tx: &mut Transaction<'_, Any>,
    unit_id: &str,
    e: &EnterpriseDetails,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO enterprise (unit_id, township_id, industry_code, address, legal_representative, headcount) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(unit_id)
    .bind(e.township_id.clone())
    .bind(&e.industry_code)
    .bind(&e.address)
    .bind(&e.legal_representative)
    .bind(e.headcount)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

type UnitTuple = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const UNIT_SELECT: &str = "SELECT n.unit_id, n.name, n.kind, n.parent_id, p.name, n.county_id, c.name, e.industry_code, t.name \
     FROM unit n LEFT JOIN unit p ON p.unit_id = n.parent_id LEFT JOIN unit c ON c.unit_id = n.county_id \
     LEFT JOIN enterprise e ON e.unit_id = n.unit_id LEFT JOIN unit t ON t.unit_id = e.township_id";

fn unit_row(t: UnitTuple) -> Option<UnitRow> {
    let (
        unit_id,
        name,
        kind,
        parent_id,
        parent_name,
        county_id,
        county_name,
        industry_code,
        township_name,
    ) = t;
    Some(UnitRow {
        unit_id,
        name,
        kind: UnitKind::parse(&kind)?,
        parent_id,
        parent_name,
        county_id,
        county_name,
        industry_code,
        township_name,
    })
}

pub async fn unit_by_id(db: &Db, unit_id: &str) -> Result<Option<UnitRow>, sqlx::Error> {
    let row: Option<UnitTuple> = sqlx::query_as(&format!("{UNIT_SELECT} WHERE n.unit_id = $1"))
        .bind(unit_id)
        .fetch_optional(db)
        .await?;
    Ok(row.and_then(unit_row))
}

/// Units matching a filter, by county then kind then name. `county_id` limits to one
/// county-level area; `kind` to one kind; `search` to names containing it.
#[tracing::instrument(skip(db))]
pub async fn list_units(
    db: &Db,
    county_id: Option<&str>,
    kind: Option<UnitKind>,
    search: Option<&str>,
    limit: i64,
) -> Result<Vec<UnitRow>, sqlx::Error> {
    let sql = format!(
        "{UNIT_SELECT} WHERE ($1 = '' OR n.county_id = $1) AND ($2 = '' OR n.kind = $2) AND ($3 = '' OR n.name LIKE $4) \
         ORDER BY c.area_code, n.kind, n.name LIMIT $5"
    );
    let search = search.unwrap_or_default();
    let rows: Vec<UnitTuple> = sqlx::query_as(&sql)
        .bind(county_id.unwrap_or_default())
        .bind(kind.map(|k| k.code()).unwrap_or_default())
        .bind(search)
        .bind(format!("%{search}%"))
        .bind(limit)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().filter_map(unit_row).collect())
}

/// How many units of `kind` lie in the county-level area `county_id` (all areas if `None`).
pub async fn count_units(
    db: &Db,
    county_id: Option<&str>,
    kind: UnitKind,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM unit WHERE ($1 = '' OR county_id = $1) AND kind = $2")
            .bind(county_id.unwrap_or_default())
            .bind(kind.code())
            .fetch_one(db)
            .await?;
    Ok(n)
}

/// The county-level departments that supervise `industry_code` in `county_id`
/// (107号 四、(二)1: 按行业性质向所在地县（市）区负有安全生产监管职能的部门申报).
pub async fn supervising_departments(
    db: &Db,
    county_id: &str,
    industry_code: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n.unit_id, n.name FROM unit n JOIN department_industry d ON d.unit_id = n.unit_id \
         WHERE n.kind = 'department' AND n.county_id = $1 AND d.industry_code = $2 ORDER BY n.name",
    )
    .bind(county_id)
    .bind(industry_code)
    .fetch_all(db)
    .await
}

/// The industries a department supervises, in the order of 107号 三、(二).
pub async fn department_industries(db: &Db, unit_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT d.industry_code FROM department_industry d JOIN industry i ON i.industry_code = d.industry_code \
         WHERE d.unit_id = $1 ORDER BY i.sort_order",
    )
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How many enterprises in `county_id` are in one of the industries `unit_id` supervises.
pub async fn count_supervised_enterprises(
    db: &Db,
    department_id: &str,
    county_id: &str,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM unit n JOIN enterprise e ON e.unit_id = n.unit_id \
         WHERE n.county_id = $1 AND e.industry_code IN (SELECT industry_code FROM department_industry WHERE unit_id = $2)",
    )
    .bind(county_id)
    .bind(department_id)
    .fetch_one(db)
    .await?;
    Ok(n)
}

/// The county-level governments and management committees, in the order of their codes.
pub async fn county_governments(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT unit_id, name FROM unit WHERE kind IN ('county_government', 'management_committee') ORDER BY area_code",
    )
    .fetch_all(db)
    .await
}

pub async fn unit_exists(db: &Db) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM unit")
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}
