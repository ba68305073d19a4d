//! The HTTP servers: the service (GraphQL, GraphiQL, linked data, health, readiness, metrics) and an
//! optional admin listener (health, readiness, metrics), each draining its requests at shutdown.

pub mod accept;
pub mod export;
pub mod graphql_http;
pub mod linked_data;
pub mod listener;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use poem::http::{Method, StatusCode};
use poem::middleware::{CatchPanic, Compression, Cors};
use poem::web::{Data, Json};
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler};
use sea_orm::DatabaseConnection;
use serde_json::json;

use self::graphql_http::{GATEWAY_KEY_HEADER, GraphqlHttp, graphql};
use self::linked_data::LinkedData;
use self::listener::{App, Serving};
use crate::browser;
use crate::config::{Access, HttpConfig, Limits, Profile};
use crate::db::{NotReady, check_ready};
use crate::error::Code;
use crate::execution::Executor;
use crate::telemetry::Metrics;
use crate::telemetry::http::HttpTelemetry;
use govgraph_read::store::Store;

const STARTING: u8 = 0;
const SERVING: u8 = 1;
const DRAINING: u8 = 2;

/// Whether the service answers: starting (its database not yet ready), serving, or draining
/// (stopping: requests in flight finish, load balancers are told to go elsewhere).
#[derive(Clone, Debug)]
pub struct Readiness(Arc<AtomicU8>);

impl Readiness {
    /// A service whose database is not ready yet.
    pub fn starting() -> Self {
        Self(Arc::new(AtomicU8::new(STARTING)))
    }

    /// A service ready to serve.
    pub fn serving() -> Self {
        Self(Arc::new(AtomicU8::new(SERVING)))
    }

    /// The database is ready: GraphQL requests are answered from now on.
    pub fn mark_serving(&self) {
        let _ = self
            .0
            .compare_exchange(STARTING, SERVING, Ordering::AcqRel, Ordering::Acquire);
    }

    /// The service is stopping: `/readyz` answers 503 from now on.
    pub fn mark_draining(&self) {
        self.0.store(DRAINING, Ordering::Release);
    }

    /// Whether GraphQL requests are answered (while serving, and while draining).
    pub fn is_serving(&self) -> bool {
        self.0.load(Ordering::Acquire) != STARTING
    }

    fn state(&self) -> u8 {
        self.0.load(Ordering::Acquire)
    }
}

/// How a server serves, beside its database.
#[derive(Clone)]
pub struct Settings {
    /// Bounds on each request.
    pub limits: Limits,
    /// Bounds on connections and their timing.
    pub http: HttpConfig,
    /// The profile, the gateway key and the CORS origins.
    pub access: Access,
    /// Where requests, operations, batches and statements are counted.
    pub metrics: Metrics,
    /// Whether `/metrics` is served.
    pub serve_metrics: bool,
    /// Whether GraphQL operation spans carry the operation's document.
    pub trace_documents: bool,
    /// Whether the service is ready; shared with whoever migrates the database and stops the
    /// server.
    pub readiness: Readiness,
    /// The public base URL every node's public URL starts with, without a trailing `/`.
    pub public_url: String,
}

impl Settings {
    /// `limits` and `metrics`, with the default transport and access settings, serving
    /// `/metrics`, without documents on spans, ready to serve, with the public URL of the
    /// default listen address (`http://127.0.0.1:8000`).
    pub fn new(limits: Limits, metrics: Metrics) -> Self {
        Self {
            limits,
            http: HttpConfig::default(),
            access: Access::default(),
            metrics,
            serve_metrics: true,
            trace_documents: false,
            readiness: Readiness::serving(),
            public_url: crate::config::public_url_of(SocketAddr::from((
                std::net::Ipv4Addr::LOCALHOST,
                8000,
            ))),
        }
    }
}

