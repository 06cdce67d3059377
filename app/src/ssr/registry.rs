//! The enterprise registry (issue 14): a CSV or XLSX file read into lines of cells, checked
//! row by row against the database ([`check`], the dry run), imported all or nothing
//! ([`import`]), and the registry written back out in the same columns ([`export`]).
//!
//! An enterprise is found again by its unified social credit code: importing the same file
//! twice changes nothing; a changed row updates its enterprise, recorded with what it was.
//! A hand-made enterprise with no code yet is found by its county and name and gets the code.
//! A move (another county, township or industry) is refused: it changes the chain its filings
//! go to, which an import does not decide.
//!
//! The same page and command take the file of townships and departments (机构名录, told apart
//! by its 单位类型 column, [`ORG_COLUMNS`]): a unit is found again by its county (or the city)
//! and name; a department whose 监管行业 changed gets the new industries, recorded.

use crate::domain::lifecycle::Life;
use crate::domain::registry::{
    duplicates_in_file, is_blank, is_org_header, org_duplicates_in_file, read_header,
    read_org_header, read_org_row, read_row, Cell, Column, LineProblem, OrgRow, Places, Problem,
    RegistryRow, MAX_ROWS, ORG_COLUMNS,
};
use crate::domain::time::{kunming_date, Clock};
use crate::domain::unit::{UnitKind, COUNTY_AREAS, INDUSTRIES};
use crate::error::{AppError, Conflict};
use crate::model::registry::{shown, Imported, RegistryJob};
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::counts::{self, Cell as CountCell};
use crate::ssr::db::{is_unique_violation, new_id, ts, value_rows, Db};
use crate::ssr::table::Table;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Reads a file into lines of cells (the first the header): an XLSX workbook's first sheet,
/// or CSV text in UTF-8 (with or without a byte-order mark) or in GBK, which Excel writes
/// on Chinese Windows. Anything else is [`Problem::Encoding`].
pub fn read_file(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, Problem> {
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes);
    }
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // UTF-16 (Excel's "Unicode text") and binary files hold NULs; neither is CSV.
    if body.contains(&0) {
        return Err(Problem::Encoding);
    }
    let text = match std::str::from_utf8(body) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => encoding_rs::GBK
            .decode_without_bom_handling_and_without_replacement(body)
            .ok_or(Problem::Encoding)?,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| Problem::Unreadable)?;
        if lines.len() > MAX_ROWS {
            return Err(Problem::TooManyRows);
        }
        lines.push(record.iter().map(|c| Cell::Text(c.to_string())).collect());
    }
    Ok(lines)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, Problem> {
    use calamine::{Data, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|_| Problem::Unreadable)?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(Problem::Unreadable)?;
    let values = book
        .worksheet_range(&sheet)
        .map_err(|_| Problem::Unreadable)?;
    let formulas = book
        .worksheet_formula(&sheet)
        .map_err(|_| Problem::Unreadable)?;
    let Some((top, left)) = values.start() else {
        return Ok(Vec::new());
    };
    if values.height() > MAX_ROWS + 1 {
        return Err(Problem::TooManyRows);
    }
    // Lines by the sheet's own row numbers, so that a line number is the one Excel shows.
    let mut lines: Vec<Vec<Cell>> = vec![Vec::new(); top as usize];
    for row in values.rows() {
        let mut cells: Vec<Cell> = vec![Cell::Text(String::new()); left as usize];
        cells.extend(row.iter().map(|v| {
            Cell::Text(match v {
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Int(i) => i.to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => d.to_string(),
                Data::Error(_) | Data::Empty => String::new(),
            })
        }));
        lines.push(cells);
    }
    if let Some((ftop, fleft)) = formulas.start() {
        for (r, row) in formulas.rows().enumerate() {
            for (c, f) in row.iter().enumerate() {
                if f.is_empty() {
                    continue;
                }
                let (r, c) = (ftop as usize + r, fleft as usize + c);
                if let Some(line) = lines.get_mut(r) {
                    if line.len() <= c {
                        line.resize(c + 1, Cell::Text(String::new()));
                    }
                    line[c] = Cell::Formula;
                }
            }
        }
    }
    Ok(lines)
}

