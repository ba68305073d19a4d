//! SQL of the read path, built with sea-query so one text serves SQLite and PostgreSQL.
//!
//! Every function here issues exactly one statement, whatever the number of keys it is given:
//! the loaders call them once per batch.

mod citations;
mod database;
mod links;
mod lists;
mod relationships;
mod search;
mod traversal;

pub use citations::{CitationRecord, citations_of_edges, citations_of_nodes, external_ids_of};
pub use database::{Observer, Store, graph_version, is_connection_lost, observe_statements};
pub use links::{
    Direction, LINK_ORDER, LinkOrder, LinkRow, LinkSortKey, LinkSpec, count_links, edges_by_id,
    link_pages,
};
pub use lists::{ListedNode, count_nodes, list_nodes};
pub use relationships::{
    ListedEdge, RankedNode, count_edges, edge_groups, list_edges, node_groups, rank_nodes,
};
pub use search::{SearchHit, count_hits, search_nodes};
pub use traversal::{Reached, Walk, edges_among, edges_touching, ends_touching};

use govgraph_entities::{Detail, DetailEntity, DetailVisitor, NodeKind, node};
use sea_orm::sea_query::{
    Alias, ArrayType, Asterisk, Condition, Expr, ExprTrait, JoinType, Order, PgFunc, Query,
    SelectStatement, Value,
};
use sea_orm::{DbBackend, DbErr, FromQueryResult, IdenStatic, Iterable, QueryResult};

use uuid::Uuid;

use crate::ids::NodeId;

use crate::page::{Cursor, Page};

/// A node with its detail, as one statement loads it.
#[derive(Clone, Debug)]
pub struct NodeRecord {
    /// The `node` row.
    pub node: node::Model,
    /// The row of the node's detail table.
    pub detail: Detail,
}

impl NodeRecord {
    /// The node's id.
    pub fn id(&self) -> NodeId {
        NodeId(self.node.id)
    }
}

/// Alias of the node table in node queries.
pub const NODE: &str = "node";

fn alias(name: &str) -> Alias {
    Alias::new(name)
}

/// The name of `kind`'s detail table, if it has one.
fn detail_table(kind: NodeKind) -> Option<&'static str> {
    struct TableName;
    impl DetailVisitor for TableName {
        type Output = Option<&'static str>;
        fn visit<E: DetailEntity>(self) -> Self::Output {
            Some(E::default().table_name())
        }
        fn no_detail(self) -> Self::Output {
            None
        }
    }
    kind.visit_detail(TableName)
}

/// Selects the columns of `E` from table alias `table`, each as `{prefix}{column}`.
fn select_columns<E: sea_orm::EntityTrait>(query: &mut SelectStatement, table: &str, prefix: &str) {
    for column in E::Column::iter() {
        let name = column.as_str();
        query.expr_as(
            Expr::col((alias(table), alias(name))),
            alias(&format!("{prefix}{name}")),
        );
    }
}

/// Left-joins the detail table of `E` to the node table aliased `node_alias`, and selects its
/// columns as `{table}_{column}`. When nodes of several kinds are read on PostgreSQL, the join
/// is a `LATERAL` subquery that looks up the detail only for nodes of its kind, through the
/// detail's primary key: a plain left join of every detail table to a thousand nodes of mixed
/// kinds is planned as hash joins that read every detail table whole. Nodes of one kind keep a
/// plain join, which lets a condition on the detail (a country's code) be read from the
/// detail's own index rather than checked against every node.
struct SelectDetail<'a> {
    query: &'a mut SelectStatement,
    node_alias: &'a str,
    kind: NodeKind,
    lateral: bool,
}

impl DetailVisitor for SelectDetail<'_> {
    type Output = ();

    fn visit<E: DetailEntity>(self) {
        let table = E::default().table_name();
        select_columns::<E>(self.query, table, &format!("{table}_"));
        let of_node = Expr::col((alias(table), alias("node_id")))
            .equals((alias(self.node_alias), alias("id")));
        if self.lateral {
            let mut detail = Query::select();
            detail
                .column(Asterisk)
                .from(E::default())
                .and_where(of_node)
                .and_where(col(self.node_alias, "kind").eq(self.kind.as_str()))
                // A subquery with a limit is not pulled up into a plain join.
                .limit(1);
            self.query
                .join_lateral(JoinType::LeftJoin, detail, alias(table), Expr::cust("TRUE"));
        } else {
            self.query
                .join_as(JoinType::LeftJoin, E::default(), alias(table), of_node);
        }
    }

    fn no_detail(self) {}
}

/// Reads the detail columns [`SelectDetail`] selected.
struct DecodeDetail<'a>(&'a QueryResult);

impl DetailVisitor for DecodeDetail<'_> {
    type Output = Result<Detail, DbErr>;

    fn visit<E: DetailEntity>(self) -> Self::Output {
        let prefix = format!("{}_", E::default().table_name());
        E::Model::from_query_result(self.0, &prefix).map(E::wrap)
    }

    fn no_detail(self) -> Self::Output {
        Ok(Detail::None)
    }
}

/// Adds the columns of the node table aliased `node_alias`, and left-joins and selects the
/// detail tables of `kinds`, so that [`decode_node`] can read the rows.
pub fn select_nodes(
    query: &mut SelectStatement,
    node_alias: &str,
    kinds: &[NodeKind],
    backend: DbBackend,
) {
    select_columns::<node::Entity>(query, node_alias, "n_");
    let mut kinds = kinds.to_vec();
    kinds.sort_unstable();
    kinds.dedup();
    let lateral = backend == DbBackend::Postgres && kinds.len() > 1;
    for kind in kinds {
        kind.visit_detail(SelectDetail {
            query,
            node_alias,
            kind,
            lateral,
        });
    }
}

