//! The open API's access tokens, made and revoked by an administrator on `/admin/tokens`.

use crate::error::AppError;
use crate::model::token::TokensPage;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::unit::Role;
#[cfg(feature = "ssr")]
use crate::ssr::{app_state, auth, form, tokens};

/// Where a token just made waits in the session until the tokens page shows it, once.
#[cfg(feature = "ssr")]
const NEW_TOKEN_KEY: &str = "new_api_token";

/// The tokens page: every token, the accounts, and a token just made (shown this once).
#[server(endpoint = "tokens")]
pub async fn get_tokens() -> Result<TokensPage, AppError> {
    form::answer(
        async {
            auth::require_role(&[Role::Administrator]).await?;
            let state = app_state()?;
            let session: tower_sessions::Session = leptos_axum::extract()
                .await
                .map_err(|_| AppError::Internal)?;
            let created: Option<String> = session
                .remove(NEW_TOKEN_KEY)
                .await
                .map_err(|_| AppError::Internal)?;
            Ok(TokensPage {
                tokens: tokens::list(&state.db, state.clock.now()).await?,
                accounts: tokens::accounts(&state.db).await?,
                created,
            })
        }
        .await,
    )
}

/// Makes a token for an account (administrator); the tokens page then shows it once.
#[server(endpoint = "create_token")]
pub async fn create_token(
    #[server(default)] user: String,
    #[server(default)] name: String,
    #[server(default)] days: String,
    #[server(default)] scopes: Vec<String>,
) -> Result<(), AppError> {
    let values = vec![
        ("user".to_string(), user.clone()),
        ("name".to_string(), name.clone()),
        ("days".to_string(), days.clone()),
    ];
    let result = async {
        let admin = auth::require_role(&[Role::Administrator]).await?;
        let state = app_state()?;
        let new = tokens::NewToken::parse(&user, &name, &scopes, &days)?;
        let (_, token) =
            tokens::create(&state.db, state.clock.now(), Some(&admin.user_id), &new).await?;
        let session: tower_sessions::Session = leptos_axum::extract()
            .await
            .map_err(|_| AppError::Internal)?;
        session
            .insert(NEW_TOKEN_KEY, token.written())
            .await
            .map_err(|_| AppError::Internal)?;
        Ok(())
    }
    .await;
    form::finish("token", values, result, Some("/admin/tokens".into())).await
}

/// Revokes a token (administrator); at once, for every call after.
#[server(endpoint = "revoke_token")]
pub async fn revoke_token(token: String) -> Result<(), AppError> {
    let result = async {
        let admin = auth::require_role(&[Role::Administrator]).await?;
        let state = app_state()?;
        tokens::revoke(&state.db, state.clock.now(), &admin.user_id, &token).await
    }
    .await;
    form::finish("revoke", vec![], result, None).await
}
