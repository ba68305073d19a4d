//! What operators see: traces pushed over OTLP, metrics, and log lines with trace ids.

use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde_json::{Value, json};

use crate::collector::{GrpcCollector, HttpCollector, Received, attribute, int_attribute};
use crate::helpers::{TestApp, TestDb};
use crate::process::Service;

/// The caller's trace: a gateway's `traceparent`, sampled.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";

fn traceparent() -> String {
    format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01")
}

/// A variable value that must never leave the process in telemetry.
const NEEDLE: &str = "ingapor";

const NESTED: &str = r#"
query Nested($needle: String!) {
  countries(first: 5, filter: { search: $needle }) {
    edges {
      node {
        code
        memberships(first: 5) {
          edges {
            node {
              name
              ... on WorkingGroup { deliverables(first: 5) { edges { node { name } } } }
            }
          }
        }
      }
    }
  }
}"#;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn http_client() -> reqwest::Client {
    client_waiting(30)
}

/// An HTTP client that gives up on a request after `seconds`.
fn client_waiting(seconds: u64) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(seconds))
        .build()
        .expect("HTTP client")
}

/// Sends the nested query to `service` with `client`, inside the caller's trace.
async fn send_nested_query(client: &reqwest::Client, service: &Service) {
    let variables = json!({ "needle": NEEDLE });
    let text = client
        .post(service.url("/graphql"))
        .header("traceparent", traceparent())
        .header("tracestate", "gateway=1")
        .json(&json!({ "query": NESTED, "variables": variables }))
        .send()
        .await
        .expect("request sent")
        .text()
        .await
        .expect("a response body");
    let response = crate::spec::checked(NESTED, &variables, None, &text).await;
    let codes: Vec<&Value> = response["data"]["countries"]["edges"]
        .as_array()
        .expect("countries")
        .iter()
        .map(|edge| &edge["node"]["code"])
        .collect();
    assert_eq!(codes, [&json!("SG")], "{response:#}");
}

/// Starts the service on `store`, pushing to the collector at `collector` over `protocol`, with
/// `more` variables.
fn start_exporting(
    store: &TestDb,
    collector: SocketAddr,
    protocol: &str,
    more: &[(&str, &str)],
) -> Service {
    let endpoint = format!("http://{collector}");
    let mut envs = vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
    ];
    envs.extend_from_slice(more);
    Service::start(&store.url, &envs)
}

/// Starts the service pushing to `collector` over `protocol`, sends the nested query, and stops
/// it, which flushes what it buffered.
async fn traced_run(collector: SocketAddr, protocol: &str, trace_documents: bool) {
    let store = TestDb::new().await;
    let service = start_exporting(
        &store,
        collector,
        protocol,
        &[
            ("OTEL_SERVICE_NAME", "govgraph-under-test"),
            ("GOVGRAPH_TRACE_DOCUMENTS", &trace_documents.to_string()),
        ],
    );
    send_nested_query(&http_client(), &service).await;
    assert!(service.terminate().status.success());
}

