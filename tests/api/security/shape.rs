//! Query shapes: every limit refuses before any SQL runs, names itself, and sees through
//! fragments, variables and their defaults, list arguments and introspection.

use std::time::Duration;

use govgraph_api::config::Limits;
use serde_json::{Value, json};

use super::{refused, still_serves};
use crate::helpers::TestApp;

/// The introspection query GraphiQL and code generators send.
pub const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

/// `{ a: f b: f ... }` with `n` aliases of `field`.
fn aliased(n: usize, field: &str) -> String {
    let fields: Vec<String> = (0..n).map(|i| format!("a{i}: {field}")).collect();
    format!("{{ {} }}", fields.join(" "))
}

/// Fragments `F0`..`F{levels}` on Query, each spreading the next `times` times.
fn spreading_fragments(levels: usize, times: usize) -> String {
    let mut query = String::from("{ ...F0 }\n");
    for level in 0..levels {
        let next = format!("...F{} ", level + 1);
        query.push_str(&format!(
            "fragment F{level} on Query {{ {} }}\n",
            next.repeat(times)
        ));
    }
    query.push_str(&format!("fragment F{levels} on Query {{ __typename }}\n"));
    query
}

#[tokio::test]
async fn a_query_deeper_than_the_limit_is_refused() {
    let app = TestApp::spawn().await;
    // 18 levels: `country`, eight times `relationships { nodes`, then `name`.
    let mut query = String::from(r#"{ country(code: "SG") { "#);
    for _ in 0..8 {
        query.push_str("relationships(first: 1) { nodes { ");
    }
    query.push_str("name");
    query.push_str(&" } }".repeat(8));
    query.push_str(" } }");
    let error = refused(
        &app,
        &query,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_query_depth"),
    )
    .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("limit of 16")
    );
    app.stop().await;
}

#[tokio::test]
async fn page_sizes_multiply_the_cost_whether_written_passed_or_defaulted() {
    let app = TestApp::spawn().await;
    let nested = "countries(first: $n) { nodes { relationships(first: $n) { nodes { relationships(first: $n) { nodes { name } } } } } }";
    // Written in the document.
    let written = nested.replace("$n", "100");
    refused(
        &app,
        &format!("{{ {written} }}"),
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_query_cost"),
    )
    .await;
    // Given as a variable.
    let with_variable = format!("query($n: Int) {{ {nested} }}");
    refused(
        &app,
        &with_variable,
        json!({ "n": 100 }),
        "LIMIT_EXCEEDED",
        Some("max_query_cost"),
    )
    .await;
    // Taken from the variable's default.
    let with_default = format!("query($n: Int = 100) {{ {nested} }}");
    refused(
        &app,
        &with_default,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_query_cost"),
    )
    .await;
    // The same shape with small pages runs.
    let data = app.data(&with_default, json!({ "n": 2 })).await;
    assert_eq!(data["countries"]["nodes"].as_array().map(Vec::len), Some(2));
    app.stop().await;
}