/// A unit as the registry check reads it: every unit under a county-level government (what a
/// new enterprise's name may collide with), with its enterprise's details where it is one.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
struct Known {
    unit_id: String,
    parent_id: String,
    name: String,
    kind: String,
    county_id: Option<String>,
    credit_code: Option<String>,
    township_id: Option<String>,
    industry_code: Option<String>,
    address: Option<String>,
    legal_representative: Option<String>,
    headcount: Option<i64>,
    contact: Option<String>,
    phone: Option<String>,
    /// 1 for a duplicate merged into another enterprise (`unit_merge`): still a name in its
    /// county, but no enterprise an import finds and updates.
    merged: i64,
}

impl Known {
    fn is_enterprise(&self) -> bool {
        self.kind == UnitKind::Enterprise.code()
    }

    /// Whether the row says the same as what is stored.
    fn same_as(&self, row: &RegistryRow) -> bool {
        self.name == row.name
            && self.credit_code.as_deref() == Some(row.credit_code.as_str())
            && self.address.as_deref() == Some(row.address.as_str())
            && self.legal_representative.as_deref() == Some(row.legal_representative.as_str())
            && self.headcount == Some(row.headcount)
            && self.contact.as_deref() == Some(row.contact.as_str())
            && self.phone.as_deref() == Some(row.phone.as_str())
    }

    /// Whether the row puts the enterprise elsewhere in the chain.
    fn moved_by(&self, row: &RegistryRow) -> bool {
        self.county_id.as_deref() != Some(row.county_id.as_str())
            || self.township_id != row.township_id
            || self.industry_code.as_deref() != Some(row.industry_code.as_str())
    }
}

/// What an import of a file would do, or the problems that stop it.
#[derive(Debug, Default)]
pub struct Plan {
    /// Rows read (blank lines not counted).
    pub rows: usize,
    pub add: Vec<RegistryRow>,
    /// An enterprise's stored state and the row that changes it.
    update: Vec<(Known, RegistryRow)>,
    pub unchanged: usize,
    /// Every problem, by line; the import stores nothing while there is one.
    pub problems: Vec<LineProblem>,
    /// Of a townships and departments file: the units to add.
    pub orgs: Vec<OrgRow>,
    /// Of a townships and departments file: departments whose industries change.
    org_update: Vec<OrgUpdate>,
}

/// A department whose 监管行业 a file changes: what it has, and the row.
#[derive(Debug)]
struct OrgUpdate {
    unit_id: String,
    before: Vec<String>,
    row: OrgRow,
}

impl Plan {
    fn with_problems(problems: Vec<LineProblem>) -> Self {
        Self {
            problems,
            ..Self::default()
        }
    }

    /// Reads the lines after the header with `read` (blank ones skipped), counting them; the
    /// problems of each go to the plan.
    fn read_rows<T>(
        &mut self,
        lines: &[Vec<Cell>],
        read: impl Fn(usize, &[Cell]) -> Result<T, Vec<LineProblem>>,
    ) -> Vec<T> {
        let mut rows = Vec::new();
        for (i, cells) in lines.iter().enumerate().skip(1) {
            if is_blank(cells) {
                continue;
            }
            self.rows += 1;
            match read(i + 1, cells) {
                Ok(row) => rows.push(row),
                Err(problems) => self.problems.extend(problems),
            }
        }
        rows
    }

    /// Units the import adds (enterprises, or townships and departments).
    pub fn adds(&self) -> usize {
        self.add.len() + self.orgs.len()
    }

    pub fn updates(&self) -> usize {
        self.update.len() + self.org_update.len()
    }

    fn refused(problem: Problem) -> Self {
        Self {
            problems: vec![LineProblem {
                line: 1,
                column: None,
                problem,
            }],
            ..Self::default()
        }
    }
}

