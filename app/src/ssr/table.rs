//! Tables as CSV and XLSX, with Chinese headers: what every export writes. A leaf: the
//! modules that build tables (review, roll-ups) use it, and [`crate::ssr::export`] serves them.
//!
//! CSV is RFC 4180 with a UTF-8 byte-order mark, so that spreadsheet programs on office PCs
//! open the Chinese text correctly; XLSX is written by `rust_xlsxwriter`.
//!
//! Exports are inert: office staff open them in Excel or WPS, which run a cell that starts
//! with `=`, `+`, `-` or `@` (or tab / CR before one) as a formula. In CSV such text gets a
//! leading `'` ([`inert`]); in XLSX all text is written as a string cell, never a formula,
//! and only a plain decimal number as a number.

use crate::error::AppError;

/// A table to export: a sheet name, headers and rows of text.
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A plain decimal number (`12`, `-3`, `0.25`): shown as a number, never run as a formula.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && whole.len() <= 15
        && whole.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Text a spreadsheet would run as a formula, made inert with a leading `'` (OWASP's advice
/// for CSV injection); other text and plain numbers are unchanged.
pub fn inert(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn csv_field(s: &str) -> String {
    let s = inert(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A filing's status in the exports' Chinese; no filing is 未报.
pub fn status_zh(s: Option<crate::domain::filing::FilingStatus>) -> &'static str {
    use crate::domain::filing::FilingStatus::*;
    match s {
        None => "未报",
        Some(Draft) => "草稿",
        Some(Submitted) => "已提交",
        Some(Returned) => "已退回",
        Some(Accepted) => "已受理",
    }
}

/// The table as CSV (with a byte-order mark).
pub fn to_csv(table: &Table) -> String {
    let mut out = String::from("\u{feff}");
    for line in std::iter::once(&table.headers).chain(table.rows.iter()) {
        out.push_str(
            &line
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

/// The table as an XLSX workbook with one sheet, numbers written as numbers.
pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %e, "xlsx export failed");
        AppError::Internal
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(&table.name).map_err(fail)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in table.headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &bold)
            .map_err(fail)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            let number = (is_plain_number(v)
                && !(v.len() > 1 && v.starts_with('0') && !v.starts_with("0.")))
            .then(|| v.parse::<f64>().ok())
            .flatten();
            match number {
                Some(n) => sheet.write_number(r, c, n).map_err(fail)?,
                // A string cell: Excel shows it as typed and runs nothing.
                None => sheet.write_string(r, c, v).map_err(fail)?,
            };
        }
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_made_inert_and_plain_numbers_are_kept() {
        for risky in [
            "=1+1",
            "+cmd",
            "-2+3",
            "@SUM(A1)",
            "\t=x",
            "\r=x",
            "=HYPERLINK(\"x\")",
        ] {
            assert_eq!(inert(risky), format!("'{risky}"), "{risky:?} must not run");
        }
        for kept in ["-3", "12", "0.25", "+4", "安全", "a=b"] {
            assert_eq!(inert(kept), kept);
        }
        let t = Table {
            name: "x".into(),
            headers: vec!["说明".into()],
            rows: vec![vec!["=cmd|' /C calc'!A0".into()]],
        };
        assert!(to_csv(&t).contains("'=cmd"));
    }

    #[test]
    fn words_that_parse_as_floats_stay_text_in_xlsx() {
        let t = Table {
            name: "x".into(),
            headers: vec!["a".into()],
            rows: vec![vec!["NaN".into()], vec!["inf".into()], vec!["=1+1".into()]],
        };
        assert!(to_xlsx(&t).is_ok());
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_starts_with_a_bom() {
        let t = Table {
            name: "x".into(),
            headers: vec!["单位".into(), "说明".into()],
            rows: vec![vec!["甲,乙".into(), "他说\"好\"".into()]],
        };
        assert_eq!(
            to_csv(&t),
            "\u{feff}单位,说明\r\n\"甲,乙\",\"他说\"\"好\"\"\"\r\n"
        );
    }
}
