//! Hardening, on SQLite and PostgreSQL: hostile text in every free-text field is stored and
//! shown as text (or refused next to its field), never as markup and never with a 5xx; text
//! over its limit is refused and nothing is stored; malformed requests to every server
//! function and every export are answered 4xx (400, 413, 415 for what cannot be read) and
//! store nothing; the login throttle lets exactly five password checks through per name,
//! known or not; a review of a superseded version is refused; exports are inert; the filing
//! form is saved strictly; supervisors never see drafts; every page carries its security
//! headers.
//!
//! The answers of the hardened app are read as JSON (`serde_json::Value`) where they use the
//! new error shapes (`Malformed`, `Throttled { retry_at, wait_seconds }`,
//! `Conflict::Superseded`), so this file builds against the app before and after them.

mod common;

use app::domain::forms::BindingKind;
use common::fixtures::Account;
use common::{filing_fields, login_args, Backend, Options, TestApp};
use reqwest::header::{ACCEPT, CONTENT_TYPE, ORIGIN, REFERER};
use serde_json::Value;

on_both_databases!(
    hostile_text_in_every_free_text_field_is_shown_as_text_on_every_page_or_refused_never_as_markup,
    text_longer_than_its_field_allows_is_refused_next_to_the_field_and_nothing_is_stored,
    a_refused_plain_form_post_brings_the_hostile_text_typed_back_as_text,
    every_server_function_answers_malformed_requests_with_4xx_and_stores_nothing,
    bodies_that_cannot_be_read_are_refused_with_400_413_or_415_and_store_nothing,
    the_list_of_server_functions_fuzzed_is_every_one_the_router_serves,
    every_export_and_page_answers_garbage_queries_without_a_server_error,
    refused_requests_never_show_the_decoders_text_and_a_plain_form_post_gets_an_html_page,
    fifty_parallel_wrong_logins_for_one_account_let_exactly_five_password_checks_through,
    fifty_parallel_wrong_logins_for_an_unknown_name_are_answered_exactly_like_a_known_one,
    after_the_lock_even_the_right_password_waits_until_the_lock_expires,
    many_failed_logins_from_one_address_are_throttled_whatever_the_names,
    accepting_a_version_that_a_newer_submission_superseded_is_refused_and_the_newer_one_waits,
    exports_neutralise_formula_like_text_in_csv_and_write_it_as_text_in_xlsx,
    saving_a_filing_refuses_unknown_fields_answer_values_and_rows_that_do_not_bind_the_unit,
    submitting_with_a_version_that_is_not_a_positive_integer_is_refused_without_a_server_error,
    supervisors_see_no_draft_content_only_that_a_draft_exists_and_still_see_submitted_versions,
    every_page_sends_the_content_security_policy_and_the_other_security_headers,
);

const IN_WINDOW: &str = "2027-01-05T10:00:00+08:00";
const AFTER_WINDOW: &str = "2027-01-11T09:00:00+08:00";
const PERIOD: &str = "2026-Y";

async fn in_window(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, Options::fresh(IN_WINDOW)).await
}

fn set_clock(app: &TestApp, at: &str) {
    app.clock
        .set(Some(app::domain::time::parse_instant(at).unwrap()));
}

// ---------------------------------------------------------------------------------------
// Requests and answers
// ---------------------------------------------------------------------------------------

