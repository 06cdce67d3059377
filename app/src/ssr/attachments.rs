//! Attachments (issue 14): the sealed, signed paper copy of a filing version (单位（盖章）)
//! or of a reply to an escalation (the 第九条 rectification report), kept in the database (so
//! backups carry it), typed by its content, offered only as a download, and seen by exactly
//! those who may see the filing or the escalation. The rules a file must pass are here once
//! ([`checked`]); who may attach to a reply and who sees it is the escalation's
//! (`ssr::escalations`).

use crate::domain::attachment::{
    stored_name, AttachmentType, MAX_ATTACHMENT_BYTES, MAX_PER_VERSION,
};
use crate::domain::time::Clock;
use crate::error::AppError;
use crate::model::filing::AttachmentInfo;
use crate::model::UserView;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::db::{new_id, parse_instant, ts, Db};

/// Where an attached file's filing version is: (unit, period key, version).
pub struct Attached {
    pub period_key: String,
    pub version: i64,
}

/// Attaches `bytes` to the filing version `filing_id` of the user's own unit.
///
/// Guard: the count of the version's attachments is read inside the write transaction (on
/// SQLite the write turn serializes uploads; on PostgreSQL two racing uploads may both pass
/// at the limit, which only lets one more file in).
pub async fn attach(
    db: &Db,
    clock: &Clock,
    user: &UserView,
    filing_id: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<Attached, AppError> {
    let (unit_id, period_key, version): (String, String, i64) =
        sqlx::query_as("SELECT unit_id, period_key, version FROM filing WHERE filing_id = $1")
            .bind(filing_id)
            .fetch_optional(db)
            .await?
            .ok_or(AppError::NotFound)?;
    // The unit's own filer attaches its sealed copy; anyone else does not see the version.
    if crate::ssr::access::own_filing_unit(user).as_deref() != Some(unit_id.as_str()) {
        return Err(AppError::NotFound);
    }
    let file = checked(file_name, bytes)?;
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let id = store(
        &mut tx,
        Holder::Filing {
            filing_id,
            unit_id: &unit_id,
        },
        &file,
        &user.user_id,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        file.audit(&id, now, &user.user_id, "filing", filing_id),
    )
    .await?;
    tx.commit().await?;
    Ok(Attached {
        period_key,
        version,
    })
}

/// A file that passed the checks every attachment passes, ready to store.
pub struct CheckedFile<'a> {
    kind: AttachmentType,
    name: String,
    digest: String,
    bytes: &'a [u8],
}

/// The checks every attachment passes (`domain::attachment`): not empty, at most
/// [`MAX_ATTACHMENT_BYTES`], a PDF, PNG or JPEG by its content (never by its name); the
/// error is on the `file` field.
pub fn checked<'a>(file_name: &str, bytes: &'a [u8]) -> Result<CheckedFile<'a>, AppError> {
    use sha2::Digest;
    if bytes.is_empty() {
        return Err(AppError::field("file", "err.required"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::field("file", "err.attachment_size"));
    }
    let kind = AttachmentType::sniff(bytes)
        .ok_or_else(|| AppError::field("file", "err.attachment_type"))?;
    Ok(CheckedFile {
        kind,
        name: stored_name(file_name, kind),
        digest: format!("{:x}", sha2::Sha256::digest(bytes)),
        bytes,
    })
}

impl CheckedFile<'_> {
    /// The audit record of attaching it (`attachment.add`) to `subject`.
    pub fn audit<'e>(
        &self,
        attachment_id: &str,
        at: chrono::DateTime<chrono::Utc>,
        actor: &'e str,
        subject_kind: &'static str,
        subject_id: &'e str,
    ) -> AuditEntry<'e> {
        AuditEntry {
            at,
            actor: Some(actor),
            action: "attachment.add",
            subject_kind,
            subject_id,
            before: None,
            after: Some(serde_json::json!({
                "attachment_id": attachment_id,
                "file_name": self.name,
                "content_type": self.kind.content_type(),
                "size_bytes": self.bytes.len(),
                "sha256": self.digest,
            })),
        }
    }
}

/// What an attachment belongs to.
pub enum Holder<'a> {
    /// A filing version of a unit.
    Filing {
        filing_id: &'a str,
        unit_id: &'a str,
    },
    /// A reply or 第九条 report to an escalation.
    Response {
        response_id: &'a str,
        escalation_id: &'a str,
    },
}