/// The spans of one request: one tree from the HTTP span down to the database statements,
/// all in the caller's trace, with the conventional attributes and no variable values; the
/// operation's document only if `documents` were asked for.
fn assert_one_request_traced(received: &Received, documents: bool) {
    let spans = received.spans();
    assert!(!spans.is_empty(), "no spans received");
    let (resource, _) = &spans[0];
    assert_eq!(
        attribute(resource, "service.name").as_deref(),
        Some("govgraph-under-test")
    );
    for (resource, span) in &spans {
        assert_eq!(
            hex(&span.trace_id),
            TRACE_ID,
            "span {} left the trace",
            span.name
        );
        let everything = format!("{resource:?} {span:?}");
        assert!(
            !everything.contains(NEEDLE),
            "a variable value leaked: {everything}"
        );
    }
    let spans: Vec<&Span> = spans.iter().map(|(_, span)| span).collect();
    let children = |parent: &Span| -> Vec<&Span> {
        spans
            .iter()
            .copied()
            .filter(|span| span.parent_span_id == parent.span_id)
            .collect()
    };
    let attr = |span: &Span, key: &str| attribute(&span.attributes, key);

    let roots: Vec<&Span> = spans
        .iter()
        .copied()
        .filter(|span| hex(&span.parent_span_id) == PARENT_SPAN_ID)
        .collect();
    assert_eq!(
        roots.len(),
        1,
        "one span continues the caller's: {roots:#?}"
    );
    let http = roots[0];
    assert_eq!(http.name, "POST /graphql");
    assert_eq!(http.kind, SpanKind::Server as i32);
    assert_eq!(attr(http, "http.request.method").as_deref(), Some("POST"));
    assert_eq!(attr(http, "http.route").as_deref(), Some("/graphql"));
    assert_eq!(
        int_attribute(&http.attributes, "http.response.status_code"),
        Some(200),
        "the status code is an integer"
    );
    assert_eq!(attr(http, "url.path").as_deref(), Some("/graphql"));
    assert_eq!(attr(http, "url.scheme").as_deref(), Some("http"));
    assert_eq!(
        attr(http, "network.protocol.version").as_deref(),
        Some("1.1")
    );
    assert_eq!(
        http.trace_state, "gateway=1",
        "the caller's tracestate goes on"
    );

    let operations = children(http);
    assert_eq!(operations.len(), 1, "{operations:#?}");
    let operation = operations[0];
    assert_eq!(operation.name, "query Nested");
    assert_eq!(
        attr(operation, "graphql.operation.name").as_deref(),
        Some("Nested")
    );
    assert_eq!(
        attr(operation, "graphql.operation.type").as_deref(),
        Some("query")
    );
    let document = attr(operation, "graphql.document");
    if documents {
        assert_eq!(document.as_deref(), Some(NESTED));
    } else {
        assert_eq!(document, None, "documents are opt-in");
    }

    let under_operation = children(operation);
    let batches: Vec<&Span> = under_operation
        .iter()
        .copied()
        .filter(|span| attr(span, "govgraph.loader.name").is_some())
        .collect();
    let loaders: Vec<(String, String)> = batches
        .iter()
        .map(|b| {
            (
                attr(b, "govgraph.loader.name").unwrap_or_default(),
                attr(b, "govgraph.loader.batch.size").unwrap_or_default(),
            )
        })
        .collect();
    // Singapore's memberships, then the deliverables of all its groups in one batch.
    assert_eq!(loaders.len(), 2, "{loaders:?}");
    assert!(
        loaders.iter().all(|(name, _)| name == "LinkPageOf"),
        "{loaders:?}"
    );
    assert!(
        loaders.contains(&("LinkPageOf".to_owned(), "1".to_owned())),
        "{loaders:?}"
    );
    for batch in &batches {
        let size = int_attribute(&batch.attributes, "govgraph.loader.batch.size");
        assert!(
            size.is_some_and(|size| size >= 1),
            "batch sizes are integers"
        );
    }

    let statements: Vec<&Span> = spans
        .iter()
        .copied()
        .filter(|span| attr(span, "db.system.name").is_some())
        .collect();
    // The page of countries, the memberships, the deliverables: one statement per level.
    assert_eq!(statements.len(), 3, "{statements:#?}");
    for statement in &statements {
        assert_eq!(statement.kind, SpanKind::Client as i32);
        let parent = spans
            .iter()
            .find(|span| span.span_id == statement.parent_span_id)
            .expect("a statement's parent was received");
        assert!(
            parent.span_id == operation.span_id
                || batches.iter().any(|b| b.span_id == parent.span_id),
            "statement under {}",
            parent.name
        );
        let system = attr(statement, "db.system.name").unwrap_or_default();
        assert!(
            ["sqlite", "postgresql"].contains(&system.as_str()),
            "{system}"
        );
        assert!(attr(statement, "db.namespace").is_some());
        assert_eq!(
            attr(statement, "db.operation.name").as_deref(),
            Some("SELECT")
        );
        let rows = int_attribute(&statement.attributes, "db.response.returned_rows");
        assert!(rows.is_some(), "row counts are integers");
        let text = attr(statement, "db.query.text").unwrap_or_default();
        assert!(text.starts_with("SELECT"), "{text}");
        assert!(
            text.contains("$1") || text.contains('?'),
            "parameterised: {text}"
        );
    }
    let under_batches = statements
        .iter()
        .filter(|s| batches.iter().any(|b| b.span_id == s.parent_span_id))
        .count();
    assert_eq!(under_batches, 2, "each batch ran one statement");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traced_request_reaches_an_otlp_http_collector_as_one_tree_in_the_callers_trace() {
    let collector = HttpCollector::start().await;
    traced_run(collector.addr, "http/protobuf", false).await;
    assert_one_request_traced(&collector.received, false);
    let metrics = collector.received.metric_names();
    for name in [
        "http.server.request.duration",
        "govgraph.graphql.operation.duration",
        "govgraph.dataloader.batch.size",
        "db.client.operation.duration",
    ] {
        assert!(
            metrics.iter().any(|m| m == name),
            "{name} not pushed: {metrics:?}"
        );
    }
    collector.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traced_request_reaches_an_otlp_grpc_collector_the_same_way_with_its_document_if_asked() {
    let collector = GrpcCollector::start().await;
    traced_run(collector.addr, "grpc", true).await;
    assert_one_request_traced(&collector.received, true);
    assert!(
        collector
            .received
            .metric_names()
            .iter()
            .any(|m| m == "http.server.request.duration")
    );
    collector.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_succeed_while_the_collector_is_down_or_never_answers() {
    let store = TestDb::new().await;
    // Down: a port nothing listens on. Black hole: a listener that accepts and never answers.
    let down = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let hole = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("black hole listens");
    let hole_addr = hole.local_addr().expect("black hole address");
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = accepted.clone();
    let swallowing = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = hole.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    for (collector, protocol) in [
        (down, "http/protobuf"),
        (hole_addr, "http/protobuf"),
        (hole_addr, "grpc"),
    ] {
        let service = start_exporting(
            &store,
            collector,
            protocol,
            &[
                // An export may hang for a minute; a request must not wait for one.
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "60000"),
                ("OTEL_BSP_SCHEDULE_DELAY", "1"),
                ("OTEL_BSP_MAX_QUEUE_SIZE", "4"),
                ("OTEL_METRIC_EXPORT_INTERVAL", "1"),
            ],
        );
        // Each request must answer well within the export timeout: the client gives up at
        // 10 s, so an export on the request path would fail the request.
        let client = client_waiting(10);
        for _ in 0..20 {
            send_nested_query(&client, &service).await;
        }
        // Stopping flushes into the same dead end, and is bounded all the same.
        assert!(service.terminate().status.success());
    }
    assert!(
        accepted.load(Ordering::SeqCst) > 0,
        "the service never tried to export"
    );
    swallowing.abort();
}

/// Posts `query` to `service`, with a `traceparent` when given, and returns the answer.
async fn post(service: &Service, query: &str, traceparent: Option<String>) -> Value {
    let mut request = http_client()
        .post(service.url("/graphql"))
        .json(&json!({ "query": query }));
    if let Some(traceparent) = traceparent {
        request = request.header("traceparent", traceparent);
    }
    let text = request
        .send()
        .await
        .expect("request sent")
        .text()
        .await
        .expect("a response body");
    crate::spec::checked(query, &json!({}), None, &text).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_inside_a_request_carry_its_trace_id() {
    let store = TestDb::new().await;
    let service = Service::start(&store.url, &[("RUST_LOG", "govgraph_api=debug")]);
    let unknown = r#"{ country(code: "ZZ") { name } }"#;
    for traceparent in [Some(traceparent()), None] {
        let response = post(&service, unknown, traceparent).await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT"
        );
    }
    let stopped = service.terminate();
    assert!(stopped.status.success());
    let rejected: Vec<&Value> = stopped
        .logs
        .iter()
        .filter(|line| line["message"] == "request rejected")
        .collect();
    assert_eq!(rejected.len(), 2, "{:#?}", stopped.logs);
    assert_eq!(rejected[0]["level"], "DEBUG");
    assert_eq!(rejected[0]["code"], "BAD_USER_INPUT");
    // The first continues the caller's trace; the second, without one, starts its own.
    assert_eq!(rejected[0]["trace_id"], TRACE_ID);
    let own = rejected[1]["trace_id"].as_str().expect("a trace id");
    assert_eq!(own.len(), 32, "{own}");
    assert!(own.bytes().all(|b| b.is_ascii_hexdigit()), "{own}");
    assert_ne!(own, TRACE_ID);
    assert_ne!(own, "0".repeat(32));
    let started = stopped
        .logs
        .iter()
        .find(|line| {
            line["message"]
                .as_str()
                .is_some_and(|m| m.contains("is listening"))
        })
        .expect("a start-up line");
    assert!(
        started.get("trace_id").is_none(),
        "outside requests there is no trace"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_listener_serves_the_metrics_that_leave_the_public_listener() {
    let store = TestDb::new().await;
    let service = Service::start(&store.url, &[("GOVGRAPH_ADMIN_LISTEN", "127.0.0.1:0")]);
    let admin: SocketAddr = service
        .logs_so_far()
        .iter()
        .find(|line| {
            line["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("admin routes"))
        })
        .and_then(|line| line["address"].as_str()?.parse().ok())
        .expect("the admin listener's address is logged");
    let response = post(&service, "{ countries(first: 1) { totalCount } }", None).await;
    assert_eq!(response["data"]["countries"]["totalCount"], 249);

    let client = http_client();
    let public = client
        .get(service.url("/metrics"))
        .send()
        .await
        .expect("sent");
    assert_eq!(public.status(), 404);
    let metrics = scrape(&client, format!("http://{admin}/metrics")).await;
    let requests = total(
        &metrics,
        "http_server_request_duration_seconds_count",
        &[("http_route", "/graphql")],
    );
    assert_eq!(requests, 1.0);
    let ready = client
        .get(format!("http://{admin}/readyz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(ready.status(), 200);
    assert!(service.terminate().status.success());
}

/// The samples of a Prometheus text exposition, by metric name, each with its labels.
type Samples = HashMap<String, Vec<(BTreeMap<String, String>, f64)>>;

fn samples(text: &str) -> Samples {
    let mut samples: HashMap<String, Vec<_>> = HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (series, value) = line.rsplit_once(' ').expect("a sample line");
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => (name, labels.trim_end_matches('}')),
            None => (series, ""),
        };
        let labels = labels
            .split("\",")
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').expect("label=value");
                (key.to_owned(), value.trim_matches('"').to_owned())
            })
            .collect();
        samples
            .entry(name.to_owned())
            .or_default()
            .push((labels, value.parse().expect("a number")));
    }
    samples
}

/// The sum of `name`'s samples whose labels include every pair of `with`.
fn total(samples: &Samples, name: &str, with: &[(&str, &str)]) -> f64 {
    samples
        .get(name)
        .into_iter()
        .flatten()
        .filter(|(labels, _)| {
            with.iter()
                .all(|(k, v)| labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, value)| value)
        .sum()
}

async fn scrape(client: &reqwest::Client, url: String) -> Samples {
    let response = client.get(url).send().await.expect("scraped");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    samples(&response.text().await.expect("metrics text"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_the_requests_operations_errors_batches_and_statements_sent() {
    let app = TestApp::spawn().await;
    let before = app.statements();
    for _ in 0..3 {
        app.data(NESTED, json!({ "needle": NEEDLE })).await;
    }
    assert_eq!(
        app.error_codes("{ country(", json!({})).await,
        ["GRAPHQL_PARSE_FAILED"]
    );
    let codes = app
        .error_codes(
            r#"query Missing { country(code: "ZZ") { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes, ["BAD_USER_INPUT"]);
    let statements = app.store.statements_since(before).len();
    for probe in ["/healthz", "/readyz", "/metrics"] {
        let status = app
            .http
            .get(app.url(probe))
            .send()
            .await
            .expect("answered")
            .status();
        assert_eq!(status, 200, "{probe}");
    }

    let metrics = scrape(&app.http, app.url("/metrics")).await;
    // Probes and scrapes are neither traced nor counted.
    let routes: Vec<&String> = metrics
        .get("http_server_request_duration_seconds_count")
        .into_iter()
        .flatten()
        .filter_map(|(labels, _)| labels.get("http_route"))
        .collect();
    assert!(
        routes.iter().all(|route| *route == "/graphql"),
        "{routes:?}"
    );
    let requests = total(
        &metrics,
        "http_server_request_duration_seconds_count",
        &[
            ("http_request_method", "POST"),
            ("http_route", "/graphql"),
            ("http_response_status_code", "200"),
        ],
    );
    assert_eq!(requests, 5.0);
    // Four parsed queries, counted by type; clients' operation names make no series.
    let queries = total(
        &metrics,
        "govgraph_graphql_operation_duration_seconds_count",
        &[("graphql_operation_type", "query")],
    );
    assert_eq!(queries, 4.0);
    assert!(
        !metrics
            .values()
            .flatten()
            .any(|(labels, _)| labels.contains_key("graphql_operation_name")),
        "an operation name became a metric attribute"
    );
    assert_eq!(
        total(
            &metrics,
            "govgraph_graphql_operation_duration_seconds_count",
            &[]
        ),
        5.0
    );
    let errors = |code: &str| {
        total(
            &metrics,
            "govgraph_graphql_errors_total",
            &[("error_type", code)],
        )
    };
    assert_eq!(errors("GRAPHQL_PARSE_FAILED"), 1.0);
    assert_eq!(errors("BAD_USER_INPUT"), 1.0);
    assert_eq!(total(&metrics, "govgraph_graphql_errors_total", &[]), 2.0);
    // Each nested query: one batch of one country's memberships, one of its groups' deliverables.
    let batches = total(
        &metrics,
        "govgraph_dataloader_batch_size_count",
        &[("govgraph_loader_name", "LinkPageOf")],
    );
    assert_eq!(batches, 6.0);
    let statement_count = total(&metrics, "db_client_operation_duration_seconds_count", &[]);
    assert_eq!(statement_count, statements as f64);
    assert_eq!(
        total(
            &metrics,
            "db_client_connection_wait_time_seconds_count",
            &[]
        ),
        statements as f64
    );
    assert_eq!(total(&metrics, "db_client_connection_max", &[]), 8.0);
    let open = total(&metrics, "db_client_connection_count", &[]);
    assert!((1.0..=8.0).contains(&open), "{open} connections");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_names_the_graphiql_address_and_logs_no_database_notices() {
    let store = TestDb::new().await;
    let service = Service::start(&store.url, &[]);
    let address = service.addr;
    let stopped = service.terminate();
    assert!(stopped.status.success());
    let messages: Vec<&str> = stopped
        .logs
        .iter()
        .filter_map(|line| line["message"].as_str())
        .collect();
    let listening = messages
        .iter()
        .find(|m| m.contains("is listening"))
        .expect("a start-up line");
    assert!(
        listening.contains(&format!("GraphiQL at http://{address}/")),
        "{listening}"
    );
    assert!(
        !messages.iter().any(|m| m.contains("already exists")),
        "{messages:#?}"
    );
}
