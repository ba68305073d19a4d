//! The data of govgraph: the data-file format, the validating importer every write goes
//! through, and the default data set it ships with.
//!
//! A data file is TOML (see `data/README.md`). Importing reads every file, validates all of
//! them against the rules of the graph and what the database holds, and only then writes, in
//! one transaction, as an upsert by natural key: importing the same files twice changes
//! nothing.

mod arrays;
pub mod bulk;
pub mod default;
pub mod export;
pub mod facts;
pub mod format;
pub mod import;
pub mod problems;
pub mod read;
pub mod synthetic;
pub mod validate;

use std::path::Path;

use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

pub use facts::node_id;
pub use import::{Options, Summary};
pub use problems::{Problem, Problems};
pub use read::ParsedFile;
pub use validate::ImportError;

/// Reads every file at `paths`: all of them, or every problem any of them has.
pub fn read_files(paths: &[impl AsRef<Path>]) -> Result<Vec<ParsedFile>, Problems> {
    let mut files = Vec::with_capacity(paths.len());
    let mut problems = Problems::default();
    for path in paths {
        match read::read_file(path.as_ref()) {
            Ok(file) => files.push(file),
            Err(found) => problems.0.extend(found.0),
        }
    }
    problems.into_result().map(|()| files)
}

/// Validates `files` and applies them to `db` in one transaction, which a dry run rolls back.
pub async fn import(
    db: &DatabaseConnection,
    files: &[ParsedFile],
    options: Options,
) -> Result<Summary, ImportError> {
    let transaction = db.begin().await?;
    match import_in(&transaction, files, options).await {
        Ok(summary) if !options.dry_run => {
            transaction.commit().await?;
            Ok(summary)
        }
        outcome => {
            // Rolled back now, rather than when the connection is next used: until then it
            // would hold its locks.
            transaction.rollback().await?;
            outcome
        }
    }
}

/// Validates `files` and applies them in `db`, a transaction the caller commits.
pub async fn import_in<C: ConnectionTrait>(
    db: &C,
    files: &[ParsedFile],
    options: Options,
) -> Result<Summary, ImportError> {
    let batch = validate::validate(db, files).await?;
    Ok(import::apply(db, &batch, options).await?)
}

/// Brings the query planner's statistics up to date, as bulk writes leave them stale: without
/// them SQLite plans a nested page of a freshly generated graph as a scan. On SQLite `ANALYZE`
/// with `analysis_limit`, so that it samples each index rather than reading it whole; on
/// PostgreSQL `ANALYZE` of the tables of the graph's schema, not of every schema's.
pub async fn analyze<C: ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        return db
            .execute_unprepared("PRAGMA analysis_limit = 1000; ANALYZE")
            .await
            .map(|_| ());
    }
    let tables = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT quote_ident(tablename) AS name FROM pg_tables \
             WHERE schemaname = current_schema() ORDER BY tablename",
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "name"))
        .collect::<Result<Vec<_>, _>>()?;
    if tables.is_empty() {
        return Ok(());
    }
    db.execute_unprepared(&format!("ANALYZE {}", tables.join(", ")))
        .await
        .map(|_| ())
}
