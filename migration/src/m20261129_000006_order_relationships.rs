//! Each relationship keeps the kind and the name of both of its ends, so that a page of a node's
//! relationships is read from an index in the page's order and stops after the page:
//!
//! - `edge.subject_kind`, `edge.subject_name`, `edge.object_kind` and `edge.object_name` copy
//!   the ends' `node.kind` and `node.name`. A trigger fills them whenever a relationship is
//!   written or moved to another node, whoever writes it, and another copies a node's new name
//!   to its relationships. A node's kind never changes (migration 5 refuses it).
//! - For each direction and each order a list of relationships offers (the other end's name,
//!   the start, the end), an index holds a node's relationships grouped by predicate and kind
//!   of the other end, in that order: `(subject_id, predicate, object_kind, object_name, id)`,
//!   and so on. A page of one predicate and kind is then the first rows of one index range, and
//!   a page over several is merged from the first rows of each: its cost is the size of the
//!   page, not the number of the node's relationships.
//!
//! The dates' indexes hold the same expressions the reads order by: a relationship with no
//! start sorts first (`COALESCE(valid_from, '')`), one with no end, still going on, sorts last
//! (`COALESCE(valid_to, '9999-12-31')`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::run_all;

/// Keeps the ends' kinds and names on each relationship, and indexes them in each order.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000006_order_relationships"
    }
}

/// What a list of relationships sorts by after its anchor, predicate and other end's kind, as
/// the name of its indexes says it and as the expression they hold over the other end's
/// columns.
const ORDERS: [(&str, &str); 3] = [
    ("name", "{other}_name"),
    ("from", "(COALESCE(valid_from, ''))"),
    ("to", "(COALESCE(valid_to, '9999-12-31'))"),
];

/// The ends of a relationship: as the anchor of a list, and as the other end.
const DIRECTIONS: [(&str, &str); 2] = [("subject", "object"), ("object", "subject")];

/// The indexes of the lists of relationships, one per direction and order.
fn list_indexes() -> Vec<String> {
    DIRECTIONS
        .iter()
        .flat_map(|(anchor, other)| {
            ORDERS.iter().map(move |(order, key)| {
                let key = key.replace("{other}", other);
                format!(
                    "CREATE INDEX edge_{anchor}_{order}_idx ON edge \
                     ({anchor}_id, predicate, {other}_kind, {key}, id)"
                )
            })
        })
        .collect()
}

fn drop_list_indexes() -> Vec<String> {
    DIRECTIONS
        .iter()
        .flat_map(|(anchor, _)| {
            ORDERS
                .iter()
                .map(move |(order, _)| format!("DROP INDEX IF EXISTS edge_{anchor}_{order}_idx"))
        })
        .collect()
}

/// The columns this migration adds, with their PostgreSQL types; SQLite takes them as text.
const COLUMNS: [(&str, &str); 4] = [
    ("subject_kind", "varchar(16)"),
    ("object_kind", "varchar(16)"),
    // The collation of `node.name`, so that the copy sorts as the original.
    ("subject_name", "varchar(300) COLLATE \"C\""),
    ("object_name", "varchar(300) COLLATE \"C\""),
];

