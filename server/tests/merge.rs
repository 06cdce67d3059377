//! Merging two duplicate enterprises (issue 14: "merge of two duplicate enterprises keeps both
//! histories"), over HTTP, on SQLite and PostgreSQL: the duplicate is closed as of the merge
//! and linked to the enterprise kept; its filings and records stay; its accounts and credit
//! code move; refusals come back next to the field; races leave one consistent outcome.

mod common;

use app::api::filing::{GetHistory, SubmitFiling};
use app::api::rollup::GetRollup;
use app::api::MergeUnit;
use app::domain::forms::BindingKind;
use app::domain::time::parse_instant;
use app::error::{AppError, Conflict};
use common::fixtures::{Account, Unit, Wuhua};
use common::{filing_form, location, submit_filing, Backend, Options, TestApp};

on_both_databases!(
    a_merged_duplicate_keeps_its_history_and_its_people_file_for_the_unit_kept,
    a_merge_is_refused_next_to_the_field_when_it_cannot_be_made,
    the_administrator_merges_without_javascript_and_sees_where_the_duplicate_went,
    a_merge_racing_the_duplicates_submission_leaves_one_outcome,
    two_merges_of_the_same_pair_in_opposite_directions_leave_one,
    the_registry_no_longer_lists_a_merged_duplicate_and_an_old_line_of_it_is_refused,
);

/// 5 January 2027: the window of 2026-Y is open.
const IN_WINDOW: &str = "2027-01-05T10:00:00+08:00";
/// 20 January 2027: it has closed.
const AFTER_WINDOW: &str = "2027-01-20T10:00:00+08:00";

fn merge(unit_id: &str, into: &str) -> MergeUnit {
    MergeUnit {
        unit_id: unit_id.into(),
        into_unit_id: into.into(),
    }
}

/// 五华区's chain ([`Wuhua`]), a logged-in administrator, and the firm registered a second
/// time (same industry and township).
async fn with_duplicate(app: &TestApp) -> (Wuhua<'_>, Account, Unit) {
    let w = app.wuhua().await;
    let admin = app.admin().await;
    let dup = w
        .county
        .enterprise("昆明华山化工有限公司（导入）", "chemical", Some(&w.town))
        .await;
    (w, admin, dup)
}

