//! The islands: the only components compiled into the browser's wasm (Leptos islands mode).
//!
//! Every page is rendered on the server and works with JavaScript off: each form is a plain
//! `<form method="post">` to a server function. The page itself is not hydrated; these few
//! components are, for comfort (a password shown as typed, a ticking countdown, a print
//! button, live checks and progress while a form is filled).
//!
//! Rules for an island (see `lib.rs`'s `hydrate`):
//! - its props travel as JSON in the page: plain data, already translated (context such as
//!   the page language is not available inside an island);
//! - it must not reach the static tables (the nine forms' text, the message table of
//!   `i18n`): the server passes ids, counts and the few texts an island shows;
//! - whatever it renders must be the same on the server and in the browser (it hydrates).

use super::textarea_html;
use crate::domain::limits::Text;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The print button of the pages people print. An inline `onclick` would be refused by the
/// Content Security Policy (no inline handlers); this handler comes with the island.
#[island]
pub fn PrintButton(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <button type="button" on:click=|_| {
            let _ = window().print();
        }>{label}</button>
    }
}

/// The login's password field with its show/hide toggle.
#[island]
pub fn PasswordInput(show_label: String, hide_label: String) -> impl IntoView {
    let shown = RwSignal::new(false);
    view! {
        <div class="password-row">
            <input
                id="password"
                name="password"
                type=move || if shown.get() { "text" } else { "password" }
                autocomplete="current-password"
                aria-describedby="password-error"
                required
            />
            <button
                type="button"
                class="toggle"
                data-testid="toggle-password"
                on:click=move |_| shown.update(|s| *s = !*s)
            >
                {move || if shown.get() { hide_label.clone() } else { show_label.clone() }}
            </button>
        </div>
    }
}

/// A countdown rendered on the server at the app's "now" and ticking in the browser:
/// `seconds` left, shown as days, hours, minutes and seconds with `units` after each
/// (the same split as `domain::period::Countdown`).
#[island]
pub fn Countdown(seconds: i64, units: [String; 4]) -> impl IntoView {
    let elapsed = RwSignal::new(0i64);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || elapsed.update(|s| *s += 1),
            std::time::Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
        });
    });
    let text = move || {
        let total = (seconds - elapsed.get()).max(0);
        let parts = [
            total / 86_400,
            total % 86_400 / 3_600,
            total % 3_600 / 60,
            total % 60,
        ];
        parts
            .iter()
            .zip(units.iter())
            .map(|(n, unit)| format!("{n}{unit}"))
            .collect::<String>()
    };
    view! {
        <strong class="countdown" data-testid="countdown">
            {text}
        </strong>
    }
}

/// A field's error, as [`super::FieldError`] writes it, with the text already translated.
fn field_error(id: String, message: Signal<Option<String>>) -> impl IntoView {
    let id = format!("{id}-error");
    move || {
        message
            .get()
            .map(|m| view! { <p class="field-error" id=id.clone() role="alert">{m}</p> })
    }
}

/// The texts of the filing's progress line, in the page language.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ProgressTexts {
    pub progress: String,
    pub of: String,
    pub items: String,
    pub unmet: String,
    /// After the number of unmet items (`项` in Chinese).
    pub unmet_suffix: String,
    pub not_applicable: String,
    pub complete: String,
    pub not_started: String,
    pub in_progress: String,
}

/// Which of a filing's nine forms' rows bind the unit, by answer field id (`r5_3`).
pub type BindingRows = Vec<(u8, Vec<String>)>;

/// The name of the answer field `r5_3`'s radio buttons, `answers[r5_3]` → `r5_3`.
fn answer_id(name: &str) -> Option<&str> {
    name.strip_prefix("answers[")?.strip_suffix(']')
}

/// Calls `f(answer field id, answered done)` whenever an answer radio button of the page
/// changes. Radio buttons stay server-rendered: the islands listen on the window.
fn on_answer(f: impl Fn(&str, bool) + 'static) {
    use leptos::wasm_bindgen::JsCast;
    // The island lives as long as the page: the listener is never removed.
    let _ = window_event_listener(leptos::ev::change, move |ev| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if input.type_() == "radio" && input.checked() {
            if let Some(id) = answer_id(&input.name()) {
                f(id, input.value() == "done");
            }
        }
    });
}

