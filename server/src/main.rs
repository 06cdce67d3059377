//! The `nilfiling` command: serve the app, migrate, load demo data, create users.
//! Every failure prints one line (`error: …`) and exits non-zero; never a panic trace.

use app::domain::time::{parse_instant, Clock};
use app::ssr::db::{self, DEFAULT_DATABASE_URL};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use server::{Application, Config};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "nilfiling",
    version,
    about = "昆明市安全生产零申报系统 · Kunming work-safety nil filing"
)]
struct Cli {
    /// Database: sqlite://path/to/file.db (created if missing) or postgres://user@host:port/db.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,

    /// Run as if it were this instant, e.g. 2027-01-05T10:00:00+08:00 (drills, demos, tests).
    #[arg(long, env = "NILFILING_CLOCK", value_parser = parse_clock, global = true)]
    clock: Option<DateTime<Utc>>,

    /// How long start-up waits for the database, in seconds (connecting, creating, migrating).
    #[arg(
        long,
        env = "NILFILING_CONNECT_TIMEOUT",
        default_value_t = 10,
        global = true
    )]
    connect_timeout: u64,

    /// Log filter, e.g. `info`, `server=debug,sqlx=warn`.
    #[arg(
        long,
        env = "NILFILING_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    log: String,

    /// Log lines as `text` (for a terminal) or `json` (one object per line, for collectors).
    #[arg(
        long,
        env = "NILFILING_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web app (the default command).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo data set (no-op if the database already has units).
    SeedDemo,
    /// Recount the kept roll-up counts from the units and filings (after loading data with
    /// SQL directly; the server keeps them up to date itself).
    RebuildRollups,
    /// Create an account; the password is read from the first line of standard input.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// The unit id, e.g. `city-office`.
        #[arg(long)]
        unit: String,
        /// enterprise_filer, department_staff, county_office_staff, city_office_staff or administrator.
        #[arg(long)]
        role: String,
    },
    /// Check an enterprise registry file (CSV in UTF-8 or GBK, or XLSX, in the template's
    /// columns): every bad row with its line and reason; with --apply, import it all or
    /// nothing (re-importing the same file changes nothing). A file with the 单位类型 column
    /// is one of townships and departments (name, kind, county, industries).
    ImportRegistry {
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Import after the check finds no problem (without it: the dry run only).
        #[arg(long)]
        apply: bool,
        /// The language of the report: zh or en.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// Write the enterprise registry to FILE (.csv or .xlsx) in the import template's
    /// columns; with --template, only the header line.
    ExportRegistry {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        #[arg(long)]
        template: bool,
    },
    /// Make a personal access token of the open API for an account (printed once; only its
    /// hash is kept). Scopes: units:read, units:import, filings:read, filings:submit,
    /// rollups:read, escalations:read.
    CreateToken {
        /// The account's username; the token sees what the account's pages show.
        #[arg(long)]
        user: String,
        /// What the token is for (shown on /admin/tokens).
        #[arg(long)]
        name: String,
        /// Comma-separated scopes.
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
        /// Days until it expires (1–366).
        #[arg(long, default_value = "90")]
        days: String,
    },
    /// Write a backup of the database to FILE (SQLite: a consistent copy taken while the
    /// server runs; PostgreSQL: pg_dump's custom format). Never overwrites a file.
    Backup {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Restore a backup made by `backup` into the database (stop the server first), then
    /// apply newer migrations.
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Replace a database that already holds data.
        #[arg(long)]
        replace: bool,
    },
}

/// How many past periods of filings the demo data set carries (for roll-ups and trends).
const DEMO_HISTORY_PERIODS: usize = 3;

#[derive(clap::Args, Debug, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "NILFILING_LISTEN", default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Directory of the built site (holds pkg/).
    #[arg(long, env = "NILFILING_SITE_ROOT", default_value = "target/site")]
    site_root: PathBuf,
    /// Load the demo data when the database has no units yet.
    #[arg(long, env = "NILFILING_SEED_DEMO")]
    seed_demo_if_empty: bool,
    /// Mark the session cookie Secure (when served over HTTPS).
    #[arg(long, env = "NILFILING_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Behind a reverse proxy: take the client's address from X-Forwarded-For (login
    /// throttling per address). Only when the proxy sets that header itself.
    #[arg(long, env = "NILFILING_TRUST_PROXY")]
    trust_proxy: bool,
    /// Seconds a request's headers may take to arrive; also how long a kept-alive
    /// connection may sit idle.
    #[arg(long, env = "NILFILING_HEADER_TIMEOUT", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: u64,
    /// Seconds a request's body may take to arrive (else 408).
    #[arg(long, env = "NILFILING_BODY_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout: u64,
    /// Seconds a request may take to be handled (else 503, and its transaction rolls back).
    #[arg(long, env = "NILFILING_REQUEST_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,
    /// Open connections at most; more wait in the accept queue.
    #[arg(long, env = "NILFILING_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: u64,
    /// On SIGTERM or Ctrl-C, seconds the requests in flight may take before the remaining
    /// connections are closed.
    #[arg(long, env = "NILFILING_SHUTDOWN_TIMEOUT", default_value_t = 20)]
    shutdown_timeout: u64,
}

