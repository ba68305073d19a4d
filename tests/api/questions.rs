//! The questions dashboards ask, each one query, each answer checked against one computed here
//! from the database's own rows, and each query's statements counted.

use std::collections::{BTreeMap, HashMap, HashSet};

use govgraph_entities::{NodeKind, Predicate, country, edge, node};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;

/// Every node and edge of the test's database, read directly.
struct Graph {
    nodes: HashMap<Uuid, node::Model>,
    edges: Vec<edge::Model>,
    regions: HashMap<Uuid, String>,
}

impl Graph {
    async fn read(app: &TestApp) -> Self {
        let db = &app.store.db;
        let nodes = node::Entity::find().all(db).await.expect("nodes");
        let edges = edge::Entity::find().all(db).await.expect("edges");
        let regions = country::Entity::find()
            .all(db)
            .await
            .expect("countries")
            .into_iter()
            .filter_map(|c| c.region.map(|region| (c.node_id, region)))
            .collect();
        Self {
            nodes: nodes.into_iter().map(|n| (n.id, n)).collect(),
            edges,
            regions,
        }
    }

    fn kind(&self, id: Uuid) -> NodeKind {
        self.nodes[&id].kind
    }

    fn name(&self, id: Uuid) -> String {
        self.nodes[&id].name.clone()
    }

    fn by_slug(&self, kind: NodeKind, slug: &str) -> Uuid {
        self.nodes
            .values()
            .find(|n| n.kind == kind && n.slug == slug)
            .map(|n| n.id)
            .unwrap_or_else(|| panic!("no {kind:?} {slug}"))
    }
}

/// `[(name, count)]`, highest count first, then by name: the order of a ranking.
fn ranked(counts: HashMap<Uuid, usize>, graph: &Graph) -> Vec<(String, u64)> {
    let mut ranked: Vec<(String, u64)> = counts
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .map(|(id, count)| (graph.name(id), count as u64))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked
}

/// `[(node.name, count)]` of a ranking's answer.
fn answered(ranking: &Value) -> Vec<(String, u64)> {
    ranking
        .as_array()
        .expect("a ranking")
        .iter()
        .map(|r| {
            (
                r["node"]["name"].as_str().expect("a name").to_owned(),
                r["count"].as_u64().expect("a count"),
            )
        })
        .collect()
}

