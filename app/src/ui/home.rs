//! The home page of each role: the filing window (open, or when the next opens, with a
//! countdown), what the user's unit owes, and the units below it.

use super::islands::Countdown;
use super::{general_error, use_info, PageTitle};
use crate::api::get_home_summary;
use crate::domain::period::{FilingWindow, WindowState};
use crate::domain::time::format_kunming;
use crate::domain::unit::{industry_name_en, industry_name_zh};
use crate::i18n::{t, Lang};
use crate::model::HomeSummary;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let info = use_info();
    if info.user.is_none() {
        return view! { <Redirect path="/login" /> }.into_any();
    }
    let lang = info.lang;
    let summary = Resource::new(|| (), |_| get_home_summary());
    let inbox = Resource::new(|| (), |_| crate::api::escalation::get_inbox());
    view! {
        <PageTitle key="home.title" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // What needs the user today (106号 notices, deadlines, returned filings, an
                // office's decisions); nothing when there is nothing.
                inbox.await.ok().filter(|i| !i.notices.is_empty()).map(|i| view! {
                    <section class="card notices-card" data-testid="home-notices">
                        <h2>{t(lang, "home.notices")}</h2>
                        <ul class="notices">
                            {i.notices.iter().map(|n| view! {
                                <li><a href=super::escalation::notice_href(n)>{super::escalation::notice_text(lang, n)}</a></li>
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(s) => view! { <Home summary=s lang /> }.into_any(),
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::ssr::form::set_status_for(&e);
                        view! { <p class="form-error">{general_error(lang, &e)}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

fn period_label(lang: Lang, w: &FilingWindow) -> String {
    match lang {
        Lang::Zh => w.period.label_zh(),
        Lang::En => w.period.label_en(),
    }
}

fn window_dates(w: &FilingWindow) -> String {
    format!(
        "{} 00:00 — {} 24:00",
        w.period.window_first_day().format("%Y-%m-%d"),
        w.period.window_last_day().format("%Y-%m-%d")
    )
}

#[component]
fn Home(summary: HomeSummary, lang: Lang) -> impl IntoView {
    let (open, target, headline, countdown_label) = match summary.window {
        WindowState::Open(w) => (true, w.closes_at, "home.window_open", "home.closes_in"),
        WindowState::Closed { next, .. } => {
            (false, next.opens_at, "home.window_closed", "home.opens_in")
        }
    };
    let due = summary.due;
    let industries = summary
        .industries
        .iter()
        .filter_map(|c| match lang {
            Lang::Zh => industry_name_zh(c),
            Lang::En => industry_name_en(c),
        })
        .collect::<Vec<_>>()
        .join(match lang {
            Lang::Zh => "、",
            Lang::En => ", ",
        });
    view! {
        <section class=if open { "card window open" } else { "card window closed" } data-testid="window">
            <h1>{t(lang, headline)}</h1>
            <p class="period">
                {t(lang, "home.period")} ": " <strong>{period_label(lang, &due)}</strong>
            </p>
            <p>{t(lang, "home.window_dates")} ": " {window_dates(&due)} " (北京时间 / Beijing time)"</p>
            <p class="countdown-line">
                {t(lang, countdown_label)} ": "
                <Countdown
                    seconds=(target - summary.now).num_seconds().max(0)
                    units=["time.days", "time.hours", "time.minutes", "time.seconds"].map(|k| t(lang, k).to_string())
                />
            </p>
            {match summary.window {
                WindowState::Closed { last, .. } => {
                    Some(
                        view! {
                            <p class="muted">
                                {t(lang, "home.last_window")} ": " {period_label(lang, &last)} " · "
                                {window_dates(&last)}
                            </p>
                        },
                    )
                }
                WindowState::Open(_) => None,
            }}
        </section>
        <section class="card" data-testid="owes">
            <h2>{t(lang, "home.owes")}</h2>
            <ul class="owes">
                {summary
                    .files_own_forms
                    .then(|| {
                        view! {
                            <li>
                                {t(lang, "home.own_forms")} " · " {period_label(lang, &due)} " · "
                                {t(lang, "home.due")} ": " {format_kunming(due.closes_at - chrono::Duration::seconds(1))}
                            </li>
                        }
                    })}
                {(!summary.file_to.is_empty())
                    .then(|| {
                        view! {
                            <li>{t(lang, "home.file_to")} ": " {summary.file_to.join("、")}</li>
                        }
                    })}
                {(!industries.is_empty())
                    .then(|| view! { <li>{t(lang, "home.industries")} ": " {industries.clone()}</li> })}
            </ul>
            {summary.gap.then(|| view! { <p class="warning-box">{t(lang, "home.no_supervisor")}</p> })}
        </section>
        {(!summary.below.is_empty())
            .then(|| {
                view! {
                    <section class="card">
                        <h2>{t(lang, "home.expected_below")}</h2>
                        <dl class="counts">
                            {summary
                                .below
                                .iter()
                                .map(|c| {
                                    view! {
                                        <div>
                                            <dt>{t(lang, &c.label).to_string()}</dt>
                                            <dd>{c.n}</dd>
                                        </div>
                                    }
                                })
                                .collect_view()}
                        </dl>
                    </section>
                }
            })}
    }
}
