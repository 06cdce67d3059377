//! Tables as CSV and XLSX, with Chinese headers: what every export writes. A leaf: the
//! modules that build tables (review, roll-ups) use it, and [`crate::ssr::export`] serves them.
//!
//! CSV is RFC 4180 with a UTF-8 byte-order mark, so that spreadsheet programs on office PCs
//! open the Chinese text correctly; XLSX is written by `rust_xlsxwriter`.

use crate::error::AppError;

/// A table to export: a sheet name, headers and rows of text.
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn csv_field(s: &str) -> String {
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
            match v.parse::<f64>() {
                Ok(n) if !v.is_empty() && !v.starts_with('0') || v == "0" => {
                    sheet.write_number(r, c, n).map_err(fail)?
                }
                _ => sheet.write_string(r, c, v).map_err(fail)?,
            };
        }
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

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
