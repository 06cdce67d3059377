//! `nilbench`: the benchmark harness of nilfiling (issue 13). Run through `bin/bench`, which
//! builds the release binary and the site first. Never part of `bin/test`.
//!
//! Rows: `burst` (API flow vs the replay ceiling, verified), `pages` (the same filing without
//! JavaScript), `dash` (roll-up and report pages at 10k and 100k, counts checked), `startup`,
//! `login` (memory), `registry` (a 100,000-row registry import), `wasm` (sizes, caching headers), `static` (file latency). Each writes
//! `bench/results/<row>-<db>.json` and regenerates `bench/results/summary.md`.

mod burst;
mod common;
mod dash;
mod login;
mod prepare;
mod registry;
mod replay;
mod startup;
mod summary;
mod web;

use clap::{Parser, ValueEnum};
use common::*;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Row {
    All,
    Prepare,
    Burst,
    Pages,
    Dash,
    Startup,
    Login,
    Registry,
    Wasm,
    Static,
    Summary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DbChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ScaleChoice {
    #[value(name = "10k")]
    K10,
    #[value(name = "100k")]
    K100,
    Both,
}

#[derive(Parser, Debug)]
#[command(name = "nilbench", about = "Benchmark harness of nilfiling (issue 13)")]
struct Cli {
    /// What to run.
    #[arg(value_enum, default_value = "all")]
    row: Row,
    #[arg(long, value_enum, default_value = "both")]
    db: DbChoice,
    /// Dataset size (dash runs each scale given; the other rows run at the first).
    #[arg(long, value_enum, default_value = "10k")]
    scale: ScaleChoice,
    /// The release binary.
    #[arg(long, default_value = "target/release/nilfiling")]
    binary: PathBuf,
    /// The built site (bin/build).
    #[arg(long, default_value = "target/site")]
    site_root: PathBuf,
    /// The PostgreSQL server (databases nilbench_* are made on it).
    #[arg(
        long,
        env = "NILBENCH_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432"
    )]
    postgres: String,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let repo = std::env::current_dir().expect("current directory");
    let abs = |p: &PathBuf| {
        if p.is_absolute() {
            p.clone()
        } else {
            repo.join(p)
        }
    };
    let env = Env {
        binary: abs(&cli.binary),
        site_root: abs(&cli.site_root),
        repo: repo.clone(),
        pg_server: cli.postgres.clone(),
    };
    if !env.binary.exists() {
        eprintln!(
            "error: no release binary at {} (bin/bench builds it)",
            env.binary.display()
        );
        return std::process::ExitCode::FAILURE;
    }
    let dbs: Vec<DbKind> = match cli.db {
        DbChoice::Sqlite => vec![DbKind::Sqlite],
        DbChoice::Postgres => vec![DbKind::Postgres],
        DbChoice::Both => vec![DbKind::Sqlite, DbKind::Postgres],
    };
    let scales: Vec<Scale> = match cli.scale {
        ScaleChoice::K10 => vec![Scale::K10],
        ScaleChoice::K100 => vec![Scale::K100],
        ScaleChoice::Both => vec![Scale::K10, Scale::K100],
    };
    let rows: Vec<Row> = match cli.row {
        Row::All => vec![
            Row::Wasm,
            Row::Static,
            Row::Burst,
            Row::Pages,
            Row::Dash,
            Row::Startup,
            Row::Login,
            Row::Registry,
        ],
        r => vec![r],
    };
    let mut failed = Vec::new();
    for row in rows {
        let outcome: Res<bool> = async {
            match row {
                Row::Wasm => web::wasm(&env).await,
                Row::Static => web::static_file(&env).await,
                Row::Summary => summary::write(&env).map(|_| true),
                _ => {
                    let mut ok = true;
                    for db in &dbs {
                        println!("== {row:?} on {}", db.name());
                        ok &= match row {
                            Row::Prepare => {
                                for s in &scales {
                                    prepare::ensure(&env, *db, *s).await?;
                                }
                                true
                            }
                            Row::Burst => burst::burst(&env, *db, scales[0]).await?,
                            Row::Pages => burst::pages(&env, *db, scales[0]).await?,
                            Row::Dash => dash::dash(&env, *db, &scales).await?,
                            Row::Startup => {
                                startup::startup(&env, *db, *scales.last().unwrap()).await?
                            }
                            Row::Login => login::login_row(&env, *db, scales[0]).await?,
                            Row::Registry => registry::registry_row(&env, *db, scales[0]).await?,
                            _ => true,
                        };
                    }
                    Ok(ok)
                }
            }
        }
        .await;
        match outcome {
            Ok(true) => {}
            Ok(false) => failed.push(format!(
                "{row:?}: a check of what was written failed (see above)"
            )),
            Err(e) => {
                eprintln!("error in {row:?}: {e}");
                failed.push(format!("{row:?}: {e}"));
            }
        }
    }
    if failed.is_empty() {
        println!("all done; bench/results/summary.md");
        std::process::ExitCode::SUCCESS
    } else {
        println!("done; bench/results/summary.md. Not met or failed:");
        for f in &failed {
            println!("  - {f}");
        }
        std::process::ExitCode::FAILURE
    }
}
