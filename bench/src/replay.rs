//! The ceiling: a filing's statements replayed straight into the database, one transaction
//! per filing, as many at once as the burst's clients, over a pool of the app's size; on SQLite
//! the transactions take turns at one gate (one writer, no busy-handler sleeps).
//!
//! KEEP IN SYNC with app/src/ssr/filings.rs (`save_draft` on a first save, then `submit`),
//! app/src/ssr/audit.rs and app/src/ssr/counts.rs (`refresh` of a first submission):
//! [`STATEMENTS`] is every statement those run, in their order, with what each binds. When
//! the app writes something more in these transactions, add its statement here (one entry,
//! with an [`Arg`] per placeholder; add an `Arg` variant if it needs a value not listed). The
//! burst compares the per-table row count changes of the app's burst with this replay's and
//! fails when they differ: that is how a statement the replay misses is noticed.

use crate::burst::Job;
use crate::common::*;
use sqlx::AnyPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// A value a statement binds, taken from the filing being replayed.
#[derive(Clone, Copy, Debug)]
pub enum Arg {
    /// The new version's id (UUID v7, as `new_id`).
    FilingId,
    UnitId,
    /// The filing unit's county-level government, industry and township (`unit.county_id`,
    /// `enterprise.industry_code`, `enterprise.township_id`): what roll-up counters key on.
    CountyId,
    IndustryCode,
    TownshipId,
    UserId,
    /// The period's key (`2026-Y`).
    Period,
    /// The version number (1: a first save).
    Version,
    /// The app clock's instant as stored (`ts`).
    Now,
    /// The Kunming date of submission (`2027-01-08`).
    Today,
    Principal,
    LeaderInCharge,
    FilledBy,
    ReviewedBy,
    Phone,
    /// Per answered row (with [`Each::Answer`]): its id, `done`/`not_done`, explanation.
    RowId,
    Answer,
    Explanation,
    /// 1 when no row is 不落实.
    Nil,
    /// 1 when some row is 不落实.
    NotNil,
    /// How many rows are 不落实.
    UnmetCount,
    /// A fresh id for this statement's row (an audit record).
    NewId,
    /// The save's audit "after": the content as JSON.
    ContentJson,
    /// The submission's audit "before" and "after".
    SubmitBefore,
    SubmitAfter,
    /// A NULL text.
    Null,
    /// A fixed text (a status, an action name).
    Text(&'static str),
    /// A fixed number.
    Int(i64),
}

/// How often a statement runs per filing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Each {
    Once,
    /// Once, with `{values}` in the SQL standing for one group of the args per answered row
    /// (a multi-row INSERT, as `filings::write_content`).
    Answer,
    /// As `Answer`, per row answered 不落实 (a multi-row upsert, as `counts::add_rows`);
    /// skipped when there is none.
    Unmet,
    /// As `Unmet`, and skipped for a unit in no township too.
    UnmetInTownship,
}

/// One statement of the filing's transaction.
pub struct Statement {
    /// Where it is in the app.
    pub what: &'static str,
    pub sql: &'static str,
    pub args: &'static [Arg],
    pub each: Each,
    /// A read (its rows are fetched) rather than a write.
    pub read: bool,
}

