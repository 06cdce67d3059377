//! The reporting chain above review, on SQLite and PostgreSQL (107号 四、(二)): the city's
//! drill-down to a county, a department, an enterprise and the row with its explanation;
//! summaries filed upward and seen by the office above; the city government's report; the
//! trend across periods; every table and the filings themselves exported and read back.

mod common;

use app::domain::forms::BindingKind;
use app::error::AppError;
use app::model::rollup::{CityReport, RollupView, ScopeKind};
use common::{app_error, submit_filing, Backend, Options, TestApp, EXPLANATION};

on_both_databases!(
    the_city_drills_down_to_a_county_a_department_an_enterprise_and_the_row,
    departments_and_counties_file_summaries_upward_that_the_office_above_sees,
    the_city_report_counts_every_county_and_names_the_coverage_gaps,
    every_table_and_the_filings_export_as_csv_and_xlsx_that_read_back,
    a_scope_outside_the_users_subtree_is_refused,
    the_demo_history_rolls_up_like_an_independent_count_and_draws_a_trend,
);

const DEPT: &str = "county-530102-dept-ajj";
const COUNTY: &str = "county-530102";
const ENTERPRISE: &str = "ent-530102-demo";

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

async fn rollup(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> RollupView {
    let mut f = form.to_vec();
    if !form.iter().any(|(k, _)| *k == "period") {
        f.push(("period", "2026-Y"));
    }
    let res = app.call_with(client, "rollup", &f).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// The enterprise files with 5.3 unmet, its department accepts, the department files its own
/// forms: the situation the drill-down and the summaries look at.
async fn one_enterprise_filed_and_accepted(app: &TestApp) -> (reqwest::Client, reqwest::Client) {
    let qiye = app.logged_in("qiye").await;
    let filing_id = submit_filing(app, &qiye, BindingKind::Enterprise, &["5.3"], "1").await;
    let dept = app.logged_in("wuhua-ajj").await;
    let res = app
        .call_with(
            &dept,
            "review_filing",
            &[("filing_id", &filing_id), ("decision", "accept")],
        )
        .await;
    assert_eq!(res.status(), 200);
    submit_filing(app, &dept, BindingKind::Department, &[], "1").await;
    (qiye, dept)
}

async fn the_city_drills_down_to_a_county_a_department_an_enterprise_and_the_row(backend: Backend) {
    let app = in_window(backend).await;
    one_enterprise_filed_and_accepted(&app).await;
    let city = app.logged_in("city").await;

    // The city: every county as a child, 五华区 with its two filings below it.
    let top = rollup(&app, &city, &[]).await;
    assert_eq!(top.scope.kind, ScopeKind::City);
    let (counties,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM unit WHERE kind IN ('county_government', 'management_committee')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(top.children.len() as i64, counties);
    let wuhua = top.children.iter().find(|c| c.unit_id == COUNTY).unwrap();
    assert_eq!((wuhua.filed, wuhua.unmet_items), (2, 1));
    let (in_wuhua,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM unit WHERE county_id = $1 AND kind IN ('department', 'township', 'enterprise')",
    )
    .bind(COUNTY)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(wuhua.expected as i64, in_wuhua);
    assert_eq!(top.rollup.filed(), 2);

    // The county: its departments and townships; the department's enterprises filed 1.
    let county = rollup(&app, &city, &[("unit", COUNTY)]).await;
    assert_eq!(county.scope.kind, ScopeKind::County);
    assert_eq!(
        county.rollup.expected, wuhua.expected,
        "the same count one level down"
    );
    assert_eq!(
        county
            .crumbs
            .iter()
            .map(|c| c.1.as_str())
            .collect::<Vec<_>>(),
        vec!["全市", "五华区人民政府"]
    );
    let dept = county.children.iter().find(|c| c.unit_id == DEPT).unwrap();
    assert_eq!((dept.filed, dept.unmet_items), (1, 1));
    assert_eq!(
        dept.own_status,
        Some(app::domain::filing::FilingStatus::Submitted),
        "the department's own nine forms"
    );

    // The department: its enterprises, the demo one with its unmet row and explanation.
    let d = rollup(&app, &city, &[("unit", DEPT)]).await;
    assert_eq!(d.scope.kind, ScopeKind::Department);
    assert_eq!(d.rollup.expected, dept.expected);
    let line = d.units.iter().find(|u| u.unit_id == ENTERPRISE).unwrap();
    assert_eq!(
        line.unmet,
        vec![("5.3".to_string(), EXPLANATION.to_string())]
    );
    assert_eq!(
        line.status,
        Some(app::domain::filing::FilingStatus::Accepted)
    );

    // The row: who answered it 不落实, and why.
    let row = rollup(&app, &city, &[("unit", DEPT), ("row", "5.3")]).await;
    let detail = row.row.unwrap();
    assert_eq!(
        detail.units,
        vec![(
            ENTERPRISE.to_string(),
            "昆明华山化工有限公司".to_string(),
            EXPLANATION.to_string()
        )]
    );
    assert!(detail.row_text.contains("隐患"));

    // The same walk as pages, JavaScript off: each level links to the next.
    let html = app
        .page_with(&city, "/rollup?period=2026-Y")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("/rollup?period=2026-Y&amp;unit={COUNTY}"))
            || html.contains(&format!("/rollup?period=2026-Y&unit={COUNTY}"))
    );
    let html = app
        .page_with(&city, &format!("/rollup?period=2026-Y&unit={DEPT}&row=5.3"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("昆明华山化工有限公司") && html.contains(EXPLANATION));
    assert!(
        html.contains(&format!("unit={ENTERPRISE}")),
        "the enterprise's forms are linked"
    );
    // …and the enterprise's forms open for the city, with the explanation in them.
    let html = app
        .page_with(
            &city,
            &format!("/filing/print?period=2026-Y&unit={ENTERPRISE}"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(EXPLANATION));
    // The trend ends with the period shown and counts what was filed in it.
    assert_eq!(top.trend.len(), app::model::rollup::TREND_PERIODS);
    let last = top.trend.last().unwrap();
    assert_eq!(
        (last.period_key.as_str(), last.filed, last.unmet_items),
        ("2026-Y", 2, 1)
    );
    assert!(top.trend[..top.trend.len() - 1]
        .iter()
        .all(|p| p.filed == 0));
}

async fn departments_and_counties_file_summaries_upward_that_the_office_above_sees(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let (_, dept) = one_enterprise_filed_and_accepted(&app).await;
    // A second enterprise of the department files, but is not accepted yet.
    let (other,): (String,) = sqlx::query_as(
        "SELECT n.unit_id FROM unit n JOIN enterprise e ON e.unit_id = n.unit_id WHERE n.county_id = $1 \
         AND e.industry_code = 'chemical' AND n.unit_id <> $2 ORDER BY n.unit_id LIMIT 1",
    )
    .bind(COUNTY)
    .bind(ENTERPRISE)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let qiye2 = app.account("qiye2", &other, "enterprise_filer").await;
    submit_filing(&app, &qiye2, BindingKind::Enterprise, &["6.1"], "1").await;

    // The department files its summary: only the accepted filing is in it.
    let before = rollup(&app, &dept, &[]).await;
    assert!(before.can_file_summary && before.summary.is_none());
    let res = app
        .call_with(
            &dept,
            "file_summary",
            &[
                ("period", "2026-Y"),
                ("remarks", "本期一家企业已受理，一家待审。"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let v: i64 = res.json().await.unwrap();
    assert_eq!(v, 1);
    let after = rollup(&app, &dept, &[]).await;
    let s = after.summary.unwrap();
    assert_eq!((s.version, s.rollup.accepted, s.rollup.filed()), (1, 1, 1));
    assert_eq!(s.rollup.unmet_by_row.get("5.3"), Some(&1));
    assert_eq!(
        s.rollup.unmet_by_row.get("6.1"),
        None,
        "not accepted, not summarised"
    );
    assert_eq!(
        after.rollup.filed(),
        2,
        "the live roll-up still counts both"
    );
    assert_eq!(s.remarks, "本期一家企业已受理，一家待审。");

    // The county office sees the summary and the department's own forms side by side.
    let county = app.logged_in("wuhua").await;
    let v = rollup(&app, &county, &[("unit", DEPT)]).await;
    assert_eq!(v.summary.as_ref().map(|s| s.version), Some(1));
    assert_eq!(
        v.own_filing,
        Some((
            DEPT.to_string(),
            Some(app::domain::filing::FilingStatus::Submitted)
        ))
    );
    assert!(
        !v.can_file_summary,
        "the county does not file the department's summary"
    );
    let c = rollup(&app, &county, &[]).await;
    assert_eq!(
        c.children
            .iter()
            .find(|ch| ch.unit_id == DEPT)
            .and_then(|ch| ch.summary.as_ref())
            .map(|s| s.version),
        Some(1)
    );
    // Filing again is a new version; the county files its own for the city.
    app.call_with(&dept, "file_summary", &[("period", "2026-Y")])
        .await;
    assert_eq!(rollup(&app, &dept, &[]).await.summary.unwrap().version, 2);
    let res = app
        .call_with(&county, "file_summary", &[("period", "2026-Y")])
        .await;
    assert_eq!(res.status(), 200);
    let city = app.logged_in("city").await;
    let top = rollup(&app, &city, &[]).await;
    assert!(top
        .children
        .iter()
        .find(|c| c.unit_id == COUNTY)
        .unwrap()
        .summary
        .is_some());
    // Audited, with who and what.
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = 'summary.file'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(n, 3);
    // Not for a period whose window has not opened; not for an enterprise or the city.
    let res = app
        .call_with(&dept, "file_summary", &[("period", "2027-H1")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(matches!(app_error(res).await, AppError::Invalid(_)));
    let qiye = app.logged_in("qiye").await;
    assert_eq!(
        app.call_with(&qiye, "file_summary", &[("period", "2026-Y")])
            .await
            .status(),
        403
    );
    assert_eq!(
        app.call_with(&city, "file_summary", &[("period", "2026-Y")])
            .await
            .status(),
        403
    );
    // Plain form post (JavaScript off): back to the page with a confirmation.
    let res = dept
        .post(app.url("/api/file_summary"))
        .header("origin", &app.base)
        .header("referer", app.url("/rollup?period=2026-Y"))
        .header("accept", "text/html")
        .form(&[("period", "2026-Y"), ("remarks", "")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    let to = common::location(&res);
    assert!(to.contains("done=summary"), "{to}");
}

async fn the_city_report_counts_every_county_and_names_the_coverage_gaps(backend: Backend) {
    let app = in_window(backend).await;
    one_enterprise_filed_and_accepted(&app).await;
    let county = app.logged_in("wuhua").await;
    submit_filing(&app, &county, BindingKind::Government, &[], "1").await;
    let city = app.logged_in("city").await;
    let res = app
        .call_with(&city, "city_report", &[("period", "2026-Y")])
        .await;
    assert_eq!(res.status(), 200);
    let r: CityReport = res.json().await.unwrap();
    let (counties,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM unit WHERE kind IN ('county_government', 'management_committee')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(r.counties.len() as i64, counties);
    let wuhua = r.counties.iter().find(|c| c.unit_id == COUNTY).unwrap();
    assert_eq!(
        wuhua.own_status,
        Some(app::domain::filing::FilingStatus::Submitted)
    );
    assert_eq!(wuhua.rollup.filed(), 2);
    let sum: usize = r.counties.iter().map(|c| c.rollup.expected).sum::<usize>()
        + r.counties.len()
        + r.city_departments.len();
    assert_eq!(
        sum, r.total.expected,
        "counties + their governments + city departments = the city"
    );
    assert_eq!(r.total.filed(), 3);
    // 呈贡区 has enterprises and no department: a gap (无盲区).
    assert!(r
        .gaps
        .iter()
        .any(|(county, _, n)| county.starts_with("呈贡区") && *n > 0));
    let (gap_enterprises,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM enterprise e JOIN unit n ON n.unit_id = e.unit_id WHERE NOT EXISTS \
         (SELECT 1 FROM department_industry d JOIN unit dn ON dn.unit_id = d.unit_id WHERE d.industry_code = e.industry_code AND dn.county_id = n.county_id)",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        r.gaps.iter().map(|g| g.2 as i64).sum::<i64>(),
        gap_enterprises
    );
    let html = app
        .page_with(&city, "/report?period=2026-Y")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("零申报”工作情况报告")
            && html.contains("五华区人民政府")
            && html.contains("<svg")
    );
    for user in ["wuhua", "wuhua-ajj", "qiye", "huashan", "admin"] {
        let c = app.logged_in(user).await;
        assert_eq!(
            app.call_with(&c, "city_report", &[]).await.status(),
            403,
            "{user}"
        );
        assert_eq!(app.page_with(&c, "/report").await.status(), 403, "{user}");
    }
}

async fn every_table_and_the_filings_export_as_csv_and_xlsx_that_read_back(backend: Backend) {
    use calamine::Reader;
    let app = in_window(backend).await;
    one_enterprise_filed_and_accepted(&app).await;
    let city = app.logged_in("city").await;
    let get = |path: String| {
        let city = city.clone();
        let url = app.url(&path);
        async move {
            let res = city.get(url).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            res.bytes().await.unwrap().to_vec()
        }
    };
    // The filings themselves: one line per answered row of the department's enterprises.
    let csv =
        String::from_utf8(get(format!("/export/filings.csv?period=2026-Y&unit={DEPT}")).await)
            .unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert!(lines[0].starts_with("\u{feff}单位,类别"));
    let binding = app::domain::forms::binding_rows(BindingKind::Enterprise).count();
    assert_eq!(
        lines.len() - 1,
        binding,
        "every row the enterprise answered"
    );
    assert!(lines
        .iter()
        .any(|l| l.contains(",5.3,") && l.contains("不落实") && l.contains(EXPLANATION)));
    // The units of a county; the trend; the city report.
    let csv =
        String::from_utf8(get(format!("/export/units.csv?period=2026-Y&unit={COUNTY}")).await)
            .unwrap();
    assert!(csv.contains("五华区安全生产监督管理局") && csv.contains("已提交"));
    let csv = String::from_utf8(get("/export/trend.csv?period=2026-Y".into()).await).unwrap();
    assert_eq!(
        csv.trim_end().split("\r\n").count(),
        1 + app::model::rollup::TREND_PERIODS
    );
    for name in ["filings", "units", "trend", "rollup", "report"] {
        let bytes = get(format!("/export/{name}.xlsx?period=2026-Y")).await;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        assert!(sheet.height() > 1, "{name} has rows");
        let header: Vec<String> = sheet
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert!(
            header.iter().all(|h| !h.is_ascii() || h.is_empty()),
            "Chinese headers in {name}: {header:?}"
        );
    }
    let report = get("/export/report.xlsx?period=2026-Y".into()).await;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(report)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let wuhua = sheet
        .rows()
        .find(|r| r[0].to_string() == "五华区人民政府")
        .expect("五华区 in the report");
    assert_eq!(wuhua[2].to_string(), "2", "filed on time in 五华区");
}

async fn a_scope_outside_the_users_subtree_is_refused(backend: Backend) {
    let app = in_window(backend).await;
    let dept = app.logged_in("wuhua-ajj").await;
    let county = app.logged_in("wuhua").await;
    // A department sees only itself; a county office only its own county.
    for (client, unit, expected) in [
        (&dept, COUNTY, 403),
        (&dept, "county-530102-town-0", 403),
        (&dept, "county-530111", 403),
        (&county, "county-530111", 403),
        (&county, "city", 403),
        (&county, ENTERPRISE, 404),
        (&county, "no-such-unit", 404),
    ] {
        let res = app.call_with(client, "rollup", &[("unit", unit)]).await;
        assert_eq!(res.status(), expected, "rollup of {unit}");
        let res = client
            .get(app.url(&format!("/export/filings.csv?unit={unit}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), expected, "filings export of {unit}");
    }
    assert_eq!(
        rollup(&app, &county, &[("unit", DEPT)]).await.scope.unit_id,
        DEPT
    );
    assert_eq!(
        rollup(&app, &county, &[("unit", "county-530102-town-0")])
            .await
            .scope
            .kind,
        ScopeKind::Township
    );
}

async fn the_demo_history_rolls_up_like_an_independent_count_and_draws_a_trend(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            clock: Some("2027-01-05T10:00:00+08:00"),
            seed: true,
            history: 3,
        },
    )
    .await;
    // Inside the 2026-Y window, the closed periods are 2025-H1, 2025-Y and 2026-H1.
    let (periods,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT period_key) FROM filing")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(periods, 3);
    let city = app.logged_in("city").await;
    for period in ["2025-H1", "2025-Y", "2026-H1"] {
        let v = rollup(&app, &city, &[("period", period)]).await;
        let count = |sql: &'static str| {
            let db = app.db.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as(sql)
                    .bind(period)
                    .fetch_one(&db)
                    .await
                    .unwrap();
                n as usize
            }
        };
        assert_eq!(
            v.rollup.filed(),
            count("SELECT COUNT(*) FROM filing WHERE period_key = $1").await
        );
        assert_eq!(
            v.rollup.filed_late,
            count("SELECT COUNT(*) FROM filing WHERE period_key = $1 AND late = 1").await
        );
        assert_eq!(
            v.rollup.accepted,
            count("SELECT COUNT(*) FROM filing WHERE period_key = $1 AND status = 'accepted'")
                .await
        );
        assert_eq!(
            v.rollup.unmet_items(),
            count("SELECT COUNT(*) FROM filing_answer a JOIN filing f ON f.filing_id = a.filing_id WHERE f.period_key = $1 AND a.answer = 'not_done'").await
        );
        assert!(v.rollup.filed() > 0 && v.rollup.missing > 0 && v.rollup.with_unmet > 0);
        // Every late filing had an exception; every decision has its review.
        assert_eq!(
            count("SELECT COUNT(*) FROM filing f WHERE period_key = $1 AND late = 1 AND NOT EXISTS \
                   (SELECT 1 FROM late_exception x WHERE x.unit_id = f.unit_id AND x.period_key = f.period_key)").await,
            0
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM filing f WHERE period_key = $1 AND status IN ('accepted', 'returned') AND NOT EXISTS \
                   (SELECT 1 FROM filing_review r WHERE r.filing_id = f.filing_id)").await,
            0
        );
    }
    let now = rollup(&app, &city, &[]).await;
    assert_eq!(now.period.key(), "2026-Y");
    let filed: Vec<usize> = now.trend.iter().map(|p| p.filed).collect();
    assert_eq!(filed.len(), 6);
    assert!(
        filed[2..5].iter().all(|n| *n > 0) && filed[5] == 0,
        "{filed:?}"
    );
    // The department's history has decisions made by its demo account.
    let dept = app.logged_in("wuhua-ajj").await;
    assert!(
        rollup(&app, &dept, &[("period", "2026-H1")])
            .await
            .rollup
            .accepted
            > 0
    );
}