#[tokio::test]
async fn countries_ranked_by_the_working_groups_they_belong_to() {
    let app = TestApp::spawn().await;
    let graph = Graph::read(&app).await;
    let mut groups: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for e in &graph.edges {
        if e.predicate == Predicate::MemberOf
            && graph.kind(e.subject_id) == NodeKind::Country
            && graph.kind(e.object_id) == NodeKind::WorkingGroup
        {
            groups.entry(e.subject_id).or_default().insert(e.object_id);
        }
    }
    let expected = ranked(
        groups.into_iter().map(|(id, of)| (id, of.len())).collect(),
        &graph,
    );
    assert!(expected.len() >= 5, "the data set has member countries");

    let before = app.statements();
    let data = app
        .data(
            r#"{ rankedNodes(kind: COUNTRY, first: 100,
                   by: { predicates: [MEMBER_OF], direction: OUTGOING, otherKinds: [WORKING_GROUP] }) {
                   count node { name } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(app.statements() - before, 1, "one statement ranks them");
    assert_eq!(answered(&data["rankedNodes"]), expected);
    app.stop().await;
}

#[tokio::test]
async fn countries_sharing_the_most_groups_and_events_with_singapore() {
    let app = TestApp::spawn().await;
    let graph = Graph::read(&app).await;
    let singapore = graph.by_slug(NodeKind::Country, "sg");
    let counted = [Predicate::MemberOf, Predicate::ParticipatesIn];
    let joined = |country: Uuid| -> HashSet<Uuid> {
        graph
            .edges
            .iter()
            .filter(|e| e.subject_id == country && counted.contains(&e.predicate))
            .map(|e| e.object_id)
            .collect()
    };
    let singapores = joined(singapore);
    let expected: HashMap<Uuid, usize> = graph
        .nodes
        .values()
        .filter(|n| n.kind == NodeKind::Country && n.id != singapore)
        .map(|n| (n.id, joined(n.id).intersection(&singapores).count()))
        .collect();
    let expected = ranked(expected, &graph);
    assert!(!expected.is_empty(), "Singapore shares groups with others");

    let data = app
        .data(
            r#"{ rankedNodes(kind: COUNTRY, first: 100,
                   by: { predicates: [MEMBER_OF, PARTICIPATES_IN], direction: OUTGOING,
                         sharedWith: { code: "SGP" } }) {
                   count node { name } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(answered(&data["rankedNodes"]), expected);
    app.stop().await;
}

#[tokio::test]
async fn member_countries_of_every_working_group_are_counted_in_one_statement_per_level() {
    let app = TestApp::spawn().await;
    let graph = Graph::read(&app).await;
    let mut expected: BTreeMap<String, u64> = graph
        .nodes
        .values()
        .filter(|n| n.kind == NodeKind::WorkingGroup)
        .map(|n| (n.slug.clone(), 0))
        .collect();
    for e in &graph.edges {
        if e.predicate == Predicate::MemberOf
            && graph.kind(e.subject_id) == NodeKind::Country
            && let Some(count) = expected.get_mut(&graph.nodes[&e.object_id].slug)
        {
            *count += 1;
        }
    }

    let before = app.statements();
    let data = app
        .data(
            r#"{ workingGroups(first: 100) { nodes {
                   slug members(filter: { kinds: [COUNTRY] }) { totalCount } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        app.statements() - before,
        2,
        "the list, then every count at once"
    );
    let answered: BTreeMap<String, u64> = data["workingGroups"]["nodes"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["slug"].as_str().expect("a slug").to_owned(),
                g["members"]["totalCount"].as_u64().expect("a count"),
            )
        })
        .collect();
    assert_eq!(answered, expected);
    assert!(
        expected.values().any(|count| *count > 0),
        "some group has member countries"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_timeline_of_relationships_counts_each_year_and_lists_them_by_date() {
    let app = TestApp::spawn().await;
    let graph = Graph::read(&app).await;
    let mut by_year: BTreeMap<Option<i64>, u64> = BTreeMap::new();
    for e in &graph.edges {
        let year = e.valid_from.as_ref().map(|d| i64::from(d.year()));
        *by_year.entry(year).or_default() += 1;
    }
    let before = app.statements();
    let data = app
        .data(
            "{ relationshipCounts(groupBy: [YEAR], first: 1000) { year count } }",
            json!({}),
        )
        .await;
    assert_eq!(app.statements() - before, 1, "one grouped statement");
    let answered: BTreeMap<Option<i64>, u64> = data["relationshipCounts"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["year"].as_i64(), g["count"].as_u64().expect("a count")))
        .collect();
    assert_eq!(answered, by_year);
    assert!(
        by_year.keys().any(Option::is_some),
        "some relationships are dated"
    );

    // The dated relationships, latest first, page by page.
    let mut expected: Vec<(String, Uuid)> = graph
        .edges
        .iter()
        .filter_map(|e| e.valid_from.as_ref().map(|d| (d.to_string(), e.id)))
        .collect();
    expected.sort();
    expected.reverse();
    let mut listed = Vec::new();
    let mut after = Value::Null;
    loop {
        let before = app.statements();
        let data = app
            .data(
                r#"query($after: String) {
                     relationships(orderBy: VALID_FROM_DESC, first: 2, after: $after,
                                   filter: { validDuring: { from: "1000" } }) {
                       totalCount
                       pageInfo { hasNextPage endCursor }
                       nodes { id validFrom predicate subject { name } object { name } } } }"#,
                json!({ "after": after }),
            )
            .await;
        // The page, its count, the subjects and objects of the page in one batch.
        assert_eq!(app.statements() - before, 3);
        let page = &data["relationships"];
        for relationship in page["nodes"].as_array().expect("nodes") {
            listed.push(relationship["validFrom"].as_str().map(str::to_owned));
        }
        if !page["pageInfo"]["hasNextPage"]
            .as_bool()
            .expect("hasNextPage")
        {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    // An open-ended filter keeps undated relationships too: they always hold. They come last.
    let dated: Vec<Option<String>> = expected.iter().map(|(d, _)| Some(d.clone())).collect();
    assert_eq!(listed[..dated.len()], dated[..]);
    assert_eq!(listed.len(), graph.edges.len());
    assert!(listed[dated.len()..].iter().all(Option::is_none));
    app.stop().await;
}

#[tokio::test]
async fn the_participants_of_dgx_2022_counted_by_region() {
    let app = TestApp::spawn().await;
    let graph = Graph::read(&app).await;
    let dgx = graph.by_slug(NodeKind::Event, "dgx-2022");
    let mut expected: BTreeMap<Option<String>, u64> = BTreeMap::new();
    for e in &graph.edges {
        if e.predicate == Predicate::ParticipatesIn && e.object_id == dgx {
            *expected
                .entry(graph.regions.get(&e.subject_id).map(|r| r.to_uppercase()))
                .or_default() += 1;
        }
    }
    let data = app
        .data(
            r#"{ relationshipCounts(groupBy: [SUBJECT_REGION],
                   filter: { predicates: [PARTICIPATES_IN], object: { kind: EVENT, slug: "dgx-2022" } }) {
                   subjectRegion count }
                 event(slug: "dgx-2022") {
                   asian: participants(filter: { regions: [ASIA] }) { totalCount nodes { name } } } }"#,
            json!({}),
        )
        .await;
    let answered: BTreeMap<Option<String>, u64> = data["relationshipCounts"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["subjectRegion"].as_str().map(str::to_owned),
                g["count"].as_u64().expect("a count"),
            )
        })
        .collect();
    assert_eq!(answered, expected);
    let asian = expected.get(&Some("ASIA".to_owned())).copied().unwrap_or(0);
    assert!(asian > 0, "Asian countries took part");
    assert_eq!(data["event"]["asian"]["totalCount"].as_u64(), Some(asian));
    assert_eq!(
        data["event"]["asian"]["nodes"].as_array().map(Vec::len),
        Some(asian as usize)
    );
    app.stop().await;
}

