//! The reporting chain of 107号 四、(二) 申报程序, as one set of pure functions: who files to
//! whom, who oversees whom, what a roll-up's scope contains, and whose scope a user may open.
//! Access checks, the review queue, roll-up scopes and the pickers all ask these; the server
//! only loads the units.
//!
//! 1. An enterprise files to the county-level department that supervises its industry in its
//!    county (按行业性质向所在地县（市）区负有安全生产监管职能的部门申报).
//! 2. A county-level department and a township file to their county's safety committee
//!    office (向县（市）区安委办申报).
//! 3. A county-level government (or management committee), through its office, files to the
//!    city's safety committee office; so does a city-level department.
//! 4. The city government files to no one here: its office compiles the city's report.

use crate::domain::unit::{Role, UnitKind};
use serde::{Deserialize, Serialize};

/// A unit as the chain sees it: what it is and where it sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub unit_id: String,
    pub kind: UnitKind,
    /// The county-level government the unit lies in (a county government: itself); `None`
    /// at city level.
    pub county_id: Option<String>,
    /// An enterprise's industry (its code).
    pub industry: Option<String>,
    /// An enterprise's township, where known.
    pub township_id: Option<String>,
}

/// Where a unit's filing goes (107号 四、(二)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receiver {
    /// The departments of `county_id` that supervise `industry` (an enterprise).
    Departments { county_id: String, industry: String },
    /// The safety committee office of `county_id`.
    CountyOffice { county_id: String },
    /// The city's safety committee office.
    CityOffice,
    /// Nobody: the city government and the offices themselves file no forms upward.
    Nobody,
}

/// Where `unit`'s filing goes.
pub fn files_to(unit: &Member) -> Receiver {
    match unit.kind {
        // 四、(二)1: by industry, to the department of the county it is in.
        UnitKind::Enterprise => match (&unit.county_id, &unit.industry) {
            (Some(county_id), Some(industry)) => Receiver::Departments {
                county_id: county_id.clone(),
                industry: industry.clone(),
            },
            _ => Receiver::Nobody,
        },
        // 四、(二)2: departments and townships to their county's office; a city-level
        // department to the city's office.
        UnitKind::Department => match &unit.county_id {
            Some(county_id) => Receiver::CountyOffice {
                county_id: county_id.clone(),
            },
            None => Receiver::CityOffice,
        },
        UnitKind::Township => match &unit.county_id {
            Some(county_id) => Receiver::CountyOffice {
                county_id: county_id.clone(),
            },
            None => Receiver::Nobody,
        },
        // 四、(二)3: each lower government to the upper one, through its office.
        UnitKind::CountyGovernment | UnitKind::ManagementCommittee => Receiver::CityOffice,
        UnitKind::CityGovernment | UnitKind::SafetyOffice => Receiver::Nobody,
    }
}

/// A user as the chain sees them: their role, unit, county and (a department's staff) the
/// industries their department supervises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub role: Role,
    pub unit_id: String,
    /// The county-level area of the user's unit; `None` at city level.
    pub county_id: Option<String>,
    /// For department staff: the industries the department supervises.
    pub industries: Vec<String>,
}

impl Viewer {
    /// The unit whose nine forms this user fills in: their own unit, or for a county office
    /// the county-level government it works for (四、(二)3: the office files for its
    /// government). The city office compiles the city's report instead, so it has none.
    pub fn own_filing_unit(&self) -> Option<&str> {
        match self.role {
            Role::EnterpriseFiler | Role::DepartmentStaff | Role::TownshipStaff => {
                Some(&self.unit_id)
            }
            Role::CountyOfficeStaff => self.county_id.as_deref(),
            Role::CityOfficeStaff | Role::Administrator => None,
        }
    }

    fn supervises_industry(&self, industry: &str) -> bool {
        self.industries.iter().any(|i| i == industry)
    }
}

