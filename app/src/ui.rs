//! Pages and components. Every page renders completely on the server (SSR, async mode, so it
//! works with JavaScript off); only its islands ([`islands`]) come to life in the browser,
//! for comfort.
//!
//! - this file: the HTML shell, the router, the layout with its header, shared form helpers;
//! - [`login`]: the login page;
//! - [`home`]: the home page of each role, with the filing window and its countdown;
//! - [`filing`]: the nine forms, confirmation, print view, late-filing exceptions;
//! - [`review`]: the reviewer's queue: accept, or return with a reason;
//! - [`rollup`]: the roll-up (汇总) of a period, drilled down, with SVG charts and the summary
//!   filed upward;
//! - [`report`]: the city government's report of a period (printable);
//! - [`escalation`]: the escalation ladder (106号): proposals, documents, inbox, public
//!   disclosure, 专报 brief;
//! - [`history`]: a unit's recorded changes and its versions side by side;
//! - [`admin`]: units, accounts, and changing one's password;
//! - [`islands`]: the few interactive components, the only ones compiled into the wasm.

/// A page's data as it loads: the page's body once `$data` (a resource of a server function)
/// answers, or the error in the page's language with the error's status code on the
/// server-rendered response. Each page has exactly one such suspense.
macro_rules! page_with {
    ($data:expr, $lang:expr, |$v:ident| $body:expr) => {
        view! {
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match $data.await {
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            $crate::ssr::form::set_status_for(&e);
                            view! { <p class="form-error">{$crate::ui::general_error($lang, &e)}</p> }.into_any()
                        }
                        Ok($v) => $body.into_any(),
                    }
                })}
            </Suspense>
        }
    };
}

pub mod admin;
pub mod escalation;
pub mod filing;
pub mod history;
pub mod home;
pub mod islands;
pub mod login;
pub mod registry;
pub mod report;
pub mod review;
pub mod rollup;
pub mod tokens;

use crate::api::take_flash;
use crate::domain::limits::Text;
use crate::error::AppError;
use crate::i18n::{t, Lang};
use crate::model::{Flash, SessionInfo};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_query_map};
use leptos_router::{path, SsrMode};

/// The HTML document around the app (server side).
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    let info = load_session_info();
    let html_lang = info.lang.html_lang();
    // `pkg/<version>`: the built files under a name that changes with their content, so
    // browsers keep them for a year and never revalidate (see `server::asset_version`).
    let css = format!("/{}/app.css", options.site_pkg_dir);
    let icon = format!("/{}/favicon.svg", options.site_pkg_dir);
    view! {
        <!DOCTYPE html>
        <html lang=html_lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=css />
                <link rel="icon" href=icon type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <ParentRoute path=path!("") view=Layout ssr=SsrMode::Async>
                    <Route path=path!("") view=home::HomePage ssr=SsrMode::Async />
                    <Route path=path!("login") view=login::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("account/password") view=admin::PasswordPage ssr=SsrMode::Async />
                    <Route path=path!("filing") view=filing::FilingPage ssr=SsrMode::Async />
                    <Route path=path!("filing/confirm") view=filing::ConfirmPage ssr=SsrMode::Async />
                    <Route path=path!("filing/print") view=filing::PrintPage ssr=SsrMode::Async />
                    <Route path=path!("filing/paper") view=filing::PaperPage ssr=SsrMode::Async />
                    <Route path=path!("review") view=review::ReviewPage ssr=SsrMode::Async />
                    <Route path=path!("history") view=history::HistoryPage ssr=SsrMode::Async />
                    <Route path=path!("rollup") view=rollup::RollupPage ssr=SsrMode::Async />
                    <Route path=path!("report") view=report::ReportPage ssr=SsrMode::Async />
                    <Route path=path!("escalations") view=escalation::EscalationsPage ssr=SsrMode::Async />
                    <Route path=path!("escalation") view=escalation::EscalationPage ssr=SsrMode::Async />
                    <Route path=path!("inbox") view=escalation::InboxPage ssr=SsrMode::Async />
                    <Route path=path!("public") view=escalation::PublicPage ssr=SsrMode::Async />
                    <Route path=path!("brief") view=escalation::BriefPage ssr=SsrMode::Async />
                    <Route path=path!("exceptions") view=filing::ExceptionsPage ssr=SsrMode::Async />
                    <Route path=path!("admin/units") view=admin::UnitsPage ssr=SsrMode::Async />
                    <Route path=path!("admin/unit") view=admin::UnitPage ssr=SsrMode::Async />
                    <Route path=path!("admin/users") view=admin::UsersPage ssr=SsrMode::Async />
                    <Route path=path!("admin/tokens") view=tokens::TokensPage ssr=SsrMode::Async />
                    <Route path=path!("registry") view=registry::RegistryPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The visitor's session as seen by pages; provided by [`Layout`].
pub fn use_info() -> SessionInfo {
    expect_context::<SessionInfo>()
}

/// The page language.
pub fn use_lang() -> Lang {
    use_info().lang
}

/// Text of a message key in the page language.
pub fn tr(key: &str) -> String {
    t(use_lang(), key).to_string()
}

/// The visitor's session for this page, computed by the server once per request (see
/// `server::attach_session_info`). Pages get it synchronously, so the layout needs no
/// `<Suspense>` around the routes. Only the server renders pages (islands mode): the browser
/// never needs it, and islands get what they show as props.
pub fn load_session_info() -> SessionInfo {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<SessionInfo>().cloned())
            .unwrap_or_else(visitor)
    }
    #[cfg(not(feature = "ssr"))]
    {
        visitor()
    }
}

