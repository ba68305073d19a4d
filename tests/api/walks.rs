//! Walks through the graph: shortest paths and neighbourhoods, checked against a search done
//! here over the database's own rows.

use std::collections::{BTreeSet, HashMap, VecDeque};

use govgraph_entities::{NodeKind, edge, node};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;

/// The graph's rows, as an undirected adjacency list.
struct Graph {
    nodes: HashMap<Uuid, node::Model>,
    edges: Vec<edge::Model>,
}

impl Graph {
    async fn read(app: &TestApp) -> Self {
        let db = &app.store.db;
        let nodes = node::Entity::find().all(db).await.expect("nodes");
        Self {
            nodes: nodes.into_iter().map(|n| (n.id, n)).collect(),
            edges: edge::Entity::find().all(db).await.expect("edges"),
        }
    }

    fn by_slug(&self, kind: NodeKind, slug: &str) -> Uuid {
        self.nodes
            .values()
            .find(|n| n.kind == kind && n.slug == slug)
            .map(|n| n.id)
            .unwrap_or_else(|| panic!("no {kind:?} {slug}"))
    }

    fn neighbours(&self, id: Uuid) -> impl Iterator<Item = Uuid> + '_ {
        self.edges.iter().filter_map(move |e| {
            if e.subject_id == id {
                Some(e.object_id)
            } else if e.object_id == id {
                Some(e.subject_id)
            } else {
                None
            }
        })
    }

    /// How many shortest paths lead from one node to another, two relationships between the
    /// same nodes making two paths.
    fn shortest_paths(&self, from: Uuid, to: Uuid) -> u64 {
        let mut distance = HashMap::from([(from, 0usize)]);
        let mut ways = HashMap::from([(from, 1u64)]);
        let mut ring = vec![from];
        while !ring.is_empty() && !distance.contains_key(&to) {
            let depth = distance[&ring[0]] + 1;
            let mut next = Vec::new();
            for node in &ring {
                let here = ways[node];
                for far in self.neighbours(*node) {
                    let d = *distance.entry(far).or_insert_with(|| {
                        next.push(far);
                        depth
                    });
                    if d == depth {
                        *ways.entry(far).or_default() += here;
                    }
                }
            }
            ring = next;
        }
        ways.get(&to).copied().unwrap_or(0)
    }

    /// The length of the shortest path between two nodes, following edges either way.
    fn distance(&self, from: Uuid, to: Uuid) -> Option<usize> {
        let mut distance = HashMap::from([(from, 0)]);
        let mut queue = VecDeque::from([from]);
        while let Some(node) = queue.pop_front() {
            let d = distance[&node];
            if node == to {
                return Some(d);
            }
            for next in self.neighbours(node) {
                if let std::collections::hash_map::Entry::Vacant(entry) = distance.entry(next) {
                    entry.insert(d + 1);
                    queue.push_back(next);
                }
            }
        }
        None
    }
}

fn slugs(nodes: &Value) -> Vec<String> {
    nodes
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["slug"].as_str().expect("a slug").to_owned())
        .collect()
}

