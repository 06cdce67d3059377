//! Filing the nine forms over HTTP, on SQLite and PostgreSQL: drafts, submission, versions,
//! concurrent submissions, the window and late filing.

mod common;

use app::domain::forms::{self, BindingKind};
use app::error::AppError;
use app::model::filing::FilingView;
use common::{app_error, location, Backend, Options, TestApp};

on_both_databases!(
    enterprise_saves_a_draft_and_finds_it_again,
    a_complete_nil_filing_is_submitted_once_and_a_second_submission_changes_nothing,
    two_submissions_at_once_produce_exactly_one_submitted_filing,
    submission_is_refused_until_every_binding_row_is_answered_and_unmet_rows_explained,
    without_javascript_the_review_step_reports_errors_next_to_the_rows,
    a_correction_after_submission_is_a_new_version_and_the_old_one_is_kept,
    after_the_window_filing_needs_an_exception_and_is_marked_late,
    outside_the_window_forms_are_read_only_and_say_when_the_next_opens,
    departments_townships_and_county_offices_file_their_own_forms,
    print_view_shows_every_row_of_the_nine_forms,
    another_units_filing_is_hidden_from_non_supervisors,
    the_forms_field_names_stay_and_fields_it_has_not_are_refused,
);

const IN_WINDOW: &str = "2027-01-05T10:00:00+08:00";

async fn in_window(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        Options {
            clock: Some(IN_WINDOW),
            seed: true,
            ..Default::default()
        },
    )
    .await
}

/// The form fields of a filing answering every row binding `kind` as done, but `unmet`.
use common::filing_fields as fields;

async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(String, String)],
    intent: &str,
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.push(("intent", intent));
    app.call_with(client, "save_filing", &form).await
}

async fn view(app: &TestApp, client: &reqwest::Client, query: &[(&str, &str)]) -> FilingView {
    let res = app.call_with(client, "filing", query).await;
    assert_eq!(res.status(), 200, "filing view");
    res.json().await.unwrap()
}

async fn submit(app: &TestApp, client: &reqwest::Client, version: &str) -> reqwest::Response {
    app.call_with(
        client,
        "submit_filing",
        &[("period", "2026-Y"), ("version", version)],
    )
    .await
}

async fn enterprise_saves_a_draft_and_finds_it_again(backend: Backend) {
    let app = in_window(backend).await;
    app.login_ok("qiye").await;
    let mut partial = fields(BindingKind::Enterprise, &[]);
    partial.truncate(10);
    let res = save(&app, &app.client, &partial, "save").await;
    assert_eq!(
        res.status(),
        200,
        "a partial draft saves: {}",
        res.text().await.unwrap()
    );
    let res = save(&app, &app.client, &partial, "save").await;
    assert_eq!(res.status(), 200, "drafts save as often as the user likes");
    let v = view(&app, &app.client, &[]).await;
    assert_eq!(
        v.period.key(),
        "2026-Y",
        "in January the annual filing of the previous year is due"
    );
    let r = v.record.expect("a draft exists");
    assert_eq!((r.version, r.status.code()), (1, "draft"));
    assert_eq!(v.content.frame.principal, "赵建国");
    assert_eq!(v.progress.answered, 4, "the four answers saved");
    assert_eq!(
        v.progress.binding,
        forms::binding_count(BindingKind::Enterprise)
    );
    assert!(v.editable);
    let (saves,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = 'filing.save'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(saves, 2, "each save is audited");
    // A malformed phone is refused, on the phone field.
    let mut bad = partial.clone();
    bad.iter_mut().find(|(k, _)| k == "phone").unwrap().1 = "12345".into();
    let err = app_error(save(&app, &app.client, &bad, "save").await).await;
    assert_eq!(
        err.field_errors().and_then(|f| f.get("phone")),
        Some("err.phone")
    );
    let v = view(&app, &app.client, &[]).await;
    assert_eq!(
        v.content.frame.phone, "0871-63123456",
        "the saved draft is untouched by a refused save"
    );
}

async fn a_complete_nil_filing_is_submitted_once_and_a_second_submission_changes_nothing(
    backend: Backend,
) {
    let app = in_window(backend).await;
    app.login_ok("qiye").await;
    let res = save(
        &app,
        &app.client,
        &fields(BindingKind::Enterprise, &[]),
        "review",
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = submit(&app, &app.client, "1").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["Submitted"]["nil"], true, "all done: a nil filing");
    assert_eq!(body["Submitted"]["late"], false);
    let res = submit(&app, &app.client, "1").await;
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body.get("AlreadySubmitted").is_some(),
        "the second submission is told it was already submitted: {body}"
    );
    let v = view(&app, &app.client, &[]).await;
    let r = v.record.unwrap();
    assert_eq!(r.status.code(), "submitted");
    assert_eq!(
        r.filing_date.map(|d| d.to_string()).as_deref(),
        Some("2027-01-05"),
        "申报时间 is the Kunming date of submission"
    );
    assert_eq!(r.nil, Some(true));
    assert!(!v.editable, "a submitted filing is read-only");
    let err = app_error(
        save(
            &app,
            &app.client,
            &fields(BindingKind::Enterprise, &[]),
            "save",
        )
        .await,
    )
    .await;
    assert_eq!(
        err,
        AppError::Conflict(app::error::Conflict::AlreadySubmitted),
        "a submitted filing cannot be changed"
    );
}

