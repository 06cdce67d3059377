//! A filing as the pages show it: the record and page data, the period pickers, the form's
//! fields, submission answers, late-filing exceptions, the review queue, history.

use crate::domain::filing::{self, FilingAccess, FilingContent, FilingStatus, Progress};
use crate::domain::forms::{Answer, BindingKind, FORMS};
use crate::domain::period::{FilingWindow, Period, WindowState};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One version of a filing, without its answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilingRecord {
    pub filing_id: String,
    pub unit_id: String,
    pub period_key: String,
    pub version: i64,
    pub status: FilingStatus,
    pub late: bool,
    pub filing_date: Option<String>,
    pub nil: Option<bool>,
    pub updated_at: String,
    pub submitted_at: Option<String>,
}

/// Everything the filing page and the print view show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilingView {
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub binding: BindingKind,
    pub period: Period,
    pub window: FilingWindow,
    pub access: FilingAccess,
    /// A late-filing exception: (reason, valid until, Kunming time).
    pub exception: Option<(String, String)>,
    /// The version shown (the latest unless another was asked for); `None` before the first save.
    pub record: Option<FilingRecord>,
    pub content: FilingContent,
    pub progress: Progress,
    /// All versions, newest first.
    pub versions: Vec<FilingRecord>,
    /// The viewer may edit (own unit, latest version, a draft or none yet, filing allowed now).
    pub editable: bool,
    /// The viewer may start a new version (own unit, latest submitted or returned, filing allowed).
    pub can_revise: bool,
    /// The viewer files for this unit (as opposed to a supervisor looking at it).
    pub own: bool,
    /// The latest review of the version shown: (`accept` | `return`, reason, Kunming time).
    pub last_review: Option<(String, String, String)>,
    pub now: DateTime<Utc>,
}

/// The four latest periods whose windows have opened, newest first, as (key, Chinese label),
/// for the period pickers.
pub fn recent_periods(now: DateTime<Utc>) -> Vec<(String, String)> {
    std::iter::successors(Some(Period::latest_opened(now)), |p| Some(p.previous()))
        .take(4)
        .map(|p| (p.key(), p.label_zh()))
        .collect()
}

/// The period named by a key from the URL, or [`default_period`] when the key is empty.
pub fn period_or_default(key: &str, now: DateTime<Utc>) -> Result<Period, AppError> {
    if key.is_empty() {
        Ok(default_period(now))
    } else {
        Period::parse_key(key).ok_or(AppError::NotFound)
    }
}

/// Picks the period a filing page is about: the one asked for, else the open window's, else
/// the latest whose window has opened.
pub fn default_period(now: DateTime<Utc>) -> Period {
    match WindowState::at(now) {
        WindowState::Open(w) => w.period,
        WindowState::Closed { last, .. } => last.period,
    }
}

/// Reads the filing form's fields into a filing: `principal` … `phone`,
/// `answers[r3_1_2]=done|not_done`, `explanations[x3_1_2]=…`, `notes[f3]=…`.
/// Unknown rows and answers are dropped (they cannot come from our form).
pub fn content_from_fields(fields: &[(String, String)]) -> FilingContent {
    let mut c = FilingContent::default();
    for (name, value) in fields {
        match name.as_str() {
            "principal" => c.frame.principal = value.clone(),
            "leader_in_charge" => c.frame.leader_in_charge = value.clone(),
            "filled_by" => c.frame.filled_by = value.clone(),
            "reviewed_by" => c.frame.reviewed_by = value.clone(),
            "phone" => c.frame.phone = value.clone(),
            _ => {
                if let Some(field) = name
                    .strip_prefix("answers[")
                    .and_then(|n| n.strip_suffix(']'))
                {
                    if let (Some(row), Some(answer)) =
                        (filing::row_of_field(field), Answer::parse(value))
                    {
                        c.answers.insert(row, answer);
                    }
                } else if let Some(field) = name
                    .strip_prefix("explanations[")
                    .and_then(|n| n.strip_suffix(']'))
                {
                    if let Some(row) = field
                        .strip_prefix('x')
                        .and_then(|f| filing::row_of_field(&format!("r{f}")))
                    {
                        if !value.trim().is_empty() {
                            c.explanations.insert(row, value.clone());
                        }
                    }
                } else if let Some(form) = name
                    .strip_prefix("notes[f")
                    .and_then(|n| n.strip_suffix(']'))
                {
                    if let Ok(n) = form.parse::<u8>() {
                        if FORMS.iter().any(|f| f.number == n) && !value.trim().is_empty() {
                            c.notes.insert(n, value.clone());
                        }
                    }
                }
            }
        }
    }
    c
}

