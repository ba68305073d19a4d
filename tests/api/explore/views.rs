//! Views that a link reopens, and the shortest paths between two nodes.

use serde_json::{Value, json};

use super::{SETTLED, click, drawn, explorer, ids, search_and_choose, set_value};
use crate::helpers::TestApp;

/// The global ID of the node called `name` on the canvas.
fn id_of(state: &Value, name: &str) -> String {
    state["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|node| node["name"] == name)
        .and_then(|node| node["id"].as_str())
        .unwrap_or_else(|| panic!("{name} is not on the canvas"))
        .to_owned()
}

#[tokio::test]
async fn a_views_address_reopens_the_same_view() {
    let app = TestApp::spawn().await;
    let Some(chromium) = explorer("explore::reopen", &app, "/explore").await else {
        return app.stop().await;
    };
    search_and_choose(&chromium, "Singapore").await;
    click(&chromium, "#expand").await;
    set_value(&chromium, "#as-of", "2020").await;
    let before = drawn(&chromium).await;
    let address: String = chromium.eval("window.location.href").await;
    assert!(address.contains("asOf=2020"), "{address}");

    chromium.open(&address).await;
    chromium.until(SETTLED, "the view is drawn again").await;
    let after = drawn(&chromium).await;
    assert_eq!(ids(&after["nodes"]), ids(&before["nodes"]));
    assert_eq!(ids(&after["edges"]), ids(&before["edges"]));
    assert_eq!(after["edges"].as_array().map(Vec::len), Some(4));
    assert_eq!(after["asOf"], "2020");
    assert_eq!(after["selected"], before["selected"]);
    assert_eq!(after["lastError"], Value::Null);
    chromium.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_shortest_paths_drawn_are_those_the_api_finds() {
    let app = TestApp::spawn().await;
    let Some(chromium) = explorer("explore::paths", &app, "/explore").await else {
        return app.stop().await;
    };
    search_and_choose(&chromium, "Singapore").await;
    search_and_choose(&chromium, "Uruguay").await;
    let placed = drawn(&chromium).await;
    set_value(&chromium, "#path-from", &id_of(&placed, "Singapore")).await;
    set_value(&chromium, "#path-to", &id_of(&placed, "Uruguay")).await;
    click(&chromium, "#find-path").await;
    chromium.screenshot("explore-path").await;

    let paths = app
        .data(
            r#"{ paths(from: { code: "SG" }, to: { code: "UY" }, maxHops: 4) {
                   nodes { id } relationships { id } } }"#,
            json!({}),
        )
        .await["paths"]
        .clone();
    let paths = paths.as_array().expect("paths");
    assert!(!paths.is_empty(), "Singapore and Uruguay are linked");
    let state = drawn(&chromium).await;
    let (nodes, edges) = (ids(&state["nodes"]), ids(&state["edges"]));
    for path in paths {
        assert!(ids(&path["nodes"]).is_subset(&nodes), "{path}");
        assert!(ids(&path["relationships"]).is_subset(&edges), "{path}");
    }
    // Nothing but the two nodes and the paths between them.
    let drawn_nodes = paths
        .iter()
        .flat_map(|path| ids(&path["nodes"]))
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(nodes, drawn_nodes);
    let address: String = chromium.eval("window.location.href").await;
    assert!(
        address.contains("from=") && address.contains("to="),
        "{address}"
    );
    chromium.close().await;
    app.stop().await;
}
