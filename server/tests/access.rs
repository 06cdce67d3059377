//! The authorization matrix (107号 四、(二); issue: "a user sees and acts only within its
//! unit's subtree"), on SQLite and PostgreSQL: every demo role tries every server function,
//! page and export that names a unit, with units outside its subtree, and every function
//! meant for other roles; each attempt must be refused, and must change nothing.

//!
//! This one stays on the demo seed: its point is the sweep over every demo role, with the
//! units outside each subtree found in the seeded map (siblings, other townships and
//! counties, unsupervised industries), not written down by hand.

mod common;

use app::api::escalation::{
    AcknowledgeEscalation, CloseEscalation, DecideResponse, DismissEscalation, GetBrief,
    GetEscalation, IssueEscalation, IssueManual, RecordAccident, RespondEscalation,
};
use app::api::filing::{
    EnterPaperFiling, GetExceptions, GetFiling, GetHistory, GetPaperFiling, GetReviewQueue,
    GrantLateFiling, ReviewFiling, ReviseFiling, SaveFiling, SubmitFiling,
};
use app::api::rollup::{FileSummary, GetCityReport, GetRollup};
use app::api::{
    CreateUnit, CreateUser, GetUnit, ListCounties, ListUnits, ListUsers, MoveUnit, SetUnitLife,
};
use common::{encoded, Backend, Options, TestApp};
use leptos::server_fn::ServerFn;

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
            let s = |v: &str| v.to_string();
            let calls: Vec<(&str, String)> = vec![
                encoded(&GetEscalation { id: s(issued) }),
                encoded(&GetEscalation { id: s(proposed) }),
                encoded(&AcknowledgeEscalation { id: s(issued) }),
                encoded(&RespondEscalation {
                    id: s(issued),
                    body: s("越权答复测试，内容足够长以通过校验。"),
                }),
                encoded(&DecideResponse {
                    id: s(issued),
                    decision: s("accept"),
                    note: s(""),
                }),
                encoded(&CloseEscalation {
                    id: s(issued),
                    reason: s("越权办结测试"),
                }),
                encoded(&IssueEscalation {
                    escalation_id: s(proposed),
                    reasons: s("越权发出测试"),
                    measures: s(""),
                    reply_due: s(""),
                }),
                encoded(&DismissEscalation {
                    escalation_id: s(proposed),
                    reason: s("越权驳回测试"),
                }),
                encoded(&GetBrief { unit: s(unit) }),
                encoded(&RecordAccident {
                    unit_id: s(unit),
                    occurred_on: s("2027-01-02"),
                    larger: s(""),
                    description: s("越权登记测试"),
                }),
                encoded(&IssueManual {
                    target_unit_id: s(unit),
                    rung: s("prompt"),
                    reasons: s("越权警示测试"),
                    measures: s(""),
                    reply_due: s(""),
                }),
                encoded(&GetFiling {
                    period: s(PERIOD),
                    unit: s(unit),
                    version: s(""),
                }),
                encoded(&GetFiling {
                    period: s(PERIOD),
                    unit: s(unit),
                    version: s("1"),
                }),
                encoded(&GetHistory {
                    period: s(PERIOD),
                    unit: s(unit),
                }),
                encoded(&GetRollup {
                    period: s(PERIOD),
                    unit: s(unit),
                    row: s(""),
                }),
                encoded(&GrantLateFiling {
                    unit_id: s(unit),
                    period: s("2026-H1"),
                    reason: s("因系统故障未能按时申报"),
                    until: s("2027-01-20"),
                }),
                encoded(&ReviewFiling {
                    filing_id: s(filing_id),
                    decision: s("accept"),
                    reason: s(""),
                    untrue: s(""),
                }),
                encoded(&ReviewFiling {
                    filing_id: s(filing_id),
                    decision: s("return"),
                    reason: s("内容不实，请重新填报"),
                    untrue: s(""),
                }),
            ];
            // 代填: a township enters the paper forms of the enterprises in it, which it does
            // not oversee (so they stay in its list above for everything else).
            let enters_on_paper = {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM enterprise e JOIN app_user u ON u.unit_id = e.township_id \
                     WHERE u.username = $1 AND e.unit_id = $2",
                )
                .bind(*user)
                .bind(unit)
                .fetch_one(&app.db)
                .await
                .unwrap();
                n > 0
            };
            let paper_calls = [
                encoded(&GetPaperFiling {
                    period: s(PERIOD),
                    unit: s(unit),
                }),
                encoded(&EnterPaperFiling {
                    period: s(PERIOD),
                    unit: s(unit),
                    paper_date: s("2027-01-04"),
                    fields: app::model::filing::PostedFields(vec![(s("principal"), s("越权代填"))]),
                }),
            ];
            let calls = calls
                .into_iter()
                .chain(paper_calls.into_iter().filter(|_| !enters_on_paper));
            // The city office's own scope is the city: its roll-up is not "outside".
            for (path, form) in calls {
                if *user == "city" && path == GetRollup::PATH {
                    continue;
                }
                tried += 1;
                let res = app.post_encoded(&client, path, form.clone()).await;
                let status = res.status().as_u16();
                let body = res.text().await.unwrap_or_default();
                if !refused(status, &body) {
                    failures.push(format!("{user}: {path} {form} → {status}"));
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
            if !enters_on_paper {
                paths.push(format!("/filing/paper?period={PERIOD}&unit={unit}"));
            }
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
    let s = |v: &str| v.to_string();
    let by_role: Vec<((&str, String), &[&str])> = vec![
        (
            encoded(&GetReviewQueue {
                period: s(PERIOD),
                status: s(""),
                nil: s(""),
                industry: s(""),
                township: s(""),
            }),
            &supervisors,
        ),
        (
            encoded(&GetRollup {
                period: s(PERIOD),
                unit: s(""),
                row: s(""),
            }),
            &supervisors,
        ),
        (encoded(&GetExceptions {}), &supervisors),
        // 代填: the receiving departments and the townships enter paper forms.
        (
            encoded(&GetPaperFiling {
                period: s(PERIOD),
                unit: s(""),
            }),
            &["huashan", "wuhua-ajj"],
        ),
        (
            encoded(&FileSummary {
                period: s(PERIOD),
                remarks: s(""),
            }),
            &["wuhua-ajj", "wuhua"],
        ),
        (encoded(&GetCityReport { period: s(PERIOD) }), &["city"]),
        (
            encoded(&SaveFiling {
                period: s(PERIOD),
                intent: s("save"),
                fields: app::model::filing::PostedFields(vec![(s("principal"), s(""))]),
            }),
            &filers,
        ),
        (
            encoded(&SubmitFiling {
                period: s(PERIOD),
                version: "1".into(),
            }),
            &filers,
        ),
        (encoded(&ReviseFiling { period: s(PERIOD) }), &filers),
        (
            encoded(&ListUnits {
                county_id: s(""),
                kind: s(""),
                search: s(""),
            }),
            &["admin"],
        ),
        (encoded(&ListCounties {}), &["admin"]),
        (encoded(&ListUsers {}), &["admin"]),
        (
            encoded(&CreateUnit {
                name: s("越权单位"),
                kind: s("township"),
                county_id: s("county-530102"),
                industry: s(""),
                industries: vec![],
                township_id: s(""),
                address: s(""),
                legal_representative: s(""),
                headcount: s(""),
                opened_on: s("2026-01-01"),
                closed_on: s(""),
            }),
            &["admin"],
        ),
        (
            encoded(&GetUnit {
                unit_id: s("ent-530102-demo"),
            }),
            &["admin"],
        ),
        (
            encoded(&MoveUnit {
                unit_id: s("ent-530102-demo"),
                county_id: s("county-530103"),
                township_id: s(""),
                industry: s("fire"),
            }),
            &["admin"],
        ),
        (
            encoded(&SetUnitLife {
                unit_id: s("ent-530102-demo"),
                opened_on: s("2010-04-29"),
                closed_on: s("2011-01-01"),
            }),
            &["admin"],
        ),
        (
            encoded(&CreateUser {
                username: s("intruder"),
                display_name: s("越权"),
                unit_id: s("ent-530102-demo"),
                role: s("enterprise_filer"),
                password: s("intruder-pass"),
            }),
            &["admin"],
        ),
    ];
    let pages: Vec<(&str, &[&str])> = vec![
        ("/review", &supervisors),
        ("/rollup", &supervisors),
        ("/exceptions", &supervisors),
        ("/filing/paper", &["huashan", "wuhua-ajj"]),
        ("/report", &["city"]),
        ("/escalations", &supervisors),
        ("/admin/units", &["admin"]),
        ("/admin/unit?id=ent-530102-demo", &["admin"]),
        ("/admin/users", &["admin"]),
        ("/export/queue.csv", &supervisors),
        ("/export/rollup.csv", &supervisors),
        ("/export/filings.xlsx", &supervisors),
        ("/export/report.csv", &["city"]),
    ];
    for user in all {
        let client = app.logged_in(user).await;
        for ((path, form), allowed) in &by_role {
            if allowed.contains(&user) {
                continue;
            }
            tried += 1;
            let status = app
                .post_encoded(&client, path, form.clone())
                .await
                .status()
                .as_u16();
            if status != 403 {
                failures.push(format!("{user}: {path} (not for this role) → {status}"));
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
    for ((path, form), _) in &by_role {
        tried += 1;
        let status = app
            .post_encoded(&anonymous, path, form.clone())
            .await
            .status()
            .as_u16();
        if status != 401 {
            failures.push(format!("anonymous: {path} → {status}"));
        }
    }
    let demo = s("ent-530102-demo");
    for (path, form) in [
        encoded(&GetFiling {
            period: s(PERIOD),
            unit: demo.clone(),
            version: s(""),
        }),
        encoded(&GetHistory {
            unit: demo.clone(),
            period: s(PERIOD),
        }),
        encoded(&GetRollup {
            period: s(PERIOD),
            unit: demo.clone(),
            row: s(""),
        }),
        encoded(&ReviewFiling {
            filing_id: s("x"),
            decision: s("accept"),
            reason: s("xxxxxxxx"),
            untrue: s(""),
        }),
        encoded(&GrantLateFiling {
            unit_id: demo.clone(),
            period: s(PERIOD),
            reason: s("xxxxxxxx"),
            until: s("2027-01-20"),
        }),
    ] {
        tried += 1;
        let status = app
            .post_encoded(&anonymous, path, form)
            .await
            .status()
            .as_u16();
        if status != 401 {
            failures.push(format!("anonymous: {path} → {status}"));
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
