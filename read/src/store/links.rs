//! Pages of a node's relationships, for many nodes at once.

use std::collections::HashMap;
use std::sync::Arc;

use govgraph_entities::{NodeKind, Predicate, edge, node};
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, IntoIden, IntoValueTuple, JoinType, Order,
    Query, SelectStatement, TableRef, UnionType, WindowStatement,
};
use sea_orm::{DbBackend, DbErr, EntityName, FromQueryResult, IdenStatic, Iterable, QueryResult};
use uuid::Uuid;

use crate::ids::{EdgeId, NodeId};
use crate::relationships::EdgeSortKey;
use crate::validity::{Period, overlaps};

use super::relationships::{date_key, dated_condition};
use super::{
    NodeRecord, Store, alias, all_kinds, col, decode_node, fetch_order, one_of_ids, select_nodes,
};
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
    /// Whether the relationship must have a start (`true`) or must have none (`false`);
    /// either when `None`.
    pub dated: Option<bool>,
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
            dated: None,
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
/// The anchors of a page, as a `VALUES` list.
const ANCHOR: &str = "anchor";
/// The ranges of an index a page reads, as a `VALUES` list.
pub(super) const RANGE: &str = "range";
/// The relationships one range gives, inside the subquery that reads it.
pub(super) const PROBE: &str = "probe";
/// The relationships the ranges gave.
const FOUND: &str = "found";

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

/// The columns of a relationship that hold its two ends, seen from the node a list is asked of.
#[derive(Clone, Copy)]
struct Ends {
    /// Whether the node the list is asked of is the subject.
    outgoing: bool,
    /// The node the list is asked of.
    anchor: &'static str,
    /// The node at the other end.
    other: &'static str,
    /// The kind of the node at the other end, kept on the relationship.
    other_kind: &'static str,
    /// The name of the node at the other end, kept on the relationship.
    other_name: &'static str,
}

const OUTGOING: Ends = Ends {
    outgoing: true,
    anchor: "subject_id",
    other: "object_id",
    other_kind: "object_kind",
    other_name: "object_name",
};

const INCOMING: Ends = Ends {
    outgoing: false,
    anchor: "object_id",
    other: "subject_id",
    other_kind: "subject_kind",
    other_name: "subject_name",
};

