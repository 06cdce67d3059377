//! Server functions for the escalation ladder (昆政办〔2010〕106号 警示管理): proposals from the
//! data, issuing and dismissing, the target's inbox, acknowledgement, replies and 第九条
//! rectification reports, the issuer's decisions, accidents, the public disclosure page (第七条),
//! the 专报 brief (第八条) and the dashboard.

use crate::domain::filing::FilingStatus;
use crate::domain::ladder::{Delivery, Reason, Reminder, Rung, Severity};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{app_state, auth, escalations, form};

/// Where an escalation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EscalationStatus {
    /// Proposed by the system from the data; staff issue or dismiss it.
    Proposed,
    /// A proposal staff dismissed, with a reason.
    Dismissed,
    /// Issued: a numbered document the target has received.
    Issued,
    /// Closed by the issuer (answered, report accepted, disclosure lifted).
    Closed,
}

impl EscalationStatus {
    pub fn code(&self) -> &'static str {
        match self {
            EscalationStatus::Proposed => "proposed",
            EscalationStatus::Dismissed => "dismissed",
            EscalationStatus::Issued => "issued",
            EscalationStatus::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            EscalationStatus::Proposed,
            EscalationStatus::Dismissed,
            EscalationStatus::Issued,
            EscalationStatus::Closed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub fn label_key(&self) -> &'static str {
        match self {
            EscalationStatus::Proposed => "esc.status_proposed",
            EscalationStatus::Dismissed => "esc.status_dismissed",
            EscalationStatus::Issued => "esc.status_issued",
            EscalationStatus::Closed => "esc.status_closed",
        }
    }
}

/// Where the target's reply stands, for the lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplyState {
    /// Nothing asked (a proposal, a 专报, a closed escalation).
    None,
    /// Awaiting the reply until the due day (Kunming).
    Awaiting,
    /// The due day has passed with no reply (or only replies sent back).
    Overdue,
    /// A reply or report awaits the issuer's decision.
    UnderReview,
    /// Accepted.
    Answered,
}

/// A reply or 第九条 report, and the issuer's decision on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResponseView {
    pub response_id: String,
    /// `report` (第九条) or `reply`.
    pub kind: String,
    pub body: String,
    /// Kunming time.
    pub submitted_at: String,
    pub submitted_by: String,
    /// `accepted`, `more_requested`, or `None` while waiting.
    pub decision: Option<String>,
    pub decision_note: String,
    pub decided_at: Option<String>,
}

/// What the viewer may do with an escalation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationActions {
    /// Issue or dismiss a proposal (edit its wording).
    pub decide_proposal: bool,
    /// Acknowledge receipt (the target).
    pub acknowledge: bool,
    /// Send a reply or a 第九条 report (the target).
    pub respond: bool,
    /// Accept a pending reply or report, or ask for more (the issuer).
    pub decide_response: bool,
    /// Close it, or for a 公开 lift the disclosure (the issuer).
    pub close: bool,
}

/// One escalation, as listed and as a document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EscalationView {
    pub escalation_id: String,
    pub status: EscalationStatus,
    /// `proposal` or `manual`.
    pub origin: String,
    pub rung: Rung,
    pub severity: Severity,
    pub issuer_unit_id: String,
    pub issuer_name: String,
    pub target_unit_id: String,
    pub target_name: String,
    pub target_kind: UnitKind,
    pub target_county: Option<String>,
    pub period_key: Option<String>,
    /// The findings with their clauses.
    pub evidence: Vec<Reason>,
    pub reasons: String,
    pub measures: String,
    pub number: Option<String>,
    /// Kunming date (YYYY-MM-DD).
    pub reply_due: Option<String>,
    pub delivery: Delivery,
    /// Kunming times.
    pub proposed_at: Option<String>,
    pub issued_at: Option<String>,
    pub issued_by: Option<String>,
    pub acknowledged_at: Option<String>,
    pub dismissed_at: Option<String>,
    pub dismiss_reason: String,
    pub closed_at: Option<String>,
    pub close_reason: String,
    pub reply: ReplyState,
    pub responses: Vec<ResponseView>,
    pub actions: EscalationActions,
}

/// Counts for the dashboard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Open (issued) escalations by rung, in ladder order.
    pub by_rung: Vec<(Rung, usize)>,
    pub by_severity: Vec<(Severity, usize)>,
    /// By the target's county-level area (`市级` for city-level units).
    pub by_county: Vec<(String, usize)>,
    pub proposals_waiting: usize,
    pub responses_to_decide: usize,
    pub overdue: usize,
    /// Units with the longest open ladder: (unit id, name, highest open rung, open count,
    /// days since the earliest open escalation was issued).
    pub longest: Vec<(String, String, Rung, usize, i64)>,
}

