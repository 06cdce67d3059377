//! SQL and transactions for filings, versions and late-filing exceptions.
//!
//! Every write runs in one transaction with its audit record. Submission is a single
//! conditional UPDATE (`… WHERE status = 'draft'`), so two submissions at once (two tabs, a
//! double click, a retry) produce exactly one submitted filing.

use crate::domain::filing::{self, check_submit, FilingContent, FilingStatus, Frame, PaperDate};
use crate::domain::forms::{Answer, BindingKind};
use crate::domain::period::Period;
use crate::domain::time::{kunming_date, Clock};
use crate::error::AppError;
use crate::ssr::audit::{self, AuditEntry};
use crate::ssr::db::{new_id, ts, Db};
use chrono::{DateTime, NaiveDate, Utc};

pub use crate::model::filing::FilingRecord;
use sqlx::AnyConnection;

/// A stored instant (RFC 3339 text written by [`ts`]), decoded where the row is read.
struct Stamp(DateTime<Utc>);

impl TryFrom<String> for Stamp {
    type Error = sqlx::Error;

    fn try_from(text: String) -> Result<Self, sqlx::Error> {
        crate::ssr::db::parse_instant("instant", &text).map(Stamp)
    }
}

/// A stored instant that may be missing.
struct MaybeStamp(Option<DateTime<Utc>>);

impl TryFrom<Option<String>> for MaybeStamp {
    type Error = sqlx::Error;

    fn try_from(text: Option<String>) -> Result<Self, sqlx::Error> {
        text.map(Stamp::try_from)
            .transpose()
            .map(|s| MaybeStamp(s.map(|s| s.0)))
    }
}

/// A stored Kunming date (`2027-01-05`) that may be missing.
struct MaybeDate(Option<NaiveDate>);

impl TryFrom<Option<String>> for MaybeDate {
    type Error = String;

    fn try_from(text: Option<String>) -> Result<Self, String> {
        text.map(|t| {
            NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| format!("not a date: {t}"))
        })
        .transpose()
        .map(MaybeDate)
    }
}

/// A stored 0/1 flag.
fn flag(n: i64) -> bool {
    n == 1
}

/// A row of `filing` as [`RECORD_SELECT`] reads it.
#[derive(sqlx::FromRow)]
struct FilingRow {
    filing_id: String,
    unit_id: String,
    period_key: String,
    version: i64,
    #[sqlx(try_from = "String")]
    status: FilingStatus,
    late: i64,
    #[sqlx(try_from = "Option<String>")]
    filing_date: MaybeDate,
    nil: Option<i64>,
    #[sqlx(try_from = "String")]
    updated_at: Stamp,
    #[sqlx(try_from = "Option<String>")]
    submitted_at: MaybeStamp,
    #[sqlx(try_from = "Option<String>")]
    paper_date: MaybeDate,
    entered_by_name: Option<String>,
}

impl From<FilingRow> for FilingRecord {
    fn from(r: FilingRow) -> Self {
        FilingRecord {
            filing_id: r.filing_id,
            unit_id: r.unit_id,
            period_key: r.period_key,
            version: r.version,
            status: r.status,
            late: flag(r.late),
            filing_date: r.filing_date.0,
            nil: r.nil.map(flag),
            updated_at: r.updated_at.0,
            submitted_at: r.submitted_at.0,
            paper_date: r.paper_date.0,
            entered_by: r.entered_by_name,
        }
    }
}

const RECORD_SELECT: &str =
    "SELECT filing_id, unit_id, period_key, version, status, late, filing_date, nil, updated_at, submitted_at, paper_date, \
     (SELECT display_name FROM app_user WHERE user_id = filing.entered_by) AS entered_by_name FROM filing";

