//! One step of a walk through the graph: the relationships touching a set of nodes, in one
//! statement, for breadth-first searches that issue one statement per hop.

use govgraph_entities::{NodeKind, Predicate, edge, node};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Query, SelectStatement, UnionType};
use sea_orm::{DbBackend, DbErr, EntityName};
use uuid::Uuid;

use super::links::{decode_edge, select_edge};
use super::{Store, alias, col, one_of_ids};
use crate::ids::NodeId;
use crate::validity::{Period, overlaps};

const EDGE: &str = "edge";
const FAR: &str = "far";

/// A relationship reached from a node of a walk's frontier.
#[derive(Clone, Debug)]
pub struct Reached {
    /// The relationship.
    pub edge: edge::Model,
    /// Its end in the frontier.
    pub near: NodeId,
    /// Its other end.
    pub far: NodeId,
}

/// Which relationships a walk may follow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walk {
    /// Predicates it may follow; any when empty.
    pub predicates: Vec<Predicate>,
    /// Kinds the node it reaches may have; any when empty.
    pub kinds: Vec<NodeKind>,
    /// Periods every relationship it follows must overlap.
    pub during: Vec<Period>,
}

/// The relationships `walk` may follow from the nodes of `frontier`, either way, at most
/// `cap + 1` of them (so a caller can tell that there were more than `cap`): one statement, a
/// branch per direction, each through the index on its end.
pub async fn edges_touching(
    db: &Store,
    frontier: &[NodeId],
    walk: &Walk,
    cap: u64,
) -> Result<Vec<Reached>, DbErr> {
    let query = touching(db.backend(), frontier, walk, cap, true);
    db.select("SELECT edge", &query)
        .await?
        .iter()
        .map(|row| {
            Ok(Reached {
                edge: decode_edge(row)?,
                near: NodeId(row.try_get::<Uuid>("", "near_id")?),
                far: NodeId(row.try_get::<Uuid>("", "far_id")?),
            })
        })
        .collect()
}

/// The nodes at the far end of the relationships [`edges_touching`] finds, without the
/// relationships: a walk that keeps nodes, not the ways to them, reads only ids.
pub async fn ends_touching(
    db: &Store,
    frontier: &[NodeId],
    walk: &Walk,
    cap: u64,
) -> Result<Vec<NodeId>, DbErr> {
    let query = touching(db.backend(), frontier, walk, cap, false);
    db.select("SELECT edge", &query)
        .await?
        .iter()
        .map(|row| Ok(NodeId(row.try_get::<Uuid>("", "far_id")?)))
        .collect()
}

/// The statement of [`edges_touching`] (with the relationships' columns when `whole`) and of
/// [`ends_touching`].
fn touching(
    backend: DbBackend,
    frontier: &[NodeId],
    walk: &Walk,
    cap: u64,
    whole: bool,
) -> SelectStatement {
    let branch = |outgoing: bool| {
        let (near, far) = if outgoing {
            ("subject_id", "object_id")
        } else {
            ("object_id", "subject_id")
        };
        let mut query = Query::select();
        query.from(edge::Entity);
        if whole {
            select_edge(&mut query, edge::Entity.table_name(), "");
        }
        query
            .expr_as(col(EDGE, near), alias("near_id"))
            .expr_as(col(EDGE, far), alias("far_id"))
            .and_where(one_of_ids(
                col(EDGE, near),
                frontier.iter().map(|id| id.0),
                backend,
            ));
        if !walk.predicates.is_empty() {
            query.and_where(
                col(EDGE, "predicate").is_in(walk.predicates.iter().map(|p| p.as_str())),
            );
        }
        for period in &walk.during {
            query.cond_where(overlaps(
                col(EDGE, "valid_from"),
                col(EDGE, "valid_to"),
                period,
            ));
        }
        if !walk.kinds.is_empty() {
            query
                .join_as(
                    JoinType::InnerJoin,
                    node::Entity,
                    alias(FAR),
                    col(FAR, "id").eq(col(EDGE, far)),
                )
                .and_where(col(FAR, "kind").is_in(walk.kinds.iter().map(|k| k.as_str())));
        }
        query
    };
    let mut query = branch(true);
    query.union(UnionType::All, branch(false));
    let mut limited = Query::select();
    limited
        .expr(Expr::col(sea_orm::sea_query::Asterisk))
        .from_subquery(query, alias("reached"))
        .limit(cap.saturating_add(1));
    limited
}

/// The relationships `walk` may follow whose both ends are among `nodes`, in id order: one
/// statement.
pub async fn edges_among(
    db: &Store,
    nodes: &[NodeId],
    walk: &Walk,
) -> Result<Vec<edge::Model>, DbErr> {
    let ids = || nodes.iter().map(|id| id.0);
    let mut query = Query::select();
    query.from(edge::Entity);
    select_edge(&mut query, edge::Entity.table_name(), "");
    query
        .and_where(one_of_ids(col(EDGE, "subject_id"), ids(), db.backend()))
        .and_where(one_of_ids(col(EDGE, "object_id"), ids(), db.backend()))
        .order_by((alias(EDGE), alias("id")), sea_orm::sea_query::Order::Asc);
    if !walk.predicates.is_empty() {
        query.and_where(col(EDGE, "predicate").is_in(walk.predicates.iter().map(|p| p.as_str())));
    }
    for period in &walk.during {
        query.cond_where(overlaps(
            col(EDGE, "valid_from"),
            col(EDGE, "valid_to"),
            period,
        ));
    }
    db.select("SELECT edge", &query)
        .await?
        .iter()
        .map(decode_edge)
        .collect()
}
