//! Database connection, migrations, and the conventions shared by all SQL.
//!
//! One code path for both backends through sqlx's `Any` driver: SQL uses `$1`-style
//! parameters (which SQLite accepts too), `TEXT` and `BIGINT` columns, and instants stored
//! as RFC 3339 UTC text made by [`ts`].

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection, Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub type Db = AnyPool;

/// The database used when `DATABASE_URL` is not set: a SQLite file under `data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/nilfiling.db";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Why the database could not be made ready. Each reads as one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("unsupported DATABASE_URL scheme {0:?}: use sqlite://path/to/file.db or postgres://user@host:port/dbname")]
    Scheme(String),
    #[error("cannot use the data directory {}: {reason}", path.display())]
    DataDir { path: PathBuf, reason: String },
    #[error("cannot connect to the database {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("database migration failed: {0}")]
    Migrate(String),
    #[error("the database at {target} did not answer within {seconds} s (connecting, creating the database or migrating): is it running, and is that the right host and port?")]
    Timeout { target: String, seconds: u64 },
    #[error("{} is not a SQLite database (the file exists but its header is not SQLite's): restore it from a backup, or point DATABASE_URL at another file", path.display())]
    NotSqlite { path: PathBuf },
}

/// How long start-up waits for the database by default (connecting, creating, migrating).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects ([`connect`]) and migrates ([`migrate`]) within `timeout`, so that a server
/// that accepts connections but never answers makes start-up fail with one clear line
/// instead of hanging.
pub async fn open(url: &str, timeout: Duration) -> Result<Db, DbSetupError> {
    let setup = async {
        let db = connect(url).await?;
        migrate(&db).await?;
        Ok(db)
    };
    tokio::time::timeout(timeout, setup)
        .await
        .unwrap_or_else(|_| {
            Err(DbSetupError::Timeout {
                target: target_of(url),
                seconds: timeout.as_secs(),
            })
        })
}

/// Where a URL points, for messages: `host:port` of a server, or the SQLite file.
fn target_of(url: &str) -> String {
    if url.starts_with("sqlite:") {
        return sqlite_path(url).display().to_string();
    }
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let hostport = rest.split(['/', '?']).next().unwrap_or_default();
    if hostport.contains(':') && !hostport.ends_with(']') {
        hostport.to_string()
    } else {
        format!("{hostport}:5432")
    }
}

/// Refuses an existing non-empty file that is not a SQLite database, before SQLite itself
/// reports it as a locked or malformed database after its busy timeout.
pub fn check_sqlite_file(path: &Path) -> Result<(), DbSetupError> {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(()); // created on connect
    };
    let mut header = [0u8; 16];
    match file.read(&mut header) {
        Ok(0) => Ok(()),
        Ok(16) if &header == b"SQLite format 3\0" => Ok(()),
        _ => Err(DbSetupError::NotSqlite {
            path: path.to_path_buf(),
        }),
    }
}

/// Which backend a URL names.
pub fn backend_of(url: &str) -> Result<Backend, DbSetupError> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        _ if !url.contains(':') => Err(DbSetupError::Scheme(url.to_string())),
        other => Err(DbSetupError::Scheme(format!("{other}:"))),
    }
}

/// Hides the password of a URL for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The file path of a SQLite URL (`sqlite://data/x.db`, `sqlite:data/x.db`, `sqlite:///abs/x.db`).
pub fn sqlite_path(url: &str) -> PathBuf {
    let rest = url.trim_start_matches("sqlite:");
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let rest = rest.split('?').next().unwrap_or_default();
    PathBuf::from(rest)
}

/// Makes sure the directory of a SQLite file exists and is writable.
fn prepare_sqlite_dir(path: &Path) -> Result<(), DbSetupError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let fail = |reason: String| DbSetupError::DataDir {
        path: dir.clone(),
        reason,
    };
    std::fs::create_dir_all(&dir).map_err(|e| fail(e.to_string()))?;
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| fail(format!("not writable: {e}")))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Connects to the database at `url`, creating it when it does not exist yet.
/// SQLite runs in WAL mode with a busy timeout and foreign keys on.
pub async fn connect(url: &str) -> Result<Db, DbSetupError> {
    sqlx::any::install_default_drivers();
    let backend = backend_of(url)?;
    let connect_err = |e: sqlx::Error| DbSetupError::Connect {
        url: redact(url),
        reason: e.to_string(),
    };
    let url = match backend {
        Backend::Sqlite => {
            let path = sqlite_path(url);
            if path.as_os_str().is_empty() {
                return Err(DbSetupError::Scheme("sqlite: without a file path".into()));
            }
            prepare_sqlite_dir(&path)?;
            check_sqlite_file(&path)?;
            format!("sqlite://{}?mode=rwc", path.display())
        }
        Backend::Postgres => {
            use sqlx::migrate::MigrateDatabase;
            if !sqlx::Any::database_exists(url).await.map_err(connect_err)? {
                // Another instance starting at the same moment may create it first: that
                // is fine, as long as it exists afterwards.
                if let Err(e) = sqlx::Any::create_database(url).await {
                    if !sqlx::Any::database_exists(url).await.map_err(connect_err)? {
                        return Err(connect_err(e));
                    }
                }
            }
            url.to_string()
        }
    };
    let pool = AnyPoolOptions::new()
        .max_connections(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        })
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(connect_err)?;
    // Fail now rather than at the first request.
    let mut conn = pool.acquire().await.map_err(connect_err)?;
    conn.ping().await.map_err(connect_err)?;
    Ok(pool)
}