/// The filing's progress: answered and unmet items, overall and per form, following the
/// answers as they are clicked. `answers`: the answer field ids answered so far, `true`
/// for 落实 (done). Counts only; the forms' text stays on the server.
#[island]
pub fn FilingProgress(
    forms: BindingRows,
    answers: BTreeMap<String, bool>,
    texts: ProgressTexts,
) -> impl IntoView {
    let answers = RwSignal::new(answers);
    on_answer(move |id, done| {
        answers.update(|m| {
            m.insert(id.to_string(), done);
        })
    });
    let per_form = Memo::new(move |_| {
        answers.with(|m| {
            forms
                .iter()
                .map(|(n, rows)| {
                    let answered = rows.iter().filter(|r| m.contains_key(*r)).count();
                    let unmet = rows.iter().filter(|r| m.get(*r) == Some(&false)).count();
                    (*n, answered, rows.len(), unmet)
                })
                .collect::<Vec<_>>()
        })
    });
    let t = StoredValue::new(texts);
    view! {
        <p class="progress" data-testid="progress">
            {move || {
                let (answered, binding, unmet) = per_form
                    .get()
                    .iter()
                    .fold((0, 0, 0), |(a, b, u), (_, x, y, z)| (a + x, b + y, u + z));
                t.with_value(|t| {
                    format!(
                        "{} {answered}{}{binding}{} · {} {unmet}{}",
                        t.progress, t.of, t.items, t.unmet, t.unmet_suffix
                    )
                })
            }}
        </p>
        <ol class="form-status">
            {move || {
                per_form
                    .get()
                    .into_iter()
                    .map(|(n, answered, binding, unmet)| {
                        let (class, label) = t.with_value(|t| {
                            if binding == 0 {
                                ("na", t.not_applicable.clone())
                            } else if answered == binding && unmet == 0 {
                                ("ok", t.complete.clone())
                            } else if answered == binding {
                                ("unmet", format!("{} {unmet}", t.unmet))
                            } else if answered == 0 {
                                ("todo", t.not_started.clone())
                            } else {
                                ("todo", format!("{} {answered}/{binding}", t.in_progress))
                            }
                        });
                        view! { <li class=class><a href=format!("#form-{n}")>{format!("表{n}")}</a> " " {label}</li> }
                    })
                    .collect_view()
            }}
        </ol>
    }
}

/// The filing's phone field, checked as it is typed with the server's rule.
#[island]
pub fn PhoneInput(
    id: String,
    name: String,
    value: String,
    disabled: bool,
    /// The server's error for the field (translated), if the last post had one.
    server_error: Option<String>,
    /// The message for a phone number that is not valid.
    invalid: String,
) -> impl IntoView {
    let phone = RwSignal::new(value.clone());
    let message = Signal::derive(move || {
        let p = phone.get();
        if !p.trim().is_empty() && !crate::domain::filing::is_valid_phone(&p) {
            Some(invalid.clone())
        } else {
            server_error.clone()
        }
    });
    view! {
        <input id=id.clone() name=name value=value disabled=disabled inputmode="tel"
            aria-describedby=format!("{id}-error") on:input=move |ev| phone.set(event_target_value(&ev)) />
        {field_error(id, message)}
    }
}

/// A row's explanation (申报说明) with its error: too short while the row is answered
/// 不落实 (not done) and the text is being typed.
#[island]
pub fn ExplanationInput(
    /// The row's answer field id (`r5_3`).
    answer: String,
    /// Whether the row is answered 不落实 now.
    unmet: bool,
    id: String,
    name: String,
    text: String,
    disabled: bool,
    server_error: Option<String>,
    /// The message for an explanation shorter than the minimum.
    too_short: String,
    min_chars: usize,
) -> impl IntoView {
    let unmet = RwSignal::new(unmet);
    let typed = RwSignal::new(text.clone());
    on_answer(move |row, done| {
        if row == answer {
            unmet.set(!done);
        }
    });
    let message = Signal::derive(move || {
        let len = typed.with(|t| t.trim().chars().count());
        if unmet.get() && len > 0 && len < min_chars {
            Some(too_short.clone())
        } else {
            server_error.clone()
        }
    });
    let html = textarea_html(&text);
    view! {
        <textarea id=id.clone() name=name rows=2 maxlength=Text::Explanation.max_chars() disabled=disabled
            aria-describedby=format!("{id}-error") inner_html=html
            on:input=move |ev| typed.set(event_target_value(&ev))></textarea>
        {field_error(id, message)}
    }
}

/// The texts of the new-password fields, in the page language.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NewPasswordTexts {
    pub new_label: String,
    pub repeat_label: String,
    /// Message key → text, for the keys `model::check_new_password` answers.
    pub messages: BTreeMap<String, String>,
}

/// The new password and its repetition, checked as they are typed with the rule the server
/// applies (`model::check_new_password`). `server_errors`: field → translated error of the
/// last post.
#[island]
pub fn NewPasswordInputs(
    texts: NewPasswordTexts,
    server_errors: BTreeMap<String, String>,
) -> impl IntoView {
    let new_pw = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let texts = StoredValue::new(texts);
    let server_errors = StoredValue::new(server_errors);
    let live = Memo::new(move |_| {
        let (n, r) = (new_pw.get(), repeat.get());
        if n.is_empty() && r.is_empty() {
            None
        } else {
            Some(crate::model::check_new_password(&n, &r))
        }
    });
    let message = move |name: &'static str| {
        Signal::derive(move || match live.get() {
            Some(errors) => errors.get(name).map(|key| {
                texts.with_value(|t| {
                    t.messages
                        .get(key)
                        .cloned()
                        .unwrap_or_else(|| key.to_string())
                })
            }),
            None => server_errors.with_value(|e| e.get(name).cloned()),
        })
    };
    let (new_label, repeat_label) =
        texts.with_value(|t| (t.new_label.clone(), t.repeat_label.clone()));
    view! {
        <label for="new_password">{new_label}</label>
        <input id="new_password" name="new_password" type="password" autocomplete="new-password"
            on:input=move |ev| new_pw.set(event_target_value(&ev)) aria-describedby="new_password-error" />
        {field_error("new_password".to_string(), message("new_password"))}
        <label for="repeat_password">{repeat_label}</label>
        <input id="repeat_password" name="repeat_password" type="password" autocomplete="new-password"
            on:input=move |ev| repeat.set(event_target_value(&ev)) aria-describedby="repeat_password-error" />
        {field_error("repeat_password".to_string(), message("repeat_password"))}
    }
}
