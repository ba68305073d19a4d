//! Provenance: which source states a fact, in which words; and identifiers in other systems.

use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject};

use super::Source;
use super::loader::loader;
use super::node::NodeType;
use crate::error::ApiError;
use govgraph_read::ids::{EdgeId, NodeId};
use govgraph_read::loaders::{CitationsOf, ExternalIdsOf};
use govgraph_read::store::CitationRecord;

/// A source stating a fact (a node or a relationship), with the words that state it.
pub struct Citation(CitationRecord);

/// A source stating a fact (a node or a relationship), with the words that state it.
#[Object(tag = "public")]
impl Citation {
    /// The document that states the fact.
    async fn source(&self) -> Result<Source, ApiError> {
        Source::from_record(Arc::new(self.0.source.clone()))
    }

    /// The words of the source that state the fact, when recorded.
    async fn excerpt(&self) -> Option<&str> {
        self.0.citation.excerpt.as_deref()
    }
}

impl Citation {
    /// The citations of the node with id `node`.
    pub async fn of_node(ctx: &Context<'_>, node: NodeId) -> Result<Vec<Self>, ApiError> {
        Self::load(ctx, CitationsOf::Node(node)).await
    }

    /// The citations of the edge with id `edge`.
    pub async fn of_edge(ctx: &Context<'_>, edge: EdgeId) -> Result<Vec<Self>, ApiError> {
        Self::load(ctx, CitationsOf::Edge(edge)).await
    }

    async fn load(ctx: &Context<'_>, key: CitationsOf) -> Result<Vec<Self>, ApiError> {
        let found = loader(ctx)?.load_one(key).await?;
        Ok(found
            .map(|c| c.iter().cloned().map(Self).collect())
            .unwrap_or_default())
    }

    /// The cited source.
    pub fn into_source(self) -> Result<Source, ApiError> {
        Source::from_record(Arc::new(self.0.source))
    }
}

/// A node's identifier in another system.
#[derive(SimpleObject)]
#[graphql(tag = "public")]
pub struct ExternalId {
    /// The identifier scheme, lower case, e.g. `wikidata`.
    pub scheme: String,
    /// The identifier within the scheme, e.g. `Q334`.
    pub value: String,
}

impl ExternalId {
    /// The external identifiers of the node with id `node`.
    pub async fn of_node(ctx: &Context<'_>, node: NodeId) -> Result<Vec<Self>, ApiError> {
        let found = loader(ctx)?.load_one(ExternalIdsOf(node)).await?;
        Ok(found
            .map(|ids| {
                ids.iter()
                    .map(|id| Self {
                        scheme: id.scheme.clone(),
                        value: id.value.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }
}
