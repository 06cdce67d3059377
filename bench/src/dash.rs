//! Dashboards: the city office's roll-up, the city report and a county's roll-up, at 10k and
//! 100k enterprises; at each scale the roll-up's counts against an independent SQL count.

use crate::common::*;
use crate::prepare;
use serde_json::{json, Value};
use sqlx::AnyPool;
use std::time::Instant;

/// The county drilled into: 五华区 (the demo's first covered county).
pub const COUNTY: &str = "county-530102";
const SAMPLES: usize = 30;

/// GET a page as a browser navigating, logged in.
async fn page(c: &reqwest::Client, base: &str, path: &str, cookie: &str) -> Res<(f64, usize)> {
    let t = Instant::now();
    let res = c
        .get(format!("{base}{path}"))
        .header("Accept", "text/html")
        .header("Cookie", cookie)
        .send()
        .await
        .map_err(err(path))?;
    let status = res.status();
    let body = res.bytes().await.map_err(err(path))?;
    if status != 200 {
        return Err(format!("GET {path}: {status}"));
    }
    Ok((ms(t.elapsed()), body.len()))
}

/// The counts an independent reading of the tables gives for the city scope.
async fn sql_counts(pool: &AnyPool, period: &str) -> Res<Value> {
    let counted = "(n.kind IN ('county_government', 'management_committee', 'department') \
         OR (n.kind = 'township' AND n.county_id IS NOT NULL) \
         OR (n.kind = 'enterprise' AND n.county_id IS NOT NULL AND e.industry_code IS NOT NULL))";
    let (expected,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM unit n LEFT JOIN enterprise e ON e.unit_id = n.unit_id WHERE {counted}"
    ))
    .fetch_one(pool)
    .await
    .map_err(err("expected"))?;
    let latest: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT f.status, f.late FROM filing f JOIN unit n ON n.unit_id = f.unit_id LEFT JOIN enterprise e ON e.unit_id = n.unit_id \
         WHERE {counted} AND f.period_key = $1 AND f.status <> 'draft' \
         AND NOT EXISTS (SELECT 1 FROM filing g WHERE g.unit_id = f.unit_id AND g.period_key = f.period_key AND g.status <> 'draft' AND g.version > f.version)"
    ))
    .bind(period)
    .fetch_all(pool)
    .await
    .map_err(err("latest filings"))?;
    let on_time = latest.iter().filter(|l| l.1 == 0).count();
    let late = latest.iter().filter(|l| l.1 == 1).count();
    Ok(json!({
        "expected": expected,
        "filed_on_time": on_time,
        "filed_late": late,
        "missing": expected as usize - latest.len(),
        "returned": latest.iter().filter(|l| l.0 == "returned").count(),
        "accepted": latest.iter().filter(|l| l.0 == "accepted").count(),
    }))
}

/// The city roll-up's counts as the server function behind /rollup answers them.
async fn app_counts(c: &reqwest::Client, base: &str, cookie: &str, period: &str) -> Res<Value> {
    let res = c
        .post(format!("{base}/api/rollup"))
        .header("Origin", base)
        .header("Cookie", cookie)
        .form(&[("period", period), ("unit", ""), ("row", "")])
        .send()
        .await
        .map_err(err("rollup"))?;
    let status = res.status();
    let v: Value = res.json().await.map_err(err("rollup answer"))?;
    if status != 200 {
        return Err(format!("rollup: {status} {v}"));
    }
    let r = &v["rollup"];
    Ok(json!({
        "expected": r["expected"],
        "filed_on_time": r["filed_on_time"],
        "filed_late": r["filed_late"],
        "missing": r["missing"],
        "returned": r["returned"],
        "accepted": r["accepted"],
    }))
}

