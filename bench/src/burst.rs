//! The deadline burst: enterprises save and submit their filing through the API flow (the
//! server functions a hydrated page calls) or as a browser without JavaScript (form posts and
//! redirects), many at once; and the ceiling beside it (the same statements replayed straight
//! into the database, `replay.rs`). Verifies what was written.

use crate::common::*;
use crate::prepare;
use serde_json::{json, Value};
use sqlx::AnyPool;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Filings per run.
pub const FILINGS: usize = 2_000;

/// The app clock's instant as the app stores it.
pub fn clock_ts() -> String {
    "2027-01-08T02:00:00Z".into()
}

/// What one enterprise files.
#[derive(Clone, Debug)]
pub struct Content {
    /// principal, leader_in_charge, filled_by, reviewed_by, phone
    pub frame: Vec<(&'static str, String)>,
    /// (row id, done, explanation)
    pub answers: Vec<(String, bool, String)>,
}

impl Content {
    /// Every row 落实, but one in five filings with one row 不落实 and its explanation.
    pub fn of(i: usize, rows: &[String]) -> Self {
        let unmet = i
            .is_multiple_of(5)
            .then(|| rows[(i / 5) % rows.len()].clone());
        Content {
            frame: vec![
                ("principal", "赵建国".into()),
                ("leader_in_charge", "钱明".into()),
                ("filled_by", "孙丽华".into()),
                ("reviewed_by", "李志强".into()),
                ("phone", "0871-63123456".into()),
            ],
            answers: rows
                .iter()
                .map(|r| {
                    if Some(r) == unmet.as_ref() {
                        (
                            r.clone(),
                            false,
                            "尚未落实，计划在下季度完成整改并复查。".into(),
                        )
                    } else {
                        (r.clone(), true, String::new())
                    }
                })
                .collect(),
        }
    }

    pub fn nil(&self) -> bool {
        self.answers.iter().all(|a| a.1)
    }

    /// The content as the save's audit record holds it (FilingContent as JSON).
    pub fn json(&self) -> String {
        let frame: serde_json::Map<String, Value> = self
            .frame
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let answers: serde_json::Map<String, Value> = self
            .answers
            .iter()
            .map(|(r, d, _)| (r.clone(), json!(if *d { "done" } else { "not_done" })))
            .collect();
        let explanations: serde_json::Map<String, Value> = self
            .answers
            .iter()
            .filter(|a| !a.1)
            .map(|(r, _, e)| (r.clone(), json!(e)))
            .collect();
        json!({ "frame": frame, "answers": answers, "explanations": explanations, "notes": {} })
            .to_string()
    }

