//! The span and metrics of each GraphQL operation.
//!
//! The span carries `graphql.operation.name` and `graphql.operation.type` (and
//! `graphql.document` only when the operator opts in); variables are never recorded. Metrics
//! carry the operation's type only. Fields get no spans of their own: the loader batches and
//! database statements beneath show where the time went.

use std::borrow::Borrow;
use std::future::Future;
use std::time::Instant;

use async_graphql::Response;
use async_graphql::parser::types::OperationType;
use opentelemetry::KeyValue;
use tracing::Instrument as _;
use tracing::field::Empty;

use super::Metrics;
use crate::error::Code;

fn kind_name(kind: OperationType) -> &'static str {
    match kind {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

/// Runs `work`, the execution of one operation, inside a GraphQL operation span, and records
/// the operation's duration and error codes. `operation` is the type and name of the operation
/// the request selects, when its document parsed; `document` is recorded on the span when given.
///
/// The span is named after the operation: `query Name`, or `GraphQL Operation` when the
/// document does not parse. The operation's name is on the span, never on metrics: clients
/// choose names, and each would make a series of its own.
pub async fn observe<F>(
    metrics: &Metrics,
    document: Option<&str>,
    operation: Option<(OperationType, Option<&str>)>,
    work: F,
) -> F::Output
where
    F: Future,
    F::Output: Borrow<Response>,
{
    let started = Instant::now();
    let span_name = match operation {
        Some((kind, Some(name))) => format!("{} {name}", kind_name(kind)),
        Some((kind, None)) => kind_name(kind).to_owned(),
        None => "GraphQL Operation".to_owned(),
    };
    let kind = operation.map(|(kind, _)| kind_name(kind));
    let name = operation.and_then(|(_, name)| name);
    let span = tracing::info_span!(
        target: "govgraph_api::graphql",
        "GraphQL operation",
        otel.name = span_name,
        otel.status_code = Empty,
        graphql.operation.name = name,
        graphql.operation.type = kind,
        graphql.document = document,
        error.type = Empty,
    );
    let output = work.instrument(span.clone()).await;

    let response: &Response = output.borrow();
    let attributes: Vec<KeyValue> = kind
        .map(|kind| KeyValue::new("graphql.operation.type", kind))
        .into_iter()
        .collect();
    let codes: Vec<Code> = response
        .errors
        .iter()
        .map(|error| Code::of(error).unwrap_or(Code::InternalServerError))
        .collect();
    if let Some(fault) = codes.iter().find(|code| code.is_server_fault()) {
        span.record("otel.status_code", "ERROR");
        span.record("error.type", fault.as_str());
    }
    metrics.graphql_operation(
        started.elapsed(),
        &attributes,
        codes.iter().map(|code| code.as_str()),
    );
    output
}