#[tokio::test]
async fn the_ids_of_nodes_multiply_what_is_asked_of_each() {
    let app = TestApp::spawn().await;
    let data = app
        .data(r#"{ country(code: "SG") { id } }"#, json!({}))
        .await;
    let id = data["country"]["id"].clone();
    let ids: Vec<Value> = (0..100).map(|_| id.clone()).collect();
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { relationships(first: 100) { nodes { relationships(first: 100) { nodes { name } } } } } }";
    refused(
        &app,
        query,
        json!({ "ids": ids }),
        "LIMIT_EXCEEDED",
        Some("max_query_cost"),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn more_ids_than_nodes_takes_are_refused_before_any_lookup() {
    let app = TestApp::spawn().await;
    let ids: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    let before = app.statements();
    let response = app
        .post(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "LIMIT_EXCEEDED"
    );
    assert_eq!(app.statements(), before);
    still_serves(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn more_entity_representations_than_allowed_are_refused_before_execution() {
    let app = TestApp::spawn().await;
    let representations: Vec<Value> = (0..101)
        .map(|_| json!({ "__typename": "Country", "code": "SG" }))
        .collect();
    refused(
        &app,
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Country { name } } }",
        json!({ "r": representations }),
        "LIMIT_EXCEEDED",
        Some("max_entity_representations"),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn more_aliases_than_allowed_are_refused_even_of_a_root_list() {
    let app = TestApp::spawn().await;
    refused(
        &app,
        &aliased(16, "countries(first: 1) { totalCount }"),
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_aliases"),
    )
    .await;
    // Fifteen are allowed.
    let data = app
        .data(
            &aliased(15, "countries(first: 1) { totalCount }"),
            json!({}),
        )
        .await;
    assert_eq!(data["a14"]["totalCount"], 249);
    app.stop().await;
}

#[tokio::test]
async fn aliases_of_the_schema_are_refused_by_the_alias_limit_and_a_thousand_by_the_size_limit() {
    let app = TestApp::spawn().await;
    let query = aliased(300, "__schema { __typename }");
    refused(
        &app,
        &query,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_aliases"),
    )
    .await;
    let query = aliased(1_000, "__schema { types { name } }");
    refused(
        &app,
        &query,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_document_bytes"),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn more_root_fields_than_allowed_are_refused_even_under_one_name() {
    let app = TestApp::spawn().await;
    let query = format!("{{ {} }}", "countries(first: 1) { totalCount } ".repeat(21));
    refused(
        &app,
        &query,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_root_fields"),
    )
    .await;
    let repeated = format!("{{ {} }}", "__typename ".repeat(1_000));
    refused(
        &app,
        &repeated,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_root_fields"),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn more_directives_on_one_field_than_allowed_are_refused() {
    let app = TestApp::spawn().await;
    let query = format!("{{ __typename {} }}", "@include(if: true) ".repeat(6));
    refused(
        &app,
        &query,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_directives_per_field"),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn more_directives_in_a_document_than_allowed_are_refused_on_fields_spreads_and_fragments() {
    let app = TestApp::spawn().await;
    // 52 directives, two on each field.
    let on_fields = format!(
        r#"{{ country(code: "SG") {{ {} }} }}"#,
        "name @skip(if: false) @include(if: true) ".repeat(26)
    );
    refused(
        &app,
        &on_fields,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_directives"),
    )
    .await;
    // On inline fragments.
    let on_inline = format!(
        r#"{{ country(code: "SG") {{ {} }} }}"#,
        "... on Country @include(if: true) { name } ".repeat(51)
    );
    refused(
        &app,
        &on_inline,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_directives"),
    )
    .await;
    // On spreads of one fragment that carries directives of its own: each spread counts them.
    let on_spreads = format!(
        r#"{{ country(code: "SG") {{ {} }} }} fragment F on Country {{ name @include(if: true) }}"#,
        "...F @skip(if: false) ".repeat(26)
    );
    refused(
        &app,
        &on_spreads,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_directives"),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn fragments_spread_more_often_than_allowed_are_refused() {
    let app = TestApp::spawn().await;
    // Eleven spreads of eleven spreads: 132 once written out.
    refused(
        &app,
        &spreading_fragments(2, 11),
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_fragment_spreads"),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn fragments_spreading_each_other_tenfold_are_refused_by_their_limit_not_by_a_timeout() {
    // With an hour to run, only the limit can refuse it.
    let app = TestApp::spawn_with(Limits {
        request_timeout: Duration::from_secs(3_600),
        ..Limits::default()
    })
    .await;
    let query = spreading_fragments(30, 10);
    assert!(query.len() < 3_000, "{} bytes", query.len());
    refused(
        &app,
        &query,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_fragment_spreads"),
    )
    .await;
    // Through directives on spreads and inline fragments too.
    let mut inline = String::from("{ ...F0 }\n");
    for level in 0..30 {
        inline.push_str(&format!(
            "fragment F{level} on Query {{ {} }}\n",
            format!("... on Query @include(if: true) {{ ...F{} }} ", level + 1).repeat(10)
        ));
    }
    inline.push_str("fragment F30 on Query { __typename }\n");
    let error = refused(&app, &inline, json!({}), "LIMIT_EXCEEDED", None).await;
    assert_ne!(error["extensions"]["code"], "TIMEOUT");
    app.stop().await;
}

#[tokio::test]
async fn a_fragment_cycle_is_refused_at_once() {
    let app = TestApp::spawn_with(Limits {
        request_timeout: Duration::from_secs(3_600),
        ..Limits::default()
    })
    .await;
    let error = refused(
        &app,
        "{ ...A } fragment A on Query { ...B } fragment B on Query { __typename ...A }",
        json!({}),
        "GRAPHQL_VALIDATION_FAILED",
        None,
    )
    .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("within itself")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_directive_is_refused_on_typename_as_on_any_field() {
    let app = TestApp::spawn().await;
    for query in [
        "{ __typename @foo }",
        r#"{ country(code: "SG") { name @foo } }"#,
        "query Q @foo { __typename }",
    ] {
        let error = refused(&app, query, json!({}), "GRAPHQL_VALIDATION_FAILED", None).await;
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains("@foo"),
            "{error}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn documents_longer_than_allowed_in_bytes_or_tokens_are_refused_unparsed() {
    let app = TestApp::spawn().await;
    let long = format!("{{ __typename }} # {}", "x".repeat(15_000));
    refused(
        &app,
        &long,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_document_bytes"),
    )
    .await;
    let many = format!("{{ {} }}", "a ".repeat(2_500));
    refused(
        &app,
        &many,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_document_tokens"),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn introspection_is_priced_and_its_nesting_bounded() {
    let app = TestApp::spawn_with(Limits {
        max_query_cost: 2_000,
        ..Limits::default()
    })
    .await;
    refused(
        &app,
        "{ __schema { types { name fields { name args { name } } } } }",
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_query_cost"),
    )
    .await;
    refused(
        &app,
        r#"{ __type(name: "Query") { fields { type { fields { type { fields { name } } } } } } }"#,
        json!({}),
        "LIMIT_EXCEEDED",
        Some("max_introspection_depth"),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn the_introspection_query_of_graphiql_runs_within_the_default_limits() {
    let app = TestApp::spawn().await;
    let data = app.data(INTROSPECTION, json!({})).await;
    let types = data["__schema"]["types"].as_array().expect("types");
    assert!(types.iter().any(|t| t["name"] == "Country"));
    app.stop().await;
}

#[tokio::test]
async fn an_answer_larger_than_allowed_is_replaced_by_an_error() {
    let app = TestApp::spawn_with(Limits {
        max_response_bytes: 2_000,
        ..Limits::default()
    })
    .await;
    let response = app
        .post("{ countries(first: 100) { nodes { name } } }", json!({}))
        .await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "LIMIT_EXCEEDED"
    );
    assert_eq!(
        response["errors"][0]["extensions"]["limit"],
        "max_response_bytes"
    );
    assert!(response.get("data").is_none());
    still_serves(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn deeply_nested_selections_and_values_are_refused_by_the_parser_without_harm() {
    let app = TestApp::spawn().await;
    let selections = format!("{{ {}__typename{} }}", "a { ".repeat(200), " }".repeat(200));
    refused(&app, &selections, json!({}), "GRAPHQL_PARSE_FAILED", None).await;
    let values = |depth: usize| {
        format!(
            "{{ countries(filter: {{ slugs: {}\"a\"{} }}) {{ totalCount }} }}",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    // Two hundred levels parse, and are no list of slugs.
    refused(&app, &values(200), json!({}), "BAD_USER_INPUT", None).await;
    // Nearly a thousand do not parse.
    refused(&app, &values(990), json!({}), "GRAPHQL_PARSE_FAILED", None).await;
    app.stop().await;
}

#[tokio::test]
async fn the_timeout_covers_the_whole_request_from_its_parse() {
    let app = TestApp::spawn_with(Limits {
        request_timeout: Duration::ZERO,
        ..Limits::default()
    })
    .await;
    let before = app.statements();
    let codes = app.error_codes("{ __typename }", json!({})).await;
    assert_eq!(codes, ["TIMEOUT"]);
    assert_eq!(app.statements(), before);
    app.stop().await;
}
