//! Routing and review over HTTP, on SQLite and PostgreSQL: each filing reaches the unit it
//! goes to (107号 四、(二)), which accepts it or returns it with a reason; a returned filing
//! is amended as a new version without becoming late.

mod common;

use app::domain::forms::BindingKind;
use app::error::AppError;
use app::model::filing::{FilingView, HistoryView, ReviewQueue};
use app::model::rollup::RollupView;
use common::{app_error, Backend, Options, TestApp};

on_both_databases!(
    an_enterprise_filing_reaches_the_department_supervising_its_industry_only,
    returning_needs_a_reason_and_the_filer_amends_without_becoming_late,
    departments_and_townships_go_to_the_county_office_and_counties_to_the_city,
    the_queue_filters_by_status_and_nil,
    roll_ups_count_what_an_independent_count_of_the_database_finds,
    the_roll_up_and_the_queue_export_as_csv_and_xlsx_that_read_back,
    supervisors_see_a_units_history_and_its_versions_side_by_side,
);

fn fields(kind: BindingKind, unmet: &[&str]) -> Vec<(String, String)> {
    let unmet: Vec<(&str, &str)> = unmet.iter().map(|r| (*r, common::EXPLANATION)).collect();
    common::filing_fields(kind, &unmet)
}

use common::submit_filing as file;

async fn queue(app: &TestApp, client: &reqwest::Client, filters: &[(&str, &str)]) -> ReviewQueue {
    let mut form = vec![("period", "2026-Y")];
    form.extend_from_slice(filters);
    let res = app.call_with(client, "review_queue", &form).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn in_window(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        Options {
            clock: Some("2027-01-05T10:00:00+08:00"),
            seed: true,
            ..Default::default()
        },
    )
    .await
}

