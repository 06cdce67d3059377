//! # 零申报 (nil filing): the app crate
//!
//! The Leptos application of Kunming's work-safety nil-filing system (昆政办〔2010〕107号,
//! with the alert measures of 106号). Compiled twice: with feature `ssr` into the server,
//! with feature `hydrate` into the browser's wasm.
//!
//! # Layout
//! - [`domain`]: the pure core, the rules of the regulation (periods, windows, units, roles,
//!   the nine forms, roll-ups, the escalation ladder); no Leptos, axum or sqlx; compiled on
//!   both sides.
//! - [`error`]: [`error::AppError`], the one error type, and per-field errors.
//! - [`i18n`]: interface texts, Chinese first, English available.
//! - [`api`]: server functions (the API) and the types they exchange with the browser.
//! - [`ui`]: pages and components.
//! - `ssr` (server only): database, sessions, authentication, audit, scopes and roll-ups,
//!   escalations, exports, demo data.

#![recursion_limit = "512"]

pub mod api;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod ui;

/// The browser's entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(ui::App);
    // A marker for browser tests and styles: the page is interactive now.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
