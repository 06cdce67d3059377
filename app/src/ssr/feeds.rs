//! The open API's reads (issue 14): units, filings and escalations a caller may see, a page at
//! a time, in change order so that another system can keep a copy up to date.
//!
//! Who sees what is the pages' rule, [`chain::oversees`], plus the caller's own filing unit
//! (107号 四、(二): each level sees what is filed to it and below it). The SQL narrows the
//! candidates by the caller's county or unit; the chain decides each row. A page is read by
//! key (`after` the last one seen), so page 1,000 costs what page 1 does.

use crate::domain::chain::{self, Member, Viewer};
use crate::domain::unit::{Role, UnitKind};
use crate::error::AppError;
use crate::model::UserView;
use crate::ssr::access;
use crate::ssr::db::{parse_code, ts, Db};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most items one page holds, and the number when none is asked for.
pub const MAX_LIMIT: i64 = 1000;
pub const DEFAULT_LIMIT: i64 = 100;

/// A unit (the registry), as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiUnit {
    pub unit_id: String,
    pub name: String,
    /// `city_government`, `county_government`, `management_committee`, `safety_office`,
    /// `department`, `township` or `enterprise`.
    pub kind: String,
    pub parent_id: Option<String>,
    /// The county-level government the unit lies in; none at city level.
    pub county_id: Option<String>,
    pub county_name: Option<String>,
    /// An enterprise's industry code (`chemical`, `construction`, …).
    pub industry: Option<String>,
    pub township_id: Option<String>,
    pub township_name: Option<String>,
    /// An enterprise's unified social credit code (统一社会信用代码).
    pub credit_code: Option<String>,
    pub address: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// A page of units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnitPage {
    pub items: Vec<ApiUnit>,
    /// Pass as `after` for the next page; none on the last page.
    pub next: Option<String>,
}

/// A filing version (not its content), as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiFilingSummary {
    pub filing_id: String,
    pub unit_id: String,
    pub unit_name: String,
    /// `2026-Y` (the year 2026, filed 1–10 January 2027) or `2027-H1` (filed 1–10 July 2027).
    pub period: String,
    pub version: i64,
    /// `submitted`, `returned` or `accepted` (drafts stay the unit's own).
    pub status: String,
    /// Filed after the window under a late-filing exception (补报).
    pub late: bool,
    /// No binding row answered 不落实 (a nil filing, 107号 五).
    pub nil: Option<bool>,
    /// 申报时间: the Kunming date of submission.
    pub filing_date: Option<String>,
    /// RFC 3339, UTC.
    pub submitted_at: Option<String>,
    /// RFC 3339, UTC: the last change (submission or review); the order of the list.
    pub updated_at: String,
    /// Entered on the unit's behalf from its paper form (代填): the paper's date.
    pub paper_date: Option<String>,
}

/// A page of filings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FilingPage {
    pub items: Vec<ApiFilingSummary>,
    pub next: Option<String>,
}

/// An escalation (106号), as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiEscalation {
    pub escalation_id: String,
    /// `proposed` (seen by the issuing office only), `issued`, `dismissed` or `closed`.
    pub status: String,
    /// `prompt` 提示, `notification` 告知, `admonition` 告诫, `disclosure` 公开,
    /// `special_report` 专报.
    pub rung: String,
    /// `notice`, `warning` or `alert`.
    pub severity: String,
    pub issuer_unit_id: String,
    pub target_unit_id: String,
    pub target_name: String,
    pub period: Option<String>,
    /// The document number once issued.
    pub number: Option<String>,
    pub reasons: String,
    pub measures: String,
    /// Kunming date by which the target must reply (a 告诫's 第九条 report).
    pub reply_due: Option<String>,
    /// RFC 3339, UTC.
    pub issued_at: Option<String>,
    pub closed_at: Option<String>,
    pub updated_at: String,
}

/// A page of escalations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EscalationPage {
    pub items: Vec<ApiEscalation>,
    pub next: Option<String>,
}

/// Where a list resumes: after this change time and id (a page's `next`, opaque to callers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub at: String,
    pub id: String,
}

impl Cursor {
    pub fn text(&self) -> String {
        format!("{}~{}", self.at, self.id)
    }

    /// Reads a `next` as [`Cursor::text`] wrote it.
    pub fn parse(text: &str) -> Option<Self> {
        let (at, id) = text.split_once('~')?;
        crate::ssr::db::parse_ts(at)?;
        (!id.is_empty() && id.len() <= 100).then(|| Cursor {
            at: at.to_string(),
            id: id.to_string(),
        })
    }

