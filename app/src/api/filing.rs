//! Server functions for filings: view, save, check and submit, new versions, late-filing
//! exceptions. The filing form is a plain HTML form (it posts and redirects the same way with
//! JavaScript on or off); hydration adds live progress and checks as the user types.

use crate::domain::filing::{self, FilingAccess, FilingContent, FilingStatus, Progress};
use crate::domain::forms::{Answer, BindingKind, FORMS};
use crate::domain::period::{FilingWindow, Period, WindowState};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[cfg(feature = "ssr")]
use crate::ssr::{access, app_state, auth, db::internal, filings, form};

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

/// A filing page's data. `period`, `unit` and `version` may be empty (defaults: the current
/// period, the user's own filing unit, the latest version). Another unit's filing is shown
/// only to its supervisors, read-only.
#[server(endpoint = "filing")]
pub async fn get_filing(
    #[server(default)] period: String,
    #[server(default)] unit: String,
    #[server(default)] version: String,
) -> Result<FilingView, AppError> {
    form::answer(filing_view(period, unit, version).await)
}

#[cfg(feature = "ssr")]
async fn filing_view(
    period: String,
    unit: String,
    version: String,
) -> Result<FilingView, AppError> {
    let user = auth::require_user().await?;
    let state = app_state()?;
    let db = &state.db;
    let now = state.clock.now();
    let period = period_or_default(&period, now)?;
    let own_unit = access::own_filing_unit(&user);
    let unit_id = if unit.is_empty() {
        own_unit.clone().ok_or(AppError::Forbidden)?
    } else {
        unit
    };
    let own = own_unit.as_deref() == Some(unit_id.as_str());
    if !own && !access::can_supervise(db, &user, &unit_id).await? {
        return Err(AppError::Forbidden);
    }
    let unit = crate::ssr::units::unit_by_id(db, &unit_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let binding = filing::binding_kind(unit.kind);
    let exception_until = filings::exception_until(db, &unit_id, period)
        .await
        .map_err(internal)?;
    let access = filings::access_for(db, &state.clock, &unit_id, period).await?;
    let versions = filings::versions(db, &unit_id, period)
        .await
        .map_err(internal)?;
    let record = if version.is_empty() {
        versions.first().cloned()
    } else {
        let v: i64 = version.parse().map_err(|_| AppError::NotFound)?;
        Some(
            versions
                .iter()
                .find(|r| r.version == v)
                .cloned()
                .ok_or(AppError::NotFound)?,
        )
    };
    let content = match &record {
        Some(r) => filings::content(db, &r.filing_id).await.map_err(internal)?,
        None => FilingContent::default(),
    };
    let latest = versions.first();
    let is_latest = record
        .as_ref()
        .map(|r| Some(r.version) == latest.map(|l| l.version))
        .unwrap_or(true);
    // 107号 四、(一): after the window only an exception allows filing; but a filing already
    // made on time may still be amended after a return without becoming late (review).
    let editable = own
        && is_latest
        && access.may_file()
        && latest.map(|l| l.status.is_editable()).unwrap_or(true);
    let can_revise = own
        && access.may_file()
        && latest
            .map(|l| matches!(l.status, FilingStatus::Submitted | FilingStatus::Returned))
            .unwrap_or(false);
    let last_review = match &record {
        Some(r) => crate::ssr::review::last_review(db, &r.filing_id).await?,
        None => None,
    };
    let exception = match exception_until {
        Some(until) => {
            let reason: Option<(String,)> = sqlx::query_as(
                "SELECT reason FROM late_exception WHERE unit_id = $1 AND period_key = $2",
            )
            .bind(&unit_id)
            .bind(period.key())
            .fetch_optional(db)
            .await
            .map_err(internal)?;
            reason.map(|r| (r.0, crate::domain::time::format_kunming(until)))
        }
        None => None,
    };
    Ok(FilingView {
        unit_id,
        unit_name: unit.name,
        unit_kind: unit.kind,
        binding,
        period,
        window: period.window(),
        access,
        exception,
        progress: filing::progress(binding, &content.answers),
        record,
        content,
        versions,
        editable,
        can_revise,
        own,
        last_review,
        now,
    })
}

/// What saving answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveOutcome {
    pub version: i64,
    /// `intent=review` passed the submission checks: the confirmation page is next.
    pub ready_to_submit: bool,
}

