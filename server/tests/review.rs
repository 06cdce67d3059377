//! Routing and review over HTTP, on SQLite and PostgreSQL: each filing reaches the unit it
//! goes to (107号 四、(二)), which accepts it or returns it with a reason; a returned filing
//! is amended as a new version without becoming late.

mod common;

use app::api::filing::{
    GetFiling, GetHistory, GetReviewQueue, ReviewFiling, ReviseFiling, SubmitFiling,
};
use app::api::rollup::GetRollup;
use app::domain::filing::FilingStatus;
use app::domain::forms::BindingKind;
use app::error::AppError;
use app::model::filing::{FilingView, ReviewQueue, SubmitOutcome};
use common::fixtures::{Account, Wuhua, AJJ_INDUSTRIES};
use common::{Backend, Options, TestApp};

on_both_databases!(
    an_enterprise_filing_reaches_the_department_supervising_its_industry_only,
    returning_needs_a_reason_and_the_filer_amends_without_becoming_late,
    departments_and_townships_go_to_the_county_office_and_counties_to_the_city,
    the_queue_filters_by_status_and_nil,
    roll_ups_count_what_an_independent_count_of_the_database_finds,
    the_roll_up_and_the_queue_export_as_csv_and_xlsx_that_read_back,
    supervisors_see_a_units_history_and_its_versions_side_by_side,
);

use common::submit_filing as file;

/// The whole queue for 2026-Y; narrow it with `GetReviewQueue { status: …, ..all() }`.
fn all() -> GetReviewQueue {
    GetReviewQueue {
        period: "2026-Y".into(),
        status: String::new(),
        nil: String::new(),
        industry: String::new(),
        township: String::new(),
    }
}

async fn queue(app: &TestApp, client: &reqwest::Client, filter: GetReviewQueue) -> ReviewQueue {
    app.try_fn(client, filter).await.expect("the queue")
}

fn accept(filing_id: &str) -> ReviewFiling {
    ReviewFiling {
        filing_id: filing_id.into(),
        decision: "accept".into(),
        reason: String::new(),
        untrue: String::new(),
    }
}

fn give_back(filing_id: &str, reason: &str) -> ReviewFiling {
    ReviewFiling {
        decision: "return".into(),
        reason: reason.into(),
        ..accept(filing_id)
    }
}

fn filing(version: &str) -> GetFiling {
    GetFiling {
        period: "2026-Y".into(),
        unit: String::new(),
        version: version.into(),
    }
}

async fn in_window(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, Options::fresh("2027-01-05T10:00:00+08:00")).await
}

/// 五华区 (see [`Wuhua`]) with an account in the enterprise and one in its department.
async fn wuhua_filer_and_reviewer(app: &TestApp) -> (Wuhua<'_>, Account, Account) {
    let wuhua = app.wuhua().await;
    let qiye = app.account_in(&wuhua.firm).await;
    let ajj = app.account_in(&wuhua.ajj).await;
    (wuhua, qiye, ajj)
}

async fn an_enterprise_filing_reaches_the_department_supervising_its_industry_only(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let (wuhua, qiye, dept) = wuhua_filer_and_reviewer(&app).await;
    // Another county's department of the same kind.
    let guandu = app.county("官渡区").await;
    let guandu_ajj = guandu
        .department("官渡区安全生产监督管理局", &AJJ_INDUSTRIES)
        .await;
    let filing_id = file(&app, &qiye, BindingKind::Enterprise, &[], "1").await;
    let q = queue(&app, &dept, all()).await;
    assert_eq!(
        q.rows
            .iter()
            .map(|r| r.unit_id.as_str())
            .collect::<Vec<_>>(),
        vec![wuhua.firm.id.as_str()],
        "the chemicals enterprise reaches 五华区安监局"
    );
    // Another county's department of the same kind does not see it and cannot decide on it.
    let other = app.account_in(&guandu_ajj).await;
    assert!(
        queue(&app, &other, all()).await.rows.is_empty(),
        "官渡区安监局 receives nothing from 五华区"
    );
    assert_eq!(
        app.try_fn(&other, accept(&filing_id)).await,
        Err(AppError::Forbidden),
        "only the receiving unit decides"
    );
    // The enterprise cannot review at all.
    assert_eq!(app.try_fn(&qiye, all()).await, Err(AppError::Forbidden));
    // The right department accepts, once.
    assert_eq!(
        app.try_fn(&dept, accept(&filing_id)).await,
        Ok(FilingStatus::Accepted)
    );
    assert_eq!(
        app.try_fn(&dept, give_back(&filing_id, "再次处理")).await,
        Err(AppError::Conflict(app::error::Conflict::NotAwaitingReview)),
        "a decided filing cannot be decided again"
    );
    let v: FilingView = app.try_fn(&qiye, filing("")).await.unwrap();
    assert_eq!(v.record.unwrap().status.code(), "accepted");
    assert_eq!(
        v.last_review.map(|r| r.decision),
        Some(app::domain::review::Decision::Accept)
    );
}