    /// Where the next page starts after a full page of `lines` (its last line's change time
    /// and id); `None` after a shorter page, the last.
    fn after_page<T>(
        lines: &[T],
        limit: i64,
        key: impl Fn(&T) -> (&String, &String),
    ) -> Option<Self> {
        let (at, id) = key(lines.last().filter(|_| lines.len() as i64 == limit)?);
        Some(Cursor {
            at: at.clone(),
            id: id.clone(),
        })
    }

    /// Where a list changed since `since` starts (changes at that very second included).
    pub fn since(since: DateTime<Utc>) -> Self {
        Cursor {
            at: ts(since),
            id: String::new(),
        }
    }
}

/// Whom a caller's reads reach: the chain's viewer of the account.
pub struct Reach {
    viewer: Viewer,
    own: Option<String>,
    all_units: bool,
}

impl Reach {
    pub async fn of(db: &Db, user: &UserView) -> Result<Self, AppError> {
        Ok(Reach {
            viewer: access::viewer(db, user).await?,
            own: access::own_filing_unit(user),
            // The administrator keeps the registry, so reads every unit (not filings).
            all_units: user.role == Role::Administrator,
        })
    }

    /// Whether the caller sees `unit`'s filings and escalations.
    pub fn sees(&self, unit: &Member) -> bool {
        self.own.as_deref() == Some(unit.unit_id.as_str()) || chain::oversees(&self.viewer, unit)
    }

    /// A SQL condition on the unit `n` that holds for every unit the caller sees (and for
    /// others, which [`Reach::sees`] then drops), and the value it binds.
    fn narrowing(&self, units: bool) -> (String, Option<String>) {
        if units && self.all_units {
            return ("1 = 1".into(), None);
        }
        match self.viewer.role {
            Role::CityOfficeStaff => ("1 = 1".into(), None),
            Role::CountyOfficeStaff | Role::DepartmentStaff => match &self.viewer.county_id {
                // The county's units, and the government the office files for.
                Some(c) => ("n.county_id = $B".into(), Some(c.clone())),
                None => ("1 = 1".into(), None),
            },
            Role::EnterpriseFiler | Role::TownshipStaff | Role::Administrator => (
                "n.unit_id = $B".into(),
                Some(self.own.clone().unwrap_or_default()),
            ),
        }
    }

    fn sees_line(&self, units: bool, member: &Member) -> bool {
        (units && self.all_units) || self.sees(member)
    }
}

/// The SQL of a keyset page: `narrowing`'s `$B` numbered after the other binds.
fn numbered(sql: &str, narrowing: &str, next: usize) -> String {
    sql.replace("{narrow}", &narrowing.replace("$B", &format!("${next}")))
}

/// Where a unit sits, as read with it: what the chain needs to decide who sees it.
#[derive(sqlx::FromRow)]
struct Place {
    kind: String,
    county_id: Option<String>,
    industry_code: Option<String>,
    township_id: Option<String>,
}

