//! The filing pages: the nine forms (fill, save, check), the confirmation before submitting,
//! the print view laid out like the official tables, and late-filing exceptions.
//!
//! The filing form is a plain `<form method="post">`: it works the same with JavaScript off;
//! with it, islands update the progress and check the phone and the explanations as the
//! user types (they get ids, counts and translated messages; the forms' text stays here).

use super::islands::{ExplanationInput, FilingProgress, PhoneInput, ProgressTexts};
use super::{
    general_error, use_done, use_flash, use_info, FieldError, FormFeedback, FormMessage, PageTitle,
    TextArea,
};
use crate::api::filing::{get_exceptions, get_filing, get_paper_filing};
use crate::domain::filing::{
    self, FieldName, FilingAccess, FilingStatus, FrameField, RowId, MIN_EXPLANATION_CHARS,
};
use crate::domain::forms::{self, Answer, FormDef, FORMS};
use crate::domain::limits::Text;
use crate::domain::time::format_kunming;
use crate::error::AppError;
use crate::i18n::{t, Lang};
use crate::model::filing::{FilingDraft, FilingRecord, FilingView, PaperView};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;

fn status_label(lang: Lang, s: Option<FilingStatus>) -> &'static str {
    t(
        lang,
        s.map(super::status_key).unwrap_or("filing.status_none"),
    )
}

fn period_label(lang: Lang, v: &FilingView) -> String {
    match lang {
        Lang::Zh => v.period.label_zh(),
        Lang::En => v.period.label_en(),
    }
}

/// Loads the filing named by the URL (`?period=&unit=&version=`).
fn use_filing() -> Resource<Result<FilingView, AppError>> {
    let query = use_query_map();
    Resource::new(
        move || {
            let q = query.read();
            (
                q.get("period").unwrap_or_default(),
                q.get("unit").unwrap_or_default(),
                q.get("version").unwrap_or_default(),
            )
        },
        |(p, u, v)| get_filing(p, u, v),
    )
}