/// Reads a row selected by [`select_nodes`].
pub fn decode_node(row: &QueryResult) -> Result<NodeRecord, DbErr> {
    let node = node::Model::from_query_result(row, "n_")?;
    let detail = node.kind.visit_detail(DecodeDetail(row))?;
    Ok(NodeRecord { node, detail })
}

/// Every node kind.
pub fn all_kinds() -> Vec<NodeKind> {
    NodeKind::iter().collect()
}

/// The nodes of `kinds` meeting `condition`, each with its detail (only the details of
/// `kinds` are joined).
async fn nodes_where(
    db: &Store,
    kinds: &[NodeKind],
    condition: Condition,
) -> Result<Vec<NodeRecord>, DbErr> {
    let mut query = Query::select();
    query.from_as(node::Entity, alias(NODE));
    select_nodes(&mut query, NODE, kinds, db.backend());
    query.cond_where(condition);
    db.select("SELECT node", &query)
        .await?
        .iter()
        .map(decode_node)
        .collect()
}

/// The nodes with the given ids: of `kind` when a global ID says it, so that only that kind's
/// detail is joined, else of any kind.
pub async fn nodes_by_id(
    db: &Store,
    kind: Option<NodeKind>,
    ids: &[NodeId],
) -> Result<Vec<NodeRecord>, DbErr> {
    let by_id = Condition::all().add(one_of_ids(
        col(NODE, "id"),
        ids.iter().map(|id| id.0),
        db.backend(),
    ));
    match kind {
        Some(kind) => {
            let of_kind = by_id.add(col(NODE, "kind").eq(kind.as_str()));
            nodes_where(db, &[kind], of_kind).await
        }
        None => nodes_where(db, &all_kinds(), by_id).await,
    }
}

/// `column` is one of `ids`. PostgreSQL is sent one array (`= ANY($1)`): one parameter and one
/// plan whatever the number of ids, and a small request. SQLite, which has no arrays, is sent
/// `IN (...)`.
pub fn one_of_ids(column: Expr, ids: impl IntoIterator<Item = Uuid>, backend: DbBackend) -> Expr {
    match backend {
        DbBackend::Postgres => {
            let ids = ids.into_iter().map(|id| Value::Uuid(Some(id))).collect();
            column.eq(PgFunc::any(Expr::val(Value::Array(
                ArrayType::Uuid,
                Some(Box::new(ids)),
            ))))
        }
        _ => column.is_in(ids),
    }
}

/// `(key, id) > (cursor.key, cursor.id)`, or `<` when `greater` is false, spelled out so that
/// both databases use their indexes.
pub fn beyond(key: Expr, id: Expr, cursor: &Cursor, greater: bool) -> Condition {
    let (key_beyond, id_beyond) = if greater {
        (key.clone().gt(cursor.key.clone()), id.gt(cursor.id))
    } else {
        (key.clone().lt(cursor.key.clone()), id.lt(cursor.id))
    };
    Condition::any().add(key_beyond).add(
        Condition::all()
            .add(key.eq(cursor.key.clone()))
            .add(id_beyond),
    )
}

/// The conditions that keep a list, ordered by `(key, id)` ascending unless `descending`,
/// between the page's cursors; and the order to fetch it in.
pub fn page_bounds(page: &Page, key: &Expr, id: &Expr, descending: bool) -> (Condition, Order) {
    let mut bounds = Condition::all();
    if let Some(after) = &page.after {
        bounds = bounds.add(beyond(key.clone(), id.clone(), after, !descending));
    }
    if let Some(before) = &page.before {
        bounds = bounds.add(beyond(key.clone(), id.clone(), before, descending));
    }
    (bounds, fetch_order(page, descending))
}

/// The order a page's rows are fetched in: the list's order (descending when `descending`), or
/// its reverse for a page taken from the end (`last`).
pub fn fetch_order(page: &Page, descending: bool) -> Order {
    if descending != page.backward {
        Order::Desc
    } else {
        Order::Asc
    }
}

/// The `total` column of the first row; zero when there is none.
pub(super) fn total(rows: &[QueryResult]) -> Result<u64, DbErr> {
    let total: i64 = match rows.first() {
        Some(row) => row.try_get("", "total")?,
        None => 0,
    };
    Ok(u64::try_from(total).unwrap_or_default())
}

/// An expression over column `column` of table alias `table`.
pub fn col(table: &str, column: &str) -> Expr {
    Expr::col((alias(table), alias(column)))
}

/// The nodes of `kind` with the given slugs.
pub async fn nodes_by_slug(
    db: &Store,
    kind: NodeKind,
    slugs: &[String],
) -> Result<Vec<NodeRecord>, DbErr> {
    let condition = Condition::all()
        .add(col(NODE, "kind").eq(kind.as_str()))
        .add(col(NODE, "slug").is_in(slugs.iter().cloned()));
    nodes_where(db, &[kind], condition).await
}

/// The countries whose alpha-2 or alpha-3 code is one of `codes` (upper case).
pub async fn countries_by_code(db: &Store, codes: &[String]) -> Result<Vec<NodeRecord>, DbErr> {
    let condition = Condition::any()
        .add(col("country", "alpha2").is_in(codes.iter().cloned()))
        .add(col("country", "alpha3").is_in(codes.iter().cloned()));
    nodes_where(db, &[NodeKind::Country], condition).await
}
