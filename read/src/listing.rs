//! What a list of nodes asks for: which nodes (criteria that must all hold) and in what order.
//! The API builds these from its inputs; [`crate::store`] turns them into SQL.

use crate::ids::NodeId;
use crate::store::Direction;
use govgraph_entities::{DeliverableKind, NodeKind, OrganisationKind, Predicate, SourceKind};

/// A condition a listed node must meet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Criterion {
    /// Its name contains this text, ignoring case and accents.
    NameContains(String),
    /// Its slug is one of these (lower case).
    SlugIn(Vec<String>),
    /// It has a relationship to node `node`, of one of `predicates` (any when empty), running
    /// `direction` from the listed node.
    LinkedTo {
        /// The node at the other end.
        node: NodeId,
        /// The predicates allowed; any when empty.
        predicates: Vec<Predicate>,
        /// Which way the relationship runs from the listed node.
        direction: Direction,
    },
    /// A country whose alpha-2 or alpha-3 code is one of these (upper case).
    CountryCodeIn(Vec<String>),
    /// A country in one of these UN M49 regions (lower-case slugs, e.g. `asia`).
    RegionIn(Vec<String>),
    /// An event starting in this year.
    StartsInYear(i32),
    /// An organisation of one of these kinds.
    OrganisationKindIn(Vec<OrganisationKind>),
    /// A deliverable of one of these kinds.
    DeliverableKindIn(Vec<DeliverableKind>),
    /// A source of one of these kinds.
    SourceKindIn(Vec<SourceKind>),
}

/// What a list is ordered by; the node's id breaks ties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// The node's name.
    Name,
    /// The node's slug.
    Slug,
    /// A country's alpha-2 code.
    CountryCode,
    /// An event's start date; events with none sort first.
    EventStart,
}

/// The order of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Order {
    /// What the list is ordered by.
    pub key: SortKey,
    /// Whether from the highest down.
    pub descending: bool,
}

impl Order {
    /// By name, A to Z: the order of every list unless asked otherwise.
    pub const BY_NAME: Order = Order {
        key: SortKey::Name,
        descending: false,
    };

    /// The order's name, carried in cursors so that a cursor of one order is refused by a
    /// list in another: `NameAsc`, `CodeDesc`.
    pub fn name(&self) -> &'static str {
        match (self.key, self.descending) {
            (SortKey::Name, false) => "NameAsc",
            (SortKey::Name, true) => "NameDesc",
            (SortKey::Slug, false) => "SlugAsc",
            (SortKey::Slug, true) => "SlugDesc",
            (SortKey::CountryCode, false) => "CodeAsc",
            (SortKey::CountryCode, true) => "CodeDesc",
            (SortKey::EventStart, false) => "StartAsc",
            (SortKey::EventStart, true) => "StartDesc",
        }
    }
}

/// A filtered, ordered list of nodes of one kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    /// The kind listed.
    pub kind: NodeKind,
    /// The conditions every listed node meets.
    pub criteria: Vec<Criterion>,
    /// The order of the list.
    pub order: Order,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_has_a_name_of_its_own() {
        let keys = [
            SortKey::Name,
            SortKey::Slug,
            SortKey::CountryCode,
            SortKey::EventStart,
        ];
        let mut names: Vec<&str> = keys
            .iter()
            .flat_map(|key| {
                [false, true].map(|descending| {
                    Order {
                        key: *key,
                        descending,
                    }
                    .name()
                })
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 8);
        assert_eq!(Order::BY_NAME.name(), "NameAsc");
    }
}
