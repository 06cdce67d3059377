//! Memory after logins: 2,000 logins, 16 at a time, each from its own address (the server
//! trusts X-Forwarded-For), accounts with the app's own argon2 parameters.

use crate::common::*;
use crate::prepare;
use futures::StreamExt;
use serde_json::json;
use std::time::Duration;

pub async fn login_row(env: &Env, kind: DbKind, scale: Scale) -> Res<bool> {
    let data = prepare::ensure(env, kind, scale).await?;
    let db = fresh_copy(env, &data, &format!("{}_login", kind.name())).await?;
    let server = Server::run(env, &db, &["--trust-proxy"]).await?;
    crate::burst::settle(&server, &db).await;
    let c = http();
    // Warm up, then the idle figure.
    for i in 0..4 {
        login(
            &c,
            &server.base,
            &format!("bl{i}"),
            PASSWORD,
            Some(&format!("10.250.0.{i}")),
        )
        .await?;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.status_kib("VmRSS:");
    let n = prepare::LOGIN_ACCOUNTS;
    let started = std::time::Instant::now();
    let results: Vec<Res<String>> = futures::stream::iter((0..n).map(|i| {
        let (c, base) = (c.clone(), server.base.clone());
        async move {
            login(
                &c,
                &base,
                &format!("bl{i}"),
                PASSWORD,
                Some(&format!(
                    "10.{}.{}.{}",
                    1 + i / 62500,
                    (i / 250) % 250,
                    i % 250
                )),
            )
            .await
        }
    }))
    .buffer_unordered(16)
    .collect()
    .await;
    let seconds = started.elapsed().as_secs_f64();
    let failed = results.iter().filter(|r| r.is_err()).count();
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        eprintln!("!!! login failed: {e}");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.status_kib("VmRSS:");
    let peak = server.status_kib("VmHWM:");
    server.stop().await;
    drop_copy(env, &db).await;
    let mib = |k: u64| round(k as f64 / 1024.0, 1);
    println!(
        "  {}: {n} logins in {seconds:.1} s ({failed} failed), RSS idle {} MiB, peak {} MiB, after {} MiB",
        kind.name(),
        mib(idle),
        mib(peak),
        mib(after)
    );
    let checks = vec![
        Check::info("RSS idle MiB", json!(mib(idle))),
        Check::new(
            "RSS peak (VmHWM) MiB",
            json!(mib(peak)),
            "<= 150 MB",
            Some(peak as f64 * 1024.0 <= 150e6),
        ),
        Check::new(
            "RSS 2 s after MiB",
            json!(mib(after)),
            "near idle (<= idle + 32 MiB)",
            Some(after <= idle + 32 * 1024),
        ),
        Check::info("logins/s", json!(round(n as f64 / seconds, 1))),
        Check::new("logins failed", json!(failed), "0", Some(failed == 0)),
    ];
    let ok = failed == 0;
    write_result(
        env,
        "login",
        Some(kind),
        checks,
        json!({
            "scale": scale.name(),
            "logins": n,
            "concurrency": 16,
            "seconds": round(seconds, 2),
            "rss_idle_kib": idle,
            "rss_peak_kib": peak,
            "rss_after_kib": after,
            "how": "POST /api/login, argon2id m=19456 t=2 p=1 (the app's), a different X-Forwarded-For per login, --trust-proxy",
        }),
    )?;
    Ok(ok)
}