const RECORD_SELECT_LATEST: &str = "SELECT filing_id, unit_id, period_key, version, status, late, filing_date, nil, updated_at, submitted_at FROM filing WHERE unit_id = $1 AND period_key = $2 ORDER BY version DESC LIMIT 1";
const ROLLUP_ROWS_SET: &str = "unmet = {t}.unmet + excluded.unmet, unmet_accepted = {t}.unmet_accepted + excluded.unmet_accepted";
const AUDIT_INSERT: &str = "INSERT INTO audit_event (audit_event_id, occurred_at, actor_user_id, action, subject_kind, subject_id, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Every statement of a first save and its submission (app/src/ssr/filings.rs), in order.
pub const STATEMENTS: &[Statement] = &[
    // ---- save_draft (first save: no version yet) ----
    Statement {
        what: "save_draft: latest_in",
        sql: RECORD_SELECT_LATEST,
        args: &[Arg::UnitId, Arg::Period],
        each: Each::Once,
        read: true,
    },
    Statement {
        what: "save_draft: insert_version",
        sql: "INSERT INTO filing (filing_id, unit_id, period_key, version, status, late, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, 0, $6, $6, $7)",
        args: &[
            Arg::FilingId,
            Arg::UnitId,
            Arg::Period,
            Arg::Version,
            Arg::Text("draft"),
            Arg::Now,
            Arg::UserId,
        ],
        each: Each::Once,
        read: false,
    },
    Statement {
        what: "write_content: frame",
        sql: "UPDATE filing SET principal = $1, leader_in_charge = $2, filled_by = $3, reviewed_by = $4, phone = $5 WHERE filing_id = $6",
        args: &[
            Arg::Principal,
            Arg::LeaderInCharge,
            Arg::FilledBy,
            Arg::ReviewedBy,
            Arg::Phone,
            Arg::FilingId,
        ],
        each: Each::Once,
        read: false,
    },
    Statement {
        what: "write_content: delete answers",
        sql: "DELETE FROM filing_answer WHERE filing_id = $1",
        args: &[Arg::FilingId],
        each: Each::Once,
        read: false,
    },
    Statement {
        what: "write_content: insert answer",
        sql: "INSERT INTO filing_answer (filing_id, row_id, answer, explanation) VALUES {values}",
        args: &[Arg::FilingId, Arg::RowId, Arg::Answer, Arg::Explanation],
        each: Each::Answer,
        read: false,
    },
    Statement {
        what: "write_content: delete notes",
        sql: "DELETE FROM filing_note WHERE filing_id = $1",
        args: &[Arg::FilingId],
        each: Each::Once,
        read: false,
    },
    Statement {
        what: "save_draft: audit filing.save",
        sql: AUDIT_INSERT,
        args: &[
            Arg::NewId,
            Arg::Now,
            Arg::UserId,
            Arg::Text("filing.save"),
            Arg::Text("filing"),
            Arg::FilingId,
            Arg::Null,
            Arg::ContentJson,
        ],
        each: Each::Once,
        read: false,
    },
    Statement {
        what: "save_draft: latest_in (answer)",
        sql: RECORD_SELECT_LATEST,
        args: &[Arg::UnitId, Arg::Period],
        each: Each::Once,
        read: true,
    },
    // ---- submit ----
    Statement {
        what: "submit: the version",
        sql: "SELECT filing_id, unit_id, period_key, version, status, late, filing_date, nil, updated_at, submitted_at FROM filing WHERE unit_id = $1 AND period_key = $2 AND version = $3",
        args: &[Arg::UnitId, Arg::Period, Arg::Version],
        each: Each::Once,
        read: true,
    },
    Statement {
        what: "submit: claim_draft",
        sql: "UPDATE filing SET updated_at = $1, updated_by = $2 WHERE filing_id = $3 AND status = $4",
        args: &[Arg::Now, Arg::UserId, Arg::FilingId, Arg::Text("draft")],
        each: Each::Once,
        read: false,
    },
    Statement {
        what: "submit: content_in frame",
        sql: "SELECT principal, leader_in_charge, filled_by, reviewed_by, phone FROM filing WHERE filing_id = $1",
        args: &[Arg::FilingId],
        each: Each::Once,
        read: true,
    },
    Statement {
        what: "submit: content_in answers",
        sql: "SELECT row_id, answer, explanation FROM filing_answer WHERE filing_id = $1",
        args: &[Arg::FilingId],
        each: Each::Once,
        read: true,
    },
    Statement {
        what: "submit: content_in notes",
        sql: "SELECT form_number, note FROM filing_note WHERE filing_id = $1",
        args: &[Arg::FilingId],
        each: Each::Once,
        read: true,
    },
    Statement {
        what: "submit: status",
        sql: "UPDATE filing SET status = $1, late = $2, nil = $3, filing_date = $4, submitted_at = $5, submitted_by = $6, updated_at = $5, updated_by = $6 WHERE filing_id = $7 AND status = $8",
        args: &[
            Arg::Text("submitted"),
            Arg::Int(0),
            Arg::Nil,
            Arg::Today,
            Arg::Now,
            Arg::UserId,
            Arg::FilingId,
            Arg::Text("draft"),
        ],
        each: Each::Once,
        read: false,
    },
    Statement {
        what: "submit: audit filing.submit",
        sql: AUDIT_INSERT,
        args: &[
            Arg::NewId,
            Arg::Now,
            Arg::UserId,
            Arg::Text("filing.submit"),
            Arg::Text("filing"),
            Arg::FilingId,
            Arg::SubmitBefore,
            Arg::SubmitAfter,
        ],
        each: Each::Once,
        read: false,
    },
    // ---- submit: counts::refresh (a first submission: nothing counted yet) ----
    Statement {
        what: "refresh: hold the unit",
        sql: "UPDATE unit SET name = name WHERE unit_id = $1",
        args: &[Arg::UnitId],
        each: Each::Once,
        read: false,
    },
    Statement {
        what: "refresh: counted line",
        sql: "SELECT filing_id, status, late, nil, county_id, kind, industry, township_id FROM latest_filing WHERE period_key = $1 AND unit_id = $2",
        args: &[Arg::Period, Arg::UnitId],
        each: Each::Once,
        read: true,
    },
    Statement {
        what: "refresh: latest non-draft",
        sql: "SELECT filing_id, version, status, late, nil FROM filing WHERE unit_id = $1 AND period_key = $2 AND status <> $3 ORDER BY version DESC LIMIT 1",
        args: &[Arg::UnitId, Arg::Period, Arg::Text("draft")],
        each: Each::Once,
        read: true,
    },
    Statement {
        what: "refresh: cell_of_unit",
        sql: "SELECT n.kind, COALESCE(n.county_id, '') AS county_id, COALESCE(e.industry_code, '') AS industry, COALESCE(e.township_id, '') AS township_id FROM unit n LEFT JOIN enterprise e ON e.unit_id = n.unit_id WHERE n.unit_id = $1",
        args: &[Arg::UnitId],
        each: Each::Once,
        read: true,
    },
    Statement {
        what: "refresh: unmet_rows",
        sql: "SELECT row_id FROM filing_answer WHERE filing_id = $1 AND answer = $2 ORDER BY row_id",
        args: &[Arg::FilingId, Arg::Text("not_done")],
        each: Each::Once,
        read: true,
    },
    Statement {
        what: "refresh: rollup_cell",
        sql: "INSERT INTO rollup_cell (period_key, county_id, kind, industry, township_id, t_on_time, t_late, t_returned, t_accepted, t_nil, t_with_unmet, t_unmet_items, a_on_time, a_late, a_returned, a_accepted, a_nil, a_with_unmet, a_unmet_items) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ON CONFLICT (period_key, county_id, kind, industry, township_id) DO UPDATE SET t_on_time = rollup_cell.t_on_time + excluded.t_on_time, t_late = rollup_cell.t_late + excluded.t_late, t_returned = rollup_cell.t_returned + excluded.t_returned, t_accepted = rollup_cell.t_accepted + excluded.t_accepted, t_nil = rollup_cell.t_nil + excluded.t_nil, t_with_unmet = rollup_cell.t_with_unmet + excluded.t_with_unmet, t_unmet_items = rollup_cell.t_unmet_items + excluded.t_unmet_items, a_on_time = rollup_cell.a_on_time + excluded.a_on_time, a_late = rollup_cell.a_late + excluded.a_late, a_returned = rollup_cell.a_returned + excluded.a_returned, a_accepted = rollup_cell.a_accepted + excluded.a_accepted, a_nil = rollup_cell.a_nil + excluded.a_nil, a_with_unmet = rollup_cell.a_with_unmet + excluded.a_with_unmet, a_unmet_items = rollup_cell.a_unmet_items + excluded.a_unmet_items",
        args: &[
            Arg::Period,
            Arg::CountyId,
            Arg::Text("enterprise"),
            Arg::IndustryCode,
            Arg::TownshipId,
            // all filings: on time, not late, not returned, not accepted
            Arg::Int(1),
            Arg::Int(0),
            Arg::Int(0),
            Arg::Int(0),
            Arg::Nil,
            Arg::NotNil,
            Arg::UnmetCount,
            // accepted only: nothing yet
            Arg::Int(0),
            Arg::Int(0),
            Arg::Int(0),
            Arg::Int(0),
            Arg::Int(0),
            Arg::Int(0),
            Arg::Int(0),
        ],
        each: Each::Once,
        read: false,
    },
    Statement {
        what: "refresh: rollup_row",
        sql: "INSERT INTO rollup_row (period_key, county_id, kind, industry, row_id, unmet, unmet_accepted) VALUES {values} ON CONFLICT (period_key, county_id, kind, industry, row_id) DO UPDATE SET {set:rollup_row}",
        args: &[
            Arg::Period,
            Arg::CountyId,
            Arg::Text("enterprise"),
            Arg::IndustryCode,
            Arg::RowId,
            Arg::Int(1),
            Arg::Int(0),
        ],
        each: Each::Unmet,
        read: false,
    },
    Statement {
        what: "refresh: rollup_township_row",
        sql: "INSERT INTO rollup_township_row (period_key, county_id, township_id, industry, row_id, unmet, unmet_accepted) VALUES {values} ON CONFLICT (period_key, township_id, industry, row_id) DO UPDATE SET {set:rollup_township_row}",
        args: &[
            Arg::Period,
            Arg::CountyId,
            Arg::TownshipId,
            Arg::IndustryCode,
            Arg::RowId,
            Arg::Int(1),
            Arg::Int(0),
        ],
        each: Each::UnmetInTownship,
        read: false,
    },
    Statement {
        what: "refresh: latest_filing",
        sql: "INSERT INTO latest_filing (period_key, unit_id, filing_id, version, status, late, nil, unmet_items, county_id, kind, industry, township_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (period_key, unit_id) DO UPDATE SET filing_id = excluded.filing_id, version = excluded.version, status = excluded.status, late = excluded.late, nil = excluded.nil, unmet_items = excluded.unmet_items, county_id = excluded.county_id, kind = excluded.kind, industry = excluded.industry, township_id = excluded.township_id",
        args: &[
            Arg::Period,
            Arg::UnitId,
            Arg::FilingId,
            Arg::Version,
            Arg::Text("submitted"),
            Arg::Int(0),
            Arg::Nil,
            Arg::UnmetCount,
            Arg::CountyId,
            Arg::Text("enterprise"),
            Arg::IndustryCode,
            Arg::TownshipId,
        ],
        each: Each::Once,
        read: false,
    },
];