/// Applies the migrations in `migrations/` that have not run yet.
///
/// On PostgreSQL sqlx holds an advisory lock while it migrates, so instances starting at once
/// take turns. SQLite has no such lock: each migration runs in its own transaction, and an
/// instance that lost the race (it read the list of applied migrations before another
/// applied one) has its transaction rolled back; it reads the list again and goes on.
pub async fn migrate(db: &Db) -> Result<(), DbSetupError> {
    let migrator = sqlx::migrate!("../migrations");
    let mut attempt = 0;
    loop {
        match migrator.run(db).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 5 && db.connect_options().database_url.scheme() == "sqlite" => {
                attempt += 1;
                tracing::info!(error = %e, attempt, "migrating raced another instance: reading the applied migrations again");
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
            Err(e) => return Err(DbSetupError::Migrate(e.to_string())),
        }
    }
}

/// The canonical text of an instant in the database: RFC 3339, UTC, whole seconds.
pub fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A stored instant (written by [`ts`]) as Kunming local time for display; the text itself
/// if it is not one.
pub fn kunming_text(stored: &str) -> String {
    parse_ts(stored)
        .map(crate::domain::time::format_kunming)
        .unwrap_or_else(|| stored.to_string())
}

/// Reads an instant written by [`ts`].
pub fn parse_ts(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A new time-ordered unique key.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Whether a database error is the violation of a unique key, on either database (the
/// drivers behind `Any` report the kind: SQLite's extended code, PostgreSQL's SQLSTATE 23505).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// A transaction that writes ([`begin_write`]). It is used as the connection it runs on
/// (`&mut *tx` in a query, `&mut tx` where a function takes `&mut AnyConnection`); on SQLite
/// it also holds the database's write turn until it commits, rolls back or is dropped.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

/// How long a writer waits for its turn on SQLite, as the busy timeout (`connect`).
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(10);

/// The write turn of a SQLite database file, shared by every pool of this process on it.
fn write_turn(db: &Db) -> std::sync::Arc<tokio::sync::Semaphore> {
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock, Mutex};
    static TURNS: LazyLock<Mutex<HashMap<String, Arc<tokio::sync::Semaphore>>>> =
        LazyLock::new(Default::default);
    let key = db.connect_options().database_url.to_string();
    TURNS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(1)))
        .clone()
}

/// Begins a transaction that will write.
///
/// SQLite has one writer at a time. Writers of this process take turns first, in order of
/// arrival, at the file's write turn; then `BEGIN IMMEDIATE` takes the write lock at once,
/// so a transaction never fails upgrading a read. Without the turn, writers waiting for the
/// lock sit in SQLite's busy handler, which sleeps 1 to 100 ms between tries: under a
/// deadline burst that cost most of the throughput and put p99 at half a second (issue 13,
/// `bin/bench burst`). A writer that waits longer than [`WRITE_TURN_TIMEOUT`] fails as a
/// busy database would. Other processes on the file (a backup, the CLI) still meet the busy
/// timeout. PostgreSQL's row locks need nothing special.
pub async fn begin_write(db: &Db) -> Result<WriteTx, sqlx::Error> {
    if db.connect_options().database_url.scheme() == "sqlite" {
        let turn = tokio::time::timeout(WRITE_TURN_TIMEOUT, write_turn(db).acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        Ok(WriteTx {
            tx: db.begin_with("BEGIN IMMEDIATE").await?,
            _turn: Some(turn),
        })
    } else {
        Ok(WriteTx {
            tx: db.begin().await?,
            _turn: None,
        })
    }
}

/// The placeholders of a multi-row `VALUES` on `conn`: `rows` groups of `columns` marks, for
/// a statement with no other parameters.
///
/// PostgreSQL numbers them, `($1, $2), ($3, $4)` for 2 and 2. SQLite gets anonymous `?`
/// marks, in the same order: sqlx finds the place of every named mark (`$7`) by asking
/// SQLite its name, which SQLite looks up in a list of all the statement's names, so binding
/// n named marks costs n²/2 steps (issue 13: 24% of the CPU of a first proposal run at 100k,
/// 1,400 marks a statement); an anonymous mark is bound by position.
pub fn value_rows(conn: &sqlx::AnyConnection, rows: usize, columns: usize) -> String {
    let sqlite = conn.backend_name() == "SQLite";
    (0..rows)
        .map(|r| {
            let marks: Vec<String> = (1..=columns)
                .map(|c| {
                    if sqlite {
                        "?".to_string()
                    } else {
                        format!("${}", r * columns + c)
                    }
                })
                .collect();
            format!("({})", marks.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a stored instant (written by [`ts`]) of `column`; text that is no instant is a
/// decoding error of the column, like an unknown code in [`parse_code`].
pub fn parse_instant(column: &str, text: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    parse_ts(text).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: format!("not an instant: {text:?}").into(),
    })
}

/// Parses a stored code (a role, a unit kind, a filing status, an answer) with its enum's
/// `parse`. A code that no value has is a decoding error of its column, never a row left
/// out: the cause is logged where it becomes [`crate::error::AppError::Internal`].
pub fn parse_code<T>(
    column: &str,
    code: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    parse(code).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: format!("unknown code {code:?}").into(),
    })
}

/// A stored date (`YYYY-MM-DD`) of `column`; text that is no date is a decoding error.
fn stored_date(column: &str, text: &str) -> Result<chrono::NaiveDate, sqlx::Error> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: format!("not a date: {text:?}").into(),
    })
}

