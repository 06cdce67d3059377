//! `nilfiling backup --to FILE` and `nilfiling restore --from FILE` (issue 12).
//!
//! - SQLite: `VACUUM INTO` writes a consistent copy while the server runs (a read
//!   transaction: writers go on); restore checks the file is a nilfiling database and puts
//!   it in place of the database file (with the server stopped).
//! - PostgreSQL: `pg_dump --format=custom` and `pg_restore` from the PostgreSQL client tools.
//!
//! Both write the backup beside its destination first and rename it, so a failed backup
//! never leaves a truncated file under the name asked for; neither overwrites an existing
//! file. A restore applies the migrations newer than the backup afterwards.

use app::ssr::db::{self, Backend};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// `FILE.partial`, where a backup is written before it is renamed to `FILE`.
fn partial(to: &Path) -> PathBuf {
    let mut name = to.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Writes a backup of the database at `url` to `to`; returns what it wrote, for the terminal.
pub async fn backup(url: &str, to: &Path) -> Result<String, String> {
    if to.exists() {
        return Err(format!(
            "{} already exists: a backup never overwrites a file; choose another name",
            to.display()
        ));
    }
    let tmp = partial(to);
    let _ = std::fs::remove_file(&tmp);
    let result = match db::backend_of(url).map_err(|e| e.to_string())? {
        Backend::Sqlite => backup_sqlite(url, &tmp).await,
        Backend::Postgres => run_tool(
            "pg_dump",
            &[
                "--format=custom".into(),
                format!("--file={}", tmp.display()),
                format!("--dbname={url}"),
            ],
        ),
    };
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, to).map_err(|e| format!("cannot write {}: {e}", to.display()))?;
    let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    Ok(format!(
        "backup of {} written to {} ({size} bytes)",
        db::redact(url),
        to.display()
    ))
}

async fn backup_sqlite(url: &str, tmp: &Path) -> Result<(), String> {
    let path = db::sqlite_path(url);
    if !path.is_file() {
        return Err(format!(
            "{} does not exist: nothing to back up",
            path.display()
        ));
    }
    db::check_sqlite_file(&path).map_err(|e| e.to_string())?;
    let pool = db::connect(url).await.map_err(|e| e.to_string())?;
    sqlx::query("VACUUM INTO $1")
        .bind(tmp.to_string_lossy().to_string())
        .execute(&pool)
        .await
        .map_err(|e| format!("backing up {} failed: {e}", path.display()))?;
    pool.close().await;
    Ok(())
}

/// Restores the backup `from` into the database at `url`. An existing database with data is
/// kept unless `replace` is set.
pub async fn restore(
    url: &str,
    from: &Path,
    replace: bool,
    timeout: Duration,
) -> Result<String, String> {
    if !from.is_file() {
        return Err(format!("{} does not exist", from.display()));
    }
    match db::backend_of(url).map_err(|e| e.to_string())? {
        Backend::Sqlite => restore_sqlite(url, from, replace).await?,
        Backend::Postgres => restore_postgres(url, from, replace).await?,
    }
    // A backup from an older release: bring it up to this one.
    let pool = db::open(url, timeout).await.map_err(|e| e.to_string())?;
    let units: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM unit")
        .fetch_one(&pool)
        .await
        .map_err(|e| format!("the restored database cannot be read: {e}"))?;
    pool.close().await;
    Ok(format!(
        "{} restored into {} ({units} units)",
        from.display(),
        db::redact(url)
    ))
}

async fn restore_sqlite(url: &str, from: &Path, replace: bool) -> Result<(), String> {
    let target = db::sqlite_path(url);
    db::check_sqlite_file(from)
        .map_err(|_| format!("{} is not a SQLite backup of nilfiling", from.display()))?;
    // A nilfiling database has applied migrations and units; anything else is refused
    // before the target is touched. Read only: the backup file is not changed.
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut probe = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=ro", from.display()))
        .await
        .map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    let applied: Result<i64, _> = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut probe)
        .await;
    let units: Result<i64, _> = sqlx::query_scalar("SELECT COUNT(*) FROM unit")
        .fetch_one(&mut probe)
        .await;
    let _ = probe.close().await;
    if !matches!((applied, units), (Ok(n), Ok(_)) if n > 0) {
        return Err(format!(
            "{} is a SQLite file but not a nilfiling database",
            from.display()
        ));
    }
    if target.exists() && std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0) > 0 && !replace {
        return Err(format!(
            "{} already holds a database: stop the server and add --replace to put the backup in its place",
            target.display()
        ));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let tmp = partial(&target);
    std::fs::copy(from, &tmp).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    // The old database's write-ahead log belongs to the old file.
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&tmp, &target).map_err(|e| format!("cannot write {}: {e}", target.display()))
}

async fn restore_postgres(url: &str, from: &Path, replace: bool) -> Result<(), String> {
    // Creates the database when it is missing (and checks that the server answers).
    let pool = db::connect(url).await.map_err(|e| e.to_string())?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&pool)
    .await
    .map_err(|e| format!("cannot read {}: {e}", db::redact(url)))?;
    pool.close().await;
    if tables > 0 && !replace {
        return Err(format!(
            "{} already has tables: add --replace to drop what the backup holds and restore it",
            db::redact(url)
        ));
    }
    let mut args = vec![
        "--no-owner".to_string(),
        "--no-privileges".to_string(),
        "--exit-on-error".to_string(),
        "--single-transaction".to_string(),
        format!("--dbname={url}"),
    ];
    if replace {
        args.push("--clean".into());
        args.push("--if-exists".into());
    }
    args.push(from.display().to_string());
    run_tool("pg_restore", &args)
}

/// Runs one of PostgreSQL's client tools; its complaint becomes the error line.
fn run_tool(tool: &str, args: &[String]) -> Result<(), String> {
    let output = Command::new(tool).args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("{tool} not found: install PostgreSQL's client tools (Debian: postgresql-client) at the server's major version or newer")
        } else {
            format!("cannot run {tool}: {e}")
        }
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message");
    Err(format!("{tool} failed: {first}"))
}
