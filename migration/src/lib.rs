//! Schema migrations of govgraph.
//!
//! The migrations build the same schema on SQLite and PostgreSQL; every rule the database can
//! hold (foreign keys, uniqueness, checks) is declared here. Data comes in through the importer
//! of `govgraph-data`, never through a migration: the second and fourth, which once loaded the
//! default data set, now do nothing. The third builds the search documents and their full-text
//! index, kept by the database as the graph changes; the fifth keeps counts of relationships by predicate and kinds, and of each node's
//! neighbours, for grouped counts and rankings; the sixth keeps the kinds and names of each
//! relationship's ends with it, and indexes a node's relationships in each order a page of them
//! offers; the seventh keeps a version of the graph that grows with every write, for answers
//! revalidated by `ETag`; the eighth indexes the timeline; the ninth records which version of each
//! data set a database holds; the tenth lets a bulk load defer what the database derives from
//! each row it writes, and derive it once at the end ([`derived`]).

pub use sea_orm_migration::prelude::*;

pub mod countries;
pub mod derived;
mod m20261127_000001_create_graph;
mod m20261127_000002_load_default_data_set;
mod m20261129_000003_create_search;
mod m20261129_000004_load_default_data_set;
mod m20261129_000005_count_relationships;
mod m20261129_000006_order_relationships;
mod m20261129_000007_count_graph_changes;
mod m20261129_000008_order_the_timeline;
mod m20261207_000009_record_data_sets;
mod m20261207_000010_defer_derived_data_in_bulk_loads;
mod m20261207_000011_split_insert_triggers;

/// Runs `statements` one after another.
async fn run_all<C: sea_orm_migration::sea_orm::ConnectionTrait>(
    db: &C,
    statements: impl IntoIterator<Item = String>,
) -> Result<(), DbErr> {
    for statement in statements {
        db.execute_unprepared(&statement).await?;
    }
    Ok(())
}

/// All migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_graph::Migration),
            Box::new(m20261127_000002_load_default_data_set::Migration),
            Box::new(m20261129_000003_create_search::Migration),
            Box::new(m20261129_000004_load_default_data_set::Migration),
            Box::new(m20261129_000005_count_relationships::Migration),
            Box::new(m20261129_000006_order_relationships::Migration),
            Box::new(m20261129_000007_count_graph_changes::Migration),
            Box::new(m20261129_000008_order_the_timeline::Migration),
            Box::new(m20261207_000009_record_data_sets::Migration),
            Box::new(m20261207_000010_defer_derived_data_in_bulk_loads::Migration),
            Box::new(m20261207_000011_split_insert_triggers::Migration),
        ]
    }
}