impl ServeArgs {
    fn limits(&self) -> server::serve::Limits {
        use std::time::Duration;
        server::serve::Limits {
            header_timeout: Duration::from_secs(self.header_timeout),
            body_timeout: Duration::from_secs(self.body_timeout),
            request_timeout: Duration::from_secs(self.request_timeout),
            max_connections: self.max_connections as usize,
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout),
        }
    }
}

fn parse_clock(s: &str) -> Result<DateTime<Utc>, String> {
    parse_instant(s)
}

/// Memory goes back to the system after a login rush (issue 12): argon2 allocates 19 MiB per
/// hash. glibc's default raises its mmap threshold after such a block is freed, so later
/// blocks come from the heap of whichever thread's arena, and up to 8 arenas per core keep
/// them: 120 logins left ~400 MiB behind that never went back. A fixed threshold of 1 MiB
/// keeps every large block a mapping of its own, unmapped when it is freed; smaller
/// allocations are unchanged. (Measured in `docs/measurements.md`.)
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called once, before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    let filter = match tracing_subscriber::EnvFilter::try_new(&cli.log) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: invalid log filter {:?}: {e}", cli.log);
            return ExitCode::from(2);
        }
    };
    match cli.log_format {
        LogFormat::Text => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_target(false)
            .init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_current_span(false)
            .init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let connect_timeout = std::time::Duration::from_secs(cli.connect_timeout.max(1));
    let clock = match cli.clock {
        Some(at) => {
            tracing::warn!(clock = %at, "running on a fixed clock");
            Clock::fixed(at)
        }
        None => Clock::system(),
    };
    let command = match cli.command {
        Some(c) => c,
        // No command: `serve` with its defaults.
        None => match Cli::parse_from(["nilfiling", "serve"]).command {
            Some(c) => c,
            None => return Err("cannot read the default command".into()),
        },
    };
    match command {
        Command::Serve(args) => {
            let mut config = Config::new(cli.database_url.clone());
            config.listen = args.listen;
            config.limits = args.limits();
            config.site_root = args.site_root;
            config.clock = clock;
            config.seed_demo_if_empty = args.seed_demo_if_empty;
            config.demo_history_periods = DEMO_HISTORY_PERIODS;
            config.proposal_interval = Some(std::time::Duration::from_secs(600));
            config.secure_cookies = args.secure_cookies;
            config.trust_proxy = args.trust_proxy;
            config.connect_timeout = connect_timeout;
            if !config.site_root.join("pkg").join("app.js").exists() {
                tracing::warn!(site_root = %config.site_root.display(), "no built site (pkg/app.js): pages render, but without styles and hydration");
            }
            let app = Application::build(config)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(
                "listening on http://{}:{} (database {})",
                args.listen.ip(),
                app.port(),
                db::redact(&cli.database_url)
            );
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate => {
            let pool = db::open(&cli.database_url, connect_timeout)
                .await
                .map_err(|e| e.to_string())?;
            app::ssr::counts::ensure_built(&pool)
                .await
                .map_err(|e| format!("counting the roll-ups failed: {e:?}"))?;
            println!("migrations applied to {}", db::redact(&cli.database_url));
            Ok(())
        }
        Command::RebuildRollups => {
            let pool = db::open(&cli.database_url, connect_timeout)
                .await
                .map_err(|e| e.to_string())?;
            let started = std::time::Instant::now();
            let mut tx = db::begin_write(&pool)
                .await
                .map_err(|e| format!("counting the roll-ups failed: {e}"))?;
            app::ssr::counts::rebuild(&mut tx)
                .await
                .map_err(|e| format!("counting the roll-ups failed: {e:?}"))?;
            tx.commit()
                .await
                .map_err(|e| format!("counting the roll-ups failed: {e}"))?;
            println!(
                "roll-up counts rebuilt from the filings in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::SeedDemo => {
            let pool = db::open(&cli.database_url, connect_timeout)
                .await
                .map_err(|e| e.to_string())?;
            app::ssr::counts::ensure_built(&pool)
                .await
                .map_err(|e| format!("counting the roll-ups failed: {e:?}"))?;
            let report = app::ssr::seed::seed_demo(&pool, &clock)
                .await
                .map_err(|e| format!("loading the demo data failed: {e}"))?;
            if report.skipped {
                println!("the database already has units: demo data not loaded");
            } else {
                println!(
                    "demo data loaded: {} units ({} enterprises), {} users",
                    report.units, report.enterprises, report.users
                );
                let history =
                    app::ssr::seed::seed_demo_history(&pool, &clock, DEMO_HISTORY_PERIODS)
                        .await
                        .map_err(|e| format!("loading the demo history failed: {e}"))?;
                println!(
                    "demo history loaded: {} filings over {} past periods",
                    history.filings, history.periods
                );
            }
            Ok(())
        }
        Command::CreateUser {
            username,
            display_name,
            unit,
            role,
        } => {
            let pool = db::open(&cli.database_url, connect_timeout)
                .await
                .map_err(|e| e.to_string())?;
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']);
            let input = app::ssr::admin::UserInput::parse(
                &pool,
                &username,
                &display_name,
                &unit,
                &role,
                password,
            )
            .await
            .map_err(|e| describe(&e))?;
            let id = app::ssr::admin::create_user(&pool, &clock, None, input)
                .await
                .map_err(|e| describe(&e))?;
            println!("user {username} created ({id})");
            Ok(())
        }
        Command::ImportRegistry { file, apply, lang } => {
            let lang = app::i18n::Lang::parse(&lang);
            let pool = db::open(&cli.database_url, connect_timeout)
                .await
                .map_err(|e| e.to_string())?;
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let report = |problems: &[app::domain::registry::LineProblem]| {
                for p in problems {
                    eprintln!("{}", app::i18n::registry_problem(lang, p));
                }
                format!("{} problem(s): nothing imported", problems.len())
            };
            if !apply {
                let plan = app::ssr::registry::check(&pool, &bytes)
                    .await
                    .map_err(|e| describe(&e))?;
                if !plan.problems.is_empty() {
                    return Err(report(&plan.problems));
                }
                println!(
                    "checked {} rows: {} to add, {} to update, {} unchanged (run with --apply to import)",
                    plan.rows,
                    plan.adds(),
                    plan.updates(),
                    plan.unchanged
                );
                return Ok(());
            }
            let started = std::time::Instant::now();
            let done = app::ssr::registry::import(&pool, &clock, None, &bytes, &|_, _| {})
                .await
                .map_err(|e| describe(&e))?
                .map_err(|problems| report(&problems))?;
            println!(
                "imported {} rows in {:.1} s: {} added, {} updated, {} unchanged",
                done.rows,
                started.elapsed().as_secs_f64(),
                done.added,
                done.updated,
                done.unchanged
            );
            Ok(())
        }
        Command::ExportRegistry { to, template } => {
            let pool = db::open(&cli.database_url, connect_timeout)
                .await
                .map_err(|e| e.to_string())?;
            let table = if template {
                app::ssr::registry::template_table()
            } else {
                app::ssr::registry::registry_table(&pool)
                    .await
                    .map_err(|e| describe(&e))?
            };
            let bytes = match to.extension().and_then(|e| e.to_str()) {
                Some("xlsx") => app::ssr::table::to_xlsx(&table).map_err(|e| describe(&e))?,
                Some("csv") => app::ssr::table::to_csv(&table).into_bytes(),
                _ => return Err("the file must end in .csv or .xlsx".into()),
            };
            std::fs::write(&to, bytes)
                .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
            println!(
                "{} enterprises written to {}",
                table.rows.len(),
                to.display()
            );
            Ok(())
        }
        Command::CreateToken {
            user,
            name,
            scopes,
            days,
        } => {
            let pool = db::open(&cli.database_url, connect_timeout)
                .await
                .map_err(|e| e.to_string())?;
            let user_id = app::ssr::tokens::user_id_of(&pool, &user)
                .await
                .map_err(|e| describe(&e))?
                .ok_or_else(|| format!("no account is named {user}"))?;
            let new = app::ssr::tokens::NewToken::parse(&user_id, &name, &scopes, &days)
                .map_err(|e| describe(&e))?;
            let (_, token) = app::ssr::tokens::create(&pool, clock.now(), None, &new)
                .await
                .map_err(|e| describe(&e))?;
            println!("{}", token.written());
            Ok(())
        }
        Command::Backup { to } => {
            println!("{}", server::backup::backup(&cli.database_url, &to).await?);
            Ok(())
        }
        Command::Restore { from, replace } => {
            let done =
                server::backup::restore(&cli.database_url, &from, replace, connect_timeout).await?;
            println!("{done}");
            Ok(())
        }
    }
}

/// An app error as one line of English for the terminal.
fn describe(err: &app::error::AppError) -> String {
    match err.field_errors() {
        Some(fields) => fields
            .0
            .iter()
            .map(|(field, key)| format!("{field}: {}", app::i18n::t(app::i18n::Lang::En, key)))
            .collect::<Vec<_>>()
            .join("; "),
        None => err.to_string(),
    }
}
