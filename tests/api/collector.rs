//! A fake OpenTelemetry collector on a loopback port: it decodes what OTLP exporters send it,
//! over HTTP/protobuf or gRPC, and keeps it for the test to read.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use govgraph_api::server::{self, RunningServer};
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::ResourceMetrics;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use poem::web::Data;
use poem::{EndpointExt, Response, Route, handler, post};
use prost::Message;
use tokio::sync::oneshot;

/// What the collector has received so far.
#[derive(Clone, Default)]
pub struct Received {
    spans: Arc<Mutex<Vec<ResourceSpans>>>,
    metrics: Arc<Mutex<Vec<ResourceMetrics>>>,
}

impl Received {
    /// Every span received, with the resource it came under.
    pub fn spans(&self) -> Vec<(Vec<KeyValue>, Span)> {
        let batches = self.spans.lock().unwrap();
        let mut spans = Vec::new();
        for batch in batches.iter() {
            let resource = batch
                .resource
                .as_ref()
                .map(|r| r.attributes.clone())
                .unwrap_or_default();
            for scope in &batch.scope_spans {
                for span in &scope.spans {
                    spans.push((resource.clone(), span.clone()));
                }
            }
        }
        spans
    }

    /// The names of every metric received.
    pub fn metric_names(&self) -> Vec<String> {
        let batches = self.metrics.lock().unwrap();
        batches
            .iter()
            .flat_map(|batch| &batch.scope_metrics)
            .flat_map(|scope| &scope.metrics)
            .map(|metric| metric.name.clone())
            .collect()
    }
}

/// The value of attribute `key`, as text (integers in decimal).
pub fn attribute(attributes: &[KeyValue], key: &str) -> Option<String> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(text)
}

/// The value of attribute `key` when it was sent as an integer, as the conventions ask of
/// counts and status codes.
pub fn int_attribute(attributes: &[KeyValue], key: &str) -> Option<i64> {
    let value = attributes.iter().find(|kv| kv.key == key)?.value.as_ref()?;
    match value.value.as_ref()? {
        any_value::Value::IntValue(int) => Some(*int),
        _ => None,
    }
}

fn text(value: &AnyValue) -> Option<String> {
    match value.value.as_ref()? {
        any_value::Value::StringValue(text) => Some(text.clone()),
        any_value::Value::IntValue(int) => Some(int.to_string()),
        any_value::Value::BoolValue(flag) => Some(flag.to_string()),
        any_value::Value::DoubleValue(double) => Some(double.to_string()),
        other => Some(format!("{other:?}")),
    }
}

#[handler]
fn http_traces(body: Vec<u8>, received: Data<&Received>) -> Response {
    let request = ExportTraceServiceRequest::decode(body.as_slice()).expect("OTLP traces");
    received
        .spans
        .lock()
        .unwrap()
        .extend(request.resource_spans);
    protobuf(ExportTraceServiceResponse::default().encode_to_vec())
}

#[handler]
fn http_metrics(body: Vec<u8>, received: Data<&Received>) -> Response {
    let request = ExportMetricsServiceRequest::decode(body.as_slice()).expect("OTLP metrics");
    received
        .metrics
        .lock()
        .unwrap()
        .extend(request.resource_metrics);
    protobuf(ExportMetricsServiceResponse::default().encode_to_vec())
}

fn protobuf(body: Vec<u8>) -> Response {
    Response::builder()
        .content_type("application/x-protobuf")
        .body(body)
}

/// A collector accepting OTLP over HTTP/protobuf at `/v1/traces` and `/v1/metrics`.
pub struct HttpCollector {
    pub addr: SocketAddr,
    pub received: Received,
    server: RunningServer,
}

impl HttpCollector {
    pub async fn start() -> Self {
        let received = Received::default();
        let app = Route::new()
            .at("/v1/traces", post(http_traces))
            .at("/v1/metrics", post(http_metrics))
            .data(received.clone());
        let server = server::serve(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            app,
            govgraph_api::config::HttpConfig::default(),
        )
        .await
        .expect("collector listens");
        Self {
            addr: server.addr,
            received,
            server,
        }
    }

    pub async fn stop(self) {
        self.server.stop().await.expect("collector stops");
    }
}

#[tonic::async_trait]
impl TraceService for Received {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.spans
            .lock()
            .unwrap()
            .extend(request.into_inner().resource_spans);
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl MetricsService for Received {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        self.metrics
            .lock()
            .unwrap()
            .extend(request.into_inner().resource_metrics);
        Ok(tonic::Response::new(ExportMetricsServiceResponse::default()))
    }
}

/// A collector accepting OTLP over gRPC.
pub struct GrpcCollector {
    pub addr: SocketAddr,
    pub received: Received,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
}

impl GrpcCollector {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("collector listens");
        let addr = listener.local_addr().expect("collector address");
        let received = Received::default();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let router = tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(received.clone()))
            .add_service(MetricsServiceServer::new(received.clone()));
        let incoming = tonic::transport::server::TcpIncoming::from(listener);
        let task = tokio::spawn(router.serve_with_incoming_shutdown(incoming, async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            received,
            shutdown,
            task,
        }
    }

    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        self.task
            .await
            .expect("collector task")
            .expect("collector stops");
    }
}
