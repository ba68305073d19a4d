//! Counts for dashboards: relationships and nodes counted in groups, and nodes ranked by how
//! many relationships they have, or by how many nodes they share with another (co-membership).

use async_graphql::{Context, Enum, InputObject, Object};
use govgraph_read::ids::NodeId;
use govgraph_read::loaders::NodeById;
use govgraph_read::relationships::{self as read, EdgeGroup, EdgeGrouping, Ranking};
use govgraph_read::store;
use uuid::Uuid;

use super::country::Region;
use super::filter::{bounded, vocabulary};
use super::linked::PeriodInput;
use super::loader::{database, loader};
use super::node::{Node, NodeType};
use super::node_ref::NodeRef;
use super::timeline::RelationshipFilter;
use super::vocabulary::{Direction, NodeKind, PartialDate, Predicate};
use crate::error::ApiError;

/// The most groups a count returns.
const MAX_GROUPS: i32 = 1000;
/// The most nodes a ranking returns.
const MAX_RANKED: i32 = 100;

/// What relationships are grouped by when counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "govgraph_read::relationships::EdgeGrouping", tag = "public")]
pub enum RelationshipGrouping {
    /// The predicate.
    Predicate,
    /// The subject's kind.
    SubjectKind,
    /// The object's kind.
    ObjectKind,
    /// The subject itself.
    Subject,
    /// The object itself.
    Object,
    /// The UN M49 region of the subject, when it is a country.
    SubjectRegion,
    /// The UN M49 region of the object, when it is a country.
    ObjectRegion,
    /// The year the relationship began, when its sources say.
    Year,
    /// The year the event at the object's end (else at the subject's) began, when either end is an event.
    EventYear,
}

/// What nodes are grouped by when counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "govgraph_read::relationships::NodeGrouping", tag = "public")]
pub enum NodeGrouping {
    /// The node's kind.
    Kind,
    /// A country's UN M49 region.
    Region,
    /// A country's UN M49 sub-region.
    Subregion,
    /// The year an event began.
    EventYear,
}

/// The value of the `index`th grouping of a group, if grouped by it.
fn value_of<G: PartialEq>(groupings: &[G], group: &EdgeGroup, grouping: G) -> Option<String> {
    groupings
        .iter()
        .position(|g| *g == grouping)
        .and_then(|index| group.values.get(index).cloned().flatten())
}

/// A year as text, as a number.
fn year(text: Option<String>) -> Option<i32> {
    text.and_then(|year| year.parse().ok())
}

/// One group of counted relationships. Only the fields of the groupings asked for are set; a field is null too where the relationships of the group have no such value (an undated relationship's year, a region of a node that is not a country).
pub struct RelationshipGroup {
    groupings: Vec<EdgeGrouping>,
    group: EdgeGroup,
}

impl RelationshipGroup {
    fn value(&self, grouping: EdgeGrouping) -> Option<String> {
        value_of(&self.groupings, &self.group, grouping)
    }

    async fn end(
        &self,
        ctx: &Context<'_>,
        grouping: EdgeGrouping,
    ) -> Result<Option<Node>, ApiError> {
        let Some(id) = self.value(grouping).and_then(|id| id.parse::<Uuid>().ok()) else {
            return Ok(None);
        };
        match loader(ctx)?.load_one(NodeById(NodeId(id))).await? {
            Some(record) => Node::from_record(record).map(Some),
            None => Ok(None),
        }
    }
}

/// One group of counted relationships. Only the fields of the groupings asked for are set; a field is null too where the relationships of the group have no such value (an undated relationship's year, a region of a node that is not a country).
#[Object(tag = "public")]
impl RelationshipGroup {
    /// How many relationships the group holds.
    async fn count(&self) -> u64 {
        self.group.count
    }

    /// The group's predicate, when grouped by `PREDICATE`.
    async fn predicate(&self) -> Option<Predicate> {
        let stored = self.value(EdgeGrouping::Predicate)?;
        govgraph_entities::Predicate::from_stored(&stored).map(Predicate::from)
    }

    /// The kind of the group's subjects, when grouped by `SUBJECT_KIND`.
    async fn subject_kind(&self) -> Option<NodeKind> {
        kind(self.value(EdgeGrouping::SubjectKind))
    }

    /// The kind of the group's objects, when grouped by `OBJECT_KIND`.
    async fn object_kind(&self) -> Option<NodeKind> {
        kind(self.value(EdgeGrouping::ObjectKind))
    }

    /// The group's subject, when grouped by `SUBJECT`. The subjects of all groups are loaded by one statement.
    async fn subject(&self, ctx: &Context<'_>) -> Result<Option<Node>, ApiError> {
        self.end(ctx, EdgeGrouping::Subject).await
    }

    /// The group's object, when grouped by `OBJECT`. The objects of all groups are loaded by one statement.
    async fn object(&self, ctx: &Context<'_>) -> Result<Option<Node>, ApiError> {
        self.end(ctx, EdgeGrouping::Object).await
    }

