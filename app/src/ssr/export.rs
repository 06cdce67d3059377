//! Downloads at `/export/{table}.{csv|xlsx}`: which table, for whom, in which format.

use crate::error::AppError;
use crate::ssr::table::{to_csv, to_xlsx};

/// A file to download.
pub struct Download {
    pub content_type: &'static str,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Builds `/export/{table}.{csv|xlsx}` for the logged-in supervisor: `queue` (the review
/// queue, with the same filters as the page); for a scope (`?unit=`, default the user's own)
/// `rollup` (the counts), `units` (the units and their filings' status), `trend` (across
/// periods), `filings` (every answered row of every filing); and for the city office `report`
/// (the city government's report by county). Only the user's own subtree is ever read,
/// exactly as on the pages.
pub async fn export(
    state: &crate::ssr::AppState,
    session: &tower_sessions::Session,
    file: &str,
    query: &std::collections::HashMap<String, String>,
) -> Result<Download, AppError> {
    let (name, format) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let user = crate::ssr::auth::session_user(&state.db, session)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    // The enterprise registry (issue 14), its empty template and that of the townships and
    // departments file: the administrator's.
    if matches!(
        name,
        "registry" | "registry-template" | "organizations-template"
    ) {
        if user.role != crate::domain::unit::Role::Administrator {
            return Err(AppError::Forbidden);
        }
        let table = match name {
            "registry" => crate::ssr::registry::registry_table(&state.db).await?,
            "organizations-template" => crate::ssr::registry::org_template_table(),
            _ => crate::ssr::registry::template_table(),
        };
        return download(&table, format!("{name}.{format}"), format);
    }
    if !user.role.is_supervisor() {
        return Err(AppError::Forbidden);
    }
    let get = |k: &str| query.get(k).cloned().unwrap_or_default();
    let period = crate::model::filing::period_or_default(&get("period"), state.clock.now())?;
    let table = match name {
        "queue" => {
            let rows = crate::ssr::review::queue(
                &state.db,
                &user,
                &period.key(),
                &get("status"),
                &get("nil"),
                &get("industry"),
                &get("township"),
            )
            .await?;
            crate::ssr::review::queue_table(&rows)
        }
        "rollup" | "units" | "trend" => {
            let view = crate::ssr::rollups::rollup_view(
                &state.db,
                &state.clock,
                &user,
                &period.key(),
                &get("unit"),
                "",
            )
            .await?;
            match name {
                "rollup" => crate::ssr::review::rollup_table(&view.rollup),
                "units" => crate::ssr::rollups::units_table(&view),
                _ => crate::ssr::rollups::trend_table(&view),
            }
        }
        "filings" => {
            crate::ssr::rollups::filings_table(&state.db, &user, period, &get("unit")).await?
        }
        "report" => {
            if user.role != crate::domain::unit::Role::CityOfficeStaff {
                return Err(AppError::Forbidden);
            }
            let report =
                crate::ssr::rollups::city_report(&state.db, &state.clock, &user, &period.key())
                    .await?;
            crate::ssr::rollups::report_table(&report)
        }
        _ => return Err(AppError::NotFound),
    };
    download(&table, format!("{name}-{}.{format}", period.key()), format)
}

/// The table as a file of `format` (`csv` or `xlsx`; anything else is not found).
fn download(
    table: &crate::ssr::table::Table,
    filename: String,
    format: &str,
) -> Result<Download, AppError> {
    match format {
        "csv" => Ok(Download {
            content_type: "text/csv; charset=utf-8",
            filename,
            bytes: to_csv(table).into_bytes(),
        }),
        "xlsx" => Ok(Download {
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename,
            bytes: to_xlsx(table)?,
        }),
        _ => Err(AppError::NotFound),
    }
}
