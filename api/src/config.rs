//! Configuration: flags of `govgraph serve`, each also read from a `GOVGRAPH_*` variable.

use std::net::SocketAddr;

use clap::{Args, ValueEnum};

/// The default database: a SQLite file `govgraph.db` in the working directory, created when
/// missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://govgraph.db?mode=rwc";

/// Where the database is.
#[derive(Clone, Debug, Args)]
pub struct DatabaseConfig {
    /// Database URL: `sqlite://PATH?mode=rwc` (embedded) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "GOVGRAPH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Most connections the service keeps open to the database.
    #[arg(long, env = "GOVGRAPH_DATABASE_MAX_CONNECTIONS", default_value_t = 16)]
    pub database_max_connections: u32,
}

/// Everything `govgraph serve` needs.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "GOVGRAPH_LISTEN", default_value = "127.0.0.1:8000")]
    pub listen: SocketAddr,

    #[command(flatten)]
    #[allow(missing_docs, reason = "documented on the type")]
    pub database: DatabaseConfig,

    #[command(flatten)]
    #[allow(missing_docs, reason = "documented on the type")]
    pub limits: Limits,

    #[command(flatten)]
    #[allow(missing_docs, reason = "documented on the type")]
    pub observability: Observability,
}

/// Whether `/metrics` is served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum MetricsExposure {
    /// On the admin listener when there is one; else on the main listener if it listens on
    /// loopback only.
    #[default]
    Auto,
    /// On the admin listener when there is one, else on the main listener.
    On,
    /// Nowhere; OTLP export is unaffected.
    Off,
}

/// What the service tells its operators beyond logs and the `OTEL_*` variables.
#[derive(Clone, Debug, Args)]
pub struct Observability {
    /// Whether `/metrics` serves Prometheus text.
    #[arg(long, env = "GOVGRAPH_METRICS", value_enum, default_value_t)]
    pub metrics: MetricsExposure,

    /// A second address serving `/metrics`, `/healthz` and `/readyz` only; `/metrics` then
    /// leaves the main listener.
    #[arg(long, env = "GOVGRAPH_ADMIN_LISTEN")]
    pub admin_listen: Option<SocketAddr>,

    /// Record each operation's GraphQL document on its span. Variables are never recorded.
    /// Literal values written into a document (not variables) are then recorded too.
    #[arg(long, env = "GOVGRAPH_TRACE_DOCUMENTS")]
    pub trace_documents: bool,
}

impl Observability {
    /// Whether the main listener, on `listen`, serves `/metrics`.
    pub fn metrics_on_main(&self, listen: SocketAddr) -> bool {
        self.admin_listen.is_none()
            && match self.metrics {
                MetricsExposure::Auto => listen.ip().is_loopback(),
                MetricsExposure::On => true,
                MetricsExposure::Off => false,
            }
    }

    /// Whether the admin listener, if any, serves `/metrics`.
    pub fn metrics_on_admin(&self) -> bool {
        self.metrics != MetricsExposure::Off
    }
}

/// Bounds on what one request may ask for.
#[derive(Clone, Copy, Debug, Args)]
pub struct Limits {
    /// Deepest nesting of fields a query may have.
    #[arg(long, env = "GOVGRAPH_MAX_QUERY_DEPTH", default_value_t = 16)]
    pub max_query_depth: usize,

    /// Most fields a query may select, counting every field of a connection's items once per
    /// item it may return (`first` or `last`, 20 when neither is given).
    #[arg(long, env = "GOVGRAPH_MAX_QUERY_COMPLEXITY", default_value_t = 500_000)]
    pub max_query_complexity: usize,

    /// Most representations one `_entities` call may carry.
    #[arg(
        long,
        env = "GOVGRAPH_MAX_ENTITY_REPRESENTATIONS",
        default_value_t = 100
    )]
    pub max_entity_representations: usize,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "GOVGRAPH_MAX_REQUEST_BYTES", default_value_t = 1 << 20)]
    pub max_request_bytes: usize,

    /// Seconds a request may run before it is answered with `TIMEOUT`.
    #[arg(long, env = "GOVGRAPH_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_query_depth: 16,
            max_query_complexity: 500_000,
            max_entity_representations: 100,
            max_request_bytes: 1 << 20,
            request_timeout_secs: 30,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observability(metrics: MetricsExposure, admin: Option<&str>) -> Observability {
        Observability {
            metrics,
            admin_listen: admin.map(|a| a.parse().unwrap()),
            trace_documents: false,
        }
    }

    #[test]
    fn metrics_are_served_on_a_loopback_listener_by_default_and_not_on_a_public_one() {
        let auto = observability(MetricsExposure::Auto, None);
        assert!(auto.metrics_on_main("127.0.0.1:8000".parse().unwrap()));
        assert!(auto.metrics_on_main("[::1]:8000".parse().unwrap()));
        assert!(!auto.metrics_on_main("0.0.0.0:8000".parse().unwrap()));
        let on = observability(MetricsExposure::On, None);
        assert!(on.metrics_on_main("0.0.0.0:8000".parse().unwrap()));
        let off = observability(MetricsExposure::Off, None);
        assert!(!off.metrics_on_main("127.0.0.1:8000".parse().unwrap()));
    }

    #[test]
    fn an_admin_listener_takes_the_metrics_off_the_main_one() {
        let admin = observability(MetricsExposure::On, Some("127.0.0.1:9464"));
        assert!(!admin.metrics_on_main("127.0.0.1:8000".parse().unwrap()));
        assert!(admin.metrics_on_admin());
        let off = observability(MetricsExposure::Off, Some("127.0.0.1:9464"));
        assert!(!off.metrics_on_admin());
    }
}
