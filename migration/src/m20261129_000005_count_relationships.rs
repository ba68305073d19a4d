//! Counts kept with the graph, for the questions that would otherwise read every relationship:
//!
//! - `edge_tally` holds the number of relationships of each predicate between each pair of
//!   kinds, so counts grouped by predicate and kinds read a few dozen rows, not a million;
//! - `node_degree` holds, for each node, predicate, direction and kind of the other end, the
//!   number of *distinct* nodes at the other end (two memberships of one group, with different
//!   roles, count once), so ranking nodes by such a count reads one row per node ranked.
//!
//! Triggers on `edge` keep both as relationships are inserted, deleted or moved to other ends,
//! whoever writes them: on PostgreSQL once per statement, over its transition tables, so that a
//! bulk insert updates each count once per statement rather than once per row (a row updated
//! many times in one transaction leaves a chain of versions each later update walks); on
//! SQLite, which updates rows in place, once per row. A node's kind is fixed once written (a trigger refuses to change it),
//! and a node's relationships are deleted just before the node, while both of their ends still
//! say what kind they are.

use sea_orm_migration::prelude::*;

use crate::run_all;
use sea_orm_migration::sea_orm::DbBackend;

/// Creates and fills the kept counts, and the triggers that keep them.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000005_count_relationships"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum EdgeTally {
    Table,
    Predicate,
    SubjectKind,
    ObjectKind,
    Edges,
}

#[derive(DeriveIden, Clone, Copy)]
enum NodeDegree {
    Table,
    NodeId,
    Predicate,
    Direction,
    NodeKind,
    OtherKind,
    Neighbours,
}

/// The kind of node `id`.
fn kind_of(id: &str) -> String {
    format!("(SELECT kind FROM node WHERE id = {id})")
}

/// Whether no relationship other than `row` joins `row`'s ends by `row`'s predicate: the
/// condition under which `row` adds (or, deleted, removes) a neighbour at each end.
fn only_link(row: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM edge e WHERE e.subject_id = {row}.subject_id \
         AND e.predicate = {row}.predicate AND e.object_id = {row}.object_id AND e.id <> {row}.id)"
    )
}

/// The statements that count relationship `row` into the tallies, once it is in `edge`.
fn added(row: &str) -> Vec<String> {
    let subject = kind_of(&format!("{row}.subject_id"));
    let object = kind_of(&format!("{row}.object_id"));
    vec![
        format!(
            "INSERT INTO edge_tally (predicate, subject_kind, object_kind, edges) \
             SELECT {row}.predicate, {subject}, {object}, 1 WHERE true \
             ON CONFLICT (predicate, subject_kind, object_kind) \
             DO UPDATE SET edges = edge_tally.edges + 1"
        ),
        format!(
            "INSERT INTO node_degree \
               (node_id, predicate, direction, node_kind, other_kind, neighbours) \
             SELECT * FROM (\
               SELECT {row}.subject_id, {row}.predicate, 'OUTGOING', {subject}, {object}, 1 \
               UNION ALL \
               SELECT {row}.object_id, {row}.predicate, 'INCOMING', {object}, {subject}, 1\
             ) AS ends WHERE {only} \
             ON CONFLICT (node_id, predicate, direction, other_kind) \
             DO UPDATE SET neighbours = node_degree.neighbours + 1",
            only = only_link(row),
        ),
    ]
}

/// The statements that count relationship `row` out of the tallies, once it has left `edge`
/// (its ends are still there: see `relationships_of`).
fn removed(row: &str) -> Vec<String> {
    let subject = kind_of(&format!("{row}.subject_id"));
    let object = kind_of(&format!("{row}.object_id"));
    let degree = |near: &str, direction: &str, other: &str| {
        format!(
            "UPDATE node_degree SET neighbours = neighbours - 1 \
             WHERE node_id = {row}.{near} AND predicate = {row}.predicate \
             AND direction = '{direction}' AND other_kind = {other} AND {only}",
            only = only_link(row),
        )
    };
    vec![
        format!(
            "UPDATE edge_tally SET edges = edges - 1 WHERE predicate = {row}.predicate \
             AND subject_kind = {subject} AND object_kind = {object}"
        ),
        degree("subject_id", "OUTGOING", &object),
        degree("object_id", "INCOMING", &subject),
    ]
}

/// What changes a relationship's place in the tallies: its ends or its predicate.
const MOVED: &str = "(old.subject_id <> new.subject_id OR old.predicate <> new.predicate \
                     OR old.object_id <> new.object_id)";

