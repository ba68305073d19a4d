//! Repeated documents cost nothing twice: Apollo's automatic persisted queries, and `GET`
//! answers tagged with the graph's version, answered `304 Not Modified` while it stays.

use govgraph_entities::{NodeKind, node};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::TestApp;

const SINGAPORE: &str = r#"{ country(code: "SG") { name code } }"#;

fn sha256(document: &str) -> String {
    Sha256::digest(document.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// POSTs `body` and returns the status and the JSON answer.
async fn post(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let response = app
        .http
        .post(app.url("/graphql"))
        .json(&body)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    (status, response.json().await.expect("a JSON answer"))
}

fn codes(answer: &Value) -> Vec<&str> {
    answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|error| error["extensions"]["code"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_hash_is_refused_until_its_document_is_sent_once_and_then_answers_alone() {
    let app = TestApp::spawn().await;
    let hash = sha256(SINGAPORE);

    let (status, unknown) = post(&app, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(codes(&unknown), ["PERSISTED_QUERY_NOT_FOUND"]);
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");
    assert!(unknown.get("data").is_none(), "{unknown}");

    let (_, registered) = post(
        &app,
        json!({ "query": SINGAPORE, "extensions": persisted(&hash) }),
    )
    .await;
    assert_eq!(registered["data"]["country"]["name"], "Singapore");

    let before = app.statements();
    let (_, by_hash) = post(
        &app,
        json!({ "extensions": persisted(&hash.to_uppercase()) }),
    )
    .await;
    assert_eq!(by_hash, registered);
    assert_eq!(
        app.statements() - before,
        1,
        "the country, and nothing more"
    );

    let (status, mismatch) = post(
        &app,
        json!({ "query": "{ __typename }", "extensions": persisted(&hash) }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(codes(&mismatch), ["BAD_REQUEST"]);
    app.stop().await;
}

#[tokio::test]
async fn a_persisted_query_of_another_version_or_a_malformed_hash_is_a_bad_request() {
    let app = TestApp::spawn().await;
    for extensions in [
        json!({ "persistedQuery": { "version": 2, "sha256Hash": sha256(SINGAPORE) } }),
        json!({ "persistedQuery": { "version": 1, "sha256Hash": "not-a-hash" } }),
        json!({ "persistedQuery": { "sha256Hash": sha256(SINGAPORE) } }),
    ] {
        let (status, answer) = post(&app, json!({ "extensions": extensions })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(codes(&answer), ["BAD_REQUEST"], "{answer}");
    }
    app.stop().await;
}

/// GETs the persisted query of `hash`, with `If-None-Match` when given.
async fn get(app: &TestApp, hash: &str, if_none_match: Option<&str>) -> reqwest::Response {
    let mut request = app
        .http
        .get(app.url("/graphql"))
        .query(&[("extensions", persisted(hash).to_string())]);
    if let Some(tag) = if_none_match {
        request = request.header(IF_NONE_MATCH, tag);
    }
    request.send().await.expect("request sent")
}

#[tokio::test]
async fn a_get_answer_is_not_sent_again_until_the_graph_changes() {
    let app = TestApp::spawn_configured(|settings| {
        settings.access.get_cache_control = "public, max-age=30".to_owned();
    })
    .await;
    let hash = sha256(SINGAPORE);
    post(
        &app,
        json!({ "query": SINGAPORE, "extensions": persisted(&hash) }),
    )
    .await;

    let first = get(&app, &hash, None).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()[CACHE_CONTROL], "public, max-age=30");
    let tag = first.headers()[ETAG].to_str().expect("a tag").to_owned();
    let answer: Value = first.json().await.expect("JSON");
    assert_eq!(answer["data"]["country"]["name"], "Singapore");

    let before = app.statements();
    let again = get(&app, &hash, Some(&tag)).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG], tag.as_str());
    assert_eq!(again.headers()[CACHE_CONTROL], "public, max-age=30");
    assert!(again.bytes().await.expect("a body").is_empty());
    assert_eq!(app.statements() - before, 1, "the graph's version only");
    let weak = get(&app, &hash, Some(&format!("\"other\", W/{tag}"))).await;
    assert_eq!(weak.status(), StatusCode::NOT_MODIFIED);

    let singapore = app.store.node(NodeKind::Country, "sg").await;
    let mut renamed: node::ActiveModel = singapore.into();
    renamed.name = Set("Republic of Singapore".to_owned());
    renamed.update(&app.store.db).await.expect("renamed");

    let changed = get(&app, &hash, Some(&tag)).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()[ETAG], tag.as_str());
    let answer: Value = changed.json().await.expect("JSON");
    assert_eq!(answer["data"]["country"]["name"], "Republic of Singapore");
    app.stop().await;
}

#[tokio::test]
async fn only_successful_get_answers_are_tagged() {
    let app = TestApp::spawn().await;
    let post_answer = app
        .http
        .post(app.url("/graphql"))
        .json(&json!({ "query": SINGAPORE }))
        .send()
        .await
        .expect("sent");
    assert!(post_answer.headers().get(ETAG).is_none());

    let failing = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", r#"{ country(code: "") { name } }"#)])
        .send()
        .await
        .expect("sent");
    assert!(failing.headers().get(ETAG).is_none());
    let answer: Value = failing.json().await.expect("JSON");
    assert!(!codes(&answer).is_empty(), "{answer}");

    let plain = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", SINGAPORE)])
        .send()
        .await
        .expect("sent");
    assert_eq!(plain.headers()[CACHE_CONTROL], "public, no-cache");
    assert!(plain.headers().get(ETAG).is_some());
    app.stop().await;
}

#[tokio::test]
async fn a_request_validated_once_answers_the_same_and_other_variables_are_still_checked() {
    let app = TestApp::spawn().await;
    let query = "query($code: String!) { country(code: $code) { name } }";
    let wrong = json!({ "code": 5 });
    let (_, first_wrong) = post(&app, json!({ "query": query, "variables": wrong })).await;
    let refused = codes(&first_wrong).to_vec();
    assert!(!refused.is_empty(), "{first_wrong}");
    assert!(first_wrong.get("data").is_none(), "{first_wrong}");

    let right = json!({ "query": query, "variables": { "code": "SG" } });
    let (_, first) = post(&app, right.clone()).await;
    let (_, again) = post(&app, right).await;
    assert_eq!(first["data"]["country"]["name"], "Singapore");
    assert_eq!(again, first);

    let (_, wrong_again) = post(&app, json!({ "query": query, "variables": wrong })).await;
    assert_eq!(wrong_again, first_wrong);
    let unknown = json!({ "query": "{ country(code: \"SG\") { population } }" });
    for _ in 0..2 {
        let (_, answer) = post(&app, unknown.clone()).await;
        assert_eq!(codes(&answer), ["GRAPHQL_VALIDATION_FAILED"], "{answer}");
    }
    app.stop().await;
}