impl Place {
    fn member(&self, unit_id: &str) -> Result<Member, sqlx::Error> {
        Ok(Member {
            unit_id: unit_id.to_string(),
            kind: parse_code("kind", &self.kind, UnitKind::parse)?,
            county_id: self.county_id.clone(),
            industry: self.industry_code.clone(),
            township_id: self.township_id.clone(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct UnitLine {
    unit_id: String,
    name: String,
    #[sqlx(flatten)]
    place: Place,
    parent_id: Option<String>,
    county_name: Option<String>,
    township_name: Option<String>,
    credit_code: Option<String>,
    address: Option<String>,
    created_at: String,
}

impl UnitLine {
    fn member(&self) -> Result<Member, sqlx::Error> {
        self.place.member(&self.unit_id)
    }
}

const UNIT_SELECT: &str = "SELECT n.unit_id, n.name, n.kind, n.parent_id, n.county_id, c.name AS county_name, \
     e.industry_code, e.township_id, t.name AS township_name, e.credit_code, e.address, n.created_at \
     FROM unit n LEFT JOIN unit c ON c.unit_id = n.county_id LEFT JOIN enterprise e ON e.unit_id = n.unit_id \
     LEFT JOIN unit t ON t.unit_id = e.township_id";

impl From<UnitLine> for ApiUnit {
    fn from(l: UnitLine) -> Self {
        ApiUnit {
            unit_id: l.unit_id,
            name: l.name,
            kind: l.place.kind,
            parent_id: l.parent_id,
            county_id: l.place.county_id,
            county_name: l.county_name,
            industry: l.place.industry_code,
            township_id: l.place.township_id,
            township_name: l.township_name,
            credit_code: l.credit_code,
            address: l.address,
            created_at: l.created_at,
        }
    }
}

/// The caller's units by id, `limit` after `after` (an id; empty: from the first).
pub async fn units(db: &Db, reach: &Reach, after: &str, limit: i64) -> Result<UnitPage, AppError> {
    let (narrow, bind) = reach.narrowing(true);
    let sql = numbered(
        &format!("{UNIT_SELECT} WHERE n.unit_id > $1 AND {{narrow}} ORDER BY n.unit_id LIMIT $2"),
        &narrow,
        3,
    );
    let mut q = sqlx::query_as::<_, UnitLine>(&sql).bind(after).bind(limit);
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let lines = q.fetch_all(db).await?;
    let next = (lines.len() as i64 == limit).then(|| lines.last().map(|l| l.unit_id.clone()));
    let mut items = Vec::with_capacity(lines.len());
    for line in lines {
        if reach.sees_line(true, &line.member()?) {
            items.push(line.into());
        }
    }
    Ok(UnitPage {
        items,
        next: next.flatten(),
    })
}

/// One unit, if the caller sees it (else `NotFound`, as for a unit that does not exist).
pub async fn unit(db: &Db, reach: &Reach, unit_id: &str) -> Result<ApiUnit, AppError> {
    let line: Option<UnitLine> = sqlx::query_as(&format!("{UNIT_SELECT} WHERE n.unit_id = $1"))
        .bind(unit_id)
        .fetch_optional(db)
        .await?;
    match line {
        Some(l) if reach.sees_line(true, &l.member()?) => Ok(l.into()),
        _ => Err(AppError::NotFound),
    }
}

#[derive(sqlx::FromRow)]
struct FilingLine {
    filing_id: String,
    unit_id: String,
    unit_name: String,
    #[sqlx(flatten)]
    place: Place,
    period_key: String,
    version: i64,
    status: String,
    late: i64,
    nil: Option<i64>,
    filing_date: Option<String>,
    submitted_at: Option<String>,
    updated_at: String,
    paper_date: Option<String>,
}

impl FilingLine {
    fn member(&self) -> Result<Member, sqlx::Error> {
        self.place.member(&self.unit_id)
    }
}

impl From<FilingLine> for ApiFilingSummary {
    fn from(l: FilingLine) -> Self {
        ApiFilingSummary {
            filing_id: l.filing_id,
            unit_id: l.unit_id,
            unit_name: l.unit_name,
            period: l.period_key,
            version: l.version,
            status: l.status,
            late: l.late != 0,
            nil: l.nil.map(|n| n != 0),
            filing_date: l.filing_date,
            submitted_at: l.submitted_at,
            updated_at: l.updated_at,
            paper_date: l.paper_date,
        }
    }
}

const FILING_SELECT: &str = "SELECT f.filing_id, f.unit_id, n.name AS unit_name, n.kind, n.county_id, e.industry_code, e.township_id, \
     f.period_key, f.version, f.status, f.late, f.nil, f.filing_date, f.submitted_at, f.updated_at, f.paper_date \
     FROM filing f JOIN unit n ON n.unit_id = f.unit_id LEFT JOIN enterprise e ON e.unit_id = f.unit_id";

/// The filing versions the caller sees (never drafts), in change order from `from`,
/// of one period or all.
pub async fn filings(
    db: &Db,
    reach: &Reach,
    period: Option<&str>,
    from: &Cursor,
    limit: i64,
) -> Result<FilingPage, AppError> {
    let (narrow, bind) = reach.narrowing(false);
    let sql = numbered(
        &format!(
            "{FILING_SELECT} WHERE f.status <> 'draft' AND (f.updated_at > $1 OR (f.updated_at = $1 AND f.filing_id > $2)) \
             AND ($3 = '' OR f.period_key = $3) AND {{narrow}} ORDER BY f.updated_at, f.filing_id LIMIT $4"
        ),
        &narrow,
        5,
    );
    let mut q = sqlx::query_as::<_, FilingLine>(&sql)
        .bind(&from.at)
        .bind(&from.id)
        .bind(period.unwrap_or(""))
        .bind(limit);
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let lines = q.fetch_all(db).await?;
    let next = Cursor::after_page(&lines, limit, |l| (&l.updated_at, &l.filing_id));
    let mut items = Vec::with_capacity(lines.len());
    for line in lines {
        if reach.sees(&line.member()?) {
            items.push(line.into());
        }
    }
    Ok(FilingPage {
        items,
        next: next.map(|c| c.text()),
    })
}

/// One filing version (not a draft), if the caller sees its unit.
pub async fn filing(db: &Db, reach: &Reach, filing_id: &str) -> Result<ApiFilingSummary, AppError> {
    let line: Option<FilingLine> = sqlx::query_as(&format!(
        "{FILING_SELECT} WHERE f.filing_id = $1 AND f.status <> 'draft'"
    ))
    .bind(filing_id)
    .fetch_optional(db)
    .await?;
    match line {
        Some(l) if reach.sees(&l.member()?) => Ok(l.into()),
        _ => Err(AppError::NotFound),
    }
}

#[derive(sqlx::FromRow)]
struct EscalationLine {
    escalation_id: String,
    status: String,
    rung: String,
    issuer_unit_id: String,
    target_unit_id: String,
    target_name: String,
    #[sqlx(flatten)]
    place: Place,
    period_key: Option<String>,
    number: Option<String>,
    reasons: String,
    measures: String,
    reply_due: Option<String>,
    issued_at: Option<String>,
    closed_at: Option<String>,
    updated_at: String,
}

/// The escalations the caller sees (the pages' rule: the issuing office; the target; those
/// overseeing the target; a proposal only by its office), in change order from `from`.
pub async fn escalations(
    db: &Db,
    reach: &Reach,
    user: &UserView,
    from: &Cursor,
    limit: i64,
) -> Result<EscalationPage, AppError> {
    let (narrow, bind) = reach.narrowing(false);
    let sql = numbered(
        "SELECT x.escalation_id, x.status, x.rung, x.issuer_unit_id, x.target_unit_id, n.name AS target_name, n.kind, n.county_id, \
         e.industry_code, e.township_id, x.period_key, x.number, x.reasons, x.measures, x.reply_due, x.issued_at, x.closed_at, x.updated_at \
         FROM escalation x JOIN unit n ON n.unit_id = x.target_unit_id LEFT JOIN enterprise e ON e.unit_id = x.target_unit_id \
         WHERE (x.updated_at > $1 OR (x.updated_at = $1 AND x.escalation_id > $2)) AND (x.issuer_unit_id = $3 OR {narrow}) \
         ORDER BY x.updated_at, x.escalation_id LIMIT $4",
        &narrow,
        5,
    );
    let mut q = sqlx::query_as::<_, EscalationLine>(&sql)
        .bind(&from.at)
        .bind(&from.id)
        .bind(&user.unit_id)
        .bind(limit);
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let lines = q.fetch_all(db).await?;
    let next = Cursor::after_page(&lines, limit, |l| (&l.updated_at, &l.escalation_id));
    let mut items = Vec::with_capacity(lines.len());
    for l in lines {
        let issuer = l.issuer_unit_id == user.unit_id;
        let target = l.place.member(&l.target_unit_id)?;
        let visible = if l.status == "proposed" {
            issuer
        } else {
            issuer || reach.sees(&target)
        };
        if !visible {
            continue;
        }
        let rung = parse_code("rung", &l.rung, crate::domain::ladder::Rung::parse)?;
        items.push(ApiEscalation {
            escalation_id: l.escalation_id,
            status: l.status,
            severity: rung.severity().code().to_string(),
            rung: l.rung,
            issuer_unit_id: l.issuer_unit_id,
            target_unit_id: l.target_unit_id,
            target_name: l.target_name,
            period: l.period_key,
            number: l.number,
            reasons: l.reasons,
            measures: l.measures,
            reply_due: l.reply_due,
            issued_at: l.issued_at,
            closed_at: l.closed_at,
            updated_at: l.updated_at,
        });
    }
    Ok(EscalationPage {
        items,
        next: next.map(|c| c.text()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_nothing_else_does() {
        let c = Cursor {
            at: "2027-01-05T02:00:00Z".into(),
            id: "0192-abc".into(),
        };
        assert_eq!(Cursor::parse(&c.text()), Some(c));
        assert_eq!(Cursor::parse("yesterday~x"), None);
        assert_eq!(Cursor::parse("2027-01-05T02:00:00Z~"), None);
        assert_eq!(Cursor::parse("2027-01-05T02:00:00Z"), None);
    }

    #[test]
    fn the_narrowing_bind_is_numbered_after_the_others() {
        assert_eq!(
            numbered("WHERE a = $1 AND {narrow}", "n.county_id = $B", 2),
            "WHERE a = $1 AND n.county_id = $2"
        );
    }
}
