//! `/graphql` as the GraphQL-over-HTTP specification has it: `POST` with an `application/json`
//! body, or `GET` with the request in the URL for queries only; the answer as
//! `application/graphql-response+json` when the client accepts it (with status codes that say
//! whether the request was executed) and as `application/json` otherwise.
//!
//! The body is read up to the size cap after any `Content-Encoding` is undone, so a small
//! compressed body cannot inflate past the cap, and within the body-read timeout, so a client
//! trickling its body cannot hold a request open.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::parser::types::OperationType;
use async_graphql::{Response, ServerError, Value, Variables};
use poem::error::ReadBodyError;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::web::Data;
use poem::{Body, Request, handler};
use serde::{Deserialize, Serialize};

use super::Readiness;
use crate::error::Code;
use crate::execution::persisted::{self, DocumentHash, Refused};
use crate::execution::{Caller, Executor, Outcome, Params};
use crate::ftv1;
use crate::telemetry::Metrics;
use crate::telemetry::graphql::observe;

/// The header a gateway presents its key in, under the public profile.
pub const GATEWAY_KEY_HEADER: &str = "govgraph-gateway-key";

/// The media type of GraphQL responses the GraphQL-over-HTTP specification defines.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// What the GraphQL endpoint needs.
pub struct GraphqlHttp {
    /// Runs the requests.
    pub executor: Arc<Executor>,
    /// Where operations are counted.
    pub metrics: Metrics,
    /// Whether operation spans carry their document.
    pub trace_documents: bool,
    /// Whether the service is ready to answer.
    pub readiness: Readiness,
    /// The key that lets a gateway read `_service` under the public profile.
    pub gateway_key: Option<String>,
    /// How long a client has to send a body.
    pub body_read_timeout: Duration,
    /// The `Cache-Control` of a successful answer to a `GET` query.
    pub get_cache_control: HeaderValue,
}

/// The media type of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Media {
    /// `application/json`: status 200 for every GraphQL answer.
    Json,
    /// `application/graphql-response+json`: status 400 for requests refused before execution.
    GraphqlResponseJson,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::Json => "application/json; charset=utf-8",
            Media::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
        }
    }
}

/// The media type to answer in, from the `Accept` header; `None` when it accepts neither.
fn negotiate(accept: Option<&str>) -> Option<Media> {
    let Some(accept) = accept.map(str::trim).filter(|accept| !accept.is_empty()) else {
        return Some(Media::Json);
    };
    let mut best: Option<(f32, u8, Media)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut quality = 1.0f32;
        let mut utf8 = true;
        for parameter in parts {
            let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
            let value = value.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                "q" => quality = value.parse().unwrap_or(0.0),
                "charset" => utf8 = value.eq_ignore_ascii_case("utf-8"),
                _ => {}
            }
        }
        // The most specific range wins among equal qualities; the precise type first.
        let (specificity, chosen) = match media.as_str() {
            GRAPHQL_RESPONSE_JSON => (3, Media::GraphqlResponseJson),
            "application/json" => (2, Media::Json),
            "application/*" | "*/*" => (1, Media::Json),
            _ => continue,
        };
        if quality <= 0.0 || !utf8 {
            continue;
        }
        if best.is_none_or(|(q, s, _)| (quality, specificity) > (q, s)) {
            best = Some((quality, specificity, chosen));
        }
    }
    best.map(|(_, _, media)| media)
}

/// Whether a `Content-Type` is JSON in UTF-8.
fn is_json(content_type: &str) -> bool {
    let mut parts = content_type.split(';').map(str::trim);
    let media = parts.next().unwrap_or_default();
    media.eq_ignore_ascii_case("application/json")
        && parts.all(|parameter| match parameter.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
                value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            _ => true,
        })
}

/// An error answered before any GraphQL runs, in GraphQL's shape.
fn refuse(status: StatusCode, code: Code, message: impl Into<String>) -> poem::Response {
    refusal(status, code, None, message)
}

/// An error answered before any GraphQL runs, naming the limit that refused it if one did.
fn refusal(
    status: StatusCode,
    code: Code,
    limit: Option<&str>,
    message: impl Into<String>,
) -> poem::Response {
    let mut extensions = serde_json::json!({ "code": code.as_str() });
    if let Some(limit) = limit {
        extensions["limit"] = serde_json::Value::from(limit);
    }
    let body = serde_json::json!({
        "errors": [{ "message": message.into(), "extensions": extensions }]
    });
    poem::Response::builder()
        .status(status)
        .content_type(Media::Json.content_type())
        .body(body.to_string())
}

