//! Filing on behalf from paper (代填, issue 14), on SQLite and PostgreSQL: the department that
//! receives an enterprise's filing, or the township it lies in, types in the unit's sealed
//! paper forms; the version records who entered it and the paper's date, counts as made on
//! that date, and the unit sees it and corrects it as a new version.

mod common;

use app::api::filing::{
    EnterPaperFiling, GetFiling, GetHistory, GetPaperFiling, GrantLateFiling, ReviseFiling,
    SaveFiling, SubmitFiling,
};
use app::domain::filing::FilingStatus;
use app::domain::forms::BindingKind;
use app::error::{AppError, Conflict};
use app::model::filing::{FilingView, PostedFields, SubmitOutcome};
use common::{location, Backend, Options, TestApp, EXPLANATION};

on_both_databases!(
    a_paper_filing_entered_by_the_township_is_the_units_on_time_by_the_paper_date_with_who_entered_it_in_the_history,
    only_the_receiving_department_and_the_units_township_enter_and_bad_dates_are_field_errors,
    after_the_window_only_an_exception_allows_it_and_the_paper_date_decides_lateness,
    the_unit_and_the_township_at_once_leave_one_current_version,
);

const PERIOD: &str = "2026-Y";

/// The nine forms of an enterprise for 2026-Y, with `unmet` rows explained, as the paper
/// mode posts them for `unit` dated `paper_date`.
fn paper_form(unit: &str, paper_date: &str, unmet: &[&str]) -> EnterPaperFiling {
    let unmet: Vec<(&str, &str)> = unmet.iter().map(|r| (*r, EXPLANATION)).collect();
    let mut fields = common::filing_fields(BindingKind::Enterprise, &unmet);
    let period = fields.remove(0).1;
    EnterPaperFiling {
        period,
        unit: unit.into(),
        paper_date: paper_date.into(),
        fields: PostedFields(fields),
    }
}

fn filing_of(unit: &str) -> GetFiling {
    GetFiling {
        period: PERIOD.into(),
        unit: unit.into(),
        version: String::new(),
    }
}

async fn versions_of(app: &TestApp, unit: &str) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT version, status FROM filing WHERE unit_id = $1 ORDER BY version")
        .bind(unit)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

