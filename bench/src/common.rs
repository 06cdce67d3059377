//! What every row shares: paths, databases, the server process, timing, results.

use serde_json::{json, Value};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

pub type Res<T> = Result<T, String>;

/// Turns any displayable error into the harness's error text.
pub fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// The instant every server run uses: 8 January 2027, inside the January window of the
/// 2026 annual period (1–10 January, Kunming time), so windows are deterministic.
pub const CLOCK: &str = "2027-01-08T10:00:00+08:00";
/// The period being filed at [`CLOCK`].
pub const CURRENT_PERIOD: &str = "2026-Y";
/// The last closed period at [`CLOCK`] (filed in July 2026).
pub const CLOSED_PERIOD: &str = "2026-H1";
/// The password of every bench account.
pub const PASSWORD: &str = "bench1234";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn name(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    #[value(name = "10k")]
    K10,
    #[value(name = "100k")]
    K100,
}

impl Scale {
    pub fn name(self) -> &'static str {
        match self {
            Scale::K10 => "10k",
            Scale::K100 => "100k",
        }
    }
    pub fn enterprises(self) -> usize {
        match self {
            Scale::K10 => 10_000,
            Scale::K100 => 100_000,
        }
    }
}

/// Where things are: the repository, the release binary, the built site.
#[derive(Clone, Debug)]
pub struct Env {
    pub repo: PathBuf,
    pub binary: PathBuf,
    pub site_root: PathBuf,
    pub pg_server: String,
}

impl Env {
    pub fn work(&self) -> PathBuf {
        self.repo.join("bench").join("work")
    }
    pub fn results(&self) -> PathBuf {
        self.repo.join("bench").join("results")
    }
}

/// A database the harness made: its URL, and how to drop or copy it.
#[derive(Clone, Debug)]
pub struct Database {
    pub kind: DbKind,
    pub url: String,
    /// SQLite: the file; PostgreSQL: the database name.
    pub name: String,
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

pub async fn pool(url: &str, max: u32) -> Res<AnyPool> {
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(60))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    // As the app opens SQLite (app/src/ssr/db.rs).
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(err(url))
}

/// Runs one statement on the PostgreSQL server's maintenance database.
pub async fn pg_admin(env: &Env, sql: &str) -> Res<()> {
    let p = pool(&format!("{}/postgres", env.pg_server), 1).await?;
    p.execute(sql).await.map_err(err(sql))?;
    p.close().await;
    Ok(())
}

/// A fresh copy of a prepared dataset for one run that writes (`tag` names it).
pub async fn fresh_copy(env: &Env, template: &Database, tag: &str) -> Res<Database> {
    match template.kind {
        DbKind::Sqlite => {
            let to = env.work().join(format!("run-{tag}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
            }
            std::fs::copy(&template.name, &to).map_err(err("copying the SQLite dataset"))?;
            Ok(Database {
                kind: DbKind::Sqlite,
                url: sqlite_url(&to),
                name: to.display().to_string(),
            })
        }
        DbKind::Postgres => {
            let name = format!("nilbench_run_{tag}");
            pg_admin(env, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
            pg_admin(
                env,
                &format!("CREATE DATABASE {name} TEMPLATE {}", template.name),
            )
            .await?;
            Ok(Database {
                kind: DbKind::Postgres,
                url: format!("{}/{name}", env.pg_server),
                name,
            })
        }
    }
}

/// Removes a run's copy.
pub async fn drop_copy(env: &Env, db: &Database) {
    match db.kind {
        DbKind::Sqlite => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.name));
            }
        }
        DbKind::Postgres => {
            let _ = pg_admin(
                env,
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name),
            )
            .await;
        }
    }
}

/// The release binary, serving one database on a free port with the fixed clock.
pub struct Server {
    pub child: tokio::process::Child,
    pub pid: u32,
    pub base: String,
    pub started: Instant,
}

pub fn free_port() -> Res<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(err("a free port"))?
        .port())
}

impl Server {
    /// Starts the server (without waiting for it to answer).
    pub fn start(env: &Env, db: &Database, extra: &[&str]) -> Res<Server> {
        Self::start_at(env, db, CLOCK, extra)
    }

