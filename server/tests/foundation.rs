//! The foundation over HTTP, on SQLite and PostgreSQL: login, sessions, slow-down, CSRF,
//! home pages per role, the fixed clock, administration, language.

mod common;

use app::error::AppError;
use common::{app_error, location, Backend, Options, TestApp, DEMO_PASSWORD};

on_both_databases!(
    visitors_are_sent_to_the_login_page,
    demo_enterprise_logs_in_and_sees_when_the_next_window_opens,
    during_the_window_the_home_page_counts_down_to_its_close,
    every_demo_role_has_a_home_page_naming_its_unit,
    wrong_password_is_answered_with_an_error_on_the_password_field,
    wrong_password_without_javascript_comes_back_next_to_the_field,
    repeated_failed_logins_slow_the_account_down,
    cross_site_posts_are_refused,
    logout_ends_the_session,
    changing_password_needs_the_current_one_and_is_audited,
    administrator_creates_a_unit_and_a_user_who_can_log_in,
    only_administrators_may_create_units_and_users,
    enterprise_in_an_area_without_departments_sees_the_coverage_gap,
    language_switch_shows_english_pages,
    migrations_and_demo_data_can_run_twice,
);

async fn visitors_are_sent_to_the_login_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.page("/").await;
    assert_eq!(res.status(), 302, "a visitor's home page redirects");
    assert_eq!(location(&res), "/login");
    let login = app.text("/login").await;
    assert!(
        login.contains("用户登录"),
        "the login page is in Chinese by default"
    );
    assert!(
        login.contains(r#"action="/api/login""#),
        "the login form posts without JavaScript"
    );
}

async fn demo_enterprise_logs_in_and_sees_when_the_next_window_opens(backend: Backend) {
    // Arrange: 24 November 2026, between the July and January windows.
    let app = TestApp::spawn(backend).await;
    // Act
    app.login_ok("qiye").await;
    let home = app.text("/").await;
    // Assert
    assert!(
        home.contains("昆明华山化工有限公司"),
        "header names the unit"
    );
    assert!(home.contains("企业填报员"), "header names the role");
    assert!(
        home.contains("当前不在申报期"),
        "no window is open in November"
    );
    assert!(
        home.contains("2026年度"),
        "the next window is for the year 2026"
    );
    assert!(
        home.contains("2027-01-01 00:00 — 2027-01-10 24:00"),
        "the window's dates are shown"
    );
    // 2027-01-01T00:00+08:00 minus 2026-11-24T10:00+08:00 = 37 days 14 hours.
    assert!(
        home.contains("37天14小时0分0秒"),
        "countdown to the opening: {home}"
    );
    assert!(
        home.contains("五华区安全生产监督管理局"),
        "the enterprise files to the department supervising chemicals in 五华区"
    );
    assert!(
        home.contains("演练时钟"),
        "the fixed clock is announced in the footer"
    );
}

async fn during_the_window_the_home_page_counts_down_to_its_close(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            clock: Some("2027-01-05T10:00:00+08:00"),
            seed: true,
            ..Default::default()
        },
    )
    .await;
    app.login_ok("qiye").await;
    let home = app.text("/").await;
    assert!(
        home.contains("申报窗口已开放"),
        "5 January is inside the window"
    );
    assert!(home.contains("距截止还有"), "it counts down to the close");
    assert!(
        home.contains("5天14小时0分0秒"),
        "until 11 January 00:00 Kunming time"
    );
    assert!(
        home.contains("2027-01-10 23:59"),
        "the due time is the end of the 10th"
    );
}

async fn every_demo_role_has_a_home_page_naming_its_unit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (username, _, role, unit_id) in app::ssr::seed::DEMO_ACCOUNTS {
        let browser = app.browser();
        let res = app
            .call_with(
                &browser,
                "login",
                &[("username", username), ("password", DEMO_PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), 200, "{username} logs in");
        let res = app.page_with(&browser, "/").await;
        assert_eq!(res.status(), 200, "{username} has a home page");
        let html = res.text().await.unwrap();
        let unit = app::ssr::units::unit_by_id(&app.db, unit_id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            html.contains(&unit.name),
            "{username}'s home page names the unit {}",
            unit.name
        );
        assert!(
            html.contains(role.label_zh()),
            "{username}'s home page names the role"
        );
    }
    // The county office sees what lies below it.
    let app2 = app.logged_in("wuhua").await;
    let html = app.page_with(&app2, "/").await.text().await.unwrap();
    assert!(
        html.contains("下级应报单位") && html.contains("监管部门"),
        "the county office sees the units below it"
    );
}

