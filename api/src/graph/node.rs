//! The `Node` interface, the fields every node has, and the root lookups by global ID.

use std::sync::Arc;

use async_graphql::{Context, ID, Interface, Object, OutputType};
use chrono::{DateTime, Utc};
use govgraph_entities::NodeKind as Kind;

use super::Source;
use super::citation::{Citation, ExternalId};
use super::connection::LinkedConnection;
use super::linked::{LinkArgs, LinkedFilter, LinkedOrder};
use super::loader::loader;
use super::relationship::Relationship;
use super::relay::{GlobalId, NodeGlobalId, RelationshipGlobalId};
use super::vocabulary::Direction;
use super::vocabulary::{NodeKind, PartialDate, Predicate};
use crate::error::ApiError;
use govgraph_read::loaders::{EdgeById, NodeOfKind};
use govgraph_read::page::Page;
use govgraph_read::store::NodeRecord;

/// The most IDs `nodes(ids:)` takes at once.
pub const MAX_IDS: usize = 100;

/// A GraphQL type that presents nodes of some kinds.
pub trait NodeType: OutputType + Sized + Send + Sync + 'static {
    /// The kinds it presents; empty for the `Node` interface, which presents any.
    const KINDS: &'static [Kind];

    /// Wraps a loaded node; fails when the node is of another kind.
    fn from_record(record: Arc<NodeRecord>) -> Result<Self, ApiError>;
}

/// The error for a record of the wrong kind: a bug, not a client mistake.
pub fn kind_mismatch(record: &NodeRecord, type_name: &str) -> ApiError {
    ApiError::internal(anyhow::anyhow!(
        "node {} of kind {:?} cannot be presented as {type_name}",
        record.node.id,
        record.node.kind
    ))
}

/// Declares the `Node` interface with one variant per kind of the table of kinds.
macro_rules! node_interface {
    ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
        /// Anything in the graph: a partnership, working group, event, person, country, organisation, deliverable, topic or source. Every node says which sources state it and can list its relationships of any predicate.
        #[derive(Interface)]
        #[graphql(
            tag = "public",
            field(
                name = "id",
                ty = "ID",
                desc = "The node's global ID, for `node(id:)`."
            ),
            field(name = "kind", ty = "NodeKind", desc = "What kind of node this is."),
            field(
                name = "slug",
                ty = "String",
                desc = "A readable key, unique within the node's kind."
            ),
            field(name = "name", ty = "String", desc = "The node's display name."),
            field(
                name = "summary",
                ty = "Option<String>",
                desc = "A sentence or two about the node."
            ),
            field(
                name = "created_at",
                ty = "DateTime<Utc>",
                desc = "When the node was first recorded."
            ),
            field(
                name = "updated_at",
                ty = "DateTime<Utc>",
                desc = "When the node was last changed."
            ),
            field(
                name = "sources",
                ty = "Vec<Source>",
                desc = "The documents that state this node."
            ),
            field(
                name = "citations",
                ty = "Vec<Citation>",
                desc = "The documents that state this node, with the words that state it."
            ),
            field(
                name = "external_ids",
                ty = "Vec<ExternalId>",
                desc = "The node's identifiers in other systems."
            ),
            field(
                name = "relationships",
                ty = "LinkedConnection<Node>",
                desc = "The node's relationships, with the node at the other end of each.",
                arg(
                    name = "predicates",
                    ty = "Option<Vec<Predicate>>",
                    desc = "Only relationships with one of these predicates; any predicate when not given."
                ),
                arg(
                    name = "direction",
                    ty = "Option<Direction>",
                    desc = "Only relationships running this way; both when not given."
                ),
                arg(
                    name = "filter",
                    ty = "Option<LinkedFilter>",
                    desc = "Only relationships meeting these conditions; `totalCount` counts only these."
                ),
                arg(
                    name = "order_by",
                    ty = "Option<LinkedOrder>",
                    desc = "The order of the list; `OTHER_NAME_ASC` when not given."
                ),
                arg(
                    name = "as_of",
                    ty = "Option<PartialDate>",
                    desc = "Only relationships that held on this date (or at some time in the month or year it names). A relationship with no dates always holds."
                ),
                arg(
                    name = "first",
                    ty = "Option<i32>",
                    desc = "Returns the first `first` links (1 to 100)."
                ),
                arg(
                    name = "after",
                    ty = "Option<String>",
                    desc = "Returns links after this cursor."
                ),
                arg(
                    name = "last",
                    ty = "Option<i32>",
                    desc = "Returns the last `last` links (1 to 100)."
                ),
                arg(
                    name = "before",
                    ty = "Option<String>",
                    desc = "Returns links before this cursor."
                )
            )
        )]
        pub enum Node {
            $(
                $(#[$doc])*
                $kind($crate::graph::$kind),
            )*
        }

        impl NodeType for Node {
            const KINDS: &'static [Kind] = &[];

            fn from_record(record: Arc<NodeRecord>) -> Result<Self, ApiError> {
                Ok(match record.node.kind {
                    $(Kind::$kind => Self::$kind($crate::graph::$kind::from_record(record)?),)*
                })
            }
        }
    };
}

