//! The escalation ladder in the database (昆政办〔2010〕106号): proposals worked out from the
//! filings by [`crate::domain::ladder::propose`], issued or dismissed by office staff, received
//! and answered by the target, decided by the issuer; accidents; the public disclosure list
//! (第七条), the 专报 brief (第八条), the dashboard and the notices.
//!
//! Every state change is written with its audit record in one transaction, and every change
//! of status is a conditional update, so two clicks cannot both issue, dismiss or decide.

//!
//! # Layout
//! - `codes`: columns decoded where the row is read (codes into enums, JSON, dates).
//! - `rows`: the stored escalation as read (one SELECT, the decoded row, the replies).
//! - `propose`: proposals: load the units' situations, decide ([`ladder::propose`]), write.
//! - `transitions`: issue, dismiss, issue by hand, acknowledge, respond, decide, close (lift),
//!   accidents.
//! - `read`: the document, the escalations page and its dashboard, the disclosure list.
//! - `notices`: notices and the inbox.
//! - `brief`: the 专报 brief (第八条).

mod brief;
mod codes;
mod notices;
mod propose;
mod read;
mod rows;
mod transitions;

pub use brief::brief;
pub use notices::{inbox, notice_count, notices};
pub use propose::{ensure_today, run, run_due, run_for_user};
pub use read::{attachment, disclosures, page, view};
pub use transitions::{
    acknowledge, attach_to_reply, close, decide_response, dismiss, issue_by_hand, issue_proposal,
    record_accident, respond,
};

use crate::domain::ladder::UnitPosition;
use crate::domain::unit::Role;
use crate::error::AppError;
use crate::model::UserView;
use crate::ssr::db::Db;
use chrono::{DateTime, NaiveDate, Utc};

// ---------------------------------------------------------------------------------------------
// Who is who
// ---------------------------------------------------------------------------------------------

/// The office a user issues for (第二条: a government's safety committee office), if any.
fn office_of(user: &UserView) -> Option<UnitPosition> {
    matches!(user.role, Role::CountyOfficeStaff | Role::CityOfficeStaff).then(|| UnitPosition {
        unit_id: user.unit_id.clone(),
        kind: user.unit_kind,
        county_id: user.county_id.clone(),
    })
}

async fn position_of(db: &Db, unit_id: &str) -> Result<Option<UnitPosition>, AppError> {
    Ok(crate::ssr::units::unit_by_id(db, unit_id)
        .await?
        .map(|u| UnitPosition {
            unit_id: u.unit_id,
            kind: u.kind,
            county_id: u.county_id,
        }))
}

/// The short name an office signs its documents with: 五华区安委办.
fn short_name(office_name: &str) -> String {
    office_name.replace("安全生产委员会办公室", "安委办")
}

fn kunming_text(stored: Option<String>) -> Option<String> {
    stored.as_deref().map(crate::ssr::db::kunming_text)
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// A stored instant (written by [`crate::ssr::db::ts`]); one that does not read is an
/// internal error, logged.
fn stored_instant(text: &str) -> Result<DateTime<Utc>, AppError> {
    Ok(crate::ssr::db::parse_instant("instant", text)?)
}
