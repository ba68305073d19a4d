//! Filters and orders shared by the root connections of every kind.

use async_graphql::{Context, Enum, InputObject};
use govgraph_read::ids::NodeId;
use govgraph_read::listing::{Criterion, Order, SortKey};
use govgraph_read::loaders::{NodeBySlug, NodeOfKind};

use super::loader::loader;
use super::relay::{NodeGlobalId, truncate, type_name};
use super::vocabulary::Direction;
use super::vocabulary::{NodeKind, Predicate};
use crate::error::ApiError;

/// The most values a list filter takes.
const MAX_VALUES: usize = 100;

/// Checks the length of a list argument.
pub fn bounded<'a, T>(name: &str, values: &'a [T]) -> Result<&'a [T], ApiError> {
    if values.len() > MAX_VALUES {
        return Err(ApiError::bad_input(format!(
            "`{name}` takes at most {MAX_VALUES} values, not {}",
            values.len()
        )));
    }
    Ok(values)
}

/// The values of a list argument over a stored vocabulary, such as `kinds`, at most a hundred.
pub fn vocabulary<G: Copy, E: From<G>>(name: &str, values: &[G]) -> Result<Vec<E>, ApiError> {
    Ok(bounded(name, values)?.iter().map(|v| E::from(*v)).collect())
}

/// A link the listed nodes must have: a relationship to one given node.
#[derive(Clone, Debug, InputObject)]
pub struct LinkFilter {
    /// The node at the other end, by global ID. Give this, or `kind` and `slug`.
    pub node: Option<NodeGlobalId>,
    /// The kind of the node at the other end, with `slug`.
    pub kind: Option<NodeKind>,
    /// The slug of the node at the other end, with `kind` (a country's slug is its lower-case alpha-2 code).
    pub slug: Option<String>,
    /// Only relationships with one of these predicates; any predicate when not given.
    pub predicates: Option<Vec<Predicate>>,
    /// Which way the relationship runs from the listed node: `OUTGOING` when the listed node is the subject. Either way when not given.
    pub direction: Option<Direction>,
}

enum Target {
    Id(govgraph_entities::NodeKind, NodeId),
    Slug(govgraph_entities::NodeKind, String),
}

impl LinkFilter {
    fn target(&self) -> Result<Target, ApiError> {
        match (&self.node, self.kind, &self.slug) {
            (Some(id), None, None) => Ok(Target::Id(id.kind, id.id)),
            (None, Some(kind), Some(slug)) => Ok(Target::Slug(kind.into(), slug.to_lowercase())),
            _ => Err(ApiError::bad_input(
                "each `linkedTo` entry names its node either by `node` (an ID) or by `kind` and `slug`",
            )),
        }
    }

    /// The criterion this entry sets: a relationship to `target`, the node it names.
    fn criterion(&self, target: NodeId) -> Result<Criterion, ApiError> {
        let predicates = bounded(
            "linkedTo.predicates",
            self.predicates.as_deref().unwrap_or_default(),
        )?;
        Ok(Criterion::LinkedTo {
            node: target,
            predicates: predicates.iter().map(|p| (*p).into()).collect(),
            direction: self.direction.unwrap_or(Direction::Both).into(),
        })
    }
}

