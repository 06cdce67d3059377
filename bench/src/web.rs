//! Browser delivery: the wasm's sizes and the caching headers served; a static file's latency
//! over a kept-alive connection on loopback.

use crate::common::*;
use serde_json::json;

/// A small database with the demo, for the rows that only need pages and files.
async fn demo_server(env: &Env) -> Res<(Server, Database)> {
    std::fs::create_dir_all(env.work()).map_err(err("bench/work"))?;
    let path = env.work().join("run-web.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let db = Database {
        kind: DbKind::Sqlite,
        url: sqlite_url(&path),
        name: path.display().to_string(),
    };
    let server = Server::run(env, &db, &["--seed-demo-if-empty"]).await?;
    Ok((server, db))
}

fn size(path: &std::path::Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

/// The `/pkg/<version>/` prefix a page links to.
fn pkg_prefix(html: &str) -> Option<String> {
    let at = html.find("/pkg/")?;
    let rest = &html[at + 5..];
    let end = rest.find('/')?;
    Some(format!("/pkg/{}/", &rest[..end]))
}

pub async fn wasm(env: &Env) -> Res<bool> {
    let pkg = env.site_root.join("pkg");
    let raw = size(&pkg.join("app.wasm"));
    let gz = size(&pkg.join("app.wasm.gz"));
    let br = size(&pkg.join("app.wasm.br"));
    if raw.is_none() {
        return Err(format!(
            "no built site at {} (bin/build makes it)",
            pkg.display()
        ));
    }
    let (server, db) = demo_server(env).await?;
    let c = http();
    let res = c
        .get(format!("{}/login", server.base))
        .header("Accept", "text/html")
        .send()
        .await
        .map_err(err("/login"))?;
    let page_cc = res
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(none)")
        .to_string();
    let html = res.text().await.map_err(err("/login"))?;
    let prefix = pkg_prefix(&html).ok_or("the page links no /pkg/<version>/ file")?;
    let wasm_url = format!("{}{prefix}app.wasm", server.base);
    let res = c
        .get(&wasm_url)
        .header("Accept-Encoding", "br, gzip")
        .send()
        .await
        .map_err(err("app.wasm"))?;
    let header = |n: &str| {
        res.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("(none)")
            .to_string()
    };
    let (wasm_cc, wasm_ce, wasm_status) = (
        header("cache-control"),
        header("content-encoding"),
        res.status().as_u16(),
    );
    let served = res.bytes().await.map_err(err("app.wasm"))?.len();
    server.stop().await;
    drop_copy(env, &db).await;
    println!("  app.wasm raw {raw:?} gz {gz:?} br {br:?}; {prefix}app.wasm: {wasm_status} {wasm_cc} ({wasm_ce}, {served} bytes); page: {page_cc}");
    let immutable = wasm_cc.contains("immutable") && wasm_cc.contains("max-age=31536000");
    let checks = vec![
        Check::info("app.wasm raw bytes", json!(raw)),
        Check::new(
            "app.wasm gzip -9 bytes",
            json!(gz),
            "<= 200 KB",
            gz.map(|g| g <= 200_000),
        ),
        Check::info("app.wasm brotli bytes", json!(br)),
        Check::new(
            "Cache-Control /pkg/<hash>/app.wasm",
            json!(wasm_cc),
            "public, max-age=31536000, immutable",
            Some(immutable),
        ),
        Check::info(
            "Content-Encoding served (Accept-Encoding: br, gzip)",
            json!(wasm_ce),
        ),
        Check::new(
            "Cache-Control of an HTML page (/login)",
            json!(page_cc),
            "private, no-cache",
            Some(page_cc.contains("no-cache")),
        ),
    ];
    let ok = wasm_status == 200;
    write_result(
        env,
        "wasm",
        None,
        checks,
        json!({ "pkg": prefix, "served_bytes": served, "status": wasm_status }),
    )?;
    Ok(ok)
}

/// Size of the static file timed (the issue's measurement was of a 28 KB file).
const STATIC_BYTES: usize = 28 * 1024;

pub async fn static_file(env: &Env) -> Res<bool> {
    // A site of our own: the built files and a 28 KB stylesheet (the built one repeated),
    // served by the same /pkg file service.
    let built = env.site_root.join("pkg");
    let site = env.work().join("site");
    let pkg = site.join("pkg");
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(&pkg).map_err(err("bench/work/site"))?;
    for e in std::fs::read_dir(&built)
        .map_err(err("the built site (bin/build)"))?
        .filter_map(|e| e.ok())
    {
        std::fs::copy(e.path(), pkg.join(e.file_name())).map_err(err("copying the site"))?;
    }
    let css = std::fs::read(built.join("app.css")).map_err(err("app.css"))?;
    let body: Vec<u8> = css.iter().copied().cycle().take(STATIC_BYTES).collect();
    let name = "bench-28k.css".to_string();
    std::fs::write(pkg.join(&name), &body).map_err(err("bench-28k.css"))?;
    let bytes = body.len() as u64;
    let env = &Env {
        site_root: site.clone(),
        ..env.clone()
    };
    let (server, db) = demo_server(env).await?;
    let c = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .map_err(err("client"))?;
    let url = format!("{}/pkg/{name}", server.base);
    let mut lat = Vec::new();
    for i in 0..1020 {
        let t = std::time::Instant::now();
        let res = c
            .get(&url)
            .header("Accept-Encoding", "identity")
            .send()
            .await
            .map_err(err("static"))?;
        let status = res.status();
        let body = res.bytes().await.map_err(err("static"))?;
        if status != 200 || body.len() as u64 != bytes {
            return Err(format!("{url}: {status}, {} bytes", body.len()));
        }
        if i >= 20 {
            lat.push(ms(t.elapsed()));
        }
    }
    server.stop().await;
    drop_copy(env, &db).await;
    let (p50, p99) = (pct(&lat, 50.0), pct(&lat, 99.0));
    println!("  /pkg/{name} ({bytes} bytes): p50 {p50:.2} ms, p99 {p99:.2} ms");
    let checks = vec![
        Check::new("p50 ms", json!(round(p50, 3)), "< 2 ms", Some(p50 < 2.0)),
        Check::new("p99 ms", json!(round(p99, 3)), "< 2 ms", Some(p99 < 2.0)),
    ];
    write_result(
        env,
        "static",
        None,
        checks,
        json!({
            "file": format!("/pkg/{name}"),
            "bytes": bytes,
            "requests": lat.len(),
            "how": "one kept-alive connection on loopback, requests one after another, Accept-Encoding: identity, 20 warm-up requests not counted",
        }),
    )?;
    Ok(true)
}
