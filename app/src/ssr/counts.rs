//! Roll-up counts kept in step with the filings (107号 四、(二): each office 汇总 what it
//! receives; issue 13: a roll-up reads tens to thousands of rows, not every answer).
//!
//! Every unit sits in one [`Cell`] (county, kind, industry, township). For each cell the
//! database keeps its number of units per span of periods they are expected for
//! (`unit_cell`, [`Life::periods`]), and per period the sums of the
//! [`Tally`] of its units' latest filings (`rollup_cell`) and their unmet rows per row
//! (`rollup_row`, and per township `rollup_township_row`). They are written in the same
//! transaction as the change they count ([`unit_added`], [`refresh`]); which cells a scope
//! counts is still decided by [`chain::scope_contains`], on each cell's [`Member`], so the
//! rule has one home. [`rebuild`] recounts everything from the filings themselves (a
//! database from before the counts, `nilfiling rebuild-rollups`, and the tests that compare
//! the kept counts with a recount).

use crate::domain::chain::Member;
use crate::domain::filing::{binds, FilingStatus, UnmetItem};
use crate::domain::forms::Answer;
use crate::domain::lifecycle::{spans_by_place, Life, Periods};
use crate::domain::period::Period;
use crate::domain::rollup::{FiledFacts, Tally};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use crate::model::rollup::{Scope, ScopeKind};
use crate::ssr::db::{parse_code, Db};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// A place in the chain units are counted in; '' where a unit has none.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cell {
    pub county_id: String,
    pub kind: UnitKind,
    pub industry: String,
    pub township_id: String,
}

fn some(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

impl Cell {
    /// The cell as a unit of the chain (no unit id: the chain's scope rules do not use it).
    pub fn member(&self) -> Member {
        Member {
            unit_id: String::new(),
            kind: self.kind,
            county_id: some(&self.county_id),
            industry: some(&self.industry),
            township_id: some(&self.township_id),
        }
    }

    /// A cell as read: the kind's code is checked.
    pub fn decode(
        county_id: String,
        kind: &str,
        industry: String,
        township_id: String,
    ) -> Result<Cell, sqlx::Error> {
        Ok(Cell {
            county_id,
            kind: parse_code("kind", kind, UnitKind::parse)?,
            industry,
            township_id,
        })
    }

    fn key(&self) -> CellKey {
        (
            self.county_id.clone(),
            self.kind.code(),
            self.industry.clone(),
            self.township_id.clone(),
        )
    }
}

/// A unit's cell and life as read.
#[derive(sqlx::FromRow)]
struct CellLine {
    county_id: String,
    kind: String,
    industry: String,
    township_id: String,
    opened_on: String,
    closed_on: Option<String>,
}

impl CellLine {
    fn decode(self) -> Result<(Cell, Life), sqlx::Error> {
        Ok((
            Cell::decode(self.county_id, &self.kind, self.industry, self.township_id)?,
            crate::ssr::db::stored_life(&self.opened_on, self.closed_on.as_deref())?,
        ))
    }
}

/// A unit's place and life as counted, selected from `unit n LEFT JOIN enterprise e`.
const CELL_COLUMNS: &str =
    "n.kind, COALESCE(n.county_id, '') AS county_id, COALESCE(e.industry_code, '') AS industry, \
     COALESCE(e.township_id, '') AS township_id, n.opened_on, n.closed_on";

/// The cell a unit is in now, and its life, if the unit exists.
async fn cell_of_unit(
    conn: &mut AnyConnection,
    unit_id: &str,
) -> Result<Option<(Cell, Life)>, sqlx::Error> {
    let line: Option<CellLine> = sqlx::query_as(&format!(
        "SELECT {CELL_COLUMNS} FROM unit n LEFT JOIN enterprise e ON e.unit_id = n.unit_id WHERE n.unit_id = $1"
    ))
    .bind(unit_id)
    .fetch_optional(&mut *conn)
    .await?;
    line.map(CellLine::decode).transpose()
}

/// Counts a new unit in its cell, for the periods its life spans. Called by
/// `units::insert_unit` for every kind but an enterprise, and by `units::insert_enterprise`
/// (an enterprise's cell needs its industry and township), in the transaction that inserts it.
pub async fn unit_added(conn: &mut AnyConnection, unit_id: &str) -> Result<(), sqlx::Error> {
    recount_unit(conn, unit_id, &[]).await
}

/// Where a unit is counted: each of its places (earlier ones, `unit_past_place`, then its
/// current one) with the periods of its life it holds ([`spans_by_place`]); places holding
/// none are left out. Read before and after a change of the unit's dates or place, and the
/// counts moved with [`recount_unit`].
pub async fn placed(
    conn: &mut AnyConnection,
    unit_id: &str,
) -> Result<Vec<(Cell, Periods)>, sqlx::Error> {
    let Some((current, life)) = cell_of_unit(conn, unit_id).await? else {
        return Ok(vec![]);
    };
    let past: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT until_period, county_id, industry, township_id FROM unit_past_place WHERE unit_id = $1 ORDER BY until_period",
    )
    .bind(unit_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut untils = Vec::with_capacity(past.len());
    let mut cells = Vec::with_capacity(past.len() + 1);
    for (until, county_id, industry, township_id) in past {
        untils.push(
            Period::parse_key(&until).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "until_period".into(),
                source: format!("not a period: {until:?}").into(),
            })?,
        );
        cells.push(Cell {
            county_id,
            kind: current.kind,
            industry,
            township_id,
        });
    }
    cells.push(current);
    Ok(cells
        .into_iter()
        .zip(spans_by_place(&life, &untils))
        .filter_map(|(cell, span)| span.map(|s| (cell, s)))
        .collect())
}