impl Direction {
    /// The ends of the relationships a list in this direction reads, one set per direction.
    fn ends(self) -> &'static [Ends] {
        match self {
            Direction::Outgoing => &[OUTGOING],
            Direction::Incoming => &[INCOMING],
            Direction::Both => &[OUTGOING, INCOMING],
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
        .direction
        .ends()
        .iter()
        .flat_map(|ends| {
            spec.predicates
                .iter()
                .flat_map(|predicate| other_kinds(*predicate, ends))
        })
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// The kinds the node at the other end of a relationship of `predicate` can have.
fn other_kinds(predicate: Predicate, ends: &Ends) -> Vec<NodeKind> {
    if ends.outgoing {
        predicate.object_kinds_of_any()
    } else {
        predicate.subject_kinds()
    }
}

/// The ranges of an index a list with `ends` reads: one per predicate it follows and kind the
/// other end may have, each a `(predicate, kind)` pair.
fn ranges(spec: &LinkSpec, ends: &Ends) -> Vec<(String, &'static str)> {
    let predicates: Vec<Predicate> = if spec.predicates.is_empty() {
        Predicate::iter().collect()
    } else {
        spec.predicates.clone()
    };
    let mut ranges: Vec<(String, &'static str)> = predicates
        .into_iter()
        .flat_map(|predicate| {
            other_kinds(predicate, ends)
                .into_iter()
                .filter(|kind| spec.kinds.is_empty() || spec.kinds.contains(kind))
                .map(move |kind| (predicate.as_str(), kind.as_str()))
        })
        .collect();
    // A predicate or kind asked for twice is one range, read once.
    ranges.sort_unstable();
    ranges.dedup();
    ranges
}

/// Narrows the relationships of table alias `table` to those the spec's roles, periods and
/// regions keep.
fn narrow(query: &mut SelectStatement, table: &str, ends: &Ends, spec: &LinkSpec) {
    if !spec.roles.is_empty() {
        query.and_where(col(table, "role").is_in(spec.roles.iter().cloned()));
    }
    for period in &spec.during {
        query.cond_where(overlaps(
            col(table, "valid_from"),
            col(table, "valid_to"),
            period,
        ));
    }
    if !spec.regions.is_empty() {
        query.and_where(in_regions(col(table, ends.other), &spec.regions));
    }
    if let Some(dated) = spec.dated {
        let by_start = spec.order.key == LinkSortKey::ValidFrom;
        query.and_where(dated_condition(table, by_start, dated));
    }
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

/// The expression a list of links is ordered by, over the relationships of table alias
/// `table`: the very expression its index holds (see migration 6), constants included, so
/// that both databases read the index in the list's order.
fn link_sort_key(table: &str, ends: &Ends, key: LinkSortKey) -> Expr {
    match key {
        LinkSortKey::OtherName => col(table, ends.other_name),
        LinkSortKey::ValidFrom => date_key(table, EdgeSortKey::ValidFrom),
        LinkSortKey::ValidTo => date_key(table, EdgeSortKey::ValidTo),
    }
}

/// `(key, id)` lies past `cursor`: after it when `greater`, else before it. Compared as one
/// row value, which both databases turn into the start of an index range; the key alone is
/// bounded too, because SQLite starts a range of an index on an expression only from a bound
/// on that expression.
fn past(key: Expr, id: Expr, cursor: &Cursor, greater: bool) -> Condition {
    let there = Expr::tuple([Expr::val(cursor.key.clone()), Expr::val(cursor.id)]);
    let here = Expr::tuple([key.clone(), id]);
    let from = Expr::val(cursor.key.clone());
    if greater {
        Condition::all().add(key.gte(from)).add(here.gt(there))
    } else {
        Condition::all().add(key.lte(from)).add(here.lt(there))
    }
}

/// The first `limit` relationships of one anchor in one range (predicate and kind of the other
/// end) of the index in the page's order, between the page's cursors: the inner loop of
/// [`link_pages`], correlated with the anchor and range rows it is joined to.
fn first_in_range(
    spec: &LinkSpec,
    ends: &Ends,
    page: &Page,
    limit: u64,
    table: &str,
) -> SelectStatement {
    let key = link_sort_key(table, ends, spec.order.key);
    let id = col(table, "id");
    let descending = spec.order.descending;
    let mut query = Query::select();
    query
        .from_as(edge::Entity, alias(table))
        .and_where(col(table, ends.anchor).equals((alias(ANCHOR), alias("column1"))))
        .and_where(col(table, "predicate").equals((alias(RANGE), alias("column1"))))
        .and_where(col(table, ends.other_kind).equals((alias(RANGE), alias("column2"))));
    narrow(&mut query, table, ends, spec);
    first_of_page(&mut query, key, id, page, descending, limit);
    query
}

/// Cuts `query`, over one range of an index in the list's order `(key, id)`, to the page's
/// first `limit` rows between its cursors: the rows a range gives a page.
pub(super) fn first_of_page(
    query: &mut SelectStatement,
    key: Expr,
    id: Expr,
    page: &Page,
    descending: bool,
    limit: u64,
) {
    if let Some(after) = &page.after {
        query.cond_where(past(key.clone(), id.clone(), after, !descending));
    }
    if let Some(before) = &page.before {
        query.cond_where(past(key.clone(), id.clone(), before, descending));
    }
    let order = fetch_order(page, descending);
    query
        .order_by_expr(key, order.clone())
        .order_by_expr(id, order)
        .limit(limit);
}

/// Selects what [`link_pages`] reads of the relationships of table alias `table`: their
/// columns, the other end's id and the sort key.
fn select_found(query: &mut SelectStatement, table: &str, ends: &Ends, spec: &LinkSpec) {
    select_edge(query, table, "");
    query
        .expr_as(col(table, ends.other), alias("other_id"))
        .expr_as(
            link_sort_key(table, ends, spec.order.key),
            alias("sort_key"),
        );
}

/// Joins to each row of `query`, a range of an index, the rows `first` reads from it (over
/// table alias [`PROBE`], correlated with the range), which `select` then selects over the
/// table alias it gives. PostgreSQL joins them `LATERAL`; SQLite, which has no `LATERAL`, looks
/// the same rows up by `rowid IN (...)`, a subquery it runs once per range.
pub(super) fn join_first_rows(
    query: &mut SelectStatement,
    mut first: SelectStatement,
    backend: DbBackend,
    select: impl Fn(&mut SelectStatement, &str),
) {
    if backend == DbBackend::Postgres {
        select(&mut first, PROBE);
        query
            .join_lateral(JoinType::InnerJoin, first, alias(FOUND), Expr::cust("TRUE"))
            .column((alias(FOUND), Asterisk));
    } else {
        first.expr(col(PROBE, "rowid"));
        // Cross joins, which SQLite never reorders: each range first, then the rows it gives,
        // by rowid. Left to choose, SQLite may scan every relationship and test it against
        // each range's rows.
        query
            .join_as(
                JoinType::CrossJoin,
                edge::Entity,
                alias(FOUND),
                Condition::all(),
            )
            .and_where(col(FOUND, "rowid").in_subquery(first));
        select(query, FOUND);
    }
}

/// The page's relationships of every anchor in direction `ends`: for each anchor and each
/// range, the first `limit` of the range, read from its index. PostgreSQL joins the ranges
/// `LATERAL`; SQLite, which has no `LATERAL`, looks the same rows up by `rowid IN (...)`, a
/// subquery it runs once per anchor and range. `None` when no range can hold a relationship
/// of the spec.
fn pages_in_direction(
    anchors: &[NodeId],
    spec: &LinkSpec,
    ends: &Ends,
    page: &Page,
    limit: u64,
    backend: DbBackend,
) -> Option<SelectStatement> {
    let ranges = ranges(spec, ends);
    if ranges.is_empty() || anchors.is_empty() {
        return None;
    }
    let mut query = Query::select();
    query
        .expr_as(col(ANCHOR, "column1"), alias("anchor_id"))
        .from_values(anchors.iter().map(|anchor| anchor.0), alias(ANCHOR))
        .join(
            JoinType::CrossJoin,
            TableRef::ValuesList(
                ranges
                    .into_iter()
                    .map(IntoValueTuple::into_value_tuple)
                    .collect(),
                alias(RANGE).into_iden(),
            ),
            Condition::all(),
        );
    let first = first_in_range(spec, ends, page, limit, PROBE);
    join_first_rows(&mut query, first, backend, |query, table| {
        select_found(query, table, ends, spec);
    });
    Some(query)
}

/// [`pages_in_direction`] for each direction of the spec, as one union; `None` when no range
/// can hold a relationship of the spec.
fn pages_in_every_direction(
    anchors: &[NodeId],
    spec: &LinkSpec,
    page: &Page,
    limit: u64,
    backend: DbBackend,
) -> Option<SelectStatement> {
    let mut directions = spec
        .direction
        .ends()
        .iter()
        .filter_map(|ends| pages_in_direction(anchors, spec, ends, page, limit, backend));
    let mut found = directions.next()?;
    for more in directions {
        found.union(UnionType::All, more);
    }
    Some(found)
}

/// One page of links for each anchor, in one statement whose cost is the size of the pages,
/// not the number of the anchors' relationships: each range of the index in the page's order
/// gives its first `limit + 1` rows ([`pages_in_direction`]), the ranges of an anchor are
/// merged by `ROW_NUMBER()`, the first `limit + 1` kept, and only those joined to the nodes at
/// their other end. Every anchor gets an entry.
pub async fn link_pages(
    db: &Store,
    anchors: &[NodeId],
    spec: &LinkSpec,
    page: &Page,
) -> Result<HashMap<NodeId, Vec<LinkRow>>, DbErr> {
    let mut pages: HashMap<NodeId, Vec<LinkRow>> =
        anchors.iter().map(|a| (*a, Vec::new())).collect();
    let limit = page.limit + 1;
    let Some(found) = pages_in_every_direction(anchors, spec, page, limit, db.backend()) else {
        return Ok(pages);
    };
    let order = fetch_order(page, spec.order.descending);
    let mut numbered = Query::select();
    numbered
        .column((alias(LINK), Asterisk))
        .from_subquery(found, alias(LINK))
        .expr_window_as(
            Func::cust(alias("ROW_NUMBER")),
            WindowStatement::partition_by((alias(LINK), alias("anchor_id")))
                .order_by_expr(col(LINK, "sort_key"), order.clone())
                .order_by_expr(col(LINK, &format!("{EDGE}id")), order)
                .to_owned(),
            alias("rn"),
        );
    let mut query = Query::select();
    query
        .column((alias(PAGE), Asterisk))
        .from_subquery(numbered, alias(PAGE))
        // A cross join, which SQLite never reorders: the page first, then each of its few
        // rows' other ends by key. Left to choose, SQLite may scan every node instead.
        .join_as(
            JoinType::CrossJoin,
            node::Entity,
            alias(OTHER),
            Condition::all(),
        )
        .and_where(col(OTHER, "id").equals((alias(PAGE), alias("other_id"))));
    select_nodes(&mut query, OTHER, &target_kinds(spec), db.backend());
    query
        .and_where(col(PAGE, "rn").lte(i64::try_from(limit).unwrap_or(i64::MAX)))
        .order_by((alias(PAGE), alias("anchor_id")), Order::Asc)
        .order_by((alias(PAGE), alias("rn")), Order::Asc);

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

/// One page of the links of all `anchors` together, as one list: each range of the index in
/// the page's order gives its first `limit + 1` rows ([`pages_in_direction`]), and the first
/// `limit + 1` of them all, once each (a relationship between two anchors is found from both),
/// are the page. The cost is the page's size times the number of ranges, whatever the number of
/// the anchors' relationships. Only the relationships are read, not their ends.
pub async fn merged_links(
    db: &Store,
    anchors: &[NodeId],
    spec: &LinkSpec,
    page: &Page,
) -> Result<Vec<(edge::Model, Cursor)>, DbErr> {
    let limit = page.limit + 1;
    let Some(found) = pages_in_every_direction(anchors, spec, page, limit, db.backend()) else {
        return Ok(Vec::new());
    };
    let order = fetch_order(page, spec.order.descending);
    let mut query = Query::select();
    if spec.direction == Direction::Both && anchors.len() > 1 {
        query.distinct();
    }
    query.from_subquery(found, alias(LINK));
    for column in edge::Column::iter() {
        query.column((alias(LINK), alias(&format!("{EDGE}{}", column.as_str()))));
    }
    query
        .column((alias(LINK), alias("sort_key")))
        .order_by((alias(LINK), alias("sort_key")), order.clone())
        .order_by((alias(LINK), alias(&format!("{EDGE}id"))), order)
        .limit(limit);
    db.select("SELECT edge", &query)
        .await?
        .iter()
        .map(|row| {
            let edge = decode_edge(row)?;
            let cursor = Cursor {
                order: spec.order.name().to_owned(),
                key: row.try_get("", "sort_key")?,
                id: edge.id,
            };
            Ok((edge, cursor))
        })
        .collect()
}

/// How many links of `spec` each anchor has, read from the relationships alone: the kinds of
/// their ends are kept with them. Every anchor gets an entry.
pub async fn count_links(
    db: &Store,
    anchors: &[NodeId],
    spec: &LinkSpec,
) -> Result<HashMap<NodeId, u64>, DbErr> {
    let mut counts: HashMap<NodeId, u64> = anchors.iter().map(|a| (*a, 0)).collect();
    if anchors.is_empty() {
        return Ok(counts);
    }
    let kinds = target_kinds(spec);
    let table = edge::Entity.table_name();
    let mut directions = spec.direction.ends().iter().map(|ends| {
        let mut query = Query::select();
        query
            .from(edge::Entity)
            .expr_as(col(table, ends.anchor), alias("anchor_id"))
            .and_where(one_of_ids(
                col(table, ends.anchor),
                anchors.iter().map(|anchor| anchor.0),
                db.backend(),
            ));
        if !spec.predicates.is_empty() {
            query.and_where(
                col(table, "predicate").is_in(spec.predicates.iter().map(|p| p.as_str())),
            );
        }
        if kinds.len() < NodeKind::iter().count() {
            query.and_where(col(table, ends.other_kind).is_in(kinds.iter().map(|k| k.as_str())));
        }
        narrow(&mut query, table, ends, spec);
        query
    });
    let Some(mut links) = directions.next() else {
        return Ok(counts);
    };
    for more in directions {
        links.union(UnionType::All, more);
    }
    let mut query = Query::select();
    query
        .from_subquery(links, alias(LINK))
        .expr_as(col(LINK, "anchor_id"), alias("anchor_id"))
        .expr_as(Func::count(Expr::col(Asterisk)), alias("total"))
        .group_by_col((Alias::new(LINK), Alias::new("anchor_id")));
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
