//! Bulk loads, as `govgraph generate` writes: inside one transaction, what the database derives
//! from each inserted row (search documents, counts, the graph's version) is derived once at the
//! end, set-based, and the tables' secondary indexes are built once at the end, by sorting,
//! rather than grown a row at a time. On PostgreSQL the foreign keys go too, and are added back
//! at the end, which checks every reference in one join rather than by a trigger per row.
//!
//! The mark that turns the row triggers aside is a row of `bulk_load` written inside the
//! transaction, so no other transaction ever sees it; on PostgreSQL the load also disables the
//! insert triggers it defers, for its transaction, so that they are not called at all.
//!
//! Primary keys stay, so that a row already there is found as rows arrive; the other unique
//! indexes are checked as they are built (the loader derives each id from the natural key those
//! indexes hold, so they agree). Dropping and building the indexes is part of the transaction: a
//! load that fails leaves them as they were. On PostgreSQL dropping an index locks its table
//! until the load commits, so a bulk load is for a database that is not serving; on SQLite
//! readers go on reading the last committed graph meanwhile.
//!
//! The planner's statistics describe the tables as they were before the load, perhaps near
//! empty; the load sets them aside (see [`begin`]) and gathers them again at its end.

use govgraph_migration::derived;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// SQLite's page cache for a bulk load, in KiB: large enough that inserting into the graph's
/// indexes does not spill pages to the log mid-transaction, small enough to keep the loader's
/// memory bounded.
const SQLITE_CACHE_KIB: u32 = 64 * 1024;

/// SQLite's page cache, in KiB, while the load derives its rows and builds its indexes: each
/// sort for an index holds as much in memory.
const SQLITE_SORT_CACHE_KIB: u32 = 8 * 1024;

/// SQLite's default page cache, in KiB, restored when the load ends.
const SQLITE_DEFAULT_CACHE_KIB: u32 = 2_000;

/// The tables whose secondary indexes a bulk load builds at its end.
const TABLES: [&str; 5] = ["node", "edge", "citation", "node_search", "node_degree"];

/// A bulk load under way: the indexes and foreign keys it dropped, to add again, and the
/// triggers it disabled, to enable again.
#[derive(Debug)]
pub struct BulkLoad {
    indexes: Vec<(String, String)>,
    foreign: Vec<ForeignKey>,
    disabled: Vec<Trigger>,
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

/// Rewrites SQLite's statistics to describe every table as holding a million rows. Gathered
/// before the load, they may describe near-empty tables, and with them the planner reads a list
/// of keys as a scan of a table that grows with every batch: a load becomes quadratic. Emptying
/// the statistics would not do, as the planner keeps the row counts it has read until the
/// connection closes. They come back if the load rolls back, and [`BulkLoad::finish`] gathers
/// them again.
async fn assume_large_tables<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let gathered = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
        ))
        .await?
        .is_some();
    if gathered {
        // Each row's `stat` starts with the table's row count; `ANALYZE sqlite_schema` makes
        // the planner read the table again.
        db.execute_unprepared(
            "UPDATE sqlite_stat1 SET stat = '1000000' || substr(stat, instr(stat, ' ')) \
               WHERE instr(stat, ' ') > 0; \
             UPDATE sqlite_stat1 SET stat = '1000000' WHERE instr(stat, ' ') = 0; \
             ANALYZE sqlite_schema",
        )
        .await?;
    }
    Ok(())
}

/// The foreign keys of the graph's tables, as (table, name, definition): PostgreSQL checks each
/// with a trigger per inserted row, where adding it back checks every row at once.
async fn foreign_keys<C: ConnectionTrait>(db: &C) -> Result<Vec<ForeignKey>, DbErr> {
    db.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT c.conrelid::regclass::text AS tbl, quote_ident(c.conname) AS name, \
           pg_get_constraintdef(c.oid) AS definition \
         FROM pg_constraint c WHERE c.contype = 'f' \
           AND c.connamespace = current_schema()::regnamespace ORDER BY 1, 2",
    ))
    .await?
    .iter()
    .map(|row| {
        Ok(ForeignKey {
            table: row.try_get("", "tbl")?,
            name: row.try_get("", "name")?,
            definition: row.try_get("", "definition")?,
        })
    })
    .collect()
}

