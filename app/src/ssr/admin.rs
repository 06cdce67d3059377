//! Creating units and accounts: input checked into domain values once, then written with
//! its audit record in one transaction. Used by the admin pages and the command line.

use crate::domain::lifecycle::Life;
use crate::domain::limits::Text;
use crate::domain::time::Clock;
use crate::domain::unit::{industry_name_zh, Role, UnitKind};
use crate::error::{AppError, FieldErrors};
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::auth::hash_password_bounded;
use crate::ssr::db::{is_unique_violation, new_id, Db};
use crate::ssr::units::{self, EnterpriseDetails, NewUnit};
use crate::ssr::users::{self, NewUser};

/// A unit as typed into the form. The lengths come from the one table of limits
/// ([`Text`]), checked with `validator` before anything else.
#[derive(validator::Validate)]
pub struct RawUnit {
    #[validate(length(max = Text::UnitName.max_len()))]
    pub name: String,
    #[validate(length(max = Text::Search.max_len()))]
    pub kind: String,
    #[validate(length(max = Text::Search.max_len()))]
    pub county_id: String,
    #[validate(length(max = Text::Search.max_len()))]
    pub industry: String,
    #[validate(length(max = 100))]
    pub industries: Vec<String>,
    #[validate(length(max = Text::Search.max_len()))]
    pub township_id: String,
    #[validate(length(max = Text::Address.max_len()))]
    pub address: String,
    #[validate(length(max = Text::DisplayName.max_len()))]
    pub legal_representative: String,
    #[validate(length(max = Text::Search.max_len()))]
    pub headcount: String,
    /// 成立日期 `YYYY-MM-DD`: from when the unit is expected to file (`domain::lifecycle`).
    #[validate(length(max = Text::Search.max_len()))]
    pub opened_on: String,
    /// 注销日期 `YYYY-MM-DD`, empty while it is open.
    #[validate(length(max = Text::Search.max_len()))]
    pub closed_on: String,
}

/// `validator`'s errors as the app's field errors: a length over its limit is `err.too_long`.
fn field_errors(errors: validator::ValidationErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    let mut fields: Vec<_> = errors.field_errors().into_iter().collect();
    fields.sort_by_key(|(name, _)| name.to_string());
    for (field, errs) in fields {
        for e in errs {
            let key = if e.code == "length" {
                "err.too_long"
            } else {
                "err.invalid"
            };
            out.add(&field, key);
        }
    }
    out
}

/// A unit ready to be created. The parent follows from the kind and the county.
pub struct UnitInput {
    name: String,
    kind: UnitKind,
    county_id: Option<String>,
    industries: Vec<String>,
    enterprise: Option<EnterpriseDetails>,
    life: Life,
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let v = value.trim().to_string();
    if v.is_empty() {
        errors.add(field, "err.required");
    } else if v.chars().count() > max {
        errors.add(field, "err.too_long");
    }
    v
}