/// The counties (by name and area code) and townships (by county and name) rows may name.
async fn places(conn: &mut AnyConnection) -> Result<Places, sqlx::Error> {
    let counties: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT unit_id, name, area_code FROM unit WHERE kind IN ($1, $2)")
            .bind(UnitKind::CountyGovernment.code())
            .bind(UnitKind::ManagementCommittee.code())
            .fetch_all(&mut *conn)
            .await?;
    let townships: Vec<(String, String, String)> =
        sqlx::query_as("SELECT unit_id, county_id, name FROM unit WHERE kind = $1")
            .bind(UnitKind::Township.code())
            .fetch_all(&mut *conn)
            .await?;
    let mut places = Places::default();
    for (unit_id, name, area_code) in counties {
        // A county is also named as 107号's lists name it: its name without the government.
        for key in [Some(name.clone()), area_code, short_county_name(&name)]
            .into_iter()
            .flatten()
        {
            places.counties.insert(key, unit_id.clone());
        }
    }
    for (unit_id, county_id, name) in townships {
        places.townships.insert((county_id, name), unit_id);
    }
    Ok(places)
}

/// `五华区人民政府` → `五华区`; the demo's county units carry the area's name, the
/// administrative map's may carry the government's.
fn short_county_name(name: &str) -> Option<String> {
    let short = name
        .strip_suffix("人民政府")
        .or_else(|| name.strip_suffix("管委会"))?;
    COUNTY_AREAS
        .iter()
        .any(|(_, n, _)| *n == short)
        .then(|| short.to_string())
}

async fn known_units(conn: &mut AnyConnection) -> Result<Vec<Known>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n.unit_id, n.parent_id, n.name, n.kind, n.county_id, e.credit_code, e.township_id, e.industry_code, \
         e.address, e.legal_representative, e.headcount, e.contact, e.phone, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM unit_merge m WHERE m.merged_unit_id = n.unit_id) THEN 1 ELSE 0 END AS BIGINT) AS merged \
         FROM unit n LEFT JOIN enterprise e ON e.unit_id = n.unit_id \
         WHERE n.parent_id IS NOT NULL AND n.county_id IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await
}

/// Works out what importing `bytes` would do (the dry run, and the first step of the import).
pub async fn plan(conn: &mut AnyConnection, bytes: &[u8]) -> Result<Plan, sqlx::Error> {
    let lines = match read_file(bytes) {
        Ok(l) => l,
        Err(p) => return Ok(Plan::refused(p)),
    };
    let Some(header) = lines.first() else {
        return Ok(Plan::refused(Problem::NoHeader));
    };
    if is_org_header(header) {
        return org_plan(conn, &lines).await;
    }
    let columns = match read_header(header) {
        Ok(c) => c,
        Err(problems) => return Ok(Plan::with_problems(problems)),
    };
    let places = places(conn).await?;
    let mut plan = Plan::default();
    let rows = plan.read_rows(&lines, |line, cells| {
        read_row(line, &columns, cells, &places)
    });
    plan.problems.extend(duplicates_in_file(&rows));
    let known = known_units(conn).await?;
    // A merged duplicate is found by no line (its code, if it kept one, and its name refuse
    // the line instead: the enterprise goes on as the one it was merged into).
    let by_code: HashMap<&str, &Known> = known
        .iter()
        .filter(|k| k.merged == 0)
        .filter_map(|k| k.credit_code.as_deref().map(|c| (c, k)))
        .collect();
    let by_name: HashMap<(&str, &str), &Known> = known
        .iter()
        .map(|k| ((k.parent_id.as_str(), k.name.as_str()), k))
        .collect();
    let mut problem = |row: &RegistryRow, column, problem| {
        plan.problems.push(LineProblem {
            line: row.line,
            column: Some(column),
            problem,
        })
    };
    let mut add = Vec::new();
    let mut update = Vec::new();
    let mut unchanged = 0;
    for row in rows {
        // An enterprise's parent is its county-level government (see admin::create_unit).
        let namesake = by_name.get(&(row.county_id.as_str(), row.name.as_str()));
        let found = by_code.get(row.credit_code.as_str()).copied().or_else(|| {
            // A hand-made enterprise without a code yet: the row names it.
            namesake
                .copied()
                .filter(|k| k.is_enterprise() && k.credit_code.is_none() && k.merged == 0)
        });
        let merged_code = known
            .iter()
            .any(|k| k.merged == 1 && k.credit_code.as_deref() == Some(row.credit_code.as_str()));
        let merged_name = namesake.is_some_and(|k| k.merged == 1);
        match found {
            None if merged_code => problem(&row, Column::CreditCode, Problem::Merged),
            Some(k) if k.moved_by(&row) => problem(&row, Column::County, Problem::Moved),
            Some(k) if k.same_as(&row) => unchanged += 1,
            Some(k) => match namesake {
                Some(other) if other.unit_id != k.unit_id && merged_name => {
                    problem(&row, Column::Name, Problem::Merged)
                }
                Some(other) if other.unit_id != k.unit_id => {
                    problem(&row, Column::Name, Problem::NameTaken)
                }
                _ => update.push(((*k).clone(), row)),
            },
            None if merged_name => problem(&row, Column::Name, Problem::Merged),
            None if namesake.is_some() => problem(&row, Column::Name, Problem::NameTaken),
            None => add.push(row),
        }
    }
    plan.problems.sort_by_key(|p| p.line);
    plan.add = add;
    plan.update = update;
    plan.unchanged = unchanged;
    Ok(plan)
}

