//! The root `relationships` connection: every relationship of the graph, filtered and ordered
//! by date, as a timeline draws them.

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use govgraph_read::page::Page;
use govgraph_read::relationships::{EdgeCriteria, EdgeListing, EdgeOrder, EdgeSortKey};
use govgraph_read::store;

use super::connection::page_selected;
use super::filter::{bounded, vocabulary};
use super::linked::PeriodInput;
use super::loader::database;
use super::node_ref::{NodeRef, find_all};
use super::relationship::Relationship;
use super::relay::PageInfo;
use super::vocabulary::{NodeKind, PartialDate, Predicate};
use crate::error::ApiError;

/// Which relationships to list or count. All given conditions must hold.
#[derive(Clone, Debug, Default, InputObject)]
#[graphql(tag = "public")]
pub struct RelationshipFilter {
    /// Only relationships with one of these predicates.
    pub predicates: Option<Vec<Predicate>>,
    /// Only relationships running from this node.
    pub subject: Option<NodeRef>,
    /// Only relationships running to this node.
    pub object: Option<NodeRef>,
    /// Only relationships with this node at either end.
    pub involving: Option<NodeRef>,
    /// Only relationships whose subject is of one of these kinds.
    pub subject_kinds: Option<Vec<NodeKind>>,
    /// Only relationships whose object is of one of these kinds.
    pub object_kinds: Option<Vec<NodeKind>>,
    /// Only relationships whose role is one of these, exactly as stored, e.g. `co-chair`.
    pub roles: Option<Vec<String>>,
    /// Only relationships that held at some time in this period. A relationship with no dates always holds.
    pub valid_during: Option<PeriodInput>,
    /// Only relationships whose sources say when they began (`true`), or only those whose sources do not (`false`). A timeline asks for `true`.
    pub dated: Option<bool>,
}

impl RelationshipFilter {
    /// The read layer's criteria for this filter and `asOf`, with the nodes it names looked up
    /// (one batched lookup per kind of key).
    pub async fn criteria(
        self,
        ctx: &Context<'_>,
        as_of: Option<PartialDate>,
    ) -> Result<EdgeCriteria, ApiError> {
        let named: Vec<(&str, &NodeRef)> = [
            ("filter.subject", &self.subject),
            ("filter.object", &self.object),
            ("filter.involving", &self.involving),
        ]
        .into_iter()
        .filter_map(|(argument, node)| node.as_ref().map(|node| (argument, node)))
        .collect();
        let mut found = find_all(ctx, &named).await?.into_iter();
        let mut next = |given: bool| match given {
            true => found.next().into_iter().collect(),
            false => Vec::new(),
        };
        let subjects = next(self.subject.is_some());
        let objects = next(self.object.is_some());
        let involving = next(self.involving.is_some());
        let list = |name: &str, values: &Option<Vec<NodeKind>>| {
            vocabulary(name, values.as_deref().unwrap_or_default())
        };
        Ok(EdgeCriteria {
            predicates: vocabulary(
                "filter.predicates",
                self.predicates.as_deref().unwrap_or_default(),
            )?,
            subjects,
            objects,
            involving,
            subject_kinds: list("filter.subjectKinds", &self.subject_kinds)?,
            object_kinds: list("filter.objectKinds", &self.object_kinds)?,
            roles: bounded("filter.roles", self.roles.as_deref().unwrap_or_default())?.to_vec(),
            during: PeriodInput::periods(self.valid_during, as_of)?,
            dated: self.dated,
        })
    }
}

/// The order of the root list of relationships; ties are broken by the relationship's ID.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum)]
#[graphql(tag = "public")]
pub enum RelationshipOrder {
    /// By when the relationship began, earliest first: a timeline. Relationships with no start come first.
    #[default]
    ValidFromAsc,
    /// By when the relationship began, latest first. Relationships with no start come last.
    ValidFromDesc,
    /// By when the relationship ended, earliest first. Relationships with no end (ongoing) come last.
    ValidToAsc,
    /// By when the relationship ended, latest first. Relationships with no end (ongoing) come first.
    ValidToDesc,
}

