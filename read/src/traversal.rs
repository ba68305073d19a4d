//! Walks through the graph, one statement per hop: the shortest paths between two nodes
//! (a breadth-first search from both ends, always widening the smaller side) and the
//! neighbourhood of a node (a breadth-first search to a depth, bounded in nodes).
//!
//! Every hop reads at most [`MAX_EDGES_PER_HOP`] relationships, so a walk through a hub with a
//! hundred thousand relationships is refused with [`WalkError::TooWide`] instead of reading
//! them all.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use govgraph_entities::edge;
use sea_orm::DbErr;

use crate::ids::NodeId;
use crate::store::{Reached, Store, Walk, edges_touching, ends_touching};

/// The most relationships one hop of a walk reads.
pub const MAX_EDGES_PER_HOP: u64 = 50_000;

/// The most nodes one hop of a walk sets out from: each is a bound value of its statement.
pub const MAX_FRONTIER: usize = 10_000;

/// Why a walk did not finish.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// A hop reached more relationships, or set out from more nodes, than a walk takes at once.
    #[error(
        "hop {hop} reaches more than {MAX_EDGES_PER_HOP} relationships or sets out from more than {MAX_FRONTIER} nodes"
    )]
    TooWide {
        /// The hop, from 1.
        hop: usize,
    },
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// One relationship of a path, in the direction the path takes it.
#[derive(Clone, Debug)]
pub struct Step {
    /// The relationship.
    pub edge: edge::Model,
    /// The node the step leaves.
    pub from: NodeId,
    /// The node the step reaches.
    pub to: NodeId,
}

/// The side of a bidirectional search: how far each node it reached lies from its end, and
/// the relationships that reach each node from one step nearer.
#[derive(Default)]
struct Side {
    distance: HashMap<NodeId, usize>,
    parents: HashMap<NodeId, Vec<(NodeId, edge::Model)>>,
    frontier: BTreeSet<NodeId>,
    depth: usize,
}

impl Side {
    fn new(start: NodeId) -> Self {
        let mut side = Side::default();
        side.distance.insert(start, 0);
        side.frontier.insert(start);
        side
    }

    /// Takes one hop's relationships: their far ends not seen yet become the next frontier.
    fn widen(&mut self, reached: Vec<Reached>) {
        let depth = self.depth + 1;
        let mut next = BTreeSet::new();
        for Reached { edge, near, far } in reached {
            match self.distance.get(&far) {
                None => {
                    self.distance.insert(far, depth);
                    next.insert(far);
                }
                Some(d) if *d != depth => continue,
                Some(_) => {}
            }
            self.parents.entry(far).or_default().push((near, edge));
        }
        for parents in self.parents.values_mut() {
            parents.sort_by_key(|(near, edge)| (*near, edge.id));
            parents.dedup_by_key(|(_, edge)| edge.id);
        }
        self.frontier = next;
        self.depth = depth;
    }

    /// Every way from the side's start to `node`, as steps from the start, at most `limit`.
    fn ways_to(&self, node: NodeId, limit: usize) -> Vec<Vec<(NodeId, edge::Model, NodeId)>> {
        if limit == 0 {
            return Vec::new();
        }
        let Some(parents) = self.parents.get(&node) else {
            return vec![Vec::new()];
        };
        let mut ways = Vec::new();
        for (near, edge) in parents {
            for mut way in self.ways_to(*near, limit - ways.len()) {
                way.push((*near, edge.clone(), node));
                ways.push(way);
                if ways.len() >= limit {
                    return ways;
                }
            }
        }
        ways
    }
}

