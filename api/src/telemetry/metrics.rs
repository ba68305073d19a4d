//! The service's metrics: one OpenTelemetry meter, read as Prometheus text at `/metrics` and,
//! when a collector is configured, pushed to it over OTLP.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{
    Counter, Histogram, Meter, MeterProvider as _, ObservableUpDownCounter,
};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use prometheus::{Encoder as _, TextEncoder};
use sea_orm::{DatabaseBackend, DatabaseConnection};

/// Bucket boundaries, in seconds, that the semantic conventions advise for durations.
const SECONDS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Bucket boundaries, in seconds, that the semantic conventions advise for database statements.
const DB_SECONDS: [f64; 9] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0];

/// The name the connection pool is reported under: the service has one.
pub const POOL_NAME: &str = "main";

/// Bucket boundaries for the number of keys in a DataLoader batch (1 to 100 per page).
const BATCH_SIZES: [f64; 9] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0];

/// Why metrics could not be set up or read.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// The Prometheus reader could not be built.
    #[error("cannot set up the Prometheus reader: {0}")]
    Reader(String),
    /// The Prometheus text could not be written.
    #[error("cannot encode the metrics: {0}")]
    Encode(#[from] prometheus::Error),
}

/// Reads a pool's open and idle connections and its maximum.
type PoolUsage = Box<dyn Fn() -> (u32, usize, u32) + Send + Sync>;

fn pool_usage<DB: sea_orm::sqlx::Database>(pool: sea_orm::sqlx::Pool<DB>) -> PoolUsage {
    Box::new(move || {
        (
            pool.size(),
            pool.num_idle(),
            pool.options().get_max_connections(),
        )
    })
}

/// The instruments every part of the service records into; cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Instruments>);

struct Instruments {
    provider: SdkMeterProvider,
    registry: prometheus::Registry,
    meter: Meter,
    http_duration: Histogram<f64>,
    operation_duration: Histogram<f64>,
    graphql_errors: Counter<u64>,
    batch_size: Histogram<u64>,
    query_duration: Histogram<f64>,
    connection_wait: Histogram<f64>,
    pools: Mutex<Vec<ObservableUpDownCounter<i64>>>,
}

impl Metrics {
    /// A meter read by a Prometheus registry of its own, and pushed through `push` (an OTLP
    /// exporter) when given.
    pub fn new(
        resource: Resource,
        push: Option<opentelemetry_otlp::MetricExporter>,
    ) -> Result<Self, MetricsError> {
        let registry = prometheus::Registry::new();
        let reader = opentelemetry_prometheus::exporter()
            .with_registry(registry.clone())
            .scope_info_enabled(false)
            .build()
            .map_err(|error| MetricsError::Reader(error.to_string()))?;
        let mut provider = SdkMeterProvider::builder()
            .with_resource(resource)
            .with_reader(reader);
        if let Some(exporter) = push {
            provider = provider.with_periodic_exporter(exporter);
        }
        let provider = provider.build();
        let meter = provider.meter("govgraph");
        let seconds = |name: &'static str, description: &'static str, buckets: &[f64]| {
            meter
                .f64_histogram(name)
                .with_unit("s")
                .with_description(description)
                .with_boundaries(buckets.to_vec())
                .build()
        };
        let instruments = Instruments {
            http_duration: seconds(
                "http.server.request.duration",
                "Duration of HTTP server requests.",
                &SECONDS,
            ),
            operation_duration: seconds(
                "govgraph.graphql.operation.duration",
                "Duration of GraphQL operations, by operation name and type.",
                &SECONDS,
            ),
            graphql_errors: meter
                .u64_counter("govgraph.graphql.errors")
                .with_unit("{error}")
                .with_description("GraphQL errors returned, by extensions.code.")
                .build(),
            batch_size: meter
                .u64_histogram("govgraph.dataloader.batch.size")
                .with_unit("{key}")
                .with_description("Keys loaded by one DataLoader batch, by loader.")
                .with_boundaries(BATCH_SIZES.to_vec())
                .build(),
            query_duration: seconds(
                "db.client.operation.duration",
                "Duration of database statements, from asking for a connection to the last row.",
                &DB_SECONDS,
            ),
            connection_wait: seconds(
                "db.client.connection.wait_time",
                "Time spent waiting for a pooled database connection.",
                &DB_SECONDS,
            ),
            pools: Mutex::default(),
            provider,
            registry,
            meter,
        };
        Ok(Self(Arc::new(instruments)))
    }

