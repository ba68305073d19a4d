//! Configuration: flags of `govgraph serve`, each also read from a `GOVGRAPH_*` variable.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// The default database: a SQLite file `govgraph.db` in the working directory, created when
/// missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://govgraph.db?mode=rwc";

/// Checks a public base URL such as `https://govgraph.example.org`: `http` or `https`, a host,
/// no query or fragment. The URL is returned without a trailing `/`.
pub fn public_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let uri: poem::http::Uri = text.parse().map_err(|_| format!("`{text}` is not a URL"))?;
    let scheme = uri.scheme_str().unwrap_or_default();
    if scheme != "http" && scheme != "https" {
        return Err(format!(
            "`{text}` is not an http or https URL, such as `https://govgraph.example.org`"
        ));
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("`{text}` names no host"));
    }
    if uri.query().is_some() || text.contains('#') {
        return Err(format!("`{text}` must have no query or fragment"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// The public base URL of a service listening on `listen` when none is configured: `http://`
/// and the address, with `localhost` for an unspecified one (`0.0.0.0`, `[::]`).
pub fn public_url_of(listen: SocketAddr) -> String {
    if listen.ip().is_unspecified() {
        format!("http://localhost:{}", listen.port())
    } else {
        format!("http://{listen}")
    }
}

/// Parses a number of seconds, such as `30` or `0.5`, into a duration.
pub fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(value)
        .map_err(|_| format!("`{text}` is not a number of seconds from 0 up"))
}

/// Where the database is, and how the service waits for it.
#[derive(Clone, Debug, Args)]
pub struct DatabaseConfig {
    /// Database URL: `sqlite://PATH?mode=rwc` (embedded) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "GOVGRAPH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Most connections the service keeps open to the database. Unless set: 16 on PostgreSQL;
    /// on SQLite twice the number of cores, up to 16, since each SQLite connection runs its
    /// statements on a thread of its own in this process, with a page cache of its own.
    #[arg(long, env = "GOVGRAPH_DATABASE_MAX_CONNECTIONS")]
    pub database_max_connections: Option<u32>,

    /// Seconds a statement waits for a pooled connection before its request is answered
    /// `UNAVAILABLE` (HTTP 503).
    #[arg(long, env = "GOVGRAPH_DATABASE_ACQUIRE_TIMEOUT_SECS", default_value = "5", value_parser = seconds)]
    pub database_acquire_timeout: Duration,
}

impl DatabaseConfig {
    /// The database at `url`, with the default pool settings.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            database_url: url.into(),
            database_max_connections: None,
            database_acquire_timeout: Duration::from_secs(5),
        }
    }

    /// Whether the database is an embedded SQLite file.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The size of the connection pool: the configured one, or the default for the database.
    pub fn max_connections(&self) -> u32 {
        self.database_max_connections.unwrap_or_else(|| {
            if self.is_sqlite() {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                u32::try_from(cores * 2).unwrap_or(u32::MAX).min(16)
            } else {
                16
            }
        })
    }
}

/// Who the service is set up for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// For people building on govgraph: GraphiQL, introspection and field suggestions on.
    #[default]
    Development,
    /// For a public endpoint: GraphiQL, introspection and field suggestions off, `/metrics` only
    /// on the admin listener, and `_service` only for a gateway presenting its key.
    Public,
}

/// Everything `govgraph serve` needs.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "GOVGRAPH_LISTEN", default_value = "127.0.0.1:8000")]
    pub listen: SocketAddr,

    /// The service's public base URL, e.g. `https://govgraph.example.org`: every node's public
    /// URL (`/id/{kind}/{slug}`, the `@id` of its linked data) starts with it. Default: `http://`
    /// and the listen address (`localhost` when it listens on every address).
    #[arg(long, env = "GOVGRAPH_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,

    #[command(flatten)]
    #[allow(missing_docs, reason = "documented on the type")]
    pub database: DatabaseConfig,

    #[command(flatten)]
    #[allow(missing_docs, reason = "documented on the type")]
    pub limits: Limits,

    #[command(flatten)]
    #[allow(missing_docs, reason = "documented on the type")]
    pub http: HttpConfig,

    #[command(flatten)]
    #[allow(missing_docs, reason = "documented on the type")]
    pub access: Access,

    #[command(flatten)]
    #[allow(missing_docs, reason = "documented on the type")]
    pub observability: Observability,
}

