//! Unit lifecycle (issue 14) over HTTP, on SQLite and PostgreSQL: a unit's opening and
//! closing dates decide the periods it is expected to file for (`domain::lifecycle`), in the
//! roll-ups, for the ladder's missing filings (106号 第五条（四）) and for filing itself; the
//! administrator sets them, audited, with errors next to the fields.

mod common;

use app::api::filing::GetFiling;
use app::api::rollup::GetRollup;
use app::api::{CreateUnit, MoveUnit, SetUnitLife};
use app::domain::filing::FilingAccess;
use app::domain::forms::BindingKind;
use app::domain::ladder::Reminder;
use app::domain::ladder::{Evidence, Rung};
use app::domain::time::parse_instant;
use app::error::{AppError, Conflict};
use app::model::escalation::{EscalationsPage, Inbox, Notice};
use app::model::rollup::RollupView;
use common::fixtures::{Account, Wuhua};
use common::{filing_form, location, submit_filing, Backend, Options, TestApp};

on_both_databases!(
    a_moved_enterprises_missing_filing_stays_with_the_county_it_was_in,
    a_unit_opened_after_a_window_closes_is_not_counted_missing_for_it,
    a_closed_unit_is_not_proposed_for_notification_for_missing_later_filings,
    a_change_of_dates_makes_the_ladder_weigh_the_unit_again,
    a_closed_unit_cannot_file_for_a_period_after_it_closed,
    the_administrator_sets_the_dates_with_errors_next_to_the_fields_and_an_audit_record,
    a_closing_racing_a_submission_never_leaves_a_filing_outside_the_units_life,
    a_moved_enterprises_filings_stay_with_the_chain_they_went_to,
);

/// 20 January 2027: the window of 2026-Y (1–10 January) has closed.
const AFTER_WINDOW: &str = "2027-01-20T10:00:00+08:00";

async fn app_at(backend: Backend, at: &'static str) -> TestApp {
    TestApp::spawn_with(backend, Options::fresh(at)).await
}

