//! The number printed on an escalation document (发文字号, GB/T 9704-2012 7.2.4), and the
//! year it carries (Kunming).

use super::Rung;
use crate::domain::time::kunming_date;
use chrono::{DateTime, Datelike, Utc};

/// The number of an escalation document: `{issuer_short}{word}〔{year}〕{seq}号`, e.g.
/// `五华区安委办告诫〔2027〕3号`.
///
/// The shape of 发文字号 in GB/T 9704-2012 7.2.4 (机关代字, the year in full in 〔〕, the sequence
/// number without 第 and without leading zeros, then 号), with the rung's
/// [`Rung::document_word`] after the issuer's short name so each kind of document has its own
/// series. `seq` counts from 1 per issuer, per rung, per year of issue (Kunming).
pub fn document_number(issuer_short: &str, year: i32, rung: Rung, seq: u32) -> String {
    format!(
        "{}{}〔{year}〕{seq}号",
        issuer_short.trim(),
        rung.document_word()
    )
}

/// The year of an escalation issued at `at`, for its [`document_number`]: the Kunming calendar
/// year (an instant on 31 December after 16:00 UTC is already the next year in Kunming).
pub fn document_year(at: DateTime<Utc>) -> i32 {
    kunming_date(at).year()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ladder::fixtures::at;

    #[test]
    fn document_numbers_follow_gb_t_9704_with_the_rungs_word() {
        assert_eq!(
            document_number("五华区安委办", 2027, Rung::Admonition, 3),
            "五华区安委办告诫〔2027〕3号"
        );
        assert_eq!(
            document_number(" 昆安委办 ", 2027, Rung::Prompt, 1),
            "昆安委办提示〔2027〕1号",
            "no leading zero, no 第, the short name trimmed"
        );
        assert_eq!(
            document_number("昆安委办", 2028, Rung::Disclosure, 12),
            "昆安委办通报〔2028〕12号"
        );
    }

    #[test]
    fn the_document_year_is_the_kunming_year() {
        assert_eq!(document_year(at("2027-12-31T15:59:59Z")), 2027);
        assert_eq!(document_year(at("2027-12-31T16:00:00Z")), 2028);
    }
}
