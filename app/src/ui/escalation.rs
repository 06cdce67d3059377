//! The escalation ladder's pages (昆政办〔2010〕106号): the office's escalations page with its
//! proposals, issued documents, dashboard and hand-issue form; one escalation as a printable
//! document with the target's replies and the issuer's decisions; the target's inbox; the
//! public disclosure page (第七条, no login); the 专报 brief (第八条). Plain forms throughout:
//! everything works with JavaScript off.

use super::rollup::bars;
use super::{
    feedback_from_flash, general_error, use_flash, use_info, FieldError, PageTitle, TextArea,
};
use crate::api::escalation::{
    get_brief, get_disclosures, get_escalation, get_escalations, get_inbox,
};
use crate::domain::ladder::{Reminder, Rung, Severity};
use crate::domain::limits::Text;
use crate::i18n::{t, Lang};
use crate::model::escalation::{
    EscalationView, EscalationsPage as PageData, Notice, ReplyState, ResponseDecision, ResponseKind,
};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

fn rung_label(lang: Lang, r: Rung) -> &'static str {
    match lang {
        Lang::Zh => r.label_zh(),
        Lang::En => r.label_en(),
    }
}

fn severity_label(lang: Lang, s: Severity) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => s.label_en(),
    }
}

fn reply_key(r: ReplyState) -> &'static str {
    match r {
        ReplyState::None => "esc.reply_none",
        ReplyState::Awaiting => "esc.reply_awaiting",
        ReplyState::Overdue => "esc.reply_overdue",
        ReplyState::UnderReview => "esc.reply_review",
        ReplyState::Answered => "esc.reply_answered",
    }
}

/// A rung with its severity, coloured by severity.
fn rung_badge(lang: Lang, r: Rung) -> impl IntoView {
    view! {
        <span class=format!("badge sev-{}", r.severity().code()) data-rung=r.code()>
            {rung_label(lang, r)} " · " {severity_label(lang, r.severity())}
        </span>
    }
}

// ---------------------------------------------------------------------------------------------
// The office's page
// ---------------------------------------------------------------------------------------------

#[component]
pub fn EscalationsPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login?next=/escalations" /> }.into_any();
    }
    let lang = info.lang;
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        (get("rung"), get("severity"), get("county"), get("status"))
    };
    let data = Resource::new(filters, |(r, s, c, st)| get_escalations(r, s, c, st));
    let flash = use_flash();
    let done = move || query.read().get("done").unwrap_or_default();
    view! {
        <PageTitle key="esc.title" />
        {page_with!(data, lang, |v| {
            let flash = flash.await;
            let (rung, severity, county, status) = filters();
            view! { <Escalations page=v flash done=done() rung severity county status lang /> }
        })}
    }
    .into_any()
}

