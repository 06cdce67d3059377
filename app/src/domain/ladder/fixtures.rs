//! What the ladder's unit tests share: the text of 106号, dates and instants, an open
//! escalation, the evidence of an unmet row.

use super::{Evidence, OpenEscalation, Rung};
use crate::domain::time::parse_instant;
use chrono::{DateTime, NaiveDate, Utc};

const SOURCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../docs/kunming-2010-zero-report.zh.md"
));

/// The text of one article of 106号, from its number to the next article.
pub(super) fn article_text(article: &str) -> &'static str {
    let start = SOURCE
        .find(&format!("\n{article} "))
        .expect("article in the source");
    let rest = &SOURCE[start + 1..];
    let end = rest[article.len()..]
        .find("\n第")
        .map_or(rest.len(), |i| i + article.len());
    &rest[..end]
}

pub(super) fn d(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

pub(super) fn at(s: &str) -> DateTime<Utc> {
    parse_instant(s).expect("an instant")
}

pub(super) fn escalation(number: &str, rung: Rung, issued_on: &str) -> OpenEscalation {
    OpenEscalation {
        number: number.into(),
        rung,
        issued_on: d(issued_on),
        acknowledged: true,
        responded: false,
        rectification_due: None,
        report_accepted: false,
        evidence_keys: Vec::new(),
    }
}

pub(super) fn row(id: &str) -> Evidence {
    Evidence::UnmetRow {
        row_id: id.into(),
        explanation: format!("{id} 的说明"),
    }
}

pub(super) fn persistent(id: &str) -> Evidence {
    Evidence::PersistentFailing {
        row_id: id.into(),
        since_period_key: "2026-H1".into(),
        explanation: format!("{id} 的说明"),
    }
}