fn method_not_allowed(allow: &'static str, message: &str) -> poem::Response {
    let mut response = refuse(StatusCode::METHOD_NOT_ALLOWED, Code::BadRequest, message);
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// A GraphQL request's parameters in a `POST` body. Variables are read straight into
/// GraphQL values, with no JSON tree in between.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Posted {
    query: Option<serde_json::Value>,
    operation_name: Option<serde_json::Value>,
    variables: Option<Value>,
    extensions: Option<serde_json::Value>,
}

/// A GraphQL request's parameters in a `GET` URL.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InUrl {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// A request's parameters as sent. The document may be missing when a persisted query's hash
/// names it instead.
struct Sent {
    query: Option<String>,
    persisted: Option<DocumentHash>,
    operation_name: Option<String>,
    variables: Variables,
}

/// Checks and converts the parameters of a request, wherever they came from.
fn params(
    query: Option<serde_json::Value>,
    operation_name: Option<serde_json::Value>,
    variables: Option<Value>,
    extensions: Option<serde_json::Value>,
) -> Result<Sent, String> {
    match &extensions {
        None | Some(serde_json::Value::Null | serde_json::Value::Object(_)) => {}
        Some(_) => return Err("`extensions` must be an object".to_owned()),
    }
    let persisted = persisted::requested(extensions.as_ref())?;
    let query = match query {
        Some(serde_json::Value::String(query)) => Some(query),
        None | Some(serde_json::Value::Null) if persisted.is_some() => None,
        Some(_) => return Err("`query` must be a string holding a GraphQL document".to_owned()),
        None => return Err("the request has no `query`: send a GraphQL document in it".to_owned()),
    };
    let operation_name = match operation_name {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(name)) => Some(name),
        Some(_) => return Err("`operationName` must be a string".to_owned()),
    };
    let variables = match variables {
        None | Some(Value::Null) => Variables::default(),
        Some(variables @ Value::Object(_)) => Variables::from_value(variables),
        Some(_) => return Err("`variables` must be an object, by variable name".to_owned()),
    };
    Ok(Sent {
        query,
        persisted,
        operation_name,
        variables,
    })
}

/// The document of a request: the one it sent, or the one its persisted query's hash names.
fn document(executor: &Executor, sent: &mut Sent) -> Result<String, Box<Outcome>> {
    let Some(hash) = sent.persisted else {
        return Ok(sent.query.take().unwrap_or_default());
    };
    executor
        .persisted()
        .resolve(hash, sent.query.take())
        .map_err(|refused| {
            Box::new(Outcome::refused(match refused {
                // The message Apollo's clients look for before sending the document.
                Refused::NotFound => Code::PersistedQueryNotFound.error("PersistedQueryNotFound"),
                Refused::Mismatch => Code::BadRequest.error(
                    "the document's SHA-256 is not the `sha256Hash` of \
                     `extensions.persistedQuery`: send the document that hash names",
                ),
            }))
        })
}

/// The entity tag of the answer to a `GET` query: the schema, the media type, the graph's
/// version and the URL's query string (the document or its hash, the operation and the
/// variables) decide the answer, and so its tag.
fn entity_tag(executor: &Executor, media: Media, version: i64, request: &Request) -> HeaderValue {
    let mut identity = executor.schema_hash().bytes().to_vec();
    identity.extend_from_slice(media.content_type().as_bytes());
    identity.extend_from_slice(&version.to_be_bytes());
    identity.extend_from_slice(request.uri().query().unwrap_or_default().as_bytes());
    let hex = DocumentHash::of_bytes(&identity).hex(16);
    HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or(HeaderValue::from_static("\"\""))
}

/// Whether an `If-None-Match` header names `tag` (or is `*`), compared weakly as RFC 9110
/// asks for `GET`.
fn none_match(if_none_match: &str, tag: &HeaderValue) -> bool {
    let tag = tag.to_str().unwrap_or_default();
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|given| given == "*" || given.trim_start_matches("W/") == tag)
}

/// The parameters of a `GET` request, from its URL.
fn params_in_url(request: &Request) -> Result<Sent, String> {
    let url: InUrl = request
        .params()
        .map_err(|error| format!("the URL's query string cannot be read: {error}"))?;
    params(
        url.query.map(serde_json::Value::String),
        url.operation_name.map(serde_json::Value::String),
        json_in_url("variables", url.variables)?,
        json_in_url("extensions", url.extensions)?,
    )
}

