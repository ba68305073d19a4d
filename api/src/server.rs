//! The HTTP server: GraphQL, GraphiQL, health and readiness, graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use async_graphql::{ErrorExtensions, ServerError};
use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::Compression;
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoEndpoint, Route, get, handler};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Limits;
use crate::db::{NotReady, check_ready};
use crate::error::ErrorCodes;
use crate::graph::{GovGraphSchema, schema};
use crate::graphiql;
use crate::loaders::per_request;

/// The schema with the database and limits attached.
pub fn build_schema(db: DatabaseConnection, limits: Limits) -> GovGraphSchema {
    schema()
        .data(db)
        .limit_depth(limits.max_query_depth)
        .limit_complexity(limits.max_query_complexity)
        .extension(ErrorCodes)
        .finish()
}

#[derive(Clone, Copy)]
struct RequestTimeout(Duration);

/// `POST /graphql` and `GET /graphql`: runs one operation with a fresh set of loaders.
#[handler]
async fn graphql(
    schema: Data<&GovGraphSchema>,
    db: Data<&DatabaseConnection>,
    timeout: Data<&RequestTimeout>,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let (loaders, batches) = per_request(db.0.clone());
    let request = request.0.data(loaders);
    match tokio::time::timeout(timeout.0.0, batches.drive(schema.execute(request))).await {
        Ok(response) => response.into(),
        Err(_) => {
            let error = ServerError::new(
                format!(
                    "the request did not finish within {} s",
                    timeout.0.0.as_secs()
                ),
                None,
            );
            let error = ServerError {
                extensions: error.extend_with_code("TIMEOUT"),
                ..error
            };
            async_graphql::Response::from_errors(vec![error]).into()
        }
    }
}

trait WithCode {
    fn extend_with_code(&self, code: &str) -> Option<async_graphql::ErrorExtensionValues>;
}

impl WithCode for ServerError {
    fn extend_with_code(&self, code: &str) -> Option<async_graphql::ErrorExtensionValues> {
        async_graphql::Error::new(self.message.clone())
            .extend_with(|_, e| e.set("code", code))
            .extensions
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
        .at("/graphql", get(graphql).post(graphql))
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
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
