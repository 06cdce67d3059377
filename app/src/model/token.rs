//! The open API's access tokens as the administrator's page shows them.

use crate::domain::token::{ApiScope, TokenState};
use serde::{Deserialize, Serialize};

/// A token as listed (never its secret, which is shown once, when made).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenRow {
    pub token_id: String,
    pub name: String,
    pub scopes: Vec<ApiScope>,
    pub username: String,
    pub display_name: String,
    pub unit_name: String,
    /// Kunming times.
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
    pub state: TokenState,
}

/// The tokens page: the tokens, the accounts one may be made for, and a token just made
/// (its written form, shown this once).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokensPage {
    pub tokens: Vec<TokenRow>,
    pub accounts: Vec<(String, String)>,
    pub created: Option<String>,
}