/// The nodes the `linkedTo` entries of a filter name, in order, looked up first so that an entry naming no node is refused (`NOT_FOUND`) rather than silently matching nothing. One batched lookup per kind of key, shared with the request's other lookups.
pub async fn linked_nodes(
    ctx: &Context<'_>,
    links: &[LinkFilter],
) -> Result<Vec<NodeId>, ApiError> {
    let links = bounded("linkedTo", links)?;
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let targets = links
        .iter()
        .map(LinkFilter::target)
        .collect::<Result<Vec<_>, _>>()?;
    let loaders = loader(ctx)?;
    let ids: Vec<NodeOfKind> = targets
        .iter()
        .filter_map(|target| match target {
            Target::Id(kind, id) => Some(NodeOfKind(*kind, *id)),
            Target::Slug(..) => None,
        })
        .collect();
    let slugs: Vec<NodeBySlug> = targets
        .iter()
        .filter_map(|target| match target {
            Target::Slug(kind, slug) => Some(NodeBySlug(*kind, slug.clone())),
            Target::Id(..) => None,
        })
        .collect();
    let (by_id, by_slug) = futures_util::future::try_join(
        async {
            match ids.is_empty() {
                true => Ok(Default::default()),
                false => loaders.load_many(ids).await,
            }
        },
        async {
            match slugs.is_empty() {
                true => Ok(Default::default()),
                false => loaders.load_many(slugs).await,
            }
        },
    )
    .await?;
    targets
        .into_iter()
        .enumerate()
        .map(|(index, target)| {
            let found = match &target {
                Target::Id(kind, id) => by_id.get(&NodeOfKind(*kind, *id)),
                Target::Slug(kind, slug) => by_slug.get(&NodeBySlug(*kind, slug.clone())),
            };
            found.map(|record| record.id()).ok_or_else(|| {
                let named = match &target {
                    Target::Id(kind, _) => format!("no {} with that ID", type_name(*kind)),
                    Target::Slug(kind, slug) => {
                        format!("no {} with slug `{}`", type_name(*kind), truncate(slug))
                    }
                };
                ApiError::not_found(format!("`linkedTo[{index}]`: there is {named}"))
            })
        })
        .collect()
}

/// The filters every kind of node can be listed by. All given conditions must hold.
#[derive(Clone, Debug, Default, InputObject)]
pub struct NodeFilter {
    /// Only nodes whose name contains this text, ignoring case and accents (`sao` finds `São Tomé & Príncipe`). For ranked search across names, codes and summaries, use the root field `search`.
    pub search: Option<String>,
    /// Only nodes with one of these slugs.
    pub slugs: Option<Vec<String>>,
    /// Only nodes with a relationship to each of these nodes.
    pub linked_to: Option<Vec<LinkFilter>>,
}

impl NodeFilter {
    /// The `linkedTo` entries.
    pub fn links(&self) -> &[LinkFilter] {
        self.linked_to.as_deref().unwrap_or_default()
    }

    /// The criteria this filter sets; `linked` are the nodes of the `linkedTo` entries, as [`linked_nodes`] found them.
    pub fn criteria(&self, linked: &[NodeId]) -> Result<Vec<Criterion>, ApiError> {
        let mut criteria = Vec::new();
        if let Some(search) = &self.search {
            if search.chars().count() > 200 {
                return Err(ApiError::bad_input(format!(
                    "`search` takes at most 200 characters; `{}` is longer",
                    truncate(search)
                )));
            }
            criteria.push(Criterion::NameContains(search.clone()));
        }
        if let Some(slugs) = &self.slugs {
            let slugs = bounded("slugs", slugs)?;
            criteria.push(Criterion::SlugIn(
                slugs.iter().map(|s| s.to_lowercase()).collect(),
            ));
        }
        let links = bounded("linkedTo", self.links())?;
        if links.len() != linked.len() {
            return Err(ApiError::internal(anyhow::anyhow!(
                "a filter's links were not looked up"
            )));
        }
        for (link, target) in links.iter().zip(linked) {
            criteria.push(link.criterion(*target)?);
        }
        Ok(criteria)
    }
}

/// A filter input of a root connection.
pub trait ListFilter: async_graphql::InputType + Default {
    /// The filters every kind has.
    fn common(&self) -> &NodeFilter;

    /// The criteria this filter sets; `linked` are the nodes of the `linkedTo` entries.
    fn criteria(&self, linked: &[NodeId]) -> Result<Vec<Criterion>, ApiError>;
}

/// An order input of a root connection.
pub trait ListOrder: async_graphql::InputType + Default {
    /// The order of the read layer this input asks for.
    fn order(&self) -> Order;
}

/// Orders of nodes that have only the common fields to order by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum)]
pub enum NodeOrder {
    /// By name, A to Z.
    #[default]
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// By slug, A to Z.
    SlugAsc,
    /// By slug, Z to A.
    SlugDesc,
}

impl ListOrder for NodeOrder {
    fn order(&self) -> Order {
        let (key, descending) = match self {
            Self::NameAsc => (SortKey::Name, false),
            Self::NameDesc => (SortKey::Name, true),
            Self::SlugAsc => (SortKey::Slug, false),
            Self::SlugDesc => (SortKey::Slug, true),
        };
        Order { key, descending }
    }
}

