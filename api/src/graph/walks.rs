//! Walks through the graph: the shortest paths between two nodes, and the neighbourhood of a
//! node as lists of nodes and relationships, ready to draw.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject};
use govgraph_read::ids::NodeId;
use govgraph_read::loaders::NodeById;
use govgraph_read::store::{self, NodeRecord, Walk};
use govgraph_read::traversal::{self, Step};
use govgraph_read::validity::Period;

use super::filter::vocabulary;
use super::loader::{database, loader};
use super::node::{Node, NodeType};
use super::node_ref::{NodeRef, find_all};
use super::relationship::Relationship;
use super::vocabulary::{Direction, NodeKind, PartialDate, Predicate};
use crate::error::ApiError;

/// The most hops a path may have.
const MAX_HOPS: i32 = 6;
/// The deepest neighbourhood.
const MAX_DEPTH: i32 = 3;
/// The most nodes a neighbourhood holds.
const MAX_NODES: i32 = 1000;

/// One relationship of a path, in the direction the path takes it.
pub struct PathStep {
    step: Step,
    node: Node,
}

/// One relationship of a path, in the direction the path takes it.
#[Object(tag = "public")]
impl PathStep {
    /// The relationship, with its sources.
    async fn relationship(&self) -> Relationship {
        Relationship(Arc::new(self.step.edge.clone()))
    }

    /// `OUTGOING` when the path follows the relationship from its subject to its object, `INCOMING` when against it.
    async fn direction(&self) -> Direction {
        if self.step.edge.subject_id == self.step.from.0 {
            Direction::Outgoing
        } else {
            Direction::Incoming
        }
    }

    /// The node the step reaches.
    async fn node(&self) -> &Node {
        &self.node
    }
}

/// A path between two nodes: its first node, then each step's relationship and the node it reaches.
pub struct Path {
    start: Node,
    steps: Vec<PathStep>,
}

/// A path between two nodes: its first node, then each step's relationship and the node it reaches.
#[Object(tag = "public")]
impl Path {
    /// How many relationships the path follows.
    async fn length(&self) -> usize {
        self.steps.len()
    }

    /// The node the path starts at.
    async fn start(&self) -> &Node {
        &self.start
    }

    /// The path's steps, in order.
    async fn steps(&self) -> &Vec<PathStep> {
        &self.steps
    }

    /// The path's nodes, in order, from its start to its end: one more than its relationships.
    async fn nodes(&self) -> Vec<&Node> {
        std::iter::once(&self.start)
            .chain(self.steps.iter().map(|step| &step.node))
            .collect()
    }

    /// The path's relationships, in order.
    async fn relationships(&self) -> Vec<Relationship> {
        self.steps
            .iter()
            .map(|step| Relationship(Arc::new(step.step.edge.clone())))
            .collect()
    }
}

/// The nodes and relationships around a node, ready to draw.
#[derive(SimpleObject)]
#[graphql(tag = "public")]
pub struct Neighbourhood {
    /// The nodes: the centre first, then those one hop away, and so on.
    nodes: Vec<Node>,
    /// Every relationship between two of the nodes that the walk may follow (of its `predicates`, holding `asOf`), those between two nodes of the outermost ring included.
    relationships: Vec<Relationship>,
    /// How many nodes the walk reached but left out to stay within `limit`; when not zero, it went no deeper.
    nodes_left_out: u64,
}

/// Loads the nodes with `ids` in one batch.
async fn load_nodes(ctx: &Context<'_>, ids: Vec<NodeId>) -> Result<Nodes, ApiError> {
    Ok(loader(ctx)?
        .load_many(ids.into_iter().map(NodeById))
        .await?
        .into_iter()
        .map(|(key, record)| (key.0, record))
        .collect())
}

/// Loaded nodes by id.
type Nodes = HashMap<NodeId, Arc<NodeRecord>>;

/// The node `id` among `nodes`: a relationship's end always exists, so a miss is a bug.
fn node_of(nodes: &Nodes, id: NodeId) -> Result<Node, ApiError> {
    let record = nodes.get(&id).ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!("node {} vanished during a walk", id.0))
    })?;
    Node::from_record(record.clone())
}

/// A whole number argument, checked to lie in `range`.
fn within(name: &str, value: i32, range: std::ops::RangeInclusive<i32>) -> Result<usize, ApiError> {
    if !range.contains(&value) {
        return Err(ApiError::bad_input(format!(
            "`{name}` must be between {} and {}, not {value}",
            range.start(),
            range.end()
        )));
    }
    Ok(usize::try_from(value).unwrap_or_default())
}

/// What a walk may follow.
fn walk(
    predicates: Option<Vec<Predicate>>,
    kinds: Option<Vec<NodeKind>>,
    as_of: Option<PartialDate>,
) -> Result<Walk, ApiError> {
    Ok(Walk {
        predicates: vocabulary("predicates", predicates.as_deref().unwrap_or_default())?,
        kinds: vocabulary("kinds", kinds.as_deref().unwrap_or_default())?,
        during: as_of.map(|date| Period::on(date.0)).into_iter().collect(),
    })
}