/// `column = (SELECT field FROM node WHERE id = row.end)`, for each end and field.
fn ends_of(row: &str) -> String {
    DIRECTIONS
        .iter()
        .flat_map(|(end, _)| {
            ["kind", "name"].map(|field| {
                format!("{end}_{field} = (SELECT {field} FROM node WHERE id = {row}.{end}_id)")
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statements that copy node `row`'s name to its relationships.
fn renamed(row: &str) -> [String; 2] {
    DIRECTIONS.map(|(end, _)| {
        format!("UPDATE edge SET {end}_name = {row}.name WHERE {end}_id = {row}.id")
    })
}

fn postgres_up() -> Vec<String> {
    let add = COLUMNS
        .iter()
        .map(|(column, ty)| format!("ADD COLUMN {column} {ty}"))
        .collect::<Vec<_>>()
        .join(", ");
    let [subject_renamed, object_renamed] = renamed("NEW");
    let mut statements = vec![
        format!("ALTER TABLE edge {add}"),
        "UPDATE edge SET subject_kind = s.kind, subject_name = s.name, \
         object_kind = o.kind, object_name = o.name \
         FROM node s, node o WHERE s.id = edge.subject_id AND o.id = edge.object_id"
            .to_owned(),
        // Filled before the row is written: no second version of it.
        "CREATE FUNCTION edge_ends_kept() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
           SELECT kind, name INTO NEW.subject_kind, NEW.subject_name \
             FROM node WHERE id = NEW.subject_id; \
           SELECT kind, name INTO NEW.object_kind, NEW.object_name \
             FROM node WHERE id = NEW.object_id; \
           RETURN NEW; \
         END $$"
            .to_owned(),
        "CREATE TRIGGER edge_ends_kept BEFORE INSERT OR UPDATE OF subject_id, object_id \
         ON edge FOR EACH ROW EXECUTE FUNCTION edge_ends_kept()"
            .to_owned(),
        format!(
            "CREATE FUNCTION node_name_kept() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
               {subject_renamed}; {object_renamed}; RETURN NULL; \
             END $$"
        ),
        "CREATE TRIGGER node_name_kept AFTER UPDATE OF name ON node FOR EACH ROW \
         WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION node_name_kept()"
            .to_owned(),
    ];
    statements.extend(list_indexes());
    statements
}

fn sqlite_up() -> Vec<String> {
    let mut statements: Vec<String> = COLUMNS
        .iter()
        .map(|(column, _)| format!("ALTER TABLE edge ADD COLUMN {column} TEXT"))
        .collect();
    let [subject_renamed, object_renamed] = renamed("new");
    statements.extend([
        format!("UPDATE edge SET {}", ends_of("edge")),
        // SQLite cannot change the row a BEFORE trigger is given, so the copy follows it.
        format!(
            "CREATE TRIGGER edge_ends_kept_insert AFTER INSERT ON edge BEGIN \
               UPDATE edge SET {} WHERE rowid = new.rowid; END",
            ends_of("new")
        ),
        format!(
            "CREATE TRIGGER edge_ends_kept_update AFTER UPDATE OF subject_id, object_id ON edge \
             BEGIN UPDATE edge SET {} WHERE rowid = new.rowid; END",
            ends_of("new")
        ),
        format!(
            "CREATE TRIGGER node_name_kept AFTER UPDATE OF name ON node \
             WHEN old.name IS NOT new.name BEGIN {subject_renamed}; {object_renamed}; END"
        ),
    ]);
    statements.extend(list_indexes());
    statements
}

/// The indexes the lists' indexes replace: their first columns.
fn plain_indexes() -> [String; 2] {
    DIRECTIONS.map(|(anchor, _)| {
        format!("CREATE INDEX edge_{anchor}_idx ON edge ({anchor}_id, predicate)")
    })
}

/// Drops the triggers (on PostgreSQL with their functions), the lists' indexes and the
/// columns, and restores the plain indexes.
fn down(backend: DbBackend) -> Vec<String> {
    let mut statements: Vec<String> = if backend == DbBackend::Postgres {
        ["edge_ends_kept()", "node_name_kept()"]
            .map(|function| format!("DROP FUNCTION IF EXISTS {function} CASCADE"))
            .into()
    } else {
        [
            "edge_ends_kept_insert",
            "edge_ends_kept_update",
            "node_name_kept",
        ]
        .map(|trigger| format!("DROP TRIGGER IF EXISTS {trigger}"))
        .into()
    };
    statements.extend(drop_list_indexes());
    statements.extend(plain_indexes());
    statements.extend(
        COLUMNS
            .iter()
            .map(|(column, _)| format!("ALTER TABLE edge DROP COLUMN {column}")),
    );
    statements
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => postgres_up(),
            _ => sqlite_up(),
        };
        let replaced = DIRECTIONS.map(|(anchor, _)| format!("DROP INDEX edge_{anchor}_idx"));
        run_all(db, statements.into_iter().chain(replaced)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        run_all(db, down(manager.get_database_backend())).await
    }
}