/// A server function called as a hydrated page calls it; its status and body.
async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let res = app.call_with(client, endpoint, form).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// [`post`] that must answer 200; its JSON output.
async fn ok(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Value {
    let (status, body) = post(app, client, endpoint, form).await;
    assert_eq!(status, 200, "{endpoint} {form:?}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// The (field, message key) pairs of an `Invalid` answer; empty for any other answer.
fn invalid_fields(body: &str) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    v.get("Invalid")
        .and_then(|a| a.as_array())
        .map(|pairs| {
            pairs
                .iter()
                .filter_map(|p| Some((p[0].as_str()?.to_string(), p[1].as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn key_of(body: &str, field: &str) -> Option<String> {
    invalid_fields(body)
        .into_iter()
        .find(|(f, _)| f == field)
        .map(|(_, k)| k)
}

/// A raw POST with its own content type and body (Origin set: the CSRF check passes).
async fn raw_post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    content_type: Option<&str>,
    accept: Option<&str>,
    body: Vec<u8>,
) -> (u16, String, String) {
    let mut req = client
        .post(app.url(path))
        .header(ORIGIN, &app.base)
        .header(REFERER, app.url("/"));
    if let Some(ct) = content_type {
        req = req.header(CONTENT_TYPE, ct);
    }
    if let Some(a) = accept {
        req = req.header(ACCEPT, a);
    }
    let res = req
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: no answer ({e})"));
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = res.bytes().await.unwrap_or_default();
    (status, ct, String::from_utf8_lossy(&bytes).into_owned())
}

/// A POST that declares a 5 MiB body (`Content-Length`) but sends only its first 64 KiB, over
/// a plain TCP connection: a server that refuses it before reading answers at once; one that
/// waits for the rest does not answer within 5 s. Answers (status, content type, body), or
/// why there was no answer.
async fn declared_five_mib_post(
    base: &str,
    path: &str,
    accept: &str,
) -> Result<(u16, String, String), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .map_err(|e| e.to_string())?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: {}\r\nReferer: {}/\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nAccept: {accept}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\nreason=",
        base,
        base,
        5 * 1024 * 1024
    );
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    // The server may stop reading (and even close) at any point from here.
    let _ = stream.write_all(&vec![b'x'; 64 * 1024]).await;
    let mut raw = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) => break,
                Ok(n) => raw.extend_from_slice(&chunk[..n]),
                Err(_) => break,
            }
            // The whole answer is in once its headers and declared length are.
            let text = String::from_utf8_lossy(&raw);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end].lines().find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                });
                if let Some(length) = length {
                    if raw.len() >= end + 4 + length {
                        break;
                    }
                }
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    if text.is_empty() {
        return Err(match read {
            Err(_) => "no answer within 5 s: the server waits for the body".into(),
            Ok(()) => "the connection closed without an answer".into(),
        });
    }
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {}", short_text(head)))?;
    let content_type = head
        .lines()
        .find_map(|l| {
            let lower = l.to_ascii_lowercase();
            lower
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default();
    Ok((status, content_type, body.to_string()))
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client
        .get(app.url(path))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: no answer ({e})"));
    let status = res.status().as_u16();
    let bytes = res.bytes().await.unwrap_or_default();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The row counts of every table a request could add to.
const TABLES: [&str; 13] = [
    "unit",
    "enterprise",
    "app_user",
    "audit_event",
    "filing",
    "filing_answer",
    "filing_note",
    "late_exception",
    "filing_review",
    "summary",
    "escalation",
    "escalation_response",
    "accident",
];

async fn counts(app: &TestApp) -> Vec<(&'static str, i64)> {
    let sql = format!(
        "SELECT {}",
        TABLES
            .iter()
            .map(|t| format!("(SELECT COUNT(*) FROM {t})"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    use sqlx::Row;
    let row = sqlx::query(&sql).fetch_one(&app.db).await.unwrap();
    TABLES
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, row.get::<i64, _>(i)))
        .collect()
}

async fn one(app: &TestApp, sql: &str, binds: &[&str]) -> i64 {
    let mut q = sqlx::query_scalar::<_, i64>(sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.fetch_one(&app.db).await.unwrap()
}

// ---------------------------------------------------------------------------------------
// 1. Hostile text
// ---------------------------------------------------------------------------------------

/// Every hostile payload, in one text.
const CORPUS: &[&str] = &[
    "</textarea><img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "</style><svg onload=alert(1)>",
    "</title><img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "\u{202E}gpj.exe",
    "\\ud800\\udfff",
    "尚未落实，计划在下季度完成整改并复查。",
];

/// Payloads short enough for a name (at most 50 characters with a marker).
const SHORT: &[&str] = &[
    "</textarea><img src=x onerror=alert(1)>",
    "</title><svg onload=alert(1)>\u{202E}",
    "\"><svg onload=alert(1)>'x",
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>\\ud800",
    "</style><img src=x onerror=alert(1)>",
];

/// What must never appear in a page: the payloads' markup, unescaped.
const RAW_MARKUP: &[&str] = &[
    "<img src=x",
    "<svg onload",
    "<script>alert",
    "href=\"javascript:",
    "src=\"javascript:",
    "\"><svg",
];

/// Markers tell each field's text apart on the pages: `HXnnZ`.
fn marker(n: usize) -> String {
    format!("HX{n:02}Z")
}

/// The whole corpus, marked.
fn corpus(marker: &str) -> String {
    format!("{marker} {}", CORPUS.join(" "))
}

/// 10,000 characters of the corpus, marked.
fn long(marker: &str) -> String {
    let one = corpus(marker);
    one.chars().cycle().take(10_000).collect()
}

/// A short payload for a name field, marked.
fn short(marker: &str, n: usize) -> String {
    format!("{marker}{}", SHORT[n % SHORT.len()])
}

/// (who, as whom, page, server function, fields) of a refused post.
type PostCase<'a> = (
    &'a str,
    &'a reqwest::Client,
    &'a str,
    &'a str,
    Vec<(&'a str, &'a str)>,
);

/// (what, content type, body, status expected, error expected) of a body that cannot be read.
type BodyCase<'a> = (&'a str, Option<&'a str>, Vec<u8>, u16, &'a str);

/// A text with a NUL may be refused at the edge, before any server function: 400
/// `Malformed::Encoding` (PostgreSQL cannot store a NUL), with nothing stored.
fn refused_for_nul(text: &str, status: u16, body: &str) -> bool {
    text.contains('\u{0}') && status == 400 && body.contains("\"Malformed\":\"Encoding\"")
}

/// The texts tried for one field, in order: 10,000 characters, the text with a NUL, the text.
fn hostile(text: String, marker: &str) -> Vec<String> {
    vec![long(marker), format!("{text}\u{0}NUL"), text]
}

/// The texts tried in the strict run: 10,000 characters (must be refused), then a plain text.
fn plain(text: String, marker: &str) -> Vec<String> {
    vec![long(marker), text]
}

/// How a text field is probed: `hostile` (the 10,000 characters may be stored or refused
/// with `err.too_long`) or `strict` (they must be refused with `err.too_long` on the field,
/// and nothing may be stored).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Hostile,
    Strict,
}

/// Posts `field` = each candidate in turn (with `base`) until one is accepted; answers which
/// and the output. Each answer is 200, or 422 naming only fields in `fields`; the 10,000
/// characters refused are refused as `err.too_long`.
#[allow(clippy::too_many_arguments)] // one call per field of the corpus, each different
async fn store_text(
    app: &TestApp,
    client: &reqwest::Client,
    mode: Mode,
    endpoint: &str,
    base: &[(&str, &str)],
    field: &str,
    fields: &[&str],
    candidates: &[String],
) -> Option<(usize, Value)> {
    for (i, text) in candidates.iter().enumerate() {
        let mut form: Vec<(&str, &str)> = base.to_vec();
        form.push((field, text.as_str()));
        let before = counts(app).await;
        let (status, body) = post(app, client, endpoint, &form).await;
        let is_long = text.chars().count() >= 10_000;
        if mode == Mode::Strict && is_long {
            assert_eq!(
                status,
                422,
                "{endpoint}: 10,000 characters in {field} are refused: {}",
                &body[..body.len().min(300)]
            );
            assert_eq!(
                counts(app).await,
                before,
                "{endpoint}: nothing is stored when {field} is too long"
            );
        }
        match status {
            _ if refused_for_nul(text, status, &body) => {
                assert_eq!(
                    counts(app).await,
                    before,
                    "{endpoint}: a refused NUL stores nothing"
                );
            }
            200 => return Some((i, serde_json::from_str(&body).unwrap_or(Value::Null))),
            422 => {
                let errors = invalid_fields(&body);
                assert!(
                    !errors.is_empty() && errors.iter().all(|(f, _)| fields.contains(&f.as_str())),
                    "{endpoint}: {field} is refused next to the field ({fields:?}): {body}"
                );
                if is_long {
                    assert!(
                        errors.iter().any(|(_, k)| k == "err.too_long"),
                        "{endpoint}: 10,000 characters in {field} are err.too_long: {body}"
                    );
                }
                assert_eq!(
                    counts(app).await,
                    before,
                    "{endpoint}: a refused {field} stores nothing"
                );
            }
            s => panic!(
                "{endpoint}: {field} (candidate {i}, {} chars) answered {s}: {}",
                text.chars().count(),
                &body[..body.len().min(500)]
            ),
        }
    }
    None
}

/// What [`build_world`] made: the ids the pages need, the accounts, and the markers of the
/// texts that were stored.
struct World {
    county_id: String,
    ajj_id: String,
    firm_id: String,
    escalations: Vec<String>,
    filer: reqwest::Client,
    dept: Account,
    office: Account,
    city: Account,
    admin: Account,
    stored: Vec<(String, &'static str)>,
}

/// Puts text into every free-text field the app stores, as the pages do, walking a filing
/// through return, amendment and acceptance, summaries, an exception, and the escalation
/// ladder. `Mode::Hostile` uses the corpus; `Mode::Strict` plain text after 10,000 characters.
async fn build_world(app: &TestApp, mode: Mode) -> World {
    let mut n = 0usize;
    let mut next = || {
        n += 1;
        marker(n)
    };
    let texts = |text: String, m: &str| match mode {
        Mode::Hostile => hostile(text, m),
        Mode::Strict => plain(text, m),
    };
    // Plain text of a marker, long enough for every minimum.
    let words = |m: &str| match mode {
        Mode::Hostile => corpus(m),
        Mode::Strict => format!("{m} 尚未落实，计划在下季度完成整改并复查，已安排专人负责。"),
    };
    let name = |m: &str, i: usize| match mode {
        Mode::Hostile => short(m, i),
        Mode::Strict => format!("{m}赵建国"),
    };
    let mut stored: Vec<(String, &'static str)> = Vec::new();

    let county = app.county("五华区").await;
    let town = county.township("华山街道").await;
    let ajj = county
        .department("五华区安全生产监督管理局", &["chemical", "non_coal_mine"])
        .await;
    let admin = app.admin().await;
    let city = app.account_in(&app.city().await.office).await;
    let office = app.account_in(&county.office).await;
    let dept = app.account_in(&ajj).await;

    // The administrator creates the enterprise: name, address, legal representative.
    let (m_name, m_addr, m_rep) = (next(), next(), next());
    let unit_base = |name: String, addr: String, rep: String| {
        vec![
            ("name".to_string(), name),
            ("kind".to_string(), "enterprise".to_string()),
            ("county_id".to_string(), county.government.id.clone()),
            ("industry".to_string(), "chemical".to_string()),
            ("township_id".to_string(), town.id.clone()),
            ("address".to_string(), addr),
            ("legal_representative".to_string(), rep),
            ("headcount".to_string(), "50".to_string()),
            ("opened_on".to_string(), "2010-04-29".to_string()),
        ]
    };
    let unit_fields = [
        "name",
        "kind",
        "county_id",
        "industry",
        "township_id",
        "address",
        "legal_representative",
        "headcount",
    ];
    let plain_name = format!("{m_name}昆明华山化工有限公司");
    let unit_name = match mode {
        Mode::Hostile => format!("{m_name}{}", "</title><img src=x onerror=alert(1)>化工"),
        Mode::Strict => plain_name.clone(),
    };
    // The name: every other field plain.
    let mut firm_id = None;
    for (i, candidate) in texts(unit_name.clone(), &m_name).into_iter().enumerate() {
        // Each accepted candidate would make a unit; the name must be new each time.
        let candidate = if i == 0 {
            candidate
        } else {
            format!("{candidate}{i}")
        };
        let unit_name_tried = candidate.clone();
        let base = unit_base(candidate, "五华区华山街道1号".into(), "赵建国".into());
        let form: Vec<(&str, &str)> = base.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let before = counts(app).await;
        let (status, body) = post(app, &admin, "create_unit", &form).await;
        match status {
            _ if refused_for_nul(&unit_name_tried, status, &body) => {
                assert_eq!(counts(app).await, before, "a refused NUL stores nothing");
            }
            200 => {
                firm_id = Some(serde_json::from_str::<String>(&body).unwrap());
                stored.push((m_name.clone(), "unit name"));
                break;
            }
            422 => {
                assert!(
                    key_of(&body, "name").is_some(),
                    "create_unit: the name is refused next to it: {body}"
                );
                if i == 0 {
                    assert_eq!(key_of(&body, "name").as_deref(), Some("err.too_long"));
                }
                assert_eq!(counts(app).await, before, "a refused unit stores nothing");
            }
            s => panic!("create_unit name candidate {i}: {s}: {body}"),
        }
        assert!(
            !(mode == Mode::Strict && i == 0 && status == 200),
            "a 10,000-character unit name is refused"
        );
    }
    let firm_id = match firm_id {
        Some(id) => id,
        None => {
            // The hostile name was refused (allowed): the enterprise gets a plain one.
            let base = unit_base(plain_name, "五华区华山街道1号".into(), "赵建国".into());
            let form: Vec<(&str, &str)> =
                base.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            serde_json::from_value(ok(app, &admin, "create_unit", &form).await).unwrap()
        }
    };
    // The address and the legal representative, on units of their own.
    for (field, m, i) in [("address", &m_addr, 1), ("legal_representative", &m_rep, 2)] {
        // An address holds at most 200 characters, a name 50: the short payloads.
        let text = name(m, i);
        let mut k = 0;
        let mut accepted = false;
        for candidate in texts(text, m) {
            k += 1;
            let mut base = unit_base(
                format!("{m}测试企业{k}"),
                "五华区华山街道2号".into(),
                "钱明".into(),
            );
            let tried = candidate.clone();
            base.iter_mut().find(|(f, _)| f == field).unwrap().1 = candidate;
            let form: Vec<(&str, &str)> =
                base.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let before = counts(app).await;
            let (status, body) = post(app, &admin, "create_unit", &form).await;
            if mode == Mode::Strict && k == 1 {
                assert_eq!(status, 422, "create_unit: 10,000 characters in {field}");
            }
            match status {
                _ if refused_for_nul(&tried, status, &body) => {
                    assert_eq!(counts(app).await, before, "a refused NUL stores nothing");
                }
                200 => {
                    stored.push((m.clone(), "unit address / legal representative"));
                    accepted = true;
                    break;
                }
                422 => {
                    assert!(key_of(&body, field).is_some(), "{field}: {body}");
                    if k == 1 {
                        assert_eq!(key_of(&body, field).as_deref(), Some("err.too_long"));
                    }
                    assert_eq!(counts(app).await, before);
                }
                s => panic!("create_unit {field} candidate {k}: {s}: {body}"),
            }
        }
        assert!(accepted, "create_unit: a plain {field} is accepted");
    }
    let _ = unit_fields;

    // The administrator creates the filer, with a display name.
    let m_display = next();
    let filer_name = format!("hx{}", m_display.to_lowercase());
    let password = "hostile-pass-1";
    let user_base = [
        ("username", filer_name.as_str()),
        ("unit_id", firm_id.as_str()),
        ("role", "enterprise_filer"),
        ("password", password),
    ];
    let display = name(&m_display, 3);
    if store_text(
        app,
        &admin,
        mode,
        "create_user",
        &user_base,
        "display_name",
        &["display_name"],
        &texts(display, &m_display),
    )
    .await
    .is_some()
    {
        stored.push((m_display.clone(), "display name"));
    } else {
        let mut base = user_base.to_vec();
        base.push(("display_name", "孙丽华"));
        ok(app, &admin, "create_user", &base).await;
    }
    let filer = app.browser();
    app.try_fn(&filer, login_args(&filer_name, password))
        .await
        .expect("the filer logs in");

    // The filing: frame, explanations, notes (unmet rows 1.3 and 5.3).
    let frame = ["principal", "leader_in_charge", "filled_by", "reviewed_by"];
    let fm: Vec<String> = frame.iter().map(|_| next()).collect();
    let (m_phone, m_x13, m_x53, m_n1, m_n5) = (next(), next(), next(), next(), next());
    let filing_text_fields = [
        "principal",
        "leader_in_charge",
        "filled_by",
        "reviewed_by",
        "phone",
        "x1_3",
        "x5_3",
        "note1",
        "note5",
    ];
    // Fields of the form with `text(field)` in every text field.
    let form_with = |text: &dyn Fn(&str) -> String, intent: &str| -> Vec<(String, String)> {
        let mut f = filing_fields(BindingKind::Enterprise, &[("1.3", "x"), ("5.3", "x")]);
        f.retain(|(k, _)| k != "period");
        for (k, v) in f.iter_mut() {
            let id = match k.as_str() {
                "explanations[x1_3]" => "x1_3",
                "explanations[x5_3]" => "x5_3",
                other => other,
            };
            if filing_text_fields.contains(&id) {
                *v = text(id);
            }
        }
        f.push(("notes[f1]".into(), text("note1")));
        f.push(("notes[f5]".into(), text("note5")));
        f.push(("period".into(), PERIOD.into()));
        f.push(("intent".into(), intent.into()));
        f
    };
    let marker_of = |id: &str| -> String {
        match id {
            "principal" => fm[0].clone(),
            "leader_in_charge" => fm[1].clone(),
            "filled_by" => fm[2].clone(),
            "reviewed_by" => fm[3].clone(),
            "phone" => m_phone.clone(),
            "x1_3" => m_x13.clone(),
            "x5_3" => m_x53.clone(),
            "note1" => m_n1.clone(),
            _ => m_n5.clone(),
        }
    };
    let filer_ref = &filer;
    let save = |fields: Vec<(String, String)>| async move {
        let form: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let before = counts(app).await;
        let (status, body) = post(app, filer_ref, "save_filing", &form).await;
        if status == 422 {
            assert_eq!(counts(app).await, before, "a refused save stores nothing");
        }
        (status, body)
    };
    // 10,000 characters everywhere: stored, or refused as too long (the phone as a phone).
    let (status, body) = save(form_with(&|id| long(&marker_of(id)), "save")).await;
    match (status, mode) {
        (422, _) => {
            let errors = invalid_fields(&body);
            assert!(
                errors
                    .iter()
                    .all(|(f, k)| filing_text_fields.contains(&f.as_str())
                        && (k == "err.too_long" || f == "phone")),
                "save_filing: 10,000 characters are err.too_long: {body}"
            );
            if mode == Mode::Strict {
                for f in filing_text_fields {
                    assert!(
                        key_of(&body, f).is_some(),
                        "save_filing: {f} is too long: {body}"
                    );
                }
            }
        }
        (200, Mode::Hostile) => {}
        (s, _) => panic!("save_filing with 10,000 characters: {s}: {body}"),
    }
    let text_of = |id: &str, nul: bool| -> String {
        let m = marker_of(id);
        let t = if id.starts_with('x') || id.starts_with("note") {
            words(&m)
        } else {
            let i = frame.iter().position(|f| *f == id).unwrap_or(4);
            name(&m, i)
        };
        if nul {
            format!("{t}\u{0}NUL")
        } else {
            t
        }
    };
    if mode == Mode::Hostile {
        // The corpus with a NUL, and a hostile phone.
        let (status, body) = save(form_with(&|id| text_of(id, true), "save")).await;
        assert!(
            status == 200
                || (status == 400 && body.contains("\"Malformed\":\"Encoding\""))
                || (status == 422
                    && invalid_fields(&body)
                        .iter()
                        .all(|(f, _)| filing_text_fields.contains(&f.as_str()))),
            "save_filing with NUL: {status}: {body}"
        );
    }
    // The corpus, with a real phone: saved and checked for submission.
    let phone = "0871-63123456".to_string();
    let fields = form_with(
        &|id| {
            if id == "phone" {
                phone.clone()
            } else {
                text_of(id, false)
            }
        },
        "review",
    );
    let (status, body) = save(fields.clone()).await;
    assert_eq!(status, 200, "save_filing with the corpus: {body}");
    for id in filing_text_fields.iter().filter(|f| **f != "phone") {
        stored.push((marker_of(id), "filing text"));
    }
    let version = |v: &Value| v["version"].as_i64().unwrap().to_string();
    let saved: Value = serde_json::from_str(&body).unwrap();
    ok(
        app,
        &filer,
        "submit_filing",
        &[("period", PERIOD), ("version", &version(&saved))],
    )
    .await;
    let v1 = ok(app, &filer, "filing", &[("period", PERIOD)]).await;
    let v1_id = v1["record"]["filing_id"].as_str().unwrap().to_string();

    // The department returns it with a reason.
    let m_return = next();
    store_text(
        app,
        &dept,
        mode,
        "review_filing",
        &[("filing_id", &v1_id), ("decision", "return")],
        "reason",
        &["reason"],
        &texts(words(&m_return), &m_return),
    )
    .await
    .expect("the return is made");
    stored.push((m_return, "return reason"));

    // The filer amends and submits again; the department accepts.
    ok(app, &filer, "revise_filing", &[("period", PERIOD)]).await;
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = ok(app, &filer, "save_filing", &form).await;
    ok(
        app,
        &filer,
        "submit_filing",
        &[("period", PERIOD), ("version", &version(&saved))],
    )
    .await;
    let v2 = ok(app, &filer, "filing", &[("period", PERIOD)]).await;
    let v2_id = v2["record"]["filing_id"].as_str().unwrap().to_string();
    ok(
        app,
        &dept,
        "review_filing",
        &[("filing_id", &v2_id), ("decision", "accept")],
    )
    .await;

    // Summaries upward: the department's, the county's.
    for who in [&dept, &office] {
        let m = next();
        store_text(
            app,
            who,
            mode,
            "file_summary",
            &[("period", PERIOD)],
            "remarks",
            &["remarks"],
            &texts(words(&m), &m),
        )
        .await
        .expect("the summary is filed");
        stored.push((m, "summary remarks"));
    }

    // A late-filing exception for the first half-year, whose window has closed.
    let m_exc = next();
    store_text(
        app,
        &dept,
        mode,
        "grant_exception",
        &[
            ("unit_id", &firm_id),
            ("period", "2026-H1"),
            ("until", "2027-01-20"),
        ],
        "reason",
        &["reason"],
        &texts(words(&m_exc), &m_exc),
    )
    .await
    .expect("the exception is granted");
    stored.push((m_exc, "exception reason"));

    // After the window: the county office's proposals, issued and dismissed.
    set_clock(app, AFTER_WINDOW);
    let page = ok(app, &office, "escalations", &[]).await;
    let proposals: Vec<(String, String)> = page["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["escalation_id"].as_str().unwrap().to_string(),
                e["target_unit_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        proposals.len() >= 2,
        "the office has proposals to issue and to dismiss: {proposals:?}"
    );
    let (to_issue, to_dismiss) = (&proposals[0].0, &proposals[1].0);
    let mut escalations = vec![to_issue.clone(), to_dismiss.clone()];
    let m_dismiss = next();
    store_text(
        app,
        &office,
        mode,
        "dismiss_escalation",
        &[("escalation_id", to_dismiss)],
        "reason",
        &["reason"],
        &texts(words(&m_dismiss), &m_dismiss),
    )
    .await
    .expect("the proposal is dismissed");
    stored.push((m_dismiss, "dismiss reason"));
    let (m_reasons, m_measures) = (next(), next());
    store_text(
        app,
        &office,
        mode,
        "issue_escalation",
        &[
            ("escalation_id", to_issue),
            ("measures", "限期整改，按期报告。"),
            ("reply_due", ""),
        ],
        "reasons",
        &["reasons"],
        &texts(words(&m_reasons), &m_reasons),
    )
    .await
    .expect("the proposal is issued");
    stored.push((m_reasons, "proposal reasons"));
    // The measures of a proposal: issue another, if there is one.
    if let Some((third, _)) = proposals.get(2) {
        escalations.push(third.clone());
        store_text(
            app,
            &office,
            mode,
            "issue_escalation",
            &[
                ("escalation_id", third),
                ("reasons", "多项不落实，请限期整改。"),
                ("reply_due", ""),
            ],
            "measures",
            &["measures"],
            &texts(words(&m_measures), &m_measures),
        )
        .await
        .expect("the proposal is issued");
        stored.push((m_measures, "proposal measures"));
    }

    // By hand: an admonition (reasons), a disclosure (measures).
    let m_adm = next();
    let (_, adm_number) = store_text(
        app,
        &office,
        mode,
        "issue_manual",
        &[
            ("target_unit_id", &firm_id),
            ("rung", "admonition"),
            ("measures", "限期整改，按期报告。"),
        ],
        "reasons",
        &["reasons"],
        &texts(words(&m_adm), &m_adm),
    )
    .await
    .expect("the admonition is issued");
    stored.push((m_adm, "manual reasons"));
    let m_disc = next();
    store_text(
        app,
        &office,
        mode,
        "issue_manual",
        &[
            ("target_unit_id", &firm_id),
            ("rung", "disclosure"),
            ("reasons", "经告诫仍未整改，予以公开。"),
        ],
        "measures",
        &["measures"],
        &texts(words(&m_disc), &m_disc),
    )
    .await
    .expect("the disclosure is issued");
    stored.push((m_disc, "manual measures"));
    let issued = ok(app, &office, "escalations", &[]).await;
    let id_of = |number: &Value| -> String {
        issued["issued"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| &e["number"] == number)
            .unwrap_or_else(|| panic!("{number} is issued"))["escalation_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let admonition = id_of(&adm_number);
    escalations.extend(
        issued["issued"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["escalation_id"].as_str().unwrap().to_string()),
    );

    // The enterprise acknowledges and reports; the office asks for more; then closes it.
    ok(
        app,
        &filer,
        "acknowledge_escalation",
        &[("id", &admonition)],
    )
    .await;
    let m_body = next();
    store_text(
        app,
        &filer,
        mode,
        "respond_escalation",
        &[("id", &admonition)],
        "body",
        &["body"],
        &texts(words(&m_body), &m_body),
    )
    .await
    .expect("the report is filed");
    stored.push((m_body, "reply body"));
    let m_note = next();
    store_text(
        app,
        &office,
        mode,
        "decide_response",
        &[("id", &admonition), ("decision", "more")],
        "note",
        &["note"],
        &texts(words(&m_note), &m_note),
    )
    .await
    .expect("the office asks for more");
    stored.push((m_note, "decision note"));
    let m_close = next();
    store_text(
        app,
        &office,
        mode,
        "close_escalation",
        &[("id", &admonition)],
        "reason",
        &["reason", "close_reason"],
        &texts(words(&m_close), &m_close),
    )
    .await
    .expect("the escalation is closed");
    stored.push((m_close, "close reason"));

    // An accident.
    let m_acc = next();
    store_text(
        app,
        &office,
        mode,
        "record_accident",
        &[("unit_id", &firm_id), ("occurred_on", "2027-01-08")],
        "description",
        &["description"],
        &texts(words(&m_acc), &m_acc),
    )
    .await
    .expect("the accident is recorded");
    stored.push((m_acc, "accident description"));
    escalations.sort();
    escalations.dedup();

    World {
        county_id: county.government.id.clone(),
        ajj_id: ajj.id.clone(),
        firm_id,
        escalations,
        filer,
        dept,
        office,
        city,
        admin,
        stored,
    }
}

/// A page fetched for the checks: 200, and none of the corpus's markup unescaped; what is
/// wrong with it is added to `faults`.
async fn checked_page(
    app: &TestApp,
    client: &reqwest::Client,
    who: &str,
    path: &str,
    faults: &mut Vec<String>,
) -> String {
    let (status, html) = get(app, client, path).await;
    if status != 200 {
        faults.push(format!("{who} GET {path}: {status}"));
    }
    for raw in RAW_MARKUP {
        if let Some(at) = html.find(raw) {
            let mut from = at.saturating_sub(100);
            while !html.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = (at + 60).min(html.len());
            while !html.is_char_boundary(to) {
                to += 1;
            }
            faults.push(format!(
                "{who} GET {path}: raw markup {raw:?} in the page: …{}…",
                &html[from..to]
            ));
            break;
        }
    }
    html
}

async fn hostile_text_in_every_free_text_field_is_shown_as_text_on_every_page_or_refused_never_as_markup(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let w = build_world(&app, Mode::Hostile).await;
    let f = &w.firm_id;
    let p = PERIOD;
    let mut all_html = String::new();
    let mut pages: Vec<(&str, &reqwest::Client, String)> = vec![];
    let anonymous = app.browser();
    for path in [
        "/".to_string(),
        format!("/filing?period={p}"),
        format!("/filing?period={p}&version=1"),
        format!("/filing?period={p}&version=2"),
        format!("/filing/print?period={p}"),
        format!("/filing/print?period={p}&version=1"),
        format!("/filing/confirm?period={p}"),
        format!("/history?period={p}"),
        "/inbox".into(),
        "/account/password".into(),
    ] {
        pages.push(("filer", &w.filer, path));
    }
    for path in [
        "/".to_string(),
        format!("/filing?period={p}&unit={f}"),
        format!("/filing?period={p}&unit={f}&version=1"),
        format!("/filing/print?period={p}&unit={f}"),
        format!("/filing/print?period={p}&unit={f}&version=1"),
        format!("/history?unit={f}&period={p}"),
        format!("/review?period={p}"),
        format!("/review?period={p}&status=accepted"),
        format!("/rollup?period={p}"),
        format!("/rollup?period={p}&row=1.3"),
        format!("/rollup?period={p}&row=5.3"),
        "/exceptions".into(),
        "/inbox".into(),
    ] {
        pages.push(("department", &w.dept.client, path));
    }
    for path in [
        "/".to_string(),
        format!("/filing?period={p}&unit={f}"),
        format!("/history?unit={f}&period={p}"),
        format!("/review?period={p}"),
        format!("/rollup?period={p}"),
        format!("/rollup?period={p}&unit={}", w.ajj_id),
        format!("/rollup?period={p}&unit={}&row=5.3", w.ajj_id),
        format!("/rollup?period={p}&row=5.3"),
        "/escalations".into(),
        "/escalations?status=closed".into(),
        "/escalations?status=dismissed".into(),
        format!("/brief?unit={f}"),
        "/exceptions".into(),
        "/inbox".into(),
    ] {
        pages.push(("county office", &w.office.client, path));
    }
    for path in [
        "/".to_string(),
        format!("/report?period={p}"),
        format!("/rollup?period={p}"),
        format!("/rollup?period={p}&unit={}", w.county_id),
        format!("/rollup?period={p}&unit={}", w.ajj_id),
        "/escalations".into(),
        format!("/brief?unit={f}"),
    ] {
        pages.push(("city office", &w.city.client, path));
    }
    for id in &w.escalations {
        pages.push((
            "county office",
            &w.office.client,
            format!("/escalation?id={id}"),
        ));
        pages.push((
            "city office",
            &w.city.client,
            format!("/escalation?id={id}"),
        ));
    }
    pages.push(("filer", &w.filer, "/inbox".into()));
    for path in ["/public", "/login"] {
        pages.push(("anonymous", &anonymous, path.into()));
    }
    for path in ["/admin/units", "/admin/units?q=HX", "/admin/users", "/"] {
        pages.push(("administrator", &w.admin.client, path.into()));
    }
    // The filer's escalations, as the inbox lists them.
    let inbox = ok(&app, &w.filer, "inbox", &[]).await;
    for e in inbox["escalations"].as_array().unwrap() {
        let id = e["escalation_id"].as_str().unwrap();
        pages.push(("filer", &w.filer, format!("/escalation?id={id}")));
        pages.push(("department", &w.dept.client, format!("/escalation?id={id}")));
    }
    let mut faults = vec![];
    for (who, client, path) in &pages {
        all_html.push_str(&checked_page(&app, client, who, path, &mut faults).await);
    }
    // The supervisor's view of the filing shows the filing's own text, escaped.
    let supervisor = checked_page(
        &app,
        &w.dept,
        "department",
        &format!("/filing?period={p}&unit={f}"),
        &mut faults,
    )
    .await;
    for (m, what) in &w.stored {
        if *what == "filing text" && !supervisor.contains(m.as_str()) {
            faults.push(format!(
                "the supervisor's filing page does not show {what} {m}"
            ));
        }
    }
    if !(supervisor.contains("&lt;") && supervisor.contains("onerror=alert(1)")) {
        faults.push("the supervisor's filing page does not show the payload as text".into());
    }
    // Every text stored is shown somewhere.
    for (m, what) in &w.stored {
        if !all_html.contains(m.as_str()) {
            faults.push(format!("{what} {m} is shown on no page"));
        }
    }
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

/// A plain HTML form post (JavaScript off) from `from` by `client`.
async fn form_post(
    app: &TestApp,
    client: &reqwest::Client,
    from: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/{endpoint}")))
        .header(ORIGIN, &app.base)
        .header(REFERER, app.url(from))
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .form(form)
        .send()
        .await
        .expect("POST")
}

async fn a_refused_plain_form_post_brings_the_hostile_text_typed_back_as_text(backend: Backend) {
    let app = in_window(backend).await;
    let w = app.wuhua().await;
    let qiye = app.account_in(&w.firm).await;
    let dept = app.account_in(&w.ajj).await;
    let office = app.account_in(&w.county.office).await;
    let admin = app.admin().await;
    let text = corpus("HXFLASH");
    let mut filing: Vec<(String, String)> =
        filing_fields(BindingKind::Enterprise, &[("5.3", text.as_str())]);
    filing.iter_mut().find(|(k, _)| k == "phone").unwrap().1 = "12345".into();
    filing.push(("notes[f5]".into(), text.clone()));
    filing.push(("intent".into(), "save".into()));
    let filing: Vec<(&str, &str)> = filing
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let county_id = w.county.government.id.clone();
    let cases: Vec<PostCase> = vec![
        ("enterprise", &qiye.client, "/filing", "save_filing", filing),
        (
            "county office",
            &office.client,
            "/escalations",
            "issue_manual",
            vec![
                ("target_unit_id", &w.firm.id),
                ("rung", "no-such-rung"),
                ("reasons", &text),
                ("measures", &text),
            ],
        ),
        (
            "county office",
            &office.client,
            "/escalations",
            "record_accident",
            vec![
                ("unit_id", &w.firm.id),
                ("occurred_on", "not-a-date"),
                ("description", &text),
            ],
        ),
        (
            "department",
            &dept.client,
            "/exceptions",
            "grant_exception",
            vec![
                ("unit_id", &w.firm.id),
                ("period", "2026-H1"),
                ("until", "not-a-date"),
                ("reason", &text),
            ],
        ),
        (
            "administrator",
            &admin.client,
            "/admin/units",
            "create_unit",
            vec![
                ("name", "HXFLASH</textarea><img src=x onerror=alert(1)>"),
                ("kind", "no-such-kind"),
                ("county_id", &county_id),
                ("address", "HXFLASH\"><svg onload=alert(1)>"),
                (
                    "legal_representative",
                    "HXFLASH</title><svg onload=alert(1)>",
                ),
            ],
        ),
        (
            "administrator",
            &admin.client,
            "/admin/users",
            "create_user",
            vec![
                ("username", "bad name!"),
                (
                    "display_name",
                    "HXFLASH</textarea><img src=x onerror=alert(1)>",
                ),
                ("unit_id", "nope"),
                ("role", "nope"),
                ("password", "x"),
            ],
        ),
    ];
    let mut faults = vec![];
    for (who, client, from, endpoint, form) in cases {
        let res = form_post(&app, client, from, endpoint, &form).await;
        let status = res.status().as_u16();
        let to = common::location(&res);
        if !(300..400).contains(&status) || to.is_empty() {
            faults.push(format!(
                "{who} {endpoint}: a refused form post goes back: {status}"
            ));
            continue;
        }
        let html = checked_page(&app, client, who, &to, &mut faults).await;
        if !html.contains("HXFLASH") {
            faults.push(format!("{who} {endpoint}: {to} keeps what was typed"));
        }
    }
    assert_no_faults(&faults);
}

async fn text_longer_than_its_field_allows_is_refused_next_to_the_field_and_nothing_is_stored(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let w = build_world(&app, Mode::Strict).await;
    assert!(
        w.stored.len() >= 20,
        "every field was probed: {}",
        w.stored.len()
    );
}

// ---------------------------------------------------------------------------------------
// 2. Malformed requests
// ---------------------------------------------------------------------------------------

/// Every server function, by endpoint (`/api/<endpoint>`). `logout` comes last: a body it
/// can read logs the browser out.
const ENDPOINTS: &[&str] = &[
    "flash",
    "login",
    "change_password",
    "home",
    "units",
    "counties",
    "users",
    "create_unit",
    "create_user",
    "unit",
    "set_unit_life",
    "move_unit",
    "unit_merges",
    "merge_unit",
    "filing",
    "save_filing",
    "submit_filing",
    "revise_filing",
    "paper_filing",
    "enter_paper_filing",
    "exceptions",
    "grant_exception",
    "review_queue",
    "review_filing",
    "history",
    "rollup",
    "file_summary",
    "city_report",
    "escalations",
    "run_proposals",
    "issue_escalation",
    "dismiss_escalation",
    "issue_manual",
    "escalation",
    "acknowledge_escalation",
    "respond_escalation",
    "decide_response",
    "close_escalation",
    "record_accident",
    "inbox",
    "disclosures",
    "brief",
    "registry_job",
    "registry_import",
    "tokens",
    "create_token",
    "revoke_token",
    "logout",
];

const EXPORTS: &[&str] = &[
    "queue",
    "rollup",
    "units",
    "filings",
    "trend",
    "report",
    "registry",
    "registry-template",
    "organizations-template",
];

/// A small deterministic generator (xorshift) for the garbage.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn printable(&mut self, n: usize) -> Vec<u8> {
        const ALPHABET: &[u8] = b"abcxyz019_-.~%&=[]{}()<>\"' +;:/?#\\!@$^*|";
        (0..n)
            .map(|_| ALPHABET[(self.next() % ALPHABET.len() as u64) as usize])
            .collect()
    }
}

/// Urlencoded bodies that are malformed but readable: answered 2xx, 3xx or 4xx, never 5xx.
fn garbage_bodies(seed: u64) -> Vec<(String, Vec<u8>)> {
    let mut rng = Rng(seed);
    vec![
        ("empty".into(), vec![]),
        (
            "a JSON text".into(),
            br#"{"username":"a","password":"b","period":"2026-Y","version":1}"#.to_vec(),
        ),
        ("printable garbage".into(), rng.printable(300)),
        ("random bytes".into(), rng.bytes(256)),
        (
            "nested keys".into(),
            b"a[b][c]=1&a[b][d][e]=2&answers[r1_1][x]=done&fields[a][b]=c".to_vec(),
        ),
        (
            "list keys".into(),
            b"x[]=1&x[]=2&period[]=2026-Y&id[]=a&version[]=1&answers[]=done".to_vec(),
        ),
        (
            "huge numbers".into(),
            b"version=99999999999999999999999999&id=1e309&period=-1&filing_id=%00&unit=..%2F..&headcount=1e999&occurred_on=99999-99-99"
                .to_vec(),
        ),
        (
            "plausible ids that exist nowhere".into(),
            b"period=2026-Y&version=-1&decision=accept&filing_id=nope&id=nope&escalation_id=nope&unit_id=nope&unit=nope&target_unit_id=nope&rung=admonition&reason=%E5%8E%9F%E5%9B%A0%E8%AF%B4%E6%98%8E&body=x&note=x&token=x&username=x&password=y&current_password=x&new_password=abcdefgh&repeat_password=abcdefgh&kind=enterprise&county_id=x&name=x&role=administrator&display_name=x"
                .to_vec(),
        ),
        (
            "broken percent escapes".into(),
            b"%=%&&==&a=%zz&b=%&%%%=1&period=%2".to_vec(),
        ),
        (
            "strange filing fields".into(),
            b"period=2026-Y&answers[r1_1]=done&answers[r99_9]=x&explanations=1&notes[f0]=x&notes[f99999999999]=y&intent=review"
                .to_vec(),
        ),
        ("a NUL".into(), b"period=2026-Y%00&id=%00&reason=%00%00%00".to_vec()),
    ]
}

/// A fresh 五华区 with an account of every role.
struct Roles {
    clients: Vec<(&'static str, reqwest::Client)>,
}

async fn roles(app: &TestApp) -> Roles {
    let w = app.wuhua().await;
    let qiye = app.account_in(&w.firm).await;
    let dept = app.account_in(&w.ajj).await;
    let town = app.account_in(&w.town).await;
    let office = app.account_in(&w.county.office).await;
    let city = app.account_in(&app.city().await.office).await;
    let admin = app.admin().await;
    // Something to point at: a submitted filing.
    common::submit_filing(app, &qiye, BindingKind::Enterprise, &["5.3"], "1").await;
    Roles {
        clients: vec![
            ("anonymous", app.browser()),
            ("enterprise", qiye.client.clone()),
            ("department", dept.client.clone()),
            ("township", town.client.clone()),
            ("county office", office.client.clone()),
            ("city office", city.client.clone()),
            ("administrator", admin.client.clone()),
        ],
    }
}

/// The decoder's or the framework's text in an answer's body, if any.
fn decoder_text(body: &str) -> Option<&'static str> {
    [
        "Transport",
        "length limit",
        "missing field",
        "invalid digit",
        "ServerFnError",
        "Deserialization",
        "invalid type",
        "expected",
        "panicked",
    ]
    .into_iter()
    .find(|leak| body.contains(leak))
}

/// Asserts that every fault found is none; lists them all.
fn assert_no_faults(faults: &[String]) {
    // The rarer kinds first: a failure inside the server before the decoder's refusals.
    let mut sorted: Vec<&String> = faults.iter().collect();
    sorted.sort_by_key(|f| f.contains("Transport"));
    let shown: Vec<&str> = sorted.iter().take(80).map(|f| f.as_str()).collect();
    assert!(
        faults.is_empty(),
        "{} faults (first {}):\n{}",
        faults.len(),
        shown.len(),
        shown.join("\n")
    );
}

fn short_text(body: &str) -> &str {
    let mut end = body.len().min(200);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// The answer's body must not carry the decoder's or the framework's text.
fn assert_no_decoder_text(what: &str, body: &str) {
    for leak in [
        "Transport",
        "length limit",
        "missing field",
        "invalid digit",
        "ServerFnError",
        "Deserialization",
        "invalid type",
        "expected",
        "panicked",
    ] {
        assert!(
            !body.contains(leak),
            "{what}: the answer shows the decoder's text {leak:?}: {}",
            &body[..body.len().min(400)]
        );
    }
}

async fn every_server_function_answers_malformed_requests_with_4xx_and_stores_nothing(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let roles = roles(&app).await;
    let mut before = counts(&app).await;
    let mut faults = vec![];
    for (who, client) in &roles.clients {
        for (i, endpoint) in ENDPOINTS.iter().enumerate() {
            let path = format!("/api/{endpoint}");
            for (what, body) in garbage_bodies(7 + i as u64) {
                let (status, _, text) = raw_post(
                    &app,
                    client,
                    &path,
                    Some("application/x-www-form-urlencoded"),
                    None,
                    body,
                )
                .await;
                let label = format!("{who} POST {path} with {what}");
                if status >= 500 {
                    faults.push(format!("{label}: {status}: {}", short_text(&text)));
                }
                let after = counts(&app).await;
                if (400..500).contains(&status) {
                    if let Some(leak) = decoder_text(&text) {
                        faults.push(format!(
                            "{label}: {status} shows {leak:?}: {}",
                            short_text(&text)
                        ));
                    }
                    let mut expected = before.clone();
                    if *endpoint == "login" {
                        // A failed login is audited: that is its purpose.
                        let audit = after.iter().find(|(t, _)| *t == "audit_event").unwrap().1;
                        expected
                            .iter_mut()
                            .find(|(t, _)| *t == "audit_event")
                            .unwrap()
                            .1 = audit;
                    }
                    if after != expected {
                        faults.push(format!("{label} ({status}) stored something: {after:?}"));
                    }
                }
                before = after;
            }
        }
    }
    assert_no_faults(&faults);
}

async fn bodies_that_cannot_be_read_are_refused_with_400_413_or_415_and_store_nothing(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let roles = roles(&app).await;
    let five_mib = {
        let mut b = b"reason=".to_vec();
        b.resize(5 * 1024 * 1024, b'x');
        b
    };
    let too_many: Vec<u8> = (0..1001)
        .map(|i| format!("k{i}=v"))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes();
    let junk_keys: Vec<u8> = (0..10_000)
        .map(|i| format!("junk{i}x=1"))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes();
    let cases: Vec<BodyCase> =
        vec![
        (
            "a JSON body",
            Some("application/json"),
            br#"{"period":"2026-Y"}"#.to_vec(),
            415,
            "MediaType",
        ),
        ("plain text", Some("text/plain"), b"period=2026-Y".to_vec(), 415, "MediaType"),
        (
            "multipart",
            Some("multipart/form-data; boundary=x"),
            b"--x\r\nContent-Disposition: form-data; name=\"period\"\r\n\r\n2026-Y\r\n--x--\r\n"
                .to_vec(),
            415,
            "MediaType",
        ),
        (
            "percent escapes that are not UTF-8",
            Some("application/x-www-form-urlencoded"),
            b"period=%FF%FE&id=%C3%28&reason=%80".to_vec(),
            400,
            "Encoding",
        ),
        (
            "a key that is not UTF-8",
            Some("application/x-www-form-urlencoded"),
            b"%FF%FE=1".to_vec(),
            400,
            "Encoding",
        ),
        (
            "1001 fields",
            Some("application/x-www-form-urlencoded"),
            too_many,
            400,
            "TooManyFields",
        ),
        (
            "10,000 junk keys",
            Some("application/x-www-form-urlencoded"),
            junk_keys,
            400,
            "TooManyFields",
        ),
    ];
    let clients: Vec<&(&str, reqwest::Client)> = roles
        .clients
        .iter()
        .filter(|(who, _)| ["anonymous", "enterprise", "county office"].contains(who))
        .collect();
    let before = counts(&app).await;
    let mut faults = vec![];
    for (who, client) in &clients {
        for endpoint in ENDPOINTS {
            let path = format!("/api/{endpoint}");
            for (what, ct, body, status, kind) in &cases {
                let (got, _, text) = raw_post(&app, client, &path, *ct, None, body.clone()).await;
                let label = format!("{who} POST {path} with {what}");
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if got != *status || v != serde_json::json!({ "Malformed": kind }) {
                    faults.push(format!(
                        "{label}: {got} {} (expected {status} Malformed {kind})",
                        short_text(&text)
                    ));
                }
            }
        }
    }
    // A 5 MiB body, once per server function: refused before it is read (all at once: a
    // server that waits for the bodies makes each wait 5 s).
    let mut set = tokio::task::JoinSet::new();
    for endpoint in ENDPOINTS {
        let (base, path) = (app.base.clone(), format!("/api/{endpoint}"));
        set.spawn(async move {
            let answer = declared_five_mib_post(&base, &path, "application/json").await;
            (path, answer)
        });
    }
    let mut declared = vec![];
    while let Some(answer) = set.join_next().await {
        declared.push(answer.unwrap());
    }
    declared.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, answer) in declared {
        match answer {
            Ok((413, _, text))
                if serde_json::from_str::<Value>(&text).ok()
                    == Some(serde_json::json!({ "Malformed": "TooLarge" })) => {}
            Ok((got, _, text)) => faults.push(format!(
                "POST {path} declaring 5 MiB: {got} {} (expected 413 Malformed TooLarge)",
                short_text(&text)
            )),
            Err(why) => faults.push(format!("POST {path} declaring 5 MiB: {why}")),
        }
    }
    // And sent whole: whatever the server does with the rest, never a server error.
    let (_, qiye) = clients[1];
    for endpoint in ["save_filing", "login", "create_unit", "respond_escalation"] {
        let res = qiye
            .post(app.url(&format!("/api/{endpoint}")))
            .header(ORIGIN, &app.base)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(five_mib.clone())
            .send()
            .await;
        // A server that stops reading may close the connection before the client has sent
        // everything; an answer, when there is one, is the 413.
        if let Ok(res) = res {
            let got = res.status().as_u16();
            if got != 413 {
                faults.push(format!("POST /api/{endpoint} with 5 MiB sent whole: {got}"));
            }
        }
    }
    let after = counts(&app).await;
    if after != before {
        faults.push(format!(
            "something refused was stored: {before:?} → {after:?}"
        ));
    }
    assert_no_faults(&faults);
}

async fn the_list_of_server_functions_fuzzed_is_every_one_the_router_serves(backend: Backend) {
    // The router's server functions are registered when the app is built.
    let _app = in_window(backend).await;
    let mut served: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    served.sort();
    served.dedup();
    let mut listed: Vec<String> = ENDPOINTS.iter().map(|e| format!("/api/{e}")).collect();
    listed.sort();
    assert_eq!(
        listed, served,
        "ENDPOINTS lists every server function the router serves"
    );
}

async fn every_export_and_page_answers_garbage_queries_without_a_server_error(backend: Backend) {
    let app = in_window(backend).await;
    let roles = roles(&app).await;
    let long_query = format!("period={}", "9".repeat(8000));
    let queries = [
        String::new(),
        "period=%FF%FE".into(),
        "period=99999999999999999999-Y&unit=%00&version=1e99".into(),
        "period=2026-Q&unit=..%2F..%2Fetc%2Fpasswd&row=5.3.9.9.9".into(),
        "period[]=2026-Y&unit[]=x&status=%27%3B%20DROP%20TABLE%20filing%3B--".into(),
        "period=-2026-Y&status=accepted&nil=x&industry=%00&township=%C3%28".into(),
        "id=%FF&row=%3Cscript%3E&version=-1&q=%25%25".into(),
        long_query,
    ];
    let mut files: Vec<String> = EXPORTS
        .iter()
        .flat_map(|e| [format!("{e}.csv"), format!("{e}.xlsx")])
        .collect();
    files.extend([
        "queue".into(),
        "x.pdf".into(),
        "..%2F..%2Fetc%2Fpasswd".into(),
        "queue.csv.xlsx".into(),
        "%FF.csv".into(),
    ]);
    let pages = [
        "/",
        "/login",
        "/account/password",
        "/filing",
        "/filing/confirm",
        "/filing/print",
        "/review",
        "/history",
        "/rollup",
        "/report",
        "/escalations",
        "/escalation",
        "/inbox",
        "/public",
        "/brief",
        "/exceptions",
        "/admin/units",
        "/admin/unit",
        "/admin/users",
        "/registry",
        "/attachments/none",
        "/attachments/..%2F..%2Fetc%2Fpasswd",
    ];
    let mut faults = vec![];
    for (who, client) in &roles.clients {
        for file in &files {
            for q in &queries {
                let path = format!("/export/{file}?{q}");
                let res = client.get(app.url(&path)).send().await.unwrap();
                let status = res.status().as_u16();
                let body = res.text().await.unwrap_or_default();
                if status >= 500 {
                    faults.push(format!(
                        "{who} GET {}: {status}: {}",
                        &path[..path.len().min(120)],
                        short_text(&body)
                    ));
                }
            }
        }
        for page in pages {
            for q in &queries[1..] {
                let path = format!("{page}?{q}");
                let (status, _) = get(&app, client, &path).await;
                if status >= 500 {
                    faults.push(format!(
                        "{who} GET {}: {status}",
                        &path[..path.len().min(120)]
                    ));
                }
            }
        }
    }
    assert_no_faults(&faults);
}

async fn refused_requests_never_show_the_decoders_text_and_a_plain_form_post_gets_an_html_page(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let roles = roles(&app).await;
    let (_, qiye) = &roles.clients[1];
    // Arguments a server function cannot decode: 400, as an AppError, no decoder text.
    for (endpoint, body) in [
        ("submit_filing", "period=2026-Y&version=abc"),
        ("submit_filing", "period=2026-Y"),
        ("review_filing", "decision=accept"),
        ("escalation", ""),
        ("login", "username=a"),
        ("create_unit", "name=x&industries=a"),
    ] {
        let (status, _, text) = raw_post(
            &app,
            qiye,
            &format!("/api/{endpoint}"),
            Some("application/x-www-form-urlencoded"),
            None,
            body.as_bytes().to_vec(),
        )
        .await;
        let label = format!("POST /api/{endpoint} with {body:?}");
        assert!(
            status == 400 || status == 422,
            "{label}: answered 400 (or 422 for submit's version): {status}: {text}"
        );
        if status == 400 {
            let v: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{label}: an AppError: {text}"));
            assert_eq!(v, serde_json::json!({ "Malformed": "Body" }), "{label}");
        }
        assert_no_decoder_text(&label, &text);
    }
    // A plain form post (JavaScript off) that cannot be read: a short HTML page, same status.
    let (got, content_type, text) = declared_five_mib_post(
        &app.base,
        "/api/submit_filing",
        "text/html,application/xhtml+xml",
    )
    .await
    .unwrap_or_else(|why| panic!("a form post declaring 5 MiB: {why}"));
    assert_eq!(
        got,
        413,
        "a form post declaring 5 MiB: {}",
        short_text(&text)
    );
    assert!(
        content_type.starts_with("text/html") && text.contains("<html"),
        "a form post declaring 5 MiB gets an HTML page: {content_type}: {}",
        short_text(&text)
    );
    for (what, ct, body, status) in [
        (
            "not UTF-8",
            "application/x-www-form-urlencoded",
            b"period=%FF%FE".to_vec(),
            400u16,
        ),
        (
            "undecodable arguments",
            "application/x-www-form-urlencoded",
            b"period=2026-Y&version=abc".to_vec(),
            400,
        ),
        ("a JSON body", "application/json", b"{}".to_vec(), 415),
    ] {
        let (got, content_type, text) = raw_post(
            &app,
            qiye,
            "/api/submit_filing",
            Some(ct),
            Some("text/html,application/xhtml+xml"),
            body,
        )
        .await;
        // Submit's version may also be a field error, which a plain form post gets back on
        // its page (a redirect).
        let field_error = what == "undecodable arguments" && (300..400).contains(&got);
        assert!(
            got == status || field_error,
            "a form post with {what}: {got}: {}",
            short_text(&text)
        );
        if !field_error {
            assert!(
                content_type.starts_with("text/html"),
                "a form post with {what} gets an HTML page: {content_type}"
            );
            assert!(
                text.len() < 20_000 && text.contains("<html"),
                "a short HTML page: {}",
                &text[..text.len().min(300)]
            );
        }
        assert_no_decoder_text(&format!("a form post with {what}"), &text);
    }
}

// ---------------------------------------------------------------------------------------
// 3. The login throttle
// ---------------------------------------------------------------------------------------

/// 50 wrong logins for `username` at once, each from its own browser; the answers as
/// (status, body with the throttle's instants blanked), sorted.
async fn fifty_wrong_logins(app: &TestApp, username: &str) -> Vec<(u16, Value)> {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..50 {
        let client = app.browser();
        let url = app.url("/api/login");
        let origin = app.base.clone();
        let body =
            serde_qs::to_string(&login_args(username, &format!("wrong-password-{i}"))).unwrap();
        set.spawn(async move {
            let res = client
                .post(url)
                .header(ORIGIN, origin)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            (status, text)
        });
    }
    let mut answers = vec![];
    while let Some(r) = set.join_next().await {
        let (status, text) = r.unwrap();
        let mut v: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("a login answers an AppError: {status} {text}"));
        if let Some(t) = v.get_mut("Throttled") {
            assert_throttled(t);
            t["retry_at"] = Value::Null;
            t["wait_seconds"] = Value::Null;
        }
        answers.push((status, v));
    }
    answers.sort_by_key(|(s, v)| (*s, v.to_string()));
    answers
}

/// A `Throttled` answer names a retry instant ahead and a positive wait.
fn assert_throttled(t: &Value) {
    let wait = t["wait_seconds"]
        .as_i64()
        .unwrap_or_else(|| panic!("Throttled has wait_seconds: {t}"));
    assert!(wait > 0, "a positive wait: {t}");
    let at: chrono::DateTime<chrono::Utc> = serde_json::from_value(t["retry_at"].clone())
        .unwrap_or_else(|e| panic!("Throttled has an instant retry_at ({e}): {t}"));
    assert!(
        at > chrono::Utc::now() - chrono::Duration::seconds(1),
        "retry_at lies ahead: {t}"
    );
}

fn split(answers: &[(u16, Value)]) -> (usize, usize) {
    let bad = answers
        .iter()
        .filter(|(s, v)| {
            *s == 422 && *v == serde_json::json!({"Invalid": [["password", "err.bad_credentials"]]})
        })
        .count();
    let throttled = answers
        .iter()
        .filter(|(s, v)| *s == 429 && v.get("Throttled").is_some())
        .count();
    (bad, throttled)
}

async fn fifty_parallel_wrong_logins_for_one_account_let_exactly_five_password_checks_through(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let qiye = app.account_in(&app.wuhua().await.firm).await;
    let answers = fifty_wrong_logins(&app, &qiye.username).await;
    assert_eq!(
        split(&answers),
        (5, 45),
        "five bad-credentials answers and 45 throttled: {answers:?}"
    );
    let failed = one(
        &app,
        "SELECT COUNT(*) FROM audit_event WHERE action = 'user.login_failed'",
        &[],
    )
    .await;
    assert!(failed <= 5, "at most five password checks failed: {failed}");
}

async fn fifty_parallel_wrong_logins_for_an_unknown_name_are_answered_exactly_like_a_known_one(
    backend: Backend,
) {
    // Each burst on an app of its own: the address limit stays out of it.
    let known = {
        let app = in_window(backend).await;
        let qiye = app.account_in(&app.wuhua().await.firm).await;
        fifty_wrong_logins(&app, &qiye.username).await
    };
    let unknown = {
        let app = in_window(backend).await;
        app.wuhua().await;
        fifty_wrong_logins(&app, "nobody-here").await
    };
    assert_eq!(split(&unknown), (5, 45), "{unknown:?}");
    assert_eq!(
        unknown, known,
        "an unknown name is answered exactly like a known one"
    );
}

async fn after_the_lock_even_the_right_password_waits_until_the_lock_expires(backend: Backend) {
    let app = in_window(backend).await;
    let qiye = app.account_in(&app.wuhua().await.firm).await;
    let answers = fifty_wrong_logins(&app, &qiye.username).await;
    assert_eq!(split(&answers), (5, 45));
    let browser = app.browser();
    let res = app
        .call_fn(&browser, login_args(&qiye.username, &qiye.password))
        .await;
    assert_eq!(res.status(), 429, "the right password waits too");
    let v: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_throttled(&v["Throttled"]);
    let wait = v["Throttled"]["wait_seconds"].as_i64().unwrap();
    let retry_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(v["Throttled"]["retry_at"].clone()).unwrap();
    assert!(
        wait <= 60,
        "the first lock is short (30 s after five failures): {wait} s"
    );
    // Just before the lock ends: still throttled; just after: the right password logs in.
    let until_end = (retry_at - chrono::Utc::now()).num_milliseconds();
    if until_end > 2000 {
        tokio::time::sleep(std::time::Duration::from_millis(until_end as u64 - 1500)).await;
        let res = app
            .call_fn(&browser, login_args(&qiye.username, &qiye.password))
            .await;
        assert_eq!(res.status(), 429, "still locked just before retry_at");
    }
    let until_end = (retry_at - chrono::Utc::now()).num_milliseconds().max(0);
    tokio::time::sleep(std::time::Duration::from_millis(until_end as u64 + 1000)).await;
    let res = app
        .call_fn(&browser, login_args(&qiye.username, &qiye.password))
        .await;
    assert_eq!(
        res.status(),
        200,
        "after retry_at the right password logs in: {}",
        res.text().await.unwrap()
    );
}

async fn many_failed_logins_from_one_address_are_throttled_whatever_the_names(backend: Backend) {
    let app = in_window(backend).await;
    app.wuhua().await;
    // 50 failures from 127.0.0.1, each for another name (no name reaches its own limit).
    for i in 0..50 {
        let res = app
            .call_fn(
                &app.browser(),
                login_args(&format!("visitor{i}"), "wrong-password"),
            )
            .await;
        assert_eq!(res.status(), 422, "failure {} is an ordinary one", i + 1);
    }
    let res = app
        .call_fn(&app.browser(), login_args("visitor-next", "wrong-password"))
        .await;
    assert_eq!(
        res.status(),
        429,
        "the address is throttled after 50 failures"
    );
    let v: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_throttled(&v["Throttled"]);
}

// ---------------------------------------------------------------------------------------
// 4. Stale review
// ---------------------------------------------------------------------------------------

async fn filing_id(app: &TestApp, client: &reqwest::Client) -> String {
    ok(app, client, "filing", &[("period", PERIOD)]).await["record"]["filing_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn resubmit(app: &TestApp, client: &reqwest::Client) -> String {
    ok(app, client, "revise_filing", &[("period", PERIOD)]).await;
    let form = common::filing_form(
        BindingKind::Enterprise,
        &[("5.3", common::EXPLANATION)],
        "review",
    );
    let saved: Value =
        serde_json::from_str(&app.call_fn(client, form).await.text().await.unwrap()).unwrap();
    let version = saved["version"].as_i64().expect("saved").to_string();
    ok(
        app,
        client,
        "submit_filing",
        &[("period", PERIOD), ("version", &version)],
    )
    .await;
    filing_id(app, client).await
}

async fn accepting_a_version_that_a_newer_submission_superseded_is_refused_and_the_newer_one_waits(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let w = app.wuhua().await;
    let qiye = app.account_in(&w.firm).await;
    let dept = app.account_in(&w.ajj).await;
    let superseded = serde_json::json!({"Conflict": "Superseded"});
    let status_of = |id: String| {
        let app = &app;
        async move {
            one(
                app,
                "SELECT COUNT(*) FROM filing WHERE filing_id = $1 AND status = 'submitted'",
                &[&id],
            )
            .await
        }
    };
    // Revised after submission, without a return: v2 supersedes v1.
    let v1 = common::submit_filing(&app, &qiye, BindingKind::Enterprise, &[], "1").await;
    let v2 = resubmit(&app, &qiye).await;
    assert_ne!(v1, v2);
    let (status, body) = post(
        &app,
        &dept,
        "review_filing",
        &[("filing_id", &v1), ("decision", "accept")],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), superseded);
    let (status, body) = post(
        &app,
        &dept,
        "review_filing",
        &[
            ("filing_id", &v1),
            ("decision", "return"),
            ("reason", "请核实表5第3项"),
        ],
    )
    .await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&body).unwrap()),
        (409, superseded.clone())
    );
    assert_eq!(status_of(v2.clone()).await, 1, "v2 still waits for review");
    let q = ok(&app, &dept, "review_queue", &[("period", PERIOD)]).await;
    let ids: Vec<&str> = q["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["filing_id"].as_str())
        .collect();
    assert!(
        !ids.contains(&v1.as_str()),
        "the queue offers no superseded version: {ids:?}"
    );
    // Returned, then amended: accepting the returned v2 after v3 is submitted is refused too.
    ok(
        &app,
        &dept,
        "review_filing",
        &[
            ("filing_id", &v2),
            ("decision", "return"),
            ("reason", "请核实表5第3项"),
        ],
    )
    .await;
    let v3 = resubmit(&app, &qiye).await;
    let (status, body) = post(
        &app,
        &dept,
        "review_filing",
        &[("filing_id", &v2), ("decision", "accept")],
    )
    .await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&body).unwrap()),
        (409, superseded)
    );
    assert_eq!(status_of(v3.clone()).await, 1, "v3 still waits for review");
    // The latest is accepted.
    ok(
        &app,
        &dept,
        "review_filing",
        &[("filing_id", &v3), ("decision", "accept")],
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// 5. Inert exports
// ---------------------------------------------------------------------------------------

/// RFC 4180 CSV: rows of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut rows = vec![];
    let mut row = vec![];
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                c => cell.push(c),
            }
        } else {
            match c {
                '"' if cell.is_empty() => quoted = true,
                ',' => row.push(std::mem::take(&mut cell)),
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                c => cell.push(c),
            }
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

async fn exports_neutralise_formula_like_text_in_csv_and_write_it_as_text_in_xlsx(
    backend: Backend,
) {
    use calamine::Reader;
    let app = in_window(backend).await;
    let w = app.wuhua().await;
    let qiye = app.account_in(&w.firm).await;
    let dept = app.account_in(&w.ajj).await;
    let tail = "尚未落实计划在下季度完成整改并复查";
    let formulas: Vec<(&str, String)> = [
        ("1.3", "=1+1"),
        ("2.1", "+cmd|' /C calc'!A0"),
        ("3.2", "-2+3"),
        ("5.3", "@SUM(A1)"),
        ("6.3", "\tx"),
        ("7.1", "\rx"),
    ]
    .iter()
    .map(|(row, f)| (*row, format!("{f}{tail}{row}")))
    .collect();
    let rows: Vec<&str> = app::domain::forms::binding_rows(BindingKind::Enterprise)
        .map(|r| r.id)
        .collect();
    let unmet: Vec<(&str, &str)> = formulas
        .iter()
        .filter(|(row, _)| rows.contains(row))
        .map(|(row, text)| (*row, text.as_str()))
        .collect();
    assert_eq!(unmet.len(), 6, "these rows bind an enterprise: {rows:?}");
    let form = common::filing_form(BindingKind::Enterprise, &unmet, "review");
    let res = app.call_fn(&qiye, form).await;
    let saved: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    let version = saved["version"].as_i64().expect("saved").to_string();
    ok(
        &app,
        &qiye,
        "submit_filing",
        &[("period", PERIOD), ("version", &version)],
    )
    .await;
    let dangerous = ['=', '+', '-', '@', '\t', '\r'];
    let csv = dept
        .get(app.url(&format!("/export/filings.csv?period={PERIOD}")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let cells: Vec<String> = parse_csv(&csv.text().await.unwrap())
        .into_iter()
        .flatten()
        .collect();
    for cell in &cells {
        assert!(
            !cell.starts_with(dangerous),
            "no CSV cell starts like a formula: {cell:?}"
        );
    }
    for (row, text) in &unmet {
        let end = format!("{tail}{row}");
        let cell = cells
            .iter()
            .find(|c| c.ends_with(&end))
            .unwrap_or_else(|| panic!("row {row}'s explanation is exported: {cells:?}"));
        // Neutralised with a leading quote; or stored without what made it look like a
        // formula (a leading tab or CR trimmed), which then needs no quote.
        match cell.strip_prefix('\'') {
            Some(rest) => assert!(
                rest == *text || rest == text.trim(),
                "row {row}: {cell:?} is {text:?} behind a quote"
            ),
            None => assert!(
                cell == text.trim() && !cell.starts_with(dangerous),
                "row {row}: {cell:?} is {text:?} neutralised"
            ),
        }
    }
    let xlsx = dept
        .get(app.url(&format!("/export/filings.xlsx?period={PERIOD}")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).expect("an xlsx");
    let sheet_name = book.sheet_names()[0].clone();
    let formulas_in = book.worksheet_formula(&sheet_name).unwrap();
    assert!(
        formulas_in.used_cells().all(|(_, _, f)| f.is_empty()),
        "the sheet has no formula"
    );
    let range = book.worksheet_range(&sheet_name).unwrap();
    for (row, text) in &unmet {
        let found = range
            .used_cells()
            .find(|(_, _, c)| c.to_string().contains(&format!("{tail}{row}")));
        match found {
            Some((_, _, calamine::Data::String(s))) => {
                assert!(s.ends_with(&format!("{tail}{row}")), "row {row}: {s:?}")
            }
            other => panic!("row {row}'s explanation {text:?} is a string cell: {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// 6. Strict saving, version parsing, drafts, headers
// ---------------------------------------------------------------------------------------

async fn filing_rows(app: &TestApp) -> (i64, i64, i64) {
    (
        one(app, "SELECT COUNT(*) FROM filing", &[]).await,
        one(app, "SELECT COUNT(*) FROM filing_answer", &[]).await,
        one(app, "SELECT COUNT(*) FROM filing_note", &[]).await,
    )
}

async fn saving_a_filing_refuses_unknown_fields_answer_values_and_rows_that_do_not_bind_the_unit(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let w = app.wuhua().await;
    let qiye = app.account_in(&w.firm).await;
    let binding: Vec<&str> = app::domain::forms::binding_rows(BindingKind::Enterprise)
        .map(|r| r.id)
        .collect();
    assert!(
        !binding.contains(&"1.1") && app::domain::forms::all_rows().any(|r| r.id == "1.1"),
        "row 1.1 is a government's, not an enterprise's"
    );
    let base = || {
        let mut f = filing_fields(BindingKind::Enterprise, &[]);
        f.push(("intent".into(), "save".into()));
        f
    };
    let cases: Vec<(&str, (String, String), &str, &str)> = vec![
        (
            "an unknown row",
            ("answers[r99_1]".into(), "done".into()),
            "form",
            "err.unknown_field",
        ),
        (
            "a stray field",
            ("stray".into(), "x".into()),
            "form",
            "err.unknown_field",
        ),
        (
            "a tenth form's note",
            ("notes[f10]".into(), "备注".into()),
            "form",
            "err.unknown_field",
        ),
        (
            "junk keys",
            ("zz$#junk".into(), "1".into()),
            "form",
            "err.unknown_field",
        ),
        (
            "an answer that is neither done nor not_done",
            ("answers[r5_3]".into(), "maybe".into()),
            "r5_3",
            "err.answer_value",
        ),
        (
            "an answer to a row that does not bind an enterprise",
            ("answers[r1_1]".into(), "done".into()),
            "r1_1",
            "err.row_not_binding",
        ),
    ];
    for (what, extra, field, key) in cases {
        let mut f = base();
        if extra.0 == "answers[r5_3]" {
            f.retain(|(k, _)| k != "answers[r5_3]");
        }
        f.push(extra);
        let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, body) = post(&app, &qiye, "save_filing", &form).await;
        assert_eq!(status, 422, "{what}: {body}");
        assert_eq!(
            key_of(&body, field).as_deref(),
            Some(key),
            "{what}: {key} on {field}: {body}"
        );
        assert_eq!(
            filing_rows(&app).await,
            (0, 0, 0),
            "{what}: nothing is stored"
        );
    }
    // The form as the page posts it is saved.
    let f = base();
    let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ok(&app, &qiye, "save_filing", &form).await;
    assert_eq!(filing_rows(&app).await.0, 1);
    // And a later refused save leaves the draft as it was.
    let before = ok(&app, &qiye, "filing", &[("period", PERIOD)]).await["content"].clone();
    let mut f = base();
    f.iter_mut().find(|(k, _)| k == "principal").unwrap().1 = "改过的名字".into();
    f.push(("answers[r1_1]".into(), "done".into()));
    let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _) = post(&app, &qiye, "save_filing", &form).await;
    assert_eq!(status, 422);
    let after = ok(&app, &qiye, "filing", &[("period", PERIOD)]).await["content"].clone();
    assert_eq!(before, after, "a refused save changes nothing");
}

async fn submitting_with_a_version_that_is_not_a_positive_integer_is_refused_without_a_server_error(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let w = app.wuhua().await;
    let qiye = app.account_in(&w.firm).await;
    app.try_fn(
        &qiye,
        common::filing_form(BindingKind::Enterprise, &[], "review"),
    )
    .await
    .expect("saved");
    let twenty = "9".repeat(20);
    for version in [
        "abc",
        "",
        "1.5",
        "1e3",
        twenty.as_str(),
        "-1",
        "0",
        "0x1",
        "１",
    ] {
        let (status, body) = post(
            &app,
            &qiye,
            "submit_filing",
            &[("period", PERIOD), ("version", version)],
        )
        .await;
        assert!(
            (400..500).contains(&status),
            "version {version:?}: 4xx: {status}: {body}"
        );
        if status == 422 {
            assert!(
                key_of(&body, "version").is_some(),
                "version {version:?}: {body}"
            );
        }
        assert_no_decoder_text(&format!("version {version:?}"), &body);
    }
    assert_eq!(
        one(
            &app,
            "SELECT COUNT(*) FROM filing WHERE status <> 'draft'",
            &[]
        )
        .await,
        0,
        "nothing was submitted"
    );
    // A real version is submitted.
    ok(
        &app,
        &qiye,
        "submit_filing",
        &[("period", PERIOD), ("version", "1")],
    )
    .await;
}

async fn supervisors_see_no_draft_content_only_that_a_draft_exists_and_still_see_submitted_versions(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let w = app.wuhua().await;
    let qiye = app.account_in(&w.firm).await;
    let dept = app.account_in(&w.ajj).await;
    let office = app.account_in(&w.county.office).await;
    let draft_text = "DRAFTONLY草稿说明，尚未落实，计划下季度整改。";
    let mut f = filing_fields(BindingKind::Enterprise, &[("5.3", draft_text)]);
    f.iter_mut().find(|(k, _)| k == "principal").unwrap().1 = "草稿负责人".into();
    f.push(("notes[f5]".into(), "DRAFTNOTE草稿备注".into()));
    f.push(("intent".into(), "save".into()));
    let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ok(&app, &qiye, "save_filing", &form).await;
    let unit = &w.firm.id;
    for (who, client) in [
        ("department", &dept.client),
        ("county office", &office.client),
    ] {
        for path in [
            format!("/filing?period={PERIOD}&unit={unit}"),
            format!("/filing?period={PERIOD}&unit={unit}&version=1"),
            format!("/filing/print?period={PERIOD}&unit={unit}"),
            format!("/history?unit={unit}&period={PERIOD}"),
        ] {
            let (status, html) = get(&app, client, &path).await;
            assert!(
                status == 200 || status == 404 || status == 403,
                "{who} {path}: {status}"
            );
            assert_no_draft_text(&html, &format!("{who} {path} shows the draft's"));
        }
        let (status, body) = post(
            &app,
            client,
            "filing",
            &[("period", PERIOD), ("unit", unit)],
        )
        .await;
        assert!(
            status == 200 || (400..500).contains(&status),
            "{who}: {status}"
        );
        assert_no_draft_text(&body, &format!("{who}'s filing call shows the draft's"));
        let (_, body) = post(
            &app,
            client,
            "history",
            &[("period", PERIOD), ("unit", unit)],
        )
        .await;
        assert_no_draft_text(&body, &format!("{who}'s history call shows the draft's"));
    }
    // The owner sees the draft.
    let (_, html) = get(&app, &qiye, &format!("/filing?period={PERIOD}")).await;
    assert!(html.contains("DRAFTONLY"), "the owner sees the draft");
    // Submitted: the supervisor sees v1. A new draft v2: still v1's text only.
    let mut f = filing_fields(
        BindingKind::Enterprise,
        &[("5.3", "SUBMITTED已提交说明，尚未落实，计划整改。")],
    );
    f.push(("intent".into(), "review".into()));
    let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ok(&app, &qiye, "save_filing", &form).await;
    ok(
        &app,
        &qiye,
        "submit_filing",
        &[("period", PERIOD), ("version", "1")],
    )
    .await;
    ok(&app, &qiye, "revise_filing", &[("period", PERIOD)]).await;
    let mut f = filing_fields(BindingKind::Enterprise, &[("5.3", draft_text)]);
    f.push(("intent".into(), "save".into()));
    let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ok(&app, &qiye, "save_filing", &form).await;
    for (who, client) in [
        ("department", &dept.client),
        ("county office", &office.client),
    ] {
        let (status, html) = get(
            &app,
            client,
            &format!("/filing?period={PERIOD}&unit={unit}"),
        )
        .await;
        assert_eq!(status, 200, "{who}");
        assert!(
            html.contains("SUBMITTED"),
            "{who} sees the submitted version"
        );
        assert!(
            !html.contains("DRAFTONLY"),
            "{who} does not see the new draft"
        );
        for (path, what) in [
            (
                format!("/filing?period={PERIOD}&unit={unit}&version=2"),
                "cannot open the draft by its number",
            ),
            (
                format!("/filing/print?period={PERIOD}&unit={unit}&version=2"),
                "cannot print the draft",
            ),
            (
                format!("/history?unit={unit}&period={PERIOD}"),
                "'s history hides the draft",
            ),
        ] {
            let (_, html) = get(&app, client, &path).await;
            assert!(!html.contains("DRAFTONLY"), "{who} {what}");
        }
        let (_, body) = post(
            &app,
            client,
            "filing",
            &[("period", PERIOD), ("unit", unit), ("version", "2")],
        )
        .await;
        assert!(
            !body.contains("DRAFTONLY"),
            "{who}'s filing call hides the draft"
        );
    }
}

/// Fails when the page or answer shows any text only the draft has.
fn assert_no_draft_text(body: &str, what: &str) {
    for secret in ["DRAFTONLY", "DRAFTNOTE", "草稿负责人"] {
        assert!(!body.contains(secret), "{what} {secret}");
    }
}

async fn every_page_sends_the_content_security_policy_and_the_other_security_headers(
    backend: Backend,
) {
    let app = in_window(backend).await;
    let w = app.wuhua().await;
    let qiye = app.account_in(&w.firm).await;
    let anonymous = app.browser();
    let pages = [
        "/",
        "/login",
        "/filing",
        "/filing/print",
        "/filing/confirm",
        "/history",
        "/inbox",
        "/public",
        "/account/password",
        "/no-such-page",
    ];
    for (who, client) in [("anonymous", &anonymous), ("enterprise", &qiye.client)] {
        for page in pages {
            let res = client
                .get(app.url(page))
                .header(ACCEPT, "text/html")
                .send()
                .await
                .unwrap();
            let h = res.headers().clone();
            let header = |name: &str| {
                h.get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string()
            };
            let csp = header("content-security-policy");
            let label = format!("{who} GET {page}");
            for part in [
                "object-src 'none'",
                "frame-ancestors 'none'",
                "base-uri 'none'",
            ] {
                assert!(csp.contains(part), "{label}: CSP has {part}: {csp:?}");
            }
            let script_src = csp
                .split(';')
                .map(str::trim)
                .find(|d| d.starts_with("script-src"))
                .unwrap_or_else(|| panic!("{label}: CSP has script-src: {csp:?}"));
            assert!(
                script_src.contains("'self'") && script_src.contains("'nonce-"),
                "{label}: {script_src}"
            );
            assert!(
                !script_src.contains("'unsafe-inline'") || script_src.contains("'nonce-"),
                "{label}: {script_src}"
            );
            assert_eq!(header("x-content-type-options"), "nosniff", "{label}");
            assert_eq!(header("referrer-policy"), "same-origin", "{label}");
            // Every inline script carries the nonce.
            let nonce = script_src
                .split("'nonce-")
                .nth(1)
                .and_then(|s| s.split('\'').next())
                .unwrap_or_default()
                .to_string();
            let html = res.text().await.unwrap();
            for (i, _) in html.match_indices("<script") {
                let tag_end = html[i..].find('>').map(|e| i + e).unwrap_or(html.len());
                let tag = &html[i..tag_end];
                assert!(
                    tag.contains(&format!("nonce=\"{nonce}\"")) || tag.contains(" src="),
                    "{label}: an inline script without the nonce: {tag}"
                );
            }
        }
    }
}
