//! Pages of a node's relationships, for many nodes at once.

use std::collections::HashMap;
use std::sync::Arc;

use govgraph_entities::{NodeKind, Predicate, edge, node};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement, UnionType,
    WindowStatement,
};
use sea_orm::{DbBackend, DbErr, EntityName, FromQueryResult, IdenStatic, Iterable, QueryResult};
use uuid::Uuid;

use crate::ids::{EdgeId, NodeId};
use crate::validity::{Period, overlaps};

use super::{NodeRecord, Store, alias, all_kinds, col, decode_node, page_bounds, select_nodes};
use crate::page::{Cursor, Page};

/// Which way a relationship runs, seen from the node it is asked of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The node is the subject: `node --predicate--> other`.
    Outgoing,
    /// The node is the object: `other --predicate--> node`.
    Incoming,
    /// Either way.
    Both,
}

/// Which relationships of a node a connection lists, and in what order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinkSpec {
    /// Predicates to follow; empty means all.
    pub predicates: Vec<Predicate>,
    /// Which way to follow them.
    pub direction: Direction,
    /// Kinds the node at the other end may have; empty means all.
    pub kinds: Vec<NodeKind>,
    /// UN M49 regions (lower-case slugs) one of which the node at the other end, a country,
    /// must be in; empty means any node.
    pub regions: Vec<String>,
    /// Roles one of which the relationship must have; empty means any role or none.
    pub roles: Vec<String>,
    /// Periods every one of which the relationship must overlap.
    pub during: Vec<Period>,
    /// The order of the list.
    pub order: LinkOrder,
}

impl LinkSpec {
    /// Every relationship of `predicates` (all when empty) running `direction`, to nodes of
    /// `kinds` (any when empty), ordered by the other node's name.
    pub fn new(predicates: Vec<Predicate>, direction: Direction, kinds: Vec<NodeKind>) -> Self {
        Self {
            predicates,
            direction,
            kinds,
            regions: Vec::new(),
            roles: Vec::new(),
            during: Vec::new(),
            order: LinkOrder::default(),
        }
    }

    /// The same links in the default order: the key of their count, which no order changes,
    /// so that fields differing only in order share one count statement.
    pub fn unordered(self: &Arc<Self>) -> Arc<Self> {
        if self.order == LinkOrder::default() {
            return self.clone();
        }
        Arc::new(Self {
            order: LinkOrder::default(),
            ..(**self).clone()
        })
    }
}

/// What a list of links is ordered by; the edge's id breaks ties.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LinkSortKey {
    /// The name of the node at the other end.
    #[default]
    OtherName,
    /// When the relationship began; those with no start sort first.
    ValidFrom,
    /// When the relationship ended; those with no end (ongoing) sort last.
    ValidTo,
}

/// The order of a list of links.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LinkOrder {
    /// What the list is ordered by.
    pub key: LinkSortKey,
    /// Whether from the highest down.
    pub descending: bool,
}

impl LinkOrder {
    /// The order's name, carried in cursors so that a cursor of one order is refused by a
    /// list in another: `OtherNameAsc`, `ValidFromDesc`.
    pub fn name(&self) -> &'static str {
        match (self.key, self.descending) {
            (LinkSortKey::OtherName, false) => LINK_ORDER,
            (LinkSortKey::OtherName, true) => "OtherNameDesc",
            (LinkSortKey::ValidFrom, false) => "ValidFromAsc",
            (LinkSortKey::ValidFrom, true) => "ValidFromDesc",
            (LinkSortKey::ValidTo, false) => "ValidToAsc",
            (LinkSortKey::ValidTo, true) => "ValidToDesc",
        }
    }
}

/// A relationship seen from one end, with the node at the other end.
#[derive(Clone, Debug)]
pub struct LinkRow {
    /// The node the relationship was asked of.
    pub anchor: NodeId,
    /// The edge.
    pub edge: edge::Model,
    /// The node at the other end.
    pub other: Arc<NodeRecord>,
    /// Position in the anchor's list.
    pub cursor: Cursor,
}

/// The order of a list of links unless asked otherwise: by the other node's name, then the
/// edge id.
pub const LINK_ORDER: &str = "OtherNameAsc";

const LINK: &str = "link";
const OTHER: &str = "other";
const PAGE: &str = "page";

/// The prefix of the edge columns a statement here selects.
const EDGE: &str = "e_";

