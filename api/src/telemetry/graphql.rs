//! The span and metrics of each GraphQL operation.
//!
//! The span carries `graphql.operation.name` and `graphql.operation.type` (and
//! `graphql.document` only when the operator opts in); variables are never recorded. Fields get
//! no spans of their own: the loader batches and database statements beneath show where the
//! time went.

use std::future::Future;
use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Request, Response};
use opentelemetry::KeyValue;
use tracing::Instrument as _;
use tracing::field::Empty;

use super::Metrics;

fn kind_name(kind: OperationType) -> &'static str {
    match kind {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

/// The operation `requested` selects in `document`: its type, and its name if it has one.
fn selected(
    document: &ExecutableDocument,
    requested: Option<&str>,
) -> Option<(&'static str, Option<String>)> {
    let (name, operation) = match (&document.operations, requested) {
        (DocumentOperations::Single(operation), _) => (None, operation),
        (DocumentOperations::Multiple(operations), Some(requested)) => operations
            .iter()
            .find(|(name, _)| name.as_str() == requested)
            .map(|(name, operation)| (Some(name), operation))?,
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .iter()
            .next()
            .map(|(name, operation)| (Some(name), operation))?,
        (DocumentOperations::Multiple(_), None) => return None,
    };
    Some((
        kind_name(operation.node.ty),
        name.map(|name| name.to_string()),
    ))
}

/// The `extensions.code` of an error; every error the service returns has one.
fn code_of(error: &async_graphql::ServerError) -> &str {
    match error.extensions.as_ref().and_then(|e| e.get("code")) {
        Some(async_graphql::Value::String(code)) => code,
        _ => "INTERNAL_SERVER_ERROR",
    }
}

/// Codes that mean the service, not the client, failed.
const SERVER_FAULTS: [&str; 2] = ["INTERNAL_SERVER_ERROR", "TIMEOUT"];

/// Runs `request` through `run` inside a GraphQL operation span, and records the operation's
/// duration and error codes. The document is recorded on the span only if `record_document`.
///
/// The document is parsed first (execution reuses the parse), so that the span is named after
/// its operation from the start: `query Name`, or `GraphQL Operation` when it does not parse.
pub async fn observe<F, R>(
    metrics: &Metrics,
    record_document: bool,
    mut request: Request,
    run: R,
) -> Response
where
    R: FnOnce(Request) -> F,
    F: Future<Output = Response>,
{
    let started = Instant::now();
    let requested = request.operation_name.clone();
    let operation = request
        .parsed_query()
        .ok()
        .and_then(|document| selected(document, requested.as_deref()));
    let span_name = match &operation {
        Some((kind, Some(name))) => format!("{kind} {name}"),
        Some((kind, None)) => (*kind).to_owned(),
        None => "GraphQL Operation".to_owned(),
    };
    let (kind, name) = match &operation {
        Some((kind, name)) => (Some(*kind), name.as_deref()),
        None => (None, None),
    };
    let span = tracing::info_span!(
        target: "govgraph_api::graphql",
        "GraphQL operation",
        otel.name = span_name,
        otel.status_code = Empty,
        graphql.operation.name = name,
        graphql.operation.type = kind,
        graphql.document = Empty,
        error.type = Empty,
    );
    if record_document {
        span.record("graphql.document", request.query.as_str());
    }
    let response = run(request).instrument(span.clone()).await;

    let mut attributes = Vec::with_capacity(2);
    if let Some((kind, name)) = operation {
        attributes.push(KeyValue::new("graphql.operation.type", kind));
        if let Some(name) = name {
            attributes.push(KeyValue::new("graphql.operation.name", name));
        }
    }
    let codes: Vec<&str> = response.errors.iter().map(code_of).collect();
    if let Some(fault) = codes.iter().find(|code| SERVER_FAULTS.contains(code)) {
        span.record("otel.status_code", "ERROR");
        span.record("error.type", *fault);
    }
    metrics.graphql_operation(started.elapsed(), &attributes, codes);
    response
}
