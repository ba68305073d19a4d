//! Relationships: typed edges between two nodes, with role, validity and sources.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use govgraph_entities::edge;

use super::Source;
use super::citation::Citation;
use super::loader::loader;
use super::node::{Node, NodeType};
use super::relay::GlobalId;
use super::vocabulary::{PartialDate, Predicate};
use crate::error::ApiError;
use govgraph_read::ids::{EdgeId, NodeId};
use govgraph_read::loaders::NodeById;

/// A fact joining two nodes: `subject --predicate--> object`, with the role the subject plays, when it held, and the sources that state it.
pub struct Relationship(pub Arc<edge::Model>);

impl Relationship {
    /// The relationship's id.
    pub fn edge_id(&self) -> EdgeId {
        EdgeId(self.0.id)
    }

    async fn end(&self, ctx: &Context<'_>, id: uuid::Uuid) -> Result<Node, ApiError> {
        let record = loader(ctx)?
            .load_one(NodeById(NodeId(id)))
            .await?
            .ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!(
                    "edge {} points at missing node {id}",
                    self.0.id
                ))
            })?;
        Node::from_record(record)
    }
}

/// A fact joining two nodes: `subject --predicate--> object`, with the role the subject plays, when it held, and the sources that state it.
#[Object(tag = "public")]
impl Relationship {
    /// The relationship's global ID, for `relationship(id:)`.
    async fn id(&self) -> ID {
        GlobalId::Relationship(self.edge_id()).encode()
    }

    /// What the subject is to the object.
    async fn predicate(&self) -> Predicate {
        self.0.predicate.into()
    }

    /// The node the relationship runs from.
    async fn subject(&self, ctx: &Context<'_>) -> Result<Node, ApiError> {
        self.end(ctx, self.0.subject_id).await
    }

    /// The node the relationship runs to.
    async fn object(&self, ctx: &Context<'_>) -> Result<Node, ApiError> {
        self.end(ctx, self.0.object_id).await
    }

    /// The role the subject plays, e.g. `co-chair`, or a job title.
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }

    /// The start of the period its sources state the relationship held in (inclusive), as precisely as they state it; null when they give none.
    async fn valid_from(&self) -> Option<PartialDate> {
        self.0.valid_from.clone().map(PartialDate)
    }

    /// The end of the period its sources state the relationship held in (inclusive), as precisely as they state it; null when they give none. `2021` to `2021` means "in 2021".
    async fn valid_to(&self) -> Option<PartialDate> {
        self.0.valid_to.clone().map(PartialDate)
    }

    /// The documents that state the relationship.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<Source>, ApiError> {
        Citation::of_edge(ctx, self.edge_id())
            .await?
            .into_iter()
            .map(Citation::into_source)
            .collect()
    }

    /// The documents that state the relationship, with the words that state it.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>, ApiError> {
        Citation::of_edge(ctx, self.edge_id()).await
    }

    /// When the relationship was first recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the relationship was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
