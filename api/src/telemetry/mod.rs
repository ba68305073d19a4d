//! What operators see: log lines, OpenTelemetry traces and metrics.
//!
//! Everything is written with `tracing`. One subscriber sends events to the log lines and spans
//! to OpenTelemetry through `tracing-opentelemetry`; the spans follow the semantic conventions
//! (see [`http`], [`graphql`], and the database and loader spans of `store` and `loaders`).
//! Traces and metrics are pushed over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or a
//! signal's own endpoint) is set, with the protocol of `OTEL_EXPORTER_OTLP_PROTOCOL`; without an
//! endpoint no span is recorded, but requests still get trace ids for their log lines.

pub mod graphql;
pub mod http;
mod logs;
pub mod metrics;

use opentelemetry::KeyValue;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::resource::{EnvResourceDetector, TelemetryResourceDetector};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Metadata;
use tracing::subscriber::Interest;
use tracing_subscriber::filter::dynamic_filter_fn;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{Layer as _, Registry};

pub use logs::{LogFormat, with_trace_id};
pub use metrics::Metrics;

/// The environment variables that name where to push each signal.
const TRACES_ENDPOINTS: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
];
const METRICS_ENDPOINTS: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
];

/// Why telemetry could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// An OTLP exporter could not be built from the `OTEL_*` variables.
    #[error("cannot set up the OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    /// The metrics could not be set up.
    #[error(transparent)]
    Metrics(#[from] metrics::MetricsError),
    /// Another subscriber was installed first.
    #[error("cannot install the log subscriber: {0}")]
    Subscriber(#[from] tracing_subscriber::util::TryInitError),
}

/// Whether a signal is pushed: only with an endpoint, and neither when the SDK is disabled or
/// the signal's exporter is `none`.
fn pushes(endpoints: &[&str], exporter: &str) -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|value| !value.trim().is_empty());
    let disabled = std::env::var("OTEL_SDK_DISABLED").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    let none = std::env::var(exporter).is_ok_and(|v| v.trim().eq_ignore_ascii_case("none"));
    !disabled && !none && endpoints.iter().any(|name| set(name))
}

/// The resource every span and metric is reported under: `service.name` is `govgraph` unless
/// `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` says otherwise.
pub fn resource() -> Resource {
    let mut resource = Resource::builder_empty()
        .with_service_name("govgraph")
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .with_detectors(&[
            Box::new(TelemetryResourceDetector),
            Box::new(EnvResourceDetector::new()),
        ]);
    if let Ok(name) = std::env::var("OTEL_SERVICE_NAME")
        && !name.trim().is_empty()
    {
        resource = resource.with_service_name(name);
    }
    resource.build()
}

/// The spans sent to OpenTelemetry: the service's own, never events (whose messages may quote
/// what a client sent).
fn traced(metadata: &Metadata<'_>) -> bool {
    metadata.is_span() && metadata.target().starts_with("govgraph")
}

/// The installed telemetry, flushed by [`Telemetry::shutdown`].
pub struct Telemetry {
    tracer: Option<SdkTracerProvider>,
    /// The metrics of the process.
    pub metrics: Metrics,
}

impl Telemetry {
    /// Installs the global subscriber: log lines in `format`, and spans through OpenTelemetry,
    /// pushed over OTLP when `export` is set and the `OTEL_*` variables name an endpoint.
    /// Must run inside the Tokio runtime (the gRPC exporter lives on it).
    pub fn install(format: LogFormat, export: bool) -> Result<Self, TelemetryError> {
        let resource = resource();
        // Without a collector there is no OpenTelemetry layer at all: spans cost nothing, and
        // requests take their trace ids from their callers or draw their own (see `http`).
        let tracer = if export && pushes(&TRACES_ENDPOINTS, "OTEL_TRACES_EXPORTER") {
            let exporter = opentelemetry_otlp::SpanExporter::builder().build()?;
            Some(
                SdkTracerProvider::builder()
                    .with_resource(resource.clone())
                    .with_batch_exporter(exporter)
                    .build(),
            )
        } else {
            None
        };
        let push_metrics = export && pushes(&METRICS_ENDPOINTS, "OTEL_METRICS_EXPORTER");
        let exporter = if push_metrics {
            Some(opentelemetry_otlp::MetricExporter::builder().build()?)
        } else {
            None
        };
        let metrics = Metrics::new(resource, exporter)?;
        let spans = tracer.as_ref().map(|tracer| {
            tracing_opentelemetry::layer()
                .with_tracer(tracer.tracer("govgraph"))
                .with_location(false)
                .with_threads(false)
                .with_level(false)
                .with_target(false)
                .with_tracked_inactivity(false)
                .with_filter(
                    // Asked every time, never cached as `always`: a cached callsite would skip
                    // the per-layer filter state that another callsite's check (such as
                    // sqlx's notices) may have left stale, and lose spans at random
                    // (tokio-rs/tracing#2519).
                    dynamic_filter_fn(|metadata, _| traced(metadata)).with_callsite_filter(
                        |metadata| {
                            if traced(metadata) {
                                Interest::sometimes()
                            } else {
                                Interest::never()
                            }
                        },
                    ),
                )
        });
        Registry::default()
            .with(spans)
            .with(logs::layer(format))
            .try_init()?;
        Ok(Self { tracer, metrics })
    }

    /// Pushes the spans and metrics still buffered, then stops the exporters.
    pub fn shutdown(self) {
        if let Some(Err(error)) = self.tracer.map(|tracer| tracer.shutdown()) {
            tracing::warn!(error = %error, "traces did not shut down cleanly");
        }
        self.metrics.shutdown();
    }
}