/// A unit the viewer may escalate against, for the hand-issue form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetOption {
    pub unit_id: String,
    pub name: String,
    pub kind: UnitKind,
}

/// The escalations page of an office (or, read-only, of a department for its enterprises).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EscalationsPage {
    pub may_issue: bool,
    pub proposals: Vec<EscalationView>,
    pub issued: Vec<EscalationView>,
    pub dashboard: Dashboard,
    pub targets: Vec<TargetOption>,
    /// The period the last proposals looked at, and when (Kunming).
    pub last_run: Option<String>,
    pub period_label: String,
}

/// The escalations page: proposals to decide, escalations issued (filtered by `rung`,
/// `severity`, `county`, `status`), the dashboard. Opening it works out the day's proposals
/// if they have not been worked out yet (after a window closes, and daily for deadlines).
#[server(endpoint = "escalations")]
pub async fn get_escalations(
    #[server(default)] rung: String,
    #[server(default)] severity: String,
    #[server(default)] county: String,
    #[server(default)] status: String,
) -> Result<EscalationsPage, AppError> {
    form::answer(
        async {
            let user = auth::require_supervisor().await?;
            let state = app_state()?;
            escalations::page(
                &state.db,
                &state.clock,
                &user,
                &rung,
                &severity,
                &county,
                &status,
            )
            .await
        }
        .await,
    )
}

/// Works out the proposals of the user's office now (on demand); answers how many were added.
#[server(endpoint = "run_proposals")]
pub async fn run_proposals() -> Result<usize, AppError> {
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        escalations::run_for_user(&state.db, &state.clock, &user).await
    }
    .await;
    form::finish("proposals", vec![], result, None).await
}

/// Issues a proposal, with the wording staff gave it (`reasons`, `measures`, and for rungs
/// other than 告诫 and 专报 the reply date `reply_due`, a Kunming date).
#[server(endpoint = "issue_escalation")]
pub async fn issue_escalation(
    escalation_id: String,
    #[server(default)] reasons: String,
    #[server(default)] measures: String,
    #[server(default)] reply_due: String,
) -> Result<String, AppError> {
    let values = vec![
        ("escalation_id".to_string(), escalation_id.clone()),
        ("reasons".to_string(), reasons.clone()),
        ("measures".to_string(), measures.clone()),
        ("reply_due".to_string(), reply_due.clone()),
    ];
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        escalations::issue_proposal(
            &state.db,
            &state.clock,
            &user,
            &escalation_id,
            &reasons,
            &measures,
            &reply_due,
        )
        .await
    }
    .await;
    form::finish("issue", values, result, None).await
}

/// Dismisses a proposal, with a reason (required).
#[server(endpoint = "dismiss_escalation")]
pub async fn dismiss_escalation(
    escalation_id: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let values = vec![
        ("escalation_id".to_string(), escalation_id.clone()),
        ("reason".to_string(), reason.clone()),
    ];
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        escalations::dismiss(&state.db, &state.clock, &user, &escalation_id, &reason).await
    }
    .await;
    form::finish("dismiss", values, result, None).await
}

/// Issues any rung by hand, with a reason (staff, 第四条–第八条).
#[server(endpoint = "issue_manual")]
pub async fn issue_manual(
    #[server(default)] target_unit_id: String,
    #[server(default)] rung: String,
    #[server(default)] reasons: String,
    #[server(default)] measures: String,
    #[server(default)] reply_due: String,
) -> Result<String, AppError> {
    let values = vec![
        ("target_unit_id".to_string(), target_unit_id.clone()),
        ("rung".to_string(), rung.clone()),
        ("reasons".to_string(), reasons.clone()),
        ("measures".to_string(), measures.clone()),
        ("reply_due".to_string(), reply_due.clone()),
    ];
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        escalations::issue_by_hand(
            &state.db,
            &state.clock,
            &user,
            &target_unit_id,
            &rung,
            &reasons,
            &measures,
            &reply_due,
        )
        .await
    }
    .await;
    form::finish("manual", values, result, None).await
}

/// One escalation, for its issuer, its target, the target's supervising department, and the
/// offices above.
#[server(endpoint = "escalation")]
pub async fn get_escalation(id: String) -> Result<EscalationView, AppError> {
    form::answer(
        async {
            let user = auth::require_user().await?;
            let state = app_state()?;
            escalations::view(&state.db, &state.clock, &user, &id).await
        }
        .await,
    )
}

/// The target acknowledges receipt.
#[server(endpoint = "acknowledge_escalation")]
pub async fn acknowledge_escalation(id: String) -> Result<(), AppError> {
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        escalations::acknowledge(&state.db, &state.clock, &user, &id).await
    }
    .await;
    form::finish("acknowledge", vec![], result, None).await
}