/// The shortest paths from `from` to `to` following `walk` either way, at most `max_hops`
/// long: at most `limit` of them, in a stable order. None when there is no such path; one
/// empty path when `from` is `to`. Issues one statement per hop, at most `max_hops`.
pub async fn shortest_paths(
    db: &Store,
    from: NodeId,
    to: NodeId,
    walk: &Walk,
    max_hops: usize,
    limit: usize,
) -> Result<Vec<Vec<Step>>, WalkError> {
    if from == to {
        return Ok(vec![Vec::new()]);
    }
    let mut forward = Side::new(from);
    let mut backward = Side::new(to);
    for hop in 1..=max_hops {
        let side = if forward.frontier.len() <= backward.frontier.len() {
            &mut forward
        } else {
            &mut backward
        };
        if side.frontier.is_empty() {
            return Ok(Vec::new());
        }
        if side.frontier.len() > MAX_FRONTIER {
            return Err(WalkError::TooWide { hop });
        }
        let frontier: Vec<NodeId> = side.frontier.iter().copied().collect();
        let reached = edges_touching(db, &frontier, walk, MAX_EDGES_PER_HOP).await?;
        if reached.len() as u64 > MAX_EDGES_PER_HOP {
            return Err(WalkError::TooWide { hop });
        }
        side.widen(reached);
        let meetings: BTreeMap<usize, Vec<NodeId>> = forward
            .distance
            .iter()
            .filter_map(|(node, d)| backward.distance.get(node).map(|b| (d + b, *node)))
            .fold(BTreeMap::new(), |mut by_length, (length, node)| {
                by_length.entry(length).or_insert_with(Vec::new).push(node);
                by_length
            });
        if let Some((_, mut meetings)) = meetings.into_iter().next() {
            meetings.sort_unstable();
            return Ok(join(&forward, &backward, &meetings, limit));
        }
    }
    Ok(Vec::new())
}

/// The paths through `meetings`: every way from the start to a meeting node joined to every
/// way from it to the end, at most `limit`.
fn join(forward: &Side, backward: &Side, meetings: &[NodeId], limit: usize) -> Vec<Vec<Step>> {
    let mut paths = Vec::new();
    for meeting in meetings {
        for head in forward.ways_to(*meeting, limit) {
            for tail in backward.ways_to(*meeting, limit) {
                let mut path: Vec<Step> = head
                    .iter()
                    .map(|(from, edge, to)| Step {
                        edge: edge.clone(),
                        from: *from,
                        to: *to,
                    })
                    .collect();
                // The backward side's ways run from the end; walked back, they run to it.
                path.extend(tail.iter().rev().map(|(far, edge, near)| Step {
                    edge: edge.clone(),
                    from: *near,
                    to: *far,
                }));
                paths.push(path);
                if paths.len() >= limit {
                    return paths;
                }
            }
        }
    }
    paths
}

/// The nodes around a node.
#[derive(Clone, Debug, Default)]
pub struct Neighbourhood {
    /// The nodes, the centre first, then by distance, each distance in id order.
    pub nodes: Vec<NodeId>,
    /// How many nodes the walk reached but left out to keep within its limit; when not zero,
    /// the walk went no deeper.
    pub left_out: u64,
}

/// The nodes around `centre` to `depth` hops, following `walk` either way, at most `limit` of
/// them. Issues one statement per hop, at most `depth`. The relationships among them are
/// [`crate::store::edges_among`] them; a caller that also loads the nodes can ask for both at once.
pub async fn neighbourhood(
    db: &Store,
    centre: NodeId,
    walk: &Walk,
    depth: usize,
    limit: usize,
) -> Result<Neighbourhood, WalkError> {
    let mut seen: BTreeSet<NodeId> = BTreeSet::from([centre]);
    let mut found = Neighbourhood {
        nodes: vec![centre],
        ..Default::default()
    };
    let mut frontier = vec![centre];
    for hop in 1..=depth {
        if frontier.is_empty() {
            break;
        }
        let reached = ends_touching(db, &frontier, walk, MAX_EDGES_PER_HOP).await?;
        if reached.len() as u64 > MAX_EDGES_PER_HOP {
            return Err(WalkError::TooWide { hop });
        }
        let new: BTreeSet<NodeId> = reached
            .into_iter()
            .filter(|far| !seen.contains(far))
            .collect();
        let room = limit.saturating_sub(found.nodes.len());
        let kept: Vec<NodeId> = new.iter().copied().take(room).collect();
        found.left_out = (new.len() - kept.len()) as u64;
        seen.extend(kept.iter().copied());
        found.nodes.extend(kept.iter().copied());
        if found.left_out > 0 {
            break;
        }
        frontier = kept;
    }
    Ok(found)
}
