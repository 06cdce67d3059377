//! The reviewer's queue (107号 四、(二)): the filings that come to the user's unit, oldest
//! first, filtered by status, nil / unmet, industry and township; accept, or return with a
//! reason. Plain forms: the page works the same with JavaScript off.

use super::{
    general_error, status_key, use_done, use_flash, use_info, FieldError, PageTitle, TextArea,
};
use crate::api::filing::get_review_queue;
use crate::domain::filing::FilingStatus;
use crate::domain::limits::Text;
use crate::domain::unit::INDUSTRIES;
use crate::i18n::{t, Lang};
use crate::model::filing::QueueRow;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReviewPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login?next=/review" /> }.into_any();
    }
    let lang = info.lang;
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        (
            get("period"),
            get("status"),
            get("nil"),
            get("industry"),
            get("township"),
        )
    };
    let queue = Resource::new(filters, |(p, s, n, i, t)| get_review_queue(p, s, n, i, t));
    let flash = use_flash();
    let done = use_done("review");
    view! {
        <PageTitle key="review.title" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let flash = flash.await.filter(|f| f.form == "review");
                let (_, status, nil, industry, township) = filters();
                match queue.await {
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::ssr::form::set_status_for(&e);
                        view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any()
                    }
                    Ok(q) => {
                        let failed_on = flash.as_ref().and_then(|f| f.values.iter().find(|(k, _)| k == "filing_id").map(|(_, v)| v.clone()));
                        let error = flash.map(|f| f.error);
                        let general = error.as_ref().and_then(|e| general_error(lang, e));
                        let reason_error = error.as_ref().and_then(|e| e.field_errors()).and_then(|f| f.get("reason")).map(str::to_string);
                        let period_key = q.period.key();
                        view! {
                            <section class="card">
                                <h1>{t(lang, "review.title")} " · " {q.period.label_zh()}</h1>
                                {general.map(|g| view! { <p class="form-error" role="alert">{g}</p> })}
                                {done.get_untracked().then(|| view! { <p class="form-ok" role="status">{t(lang, "ok.reviewed")}</p> })}
                                <form method="get" class="filters">
                                    <label>{t(lang, "filing.period")}
                                        <select name="period">
                                            {q.periods.iter().map(|(k, l)| view! { <option value=k.clone() selected=*k == period_key>{l.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{t(lang, "filing.status")}
                                        <select name="status">
                                            <option value="">{t(lang, "unit.all")}</option>
                                            {[FilingStatus::Submitted, FilingStatus::Returned, FilingStatus::Accepted].into_iter().map(|s| view! {
                                                <option value=s.code() selected=status == s.code()>{t(lang, status_key(s))}</option>
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{t(lang, "filing.nil")}
                                        <select name="nil">
                                            <option value="">{t(lang, "review.nil_any")}</option>
                                            <option value="nil" selected=nil == "nil">{t(lang, "review.nil_only")}</option>
                                            <option value="unmet" selected=nil == "unmet">{t(lang, "review.unmet_only")}</option>
                                        </select>
                                    </label>
                                    <label>{t(lang, "unit.industry")}
                                        <select name="industry">
                                            <option value="">{t(lang, "unit.all")}</option>
                                            {INDUSTRIES.iter().map(|(c, zh, en)| view! { <option value=*c selected=industry == *c>{if lang == Lang::Zh { *zh } else { *en }}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{t(lang, "unit.township")}
                                        <select name="township">
                                            <option value="">{t(lang, "unit.all")}</option>
                                            {q.townships.iter().map(|(id, name)| view! { <option value=id.clone() selected=township == *id>{name.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <button type="submit">{t(lang, "unit.filter")}</button>
                                </form>
                                <p class="no-print">
                                    {t(lang, "export.label")} ": "
                                    <a href=format!("/export/queue.csv?period={period_key}&status={status}&nil={nil}&industry={industry}&township={township}") download>"CSV"</a> " · "
                                    <a href=format!("/export/queue.xlsx?period={period_key}&status={status}&nil={nil}&industry={industry}&township={township}") download>"XLSX"</a>
                                </p>
                                {if q.rows.is_empty() {
                                    view! { <p class="muted">{t(lang, "review.empty")}</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="queue">
                                            <thead><tr>
                                                <th>{t(lang, "filing.unit")}</th><th>{t(lang, "unit.industry")}</th><th>{t(lang, "unit.township")}</th>
                                                <th>{t(lang, "review.submitted_at")}</th><th>{t(lang, "filing.status")}</th><th></th>
                                            </tr></thead>
                                            <tbody>
                                                {q.rows.iter().map(|r| view! {
                                                    <QueueLine row=r.clone() period_key=period_key.clone() lang
                                                        reason_error=if failed_on.as_deref() == Some(r.filing_id.as_str()) { reason_error.clone() } else { None } />
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn QueueLine(
    row: QueueRow,
    period_key: String,
    lang: Lang,
    reason_error: Option<String>,
) -> impl IntoView {
    let industry = row
        .industry_code
        .as_deref()
        .and_then(|c| INDUSTRIES.iter().find(|i| i.0 == c))
        .map(|i| if lang == Lang::Zh { i.1 } else { i.2 })
        .unwrap_or("—");
    let submitted = row
        .submitted_at
        .map(crate::domain::time::format_kunming)
        .unwrap_or_default();
    let nil = match row.nil {
        Some(true) => t(lang, "review.nil_only"),
        Some(false) => t(lang, "review.unmet_only"),
        None => "",
    };
    let awaiting = row.status == FilingStatus::Submitted;
    let xid = format!("reason-{}", row.filing_id);
    view! {
        <tr data-unit=row.unit_id.clone()>
            <td>
                <a href=format!("/filing/print?period={period_key}&unit={}&version={}", row.unit_id, row.version)>{row.unit_name.clone()}</a>
                {format!(" · {} {} · ", t(lang, "filing.version"), row.version)}
                <a href=format!("/history?period={period_key}&unit={}", row.unit_id)>{t(lang, "review.history")}</a>
            </td>
            <td>{industry}</td>
            <td>{row.township_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{submitted} {row.late.then(|| view! { " " <span class="badge late">{t(lang, "filing.late")}</span> })}</td>
            <td>{t(lang, status_key(row.status))} " · " {nil}</td>
            <td>
                {awaiting.then(|| view! {
                    <form method="post" action="/api/review_filing" class="inline">
                        <input type="hidden" name="filing_id" value=row.filing_id.clone() />
                        <input type="hidden" name="decision" value="accept" />
                        <button type="submit" class="primary small">{t(lang, "review.accept")}</button>
                    </form>
                    <form method="post" action="/api/review_filing" class="return-form">
                        <input type="hidden" name="filing_id" value=row.filing_id.clone() />
                        <input type="hidden" name="decision" value="return" />
                        <label for=xid.clone()>{t(lang, "review.reason")}</label>
                        <TextArea id=xid.clone() name="reason" rows=1 limit=Text::ReturnReason described_by=format!("{xid}-error") />
                        <FieldError field=xid.clone() message=Signal::derive(move || reason_error.clone()) />
                        <label class="check"><input type="checkbox" name="untrue" value="1" /> {t(lang, "review.untrue")}</label>
                        <button type="submit">{t(lang, "review.return")}</button>
                    </form>
                })}
            </td>
        </tr>
    }
}
