//! Pages of a node's relationships cost the page, not the node's degree, whether asked of the
//! node or of the root list of relationships: every order a list offers gives the rows a
//! reference sort gives, at the same statements for a hub as for any node, and reads from its
//! index only the rows it returns (plus one) per range.

use std::collections::HashMap;

use govgraph_entities::{NodeKind, Predicate, edge, node};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, Iterable, QueryFilter,
    Set, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestDb};

/// Starts and ends given to the relationships a test adds, in turn: every precision, open
/// ends, and repeats so that ties are broken by the relationship's id.
const DATES: &[(Option<&str>, Option<&str>)] = &[
    (Some("2019"), Some("2019")),
    (None, None),
    (Some("2019-03"), Some("2020")),
    (Some("2021"), None),
    (None, Some("2020-06-30")),
    (Some("2019-03-05"), Some("2019-03-05")),
    (Some("2021"), Some("2021-06")),
    (Some("2020-11"), Some("2021-02-15")),
];

/// Makes DGX 2022 a hub: every country takes part in it once more, with a date from
/// [`DATES`]. Returns its id.
async fn make_dgx_a_hub(db: &TestDb) -> Uuid {
    let dgx = db.node(NodeKind::Event, "dgx-2022").await.id;
    let countries = node::Entity::find()
        .filter(node::Column::Kind.eq(NodeKind::Country))
        .all(&db.db)
        .await
        .expect("countries");
    let now = chrono::Utc::now();
    let date = |text: Option<&str>| text.map(|t| t.parse().expect("a date"));
    let rows: Vec<edge::ActiveModel> = countries
        .iter()
        .zip(DATES.iter().cycle())
        .map(|(country, (from, to))| {
            edge::Model {
                id: Uuid::new_v4(),
                subject_id: country.id,
                predicate: Predicate::ParticipatesIn,
                object_id: dgx,
                role: Some("observer".to_owned()),
                valid_from: date(*from),
                valid_to: date(*to),
                created_at: now,
                updated_at: now,
                version: 1,
            }
            .into()
        })
        .collect();
    edge::Entity::insert_many(rows)
        .exec(&db.db)
        .await
        .expect("relationships added");
    dgx
}

/// The participants of `event`, in every order the list offers, sorted here: the reference.
async fn reference_orders(db: &TestDb, event: Uuid) -> HashMap<&'static str, Vec<Uuid>> {
    let edges = edge::Entity::find()
        .filter(edge::Column::ObjectId.eq(event))
        .filter(edge::Column::Predicate.eq(Predicate::ParticipatesIn))
        .all(&db.db)
        .await
        .expect("edges");
    let nodes = nodes_by_id(db).await;
    let by_name = sorted(&edges, &|e| nodes[&e.subject_id].name.clone());
    let mut orders = date_orders(&edges);
    orders.insert("OTHER_NAME_ASC", by_name.clone());
    orders.insert("OTHER_NAME_DESC", reversed(&by_name));
    orders
}

fn reversed(ids: &[Uuid]) -> Vec<Uuid> {
    ids.iter().rev().copied().collect()
}

/// The ids of `edges` sorted by `key`, then id.
fn sorted(edges: &[edge::Model], key: &dyn Fn(&edge::Model) -> String) -> Vec<Uuid> {
    let mut keyed: Vec<(String, Uuid)> = edges.iter().map(|e| (key(e), e.id)).collect();
    keyed.sort();
    keyed.into_iter().map(|(_, id)| id).collect()
}

/// `edges` in every order by date a list offers, sorted here: the reference.
fn date_orders(edges: &[edge::Model]) -> HashMap<&'static str, Vec<Uuid>> {
    let by_start = sorted(edges, &|e| {
        e.valid_from
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default()
    });
    let by_end = sorted(edges, &|e| {
        e.valid_to
            .as_ref()
            .map_or_else(|| "9999-12-31".to_owned(), |d| d.to_string())
    });
    HashMap::from([
        ("VALID_FROM_ASC", by_start.clone()),
        ("VALID_FROM_DESC", reversed(&by_start)),
        ("VALID_TO_ASC", by_end.clone()),
        ("VALID_TO_DESC", reversed(&by_end)),
    ])
}

const PARTICIPANTS: &str = r#"
query Participants($order: LinkedOrder, $first: Int, $after: String, $last: Int, $before: String) {
  event(slug: "dgx-2022") {
    participants(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { relationship { id } }
    }
  }
}"#;

