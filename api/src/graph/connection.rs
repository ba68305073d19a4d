//! Connections: root lists of one kind, and a node's links to others.

use std::sync::Arc;

use std::any::TypeId;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use async_graphql::{Context, Description, Object, OutputType, TypeName};

use super::citation::Citation;
use super::loader::{database, loader};
use super::node::NodeType;
use super::relationship::Relationship;
use super::relay::PageInfo;
use super::vocabulary::Direction;
use super::vocabulary::{PartialDate, Predicate};
use crate::error::ApiError;
use govgraph_read::ids::{EdgeId, NodeId};
use govgraph_read::listing::Listing;
use govgraph_read::loaders::{LinkCountOf, LinkPageOf};
use govgraph_read::page::Page;
use govgraph_read::search::Search;
use govgraph_read::store::{self, LinkRow, LinkSpec};

/// Whether the connection field being resolved selects anything of its page, as opposed to only its `totalCount`: a count alone needs no page.
pub(crate) fn page_selected(ctx: &Context<'_>) -> bool {
    let selection = ctx.look_ahead();
    ["edges", "nodes", "pageInfo"]
        .iter()
        .any(|field| selection.field(field).exists())
}

/// What a connection's edges are: a node of a list, or a link from a node to another.
pub trait EdgeType: OutputType + 'static {
    /// The type of the nodes the edges lead to.
    type Node: NodeType;

    /// What the connection is a page of, as its type's description says.
    const CONNECTION_DESCRIPTION: &'static str;

    /// The node the edge leads to.
    fn node(&self) -> &Self::Node;
}

/// A page of nodes of one kind ([`NodeConnection`]) or of a node's links ([`LinkedConnection`]):
/// its edges, its place in the list, and, when asked for, the size of the whole list.
pub struct Connection<E> {
    edges: Vec<E>,
    page_info: PageInfo,
    count: Count,
}

/// How to count the whole list of a connection.
pub(super) enum Count {
    /// The list of nodes, counted by one statement of its own.
    Nodes(Listing),
    /// The links of a node, counted with those of the other nodes of the request.
    Links(LinkCountOf),
    /// The hits of a search, counted by one statement of their own.
    Hits(Search),
}

impl<E> Connection<E> {
    /// A page of `edges`, placed by `page_info`, whose whole list `count` counts.
    pub(super) fn of(edges: Vec<E>, page_info: PageInfo, count: Count) -> Self {
        Self {
            edges,
            page_info,
            count,
        }
    }
}

/// The GraphQL name of the generic type `T`, made by `make` the first time it is asked for and
/// kept: async-graphql asks for a type's name for every object it answers.
fn named_once<T: 'static>(make: impl FnOnce() -> String) -> Cow<'static, str> {
    static NAMES: OnceLock<RwLock<HashMap<TypeId, &'static str>>> = OnceLock::new();
    let names = NAMES.get_or_init(Default::default);
    let key = TypeId::of::<T>();
    if let Some(name) = names.read().ok().and_then(|names| names.get(&key).copied()) {
        return Cow::Borrowed(name);
    }
    // Made before the lock is taken: making a name asks for the names of the types inside it.
    let made = make();
    let Ok(mut names) = names.write() else {
        return Cow::Owned(made);
    };
    // One string per generic type of the schema, kept for the life of the process.
    Cow::Borrowed(
        names
            .entry(key)
            .or_insert_with(|| Box::leak(made.into_boxed_str())),
    )
}

/// A page of a filtered, ordered list of nodes of one kind.
pub type NodeConnection<N> = Connection<Edge<N>>;

/// A page of a node's relationships, each with the node at the other end.
pub type LinkedConnection<N> = Connection<LinkedEdge<N>>;

/// `CountryEdge` names `CountryConnection`; `LinkedCountryEdge`, `LinkedCountryConnection`.
impl<E: EdgeType> TypeName for Connection<E> {
    fn type_name() -> Cow<'static, str> {
        named_once::<Self>(|| {
            let edge = E::type_name();
            let stem = edge.strip_suffix("Edge").unwrap_or(&edge);
            format!("{stem}Connection")
        })
    }
}

impl<E: EdgeType> Description for Connection<E> {
    fn description() -> &'static str {
        E::CONNECTION_DESCRIPTION
    }
}

#[Object(name_type, use_type_description, tag = "public")]
impl<E: EdgeType> Connection<E> {
    /// The edges of this page, in the list's order, each with its cursor.
    async fn edges(&self) -> &Vec<E> {
        &self.edges
    }

    /// The nodes of this page's edges, without cursors.
    async fn nodes(&self) -> Vec<&E::Node> {
        self.edges.iter().map(E::node).collect()
    }

    /// Where this page sits in the list.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }

    /// How many edges the whole list holds; counted only when asked for.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64, ApiError> {
        match &self.count {
            Count::Nodes(listing) => Ok(store::count_nodes(database(ctx)?, listing).await?),
            Count::Links(key) => Ok(loader(ctx)?
                .load_one(key.clone())
                .await?
                .unwrap_or_default()),
            Count::Hits(search) => Ok(store::count_hits(database(ctx)?, search).await?),
        }
    }
}

/// A node in a list, with its cursor.
pub struct Edge<N> {
    cursor: String,
    node: N,
}

impl<N: NodeType> TypeName for Edge<N> {
    fn type_name() -> Cow<'static, str> {
        named_once::<Self>(|| format!("{}Edge", N::type_name()))
    }
}

/// A node in a list, with its cursor.
#[Object(name_type, tag = "public")]
impl<N: NodeType> Edge<N> {
    /// Where this node sits in the list; pass it as `after` or `before`.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The node.
    async fn node(&self) -> &N {
        &self.node
    }
}

impl<N: NodeType> EdgeType for Edge<N> {
    type Node = N;
    const CONNECTION_DESCRIPTION: &'static str = "One page of a filtered, ordered list of nodes of one kind, with its place in the list and, when asked for, the size of the whole list.";

    fn node(&self) -> &N {
        &self.node
    }
}

impl<N: NodeType> NodeConnection<N> {
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
            count: Count::Nodes(listing),
        })
    }
}

/// A relationship of a node, seen from that node, with the node at the other end.
pub struct LinkedEdge<N> {
    row: LinkRow,
    node: N,
}

impl<N: NodeType> TypeName for LinkedEdge<N> {
    fn type_name() -> Cow<'static, str> {
        named_once::<Self>(|| format!("Linked{}Edge", N::type_name()))
    }
}

impl<N: NodeType> EdgeType for LinkedEdge<N> {
    type Node = N;
    const CONNECTION_DESCRIPTION: &'static str = "A page of a node's relationships, each with the node at the other end, filtered and ordered as the field was asked.";

    fn node(&self) -> &N {
        &self.node
    }
}

/// A relationship of a node, seen from that node: the node at the other end, the predicate, the direction, the role, when it held, and the sources that state it.
#[Object(name_type, tag = "public")]
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

impl<N: NodeType> LinkedConnection<N> {
    /// Loads one page of the links of `anchor` that `spec` names.
    pub async fn load(
        ctx: &Context<'_>,
        anchor: NodeId,
        spec: LinkSpec,
        page: Page,
    ) -> Result<Self, ApiError> {
        page.check_order(spec.order.name())?;
        let spec = Arc::new(spec);
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
            count: Count::Links(LinkCountOf {
                anchor,
                spec: spec.unordered(),
            }),
        })
    }
}