    /// The region of the group's subjects, when grouped by `SUBJECT_REGION`.
    async fn subject_region(&self) -> Option<Region> {
        Region::from_slug(&self.value(EdgeGrouping::SubjectRegion)?)
    }

    /// The region of the group's objects, when grouped by `OBJECT_REGION`.
    async fn object_region(&self) -> Option<Region> {
        Region::from_slug(&self.value(EdgeGrouping::ObjectRegion)?)
    }

    /// The year the group's relationships began, when grouped by `YEAR`.
    async fn year(&self) -> Option<i32> {
        year(self.value(EdgeGrouping::Year))
    }

    /// The year the group's event began, when grouped by `EVENT_YEAR`.
    async fn event_year(&self) -> Option<i32> {
        year(self.value(EdgeGrouping::EventYear))
    }
}

/// A stored kind, as the GraphQL enum.
fn kind(stored: Option<String>) -> Option<NodeKind> {
    govgraph_entities::NodeKind::from_stored(&stored?).map(NodeKind::from)
}

/// One group of counted nodes. Only the fields of the groupings asked for are set; a field is null too where the nodes of the group have no such value.
pub struct NodeGroup {
    groupings: Vec<read::NodeGrouping>,
    group: EdgeGroup,
}

impl NodeGroup {
    fn value(&self, grouping: read::NodeGrouping) -> Option<String> {
        value_of(&self.groupings, &self.group, grouping)
    }
}

/// One group of counted nodes. Only the fields of the groupings asked for are set; a field is null too where the nodes of the group have no such value.
#[Object(tag = "public")]
impl NodeGroup {
    /// How many nodes the group holds.
    async fn count(&self) -> u64 {
        self.group.count
    }

    /// The group's kind, when grouped by `KIND`.
    async fn kind(&self) -> Option<NodeKind> {
        kind(self.value(read::NodeGrouping::Kind))
    }

    /// The group's region, when grouped by `REGION`.
    async fn region(&self) -> Option<Region> {
        Region::from_slug(&self.value(read::NodeGrouping::Region)?)
    }

    /// The group's sub-region as a lower-case slug, e.g. `south-eastern-asia`, when grouped by `SUBREGION`.
    async fn subregion(&self) -> Option<String> {
        self.value(read::NodeGrouping::Subregion)
    }

    /// The year the group's events began, when grouped by `EVENT_YEAR`.
    async fn event_year(&self) -> Option<i32> {
        year(self.value(read::NodeGrouping::EventYear))
    }
}

/// Which relationships a ranking counts, seen from the ranked node.
#[derive(Clone, Debug, Default, InputObject)]
#[graphql(tag = "public")]
pub struct RankBy {
    /// Only relationships with one of these predicates; any when not given.
    pub predicates: Option<Vec<Predicate>>,
    /// Which way the relationships run from the ranked node: `OUTGOING` when it is the subject. Either way when not given.
    pub direction: Option<Direction>,
    /// Only relationships to nodes of these kinds; any when not given.
    pub other_kinds: Option<Vec<NodeKind>>,
    /// Only relationships whose role is one of these, exactly as stored.
    pub roles: Option<Vec<String>>,
    /// Only relationships that held at some time in this period. A relationship with no dates always holds.
    pub valid_during: Option<PeriodInput>,
    /// Count, instead of relationships, the nodes at the other end that the ranked node shares with this node (co-membership: the groups or events both belong to). This node is left out of the ranking.
    pub shared_with: Option<NodeRef>,
}

/// A node with a count of its relationships.
pub struct RankedNode {
    node: Node,
    count: u64,
}

/// A node with a count of its relationships, or of the nodes it shares with another.
#[Object(tag = "public")]
impl RankedNode {
    /// The node.
    async fn node(&self) -> &Node {
        &self.node
    }

    /// Its count: the distinct nodes at the other end of its relationships, or, with `sharedWith`, those it shares with that node.
    async fn count(&self) -> u64 {
        self.count
    }
}

/// `first`, checked against `max`.
fn how_many(first: Option<i32>, default: i32, max: i32) -> Result<usize, ApiError> {
    let first = first.unwrap_or(default);
    if !(1..=max).contains(&first) {
        return Err(ApiError::bad_input(format!(
            "`first` must be between 1 and {max}, not {first}"
        )));
    }
    Ok(usize::try_from(first).unwrap_or_default())
}

/// The root fields of counts and rankings.
#[derive(Default)]
pub struct AggregateQuery;