async fn an_enterprise_filing_reaches_the_department_supervising_its_industry_only(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let qiye = app.logged_in("qiye").await;
    let filing_id = file(&app, &qiye, BindingKind::Enterprise, &[], "1").await;
    let dept = app.logged_in("wuhua-ajj").await;
    let q = queue(&app, &dept, &[]).await;
    assert_eq!(
        q.rows
            .iter()
            .map(|r| r.unit_id.as_str())
            .collect::<Vec<_>>(),
        vec!["ent-530102-demo"],
        "the chemicals enterprise reaches 五华区安监局"
    );
    // Another county's department of the same kind does not see it and cannot decide on it.
    let other = app
        .account("guandu-ajj", "county-530111-dept-ajj", "department_staff")
        .await;
    assert!(
        queue(&app, &other, &[]).await.rows.is_empty(),
        "官渡区安监局 receives nothing from 五华区"
    );
    let res = app
        .call_with(
            &other,
            "review_filing",
            &[("filing_id", &filing_id), ("decision", "accept")],
        )
        .await;
    assert_eq!(res.status(), 403, "only the receiving unit decides");
    // The enterprise cannot review at all.
    assert_eq!(
        app.call_with(&qiye, "review_queue", &[("period", "2026-Y")])
            .await
            .status(),
        403
    );
    // The right department accepts, once.
    let res = app
        .call_with(
            &dept,
            "review_filing",
            &[("filing_id", &filing_id), ("decision", "accept")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let err = app_error(
        app.call_with(
            &dept,
            "review_filing",
            &[
                ("filing_id", &filing_id),
                ("decision", "return"),
                ("reason", "再次处理"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        err,
        AppError::Conflict(app::error::Conflict::NotAwaitingReview),
        "a decided filing cannot be decided again"
    );
    let v: FilingView = app
        .call_with(&qiye, "filing", &[("period", "2026-Y")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v.record.unwrap().status.code(), "accepted");
    assert_eq!(v.last_review.map(|r| r.0), Some("accept".to_string()));
}

async fn returning_needs_a_reason_and_the_filer_amends_without_becoming_late(backend: Backend) {
    let app = in_window(backend).await;
    let qiye = app.logged_in("qiye").await;
    let filing_id = file(&app, &qiye, BindingKind::Enterprise, &[], "1").await;
    let dept = app.logged_in("wuhua-ajj").await;
    let err = app_error(
        app.call_with(
            &dept,
            "review_filing",
            &[
                ("filing_id", &filing_id),
                ("decision", "return"),
                ("reason", ""),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        err.field_errors().and_then(|f| f.get("reason")),
        Some("err.return_reason"),
        "a return needs a reason"
    );
    let res = app
        .call_with(
            &dept,
            "review_filing",
            &[
                ("filing_id", &filing_id),
                ("decision", "return"),
                ("reason", "表5第3项与检查记录不符，请核实"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    // After the window has closed, the enterprise amends and resubmits.
    app.clock.set(Some(
        app::domain::time::parse_instant("2027-01-15T09:00:00+08:00").unwrap(),
    ));
    let v: FilingView = app
        .call_with(&qiye, "filing", &[("period", "2026-Y")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v.record.as_ref().unwrap().status.code(), "returned");
    assert!(
        v.last_review.as_ref().unwrap().1.contains("表5第3项"),
        "the filer sees the reason"
    );
    assert!(
        v.can_revise,
        "a returned filing can be amended after the window"
    );
    assert_eq!(
        app.call_with(&qiye, "revise_filing", &[("period", "2026-Y")])
            .await
            .status(),
        200
    );
    let mut form = fields(BindingKind::Enterprise, &["5.3"]);
    form.push(("intent".into(), "review".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        app.call_with(&qiye, "save_filing", &pairs).await.status(),
        200
    );
    let body: serde_json::Value = app
        .call_with(
            &qiye,
            "submit_filing",
            &[("period", "2026-Y"), ("version", "2")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["Submitted"]["late"], false,
        "returning and resubmitting does not make an on-time filing late"
    );
    let q = queue(&app, &dept, &[("status", "submitted")]).await;
    assert_eq!(q.rows.len(), 1);
    assert_eq!(q.rows[0].version, 2, "the queue shows the new version");
    assert_eq!(
        app.call_with(
            &dept,
            "review_filing",
            &[("filing_id", &q.rows[0].filing_id), ("decision", "accept")]
        )
        .await
        .status(),
        200
    );
    let old: FilingView = app
        .call_with(&qiye, "filing", &[("period", "2026-Y"), ("version", "1")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        old.record.unwrap().status.code(),
        "returned",
        "the returned version is kept"
    );
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event WHERE action IN ('filing.return', 'filing.accept')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(n, 2, "both decisions are audited");
}

async fn departments_and_townships_go_to_the_county_office_and_counties_to_the_city(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let dept = app.logged_in("wuhua-ajj").await;
    file(&app, &dept, BindingKind::Department, &[], "1").await;
    let town = app.logged_in("huashan").await;
    file(&app, &town, BindingKind::Township, &[], "1").await;
    let county = app.logged_in("wuhua").await;
    file(&app, &county, BindingKind::Government, &[], "1").await;
    let mut units: Vec<String> = queue(&app, &county, &[])
        .await
        .rows
        .into_iter()
        .map(|r| r.unit_id)
        .collect();
    units.sort();
    assert_eq!(
        units,
        vec!["county-530102-dept-ajj", "county-530102-town-0"],
        "the county office receives its department and township"
    );
    let city = app.logged_in("city").await;
    let units: Vec<String> = queue(&app, &city, &[])
        .await
        .rows
        .into_iter()
        .map(|r| r.unit_id)
        .collect();
    assert_eq!(
        units,
        vec!["county-530102"],
        "the city office receives the county government's filing"
    );
}

async fn the_queue_filters_by_status_and_nil(backend: Backend) {
    let app = in_window(backend).await;
    let qiye = app.logged_in("qiye").await;
    file(&app, &qiye, BindingKind::Enterprise, &["6.3"], "1").await;
    let dept = app.logged_in("wuhua-ajj").await;
    assert_eq!(queue(&app, &dept, &[("nil", "unmet")]).await.rows.len(), 1);
    assert!(queue(&app, &dept, &[("nil", "nil")]).await.rows.is_empty());
    assert!(queue(&app, &dept, &[("status", "accepted")])
        .await
        .rows
        .is_empty());
    assert_eq!(
        queue(&app, &dept, &[("industry", "chemical")])
            .await
            .rows
            .len(),
        1
    );
    assert!(queue(&app, &dept, &[("industry", "fire")])
        .await
        .rows
        .is_empty());
    assert_eq!(
        queue(&app, &dept, &[("township", "county-530102-town-0")])
            .await
            .rows
            .len(),
        1
    );
    let html = app
        .page_with(&dept, "/review?period=2026-Y")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("昆明华山化工有限公司") && html.contains("有不落实事项"),
        "the queue page lists the filing"
    );
}

async fn roll_ups_count_what_an_independent_count_of_the_database_finds(backend: Backend) {
    let app = in_window(backend).await;
    let qiye = app.logged_in("qiye").await;
    let filing_id = file(&app, &qiye, BindingKind::Enterprise, &["5.3", "6.3"], "1").await;
    let dept = app.logged_in("wuhua-ajj").await;
    app.call_with(
        &dept,
        "review_filing",
        &[("filing_id", &filing_id), ("decision", "accept")],
    )
    .await;
    file(&app, &dept, BindingKind::Department, &[], "1").await;
    let town = app.logged_in("huashan").await;
    file(&app, &town, BindingKind::Township, &["3.1.3"], "1").await;

    // The department: its enterprises (an independent count of the seeded units).
    let (expected,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM enterprise e JOIN unit n ON n.unit_id = e.unit_id WHERE n.county_id = 'county-530102' \
         AND e.industry_code IN ('coal_mine', 'non_coal_mine', 'chemical', 'petroleum', 'nonferrous_metallurgy', 'building_materials', 'light_industry', 'textile', 'civil_explosives')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let res = app
        .call_with(&dept, "rollup", &[("period", "2026-Y")])
        .await;
    assert_eq!(res.status(), 200);
    let v: RollupView = res.json().await.unwrap();
    let r = &v.rollup;
    assert_eq!(
        r.expected as i64, expected,
        "every enterprise the department supervises is expected"
    );
    assert_eq!(
        (r.filed_on_time, r.filed_late, r.missing as i64),
        (1, 0, expected - 1)
    );
    assert_eq!((r.accepted, r.nil, r.with_unmet), (1, 0, 1));
    assert_eq!(r.unmet_by_form.get(&5), Some(&1));
    assert_eq!(r.unmet_by_form.get(&6), Some(&1));
    assert_eq!(r.unmet_by_industry.get("chemical"), Some(&2));
    assert_eq!(v.change.filed, 1, "nobody filed the previous period");

    // The county office: departments, townships and enterprises of 五华区.
    let (expected,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM unit WHERE county_id = 'county-530102' AND kind IN ('department', 'township', 'enterprise')")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let county = app.logged_in("wuhua").await;
    let v: RollupView = app
        .call_with(&county, "rollup", &[("period", "2026-Y")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v.rollup.expected as i64, expected);
    assert_eq!(
        v.rollup.filed_on_time, 3,
        "the enterprise, the department and the township filed"
    );
    assert_eq!(
        v.rollup.unmet_by_row.get("3.1.3"),
        Some(&1),
        "the township's unmet row is counted"
    );
    assert_eq!(
        v.rollup.by_group.get("乡镇（街道办事处）").map(|g| g.filed),
        Some(1)
    );
    let html = app
        .page_with(&county, "/rollup?period=2026-Y")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<svg") && html.contains("零申报汇总"),
        "the page draws its charts on the server"
    );
    // An enterprise has no roll-up.
    assert_eq!(app.call_with(&qiye, "rollup", &[]).await.status(), 403);
}

async fn the_roll_up_and_the_queue_export_as_csv_and_xlsx_that_read_back(backend: Backend) {
    use calamine::Reader;
    let app = in_window(backend).await;
    let qiye = app.logged_in("qiye").await;
    file(&app, &qiye, BindingKind::Enterprise, &["5.3"], "1").await;
    let dept = app.logged_in("wuhua-ajj").await;
    let res = dept
        .get(app.url("/export/queue.csv?period=2026-Y"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("queue-2026-Y.csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0], "单位,行业,乡镇（街道）,版本,提交时间,状态,逾期,零申报",
        "Chinese headers"
    );
    assert!(
        lines[1].starts_with("昆明华山化工有限公司,化工,华山街道,1,2027-01-05 10:00,已提交,否,否"),
        "{}",
        lines[1]
    );
    let bytes = dept
        .get(app.url("/export/rollup.xlsx?period=2026-Y"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a valid xlsx");
    let sheet = book.worksheet_range("汇总").expect("the sheet");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0], vec!["类别", "项目", "数量"]);
    assert!(
        rows.contains(&vec![
            "汇总".to_string(),
            "按时已报".to_string(),
            "1".to_string()
        ]),
        "{rows:?}"
    );
    assert!(rows.contains(&vec![
        "不落实事项（按表）".to_string(),
        "表5".to_string(),
        "1".to_string()
    ]));
    // Outside the subtree or without the role: refused.
    assert_eq!(
        qiye.get(app.url("/export/rollup.csv"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        app.browser()
            .get(app.url("/export/rollup.csv"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn supervisors_see_a_units_history_and_its_versions_side_by_side(backend: Backend) {
    let app = in_window(backend).await;
    let qiye = app.logged_in("qiye").await;
    let first = file(&app, &qiye, BindingKind::Enterprise, &[], "1").await;
    let dept = app.logged_in("wuhua-ajj").await;
    app.call_with(
        &dept,
        "review_filing",
        &[
            ("filing_id", &first),
            ("decision", "return"),
            ("reason", "请补充表5说明"),
        ],
    )
    .await;
    app.call_with(&qiye, "revise_filing", &[("period", "2026-Y")])
        .await;
    file(&app, &qiye, BindingKind::Enterprise, &["5.3"], "2").await;
    let res = app
        .call_with(
            &dept,
            "history",
            &[("unit", "ent-530102-demo"), ("period", "2026-Y")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let h: HistoryView = res.json().await.unwrap();
    let actions: Vec<&str> = h.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "filing.save",
            "filing.submit",
            "filing.return",
            "filing.revise",
            "filing.save",
            "filing.submit"
        ],
        "every change, in order"
    );
    let ret = h
        .events
        .iter()
        .find(|e| e.action == "filing.return")
        .unwrap();
    assert_eq!(ret.actor.as_deref(), Some("五华区安监局 王芳"), "who");
    assert!(
        ret.after
            .as_deref()
            .unwrap_or_default()
            .contains("请补充表5说明"),
        "what, with the reason"
    );
    assert_eq!(h.versions.len(), 2);
    assert_eq!(
        h.versions[0].1.answers.get("5.3"),
        Some(&app::domain::forms::Answer::Done)
    );
    assert_eq!(
        h.versions[1].1.answers.get("5.3"),
        Some(&app::domain::forms::Answer::NotDone)
    );
    let html = app
        .page_with(&dept, "/history?unit=ent-530102-demo&period=2026-Y")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("各版本对照") && html.contains("differs"),
        "the page marks the row that changed"
    );
    // A county office elsewhere may not look.
    let other = app
        .account("guandu", "county-530111-office", "county_office_staff")
        .await;
    assert_eq!(
        app.call_with(
            &other,
            "history",
            &[("unit", "ent-530102-demo"), ("period", "2026-Y")]
        )
        .await
        .status(),
        403
    );
}