/// Measures one scale: p50/p95 of the three pages, and the counts check.
async fn one_scale(env: &Env, kind: DbKind, scale: Scale) -> Res<Value> {
    let data = prepare::ensure(env, kind, scale).await?;
    let db = fresh_copy(env, &data, &format!("{}_dash", kind.name())).await?;
    let server = Server::run(env, &db, &[]).await?;
    crate::burst::settle(&server, &db).await;
    let c = http();
    let cookie = login(&c, &server.base, "city", "demo1234", None).await?;
    let county = format!("/rollup?unit={COUNTY}");
    let paths = ["/rollup", "/report", county.as_str()];
    let mut out = serde_json::Map::new();
    for path in paths {
        // Two to warm up (caches, the first query plans).
        for _ in 0..2 {
            page(&c, &server.base, path, &cookie).await?;
        }
        let mut lat = Vec::new();
        let mut bytes = 0;
        let began = Instant::now();
        // 30 samples, fewer (at least 5) when a page takes seconds.
        while lat.len() < SAMPLES && (lat.len() < 5 || began.elapsed().as_secs() < 60) {
            let (t, n) = page(&c, &server.base, path, &cookie).await?;
            lat.push(t);
            bytes = n;
        }
        let fig = json!({
            "p50_ms": round(pct(&lat, 50.0), 1),
            "p95_ms": round(pct(&lat, 95.0), 1),
            "max_ms": round(pct(&lat, 100.0), 1),
            "html_bytes": bytes,
            "samples": lat.len(),
        });
        println!("  {} {} {path}: {fig}", kind.name(), scale.name());
        out.insert(path.to_string(), fig);
    }
    // The counts of the period being filed and of the closed one (late filings, returns,
    // amended versions), from the server function behind /rollup and from SQL.
    let mut app = serde_json::Map::new();
    for period in [CURRENT_PERIOD, CLOSED_PERIOD] {
        app.insert(
            period.into(),
            app_counts(&c, &server.base, &cookie, period).await?,
        );
    }
    server.stop().await;
    let pool = pool(&db.url, 1).await?;
    let mut sql = serde_json::Map::new();
    for period in [CURRENT_PERIOD, CLOSED_PERIOD] {
        sql.insert(period.into(), sql_counts(&pool, period).await?);
    }
    let (app, sql) = (Value::Object(app), Value::Object(sql));
    let (answers,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM filing_answer")
        .fetch_one(&pool)
        .await
        .map_err(err("answers"))?;
    let (filings,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM filing")
        .fetch_one(&pool)
        .await
        .map_err(err("filings"))?;
    pool.close().await;
    drop_copy(env, &db).await;
    let matches = app == sql;
    if !matches {
        eprintln!(
            "!!! {} {}: the roll-up's counts differ from the SQL count:\n!!!   page {app}\n!!!   SQL  {sql}",
            kind.name(),
            scale.name()
        );
    }
    Ok(json!({
        "pages": out,
        "counts_page": app,
        "counts_sql": sql,
        "counts_match": matches,
        "filing_rows": filings,
        "answer_rows": answers,
    }))
}

/// The dash row on one database, at the given scales (results of a scale not run now are
/// kept from the previous result file).
pub async fn dash(env: &Env, kind: DbKind, scales: &[Scale]) -> Res<bool> {
    let mut by_scale: serde_json::Map<String, Value> = read_result(env, "dash", kind)
        .and_then(|r| r["details"]["scales"].as_object().cloned())
        .unwrap_or_default();
    for s in scales {
        by_scale.insert(s.name().into(), one_scale(env, kind, *s).await?);
    }
    let mut checks = Vec::new();
    let pages = ["/rollup", "/report", &format!("/rollup?unit={COUNTY}")].map(|s| s.to_string());
    for (scale, v) in &by_scale {
        for p in &pages {
            let f = &v["pages"][p];
            let p50 = f["p50_ms"].as_f64().unwrap_or(f64::NAN);
            checks.push(Check::new(
                format!("{scale}: {p} p50 ms"),
                json!(p50),
                "< 50 ms",
                Some(p50 < 50.0),
            ));
            checks.push(Check::info(
                format!("{scale}: {p} p95 ms"),
                f["p95_ms"].clone(),
            ));
        }
        let m = v["counts_match"].as_bool().unwrap_or(false);
        checks.push(Check::new(
            format!("{scale}: city roll-up counts = SQL count (2026-Y, 2026-H1)"),
            json!(if m {
                "match".to_string()
            } else {
                format!("MISMATCH page {} sql {}", v["counts_page"], v["counts_sql"])
            }),
            "match",
            Some(m),
        ));
    }
    if let (Some(a), Some(b)) = (by_scale.get("10k"), by_scale.get("100k")) {
        for p in &pages {
            let r = b["pages"][p]["p50_ms"].as_f64().unwrap_or(f64::NAN)
                / a["pages"][p]["p50_ms"].as_f64().unwrap_or(f64::NAN);
            checks.push(Check::new(
                format!("{p} p50 100k / 10k"),
                json!(round(r, 2)),
                "< 2",
                Some(r < 2.0),
            ));
        }
    }
    // A failure of the harness is a wrong count; a slow page is a figure.
    let ok = by_scale
        .values()
        .all(|v| v["counts_match"].as_bool() == Some(true));
    write_result(
        env,
        "dash",
        Some(kind),
        checks,
        json!({
            "scales": by_scale,
            "user": "city (city office, city scope); county = 五华区",
            "period": CURRENT_PERIOD,
            "how": "GET as a logged-in browser (Accept: text/html), 2 warm-up requests then 30 one after another",
        }),
    )?;
    Ok(ok)
}