/// Whether `viewer`'s unit receives `unit`'s filings: reviews them, accepts or returns them,
/// and decides on a late filing (补报) of them.
pub fn receives(viewer: &Viewer, unit: &Member) -> bool {
    match files_to(unit) {
        Receiver::Departments {
            county_id,
            industry,
        } => {
            viewer.role == Role::DepartmentStaff
                && viewer.county_id.as_deref() == Some(county_id.as_str())
                && viewer.supervises_industry(&industry)
        }
        Receiver::CountyOffice { county_id } => {
            viewer.role == Role::CountyOfficeStaff
                && viewer.county_id.as_deref() == Some(county_id.as_str())
        }
        Receiver::CityOffice => viewer.role == Role::CityOfficeStaff,
        Receiver::Nobody => false,
    }
}

/// The kinds of unit whose filings a role receives, for loading the candidates of
/// [`receives`] (the server narrows by these and by the viewer's county, then asks
/// [`receives`] of each).
pub fn kinds_received_by(role: Role) -> &'static [UnitKind] {
    match role {
        Role::DepartmentStaff => &[UnitKind::Enterprise],
        Role::CountyOfficeStaff => &[UnitKind::Department, UnitKind::Township],
        Role::CityOfficeStaff => &[
            UnitKind::CountyGovernment,
            UnitKind::ManagementCommittee,
            UnitKind::Department,
        ],
        Role::EnterpriseFiler | Role::TownshipStaff | Role::Administrator => &[],
    }
}

/// Whether `viewer` oversees `unit`: `unit` lies in the viewer's part of the chain, so the
/// viewer may read its filings and history and act on it as its supervisor.
/// - the city office: every unit that files;
/// - a county office: every unit of its county that files, but the county government
///   itself (the office files its forms; the city receives them);
/// - a department: the enterprises of the industries it supervises, in its county (a
///   city-level department: in the whole city, as its roll-up counts them).
pub fn oversees(viewer: &Viewer, unit: &Member) -> bool {
    if files_to(unit) == Receiver::Nobody {
        return false;
    }
    match viewer.role {
        Role::CityOfficeStaff => true,
        Role::CountyOfficeStaff => {
            viewer.county_id.is_some()
                && unit.county_id == viewer.county_id
                && viewer.county_id.as_deref() != Some(unit.unit_id.as_str())
        }
        Role::DepartmentStaff => {
            unit.kind == UnitKind::Enterprise
                && unit
                    .industry
                    .as_deref()
                    .is_some_and(|i| viewer.supervises_industry(i))
                && (viewer.county_id.is_none() || unit.county_id == viewer.county_id)
        }
        Role::EnterpriseFiler | Role::TownshipStaff | Role::Administrator => false,
    }
}

/// Whether `viewer` may enter `unit`'s filing from its sealed paper form (代填, issue 14): an
/// enterprise that files on paper hands it to the department that receives its filing (四、
/// (二)1: by industry, in its county) or to the township it lies in (分级管理，属地申报), whose
/// staff type it in. Nobody else enters a unit's filing, and no other kind of unit files on
/// paper through someone else.
pub fn enters_on_behalf(viewer: &Viewer, unit: &Member) -> bool {
    if unit.kind != UnitKind::Enterprise {
        return false;
    }
    match viewer.role {
        Role::DepartmentStaff => receives(viewer, unit),
        Role::TownshipStaff => {
            unit.township_id.as_deref() == Some(viewer.unit_id.as_str())
                && unit.county_id.is_some()
                && unit.county_id == viewer.county_id
        }
        Role::EnterpriseFiler
        | Role::CountyOfficeStaff
        | Role::CityOfficeStaff
        | Role::Administrator => false,
    }
}

/// What a roll-up is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScopeKind {
    /// The whole city (the city office).
    City,
    /// One county-level area (its office; the city).
    County,
    /// The enterprises one department supervises.
    Department,
    /// The enterprises in one township.
    Township,
}

impl ScopeKind {
    /// The scope a unit names in `?unit=`: a government its area, a department or township
    /// its enterprises; offices and enterprises name none.
    pub fn of(kind: UnitKind) -> Option<ScopeKind> {
        match kind {
            UnitKind::CityGovernment => Some(ScopeKind::City),
            UnitKind::CountyGovernment | UnitKind::ManagementCommittee => Some(ScopeKind::County),
            UnitKind::Department => Some(ScopeKind::Department),
            UnitKind::Township => Some(ScopeKind::Township),
            UnitKind::SafetyOffice | UnitKind::Enterprise => None,
        }
    }