/// Selects the edge columns of table alias `table`, named `{from}{column}` there, as
/// `e_{column}`, for [`decode_edge`].
pub(super) fn select_edge(query: &mut SelectStatement, table: &str, from: &str) {
    for column in edge::Column::iter() {
        let name = column.as_str();
        query.expr_as(
            col(table, &format!("{from}{name}")),
            alias(&format!("{EDGE}{name}")),
        );
    }
}

/// Reads the edge columns [`select_edge`] selected.
pub(super) fn decode_edge(row: &QueryResult) -> Result<edge::Model, DbErr> {
    edge::Model::from_query_result(row, EDGE)
}

/// `SELECT edge.*, anchor, other FROM edge WHERE anchor IN (...)`, for each direction asked, joined by UNION ALL.
fn edges_of(anchors: &[NodeId], spec: &LinkSpec) -> SelectStatement {
    let branch = |outgoing: bool| {
        let (anchor, other) = if outgoing {
            ("subject_id", "object_id")
        } else {
            ("object_id", "subject_id")
        };
        let mut query = Query::select();
        query.from(edge::Entity);
        select_edge(&mut query, edge::Entity.table_name(), "");
        query
            .expr_as(col("edge", anchor), alias("anchor_id"))
            .expr_as(col("edge", other), alias("other_id"))
            .and_where(col("edge", anchor).is_in(anchors.iter().map(|anchor| anchor.0)));
        if !spec.predicates.is_empty() {
            query.and_where(
                col("edge", "predicate").is_in(spec.predicates.iter().map(|p| p.as_str())),
            );
        }
        if !spec.roles.is_empty() {
            query.and_where(col("edge", "role").is_in(spec.roles.iter().cloned()));
        }
        for period in &spec.during {
            query.cond_where(overlaps(
                col("edge", "valid_from"),
                col("edge", "valid_to"),
                period,
            ));
        }
        query
    };
    match spec.direction {
        Direction::Outgoing => branch(true),
        Direction::Incoming => branch(false),
        Direction::Both => {
            let mut query = branch(true);
            query.union(UnionType::All, branch(false));
            query
        }
    }
}

