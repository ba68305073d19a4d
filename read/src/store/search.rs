//! Full-text search across every kind: a page of the nodes a [`Search`] finds, ranked, and
//! their number. The documents and their index are the database's own (`node_search`, kept by
//! triggers); only [`hits`] differs between SQLite (FTS5, `bm25`) and PostgreSQL (`tsvector`,
//! `ts_rank`).
//!
//! The words of a search reach the database only as bound parameters, and only as words of
//! letters and digits quoted as the search syntax quotes a term: no character of a client's
//! text is read as an operator.

use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement,
};
use sea_orm::{DatabaseBackend, DbErr};

use super::{NODE, NodeRecord, Store, alias, all_kinds, col, decode_node, select_nodes};
use crate::page::{Cursor, Page};
use crate::search::{RELEVANCE, Search, cursor_score};

/// A node a search found, with its place in the ranking.
#[derive(Clone, Debug)]
pub struct SearchHit {
    /// Position in the ranking: the score, then the id.
    pub cursor: Cursor,
    /// How well the node matches: see [`hits`].
    pub score: f64,
    /// The node.
    pub record: NodeRecord,
    /// The node's codes and short names, joined by `; `.
    pub codes: String,
    /// The node's other names, joined by `; `.
    pub aliases: String,
}

/// Alias of the hits subquery.
const HIT: &str = "hit";
/// The page of hits, before their nodes' details are joined.
const BEST: &str = "best";

/// The weights of a document's parts in SQLite's `bm25`: name, codes, other names, summary.
const BM25: &str = "bm25(node_search_fts, 10.0, 5.0, 3.0, 1.0)";

/// The weights of a document's parts in PostgreSQL's `ts_rank`, in its order: summary (D),
/// other names (C), codes (B), name (A).
const TS_RANK_WEIGHTS: &str = "'{0.1, 0.3, 0.5, 1.0}'::float4[]";

