//! The login page.

use super::{
    feedback_from_flash, general_error, tr, use_done, use_flash, use_info, FieldError, FormMessage,
    PageTitle,
};
use crate::api::Login;
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
    let login = ServerAction::<Login>::new();
    let flash = use_flash();
    let done = use_done("login");
    let show_password = RwSignal::new(false);
    let next_for_effect = next.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = login.value().get() {
            let _ = window()
                .location()
                .set_href(&crate::api::safe_next(Some(&next_for_effect)));
        }
    });
    view! {
        <PageTitle key="login.title" />
        <section class="card narrow">
            <h1>{tr("login.title")}</h1>
            <p class="hint">{tr("login.hint")}</p>
            <Suspense fallback=|| ()>
                {move || {
                    let next = next.clone();
                    Suspend::new(async move {
                        let from_flash = feedback_from_flash(flash.await, "login", done.get_untracked());
                        let feedback = Memo::new(move |_| match login.value().get() {
                            Some(Err(e)) => super::FormFeedback { error: Some(e), ..Default::default() },
                            Some(Ok(())) => Default::default(),
                            None => from_flash.clone(),
                        });
                        let username = feedback.get_untracked().value("username");
                        view! {
                            <ActionForm action=login attr:class="form" attr:novalidate=true>
                                <input type="hidden" name="next" value=next />
                                <FormMessage
                                    error=Signal::derive(move || {
                                        feedback.get().error.as_ref().and_then(|e| general_error(lang, e))
                                    })
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
                                    message=Signal::derive(move || feedback.get().field("username"))
                                />
                                <label for="password">{t(lang, "login.password")}</label>
                                <div class="password-row">
                                    <input
                                        id="password"
                                        name="password"
                                        type=move || if show_password.get() { "text" } else { "password" }
                                        autocomplete="current-password"
                                        aria-describedby="password-error"
                                        required
                                    />
                                    <button
                                        type="button"
                                        class="toggle"
                                        data-testid="toggle-password"
                                        on:click=move |_| show_password.update(|s| *s = !*s)
                                    >
                                        {move || {
                                            if show_password.get() {
                                                t(lang, "login.hide_password")
                                            } else {
                                                t(lang, "login.show_password")
                                            }
                                        }}
                                    </button>
                                </div>
                                <FieldError
                                    field="password"
                                    message=Signal::derive(move || feedback.get().field("password"))
                                />
                                <button type="submit" class="primary" disabled=move || login.pending().get()>
                                    {t(lang, "login.submit")}
                                </button>
                            </ActionForm>
                        }
                    })
                }}
            </Suspense>
        </section>
    }
        .into_any()
}