fn visitor() -> SessionInfo {
    SessionInfo {
        user: None,
        lang: Lang::Zh,
        now: chrono::Utc::now(),
        clock_fixed: false,
        notices: 0,
    }
}

#[component]
fn Layout() -> impl IntoView {
    let info = load_session_info();
    provide_context(info.clone());
    view! {
        <Header info=info.clone() />
        <main class="page">
            <Outlet />
        </main>
        <footer class="footer">
            {t(info.lang, "app.city")} " · " {t(info.lang, "app.name")} " · "
            <a href="/public">{t(info.lang, "public.title")}</a>
            {info
                .clock_fixed
                .then(|| {
                    view! {
                        <span class="fixed-clock">
                            " · " {t(info.lang, "home.fixed_clock")} " "
                            {crate::domain::time::format_kunming(info.now)}
                        </span>
                    }
                })}
        </footer>
    }
}

#[component]
fn Header(info: SessionInfo) -> impl IntoView {
    let lang = info.lang;
    let location = use_location();
    let lang_href = move || {
        let here = format!(
            "{}{}",
            location.pathname.get(),
            location
                .search
                .get()
                .is_empty()
                .then(String::new)
                .unwrap_or_else(|| format!("?{}", location.search.get()))
        );
        format!("/lang/{}?next={}", lang.other().code(), urlencode(&here))
    };
    let user = info.user.clone();
    let notices = info.notices;
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                {t(lang, "app.name")}
            </a>
            {user
                .map(|u| {
                    let role_label = match lang {
                        Lang::Zh => u.role.label_zh(),
                        Lang::En => u.role.label_en(),
                    };
                    let admin = u.role == crate::domain::unit::Role::Administrator;
                    view! {
                        <nav class="nav">
                            <a href="/">{t(lang, "nav.home")}</a>
                            {admin
                                .then(|| {
                                    view! {
                                        <a href="/admin/units">{t(lang, "nav.units")}</a>
                                        <a href="/admin/users">{t(lang, "nav.users")}</a>
                                        <a href="/admin/tokens">{t(lang, "nav.tokens")}</a>
                                        <a href="/registry">{t(lang, "nav.registry")}</a>
                                    }
                                })}
                            {u.role.fills_forms().then(|| view! { <a href="/filing">{t(lang, "nav.filing")}</a> })}
                            {matches!(u.role, crate::domain::unit::Role::DepartmentStaff | crate::domain::unit::Role::TownshipStaff)
                                .then(|| view! { <a href="/filing/paper">{t(lang, "nav.paper")}</a> })}
                            {u.role.is_supervisor().then(|| view! {
                                <a href="/review">{t(lang, "nav.review")}</a>
                                <a href="/rollup">{t(lang, "nav.rollup")}</a>
                                <a href="/exceptions">{t(lang, "nav.exceptions")}</a>
                                <a href="/escalations">{t(lang, "nav.escalations")}</a>
                            })}
                            {(u.role == crate::domain::unit::Role::CityOfficeStaff).then(|| view! { <a href="/report">{t(lang, "nav.report")}</a> })}
                            <a href="/inbox" data-testid="bell">
                                {t(lang, "nav.inbox")}
                                {(notices > 0).then(|| view! { " " <span class="count" aria-label=t(lang, "nav.notices")>{notices}</span> })}
                            </a>
                            <a href="/account/password">{t(lang, "nav.password")}</a>
                        </nav>
                        <div class="who" data-testid="who">
                            <span class="unit">{u.unit_name.clone()}</span>
                            <span class="role">{role_label} " · " {u.display_name.clone()}</span>
                        </div>
                        <form method="post" action="/api/logout" class="logout">
                            <button type="submit" class="link-button">
                                {t(lang, "nav.logout")}
                            </button>
                        </form>
                    }
                })}
            <a class="lang" href=lang_href rel="nofollow">
                {t(lang, "lang.switch")}
            </a>
        </header>
    }
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <main class="page">
            <h1>"页面不存在 · Page not found"</h1>
            <p>
                <a href="/">"返回首页 · Home"</a>
            </p>
        </main>
    }
}

