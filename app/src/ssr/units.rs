//! SQL for the unit hierarchy: units, the industries departments supervise, enterprises.

use crate::domain::chain::Member;
use crate::domain::lifecycle::Life;
use crate::domain::period::Period;
use crate::domain::unit::UnitKind;
use crate::model::{MergeLink, UnitRow};
use crate::ssr::db::{date_text, parse_code, stored_life, ts, Db};
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// A unit to insert.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NewUnit {
    pub unit_id: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<String>,
    pub county_id: Option<String>,
    pub area_code: Option<String>,
    /// When it opened and, if it has, closed (the periods it is expected to file for).
    pub life: Life,
}

/// Inserts a unit.
///
/// Guard: the primary key and the unique (parent_id, name); callers map the violation
/// (`admin::create_unit`: `err.name_taken`; a concurrent seed rolls back whole).
#[tracing::instrument(skip(tx))]
pub async fn insert_unit(
    tx: &mut AnyConnection,
    unit: &NewUnit,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO unit (unit_id, name, kind, parent_id, county_id, area_code, created_at, opened_on, closed_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&unit.unit_id)
    .bind(&unit.name)
    .bind(unit.kind.code())
    .bind(unit.parent_id.clone())
    .bind(unit.county_id.clone())
    .bind(unit.area_code.clone())
    .bind(ts(at))
    .bind(date_text(unit.life.opened_on()))
    .bind(unit.life.closed_on().map(date_text))
    .execute(&mut *tx)
    .await?;
    // An enterprise is counted once its industry and township are known (insert_enterprise).
    if unit.kind != UnitKind::Enterprise {
        crate::ssr::counts::unit_added(tx, &unit.unit_id).await?;
    }
    Ok(())
}

pub async fn insert_department_industry(
    tx: &mut AnyConnection,
    unit_id: &str,
    industry_code: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO department_industry (unit_id, industry_code) VALUES ($1, $2)")
        .bind(unit_id)
        .bind(industry_code)
        .execute(&mut *tx)
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
    tx: &mut AnyConnection,
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
    .execute(&mut *tx)
    .await?;
    crate::ssr::counts::unit_added(tx, unit_id).await?;
    Ok(())
}

/// A unit as listed, as read.
#[derive(sqlx::FromRow)]
struct UnitLine {
    unit_id: String,
    name: String,
    kind: String,
    parent_id: Option<String>,
    parent_name: Option<String>,
    county_id: Option<String>,
    county_name: Option<String>,
    industry_code: Option<String>,
    township_id: Option<String>,
    township_name: Option<String>,
    opened_on: String,
    closed_on: Option<String>,
}

const UNIT_SELECT: &str = "SELECT n.unit_id, n.name, n.kind, n.parent_id, p.name AS parent_name, n.county_id, c.name AS county_name, \
     e.industry_code, e.township_id, t.name AS township_name, n.opened_on, n.closed_on \
     FROM unit n LEFT JOIN unit p ON p.unit_id = n.parent_id LEFT JOIN unit c ON c.unit_id = n.county_id \
     LEFT JOIN enterprise e ON e.unit_id = n.unit_id LEFT JOIN unit t ON t.unit_id = e.township_id";

impl UnitLine {
    fn decode(self) -> Result<UnitRow, sqlx::Error> {
        Ok(UnitRow {
            unit_id: self.unit_id,
            name: self.name,
            kind: parse_code("kind", &self.kind, UnitKind::parse)?,
            parent_id: self.parent_id,
            parent_name: self.parent_name,
            county_id: self.county_id,
            county_name: self.county_name,
            industry_code: self.industry_code,
            township_id: self.township_id,
            township_name: self.township_name,
            life: stored_life(&self.opened_on, self.closed_on.as_deref())?,
        })
    }
}

