//! Connections: root lists of one kind, and a node's links to others.

use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject};
use govgraph_entities::NodeKind;

use super::citation::Citation;
use super::node::{Node, NodeType};
use super::relationship::Relationship;
use super::relay::PageInfo;
use super::vocabulary::Direction;
use super::vocabulary::{PartialDate, Predicate};
use super::{
    Country, Deliverable, Event, Organisation, Partnership, Person, Source, Topic, WorkingGroup,
};
use crate::error::ApiError;
use crate::execution::batching::Loaders;
use govgraph_read::ids::{EdgeId, NodeId};
use govgraph_read::listing::Listing;
use govgraph_read::loaders::{LinkCountOf, LinkPageOf};
use govgraph_read::page::Page;
use govgraph_read::store::{self, LinkRow, LinkSpec};

/// The per-request loader; registered by the server and by tests for every request.
pub fn loader<'a>(ctx: &'a Context<'_>) -> Result<&'a Loaders, ApiError> {
    ctx.data::<Loaders>()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("no loader in the request")))
}

/// The database; registered by the server.
pub fn database<'a>(ctx: &'a Context<'_>) -> Result<&'a store::Store, ApiError> {
    ctx.data::<store::Store>()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("no database in the schema")))
}

/// Whether the connection field being resolved selects anything of its page, as opposed to only its `totalCount`: a count alone needs no page.
fn page_selected(ctx: &Context<'_>) -> bool {
    let selection = ctx.look_ahead();
    ["edges", "nodes", "pageInfo"]
        .iter()
        .any(|field| selection.field(field).exists())
}

/// A node in a list, with its cursor.
#[derive(SimpleObject)]
#[graphql(
    concrete(name = "PartnershipEdge", params(Partnership)),
    concrete(name = "WorkingGroupEdge", params(WorkingGroup)),
    concrete(name = "EventEdge", params(Event)),
    concrete(name = "PersonEdge", params(Person)),
    concrete(name = "CountryEdge", params(Country)),
    concrete(name = "OrganisationEdge", params(Organisation)),
    concrete(name = "DeliverableEdge", params(Deliverable)),
    concrete(name = "TopicEdge", params(Topic)),
    concrete(name = "SourceEdge", params(Source)),
    tag = "public"
)]
pub struct Edge<N: async_graphql::OutputType> {
    /// Where this node sits in the list; pass it as `after` or `before`.
    pub cursor: String,
    /// The node.
    pub node: N,
}

/// One page of a filtered, ordered list of nodes of one kind.
pub struct Connection<N: NodeType> {
    edges: Vec<Edge<N>>,
    page_info: PageInfo,
    listing: Listing,
}

/// One page of a filtered, ordered list of nodes of one kind, with its place in the list and, when asked for, the size of the whole list.
#[Object(
    concrete(name = "PartnershipConnection", params(Partnership)),
    concrete(name = "WorkingGroupConnection", params(WorkingGroup)),
    concrete(name = "EventConnection", params(Event)),
    concrete(name = "PersonConnection", params(Person)),
    concrete(name = "CountryConnection", params(Country)),
    concrete(name = "OrganisationConnection", params(Organisation)),
    concrete(name = "DeliverableConnection", params(Deliverable)),
    concrete(name = "TopicConnection", params(Topic)),
    concrete(name = "SourceConnection", params(Source)),
    tag = "public"
)]
impl<N: NodeType> Connection<N>
where
    Edge<N>: async_graphql::OutputType,
{
    /// The nodes of this page, each with its cursor.
    async fn edges(&self) -> &Vec<Edge<N>> {
        &self.edges
    }

    /// The nodes of this page, without cursors.
    async fn nodes(&self) -> Vec<&N> {
        self.edges.iter().map(|e| &e.node).collect()
    }

    /// Where this page sits in the list.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }

    /// How many nodes the whole filtered list holds; counted only when asked for.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64, ApiError> {
        Ok(store::count_nodes(database(ctx)?, &self.listing).await?)
    }
}

impl<N: NodeType> Connection<N> {
    /// Loads one page of `listing`.
    pub async fn load(ctx: &Context<'_>, listing: Listing, page: Page) -> Result<Self, ApiError> {
        page.check_order(listing.order.name())?;
        let rows = if page_selected(ctx) {
            store::list_nodes(database(ctx)?, &listing, &page).await?
        } else {
            Vec::new()
        };
        let (rows, page_info) = page.cut(rows, |row| row.cursor.clone());
        let edges = rows
            .into_iter()
            .map(|(cursor, row)| {
                Ok(Edge {
                    cursor: cursor.encode(),
                    node: N::from_record(Arc::new(row.record))?,
                })
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(Self {
            edges,
            page_info: page_info.into(),
            listing,
        })
    }
}

/// A relationship of a node, seen from that node, with the node at the other end.
pub struct LinkedEdge<N: NodeType> {
    row: LinkRow,
    node: N,
}

/// A relationship of a node, seen from that node: the node at the other end, the predicate, the direction, the role, when it held, and the sources that state it.
#[Object(
    concrete(name = "LinkedNodeEdge", params(Node)),
    concrete(name = "LinkedPartnershipEdge", params(Partnership)),
    concrete(name = "LinkedWorkingGroupEdge", params(WorkingGroup)),
    concrete(name = "LinkedEventEdge", params(Event)),
    concrete(name = "LinkedPersonEdge", params(Person)),
    concrete(name = "LinkedCountryEdge", params(Country)),
    concrete(name = "LinkedOrganisationEdge", params(Organisation)),
    concrete(name = "LinkedDeliverableEdge", params(Deliverable)),
    concrete(name = "LinkedTopicEdge", params(Topic)),
    concrete(name = "LinkedSourceEdge", params(Source)),
    tag = "public"
)]
impl<N: NodeType> LinkedEdge<N> {
    /// Where this link sits in the list; pass it as `after` or `before`.
    async fn cursor(&self) -> String {
        self.row.cursor.encode()
    }

