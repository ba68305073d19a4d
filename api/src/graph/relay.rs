//! Relay plumbing: opaque global IDs and `PageInfo`. Pages and cursors themselves are the read
//! layer's.

use std::borrow::Cow;

use async_graphql::registry::Registry;
use async_graphql::{ID, InputType, InputValueResult, SimpleObject, Value};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use govgraph_entities::NodeKind;
use govgraph_read::ids::{EdgeId, NodeId};
use govgraph_read::page::Window;
use uuid::Uuid;

pub use govgraph_read::page::truncate;

use crate::error::{ApiError, bad_input_value};

/// A parsed global ID: a node of some kind, or a relationship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GlobalId {
    /// A node of the given kind.
    Node(NodeKind, NodeId),
    /// A relationship.
    Relationship(EdgeId),
}

/// Declares the GraphQL type name of each kind of the table of kinds: the kind's own name.
macro_rules! type_names {
    ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
        /// The GraphQL type name of nodes of `kind`.
        pub fn type_name(kind: NodeKind) -> &'static str {
            match kind {
                $(NodeKind::$kind => stringify!($kind),)*
            }
        }

        /// The kind whose nodes have the GraphQL type `name`.
        fn kind_named(name: &str) -> Option<NodeKind> {
            match name {
                $(stringify!($kind) => Some(NodeKind::$kind),)*
                _ => None,
            }
        }
    };
}

govgraph_entities::for_each_kind!(type_names);

impl GlobalId {
    /// The opaque form clients see: base64url of `Type:uuid`.
    pub fn encode(&self) -> ID {
        let (type_name, uuid) = match self {
            GlobalId::Node(kind, id) => (type_name(*kind), id.0),
            GlobalId::Relationship(id) => ("Relationship", id.0),
        };
        ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{uuid}")))
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
        if type_name == "Relationship" {
            return Ok(GlobalId::Relationship(EdgeId(uuid)));
        }
        let kind = kind_named(type_name).ok_or_else(malformed)?;
        Ok(GlobalId::Node(kind, NodeId(uuid)))
    }
}

/// A global ID of one sort as an argument: its GraphQL type is `ID`, and it is parsed and
/// checked to be of its sort when the argument is read, so that a resolver receives it typed.
trait IdArgument: Sized {
    /// The argument, if `id` is of its sort; else why not, for the client.
    fn from_global(id: GlobalId) -> Result<Self, ApiError>;

    /// The global ID the argument stands for.
    fn global(&self) -> GlobalId;

    /// Parses an argument value; any failure is `BAD_USER_INPUT`, with the message the client sees.
    fn parse_value(value: Option<Value>) -> InputValueResult<Self>
    where
        Self: InputType,
    {
        let id = <ID as InputType>::parse(value)
            .map_err(|_| bad_input_value("expected an ID: a string, as returned in an `id`"))?;
        let message = |error: ApiError| match error {
            ApiError::BadUserInput(message) => message,
            _ => "not a govgraph ID".to_owned(),
        };
        GlobalId::decode(&id)
            .and_then(Self::from_global)
            .map_err(|error| bad_input_value(message(error)))
    }
}

/// Implements `InputType` for [`IdArgument`]s, as the GraphQL type `ID`.
macro_rules! id_input_types {
    ($($ty:ty),*) => {$(
        impl InputType for $ty {
            type RawValueType = Self;

            fn type_name() -> Cow<'static, str> {
                <ID as InputType>::type_name()
            }

            fn create_type_info(registry: &mut Registry) -> String {
                <ID as InputType>::create_type_info(registry)
            }

            fn parse(value: Option<Value>) -> InputValueResult<Self> {
                Self::parse_value(value)
            }

            fn to_value(&self) -> Value {
                Value::String(self.global().encode().0)
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }
        }
    )*};
}

id_input_types!(NodeGlobalId, RelationshipGlobalId);

/// A node's global ID as an argument: parsed, and checked to name a node, when the argument is
/// read, so that a resolver receives the node's kind and id. Its GraphQL type is `ID`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeGlobalId {
    /// The node's kind, as the ID says.
    pub kind: NodeKind,
    /// The node's id.
    pub id: NodeId,
}

impl IdArgument for NodeGlobalId {
    fn from_global(id: GlobalId) -> Result<Self, ApiError> {
        match id {
            GlobalId::Node(kind, id) => Ok(Self { kind, id }),
            GlobalId::Relationship(_) => Err(ApiError::bad_input(
                "this ID names a relationship; use `relationship(id:)` for it",
            )),
        }
    }

    fn global(&self) -> GlobalId {
        GlobalId::Node(self.kind, self.id)
    }
}

/// A relationship's global ID as an argument: parsed, and checked to name a relationship, when
/// the argument is read. Its GraphQL type is `ID`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RelationshipGlobalId(pub EdgeId);

impl IdArgument for RelationshipGlobalId {
    fn from_global(id: GlobalId) -> Result<Self, ApiError> {
        match id {
            GlobalId::Relationship(id) => Ok(Self(id)),
            GlobalId::Node(..) => Err(ApiError::bad_input(
                "this ID names a node; use `node(id:)` for it",
            )),
        }
    }

    fn global(&self) -> GlobalId {
        GlobalId::Relationship(self.0)
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
        let id = GlobalId::Node(NodeKind::WorkingGroup, NodeId(Uuid::nil()));
        let encoded = id.encode();
        assert!(!encoded.contains("WorkingGroup"));
        assert_eq!(GlobalId::decode(&encoded).ok(), Some(id));
    }

    #[test]
    fn an_id_argument_names_what_its_type_says() {
        let node = GlobalId::Node(NodeKind::Country, NodeId(Uuid::nil())).encode();
        let edge = GlobalId::Relationship(EdgeId(Uuid::nil())).encode();
        let parsed = NodeGlobalId::parse(Some(Value::String(node.0.clone())));
        assert_eq!(
            parsed.ok(),
            Some(NodeGlobalId {
                kind: NodeKind::Country,
                id: NodeId(Uuid::nil())
            })
        );
        assert!(NodeGlobalId::parse(Some(Value::String(edge.0.clone()))).is_err());
        assert!(RelationshipGlobalId::parse(Some(Value::String(node.0))).is_err());
        assert_eq!(
            RelationshipGlobalId::parse(Some(Value::String(edge.0))).ok(),
            Some(RelationshipGlobalId(EdgeId(Uuid::nil())))
        );
        assert_eq!(NodeGlobalId::type_name(), "ID");
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
