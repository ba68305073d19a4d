//! The synthetic graph of `govgraph generate`: its shape, its determinism, and the real data
//! set left intact beside it.

use govgraph_data::node_id;
use govgraph_data::synthetic::{self, GenerateError, LoadSummary};
use govgraph_entities::{NodeKind, citation, edge, node};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use serde_json::json;

use crate::helpers::{TestApp, TestDb};

async fn count_of(db: &TestDb, kind: NodeKind) -> u64 {
    node::Entity::find()
        .filter(node::Column::Kind.eq(kind))
        .count(&db.db)
        .await
        .expect("count")
}

async fn generate(db: &TestDb, scale: u32) -> LoadSummary {
    let transaction = db.db.begin().await.expect("transaction");
    let written = synthetic::generate(&transaction, scale)
        .await
        .expect("generated");
    transaction.commit().await.expect("committed");
    written
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_unit_of_scale_adds_the_graph_of_one_unit_and_a_second_run_adds_nothing() {
    let app = TestApp::spawn().await;
    let db = &app.store;
    let real_nodes = node::Entity::find().count(&db.db).await.expect("count");
    let real_edges = edge::Entity::find().count(&db.db).await.expect("count");
    let real_people = count_of(db, NodeKind::Person).await;

    let written = generate(db, 1).await;
    assert_eq!(
        written,
        LoadSummary {
            nodes: 3_390,
            edges: 10_000,
            citations: 13_390,
        }
    );
    assert_eq!(count_of(db, NodeKind::Person).await, real_people + 2_000);
    assert_eq!(count_of(db, NodeKind::Country).await, 249);
    assert_eq!(
        node::Entity::find().count(&db.db).await.expect("count"),
        real_nodes + 3_390
    );
    assert_eq!(
        edge::Entity::find().count(&db.db).await.expect("count"),
        real_edges + 10_000
    );
    let uncited = edge::Entity::find().count(&db.db).await.expect("count")
        + node::Entity::find().count(&db.db).await.expect("count")
        - citation::Entity::find().count(&db.db).await.expect("count");
    assert_eq!(uncited, 0, "every node and edge cites a source");

    assert_eq!(generate(db, 1).await, LoadSummary::default());

    // The real data set answers as before.
    let data = app
        .data(
            r#"{ workingGroup(slug: "dgx-2022-ai") { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["workingGroup"]["name"], "DGX 2022 AI Working Group");
    // And the synthetic one is as deep as the benchmark needs: countries with five
    // memberships, groups with five deliverables.
    let data = app
        .data(
            r#"{ countries(first: 3) { edges { node { memberships(first: 5) { edges { node {
                 ... on WorkingGroup { deliverables(first: 5) { edges { node { name } } } } } } } } } } }"#,
            json!({}),
        )
        .await;
    for country in data["countries"]["edges"].as_array().expect("countries") {
        let memberships = country["node"]["memberships"]["edges"]
            .as_array()
            .expect("memberships");
        assert_eq!(memberships.len(), 5, "{country:#}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_same_scale_gives_the_same_graph() {
    let (first, second) = (TestDb::new().await, TestDb::new().await);
    generate(&first, 1).await;
    generate(&second, 1).await;
    let person = node_id(NodeKind::Person, "synthetic-0-person-7");
    let name = |db: &TestDb| {
        let db = db.db.clone();
        async move {
            node::Entity::find_by_id(person)
                .one(&db)
                .await
                .expect("read")
                .expect("the person exists")
                .name
        }
    };
    assert_eq!(name(&first).await, name(&second).await);
    let edges = |db: &TestDb| {
        let db = db.db.clone();
        async move {
            let mut ids: Vec<_> = edge::Entity::find()
                .all(&db)
                .await
                .expect("edges")
                .into_iter()
                .map(|e| e.id)
                .collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(edges(&first).await, edges(&second).await);
}

#[tokio::test]
async fn a_scale_out_of_range_is_refused_before_anything_is_written() {
    let db = TestDb::new().await;
    let before = node::Entity::find().count(&db.db).await.expect("count");
    for scale in [0, synthetic::MAX_SCALE + 1] {
        let outcome = synthetic::generate(&db.db, scale).await;
        assert!(matches!(outcome, Err(GenerateError::Scale(s)) if s == scale));
    }
    assert_eq!(
        node::Entity::find().count(&db.db).await.expect("count"),
        before
    );
}

/// The rows the database derives from the graph: counts, search documents, the ends each
/// relationship keeps, in a stable order.
async fn derived(db: &TestDb) -> Vec<String> {
    use sea_orm::ConnectionTrait as _;
    let backend = db.db.get_database_backend();
    // Ids as text: SQLite keeps them as 16 bytes.
    let id = |column: &str| match backend {
        sea_orm::DbBackend::Postgres => format!("CAST({column} AS text)"),
        _ => format!("hex({column})"),
    };
    let mut all = Vec::new();
    for sql in [
        "SELECT predicate || ' ' || subject_kind || ' ' || object_kind || ' ' || edges AS row \
         FROM edge_tally WHERE edges <> 0"
            .to_owned(),
        format!(
            "SELECT {} || ' ' || predicate || ' ' || direction || ' ' || other_kind \
             || ' ' || neighbours AS row FROM node_degree WHERE neighbours <> 0",
            id("node_id")
        ),
        format!(
            "SELECT {} || ' ' || name || ' ' || codes || ' ' || aliases || ' ' || summary AS row \
             FROM node_search",
            id("node_id")
        ),
        format!(
            "SELECT {} || ' ' || subject_kind || ' ' || subject_name || ' ' || object_kind \
             || ' ' || object_name AS row FROM edge",
            id("id")
        ),
    ] {
        let mut rows: Vec<String> = db
            .db
            .query_all_raw(sea_orm::Statement::from_string(backend, sql))
            .await
            .expect("derived rows read")
            .iter()
            .map(|row| row.try_get::<String>("", "row").expect("a row"))
            .collect();
        rows.sort();
        all.extend(rows);
    }
    all
}

#[tokio::test]
async fn a_bulk_load_derives_the_same_counts_documents_and_ends_as_row_by_row_writes() {
    let (bulk, row_by_row) = (TestDb::new().await, TestDb::new().await);
    for (db, loading) in [
        (&bulk, synthetic::Loading::Bulk),
        (&row_by_row, synthetic::Loading::RowByRow),
    ] {
        let transaction = db.db.begin().await.expect("transaction");
        synthetic::generate_reporting(&transaction, 1, loading, |_| {})
            .await
            .expect("generated");
        transaction.commit().await.expect("committed");
    }
    let expected = derived(&row_by_row).await;
    assert!(
        expected.len() > 3_390 + 10_000,
        "{} derived rows",
        expected.len()
    );
    assert_eq!(derived(&bulk).await, expected);
    // The load's mark is gone, and every index and foreign key is back.
    let version = |db: &TestDb| {
        let db = db.db.clone();
        async move {
            use sea_orm::ConnectionTrait as _;
            let backend = db.get_database_backend();
            let count = |sql: &'static str| {
                let db = db.clone();
                async move {
                    db.query_one_raw(sea_orm::Statement::from_string(backend, sql))
                        .await
                        .expect("read")
                        .expect("a row")
                        .try_get::<i64>("", "n")
                        .expect("a count")
                }
            };
            let indexes = match backend {
                sea_orm::DbBackend::Postgres => {
                    count(
                        "SELECT COUNT(*) AS n FROM pg_indexes WHERE schemaname = current_schema()",
                    )
                    .await
                }
                _ => count("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index'").await,
            };
            let foreign_keys = match backend {
                sea_orm::DbBackend::Postgres => {
                    count(
                        "SELECT COUNT(*) AS n FROM pg_constraint WHERE contype = 'f' \
                         AND connamespace = current_schema()::regnamespace",
                    )
                    .await
                }
                _ => count("SELECT COUNT(*) AS n FROM pragma_foreign_key_check").await,
            };
            (
                count("SELECT COUNT(*) AS n FROM bulk_load").await,
                indexes,
                foreign_keys,
            )
        }
    };
    assert_eq!(version(&bulk).await, version(&row_by_row).await);
    assert_eq!(version(&bulk).await.0, 0);
}

#[tokio::test]
async fn a_bulk_load_that_leaves_a_reference_to_nothing_fails_and_writes_nothing() {
    use govgraph_data::facts::{Batch, EdgeFact};
    use govgraph_entities::Predicate;

    let db = TestDb::new().await;
    let before = edge::Entity::find().count(&db.db).await.expect("count");
    let transaction = db.db.begin().await.expect("transaction");
    let load = govgraph_data::bulk::begin(&transaction)
        .await
        .expect("a load begins");
    // The person is in neither the batch nor the database.
    let batch = Batch {
        edges: vec![EdgeFact {
            subject: node_id(NodeKind::Person, "nobody-at-all"),
            predicate: Predicate::MemberOf,
            object: node_id(NodeKind::Partnership, "dgx"),
            role: None,
            valid_from: None,
            valid_to: None,
        }],
        ..Batch::default()
    };
    let loaded = async {
        govgraph_data::import::apply(&transaction, &batch, govgraph_data::Options::default())
            .await?;
        load.finish(&transaction).await
    }
    .await;
    assert!(loaded.is_err(), "the load went through: {loaded:?}");
    transaction.rollback().await.expect("rolled back");
    assert_eq!(
        edge::Entity::find().count(&db.db).await.expect("count"),
        before
    );
}

#[tokio::test]
async fn a_bulk_load_reads_keys_through_their_index_whatever_the_statistics_say() {
    use sea_orm::ConnectionTrait as _;

    let db = TestDb::new().await;
    if db.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        // PostgreSQL's loads turn sequential scans off (`enable_seqscan`).
        return;
    }
    // Statistics of the data set alone: a few hundred citations.
    db.db
        .execute_unprepared("PRAGMA analysis_limit = 1000; ANALYZE")
        .await
        .expect("analyzed");
    let plan = |db: sea_orm::DatabaseTransaction| async move {
        let keys = vec!["randomblob(16)"; 500].join(", ");
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                format!("EXPLAIN QUERY PLAN SELECT * FROM citation WHERE id IN ({keys})"),
            ))
            .await
            .expect("a plan");
        let detail: Vec<String> = rows
            .iter()
            .map(|row| row.try_get("", "detail").expect("detail"))
            .collect();
        (db, detail.join("; "))
    };
    // Outside a load, 500 keys cost more than reading a small table whole...
    let (transaction, outside) = plan(db.db.begin().await.expect("transaction")).await;
    assert_eq!(outside, "SCAN citation");
    // ...but a load grows the table with every batch: its lookups go through the key.
    let load = govgraph_data::bulk::begin(&transaction)
        .await
        .expect("a load begins");
    let (transaction, inside) = plan(transaction).await;
    assert!(
        inside.starts_with("SEARCH citation USING INDEX sqlite_autoindex_citation_1"),
        "{inside}"
    );
    load.finish(&transaction).await.expect("the load ends");
    transaction.rollback().await.expect("rolled back");
}

