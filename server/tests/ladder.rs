//! The escalation ladder (昆政办〔2010〕106号) over HTTP, on SQLite and PostgreSQL, with the fixed
//! clock stepping through the periods: proposals from the data citing their articles, issuing
//! and dismissing (audited), the direction of issuance (第二条), the 15 days of 第九条, replies
//! and reports, public disclosure (第七条), accidents (第六条), notices.

mod common;

use app::domain::forms::BindingKind;
use app::domain::ladder::{Evidence, Rung};
use app::domain::time::parse_instant;
use app::error::AppError;
use app::model::escalation::{EscalationView, EscalationsPage, Inbox, Notice, ReplyState};
use common::{app_error, submit_filing, Backend, Options, TestApp};

on_both_databases!(
    an_enterprise_with_an_unmet_row_in_form_5_gets_a_proposed_notification_citing_article_5,
    a_county_with_no_filing_after_the_window_gets_a_proposed_notification,
    an_admonition_without_a_report_after_15_days_and_not_after_14_is_proposed_for_disclosure,
    dismissing_and_issuing_are_audited_and_a_dismissed_proposal_stays_dismissed,
    sideways_and_upward_issuance_is_refused,
    the_target_acknowledges_and_reports_and_the_issuer_asks_for_more_then_accepts,
    the_public_page_shows_a_disclosed_unit_until_the_issuer_lifts_it,
    two_ordinary_accidents_within_a_month_get_a_proposed_admonition,
    notices_cover_the_window_returned_filings_and_the_brief,
    a_filing_returned_as_untrue_gets_a_proposed_notification,
    a_run_weighs_again_only_the_units_whose_facts_changed_or_turned_with_the_date,
);

const ENTERPRISE: &str = "ent-530102-demo";

async fn app_at(backend: Backend, at: &'static str) -> TestApp {
    TestApp::spawn_with(
        backend,
        Options {
            clock: Some(at),
            seed: true,
            ..Default::default()
        },
    )
    .await
}

fn set_clock(app: &TestApp, at: &str) {
    app.clock.set(Some(parse_instant(at).unwrap()));
}

async fn page(app: &TestApp, client: &reqwest::Client) -> EscalationsPage {
    let res = app.call_with(client, "escalations", &[]).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn run(app: &TestApp, client: &reqwest::Client) -> usize {
    let res = app.call_with(client, "run_proposals", &[]).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

fn proposals_for<'a>(p: &'a EscalationsPage, target: &str, rung: Rung) -> Vec<&'a EscalationView> {
    p.proposals
        .iter()
        .filter(|e| e.target_unit_id == target && e.rung == rung)
        .collect()
}

async fn issue_manual(
    app: &TestApp,
    client: &reqwest::Client,
    target: &str,
    rung: Rung,
) -> reqwest::Response {
    app.call_with(
        client,
        "issue_manual",
        &[
            ("target_unit_id", target),
            ("rung", rung.code()),
            (
                "reasons",
                "2026年度零申报多项不落实，经提示告知后仍未整改。",
            ),
            ("measures", "限期整改，按期报告。"),
        ],
    )
    .await
}

async fn escalation(app: &TestApp, client: &reqwest::Client, id: &str) -> EscalationView {
    let res = app.call_with(client, "escalation", &[("id", id)]).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn audit_count(app: &TestApp, action: &str, subject: &str) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = $1 AND subject_id = $2")
            .bind(action)
            .bind(subject)
            .fetch_one(&app.db)
            .await
            .unwrap();
    n
}