async fn returning_needs_a_reason_and_the_filer_amends_without_becoming_late(backend: Backend) {
    let app = in_window(backend).await;
    let (_wuhua, qiye, dept) = wuhua_filer_and_reviewer(&app).await;
    let filing_id = file(&app, &qiye, BindingKind::Enterprise, &[], "1").await;
    let err = app
        .try_fn(&dept, give_back(&filing_id, ""))
        .await
        .unwrap_err();
    assert_eq!(
        err.field_errors().and_then(|f| f.get("reason")),
        Some("err.return_reason"),
        "a return needs a reason"
    );
    assert_eq!(
        app.try_fn(
            &dept,
            give_back(&filing_id, "表5第3项与检查记录不符，请核实")
        )
        .await,
        Ok(FilingStatus::Returned)
    );
    // After the window has closed, the enterprise amends and resubmits.
    app.clock.set(Some(
        app::domain::time::parse_instant("2027-01-15T09:00:00+08:00").unwrap(),
    ));
    let v: FilingView = app.try_fn(&qiye, filing("")).await.unwrap();
    assert_eq!(v.record.as_ref().unwrap().status.code(), "returned");
    assert!(
        v.last_review.as_ref().unwrap().reason.contains("表5第3项"),
        "the filer sees the reason"
    );
    assert!(
        v.can_revise,
        "a returned filing can be amended after the window"
    );
    assert!(app
        .try_fn(
            &qiye,
            ReviseFiling {
                period: "2026-Y".into()
            }
        )
        .await
        .is_ok());
    let unmet = [("5.3", common::EXPLANATION)];
    assert!(app
        .try_fn(
            &qiye,
            common::filing_form(BindingKind::Enterprise, &unmet, "review")
        )
        .await
        .is_ok());
    let outcome = app
        .try_fn(
            &qiye,
            SubmitFiling {
                period: "2026-Y".into(),
                version: "2".into(),
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(outcome, SubmitOutcome::Submitted { late: false, .. }),
        "returning and resubmitting does not make an on-time filing late: {outcome:?}"
    );
    let q = queue(
        &app,
        &dept,
        GetReviewQueue {
            status: "submitted".into(),
            ..all()
        },
    )
    .await;
    assert_eq!(q.rows.len(), 1);
    assert_eq!(q.rows[0].version, 2, "the queue shows the new version");
    assert_eq!(
        app.try_fn(&dept, accept(&q.rows[0].filing_id)).await,
        Ok(FilingStatus::Accepted)
    );
    let old: FilingView = app.try_fn(&qiye, filing("1")).await.unwrap();
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
    let wuhua = app.wuhua().await;
    let dept = app.account_in(&wuhua.ajj).await;
    file(&app, &dept, BindingKind::Department, &[], "1").await;
    let town = app.account_in(&wuhua.town).await;
    file(&app, &town, BindingKind::Township, &[], "1").await;
    let county = app.account_in(&wuhua.county.office).await;
    file(&app, &county, BindingKind::Government, &[], "1").await;
    let mut units: Vec<String> = queue(&app, &county, all())
        .await
        .rows
        .into_iter()
        .map(|r| r.unit_id)
        .collect();
    units.sort();
    let mut expected = vec![wuhua.ajj.id.clone(), wuhua.town.id.clone()];
    expected.sort();
    assert_eq!(
        units, expected,
        "the county office receives its department and township"
    );
    let city = app.account_in(&app.city().await.office).await;
    let units: Vec<String> = queue(&app, &city, all())
        .await
        .rows
        .into_iter()
        .map(|r| r.unit_id)
        .collect();
    assert_eq!(
        units,
        vec![wuhua.county.government.id.clone()],
        "the city office receives the county government's filing"
    );
}

async fn the_queue_filters_by_status_and_nil(backend: Backend) {
    let app = in_window(backend).await;
    let (wuhua, qiye, dept) = wuhua_filer_and_reviewer(&app).await;
    file(&app, &qiye, BindingKind::Enterprise, &["6.3"], "1").await;
    let rows = |filter: GetReviewQueue| {
        let (app, dept) = (&app, &dept);
        async move { queue(app, dept, filter).await.rows.len() }
    };
    let unmet = GetReviewQueue {
        nil: "unmet".into(),
        ..all()
    };
    assert_eq!(rows(unmet).await, 1);
    let nil = GetReviewQueue {
        nil: "nil".into(),
        ..all()
    };
    assert_eq!(rows(nil).await, 0);
    let accepted = GetReviewQueue {
        status: "accepted".into(),
        ..all()
    };
    assert_eq!(rows(accepted).await, 0);
    let chemicals = GetReviewQueue {
        industry: "chemical".into(),
        ..all()
    };
    assert_eq!(rows(chemicals).await, 1);
    let fire = GetReviewQueue {
        industry: "fire".into(),
        ..all()
    };
    assert_eq!(rows(fire).await, 0);
    let in_town = GetReviewQueue {
        township: wuhua.town.id.clone(),
        ..all()
    };
    assert_eq!(rows(in_town).await, 1);
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

fn rollup_of(period: &str) -> GetRollup {
    GetRollup {
        period: period.into(),
        unit: String::new(),
        row: String::new(),
    }
}

async fn roll_ups_count_what_an_independent_count_of_the_database_finds(backend: Backend) {
    let app = in_window(backend).await;
    let (wuhua, qiye, dept) = wuhua_filer_and_reviewer(&app).await;
    // More enterprises, so the counts have something to tell apart: two more the department
    // supervises, one it does not (fire), one of its industry in another county.
    let county = &wuhua.county;
    county
        .enterprise("昆明金马化工有限公司", "chemical", Some(&wuhua.town))
        .await;
    county
        .enterprise("昆明云岭矿业有限公司", "non_coal_mine", None)
        .await;
    county
        .enterprise("昆明春城商贸城有限公司", "fire", Some(&wuhua.town))
        .await;
    app.county("官渡区")
        .await
        .enterprise("昆明关上化工有限公司", "chemical", None)
        .await;
    let filing_id = file(&app, &qiye, BindingKind::Enterprise, &["5.3", "6.3"], "1").await;
    assert!(app.try_fn(&dept, accept(&filing_id)).await.is_ok());
    file(&app, &dept, BindingKind::Department, &[], "1").await;
    let town = app.account_in(&wuhua.town).await;
    file(&app, &town, BindingKind::Township, &["3.1.3"], "1").await;

    // The department: its enterprises (an independent count of the units made).
    let (expected,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM enterprise e JOIN unit n ON n.unit_id = e.unit_id WHERE n.county_id = $1 \
         AND e.industry_code IN (SELECT industry_code FROM department_industry WHERE unit_id = $2)",
    )
    .bind(&county.government.id)
    .bind(&wuhua.ajj.id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        expected, 3,
        "the three enterprises of its industries in 五华区"
    );
    let v = app.try_fn(&dept, rollup_of("2026-Y")).await.unwrap();
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
    app.assert_counts_match_a_recount().await;

    // The county office: departments, townships and enterprises of 五华区.
    let (expected,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM unit WHERE county_id = $1 AND kind IN ('department', 'township', 'enterprise')")
        .bind(&county.government.id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        expected, 6,
        "one department, one township, four enterprises"
    );
    let office = app.account_in(&county.office).await;
    let v = app.try_fn(&office, rollup_of("2026-Y")).await.unwrap();
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
        .page_with(&office, "/rollup?period=2026-Y")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<svg") && html.contains("零申报汇总"),
        "the page draws its charts on the server"
    );
    // An enterprise has no roll-up.
    assert_eq!(
        app.try_fn(&qiye, rollup_of("")).await.map(|_| ()),
        Err(AppError::Forbidden)
    );
}

async fn the_roll_up_and_the_queue_export_as_csv_and_xlsx_that_read_back(backend: Backend) {
    use calamine::Reader;
    let app = in_window(backend).await;
    let (_wuhua, qiye, dept) = wuhua_filer_and_reviewer(&app).await;
    file(&app, &qiye, BindingKind::Enterprise, &["5.3"], "1").await;
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
    let (wuhua, qiye, dept) = wuhua_filer_and_reviewer(&app).await;
    let first = file(&app, &qiye, BindingKind::Enterprise, &[], "1").await;
    assert!(app
        .try_fn(&dept, give_back(&first, "请补充表5说明"))
        .await
        .is_ok());
    assert!(app
        .try_fn(
            &qiye,
            ReviseFiling {
                period: "2026-Y".into()
            }
        )
        .await
        .is_ok());
    file(&app, &qiye, BindingKind::Enterprise, &["5.3"], "2").await;
    let history = || GetHistory {
        unit: wuhua.firm.id.clone(),
        period: "2026-Y".into(),
    };
    let h = app.try_fn(&dept, history()).await.unwrap();
    let actions: Vec<&str> = h.events.iter().map(|e| e.action.as_str()).collect();
    // The enterprise was made through the admin's code, so its history opens with that.
    assert_eq!(
        actions,
        vec![
            "unit.create",
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
    assert_eq!(
        ret.actor.as_deref(),
        Some(dept.display_name.as_str()),
        "who"
    );
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
        .page_with(
            &dept,
            &format!("/history?unit={}&period=2026-Y", wuhua.firm.id),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("各版本对照") && html.contains("differs"),
        "the page marks the row that changed"
    );
    // A county office elsewhere may not look.
    let guandu = app.county("官渡区").await;
    let other = app.account_in(&guandu.office).await;
    assert_eq!(
        app.try_fn(&other, history()).await.map(|_| ()),
        Err(AppError::Forbidden)
    );
}
