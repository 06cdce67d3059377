//! Server functions for filings: view, save, check and submit, new versions, late-filing
//! exceptions. The filing form is a plain HTML form (it posts and redirects the same way with
//! JavaScript on or off); an island (`ui::islands`) adds live progress and checks as the
//! user types.

use crate::domain::filing::FilingStatus;
use crate::error::AppError;
use crate::model::filing::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::{
    filing::{self, FilingContent},
    period::Period,
    unit::UnitKind,
};
#[cfg(feature = "ssr")]
use crate::ssr::{access, app_state, auth, filings, form};

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
    // Its supervisors now, or the unit its filings of the period went to (before a move).
    if !own
        && !access::can_supervise(db, &user, &unit_id).await?
        && !access::receives_in(db, &user, &unit_id, &period.key()).await?
    {
        return Err(AppError::Forbidden);
    }
    let unit = crate::ssr::units::unit_by_id(db, &unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let binding = filing::binding_kind(unit.kind);
    let exception = filings::exception(db, &unit_id, period).await?;
    let access = filings::access_for(db, &state.clock, &unit_id, period).await?;
    let all = filings::versions(db, &unit_id, period).await?;
    // 代填: the receiving department may enter the filing from paper while none is made.
    let may_enter_paper = !own
        && all.first().is_none_or(|l| l.status == FilingStatus::Draft)
        && paper_access(db, &state.clock, &unit_id, period)
            .await?
            .may_file()
        && access::enters_on_behalf(db, &user, &unit_id, &period.key()).await?;
    let (versions, draft_exists) = visible_versions(all, own);
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
        Some(r) => filings::content(db, &r.filing_id).await?,
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
    let attachments = match &record {
        Some(r) => crate::ssr::attachments::list(db, &r.filing_id).await?,
        None => Vec::new(),
    };
    // 107号 五: a submitted version is nil as stored at its submission; a draft shows the
    // same rule's preview.
    let mut progress = filing::progress(binding, &content.answers);
    if let Some(nil) = record.as_ref().and_then(|r| r.nil) {
        progress.nil = nil;
    }
    Ok(FilingView {
        unit_id,
        unit_name: unit.name,
        unit_kind: unit.kind,
        binding,
        period,
        window: period.window(),
        access,
        exception,
        progress,
        record,
        content,
        versions,
        editable,
        can_revise,
        own,
        draft_exists,
        last_review,
        attachments,
        may_enter_paper,
        paper: None,
        now,
    })
}