/// A unit's stored life (`unit.opened_on`, `unit.closed_on`); dates that are no dates, or a
/// closing before the opening, are a decoding error.
pub fn stored_life(
    opened_on: &str,
    closed_on: Option<&str>,
) -> Result<crate::domain::lifecycle::Life, sqlx::Error> {
    let opened = stored_date("opened_on", opened_on)?;
    let closed = closed_on.map(|c| stored_date("closed_on", c)).transpose()?;
    crate::domain::lifecycle::Life::new(opened, closed).map_err(|_| sqlx::Error::ColumnDecode {
        index: "closed_on".to_string(),
        source: format!("closed {closed_on:?} before it opened {opened_on:?}").into(),
    })
}

/// A date as stored.
pub fn date_text(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_host_and_port_or_the_file() {
        assert_eq!(
            target_of("postgres://u:p@db.example:6543/x"),
            "db.example:6543"
        );
        assert_eq!(
            target_of("postgres://postgres@127.0.0.1/x"),
            "127.0.0.1:5432"
        );
        assert_eq!(target_of("sqlite://data/n.db"), "data/n.db");
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_named_as_such() {
        let dir = std::env::temp_dir().join(format!("nilfiling-notsqlite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.db");
        std::fs::write(&path, b"this is not a database at all, just text").unwrap();
        assert!(matches!(
            check_sqlite_file(&path),
            Err(DbSetupError::NotSqlite { .. })
        ));
        std::fs::write(&path, b"").unwrap();
        assert!(
            check_sqlite_file(&path).is_ok(),
            "an empty file becomes a database"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn backend_is_chosen_by_scheme_and_unknown_schemes_are_named() {
        assert_eq!(backend_of("sqlite://data/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            backend_of("postgres://postgres@127.0.0.1/x").unwrap(),
            Backend::Postgres
        );
        assert_eq!(backend_of("postgresql://h/x").unwrap(), Backend::Postgres);
        let err = backend_of("mysql://root@localhost/x")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"mysql:\"") && err.contains("sqlite://"),
            "{err}"
        );
    }

    #[test]
    fn sqlite_paths_are_read_from_all_url_forms() {
        assert_eq!(
            sqlite_path("sqlite://data/x.db"),
            PathBuf::from("data/x.db")
        );
        assert_eq!(
            sqlite_path("sqlite:data/x.db?mode=rwc"),
            PathBuf::from("data/x.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db"),
            PathBuf::from("/tmp/x.db")
        );
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[tokio::test]
    async fn a_duplicate_key_is_seen_as_a_unique_violation_through_any() {
        sqlx::any::install_default_drivers();
        let db = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY)")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("INSERT INTO t VALUES ('a')")
            .execute(&db)
            .await
            .unwrap();
        let err = sqlx::query("INSERT INTO t VALUES ('a')")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(is_unique_violation(&err), "not seen as unique: {err:?}");
        let other = sqlx::query("INSERT INTO nope VALUES ('a')")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(
            !is_unique_violation(&other),
            "a missing table is no unique violation"
        );
    }

    #[test]
    fn instants_round_trip_through_their_text() {
        let at = crate::domain::time::parse_instant("2027-01-05T10:00:00+08:00").unwrap();
        assert_eq!(ts(at), "2027-01-05T02:00:00Z");
        assert_eq!(parse_ts(&ts(at)), Some(at));
    }
}