#[component]
pub fn FilingPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login?next=/filing" /> }.into_any();
    }
    let lang = info.lang;
    let files_forms = info
        .user
        .as_ref()
        .map(|u| u.role.fills_forms())
        .unwrap_or(false);
    let filing = use_filing();
    let flash = use_flash();
    let done = use_query_map();
    view! {
        <PageTitle key="filing.title" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let flash = flash.await;
                match filing.await {
                    Err(AppError::Forbidden) if !files_forms => {
                        view! { <p class="card">{t(lang, "filing.none_for_role")}</p> }.into_any()
                    }
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::ssr::form::set_status_for(&e);
                        view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any()
                    }
                    Ok(v) => {
                        let fb = match flash.filter(|f| f.form.starts_with("filing") || f.form == "submit" || f.form == "revise") {
                            Some(f) => FormFeedback { error: Some(f.error), values: f.values, done: false },
                            None => FormFeedback::default(),
                        };
                        let done = done.read_untracked().get("done");
                        view! { <FilingForm view=v fb done lang /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn FilingForm(
    view: FilingView,
    fb: FormFeedback,
    done: Option<String>,
    lang: Lang,
) -> impl IntoView {
    // What a failed post typed wins over what is saved, so nothing typed is lost.
    let content = if fb.values.is_empty() {
        view.content.clone()
    } else {
        FilingDraft::parse(&fb.values).content
    };
    let editable = view.editable;
    let binding = view.binding;
    let progress_rows: Vec<(u8, Vec<String>)> = FORMS
        .iter()
        .map(|form| {
            let rows = form.binding_rows(binding);
            (
                form.number,
                rows.map(|r| FieldName::Answer(RowId::of(r)).id()).collect(),
            )
        })
        .collect();
    let progress_answers: BTreeMap<String, bool> = content
        .answers
        .iter()
        .filter_map(|(id, a)| {
            RowId::parse(id).map(|r| (FieldName::Answer(r).id(), *a == Answer::Done))
        })
        .collect();
    let progress_texts = ProgressTexts {
        progress: t(lang, "filing.progress").into(),
        of: t(lang, "filing.of").into(),
        items: t(lang, "filing.items").into(),
        unmet: t(lang, "filing.unmet").into(),
        unmet_suffix: if lang == Lang::Zh { "项" } else { "" }.into(),
        not_applicable: t(lang, "filing.not_applicable").into(),
        complete: t(lang, "filing.complete").into(),
        not_started: t(lang, "filing.not_started").into(),
        in_progress: t(lang, "filing.in_progress").into(),
    };
    let errors = fb
        .error
        .as_ref()
        .and_then(|e| e.field_errors())
        .cloned()
        .unwrap_or_default();
    let general = fb.error.as_ref().and_then(|e| general_error(lang, e));
    let ok = match done.as_deref() {
        Some("filing") => Some(t(lang, "ok.filing_saved")),
        Some("paper") => Some(t(lang, "ok.paper_entered")),
        Some("submitted") => Some(t(lang, "ok.submitted")),
        Some("already") => Some(t(lang, "ok.already_submitted")),
        _ => None,
    }
    .map(str::to_string);
    let status = view.record.as_ref().map(|r| r.status);
    let period_key = view.period.key();
    let access_line = match view.access {
        FilingAccess::Open { closes_at } => format!(
            "{} {}",
            t(lang, "filing.open_until"),
            format_kunming(closes_at - chrono::Duration::seconds(1))
        ),
        FilingAccess::Late { until } => format!(
            "{} {}",
            t(lang, "filing.late_until"),
            format_kunming(until - chrono::Duration::seconds(1))
        ),
        FilingAccess::NotYetOpen { opens_at } => format!(
            "{} {}",
            t(lang, "filing.not_yet_open"),
            format_kunming(opens_at)
        ),
        FilingAccess::Closed => t(lang, "filing.closed").to_string(),
        FilingAccess::NotOpen => t(lang, "filing.not_open").to_string(),
        FilingAccess::Amend { .. } => t(lang, "filing.amend").to_string(),
    };
    let field_error = {
        let errors = errors.clone();
        move |field: FieldName| errors.get(&field.id()).map(str::to_string)
    };
    let frame = content.frame.clone();
    let text_field = {
        let field_error = field_error.clone();
        let frame = frame.clone();
        move |field: FrameField, label: &'static str| {
            let name = FieldName::Frame(field);
            let err = field_error(name);
            let (id, name) = (name.id(), name.to_string());
            view! {
                <label for=id.clone()>{t(lang, label)}</label>
                <input id=id.clone() name=name value=frame.get(field).clone() disabled=!editable aria-describedby=format!("{id}-error") maxlength=Text::PersonName.max_chars() />
                <FieldError field=id message=Signal::derive(move || err.clone()) />
            }
        }
    };
    let phone_field = FieldName::Frame(FrameField::Phone);
    let phone_error = field_error(phone_field).map(|key| t(lang, &key).to_string());
    let versions = view.versions.clone();
    // 代填: the page in "enter from paper" mode posts the whole filing at once, with the date
    // on the paper; it shows no form once the filing is made or when filing is closed.
    let paper = view.paper.clone();
    let in_paper_mode = paper.is_some();
    let show_form = !in_paper_mode || editable;
    let action = if in_paper_mode {
        "/api/enter_paper_filing"
    } else {
        "/api/save_filing"
    };
    let paper_date = fb.value("paper_date");
    let paper_date_error = errors.get("paper_date").map(str::to_string);
    let paper_link = view.may_enter_paper.then(|| {
        format!(
            "/filing/paper?period={}&unit={}",
            view.period.key(),
            view.unit_id
        )
    });
    let unit_query = if view.own {
        String::new()
    } else {
        format!("&unit={}", view.unit_id)
    };
    view! {
        <section class="card filing-head" data-testid="filing-head">
            <h1>{t(lang, "filing.title")} " · " {period_label(lang, &view)}</h1>
            <p>
                <strong>{t(lang, "filing.unit")} ": "</strong> {view.unit_name.clone()} " · "
                <strong>{t(lang, "filing.status")} ": "</strong>
                <span data-testid="filing-status">{status_label(lang, status)}</span>
                {view.record.as_ref().map(|r| format!(" · {} {}", t(lang, "filing.version"), r.version))}
                {view.record.as_ref().filter(|r| r.late).map(|_| view! { " · " <span class="badge late">{t(lang, "filing.late")}</span> })}
            </p>
            {view.record.as_ref().and_then(|r| paper_note(lang, r))}
            {paper.as_ref().map(|_| view! { <p class="muted">{t(lang, "filing.paper_hint")}</p> })}
            {paper.as_ref().and_then(|p| p.filed).map(|(version, status, on_paper)| view! {
                <p class="nil-box" data-testid="paper-filed">
                    {format!("{} {} · {}", t(lang, "filing.version"), version, status_label(lang, Some(status)))}
                    {on_paper.then(|| format!(" · {}", t(lang, "filing.paper_badge")))}
                    " · " {t(lang, "filing.paper_filed")}
                </p>
            })}
            {paper_link.map(|href| view! { <p class="actions no-print"><a href=href data-testid="paper-link">{t(lang, "filing.paper_link")}</a></p> })}
            <p class=if view.access.may_file() { "access open" } else { "access closed" }>{access_line}</p>
            {view.exception.clone().map(|e| view! { <p class="muted">{t(lang, "exc.reason")} ": " {e.reason}</p> })}
            {view.draft_exists.then(|| view! { <p class="muted" data-testid="draft-exists">{t(lang, "err.draft_hidden")}</p> })}
            {view.last_review.clone().map(|r| {
                let returned = r.decision.returns();
                let (at, reason) = (crate::domain::time::format_kunming(r.at), r.reason);
                view! {
                    <p class=if returned { "warning-box" } else { "nil-box" } data-testid="review">
                        {t(lang, if returned { "review.returned_with" } else { "review.accepted_at" })} " " {at}
                        {returned.then(|| format!("：{reason}"))}
                    </p>
                }
            })}
            <FilingProgress forms=progress_rows answers=progress_answers texts=progress_texts />
            {(!in_paper_mode).then(|| view! {
                <p class="actions no-print">
                    <a href=format!("/filing/print?period={period_key}{unit_query}{}", view.record.as_ref().map(|r| format!("&version={}", r.version)).unwrap_or_default())>
                        {t(lang, "filing.print")}
                    </a>
                </p>
            })}
            <FormMessage error=Signal::derive(move || general.clone()) ok=Signal::derive(move || ok.clone()) />
            {view.can_revise.then(|| view! {
                <form method="post" action="/api/revise_filing" class="inline">
                    <input type="hidden" name="period" value=view.period.key() />
                    <button type="submit">{t(lang, "filing.revise")}</button>
                </form>
            })}
            <Attachments view=view.clone() lang />
            {(versions.len() > 1).then(|| view! {
                <details class="versions">
                    <summary>{t(lang, "filing.versions")}</summary>
                    <ul>
                        {versions.iter().map(|r| view! {
                            <li>
                                <a href=format!("/filing/print?period={}&version={}{unit_query}", r.period_key, r.version)>
                                    {format!("{} {}", t(lang, "filing.version"), r.version)}
                                </a>
                                " · " {status_label(lang, Some(r.status))}
                                {r.submitted_at.map(|s| format!(" · {}", format_kunming(s)))}
                                {r.paper_date.map(|_| format!(" · {}", t(lang, "filing.paper_badge")))}
                            </li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </section>
        {show_form.then(|| view! {
        <form method="post" action=action class="filing-form" novalidate>
            <input type="hidden" name="period" value=view.period.key() />
            {in_paper_mode.then(|| view! { <input type="hidden" name="unit" value=view.unit_id.clone() /> })}
            <section class="card frame">
                <p><strong>{t(lang, "filing.unit")} ": "</strong> {view.unit_name.clone()} " （盖章）"</p>
                {if in_paper_mode {
                    view! {
                        <div class="form grid">
                            <label for="paper_date">{t(lang, "filing.paper_date")}</label>
                            <input id="paper_date" name="paper_date" type="date" value=paper_date.clone() required aria-describedby="paper_date-error" />
                            <FieldError field="paper_date" message=Signal::derive(move || paper_date_error.clone()) />
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <p><strong>"申报时间: "</strong> {view.record.as_ref().and_then(|r| r.filing_date).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| t(lang, "filing.date_auto").to_string())}</p>
                    }.into_any()
                }}
                <div class="form grid">
                    {text_field(FrameField::Principal, "form.principal")}
                    {text_field(FrameField::LeaderInCharge, "form.leader_in_charge")}
                    {text_field(FrameField::FilledBy, "form.filled_by")}
                    {text_field(FrameField::ReviewedBy, "form.reviewed_by")}
                    <label for=phone_field.id()>{t(lang, "form.phone")}</label>
                    <PhoneInput id=phone_field.id() name=phone_field.to_string() value=frame.phone.clone() disabled=!editable
                        server_error=phone_error invalid=t(lang, "err.phone").to_string() />
                </div>
            </section>
            {FORMS.iter().map(|form| view! {
                <FormTable form content=content.clone() errors=errors.clone() editable binding lang />
            }).collect_view()}
            {(editable && in_paper_mode).then(|| view! {
                <div class="card sticky-actions">
                    <button type="submit" class="primary">{t(lang, "filing.paper_submit")}</button>
                </div>
            })}
            {(editable && !in_paper_mode).then(|| view! {
                <div class="card sticky-actions">
                    <button type="submit" name="intent" value="save">{t(lang, "filing.save")}</button>
                    <button type="submit" name="intent" value="review" class="primary">{t(lang, "filing.review")}</button>
                </div>
            })}
        </form>
        })}
    }
}

/// 代填: who entered a version from the unit's paper form, and the paper's date.
fn paper_note(lang: Lang, r: &FilingRecord) -> Option<impl IntoView> {
    let date = r.paper_date?;
    Some(view! {
        <p class="muted" data-testid="paper-note">
            {t(lang, "filing.paper_entered_by")} " " {r.entered_by.clone().unwrap_or_default()}
            " · " {t(lang, "filing.paper_on")} " " {date.format("%Y-%m-%d").to_string()}
        </p>
    })
}

/// "Enter from paper" (代填, `/filing/paper?period=&unit=`): the receiving department or the
/// unit's township types in a unit's sealed paper forms. Without `unit`, the units it may
/// enter for; with it, the nine forms in paper mode (plain form post, JavaScript or not).
#[component]
pub fn PaperPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login?next=/filing/paper" /> }.into_any();
    }
    let lang = info.lang;
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("period").unwrap_or_default(),
                q.get("unit").unwrap_or_default(),
            )
        },
        |(p, u)| get_paper_filing(p, u),
    );
    let flash = use_flash();
    view! {
        <PageTitle key="filing.paper_title" />
        {page_with!(data, lang, |paper| match paper {
            PaperView { entry: Some(v), .. } => {
                let fb = super::feedback_from_flash(flash.await, "filing_paper", false);
                let done = query.read_untracked().get("done");
                view! { <FilingForm view=v fb done lang /> }.into_any()
            }
            p => view! { <PaperUnits view=p lang /> }.into_any(),
        })}
    }
    .into_any()
}

/// The units whose paper forms the user enters, for a period (links, no JavaScript needed).
#[component]
fn PaperUnits(view: PaperView, lang: Lang) -> impl IntoView {
    let key = view.period.key();
    view! {
        <section class="card" data-testid="paper-units">
            <h1>{t(lang, "filing.paper_title")}</h1>
            <p class="muted">{t(lang, "filing.paper_hint")}</p>
            <p class="actions">
                {view.periods.iter().map(|(k, label)| {
                    let current = *k == key;
                    view! { <a href=format!("/filing/paper?period={k}") aria-current=current.then_some("page")>{label.clone()}</a> " " }
                }).collect_view()}
            </p>
            <h2>{t(lang, "filing.paper_units")}</h2>
            <ul>
                {view.units.iter().map(|(id, name)| view! {
                    <li><a href=format!("/filing/paper?period={key}&unit={id}")>{name.clone()}</a></li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn FormTable(
    form: &'static FormDef,
    content: filing::FilingContent,
    errors: crate::error::FieldErrors,
    editable: bool,
    binding: forms::BindingKind,
    lang: Lang,
) -> impl IntoView {
    let n = form.number;
    let note = content.notes.get(&n).cloned().unwrap_or_default();
    let note_field = FieldName::Note(n);
    let note_error = errors.get(&note_field.id()).map(str::to_string);
    view! {
        <section class="card form-table" id=format!("form-{n}") data-testid=format!("form-{n}")>
            {form.series_heading.map(|h| view! { <p class="series">{h}</p> })}
            <h2>{format!("表{n}　")}{form.title}</h2>
            <table class="answers">
                <thead>
                    <tr><th class="no">"序号"</th><th>"申报内容"</th><th class="ans">"落实"</th><th class="ans">"不落实"</th></tr>
                </thead>
                <tbody>
                    {form.rows.iter().map(|row| {
                        let binds = row.is_binding_for(binding);
                        let row_id = RowId::of(row);
                        let (answer_field, x_field) = (FieldName::Answer(row_id), FieldName::Explanation(row_id));
                        let field = answer_field.id();
                        let xfield = x_field.id();
                        let current = content.answers.get(row.id).copied();
                        let explanation = content.explanations.get(row.id).cloned().unwrap_or_default();
                        let row_err = errors.get(&field).map(str::to_string);
                        let x_err = errors.get(&xfield).map(|key| t(lang, key).to_string());
                        let id = row.id;
                        let radio = move |answer: Answer| {
                            let checked = current == Some(answer);
                            view! {
                                <td class="ans">
                                    <input type="radio" name=answer_field.to_string() value=answer.code() checked=checked disabled=!editable
                                        aria-label=format!("{} {}", id, answer.label_zh()) />
                                </td>
                            }
                        };
                        view! {
                            <tr class=if binds { "answer-row" } else { "answer-row na" } data-row=row.id>
                                <td class="no">{row.printed_item().map(|i| i.to_string()).unwrap_or_default()}</td>
                                <td class="text">
                                    {row.text}
                                    {(!binds).then(|| view! { <span class="na-note">{format!("（{}）", t(lang, "filing.not_applicable"))}</span> })}
                                    {binds.then(|| view! {
                                        <FieldError field=field.clone() message=Signal::derive(move || row_err.clone()) />
                                        <div class="explain">
                                            <label for=xfield.clone()>{t(lang, "filing.explain")}</label>
                                            <ExplanationInput answer=field.clone() unmet=current == Some(Answer::NotDone)
                                                id=xfield.clone() name=x_field.to_string() text=explanation.clone() disabled=!editable
                                                server_error=x_err.clone() too_short=t(lang, "err.explanation_short").to_string()
                                                min_chars=MIN_EXPLANATION_CHARS />
                                        </div>
                                    })}
                                </td>
                                {if binds { view! { {radio(Answer::Done)} {radio(Answer::NotDone)} }.into_any() } else { view! { <td class="ans">"—"</td><td class="ans">"—"</td> }.into_any() }}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <label for=note_field.id()>{t(lang, "filing.note")}</label>
            <TextArea id=note_field.id() name=note_field.to_string() rows=2 limit=Text::Note disabled=!editable
                described_by=format!("{}-error", note_field.id()) text=note />
            <FieldError field=note_field.id() message=Signal::derive(move || note_error.clone()) />
        </section>
    }
}

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login" /> }.into_any();
    }
    let lang = info.lang;
    let filing = use_filing();
    let flash = use_flash();
    view! {
        <PageTitle key="filing.confirm_title" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let flash = flash.await.filter(|f| f.form == "submit");
                match filing.await {
                    Err(e) => view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any(),
                    Ok(v) => {
                        let version = v.record.as_ref().map(|r| r.version).unwrap_or(1);
                        let unmet: Vec<_> = v.progress.unmet.iter().filter_map(|id| forms::row(id)).collect();
                        let error = flash.map(|f| general_error(lang, &f.error).unwrap_or_else(|| t(lang, "err.row_unanswered").to_string()));
                        view! {
                            <section class="card narrow-wide" data-testid="confirm">
                                <h1>{t(lang, "filing.confirm_title")} " · " {period_label(lang, &v)}</h1>
                                <p>{v.unit_name.clone()}</p>
                                {error.map(|e| view! { <p class="form-error">{e}</p> })}
                                {if v.progress.nil {
                                    view! { <p class="nil-box" data-testid="nil">{t(lang, "filing.confirm_nil")}</p> }.into_any()
                                } else {
                                    view! {
                                        <p class="warning-box">{t(lang, "filing.confirm_unmet")}</p>
                                        <ul class="unmet" data-testid="unmet">
                                            {unmet.iter().map(|r| view! {
                                                <li>
                                                    <strong>{format!("表{} 第{}项", r.id.split('.').next().unwrap_or_default(), r.id)}</strong> " " {r.text}
                                                    <p class="muted">{v.content.explanations.get(r.id).cloned().unwrap_or_default()}</p>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                <p>{t(lang, "filing.confirm_note")}</p>
                                <form method="post" action="/api/submit_filing" class="inline">
                                    <input type="hidden" name="period" value=v.period.key() />
                                    <input type="hidden" name="version" value=version.to_string() />
                                    <button type="submit" class="primary">{t(lang, "filing.confirm_submit")}</button>
                                </form>
                                " "
                                <a href=format!("/filing?period={}", v.period.key())>{t(lang, "filing.back")}</a>
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

/// The nine forms laid out like the official tables, for printing (A4, one form a page).
#[component]
pub fn PrintPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login" /> }.into_any();
    }
    let lang = info.lang;
    let filing = use_filing();
    view! {
        <PageTitle key="filing.print" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match filing.await {
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::ssr::form::set_status_for(&e);
                        view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any()
                    }
                    Ok(v) => view! { <PrintForms view=v /> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn PrintForms(view: FilingView) -> impl IntoView {
    let c = view.content.clone();
    let date = view.record.as_ref().and_then(|r| r.filing_date);
    let date_text = date
        .map(|d| {
            format!(
                "{} 年 {} 月 {} 日",
                d.format("%Y"),
                d.format("%-m"),
                d.format("%-d")
            )
        })
        .unwrap_or_else(|| "　　年　　月　　日".to_string());
    view! {
        <div class="print-sheet" data-testid="print">
            <p class="no-print print-hint">
                <super::PrintButton label="打印 · Print" />
                " " {view.unit_name.clone()} " · " {view.period.label_zh()}
                {view.record.as_ref().map(|r| format!(" · 版本 {}", r.version))}
            </p>
            {FORMS.iter().map(|form| {
                let n = form.number;
                let mut explanation: Vec<String> = form.rows.iter()
                    .filter(|r| r.is_binding_for(view.binding) && c.answers.get(r.id) == Some(&Answer::NotDone))
                    .map(|r| format!("第{}项：{}", r.id, c.explanations.get(r.id).cloned().unwrap_or_default()))
                    .collect();
                if let Some(note) = c.notes.get(&n) { explanation.push(note.clone()); }
                view! {
                    <section class="official">
                        {form.series_heading.map(|h| view! { <p class="series">{h}</p> })}
                        <h2 class="official-title">{form.title}</h2>
                        <p class="official-head">
                            <span>"申报单位：" <u>{view.unit_name.clone()}</u> "（盖章）"</span>
                            <span>"申报时间：" {date_text.clone()}</span>
                        </p>
                        <table class="official-table">
                            <colgroup><col class="c-no" /><col class="c-text" /><col class="c-ans" /><col class="c-ans" /></colgroup>
                            // Rows inside an explicit <tbody>: the HTML parser would add one
                            // anyway, so the browser's tree is the one the server wrote.
                            <tbody>
                            <tr>
                                <th colspan="2" class="split"><span>"申报单位主要负责人"</span><span class="val">{c.frame.principal.clone()}</span></th>
                                <th colspan="2" class="split"><span>"申报单位分管领导"</span><span class="val">{c.frame.leader_in_charge.clone()}</span></th>
                            </tr>
                            <tr><th rowspan="2">"序号"</th><th rowspan="2">"申报内容"</th><th colspan="2">"申报情况"</th></tr>
                            <tr><th>"落实"</th><th>"不落实"</th></tr>
                            {form.rows.iter().map(|r| {
                                let a = c.answers.get(r.id).copied().filter(|_| r.is_binding_for(view.binding));
                                view! {
                                    <tr>
                                        <td class="center">{r.printed_item().map(|i| i.to_string()).unwrap_or_default()}</td>
                                        <td class="text">{r.text}</td>
                                        <td class="center mark">{(a == Some(Answer::Done)).then_some("✓")}</td>
                                        <td class="center mark">{(a == Some(Answer::NotDone)).then_some("✓")}</td>
                                    </tr>
                                }
                            }).collect_view()}
                            <tr class="explanation">
                                <td class="center">"申报说明"</td>
                                <td colspan="3" class="text">{explanation.into_iter().map(|e| view! { <p>{e}</p> }).collect_view()}</td>
                            </tr>
                            </tbody>
                        </table>
                        <p class="official-foot">
                            <span>"填表人：" {c.frame.filled_by.clone()}</span>
                            <span>"审核人：" {c.frame.reviewed_by.clone()}</span>
                            <span>"联系电话：" {c.frame.phone.clone()}</span>
                        </p>
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn ExceptionsPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login" /> }.into_any();
    }
    let lang = info.lang;
    let data = Resource::new(|| (), |_| get_exceptions());
    let flash = use_flash();
    let done = use_done("exception");
    view! {
        <PageTitle key="exc.title" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let flash = flash.await;
                match data.await {
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::ssr::form::set_status_for(&e);
                        view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any()
                    }
                    Ok(v) => {
                        let fb = super::feedback_from_flash(flash, "exception", done.get_untracked());
                        let err = |f: &str| fb.field(f);
                        let (e_unit, e_period, e_reason, e_until) = (err("unit_id"), err("period"), err("reason"), err("until"));
                        let general = fb.error.as_ref().and_then(|e| general_error(lang, e));
                        let ok = fb.done.then(|| t(lang, "ok.exception_granted").to_string());
                        view! {
                            <section class="card">
                                <h1>{t(lang, "exc.title")}</h1>
                                <form method="post" action="/api/grant_exception" class="form grid" novalidate>
                                    <FormMessage error=Signal::derive(move || general.clone()) ok=Signal::derive(move || ok.clone()) />
                                    <label for="unit_id">{t(lang, "exc.unit")}</label>
                                    <select id="unit_id" name="unit_id">
                                        <option value="">{t(lang, "unit.none")}</option>
                                        {v.units.iter().map(|(id, name)| view! { <option value=id.clone() selected=fb.value("unit_id") == *id>{name.clone()}</option> }).collect_view()}
                                    </select>
                                    <FieldError field="unit_id" message=Signal::derive(move || e_unit.clone()) />
                                    <label for="period">{t(lang, "exc.period")}</label>
                                    <select id="period" name="period">
                                        {v.periods.iter().map(|(k, l)| view! { <option value=k.clone() selected=fb.value("period") == *k>{l.clone()}</option> }).collect_view()}
                                    </select>
                                    <FieldError field="period" message=Signal::derive(move || e_period.clone()) />
                                    <label for="reason">{t(lang, "exc.reason")}</label>
                                    <TextArea id="reason" name="reason" rows=2 limit=Text::ExceptionReason described_by="reason-error" text=fb.value("reason") />
                                    <FieldError field="reason" message=Signal::derive(move || e_reason.clone()) />
                                    <label for="until">{t(lang, "exc.until")}</label>
                                    <input id="until" name="until" type="date" value=fb.value("until") />
                                    <FieldError field="until" message=Signal::derive(move || e_until.clone()) />
                                    <button type="submit" class="primary">{t(lang, "exc.grant")}</button>
                                </form>
                            </section>
                            <section class="card">
                                <h2>{t(lang, "exc.list")}</h2>
                                <table class="table" data-testid="exceptions">
                                    <thead><tr>
                                        <th>{t(lang, "exc.unit")}</th><th>{t(lang, "exc.period")}</th><th>{t(lang, "exc.reason")}</th>
                                        <th>{t(lang, "exc.until")}</th><th>{t(lang, "exc.granted_by")}</th><th>{t(lang, "exc.granted_at")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {v.granted.iter().map(|e| view! {
                                            <tr><td>{e.unit_name.clone()}</td><td>{e.period_key.clone()}</td><td>{e.reason.clone()}</td>
                                            <td>{format_kunming(e.valid_until)}</td><td>{e.granted_by.clone()}</td><td>{format_kunming(e.granted_at)}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
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

/// The sealed paper copy of the version shown (单位（盖章）): its files as downloads, and for
/// the unit's own filer a plain upload form (PDF, PNG or JPEG, checked by content).
#[component]
fn Attachments(view: FilingView, lang: Lang) -> impl IntoView {
    let record = view.record.clone()?;
    if view.attachments.is_empty() && !view.own {
        return None;
    }
    let upload = view.own.then(|| {
        vec![
            ("filing_id", record.filing_id.clone()),
            ("period", record.period_key.clone()),
            ("version", record.version.to_string()),
        ]
    });
    Some(view! {
        <h2>{t(lang, "filing.attachments")}</h2>
        <super::AttachmentBox files=view.attachments.clone() upload hint=t(lang, "filing.attach_hint") lang />
    })
}