/// Stores a checked file for `holder`, at most [`MAX_PER_VERSION`] per holder; the new
/// attachment's id.
///
/// Guard: the holder's count is read inside the caller's write transaction (on SQLite the
/// write turn serializes uploads; on PostgreSQL the caller locks what it attaches to, or two
/// racing uploads at the limit let one more file in).
pub async fn store(
    tx: &mut sqlx::AnyConnection,
    holder: Holder<'_>,
    file: &CheckedFile<'_>,
    user_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, AppError> {
    let (count_sql, insert_sql, key, owner) = match holder {
        Holder::Filing { filing_id, unit_id } => (
            "SELECT COUNT(*) FROM attachment WHERE filing_id = $1",
            "INSERT INTO attachment (attachment_id, filing_id, unit_id, file_name, content_type, size_bytes, sha256, content, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            filing_id,
            unit_id,
        ),
        Holder::Response {
            response_id,
            escalation_id,
        } => (
            "SELECT COUNT(*) FROM escalation_attachment WHERE escalation_response_id = $1",
            "INSERT INTO escalation_attachment (attachment_id, escalation_response_id, escalation_id, file_name, content_type, size_bytes, sha256, content, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            response_id,
            escalation_id,
        ),
    };
    let (count,): (i64,) = sqlx::query_as(count_sql)
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
    if count as usize >= MAX_PER_VERSION {
        return Err(AppError::field("file", "err.attachment_count"));
    }
    let id = new_id();
    sqlx::query(insert_sql)
        .bind(&id)
        .bind(key)
        .bind(owner)
        .bind(&file.name)
        .bind(file.kind.content_type())
        .bind(file.bytes.len() as i64)
        .bind(&file.digest)
        .bind(file.bytes.to_vec())
        .bind(user_id)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct InfoLine {
    attachment_id: String,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    uploaded_at: String,
    uploaded_by: Option<String>,
}

/// The attachments of a filing version, oldest first (without their content).
pub async fn list(db: &Db, filing_id: &str) -> Result<Vec<AttachmentInfo>, AppError> {
    let lines: Vec<(String, InfoLine)> =
        lines_of(db, "attachment", "filing_id", &[filing_id.to_string()]).await?;
    lines.into_iter().map(|(_, l)| l.info()).collect()
}

/// The attachments of escalation replies, oldest first, by reply id.
pub async fn list_for_responses(
    db: &Db,
    response_ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<AttachmentInfo>>, AppError> {
    let mut out: std::collections::HashMap<String, Vec<AttachmentInfo>> = Default::default();
    if response_ids.is_empty() {
        return Ok(out);
    }
    for (response, line) in lines_of(
        db,
        "escalation_attachment",
        "escalation_response_id",
        response_ids,
    )
    .await?
    {
        out.entry(response).or_default().push(line.info()?);
    }
    Ok(out)
}

/// The listing lines of `table` whose `holder` column is one of `ids`, with that column.
async fn lines_of(
    db: &Db,
    table: &'static str,
    holder: &'static str,
    ids: &[String],
) -> Result<Vec<(String, InfoLine)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Held {
        holder: String,
        #[sqlx(flatten)]
        line: InfoLine,
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT a.{holder} AS holder, a.attachment_id, a.file_name, a.content_type, a.size_bytes, a.uploaded_at, u.display_name AS uploaded_by \
         FROM {table} a LEFT JOIN app_user u ON u.user_id = a.uploaded_by WHERE a.{holder} IN ({}) ORDER BY a.uploaded_at, a.attachment_id",
        marks.join(", ")
    );
    let mut q = sqlx::query_as::<_, Held>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(db)
        .await?
        .into_iter()
        .map(|h| (h.holder, h.line))
        .collect())
}

impl InfoLine {
    fn info(self) -> Result<AttachmentInfo, AppError> {
        Ok(AttachmentInfo {
            uploaded_at: parse_instant("uploaded_at", &self.uploaded_at)?,
            attachment_id: self.attachment_id,
            file_name: self.file_name,
            content_type: self.content_type,
            size_bytes: self.size_bytes,
            uploaded_by: self.uploaded_by,
        })
    }
}

/// A file to send: its type, its name, its bytes.
pub struct Download {
    pub kind: AttachmentType,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The attachment, for `user` if they may see its filing (the unit's own filer, or those who
/// oversee the unit); to anyone else it does not exist (`NotFound`).
pub async fn fetch(db: &Db, user: &UserView, attachment_id: &str) -> Result<Download, AppError> {
    // Who may see it first: the file is read only for them.
    let unit_id: String =
        sqlx::query_scalar("SELECT unit_id FROM attachment WHERE attachment_id = $1")
            .bind(attachment_id)
            .fetch_optional(db)
            .await?
            .ok_or(AppError::NotFound)?;
    let own = crate::ssr::access::own_filing_unit(user).as_deref() == Some(unit_id.as_str());
    if !own && !crate::ssr::access::can_supervise(db, user, &unit_id).await? {
        return Err(AppError::NotFound);
    }
    download(db, "attachment", attachment_id).await
}

/// The escalation an escalation reply's attachment belongs to, if it is one.
pub async fn escalation_of(db: &Db, attachment_id: &str) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT escalation_id FROM escalation_attachment WHERE attachment_id = $1",
    )
    .bind(attachment_id)
    .fetch_optional(db)
    .await?)
}

/// An escalation reply's attachment, for a caller that checked who may see the escalation
/// ([`escalation_of`] first).
pub async fn escalation_download(db: &Db, attachment_id: &str) -> Result<Download, AppError> {
    download(db, "escalation_attachment", attachment_id).await
}

async fn download(db: &Db, table: &'static str, attachment_id: &str) -> Result<Download, AppError> {
    let (file_name, content_type, bytes): (String, String, Vec<u8>) = sqlx::query_as(&format!(
        "SELECT file_name, content_type, content FROM {table} WHERE attachment_id = $1"
    ))
    .bind(attachment_id)
    .fetch_optional(db)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Download {
        kind: AttachmentType::parse_content_type(&content_type).ok_or(AppError::Internal)?,
        file_name,
        bytes,
    })
}
