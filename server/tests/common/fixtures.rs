//! Named fixtures: exactly the units and accounts a test needs, made in the test's fresh
//! database (see [`super::Options::fresh`]) through the app's own code — the governments
//! with `ssr::units::insert_unit` (no form creates them, as for the seed), everything else
//! with `ssr::admin::create_unit` / `create_user`, as the admin pages do.
//!
//! ```ignore
//! let wuhua = app.county("五华区").await;
//! let town = wuhua.township("华山街道").await;
//! let ajj = wuhua.department("五华区安全生产监督管理局", &["chemical"]).await;
//! let firm = wuhua.enterprise("昆明华山化工有限公司", "chemical", Some(&town)).await;
//! let qiye = app.account_in(&firm).await; // an enterprise filer, logged in
//! ```

use super::{login_args, TestApp};
use app::domain::lifecycle::{Life, REGIME_START};
use app::domain::unit::{Role, UnitKind, COUNTY_AREAS};
use app::ssr::admin::{self, RawUnit, UnitInput, UserInput};
use app::ssr::seed::{CITY_GOVERNMENT_ID, CITY_OFFICE_ID};
use app::ssr::units::{self, NewUnit};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A unit in the test's database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    /// The county-level government it lies in; `None` at city level.
    pub county_id: Option<String>,
}

/// The city government and the city safety committee office (the administrator's unit).
pub struct City {
    pub government: Unit,
    pub office: Unit,
}

/// A county-level government with its safety committee office; makes the units below it.
pub struct County<'a> {
    app: &'a TestApp,
    pub government: Unit,
    pub office: Unit,
}

/// An account in a unit, logged in in its own browser (use it where a client is expected).
pub struct Account {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub unit: Unit,
    pub client: reqwest::Client,
}

impl std::ops::Deref for Account {
    type Target = reqwest::Client;
    fn deref(&self) -> &reqwest::Client {
        &self.client
    }
}

async fn insert_government(app: &TestApp, unit: NewUnit) -> Unit {
    let mut tx = app::ssr::db::begin_write(&app.db).await.unwrap();
    units::insert_unit(&mut tx, &unit, app.clock.now())
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", unit.name));
    tx.commit().await.unwrap();
    Unit {
        id: unit.unit_id,
        name: unit.name,
        kind: unit.kind,
        county_id: unit.county_id,
    }
}

async fn stored(app: &TestApp, unit_id: &str) -> Unit {
    let row = units::unit_by_id(&app.db, unit_id)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no unit {unit_id}"));
    Unit {
        id: row.unit_id,
        name: row.name,
        kind: row.kind,
        county_id: row.county_id,
    }
}

/// Creates a unit as the admin page does; panics with the field errors if it is refused.
async fn create_unit(app: &TestApp, raw: RawUnit) -> Unit {
    let name = raw.name.clone();
    let input = UnitInput::parse(raw).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let id = admin::create_unit(&app.db, &app.clock, None, input)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    stored(app, &id).await
}

fn raw(name: &str, kind: UnitKind, county: &Unit) -> RawUnit {
    RawUnit {
        name: name.into(),
        kind: kind.code().into(),
        county_id: county.id.clone(),
        industry: String::new(),
        industries: vec![],
        township_id: String::new(),
        address: String::new(),
        legal_representative: String::new(),
        headcount: String::new(),
        // Open since 107号: every period the tests file for is expected of it.
        opened_on: REGIME_START.to_string(),
        closed_on: String::new(),
    }
}

impl TestApp {
    /// The city government and office (made on first use).
    pub async fn city(&self) -> City {
        if units::unit_by_id(&self.db, CITY_GOVERNMENT_ID)
            .await
            .unwrap()
            .is_none()
        {
            for (id, name, kind, parent, area) in [
                (
                    CITY_GOVERNMENT_ID,
                    "昆明市人民政府",
                    UnitKind::CityGovernment,
                    None,
                    Some("530100"),
                ),
                (
                    CITY_OFFICE_ID,
                    "昆明市安全生产委员会办公室",
                    UnitKind::SafetyOffice,
                    Some(CITY_GOVERNMENT_ID),
                    None,
                ),
            ] {
                insert_government(
                    self,
                    NewUnit {
                        unit_id: id.into(),
                        name: name.into(),
                        kind,
                        parent_id: parent.map(str::to_string),
                        county_id: None,
                        area_code: area.map(str::to_string),
                        life: Life::since_regime_start(),
                    },
                )
                .await;
            }
        }
        City {
            government: stored(self, CITY_GOVERNMENT_ID).await,
            office: stored(self, CITY_OFFICE_ID).await,
        }
    }