#[tokio::test]
async fn a_bulk_load_on_postgresql_disables_its_insert_triggers_until_it_ends() {
    use sea_orm::ConnectionTrait as _;

    let db = TestDb::new().await;
    if db.db.get_database_backend() != sea_orm::DbBackend::Postgres {
        // SQLite's deferred triggers are guarded by a `WHEN` instead (migration 10).
        return;
    }
    let disabled = |db: sea_orm::DatabaseTransaction| async move {
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT t.tgrelid::regclass::text || '.' || t.tgname AS name FROM pg_trigger t \
                 WHERE NOT t.tgisinternal AND t.tgenabled = 'D' ORDER BY 1",
            ))
            .await
            .expect("the triggers");
        let names: Vec<String> = rows
            .iter()
            .map(|row| row.try_get("", "name").expect("a name"))
            .collect();
        (db, names)
    };
    let transaction = db.db.begin().await.expect("transaction");
    let load = govgraph_data::bulk::begin(&transaction)
        .await
        .expect("a load begins");
    let (transaction, during) = disabled(transaction).await;
    assert_eq!(
        during,
        [
            "country.node_search_follow_insert",
            "edge.edge_counted_insert",
            "edge.edge_ends_kept_insert",
            "external_id.node_search_follow_insert",
            "node.node_search_follow_insert",
            "organisation.node_search_follow_insert",
            "partnership.node_search_follow_insert",
            "working_group.node_search_follow_insert",
        ]
    );
    load.finish(&transaction).await.expect("the load ends");
    let (transaction, after) = disabled(transaction).await;
    assert_eq!(after, Vec::<String>::new());
    transaction.commit().await.expect("committed");
}
