//! Data that crosses between the server and the pages: who is asking, units and accounts as
//! listed, the home page. Depends only on [`crate::domain`] and [`crate::error`]; the server
//! (`ssr`) builds these, the server functions (`api`) carry them, the pages (`ui`) show them.
//!
//! - [`filing`]: a filing as shown, the queue, late-filing exceptions, history.
//! - [`registry`]: a registry file's check or import, as the registry page shows it.
//! - [`rollup`]: roll-ups, drill-down, summaries, the city report.
//! - [`escalation`]: the escalation ladder as shown: documents, dashboard, inbox, brief.

pub mod escalation;
pub mod filing;
pub mod registry;
pub mod rollup;
pub mod token;

use crate::domain::period::{FilingWindow, WindowState};
use crate::domain::unit::{Role, UnitKind};
use crate::error::AppError;
use crate::i18n::Lang;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The logged-in user with their unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    /// The county-level government the unit lies in; `None` at city level.
    pub county_id: Option<String>,
    pub county_name: Option<String>,
}

/// What every page needs: who is asking, in which language, and the app's "now".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<UserView>,
    pub lang: Lang,
    pub now: DateTime<Utc>,
    /// Set when the app runs on a fixed clock (drills, demos, tests).
    pub clock_fixed: bool,
    /// How many notices wait for the user (escalations, deadlines, returned filings, decisions).
    #[serde(default)]
    pub notices: usize,
}

/// Errors and typed values kept for a form after a failed post without JavaScript.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    pub token: String,
    pub form: String,
    pub error: AppError,
    pub values: Vec<(String, String)>,
}

/// A unit as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitRow {
    pub unit_id: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<String>,
    pub parent_name: Option<String>,
    pub county_id: Option<String>,
    pub county_name: Option<String>,
    /// For an enterprise, its industry.
    pub industry_code: Option<String>,
    /// For an enterprise, its township, if known.
    pub township_id: Option<String>,
    pub township_name: Option<String>,
    /// When it opened and, if it has, closed.
    pub life: crate::domain::lifecycle::Life,
}

/// A unit linked to another by a merge of duplicate enterprises (`ssr::admin::merge_unit`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeLink {
    pub unit_id: String,
    pub name: String,
    /// The Kunming date of the merge, `YYYY-MM-DD`.
    pub merged_on: String,
}

/// An enterprise's merges, for the administrator's unit page: where it was merged into, the
/// duplicates merged into it, and the enterprises it may still be merged into (of its county,
/// not merged themselves).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitMerges {
    pub merged_into: Option<MergeLink>,
    pub merged_from: Vec<MergeLink>,
    /// (unit id, name)
    pub candidates: Vec<(String, String)>,
}

/// An account as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: String,
    pub unit_name: String,
}

/// A count of units of one kind below the user's unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Count {
    /// Message key of what is counted.
    pub label: String,
    pub n: i64,
}

/// The home page of a role.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeSummary {
    pub user: UserView,
    pub now: DateTime<Utc>,
    pub window: WindowState,
    /// The window whose filing the unit owes now or next.
    pub due: FilingWindow,
    /// Whether this user's unit files its own nine forms (every unit but the city office).
    pub files_own_forms: bool,
    /// Where the unit's filing goes (107号 四、(二)); empty with `gap` set when nobody supervises it.
    pub file_to: Vec<String>,
    /// An enterprise whose industry no department in its county supervises.
    pub gap: bool,
    /// For a department: the industries it supervises (codes).
    pub industries: Vec<String>,
    /// Units below that must file.
    pub below: Vec<Count>,
}

/// Minimum length of a password.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Checks a new password pair; used in the browser as the user types, and on the server.
pub fn check_new_password(new: &str, repeat: &str) -> crate::error::FieldErrors {
    let mut errors = crate::error::FieldErrors::new();
    if new.chars().count() < MIN_PASSWORD_LEN {
        errors.add("new_password", "err.password_too_short");
    } else if new.chars().count() > 128 {
        errors.add("new_password", "err.too_long");
    }
    if new != repeat {
        errors.add("repeat_password", "err.password_mismatch");
    }
    errors
}
