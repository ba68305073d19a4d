//! Which sources state which facts.

use std::collections::HashMap;

use govgraph_entities::{NodeKind, citation, external_id, node};
use sea_orm::sea_query::{ExprTrait, JoinType, Order, Query};
use sea_orm::{DbErr, FromQueryResult};
use uuid::Uuid;

use crate::ids::{EdgeId, NodeId};

use super::{NodeRecord, Store, alias, col, decode_node, select_nodes};

/// A citation with the source node it cites.
#[derive(Clone, Debug)]
pub struct CitationRecord {
    /// The citation row.
    pub citation: citation::Model,
    /// The source.
    pub source: NodeRecord,
}

/// The citations of the given nodes, with their sources, by node. Every node gets an entry.
pub async fn citations_of_nodes(
    db: &Store,
    nodes: &[NodeId],
) -> Result<HashMap<NodeId, Vec<CitationRecord>>, DbErr> {
    let facts: Vec<Uuid> = nodes.iter().map(|node| node.0).collect();
    let found = citations_of(db, &facts, false).await?;
    Ok(found
        .into_iter()
        .map(|(fact, c)| (NodeId(fact), c))
        .collect())
}

/// The citations of the given edges, with their sources, by edge. Every edge gets an entry.
pub async fn citations_of_edges(
    db: &Store,
    edges: &[EdgeId],
) -> Result<HashMap<EdgeId, Vec<CitationRecord>>, DbErr> {
    let facts: Vec<Uuid> = edges.iter().map(|edge| edge.0).collect();
    let found = citations_of(db, &facts, true).await?;
    Ok(found
        .into_iter()
        .map(|(fact, c)| (EdgeId(fact), c))
        .collect())
}

/// The citations of the given nodes (`of_edges` false) or edges (true), with their sources,
/// keyed by the fact they state. Every fact gets an entry.
async fn citations_of(
    db: &Store,
    facts: &[Uuid],
    of_edges: bool,
) -> Result<HashMap<Uuid, Vec<CitationRecord>>, DbErr> {
    const SOURCE: &str = "src";
    let fact_column = if of_edges { "edge_id" } else { "node_id" };
    let mut query = Query::select();
    query.from(citation::Entity);
    super::select_columns::<citation::Entity>(&mut query, "citation", "c_");
    query.join_as(
        JoinType::InnerJoin,
        node::Entity,
        alias(SOURCE),
        col(SOURCE, "id").equals((alias("citation"), alias("source_id"))),
    );
    select_nodes(&mut query, SOURCE, &[NodeKind::Source], db.backend());
    query
        .and_where(col("citation", fact_column).is_in(facts.iter().copied()))
        .order_by((alias(SOURCE), alias("name")), Order::Asc)
        .order_by((alias("citation"), alias("id")), Order::Asc);
    let mut citations: HashMap<Uuid, Vec<CitationRecord>> =
        facts.iter().map(|f| (*f, Vec::new())).collect();
    for row in db.select("SELECT citation", &query).await? {
        let citation = citation::Model::from_query_result(&row, "c_")?;
        let source = decode_node(&row)?;
        let fact = if of_edges {
            citation.edge_id
        } else {
            citation.node_id
        };
        if let Some(fact) = fact {
            citations
                .entry(fact)
                .or_default()
                .push(CitationRecord { citation, source });
        }
    }
    Ok(citations)
}

/// The external identifiers of the given nodes, keyed by node. Every node gets an entry.
pub async fn external_ids_of(
    db: &Store,
    nodes: &[NodeId],
) -> Result<HashMap<NodeId, Vec<external_id::Model>>, DbErr> {
    let mut query = Query::select();
    query.from(external_id::Entity);
    super::select_columns::<external_id::Entity>(&mut query, "external_id", "x_");
    query
        .and_where(col("external_id", "node_id").is_in(nodes.iter().map(|node| node.0)))
        .order_by((alias("external_id"), alias("scheme")), Order::Asc)
        .order_by((alias("external_id"), alias("value")), Order::Asc);
    let mut ids: HashMap<NodeId, Vec<external_id::Model>> =
        nodes.iter().map(|n| (*n, Vec::new())).collect();
    for row in db.select("SELECT external_id", &query).await? {
        let id = external_id::Model::from_query_result(&row, "x_")?;
        ids.entry(NodeId(id.node_id)).or_default().push(id);
    }
    Ok(ids)
}
