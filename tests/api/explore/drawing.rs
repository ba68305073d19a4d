//! Searching, expanding, reading the side panel and moving through time.

use serde_json::{Value, json};

use super::{
    SETTLED, click, drawn, explorer, ids, search_and_choose, set_value, singapore_neighbourhood,
};
use crate::helpers::TestApp;

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

    set_value(&chromium, "#as-of", "2020").await;
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

#[tokio::test]
async fn expanding_dgx_2022_draws_its_working_groups_and_participants() {
    let app = TestApp::spawn().await;
    let Some(chromium) = explorer("explore::expand_dgx", &app, "/explore").await else {
        return app.stop().await;
    };
    search_and_choose(&chromium, "DGX 2022").await;
    click(&chromium, "#expand").await;
    chromium.screenshot("explore-dgx-2022").await;

    let expected = app
        .data(
            r#"{ neighbourhood(node: { kind: EVENT, slug: "dgx-2022" }, depth: 1) {
                   nodes { id } relationships { id } nodesLeftOut } }"#,
            json!({}),
        )
        .await["neighbourhood"]
        .clone();
    assert_eq!(expected["nodesLeftOut"], 0);
    let state = drawn(&chromium).await;
    assert_eq!(ids(&state["nodes"]), ids(&expected["nodes"]));
    assert_eq!(ids(&state["edges"]), ids(&expected["relationships"]));
    assert!(ids(&state["nodes"]).len() > 10, "{state}");
    chromium.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_kind_filter_expands_only_to_neighbours_of_that_kind() {
    let app = TestApp::spawn().await;
    let Some(chromium) = explorer("explore::kind_filter", &app, "/explore").await else {
        return app.stop().await;
    };
    search_and_choose(&chromium, "Singapore").await;
    click(&chromium, "#expand").await;
    let ticked: usize = chromium
        .eval(
            "(() => { const boxes = [...document.querySelectorAll('#filters input[name=kind]')]; \
               for (const box of boxes) { box.checked = box.value === 'WORKING_GROUP'; \
                 box.dispatchEvent(new Event('change', { bubbles: true })); } \
               return boxes.filter((box) => box.checked).length; })()",
        )
        .await;
    assert_eq!(ticked, 1);
    chromium
        .until(SETTLED, "the explorer settles with the filter")
        .await;

    let expected = app
        .data(
            r#"{ neighbourhood(node: { code: "SG" }, depth: 1, kinds: [WORKING_GROUP]) {
                   nodes { id } relationships { id } } }"#,
            json!({}),
        )
        .await["neighbourhood"]
        .clone();
    let state = drawn(&chromium).await;
    assert_eq!(ids(&state["nodes"]), ids(&expected["nodes"]));
    assert_eq!(ids(&state["edges"]), ids(&expected["relationships"]));
    assert_eq!(state["nodes"].as_array().map(Vec::len), Some(2));
    let address: String = chromium.eval("window.location.href").await;
    assert!(address.contains("kinds=WORKING_GROUP"), "{address}");
    chromium.close().await;
    app.stop().await;
}
