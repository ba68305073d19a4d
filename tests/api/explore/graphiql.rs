//! From GraphiQL to the picture and back.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{SETTLED, drawn, explorer, ids, search_and_choose};
use crate::browser::Chromium;
use crate::helpers::TestApp;

/// GraphiQL has loaded its editors.
const GRAPHIQL_READY: &str = "document.querySelector('.graphiql-execute-button') !== null";

/// The text of GraphiQL's result pane.
const RESULT: &str = "(document.querySelector('.result-window .CodeMirror') \
                      || {}).CodeMirror?.getValue() || ''";

/// Runs the query in GraphiQL's editor and returns the answer GraphiQL shows.
async fn run_in_graphiql(chromium: &Chromium) -> Value {
    chromium.until(GRAPHIQL_READY, "GraphiQL is ready").await;
    chromium.click(".graphiql-execute-button").await;
    chromium
        .until(
            &format!("{RESULT}.includes('\"data\"')"),
            "GraphiQL shows the answer",
        )
        .await;
    let text: String = chromium.eval(RESULT).await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("GraphiQL shows {text}: {e}"))
}

#[tokio::test]
async fn graphiql_draws_the_nodes_of_its_answer_in_the_explorer() {
    let app = TestApp::spawn().await;
    let Some(chromium) = Chromium::launch("explore::from_graphiql", 1280, 900).await else {
        return app.stop().await;
    };
    let query = r#"{ event(slug: "dgx-2022") { id name
                     participants(first: 50) { edges { node { __typename id name } } } } }"#;
    let address = reqwest::Url::parse_with_params(&app.url("/"), [("query", query)])
        .expect("GraphiQL's address");
    chromium.open(address.as_str()).await;
    let answer = run_in_graphiql(&chromium).await;
    let event = &answer["data"]["event"];
    let mut expected: BTreeSet<String> = event["participants"]["edges"]
        .as_array()
        .expect("participants")
        .iter()
        .map(|edge| edge["node"]["id"].as_str().expect("an id").to_owned())
        .collect();
    expected.insert(event["id"].as_str().expect("the event's id").to_owned());

    chromium.click("#draw-in-explorer").await;
    chromium
        .until(
            &format!("window.location.pathname === '/explore' && {SETTLED}"),
            "the explorer has drawn the answer",
        )
        .await;
    chromium.screenshot("explore-from-graphiql").await;
    let state = drawn(&chromium).await;
    assert_eq!(ids(&state["nodes"]), expected);

    // The relationships drawn are every one among those nodes.
    let among: BTreeSet<String> = app
        .data(
            r#"query ($ids: [ID!]!) { nodes(ids: $ids) { id
                 relationships(first: 100) { edges { node { id } relationship { id } } } } }"#,
            json!({ "ids": expected }),
        )
        .await["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .flat_map(|node| {
            node["relationships"]["edges"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|edge| expected.contains(edge["node"]["id"].as_str().unwrap_or_default()))
        .map(|edge| {
            edge["relationship"]["id"]
                .as_str()
                .expect("an id")
                .to_owned()
        })
        .collect();
    assert!(!among.is_empty());
    assert_eq!(ids(&state["edges"]), among);
    assert_eq!(chromium.outside_requests(), Vec::<String>::new());
    chromium.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_node_opens_in_graphiql_with_its_query_filled_in() {
    let app = TestApp::spawn().await;
    let Some(chromium) = explorer("explore::to_graphiql", &app, "/explore").await else {
        return app.stop().await;
    };
    search_and_choose(&chromium, "Singapore").await;
    let singapore = drawn(&chromium).await["selected"].clone();
    let address: String = chromium
        .eval("document.querySelector('#open-graphiql').href")
        .await;
    assert!(
        address.starts_with(&app.url("/?")),
        "GraphiQL is govgraph's own: {address}"
    );

    chromium.open(&address).await;
    let answer = run_in_graphiql(&chromium).await;
    chromium.screenshot("graphiql-from-explorer").await;
    let node = &answer["data"]["node"];
    assert_eq!(node["id"], singapore);
    assert_eq!(node["name"], "Singapore");
    assert!(
        node["relationships"]["totalCount"].as_u64() >= Some(5),
        "the query asks for its relationships: {node}"
    );
    chromium.close().await;
    app.stop().await;
}