/// The JSON value of parameter `name` of a URL, if it has one.
fn json_in_url<T: serde::de::DeserializeOwned>(
    name: &str,
    text: Option<String>,
) -> Result<Option<T>, String> {
    text.filter(|text| !text.is_empty())
        .map(|text| serde_json::from_str(&text).map_err(|_| format!("`{name}` must be JSON")))
        .transpose()
}

/// The parameters of a `POST` request, from its body.
fn params_in_body(body: &[u8]) -> Result<Sent, String> {
    let posted: Posted = serde_json::from_slice(body)
        .map_err(|error| format!("the body is not a JSON object of a GraphQL request: {error}"))?;
    params(
        posted.query,
        posted.operation_name,
        posted.variables,
        posted.extensions,
    )
}

/// Compares two keys in time that does not depend on where they differ.
fn same_key(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// An answer as the specification serialises it: `errors` first when there are any, `data`
/// only when execution started.
#[derive(Serialize)]
struct Answer<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, Value>,
}

fn serialise(response: &Response, executed: bool) -> Vec<u8> {
    let answer = Answer {
        errors: &response.errors,
        data: executed.then_some(&response.data),
        extensions: &response.extensions,
    };
    serde_json::to_vec(&answer).unwrap_or_else(|error| {
        tracing::error!(error = %error, "an answer could not be serialised");
        br#"{"errors":[{"message":"The service failed to answer; the failure has been logged.","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#.to_vec()
    })
}