/// A bound value.
enum Val {
    S(String),
    I(i64),
    Null,
}

/// The values of one filing.
struct Filing<'a> {
    job: &'a Job,
    filing_id: String,
    now: String,
    today: String,
}

impl Filing<'_> {
    fn value(&self, arg: Arg, row: Option<&(String, bool, String)>) -> Val {
        let c = &self.job.content;
        match arg {
            Arg::FilingId => Val::S(self.filing_id.clone()),
            Arg::UnitId => Val::S(self.job.unit_id.clone()),
            Arg::CountyId => Val::S(self.job.county_id.clone()),
            Arg::IndustryCode => Val::S(self.job.industry_code.clone()),
            Arg::TownshipId => Val::S(self.job.township_id.clone()),
            Arg::UserId => Val::S(self.job.user_id.clone()),
            Arg::Period => Val::S(CURRENT_PERIOD.into()),
            Arg::Version => Val::I(1),
            Arg::Now => Val::S(self.now.clone()),
            Arg::Today => Val::S(self.today.clone()),
            Arg::Principal => Val::S(c.frame[0].1.clone()),
            Arg::LeaderInCharge => Val::S(c.frame[1].1.clone()),
            Arg::FilledBy => Val::S(c.frame[2].1.clone()),
            Arg::ReviewedBy => Val::S(c.frame[3].1.clone()),
            Arg::Phone => Val::S(c.frame[4].1.clone()),
            Arg::RowId => Val::S(row.map(|r| r.0.clone()).unwrap_or_default()),
            Arg::Answer => Val::S(
                if row.map(|r| r.1).unwrap_or(true) {
                    "done"
                } else {
                    "not_done"
                }
                .into(),
            ),
            Arg::Explanation => Val::S(row.map(|r| r.2.clone()).unwrap_or_default()),
            Arg::Nil => Val::I(c.nil() as i64),
            Arg::NotNil => Val::I(!c.nil() as i64),
            Arg::UnmetCount => Val::I(c.answers.iter().filter(|a| !a.1).count() as i64),
            Arg::NewId => Val::S(uuid::Uuid::now_v7().to_string()),
            Arg::ContentJson => Val::S(c.json()),
            Arg::SubmitBefore => Val::S(r#"{"status":"draft"}"#.into()),
            Arg::SubmitAfter => Val::S(format!(
                r#"{{"late":false,"nil":{},"status":"submitted","version":1}}"#,
                c.nil()
            )),
            Arg::Null => Val::Null,
            Arg::Text(t) => Val::S(t.into()),
            Arg::Int(n) => Val::I(n),
        }
    }
}