/// An enterprise in 五华区's 华山街道 (chemicals, supervised by its 安监局) opened on `opened_on`.
async fn enterprise(
    app: &TestApp,
    admin: &Account,
    w: &Wuhua<'_>,
    name: &str,
    opened_on: &str,
) -> String {
    app.try_fn(
        admin,
        CreateUnit {
            name: name.into(),
            kind: "enterprise".into(),
            county_id: w.county.government.id.clone(),
            industry: "chemical".into(),
            industries: vec![],
            township_id: w.town.id.clone(),
            address: "五华区华山西路 8 号".into(),
            legal_representative: "周强".into(),
            headcount: "20".into(),
            opened_on: opened_on.into(),
            closed_on: String::new(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{name} is created: {e:?}"))
}

/// 五华区's chain ([`Wuhua`]), a logged-in administrator, and one more enterprise of it,
/// opened on `opened_on` (its id).
async fn chain_with<'a>(
    app: &'a TestApp,
    name: &str,
    opened_on: &str,
) -> (Wuhua<'a>, Account, String) {
    let w = app.wuhua().await;
    let admin = app.admin().await;
    let id = enterprise(app, &admin, &w, name, opened_on).await;
    (w, admin, id)
}

fn life(unit_id: &str, opened_on: &str, closed_on: &str) -> SetUnitLife {
    SetUnitLife {
        unit_id: unit_id.into(),
        opened_on: opened_on.into(),
        closed_on: closed_on.into(),
    }
}

async fn rollup(app: &TestApp, client: &reqwest::Client, period: &str, unit: &str) -> RollupView {
    app.try_fn(
        client,
        GetRollup {
            period: period.into(),
            unit: unit.into(),
            row: String::new(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("the roll-up of {period}: {e:?}"))
}

fn listed(view: &RollupView) -> Vec<&str> {
    view.units.iter().map(|u| u.unit_id.as_str()).collect()
}

async fn run(app: &TestApp, client: &reqwest::Client) {
    let res = app.call_with(client, "run_proposals", &[]).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn proposals(app: &TestApp, client: &reqwest::Client) -> EscalationsPage {
    let res = app.call_with(client, "escalations", &[]).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// Whether `target` has a proposed 告知 citing its missing filing of `period`.
fn missing_proposed(p: &EscalationsPage, target: &str, period: &str) -> bool {
    p.proposals.iter().any(|e| {
        e.target_unit_id == target
            && e.rung == Rung::Notification
            && e.evidence.iter().any(
                |r| matches!(&r.evidence, Evidence::MissingFiling { period_key } if period_key == period),
            )
    })
}

fn set_clock(app: &TestApp, at: &str) {
    app.clock.set(Some(parse_instant(at).unwrap()));
}

async fn a_unit_opened_after_a_window_closes_is_not_counted_missing_for_it(backend: Backend) {
    let app = app_at(backend, AFTER_WINDOW).await;
    let w = app.wuhua().await;
    let admin = app.admin().await;
    // Opened on the window's last day: it owed 2026-Y. Opened the day after: it did not.
    let on_last_day = enterprise(&app, &admin, &w, "昆明十日化工有限公司", "2027-01-10").await;
    let after = enterprise(&app, &admin, &w, "昆明新开化工有限公司", "2027-01-11").await;
    let office = app.account_in(&w.county.office).await;

    let view = rollup(&app, &office, "2026-Y", &w.ajj.id).await;
    assert_eq!(
        view.rollup.expected, 2,
        "the firm and the one opened on the 10th are expected, the one opened on the 11th not"
    );
    assert_eq!(view.rollup.missing, 2, "neither filed");
    assert!(listed(&view).contains(&on_last_day.as_str()));
    assert!(
        !listed(&view).contains(&after.as_str()),
        "a unit not open in the period is no line of its roll-up: {:?}",
        listed(&view)
    );
    let county = rollup(&app, &office, "2026-Y", "").await;
    let in_2026_y = county
        .trend
        .iter()
        .find(|p| p.period_key == "2026-Y")
        .expect("2026-Y in the trend");
    assert_eq!(
        in_2026_y.expected, county.rollup.expected,
        "the trend counts as the period does"
    );
    let in_2026_h1 = county
        .trend
        .iter()
        .find(|p| p.period_key == "2026-H1")
        .expect("2026-H1 in the trend");
    assert_eq!(
        in_2026_y.expected - in_2026_h1.expected,
        1,
        "of the two new enterprises only the one opened on the 10th counts for 2026-Y, none for 2026-H1"
    );

    // The ladder: a missing filing is proposed for the one that owed it only.
    run(&app, &office).await;
    let p = proposals(&app, &office).await;
    assert!(missing_proposed(&p, &on_last_day, "2026-Y"));
    assert!(missing_proposed(&p, &w.firm.id, "2026-Y"));
    assert!(
        !p.proposals.iter().any(|e| e.target_unit_id == after),
        "nothing is proposed against a unit that owed no filing"
    );
    app.assert_counts_match_a_recount().await;
}

async fn a_closed_unit_is_not_proposed_for_notification_for_missing_later_filings(
    backend: Backend,
) {
    let app = app_at(backend, AFTER_WINDOW).await;
    let (w, admin, closed) = chain_with(&app, "昆明已注销化工有限公司", "2012-03-01").await;
    app.try_fn(&admin, life(&closed, "2012-03-01", "2025-12-31"))
        .await
        .expect("the closing date is set");
    let office = app.account_in(&w.county.office).await;

    run(&app, &office).await;
    let p = proposals(&app, &office).await;
    assert!(
        missing_proposed(&p, &w.firm.id, "2026-Y"),
        "an open unit that did not file is proposed for 告知 (第五条（四）)"
    );
    assert!(
        !p.proposals.iter().any(|e| e.target_unit_id == closed),
        "a unit closed in 2025 owes nothing for 2026: {:?}",
        p.proposals
            .iter()
            .filter(|e| e.target_unit_id == closed)
            .collect::<Vec<_>>()
    );
    // It still counted for 2025-Y, the last period it was open in, and no longer for 2026-Y.
    let y2025 = rollup(&app, &office, "2025-Y", &w.ajj.id).await;
    assert!(listed(&y2025).contains(&closed.as_str()));
    assert_eq!(y2025.rollup.expected, 2);
    let y2026 = rollup(&app, &office, "2026-Y", &w.ajj.id).await;
    assert!(!listed(&y2026).contains(&closed.as_str()));
    assert_eq!(y2026.rollup.expected, 1);
    app.assert_counts_match_a_recount().await;
}

async fn a_change_of_dates_makes_the_ladder_weigh_the_unit_again(backend: Backend) {
    let app = app_at(backend, "2027-01-20T09:00:00+08:00").await;
    let (w, admin, newcomer) = chain_with(&app, "昆明补录化工有限公司", "2027-01-15").await;
    let office = app.account_in(&w.county.office).await;
    // The first run an hour after the units were made (past the 15 minutes a run looks back).
    set_clock(&app, "2027-01-20T10:00:00+08:00");
    run(&app, &office).await;
    assert!(!missing_proposed(
        &proposals(&app, &office).await,
        &newcomer,
        "2026-Y"
    ));

    // The next day the administrator corrects its opening: it was open in 2026 after all.
    set_clock(&app, "2027-01-21T09:00:00+08:00");
    app.try_fn(&admin, life(&newcomer, "2026-05-01", ""))
        .await
        .expect("the opening date is corrected");
    set_clock(&app, "2027-01-21T11:00:00+08:00");
    run(&app, &office).await;
    let (weighed,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(weighed), 0) AS BIGINT) FROM proposal_run WHERE issuer_unit_id = $1 AND ran_on = '2027-01-21'",
    )
    .bind(&w.county.office.id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        weighed, 1,
        "the unit whose dates changed, and only it, is weighed again"
    );
    assert!(
        missing_proposed(&proposals(&app, &office).await, &newcomer, "2026-Y"),
        "now expected for 2026-Y, its missing filing is proposed"
    );
    app.assert_counts_match_a_recount().await;
}

async fn a_closed_unit_cannot_file_for_a_period_after_it_closed(backend: Backend) {
    // 5 January 2027: the window of 2026-Y is open.
    let app = app_at(backend, "2027-01-05T10:00:00+08:00").await;
    let w = app.wuhua().await;
    let admin = app.admin().await;
    let filer = app.account_in(&w.firm).await;
    app.try_fn(&admin, life(&w.firm.id, "2010-04-29", "2025-12-31"))
        .await
        .expect("closed at the end of 2025");

    let view = app
        .try_fn(
            &filer,
            GetFiling {
                period: "2026-Y".into(),
                unit: String::new(),
                version: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(view.access, FilingAccess::NotOpen);
    assert!(!view.editable, "nothing to fill in");
    let window_reminders = |inbox: &Inbox| {
        inbox
            .notices
            .iter()
            .filter(|n| matches!(n, Notice::Deadline(Reminder::WindowOpen { .. })))
            .count()
    };
    let inbox: Inbox = app
        .call_with(&filer, "inbox", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        window_reminders(&inbox),
        0,
        "a closed unit is not reminded of a window it owes nothing in"
    );
    let refused: Result<_, AppError> = app
        .try_fn(&filer, filing_form(BindingKind::Enterprise, &[], "review"))
        .await;
    assert_eq!(
        refused.unwrap_err(),
        AppError::Conflict(Conflict::UnitNotOpen),
        "a clear refusal, not the window's"
    );
    let (drafts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM filing WHERE unit_id = $1")
        .bind(&w.firm.id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    // Nor does its township enter it from paper (代填).
    let township = app.account_in(&w.town).await;
    let mut fields = common::filing_fields(BindingKind::Enterprise, &[]);
    let period = fields.remove(0).1;
    let refused = app
        .try_fn(
            &township,
            app::api::filing::EnterPaperFiling {
                period,
                unit: w.firm.id.clone(),
                paper_date: "2027-01-04".into(),
                fields: app::model::filing::PostedFields(fields),
            },
        )
        .await;
    assert_eq!(
        refused.unwrap_err(),
        AppError::Conflict(Conflict::UnitNotOpen),
        "no paper entry for a period the unit was not open in"
    );
    assert_eq!(drafts, 0, "nothing was stored");

    // Reopened (the closing was a mistake): it files, and may no longer be closed before 2026.
    app.try_fn(&admin, life(&w.firm.id, "2010-04-29", ""))
        .await
        .expect("the closing is cleared");
    let inbox: Inbox = app
        .call_with(&filer, "inbox", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        window_reminders(&inbox),
        1,
        "open again: reminded of the window"
    );
    submit_filing(&app, &filer, BindingKind::Enterprise, &[], "1").await;
    let err = app
        .try_fn(&admin, life(&w.firm.id, "2010-04-29", "2025-12-31"))
        .await
        .unwrap_err();
    assert_eq!(
        err.field_errors().and_then(|f| f.get("closed_on")),
        Some("err.life_excludes_filing"),
        "its 2026 filing stays counted where it was expected"
    );
    app.try_fn(&admin, life(&w.firm.id, "2010-04-29", "2027-01-05"))
        .await
        .expect("closed after the period it filed for began");
    app.assert_counts_match_a_recount().await;
}

async fn the_administrator_sets_the_dates_with_errors_next_to_the_fields_and_an_audit_record(
    backend: Backend,
) {
    let app = app_at(backend, AFTER_WINDOW).await;
    let (w, admin, unit) = chain_with(&app, "昆明日期化工有限公司", "2020-06-01").await;
    for (opened, closed, field, key) in [
        (
            "2020-06-01",
            "2020-05-31",
            "closed_on",
            "err.closed_before_opened",
        ),
        ("", "", "opened_on", "err.required"),
        ("2020-02-30", "", "opened_on", "err.date"),
        ("2020-06-01", "不详", "closed_on", "err.date"),
    ] {
        let err = app
            .try_fn(&admin, life(&unit, opened, closed))
            .await
            .unwrap_err();
        assert_eq!(
            err.field_errors().and_then(|f| f.get(field)),
            Some(key),
            "{opened:?}..{closed:?}: {err:?}"
        );
    }
    // Only an administrator.
    let office = app.account_in(&w.county.office).await;
    assert_eq!(
        app.try_fn(&office, life(&unit, "2020-06-01", "2026-12-31"))
            .await
            .unwrap_err(),
        AppError::Forbidden
    );

    // Without JavaScript: the form posts, and a mistake comes back next to its field.
    let res = app.login(&admin.username, &admin.password).await;
    assert_eq!(res.status(), 200);
    let page = format!("/admin/unit?id={unit}");
    let html = app.text(&page).await;
    assert!(
        html.contains("昆明日期化工有限公司")
            && html.contains("2020-06-01")
            && html.contains("变更所在地或行业"),
        "{html}"
    );
    let post = async |closed_on: &str| {
        app.post_form(
            &page,
            "set_unit_life",
            &[
                ("unit_id", unit.as_str()),
                ("opened_on", "2020-06-01"),
                ("closed_on", closed_on),
            ],
        )
        .await
    };
    let res = post("2019-01-01").await;
    assert_eq!(res.status(), 302, "a redirect back, not an error page");
    let back = location(&res);
    assert!(back.contains("flash="), "{back}");
    let html = app.text(&back).await;
    assert!(
        html.contains("注销日期不能早于成立日期"),
        "the error next to the field: {html}"
    );

    let res = post("2026-12-31").await;
    assert_eq!(res.status(), 302);
    assert!(location(&res).contains("done=life"));
    let (before, after): (String, String) = sqlx::query_as(
        "SELECT before_json, after_json FROM audit_event WHERE action = 'unit.life' AND subject_id = $1",
    )
    .bind(&unit)
    .fetch_one(&app.db)
    .await
    .expect("one audit record of the change");
    let before: serde_json::Value = serde_json::from_str(&before).unwrap();
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(before["opened_on"], "2020-06-01");
    assert_eq!(before["closed_on"], serde_json::Value::Null);
    assert_eq!(after["closed_on"], "2026-12-31");
    // The same dates again change nothing and record nothing.
    app.try_fn(&admin, life(&unit, "2020-06-01", "2026-12-31"))
        .await
        .unwrap();
    let (records,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event WHERE action = 'unit.life' AND subject_id = $1",
    )
    .bind(&unit)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(records, 1);
    let listed = app.text("/admin/units").await;
    assert!(
        listed.contains("2026-12-31"),
        "the list shows the closing date"
    );
    app.assert_counts_match_a_recount().await;
}

async fn a_closing_racing_a_submission_never_leaves_a_filing_outside_the_units_life(
    backend: Backend,
) {
    // Inside the window of 2026-Y; each firm's draft is saved and checked, then its
    // submission and the administrator's closing at the end of 2025 are sent at once.
    let app = app_at(backend, "2027-01-05T10:00:00+08:00").await;
    let (w, admin, _) = chain_with(&app, "昆明竞速化工有限公司0", "2010-04-29").await;
    let mut firms = Vec::new();
    for i in 1..=6 {
        let id = enterprise(
            &app,
            &admin,
            &w,
            &format!("昆明竞速化工有限公司{i}"),
            "2010-04-29",
        )
        .await;
        let unit = common::fixtures::Unit {
            id: id.clone(),
            name: format!("昆明竞速化工有限公司{i}"),
            kind: app::domain::unit::UnitKind::Enterprise,
            county_id: Some(w.county.government.id.clone()),
        };
        let filer = app.account_in(&unit).await;
        app.try_fn(&filer, filing_form(BindingKind::Enterprise, &[], "review"))
            .await
            .expect("the draft is saved");
        firms.push((id, filer));
    }
    for (id, filer) in &firms {
        let submit = app.try_fn(
            filer,
            app::api::filing::SubmitFiling {
                period: "2026-Y".into(),
                version: "1".into(),
            },
        );
        let close = app.try_fn(&admin, life(id, "2010-04-29", "2025-12-31"));
        let (submitted, closed) = tokio::join!(submit, close);
        let (closed_on,): (Option<String>,) =
            sqlx::query_as("SELECT closed_on FROM unit WHERE unit_id = $1")
                .bind(id)
                .fetch_one(&app.db)
                .await
                .unwrap();
        let (filed,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM filing WHERE unit_id = $1 AND period_key = '2026-Y' AND status <> 'draft'",
        )
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
        match (&submitted, &closed) {
            (Ok(_), Err(e)) => {
                assert_eq!(
                    e.field_errors().and_then(|f| f.get("closed_on")),
                    Some("err.life_excludes_filing")
                );
                assert_eq!((filed, closed_on.as_deref()), (1, None));
            }
            (Err(e), Ok(())) => {
                assert_eq!(e, &AppError::Conflict(Conflict::UnitNotOpen));
                assert_eq!((filed, closed_on.as_deref()), (0, Some("2025-12-31")));
            }
            other => panic!("exactly one of the two lands: {other:?}"),
        }
    }
    app.assert_counts_match_a_recount().await;
}

fn queue_of(period: &str) -> app::api::filing::GetReviewQueue {
    app::api::filing::GetReviewQueue {
        period: period.into(),
        status: String::new(),
        nil: String::new(),
        industry: String::new(),
        township: String::new(),
    }
}

async fn queued(app: &TestApp, client: &reqwest::Client, period: &str) -> Vec<String> {
    app.try_fn(client, queue_of(period))
        .await
        .expect("the queue")
        .rows
        .into_iter()
        .map(|r| r.unit_id)
        .collect()
}

fn move_to(unit_id: &str, county_id: &str, township_id: &str, industry: &str) -> MoveUnit {
    MoveUnit {
        unit_id: unit_id.into(),
        county_id: county_id.into(),
        township_id: township_id.into(),
        industry: industry.into(),
    }
}

/// A period whose window closed before a move stays with the county the unit was in: its
/// office weighs the missing filing (第五条（四）), the county the unit joined does not.
async fn a_moved_enterprises_missing_filing_stays_with_the_county_it_was_in(backend: Backend) {
    let app = app_at(backend, AFTER_WINDOW).await;
    let w = app.wuhua().await;
    let admin = app.admin().await;
    let panlong = app.county("盘龙区").await;
    let panlong_ajj = panlong
        .department("盘龙区安全生产监督管理局", &["chemical"])
        .await;
    let wuhua_office = app.account_in(&w.county.office).await;
    let panlong_office = app.account_in(&panlong.office).await;
    // The firm did not file 2026-Y; after the window it moves to 盘龙区.
    app.try_fn(
        &admin,
        move_to(&w.firm.id, &panlong.government.id, "", "chemical"),
    )
    .await
    .expect("the move");
    run(&app, &panlong_office).await;
    assert!(
        !missing_proposed(
            &proposals(&app, &panlong_office).await,
            &w.firm.id,
            "2026-Y"
        ),
        "盘龙区 proposes nothing over a period that was 五华区's"
    );
    run(&app, &wuhua_office).await;
    assert!(
        missing_proposed(&proposals(&app, &wuhua_office).await, &w.firm.id, "2026-Y"),
        "五华区 still weighs its missing 2026-Y filing"
    );
    // A late filing (补报) of 2026-Y is the department it would have gone to's to allow.
    let grant = || app::api::filing::GrantLateFiling {
        unit_id: w.firm.id.clone(),
        period: "2026-Y".into(),
        reason: "迁移前漏报，准予补报".into(),
        until: "2027-01-31".into(),
    };
    let panlong_staff = app.account_in(&panlong_ajj).await;
    assert_eq!(
        app.try_fn(&panlong_staff, grant()).await.unwrap_err(),
        AppError::Forbidden,
        "not the new county's department"
    );
    let wuhua_staff = app.account_in(&w.ajj).await;
    app.try_fn(&wuhua_staff, grant())
        .await
        .expect("the department it filed to before the move");
    // Its paper form of 2026-Y (代填) is entered there too: by its township of then, not by
    // the department of the county it joined.
    let paper = || {
        let mut fields = common::filing_fields(BindingKind::Enterprise, &[]);
        let period = fields.remove(0).1;
        app::api::filing::EnterPaperFiling {
            period,
            unit: w.firm.id.clone(),
            paper_date: "2027-01-20".into(),
            fields: app::model::filing::PostedFields(fields),
        }
    };
    assert_eq!(
        app.try_fn(&panlong_staff, paper()).await.unwrap_err(),
        AppError::Forbidden
    );
    let township = app.account_in(&w.town).await;
    app.try_fn(&township, paper())
        .await
        .expect("entered by the township it lay in, late under the exception");
    app.assert_counts_match_a_recount().await;
}

async fn a_moved_enterprises_filings_stay_with_the_chain_they_went_to(backend: Backend) {
    // In the window of 2026-Y the firm (chemicals) files to 五华区安全生产监督管理局, then
    // the administrator moves it to building construction, supervised by 五华区住房和城乡建设局.
    let app = app_at(backend, "2027-01-05T10:00:00+08:00").await;
    let w = app.wuhua().await;
    let admin = app.admin().await;
    let zhujian = w
        .county
        .department("五华区住房和城乡建设局", &["construction"])
        .await;
    let ajj = app.account_in(&w.ajj).await;
    let zj = app.account_in(&zhujian).await;
    let filer = app.account_in(&w.firm).await;
    let filing_id = submit_filing(&app, &filer, BindingKind::Enterprise, &[], "1").await;

    // Bad places are refused next to their fields.
    let other = app.county("盘龙区").await;
    let err = app
        .try_fn(
            &admin,
            move_to(&w.firm.id, &other.government.id, &w.town.id, "mining"),
        )
        .await
        .unwrap_err();
    let f = err.field_errors().expect("field errors");
    assert_eq!(
        f.get("township_id"),
        Some("err.parent_unfit"),
        "a township of another county"
    );
    assert_eq!(f.get("industry"), Some("err.industry_unknown"));

    app.try_fn(
        &admin,
        move_to(
            &w.firm.id,
            &w.county.government.id,
            &w.town.id,
            "construction",
        ),
    )
    .await
    .expect("the move");
    let (before, after): (String, String) = sqlx::query_as(
        "SELECT before_json, after_json FROM audit_event WHERE action = 'unit.move' AND subject_id = $1",
    )
    .bind(&w.firm.id)
    .fetch_one(&app.db)
    .await
    .expect("the move is audited");
    assert!(
        before.contains("chemical") && after.contains("construction"),
        "{before} → {after}"
    );

    // Its 2026-Y filing stays with the department it went to, which still decides on it.
    assert_eq!(queued(&app, &ajj, "2026-Y").await, vec![w.firm.id.clone()]);
    assert!(queued(&app, &zj, "2026-Y").await.is_empty());
    app.try_fn(
        &ajj,
        app::api::filing::ReviewFiling {
            filing_id: filing_id.clone(),
            decision: "accept".into(),
            reason: String::new(),
            untrue: String::new(),
        },
    )
    .await
    .expect("the department it went to accepts it");
    let ajj_2026 = rollup(&app, &ajj, "2026-Y", "").await;
    assert_eq!(
        (ajj_2026.rollup.expected, ajj_2026.rollup.accepted),
        (1, 1),
        "2026-Y stays counted where it was filed"
    );
    let zj_2026 = rollup(&app, &zj, "2026-Y", "").await;
    assert_eq!(zj_2026.rollup.expected, 0);

    // The next period goes with the unit: 2027-H1 is expected by, and filed to, 住建局.
    set_clock(&app, "2027-07-02T10:00:00+08:00");
    let zj_2027 = rollup(&app, &zj, "2027-H1", "").await;
    assert_eq!(zj_2027.rollup.expected, 1);
    assert_eq!(rollup(&app, &ajj, "2027-H1", "").await.rollup.expected, 0);
    let mut form = filing_form(BindingKind::Enterprise, &[], "review");
    form.period = "2027-H1".into();
    app.try_fn(&filer, form).await.expect("saved for 2027-H1");
    app.try_fn(
        &filer,
        app::api::filing::SubmitFiling {
            period: "2027-H1".into(),
            version: "1".into(),
        },
    )
    .await
    .expect("submitted for 2027-H1");
    assert_eq!(queued(&app, &zj, "2027-H1").await, vec![w.firm.id.clone()]);
    assert!(queued(&app, &ajj, "2027-H1").await.is_empty());
    assert_eq!(queued(&app, &ajj, "2026-Y").await, vec![w.firm.id.clone()]);
    app.assert_counts_match_a_recount().await;
}
