//! What the database derives from the graph's rows, as set-based statements: what a bulk load
//! runs once at its end instead of the row triggers it defers (see
//! `m20261207_000010_defer_derived_data_in_bulk_loads`).

use sea_orm_migration::sea_orm::DbBackend;

/// The table whose row, inside a loading transaction, defers the derived data.
pub const BULK_LOAD: &str = "bulk_load";

/// Writes the search document of every node that has none.
pub fn missing_search_documents(backend: DbBackend) -> String {
    format!(
        "INSERT INTO node_search (node_id, name, codes, aliases, summary) {} \
         WHERE NOT EXISTS (SELECT 1 FROM node_search s WHERE s.node_id = n.id)",
        crate::m20261129_000003_create_search::document(backend, "n.id")
    )
}

/// Counts every relationship again: what the deferred triggers would have counted.
pub fn recount() -> Vec<String> {
    let mut statements = vec![
        "DELETE FROM edge_tally".to_owned(),
        "DELETE FROM node_degree".to_owned(),
    ];
    statements.extend(crate::m20261129_000005_count_relationships::backfill());
    statements
}

/// Moves the graph's version on, once for the whole load.
pub const BUMP_VERSION: &str = crate::m20261129_000007_count_graph_changes::BUMP;