/// The kinds the node at the other end can have: the spec's, else those its predicates allow in its direction, else all.
fn target_kinds(spec: &LinkSpec) -> Vec<NodeKind> {
    if !spec.kinds.is_empty() {
        return spec.kinds.clone();
    }
    if spec.predicates.is_empty() {
        return all_kinds();
    }
    let mut kinds: Vec<NodeKind> = spec
        .predicates
        .iter()
        .flat_map(|predicate| match spec.direction {
            Direction::Outgoing => predicate.object_kinds_of_any(),
            Direction::Incoming => predicate.subject_kinds(),
            Direction::Both => {
                let mut both = predicate.object_kinds_of_any();
                both.extend(predicate.subject_kinds());
                both
            }
        })
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// Joins the edges of `spec` to the node at their other end, filtered to the spec's kinds;
/// with the other node's columns and details selected, as `details`' database reads them best,
/// when it is given.
fn links_query(anchors: &[NodeId], spec: &LinkSpec, details: Option<DbBackend>) -> SelectStatement {
    let mut query = Query::select();
    query
        .from_subquery(edges_of(anchors, spec), alias(LINK))
        .join_as(
            JoinType::InnerJoin,
            node::Entity,
            alias(OTHER),
            col(OTHER, "id").equals((alias(LINK), alias("other_id"))),
        );
    let kinds = target_kinds(spec);
    if let Some(backend) = details {
        select_nodes(&mut query, OTHER, &kinds, backend);
    }
    if kinds.len() < NodeKind::iter().count() {
        query.and_where(col(OTHER, "kind").is_in(kinds.iter().map(|k| k.as_str())));
    }
    if !spec.regions.is_empty() {
        query.and_where(in_regions(col(OTHER, "id"), &spec.regions));
    }
    query
}

/// The node `node` is a country in one of `regions`.
fn in_regions(node: Expr, regions: &[String]) -> Expr {
    let mut country = Query::select();
    country
        .expr(Expr::val(1))
        .from(govgraph_entities::country::Entity)
        .and_where(col("country", "node_id").eq(node))
        .and_where(col("country", "region").is_in(regions.iter().cloned()));
    Expr::exists(country)
}

/// The expression a list of links is ordered by, over the numbered links' columns.
fn link_sort_key(key: LinkSortKey) -> Expr {
    let dated = |column: &str, open: &str| {
        Expr::expr(Func::coalesce([
            col(LINK, &format!("{EDGE}{column}")),
            Expr::val(open),
        ]))
    };
    match key {
        LinkSortKey::OtherName => col(OTHER, "name"),
        LinkSortKey::ValidFrom => dated("valid_from", ""),
        LinkSortKey::ValidTo => dated("valid_to", super::relationships::ONGOING),
    }
}

/// One page of links for each anchor, in one statement: the links are numbered per anchor with `ROW_NUMBER()` and the first `limit + 1` of each kept. Every anchor gets an entry.
pub async fn link_pages(
    db: &Store,
    anchors: &[NodeId],
    spec: &LinkSpec,
    page: &Page,
) -> Result<HashMap<NodeId, Vec<LinkRow>>, DbErr> {
    let key = link_sort_key(spec.order.key);
    let id = col(LINK, &format!("{EDGE}id"));
    let (bounds, order) = page_bounds(page, &key, &id, spec.order.descending);
    let mut numbered = links_query(anchors, spec, Some(db.backend()));
    select_edge(&mut numbered, LINK, EDGE);
    numbered
        .expr_as(col(LINK, "anchor_id"), alias("anchor_id"))
        .expr_as(key.clone(), alias("sort_key"))
        .expr_window_as(
            Func::cust(alias("ROW_NUMBER")),
            WindowStatement::partition_by((alias(LINK), alias("anchor_id")))
                .order_by_expr(key, order.clone())
                .order_by_expr(id, order)
                .to_owned(),
            alias("rn"),
        )
        .cond_where(bounds);
    let limit = i64::try_from(page.limit + 1).unwrap_or(i64::MAX);
    let mut query = Query::select();
    query
        .column(Asterisk)
        .from_subquery(numbered, alias(PAGE))
        .and_where(col(PAGE, "rn").lte(limit))
        .order_by((alias(PAGE), alias("anchor_id")), Order::Asc)
        .order_by((alias(PAGE), alias("rn")), Order::Asc);

    let mut pages: HashMap<NodeId, Vec<LinkRow>> =
        anchors.iter().map(|a| (*a, Vec::new())).collect();
    for row in db.select("SELECT edge", &query).await? {
        let edge = decode_edge(&row)?;
        let other = Arc::new(decode_node(&row)?);
        let anchor = NodeId(row.try_get::<Uuid>("", "anchor_id")?);
        let cursor = Cursor {
            order: spec.order.name().to_owned(),
            key: row.try_get("", "sort_key")?,
            id: edge.id,
        };
        pages.entry(anchor).or_default().push(LinkRow {
            anchor,
            edge,
            other,
            cursor,
        });
    }
    Ok(pages)
}

/// How many links of `spec` each anchor has. Every anchor gets an entry.
pub async fn count_links(
    db: &Store,
    anchors: &[NodeId],
    spec: &LinkSpec,
) -> Result<HashMap<NodeId, u64>, DbErr> {
    let mut query = links_query(anchors, spec, None);
    query
        .expr_as(col(LINK, "anchor_id"), alias("anchor_id"))
        .expr_as(Func::count(Expr::col(Asterisk)), alias("total"))
        .group_by_col((Alias::new(LINK), Alias::new("anchor_id")));
    let mut counts: HashMap<NodeId, u64> = anchors.iter().map(|a| (*a, 0)).collect();
    for row in db.select("SELECT edge", &query).await? {
        let anchor = NodeId(row.try_get::<Uuid>("", "anchor_id")?);
        let total: i64 = row.try_get("", "total")?;
        counts.insert(anchor, u64::try_from(total).unwrap_or_default());
    }
    Ok(counts)
}

/// The edges with the given ids.
pub async fn edges_by_id(db: &Store, ids: &[EdgeId]) -> Result<Vec<edge::Model>, DbErr> {
    let mut query = Query::select();
    query.from(edge::Entity);
    select_edge(&mut query, edge::Entity.table_name(), "");
    query.and_where(col("edge", "id").is_in(ids.iter().map(|id| id.0)));
    db.select("SELECT edge", &query)
        .await?
        .iter()
        .map(decode_edge)
        .collect()
}