govgraph_entities::for_each_kind!(node_interface);

/// The resolvers of the fields every node has; [`node_object`] calls them.
pub mod common {
    use super::*;

    /// `id`.
    pub fn id(record: &NodeRecord) -> ID {
        GlobalId::Node(record.node.kind, record.id()).encode()
    }

    /// `sources`.
    pub async fn sources(ctx: &Context<'_>, record: &NodeRecord) -> Result<Vec<Source>, ApiError> {
        Citation::of_node(ctx, record.id())
            .await?
            .into_iter()
            .map(Citation::into_source)
            .collect()
    }

    /// `relationships`.
    pub async fn relationships(
        ctx: &Context<'_>,
        record: &NodeRecord,
        predicates: Option<Vec<Predicate>>,
        direction: Option<Direction>,
        args: LinkArgs,
        page: Page,
    ) -> Result<LinkedConnection<Node>, ApiError> {
        let predicates =
            crate::graph::filter::bounded("predicates", predicates.as_deref().unwrap_or_default())?
                .iter()
                .map(|predicate| (*predicate).into())
                .collect();
        let direction = direction.unwrap_or(Direction::Both).into();
        let spec = args.spec("relationships", predicates, direction, &[])?;
        LinkedConnection::load(ctx, record.id(), spec, page).await
    }

    /// A typed relationship field of `N`, following `predicates` `direction`.
    pub async fn links<N: NodeType>(
        ctx: &Context<'_>,
        record: &NodeRecord,
        field: &str,
        predicates: Vec<govgraph_entities::Predicate>,
        direction: govgraph_read::store::Direction,
        args: LinkArgs,
        page: Page,
    ) -> Result<LinkedConnection<N>, ApiError> {
        let spec = args.spec(field, predicates, direction, N::KINDS)?;
        LinkedConnection::load(ctx, record.id(), spec, page).await
    }
}