/// The target replies, or after a 告诫 files its 第九条 rectification report.
#[server(endpoint = "respond_escalation")]
pub async fn respond_escalation(
    id: String,
    #[server(default)] body: String,
) -> Result<(), AppError> {
    let values = vec![("body".to_string(), body.clone())];
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        escalations::respond(&state.db, &state.clock, &user, &id, &body).await
    }
    .await;
    form::finish("respond", values, result, None).await
}

/// The issuer accepts the pending reply or report (`accept`: 备案, the escalation closes) or
/// asks for more (`more`, with a note saying what).
#[server(endpoint = "decide_response")]
pub async fn decide_response(
    id: String,
    #[server(default)] decision: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    let values = vec![("note".to_string(), note.clone())];
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        escalations::decide_response(&state.db, &state.clock, &user, &id, &decision, &note).await
    }
    .await;
    form::finish("decide", values, result, None).await
}

/// The issuer closes an escalation (for a 公开: lifts the disclosure), with a reason.
#[server(endpoint = "close_escalation")]
pub async fn close_escalation(
    id: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let values = vec![("close_reason".to_string(), reason.clone())];
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        escalations::close(&state.db, &state.clock, &user, &id, &reason).await
    }
    .await;
    form::finish("close", values, result, None).await
}

/// Staff enter an accident in a unit they supervise (第六条（一）（二）).
#[server(endpoint = "record_accident")]
pub async fn record_accident(
    #[server(default)] unit_id: String,
    #[server(default)] occurred_on: String,
    #[server(default)] larger: String,
    #[server(default)] description: String,
) -> Result<(), AppError> {
    let values = vec![
        ("unit_id".to_string(), unit_id.clone()),
        ("occurred_on".to_string(), occurred_on.clone()),
        ("larger".to_string(), larger.clone()),
        ("description".to_string(), description.clone()),
    ];
    let result = async {
        let user = auth::require_user().await?;
        let state = app_state()?;
        escalations::record_accident(
            &state.db,
            &state.clock,
            &user,
            &unit_id,
            &occurred_on,
            larger == "1" || larger == "on" || larger == "true",
            &description,
        )
        .await
    }
    .await;
    form::finish("accident", values, result, None).await
}

/// A notice for the unit's home page and the header count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Notice {
    /// An escalation issued against the unit, not yet acknowledged.
    NewEscalation {
        escalation_id: String,
        number: String,
        rung: Rung,
    },
    /// A deadline coming (window open, window closing, a 告诫 report due).
    Deadline(Reminder),
    /// The unit's filing was returned.
    Returned { period_key: String },
    /// For an office: work waiting (proposals, replies and reports to decide, overdue replies).
    Decisions {
        proposals: usize,
        responses: usize,
        overdue: usize,
    },
}

/// The target's inbox: escalations against the user's unit, and its notices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    pub escalations: Vec<EscalationView>,
    pub notices: Vec<Notice>,
}

#[server(endpoint = "inbox")]
pub async fn get_inbox() -> Result<Inbox, AppError> {
    form::answer(
        async {
            let user = auth::require_user().await?;
            let state = app_state()?;
            escalations::inbox(&state.db, &state.clock, &user).await
        }
        .await,
    )
}

/// One unit under public disclosure (第七条).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Disclosure {
    pub number: String,
    pub unit_name: String,
    pub county: Option<String>,
    pub issuer_name: String,
    pub reasons: String,
    pub measures: String,
    /// The clauses cited.
    pub clauses: Vec<String>,
    /// Kunming date.
    pub issued_on: String,
}

/// The public disclosure page: open to anyone, no login.
#[server(endpoint = "disclosures")]
pub async fn get_disclosures() -> Result<Vec<Disclosure>, AppError> {
    form::answer(
        async {
            let state = app_state()?;
            escalations::disclosures(&state.db).await
        }
        .await,
    )
}

/// One period of a unit's record in the 专报 brief.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BriefPeriod {
    pub period_key: String,
    pub label: String,
    pub status: Option<FilingStatus>,
    pub late: bool,
    /// (row id, explanation).
    pub unmet: Vec<(String, String)>,
}

/// The 专报 brief (第八条) on a unit, for the principal leader of the issuing level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub county: Option<String>,
    pub issuer_name: String,
    /// Kunming date of compilation.
    pub compiled_on: String,
    pub periods: Vec<BriefPeriod>,
    pub escalations: Vec<EscalationView>,
}

#[server(endpoint = "brief")]
pub async fn get_brief(#[server(default)] unit: String) -> Result<Brief, AppError> {
    form::answer(
        async {
            let user = auth::require_user().await?;
            let state = app_state()?;
            escalations::brief(&state.db, &state.clock, &user, &unit).await
        }
        .await,
    )
}
