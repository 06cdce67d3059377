//! Server functions for roll-ups (汇总) and their drill-down, the summaries departments and
//! offices file upward, and the city government's report (107号 四、(二) 申报程序: each level
//! 审核、汇总 what it receives and reports upward; the city office compiles for the city
//! government).

use crate::error::AppError;
use crate::model::rollup::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::ssr::{app_state, auth, form};

/// The roll-up (汇总) of a period for the user's own scope, or a scope below it (`unit`), with
/// the drill-down into it and, for one row (`row`, e.g. `5.3`), who answered it 不落实 and why.
#[server(endpoint = "rollup")]
pub async fn get_rollup(
    #[server(default)] period: String,
    #[server(default)] unit: String,
    #[server(default)] row: String,
) -> Result<RollupView, AppError> {
    form::answer(
        async {
            let user = auth::require_supervisor().await?;
            let state = app_state()?;
            crate::ssr::rollups::rollup_view(&state.db, &state.clock, &user, &period, &unit, &row)
                .await
        }
        .await,
    )
}

/// Files the summary (汇总) of the user's own department or county for a period upward: the
/// roll-up of the filings it has accepted, with remarks. Filing again adds a version.
#[server(endpoint = "file_summary")]
pub async fn file_summary(
    #[server(default)] period: String,
    #[server(default)] remarks: String,
) -> Result<i64, AppError> {
    let values = vec![
        ("period".to_string(), period.clone()),
        ("remarks".to_string(), remarks.clone()),
    ];
    let result = async {
        let user = auth::require_supervisor().await?;
        let state = app_state()?;
        let period = crate::model::filing::period_or_default(&period, state.clock.now())?;
        crate::ssr::rollups::file_summary(&state.db, &state.clock, &user, period, &remarks).await
    }
    .await;
    form::finish("summary", values, result, None).await
}

/// The city government's report of a period, for the city office.
#[server(endpoint = "city_report")]
pub async fn get_city_report(#[server(default)] period: String) -> Result<CityReport, AppError> {
    form::answer(
        async {
            let user = auth::require_role(&[crate::domain::unit::Role::CityOfficeStaff]).await?;
            let state = app_state()?;
            crate::ssr::rollups::city_report(&state.db, &state.clock, &user, &period).await
        }
        .await,
    )
}
