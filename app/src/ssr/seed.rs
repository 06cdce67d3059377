//! The demo data set (`nilfiling seed-demo`; also loaded by the README run command on an
//! empty database).
//!
//! The real county-level areas of Kunming with their safety committee offices; supervising
//! departments covering all sixteen industries in four areas; a few townships; about two
//! hundred enterprises; one demo account per role.呈贡区 gets enterprises but no
//! departments, so the coverage gap (无盲区) has something to show.

use crate::domain::time::Clock;
use crate::domain::unit::{Role, UnitKind, COUNTY_AREAS, INDUSTRIES};
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::auth::hash_password;
use crate::ssr::db::Db;
use crate::ssr::units::{
    insert_department_industry, insert_enterprise, insert_unit, unit_exists, EnterpriseDetails,
    NewUnit,
};
use crate::ssr::users::{insert_user, NewUser};

/// The password of every demo account (documented in README.md).
pub const DEMO_PASSWORD: &str = "demo1234";

pub const CITY_GOVERNMENT_ID: &str = "city";
pub const CITY_OFFICE_ID: &str = "city-office";

/// The demo accounts: (username, display name, role, unit id).
pub const DEMO_ACCOUNTS: [(&str, &str, Role, &str); 6] = [
    ("admin", "系统管理员", Role::Administrator, CITY_OFFICE_ID),
    (
        "city",
        "市安委办 张敏",
        Role::CityOfficeStaff,
        CITY_OFFICE_ID,
    ),
    (
        "wuhua",
        "五华区安委办 李强",
        Role::CountyOfficeStaff,
        "county-530102-office",
    ),
    (
        "wuhua-ajj",
        "五华区安监局 王芳",
        Role::DepartmentStaff,
        "county-530102-dept-ajj",
    ),
    (
        "qiye",
        "华山化工 赵磊",
        Role::EnterpriseFiler,
        DEMO_ENTERPRISE_ID,
    ),
    (
        "huashan",
        "华山街道 周红梅",
        Role::TownshipStaff,
        "county-530102-town-0",
    ),
];

/// The demo enterprise: a chemicals company in 五华区, 华山街道, supervised by 五华区安监局.
pub const DEMO_ENTERPRISE_ID: &str = "ent-530102-demo";

/// Areas that get departments, townships and most enterprises.
const COVERED_AREAS: [&str; 4] = ["530102", "530111", "530181", "530112"];
/// An area with enterprises but no departments: a visible gap in coverage.
const GAP_AREA: &str = "530114";

/// County-level departments by 2010 naming: (tag, name suffix, industries supervised).
const DEPARTMENTS: [(&str, &str, &[&str]); 8] = [
    (
        "ajj",
        "安全生产监督管理局",
        &[
            "coal_mine",
            "non_coal_mine",
            "chemical",
            "petroleum",
            "nonferrous_metallurgy",
            "building_materials",
            "light_industry",
            "textile",
            "civil_explosives",
        ],
    ),
    ("zjj", "住房和城乡建设局", &["construction"]),
    ("jj", "公安交通警察大队", &["road_traffic"]),
    ("xf", "公安消防大队", &["fire"]),
    ("zj", "质量技术监督局", &["special_equipment"]),
    ("nj", "农业机械管理局", &["agricultural_machinery"]),
    ("sw", "水务局", &["water_conservancy"]),
    ("ly", "旅游局", &["tourism"]),
];

fn townships(area: &str) -> &'static [&'static str] {
    match area {
        "530102" => &["华山街道", "护国街道", "大观街道", "龙翔街道", "丰宁街道"],
        "530111" => &["关上街道", "太和街道", "金马街道", "小板桥街道"],
        "530181" => &["连然街道", "太平新城街道", "八街街道", "县街街道"],
        "530112" => &["前卫街道", "福海街道", "碧鸡街道", "海口街道"],
        "530114" => &["龙城街道", "吴家营街道"],
        _ => &[],
    }
}

const NAME_WORDS: [&str; 24] = [
    "华山", "金马", "滇源", "春城", "恒达", "鑫盛", "宏远", "云岭", "翠湖", "长虹", "瑞丰", "泰安",
    "永兴", "顺通", "安泰", "嘉和", "兴达", "盛世", "博远", "祥云", "东升", "腾飞", "明珠", "卓越",
];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "建国", "志强", "丽华", "海燕", "国华", "明", "红梅", "伟", "春林", "玉兰", "晓东", "金凤",
];

