//! Server functions for the escalation ladder (昆政办〔2010〕106号 警示管理): proposals from the
//! data, issuing and dismissing, the target's inbox, acknowledgement, replies and 第九条
//! rectification reports, the issuer's decisions, accidents, the public disclosure page (第七条),
//! the 专报 brief (第八条) and the dashboard.

use crate::error::AppError;
use crate::model::escalation::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::limits::{check_texts, Text};
#[cfg(feature = "ssr")]
use crate::ssr::{app_state, auth, escalations, form};

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
        check_texts(&[
            (Text::EscalationReasons, "reasons", &reasons),
            (Text::Measures, "measures", &measures),
        ])
        .into_result()?;
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
        check_texts(&[(Text::StaffReason, "reason", &reason)]).into_result()?;
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
        check_texts(&[
            (Text::EscalationReasons, "reasons", &reasons),
            (Text::Measures, "measures", &measures),
        ])
        .into_result()?;
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
        check_texts(&[(Text::ReplyBody, "body", &body)]).into_result()?;
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
        check_texts(&[(Text::DecisionNote, "note", &note)]).into_result()?;
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
        check_texts(&[(Text::StaffReason, "close_reason", &reason)]).into_result()?;
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
        check_texts(&[(Text::AccidentDescription, "description", &description)]).into_result()?;
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