#[component]
#[allow(clippy::too_many_arguments)]
fn Escalations(
    page: PageData,
    flash: Option<crate::model::Flash>,
    done: String,
    rung: String,
    severity: String,
    county: String,
    status: String,
    lang: Lang,
) -> impl IntoView {
    let d = page.dashboard.clone();
    let failed_on = flash.as_ref().and_then(|f| {
        f.values
            .iter()
            .find(|(k, _)| k == "escalation_id")
            .map(|(_, v)| v.clone())
    });
    let general = flash.as_ref().and_then(|f| general_error(lang, &f.error));
    let manual = feedback_from_flash(flash.clone(), "manual", done == "manual");
    let accident = feedback_from_flash(flash.clone(), "accident", done == "accident");
    let proposal_feedback = |id: &str| {
        if failed_on.as_deref() == Some(id) {
            flash.clone().and_then(|f| {
                if f.form == "issue" || f.form == "dismiss" {
                    Some(f)
                } else {
                    None
                }
            })
        } else {
            None
        }
    };
    let ok = match done.as_str() {
        "issue" => Some("ok.esc_issued"),
        "dismiss" => Some("ok.esc_dismissed"),
        "proposals" => Some("ok.esc_proposals"),
        "manual" => Some("ok.esc_issued"),
        "accident" => Some("ok.accident"),
        _ => None,
    };
    let county_bars: Vec<(String, f64, String)> = d
        .by_county
        .iter()
        .map(|(c, n)| (c.clone(), *n as f64, n.to_string()))
        .collect();
    let max_county = d.by_county.iter().map(|(_, n)| *n).max().unwrap_or(0) as f64;
    let counties: Vec<String> = d.by_county.iter().map(|(c, _)| c.clone()).collect();
    view! {
        <section class="card" data-testid="escalations">
            <h1>{t(lang, "esc.title")}</h1>
            {general.map(|g| view! { <p class="form-error" role="alert">{g}</p> })}
            {ok.map(|k| view! { <p class="form-ok" role="status">{t(lang, k)}</p> })}
            <p class="muted">
                {t(lang, "esc.weighs")} " " {page.period_label.clone()}
                {page.last_run.clone().map(|r| view! { " · " {t(lang, "esc.last_run")} " " {r} })}
            </p>
            {page.may_issue.then(|| view! {
                <form method="post" action="/api/run_proposals" class="inline no-print">
                    <button type="submit">{t(lang, "esc.run")}</button>
                </form>
            })}
            <div class="counts" data-testid="dashboard">
                {d.by_severity.iter().map(|(s, n)| view! {
                    <div class=format!("sev-box sev-{}", s.code()) data-severity=s.code()>
                        <dt>{severity_label(lang, *s)}</dt><dd>{*n}</dd>
                    </div>
                }).collect_view()}
                <div data-key="proposals"><dt>{t(lang, "esc.proposals_waiting")}</dt><dd>{d.proposals_waiting}</dd></div>
                <div data-key="responses"><dt>{t(lang, "esc.responses_to_decide")}</dt><dd>{d.responses_to_decide}</dd></div>
                <div data-key="overdue"><dt>{t(lang, "esc.overdue")}</dt><dd>{d.overdue}</dd></div>
            </div>
            <table class="table compact">
                <thead><tr>{d.by_rung.iter().map(|(r, _)| view! { <th>{rung_label(lang, *r)}</th> }).collect_view()}</tr></thead>
                <tbody><tr>{d.by_rung.iter().map(|(_, n)| view! { <td>{*n}</td> }).collect_view()}</tr></tbody>
            </table>
            {(!county_bars.is_empty()).then(|| view! { <h2>{t(lang, "esc.by_county")}</h2> {bars(county_bars, max_county)} })}
            {(!d.longest.is_empty()).then(|| view! {
                <h2>{t(lang, "esc.longest")}</h2>
                <table class="table" data-testid="longest">
                    <thead><tr><th>{t(lang, "filing.unit")}</th><th>{t(lang, "esc.highest")}</th><th>{t(lang, "esc.open_count")}</th><th>{t(lang, "esc.days_open")}</th><th></th></tr></thead>
                    <tbody>
                        {d.longest.iter().map(|(id, name, r, n, days)| view! {
                            <tr>
                                <td>{name.clone()}</td><td>{rung_badge(lang, *r)}</td><td>{*n}</td><td>{*days}</td>
                                <td>{page.may_issue.then(|| view! { <a href=format!("/brief?unit={id}")>{t(lang, "esc.brief")}</a> })}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
        {page.may_issue.then(|| view! {
            <section class="card" data-testid="proposals">
                <h2>{t(lang, "esc.proposals")} " (" {page.proposals.len()} ")"</h2>
                {page.proposals.is_empty().then(|| view! { <p class="muted">{t(lang, "esc.no_proposals")}</p> })}
                {page.proposals.iter().map(|p| view! { <ProposalCard p=p.clone() flash=proposal_feedback(&p.escalation_id) lang /> }).collect_view()}
            </section>
        })}
        <section class="card" data-testid="issued">
            <h2>{t(lang, "esc.issued")}</h2>
            <form method="get" class="filters">
                <label>{t(lang, "esc.rung")}
                    <select name="rung">
                        <option value="">{t(lang, "unit.all")}</option>
                        {Rung::ALL.iter().map(|r| view! { <option value=r.code() selected=rung == r.code()>{rung_label(lang, *r)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t(lang, "esc.severity")}
                    <select name="severity">
                        <option value="">{t(lang, "unit.all")}</option>
                        {Severity::ALL.iter().map(|s| view! { <option value=s.code() selected=severity == s.code()>{severity_label(lang, *s)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t(lang, "unit.county")}
                    <select name="county">
                        <option value="">{t(lang, "unit.all")}</option>
                        {counties.iter().map(|c| view! { <option value=c.clone() selected=county == *c>{c.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t(lang, "filing.status")}
                    <select name="status">
                        <option value="">{t(lang, "unit.all")}</option>
                        <option value="open" selected=status == "open">{t(lang, "esc.status_issued")}</option>
                        <option value="overdue" selected=status == "overdue">{t(lang, "esc.reply_overdue")}</option>
                        <option value="closed" selected=status == "closed">{t(lang, "esc.status_closed")}</option>
                    </select>
                </label>
                <button type="submit">{t(lang, "unit.filter")}</button>
            </form>
            <EscalationTable rows=page.issued.clone() lang />
        </section>
        {page.may_issue.then(|| {
            let targets = page.targets.clone();
            let targets2 = page.targets.clone();
            let m = manual.clone();
            let a = accident.clone();
            view! {
                <section class="card no-print" data-testid="manual">
                    <h2>{t(lang, "esc.manual")}</h2>
                    <form method="post" action="/api/issue_manual" class="stack">
                        <label for="target_unit_id">{t(lang, "esc.target")}</label>
                        <select id="target_unit_id" name="target_unit_id" aria-describedby="target_unit_id-error">
                            <option value="">"—"</option>
                            {targets.iter().map(|o| { let sel = m.value("target_unit_id") == o.unit_id; view! { <option value=o.unit_id.clone() selected=sel>{format!("{}（{}）", o.name, o.kind.label_zh())}</option> } }).collect_view()}
                        </select>
                        <FieldError field="target_unit_id" message=Signal::derive({ let m = m.clone(); move || m.field("target_unit_id") }) />
                        <label for="rung">{t(lang, "esc.rung")}</label>
                        <select id="rung" name="rung">
                            {Rung::ALL.iter().map(|r| view! { <option value=r.code() selected=m.value("rung") == r.code()>{format!("{} · {}", rung_label(lang, *r), r.article())}</option> }).collect_view()}
                        </select>
                        <FieldError field="rung" message=Signal::derive({ let m = m.clone(); move || m.field("rung") }) />
                        <label for="manual-reasons">{t(lang, "esc.reasons")}</label>
                        <TextArea id="manual-reasons" name="reasons" rows=3 limit=Text::EscalationReasons described_by="reasons-error" text=m.value("reasons") />
                        <FieldError field="reasons" message=Signal::derive({ let m = m.clone(); move || m.field("reasons") }) />
                        <label for="manual-measures">{t(lang, "esc.measures")}</label>
                        <TextArea id="manual-measures" name="measures" rows=2 limit=Text::Measures described_by="measures-error" text=m.value("measures") />
                        <label for="manual-due">{t(lang, "esc.reply_due")}</label>
                        <input id="manual-due" type="date" name="reply_due" value=m.value("reply_due") aria-describedby="reply_due-error" />
                        <FieldError field="reply_due" message=Signal::derive({ let m = m.clone(); move || m.field("reply_due") }) />
                        <p class="muted">{t(lang, "esc.due_hint")}</p>
                        <button type="submit" class="primary">{t(lang, "esc.issue")}</button>
                    </form>
                </section>
                <section class="card no-print" data-testid="accident">
                    <h2>{t(lang, "esc.accident")}</h2>
                    <p class="muted">{t(lang, "esc.accident_hint")}</p>
                    <form method="post" action="/api/record_accident" class="stack">
                        <label for="acc-unit">{t(lang, "filing.unit")}</label>
                        <select id="acc-unit" name="unit_id">
                            <option value="">"—"</option>
                            {targets2.iter().map(|o| view! { <option value=o.unit_id.clone() selected=a.value("unit_id") == o.unit_id>{o.name.clone()}</option> }).collect_view()}
                        </select>
                        <FieldError field="unit_id" message=Signal::derive({ let a = a.clone(); move || a.field("unit_id") }) />
                        <label for="acc-date">{t(lang, "esc.accident_date")}</label>
                        <input id="acc-date" type="date" name="occurred_on" value=a.value("occurred_on") />
                        <FieldError field="occurred_on" message=Signal::derive({ let a = a.clone(); move || a.field("occurred_on") }) />
                        <label class="check"><input type="checkbox" name="larger" value="1" checked=a.value("larger") == "1" /> {t(lang, "esc.accident_larger")}</label>
                        <label for="acc-desc">{t(lang, "esc.accident_description")}</label>
                        <TextArea id="acc-desc" name="description" rows=2 limit=Text::AccidentDescription described_by="description-error" text=a.value("description") />
                        <FieldError field="description" message=Signal::derive({ let a = a.clone(); move || a.field("description") }) />
                        <button type="submit">{t(lang, "esc.accident_record")}</button>
                    </form>
                </section>
            }
        })}
    }
}

#[component]
fn ProposalCard(
    p: EscalationView,
    flash: Option<crate::model::Flash>,
    lang: Lang,
) -> impl IntoView {
    let fb = feedback_from_flash(
        flash.clone(),
        flash
            .as_ref()
            .map(|f| f.form.clone())
            .unwrap_or_default()
            .as_str(),
        false,
    );
    let reasons = if fb.value("reasons").is_empty() {
        p.reasons.clone()
    } else {
        fb.value("reasons")
    };
    let measures = if fb.value("measures").is_empty() {
        p.measures.clone()
    } else {
        fb.value("measures")
    };
    let id = p.escalation_id.clone();
    let asks_date = !matches!(p.rung, Rung::Admonition | Rung::SpecialReport);
    let fb2 = fb.clone();
    let fb3 = fb.clone();
    let fb4 = fb.clone();
    view! {
        <article class="proposal" data-id=id.clone() data-target=p.target_unit_id.clone() data-rung=p.rung.code()>
            <h3>{rung_badge(lang, p.rung)} " " {p.target_name.clone()} " · " {p.rung.article()}</h3>
            <ul class="evidence">
                {p.evidence.iter().map(|r| view! {
                    <li>{match lang { Lang::Zh => r.evidence.describe_zh(), Lang::En => r.evidence.describe_en() }} " " <span class="clause">{r.clause.clone()}</span></li>
                }).collect_view()}
            </ul>
            <form method="post" action="/api/issue_escalation" class="stack">
                <input type="hidden" name="escalation_id" value=id.clone() />
                <label for=format!("reasons-{id}")>{t(lang, "esc.reasons")}</label>
                <TextArea id=format!("reasons-{id}") name="reasons" rows=3 limit=Text::EscalationReasons described_by="reasons-error" text=reasons />
                <FieldError field="reasons" message=Signal::derive(move || fb.field("reasons")) />
                <label for=format!("measures-{id}")>{t(lang, "esc.measures")}</label>
                <TextArea id=format!("measures-{id}") name="measures" rows=2 limit=Text::Measures described_by="measures-error" text=measures />
                {asks_date.then(|| view! {
                    <label for=format!("due-{id}")>{t(lang, "esc.reply_due")}</label>
                    <input id=format!("due-{id}") type="date" name="reply_due" />
                    <FieldError field="reply_due" message=Signal::derive(move || fb2.field("reply_due")) />
                })}
                <FieldError field="target_unit_id" message=Signal::derive(move || fb3.field("target_unit_id")) />
                <button type="submit" class="primary">{t(lang, "esc.issue")}</button>
            </form>
            <form method="post" action="/api/dismiss_escalation" class="return-form">
                <input type="hidden" name="escalation_id" value=id.clone() />
                <label for=format!("dismiss-{id}")>{t(lang, "esc.dismiss_reason")}</label>
                <TextArea id=format!("dismiss-{id}") name="reason" rows=1 limit=Text::StaffReason described_by="reason-error" />
                <FieldError field="reason" message=Signal::derive(move || fb4.field("reason")) />
                <button type="submit">{t(lang, "esc.dismiss")}</button>
            </form>
        </article>
    }
}

#[component]
fn EscalationTable(rows: Vec<EscalationView>, lang: Lang) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">{t(lang, "esc.none")}</p> }.into_any();
    }
    view! {
        <table class="table" data-testid="escalation-table">
            <thead><tr>
                <th>{t(lang, "esc.number")}</th><th>{t(lang, "esc.target")}</th><th>{t(lang, "esc.rung")}</th>
                <th>{t(lang, "esc.issued_at")}</th><th>{t(lang, "esc.reply_due")}</th><th>{t(lang, "esc.reply")}</th><th>{t(lang, "filing.status")}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|v| view! {
                    <tr data-id=v.escalation_id.clone() data-target=v.target_unit_id.clone() class=if v.reply == ReplyState::Overdue { "overdue" } else { "" }>
                        <td><a href=format!("/escalation?id={}", v.escalation_id)>{v.number.clone().unwrap_or_default()}</a></td>
                        <td>{v.target_name.clone()} <small class="muted">{v.target_county.clone().map(|c| format!(" · {c}"))}</small></td>
                        <td>{rung_badge(lang, v.rung)}</td>
                        <td>{v.issued_at.clone().unwrap_or_default()}</td>
                        <td>{v.reply_due.clone().unwrap_or_else(|| "—".into())}</td>
                        <td>{t(lang, reply_key(v.reply))}</td>
                        <td>{t(lang, v.status.label_key())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// One escalation: the document, the replies, the decisions
// ---------------------------------------------------------------------------------------------

#[component]
pub fn EscalationPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login" /> }.into_any();
    }
    let lang = info.lang;
    let query = use_query_map();
    let data = Resource::new(
        move || query.read().get("id").unwrap_or_default(),
        get_escalation,
    );
    let flash = use_flash();
    let done = move || query.read().get("done").unwrap_or_default();
    view! {
        <PageTitle key="esc.document" />
        {page_with!(data, lang, |v| {
            let flash = flash.await;
            view! { <Document v flash done=done() lang /> }
        })}
    }
    .into_any()
}

#[component]
fn Document(
    v: EscalationView,
    flash: Option<crate::model::Flash>,
    done: String,
    lang: Lang,
) -> impl IntoView {
    let general = flash.as_ref().and_then(|f| general_error(lang, &f.error));
    let respond = feedback_from_flash(flash.clone(), "respond", false);
    let decide = feedback_from_flash(flash.clone(), "decide", false);
    let close = feedback_from_flash(flash.clone(), "close", false);
    let ok = match done.as_str() {
        "acknowledge" => Some("ok.esc_acknowledged"),
        "respond" => Some("ok.esc_responded"),
        "decide" => Some("ok.esc_decided"),
        "close" => Some("ok.esc_closed"),
        _ => None,
    };
    let report = v.rung == Rung::Admonition;
    let id = v.escalation_id.clone();
    let title = match v.rung {
        Rung::Prompt => "安全生产提示通知书",
        Rung::Notification => "安全生产告知书",
        Rung::Admonition => "安全生产告诫通知书",
        Rung::Disclosure => "安全生产警示通报",
        Rung::SpecialReport => "安全生产警示专报",
    };
    view! {
        {general.map(|g| view! { <p class="form-error no-print" role="alert">{g}</p> })}
        {ok.map(|k| view! { <p class="form-ok no-print" role="status">{t(lang, k)}</p> })}
        <article class="report document" data-testid="document" data-status=v.status.code()>
            <p class="no-print"><super::PrintButton label=t(lang, "report.print") /></p>
            <p class="report-sub">{v.issuer_name.clone()}</p>
            <h1 class="report-title">{title}</h1>
            <p class="report-sub" data-testid="number">{v.number.clone().unwrap_or_else(|| t(lang, "esc.status_proposed").to_string())}</p>
            <p><strong>{v.target_name.clone()}</strong>"："</p>
            <p>{rung_badge(lang, v.rung)} " " {v.rung.article()} " · " {match lang { Lang::Zh => v.delivery.label_zh(), Lang::En => v.delivery.label_en() }}</p>
            <h2>{t(lang, "esc.reasons")}</h2>
            <p class="remarks">{v.reasons.clone()}</p>
            {(!v.evidence.is_empty()).then(|| view! {
                <h2>{t(lang, "esc.evidence")}</h2>
                <ul class="evidence">
                    {v.evidence.iter().map(|r| view! { <li>{r.evidence.describe_zh()} " " <span class="clause">{r.clause.clone()}</span></li> }).collect_view()}
                </ul>
            })}
            <h2>{t(lang, "esc.measures")}</h2>
            <p class="remarks">{v.measures.clone()}</p>
            {v.reply_due.clone().map(|d| view! {
                <p data-testid="reply-due"><strong>{t(lang, if report { "esc.report_due" } else { "esc.reply_due" })} "：" {d}</strong>
                    {report.then(|| view! { " " <span class="muted">"（第九条）"</span> })}</p>
            })}
            <p class="report-sign">{v.issuer_name.clone()} "（盖章）"<br />{v.issued_at.clone().unwrap_or_default()}</p>
        </article>
        <section class="card no-print" data-testid="trail">
            <h2>{t(lang, "esc.trail")}</h2>
            <ul>
                {v.proposed_at.clone().map(|at| view! { <li>{at} " " {t(lang, "esc.proposed")}</li> })}
                {v.issued_at.clone().map(|at| view! { <li>{at} " " {t(lang, "esc.status_issued")}</li> })}
                {v.acknowledged_at.clone().map(|at| view! { <li>{at} " " {t(lang, "esc.acknowledged")}</li> })}
                {v.responses.iter().map(|r| view! {
                    <li data-testid="response">
                        {r.submitted_at.clone()} " " {t(lang, if r.kind == ResponseKind::Report { "esc.report" } else { "esc.reply" })} " · " {r.submitted_by.clone()}
                        <p class="remarks">{r.body.clone()}</p>
                        {
                            // The sealed paper copy of the reply or report (issue 14); the
                            // target attaches it while the issuer has not decided.
                            let upload = (v.actions.attach && r.decision.is_none())
                                .then(|| vec![("escalation_id", id.clone())]);
                            (upload.is_some() || !r.attachments.is_empty()).then(|| view! {
                                <super::AttachmentBox files=r.attachments.clone() upload hint=t(lang, "esc.attach_hint") lang />
                            })
                        }
                        {r.decision.map(|d| view! {
                            <p>{r.decided_at.clone().unwrap_or_default()} " " {t(lang, if d == ResponseDecision::Accepted { "esc.accepted" } else { "esc.more_requested" })} " " {r.decision_note.clone()}</p>
                        })}
                    </li>
                }).collect_view()}
                {v.dismissed_at.clone().map(|at| view! { <li>{at} " " {t(lang, "esc.status_dismissed")} "：" {v.dismiss_reason.clone()}</li> })}
                {v.closed_at.clone().map(|at| view! { <li>{at} " " {t(lang, "esc.status_closed")} "：" {v.close_reason.clone()}</li> })}
            </ul>
            <p>{t(lang, "esc.reply")} ": " <span data-testid="reply-state">{t(lang, reply_key(v.reply))}</span></p>
            {v.actions.acknowledge.then(|| view! {
                <form method="post" action="/api/acknowledge_escalation" class="inline">
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit" class="primary" data-testid="acknowledge">{t(lang, "esc.acknowledge")}</button>
                </form>
            })}
            {v.actions.respond.then(|| { let r = respond.clone(); view! {
                <form method="post" action="/api/respond_escalation" class="stack" data-testid="respond">
                    <input type="hidden" name="id" value=id.clone() />
                    <label for="body">{t(lang, if report { "esc.report_body" } else { "esc.reply_body" })}</label>
                    <TextArea id="body" name="body" rows=5 limit=Text::ReplyBody described_by="body-error" text=r.value("body") />
                    <FieldError field="body" message=Signal::derive(move || r.field("body")) />
                    <button type="submit" class="primary">{t(lang, if report { "esc.send_report" } else { "esc.send_reply" })}</button>
                </form>
            }})}
            {v.actions.decide_response.then(|| { let d = decide.clone(); view! {
                <div data-testid="decide">
                    <form method="post" action="/api/decide_response" class="inline">
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="decision" value="accept" />
                        <button type="submit" class="primary">{t(lang, if report { "esc.accept_report" } else { "esc.accept_reply" })}</button>
                    </form>
                    <form method="post" action="/api/decide_response" class="return-form">
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="decision" value="more" />
                        <label for="note">{t(lang, "esc.more_note")}</label>
                        <TextArea id="note" name="note" rows=1 limit=Text::DecisionNote described_by="note-error" text=d.value("note") />
                        <FieldError field="note" message=Signal::derive(move || d.field("note")) />
                        <button type="submit">{t(lang, "esc.ask_more")}</button>
                    </form>
                </div>
            }})}
            {v.actions.close.then(|| { let c = close.clone(); view! {
                <form method="post" action="/api/close_escalation" class="return-form" data-testid="close">
                    <input type="hidden" name="id" value=id.clone() />
                    <label for="close_reason">{t(lang, "esc.close_reason")}</label>
                    <TextArea id="close_reason" name="reason" rows=1 limit=Text::StaffReason described_by="close_reason-error" text=c.value("close_reason") />
                    <FieldError field="close_reason" message=Signal::derive(move || c.field("close_reason")) />
                    <button type="submit">{t(lang, if v.rung == Rung::Disclosure { "esc.lift" } else { "esc.close" })}</button>
                </form>
            }})}
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// The inbox
// ---------------------------------------------------------------------------------------------

/// The text of a notice.
pub fn notice_text(lang: Lang, n: &Notice) -> String {
    match n {
        Notice::NewEscalation { number, rung, .. } => format!(
            "{}：{} {}",
            t(lang, "notice.new"),
            rung_label(lang, *rung),
            number
        ),
        Notice::Deadline(Reminder::WindowOpen {
            period_key,
            last_day,
        }) => {
            format!(
                "{} {} · {} {}",
                t(lang, "notice.window_open"),
                period_key,
                t(lang, "notice.until"),
                last_day
            )
        }
        Notice::Deadline(Reminder::WindowClosing {
            period_key,
            last_day,
        }) => {
            format!(
                "{} {} · {} {}",
                t(lang, "notice.window_closing"),
                period_key,
                t(lang, "notice.until"),
                last_day
            )
        }
        Notice::Deadline(Reminder::RectificationReportDue { escalation_no, due }) => {
            format!(
                "{} {} · {} {}",
                t(lang, "notice.report_due"),
                escalation_no,
                t(lang, "notice.until"),
                due
            )
        }
        Notice::Returned { period_key } => format!("{} {}", t(lang, "notice.returned"), period_key),
        Notice::Decisions {
            proposals,
            responses,
            overdue,
        } => format!(
            "{} {} · {} {} · {} {}",
            t(lang, "esc.proposals_waiting"),
            proposals,
            t(lang, "esc.responses_to_decide"),
            responses,
            t(lang, "esc.overdue"),
            overdue
        ),
    }
}

/// Where a notice leads.
pub fn notice_href(n: &Notice) -> String {
    match n {
        Notice::NewEscalation { escalation_id, .. } => format!("/escalation?id={escalation_id}"),
        Notice::Deadline(Reminder::RectificationReportDue { .. }) => "/inbox".into(),
        Notice::Deadline(_) | Notice::Returned { .. } => "/filing".into(),
        Notice::Decisions { .. } => "/escalations".into(),
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login?next=/inbox" /> }.into_any();
    }
    let lang = info.lang;
    let data = Resource::new(|| (), |_| get_inbox());
    view! {
        <PageTitle key="inbox.title" />
        {page_with!(data, lang, |inbox| view! {
            <section class="card" data-testid="inbox">
                <h1>{t(lang, "inbox.title")}</h1>
                {if inbox.notices.is_empty() {
                    view! { <p class="muted">{t(lang, "inbox.no_notices")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="notices" data-testid="notices">
                            {inbox.notices.iter().map(|n| view! { <li><a href=notice_href(n)>{notice_text(lang, n)}</a></li> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <h2>{t(lang, "inbox.escalations")}</h2>
                <EscalationTable rows=inbox.escalations.clone() lang />
            </section>
        })}
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// Public disclosure (第七条): anyone, no login
// ---------------------------------------------------------------------------------------------

#[component]
pub fn PublicPage() -> impl IntoView {
    let lang = use_info().lang;
    let data = Resource::new(|| (), |_| get_disclosures());
    view! {
        <PageTitle key="public.title" />
        {page_with!(data, lang, |list| view! {
            <section class="card" data-testid="public">
                <h1>{t(lang, "public.title")}</h1>
                <p class="muted">{t(lang, "public.intro")}</p>
                {if list.is_empty() {
                    view! { <p data-testid="public-empty">{t(lang, "public.none")}</p> }.into_any()
                } else {
                    view! {
                        <table class="table" data-testid="disclosures">
                            <thead><tr>
                                <th>{t(lang, "filing.unit")}</th><th>{t(lang, "unit.county")}</th><th>{t(lang, "esc.reasons")}</th>
                                <th>{t(lang, "esc.measures")}</th><th>{t(lang, "esc.issued_at")}</th><th>{t(lang, "esc.number")}</th>
                            </tr></thead>
                            <tbody>
                                {list.iter().map(|d| view! {
                                    <tr>
                                        <td>{d.unit_name.clone()}</td>
                                        <td>{d.county.clone().unwrap_or_else(|| "市级".into())}</td>
                                        <td class="remarks">{d.reasons.clone()} {(!d.clauses.is_empty()).then(|| view! { <br /><small class="clause">{d.clauses.join("、")}</small> })}</td>
                                        <td class="remarks">{d.measures.clone()}</td>
                                        <td>{d.issued_on.clone()}</td>
                                        <td>{d.number.clone()} <br /><small>{d.issuer_name.clone()}</small></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        })}
    }
}

// ---------------------------------------------------------------------------------------------
// The 专报 brief (第八条)
// ---------------------------------------------------------------------------------------------

#[component]
pub fn BriefPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login" /> }.into_any();
    }
    let lang = info.lang;
    let query = use_query_map();
    let data = Resource::new(
        move || query.read().get("unit").unwrap_or_default(),
        get_brief,
    );
    view! {
        <PageTitle key="brief.title" />
        {page_with!(data, lang, |b| view! {
            <article class="report" data-testid="brief">
                <p class="no-print"><super::PrintButton label=t(lang, "report.print") /></p>
                <h1 class="report-title">"安全生产警示专报"</h1>
                <p class="report-sub">"关于" {b.unit_name.clone()} "安全生产工作情况的专报"</p>
                <p class="report-from">{b.issuer_name.clone()} "　" {b.compiled_on.clone()}</p>
                <p>{format!("{}（{}{}）", b.unit_name, b.unit_kind.label_zh(), b.county.as_ref().map(|c| format!("，{c}")).unwrap_or_default())}</p>
                <h2>"一、零申报情况"</h2>
                <table class="table report-table" data-testid="brief-periods">
                    <thead><tr><th>"申报期"</th><th>"申报情况"</th><th>"不落实事项及说明"</th></tr></thead>
                    <tbody>
                        {b.periods.iter().map(|p| view! {
                            <tr>
                                <td>{p.label.clone()}</td>
                                <td>{t(lang, super::rollup::status_key(p.status))}{p.late.then_some("（逾期）")}</td>
                                <td>{p.unmet.iter().map(|item| view! { <div class="unmet">{item.row_id.clone()} "：" {item.explanation.clone()}</div> }).collect_view()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <h2>"二、警示及整改情况"</h2>
                {if b.escalations.is_empty() {
                    view! { <p>"无。"</p> }.into_any()
                } else {
                    view! {
                        <table class="table report-table" data-testid="brief-escalations">
                            <thead><tr><th>"文号"</th><th>"措施"</th><th>"发出"</th><th>"事由"</th><th>"答复与整改"</th></tr></thead>
                            <tbody>
                                {b.escalations.iter().map(|e| view! {
                                    <tr>
                                        <td>{e.number.clone().unwrap_or_default()}</td>
                                        <td>{e.rung.label_zh()} "（" {e.rung.article()} "）"</td>
                                        <td>{e.issued_at.clone().unwrap_or_default()}</td>
                                        <td class="remarks">{e.reasons.clone()}</td>
                                        <td>
                                            {t(lang, reply_key(e.reply))}
                                            {e.responses.iter().map(|r| view! { <div class="unmet">{r.submitted_at.clone()} "：" {r.body.clone()}</div> }).collect_view()}
                                            {e.closed_at.clone().map(|c| view! { <div>{c} " " {e.close_reason.clone()}</div> })}
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
                <h2>"三、建议"</h2>
                <p>"该单位经提示、告知、告诫后仍未采取有效措施的，依照106号文件第八条专报同级人民政府主要领导，提请研究督办。"</p>
                <p class="report-sign">{b.issuer_name.clone()} "（盖章）"<br />{b.compiled_on.clone()}</p>
            </article>
        })}
    }
    .into_any()
}
