//! A filing as the pages show it: the record and page data, the period pickers, the form's
//! fields, submission answers, late-filing exceptions, the review queue, history.

use crate::domain::filing::{
    FieldName, FilingAccess, FilingContent, FilingStatus, FrameField, Progress, RowId,
};
use crate::domain::forms::{Answer, BindingKind};
use crate::domain::period::{FilingWindow, Period, WindowState};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One version of a filing, without its answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilingRecord {
    pub filing_id: String,
    pub unit_id: String,
    pub period_key: String,
    pub version: i64,
    pub status: FilingStatus,
    pub late: bool,
    /// 申报时间: the Kunming date of submission.
    pub filing_date: Option<NaiveDate>,
    /// A nil filing (零申报, 107号 五), as decided at submission by
    /// [`crate::domain::filing::is_nil`] and stored in `filing.nil`; `None` before submission.
    pub nil: Option<bool>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// 代填: the date on the unit's paper form when this version was entered from it on the
    /// unit's behalf (then also its `filing_date`); `None` for a version the unit filed itself.
    pub paper_date: Option<NaiveDate>,
    /// 代填: who entered this version from paper (their display name).
    pub entered_by: Option<String>,
}

/// An attachment of a filing version (the sealed paper copy), as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub attachment_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: Option<String>,
}

/// A late-filing exception (补报) in force or granted: why, and until when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LateException {
    pub reason: String,
    pub valid_until: DateTime<Utc>,
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
    /// The late-filing exception granted for the period, if any.
    pub exception: Option<LateException>,
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
    /// A supervisor's view: the unit has a draft, not shown (only submitted versions are).
    pub draft_exists: bool,
    /// The latest review of the version shown: (`accept` | `return`, reason, Kunming time).
    pub last_review: Option<LastReview>,
    /// The attachments of the version shown (the sealed paper copy, 单位（盖章）).
    pub attachments: Vec<AttachmentInfo>,
    /// The viewer may enter this filing from the unit's paper form now (代填: the receiving
    /// department or the unit's township, nothing filed yet, the window open or a late-filing
    /// exception in force): the page links to the paper mode.
    pub may_enter_paper: bool,
    /// The page is in "enter from paper" mode (`/filing/paper`), see [`PaperMode`].
    pub paper: Option<PaperMode>,
    pub now: DateTime<Utc>,
}

/// The filing page in "enter from paper" mode (代填): the nine forms empty, with a field for
/// the date on the paper, posted to `enter_paper_filing`. Only what the unit already filed
/// is said, never its text (the enterer need not oversee the unit).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperMode {
    /// The latest version, when it is no draft: the filing is made, nothing more is entered
    /// from paper (the unit corrects it as a new version). (version, status, on paper)
    pub filed: Option<(i64, FilingStatus, bool)>,
}

/// The "enter from paper" page: the period, and either the units the user may enter for
/// (none named yet) or the named unit's form in paper mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperView {
    pub period: Period,
    /// Recent periods for the picker: (key, Chinese label).
    pub periods: Vec<(String, String)>,
    /// The units whose paper forms the user enters, (id, name), by name; empty once a unit
    /// is named.
    pub units: Vec<(String, String)>,
    pub entry: Option<FilingView>,
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

/// The filing form's fields as posted, by name and in order: the nesting of the urlencoded
/// body (`answers[r3_1_2]=done` arrives as `answers` → `r3_1_2` → `done`) is undone, so each
/// field has the name [`FieldName`] gives it. Read only through [`FilingDraft`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostedFields(pub Vec<(String, String)>);

/// One posted value: text, a nested group (`answers[…]`), or anything else (a list).
#[derive(Deserialize)]
#[serde(untagged)]
enum Posted {
    One(String),
    Many(BTreeMap<String, Posted>),
    Other(serde::de::IgnoredAny),
}

