//! Attachments of filing versions (issue 14): the sealed, signed paper copy (单位（盖章）),
//! kept in the database (so backups carry it), typed by its content, offered only as a
//! download, and seen by exactly those who may see the filing.

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
    use sha2::Digest;
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
    if bytes.is_empty() {
        return Err(AppError::field("file", "err.required"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::field("file", "err.attachment_size"));
    }
    let kind = AttachmentType::sniff(bytes)
        .ok_or_else(|| AppError::field("file", "err.attachment_type"))?;
    let now = clock.now();
    let id = new_id();
    let name = stored_name(file_name, kind);
    let digest = format!("{:x}", sha2::Sha256::digest(bytes));
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM attachment WHERE filing_id = $1")
        .bind(filing_id)
        .fetch_one(&mut *tx)
        .await?;
    if count as usize >= MAX_PER_VERSION {
        return Err(AppError::field("file", "err.attachment_count"));
    }
    sqlx::query(
        "INSERT INTO attachment (attachment_id, filing_id, unit_id, file_name, content_type, size_bytes, sha256, content, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(filing_id)
    .bind(&unit_id)
    .bind(&name)
    .bind(kind.content_type())
    .bind(bytes.len() as i64)
    .bind(&digest)
    .bind(bytes.to_vec())
    .bind(&user.user_id)
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(&user.user_id),
            action: "attachment.add",
            subject_kind: "filing",
            subject_id: filing_id,
            before: None,
            after: Some(serde_json::json!({
                "attachment_id": id,
                "file_name": name,
                "content_type": kind.content_type(),
                "size_bytes": bytes.len(),
                "sha256": digest,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Attached {
        period_key,
        version,
    })
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
    let lines: Vec<InfoLine> = sqlx::query_as(
        "SELECT a.attachment_id, a.file_name, a.content_type, a.size_bytes, a.uploaded_at, u.display_name AS uploaded_by \
         FROM attachment a LEFT JOIN app_user u ON u.user_id = a.uploaded_by WHERE a.filing_id = $1 ORDER BY a.uploaded_at, a.attachment_id",
    )
    .bind(filing_id)
    .fetch_all(db)
    .await?;
    lines
        .into_iter()
        .map(|l| {
            Ok(AttachmentInfo {
                uploaded_at: parse_instant("uploaded_at", &l.uploaded_at)?,
                attachment_id: l.attachment_id,
                file_name: l.file_name,
                content_type: l.content_type,
                size_bytes: l.size_bytes,
                uploaded_by: l.uploaded_by,
            })
        })
        .collect()
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
    let (file_name, content_type, bytes): (String, String, Vec<u8>) = sqlx::query_as(
        "SELECT file_name, content_type, content FROM attachment WHERE attachment_id = $1",
    )
    .bind(attachment_id)
    .fetch_one(db)
    .await?;
    Ok(Download {
        kind: AttachmentType::parse_content_type(&content_type).ok_or(AppError::Internal)?,
        file_name,
        bytes,
    })
}