/// All versions of a unit's filing for a period, newest first.
#[tracing::instrument(skip(db))]
pub async fn versions(
    db: &Db,
    unit_id: &str,
    period: Period,
) -> Result<Vec<FilingRecord>, sqlx::Error> {
    let rows: Vec<FilingRow> = sqlx::query_as(&format!(
        "{RECORD_SELECT} WHERE unit_id = $1 AND period_key = $2 ORDER BY version DESC"
    ))
    .bind(unit_id)
    .bind(period.key())
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(FilingRecord::from).collect())
}

#[tracing::instrument(skip(tx))]
async fn latest_in(
    tx: &mut AnyConnection,
    unit_id: &str,
    period: Period,
) -> Result<Option<FilingRecord>, sqlx::Error> {
    let row: Option<FilingRow> = sqlx::query_as(&format!(
        "{RECORD_SELECT} WHERE unit_id = $1 AND period_key = $2 ORDER BY version DESC LIMIT 1"
    ))
    .bind(unit_id)
    .bind(period.key())
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.map(FilingRecord::from))
}

/// The frame of a version, as stored.
#[derive(sqlx::FromRow)]
struct FrameRow {
    principal: String,
    leader_in_charge: String,
    filled_by: String,
    reviewed_by: String,
    phone: String,
}

/// A row's answer, as stored.
#[derive(sqlx::FromRow)]
struct AnswerRow {
    row_id: String,
    answer: String,
    explanation: String,
}

/// A form's note, as stored.
#[derive(sqlx::FromRow)]
struct NoteRow {
    form_number: i64,
    note: String,
}

/// What a version says.
#[tracing::instrument(skip(db))]
pub async fn content(db: &Db, filing_id: &str) -> Result<FilingContent, sqlx::Error> {
    let mut conn = db.acquire().await?;
    content_in(&mut conn, filing_id).await
}

#[tracing::instrument(skip(conn))]
async fn content_in(
    conn: &mut sqlx::AnyConnection,
    filing_id: &str,
) -> Result<FilingContent, sqlx::Error> {
    let frame: FrameRow = sqlx::query_as(
        "SELECT principal, leader_in_charge, filled_by, reviewed_by, phone FROM filing WHERE filing_id = $1",
    )
    .bind(filing_id)
    .fetch_one(&mut *conn)
    .await?;
    let mut content = FilingContent {
        frame: Frame {
            principal: frame.principal,
            leader_in_charge: frame.leader_in_charge,
            filled_by: frame.filled_by,
            reviewed_by: frame.reviewed_by,
            phone: frame.phone,
        },
        ..Default::default()
    };
    let answers: Vec<AnswerRow> = sqlx::query_as(
        "SELECT row_id, answer, explanation FROM filing_answer WHERE filing_id = $1",
    )
    .bind(filing_id)
    .fetch_all(&mut *conn)
    .await?;
    for a in answers {
        let answer = Answer::parse(&a.answer).ok_or_else(|| {
            sqlx::Error::Decode(format!("bad answer {} to row {}", a.answer, a.row_id).into())
        })?;
        content.answers.insert(a.row_id.clone(), answer);
        if !a.explanation.is_empty() {
            content.explanations.insert(a.row_id, a.explanation);
        }
    }
    let notes: Vec<NoteRow> =
        sqlx::query_as("SELECT form_number, note FROM filing_note WHERE filing_id = $1")
            .bind(filing_id)
            .fetch_all(&mut *conn)
            .await?;
    for n in notes {
        let form = u8::try_from(n.form_number).map_err(|_| {
            sqlx::Error::Decode(format!("bad form number {}", n.form_number).into())
        })?;
        content.notes.insert(form, n.note);
    }
    Ok(content)
}

