//! Datasets: 10k or 100k enterprises in the demo's shape, with two periods of filings.
//!
//! A dataset starts as the demo (`nilfiling seed-demo` on an empty database: migrations, the
//! demo's units and accounts, three past periods), then gets, in large transactions of
//! multi-row INSERTs: departments and townships in every county (but the demo's coverage gap
//! 呈贡区, which keeps no departments), one reviewer account per department, the enterprises
//! (industry, county, township), accounts for the enterprises that take part in the burst
//! and login runs, and filings of the closed period 2026-H1 (about 85% filed: accepted,
//! returned, some amended as version 2, submitted; some late under an exception; about 30%
//! with unmet rows and their explanations) and of the current period 2026-Y (40% of the
//! enterprises outside the burst accounts have filed already). Audit records are not made
//! for the loaded filings (the demo history does not make them either).
//!
//! Prepared datasets are kept (`bench/work/dataset-<scale>.db`, PostgreSQL `nilbench_<scale>`)
//! with a `bench_meta` row naming the generator version and the migrations they were made
//! with; a run that writes works on a copy (see `common::fresh_copy`).

use crate::common::*;
use sqlx::AnyPool;
use std::collections::HashMap;

/// Bump when the generated data changes.
const GENERATOR_VERSION: &str = "1";

/// Enterprises `bent-000000` … below this have an account (`be<n>`, cheap password hash) and
/// no filing for the current period: three sets of 2,000 (API burst at 32 and at 16 clients,
/// no-JS pages).
pub const BURST_ACCOUNTS: usize = 6_000;
/// Accounts with the app's own argon2 parameters, for the login row (`bl<n>`).
pub const LOGIN_ACCOUNTS: usize = 2_000;

/// The demo's county departments: (tag, name suffix, industries), as in app/src/ssr/seed.rs.
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

const INDUSTRIES: [(&str, &str); 16] = [
    ("coal_mine", "煤业有限公司"),
    ("non_coal_mine", "矿业有限公司"),
    ("chemical", "化工有限公司"),
    ("petroleum", "石油销售有限公司"),
    ("construction", "建筑工程有限公司"),
    ("road_traffic", "运输有限公司"),
    ("fire", "商贸城有限公司"),
    ("nonferrous_metallurgy", "冶金有限公司"),
    ("special_equipment", "电梯工程有限公司"),
    ("building_materials", "建材有限公司"),
    ("agricultural_machinery", "农机服务有限公司"),
    ("water_conservancy", "水利水电工程有限公司"),
    ("tourism", "旅游开发有限公司"),
    ("light_industry", "食品有限公司"),
    ("textile", "纺织有限公司"),
    ("civil_explosives", "民用爆破器材有限公司"),
];

const WORDS: [&str; 24] = [
    "华山", "金马", "滇源", "春城", "恒达", "鑫盛", "宏远", "云岭", "翠湖", "长虹", "瑞丰", "泰安",
    "永兴", "顺通", "安泰", "嘉和", "兴达", "盛世", "博远", "祥云", "东升", "腾飞", "明珠", "卓越",
];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "建国", "志强", "丽华", "海燕", "国华", "明", "红梅", "伟", "春林", "玉兰", "晓东", "金凤",
];
const EXPLANATIONS: [&str; 6] = [
    "安全管理人员调离，新任人员尚未到岗，已报人事部门，下月内补齐。",
    "年度安全投入未足额提取，已列入下季度预算并报董事会审批。",
    "隐患排查台账未按季度更新，已责成安全科限期整改并复查。",
    "应急预案未组织演练，已制定演练计划，定于下月中旬实施。",
    "部分特种作业人员证书过期，已安排复审培训，月底前完成。",
    "重大危险源监控设备故障，已联系厂家维修，期间加强人工巡检。",
];
/// The demo's coverage gap: no departments there.
const GAP_COUNTY: &str = "county-530114";

/// A deterministic pseudo-random sequence.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

/// An SQL string literal.
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Collects rows of one table and inserts them 1,000 at a time.
struct Bulk {
    head: String,
    rows: Vec<String>,
    total: usize,
    /// Rows kept before an INSERT goes out (held rows are flushed by the caller).
    batch: usize,
}