/// [`plan`] for the townships and departments file: a unit is found by its parent (the
/// county-level government, or the city government for a city-level department) and name.
async fn org_plan(conn: &mut AnyConnection, lines: &[Vec<Cell>]) -> Result<Plan, sqlx::Error> {
    let columns = match read_org_header(&lines[0]) {
        Ok(c) => c,
        Err(problems) => return Ok(Plan::with_problems(problems)),
    };
    let places = places(conn).await?;
    let mut plan = Plan::default();
    let rows = plan.read_rows(lines, |line, cells| {
        read_org_row(line, &columns, cells, &places)
    });
    plan.problems.extend(org_duplicates_in_file(&rows));
    // Every unit by (parent, name): a name is unique under its parent (unit_name_under_parent).
    let named: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT unit_id, parent_id, name, kind FROM unit WHERE parent_id IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    let named: HashMap<(&str, &str), (&str, &str)> = named
        .iter()
        .map(|(id, parent, name, kind)| {
            (
                (parent.as_str(), name.as_str()),
                (id.as_str(), kind.as_str()),
            )
        })
        .collect();
    let mut industries: HashMap<String, Vec<String>> = HashMap::new();
    let pairs: Vec<(String, String)> =
        sqlx::query_as("SELECT unit_id, industry_code FROM department_industry")
            .fetch_all(&mut *conn)
            .await?;
    for (unit, code) in pairs {
        industries.entry(unit).or_default().push(code);
    }
    for list in industries.values_mut() {
        list.sort();
    }
    let city = city_government(conn).await?;
    for row in rows {
        let parent = org_parent(&row, &city);
        match named.get(&(parent.as_str(), row.name.as_str())) {
            Some((_, kind)) if *kind != row.kind.unit_kind().code() => {
                plan.problems.push(LineProblem {
                    line: row.line,
                    column: Some(Column::Name),
                    problem: Problem::NameTaken,
                })
            }
            Some((id, _)) => {
                let before = industries.get(*id).cloned().unwrap_or_default();
                if row.kind == crate::domain::registry::OrgKind::Township
                    || before == row.industries
                {
                    plan.unchanged += 1;
                } else {
                    plan.org_update.push(OrgUpdate {
                        unit_id: id.to_string(),
                        before,
                        row,
                    });
                }
            }
            None => plan.orgs.push(row),
        }
    }
    plan.problems.sort_by_key(|p| p.line);
    Ok(plan)
}

/// The unit above a township or department: its county-level government, or the city
/// government (`city`) for a city-level department (as `admin::create_unit` makes them).
fn org_parent(row: &OrgRow, city: &str) -> String {
    row.county_id.clone().unwrap_or_else(|| city.to_string())
}

/// The city government's unit id.
async fn city_government(conn: &mut AnyConnection) -> Result<String, sqlx::Error> {
    let (id,): (String,) =
        sqlx::query_as("SELECT unit_id FROM unit WHERE kind = $1 ORDER BY unit_id LIMIT 1")
            .bind(UnitKind::CityGovernment.code())
            .fetch_one(&mut *conn)
            .await?;
    Ok(id)
}

