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

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web app (the default command).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo data set (no-op if the database already has units).
    SeedDemo,
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
}

fn parse_clock(s: &str) -> Result<DateTime<Utc>, String> {
    parse_instant(s)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = match tracing_subscriber::EnvFilter::try_new(&cli.log) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: invalid log filter {:?}: {e}", cli.log);
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
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
    match cli.command.unwrap_or(Command::Serve(ServeArgs {
        listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
        site_root: PathBuf::from("target/site"),
        seed_demo_if_empty: false,
        secure_cookies: false,
        trust_proxy: false,
    })) {
        Command::Serve(args) => {
            let mut config = Config::new(cli.database_url.clone());
            config.listen = args.listen;
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
            db::open(&cli.database_url, connect_timeout)
                .await
                .map_err(|e| e.to_string())?;
            println!("migrations applied to {}", db::redact(&cli.database_url));
            Ok(())
        }
        Command::SeedDemo => {
            let pool = db::open(&cli.database_url, connect_timeout)
                .await
                .map_err(|e| e.to_string())?;
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
