//! The HTTP server span and duration metric of every request, continuing the caller's trace.
//!
//! The span follows the HTTP semantic conventions: it is named `{method} {route}` and carries
//! `http.request.method`, `http.route`, `http.response.status_code`, `url.scheme`, `url.path`,
//! `network.protocol.version` and `network.peer.address`, never the query string or any header
//! but `traceparent` and `tracestate`. The route is known once routing has run: the span is
//! renamed then.

use std::time::Instant;

use opentelemetry::KeyValue;
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::{TraceContextExt as _, TraceId};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use poem::PathPattern;
use poem::http::{HeaderMap, Method, Version};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use tracing::Instrument as _;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use super::{Metrics, with_trace_id};

/// Wraps an endpoint with the span and metric of each request.
pub struct HttpTelemetry {
    metrics: Metrics,
}

impl HttpTelemetry {
    /// Records into `metrics`.
    pub fn new(metrics: Metrics) -> Self {
        Self { metrics }
    }
}

impl<E: Endpoint> Middleware<E> for HttpTelemetry {
    type Output = HttpTelemetryEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        HttpTelemetryEndpoint {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// An endpoint wrapped by [`HttpTelemetry`].
pub struct HttpTelemetryEndpoint<E> {
    inner: E,
    metrics: Metrics,
}

/// Reads W3C trace context from request headers.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}

/// Paths served without a span or a metric: health, readiness and metrics.
const UNTRACED: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// How the conventions name a method that is not one of the standard ones.
const OTHER: &str = "_OTHER";

/// The method as the conventions name it: one of the standard methods, or `_OTHER`, so that a
/// client cannot invent span names or metric series.
fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => OTHER,
    }
}

fn protocol_version(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_2 => "2",
        Version::HTTP_3 => "3",
        _ => "1.1",
    }
}

impl<E: Endpoint> Endpoint for HttpTelemetryEndpoint<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> poem::Result<Response> {
        // Probes and scrapes come every few seconds and say nothing about clients.
        if UNTRACED.contains(&request.uri().path()) {
            return self
                .inner
                .call(request)
                .await
                .map(IntoResponse::into_response);
        }
        let started = Instant::now();
        let method = method_name(request.method());
        let version = protocol_version(request.version());
        let scheme = request.scheme().as_str().to_owned();
        // Named `{method}` until routing names the route; `HTTP` for a method of no standard.
        let name = if method == OTHER { "HTTP" } else { method };
        let span = tracing::info_span!(
            target: "govgraph_api::http",
            "HTTP request",
            otel.name = name,
            otel.kind = "server",
            otel.status_code = Empty,
            http.request.method = method,
            http.request.method_original = Empty,
            http.response.status_code = Empty,
            url.scheme = %scheme,
            url.path = request.uri().path(),
            network.protocol.version = version,
            network.peer.address = Empty,
            error.type = Empty,
        );
        if method == OTHER {
            span.record("http.request.method_original", request.method().as_str());
        }
        if let Some(peer) = request.remote_addr().as_socket_addr() {
            span.record("network.peer.address", peer.ip().to_string());
        }
        let parent = TraceContextPropagator::new().extract(&Headers(request.headers()));
        let inherited = parent.span().span_context().trace_id();
        let _ = span.set_parent(parent);
        let context = span.context();
        // The span's own when spans are exported; else the caller's; else a new one, which
        // still ties the request's log lines together.
        let trace_id = [context.span().span_context().trace_id(), inherited]
            .into_iter()
            .find(|id| *id != TraceId::INVALID)
            .unwrap_or_else(|| TraceId::from(fastrand::u128(1..)));

        let work = self.inner.call(request).instrument(span.clone());
        let response = match with_trace_id(trace_id, work).await {
            Ok(response) => response.into_response(),
            Err(error) => error.into_response(),
        };

        let status = response.status();
        span.record("http.response.status_code", i64::from(status.as_u16()));
        let mut attributes = vec![
            KeyValue::new("http.request.method", method),
            KeyValue::new("http.response.status_code", i64::from(status.as_u16())),
            KeyValue::new("url.scheme", scheme),
            KeyValue::new("network.protocol.version", version),
        ];
        if let Some(PathPattern(route)) = response.data::<PathPattern>() {
            context.span().update_name(format!("{name} {route}"));
            span.set_attribute("http.route", route.to_string());
            attributes.push(KeyValue::new("http.route", route.to_string()));
        }
        if status.is_server_error() {
            span.record("otel.status_code", "ERROR");
            span.record("error.type", status.as_str());
            attributes.push(KeyValue::new("error.type", status.as_str().to_owned()));
        }
        self.metrics.http_request(started.elapsed(), &attributes);
        Ok(response)
    }
}