impl Bulk {
    fn new(table: &str, columns: &str) -> Self {
        Bulk {
            head: format!("INSERT INTO {table} ({columns}) VALUES "),
            rows: Vec::new(),
            total: 0,
            batch: 1000,
        }
    }

    /// Rows flushed only by the caller (so that rows referring to them go out after them).
    fn held(mut self) -> Self {
        self.batch = usize::MAX;
        self
    }

    async fn push(&mut self, conn: &mut sqlx::AnyConnection, values: String) -> Res<()> {
        self.rows.push(format!("({values})"));
        if self.rows.len() >= self.batch {
            self.flush(conn).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, conn: &mut sqlx::AnyConnection) -> Res<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql = format!("{}{}", self.head, self.rows.join(", "));
        sqlx::raw_sql(&sql)
            .execute(&mut *conn)
            .await
            .map_err(err(&self.head))?;
        self.total += self.rows.len();
        self.rows.clear();
        Ok(())
    }
}

/// The dataset of a database kind and scale (prepared on first use, then reused).
pub fn dataset(env: &Env, kind: DbKind, scale: Scale) -> Database {
    match kind {
        DbKind::Sqlite => {
            let path = env.work().join(format!("dataset-{}.db", scale.name()));
            Database {
                kind,
                url: sqlite_url(&path),
                name: path.display().to_string(),
            }
        }
        DbKind::Postgres => {
            let name = format!("nilbench_{}", scale.name());
            Database {
                kind,
                url: format!("{}/{name}", env.pg_server),
                name,
            }
        }
    }
}

/// What a dataset is made of: the generator version and the migrations it was made with.
fn fingerprint(env: &Env, scale: Scale) -> String {
    let mut migrations: Vec<String> = std::fs::read_dir(env.repo.join("migrations"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    migrations.sort();
    format!(
        "generator {GENERATOR_VERSION}; {} enterprises; migrations {}{}",
        scale.enterprises(),
        migrations.join(","),
        // Made again once the binary can rebuild the roll-up counters.
        if has_rebuild_rollups(env) {
            "; rebuild-rollups"
        } else {
            ""
        }
    )
}

async fn stored_fingerprint(db: &Database) -> Option<String> {
    if db.kind == DbKind::Sqlite && !std::path::Path::new(&db.name).exists() {
        return None;
    }
    let p = pool(&db.url, 1).await.ok()?;
    let row: Option<(String,)> =
        sqlx::query_as("SELECT value FROM bench_meta WHERE name = 'fingerprint'")
            .fetch_optional(&p)
            .await
            .ok()
            .flatten();
    p.close().await;
    row.map(|r| r.0)
}

/// Prepares the dataset unless a prepared one with the same fingerprint exists.
pub async fn ensure(env: &Env, kind: DbKind, scale: Scale) -> Res<Database> {
    let db = dataset(env, kind, scale);
    let want = fingerprint(env, scale);
    if stored_fingerprint(&db).await.as_deref() == Some(want.as_str()) {
        println!("dataset {} {}: prepared already", kind.name(), scale.name());
        return Ok(db);
    }
    let started = std::time::Instant::now();
    println!("dataset {} {}: preparing", kind.name(), scale.name());
    std::fs::create_dir_all(env.work()).map_err(err("bench/work"))?;
    match kind {
        DbKind::Sqlite => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.name));
            }
        }
        DbKind::Postgres => {
            pg_admin(
                env,
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name),
            )
            .await?;
        }
    }
    // Migrations and the demo, by the app itself.
    let out = std::process::Command::new(&env.binary)
        .args(["seed-demo", "--clock", CLOCK])
        .env("DATABASE_URL", &db.url)
        .env("NILFILING_LOG", "warn")
        .output()
        .map_err(err("nilfiling seed-demo"))?;
    if !out.status.success() {
        return Err(format!(
            "nilfiling seed-demo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    print!("  {}", String::from_utf8_lossy(&out.stdout));
    let p = pool(&db.url, 1).await?;
    load(&p, scale).await?;
    p.close().await;
    rebuild_rollups(env, &db)?;
    let p = pool(&db.url, 1).await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS bench_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )
    .execute(&p)
    .await
    .map_err(err("bench_meta"))?;
    sqlx::query("DELETE FROM bench_meta")
        .execute(&p)
        .await
        .map_err(err("bench_meta"))?;
    sqlx::query("INSERT INTO bench_meta (name, value) VALUES ('fingerprint', $1)")
        .bind(&want)
        .execute(&p)
        .await
        .map_err(err("bench_meta"))?;
    match kind {
        DbKind::Sqlite => {
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&p)
                .await
                .map_err(err("checkpoint"))?;
        }
        DbKind::Postgres => {
            sqlx::raw_sql("VACUUM ANALYZE")
                .execute(&p)
                .await
                .map_err(err("analyze"))?;
        }
    }
    p.close().await;
    println!(
        "dataset {} {}: prepared in {:.0} s",
        kind.name(),
        scale.name(),
        started.elapsed().as_secs_f64()
    );
    Ok(db)
}