    /// The form's fields as the filing page posts them.
    pub fn fields(&self, intent: &str) -> Vec<(String, String)> {
        let mut f = vec![
            ("period".to_string(), CURRENT_PERIOD.to_string()),
            ("intent".to_string(), intent.to_string()),
        ];
        for (k, v) in &self.frame {
            f.push((k.to_string(), v.clone()));
        }
        for (r, done, why) in &self.answers {
            let id = r.replace('.', "_");
            f.push((
                format!("answers[r{id}]"),
                if *done { "done" } else { "not_done" }.into(),
            ));
            if !done {
                f.push((format!("explanations[x{id}]"), why.clone()));
            }
        }
        f
    }
}

/// One enterprise's filing in a burst.
#[derive(Clone, Debug)]
pub struct Job {
    pub username: String,
    pub user_id: String,
    pub unit_id: String,
    pub county_id: String,
    pub industry_code: String,
    pub township_id: String,
    pub content: Content,
    /// The session cookie once logged in.
    pub cookie: String,
}

/// The jobs of accounts `be<from>` … `be<from + n - 1>`.
pub async fn jobs(pool: &AnyPool, from: usize, n: usize) -> Res<Vec<Job>> {
    let rows = prepare::enterprise_rows(pool).await?;
    type Account = (String, String, String, String, String, String);
    let accounts: Vec<Account> = sqlx::query_as(
        "SELECT a.username, a.user_id, a.unit_id, n.county_id, e.industry_code, e.township_id \
         FROM app_user a JOIN unit n ON n.unit_id = a.unit_id JOIN enterprise e ON e.unit_id = a.unit_id \
         WHERE a.username LIKE 'be%'",
    )
    .fetch_all(pool)
    .await
    .map_err(err("burst accounts"))?;
    let by_name: BTreeMap<String, Account> =
        accounts.into_iter().map(|a| (a.0.clone(), a)).collect();
    (from..from + n)
        .map(|i| {
            let name = format!("be{i}");
            let (_, user_id, unit_id, county_id, industry_code, township_id) = by_name
                .get(&name)
                .cloned()
                .ok_or(format!("no account {name}"))?;
            Ok(Job {
                username: name,
                user_id,
                unit_id,
                county_id,
                industry_code,
                township_id,
                content: Content::of(i, &rows),
                cookie: String::new(),
            })
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// save_filing (intent=review) then submit_filing, as server-function calls.
    Api,
    /// The no-JS form: save POST → redirect → confirm page → submit POST → redirect → page.
    Pages,
}

async fn api_filing(c: &reqwest::Client, base: &str, job: &Job) -> Res<()> {
    let res = c
        .post(format!("{base}/api/save_filing"))
        .header("Origin", base)
        .header("Cookie", &job.cookie)
        .form(&job.content.fields("review"))
        .send()
        .await
        .map_err(err("save_filing"))?;
    let status = res.status();
    let body = res.text().await.map_err(err("save_filing"))?;
    if status != 200 {
        return Err(format!("save_filing {status}: {body}"));
    }
    let saved: Value = serde_json::from_str(&body).map_err(err("save_filing answer"))?;
    let version = saved["version"].as_i64().unwrap_or(1).to_string();
    let res = c
        .post(format!("{base}/api/submit_filing"))
        .header("Origin", base)
        .header("Cookie", &job.cookie)
        .form(&[("period", CURRENT_PERIOD), ("version", version.as_str())])
        .send()
        .await
        .map_err(err("submit_filing"))?;
    let status = res.status();
    let body = res.text().await.map_err(err("submit_filing"))?;
    if status != 200 || !body.contains("\"Submitted\"") {
        return Err(format!("submit_filing {status}: {body}"));
    }
    Ok(())
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn get_page(c: &reqwest::Client, base: &str, path: &str, cookie: &str) -> Res<String> {
    let res = c
        .get(format!("{base}{path}"))
        .header("Accept", "text/html")
        .header("Cookie", cookie)
        .send()
        .await
        .map_err(err(path))?;
    let status = res.status();
    let body = res.text().await.map_err(err(path))?;
    if status != 200 {
        return Err(format!("GET {path}: {status}"));
    }
    Ok(body)
}

/// The value of the first `<input name="version" value="…">` of a page.
fn version_field(html: &str) -> Option<String> {
    let at = html.find("name=\"version\"")?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"")? + 7;
    Some(tag[v..v + tag[v..].find('"')?].to_string())
}

async fn pages_filing(c: &reqwest::Client, base: &str, job: &Job) -> Res<()> {
    let from = format!("{base}/filing?period={CURRENT_PERIOD}");
    let res = c
        .post(format!("{base}/api/save_filing"))
        .header("Origin", base)
        .header("Referer", &from)
        .header("Accept", "text/html,application/xhtml+xml")
        .header("Cookie", &job.cookie)
        .form(&job.content.fields("review"))
        .send()
        .await
        .map_err(err("save form"))?;
    let to = location(&res);
    if !res.status().is_redirection() || !to.starts_with("/filing/confirm") {
        return Err(format!("save form: {} → {to}", res.status()));
    }
    let confirm = get_page(c, base, &to, &job.cookie).await?;
    let version = version_field(&confirm).unwrap_or_else(|| "1".into());
    let res = c
        .post(format!("{base}/api/submit_filing"))
        .header("Origin", base)
        .header("Referer", format!("{base}{to}"))
        .header("Accept", "text/html,application/xhtml+xml")
        .header("Cookie", &job.cookie)
        .form(&[("period", CURRENT_PERIOD), ("version", version.as_str())])
        .send()
        .await
        .map_err(err("submit form"))?;
    let done = location(&res);
    if !res.status().is_redirection() || !done.contains("done=submitted") {
        return Err(format!("submit form: {} → {done}", res.status()));
    }
    get_page(c, base, &done, &job.cookie).await?;
    Ok(())
}

/// What an app burst measured.
pub struct Burst {
    pub seconds: f64,
    pub latencies_ms: Vec<f64>,
    pub errors: Vec<String>,
    pub cpu_seconds: f64,
}

/// Waits until filing `i` is due (paced runs) and answers the instant it is timed from.
pub async fn due(started: Instant, i: usize, pace: Option<f64>) -> Instant {
    match pace {
        Some(rate) => {
            let at = started + std::time::Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(at.into()).await;
            at
        }
        None => Instant::now(),
    }
}

/// Logs every job's account in (16 at a time, not timed).
pub async fn log_in_all(c: &reqwest::Client, base: &str, jobs: &mut [Job]) -> Res<()> {
    use futures::StreamExt;
    let cookies: Vec<Res<String>> = futures::stream::iter(jobs.iter().map(|j| {
        let (c, base, name) = (c.clone(), base.to_string(), j.username.clone());
        async move { login(&c, &base, &name, PASSWORD, None).await }
    }))
    .buffered(16)
    .collect()
    .await;
    for (j, c) in jobs.iter_mut().zip(cookies) {
        j.cookie = c?;
    }
    Ok(())
}

/// Runs the jobs through the app with `clients` at once.
/// `pace`: filings started per second in all (open loop, as arrivals at a deadline), each
/// timed from when it was due; `None`: every client starts its next filing at once.
pub async fn app_burst(
    server: &Server,
    jobs: Arc<Vec<Job>>,
    clients: usize,
    flow: Flow,
    pace: Option<f64>,
) -> Res<Burst> {
    let c = http();
    let next = Arc::new(AtomicUsize::new(0));
    let cpu0 = server.cpu();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (c, jobs, next, base) = (c.clone(), jobs.clone(), next.clone(), server.base.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let t = crate::burst::due(started, i, pace).await;
                let r = match flow {
                    Flow::Api => api_filing(&c, &base, job).await,
                    Flow::Pages => pages_filing(&c, &base, job).await,
                };
                match r {
                    Ok(()) => lat.push(ms(t.elapsed())),
                    Err(e) => errors.push(format!("{}: {e}", job.username)),
                }
            }
            (lat, errors)
        }));
    }
    let mut out = Burst {
        seconds: 0.0,
        latencies_ms: Vec::new(),
        errors: Vec::new(),
        cpu_seconds: 0.0,
    };
    for t in tasks {
        let (lat, errors) = t.await.map_err(err("burst task"))?;
        out.latencies_ms.extend(lat);
        out.errors.extend(errors);
    }
    out.seconds = started.elapsed().as_secs_f64();
    out.cpu_seconds = (server.cpu() - cpu0).as_secs_f64();
    Ok(out)
}

