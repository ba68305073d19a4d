//! `/id/{kind}/{key}`: every node's public URL, answering with the node's linked data.
//!
//! The kind is spelt in kebab-case (`/id/working-group/world-bank-cloud-computing`), the key is
//! the node's slug (a country's is its lower-case ISO 3166-1 alpha-2 code, `/id/country/gb`).
//! Content negotiation on `Accept` gives JSON-LD (`application/ld+json`, or the same document as
//! `application/json`) or, for a browser, a `303 See Other` to GraphiQL with the query that
//! fetches the node in its URL. A country's alpha-3 code, and any key in capitals, redirect
//! (`301`) to the canonical URL.
//!
//! The document is made from the public GraphQL API: one query, run by the executor that runs
//! `/graphql` (so its limits, batching and telemetry apply), whose answer is mapped to JSON-LD.
//! The SQL a request costs is that of the query: a few statements, whatever the node's degree.

mod jsonld;
mod kinds;

use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::OperationType;
use async_graphql::{ServerError, Variables};
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::web::Data;
use poem::{Request, Response, handler};
use serde_json::{Value, json};

use self::jsonld::Writer;
use self::kinds::{DESCRIBE, FIND, Kind};
use super::Readiness;
use super::accept::negotiate;
use crate::error::Code;
use crate::execution::{Caller, Executor, Outcome, Params};
use crate::telemetry::Metrics;
use crate::telemetry::graphql::observe;

/// The media type of JSON-LD.
const JSON_LD: &str = "application/ld+json";
/// The media type of JSON, which gets the same document.
const JSON: &str = "application/json";
/// The media type browsers ask for, which gets GraphiQL.
const HTML: &str = "text/html";

/// How long any cache may keep a node's linked data: five minutes, as edits are rare.
const CACHE_CONTROL: &str = "public, max-age=300";

/// What `/id` needs.
pub struct LinkedData {
    executor: Arc<Executor>,
    metrics: Metrics,
    readiness: Readiness,
    public_url: String,
    graphiql: bool,
    trace_documents: bool,
    kinds: Vec<Kind>,
}

/// What a node's key asks for, once read.
enum Key {
    /// The canonical key: the node, if it exists, is described.
    Canonical(String),
    /// Another spelling of a key: answered with a redirect to the canonical one.
    Other(String),
}

impl LinkedData {
    /// Describes nodes with `executor`, counting into `metrics`, once `readiness` says so, under
    /// `public_url`; sends browsers to GraphiQL when `graphiql` is served.
    pub fn new(
        executor: Arc<Executor>,
        metrics: Metrics,
        readiness: Readiness,
        public_url: String,
        graphiql: bool,
        trace_documents: bool,
    ) -> Self {
        Self {
            executor,
            metrics,
            readiness,
            public_url: public_url.trim_end_matches('/').to_owned(),
            graphiql,
            trace_documents,
            kinds: kinds::kinds(),
        }
    }