/// `nilfiling rebuild-rollups`, when the binary has that command (roll-up counters).
/// Whether the binary has the `rebuild-rollups` command.
fn has_rebuild_rollups(env: &Env) -> bool {
    std::process::Command::new(&env.binary)
        .arg("--help")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("rebuild-rollups"))
        .unwrap_or(false)
}

pub fn rebuild_rollups(env: &Env, db: &Database) -> Res<()> {
    if !has_rebuild_rollups(env) {
        println!("  note: this nilfiling has no rebuild-rollups command; skipped");
        return Ok(());
    }
    let out = std::process::Command::new(&env.binary)
        .args(["rebuild-rollups", "--clock", CLOCK])
        .env("DATABASE_URL", &db.url)
        .env("NILFILING_LOG", "warn")
        .output()
        .map_err(err("nilfiling rebuild-rollups"))?;
    if !out.status.success() {
        return Err(format!(
            "nilfiling rebuild-rollups failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    println!(
        "  rebuild-rollups: {}",
        String::from_utf8_lossy(&out.stdout).trim()
    );
    Ok(())
}

/// One argon2id hash of [`PASSWORD`]: with the app's parameters (`real`), or cheap ones for
/// accounts whose logins are not what a run measures.
pub fn password_hash(real: bool) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::from_b64("bmlsYmVuY2hzYWx0MjAyNw").expect("salt");
    let argon = if real {
        argon2::Argon2::default()
    } else {
        argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(256, 1, 1, None).expect("params"),
        )
    };
    argon
        .hash_password(PASSWORD.as_bytes(), &salt)
        .expect("hash")
        .to_string()
}

/// The rows binding an enterprise, as the demo's enterprise filings answer them.
pub async fn enterprise_rows(p: &AnyPool) -> Res<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT a.row_id FROM filing_answer a JOIN filing f ON f.filing_id = a.filing_id \
         JOIN unit n ON n.unit_id = f.unit_id WHERE n.kind = 'enterprise' ORDER BY a.row_id",
    )
    .fetch_all(p)
    .await
    .map_err(err("enterprise rows"))?;
    if rows.is_empty() {
        return Err("the demo has no enterprise filings to read the rows from".into());
    }
    Ok(rows.into_iter().map(|r| r.0).collect())
}