/// Who may use what, and what caches may keep.
#[derive(Clone, Debug, Args)]
pub struct Access {
    /// `development` (GraphiQL, introspection, suggestions) or `public` (none of them, and
    /// `_service` only for a gateway presenting `GOVGRAPH_GATEWAY_KEY`).
    #[arg(long, env = "GOVGRAPH_PROFILE", value_enum, default_value_t)]
    pub profile: Profile,

    /// The key a federation gateway presents in the `govgraph-gateway-key` header to read
    /// `_service { sdl }` under the public profile.
    #[arg(long, env = "GOVGRAPH_GATEWAY_KEY", hide_env_values = true)]
    pub gateway_key: Option<String>,

    /// Origins (such as `https://dashboard.example.org`) whose pages may call the API from a
    /// browser, comma-separated; none by default.
    #[arg(long, env = "GOVGRAPH_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// The `Cache-Control` of a successful answer to a `GET` query, sent with its `ETag`. The
    /// default lets any cache keep the answer but has it ask again each time, which costs a
    /// `304 Not Modified` while the graph has not changed.
    #[arg(long, env = "GOVGRAPH_GET_CACHE_CONTROL", default_value = GET_CACHE_CONTROL)]
    pub get_cache_control: String,
}

/// The `Cache-Control` of answers to `GET` queries unless configured otherwise.
pub const GET_CACHE_CONTROL: &str = "public, no-cache";

impl Default for Access {
    fn default() -> Self {
        Self {
            profile: Profile::default(),
            gateway_key: None,
            cors_origins: Vec::new(),
            get_cache_control: GET_CACHE_CONTROL.to_owned(),
        }
    }
}

/// Bounds on connections and on how long each part of a request may take.
#[derive(Clone, Copy, Debug, Args)]
pub struct HttpConfig {
    /// Seconds a client has to send a request's headers, counted from when the server is ready
    /// for them; an HTTP/1.1 connection kept alive without a request is closed after as long.
    #[arg(long, env = "GOVGRAPH_HEADER_READ_TIMEOUT_SECS", default_value = "10", value_parser = seconds)]
    pub header_read_timeout: Duration,

    /// Seconds a client has to send a request's body once its headers are in (HTTP 408 after).
    #[arg(long, env = "GOVGRAPH_BODY_READ_TIMEOUT_SECS", default_value = "10", value_parser = seconds)]
    pub body_read_timeout: Duration,

    /// Seconds an HTTP/2 connection may stay open with no request in flight.
    #[arg(long, env = "GOVGRAPH_IDLE_TIMEOUT_SECS", default_value = "60", value_parser = seconds)]
    pub idle_timeout: Duration,

    /// Most connections served at once; more wait to be accepted.
    #[arg(long, env = "GOVGRAPH_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Most requests one HTTP/2 connection may have in flight at once.
    #[arg(long, env = "GOVGRAPH_HTTP2_MAX_STREAMS", default_value_t = 100)]
    pub http2_max_streams: u32,

    /// Seconds between SIGTERM and closing the listener, while `/readyz` already answers 503 so
    /// that load balancers stop sending new requests.
    #[arg(long, env = "GOVGRAPH_SHUTDOWN_DELAY_SECS", default_value = "0", value_parser = seconds)]
    pub shutdown_delay: Duration,