    /// The media types offered, in order of preference.
    fn offers(&self) -> &'static [&'static str] {
        if self.graphiql {
            &[JSON_LD, JSON, HTML]
        } else {
            &[JSON_LD, JSON]
        }
    }

    /// Reads a key: the slug syntax (lower-case ASCII words joined by single hyphens, at most
    /// 100 characters) in any case; `None` when it cannot be any node's.
    fn key(kind: &Kind, key: &str) -> Option<Key> {
        let lower = key.to_ascii_lowercase();
        let well_formed = (1..=100).contains(&lower.len())
            && lower
                .split('-')
                .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !well_formed {
            return None;
        }
        // A country's slug is its alpha-2 code: its alpha-3 code is another spelling.
        let canonical =
            lower == key && (kind.kind != govgraph_entities::NodeKind::Country || lower.len() != 3);
        Some(if canonical {
            Key::Canonical(lower)
        } else {
            Key::Other(lower)
        })
    }

    async fn answer(&self, request: &Request, segment: &str, key: &str) -> Response {
        let started = Instant::now();
        let Some(kind) = self.kinds.iter().find(|kind| kind.segment == segment) else {
            let known: Vec<&str> = self
                .kinds
                .iter()
                .map(|kind| kind.segment.as_str())
                .collect();
            return not_found(format!(
                "there is no kind `{}`: node URLs are /id/{{kind}}/{{slug}}, the kind one of {}",
                shorten(segment),
                known.join(", ")
            ));
        };
        let Some(key) = Self::key(kind, key) else {
            return self.no_node(kind, key);
        };
        let accept = request
            .headers()
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let accept = request
            .headers()
            .contains_key(header::ACCEPT)
            .then_some(accept);
        let Some(media) = negotiate(accept.as_deref(), self.offers()) else {
            return super::error_response(
                StatusCode::NOT_ACCEPTABLE,
                Code::BadRequest,
                format!(
                    "a node's linked data is served as {}; accept one of them",
                    self.offers().join(", ")
                ),
            );
        };
        if !self.readiness.is_serving() {
            return unavailable(Code::Unavailable);
        }
        let (key, redirect) = match key {
            Key::Canonical(key) => (key, false),
            Key::Other(key) => (key, true),
        };
        if redirect || media == HTML {
            let slug = match self.run(kind, &kind.find, FIND, &key, started).await {
                Ok(node) => node.get("slug").and_then(Value::as_str).map(str::to_owned),
                Err(failure) => return self.failed(kind, &key, failure),
            };
            let Some(slug) = slug else {
                return self.no_node(kind, &key);
            };
            return if redirect {
                see(
                    StatusCode::MOVED_PERMANENTLY,
                    &format!("/id/{}/{slug}", kind.segment),
                )
            } else {
                see(StatusCode::SEE_OTHER, &graphiql(kind, &slug))
            };
        }
        let node = match self
            .run(kind, &kind.describe, DESCRIBE, &key, started)
            .await
        {
            Ok(node) => node,
            Err(failure) => return self.failed(kind, &key, failure),
        };
        let writer = Writer::new(&self.public_url, &self.kinds);
        let Some(document) = writer.document(kind.kind, &node) else {
            tracing::error!(
                kind = kind.type_name,
                "the linked-data query answered without a slug or name"
            );
            return failure_response(Code::InternalServerError);
        };
        let body = match serde_json::to_vec_pretty(&document) {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(error = %error, "a JSON-LD document could not be serialised");
                return failure_response(Code::InternalServerError);
            }
        };
        let tag = entity_tag(media, &body);
        let unchanged = request
            .headers()
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|value| matches_tag(value, &tag));
        let mut response = if unchanged {
            Response::builder()
                .status(StatusCode::NOT_MODIFIED)
                .finish()
        } else {
            Response::builder().content_type(media).body(body)
        };
        let headers = response.headers_mut();
        if let Ok(tag) = HeaderValue::from_str(&tag) {
            headers.insert(header::ETAG, tag);
        }
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        );
        response
    }

    /// Runs operation `operation` of `document` for the node of `kind` with `key`: the node's
    /// answer, or why there is none (no such node is a `NOT_FOUND` failure).
    async fn run(
        &self,
        kind: &Kind,
        document: &str,
        operation: &'static str,
        key: &str,
        started: Instant,
    ) -> Result<Value, Failure> {
        let executor = &self.executor;
        let params = Params {
            query: document.to_owned(),
            operation_name: Some(operation.to_owned()),
            variables: Variables::from_json(json!({ "key": key })),
        };
        let prepared = executor.prepare(document);
        let traced = self.trace_documents.then_some(document);
        let outcome: Outcome = observe(
            &self.metrics,
            traced,
            Some((OperationType::Query, Some(operation))),
            async {
                match prepared {
                    Ok(prepared) => {
                        executor
                            .execute(prepared, params, Caller::default(), started)
                            .await
                    }
                    Err(refused) => *refused,
                }
            },
        )
        .await;
        let response = outcome.response;
        if let Some(code) = failure_code(&response.errors) {
            // Faults of the service are logged where they arise; a refusal of this very query
            // (a limit set too low for it, a document the schema no longer fits) is logged here.
            for error in &response.errors {
                let refused = !matches!(
                    Code::of(error),
                    Some(
                        Code::NotFound
                            | Code::BadUserInput
                            | Code::InternalServerError
                            | Code::Unavailable
                            | Code::Timeout
                    )
                );
                if refused {
                    tracing::error!(
                        kind = kind.type_name,
                        code = Code::of(error).map_or("", Code::as_str),
                        message = %error.message,
                        "the linked-data query was refused"
                    );
                }
            }
            return Err(Failure(code));
        }
        match response.data.into_json() {
            Ok(Value::Object(mut data)) => match data.remove("node") {
                Some(node @ Value::Object(_)) => Ok(node),
                _ => Err(Failure(Code::NotFound)),
            },
            Ok(_) => Err(Failure(Code::NotFound)),
            Err(error) => {
                tracing::error!(error = %error, "a GraphQL answer could not be read as JSON");
                Err(Failure(Code::InternalServerError))
            }
        }
    }

    /// The JSON-LD document of the node of `kind` with `slug`, made as `/id` makes it; `None`
    /// when there is no such node; the code of the failure when the query failed.
    pub async fn document_of(
        &self,
        kind: govgraph_entities::NodeKind,
        slug: &str,
    ) -> Result<Option<Value>, Code> {
        let Some(described) = self.kinds.iter().find(|k| k.kind == kind) else {
            return Ok(None);
        };
        match self
            .run(
                described,
                &described.describe,
                DESCRIBE,
                slug,
                Instant::now(),
            )
            .await
        {
            Ok(node) => Ok(Writer::new(&self.public_url, &self.kinds).document(kind, &node)),
            Err(Failure(Code::NotFound)) => Ok(None),
            Err(Failure(code)) => Err(code),
        }
    }

    fn failed(&self, kind: &Kind, key: &str, failure: Failure) -> Response {
        match failure.0 {
            Code::NotFound => self.no_node(kind, key),
            code => failure_response(code),
        }
    }

    fn no_node(&self, kind: &Kind, key: &str) -> Response {
        let what = kind.segment.replace('-', " ");
        let key = shorten(key);
        not_found(if kind.kind == govgraph_entities::NodeKind::Country {
            format!("there is no country with ISO 3166-1 code `{key}`")
        } else {
            format!("there is no {what} with slug `{key}`")
        })
    }
}

