//! The reporting chain applied to a logged-in user: loads what [`crate::domain::chain`]
//! needs (the user's department's industries, a unit's place in the chain) and asks it.
//! Every rule of who files to whom and who oversees whom lives in the domain; this module
//! only loads.

use crate::domain::chain::{self, Member, Viewer};
use crate::error::AppError;
use crate::model::UserView;
use crate::ssr::db::Db;
use crate::ssr::units;

/// The chain's view of `user`, without the industries (enough for [`own_filing_unit`]).
fn viewer_of(user: &UserView, industries: Vec<String>) -> Viewer {
    Viewer {
        role: user.role,
        unit_id: user.unit_id.clone(),
        county_id: user.county_id.clone(),
        industries,
    }
}

/// The chain's view of `user`, with the industries a department's staff supervise.
pub async fn viewer(db: &Db, user: &UserView) -> Result<Viewer, AppError> {
    let industries = if user.role == crate::domain::unit::Role::DepartmentStaff {
        units::department_industries(db, &user.unit_id).await?
    } else {
        vec![]
    };
    Ok(viewer_of(user, industries))
}

/// The unit whose nine forms this user fills in (see [`Viewer::own_filing_unit`]).
pub fn own_filing_unit(user: &UserView) -> Option<String> {
    viewer_of(user, vec![])
        .own_filing_unit()
        .map(str::to_string)
}

/// Whether `user` oversees `unit_id` (may see its filings and history, act on it as its
/// supervisor): [`chain::oversees`].
pub async fn can_supervise(db: &Db, user: &UserView, unit_id: &str) -> Result<bool, AppError> {
    let Some(unit) = units::member(db, unit_id).await? else {
        return Ok(false);
    };
    Ok(chain::oversees(&viewer(db, user).await?, &unit))
}

/// Whether `user`'s unit receives `unit_id`'s filings (reviews them, decides on a late
/// filing): [`chain::receives`].
pub async fn receives(db: &Db, user: &UserView, unit_id: &str) -> Result<bool, AppError> {
    let Some(unit) = units::member(db, unit_id).await? else {
        return Ok(false);
    };
    Ok(chain::receives(&viewer(db, user).await?, &unit))
}

/// The units whose filings `user`'s unit receives, as (id, name), by name: the review queue
/// and the late-filing pickers.
pub async fn received_units(db: &Db, user: &UserView) -> Result<Vec<(String, String)>, AppError> {
    let viewer = viewer(db, user).await?;
    let kinds = chain::kinds_received_by(viewer.role);
    if kinds.is_empty() {
        return Ok(vec![]);
    }
    // The city office receives from the whole city; the others from their own county.
    let county = match viewer.role {
        crate::domain::unit::Role::CityOfficeStaff => None,
        _ => Some(viewer.county_id.clone().ok_or(AppError::Forbidden)?),
    };
    Ok(units::members(db, kinds, county.as_deref())
        .await?
        .into_iter()
        .filter(|(member, _)| chain::receives(&viewer, member))
        .map(|(member, name)| (member.unit_id, name))
        .collect())
}

/// Whether `user`'s unit receives `unit_id`'s filings of `period_key`: as [`receives`], with
/// the place the unit had for that period (a moved unit's earlier filings stay with the chain
/// they went to, `units::members_at`).
pub async fn receives_in(
    db: &Db,
    user: &UserView,
    unit_id: &str,
    period_key: &str,
) -> Result<bool, AppError> {
    holds_in(db, user, unit_id, period_key, chain::receives).await
}

/// Whether `rule` holds for `user` and `unit_id` where the unit stood for `period_key`.
async fn holds_in(
    db: &Db,
    user: &UserView,
    unit_id: &str,
    period_key: &str,
    rule: fn(&Viewer, &Member) -> bool,
) -> Result<bool, AppError> {
    let Some(unit) = member_in(db, unit_id, period_key).await? else {
        return Ok(false);
    };
    Ok(rule(&viewer(db, user).await?, &unit))
}

/// Where `unit_id` stood in the chain for `period_key`: after a move, the place it had for
/// that period (`units::members_at`); else where it is now.
async fn member_in(db: &Db, unit_id: &str, period_key: &str) -> Result<Option<Member>, AppError> {
    Ok(
        match units::members_at(db, period_key).await?.remove(unit_id) {
            Some(then) => Some(then),
            None => units::member(db, unit_id).await?,
        },
    )
}

/// The units whose filings of `period_key` `user`'s unit receives: [`received_units`] by the
/// place each unit had for that period (moved units by their earlier place).
pub async fn received_units_in(
    db: &Db,
    user: &UserView,
    period_key: &str,
) -> Result<Vec<String>, AppError> {
    let viewer = viewer(db, user).await?;
    let then = units::members_at(db, period_key).await?;
    let mut out: Vec<String> = received_units(db, user)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !then.contains_key(id))
        .collect();
    out.extend(
        then.into_values()
            .filter(|member| chain::receives(&viewer, member))
            .map(|member| member.unit_id),
    );
    Ok(out)
}

/// The units `user` decides late filings for, as (id, name), for pickers: those it
/// receives filings from.
pub async fn supervised_units(db: &Db, user: &UserView) -> Result<Vec<(String, String)>, AppError> {
    received_units(db, user).await
}

/// The departments `unit` files to, as (id, name) (an enterprise; empty for the others, and
/// for an enterprise whose industry no department of its county supervises).
pub async fn receiving_departments(
    db: &Db,
    unit: &Member,
) -> Result<Vec<(String, String)>, AppError> {
    let chain::Receiver::Departments { county_id, .. } = chain::files_to(unit) else {
        return Ok(vec![]);
    };
    let industries = units::industries_of_departments(db, Some(&county_id)).await?;
    Ok(units::members(
        db,
        &[crate::domain::unit::UnitKind::Department],
        Some(&county_id),
    )
    .await?
    .into_iter()
    .filter(|(dept, _)| {
        let viewer = Viewer {
            role: crate::domain::unit::Role::DepartmentStaff,
            unit_id: dept.unit_id.clone(),
            county_id: dept.county_id.clone(),
            industries: industries.get(&dept.unit_id).cloned().unwrap_or_default(),
        };
        chain::receives(&viewer, unit)
    })
    .map(|(dept, name)| (dept.unit_id, name))
    .collect())
}

/// Whether `user` may enter `unit_id`'s filing of `period_key` from its paper form (代填):
/// [`chain::enters_on_behalf`], with the place the unit had for that period (after a move,
/// the chain its filing would have gone to).
pub async fn enters_on_behalf(
    db: &Db,
    user: &UserView,
    unit_id: &str,
    period_key: &str,
) -> Result<bool, AppError> {
    holds_in(db, user, unit_id, period_key, chain::enters_on_behalf).await
}

/// The units whose paper forms `user` enters (代填), as (id, name), by name: the enterprises
/// its department receives, or those in its township (both within its county).
pub async fn paper_units(db: &Db, user: &UserView) -> Result<Vec<(String, String)>, AppError> {
    use crate::domain::unit::{Role, UnitKind};
    let (Role::DepartmentStaff | Role::TownshipStaff, Some(county)) = (user.role, &user.county_id)
    else {
        return Ok(vec![]);
    };
    let viewer = viewer(db, user).await?;
    Ok(units::members(db, &[UnitKind::Enterprise], Some(county))
        .await?
        .into_iter()
        .filter(|(member, _)| chain::enters_on_behalf(&viewer, member))
        .map(|(member, name)| (member.unit_id, name))
        .collect())
}
