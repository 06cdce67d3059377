//! The open API's tokens (administrator): make one for an account with its scopes and life
//! (shown once), see who holds which and when each was last used, revoke one. Plain forms.

use super::admin::require_admin;
use super::{
    feedback_from_flash, general_error, use_done, use_flash, use_info, FieldError, FormMessage,
    PageTitle,
};
use crate::api::token::get_tokens;
use crate::domain::token::{ApiScope, TokenState};
use crate::i18n::{t, Lang};
use crate::model::token::TokenRow;
use leptos::prelude::*;

fn scope_label(lang: Lang, s: ApiScope) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => s.label_en(),
    }
}

#[component]
pub fn TokensPage() -> impl IntoView {
    if let Some(v) = require_admin() {
        return v;
    }
    let lang = use_info().lang;
    let page = Resource::new(|| (), |_| get_tokens());
    let flash = use_flash();
    let done = use_done("token");
    view! {
        <PageTitle key="nav.tokens" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let page = match page.await {
                    Ok(p) => p,
                    Err(e) => return view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any(),
                };
                let fb = feedback_from_flash(flash.await, "token", done.get_untracked());
                let fb = Memo::new(move |_| fb.clone());
                let chosen = fb.get_untracked().value("user");
                let name = fb.get_untracked().value("name");
                let days = Some(fb.get_untracked().value("days")).filter(|d| !d.is_empty()).unwrap_or_else(|| "90".into());
                view! {
                    <section class="card">
                        <h1>{t(lang, "nav.tokens")}</h1>
                        <p>{t(lang, "token.intro")}</p>
                        {page.created.map(|token| view! {
                            <div class="form-ok" role="status">
                                <p>{t(lang, "token.created")}</p>
                                <p><code class="token" data-testid="new-token">{token}</code></p>
                            </div>
                        })}
                    </section>
                    <section class="card">
                        <h2>{t(lang, "token.new")}</h2>
                        <form method="post" action="/api/create_token" class="form grid" novalidate>
                            <FormMessage
                                error=Signal::derive(move || fb.get().error.as_ref().and_then(|e| general_error(lang, e)))
                                ok=Signal::derive(|| None::<String>)
                            />
                            <label for="name">{t(lang, "token.name")}</label>
                            <input id="name" name="name" value=name aria-describedby="name-error" />
                            <FieldError field="name" message=Signal::derive(move || fb.get().field("name")) />
                            <label for="user">{t(lang, "token.user")}</label>
                            <select id="user" name="user" aria-describedby="user-error">
                                <option value="">"—"</option>
                                {page.accounts.into_iter().map(|(id, label)| {
                                    let sel = id == chosen;
                                    view! { <option value=id selected=sel>{label}</option> }
                                }).collect_view()}
                            </select>
                            <FieldError field="user" message=Signal::derive(move || fb.get().field("user")) />
                            <fieldset class="checkboxes">
                                <legend>{t(lang, "token.scopes")}</legend>
                                {ApiScope::ALL.into_iter().map(|s| view! {
                                    <label class="check"><input type="checkbox" name="scopes[]" value=s.code() />{scope_label(lang, s)}" "<code>{s.code()}</code></label>
                                }).collect_view()}
                            </fieldset>
                            <FieldError field="scopes" message=Signal::derive(move || fb.get().field("scopes")) />
                            <label for="days">{t(lang, "token.days")}</label>
                            <input id="days" name="days" value=days inputmode="numeric" aria-describedby="days-error" />
                            <FieldError field="days" message=Signal::derive(move || fb.get().field("days")) />
                            <button type="submit" class="primary">{t(lang, "form.create")}</button>
                        </form>
                    </section>
                    <section class="card">
                        <h2>{t(lang, "token.list")}</h2>
                        <TokenTable rows=page.tokens lang />
                    </section>
                }
                .into_any()
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn TokenTable(rows: Vec<TokenRow>, lang: Lang) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>{t(lang, "token.none")}</p> }.into_any();
    }
    view! {
        <table class="table" data-testid="token-table">
            <thead><tr>
                <th>{t(lang, "token.name")}</th>
                <th>{t(lang, "token.user")}</th>
                <th>{t(lang, "token.scopes")}</th>
                <th>{t(lang, "token.expires")}</th>
                <th>{t(lang, "token.last_used")}</th>
                <th>{t(lang, "token.state")}</th>
                <th></th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let state = match r.state {
                        TokenState::Active => "token.active",
                        TokenState::Expired => "token.expired",
                        TokenState::Revoked => "token.revoked",
                    };
                    let scopes = r.scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(" ");
                    view! {
                        <tr>
                            <td>{r.name}</td>
                            <td>{format!("{} · {} ({})", r.unit_name, r.display_name, r.username)}</td>
                            <td><code>{scopes}</code></td>
                            <td>{r.expires_at}</td>
                            <td>{r.last_used_at.unwrap_or_else(|| "—".into())}</td>
                            <td>{t(lang, state)}</td>
                            <td>
                                {(r.state == TokenState::Active).then(|| view! {
                                    <form method="post" action="/api/revoke_token">
                                        <input type="hidden" name="token" value=r.token_id />
                                        <button type="submit">{t(lang, "token.revoke")}</button>
                                    </form>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