/// Saves the draft (`intent=save`), or saves and checks it for submission (`intent=review`,
/// which leads to the confirmation page). The draft is saved even when the submission check
/// fails, so nothing typed is lost.
#[server(endpoint = "save_filing")]
#[allow(clippy::too_many_arguments)]
pub async fn save_filing(
    period: String,
    #[server(default)] intent: String,
    #[server(default)] principal: String,
    #[server(default)] leader_in_charge: String,
    #[server(default)] filled_by: String,
    #[server(default)] reviewed_by: String,
    #[server(default)] phone: String,
    #[server(default)] answers: HashMap<String, String>,
    #[server(default)] explanations: HashMap<String, String>,
    #[server(default)] notes: HashMap<String, String>,
) -> Result<SaveOutcome, AppError> {
    let mut fields = vec![
        ("principal".to_string(), principal),
        ("leader_in_charge".to_string(), leader_in_charge),
        ("filled_by".to_string(), filled_by),
        ("reviewed_by".to_string(), reviewed_by),
        ("phone".to_string(), phone),
    ];
    fields.extend(
        answers
            .into_iter()
            .map(|(k, v)| (format!("answers[{k}]"), v)),
    );
    fields.extend(
        explanations
            .into_iter()
            .map(|(k, v)| (format!("explanations[{k}]"), v)),
    );
    fields.extend(notes.into_iter().map(|(k, v)| (format!("notes[{k}]"), v)));
    let content = content_from_fields(&fields);
    let review = intent == "review";
    let result = save(&period, &content, review).await;
    let success_to = match &result {
        Ok(o) if o.ready_to_submit => Some(format!("/filing/confirm?period={period}")),
        _ => None,
    };
    form::finish(
        if review { "filing_review" } else { "filing" },
        fields_of(&content),
        result,
        success_to,
    )
    .await
}

#[cfg(feature = "ssr")]
async fn save(
    period: &str,
    content: &FilingContent,
    review: bool,
) -> Result<SaveOutcome, AppError> {
    let user = auth::require_user().await?;
    let state = app_state()?;
    let period = Period::parse_key(period).ok_or(AppError::NotFound)?;
    let unit_id = access::own_filing_unit(&user).ok_or(AppError::Forbidden)?;
    let unit = crate::ssr::units::unit_by_id(&state.db, &unit_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    if !filings::access_for(&state.db, &state.clock, &unit_id, period)
        .await?
        .may_file()
    {
        return Err(AppError::Conflict("err.window_closed".into()));
    }
    filing::check_draft(content).into_result()?;
    let saved = filings::save_draft(
        &state.db,
        &state.clock,
        &user.user_id,
        &unit_id,
        period,
        content,
    )
    .await?;
    if review {
        filing::check_submit(filing::binding_kind(unit.kind), content).into_result()?;
    }
    Ok(SaveOutcome {
        version: saved.version,
        ready_to_submit: review,
    })
}

/// Submits the draft `version` of the user's filing for `period`. A second submission of the
/// same version answers `AlreadySubmitted` and changes nothing.
#[server(endpoint = "submit_filing")]
pub async fn submit_filing(
    period: String,
    version: i64,
) -> Result<filings_types::SubmitOutcome, AppError> {
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        let p = Period::parse_key(&period).ok_or(AppError::NotFound)?;
        let unit_id = access::own_filing_unit(&user).ok_or(AppError::Forbidden)?;
        let unit = crate::ssr::units::unit_by_id(&state.db, &unit_id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let access = filings::access_for(&state.db, &state.clock, &unit_id, p).await?;
        if !access.may_file() {
            // A filing already submitted still gets its clear answer after the window.
            let latest = filings::versions(&state.db, &unit_id, p)
                .await
                .map_err(internal)?;
            if let Some(r) = latest
                .iter()
                .find(|r| r.version == version && r.status != FilingStatus::Draft)
            {
                return Ok(filings_types::SubmitOutcome::AlreadySubmitted {
                    version,
                    submitted_at: r.submitted_at.clone(),
                });
            }
            return Err(AppError::Conflict("err.window_closed".into()));
        }
        filings::submit(
            &state.db,
            &state.clock,
            &user.user_id,
            &unit_id,
            filing::binding_kind(unit.kind),
            p,
            version,
            access.is_late(),
        )
        .await
    }
    .await;
    let to = match &result {
        Ok(filings_types::SubmitOutcome::Submitted { .. }) => {
            Some(format!("/filing?period={period}&done=submitted"))
        }
        Ok(filings_types::SubmitOutcome::AlreadySubmitted { .. }) => {
            Some(format!("/filing?period={period}&done=already"))
        }
        Err(_) => None,
    };
    form::finish("submit", vec![], result, to).await
}

/// Starts a new version after submission (the submitted one is kept).
#[server(endpoint = "revise_filing")]
pub async fn revise_filing(period: String) -> Result<i64, AppError> {
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        let p = Period::parse_key(&period).ok_or(AppError::NotFound)?;
        let unit_id = access::own_filing_unit(&user).ok_or(AppError::Forbidden)?;
        if !filings::access_for(&state.db, &state.clock, &unit_id, p)
            .await?
            .may_file()
        {
            return Err(AppError::Conflict("err.window_closed".into()));
        }
        Ok(
            filings::revise(&state.db, &state.clock, &user.user_id, &unit_id, p)
                .await?
                .version,
        )
    }
    .await;
    form::finish(
        "revise",
        vec![],
        result,
        Some(format!("/filing?period={period}")),
    )
    .await
}

