//! Questions about relationships across the whole graph: a filtered, ordered page of them,
//! their counts grouped by what they join, and nodes ranked by how many they have. Each is one
//! statement.

use std::cmp::Ordering;

use govgraph_entities::{NodeKind, Predicate, edge, node};
use sea_orm::sea_query::{
    Asterisk, Condition, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement, UnionType,
};
use sea_orm::{DbBackend, DbErr, Iterable, QueryResult};
use uuid::Uuid;

use super::links::{
    LinkOrder, LinkSortKey, LinkSpec, PROBE, RANGE, decode_edge, first_of_page, join_first_rows,
    merged_links, select_edge,
};
use super::{NODE, NodeRecord, Store, alias, col, decode_node, fetch_order, select_nodes, total};
use crate::ids::NodeId;
use crate::page::{Cursor, Page};
use crate::relationships::{
    EdgeCriteria, EdgeGroup, EdgeGrouping, EdgeListing, EdgeSortKey, NodeGrouping, Ranking,
};
use crate::store::Direction;
use crate::validity::{Period, overlaps};

const EDGE: &str = "edge";
const SUBJECT: &str = "subject";
const OBJECT: &str = "object";
const TALLY: &str = "edge_tally";
const DEGREE: &str = "node_degree";

/// A relationship of a listing, with its cursor.
pub struct ListedEdge {
    /// Position in the listing.
    pub cursor: Cursor,
    /// The relationship.
    pub edge: edge::Model,
}

/// `column IN (SELECT id FROM node WHERE kind IN (kinds))`.
fn of_kinds(column: Expr, kinds: &[NodeKind]) -> Expr {
    let mut nodes = Query::select();
    nodes
        .column(node::Column::Id)
        .from(node::Entity)
        .and_where(Expr::col(node::Column::Kind).is_in(kinds.iter().map(|k| k.as_str())));
    column.in_subquery(nodes)
}

/// `column IN (ids)`.
fn one_of_nodes(column: Expr, ids: &[NodeId]) -> Expr {
    column.is_in(ids.iter().map(|id| id.0))
}

/// The roles and periods of relationships in table alias `table`.
fn role_and_time(table: &str, roles: &[String], during: &[Period]) -> Condition {
    let mut all = Condition::all();
    if !roles.is_empty() {
        all = all.add(col(table, "role").is_in(roles.iter().cloned()));
    }
    for period in during {
        all = all.add(overlaps(
            col(table, "valid_from"),
            col(table, "valid_to"),
            period,
        ));
    }
    all
}

/// The SQL of `criteria` over relationships in table alias `table`; `by_start` when they are
/// read in order of start (see [`dated_condition`]).
fn edge_conditions(table: &str, criteria: &EdgeCriteria, by_start: bool) -> Condition {
    let mut all = role_and_time(table, &criteria.roles, &criteria.during);
    if !criteria.predicates.is_empty() {
        all =
            all.add(col(table, "predicate").is_in(criteria.predicates.iter().map(|p| p.as_str())));
    }
    if !criteria.subjects.is_empty() {
        all = all.add(one_of_nodes(col(table, "subject_id"), &criteria.subjects));
    }
    if !criteria.objects.is_empty() {
        all = all.add(one_of_nodes(col(table, "object_id"), &criteria.objects));
    }
    if !criteria.involving.is_empty() {
        all = all.add(
            Condition::any()
                .add(one_of_nodes(col(table, "subject_id"), &criteria.involving))
                .add(one_of_nodes(col(table, "object_id"), &criteria.involving)),
        );
    }
    if let Some(dated) = criteria.dated {
        all = all.add(dated_condition(table, by_start, dated));
    }
    // The ends' kinds are kept with each relationship (migration 6).
    if !criteria.subject_kinds.is_empty() {
        all = all.add(col(table, "subject_kind").is_in(kind_names(&criteria.subject_kinds)));
    }
    if !criteria.object_kinds.is_empty() {
        all = all.add(col(table, "object_kind").is_in(kind_names(&criteria.object_kinds)));
    }
    all
}

fn kind_names(kinds: &[NodeKind]) -> impl Iterator<Item = &'static str> + '_ {
    kinds.iter().map(|kind| kind.as_str())
}

