//! The authorization matrix (107号 四、(二); issue: "a user sees and acts only within its
//! unit's subtree"), on SQLite and PostgreSQL: every demo role tries every server function,
//! page and export that names a unit, with units outside its subtree, and every function
//! meant for other roles; each attempt must be refused, and must change nothing.

mod common;

use common::{Backend, Options, TestApp};

on_both_databases!(every_role_is_refused_outside_its_subtree_and_outside_its_role);

const PERIOD: &str = "2026-Y";

async fn one(app: &TestApp, sql: &str) -> String {
    let (id,): (String,) = sqlx::query_as(sql)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    id
}

/// Units outside each role's subtree, found in the seeded data (not written down by hand).
async fn outside_units(app: &TestApp) -> Vec<(&'static str, Vec<String>)> {
    let supervised_by_ajj =
        "SELECT industry_code FROM department_industry WHERE unit_id = 'county-530102-dept-ajj'";
    let sibling = one(app, &format!(
        "SELECT n.unit_id FROM unit n JOIN enterprise e ON e.unit_id = n.unit_id WHERE n.county_id = 'county-530102' \
         AND n.unit_id <> 'ent-530102-demo' AND e.industry_code IN ({supervised_by_ajj}) ORDER BY n.unit_id LIMIT 1"
    ))
    .await;
    let unsupervised = one(app, &format!(
        "SELECT n.unit_id FROM unit n JOIN enterprise e ON e.unit_id = n.unit_id WHERE n.county_id = 'county-530102' \
         AND e.industry_code NOT IN ({supervised_by_ajj}) ORDER BY n.unit_id LIMIT 1"
    ))
    .await;
    let in_town = one(app,
        "SELECT unit_id FROM enterprise WHERE township_id = 'county-530102-town-0' ORDER BY unit_id LIMIT 1",
    )
    .await;
    let other_town = one(app,
        "SELECT unit_id FROM unit WHERE kind = 'township' AND county_id = 'county-530102' AND unit_id <> 'county-530102-town-0' ORDER BY unit_id LIMIT 1",
    )
    .await;
    let other_dept_same_county = one(app,
        "SELECT unit_id FROM unit WHERE kind = 'department' AND county_id = 'county-530102' AND unit_id <> 'county-530102-dept-ajj' ORDER BY unit_id LIMIT 1",
    )
    .await;
    let far_enterprise = one(app,
        "SELECT unit_id FROM unit WHERE kind = 'enterprise' AND county_id = 'county-530111' ORDER BY unit_id LIMIT 1",
    )
    .await;
    let far_dept = one(app,
        "SELECT unit_id FROM unit WHERE kind = 'department' AND county_id = 'county-530111' ORDER BY unit_id LIMIT 1",
    )
    .await;
    let far_town = one(app,
        "SELECT unit_id FROM unit WHERE kind = 'township' AND county_id = 'county-530111' ORDER BY unit_id LIMIT 1",
    )
    .await;
    let county = "county-530102".to_string();
    let far_county = "county-530111".to_string();
    let dept = "county-530102-dept-ajj".to_string();
    let town = "county-530102-town-0".to_string();
    let demo = "ent-530102-demo".to_string();
    vec![
        (
            "qiye",
            vec![
                sibling.clone(),
                dept.clone(),
                county.clone(),
                town.clone(),
                far_enterprise.clone(),
            ],
        ),
        (
            "huashan",
            vec![
                in_town.clone(),
                other_town.clone(),
                county.clone(),
                dept.clone(),
                far_enterprise.clone(),
            ],
        ),
        (
            "wuhua-ajj",
            vec![
                unsupervised,
                far_enterprise.clone(),
                county.clone(),
                town.clone(),
                other_dept_same_county,
                far_county.clone(),
            ],
        ),
        (
            "wuhua",
            vec![
                far_enterprise.clone(),
                far_dept,
                far_county.clone(),
                far_town,
                "city".to_string(),
            ],
        ),
        // The city office supervises every unit below the city government; only the city
        // government's own forms (compiled, not filed) lie outside.
        ("city", vec!["city".to_string()]),
        ("admin", vec![demo, dept, county, far_enterprise]),
    ]
}

/// A submitted filing for each unit, so that decisions on it can be tried.
async fn submitted_filing(app: &TestApp, unit: &str) -> String {
    let id = format!("probe-{unit}");
    sqlx::query(
        "INSERT INTO filing (filing_id, unit_id, period_key, version, status, created_at, updated_at, submitted_at, filing_date, nil) \
         VALUES ($1, $2, $3, 1, 'submitted', $4, $4, $4, '2027-01-04', 1)",
    )
    .bind(&id)
    .bind(unit)
    .bind(PERIOD)
    .bind("2027-01-04T02:00:00Z")
    .execute(&app.db)
    .await
    .unwrap();
    id
}

