//! The database handle of the read path, and the span and metrics of each statement it runs.

use std::cell::Cell;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry::KeyValue;
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, QueryResult,
    RuntimeErr, StatementBuilder,
};
use tracing::Instrument as _;
use tracing::field::Empty;

use crate::telemetry::Metrics;

tokio::task_local! {
    /// How long the statement [`Store::select`] is running took to execute, as the driver
    /// timed it once it had a connection: set by the callback of [`observe_statements`].
    static EXECUTED: Cell<Option<Duration>>;
}

/// Makes `db` report how long each statement takes to execute, which tells the time spent
/// waiting for a pooled connection apart. `also` sees each statement's parameterised text.
pub fn observe_statements(
    db: &mut DatabaseConnection,
    also: impl Fn(&str) + Send + Sync + 'static,
) {
    db.set_metric_callback(move |info| {
        // Outside `Store::select` (migrations, readiness checks) there is nothing to tell.
        let _ = EXECUTED.try_with(|executed| executed.set(Some(info.elapsed)));
        also(&info.statement.sql);
    });
}

/// The database of the read path: a connection pool, and what its statements are reported as.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    about: Arc<About>,
}

struct About {
    system: &'static str,
    namespace: Option<String>,
    metrics: Metrics,
    /// Until when statements fail at once, because the database could not be reached.
    unreachable_until: Mutex<Option<Instant>>,
}

/// How long statements fail at once after the database could not be reached, before one tries
/// again.
const UNREACHABLE_FOR: Duration = Duration::from_secs(1);

/// Whether a statement failed because its connection was lost, so that it may be sent again on
/// another one.
fn lost_connection(error: &DbErr) -> bool {
    match error {
        DbErr::Conn(RuntimeErr::SqlxError(error))
        | DbErr::Query(RuntimeErr::SqlxError(error))
        | DbErr::Exec(RuntimeErr::SqlxError(error)) => {
            !matches!(**error, sea_orm::sqlx::Error::PoolTimedOut)
                && crate::db::is_connection_lost(error)
        }
        _ => false,
    }
}

/// The pool's open connections and its size.
fn pool_use(db: &DatabaseConnection) -> (u32, u32) {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.options().get_max_connections())
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.options().get_max_connections())
        }
        _ => (0, 0),
    }
}

impl Store {
    /// Reads through `db`, recording each statement into `metrics`.
    pub fn new(db: DatabaseConnection, metrics: Metrics) -> Self {
        let (system, namespace) = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let options = db.get_postgres_connection_pool().connect_options();
                ("postgresql", options.get_database().map(str::to_owned))
            }
            DatabaseBackend::Sqlite => {
                let options = db.get_sqlite_connection_pool().connect_options();
                let file = options.get_filename().file_name();
                (
                    "sqlite",
                    file.map(|name| name.to_string_lossy().into_owned()),
                )
            }
            _ => ("other_sql", None),
        };
        let about = About {
            system,
            namespace,
            metrics,
            unreachable_until: Mutex::new(None),
        };
        Self {
            db,
            about: Arc::new(about),
        }
    }

    /// The connection pool.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The metrics its statements are recorded into.
    pub fn metrics(&self) -> &Metrics {
        &self.about.metrics
    }

    /// Runs one `SELECT` inside a database client span named `summary` (the operation and the
    /// table it reads), with the statement's parameterised text and never its bound values.
    pub(crate) async fn select<S: StatementBuilder>(
        &self,
        summary: &'static str,
        statement: &S,
    ) -> Result<Vec<QueryResult>, DbErr> {
        let statement = self.db.get_database_backend().build(statement);
        let about = &*self.about;
        let span = tracing::info_span!(
            target: "govgraph_api::store",
            "database statement",
            otel.name = summary,
            otel.kind = "client",
            otel.status_code = Empty,
            db.system.name = about.system,
            db.namespace = about.namespace.as_deref(),
            db.operation.name = "SELECT",
            db.query.summary = summary,
            db.query.text = statement.sql.as_str(),
            db.response.returned_rows = Empty,
            error.type = Empty,
        );
        let started = Instant::now();
        let (result, executed) = EXECUTED
            .scope(Cell::new(None), self.run(statement))
            .instrument(span.clone())
            .await;
        let elapsed = started.elapsed();
        let mut attributes = vec![
            KeyValue::new("db.system.name", about.system),
            KeyValue::new("db.operation.name", "SELECT"),
            KeyValue::new("db.query.summary", summary),
        ];
        let waited = match &result {
            Ok(rows) => {
                span.record(
                    "db.response.returned_rows",
                    i64::try_from(rows.len()).unwrap_or(i64::MAX),
                );
                executed.and_then(|executed| elapsed.checked_sub(executed))
            }
            Err(error) => {
                let kind = error_type(error);
                span.record("otel.status_code", "ERROR");
                span.record("error.type", kind);
                attributes.push(KeyValue::new("error.type", kind));
                None
            }
        };
        about.metrics.query(elapsed, waited, &attributes);
        result
    }
}

impl Store {
    /// Runs `statement`, again on another connection when its connection turns out to be lost
    /// (the database restarted, or ended the backend), up to once per pooled connection; and
    /// fails at once for a while after the database could not be reached at all.
    async fn run(
        &self,
        statement: sea_orm::Statement,
    ) -> (Result<Vec<QueryResult>, DbErr>, Option<Duration>) {
        let unreachable = self
            .about
            .unreachable_until
            .lock()
            .ok()
            .and_then(|until| *until)
            .is_some_and(|until| Instant::now() < until);
        if unreachable {
            return (Err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)), None);
        }
        let (_, size) = pool_use(&self.db);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = self.db.query_all_raw(statement.clone()).await;
            match &result {
                Err(error) if lost_connection(error) && attempts <= size => {
                    tracing::debug!(error = %error, "a pooled connection was lost; sending the statement again");
                }
                Err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)) => {
                    // With connections to spare, the pool timed out opening one: the database
                    // cannot be reached, and requests should not each wait to find that out.
                    let (open, size) = pool_use(&self.db);
                    if open < size
                        && let Ok(mut until) = self.about.unreachable_until.lock()
                    {
                        *until = Some(Instant::now() + UNREACHABLE_FOR);
                    }
                    return (result, None);
                }
                _ => return (result, EXECUTED.with(Cell::get)),
            }
        }
    }
}

/// A low-cardinality name for a failed statement's error.
fn error_type(error: &DbErr) -> &'static str {
    match error {
        DbErr::ConnectionAcquire(_) => "connection_acquire",
        DbErr::Conn(_) => "connection",
        DbErr::Query(_) | DbErr::Exec(_) => "query",
        DbErr::Type(_) | DbErr::Json(_) => "decode",
        _ => "other",
    }
}
