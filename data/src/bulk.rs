//! Bulk loads, as `govgraph generate` writes: inside one transaction, what the database derives
//! from each inserted row (search documents, counts, the graph's version) is derived once at the
//! end, set-based, and the tables' secondary indexes are built once at the end, by sorting,
//! rather than grown a row at a time.
//!
//! The mark that turns the row triggers aside is a row of `bulk_load` written inside the
//! transaction, so no other transaction ever sees it. Primary keys stay, so that a row already
//! there is found as rows arrive; the other unique indexes are checked as they are built (the
//! loader derives each id from the natural key those indexes hold, so they agree). Dropping and
//! building the indexes is part of the transaction: a load that fails leaves them as they were. On PostgreSQL dropping an index locks its table
//! until the load commits, so a bulk load is for a database that is not serving; on SQLite
//! readers go on reading the last committed graph meanwhile.

use govgraph_migration::derived;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// SQLite's page cache for a bulk load, in KiB: large enough that inserting into the graph's
/// indexes does not spill pages to the log mid-transaction, small enough to keep the loader's
/// memory bounded.
const SQLITE_CACHE_KIB: u32 = 64 * 1024;

/// SQLite's default page cache, in KiB, restored when the load ends.
const SQLITE_DEFAULT_CACHE_KIB: u32 = 2_000;

/// The tables whose secondary indexes a bulk load builds at its end.
const TABLES: [&str; 6] = [
    "node",
    "edge",
    "citation",
    "external_id",
    "node_search",
    "node_degree",
];

/// A bulk load under way: the indexes it dropped, to build again.
#[derive(Debug)]
pub struct BulkLoad {
    indexes: Vec<(String, String)>,
}

/// The indexes of [`TABLES`] that no constraint owns (a primary key's stays), but the unique
/// indexes of `node`, which the detail tables' foreign keys name, as (name, definition).
async fn secondary_indexes<C: ConnectionTrait>(db: &C) -> Result<Vec<(String, String)>, DbErr> {
    let backend = db.get_database_backend();
    let tables = TABLES
        .iter()
        .map(|table| format!("'{table}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = match backend {
        // SQLite's own indexes, of primary keys and UNIQUE constraints, have no SQL.
        DbBackend::Sqlite => format!(
            "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' \
             AND sql IS NOT NULL AND tbl_name IN ({tables}) \
             AND NOT (tbl_name = 'node' AND sql LIKE 'CREATE UNIQUE%') ORDER BY name"
        ),
        _ => format!(
            "SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i \
             WHERE i.schemaname = current_schema() AND i.tablename IN ({tables}) \
             AND NOT (i.tablename = 'node' AND i.indexdef LIKE 'CREATE UNIQUE%') \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
               WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass) \
             ORDER BY i.indexname"
        ),
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "name")?, row.try_get("", "definition")?)))
        .collect()
}

/// Starts a bulk load in `db`, a transaction.
pub async fn begin<C: ConnectionTrait>(db: &C) -> Result<BulkLoad, DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.execute_unprepared(&format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
                .await?;
        }
        _ => {
            // The planner's statistics describe the tables as they were before the load, which
            // may be near empty: looked up by key as they grow, they must be read through their
            // indexes, not scanned.
            db.execute_unprepared("SET LOCAL enable_seqscan = off")
                .await?;
        }
    }
    db.execute_unprepared(&format!(
        "INSERT INTO {} (id) VALUES (1)",
        derived::BULK_LOAD
    ))
    .await?;
    let indexes = secondary_indexes(db).await?;
    for (name, _) in &indexes {
        db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
    }
    Ok(BulkLoad { indexes })
}

impl BulkLoad {
    /// Derives what the load deferred, builds the indexes it dropped, and ends it; the caller
    /// commits.
    pub async fn finish<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        let backend = db.get_database_backend();
        if backend == DbBackend::Postgres {
            db.execute_unprepared(
                "SET LOCAL enable_seqscan = on; SET LOCAL maintenance_work_mem = '256MB'",
            )
            .await?;
        }
        db.execute_unprepared(&format!("DELETE FROM {}", derived::BULK_LOAD))
            .await?;
        db.execute_unprepared(&derived::missing_search_documents(backend))
            .await?;
        for statement in derived::recount() {
            db.execute_unprepared(&statement).await?;
        }
        db.execute_unprepared(derived::BUMP_VERSION).await?;
        for (_, definition) in &self.indexes {
            db.execute_unprepared(definition).await?;
        }
        if backend == DbBackend::Sqlite {
            db.execute_unprepared(&format!("PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}"))
                .await?;
        }
        Ok(())
    }
}
