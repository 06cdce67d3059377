//! The open API (issue 14): tokens made by an administrator act as their account within their
//! scopes; every operation of the OpenAPI document is exercised here and every answer is
//! checked against the document's schema; a token of one county cannot read another's data;
//! every call is audited.

mod common;

use app::domain::forms::BindingKind;
use common::{Backend, Options, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The document, and the operations the test has called.
struct Contract {
    doc: Value,
    called: BTreeSet<(String, String)>,
}

impl Contract {
    async fn load(app: &TestApp) -> Self {
        let res = app
            .client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let doc: Value = res.json().await.unwrap();
        Contract {
            doc,
            called: BTreeSet::new(),
        }
    }

    /// Every operation in the document: (method, path template).
    fn operations(&self) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
        out
    }

    /// Checks that `body`, answered with `status` by the operation, is what the document
    /// says, and notes the operation as exercised.
    fn conforms(&mut self, method: &str, template: &str, status: u16, body: &Value) {
        let op = &self.doc["paths"][template][method.to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not in the document");
        let response = &op["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{method} {template} answered {status}, which the document does not list: {body}"
        );
        let schema = &response["content"]["application/json"]["schema"];
        let mut root = schema.clone();
        root.as_object_mut()
            .unwrap()
            .insert("components".into(), self.doc["components"].clone());
        let validator = jsonschema::validator_for(&root).unwrap_or_else(|e| {
            panic!("{method} {template} {status}: schema does not compile: {e}")
        });
        let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{method} {template} {status} does not match its schema: {errors:?}\n{body}"
        );
        self.called
            .insert((method.to_string(), template.to_string()));
    }
}

/// Calls the API with `token`: the status and the JSON body.
async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Vec<u8>>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut req = client.request(method.parse().unwrap(), app.url(path));
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{method} {path} answered {status} without JSON ({e}): {text}"));
    (status, body)
}

/// A token made on the command line's path (the same function the admin page calls).
async fn token(app: &TestApp, username: &str, scopes: &[&str]) -> String {
    let user_id = app::ssr::tokens::user_id_of(&app.db, username)
        .await
        .unwrap()
        .unwrap();
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    let new = app::ssr::tokens::NewToken::parse(&user_id, "测试", &scopes, "30").unwrap();
    let (_, token) = app::ssr::tokens::create(&app.db, app.clock.now(), None, &new)
        .await
        .unwrap();
    token.written()
}

const ALL: [&str; 6] = [
    "units:read",
    "units:import",
    "filings:read",
    "filings:submit",
    "rollups:read",
    "escalations:read",
];

/// A plain HTML form post (JavaScript off) from the tokens page.
async fn plain_post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(path))
        .header("Origin", &app.base)
        .header("Referer", app.url("/admin/tokens"))
        .header("Accept", "text/html,application/xhtml+xml")
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&app.db).await.unwrap();
    n
}

/// The full content of an enterprise's filing, every binding row 落实 but `unmet`.
fn content(unmet: &[&str]) -> Value {
    let mut answers = serde_json::Map::new();
    let mut explanations = serde_json::Map::new();
    for row in app::domain::forms::binding_rows(BindingKind::Enterprise) {
        if unmet.contains(&row.id) {
            answers.insert(row.id.into(), "not_done".into());
            explanations.insert(row.id.into(), common::EXPLANATION.into());
        } else {
            answers.insert(row.id.into(), "done".into());
        }
    }
    json!({
        "principal": "赵建国", "leader_in_charge": "钱明", "filled_by": "孙丽华",
        "reviewed_by": "李志强", "phone": "0871-63123456",
        "answers": answers, "explanations": explanations, "notes": {}
    })
}

/// A row an enterprise must answer (answered 不落实 in the test's filing).
fn unmet_row() -> &'static str {
    app::domain::forms::binding_rows(BindingKind::Enterprise)
        .next()
        .unwrap()
        .id
}