/// The kept roll-up line of the unit's latest filing: (version, status, late).
async fn counted(app: &TestApp, unit: &str) -> (i64, String, i64) {
    sqlx::query_as(
        "SELECT version, status, late FROM latest_filing WHERE unit_id = $1 AND period_key = $2",
    )
    .bind(unit)
    .bind(PERIOD)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

fn at(instant: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    Some(app::domain::time::parse_instant(instant).unwrap())
}

async fn a_paper_filing_entered_by_the_township_is_the_units_on_time_by_the_paper_date_with_who_entered_it_in_the_history(
    backend: Backend,
) {
    // Arrange: 1 January–10 January is the window; the township enters on the 8th a paper
    // dated the 6th.
    let app = TestApp::spawn_with(backend, Options::fresh("2027-01-08T15:00:00+08:00")).await;
    let w = app.wuhua().await;
    let town = app.account_in(&w.town).await;
    let unit = app.account_in(&w.firm).await;
    let ajj = app.account_in(&w.ajj).await;
    let office = app.account_in(&w.county.office).await;

    // Act
    let outcome = app
        .try_fn(&town, paper_form(&w.firm.id, "2027-01-06", &["5.3"]))
        .await
        .expect("the township enters the paper filing");

    // Assert: submitted once, on time, with an unmet item.
    assert_eq!(
        outcome,
        SubmitOutcome::Submitted {
            version: 1,
            late: false,
            nil: false
        }
    );
    // The unit sees it as its own filing, dated by the paper, and who entered it.
    let own: FilingView = app.try_fn(&unit, filing_of("")).await.unwrap();
    let record = own.record.expect("the unit has a filing");
    assert_eq!(
        (record.version, record.status, record.late),
        (1, FilingStatus::Submitted, false)
    );
    let paper_day = chrono::NaiveDate::from_ymd_opt(2027, 1, 6);
    assert_eq!(
        record.filing_date, paper_day,
        "申报时间 is the paper's date"
    );
    assert_eq!(record.paper_date, paper_day);
    assert_eq!(
        record.entered_by.as_deref(),
        Some(town.display_name.as_str())
    );
    assert_eq!(
        own.content.answers.get("5.3"),
        Some(&app::domain::forms::Answer::NotDone)
    );
    let page = app
        .page_with(&unit, "/filing?period=2026-Y")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-testid=\"paper-note\"") && page.contains(&town.display_name),
        "the filing page says who entered it from paper"
    );
    // The supervisors see the same.
    let seen: FilingView = app.try_fn(&ajj, filing_of(&w.firm.id)).await.unwrap();
    assert_eq!(
        seen.record.as_ref().and_then(|r| r.entered_by.clone()),
        Some(town.display_name.clone())
    );
    assert!(
        !seen.may_enter_paper,
        "the filing is made: nothing to enter"
    );
    // Counted on time by the paper's date.
    assert_eq!(counted(&app, &w.firm.id).await, (1, "submitted".into(), 0));
    // The department's export of the filings says it came on paper, when and through whom.
    let csv = ajj
        .get(app.url("/export/filings.csv?period=2026-Y"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("纸质代填"), "{csv}");
    assert!(
        csv.contains(&format!("2027-01-06 {}", town.display_name)),
        "{csv}"
    );
    app.assert_counts_match_a_recount().await;
    // The history says who entered it, to the unit and to its county office.
    for client in [&unit.client, &office.client] {
        let history = app
            .try_fn(
                client,
                GetHistory {
                    unit: w.firm.id.clone(),
                    period: PERIOD.into(),
                },
            )
            .await
            .unwrap();
        let entered = history
            .events
            .iter()
            .find(|e| e.action == "filing.paper")
            .expect("the paper entry is in the history");
        assert_eq!(entered.actor.as_deref(), Some(town.display_name.as_str()));
        assert_eq!(entered.version, Some(1));
        assert!(entered.after.as_deref().unwrap().contains("2027-01-06"));
        assert_eq!(
            history.versions[0].0.entered_by.as_deref(),
            Some(town.display_name.as_str())
        );
    }
    let history_page = app
        .page_with(
            &office,
            &format!("/history?period=2026-Y&unit={}", w.firm.id),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(history_page.contains("纸质代填") && history_page.contains(&town.display_name));

    // The unit corrects it as a new version of its own; the paper version is kept.
    app.try_fn(
        &unit,
        ReviseFiling {
            period: PERIOD.into(),
        },
    )
    .await
    .unwrap();
    app.try_fn(
        &unit,
        SaveFiling {
            period: PERIOD.into(),
            intent: "review".into(),
            fields: PostedFields({
                let mut f = common::filing_fields(BindingKind::Enterprise, &[]);
                f.remove(0);
                f
            }),
        },
    )
    .await
    .unwrap();
    app.try_fn(
        &unit,
        SubmitFiling {
            period: PERIOD.into(),
            version: "2".into(),
        },
    )
    .await
    .unwrap();
    let own: FilingView = app.try_fn(&unit, filing_of("")).await.unwrap();
    let latest = own.record.unwrap();
    assert_eq!((latest.version, latest.late), (2, false));
    assert_eq!(latest.paper_date, None, "the correction is the unit's own");
    assert_eq!(latest.entered_by, None);
    assert_eq!(
        own.versions[1].paper_date, paper_day,
        "version 1 stays as entered"
    );
}

async fn only_the_receiving_department_and_the_units_township_enter_and_bad_dates_are_field_errors(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, Options::fresh("2027-01-08T15:00:00+08:00")).await;
    let w = app.wuhua().await;
    let other_town = w.county.township("大观街道").await;
    let roads = w
        .county
        .department("五华区交通运输局", &["road_traffic"])
        .await;
    let panlong = app.county("盘龙区").await;
    let panlong_ajj = panlong.department("盘龙区应急管理局", &["chemical"]).await;
    let mut outsiders = Vec::new();
    for unit in [&other_town, &roads, &panlong_ajj, &w.county.office, &w.firm] {
        outsiders.push(app.account_in(unit).await);
    }
    outsiders.push(app.account_in(&app.city().await.office).await);

    // Outsiders: refused, on the page too, and nothing is stored.
    for who in &outsiders {
        let err = app
            .try_fn(who, paper_form(&w.firm.id, "2027-01-06", &[]))
            .await
            .unwrap_err();
        assert_eq!(err, AppError::Forbidden, "{} enters", who.username);
        let err = app
            .try_fn(
                who,
                GetPaperFiling {
                    period: PERIOD.into(),
                    unit: w.firm.id.clone(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err, AppError::Forbidden, "{} opens", who.username);
        let res = app
            .page_with(
                who,
                &format!("/filing/paper?period=2026-Y&unit={}", w.firm.id),
            )
            .await;
        assert_eq!(res.status(), 403, "{} opens the page", who.username);
    }
    assert!(versions_of(&app, &w.firm.id).await.is_empty());

    // The department that receives the filing and the township may open the paper mode;
    // each finds the enterprise in its list.
    let ajj = app.account_in(&w.ajj).await;
    let town = app.account_in(&w.town).await;
    for who in [&ajj, &town] {
        let list = app
            .try_fn(
                who,
                GetPaperFiling {
                    period: PERIOD.into(),
                    unit: String::new(),
                },
            )
            .await
            .unwrap();
        assert_eq!(list.units, vec![(w.firm.id.clone(), w.firm.name.clone())]);
        let page = app
            .page_with(
                who,
                &format!("/filing/paper?period=2026-Y&unit={}", w.firm.id),
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("action=\"/api/enter_paper_filing\"")
                && page.contains("name=\"paper_date\""),
            "the paper mode is the filing form with the paper's date"
        );
    }

    // Dates: each wrong one is an error next to the field, and nothing is stored.
    for (date, key) in [
        ("2027-01-09", "err.paper_date_future"),
        ("2026-12-31", "err.paper_date_early"),
        ("2027-13-01", "err.date"),
        ("", "err.date"),
    ] {
        let err = app
            .try_fn(&town, paper_form(&w.firm.id, date, &[]))
            .await
            .unwrap_err();
        assert_eq!(
            err.field_errors().and_then(|e| e.get("paper_date")),
            Some(key),
            "paper dated {date:?}"
        );
    }
    // With the forms' own errors at the same time (an unmet row left unexplained).
    let mut form = paper_form(&w.firm.id, "soon", &[]);
    for (name, value) in form.fields.0.iter_mut() {
        if name == "answers[r5_3]" {
            *value = "not_done".into();
        }
    }
    let err = app.try_fn(&town, form).await.unwrap_err();
    let errors = err.field_errors().expect("field errors");
    assert_eq!(errors.get("paper_date"), Some("err.date"));
    assert_eq!(errors.get("x5_3"), Some("err.explanation_short"));
    assert!(versions_of(&app, &w.firm.id).await.is_empty());

    // Without JavaScript: back to the paper page, the error beside the date, the typed
    // answers kept.
    let mut form: Vec<(String, String)> = paper_form(&w.firm.id, "2027-02-30", &[]).fields.0;
    form.extend([
        ("period".to_string(), PERIOD.to_string()),
        ("unit".to_string(), w.firm.id.clone()),
        ("paper_date".to_string(), "2027-02-30".to_string()),
    ]);
    let from = format!("/filing/paper?period=2026-Y&unit={}", w.firm.id);
    let res = town
        .post(app.url("/api/enter_paper_filing"))
        .header("Origin", &app.base)
        .header("Referer", app.url(&from))
        .header("Accept", "text/html")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let back = location(&res);
    assert!(back.starts_with(&format!("{from}&flash=")), "{back}");
    let page = app.page_with(&town, &back).await.text().await.unwrap();
    assert!(
        page.contains("id=\"paper_date-error\""),
        "the error is next to the date"
    );
    assert!(page.contains("请按 年-月-日 填写日期"));
    assert!(
        page.contains("value=\"2027-02-30\""),
        "what was typed is kept"
    );
    assert!(versions_of(&app, &w.firm.id).await.is_empty());

    // Once the unit has filed itself, there is nothing to enter.
    let unit = app.account_in(&w.firm).await;
    common::submit_filing(&app, &unit, BindingKind::Enterprise, &[], "1").await;
    let err = app
        .try_fn(&ajj, paper_form(&w.firm.id, "2027-01-07", &[]))
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Conflict(Conflict::AlreadySubmitted));
    let view = app
        .try_fn(
            &town,
            GetPaperFiling {
                period: PERIOD.into(),
                unit: w.firm.id.clone(),
            },
        )
        .await
        .unwrap()
        .entry
        .unwrap();
    assert!(!view.editable);
    assert_eq!(
        view.paper.unwrap().filed,
        Some((1, FilingStatus::Submitted, false))
    );
    assert_eq!(
        view.content,
        Default::default(),
        "the township is not shown the text"
    );
}

async fn after_the_window_only_an_exception_allows_it_and_the_paper_date_decides_lateness(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, Options::fresh("2027-01-15T09:00:00+08:00")).await;
    let w = app.wuhua().await;
    let late_firm = w
        .county
        .enterprise("昆明西站化工有限公司", "chemical", Some(&w.town))
        .await;
    let town = app.account_in(&w.town).await;
    let ajj = app.account_in(&w.ajj).await;

    // No exception: the window is closed.
    let err = app
        .try_fn(&town, paper_form(&w.firm.id, "2027-01-09", &[]))
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Conflict(Conflict::WindowClosed));
    assert!(versions_of(&app, &w.firm.id).await.is_empty());

    // Under a 补报 exception: a paper dated in the window counts on time; one dated after
    // it is late.
    for firm in [&w.firm, &late_firm] {
        app.try_fn(
            &ajj,
            GrantLateFiling {
                unit_id: firm.id.clone(),
                period: PERIOD.into(),
                reason: "纸质申报表已按时报送乡镇".into(),
                until: "2027-01-20".into(),
            },
        )
        .await
        .unwrap();
    }
    let on_time = app
        .try_fn(&town, paper_form(&w.firm.id, "2027-01-09", &[]))
        .await
        .unwrap();
    assert_eq!(
        on_time,
        SubmitOutcome::Submitted {
            version: 1,
            late: false,
            nil: true
        }
    );
    let late = app
        .try_fn(&ajj, paper_form(&late_firm.id, "2027-01-14", &["5.3"]))
        .await
        .unwrap();
    assert_eq!(
        late,
        SubmitOutcome::Submitted {
            version: 1,
            late: true,
            nil: false
        }
    );
    assert_eq!(counted(&app, &w.firm.id).await.2, 0);
    assert_eq!(counted(&app, &late_firm.id).await.2, 1);
    let seen: FilingView = app.try_fn(&ajj, filing_of(&late_firm.id)).await.unwrap();
    let record = seen.record.unwrap();
    assert!(record.late);
    assert_eq!(
        record.entered_by.as_deref(),
        Some(ajj.display_name.as_str())
    );
    app.assert_counts_match_a_recount().await;

    // After the exception ends, nothing more is entered.
    app.clock.set(at("2027-01-21T09:00:00+08:00"));
    let third = w
        .county
        .enterprise("昆明普吉化工有限公司", "chemical", Some(&w.town))
        .await;
    let err = app
        .try_fn(&town, paper_form(&third.id, "2027-01-09", &[]))
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Conflict(Conflict::WindowClosed));
}

