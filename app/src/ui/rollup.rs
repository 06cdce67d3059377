//! The roll-up page (汇总): a period's counts over the units below the user's department or
//! office, with server-rendered SVG charts (they need no JavaScript).

use super::{general_error, use_info, PageTitle};
use crate::api::filing::{get_rollup, RollupView};
use crate::domain::forms::FORMS;
use crate::i18n::t;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn RollupPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login?next=/rollup" /> }.into_any();
    }
    let lang = info.lang;
    let query = use_query_map();
    let data = Resource::new(
        move || query.read().get("period").unwrap_or_default(),
        get_rollup,
    );
    view! {
        <PageTitle key="rollup.title" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::ssr::form::set_status_for(&e);
                        view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any()
                    }
                    Ok(v) => view! { <RollupTables view=v /> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// A horizontal bar chart as inline SVG: one bar per (label, value, max).
fn bars(rows: Vec<(String, f64, String)>, max: f64) -> impl IntoView {
    let height = 22 * rows.len().max(1) + 4;
    let max = if max <= 0.0 { 1.0 } else { max };
    view! {
        <svg class="chart" viewBox=format!("0 0 600 {height}") width="100%" role="img" preserveAspectRatio="xMinYMin meet">
            {rows
                .into_iter()
                .enumerate()
                .map(|(i, (label, value, text))| {
                    let y = 22 * i + 2;
                    let w = (value / max * 380.0).max(0.0);
                    view! {
                        <g>
                            <text x="0" y=y + 15 font-size="13">{label}</text>
                            <rect x="170" y=y width=format!("{w:.1}") height="16" fill="#b3261e"></rect>
                            <text x=format!("{:.1}", 176.0 + w) y=y + 13 font-size="12">{text}</text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
}

#[component]
fn RollupTables(view: RollupView) -> impl IntoView {
    let lang = use_info().lang;
    let r = view.rollup.clone();
    let c = view.change.clone();
    let signed = |n: i64| {
        if n > 0 {
            format!("+{n}")
        } else {
            n.to_string()
        }
    };
    let groups: Vec<(String, f64, String)> = r
        .by_group
        .iter()
        .map(|(g, counts)| {
            let share = if counts.expected == 0 {
                0.0
            } else {
                counts.filed as f64 / counts.expected as f64
            };
            (
                g.clone(),
                share,
                format!(
                    "{}/{} · {:.0}%",
                    counts.filed,
                    counts.expected,
                    share * 100.0
                ),
            )
        })
        .collect();
    let max_form = r.unmet_by_form.values().copied().max().unwrap_or(0) as f64;
    let forms: Vec<(String, f64, String)> = FORMS
        .iter()
        .map(|f| {
            let n = r.unmet_by_form.get(&f.number).copied().unwrap_or(0);
            (format!("表{}", f.number), n as f64, n.to_string())
        })
        .collect();
    let period_key = view.period.key();
    view! {
        <section class="card" data-testid="rollup">
            <h1>{t(lang, "rollup.title")} " · " {view.period.label_zh()}</h1>
            <form method="get" class="filters">
                <label>{t(lang, "filing.period")}
                    <select name="period">
                        {view.periods.iter().map(|(k, l)| view! { <option value=k.clone() selected=*k == period_key>{l.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit">{t(lang, "unit.filter")}</button>
            </form>
            <dl class="counts">
                {[
                    ("rollup.expected", r.expected, None),
                    ("rollup.on_time", r.filed_on_time, Some(c.filed)),
                    ("rollup.late", r.filed_late, None),
                    ("rollup.missing", r.missing, Some(c.missing)),
                    ("rollup.returned", r.returned, None),
                    ("rollup.accepted", r.accepted, None),
                    ("rollup.nil", r.nil, None),
                    ("rollup.with_unmet", r.with_unmet, Some(c.with_unmet)),
                ]
                    .into_iter()
                    .map(|(key, n, delta)| view! {
                        <div data-key=key>
                            <dt>{t(lang, key)}</dt>
                            <dd>{n}{delta.map(|d| view! { <small class="delta">" (" {signed(d)} ")"</small> })}</dd>
                        </div>
                    })
                    .collect_view()}
            </dl>
            <p class="muted">{t(lang, "rollup.change_note")} " " {view.period.previous().label_zh()}</p>
            <p class="no-print">
                {t(lang, "export.label")} ": "
                <a href=format!("/export/rollup.csv?period={period_key}") download>"CSV"</a> " · "
                <a href=format!("/export/rollup.xlsx?period={period_key}") download>"XLSX"</a>
            </p>
        </section>
        <section class="card">
            <h2>{t(lang, "rollup.completeness")}</h2>
            {bars(groups, 1.0)}
        </section>
        <section class="card">
            <h2>{t(lang, "rollup.unmet_by_form")}</h2>
            {bars(forms, max_form)}
            <table class="table" data-testid="unmet-by-row">
                <thead><tr><th>{t(lang, "rollup.row")}</th><th>{t(lang, "rollup.count")}</th></tr></thead>
                <tbody>
                    {r.unmet_by_row.iter().map(|(row, n)| view! {
                        <tr>
                            <td>{format!("{row} ")}{crate::domain::forms::row(row).map(|x| x.text).unwrap_or_default()}</td>
                            <td>{*n}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