/// Whether a filing may be entered from paper now (代填): inside the window, or after it
/// under a late-filing exception granted for the unit (107号 四、(一)); never before the
/// window opens.
#[cfg(feature = "ssr")]
async fn paper_access(
    db: &crate::ssr::db::Db,
    clock: &crate::domain::time::Clock,
    unit_id: &str,
    period: Period,
) -> Result<filing::FilingAccess, AppError> {
    // A unit not open in the period has nothing to file for it (`domain::lifecycle`).
    let life = crate::ssr::units::life_of(db, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !life.expects(period) {
        return Ok(filing::FilingAccess::NotOpen);
    }
    let until = filings::exception_until(db, unit_id, period).await?;
    Ok(filing::FilingAccess::at(period, clock.now(), until))
}

/// The "enter from paper" page's data (代填). Without `unit`: the units whose paper forms the
/// user enters. With it: that unit's nine forms, empty, to be typed in from the paper, or
/// what it has filed already. Only the department that receives the unit's filing and the
/// township it lies in may open it (403 for anyone else).
#[server(endpoint = "paper_filing")]
pub async fn get_paper_filing(
    #[server(default)] period: String,
    #[server(default)] unit: String,
) -> Result<PaperView, AppError> {
    form::answer(paper_view(period, unit).await)
}

#[cfg(feature = "ssr")]
async fn paper_view(period: String, unit: String) -> Result<PaperView, AppError> {
    let user = auth::require_user().await?;
    let state = app_state()?;
    let db = &state.db;
    let now = state.clock.now();
    let period = period_or_default(&period, now)?;
    let periods = recent_periods(now);
    if unit.is_empty() {
        let units = access::paper_units(db, &user).await?;
        if units.is_empty() {
            return Err(AppError::Forbidden);
        }
        return Ok(PaperView {
            period,
            periods,
            units,
            entry: None,
        });
    }
    if !access::enters_on_behalf(db, &user, &unit, &period.key()).await? {
        return Err(AppError::Forbidden);
    }
    let u = crate::ssr::units::unit_by_id(db, &unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let binding = filing::binding_kind(u.kind);
    let exception = filings::exception(db, &unit, period).await?;
    let access = paper_access(db, &state.clock, &unit, period).await?;
    // What the unit filed is said, not shown: the enterer need not oversee the unit.
    let filed = filings::versions(db, &unit, period)
        .await?
        .into_iter()
        .next()
        .filter(|r| r.status != FilingStatus::Draft)
        .map(|r| (r.version, r.status, r.paper_date.is_some()));
    let editable = access.may_file() && filed.is_none();
    let content = FilingContent::default();
    Ok(PaperView {
        period,
        periods,
        units: vec![],
        entry: Some(FilingView {
            unit_id: unit,
            unit_name: u.name,
            unit_kind: u.kind,
            binding,
            period,
            window: period.window(),
            access,
            exception,
            progress: filing::progress(binding, &content.answers),
            record: None,
            content,
            versions: vec![],
            editable,
            can_revise: false,
            own: false,
            draft_exists: false,
            last_review: None,
            attachments: vec![],
            may_enter_paper: editable,
            paper: Some(PaperMode { filed }),
            now,
        }),
    })
}

/// Enters a unit's filing from its sealed paper form and submits it (代填, issue 14): the
/// nine forms as the unit's own form posts them, the unit, and `paper_date`, the date on
/// the paper (`YYYY-MM-DD`, Kunming). Checked like the unit's submission, all errors at
/// once next to their fields; nothing is stored unless all is well. The filing counts as
/// made on the paper's date: on time if that lies in the window.
#[server(endpoint = "enter_paper_filing")]
pub async fn enter_paper_filing(
    period: String,
    unit: String,
    #[server(default)] paper_date: String,
    #[server(flatten)] fields: PostedFields,
) -> Result<SubmitOutcome, AppError> {
    let typed = |draft: &FilingDraft| {
        let mut values = draft.fields();
        values.push(("paper_date".to_string(), paper_date.clone()));
        values
    };
    let draft = match FilingDraft::try_from(fields.clone()) {
        Ok(draft) => draft,
        Err(e) => {
            let values = typed(&FilingDraft::parse(&fields.0));
            return form::finish("filing_paper", values, Err(e), None).await;
        }
    };
    let result = enter_paper(&period, &unit, &paper_date, &draft.content).await;
    // Back to the paper page, which then says the filing is made (the unit and period were
    // found, so both are plain ids).
    let success_to = result
        .is_ok()
        .then(|| format!("/filing/paper?period={period}&unit={unit}&done=paper"));
    form::finish("filing_paper", typed(&draft), result, success_to).await
}

#[cfg(feature = "ssr")]
async fn enter_paper(
    period: &str,
    unit_id: &str,
    paper_date: &str,
    content: &FilingContent,
) -> Result<SubmitOutcome, AppError> {
    let user = auth::require_user().await?;
    let state = app_state()?;
    enter_paper_as(&state, &user, period, unit_id, paper_date, content).await
}

/// [`enter_paper_filing`]'s rules for `user` (the page's user, or an API token's account):
/// who may enter, the window or exception, the forms and the paper's date, all checked
/// before anything is stored.
#[cfg(feature = "ssr")]
pub async fn enter_paper_as(
    state: &crate::ssr::AppState,
    user: &crate::model::UserView,
    period: &str,
    unit_id: &str,
    paper_date: &str,
    content: &FilingContent,
) -> Result<SubmitOutcome, AppError> {
    let user = user.clone();
    let db = &state.db;
    let period = Period::parse_key(period).ok_or(AppError::NotFound)?;
    if !access::enters_on_behalf(db, &user, unit_id, &period.key()).await? {
        return Err(AppError::Forbidden);
    }
    let unit = crate::ssr::units::unit_by_id(db, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // 107号 四、(一): inside the window, or after it under a 补报 exception for the unit; and
    // only for a period the unit was open in.
    match paper_access(db, &state.clock, unit_id, period).await? {
        filing::FilingAccess::NotOpen => {
            return Err(AppError::Conflict(crate::error::Conflict::UnitNotOpen))
        }
        a if !a.may_file() => return Err(AppError::Conflict(crate::error::Conflict::WindowClosed)),
        _ => {}
    }
    let kind = filing::binding_kind(unit.kind);
    let today = crate::domain::time::kunming_date(state.clock.now());
    let paper = filing::PaperDate::parse(paper_date, period, today);
    // Every error at once, each next to its field: the forms as for the unit's own
    // submission, and the paper's date.
    let mut errors = filing::check_binding(kind, content);
    if errors.is_empty() {
        errors = filing::check_submit(kind, content);
    }
    if let Err(key) = paper {
        errors.add("paper_date", key);
    }
    errors.into_result()?;
    let paper = paper.map_err(|key| AppError::field("paper_date", key))?;
    filings::enter_from_paper(
        db,
        &state.clock,
        &user.user_id,
        unit_id,
        kind,
        period,
        paper,
        content,
    )
    .await
}

/// Saves the draft (`intent=save`), or saves and checks it for submission (`intent=review`,
/// which leads to the confirmation page). The draft is saved even when the submission check
/// fails, so nothing typed is lost.
#[server(endpoint = "save_filing")]
pub async fn save_filing(
    period: String,
    #[server(default)] intent: String,
    // The form's fields (the frame, `answers[…]`, `explanations[…]`, `notes[…]`), read as
    // a `FilingDraft` first of all.
    #[server(flatten)] fields: PostedFields,
) -> Result<SaveOutcome, AppError> {
    let review = intent == "review";
    let form_name = if review { "filing_review" } else { "filing" };
    let draft = match FilingDraft::try_from(fields.clone()) {
        Ok(draft) => draft,
        // Refused whole, nothing saved; what was typed still comes back to the form.
        Err(e) => {
            let typed = FilingDraft::parse(&fields.0).fields();
            return form::finish(form_name, typed, Err(e), None).await;
        }
    };
    let result = save(&period, &draft.content, review).await;
    let success_to = match &result {
        Ok(o) if o.ready_to_submit => Some(format!("/filing/confirm?period={period}")),
        _ => None,
    };
    form::finish(form_name, draft.fields(), result, success_to).await
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
        .await?
        .ok_or(AppError::NotFound)?;
    let access = filings::access_for(&state.db, &state.clock, &unit_id, period).await?;
    if !access.may_file() {
        return Err(refusal(&access));
    }
    // Lengths and field names were checked where the form was read (`FilingDraft`); which
    // rows bind the unit needs the unit.
    filing::check_binding(filing::binding_kind(unit.kind), content).into_result()?;
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
/// same version answers `AlreadySubmitted` and changes nothing. `version` is the draft's
/// number, read as a positive whole number (anything else is a field error).
#[server(endpoint = "submit_filing")]
pub async fn submit_filing(period: String, version: String) -> Result<SubmitOutcome, AppError> {
    let result = async {
        let version = parse_version(&version)?;
        let user = auth::require_user().await?;
        let state = app_state()?;
        let p = Period::parse_key(&period).ok_or(AppError::NotFound)?;
        let unit_id = access::own_filing_unit(&user).ok_or(AppError::Forbidden)?;
        let unit = crate::ssr::units::unit_by_id(&state.db, &unit_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let access = filings::access_for(&state.db, &state.clock, &unit_id, p).await?;
        if !access.may_file() {
            // A filing already submitted still gets its clear answer after the window.
            let latest = filings::versions(&state.db, &unit_id, p).await?;
            if let Some(r) = latest
                .iter()
                .find(|r| r.version == version && r.status != FilingStatus::Draft)
            {
                return Ok(SubmitOutcome::AlreadySubmitted {
                    version,
                    submitted_at: r.submitted_at,
                });
            }
            return Err(refusal(&access));
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
        Ok(SubmitOutcome::Submitted { .. }) => {
            Some(format!("/filing?period={period}&done=submitted"))
        }
        Ok(SubmitOutcome::AlreadySubmitted { .. }) => {
            Some(format!("/filing?period={period}&done=already"))
        }
        Err(_) => None,
    };
    form::finish("submit", vec![], result, to).await
}

/// The versions a viewer sees: all of them for the unit itself; for the levels above only
/// submitted ones, a draft being the unit's own working copy. Also whether a draft was left
/// out (the page says that one exists).
#[cfg(feature = "ssr")]
fn visible_versions(mut versions: Vec<FilingRecord>, own: bool) -> (Vec<FilingRecord>, bool) {
    let all = versions.len();
    if !own {
        versions.retain(|v| v.status != FilingStatus::Draft);
    }
    let hidden = versions.len() < all;
    (versions, hidden)
}

/// Why a unit may not file now: not open in the period, or outside the window.
#[cfg(feature = "ssr")]
fn refusal(access: &crate::domain::filing::FilingAccess) -> AppError {
    AppError::Conflict(match access {
        crate::domain::filing::FilingAccess::NotOpen => crate::error::Conflict::UnitNotOpen,
        _ => crate::error::Conflict::WindowClosed,
    })
}

/// A version number as posted: a positive whole number.
#[cfg(feature = "ssr")]
fn parse_version(raw: &str) -> Result<i64, AppError> {
    match raw.trim().parse::<i64>() {
        Ok(v) if v > 0 => Ok(v),
        _ => Err(AppError::field("version", "err.version")),
    }
}

/// Starts a new version after submission (the submitted one is kept).
#[server(endpoint = "revise_filing")]
pub async fn revise_filing(period: String) -> Result<i64, AppError> {
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        let p = Period::parse_key(&period).ok_or(AppError::NotFound)?;
        let unit_id = access::own_filing_unit(&user).ok_or(AppError::Forbidden)?;
        let access = filings::access_for(&state.db, &state.clock, &unit_id, p).await?;
        if !access.may_file() {
            return Err(refusal(&access));
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
                .await?
                .into_iter()
                .filter(|e| ids.contains(e.unit_id.as_str()))
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
        let now = state.clock.now();
        let grant = ExceptionGrant::parse(&unit_id, &period, &reason, &until, now)?;
        // The unit's receiver for that period: after a move, the chain it was in then.
        if !access::receives_in(&state.db, &user, &grant.unit_id, &grant.period.key()).await? {
            return Err(AppError::Forbidden);
        }
        if grant.period.window().closes_at > now {
            return Err(AppError::field("period", "err.window_not_closed"));
        }
        filings::grant_exception(
            &state.db,
            &state.clock,
            &user.user_id,
            &grant.unit_id,
            grant.period,
            &grant.reason,
            grant.valid_until,
        )
        .await
    }
    .await;
    form::finish("exception", values, result, None).await
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
                .await?
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

/// The history of a unit's filing for a period, for the unit itself and its supervisors.
/// A duplicate enterprise merged into another (`ssr::admin::merge_unit`) is the kept unit's
/// own past: the kept unit's history shows the duplicate's too, labelled, and the kept unit's
/// people (its own moved there) may open the duplicate's page.
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
            let merged_into = crate::ssr::units::kept_for(db, &unit_id).await?;
            let own = own.as_deref() == Some(unit_id.as_str())
                || own.is_some()
                    && own.as_deref() == merged_into.as_ref().map(|k| k.unit_id.as_str());
            if !own && !access::can_supervise(db, &user, &unit_id).await? {
                return Err(AppError::Forbidden);
            }
            let period = period_or_default(&period, state.clock.now())?;
            let u = crate::ssr::units::unit_by_id(db, &unit_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let (events, versions) = period_history(db, &unit_id, period, own).await?;
            let mut merged_from = Vec::new();
            for link in crate::ssr::units::merged_from(db, &unit_id).await? {
                let (events, versions) = period_history(db, &link.unit_id, period, own).await?;
                merged_from.push(MergedHistory {
                    link,
                    events,
                    versions,
                });
            }
            Ok(HistoryView {
                unit_id,
                unit_name: u.name,
                binding: filing::binding_kind(u.kind),
                period,
                events,
                versions,
                merged_into,
                merged_from,
            })
        }
        .await,
    )
}

/// One unit's recorded changes and versions for a period, as its history shows them; `own`:
/// asked by the unit itself, who sees its drafts.
#[cfg(feature = "ssr")]
async fn period_history(
    db: &crate::ssr::db::Db,
    unit_id: &str,
    period: Period,
    own: bool,
) -> Result<(Vec<HistoryEvent>, Vec<(FilingRecord, FilingContent)>), AppError> {
    let records = filings::versions(db, unit_id, period).await?;
    // Supervisors see submitted versions only; a draft's events show no content.
    let drafts: std::collections::HashSet<String> = records
        .iter()
        .filter(|r| r.status == FilingStatus::Draft)
        .map(|r| r.filing_id.clone())
        .collect();
    let (mut records, _) = visible_versions(records, own);
    records.reverse();
    let mut versions = Vec::new();
    for r in records {
        let c = filings::content(db, &r.filing_id).await?;
        versions.push((r, c));
    }
    let events = crate::ssr::audit::unit_history(db, unit_id, &period.key())
        .await?
        .into_iter()
        .map(|e| {
            // What a draft said while it was being written is the unit's own.
            let shown = own || !(drafts.contains(&e.subject_id) || e.action == "filing.save");
            HistoryEvent {
                at: e.at,
                actor: e.actor,
                action: e.action,
                version: versions
                    .iter()
                    .find(|(r, _)| r.filing_id == e.subject_id)
                    .map(|(r, _)| r.version),
                before: if shown { e.before } else { None },
                after: if shown { e.after } else { None },
            }
        })
        .collect();
    Ok((events, versions))
}
