//! The HTTP servers: the service (GraphQL, GraphiQL, health, readiness, metrics) and an
//! optional admin listener (health, readiness, metrics), each with graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::{CatchPanic, Compression, SizeLimit};
use poem::web::{Data, Json};
use poem::{Endpoint, EndpointExt, IntoEndpoint, IntoResponse, Response, Route, get, handler};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Limits;
use crate::db::{NotReady, check_ready};
use crate::execution::Executor;
use crate::ftv1;
use crate::graphiql;
use crate::store::Store;
use crate::telemetry::Metrics;
use crate::telemetry::graphql::observe;
use crate::telemetry::http::HttpTelemetry;

/// How a server serves, beside its database.
#[derive(Clone)]
pub struct Settings {
    /// Bounds on each request.
    pub limits: Limits,
    /// Where requests, operations, batches and statements are counted.
    pub metrics: Metrics,
    /// Whether `/metrics` is served.
    pub serve_metrics: bool,
    /// Whether GraphQL operation spans carry the operation's document.
    pub trace_documents: bool,
}

impl Settings {
    /// `limits` and `metrics`, serving `/metrics`, without documents on spans.
    pub fn new(limits: Limits, metrics: Metrics) -> Self {
        Self {
            limits,
            metrics,
            serve_metrics: true,
            trace_documents: false,
        }
    }
}

/// What the GraphQL endpoint needs.
#[derive(Clone)]
struct Operations {
    executor: Arc<Executor>,
    metrics: Metrics,
    trace_documents: bool,
}

/// An error response in GraphQL's shape, with a code.
fn error_response(status: StatusCode, code: &str, message: String) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

/// `POST /graphql` and `GET /graphql`: runs one operation with a fresh set of loaders.
#[handler]
async fn graphql(
    operations: Data<&Operations>,
    headers: &poem::http::HeaderMap,
    request: poem::Result<GraphQLRequest>,
) -> Response {
    let mut request = match request {
        Ok(request) => request.0,
        Err(error) => {
            let message = format!("the request is not a GraphQL request: {error}");
            return error_response(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message);
        }
    };
    let trace = headers.get(ftv1::HEADER).is_some_and(|v| v == "ftv1");
    let Operations {
        executor,
        metrics,
        trace_documents,
    } = operations.0;
    executor.prepare(&mut request);
    let response = observe(metrics, *trace_documents, request, |request| {
        executor.execute(request, trace)
    })
    .await;
    GraphQLResponse::from(response).into_response()
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

/// `GET /readyz`: 200 when the database answers and its migrations are current, else 503 with
/// the check that failed.
#[handler]
async fn readyz(db: Data<&DatabaseConnection>) -> (StatusCode, Json<serde_json::Value>) {
    match check_ready(db.0).await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(not_ready) => {
            let check = match &not_ready {
                NotReady::Unreachable(cause) => {
                    tracing::warn!(error = %cause, "readiness check failed");
                    "database"
                }
                NotReady::Pending(_) => "migrations",
            };
            let body =
                json!({ "status": "not ready", "failed": check, "reason": not_ready.to_string() });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body))
        }
    }
}

/// Every route of the service.
pub async fn app(db: DatabaseConnection, settings: Settings) -> std::io::Result<impl Endpoint> {
    let Settings {
        limits,
        metrics: recorder,
        serve_metrics,
        trace_documents,
    } = settings;
    let store = Store::new(db.clone(), recorder.clone());
    let executor = Executor::new(store, limits)
        .await
        .map_err(std::io::Error::other)?;
    let mut routes = Route::new()
        .at("/", get(graphiql::page))
        .at("/graphiql/:file", get(graphiql::asset))
        .at(
            "/graphql",
            get(graphql).post(graphql.with(SizeLimit::new(limits.max_request_bytes))),
        )
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz));
    if serve_metrics {
        routes = routes.at("/metrics", get(prometheus_metrics));
    }
    let operations = Operations {
        executor: Arc::new(executor),
        metrics: recorder.clone(),
        trace_documents,
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
                    "INTERNAL_SERVER_ERROR",
                    message,
                )
            }),
        )
        .with(Compression::new())
        .data(db)
        .data(operations)
        .data(recorder.clone())
        .with(HttpTelemetry::new(recorder))
        .into_endpoint();
    Ok(app)
}

/// The routes of the admin listener: health, readiness and, given `metrics`, `/metrics`;
/// nothing a client uses.
pub fn admin_app(db: DatabaseConnection, metrics: Option<Metrics>) -> impl Endpoint {
    let routes = Route::new()
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz));
    match metrics {
        Some(recorder) => routes
            .at("/metrics", get(prometheus_metrics))
            .data(recorder)
            .data(db)
            .boxed(),
        None => routes.data(db).boxed(),
    }
}

/// A server running in the background, stopped by [`RunningServer::stop`].
pub struct RunningServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

/// How long a stopping server waits for requests in flight.
const GRACE: Duration = Duration::from_secs(10);

/// Binds `listen` (port 0 picks a free port) and serves the service on it in the background.
pub async fn start(
    listen: SocketAddr,
    db: DatabaseConnection,
    settings: Settings,
) -> std::io::Result<RunningServer> {
    settings.metrics.observe_pool(&db);
    serve(listen, app(db, settings).await?).await
}

/// Binds `listen` and serves the admin routes on it in the background.
pub async fn start_admin(
    listen: SocketAddr,
    db: DatabaseConnection,
    metrics: Option<Metrics>,
) -> std::io::Result<RunningServer> {
    serve(listen, admin_app(db, metrics)).await
}

/// Binds `listen` and serves `app` on it in the background, until [`RunningServer::stop`].
pub async fn serve(
    listen: SocketAddr,
    app: impl Endpoint + 'static,
) -> std::io::Result<RunningServer> {
    let acceptor = TcpListener::bind(listen).into_acceptor().await?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|addr| addr.as_socket_addr().copied())
        .ok_or_else(|| std::io::Error::other("the listener has no socket address"))?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = poem::Server::new_with_acceptor(acceptor);
    let task = tokio::spawn(async move {
        server
            .run_with_graceful_shutdown(
                app,
                async {
                    let _ = stopped.await;
                },
                Some(GRACE),
            )
            .await
    });
    Ok(RunningServer {
        addr,
        shutdown,
        task,
    })
}

impl RunningServer {
    /// Stops accepting connections, lets requests in flight finish, and waits for the end.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await.map_err(std::io::Error::other)?
    }
}
