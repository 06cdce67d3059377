//! Test harness: the whole app on port 0 against a fresh database, SQLite or PostgreSQL.
//!
//! Each test gets its own database: a SQLite file in a fresh temporary directory, or a new
//! PostgreSQL database (created on the server at `TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432`) that is dropped when the test ends.
//!
//! [`fixtures`] makes exactly the units and accounts a test needs; [`TestApp::call_fn`] and
//! [`TestApp::try_fn`] call a server function by its type.
#![allow(dead_code)]

pub mod fixtures;

use app::domain::time::{parse_instant, Clock};
use app::error::AppError;
use app::ssr::db::Db;
use leptos::server_fn::ServerFn;
use reqwest::header::{ACCEPT, CONTENT_TYPE, ORIGIN, REFERER};
use reqwest::redirect::Policy;
use server::{Application, Config};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a scenario `async fn name(backend: Backend)` as two tests, one per backend.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await;
                }
            )*
        }
    };
}

pub const DEMO_PASSWORD: &str = app::ssr::seed::DEMO_PASSWORD;

fn postgres_server() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A database that exists for one test.
pub struct TestDatabase {
    pub url: String,
    backend: Backend,
    name: String,
    dir: Option<PathBuf>,
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> Self {
        let name = format!("nilfiling_test_{}", uuid_simple());
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("temp dir");
                Self {
                    url: format!("sqlite://{}/test.db", dir.display()),
                    backend,
                    name,
                    dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let server = postgres_server();
                check_postgres(&server).await;
                // The app creates the database on first connect (and the test drops it).
                Self {
                    url: format!("{server}/{name}"),
                    backend,
                    name,
                    dir: None,
                }
            }
        }
    }
}

fn uuid_simple() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

