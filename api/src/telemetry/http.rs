//! The HTTP server span and duration metric of every request, continuing the caller's trace.
//!
//! The span follows the HTTP semantic conventions: it is named `{method} {route}` and carries
//! `http.request.method`, `http.route`, `http.response.status_code`, `url.scheme`, `url.path`
//! and `network.protocol.version`, never the query string or any header but `traceparent`.

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

use super::{Metrics, tag_trace_id};

/// The route template a request path matches, if any.
pub type RouteOf = fn(&str) -> Option<&'static str>;

/// Wraps an endpoint with the span and metric of each request.
pub struct HttpTelemetry {
    metrics: Metrics,
    route_of: RouteOf,
}

impl HttpTelemetry {
    /// Records into `metrics`, naming spans after the route `route_of` finds for their path.
    /// An OpenTelemetry span takes its name when it starts, which is before routing runs.
    pub fn new(metrics: Metrics, route_of: RouteOf) -> Self {
        Self { metrics, route_of }
    }
}

impl<E: Endpoint> Middleware<E> for HttpTelemetry {
    type Output = HttpTelemetryEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        HttpTelemetryEndpoint {
            inner,
            metrics: self.metrics.clone(),
            route_of: self.route_of,
        }
    }
}

/// An endpoint wrapped by [`HttpTelemetry`].
pub struct HttpTelemetryEndpoint<E> {
    inner: E,
    metrics: Metrics,
    route_of: RouteOf,
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
        _ => "_OTHER",
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
        let started = Instant::now();
        let method = method_name(request.method());
        let version = protocol_version(request.version());
        let scheme = request.scheme().as_str().to_owned();
        let route = (self.route_of)(request.uri().path());
        let name = match route {
            Some(route) => format!("{method} {route}"),
            None => method.to_owned(),
        };
        let span = tracing::info_span!(
            target: "govgraph_api::http",
            "HTTP request",
            otel.name = name,
            otel.kind = "server",
            otel.status_code = Empty,
            http.request.method = method,
            http.route = route,
            http.response.status_code = Empty,
            url.scheme = %scheme,
            url.path = request.uri().path(),
            network.protocol.version = version,
            client.address = Empty,
            error.type = Empty,
        );
        if let Some(peer) = request.remote_addr().as_socket_addr() {
            span.record("client.address", peer.ip().to_string());
        }
        let parent = TraceContextPropagator::new().extract(&Headers(request.headers()));
        let _ = span.set_parent(parent);
        let trace_id = span.context().span().span_context().trace_id();
        if trace_id != TraceId::INVALID {
            tag_trace_id(&span, trace_id.to_string());
        }

        let response = match self.inner.call(request).instrument(span.clone()).await {
            Ok(response) => response.into_response(),
            Err(error) => error.into_response(),
        };

        let status = response.status();
        let matched = response
            .data::<PathPattern>()
            .map(|pattern| pattern.0.clone());
        span.record("http.response.status_code", status.as_u16());
        let mut attributes = vec![
            KeyValue::new("http.request.method", method),
            KeyValue::new("http.response.status_code", i64::from(status.as_u16())),
            KeyValue::new("url.scheme", scheme),
            KeyValue::new("network.protocol.version", version),
        ];
        if let Some(route) = matched {
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
