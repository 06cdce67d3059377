//! The enterprise registry (issue 14): an office loads its enterprises from a CSV or XLSX
//! file in the template's columns, checked first, imported all or nothing, again without
//! change, and exported in the same columns.

mod common;

use app::domain::registry::{Column, CreditCode, LineProblem, Problem};
use app::model::registry::Imported;
use app::ssr::registry;
use common::{Backend, TestApp};

/// A valid credit code, different for every `n`.
fn code(n: usize) -> String {
    CreditCode::complete(&format!("92530102MB{n:07}"))
        .unwrap()
        .as_str()
        .to_string()
}

const HEADER: [&str; 10] = [
    "单位名称",
    "统一社会信用代码",
    "所属县（市、区）",
    "乡镇（街道）",
    "行业",
    "地址",
    "法定代表人",
    "从业人员数",
    "联系人",
    "联系电话",
];

/// `n` good rows spread over two counties (named by name and by area code) and industries.
fn good_rows(n: usize) -> Vec<Vec<String>> {
    let industries = ["化工", "建筑施工", "特种设备", "non_coal_mine", "tourism"];
    (0..n)
        .map(|i| {
            let (county, town) = if i % 2 == 0 {
                ("五华区", "护国街道")
            } else {
                ("530111", "")
            };
            vec![
                format!("昆明导入测试第{i}号有限公司"),
                code(i),
                county.into(),
                town.into(),
                industries[i % industries.len()].into(),
                format!("昆明市示例路{i}号"),
                "王五".into(),
                (10 + i).to_string(),
                "赵六".into(),
                "0871-65000000".into(),
            ]
        })
        .collect()
}

