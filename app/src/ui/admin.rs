//! Administration: units and accounts (administrator), and changing one's own password.

use super::islands::{NewPasswordInputs, NewPasswordTexts};
use super::{
    feedback_from_flash, general_error, use_done, use_flash, use_info, FieldError, FormFeedback,
    FormMessage, PageTitle,
};
use crate::api::{get_unit, get_unit_merges, list_counties, list_units, list_users};
use crate::domain::time::kunming_date;
use crate::domain::unit::{Role, UnitKind, INDUSTRIES};
use crate::i18n::{t, Lang};
use crate::model::{UnitMerges, UnitRow};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;

fn kind_label(lang: Lang, k: UnitKind) -> &'static str {
    match lang {
        Lang::Zh => k.label_zh(),
        Lang::En => k.label_en(),
    }
}

fn industry_label(lang: Lang, code: &str) -> String {
    INDUSTRIES
        .iter()
        .find(|i| i.0 == code)
        .map(|i| if lang == Lang::Zh { i.1 } else { i.2 })
        .unwrap_or(code)
        .to_string()
}

/// A labelled text input with its error.
#[component]
fn Field(
    name: &'static str,
    label: String,
    fb: Memo<FormFeedback>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
) -> impl IntoView {
    let value = fb.get_untracked().value(name);
    view! {
        <label for=name>{label}</label>
        <input
            id=name
            name=name
            type=kind
            value=if kind == "password" { String::new() } else { value }
            autocomplete=autocomplete
            aria-describedby=format!("{name}-error")
        />
        <FieldError field=name message=Signal::derive(move || fb.get().field(name)) />
    }
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login?next=/account/password" /> }.into_any();
    }
    let lang = info.lang;
    let flash = use_flash();
    let done = use_done("password");
    view! {
        <PageTitle key="pw.title" />
        <section class="card narrow">
            <h1>{t(lang, "pw.title")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    // A plain post; the new password is checked as it is typed, with the
                    // same rule the server applies, by an island.
                    let fb = feedback_from_flash(flash.await, "password", done.get_untracked());
                    let general = fb.error.as_ref().and_then(|e| general_error(lang, e));
                    let ok = fb.done.then(|| t(lang, "ok.password_changed").to_string());
                    let server_errors: BTreeMap<String, String> = ["new_password", "repeat_password"]
                        .into_iter()
                        .filter_map(|f| fb.field(f).map(|key| (f.to_string(), t(lang, &key).to_string())))
                        .collect();
                    let texts = NewPasswordTexts {
                        new_label: t(lang, "pw.new").into(),
                        repeat_label: t(lang, "pw.repeat").into(),
                        messages: ["err.password_too_short", "err.too_long", "err.password_mismatch"]
                            .into_iter()
                            .map(|k| (k.to_string(), t(lang, k).to_string()))
                            .collect(),
                    };
                    let fb = Memo::new(move |_| fb.clone());
                    view! {
                        <form method="post" action="/api/change_password" class="form" novalidate>
                            <FormMessage
                                error=Signal::derive(move || general.clone())
                                ok=Signal::derive(move || ok.clone())
                            />
                            <Field name="current_password" label=t(lang, "pw.current").into() fb kind="password" autocomplete="current-password" />
                            <NewPasswordInputs texts server_errors />
                            <button type="submit" class="primary">{t(lang, "pw.submit")}</button>
                        </form>
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

pub(super) fn require_admin() -> Option<AnyView> {
    let info = use_info();
    match &info.user {
        None => Some(view! { <Redirect path="/login" /> }.into_any()),
        Some(u) if u.role != Role::Administrator => {
            #[cfg(feature = "ssr")]
            crate::ssr::form::set_status_for(&crate::error::AppError::Forbidden);
            Some(view! { <p class="form-error">{t(info.lang, "err.forbidden")}</p> }.into_any())
        }
        Some(_) => None,
    }
}

#[component]
pub fn UnitsPage() -> impl IntoView {
    if let Some(v) = require_admin() {
        return v;
    }
    let lang = use_info().lang;
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        (
            q.get("county").unwrap_or_default(),
            q.get("kind").unwrap_or_default(),
            q.get("q").unwrap_or_default(),
        )
    };
    let units = Resource::new(filter, |(county, kind, search)| {
        list_units(county, kind, search)
    });
    let counties = Resource::new(|| (), |_| list_counties());
    let townships = Resource::new(
        || (),
        |_| list_units(String::new(), "township".into(), String::new()),
    );
    let flash = use_flash();
    let done = use_done("unit");
    view! {
        <PageTitle key="nav.units" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let counties = counties.await.unwrap_or_default();
                let townships = townships.await.unwrap_or_default();
                let fb = feedback_from_flash(flash.await, "unit", done.get_untracked());
                let fb = Memo::new(move |_| fb.clone());
                let (county, kind, search) = filter();
                let county_options = {
                    let counties = counties.clone();
                    move |selected: String| {
                        counties.iter().map(|(id, name)| {
                            let sel = *id == selected;
                            view! { <option value=id.clone() selected=sel>{name.clone()}</option> }
                        }).collect_view()
                    }
                };
                view! {
                    <section class="card">
                        <h1>{t(lang, "unit.list")}</h1>
                        <form method="get" class="filters">
                            <label>{t(lang, "unit.county")}
                                <select name="county">
                                    <option value="">{t(lang, "unit.all")}</option>
                                    {county_options(county.clone())}
                                </select>
                            </label>
                            <label>{t(lang, "unit.kind")}
                                <select name="kind">
                                    <option value="">{t(lang, "unit.all")}</option>
                                    {UnitKind::ALL.iter().map(|k| {
                                        let sel = k.code() == kind;
                                        view! { <option value=k.code() selected=sel>{kind_label(lang, *k)}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>{t(lang, "unit.name")}<input name="q" value=search /></label>
                            <button type="submit">{t(lang, "unit.filter")}</button>
                        </form>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                match units.await {
                                    Err(e) => view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any(),
                                    Ok(rows) => view! { <UnitTable rows lang /> }.into_any(),
                                }
                            })}
                        </Suspense>
                    </section>
                    <section class="card">
                        <h2>{t(lang, "unit.create")}</h2>
                        <form method="post" action="/api/create_unit" class="form grid" novalidate>
                            <FormMessage
                                error=Signal::derive(move || fb.get().error.as_ref().and_then(|e| general_error(lang, e)))
                                ok=Signal::derive(move || fb.get().done.then(|| t(lang, "ok.unit_created").to_string()))
                            />
                            <Field name="name" label=t(lang, "unit.name").into() fb />
                            <label for="kind">{t(lang, "unit.kind")}</label>
                            <select id="kind" name="kind">
                                {[UnitKind::Enterprise, UnitKind::Department, UnitKind::Township, UnitKind::SafetyOffice]
                                    .into_iter()
                                    .map(|k| {
                                        let sel = fb.get_untracked().value("kind") == k.code();
                                        view! { <option value=k.code() selected=sel>{kind_label(lang, k)}</option> }
                                    })
                                    .collect_view()}
                            </select>
                            <FieldError field="kind" message=Signal::derive(move || fb.get().field("kind")) />
                            <label for="county_id">{t(lang, "unit.county")}</label>
                            <select id="county_id" name="county_id">
                                <option value="">{t(lang, "unit.city_level")}</option>
                                {county_options(fb.get_untracked().value("county_id"))}
                            </select>
                            <FieldError field="county_id" message=Signal::derive(move || fb.get().field("county_id")) />
                            <label for="industry">{t(lang, "unit.industry")}</label>
                            <select id="industry" name="industry">
                                <option value="">{t(lang, "unit.none")}</option>
                                {INDUSTRIES.iter().map(|(code, zh, en)| {
                                    let sel = fb.get_untracked().value("industry") == *code;
                                    view! { <option value=*code selected=sel>{if lang == Lang::Zh { *zh } else { *en }}</option> }
                                }).collect_view()}
                            </select>
                            <FieldError field="industry" message=Signal::derive(move || fb.get().field("industry")) />
                            <fieldset class="checkboxes">
                                <legend>{t(lang, "unit.industries")}</legend>
                                {INDUSTRIES.iter().map(|(code, zh, en)| view! {
                                    <label class="check"><input type="checkbox" name="industries[]" value=*code />{if lang == Lang::Zh { *zh } else { *en }}</label>
                                }).collect_view()}
                            </fieldset>
                            <FieldError field="industries" message=Signal::derive(move || fb.get().field("industries")) />
                            <label for="township_id">{t(lang, "unit.township")}</label>
                            <select id="township_id" name="township_id">
                                <option value="">{t(lang, "unit.none")}</option>
                                {townships.iter().map(|u| view! {
                                    <option value=u.unit_id.clone()>{format!("{} · {}", u.county_name.clone().unwrap_or_default(), u.name)}</option>
                                }).collect_view()}
                            </select>
                            <FieldError field="township_id" message=Signal::derive(move || fb.get().field("township_id")) />
                            <Field name="address" label=t(lang, "unit.address").into() fb />
                            <Field name="legal_representative" label=t(lang, "unit.legal_rep").into() fb />
                            <Field name="headcount" label=t(lang, "unit.headcount").into() fb kind="text" />
                            <LifeFields fb />
                            <button type="submit" class="primary">{t(lang, "form.create")}</button>
                        </form>
                    </section>
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn UnitTable(rows: Vec<UnitRow>, lang: Lang) -> impl IntoView {
    view! {
        <table class="table" data-testid="unit-table">
            <thead>
                <tr>
                    <th>{t(lang, "unit.name")}</th>
                    <th>{t(lang, "unit.kind")}</th>
                    <th>{t(lang, "unit.county")}</th>
                    <th>{t(lang, "unit.parent")}</th>
                    <th>{t(lang, "unit.industry")}</th>
                    <th>{t(lang, "unit.opened_on")}</th>
                    <th>{t(lang, "unit.closed_on")}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|u| {
                        view! {
                            <tr>
                                <td><a href=format!("/admin/unit?id={}", u.unit_id)>{u.name}</a></td>
                                <td>{kind_label(lang, u.kind)}</td>
                                <td>{u.county_name.unwrap_or_else(|| t(lang, "unit.city_level").to_string())}</td>
                                <td>{u.parent_name.unwrap_or_default()}</td>
                                <td>{u.industry_code.map(|c| industry_label(lang, &c)).unwrap_or_default()}</td>
                                <td>{u.life.opened_on().to_string()}</td>
                                <td>{u.life.closed_on().map(|d| d.to_string()).unwrap_or_else(|| t(lang, "unit.still_open").to_string())}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The opening date (today's, Kunming, until typed otherwise) and the optional closing date of
/// a unit, with their errors and the rule they decide (`domain::lifecycle`).
#[component]
fn LifeFields(
    fb: Memo<FormFeedback>,
    #[prop(optional)] current: Option<crate::domain::lifecycle::Life>,
) -> impl IntoView {
    let info = use_info();
    let lang = info.lang;
    let typed = fb.get_untracked();
    let flashed = typed.error.is_some();
    let opened = match (flashed, current) {
        (true, _) => typed.value("opened_on"),
        (false, Some(l)) => l.opened_on().to_string(),
        (false, None) => kunming_date(info.now).to_string(),
    };
    let closed = match (flashed, current) {
        (true, _) => typed.value("closed_on"),
        (false, Some(l)) => l.closed_on().map(|d| d.to_string()).unwrap_or_default(),
        (false, None) => String::new(),
    };
    view! {
        <label for="opened_on">{t(lang, "unit.opened_on")}</label>
        <input id="opened_on" name="opened_on" type="date" value=opened aria-describedby="opened_on-error" />
        <FieldError field="opened_on" message=Signal::derive(move || fb.get().field("opened_on")) />
        <label for="closed_on">{t(lang, "unit.closed_on_hint")}</label>
        <input id="closed_on" name="closed_on" type="date" value=closed aria-describedby="closed_on-error" />
        <FieldError field="closed_on" message=Signal::derive(move || fb.get().field("closed_on")) />
        <p class="hint">{t(lang, "unit.life_rule")}</p>
    }
}

/// One unit (administrator): where it sits, and its opening and closing dates, which decide
/// the periods it is expected to file for; a form changes them.
#[component]
pub fn UnitPage() -> impl IntoView {
    if let Some(v) = require_admin() {
        return v;
    }
    let lang = use_info().lang;
    let query = use_query_map();
    let id = move || query.read().get("id").unwrap_or_default();
    let unit = Resource::new(id, get_unit);
    let counties = Resource::new(|| (), |_| list_counties());
    let townships = Resource::new(
        || (),
        |_| list_units(String::new(), "township".into(), String::new()),
    );
    let merges = Resource::new(id, get_unit_merges);
    let flash = use_flash();
    let done = use_done("life");
    let moved = use_done("move");
    let merged = use_done("merge");
    view! {
        <PageTitle key="unit.life_title" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let flash = flash.await;
                let fb = feedback_from_flash(flash.clone(), "life", done.get_untracked());
                let move_fb = feedback_from_flash(flash.clone(), "move", moved.get_untracked());
                let merge_fb = feedback_from_flash(flash, "merge", merged.get_untracked());
                let merges = merges.await.unwrap_or_default();
                let counties = counties.await.unwrap_or_default();
                let townships = townships.await.unwrap_or_default();
                match unit.await {
                    Err(e) => view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any(),
                    Ok(u) => {
                        let life = u.life;
                        let fb = Memo::new(move |_| fb.clone());
                        view! {
                            <section class="card narrow">
                                <p><a href="/admin/units">{t(lang, "unit.back")}</a></p>
                                <h1>{u.name.clone()}</h1>
                                <p>
                                    {kind_label(lang, u.kind)} " · "
                                    {u.county_name.clone().unwrap_or_else(|| t(lang, "unit.city_level").to_string())}
                                    {u.industry_code.clone().map(|c| format!(" · {}", industry_label(lang, &c)))}
                                    {u.township_name.clone().map(|n| format!(" · {n}"))}
                                </p>
                                <h2>{t(lang, "unit.life_title")}</h2>
                                <form method="post" action="/api/set_unit_life" class="form grid" novalidate>
                                    <FormMessage
                                        error=Signal::derive(move || fb.get().error.as_ref().and_then(|e| general_error(lang, e)))
                                        ok=Signal::derive(move || fb.get().done.then(|| t(lang, "ok.unit_life_saved").to_string()))
                                    />
                                    <input type="hidden" name="unit_id" value=u.unit_id.clone() />
                                    <LifeFields fb current=life />
                                    <button type="submit" class="primary">{t(lang, "unit.life_save")}</button>
                                </form>
                                {(u.kind == UnitKind::Enterprise).then(|| view! {
                                    <MoveForm unit=u.clone() counties townships fb=move_fb />
                                    <MergeForm unit_id=u.unit_id.clone() merges fb=merge_fb />
                                })}
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

/// Moving an enterprise to another county, township or industry: the periods it filed for
/// or whose window closed stay with its old place.
#[component]
fn MoveForm(
    unit: UnitRow,
    counties: Vec<(String, String)>,
    townships: Vec<UnitRow>,
    fb: FormFeedback,
) -> impl IntoView {
    let lang = use_info().lang;
    let flashed = fb.error.is_some();
    let pick = |field: &str, current: Option<String>| {
        if flashed {
            fb.value(field)
        } else {
            current.unwrap_or_default()
        }
    };
    let county = pick("county_id", unit.county_id.clone());
    let township = pick("township_id", unit.township_id.clone());
    let industry = pick("industry", unit.industry_code.clone());
    let fb = Memo::new(move |_| fb.clone());
    view! {
        <h2>{t(lang, "unit.move_title")}</h2>
        <form method="post" action="/api/move_unit" class="form grid" novalidate>
            <FormMessage
                error=Signal::derive(move || fb.get().error.as_ref().and_then(|e| general_error(lang, e)))
                ok=Signal::derive(move || fb.get().done.then(|| t(lang, "ok.unit_moved").to_string()))
            />
            <input type="hidden" name="unit_id" value=unit.unit_id.clone() />
            <label for="move_county">{t(lang, "unit.county")}</label>
            <select id="move_county" name="county_id">
                {counties.into_iter().map(|(id, name)| {
                    let sel = id == county;
                    view! { <option value=id selected=sel>{name}</option> }
                }).collect_view()}
            </select>
            <FieldError field="county_id" message=Signal::derive(move || fb.get().field("county_id")) />
            <label for="move_township">{t(lang, "unit.township")}</label>
            <select id="move_township" name="township_id">
                <option value="">{t(lang, "unit.none")}</option>
                {townships.into_iter().map(|tw| {
                    let sel = tw.unit_id == township;
                    view! { <option value=tw.unit_id.clone() selected=sel>{format!("{} · {}", tw.county_name.clone().unwrap_or_default(), tw.name)}</option> }
                }).collect_view()}
            </select>
            <FieldError field="township_id" message=Signal::derive(move || fb.get().field("township_id")) />
            <label for="move_industry">{t(lang, "unit.industry")}</label>
            <select id="move_industry" name="industry">
                {INDUSTRIES.iter().map(|(code, zh, en)| {
                    let sel = *code == industry;
                    view! { <option value=*code selected=sel>{if lang == Lang::Zh { *zh } else { *en }}</option> }
                }).collect_view()}
            </select>
            <FieldError field="industry" message=Signal::derive(move || fb.get().field("industry")) />
            <p class="hint">{t(lang, "unit.move_rule")}</p>
            <button type="submit" class="primary">{t(lang, "unit.move_save")}</button>
        </form>
    }
}

/// Merging a duplicate enterprise into the one kept (`ssr::admin::merge_unit`): shows where
/// this one went, or the duplicates merged into it, and while it is not merged, a form to
/// merge it into another enterprise of its county.
#[component]
fn MergeForm(unit_id: String, merges: UnitMerges, fb: FormFeedback) -> impl IntoView {
    let lang = use_info().lang;
    let chosen = fb.value("into_unit_id");
    let fb = Memo::new(move |_| fb.clone());
    let history = |id: &str| format!("/history?unit={id}");
    view! {
        <h2>{t(lang, "merge.title")}</h2>
        <FormMessage
            error=Signal::derive(move || fb.get().error.as_ref().and_then(|e| general_error(lang, e)))
            ok=Signal::derive(move || fb.get().done.then(|| t(lang, "ok.unit_merged").to_string()))
        />
        {merges.merged_from.iter().map(|m| view! {
            <p data-testid="merged-from">
                {t(lang, "merge.merged_from").replace("{date}", &m.merged_on)} " "
                <a href=history(&m.unit_id)>{m.name.clone()}</a>
            </p>
        }).collect_view()}
        {match merges.merged_into {
            Some(k) => view! {
                <p data-testid="merged-into">
                    {t(lang, "merge.merged_into").replace("{date}", &k.merged_on)} " "
                    <a href=format!("/admin/unit?id={}", k.unit_id)>{k.name}</a>
                </p>
            }.into_any(),
            None => view! {
                <form method="post" action="/api/merge_unit" class="form grid" novalidate>
                    <input type="hidden" name="unit_id" value=unit_id />
                    <label for="into_unit_id">{t(lang, "merge.into")}</label>
                    <select id="into_unit_id" name="into_unit_id" aria-describedby="into_unit_id-error">
                        <option value="">{t(lang, "unit.none")}</option>
                        {merges.candidates.into_iter().map(|(id, name)| {
                            let sel = id == chosen;
                            view! { <option value=id selected=sel>{name}</option> }
                        }).collect_view()}
                    </select>
                    <FieldError field="into_unit_id" message=Signal::derive(move || fb.get().field("into_unit_id")) />
                    <p class="hint">{t(lang, "merge.rule")}</p>
                    <button type="submit" class="primary">{t(lang, "merge.save")}</button>
                </form>
            }.into_any(),
        }}
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    if let Some(v) = require_admin() {
        return v;
    }
    let lang = use_info().lang;
    let users = Resource::new(|| (), |_| list_users());
    let units = Resource::new(
        || (),
        |_| list_units(String::new(), String::new(), String::new()),
    );
    let flash = use_flash();
    let done = use_done("user");
    view! {
        <PageTitle key="nav.users" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let units = units.await.unwrap_or_default();
                let fb = feedback_from_flash(flash.await, "user", done.get_untracked());
                let fb = Memo::new(move |_| fb.clone());
                let selected_unit = fb.get_untracked().value("unit_id");
                let selected_role = fb.get_untracked().value("role");
                view! {
                    <section class="card">
                        <h2>{t(lang, "user.create")}</h2>
                        <form method="post" action="/api/create_user" class="form grid" novalidate>
                            <FormMessage
                                error=Signal::derive(move || fb.get().error.as_ref().and_then(|e| general_error(lang, e)))
                                ok=Signal::derive(move || fb.get().done.then(|| t(lang, "ok.user_created").to_string()))
                            />
                            <Field name="username" label=t(lang, "user.username").into() fb autocomplete="off" />
                            <Field name="display_name" label=t(lang, "user.display_name").into() fb />
                            <label for="unit_id">{t(lang, "user.unit")}</label>
                            <select id="unit_id" name="unit_id">
                                <option value="">{t(lang, "unit.none")}</option>
                                {units.iter().filter(|u| matches!(u.kind, UnitKind::Enterprise | UnitKind::Department | UnitKind::SafetyOffice)).map(|u| {
                                    let sel = u.unit_id == selected_unit;
                                    view! { <option value=u.unit_id.clone() selected=sel>{format!("{} · {}", u.county_name.clone().unwrap_or_else(|| t(lang, "unit.city_level").to_string()), u.name)}</option> }
                                }).collect_view()}
                            </select>
                            <FieldError field="unit_id" message=Signal::derive(move || fb.get().field("unit_id")) />
                            <label for="role">{t(lang, "user.role")}</label>
                            <select id="role" name="role">
                                {Role::ALL.iter().map(|r| {
                                    let sel = r.code() == selected_role;
                                    view! { <option value=r.code() selected=sel>{if lang == Lang::Zh { r.label_zh() } else { r.label_en() }}</option> }
                                }).collect_view()}
                            </select>
                            <FieldError field="role" message=Signal::derive(move || fb.get().field("role")) />
                            <Field name="password" label=t(lang, "user.password").into() fb kind="password" autocomplete="new-password" />
                            <button type="submit" class="primary">{t(lang, "form.create")}</button>
                        </form>
                    </section>
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                view! {
                    <section class="card">
                        <h1>{t(lang, "user.list")}</h1>
                        {match users.await {
                            Err(e) => view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any(),
                            Ok(rows) => view! {
                                <table class="table" data-testid="user-table">
                                    <thead><tr>
                                        <th>{t(lang, "user.username")}</th>
                                        <th>{t(lang, "user.display_name")}</th>
                                        <th>{t(lang, "user.role")}</th>
                                        <th>{t(lang, "user.unit")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|u| view! {
                                            <tr>
                                                <td>{u.username}</td>
                                                <td>{u.display_name}</td>
                                                <td>{if lang == Lang::Zh { u.role.label_zh() } else { u.role.label_en() }}</td>
                                                <td>{u.unit_name}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any(),
                        }}
                    </section>
                }
            })}
        </Suspense>
    }
    .into_any()
}
