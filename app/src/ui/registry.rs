//! The enterprise registry page (issue 14): the template and the registry to download, a file
//! to upload, its check (every bad line) and its import with a progress bar. Plain forms and
//! a page that reloads itself while the server works, so it needs no JavaScript.

use super::admin::require_admin;
use super::{general_error, use_info, PageTitle};
use crate::api::registry_job;
use crate::domain::registry::{Column, LineProblem};
use crate::i18n::{registry_problem, t, Lang};
use crate::model::registry::RegistryJob;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_query_map;

#[component]
pub fn RegistryPage() -> impl IntoView {
    if let Some(v) = require_admin() {
        return v;
    }
    let lang = use_info().lang;
    let query = use_query_map();
    let job_id = move || query.read().get("job").unwrap_or_default();
    let error = query.read_untracked().get("error").unwrap_or_default();
    let job = Resource::new(job_id, |id| async move {
        if id.is_empty() {
            None
        } else {
            Some(registry_job(id).await)
        }
    });
    let upload_error = match error.as_str() {
        "" => None,
        "empty" => Some(t(lang, "registry.err_empty")),
        "busy" => Some(t(lang, "registry.err_busy")),
        _ => Some(t(lang, "import.unreadable")),
    };
    view! {
        <PageTitle key="nav.registry" />
        <section class="card">
            <h1>{t(lang, "nav.registry")}</h1>
            <p>{t(lang, "registry.intro")}</p>
            <p class="columns">
                {Column::ALL
                    .iter()
                    .map(|c| {
                        let name = match lang {
                            Lang::Zh => c.header_zh(),
                            Lang::En => c.header_en(),
                        };
                        let required = c.required().then_some(" *");
                        view! { <code>{name}{required}</code>" " }
                    })
                    .collect_view()}
            </p>
            <p>
                {t(lang, "registry.template")}": "
                <a href="/export/registry-template.xlsx">"XLSX"</a>" · "
                <a href="/export/registry-template.csv">"CSV"</a>
                " — "{t(lang, "registry.export")}": "
                <a href="/export/registry.xlsx">"XLSX"</a>" · "
                <a href="/export/registry.csv">"CSV"</a>
            </p>
            <p>
                {t(lang, "registry.orgs")}": "
                <a href="/export/organizations-template.xlsx">"XLSX"</a>" · "
                <a href="/export/organizations-template.csv">"CSV"</a>
            </p>
            <form method="post" action="/registry/upload" enctype="multipart/form-data" class="form">
                <label for="file">{t(lang, "registry.file")}</label>
                <input id="file" name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required aria-describedby="file-error" />
                {upload_error.map(|e| view! { <p id="file-error" class="field-error" role="alert">{e}</p> })}
                <button type="submit">{t(lang, "registry.check")}</button>
            </form>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match job.await {
                    None => ().into_any(),
                    Some(Err(e)) => view! {
                        <section class="card"><p class="form-error">{general_error(lang, &e)}</p></section>
                    }.into_any(),
                    Some(Ok(state)) => view! { <JobView state lang job=job_id() /> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// A colon after a name, as each language writes it.
fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    }
}

/// A problem list: the first ones, and how many more.
fn problem_list(lang: Lang, problems: &[LineProblem], more: usize) -> impl IntoView {
    view! {
        <ul class="problems">
            {problems
                .iter()
                .map(|p| view! { <li>{registry_problem(lang, p)}</li> })
                .collect_view()}
        </ul>
        {(more > 0).then(|| view! { <p>{t(lang, "registry.more").replace("{n}", &more.to_string())}</p> })}
    }
}

#[component]
fn JobView(state: RegistryJob, lang: Lang, job: String) -> impl IntoView {
    // While the server works, the page looks again every second (no JavaScript needed).
    let refresh = state
        .running()
        .then(|| view! { <Meta http_equiv="refresh" content="1" /> });
    let body = match state {
        RegistryJob::Checking => view! {
            <p>{t(lang, "registry.checking")}</p>
            <progress></progress>
        }
        .into_any(),
        RegistryJob::Checked { file_name, rows, add, update, unchanged, problems, more_problems } => {
            let summary = t(lang, "registry.summary")
                .replace("{rows}", &rows.to_string())
                .replace("{add}", &add.to_string())
                .replace("{update}", &update.to_string())
                .replace("{unchanged}", &unchanged.to_string());
            if problems.is_empty() {
                view! {
                    <p><strong>{file_name}</strong>{colon(lang)}{summary}</p>
                    <form method="post" action="/api/registry_import">
                        <input type="hidden" name="job" value=job />
                        <button type="submit" class="primary">{t(lang, "registry.import")}</button>
                    </form>
                }
                .into_any()
            } else {
                let count = problems.len() + more_problems;
                view! {
                    <p class="form-error" role="alert">
                        <strong>{file_name}</strong>{colon(lang)}
                        {t(lang, "registry.refused").replace("{n}", &count.to_string())}
                    </p>
                    {problem_list(lang, &problems, more_problems)}
                }
                .into_any()
            }
        }
        RegistryJob::Importing { done, total } => view! {
            <p>{t(lang, "registry.importing").replace("{done}", &done.to_string()).replace("{total}", &total.to_string())}</p>
            <progress value=done max=total.max(1)></progress>
        }
        .into_any(),
        RegistryJob::Imported(done) => view! {
            <p class="form-ok" role="status">
                {t(lang, "registry.imported")
                    .replace("{rows}", &done.rows.to_string())
                    .replace("{add}", &done.added.to_string())
                    .replace("{update}", &done.updated.to_string())
                    .replace("{unchanged}", &done.unchanged.to_string())}
            </p>
        }
        .into_any(),
        RegistryJob::Refused { problems, more_problems } => view! {
            <p class="form-error" role="alert">
                {t(lang, "registry.changed").replace("{n}", &(problems.len() + more_problems).to_string())}
            </p>
            {problem_list(lang, &problems, more_problems)}
        }
        .into_any(),
        RegistryJob::Failed(e) => view! {
            <p class="form-error" role="alert">{general_error(lang, &e)}</p>
        }
        .into_any(),
    };
    view! {
        {refresh}
        <section class="card registry-job" aria-live="polite">
            <h2>{t(lang, "registry.job")}</h2>
            {body}
        </section>
    }
}