/// An FTS5 string: `text` in double quotes, its own doubled.
fn fts5_string(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A `tsquery` lexeme: `text` in single quotes, its own doubled and backslashes escaped.
fn tsquery_lexeme(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// The FTS5 query of every word of `search`, the last a prefix when it may be one.
fn fts5_match(search: &Search) -> String {
    let last = search.words.len().saturating_sub(1);
    let terms: Vec<String> = search
        .words
        .iter()
        .enumerate()
        .map(|(index, word)| match search.prefix && index == last {
            true => format!("{}*", fts5_string(word)),
            false => fts5_string(word),
        })
        .collect();
    terms.join(" ")
}

/// The FTS5 query of every word of `search`, whole, among a node's codes.
fn fts5_codes(search: &Search) -> String {
    let terms: Vec<String> = search.words.iter().map(|w| fts5_string(w)).collect();
    format!("{{codes}} : ({})", terms.join(" "))
}

/// The `tsquery` of every word of `search`, the last a prefix when it may be one.
fn tsquery_match(search: &Search) -> String {
    let last = search.words.len().saturating_sub(1);
    let terms: Vec<String> = search
        .words
        .iter()
        .enumerate()
        .map(|(index, word)| match search.prefix && index == last {
            true => format!("{}:*", tsquery_lexeme(word)),
            false => tsquery_lexeme(word),
        })
        .collect();
    terms.join(" & ")
}

/// The `tsquery` of every word of `search`, whole, among a node's codes (weight B).
fn tsquery_codes(search: &Search) -> String {
    let terms: Vec<String> = search
        .words
        .iter()
        .map(|word| format!("{}:B", tsquery_lexeme(word)))
        .collect();
    terms.join(" & ")
}

/// The documents that have every word of `search` (the last as a prefix when it may be one):
/// `node_id`, and with `scored`, `codes`, `aliases` and `score`. The one place the two databases
/// differ.
///
/// The score is 1 when every word is one of the node's codes (an ISO code, an acronym, a short
/// name, an external identifier), 0 otherwise, plus the text relevance scaled into [0, 1):
/// `r / (1 + r)` of SQLite's `bm25` (negated), or PostgreSQL's `ts_rank` with normalisation 32,
/// which is the same scaling. Both weigh a match in the name above one in the codes, other names
/// and, last, the summary.
fn hits(backend: DatabaseBackend, search: &Search, scored: bool) -> SelectStatement {
    let mut query = Query::select();
    match backend {
        DatabaseBackend::Postgres => {
            query
                .from_as(Alias::new("node_search"), alias("s"))
                .expr_as(col("s", "node_id"), alias("node_id"))
                .and_where(Expr::cust_with_values(
                    "s.document @@ to_tsquery('simple', $1)",
                    [tsquery_match(search)],
                ));
            if scored {
                query.expr_as(
                    Expr::cust_with_values(
                        format!(
                            "(CASE WHEN s.document @@ to_tsquery('simple', $1) THEN 1.0 ELSE 0.0 END)::float8 \
                             + ts_rank({TS_RANK_WEIGHTS}, s.document, to_tsquery('simple', $2), 32)::float8"
                        ),
                        [tsquery_codes(search), tsquery_match(search)],
                    ),
                    alias("score"),
                );
            }
        }
        _ => {
            query
                .from(Alias::new("node_search_fts"))
                .join_as(
                    JoinType::InnerJoin,
                    Alias::new("node_search"),
                    alias("s"),
                    col("s", "id").equals((alias("node_search_fts"), alias("rowid"))),
                )
                .expr_as(col("s", "node_id"), alias("node_id"))
                .and_where(Expr::cust_with_values(
                    "node_search_fts MATCH ?",
                    [fts5_match(search)],
                ));
            if scored {
                query.expr_as(
                    Expr::cust_with_values(
                        format!(
                            "(CASE WHEN node_search_fts.rowid IN \
                             (SELECT rowid FROM node_search_fts WHERE node_search_fts MATCH ?) \
                             THEN 1.0 ELSE 0.0 END) + (-{BM25}) / (1.0 - {BM25})"
                        ),
                        [fts5_codes(search)],
                    ),
                    alias("score"),
                );
            }
        }
    }
    if scored {
        query
            .expr_as(col("s", "codes"), alias("codes"))
            .expr_as(col("s", "aliases"), alias("aliases"));
    }
    query
}

/// The hits of `search` joined to their nodes, of the searched kinds only.
fn hits_with_nodes(backend: DatabaseBackend, search: &Search, scored: bool) -> SelectStatement {
    let mut query = Query::select();
    query.from_subquery(hits(backend, search, scored), alias(HIT));
    query.join_as(
        JoinType::InnerJoin,
        govgraph_entities::node::Entity,
        alias(NODE),
        col(NODE, "id").equals((alias(HIT), alias("node_id"))),
    );
    if !search.kinds.is_empty() {
        query.and_where(col(NODE, "kind").is_in(search.kinds.iter().map(|kind| kind.as_str())));
    }
    query
}

/// The hits after `cursor` in the ranking: a lower score, or the same and a greater id.
fn below(cursor: &Cursor) -> Result<Condition, DbErr> {
    let score = cursor_score(cursor).map_err(|error| DbErr::Custom(error.0))?;
    let score_of = col(HIT, "score");
    Ok(Condition::any().add(score_of.clone().lt(score)).add(
        Condition::all()
            .add(score_of.eq(score))
            .add(col(NODE, "id").gt(cursor.id)),
    ))
}

/// One page of the nodes `search` finds, best first: up to `page.limit + 1` hits after
/// `page.after`, in one statement. A search with no word finds nothing and costs none. Check the
/// page's cursors first with [`crate::search::check_cursors`].
pub async fn search_nodes(
    db: &Store,
    search: &Search,
    page: &Page,
) -> Result<Vec<SearchHit>, DbErr> {
    if search.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.backend();
    // The page is chosen first, then only its nodes' details are read.
    let mut best = hits_with_nodes(backend, search, true);
    best.expr_as(col(NODE, "id"), alias("hit_id"))
        .expr_as(col(HIT, "score"), alias("score"))
        .expr_as(col(HIT, "codes"), alias("codes"))
        .expr_as(col(HIT, "aliases"), alias("aliases"));
    if let Some(after) = &page.after {
        best.cond_where(below(after)?);
    }
    best.order_by_expr(col(HIT, "score"), Order::Desc)
        .order_by_expr(col(NODE, "id"), Order::Asc)
        .limit(page.limit + 1);
    let kinds = match search.kinds.is_empty() {
        true => all_kinds(),
        false => search.kinds.clone(),
    };
    let mut query = Query::select();
    query.from_subquery(best, alias(BEST)).join_as(
        JoinType::InnerJoin,
        govgraph_entities::node::Entity,
        alias(NODE),
        col(NODE, "id").equals((alias(BEST), alias("hit_id"))),
    );
    select_nodes(&mut query, NODE, &kinds, backend);
    query
        .expr_as(col(BEST, "score"), alias("score"))
        .expr_as(col(BEST, "codes"), alias("codes"))
        .expr_as(col(BEST, "aliases"), alias("aliases"))
        .order_by_expr(col(BEST, "score"), Order::Desc)
        .order_by_expr(col(NODE, "id"), Order::Asc);
    db.select("SELECT node_search", &query)
        .await?
        .iter()
        .map(|row| {
            let record = decode_node(row)?;
            let score: f64 = row.try_get("", "score")?;
            Ok(SearchHit {
                cursor: Cursor {
                    order: RELEVANCE.to_owned(),
                    key: score.to_string(),
                    id: record.node.id,
                },
                score,
                record,
                codes: row.try_get("", "codes")?,
                aliases: row.try_get("", "aliases")?,
            })
        })
        .collect()
}

/// How many nodes `search` finds; no statement for a search with no word.
pub async fn count_hits(db: &Store, search: &Search) -> Result<u64, DbErr> {
    if search.is_empty() {
        return Ok(0);
    }
    let backend = db.backend();
    let mut query = hits_with_nodes(backend, search, false);
    query.expr_as(Func::count(Expr::col(Asterisk)), alias("total"));
    let rows = db.select("SELECT node_search", &query).await?;
    let total: i64 = match rows.first() {
        Some(row) => row.try_get("", "total")?,
        None => 0,
    };
    Ok(u64::try_from(total).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(text: &str) -> Search {
        Search::new(text, &[]).expect("a valid search")
    }

    #[test]
    fn client_text_becomes_quoted_words_only() {
        let hostile = search("\"x\" OR NEAR(a b) col:val *^ -");
        assert_eq!(
            fts5_match(&hostile),
            r#""x" "or" "near" "a" "b" "col" "val""#
        );
        assert_eq!(tsquery_match(&search("sao tom")), "'sao' & 'tom':*");
        assert_eq!(fts5_codes(&search("UK")), r#"{codes} : ("uk")"#);
        assert_eq!(tsquery_codes(&search("gb gbr")), "'gb':B & 'gbr':B");
    }

    #[test]
    fn quotes_inside_a_term_are_doubled_should_one_ever_reach_it() {
        assert_eq!(fts5_string("a\"b"), "\"a\"\"b\"");
        assert_eq!(tsquery_lexeme("a'b\\"), "'a''b\\\\'");
    }
}
