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
    let form = reqwest::multipart::Form::new()
        .text("filing_id", filing_id.to_string())
        .text("period", "2026-Y")
        .text("version", "1")
        .part(
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

async fn attachments(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM attachment")
        .fetch_one(&app.db)
        .await
        .unwrap();
    n
}

async fn the_sealed_copy_is_attached_typed_by_content_and_seen_only_by_who_sees_the_filing(
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
    let (other,): (String,) = sqlx::query_as(
        "SELECT unit_id FROM unit WHERE kind = 'enterprise' AND county_id <> 'county-530102' ORDER BY unit_id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let foreign = app
        .account("foreign-filer", &other, "enterprise_filer")
        .await;
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

on_both_databases!(
    the_sealed_copy_is_attached_typed_by_content_and_seen_only_by_who_sees_the_filing
);