/// The HTTP answer to a GraphQL outcome.
fn answer(outcome: &Outcome, media: Media, max_bytes: usize) -> poem::Response {
    let mut body = serialise(&outcome.response, outcome.executed);
    let mut executed = outcome.executed;
    if body.len() > max_bytes {
        let refused = Response::from_errors(vec![{
            let mut error = Code::LimitExceeded.error(format!(
                "Response size limit of {max_bytes} bytes exceeded, found {}: ask for smaller pages or fewer fields.",
                body.len()
            ));
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("limit", "max_response_bytes");
            error
        }]);
        executed = false;
        body = serialise(&refused, false);
    }
    let unavailable = outcome
        .response
        .errors
        .iter()
        .any(|error| Code::of(error) == Some(Code::Unavailable));
    let status = if unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else if media == Media::GraphqlResponseJson && !executed {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut response = poem::Response::builder()
        .status(status)
        .content_type(media.content_type())
        .body(body);
    if unavailable {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// `/graphql`: one GraphQL request over HTTP.
#[handler]
pub async fn graphql(
    request: &Request,
    body: Body,
    endpoint: Data<&Arc<GraphqlHttp>>,
) -> poem::Response {
    let started = Instant::now();
    let endpoint = endpoint.0;
    let method = request.method().clone();
    if method != Method::GET && method != Method::POST {
        return method_not_allowed(
            "GET, POST",
            "send GraphQL requests with POST (or GET for queries)",
        );
    }
    let Some(media) = negotiate(request.header(header::ACCEPT)) else {
        return refuse(
            StatusCode::NOT_ACCEPTABLE,
            Code::BadRequest,
            "this endpoint answers in application/graphql-response+json or application/json (UTF-8); accept one of them",
        );
    };
    let params = if method == Method::POST {
        if !request.content_type().is_some_and(is_json) {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Code::BadRequest,
                "send the request as application/json (UTF-8)",
            );
        }
        let limit = endpoint.executor.limits().max_request_bytes;
        let read = tokio::time::timeout(endpoint.body_read_timeout, body.into_bytes_limit(limit));
        let bytes = match read.await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(ReadBodyError::PayloadTooLarge)) => {
                return refusal(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Code::LimitExceeded,
                    Some("max_request_bytes"),
                    format!(
                        "Request body limit of {limit} bytes exceeded (once decompressed): send a smaller request."
                    ),
                );
            }
            Ok(Err(error)) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    Code::BadRequest,
                    format!("the request body cannot be read: {error}"),
                );
            }
            Err(_) => {
                return refuse(
                    StatusCode::REQUEST_TIMEOUT,
                    Code::Timeout,
                    "the request body did not arrive in time",
                );
            }
        };
        params_in_body(&bytes)
    } else {
        params_in_url(request)
    };
    let mut sent = match params {
        Ok(sent) => sent,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, Code::BadRequest, message),
    };
    if !endpoint.readiness.is_serving() {
        return answer(
            &Outcome {
                response: Response::from_errors(vec![Code::Unavailable.error(
                    "the service is starting and its database is not ready yet; send the request again in a moment",
                )]),
                executed: false,
            },
            media,
            usize::MAX,
        );
    }
    let executor = &endpoint.executor;
    let query = match document(executor, &mut sent) {
        Ok(query) => query,
        Err(refused) => return answer(&refused, media, usize::MAX),
    };
    let params = Params {
        query,
        operation_name: sent.operation_name,
        variables: sent.variables,
    };
    let prepared = executor.prepare(&params.query);
    let operation: Option<(OperationType, Option<String>)> = prepared
        .as_ref()
        .ok()
        .and_then(|prepared| prepared.operation(params.operation_name.as_deref()))
        .map(|(kind, name)| (kind, name.map(str::to_owned)));
    if method == Method::GET && matches!(operation, Some((OperationType::Mutation, _))) {
        return method_not_allowed("POST", "mutations are sent with POST, never GET");
    }
    // A `GET` query's answer is tagged with the graph's version: while the graph has not
    // changed, a client or cache that holds it is answered 304 and nothing runs.
    let tag = match (&method, &prepared) {
        (&Method::GET, Ok(_)) => executor
            .graph_version()
            .await
            .ok()
            .map(|version| entity_tag(executor, media, version, request)),
        _ => None,
    };
    if let Some(tag) = &tag
        && request
            .header(header::IF_NONE_MATCH)
            .is_some_and(|given| none_match(given, tag))
    {
        return poem::Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, tag.clone())
            .header(header::CACHE_CONTROL, endpoint.get_cache_control.clone())
            .header(header::VARY, "Accept")
            .finish();
    }
    let caller = Caller {
        trace: request.header(ftv1::HEADER) == Some("ftv1"),
        gateway: match (&endpoint.gateway_key, request.header(GATEWAY_KEY_HEADER)) {
            (Some(expected), Some(given)) => same_key(given.as_bytes(), expected.as_bytes()),
            _ => false,
        },
    };
    // Copied only when the operator asks for documents on spans.
    let document = endpoint.trace_documents.then(|| params.query.clone());
    let operation = operation
        .as_ref()
        .map(|(kind, name)| (*kind, name.as_deref()));
    let outcome = observe(&endpoint.metrics, document.as_deref(), operation, async {
        match prepared {
            Ok(prepared) => executor.execute(prepared, params, caller, started).await,
            Err(refused) => *refused,
        }
    })
    .await;
    let mut response = answer(&outcome, media, executor.limits().max_response_bytes);
    if let Some(tag) = tag
        && outcome.response.errors.is_empty()
        && response.status() == StatusCode::OK
    {
        let headers = response.headers_mut();
        headers.insert(header::ETAG, tag);
        headers.insert(header::CACHE_CONTROL, endpoint.get_cache_control.clone());
        headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_graphql_response_json_only_when_asked_for() {
        assert_eq!(negotiate(None), Some(Media::Json));
        assert_eq!(negotiate(Some("*/*")), Some(Media::Json));
        assert_eq!(negotiate(Some("application/json")), Some(Media::Json));
        assert_eq!(
            negotiate(Some("application/graphql-response+json")),
            Some(Media::GraphqlResponseJson)
        );
        assert_eq!(
            negotiate(Some(
                "application/json;q=0.9, application/graphql-response+json"
            )),
            Some(Media::GraphqlResponseJson)
        );
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(Media::Json)
        );
        assert_eq!(negotiate(Some("text/html")), None);
        assert_eq!(negotiate(Some("application/json; charset=utf-16")), None);
        assert_eq!(negotiate(Some("application/json;q=0")), None);
    }

    #[test]
    fn only_utf8_json_bodies_are_graphql_requests() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=UTF-8"));
        assert!(!is_json("application/json; charset=latin1"));
        assert!(!is_json("text/plain;charset=UTF-8"));
        assert!(!is_json("application/graphql"));
    }

    #[test]
    fn a_body_without_a_string_query_or_with_odd_variables_is_refused() {
        assert!(params_in_body(br#"{"query":"{ a }"}"#).is_ok());
        for body in [
            r#"{"notquery":"{ a }"}"#,
            r#"{"query":1}"#,
            r#"{"query":"{ a }","variables":[]}"#,
            r#"{"query":"{ a }","operationName":2}"#,
            r#"{"query":"{ a }","extensions":"x"}"#,
            r#"[{"query":"{ a }"}]"#,
            "{ not json",
        ] {
            assert!(params_in_body(body.as_bytes()).is_err(), "{body}");
        }
    }

    #[test]
    fn keys_compare_whole() {
        assert!(same_key(b"secret", b"secret"));
        assert!(!same_key(b"secreT", b"secret"));
        assert!(!same_key(b"secret!", b"secret"));
    }
}