#[tracing::instrument(skip(db))]
pub async fn unit_by_id(db: &Db, unit_id: &str) -> Result<Option<UnitRow>, sqlx::Error> {
    let row: Option<UnitLine> = sqlx::query_as(&format!("{UNIT_SELECT} WHERE n.unit_id = $1"))
        .bind(unit_id)
        .fetch_optional(db)
        .await?;
    row.map(UnitLine::decode).transpose()
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
    let rows: Vec<UnitLine> = sqlx::query_as(&sql)
        .bind(county_id.unwrap_or_default())
        .bind(kind.map(|k| k.code()).unwrap_or_default())
        .bind(search)
        .bind(format!("%{search}%"))
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.into_iter().map(UnitLine::decode).collect()
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

pub async fn unit_exists(db: &Db) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM unit")
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// The county-level governments and management committees, in the order of their codes.
pub async fn county_governments(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT unit_id, name FROM unit WHERE kind IN ($1, $2) ORDER BY area_code")
        .bind(UnitKind::CountyGovernment.code())
        .bind(UnitKind::ManagementCommittee.code())
        .fetch_all(db)
        .await
}

/// A unit's place in the reporting chain, as read.
#[derive(sqlx::FromRow)]
struct MemberRow {
    unit_id: String,
    name: String,
    kind: String,
    county_id: Option<String>,
    industry_code: Option<String>,
    township_id: Option<String>,
}

const MEMBER_SELECT: &str =
    "SELECT n.unit_id, n.name, n.kind, n.county_id, e.industry_code, e.township_id \
     FROM unit n LEFT JOIN enterprise e ON e.unit_id = n.unit_id";

impl MemberRow {
    fn decode(self) -> Result<(Member, String), sqlx::Error> {
        let r = self;
        Ok((
            Member {
                unit_id: r.unit_id,
                kind: parse_code("kind", &r.kind, UnitKind::parse)?,
                county_id: r.county_id,
                industry: r.industry_code,
                township_id: r.township_id,
            },
            r.name,
        ))
    }
}

/// One unit's place in the chain (see [`crate::domain::chain`]).
#[tracing::instrument(skip(db))]
pub async fn member(db: &Db, unit_id: &str) -> Result<Option<Member>, sqlx::Error> {
    let row: Option<MemberRow> = sqlx::query_as(&format!("{MEMBER_SELECT} WHERE n.unit_id = $1"))
        .bind(unit_id)
        .fetch_optional(db)
        .await?;
    row.map(|r| r.decode().map(|m| m.0)).transpose()
}

/// The units of the given kinds (in `county_id` if given), with their names, by name: the
/// candidates the chain's rules are asked about.
#[tracing::instrument(skip(db))]
pub async fn members(
    db: &Db,
    kinds: &[UnitKind],
    county_id: Option<&str>,
) -> Result<Vec<(Member, String)>, sqlx::Error> {
    if kinds.is_empty() {
        return Ok(vec![]);
    }
    let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "{MEMBER_SELECT} WHERE ($1 = '' OR n.county_id = $1) AND n.kind IN ({}) ORDER BY n.name, n.unit_id",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<_, MemberRow>(&sql).bind(county_id.unwrap_or_default());
    for k in kinds {
        q = q.bind(k.code());
    }
    q.fetch_all(db)
        .await?
        .into_iter()
        .map(MemberRow::decode)
        .collect()
}

/// The industries each department of a county (or of the city, for `None`) supervises.
#[tracing::instrument(skip(db))]
pub async fn industries_of_departments(
    db: &Db,
    county_id: Option<&str>,
) -> Result<HashMap<String, Vec<String>>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT d.unit_id, d.industry_code FROM department_industry d JOIN unit n ON n.unit_id = d.unit_id \
         JOIN industry i ON i.industry_code = d.industry_code \
         WHERE ($1 = '' AND n.county_id IS NULL) OR n.county_id = $1 ORDER BY i.sort_order",
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

/// Why a unit's dates cannot be changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LifeRefused {
    /// No such unit.
    NoUnit,
    /// The unit has filed (a submitted version) for a period the new dates leave out: the
    /// first such period's key.
    FiledOutside(String),
    /// The unit is a duplicate merged into another and the dates leave it open: it would be
    /// expected for every later period, and it files no more (`merge_enterprise`).
    MergedStaysClosed,
}

