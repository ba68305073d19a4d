//! Configuration: flags of `govgraph serve`, each also read from a `GOVGRAPH_*` variable.

use std::net::SocketAddr;

use clap::Args;

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
