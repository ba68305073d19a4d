//! The root list of relationships, the timeline a dashboard draws, ordered by start or by end:
//! for each of the two orders an index holds the relationships grouped by predicate, in that
//! order, `(predicate, COALESCE(valid_from, ''), id)` and `(predicate, COALESCE(valid_to,
//! '9999-12-31'), id)`. A page of the timeline is then merged from the first rows of one range
//! per predicate, as a page of a node's relationships is merged from its ranges (migration 6):
//! its cost is the size of the page, not the number of relationships in the graph.

use sea_orm_migration::prelude::*;

use crate::run_all;

/// Indexes the relationships of each predicate by start and by end.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000008_order_the_timeline"
    }
}

/// Each order of the timeline, as the name of its index says it and as the expression the
/// index holds: the very expressions the reads order by, and migration 6's indexes hold.
const ORDERS: [(&str, &str); 2] = [
    ("from", "(COALESCE(valid_from, ''))"),
    ("to", "(COALESCE(valid_to, '9999-12-31'))"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = ORDERS.map(|(order, key)| {
            format!("CREATE INDEX edge_timeline_{order}_idx ON edge (predicate, {key}, id)")
        });
        run_all(manager.get_connection(), statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements =
            ORDERS.map(|(order, _)| format!("DROP INDEX IF EXISTS edge_timeline_{order}_idx"));
        run_all(manager.get_connection(), statements).await
    }
}