/// The root fields of walks.
#[derive(Default)]
pub struct WalkQuery;

#[Object]
impl WalkQuery {
    /// The shortest paths between two nodes, following relationships either way: how Uruguay is connected to GovTech Singapore. Computed by a breadth-first search from both ends, one statement per hop (always widening the side with fewer nodes), then one for the nodes of the paths, plus one for their relationships' sources when asked for, and one per kind of key (ID, slug, code) that names `from` and `to`. Empty when the nodes are not connected within `maxHops`. A hop that reaches more than 50,000 relationships is refused (`LIMIT_EXCEEDED`): narrow the walk with `predicates`.
    async fn paths(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The node the paths start at.")] from: NodeRef,
        #[graphql(desc = "The node the paths end at.")] to: NodeRef,
        #[graphql(
            desc = "The longest path to look for, in relationships (1 to 6).",
            default = 4
        )]
        max_hops: i32,
        #[graphql(
            desc = "Only follow relationships with one of these predicates; any when not given."
        )]
        predicates: Option<Vec<Predicate>>,
        #[graphql(
            desc = "Only follow relationships that held on this date (or at some time in the month or year it names). A relationship with no dates always holds."
        )]
        as_of: Option<PartialDate>,
        #[graphql(
            desc = "Returns at most `first` of the shortest paths (1 to 100).",
            default = 10
        )]
        first: i32,
    ) -> Result<Vec<Path>, ApiError> {
        let max_hops = within("maxHops", max_hops, 1..=MAX_HOPS)?;
        let limit = within("first", first, 1..=100)?;
        let walk = walk(predicates, None, as_of)?;
        let ends = find_all(ctx, &[("from", &from), ("to", &to)]).await?;
        let [from, to] = ends[..] else {
            return Err(ApiError::internal(anyhow::anyhow!(
                "two ends were looked up"
            )));
        };
        let found =
            traversal::shortest_paths(database(ctx)?, from, to, &walk, max_hops, limit).await?;
        let mut ids: Vec<NodeId> = vec![from];
        for path in &found {
            ids.extend(path.iter().map(|step| step.to));
        }
        let nodes = load_nodes(ctx, ids).await?;
        found
            .into_iter()
            .map(|path| {
                let steps = path
                    .into_iter()
                    .map(|step| {
                        Ok(PathStep {
                            node: node_of(&nodes, step.to)?,
                            step,
                        })
                    })
                    .collect::<Result<_, ApiError>>()?;
                Ok(Path {
                    start: node_of(&nodes, from)?,
                    steps,
                })
            })
            .collect()
    }

    /// The nodes and relationships around a node, to `depth` hops, following relationships either way: DGX 2022 with its working groups and participants. One statement per hop, one for the relationships among the nodes and one for the nodes (sent at once), and one to look up the centre. Stops at `limit` nodes and says how many it left out. A hop that reaches more than 50,000 relationships is refused (`LIMIT_EXCEEDED`).
    async fn neighbourhood(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The node at the centre.")] node: NodeRef,
        #[graphql(desc = "How many hops from the centre to go (1 to 3).", default = 1)] depth: i32,
        #[graphql(
            desc = "Only follow relationships with one of these predicates; any when not given."
        )]
        predicates: Option<Vec<Predicate>>,
        #[graphql(
            desc = "Only reach nodes of these kinds; any when not given. The centre is always included."
        )]
        kinds: Option<Vec<NodeKind>>,
        #[graphql(
            desc = "Only follow relationships that held on this date (or at some time in the month or year it names). A relationship with no dates always holds."
        )]
        as_of: Option<PartialDate>,
        #[graphql(
            desc = "The most nodes to return, the centre included (1 to 1000).",
            default = 100
        )]
        limit: i32,
    ) -> Result<Neighbourhood, ApiError> {
        let depth = within("depth", depth, 1..=MAX_DEPTH)?;
        let limit = within("limit", limit, 1..=MAX_NODES)?;
        let walk = walk(predicates, kinds, as_of)?;
        let centre = node.find(ctx, "node").await?;
        let db = database(ctx)?;
        let found = traversal::neighbourhood(db, centre, &walk, depth, limit).await?;
        // The relationships among the nodes and the nodes themselves, at once.
        let (edges, nodes) = futures_util::try_join!(
            async {
                store::edges_among(db, &found.nodes, &walk)
                    .await
                    .map_err(ApiError::from)
            },
            load_nodes(ctx, found.nodes.clone()),
        )?;
        Ok(Neighbourhood {
            nodes: found
                .nodes
                .iter()
                .map(|id| node_of(&nodes, *id))
                .collect::<Result<_, _>>()?,
            relationships: edges
                .into_iter()
                .map(|edge| Relationship(Arc::new(edge)))
                .collect(),
            nodes_left_out: found.left_out,
        })
    }
}