async fn an_enterprise_with_an_unmet_row_in_form_5_gets_a_proposed_notification_citing_article_5(
    backend: Backend,
) {
    let app = app_at(backend, "2027-01-05T10:00:00+08:00").await;
    let qiye = app.logged_in("qiye").await;
    submit_filing(&app, &qiye, BindingKind::Enterprise, &["5.3"], "1").await;
    // The window closes at the end of 10 January (Kunming).
    set_clock(&app, "2027-01-11T09:00:00+08:00");
    let county = app.logged_in("wuhua").await;
    let p = page(&app, &county).await; // opening the page works out the day's proposals
    let found = proposals_for(&p, ENTERPRISE, Rung::Notification);
    assert_eq!(
        found.len(),
        1,
        "one 告知 for the enterprise: {:?}",
        p.proposals
            .iter()
            .map(|e| (&e.target_unit_id, e.rung))
            .collect::<Vec<_>>()
    );
    let e = found[0];
    assert_eq!(e.period_key.as_deref(), Some("2026-Y"));
    let row = e
        .evidence
        .iter()
        .find(|r| matches!(&r.evidence, Evidence::UnmetRow { row_id, .. } if row_id == "5.3"))
        .expect("the unmet row is the evidence");
    assert!(row.clause.starts_with("第五条"), "{}", row.clause);
    assert!(
        e.reasons.contains(common::EXPLANATION),
        "the wording quotes the explanation"
    );
    // A unit that filed everything done gets nothing for its rows; the demo enterprise no 提示.
    assert!(proposals_for(&p, ENTERPRISE, Rung::Prompt).is_empty());
    // Running again adds nothing new.
    assert_eq!(run(&app, &county).await, 0);
    // The proposal is the office's: the enterprise cannot see it, nor its department.
    let res = app
        .call_with(&qiye, "escalation", &[("id", &e.escalation_id)])
        .await;
    assert_eq!(res.status(), 403);
}

async fn a_county_with_no_filing_after_the_window_gets_a_proposed_notification(backend: Backend) {
    let app = app_at(backend, "2027-01-10T23:00:00+08:00").await;
    let city = app.logged_in("city").await;
    // Still inside the window: the period weighed is 2026-H1, whose window closed long ago,
    // so a county that did not file for 2026-H1 is proposed; 2026-Y is not judged yet.
    let p = page(&app, &city).await;
    let h1 = proposals_for(&p, "county-530102", Rung::Notification);
    assert_eq!(h1.len(), 1);
    assert_eq!(h1[0].period_key.as_deref(), Some("2026-H1"));
    // After the window closes, the 2026-Y filing that did not come is proposed too.
    set_clock(&app, "2027-01-11T00:00:01+08:00");
    run(&app, &city).await;
    let p = page(&app, &city).await;
    let y = p
        .proposals
        .iter()
        .find(|e| e.target_unit_id == "county-530102" && e.period_key.as_deref() == Some("2026-Y"))
        .expect("a proposal on 2026-Y");
    assert_eq!(y.rung, Rung::Notification);
    let missing = y
        .evidence
        .iter()
        .find(|r| matches!(&r.evidence, Evidence::MissingFiling { period_key } if period_key == "2026-Y"))
        .expect("the missing filing is the evidence");
    assert_eq!(missing.clause, "第五条（四）");
    // A county that filed on time is not proposed for 2026-Y.
    let app2 = app_at(backend, "2027-01-05T10:00:00+08:00").await;
    let wuhua = app2.logged_in("wuhua").await;
    submit_filing(&app2, &wuhua, BindingKind::Government, &[], "1").await;
    set_clock(&app2, "2027-01-11T09:00:00+08:00");
    let city2 = app2.logged_in("city").await;
    let p2 = page(&app2, &city2).await;
    assert!(!p2
        .proposals
        .iter()
        .any(|e| e.target_unit_id == "county-530102" && e.period_key.as_deref() == Some("2026-Y")));
}