fn bind<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    v: Val,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    match v {
        Val::S(s) => q.bind(s),
        Val::I(n) => q.bind(n),
        Val::Null => q.bind(Option::<String>::None),
    }
}

/// Time spent per statement (by `what`, plus "begin" and "commit") over a replay: where the
/// ceiling's time goes.
type Spent = std::sync::Mutex<std::collections::BTreeMap<&'static str, f64>>;

fn spend(spent: &Spent, what: &'static str, since: Instant) {
    *spent.lock().unwrap().entry(what).or_default() += ms(since.elapsed());
}

async fn replay_one(pool: &AnyPool, kind: DbKind, job: &Job, spent: &Spent) -> Res<()> {
    let filing = Filing {
        job,
        filing_id: uuid::Uuid::now_v7().to_string(),
        now: crate::burst::clock_ts(),
        today: "2027-01-08".into(),
    };
    let t = Instant::now();
    let mut tx = match kind {
        // As the app's begin_write: SQLite writers queue on BEGIN IMMEDIATE.
        DbKind::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        DbKind::Postgres => pool.begin().await,
    }
    .map_err(err("begin"))?;
    spend(spent, "begin", t);
    for st in STATEMENTS {
        let t = Instant::now();
        if st.each == Each::Once {
            let mut q = sqlx::query(st.sql);
            for a in st.args {
                q = bind(q, filing.value(*a, None));
            }
            if st.read {
                q.fetch_all(&mut *tx).await.map_err(err(st.what))?;
            } else {
                q.execute(&mut *tx).await.map_err(err(st.what))?;
            }
            spend(spent, st.what, t);
            continue;
        }
        let rows: Vec<&(String, bool, String)> = job
            .content
            .answers
            .iter()
            .filter(|a| st.each == Each::Answer || !a.1)
            .collect();
        if rows.is_empty() || (st.each == Each::UnmetInTownship && job.township_id.is_empty()) {
            continue;
        }
        let n = st.args.len();
        // As the app's `db::value_rows`: anonymous marks on SQLite, numbered on PostgreSQL.
        let sqlite = tx.backend_name() == "SQLite";
        let groups: Vec<String> = (0..rows.len())
            .map(|i| {
                let marks: Vec<String> = (1..=n)
                    .map(|j| {
                        if sqlite {
                            "?".to_string()
                        } else {
                            format!("${}", i * n + j)
                        }
                    })
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let table = st.sql.split_whitespace().nth(2).unwrap_or_default();
        let sql = st.sql.replace("{values}", &groups.join(", ")).replace(
            &format!("{{set:{table}}}"),
            &ROLLUP_ROWS_SET.replace("{t}", table),
        );
        let mut q = sqlx::query(&sql);
        for row in &rows {
            for a in st.args {
                q = bind(q, filing.value(*a, Some(row)));
            }
        }
        q.execute(&mut *tx).await.map_err(err(st.what))?;
        spend(spent, st.what, t);
    }
    let t = Instant::now();
    tx.commit().await.map_err(err("commit"))?;
    spend(spent, "commit", t);
    Ok(())
}

/// What a replay measured.
pub struct Replayed {
    pub seconds: f64,
    pub latencies_ms: Vec<f64>,
    pub errors: Vec<String>,
    /// Milliseconds per filing spent in each statement (by `what`), begin and commit.
    pub spent_ms_per_filing: std::collections::BTreeMap<&'static str, f64>,
}

/// Replays `jobs` with `clients` at once over a pool of the app's size (SQLite 8, PostgreSQL 16).
/// `pace` as for the app's burst (`burst::app_burst`).
pub async fn run(
    db: &Database,
    jobs: Arc<Vec<Job>>,
    clients: usize,
    pace: Option<f64>,
) -> Res<Replayed> {
    let size = match db.kind {
        DbKind::Sqlite => 8,
        DbKind::Postgres => 16,
    };
    let pool = pool(&db.url, size).await?;
    // Connections open before the clock starts, as the app's are.
    let mut warm = Vec::new();
    for _ in 0..size {
        warm.push(pool.acquire().await.map_err(err("connect"))?);
    }
    drop(warm);
    let next = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(tokio::sync::Semaphore::new(1));
    let spent: Arc<Spent> = Arc::default();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (pool, jobs, next, kind) = (pool.clone(), jobs.clone(), next.clone(), db.kind);
        let (gate, spent) = (gate.clone(), spent.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let t = crate::burst::due(started, i, pace).await;
                // SQLite has one writer: transactions take turns here, in order, rather
                // than in SQLite's busy handler, which sleeps and retries.
                let turn = match kind {
                    DbKind::Sqlite => Some(gate.acquire().await.map_err(err("gate"))),
                    DbKind::Postgres => None,
                };
                let done = replay_one(&pool, kind, job, &spent).await;
                drop(turn);
                match done {
                    Ok(()) => lat.push(ms(t.elapsed())),
                    Err(e) => errors.push(e),
                }
            }
            (lat, errors)
        }));
    }
    let mut out = Replayed {
        seconds: 0.0,
        latencies_ms: Vec::new(),
        errors: Vec::new(),
        spent_ms_per_filing: Default::default(),
    };
    for t in tasks {
        let (lat, errors) = t.await.map_err(err("replay task"))?;
        out.latencies_ms.extend(lat);
        out.errors.extend(errors);
    }
    out.seconds = started.elapsed().as_secs_f64();
    let n = out.latencies_ms.len().max(1) as f64;
    out.spent_ms_per_filing = spent
        .lock()
        .unwrap()
        .iter()
        .map(|(k, v)| (*k, (v / n * 1000.0).round() / 1000.0))
        .collect();
    pool.close().await;
    Ok(out)
}
