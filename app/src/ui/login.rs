//! The login page.

use super::islands::PasswordInput;
use super::{
    feedback_from_flash, general_error, tr, use_done, use_flash, use_info, FieldError, FormMessage,
    PageTitle,
};
use crate::i18n::t;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let info = use_info();
    if info.user.is_some() {
        return view! { <Redirect path="/" /> }.into_any();
    }
    let lang = info.lang;
    let query = use_query_map();
    let next = query
        .read_untracked()
        .get("next")
        .unwrap_or_else(|| "/".into());
    let flash = use_flash();
    let done = use_done("login");
    view! {
        <PageTitle key="login.title" />
        <section class="card narrow">
            <h1>{tr("login.title")}</h1>
            <p class="hint">{tr("login.hint")}</p>
            <Suspense fallback=|| ()>
                {move || {
                    let next = next.clone();
                    Suspend::new(async move {
                        // A plain post: on failure the server sends the form back with the
                        // errors and what was typed (a flash), on success to `next`.
                        let feedback = feedback_from_flash(flash.await, "login", done.get_untracked());
                        let username = feedback.value("username");
                        let general = feedback.error.as_ref().and_then(|e| general_error(lang, e));
                        let (user_error, password_error) = (feedback.field("username"), feedback.field("password"));
                        view! {
                            <form method="post" action="/api/login" class="form" novalidate>
                                <input type="hidden" name="next" value=next />
                                <FormMessage
                                    error=Signal::derive(move || general.clone())
                                    ok=Signal::derive(|| None::<String>)
                                />
                                <label for="username">{t(lang, "login.username")}</label>
                                <input
                                    id="username"
                                    name="username"
                                    autocomplete="username"
                                    value=username
                                    aria-describedby="username-error"
                                    required
                                />
                                <FieldError
                                    field="username"
                                    message=Signal::derive(move || user_error.clone())
                                />
                                <label for="password">{t(lang, "login.password")}</label>
                                <PasswordInput
                                    show_label=t(lang, "login.show_password").to_string()
                                    hide_label=t(lang, "login.hide_password").to_string()
                                />
                                <FieldError
                                    field="password"
                                    message=Signal::derive(move || password_error.clone())
                                />
                                <button type="submit" class="primary">
                                    {t(lang, "login.submit")}
                                </button>
                            </form>
                        }
                    })
                }}
            </Suspense>
        </section>
    }
        .into_any()
}
