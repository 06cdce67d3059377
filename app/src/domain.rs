//! The pure domain core: the rules of 昆政办〔2010〕107号 and 106号 as plain Rust.
//!
//! Nothing in here knows about Leptos, axum or sqlx; it compiles for the browser and
//! the server alike, so a rule checked on one side is checked the same on the other.
//!
//! - [`attachment`]: attachments (the sealed paper copy): types by content, sizes, names.
//! - [`time`]: Kunming time, the app clock (real or fixed for drills).
//! - [`period`]: filing periods (annual, half-year) and their windows (107号 四、(一)).
//! - [`chain`]: the reporting chain (107号 四、(二)): who files to whom, who oversees whom,
//!   who enters a unit's filing from paper (代填), what a roll-up's scope contains, who may
//!   open it.
//! - [`lifecycle`]: a unit's opening and closing dates, and the periods it is expected to
//!   file for (107号 三、(二), 四、(一)); where a moved enterprise's periods stay, and the
//!   closing of a duplicate enterprise merged into another.
//! - [`unit`]: kinds of unit in the reporting chain, roles, industries, county-level areas.
//! - [`filing`]: a filing's content, what a draft and a submission need, progress, the date
//!   of a paper filing entered on the unit's behalf (代填).
//! - [`registry`]: the enterprise registry as a table: template columns, credit codes, rows.
//! - [`review`]: the receiving unit's decision on a filing (accept, return, untrue).
//! - [`rollup`]: roll-ups (汇总) of a period's filings over the units below an office.
//! - [`token`]: personal access tokens of the open API: scopes, life, written form.
//! - [`validation`]: per-field errors.
//! - [`limits`]: the size of every free-text field, of a request body, of a form.
//! - [`forms`]: the nine nil-filing forms word for word, who answers which row, nil logic (107号 五).
//! - [`ladder`]: the escalation ladder of 106号 (提示、告知、告诫、公开、专报): who may issue to
//!   whom, what the facts call for, the 15 days of 第九条, document numbers, reminders.

pub mod attachment;
pub mod chain;
pub mod filing;
pub mod forms;
pub mod ladder;
pub mod lifecycle;
pub mod limits;
pub mod period;
pub mod registry;
pub mod review;
pub mod rollup;
pub mod time;
pub mod token;
pub mod unit;
pub mod validation;
