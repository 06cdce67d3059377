//! The reporting chain above review, on SQLite and PostgreSQL (107号 四、(二)): the city's
//! drill-down to a county, a department, an enterprise and the row with its explanation;
//! summaries filed upward and seen by the office above; the city government's report; the
//! trend across periods; every table and the filings themselves exported and read back.

mod common;

use app::api::filing::ReviewFiling;
use app::api::rollup::{FileSummary, GetCityReport, GetRollup};
use app::domain::forms::BindingKind;
use app::error::AppError;
use app::model::rollup::{RollupView, ScopeKind};
use common::fixtures::{Account, Unit, Wuhua};
use common::{encoded, submit_filing, Backend, Options, TestApp, EXPLANATION};

on_both_databases!(
    the_city_drills_down_to_a_county_a_department_an_enterprise_and_the_row,
    departments_and_counties_file_summaries_upward_that_the_office_above_sees,
    the_city_report_counts_every_county_and_names_the_coverage_gaps,
    every_table_and_the_filings_export_as_csv_and_xlsx_that_read_back,
    a_scope_outside_the_users_subtree_is_refused,
    the_demo_history_rolls_up_like_an_independent_count_and_draws_a_trend,
);

async fn in_window(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, Options::fresh("2027-01-05T10:00:00+08:00")).await
}

/// The roll-up of `unit` (empty: the user's own scope) for 2026-Y.
fn of(unit: &str) -> GetRollup {
    GetRollup {
        period: "2026-Y".into(),
        unit: unit.into(),
        row: String::new(),
    }
}

async fn rollup(app: &TestApp, client: &reqwest::Client, args: GetRollup) -> RollupView {
    app.try_fn(client, args)
        .await
        .unwrap_or_else(|e| panic!("the roll-up: {e:?}"))
}

fn summary(period: &str, remarks: &str) -> FileSummary {
    FileSummary {
        period: period.into(),
        remarks: remarks.into(),
    }
}

/// The city's map for these tests: 五华区 (see [`Wuhua`]) with accounts in its enterprise
/// and its department; 官渡区 with a department and a township, where nothing is filed; 呈贡区
/// with an enterprise that no department supervises (a coverage gap).
struct City<'a> {
    wuhua: Wuhua<'a>,
    qiye: Account,
    ajj: Account,
    guandu_ajj: Unit,
    guandu: Unit,
}

async fn city_map(app: &TestApp) -> City<'_> {
    let wuhua = app.wuhua().await;
    let qiye = app.account_in(&wuhua.firm).await;
    let ajj = app.account_in(&wuhua.ajj).await;
    let guandu = app.county("官渡区").await;
    let guandu_ajj = guandu
        .department("官渡区安全生产监督管理局", &["chemical"])
        .await;
    guandu.township("关上街道").await;
    app.county("呈贡区")
        .await
        .enterprise("昆明龙城建材有限公司", "building_materials", None)
        .await;
    City {
        wuhua,
        qiye,
        ajj,
        guandu_ajj,
        guandu: guandu.government,
    }
}

/// The enterprise files with 5.3 unmet, its department accepts, the department files its own
/// forms: the situation the drill-down and the summaries look at.
async fn one_enterprise_filed_and_accepted(app: &TestApp, map: &City<'_>) {
    let filing_id = submit_filing(app, &map.qiye, BindingKind::Enterprise, &["5.3"], "1").await;
    let accept = ReviewFiling {
        filing_id,
        decision: "accept".into(),
        reason: String::new(),
        untrue: String::new(),
    };
    assert!(app.try_fn(&map.ajj, accept).await.is_ok());
    submit_filing(app, &map.ajj, BindingKind::Department, &[], "1").await;
}

/// A count in the database, with the query's parameters.
async fn count(app: &TestApp, sql: &str, binds: &[&str]) -> i64 {
    let mut query = sqlx::query_as(sql);
    for b in binds {
        query = query.bind(b.to_string());
    }
    let (n,): (i64,) = query.fetch_one(&app.db).await.unwrap();
    n
}

const COUNTIES: &str =
    "SELECT COUNT(*) FROM unit WHERE kind IN ('county_government', 'management_committee')";

