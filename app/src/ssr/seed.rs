//! The demo data set (`nilfiling seed-demo`; also loaded by the README run command on an
//! empty database).
//!
//! The real county-level areas of Kunming with their safety committee offices; supervising
//! departments covering all sixteen industries in four areas; a few townships; about two
//! hundred enterprises; one demo account per role.呈贡区 gets enterprises but no
//! departments, so the coverage gap (无盲区) has something to show.

use crate::domain::lifecycle::Life;
use crate::domain::time::Clock;
use crate::domain::unit::{Role, UnitKind, COUNTY_AREAS, INDUSTRIES};
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::auth::hash_password;
use crate::ssr::db::parse_code;
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
///
/// Guard: the fixed unit ids (primary keys): of two seeds at once the second fails on a unique
/// violation and rolls back whole (`Application::build` takes it as skipped); the
/// `unit_exists` read is only a shortcut.
#[tracing::instrument(skip(db, clock))]
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
            life: Life::since_regime_start(),
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
            life: Life::since_regime_start(),
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
                life: Life::since_regime_start(),
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
    for (i, (unit, details)) in enterprises.iter().enumerate() {
        insert_unit(&mut tx, unit, now).await?;
        insert_enterprise(&mut tx, &unit.unit_id, details).await?;
        // A unified social credit code (GB 32100—2015) with a valid check character, so the
        // demo's registry exports and imports again as it is.
        let area = unit
            .county_id
            .as_deref()
            .and_then(|c| c.strip_prefix("county-"))
            .filter(|a| a.len() == 6)
            .unwrap_or("530100");
        let code = crate::domain::registry::CreditCode::complete(&format!("91{area}MA{i:07}"))
            .map(|c| c.as_str().to_string());
        sqlx::query("UPDATE enterprise SET credit_code = $1 WHERE unit_id = $2")
            .bind(code)
            .bind(&unit.unit_id)
            .execute(&mut *tx)
            .await?;
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

/// Explanations demo units give for rows answered 不落实.
const DEMO_EXPLANATIONS: [&str; 8] = [
    "安全管理人员调离，新任人员尚未到岗，已报人事部门，下月内补齐。",
    "年度安全投入未足额提取，已列入下季度预算并报董事会审批。",
    "隐患排查台账未按季度更新，已责成安全科限期整改并复查。",
    "应急预案未组织演练，已制定演练计划，定于下月中旬实施。",
    "部分特种作业人员证书过期，已安排复审培训，月底前完成。",
    "重大危险源监控设备故障，已联系厂家维修，期间加强人工巡检。",
    "安全生产目标责任书尚未签订到班组，本月内完成签订。",
    "监管职责分工文件尚未印发，已提交局务会研究。",
];

/// What seeding the demo history did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct HistoryReport {
    pub periods: usize,
    pub filings: usize,
}

