//! Bad strings: a NUL, another control character or a very long string, wherever a request puts
//! it, is refused as `BAD_USER_INPUT` before SQL; on PostgreSQL a NUL would otherwise fail the
//! statement.

use serde_json::json;

use super::refused;
use crate::helpers::TestApp;

#[tokio::test]
async fn a_nul_in_a_literal_argument_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let error = refused(
        &app,
        r#"{ countries(filter: { search: "Sing\u0000apore" }) { totalCount } }"#,
        json!({}),
        "BAD_USER_INPUT",
        None,
    )
    .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("control character")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_nul_in_a_variable_is_bad_user_input() {
    let app = TestApp::spawn().await;
    for (query, variables) in [
        (
            "query($s: String!) { person(slug: $s) { name } }",
            json!({ "s": "kelley\u{0}lynch" }),
        ),
        (
            "query($c: String!) { country(code: $c) { name } }",
            json!({ "c": "S\u{0}G" }),
        ),
        (
            "query($a: String) { countries(after: $a) { totalCount } }",
            json!({ "a": "\u{0}" }),
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": "Q291bnRyeTo\u{0}" }),
        ),
    ] {
        refused(&app, query, variables, "BAD_USER_INPUT", None).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn a_nul_inside_an_entity_representation_is_bad_user_input() {
    let app = TestApp::spawn().await;
    refused(
        &app,
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Country { name } } }",
        json!({ "r": [{ "__typename": "Country", "code": "S\u{0}G" }] }),
        "BAD_USER_INPUT",
        None,
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn other_control_characters_are_refused_and_tabs_and_newlines_pass() {
    let app = TestApp::spawn().await;
    refused(
        &app,
        "query($s: String) { countries(filter: { search: $s }) { totalCount } }",
        json!({ "s": "\u{1b}[31mred" }),
        "BAD_USER_INPUT",
        None,
    )
    .await;
    let data = app
        .data(
            "query($s: String) { countries(filter: { search: $s }) { totalCount } }",
            json!({ "s": "\tsing\n" }),
        )
        .await;
    assert_eq!(data["countries"]["totalCount"], 0);
    app.stop().await;
}

#[tokio::test]
async fn a_string_longer_than_a_thousand_characters_is_bad_user_input() {
    let app = TestApp::spawn().await;
    refused(
        &app,
        "query($s: String!) { person(slug: $s) { name } }",
        json!({ "s": "a".repeat(1_001) }),
        "BAD_USER_INPUT",
        None,
    )
    .await;
    app.stop().await;
}
