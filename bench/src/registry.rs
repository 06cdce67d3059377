//! Registry import (issue 14): 100,000 new enterprises from a CSV file in the import
//! template's columns (valid credit codes, counties by area code, the sixteen industries),
//! imported with `nilfiling import-registry --apply` into a copy of the dataset, then the same
//! file again, which must change nothing. Target: under a minute.

use crate::common::*;
use crate::prepare;
use app::domain::registry::{Column, CreditCode};
use app::domain::unit::{COUNTY_AREAS, INDUSTRIES};
use serde_json::json;
use std::time::Instant;

/// Rows in the generated file.
const ROWS: usize = 100_000;

/// The generated file: the same every run (kept under bench/work).
fn write_file(path: &std::path::Path) -> Res<()> {
    let counties: Vec<&str> = COUNTY_AREAS
        .iter()
        .filter(|(code, _, committee)| !committee && code.len() == 6)
        .map(|(code, _, _)| *code)
        .collect();
    let mut out = String::from("\u{feff}");
    out += &Column::ALL.map(|c| c.header_zh()).join(",");
    out += "\r\n";
    for i in 0..ROWS {
        let area = counties[i % counties.len()];
        let code = CreditCode::complete(&format!("93{area}NB{i:07}"))
            .ok_or_else(|| format!("no code for row {i}"))?;
        let industry = INDUSTRIES[i % INDUSTRIES.len()].1;
        out += &format!(
            "基准导入企业第{i:06}号有限公司,{},{area},,{industry},昆明市基准路{i}号,张三,{},李四,0871-6{:07}\r\n",
            code.as_str(),
            i % 500,
            i
        );
    }
    std::fs::write(path, out).map_err(err("registry file"))
}

async fn enterprises(url: &str) -> Res<i64> {
    let p = pool(url, 1).await?;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM enterprise")
        .fetch_one(&p)
        .await
        .map_err(err("count"))?;
    p.close().await;
    Ok(n)
}

/// Runs the import command; its seconds and what it printed.
fn import(env: &Env, db: &Database, file: &std::path::Path) -> Res<(f64, String)> {
    let started = Instant::now();
    let out = std::process::Command::new(&env.binary)
        .args(["import-registry", "--apply", "--file"])
        .arg(file)
        .env("DATABASE_URL", &db.url)
        .env_remove("NILFILING_CLOCK")
        .output()
        .map_err(err("nilfiling import-registry"))?;
    let seconds = started.elapsed().as_secs_f64();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        return Err(format!("import failed: {said}"));
    }
    Ok((seconds, said.trim().to_string()))
}

pub async fn registry_row(env: &Env, kind: DbKind, scale: Scale) -> Res<bool> {
    let data = prepare::ensure(env, kind, scale).await?;
    let file = env.work().join("registry-100k.csv");
    if !file.exists() {
        write_file(&file)?;
    }
    let db = fresh_copy(env, &data, &format!("{}_registry", kind.name())).await?;
    let before = enterprises(&db.url).await?;
    let (first, said_first) = import(env, &db, &file)?;
    let after = enterprises(&db.url).await?;
    let (again, said_again) = import(env, &db, &file)?;
    let after_again = enterprises(&db.url).await?;
    drop_copy(env, &db).await;
    println!("  {}: {said_first} | again: {said_again}", kind.name());
    let added_all = after - before == ROWS as i64;
    let unchanged = after_again == after && said_again.contains("0 added, 0 updated");
    let checks = vec![
        Check::new(
            "100,000-row import (s)",
            json!(round(first, 1)),
            "< 60 s",
            Some(first < 60.0),
        ),
        Check::new(
            "enterprises added = rows",
            json!(after - before),
            "100000",
            Some(added_all),
        ),
        Check::info("the same file again (s)", json!(round(again, 1))),
        Check::new(
            "the same file again changes nothing",
            json!(unchanged),
            "true",
            Some(unchanged),
        ),
    ];
    write_result(
        env,
        "registry",
        Some(kind),
        checks,
        json!({
            "scale": scale.name(),
            "existing_enterprises": before,
            "rows": ROWS,
            "first": said_first,
            "again": said_again,
            "how": "nilfiling import-registry --apply --file bench/work/registry-100k.csv (UTF-8 CSV, 10 columns), a copy of the dataset, wall time of the process",
        }),
    )?;
    Ok(added_all && unchanged)
}
