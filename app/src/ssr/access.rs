//! Who files for which unit, and who supervises whom (107号 四、(二) 申报程序).
//!
//! - An enterprise files to the county-level department supervising its industry in its
//!   county; that department supervises it.
//! - A department, a township, and the county government (through its office) file to the
//!   county safety committee office, which supervises every unit in its county.
//! - County governments file to the city safety committee office, which supervises all.

use crate::domain::unit::{Role, UnitKind};
use crate::error::AppError;
use crate::model::UserView;
use crate::ssr::db::Db;

/// The unit whose nine forms this user fills in: their own unit, or for a county office
/// the county-level government it works for. The city office compiles the city's report
/// instead (the chain), so it has none here.
pub fn own_filing_unit(user: &UserView) -> Option<String> {
    match user.role {
        Role::EnterpriseFiler | Role::DepartmentStaff | Role::TownshipStaff => {
            Some(user.unit_id.clone())
        }
        Role::CountyOfficeStaff => user.county_id.clone(),
        Role::CityOfficeStaff | Role::Administrator => None,
    }
}

/// Whether `user` supervises `unit_id` (may see its filings and grant it a late filing).
pub async fn can_supervise(db: &Db, user: &UserView, unit_id: &str) -> Result<bool, AppError> {
    let Some(unit) = crate::ssr::units::unit_by_id(db, unit_id).await? else {
        return Ok(false);
    };
    Ok(match user.role {
        Role::CityOfficeStaff => unit.kind != UnitKind::CityGovernment,
        Role::CountyOfficeStaff => {
            // Everything in the county but the county government itself (which the city supervises).
            user.county_id.is_some()
                && unit.county_id == user.county_id
                && unit.unit_id != *user.county_id.as_ref().unwrap()
                && unit.kind != UnitKind::SafetyOffice
        }
        Role::DepartmentStaff => {
            unit.kind == UnitKind::Enterprise
                && unit.county_id.is_some()
                && unit.county_id == user.county_id
                && match unit.industry_code.as_deref() {
                    Some(industry) => crate::ssr::units::department_industries(db, &user.unit_id)
                        .await?
                        .iter()
                        .any(|i| i == industry),
                    None => false,
                }
        }
        Role::EnterpriseFiler | Role::TownshipStaff | Role::Administrator => false,
    })
}

/// The units `user` supervises, as (id, name), for pickers.
pub async fn supervised_units(db: &Db, user: &UserView) -> Result<Vec<(String, String)>, AppError> {
    let rows: Vec<(String, String)> = match user.role {
        Role::CityOfficeStaff => sqlx::query_as(
            "SELECT unit_id, name FROM unit WHERE kind IN ('county_government', 'management_committee') ORDER BY area_code",
        )
        .fetch_all(db)
        .await?,
        Role::CountyOfficeStaff => sqlx::query_as(
            "SELECT unit_id, name FROM unit WHERE county_id = $1 AND kind IN ('department', 'township', 'enterprise') ORDER BY kind, name",
        )
        .bind(user.county_id.clone().unwrap_or_default())
        .fetch_all(db)
        .await?,
        Role::DepartmentStaff => sqlx::query_as(
            "SELECT n.unit_id, n.name FROM unit n JOIN enterprise e ON e.unit_id = n.unit_id \
             WHERE n.county_id = $1 AND e.industry_code IN (SELECT industry_code FROM department_industry WHERE unit_id = $2) ORDER BY n.name",
        )
        .bind(user.county_id.clone().unwrap_or_default())
        .bind(&user.unit_id)
        .fetch_all(db)
        .await?,
        _ => vec![],
    };
    Ok(rows)
}