/// The edge id a relationship's global ID carries.
fn relationship_uuid(id: &Value) -> Uuid {
    use base64::Engine;
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id.as_str().expect("an id"))
        .expect("a global ID");
    let text = String::from_utf8(decoded).expect("text");
    let (_, uuid) = text.split_once(':').expect("Type:uuid");
    uuid.parse().expect("a uuid")
}

/// The root list of the relationships `filter` keeps, shaped as [`PARTICIPANTS`] is.
fn root_list(filter: &str) -> String {
    format!(
        r#"
query Relationships($order: RelationshipOrder, $first: Int, $after: String, $last: Int, $before: String) {{
  relationships(filter: {filter}, orderBy: $order, first: $first, after: $after, last: $last, before: $before) {{
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ relationship: node {{ id }} }}
  }}
}}"#
    )
}

/// Every participant of DGX 2022 in `order`, page by page, `size` at a time: forwards with
/// `first` and `after`, or backwards with `last` and `before`. Checks each page costs two
/// statements, the event's and the page's.
async fn page_through(app: &TestApp, order: &str, size: u64, backwards: bool) -> Vec<Uuid> {
    let path = ["event", "participants"];
    page_through_list(app, PARTICIPANTS, &path, 2, order, size, backwards).await
}

/// Every relationship of the list at `path` in the answer to `query`, page by page, as
/// [`page_through`] does, checking each page costs `statements`.
async fn page_through_list(
    app: &TestApp,
    query: &str,
    path: &[&str],
    statements: usize,
    order: &str,
    size: u64,
    backwards: bool,
) -> Vec<Uuid> {
    let mut pages: Vec<Vec<Uuid>> = Vec::new();
    let mut cursor = Value::Null;
    loop {
        let variables = if backwards {
            json!({ "order": order, "last": size, "before": cursor })
        } else {
            json!({ "order": order, "first": size, "after": cursor })
        };
        let before = app.statements();
        let data = app.data(query, variables).await;
        assert_eq!(app.statements() - before, statements, "in {order}");
        let page = path.iter().fold(&data, |value, key| &value[*key]);
        let ids: Vec<Uuid> = page["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|edge| relationship_uuid(&edge["relationship"]["id"]))
            .collect();
        assert!(ids.len() as u64 <= size);
        pages.push(ids);
        let (more, next) = if backwards {
            ("hasPreviousPage", "startCursor")
        } else {
            ("hasNextPage", "endCursor")
        };
        if page["pageInfo"][more] == false {
            break;
        }
        cursor = page["pageInfo"][next].clone();
    }
    if backwards {
        pages.reverse();
    }
    pages.concat()
}

#[tokio::test]
async fn every_order_of_a_hubs_relationships_pages_as_a_reference_sort_does_both_ways() {
    let app = TestApp::spawn().await;
    let dgx = make_dgx_a_hub(&app.store).await;
    let reference = reference_orders(&app.store, dgx).await;
    assert!(reference["OTHER_NAME_ASC"].len() > 260);
    for (order, expected) in &reference {
        assert_eq!(
            &page_through(&app, order, 40, false).await,
            expected,
            "forwards in {order}"
        );
        assert_eq!(
            &page_through(&app, order, 40, true).await,
            expected,
            "backwards in {order}"
        );
    }
    app.stop().await;
}

/// Checks that the root list `query` gives, in each order of `reference`, forwards and
/// backwards `size` at a time, the relationships the reference sort gives, each page costing
/// `statements`.
async fn root_lists_page_as(
    app: &TestApp,
    query: &str,
    reference: &HashMap<&'static str, Vec<Uuid>>,
    statements: usize,
    size: u64,
) {
    for (order, expected) in reference {
        for backwards in [false, true] {
            let path = ["relationships"];
            assert_eq!(
                &page_through_list(app, query, &path, statements, order, size, backwards).await,
                expected,
                "{order}, backwards: {backwards}, {query}"
            );
        }
    }
}

/// Which relationships a filter of the root list keeps, decided here: the reference.
type Keeps<'a> = Box<dyn Fn(&edge::Model) -> bool + 'a>;

/// Every node, by id.
async fn nodes_by_id(db: &TestDb) -> HashMap<Uuid, node::Model> {
    node::Entity::find()
        .all(&db.db)
        .await
        .expect("nodes")
        .into_iter()
        .map(|n| (n.id, n))
        .collect()
}

/// Every relationship, and every node's kind.
async fn whole_graph(db: &TestDb) -> (Vec<edge::Model>, HashMap<Uuid, NodeKind>) {
    let edges = edge::Entity::find().all(&db.db).await.expect("edges");
    let kinds = nodes_by_id(db)
        .await
        .into_iter()
        .map(|(id, n)| (id, n.kind))
        .collect();
    (edges, kinds)
}

/// Checks that the root list pages each filter of `cases` as the reference sort of the
/// relationships its check keeps (at least one), each page costing `statements`.
async fn filters_page_as(
    app: &TestApp,
    edges: &[edge::Model],
    cases: Vec<(&str, Keeps<'_>)>,
    statements: usize,
    size: u64,
) {
    for (filter, keeps) in cases {
        let kept: Vec<edge::Model> = edges.iter().filter(|e| keeps(e)).cloned().collect();
        assert!(!kept.is_empty(), "{filter} keeps something");
        root_lists_page_as(
            app,
            &root_list(filter),
            &date_orders(&kept),
            statements,
            size,
        )
        .await;
    }
}

#[tokio::test]
async fn the_root_list_of_a_hubs_relationships_pages_as_a_reference_sort_does_both_ways() {
    let app = TestApp::spawn().await;
    let dgx = make_dgx_a_hub(&app.store).await;
    let (edges, kinds) = whole_graph(&app.store).await;
    let kinds = &kinds;
    let singapore = app.store.node(NodeKind::Country, "sg").await.id;
    let participation =
        move |e: &edge::Model| e.object_id == dgx && e.predicate == Predicate::ParticipatesIn;
    let touches = move |e: &edge::Model| e.subject_id == dgx || e.object_id == dgx;
    let cases: Vec<(&str, Keeps<'_>)> = vec![
        (
            r#"{ object: { kind: EVENT, slug: "dgx-2022" }, predicates: [PARTICIPATES_IN] }"#,
            Box::new(participation),
        ),
        (
            r#"{ involving: { kind: EVENT, slug: "dgx-2022" } }"#,
            Box::new(touches),
        ),
        (
            r#"{ involving: { kind: EVENT, slug: "dgx-2022" }, predicates: [PARTICIPATES_IN, PARTICIPATES_IN] }"#,
            Box::new(move |e| touches(e) && e.predicate == Predicate::ParticipatesIn),
        ),
        (
            r#"{ object: { kind: EVENT, slug: "dgx-2022" }, roles: ["observer"], dated: true }"#,
            Box::new(move |e| {
                participation(e) && e.role.as_deref() == Some("observer") && e.valid_from.is_some()
            }),
        ),
        (
            r#"{ object: { kind: EVENT, slug: "dgx-2022" }, dated: false }"#,
            Box::new(move |e| e.object_id == dgx && e.valid_from.is_none()),
        ),
        (
            r#"{ subject: { code: "SG" } }"#,
            Box::new(move |e| e.subject_id == singapore),
        ),
        (
            r#"{ subject: { code: "SG" }, objectKinds: [EVENT, WORKING_GROUP] }"#,
            Box::new(move |e| {
                e.subject_id == singapore
                    && matches!(
                        kinds[&e.object_id],
                        NodeKind::Event | NodeKind::WorkingGroup
                    )
            }),
        ),
    ];
    filters_page_as(&app, &edges, cases, 2, 40).await;
    app.stop().await;
}

#[tokio::test]
async fn the_timeline_of_the_whole_graph_pages_as_a_reference_sort_does_both_ways() {
    let app = TestApp::spawn().await;
    make_dgx_a_hub(&app.store).await;
    let (edges, kinds) = whole_graph(&app.store).await;
    let kinds = &kinds;
    let participation = |e: &edge::Model| e.predicate == Predicate::ParticipatesIn;
    let cases: Vec<(&str, Keeps<'_>)> = vec![
        ("{}", Box::new(|_| true)),
        (
            "{ predicates: [PARTICIPATES_IN, PARTICIPATES_IN] }",
            Box::new(participation),
        ),
        ("{ dated: true }", Box::new(|e| e.valid_from.is_some())),
        (
            "{ subjectKinds: [COUNTRY], objectKinds: [WORKING_GROUP, EVENT] }",
            Box::new(move |e| {
                kinds[&e.subject_id] == NodeKind::Country
                    && matches!(
                        kinds[&e.object_id],
                        NodeKind::WorkingGroup | NodeKind::Event
                    )
            }),
        ),
        (
            "{ predicates: [PARTICIPATES_IN], subjectKinds: [COUNTRY], dated: false }",
            Box::new(move |e| {
                participation(e)
                    && kinds[&e.subject_id] == NodeKind::Country
                    && e.valid_from.is_none()
            }),
        ),
    ];
    filters_page_as(&app, &edges, cases, 1, 100).await;

    // No predicate joins a source to anything: an empty page, and no statement to learn it.
    let before = app.statements();
    let data = app
        .data(
            &root_list("{ subjectKinds: [SOURCE] }"),
            json!({ "first": 5 }),
        )
        .await;
    assert_eq!(data["relationships"]["edges"], json!([]));
    assert_eq!(
        data["relationships"]["pageInfo"]["hasNextPage"],
        json!(false)
    );
    assert_eq!(app.statements(), before);
    app.stop().await;
}

#[tokio::test]
async fn a_renamed_node_moves_in_the_lists_of_its_neighbours() {
    let app = TestApp::spawn().await;
    let dgx = make_dgx_a_hub(&app.store).await;
    let first_name =
        |data: Value| data["event"]["participants"]["edges"][0]["relationship"]["id"].clone();
    let first = app
        .data(
            PARTICIPANTS,
            json!({ "order": "OTHER_NAME_ASC", "first": 1 }),
        )
        .await;
    let first_edge = relationship_uuid(&first_name(first));
    let edge = edge::Entity::find_by_id(first_edge)
        .one(&app.store.db)
        .await
        .expect("read")
        .expect("the edge");
    assert_eq!(edge.object_id, dgx);
    let subject = node::Entity::find_by_id(edge.subject_id)
        .one(&app.store.db)
        .await
        .expect("read")
        .expect("the participant");
    let mut renamed: node::ActiveModel = subject.into();
    renamed.name = Set("Ωmega, renamed".to_owned());
    renamed.update(&app.store.db).await.expect("renamed");

    let last = app
        .data(
            PARTICIPANTS,
            json!({ "order": "OTHER_NAME_ASC", "last": 1 }),
        )
        .await;
    assert_eq!(relationship_uuid(&first_name(last)), first_edge);
    assert_eq!(
        reference_orders(&app.store, dgx).await["OTHER_NAME_ASC"],
        page_through(&app, "OTHER_NAME_ASC", 100, false).await
    );
    app.stop().await;
}

/// The rows the statement read from `edge`, from PostgreSQL's own account of running it
/// (`EXPLAIN ANALYZE`): each scan's rows and the rows its filter removed, times its loops.
async fn edge_rows_read(db: &TestDb, statement: &Statement) -> f64 {
    let explained = db
        .db
        .query_all_raw(Statement {
            sql: format!("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {}", statement.sql),
            ..statement.clone()
        })
        .await
        .expect("explained");
    let lines: Vec<String> = explained
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("a plan line"))
        .collect();
    let figure = |line: &str, name: &str| -> Option<f64> {
        let at = line.find(name)? + name.len();
        line[at..]
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()?
            .parse()
            .ok()
    };
    let mut read = 0.0;
    let mut loops = 0.0;
    let mut on_edge = false;
    for line in &lines {
        if line.contains("(actual rows=") {
            on_edge = line.contains(" on edge ");
            loops = figure(line, "loops=").unwrap_or(1.0);
            if on_edge {
                read += figure(line, "rows=").unwrap_or_default() * loops;
            }
        } else if on_edge && line.contains("Rows Removed by") {
            read += figure(line, ": ").unwrap_or_default() * loops;
        }
    }
    read
}

/// SQLite's plan of the statement: its steps, each with its id, its parent's and what it does.
async fn sqlite_plan(db: &TestDb, statement: &Statement) -> Vec<(i64, i64, String)> {
    db.db
        .query_all_raw(Statement {
            sql: format!("EXPLAIN QUERY PLAN {}", statement.sql),
            ..statement.clone()
        })
        .await
        .expect("explained")
        .iter()
        .map(|row| {
            (
                row.try_get("", "id").expect("an id"),
                row.try_get("", "parent").expect("a parent"),
                row.try_get("", "detail").expect("a step"),
            )
        })
        .collect()
}

/// Checks that SQLite reads each range of a page from `index`, in the page's order (no sort
/// of the range), never scanning a table.
fn reads_ranges_in_order(plan: &[(i64, i64, String)], index: &str) {
    let shown = format!("{plan:#?}");
    let ranges: Vec<i64> = plan
        .iter()
        .filter(|(_, _, detail)| detail.starts_with("CORRELATED LIST SUBQUERY"))
        .map(|(id, _, _)| *id)
        .collect();
    assert!(!ranges.is_empty(), "{shown}");
    for range in ranges {
        let steps: Vec<&str> = plan
            .iter()
            .filter(|(_, parent, _)| *parent == range)
            .map(|(_, _, detail)| detail.as_str())
            .collect();
        assert!(
            steps
                .iter()
                .any(|step| step.starts_with("SEARCH probe USING") && step.contains(index)),
            "{shown}"
        );
        assert!(
            !steps.iter().any(|step| step.contains("TEMP B-TREE")),
            "{shown}"
        );
    }
    assert!(
        !plan
            .iter()
            .any(|(_, _, detail)| detail.starts_with("SCAN probe")
                || detail.starts_with("SCAN found")),
        "{shown}"
    );
}

const NESTED: &str = "{ countries(first: 20) { edges { node { name memberships(first: 5) {
    edges { node { name ... on WorkingGroup { deliverables(first: 5) { edges { node { name } } } } } } } } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_freshly_generated_graph_serves_a_nested_page_reading_only_the_rows_it_returns() {
    let db = TestDb::new().await;
    crate::cli::generate_scale_one(&db.url).await;
    let app = TestApp::spawn_on(db, |_| {}).await;
    let from = app.statements();
    app.data(NESTED, json!({})).await;
    let statements = app.store.statements_run_since(from);
    assert_eq!(statements.len(), 3, "countries, memberships, deliverables");
    let pages: Vec<&Statement> = statements
        .iter()
        .filter(|s| s.sql.contains("probe"))
        .collect();
    assert_eq!(pages.len(), 2);

    for page in pages {
        match page.db_backend {
            DbBackend::Postgres => {
                // Memberships: 20 countries, two kinds of group; deliverables: at most 100
                // groups, one kind of product. Each range gives at most 5 + 1 rows.
                let read = edge_rows_read(&app.store, page).await;
                assert!(
                    read > 0.0 && read <= 20.0 * 2.0 * 6.0 + 100.0 * 6.0,
                    "{read}"
                );
            }
            _ => {
                reads_ranges_in_order(
                    &sqlite_plan(&app.store, page).await,
                    "edge_subject_name_idx",
                );
            }
        }
    }
    app.stop().await;
}