impl From<RelationshipOrder> for EdgeOrder {
    fn from(order: RelationshipOrder) -> Self {
        let (key, descending) = match order {
            RelationshipOrder::ValidFromAsc => (EdgeSortKey::ValidFrom, false),
            RelationshipOrder::ValidFromDesc => (EdgeSortKey::ValidFrom, true),
            RelationshipOrder::ValidToAsc => (EdgeSortKey::ValidTo, false),
            RelationshipOrder::ValidToDesc => (EdgeSortKey::ValidTo, true),
        };
        EdgeOrder { key, descending }
    }
}

/// A relationship in a list, with its cursor.
#[derive(SimpleObject)]
#[graphql(tag = "public")]
pub struct RelationshipEdge {
    /// Where this relationship sits in the list; pass it as `after` or `before`.
    cursor: String,
    /// The relationship.
    node: Relationship,
}

/// One page of a filtered, ordered list of relationships, with its place in the list and, when asked for, the size of the whole list.
pub struct RelationshipConnection {
    edges: Vec<RelationshipEdge>,
    page_info: PageInfo,
    criteria: EdgeCriteria,
}

/// One page of a filtered, ordered list of relationships, with its place in the list and, when asked for, the size of the whole list.
#[Object(tag = "public")]
impl RelationshipConnection {
    /// The edges of this page, in the list's order, each with its cursor.
    async fn edges(&self) -> &Vec<RelationshipEdge> {
        &self.edges
    }

    /// The relationships of this page's edges, without cursors.
    async fn nodes(&self) -> Vec<&Relationship> {
        self.edges.iter().map(|edge| &edge.node).collect()
    }

    /// Where this page sits in the list.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }

    /// How many relationships the whole list holds; counted only when asked for, by one statement.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64, ApiError> {
        Ok(store::count_edges(database(ctx)?, &self.criteria).await?)
    }
}

/// The root list of relationships.
#[derive(Default)]
pub struct TimelineQuery;

#[Object]
impl TimelineQuery {
    /// Every relationship of the graph, filtered, and ordered by date (earliest first unless asked otherwise): the timeline a dashboard draws. One statement for the page, one more for `totalCount`, and one per kind of key (ID, slug, code) that names the nodes of the filter.
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only relationships meeting these conditions; `totalCount` counts only these."
        )]
        filter: Option<RelationshipFilter>,
        #[graphql(desc = "The order of the list; `VALID_FROM_ASC` when not given.")]
        order_by: Option<RelationshipOrder>,
        #[graphql(
            desc = "Only relationships that held on this date (or at some time in the month or year it names). A relationship with no dates always holds."
        )]
        as_of: Option<PartialDate>,
        #[graphql(
            desc = "Returns the first `first` relationships (1 to 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Returns relationships after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last `last` relationships (1 to 100).")] last: Option<i32>,
        #[graphql(desc = "Returns relationships before this cursor.")] before: Option<String>,
    ) -> Result<RelationshipConnection, ApiError> {
        let page = Page::new(first, after, last, before)?;
        let listing = EdgeListing {
            criteria: filter.unwrap_or_default().criteria(ctx, as_of).await?,
            order: order_by.unwrap_or_default().into(),
        };
        page.check_order(listing.order.name())?;
        let rows = if page_selected(ctx) {
            store::list_edges(database(ctx)?, &listing, &page).await?
        } else {
            Vec::new()
        };
        let (rows, page_info) = page.cut(rows, |row| row.cursor.clone());
        let edges = rows
            .into_iter()
            .map(|(cursor, row)| RelationshipEdge {
                cursor: cursor.encode(),
                node: Relationship(Arc::new(row.edge)),
            })
            .collect();
        Ok(RelationshipConnection {
            edges,
            page_info: page_info.into(),
            criteria: listing.criteria,
        })
    }
}
