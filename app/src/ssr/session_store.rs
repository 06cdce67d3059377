//! tower-sessions records kept in the `web_session` table, on either backend.
//!
//! Session expiry uses real time, not the app clock: a fixed drill clock must not log
//! everyone out.

use crate::ssr::db::Db;
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[async_trait]
impl SessionStore for DbSessionStore {
    /// Guard: `ON CONFLICT (session_id) DO NOTHING` with the count checked: an id taken
    /// already is drawn again, never overwritten.
    #[tracing::instrument(skip_all)]
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; on the rare collision, draw again.
        loop {
            let data = serde_json::to_string(record)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let inserted = sqlx::query(
                "INSERT INTO web_session (session_id, data, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (session_id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&self.db)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Guard: none needed: one upsert that decides nothing, the last save standing.
    #[tracing::instrument(skip_all)]
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(record)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        sqlx::query(
            "INSERT INTO web_session (session_id, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (session_id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(record.id.to_string())
        .bind(data)
        .bind(record.expiry_date.unix_timestamp())
        .execute(&self.db)
        .await
        .map_err(backend)?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let data: Option<String> = sqlx::query_scalar(
            "SELECT data FROM web_session WHERE session_id = $1 AND expires_at > $2",
        )
        .bind(id.to_string())
        .bind(now_unix())
        .fetch_optional(&self.db)
        .await
        .map_err(backend)?;
        data.map(|data| {
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM web_session WHERE session_id = $1")
            .bind(id.to_string())
            .execute(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    #[tracing::instrument(skip_all)]
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM web_session WHERE expires_at <= $1")
            .bind(now_unix())
            .execute(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
