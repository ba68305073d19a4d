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
        crate::m20261129_000003_create_search::every_document(backend)
    )
}

/// Counts every relationship again: what the deferred triggers would have counted. Each
/// relationship keeps its ends' kinds (`m20261129_000006_order_relationships`), so counting reads
/// the relationships alone, without looking up either end.
pub fn recount() -> Vec<String> {
    vec![
        "DELETE FROM edge_tally".to_owned(),
        "DELETE FROM node_degree".to_owned(),
        "INSERT INTO edge_tally (predicate, subject_kind, object_kind, edges) \
         SELECT predicate, subject_kind, object_kind, count(*) FROM edge \
         GROUP BY predicate, subject_kind, object_kind"
            .to_owned(),
        "INSERT INTO node_degree (node_id, predicate, direction, node_kind, other_kind, neighbours) \
         SELECT subject_id, predicate, 'OUTGOING', subject_kind, object_kind, \
           count(DISTINCT object_id) \
         FROM edge GROUP BY subject_id, predicate, subject_kind, object_kind \
         UNION ALL \
         SELECT object_id, predicate, 'INCOMING', object_kind, subject_kind, \
           count(DISTINCT subject_id) \
         FROM edge GROUP BY object_id, predicate, object_kind, subject_kind"
            .to_owned(),
    ]
}

/// Moves the graph's version on, once for the whole load.
pub const BUMP_VERSION: &str = crate::m20261129_000007_count_graph_changes::BUMP;
