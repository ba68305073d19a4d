//! Bad input gets a clear error with a stable code; internals never reach a client.

use govgraph_api::config::Limits;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_malformed_global_id_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let codes = app
        .error_codes(r#"{ node(id: "not-an-id") { id } }"#, json!({}))
        .await;
    assert_eq!(codes, vec!["BAD_USER_INPUT"]);
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_but_well_formed_id_gives_null() {
    let app = TestApp::spawn().await;
    let id = govgraph_api::graph::relay::GlobalId::Node(
        govgraph_entities::NodeKind::Person,
        govgraph_read::ids::NodeId(uuid::Uuid::nil()),
    );
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id.encode().0 }),
        )
        .await;
    assert_eq!(data["node"], json!(null));
    app.stop().await;
}

#[tokio::test]
async fn an_id_of_one_kind_does_not_fetch_a_node_of_another() {
    let app = TestApp::spawn().await;
    let data = app
        .data(r#"{ person(slug: "kelley-lynch") { id } }"#, json!({}))
        .await;
    let person = data["person"]["id"].as_str().expect("an id").to_owned();
    let forged = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let text = String::from_utf8(engine.decode(&person).expect("base64")).expect("text");
        engine.encode(text.replace("Person:", "Country:"))
    };
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": forged }),
        )
        .await;
    assert_eq!(data["node"], json!(null));
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_slug_is_not_found() {
    let app = TestApp::spawn().await;
    let response = app
        .post(r#"{ person(slug: "nobody") { name } }"#, json!({}))
        .await;
    assert_eq!(response["data"]["person"], json!(null));
    assert_eq!(response["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert_eq!(
        response["errors"][0]["message"],
        "there is no Person with slug `nobody`"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_country_code_is_bad_user_input_and_codes_ignore_case() {
    let app = TestApp::spawn().await;
    for code in ["ZZ", "QQQ", "S", "12", "Singapore"] {
        let codes = app
            .error_codes(
                "query($c: String!) { country(code: $c) { name } }",
                json!({ "c": code }),
            )
            .await;
        assert_eq!(codes, vec!["BAD_USER_INPUT"], "{code}");
    }
    let data = app
        .data(
            r#"{ a: country(code: "sgp") { code } b: country(code: "Sg") { alpha3 } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({ "a": { "code": "SG" }, "b": { "alpha3": "SGP" } })
    );
    app.stop().await;
}

#[tokio::test]
async fn page_sizes_outside_one_to_a_hundred_or_both_ends_at_once_are_bad_user_input() {
    let app = TestApp::spawn().await;
    for args in [
        "first: 0",
        "first: 101",
        "last: -1",
        "last: 1000",
        "first: 2, last: 2",
        r#"after: "nonsense""#,
    ] {
        let query = format!("{{ countries({args}) {{ totalCount }} }}");
        let response = app.post(&query, json!({})).await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{args}"
        );
        let message = response["errors"][0]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(
            message.contains("first") || message.contains("last") || message.contains("cursor"),
            "{message}"
        );
    }
    let codes = app
        .error_codes(
            r#"{ country(code: "SG") { memberships(first: 500) { totalCount } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes, vec!["BAD_USER_INPUT"]);
    app.stop().await;
}

#[tokio::test]
async fn documents_that_do_not_parse_or_fit_the_schema_get_their_own_codes() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.error_codes("{ countries {", json!({})).await,
        vec!["GRAPHQL_PARSE_FAILED"]
    );
    assert_eq!(
        app.error_codes("{ planets { name } }", json!({})).await,
        vec!["GRAPHQL_VALIDATION_FAILED"]
    );
    let codes = app
        .error_codes("query($k: [OrganisationKind!]) { organisations(filter: { kinds: $k }) { totalCount } }", json!({ "k": ["PLANET"] }))
        .await;
    assert_eq!(codes, vec!["BAD_USER_INPUT"]);
    app.stop().await;
}

#[tokio::test]
async fn a_query_deeper_than_the_limit_is_refused_before_it_runs() {
    let app = TestApp::spawn_with(Limits {
        max_query_depth: 4,
        ..Limits::default()
    })
    .await;
    let before = app.statements();
    let codes = app
        .error_codes(r#"{ country(code: "SG") { memberships { edges { node { relationships { totalCount } } } } } }"#, json!({}))
        .await;
    assert_eq!(codes, vec!["LIMIT_EXCEEDED"]);
    assert_eq!(app.statements(), before, "a refused query ran statements");
    app.stop().await;
}

#[tokio::test]
async fn a_database_failure_reaches_the_client_as_a_code_without_sql() {
    let app = TestApp::spawn().await;
    app.store
        .db
        .execute_unprepared("DROP TABLE external_id")
        .await
        .expect("table dropped");
    let response = app
        .post(
            r#"{ country(code: "SG") { name externalIds { scheme } } }"#,
            json!({}),
        )
        .await;
    let error = &response["errors"][0];
    assert_eq!(error["extensions"]["code"], "INTERNAL_SERVER_ERROR");
    let text = response.to_string().to_lowercase();
    for leak in [
        "external_id",
        "select",
        "sqlite",
        "postgres",
        "relation",
        "table",
    ] {
        assert!(!text.contains(leak), "`{leak}` reached the client: {text}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_query_that_could_fetch_too_many_rows_is_refused_before_it_runs() {
    let app = TestApp::spawn().await;
    let before = app.statements();
    let query = "{ countries(first: 100) { nodes { relationships(first: 100) { nodes { \
                 relationships(first: 100) { nodes { name } } } } } } }";
    assert_eq!(
        app.error_codes(query, json!({})).await,
        vec!["LIMIT_EXCEEDED"]
    );
    assert_eq!(app.statements(), before, "a refused query ran statements");
    app.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_a_graphql_request_gets_a_coded_error() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");

    let huge = format!(
        r#"{{"query": "{{ __typename }}", "variables": {{ "x": "{}" }} }}"#,
        "x".repeat(2 << 20)
    );
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), 413);
    app.stop().await;
}

#[tokio::test]
async fn a_link_filter_naming_no_node_is_refused_rather_than_matching_nothing() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            r#"{ countries(filter: { linkedTo: [
                { kind: EVENT, slug: "dgx-2022" }
                { kind: EVENT, slug: "dgx-2032" }
            ] }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(response["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert_eq!(
        response["errors"][0]["message"],
        "`linkedTo[1]`: there is no Event with slug `dgx-2032`"
    );
    let id = govgraph_api::graph::relay::GlobalId::Node(
        govgraph_entities::NodeKind::Event,
        govgraph_read::ids::NodeId(uuid::Uuid::nil()),
    );
    let response = app
        .post(
            "query($id: ID!) { countries(filter: { linkedTo: [{ node: $id }] }) { totalCount } }",
            json!({ "id": id.encode().0 }),
        )
        .await;
    assert_eq!(response["errors"][0]["extensions"]["code"], "NOT_FOUND");
    // A node that exists is found, by slug or by ID.
    let dgx = app
        .data(r#"{ event(slug: "dgx-2022") { id } }"#, json!({}))
        .await;
    let data = app
        .data(
            "query($id: ID!) { countries(filter: { linkedTo: [{ node: $id, predicates: [PARTICIPATES_IN] }] }) { totalCount } }",
            json!({ "id": dgx["event"]["id"] }),
        )
        .await;
    assert_eq!(data["countries"]["totalCount"], 14);
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_region_is_refused() {
    let app = TestApp::spawn().await;
    let codes = app
        .error_codes(
            r#"{ countries(filter: { regions: [ATLANTIS] }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes, vec!["BAD_USER_INPUT"]);
    let data = app
        .data(r#"{ country(code: "SG") { region } }"#, json!({}))
        .await;
    assert_eq!(data["country"]["region"], "ASIA");
    app.stop().await;
}

/// Every sort of error the GraphQL library raises by itself, with the code it reaches the
/// client with: the table `govgraph_api::error::code_of_uncoded` and the input types' own codes
/// must keep true.
#[tokio::test]
async fn every_sort_of_error_the_library_raises_reaches_the_client_with_its_code() {
    let app = TestApp::spawn().await;
    let node_id = r#"{ node(id: "not-an-id") { id } }"#;
    let cases: [(&str, &str, serde_json::Value, &str); 14] = [
        (
            "a document that does not parse",
            "{ countries {",
            json!({}),
            "GRAPHQL_PARSE_FAILED",
        ),
        (
            "an unknown field",
            "{ planets { name } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "a missing required argument",
            "{ country { name } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "an unknown argument",
            r#"{ country(code: "SG", planet: 1) { name } }"#,
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "a field of a scalar selected",
            r#"{ country(code: "SG") { name { x } } }"#,
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "an undeclared variable",
            "{ countries(first: $n) { totalCount } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "a literal of the wrong type",
            r#"{ countries(first: "ten") { totalCount } }"#,
            json!({}),
            "BAD_USER_INPUT",
        ),
        (
            "an unknown enum literal",
            "{ countries(filter: { regions: [ATLANTIS] }) { totalCount } }",
            json!({}),
            "BAD_USER_INPUT",
        ),
        (
            "a variable of the wrong type",
            "query($n: Int) { countries(first: $n) { totalCount } }",
            json!({ "n": "ten" }),
            "BAD_USER_INPUT",
        ),
        (
            "an unknown enum value in a variable",
            "query($k: [OrganisationKind!]) { organisations(filter: { kinds: $k }) { totalCount } }",
            json!({ "k": ["PLANET"] }),
            "BAD_USER_INPUT",
        ),
        (
            "a missing required variable",
            "query($c: String!) { country(code: $c) { name } }",
            json!({}),
            "BAD_USER_INPUT",
        ),
        (
            "a required variable given null",
            "query($c: String!) { country(code: $c) { name } }",
            json!({ "c": null }),
            "BAD_USER_INPUT",
        ),
        (
            "a malformed ID, refused by the ID type itself",
            node_id,
            json!({}),
            "BAD_USER_INPUT",
        ),
        (
            "an ID of the wrong sort, refused by the ID type itself",
            "query($id: ID!) { relationship(id: $id) { id } }",
            json!({ "id": "Q291bnRyeTowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA" }),
            "BAD_USER_INPUT",
        ),
    ];
    let mut wrong = Vec::new();
    for (case, query, variables, code) in cases {
        let codes = app.error_codes(query, variables.clone()).await;
        if codes.is_empty() || codes.iter().any(|c| c != code) {
            eprintln!("{case}: {:#}", app.post(query, variables).await);
            wrong.push(format!("{case}: {codes:?}, not [{code}]"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    app.stop().await;
}