/// The statements that fill the tallies from the relationships already there.
pub(crate) fn backfill() -> [String; 2] {
    [
        "INSERT INTO edge_tally (predicate, subject_kind, object_kind, edges) \
         SELECT e.predicate, s.kind, o.kind, count(*) FROM edge e \
         JOIN node s ON s.id = e.subject_id JOIN node o ON o.id = e.object_id \
         GROUP BY e.predicate, s.kind, o.kind"
            .to_owned(),
        "INSERT INTO node_degree (node_id, predicate, direction, node_kind, other_kind, neighbours) \
         SELECT e.subject_id, e.predicate, 'OUTGOING', s.kind, o.kind, count(DISTINCT e.object_id) \
         FROM edge e JOIN node s ON s.id = e.subject_id JOIN node o ON o.id = e.object_id \
         GROUP BY e.subject_id, e.predicate, s.kind, o.kind \
         UNION ALL \
         SELECT e.object_id, e.predicate, 'INCOMING', o.kind, s.kind, count(DISTINCT e.subject_id) \
         FROM edge e JOIN node s ON s.id = e.subject_id JOIN node o ON o.id = e.object_id \
         GROUP BY e.object_id, e.predicate, o.kind, s.kind"
            .to_owned(),
    ]
}

/// The statement that deletes node `row`'s relationships.
fn relationships_of(row: &str) -> String {
    format!("DELETE FROM edge WHERE subject_id = {row}.id OR object_id = {row}.id")
}
const KIND_FIXED: &str = "a node keeps the kind it was written with";

fn sqlite_up() -> Vec<String> {
    let body = |statements: Vec<String>| statements.join("; ");
    vec![
        format!(
            "CREATE TRIGGER edge_counted_insert AFTER INSERT ON edge BEGIN {}; END",
            body(added("new"))
        ),
        format!(
            "CREATE TRIGGER edge_counted_delete AFTER DELETE ON edge BEGIN {}; END",
            body(removed("old"))
        ),
        format!(
            "CREATE TRIGGER edge_counted_update AFTER UPDATE OF subject_id, predicate, object_id \
             ON edge WHEN {MOVED} BEGIN {}; {}; END",
            body(removed("old")),
            body(added("new"))
        ),
        format!(
            "CREATE TRIGGER node_relationships_first BEFORE DELETE ON node BEGIN {}; END",
            relationships_of("old")
        ),
        format!(
            "CREATE TRIGGER node_kind_fixed BEFORE UPDATE OF kind ON node \
             WHEN old.kind <> new.kind BEGIN SELECT RAISE(ABORT, '{KIND_FIXED}'); END"
        ),
    ]
}

fn sqlite_down() -> Vec<String> {
    [
        "edge_counted_insert",
        "edge_counted_delete",
        "edge_counted_update",
        "node_relationships_first",
        "node_kind_fixed",
    ]
    .iter()
    .map(|trigger| format!("DROP TRIGGER IF EXISTS {trigger}"))
    .collect()
}

/// The PostgreSQL statement that counts the relationships of `changes` (a query of `subject_id,
/// predicate, object_id, d`, where `d` is 1 for a row that arrived and -1 for one that left) into
/// the tallies. One statement for a whole batch: a bulk insert updates each tally row once, not
/// once per relationship.
pub(crate) fn postgres_counted(changes: &str) -> String {
    format!(
        "WITH changes AS ({changes}), \
         tallied AS (\
           INSERT INTO edge_tally (predicate, subject_kind, object_kind, edges) \
           SELECT c.predicate, s.kind, o.kind, sum(c.d) FROM changes c \
           JOIN node s ON s.id = c.subject_id JOIN node o ON o.id = c.object_id \
           GROUP BY c.predicate, s.kind, o.kind HAVING sum(c.d) <> 0 \
           ON CONFLICT (predicate, subject_kind, object_kind) \
           DO UPDATE SET edges = edge_tally.edges + excluded.edges), \
         pairs AS (\
           SELECT c.subject_id, c.predicate, c.object_id, sum(c.d) AS delta, \
             (SELECT count(*) FROM edge e WHERE e.subject_id = c.subject_id \
              AND e.predicate = c.predicate AND e.object_id = c.object_id) AS now \
           FROM changes c GROUP BY c.subject_id, c.predicate, c.object_id \
           HAVING sum(c.d) <> 0), \
         flips AS (\
           SELECT p.subject_id, p.predicate, p.object_id, \
             CASE WHEN p.now = 0 THEN -1 ELSE 1 END AS d, s.kind AS subject_kind, \
             o.kind AS object_kind \
           FROM pairs p JOIN node s ON s.id = p.subject_id JOIN node o ON o.id = p.object_id \
           WHERE (p.now - p.delta = 0) <> (p.now = 0)), \
         ends AS (\
           SELECT subject_id AS node_id, predicate, 'OUTGOING' AS direction, \
             subject_kind AS node_kind, object_kind AS other_kind, d FROM flips \
           UNION ALL \
           SELECT object_id, predicate, 'INCOMING', object_kind, subject_kind, d FROM flips) \
         INSERT INTO node_degree (node_id, predicate, direction, node_kind, other_kind, neighbours) \
         SELECT node_id, predicate, direction, node_kind, other_kind, sum(d) FROM ends \
         GROUP BY node_id, predicate, direction, node_kind, other_kind HAVING sum(d) <> 0 \
         ON CONFLICT (node_id, predicate, direction, other_kind) \
         DO UPDATE SET neighbours = node_degree.neighbours + excluded.neighbours"
    )
}

