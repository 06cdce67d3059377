//! The escalation ladder as the pages show it (106号): a document and its replies, the
//! dashboard, notices and the inbox, public disclosures, the 专报 brief.

use crate::domain::filing::FilingStatus;
use crate::domain::ladder::{Delivery, Reason, Reminder, Rung, Severity};
use crate::domain::unit::UnitKind;
use serde::{Deserialize, Serialize};

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
    pub const ALL: [EscalationStatus; 4] = [
        EscalationStatus::Proposed,
        EscalationStatus::Dismissed,
        EscalationStatus::Issued,
        EscalationStatus::Closed,
    ];

    /// The code stored in `escalation.status`.
    pub fn code(&self) -> &'static str {
        match self {
            EscalationStatus::Proposed => "proposed",
            EscalationStatus::Dismissed => "dismissed",
            EscalationStatus::Issued => "issued",
            EscalationStatus::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
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

/// How an escalation came about. Serialized as its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationOrigin {
    /// Proposed by the system from the data (106号 第四条–第八条), then issued by staff.
    Proposal,
    /// Issued by hand by staff, with a reason.
    Manual,
}

impl EscalationOrigin {
    pub const ALL: [EscalationOrigin; 2] = [EscalationOrigin::Proposal, EscalationOrigin::Manual];

    /// The code stored in `escalation.origin`.
    pub fn code(&self) -> &'static str {
        match self {
            EscalationOrigin::Proposal => "proposal",
            EscalationOrigin::Manual => "manual",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }
}

/// What the target sent. Serialized as its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    /// A reply to a 提示, 告知 or 公开.
    Reply,
    /// The rectification report after a 告诫 (第九条).
    Report,
}

impl ResponseKind {
    pub const ALL: [ResponseKind; 2] = [ResponseKind::Reply, ResponseKind::Report];

    /// The code stored in `escalation_response.kind`.
    pub fn code(&self) -> &'static str {
        match self {
            ResponseKind::Reply => "reply",
            ResponseKind::Report => "report",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The issuer's decision on a reply or report. Serialized as its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseDecision {
    /// Accepted (for a 第九条 report: 备案); the escalation closes.
    Accepted,
    /// Sent back: the target is asked for more, as if it had not replied.
    MoreRequested,
}

impl ResponseDecision {
    pub const ALL: [ResponseDecision; 2] =
        [ResponseDecision::Accepted, ResponseDecision::MoreRequested];

    /// The code stored in `escalation_response.decision`.
    pub fn code(&self) -> &'static str {
        match self {
            ResponseDecision::Accepted => "accepted",
            ResponseDecision::MoreRequested => "more_requested",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
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
    /// A reply, or a 第九条 report.
    pub kind: ResponseKind,
    pub body: String,
    /// Kunming time.
    pub submitted_at: String,
    pub submitted_by: String,
    /// `None` while waiting.
    pub decision: Option<ResponseDecision>,
    pub decision_note: String,
    pub decided_at: Option<String>,
    /// The sealed, signed paper copy of the reply or report (issue 14), as downloads.
    pub attachments: Vec<crate::model::filing::AttachmentInfo>,
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
    /// Attach the sealed paper copy to the reply or report waiting for a decision (the
    /// target).
    pub attach: bool,
}

/// One escalation, as listed and as a document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EscalationView {
    pub escalation_id: String,
    pub status: EscalationStatus,
    pub origin: EscalationOrigin,
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

/// One period of a unit's record in the 专报 brief.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BriefPeriod {
    pub period_key: String,
    pub label: String,
    pub status: Option<FilingStatus>,
    pub late: bool,
    /// (row id, explanation).
    pub unmet: Vec<crate::domain::filing::UnmetItem>,
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
