//! Server functions: the app's API at `/api/<name>`. The pages' forms post to them as plain
//! HTML forms (the islands in the browser call none of them); other clients and the tests
//! call them over HTTP and read the JSON answer.
//!
//! Each one turns its raw arguments into domain values first, checks who is asking, and
//! answers with [`AppError`] on failure. The types they return are shared with the browser.

// A server function takes its form's fields as arguments (they are posted flat, as the
// form without JavaScript sends them); the client stub generated for the browser carries
// the same list, which no attribute on the function reaches.
#![allow(clippy::too_many_arguments)]

pub mod escalation;
pub mod filing;
pub mod rollup;
pub mod token;

use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::limits::Text;
#[cfg(feature = "ssr")]
use crate::domain::{
    period::WindowState,
    unit::{Role, UnitKind},
};
#[cfg(feature = "ssr")]
use crate::ssr::{app_state, auth, form};

/// The errors kept by a failed plain form post (see [`crate::ssr::form`]).
#[server(endpoint = "flash")]
pub async fn take_flash(token: String) -> Result<Option<Flash>, AppError> {
    Ok(form::flash(&token).await)
}

/// Where to go after login: only a local path, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// Logs in. Wrong credentials answer a field error; repeated failures slow the account down.
#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let username = username.trim().to_string();
    let result = async {
        let mut errors = crate::error::FieldErrors::new();
        if username.is_empty() {
            errors.add("username", "err.required");
        }
        if password.is_empty() {
            errors.add("password", "err.required");
        }
        errors.into_result()?;
        let mut errors = crate::error::FieldErrors::new();
        Text::Username.check(&mut errors, "username", &username);
        Text::Password.check(&mut errors, "password", &password);
        errors.into_result()?;
        let state = app_state()?;
        let client = auth::client_address(state.trust_proxy).await;
        let user_id = auth::check_login(
            &state.db,
            &username,
            &password,
            client.as_deref(),
            state.clock.now(),
        )
        .await?;
        let session: tower_sessions::Session = leptos_axum::extract()
            .await
            .map_err(|_| AppError::Internal)?;
        // A new session id at login, so a planted cookie cannot ride the login.
        session.cycle_id().await.map_err(|_| AppError::Internal)?;
        session
            .insert(auth::SESSION_USER_KEY, &user_id)
            .await
            .map_err(|_| AppError::Internal)?;
        Ok(())
    }
    .await;
    form::finish(
        "login",
        vec![("username".into(), username.clone())],
        result,
        Some(safe_next(next.as_deref())),
    )
    .await
}

/// Logs out and ends the session.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let result = async {
        let session: tower_sessions::Session = leptos_axum::extract()
            .await
            .map_err(|_| AppError::Internal)?;
        session.flush().await.map_err(|_| AppError::Internal)?;
        Ok(())
    }
    .await;
    form::finish("logout", vec![], result, Some("/login".into())).await
}