/// The fields of a filing, as [`content_from_fields`] reads them.
pub fn fields_of(c: &FilingContent) -> Vec<(String, String)> {
    let f = &c.frame;
    let mut out = vec![
        ("principal".to_string(), f.principal.clone()),
        ("leader_in_charge".to_string(), f.leader_in_charge.clone()),
        ("filled_by".to_string(), f.filled_by.clone()),
        ("reviewed_by".to_string(), f.reviewed_by.clone()),
        ("phone".to_string(), f.phone.clone()),
    ];
    for (row, a) in &c.answers {
        out.push((
            format!("answers[{}]", filing::row_field(row)),
            a.code().to_string(),
        ));
    }
    for (row, x) in &c.explanations {
        out.push((
            format!("explanations[{}]", filing::explanation_field(row)),
            x.clone(),
        ));
    }
    for (n, note) in &c.notes {
        out.push((format!("notes[f{n}]"), note.clone()));
    }
    out
}

/// What saving answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveOutcome {
    pub version: i64,
    /// `intent=review` passed the submission checks: the confirmation page is next.
    pub ready_to_submit: bool,
}

/// The answer to a submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SubmitOutcome {
    /// This request submitted the filing.
    Submitted { version: i64, late: bool, nil: bool },
    /// It was already submitted (another tab, a double click, a retry): nothing changed.
    AlreadySubmitted {
        version: i64,
        submitted_at: Option<String>,
    },
}

/// The late-filing exceptions page: units the user supervises, recent closed periods, and
/// the exceptions granted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExceptionsView {
    pub units: Vec<(String, String)>,
    pub periods: Vec<(String, String)>,
    pub granted: Vec<LateExceptionRow>,
}

/// A late-filing exception as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LateExceptionRow {
    pub unit_id: String,
    pub unit_name: String,
    pub period_key: String,
    pub granted_by: String,
    pub reason: String,
    pub valid_until: String,
    pub granted_at: String,
}

/// One filing in a reviewer's queue: the latest version of a unit's filing for the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub filing_id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub industry_code: Option<String>,
    pub township_name: Option<String>,
    pub version: i64,
    pub status: FilingStatus,
    pub late: bool,
    pub nil: Option<bool>,
    pub submitted_at: Option<String>,
}

/// A reviewer's queue for a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewQueue {
    pub period: Period,
    pub rows: Vec<QueueRow>,
    /// Recent periods for the filter: (key, Chinese label).
    pub periods: Vec<(String, String)>,
    /// Townships of the reviewer's county for the filter: (id, name).
    pub townships: Vec<(String, String)>,
}

/// One recorded state change, for the history page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    /// Kunming time.
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    /// The version it concerns, for filing events.
    pub version: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A unit's history for a period: every recorded change, and every version side by side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryView {
    pub unit_id: String,
    pub unit_name: String,
    pub binding: BindingKind,
    pub period: Period,
    pub events: Vec<HistoryEvent>,
    /// Oldest first: each version with what it said.
    pub versions: Vec<(FilingRecord, FilingContent)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_periods_step_back_from_the_latest_window_that_opened() {
        let now = crate::domain::time::parse_instant("2027-01-05T10:00:00+08:00").unwrap();
        let keys: Vec<String> = recent_periods(now).into_iter().map(|p| p.0).collect();
        assert_eq!(keys, vec!["2026-Y", "2026-H1", "2025-Y", "2025-H1"]);
    }

    #[test]
    fn filing_fields_round_trip_and_unknown_rows_are_dropped() {
        let mut fields = vec![
            ("principal".to_string(), "赵建国".to_string()),
            ("answers[r5_3]".to_string(), "not_done".to_string()),
            ("explanations[x5_3]".to_string(), "说明".to_string()),
            ("notes[f5]".to_string(), "备注".to_string()),
        ];
        let content = content_from_fields(&fields);
        assert_eq!(content.answers.get("5.3"), Some(&Answer::NotDone));
        assert_eq!(content_from_fields(&fields_of(&content)), content);
        fields.push(("answers[r99_1]".to_string(), "done".to_string()));
        fields.push(("answers[r1_1]".to_string(), "maybe".to_string()));
        assert_eq!(
            content_from_fields(&fields),
            content,
            "unknown rows and answers are ignored"
        );
    }
}
