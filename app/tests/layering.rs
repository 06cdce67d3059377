//! The layering of the app crate, checked from its sources (the crate root's `# Layout`):
//!
//! - `domain` uses nothing else of the crate and no framework (Leptos, axum, sqlx);
//! - `model` uses only `domain`, `error` and `i18n`;
//! - `ssr` never uses `api` or `ui`; `api` may use `ssr` and `model`;
//! - no circle between the top-level modules, nor between the modules inside `ssr`.
//!
//! It reads the files as text: a `crate::x::…` path (in a `use` or inline, also inside
//! `crate::x::{a, b}`) is a dependency of the file's module on `x`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/ssr/escalations/read.rs` → ["ssr", "escalations", "read"]; `src/ssr.rs` → ["ssr"].
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|c| c != "lib" && c != "mod")
        .collect()
}

/// Code without comments, so that a doc link such as [`crate::api`] is no dependency.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths `crate::a::b…` used in `code`, as their first two segments (`b` may be empty).
fn crate_paths(code: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        if i > 0 {
            let before = code[..i].chars().last().unwrap();
            if before.is_ascii_alphanumeric() || before == '_' || before == '$' {
                continue;
            }
        }
        let rest = &code[i + "crate::".len()..];
        let first = ident(rest);
        if first.is_empty() {
            // `crate::{a, b}`: each is a top-level module.
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                for part in group.split(',') {
                    let name = ident(part.trim());
                    if !name.is_empty() {
                        out.insert((name, String::new()));
                    }
                }
            }
            continue;
        }
        let after = &rest[first.len()..];
        match after.strip_prefix("::") {
            Some(tail) if tail.starts_with('{') => {
                let group = &tail[1..tail.find('}').unwrap_or(tail.len())];
                for part in group.split(',') {
                    let name = ident(part.trim());
                    if !name.is_empty() {
                        out.insert((first.clone(), name));
                    }
                }
            }
            Some(tail) => {
                out.insert((first.clone(), ident(tail)));
            }
            None => {
                out.insert((first.clone(), String::new()));
            }
        }
    }
    out
}

struct Crate {
    /// Module path of each file → its code.
    files: Vec<(Vec<String>, String)>,
}

fn the_crate() -> Crate {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    sources(&src, &mut paths);
    paths.sort();
    Crate {
        files: paths
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("read");
                (module_of(&src, p), code_of(&text))
            })
            .collect(),
    }
}

fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Depth-first search for back edges; each back edge closes one circle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut circle = stack[at..].to_vec();
            circle.push(node.to_string());
            found.push(circle);
            return;
        }
        if done.contains(node) {
            return;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, stack, done, found);
        }
        stack.pop();
        done.insert(node.to_string());
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, graph, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

#[test]
fn the_domain_uses_nothing_else_of_the_crate_and_no_framework() {
    let krate = the_crate();
    let mut wrong = Vec::new();
    for (module, code) in &krate.files {
        if module.first().map(String::as_str) != Some("domain") {
            continue;
        }
        for (top, _) in crate_paths(code) {
            if top != "domain" {
                wrong.push(format!("{}: crate::{top}", module.join("::")));
            }
        }
        for framework in ["leptos", "axum", "sqlx", "tower"] {
            if code.contains(&format!("{framework}::")) {
                wrong.push(format!("{}: {framework}", module.join("::")));
            }
        }
    }
    assert!(wrong.is_empty(), "the domain depends on: {wrong:#?}");
}

#[test]
fn the_model_uses_only_the_domain_the_error_and_the_languages() {
    let krate = the_crate();
    let mut wrong = Vec::new();
    for (module, code) in &krate.files {
        if module.first().map(String::as_str) != Some("model") {
            continue;
        }
        for (top, _) in crate_paths(code) {
            if !["model", "domain", "error", "i18n"].contains(&top.as_str()) {
                wrong.push(format!("{}: crate::{top}", module.join("::")));
            }
        }
    }
    assert!(wrong.is_empty(), "the model depends on: {wrong:#?}");
}

#[test]
fn the_server_side_never_uses_the_server_functions_or_the_pages() {
    let krate = the_crate();
    let mut wrong = Vec::new();
    for (module, code) in &krate.files {
        if module.first().map(String::as_str) != Some("ssr") {
            continue;
        }
        for (top, _) in crate_paths(code) {
            if top == "api" || top == "ui" {
                wrong.push(format!("{}: crate::{top}", module.join("::")));
            }
        }
    }
    assert!(wrong.is_empty(), "ssr imports from api or ui: {wrong:#?}");
}

#[test]
fn no_circle_between_the_top_level_modules() {
    let krate = the_crate();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &krate.files {
        let Some(from) = module.first() else { continue };
        for (top, _) in crate_paths(code) {
            if &top != from {
                graph.entry(from.clone()).or_default().insert(top);
            }
        }
    }
    let found = cycles(&graph);
    assert!(found.is_empty(), "circles between modules: {found:?}");
}

#[test]
fn no_circle_between_the_server_modules() {
    let krate = the_crate();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &krate.files {
        if module.first().map(String::as_str) != Some("ssr") || module.len() < 2 {
            continue;
        }
        let from = &module[1];
        // Inside `ssr`, `super::x` and `crate::ssr::x` both name a sibling module.
        let mut uses: BTreeSet<String> = crate_paths(code)
            .into_iter()
            .filter(|(top, second)| top == "ssr" && !second.is_empty())
            .map(|(_, second)| second)
            .collect();
        if module.len() == 2 {
            for (i, _) in code.match_indices("super::") {
                let name: String = code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    uses.insert(name);
                }
            }
        }
        for to in uses {
            if &to != from {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // Names re-exported at `ssr`'s root (`AppState`, `app_state`) belong to `state`.
    for targets in graph.values_mut() {
        if targets.remove("app_state") | targets.remove("AppState") {
            targets.insert("state".into());
        }
    }
    let found = cycles(&graph);
    assert!(found.is_empty(), "circles between ssr modules: {found:?}");
}

#[test]
fn the_path_reader_sees_grouped_and_inline_paths() {
    let paths = crate_paths(
        "use crate::ssr::{access, db::Db};\nlet x = crate::api::login();\nuse crate::{domain, error::AppError};",
    );
    for expected in [
        ("ssr", "access"),
        ("ssr", "db"),
        ("api", "login"),
        ("domain", ""),
        ("error", ""),
    ] {
        assert!(
            paths.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} not read from {paths:?}"
        );
    }
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(cycles(&graph).len(), 1, "a circle of two is found");
}