    /// [`Server::start`] with the fixed clock at `clock`.
    pub fn start_at(env: &Env, db: &Database, clock: &str, extra: &[&str]) -> Res<Server> {
        let port = free_port()?;
        let mut args = vec![
            "serve".to_string(),
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--site-root".into(),
            env.site_root.display().to_string(),
            "--clock".into(),
            clock.into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let log =
            std::fs::File::create(env.work().join("server.log")).map_err(err("server.log"))?;
        let started = Instant::now();
        let child = tokio::process::Command::new(&env.binary)
            .args(&args)
            .env("DATABASE_URL", &db.url)
            .env("NILFILING_LOG", "warn")
            .env_remove("NILFILING_CLOCK")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .map_err(err("starting nilfiling"))?;
        let pid = child.id().ok_or("no pid")?;
        Ok(Server {
            child,
            pid,
            base: format!("http://127.0.0.1:{port}"),
            started,
        })
    }

    /// Starts the server and waits until `/healthz` answers.
    pub async fn run(env: &Env, db: &Database, extra: &[&str]) -> Res<Server> {
        let mut s = Self::start(env, db, extra)?;
        s.wait_ready(Duration::from_secs(300)).await?;
        Ok(s)
    }

    pub async fn wait_ready(&mut self, within: Duration) -> Res<Duration> {
        let client = reqwest::Client::new();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "nilfiling exited ({status}); see bench/work/server.log"
                ));
            }
            if let Ok(r) = client.get(format!("{}/healthz", self.base)).send().await {
                if r.status().is_success() {
                    return Ok(self.started.elapsed());
                }
            }
            if self.started.elapsed() > within {
                return Err("nilfiling did not answer in time".into());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// CPU time (user + system) the process used so far.
    pub fn cpu(&self) -> Duration {
        cpu_of(self.pid)
    }

    pub fn status_kib(&self, field: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(field))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0)
    }

    /// SIGTERM, then waits for the process to end (SIGKILL after 20 s).
    pub async fn stop(mut self) {
        // SAFETY: sending a signal to our own child process by its pid.
        unsafe {
            libc::kill(self.pid as i32, libc::SIGTERM);
        }
        if tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// utime + stime of a process, from /proc/<pid>/stat.
pub fn cpu_of(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name and state.
    let total = ticks(11) + ticks(12);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_micros(total * 1_000_000 / hz)
}

/// A plain HTTP client (no cookie store, no redirects followed, keep-alive).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("an HTTP client")
}

/// Logs in with the API flow; answers the session cookie (`name=value`).
pub async fn login(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> Res<String> {
    let mut req = client
        .post(format!("{base}/api/login"))
        .header("Origin", base)
        .form(&[("username", username), ("password", password)]);
    if let Some(addr) = forwarded_for {
        req = req.header("X-Forwarded-For", addr);
    }
    let res = req.send().await.map_err(err("login"))?;
    let status = res.status();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter(|c| !c.ends_with('='))
        .collect::<Vec<_>>()
        .join("; ");
    if !status.is_success() || cookie.is_empty() {
        let body = res.text().await.unwrap_or_default();
        return Err(format!("login {username}: {status} {body}"));
    }
    Ok(cookie)
}

/// Milliseconds of a duration.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `p`-th percentile (0–100) of samples in milliseconds (nearest rank).
pub fn pct(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * s.len() as f64).ceil() as usize;
    s[rank.clamp(1, s.len()) - 1]
}

pub fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Facts about the machine and the code measured.
pub fn machine(env: &Env) -> Value {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(&env.repo)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_default();
    let mem_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    json!({
        "nproc": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "cpu": cpu_model,
        "memory_gib": round(mem_kib as f64 / 1048576.0, 1),
        "loadavg_at_end": load.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        "date": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "git_commit": git(&["rev-parse", "HEAD"]),
        "git_dirty": !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty(),
    })
}

/// One figure with its target.
pub struct Check {
    pub figure: String,
    pub value: Value,
    pub target: String,
    pub met: Option<bool>,
}

impl Check {
    pub fn new(figure: impl Into<String>, value: Value, target: &str, met: Option<bool>) -> Self {
        Check {
            figure: figure.into(),
            value,
            target: target.into(),
            met,
        }
    }
    /// A figure reported without a target.
    pub fn info(figure: impl Into<String>, value: Value) -> Self {
        Self::new(figure, value, "", None)
    }
}

/// Writes `bench/results/<row>-<db>.json` and regenerates the summary.
pub fn write_result(
    env: &Env,
    row: &str,
    db: Option<DbKind>,
    checks: Vec<Check>,
    details: Value,
) -> Res<()> {
    let met = checks.iter().all(|c| c.met != Some(false));
    let file = match db {
        Some(d) => format!("{row}-{}.json", d.name()),
        None => format!("{row}.json"),
    };
    let out = json!({
        "row": row,
        "database": db.map(|d| d.name()).unwrap_or("-"),
        "met": met,
        "checks": checks.iter().map(|c| json!({
            "figure": c.figure,
            "value": c.value,
            "target": c.target,
            "met": c.met,
        })).collect::<Vec<_>>(),
        "details": details,
        "machine": machine(env),
    });
    std::fs::create_dir_all(env.results()).map_err(err("bench/results"))?;
    let path = env.results().join(&file);
    std::fs::write(&path, serde_json::to_string_pretty(&out).unwrap() + "\n")
        .map_err(err("writing results"))?;
    println!("wrote {}", path.display());
    crate::summary::write(env)?;
    Ok(())
}

/// The previous result of a row, if any.
pub fn read_result(env: &Env, row: &str, db: DbKind) -> Option<Value> {
    let path = env.results().join(format!("{row}-{}.json", db.name()));
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Row counts of every table of the app's schema.
pub async fn table_counts(
    pool: &AnyPool,
    kind: DbKind,
) -> Res<std::collections::BTreeMap<String, i64>> {
    let list = match kind {
        DbKind::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' AND name <> 'bench_meta' ORDER BY name",
        DbKind::Postgres => "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%' AND table_name <> 'bench_meta' ORDER BY table_name",
    };
    let names: Vec<(String,)> = sqlx::query_as(list)
        .fetch_all(pool)
        .await
        .map_err(err("listing tables"))?;
    let mut out = std::collections::BTreeMap::new();
    for (name,) in names {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {name}"))
            .fetch_one(pool)
            .await
            .map_err(err("counting"))?;
        out.insert(name, n);
    }
    Ok(out)
}