async fn wrong_password_is_answered_with_an_error_on_the_password_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.login("qiye", "not-the-password").await;
    assert_eq!(res.status(), 422);
    let err = app_error(res).await;
    assert_eq!(
        err.field_errors().and_then(|f| f.get("password")),
        Some("err.bad_credentials")
    );
    // An unknown user gets the very same answer.
    let err = app_error(app.login("nobody", "whatever1").await).await;
    assert_eq!(
        err.field_errors().and_then(|f| f.get("password")),
        Some("err.bad_credentials")
    );
    // Empty fields are named.
    let err = app_error(app.login("", "").await).await;
    let fields = err.field_errors().expect("field errors");
    assert_eq!(fields.get("username"), Some("err.required"));
    assert_eq!(fields.get("password"), Some("err.required"));
}

async fn wrong_password_without_javascript_comes_back_next_to_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app
        .post_form(
            "/login",
            "login",
            &[
                ("username", "qiye"),
                ("password", "wrong-one"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        302,
        "a plain form post is answered with a redirect"
    );
    let back = location(&res);
    assert!(
        back.starts_with("/login?flash="),
        "back to the form: {back}"
    );
    let html = app.text(&back).await;
    let field = html.find(r#"id="password""#).expect("password field");
    let error = html
        .find(r#"id="password-error""#)
        .expect("an error for the password field");
    assert!(
        error > field && error - field < 800,
        "the error sits right after the password field"
    );
    assert!(html.contains("用户名或密码错误。"), "in Chinese");
    assert!(
        html.contains(r#"value="qiye""#),
        "the username typed is kept"
    );
    assert!(!html.contains("wrong-one"), "the password is never echoed");
    // And the right password goes home.
    let res = app
        .post_form(
            "/login",
            "login",
            &[
                ("username", "qiye"),
                ("password", DEMO_PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (302, "/".to_string())
    );
}

async fn repeated_failed_logins_slow_the_account_down(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for attempt in 1..=5 {
        let res = app.login("qiye", "wrong-password").await;
        assert_eq!(
            res.status(),
            422,
            "attempt {attempt} is an ordinary failure"
        );
    }
    let res = app.login("qiye", DEMO_PASSWORD).await;
    assert_eq!(
        res.status(),
        429,
        "after five failures even the right password must wait"
    );
    match app_error(res).await {
        AppError::Throttled { retry_at } => assert!(!retry_at.is_empty()),
        other => panic!("expected Throttled, got {other:?}"),
    }
    let (failed,): (i64,) =
        sqlx::query_as("SELECT failed_logins FROM app_user WHERE username = 'qiye'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(failed, 5);
    let (audited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = 'user.login_failed'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(audited, 5, "each failure is in the audit trail");
}

async fn cross_site_posts_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let form = [("username", "qiye"), ("password", DEMO_PASSWORD)];
    let res = app
        .client
        .post(app.url("/api/login"))
        .header("origin", "http://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "another site's origin");
    let res = app
        .client
        .post(app.url("/api/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no origin and no referer");
    let res = app
        .client
        .post(app.url("/api/login"))
        .header("referer", "http://evil.example/x")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "another site's referer");
    app.login_ok("admin").await;
    let res = app
        .client
        .post(app.url("/api/create_user"))
        .header("origin", "http://evil.example")
        .form(&[
            ("username", "mallory"),
            ("display_name", "M"),
            ("unit_id", "city-office"),
            ("role", "administrator"),
            ("password", "12345678"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "a forged post with a valid session cookie is still refused"
    );
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM app_user WHERE username = 'mallory'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing was created");
}

async fn logout_ends_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_ok("qiye").await;
    assert_eq!(app.page("/").await.status(), 200);
    let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM web_session")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(sessions >= 1, "the session is kept server-side");
    assert_eq!(app.call("logout", &[]).await.status(), 200);
    let res = app.page("/").await;
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (302, "/login".to_string()),
        "after logout the home page asks for login again"
    );
}

async fn changing_password_needs_the_current_one_and_is_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_ok("qiye").await;
    let err = app_error(
        app.call(
            "change_password",
            &[
                ("current_password", "nope"),
                ("new_password", "new-secret-1"),
                ("repeat_password", "new-secret-1"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        err.field_errors().and_then(|f| f.get("current_password")),
        Some("err.password_wrong")
    );
    let err = app_error(
        app.call(
            "change_password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "short"),
                ("repeat_password", "other"),
            ],
        )
        .await,
    )
    .await;
    let f = err.field_errors().unwrap();
    assert_eq!(f.get("new_password"), Some("err.password_too_short"));
    assert_eq!(f.get("repeat_password"), Some("err.password_mismatch"));
    let res = app
        .call(
            "change_password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "new-secret-1"),
                ("repeat_password", "new-secret-1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let fresh = app.browser();
    assert_eq!(
        app.call_with(
            &fresh,
            "login",
            &[("username", "qiye"), ("password", DEMO_PASSWORD)]
        )
        .await
        .status(),
        422,
        "the old password no longer works"
    );
    assert_eq!(
        app.call_with(
            &fresh,
            "login",
            &[("username", "qiye"), ("password", "new-secret-1")]
        )
        .await
        .status(),
        200,
        "the new one does"
    );
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = 'user.password_change'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(n, 1, "the change is audited");
}

async fn administrator_creates_a_unit_and_a_user_who_can_log_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_ok("admin").await;
    // A form with mistakes: every field error is named.
    let err = app_error(
        app.call(
            "create_unit",
            &[
                ("name", ""),
                ("kind", "enterprise"),
                ("county_id", "county-530102"),
                ("industry", "mining"),
                ("headcount", "many"),
            ],
        )
        .await,
    )
    .await;
    let f = err.field_errors().expect("field errors");
    for (field, key) in [
        ("name", "err.required"),
        ("industry", "err.industry_unknown"),
        ("headcount", "err.headcount"),
        ("address", "err.required"),
    ] {
        assert_eq!(f.get(field), Some(key), "{field}");
    }
    // A department supervising two industries.
    let res = app
        .call(
            "create_unit",
            &[
                ("name", "五华区应急测试局"),
                ("kind", "department"),
                ("county_id", "county-530102"),
                ("industries[]", "chemical"),
                ("industries[]", "fire"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let (dept_id,): (String,) =
        sqlx::query_as("SELECT unit_id FROM unit WHERE name = '五华区应急测试局'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        app::ssr::units::department_industries(&app.db, &dept_id)
            .await
            .unwrap(),
        vec!["chemical", "fire"]
    );
    // The same name twice under the same government is refused on the name field.
    let err = app_error(
        app.call(
            "create_unit",
            &[
                ("name", "五华区应急测试局"),
                ("kind", "department"),
                ("county_id", "county-530102"),
                ("industries[]", "fire"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        err.field_errors().and_then(|f| f.get("name")),
        Some("err.name_taken")
    );
    // An enterprise with all its details.
    let res = app
        .call(
            "create_unit",
            &[
                ("name", "昆明测试建材有限公司"),
                ("kind", "enterprise"),
                ("county_id", "county-530102"),
                ("industry", "building_materials"),
                ("township_id", "county-530102-town-1"),
                ("address", "护国路 1 号"),
                ("legal_representative", "钱七"),
                ("headcount", "42"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let unit_id: String = res.json().await.unwrap();
    // A user for it, who logs in and sees it.
    let err = app_error(
        app.call(
            "create_user",
            &[
                ("username", "ceshi"),
                ("display_name", "钱七"),
                ("unit_id", &unit_id),
                ("role", "department_staff"),
                ("password", "ceshi-pass"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        err.field_errors().and_then(|f| f.get("role")),
        Some("err.role_unfit"),
        "a department role cannot sit in an enterprise"
    );
    let res = app
        .call(
            "create_user",
            &[
                ("username", "ceshi"),
                ("display_name", "钱七"),
                ("unit_id", &unit_id),
                ("role", "enterprise_filer"),
                ("password", "ceshi-pass"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let err = app_error(
        app.call(
            "create_user",
            &[
                ("username", "ceshi"),
                ("display_name", "x"),
                ("unit_id", &unit_id),
                ("role", "enterprise_filer"),
                ("password", "ceshi-pass"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        err.field_errors().and_then(|f| f.get("username")),
        Some("err.username_taken")
    );
    let other = app.browser();
    assert_eq!(
        app.call_with(
            &other,
            "login",
            &[("username", "ceshi"), ("password", "ceshi-pass")]
        )
        .await
        .status(),
        200
    );
    let html = app.page_with(&other, "/").await.text().await.unwrap();
    assert!(html.contains("昆明测试建材有限公司"));
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event WHERE action IN ('unit.create', 'user.create')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(n, 3, "two units and one user created, each audited");
    // The admin pages list them.
    let units = app.text("/admin/units?q=%E6%B5%8B%E8%AF%95").await;
    assert!(units.contains("昆明测试建材有限公司") && units.contains("五华区应急测试局"));
    let users = app.text("/admin/users").await;
    assert!(users.contains("ceshi"));
}

async fn only_administrators_may_create_units_and_users(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app
        .call(
            "create_unit",
            &[
                ("name", "x"),
                ("kind", "township"),
                ("county_id", "county-530102"),
            ],
        )
        .await;
    assert_eq!(res.status(), 401, "a visitor must log in");
    for username in ["qiye", "wuhua-ajj", "wuhua", "city"] {
        let browser = app.logged_in(username).await;
        let res = app
            .call_with(
                &browser,
                "create_unit",
                &[
                    ("name", "x"),
                    ("kind", "township"),
                    ("county_id", "county-530102"),
                ],
            )
            .await;
        assert_eq!(res.status(), 403, "{username} may not create units");
        let res = app
            .call_with(
                &browser,
                "create_user",
                &[
                    ("username", "x1x"),
                    ("display_name", "x"),
                    ("unit_id", "city-office"),
                    ("role", "administrator"),
                    ("password", "12345678"),
                ],
            )
            .await;
        assert_eq!(res.status(), 403, "{username} may not create users");
        let res = app.call_with(&browser, "users", &[]).await;
        let status = res.status();
        assert_eq!(
            status,
            403,
            "{username} may not list users: {}",
            res.text().await.unwrap()
        );
        let res = app.page_with(&browser, "/admin/users").await;
        assert_eq!(res.status(), 403, "{username} may not open the users page");
    }
}

async fn enterprise_in_an_area_without_departments_sees_the_coverage_gap(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (unit_id,): (String,) = sqlx::query_as("SELECT unit_id FROM unit WHERE county_id = 'county-530114' AND kind = 'enterprise' ORDER BY unit_id LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    app.login_ok("admin").await;
    let res = app
        .call(
            "create_user",
            &[
                ("username", "chenggong"),
                ("display_name", "呈贡企业"),
                ("unit_id", &unit_id),
                ("role", "enterprise_filer"),
                ("password", "chenggong1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let other = app.browser();
    app.call_with(
        &other,
        "login",
        &[("username", "chenggong"), ("password", "chenggong1")],
    )
    .await;
    let html = app.page_with(&other, "/").await.text().await.unwrap();
    assert!(
        html.contains("监管盲区"),
        "a gap in coverage is shown plainly"
    );
}

async fn language_switch_shows_english_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.page("/lang/en?next=/login").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
    let html = app.text("/login").await;
    assert!(
        html.contains("Log in") && html.contains("Username"),
        "English after the switch"
    );
    let res = app.page("/lang/zh?next=https://evil.example/").await;
    assert_eq!(location(&res), "/", "never redirects off-site");
}

async fn migrations_and_demo_data_can_run_twice(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app::ssr::db::migrate(&app.db)
        .await
        .expect("migrating again is a no-op");
    let report = app::ssr::seed::seed_demo(&app.db, &app.clock)
        .await
        .unwrap();
    assert!(report.skipped, "demo data is not loaded twice");
    let (enterprises,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM enterprise")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(enterprises, 200);
    let (areas,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM unit WHERE kind IN ('county_government', 'management_committee')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        areas, 19,
        "14 counties and districts, 5 management committees"
    );
    let (offices,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM unit WHERE kind = 'safety_office'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        offices, 20,
        "one office per county-level area and the city's"
    );
    let (industries,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT d.industry_code) FROM department_industry d JOIN unit u ON u.unit_id = d.unit_id WHERE u.county_id = 'county-530102'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        industries, 16,
        "五华区's departments cover all sixteen industries"
    );
}