#[tokio::test]
async fn nodes_counted_by_kind_match_the_rows_of_each_kind() {
    let app = TestApp::spawn().await;
    let graph = Graph::read(&app).await;
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for n in graph.nodes.values() {
        *expected.entry(n.kind.as_str().to_owned()).or_default() += 1;
    }
    let before = app.statements();
    let data = app
        .data("{ nodeCounts(groupBy: [KIND]) { kind count } }", json!({}))
        .await;
    assert_eq!(app.statements() - before, 1);
    let answered: BTreeMap<String, u64> = data["nodeCounts"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["kind"].as_str().expect("a kind").to_owned(),
                g["count"].as_u64().expect("a count"),
            )
        })
        .collect();
    assert_eq!(answered, expected);
    app.stop().await;
}

#[tokio::test]
async fn as_of_2020_hides_the_2021_co_chairs() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ workingGroup(slug: "world-bank-cloud-computing") {
                   all: coChairs { totalCount }
                   in2021: coChairs(asOf: "2021-06-01") { totalCount nodes { name } }
                   in2020: coChairs(asOf: "2020-01-01") { totalCount nodes { name } }
                   everything2020: relationships(asOf: "2020-01-01", predicates: [CO_CHAIRS]) { totalCount } }
                 relationships(asOf: "2020", filter: { predicates: [CO_CHAIRS] }) { totalCount }
                 undated: relationships(asOf: "2020", filter: { predicates: [MEMBER_OF], roles: ["co-chair"] }) { totalCount } }"#,
            json!({}),
        )
        .await;
    let group = &data["workingGroup"];
    assert_eq!(group["all"]["totalCount"], 2);
    assert_eq!(group["in2021"]["totalCount"], 2);
    assert_eq!(group["in2020"]["totalCount"], 0);
    assert_eq!(group["in2020"]["nodes"], json!([]));
    assert_eq!(group["everything2020"]["totalCount"], 0);
    assert_eq!(data["relationships"]["totalCount"], 0);
    // Their memberships have no dates, so they hold at every date.
    assert_eq!(data["undated"]["totalCount"], 2);
    app.stop().await;
}

