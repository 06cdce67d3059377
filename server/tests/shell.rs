//! The page shell: what every page carries whatever its route.

mod common;

use common::{Backend, Options, TestApp};

/// The `lang` attribute of a page's `<html>` element.
fn html_lang(page: &str) -> Option<String> {
    let start = page.find("<html")?;
    let tag = &page[start..start + page[start..].find('>')?];
    let value = tag.split("lang=\"").nth(1)?;
    Some(value[..value.find('"')?].to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_language_follows_the_users_choice() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await;
    let chinese = app.text("/login").await;
    assert_eq!(
        html_lang(&chinese).as_deref(),
        Some("zh-CN"),
        "Chinese first: {}",
        &chinese[..chinese.len().min(300)]
    );
    // The language switch sets the `lang` cookie, as a user's click on "English" does.
    let switched = app.page("/lang/en?next=/login").await;
    assert!(
        switched.status().is_redirection(),
        "the switch answers a redirect"
    );
    let english = app.text("/login").await;
    assert_eq!(
        html_lang(&english).as_deref(),
        Some("en"),
        "the English page says so to screen readers and spell checkers"
    );
}
