//! The roll-up page (汇总): a period's counts over the units below the user's department or
//! office, drilled down from the city to a county, a department or township, an enterprise
//! and the row with its explanation; the summary filed upward; server-rendered SVG charts
//! (completeness, unmet items by form and industry, the trend across periods) that need no
//! JavaScript.

use super::{general_error, use_done, use_flash, use_info, FieldError, PageTitle, TextArea};
use crate::api::rollup::get_rollup;
use crate::domain::filing::FilingStatus;
use crate::domain::forms::FORMS;
use crate::domain::limits::Text;
use crate::domain::rollup::TrendPoint;
use crate::i18n::{t, Lang};
use crate::model::rollup::{ChildLine, RollupView, ScopeKind, SummaryRecord, UnitLine};
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
        move || {
            let q = query.read();
            (
                q.get("period").unwrap_or_default(),
                q.get("unit").unwrap_or_default(),
                q.get("row").unwrap_or_default(),
            )
        },
        |(period, unit, row)| get_rollup(period, unit, row),
    );
    let flash = use_flash();
    let done = use_done("summary");
    view! {
        <PageTitle key="rollup.title" />
        {page_with!(data, lang, |v| {
            let error = flash.await.filter(|f| f.form == "summary").map(|f| f.error);
            view! { <RollupTables view=v error done=done.get_untracked() /> }
        })}
    }
    .into_any()
}

/// A horizontal bar chart as inline SVG: one bar per (label, value, text shown), scaled to `max`.
pub fn bars(rows: Vec<(String, f64, String)>, max: f64) -> impl IntoView {
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

/// The trend across periods as inline SVG: per period, a column for completeness (%) and a
/// line of points for unmet items.
pub fn trend_chart(points: &[TrendPoint], lang: Lang) -> impl IntoView {
    let n = points.len().max(1);
    let step = 560.0 / n as f64;
    let max_items = points
        .iter()
        .map(|p| p.unmet_items)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = 30.0 + step * i as f64 + step / 2.0;
            let y = 170.0 - p.unmet_items as f64 / max_items * 140.0;
            format!("{x:.1},{y:.1}")
        })
        .collect();
    view! {
        <svg class="chart" viewBox="0 0 600 230" width="100%" role="img" preserveAspectRatio="xMinYMin meet" data-testid="trend-chart">
            <line x1="30" y1="170" x2="590" y2="170" stroke="#888"></line>
            {points.iter().enumerate().map(|(i, p)| {
                let x = 30.0 + step * i as f64;
                let h = p.completeness() * 140.0;
                view! {
                    <g>
                        <rect x=format!("{:.1}", x + step * 0.2) y=format!("{:.1}", 170.0 - h) width=format!("{:.1}", step * 0.6) height=format!("{h:.1}") fill="#9fb7d6"></rect>
                        <text x=format!("{:.1}", x + step / 2.0) y=format!("{:.1}", 165.0 - h) font-size="12" text-anchor="middle">{format!("{:.0}%", p.completeness() * 100.0)}</text>
                        <text x=format!("{:.1}", x + step / 2.0) y="190" font-size="11" text-anchor="middle">{p.label.clone()}</text>
                        <text x=format!("{:.1}", x + step / 2.0) y="206" font-size="11" text-anchor="middle" fill="#b3261e">{format!("{} {}", t(lang, "rollup.items"), p.unmet_items)}</text>
                    </g>
                }
            }).collect_view()}
            <polyline points=line.join(" ") fill="none" stroke="#b3261e" stroke-width="2"></polyline>
            <text x="30" y="224" font-size="11">{t(lang, "rollup.trend_legend")}</text>
        </svg>
    }
}

/// The message key of a unit's filing status in a roll-up; no filing is "missing".
pub fn status_key(s: Option<FilingStatus>) -> &'static str {
    s.map(super::status_key).unwrap_or("rollup.missing")
}

fn rollup_href(period: &str, unit: &str, row: &str) -> String {
    let mut href = format!("/rollup?period={period}");
    if !unit.is_empty() {
        href.push_str(&format!("&unit={unit}"));
    }
    if !row.is_empty() {
        href.push_str(&format!("&row={row}"));
    }
    href
}

