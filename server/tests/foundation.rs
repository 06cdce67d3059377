//! The foundation over HTTP, on SQLite and PostgreSQL: login, sessions, slow-down, CSRF,
//! home pages per role, the fixed clock, administration, language.

mod common;

use app::api::{ChangePassword, CreateUnit, CreateUser, ListUsers, Logout};
use app::error::AppError;
use common::{app_error, encoded, location, login_args, Backend, Options, TestApp, DEMO_PASSWORD};

on_both_databases!(
    visitors_are_sent_to_the_login_page,
    an_enterprise_logs_in_and_sees_when_the_next_window_opens,
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

/// November 2026, between the July and January windows.
const NOVEMBER: &str = "2026-11-24T10:00:00+08:00";

/// An app on an empty database at `at`.
async fn fresh(backend: Backend, at: &'static str) -> TestApp {
    TestApp::spawn_with(backend, Options::fresh(at)).await
}

/// A unit as the admin form posts it: only the given fields filled in.
fn unit_form(name: &str, kind: &str, county_id: &str) -> CreateUnit {
    CreateUnit {
        name: name.into(),
        kind: kind.into(),
        county_id: county_id.into(),
        industry: String::new(),
        industries: vec![],
        township_id: String::new(),
        address: String::new(),
        legal_representative: String::new(),
        headcount: String::new(),
        opened_on: app::domain::lifecycle::REGIME_START.to_string(),
        closed_on: String::new(),
    }
}

fn user_form(
    username: &str,
    display_name: &str,
    unit_id: &str,
    role: &str,
    password: &str,
) -> CreateUser {
    CreateUser {
        username: username.into(),
        display_name: display_name.into(),
        unit_id: unit_id.into(),
        role: role.into(),
        password: password.into(),
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&app.db).await.unwrap();
    n
}

async fn visitors_are_sent_to_the_login_page(backend: Backend) {
    let app = fresh(backend, NOVEMBER).await;
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

async fn an_enterprise_logs_in_and_sees_when_the_next_window_opens(backend: Backend) {
    // Arrange: 24 November 2026, between the July and January windows.
    let app = fresh(backend, NOVEMBER).await;
    let wuhua = app.wuhua().await;
    let qiye = app.account_in(&wuhua.firm).await;
    // Act
    let home = app.page_with(&qiye, "/").await.text().await.unwrap();
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
    let app = fresh(backend, "2027-01-05T10:00:00+08:00").await;
    let wuhua = app.wuhua().await;
    let qiye = app.account_in(&wuhua.firm).await;
    let home = app.page_with(&qiye, "/").await.text().await.unwrap();
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
    // On the demo seed: this is about the demo accounts (one per role) the README hands out.
    let app = TestApp::spawn(backend).await;
    for (username, _, role, unit_id) in app::ssr::seed::DEMO_ACCOUNTS {
        let browser = app.browser();
        let res = app
            .call_fn(&browser, login_args(username, DEMO_PASSWORD))
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
    let app = fresh(backend, NOVEMBER).await;
    let qiye = app.account_in(&app.wuhua().await.firm).await;
    let res = app.login(&qiye.username, "not-the-password").await;
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
    let app = fresh(backend, NOVEMBER).await;
    let qiye = app.account_in(&app.wuhua().await.firm).await;
    let res = app
        .post_form(
            "/login",
            "login",
            &[
                ("username", &qiye.username),
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
        html.contains(&format!(r#"value="{}""#, qiye.username)),
        "the username typed is kept"
    );
    assert!(!html.contains("wrong-one"), "the password is never echoed");
    // And the right password goes home.
    let res = app
        .post_form(
            "/login",
            "login",
            &[
                ("username", &qiye.username),
                ("password", &qiye.password),
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
    let app = fresh(backend, NOVEMBER).await;
    let qiye = app.account_in(&app.wuhua().await.firm).await;
    for attempt in 1..=5 {
        let res = app.login(&qiye.username, "wrong-password").await;
        assert_eq!(
            res.status(),
            422,
            "attempt {attempt} is an ordinary failure"
        );
    }
    let res = app.login(&qiye.username, &qiye.password).await;
    assert_eq!(
        res.status(),
        429,
        "after five failures even the right password must wait"
    );
    match app_error(res).await {
        AppError::Throttled {
            retry_at,
            wait_seconds,
        } => {
            assert!(
                retry_at > chrono::Utc::now(),
                "the lock runs into the future"
            );
            assert!(
                (1..=30).contains(&wait_seconds),
                "the fifth failure locks for 30 s, said {wait_seconds}"
            );
        }
        other => panic!("expected Throttled, got {other:?}"),
    }
    let (attempts,): (i64,) = sqlx::query_as(
        "SELECT attempts FROM login_throttle WHERE scope = 'name' AND throttle_key = $1",
    )
    .bind(&qiye.username)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(attempts, 5, "the locked attempt is not counted");
    let (audited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = 'user.login_failed'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(audited, 5, "each failure is in the audit trail");
}

async fn cross_site_posts_are_refused(backend: Backend) {
    let app = fresh(backend, NOVEMBER).await;
    let qiye = app.account_in(&app.wuhua().await.firm).await;
    let (path, login) = encoded(&login_args(&qiye.username, &qiye.password));
    let post = |body: &str| {
        app.client
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
    };
    let res = post(&login)
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "another site's origin");
    let res = post(&login).send().await.unwrap();
    assert_eq!(res.status(), 403, "no origin and no referer");
    let res = post(&login)
        .header("referer", "http://evil.example/x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "another site's referer");
    let admin = app.admin().await;
    let (path, mallory) = encoded(&user_form(
        "mallory",
        "M",
        &admin.unit.id,
        "administrator",
        "12345678",
    ));
    let res = admin
        .post(app.url(path))
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(mallory)
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
    let app = fresh(backend, NOVEMBER).await;
    let qiye = app.account_in(&app.wuhua().await.firm).await;
    assert_eq!(app.page_with(&qiye, "/").await.status(), 200);
    let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM web_session")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(sessions >= 1, "the session is kept server-side");
    assert_eq!(app.try_fn(&qiye, Logout {}).await, Ok(()));
    let res = app.page_with(&qiye, "/").await;
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (302, "/login".to_string()),
        "after logout the home page asks for login again"
    );
}

async fn changing_password_needs_the_current_one_and_is_audited(backend: Backend) {
    let app = fresh(backend, NOVEMBER).await;
    let qiye = app.account_in(&app.wuhua().await.firm).await;
    let change = |current: &str, new: &str, repeat: &str| ChangePassword {
        current_password: current.into(),
        new_password: new.into(),
        repeat_password: repeat.into(),
    };
    let err = app
        .try_fn(&qiye, change("nope", "new-secret-1", "new-secret-1"))
        .await
        .unwrap_err();
    assert_eq!(
        err.field_errors().and_then(|f| f.get("current_password")),
        Some("err.password_wrong")
    );
    let err = app
        .try_fn(&qiye, change(&qiye.password, "short", "other"))
        .await
        .unwrap_err();
    let f = err.field_errors().unwrap();
    assert_eq!(f.get("new_password"), Some("err.password_too_short"));
    assert_eq!(f.get("repeat_password"), Some("err.password_mismatch"));
    assert_eq!(
        app.try_fn(
            &qiye,
            change(&qiye.password, "new-secret-1", "new-secret-1")
        )
        .await,
        Ok(())
    );
    let fresh = app.browser();
    assert_eq!(
        app.call_fn(&fresh, login_args(&qiye.username, &qiye.password))
            .await
            .status(),
        422,
        "the old password no longer works"
    );
    assert_eq!(
        app.call_fn(&fresh, login_args(&qiye.username, "new-secret-1"))
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
    let app = fresh(backend, NOVEMBER).await;
    let wuhua = app.county("五华区").await;
    let town = wuhua.township("护国街道").await;
    let county = wuhua.government.id.as_str();
    let admin = app.admin().await;
    const CREATED: &str =
        "SELECT COUNT(*) FROM audit_event WHERE action IN ('unit.create', 'user.create')";
    let before = count(&app, CREATED).await;
    // A form with mistakes: every field error is named.
    let err = app
        .try_fn(
            &admin,
            CreateUnit {
                industry: "mining".into(),
                headcount: "many".into(),
                ..unit_form("", "enterprise", county)
            },
        )
        .await
        .unwrap_err();
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
    let dept_id = app
        .try_fn(
            &admin,
            CreateUnit {
                industries: vec!["chemical".into(), "fire".into()],
                ..unit_form("五华区应急测试局", "department", county)
            },
        )
        .await
        .unwrap();
    let (named,): (String,) =
        sqlx::query_as("SELECT unit_id FROM unit WHERE name = '五华区应急测试局'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(named, dept_id);
    assert_eq!(
        app::ssr::units::department_industries(&app.db, &dept_id)
            .await
            .unwrap(),
        vec!["chemical", "fire"]
    );
    // The same name twice under the same government is refused on the name field.
    let err = app
        .try_fn(
            &admin,
            CreateUnit {
                industries: vec!["fire".into()],
                ..unit_form("五华区应急测试局", "department", county)
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.field_errors().and_then(|f| f.get("name")),
        Some("err.name_taken")
    );
    // An enterprise with all its details.
    let unit_id = app
        .try_fn(
            &admin,
            CreateUnit {
                industry: "building_materials".into(),
                township_id: town.id.clone(),
                address: "护国路 1 号".into(),
                legal_representative: "钱七".into(),
                headcount: "42".into(),
                ..unit_form("昆明测试建材有限公司", "enterprise", county)
            },
        )
        .await
        .unwrap();
    // A user for it, who logs in and sees it.
    let err = app
        .try_fn(
            &admin,
            user_form("ceshi", "钱七", &unit_id, "department_staff", "ceshi-pass"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.field_errors().and_then(|f| f.get("role")),
        Some("err.role_unfit"),
        "a department role cannot sit in an enterprise"
    );
    assert!(app
        .try_fn(
            &admin,
            user_form("ceshi", "钱七", &unit_id, "enterprise_filer", "ceshi-pass"),
        )
        .await
        .is_ok());
    let err = app
        .try_fn(
            &admin,
            user_form("ceshi", "x", &unit_id, "enterprise_filer", "ceshi-pass"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.field_errors().and_then(|f| f.get("username")),
        Some("err.username_taken")
    );
    let other = app.browser();
    assert_eq!(
        app.call_fn(&other, login_args("ceshi", "ceshi-pass"))
            .await
            .status(),
        200
    );
    let html = app.page_with(&other, "/").await.text().await.unwrap();
    assert!(html.contains("昆明测试建材有限公司"));
    assert_eq!(
        count(&app, CREATED).await - before,
        3,
        "two units and one user created, each audited"
    );
    // The admin pages list them.
    let units = app
        .page_with(&admin, "/admin/units?q=%E6%B5%8B%E8%AF%95")
        .await
        .text()
        .await
        .unwrap();
    assert!(units.contains("昆明测试建材有限公司") && units.contains("五华区应急测试局"));
    let users = app
        .page_with(&admin, "/admin/users")
        .await
        .text()
        .await
        .unwrap();
    assert!(users.contains("ceshi"));
}

async fn only_administrators_may_create_units_and_users(backend: Backend) {
    let app = fresh(backend, NOVEMBER).await;
    let wuhua = app.wuhua().await;
    let city = app.city().await;
    let county = wuhua.county.government.id.as_str();
    let township = || unit_form("x", "township", county);
    let intruder = || user_form("x1x", "x", &city.office.id, "administrator", "12345678");
    assert_eq!(
        app.try_fn(&app.browser(), township()).await,
        Err(AppError::Unauthenticated),
        "a visitor must log in"
    );
    for account in [
        app.account_in(&wuhua.firm).await,
        app.account_in(&wuhua.ajj).await,
        app.account_in(&wuhua.county.office).await,
        app.account_in(&city.office).await,
    ] {
        let username = account.role.code();
        assert_eq!(
            app.try_fn(&account, township()).await,
            Err(AppError::Forbidden),
            "{username} may not create units"
        );
        assert_eq!(
            app.try_fn(&account, intruder()).await,
            Err(AppError::Forbidden),
            "{username} may not create users"
        );
        assert_eq!(
            app.try_fn(&account, ListUsers {}).await,
            Err(AppError::Forbidden),
            "{username} may not list users"
        );
        let res = app.page_with(&account, "/admin/users").await;
        assert_eq!(res.status(), 403, "{username} may not open the users page");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM unit WHERE name = 'x'").await,
        0
    );
}

async fn enterprise_in_an_area_without_departments_sees_the_coverage_gap(backend: Backend) {
    let app = fresh(backend, NOVEMBER).await;
    // 呈贡区 has an enterprise and no department at all.
    let chenggong = app.county("呈贡区").await;
    let firm = chenggong
        .enterprise("昆明龙城建材有限公司", "building_materials", None)
        .await;
    let admin = app.admin().await;
    assert!(app
        .try_fn(
            &admin,
            user_form(
                "chenggong",
                "呈贡企业",
                &firm.id,
                "enterprise_filer",
                "chenggong1"
            ),
        )
        .await
        .is_ok());
    let other = app.browser();
    app.call_fn(&other, login_args("chenggong", "chenggong1"))
        .await;
    let html = app.page_with(&other, "/").await.text().await.unwrap();
    assert!(
        html.contains("监管盲区"),
        "a gap in coverage is shown plainly"
    );
}

async fn language_switch_shows_english_pages(backend: Backend) {
    let app = fresh(backend, NOVEMBER).await;
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
    // On the demo seed: this is about the seed itself (loaded once, with its whole map).
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