/// Checks that every job's filing is present once, whole (version 1, submitted, every row
/// answered, nil as filed, the explanation kept), with its two audit records. Answers the
/// problems found (empty: all good).
pub async fn verify(pool: &AnyPool, jobs: &[Job]) -> Res<Vec<String>> {
    #[derive(sqlx::FromRow)]
    struct Line {
        unit_id: String,
        version: i64,
        status: String,
        nil: Option<i64>,
        submitted_by: Option<String>,
        answers: i64,
        unmet: i64,
        explained: i64,
        saves: i64,
        submits: i64,
    }
    let lines: Vec<Line> = sqlx::query_as(
        "SELECT f.unit_id, f.version, f.status, f.nil, f.submitted_by, \
         (SELECT COUNT(*) FROM filing_answer a WHERE a.filing_id = f.filing_id) AS answers, \
         (SELECT COUNT(*) FROM filing_answer a WHERE a.filing_id = f.filing_id AND a.answer = 'not_done') AS unmet, \
         (SELECT COUNT(*) FROM filing_answer a WHERE a.filing_id = f.filing_id AND a.answer = 'not_done' AND a.explanation <> '') AS explained, \
         (SELECT COUNT(*) FROM audit_event e WHERE e.subject_kind = 'filing' AND e.subject_id = f.filing_id AND e.action = 'filing.save') AS saves, \
         (SELECT COUNT(*) FROM audit_event e WHERE e.subject_kind = 'filing' AND e.subject_id = f.filing_id AND e.action = 'filing.submit') AS submits \
         FROM filing f WHERE f.period_key = $1 AND f.unit_id LIKE 'bent-%' AND f.unit_id < $2",
    )
    .bind(CURRENT_PERIOD)
    .bind(format!("bent-{:06}", prepare::BURST_ACCOUNTS))
    .fetch_all(pool)
    .await
    .map_err(err("verifying"))?;
    let mut by_unit: BTreeMap<&str, Vec<&Line>> = BTreeMap::new();
    for l in &lines {
        by_unit.entry(l.unit_id.as_str()).or_default().push(l);
    }
    let mut problems = Vec::new();
    for j in jobs {
        let Some(found) = by_unit.get(j.unit_id.as_str()) else {
            problems.push(format!("{}: no filing", j.unit_id));
            continue;
        };
        if found.len() != 1 {
            problems.push(format!("{}: {} versions", j.unit_id, found.len()));
            continue;
        }
        let l = found[0];
        let unmet = j.content.answers.iter().filter(|a| !a.1).count() as i64;
        let whole = l.version == 1
            && l.status == "submitted"
            && l.nil == Some(j.content.nil() as i64)
            && l.submitted_by.as_deref() == Some(j.user_id.as_str())
            && l.answers == j.content.answers.len() as i64
            && l.unmet == unmet
            && l.explained == unmet;
        if !whole {
            problems.push(format!(
                "{}: not whole (version {}, {}, nil {:?}, {} answers, {} unmet, {} explained)",
                j.unit_id, l.version, l.status, l.nil, l.answers, l.unmet, l.explained
            ));
        }
        if l.saves != 1 || l.submits != 1 {
            problems.push(format!(
                "{}: audit records: {} filing.save, {} filing.submit",
                j.unit_id, l.saves, l.submits
            ));
        }
    }
    Ok(problems)
}

