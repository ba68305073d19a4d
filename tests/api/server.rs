//! The HTTP surface: GraphiQL and the explorer offline, GET queries, health and readiness.

use govgraph_migration::MigratorTrait;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Every `src="…"` and `href="…"` value of an HTML page.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].to_owned());
                rest = &rest[end..];
            }
        }
    }
    found
}

/// Checks that the page at `path` names no other host and that each file it loads (`files` of
/// them) is served by govgraph under `under`, with its content type; an unknown name is 404.
async fn served_offline(app: &TestApp, path: &str, title: &str, under: &str, files: usize) {
    let page = app.http.get(app.url(path)).send().await.expect("page");
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let html = page.text().await.expect("html");
    assert!(html.contains(title), "{path} is not the {title} page");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{path} names another host"
    );

    // Links within the page itself load nothing.
    let assets: Vec<String> = references(&html)
        .into_iter()
        .filter(|reference| !reference.starts_with('#'))
        .collect();
    assert_eq!(assets.len(), files, "{assets:?}");
    for asset in assets {
        assert!(
            asset.starts_with(under),
            "{asset} is not served by govgraph"
        );
        let response = app.http.get(app.url(&asset)).send().await.expect("asset");
        assert_eq!(response.status(), 200, "{asset}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        let expected = if asset.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(
            content_type.starts_with(expected),
            "{asset}: {content_type}"
        );
        assert!(
            response.bytes().await.expect("body").len() > 1_000,
            "{asset} is empty"
        );
    }
    let missing = app
        .http
        .get(app.url(&format!("{under}missing.js")))
        .send()
        .await
        .expect("response");
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn graphiql_refers_only_to_files_govgraph_serves_itself() {
    let app = TestApp::spawn().await;
    served_offline(&app, "/", "GraphiQL", "/graphiql/", 4).await;
    app.stop().await;
}

#[tokio::test]
async fn the_explorer_refers_only_to_files_govgraph_serves_itself() {
    let app = TestApp::spawn().await;
    served_offline(&app, "/explore", "graph explorer", "/explore/", 2).await;
    app.stop().await;
}

#[tokio::test]
async fn a_query_can_be_sent_with_get() {
    let app = TestApp::spawn().await;
    let query = r#"{ partnership(slug: "gtgp") { acronym } }"#;
    let text = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", query)])
        .send()
        .await
        .expect("response")
        .text()
        .await
        .expect("a body");
    let response = crate::spec::checked(query, &json!({}), None, &text).await;
    assert_eq!(
        response,
        json!({ "data": { "partnership": { "acronym": "GTGP" } } })
    );
    app.stop().await;
}

#[tokio::test]
async fn health_answers_and_readiness_checks_the_database() {
    let app = TestApp::spawn().await;
    let health = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let ready = app
        .http
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<Value>().await.expect("json"),
        json!({ "status": "ready" })
    );
    app.stop().await;
}

#[tokio::test]
async fn readiness_fails_with_the_check_that_failed_when_a_migration_is_pending() {
    let app = TestApp::spawn().await;
    govgraph_migration::Migrator::down(&app.store.db, Some(1))
        .await
        .expect("one migration reverted");
    let ready = app
        .http
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.expect("json");
    assert_eq!(body["failed"], "migrations");
    app.stop().await;
}
