//! Attachments (issue 14): the sealed, signed paper copy of a filing (the forms' 单位（盖章）)
//! or of a reply to an escalation (the 第九条 rectification report), scanned as PDF or as an
//! image. What a file is comes from its first bytes, never from its
//! name: an HTML page named `.pdf` is not a PDF.

/// The largest attachment, in bytes (a scanned page at 300 dpi is well under 2 MB).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// The most attachments one filing version (or one escalation reply) may have.
pub const MAX_PER_VERSION: usize = 10;

/// The kinds of file taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachmentType {
    Pdf,
    Png,
    Jpeg,
}

impl AttachmentType {
    /// The type the content is, by its signature (PDF 1.7 §7.5.2 `%PDF-`; PNG's eight-byte
    /// signature; JPEG's SOI marker and the first marker after it), or `None`.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(AttachmentType::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(AttachmentType::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(AttachmentType::Jpeg)
        } else {
            None
        }
    }

    /// The media type it is served as.
    pub fn content_type(self) -> &'static str {
        match self {
            AttachmentType::Pdf => "application/pdf",
            AttachmentType::Png => "image/png",
            AttachmentType::Jpeg => "image/jpeg",
        }
    }

    pub fn parse_content_type(s: &str) -> Option<Self> {
        [
            AttachmentType::Pdf,
            AttachmentType::Png,
            AttachmentType::Jpeg,
        ]
        .into_iter()
        .find(|t| t.content_type() == s)
    }

    fn extension(self) -> &'static str {
        match self {
            AttachmentType::Pdf => "pdf",
            AttachmentType::Png => "png",
            AttachmentType::Jpeg => "jpg",
        }
    }
}

/// The name a file is kept and offered under: the uploaded name without any path, control
/// or quoting characters, at most 80 characters, with the extension of what it is.
pub fn stored_name(uploaded: &str, kind: AttachmentType) -> String {
    let base = uploaded.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = match base.rsplit_once('.') {
        Some((stem, _)) => stem,
        None => base,
    };
    let clean: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';' | '<' | '>' | '%'))
        .take(80)
        .collect();
    let clean = clean.trim();
    let stem = if clean.is_empty() {
        "盖章扫描件"
    } else {
        clean
    };
    format!("{stem}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_is_what_the_content_is_not_what_the_name_says() {
        assert_eq!(
            AttachmentType::sniff(b"%PDF-1.7\n..."),
            Some(AttachmentType::Pdf)
        );
        assert_eq!(
            AttachmentType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(AttachmentType::Png)
        );
        assert_eq!(
            AttachmentType::sniff(&[0xff, 0xd8, 0xff, 0xe0]),
            Some(AttachmentType::Jpeg)
        );
        assert_eq!(
            AttachmentType::sniff(b"<html><script>alert(1)</script>"),
            None
        );
        assert_eq!(AttachmentType::sniff(b" %PDF-1.7"), None);
        assert_eq!(AttachmentType::sniff(b""), None);
    }

    #[test]
    fn a_stored_name_has_no_path_or_quotes_and_the_real_extension() {
        assert_eq!(
            stored_name("C:\\Users\\x\\盖章件.PDF", AttachmentType::Pdf),
            "盖章件.pdf"
        );
        assert_eq!(
            stored_name("../../etc/\"evil\";.html", AttachmentType::Png),
            "evil.png"
        );
        assert_eq!(stored_name("", AttachmentType::Jpeg), "盖章扫描件.jpg");
        assert_eq!(
            stored_name(&"长".repeat(200), AttachmentType::Pdf)
                .chars()
                .count(),
            84
        );
    }
}