/// The state of one form on a page: the error of the last submission (the flash kept by the
/// server after a plain post) and the values typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormFeedback {
    pub error: Option<AppError>,
    pub values: Vec<(String, String)>,
    /// Set after a successful plain post (`?done=FORM`).
    pub done: bool,
}

impl FormFeedback {
    pub fn field(&self, name: &str) -> Option<String> {
        self.error
            .as_ref()
            .and_then(|e| e.field_errors())
            .and_then(|f| f.get(name))
            .map(str::to_string)
    }

    pub fn value(&self, name: &str) -> String {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Loads the flash of a failed plain post for `form`, if the URL names one.
pub fn use_flash() -> Resource<Option<Flash>> {
    let query = use_query_map();
    Resource::new(
        move || query.read().get("flash"),
        |token| async move {
            match token {
                Some(token) => take_flash(token).await.ok().flatten(),
                None => None,
            }
        },
    )
}

/// Whether the URL says `form` was just saved (`?done=FORM`).
pub fn use_done(form: &'static str) -> Signal<bool> {
    let query = use_query_map();
    Signal::derive(move || query.read().get("done").as_deref() == Some(form))
}

/// The feedback for `form` from a flash (no JavaScript).
pub fn feedback_from_flash(flash: Option<Flash>, form: &str, done: bool) -> FormFeedback {
    match flash.filter(|f| f.form == form) {
        Some(f) => FormFeedback {
            error: Some(f.error),
            values: f.values,
            done: false,
        },
        None => FormFeedback {
            done,
            ..Default::default()
        },
    }
}

/// The message for a non-field error, in the page language.
pub fn general_error(lang: Lang, err: &AppError) -> Option<String> {
    let key = match err {
        AppError::Invalid(_) => return None,
        AppError::Unauthenticated => "err.unauthenticated",
        AppError::Forbidden => "err.forbidden",
        AppError::NotFound => "err.not_found",
        AppError::Throttled {
            retry_at,
            wait_seconds,
        } => {
            return Some(throttled_message(lang, *retry_at, *wait_seconds));
        }
        AppError::Malformed(m) => m.message_key(),
        AppError::Conflict(conflict) => conflict.message_key(),
        AppError::Internal => "err.internal",
        AppError::Unavailable => "err.unavailable",
        AppError::Transport(_) => "err.transport",
    };
    Some(t(lang, key).to_string())
}

/// A `<textarea>` that shows stored text as text, never as markup, in the server's HTML.
/// Every textarea of the app is this one, or the island `islands::ExplanationInput`, which
/// writes its textarea the same way (with [`textarea_html`]).
///
/// Leptos 0.8 writes a textarea's children into the page unescaped (upstream PR #4730
/// escaped them, #4819 reverted it), so `</textarea><img onerror=…>` typed into a field
/// would become markup in the page of whoever opens it. Here the text is escaped and set as
/// the element's inner HTML: a textarea's content is RCDATA, so the browser decodes the
/// character references back into the very text typed, and no tag can end the element.
/// `maxlength` comes from the one table of limits ([`Text`]).
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    /// The text shown (stored, or typed before a failed post).
    #[prop(into, optional)]
    text: String,
    rows: u8,
    /// The field's limit.
    limit: Text,
    #[prop(optional)] disabled: bool,
    /// The id of the element holding the field's error.
    #[prop(into, optional)]
    described_by: Option<String>,
) -> impl IntoView {
    let html = textarea_html(&text);
    view! {
        <textarea id=id name=name rows=rows maxlength=limit.max_chars() disabled=disabled
            aria-describedby=described_by inner_html=html></textarea>
    }
}

pub use islands::PrintButton;

/// The inner HTML of a textarea showing `text`: `&`, `<` and `>` escaped. On the server a
/// newline goes first, because the HTML parser drops one right after `<textarea>` and text
/// that itself starts with a newline would lose it.
pub fn textarea_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    if cfg!(feature = "ssr") {
        out.push('\n');
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// "Too many failed logins: try again at 10:32:05 (in 4 min 30 s)", Kunming time.
pub fn throttled_message(lang: Lang, retry_at: chrono::DateTime<chrono::Utc>, wait: i64) -> String {
    let wait = wait.max(1);
    let (m, s) = (wait / 60, wait % 60);
    let span = match (lang, m) {
        (Lang::Zh, 0) => format!("{s} 秒"),
        (Lang::Zh, _) => format!("{m} 分 {s} 秒"),
        (Lang::En, 0) => format!("{s} s"),
        (Lang::En, _) => format!("{m} min {s} s"),
    };
    format!(
        "{}{}{}{span}{}",
        t(lang, "err.throttled"),
        crate::domain::time::format_kunming(retry_at),
        t(lang, "err.throttled_wait"),
        t(lang, "err.throttled_wait_end"),
    )
}

/// An error shown next to its field, read by screen readers with the field.
#[component]
pub fn FieldError(
    #[prop(into)] field: String,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let id = format!("{field}-error");
    view! {
        {move || {
            message
                .get()
                .map(|key| {
                    view! {
                        <p class="field-error" id=id.clone() role="alert">
                            {t(lang, &key).to_string()}
                        </p>
                    }
                })
        }}
    }
}

/// A form-level message (errors that belong to no field, or "saved").
#[component]
pub fn FormMessage(
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] ok: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        {move || error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        {move || ok.get().map(|m| view! { <p class="form-ok" role="status">{m}</p> })}
    }
}

/// The message key of a filing status.
pub fn status_key(s: crate::domain::filing::FilingStatus) -> &'static str {
    use crate::domain::filing::FilingStatus;
    match s {
        FilingStatus::Draft => "filing.status_draft",
        FilingStatus::Submitted => "filing.status_submitted",
        FilingStatus::Returned => "filing.status_returned",
        FilingStatus::Accepted => "filing.status_accepted",
    }
}