type Counts = BTreeMap<String, i64>;

fn delta(before: &Counts, after: &Counts) -> BTreeMap<String, i64> {
    after
        .iter()
        .map(|(t, n)| (t.clone(), n - before.get(t).copied().unwrap_or(0)))
        .filter(|(t, d)| *d != 0 && t != "web_session")
        .collect()
}

fn latency_figures(seconds: f64, lat: &[f64], n: usize) -> Value {
    json!({
        "filings": lat.len(),
        "of": n,
        "seconds": round(seconds, 2),
        "filings_per_s": round(lat.len() as f64 / seconds, 1),
        "p50_ms": round(pct(lat, 50.0), 2),
        "p99_ms": round(pct(lat, 99.0), 2),
        "max_ms": round(pct(lat, 100.0), 2),
    })
}

/// One app burst on a fresh copy: figures, table deltas, problems.
async fn app_run(
    env: &Env,
    data: &Database,
    from: usize,
    clients: usize,
    flow: Flow,
    pace: Option<f64>,
) -> Res<(Value, BTreeMap<String, i64>, Vec<String>)> {
    let tag = format!(
        "{}_{}_{clients}",
        data.kind.name(),
        if flow == Flow::Api { "api" } else { "pages" }
    );
    let db = fresh_copy(env, data, &tag).await?;
    let pool = pool(&db.url, 2).await?;
    let mut jobs = jobs(&pool, from, FILINGS).await?;
    let server = Server::run(env, &db, &[]).await?;
    let c = http();
    log_in_all(&c, &server.base, &mut jobs).await?;
    // Let the start-up proposal run finish before the clock starts.
    settle(&server, &db).await;
    let before = table_counts(&pool, db.kind).await?;
    let jobs = Arc::new(jobs);
    println!(
        "  {} {:?} burst: {} filings, {clients} clients",
        db.kind.name(),
        flow,
        jobs.len()
    );
    let b = app_burst(&server, jobs.clone(), clients, flow, pace).await?;
    server.stop().await;
    let after = table_counts(&pool, db.kind).await?;
    let mut problems = verify(&pool, &jobs).await?;
    problems.extend(b.errors.iter().take(20).cloned());
    if !b.errors.is_empty() {
        problems.push(format!("{} filings failed", b.errors.len()));
    }
    pool.close().await;
    drop_copy(env, &db).await;
    let mut fig = latency_figures(b.seconds, &b.latencies_ms, FILINGS);
    fig["clients"] = json!(clients);
    fig["paced_filings_per_s"] = json!(pace.map(|p| round(p, 1)));
    fig["server_cpu_s"] = json!(round(b.cpu_seconds, 2));
    fig["server_cpu_ms_per_filing"] = json!(round(b.cpu_seconds * 1000.0 / FILINGS as f64, 2));
    println!("    {fig}");
    Ok((fig, delta(&before, &after), problems))
}

/// Waits until the start-up proposal run has run for every office (a `proposal_run` row of
/// the clock's day each), then until the server's CPU use falls quiet; at most 120 s.
pub async fn settle(server: &Server, db: &Database) {
    let start = Instant::now();
    if let Ok(p) = pool(&db.url, 1).await {
        loop {
            let done: Result<(i64, i64), _> = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM unit WHERE kind = 'safety_office'), \
                 (SELECT COUNT(*) FROM proposal_run WHERE ran_on = '2027-01-08')",
            )
            .fetch_one(&p)
            .await;
            match done {
                Ok((offices, runs)) if runs < offices && start.elapsed().as_secs() < 120 => {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                _ => break,
            }
        }
        p.close().await;
    }
    let mut last = server.cpu();
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let now = server.cpu();
        if (now - last).as_millis() < 50 || start.elapsed().as_secs() > 60 {
            return;
        }
        last = now;
    }
}