    /// Seconds requests in flight at shutdown have to finish before their connections are
    /// closed.
    #[arg(long, env = "GOVGRAPH_SHUTDOWN_DRAIN_SECS", default_value = "30", value_parser = seconds)]
    pub shutdown_drain: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            http2_max_streams: 100,
            shutdown_delay: Duration::ZERO,
            shutdown_drain: Duration::from_secs(30),
        }
    }
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
    /// Whether the main listener, on `listen`, serves `/metrics` under `profile`.
    pub fn metrics_on_main(&self, listen: SocketAddr, profile: Profile) -> bool {
        self.admin_listen.is_none()
            && profile == Profile::Development
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

/// Bounds on what one request may ask for. Each is checked before any SQL runs, and a request
/// over one is answered `LIMIT_EXCEEDED` with a message naming it.
#[derive(Clone, Copy, Debug, Args)]
pub struct Limits {
    /// Deepest nesting of fields an operation may have.
    #[arg(long, env = "GOVGRAPH_MAX_QUERY_DEPTH", default_value_t = 16)]
    pub max_query_depth: usize,

    /// Most values an operation may produce: every field counts once per item each list above
    /// it may return (a connection's `first` or `last`, 20 when neither is given; the length of
    /// `nodes(ids:)` and `_entities(representations:)`; 10 for other lists).
    #[arg(long, env = "GOVGRAPH_MAX_QUERY_COST", default_value_t = 500_000)]
    pub max_query_cost: u64,

    /// Most aliased fields an operation may have, counted through its fragments.
    #[arg(long, env = "GOVGRAPH_MAX_ALIASES", default_value_t = 15)]
    pub max_aliases: u64,

    /// Most fields an operation may select at its root, counted through its fragments.
    #[arg(long, env = "GOVGRAPH_MAX_ROOT_FIELDS", default_value_t = 20)]
    pub max_root_fields: u64,

    /// Most directives on one field, fragment spread or inline fragment.
    #[arg(long, env = "GOVGRAPH_MAX_DIRECTIVES_PER_FIELD", default_value_t = 5)]
    pub max_directives_per_field: usize,

    /// Most directives an operation may carry, counted through its fragments.
    #[arg(long, env = "GOVGRAPH_MAX_DIRECTIVES", default_value_t = 50)]
    pub max_directives: u64,

    /// Most fragment spreads an operation may make, each counted as often as the fragment
    /// that holds it is spread.
    #[arg(long, env = "GOVGRAPH_MAX_FRAGMENT_SPREADS", default_value_t = 100)]
    pub max_fragment_spreads: u64,

    /// Longest GraphQL document accepted, in bytes.
    #[arg(long, env = "GOVGRAPH_MAX_DOCUMENT_BYTES", default_value_t = 15_000)]
    pub max_document_bytes: usize,

    /// Most lexical tokens (names, punctuation, values) a document may have.
    #[arg(long, env = "GOVGRAPH_MAX_DOCUMENT_TOKENS", default_value_t = 2_000)]
    pub max_document_tokens: usize,

    /// Largest answer sent, in bytes of JSON; a larger one is replaced by a `LIMIT_EXCEEDED`
    /// error.
    #[arg(long, env = "GOVGRAPH_MAX_RESPONSE_BYTES", default_value_t = 8 << 20)]
    pub max_response_bytes: usize,

    /// Most representations one `_entities` call may carry.
    #[arg(
        long,
        env = "GOVGRAPH_MAX_ENTITY_REPRESENTATIONS",
        default_value_t = 100
    )]
    pub max_entity_representations: usize,

    /// Largest request body accepted, in bytes once decompressed (larger: HTTP 413).
    #[arg(long, env = "GOVGRAPH_MAX_REQUEST_BYTES", default_value_t = 1 << 20)]
    pub max_request_bytes: usize,

    /// Seconds a request may take, from parsing its document to its last statement, before it
    /// is answered `TIMEOUT`; a PostgreSQL statement still running then is cancelled.
    #[arg(long, env = "GOVGRAPH_REQUEST_TIMEOUT_SECS", default_value = "30", value_parser = seconds)]
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_query_depth: 16,
            max_query_cost: 500_000,
            max_aliases: 15,
            max_root_fields: 20,
            max_directives_per_field: 5,
            max_directives: 50,
            max_fragment_spreads: 100,
            max_document_bytes: 15_000,
            max_document_tokens: 2_000,
            max_response_bytes: 8 << 20,
            max_entity_representations: 100,
            max_request_bytes: 1 << 20,
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl Config {
    /// The public base URL: the one configured, else the one [`public_url_of`] the listen
    /// address.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| public_url_of(self.listen))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

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
        let dev = Profile::Development;
        let auto = observability(MetricsExposure::Auto, None);
        assert!(auto.metrics_on_main("127.0.0.1:8000".parse().unwrap(), dev));
        assert!(auto.metrics_on_main("[::1]:8000".parse().unwrap(), dev));
        assert!(!auto.metrics_on_main("0.0.0.0:8000".parse().unwrap(), dev));
        let on = observability(MetricsExposure::On, None);
        assert!(on.metrics_on_main("0.0.0.0:8000".parse().unwrap(), dev));
        assert!(!on.metrics_on_main("0.0.0.0:8000".parse().unwrap(), Profile::Public));
        let off = observability(MetricsExposure::Off, None);
        assert!(!off.metrics_on_main("127.0.0.1:8000".parse().unwrap(), dev));
    }

    #[test]
    fn an_admin_listener_takes_the_metrics_off_the_main_one() {
        let admin = observability(MetricsExposure::On, Some("127.0.0.1:9464"));
        assert!(!admin.metrics_on_main("127.0.0.1:8000".parse().unwrap(), Profile::Development));
        assert!(admin.metrics_on_admin());
        let off = observability(MetricsExposure::Off, Some("127.0.0.1:9464"));
        assert!(!off.metrics_on_admin());
    }

    #[test]
    fn seconds_take_fractions_and_refuse_negatives_and_words() {
        assert_eq!(seconds("30"), Ok(Duration::from_secs(30)));
        assert_eq!(seconds("0.25"), Ok(Duration::from_millis(250)));
        assert!(seconds("-1").is_err());
        assert!(seconds("soon").is_err());
    }

    #[test]
    fn a_public_url_is_an_http_url_without_query_or_fragment() {
        assert_eq!(
            public_url("https://govgraph.example.org/"),
            Ok("https://govgraph.example.org".to_owned())
        );
        assert_eq!(
            public_url("http://127.0.0.1:8000"),
            Ok("http://127.0.0.1:8000".to_owned())
        );
        for wrong in [
            "govgraph.example.org",
            "ftp://govgraph.example.org",
            "https://govgraph.example.org/?a=b",
            "https://govgraph.example.org/#top",
            "not a url",
        ] {
            assert!(public_url(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn without_configuration_the_public_url_is_the_listen_address() {
        assert_eq!(
            public_url_of("127.0.0.1:8000".parse().unwrap()),
            "http://127.0.0.1:8000"
        );
        assert_eq!(
            public_url_of("0.0.0.0:8080".parse().unwrap()),
            "http://localhost:8080"
        );
        assert_eq!(
            public_url_of("[::1]:8000".parse().unwrap()),
            "http://[::1]:8000"
        );
    }

    #[derive(Parser)]
    struct Serve {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn the_flag_defaults_are_the_defaults_of_the_types() {
        let parsed = Serve::try_parse_from(["govgraph"]).unwrap().config;
        let limits = Limits::default();
        assert_eq!(format!("{:?}", parsed.limits), format!("{limits:?}"));
        let http = HttpConfig::default();
        assert_eq!(format!("{:?}", parsed.http), format!("{http:?}"));
        let database = DatabaseConfig::new(DEFAULT_DATABASE_URL);
        assert_eq!(format!("{:?}", parsed.database), format!("{database:?}"));
        assert_eq!(parsed.access.profile, Profile::Development);
        assert!(parsed.access.cors_origins.is_empty());
        assert_eq!(parsed.public_url(), "http://127.0.0.1:8000");
    }

    #[test]
    fn the_pool_is_sized_for_the_database_unless_configured() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let sqlite = DatabaseConfig::new("sqlite://graph.db?mode=rwc");
        assert_eq!(
            sqlite.max_connections(),
            u32::try_from(cores * 2).unwrap().min(16)
        );
        let postgres = DatabaseConfig::new("postgres://postgres@127.0.0.1/govgraph");
        assert_eq!(postgres.max_connections(), 16);
        let configured = DatabaseConfig {
            database_max_connections: Some(3),
            ..sqlite
        };
        assert_eq!(configured.max_connections(), 3);
    }
}
