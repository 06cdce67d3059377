//! Personal access tokens of the open API (issue 14): what a token may do (its scopes), how
//! long it lives, and how it is written.
//!
//! A token belongs to one account and acts as that account: it sees exactly the units,
//! filings, roll-ups and escalations the account's pages show (the reporting chain of 107号
//! 四、(二)), and within that only what its scopes name.
//!
//! Written form: `nft_<id>_<secret>`: the id (32 hex digits) finds the token, the secret
//! (64 hex digits, 256 random bits) proves it. Only a hash of the secret is kept.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What a token may do. Each API operation needs one scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiScope {
    /// Read units (the registry) within the account's subtree.
    UnitsRead,
    /// Import the enterprise registry (a CSV or XLSX file), as the registry page does.
    UnitsImport,
    /// Read filing periods and their windows, and filings within the subtree.
    FilingsRead,
    /// Submit the account's own unit's filing.
    FilingsSubmit,
    /// Read roll-ups (汇总) the account may open.
    RollupsRead,
    /// Read escalations (106号) the account may see.
    EscalationsRead,
}

impl ApiScope {
    pub const ALL: [ApiScope; 6] = [
        ApiScope::UnitsRead,
        ApiScope::UnitsImport,
        ApiScope::FilingsRead,
        ApiScope::FilingsSubmit,
        ApiScope::RollupsRead,
        ApiScope::EscalationsRead,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ApiScope::UnitsRead => "units:read",
            ApiScope::UnitsImport => "units:import",
            ApiScope::FilingsRead => "filings:read",
            ApiScope::FilingsSubmit => "filings:submit",
            ApiScope::RollupsRead => "rollups:read",
            ApiScope::EscalationsRead => "escalations:read",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ApiScope::UnitsRead => "读取单位名录",
            ApiScope::UnitsImport => "导入企业名录",
            ApiScope::FilingsRead => "读取申报期与零申报表",
            ApiScope::FilingsSubmit => "提交本单位零申报表",
            ApiScope::RollupsRead => "读取汇总",
            ApiScope::EscalationsRead => "读取预警措施",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ApiScope::UnitsRead => "read the unit registry",
            ApiScope::UnitsImport => "import the enterprise registry",
            ApiScope::FilingsRead => "read periods and filings",
            ApiScope::FilingsSubmit => "submit the unit's own filing",
            ApiScope::RollupsRead => "read roll-ups",
            ApiScope::EscalationsRead => "read escalations",
        }
    }
}

/// Scopes as stored: space-separated codes, in a fixed order, each once.
pub fn scopes_text(scopes: &[ApiScope]) -> String {
    let mut s: Vec<ApiScope> = scopes.to_vec();
    s.sort();
    s.dedup();
    s.iter().map(|s| s.code()).collect::<Vec<_>>().join(" ")
}

/// Scopes as stored, read back (unknown codes, from a later version, are skipped).
pub fn parse_scopes(text: &str) -> Vec<ApiScope> {
    text.split_whitespace()
        .filter_map(ApiScope::parse)
        .collect()
}

/// The shortest and longest life of a token, in days.
pub const MIN_DAYS: i64 = 1;
pub const MAX_DAYS: i64 = 366;

/// When a token created at `now` to live `days` expires, if `days` is allowed.
pub fn expiry(now: DateTime<Utc>, days: i64) -> Option<DateTime<Utc>> {
    (MIN_DAYS..=MAX_DAYS)
        .contains(&days)
        .then(|| now + Duration::days(days))
}

/// A token's standing at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    pub fn at(now: DateTime<Utc>, expires_at: DateTime<Utc>, revoked: bool) -> Self {
        if revoked {
            TokenState::Revoked
        } else if now >= expires_at {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }
}

const PREFIX: &str = "nft_";

/// A token as presented: its id and its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenText {
    pub id: String,
    pub secret: String,
}

impl TokenText {
    /// Reads `nft_<32 hex>_<64 hex>`; anything else is no token.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix(PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
        (hex(id, 32) && hex(secret, 64)).then(|| TokenText {
            id: id.to_ascii_lowercase(),
            secret: secret.to_ascii_lowercase(),
        })
    }

    /// The written form, as handed to its holder once.
    pub fn written(&self) -> String {
        format!("{PREFIX}{}_{}", self.id, self.secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn scopes_round_trip_in_a_fixed_order() {
        let text = scopes_text(&[
            ApiScope::RollupsRead,
            ApiScope::UnitsRead,
            ApiScope::UnitsRead,
        ]);
        assert_eq!(text, "units:read rollups:read");
        assert_eq!(
            parse_scopes(&text),
            vec![ApiScope::UnitsRead, ApiScope::RollupsRead]
        );
        assert_eq!(
            parse_scopes("units:read admin:all"),
            vec![ApiScope::UnitsRead]
        );
    }

    #[test]
    fn a_token_lives_one_day_to_a_year() {
        let now = at("2027-01-05T10:00:00+08:00");
        assert_eq!(expiry(now, 0), None);
        assert_eq!(expiry(now, 367), None);
        assert_eq!(expiry(now, 1), Some(now + Duration::days(1)));
        let until = expiry(now, 30).unwrap();
        assert_eq!(TokenState::at(now, until, false), TokenState::Active);
        assert_eq!(TokenState::at(until, until, false), TokenState::Expired);
        assert_eq!(TokenState::at(now, until, true), TokenState::Revoked);
    }

    #[test]
    fn only_the_written_form_is_a_token() {
        let t = TokenText {
            id: "a".repeat(32),
            secret: "b".repeat(64),
        };
        assert_eq!(TokenText::parse(&t.written()), Some(t.clone()));
        assert_eq!(TokenText::parse(&t.written().to_uppercase()), None);
        assert_eq!(
            TokenText::parse(&format!("nft_{}_{}", "a".repeat(32), "b".repeat(63))),
            None
        );
        assert_eq!(
            TokenText::parse(&format!("nft_{}_{}", "g".repeat(32), "b".repeat(64))),
            None
        );
        assert_eq!(TokenText::parse(""), None);
        assert_eq!(TokenText::parse("Bearer x"), None);
    }
}