fn industry_suffix(code: &str) -> &'static str {
    match code {
        "coal_mine" => "煤业有限公司",
        "non_coal_mine" => "矿业有限公司",
        "chemical" => "化工有限公司",
        "petroleum" => "石油销售有限公司",
        "construction" => "建筑工程有限公司",
        "road_traffic" => "运输有限公司",
        "fire" => "商贸城有限公司",
        "nonferrous_metallurgy" => "冶金有限公司",
        "special_equipment" => "电梯工程有限公司",
        "building_materials" => "建材有限公司",
        "agricultural_machinery" => "农机服务有限公司",
        "water_conservancy" => "水利水电工程有限公司",
        "tourism" => "旅游开发有限公司",
        "light_industry" => "食品有限公司",
        "textile" => "纺织有限公司",
        "civil_explosives" => "民用爆破器材有限公司",
        _ => "有限公司",
    }
}

/// A deterministic pseudo-random sequence, so the demo data is the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound
    }
}

/// What seeding did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub skipped: bool,
    pub units: usize,
    pub enterprises: usize,
    pub users: usize,
}

fn county_id(code: &str) -> String {
    format!("county-{code}")
}

/// Loads the demo data set unless the database already has units. All in one transaction.
pub async fn seed_demo(db: &Db, clock: &Clock) -> Result<SeedReport, sqlx::Error> {
    if unit_exists(db).await? {
        return Ok(SeedReport {
            skipped: true,
            ..Default::default()
        });
    }
    let now = clock.now();
    let mut report = SeedReport::default();
    let mut tx = db.begin().await?;
    let mut units: Vec<NewUnit> = Vec::new();
    let add = |units: &mut Vec<NewUnit>,
               id: String,
               name: String,
               kind: UnitKind,
               parent: Option<String>,
               county: Option<String>,
               area: Option<String>| {
        units.push(NewUnit {
            unit_id: id,
            name,
            kind,
            parent_id: parent,
            county_id: county,
            area_code: area,
        });
    };

    add(
        &mut units,
        CITY_GOVERNMENT_ID.into(),
        "昆明市人民政府".into(),
        UnitKind::CityGovernment,
        None,
        None,
        Some("530100".into()),
    );
    add(
        &mut units,
        CITY_OFFICE_ID.into(),
        "昆明市安全生产委员会办公室".into(),
        UnitKind::SafetyOffice,
        Some(CITY_GOVERNMENT_ID.into()),
        None,
        None,
    );
    for (tag, suffix, _) in DEPARTMENTS.iter().take(3) {
        add(
            &mut units,
            format!("city-dept-{tag}"),
            format!("昆明市{suffix}"),
            UnitKind::Department,
            Some(CITY_GOVERNMENT_ID.into()),
            None,
            None,
        );
    }
    for (code, name, is_committee) in COUNTY_AREAS {
        let id = county_id(code);
        let (kind, gov_name) = if is_committee {
            (UnitKind::ManagementCommittee, format!("{name}管委会"))
        } else {
            (UnitKind::CountyGovernment, format!("{name}人民政府"))
        };
        add(
            &mut units,
            id.clone(),
            gov_name,
            kind,
            Some(CITY_GOVERNMENT_ID.into()),
            Some(id.clone()),
            Some(code.into()),
        );
        add(
            &mut units,
            format!("{id}-office"),
            format!("{name}安全生产委员会办公室"),
            UnitKind::SafetyOffice,
            Some(id.clone()),
            Some(id.clone()),
            None,
        );
        if COVERED_AREAS.contains(&code) {
            let short = name.trim_end_matches(['区', '市', '县']);
            for (tag, suffix, _) in DEPARTMENTS {
                add(
                    &mut units,
                    format!("{id}-dept-{tag}"),
                    format!(
                        "{short}{}{suffix}",
                        if name.ends_with('市') { "市" } else { "区" }
                    ),
                    UnitKind::Department,
                    Some(id.clone()),
                    Some(id.clone()),
                    None,
                );
            }
        }
        for (i, township) in townships(code).iter().enumerate() {
            add(
                &mut units,
                format!("{id}-town-{i}"),
                (*township).into(),
                UnitKind::Township,
                Some(id.clone()),
                Some(id.clone()),
                None,
            );
        }
    }
    for unit in &units {
        insert_unit(&mut tx, unit, now).await?;
    }
    report.units = units.len();
    for (code, _, _) in COUNTY_AREAS {
        if COVERED_AREAS.contains(&code) {
            for (tag, _, industries) in DEPARTMENTS {
                for industry in industries {
                    insert_department_industry(
                        &mut tx,
                        &format!("{}-dept-{tag}", county_id(code)),
                        industry,
                    )
                    .await?;
                }
            }
        }
    }
    for (tag, _, industries) in DEPARTMENTS.iter().take(3) {
        for industry in industries.iter() {
            insert_department_industry(&mut tx, &format!("city-dept-{tag}"), industry).await?;
        }
    }

    // Enterprises: the demo one first, then about two hundred spread over areas and industries.
    let mut rng = Lcg(2010_0429);
    let mut enterprises: Vec<(NewUnit, EnterpriseDetails)> = vec![(
        NewUnit {
            unit_id: DEMO_ENTERPRISE_ID.into(),
            name: "昆明华山化工有限公司".into(),
            kind: UnitKind::Enterprise,
            parent_id: Some(county_id("530102")),
            county_id: Some(county_id("530102")),
            area_code: None,
        },
        EnterpriseDetails {
            township_id: Some(format!("{}-town-0", county_id("530102"))),
            industry_code: "chemical".into(),
            address: "昆明市五华区华山西路 18 号".into(),
            legal_representative: "赵建国".into(),
            headcount: 126,
        },
    )];
    let areas: Vec<&str> = COVERED_AREAS.iter().copied().chain([GAP_AREA]).collect();
    let mut used_names = std::collections::HashSet::new();
    used_names.insert(("530102".to_string(), "昆明华山化工有限公司".to_string()));
    let mut n = 0;
    while enterprises.len() < 200 {
        n += 1;
        // The gap area gets one enterprise in twenty.
        let area = if n % 20 == 0 {
            GAP_AREA
        } else {
            areas[rng.next(COVERED_AREAS.len())]
        };
        let (industry, _, _) = INDUSTRIES[rng.next(INDUSTRIES.len())];
        let area_name = COUNTY_AREAS
            .iter()
            .find(|a| a.0 == area)
            .map(|a| a.1)
            .unwrap_or_default();
        let word = NAME_WORDS[rng.next(NAME_WORDS.len())];
        let name = format!("昆明{word}{}", industry_suffix(industry));
        if !used_names.insert((area.to_string(), name.clone())) {
            continue;
        }
        let towns = townships(area);
        let town_index = rng.next(towns.len().max(1));
        let legal = format!(
            "{}{}",
            SURNAMES[rng.next(SURNAMES.len())],
            GIVEN[rng.next(GIVEN.len())]
        );
        let headcount = [8, 15, 36, 60, 95, 120, 240, 310, 580][rng.next(9)] as i64;
        let id = format!("ent-{area}-{n:03}");
        enterprises.push((
            NewUnit {
                unit_id: id,
                name,
                kind: UnitKind::Enterprise,
                parent_id: Some(county_id(area)),
                county_id: Some(county_id(area)),
                area_code: None,
            },
            EnterpriseDetails {
                township_id: (!towns.is_empty())
                    .then(|| format!("{}-town-{town_index}", county_id(area))),
                industry_code: industry.into(),
                address: format!(
                    "昆明市{area_name}{}{}号",
                    towns.get(town_index).copied().unwrap_or(""),
                    1 + rng.next(300)
                ),
                legal_representative: legal,
                headcount,
            },
        ));
    }
    for (unit, details) in &enterprises {
        insert_unit(&mut tx, unit, now).await?;
        insert_enterprise(&mut tx, &unit.unit_id, details).await?;
    }
    report.units += enterprises.len();
    report.enterprises = enterprises.len();

    let hash = hash_password(DEMO_PASSWORD)
        .map_err(|_| sqlx::Error::Protocol("password hashing failed".into()))?;
    for (username, display_name, role, unit_id) in DEMO_ACCOUNTS {
        let user = NewUser {
            user_id: crate::ssr::db::new_id(),
            username: username.into(),
            display_name: display_name.into(),
            unit_id: unit_id.into(),
            role,
            password_hash: hash.clone(),
        };
        insert_user(&mut tx, &user, now).await?;
        report.users += 1;
    }
    audit::record(&mut tx, AuditEntry {
        at: now,
        actor: None,
        action: "system.seed_demo",
        subject_kind: "system",
        subject_id: "demo",
        before: None,
        after: Some(serde_json::json!({ "units": report.units, "enterprises": report.enterprises, "users": report.users })),
    })
    .await?;
    tx.commit().await?;
    Ok(report)
}
