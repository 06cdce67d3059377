//! The 专报 brief (106号 第八条) on a unit, for the principal leader of the issuing level.

use super::office_of;
use super::read::views;
use super::rows::rows;
use crate::domain::time::{kunming_date, Clock};
use crate::error::AppError;
use crate::model::escalation::{Brief, BriefPeriod, EscalationStatus};
use crate::model::UserView;
use crate::ssr::access;
use crate::ssr::db::Db;

/// The 专报 brief on a unit (第八条), for an office that supervises it.
#[tracing::instrument(skip(db, clock, user), fields(user = %user.user_id))]
pub async fn brief(db: &Db, clock: &Clock, user: &UserView, unit: &str) -> Result<Brief, AppError> {
    if office_of(user).is_none() || !access::can_supervise(db, user, unit).await? {
        return Err(AppError::Forbidden);
    }
    let u = crate::ssr::units::unit_by_id(db, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = clock.now();
    let mut periods = Vec::new();
    let mut p = crate::model::filing::default_period(now);
    for _ in 0..6 {
        let filings =
            crate::ssr::scope::latest_of(db, &p.key(), &[(unit.to_string(), u.kind)]).await?;
        let f = filings.get(unit);
        periods.push(BriefPeriod {
            period_key: p.key(),
            label: p.label_zh(),
            status: f.map(|f| f.status),
            late: f.map(|f| f.late).unwrap_or(false),
            unmet: f.map(|f| f.unmet.clone()).unwrap_or_default(),
        });
        p = p.previous();
    }
    let rows = rows(
        db,
        "x.target_unit_id = $1 AND x.status IN ($2, $3)",
        &[
            unit,
            EscalationStatus::Issued.code(),
            EscalationStatus::Closed.code(),
        ],
    )
    .await?;
    Ok(Brief {
        unit_id: u.unit_id,
        unit_name: u.name,
        unit_kind: u.kind,
        county: u.county_name,
        issuer_name: user.unit_name.clone(),
        compiled_on: kunming_date(now).format("%Y年%m月%d日").to_string(),
        periods,
        escalations: views(db, rows, kunming_date(now), user).await?,
    })
}