async fn an_admonition_without_a_report_after_15_days_and_not_after_14_is_proposed_for_disclosure(
    backend: Backend,
) {
    let app = app_at(backend, "2027-02-01T10:00:00+08:00").await;
    let county = app.logged_in("wuhua").await;
    let res = issue_manual(&app, &county, ENTERPRISE, Rung::Admonition).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let number: String = res.json().await.unwrap();
    assert_eq!(number, "五华区安委办告诫〔2027〕1号");
    let p = page(&app, &county).await;
    let issued = p
        .issued
        .iter()
        .find(|e| e.number.as_deref() == Some(number.as_str()))
        .unwrap();
    assert_eq!(
        issued.reply_due.as_deref(),
        Some("2027-02-16"),
        "15 days, counted in Kunming days (第九条)"
    );
    let disclosure = |p: &EscalationsPage| {
        p.proposals
            .iter()
            .filter(|e| e.target_unit_id == ENTERPRISE && e.rung == Rung::Disclosure)
            .count()
    };
    // Day 14, and the last minute of day 15: not yet.
    for at in ["2027-02-15T10:00:00+08:00", "2027-02-16T23:59:00+08:00"] {
        set_clock(&app, at);
        run(&app, &county).await;
        assert_eq!(disclosure(&page(&app, &county).await), 0, "at {at}");
    }
    // The next Kunming day (16:00 UTC on the 16th): the report is overdue.
    set_clock(&app, "2027-02-16T16:00:00Z");
    run(&app, &county).await;
    let p = page(&app, &county).await;
    assert_eq!(disclosure(&p), 1);
    let e = p
        .proposals
        .iter()
        .find(|e| e.target_unit_id == ENTERPRISE && e.rung == Rung::Disclosure)
        .unwrap();
    let overdue = e
        .evidence
        .iter()
        .find(|r| matches!(&r.evidence, Evidence::RectificationOverdue { escalation_no, .. } if *escalation_no == number))
        .expect("the overdue report is the evidence");
    assert!(
        overdue.clause.contains("第九条") || overdue.clause.contains("第七条"),
        "{}",
        overdue.clause
    );
    let issued = p
        .issued
        .iter()
        .find(|e| e.number.as_deref() == Some(number.as_str()))
        .unwrap();
    assert_eq!(issued.reply, ReplyState::Overdue);
    assert_eq!(p.dashboard.overdue, 1);
}