/// Declares the GraphQL object of one node kind, named as its kind in the table of kinds, with its detail model when it has one: its struct, its [`NodeType`] impl, and one `#[Object]` with the fields every node has, its typed relationship fields (`links`), each a [`LinkedConnection`] following some predicates one way, and its own `fields`.
macro_rules! node_object {
    (
        $(#[$meta:meta])*
        $name:ident($detail:ty);
        links { $($links:tt)* }
        fields { $($fields:tt)* }
    ) => {
        $(#[$meta])*
        pub struct $name {
            record: std::sync::Arc<govgraph_read::store::NodeRecord>,
            #[allow(dead_code, reason = "read by the kind's own fields")]
            detail: $detail,
        }

        impl $crate::graph::node::NodeType for $name {
            const KINDS: &'static [govgraph_entities::NodeKind] = &[govgraph_entities::NodeKind::$name];

            fn from_record(
                record: std::sync::Arc<govgraph_read::store::NodeRecord>,
            ) -> Result<Self, $crate::error::ApiError> {
                match &record.detail {
                    govgraph_entities::Detail::$name(detail) => {
                        let detail = detail.clone();
                        Ok(Self { record, detail })
                    }
                    _ => Err($crate::graph::node::kind_mismatch(&record, stringify!($name))),
                }
            }
        }

        $crate::graph::node::node_object!(@object $(#[$meta])* $name; links { $($links)* } fields { $($fields)* });
    };
    (
        $(#[$meta:meta])*
        $name:ident;
        links { $($links:tt)* }
        fields { $($fields:tt)* }
    ) => {
        $(#[$meta])*
        pub struct $name {
            record: std::sync::Arc<govgraph_read::store::NodeRecord>,
        }

        impl $crate::graph::node::NodeType for $name {
            const KINDS: &'static [govgraph_entities::NodeKind] = &[govgraph_entities::NodeKind::$name];

            fn from_record(
                record: std::sync::Arc<govgraph_read::store::NodeRecord>,
            ) -> Result<Self, $crate::error::ApiError> {
                match &record.detail {
                    govgraph_entities::Detail::None if record.node.kind == govgraph_entities::NodeKind::$name => {
                        Ok(Self { record })
                    }
                    _ => Err($crate::graph::node::kind_mismatch(&record, stringify!($name))),
                }
            }
        }

        $crate::graph::node::node_object!(@object $(#[$meta])* $name; links { $($links)* } fields { $($fields)* });
    };
    (
        @object $(#[$meta:meta])* $name:ident;
        links {
            $(
                $(#[$doc:meta])*
                $field:ident: $target:ty = $direction:ident [$($predicate:ident),+];
            )*
        }
        fields { $($fields:tt)* }
    ) => {
        $(#[$meta])*
        #[async_graphql::Object(tag = "public")]
        impl $name {
            /// The node's global ID, for `node(id:)`.
            pub async fn id(&self) -> async_graphql::ID {
                $crate::graph::node::common::id(&self.record)
            }

            /// What kind of node this is.
            pub async fn kind(&self) -> $crate::graph::vocabulary::NodeKind {
                self.record.node.kind.into()
            }

            /// A readable key, unique within the node's kind.
            pub async fn slug(&self) -> &str {
                &self.record.node.slug
            }

            /// The node's display name.
            pub async fn name(&self) -> &str {
                &self.record.node.name
            }

            /// A sentence or two about the node.
            pub async fn summary(&self) -> Option<String> {
                self.record.node.summary.clone()
            }

            /// When the node was first recorded.
            pub async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.record.node.created_at
            }

            /// When the node was last changed.
            pub async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.record.node.updated_at
            }

            /// The documents that state this node.
            pub async fn sources(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> Result<Vec<$crate::graph::Source>, $crate::error::ApiError> {
                $crate::graph::node::common::sources(ctx, &self.record).await
            }

            /// The documents that state this node, with the words that state it.
            pub async fn citations(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> Result<Vec<$crate::graph::citation::Citation>, $crate::error::ApiError> {
                $crate::graph::citation::Citation::of_node(ctx, self.record.id()).await
            }

            /// The node's identifiers in other systems.
            pub async fn external_ids(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> Result<Vec<$crate::graph::citation::ExternalId>, $crate::error::ApiError> {
                $crate::graph::citation::ExternalId::of_node(ctx, self.record.id()).await
            }

            /// The node's relationships, with the node at the other end of each, filtered and ordered as asked.
            #[allow(clippy::too_many_arguments, reason = "one per GraphQL argument")]
            pub async fn relationships(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Only relationships with one of these predicates; any predicate when not given.")]
                predicates: Option<Vec<$crate::graph::vocabulary::Predicate>>,
                #[graphql(desc = "Only relationships running this way; both when not given.")]
                direction: Option<$crate::graph::vocabulary::Direction>,
                #[graphql(desc = "Only relationships meeting these conditions; `totalCount` counts only these.")]
                filter: Option<$crate::graph::linked::LinkedFilter>,
                #[graphql(desc = "The order of the list; `OTHER_NAME_ASC` when not given.")]
                order_by: Option<$crate::graph::linked::LinkedOrder>,
                #[graphql(desc = "Only relationships that held on this date (or at some time in the month or year it names). A relationship with no dates always holds.")]
                as_of: Option<$crate::graph::vocabulary::PartialDate>,
                #[graphql(desc = "Returns the first `first` links (1 to 100).")]
                first: Option<i32>,
                #[graphql(desc = "Returns links after this cursor.")]
                after: Option<String>,
                #[graphql(desc = "Returns the last `last` links (1 to 100).")]
                last: Option<i32>,
                #[graphql(desc = "Returns links before this cursor.")]
                before: Option<String>,
            ) -> Result<
                $crate::graph::connection::LinkedConnection<$crate::graph::node::Node>,
                $crate::error::ApiError,
            > {
                let page = govgraph_read::page::Page::new(first, after, last, before)?;
                let args = $crate::graph::linked::LinkArgs { filter, order_by, as_of };
                $crate::graph::node::common::relationships(ctx, &self.record, predicates, direction, args, page).await
            }

            $(
                $(#[$doc])*
                pub async fn $field(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    #[graphql(desc = "Only relationships meeting these conditions; `totalCount` counts only these.")]
                    filter: Option<$crate::graph::linked::LinkedFilter>,
                    #[graphql(desc = "The order of the list; `OTHER_NAME_ASC` when not given.")]
                    order_by: Option<$crate::graph::linked::LinkedOrder>,
                    #[graphql(desc = "Only relationships that held on this date (or at some time in the month or year it names). A relationship with no dates always holds.")]
                    as_of: Option<$crate::graph::vocabulary::PartialDate>,
                    #[graphql(desc = "Returns the first `first` links (1 to 100; 20 when neither `first` nor `last` is given).")]
                    first: Option<i32>,
                    #[graphql(desc = "Returns links after this cursor.")]
                    after: Option<String>,
                    #[graphql(desc = "Returns the last `last` links (1 to 100).")]
                    last: Option<i32>,
                    #[graphql(desc = "Returns links before this cursor.")]
                    before: Option<String>,
                ) -> Result<$crate::graph::connection::LinkedConnection<$target>, $crate::error::ApiError> {
                    let page = govgraph_read::page::Page::new(first, after, last, before)?;
                    $crate::graph::node::common::links(
                        ctx,
                        &self.record,
                        stringify!($field),
                        vec![$(govgraph_entities::Predicate::$predicate),+],
                        govgraph_read::store::Direction::$direction,
                        $crate::graph::linked::LinkArgs { filter, order_by, as_of },
                        page,
                    )
                    .await
                }
            )*

            $($fields)*
        }
    };
}
pub(crate) use node_object;

/// Lookups of nodes and relationships by global ID.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The node with this global ID, or null when there is none. Not in a supergraph, where entities are reached by their keys.
    #[graphql(inaccessible)]
    pub async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID, as returned in any node's `id`.")] id: NodeGlobalId,
    ) -> Result<Option<Node>, ApiError> {
        load_node(ctx, id).await
    }

    /// The nodes with these global IDs, in the same order; null for each that does not exist. Not in a supergraph, where entities are reached by their keys.
    #[graphql(inaccessible)]
    pub async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Up to 100 global IDs.")] ids: Vec<NodeGlobalId>,
    ) -> Result<Vec<Option<Node>>, ApiError> {
        if ids.len() > MAX_IDS {
            return Err(ApiError::LimitExceeded(format!(
                "`nodes` takes at most {MAX_IDS} IDs at once, not {}",
                ids.len()
            )));
        }
        let key = |id: &NodeGlobalId| NodeOfKind(id.kind, id.id);
        let found = loader(ctx)?.load_many(ids.iter().map(key)).await?;
        ids.iter()
            .map(|id| match found.get(&key(id)) {
                Some(record) => Node::from_record(record.clone()).map(Some),
                None => Ok(None),
            })
            .collect()
    }

    /// The relationship with this global ID, or null when there is none.
    pub async fn relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A relationship's global ID, as returned in its `id`.")]
        id: RelationshipGlobalId,
    ) -> Result<Option<Relationship>, ApiError> {
        Ok(loader(ctx)?
            .load_one(EdgeById(id.0))
            .await?
            .map(Relationship))
    }

    /// How `_entities` finds a relationship by its global ID.
    #[graphql(entity)]
    pub async fn find_relationship_by_id(
        &self,
        ctx: &Context<'_>,
        id: RelationshipGlobalId,
    ) -> Result<Option<Relationship>, ApiError> {
        self.relationship(ctx, id).await
    }
}

/// The node a global ID names, as `N`, if it exists, is of the kind the ID says, and is one `N` presents.
pub async fn load_node<N: NodeType>(
    ctx: &Context<'_>,
    id: NodeGlobalId,
) -> Result<Option<N>, ApiError> {
    if !(N::KINDS.is_empty() || N::KINDS.contains(&id.kind)) {
        return Ok(None);
    }
    match loader(ctx)?.load_one(NodeOfKind(id.kind, id.id)).await? {
        Some(record) => N::from_record(record).map(Some),
        None => Ok(None),
    }
}