/// Why a query gave no node, as the code of its answer.
struct Failure(Code);

/// The code that decides a failed answer: no node (`NOT_FOUND`, and `BAD_USER_INPUT` for a key
/// that is no country code), else the service's own fault, most telling first.
fn failure_code(errors: &[ServerError]) -> Option<Code> {
    let codes: Vec<Code> = errors
        .iter()
        .map(|error| Code::of(error).unwrap_or(Code::InternalServerError))
        .collect();
    if codes.is_empty() {
        return None;
    }
    for code in [Code::Unavailable, Code::Timeout] {
        if codes.contains(&code) {
            return Some(code);
        }
    }
    if codes
        .iter()
        .all(|code| matches!(code, Code::NotFound | Code::BadUserInput))
    {
        return Some(Code::NotFound);
    }
    Some(
        codes
            .into_iter()
            .find(|code| *code == Code::LimitExceeded)
            .unwrap_or(Code::InternalServerError),
    )
}

/// The answer to a failure of the service: no cause, only a code and words for people.
fn failure_response(code: Code) -> Response {
    match code {
        Code::Unavailable | Code::Timeout => unavailable(code),
        Code::LimitExceeded => super::error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::InternalServerError,
            "the node's linked data is over a limit of the service; the failure has been logged"
                .to_owned(),
        ),
        _ => super::error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::InternalServerError,
            "The service failed to answer; the failure has been logged.".to_owned(),
        ),
    }
}

