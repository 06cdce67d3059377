//! Two tabs racing each other, on SQLite and on PostgreSQL (READ COMMITTED): what one request
//! decides on is still true when it writes.

mod common;

use app::api::filing::{ReviseFiling, SaveFiling, SubmitFiling};
use app::domain::forms::{self, BindingKind};
use app::model::filing::PostedFields;
use common::{filing_form, Backend, Options, TestApp, TestDatabase};
use futures::future::join_all;

on_both_databases!(
    a_draft_save_racing_its_own_submission_never_changes_the_submitted_version,
    concurrent_proposal_runs_and_page_loads_propose_every_finding_exactly_once,
    concurrent_issues_get_unique_gapless_document_numbers,
    two_instances_starting_at_once_on_an_empty_database_both_come_up_with_one_demo_seed,
    readiness_and_pages_answer_503_while_the_database_is_unavailable,
    dismissals_racing_proposal_runs_never_bring_a_dismissed_finding_back,
    two_replies_at_once_leave_one_pending_and_a_close_racing_an_acceptance_closes_once,
    two_password_changes_from_the_same_old_password_one_wins,
    submissions_decisions_and_resubmissions_at_once_keep_the_roll_up_counts_exact,
);

const ROUNDS: i64 = 40;

/// The rows a filing version holds, and whether it is submitted.
async fn stored(app: &TestApp, unit_id: &str, version: i64) -> (String, i64) {
    let (filing_id, status): (String, String) = sqlx::query_as(
        "SELECT filing_id, status FROM filing WHERE unit_id = $1 AND period_key = '2026-Y' AND version = $2",
    )
    .bind(unit_id)
    .bind(version)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let (answers,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM filing_answer WHERE filing_id = $1")
            .bind(&filing_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    (status, answers)
}

/// The audit actions recorded on a filing version, in order.
async fn actions(app: &TestApp, unit_id: &str, version: i64) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT a.action FROM audit_event a JOIN filing f ON f.filing_id = a.subject_id \
         WHERE f.unit_id = $1 AND f.period_key = '2026-Y' AND f.version = $2 \
         ORDER BY a.occurred_at, a.audit_event_id",
    )
    .bind(unit_id)
    .bind(version)
    .fetch_all(&app.db)
    .await
    .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

async fn a_draft_save_racing_its_own_submission_never_changes_the_submitted_version(
    backend: Backend,
) {
    // Arrange: an enterprise in the January window with a complete draft, version 1.
    let app = TestApp::spawn_with(backend, Options::fresh("2027-01-05T10:00:00+08:00")).await;
    let firm = app.wuhua().await.firm;
    let tab = app.account_in(&firm).await.client;
    let binding = forms::binding_count(BindingKind::Enterprise) as i64;
    let complete = filing_form(BindingKind::Enterprise, &[], "save");
    // What the other tab saves: the frame only, every answer cleared.
    let cleared = SaveFiling {
        fields: PostedFields(
            complete
                .fields
                .0
                .iter()
                .filter(|(k, _)| !k.starts_with("answers["))
                .cloned()
                .collect(),
        ),
        ..filing_form(BindingKind::Enterprise, &[], "save")
    };
    app.try_fn(&tab, filing_form(BindingKind::Enterprise, &[], "save"))
        .await
        .expect("the first draft is saved");
    let mut submitted_rounds = 0;
    for version in 1..=ROUNDS {
        // Act: one tab submits the complete draft while the other saves a cleared one.
        let submit = app.try_fn(
            &tab,
            SubmitFiling {
                period: "2026-Y".into(),
                version: version.to_string(),
            },
        );
        let save = app.try_fn(&tab, cleared.clone());
        let (submitted, _saved) = tokio::join!(submit, save);
        // Assert: a submitted version holds exactly what was checked for its submission,
        // and nothing was saved into it after.
        let (status, answers) = stored(&app, &firm.id, version).await;
        let audit = actions(&app, &firm.id, version).await;
        if status == "submitted" {
            submitted_rounds += 1;
            assert!(
                submitted.is_ok(),
                "round {version}: stored as submitted, answered {submitted:?}"
            );
            assert_eq!(
                answers, binding,
                "round {version}: the submitted version lost answers to a racing save"
            );
            let at = audit.iter().position(|a| a == "filing.submit").unwrap();
            assert!(
                !audit[at..].iter().any(|a| a == "filing.save"),
                "round {version}: a save was recorded after the submission: {audit:?}"
            );
        } else {
            // The save won: the cleared draft cannot be submitted; it stays a draft.
            assert_eq!(status, "draft", "round {version}");
            assert!(submitted.is_err(), "round {version}: {submitted:?}");
            app.try_fn(&tab, filing_form(BindingKind::Enterprise, &[], "save"))
                .await
                .expect("the draft is completed again");
            app.try_fn(
                &tab,
                SubmitFiling {
                    period: "2026-Y".into(),
                    version: version.to_string(),
                },
            )
            .await
            .expect("and submitted");
        }
        // The next round races on a new version.
        if version < ROUNDS {
            let next = app
                .try_fn(
                    &tab,
                    ReviseFiling {
                        period: "2026-Y".into(),
                    },
                )
                .await
                .expect("a new version");
            assert_eq!(next, version + 1);
        }
    }
    assert!(
        submitted_rounds > 0,
        "in {ROUNDS} rounds the submission never got in first: the race was not run"
    );
}

/// The demo city the day after the January window closed: many units never filed.
async fn after_the_window(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        Options {
            clock: Some("2027-01-11T09:00:00+08:00"),
            seed: true,
            ..Default::default()
        },
    )
    .await
}