/// Changes the logged-in user's password.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    repeat_password: String,
) -> Result<(), AppError> {
    let result = async {
        let user = auth::require_user().await?;
        check_new_password(&new_password, &repeat_password).into_result()?;
        let state = app_state()?;
        let hash = crate::ssr::users::password_hash(&state.db, &user.user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !auth::verify_password_bounded(&current_password, &hash).await? {
            return Err(AppError::field("current_password", "err.password_wrong"));
        }
        let new_hash = auth::hash_password_bounded(&new_password).await?;
        let mut tx = crate::ssr::db::begin_write(&state.db).await?;
        if !crate::ssr::users::replace_password_hash(&mut tx, &user.user_id, &hash, &new_hash)
            .await?
        {
            // Changed by another request since the current password was checked.
            return Err(AppError::field("current_password", "err.password_wrong"));
        }
        crate::ssr::audit::record(
            &mut tx,
            crate::ssr::audit::AuditEntry {
                at: state.clock.now(),
                actor: Some(&user.user_id),
                action: "user.password_change",
                subject_kind: "user",
                subject_id: &user.user_id,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    form::finish("password", vec![], result, None).await
}

/// Where an uploaded registry file stands (the administrator's own uploads only).
#[server(endpoint = "registry_job")]
pub async fn registry_job(job: String) -> Result<crate::model::registry::RegistryJob, AppError> {
    form::answer(
        async {
            let user = auth::require_role(&[Role::Administrator]).await?;
            app_state()?
                .registry_jobs
                .get(&job, &user.user_id)
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Imports an uploaded registry file that was checked without problems; the registry page
/// then shows the import's progress.
#[server(endpoint = "registry_import")]
pub async fn registry_import(job: String) -> Result<(), AppError> {
    let result = async {
        let user = auth::require_role(&[Role::Administrator]).await?;
        let state = app_state()?;
        crate::ssr::registry::start_import(
            &state.db,
            &state.clock,
            &state.registry_jobs,
            &user.user_id,
            &job,
        )
    }
    .await;
    let back = format!(
        "/registry?job={}",
        job.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
    );
    form::finish("registry", vec![], result, Some(back)).await
}

/// The home page of the logged-in user's role.
#[server(endpoint = "home")]
pub async fn get_home_summary() -> Result<HomeSummary, AppError> {
    form::answer(home_summary().await)
}

#[cfg(feature = "ssr")]
async fn home_summary() -> Result<HomeSummary, AppError> {
    use crate::ssr::units;
    let user = auth::require_user().await?;
    let state = app_state()?;
    let db = &state.db;
    let now = state.clock.now();
    let window = WindowState::at(now);
    let mut summary = HomeSummary {
        user: user.clone(),
        now,
        window,
        due: window.current_or_next(),
        files_own_forms: !(user.unit_kind == UnitKind::SafetyOffice && user.county_id.is_none()),
        file_to: vec![],
        gap: false,
        industries: vec![],
        below: vec![],
    };
    let count = |label: &str, n: i64| Count {
        label: label.to_string(),
        n,
    };
    match user.role {
        Role::TownshipStaff => {
            summary.file_to = vec![county_office_name(&user)];
        }
        Role::EnterpriseFiler => {
            let unit = units::member(db, &user.unit_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if unit.county_id.is_some() && unit.industry.is_some() {
                let departments = crate::ssr::access::receiving_departments(db, &unit).await?;
                summary.gap = departments.is_empty();
                summary.file_to = departments.into_iter().map(|d| d.1).collect();
            }
        }
        Role::DepartmentStaff => {
            summary.industries = units::department_industries(db, &user.unit_id).await?;
            if user.county_id.is_some() {
                summary.file_to = vec![county_office_name(&user)];
                summary.below.push(count(
                    "home.enterprises",
                    crate::ssr::access::received_units(db, &user).await?.len() as i64,
                ));
            } else {
                // A city-level department files to the city office.
                summary.file_to = vec!["昆明市安全生产委员会办公室".into()];
            }
        }
        Role::CountyOfficeStaff => {
            let county = user.county_id.as_deref();
            summary.file_to = vec!["昆明市安全生产委员会办公室".into()];
            summary.below.extend(counts_below(db, county).await?);
        }
        Role::CityOfficeStaff | Role::Administrator => {
            summary.file_to = vec!["昆明市人民政府".into()];
            let counties = units::count_units(db, None, UnitKind::CountyGovernment).await?
                + units::count_units(db, None, UnitKind::ManagementCommittee).await?;
            summary.below.push(count("home.counties", counties));
            summary.below.extend(counts_below(db, None).await?);
            if user.role == Role::Administrator {
                summary.below.push(count(
                    "home.users",
                    crate::ssr::users::count_users(db).await?,
                ));
            }
        }
    }
    Ok(summary)
}

/// How many departments, townships and enterprises lie in a county-level area (all if `None`).
#[cfg(feature = "ssr")]
async fn counts_below(
    db: &crate::ssr::db::Db,
    county: Option<&str>,
) -> Result<Vec<Count>, AppError> {
    let mut out = Vec::new();
    for (label, kind) in [
        ("home.departments", UnitKind::Department),
        ("home.townships", UnitKind::Township),
        ("home.enterprises", UnitKind::Enterprise),
    ] {
        let n = crate::ssr::units::count_units(db, county, kind).await?;
        out.push(Count {
            label: label.to_string(),
            n,
        });
    }
    Ok(out)
}

/// The name of the safety committee office of the user's county-level area.
#[cfg(feature = "ssr")]
fn county_office_name(user: &UserView) -> String {
    let area = user.county_name.clone().unwrap_or_default();
    format!(
        "{}安全生产委员会办公室",
        area.trim_end_matches("人民政府").trim_end_matches("管委会")
    )
}

/// Units for the administrator's list and pickers. `kind` and `county_id` may be empty.
#[server(endpoint = "units")]
pub async fn list_units(
    county_id: String,
    kind: String,
    search: String,
) -> Result<Vec<UnitRow>, AppError> {
    form::answer(units_matching(county_id, kind, search).await)
}

#[cfg(feature = "ssr")]
async fn units_matching(
    county_id: String,
    kind: String,
    search: String,
) -> Result<Vec<UnitRow>, AppError> {
    auth::require_role(&[Role::Administrator]).await?;
    let kind = if kind.is_empty() {
        None
    } else {
        Some(UnitKind::parse(&kind).ok_or_else(|| AppError::field("kind", "err.kind_unknown"))?)
    };
    let county = (!county_id.is_empty()).then_some(county_id.as_str());
    let search = search.trim();
    crate::ssr::units::list_units(
        &app_state()?.db,
        county,
        kind,
        (!search.is_empty()).then_some(search),
        500,
    )
    .await
    .map_err(AppError::from)
}

/// The county-level governments, for pickers.
#[server(endpoint = "counties")]
pub async fn list_counties() -> Result<Vec<(String, String)>, AppError> {
    form::answer(
        async {
            auth::require_role(&[Role::Administrator]).await?;
            crate::ssr::units::county_governments(&app_state()?.db)
                .await
                .map_err(AppError::from)
        }
        .await,
    )
}

/// All accounts, for the administrator.
#[server(endpoint = "users")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    form::answer(
        async {
            auth::require_role(&[Role::Administrator]).await?;
            crate::ssr::users::list_users(&app_state()?.db, 1000)
                .await
                .map_err(AppError::from)
        }
        .await,
    )
}

/// Creates a unit (administrator). For an enterprise: county, industry, address, legal
/// representative and headcount; for a department: the industries it supervises.
#[server(endpoint = "create_unit")]
pub async fn create_unit(
    name: String,
    kind: String,
    county_id: String,
    #[server(default)] industry: String,
    #[server(default)] industries: Vec<String>,
    #[server(default)] township_id: String,
    #[server(default)] address: String,
    #[server(default)] legal_representative: String,
    #[server(default)] headcount: String,
    #[server(default)] opened_on: String,
    #[server(default)] closed_on: String,
) -> Result<String, AppError> {
    let values = vec![
        ("name".to_string(), name.clone()),
        ("kind".to_string(), kind.clone()),
        ("county_id".to_string(), county_id.clone()),
        ("industry".to_string(), industry.clone()),
        ("address".to_string(), address.clone()),
        (
            "legal_representative".to_string(),
            legal_representative.clone(),
        ),
        ("headcount".to_string(), headcount.clone()),
        ("opened_on".to_string(), opened_on.clone()),
        ("closed_on".to_string(), closed_on.clone()),
    ];
    let result = async {
        let admin = auth::require_role(&[Role::Administrator]).await?;
        let input = crate::ssr::admin::UnitInput::parse(crate::ssr::admin::RawUnit {
            name,
            kind,
            county_id,
            industry,
            industries,
            township_id,
            address,
            legal_representative,
            headcount,
            opened_on,
            closed_on,
        })?;
        let state = app_state()?;
        crate::ssr::admin::create_unit(&state.db, &state.clock, Some(&admin.user_id), input).await
    }
    .await;
    form::finish("unit", values, result, None).await
}

/// One unit, for the administrator's unit page.
#[server(endpoint = "unit")]
pub async fn get_unit(unit_id: String) -> Result<UnitRow, AppError> {
    form::answer(
        async {
            auth::require_role(&[Role::Administrator]).await?;
            crate::ssr::units::unit_by_id(&app_state()?.db, &unit_id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Sets a unit's opening and (optional) closing dates (administrator): the periods it is
/// expected to file for (`domain::lifecycle`). Audited with the dates before and after.
#[server(endpoint = "set_unit_life")]
pub async fn set_unit_life(
    unit_id: String,
    opened_on: String,
    #[server(default)] closed_on: String,
) -> Result<(), AppError> {
    let values = vec![
        ("opened_on".to_string(), opened_on.clone()),
        ("closed_on".to_string(), closed_on.clone()),
    ];
    let result = async {
        let admin = auth::require_role(&[Role::Administrator]).await?;
        let state = app_state()?;
        crate::ssr::admin::set_unit_life(
            &state.db,
            &state.clock,
            Some(&admin.user_id),
            &unit_id,
            &opened_on,
            &closed_on,
        )
        .await
    }
    .await;
    form::finish("life", values, result, None).await
}

/// Moves an enterprise to another county, township or industry (administrator); its filings
/// already made stay with the chain they went to. Audited with the place before and after.
#[server(endpoint = "move_unit")]
pub async fn move_unit(
    unit_id: String,
    county_id: String,
    #[server(default)] township_id: String,
    industry: String,
) -> Result<(), AppError> {
    let values = vec![
        ("county_id".to_string(), county_id.clone()),
        ("township_id".to_string(), township_id.clone()),
        ("industry".to_string(), industry.clone()),
    ];
    let result = async {
        let admin = auth::require_role(&[Role::Administrator]).await?;
        let state = app_state()?;
        crate::ssr::admin::move_unit(
            &state.db,
            &state.clock,
            Some(&admin.user_id),
            &unit_id,
            &county_id,
            &township_id,
            &industry,
        )
        .await
    }
    .await;
    form::finish("move", values, result, None).await
}

/// An enterprise's merges and the enterprises it may be merged into (administrator).
#[server(endpoint = "unit_merges")]
pub async fn get_unit_merges(unit_id: String) -> Result<UnitMerges, AppError> {
    form::answer(
        async {
            auth::require_role(&[Role::Administrator]).await?;
            let db = &app_state()?.db;
            let unit = crate::ssr::units::unit_by_id(db, &unit_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let merged_into = crate::ssr::units::kept_for(db, &unit_id).await?;
            let candidates = match (&unit.county_id, &merged_into, unit.kind) {
                (Some(county), None, UnitKind::Enterprise) => {
                    crate::ssr::units::merge_candidates(db, &unit_id, county).await?
                }
                _ => vec![],
            };
            Ok(UnitMerges {
                merged_into,
                merged_from: crate::ssr::units::merged_from(db, &unit_id).await?,
                candidates,
            })
        }
        .await,
    )
}

/// Merges a duplicate enterprise into the one kept, of the same county (administrator):
/// both histories stay, the duplicate is closed as of the merge and its accounts move to the
/// one kept (`ssr::admin::merge_unit`). Errors come back next to `into_unit_id`.
#[server(endpoint = "merge_unit")]
pub async fn merge_unit(
    unit_id: String,
    #[server(default)] into_unit_id: String,
) -> Result<(), AppError> {
    let values = vec![("into_unit_id".to_string(), into_unit_id.clone())];
    let result = async {
        let admin = auth::require_role(&[Role::Administrator]).await?;
        let state = app_state()?;
        crate::ssr::admin::merge_unit(
            &state.db,
            &state.clock,
            Some(&admin.user_id),
            &unit_id,
            &into_unit_id,
        )
        .await
    }
    .await;
    form::finish("merge", values, result, None).await
}

/// Creates an account (administrator).
#[server(endpoint = "create_user")]
pub async fn create_user(
    username: String,
    display_name: String,
    unit_id: String,
    role: String,
    password: String,
) -> Result<String, AppError> {
    let values = vec![
        ("username".to_string(), username.clone()),
        ("display_name".to_string(), display_name.clone()),
        ("unit_id".to_string(), unit_id.clone()),
        ("role".to_string(), role.clone()),
    ];
    let result = async {
        let admin = auth::require_role(&[Role::Administrator]).await?;
        let state = app_state()?;
        let input = crate::ssr::admin::UserInput::parse(
            &state.db,
            &username,
            &display_name,
            &unit_id,
            &role,
            &password,
        )
        .await?;
        crate::ssr::admin::create_user(&state.db, &state.clock, Some(&admin.user_id), input).await
    }
    .await;
    form::finish("user", values, result, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/admin/users")), "/admin/users");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn new_passwords_must_be_long_enough_and_repeated() {
        assert!(check_new_password("abcdefgh", "abcdefgh").is_empty());
        assert_eq!(
            check_new_password("short", "short").get("new_password"),
            Some("err.password_too_short")
        );
        assert_eq!(
            check_new_password("abcdefgh", "abcdefgX").get("repeat_password"),
            Some("err.password_mismatch")
        );
    }
}
