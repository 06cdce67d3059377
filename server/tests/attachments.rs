//! Attachments (issue 14): the enterprise uploads the sealed, signed scan of its filing
//! version; the file is typed by its content, served only as a download, and seen by exactly
//! those who may see the filing.

mod common;

use app::domain::forms::BindingKind;
use common::{submit_filing, Backend, Options, TestApp};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Uploads `bytes` as `name` to the version as the filing page's form does: the redirect.
async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    filing_id: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let fields = [
        ("filing_id", filing_id),
        ("period", "2026-Y"),
        ("version", "1"),
    ];
    upload_with(app, client, &fields, name, bytes).await
}

/// Uploads `bytes` as `name` with the hidden `fields` of an upload form.
async fn upload_with(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&'static str, &str)],
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (field, value) in fields {
        form = form.text(*field, value.to_string());
    }
    let form = form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    client
        .post(app.url("/attachments/upload"))
        .header("Origin", &app.base)
        .header("Accept", "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The demo data on the clock at `at`.
async fn demo_at(backend: Backend, at: &'static str) -> TestApp {
    let options = Options {
        clock: Some(at),
        ..Default::default()
    };
    TestApp::spawn_with(backend, options).await
}

async fn attachments(app: &TestApp) -> i64 {
    rows_of(app, "attachment").await
}

async fn rows_of(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.db)
        .await
        .unwrap();
    n
}

async fn the_sealed_copy_is_attached_typed_by_content_and_seen_only_by_who_sees_the_filing(
    backend: Backend,
) {
    let app = demo_at(backend, "2027-01-05T10:00:00+08:00").await;
    let qiye = app.logged_in("qiye").await;
    let filing_id = submit_filing(&app, &qiye, BindingKind::Enterprise, &[], "1").await;

    // An HTML page named .pdf is refused, and nothing is stored.
    let res = upload(
        &app,
        &qiye,
        &filing_id,
        "盖章件.pdf",
        b"<html><script>alert(1)</script></html>".to_vec(),
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        common::location(&res),
        "/filing?period=2026-Y&version=1&attach_error=type"
    );
    let html = app
        .page_with(&qiye, "/filing?period=2026-Y&version=1&attach_error=type")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("文件须为 PDF、PNG 或 JPEG"));
    // Too large: refused too.
    let mut big = PDF.to_vec();
    big.resize(app::domain::attachment::MAX_ATTACHMENT_BYTES + 1, b' ');
    let res = upload(&app, &qiye, &filing_id, "big.pdf", big).await;
    assert!(
        common::location(&res).ends_with("attach_error=size") || res.status() == 413,
        "{}",
        res.status()
    );
    assert_eq!(attachments(&app).await, 0);

    // A real PDF, under a name with a path and quotes: kept, listed, audited.
    let res = upload(
        &app,
        &qiye,
        &filing_id,
        "C:\\扫描\\\"盖章件\".PDF",
        PDF.to_vec(),
    )
    .await;
    assert_eq!(
        common::location(&res),
        "/filing?period=2026-Y&version=1&attached=1"
    );
    assert_eq!(attachments(&app).await, 1);
    let (id, name): (String, String) =
        sqlx::query_as("SELECT attachment_id, file_name FROM attachment")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(name, "盖章件.pdf");
    let (audited,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event WHERE action = 'attachment.add' AND subject_id = $1",
    )
    .bind(&filing_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    let html = app.page_with(&qiye, "/filing").await.text().await.unwrap();
    assert!(
        html.contains(&format!("/attachments/{id}")),
        "the filing page lists it"
    );

    // Served as a download of what it is, never sniffed or rendered.
    let res = qiye
        .get(app.url(&format!("/attachments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert!(header("content-disposition").starts_with("attachment;"));
    assert!(header("content-disposition").contains("filename*=UTF-8''%E7%9B%96"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    // The department that receives the filing and the city office see it; an enterprise of
    // another county, and a department of another industry, do not: 404, as if it were not.
    for (who, status) in [("wuhua-ajj", 200), ("city", 200), ("wuhua", 200)] {
        let c = app.logged_in(who).await;
        let got = c
            .get(app.url(&format!("/attachments/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(got.status(), status, "{who}");
    }
    let foreign = foreign_filer(&app).await;
    let got = foreign
        .get(app.url(&format!("/attachments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 404);
    // Nor may anyone but the unit's filer attach to its version.
    let res = upload(&app, &foreign, &filing_id, "x.pdf", PDF.to_vec()).await;
    assert_eq!(res.status(), 404);
    assert_eq!(attachments(&app).await, 1);
    // Bodies that are no multipart form: back to the page with the reason, never a 5xx.
    for (content_type, status, to) in
        common::post_malformed_uploads(&app, &qiye, "/attachments/upload").await
    {
        assert_eq!(status, 303, "{content_type}");
        assert!(to.ends_with("attach_error=upload"), "{content_type}: {to}");
    }
    assert_eq!(attachments(&app).await, 1);
    // Logged out: no file.
    let anonymous = common::client();
    let got = anonymous
        .get(app.url(&format!("/attachments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 401);
}

/// Uploads `bytes` as `name` to the escalation's pending reply, as its page's form does.
async fn upload_to_escalation(
    app: &TestApp,
    client: &reqwest::Client,
    escalation_id: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    upload_with(
        app,
        client,
        &[("escalation_id", escalation_id)],
        name,
        bytes,
    )
    .await
}

async fn reply_attachments(app: &TestApp) -> i64 {
    rows_of(app, "escalation_attachment").await
}

/// The filer of an enterprise in another county than the demo's.
async fn foreign_filer(app: &TestApp) -> reqwest::Client {
    let (other,): (String,) = sqlx::query_as(
        "SELECT unit_id FROM unit WHERE kind = 'enterprise' AND county_id <> 'county-530102' ORDER BY unit_id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    app.account("foreign-filer", &other, "enterprise_filer")
        .await
}

/// `GET /attachments/{id}` as `client`.
async fn download(app: &TestApp, client: &reqwest::Client, id: &str) -> reqwest::Response {
    client
        .get(app.url(&format!("/attachments/{id}")))
        .send()
        .await
        .unwrap()
}

async fn the_sealed_copy_of_a_rectification_report_is_attached_and_seen_only_by_who_sees_the_escalation(
    backend: Backend,
) {
    // Arrange: 五华区安委办 admonishes the demo enterprise (告诫: a 第九条 report is due).
    let app = demo_at(backend, "2027-02-01T10:00:00+08:00").await;
    let office = app.logged_in("wuhua").await;
    let qiye = app.logged_in("qiye").await;
    let id = common::admonish_demo_enterprise(&app, &office).await;
    let page = format!("/escalation?id={id}");

    // No report yet: nothing to attach to.
    let res = upload_to_escalation(&app, &qiye, &id, "报告.pdf", PDF.to_vec()).await;
    assert_eq!(
        common::location(&res),
        format!("{page}&attach_error=closed")
    );
    assert_eq!(reply_attachments(&app).await, 0);

    // The 第九条 report, then its sealed copy.
    common::report_on(&app, &qiye, &id).await;
    // Typed by content, not by name; only the target attaches (404 for anyone else).
    let res = upload_to_escalation(
        &app,
        &qiye,
        &id,
        "整改报告.pdf",
        b"<html><script>alert(1)</script></html>".to_vec(),
    )
    .await;
    assert_eq!(common::location(&res), format!("{page}&attach_error=type"));
    let ajj = app.logged_in("wuhua-ajj").await;
    for who in [&office, &ajj] {
        let res = upload_to_escalation(&app, who, &id, "x.pdf", PDF.to_vec()).await;
        assert_eq!(res.status(), 404);
    }
    assert_eq!(reply_attachments(&app).await, 0);
    let res = upload_to_escalation(&app, &qiye, &id, "整改报告（盖章）.pdf", PDF.to_vec()).await;
    assert_eq!(common::location(&res), format!("{page}&attached=1"));
    let (aid, response): (String, String) =
        sqlx::query_as("SELECT attachment_id, escalation_response_id FROM escalation_attachment")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (audited,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event WHERE action = 'attachment.add' AND subject_kind = 'escalation' AND subject_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    let view: app::model::escalation::EscalationView = app
        .call_with(&office, "escalation", &[("id", id.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view.responses[0].response_id, response);
    assert_eq!(view.responses[0].attachments[0].attachment_id, aid);
    let html = app.page_with(&office, &page).await.text().await.unwrap();
    assert!(
        html.contains(&format!("/attachments/{aid}")),
        "the issuer's page lists it"
    );

    // Served as a download to the issuer, the target and those overseeing it; 404 to others.
    let mut seen = vec![
        ("qiye", qiye.clone()),
        ("wuhua", office.clone()),
        ("wuhua-ajj", ajj),
    ];
    seen.push(("city", app.logged_in("city").await));
    for (who, client) in &seen {
        let got = download(&app, client, &aid).await;
        assert_eq!(got.status(), 200, "{who}");
        assert!(got
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .starts_with("attachment;"));
        assert_eq!(got.bytes().await.unwrap().as_ref(), PDF);
    }
    let foreign = foreign_filer(&app).await;
    for client in [&foreign, &app.logged_in("huashan").await] {
        assert_eq!(download(&app, client, &aid).await.status(), 404);
    }
    assert_eq!(download(&app, &common::client(), &aid).await.status(), 401);

    // Once the issuer accepts the report, nothing more is attached to it.
    let res = app
        .call_with(
            &office,
            "decide_response",
            &[("id", id.as_str()), ("decision", "accept"), ("note", "")],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = upload_to_escalation(&app, &qiye, &id, "补充.pdf", PDF.to_vec()).await;
    assert_eq!(
        common::location(&res),
        format!("{page}&attach_error=closed")
    );
    assert_eq!(reply_attachments(&app).await, 1);
}

on_both_databases!(
    the_sealed_copy_is_attached_typed_by_content_and_seen_only_by_who_sees_the_filing,
    the_sealed_copy_of_a_rectification_report_is_attached_and_seen_only_by_who_sees_the_escalation,
);