/// Loads past filings into a freshly seeded demo: for the last `periods` periods whose
/// windows closed before now, about four in five units filed, some with unmet rows (and an
/// explanation), some late under an exception granted in time. Where a demo account works in
/// the receiving unit, most filings were accepted and a few returned, so the demo roll-ups,
/// trend, history pages and report have something to show. Deterministic, one transaction.
///
/// Guard: run only by whoever's [`seed_demo`] committed; a second run fails whole on the
/// unique (unit_id, period_key, version) of its version-1 filings.
#[tracing::instrument(skip(db, clock))]
pub async fn seed_demo_history(
    db: &Db,
    clock: &Clock,
    periods: usize,
) -> Result<HistoryReport, sqlx::Error> {
    use crate::domain::filing::{binding_kind, FilingStatus};
    use crate::domain::forms::Answer;
    use crate::domain::period::Period;
    use crate::domain::review::Decision;
    use crate::domain::time::start_of_kunming_day;
    use crate::ssr::db::{new_id, ts};
    use chrono::Duration;

    let now = clock.now();
    let mut past: Vec<Period> =
        std::iter::successors(Some(Period::latest_closed(now)), |p| Some(p.previous()))
            .take(periods)
            .collect();
    past.reverse();

    // Who reviews for whom, where a demo account exists: (receiving unit, user id).
    let users: Vec<UnitAccount> = sqlx::query_as("SELECT unit_id, user_id FROM app_user")
        .fetch_all(db)
        .await?;
    let user_of = |unit: &str| {
        users
            .iter()
            .find(|a| a.unit_id == unit)
            .map(|a| a.user_id.clone())
    };
    let units: Vec<FilingUnit> = sqlx::query_as(
        "SELECT n.unit_id, n.kind, n.county_id, e.industry_code FROM unit n LEFT JOIN enterprise e ON e.unit_id = n.unit_id \
         WHERE n.kind IN ($1, $2, $3, $4, $5) ORDER BY n.unit_id",
    )
    .bind(UnitKind::CountyGovernment.code())
    .bind(UnitKind::ManagementCommittee.code())
    .bind(UnitKind::Department.code())
    .bind(UnitKind::Township.code())
    .bind(UnitKind::Enterprise.code())
    .fetch_all(db)
    .await?;
    let dept_industries: Vec<DepartmentIndustry> = sqlx::query_as(
        "SELECT d.unit_id, d.industry_code, n.county_id FROM department_industry d JOIN unit n ON n.unit_id = d.unit_id",
    )
    .fetch_all(db)
    .await?;
    // The reviewer of a unit's filing: the receiving unit's demo account, if any.
    let reviewer = |kind: UnitKind,
                    county: Option<&str>,
                    industry: Option<&str>|
     -> Option<(String, String)> {
        let receiving = match kind {
            UnitKind::Enterprise => dept_industries
                .iter()
                .find(|d| {
                    Some(d.industry_code.as_str()) == industry && d.county_id.as_deref() == county
                })
                .map(|d| d.unit_id.clone())?,
            UnitKind::Department | UnitKind::Township => format!("{}-office", county?),
            _ => CITY_OFFICE_ID.to_string(),
        };
        user_of(&receiving).map(|u| (receiving, u))
    };

    let mut rng = Lcg(20100107);
    let mut report = HistoryReport {
        periods: past.len(),
        ..Default::default()
    };
    let mut tx = crate::ssr::db::begin_write(db).await?;
    for period in &past {
        let first = start_of_kunming_day(period.window_first_day());
        for FilingUnit {
            unit_id,
            kind,
            county_id: county,
            industry_code: industry,
        } in &units
        {
            let kind = parse_code("kind", kind, UnitKind::parse)?;
            if rng.next(100) >= 82 {
                continue; // did not file
            }
            let review = reviewer(kind, county.as_deref(), industry.as_deref());
            let late = review.is_some() && rng.next(100) < 8;
            let at = if late {
                first + Duration::days(11 + rng.next(6) as i64) + Duration::hours(9)
            } else {
                first
                    + Duration::days(rng.next(10) as i64)
                    + Duration::hours(9 + rng.next(8) as i64)
            };
            if at > now {
                continue; // a late filer that has not filed yet: history never runs past now
            }
            let binding = binding_kind(kind);
            let rows: Vec<&str> = crate::domain::forms::binding_rows(binding)
                .map(|r| r.id)
                .collect();
            let unmet: Vec<&str> = if rng.next(100) < 35 {
                (0..1 + rng.next(3))
                    .map(|_| rows[rng.next(rows.len())])
                    .collect()
            } else {
                vec![]
            };
            // Reviewed two days after filing, where that day has come.
            let reviewed_at = at + Duration::days(2);
            let status = match &review {
                None => FilingStatus::Submitted,
                Some(_) => match rng.next(100) {
                    _ if reviewed_at > now => FilingStatus::Submitted,
                    0..=79 => FilingStatus::Accepted,
                    80..=86 => FilingStatus::Returned,
                    _ => FilingStatus::Submitted,
                },
            };
            let updated_at = if status == FilingStatus::Submitted {
                at
            } else {
                reviewed_at
            };
            let filing_id = new_id();
            let kunming_day = crate::domain::time::kunming_date(at).to_string();
            sqlx::query(
                "INSERT INTO filing (filing_id, unit_id, period_key, version, status, late, principal, leader_in_charge, filled_by, reviewed_by, phone, \
                 filing_date, nil, created_at, updated_at, submitted_at) VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13)",
            )
            .bind(&filing_id)
            .bind(unit_id)
            .bind(period.key())
            .bind(status.code())
            .bind(late as i64)
            .bind(format!("{}{}", SURNAMES[rng.next(12)], GIVEN[rng.next(12)]))
            .bind(format!("{}{}", SURNAMES[rng.next(12)], GIVEN[rng.next(12)]))
            .bind(format!("{}{}", SURNAMES[rng.next(12)], GIVEN[rng.next(12)]))
            .bind(format!("{}{}", SURNAMES[rng.next(12)], GIVEN[rng.next(12)]))
            .bind(format!("0871-6{:07}", rng.next(10_000_000)))
            .bind(&kunming_day)
            .bind(unmet.is_empty() as i64)
            .bind(ts(at))
            .bind(ts(updated_at))
            .execute(&mut *tx)
            .await?;
            for row in &rows {
                let not_done = unmet.contains(row);
                sqlx::query("INSERT INTO filing_answer (filing_id, row_id, answer, explanation) VALUES ($1, $2, $3, $4)")
                    .bind(&filing_id)
                    .bind(*row)
                    .bind(if not_done { Answer::NotDone } else { Answer::Done }.code())
                    .bind(if not_done { DEMO_EXPLANATIONS[rng.next(DEMO_EXPLANATIONS.len())] } else { "" })
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some((receiving, user)) = &review {
                if late {
                    sqlx::query(
                        "INSERT INTO late_exception (unit_id, period_key, granted_by, reason, valid_until, granted_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(unit_id)
                    .bind(period.key())
                    .bind(user)
                    .bind("申报期间主要负责人外出，经审核同意补报。")
                    .bind(ts(start_of_kunming_day(period.window_last_day()) + Duration::days(8)))
                    .bind(ts(start_of_kunming_day(period.window_last_day()) + Duration::days(1)))
                    .execute(&mut *tx)
                    .await?;
                }
                if status != FilingStatus::Submitted {
                    sqlx::query(
                        "INSERT INTO filing_review (filing_review_id, filing_id, decision, reason, reviewer_unit_id, reviewed_by, reviewed_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(new_id())
                    .bind(&filing_id)
                    .bind(if status == FilingStatus::Accepted { Decision::Accept } else { Decision::Return }.code())
                    .bind(if status == FilingStatus::Accepted { "" } else { "申报表信息不完整，请核实后重新报送。" })
                    .bind(receiving)
                    .bind(user)
                    .bind(ts(reviewed_at))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            report.filings += 1;
        }
    }
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: None,
            action: "system.seed_demo_history",
            subject_kind: "system",
            subject_id: "demo",
            before: None,
            after: Some(serde_json::json!({
                "periods": past.iter().map(|p| p.key()).collect::<Vec<_>>(),
                "filings": report.filings,
            })),
        },
    )
    .await?;
    // The history's filings were written directly: count them (and everything) once.
    crate::ssr::counts::rebuild(&mut tx)
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("counting the demo history: {e}")))?;
    tx.commit().await?;
    Ok(report)
}

/// An account's unit, as the demo history reads it.
#[derive(sqlx::FromRow)]
struct UnitAccount {
    unit_id: String,
    user_id: String,
}

/// A unit that files, with what decides where its filing goes.
#[derive(sqlx::FromRow)]
struct FilingUnit {
    unit_id: String,
    kind: String,
    county_id: Option<String>,
    industry_code: Option<String>,
}

/// An industry a department supervises, with the department's county.
#[derive(sqlx::FromRow)]
struct DepartmentIndustry {
    unit_id: String,
    industry_code: String,
    county_id: Option<String>,
}
