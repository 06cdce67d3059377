//! # 零申报 (nil filing): the app crate
//!
//! The Leptos application of Kunming's work-safety nil-filing system (昆政办〔2010〕107号,
//! with the alert measures of 106号). Compiled twice: with feature `ssr` into the server,
//! with feature `hydrate` into the browser's wasm.
//!
//! # Layout
//! Dependencies point one way: `ui` → `api` → `ssr` → `model` → `domain` (`tests/layering.rs`
//! fails on an import against the arrows or on any circle).
//! - [`domain`]: the pure core, the rules of the regulation: periods and windows, units and
//!   roles, the reporting chain (who files to whom, who oversees whom, what a scope holds),
//!   the nine forms, roll-ups, the escalation ladder. No Leptos, axum or sqlx; compiled on
//!   both sides, unit-tested beside each rule.
//! - [`error`]: [`error::AppError`], the one error type (with [`error::Conflict`]), and
//!   per-field errors; a database error becomes `Internal` with its cause logged once.
//! - [`i18n`]: interface texts, Chinese first, English available.
//! - [`model`]: the data that crosses between the server and the pages (views, rows, page
//!   data); depends only on `domain`, `error` and `i18n`.
//! - `ssr` (server only): database, sessions, authentication, audit, access by the chain,
//!   filings, review, scopes and roll-ups, escalations, exports, demo data. Never uses `api`
//!   or `ui`.
//! - [`api`]: server functions: each parses its input, asks `ssr`, answers with a `model`
//!   type or an [`error::AppError`].
//! - [`ui`]: pages and components; only the islands of [`ui::islands`] run in the browser.

#![recursion_limit = "512"]

pub mod api;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod ui;

/// The browser's entry point (Leptos islands mode): the page stays as the server rendered
/// it; Leptos's island script calls this, then hydrates each island of the page
/// (`ui::islands`), the only components compiled into the wasm.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A marker for browser tests and styles: the page is interactive now. The island script
    // hydrates the islands right after this returns, within the same task; a timeout runs
    // after that task, once every island is hydrated.
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
