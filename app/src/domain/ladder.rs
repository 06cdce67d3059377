//! The escalation ladder of 昆政办〔2010〕106号《昆明市安全生产警示管理办法（试行）》 (警示管理).
//!
//! 第二条: governments, the three management committees and their safety committee offices
//! apply 提示、告知、告诫、公开、专报 to the governments and departments below them. 第四条 to
//! 第八条 say when each rung applies, 第九条 gives a 告诫 15 days for its report; 107号 六、(三)
//! ties the ladder to nil filing ("对零申报工作开展不力的，将给予提示、告知、告诫、公开、专报").
//!
//! # What is here
//! - `rung`: [`Rung`] and [`Severity`]: the five rungs (第四条–第八条) and their three severities,
//!   with their codes, labels, articles and document words.
//! - `authority`: [`may_issue`] and [`delivery`]: who may escalate against whom (第二条,
//!   第四条–第八条), and how the escalation reaches its target.
//! - `evidence`: the facts about a unit for a period ([`UnitSituation`], [`OpenEscalation`],
//!   [`Accident`]), the [`Evidence`] they show, and the [`Reason`]s and [`Proposal`]s built on it.
//! - `propose`: [`propose()`]: the escalations a unit's facts for a period call for, each with
//!   its evidence and the clause it rests on (第四条–第八条; the rules are set out there).
//! - `deadlines`: [`rectification_due`], [`rectification_overdue`]: the 15 days of 第九条, in
//!   Kunming days; [`OpenEscalation::response`]: where a reply stands; [`deadline_reminders`]:
//!   the reminders due at an instant (window open, window closing, a 告诫 report falling due).
//! - `number`: [`document_number`]: the number printed on an escalation document (GB/T 9704).
//!
//! Pure: the caller loads the facts (plain strings, dates and instants, as stored) and gets
//! decisions; nothing here reads a clock or a database.

mod authority;
mod deadlines;
mod evidence;
#[cfg(test)]
mod fixtures;
mod number;
mod propose;
mod rung;

pub use authority::{
    delivery, is_issuer, is_target, may_issue, Delivery, IssueRefusal, UnitPosition,
};
pub use deadlines::{
    deadline_reminders, rectification_due, rectification_overdue, reply_due, Reminder, Response,
    REPORT_DAYS, REPORT_REMINDER_DAYS, WINDOW_CLOSING_REMINDER_DAYS,
};
pub use evidence::{
    Accident, Evidence, FiledSituation, OpenEscalation, Proposal, Reason, UnitSituation, UnmetItem,
};
pub use number::{document_number, document_year};
pub use propose::{propose, ACCIDENT_SPAN_DAYS};
pub use rung::{Rung, Severity};