/// Sets a unit's opening and closing dates, in the caller's transaction: moves its count in
/// `unit_cell` to the periods of its new life and stamps `updated_at` (the ladder weighs it
/// again). Returns the life before. Refused when the unit has filed for a period the new life
/// does not expect (its filings would count where it is not expected).
///
/// Guard: the UPDATE of the unit's row comes first and holds it until commit; a submission
/// checks the unit's life after taking the same row (`filings::submit`), so either it sees
/// the new dates or this sees its filing.
#[tracing::instrument(skip(tx))]
pub async fn set_life(
    tx: &mut AnyConnection,
    unit_id: &str,
    life: &Life,
    at: DateTime<Utc>,
) -> Result<Result<Life, LifeRefused>, sqlx::Error> {
    let held = sqlx::query("UPDATE unit SET name = name WHERE unit_id = $1")
        .bind(unit_id)
        .execute(&mut *tx)
        .await?;
    if held.rows_affected() == 0 {
        return Ok(Err(LifeRefused::NoUnit));
    }
    let (opened, closed): (String, Option<String>) =
        sqlx::query_as("SELECT opened_on, closed_on FROM unit WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_one(&mut *tx)
            .await?;
    let before = stored_life(&opened, closed.as_deref())?;
    if life.closed_on().is_none() && merged_into(tx, unit_id).await?.is_some() {
        return Ok(Err(LifeRefused::MergedStaysClosed));
    }
    let counted = crate::ssr::counts::placed(tx, unit_id).await?;
    let filed: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT period_key FROM filing WHERE unit_id = $1 AND status <> $2 ORDER BY period_key",
    )
    .bind(unit_id)
    .bind(crate::domain::filing::FilingStatus::Draft.code())
    .fetch_all(&mut *tx)
    .await?;
    if let Some(outside) = filed
        .into_iter()
        .find(|k| crate::domain::period::Period::parse_key(k).is_some_and(|p| !life.expects(p)))
    {
        return Ok(Err(LifeRefused::FiledOutside(outside)));
    }
    sqlx::query(
        "UPDATE unit SET opened_on = $1, closed_on = $2, updated_at = $3 WHERE unit_id = $4",
    )
    .bind(date_text(life.opened_on()))
    .bind(life.closed_on().map(date_text))
    .bind(ts(at))
    .bind(unit_id)
    .execute(&mut *tx)
    .await?;
    crate::ssr::counts::recount_unit(tx, unit_id, &counted).await?;
    Ok(Ok(before))
}

/// A unit's life, read after holding its row until commit (a no-op UPDATE): what a
/// submission checks, so that a change of dates and a filing run one after the other.
pub async fn life_held(tx: &mut AnyConnection, unit_id: &str) -> Result<Option<Life>, sqlx::Error> {
    sqlx::query("UPDATE unit SET name = name WHERE unit_id = $1")
        .bind(unit_id)
        .execute(&mut *tx)
        .await?;
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT opened_on, closed_on FROM unit WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_optional(&mut *tx)
            .await?;
    row.map(|(o, c)| stored_life(&o, c.as_deref())).transpose()
}

/// A unit's life, if the unit exists.
pub async fn life_of(db: &Db, unit_id: &str) -> Result<Option<Life>, sqlx::Error> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT opened_on, closed_on FROM unit WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_optional(db)
            .await?;
    row.map(|(o, c)| stored_life(&o, c.as_deref())).transpose()
}

/// Where an enterprise stands: its county-level area, township (if known) and industry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Place {
    pub county_id: String,
    pub township_id: Option<String>,
    pub industry: String,
}

/// Why an enterprise cannot be moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveRefused {
    /// No such enterprise.
    NoEnterprise,
    /// Another unit of the new county has its name (`unit_name_under_parent`).
    NameTaken,
}