impl UnitInput {
    /// Checks what does not need the database.
    pub fn parse(raw: RawUnit) -> Result<Self, AppError> {
        use validator::Validate;
        if let Err(e) = raw.validate() {
            return Err(AppError::Invalid(field_errors(e)));
        }
        let mut errors = FieldErrors::new();
        let name = text(&mut errors, "name", &raw.name, Text::UnitName.max_chars());
        let kind = UnitKind::parse(&raw.kind);
        let county_id =
            (!raw.county_id.trim().is_empty()).then(|| raw.county_id.trim().to_string());
        let mut industries = Vec::new();
        let mut enterprise = None;
        match kind {
            None
            | Some(UnitKind::CityGovernment)
            | Some(UnitKind::CountyGovernment)
            | Some(UnitKind::ManagementCommittee) => {
                // Governments are fixed by the administrative map; they are created by migration or seeding.
                errors.add("kind", "err.kind_unknown");
            }
            Some(UnitKind::Township) if county_id.is_none() => {
                errors.add("county_id", "err.unit_missing")
            }
            Some(UnitKind::Enterprise) => {
                if county_id.is_none() {
                    errors.add("county_id", "err.unit_missing");
                }
                if industry_name_zh(raw.industry.trim()).is_none() {
                    errors.add("industry", "err.industry_unknown");
                }
                let address = text(
                    &mut errors,
                    "address",
                    &raw.address,
                    Text::Address.max_chars(),
                );
                let legal_representative = text(
                    &mut errors,
                    "legal_representative",
                    &raw.legal_representative,
                    Text::DisplayName.max_chars(),
                );
                let headcount = match raw.headcount.trim().parse::<i64>() {
                    Ok(n) if (0..=1_000_000).contains(&n) => n,
                    _ => {
                        errors.add("headcount", "err.headcount");
                        0
                    }
                };
                enterprise = Some(EnterpriseDetails {
                    township_id: (!raw.township_id.trim().is_empty())
                        .then(|| raw.township_id.trim().to_string()),
                    industry_code: raw.industry.trim().to_string(),
                    address,
                    legal_representative,
                    headcount,
                });
            }
            Some(UnitKind::Department) => {
                for code in &raw.industries {
                    if industry_name_zh(code).is_none() {
                        errors.add("industries", "err.industry_unknown");
                    } else if !industries.contains(code) {
                        industries.push(code.clone());
                    }
                }
                if industries.is_empty() {
                    errors.add("industries", "err.industry_unknown");
                }
            }
            Some(UnitKind::SafetyOffice) if county_id.is_none() => {
                errors.add("county_id", "err.unit_missing")
            }
            _ => {}
        }
        let life = Life::parse(&raw.opened_on, &raw.closed_on)
            .map_err(|e| {
                for (field, key) in e.0 {
                    errors.add(&field, &key);
                }
            })
            .ok();
        errors.into_result()?;
        Ok(Self {
            name,
            kind: kind.expect("checked above"),
            county_id,
            industries,
            enterprise,
            life: life.expect("checked above"),
        })
    }
}

/// Creates a unit with its audit record; returns its id.
///
/// Guard: the unique index unit_name_under_parent (parent_id, name), its violation answered
/// `err.name_taken`; the parent and township read before it are units, which never change.
#[tracing::instrument(skip(db, clock, input), fields(name = %input.name, kind = input.kind.code()))]
pub async fn create_unit(
    db: &Db,
    clock: &Clock,
    actor: Option<&str>,
    input: UnitInput,
) -> Result<String, AppError> {
    let now = clock.now();
    // The parent: the county-level government, or the city government for a city-level department.
    let parent_id = match &input.county_id {
        Some(county) => {
            let county_unit = units::unit_by_id(db, county).await?;
            match county_unit {
                Some(u) if u.kind.is_county_level_government() => county.clone(),
                _ => return Err(AppError::field("county_id", "err.parent_unfit")),
            }
        }
        None => crate::ssr::seed::CITY_GOVERNMENT_ID.to_string(),
    };
    if let Some(town) = input
        .enterprise
        .as_ref()
        .and_then(|e| e.township_id.clone())
    {
        match units::unit_by_id(db, &town).await? {
            Some(t) if t.kind == UnitKind::Township && t.county_id == input.county_id => {}
            _ => return Err(AppError::field("township_id", "err.parent_unfit")),
        }
    }
    let unit = NewUnit {
        unit_id: new_id(),
        name: input.name.clone(),
        kind: input.kind,
        parent_id: Some(parent_id),
        county_id: input.county_id.clone(),
        area_code: None,
        life: input.life,
    };
    let mut tx = crate::ssr::db::begin_write(db).await?;
    if let Err(e) = units::insert_unit(&mut tx, &unit, now).await {
        return Err(if is_unique_violation(&e) {
            AppError::field("name", "err.name_taken")
        } else {
            AppError::from(e)
        });
    }
    for code in &input.industries {
        units::insert_department_industry(&mut tx, &unit.unit_id, code).await?;
    }
    if let Some(details) = &input.enterprise {
        units::insert_enterprise(&mut tx, &unit.unit_id, details).await?;
    }
    audit::record(&mut tx, AuditEntry {
        at: now,
        actor,
        action: "unit.create",
        subject_kind: "unit",
        subject_id: &unit.unit_id,
        before: None,
        after: Some(serde_json::json!({ "unit": unit, "industries": input.industries, "enterprise": input.enterprise })),
    })
    .await?;
    tx.commit().await?;
    Ok(unit.unit_id)
}

