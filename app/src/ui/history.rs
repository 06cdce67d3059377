//! A unit's history for a period: every recorded change (who, when, what, before and after)
//! and every version of its filing side by side.

use super::{use_info, PageTitle};
use crate::api::filing::get_history;
use crate::domain::filing::FilingContent;
use crate::domain::forms::BindingKind;
use crate::domain::forms::{Answer, FORMS};
use crate::i18n::t;
use crate::model::filing::{FilingRecord, HistoryEvent, HistoryView};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

fn action_label(action: &str) -> &'static str {
    match action {
        "filing.save" => "保存草稿",
        "filing.submit" => "提交",
        "filing.revise" => "新建版本",
        "filing.paper" => "纸质代填",
        "filing.return" => "退回",
        "filing.accept" => "受理",
        "late_exception.grant" => "批准补报",
        "unit.create" => "创建单位",
        "unit.life" => "变更成立/注销日期",
        "unit.move" => "变更所在地或行业",
        "unit.merge" => "合并入另一单位",
        "unit.merge_in" => "合并重复登记单位",
        _ => "其他",
    }
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login" /> }.into_any();
    }
    let lang = info.lang;
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("unit").unwrap_or_default(),
                q.get("period").unwrap_or_default(),
            )
        },
        |(u, p)| get_history(u, p),
    );
    view! {
        <PageTitle key="history.title" />
        {page_with!(data, lang, |v| view! { <History view=v /> })}
    }
    .into_any()
}

#[component]
fn History(view: HistoryView) -> impl IntoView {
    let lang = use_info().lang;
    let binding = view.binding;
    let period = view.period;
    view! {
        <section class="card" data-testid="history">
            <h1>{t(lang, "history.title")} " · " {view.unit_name.clone()} " · " {view.period.label_zh()}</h1>
            {view.merged_into.clone().map(|k| view! {
                <p class="notice" data-testid="merged-into">
                    {t(lang, "merge.history_merged_into").replace("{date}", &k.merged_on)} " "
                    <a href=format!("/history?unit={}&period={}", k.unit_id, period.key())>{k.name}</a>
                </p>
            })}
            <Events events=view.events.clone() />
        </section>
        <section class="card">
            <h2>{t(lang, "history.versions")}</h2>
            <Versions binding versions=view.versions.clone() />
        </section>
        {view.merged_from.into_iter().map(|m| view! {
            <section class="card" data-testid="merged-history" data-unit=m.link.unit_id.clone()>
                <h2>
                    {t(lang, "merge.history_duplicate")} " · " {m.link.name.clone()} " · "
                    {t(lang, "merge.history_merged_on").replace("{date}", &m.link.merged_on)}
                </h2>
                <p>
                    <a href=format!("/history?unit={}&period={}", m.link.unit_id, period.key())>{t(lang, "merge.history_open")}</a>
                </p>
                <Events events=m.events />
                <h3>{t(lang, "history.versions")}</h3>
                <Versions binding versions=m.versions />
            </section>
        }).collect_view()}
    }
}

/// A history's recorded changes: who, when, what, the version and the change.
#[component]
fn Events(events: Vec<HistoryEvent>) -> impl IntoView {
    let lang = use_info().lang;
    view! {
        <table class="table" data-testid="events">
            <thead><tr><th>{t(lang, "history.when")}</th><th>{t(lang, "history.who")}</th><th>{t(lang, "history.what")}</th><th>{t(lang, "filing.version")}</th><th>{t(lang, "history.change")}</th></tr></thead>
            <tbody>
                {events.into_iter().map(|e| view! {
                    <tr data-action=e.action.clone()>
                        <td>{crate::domain::time::format_kunming(e.at)}</td>
                        <td>{e.actor.clone().unwrap_or_else(|| "系统".into())}</td>
                        <td>{action_label(&e.action)}</td>
                        <td>{e.version.map(|v| v.to_string()).unwrap_or_else(|| "—".into())}</td>
                        <td class="json">{e.after.clone().unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The versions of a filing side by side, row by row, the rows that differ marked.
#[component]
fn Versions(binding: BindingKind, versions: Vec<(FilingRecord, FilingContent)>) -> impl IntoView {
    let lang = use_info().lang;
    view! {
        <table class="table compare" data-testid="compare">
            <thead>
                <tr>
                    <th>{t(lang, "rollup.row")}</th>
                    {versions.iter().map(|(r, _)| view! {
                        <th>
                            {format!("{} {}", t(lang, "filing.version"), r.version)}
                            {r.paper_date.map(|d| format!(" · {} {} · {}", t(lang, "filing.paper_badge"), r.entered_by.clone().unwrap_or_default(), d.format("%Y-%m-%d")))}
                        </th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {FORMS.iter().flat_map(|f| f.binding_rows(binding)).map(|row| {
                    let cells: Vec<String> = versions.iter().map(|(_, c)| {
                        match c.answers.get(row.id) {
                            Some(Answer::Done) => "落实".to_string(),
                            Some(Answer::NotDone) => format!("不落实：{}", c.explanations.get(row.id).cloned().unwrap_or_default()),
                            None => "—".to_string(),
                        }
                    }).collect();
                    let differs = cells.windows(2).any(|w| w[0] != w[1]);
                    view! {
                        <tr class=if differs { "differs" } else { "" }>
                            <td>{row.id}</td>
                            {cells.into_iter().map(|text| view! { <td>{text}</td> }).collect_view()}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