async fn expected(app: &TestApp, client: &reqwest::Client, period: &str) -> usize {
    app.try_fn(
        client,
        GetRollup {
            period: period.into(),
            unit: String::new(),
            row: String::new(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("the roll-up of {period}: {e:?}"))
    .rollup
    .expected
}

fn field_error(err: &AppError) -> Option<&str> {
    err.field_errors().and_then(|f| f.get("into_unit_id"))
}

async fn a_merged_duplicate_keeps_its_history_and_its_people_file_for_the_unit_kept(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, Options::fresh(IN_WINDOW)).await;
    let (w, admin, dup) = with_duplicate(&app).await;
    let ajj = app.account_in(&w.ajj).await;
    let dup_filer = app.account_in(&dup).await;
    let firm_filer = app.account_in(&w.firm).await;
    // The duplicate filed for 2026-Y (with an unmet item): while the window is open, the
    // enterprise's current filing is the duplicate's, and the merge into the firm is refused;
    // so it is too once the firm has filed as well (two current filings of one enterprise).
    submit_filing(&app, &dup_filer, BindingKind::Enterprise, &["5.3"], "1").await;
    for firm_filed in [false, true] {
        if firm_filed {
            submit_filing(&app, &firm_filer, BindingKind::Enterprise, &[], "1").await;
        }
        let err = app
            .try_fn(&admin, merge(&dup.id, &w.firm.id))
            .await
            .unwrap_err();
        assert_eq!(
            field_error(&err),
            Some("err.merge_duplicate_filed"),
            "the firm filed: {firm_filed}; {err:?}"
        );
    }
    sqlx::query("UPDATE enterprise SET credit_code = '91530102MA6K000001' WHERE unit_id = $1")
        .bind(&dup.id)
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(expected(&app, &ajj, "2026-Y").await, 2);

    // After the window closed, each filing stays with the unit that made it.
    app.clock.set(Some(parse_instant(AFTER_WINDOW).unwrap()));
    app.try_fn(&admin, merge(&dup.id, &w.firm.id))
        .await
        .expect("the merge");

    let (closed_on,): (Option<String>,) =
        sqlx::query_as("SELECT closed_on FROM unit WHERE unit_id = $1")
            .bind(&dup.id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        closed_on.as_deref(),
        Some("2026-12-31"),
        "closed so that it owes what it owed and nothing after"
    );
    assert_eq!(
        expected(&app, &ajj, "2026-Y").await,
        2,
        "the past period still counts both filings"
    );
    assert_eq!(
        expected(&app, &ajj, "2027-H1").await,
        1,
        "from 2027 the enterprise is expected once"
    );
    let (filings,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM filing WHERE unit_id = $1")
        .bind(&dup.id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(filings, 1, "the duplicate's filing stays under its id");
    let codes: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT unit_id, credit_code FROM enterprise WHERE unit_id IN ($1, $2)")
            .bind(&dup.id)
            .bind(&w.firm.id)
            .fetch_all(&app.db)
            .await
            .unwrap();
    for (unit, code) in codes {
        if unit == w.firm.id {
            assert_eq!(
                code.as_deref(),
                Some("91530102MA6K000001"),
                "taken by the kept"
            );
        } else {
            assert_eq!(code, None, "given up by the duplicate (the code is unique)");
        }
    }
    let (unit_of_user,): (String,) =
        sqlx::query_as("SELECT unit_id FROM app_user WHERE user_id = $1")
            .bind(&dup_filer.user_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(unit_of_user, w.firm.id, "its people moved to the unit kept");
    let actions: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, subject_id FROM audit_event WHERE action IN ('unit.merge', 'unit.merge_in', 'user.unit') ORDER BY action",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        actions,
        vec![
            ("unit.merge".to_string(), dup.id.clone()),
            ("unit.merge_in".to_string(), w.firm.id.clone()),
            ("user.unit".to_string(), dup_filer.user_id.clone()),
        ],
        "the merge is audited on both units and on the account moved"
    );

    // The duplicate's filer, now in the kept unit, sees both histories of 2026-Y.
    let history = app
        .try_fn(
            &dup_filer,
            GetHistory {
                unit: String::new(),
                period: "2026-Y".into(),
            },
        )
        .await
        .expect("the kept unit's history");
    assert_eq!(history.unit_id, w.firm.id);
    assert_eq!(history.versions.len(), 1, "the kept unit's own filing");
    assert_eq!(history.merged_from.len(), 1, "and the duplicate's");
    let theirs = &history.merged_from[0];
    assert_eq!(theirs.link.unit_id, dup.id);
    assert_eq!(theirs.link.merged_on, "2027-01-20");
    assert_eq!(theirs.versions.len(), 1);
    assert!(
        theirs.events.iter().any(|e| e.action == "filing.submit"),
        "{:?}",
        theirs.events
    );
    // And may open the duplicate's own page, which says where it went.
    let own_old = app
        .try_fn(
            &dup_filer,
            GetHistory {
                unit: dup.id.clone(),
                period: "2026-Y".into(),
            },
        )
        .await
        .expect("the duplicate's history, for its successor");
    assert_eq!(
        own_old.merged_into.map(|k| k.unit_id),
        Some(w.firm.id.clone())
    );
    // Its department still reviews the duplicate's filing where it went.
    let office = app.account_in(&w.county.office).await;
    let html = app
        .page_with(
            &office,
            &format!("/history?unit={}&period=2026-Y", w.firm.id),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("重复登记单位的记录") && html.contains("昆明华山化工有限公司（导入）"),
        "the kept unit's history page shows the duplicate's, labelled: {html}"
    );
    app.assert_counts_match_a_recount().await;
}

async fn a_merge_is_refused_next_to_the_field_when_it_cannot_be_made(backend: Backend) {
    let app = TestApp::spawn_with(backend, Options::fresh(AFTER_WINDOW)).await;
    let (w, admin, dup) = with_duplicate(&app).await;
    let other_county = app.county("盘龙区").await;
    let elsewhere = other_county
        .enterprise("昆明盘龙化工有限公司", "chemical", None)
        .await;
    let third = w
        .county
        .enterprise("昆明华山化工有限公司（手工）", "chemical", Some(&w.town))
        .await;
    for (into, key) in [
        (dup.id.as_str(), "err.merge_self"),
        (w.town.id.as_str(), "err.merge_not_enterprise"),
        (elsewhere.id.as_str(), "err.merge_other_county"),
        ("", "err.unit_missing"),
        ("no-such-unit", "err.merge_not_enterprise"),
    ] {
        let err = app.try_fn(&admin, merge(&dup.id, into)).await.unwrap_err();
        assert_eq!(field_error(&err), Some(key), "into {into:?}: {err:?}");
    }
    let err = app
        .try_fn(&admin, merge(&w.town.id, &w.firm.id))
        .await
        .unwrap_err();
    assert_eq!(
        field_error(&err),
        Some("err.merge_not_enterprise"),
        "a township is no duplicate enterprise"
    );
    let office = app.account_in(&w.county.office).await;
    assert_eq!(
        app.try_fn(&office, merge(&dup.id, &w.firm.id))
            .await
            .unwrap_err(),
        AppError::Forbidden,
        "only the administrator merges"
    );

    app.try_fn(&admin, merge(&dup.id, &w.firm.id))
        .await
        .expect("the merge");
    let err = app
        .try_fn(&admin, merge(&dup.id, &third.id))
        .await
        .unwrap_err();
    assert_eq!(field_error(&err), Some("err.merge_already_merged"));
    let err = app
        .try_fn(&admin, merge(&third.id, &dup.id))
        .await
        .unwrap_err();
    assert_eq!(field_error(&err), Some("err.merge_into_merged"));
    let err = app
        .try_fn(
            &admin,
            app::api::SetUnitLife {
                unit_id: dup.id.clone(),
                opened_on: "2010-04-29".into(),
                closed_on: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.field_errors().and_then(|f| f.get("closed_on")),
        Some("err.merged_stays_closed"),
        "a merged duplicate is not reopened: it would owe every later period and can file none"
    );
    let (merges,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM unit_merge")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(merges, 1, "nothing else was merged");
    let (records,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = 'unit.merge'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(records, 1, "a refusal records nothing");
    app.assert_counts_match_a_recount().await;
}

async fn the_administrator_merges_without_javascript_and_sees_where_the_duplicate_went(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, Options::fresh(AFTER_WINDOW)).await;
    let (w, admin, dup) = with_duplicate(&app).await;
    let res = app.login(&admin.username, &admin.password).await;
    assert_eq!(res.status(), 200);
    let page = format!("/admin/unit?id={}", dup.id);
    let html = app.text(&page).await;
    assert!(
        html.contains("合并重复登记的企业") && html.contains("昆明华山化工有限公司</option>"),
        "the form offers the other enterprise of the county: {html}"
    );
    let post = async |into: &str| {
        app.post_form(
            &page,
            "merge_unit",
            &[("unit_id", dup.id.as_str()), ("into_unit_id", into)],
        )
        .await
    };
    let res = post(&dup.id).await;
    assert_eq!(res.status(), 302, "a redirect back, not an error page");
    let back = location(&res);
    let html = app.text(&back).await;
    assert!(
        html.contains("不能将单位合并入其自身"),
        "the error next to the field: {html}"
    );

    let res = post(&w.firm.id).await;
    assert_eq!(res.status(), 302);
    let back = location(&res);
    assert!(back.contains("done=merge"), "{back}");
    let html = app.text(&back).await;
    assert!(
        html.contains("已合并") && html.contains(&format!("/admin/unit?id={}", w.firm.id)),
        "the duplicate's page links to the unit kept: {html}"
    );
    assert!(
        !html.contains("action=\"/api/merge_unit\""),
        "no second merge offered"
    );
    let kept = app.text(&format!("/admin/unit?id={}", w.firm.id)).await;
    assert!(
        kept.contains("于 2027-01-20 合并入本单位的重复登记单位")
            && kept.contains("昆明华山化工有限公司（导入）"),
        "the kept unit lists the duplicate: {kept}"
    );
    assert!(
        !kept.contains(&format!("<option value=\"{}\"", dup.id)),
        "a merged unit is no candidate any more"
    );
    app.assert_counts_match_a_recount().await;
}

async fn a_merge_racing_the_duplicates_submission_leaves_one_outcome(backend: Backend) {
    // In the window of 2026-Y the kept firm has filed; each duplicate has a checked draft,
    // then its submission and the merge are sent at once: either the submission lands first
    // (two current filings: the merge is refused) or the merge does (the duplicate files no
    // more).
    let app = TestApp::spawn_with(backend, Options::fresh(IN_WINDOW)).await;
    let w = app.wuhua().await;
    let admin = app.admin().await;
    let firm_filer = app.account_in(&w.firm).await;
    submit_filing(&app, &firm_filer, BindingKind::Enterprise, &[], "1").await;
    // One or the other starts a little later each time, so that both orders occur.
    for i in 0..10u64 {
        let (submit_after, merge_after) = if i % 2 == 0 { (0, 2 * i) } else { (2 * i, 0) };
        let dup = w
            .county
            .enterprise(
                &format!("昆明华山化工有限公司（重复{i}）"),
                "chemical",
                Some(&w.town),
            )
            .await;
        let filer = app.account_in(&dup).await;
        app.try_fn(&filer, filing_form(BindingKind::Enterprise, &[], "review"))
            .await
            .expect("the draft is saved");
        let submit = async {
            tokio::time::sleep(std::time::Duration::from_millis(submit_after)).await;
            app.try_fn(
                &filer,
                SubmitFiling {
                    period: "2026-Y".into(),
                    version: "1".into(),
                },
            )
            .await
        };
        let merged = async {
            tokio::time::sleep(std::time::Duration::from_millis(merge_after)).await;
            app.try_fn(&admin, merge(&dup.id, &w.firm.id)).await
        };
        let (submitted, merged) = tokio::join!(submit, merged);
        let (filed,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM filing WHERE unit_id = $1 AND status <> 'draft'")
                .bind(&dup.id)
                .fetch_one(&app.db)
                .await
                .unwrap();
        let (links,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM unit_merge WHERE merged_unit_id = $1")
                .bind(&dup.id)
                .fetch_one(&app.db)
                .await
                .unwrap();
        match &merged {
            Err(e) => {
                assert_eq!(field_error(e), Some("err.merge_duplicate_filed"), "{e:?}");
                assert!(submitted.is_ok(), "{submitted:?}");
                assert_eq!((filed, links), (1, 0), "the duplicate filed, not merged");
            }
            Ok(()) => {
                // Either the submission was in flight (refused) or came after the merge, when
                // its account already belonged to the unit kept (which had submitted).
                if let Err(e) = &submitted {
                    assert_eq!(e, &AppError::Conflict(Conflict::UnitMerged));
                }
                assert_eq!(
                    (filed, links),
                    (0, 1),
                    "merged, and no filing of the duplicate landed after: {submitted:?}"
                );
            }
        }
    }
    app.assert_counts_match_a_recount().await;
}

async fn two_merges_of_the_same_pair_in_opposite_directions_leave_one(backend: Backend) {
    let app = TestApp::spawn_with(backend, Options::fresh(AFTER_WINDOW)).await;
    let (w, admin, _) = with_duplicate(&app).await;
    for i in 0..4 {
        let a = w
            .county
            .enterprise(&format!("昆明甲化工有限公司{i}"), "chemical", Some(&w.town))
            .await;
        let b = w
            .county
            .enterprise(&format!("昆明乙化工有限公司{i}"), "chemical", Some(&w.town))
            .await;
        let (ab, ba) = tokio::join!(
            app.try_fn(&admin, merge(&a.id, &b.id)),
            app.try_fn(&admin, merge(&b.id, &a.id)),
        );
        let refusal = match (&ab, &ba) {
            (Ok(()), Err(e)) | (Err(e), Ok(())) => field_error(e),
            other => panic!("exactly one merge lands: {other:?}"),
        };
        assert!(
            matches!(
                refusal,
                Some("err.merge_into_merged" | "err.merge_already_merged")
            ),
            "{refusal:?}"
        );
        let (links,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM unit_merge WHERE merged_unit_id IN ($1, $2)")
                .bind(&a.id)
                .bind(&b.id)
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(links, 1);
    }
    app.assert_counts_match_a_recount().await;
}

/// A valid credit code, different for every `n`.
fn code(n: usize) -> String {
    app::domain::registry::CreditCode::complete(&format!("92530102MC{n:07}"))
        .unwrap()
        .as_str()
        .to_string()
}

async fn the_registry_no_longer_lists_a_merged_duplicate_and_an_old_line_of_it_is_refused(
    backend: Backend,
) {
    use app::domain::registry::{Column, Problem};
    use app::ssr::registry;
    let app = TestApp::spawn_with(backend, Options::fresh(AFTER_WINDOW)).await;
    let (w, admin, dup) = with_duplicate(&app).await;
    // Both have codes (two registrations under two codes), contacts and phones.
    for (i, id) in [&w.firm.id, &dup.id].into_iter().enumerate() {
        sqlx::query(
            "UPDATE enterprise SET credit_code = $1, contact = '李娜', phone = '0871-63123456' WHERE unit_id = $2",
        )
        .bind(code(i))
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    }
    let before = app::ssr::table::to_csv(&registry::registry_table(&app.db).await.unwrap());
    let plan = registry::check(&app.db, before.as_bytes()).await.unwrap();
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert_eq!(
        plan.unchanged, 2,
        "the registry as exported changes nothing"
    );

    app.try_fn(&admin, merge(&dup.id, &w.firm.id))
        .await
        .expect("the merge");
    let after = app::ssr::table::to_csv(&registry::registry_table(&app.db).await.unwrap());
    assert!(
        !after.contains("昆明华山化工有限公司（导入）"),
        "the duplicate is no enterprise of the registry any more: {after}"
    );
    let plan = registry::check(&app.db, after.as_bytes()).await.unwrap();
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert_eq!((plan.unchanged, plan.add.len()), (1, 0));
    // The file from before the merge: its line of the duplicate updates no merged unit and
    // adds no second enterprise under the code; it is refused, with the reason.
    let plan = registry::check(&app.db, before.as_bytes()).await.unwrap();
    let problems: Vec<(Option<Column>, Problem)> = plan
        .problems
        .iter()
        .map(|p| (p.column, p.problem.clone()))
        .collect();
    assert_eq!(problems, vec![(Some(Column::CreditCode), Problem::Merged)]);
    app.assert_counts_match_a_recount().await;
}