#[tokio::test]
async fn relationship_fields_take_an_order_and_refuse_a_cursor_of_another() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ event(slug: "dgx-2022") {
                   up: participants(first: 100) { edges { cursor node { name } } }
                   down: participants(first: 100, orderBy: OTHER_NAME_DESC) { nodes { name } } } }"#,
            json!({}),
        )
        .await;
    let up: Vec<&str> = data["event"]["up"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["name"].as_str().expect("a name"))
        .collect();
    let mut down: Vec<&str> = data["event"]["down"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["name"].as_str().expect("a name"))
        .collect();
    down.reverse();
    assert_eq!(up, down);
    assert!(up.len() > 2);
    let cursor = data["event"]["up"]["edges"][0]["cursor"].clone();
    let codes = app
        .error_codes(
            r#"query($after: String) { event(slug: "dgx-2022") {
                 participants(orderBy: VALID_FROM_ASC, after: $after) { totalCount } } }"#,
            json!({ "after": cursor }),
        )
        .await;
    assert_eq!(codes, ["BAD_USER_INPUT"]);
    app.stop().await;
}

#[tokio::test]
async fn a_typed_field_refuses_kinds_it_cannot_present() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            r#"{ workingGroup(slug: "world-bank-cloud-computing") {
                 deliverables(filter: { kinds: [COUNTRY] }) { totalCount } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    let message = response["errors"][0]["message"]
        .as_str()
        .expect("a message");
    assert!(
        message.contains("`deliverables` lists only Deliverable"),
        "{message}"
    );
    app.stop().await;
}

