//! Lists of nodes of one kind: the SQL of a [`Listing`]'s criteria and order, a page of it, and
//! its size.

use govgraph_entities::{edge, node};
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, JoinType, LikeExpr, Query,
};
use sea_orm::{ActiveEnum, DbErr};

use super::{
    Direction, NODE, NodeRecord, Store, alias, col, decode_node, detail_table, page_bounds,
    select_nodes, total,
};
use crate::ids::NodeId;
use crate::listing::{Criterion, Listing, SortKey};
use crate::page::{Cursor, Page};

/// A node of a listing, with its cursor.
pub struct ListedNode {
    /// Position in the listing.
    pub cursor: Cursor,
    /// The node.
    pub record: NodeRecord,
}

/// The text expression a list is ordered by, over the node (aliased `node`) and its kind's
/// detail table.
fn sort_key(key: SortKey) -> Expr {
    match key {
        SortKey::Name => col(NODE, "name"),
        SortKey::Slug => col(NODE, "slug"),
        SortKey::CountryCode => col("country", "alpha2"),
        SortKey::EventStart => {
            Expr::expr(Func::coalesce([col("event", "starts_on"), Expr::val("")]))
        }
    }
}

/// `EXISTS` a relationship from the listed node (aliased `node`) to `target`, of one of
/// `predicates` (any when empty), running `direction` from the listed node.
fn linked_to(
    target: NodeId,
    predicates: &[govgraph_entities::Predicate],
    direction: Direction,
) -> Condition {
    const LINKED_EDGE: &str = "linked_edge";
    let branch = |outgoing: bool| {
        let (near, far) = if outgoing {
            ("subject_id", "object_id")
        } else {
            ("object_id", "subject_id")
        };
        let mut query = Query::select();
        query
            .expr(Expr::val(1))
            .from_as(edge::Entity, Alias::new(LINKED_EDGE))
            .and_where(col(LINKED_EDGE, near).eq(col(NODE, "id")))
            .and_where(col(LINKED_EDGE, far).eq(target.0));
        if !predicates.is_empty() {
            let names = predicates.iter().map(|p| p.as_str());
            query.and_where(col(LINKED_EDGE, "predicate").is_in(names));
        }
        Expr::exists(query)
    };
    match direction {
        Direction::Outgoing => Condition::all().add(branch(true)),
        Direction::Incoming => Condition::all().add(branch(false)),
        Direction::Both => Condition::any().add(branch(true)).add(branch(false)),
    }
}

/// `column IN (values)` for a stored vocabulary, such as organisation kinds.
fn one_of<E: ActiveEnum<Value = String> + Clone>(column: Expr, values: &[E]) -> Expr {
    column.is_in(values.iter().map(ActiveEnum::to_value))
}

/// The SQL of one criterion, over the node (aliased `node`) and its kind's detail table.
fn condition(criterion: &Criterion) -> Condition {
    let all = Condition::all();
    match criterion {
        Criterion::NameContains(text) => {
            let escaped = node::fold(text)
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = LikeExpr::new(format!("%{escaped}%")).escape('\\');
            all.add(col(NODE, "name_folded").like(pattern))
        }
        Criterion::SlugIn(slugs) => all.add(col(NODE, "slug").is_in(slugs.iter().cloned())),
        Criterion::LinkedTo {
            node,
            predicates,
            direction,
        } => linked_to(*node, predicates, *direction),
        Criterion::CountryCodeIn(codes) => all.add(
            Condition::any()
                .add(col("country", "alpha2").is_in(codes.iter().cloned()))
                .add(col("country", "alpha3").is_in(codes.iter().cloned())),
        ),
        Criterion::RegionIn(regions) => {
            all.add(col("country", "region").is_in(regions.iter().cloned()))
        }
        Criterion::StartsInYear(year) => all.add(
            Expr::expr(Func::cust("substr").args([
                col("event", "starts_on"),
                Expr::val(1),
                Expr::val(4),
            ]))
            .eq(format!("{year:04}")),
        ),
        Criterion::OrganisationKindIn(kinds) => {
            all.add(one_of(col("organisation", "org_kind"), kinds))
        }
        Criterion::DeliverableKindIn(kinds) => {
            all.add(one_of(col("deliverable", "deliverable_kind"), kinds))
        }
        Criterion::SourceKindIn(kinds) => all.add(one_of(col("source", "source_kind"), kinds)),
    }
}

/// The SQL of all of a listing's criteria.
fn conditions(listing: &Listing) -> Condition {
    listing
        .criteria
        .iter()
        .fold(Condition::all(), |all, criterion| {
            all.add(condition(criterion))
        })
}

/// One page of a listing.
pub async fn list_nodes(
    db: &Store,
    listing: &Listing,
    page: &Page,
) -> Result<Vec<ListedNode>, DbErr> {
    let id = Expr::col((alias(NODE), alias("id")));
    let key = sort_key(listing.order.key);
    let (bounds, order) = page_bounds(page, &key, &id, listing.order.descending);
    let mut query = Query::select();
    query.from_as(node::Entity, alias(NODE));
    select_nodes(&mut query, NODE, &[listing.kind], db.backend());
    query
        .expr_as(key.clone(), alias("sort_key"))
        .and_where(Expr::col((alias(NODE), alias("kind"))).eq(listing.kind.as_str()))
        .cond_where(conditions(listing))
        .cond_where(bounds)
        .order_by_expr(key, order.clone())
        .order_by_expr(id, order)
        .limit(page.limit + 1);
    let name = listing.order.name();
    db.select("SELECT node", &query)
        .await?
        .iter()
        .map(|row| {
            let record = decode_node(row)?;
            let key: String = row.try_get("", "sort_key")?;
            Ok(ListedNode {
                cursor: Cursor {
                    order: name.to_owned(),
                    key,
                    id: record.node.id,
                },
                record,
            })
        })
        .collect()
}

/// How many nodes a listing holds.
pub async fn count_nodes(db: &Store, listing: &Listing) -> Result<u64, DbErr> {
    let mut query = Query::select();
    query.from_as(node::Entity, alias(NODE));
    if let Some(table) = detail_table(listing.kind) {
        query.join_as(
            JoinType::LeftJoin,
            alias(table),
            alias(table),
            Expr::col((alias(table), alias("node_id"))).equals((alias(NODE), alias("id"))),
        );
    }
    query
        .expr_as(Func::count(Expr::col(Asterisk)), alias("total"))
        .and_where(Expr::col((alias(NODE), alias("kind"))).eq(listing.kind.as_str()))
        .cond_where(conditions(listing));
    total(&db.select("SELECT node", &query).await?)
}