/// The replay of the same filings on a fresh copy.
async fn replay_run(
    env: &Env,
    data: &Database,
    from: usize,
    clients: usize,
    pace: Option<f64>,
) -> Res<(Value, BTreeMap<String, i64>, Vec<String>)> {
    let tag = format!("{}_replay_{clients}", data.kind.name());
    let db = fresh_copy(env, data, &tag).await?;
    let pool = pool(&db.url, 2).await?;
    let jobs = Arc::new(jobs(&pool, from, FILINGS).await?);
    let before = table_counts(&pool, db.kind).await?;
    println!(
        "  {} replay: {} filings, {clients} clients",
        db.kind.name(),
        jobs.len()
    );
    let r = crate::replay::run(&db, jobs.clone(), clients, pace).await?;
    let after = table_counts(&pool, db.kind).await?;
    let mut problems = verify(&pool, &jobs).await?;
    problems.extend(r.errors.iter().take(20).cloned());
    pool.close().await;
    drop_copy(env, &db).await;
    let mut fig = latency_figures(r.seconds, &r.latencies_ms, FILINGS);
    fig["clients"] = json!(clients);
    fig["paced_filings_per_s"] = json!(pace.map(|p| round(p, 1)));
    fig["statements_per_filing"] = json!(crate::replay::STATEMENTS.len());
    println!("    {fig}");
    fig["statement_ms_per_filing"] = json!(r.spent_ms_per_filing);
    println!(
        "    ms per filing by statement: {}",
        fig["statement_ms_per_filing"]
    );
    Ok((fig, delta(&before, &after), problems))
}

/// The burst row on one database.
pub async fn burst(env: &Env, kind: DbKind, scale: Scale) -> Res<bool> {
    let data = prepare::ensure(env, kind, scale).await?;
    let mut checks = Vec::new();
    let mut details = serde_json::Map::new();
    let mut all_ok = true;
    // 32 clients as fast as they go (the rate, against the ceiling at the same concurrency);
    // then 16 clients with arrivals paced at half that rate (p99 at about half the rate).
    let mut rate32 = None;
    for (clients, from) in [(32usize, 0usize), (16, FILINGS)] {
        let pace = rate32.map(|r: f64| r / 2.0);
        let (app, app_delta, app_problems) =
            app_run(env, &data, from, clients, Flow::Api, pace).await?;
        let (ceiling, replay_delta, replay_problems) =
            replay_run(env, &data, from, clients, pace).await?;
        if rate32.is_none() {
            rate32 = app["filings_per_s"].as_f64();
        }
        let ratio = app["filings_per_s"].as_f64().unwrap_or(0.0)
            / ceiling["filings_per_s"].as_f64().unwrap_or(f64::NAN);
        let same_writes = app_delta == replay_delta;
        if !same_writes {
            eprintln!(
                "\n!!! {} {clients} clients: the app's burst and the replay changed different row counts:\n!!!   app    {app_delta:?}\n!!!   replay {replay_delta:?}\n!!! update bench/src/replay.rs (STATEMENTS) to mirror app/src/ssr/filings.rs\n",
                kind.name()
            );
        }
        for p in app_problems.iter().chain(&replay_problems).take(20) {
            eprintln!("!!! {p}");
        }
        let verified = app_problems.is_empty() && replay_problems.is_empty();
        all_ok &= same_writes && verified;
        if pace.is_none() {
            let c = format!("{clients} clients");
            checks.push(Check::info(
                format!("{c}: filings/s (API flow)"),
                app["filings_per_s"].clone(),
            ));
            checks.push(Check::info(
                format!("{c}: p50 ms per filing"),
                app["p50_ms"].clone(),
            ));
            checks.push(Check::info(
                format!("{c}: p99 ms per filing"),
                app["p99_ms"].clone(),
            ));
            checks.push(Check::info(
                format!("{c}: server CPU ms per filing"),
                app["server_cpu_ms_per_filing"].clone(),
            ));
            checks.push(Check::info(
                format!("{c}: ceiling filings/s (replay)"),
                ceiling["filings_per_s"].clone(),
            ));
            checks.push(Check::new(
                format!("{c}: app / ceiling"),
                json!(round(ratio, 3)),
                ">= 0.70",
                Some(ratio >= 0.70),
            ));
        } else {
            let c = format!(
                "{clients} clients at {:.0}/s (half)",
                pace.unwrap_or_default()
            );
            checks.push(Check::info(
                format!("{c}: p50 ms per filing"),
                app["p50_ms"].clone(),
            ));
            checks.push(Check::new(
                format!("{c}: p99 ms per filing"),
                app["p99_ms"].clone(),
                "< 50 ms",
                Some(app["p99_ms"].as_f64().unwrap_or(f64::MAX) < 50.0),
            ));
            checks.push(Check::info(
                format!("{c}: replay p99 ms (same arrivals)"),
                ceiling["p99_ms"].clone(),
            ));
            checks.push(Check::info(
                format!("{c}: server CPU ms per filing"),
                app["server_cpu_ms_per_filing"].clone(),
            ));
        }
        let c = format!("{clients} clients");
        checks.push(Check::new(
            format!("{c}: every filing once, whole, with its audit records"),
            json!(if verified {
                "yes".to_string()
            } else {
                format!("{} problems", app_problems.len() + replay_problems.len())
            }),
            "yes",
            Some(verified),
        ));
        checks.push(Check::new(
            format!("{c}: app and replay change the same row counts"),
            json!(if same_writes { "same" } else { "DIFFERENT" }),
            "same",
            Some(same_writes),
        ));
        details.insert(
            format!("clients_{clients}"),
            json!({
                "app": app,
                "ceiling": ceiling,
                "ratio": round(ratio, 3),
                "app_row_deltas": app_delta,
                "replay_row_deltas": replay_delta,
                "problems": app_problems.iter().chain(&replay_problems).take(50).collect::<Vec<_>>(),
            }),
        );
    }
    details.insert("scale".into(), json!(scale.name()));
    details.insert(
        "flow".into(),
        json!("per filing: POST /api/save_filing (intent=review, every binding row) then POST /api/submit_filing, logged in beforehand; ceiling: the same statements (bench/src/replay.rs) in one transaction per filing, same concurrency, pool of the app's size"),
    );
    write_result(env, "burst", Some(kind), checks, Value::Object(details))?;
    Ok(all_ok)
}