/// PostgreSQL's row triggers of inserts that a bulk load defers (migration 11 gave each its own
/// trigger), and the counts' statement trigger of inserts, which keeps every inserted row for its
/// call: those of inserts alone whose function stands aside for a load.
async fn deferred_triggers<C: ConnectionTrait>(db: &C) -> Result<Vec<Trigger>, DbErr> {
    db.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        format!(
            "SELECT t.tgrelid::regclass::text AS tbl, quote_ident(t.tgname) AS name \
             FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid \
             JOIN pg_class c ON c.oid = t.tgrelid \
             WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' \
               AND c.relnamespace = current_schema()::regnamespace \
               AND t.tgtype & {EVENTS} = {INSERT} AND p.prosrc LIKE '%{}%' ORDER BY 1, 2",
            derived::BULK_LOAD
        ),
    ))
    .await?
    .iter()
    .map(|row| {
        Ok(Trigger {
            table: row.try_get("", "tbl")?,
            name: row.try_get("", "name")?,
        })
    })
    .collect()
}

/// The events of `pg_trigger.tgtype`: insert, delete, update and truncate.
const EVENTS: u8 = 4 | 8 | 16 | 32;
/// The insert event of `pg_trigger.tgtype`.
const INSERT: u8 = 4;

/// A trigger a bulk load on PostgreSQL disables, to enable at its end.
#[derive(Debug)]
struct Trigger {
    table: String,
    name: String,
}

/// A foreign key a bulk load on PostgreSQL drops, to add back at its end.
#[derive(Debug)]
struct ForeignKey {
    table: String,
    name: String,
    definition: String,
}

/// Starts a bulk load in `db`, a transaction.
pub async fn begin<C: ConnectionTrait>(db: &C) -> Result<BulkLoad, DbErr> {
    let mut foreign = Vec::new();
    let mut disabled = Vec::new();
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.execute_unprepared(&format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
                .await?;
            assume_large_tables(db).await?;
        }
        _ => {
            // The planner's statistics describe the tables as they were before the load, which
            // may be near empty: looked up by key as they grow, they must be read through their
            // indexes, not scanned.
            db.execute_unprepared("SET LOCAL enable_seqscan = off")
                .await?;
            foreign = foreign_keys(db).await?;
            for key in &foreign {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {} DROP CONSTRAINT {}",
                    key.table, key.name
                ))
                .await?;
            }
            // Disabling a trigger is part of the transaction, as dropping an index is.
            disabled = deferred_triggers(db).await?;
            for trigger in &disabled {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {} DISABLE TRIGGER {}",
                    trigger.table, trigger.name
                ))
                .await?;
            }
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
    Ok(BulkLoad {
        indexes,
        foreign,
        disabled,
    })
}

impl BulkLoad {
    /// Derives what the load deferred, builds the indexes and adds back the foreign keys it
    /// dropped (checking every reference), gathers the planner's statistics, and ends the load;
    /// the caller commits.
    pub async fn finish<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        let backend = db.get_database_backend();
        match backend {
            DbBackend::Sqlite => {
                // Sorting for an index takes as much memory as the page cache: a smaller cache
                // keeps the loader's memory bounded, and two threads sort faster.
                db.execute_unprepared(&format!(
                    "PRAGMA cache_size = -{SQLITE_SORT_CACHE_KIB}; PRAGMA threads = 2"
                ))
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "SET LOCAL enable_seqscan = on; SET LOCAL maintenance_work_mem = '256MB'",
                )
                .await?;
            }
        }
        db.execute_unprepared(&format!("DELETE FROM {}", derived::BULK_LOAD))
            .await?;
        for trigger in &self.disabled {
            db.execute_unprepared(&format!(
                "ALTER TABLE {} ENABLE TRIGGER {}",
                trigger.table, trigger.name
            ))
            .await?;
        }
        db.execute_unprepared(&derived::missing_search_documents(backend))
            .await?;
        for statement in derived::recount() {
            db.execute_unprepared(&statement).await?;
        }
        db.execute_unprepared(derived::BUMP_VERSION).await?;
        for (_, definition) in &self.indexes {
            db.execute_unprepared(definition).await?;
        }
        // Adding a foreign key back checks every row against its parent in one join.
        for key in &self.foreign {
            db.execute_unprepared(&format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {}",
                key.table, key.name, key.definition
            ))
            .await?;
        }
        if backend == DbBackend::Sqlite {
            db.execute_unprepared(&format!(
                "PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}; PRAGMA threads = 0"
            ))
            .await?;
        }
        crate::analyze(db).await
    }
}