/// 503 (or 504 for a timeout), to be tried again.
fn unavailable(code: Code) -> Response {
    let (status, message) = if code == Code::Timeout {
        (
            StatusCode::GATEWAY_TIMEOUT,
            "the node's linked data was not ready within the request timeout",
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the service cannot answer now; send the request again in a moment",
        )
    };
    let mut response = super::error_response(status, code, message.to_owned());
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

fn not_found(message: String) -> Response {
    super::error_response(StatusCode::NOT_FOUND, Code::NotFound, message)
}

/// A key or kind cut for a message.
fn shorten(text: &str) -> String {
    text.chars().take(100).collect()
}

/// A redirect to `location`, a path on this server.
fn see(status: StatusCode, location: &str) -> Response {
    let mut response = Response::builder().status(status).finish();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// GraphiQL's page with the query that describes the node of `kind` with `slug` in its URL,
/// where the page reads it from.
fn graphiql(kind: &Kind, slug: &str) -> String {
    let variables = json!({ "key": slug }).to_string();
    let query = serde_urlencoded::to_string([
        ("query", kind.describe.as_str()),
        ("variables", variables.as_str()),
        ("operationName", DESCRIBE),
    ])
    .unwrap_or_default();
    format!("/?{query}")
}

/// A weak entity tag of a representation: FNV-1a of its media type and body. Weak, since
/// compression changes the bytes but not what they say.
fn entity_tag(media: &str, body: &[u8]) -> String {
    let hash = media
        .as_bytes()
        .iter()
        .chain(body)
        .fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("W/\"{hash:016x}\"")
}

/// Whether an `If-None-Match` value names `tag` (weakly) or is `*`.
fn matches_tag(if_none_match: &str, tag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    if_none_match
        .split(',')
        .any(|given| given.trim() == "*" || opaque(given) == opaque(tag))
}

/// `/id/...` asked with a method other than `GET` and `HEAD`.
fn method_not_allowed() -> Response {
    let mut response = super::error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        Code::BadRequest,
        "a node's URL is read with GET or HEAD".to_owned(),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

/// `GET` or `HEAD` `/id/{kind}/{key}`: a node's linked data, or a redirect to it.
#[handler]
pub async fn resource(request: &Request, linked_data: Data<&Arc<LinkedData>>) -> Response {
    let method = request.method();
    let mut response = if method == Method::GET || method == Method::HEAD {
        let segment = request.raw_path_param("kind").unwrap_or_default();
        // Read as sent: a percent-encoded key is no slug, and is refused as such.
        let key = request.raw_path_param("key").unwrap_or_default();
        linked_data.0.answer(request, segment, key).await
    } else {
        method_not_allowed()
    };
    if method == Method::HEAD {
        response.set_body(());
    }
    response.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    response
}

/// `/id/...` that is not `/id/{kind}/{key}`.
#[handler]
pub fn no_resource(request: &Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return method_not_allowed();
    }
    not_found(
        "node URLs are /id/{kind}/{slug}, e.g. /id/country/gb or /id/event/dgx-2022".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_slugs_in_any_case_and_alpha3_codes_are_other_spellings() {
        let kinds = kinds::kinds();
        let country = kinds
            .iter()
            .find(|kind| kind.segment == "country")
            .expect("countries");
        let event = kinds
            .iter()
            .find(|kind| kind.segment == "event")
            .expect("events");
        assert!(matches!(LinkedData::key(country, "gb"), Some(Key::Canonical(k)) if k == "gb"));
        assert!(matches!(LinkedData::key(country, "GB"), Some(Key::Other(k)) if k == "gb"));
        assert!(matches!(LinkedData::key(country, "gbr"), Some(Key::Other(k)) if k == "gbr"));
        assert!(
            matches!(LinkedData::key(event, "dgx-2022"), Some(Key::Canonical(k)) if k == "dgx-2022")
        );
        assert!(matches!(
            LinkedData::key(event, "abc"),
            Some(Key::Canonical(_))
        ));
        for wrong in [
            "",
            "-a",
            "a-",
            "a--b",
            "a_b",
            "a%20b",
            "é",
            &"a".repeat(101),
        ] {
            assert!(LinkedData::key(event, wrong).is_none(), "{wrong}");
        }
    }

    #[test]
    fn failures_are_no_node_only_when_every_error_says_so() {
        let error = |code: Code| code.error("x");
        assert_eq!(failure_code(&[]), None);
        assert_eq!(
            failure_code(&[error(Code::BadUserInput)]),
            Some(Code::NotFound)
        );
        assert_eq!(
            failure_code(&[error(Code::NotFound), error(Code::Timeout)]),
            Some(Code::Timeout)
        );
        assert_eq!(
            failure_code(&[error(Code::NotFound), error(Code::InternalServerError)]),
            Some(Code::InternalServerError)
        );
        assert_eq!(
            failure_code(&[ServerError::new("no code", None)]),
            Some(Code::InternalServerError)
        );
    }

    #[test]
    fn entity_tags_match_weakly_and_by_star() {
        let tag = entity_tag(JSON_LD, b"{}");
        assert!(tag.starts_with("W/\""));
        assert!(matches_tag(&tag, &tag));
        assert!(matches_tag(tag.trim_start_matches("W/"), &tag));
        assert!(matches_tag(&format!("\"other\", {tag}"), &tag));
        assert!(matches_tag("*", &tag));
        assert!(!matches_tag("\"other\"", &tag));
        assert_ne!(entity_tag(JSON_LD, b"{}"), entity_tag(JSON_LD, b"[]"));
        assert_ne!(entity_tag(JSON_LD, b"{}"), entity_tag(JSON, b"{}"));
    }
}
