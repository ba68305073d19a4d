//! Who may use what: cross-origin callers only when the operator names their origin, and under
//! the public profile no introspection, suggestions, GraphiQL or public metrics, and `_service`
//! only for a gateway with its key.

use govgraph_api::config::{Access, Profile};
use serde_json::json;

use super::refused;
use crate::helpers::TestApp;

const DASHBOARD: &str = "https://dashboard.example.org";

/// A POST from a page of `origin`: the origin it is allowed to read the answer from, if any.
async fn post_from(app: &TestApp, origin: &str) -> Option<String> {
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("origin", origin)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("answered");
    response
        .headers()
        .get("access-control-allow-origin")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// A CORS preflight of a POST to `/graphql` from `origin`: the origin it is allowed, if any.
async fn preflight(app: &TestApp, origin: &str) -> Option<String> {
    let response = app
        .http
        .request(reqwest::Method::OPTIONS, app.url("/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("answered");
    response
        .headers()
        .get("access-control-allow-origin")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test]
async fn no_origin_may_call_from_a_browser_unless_the_operator_names_it() {
    let app = TestApp::spawn().await;
    assert_eq!(preflight(&app, DASHBOARD).await, None);
    assert_eq!(post_from(&app, DASHBOARD).await, None);
    app.stop().await;
}

#[tokio::test]
async fn a_named_origin_may_call_and_others_may_not() {
    let app = TestApp::spawn_configured(|settings| {
        settings.access.cors_origins = vec![DASHBOARD.to_owned()];
    })
    .await;
    assert_eq!(preflight(&app, DASHBOARD).await.as_deref(), Some(DASHBOARD));
    assert_eq!(preflight(&app, "https://elsewhere.example.org").await, None);
    assert_eq!(post_from(&app, DASHBOARD).await.as_deref(), Some(DASHBOARD));
    assert_eq!(post_from(&app, "https://elsewhere.example.org").await, None);
    app.stop().await;
}

/// The service under the public profile, whose gateway key is `k3y`.
async fn public() -> TestApp {
    TestApp::spawn_configured(|settings| {
        settings.access = Access {
            profile: Profile::Public,
            gateway_key: Some("k3y".to_owned()),
            ..Access::default()
        };
    })
    .await
}

#[tokio::test]
async fn the_public_profile_hides_the_schema_and_graphiql_but_keeps_the_explorer() {
    let app = public().await;
    refused(
        &app,
        "{ __schema { types { name } } }",
        json!({}),
        "GRAPHQL_VALIDATION_FAILED",
        None,
    )
    .await;
    let error = refused(
        &app,
        r#"{ country(code: "SG") { nam } }"#,
        json!({}),
        "GRAPHQL_VALIDATION_FAILED",
        None,
    )
    .await;
    let message = error["message"].as_str().unwrap_or_default();
    assert!(!message.contains("name"), "a suggestion: {message}");
    // The explorer asks only what any client may ask, so it stays.
    for (path, expected) in [
        ("/", 404),
        ("/graphiql/graphiql.min.js", 404),
        ("/metrics", 404),
        ("/explore", 200),
        ("/explore/explore.min.js", 200),
    ] {
        let status = app
            .http
            .get(app.url(path))
            .send()
            .await
            .expect("answered")
            .status();
        assert_eq!(status, expected, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_development_profile_suggests_fields() {
    let app = TestApp::spawn().await;
    let response = app
        .post(r#"{ country(code: "SG") { nam } }"#, json!({}))
        .await;
    let message = response["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("name"), "no suggestion: {message}");
    app.stop().await;
}

#[tokio::test]
async fn under_the_public_profile_only_a_gateway_with_its_key_reads_the_service_sdl() {
    let app = public().await;
    let ask = |key: Option<&'static str>| {
        let mut request = app
            .http
            .post(app.url("/graphql"))
            .json(&json!({ "query": "{ _service { sdl } }" }));
        if let Some(key) = key {
            request = request.header("govgraph-gateway-key", key);
        }
        async move {
            let response: serde_json::Value = request
                .send()
                .await
                .expect("answered")
                .json()
                .await
                .expect("JSON");
            response
        }
    };
    for key in [None, Some("wrong")] {
        let before = app.statements();
        let response = ask(key).await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{key:?}"
        );
        assert!(response.get("data").is_none());
        assert_eq!(app.statements(), before);
    }
    let response = ask(Some("k3y")).await;
    let sdl = response["data"]["_service"]["sdl"]
        .as_str()
        .unwrap_or_default();
    assert!(sdl.contains("type Country"), "{response}");
    app.stop().await;
}
