//! Limits on what a request may carry: one table for the size of every free-text field the
//! app stores, used by every parser on the server and as `maxlength` in the pages, and the
//! bounds on a request body that the server enforces before reading it.

use super::validation::FieldErrors;

/// The largest request body read, in bytes (a full filing of nine forms with every
/// explanation at its limit is under 400 KB). A larger one is refused before it is read.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The largest registry file uploaded on the registry page, in bytes (100,000 enterprises
/// are about 15 MB as CSV, less as XLSX). Only `/registry/upload` takes a body this large.
pub const MAX_UPLOAD_BYTES: usize = 40 * 1024 * 1024;

/// The most fields a posted form may have (the nine forms have about 130).
pub const MAX_FIELDS: usize = 1000;

/// A free-text field the app stores, with its maximum length in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    /// A person named in a filing's frame (主要负责人, 分管领导, 填表人, 审核人).
    PersonName,
    /// 联系电话.
    Phone,
    /// The explanation of an unmet row (不落实 的说明).
    Explanation,
    /// A form's 申报说明.
    Note,
    /// Why a reviewer returns a filing.
    ReturnReason,
    /// Why a late-filing exception (补报) is granted.
    ExceptionReason,
    /// The remarks of a summary filed upward.
    Remarks,
    /// The reasons of an escalation document (106号).
    EscalationReasons,
    /// The measures an escalation document asks for.
    Measures,
    /// Why a proposal is dismissed or an escalation closed.
    StaffReason,
    /// A reply or a 第九条 rectification report.
    ReplyBody,
    /// The issuer's note on a reply.
    DecisionNote,
    /// What happened in an accident.
    AccidentDescription,
    /// A unit's name.
    UnitName,
    /// An enterprise's address.
    Address,
    /// An account's login name.
    Username,
    /// An account's or a legal representative's name.
    DisplayName,
    /// A password (bounded so that hashing stays cheap).
    Password,
    /// A search box or filter value.
    Search,
}

impl Text {
    /// The most characters the field may hold.
    pub const fn max_chars(self) -> usize {
        match self {
            Text::PersonName | Text::Username | Text::DisplayName => 50,
            Text::Phone => 30,
            Text::Explanation | Text::Note | Text::Remarks | Text::AccidentDescription => 2000,
            Text::ReturnReason | Text::ExceptionReason | Text::StaffReason => 500,
            Text::EscalationReasons | Text::Measures => 4000,
            Text::ReplyBody => 8000,
            Text::DecisionNote => 1000,
            Text::UnitName => 100,
            Text::Address => 200,
            Text::Password => 128,
            Text::Search => 100,
        }
    }

    /// [`Text::max_chars`] as `validator`'s length attributes take it.
    pub const fn max_len(self) -> u64 {
        self.max_chars() as u64
    }

    /// Whether `value` fits.
    pub fn fits(self, value: &str) -> bool {
        value.chars().count() <= self.max_chars()
    }

    /// Adds `err.too_long` for `field` when `value` does not fit.
    pub fn check(self, errors: &mut FieldErrors, field: &str, value: &str) {
        if !self.fits(value) {
            errors.add(field, "err.too_long");
        }
    }

    /// `value` if it fits, else the field error `err.too_long`.
    pub fn checked<'a>(self, field: &str, value: &'a str) -> Result<&'a str, FieldErrors> {
        let mut errors = FieldErrors::new();
        self.check(&mut errors, field, value);
        if errors.is_empty() {
            Ok(value)
        } else {
            Err(errors)
        }
    }
}

/// Checks several fields at once: `(limit, field, value)`.
pub fn check_texts(fields: &[(Text, &str, &str)]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (limit, field, value) in fields {
        limit.check(&mut errors, field, value);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_at_the_limit_fits_and_one_more_character_does_not() {
        let at = "安".repeat(Text::ReturnReason.max_chars());
        assert!(
            Text::ReturnReason.fits(&at),
            "the limit counts characters, not bytes"
        );
        let over = format!("{at}x");
        let mut errors = FieldErrors::new();
        Text::ReturnReason.check(&mut errors, "reason", &over);
        assert_eq!(errors.get("reason"), Some("err.too_long"));
    }

    #[test]
    fn a_full_filing_fits_well_inside_the_body_limit() {
        // About 130 fields, every explanation and note at its limit in 3-byte characters,
        // percent-encoded (9 bytes a character).
        let worst = 130 * Text::Explanation.max_chars() * 9;
        assert!(worst < MAX_BODY_BYTES, "{worst} bytes");
    }
}