/// Moves an enterprise to another county, township or industry, in the caller's
/// transaction; returns where it was. The periods its old place keeps
/// ([`crate::domain::lifecycle::moved_until`]: those whose window closed before today, and any
/// it already filed for) are recorded in `unit_past_place`, so their filings stay with the
/// chain they went to and their counts where they were; the periods after go with the unit.
/// Stamps `updated_at` (the ladder weighs it again) and moves its kept counts.
///
/// Guard: the unit's row is held first (a no-op UPDATE) and the place and filings read after
/// it; a submission holds the same row (`filings::submit` via [`life_held`]), so a filing
/// lands either before the move (and stays behind) or after it (and goes along). The unique
/// (parent_id, name) refuses a name the new county already has.
#[tracing::instrument(skip(tx))]
pub async fn move_enterprise(
    tx: &mut AnyConnection,
    unit_id: &str,
    to: &Place,
    at: DateTime<Utc>,
) -> Result<Result<Place, MoveRefused>, sqlx::Error> {
    sqlx::query("UPDATE unit SET name = name WHERE unit_id = $1")
        .bind(unit_id)
        .execute(&mut *tx)
        .await?;
    let from: Option<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT COALESCE(n.county_id, ''), e.township_id, e.industry_code FROM unit n JOIN enterprise e ON e.unit_id = n.unit_id \
         WHERE n.unit_id = $1",
    )
    .bind(unit_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((county_id, township_id, industry)) = from else {
        return Ok(Err(MoveRefused::NoEnterprise));
    };
    let from = Place {
        county_id,
        township_id,
        industry,
    };
    if from == *to {
        return Ok(Ok(from));
    }
    let counted = crate::ssr::counts::placed(tx, unit_id).await?;
    let last_filed: Option<String> = sqlx::query_scalar(
        "SELECT MAX(period_key) FROM filing WHERE unit_id = $1 AND status <> $2",
    )
    .bind(unit_id)
    .bind(crate::domain::filing::FilingStatus::Draft.code())
    .fetch_one(&mut *tx)
    .await?;
    let until = crate::domain::lifecycle::moved_until(
        crate::domain::time::kunming_date(at),
        last_filed
            .as_deref()
            .and_then(crate::domain::period::Period::parse_key),
    );
    // A place that held periods keeps them; one left before holding any (two moves between
    // the same windows) is not recorded: the row already there keeps those periods.
    sqlx::query(
        "INSERT INTO unit_past_place (unit_id, until_period, county_id, industry, township_id, moved_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unit_id, until_period) DO NOTHING",
    )
    .bind(unit_id)
    .bind(until.key())
    .bind(&from.county_id)
    .bind(&from.industry)
    .bind(from.township_id.clone().unwrap_or_default())
    .bind(ts(at))
    .execute(&mut *tx)
    .await?;
    let moved = sqlx::query(
        "UPDATE unit SET parent_id = $1, county_id = $1, updated_at = $2 WHERE unit_id = $3",
    )
    .bind(&to.county_id)
    .bind(ts(at))
    .bind(unit_id)
    .execute(&mut *tx)
    .await;
    match moved {
        Ok(_) => {}
        Err(e) if crate::ssr::db::is_unique_violation(&e) => {
            return Ok(Err(MoveRefused::NameTaken))
        }
        Err(e) => return Err(e),
    }
    sqlx::query("UPDATE enterprise SET township_id = $1, industry_code = $2 WHERE unit_id = $3")
        .bind(to.township_id.clone())
        .bind(&to.industry)
        .bind(unit_id)
        .execute(&mut *tx)
        .await?;
    crate::ssr::counts::recount_unit(tx, unit_id, &counted).await?;
    Ok(Ok(from))
}

/// The places moved units had for `period_key`, as members of the chain, by unit id: where
/// their filings of that period went (units not listed stand where they are now).
#[tracing::instrument(skip(db))]
pub async fn members_at(db: &Db, period_key: &str) -> Result<HashMap<String, Member>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT p.unit_id, n.kind, p.county_id, p.industry, p.township_id FROM unit_past_place p \
         JOIN unit n ON n.unit_id = p.unit_id WHERE p.until_period >= $1 \
         AND p.until_period = (SELECT MIN(q.until_period) FROM unit_past_place q WHERE q.unit_id = p.unit_id AND q.until_period >= $1)",
    )
    .bind(period_key)
    .fetch_all(db)
    .await?;
    let some = |s: String| (!s.is_empty()).then_some(s);
    rows.into_iter()
        .map(|(unit_id, kind, county_id, industry, township_id)| {
            Ok((
                unit_id.clone(),
                Member {
                    unit_id,
                    kind: parse_code("kind", &kind, UnitKind::parse)?,
                    county_id: some(county_id),
                    industry: some(industry),
                    township_id: some(township_id),
                },
            ))
        })
        .collect()
}

/// The unit `unit_id` was merged into, if it was (a duplicate registration).
pub async fn merged_into(
    conn: &mut AnyConnection,
    unit_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT kept_unit_id FROM unit_merge WHERE merged_unit_id = $1")
        .bind(unit_id)
        .fetch_optional(&mut *conn)
        .await
}

/// The unit `unit_id` was merged into, with its name and the merge's date.
#[tracing::instrument(skip(db))]
pub async fn kept_for(db: &Db, unit_id: &str) -> Result<Option<MergeLink>, sqlx::Error> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT n.unit_id, n.name, m.merged_on FROM unit_merge m JOIN unit n ON n.unit_id = m.kept_unit_id \
         WHERE m.merged_unit_id = $1",
    )
    .bind(unit_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(merge_link))
}