/// Writes a townships and departments file's plan, inside the import's transaction.
async fn write_orgs(
    tx: &mut AnyConnection,
    plan: &Plan,
    now: chrono::DateTime<chrono::Utc>,
    actor: Option<&str>,
    life: Life,
) -> Result<(), AppError> {
    use crate::ssr::units::{insert_department_industry, insert_unit, NewUnit};
    let city = if plan.orgs.is_empty() {
        String::new()
    } else {
        city_government(tx).await?
    };
    for row in &plan.orgs {
        let unit = NewUnit {
            unit_id: new_id(),
            name: row.name.clone(),
            kind: row.kind.unit_kind(),
            parent_id: Some(org_parent(row, &city)),
            county_id: row.county_id.clone(),
            area_code: None,
            life,
        };
        insert_unit(tx, &unit, now).await.map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(Conflict::TryAgain)
            } else {
                AppError::from(e)
            }
        })?;
        for code in &row.industries {
            insert_department_industry(tx, &unit.unit_id, code).await?;
        }
        audit::record(
            tx,
            AuditEntry {
                at: now,
                actor,
                action: "unit.import",
                subject_kind: "unit",
                subject_id: &unit.unit_id,
                before: None,
                after: Some(serde_json::to_value(row).unwrap_or_default()),
            },
        )
        .await?;
    }
    for u in &plan.org_update {
        // Guard: the industries are replaced only if they are still what the plan read
        // (another import or the admin page may have changed them since, on PostgreSQL).
        let mut now_held: Vec<(String,)> =
            sqlx::query_as("SELECT industry_code FROM department_industry WHERE unit_id = $1")
                .bind(&u.unit_id)
                .fetch_all(&mut *tx)
                .await?;
        now_held.sort();
        if now_held.into_iter().map(|r| r.0).collect::<Vec<_>>() != u.before {
            return Err(AppError::Conflict(Conflict::TryAgain));
        }
        sqlx::query("DELETE FROM department_industry WHERE unit_id = $1")
            .bind(&u.unit_id)
            .execute(&mut *tx)
            .await?;
        for code in &u.row.industries {
            insert_department_industry(tx, &u.unit_id, code).await?;
        }
        audit::record(
            tx,
            AuditEntry {
                at: now,
                actor,
                action: "unit.import_update",
                subject_kind: "unit",
                subject_id: &u.unit_id,
                before: Some(serde_json::json!({ "industries": u.before })),
                after: Some(serde_json::json!({ "industries": u.row.industries })),
            },
        )
        .await?;
    }
    Ok(())
}

/// The townships and departments file's template: its header line.
pub fn org_template_table() -> Table {
    Table {
        name: "机构名录".into(),
        headers: ORG_COLUMNS
            .iter()
            .map(|c| c.header_zh().to_string())
            .collect(),
        rows: Vec::new(),
    }
}

/// The dry run: what importing the file would do, on a connection of its own.
pub async fn check(db: &Db, bytes: &[u8]) -> Result<Plan, AppError> {
    let mut conn = db.acquire().await?;
    Ok(plan(&mut conn, bytes).await?)
}

/// Rows written per statement.
const CHUNK: usize = 500;