async fn concurrent_proposal_runs_and_page_loads_propose_every_finding_exactly_once(
    backend: Backend,
) {
    // Arrange: the county office of 五华区, on the first day its proposals are due.
    let app = after_the_window(backend).await;
    let office = app.logged_in("wuhua").await;
    // Act: ten explicit runs and ten page loads (each works out the day's run) at once.
    let runs = (0..10).map(|_| app.call_with(&office, "run_proposals", &[]));
    let pages = (0..10).map(|_| app.call_with(&office, "escalations", &[]));
    let (runs, pages) = tokio::join!(join_all(runs), join_all(pages));
    for res in runs.iter().chain(pages.iter()) {
        assert_eq!(res.status(), 200, "every run and page load succeeds");
    }
    // Assert: each (office, unit, rung, findings) is proposed once, and recorded once.
    let duplicated: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT target_unit_id, rung, COUNT(*) FROM escalation WHERE status = 'proposed' \
         GROUP BY issuer_unit_id, target_unit_id, rung, evidence_keys HAVING COUNT(*) > 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        duplicated.is_empty(),
        "proposed more than once: {duplicated:?}"
    );
    let (proposals,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM escalation WHERE status = 'proposed'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (recorded,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = 'escalation.propose'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(proposals > 0, "the missing filings were proposed");
    assert_eq!(recorded, proposals, "each proposal stored is recorded once");
}

async fn concurrent_issues_get_unique_gapless_document_numbers(backend: Backend) {
    // Arrange: the county office's proposals of 告知 for the units that did not file.
    let app = after_the_window(backend).await;
    let office = app.logged_in("wuhua").await;
    let res = app.call_with(&office, "escalations", &[]).await;
    assert_eq!(res.status(), 200);
    let page: app::model::escalation::EscalationsPage = res.json().await.unwrap();
    let ids: Vec<String> = page
        .proposals
        .iter()
        .filter(|e| e.rung == app::domain::ladder::Rung::Notification)
        .take(10)
        .map(|e| e.escalation_id.clone())
        .collect();
    assert_eq!(ids.len(), 10, "ten proposals to issue");
    let issue = |id: &str| {
        let id = id.to_string();
        let office = &office;
        let app = &app;
        async move {
            app.call_with(
                office,
                "issue_escalation",
                &[
                    ("escalation_id", id.as_str()),
                    ("reasons", "2026年度零申报未按时报送，予以告知。"),
                    ("measures", "限期补报，并书面回复。"),
                ],
            )
            .await
        }
    };
    // Act: all ten at once.
    let answers = join_all(ids.iter().map(|id| issue(id))).await;
    // Assert: each succeeds or is a clear conflict; the numbers run 1, 2, 3 … without a gap.
    let mut issued = 0;
    for res in answers {
        match res.status().as_u16() {
            200 => issued += 1,
            409 => {}
            s => panic!("issuing answered {s}: {}", res.text().await.unwrap()),
        }
    }
    let seqs: Vec<(i64,)> = sqlx::query_as(
        "SELECT number_seq FROM escalation WHERE rung = 'notification' AND number_seq IS NOT NULL \
         AND issuer_unit_id = (SELECT issuer_unit_id FROM escalation WHERE escalation_id = $1) \
         ORDER BY number_seq",
    )
    .bind(&ids[0])
    .fetch_all(&app.db)
    .await
    .unwrap();
    let seqs: Vec<i64> = seqs.into_iter().map(|r| r.0).collect();
    assert!(issued > 0, "some issue succeeded");
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "document numbers are unique and gapless"
    );
    assert!(seqs.len() >= issued, "every success has its number");
}