fn merge_link((unit_id, name, merged_on): (String, String, String)) -> MergeLink {
    MergeLink {
        unit_id,
        name,
        merged_on,
    }
}

/// The duplicates merged into `unit_id`, oldest merge first.
#[tracing::instrument(skip(db))]
pub async fn merged_from(db: &Db, unit_id: &str) -> Result<Vec<MergeLink>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT n.unit_id, n.name, m.merged_on FROM unit_merge m JOIN unit n ON n.unit_id = m.merged_unit_id \
         WHERE m.kept_unit_id = $1 ORDER BY m.merged_at, n.unit_id",
    )
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(merge_link).collect())
}

/// The enterprises of `county_id` other than `unit_id` not merged into another, by name:
/// those `unit_id` may be merged into.
#[tracing::instrument(skip(db))]
pub async fn merge_candidates(
    db: &Db,
    unit_id: &str,
    county_id: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n.unit_id, n.name FROM unit n WHERE n.county_id = $1 AND n.kind = $2 AND n.unit_id <> $3 \
         AND NOT EXISTS (SELECT 1 FROM unit_merge m WHERE m.merged_unit_id = n.unit_id) ORDER BY n.name, n.unit_id",
    )
    .bind(county_id)
    .bind(UnitKind::Enterprise.code())
    .bind(unit_id)
    .fetch_all(db)
    .await
}

/// Why a duplicate cannot be merged into the enterprise chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MergeRefused {
    /// The duplicate does not exist.
    NoUnit,
    /// A unit merged into itself.
    Itself,
    /// One of the two is no enterprise (or the one kept does not exist).
    NotEnterprise,
    /// The two lie in different county-level areas.
    OtherCounty,
    /// The duplicate was already merged.
    AlreadyMerged,
    /// The unit chosen to be kept was itself merged into another.
    IntoMerged,
    /// The duplicate filed for this period (its key), whose window had not closed: the
    /// enterprise's current filing is the duplicate's, and the kept unit would owe the period
    /// again (or both would stand for it).
    FiledCurrent(String),
}

/// What a merge changed, for its audit record.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Merged {
    /// The duplicate's life before; its life after is closed as of the merge.
    pub life_before: Life,
    pub life_after: Life,
    /// The accounts moved from the duplicate to the unit kept.
    pub users: Vec<String>,
    /// The credit code the kept unit took from the duplicate, if it had none.
    pub credit_code: Option<String>,
}

/// An enterprise as a merge reads it, after holding its row.
#[derive(sqlx::FromRow)]
struct MergeSide {
    kind: String,
    county_id: Option<String>,
    credit_code: Option<String>,
    opened_on: String,
    closed_on: Option<String>,
}

async fn merge_side(
    tx: &mut AnyConnection,
    unit_id: &str,
) -> Result<Option<MergeSide>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n.kind, n.county_id, e.credit_code, n.opened_on, n.closed_on FROM unit n \
         LEFT JOIN enterprise e ON e.unit_id = n.unit_id WHERE n.unit_id = $1",
    )
    .bind(unit_id)
    .fetch_optional(&mut *tx)
    .await
}

/// The periods a unit submitted for (any version not a draft), oldest first.
async fn filed_periods(tx: &mut AnyConnection, unit_id: &str) -> Result<Vec<Period>, sqlx::Error> {
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT period_key FROM filing WHERE unit_id = $1 AND status <> $2 ORDER BY period_key",
    )
    .bind(unit_id)
    .bind(crate::domain::filing::FilingStatus::Draft.code())
    .fetch_all(&mut *tx)
    .await?;
    Ok(keys.iter().filter_map(|k| Period::parse_key(k)).collect())
}