/// Follows a list's pages to the end: every item.
async fn all_pages(
    app: &TestApp,
    contract: &mut Contract,
    token: &str,
    template: &str,
    query: &str,
    calls: &mut usize,
) -> Vec<Value> {
    let mut items = vec![];
    let mut after = String::new();
    loop {
        *calls += 1;
        let path = format!("{template}?limit=40&after={after}{query}");
        let (status, body) = call(app, token, "GET", &path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        contract.conforms("GET", template, 200, &body);
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        match body["next"].as_str() {
            Some(next) => after = next.to_string(),
            None => return items,
        }
    }
}

async fn every_operation_answers_as_documented_and_a_county_sees_only_its_own(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            clock: Some("2027-01-05T10:00:00+08:00"),
            history: 1,
            ..Default::default()
        },
    )
    .await;
    let mut contract = Contract::load(&app).await;
    assert!(
        contract.doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "OpenAPI 3.1"
    );
    let city = token(&app, "city", &ALL).await;
    let wuhua = token(&app, "wuhua", &ALL).await;
    let qiye = token(&app, "qiye", &ALL).await;
    let ajj = token(&app, "wuhua-ajj", &["filings:read"]).await;
    let admin = token(&app, "admin", &["units:read", "units:import"]).await;
    let mut calls = 0;

    // No token, a wrong one, a token without the scope.
    let (status, body) = call(&app, "", "GET", "/api/v1/units", None).await;
    assert_eq!(status, 401);
    contract.conforms("GET", "/api/v1/units", 401, &body);
    let forged = format!("nft_{}_{}", "0".repeat(32), "1".repeat(64));
    let (status, _) = call(&app, &forged, "GET", "/api/v1/units", None).await;
    assert_eq!(status, 401);
    let (status, body) = call(&app, &ajj, "GET", "/api/v1/units", None).await;
    calls += 1;
    assert_eq!(status, 403);
    contract.conforms("GET", "/api/v1/units", 403, &body);
    let (status, body) = call(&app, &city, "GET", "/api/v1/units?limit=0", None).await;
    calls += 1;
    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "limit");
    contract.conforms("GET", "/api/v1/units", 422, &body);
    let (status, body) = call(&app, &city, "GET", "/api/v1/units?limit=%00", None).await;
    calls += 1;
    assert_eq!(status, 400, "{body}");
    contract.conforms("GET", "/api/v1/units", 400, &body);

    // Units, page by page: the county's token only its county's, the enterprise only itself.
    let county_units =
        all_pages(&app, &mut contract, &wuhua, "/api/v1/units", "", &mut calls).await;
    assert!(county_units.len() > 40, "more than one page");
    assert!(
        county_units
            .iter()
            .all(|u| u["county_id"] == "county-530102"),
        "only 五华区's units"
    );
    let ids: BTreeSet<&str> = county_units
        .iter()
        .map(|u| u["unit_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), county_units.len(), "no unit twice across pages");
    let (status, body) = call(&app, &qiye, "GET", "/api/v1/units", None).await;
    calls += 1;
    assert_eq!(status, 200);
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    let (other,): (String,) = sqlx::query_as(
        "SELECT unit_id FROM unit WHERE kind = 'enterprise' AND county_id <> 'county-530102' ORDER BY unit_id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let (status, body) = call(&app, &wuhua, "GET", &format!("/api/v1/units/{other}"), None).await;
    calls += 1;
    assert_eq!(status, 404, "another county's unit is not there for 五华区");
    contract.conforms("GET", "/api/v1/units/{unit_id}", 404, &body);
    for hostile in ["a%00b", "%FF%FE", "x%0Ay"] {
        let (status, body) = call(
            &app,
            &city,
            "GET",
            &format!("/api/v1/units/{hostile}"),
            None,
        )
        .await;
        calls += 1;
        assert_eq!(status, 400, "{hostile}: {body}");
        contract.conforms("GET", "/api/v1/units/{unit_id}", 400, &body);
        let (status, _) = call(
            &app,
            &city,
            "GET",
            &format!("/api/v1/filings/{hostile}"),
            None,
        )
        .await;
        calls += 1;
        assert_eq!(status, 400, "{hostile}");
    }
    let (status, body) = call(&app, &city, "GET", &format!("/api/v1/units/{other}"), None).await;
    calls += 1;
    assert_eq!(status, 200);
    contract.conforms("GET", "/api/v1/units/{unit_id}", 200, &body);
    assert_eq!(body["unit_id"], other.as_str());

    // Periods and windows, at 2027-01-05 Kunming time: 2026-Y's window is open.
    let (status, body) = call(&app, &qiye, "GET", "/api/v1/periods", None).await;
    calls += 1;
    assert_eq!(status, 200);
    contract.conforms("GET", "/api/v1/periods", 200, &body);
    let annual = body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "2026-Y")
        .unwrap();
    assert_eq!(annual["state"], "open");
    assert_eq!(annual["window_opens"], "2027-01-01T00:00:00+08:00");
    assert_eq!(annual["window_closes"], "2027-01-11T00:00:00+08:00");

    // The enterprise submits through the API; a wrong row is refused field by field first.
    let mut bad = content(&[]);
    bad["answers"]["99.9"] = "done".into();
    let submission =
        |c: Value| Some(serde_json::to_vec(&json!({"period": "2026-Y", "content": c})).unwrap());
    let (status, body) = call(&app, &qiye, "POST", "/api/v1/filings", submission(bad)).await;
    calls += 1;
    assert_eq!(status, 422, "{body}");
    contract.conforms("POST", "/api/v1/filings", 422, &body);
    let (status, body) = call(
        &app,
        &qiye,
        "POST",
        "/api/v1/filings",
        Some(b"{not json".to_vec()),
    )
    .await;
    calls += 1;
    assert_eq!(status, 400);
    contract.conforms("POST", "/api/v1/filings", 400, &body);
    let (status, body) = call(
        &app,
        &qiye,
        "POST",
        "/api/v1/filings",
        submission(content(&[unmet_row()])),
    )
    .await;
    calls += 1;
    assert_eq!(status, 200, "{body}");
    contract.conforms("POST", "/api/v1/filings", 200, &body);
    assert_eq!(body["nil"], false);
    assert_eq!(body["late"], false);
    let filing_id = body["filing_id"].as_str().unwrap().to_string();
    let (status, body) = call(
        &app,
        &qiye,
        "POST",
        "/api/v1/filings",
        submission(content(&[])),
    )
    .await;
    calls += 1;
    assert_eq!(
        status, 409,
        "a submitted filing needs a new version: {body}"
    );
    contract.conforms("POST", "/api/v1/filings", 409, &body);
    let (status, body) = call(
        &app,
        &wuhua,
        "POST",
        "/api/v1/filings",
        submission(content(&[])),
    )
    .await;
    calls += 1;
    assert_ne!(status, 500, "{body}");

    // 代填 through the API: the township enters an enterprise's paper form, dated in the
    // window; an outsider cannot.
    let (paper_unit,): (String,) = sqlx::query_as(
        "SELECT e.unit_id FROM enterprise e WHERE e.township_id = 'county-530102-town-0' \
         AND e.unit_id <> 'ent-530102-demo' AND NOT EXISTS (SELECT 1 FROM filing f WHERE f.unit_id = e.unit_id AND f.period_key = '2026-Y') \
         ORDER BY e.unit_id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let huashan = token(&app, "huashan", &["filings:submit", "filings:read"]).await;
    let on_paper = |date: &str| {
        Some(
            serde_json::to_vec(&json!({
                "period": "2026-Y", "content": content(&[]), "unit_id": paper_unit, "paper_date": date
            }))
            .unwrap(),
        )
    };
    let (status, body) = call(
        &app,
        &huashan,
        "POST",
        "/api/v1/filings",
        on_paper("2027-01-09"),
    )
    .await;
    calls += 1;
    assert_eq!(status, 422, "a paper dated after today: {body}");
    assert!(
        body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "paper_date"),
        "{body}"
    );
    let (status, body) = call(
        &app,
        &qiye,
        "POST",
        "/api/v1/filings",
        on_paper("2027-01-04"),
    )
    .await;
    calls += 1;
    assert_eq!(
        status, 403,
        "an enterprise enters no other unit's paper: {body}"
    );
    let (status, body) = call(
        &app,
        &huashan,
        "POST",
        "/api/v1/filings",
        on_paper("2027-01-04"),
    )
    .await;
    calls += 1;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["late"].as_bool(), body["nil"].as_bool()),
        (Some(false), Some(true))
    );
    let paper_filing = body["filing_id"].as_str().unwrap().to_string();
    let (status, body) = call(
        &app,
        &wuhua,
        "GET",
        &format!("/api/v1/filings/{paper_filing}"),
        None,
    )
    .await;
    calls += 1;
    assert_eq!(status, 200);
    assert_eq!(body["filing"]["paper_date"], "2027-01-04");
    assert_eq!(body["filing"]["filing_date"], "2027-01-04");

    // Those above see it, in change order since a moment before; another county does not.
    let since = "/api/v1/filings?updated_since=2027-01-05T02:00:00Z&period=2026-Y";
    for t in [&wuhua, &ajj, &city] {
        let (status, body) = call(&app, t, "GET", since, None).await;
        calls += 1;
        assert_eq!(status, 200, "{body}");
        contract.conforms("GET", "/api/v1/filings", 200, &body);
        assert!(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["filing_id"] == filing_id.as_str()),
            "{body}"
        );
    }
    let (status, body) = call(
        &app,
        &wuhua,
        "GET",
        &format!("/api/v1/filings/{filing_id}"),
        None,
    )
    .await;
    calls += 1;
    assert_eq!(status, 200);
    contract.conforms("GET", "/api/v1/filings/{filing_id}", 200, &body);
    assert_eq!(body["content"]["answers"][unmet_row()], "not_done");
    assert_eq!(body["filing"]["status"], "submitted");
    let (status, body) = call(
        &app,
        &wuhua,
        "GET",
        "/api/v1/filings?updated_since=yesterday",
        None,
    )
    .await;
    calls += 1;
    assert_eq!(status, 422);
    contract.conforms("GET", "/api/v1/filings", 422, &body);
    // The history's filings of another county are not 五华区's.
    let (foreign,): (String,) = sqlx::query_as(
        "SELECT f.filing_id FROM filing f JOIN unit n ON n.unit_id = f.unit_id \
         WHERE n.county_id <> 'county-530102' AND f.status <> 'draft' ORDER BY f.filing_id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let (status, body) = call(
        &app,
        &wuhua,
        "GET",
        &format!("/api/v1/filings/{foreign}"),
        None,
    )
    .await;
    calls += 1;
    assert_eq!(status, 404);
    contract.conforms("GET", "/api/v1/filings/{filing_id}", 404, &body);
    let county_filings = all_pages(
        &app,
        &mut contract,
        &wuhua,
        "/api/v1/filings",
        "",
        &mut calls,
    )
    .await;
    assert!(!county_filings.is_empty());
    assert!(county_filings
        .iter()
        .all(|f| f["filing_id"] != foreign.as_str()));
    let mut seen = BTreeSet::new();
    for f in &county_filings {
        let unit = f["unit_id"].as_str().unwrap();
        if seen.insert(unit.to_string()) {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM unit WHERE unit_id = $1 AND county_id = 'county-530102'",
            )
            .bind(unit)
            .fetch_one(&app.db)
            .await
            .unwrap();
            assert_eq!(n, 1, "{unit} is 五华区's");
        }
    }

    // Roll-ups: the city any county; a county not another.
    let (status, body) = call(
        &app,
        &city,
        "GET",
        "/api/v1/rollups/county-530102?period=2026-Y",
        None,
    )
    .await;
    calls += 1;
    assert_eq!(status, 200, "{body}");
    contract.conforms("GET", "/api/v1/rollups/{unit_id}", 200, &body);
    assert!(body["counts"]["expected"].as_u64().unwrap() > 0);
    let (status, body) = call(
        &app,
        &wuhua,
        "GET",
        "/api/v1/rollups/county-530111?period=2026-Y",
        None,
    )
    .await;
    calls += 1;
    assert_eq!(status, 403);
    contract.conforms("GET", "/api/v1/rollups/{unit_id}", 403, &body);
    let (status, body) = call(&app, &city, "GET", "/api/v1/rollups/nowhere", None).await;
    calls += 1;
    assert_eq!(status, 404);
    contract.conforms("GET", "/api/v1/rollups/{unit_id}", 404, &body);

    // Escalations: an issued 提示 to a 五华区 enterprise is the county's, not another's.
    let (target,): (String,) = sqlx::query_as(
        "SELECT unit_id FROM unit WHERE kind = 'enterprise' AND county_id = 'county-530102' ORDER BY unit_id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let wuhua_web = app.logged_in("wuhua").await;
    let issued = app
        .call_with(
            &wuhua_web,
            "issue_manual",
            &[
                ("target_unit_id", target.as_str()),
                ("rung", "prompt"),
                ("reasons", "2026年度零申报多项不落实。"),
                ("measures", "限期整改，按期报告。"),
            ],
        )
        .await;
    assert_eq!(issued.status(), 200, "{}", issued.text().await.unwrap());
    let escalations = all_pages(
        &app,
        &mut contract,
        &wuhua,
        "/api/v1/escalations",
        "",
        &mut calls,
    )
    .await;
    assert!(escalations
        .iter()
        .any(|e| e["target_unit_id"] == target.as_str()));
    let other_county = token(&app, "city", &["escalations:read"]).await;
    let (status, body) = call(
        &app,
        &other_county,
        "GET",
        "/api/v1/escalations?limit=1001",
        None,
    )
    .await;
    calls += 1;
    assert_eq!(status, 422);
    contract.conforms("GET", "/api/v1/escalations", 422, &body);

    // Import: the administrator's token checks, then imports; another account's cannot.
    let csv = "单位名称,统一社会信用代码,所属县（市、区）,乡镇（街道）,行业,地址,法定代表人,从业人员数,联系人,联系电话\r\n\
               接口导入测试有限公司,{code},五华区,,化工,昆明市示例路1号,王五,12,赵六,0871-65000000\r\n"
        .replace(
            "{code}",
            app::domain::registry::CreditCode::complete("92530102MB0000001")
                .unwrap()
                .as_str(),
        );
    let (status, body) = call(
        &app,
        &admin,
        "POST",
        "/api/v1/units/import",
        Some(csv.clone().into_bytes()),
    )
    .await;
    calls += 1;
    assert_eq!(status, 200, "{body}");
    contract.conforms("POST", "/api/v1/units/import", 200, &body);
    assert_eq!(
        (body["applied"].as_bool(), body["added"].as_u64()),
        (Some(false), Some(1))
    );
    let (status, body) = call(
        &app,
        &admin,
        "POST",
        "/api/v1/units/import?apply=true",
        Some(csv.clone().into_bytes()),
    )
    .await;
    calls += 1;
    assert_eq!(
        (status, body["applied"].as_bool()),
        (200, Some(true)),
        "{body}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM unit WHERE name = '接口导入测试有限公司'"
        )
        .await,
        1
    );
    let (status, body) = call(
        &app,
        &city,
        "POST",
        "/api/v1/units/import",
        Some(csv.into_bytes()),
    )
    .await;
    calls += 1;
    assert_eq!(status, 403);
    contract.conforms("POST", "/api/v1/units/import", 403, &body);
    let (status, body) = call(
        &app,
        &admin,
        "POST",
        "/api/v1/units/import",
        Some(b"\xff\xfe\x00garbage".to_vec()),
    )
    .await;
    calls += 1;
    assert_eq!(status, 200);
    assert!(!body["problems"].as_array().unwrap().is_empty(), "{body}");

    // Every operation of the document was exercised.
    assert_eq!(
        contract.called,
        contract.operations(),
        "operations left unexercised"
    );

    // Every call made with a token is in the audit trail, with its status.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_event WHERE action = 'api.call'"
        )
        .await,
        calls as i64
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_event WHERE action = 'api.call' AND after_json LIKE '%\"status\":403%'").await,
        4,
        "the four refusals for scope or reach"
    );
    app.assert_counts_match_a_recount().await;
}