impl Posted {
    fn flatten_into(self, name: String, out: &mut Vec<(String, String)>) {
        match self {
            Posted::One(value) => out.push((name, value)),
            Posted::Many(group) => {
                for (key, value) in group {
                    value.flatten_into(format!("{name}[{key}]"), out);
                }
            }
            // No field of the form is a list: kept under a name no field has, so the
            // parser drops (and lists) it.
            Posted::Other(_) => out.push((format!("{name}[]"), String::new())),
        }
    }
}

impl<'de> Deserialize<'de> for PostedFields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields: BTreeMap<String, Posted> = BTreeMap::deserialize(deserializer)?;
        let mut out = Vec::new();
        for (name, value) in fields {
            value.flatten_into(name, &mut out);
        }
        Ok(PostedFields(out))
    }
}

impl Serialize for PostedFields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// The filing form, parsed once where it arrives: what the filing says, and what was posted
/// that the form does not have.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilingDraft {
    pub content: FilingContent,
    /// Posted (name, value) pairs that were dropped: no field of the form has the name (an
    /// unknown row or form), or the value is none the field allows (an answer other than
    /// `done` / `not_done`). They cannot come from our form.
    pub rejected: Vec<(String, String)>,
}

impl FilingDraft {
    /// Reads the form's fields (see [`FieldName`]): the frame, `answers[r3_1_2]=done|not_done`,
    /// `explanations[x3_1_2]=…`, `notes[f3]=…`. Blank explanations and notes are no text.
    pub fn parse(fields: &[(String, String)]) -> Self {
        let mut draft = FilingDraft::default();
        for (name, value) in fields {
            let c = &mut draft.content;
            let kept = match FieldName::parse(name) {
                Some(FieldName::Frame(field)) => {
                    *c.frame.get_mut(field) = value.clone();
                    true
                }
                Some(FieldName::Answer(row)) => match Answer::parse(value) {
                    Some(answer) => {
                        c.answers.insert(row.to_string(), answer);
                        true
                    }
                    None => false,
                },
                Some(FieldName::Explanation(row)) => {
                    if !value.trim().is_empty() {
                        c.explanations.insert(row.to_string(), value.clone());
                    }
                    true
                }
                Some(FieldName::Note(n)) => {
                    if !value.trim().is_empty() {
                        c.notes.insert(n, value.clone());
                    }
                    true
                }
                None => false,
            };
            if !kept {
                draft.rejected.push((name.clone(), value.clone()));
            }
        }
        draft
    }

    /// The fields of a filing by name, as [`FilingDraft::parse`] reads them (what a failed
    /// post keeps for the page).
    pub fn fields_of(c: &FilingContent) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = FrameField::ALL
            .into_iter()
            .map(|f| (FieldName::Frame(f).to_string(), c.frame.get(f).clone()))
            .collect();
        let row = |id: &String| RowId::parse(id);
        for (id, a) in &c.answers {
            if let Some(r) = row(id) {
                out.push((FieldName::Answer(r).to_string(), a.code().to_string()));
            }
        }
        for (id, x) in &c.explanations {
            if let Some(r) = row(id) {
                out.push((FieldName::Explanation(r).to_string(), x.clone()));
            }
        }
        for (n, note) in &c.notes {
            if let Some(f) = FieldName::note(*n) {
                out.push((f.to_string(), note.clone()));
            }
        }
        out
    }

    /// This draft's fields (see [`FilingDraft::fields_of`]).
    pub fn fields(&self) -> Vec<(String, String)> {
        Self::fields_of(&self.content)
    }
}

impl TryFrom<PostedFields> for FilingDraft {
    type Error = AppError;