/// Merges the duplicate enterprise `merged_id` into `kept_id` (same county), in the caller's
/// transaction. Nothing of the duplicate is deleted: its filings, reviews, escalations and
/// audit records stay under its id (both histories are kept, and a period's filings stay
/// with the chain they went to, 107号 四、(二)). It is closed as of the merge
/// ([`crate::domain::lifecycle::merged_closing`], through [`set_life`], which moves its kept
/// counts), its accounts move to the kept unit, the kept unit takes its credit code when it
/// has none, and `unit_merge` links the two.
///
/// Guard: both units' rows are held first (no-op UPDATEs, in the order of their ids, so two
/// merges of the same pair in opposite directions wait instead of deadlocking) and everything
/// is read after that. A submission holds its unit's row too and then checks for a merge
/// (`filings::submit`), so a filing lands either before the merge (and is weighed here) or
/// not at all; the primary key of `unit_merge` refuses a second merge of the same duplicate.
#[tracing::instrument(skip(tx))]
pub async fn merge_enterprise(
    tx: &mut AnyConnection,
    merged_id: &str,
    kept_id: &str,
    at: DateTime<Utc>,
) -> Result<Result<Merged, MergeRefused>, sqlx::Error> {
    if merged_id == kept_id {
        return Ok(Err(MergeRefused::Itself));
    }
    let mut ids = [merged_id, kept_id];
    ids.sort_unstable();
    for id in ids {
        sqlx::query("UPDATE unit SET name = name WHERE unit_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let Some(dup) = merge_side(tx, merged_id).await? else {
        return Ok(Err(MergeRefused::NoUnit));
    };
    let Some(kept) = merge_side(tx, kept_id).await? else {
        return Ok(Err(MergeRefused::NotEnterprise));
    };
    let enterprise = UnitKind::Enterprise.code();
    if dup.kind != enterprise || kept.kind != enterprise {
        return Ok(Err(MergeRefused::NotEnterprise));
    }
    if dup.county_id != kept.county_id {
        return Ok(Err(MergeRefused::OtherCounty));
    }
    if merged_into(tx, merged_id).await?.is_some() {
        return Ok(Err(MergeRefused::AlreadyMerged));
    }
    if merged_into(tx, kept_id).await?.is_some() {
        return Ok(Err(MergeRefused::IntoMerged));
    }
    let day = crate::domain::time::kunming_date(at);
    let current = crate::domain::lifecycle::first_current(day);
    let dup_filed = filed_periods(tx, merged_id).await?;
    if let Some(filed) = dup_filed.iter().find(|p| **p >= current) {
        return Ok(Err(MergeRefused::FiledCurrent(filed.key())));
    }
    let before = stored_life(&dup.opened_on, dup.closed_on.as_deref())?;
    let closing = crate::domain::lifecycle::merged_closing(&before, day, dup_filed.last().copied());
    // A duplicate already closed earlier keeps its closing.
    let closing = before.closed_on().map_or(closing, |c| c.min(closing));
    let after = Life::new(before.opened_on(), Some(closing))
        .expect("merged_closing is never before the opening");
    if let Err(refused) = set_life(tx, merged_id, &after, at).await? {
        // merged_closing keeps every period filed for: set_life cannot refuse it.
        return Err(sqlx::Error::Protocol(format!(
            "a merge's closing refused: {refused:?}"
        )));
    }
    let users: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM app_user WHERE unit_id = $1 ORDER BY user_id")
            .bind(merged_id)
            .fetch_all(&mut *tx)
            .await?;
    sqlx::query("UPDATE app_user SET unit_id = $1 WHERE unit_id = $2")
        .bind(kept_id)
        .bind(merged_id)
        .execute(&mut *tx)
        .await?;
    let credit_code = match (&kept.credit_code, &dup.credit_code) {
        (None, Some(code)) => {
            // The unique index allows the code once: the duplicate gives it up first.
            sqlx::query("UPDATE enterprise SET credit_code = NULL WHERE unit_id = $1")
                .bind(merged_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE enterprise SET credit_code = $1 WHERE unit_id = $2")
                .bind(code)
                .bind(kept_id)
                .execute(&mut *tx)
                .await?;
            Some(code.clone())
        }
        _ => None,
    };
    let linked = sqlx::query(
        "INSERT INTO unit_merge (merged_unit_id, kept_unit_id, merged_on, merged_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(merged_id)
    .bind(kept_id)
    .bind(date_text(day))
    .bind(ts(at))
    .execute(&mut *tx)
    .await;
    match linked {
        Ok(_) => {}
        Err(e) if crate::ssr::db::is_unique_violation(&e) => {
            return Ok(Err(MergeRefused::AlreadyMerged))
        }
        Err(e) => return Err(e),
    }
    Ok(Ok(Merged {
        life_before: before,
        life_after: after,
        users,
        credit_code,
    }))
}