    /// Records one HTTP request.
    pub fn http_request(&self, elapsed: Duration, attributes: &[KeyValue]) {
        self.0
            .http_duration
            .record(elapsed.as_secs_f64(), attributes);
    }

    /// Records one GraphQL operation and the codes of the errors it returned.
    pub fn graphql_operation<'a>(
        &self,
        elapsed: Duration,
        operation: &[KeyValue],
        error_codes: impl IntoIterator<Item = &'a str>,
    ) {
        self.0
            .operation_duration
            .record(elapsed.as_secs_f64(), operation);
        for code in error_codes {
            let mut attributes = operation.to_vec();
            attributes.push(KeyValue::new("error.type", code.to_owned()));
            self.0.graphql_errors.add(1, &attributes);
        }
    }

    /// Records the size of one DataLoader batch.
    pub fn batch(&self, loader: &'static str, keys: usize) {
        let keys = u64::try_from(keys).unwrap_or(u64::MAX);
        self.0
            .batch_size
            .record(keys, &[KeyValue::new("govgraph.loader.name", loader)]);
    }

    /// Records one database statement: its whole duration, and the part of it spent waiting
    /// for a connection when known.
    pub fn query(&self, elapsed: Duration, waited: Option<Duration>, attributes: &[KeyValue]) {
        self.0
            .query_duration
            .record(elapsed.as_secs_f64(), attributes);
        if let Some(waited) = waited {
            let pool = KeyValue::new("db.client.connection.pool.name", POOL_NAME);
            self.0.connection_wait.record(waited.as_secs_f64(), &[pool]);
        }
    }

    /// Reports the connections of `db`'s pool, used and idle, and its maximum, whenever the
    /// metrics are read.
    pub fn observe_pool(&self, db: &DatabaseConnection) {
        let usage = match db.get_database_backend() {
            DatabaseBackend::Postgres => pool_usage(db.get_postgres_connection_pool().clone()),
            DatabaseBackend::Sqlite => pool_usage(db.get_sqlite_connection_pool().clone()),
            _ => return,
        };
        let usage = Arc::new(usage);
        let pool_name = KeyValue::new("db.client.connection.pool.name", POOL_NAME);
        let (counted, named) = (usage.clone(), pool_name.clone());
        let count = self
            .0
            .meter
            .i64_observable_up_down_counter("db.client.connection.count")
            .with_unit("{connection}")
            .with_description("Connections of the pool, by state.")
            .with_callback(move |observer| {
                let (open, idle, _) = counted();
                let idle = i64::try_from(idle).unwrap_or(i64::MAX);
                let used = i64::from(open) - idle;
                for (state, value) in [("used", used), ("idle", idle)] {
                    let state = KeyValue::new("db.client.connection.state", state);
                    observer.observe(value, &[named.clone(), state]);
                }
            })
            .build();
        let max = self
            .0
            .meter
            .i64_observable_up_down_counter("db.client.connection.max")
            .with_unit("{connection}")
            .with_description("Most connections the pool may open.")
            .with_callback(move |observer| {
                let (_, _, max) = usage();
                observer.observe(i64::from(max), std::slice::from_ref(&pool_name));
            })
            .build();
        if let Ok(mut pools) = self.0.pools.lock() {
            pools.extend([count, max]);
        }
    }

    /// Every metric as Prometheus text.
    pub fn prometheus_text(&self) -> Result<String, MetricsError> {
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.0.registry.gather(), &mut text)?;
        Ok(String::from_utf8_lossy(&text).into_owned())
    }

    /// Pushes what is left to the collector, if any, and stops.
    pub fn shutdown(&self) {
        if let Err(error) = self.0.provider.shutdown() {
            tracing::warn!(error = %error, "metrics did not shut down cleanly");
        }
    }
}

impl govgraph_read::store::Observer for Metrics {
    fn statement(&self, elapsed: Duration, waited: Option<Duration>, attributes: &[KeyValue]) {
        self.query(elapsed, waited, attributes);
    }
}