/// Declares a filter input for a kind that has only the common filters.
macro_rules! node_filter {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, async_graphql::InputObject)]
        pub struct $name {
            #[graphql(flatten)]
            common: $crate::graph::filter::NodeFilter,
        }

        impl $crate::graph::filter::ListFilter for $name {
            fn common(&self) -> &$crate::graph::filter::NodeFilter {
                &self.common
            }

            fn criteria(
                &self,
                linked: &[govgraph_read::ids::NodeId],
            ) -> Result<Vec<govgraph_read::listing::Criterion>, $crate::error::ApiError> {
                self.common.criteria(linked)
            }
        }
    };
}
pub(crate) use node_filter;

/// Declares the root fields of a kind, as its module's `Query`: its connection with filter, order
/// and Relay arguments; when the kind is keyed by slug, its lookup by slug; and the resolvers
/// `_entities` finds it by, by global ID and by slug.
macro_rules! kind_query {
    (
        $(#[$meta:meta])*
        $ty:ident {
            $(#[$list_doc:meta])*
            $list:ident($filter:ty, $order:ty);
            $(
                $(#[$one_doc:meta])*
                $one:ident(slug);
            )?
        }
    ) => {
        $(#[$meta])*
        #[derive(Default)]
        pub struct Query;

        impl async_graphql::TypeName for Query {
            fn type_name() -> std::borrow::Cow<'static, str> {
                concat!(stringify!($ty), "Query").into()
            }
        }

        #[async_graphql::Object(name_type)]
        impl Query {
            $(#[$list_doc])*
            #[graphql(tag = "public")]
            async fn $list(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Which nodes to list; all when not given.")]
                filter: Option<$filter>,
                #[graphql(desc = "The order of the list; by name when not given.")]
                order_by: Option<$order>,
                #[graphql(desc = "Returns the first `first` nodes (1 to 100; 20 when neither `first` nor `last` is given).")]
                first: Option<i32>,
                #[graphql(desc = "Returns nodes after this cursor.")]
                after: Option<String>,
                #[graphql(desc = "Returns the last `last` nodes (1 to 100).")]
                last: Option<i32>,
                #[graphql(desc = "Returns nodes before this cursor.")]
                before: Option<String>,
            ) -> Result<$crate::graph::connection::NodeConnection<$ty>, $crate::error::ApiError> {
                use $crate::graph::filter::{ListFilter, ListOrder};
                let page = govgraph_read::page::Page::new(first, after, last, before)?;
                let filter = filter.unwrap_or_default();
                let linked = $crate::graph::filter::linked_nodes(ctx, filter.common().links()).await?;
                let listing = govgraph_read::listing::Listing {
                    kind: govgraph_entities::NodeKind::$ty,
                    criteria: filter.criteria(&linked)?,
                    order: order_by.unwrap_or_default().order(),
                };
                $crate::graph::connection::NodeConnection::load(ctx, listing, page).await
            }

            /// How `_entities` finds the node by its global ID.
            #[graphql(entity)]
            async fn find_by_id(
                &self,
                ctx: &async_graphql::Context<'_>,
                id: $crate::graph::relay::NodeGlobalId,
            ) -> Result<Option<$ty>, $crate::error::ApiError> {
                $crate::graph::node::load_node(ctx, id).await
            }

            $(
                $(#[$one_doc])*
                #[graphql(tag = "public")]
                async fn $one(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    #[graphql(desc = "The slug, as returned in `slug`.")] slug: String,
                ) -> Result<Option<$ty>, $crate::error::ApiError> {
                    $crate::graph::lookup::by_slug(ctx, govgraph_entities::NodeKind::$ty, &slug).await.map(Some)
                }

                /// How `_entities` finds the node by its slug.
                #[graphql(entity)]
                async fn find_by_slug(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    slug: String,
                ) -> Result<Option<$ty>, $crate::error::ApiError> {
                    $crate::graph::lookup::find_by_slug(ctx, govgraph_entities::NodeKind::$ty, &slug).await
                }
            )?
        }
    };
}
pub(crate) use kind_query;
