//! Server-only code (feature `ssr`): everything that touches the database, sessions or HTTP.
//!
//! - [`state`]: [`AppState`], what every request handler and server function can reach.
//! - [`db`]: connecting (SQLite by default, PostgreSQL by URL), migrations, ids and instants.
//! - [`session_store`]: tower-sessions records kept in the `web_session` table.
//! - [`auth`]: password hashing (argon2id), login with slow-down, the current user.
//! - [`audit`]: the audit trail, written in the same transaction as each change.
//! - [`access`]: the reporting chain ([`crate::domain::chain`]) applied to a logged-in user:
//!   loads the units it needs and asks the domain who receives and who oversees.
//! - [`attachments`]: the sealed paper copy of a filing version: upload, list, download.
//! - [`admin`]: creating units and accounts (admin pages, command line); a unit's dates, moves
//!   and the merge of a duplicate enterprise.
//! - [`units`], [`users`]: SQL for the unit hierarchy and accounts.
//! - [`table`]: tables as CSV and XLSX (a leaf).
//! - [`throttle`]: login throttling per name and per client address.
//! - [`tokens`]: the open API's personal access tokens: made, revoked, checked, calls recorded.
//! - [`export`]: the downloads: which table for whom.
//! - [`feeds`]: the open API's paged reads of units, filings and escalations a caller sees.
//! - [`filings`]: filings, versions, submission, late-filing exceptions.
//! - [`form`]: what a form post answers: a redirect with errors kept for the page (a form
//!   post), or a status code (an API call).
//! - [`registry`]: the enterprise registry as a file: check, import all or nothing, export.
//! - [`review`]: where filings go, the reviewer's queue, accept / return.
//! - [`scope`]: what a roll-up is about (city, county, department, township), who may see it.
//! - [`rollups`]: roll-ups with drill-down and trend, summaries filed upward, the city report.
//! - [`escalations`]: the escalation ladder (106号): proposals, issuing, replies, disclosure.
//! - [`seed`]: the demo data set.

pub mod access;
pub mod admin;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod counts;
pub mod db;
pub mod escalations;
pub mod export;
pub mod feeds;
pub mod filings;
pub mod form;
pub mod registry;
pub mod review;
pub mod rollups;
pub mod scope;
pub mod seed;
pub mod session_store;
pub mod state;
pub mod table;
pub mod throttle;
pub mod tokens;
pub mod units;
pub mod users;

pub use state::{app_state, AppState};