/// An error response in GraphQL's shape, with a code.
fn error_response(status: StatusCode, code: Code, message: String) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    (status, Json(body)).into_response()
}

/// `GET /healthz`: answers while the process lives.
#[handler]
fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /metrics`: every metric, as Prometheus text.
#[handler]
fn prometheus_metrics(metrics: Data<&Metrics>) -> Response {
    match metrics.prometheus_text() {
        Ok(text) => Response::builder()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text),
        Err(error) => {
            tracing::error!(error = %error, "cannot encode the metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /readyz`: 200 when the service serves, its database answers and its migrations are
/// current; else 503 with the check that failed (`database`, `migrations`, or `shutdown` once
/// the service is stopping).
#[handler]
async fn readyz(
    db: Data<&DatabaseConnection>,
    readiness: Data<&Readiness>,
) -> (StatusCode, Json<serde_json::Value>) {
    let not_ready = |failed: &str, reason: String| {
        let body = json!({ "status": "not ready", "failed": failed, "reason": reason });
        (StatusCode::SERVICE_UNAVAILABLE, Json(body))
    };
    match readiness.state() {
        DRAINING => return not_ready("shutdown", "the service is stopping".to_owned()),
        STARTING => {
            return not_ready(
                "database",
                "the service is waiting for its database".to_owned(),
            );
        }
        _ => {}
    }
    match check_ready(db.0).await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(not) => {
            let check = match &not {
                NotReady::Unreachable(cause) => {
                    tracing::warn!(error = %cause, "readiness check failed");
                    "database"
                }
                NotReady::Pending(_) => "migrations",
            };
            not_ready(check, not.to_string())
        }
    }
}

/// The CORS policy for `origins`; `None` when no origin is allowed, so that browsers keep
/// their same-origin rule.
fn cors(origins: &[String]) -> Option<Cors> {
    let origins: Vec<&str> = origins
        .iter()
        .map(|origin| origin.trim())
        .filter(|origin| !origin.is_empty())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        Cors::new()
            .allow_origins(origins)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers(["content-type", "accept", GATEWAY_KEY_HEADER])
            .max_age(600),
    )
}

/// Every route of the service.
pub fn app(db: DatabaseConnection, settings: Settings) -> std::io::Result<App> {
    let Settings {
        limits,
        http,
        access,
        metrics: recorder,
        serve_metrics,
        trace_documents,
        readiness,
        public_url,
    } = settings;
    let store = Store::new(db.clone(), Arc::new(recorder.clone()));
    let executor = Executor::new(store, recorder.clone(), limits, access.profile)
        .map_err(std::io::Error::other)?;
    let executor = Arc::new(executor);
    let graphiql = access.profile == Profile::Development;
    let linked_data = Arc::new(LinkedData::new(
        executor.clone(),
        recorder.clone(),
        readiness.clone(),
        public_url,
        graphiql,
        trace_documents,
    ));
    let exports = Arc::new(export::Exports::new(db.clone(), linked_data.clone()));
    let endpoint = Arc::new(GraphqlHttp {
        executor,
        metrics: recorder.clone(),
        trace_documents,
        readiness: readiness.clone(),
        gateway_key: access.gateway_key.clone().filter(|key| !key.is_empty()),
        body_read_timeout: http.body_read_timeout,
        get_cache_control: poem::http::HeaderValue::from_str(&access.get_cache_control)
            .map_err(|_| std::io::Error::other("the GET Cache-Control is not a header value"))?,
    });
    let mut routes = Route::new()
        .at("/graphql", graphql)
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/id/:kind/:key", linked_data::resource)
        .at("/id/*rest", linked_data::no_resource)
        .at("/export/csv/:table", export::table)
        .at("/export/:format", export::whole)
        .at("/explore", get(browser::explorer))
        .at("/explore/:file", get(browser::explorer_file));
    if graphiql {
        routes = routes
            .at("/", get(browser::graphiql))
            .at("/graphiql/:file", get(browser::graphiql_file));
    }
    // The public profile keeps its metrics to the admin listener.
    if serve_metrics && access.profile == Profile::Development {
        routes = routes.at("/metrics", get(prometheus_metrics));
    }
    let routes = match cors(&access.cors_origins) {
        Some(cors) => routes.with(cors).boxed(),
        None => routes.boxed(),
    };
    let app = routes
        .with(
            CatchPanic::new().with_handler(|panic: Box<dyn std::any::Any + Send>| {
                let cause = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(panic = %cause, "a request panicked");
                let message =
                    "The service failed to answer; the failure has been logged.".to_owned();
                error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Code::InternalServerError,
                    message,
                )
            }),
        )
        .with(Compression::new())
        .data(db)
        .data(endpoint)
        .data(linked_data)
        .data(exports)
        .data(readiness)
        .data(recorder.clone())
        .with(HttpTelemetry::new(recorder))
        .map_to_response()
        .boxed();
    Ok(Arc::new(app))
}

