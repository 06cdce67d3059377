//! `bench/results/summary.md`: every figure of every result file, as one Markdown table.

use crate::common::*;
use serde_json::Value;

const ORDER: [&str; 7] = [
    "burst", "pages", "dash", "startup", "login", "wasm", "static",
];

fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
    .replace('|', "\\|")
}

pub fn write(env: &Env) -> Res<()> {
    let mut results: Vec<Value> = std::fs::read_dir(env.results())
        .map_err(err("bench/results"))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .filter_map(|e| serde_json::from_str(&std::fs::read_to_string(e.path()).ok()?).ok())
        .collect();
    let rank = |v: &Value| {
        ORDER
            .iter()
            .position(|r| Some(*r) == v["row"].as_str())
            .unwrap_or(ORDER.len())
    };
    results.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a["database"].as_str().cmp(&b["database"].as_str()))
    });
    let mut md = String::from(
        "# Benchmark results\n\nWritten by `bin/bench` (bench/src/summary.rs) from `bench/results/*.json`; \
         each file also holds the details and the machine (nproc, date, git commit).\n\n\
         | row | database | figure | value | target | met |\n|---|---|---|---|---|---|\n",
    );
    for r in &results {
        let scale = r["details"]["scale"]
            .as_str()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        for c in r["checks"].as_array().into_iter().flatten() {
            let met = match c["met"].as_bool() {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            };
            md.push_str(&format!(
                "| {}{} | {} | {} | {} | {} | {} |\n",
                cell(&r["row"]),
                scale,
                cell(&r["database"]),
                cell(&c["figure"]),
                cell(&c["value"]),
                cell(&c["target"]),
                met
            ));
        }
    }
    md.push('\n');
    for r in &results {
        let m = &r["machine"];
        md.push_str(&format!(
            "- {} {}: {} on {} × {} ({} GiB), commit {}{}, load at end {}\n",
            cell(&r["row"]),
            cell(&r["database"]),
            cell(&m["date"]),
            cell(&m["nproc"]),
            cell(&m["cpu"]),
            cell(&m["memory_gib"]),
            m["git_commit"]
                .as_str()
                .unwrap_or("")
                .chars()
                .take(10)
                .collect::<String>(),
            if m["git_dirty"].as_bool() == Some(true) {
                " (uncommitted changes)"
            } else {
                ""
            },
            cell(&m["loadavg_at_end"]),
        ));
    }
    std::fs::write(env.results().join("summary.md"), md).map_err(err("summary.md"))?;
    Ok(())
}