/// Asks for the first 5 of the list `query` answers, in `order`, and checks what its page's
/// statement reads: on PostgreSQL at most `most` rows of `edge`, on SQLite each range from an
/// index whose name starts with `index`, in order.
async fn first_page_reads_only(app: &TestApp, query: &str, order: &str, most: f64, index: &str) {
    let from = app.statements();
    app.data(query, json!({ "order": order, "first": 5 })).await;
    let statements = app.store.statements_run_since(from);
    let page = statements
        .iter()
        .find(|s| s.sql.contains("probe"))
        .expect("the page's statement");
    match page.db_backend {
        DbBackend::Postgres => {
            let read = edge_rows_read(&app.store, page).await;
            assert!(read > 0.0 && read <= most, "{order}: {read}, {query}");
        }
        _ => reads_ranges_in_order(&sqlite_plan(&app.store, page).await, index),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timelines_first_page_reads_only_its_rows_from_each_predicate() {
    // A graph of 10,000 relationships, large enough for PostgreSQL to read an index rather
    // than the whole table, which it prefers for a few hundred.
    let db = TestDb::new().await;
    crate::cli::generate_scale_one(&db.url).await;
    let app = TestApp::spawn_on(db, |_| {}).await;
    let predicates = Predicate::iter().count();
    let every_order = ["VALID_FROM_DESC", "VALID_TO_ASC"].as_slice();
    // Half the generated relationships have no start: a timeline of the dated reads from past
    // them, not through them.
    let by_start = ["VALID_FROM_ASC", "VALID_FROM_DESC"].as_slice();
    for (filter, ranges, orders) in [
        ("{}", predicates, every_order),
        ("{ predicates: [PARTICIPATES_IN] }", 1, every_order),
        ("{ dated: true }", predicates, by_start),
    ] {
        for order in orders {
            let most = (ranges * 6) as f64;
            first_page_reads_only(&app, &root_list(filter), order, most, "edge_timeline_").await;
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_hubs_first_page_reads_only_its_rows_from_each_range() {
    let app = TestApp::spawn().await;
    make_dgx_a_hub(&app.store).await;
    // Participants are countries, organisations or people: three ranges, each giving at most
    // 5 + 1 rows, of the hub's 265 participations; asked of the event or of the root list.
    for order in ["OTHER_NAME_ASC", "VALID_FROM_DESC", "VALID_TO_ASC"] {
        first_page_reads_only(&app, PARTICIPANTS, order, 18.0, "edge_object_").await;
    }
    let root = root_list(
        r#"{ object: { kind: EVENT, slug: "dgx-2022" }, predicates: [PARTICIPATES_IN] }"#,
    );
    for order in ["VALID_FROM_ASC", "VALID_TO_DESC"] {
        first_page_reads_only(&app, &root, order, 18.0, "edge_object_").await;
    }
    app.stop().await;
}