/// The shared submission answer type.
pub mod filings_types {
    use serde::{Deserialize, Serialize};

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

#[cfg(feature = "ssr")]
use crate::ssr::db::kunming_text;

#[server(endpoint = "exceptions")]
pub async fn get_exceptions() -> Result<ExceptionsView, AppError> {
    form::answer(
        async {
            let user = auth::require_user().await?;
            let state = app_state()?;
            let units = access::supervised_units(&state.db, &user).await?;
            if units.is_empty() {
                return Err(AppError::Forbidden);
            }
            let ids: std::collections::HashSet<&str> = units.iter().map(|u| u.0.as_str()).collect();
            let now = state.clock.now();
            let periods = recent_periods(now);
            let granted = filings::list_exceptions(&state.db, user.county_id.as_deref())
                .await
                .map_err(internal)?
                .into_iter()
                .filter(|e| ids.contains(e.unit_id.as_str()))
                .map(|e| LateExceptionRow {
                    valid_until: kunming_text(&e.valid_until),
                    granted_at: kunming_text(&e.granted_at),
                    ..e
                })
                .collect();
            Ok(ExceptionsView {
                units,
                periods,
                granted,
            })
        }
        .await,
    )
}

/// Grants a late-filing exception (补报): a supervisor lets a unit file a period after its
/// window closed, until the end of `until` (a Kunming date, `YYYY-MM-DD`), for `reason`.
#[server(endpoint = "grant_exception")]
pub async fn grant_late_filing(
    unit_id: String,
    period: String,
    reason: String,
    until: String,
) -> Result<(), AppError> {
    let values = vec![
        ("unit_id".to_string(), unit_id.clone()),
        ("period".to_string(), period.clone()),
        ("reason".to_string(), reason.clone()),
        ("until".to_string(), until.clone()),
    ];
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        let mut errors = crate::error::FieldErrors::new();
        let p = Period::parse_key(&period);
        if p.is_none() {
            errors.add("period", "err.period_unknown");
        }
        let reason = reason.trim().to_string();
        if reason.chars().count() < 4 {
            errors.add("reason", "err.reason_short");
        } else if reason.chars().count() > 500 {
            errors.add("reason", "err.too_long");
        }
        let now = state.clock.now();
        let day = chrono::NaiveDate::parse_from_str(until.trim(), "%Y-%m-%d").ok();
        let valid_until = day
            .and_then(|d| d.succ_opt())
            .map(crate::domain::time::start_of_kunming_day);
        match valid_until {
            None => errors.add("until", "err.date"),
            Some(v) if v <= now => errors.add("until", "err.date_past"),
            _ => {}
        }
        if unit_id.trim().is_empty() {
            errors.add("unit_id", "err.unit_missing");
        }
        errors.into_result()?;
        let p = p.expect("checked");
        if !access::can_supervise(&state.db, &user, unit_id.trim()).await? {
            return Err(AppError::Forbidden);
        }
        if p.window().closes_at > now {
            return Err(AppError::field("period", "err.window_not_closed"));
        }
        filings::grant_exception(
            &state.db,
            &state.clock,
            &user.user_id,
            unit_id.trim(),
            p,
            &reason,
            valid_until.expect("checked"),
        )
        .await
    }
    .await;
    form::finish("exception", values, result, None).await
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

/// The filings waiting for (or decided by) the user's unit, oldest first. Filters may be
/// empty: `status` (submitted, returned, accepted), `nil` (nil, unmet), `industry`, `township`.
#[server(endpoint = "review_queue")]
pub async fn get_review_queue(
    #[server(default)] period: String,
    #[server(default)] status: String,
    #[server(default)] nil: String,
    #[server(default)] industry: String,
    #[server(default)] township: String,
) -> Result<ReviewQueue, AppError> {
    form::answer(
        async {
            let user = auth::require_supervisor().await?;
            let state = app_state()?;
            let now = state.clock.now();
            let period = period_or_default(&period, now)?;
            let rows = crate::ssr::review::queue(
                &state.db,
                &user,
                &period.key(),
                &status,
                &nil,
                &industry,
                &township,
            )
            .await?;
            let periods = recent_periods(now);
            let townships = match &user.county_id {
                Some(county) => crate::ssr::units::list_units(
                    &state.db,
                    Some(county),
                    Some(UnitKind::Township),
                    None,
                    200,
                )
                .await
                .map_err(internal)?
                .into_iter()
                .map(|u| (u.unit_id, u.name))
                .collect(),
                None => vec![],
            };
            Ok(ReviewQueue {
                period,
                rows,
                periods,
                townships,
            })
        }
        .await,
    )
}

/// Accepts (`decision=accept`) or returns (`decision=return`, with a `reason`) a submitted
/// filing. Only the unit the filing goes to may decide.
#[server(endpoint = "review_filing")]
pub async fn review_filing(
    filing_id: String,
    decision: String,
    #[server(default)] reason: String,
    /// `1`: returned because the filing does not match the facts (106号 第七条（五）).
    #[server(default)]
    untrue: String,
) -> Result<FilingStatus, AppError> {
    let values = vec![
        ("filing_id".to_string(), filing_id.clone()),
        ("reason".to_string(), reason.clone()),
    ];
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        let decision = match decision.as_str() {
            "accept" => crate::ssr::review::Decision::Accept,
            "return" if untrue == "1" || untrue == "on" => {
                crate::ssr::review::Decision::ReturnUntrue
            }
            "return" => crate::ssr::review::Decision::Return,
            _ => return Err(AppError::field("decision", "err.decision")),
        };
        crate::ssr::review::decide(
            &state.db,
            &state.clock,
            &user,
            &filing_id,
            decision,
            &reason,
        )
        .await
    }
    .await;
    form::finish("review", values, result, None).await
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

/// The history of a unit's filing for a period, for the unit itself and its supervisors.
#[server(endpoint = "history")]
pub async fn get_history(
    #[server(default)] unit: String,
    #[server(default)] period: String,
) -> Result<HistoryView, AppError> {
    form::answer(
        async {
            let user = auth::require_user().await?;
            let state = app_state()?;
            let db = &state.db;
            let own = access::own_filing_unit(&user);
            let unit_id = if unit.is_empty() {
                own.clone().ok_or(AppError::Forbidden)?
            } else {
                unit
            };
            if own.as_deref() != Some(unit_id.as_str())
                && !access::can_supervise(db, &user, &unit_id).await?
            {
                return Err(AppError::Forbidden);
            }
            let period = period_or_default(&period, state.clock.now())?;
            let u = crate::ssr::units::unit_by_id(db, &unit_id)
                .await
                .map_err(internal)?
                .ok_or(AppError::NotFound)?;
            let mut records = filings::versions(db, &unit_id, period)
                .await
                .map_err(internal)?;
            records.reverse();
            let mut versions = Vec::new();
            for r in records {
                let c = filings::content(db, &r.filing_id).await.map_err(internal)?;
                versions.push((r, c));
            }
            let events = crate::ssr::audit::unit_history(db, &unit_id, &period.key())
                .await
                .map_err(internal)?
                .into_iter()
                .map(|(at, actor, action, subject, before, after)| HistoryEvent {
                    at: kunming_text(&at),
                    actor,
                    action,
                    version: versions
                        .iter()
                        .find(|(r, _)| r.filing_id == subject)
                        .map(|(r, _)| r.version),
                    before,
                    after,
                })
                .collect();
            Ok(HistoryView {
                unit_id,
                unit_name: u.name,
                binding: filing::binding_kind(u.kind),
                period,
                events,
                versions,
            })
        }
        .await,
    )
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
