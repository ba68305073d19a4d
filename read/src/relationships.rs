//! What a question about relationships asks for: which relationships (criteria that must all
//! hold), in what order, grouped how, and which nodes to rank by them. The API builds these
//! from its inputs; [`crate::store`] turns them into SQL.

use govgraph_entities::{NodeKind, Predicate};

use crate::ids::NodeId;
use crate::store::Direction;
use crate::validity::Period;

/// Which relationships of the whole graph a question is about. Empty lists mean any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct EdgeCriteria {
    /// Predicates one of which the relationship has.
    pub predicates: Vec<Predicate>,
    /// Nodes one of which is the subject.
    pub subjects: Vec<NodeId>,
    /// Nodes one of which is the object.
    pub objects: Vec<NodeId>,
    /// Nodes one of which is at either end.
    pub involving: Vec<NodeId>,
    /// Kinds one of which the subject has.
    pub subject_kinds: Vec<NodeKind>,
    /// Kinds one of which the object has.
    pub object_kinds: Vec<NodeKind>,
    /// Roles one of which the relationship has.
    pub roles: Vec<String>,
    /// Periods every one of which the relationship overlaps.
    pub during: Vec<Period>,
    /// Whether the relationship's sources give when it began: only those that do (`true`) or
    /// only those that do not (`false`); either when absent.
    pub dated: Option<bool>,
}

/// What a list of relationships is ordered by; the relationship's id breaks ties.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EdgeSortKey {
    /// When the relationship began; those with no start sort first.
    #[default]
    ValidFrom,
    /// When the relationship ended; those with no end (ongoing) sort last.
    ValidTo,
}

/// The order of a list of relationships.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EdgeOrder {
    /// What the list is ordered by.
    pub key: EdgeSortKey,
    /// Whether from the latest down.
    pub descending: bool,
}

impl EdgeOrder {
    /// The order's name, carried in cursors: `ValidFromAsc`.
    pub fn name(&self) -> &'static str {
        match (self.key, self.descending) {
            (EdgeSortKey::ValidFrom, false) => "ValidFromAsc",
            (EdgeSortKey::ValidFrom, true) => "ValidFromDesc",
            (EdgeSortKey::ValidTo, false) => "ValidToAsc",
            (EdgeSortKey::ValidTo, true) => "ValidToDesc",
        }
    }
}

/// A filtered, ordered list of relationships.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EdgeListing {
    /// Which relationships.
    pub criteria: EdgeCriteria,
    /// In what order.
    pub order: EdgeOrder,
}

/// What relationships can be grouped by when they are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EdgeGrouping {
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
    /// The year the event at the object's end (else the subject's) began, when there is one.
    EventYear,
}

/// One group of counted relationships: the value of each grouping asked for, in the order
/// asked, and how many relationships have them. A value is `None` where a relationship has none
/// (an undated relationship's year, a non-country's region).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeGroup {
    /// The values of the groupings.
    pub values: Vec<Option<String>>,
    /// How many relationships the group holds.
    pub count: u64,
}

/// What nodes can be grouped by when they are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

/// Nodes ranked by how many relationships of a kind they have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranking {
    /// The kind of the nodes ranked.
    pub kind: NodeKind,
    /// Which relationships count, seen from the ranked node: `direction` says which end it is;
    /// `criteria` narrow the relationships (the ranked node's end is left to the ranking).
    pub direction: Direction,
    /// The relationships that count.
    pub criteria: EdgeCriteria,
    /// Kinds one of which the node at the other end has; any when empty.
    pub other_kinds: Vec<NodeKind>,
    /// Only nodes sharing a node at the other end with this one, each counted once per node
    /// shared: co-membership. The node itself is left out.
    pub sharing_with: Option<NodeId>,
    /// How many nodes to return, the highest counts first.
    pub limit: u64,
}