    /// The form as posted, refused whole (nothing is saved) when anything in it is not what
    /// our form sends: a field the form does not have (`form`: `err.unknown_field`), an answer
    /// other than 落实 / 不落实 (on that row: `err.answer_value`), text over its limit
    /// ([`crate::domain::filing::check_draft`]). Whether the rows bind the unit is checked
    /// once the unit is known ([`crate::domain::filing::check_binding`]).
    fn try_from(posted: PostedFields) -> Result<Self, AppError> {
        let draft = FilingDraft::parse(&posted.0);
        let mut errors = crate::domain::filing::check_draft(&draft.content);
        for (name, _) in &draft.rejected {
            match FieldName::parse(name) {
                Some(field @ FieldName::Answer(_)) => {
                    crate::domain::filing::field_error(&mut errors, field, "err.answer_value")
                }
                _ if errors.get("form").is_none() => errors.add("form", "err.unknown_field"),
                _ => {}
            }
        }
        errors.into_result()?;
        Ok(draft)
    }
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
        submitted_at: Option<DateTime<Utc>>,
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

/// A request to grant a late-filing exception (补报, 107号 四、(一)), read once from the form:
/// the unit, a period, why (4–500 characters), and the instant it ends (the start of the day
/// after the Kunming date `until`, which must lie ahead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExceptionGrant {
    pub unit_id: String,
    pub period: Period,
    pub reason: String,
    pub valid_until: DateTime<Utc>,
}