/// The routes of the admin listener: health, readiness and, given `metrics`, `/metrics`;
/// nothing a client uses.
pub fn admin_app(db: DatabaseConnection, metrics: Option<Metrics>, readiness: Readiness) -> App {
    let routes = Route::new()
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz));
    let routes = match metrics {
        Some(recorder) => routes
            .at("/metrics", get(prometheus_metrics))
            .data(recorder)
            .boxed(),
        None => routes.boxed(),
    };
    Arc::new(routes.data(db).data(readiness).map_to_response().boxed())
}

/// A server running in the background, stopped by [`RunningServer::stop`].
pub struct RunningServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    serving: Serving,
}

/// Binds `listen` (port 0 picks a free port) and serves the service on it in the background.
pub async fn start(
    listen: SocketAddr,
    db: DatabaseConnection,
    settings: Settings,
) -> std::io::Result<RunningServer> {
    settings.metrics.observe_pool(&db);
    let http = settings.http;
    serve_app(listen, app(db, settings)?, http).await
}

/// Binds `listen` and serves the admin routes on it in the background.
pub async fn start_admin(
    listen: SocketAddr,
    db: DatabaseConnection,
    metrics: Option<Metrics>,
    readiness: Readiness,
    http: HttpConfig,
) -> std::io::Result<RunningServer> {
    serve_app(listen, admin_app(db, metrics, readiness), http).await
}

/// Binds `listen` and serves `endpoint` on it in the background, until
/// [`RunningServer::stop`].
pub async fn serve(
    listen: SocketAddr,
    endpoint: impl Endpoint + 'static,
    http: HttpConfig,
) -> std::io::Result<RunningServer> {
    serve_app(listen, Arc::new(endpoint.map_to_response().boxed()), http).await
}

async fn serve_app(
    listen: SocketAddr,
    app: App,
    http: HttpConfig,
) -> std::io::Result<RunningServer> {
    let serving = listener::serve(listen, app, http).await?;
    Ok(RunningServer {
        addr: serving.addr,
        serving,
    })
}

impl RunningServer {
    /// Stops accepting connections, lets requests in flight finish within the drain time, and
    /// waits for the end.
    pub async fn stop(self) -> std::io::Result<()> {
        self.serving.stop().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_moves_from_starting_to_serving_to_draining_and_never_back() {
        let readiness = Readiness::starting();
        assert!(!readiness.is_serving());
        readiness.mark_serving();
        assert!(readiness.is_serving());
        readiness.mark_draining();
        assert!(readiness.is_serving());
        readiness.mark_serving();
        assert_eq!(readiness.state(), DRAINING);
    }

    #[test]
    fn no_cors_policy_without_origins() {
        assert!(cors(&[]).is_none());
        assert!(cors(&[" ".to_owned()]).is_none());
        assert!(cors(&["https://dashboard.example.org".to_owned()]).is_some());
    }
}
