//! Opening the database, migrating it, and checking it is ready.

use std::time::Duration;

use govgraph_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

use crate::config::DatabaseConfig;

/// Opens a pool on the configured database. A pooled connection is checked before use only
/// after 30 s idle. SQLite runs in WAL mode, so that readers do not wait for a writer, with
/// foreign keys enforced. Statements report how long they take to
/// execute (see [`crate::store::observe_statements`]).
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(config.database_url.clone());
    options
        .max_connections(config.database_max_connections)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // A connection in steady use is known to be alive: ping only one idle for a while,
        // rather than spend a round trip on every statement.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|options| {
            options
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    let mut db = Database::connect(options).await?;
    crate::store::observe_statements(&mut db, |_| {});
    Ok(db)
}

/// Applies every pending migration; on an empty database this loads the default data set.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
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