async fn the_unit_and_the_township_at_once_leave_one_current_version(backend: Backend) {
    let app = TestApp::spawn_with(backend, Options::fresh("2027-01-08T15:00:00+08:00")).await;
    let w = app.wuhua().await;
    let town = app.account_in(&w.town).await;
    let unit = app.account_in(&w.firm).await;
    let mut firms = vec![w.firm.clone()];
    for i in 0..3 {
        firms.push(
            w.county
                .enterprise(&format!("昆明并发化工{i}厂"), "chemical", Some(&w.town))
                .await,
        );
    }

    // The unit's first save and the township's entry at once: one version 1, whoever wins.
    let (saved, entered) = tokio::join!(
        app.try_fn(
            &unit,
            common::filing_form(BindingKind::Enterprise, &[], "save")
        ),
        app.try_fn(&town, paper_form(&w.firm.id, "2027-01-06", &[])),
    );
    let versions = versions_of(&app, &w.firm.id).await;
    assert_eq!(
        versions.len(),
        1,
        "one version: {versions:?} ({saved:?}, {entered:?})"
    );
    match (&saved, &entered) {
        (_, Ok(_)) => assert_eq!(versions[0].1, "submitted"),
        (Ok(_), Err(AppError::Conflict(Conflict::TryAgain))) => {
            assert_eq!(versions[0].1, "draft")
        }
        other => panic!("unexpected outcomes {other:?}"),
    }

    // A unit's draft submitted by the unit while the township enters the paper: exactly one
    // submission lands, on the one version.
    for firm in &firms[1..] {
        let filer = app.account_in(firm).await;
        app.try_fn(
            &filer,
            common::filing_form(BindingKind::Enterprise, &[], "save"),
        )
        .await
        .unwrap();
        let (submitted, entered) = tokio::join!(
            app.try_fn(
                &filer,
                SubmitFiling {
                    period: PERIOD.into(),
                    version: "1".into(),
                }
            ),
            app.try_fn(&town, paper_form(&firm.id, "2027-01-06", &["5.3"])),
        );
        let versions = versions_of(&app, &firm.id).await;
        assert_eq!(versions, vec![(1, "submitted".to_string())]);
        let (submissions,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_event WHERE action IN ('filing.submit', 'filing.paper') \
             AND subject_id IN (SELECT filing_id FROM filing WHERE unit_id = $1)",
        )
        .bind(&firm.id)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(submissions, 1, "{submitted:?} / {entered:?}");
        match (&submitted, &entered) {
            (
                Ok(SubmitOutcome::Submitted { .. }),
                Err(AppError::Conflict(Conflict::AlreadySubmitted)),
            )
            | (Ok(SubmitOutcome::AlreadySubmitted { .. }), Ok(SubmitOutcome::Submitted { .. })) => {
            }
            other => panic!("unexpected outcomes {other:?}"),
        }
    }
    app.assert_counts_match_a_recount().await;
}
