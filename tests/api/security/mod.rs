//! The service tried as an attacker would: every hostile shape, limit, transport trick, content
//! type, origin, profile, fault and bad string. A refused request runs no SQL statement, and the
//! service answers a normal query right after; a shape that would cost CPU is refused by its
//! limit, never by a timeout.

mod access;
mod cluster;
mod faults;
mod shape;
mod strings;
mod transport;

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Asserts the service answers an ordinary query.
pub async fn still_serves(app: &TestApp) {
    let data = app
        .data(r#"{ country(code: "SG") { name } }"#, json!({}))
        .await;
    assert_eq!(data["country"]["name"], "Singapore");
}

/// Sends `query` and asserts it is refused with `code` (and, given one, by the limit named
/// `limit`) before any SQL runs, and that a normal query is answered right after. Returns the
/// error.
pub async fn refused(
    app: &TestApp,
    query: &str,
    variables: Value,
    code: &str,
    limit: Option<&str>,
) -> Value {
    let before = app.statements();
    let response = app.post(query, variables).await;
    assert_eq!(
        app.statements(),
        before,
        "a refused request ran SQL: {response:#}"
    );
    let error = response["errors"][0].clone();
    assert_eq!(error["extensions"]["code"], code, "{response:#}");
    if let Some(limit) = limit {
        assert_eq!(error["extensions"]["limit"], limit, "{response:#}");
    }
    assert!(
        response.get("data").is_none(),
        "a request refused before execution has no data: {response:#}"
    );
    still_serves(app).await;
    error
}