/// The sort key of a relationship with no end: it holds still, so it ends after any dated one.
pub(super) const ONGOING: &str = "9999-12-31";

/// The relationship of table alias `table` has a start (`dated`) or has none. Read in order of
/// start (`by_start`), the condition bounds the sort key instead of testing `valid_from`, so
/// that an index's range starts past the undated, which sort first (or ends with them), rather
/// than reading through them.
pub(super) fn dated_condition(table: &str, by_start: bool, dated: bool) -> Expr {
    match (by_start, dated) {
        (true, true) => date_key(table, EdgeSortKey::ValidFrom).gt(""),
        (true, false) => date_key(table, EdgeSortKey::ValidFrom).eq(""),
        (false, true) => col(table, "valid_from").is_not_null(),
        (false, false) => col(table, "valid_from").is_null(),
    }
}

/// A listing of the relationships of given nodes, as the lists of links of those nodes merged
/// into one, which read their pages from the indexes of migration 6: when exactly one of
/// `subjects`, `objects` and `involving` is given, and no kind is asked of that end.
fn as_links(listing: &EdgeListing) -> Option<(&[NodeId], LinkSpec)> {
    let criteria = &listing.criteria;
    let (anchors, direction, kinds) = match (
        criteria.subjects.is_empty(),
        criteria.objects.is_empty(),
        criteria.involving.is_empty(),
    ) {
        (false, true, true) if criteria.subject_kinds.is_empty() => (
            &criteria.subjects,
            Direction::Outgoing,
            &criteria.object_kinds,
        ),
        (true, false, true) if criteria.object_kinds.is_empty() => (
            &criteria.objects,
            Direction::Incoming,
            &criteria.subject_kinds,
        ),
        (true, true, false)
            if criteria.subject_kinds.is_empty() && criteria.object_kinds.is_empty() =>
        {
            (&criteria.involving, Direction::Both, &criteria.object_kinds)
        }
        _ => return None,
    };
    let mut spec = LinkSpec::new(criteria.predicates.clone(), direction, kinds.clone());
    spec.roles = criteria.roles.clone();
    spec.during = criteria.during.clone();
    spec.dated = criteria.dated;
    spec.order = LinkOrder {
        key: match listing.order.key {
            EdgeSortKey::ValidFrom => LinkSortKey::ValidFrom,
            EdgeSortKey::ValidTo => LinkSortKey::ValidTo,
        },
        descending: listing.order.descending,
    };
    Some((anchors, spec))
}