fn csv(rows: &[Vec<String>]) -> String {
    let mut out = HEADER.join(",") + "\r\n";
    for r in rows {
        out += &r
            .iter()
            .map(|c| {
                if c.contains([',', '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        out += "\r\n";
    }
    out
}

fn xlsx(rows: &[Vec<String>], formula_at: Option<(u32, u16)>) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            if Some((r, c)) == formula_at {
                sheet.write_formula(r, c, "=1+1").unwrap();
            } else if c == 7 {
                sheet.write_number(r, c, v.parse::<f64>().unwrap()).unwrap();
            } else {
                sheet.write_string(r, c, v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&app.db).await.unwrap();
    n
}

async fn import(app: &TestApp, bytes: &[u8]) -> Result<Imported, Vec<LineProblem>> {
    registry::import(&app.db, &app.clock, None, bytes, &|_, _| {})
        .await
        .unwrap()
}

/// The counts the roll-ups read say as many enterprises as the registry has.
async fn counted_enterprises_match(app: &TestApp) {
    assert_eq!(
        count(app, "SELECT CAST(COALESCE(SUM(units), 0) AS BIGINT) FROM unit_cell WHERE kind = 'enterprise'").await,
        count(app, "SELECT COUNT(*) FROM enterprise").await
    );
}

async fn an_office_loads_its_registry_and_loading_it_again_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let units_before = count(&app, "SELECT COUNT(*) FROM unit").await;
    let rows = good_rows(60);
    let file = xlsx(&rows, None);

    // The dry run says what would happen and stores nothing.
    let plan = registry::check(&app.db, &file).await.unwrap();
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert_eq!(
        (plan.rows, plan.add.len(), plan.updates(), plan.unchanged),
        (60, 60, 0, 0)
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM unit").await, units_before);

    let done = import(&app, &file).await.unwrap();
    assert_eq!((done.added, done.updated, done.unchanged), (60, 0, 0));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM unit").await,
        units_before + 60
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_event WHERE action = 'unit.import'"
        )
        .await,
        60
    );
    let (county, township, industry, headcount): (String, Option<String>, String, i64) =
        sqlx::query_as(
            "SELECT n.county_id, e.township_id, e.industry_code, e.headcount FROM enterprise e JOIN unit n ON n.unit_id = e.unit_id WHERE e.credit_code = $1",
        )
        .bind(code(0))
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        (
            county.as_str(),
            township.as_deref(),
            industry.as_str(),
            headcount
        ),
        (
            "county-530102",
            Some("county-530102-town-1"),
            "chemical",
            10
        )
    );
    counted_enterprises_match(&app).await;

    // The same file again: nothing changes, nothing is recorded.
    let audits = count(&app, "SELECT COUNT(*) FROM audit_event").await;
    let done = import(&app, &file).await.unwrap();
    assert_eq!((done.added, done.updated, done.unchanged), (0, 0, 60));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_event").await,
        audits
    );

    // A changed row, in a CSV saved by Excel on Chinese Windows (GBK): that enterprise is
    // updated, with what it was.
    let mut changed = rows.clone();
    changed[3][5] = "昆明市新地址路8号".into();
    let text = csv(&changed);
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
    assert!(!lossy);
    let done = import(&app, &gbk).await.unwrap();
    assert_eq!((done.added, done.updated, done.unchanged), (0, 1, 59));
    let (before, after): (String, String) = sqlx::query_as(
        "SELECT before_json, after_json FROM audit_event WHERE action = 'unit.import_update'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(before.contains("昆明市示例路3号") && after.contains("昆明市新地址路8号"));

    // The registry exported (the demo's enterprises with it) imports again as it is.
    let exported = app::ssr::table::to_csv(&registry::registry_table(&app.db).await.unwrap());
    let done = import(&app, exported.as_bytes()).await.unwrap();
    let enterprises = count(&app, "SELECT COUNT(*) FROM enterprise").await as usize;
    assert_eq!(
        (done.added, done.updated, done.unchanged),
        (0, 0, enterprises)
    );
    let exported =
        app::ssr::table::to_xlsx(&registry::registry_table(&app.db).await.unwrap()).unwrap();
    let done = import(&app, &exported).await.unwrap();
    assert_eq!(done.unchanged, enterprises);
    counted_enterprises_match(&app).await;
}

async fn a_file_with_bad_rows_is_refused_line_by_line_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut rows = good_rows(16);
    rows[0][1] = {
        // The check character of another code.
        let mut c = code(0);
        let last = c.pop().unwrap();
        c.push(if last == '0' { '1' } else { '0' });
        c
    };
    rows[1][1] = "91530102MA000000O1".into();
    rows[2][2] = "火星区".into();
    rows[3][3] = "不存在街道".into();
    rows[4][4] = "造船".into();
    rows[5][1] = code(6); // the same code as line 8
    rows[8][0] = rows[6][0].clone(); // the same county (五华区) and name as line 8
    rows[9][0] = "昆明华山化工有限公司".into(); // the demo's, in 五华区, with another code
    rows[9][2] = "五华区".into();
    rows[10][6] = String::new();
    rows[11][6] = "=1+1".into();
    rows[12][5] = "长".repeat(10 * 1024 * 1024 / 3);
    rows[13][7] = "很多".into();
    let mut file = rows.clone();
    // The demo enterprise's own code, in another township (华山 → 护国): a move.
    let (demo_code,): (String,) =
        sqlx::query_as("SELECT credit_code FROM enterprise WHERE unit_id = 'ent-530102-demo'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    file[14][1] = demo_code;
    let text = csv(&file);
    let units = count(&app, "SELECT COUNT(*) FROM unit").await;
    let audits = count(&app, "SELECT COUNT(*) FROM audit_event").await;

    let expected: Vec<(usize, Option<Column>, Problem)> = vec![
        (2, Some(Column::CreditCode), Problem::CreditCodeCheckDigit),
        (3, Some(Column::CreditCode), Problem::CreditCodeFormat),
        (4, Some(Column::County), Problem::UnknownCounty),
        (5, Some(Column::Township), Problem::UnknownTownship),
        (6, Some(Column::Industry), Problem::UnknownIndustry),
        (
            8,
            Some(Column::CreditCode),
            Problem::DuplicateInFile { first_line: 7 },
        ),
        (
            10,
            Some(Column::Name),
            Problem::DuplicateInFile { first_line: 8 },
        ),
        (11, Some(Column::Name), Problem::NameTaken),
        (12, Some(Column::LegalRepresentative), Problem::Required),
        (13, Some(Column::LegalRepresentative), Problem::Formula),
        (14, Some(Column::Address), Problem::TooLong),
        (15, Some(Column::Headcount), Problem::Headcount),
        (16, Some(Column::County), Problem::Moved),
    ];
    let found = |problems: &[LineProblem]| -> Vec<(usize, Option<Column>, Problem)> {
        problems
            .iter()
            .map(|p| (p.line, p.column, p.problem.clone()))
            .collect()
    };
    let plan = registry::check(&app.db, text.as_bytes()).await.unwrap();
    assert_eq!(found(&plan.problems), expected);
    let problems = import(&app, text.as_bytes()).await.unwrap_err();
    assert_eq!(found(&problems), expected);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM unit").await, units);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_event").await,
        audits
    );
    // Each reason reads in Chinese, with its line and column.
    let said = app::i18n::registry_problem(app::i18n::Lang::Zh, &problems[0]);
    assert_eq!(
        said,
        "第 2 行「统一社会信用代码」：统一社会信用代码校验位不符（GB 32100—2015），请核对。"
    );

    // A formula in a workbook is refused, not its cached value taken.
    let problems = import(&app, &xlsx(&good_rows(3), Some((2, 7))))
        .await
        .unwrap_err();
    assert_eq!(
        found(&problems),
        vec![(3, Some(Column::Headcount), Problem::Formula)]
    );

    // Files that are no table at all: each refused with one clear reason.
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(
            csv(&good_rows(1))
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    let not_gbk = [0x81u8, 0x20, 0xff, 0xfe, 0x41];
    for (bytes, problem) in [
        (utf16.as_slice(), Problem::Encoding),
        (&not_gbk[..], Problem::Encoding),
        (b"PK\x03\x04 not a workbook".as_slice(), Problem::Unreadable),
        (b"".as_slice(), Problem::NoHeader),
        (
            "颜色,单位名称\r\n".as_bytes(),
            Problem::UnknownColumn("颜色".into()),
        ),
    ] {
        let problems = import(&app, bytes).await.unwrap_err();
        assert!(
            problems.iter().any(|p| p.problem == problem),
            "{problem:?} in {problems:?}"
        );
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM unit").await, units);
}

async fn a_hand_made_enterprise_gets_its_code_from_the_registry_by_county_and_name(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    sqlx::query("UPDATE enterprise SET credit_code = NULL WHERE unit_id = 'ent-530102-demo'")
        .execute(&app.db)
        .await
        .unwrap();
    let (address, legal, headcount): (String, String, i64) = sqlx::query_as(
        "SELECT address, legal_representative, headcount FROM enterprise WHERE unit_id = 'ent-530102-demo'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let row = vec![
        "昆明华山化工有限公司".to_string(),
        code(900),
        "五华区".into(),
        "华山街道".into(),
        "化工".into(),
        address,
        legal,
        headcount.to_string(),
        "".into(),
        "".into(),
    ];
    let done = import(&app, csv(&[row]).as_bytes()).await.unwrap();
    assert_eq!((done.added, done.updated), (0, 1));
    let (got,): (Option<String>,) =
        sqlx::query_as("SELECT credit_code FROM enterprise WHERE unit_id = 'ent-530102-demo'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(got, Some(code(900)));
}

/// Uploads `bytes` as the registry page's form does; the page it redirects to.
async fn upload(app: &TestApp, client: &reqwest::Client, name: &str, bytes: Vec<u8>) -> String {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let res = client
        .post(app.url("/registry/upload"))
        .header("Origin", &app.base)
        .header("Accept", "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    common::location(&res)
}

/// The job's page once the server is done with it (it reloads itself while it works).
async fn settled(app: &TestApp, client: &reqwest::Client, page: &str) -> String {
    for _ in 0..200 {
        let html = app.page_with(client, page).await.text().await.unwrap();
        if !html.contains("http-equiv=\"refresh\"") {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{page} still working after 10 s");
}

async fn the_registry_page_checks_an_upload_then_imports_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.logged_in("admin").await;
    let html = app
        .page_with(&admin, "/registry")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("multipart/form-data") && html.contains("统一社会信用代码"));
    let template = admin
        .get(app.url("/export/registry-template.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(template.status(), 200);
    assert!(template
        .text()
        .await
        .unwrap()
        .contains("单位名称,统一社会信用代码"));

    // A file with a bad line: the page lists it, with no import button.
    let mut rows = good_rows(4);
    rows[1][4] = "造船".into();
    let page = upload(&app, &admin, "名录.csv", csv(&rows).into_bytes()).await;
    assert!(page.starts_with("/registry?job="), "{page}");
    let html = settled(&app, &admin, &page).await;
    assert!(
        html.contains("第 3 行「行业」：行业不在 16 个行业之列。"),
        "{html}"
    );
    assert!(!html.contains("/api/registry_import"));
    let job = page.trim_start_matches("/registry?job=");
    let res = app
        .call_with(&admin, "registry_import", &[("job", job)])
        .await;
    assert_eq!(res.status(), 409, "a file with problems is not imported");

    // A good workbook: the summary, then the import and its outcome.
    let units = count(&app, "SELECT COUNT(*) FROM unit").await;
    let page = upload(&app, &admin, "名录.xlsx", xlsx(&good_rows(30), None)).await;
    let html = settled(&app, &admin, &page).await;
    assert!(
        html.contains("共 30 行：新增 30 家，更新 0 家，0 家无变化。"),
        "{html}"
    );
    assert!(html.contains("/api/registry_import"));
    let job = page.trim_start_matches("/registry?job=").to_string();
    let res = admin
        .post(app.url("/api/registry_import"))
        .header("Origin", &app.base)
        .header("Referer", app.url(&page))
        .header("Accept", "text/html")
        .form(&[("job", job.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(common::location(&res), page);
    let html = settled(&app, &admin, &page).await;
    assert!(html.contains("导入完成：共 30 行，新增 30 家"), "{html}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM unit").await, units + 30);
    // Imported once: the job cannot be imported again.
    let res = app
        .call_with(&admin, "registry_import", &[("job", &job)])
        .await;
    assert_eq!(res.status(), 409);

    // Another administrator's job is not found; a non-administrator may not upload.
    let other = app.account("admin2", "city-office", "administrator").await;
    let res = app
        .call_with(&other, "registry_job", &[("job", &job)])
        .await;
    assert_eq!(res.status(), 404);
    let staff = app.logged_in("wuhua").await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("a.csv"),
    );
    let res = staff
        .post(app.url("/registry/upload"))
        .header("Origin", &app.base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        staff
            .get(app.url("/export/registry.csv"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // A body that is no multipart form, or one with no file: back to the page with the
    // reason, never a server error.
    for (content_type, status, to) in
        common::post_malformed_uploads(&app, &admin, "/registry/upload").await
    {
        assert_eq!(status, 303, "{content_type}");
        assert!(to.starts_with("/registry?error="), "{content_type}: {to}");
    }
    let html = app
        .page_with(&admin, "/registry?error=empty")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("请选择要上传的文件。"));
    // A file over the upload limit is refused before it is read (the server may close the
    // connection before the client has sent it all; an answer, when there is one, is 413).
    let res = admin
        .post(app.url("/registry/upload"))
        .header("Origin", &app.base)
        .header("Content-Type", "multipart/form-data; boundary=x")
        .body(vec![b'x'; app::domain::limits::MAX_UPLOAD_BYTES + 1])
        .send()
        .await;
    if let Ok(res) = res {
        assert_eq!(res.status(), 413);
    }
}

/// Townships and departments (机构名录) come in the same way: their own four columns, told apart
/// by 单位类型; checked line by line, imported all or nothing, again without change; a
/// department whose 监管行业 changed gets the new industries, recorded.
async fn townships_and_departments_load_from_their_own_file(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let header = "单位名称,单位类型,所属县（市、区）,监管行业\r\n";
    let units_before = count(&app, "SELECT COUNT(*) FROM unit").await;
    let bad = format!(
        "{header}\
         测试街道,街道,五华区,\r\n\
         甲局,科室,五华区,化工\r\n\
         乙街道,乡镇,五华区,化工\r\n\
         丙局,部门,五华区,\r\n\
         丁局,部门,不存在区,化工\r\n\
         测试街道,乡镇,五华区,\r\n\
         戊局,部门,五华区,化工、炼丹\r\n\
         昆明华山化工有限公司,部门,五华区,化工\r\n\
         己街道,乡镇,,\r\n"
    );
    let problems = import(&app, bad.as_bytes()).await.unwrap_err();
    let found: Vec<(usize, Option<Column>, Problem)> = problems
        .iter()
        .map(|p| (p.line, p.column, p.problem.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            (3, Some(Column::Kind), Problem::UnknownKind),
            (
                4,
                Some(Column::Industries),
                Problem::IndustriesNotForTownship
            ),
            (5, Some(Column::Industries), Problem::Required),
            (6, Some(Column::County), Problem::UnknownCounty),
            (
                7,
                Some(Column::Name),
                Problem::DuplicateInFile { first_line: 2 }
            ),
            (8, Some(Column::Industries), Problem::UnknownIndustry),
            (9, Some(Column::Name), Problem::NameTaken),
            (10, Some(Column::County), Problem::Required),
        ]
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM unit").await,
        units_before,
        "nothing stored"
    );
    let zh = app::i18n::registry_problem(app::i18n::Lang::Zh, &problems[0]);
    assert!(zh.contains("第 3 行") && zh.contains("单位类型"), "{zh}");

    let good = format!(
        "{header}测试街道,街道,五华区,\r\n五华区测试局,部门,五华区,化工、建筑施工\r\n市测试局,部门,,旅游\r\n"
    );
    let plan = registry::check(&app.db, good.as_bytes()).await.unwrap();
    assert_eq!((plan.rows, plan.adds(), plan.updates()), (3, 3, 0));
    let done = import(&app, good.as_bytes()).await.unwrap();
    assert_eq!((done.added, done.updated, done.unchanged), (3, 0, 0));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM unit u JOIN department_industry d ON d.unit_id = u.unit_id WHERE u.name = '五华区测试局' AND u.kind = 'department' AND u.county_id = 'county-530102'").await,
        2
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM unit WHERE name = '市测试局' AND county_id IS NULL AND parent_id = 'city'").await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM unit WHERE name = '测试街道' AND kind = 'township'"
        )
        .await,
        1
    );
    let again = import(&app, good.as_bytes()).await.unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 3));

    let changed = good.replace("化工、建筑施工", "化工");
    let done = import(&app, changed.as_bytes()).await.unwrap();
    assert_eq!((done.added, done.updated, done.unchanged), (0, 1, 2));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM department_industry d JOIN unit u ON u.unit_id = d.unit_id WHERE u.name = '五华区测试局'").await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_event WHERE action = 'unit.import_update' AND before_json LIKE '%construction%'").await,
        1
    );
    app.assert_counts_match_a_recount().await;
}

on_both_databases!(
    townships_and_departments_load_from_their_own_file,
    the_registry_page_checks_an_upload_then_imports_it,
    an_office_loads_its_registry_and_loading_it_again_changes_nothing,
    a_file_with_bad_rows_is_refused_line_by_line_and_nothing_is_stored,
    a_hand_made_enterprise_gets_its_code_from_the_registry_by_county_and_name,
);

/// The command line an operator uses: the dry run lists the problems in Chinese and exits
/// non-zero; `--apply` imports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_checks_then_imports_and_exports() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let dir = std::env::temp_dir().join(format!("nilfiling-registry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| common::nilfiling(args, &app.database.url);
    let mut rows = good_rows(5);
    rows[2][4] = "造船".into();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, csv(&rows)).unwrap();
    let (ok, said) = run(&["import-registry", "--file", bad.to_str().unwrap()]);
    assert!(!ok && said.contains("第 4 行「行业」"), "{said}");
    let good = dir.join("good.xlsx");
    std::fs::write(&good, xlsx(&good_rows(5), None)).unwrap();
    let (ok, said) = run(&["import-registry", "--file", good.to_str().unwrap()]);
    assert!(ok && said.contains("5 to add"), "{said}");
    let (ok, said) = run(&[
        "import-registry",
        "--file",
        good.to_str().unwrap(),
        "--apply",
    ]);
    assert!(ok && said.contains("5 added"), "{said}");
    let out = dir.join("registry.xlsx");
    let (ok, said) = run(&["export-registry", "--to", out.to_str().unwrap()]);
    assert!(ok, "{said}");
    let (ok, said) = run(&["import-registry", "--file", out.to_str().unwrap()]);
    assert!(ok && said.contains("0 to add, 0 to update"), "{said}");
    let template = dir.join("template.csv");
    let (ok, said) = run(&[
        "export-registry",
        "--template",
        "--to",
        template.to_str().unwrap(),
    ]);
    assert!(ok, "{said}");
    assert_eq!(
        std::fs::read_to_string(&template).unwrap(),
        format!("\u{feff}{}\r\n", HEADER.join(","))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