    /// A county-level area of Kunming by its name (`五华区`, `高新区`): its government (or
    /// management committee) and its safety committee office, below the city.
    pub async fn county(&self, area: &str) -> County<'_> {
        self.city().await;
        let &(code, _, committee) = COUNTY_AREAS
            .iter()
            .find(|a| a.1 == area)
            .unwrap_or_else(|| panic!("{area} is not a county-level area of Kunming"));
        let id = app::ssr::db::new_id();
        let (kind, name) = if committee {
            (UnitKind::ManagementCommittee, format!("{area}管委会"))
        } else {
            (UnitKind::CountyGovernment, format!("{area}人民政府"))
        };
        let government = insert_government(
            self,
            NewUnit {
                unit_id: id.clone(),
                name,
                kind,
                parent_id: Some(CITY_GOVERNMENT_ID.into()),
                county_id: Some(id.clone()),
                area_code: Some(code.into()),
                life: Life::since_regime_start(),
            },
        )
        .await;
        let office = create_unit(
            self,
            raw(
                &format!("{area}安全生产委员会办公室"),
                UnitKind::SafetyOffice,
                &government,
            ),
        )
        .await;
        County {
            app: self,
            government,
            office,
        }
    }

    /// A logged-in account in `unit` with the role that unit's staff have (enterprise filer,
    /// department, township, county or city office staff).
    pub async fn account_in(&self, unit: &Unit) -> Account {
        let role = match unit.kind {
            UnitKind::Enterprise => Role::EnterpriseFiler,
            UnitKind::Department => Role::DepartmentStaff,
            UnitKind::Township => Role::TownshipStaff,
            UnitKind::SafetyOffice if unit.county_id.is_some() => Role::CountyOfficeStaff,
            UnitKind::SafetyOffice => Role::CityOfficeStaff,
            kind => panic!("nobody works in a {kind:?} (its office files for it)"),
        };
        self.account_as(unit, role).await
    }

    /// A logged-in administrator (in the city office).
    pub async fn admin(&self) -> Account {
        let city = self.city().await;
        self.account_as(&city.office, Role::Administrator).await
    }

    /// A logged-in account in `unit` with `role`, created as the admin page creates it.
    pub async fn account_as(&self, unit: &Unit, role: Role) -> Account {
        static N: AtomicUsize = AtomicUsize::new(1);
        let prefix = match role {
            Role::EnterpriseFiler => "qiye",
            Role::DepartmentStaff => "bumen",
            Role::TownshipStaff => "jiedao",
            Role::CountyOfficeStaff => "quxian",
            Role::CityOfficeStaff => "shi",
            Role::Administrator => "admin",
        };
        let username = format!("{prefix}{}", N.fetch_add(1, Ordering::SeqCst));
        let display_name = format!("{} {username}", unit.name);
        let password = format!("{username}-pass");
        let input = UserInput::parse(
            &self.db,
            &username,
            &display_name,
            &unit.id,
            role.code(),
            &password,
        )
        .await
        .unwrap_or_else(|e| panic!("{username} in {}: {e:?}", unit.name));
        let user_id = admin::create_user(&self.db, &self.clock, None, input)
            .await
            .unwrap();
        let client = self.browser();
        self.try_fn(&client, login_args(&username, &password))
            .await
            .unwrap_or_else(|e| panic!("{username} logs in: {e:?}"));
        Account {
            user_id,
            username,
            display_name,
            password,
            role,
            unit: unit.clone(),
            client,
        }
    }
}

impl County<'_> {
    /// A county-level department supervising `industries` (codes, e.g. `chemical`).
    pub async fn department(&self, name: &str, industries: &[&str]) -> Unit {
        let mut r = raw(name, UnitKind::Department, &self.government);
        r.industries = industries.iter().map(|i| i.to_string()).collect();
        create_unit(self.app, r).await
    }

    /// A township (乡镇、街道).
    pub async fn township(&self, name: &str) -> Unit {
        create_unit(self.app, raw(name, UnitKind::Township, &self.government)).await
    }

    /// An enterprise in `industry` (a code), in `township` if given.
    pub async fn enterprise(&self, name: &str, industry: &str, township: Option<&Unit>) -> Unit {
        let mut r = raw(name, UnitKind::Enterprise, &self.government);
        r.industry = industry.into();
        r.township_id = township.map(|t| t.id.clone()).unwrap_or_default();
        r.address = format!("{}{}1 号", self.government.name, name);
        r.legal_representative = "赵建国".into();
        r.headcount = "50".into();
        create_unit(self.app, r).await
    }
}

/// The reporting chain most tests walk: 五华区 with 华山街道, 五华区安全生产监督管理局
/// supervising chemicals and non-coal mines, and 昆明华山化工有限公司 (chemicals, in 华山街道).
pub struct Wuhua<'a> {
    pub county: County<'a>,
    pub town: Unit,
    pub ajj: Unit,
    pub firm: Unit,
}

/// The industries 五华区安全生产监督管理局 supervises in [`Wuhua`].
pub const AJJ_INDUSTRIES: [&str; 2] = ["chemical", "non_coal_mine"];

impl TestApp {
    /// See [`Wuhua`].
    pub async fn wuhua(&self) -> Wuhua<'_> {
        let county = self.county("五华区").await;
        let town = county.township("华山街道").await;
        let ajj = county
            .department("五华区安全生产监督管理局", &AJJ_INDUSTRIES)
            .await;
        let firm = county
            .enterprise("昆明华山化工有限公司", "chemical", Some(&town))
            .await;
        Wuhua {
            county,
            town,
            ajj,
            firm,
        }
    }
}
