//! Opening the database, migrating it, waiting for it at start-up, and checking it is ready.

use std::str::FromStr as _;
use std::time::Duration;

use govgraph_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::{self, Connection as _};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

use crate::config::DatabaseConfig;

/// Opens a pool on the configured database. A pooled connection is checked before use only
/// after 30 s idle. SQLite runs in WAL mode, so that readers do not wait for a writer, with
/// foreign keys enforced. On PostgreSQL, the server cancels any statement that runs longer than
/// `statement_timeout`. With `lazy`, no connection is opened until a statement needs one.
/// Statements report how long they take to execute (see [`govgraph_read::store::observe_statements`]).
pub async fn connect(
    config: &DatabaseConfig,
    statement_timeout: Option<Duration>,
    lazy: bool,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(config.database_url.clone());
    options
        .max_connections(config.max_connections())
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(config.database_acquire_timeout)
        // A connection in steady use is known to be alive: ping only one idle for a while,
        // rather than spend a round trip on every statement.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .connect_lazy(lazy)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|options| {
            options
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    if let Some(timeout) = statement_timeout {
        options.statement_timeout(timeout);
    }
    let mut db = Database::connect(options).await?;
    govgraph_read::store::observe_statements(&mut db, |_: &sea_orm::Statement| {});
    Ok(db)
}

/// Opens the one connection a bulk load writes through (see `govgraph_data::bulk`). On SQLite
/// the load writes through a rollback journal rather than the write-ahead log when it can: a
/// load larger than the page cache spills pages as it goes, and the log takes a new copy of a
/// page at every spill where the journal keeps one (66 s against 72 s at scale 100). Leaving WAL
/// mode needs the database to itself; while another connection has it open (a server, say), the
/// load goes through the log. [`close_load`] puts the database back in WAL mode.
pub async fn connect_for_load(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    use sqlx::sqlite::SqliteJournalMode;

    if config.is_sqlite() {
        match open_loader(config, SqliteJournalMode::Delete, Duration::ZERO).await {
            Err(error) if is_locked(&error) => tracing::warn!(
                "another connection has the database open: loading through the write-ahead log, \
                 which is slower"
            ),
            Ok(db) => {
                // Once out of WAL mode, wait for readers as any connection does.
                db.execute_unprepared("PRAGMA busy_timeout = 5000").await?;
                return Ok(db);
            }
            Err(error) => return Err(error),
        }
    }
    open_loader(config, SqliteJournalMode::Wal, Duration::from_secs(5)).await
}

async fn open_loader(
    config: &DatabaseConfig,
    journal: sqlx::sqlite::SqliteJournalMode,
    busy_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(config.database_url.clone());
    options
        .max_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |options| {
            options
                .journal_mode(journal)
                .foreign_keys(true)
                .busy_timeout(busy_timeout)
        });
    Database::connect(options).await
}

/// Whether SQLite refused `error`'s statement because another connection holds a lock
/// (`SQLITE_BUSY`).
fn is_locked(error: &DbErr) -> bool {
    match error {
        DbErr::Conn(sea_orm::RuntimeErr::SqlxError(error)) => error
            .as_database_error()
            .and_then(|error| error.code())
            .is_some_and(|code| code == "5"),
        _ => false,
    }
}

/// Closes a connection opened by [`connect_for_load`], putting a SQLite database back in WAL
/// mode.
pub async fn close_load(db: DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    db.close().await
}

/// Applies every pending migration over a connection of its own, on which no statement
/// timeout applies, then imports the default data set unless the database holds this version
/// of it already: a new database gets it, and one made by an earlier version gets its changes.
pub async fn migrate(config: &DatabaseConfig) -> anyhow::Result<()> {
    let migrations = DatabaseConfig {
        database_max_connections: Some(1),
        ..config.clone()
    };
    let db = connect(&migrations, None, false).await?;
    let migrated = async {
        let pending = Migrator::get_pending_migrations(&db).await?.len();
        Migrator::up(&db, None).await?;
        let imported = govgraph_data::default::bring_up_to_date(&db)
            .await
            .map_err(|error| anyhow::anyhow!("cannot import the default data set: {error}"))?;
        if let Some(summary) = &imported {
            tracing::info!(
                digest = %govgraph_data::default::digest(),
                nodes_created = summary.nodes.created.count,
                nodes_updated = summary.nodes.updated.count,
                relationships_created = summary.edges.created.count,
                relationships_updated = summary.edges.updated.count,
                removed = summary.nodes.removed.count + summary.edges.removed.count,
                "imported the default data set"
            );
        }
        // Writes leave the planner's statistics behind them.
        if pending > 0 || imported.is_some_and(|summary| !summary.is_empty()) {
            govgraph_data::analyze(&db).await?;
        }
        anyhow::Ok(())
    }
    .await;
    db.close().await?;
    migrated
}

/// Why the database could not be opened, as one line, and whether waiting could help.
#[derive(Debug, thiserror::Error)]
#[error("{reason}")]
pub struct Unreachable {
    /// What went wrong, without the URL's password.
    pub reason: String,
    /// Whether the database may come (connection refused, starting up, too many
    /// connections), rather than being wrong (an unknown database, a bad password).
    pub transient: bool,
}

/// Tries to open one connection to the database, to say plainly why it cannot be, if it
/// cannot: the pool would only report that it timed out.
pub async fn probe(config: &DatabaseConfig) -> Result<(), Unreachable> {
    let url = config.database_url.as_str();
    let opened: Result<(), sqlx::Error> = async {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
            sqlx::postgres::PgConnection::connect_with(&options)
                .await?
                .close()
                .await
        } else {
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
            sqlx::sqlite::SqliteConnection::connect_with(&options)
                .await?
                .close()
                .await
        }
    }
    .await;
    opened.map_err(|error| {
        let transient = match &error {
            sqlx::Error::Database(database) => database.code().is_some_and(|code| {
                code.starts_with("08") || matches!(code.as_ref(), "57P03" | "53300")
            }),
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => true,
            _ => false,
        };
        let reason = match &error {
            sqlx::Error::Database(database) => database.message().to_owned(),
            sqlx::Error::Io(io) => io.to_string(),
            other => other.to_string(),
        };
        Unreachable { reason, transient }
    })
}

/// Why the service is not ready to serve.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    /// The database does not answer.
    #[error("the database does not answer")]
    Unreachable(#[source] DbErr),
    /// Migrations are waiting to be applied.
    #[error("{0} migration(s) are not applied")]
    Pending(usize),
}

/// Checks that the database answers and every migration is applied, without changing anything.
pub async fn check_ready(db: &DatabaseConnection) -> Result<(), NotReady> {
    db.execute_unprepared("SELECT 1")
        .await
        .map_err(NotReady::Unreachable)?;
    let pending = Migrator::get_pending_migrations_read_only(db)
        .await
        .map_err(NotReady::Unreachable)?;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(NotReady::Pending(pending.len()))
    }
}