#[component]
fn RollupTables(
    view: RollupView,
    error: Option<crate::error::AppError>,
    done: bool,
) -> impl IntoView {
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
    let max_industry = r.unmet_by_industry.values().copied().max().unwrap_or(0) as f64;
    let industries: Vec<(String, f64, String)> = r
        .unmet_by_industry
        .iter()
        .map(|(i, n)| {
            (
                crate::domain::unit::industry_name_zh(i)
                    .unwrap_or(i)
                    .to_string(),
                *n as f64,
                n.to_string(),
            )
        })
        .collect();
    let period_key = view.period.key();
    let unit_param = if view.scope.kind == ScopeKind::City {
        String::new()
    } else {
        view.scope.unit_id.clone()
    };
    let export = |name: &str, ext: &str| {
        format!("/export/{name}.{ext}?period={period_key}&unit={unit_param}")
    };
    let general = error.as_ref().and_then(|e| general_error(lang, e));
    let remarks_error = error
        .as_ref()
        .and_then(|e| e.field_errors())
        .and_then(|f| f.get("remarks").or_else(|| f.get("period")))
        .map(str::to_string);
    let last = view.crumbs.len().saturating_sub(1);
    view! {
        <section class="card" data-testid="rollup" data-scope=view.scope.unit_id.clone()>
            <nav class="crumbs no-print" aria-label=t(lang, "rollup.crumbs")>
                {view.crumbs.iter().enumerate().map(|(i, (unit, name))| {
                    if i == last {
                        view! { <span aria-current="page">{name.clone()}</span> }.into_any()
                    } else {
                        view! { <a href=rollup_href(&period_key, unit, "")>{name.clone()}</a> " › " }.into_any()
                    }
                }).collect_view()}
            </nav>
            <h1>{t(lang, "rollup.title")} " · " {view.scope.name.clone()} " · " {view.period.label_zh()}</h1>
            <form method="get" class="filters">
                {(!unit_param.is_empty()).then(|| view! { <input type="hidden" name="unit" value=unit_param.clone() /> })}
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
            {view.own_filing.clone().map(|(unit, status)| view! {
                <p data-testid="own-filing">
                    {t(lang, "rollup.own_filing")} ": " {t(lang, status_key(status))} " · "
                    <a href=format!("/filing/print?period={period_key}&unit={unit}")>{t(lang, "rollup.view_forms")}</a>
                </p>
            })}
            <p class="no-print">
                {t(lang, "export.label")} ": "
                {[("rollup", "export.rollup"), ("units", "export.units"), ("filings", "export.filings"), ("trend", "export.trend")].into_iter().map(|(name, key)| view! {
                    <span class="export">{t(lang, key)} " "
                        <a href=export(name, "csv") download>"CSV"</a> " "
                        <a href=export(name, "xlsx") download>"XLSX"</a>
                    </span> " · "
                }).collect_view()}
            </p>
        </section>
        <SummaryPanel summary=view.summary.clone() can_file=view.can_file_summary period_key=period_key.clone() general remarks_error done lang />
        {(!view.children.is_empty()).then(|| view! {
            <section class="card">
                <h2>{t(lang, match view.scope.kind { ScopeKind::City => "rollup.counties", _ => "rollup.children" })}</h2>
                <table class="table" data-testid="children">
                    <thead><tr>
                        <th>{t(lang, "filing.unit")}</th><th>{t(lang, "rollup.expected")}</th><th>{t(lang, "rollup.filed")}</th>
                        <th>{t(lang, "rollup.late")}</th><th>{t(lang, "rollup.missing")}</th><th>{t(lang, "rollup.items")}</th>
                        <th>{t(lang, "rollup.own_filing")}</th><th>{t(lang, "rollup.summary")}</th>
                    </tr></thead>
                    <tbody>
                        {view.children.iter().map(|ch| view! { <ChildRow child=ch.clone() period_key=period_key.clone() lang /> }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        <section class="card">
            <h2>{t(lang, "rollup.units")}</h2>
            {if view.units.is_empty() {
                view! { <p class="muted">{t(lang, "rollup.no_units")}</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="units">
                        <thead><tr>
                            <th>{t(lang, "filing.unit")}</th><th>{t(lang, "rollup.group")}</th><th>{t(lang, "filing.status")}</th>
                            <th>{t(lang, "rollup.unmet_rows")}</th>
                        </tr></thead>
                        <tbody>
                            {view.units.iter().map(|u| view! { <UnitRowLine line=u.clone() period_key=period_key.clone() unit_param=unit_param.clone() lang /> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        {view.row.clone().map(|row| view! {
            <section class="card" data-testid="row-detail" id="row">
                <h2>{t(lang, "rollup.row_detail")} " " {row.row_id.clone()}</h2>
                <p>{row.row_text.clone()}</p>
                <table class="table">
                    <thead><tr><th>{t(lang, "filing.unit")}</th><th>{t(lang, "rollup.explanation")}</th></tr></thead>
                    <tbody>
                        {row.units.iter().map(|(id, name, why)| view! {
                            <tr>
                                <td><a href=format!("/filing/print?period={period_key}&unit={id}")>{name.clone()}</a></td>
                                <td>{why.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        <section class="card">
            <h2>{t(lang, "rollup.completeness")}</h2>
            {bars(groups, 1.0)}
        </section>
        <section class="card">
            <h2>{t(lang, "rollup.trend")}</h2>
            {trend_chart(&view.trend, lang)}
        </section>
        <section class="card">
            <h2>{t(lang, "rollup.unmet_by_form")}</h2>
            {bars(forms, max_form)}
            <table class="table" data-testid="unmet-by-row">
                <thead><tr><th>{t(lang, "rollup.row")}</th><th>{t(lang, "rollup.count")}</th></tr></thead>
                <tbody>
                    {r.unmet_by_row.iter().map(|(row, n)| view! {
                        <tr>
                            <td>
                                <a href=format!("{}#row", rollup_href(&period_key, &unit_param, row))>{row.clone()}</a>
                                " " {crate::domain::forms::row(row).map(|x| x.text).unwrap_or_default()}
                            </td>
                            <td>{*n}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {(!industries.is_empty()).then(|| view! {
            <section class="card">
                <h2>{t(lang, "rollup.unmet_by_industry")}</h2>
                {bars(industries, max_industry)}
            </section>
        })}
    }
}

#[component]
fn SummaryPanel(
    summary: Option<SummaryRecord>,
    can_file: bool,
    period_key: String,
    general: Option<String>,
    remarks_error: Option<String>,
    done: bool,
    lang: Lang,
) -> impl IntoView {
    if summary.is_none() && !can_file {
        return ().into_any();
    }
    view! {
        <section class="card" data-testid="summary">
            <h2>{t(lang, "rollup.summary")}</h2>
            {done.then(|| view! { <p class="form-ok" role="status">{t(lang, "ok.summary_filed")}</p> })}
            {general.map(|g| view! { <p class="form-error" role="alert">{g}</p> })}
            {match summary {
                Some(s) => view! {
                    <p data-testid="summary-filed">
                        {format!("{} {} · {} · {}", t(lang, "filing.version"), s.version, s.submitted_at, s.submitted_by)}
                    </p>
                    <p>
                        {format!(
                            "{} {} · {} {} · {} {} · {} {}",
                            t(lang, "rollup.expected"), s.rollup.expected,
                            t(lang, "rollup.accepted"), s.rollup.accepted,
                            t(lang, "rollup.with_unmet"), s.rollup.with_unmet,
                            t(lang, "rollup.items"), s.rollup.unmet_items(),
                        )}
                    </p>
                    {(!s.remarks.is_empty()).then(|| view! { <p class="remarks">{s.remarks.clone()}</p> })}
                }.into_any(),
                None => view! { <p class="muted">{t(lang, "rollup.summary_none")}</p> }.into_any(),
            }}
            {can_file.then(|| view! {
                <form method="post" action="/api/file_summary" class="no-print">
                    <input type="hidden" name="period" value=period_key.clone() />
                    <p class="muted">{t(lang, "rollup.summary_hint")}</p>
                    <label for="remarks">{t(lang, "rollup.remarks")}</label>
                    <TextArea id="remarks" name="remarks" rows=3 limit=Text::Remarks described_by="remarks-error" />
                    <FieldError field="remarks" message=Signal::derive(move || remarks_error.clone()) />
                    <button type="submit" class="primary">{t(lang, "rollup.file_summary")}</button>
                </form>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn ChildRow(child: ChildLine, period_key: String, lang: Lang) -> impl IntoView {
    view! {
        <tr data-unit=child.unit_id.clone()>
            <td><a href=rollup_href(&period_key, &child.unit_id, "")>{child.name.clone()}</a></td>
            <td>{child.expected}</td>
            <td>{child.filed}</td>
            <td>{child.late}</td>
            <td>{child.missing}</td>
            <td>{child.unmet_items}</td>
            <td>{t(lang, status_key(child.own_status))}</td>
            <td>{match &child.summary {
                Some(s) => format!("{} {} · {}", t(lang, "filing.version"), s.version, s.submitted_at),
                None => t(lang, "rollup.summary_none_short").to_string(),
            }}</td>
        </tr>
    }
}

#[component]
fn UnitRowLine(
    line: UnitLine,
    period_key: String,
    unit_param: String,
    lang: Lang,
) -> impl IntoView {
    let drillable = matches!(
        line.kind,
        crate::domain::unit::UnitKind::CountyGovernment
            | crate::domain::unit::UnitKind::ManagementCommittee
            | crate::domain::unit::UnitKind::Department
            | crate::domain::unit::UnitKind::Township
    );
    view! {
        <tr data-unit=line.unit_id.clone()>
            <td>
                <a href=format!("/filing/print?period={period_key}&unit={}", line.unit_id)>{line.name.clone()}</a>
                {drillable.then(|| view! { " · " <a href=rollup_href(&period_key, &line.unit_id, "")>{t(lang, "rollup.drill")}</a> })}
                {line.status.is_some().then(|| view! { " · " <a href=format!("/history?period={period_key}&unit={}", line.unit_id)>{t(lang, "review.history")}</a> })}
            </td>
            <td>{line.group.clone()}</td>
            <td>
                {t(lang, status_key(line.status))}
                {line.version.map(|v| format!(" · {} {v}", t(lang, "filing.version")))}
                {line.late.then(|| view! { " " <span class="badge late">{t(lang, "filing.late")}</span> })}
            </td>
            <td>
                {line.unmet.iter().map(|item| view! {
                    <div class="unmet">
                        <a href=format!("{}#row", rollup_href(&period_key, &unit_param, &item.row_id))>{item.row_id.clone()}</a>
                        "：" {item.explanation.clone()}
                    </div>
                }).collect_view()}
            </td>
        </tr>
    }
}
