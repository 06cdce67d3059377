//! The city government's report of a period (107号 四、(二): the city safety committee office
//! compiles the filings for the city government): a printable page, A4, in the order an
//! official report reads: 总体情况, 各县（市）区情况, 不落实事项分布, 监管盲区, 趋势.

use super::rollup::{bars, status_key, trend_chart};
use super::{use_info, PageTitle};
use crate::api::rollup::get_city_report;
use crate::domain::forms::FORMS;
use crate::i18n::t;
use crate::model::rollup::CityReport;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReportPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login?next=/report" /> }.into_any();
    }
    let lang = info.lang;
    let query = use_query_map();
    let data = Resource::new(
        move || query.read().get("period").unwrap_or_default(),
        get_city_report,
    );
    view! {
        <PageTitle key="report.title" />
        {page_with!(data, lang, |r| view! { <Report report=r /> })}
    }
    .into_any()
}

#[component]
fn Report(report: CityReport) -> impl IntoView {
    let lang = use_info().lang;
    let r = report.total.clone();
    let p = report.previous.clone();
    let period_key = report.period.key();
    let share = |a: usize, b: usize| {
        if b == 0 {
            "—".to_string()
        } else {
            format!("{:.1}%", a as f64 / b as f64 * 100.0)
        }
    };
    let completeness: Vec<(String, f64, String)> = report
        .counties
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.rollup.completeness(),
                format!(
                    "{}/{} · {}",
                    c.rollup.filed(),
                    c.rollup.expected,
                    share(c.rollup.filed(), c.rollup.expected)
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
    let mut top_rows: Vec<(String, usize)> = r
        .unmet_by_row
        .iter()
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    top_rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top_rows.truncate(10);
    view! {
        <article class="report" data-testid="city-report">
            <form method="get" class="filters no-print">
                <label>{t(lang, "filing.period")}
                    <select name="period">
                        {report.periods.iter().map(|(k, l)| view! { <option value=k.clone() selected=*k == period_key>{l.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit">{t(lang, "unit.filter")}</button>
                " " <super::PrintButton label=t(lang, "report.print") />
                " · " {t(lang, "export.label")} ": "
                <a href=format!("/export/report.csv?period={period_key}") download>"CSV"</a> " "
                <a href=format!("/export/report.xlsx?period={period_key}") download>"XLSX"</a>
            </form>
            <h1 class="report-title">"昆明市安全生产“零申报”工作情况报告"</h1>
            <p class="report-sub">"（" {report.period.label_zh()} "）"</p>
            <p class="report-from">"昆明市安全生产委员会办公室　" {report.compiled_on.clone()}</p>
            <p>"昆明市人民政府："</p>
            <h2>"一、总体情况"</h2>
            <p data-testid="report-overall">
                {format!(
                    "本期应报单位{}个，按时报送{}个，逾期补报{}个，未报{}个，报送率{}；已受理{}个，退回{}个。零申报（全部落实）{}个，有不落实事项的{}个，不落实事项共{}项。与上期（{}）相比，报送单位{}个，不落实事项{}项。",
                    r.expected, r.filed_on_time, r.filed_late, r.missing, share(r.filed(), r.expected),
                    r.accepted, r.returned, r.nil, r.with_unmet, r.unmet_items(),
                    report.period.previous().label_zh(),
                    signed(r.filed() as i64 - p.filed() as i64),
                    signed(r.unmet_items() as i64 - p.unmet_items() as i64),
                )}
            </p>
            <h2>"二、各县（市）区情况"</h2>
            <table class="table report-table" data-testid="report-counties">
                <thead><tr>
                    <th>"县（市）区"</th><th>"应报"</th><th>"按时"</th><th>"逾期"</th><th>"未报"</th><th>"报送率"</th>
                    <th>"已受理"</th><th>"不落实事项"</th><th>"本级申报"</th><th>"汇总上报"</th>
                </tr></thead>
                <tbody>
                    {report.counties.iter().map(|c| view! {
                        <tr data-unit=c.unit_id.clone()>
                            <td><a href=format!("/rollup?period={period_key}&unit={}", c.unit_id)>{c.name.clone()}</a></td>
                            <td>{c.rollup.expected}</td>
                            <td>{c.rollup.filed_on_time}</td>
                            <td>{c.rollup.filed_late}</td>
                            <td>{c.rollup.missing}</td>
                            <td>{share(c.rollup.filed(), c.rollup.expected)}</td>
                            <td>{c.rollup.accepted}</td>
                            <td>{c.rollup.unmet_items()}</td>
                            <td>{t(lang, status_key(c.own_status))}{c.own_late.then_some("（逾期）")}</td>
                            <td>{c.summary.as_ref().map(|s| format!("第{}版 {}", s.version, s.submitted_at)).unwrap_or_else(|| "未上报".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {bars(completeness, 1.0)}
            {(!report.city_departments.is_empty()).then(|| view! {
                <p>
                    "市级部门本级申报："
                    {report.city_departments.iter().map(|(name, status, late)| format!(
                        "{name}（{}{}）",
                        t(lang, status_key(*status)),
                        if *late { "，逾期" } else { "" },
                    )).collect::<Vec<_>>().join("；")}
                </p>
            })}
            <h2>"三、不落实事项分布"</h2>
            {bars(forms, max_form)}
            <table class="table report-table">
                <thead><tr><th>"表"</th><th>"名称"</th><th>"不落实事项"</th></tr></thead>
                <tbody>
                    {FORMS.iter().map(|f| view! {
                        <tr>
                            <td>{format!("表{}", f.number)}</td>
                            <td>{f.title}</td>
                            <td>{r.unmet_by_form.get(&f.number).copied().unwrap_or(0)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(!top_rows.is_empty()).then(|| view! {
                <p>"不落实较多的事项："</p>
                <ol class="report-rows">
                    {top_rows.iter().map(|(row, n)| view! {
                        <li>{format!("{row} {}（{n}个单位）", crate::domain::forms::row(row).map(|x| x.text).unwrap_or_default())}</li>
                    }).collect_view()}
                </ol>
            })}
            {(!r.unmet_by_industry.is_empty()).then(|| view! {
                <p>
                    "按行业："
                    {r.unmet_by_industry.iter().map(|(i, n)| format!("{}{n}项", crate::domain::unit::industry_name_zh(i).unwrap_or(i))).collect::<Vec<_>>().join("，")}
                </p>
            })}
            <h2>"四、监管盲区"</h2>
            {if report.gaps.is_empty() {
                view! { <p>"各县（市）区所有行业均有负有监管职责的部门。"</p> }.into_any()
            } else {
                view! {
                    <p>"以下县（市）区的企业所属行业无负有安全生产监管职责的部门，应予明确（无盲区）："</p>
                    <ul data-testid="report-gaps">
                        {report.gaps.iter().map(|(county, industry, n)| view! { <li>{format!("{county}：{industry}（{n}家企业）")}</li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <h2>"五、历次申报趋势"</h2>
            {trend_chart(&report.trend, lang)}
            <p class="report-sign">"昆明市安全生产委员会办公室（盖章）"<br />{report.compiled_on.clone()}</p>
        </article>
    }
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("增加{n}")
    } else if n < 0 {
        format!("减少{}", -n)
    } else {
        "持平".to_string()
    }
}