/// An issued escalation (and a proposal) against each unit, by an office none of the demo
/// users works in, so that acting on them can be tried.
async fn probe_escalations(app: &TestApp, unit: &str, seq: usize) -> (String, String) {
    let mut ids = Vec::new();
    for (status, number) in [
        ("issued", Some(format!("官渡区安委办告知〔2027〕{seq}号"))),
        ("proposed", None),
    ] {
        let id = format!("probe-{status}-{unit}");
        sqlx::query(
            "INSERT INTO escalation (escalation_id, status, origin, rung, issuer_unit_id, target_unit_id, reasons, number, issued_at, reply_due, created_at, updated_at) \
             VALUES ($1, $2, 'manual', 'notification', 'county-530111-office', $3, '探针', $4, $5, '2027-01-20', $5, $5)",
        )
        .bind(&id)
        .bind(status)
        .bind(unit)
        .bind(number)
        .bind("2027-01-05T01:00:00Z")
        .execute(&app.db)
        .await
        .unwrap();
        ids.push(id);
    }
    (ids[0].clone(), ids[1].clone())
}

fn refused(status: u16, body: &str) -> bool {
    matches!(status, 403 | 404) || (status == 422 && body.contains("err.ladder_"))
}

async fn every_role_is_refused_outside_its_subtree_and_outside_its_role(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            clock: Some("2027-01-05T10:00:00+08:00"),
            seed: true,
            ..Default::default()
        },
    )
    .await;
    let matrix = outside_units(&app).await;
    let mut filings = std::collections::HashMap::new();
    let mut escalations = std::collections::HashMap::new();
    for (_, units) in &matrix {
        for u in units {
            if !filings.contains_key(u) {
                filings.insert(u.clone(), submitted_filing(&app, u).await);
                let seq = escalations.len() + 1;
                escalations.insert(u.clone(), probe_escalations(&app, u, seq).await);
            }
        }
    }
    let mut failures = Vec::new();
    let mut tried = 0;
    for (user, units) in &matrix {
        let client = app.logged_in(user).await;
        for unit in units {
            let filing_id = &filings[unit];
            let (issued, proposed) = &escalations[unit];
            let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
                ("escalation", vec![("id", issued)]),
                ("escalation", vec![("id", proposed)]),
                ("acknowledge_escalation", vec![("id", issued)]),
                (
                    "respond_escalation",
                    vec![
                        ("id", issued),
                        ("body", "越权答复测试，内容足够长以通过校验。"),
                    ],
                ),
                (
                    "decide_response",
                    vec![("id", issued), ("decision", "accept")],
                ),
                (
                    "close_escalation",
                    vec![("id", issued), ("reason", "越权办结测试")],
                ),
                (
                    "issue_escalation",
                    vec![("escalation_id", proposed), ("reasons", "越权发出测试")],
                ),
                (
                    "dismiss_escalation",
                    vec![("escalation_id", proposed), ("reason", "越权驳回测试")],
                ),
                ("brief", vec![("unit", unit)]),
                (
                    "record_accident",
                    vec![
                        ("unit_id", unit),
                        ("occurred_on", "2027-01-02"),
                        ("description", "越权登记测试"),
                    ],
                ),
                (
                    "issue_manual",
                    vec![
                        ("target_unit_id", unit),
                        ("rung", "prompt"),
                        ("reasons", "越权警示测试"),
                    ],
                ),
                ("filing", vec![("period", PERIOD), ("unit", unit)]),
                (
                    "filing",
                    vec![("period", PERIOD), ("unit", unit), ("version", "1")],
                ),
                ("history", vec![("period", PERIOD), ("unit", unit)]),
                ("rollup", vec![("period", PERIOD), ("unit", unit)]),
                (
                    "grant_exception",
                    vec![
                        ("unit_id", unit),
                        ("period", "2026-H1"),
                        ("reason", "因系统故障未能按时申报"),
                        ("until", "2027-01-20"),
                    ],
                ),
                (
                    "review_filing",
                    vec![("filing_id", filing_id), ("decision", "accept")],
                ),
                (
                    "review_filing",
                    vec![
                        ("filing_id", filing_id),
                        ("decision", "return"),
                        ("reason", "内容不实，请重新填报"),
                    ],
                ),
            ];
            // The city office's own scope is the city: its roll-up is not "outside".
            for (name, form) in calls {
                if *user == "city" && name == "rollup" {
                    continue;
                }
                tried += 1;
                let res = app.call_with(&client, name, &form).await;
                let status = res.status().as_u16();
                let body = res.text().await.unwrap_or_default();
                if !refused(status, &body) {
                    failures.push(format!("{user}: /api/{name} {form:?} → {status}"));
                }
            }
            let mut paths = vec![
                format!("/escalation?id={issued}"),
                format!("/escalation?id={proposed}"),
                format!("/brief?unit={unit}"),
                format!("/filing?period={PERIOD}&unit={unit}"),
                format!("/filing/print?period={PERIOD}&unit={unit}"),
                format!("/history?period={PERIOD}&unit={unit}"),
            ];
            if *user != "city" {
                paths.push(format!("/rollup?period={PERIOD}&unit={unit}"));
                for table in ["rollup", "units", "filings", "trend"] {
                    for ext in ["csv", "xlsx"] {
                        paths.push(format!("/export/{table}.{ext}?period={PERIOD}&unit={unit}"));
                    }
                }
            }
            for path in paths {
                tried += 1;
                let res = app.page_with(&client, &path).await;
                let status = res.status().as_u16();
                let body = res.text().await.unwrap_or_default();
                if !matches!(status, 403 | 404)
                    || body.contains(filing_id.as_str())
                    || body.contains("探针")
                {
                    failures.push(format!("{user}: GET {path} → {status}"));
                }
            }
        }
    }

    // Functions and pages meant for other roles.
    let all = ["qiye", "huashan", "wuhua-ajj", "wuhua", "city", "admin"];
    let supervisors = ["wuhua-ajj", "wuhua", "city"];
    let filers = ["qiye", "huashan", "wuhua-ajj", "wuhua"];
    let by_role: Vec<(&str, Vec<(&str, &str)>, &[&str])> = vec![
        ("review_queue", vec![("period", PERIOD)], &supervisors),
        ("rollup", vec![("period", PERIOD)], &supervisors),
        ("exceptions", vec![], &supervisors),
        (
            "file_summary",
            vec![("period", PERIOD)],
            &["wuhua-ajj", "wuhua"],
        ),
        ("city_report", vec![("period", PERIOD)], &["city"]),
        (
            "save_filing",
            vec![("period", PERIOD), ("intent", "save")],
            &filers,
        ),
        (
            "submit_filing",
            vec![("period", PERIOD), ("version", "1")],
            &filers,
        ),
        ("revise_filing", vec![("period", PERIOD)], &filers),
        (
            "units",
            vec![("county_id", ""), ("kind", ""), ("search", "")],
            &["admin"],
        ),
        ("counties", vec![], &["admin"]),
        ("users", vec![], &["admin"]),
        (
            "create_unit",
            vec![
                ("name", "越权单位"),
                ("kind", "township"),
                ("county_id", "county-530102"),
            ],
            &["admin"],
        ),
        (
            "create_user",
            vec![
                ("username", "intruder"),
                ("display_name", "越权"),
                ("unit_id", "ent-530102-demo"),
                ("role", "enterprise_filer"),
                ("password", "intruder-pass"),
            ],
            &["admin"],
        ),
    ];
    let pages: Vec<(&str, &[&str])> = vec![
        ("/review", &supervisors),
        ("/rollup", &supervisors),
        ("/exceptions", &supervisors),
        ("/report", &["city"]),
        ("/escalations", &supervisors),
        ("/admin/units", &["admin"]),
        ("/admin/users", &["admin"]),
        ("/export/queue.csv", &supervisors),
        ("/export/rollup.csv", &supervisors),
        ("/export/filings.xlsx", &supervisors),
        ("/export/report.csv", &["city"]),
    ];
    for user in all {
        let client = app.logged_in(user).await;
        for (name, form, allowed) in &by_role {
            if allowed.contains(&user) {
                continue;
            }
            tried += 1;
            let status = app.call_with(&client, name, form).await.status().as_u16();
            if status != 403 {
                failures.push(format!(
                    "{user}: /api/{name} (not for this role) → {status}"
                ));
            }
        }
        for (path, allowed) in &pages {
            if allowed.contains(&user) {
                continue;
            }
            tried += 1;
            let status = app.page_with(&client, path).await.status().as_u16();
            if status != 403 {
                failures.push(format!("{user}: GET {path} (not for this role) → {status}"));
            }
        }
    }
    // Nobody logged in: every server function and export asks for a login.
    let anonymous = app.browser();
    for (name, form, _) in &by_role {
        tried += 1;
        let status = app
            .call_with(&anonymous, name, form)
            .await
            .status()
            .as_u16();
        if status != 401 {
            failures.push(format!("anonymous: /api/{name} → {status}"));
        }
    }
    for name in [
        "filing",
        "history",
        "rollup",
        "review_filing",
        "grant_exception",
    ] {
        tried += 1;
        let status = app
            .call_with(
                &anonymous,
                name,
                &[
                    ("unit", "ent-530102-demo"),
                    ("unit_id", "ent-530102-demo"),
                    ("filing_id", "x"),
                    ("decision", "accept"),
                    ("period", PERIOD),
                    ("reason", "xxxxxxxx"),
                    ("until", "2027-01-20"),
                ],
            )
            .await
            .status()
            .as_u16();
        if status != 401 {
            failures.push(format!("anonymous: /api/{name} → {status}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tried} attempts were not refused:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(tried > 300, "the matrix tried {tried} attempts");

    // And nothing changed: every probe filing is still waiting, no exception was granted,
    // no unit or user was created, no summary filed, no filing saved by a non-filer.
    let (decided,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM filing WHERE filing_id LIKE 'probe-%' AND status <> 'submitted'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(decided, 0);
    for (table, expected) in [("late_exception", 0), ("filing_review", 0), ("summary", 0)] {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(n, expected, "{table}");
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM unit WHERE name = '越权单位'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM app_user WHERE username = 'intruder'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM filing WHERE filing_id NOT LIKE 'probe-%'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(n, 0, "city and admin saved no filing");
}