/// Moves a unit's count from where it was counted `before` ([`placed`], read before the
/// change) to where it is counted now, in the transaction that changed its dates
/// (`units::set_life`) or its place (`units::move_enterprise`).
pub async fn recount_unit(
    conn: &mut AnyConnection,
    unit_id: &str,
    before: &[(Cell, Periods)],
) -> Result<(), sqlx::Error> {
    let after = placed(conn, unit_id).await?;
    if before == after.as_slice() {
        return Ok(());
    }
    for (cell, periods) in before {
        add_units(conn, cell, periods, -1).await?;
    }
    for (cell, periods) in &after {
        add_units(conn, cell, periods, 1).await?;
    }
    Ok(())
}

/// The cell a unit's filing for `period_key` is counted in: the place it had for that period
/// (`unit_past_place`, after a move), else its place now.
async fn cell_for_period(
    conn: &mut AnyConnection,
    unit_id: &str,
    period_key: &str,
) -> Result<Option<Cell>, sqlx::Error> {
    let Some((current, _)) = cell_of_unit(conn, unit_id).await? else {
        return Ok(None);
    };
    let past: Option<(String, String, String)> = sqlx::query_as(
        "SELECT county_id, industry, township_id FROM unit_past_place WHERE unit_id = $1 AND until_period >= $2 \
         ORDER BY until_period LIMIT 1",
    )
    .bind(unit_id)
    .bind(period_key)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Some(match past {
        Some((county_id, industry, township_id)) => Cell {
            county_id,
            kind: current.kind,
            industry,
            township_id,
        },
        None => current,
    }))
}

/// Counts `n` more units in `cell` for the periods `periods` (a registry import counts its
/// new enterprises per cell; a change of dates moves one unit from one span to another).
///
/// The sum is an `… = units + n` upsert, so changes of different units in one cell add up at
/// READ COMMITTED.
pub async fn add_units(
    conn: &mut AnyConnection,
    cell: &Cell,
    periods: &Periods,
    n: i64,
) -> Result<(), sqlx::Error> {
    let (first, last) = periods.keys();
    sqlx::query(
        "INSERT INTO unit_cell (county_id, kind, industry, township_id, first_period, last_period, units) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (county_id, kind, industry, township_id, first_period, last_period) \
         DO UPDATE SET units = unit_cell.units + excluded.units",
    )
    .bind(&cell.county_id)
    .bind(cell.kind.code())
    .bind(&cell.industry)
    .bind(&cell.township_id)
    .bind(first)
    .bind(last)
    .bind(n)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A unit's latest non-draft filing as counted.
#[derive(sqlx::FromRow)]
struct CountedLine {
    filing_id: String,
    status: String,
    late: i64,
    nil: i64,
    county_id: String,
    kind: String,
    industry: String,
    township_id: String,
}

/// A unit's latest non-draft filing as it is now.
#[derive(sqlx::FromRow)]
struct NowLine {
    filing_id: String,
    version: i64,
    status: String,
    late: i64,
    nil: Option<i64>,
}

/// The binding rows of a filing answered 不落实 (the explanation is not counted).
async fn unmet_rows(
    conn: &mut AnyConnection,
    filing_id: &str,
    kind: UnitKind,
) -> Result<Vec<UnmetItem>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT row_id FROM filing_answer WHERE filing_id = $1 AND answer = $2 ORDER BY row_id",
    )
    .bind(filing_id)
    .bind(Answer::NotDone.code())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(row,)| binds(kind, row))
        .map(|(row_id,)| UnmetItem {
            row_id,
            explanation: String::new(),
        })
        .collect())
}

