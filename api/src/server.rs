//! The HTTP server: GraphQL, GraphiQL, health and readiness, graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::{CatchPanic, Compression, SizeLimit};
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoEndpoint, IntoResponse, Response, Route, get, handler};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Limits;
use crate::cost::QueryCost;
use crate::db::{NotReady, check_ready};
use crate::error::ErrorCodes;
use crate::ftv1::{self, IncludeTrace, InlineTrace};
use crate::graph::federation::EntityLimit;
use crate::graph::{GovGraphSchema, schema};
use crate::graphiql;
use crate::loaders::execute;

/// The schema with the database and limits attached.
pub fn build_schema(db: DatabaseConnection, limits: Limits) -> GovGraphSchema {
    schema()
        .data(db)
        .data(EntityLimit(limits.max_entity_representations))
        .limit_depth(limits.max_query_depth)
        .extension(QueryCost {
            max: limits.max_query_complexity,
        })
        .extension(ErrorCodes)
        .extension(InlineTrace)
        .finish()
}

#[derive(Clone, Copy)]
struct RequestTimeout(Duration);

/// An error response in GraphQL's shape, with a code.
fn error_response(status: StatusCode, code: &str, message: String) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

/// `POST /graphql` and `GET /graphql`: runs one operation with a fresh set of loaders.
#[handler]
async fn graphql(
    schema: Data<&GovGraphSchema>,
    db: Data<&DatabaseConnection>,
    timeout: Data<&RequestTimeout>,
    headers: &poem::http::HeaderMap,
    request: poem::Result<GraphQLRequest>,
) -> Response {
    let request = match request {
        Ok(request) if headers.get(ftv1::HEADER).is_some_and(|v| v == "ftv1") => {
            request.0.data(IncludeTrace)
        }
        Ok(request) => request.0,
        Err(error) => {
            let message = format!("the request is not a GraphQL request: {error}");
            return error_response(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message);
        }
    };
    let limit = timeout.0.0;
    match tokio::time::timeout(limit, execute(&schema, db.0.clone(), request)).await {
        Ok(response) => GraphQLResponse::from(response).into_response(),
        Err(_) => {
            let message = format!("the request did not finish within {} s", limit.as_secs());
            error_response(StatusCode::OK, "TIMEOUT", message)
        }
    }
}

/// `GET /healthz`: answers while the process lives.
#[handler]
fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
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
pub fn app(db: DatabaseConnection, limits: Limits) -> impl poem::Endpoint {
    let schema = build_schema(db.clone(), limits);
    Route::new()
        .at("/", get(graphiql::page))
        .at("/graphiql/:file", get(graphiql::asset))
        .at(
            "/graphql",
            get(graphql).post(graphql.with(SizeLimit::new(limits.max_request_bytes))),
        )
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
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
        .data(schema)
        .data(db)
        .data(RequestTimeout(Duration::from_secs(
            limits.request_timeout_secs,
        )))
        .into_endpoint()
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

/// Binds `listen` (port 0 picks a free port) and serves the app on it in the background.
pub async fn start(
    listen: SocketAddr,
    db: DatabaseConnection,
    limits: Limits,
) -> std::io::Result<RunningServer> {
    let acceptor = TcpListener::bind(listen).into_acceptor().await?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|addr| addr.as_socket_addr().copied())
        .ok_or_else(|| std::io::Error::other("the listener has no socket address"))?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = poem::Server::new_with_acceptor(acceptor);
    let app = app(db, limits);
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