#[tokio::test]
async fn the_path_from_uruguay_to_govtech_singapore_exists_and_carries_sources() {
    let app = TestApp::spawn().await;
    let graph = Graph::read(&app).await;
    let uruguay = graph.by_slug(NodeKind::Country, "uy");
    let govtech = graph.by_slug(NodeKind::Organisation, "govtech-singapore");
    let shortest = graph
        .distance(uruguay, govtech)
        .expect("they are connected");
    let how_many = graph.shortest_paths(uruguay, govtech);
    assert!(how_many <= 100, "{how_many} paths: more than one page");

    let before = app.statements();
    let data = app
        .data(
            r#"{ paths(from: { code: "UY" }, to: { kind: ORGANISATION, slug: "govtech-singapore" }, first: 100) {
                   length
                   nodes { slug }
                   steps { direction node { slug }
                           relationship { id predicate subject { slug } object { slug } sources { name } } } } }"#,
            json!({}),
        )
        .await;
    let statements = app.statements() - before;
    let paths = data["paths"].as_array().expect("paths");
    assert_eq!(paths.len() as u64, how_many, "every shortest path");
    for path in paths {
        assert_eq!(path["length"].as_u64(), Some(shortest as u64));
        let nodes = slugs(&path["nodes"]);
        assert_eq!(nodes.len(), shortest + 1);
        assert_eq!(nodes.first().map(String::as_str), Some("uy"));
        assert_eq!(nodes.last().map(String::as_str), Some("govtech-singapore"));
        for (index, step) in path["steps"].as_array().expect("steps").iter().enumerate() {
            let relationship = &step["relationship"];
            let (subject, object) = (
                relationship["subject"]["slug"].as_str().expect("a subject"),
                relationship["object"]["slug"].as_str().expect("an object"),
            );
            let (left, right) = match step["direction"].as_str() {
                Some("OUTGOING") => (subject, object),
                Some("INCOMING") => (object, subject),
                other => panic!("direction {other:?}"),
            };
            assert_eq!(left, nodes[index], "each step leaves the node before it");
            assert_eq!(right, nodes[index + 1], "and reaches the next");
            assert_eq!(step["node"]["slug"].as_str(), Some(right));
            assert!(
                !relationship["sources"]
                    .as_array()
                    .expect("sources")
                    .is_empty(),
                "every relationship of a path says who states it"
            );
        }
    }
    // Two relationships between the same nodes (a member that also co-chairs) make two paths.
    let distinct: BTreeSet<Vec<String>> = paths
        .iter()
        .map(|p| {
            p["steps"]
                .as_array()
                .expect("steps")
                .iter()
                .map(|s| s["relationship"]["id"].to_string())
                .collect()
        })
        .collect();
    assert_eq!(distinct.len(), paths.len(), "no path is listed twice");
    // The ends' lookups (by code, by slug), a statement per hop, the paths' nodes (which the
    // relationships' subjects and objects then find loaded), and the sources.
    assert_eq!(
        statements,
        2 + shortest + 1 + 1,
        "for a {shortest}-hop path"
    );
    app.stop().await;
}

#[tokio::test]
async fn nodes_not_connected_within_max_hops_have_no_path() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ none: paths(from: { code: "AQ" }, to: { kind: EVENT, slug: "dgx-2022" }) { length }
                 tooShort: paths(from: { code: "UY" }, to: { kind: ORGANISATION, slug: "govtech-singapore" }, maxHops: 1) { length }
                 itself: paths(from: { code: "UY" }, to: { code: "URY" }) { length nodes { slug } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["none"], json!([]));
    assert_eq!(data["tooShort"], json!([]));
    assert_eq!(
        data["itself"],
        json!([{ "length": 0, "nodes": [{ "slug": "uy" }] }])
    );
    for query in [
        r#"{ paths(from: { code: "UY" }, to: { code: "SG" }, maxHops: 7) { length } }"#,
        r#"{ paths(from: { code: "UY" }, to: { code: "SG" }, maxHops: 0) { length } }"#,
        r#"{ paths(from: { code: "UY" }, to: { code: "SG" }, first: 101) { length } }"#,
        r#"{ neighbourhood(node: { code: "SG" }, depth: 4) { nodesLeftOut } }"#,
        r#"{ neighbourhood(node: { code: "SG" }, limit: 1001) { nodesLeftOut } }"#,
    ] {
        assert_eq!(
            app.error_codes(query, json!({})).await,
            ["BAD_USER_INPUT"],
            "{query}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_neighbourhood_of_dgx_2022_lists_its_working_groups_and_participants() {
    let app = TestApp::spawn().await;
    let graph = Graph::read(&app).await;
    let dgx = graph.by_slug(NodeKind::Event, "dgx-2022");
    let mut expected: BTreeSet<String> = graph
        .neighbours(dgx)
        .map(|id| graph.nodes[&id].slug.clone())
        .collect();
    expected.insert("dgx-2022".to_owned());
    let around: BTreeSet<Uuid> = graph.neighbours(dgx).chain([dgx]).collect();
    let among = graph
        .edges
        .iter()
        .filter(|e| around.contains(&e.subject_id) && around.contains(&e.object_id))
        .count();
    let touching = graph
        .edges
        .iter()
        .filter(|e| e.subject_id == dgx || e.object_id == dgx)
        .count();
    assert!(
        among > touching,
        "some of DGX 2022's neighbours are related to each other"
    );

    let before = app.statements();
    let data = app
        .data(
            r#"{ neighbourhood(node: { kind: EVENT, slug: "dgx-2022" }, limit: 1000) {
                   nodes { slug kind }
                   relationships { predicate subject { slug } object { slug } }
                   nodesLeftOut } }"#,
            json!({}),
        )
        .await;
    let statements = app.statements() - before;
    let around = &data["neighbourhood"];
    let nodes = slugs(&around["nodes"]);
    assert_eq!(nodes[0], "dgx-2022", "the centre comes first");
    assert_eq!(nodes.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(nodes.len(), expected.len(), "each node once");
    assert_eq!(around["nodesLeftOut"], 0);
    let relationships = around["relationships"].as_array().expect("relationships");
    assert_eq!(
        relationships.len(),
        among,
        "every relationship among the nodes"
    );
    let predicates: BTreeSet<&str> = relationships
        .iter()
        .filter_map(|r| r["predicate"].as_str())
        .collect();
    assert!(predicates.contains("HAS_WORKING_GROUP"), "{predicates:?}");
    assert!(predicates.contains("PARTICIPATES_IN"), "{predicates:?}");
    let kinds: BTreeSet<&str> = around["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert!(
        kinds.contains("WORKING_GROUP") && kinds.contains("COUNTRY"),
        "{kinds:?}"
    );
    // The centre's lookup, one hop, the relationships among the nodes, the nodes (which the
    // relationships' ends then find loaded).
    assert_eq!(statements, 4);
    app.stop().await;
}

