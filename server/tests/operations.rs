//! Operations (issue 12): the server's timeouts, connection cap and shutdown deadline; metrics;
//! JSON request logs; backup and restore.

mod common;

use common::{nilfiling, Backend, TestDatabase};
use server::serve::Limits;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The app on port 0 with these limits, on a fresh migrated database with demo data.
async fn app_with(backend: Backend, limits: Limits, trust_proxy: bool) -> (String, TestDatabase) {
    app_on_site(backend, limits, trust_proxy, std::env::temp_dir()).await
}

async fn app_on_site(
    backend: Backend,
    limits: Limits,
    trust_proxy: bool,
    site_root: std::path::PathBuf,
) -> (String, TestDatabase) {
    let database = TestDatabase::new(backend).await;
    let mut config = server::Config::new(database.url.clone());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.site_root = site_root;
    config.seed_demo_if_empty = true;
    config.clock = app::domain::time::Clock::fixed(
        app::domain::time::parse_instant("2027-01-05T10:00:00+08:00").unwrap(),
    );
    config.limits = limits;
    config.trust_proxy = trust_proxy;
    let app = server::Application::build(config).await.expect("starts");
    let addr = format!("127.0.0.1:{}", app.port());
    app.spawn();
    (addr, database)
}

/// Reads from a raw connection until the peer closes it (`Ok(bytes)`) or `within` passes
/// (`Err(bytes)`, the connection still open).
fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Result<Vec<u8>, Vec<u8>> {
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(got);
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return Ok(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(got)
            }
            // Reset by the server: closed too.
            Err(_) => return Ok(got),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_mid_headers_and_an_idle_connection_are_dropped_after_the_header_timeout(
) {
    let limits = Limits {
        header_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let (addr, _db) = app_with(Backend::Sqlite, limits, false).await;
    tokio::task::spawn_blocking(move || {
        // A client that sends half a request head and then nothing.
        let mut stuck = TcpStream::connect(&addr).unwrap();
        stuck
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .unwrap();
        let answer = read_until_closed(&mut stuck, Duration::from_secs(20));
        assert!(
            answer.is_ok(),
            "the half-sent request's connection is closed"
        );
        // A kept-alive connection that asks once and then sits idle.
        let mut idle = TcpStream::connect(&addr).unwrap();
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let answer = read_until_closed(&mut idle, Duration::from_secs(20))
            .expect("the idle kept-alive connection is closed");
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 200"), "answered first: {text}");
        assert!(text.ends_with("ok"), "with its body: {text}");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_arrive_within_the_body_timeout_answers_408() {
    let limits = Limits {
        body_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let (addr, _db) = app_with(Backend::Sqlite, limits, false).await;
    tokio::task::spawn_blocking(move || {
        let mut slow = TcpStream::connect(&addr).unwrap();
        slow.write_all(
            format!(
                "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=qi"
            )
            .as_bytes(),
        )
        .unwrap();
        let answer = read_until_closed(&mut slow, Duration::from_secs(20));
        let text = String::from_utf8_lossy(answer.as_ref().unwrap_or_else(|e| e));
        assert!(text.starts_with("HTTP/1.1 408"), "408 for the slow body: {text}");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_wait_until_one_closes() {
    let limits = Limits {
        max_connections: 2,
        header_timeout: Duration::from_secs(60),
        ..Limits::default()
    };
    let (addr, _db) = app_with(Backend::Sqlite, limits, false).await;
    let url = format!("http://{addr}/healthz");
    // Two connections held open by clients that have not asked anything yet.
    let first = TcpStream::connect(&addr).unwrap();
    let _second = TcpStream::connect(&addr).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let client = reqwest::Client::new();
    let third = client
        .get(&url)
        .timeout(Duration::from_millis(1500))
        .send()
        .await;
    assert!(
        third.is_err(),
        "a third connection is not served while two are open"
    );
    drop(first);
    let fourth = client
        .get(&url)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .expect("served once a connection closed");
    assert_eq!(fourth.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_and_read_the_pool_and_stay_off_the_proxy() {
    let (addr, _db) = app_with(Backend::Sqlite, Limits::default(), true).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        client
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .unwrap();
    }
    let text = client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let healthz = text
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total")
                && l.contains("route=\"/healthz\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("requests by route and status: {text}"));
    let count: f64 = healthz.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "three requests counted: {healthz}");
    assert!(
        text.contains("http_request_duration_seconds_bucket{route=\"/healthz\""),
        "a latency histogram: {text}"
    );
    assert!(text.contains("db_pool_connections "), "pool size: {text}");
    assert!(
        text.contains("db_pool_idle_connections "),
        "pool idle: {text}"
    );
    // Through the trusted proxy (it sets X-Forwarded-For): not served.
    let via_proxy = client
        .get(format!("http://{addr}/metrics"))
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(via_proxy.status(), 404);
}

/// A free port on loopback (bound, then released for the child to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn sigterm_with_a_stuck_client_exits_within_the_shutdown_deadline_and_logs_json_lines() {
    let dir = std::env::temp_dir().join(format!("nilfiling-ops-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nilfiling"))
        .args([
            "--log-format",
            "json",
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--site-root",
            dir.to_str().unwrap(),
            "--header-timeout",
            "120",
            "--shutdown-timeout",
            "2",
        ])
        .env("DATABASE_URL", format!("sqlite://{}/ops.db", dir.display()))
        .env_remove("NILFILING_CLOCK")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..300 {
        if let Ok(mut s) = TcpStream::connect(&addr) {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            if let Ok(bytes) = read_until_closed(&mut s, Duration::from_secs(10)) {
                up = String::from_utf8_lossy(&bytes).starts_with("HTTP/1.1 200");
            }
            if up {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "the server came up");
    // A client stuck mid-headers (the header timeout is far off).
    let mut stuck = TcpStream::connect(&addr).unwrap();
    stuck.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // It exits on its own: well before this test gives up on it.
    let mut status = None;
    while asked.elapsed() < Duration::from_secs(30) {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if status.is_none() {
        let _ = child.kill();
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let status = status.unwrap_or_else(|| {
        panic!(
            "SIGTERM with a stuck client: the server did not exit\n{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(status.success(), "exits cleanly: {status:?}");
    eprintln!("exited {:?} after SIGTERM", asked.elapsed());
    // Every log line is one JSON object; the request was logged with its route and status.
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["fields"]["route"] == "/healthz"
            && l["fields"]["status"] == 200
            && l["fields"]["method"] == "GET"),
        "a request line: {stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_filings_submitted_and_logins_throttled() {
    let app = common::TestApp::spawn_with(
        Backend::Sqlite,
        common::Options {
            clock: Some("2027-01-05T10:00:00+08:00"),
            ..Default::default()
        },
    )
    .await;
    let filer = app.logged_in("qiye").await;
    common::submit_filing(
        &app,
        &filer,
        app::domain::forms::BindingKind::Enterprise,
        &[],
        "1",
    )
    .await;
    // A name locked after repeated wrong passwords.
    let stranger = app.browser();
    for _ in 0..(app::ssr::auth::FREE_ATTEMPTS + 1) {
        let _ = app
            .call_fn(&stranger, common::login_args("qiye", "wrong password"))
            .await;
    }
    let text = app.page("/metrics").await.text().await.unwrap();
    let value = |name: &str| -> f64 {
        text.lines()
            .filter(|l| l.starts_with(name))
            .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
            .sum()
    };
    assert_eq!(value("filings_submitted_total"), 1.0, "{text}");
    assert!(value("logins_throttled_total") >= 1.0, "{text}");
}

/// Every table's rows as sorted text, for comparing two databases cell by cell.
async fn dump(db: &app::ssr::db::Db, backend: Backend) -> Vec<(String, Vec<String>)> {
    let tables: Vec<(String,)> = match backend {
        Backend::Sqlite => sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        ),
        Backend::Postgres => sqlx::query_as(
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY table_name",
        ),
    }
    .fetch_all(db)
    .await
    .unwrap();
    let mut out = Vec::new();
    for (table,) in tables {
        let select = match backend {
            Backend::Sqlite => {
                let columns: Vec<(String,)> =
                    sqlx::query_as("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                        .bind(&table)
                        .fetch_all(db)
                        .await
                        .unwrap();
                let cells: Vec<String> = columns
                    .iter()
                    .map(|(c,)| format!("quote(\"{c}\")"))
                    .collect();
                format!("SELECT {} FROM \"{table}\"", cells.join(" || '|' || "))
            }
            Backend::Postgres => format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t"),
        };
        let mut rows: Vec<String> = sqlx::query_scalar(&select).fetch_all(db).await.unwrap();
        rows.sort();
        out.push((table, rows));
    }
    out
}

async fn user_id_of(app: &common::TestApp, username: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT user_id FROM app_user WHERE username = $1")
        .bind(username)
        .fetch_one(&app.db)
        .await
        .unwrap();
    id
}

async fn a_backup_restores_into_an_identical_database(backend: Backend) {
    // Arrange: the demo with a past period of filings, a submitted filing with its sealed
    // scan attached (issue 14: attachments are in the database, so in the backup) and the audit.
    let app = common::TestApp::spawn_with(
        backend,
        common::Options {
            clock: Some("2027-01-05T10:00:00+08:00"),
            history: 1,
            ..Default::default()
        },
    )
    .await;
    let filer = app.logged_in("qiye").await;
    let filing_id = common::submit_filing(
        &app,
        &filer,
        app::domain::forms::BindingKind::Enterprise,
        &["3.1"],
        "1",
    )
    .await;
    let user = app::ssr::auth::load_user(&app.db, &user_id_of(&app, "qiye").await)
        .await
        .unwrap()
        .unwrap();
    app::ssr::attachments::attach(
        &app.db,
        &app.clock,
        &user,
        &filing_id,
        "scan.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\x00",
    )
    .await
    .unwrap();
    // …and a 第九条 report to an admonition with its sealed scan.
    let office = app.logged_in("wuhua").await;
    let escalation_id = common::admonish_demo_enterprise(&app, &office).await;
    common::report_on(&app, &filer, &escalation_id).await;
    app::ssr::escalations::attach_to_reply(
        &app.db,
        &app.clock,
        &user,
        &escalation_id,
        "report.pdf",
        b"%PDF-1.4\n%%EOF\n",
    )
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("nilfiling-backup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("backup.db");
    let file = file.to_str().unwrap();
    // Act: back up while the app runs, then restore into a database that does not exist yet.
    let (ok, said) = nilfiling(&["backup", "--to", file], &app.database.url);
    assert!(ok, "backup: {said}");
    let (ok, said) = nilfiling(&["backup", "--to", file], &app.database.url);
    assert!(
        !ok && said.contains("already exists"),
        "never overwrites: {said}"
    );
    let target = TestDatabase::new(backend).await;
    let (ok, said) = nilfiling(&["restore", "--from", file], &target.url);
    assert!(ok, "restore: {said}");
    // Assert: every table, row and cell is the same.
    let restored = app::ssr::db::connect(&target.url).await.unwrap();
    let (before, after) = (dump(&app.db, backend).await, dump(&restored, backend).await);
    assert!(before
        .iter()
        .any(|(t, rows)| t == "filing" && !rows.is_empty()));
    assert!(before
        .iter()
        .any(|(t, rows)| t == "attachment" && rows.len() == 1));
    assert!(before
        .iter()
        .any(|(t, rows)| t == "escalation_attachment" && rows.len() == 1));
    assert_eq!(before.len(), after.len(), "the same tables");
    for ((table, rows), (table_after, rows_after)) in before.iter().zip(after.iter()) {
        assert_eq!(table, table_after);
        assert_eq!(rows, rows_after, "table {table} restored row for row");
    }
    // A second restore over data is refused unless asked to replace it.
    let (ok, said) = nilfiling(&["restore", "--from", file], &target.url);
    assert!(!ok && said.contains("--replace"), "keeps data: {said}");
    restored.close().await;
    let (ok, said) = nilfiling(&["restore", "--from", file, "--replace"], &target.url);
    assert!(ok, "restore --replace: {said}");
    let _ = std::fs::remove_dir_all(&dir);
}

on_both_databases!(a_backup_restores_into_an_identical_database);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_the_request_timeout_answers_503() {
    let limits = Limits {
        request_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let (addr, database) = app_with(Backend::Sqlite, limits, false).await;
    // Arrange: another connection holds SQLite's write lock, so a login's first write (its
    // throttle count) waits (busy_timeout 10 s) past the request's deadline, however fast the
    // machine.
    let db = app::ssr::db::connect(&database.url).await.unwrap();
    let mut holder = db.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let login = |client: reqwest::Client| {
        let (path, body) = common::encoded(&common::login_args("qiye", common::DEMO_PASSWORD));
        client
            .post(format!("http://{addr}{path}"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .header("Origin", format!("http://{addr}"))
            .body(body)
            .send()
    };
    // Act + assert: the request is answered 503 at its deadline.
    let started = Instant::now();
    let res = login(reqwest::Client::new()).await.unwrap();
    assert_eq!(res.status(), 503);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "not after the busy timeout"
    );
    // The lock released, the server answers as before.
    sqlx::query("ROLLBACK").execute(&mut *holder).await.unwrap();
    drop(holder);
    db.close().await;
    let res = login(reqwest::Client::new()).await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_files_are_served_under_their_version_immutable_and_precompressed() {
    // Arrange: a built site with a pre-compressed copy of the stylesheet.
    let site = std::env::temp_dir().join(format!("nilfiling-site-{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("app.css"), "body { color: black; }").unwrap();
    std::fs::write(pkg.join("app.css.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("app.js"), "export default function() {}").unwrap();
    let version = server::asset_version(&pkg);
    assert_ne!(version, "dev");
    let (addr, _db) = app_on_site(Backend::Sqlite, Limits::default(), false, site.clone()).await;
    let client = reqwest::Client::new();
    // The page links the versioned files and is itself never cached unasked.
    let page = client
        .get(format!("http://{addr}/login"))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.headers()["cache-control"].to_str().unwrap(),
        "private, no-cache"
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("/pkg/{version}/app.css"))
            && html.contains(&format!("/pkg/{version}/app.js")),
        "versioned links: {html}"
    );
    // A versioned file: a year, immutable; the brotli copy when the browser takes brotli.
    let css = client
        .get(format!("http://{addr}/pkg/{version}/app.css"))
        .header("Accept-Encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(
        css.headers()["cache-control"].to_str().unwrap(),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(css.headers()["content-encoding"].to_str().unwrap(), "br");
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert_eq!(css.bytes().await.unwrap().as_ref(), b"brotli bytes");
    // Without brotli: the file itself.
    let plain = client
        .get(format!("http://{addr}/pkg/{version}/app.css"))
        .header("Accept-Encoding", "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.text().await.unwrap(), "body { color: black; }");
    // The unversioned name still answers, revalidated each time.
    let unversioned = client
        .get(format!("http://{addr}/pkg/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unversioned.headers()["cache-control"].to_str().unwrap(),
        "no-cache"
    );
    let _ = std::fs::remove_dir_all(&site);
}
