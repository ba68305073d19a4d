//! Relay plumbing: opaque global IDs and `PageInfo`. Pages and cursors themselves are the read
//! layer's.

use async_graphql::{ID, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use govgraph_entities::NodeKind;
use uuid::Uuid;

use govgraph_read::page::Window;
pub use govgraph_read::page::truncate;

use crate::error::ApiError;

/// What a global ID names: a node of some kind, or a relationship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A node of the given kind.
    Node(NodeKind),
    /// An edge of the graph.
    Relationship,
}

/// A parsed global ID: what it names and its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalId {
    /// What the ID names.
    pub kind: IdKind,
    /// The row key.
    pub uuid: Uuid,
}

const NODE_TYPES: [(NodeKind, &str); 9] = [
    (NodeKind::Partnership, "Partnership"),
    (NodeKind::WorkingGroup, "WorkingGroup"),
    (NodeKind::Event, "Event"),
    (NodeKind::Person, "Person"),
    (NodeKind::Country, "Country"),
    (NodeKind::Organisation, "Organisation"),
    (NodeKind::Deliverable, "Deliverable"),
    (NodeKind::Topic, "Topic"),
    (NodeKind::Source, "Source"),
];

/// The GraphQL type name of nodes of `kind`.
pub fn type_name(kind: NodeKind) -> &'static str {
    NODE_TYPES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Node", |(_, name)| name)
}

impl GlobalId {
    /// The ID of the node of `kind` with key `uuid`.
    pub fn node(kind: NodeKind, uuid: Uuid) -> Self {
        Self {
            kind: IdKind::Node(kind),
            uuid,
        }
    }

    /// The ID of the relationship with key `uuid`.
    pub fn relationship(uuid: Uuid) -> Self {
        Self {
            kind: IdKind::Relationship,
            uuid,
        }
    }

    /// The opaque form clients see: base64url of `Type:uuid`.
    pub fn encode(&self) -> ID {
        let type_name = match self.kind {
            IdKind::Node(kind) => type_name(kind),
            IdKind::Relationship => "Relationship",
        };
        ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{}", self.uuid)))
    }

    /// Parses an ID a client sent; a malformed one is `BAD_USER_INPUT`.
    pub fn decode(id: &str) -> Result<Self, ApiError> {
        let malformed = || {
            ApiError::bad_input(format!(
                "`{}` is not a govgraph ID; use the `id` of an object returned by this API",
                truncate(id)
            ))
        };
        let text = URL_SAFE_NO_PAD
            .decode(id.as_bytes())
            .map_err(|_| malformed())?;
        let text = String::from_utf8(text).map_err(|_| malformed())?;
        let (type_name, uuid) = text.split_once(':').ok_or_else(malformed)?;
        let uuid = Uuid::parse_str(uuid).map_err(|_| malformed())?;
        let kind = if type_name == "Relationship" {
            IdKind::Relationship
        } else {
            let (kind, _) = NODE_TYPES
                .iter()
                .find(|(_, name)| *name == type_name)
                .ok_or_else(malformed)?;
            IdKind::Node(*kind)
        };
        Ok(Self { kind, uuid })
    }
}

/// Where a page sits in its list.
#[derive(Clone, Debug, Default, SimpleObject)]
#[graphql(shareable, tag = "public")]
pub struct PageInfo {
    /// Whether rows follow this page. With `last`, true exactly when `before` was given.
    pub has_next_page: bool,
    /// Whether rows precede this page. With `first`, true exactly when `after` was given.
    pub has_previous_page: bool,
    /// The cursor of the first row of the page.
    pub start_cursor: Option<String>,
    /// The cursor of the last row of the page.
    pub end_cursor: Option<String>,
}

impl From<Window> for PageInfo {
    fn from(window: Window) -> Self {
        Self {
            has_next_page: window.has_next_page,
            has_previous_page: window.has_previous_page,
            start_cursor: window.start_cursor,
            end_cursor: window.end_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_global_id_round_trips_and_hides_its_parts() {
        let id = GlobalId::node(NodeKind::WorkingGroup, Uuid::nil());
        let encoded = id.encode();
        assert!(!encoded.contains("WorkingGroup"));
        assert_eq!(GlobalId::decode(&encoded).ok(), Some(id));
    }

    #[test]
    fn malformed_ids_are_bad_user_input() {
        let unknown_type = URL_SAFE_NO_PAD.encode(format!("Planet:{}", Uuid::nil()));
        for id in ["", "not base64!", "Q291bnRyeQ", unknown_type.as_str()] {
            let error = GlobalId::decode(id).expect_err(id);
            assert_eq!(error.code(), crate::error::Code::BadUserInput, "{id}");
        }
    }
}