async fn a_token_is_made_on_the_admin_page_shown_once_and_stops_when_revoked_or_expired(
    backend: Backend,
) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            clock: Some("2027-01-05T10:00:00+08:00"),
            ..Default::default()
        },
    )
    .await;
    let admin = app.logged_in("admin").await;
    let (qiye_id,): (String,) =
        sqlx::query_as("SELECT user_id FROM app_user WHERE username = 'qiye'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    // Without JavaScript: a bad form comes back with its errors next to the fields.
    let res = plain_post(
        &app,
        &admin,
        "/api/create_token",
        &[("user", ""), ("name", ""), ("days", "0")],
    )
    .await;
    let page = app
        .page_with(&admin, &common::location(&res))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("请至少选择一项权限"), "{page}");
    assert!(page.contains("有效天数须为 1 至 366 之间的整数"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM api_token").await, 0);
    let res = plain_post(
        &app,
        &admin,
        "/api/create_token",
        &[
            ("user", &qiye_id),
            ("name", "企业自建系统"),
            ("days", "30"),
            ("scopes[]", "units:read"),
            ("scopes[]", "filings:read"),
        ],
    )
    .await;
    assert_eq!(common::location(&res), "/admin/tokens");
    let page = app
        .page_with(&admin, "/admin/tokens")
        .await
        .text()
        .await
        .unwrap();
    let start = page.find("nft_").expect("the new token is shown");
    let token: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(token.len(), 4 + 32 + 1 + 64);
    let again = app
        .page_with(&admin, "/admin/tokens")
        .await
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&token), "shown once");
    assert!(again.contains("企业自建系统"));
    let stored: (String,) = sqlx::query_as("SELECT secret_hash FROM api_token")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        !token.contains(&stored.0) && !stored.0.is_empty(),
        "only a hash is kept"
    );

    let (status, body) = call(&app, &token, "GET", "/api/v1/units", None).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = call(&app, &token, "GET", "/api/v1/escalations", None).await;
    assert_eq!(status, 403, "not in its scopes");

    // Expired: refused like any bad token.
    sqlx::query("UPDATE api_token SET expires_at = '2027-01-05T01:59:59Z'")
        .execute(&app.db)
        .await
        .unwrap();
    let (status, _) = call(&app, &token, "GET", "/api/v1/units", None).await;
    assert_eq!(status, 401);
    sqlx::query("UPDATE api_token SET expires_at = '2027-02-05T02:00:00Z'")
        .execute(&app.db)
        .await
        .unwrap();
    let (id,): (String,) = sqlx::query_as("SELECT token_id FROM api_token")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let res = plain_post(&app, &admin, "/api/revoke_token", &[("token", &id)]).await;
    assert!(res.status().is_redirection());
    let (status, _) = call(&app, &token, "GET", "/api/v1/units", None).await;
    assert_eq!(status, 401, "revoked");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_event WHERE action IN ('api_token.create', 'api_token.revoke')").await,
        2
    );
    // Not an administrator: no tokens page, no tokens made.
    let qiye = app.logged_in("qiye").await;
    let res = plain_post(
        &app,
        &qiye,
        "/api/create_token",
        &[
            ("user", &qiye_id),
            ("name", "x"),
            ("days", "30"),
            ("scopes[]", "units:read"),
        ],
    )
    .await;
    assert!(res.status().is_redirection());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM api_token").await, 1);
}

async fn the_document_and_its_browser_are_served_from_the_binary(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    assert!(!html.contains("cdn."), "no CDN");
    let res = app
        .client
        .get(app.url("/api/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .get(app.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

on_both_databases!(
    every_operation_answers_as_documented_and_a_county_sees_only_its_own,
    a_token_is_made_on_the_admin_page_shown_once_and_stops_when_revoked_or_expired,
    the_document_and_its_browser_are_served_from_the_binary
);