#[tokio::test]
async fn subjects_and_objects_are_named_by_id_slug_or_code_and_unknown_ones_are_not_found() {
    let app = TestApp::spawn().await;
    let graph = Graph::read(&app).await;
    let united_kingdom = graph.by_slug(NodeKind::Country, "gb");
    let expected = graph
        .edges
        .iter()
        .filter(|e| e.subject_id == united_kingdom)
        .count();
    let data = app
        .data(
            r#"{ byCode: relationships(filter: { subject: { code: "GBR" } }) { totalCount }
                 bySlug: relationships(filter: { subject: { kind: COUNTRY, slug: "gb" } }) { totalCount }
                 either: relationships(filter: { involving: { code: "GB" } }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["byCode"]["totalCount"].as_u64(), Some(expected as u64));
    assert_eq!(data["bySlug"]["totalCount"].as_u64(), Some(expected as u64));
    let either = graph
        .edges
        .iter()
        .filter(|e| e.subject_id == united_kingdom || e.object_id == united_kingdom)
        .count();
    assert_eq!(data["either"]["totalCount"].as_u64(), Some(either as u64));
    let codes = app
        .error_codes(
            r#"{ relationships(filter: { subject: { kind: EVENT, slug: "dgx-1999" } }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes, ["NOT_FOUND"]);
    let codes = app
        .error_codes(
            r#"{ relationships(filter: { subject: { kind: EVENT, code: "SG" } }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes, ["BAD_USER_INPUT"]);
    app.stop().await;
}

#[tokio::test]
async fn a_period_that_ends_before_it_starts_is_refused() {
    let app = TestApp::spawn().await;
    for query in [
        r#"{ relationships(filter: { validDuring: { from: "2022", to: "2021-12" } }) { totalCount } }"#,
        r#"{ country(code: "SG") { memberships(filter: { validDuring: { from: "2021-06", to: "2021-05-31" } }) { totalCount } } }"#,
        r#"{ rankedNodes(kind: COUNTRY, by: { validDuring: { from: "2021", to: "2020" } }) { count } }"#,
    ] {
        assert_eq!(
            app.error_codes(query, json!({})).await,
            ["BAD_USER_INPUT"],
            "{query}"
        );
    }
    let data = app
        .data(
            r#"{ relationships(filter: { validDuring: { from: "2021-06", to: "2021" } }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert!(data["relationships"]["totalCount"].as_u64() > Some(0));
    app.stop().await;
}

/// Dates of every precision, as (start, end) of relationships added by the tests below.
const PERIODS: &[(Option<&str>, Option<&str>)] = &[
    (Some("2019"), Some("2019")),
    (Some("2019-03"), Some("2020")),
    (Some("2019-03-05"), Some("2019-03-05")),
    (Some("2018-12-31"), None),
    (Some("2020-11"), Some("2021-02-15")),
    (Some("2021"), Some("2021-06")),
    (Some("2021-01-01"), Some("2022")),
    (None, Some("2020-06-30")),
    (None, Some("2019")),
    (Some("2022-07"), Some("2022-07")),
    (Some("2019"), None),
    (Some("2020-02-29"), Some("2020-03")),
];

/// Adds a relationship for each of [`PERIODS`]: a country taking part in DGX 2022.
async fn add_dated_relationships(app: &TestApp, graph: &Graph) {
    let dgx = graph.by_slug(NodeKind::Event, "dgx-2022");
    let mut countries: Vec<&node::Model> = graph
        .nodes
        .values()
        .filter(|n| n.kind == NodeKind::Country)
        .collect();
    countries.sort_by(|a, b| a.slug.cmp(&b.slug));
    let now = chrono::Utc::now();
    let date = |text: Option<&str>| text.map(|t| t.parse().expect("a date"));
    let rows: Vec<edge::ActiveModel> = PERIODS
        .iter()
        .zip(countries)
        .map(|((from, to), country)| {
            edge::Model {
                id: Uuid::new_v4(),
                subject_id: country.id,
                predicate: Predicate::ParticipatesIn,
                object_id: dgx,
                role: Some("dated for a test".to_owned()),
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
        .exec(&app.store.db)
        .await
        .expect("relationships added");
}

/// The ids of every relationship of a root list, page by page, `first` at a time.
async fn every_page(app: &TestApp, arguments: &str, first: usize) -> Vec<Uuid> {
    let query = format!(
        "query($after: String) {{ relationships({arguments}, first: {first}, after: $after) {{
           pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id }} }} }} }}"
    );
    let mut ids = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.data(&query, json!({ "after": after })).await;
        let page = &data["relationships"];
        for edge in page["edges"].as_array().expect("edges") {
            let id = edge["node"]["id"].as_str().expect("an id");
            ids.push(relationship_uuid(id));
        }
        if !page["pageInfo"]["hasNextPage"]
            .as_bool()
            .expect("hasNextPage")
        {
            return ids;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// The edge id a relationship's global ID carries.
fn relationship_uuid(id: &str) -> Uuid {
    use base64::Engine;
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .expect("a global ID");
    let text = String::from_utf8(decoded).expect("text");
    let (_, uuid) = text.split_once(':').expect("Type:uuid");
    uuid.parse().expect("a uuid")
}

#[tokio::test]
async fn the_timeline_pages_through_dates_of_every_precision_in_order() {
    let app = TestApp::spawn().await;
    add_dated_relationships(&app, &Graph::read(&app).await).await;
    let graph = Graph::read(&app).await;

    let mut by_start: Vec<(String, Uuid)> = graph
        .edges
        .iter()
        .filter_map(|e| e.valid_from.as_ref().map(|d| (d.to_string(), e.id)))
        .collect();
    by_start.sort();
    let expected: Vec<Uuid> = by_start.iter().map(|(_, id)| *id).collect();
    let listed = every_page(&app, "filter: { dated: true }, orderBy: VALID_FROM_ASC", 3).await;
    assert_eq!(listed, expected);

    // By end, latest first: ongoing relationships (no end) are the latest.
    let mut by_end: Vec<(String, Uuid)> = graph
        .edges
        .iter()
        .map(|e| {
            let end = e
                .valid_to
                .as_ref()
                .map_or("9999-12-31".to_owned(), |d| d.to_string());
            (end, e.id)
        })
        .collect();
    by_end.sort();
    by_end.reverse();
    let expected: Vec<Uuid> = by_end.iter().map(|(_, id)| *id).collect();
    let listed = every_page(&app, "orderBy: VALID_TO_DESC", 40).await;
    assert_eq!(listed, expected);
    app.stop().await;
}

#[tokio::test]
async fn as_of_and_valid_during_follow_the_partial_date_rules_at_every_precision() {
    use govgraph_read::validity::{Period, holds_during};
    let app = TestApp::spawn().await;
    add_dated_relationships(&app, &Graph::read(&app).await).await;
    let graph = Graph::read(&app).await;
    let date = |text: &str| -> govgraph_entities::PartialDate { text.parse().expect("a date") };
    let probes: Vec<(Option<&str>, Option<&str>)> = vec![
        (Some("2019"), Some("2019")),
        (Some("2019-03"), Some("2019-03")),
        (Some("2019-03-05"), Some("2019-03-05")),
        (Some("2019-03-06"), Some("2019-03-06")),
        (Some("2020-06"), Some("2020-06")),
        (Some("2020-07-01"), Some("2020-07-01")),
        (Some("2021-06-30"), Some("2021-06-30")),
        (Some("2021-07"), Some("2021-07")),
        (Some("2018"), Some("2018")),
        (Some("2022-07-31"), Some("2022-07-31")),
        (Some("2020-03"), None),
        (None, Some("2019-01")),
        (Some("2019-06"), Some("2020-12-31")),
        (Some("2023"), None),
    ];
    let as_date = |d: &Option<&str>| d.map_or("null".to_owned(), |d| format!("\"{d}\""));
    for (from, to) in &probes {
        let period = Period {
            from: from.map(date),
            to: to.map(date),
        };
        let expected = graph
            .edges
            .iter()
            .filter(|e| holds_during(e.valid_from.as_ref(), e.valid_to.as_ref(), &period))
            .count() as u64;
        let data = app
            .data(
                &format!(
                    "{{ during: relationships(filter: {{ validDuring: {{ from: {}, to: {} }} }}) {{ totalCount }}
                        on: relationships(asOf: {}) {{ totalCount }} }}",
                    as_date(from),
                    as_date(to),
                    as_date(&from.or(*to)),
                ),
                json!({}),
            )
            .await;
        assert_eq!(
            data["during"]["totalCount"].as_u64(),
            Some(expected),
            "validDuring {from:?} to {to:?}"
        );
        if from == to {
            assert_eq!(
                data["on"]["totalCount"].as_u64(),
                Some(expected),
                "asOf {from:?}"
            );
        }
    }
    // The rules themselves, on the relationships added: a year holds on a day of it, a month
    // not on the next, an open end at any date.
    let holds = |from: &str, to: Option<&str>, on: &str| {
        holds_during(
            Some(&date(from)),
            to.map(date).as_ref(),
            &Period::on(date(on)),
        )
    };
    assert!(holds("2021", Some("2021-06"), "2021-06-30"));
    assert!(!holds("2021", Some("2021-06"), "2021-07-01"));
    assert!(holds("2018-12-31", None, "2030"));
    app.stop().await;
}

