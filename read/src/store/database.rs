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

tokio::task_local! {
    /// How long the statement [`Store::select`] is running took to execute, as the driver
    /// timed it once it had a connection: set by the callback of [`observe_statements`].
    static EXECUTED: Cell<Option<Duration>>;
}

/// What is told of each statement the store runs: a metrics recorder, in the service.
pub trait Observer: Send + Sync + 'static {
    /// One statement ran for `elapsed` in all, of which `waited` (when known) waiting for a
    /// pooled connection; `attributes` describe it (`db.system.name`, `db.operation.name`,
    /// `db.query.summary`, and `error.type` when it failed).
    fn statement(&self, elapsed: Duration, waited: Option<Duration>, attributes: &[KeyValue]);
}

/// Whether an error means a connection to the database was lost or never made, rather than a
/// fault of a statement: the statement may be sent again on another connection.
pub fn is_connection_lost(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match error {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        Error::Database(error) => error.code().is_some_and(|code| {
            // Class 08: connection exception; 57P01-57P03: the server is shutting down,
            // crashed, or not yet accepting connections.
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

/// Makes `db` report how long each statement takes to execute, which tells the time spent
/// waiting for a pooled connection apart. `also` sees each statement's parameterised text.
pub fn observe_statements(
    db: &mut DatabaseConnection,
    also: impl Fn(&sea_orm::Statement) + Send + Sync + 'static,
) {
    db.set_metric_callback(move |info| {
        // Outside `Store::select` (migrations, readiness checks) there is nothing to tell.
        let _ = EXECUTED.try_with(|executed| executed.set(Some(info.elapsed)));
        also(info.statement);
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
    observer: Arc<dyn Observer>,
    reachability: Reachability,
}

/// How long statements fail at once after the database could not be reached, before one tries
/// again.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// Whether the database is known to be unreachable. While it is, statements fail at once
/// rather than each wait for the pool to give up connecting; every [`RETRY_EVERY`], one
/// statement tries again, alone.
#[derive(Debug, Default)]
struct Reachability {
    /// When the next try is due, while the database is unreachable.
    retry_at: Mutex<Option<Instant>>,
}

impl Reachability {
    /// Whether a statement may try the database at `now`. A statement allowed while the
    /// database is unreachable is the one try: others fail at once for `trying` more.
    fn may_try(&self, now: Instant, trying: Duration) -> bool {
        let Ok(mut retry_at) = self.retry_at.lock() else {
            return true;
        };
        match *retry_at {
            Some(at) if now < at => false,
            Some(_) => {
                *retry_at = Some(now + trying);
                true
            }
            None => true,
        }
    }

    /// The database could not be reached at `now`.
    fn unreachable(&self, now: Instant) {
        if let Ok(mut retry_at) = self.retry_at.lock() {
            *retry_at = Some(now + RETRY_EVERY);
        }
    }

    /// The database answered.
    fn reachable(&self) {
        if let Ok(mut retry_at) = self.retry_at.lock()
            && retry_at.is_some()
        {
            *retry_at = None;
        }
    }
}

/// Whether a statement failed because its connection was lost, so that it may be sent again on
/// another one.
fn lost_connection(error: &DbErr) -> bool {
    match error {
        DbErr::Conn(RuntimeErr::SqlxError(error))
        | DbErr::Query(RuntimeErr::SqlxError(error))
        | DbErr::Exec(RuntimeErr::SqlxError(error)) => {
            !matches!(**error, sea_orm::sqlx::Error::PoolTimedOut) && is_connection_lost(error)
        }
        _ => false,
    }
}

/// The pool's open connections, its size, and how long a statement waits for a connection.
fn pool_use(db: &DatabaseConnection) -> (u32, u32, Duration) {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            let options = pool.options();
            (
                pool.size(),
                options.get_max_connections(),
                options.get_acquire_timeout(),
            )
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            let options = pool.options();
            (
                pool.size(),
                options.get_max_connections(),
                options.get_acquire_timeout(),
            )
        }
        _ => (0, 0, Duration::ZERO),
    }
}

impl Store {
    /// Reads through `db`, telling `observer` of each statement.
    pub fn new(db: DatabaseConnection, observer: Arc<dyn Observer>) -> Self {
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
            observer,
            reachability: Reachability::default(),
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

    /// The kind of database.
    pub fn backend(&self) -> sea_orm::DbBackend {
        self.db.get_database_backend()
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
        about.observer.statement(elapsed, waited, &attributes);
        result
    }
}

impl Store {
    /// Runs `statement`, again on another connection when its connection turns out to be lost
    /// (the database restarted, or ended the backend), up to once per pooled connection; and
    /// fails at once while the database is known to be unreachable (see [`Reachability`]).
    async fn run(
        &self,
        statement: sea_orm::Statement,
    ) -> (Result<Vec<QueryResult>, DbErr>, Option<Duration>) {
        let reachability = &self.about.reachability;
        let (_, size, acquire) = pool_use(&self.db);
        if !reachability.may_try(Instant::now(), acquire + RETRY_EVERY) {
            return (Err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)), None);
        }
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
                    // cannot be reached. (With none to spare, it is only busy.)
                    let (open, size, _) = pool_use(&self.db);
                    if open < size {
                        reachability.unreachable(Instant::now());
                    }
                    return (result, None);
                }
                Ok(_) => {
                    reachability.reachable();
                    return (result, EXECUTED.with(Cell::get));
                }
                Err(_) => return (result, EXECUTED.with(Cell::get)),
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

/// The graph's version: a number that grows whenever anything an answer can show is written
/// (see migration 7), read in one statement.
pub async fn graph_version(db: &Store) -> Result<i64, DbErr> {
    let mut query = sea_orm::sea_query::Query::select();
    query
        .column(sea_orm::sea_query::Alias::new("version"))
        .from(sea_orm::sea_query::Alias::new("graph_version"));
    let rows = db.select("SELECT graph_version", &query).await?;
    match rows.first() {
        Some(row) => row.try_get("", "version"),
        None => Err(DbErr::RecordNotFound("graph_version".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_tried_by_one_statement_at_a_time() {
        let reachability = Reachability::default();
        let now = Instant::now();
        let trying = Duration::from_secs(3);
        assert!(reachability.may_try(now, trying));
        reachability.unreachable(now);
        assert!(!reachability.may_try(now + Duration::from_millis(500), trying));
        // The try is due: one statement takes it, the next waits for its outcome.
        let due = now + RETRY_EVERY;
        assert!(reachability.may_try(due, trying));
        assert!(!reachability.may_try(due, trying));
        assert!(!reachability.may_try(due + Duration::from_secs(2), trying));
        // It succeeded: everyone may try.
        reachability.reachable();
        assert!(reachability.may_try(due, trying));
        assert!(reachability.may_try(due, trying));
    }
}
