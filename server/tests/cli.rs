//! The command line: bad input gives one clear line, never a panic trace.

use std::process::Command;

fn nilfiling(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nilfiling"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("NILFILING_CLOCK");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run nilfiling");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Runs `create-user` in the city office with the password on standard input.
fn create_user(url: &str, username: &str, role: &str, password: &str) -> (i32, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_nilfiling"))
        .args([
            "create-user",
            "--username",
            username,
            "--display-name",
            "运维",
            "--unit",
            "city-office",
            "--role",
            role,
        ])
        .env("DATABASE_URL", url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn assert_one_clear_line(stderr: &str, needle: &str) {
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    assert!(
        !stderr.contains("RUST_BACKTRACE"),
        "no backtrace hint: {stderr}"
    );
    let errors: Vec<_> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "exactly one error line: {stderr}");
    assert!(
        errors[0].contains(needle),
        "the line says {needle:?}: {stderr}"
    );
}

#[test]
fn an_unknown_database_scheme_is_named_in_one_line() {
    let (code, _, err) = nilfiling(
        &["migrate"],
        &[("DATABASE_URL", "mysql://root@localhost/x")],
    );
    assert_eq!(code, 1);
    assert_one_clear_line(&err, "unsupported DATABASE_URL scheme \"mysql:\"");
}

#[test]
fn an_unwritable_data_directory_is_named_in_one_line() {
    // A path below a regular file can never be a directory.
    let (code, _, err) = nilfiling(
        &[
            "--database-url",
            "sqlite:///etc/hostname/data/x.db",
            "migrate",
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert_one_clear_line(&err, "cannot use the data directory /etc/hostname/data");
}

#[test]
fn a_database_port_that_accepts_but_never_answers_fails_within_the_connect_timeout() {
    // A listener that takes connections and says nothing, like a hung server.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for conn in silent.incoming().take(8).flatten() {
            open.push(conn);
        }
        std::thread::sleep(std::time::Duration::from_secs(30));
    });
    let url = format!("postgres://postgres@127.0.0.1:{port}/nilfiling");
    let started = std::time::Instant::now();
    let (code, _, err) = nilfiling(
        &["--connect-timeout", "2", "migrate"],
        &[("DATABASE_URL", url.as_str())],
    );
    let took = started.elapsed();
    assert_eq!(code, 1);
    assert_one_clear_line(&err, &format!("127.0.0.1:{port} did not answer within 2 s"));
    assert!(
        took < std::time::Duration::from_secs(20),
        "it gives up near the timeout, not after minutes ({took:?})"
    );
    drop(held);
}

#[test]
fn a_file_that_is_not_a_sqlite_database_is_named_as_such() {
    let dir = std::env::temp_dir().join(format!("nilfiling-cli-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.db");
    std::fs::write(
        &path,
        "这不是数据库 — a spreadsheet saved over the database file",
    )
    .unwrap();
    let url = format!("sqlite://{}", path.display());
    let (code, _, err) = nilfiling(&["migrate"], &[("DATABASE_URL", url.as_str())]);
    assert_eq!(code, 1);
    assert_one_clear_line(&err, "is not a SQLite database");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_malformed_clock_is_refused_with_the_expected_form() {
    let (code, _, err) = nilfiling(&["--clock", "2027-13-45", "migrate"], &[]);
    assert_eq!(code, 2, "a usage error");
    assert_one_clear_line(&err, "2027-01-05T10:00:00+08:00");
    let (code, _, err) = nilfiling(&["migrate"], &[("NILFILING_CLOCK", "tomorrow")]);
    assert_eq!(code, 2);
    assert_one_clear_line(&err, "invalid clock instant");
}

/// On the demo seed: `seed-demo` is one of the commands under test (and `create-user` needs
/// the city office it loads). The command line calls no server function, so there is no
/// typed call to make here.
#[test]
fn migrate_seed_and_create_user_work_on_a_fresh_sqlite_file() {
    let dir = std::env::temp_dir().join(format!("nilfiling-cli-{}", std::process::id()));
    let url = format!("sqlite://{}/x.db", dir.display());
    let (code, out, err) = nilfiling(&["migrate"], &[("DATABASE_URL", &url)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("migrations applied"));
    let (code, out, _) = nilfiling(&["seed-demo"], &[("DATABASE_URL", &url)]);
    assert_eq!(code, 0);
    assert!(out.contains("200 enterprises"), "{out}");
    let (code, err) = create_user(&url, "ops", "administrator", "ops-password");
    assert_eq!(code, 0, "{err}");
    // A bad role is explained on one line.
    let (code, err) = create_user(&url, "ops2", "enterprise_filer", "ops-password");
    assert_eq!(code, 1);
    assert_one_clear_line(
        &err,
        "role: This role cannot belong to a unit of this kind.",
    );
    let _ = std::fs::remove_dir_all(dir);
}