async fn the_city_drills_down_to_a_county_a_department_an_enterprise_and_the_row(backend: Backend) {
    let app = in_window(backend).await;
    let map = city_map(&app).await;
    one_enterprise_filed_and_accepted(&app, &map).await;
    let (county_id, dept_id, firm_id) = (
        map.wuhua.county.government.id.as_str(),
        map.wuhua.ajj.id.as_str(),
        map.wuhua.firm.id.as_str(),
    );
    let city = app.account_in(&app.city().await.office).await;

    // The city: every county as a child, 五华区 with its two filings below it.
    let top = rollup(&app, &city, of("")).await;
    assert_eq!(top.scope.kind, ScopeKind::City);
    let counties = count(&app, COUNTIES, &[]).await;
    assert_eq!(counties, 3, "五华区, 官渡区, 呈贡区");
    assert_eq!(top.children.len() as i64, counties);
    let wuhua = top
        .children
        .iter()
        .find(|c| c.unit_id == county_id)
        .unwrap();
    assert_eq!((wuhua.filed, wuhua.unmet_items), (2, 1));
    let in_wuhua = count(
        &app,
        "SELECT COUNT(*) FROM unit WHERE county_id = $1 AND kind IN ('department', 'township', 'enterprise')",
        &[county_id],
    )
    .await;
    assert_eq!(wuhua.expected as i64, in_wuhua);
    assert_eq!(top.rollup.filed(), 2);

    // The county: its departments and townships; the department's enterprises filed 1.
    let county = rollup(&app, &city, of(county_id)).await;
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
    let dept = county
        .children
        .iter()
        .find(|c| c.unit_id == dept_id)
        .unwrap();
    assert_eq!((dept.filed, dept.unmet_items), (1, 1));
    assert_eq!(
        dept.own_status,
        Some(app::domain::filing::FilingStatus::Submitted),
        "the department's own nine forms"
    );

    // The department: its enterprises, the one that filed with its unmet row and explanation.
    let d = rollup(&app, &city, of(dept_id)).await;
    assert_eq!(d.scope.kind, ScopeKind::Department);
    assert_eq!(d.rollup.expected, dept.expected);
    let line = d.units.iter().find(|u| u.unit_id == firm_id).unwrap();
    assert_eq!(
        line.unmet,
        vec![app::domain::filing::UnmetItem {
            row_id: "5.3".to_string(),
            explanation: EXPLANATION.to_string()
        }]
    );
    assert_eq!(
        line.status,
        Some(app::domain::filing::FilingStatus::Accepted)
    );

    // The row: who answered it 不落实, and why.
    let row = rollup(
        &app,
        &city,
        GetRollup {
            row: "5.3".into(),
            ..of(dept_id)
        },
    )
    .await;
    let detail = row.row.unwrap();
    assert_eq!(
        detail.units,
        vec![(
            firm_id.to_string(),
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
        html.contains(&format!("/rollup?period=2026-Y&amp;unit={county_id}"))
            || html.contains(&format!("/rollup?period=2026-Y&unit={county_id}"))
    );
    let html = app
        .page_with(
            &city,
            &format!("/rollup?period=2026-Y&unit={dept_id}&row=5.3"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("昆明华山化工有限公司") && html.contains(EXPLANATION));
    assert!(
        html.contains(&format!("unit={firm_id}")),
        "the enterprise's forms are linked"
    );
    // …and the enterprise's forms open for the city, with the explanation in them.
    let html = app
        .page_with(
            &city,
            &format!("/filing/print?period=2026-Y&unit={firm_id}"),
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
    let map = city_map(&app).await;
    one_enterprise_filed_and_accepted(&app, &map).await;
    let (county_id, dept_id) = (
        map.wuhua.county.government.id.as_str(),
        map.wuhua.ajj.id.as_str(),
    );
    let dept = &map.ajj;
    // A second enterprise of the department files, but is not accepted yet.
    let other = map
        .wuhua
        .county
        .enterprise("昆明金马化工有限公司", "chemical", None)
        .await;
    let qiye2 = app.account_in(&other).await;
    submit_filing(&app, &qiye2, BindingKind::Enterprise, &["6.1"], "1").await;

    // The department files its summary: only the accepted filing is in it.
    let before = rollup(&app, dept, of("")).await;
    assert!(before.can_file_summary && before.summary.is_none());
    let v = app
        .try_fn(dept, summary("2026-Y", "本期一家企业已受理，一家待审。"))
        .await;
    assert_eq!(v, Ok(1));
    let after = rollup(&app, dept, of("")).await;
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
    let county = app.account_in(&map.wuhua.county.office).await;
    let v = rollup(&app, &county, of(dept_id)).await;
    assert_eq!(v.summary.as_ref().map(|s| s.version), Some(1));
    assert_eq!(
        v.own_filing,
        Some((
            dept_id.to_string(),
            Some(app::domain::filing::FilingStatus::Submitted)
        ))
    );
    assert!(
        !v.can_file_summary,
        "the county does not file the department's summary"
    );
    let c = rollup(&app, &county, of("")).await;
    assert_eq!(
        c.children
            .iter()
            .find(|ch| ch.unit_id == dept_id)
            .and_then(|ch| ch.summary.as_ref())
            .map(|s| s.version),
        Some(1)
    );
    // Filing again is a new version; the county files its own for the city.
    assert_eq!(app.try_fn(dept, summary("2026-Y", "")).await, Ok(2));
    assert_eq!(rollup(&app, dept, of("")).await.summary.unwrap().version, 2);
    assert!(app.try_fn(&county, summary("2026-Y", "")).await.is_ok());
    let city = app.account_in(&app.city().await.office).await;
    let top = rollup(&app, &city, of("")).await;
    assert!(top
        .children
        .iter()
        .find(|c| c.unit_id == county_id)
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
    assert!(matches!(
        app.try_fn(dept, summary("2027-H1", "")).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(
        app.try_fn(&map.qiye, summary("2026-Y", "")).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        app.try_fn(&city, summary("2026-Y", "")).await,
        Err(AppError::Forbidden)
    );
    // Plain form post (JavaScript off): back to the page with a confirmation.
    let (path, body) = encoded(&summary("2026-Y", ""));
    let res = dept
        .post(app.url(path))
        .header("origin", &app.base)
        .header("referer", app.url("/rollup?period=2026-Y"))
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    let to = common::location(&res);
    assert!(to.contains("done=summary"), "{to}");
}

async fn the_city_report_counts_every_county_and_names_the_coverage_gaps(backend: Backend) {
    let app = in_window(backend).await;
    let map = city_map(&app).await;
    one_enterprise_filed_and_accepted(&app, &map).await;
    let county = app.account_in(&map.wuhua.county.office).await;
    submit_filing(&app, &county, BindingKind::Government, &[], "1").await;
    let city = app.account_in(&app.city().await.office).await;
    let report = |period: &str| GetCityReport {
        period: period.into(),
    };
    let r = app.try_fn(&city, report("2026-Y")).await.unwrap();
    let counties = count(&app, COUNTIES, &[]).await;
    assert_eq!(r.counties.len() as i64, counties);
    let wuhua = r
        .counties
        .iter()
        .find(|c| c.unit_id == map.wuhua.county.government.id)
        .unwrap();
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
    // 呈贡区 has an enterprise and no department: a gap (无盲区).
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
    assert_eq!(gap_enterprises, 1, "昆明龙城建材有限公司 in 呈贡区");
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
    for user in [
        county,
        app.account_in(&map.wuhua.ajj).await,
        app.account_in(&map.wuhua.firm).await,
        app.account_in(&map.wuhua.town).await,
        app.admin().await,
    ] {
        let role = user.role.code();
        assert_eq!(
            app.try_fn(&user, report("")).await.map(|_| ()),
            Err(AppError::Forbidden),
            "{role}"
        );
        assert_eq!(
            app.page_with(&user, "/report").await.status(),
            403,
            "{role}"
        );
    }
}

async fn every_table_and_the_filings_export_as_csv_and_xlsx_that_read_back(backend: Backend) {
    use calamine::Reader;
    let app = in_window(backend).await;
    let map = city_map(&app).await;
    one_enterprise_filed_and_accepted(&app, &map).await;
    let (county_id, dept_id) = (&map.wuhua.county.government.id, &map.wuhua.ajj.id);
    let city = app.account_in(&app.city().await.office).await.client;
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
        String::from_utf8(get(format!("/export/filings.csv?period=2026-Y&unit={dept_id}")).await)
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
        String::from_utf8(get(format!("/export/units.csv?period=2026-Y&unit={county_id}")).await)
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
        .find(|r| r[0] == "五华区人民政府")
        .expect("五华区 in the report");
    assert_eq!(wuhua[2].to_string(), "2", "filed on time in 五华区");
}

async fn a_scope_outside_the_users_subtree_is_refused(backend: Backend) {
    let app = in_window(backend).await;
    let map = city_map(&app).await;
    let wuhua = &map.wuhua;
    let dept = &map.ajj;
    let county = app.account_in(&wuhua.county.office).await;
    let (forbidden, not_found) = (AppError::Forbidden, AppError::NotFound);
    // A department sees only itself; a county office only its own county.
    for (client, unit, expected) in [
        (dept, wuhua.county.government.id.as_str(), &forbidden),
        (dept, wuhua.town.id.as_str(), &forbidden),
        (dept, map.guandu.id.as_str(), &forbidden),
        (dept, map.guandu_ajj.id.as_str(), &forbidden),
        (&county, map.guandu.id.as_str(), &forbidden),
        (&county, "city", &forbidden),
        (&county, wuhua.firm.id.as_str(), &not_found),
        (&county, "no-such-unit", &not_found),
    ] {
        let scope = GetRollup {
            period: String::new(),
            ..of(unit)
        };
        assert_eq!(
            app.try_fn(client, scope).await.map(|_| ()),
            Err(expected.clone()),
            "rollup of {unit}"
        );
        let res = client
            .get(app.url(&format!("/export/filings.csv?unit={unit}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status().as_u16(),
            expected.status(),
            "filings export of {unit}"
        );
    }
    assert_eq!(
        rollup(&app, &county, of(&wuhua.ajj.id)).await.scope.unit_id,
        wuhua.ajj.id
    );
    assert_eq!(
        rollup(&app, &county, of(&wuhua.town.id)).await.scope.kind,
        ScopeKind::Township
    );
}

async fn the_demo_history_rolls_up_like_an_independent_count_and_draws_a_trend(backend: Backend) {
    // On the demo seed with its history: this is about the history the demo loads (past
    // periods over the whole map), checked against counts of its own tables.
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
        let v = rollup(
            &app,
            &city,
            GetRollup {
                period: period.into(),
                ..of("")
            },
        )
        .await;
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
    let now = rollup(&app, &city, of("")).await;
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
        rollup(
            &app,
            &dept,
            GetRollup {
                period: "2026-H1".into(),
                ..of("")
            }
        )
        .await
        .rollup
        .accepted
            > 0
    );
}
