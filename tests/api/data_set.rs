//! The default data set and the rules the database itself holds.

use chrono::Utc;
use govgraph_data::node_id;
use govgraph_entities::{NodeKind, Predicate, citation, country, edge, node, working_group};
use govgraph_migration::{Migrator, MigratorTrait};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, PaginatorTrait};
use uuid::Uuid;

use crate::helpers::TestDb;

#[tokio::test]
async fn a_new_database_gets_the_default_data_set_and_a_second_import_changes_nothing() {
    let store = TestDb::new().await;
    let nodes = node::Entity::find().count(&store.db).await.expect("count");
    let edges = edge::Entity::find().count(&store.db).await.expect("count");
    let countries = country::Entity::find()
        .count(&store.db)
        .await
        .expect("count");
    assert_eq!(countries, 249);
    // 249 countries, 2 sources, the article's 35 nodes.
    assert_eq!(nodes, 249 + 2 + 35);
    assert!(edges > 50, "{edges} relationships");
    // Every node and every edge cites a source.
    let citations = citation::Entity::find()
        .count(&store.db)
        .await
        .expect("count");
    assert_eq!(citations, nodes + edges);

    let again = govgraph_data::default::import(&store.db)
        .await
        .expect("a second import runs");
    assert!(again.is_empty(), "{again}");
    assert_eq!(again.nodes.unchanged as u64, nodes);
    assert_eq!(again.edges.unchanged as u64, edges);
    assert_eq!(
        node::Entity::find().count(&store.db).await.expect("count"),
        nodes
    );
}

#[tokio::test]
async fn migrating_all_the_way_down_and_up_again_leaves_a_schema_the_data_set_comes_back_to() {
    let store = TestDb::new().await;
    let before = node::Entity::find().count(&store.db).await.expect("count");
    Migrator::down(&store.db, None).await.expect("down");
    let gone = store.db.execute_unprepared("SELECT 1 FROM node").await;
    assert!(gone.is_err(), "the node table is still there");
    Migrator::up(&store.db, None).await.expect("up");
    assert_eq!(
        node::Entity::find().count(&store.db).await.expect("count"),
        0,
        "migrations shape the schema only"
    );
    govgraph_data::default::bring_up_to_date(&store.db)
        .await
        .expect("the default data set imports");
    assert_eq!(
        node::Entity::find().count(&store.db).await.expect("count"),
        before
    );
}

fn an_edge(subject: Uuid, object: Uuid) -> edge::ActiveModel {
    let now = Utc::now();
    edge::ActiveModel {
        id: Set(Uuid::new_v4()),
        subject_id: Set(subject),
        predicate: Set(Predicate::MemberOf),
        object_id: Set(object),
        role: Set(None),
        valid_from: Set(None),
        valid_to: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
}

#[tokio::test]
async fn the_database_refuses_what_breaks_the_rules_of_the_graph() {
    let store = TestDb::new().await;
    let db = &store.db;
    let japan = node_id(NodeKind::Country, "jp");
    let group = node_id(NodeKind::WorkingGroup, "world-bank-cloud-computing");

    // Japan is a member already: the same fact twice is refused, with or without a role.
    assert!(
        edge::Entity::insert(an_edge(japan, group))
            .exec(db)
            .await
            .is_ok(),
        "a role-less membership"
    );
    assert!(
        edge::Entity::insert(an_edge(japan, group))
            .exec(db)
            .await
            .is_err(),
        "a duplicate fact"
    );
    // A node cannot relate to itself, nor to a node that does not exist.
    assert!(
        edge::Entity::insert(an_edge(japan, japan))
            .exec(db)
            .await
            .is_err(),
        "a loop"
    );
    assert!(
        edge::Entity::insert(an_edge(japan, Uuid::new_v4()))
            .exec(db)
            .await
            .is_err(),
        "a dangling edge"
    );
    // Dates are partial dates, and a relationship does not end before it starts.
    let mut dated = an_edge(japan, node_id(NodeKind::Partnership, "dgx"));
    dated.valid_from = Set(Some("2022-05".parse().expect("date")));
    dated.valid_to = Set(Some("2021".parse().expect("date")));
    assert!(
        edge::Entity::insert(dated).exec(db).await.is_err(),
        "an edge that ends before it starts"
    );

    // A detail row details a node of its own table's kind only.
    let person = node_id(NodeKind::Person, "kelley-lynch");
    for kind in [NodeKind::WorkingGroup, NodeKind::Person] {
        let detail = working_group::Model {
            node_id: person,
            kind,
            short_name: None,
        };
        let inserted = working_group::Entity::insert(working_group::ActiveModel::from(detail))
            .exec(db)
            .await;
        assert!(
            inserted.is_err(),
            "a working-group row of kind {kind:?} detailed a person"
        );
    }

    let statements = [
        (
            "an unknown kind",
            "INSERT INTO node (id, kind, slug, name, created_at, updated_at, version) VALUES ('00000000-0000-0000-0000-000000000001', 'PLANET', 'mars', 'Mars', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
        ),
        (
            "an unknown predicate",
            "UPDATE edge SET predicate = 'LIKES'",
        ),
        (
            "a lower-case country code",
            "UPDATE country SET alpha2 = lower(alpha2)",
        ),
        ("a blank name", "UPDATE node SET name = ' '"),
        (
            "a citation of nothing",
            "UPDATE citation SET node_id = NULL WHERE node_id IS NOT NULL",
        ),
        ("a two-digit year", "UPDATE event SET starts_on = '22'"),
        (
            "a malformed month",
            "UPDATE event SET starts_on = '2022-1x'",
        ),
        (
            "a thirteenth month",
            "UPDATE event SET starts_on = '2022-13'",
        ),
        (
            "a slug with a slash",
            "UPDATE node SET slug = 'a/b' WHERE slug = 'dgx'",
        ),
        (
            "a slug with a capital",
            "UPDATE node SET slug = 'Dgx' WHERE slug = 'dgx'",
        ),
    ];
    for (what, sql) in statements {
        assert!(
            db.execute_unprepared(sql).await.is_err(),
            "the database accepted {what}"
        );
    }
}
