//! Roll-ups as the pages show them (汇总): scopes, drill-down lines, summaries filed upward,
//! the city government's report.

use crate::domain::filing::FilingStatus;
use crate::domain::period::Period;
use crate::domain::rollup::{Rollup, RollupChange, TrendPoint};
use crate::domain::unit::UnitKind;
use serde::{Deserialize, Serialize};

/// What a roll-up is about: one of the reporting chain's scopes.
pub use crate::domain::chain::ScopeKind;

/// The unit a roll-up is about, named by its unit id in `?unit=`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub kind: ScopeKind,
    pub unit_id: String,
    pub name: String,
    pub county_id: Option<String>,
    pub county_name: Option<String>,
}

/// A summary (汇总) a department or a county office filed upward.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryRecord {
    pub unit_id: String,
    pub version: i64,
    /// Kunming time.
    pub submitted_at: String,
    pub submitted_by: String,
    pub remarks: String,
    pub rollup: Rollup,
}

/// One unit below the scope that can itself be drilled into (a county for the city; a
/// department or township for a county), with the counts of its own scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChildLine {
    pub unit_id: String,
    pub name: String,
    pub kind: UnitKind,
    pub expected: usize,
    pub filed: usize,
    pub late: usize,
    pub missing: usize,
    pub unmet_items: usize,
    /// The status of the unit's own nine forms, if filed.
    pub own_status: Option<FilingStatus>,
    /// The latest summary it filed upward, if any.
    pub summary: Option<SummaryRecord>,
}

/// One unit in a scope's list, with its latest filing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitLine {
    pub unit_id: String,
    pub name: String,
    pub kind: UnitKind,
    pub group: String,
    pub status: Option<FilingStatus>,
    pub late: bool,
    pub version: Option<i64>,
    /// Binding rows answered 不落实, with their explanations.
    pub unmet: Vec<crate::domain::filing::UnmetItem>,
}

/// The units in a scope that answered one row 不落实, with their explanations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowDetail {
    pub row_id: String,
    pub row_text: String,
    /// (unit id, unit name, explanation).
    pub units: Vec<(String, String, String)>,
}

/// The roll-up page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollupView {
    pub period: Period,
    pub scope: Scope,
    /// The way back up: (unit id for `?unit=`, name), outermost first, ending with the scope.
    pub crumbs: Vec<(String, String)>,
    pub rollup: Rollup,
    pub previous: Rollup,
    pub change: RollupChange,
    pub periods: Vec<(String, String)>,
    pub children: Vec<ChildLine>,
    pub units: Vec<UnitLine>,
    pub row: Option<RowDetail>,
    /// Oldest first, ending with the period shown.
    pub trend: Vec<TrendPoint>,
    /// The latest summary the scope's unit filed upward (departments and counties).
    pub summary: Option<SummaryRecord>,
    /// The viewer may file (or re-file) the summary of this scope now.
    pub can_file_summary: bool,
    /// The scope's unit files its own nine forms: (unit id for `/filing?unit=`, status).
    pub own_filing: Option<(String, Option<FilingStatus>)>,
}

/// How many periods the trend shows.
pub const TREND_PERIODS: usize = 6;

/// One county in the city government's report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportCounty {
    pub unit_id: String,
    pub name: String,
    pub rollup: Rollup,
    /// The county government's own nine forms.
    pub own_status: Option<FilingStatus>,
    pub own_late: bool,
    pub summary: Option<SummaryRecord>,
}

/// The city government's report for a period (107号 四、(二): the city office compiles).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CityReport {
    pub period: Period,
    pub periods: Vec<(String, String)>,
    /// Kunming date of compilation.
    pub compiled_on: String,
    pub total: Rollup,
    pub previous: Rollup,
    pub counties: Vec<ReportCounty>,
    /// City-level departments' own filings: (name, status, late).
    pub city_departments: Vec<(String, Option<FilingStatus>, bool)>,
    /// Coverage gaps (无盲区): (county, industry name, enterprises without a supervising department).
    pub gaps: Vec<(String, String, usize)>,
    pub trend: Vec<TrendPoint>,
}