    /// The kinds of the units below a scope of this kind that open scopes of their own on
    /// its page (its drill-down): a city's county-level governments, a county's departments
    /// and townships.
    pub fn child_kinds(&self) -> &'static [UnitKind] {
        match self {
            ScopeKind::City => &[UnitKind::CountyGovernment, UnitKind::ManagementCommittee],
            ScopeKind::County => &[UnitKind::Department, UnitKind::Township],
            ScopeKind::Department | ScopeKind::Township => &[],
        }
    }

    /// The kinds of unit a scope of this kind counts (the server loads these, then asks
    /// [`scope_contains`] of each).
    pub fn counted_kinds(&self) -> &'static [UnitKind] {
        match self {
            ScopeKind::City => &[
                UnitKind::CountyGovernment,
                UnitKind::ManagementCommittee,
                UnitKind::Department,
                UnitKind::Township,
                UnitKind::Enterprise,
            ],
            ScopeKind::County => &[
                UnitKind::Department,
                UnitKind::Township,
                UnitKind::Enterprise,
            ],
            ScopeKind::Department | ScopeKind::Township => &[UnitKind::Enterprise],
        }
    }
}

/// The unit a scope is about, with what its contents depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeUnit {
    pub kind: ScopeKind,
    pub unit_id: String,
    pub county_id: Option<String>,
    /// For a department's scope: the industries it supervises.
    pub industries: Vec<String>,
}

/// Whether a scope counts `unit` (四、(二): each level rolls up what is filed below it):
/// - the city: every unit that files (county-level governments, departments, townships,
///   enterprises);
/// - a county: its departments, townships and enterprises (its government's own forms go
///   to the city);
/// - a department: the enterprises of the industries it supervises, in its county (a
///   city-level department: in the whole city);
/// - a township: the enterprises in it.
pub fn scope_contains(scope: &ScopeUnit, unit: &Member) -> bool {
    if !scope.kind.counted_kinds().contains(&unit.kind) || files_to(unit) == Receiver::Nobody {
        return false;
    }
    match scope.kind {
        ScopeKind::City => true,
        ScopeKind::County => scope.county_id.is_some() && unit.county_id == scope.county_id,
        ScopeKind::Department => {
            unit.industry
                .as_deref()
                .is_some_and(|i| scope.industries.iter().any(|s| s == i))
                && (scope.county_id.is_none() || unit.county_id == scope.county_id)
        }
        ScopeKind::Township => unit.township_id.as_deref() == Some(scope.unit_id.as_str()),
    }
}

/// Whether a scope's page lists `unit` as one of its own lines: the units that file to the
/// scope's unit (the county-level governments and city-level departments for the city; a
/// county's departments and townships), and for a department or township its enterprises.
pub fn lists(scope: &ScopeUnit, unit: &Member) -> bool {
    match scope.kind {
        ScopeKind::City => files_to(unit) == Receiver::CityOffice,
        ScopeKind::County => match (files_to(unit), &scope.county_id) {
            (Receiver::CountyOffice { county_id }, Some(scope_county)) => {
                county_id == *scope_county
            }
            _ => false,
        },
        ScopeKind::Department | ScopeKind::Township => scope_contains(scope, unit),
    }
}

/// The unit that files a scope's summary upward (四、(二)2–3: 审核汇总后上报): a department
/// itself; for a county, its government (its office files for it). The city (whose office
/// reports to the city government instead) and townships file none.
pub fn summary_filer(scope: &ScopeUnit) -> Option<&str> {
    match scope.kind {
        ScopeKind::Department | ScopeKind::County => Some(&scope.unit_id),
        ScopeKind::City | ScopeKind::Township => None,
    }
}

/// Whether `viewer` files `scope`'s summary: a department its own, a county office its
/// county's.
pub fn files_summary_of(viewer: &Viewer, scope: &ScopeUnit) -> bool {
    match viewer.role {
        Role::DepartmentStaff => {
            scope.kind == ScopeKind::Department && scope.unit_id == viewer.unit_id
        }
        Role::CountyOfficeStaff => {
            scope.kind == ScopeKind::County
                && viewer.county_id.as_deref() == Some(scope.unit_id.as_str())
        }
        _ => false,
    }
}

