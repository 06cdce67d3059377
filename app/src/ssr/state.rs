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
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, inside a server function or a server-side render.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        let path = use_context::<axum::http::request::Parts>().map(|p| p.uri.to_string());
        tracing::error!(?path, "AppState is not in the reactive context");
        AppError::Internal
    })
}