async fn two_instances_starting_at_once_on_an_empty_database_both_come_up_with_one_demo_seed(
    backend: Backend,
) {
    // With each instance's proposal timer on (as `nilfiling serve` runs it), on the first day
    // proposals are due: the day's run is claimed by one of them.
    // Arrange: a database that does not exist yet (PostgreSQL) or an absent file (SQLite).
    let database = TestDatabase::new(backend).await;
    let config = || {
        let mut c = server::Config::new(database.url.clone());
        c.listen = "127.0.0.1:0".parse().unwrap();
        c.site_root = std::env::temp_dir();
        c.clock = app::domain::time::Clock::fixed(
            app::domain::time::parse_instant("2027-01-11T09:00:00+08:00").unwrap(),
        );
        c.seed_demo_if_empty = true;
        c.proposal_interval = Some(std::time::Duration::from_millis(200));
        c
    };
    // Act: two instances build (create, migrate, seed) at the same instant.
    let (a, b) = tokio::join!(
        server::Application::build(config()),
        server::Application::build(config())
    );
    // Assert: both are up, and the demo data is there once.
    let a = a.expect("the first instance starts");
    let b = b.expect("the second instance starts");
    let (units,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM unit WHERE unit_id = 'ent-530102-demo'")
            .fetch_one(a.db())
            .await
            .unwrap();
    assert_eq!(units, 1, "the demo enterprise exists once");
    let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM app_user WHERE username = 'qiye'")
        .fetch_one(b.db())
        .await
        .unwrap();
    assert_eq!(users, 1, "the demo account exists once");
    // Both timers have ticked several times once proposals appear and stay put.
    let count = |db: app::ssr::db::Db| async move {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM escalation WHERE status = 'proposed'")
                .fetch_one(&db)
                .await
                .unwrap();
        n
    };
    let mut proposals = 0;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let now = count(a.db().clone()).await;
        if now > 0 && now == proposals {
            break;
        }
        proposals = now;
    }
    assert!(proposals > 0, "the timers proposed the missing filings");
    let duplicated: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT target_unit_id, rung, COUNT(*) FROM escalation WHERE status = 'proposed' \
         GROUP BY issuer_unit_id, target_unit_id, rung, evidence_keys HAVING COUNT(*) > 1",
    )
    .fetch_all(b.db())
    .await
    .unwrap();
    assert!(
        duplicated.is_empty(),
        "proposed more than once: {duplicated:?}"
    );
    let (recorded,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = 'escalation.propose'")
            .fetch_one(a.db())
            .await
            .unwrap();
    assert_eq!(recorded, proposals, "each proposal stored is recorded once");
    a.db().close().await;
    b.db().close().await;
}

async fn readiness_and_pages_answer_503_while_the_database_is_unavailable(backend: Backend) {
    let app = TestApp::spawn_with(backend, Options::fresh("2027-01-05T10:00:00+08:00")).await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "the database answers");
    let firm = app.wuhua().await.firm;
    let filer = app.account_in(&firm).await.client;
    assert_eq!(app.page_with(&filer, "/").await.status(), 200);
    let alive = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), 200);
    // The pool is the app's own: closed, no query can be made.
    app.db.close().await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503, "no database, not ready");
    let alive = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), 200, "the process itself is alive");
    // A logged-in page is an error page saying so, not a blank logged-out page.
    let page = app.page_with(&filer, "/").await;
    assert_eq!(page.status(), 503, "a page without its database says so");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("服务暂时不可用"),
        "the page says what happened: {html}"
    );
}

/// The ids of the open proposals of `office` (a username's unit).
async fn proposals_of(app: &TestApp, office: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT escalation_id, target_unit_id, rung FROM escalation WHERE status = 'proposed' \
         AND issuer_unit_id = (SELECT unit_id FROM app_user WHERE username = $1) \
         ORDER BY escalation_id",
    )
    .bind(office)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn dismissals_racing_proposal_runs_never_bring_a_dismissed_finding_back(backend: Backend) {
    // Arrange: 五华区's proposals of the day, made once.
    let app = after_the_window(backend).await;
    let office = app.logged_in("wuhua").await;
    assert_eq!(
        app.call_with(&office, "run_proposals", &[]).await.status(),
        200
    );
    let proposals = proposals_of(&app, "wuhua").await;
    assert!(proposals.len() >= 2, "proposals to dismiss: {proposals:?}");
    // Act: staff dismiss every one of them while ten runs work out the proposals again.
    let (app_ref, office_ref) = (&app, &office);
    let dismissals = proposals.iter().map(|(id, _, _)| async move {
        app_ref
            .call_with(
                office_ref,
                "dismiss_escalation",
                &[
                    ("escalation_id", id.as_str()),
                    ("reason", "已当面督促，情况已核实。"),
                ],
            )
            .await
    });
    let runs = (0..10).map(|_| app.call_with(&office, "run_proposals", &[]));
    let (dismissed, runs) = tokio::join!(join_all(dismissals), join_all(runs));
    for res in dismissed.into_iter().chain(runs) {
        assert_eq!(res.status(), 200, "every dismissal and run succeeds");
    }
    // Assert: no finding dismissed is proposed again.
    let back: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.target_unit_id, p.rung FROM escalation p JOIN escalation d \
           ON d.issuer_unit_id = p.issuer_unit_id AND d.target_unit_id = p.target_unit_id \
          AND d.rung = p.rung AND d.evidence_keys = p.evidence_keys \
         WHERE p.status = 'proposed' AND d.status = 'dismissed'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        back.is_empty(),
        "dismissed findings proposed again: {back:?}"
    );
    assert!(proposals_of(&app, "wuhua").await.is_empty());
}