/// Imports the file: all of it in one transaction, or nothing when any row has a problem
/// (`Err` with every problem). `progress(done, total)` is called as the rows are written.
///
/// Guard: the write transaction ([`crate::ssr::db::begin_write`]) reads the registry it
/// checks against; on PostgreSQL another writer may commit after that read, and then the
/// unique indexes (credit code; name under the county) or an update's `WHERE` on the values
/// read refuse the import whole (`Conflict::TryAgain`).
#[tracing::instrument(skip(db, clock, bytes, progress), fields(bytes = bytes.len()))]
pub async fn import(
    db: &Db,
    clock: &Clock,
    actor: Option<&str>,
    bytes: &[u8],
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<Result<Imported, Vec<LineProblem>>, AppError> {
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let plan = plan(&mut tx, bytes).await?;
    if !plan.problems.is_empty() {
        return Ok(Err(plan.problems));
    }
    let total = plan.adds() + plan.updates();
    progress(0, total);
    let conflict = |e: sqlx::Error| {
        if is_unique_violation(&e) {
            AppError::Conflict(Conflict::TryAgain)
        } else {
            AppError::from(e)
        }
    };
    let ids: Vec<String> = plan.add.iter().map(|_| new_id()).collect();
    let created = ts(now);
    // A new enterprise is open from the day it enters the registry: expected to file for the
    // period whose window is open or next (`domain::lifecycle`), not for periods already past,
    // whose roll-ups an import does not change.
    let life = Life::opened(kunming_date(now));
    let opened_on = crate::ssr::db::date_text(life.opened_on());
    let mut done = 0;
    for (rows, ids) in plan.add.chunks(CHUNK).zip(ids.chunks(CHUNK)) {
        let sql = format!(
            "INSERT INTO unit (unit_id, name, kind, parent_id, county_id, created_at, opened_on) VALUES {}",
            value_rows(&tx, rows.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for (row, id) in rows.iter().zip(ids) {
            q = q
                .bind(id)
                .bind(&row.name)
                .bind(UnitKind::Enterprise.code())
                .bind(&row.county_id)
                .bind(&row.county_id)
                .bind(&created)
                .bind(&opened_on);
        }
        q.execute(&mut *tx).await.map_err(conflict)?;
        let sql = format!(
            "INSERT INTO enterprise (unit_id, township_id, industry_code, address, legal_representative, headcount, credit_code, contact, phone) VALUES {}",
            value_rows(&tx, rows.len(), 9)
        );
        let mut q = sqlx::query(&sql);
        for (row, id) in rows.iter().zip(ids) {
            q = q
                .bind(id)
                .bind(row.township_id.clone())
                .bind(&row.industry_code)
                .bind(&row.address)
                .bind(&row.legal_representative)
                .bind(row.headcount)
                .bind(row.credit_code.as_str())
                .bind(&row.contact)
                .bind(&row.phone);
        }
        q.execute(&mut *tx).await.map_err(conflict)?;
        let entries: Vec<AuditEntry> = rows
            .iter()
            .zip(ids)
            .map(|(row, id)| AuditEntry {
                at: now,
                actor,
                action: "unit.import",
                subject_kind: "unit",
                subject_id: id,
                before: None,
                after: Some(serde_json::to_value(row).unwrap_or_default()),
            })
            .collect();
        audit::record_all(&mut tx, entries).await?;
        done += rows.len();
        progress(done, total);
    }
    // The new enterprises counted in their cells, once per cell.
    let mut cells: HashMap<CountCell, i64> = HashMap::new();
    for row in &plan.add {
        *cells
            .entry(CountCell {
                county_id: row.county_id.clone(),
                kind: UnitKind::Enterprise,
                industry: row.industry_code.clone(),
                township_id: row.township_id.clone().unwrap_or_default(),
            })
            .or_default() += 1;
    }
    for (cell, n) in &cells {
        counts::add_units(&mut tx, cell, &life.periods(), *n).await?;
    }
    for (before, row) in &plan.update {
        if !update(&mut tx, before, row).await.map_err(conflict)? {
            // Changed by someone else since it was read (PostgreSQL): the whole import again.
            return Err(AppError::Conflict(Conflict::TryAgain));
        }
        audit::record(
            &mut tx,
            AuditEntry {
                at: now,
                actor,
                action: "unit.import_update",
                subject_kind: "unit",
                subject_id: &before.unit_id,
                before: Some(serde_json::to_value(before).unwrap_or_default()),
                after: Some(serde_json::to_value(row).unwrap_or_default()),
            },
        )
        .await?;
        done += 1;
        if done % CHUNK == 0 {
            progress(done, total);
        }
    }
    write_orgs(&mut tx, &plan, now, actor, life).await?;
    let imported = Imported {
        rows: plan.rows,
        added: plan.adds(),
        updated: plan.updates(),
        unchanged: plan.unchanged,
    };
    if total > 0 {
        audit::record(
            &mut tx,
            AuditEntry {
                at: now,
                actor,
                action: "registry.import",
                subject_kind: "system",
                subject_id: "registry",
                before: None,
                after: Some(serde_json::to_value(&imported).unwrap_or_default()),
            },
        )
        .await?;
    }
    tx.commit().await?;
    progress(total, total);
    Ok(Ok(imported))
}

/// Writes a changed row over its enterprise, only if it still holds what was read; `false`
/// when it no longer does.
async fn update(
    tx: &mut AnyConnection,
    before: &Known,
    row: &RegistryRow,
) -> Result<bool, sqlx::Error> {
    let renamed = sqlx::query("UPDATE unit SET name = $1 WHERE unit_id = $2 AND name = $3")
        .bind(&row.name)
        .bind(&before.unit_id)
        .bind(&before.name)
        .execute(&mut *tx)
        .await?;
    let changed = sqlx::query(
        "UPDATE enterprise SET credit_code = $1, address = $2, legal_representative = $3, headcount = $4, contact = $5, phone = $6 \
         WHERE unit_id = $7 AND COALESCE(credit_code, '') = $8 AND industry_code = $9 AND COALESCE(township_id, '') = $10",
    )
    .bind(row.credit_code.as_str())
    .bind(&row.address)
    .bind(&row.legal_representative)
    .bind(row.headcount)
    .bind(&row.contact)
    .bind(&row.phone)
    .bind(&before.unit_id)
    .bind(before.credit_code.clone().unwrap_or_default())
    .bind(before.industry_code.clone().unwrap_or_default())
    .bind(before.township_id.clone().unwrap_or_default())
    .execute(&mut *tx)
    .await?;
    Ok(renamed.rows_affected() == 1 && changed.rows_affected() == 1)
}

/// The template's header line.
fn headers() -> Vec<String> {
    Column::ALL
        .iter()
        .map(|c| c.header_zh().to_string())
        .collect()
}

/// The registry as the template's columns: every enterprise, by county and name, but the
/// duplicates merged into another (the enterprise goes on as the one kept).
pub async fn registry_table(db: &Db) -> Result<Table, AppError> {
    #[derive(sqlx::FromRow)]
    struct Line {
        name: String,
        credit_code: Option<String>,
        county: Option<String>,
        township: Option<String>,
        industry_code: String,
        address: String,
        legal_representative: String,
        headcount: i64,
        contact: String,
        phone: String,
    }
    let lines: Vec<Line> = sqlx::query_as(
        "SELECT n.name, e.credit_code, c.name AS county, t.name AS township, e.industry_code, e.address, \
         e.legal_representative, e.headcount, e.contact, e.phone \
         FROM enterprise e JOIN unit n ON n.unit_id = e.unit_id LEFT JOIN unit c ON c.unit_id = n.county_id \
         LEFT JOIN unit t ON t.unit_id = e.township_id \
         WHERE NOT EXISTS (SELECT 1 FROM unit_merge m WHERE m.merged_unit_id = n.unit_id) ORDER BY n.county_id, n.name",
    )
    .fetch_all(db)
    .await?;
    let industry = |code: &str| {
        INDUSTRIES
            .iter()
            .find(|i| i.0 == code)
            .map_or(code, |i| i.1)
            .to_string()
    };
    Ok(Table {
        name: "企业名录".into(),
        headers: headers(),
        rows: lines
            .into_iter()
            .map(|l| {
                vec![
                    l.name,
                    l.credit_code.unwrap_or_default(),
                    l.county.unwrap_or_default(),
                    l.township.unwrap_or_default(),
                    industry(&l.industry_code),
                    l.address,
                    l.legal_representative,
                    l.headcount.to_string(),
                    l.contact,
                    l.phone,
                ]
            })
            .collect(),
    })
}

/// The empty template: the header line, the columns in the order an import reads them
/// (a file may order them otherwise; the header says which is which).
pub fn template_table() -> Table {
    Table {
        name: "企业名录".into(),
        headers: headers(),
        rows: Vec::new(),
    }
}

/// How long an uploaded file and its outcome are kept for the page.
const JOB_TTL: std::time::Duration = std::time::Duration::from_secs(3600);

/// The most uploads kept at once (each holds its file, up to 40 MB, until imported or
/// expired): an office has one or two administrators, and memory stays bounded.
const MAX_JOBS: usize = 4;

/// An uploaded file, checked or imported in the background for the registry page: the page
/// looks at it again until it is done (a progress bar, with or without JavaScript).
struct Job {
    owner: String,
    at: std::time::Instant,
    /// The file, until it is imported.
    bytes: Option<std::sync::Arc<Vec<u8>>>,
    state: RegistryJob,
}

/// The uploads of this process (an upload is a page's work in progress: a restart loses it,
/// and an import it interrupts rolls back whole).
#[derive(Default)]
pub struct Jobs {
    jobs: std::sync::Mutex<HashMap<String, Job>>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jobs")
    }
}

impl Jobs {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, id: &str, state: RegistryJob) {
        if let Some(job) = self.lock().get_mut(id) {
            if !state.running() {
                job.at = std::time::Instant::now();
            }
            job.state = state;
        }
    }

    /// The job, if it is `owner`'s (anyone else's is not found).
    pub fn get(&self, id: &str, owner: &str) -> Option<RegistryJob> {
        self.lock()
            .get(id)
            .filter(|j| j.owner == owner)
            .map(|j| j.state.clone())
    }
}

/// Keeps `bytes` as a new job of `owner` and checks it in the background; the job's id.
/// `Err(Conflict::TryAgain)` while [`MAX_JOBS`] uploads are still running.
pub fn start_check(
    db: &Db,
    jobs: &std::sync::Arc<Jobs>,
    owner: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<String, AppError> {
    let id = new_id();
    let bytes = std::sync::Arc::new(bytes);
    let file_name: String = file_name.chars().take(100).collect();
    {
        let mut all = jobs.lock();
        all.retain(|_, j| j.state.running() || j.at.elapsed() < JOB_TTL);
        if all.len() >= MAX_JOBS {
            // The oldest finished one makes room; if none is finished, the upload waits.
            let oldest = all
                .iter()
                .filter(|(_, j)| !j.state.running())
                .min_by_key(|(_, j)| j.at)
                .map(|(k, _)| k.clone())
                .ok_or(AppError::Conflict(Conflict::TryAgain))?;
            all.remove(&oldest);
        }
        all.insert(
            id.clone(),
            Job {
                owner: owner.to_string(),
                at: std::time::Instant::now(),
                bytes: Some(bytes.clone()),
                state: RegistryJob::Checking,
            },
        );
    }
    let (db, jobs, job) = (db.clone(), jobs.clone(), id.clone());
    tokio::spawn(async move {
        let state = match check(&db, &bytes).await {
            Ok(mut plan) => {
                let (problems, more_problems) = shown(std::mem::take(&mut plan.problems));
                RegistryJob::Checked {
                    file_name,
                    rows: plan.rows,
                    add: plan.adds(),
                    update: plan.updates(),
                    unchanged: plan.unchanged,
                    problems,
                    more_problems,
                }
            }
            Err(e) => failed(e),
        };
        jobs.set(&job, state);
    });
    Ok(id)
}

fn failed(e: AppError) -> RegistryJob {
    tracing::error!(error = ?e, "registry job failed");
    RegistryJob::Failed(e)
}

/// Imports a checked job's file in the background (it is checked again inside the import's
/// transaction). Only a job of `owner` that was checked without problems and not imported yet.
pub fn start_import(
    db: &Db,
    clock: &Clock,
    jobs: &std::sync::Arc<Jobs>,
    owner: &str,
    id: &str,
) -> Result<(), AppError> {
    let bytes = {
        let mut all = jobs.lock();
        let job = all
            .get_mut(id)
            .filter(|j| j.owner == owner)
            .ok_or(AppError::NotFound)?;
        match (&job.state, &job.bytes) {
            (RegistryJob::Checked { problems, .. }, Some(bytes)) if problems.is_empty() => {
                let bytes = bytes.clone();
                job.bytes = None;
                job.state = RegistryJob::Importing { done: 0, total: 0 };
                bytes
            }
            _ => return Err(AppError::Conflict(Conflict::TryAgain)),
        }
    };
    let (db, clock, jobs, job, actor) = (
        db.clone(),
        clock.clone(),
        jobs.clone(),
        id.to_string(),
        owner.to_string(),
    );
    tokio::spawn(async move {
        let progress = |done, total| jobs.set(&job, RegistryJob::Importing { done, total });
        let state = match import(&db, &clock, Some(&actor), &bytes, &progress).await {
            Ok(Ok(imported)) => RegistryJob::Imported(imported),
            Ok(Err(problems)) => {
                let (problems, more_problems) = shown(problems);
                RegistryJob::Refused {
                    problems,
                    more_problems,
                }
            }
            Err(e) => failed(e),
        };
        jobs.set(&job, state);
    });
    Ok(())
}