#[Object]
impl AggregateQuery {
    /// Relationships counted in groups: by predicate, by the kind, region or identity of either end, by year. The largest groups first, ties in the order of their values. One statement, plus one when the groups' `subject` or `object` is selected, plus one per kind of key (ID, slug, code) that names the nodes of the filter.
    async fn relationship_counts(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "What to group by: one group per distinct combination of these values. At least one."
        )]
        group_by: Vec<RelationshipGrouping>,
        #[graphql(desc = "Only relationships meeting these conditions.")] filter: Option<
            RelationshipFilter,
        >,
        #[graphql(
            desc = "Only relationships that held on this date (or at some time in the month or year it names). A relationship with no dates always holds."
        )]
        as_of: Option<PartialDate>,
        #[graphql(desc = "Returns the largest `first` groups (1 to 1000; 100 when not given).")]
        first: Option<i32>,
    ) -> Result<Vec<RelationshipGroup>, ApiError> {
        let groupings = groupings("groupBy", &group_by)?;
        let limit = how_many(first, 100, MAX_GROUPS)?;
        let criteria = filter.unwrap_or_default().criteria(ctx, as_of).await?;
        let groups = store::edge_groups(database(ctx)?, &criteria, &groupings, limit).await?;
        Ok(groups
            .into_iter()
            .map(|group| RelationshipGroup {
                groupings: groupings.clone(),
                group,
            })
            .collect())
    }

    /// Nodes counted in groups: by kind, by a country's region or sub-region, by the year an event began. The largest groups first. One statement.
    async fn node_counts(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "What to group by: one group per distinct combination of these values. At least one."
        )]
        group_by: Vec<NodeGrouping>,
        #[graphql(desc = "Only nodes of these kinds; every kind when not given.")] kinds: Option<
            Vec<NodeKind>,
        >,
        #[graphql(desc = "Returns the largest `first` groups (1 to 1000; 100 when not given).")]
        first: Option<i32>,
    ) -> Result<Vec<NodeGroup>, ApiError> {
        let groupings = groupings("groupBy", &group_by)?;
        let limit = how_many(first, 100, MAX_GROUPS)?;
        let kinds: Vec<govgraph_entities::NodeKind> =
            vocabulary("kinds", kinds.as_deref().unwrap_or_default())?;
        let groups = store::node_groups(database(ctx)?, &kinds, &groupings, limit).await?;
        Ok(groups
            .into_iter()
            .map(|group| NodeGroup {
                groupings: groupings.clone(),
                group,
            })
            .collect())
    }

    /// Nodes of one kind ranked by how many distinct nodes their relationships lead to (countries by the number of working groups they belong to: two memberships of one group, with different roles, count once), or, with `by.sharedWith`, by how many nodes at the other end they share with a given node (which countries share the most groups or events with Singapore). Highest count first, then by name; nodes with a count of zero are left out. One statement, plus one to look up `sharedWith`.
    async fn ranked_nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The kind of the nodes ranked.")] kind: NodeKind,
        #[graphql(desc = "Which relationships count.")] by: Option<RankBy>,
        #[graphql(
            desc = "Only relationships that held on this date (or at some time in the month or year it names). A relationship with no dates always holds."
        )]
        as_of: Option<PartialDate>,
        #[graphql(
            desc = "Returns the first `first` nodes of the ranking (1 to 100; 10 when not given)."
        )]
        first: Option<i32>,
    ) -> Result<Vec<RankedNode>, ApiError> {
        let by = by.unwrap_or_default();
        let limit = how_many(first, 10, MAX_RANKED)?;
        let sharing_with = match &by.shared_with {
            Some(node) => Some(node.find(ctx, "by.sharedWith").await?),
            None => None,
        };
        let ranking = Ranking {
            kind: kind.into(),
            direction: by.direction.unwrap_or(Direction::Both).into(),
            criteria: govgraph_read::relationships::EdgeCriteria {
                predicates: vocabulary(
                    "by.predicates",
                    by.predicates.as_deref().unwrap_or_default(),
                )?,
                roles: bounded("by.roles", by.roles.as_deref().unwrap_or_default())?.to_vec(),
                during: PeriodInput::periods(by.valid_during, as_of)?,
                ..Default::default()
            },
            other_kinds: vocabulary(
                "by.otherKinds",
                by.other_kinds.as_deref().unwrap_or_default(),
            )?,
            sharing_with,
            limit: u64::try_from(limit).unwrap_or_default(),
        };
        store::rank_nodes(database(ctx)?, &ranking)
            .await?
            .into_iter()
            .map(|ranked| {
                Ok(RankedNode {
                    node: Node::from_record(std::sync::Arc::new(ranked.record))?,
                    count: ranked.count,
                })
            })
            .collect()
    }
}

/// The groupings asked for: at least one, each once.
fn groupings<G: Copy + PartialEq, R: From<G>>(name: &str, asked: &[G]) -> Result<Vec<R>, ApiError> {
    if asked.is_empty() {
        return Err(ApiError::bad_input(format!(
            "`{name}` needs at least one grouping"
        )));
    }
    let asked = bounded(name, asked)?;
    if asked
        .iter()
        .enumerate()
        .any(|(i, g)| asked[..i].contains(g))
    {
        return Err(ApiError::bad_input(format!(
            "`{name}` names a grouping twice"
        )));
    }
    Ok(asked.iter().map(|g| R::from(*g)).collect())
}