impl ExceptionGrant {
    /// Reads the form's fields at `now`; every field's error at once.
    pub fn parse(
        unit_id: &str,
        period: &str,
        reason: &str,
        until: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, AppError> {
        let mut errors = crate::error::FieldErrors::new();
        let period = Period::parse_key(period);
        if period.is_none() {
            errors.add("period", "err.period_unknown");
        }
        let reason = reason.trim().to_string();
        if reason.chars().count() < 4 {
            errors.add("reason", "err.reason_short");
        } else if reason.chars().count() > 500 {
            errors.add("reason", "err.too_long");
        }
        let valid_until = NaiveDate::parse_from_str(until.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.succ_opt())
            .map(crate::domain::time::start_of_kunming_day);
        match valid_until {
            None => errors.add("until", "err.date"),
            Some(v) if v <= now => errors.add("until", "err.date_past"),
            _ => {}
        }
        let unit_id = unit_id.trim().to_string();
        if unit_id.is_empty() {
            errors.add("unit_id", "err.unit_missing");
        }
        match (period, valid_until) {
            (Some(period), Some(valid_until)) if errors.is_empty() => Ok(ExceptionGrant {
                unit_id,
                period,
                reason,
                valid_until,
            }),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

/// A late-filing exception as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LateExceptionRow {
    pub unit_id: String,
    pub unit_name: String,
    pub period_key: String,
    pub granted_by: String,
    pub reason: String,
    pub valid_until: DateTime<Utc>,
    pub granted_at: DateTime<Utc>,
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
    pub submitted_at: Option<DateTime<Utc>>,
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

/// The latest decision on a filing version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LastReview {
    pub decision: crate::domain::review::Decision,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// One recorded state change, for the history page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub at: DateTime<Utc>,
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
    /// The enterprise this one was merged into, as a duplicate registration.
    pub merged_into: Option<crate::model::MergeLink>,
    /// The duplicates merged into this one, each with its own history of the period: both
    /// histories are kept (issue 14).
    pub merged_from: Vec<MergedHistory>,
}

/// A duplicate's history of the period, shown on the page of the enterprise it was merged into.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MergedHistory {
    pub link: crate::model::MergeLink,
    pub events: Vec<HistoryEvent>,
    /// Oldest first.
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
    fn filing_fields_round_trip_and_unknown_rows_are_dropped_and_listed() {
        let mut fields = vec![
            ("principal".to_string(), "赵建国".to_string()),
            ("answers[r5_3]".to_string(), "not_done".to_string()),
            ("explanations[x5_3]".to_string(), "说明".to_string()),
            ("notes[f5]".to_string(), "备注".to_string()),
        ];
        let draft = FilingDraft::parse(&fields);
        let content = draft.content.clone();
        assert_eq!(content.answers.get("5.3"), Some(&Answer::NotDone));
        assert_eq!(
            content.explanations.get("5.3").map(String::as_str),
            Some("说明")
        );
        assert_eq!(content.notes.get(&5).map(String::as_str), Some("备注"));
        assert_eq!(content.frame.principal, "赵建国");
        assert!(draft.rejected.is_empty());
        assert_eq!(FilingDraft::parse(&draft.fields()).content, content);
        fields.push(("answers[r99_1]".to_string(), "done".to_string()));
        fields.push(("answers[r1_1]".to_string(), "maybe".to_string()));
        fields.push(("notes[f12]".to_string(), "x".to_string()));
        let draft = FilingDraft::parse(&fields);
        assert_eq!(
            draft.content, content,
            "unknown rows and answers are ignored"
        );
        assert_eq!(
            draft.rejected,
            vec![
                ("answers[r99_1]".to_string(), "done".to_string()),
                ("answers[r1_1]".to_string(), "maybe".to_string()),
                ("notes[f12]".to_string(), "x".to_string()),
            ],
            "and listed"
        );
    }

    #[test]
    fn blank_explanations_and_notes_are_no_text() {
        let draft = FilingDraft::parse(&[
            ("explanations[x5_3]".to_string(), "  ".to_string()),
            ("notes[f5]".to_string(), "".to_string()),
        ]);
        assert_eq!(draft, FilingDraft::default());
    }

    #[test]
    fn the_posted_form_is_read_by_field_name_and_parsed_once() {
        let posted: PostedFields = serde_json::from_value(serde_json::json!({
            "principal": "赵建国",
            "answers": { "r5_3": "not_done", "r8_1": "done" },
            "explanations": { "x5_3": "说明" },
            "notes": { "f5": "备注" },
            "unknown": ["a"],
        }))
        .unwrap();
        assert_eq!(
            FilingDraft::try_from(posted.clone()),
            Err(AppError::field("form", "err.unknown_field")),
            "a field the form has not refuses the whole post"
        );
        let draft = FilingDraft::parse(&posted.0);
        assert_eq!(draft.content.answers.get("8.1"), Some(&Answer::Done));
        assert_eq!(draft.content.answers.get("5.3"), Some(&Answer::NotDone));
        assert_eq!(
            draft.content.notes.get(&5).map(String::as_str),
            Some("备注")
        );
        assert_eq!(
            draft.rejected,
            vec![("unknown[]".to_string(), String::new())]
        );
        // What the browser posts is what the server reads.
        let again: PostedFields =
            serde_json::from_value(serde_json::to_value(&posted).unwrap()).unwrap();
        assert_eq!(FilingDraft::parse(&again.0).content, draft.content);
    }

    #[test]
    fn an_exception_grant_is_read_once_with_every_error_at_once() {
        let now = crate::domain::time::parse_instant("2027-01-15T09:00:00+08:00").unwrap();
        let grant = ExceptionGrant::parse(
            " u1 ",
            "2026-Y",
            " 系统故障未能按时申报 ",
            "2027-01-20",
            now,
        )
        .unwrap();
        assert_eq!(grant.unit_id, "u1");
        assert_eq!(grant.period, Period::annual(2026));
        assert_eq!(grant.reason, "系统故障未能按时申报");
        assert_eq!(
            grant.valid_until,
            crate::domain::time::parse_instant("2027-01-21T00:00:00+08:00").unwrap(),
            "until the end of the Kunming day named"
        );
        let err = ExceptionGrant::parse("", "2026-X", "短", "2027-01-10", now).unwrap_err();
        let errors = err.field_errors().unwrap();
        assert_eq!(errors.get("unit_id"), Some("err.unit_missing"));
        assert_eq!(errors.get("period"), Some("err.period_unknown"));
        assert_eq!(errors.get("reason"), Some("err.reason_short"));
        assert_eq!(errors.get("until"), Some("err.date_past"));
        let err = ExceptionGrant::parse("u1", "2026-Y", "系统故障", "soon", now).unwrap_err();
        assert_eq!(err.field_errors().unwrap().get("until"), Some("err.date"));
    }
}