/// Attached files (a sealed, signed paper copy, issue 14) as downloads, never shown in the
/// page; with `upload` (the hidden fields naming what the file belongs to), a plain upload
/// form to `/attachments/upload` (PDF, PNG or JPEG, checked by content on the server) and
/// what the last upload answered (`?attached=1`, `?attach_error=`).
#[component]
pub fn AttachmentBox(
    files: Vec<crate::model::filing::AttachmentInfo>,
    upload: Option<Vec<(&'static str, String)>>,
    #[prop(into)] hint: String,
    lang: Lang,
) -> impl IntoView {
    let query = use_query_map();
    let (attached, error) =
        query.with_untracked(|q| (q.get("attached").is_some(), q.get("attach_error")));
    let error = error.map(|e| {
        t(
            lang,
            match e.as_str() {
                "size" => "err.attachment_size",
                "count" => "err.attachment_count",
                "empty" => "registry.err_empty",
                "upload" => "err.attachment_upload",
                "closed" => "err.esc_nothing_pending",
                _ => "err.attachment_type",
            },
        )
        .to_string()
    });
    let uploading = upload.is_some();
    view! {
        <div class="attachments" data-testid="attachments">
            <ul>
                {files.iter().map(|a| view! {
                    <li>
                        <a href=format!("/attachments/{}", a.attachment_id) download=a.file_name.clone()>{a.file_name.clone()}</a>
                        {format!(" · {} KB · {}", (a.size_bytes + 1023) / 1024, crate::domain::time::format_kunming(a.uploaded_at))}
                        {a.uploaded_by.clone().map(|by| format!(" · {by}"))}
                    </li>
                }).collect_view()}
            </ul>
            {(uploading && attached).then(|| view! { <p class="form-ok" role="status">{t(lang, "filing.attached")}</p> })}
            {error.filter(|_| uploading).map(|e| view! { <p class="field-error" role="alert" id="attachment-error">{e}</p> })}
            {upload.map(|fields| view! {
                <form method="post" action="/attachments/upload" enctype="multipart/form-data" class="inline no-print">
                    {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
                    <label for="attachment-file">{hint}</label>
                    <input id="attachment-file" name="file" type="file" accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg" required aria-describedby="attachment-error" />
                    <button type="submit">{t(lang, "filing.attach")}</button>
                </form>
            })}
        </div>
    }
}

/// A page title in the language of the page.
#[component]
pub fn PageTitle(#[prop(into)] key: String) -> impl IntoView {
    let lang = use_lang();
    view! { <Title text=format!("{} · {}", t(lang, &key), t(lang, "app.name")) /> }
}