/// A cell as a sortable key: (county, kind code, industry, township).
type CellKey = (String, &'static str, String, String);

/// A cell and a span of periods ([`Periods::keys`]) as a sortable key.
type SpanKey = (CellKey, (String, String));

/// A cell's row as a sortable key: the cell's, then the row id.
type RowKey = (String, &'static str, String, String, String);

/// Deltas to the kept sums, per cell and per (cell, row).
#[derive(Default)]
struct Deltas {
    cells: BTreeMap<CellKey, (Tally, Tally)>,
    rows: BTreeMap<RowKey, (i64, i64)>,
}

impl Deltas {
    fn add(&mut self, cell: &Cell, facts: &FiledFacts, sign: i64) {
        let entry = self.cells.entry(cell.key()).or_default();
        entry.0 = entry.0.add(sign, &Tally::of(facts));
        entry.1 = entry.1.add(sign, &Tally::of_accepted(facts));
        let accepted = (facts.status == FilingStatus::Accepted) as i64;
        for item in &facts.unmet {
            let (c, k, i, t) = cell.key();
            let e = self
                .rows
                .entry((c, k, i, t, item.row_id.clone()))
                .or_default();
            e.0 += sign;
            e.1 += sign * accepted;
        }
    }

    async fn write(&self, conn: &mut AnyConnection, period_key: &str) -> Result<(), sqlx::Error> {
        for ((county, kind, industry, township), (all, acc)) in &self.cells {
            if all.is_zero() && acc.is_zero() {
                continue;
            }
            sqlx::query(
                "INSERT INTO rollup_cell (period_key, county_id, kind, industry, township_id, \
                 t_on_time, t_late, t_returned, t_accepted, t_nil, t_with_unmet, t_unmet_items, \
                 a_on_time, a_late, a_returned, a_accepted, a_nil, a_with_unmet, a_unmet_items) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
                 ON CONFLICT (period_key, county_id, kind, industry, township_id) DO UPDATE SET \
                 t_on_time = rollup_cell.t_on_time + excluded.t_on_time, t_late = rollup_cell.t_late + excluded.t_late, \
                 t_returned = rollup_cell.t_returned + excluded.t_returned, t_accepted = rollup_cell.t_accepted + excluded.t_accepted, \
                 t_nil = rollup_cell.t_nil + excluded.t_nil, t_with_unmet = rollup_cell.t_with_unmet + excluded.t_with_unmet, \
                 t_unmet_items = rollup_cell.t_unmet_items + excluded.t_unmet_items, \
                 a_on_time = rollup_cell.a_on_time + excluded.a_on_time, a_late = rollup_cell.a_late + excluded.a_late, \
                 a_returned = rollup_cell.a_returned + excluded.a_returned, a_accepted = rollup_cell.a_accepted + excluded.a_accepted, \
                 a_nil = rollup_cell.a_nil + excluded.a_nil, a_with_unmet = rollup_cell.a_with_unmet + excluded.a_with_unmet, \
                 a_unmet_items = rollup_cell.a_unmet_items + excluded.a_unmet_items",
            )
            .bind(period_key)
            .bind(county)
            .bind(*kind)
            .bind(industry)
            .bind(township)
            .bind(all.on_time)
            .bind(all.late)
            .bind(all.returned)
            .bind(all.accepted)
            .bind(all.nil)
            .bind(all.with_unmet)
            .bind(all.unmet_items)
            .bind(acc.on_time)
            .bind(acc.late)
            .bind(acc.returned)
            .bind(acc.accepted)
            .bind(acc.nil)
            .bind(acc.with_unmet)
            .bind(acc.unmet_items)
            .execute(&mut *conn)
            .await?;
        }
        // Rows per (county, kind, industry, row), and per township for enterprises in one.
        let mut by_county: BTreeMap<(&str, &str, &str, &str), (i64, i64)> = BTreeMap::new();
        let mut by_township: BTreeMap<(&str, &str, &str, &str), (i64, i64)> = BTreeMap::new();
        for ((county, kind, industry, township, row), (all, acc)) in &self.rows {
            let e = by_county
                .entry((county.as_str(), kind, industry.as_str(), row.as_str()))
                .or_default();
            e.0 += all;
            e.1 += acc;
            if !township.is_empty() {
                let e = by_township
                    .entry((
                        county.as_str(),
                        township.as_str(),
                        industry.as_str(),
                        row.as_str(),
                    ))
                    .or_default();
                e.0 += all;
                e.1 += acc;
            }
        }
        add_rows(
            conn,
            period_key,
            "rollup_row (period_key, county_id, kind, industry, row_id, unmet, unmet_accepted)",
            "rollup_row",
            "period_key, county_id, kind, industry, row_id",
            by_county,
        )
        .await?;
        add_rows(
            conn,
            period_key,
            "rollup_township_row (period_key, county_id, township_id, industry, row_id, unmet, unmet_accepted)",
            "rollup_township_row",
            "period_key, township_id, industry, row_id",
            by_township,
        )
        .await?;
        Ok(())
    }
}

/// Adds row counts (four key columns after the period, then the two counts) to `table`, 100
/// rows to a multi-row upsert, leaving out the zeros.
async fn add_rows(
    conn: &mut AnyConnection,
    period_key: &str,
    insert_into: &str,
    table: &str,
    conflict: &str,
    rows: BTreeMap<(&str, &str, &str, &str), (i64, i64)>,
) -> Result<(), sqlx::Error> {
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|(_, (a, b))| *a != 0 || *b != 0)
        .collect();
    for chunk in rows.chunks(100) {
        let sql = format!(
            "INSERT INTO {insert_into} VALUES {} ON CONFLICT ({conflict}) DO UPDATE SET \
             unmet = {table}.unmet + excluded.unmet, unmet_accepted = {table}.unmet_accepted + excluded.unmet_accepted",
            crate::ssr::db::value_rows(conn, chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for ((k1, k2, k3, k4), (all, acc)) in chunk {
            q = q
                .bind(period_key)
                .bind(*k1)
                .bind(*k2)
                .bind(*k3)
                .bind(*k4)
                .bind(*all)
                .bind(*acc);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Brings the kept counts of `unit_id`'s filing for `period_key` up to date with its latest
/// non-draft version; called in every transaction that submits a version or decides on one
/// (`filings::submit`, `review::decide`), after its writes.
///
/// Guard: the unit's row, held (a no-op UPDATE) until commit, before the counted line is
/// read: two changes of one unit's counts run one after the other, each subtracting what the
/// one before it added. The sums are `… = sum + delta` upserts, so changes of different units
/// in one cell add up at READ COMMITTED; cells are written before rows, each in key order.
pub async fn refresh(
    conn: &mut AnyConnection,
    unit_id: &str,
    period_key: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE unit SET name = name WHERE unit_id = $1")
        .bind(unit_id)
        .execute(&mut *conn)
        .await?;
    let counted: Option<CountedLine> = sqlx::query_as(
        "SELECT filing_id, status, late, nil, county_id, kind, industry, township_id FROM latest_filing \
         WHERE period_key = $1 AND unit_id = $2",
    )
    .bind(period_key)
    .bind(unit_id)
    .fetch_optional(&mut *conn)
    .await?;
    let now: Option<NowLine> = sqlx::query_as(
        "SELECT filing_id, version, status, late, nil FROM filing WHERE unit_id = $1 AND period_key = $2 AND status <> $3 \
         ORDER BY version DESC LIMIT 1",
    )
    .bind(unit_id)
    .bind(period_key)
    .bind(FilingStatus::Draft.code())
    .fetch_optional(&mut *conn)
    .await?;
    let same = match (&counted, &now) {
        (Some(c), Some(n)) => {
            c.filing_id == n.filing_id
                && c.status == n.status
                && c.late == n.late
                && c.nil == n.nil.unwrap_or(0)
        }
        (None, None) => true,
        _ => false,
    };
    if same {
        return Ok(());
    }
    let mut deltas = Deltas::default();
    if let Some(c) = &counted {
        let cell = Cell::decode(
            c.county_id.clone(),
            &c.kind,
            c.industry.clone(),
            c.township_id.clone(),
        )?;
        let facts = FiledFacts {
            status: parse_code("status", &c.status, FilingStatus::parse)?,
            late: c.late == 1,
            nil: c.nil == 1,
            unmet: unmet_rows(conn, &c.filing_id, cell.kind).await?,
        };
        deltas.add(&cell, &facts, -1);
    }
    match &now {
        Some(n) => {
            // The place the unit had for the period (a move leaves past filings behind).
            let cell = cell_for_period(conn, unit_id, period_key)
                .await?
                .ok_or(AppError::NotFound)?;
            let facts = FiledFacts {
                status: parse_code("status", &n.status, FilingStatus::parse)?,
                late: n.late == 1,
                nil: n.nil == Some(1),
                unmet: unmet_rows(conn, &n.filing_id, cell.kind).await?,
            };
            deltas.add(&cell, &facts, 1);
            deltas.write(conn, period_key).await?;
            upsert_latest(
                conn,
                period_key,
                unit_id,
                n,
                &cell,
                facts.unmet.len() as i64,
            )
            .await?;
        }
        None => {
            deltas.write(conn, period_key).await?;
            sqlx::query("DELETE FROM latest_filing WHERE period_key = $1 AND unit_id = $2")
                .bind(period_key)
                .bind(unit_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

async fn upsert_latest(
    conn: &mut AnyConnection,
    period_key: &str,
    unit_id: &str,
    n: &NowLine,
    cell: &Cell,
    unmet_items: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO latest_filing (period_key, unit_id, filing_id, version, status, late, nil, unmet_items, county_id, kind, industry, township_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (period_key, unit_id) DO UPDATE SET filing_id = excluded.filing_id, version = excluded.version, \
         status = excluded.status, late = excluded.late, nil = excluded.nil, unmet_items = excluded.unmet_items, \
         county_id = excluded.county_id, kind = excluded.kind, industry = excluded.industry, township_id = excluded.township_id",
    )
    .bind(period_key)
    .bind(unit_id)
    .bind(&n.filing_id)
    .bind(n.version)
    .bind(&n.status)
    .bind(n.late)
    .bind(n.nil.unwrap_or(0))
    .bind(unmet_items)
    .bind(&cell.county_id)
    .bind(cell.kind.code())
    .bind(&cell.industry)
    .bind(&cell.township_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Recounts everything from the units and filings (in the caller's transaction): empties the
/// kept counts, then counts each unit and each unit's latest non-draft filing per period
/// exactly as [`refresh`] would have.
pub async fn rebuild(conn: &mut AnyConnection) -> Result<(), AppError> {
    for table in [
        "unit_cell",
        "latest_filing",
        "rollup_cell",
        "rollup_row",
        "rollup_township_row",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    // Units per cell and span of periods: grouped by their dates in SQL (few distinct
    // dates), then by the spans the dates make (`Life::periods`, a rule of the domain).
    let lines: Vec<LifeCountLine> = sqlx::query_as(
        "SELECT COALESCE(n.county_id, '') AS county_id, n.kind, COALESCE(e.industry_code, '') AS industry, \
         COALESCE(e.township_id, '') AS township_id, n.opened_on, n.closed_on, COUNT(*) AS n \
         FROM unit n LEFT JOIN enterprise e ON e.unit_id = n.unit_id \
         WHERE (n.kind <> $1 OR e.unit_id IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM unit_past_place p WHERE p.unit_id = n.unit_id) \
         GROUP BY COALESCE(n.county_id, ''), n.kind, COALESCE(e.industry_code, ''), COALESCE(e.township_id, ''), \
         n.opened_on, n.closed_on",
    )
    .bind(UnitKind::Enterprise.code())
    .fetch_all(&mut *conn)
    .await?;
    let mut spans: BTreeMap<SpanKey, (Cell, Periods, i64)> = BTreeMap::new();
    for l in lines {
        let (cell, life) = l.unit.decode()?;
        let periods = life.periods();
        spans
            .entry((cell.key(), periods.keys()))
            .or_insert((cell, periods, 0))
            .2 += l.n;
    }
    for (cell, periods, n) in spans.into_values() {
        add_units(conn, &cell, &periods, n).await?;
    }
    // Units that moved (few), place by place.
    let moved: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT unit_id FROM unit_past_place ORDER BY unit_id")
            .fetch_all(&mut *conn)
            .await?;
    for unit_id in moved {
        unit_added(conn, &unit_id).await?;
    }
    // The latest non-draft version of every unit and period, with its place.
    sqlx::query(
        "INSERT INTO latest_filing (period_key, unit_id, filing_id, version, status, late, nil, unmet_items, county_id, kind, industry, township_id) \
         SELECT f.period_key, f.unit_id, f.filing_id, f.version, f.status, f.late, COALESCE(f.nil, 0), 0, \
         COALESCE(n.county_id, ''), n.kind, COALESCE(e.industry_code, ''), COALESCE(e.township_id, '') \
         FROM filing f JOIN unit n ON n.unit_id = f.unit_id LEFT JOIN enterprise e ON e.unit_id = f.unit_id \
         WHERE f.status <> $1 AND f.version = (SELECT MAX(g.version) FROM filing g \
           WHERE g.unit_id = f.unit_id AND g.period_key = f.period_key AND g.status <> $1)",
    )
    .bind(FilingStatus::Draft.code())
    .execute(&mut *conn)
    .await?;
    // A moved unit's filings are counted where it stood for their period.
    for (column, past) in [
        ("county_id", "county_id"),
        ("industry", "industry"),
        ("township_id", "township_id"),
    ] {
        sqlx::query(&format!(
            "UPDATE latest_filing SET {column} = (SELECT p.{past} FROM unit_past_place p \
             WHERE p.unit_id = latest_filing.unit_id AND p.until_period >= latest_filing.period_key \
             ORDER BY p.until_period LIMIT 1) \
             WHERE EXISTS (SELECT 1 FROM unit_past_place p WHERE p.unit_id = latest_filing.unit_id \
             AND p.until_period >= latest_filing.period_key)"
        ))
        .execute(&mut *conn)
        .await?;
    }
    let periods: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT period_key FROM latest_filing ORDER BY period_key")
            .fetch_all(&mut *conn)
            .await?;
    for (period_key,) in periods {
        let lines: Vec<RebuildLine> = sqlx::query_as(
            "SELECT unit_id, filing_id, status, late, nil, county_id, kind, industry, township_id FROM latest_filing WHERE period_key = $1",
        )
        .bind(&period_key)
        .fetch_all(&mut *conn)
        .await?;
        let unmet: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.filing_id, a.row_id FROM filing_answer a JOIN latest_filing l ON l.filing_id = a.filing_id \
             WHERE l.period_key = $1 AND a.answer = $2 ORDER BY a.row_id",
        )
        .bind(&period_key)
        .bind(Answer::NotDone.code())
        .fetch_all(&mut *conn)
        .await?;
        let mut by_filing: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for (filing_id, row_id) in unmet {
            by_filing.entry(filing_id).or_default().push(row_id);
        }
        let mut deltas = Deltas::default();
        let mut items: Vec<(String, i64)> = Vec::with_capacity(lines.len());
        for l in lines {
            let cell = Cell::decode(l.county_id, &l.kind, l.industry, l.township_id)?;
            let unmet: Vec<UnmetItem> = by_filing
                .remove(&l.filing_id)
                .unwrap_or_default()
                .into_iter()
                .filter(|row| binds(cell.kind, row))
                .map(|row_id| UnmetItem {
                    row_id,
                    explanation: String::new(),
                })
                .collect();
            items.push((l.unit_id, unmet.len() as i64));
            let facts = FiledFacts {
                status: parse_code("status", &l.status, FilingStatus::parse)?,
                late: l.late == 1,
                nil: l.nil == 1,
                unmet,
            };
            deltas.add(&cell, &facts, 1);
        }
        deltas.write(conn, &period_key).await?;
        for (unit_id, n) in items.into_iter().filter(|(_, n)| *n > 0) {
            sqlx::query(
                "UPDATE latest_filing SET unmet_items = $1 WHERE period_key = $2 AND unit_id = $3",
            )
            .bind(n)
            .bind(&period_key)
            .bind(&unit_id)
            .execute(&mut *conn)
            .await?;
        }
    }
    sqlx::query("UPDATE rollup_state SET built = 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Units of one cell and one pair of dates, as counted by [`rebuild`].
#[derive(sqlx::FromRow)]
struct LifeCountLine {
    #[sqlx(flatten)]
    unit: CellLine,
    n: i64,
}

#[derive(sqlx::FromRow)]
struct RebuildLine {
    unit_id: String,
    filing_id: String,
    status: String,
    late: i64,
    nil: i64,
    county_id: String,
    kind: String,
    industry: String,
    township_id: String,
}

/// Builds the kept counts once for a database migrated from before them (at start-up):
/// claims `rollup_state` first, so of two instances starting at once one counts and the
/// other finds it done.
pub async fn ensure_built(db: &Db) -> Result<bool, AppError> {
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let claimed = sqlx::query("UPDATE rollup_state SET built = 1 WHERE id = 1 AND built = 0")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if claimed == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    rebuild(&mut tx).await?;
    tx.commit().await?;
    Ok(true)
}

// ---- reading ----

/// How a scope's cells are read: the WHERE on the place (numbered from `$1`), its value,
/// and whether townships are summed away (the city's groups and children are counties).
/// The one value a scope's place filter binds ($1 of `listed_units`, `counts::expected`,
/// `counts::tallies`; $2 of `counts::rows`): the county of a county or county-level
/// department, the township's own id; none for the city or a city-level department.
pub fn place_value(scope: &Scope) -> Option<&str> {
    match scope.kind {
        ScopeKind::City => None,
        ScopeKind::County | ScopeKind::Department => scope.county_id.as_deref(),
        ScopeKind::Township => Some(&scope.unit_id),
    }
}

fn place_filter(scope: &Scope) -> (&'static str, Option<&str>, bool) {
    let value = place_value(scope);
    let filter = match (scope.kind, value) {
        (_, None) => "",
        (ScopeKind::Township, Some(_)) => "township_id = $1",
        (_, Some(_)) => "county_id = $1",
    };
    (filter, value, scope.kind == ScopeKind::City)
}

/// Units per cell in a scope's reach, per span of periods they are expected for: a period's
/// expected units in a cell are the sum over the spans that contain it (the caller keeps the
/// cells the scope contains).
pub async fn expected(db: &Db, scope: &Scope) -> Result<Vec<Expected>, AppError> {
    let (filter, value, sum_townships) = place_filter(scope);
    let (township, group) = if sum_townships {
        ("''", "county_id, kind, industry, first_period, last_period")
    } else {
        (
            "township_id",
            "county_id, kind, industry, township_id, first_period, last_period",
        )
    };
    let sql =
        format!(
        "SELECT county_id, kind, industry, {township} AS township_id, first_period, last_period, \
         CAST(SUM(units) AS BIGINT) AS n FROM unit_cell {} GROUP BY {group}",
        if filter.is_empty() { String::new() } else { format!("WHERE {filter}") }
    );
    let mut q = sqlx::query_as::<_, CountLine>(&sql);
    if let Some(v) = value {
        q = q.bind(v);
    }
    q.fetch_all(db)
        .await?
        .into_iter()
        .map(|l| {
            let periods =
                Periods::parse_keys(&l.first_period, &l.last_period).ok_or_else(|| {
                    sqlx::Error::ColumnDecode {
                        index: "first_period".into(),
                        source: format!(
                            "not a span of periods: {:?}..{:?}",
                            l.first_period, l.last_period
                        )
                        .into(),
                    }
                })?;
            Ok(Expected {
                cell: Cell::decode(l.county_id, &l.kind, l.industry, l.township_id)?,
                periods,
                units: l.n,
            })
        })
        .collect()
}

/// Units of a cell expected for a span of periods.
#[derive(Clone, Debug)]
pub struct Expected {
    pub cell: Cell,
    pub periods: Periods,
    pub units: i64,
}

#[derive(sqlx::FromRow)]
struct CountLine {
    county_id: String,
    kind: String,
    industry: String,
    township_id: String,
    first_period: String,
    last_period: String,
    n: i64,
}

/// The kept tallies of a cell for a period: all latest filings, and the accepted ones.
#[derive(Clone, Debug)]
pub struct CellTally {
    pub period_key: String,
    pub cell: Cell,
    pub all: Tally,
    pub accepted: Tally,
}

#[derive(sqlx::FromRow)]
struct TallyLine {
    period_key: String,
    county_id: String,
    kind: String,
    industry: String,
    township_id: String,
    t_on_time: i64,
    t_late: i64,
    t_returned: i64,
    t_accepted: i64,
    t_nil: i64,
    t_with_unmet: i64,
    t_unmet_items: i64,
    a_on_time: i64,
    a_late: i64,
    a_returned: i64,
    a_accepted: i64,
    a_nil: i64,
    a_with_unmet: i64,
    a_unmet_items: i64,
}

/// Tallies per cell of a scope's reach for the periods `period_keys`.
pub async fn tallies(
    db: &Db,
    scope: &Scope,
    period_keys: &[String],
) -> Result<Vec<CellTally>, AppError> {
    let (filter, value, sum_townships) = place_filter(scope);
    let sums = [
        "t_on_time",
        "t_late",
        "t_returned",
        "t_accepted",
        "t_nil",
        "t_with_unmet",
        "t_unmet_items",
        "a_on_time",
        "a_late",
        "a_returned",
        "a_accepted",
        "a_nil",
        "a_with_unmet",
        "a_unmet_items",
    ]
    .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
    .join(", ");
    let first = if value.is_some() { 2 } else { 1 };
    let periods: Vec<String> = (0..period_keys.len())
        .map(|i| format!("${}", i + first))
        .collect();
    let township = if sum_townships { "''" } else { "township_id" };
    let group = if sum_townships {
        "period_key, county_id, kind, industry"
    } else {
        "period_key, county_id, kind, industry, township_id"
    };
    let sql = format!(
        "SELECT period_key, county_id, kind, industry, {township} AS township_id, {sums} FROM rollup_cell \
         WHERE {} period_key IN ({}) GROUP BY {group}",
        if filter.is_empty() { String::new() } else { format!("{filter} AND") },
        periods.join(", ")
    );
    let mut q = sqlx::query_as::<_, TallyLine>(&sql);
    if let Some(v) = value {
        q = q.bind(v);
    }
    for p in period_keys {
        q = q.bind(p);
    }
    q.fetch_all(db)
        .await?
        .into_iter()
        .map(|l| {
            Ok(CellTally {
                cell: Cell::decode(l.county_id, &l.kind, l.industry, l.township_id)?,
                period_key: l.period_key,
                all: Tally {
                    on_time: l.t_on_time,
                    late: l.t_late,
                    returned: l.t_returned,
                    accepted: l.t_accepted,
                    nil: l.t_nil,
                    with_unmet: l.t_with_unmet,
                    unmet_items: l.t_unmet_items,
                },
                accepted: Tally {
                    on_time: l.a_on_time,
                    late: l.a_late,
                    returned: l.a_returned,
                    accepted: l.a_accepted,
                    nil: l.a_nil,
                    with_unmet: l.a_with_unmet,
                    unmet_items: l.a_unmet_items,
                },
            })
        })
        .collect()
}

/// Unmet items of one row in the cells of a scope's reach, for a period.
#[derive(Clone, Debug)]
pub struct RowCount {
    pub cell: Cell,
    pub row_id: String,
    pub unmet: i64,
    pub unmet_accepted: i64,
}

#[derive(sqlx::FromRow)]
struct RowLine {
    county_id: String,
    kind: String,
    industry: String,
    township_id: String,
    row_id: String,
    unmet: i64,
    unmet_accepted: i64,
}

/// Unmet items per row of a scope's reach for a period. `by_county`: keep counties apart
/// (the city report's county tables); otherwise the city's are summed into "in a county" or
/// not, which is all the city's scope asks of a county.
pub async fn rows(
    db: &Db,
    scope: &Scope,
    period_key: &str,
    by_county: bool,
) -> Result<Vec<RowCount>, AppError> {
    let sql = match scope.kind {
        ScopeKind::City if !by_county => "SELECT CASE WHEN county_id = '' THEN '' ELSE '*' END AS county_id, kind, industry, '' AS township_id, row_id, \
             CAST(SUM(unmet) AS BIGINT) AS unmet, CAST(SUM(unmet_accepted) AS BIGINT) AS unmet_accepted FROM rollup_row \
             WHERE period_key = $1 GROUP BY CASE WHEN county_id = '' THEN '' ELSE '*' END, kind, industry, row_id".to_string(),
        ScopeKind::Township => format!("SELECT county_id, '{}' AS kind, industry, township_id, row_id, unmet, unmet_accepted \
             FROM rollup_township_row WHERE period_key = $1 AND township_id = $2", UnitKind::Enterprise.code()),
        _ => format!(
            "SELECT county_id, kind, industry, '' AS township_id, row_id, unmet, unmet_accepted FROM rollup_row WHERE period_key = $1 {}",
            if scope.county_id.is_some() && scope.kind != ScopeKind::City { "AND county_id = $2" } else { "" }
        ),
    };
    let mut q = sqlx::query_as::<_, RowLine>(&sql).bind(period_key);
    if let Some(v) = place_value(scope) {
        q = q.bind(v);
    }
    q.fetch_all(db)
        .await?
        .into_iter()
        .map(|l| {
            Ok(RowCount {
                cell: Cell::decode(l.county_id, &l.kind, l.industry, l.township_id)?,
                row_id: l.row_id,
                unmet: l.unmet,
                unmet_accepted: l.unmet_accepted,
            })
        })
        .collect()
}
