//! The state shared by all requests.

use crate::domain::time::Clock;
use crate::error::AppError;
use crate::ssr::db::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::use_context;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    /// The app clock: every "now" comes from here.
    pub clock: Clock,
    /// Behind a reverse proxy: take the client's address from `X-Forwarded-For` (login
    /// throttling per address).
    pub trust_proxy: bool,
    /// Registry files uploaded on the registry page, checked or imported in the background.
    pub registry_jobs: std::sync::Arc<crate::ssr::registry::Jobs>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, inside a server function or a server-side render.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        match use_context::<axum::http::request::Parts>() {
            Some(parts) => {
                tracing::error!(path = %parts.uri, "AppState is not in the reactive context")
            }
            // Outside any request: the router renders the app once at start-up to list its
            // routes, and the pages' resources ask for data then. Nothing is wrong.
            None => tracing::debug!("no AppState outside a request (route listing)"),
        }
        AppError::Internal
    })
}