/// The pages row: the same filing as a browser without JavaScript posts it.
pub async fn pages(env: &Env, kind: DbKind, scale: Scale) -> Res<bool> {
    let data = prepare::ensure(env, kind, scale).await?;
    let (fig, _, problems) = app_run(env, &data, 2 * FILINGS, 32, Flow::Pages, None).await?;
    for p in problems.iter().take(20) {
        eprintln!("!!! {p}");
    }
    let api = read_result(env, "burst", kind)
        .and_then(|r| r["details"]["clients_32"]["app"]["filings_per_s"].as_f64());
    let rate = fig["filings_per_s"].as_f64().unwrap_or(0.0);
    let mut checks = vec![
        Check::info(
            "32 clients: filings/s (no-JS pages)",
            fig["filings_per_s"].clone(),
        ),
        Check::info("32 clients: p50 ms per filing", fig["p50_ms"].clone()),
        Check::info("32 clients: p99 ms per filing", fig["p99_ms"].clone()),
        Check::info(
            "server CPU ms per filing",
            fig["server_cpu_ms_per_filing"].clone(),
        ),
    ];
    match api {
        Some(api) => checks.push(Check::new(
            "pages / API flow (filings/s)",
            json!(round(rate / api, 3)),
            ">= 0.8",
            Some(rate / api >= 0.8),
        )),
        None => checks.push(Check::new(
            "pages / API flow (filings/s)",
            json!("no burst result to compare (run bin/bench burst first)"),
            ">= 0.8",
            None,
        )),
    }
    let verified = problems.is_empty();
    checks.push(Check::new(
        "every filing once, whole, with its audit records",
        json!(if verified {
            "yes".to_string()
        } else {
            format!("{} problems", problems.len())
        }),
        "yes",
        Some(verified),
    ));
    write_result(
        env,
        "pages",
        Some(kind),
        checks,
        json!({
            "scale": scale.name(),
            "pages": fig,
            "api_filings_per_s": api,
            "flow": "POST /api/save_filing (Accept: text/html) → 303 /filing/confirm → GET it → POST /api/submit_filing → 303 /filing?done=submitted → GET it",
            "problems": problems.iter().take(50).collect::<Vec<_>>(),
        }),
    )?;
    Ok(verified)
}
