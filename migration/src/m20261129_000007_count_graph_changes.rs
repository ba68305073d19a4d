//! `graph_version`: one number that grows whenever anything an answer can show is written, so
//! that a cached answer can be revalidated (an HTTP `ETag`) by reading one row instead of
//! running its query again.
//!
//! Triggers on every table of the graph add one to it, whoever writes: on PostgreSQL once per
//! statement, on SQLite, which has no statement triggers, once per row. The number only ever
//! grows; what it counts is not the number of writes but that some were made.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::run_all;

/// Creates the graph's version and the triggers that move it.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000007_count_graph_changes"
    }
}

/// Every table whose rows an answer can show.
const TABLES: [&str; 12] = [
    "node",
    "country",
    "person",
    "organisation",
    "partnership",
    "working_group",
    "event",
    "deliverable",
    "source",
    "edge",
    "citation",
    "external_id",
];

pub(crate) const BUMP: &str = "UPDATE graph_version SET version = version + 1 WHERE id = 1";

fn postgres_up() -> Vec<String> {
    let mut statements = vec![format!(
        "CREATE FUNCTION graph_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
           {BUMP}; RETURN NULL; \
         END $$"
    )];
    statements.extend(TABLES.iter().map(|table| {
        format!(
            "CREATE TRIGGER {table}_changes_graph AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE \
             ON {table} FOR EACH STATEMENT EXECUTE FUNCTION graph_changed()"
        )
    }));
    statements
}

/// The SQLite triggers, one per table and kind of write, by name.
fn sqlite_triggers() -> impl Iterator<Item = (String, String)> {
    TABLES.iter().flat_map(|table| {
        ["INSERT", "UPDATE", "DELETE"].map(|write| {
            let name = format!("{table}_{}_changes_graph", write.to_lowercase());
            let create =
                format!("CREATE TRIGGER {name} AFTER {write} ON {table} BEGIN {BUMP}; END");
            (name, create)
        })
    })
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut statements = vec![
            "CREATE TABLE graph_version (id smallint PRIMARY KEY CHECK (id = 1), \
             version bigint NOT NULL)"
                .to_owned(),
            "INSERT INTO graph_version (id, version) VALUES (1, 1)".to_owned(),
        ];
        if backend == DbBackend::Postgres {
            statements.extend(postgres_up());
        } else {
            statements.extend(sqlite_triggers().map(|(_, create)| create));
        }
        run_all(manager.get_connection(), statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements: Vec<String> = if manager.get_database_backend() == DbBackend::Postgres {
            vec!["DROP FUNCTION IF EXISTS graph_changed() CASCADE".to_owned()]
        } else {
            sqlite_triggers()
                .map(|(name, _)| format!("DROP TRIGGER IF EXISTS {name}"))
                .collect()
        };
        statements.push("DROP TABLE graph_version".to_owned());
        run_all(manager.get_connection(), statements).await
    }
}