/// Replaces the content of a version.
///
/// Guard: none of its own; callers write only a version this transaction inserted or claimed
/// with [`claim_draft`].
#[tracing::instrument(skip(tx, content))]
async fn write_content(
    tx: &mut AnyConnection,
    filing_id: &str,
    content: &FilingContent,
) -> Result<(), sqlx::Error> {
    let f = &content.frame;
    sqlx::query("UPDATE filing SET principal = $1, leader_in_charge = $2, filled_by = $3, reviewed_by = $4, phone = $5 WHERE filing_id = $6")
        .bind(f.principal.trim())
        .bind(f.leader_in_charge.trim())
        .bind(f.filled_by.trim())
        .bind(f.reviewed_by.trim())
        .bind(f.phone.trim())
        .bind(filing_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM filing_answer WHERE filing_id = $1")
        .bind(filing_id)
        .execute(&mut *tx)
        .await?;
    // One multi-row INSERT per 100 answers rather than one per answer (issue 13: a
    // statement is a round trip to the database's thread, inside the write turn).
    let answers: Vec<_> = content.answers.iter().collect();
    for chunk in answers.chunks(100) {
        let sql = format!(
            "INSERT INTO filing_answer (filing_id, row_id, answer, explanation) VALUES {}",
            crate::ssr::db::value_rows(tx, chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for (row, answer) in chunk {
            let explanation = content
                .explanations
                .get(*row)
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            q = q
                .bind(filing_id)
                .bind(*row)
                .bind(answer.code())
                .bind(explanation);
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query("DELETE FROM filing_note WHERE filing_id = $1")
        .bind(filing_id)
        .execute(&mut *tx)
        .await?;
    for (form, note) in &content.notes {
        if !note.trim().is_empty() {
            sqlx::query(
                "INSERT INTO filing_note (filing_id, form_number, note) VALUES ($1, $2, $3)",
            )
            .bind(filing_id)
            .bind(*form as i64)
            .bind(note.trim())
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

/// Inserts a new draft version.
///
/// Guard: the unique (unit_id, period_key, version); a version inserted at once by another
/// transaction (two first saves, a save and a paper entry, two revisions) answers
/// `Conflict::TryAgain`.
#[tracing::instrument(skip(tx))]
async fn insert_version(
    tx: &mut AnyConnection,
    unit_id: &str,
    period: Period,
    version: i64,
    at: DateTime<Utc>,
    user_id: &str,
) -> Result<String, AppError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO filing (filing_id, unit_id, period_key, version, status, late, created_at, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $6, $7)",
    )
    .bind(&id)
    .bind(unit_id)
    .bind(period.key())
    .bind(version)
    .bind(FilingStatus::Draft.code())
    .bind(ts(at))
    .bind(user_id)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if crate::ssr::db::is_unique_violation(&e) {
            AppError::Conflict(crate::error::Conflict::TryAgain)
        } else {
            AppError::from(e)
        }
    })?;
    Ok(id)
}

/// Claims a draft for a write in this transaction: one conditional UPDATE that matches only
/// while the version is still a draft. On PostgreSQL (READ COMMITTED) it takes the row's lock
/// until commit, and a concurrent submission's commit makes it match nothing (the WHERE is
/// checked again on the row as committed); on SQLite `BEGIN IMMEDIATE` already runs one
/// writer at a time. Every write to a draft's content, and its submission, claims it first,
/// so a save can never rewrite a submitted version and a submission validates exactly what
/// it submits.
///
/// Guard: this is the guard (the decision is in the WHERE); callers must check the `bool`.
async fn claim_draft(
    tx: &mut AnyConnection,
    filing_id: &str,
    at: DateTime<Utc>,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE filing SET updated_at = $1, updated_by = $2 WHERE filing_id = $3 AND status = $4",
    )
    .bind(ts(at))
    .bind(user_id)
    .bind(filing_id)
    .bind(FilingStatus::Draft.code())
    .execute(&mut *tx)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

fn content_json(c: &FilingContent) -> serde_json::Value {
    serde_json::to_value(c).unwrap_or_default()
}

/// Saves the draft of a unit's filing for a period, creating version 1 on the first save.
/// Refused once the latest version is submitted (a change then needs a new version).
///
/// Guard: a draft is claimed first by [`claim_draft`] (UPDATE … WHERE status = 'draft', 1 row
/// or Conflict) and its "before" read after that; a first save's version 1 is guarded by the
/// unique (unit_id, period_key, version) (a concurrent first save gets `Conflict::TryAgain`).
#[tracing::instrument(skip(db, clock, content))]
pub async fn save_draft(
    db: &Db,
    clock: &Clock,
    user_id: &str,
    unit_id: &str,
    period: Period,
    content: &FilingContent,
) -> Result<FilingRecord, AppError> {
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let latest = latest_in(&mut tx, unit_id, period).await?;
    let (filing_id, before) = match latest {
        Some(r) if r.status == FilingStatus::Draft => {
            // Guard: the draft row is claimed before anything is read or written (a
            // submission that committed since `latest` was read makes this match nothing).
            if !claim_draft(&mut tx, &r.filing_id, now, user_id).await? {
                return Err(AppError::Conflict(crate::error::Conflict::AlreadySubmitted));
            }
            let before = content_in(&mut tx, &r.filing_id).await?;
            (r.filing_id, Some(content_json(&before)))
        }
        Some(_) => return Err(AppError::Conflict(crate::error::Conflict::AlreadySubmitted)),
        None => {
            // Two first saves at once: the unique (unit, period, version) lets one win.
            (
                insert_version(&mut tx, unit_id, period, 1, now, user_id).await?,
                None,
            )
        }
    };
    write_content(&mut tx, &filing_id, content).await?;
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(user_id),
            action: "filing.save",
            subject_kind: "filing",
            subject_id: &filing_id,
            before,
            after: Some(content_json(content)),
        },
    )
    .await?;
    let saved = latest_in(&mut tx, unit_id, period)
        .await?
        .ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(saved)
}

pub use crate::model::filing::SubmitOutcome;

/// How a draft becomes submitted: when, by whom, late or not, nil or not, its date (申报时间),
/// and whether `user_id` entered it from the unit's paper form (代填; the date is then the
/// paper's).
struct Submission<'a> {
    at: DateTime<Utc>,
    user_id: &'a str,
    late: bool,
    nil: bool,
    filing_date: NaiveDate,
    on_paper: bool,
}

/// Submits the draft `filing_id`: one conditional UPDATE that matches only while it is still
/// a draft. `false` when another submission won the race (nothing changed).
///
/// Guard: the WHERE repeats `status = 'draft'`; callers claimed the draft with
/// [`claim_draft`] or inserted it in this transaction.
async fn mark_submitted(
    tx: &mut AnyConnection,
    filing_id: &str,
    s: &Submission<'_>,
) -> Result<bool, sqlx::Error> {
    let date = s.filing_date.format("%Y-%m-%d").to_string();
    let updated = sqlx::query(
        "UPDATE filing SET status = $1, late = $2, nil = $3, filing_date = $4, submitted_at = $5, submitted_by = $6, updated_at = $5, updated_by = $6, \
         entered_by = $7, paper_date = $8 WHERE filing_id = $9 AND status = $10",
    )
    .bind(FilingStatus::Submitted.code())
    .bind(s.late as i64)
    .bind(s.nil as i64)
    .bind(&date)
    .bind(ts(s.at))
    .bind(s.user_id)
    .bind(s.on_paper.then_some(s.user_id))
    .bind(s.on_paper.then_some(date.as_str()))
    .bind(filing_id)
    .bind(FilingStatus::Draft.code())
    .execute(&mut *tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Holds the unit's row, then checks it may still file for `period`: open in it
/// (`UnitNotOpen`) and not merged into another (`UnitMerged`).
///
/// Guard: a change of its dates holds the row before reading its filings
/// (`units::set_life`), and a merge holds both units' rows: a filing for a period the unit
/// was not open in, or of a merged duplicate, never lands, whichever commits first.
async fn unit_still_files(
    tx: &mut AnyConnection,
    unit_id: &str,
    period: Period,
) -> Result<(), AppError> {
    let life = crate::ssr::units::life_held(tx, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !life.expects(period) {
        return Err(AppError::Conflict(crate::error::Conflict::UnitNotOpen));
    }
    if crate::ssr::units::merged_into(tx, unit_id).await?.is_some() {
        return Err(AppError::Conflict(crate::error::Conflict::UnitMerged));
    }
    Ok(())
}

/// Submits the draft `version`. `late` marks a filing made under a late-filing exception.
///
/// Guard: the draft is claimed first by [`claim_draft`] (UPDATE … WHERE status = 'draft', 1
/// row or `AlreadySubmitted`); the content validated is read after that, inside the
/// transaction, and the submitting UPDATE repeats the WHERE. The unit's life is read after
/// holding its row (`UnitNotOpen` for a period it was not open in).
#[tracing::instrument(skip(db, clock))]
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    db: &Db,
    clock: &Clock,
    user_id: &str,
    unit_id: &str,
    kind: BindingKind,
    period: Period,
    version: i64,
    late: bool,
) -> Result<SubmitOutcome, AppError> {
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let row: Option<FilingRow> = sqlx::query_as(&format!(
        "{RECORD_SELECT} WHERE unit_id = $1 AND period_key = $2 AND version = $3"
    ))
    .bind(unit_id)
    .bind(period.key())
    .bind(version)
    .fetch_optional(&mut *tx)
    .await?;
    let record = FilingRecord::from(row.ok_or(AppError::NotFound)?);
    // Guard: claim the draft before reading the content that is validated, so that no save
    // can change it between the check and the submission (see `claim_draft`).
    if record.status != FilingStatus::Draft
        || !claim_draft(&mut tx, &record.filing_id, now, user_id).await?
    {
        tx.rollback().await?;
        let current = versions(db, unit_id, period)
            .await?
            .into_iter()
            .find(|r| r.version == version);
        return Ok(SubmitOutcome::AlreadySubmitted {
            version,
            submitted_at: current.and_then(|r| r.submitted_at),
        });
    }
    unit_still_files(&mut tx, unit_id, period).await?;
    let content = content_in(&mut tx, &record.filing_id).await?;
    check_submit(kind, &content).into_result()?;
    // 107号 五: nil is decided here, once, and stored in `filing.nil`; readers read the column.
    let nil = filing::is_nil(kind, &content.answers);
    let submission = Submission {
        at: now,
        user_id,
        late,
        nil,
        filing_date: kunming_date(now),
        on_paper: false,
    };
    if !mark_submitted(&mut tx, &record.filing_id, &submission).await? {
        // Another submission won the race between our read and our write.
        tx.rollback().await?;
        let winner = versions(db, unit_id, period)
            .await?
            .into_iter()
            .find(|r| r.version == version);
        return Ok(SubmitOutcome::AlreadySubmitted {
            version,
            submitted_at: winner.and_then(|r| r.submitted_at),
        });
    }
    audit::record(&mut tx, AuditEntry {
        at: now,
        actor: Some(user_id),
        action: "filing.submit",
        subject_kind: "filing",
        subject_id: &record.filing_id,
        before: Some(serde_json::json!({ "status": FilingStatus::Draft.code() })),
        after: Some(serde_json::json!({ "status": FilingStatus::Submitted.code(), "version": version, "late": late, "nil": nil })),
    })
    .await?;
    crate::ssr::counts::refresh(&mut tx, unit_id, &period.key()).await?;
    tx.commit().await?;
    metrics::counter!("filings_submitted_total", "late" => if late { "true" } else { "false" })
        .increment(1);
    Ok(SubmitOutcome::Submitted { version, late, nil })
}

/// Starts a new version from the latest submitted or returned one (its content copied);
/// the earlier version is kept unchanged.
///
/// Guard: the unique (unit_id, period_key, version): of two revisions at once one inserts,
/// the other gets `Conflict::TryAgain`. The status read is not locked and need not be: a
/// non-draft's content never changes, and an acceptance racing this ends as "revise, then
/// accept" would.
#[tracing::instrument(skip(db, clock))]
pub async fn revise(
    db: &Db,
    clock: &Clock,
    user_id: &str,
    unit_id: &str,
    period: Period,
) -> Result<FilingRecord, AppError> {
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let latest = latest_in(&mut tx, unit_id, period)
        .await?
        .ok_or(AppError::NotFound)?;
    if latest.status == FilingStatus::Draft {
        return Ok(latest);
    }
    if latest.status == FilingStatus::Accepted {
        return Err(AppError::Conflict(crate::error::Conflict::AlreadyAccepted));
    }
    let content = content_in(&mut tx, &latest.filing_id).await?;
    let id = insert_version(&mut tx, unit_id, period, latest.version + 1, now, user_id).await?;
    write_content(&mut tx, &id, &content).await?;
    audit::record(&mut tx, AuditEntry {
        at: now,
        actor: Some(user_id),
        action: "filing.revise",
        subject_kind: "filing",
        subject_id: &id,
        before: Some(serde_json::json!({ "from_version": latest.version, "filing_id": latest.filing_id })),
        after: Some(serde_json::json!({ "version": latest.version + 1 })),
    })
    .await?;
    let created = latest_in(&mut tx, unit_id, period)
        .await?
        .ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(created)
}

/// Enters a unit's filing from its sealed paper form on its behalf (代填, issue 14) and submits
/// it in one transaction: `user_id` (the receiving department's or the township's staff)
/// typed in `content`; the version records them, that it came on paper, and the paper's
/// date, which is its 申报时间 and decides whether it is late ([`PaperDate::is_late`]).
/// Callers checked who may enter, the window or exception, and the content
/// (`check_submit`).
///
/// Only a filing not made yet is entered: with no version, version 1 is inserted; a draft of
/// the unit's own is taken over (the sealed paper is what the unit files; what the draft said
/// stays in its save records). A latest version already submitted, returned or accepted
/// answers `AlreadySubmitted`: the unit corrects it as a new version ([`revise`]).
///
/// Guard: the same as the unit's own save and submit, so the unit and the enterer racing end
/// with one current version: a first version by the unique (unit_id, period_key, version)
/// (the loser gets `Conflict::TryAgain`); a draft claimed by [`claim_draft`] before it is
/// written (a submission that committed since makes it match nothing: `AlreadySubmitted`);
/// the submitting UPDATE repeats `status = 'draft'`.
#[tracing::instrument(skip(db, clock, content))]
#[allow(clippy::too_many_arguments)]
pub async fn enter_from_paper(
    db: &Db,
    clock: &Clock,
    user_id: &str,
    unit_id: &str,
    kind: BindingKind,
    period: Period,
    paper: PaperDate,
    content: &FilingContent,
) -> Result<SubmitOutcome, AppError> {
    use crate::error::Conflict;
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    let (filing_id, version, before) = match latest_in(&mut tx, unit_id, period).await? {
        None => (
            insert_version(&mut tx, unit_id, period, 1, now, user_id).await?,
            1,
            None,
        ),
        Some(r) if r.status == FilingStatus::Draft => {
            if !claim_draft(&mut tx, &r.filing_id, now, user_id).await? {
                return Err(AppError::Conflict(Conflict::AlreadySubmitted));
            }
            let before =
                serde_json::json!({ "status": FilingStatus::Draft.code(), "version": r.version });
            (r.filing_id, r.version, Some(before))
        }
        Some(_) => return Err(AppError::Conflict(Conflict::AlreadySubmitted)),
    };
    // As in `submit`, and in the same order: the version first, then the unit's row.
    unit_still_files(&mut tx, unit_id, period).await?;
    write_content(&mut tx, &filing_id, content).await?;
    // 107号 五: nil decided once, at submission, as for the unit's own.
    let nil = filing::is_nil(kind, &content.answers);
    let late = paper.is_late(period);
    let submission = Submission {
        at: now,
        user_id,
        late,
        nil,
        filing_date: paper.date(),
        on_paper: true,
    };
    if !mark_submitted(&mut tx, &filing_id, &submission).await? {
        return Err(AppError::Conflict(Conflict::AlreadySubmitted));
    }
    let paper_date = paper.date().format("%Y-%m-%d").to_string();
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(user_id),
            action: "filing.paper",
            subject_kind: "filing",
            subject_id: &filing_id,
            before,
            after: Some(serde_json::json!({
                "status": FilingStatus::Submitted.code(),
                "version": version,
                "on_paper": true,
                "paper_date": paper_date,
                "entered_by": user_id,
                "late": late,
                "nil": nil,
                "content": content_json(content),
            })),
        },
    )
    .await?;
    crate::ssr::counts::refresh(&mut tx, unit_id, &period.key()).await?;
    tx.commit().await?;
    metrics::counter!("filings_submitted_total", "late" => if late { "true" } else { "false" })
        .increment(1);
    Ok(SubmitOutcome::Submitted { version, late, nil })
}

pub use crate::model::filing::{LateException, LateExceptionRow};

/// A row of `late_exception`: the terms of an exception.
#[derive(sqlx::FromRow)]
struct ExceptionRow {
    reason: String,
    #[sqlx(try_from = "String")]
    valid_until: Stamp,
}

impl From<ExceptionRow> for LateException {
    fn from(r: ExceptionRow) -> Self {
        LateException {
            reason: r.reason,
            valid_until: r.valid_until.0,
        }
    }
}

/// The late-filing exception granted to a unit for a period, if any.
#[tracing::instrument(skip(db))]
pub async fn exception(
    db: &Db,
    unit_id: &str,
    period: Period,
) -> Result<Option<LateException>, sqlx::Error> {
    let row: Option<ExceptionRow> = sqlx::query_as(
        "SELECT reason, valid_until FROM late_exception WHERE unit_id = $1 AND period_key = $2",
    )
    .bind(unit_id)
    .bind(period.key())
    .fetch_optional(db)
    .await?;
    Ok(row.map(LateException::from))
}

/// Until when a unit may file a period late, if an exception was granted.
pub async fn exception_until(
    db: &Db,
    unit_id: &str,
    period: Period,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    Ok(exception(db, unit_id, period).await?.map(|e| e.valid_until))
}

/// Grants (or re-grants) a late-filing exception, audited with the terms before and after.
///
/// Guard: `INSERT … ON CONFLICT DO NOTHING` on the primary key (unit_id, period_key) for a
/// first grant; a re-grant locks the existing row (no-op UPDATE) before reading its "before".
#[tracing::instrument(skip(db, clock))]
pub async fn grant_exception(
    db: &Db,
    clock: &Clock,
    user_id: &str,
    unit_id: &str,
    period: Period,
    reason: &str,
    valid_until: DateTime<Utc>,
) -> Result<(), AppError> {
    let now = clock.now();
    let mut tx = crate::ssr::db::begin_write(db).await?;
    // Guard: a first grant is an INSERT that does nothing when a grant exists (PostgreSQL
    // waits for a concurrent first grant and then sees it); otherwise the existing grant is
    // locked (no-op UPDATE) before it is read for the audit's "before", then replaced. Two
    // grants at once both land, in order, each recording the one it replaced.
    // The grant's six values, in the same order in the INSERT and the UPDATE.
    let grant = |sql: &'static str| {
        sqlx::query(sql)
            .bind(unit_id)
            .bind(period.key())
            .bind(user_id)
            .bind(reason)
            .bind(ts(valid_until))
            .bind(ts(now))
    };
    let first = grant(
        "INSERT INTO late_exception (unit_id, period_key, granted_by, reason, valid_until, granted_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unit_id, period_key) DO NOTHING",
    )
    .execute(&mut *tx)
    .await?;
    let before: Option<ExceptionRow> = if first.rows_affected() == 1 {
        None
    } else {
        sqlx::query(
            "UPDATE late_exception SET reason = reason WHERE unit_id = $1 AND period_key = $2",
        )
        .bind(unit_id)
        .bind(period.key())
        .execute(&mut *tx)
        .await?;
        let before = sqlx::query_as(
            "SELECT reason, valid_until FROM late_exception WHERE unit_id = $1 AND period_key = $2",
        )
        .bind(unit_id)
        .bind(period.key())
        .fetch_optional(&mut *tx)
        .await?;
        grant(
            "UPDATE late_exception SET granted_by = $3, reason = $4, valid_until = $5, granted_at = $6 \
             WHERE unit_id = $1 AND period_key = $2",
        )
        .execute(&mut *tx)
        .await?;
        before
    };
    let subject = format!("{unit_id}/{}", period.key());
    audit::record(
        &mut tx,
        AuditEntry {
            at: now,
            actor: Some(user_id),
            action: "late_exception.grant",
            subject_kind: "late_exception",
            subject_id: &subject,
            before: before.map(
                |e| serde_json::json!({ "reason": e.reason, "valid_until": ts(e.valid_until.0) }),
            ),
            after: Some(serde_json::json!({ "reason": reason, "valid_until": ts(valid_until) })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A late-filing exception as listed.
#[derive(sqlx::FromRow)]
struct ExceptionListRow {
    unit_id: String,
    unit_name: String,
    period_key: String,
    granted_by: String,
    reason: String,
    #[sqlx(try_from = "String")]
    valid_until: Stamp,
    #[sqlx(try_from = "String")]
    granted_at: Stamp,
}

/// Exceptions for units in `county_id` (all if `None`), newest first.
#[tracing::instrument(skip(db))]
pub async fn list_exceptions(
    db: &Db,
    county_id: Option<&str>,
) -> Result<Vec<LateExceptionRow>, sqlx::Error> {
    let rows: Vec<ExceptionListRow> = sqlx::query_as(
        "SELECT e.unit_id, n.name AS unit_name, e.period_key, u.display_name AS granted_by, e.reason, e.valid_until, e.granted_at \
         FROM late_exception e JOIN unit n ON n.unit_id = e.unit_id JOIN app_user u ON u.user_id = e.granted_by \
         WHERE ($1 = '' OR n.county_id = $1) ORDER BY e.granted_at DESC LIMIT 500",
    )
    .bind(county_id.unwrap_or_default())
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LateExceptionRow {
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            period_key: r.period_key,
            granted_by: r.granted_by,
            reason: r.reason,
            valid_until: r.valid_until.0,
            granted_at: r.granted_at.0,
        })
        .collect())
}

/// Whether and how the unit may file the period now: not at all for a period it was not open
/// in ([`FilingAccess::NotOpen`]); else the window and late-filing exception rules, except
/// that a returned filing may always be amended (see [`FilingAccess::Amend`]).
#[tracing::instrument(skip(db, clock))]
pub async fn access_for(
    db: &Db,
    clock: &Clock,
    unit_id: &str,
    period: Period,
) -> Result<crate::domain::filing::FilingAccess, AppError> {
    use crate::domain::filing::FilingAccess;
    // A unit not open in the period has nothing to file for it (`domain::lifecycle`).
    let life = crate::ssr::units::life_of(db, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !life.expects(period) {
        return Ok(FilingAccess::NotOpen);
    }
    let all = versions(db, unit_id, period).await?;
    // The returned version: the latest one, or the one before a draft amending it.
    let returned = match (all.first(), all.get(1)) {
        (Some(l), _) if l.status == FilingStatus::Returned => Some(l),
        (Some(l), Some(prev))
            if l.status == FilingStatus::Draft && prev.status == FilingStatus::Returned =>
        {
            Some(prev)
        }
        _ => None,
    };
    if let Some(r) = returned {
        return Ok(FilingAccess::amending(r.late));
    }
    let until = exception_until(db, unit_id, period).await?;
    Ok(FilingAccess::at(period, clock.now(), until))
}