/// A PostgreSQL trigger function and statement-level trigger on `edge` for `event`, counting
/// the rows of the transition tables `referencing` names, as `changes` reads them.
fn postgres_counting_trigger(event: &str, referencing: &str, changes: &str) -> [String; 2] {
    let name = format!("edge_counted_{}", event.to_lowercase());
    [
        format!(
            "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {}; \
             RETURN NULL; END $$",
            postgres_counted(changes)
        ),
        format!(
            "CREATE TRIGGER {name} AFTER {event} ON edge REFERENCING {referencing} \
             FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        ),
    ]
}

fn postgres_up() -> Vec<String> {
    let arrived = "SELECT subject_id, predicate, object_id, 1 AS d FROM arrived";
    let left = "SELECT subject_id, predicate, object_id, -1 AS d FROM departed";
    let mut statements = Vec::new();
    statements.extend(postgres_counting_trigger(
        "INSERT",
        "NEW TABLE AS arrived",
        arrived,
    ));
    statements.extend(postgres_counting_trigger(
        "DELETE",
        "OLD TABLE AS departed",
        left,
    ));
    // Every update is seen (a trigger with transition tables takes no column list); a row that
    // keeps its ends and predicate counts out and in again, which adds up to nothing.
    statements.extend(postgres_counting_trigger(
        "UPDATE",
        "OLD TABLE AS departed NEW TABLE AS arrived",
        &format!("{left} UNION ALL {arrived}"),
    ));
    statements.extend([
        format!(
            "CREATE FUNCTION node_relationships_first() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN {}; RETURN old; END $$",
            relationships_of("old")
        ),
        "CREATE TRIGGER node_relationships_first BEFORE DELETE ON node \
         FOR EACH ROW EXECUTE FUNCTION node_relationships_first()"
            .to_owned(),
        format!(
            "CREATE FUNCTION node_kind_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION '{KIND_FIXED}' USING ERRCODE = 'check_violation'; END $$"
        ),
        "CREATE TRIGGER node_kind_fixed BEFORE UPDATE OF kind ON node FOR EACH ROW \
         WHEN (old.kind <> new.kind) EXECUTE FUNCTION node_kind_fixed()"
            .to_owned(),
    ]);
    statements
}

fn postgres_down() -> Vec<String> {
    [
        "edge_counted_insert()",
        "edge_counted_delete()",
        "edge_counted_update()",
        "node_relationships_first()",
        "node_kind_fixed()",
    ]
    .iter()
    .map(|function| format!("DROP FUNCTION IF EXISTS {function} CASCADE"))
    .collect()
}

#[derive(DeriveIden)]
enum Node {
    Table,
    Id,
}

/// A column holding a node's kind.
fn kind(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).string_len(16).not_null().to_owned()
}

/// A column holding a predicate.
fn predicate(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).string_len(24).not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EdgeTally::Table)
                    .col(predicate(EdgeTally::Predicate))
                    .col(kind(EdgeTally::SubjectKind))
                    .col(kind(EdgeTally::ObjectKind))
                    .col(ColumnDef::new(EdgeTally::Edges).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(EdgeTally::Predicate)
                            .col(EdgeTally::SubjectKind)
                            .col(EdgeTally::ObjectKind),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NodeDegree::Table)
                    .col(ColumnDef::new(NodeDegree::NodeId).uuid().not_null())
                    .col(predicate(NodeDegree::Predicate))
                    .col(
                        ColumnDef::new(NodeDegree::Direction)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(kind(NodeDegree::NodeKind))
                    .col(kind(NodeDegree::OtherKind))
                    .col(
                        ColumnDef::new(NodeDegree::Neighbours)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(NodeDegree::NodeId)
                            .col(NodeDegree::Predicate)
                            .col(NodeDegree::Direction)
                            .col(NodeDegree::OtherKind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(NodeDegree::Table, NodeDegree::NodeId)
                            .to(Node::Table, Node::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::col(NodeDegree::Direction).is_in(["OUTGOING", "INCOMING"]))
                    .to_owned(),
            )
            .await?;
        // A ranking reads the rows of one predicate, direction and kind of node.
        manager
            .create_index(
                Index::create()
                    .name("node_degree_ranking_idx")
                    .table(NodeDegree::Table)
                    .col(NodeDegree::Predicate)
                    .col(NodeDegree::Direction)
                    .col(NodeDegree::NodeKind)
                    .col(NodeDegree::OtherKind)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => postgres_up(),
            _ => sqlite_up(),
        };
        run_all(db, backfill().into_iter().chain(statements)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => postgres_down(),
            _ => sqlite_down(),
        };
        run_all(db, statements).await?;
        for table in [NodeDegree::Table.into_iden(), EdgeTally::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