/// Sets a unit's opening and closing dates (administrator), audited with the dates before
/// and after in the same transaction. Refused next to the field: a closing before the
/// opening (`err.closed_before_opened`), or dates that leave out a period the unit has
/// already filed for (`err.life_excludes_filing`: its filings stay counted where it was
/// expected), or no closing for a duplicate merged into another (`err.merged_stays_closed`).
///
/// Guard: see [`units::set_life`] (the unit's row is held before its dates and filings are
/// read).
#[tracing::instrument(skip(db, clock))]
pub async fn set_unit_life(
    db: &Db,
    clock: &Clock,
    actor: Option<&str>,
    unit_id: &str,
    opened_on: &str,
    closed_on: &str,
) -> Result<(), AppError> {
    // Text that is no date, however long, is `err.date` next to its field.
    let life = Life::parse(opened_on, closed_on).map_err(AppError::Invalid)?;
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let before = match units::set_life(&mut tx, unit_id, &life, now).await? {
        Ok(before) => before,
        Err(units::LifeRefused::NoUnit) => return Err(AppError::NotFound),
        Err(units::LifeRefused::FiledOutside(_)) => {
            let field = if life.closed_on().is_some() {
                "closed_on"
            } else {
                "opened_on"
            };
            return Err(AppError::field(field, "err.life_excludes_filing"));
        }
        Err(units::LifeRefused::MergedStaysClosed) => {
            return Err(AppError::field("closed_on", "err.merged_stays_closed"))
        }
    };
    let change = AuditEntry {
        at: now,
        actor,
        action: "unit.life",
        subject_kind: "unit",
        subject_id: unit_id,
        before: serde_json::to_value(before).ok(),
        after: serde_json::to_value(life).ok(),
    };
    finish_unit_change(tx, change).await
}