async fn check_postgres(server: &str) {
    sqlx::any::install_default_drivers();
    let url = format!("{server}/postgres");
    let connected = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        use sqlx::Connection;
        sqlx::AnyConnection::connect(&url).await
    })
    .await;
    match connected {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => panic!(
            "PostgreSQL is not reachable at {server} ({e}). Start it with: \
             pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start \
             (or set TEST_POSTGRES_URL to a server where user may create databases)"
        ),
        Err(_) => panic!("PostgreSQL at {server} did not answer within 10 s. Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self.backend {
            Backend::Sqlite => {
                if let Some(dir) = &self.dir {
                    let _ = std::fs::remove_dir_all(dir);
                }
            }
            Backend::Postgres => {
                let server = postgres_server();
                let name = self.name.clone();
                // Drop runs inside the test's runtime: use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async move {
                        use sqlx::{Connection, Executor};
                        if let Ok(mut conn) =
                            sqlx::AnyConnection::connect(&format!("{server}/postgres")).await
                        {
                            let _ = conn
                                .execute(
                                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                                )
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// The running app and a browser-like HTTP client with its own cookie jar.
pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub clock: Clock,
    pub client: reqwest::Client,
    pub database: TestDatabase,
}

pub struct Options {
    pub clock: Option<&'static str>,
    pub seed: bool,
    /// Past periods of demo filings to load with the seed (as `nilfiling serve` does).
    pub history: usize,
}

impl Options {
    /// An empty database (migrated, no demo data) on the fixed clock at `clock`: for tests
    /// that make their own units and accounts with [`fixtures`].
    pub fn fresh(clock: &'static str) -> Self {
        Self {
            clock: Some(clock),
            seed: false,
            history: 0,
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            clock: Some("2026-11-24T10:00:00+08:00"),
            seed: true,
            history: 0,
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, Options::default()).await
    }

    pub async fn spawn_with(backend: Backend, options: Options) -> Self {
        let database = TestDatabase::new(backend).await;
        let mut config = Config::new(database.url.clone());
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.site_root = std::env::temp_dir();
        config.clock = match options.clock {
            Some(at) => Clock::fixed(parse_instant(at).unwrap()),
            None => Clock::system(),
        };
        config.seed_demo_if_empty = options.seed;
        config.demo_history_periods = options.history;
        let app = Application::build(config).await.expect("the app starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let db = app.db().clone();
        let clock = app.clock().clone();
        app.spawn();
        Self {
            base,
            db,
            clock,
            client: client(),
            database,
        }
    }

    /// The kept roll-up counts (`ssr::counts`) are what a recount from the units and
    /// filings finds (call after a test's changes; the recount is rolled back).
    pub async fn assert_counts_match_a_recount(&self) {
        let mut tx = app::ssr::db::begin_write(&self.db).await.unwrap();
        let kept = counts_snapshot(&mut tx).await;
        app::ssr::counts::rebuild(&mut tx).await.unwrap();
        let recounted = counts_snapshot(&mut tx).await;
        tx.rollback().await.unwrap();
        for (table, (k, r)) in kept.iter().zip(recounted.iter()).enumerate() {
            assert_eq!(k, r, "kept counts of table #{table} differ from a recount");
        }
        assert!(
            kept.iter().any(|t| !t.is_empty()),
            "the counts hold something"
        );
    }

    /// Another browser (own cookies) on the same app.
    pub fn browser(&self) -> reqwest::Client {
        client()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET as a browser navigating (accepts HTML).
    pub async fn page(&self, path: &str) -> reqwest::Response {
        self.page_with(&self.client, path).await
    }

    pub async fn page_with(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client
            .get(self.url(path))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .expect("GET")
    }

    /// A hydrated page calling a server function (answers JSON).
    pub async fn call(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.call_with(&self.client, name, form).await
    }

    pub async fn call_with(
        &self,
        client: &reqwest::Client,
        name: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{name}")))
            .header(ORIGIN, &self.base)
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// A server function called by its type, as a hydrated page calls it: posted to its
    /// `PATH` with its arguments URL-encoded as its struct (see [`encoded`]).
    pub async fn call_fn<F: ServerFn + serde::Serialize>(
        &self,
        client: &reqwest::Client,
        args: F,
    ) -> reqwest::Response {
        let (path, body) = encoded(&args);
        self.post_encoded(client, path, body).await
    }

    /// [`Self::call_fn`], its answer read: the output on 200, else the [`AppError`] (whose
    /// own status must be the one answered).
    pub async fn try_fn<F>(&self, client: &reqwest::Client, args: F) -> Result<F::Output, AppError>
    where
        F: ServerFn + serde::Serialize,
        F::Output: serde::de::DeserializeOwned,
    {
        answer::<F::Output>(self.call_fn(client, args).await).await
    }

    /// Posts an already encoded call (see [`encoded`]).
    pub async fn post_encoded(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: String,
    ) -> reqwest::Response {
        client
            .post(self.url(path))
            .header(ORIGIN, &self.base)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// A plain HTML form post from `from_path` (JavaScript off).
    pub async fn post_form(
        &self,
        from_path: &str,
        name: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/{name}")))
            .header(ORIGIN, &self.base)
            .header(REFERER, self.url(from_path))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// Another browser, logged in as a demo user.
    pub async fn logged_in(&self, username: &str) -> reqwest::Client {
        let browser = self.browser();
        let res = self
            .call_fn(&browser, login_args(username, DEMO_PASSWORD))
            .await;
        assert_eq!(res.status(), 200, "demo user {username} should log in");
        browser
    }

    /// Another browser, logged in to a new account the administrator creates for `unit_id`
    /// with `role` (for units the demo accounts do not cover).
    pub async fn account(&self, username: &str, unit_id: &str, role: &str) -> reqwest::Client {
        let admin = self.logged_in("admin").await;
        let password = format!("{username}-pass");
        let res = self
            .call_fn(
                &admin,
                app::api::CreateUser {
                    username: username.into(),
                    display_name: username.into(),
                    unit_id: unit_id.into(),
                    role: role.into(),
                    password: password.clone(),
                },
            )
            .await;
        assert_eq!(
            res.status(),
            200,
            "{}",
            res.text().await.unwrap_or_default()
        );
        let browser = self.browser();
        let res = self
            .call_fn(&browser, login_args(username, &password))
            .await;
        assert_eq!(res.status(), 200, "{username} should log in");
        browser
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.call_fn(&self.client, login_args(username, password))
            .await
    }

    pub async fn login_ok(&self, username: &str) {
        let res = self.login(username, DEMO_PASSWORD).await;
        assert_eq!(
            res.status(),
            200,
            "demo user {username} should log in: {}",
            res.text().await.unwrap_or_default()
        );
    }

    pub async fn text(&self, path: &str) -> String {
        let res = self.page(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.text().await.unwrap()
    }
}

/// The login form's arguments.
pub fn login_args(username: &str, password: &str) -> app::api::Login {
    app::api::Login {
        username: username.into(),
        password: password.into(),
        next: None,
    }
}

/// The Location header of a redirect.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A server function's call as it is posted: its URL path (`ServerFn::PATH`, `/api/<endpoint>`)
/// and its argument struct URL-encoded as server_fn's default `PostUrl` input encodes it
/// (serde_qs: `a=1&list[0]=x&map[key]=y`).
pub fn encoded<F: ServerFn + serde::Serialize>(args: &F) -> (&'static str, String) {
    let body =
        serde_qs::to_string(args).unwrap_or_else(|e| panic!("{} cannot be encoded: {e}", F::PATH));
    (F::PATH, body)
}

/// Reads a server function's answer: the output on 200, else the [`AppError`] it encodes,
/// whose status must be the one the response carries.
pub async fn answer<T: serde::de::DeserializeOwned>(res: reqwest::Response) -> Result<T, AppError> {
    let status = res.status().as_u16();
    let url = res.url().path().to_string();
    let body = res.text().await.unwrap();
    if status == 200 {
        return Ok(serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{url}: not its output ({e}): {body}")));
    }
    let err: AppError = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("{url} → {status}: not an AppError ({e}): {body}"));
    assert_eq!(
        status,
        err.status(),
        "{url}: {err:?} is answered with its own status"
    );
    Err(err)
}

/// Reads an app error from a server function's JSON answer.
pub async fn app_error(res: reqwest::Response) -> app::error::AppError {
    let body = res.text().await.unwrap();
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not an AppError ({e}): {body}"))
}

/// The filing form's fields for period 2026-Y: a complete frame, every row binding `kind`
/// answered 落实 except those in `unmet`, answered 不落实 with their explanations.
pub fn filing_fields(
    kind: app::domain::forms::BindingKind,
    unmet: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut f = vec![
        ("period".to_string(), "2026-Y".to_string()),
        ("principal".to_string(), "赵建国".to_string()),
        ("leader_in_charge".to_string(), "钱明".to_string()),
        ("filled_by".to_string(), "孙丽华".to_string()),
        ("reviewed_by".to_string(), "李志强".to_string()),
        ("phone".to_string(), "0871-63123456".to_string()),
    ];
    for row in app::domain::forms::binding_rows(kind) {
        let field = app::domain::filing::row_field(row.id);
        match unmet.iter().find(|(id, _)| *id == row.id) {
            Some((_, why)) => {
                f.push((format!("answers[{field}]"), "not_done".into()));
                f.push((
                    format!(
                        "explanations[{}]",
                        app::domain::filing::explanation_field(row.id)
                    ),
                    why.to_string(),
                ));
            }
            None => f.push((format!("answers[{field}]"), "done".into())),
        }
    }
    f
}

/// The explanation the helpers give every unmet row.
pub const EXPLANATION: &str = "尚未落实，计划在下季度完成整改并复查。";

/// The filing form for period 2026-Y as its server function's struct, posted with `intent`
/// (`save` or `review`): the same answers as [`filing_fields`].
pub fn filing_form(
    kind: app::domain::forms::BindingKind,
    unmet: &[(&str, &str)],
    intent: &str,
) -> app::api::filing::SaveFiling {
    let mut fields = filing_fields(kind, unmet);
    let period = fields.remove(0).1;
    app::api::filing::SaveFiling {
        period,
        intent: intent.into(),
        fields: app::model::filing::PostedFields(fields),
    }
}

/// Saves, checks and submits the logged-in user's filing for 2026-Y with `unmet` rows
/// answered 不落实 (explained with [`EXPLANATION`]); `version` is the version submitted.
/// Returns the submitted version's filing id.
pub async fn submit_filing(
    app: &TestApp,
    client: &reqwest::Client,
    kind: app::domain::forms::BindingKind,
    unmet: &[&str],
    version: &str,
) -> String {
    use app::api::filing::{GetFiling, SubmitFiling};
    let unmet: Vec<(&str, &str)> = unmet.iter().map(|r| (*r, EXPLANATION)).collect();
    app.try_fn(client, filing_form(kind, &unmet, "review"))
        .await
        .expect("the filing is saved and checked");
    app.try_fn(
        client,
        SubmitFiling {
            period: "2026-Y".into(),
            version: version.to_string(),
        },
    )
    .await
    .expect("the filing is submitted");
    let v = app
        .try_fn(
            client,
            GetFiling {
                period: "2026-Y".into(),
                unit: String::new(),
                version: String::new(),
            },
        )
        .await
        .expect("the filing is read back");
    v.record.unwrap().filing_id
}

/// The demo's 五华区安委办 (`office`, logged in) admonishes (告诫) the demo enterprise by hand:
/// a 第九条 report is due. The escalation's id.
pub async fn admonish_demo_enterprise(app: &TestApp, office: &reqwest::Client) -> String {
    let res = app
        .call_with(
            office,
            "issue_manual",
            &[
                ("target_unit_id", "ent-530102-demo"),
                ("rung", "admonition"),
                (
                    "reasons",
                    "2026年度零申报多项不落实，经提示告知后仍未整改。",
                ),
                ("measures", "限期整改，按期报告。"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let number: String = res.json().await.unwrap();
    let (id,): (String,) = sqlx::query_as("SELECT escalation_id FROM escalation WHERE number = $1")
        .bind(&number)
        .fetch_one(&app.db)
        .await
        .unwrap();
    id
}

/// The target's `filer` (logged in) sends its 第九条 report on escalation `id`.
pub async fn report_on(app: &TestApp, filer: &reqwest::Client, id: &str) {
    let res = app
        .call_with(
            filer,
            "respond_escalation",
            &[
                ("id", id),
                ("body", "已按要求完成整改，盖章整改报告见附件扫描件。"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

/// The kept roll-up counts, one sorted list of lines per table, rows whose counts are all
/// zero left out (a recount writes none).
async fn counts_snapshot(tx: &mut sqlx::AnyConnection) -> Vec<Vec<String>> {
    let tables: [(&str, &[&str], &[&str]); 5] = [
        (
            "unit_cell",
            &[
                "county_id",
                "kind",
                "industry",
                "township_id",
                "first_period",
                "last_period",
            ],
            &["units"],
        ),
        (
            "latest_filing",
            &[
                "period_key",
                "unit_id",
                "filing_id",
                "status",
                "county_id",
                "kind",
                "industry",
                "township_id",
            ],
            &["version", "late", "nil", "unmet_items"],
        ),
        (
            "rollup_cell",
            &["period_key", "county_id", "kind", "industry", "township_id"],
            &[
                "t_on_time",
                "t_late",
                "t_returned",
                "t_accepted",
                "t_nil",
                "t_with_unmet",
                "t_unmet_items",
                "a_on_time",
                "a_late",
                "a_returned",
                "a_accepted",
                "a_nil",
                "a_with_unmet",
                "a_unmet_items",
            ],
        ),
        (
            "rollup_row",
            &["period_key", "county_id", "kind", "industry", "row_id"],
            &["unmet", "unmet_accepted"],
        ),
        (
            "rollup_township_row",
            &[
                "period_key",
                "county_id",
                "township_id",
                "industry",
                "row_id",
            ],
            &["unmet", "unmet_accepted"],
        ),
    ];
    let mut out = Vec::new();
    for (table, keys, numbers) in tables {
        let cols: Vec<String> = keys
            .iter()
            .map(|k| k.to_string())
            .chain(numbers.iter().map(|n| format!("CAST({n} AS TEXT)")))
            .collect();
        let nonzero: Vec<String> = numbers.iter().map(|n| format!("{n} <> 0")).collect();
        let where_ = if table == "latest_filing" {
            String::new()
        } else {
            format!("WHERE {}", nonzero.join(" OR "))
        };
        let sql = format!(
            "SELECT {} AS line FROM {table} {where_}",
            cols.join(" || '|' || ")
        );
        let mut lines: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&mut *tx).await.unwrap();
        lines.sort();
        out.push(lines);
    }
    out
}

/// Runs the `nilfiling` command with `args` on the database at `url`, on the real clock:
/// whether it succeeded, and what it printed.
pub fn nilfiling(args: &[&str], url: &str) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nilfiling"))
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("NILFILING_CLOCK")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Posts bodies that are no multipart form to an upload route (`path`) as `client`: for each,
/// its content type, the status and the redirect's location.
pub async fn post_malformed_uploads(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
) -> Vec<(&'static str, u16, String)> {
    let mut out = Vec::new();
    for (content_type, body) in [
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nnot a part".to_vec(),
        ),
        ("multipart/form-data", b"garbage".to_vec()),
        ("text/plain", b"file=x".to_vec()),
        ("multipart/form-data; boundary=x", b"--x--\r\n".to_vec()),
    ] {
        let res = client
            .post(app.url(path))
            .header(ORIGIN, &app.base)
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        out.push((content_type, res.status().as_u16(), location(&res)));
    }
    out
}