fn ts(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn person(rng: &mut Lcg) -> String {
    format!("{}{}", SURNAMES[rng.next(12)], GIVEN[rng.next(12)])
}

async fn load(p: &AnyPool, scale: Scale) -> Res<()> {
    use chrono::{Duration, TimeZone, Utc};
    let rows = enterprise_rows(p).await?;
    let mut conn = p.acquire().await.map_err(err("connection"))?;
    let conn: &mut sqlx::AnyConnection = &mut conn;
    let now = ts(Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap());
    let counties: Vec<(String, String)> = sqlx::query_as(
        "SELECT unit_id, name FROM unit WHERE kind IN ('county_government', 'management_committee') ORDER BY unit_id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(err("counties"))?;
    let departments: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT unit_id, county_id FROM unit WHERE kind = 'department'")
            .fetch_all(&mut *conn)
            .await
            .map_err(err("departments"))?;
    let towns: Vec<(String, String)> = sqlx::query_as(
        "SELECT unit_id, county_id FROM unit WHERE kind = 'township' ORDER BY unit_id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(err("townships"))?;
    let covered: std::collections::HashSet<String> =
        departments.iter().filter_map(|d| d.1.clone()).collect();
    let townships_per_county = match scale {
        Scale::K10 => 6,
        Scale::K100 => 16,
    };
    let fast = password_hash(false);
    let real = password_hash(true);

    sqlx::raw_sql("BEGIN")
        .execute(&mut *conn)
        .await
        .map_err(err("begin"))?;
    // Departments and townships.
    let mut units = Bulk::new(
        "unit",
        "unit_id, name, kind, parent_id, county_id, area_code, created_at",
    );
    let mut dept_industry = Bulk::new("department_industry", "unit_id, industry_code");
    let mut town_of: HashMap<String, Vec<String>> = HashMap::new();
    for (t, c) in &towns {
        town_of.entry(c.clone()).or_default().push(t.clone());
    }
    // (county, industry) → receiving department.
    let existing_di: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT d.unit_id, d.industry_code, n.county_id FROM department_industry d JOIN unit n ON n.unit_id = d.unit_id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(err("department industries"))?;
    let mut receiver: HashMap<(String, String), String> = HashMap::new();
    for (d, i, c) in existing_di {
        if let Some(c) = c {
            receiver.insert((c, i), d);
        }
    }
    let mut new_departments = Vec::new();
    for (county, cname) in &counties {
        if !covered.contains(county) && county != GAP_COUNTY {
            for (tag, suffix, industries) in DEPARTMENTS {
                let id = format!("{county}-bdept-{tag}");
                units
                    .push(
                        conn,
                        format!(
                            "{}, {}, 'department', {}, {}, NULL, {}",
                            q(&id),
                            q(&format!("{cname}{suffix}")),
                            q(county),
                            q(county),
                            q(&now)
                        ),
                    )
                    .await?;
                for i in industries {
                    dept_industry
                        .push(conn, format!("{}, {}", q(&id), q(i)))
                        .await?;
                    receiver.insert((county.clone(), i.to_string()), id.clone());
                }
                new_departments.push(id);
            }
        }
        for i in 0..townships_per_county {
            let id = format!("{county}-btown-{i}");
            units
                .push(
                    conn,
                    format!(
                        "{}, {}, 'township', {}, {}, NULL, {}",
                        q(&id),
                        q(&format!("新区第{}街道", i + 1)),
                        q(county),
                        q(county),
                        q(&now)
                    ),
                )
                .await?;
            town_of.entry(county.clone()).or_default().push(id);
        }
    }
    units.flush(conn).await?;
    // The unit rows must exist before the department_industry rows that name them.
    dept_industry.flush(conn).await?;

    // One reviewer account per department.
    let mut users = Bulk::new(
        "app_user",
        "user_id, username, display_name, unit_id, role, password_hash, created_at",
    );
    let mut reviewer_of: HashMap<String, String> = HashMap::new();
    let all_departments: Vec<String> = departments
        .iter()
        .map(|d| d.0.clone())
        .chain(new_departments)
        .collect();
    for d in &all_departments {
        let uid = uuid::Uuid::now_v7().to_string();
        users
            .push(
                conn,
                format!(
                    "{}, {}, {}, {}, 'department_staff', {}, {}",
                    q(&uid),
                    q(&format!("bd-{d}")),
                    q(&format!("审核员 {d}")),
                    q(d),
                    q(&fast),
                    q(&now)
                ),
            )
            .await?;
        reviewer_of.insert(d.clone(), uid);
    }
    users.flush(conn).await?;

    // Enterprises.
    let n = scale.enterprises();
    let mut rng = Lcg(2027_0108);
    let mut enterprise = Bulk::new(
        "enterprise",
        "unit_id, township_id, industry_code, address, legal_representative, headcount",
    );
    // (unit id, county, industry)
    let mut ents: Vec<(String, String, &str)> = Vec::with_capacity(n);
    for i in 0..n {
        let (county, _) = &counties[rng.next(counties.len())];
        let (industry, suffix) = INDUSTRIES[rng.next(INDUSTRIES.len())];
        let id = format!("bent-{i:06}");
        units
            .push(
                conn,
                format!(
                    "{}, {}, 'enterprise', {}, {}, NULL, {}",
                    q(&id),
                    q(&format!("昆明{}{}{}号", WORDS[rng.next(24)], suffix, i)),
                    q(county),
                    q(county),
                    q(&now)
                ),
            )
            .await?;
        ents.push((id, county.clone(), industry));
    }
    units.flush(conn).await?;
    for (i, (id, county, industry)) in ents.iter().enumerate() {
        let ts_list = &town_of[county];
        let town = &ts_list[(i / 7) % ts_list.len()];
        enterprise
            .push(
                conn,
                format!(
                    "{}, {}, {}, {}, {}, {}",
                    q(id),
                    q(town),
                    q(industry),
                    q(&format!(
                        "昆明市{}路{}号",
                        WORDS[rng.next(24)],
                        1 + rng.next(500)
                    )),
                    q(&person(&mut rng)),
                    [8, 15, 36, 60, 95, 120, 240, 310, 580][rng.next(9)]
                ),
            )
            .await?;
    }
    enterprise.flush(conn).await?;

    // Accounts: the burst's enterprises (cheap hash) and the login row's (the app's hash).
    for (i, (id, _, _)) in ents.iter().enumerate().take(BURST_ACCOUNTS) {
        users
            .push(
                conn,
                format!(
                    "{}, {}, {}, {}, 'enterprise_filer', {}, {}",
                    q(&uuid::Uuid::now_v7().to_string()),
                    q(&format!("be{i}")),
                    q(&format!("填报员 {i}")),
                    q(id),
                    q(&fast),
                    q(&now)
                ),
            )
            .await?;
    }
    for (i, (id, _, _)) in ents.iter().enumerate().take(LOGIN_ACCOUNTS) {
        users
            .push(
                conn,
                format!(
                    "{}, {}, {}, {}, 'enterprise_filer', {}, {}",
                    q(&uuid::Uuid::now_v7().to_string()),
                    q(&format!("bl{i}")),
                    q(&format!("登录 {i}")),
                    q(id),
                    q(&real),
                    q(&now)
                ),
            )
            .await?;
    }
    users.flush(conn).await?;

    // Filings.
    let mut filing = Bulk::new(
        "filing",
        "filing_id, unit_id, period_key, version, status, late, principal, leader_in_charge, filled_by, reviewed_by, phone, filing_date, nil, created_at, updated_at, submitted_at",
    )
    .held();
    let mut answer = Bulk::new("filing_answer", "filing_id, row_id, answer, explanation").held();
    let mut review = Bulk::new(
        "filing_review",
        "filing_review_id, filing_id, decision, reason, reviewer_unit_id, reviewed_by, reviewed_at",
    )
    .held();
    let mut exception = Bulk::new(
        "late_exception",
        "unit_id, period_key, granted_by, reason, valid_until, granted_at",
    );
    // (period, window's first day at 09:00 Kunming, current?)
    let periods = [
        (
            CLOSED_PERIOD,
            Utc.with_ymd_and_hms(2026, 7, 1, 1, 0, 0).unwrap(),
            false,
        ),
        (
            CURRENT_PERIOD,
            Utc.with_ymd_and_hms(2027, 1, 1, 1, 0, 0).unwrap(),
            true,
        ),
    ];
    let mut filings = 0usize;
    for (period, first, current) in periods {
        for (i, (id, county, industry)) in ents.iter().enumerate() {
            let files = if current {
                i >= BURST_ACCOUNTS && rng.next(100) < 40
            } else {
                rng.next(100) < 85
            };
            if !files {
                continue;
            }
            let recv = receiver.get(&(county.clone(), industry.to_string()));
            let reviewer = recv.and_then(|d| reviewer_of.get(d).map(|u| (d, u)));
            let late = !current && reviewer.is_some() && rng.next(100) < 6;
            let at = if late {
                first
                    + Duration::days(11 + rng.next(5) as i64)
                    + Duration::hours(rng.next(8) as i64)
            } else if current {
                first + Duration::days(rng.next(7) as i64) + Duration::hours(rng.next(8) as i64)
            } else {
                first + Duration::days(rng.next(10) as i64) + Duration::hours(rng.next(8) as i64)
            };
            let status = match (&reviewer, rng.next(100)) {
                (None, _) => "submitted",
                (Some(_), 0..=74) => "accepted",
                (Some(_), 75..=82) => "returned",
                _ => "submitted",
            };
            let unmet: Vec<&String> = if rng.next(100) < 30 {
                (0..1 + rng.next(3))
                    .map(|_| &rows[rng.next(rows.len())])
                    .collect()
            } else {
                vec![]
            };
            // A returned filing is amended as version 2 (submitted) one time in two.
            let amended = status == "returned" && rng.next(2) == 0;
            let versions: Vec<(i64, &str, chrono::DateTime<Utc>)> = if amended {
                vec![
                    (1, "returned", at),
                    (2, "submitted", at + Duration::days(3)),
                ]
            } else {
                vec![(1, status, at)]
            };
            if late {
                let (_, user) = reviewer.unwrap();
                exception
                    .push(
                        conn,
                        format!(
                            "{}, {}, {}, '申报期间主要负责人外出，经审核同意补报。', {}, {}",
                            q(id),
                            q(period),
                            q(user),
                            q(&ts(first + Duration::days(20))),
                            q(&ts(first + Duration::days(10)))
                        ),
                    )
                    .await?;
            }
            for (version, st, when) in versions {
                let fid = uuid::Uuid::now_v7().to_string();
                let day = (when + Duration::hours(8)).format("%Y-%m-%d").to_string();
                filing
                    .push(
                        conn,
                        format!(
                            "{}, {}, {}, {version}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}",
                            q(&fid),
                            q(id),
                            q(period),
                            q(st),
                            late as i64,
                            q(&person(&mut rng)),
                            q(&person(&mut rng)),
                            q(&person(&mut rng)),
                            q(&person(&mut rng)),
                            q(&format!("0871-6{:07}", rng.next(10_000_000))),
                            q(&day),
                            unmet.is_empty() as i64,
                            q(&ts(when)),
                            q(&ts(when)),
                            q(&ts(when))
                        ),
                    )
                    .await?;
                filings += 1;
                for r in &rows {
                    let not_done = unmet.contains(&r);
                    answer
                        .push(
                            conn,
                            format!(
                                "{}, {}, {}, {}",
                                q(&fid),
                                q(r),
                                if not_done { "'not_done'" } else { "'done'" },
                                if not_done {
                                    q(EXPLANATIONS[rng.next(EXPLANATIONS.len())])
                                } else {
                                    "''".into()
                                }
                            ),
                        )
                        .await?;
                }
                if st == "accepted" || st == "returned" {
                    let (dept, user) = reviewer.unwrap();
                    review
                        .push(
                            conn,
                            format!(
                                "{}, {}, {}, {}, {}, {}, {}",
                                q(&uuid::Uuid::now_v7().to_string()),
                                q(&fid),
                                if st == "accepted" {
                                    "'accept'"
                                } else {
                                    "'return'"
                                },
                                if st == "accepted" {
                                    "''".to_string()
                                } else {
                                    q("申报表信息不完整，请核实后重新报送。")
                                },
                                q(dept),
                                q(user),
                                q(&ts(when + Duration::days(2)))
                            ),
                        )
                        .await?;
                }
            }
            if answer.rows.len() >= 2000 {
                filing.flush(conn).await?;
                answer.flush(conn).await?;
                review.flush(conn).await?;
            }
        }
    }
    filing.flush(conn).await?;
    answer.flush(conn).await?;
    review.flush(conn).await?;
    exception.flush(conn).await?;
    sqlx::raw_sql("COMMIT")
        .execute(&mut *conn)
        .await
        .map_err(err("commit"))?;
    println!(
        "  loaded {} enterprises, {} departments added, {} accounts, {} filings, {} answers, {} reviews, {} exceptions",
        n,
        all_departments.len() - departments.len(),
        users.total,
        filings,
        answer.total,
        review.total,
        exception.total
    );
    Ok(())
}