#[tokio::test]
async fn a_neighbourhood_stops_at_its_limit_and_says_how_many_it_left_out() {
    let app = TestApp::spawn().await;
    let graph = Graph::read(&app).await;
    let dgx = graph.by_slug(NodeKind::Event, "dgx-2022");
    let around: BTreeSet<Uuid> = graph.neighbours(dgx).collect();
    let data = app
        .data(
            r#"{ neighbourhood(node: { kind: EVENT, slug: "dgx-2022" }, depth: 2, limit: 5) {
                   nodes { slug } nodesLeftOut } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["neighbourhood"]["nodes"].as_array().map(Vec::len),
        Some(5)
    );
    assert_eq!(
        data["neighbourhood"]["nodesLeftOut"].as_u64(),
        Some(around.len() as u64 - 4)
    );
    app.stop().await;
}

#[tokio::test]
async fn walks_as_of_2020_do_not_follow_the_2021_co_chairs() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ in2020: neighbourhood(node: { kind: WORKING_GROUP, slug: "world-bank-cloud-computing" },
                                       predicates: [CO_CHAIRS], asOf: "2020-01-01") { nodes { slug } }
                 in2021: neighbourhood(node: { kind: WORKING_GROUP, slug: "world-bank-cloud-computing" },
                                       predicates: [CO_CHAIRS], asOf: "2021") { nodes { slug } }
                 countries: neighbourhood(node: { kind: WORKING_GROUP, slug: "world-bank-cloud-computing" },
                                          kinds: [COUNTRY], predicates: [MEMBER_OF]) { nodes { kind } }
                 path2020: paths(from: { code: "SG" }, to: { code: "GB" }, predicates: [CO_CHAIRS], asOf: "2020") { length }
                 path2021: paths(from: { code: "SG" }, to: { code: "GB" }, predicates: [CO_CHAIRS], asOf: "2021-03") { length } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        slugs(&data["in2020"]["nodes"]),
        ["world-bank-cloud-computing"]
    );
    let mut in2021 = slugs(&data["in2021"]["nodes"]);
    in2021.sort();
    assert_eq!(in2021, ["gb", "sg", "world-bank-cloud-computing"]);
    let kinds: Vec<&str> = data["countries"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .skip(1)
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert_eq!(kinds.len(), 9, "nine member countries");
    assert!(kinds.iter().all(|kind| *kind == "COUNTRY"));
    assert_eq!(data["path2020"], json!([]));
    assert_eq!(data["path2021"], json!([{ "length": 2 }]));
    app.stop().await;
}