/// `{(predicate, subject kind, object kind): count}` of every relationship of `graph`.
fn counted_by_kinds(graph: &Graph) -> BTreeMap<(String, String, String), u64> {
    let mut counts = BTreeMap::new();
    for e in &graph.edges {
        let key = (
            e.predicate.as_str().to_owned(),
            graph.kind(e.subject_id).as_str().to_owned(),
            graph.kind(e.object_id).as_str().to_owned(),
        );
        *counts.entry(key).or_default() += 1;
    }
    counts
}

/// The whole graph's relationships counted by predicate and kinds, and countries and working
/// groups ranked by each other, as the API answers them.
async fn kept_answers(app: &TestApp) -> (BTreeMap<(String, String, String), u64>, Value) {
    let data = app
        .data(
            r#"{ relationshipCounts(groupBy: [PREDICATE, SUBJECT_KIND, OBJECT_KIND], first: 1000) {
                   predicate subjectKind objectKind count }
                 countries: rankedNodes(kind: COUNTRY, first: 100,
                   by: { predicates: [MEMBER_OF], direction: OUTGOING, otherKinds: [WORKING_GROUP] }) {
                   count node { name } }
                 groups: rankedNodes(kind: WORKING_GROUP, first: 100,
                   by: { predicates: [MEMBER_OF], direction: INCOMING }) {
                   count node { name } } }"#,
            json!({}),
        )
        .await;
    let counts = data["relationshipCounts"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            let text = |field: &str| g[field].as_str().expect("a value").to_owned();
            (
                (text("predicate"), text("subjectKind"), text("objectKind")),
                g["count"].as_u64().expect("a count"),
            )
        })
        .collect();
    (counts, data)
}

