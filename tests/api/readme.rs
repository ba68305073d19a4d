//! Every GraphQL example in the README and the docs runs without errors.

use serde_json::json;

use crate::helpers::TestApp;

/// The ```graphql blocks of a Markdown file.
pub(crate) fn examples(markdown: &str) -> Vec<String> {
    markdown
        .split("```graphql\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_example_query_in_the_readme_answers_without_errors() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let queries = examples(&readme);
    assert!(queries.len() >= 7, "only {} examples found", queries.len());
    let app = TestApp::spawn().await;
    for query in queries {
        let response = app.post(&query, json!({})).await;
        assert!(response.get("errors").is_none(), "{query}\n{response:#}");
        assert!(
            response["data"]
                .as_object()
                .is_some_and(|d| d.values().all(|v| !v.is_null())),
            "{query}\n{response:#}"
        );
    }
    app.stop().await;
}
