//! govgraph as a Federation 2 subgraph: its SDL, and `_entities` answered entry by entry.

use govgraph_api::config::Limits;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const ENTITIES: &str = r#"
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Country { code name }
    ... on WorkingGroup { slug name }
    ... on Person { name }
    ... on Relationship { predicate role }
  }
}"#;

#[tokio::test]
async fn the_service_sdl_is_schema_graphql_and_links_federation_2_once() {
    let app = TestApp::spawn().await;
    let data = app.data("{ _service { sdl } }", json!({})).await;
    let sdl = data["_service"]["sdl"].as_str().unwrap_or_default();
    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    assert_eq!(sdl, file);
    assert_eq!(sdl.matches("@link(").count(), 1);
    assert!(
        sdl.contains("https://specs.apollo.dev/federation/v2."),
        "no Federation 2 link"
    );
    assert!(
        sdl.contains(r#"type Country implements Node @key(fields: "id") @key(fields: "code")"#)
    );
    assert!(
        sdl.contains(
            r#"type WorkingGroup implements Node @key(fields: "id") @key(fields: "slug")"#
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn entities_come_back_in_order_with_null_for_unknown_keys_and_an_error_for_a_bad_entry() {
    let app = TestApp::spawn().await;
    let ids = app
        .data(
            r#"{ country(code: "JP") { id } person(slug: "kelley-lynch") { id }
                 workingGroup(slug: "world-bank-cloud-computing") { coChairs(first: 1) { edges { relationship { id } } } } }"#,
            json!({}),
        )
        .await;
    let relationship = ids["workingGroup"]["coChairs"]["edges"][0]["relationship"]["id"].clone();
    let representations = json!([
        { "__typename": "Country", "code": "sg" },
        { "__typename": "Country", "id": ids["country"]["id"] },
        { "__typename": "WorkingGroup", "slug": "dgx-2022-ai" },
        { "__typename": "WorkingGroup", "slug": "no-such-group" },
        { "__typename": "Person", "nickname": "kelley" },
        { "__typename": "Person", "id": ids["person"]["id"] },
        { "__typename": "Relationship", "id": relationship },
        { "__typename": "Country", "id": ids["person"]["id"] }
    ]);
    let response = app
        .post(ENTITIES, json!({ "representations": representations }))
        .await;
    assert_eq!(
        response["data"]["_entities"],
        json!([
            { "__typename": "Country", "code": "SG", "name": "Singapore" },
            { "__typename": "Country", "code": "JP", "name": "Japan" },
            { "__typename": "WorkingGroup", "slug": "dgx-2022-ai", "name": "DGX 2022 AI Working Group" },
            null,
            null,
            { "__typename": "Person", "name": "Kelley Lynch" },
            { "__typename": "Relationship", "predicate": "CO_CHAIRS", "role": "co-chair" },
            null
        ])
    );
    let errors = response["errors"].as_array().expect("one error");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["path"], json!(["_entities", 4]));
    assert_eq!(errors[0]["extensions"]["code"], "BAD_USER_INPUT");
    app.stop().await;
}

async fn country_codes(app: &TestApp, count: usize) -> Vec<Value> {
    let data = app
        .data(
            "query($n: Int!) { countries(first: $n) { nodes { code } } }",
            json!({ "n": count }),
        )
        .await;
    data["countries"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| json!({ "__typename": "Country", "code": n["code"] }))
        .collect()
}

#[tokio::test]
async fn an_entities_call_costs_one_statement_per_kind_for_one_or_a_hundred_representations() {
    let app = TestApp::spawn().await;
    let mut costs = Vec::new();
    for count in [1, 100] {
        let representations = country_codes(&app, count).await;
        let before = app.statements();
        let data = app
            .data(ENTITIES, json!({ "representations": representations }))
            .await;
        costs.push(app.store.statements_since(before));
        let entities = data["_entities"].as_array().expect("a list");
        assert_eq!(entities.len(), count);
        assert!(
            entities.iter().all(|e| !e["code"].is_null()),
            "a country was not found"
        );
    }
    assert_eq!(costs[0].len(), 1, "{:#?}", costs[0]);
    assert_eq!(costs[1].len(), 1, "{:#?}", costs[1]);

    // Two kinds of key, two statements.
    let mut representations = country_codes(&app, 99).await;
    representations.push(json!({ "__typename": "WorkingGroup", "slug": "dgx-2022-ai" }));
    let before = app.statements();
    let data = app
        .data(ENTITIES, json!({ "representations": representations }))
        .await;
    assert_eq!(data["_entities"][99]["slug"], "dgx-2022-ai");
    assert_eq!(app.store.statements_since(before).len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn more_representations_than_the_cap_are_refused_whole() {
    let app = TestApp::spawn_with(Limits {
        max_entity_representations: 3,
        ..Limits::default()
    })
    .await;
    let representations = country_codes(&app, 4).await;
    let before = app.statements();
    let response = app
        .post(ENTITIES, json!({ "representations": representations }))
        .await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "LIMIT_EXCEEDED"
    );
    assert_eq!(response["data"], json!(null));
    assert_eq!(app.statements(), before, "a refused call ran statements");
    app.stop().await;
}

async fn traced(app: &TestApp, header: Option<&str>) -> Value {
    let query = r#"{ country(code: "SG") { name relationships(first: 2) { nodes { name } } } }"#;
    let mut request = app
        .http
        .post(app.url("/graphql"))
        .json(&json!({ "query": query }));
    if let Some(value) = header {
        request = request.header(govgraph_api::ftv1::HEADER, value);
    }
    let text = request
        .send()
        .await
        .expect("response")
        .text()
        .await
        .expect("a body");
    crate::spec::checked(query, &json!({}), None, &text).await
}

fn child<'a>(node: &'a govgraph_api::ftv1::Node, name: &str) -> &'a govgraph_api::ftv1::Node {
    use govgraph_api::ftv1::NodeId;
    node.child
        .iter()
        .find(|c| c.id == Some(NodeId::ResponseName(name.to_owned())))
        .unwrap_or_else(|| panic!("no `{name}` under {node:?}"))
}

#[tokio::test]
async fn a_gateway_that_asks_for_ftv1_gets_a_trace_of_every_field_and_nothing_else() {
    use base64::Engine;
    use prost::Message;

    let app = TestApp::spawn().await;
    let plain = traced(&app, None).await;
    assert!(plain.get("extensions").is_none(), "{plain:#}");

    let response = traced(&app, Some("ftv1")).await;
    assert_eq!(response["data"]["country"]["name"], "Singapore");
    let extensions = response["extensions"].as_object().expect("extensions");
    assert_eq!(extensions.keys().collect::<Vec<_>>(), vec!["ftv1"]);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(extensions["ftv1"].as_str().expect("a string"))
        .expect("base64");
    let trace = govgraph_api::ftv1::Trace::decode(bytes.as_slice()).expect("a Trace");

    let (start, end) = (
        trace.start_time.expect("start"),
        trace.end_time.expect("end"),
    );
    assert!((start.seconds, start.nanos) <= (end.seconds, end.nanos));
    assert!(trace.duration_ns > 0);
    let root = trace.root.expect("a root node");
    let country = child(&root, "country");
    assert_eq!(country.r#type, "Country");
    assert_eq!(country.parent_type, "Query");
    assert!(country.start_time <= country.end_time && country.end_time <= trace.duration_ns);
    let relationships = child(country, "relationships");
    assert_eq!(relationships.r#type, "LinkedNodeConnection!");
    let nodes = child(relationships, "nodes");
    assert_eq!(nodes.child.len(), 2, "one node per item of the list");
    assert_eq!(child(&nodes.child[0], "name").r#type, "String!");
    app.stop().await;
}
