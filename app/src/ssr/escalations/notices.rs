//! The notices of a unit (escalations not yet signed for, deadlines, returned filings; for an
//! office the decisions waiting) and the inbox.

use super::office_of;
use super::read::{to_views, views};
use super::rows::{open_escalation, responses_of, rows};
use crate::domain::filing::FilingStatus;
use crate::domain::ladder::{self, OpenEscalation, Reminder};
use crate::domain::period::Period;
use crate::domain::time::{kunming_date, Clock};
use crate::error::AppError;
use crate::model::escalation::{EscalationStatus, EscalationView, Inbox, Notice, ReplyState};
use crate::model::UserView;
use crate::ssr::access;
use crate::ssr::db::Db;
use EscalationStatus::{Closed, Issued, Proposed};

/// The notices of `user`'s unit now: escalations not yet acknowledged, deadlines coming,
/// returned filings; for an office, the decisions waiting.
#[tracing::instrument(skip(db, clock, user), fields(user = %user.user_id))]
pub async fn notices(
    db: &Db,
    clock: &Clock,
    user: &UserView,
) -> Result<(Vec<Notice>, Vec<EscalationView>), AppError> {
    let now = clock.now();
    let today = kunming_date(now);
    let mut notices = Vec::new();
    let mut mine = Vec::new();
    if let Some(unit) = access::own_filing_unit(user) {
        let rows = rows(
            db,
            "x.target_unit_id = $1 AND x.status IN ($2, $3)",
            &[&unit, Issued.code(), Closed.code()],
        )
        .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let responses = responses_of(db, &ids).await?;
        let open: Vec<OpenEscalation> = rows
            .iter()
            .filter(|r| r.status == EscalationStatus::Issued)
            .filter_map(|r| {
                open_escalation(r, responses.get(&r.id).map(Vec::as_slice).unwrap_or(&[]))
            })
            .collect();
        mine = to_views(rows, responses, today, user);
        for v in &mine {
            if v.status == EscalationStatus::Issued && v.acknowledged_at.is_none() {
                notices.push(Notice::NewEscalation {
                    escalation_id: v.escalation_id.clone(),
                    number: v.number.clone().unwrap_or_default(),
                    rung: v.rung,
                });
            }
        }
        // A window's reminders only for a period the unit owes (`domain::lifecycle`): a unit
        // closed before it, or not yet open, is not reminded to file.
        let life = crate::ssr::units::life_of(db, &unit).await?;
        notices.extend(
            ladder::deadline_reminders(now, &open)
                .into_iter()
                .filter(|r| match r {
                    Reminder::WindowOpen { period_key, .. }
                    | Reminder::WindowClosing { period_key, .. } => {
                        match (Period::parse_key(period_key), life) {
                            (Some(p), Some(life)) => life.expects(p),
                            _ => true,
                        }
                    }
                    Reminder::RectificationReportDue { .. } => true,
                })
                .map(Notice::Deadline),
        );
        let returned: Vec<String> = sqlx::query_scalar(
            "SELECT f.period_key FROM filing f WHERE f.unit_id = $1 AND f.status = $2 \
             AND f.version = (SELECT MAX(g.version) FROM filing g WHERE g.unit_id = f.unit_id AND g.period_key = f.period_key) ORDER BY f.period_key",
        )
        .bind(&unit)
        .bind(FilingStatus::Returned.code())
        .fetch_all(db)
        .await?;
        notices.extend(
            returned
                .into_iter()
                .map(|period_key| Notice::Returned { period_key }),
        );
    }
    if let Some(o) = office_of(user) {
        let rows = rows(
            db,
            "x.issuer_unit_id = $1 AND x.status IN ($2, $3)",
            &[&o.unit_id, Proposed.code(), Issued.code()],
        )
        .await?;
        let v = views(db, rows, today, user).await?;
        let proposals = v
            .iter()
            .filter(|e| e.status == EscalationStatus::Proposed)
            .count();
        let responses = v
            .iter()
            .filter(|e| e.reply == ReplyState::UnderReview)
            .count();
        let overdue = v.iter().filter(|e| e.reply == ReplyState::Overdue).count();
        if proposals + responses + overdue > 0 {
            notices.push(Notice::Decisions {
                proposals,
                responses,
                overdue,
            });
        }
    }
    Ok((notices, mine))
}

/// How many things the header's bell counts.
#[tracing::instrument(skip(db, clock, user), fields(user = %user.user_id))]
pub async fn notice_count(db: &Db, clock: &Clock, user: &UserView) -> Result<usize, AppError> {
    let (notices, _) = notices(db, clock, user).await?;
    Ok(notices
        .iter()
        .map(|n| match n {
            Notice::Decisions {
                proposals,
                responses,
                overdue,
            } => proposals + responses + overdue,
            _ => 1,
        })
        .sum())
}

/// The inbox of `user`'s unit.
#[tracing::instrument(skip(db, clock, user), fields(user = %user.user_id))]
pub async fn inbox(db: &Db, clock: &Clock, user: &UserView) -> Result<Inbox, AppError> {
    let (notices, escalations) = notices(db, clock, user).await?;
    Ok(Inbox {
        escalations,
        notices,
    })
}