/// Ends a change of a unit made in `tx`: when nothing changed (a form sent again), rolled
/// back with no audit record; else audited as `change` says, and committed.
async fn finish_unit_change(
    mut tx: crate::ssr::db::WriteTx,
    change: AuditEntry<'_>,
) -> Result<(), AppError> {
    if change.before == change.after {
        tx.rollback().await?;
        return Ok(());
    }
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves an enterprise to another county, township or industry (administrator), audited
/// with its place before and after (`unit.move`) in the same transaction. The periods it
/// already filed for, and those whose window had closed, stay with its old place
/// ([`units::move_enterprise`]). Refused next to the field: a county that is no county-level
/// area, a township outside it, an unknown industry, a name the new county already has.
#[tracing::instrument(skip(db, clock))]
pub async fn move_unit(
    db: &Db,
    clock: &Clock,
    actor: Option<&str>,
    unit_id: &str,
    county_id: &str,
    township_id: &str,
    industry: &str,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let county = units::unit_by_id(db, county_id.trim()).await?;
    if !county.is_some_and(|c| c.kind.is_county_level_government()) {
        errors.add("county_id", "err.parent_unfit");
    }
    let township_id = township_id.trim();
    if !township_id.is_empty() {
        match units::unit_by_id(db, township_id).await? {
            Some(t)
                if t.kind == UnitKind::Township
                    && t.county_id.as_deref() == Some(county_id.trim()) => {}
            _ => errors.add("township_id", "err.parent_unfit"),
        }
    }
    if industry_name_zh(industry.trim()).is_none() {
        errors.add("industry", "err.industry_unknown");
    }
    errors.into_result()?;
    let to = units::Place {
        county_id: county_id.trim().to_string(),
        township_id: (!township_id.is_empty()).then(|| township_id.to_string()),
        industry: industry.trim().to_string(),
    };
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let from = match units::move_enterprise(&mut tx, unit_id, &to, now).await? {
        Ok(from) => from,
        Err(units::MoveRefused::NoEnterprise) => return Err(AppError::NotFound),
        Err(units::MoveRefused::NameTaken) => {
            return Err(AppError::field("county_id", "err.name_taken"))
        }
    };
    let change = AuditEntry {
        at: now,
        actor,
        action: "unit.move",
        subject_kind: "unit",
        subject_id: unit_id,
        before: serde_json::to_value(&from).ok(),
        after: serde_json::to_value(&to).ok(),
    };
    finish_unit_change(tx, change).await
}

/// Merges a duplicate enterprise into the one kept, of the same county (administrator): one
/// enterprise registered twice, e.g. once by hand and once by the registry import (issue 14,
/// "merge of two duplicate enterprises keeps both histories"). What changes is in
/// [`units::merge_enterprise`]; nothing is deleted. In the same transaction: `unit.merge` on
/// the duplicate (its life before and after, where it went), `unit.merge_in` on the kept unit
/// (what it took: the duplicate, its credit code), and `user.unit` for each account moved.
///
/// Refused next to the field `into_unit_id`: the unit itself (`err.merge_self`), a unit that
/// is no enterprise (`err.merge_not_enterprise`), one of another county
/// (`err.merge_other_county`), a duplicate already merged (`err.merge_already_merged`), a unit
/// kept that was itself merged (`err.merge_into_merged`), and a duplicate that filed for a
/// period whose window had not closed (`err.merge_duplicate_filed`: the enterprise's current
/// filing is the duplicate's; merged so, the kept unit would owe the period again, or both
/// filings would stand for one enterprise. Merge the other way, keeping the unit that filed,
/// or once the window has closed, when each filing stays counted with the unit that made it,
/// 107号 四、(一)).
#[tracing::instrument(skip(db, clock))]
pub async fn merge_unit(
    db: &Db,
    clock: &Clock,
    actor: Option<&str>,
    unit_id: &str,
    into_unit_id: &str,
) -> Result<(), AppError> {
    let into = into_unit_id.trim();
    if into.is_empty() {
        return Err(AppError::field("into_unit_id", "err.unit_missing"));
    }
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let merged = match units::merge_enterprise(&mut tx, unit_id, into, now).await? {
        Ok(m) => m,
        Err(refused) => {
            use units::MergeRefused as R;
            let key = match refused {
                R::NoUnit => return Err(AppError::NotFound),
                R::Itself => "err.merge_self",
                R::NotEnterprise => "err.merge_not_enterprise",
                R::OtherCounty => "err.merge_other_county",
                R::AlreadyMerged => "err.merge_already_merged",
                R::IntoMerged => "err.merge_into_merged",
                R::FiledCurrent(_) => "err.merge_duplicate_filed",
            };
            return Err(AppError::field("into_unit_id", key));
        }
    };
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor,
            action: "unit.merge",
            subject_kind: "unit",
            subject_id: unit_id,
            before: Some(serde_json::json!({ "life": merged.life_before })),
            after: Some(serde_json::json!({
                "merged_into": into, "life": merged.life_after, "users": merged.users,
                "credit_code_to_kept": merged.credit_code,
            })),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor,
            action: "unit.merge_in",
            subject_kind: "unit",
            subject_id: into,
            before: None,
            after: Some(serde_json::json!({
                "merged_unit": unit_id, "users": merged.users, "credit_code": merged.credit_code,
            })),
        },
    )
    .await?;
    for user_id in &merged.users {
        audit::record(
            &mut tx,
            AuditEntry {
                at: now,
                actor,
                action: "user.unit",
                subject_kind: "user",
                subject_id: user_id,
                before: Some(serde_json::json!({ "unit_id": unit_id })),
                after: Some(serde_json::json!({ "unit_id": into, "by": "merge" })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An account ready to be created.
pub struct UserInput {
    username: String,
    display_name: String,
    unit_id: String,
    role: Role,
    password: String,
}

/// Usernames: 3–32 of letters, digits, `.`, `-`, `_`.
pub fn valid_username(name: &str) -> bool {
    (3..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl UserInput {
    #[tracing::instrument(skip(db, password))]
    pub async fn parse(
        db: &Db,
        username: &str,
        display_name: &str,
        unit_id: &str,
        role: &str,
        password: &str,
    ) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let username = username.trim().to_string();
        if !valid_username(&username) {
            errors.add("username", "err.username_format");
        }
        let display_name = text(
            &mut errors,
            "display_name",
            display_name,
            Text::DisplayName.max_chars(),
        );
        Text::Password.check(&mut errors, "password", password);
        if password.chars().count() < crate::model::MIN_PASSWORD_LEN {
            errors.add("password", "err.password_too_short");
        }
        let role_parsed = Role::parse(role.trim());
        let unit = if unit_id.trim().is_empty() {
            errors.add("unit_id", "err.unit_missing");
            None
        } else {
            let unit = units::unit_by_id(db, unit_id.trim()).await?;
            if unit.is_none() {
                errors.add("unit_id", "err.unit_unknown");
            }
            unit
        };
        match (role_parsed, &unit) {
            (None, _) => errors.add("role", "err.role_unfit"),
            (Some(r), Some(u)) if !r.fits_unit(u.kind, u.county_id.is_some()) => {
                errors.add("role", "err.role_unfit")
            }
            _ => {}
        }
        errors.into_result()?;
        Ok(Self {
            username,
            display_name,
            unit_id: unit_id.trim().to_string(),
            role: role_parsed.expect("checked above"),
            password: password.to_string(),
        })
    }
}

/// Creates an account with its audit record; returns its id.
///
/// Guard: the UNIQUE `app_user.username`, its violation answered `err.username_taken`; the
/// unit checked in [`UserInput::parse`] never changes.
#[tracing::instrument(skip(db, clock, input), fields(username = %input.username))]
pub async fn create_user(
    db: &Db,
    clock: &Clock,
    actor: Option<&str>,
    input: UserInput,
) -> Result<String, AppError> {
    let hash = hash_password_bounded(&input.password).await?;
    let user = NewUser {
        user_id: new_id(),
        username: input.username,
        display_name: input.display_name,
        unit_id: input.unit_id,
        role: input.role,
        password_hash: hash,
    };
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    if let Err(e) = users::insert_user(&mut tx, &user, now).await {
        return Err(if is_unique_violation(&e) {
            AppError::field("username", "err.username_taken")
        } else {
            AppError::from(e)
        });
    }
    audit::record(&mut tx, AuditEntry {
        at: now,
        actor,
        action: "user.create",
        subject_kind: "user",
        subject_id: &user.user_id,
        before: None,
        after: Some(serde_json::json!({
            "username": user.username, "display_name": user.display_name, "unit_id": user.unit_id, "role": user.role.code(),
        })),
    })
    .await?;
    tx.commit().await?;
    Ok(user.user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(kind: &str) -> RawUnit {
        RawUnit {
            name: "测试单位".into(),
            kind: kind.into(),
            county_id: "county-530102".into(),
            industry: "chemical".into(),
            industries: vec!["chemical".into()],
            township_id: String::new(),
            address: "某路 1 号".into(),
            legal_representative: "张三".into(),
            headcount: "12".into(),
            opened_on: "2026-03-01".into(),
            closed_on: String::new(),
        }
    }

    #[test]
    fn an_enterprise_needs_a_known_industry_and_a_whole_headcount() {
        assert!(UnitInput::parse(raw("enterprise")).is_ok());
        let mut bad = raw("enterprise");
        bad.industry = "mining".into();
        bad.headcount = "12.5".into();
        let err = UnitInput::parse(bad).err().unwrap();
        let fields = err.field_errors().unwrap();
        assert_eq!(fields.get("industry"), Some("err.industry_unknown"));
        assert_eq!(fields.get("headcount"), Some("err.headcount"));
    }

    #[test]
    fn a_unit_needs_an_opening_date_and_a_closing_not_before_it() {
        let mut r = raw("township");
        r.opened_on = String::new();
        let err = UnitInput::parse(r).err().unwrap();
        assert_eq!(
            err.field_errors().unwrap().get("opened_on"),
            Some("err.required")
        );
        let mut r = raw("township");
        r.closed_on = "2026-02-01".into();
        let err = UnitInput::parse(r).err().unwrap();
        assert_eq!(
            err.field_errors().unwrap().get("closed_on"),
            Some("err.closed_before_opened")
        );
    }

    #[test]
    fn governments_cannot_be_created_by_hand() {
        let err = UnitInput::parse(raw("county_government")).err().unwrap();
        assert_eq!(
            err.field_errors().unwrap().get("kind"),
            Some("err.kind_unknown")
        );
    }

    #[test]
    fn usernames_are_short_plain_ascii() {
        assert!(valid_username("wuhua-ajj"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("张三"));
        assert!(!valid_username("a b c"));
    }
}