    /// The node at the other end of the relationship.
    async fn node(&self) -> &N {
        &self.node
    }

    /// The relationship itself.
    async fn relationship(&self) -> Relationship {
        Relationship(Arc::new(self.row.edge.clone()))
    }

    /// What the relationship's subject is to its object.
    async fn predicate(&self) -> Predicate {
        self.row.edge.predicate.into()
    }

    /// `OUTGOING` when the node asked about is the subject, `INCOMING` when it is the object.
    async fn direction(&self) -> Direction {
        if self.row.edge.subject_id == self.row.anchor.0 {
            Direction::Outgoing
        } else {
            Direction::Incoming
        }
    }

    /// The role the subject plays, e.g. `co-chair`, or a job title.
    async fn role(&self) -> Option<&str> {
        self.row.edge.role.as_deref()
    }

    /// The start of the period its sources state the relationship held in (inclusive), as precisely as they state it; null when they give none.
    async fn valid_from(&self) -> Option<PartialDate> {
        self.row.edge.valid_from.clone().map(PartialDate)
    }

    /// The end of the period its sources state the relationship held in (inclusive), as precisely as they state it; null when they give none. `2021` to `2021` means "in 2021".
    async fn valid_to(&self) -> Option<PartialDate> {
        self.row.edge.valid_to.clone().map(PartialDate)
    }

    /// The sources that state the relationship, with their words.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>, ApiError> {
        Citation::of_edge(ctx, EdgeId(self.row.edge.id)).await
    }
}

/// A page of a node's relationships of some predicates, each with the node at the other end.
pub struct LinkedConnection<N: NodeType> {
    edges: Vec<LinkedEdge<N>>,
    page_info: PageInfo,
    count: LinkCountOf,
}

/// A page of a node's relationships, each with the node at the other end, ordered by that node's name.
#[Object(
    concrete(name = "LinkedNodeConnection", params(Node)),
    concrete(name = "LinkedPartnershipConnection", params(Partnership)),
    concrete(name = "LinkedWorkingGroupConnection", params(WorkingGroup)),
    concrete(name = "LinkedEventConnection", params(Event)),
    concrete(name = "LinkedPersonConnection", params(Person)),
    concrete(name = "LinkedCountryConnection", params(Country)),
    concrete(name = "LinkedOrganisationConnection", params(Organisation)),
    concrete(name = "LinkedDeliverableConnection", params(Deliverable)),
    concrete(name = "LinkedTopicConnection", params(Topic)),
    concrete(name = "LinkedSourceConnection", params(Source)),
    tag = "public"
)]
impl<N: NodeType> LinkedConnection<N>
where
    LinkedEdge<N>: async_graphql::OutputType,
{
    /// The links of this page, ordered by the name of the node at the other end.
    async fn edges(&self) -> &Vec<LinkedEdge<N>> {
        &self.edges
    }

    /// The nodes at the other end of this page's links.
    async fn nodes(&self) -> Vec<&N> {
        self.edges.iter().map(|e| &e.node).collect()
    }

    /// Where this page sits in the list.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }

    /// How many links the whole list holds; counted only when asked for.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64, ApiError> {
        Ok(loader(ctx)?
            .load_one(self.count.clone())
            .await?
            .unwrap_or_default())
    }
}

impl<N: NodeType> LinkedConnection<N> {
    /// Loads one page of the links of `anchor` with the given predicates and direction, to nodes of `N`'s kinds.
    pub async fn load(
        ctx: &Context<'_>,
        anchor: NodeId,
        predicates: Vec<govgraph_entities::Predicate>,
        direction: store::Direction,
        page: Page,
    ) -> Result<Self, ApiError> {
        page.check_order(store::LINK_ORDER)?;
        let mut predicates = predicates;
        predicates.sort();
        predicates.dedup();
        let kinds: Vec<NodeKind> = N::KINDS.to_vec();
        let spec = Arc::new(LinkSpec {
            predicates,
            direction,
            kinds,
        });
        let rows = if page_selected(ctx) {
            let key = LinkPageOf {
                anchor,
                spec: spec.clone(),
                page: Arc::new(page.clone()),
            };
            loader(ctx)?
                .load_one(key)
                .await?
                .map(|rows| rows.as_ref().clone())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        // The loader fetched up to `limit + 1` rows in fetch order; cut them to the page.
        let (rows, page_info) = page.cut(rows, |row| row.cursor.clone());
        let edges = rows
            .into_iter()
            .map(|(_, row)| {
                let node = N::from_record(row.other.clone())?;
                Ok(LinkedEdge { row, node })
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(Self {
            edges,
            page_info: page_info.into(),
            count: LinkCountOf { anchor, spec },
        })
    }
}