/// Whether `viewer` may open the roll-up of `scope`: the city office every scope; a county
/// office its own county and that county's departments and townships; a department only
/// its own.
pub fn may_view_scope(viewer: &Viewer, scope: &ScopeUnit) -> bool {
    match viewer.role {
        Role::CityOfficeStaff => true,
        Role::CountyOfficeStaff => {
            scope.kind != ScopeKind::City
                && viewer.county_id.is_some()
                && scope.county_id == viewer.county_id
        }
        Role::DepartmentStaff => {
            scope.kind == ScopeKind::Department && scope.unit_id == viewer.unit_id
        }
        Role::EnterpriseFiler | Role::TownshipStaff | Role::Administrator => false,
    }
}

/// The scope a user's roll-up opens on when none is named: the city for the city office, its
/// county for a county office, its own department for a department. `city_government` is
/// the city government's unit id.
pub fn default_scope_unit(viewer: &Viewer, city_government: &str) -> Option<String> {
    match viewer.role {
        Role::CityOfficeStaff => Some(city_government.to_string()),
        Role::CountyOfficeStaff => viewer.county_id.clone(),
        Role::DepartmentStaff => Some(viewer.unit_id.clone()),
        Role::EnterpriseFiler | Role::TownshipStaff | Role::Administrator => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WUHUA: &str = "county-530102";
    const PANLONG: &str = "county-530103";

    fn member(id: &str, kind: UnitKind, county: Option<&str>) -> Member {
        Member {
            unit_id: id.into(),
            kind,
            county_id: county.map(Into::into),
            industry: None,
            township_id: None,
        }
    }

    fn enterprise(id: &str, county: &str, industry: &str, township: Option<&str>) -> Member {
        Member {
            industry: Some(industry.into()),
            township_id: township.map(Into::into),
            ..member(id, UnitKind::Enterprise, Some(county))
        }
    }

    fn viewer(role: Role, unit: &str, county: Option<&str>, industries: &[&str]) -> Viewer {
        Viewer {
            role,
            unit_id: unit.into(),
            county_id: county.map(Into::into),
            industries: industries.iter().map(|i| i.to_string()).collect(),
        }
    }

    fn city_office() -> Viewer {
        viewer(Role::CityOfficeStaff, "city-office", None, &[])
    }

    fn county_office(county: &str) -> Viewer {
        viewer(Role::CountyOfficeStaff, "office", Some(county), &[])
    }

    fn mines_department(county: &str) -> Viewer {
        viewer(
            Role::DepartmentStaff,
            "dept-ajj",
            Some(county),
            &["coal_mine", "chemical"],
        )
    }

    #[test]
    fn an_enterprise_files_to_the_departments_of_its_industry_in_its_county() {
        let firm = enterprise("ent", WUHUA, "coal_mine", None);
        assert_eq!(
            files_to(&firm),
            Receiver::Departments {
                county_id: WUHUA.into(),
                industry: "coal_mine".into()
            }
        );
        assert!(receives(&mines_department(WUHUA), &firm));
        assert!(
            !receives(&mines_department(PANLONG), &firm),
            "the same industry in another county does not receive it"
        );
        let builders = viewer(
            Role::DepartmentStaff,
            "dept-zjj",
            Some(WUHUA),
            &["construction"],
        );
        assert!(!receives(&builders, &firm), "another industry does not");
        assert!(
            !receives(&county_office(WUHUA), &firm),
            "nor does the county office: the department is between them"
        );
        assert!(!receives(&city_office(), &firm));
    }

    #[test]
    fn departments_and_townships_file_to_their_county_office() {
        for kind in [UnitKind::Department, UnitKind::Township] {
            let unit = member("u", kind, Some(WUHUA));
            assert_eq!(
                files_to(&unit),
                Receiver::CountyOffice {
                    county_id: WUHUA.into()
                }
            );
            assert!(receives(&county_office(WUHUA), &unit), "{kind:?}");
            assert!(!receives(&county_office(PANLONG), &unit), "{kind:?}");
            assert!(!receives(&city_office(), &unit), "{kind:?}");
        }
    }

    #[test]
    fn county_governments_and_city_departments_file_to_the_city_office() {
        for unit in [
            member(WUHUA, UnitKind::CountyGovernment, Some(WUHUA)),
            member("gxq", UnitKind::ManagementCommittee, Some("gxq")),
            member("city-dept", UnitKind::Department, None),
        ] {
            assert_eq!(files_to(&unit), Receiver::CityOffice);
            assert!(receives(&city_office(), &unit), "{unit:?}");
            assert!(!receives(&county_office(WUHUA), &unit), "{unit:?}");
        }
    }

    #[test]
    fn the_city_government_and_the_offices_file_to_no_one() {
        for unit in [
            member("city", UnitKind::CityGovernment, None),
            member("office", UnitKind::SafetyOffice, Some(WUHUA)),
            member("city-office", UnitKind::SafetyOffice, None),
        ] {
            assert_eq!(files_to(&unit), Receiver::Nobody);
            assert!(!oversees(&city_office(), &unit), "{unit:?}");
            assert!(!receives(&city_office(), &unit), "{unit:?}");
        }
    }

    #[test]
    fn receiving_agrees_with_the_kinds_each_role_loads() {
        let units = [
            enterprise("ent", WUHUA, "coal_mine", None),
            member("dept", UnitKind::Department, Some(WUHUA)),
            member("town", UnitKind::Township, Some(WUHUA)),
            member(WUHUA, UnitKind::CountyGovernment, Some(WUHUA)),
            member("city-dept", UnitKind::Department, None),
        ];
        for v in [
            city_office(),
            county_office(WUHUA),
            mines_department(WUHUA),
            viewer(Role::EnterpriseFiler, "ent", Some(WUHUA), &[]),
            viewer(Role::TownshipStaff, "town", Some(WUHUA), &[]),
        ] {
            for u in &units {
                if receives(&v, u) {
                    assert!(
                        kinds_received_by(v.role).contains(&u.kind),
                        "{:?} receives a {:?} but would not load it",
                        v.role,
                        u.kind
                    );
                }
            }
        }
    }

    #[test]
    fn whoever_receives_a_filing_also_oversees_its_unit() {
        let units = [
            enterprise("ent", WUHUA, "coal_mine", None),
            member("dept", UnitKind::Department, Some(WUHUA)),
            member("town", UnitKind::Township, Some(WUHUA)),
            member(WUHUA, UnitKind::CountyGovernment, Some(WUHUA)),
            member("city-dept", UnitKind::Department, None),
        ];
        for v in [city_office(), county_office(WUHUA), mines_department(WUHUA)] {
            for u in &units {
                assert!(
                    !receives(&v, u) || oversees(&v, u),
                    "{:?} receives {} without overseeing it",
                    v.role,
                    u.unit_id
                );
            }
        }
    }

    #[test]
    fn a_county_office_oversees_its_county_but_not_its_own_government() {
        let office = county_office(WUHUA);
        assert!(oversees(
            &office,
            &enterprise("ent", WUHUA, "construction", None)
        ));
        assert!(oversees(
            &office,
            &member("dept", UnitKind::Department, Some(WUHUA))
        ));
        assert!(
            !oversees(
                &office,
                &member(WUHUA, UnitKind::CountyGovernment, Some(WUHUA))
            ),
            "the county government's forms are the office's own; the city oversees them"
        );
        assert!(!oversees(
            &office,
            &enterprise("ent2", PANLONG, "construction", None)
        ));
        assert!(oversees(
            &city_office(),
            &member(WUHUA, UnitKind::CountyGovernment, Some(WUHUA))
        ));
    }

    #[test]
    fn a_department_oversees_only_its_industries_and_a_city_department_the_whole_city() {
        let dept = mines_department(WUHUA);
        assert!(oversees(&dept, &enterprise("a", WUHUA, "chemical", None)));
        assert!(!oversees(
            &dept,
            &enterprise("b", WUHUA, "construction", None)
        ));
        assert!(!oversees(
            &dept,
            &enterprise("c", PANLONG, "chemical", None)
        ));
        assert!(!oversees(
            &dept,
            &member("town", UnitKind::Township, Some(WUHUA))
        ));
        let city_dept = viewer(Role::DepartmentStaff, "city-dept", None, &["chemical"]);
        assert!(oversees(
            &city_dept,
            &enterprise("c", PANLONG, "chemical", None)
        ));
        assert!(
            !receives(&city_dept, &enterprise("c", PANLONG, "chemical", None)),
            "enterprises file to their county's departments, not the city's"
        );
    }

    #[test]
    fn filers_oversee_no_one() {
        for role in [
            Role::EnterpriseFiler,
            Role::TownshipStaff,
            Role::Administrator,
        ] {
            let v = viewer(role, "x", Some(WUHUA), &[]);
            assert!(!oversees(&v, &enterprise("a", WUHUA, "chemical", None)));
            assert!(kinds_received_by(role).is_empty());
        }
    }

    #[test]
    fn a_county_office_files_its_governments_forms() {
        assert_eq!(county_office(WUHUA).own_filing_unit(), Some(WUHUA));
        assert_eq!(city_office().own_filing_unit(), None);
        assert_eq!(mines_department(WUHUA).own_filing_unit(), Some("dept-ajj"));
    }

    fn scope(kind: ScopeKind, id: &str, county: Option<&str>, industries: &[&str]) -> ScopeUnit {
        ScopeUnit {
            kind,
            unit_id: id.into(),
            county_id: county.map(Into::into),
            industries: industries.iter().map(|i| i.to_string()).collect(),
        }
    }

    #[test]
    fn each_scope_counts_what_is_filed_below_it() {
        let firm = enterprise("ent", WUHUA, "chemical", Some("town"));
        let dept = member("dept", UnitKind::Department, Some(WUHUA));
        let gov = member(WUHUA, UnitKind::CountyGovernment, Some(WUHUA));
        let city = scope(ScopeKind::City, "city", None, &[]);
        let county = scope(ScopeKind::County, WUHUA, Some(WUHUA), &[]);
        let mines = scope(ScopeKind::Department, "dept", Some(WUHUA), &["chemical"]);
        let town = scope(ScopeKind::Township, "town", Some(WUHUA), &[]);
        for u in [&firm, &dept, &gov] {
            assert!(scope_contains(&city, u), "the city counts {}", u.unit_id);
        }
        assert!(scope_contains(&county, &firm) && scope_contains(&county, &dept));
        assert!(
            !scope_contains(&county, &gov),
            "a county's own government is counted by the city"
        );
        assert!(scope_contains(&mines, &firm));
        assert!(!scope_contains(&mines, &dept));
        assert!(scope_contains(&town, &firm));
        assert!(!scope_contains(
            &town,
            &enterprise("other", WUHUA, "chemical", Some("town2"))
        ));
        assert!(!scope_contains(
            &city,
            &member("office", UnitKind::SafetyOffice, Some(WUHUA))
        ));
        let city_mines = scope(ScopeKind::Department, "city-dept", None, &["chemical"]);
        assert!(scope_contains(
            &city_mines,
            &enterprise("far", PANLONG, "chemical", None)
        ));
    }

    #[test]
    fn a_user_opens_only_the_scopes_of_their_part_of_the_chain() {
        let county = scope(ScopeKind::County, WUHUA, Some(WUHUA), &[]);
        let other = scope(ScopeKind::County, PANLONG, Some(PANLONG), &[]);
        let mines = scope(ScopeKind::Department, "dept-ajj", Some(WUHUA), &[]);
        let city = scope(ScopeKind::City, "city", None, &[]);
        assert!(may_view_scope(&city_office(), &other));
        assert!(may_view_scope(&county_office(WUHUA), &county));
        assert!(may_view_scope(&county_office(WUHUA), &mines));
        assert!(!may_view_scope(&county_office(WUHUA), &other));
        assert!(!may_view_scope(&county_office(WUHUA), &city));
        assert!(may_view_scope(&mines_department(WUHUA), &mines));
        assert!(!may_view_scope(&mines_department(WUHUA), &county));
        assert_eq!(
            default_scope_unit(&county_office(WUHUA), "city").as_deref(),
            Some(WUHUA)
        );
        assert_eq!(
            default_scope_unit(&city_office(), "city").as_deref(),
            Some("city")
        );
    }

    #[test]
    fn a_scope_lists_the_units_that_file_to_it() {
        let city = scope(ScopeKind::City, "city", None, &[]);
        let county = scope(ScopeKind::County, WUHUA, Some(WUHUA), &[]);
        let gov = member(WUHUA, UnitKind::CountyGovernment, Some(WUHUA));
        let city_dept = member("city-dept", UnitKind::Department, None);
        let dept = member("dept", UnitKind::Department, Some(WUHUA));
        let town = member("town", UnitKind::Township, Some(WUHUA));
        let firm = enterprise("ent", WUHUA, "chemical", Some("town"));
        assert!(lists(&city, &gov) && lists(&city, &city_dept));
        assert!(!lists(&city, &dept) && !lists(&city, &firm));
        assert!(lists(&county, &dept) && lists(&county, &town));
        assert!(!lists(&county, &firm) && !lists(&county, &gov));
        assert!(!lists(
            &scope(ScopeKind::County, PANLONG, Some(PANLONG), &[]),
            &dept
        ));
        let mines = scope(ScopeKind::Department, "dept", Some(WUHUA), &["chemical"]);
        assert!(lists(&mines, &firm) && !lists(&mines, &town));
    }

    #[test]
    fn only_the_receiving_department_or_the_enterprises_township_enters_from_paper() {
        let firm = enterprise("ent", WUHUA, "chemical", Some("town-huashan"));
        let town = viewer(Role::TownshipStaff, "town-huashan", Some(WUHUA), &[]);
        assert!(enters_on_behalf(&mines_department(WUHUA), &firm));
        assert!(enters_on_behalf(&town, &firm));
        // Another township, the department of another county or industry: outside.
        let other_town = viewer(Role::TownshipStaff, "town-other", Some(WUHUA), &[]);
        assert!(!enters_on_behalf(&other_town, &firm));
        assert!(!enters_on_behalf(&mines_department(PANLONG), &firm));
        let roads = viewer(Role::DepartmentStaff, "dept-jt", Some(WUHUA), &["road"]);
        assert!(!enters_on_behalf(&roads, &firm));
        // An enterprise in no township has only its department.
        let unplaced = enterprise("ent2", WUHUA, "chemical", None);
        assert!(!enters_on_behalf(&town, &unplaced));
        assert!(enters_on_behalf(&mines_department(WUHUA), &unplaced));
        // The offices oversee it but do not type in its forms; nor does anyone a township's.
        assert!(!enters_on_behalf(&county_office(WUHUA), &firm));
        assert!(!enters_on_behalf(&city_office(), &firm));
        let own = viewer(Role::EnterpriseFiler, "ent", Some(WUHUA), &[]);
        assert!(!enters_on_behalf(&own, &firm));
        let township_unit = member("town-huashan", UnitKind::Township, Some(WUHUA));
        assert!(!enters_on_behalf(&county_office(WUHUA), &township_unit));
        assert!(!enters_on_behalf(&town, &township_unit));
    }

    #[test]
    fn departments_and_county_offices_file_their_scopes_summary() {
        let county = scope(ScopeKind::County, WUHUA, Some(WUHUA), &[]);
        let mines = scope(ScopeKind::Department, "dept-ajj", Some(WUHUA), &[]);
        assert_eq!(summary_filer(&county), Some(WUHUA));
        assert_eq!(summary_filer(&mines), Some("dept-ajj"));
        assert_eq!(
            summary_filer(&scope(ScopeKind::City, "city", None, &[])),
            None
        );
        assert_eq!(
            summary_filer(&scope(ScopeKind::Township, "t", Some(WUHUA), &[])),
            None
        );
        assert!(files_summary_of(&county_office(WUHUA), &county));
        assert!(!files_summary_of(&county_office(PANLONG), &county));
        assert!(files_summary_of(&mines_department(WUHUA), &mines));
        assert!(!files_summary_of(&mines_department(WUHUA), &county));
        assert!(!files_summary_of(&city_office(), &county));
    }
}
