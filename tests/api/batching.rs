//! The N+1 rule: a nested query costs a number of statements bounded by its depth.

use chrono::Utc;
use govgraph_entities::{
    DeliverableKind, NodeKind, Predicate, deliverable, edge, node, working_group,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::TestApp;

fn node_row(kind: NodeKind, slug: &str) -> node::ActiveModel {
    let now = Utc::now();
    node::Model {
        id: Uuid::new_v4(),
        kind,
        slug: slug.to_owned(),
        name: slug.to_owned(),
        name_folded: slug.to_owned(),
        summary: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
    .into()
}

fn edge_row(subject: Uuid, predicate: Predicate, object: Uuid) -> edge::ActiveModel {
    let now = Utc::now();
    edge::Model {
        id: Uuid::new_v4(),
        subject_id: subject,
        predicate,
        object_id: object,
        role: None,
        valid_from: None,
        valid_to: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
    .into()
}

/// Makes every country a member of two more working groups, each with three deliverables, so
/// that every country on any page has links two levels deep.
async fn every_country_joins_two_groups(app: &TestApp) {
    let db = &app.store.db;
    let countries: Vec<Uuid> = node::Entity::find()
        .filter(node::Column::Kind.eq(NodeKind::Country))
        .all(db)
        .await
        .expect("countries")
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut edges = Vec::new();
    for group in ["batch-group-a", "batch-group-b"] {
        let group_row = node_row(NodeKind::WorkingGroup, group);
        let group_id = group_row.id.clone().unwrap();
        node::Entity::insert(group_row)
            .exec(db)
            .await
            .expect("group inserted");
        working_group::Entity::insert(working_group::ActiveModel::from(working_group::Model {
            node_id: group_id,
            kind: NodeKind::WorkingGroup,
            short_name: None,
        }))
        .exec(db)
        .await
        .expect("group detail inserted");
        for n in 0..3 {
            let row = node_row(NodeKind::Deliverable, &format!("{group}-report-{n}"));
            let id = row.id.clone().unwrap();
            node::Entity::insert(row)
                .exec(db)
                .await
                .expect("deliverable inserted");
            deliverable::Entity::insert(deliverable::ActiveModel::from(deliverable::Model {
                node_id: id,
                kind: NodeKind::Deliverable,
                deliverable_kind: DeliverableKind::Report,
                published: None,
                url: None,
            }))
            .exec(db)
            .await
            .expect("deliverable detail inserted");
            edges.push(edge_row(group_id, Predicate::Produced, id));
        }
        edges.extend(
            countries
                .iter()
                .map(|c| edge_row(*c, Predicate::MemberOf, group_id)),
        );
    }
    for chunk in edges.chunks(200) {
        edge::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("edges inserted");
    }
}

const NESTED: &str = r#"
query Nested($first: Int!) {
  countries(first: $first) {
    edges {
      node {
        code
        memberships(first: 5) {
          edges {
            role
            node {
              name
              ... on WorkingGroup { deliverables(first: 5) { edges { node { name deliverableKind } } } }
            }
          }
        }
      }
    }
  }
}"#;

async fn statements_for_page(app: &TestApp, first: usize) -> (Vec<String>, usize) {
    let before = app.statements();
    let data = app.data(NESTED, json!({ "first": first })).await;
    let statements = app.store.statements_since(before);
    let countries = data["countries"]["edges"].as_array().expect("edges");
    let deliverables: usize = countries
        .iter()
        .flat_map(|c| {
            c["node"]["memberships"]["edges"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .map(|m| {
            m["node"]["deliverables"]["edges"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .sum();
    assert_eq!(countries.len(), first);
    (statements, deliverables)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_level_query_costs_the_same_statements_for_five_countries_as_for_a_hundred() {
    let app = TestApp::spawn().await;
    every_country_joins_two_groups(&app).await;

    let (small, small_deliverables) = statements_for_page(&app, 5).await;
    let (large, large_deliverables) = statements_for_page(&app, 100).await;

    // Every country is in both new groups, each with three deliverables.
    assert!(small_deliverables >= 5 * 2 * 3, "{small_deliverables}");
    assert!(large_deliverables >= 100 * 2 * 3, "{large_deliverables}");
    // One statement per level: the countries, their memberships, the groups' deliverables.
    assert_eq!(small.len(), 3, "{small:#?}");
    assert_eq!(large.len(), small.len(), "{large:#?}");
    app.stop().await;
}

#[tokio::test]
async fn total_counts_and_sources_add_one_statement_each_whatever_the_page_size() {
    let app = TestApp::spawn().await;
    let query = r#"
      query Counted($first: Int!) {
        countries(first: $first) {
          totalCount
          nodes { sources { name } memberships { totalCount } }
        }
      }"#;
    let mut costs = Vec::new();
    for first in [5, 100] {
        let before = app.statements();
        let data = app.data(query, json!({ "first": first })).await;
        costs.push(app.store.statements_since(before));
        assert_eq!(data["countries"]["totalCount"], 249);
    }
    // The page, its count, the sources of its countries, the counts of their memberships.
    assert_eq!(costs[0].len(), 4, "{:#?}", costs[0]);
    assert_eq!(costs[1].len(), costs[0].len(), "{:#?}", costs[1]);
    app.stop().await;
}
