//! Bulk loads defer what the database derives from each written row, and derive it once at the
//! end, set-based: a row in `bulk_load`, written and deleted inside the loading transaction (so
//! that no other transaction ever sees it), turns off the row triggers of inserts that keep
//! search documents (migration 3), counts (migration 5), relationships' copies of their ends
//! (migration 6: the loader writes them itself) and, on SQLite, the graph's version (migration 7;
//! PostgreSQL moves it once per statement). [`crate::derived`] holds what the
//! loader runs instead.
//!
//! On SQLite each such trigger gains `WHEN NOT EXISTS (SELECT 1 FROM bulk_load)`; on PostgreSQL
//! the trigger functions return at once while the row is there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::run_all;

/// Creates `bulk_load` and guards the insert triggers with it.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000010_defer_derived_data_in_bulk_loads"
    }
}

/// The guard a SQLite trigger gains.
const GUARD: &str = " WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN ";

/// The SQLite insert triggers a bulk load defers: every row trigger of an insert but the one
/// that keeps the full-text index in step with the search documents.
const SQLITE_DEFERRED: &str = "type = 'trigger' AND (name LIKE 'node\\_search\\_follow\\_%\\_insert' \
     ESCAPE '\\' OR name IN ('edge_counted_insert', 'edge_ends_kept_insert') \
     OR name LIKE '%\\_insert\\_changes\\_graph' ESCAPE '\\')";

/// The SQLite triggers a bulk load defers, as (name, definition).
async fn sqlite_deferred<C: ConnectionTrait>(db: &C) -> Result<Vec<(String, String)>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("SELECT name, sql FROM sqlite_master WHERE {SQLITE_DEFERRED} ORDER BY name"),
        ))
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("", "name")?, row.try_get("", "sql")?)))
        .collect()
}

/// Redefines each deferred SQLite trigger by `change`.
async fn redefine<C: ConnectionTrait>(
    db: &C,
    change: impl Fn(&str) -> String,
) -> Result<(), DbErr> {
    let mut statements = Vec::new();
    for (name, sql) in sqlite_deferred(db).await? {
        statements.push(format!("DROP TRIGGER {name}"));
        statements.push(change(&sql));
    }
    run_all(db, statements).await
}

/// The PostgreSQL trigger functions a bulk load defers, with the guard or, for `down`, without.
fn postgres_functions(guarded: bool) -> Vec<String> {
    let guard = |returned: &str| {
        if guarded {
            format!(
                "IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM bulk_load) THEN RETURN {returned}; END IF; "
            )
        } else {
            String::new()
        }
    };
    vec![
        format!(
            "CREATE OR REPLACE FUNCTION node_search_follow_node() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN {}PERFORM node_search_refresh(NEW.id); RETURN NULL; END $$",
            guard("NULL")
        ),
        format!(
            "CREATE OR REPLACE FUNCTION node_search_follow_detail() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN {}\
               IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.node_id <> NEW.node_id) THEN \
                 PERFORM node_search_refresh(OLD.node_id); \
               END IF; \
               IF TG_OP <> 'DELETE' THEN PERFORM node_search_refresh(NEW.node_id); END IF; \
               RETURN NULL; \
             END $$",
            guard("NULL")
        ),
        format!(
            "CREATE OR REPLACE FUNCTION edge_counted_insert() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN {}{}; RETURN NULL; END $$",
            guard("NULL"),
            crate::m20261129_000005_count_relationships::postgres_counted(
                "SELECT subject_id, predicate, object_id, 1 AS d FROM arrived"
            )
        ),
        format!(
            "CREATE OR REPLACE FUNCTION edge_ends_kept() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN {}\
               SELECT kind, name INTO NEW.subject_kind, NEW.subject_name \
                 FROM node WHERE id = NEW.subject_id; \
               SELECT kind, name INTO NEW.object_kind, NEW.object_name \
                 FROM node WHERE id = NEW.object_id; \
               RETURN NEW; \
             END $$",
            guard("NEW")
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("CREATE TABLE bulk_load (id integer PRIMARY KEY)")
            .await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => run_all(db, postgres_functions(true)).await,
            _ => redefine(db, |sql| sql.replacen(" BEGIN ", GUARD, 1)).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => run_all(db, postgres_functions(false)).await?,
            _ => redefine(db, |sql| sql.replacen(GUARD, " BEGIN ", 1)).await?,
        }
        db.execute_unprepared("DROP TABLE bulk_load")
            .await
            .map(|_| ())
    }
}