async fn two_submissions_at_once_produce_exactly_one_submitted_filing(backend: Backend) {
    let app = in_window(backend).await;
    app.login_ok("qiye").await;
    save(
        &app,
        &app.client,
        &fields(BindingKind::Enterprise, &[]),
        "save",
    )
    .await;
    let (a, b, c) = tokio::join!(
        submit(&app, &app.client, "1"),
        submit(&app, &app.client, "1"),
        submit(&app, &app.client, "1")
    );
    let mut submitted = 0;
    for res in [a, b, c] {
        assert_eq!(
            res.status(),
            200,
            "every submission gets a clear answer, not an error"
        );
        let body: serde_json::Value = res.json().await.unwrap();
        if body.get("Submitted").is_some() {
            submitted += 1;
        } else {
            assert!(body.get("AlreadySubmitted").is_some(), "{body}");
        }
    }
    assert_eq!(submitted, 1, "exactly one request submitted the filing");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM filing WHERE status = 'submitted'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let (audits,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = 'filing.submit'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(audits, 1, "one submission, one audit record");
}

async fn submission_is_refused_until_every_binding_row_is_answered_and_unmet_rows_explained(
    backend: Backend,
) {
    let app = in_window(backend).await;
    app.login_ok("qiye").await;
    let mut f = fields(BindingKind::Enterprise, &[("5.3", "太短")]);
    f.retain(|(k, _)| k != "answers[r8_1]");
    let err = app_error(save(&app, &app.client, &f, "review").await).await;
    let errors = err.field_errors().expect("field errors");
    assert_eq!(
        errors.get("r8_1"),
        Some("err.row_unanswered"),
        "the unanswered row is named"
    );
    assert_eq!(
        errors.get("x5_3"),
        Some("err.explanation_short"),
        "a two-character explanation is not enough"
    );
    let v = view(&app, &app.client, &[]).await;
    assert_eq!(
        v.record.unwrap().status.code(),
        "draft",
        "the draft was still saved"
    );
    let err = app_error(submit(&app, &app.client, "1").await).await;
    assert!(
        err.field_errors().is_some(),
        "submitting an incomplete draft directly is refused too"
    );
    let f = fields(
        BindingKind::Enterprise,
        &[(
            "5.3",
            "隐患排查制度尚未建立，计划于三月底前制定并组织全员培训。",
        )],
    );
    assert_eq!(save(&app, &app.client, &f, "review").await.status(), 200);
    let v = view(&app, &app.client, &[]).await;
    assert!(!v.progress.nil);
    assert_eq!(v.progress.unmet, vec!["5.3".to_string()]);
    let body: serde_json::Value = submit(&app, &app.client, "1").await.json().await.unwrap();
    assert_eq!(
        body["Submitted"]["nil"], false,
        "a filing with an unmet item is not nil"
    );
}

async fn without_javascript_the_review_step_reports_errors_next_to_the_rows(backend: Backend) {
    let app = in_window(backend).await;
    app.login_ok("qiye").await;
    let mut f = fields(BindingKind::Enterprise, &[("6.3", "")]);
    f.retain(|(k, _)| k != "answers[r9_2]");
    f.push(("intent".into(), "review".into()));
    let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.post_form("/filing", "save_filing", &form).await;
    assert_eq!(res.status(), 302);
    let back = location(&res);
    assert!(back.starts_with("/filing?flash="), "{back}");
    let html = app.text(&back).await;
    assert!(
        html.contains(r#"id="r9_2-error""#),
        "the unanswered row's error is on the page"
    );
    assert!(
        html.contains(r#"id="x6_3-error""#),
        "the missing explanation's error is on the page"
    );
    assert!(html.contains("请选择“落实”或“不落实”。"));
    // Now complete, review, confirm, submit: all plain posts.
    let mut f = fields(BindingKind::Enterprise, &[]);
    f.push(("intent".into(), "review".into()));
    let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.post_form("/filing", "save_filing", &form).await;
    assert_eq!(location(&res), "/filing/confirm?period=2026-Y");
    let confirm = app.text("/filing/confirm?period=2026-Y").await;
    assert!(
        confirm.contains("本次为零申报"),
        "the confirmation says this is a nil filing"
    );
    let res = app
        .post_form(
            "/filing/confirm?period=2026-Y",
            "submit_filing",
            &[("period", "2026-Y"), ("version", "1")],
        )
        .await;
    assert_eq!(location(&res), "/filing?period=2026-Y&done=submitted");
    let page = app.text("/filing?period=2026-Y&done=submitted").await;
    assert!(page.contains("已提交。"));
    // A retried post (double click) gets a clear answer.
    let res = app
        .post_form(
            "/filing/confirm?period=2026-Y",
            "submit_filing",
            &[("period", "2026-Y"), ("version", "1")],
        )
        .await;
    assert_eq!(location(&res), "/filing?period=2026-Y&done=already");
}

async fn a_correction_after_submission_is_a_new_version_and_the_old_one_is_kept(backend: Backend) {
    let app = in_window(backend).await;
    app.login_ok("qiye").await;
    save(
        &app,
        &app.client,
        &fields(BindingKind::Enterprise, &[]),
        "save",
    )
    .await;
    submit(&app, &app.client, "1").await;
    let res = app.call("revise_filing", &[("period", "2026-Y")]).await;
    assert_eq!(res.status(), 200);
    let v = view(&app, &app.client, &[]).await;
    assert_eq!(v.versions.len(), 2);
    let r = v.record.clone().unwrap();
    assert_eq!((r.version, r.status.code()), (2, "draft"));
    assert_eq!(
        v.progress.answered, v.progress.binding,
        "the new version starts from the submitted content"
    );
    let f = fields(
        BindingKind::Enterprise,
        &[("8.1", "两名特种作业人员证书过期，已报名二月份复训取证。")],
    );
    assert_eq!(save(&app, &app.client, &f, "review").await.status(), 200);
    let body: serde_json::Value = submit(&app, &app.client, "2").await.json().await.unwrap();
    assert_eq!(body["Submitted"]["version"], 2);
    let old = view(&app, &app.client, &[("version", "1")]).await;
    assert_eq!(old.record.unwrap().status.code(), "submitted");
    assert!(old.progress.nil, "version 1 is kept as it was submitted");
}

async fn after_the_window_filing_needs_an_exception_and_is_marked_late(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            clock: Some("2027-01-12T09:00:00+08:00"),
            seed: true,
            ..Default::default()
        },
    )
    .await;
    app.login_ok("qiye").await;
    let err = app_error(
        save(
            &app,
            &app.client,
            &fields(BindingKind::Enterprise, &[]),
            "save",
        )
        .await,
    )
    .await;
    assert_eq!(
        err,
        AppError::Conflict(app::error::Conflict::WindowClosed),
        "after the 10th nothing can be filed"
    );
    // The supervising department grants a late filing.
    let dept = app.logged_in("wuhua-ajj").await;
    let err = app_error(
        app.call_with(
            &dept,
            "grant_exception",
            &[
                ("unit_id", "ent-530102-demo"),
                ("period", "2026-Y"),
                ("reason", "x"),
                ("until", "2027-01-01"),
            ],
        )
        .await,
    )
    .await;
    let f = err.field_errors().expect("field errors");
    assert_eq!(f.get("reason"), Some("err.reason_short"));
    assert_eq!(f.get("until"), Some("err.date_past"));
    let res = app
        .call_with(
            &dept,
            "grant_exception",
            &[
                ("unit_id", "ent-530102-demo"),
                ("period", "2026-Y"),
                ("reason", "企业负责人住院，申请补报"),
                ("until", "2027-01-20"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // A department cannot grant one to an enterprise it does not supervise (construction, 五华区).
    let (other,): (String,) = sqlx::query_as("SELECT n.unit_id FROM unit n JOIN enterprise e ON e.unit_id = n.unit_id WHERE n.county_id = 'county-530102' AND e.industry_code = 'construction' LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let res = app
        .call_with(
            &dept,
            "grant_exception",
            &[
                ("unit_id", &other),
                ("period", "2026-Y"),
                ("reason", "不该被批准的补报"),
                ("until", "2027-01-20"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403, "outside the department's industries");
    // The enterprise files late.
    assert_eq!(
        save(
            &app,
            &app.client,
            &fields(BindingKind::Enterprise, &[]),
            "review"
        )
        .await
        .status(),
        200
    );
    let body: serde_json::Value = submit(&app, &app.client, "1").await.json().await.unwrap();
    assert_eq!(
        body["Submitted"]["late"], true,
        "a filing under an exception is marked late"
    );
    let v = view(&app, &app.client, &[]).await;
    assert!(v.record.unwrap().late);
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = 'late_exception.grant'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(n, 1, "the exception is audited");
    // After the exception's last day, filing is closed again.
    app.clock.set(Some(
        app::domain::time::parse_instant("2027-01-21T00:00:00+08:00").unwrap(),
    ));
    let res = app.call("revise_filing", &[("period", "2026-Y")]).await;
    assert_eq!(
        res.status(),
        409,
        "the exception ran out at the end of 20 January"
    );
}

async fn outside_the_window_forms_are_read_only_and_say_when_the_next_opens(backend: Backend) {
    let app = TestApp::spawn(backend).await; // 24 November 2026
    app.login_ok("qiye").await;
    let v = view(&app, &app.client, &[]).await;
    assert_eq!(
        v.period.key(),
        "2026-H1",
        "the latest window that opened is July's"
    );
    assert!(!v.editable);
    let v = view(&app, &app.client, &[("period", "2026-Y")]).await;
    assert!(!v.editable, "January's window has not opened yet");
    let html = app.text("/filing?period=2026-Y").await;
    assert!(
        html.contains("本期申报窗口尚未开放") && html.contains("2027-01-01 00:00"),
        "the page says when the window opens"
    );
    assert!(html.contains("disabled"), "fields are read-only");
}

async fn departments_townships_and_county_offices_file_their_own_forms(backend: Backend) {
    let app = in_window(backend).await;
    for (username, kind, unit) in [
        (
            "wuhua-ajj",
            BindingKind::Department,
            "county-530102-dept-ajj",
        ),
        ("huashan", BindingKind::Township, "county-530102-town-0"),
        ("wuhua", BindingKind::Government, "county-530102"),
    ] {
        let browser = app.logged_in(username).await;
        let v = view(&app, &browser, &[]).await;
        assert_eq!(v.unit_id, unit, "{username} files for {unit}");
        assert_eq!(v.binding, kind);
        assert_eq!(v.progress.binding, forms::binding_count(kind));
        assert_eq!(
            save(&app, &browser, &fields(kind, &[]), "review")
                .await
                .status(),
            200,
            "{username}"
        );
        let body: serde_json::Value = submit(&app, &browser, "1").await.json().await.unwrap();
        assert_eq!(body["Submitted"]["nil"], true, "{username}");
    }
    let city = app.logged_in("city").await;
    let html = app.page_with(&city, "/filing").await.text().await.unwrap();
    assert!(
        html.contains("您的角色不直接填报零申报表"),
        "the city office compiles rather than fills forms"
    );
}

async fn print_view_shows_every_row_of_the_nine_forms(backend: Backend) {
    let app = in_window(backend).await;
    app.login_ok("qiye").await;
    save(
        &app,
        &app.client,
        &fields(
            BindingKind::Enterprise,
            &[(
                "5.3",
                "隐患排查制度尚未建立，计划于三月底前制定并组织全员培训。",
            )],
        ),
        "save",
    )
    .await;
    let html = app.text("/filing/print?period=2026-Y").await;
    for form in forms::FORMS.iter() {
        assert!(html.contains(form.title), "form {} title", form.number);
        for row in form.rows {
            assert!(html.contains(row.text), "row {} text is printed", row.id);
        }
    }
    for label in [
        "申报单位主要负责人",
        "申报单位分管领导",
        "申报说明",
        "填表人",
        "审核人",
        "联系电话",
        "（盖章）",
        "落实",
        "不落实",
    ] {
        assert!(html.contains(label), "the frame shows {label}");
    }
    assert!(
        html.contains("第5.3项：隐患排查制度尚未建立"),
        "the unmet item's explanation is printed in 申报说明"
    );
    assert!(html.contains("✓"), "answers are ticked");
}

async fn another_units_filing_is_hidden_from_non_supervisors(backend: Backend) {
    let app = in_window(backend).await;
    app.login_ok("qiye").await;
    let res = app
        .call("filing", &[("unit", "county-530102-dept-ajj")])
        .await;
    assert_eq!(
        res.status(),
        403,
        "an enterprise cannot read a department's filing"
    );
    let dept = app.logged_in("wuhua-ajj").await;
    let res = app
        .call_with(&dept, "filing", &[("unit", "ent-530102-demo")])
        .await;
    assert_eq!(res.status(), 200, "the supervising department can read it");
    let v: FilingView = res.json().await.unwrap();
    assert!(!v.editable && !v.own, "read-only for the supervisor");
    let res = app
        .call_with(
            &dept,
            "save_filing",
            &[("period", "2026-Y"), ("intent", "save")],
        )
        .await;
    assert_eq!(
        res.status(),
        200,
        "a department saves its own draft, never the enterprise's"
    );
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM filing WHERE unit_id = 'ent-530102-demo'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(n, 0);
}

async fn the_forms_field_names_stay_and_fields_it_has_not_are_refused(backend: Backend) {
    let app = in_window(backend).await;
    app.login_ok("qiye").await;
    let html = app.text("/filing").await;
    for attr in [
        r#"name="principal""#,
        r#"id="leader_in_charge""#,
        r#"id="phone""#,
        r#"name="phone""#,
        r#"name="answers[r5_3]""#,
        r#"id="x5_3""#,
        r#"name="explanations[x5_3]""#,
        r#"id="note5""#,
        r#"name="notes[f5]""#,
    ] {
        assert!(html.contains(attr), "the form has {attr}");
    }
    // Fields the form has not (an unknown row, a tenth form, a stray name) refuse the whole
    // save, and nothing is stored; so does an answer that is neither 落实 nor 不落实.
    let before = view(&app, &app.client, &[]).await;
    for (name, value, field, key) in [
        ("answers[r99_1]", "done", "form", "err.unknown_field"),
        ("notes[f10]", "备注", "form", "err.unknown_field"),
        ("stray", "x", "form", "err.unknown_field"),
        ("answers[r5_3]", "maybe", "r5_3", "err.answer_value"),
    ] {
        let mut f = fields(BindingKind::Enterprise, &[]);
        f.retain(|(k, _)| k != name);
        f.push((name.into(), value.into()));
        let res = save(&app, &app.client, &f, "save").await;
        assert_eq!(res.status(), 422, "{name}={value} must be refused");
        let err = app_error(res).await;
        assert_eq!(
            err.field_errors().and_then(|e| e.get(field)),
            Some(key),
            "{name}={value}: {err:?}"
        );
        let after = view(&app, &app.client, &[]).await;
        assert_eq!(after.record, before.record, "{name}: nothing was saved");
    }
    let mut f = fields(BindingKind::Enterprise, &[]);
    f.push(("notes[f5]".into(), "表5备注".into()));
    let res = save(&app, &app.client, &f, "save").await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let v = view(&app, &app.client, &[]).await;
    assert_eq!(v.progress.answered, v.progress.binding);
    assert!(!v.content.answers.contains_key("1.1"));
    assert_eq!(
        v.content.notes.into_iter().collect::<Vec<_>>(),
        vec![(5, "表5备注".to_string())]
    );
    // Without JavaScript a refused save comes back with what was typed, by field.
    let mut f = fields(
        BindingKind::Enterprise,
        &[("5.3", "尚未落实，计划在下季度完成整改并复查。")],
    );
    f.iter_mut().find(|(k, _)| k == "phone").unwrap().1 = "12345".into();
    f.iter_mut().find(|(k, _)| k == "principal").unwrap().1 = "王五六".into();
    f.push(("intent".into(), "save".into()));
    let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.post_form("/filing", "save_filing", &form).await;
    assert_eq!(res.status(), 302);
    let html = app.text(&location(&res)).await;
    assert!(
        html.contains(r#"id="phone-error""#),
        "the phone's error is on the page"
    );
    assert!(html.contains("王五六"), "the name typed is kept");
    assert!(
        html.contains("尚未落实，计划在下季度完成整改并复查。"),
        "the explanation typed is kept"
    );
}