/// The date a list of relationships of table alias `table` is ordered by, a missing start
/// before every date and a missing end after every date: the very expression the indexes of
/// migrations 6 and 8 hold, constants included, so that both databases read them in order.
pub(super) fn date_key(table: &str, key: EdgeSortKey) -> Expr {
    match key {
        EdgeSortKey::ValidFrom => Expr::cust(format!(r#"COALESCE("{table}"."valid_from", '')"#)),
        EdgeSortKey::ValidTo => {
            Expr::cust(format!(r#"COALESCE("{table}"."valid_to", '{ONGOING}')"#))
        }
    }
}

/// One page of a listing that names no node, merged from one range per predicate of the
/// timeline's index in the listing's order (migration 8): each gives its first `limit + 1`
/// matches after the cursor, and the first `limit + 1` of them all are the page. PostgreSQL
/// reads the ranges `LATERAL`; SQLite by `rowid IN (...)` under `CROSS JOIN`s it cannot
/// reorder, as a node's pages are read. `None` when no predicate can join the kinds asked.
fn timeline_page(
    listing: &EdgeListing,
    page: &Page,
    backend: DbBackend,
) -> Option<SelectStatement> {
    let limit = page.limit + 1;
    let descending = listing.order.descending;
    let order = fetch_order(page, descending);
    let criteria = &listing.criteria;
    let asked = |kinds: &[NodeKind], allowed: Vec<NodeKind>| {
        kinds.is_empty() || allowed.iter().any(|kind| kinds.contains(kind))
    };
    let mut predicates: Vec<String> = if criteria.predicates.is_empty() {
        Predicate::iter().collect()
    } else {
        criteria.predicates.clone()
    }
    .into_iter()
    // A predicate whose ends can never be of the kinds asked gives no range: it would be read
    // through for nothing.
    .filter(|p| asked(&criteria.subject_kinds, p.subject_kinds()))
    .filter(|p| asked(&criteria.object_kinds, p.object_kinds_of_any()))
    .map(|p| p.as_str())
    .collect();
    // A predicate asked for twice is one range, read once.
    predicates.sort_unstable();
    predicates.dedup();
    if predicates.is_empty() {
        return None;
    }
    let by_start = listing.order.key == EdgeSortKey::ValidFrom;
    let mut first = Query::select();
    first
        .from_as(edge::Entity, alias(PROBE))
        .and_where(col(PROBE, "predicate").equals((alias(RANGE), alias("column1"))))
        .cond_where(edge_conditions(PROBE, criteria, by_start));
    let key = date_key(PROBE, listing.order.key);
    first_of_page(&mut first, key, col(PROBE, "id"), page, descending, limit);
    let mut query = Query::select();
    query.from_values(predicates, alias(RANGE));
    join_first_rows(&mut query, first, backend, |query, table| {
        select_edge(query, table, "");
        query.expr_as(date_key(table, listing.order.key), alias("sort_key"));
    });
    query
        .order_by(alias("sort_key"), order.clone())
        .order_by(alias("e_id"), order)
        .limit(limit);
    Some(query)
}

/// One page of a listing of relationships, at the cost of the page whatever the number of
/// relationships in the graph or of the node named: the relationships of one node are read
/// as that node's lists of links are ([`as_links`]), a listing that names no node from the
/// timeline's indexes ([`timeline_page`]). Filters the indexes do not order by (roles, periods,
/// kinds, and whether dated unless ordered by start) are checked on the rows of each range,
/// which then reads the rows it skips. A listing that names two nodes, or asks a kind of the
/// node it names, reads its matches in order.
pub async fn list_edges(
    db: &Store,
    listing: &EdgeListing,
    page: &Page,
) -> Result<Vec<ListedEdge>, DbErr> {
    if let Some((anchors, spec)) = as_links(listing) {
        return Ok(merged_links(db, anchors, &spec, page)
            .await?
            .into_iter()
            .map(|(edge, cursor)| ListedEdge { cursor, edge })
            .collect());
    }
    let criteria = &listing.criteria;
    let query = if criteria.subjects.is_empty()
        && criteria.objects.is_empty()
        && criteria.involving.is_empty()
    {
        match timeline_page(listing, page, db.backend()) {
            Some(query) => query,
            None => return Ok(Vec::new()),
        }
    } else {
        let key = date_key(EDGE, listing.order.key);
        let by_start = listing.order.key == EdgeSortKey::ValidFrom;
        let mut query = Query::select();
        query.from(edge::Entity);
        select_edge(&mut query, EDGE, "");
        query
            .expr_as(key.clone(), alias("sort_key"))
            .cond_where(edge_conditions(EDGE, criteria, by_start));
        let (id, descending) = (col(EDGE, "id"), listing.order.descending);
        first_of_page(&mut query, key, id, page, descending, page.limit + 1);
        query
    };
    let name = listing.order.name();
    db.select("SELECT edge", &query)
        .await?
        .iter()
        .map(|row| {
            let edge = decode_edge(row)?;
            Ok(ListedEdge {
                cursor: Cursor {
                    order: name.to_owned(),
                    key: row.try_get("", "sort_key")?,
                    id: edge.id,
                },
                edge,
            })
        })
        .collect()
}

/// How many relationships `criteria` hold.
pub async fn count_edges(db: &Store, criteria: &EdgeCriteria) -> Result<u64, DbErr> {
    let mut query = Query::select();
    query
        .expr_as(Func::count(Expr::col(Asterisk)), alias("total"))
        .from(edge::Entity)
        .cond_where(edge_conditions(EDGE, criteria, false));
    total(&db.select("SELECT edge", &query).await?)
}

/// The first four characters of a date: its year.
fn year_of(date: Expr) -> Expr {
    Expr::expr(Func::cust("substr").args([date, Expr::val(1), Expr::val(4)]))
}

/// Left-joins table `table` as `alias_name` on `alias_name.node_id = node`, once.
fn join_detail(
    query: &mut SelectStatement,
    joined: &mut Vec<String>,
    table: &str,
    alias_name: &str,
    node: Expr,
) {
    if joined.iter().any(|j| j == alias_name) {
        return;
    }
    joined.push(alias_name.to_owned());
    query.join_as(
        JoinType::LeftJoin,
        alias(table),
        alias(alias_name),
        col(alias_name, "node_id").eq(node),
    );
}

/// Joins node table `node` as `alias_name` on `alias_name.id = node`, once.
fn join_node(query: &mut SelectStatement, joined: &mut Vec<String>, alias_name: &str, id: Expr) {
    if joined.iter().any(|j| j == alias_name) {
        return;
    }
    joined.push(alias_name.to_owned());
    query.join_as(
        JoinType::InnerJoin,
        node::Entity,
        alias(alias_name),
        col(alias_name, "id").eq(id),
    );
}

/// How a grouping's value is read from a row.
enum Decoded {
    Text,
    Id,
}

/// The expression of one grouping, joining what it needs, and how its value is read.
fn grouping_expr(
    query: &mut SelectStatement,
    joined: &mut Vec<String>,
    grouping: EdgeGrouping,
) -> (Expr, Decoded) {
    match grouping {
        EdgeGrouping::Predicate => (col(EDGE, "predicate"), Decoded::Text),
        EdgeGrouping::Subject => (col(EDGE, "subject_id"), Decoded::Id),
        EdgeGrouping::Object => (col(EDGE, "object_id"), Decoded::Id),
        EdgeGrouping::SubjectKind => {
            join_node(query, joined, SUBJECT, col(EDGE, "subject_id"));
            (col(SUBJECT, "kind"), Decoded::Text)
        }
        EdgeGrouping::ObjectKind => {
            join_node(query, joined, OBJECT, col(EDGE, "object_id"));
            (col(OBJECT, "kind"), Decoded::Text)
        }
        EdgeGrouping::SubjectRegion => {
            join_detail(
                query,
                joined,
                "country",
                "subject_country",
                col(EDGE, "subject_id"),
            );
            (col("subject_country", "region"), Decoded::Text)
        }
        EdgeGrouping::ObjectRegion => {
            join_detail(
                query,
                joined,
                "country",
                "object_country",
                col(EDGE, "object_id"),
            );
            (col("object_country", "region"), Decoded::Text)
        }
        EdgeGrouping::Year => (year_of(col(EDGE, "valid_from")), Decoded::Text),
        EdgeGrouping::EventYear => {
            join_detail(
                query,
                joined,
                "event",
                "object_event",
                col(EDGE, "object_id"),
            );
            join_detail(
                query,
                joined,
                "event",
                "subject_event",
                col(EDGE, "subject_id"),
            );
            (
                Expr::expr(Func::coalesce([
                    year_of(col("object_event", "starts_on")),
                    year_of(col("subject_event", "starts_on")),
                ])),
                Decoded::Text,
            )
        }
    }
}

/// Selects `expr` as grouping `index` and groups by it. The group is named by its alias, as
/// both databases allow: PostgreSQL would not see an expression with bound values in the
/// select list and the same expression in `GROUP BY` as one.
fn group_by(query: &mut SelectStatement, expr: Expr, index: usize) {
    let name = alias(&format!("g{index}"));
    query.expr_as(expr, name.clone());
    query.add_group_by([Expr::col(name)]);
}

/// Reads grouping `index` of a row.
fn decode_value(
    row: &QueryResult,
    index: usize,
    decoded: &Decoded,
) -> Result<Option<String>, DbErr> {
    let column = format!("g{index}");
    Ok(match decoded {
        Decoded::Text => row.try_get::<Option<String>>("", &column)?,
        Decoded::Id => row
            .try_get::<Option<Uuid>>("", &column)?
            .map(|id| id.to_string()),
    })
}

/// Orders groups by count, highest first, then by their values, absent values last: the same
/// order on either database, whatever its collation.
fn by_count_then_values(a: &EdgeGroup, b: &EdgeGroup) -> Ordering {
    b.count.cmp(&a.count).then_with(|| {
        a.values
            .iter()
            .zip(&b.values)
            .map(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .find(|order| order.is_ne())
            .unwrap_or(Ordering::Equal)
    })
}

/// The relationships `criteria` hold, counted in groups by `groupings`: the `limit` largest
/// groups, largest first, ties in the order of their values.
pub async fn edge_groups(
    db: &Store,
    criteria: &EdgeCriteria,
    groupings: &[EdgeGrouping],
    limit: usize,
) -> Result<Vec<EdgeGroup>, DbErr> {
    if let Some(query) = tallied_groups(criteria, groupings) {
        let decoders: Vec<Decoded> = groupings.iter().map(|_| Decoded::Text).collect();
        return read_groups(db, "SELECT edge_tally", query, &decoders, limit).await;
    }
    let mut query = Query::select();
    query.from(edge::Entity);
    let mut joined = Vec::new();
    let mut decoders = Vec::new();
    for (index, grouping) in groupings.iter().enumerate() {
        let (expr, decoded) = grouping_expr(&mut query, &mut joined, *grouping);
        group_by(&mut query, expr, index);
        decoders.push(decoded);
    }
    query.cond_where(edge_conditions(EDGE, criteria, false));
    counted_groups(db, "SELECT edge", query, &decoders, limit).await
}

/// The statement that reads groups of relationships from the kept tallies, when they can
/// answer: groupings by predicate and kinds only, and criteria on predicates and kinds only.
/// The tallies hold a row per predicate and pair of kinds, whatever the size of the graph.
fn tallied_groups(criteria: &EdgeCriteria, groupings: &[EdgeGrouping]) -> Option<SelectStatement> {
    let by_kinds_only = EdgeCriteria {
        predicates: criteria.predicates.clone(),
        subject_kinds: criteria.subject_kinds.clone(),
        object_kinds: criteria.object_kinds.clone(),
        ..EdgeCriteria::default()
    };
    if *criteria != by_kinds_only {
        return None;
    }
    let mut query = Query::select();
    query.from(alias(TALLY));
    for (index, grouping) in groupings.iter().enumerate() {
        let column = match grouping {
            EdgeGrouping::Predicate => "predicate",
            EdgeGrouping::SubjectKind => "subject_kind",
            EdgeGrouping::ObjectKind => "object_kind",
            _ => return None,
        };
        group_by(&mut query, col(TALLY, column), index);
    }
    let kinds = |kinds: &[NodeKind]| kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>();
    if !criteria.predicates.is_empty() {
        query.and_where(
            col(TALLY, "predicate").is_in(criteria.predicates.iter().map(|p| p.as_str())),
        );
    }
    if !criteria.subject_kinds.is_empty() {
        query.and_where(col(TALLY, "subject_kind").is_in(kinds(&criteria.subject_kinds)));
    }
    if !criteria.object_kinds.is_empty() {
        query.and_where(col(TALLY, "object_kind").is_in(kinds(&criteria.object_kinds)));
    }
    let total = summed(col(TALLY, "edges"));
    query
        .expr_as(total.clone(), alias("total"))
        .and_having(Expr::expr(total).gt(0));
    Some(query)
}

/// The sum of `column` as a 64-bit integer on both databases (PostgreSQL sums `bigint` into
/// `numeric`).
fn summed(column: Expr) -> Expr {
    Expr::expr(Func::cast_as(Func::sum(column), alias("bigint")))
}

/// Counts the rows of `query` in the groups it selected, read by `decoders`: the `limit`
/// largest groups, largest first, ties in the order of their values.
async fn counted_groups(
    db: &Store,
    label: &'static str,
    mut query: SelectStatement,
    decoders: &[Decoded],
    limit: usize,
) -> Result<Vec<EdgeGroup>, DbErr> {
    query.expr_as(Func::count(Expr::col(Asterisk)), alias("total"));
    read_groups(db, label, query, decoders, limit).await
}

/// Reads the groups `query` selected with their `total`, read by `decoders`: the `limit`
/// largest, largest first, ties in the order of their values.
async fn read_groups(
    db: &Store,
    label: &'static str,
    query: SelectStatement,
    decoders: &[Decoded],
    limit: usize,
) -> Result<Vec<EdgeGroup>, DbErr> {
    let mut groups = db
        .select(label, &query)
        .await?
        .iter()
        .map(|row| {
            let values = decoders
                .iter()
                .enumerate()
                .map(|(index, decoded)| decode_value(row, index, decoded))
                .collect::<Result<_, DbErr>>()?;
            let count: i64 = row.try_get("", "total")?;
            Ok(EdgeGroup {
                values,
                count: u64::try_from(count).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    groups.sort_by(by_count_then_values);
    groups.truncate(limit);
    Ok(groups)
}

/// The nodes of `kinds` (all when empty), counted in groups by `groupings`: the `limit` largest
/// groups, largest first.
pub async fn node_groups(
    db: &Store,
    kinds: &[NodeKind],
    groupings: &[NodeGrouping],
    limit: usize,
) -> Result<Vec<EdgeGroup>, DbErr> {
    let mut query = Query::select();
    query.from_as(node::Entity, alias(NODE));
    let mut joined = Vec::new();
    for (index, grouping) in groupings.iter().enumerate() {
        let expr = match grouping {
            NodeGrouping::Kind => col(NODE, "kind"),
            NodeGrouping::Region => {
                join_detail(
                    &mut query,
                    &mut joined,
                    "country",
                    "country",
                    col(NODE, "id"),
                );
                col("country", "region")
            }
            NodeGrouping::Subregion => {
                join_detail(
                    &mut query,
                    &mut joined,
                    "country",
                    "country",
                    col(NODE, "id"),
                );
                col("country", "subregion")
            }
            NodeGrouping::EventYear => {
                join_detail(&mut query, &mut joined, "event", "event", col(NODE, "id"));
                year_of(col("event", "starts_on"))
            }
        };
        group_by(&mut query, expr, index);
    }
    if !kinds.is_empty() {
        query.and_where(col(NODE, "kind").is_in(kinds.iter().map(|k| k.as_str())));
    }
    let decoders: Vec<Decoded> = groupings.iter().map(|_| Decoded::Text).collect();
    counted_groups(db, "SELECT node", query, &decoders, limit).await
}

/// The relationships of `predicates` (all when empty) with `roles` (any when empty) that hold
/// `during`, seen from one end: columns `near_id` (the ranked end) and `far_id`, once per
/// direction asked.
fn directed(
    direction: Direction,
    predicates: &[Predicate],
    roles: &[String],
    during: &[Period],
) -> SelectStatement {
    let branch = |outgoing: bool| {
        let (near, far) = if outgoing {
            ("subject_id", "object_id")
        } else {
            ("object_id", "subject_id")
        };
        let mut query = Query::select();
        query
            .from(edge::Entity)
            .expr_as(col(EDGE, near), alias("near_id"))
            .expr_as(col(EDGE, far), alias("far_id"))
            .cond_where(role_and_time(EDGE, roles, during));
        if !predicates.is_empty() {
            query.and_where(col(EDGE, "predicate").is_in(predicates.iter().map(|p| p.as_str())));
        }
        query
    };
    match direction {
        Direction::Outgoing => branch(true),
        Direction::Incoming => branch(false),
        Direction::Both => {
            let mut query = branch(true);
            query.union(UnionType::All, branch(false));
            query
        }
    }
}

/// A node ranked by a count of its relationships.
pub struct RankedNode {
    /// The node.
    pub record: NodeRecord,
    /// Its count.
    pub count: u64,
}

/// The count of each node a ranking ranks, from the kept neighbour counts, when they can
/// answer: one predicate, one direction, no roles, periods or shared node. Distinct neighbours
/// of different kinds are different nodes, so their counts add up.
fn tallied_ranking(ranking: &Ranking) -> Option<SelectStatement> {
    let direction = match ranking.direction {
        Direction::Outgoing => "OUTGOING",
        Direction::Incoming => "INCOMING",
        Direction::Both => return None,
    };
    let [predicate] = ranking.criteria.predicates.as_slice() else {
        return None;
    };
    let one_predicate = EdgeCriteria {
        predicates: vec![*predicate],
        ..EdgeCriteria::default()
    };
    if ranking.sharing_with.is_some() || ranking.criteria != one_predicate {
        return None;
    }
    let total = summed(col(DEGREE, "neighbours"));
    let mut counted = Query::select();
    counted
        .from(alias(DEGREE))
        .expr_as(col(DEGREE, "node_id"), alias("ranked_id"))
        .expr_as(total.clone(), alias("total"))
        .and_where(col(DEGREE, "predicate").eq(predicate.as_str()))
        .and_where(col(DEGREE, "direction").eq(direction))
        .and_where(col(DEGREE, "node_kind").eq(ranking.kind.as_str()))
        .add_group_by([col(DEGREE, "node_id")])
        .and_having(total.gt(0));
    if !ranking.other_kinds.is_empty() {
        counted.and_where(
            col(DEGREE, "other_kind").is_in(ranking.other_kinds.iter().map(|k| k.as_str())),
        );
    }
    Some(counted)
}

/// The count of each node a ranking ranks, read from the relationships themselves.
fn counted_links(ranking: &Ranking) -> SelectStatement {
    const MINE: &str = "mine";
    const THEIRS: &str = "theirs";
    let links = || {
        directed(
            ranking.direction,
            &ranking.criteria.predicates,
            &ranking.criteria.roles,
            &ranking.criteria.during,
        )
    };
    let mut counted = Query::select();
    counted.from_subquery(links(), alias(THEIRS));
    let far_of_kind = |table: &str| of_kinds(col(table, "far_id"), &ranking.other_kinds);
    match ranking.sharing_with {
        None => {
            counted
                .expr_as(col(THEIRS, "near_id"), alias("ranked_id"))
                .expr_as(Func::count_distinct(col(THEIRS, "far_id")), alias("total"));
        }
        Some(with) => {
            counted
                .join_subquery(
                    JoinType::InnerJoin,
                    links(),
                    alias(MINE),
                    col(MINE, "far_id").eq(col(THEIRS, "far_id")),
                )
                .expr_as(col(THEIRS, "near_id"), alias("ranked_id"))
                .expr_as(Func::count_distinct(col(THEIRS, "far_id")), alias("total"))
                .and_where(col(MINE, "near_id").eq(with.0))
                .and_where(col(THEIRS, "near_id").ne(with.0));
        }
    }
    counted
        .and_where(of_kinds(col(THEIRS, "near_id"), &[ranking.kind]))
        .add_group_by([col(THEIRS, "near_id")]);
    if !ranking.other_kinds.is_empty() {
        counted.and_where(far_of_kind(THEIRS));
    }
    counted
}

/// The nodes a ranking asks for, highest count first, then by name and id; only nodes with a
/// count above zero. A node's count is the number of distinct nodes at the other end of its
/// relationships (two memberships of one group, with different roles, count once).
pub async fn rank_nodes(db: &Store, ranking: &Ranking) -> Result<Vec<RankedNode>, DbErr> {
    let (label, counted) = match tallied_ranking(ranking) {
        Some(counted) => ("SELECT node_degree", counted),
        None => ("SELECT edge", counted_links(ranking)),
    };
    let mut query = Query::select();
    query.from_subquery(counted, alias("ranked"));
    query.join_as(
        JoinType::InnerJoin,
        node::Entity,
        alias(NODE),
        col(NODE, "id").eq(col("ranked", "ranked_id")),
    );
    select_nodes(&mut query, NODE, &[ranking.kind], db.backend());
    query
        .expr_as(col("ranked", "total"), alias("total"))
        .order_by(("ranked", "total"), Order::Desc)
        .order_by_expr(col(NODE, "name"), Order::Asc)
        .order_by_expr(col(NODE, "id"), Order::Asc)
        .limit(ranking.limit);
    db.select(label, &query)
        .await?
        .iter()
        .map(|row| {
            let count: i64 = row.try_get("", "total")?;
            Ok(RankedNode {
                record: decode_node(row)?,
                count: u64::try_from(count).unwrap_or_default(),
            })
        })
        .collect()
}