async fn dismissing_and_issuing_are_audited_and_a_dismissed_proposal_stays_dismissed(
    backend: Backend,
) {
    let app = app_at(backend, "2027-01-05T10:00:00+08:00").await;
    let qiye = app.logged_in("qiye").await;
    submit_filing(&app, &qiye, BindingKind::Enterprise, &["1.3", "5.3"], "1").await;
    set_clock(&app, "2027-01-11T09:00:00+08:00");
    let county = app.logged_in("wuhua").await;
    let p = page(&app, &county).await;
    let prompt = proposals_for(&p, ENTERPRISE, Rung::Prompt)[0]
        .escalation_id
        .clone();
    let notification = proposals_for(&p, ENTERPRISE, Rung::Notification)[0]
        .escalation_id
        .clone();
    assert_eq!(audit_count(&app, "escalation.propose", &prompt).await, 1);

    // Dismissing needs a reason, next to its field.
    let res = app
        .call_with(
            &county,
            "dismiss_escalation",
            &[("escalation_id", &prompt), ("reason", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    match app_error(res).await {
        AppError::Invalid(f) => assert_eq!(f.get("reason"), Some("err.dismiss_reason")),
        e => panic!("{e:?}"),
    }
    let res = app
        .call_with(
            &county,
            "dismiss_escalation",
            &[
                ("escalation_id", &prompt),
                ("reason", "已当面督促，企业已落实专职安全员。"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(audit_count(&app, "escalation.dismiss", &prompt).await, 1);

    // Issuing with edited wording numbers the document and records before and after.
    let res = app
        .call_with(
            &county,
            "issue_escalation",
            &[
                ("escalation_id", &notification),
                (
                    "reasons",
                    "你单位2026年度零申报表5第3项不落实：重大隐患未按期整改。",
                ),
                ("measures", "30日内完成整改并书面回复。"),
                ("reply_due", "2027-02-10"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let number: String = res.json().await.unwrap();
    assert_eq!(number, "五华区安委办告知〔2027〕1号");
    let (before, after): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT before_json, after_json FROM audit_event WHERE action = 'escalation.issue' AND subject_id = $1",
    )
    .bind(&notification)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(before.unwrap().contains("proposed"));
    let after = after.unwrap();
    assert!(
        after.contains(&number)
            && after.contains("重大隐患未按期整改")
            && after.contains("2027-02-10")
    );
    // Twice is refused; a dismissed proposal is not made again.
    let res = app
        .call_with(
            &county,
            "issue_escalation",
            &[("escalation_id", &notification)],
        )
        .await;
    assert_eq!(res.status(), 409);
    let res = app
        .call_with(&county, "issue_escalation", &[("escalation_id", &prompt)])
        .await;
    assert_eq!(res.status(), 409);
    run(&app, &county).await;
    let p = page(&app, &county).await;
    assert!(
        proposals_for(&p, ENTERPRISE, Rung::Prompt).is_empty(),
        "dismissed stays dismissed"
    );
    assert!(
        proposals_for(&p, ENTERPRISE, Rung::Notification).is_empty(),
        "issued is not proposed again"
    );
    // Another office cannot issue or dismiss this office's proposals.
    let city = app.logged_in("city").await;
    let other = p
        .proposals
        .iter()
        .find(|e| e.target_unit_id != ENTERPRISE)
        .unwrap();
    let res = app
        .call_with(
            &city,
            "dismiss_escalation",
            &[
                ("escalation_id", &other.escalation_id),
                ("reason", "越权驳回测试"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
}

async fn sideways_and_upward_issuance_is_refused(backend: Backend) {
    let app = app_at(backend, "2027-02-01T10:00:00+08:00").await;
    let county = app.logged_in("wuhua").await;
    let (far,): (String,) = sqlx::query_as("SELECT unit_id FROM unit WHERE kind = 'enterprise' AND county_id = 'county-530111' ORDER BY unit_id LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    for (target, key) in [
        (far.as_str(), "err.ladder_sideways"),
        ("county-530111", "err.ladder_sideways"),
        ("city", "err.ladder_upward"),
        ("county-530102", "err.ladder_own_government"),
    ] {
        let res = issue_manual(&app, &county, target, Rung::Prompt).await;
        assert_eq!(res.status(), 422, "{target}");
        match app_error(res).await {
            AppError::Invalid(f) => assert_eq!(f.get("target_unit_id"), Some(key), "{target}"),
            e => panic!("{target}: {e:?}"),
        }
    }
    // Departments, townships and enterprises issue nothing.
    for user in ["wuhua-ajj", "huashan", "qiye"] {
        let c = app.logged_in(user).await;
        assert_eq!(
            issue_manual(&app, &c, ENTERPRISE, Rung::Prompt)
                .await
                .status(),
            403,
            "{user}"
        );
        assert_eq!(
            app.call_with(&c, "run_proposals", &[]).await.status(),
            403,
            "{user}"
        );
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM escalation")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing was issued");
    // Downward works: the city to a county government, the county to its enterprise.
    let city = app.logged_in("city").await;
    assert_eq!(
        issue_manual(&app, &city, "county-530111", Rung::Prompt)
            .await
            .status(),
        200
    );
    assert_eq!(
        issue_manual(&app, &county, ENTERPRISE, Rung::Prompt)
            .await
            .status(),
        200
    );
}

async fn the_target_acknowledges_and_reports_and_the_issuer_asks_for_more_then_accepts(
    backend: Backend,
) {
    let app = app_at(backend, "2027-02-01T10:00:00+08:00").await;
    let county = app.logged_in("wuhua").await;
    let res = issue_manual(&app, &county, ENTERPRISE, Rung::Admonition).await;
    let number: String = res.json().await.unwrap();
    let qiye = app.logged_in("qiye").await;
    let inbox: Inbox = app
        .call_with(&qiye, "inbox", &[])
        .await
        .json()
        .await
        .unwrap();
    let e = inbox
        .escalations
        .iter()
        .find(|e| e.number.as_deref() == Some(number.as_str()))
        .unwrap()
        .clone();
    assert!(inbox
        .notices
        .iter()
        .any(|n| matches!(n, Notice::NewEscalation { number: x, .. } if *x == number)));
    assert!(e.actions.acknowledge && e.actions.respond && !e.actions.close);
    // The header counts it; the home page lists it.
    let html = app.page_with(&qiye, "/").await.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"bell\"")
            && html.contains("home-notices")
            && html.contains(&number)
    );
    assert_eq!(
        app.call_with(&qiye, "acknowledge_escalation", &[("id", &e.escalation_id)])
            .await
            .status(),
        200
    );
    assert_eq!(
        audit_count(&app, "escalation.acknowledge", &e.escalation_id).await,
        1
    );
    // Three days before the report is due, a reminder appears.
    set_clock(&app, "2027-02-13T09:00:00+08:00");
    let inbox: Inbox = app
        .call_with(&qiye, "inbox", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(inbox.notices.iter().any(|n| matches!(n, Notice::Deadline(app::domain::ladder::Reminder::RectificationReportDue { escalation_no, .. }) if *escalation_no == number)));
    // Too short a report is refused next to the field; a real one is filed.
    let res = app
        .call_with(
            &qiye,
            "respond_escalation",
            &[("id", &e.escalation_id), ("body", "已整改")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let report = "已更换重大危险源监控设备，隐患已整改完毕，经区安监局复查合格，附整改前后照片。";
    assert_eq!(
        app.call_with(
            &qiye,
            "respond_escalation",
            &[("id", &e.escalation_id), ("body", report)]
        )
        .await
        .status(),
        200
    );
    // A second report while the first waits is refused.
    assert_eq!(
        app.call_with(
            &qiye,
            "respond_escalation",
            &[("id", &e.escalation_id), ("body", report)]
        )
        .await
        .status(),
        409
    );
    let v = escalation(&app, &county, &e.escalation_id).await;
    assert_eq!(v.reply, ReplyState::UnderReview);
    assert!(v.actions.decide_response);
    // The issuer asks for more (with a note), the enterprise reports again, the issuer accepts.
    assert_eq!(
        app.call_with(
            &county,
            "decide_response",
            &[("id", &e.escalation_id), ("decision", "more"), ("note", "")]
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        app.call_with(
            &county,
            "decide_response",
            &[
                ("id", &e.escalation_id),
                ("decision", "more"),
                ("note", "请附复查记录。")
            ]
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        escalation(&app, &qiye, &e.escalation_id).await.reply,
        ReplyState::Awaiting
    );
    assert_eq!(
        app.call_with(
            &qiye,
            "respond_escalation",
            &[
                ("id", &e.escalation_id),
                ("body", "补充：复查记录编号FC-2027-021，复查结论合格。")
            ]
        )
        .await
        .status(),
        200
    );
    // Only the issuer decides.
    assert_eq!(
        app.call_with(
            &qiye,
            "decide_response",
            &[("id", &e.escalation_id), ("decision", "accept")]
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        app.call_with(
            &county,
            "decide_response",
            &[("id", &e.escalation_id), ("decision", "accept")]
        )
        .await
        .status(),
        200
    );
    let v = escalation(&app, &county, &e.escalation_id).await;
    assert_eq!(v.status, app::model::escalation::EscalationStatus::Closed);
    assert_eq!(v.responses.len(), 2);
    assert_eq!(
        audit_count(&app, "escalation.accept_response", &e.escalation_id).await,
        1
    );
    // Closed in time: no disclosure is proposed after the 15 days.
    set_clock(&app, "2027-02-20T09:00:00+08:00");
    let p = page(&app, &county).await;
    assert!(proposals_for(&p, ENTERPRISE, Rung::Disclosure).is_empty());
    // The department supervising the enterprise sees it, read-only; another county does not.
    let dept = app.logged_in("wuhua-ajj").await;
    let v = escalation(&app, &dept, &e.escalation_id).await;
    assert!(!v.actions.close && !v.actions.respond);
    let page_html = app
        .page_with(&county, &format!("/escalation?id={}", e.escalation_id))
        .await
        .text()
        .await
        .unwrap();
    assert!(page_html.contains(&number) && page_html.contains("告诫通知书"));
}

async fn the_public_page_shows_a_disclosed_unit_until_the_issuer_lifts_it(backend: Backend) {
    let app = app_at(backend, "2027-03-01T10:00:00+08:00").await;
    let anonymous = app.browser();
    let html = app
        .page_with(&anonymous, "/public")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("public-empty"));
    let county = app.logged_in("wuhua").await;
    let res = issue_manual(&app, &county, ENTERPRISE, Rung::Disclosure).await;
    assert_eq!(res.status(), 200);
    let number: String = res.json().await.unwrap();
    // Anyone, without logging in.
    let res = app.page_with(&anonymous, "/public").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("昆明华山化工有限公司")
            && html.contains(&number)
            && html.contains("2027-03-01")
    );
    let list: Vec<app::model::escalation::Disclosure> = app
        .call_with(&anonymous, "disclosures", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    // The issuer lifts it (with a reason): gone from the page, kept in the audit.
    let p = page(&app, &county).await;
    let id = p
        .issued
        .iter()
        .find(|e| e.number.as_deref() == Some(number.as_str()))
        .unwrap()
        .escalation_id
        .clone();
    let qiye = app.logged_in("qiye").await;
    assert_eq!(
        app.call_with(
            &qiye,
            "close_escalation",
            &[("id", &id), ("reason", "自行解除测试")]
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        app.call_with(&county, "close_escalation", &[("id", &id), ("reason", "")])
            .await
            .status(),
        422
    );
    assert_eq!(
        app.call_with(
            &county,
            "close_escalation",
            &[("id", &id), ("reason", "整改到位，经复查解除公开。")]
        )
        .await
        .status(),
        200
    );
    let html = app
        .page_with(&anonymous, "/public")
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains(&number) && html.contains("public-empty"));
    assert_eq!(audit_count(&app, "escalation.lift", &id).await, 1);
    assert_eq!(audit_count(&app, "escalation.issue", &id).await, 1);
}

async fn two_ordinary_accidents_within_a_month_get_a_proposed_admonition(backend: Backend) {
    let app = app_at(backend, "2027-03-20T10:00:00+08:00").await;
    let county = app.logged_in("wuhua").await;
    let accident = |on: &'static str| {
        let (app, county) = (&app, county.clone());
        async move {
            app.call_with(
                &county,
                "record_accident",
                &[
                    ("unit_id", ENTERPRISE),
                    ("occurred_on", on),
                    ("description", "一般生产安全事故，一人轻伤。"),
                ],
            )
            .await
        }
    };
    assert_eq!(accident("2027-02-10").await.status(), 200);
    run(&app, &county).await;
    assert!(
        proposals_for(&page(&app, &county).await, ENTERPRISE, Rung::Admonition).is_empty(),
        "one ordinary accident is not enough"
    );
    assert_eq!(accident("2027-03-05").await.status(), 200);
    assert_eq!(
        accident("2027-03-30").await.status(),
        422,
        "not in the future"
    );
    run(&app, &county).await;
    let p = page(&app, &county).await;
    let found = proposals_for(&p, ENTERPRISE, Rung::Admonition);
    assert_eq!(found.len(), 1);
    assert!(found[0]
        .evidence
        .iter()
        .any(|r| r.clause.starts_with("第六条")));
    // A department records accidents for its own enterprises only.
    let dept = app.logged_in("wuhua-ajj").await;
    let res = app
        .call_with(
            &dept,
            "record_accident",
            &[
                ("unit_id", "county-530102-town-0"),
                ("occurred_on", "2027-03-01"),
                ("description", "越权登记测试"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
}

async fn notices_cover_the_window_returned_filings_and_the_brief(backend: Backend) {
    // The window opens on 1 January: a notice from the first day.
    let app = app_at(backend, "2027-01-02T09:00:00+08:00").await;
    let qiye = app.logged_in("qiye").await;
    let inbox: Inbox = app
        .call_with(&qiye, "inbox", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(inbox.notices.iter().any(|n| matches!(n, Notice::Deadline(app::domain::ladder::Reminder::WindowOpen { period_key, .. }) if period_key == "2026-Y")));
    // Two days before it closes (the 8th to the 10th), the closing notice.
    set_clock(&app, "2027-01-08T09:00:00+08:00");
    let inbox: Inbox = app
        .call_with(&qiye, "inbox", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(inbox.notices.iter().any(|n| matches!(n, Notice::Deadline(app::domain::ladder::Reminder::WindowClosing { period_key, .. }) if period_key == "2026-Y")));
    // A returned filing is a notice until it is filed again.
    let filing_id = submit_filing(&app, &qiye, BindingKind::Enterprise, &[], "1").await;
    let dept = app.logged_in("wuhua-ajj").await;
    let res = app
        .call_with(
            &dept,
            "review_filing",
            &[
                ("filing_id", &filing_id),
                ("decision", "return"),
                ("reason", "负责人签字缺失，请补正"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let inbox: Inbox = app
        .call_with(&qiye, "inbox", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(inbox
        .notices
        .iter()
        .any(|n| matches!(n, Notice::Returned { period_key } if period_key == "2026-Y")));
    // The office's decisions: proposals waiting, on its home page.
    set_clock(&app, "2027-01-11T09:00:00+08:00");
    let county = app.logged_in("wuhua").await;
    run(&app, &county).await;
    let inbox: Inbox = app
        .call_with(&county, "inbox", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(inbox
        .notices
        .iter()
        .any(|n| matches!(n, Notice::Decisions { proposals, .. } if *proposals > 0)));
    let html = app.page_with(&county, "/").await.text().await.unwrap();
    assert!(html.contains("home-notices"));
    // The 专报 brief on a unit: its filings over six periods and its escalations.
    assert_eq!(
        issue_manual(&app, &county, ENTERPRISE, Rung::Prompt)
            .await
            .status(),
        200
    );
    let res = app
        .call_with(&county, "brief", &[("unit", ENTERPRISE)])
        .await;
    assert_eq!(res.status(), 200);
    let brief: app::model::escalation::Brief = res.json().await.unwrap();
    assert_eq!(brief.periods.len(), 6);
    assert_eq!(
        brief.periods[0].status,
        Some(app::domain::filing::FilingStatus::Returned)
    );
    assert_eq!(brief.escalations.len(), 1);
    let html = app
        .page_with(&county, &format!("/brief?unit={ENTERPRISE}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("安全生产警示专报") && html.contains("昆明华山化工有限公司"));
    assert_eq!(
        app.call_with(&qiye, "brief", &[("unit", ENTERPRISE)])
            .await
            .status(),
        403
    );
    assert_eq!(
        app.call_with(&dept, "brief", &[("unit", ENTERPRISE)])
            .await
            .status(),
        403
    );
}

async fn a_filing_returned_as_untrue_gets_a_proposed_notification(backend: Backend) {
    let app = app_at(backend, "2027-01-05T10:00:00+08:00").await;
    let qiye = app.logged_in("qiye").await;
    let filing_id = submit_filing(&app, &qiye, BindingKind::Enterprise, &[], "1").await;
    let dept = app.logged_in("wuhua-ajj").await;
    let res = app
        .call_with(
            &dept,
            "review_filing",
            &[
                ("filing_id", &filing_id),
                ("decision", "return"),
                ("reason", "现场检查发现重大隐患未登记，与申报不符"),
                ("untrue", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let (untrue,): (i64,) = sqlx::query_as("SELECT untrue FROM filing_review WHERE filing_id = $1")
        .bind(&filing_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(untrue, 1);
    set_clock(&app, "2027-01-11T09:00:00+08:00");
    let county = app.logged_in("wuhua").await;
    let p = page(&app, &county).await;
    let e = proposals_for(&p, ENTERPRISE, Rung::Notification);
    assert_eq!(e.len(), 1);
    let r = e[0]
        .evidence
        .iter()
        .find(|r| matches!(&r.evidence, Evidence::UntrueFiling { period_key } if period_key == "2026-Y"))
        .expect("the untrue filing is the evidence");
    assert_eq!(r.clause, "第五条（四）");
}

/// How many units the office's runs weighed on `day` (`proposal_run.weighed`).
async fn weighed(app: &TestApp, office: &str, day: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(weighed), 0) AS BIGINT) FROM proposal_run WHERE issuer_unit_id = $1 AND ran_on = $2",
    )
    .bind(office)
    .bind(day)
    .fetch_one(&app.db)
    .await
    .unwrap();
    n
}

/// Incremental proposals (issue 13): a first run of the period weighs every unit the office
/// looks after; later runs weigh only those whose facts changed (an accident entered, an
/// escalation issued) or whose situation turned with the date (a reply falling overdue), and
/// find what a run over every unit would. A new period weighs everything again.
async fn a_run_weighs_again_only_the_units_whose_facts_changed_or_turned_with_the_date(
    backend: Backend,
) {
    const OFFICE: &str = "county-530102-office";
    const OTHER: &str = "county-530102-town-0";
    // The demo's units are created at the clock's instant: the first run comes an hour after,
    // past the overlap a run looks back over (CHANGE_OVERLAP, 15 minutes).
    let app = app_at(backend, "2027-01-11T08:00:00+08:00").await;
    set_clock(&app, "2027-01-11T09:00:00+08:00");
    let county = app.logged_in("wuhua").await;
    assert!(
        run(&app, &county).await > 0,
        "the first run of 2026-Y proposes"
    );
    let (targets,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM unit WHERE county_id = 'county-530102' AND kind IN ('department', 'township', 'enterprise')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(weighed(&app, OFFICE, "2027-01-11").await, targets);

    // The next day, nothing changed: nothing weighed, nothing added.
    set_clock(&app, "2027-01-12T09:00:00+08:00");
    assert_eq!(run(&app, &county).await, 0);
    assert_eq!(weighed(&app, OFFICE, "2027-01-12").await, 0);

    // A prompt issued to one unit: that unit only, the day after.
    let res = issue_manual(&app, &county, OTHER, Rung::Prompt).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    set_clock(&app, "2027-01-13T09:00:00+08:00");
    run(&app, &county).await;
    assert_eq!(weighed(&app, OFFICE, "2027-01-13").await, 1);

    // An accident entered: its unit only.
    let res = app
        .call_with(
            &county,
            "record_accident",
            &[
                ("unit_id", ENTERPRISE),
                ("occurred_on", "2027-01-13"),
                ("description", "较大生产安全事故，三人受伤。"),
                ("larger", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    set_clock(&app, "2027-01-14T09:00:00+08:00");
    run(&app, &county).await;
    assert_eq!(weighed(&app, OFFICE, "2027-01-14").await, 1);
    let p = page(&app, &county).await;
    assert!(
        proposals_for(&p, ENTERPRISE, Rung::Admonition)
            .iter()
            .any(|e| e
                .evidence
                .iter()
                .any(|r| matches!(r.evidence, Evidence::Accidents { .. }))),
        "the accident's unit was weighed: a larger accident calls for a 告诫 (第六条（一）)"
    );

    // Nothing stored changes when the prompt's reply falls overdue (15 days from 12 January,
    // 第九条): the date turns it, and the unit is weighed again for its 告诫 (第六条（六）).
    set_clock(&app, "2027-01-27T09:00:00+08:00");
    run(&app, &county).await;
    assert_eq!(
        weighed(&app, OFFICE, "2027-01-27").await,
        0,
        "due on the 27th: not yet"
    );
    let unanswered = |p: &EscalationsPage| {
        proposals_for(p, OTHER, Rung::Admonition).iter().any(|e| {
            e.evidence
                .iter()
                .any(|r| matches!(r.evidence, Evidence::PriorEscalationUnanswered { .. }))
        })
    };
    assert!(!unanswered(&page(&app, &county).await));
    set_clock(&app, "2027-01-28T09:00:00+08:00");
    run(&app, &county).await;
    assert_eq!(weighed(&app, OFFICE, "2027-01-28").await, 1);
    assert!(unanswered(&page(&app, &county).await));

    // What the incremental runs found is what a run over every unit finds: nothing more.
    sqlx::query("DELETE FROM proposal_mark WHERE issuer_unit_id = $1")
        .bind(OFFICE)
        .execute(&app.db)
        .await
        .unwrap();
    set_clock(&app, "2027-01-29T09:00:00+08:00");
    assert_eq!(run(&app, &county).await, 0);
    assert_eq!(weighed(&app, OFFICE, "2027-01-29").await, targets);

    // A new period (2027-H1, after its window of 1–10 July): every unit again.
    set_clock(&app, "2027-07-11T09:00:00+08:00");
    assert!(run(&app, &county).await > 0);
    assert_eq!(weighed(&app, OFFICE, "2027-07-11").await, targets);
}