/// The distinct nodes at the other end of `predicate` relationships of nodes of `kind`, seen
/// from the subject (`outgoing`) or the object.
fn distinct_neighbours(
    graph: &Graph,
    kind: NodeKind,
    outgoing: bool,
    other: Option<NodeKind>,
) -> Vec<(String, u64)> {
    let mut neighbours: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for e in graph
        .edges
        .iter()
        .filter(|e| e.predicate == Predicate::MemberOf)
    {
        let (near, far) = if outgoing {
            (e.subject_id, e.object_id)
        } else {
            (e.object_id, e.subject_id)
        };
        if graph.kind(near) == kind && other.is_none_or(|other| graph.kind(far) == other) {
            neighbours.entry(near).or_default().insert(far);
        }
    }
    ranked(
        neighbours
            .into_iter()
            .map(|(id, n)| (id, n.len()))
            .collect(),
        graph,
    )
}

/// Checks the kept answers against the rows of the database.
async fn assert_counts_follow_the_rows(app: &TestApp, when: &str) {
    let graph = Graph::read(app).await;
    let (counts, data) = kept_answers(app).await;
    assert_eq!(counts, counted_by_kinds(&graph), "grouped counts {when}");
    assert_eq!(
        answered(&data["countries"]),
        distinct_neighbours(
            &graph,
            NodeKind::Country,
            true,
            Some(NodeKind::WorkingGroup)
        ),
        "countries by groups {when}"
    );
    assert_eq!(
        answered(&data["groups"]),
        distinct_neighbours(&graph, NodeKind::WorkingGroup, false, None),
        "groups by members {when}"
    );
}

#[tokio::test]
async fn grouped_counts_and_rankings_follow_every_write_to_the_graph() {
    let app = TestApp::spawn().await;
    assert_counts_follow_the_rows(&app, "as loaded").await;
    let graph = Graph::read(&app).await;
    let db = &app.store.db;
    let membership = graph
        .edges
        .iter()
        .find(|e| {
            e.predicate == Predicate::MemberOf && graph.kind(e.subject_id) == NodeKind::Country
        })
        .expect("a country's membership")
        .clone();
    let groups: Vec<Uuid> = graph
        .nodes
        .values()
        .filter(|n| n.kind == NodeKind::WorkingGroup)
        .map(|n| n.id)
        .collect();
    let elsewhere = *groups
        .iter()
        .find(|g| {
            !graph.edges.iter().any(|e| {
                e.subject_id == membership.subject_id
                    && e.predicate == Predicate::MemberOf
                    && e.object_id == **g
            })
        })
        .expect("a group the country is not in");
    let now = chrono::Utc::now();
    let with = |id: Uuid, object: Uuid, role: &str| edge::Model {
        id,
        object_id: object,
        role: Some(role.to_owned()),
        created_at: now,
        updated_at: now,
        ..membership.clone()
    };

    // A second membership of the same group, in another role: one more relationship, no more
    // groups.
    let second = Uuid::new_v4();
    edge::Entity::insert(edge::ActiveModel::from(with(
        second,
        membership.object_id,
        "a second role",
    )))
    .exec(db)
    .await
    .expect("a second role");
    assert_counts_follow_the_rows(&app, "after a second role").await;

    // The second membership moves to a group the country was not in: one more group.
    edge::Entity::update(edge::ActiveModel::from(with(
        second,
        elsewhere,
        "a second role",
    )))
    .exec(db)
    .await
    .expect("moved");
    assert_counts_follow_the_rows(&app, "after a move").await;

    // The first membership goes.
    edge::Entity::delete_by_id(membership.id)
        .exec(db)
        .await
        .expect("deleted");
    assert_counts_follow_the_rows(&app, "after a deletion").await;

    // A working group goes, and its relationships with it.
    node::Entity::delete_by_id(elsewhere)
        .exec(db)
        .await
        .expect("a group deleted");
    assert_counts_follow_the_rows(&app, "after a node's deletion").await;

    // A node keeps its kind.
    let topic = graph
        .nodes
        .values()
        .find(|n| n.kind == NodeKind::Topic)
        .expect("a topic");
    let mut changed: node::ActiveModel = topic.clone().into();
    changed.kind = sea_orm::Set(NodeKind::Partnership);
    let refused = node::Entity::update(changed).exec(db).await;
    assert!(refused.is_err(), "a node's kind cannot change");
    assert_counts_follow_the_rows(&app, "after a refused change of kind").await;
    app.stop().await;
}
