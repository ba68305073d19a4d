//! The graph explorer at `/explore`, in a real headless Chromium: what it draws is read from the
//! page's own state (`window.govgraphExplorer.state()`) and checked against the API's answer to
//! the same question. A picture of each step is kept in `target/browser-screenshots/`.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::browser::Chromium;
use crate::helpers::TestApp;

/// The explorer has started and asks nothing more of the API.
const SETTLED: &str = "window.govgraphExplorer && window.govgraphExplorer.ready \
                       && window.govgraphExplorer.pending() === 0";

/// What the page draws.
async fn drawn(chromium: &Chromium) -> Value {
    chromium.eval("window.govgraphExplorer.state()").await
}

/// The `id`s of the objects in `list`.
fn ids(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The API's own answer: Singapore's neighbourhood one hop out, at `as_of` if given.
async fn singapore_neighbourhood(app: &TestApp, as_of: Option<&str>) -> Value {
    app.data(
        r#"query ($asOf: PartialDate) {
             neighbourhood(node: { code: "SG" }, depth: 1, asOf: $asOf) {
               nodes { id name }
               relationships { id predicate validFrom citations { excerpt } }
             } }"#,
        json!({ "asOf": as_of }),
    )
    .await["neighbourhood"]
        .clone()
}

/// Opens the explorer in a new Chromium and waits for it to settle, or `None` when the test
/// skips for want of Chromium.
async fn explorer(test: &str, app: &TestApp, path: &str) -> Option<Chromium> {
    let chromium = Chromium::launch(test, 1280, 900).await?;
    chromium.open(&app.url(path)).await;
    chromium.until(SETTLED, "the explorer is ready").await;
    Some(chromium)
}

/// Searches for `text` in the search box and presses Enter, which puts the first result on the
/// canvas and selects it.
async fn search_and_choose(chromium: &Chromium, text: &str) {
    chromium
        .page()
        .find_element("#search")
        .await
        .expect("a search box")
        .click()
        .await
        .expect("the search box takes focus")
        .type_str(text)
        .await
        .expect("the search box takes text")
        .press_key("Enter")
        .await
        .expect("the search box takes Enter");
    chromium
        .until(
            &format!(
                "{SETTLED} && window.govgraphExplorer.state().nodes.some((n) => n.name === {text:?})"
            ),
            &format!("{text} is on the canvas"),
        )
        .await;
}

/// Clicks the button `selector` and waits for the explorer to settle.
async fn click(chromium: &Chromium, selector: &str) {
    chromium
        .page()
        .find_element(selector)
        .await
        .unwrap_or_else(|e| panic!("no {selector}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{selector} cannot be clicked: {e}"));
    chromium
        .until(SETTLED, &format!("the explorer settles after {selector}"))
        .await;
}

#[tokio::test]
async fn the_explorer_loads_without_a_request_leaving_the_machine() {
    let app = TestApp::spawn().await;
    let Some(chromium) = explorer("explore::loads_offline", &app, "/explore").await else {
        return app.stop().await;
    };
    assert_eq!(chromium.outside_requests(), Vec::<String>::new());
    let state = drawn(&chromium).await;
    assert_eq!(state["nodes"], json!([]), "a new view starts empty");
    assert_eq!(state["lastError"], Value::Null);
    chromium.screenshot("explore-empty").await;

    // The guard does see a request that would leave, and stops it.
    let reached: bool = chromium
        .eval("fetch('http://example.org/').then(() => true, () => false)")
        .await;
    assert!(!reached, "a request outside 127.0.0.1 is blocked");
    assert_eq!(chromium.outside_requests(), ["http://example.org/"]);
    chromium.close().await;
    app.stop().await;
}

#[tokio::test]
async fn expanding_singapore_draws_the_neighbourhood_the_api_answers() {
    let app = TestApp::spawn().await;
    let Some(chromium) = explorer("explore::expand_singapore", &app, "/explore").await else {
        return app.stop().await;
    };
    search_and_choose(&chromium, "Singapore").await;
    click(&chromium, "#expand").await;
    chromium.screenshot("explore-singapore").await;

    let expected = singapore_neighbourhood(&app, None).await;
    let state = drawn(&chromium).await;
    assert_eq!(ids(&state["nodes"]), ids(&expected["nodes"]));
    assert_eq!(ids(&state["edges"]), ids(&expected["relationships"]));
    assert_eq!(state["nodes"].as_array().map(Vec::len), Some(5));
    assert_eq!(state["edges"].as_array().map(Vec::len), Some(5));
    assert_eq!(chromium.outside_requests(), Vec::<String>::new());
    chromium.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_side_panel_quotes_the_article_that_states_a_relationship() {
    let app = TestApp::spawn().await;
    let Some(chromium) = explorer("explore::side_panel", &app, "/explore").await else {
        return app.stop().await;
    };
    search_and_choose(&chromium, "Singapore").await;
    click(&chromium, "#expand").await;

    let expected = singapore_neighbourhood(&app, None).await;
    let co_chairs = expected["relationships"]
        .as_array()
        .expect("relationships")
        .iter()
        .find(|r| r["predicate"] == "CO_CHAIRS")
        .expect("Singapore co-chairs a working group");
    let excerpt = co_chairs["citations"][0]["excerpt"]
        .as_str()
        .expect("the co-chair relationship cites the article");
    let state = drawn(&chromium).await;
    assert_eq!(
        state["panel"]["open"], true,
        "the selected node's panel is open"
    );
    let panel = state["panel"]["text"].as_str().expect("the panel's text");
    assert!(
        panel.contains(excerpt),
        "the panel quotes {excerpt:?}; it reads:\n{panel}"
    );
    chromium.screenshot("explore-panel").await;
    chromium.close().await;
    app.stop().await;
}

#[tokio::test]
async fn moving_the_time_slider_to_2020_takes_away_the_2021_co_chair_relationship() {
    let app = TestApp::spawn().await;
    let Some(chromium) = explorer("explore::time_slider", &app, "/explore").await else {
        return app.stop().await;
    };
    search_and_choose(&chromium, "Singapore").await;
    click(&chromium, "#expand").await;
    let now = singapore_neighbourhood(&app, None).await;
    let co_chairs: Vec<String> = now["relationships"]
        .as_array()
        .expect("relationships")
        .iter()
        .filter(|r| r["predicate"] == "CO_CHAIRS" && r["validFrom"] == "2021")
        .map(|r| r["id"].as_str().expect("an id").to_owned())
        .collect();
    assert_eq!(co_chairs.len(), 1, "one co-chair relationship, from 2021");

    chromium
        .eval::<bool>(
            "(() => { const slider = document.querySelector('#as-of'); slider.value = '2020'; \
               slider.dispatchEvent(new Event('input', { bubbles: true })); \
               slider.dispatchEvent(new Event('change', { bubbles: true })); return true; })()",
        )
        .await;
    chromium
        .until(
            &format!("{SETTLED} && window.govgraphExplorer.state().asOf === '2020'"),
            "the view holds in 2020",
        )
        .await;
    chromium.screenshot("explore-2020").await;

    let then = singapore_neighbourhood(&app, Some("2020")).await;
    let state = drawn(&chromium).await;
    let edges = ids(&state["edges"]);
    assert!(
        !edges.contains(&co_chairs[0]),
        "the co-chair relationship is gone"
    );
    assert_eq!(edges, ids(&then["relationships"]));
    assert_eq!(edges.len(), 4);
    assert_eq!(chromium.outside_requests(), Vec::<String>::new());
    chromium.close().await;
    app.stop().await;
}