async fn two_replies_at_once_leave_one_pending_and_a_close_racing_an_acceptance_closes_once(
    backend: Backend,
) {
    // Arrange: a proposal of 五华区 to a unit with a demo account, issued.
    let app = after_the_window(backend).await;
    let office = app.logged_in("wuhua").await;
    assert_eq!(
        app.call_with(&office, "run_proposals", &[]).await.status(),
        200
    );
    let (id, username): (String, String) = sqlx::query_as(
        "SELECT e.escalation_id, MIN(u.username) FROM escalation e \
           JOIN app_user u ON u.unit_id = e.target_unit_id \
         WHERE e.status = 'proposed' AND e.rung <> 'special_report' \
           AND e.issuer_unit_id = (SELECT unit_id FROM app_user WHERE username = 'wuhua') \
         GROUP BY e.escalation_id ORDER BY e.escalation_id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a proposal to a unit with an account");
    let res = app
        .call_with(
            &office,
            "issue_escalation",
            &[
                ("escalation_id", id.as_str()),
                ("reasons", "你单位未按期报送零申报表。"),
                ("measures", "限期报送并书面回复。"),
                ("reply_due", "2027-02-10"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let (tab1, tab2) = (
        app.logged_in(&username).await,
        app.logged_in(&username).await,
    );
    // Act: the unit replies from two tabs at once.
    let (app_ref, id_ref) = (&app, &id);
    let reply = |tab| async move {
        app_ref
            .call_with(
                tab,
                "respond_escalation",
                &[
                    ("id", id_ref.as_str()),
                    ("body", "已按要求补报零申报表并落实整改。"),
                ],
            )
            .await
    };
    let (a, b) = tokio::join!(reply(&tab1), reply(&tab2));
    // Assert: one reply is stored, the other told one is pending.
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(
        statuses,
        [200, 409],
        "one reply lands, the other is refused"
    );
    let (pending,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM escalation_response WHERE escalation_id = $1 AND decision IS NULL",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(pending, 1);
    // Act: the office accepts the reply while a colleague closes the escalation.
    let office2 = app.logged_in("wuhua").await;
    let accept_form = [("id", id.as_str()), ("decision", "accept"), ("note", "")];
    let close_form = [("id", id.as_str()), ("reason", "已整改到位，予以关闭。")];
    let accept = app.call_with(&office, "decide_response", &accept_form);
    let close = app.call_with(&office2, "close_escalation", &close_form);
    let (accept, close) = tokio::join!(accept, close);
    // Assert: it is closed once; the one that came second is refused.
    let mut statuses = [accept.status().as_u16(), close.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "one closes it, the other is refused");
    let (closes,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event WHERE subject_id = $1 \
         AND action IN ('escalation.accept_response', 'escalation.close')",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(closes, 1, "one closing recorded");
}

async fn two_password_changes_from_the_same_old_password_one_wins(backend: Backend) {
    // Arrange: the same account in two tabs.
    let app = TestApp::spawn(backend).await;
    let (tab1, tab2) = (app.logged_in("qiye").await, app.logged_in("qiye").await);
    let app_ref = &app;
    let change = |tab, new: &'static str| async move {
        app_ref
            .call_with(
                tab,
                "change_password",
                &[
                    ("current_password", common::DEMO_PASSWORD),
                    ("new_password", new),
                    ("repeat_password", new),
                ],
            )
            .await
    };
    // Act: both change it from the same old password at once.
    let (a, b) = tokio::join!(
        change(&tab1, "new-secret-aaaa"),
        change(&tab2, "new-secret-bbbb")
    );
    // Assert: one wins; the other is told its current password is wrong.
    let (a, b) = (a.status().as_u16(), b.status().as_u16());
    assert!(
        (a == 200) != (b == 200),
        "exactly one change is made: {a} {b}"
    );
    let winner = if a == 200 {
        "new-secret-aaaa"
    } else {
        "new-secret-bbbb"
    };
    let res = app
        .call_fn(&app.browser(), common::login_args("qiye", winner))
        .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "the winning password logs in: {}",
        res.status()
    );
}

/// The kept roll-up counts (issue 13) under racing writers: twelve enterprises of one cell
/// submit at once, their department accepts half and returns half at once, the returned
/// ones revise and resubmit while the department accepts the others again. The counts are
/// then exactly what a recount of the filings finds.
async fn submissions_decisions_and_resubmissions_at_once_keep_the_roll_up_counts_exact(
    backend: Backend,
) {
    use app::api::filing::ReviewFiling;
    let app = TestApp::spawn_with(backend, Options::fresh("2027-01-05T10:00:00+08:00")).await;
    let wuhua = app.wuhua().await;
    let dept = app.account_in(&wuhua.ajj).await.client;
    let mut firms = vec![wuhua.firm.clone()];
    for i in 0..11 {
        firms.push(
            wuhua
                .county
                .enterprise(
                    &format!("昆明并发化工{i}有限公司"),
                    "chemical",
                    Some(&wuhua.town),
                )
                .await,
        );
    }
    let mut tabs = Vec::new();
    for (i, firm) in firms.iter().enumerate() {
        let tab = app.account_in(firm).await.client;
        let unmet: &[(&str, &str)] = if i % 3 == 0 {
            &[("5.3", "安全管理人员调离，新任人员尚未到岗，下月内补齐。")]
        } else {
            &[]
        };
        app.try_fn(&tab, filing_form(BindingKind::Enterprise, unmet, "save"))
            .await
            .expect("a draft");
        tabs.push(tab);
    }
    let submissions = tabs.iter().map(|tab| {
        app.try_fn(
            tab,
            SubmitFiling {
                period: "2026-Y".into(),
                version: "1".into(),
            },
        )
    });
    for r in join_all(submissions).await {
        r.expect("submitted");
    }
    let ids: Vec<String> = {
        let mut ids = Vec::new();
        for firm in &firms {
            ids.push(stored_id(&app, &firm.id, 1).await);
        }
        ids
    };
    let decide = |id: &str, accept: bool| {
        app.try_fn(
            &dept,
            ReviewFiling {
                filing_id: id.to_string(),
                decision: if accept { "accept" } else { "return" }.into(),
                reason: if accept {
                    String::new()
                } else {
                    "请补充说明整改措施".into()
                },
                untrue: String::new(),
            },
        )
    };
    for r in join_all(ids.iter().enumerate().map(|(i, id)| decide(id, i % 2 == 0))).await {
        r.expect("decided");
    }
    // The returned ones revise and resubmit while the department decides the rest again
    // (already decided: refused, and nothing counted twice).
    let app = &app;
    let resubmit = |tab: reqwest::Client| async move {
        app.try_fn(
            &tab,
            ReviseFiling {
                period: "2026-Y".into(),
            },
        )
        .await
        .expect("revised");
        app.try_fn(
            &tab,
            SubmitFiling {
                period: "2026-Y".into(),
                version: "2".into(),
            },
        )
        .await
        .expect("resubmitted");
    };
    let returned: Vec<reqwest::Client> = tabs
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, t)| t.clone())
        .collect();
    let again = join_all(ids.iter().map(|id| decide(id, true)));
    let (_, refused) = tokio::join!(join_all(returned.into_iter().map(resubmit)), again);
    assert!(
        refused.iter().all(|r| r.is_err()),
        "every version was decided once"
    );
    app.assert_counts_match_a_recount().await;
    // And the department's roll-up reads them: twelve filed, six accepted.
    let v = app
        .try_fn(
            &dept,
            app::api::rollup::GetRollup {
                period: "2026-Y".into(),
                unit: String::new(),
                row: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!((v.rollup.filed(), v.rollup.accepted), (12, 6));
    assert_eq!(v.rollup.unmet_by_row.get("5.3"), Some(&4));
}

/// The id of a unit's filing version.
async fn stored_id(app: &TestApp, unit_id: &str, version: i64) -> String {
    sqlx::query_scalar("SELECT filing_id FROM filing WHERE unit_id = $1 AND period_key = '2026-Y' AND version = $2")
        .bind(unit_id)
        .bind(version)
        .fetch_one(&app.db)
        .await
        .unwrap()
}
