//! Memory after a login rush (issue 12): argon2 takes 19 MiB per hash; hashing is bounded
//! to about the core count and the memory goes back after the rush.
//!
//! The release binary's figures are in `docs/measurements.md`; this test runs the test build
//! (argon2 optimised as in release) and asserts bounds with wide margins.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_rushes_of_120_logins_keep_memory_bounded_and_return_it() {
    let dir = std::env::temp_dir().join(format!("nilfiling-memory-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_nilfiling"))
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--site-root",
                dir.to_str().unwrap(),
                "--seed-demo-if-empty",
                // Each login of the rush comes from its own address (so the per-address
                // throttle does not spare the hashing this test is about).
                "--trust-proxy",
            ])
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/memory.db", dir.display()),
            )
            .env("NILFILING_LOG", "warn")
            .env_remove("NILFILING_CLOCK")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..600 {
        if TcpStream::connect(("127.0.0.1", port))
            .and_then(|mut s| s.write_all(b""))
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let login = |name: String, addr: String| {
        let client = client.clone();
        let base = base.clone();
        async move {
            client
                .post(format!("{base}/api/login"))
                .header("Origin", &base)
                .header("X-Forwarded-For", addr)
                .form(&[
                    ("username", name.as_str()),
                    ("password", "not the password"),
                ])
                .send()
                .await
                .map(|r| r.status().as_u16())
        }
    };
    // Warm up: a few logins, then the idle figure.
    for i in 0..4 {
        let status = login(format!("warm-{i}"), format!("10.9.0.{i}"))
            .await
            .unwrap();
        assert_eq!(status, 422, "a wrong login is a field error");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = status_kib(pid, "VmRSS:");
    // Another user's page loads, one after another: their latency is printed (figures, not
    // assertions), before and during a rush.
    let pages = |n: usize| {
        let client = client.clone();
        let url = format!("{base}/login");
        async move {
            let mut took = Vec::new();
            for _ in 0..n {
                let started = std::time::Instant::now();
                let res = client.get(&url).send().await.unwrap();
                assert_eq!(res.status(), 200, "pages are served during the rush");
                let _ = res.bytes().await;
                took.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            took.sort_by(f64::total_cmp);
            took[took.len() / 2]
        }
    };
    let quiet = pages(20).await;
    let mut after = Vec::new();
    let mut busy = 0.0;
    for round in 0..3 {
        let rush = (0..120).map(|i| {
            login(
                format!("rush-{round}-{i}"),
                format!("10.{round}.{}.{}", i / 250, i % 250),
            )
        });
        let (statuses, during) = tokio::join!(futures::future::join_all(rush), pages(20));
        busy = during;
        for status in statuses {
            assert_eq!(status.unwrap(), 422, "every login of the rush is answered");
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        after.push(status_kib(pid, "VmRSS:"));
    }
    let peak = status_kib(pid, "VmHWM:");
    let report = format!(
        "RSS idle {} MiB, peak {} MiB, after each rush {:?} MiB; /login p50 {quiet:.1} ms quiet, {busy:.1} ms during a rush",
        idle / 1024,
        peak / 1024,
        after.iter().map(|k| k / 1024).collect::<Vec<_>>()
    );
    eprintln!("{report}");
    // About the core count of hashes at once (19 MiB each), not 120 (which took 2 GB).
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    assert!(
        peak < idle + (cores * 20 + 48) * 1024,
        "peak bounded: {report}"
    );
    // Returned: the rushes leave little over idle (without the allocator setting, ~400 MiB).
    assert!(
        *after.last().unwrap() < idle + 32 * 1024,
        "memory returned after the rushes: {report}"
    );
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}
