//! `NodeRef`: a node named by a client in an argument, by global ID or by natural key, and its
//! lookup.

use async_graphql::{Context, InputObject};
use futures_util::future::try_join_all;
use govgraph_read::ids::NodeId;
use govgraph_read::loaders::{CountryByCode, NodeBySlug, NodeOfKind};

use super::loader::loader;
use super::lookup::country_code;
use super::relay::{NodeGlobalId, truncate, type_name};
use super::vocabulary::NodeKind;
use crate::error::ApiError;

/// A node, named by its global ID (`id`), by its kind and slug (`kind` and `slug`), or, for a country, by its ISO 3166-1 alpha-2 or alpha-3 code (`code`). Give exactly one of these.
#[derive(Clone, Debug, Default, InputObject)]
#[graphql(tag = "public")]
pub struct NodeRef {
    /// The node's global ID.
    pub id: Option<NodeGlobalId>,
    /// The node's kind, with `slug`.
    pub kind: Option<NodeKind>,
    /// The node's slug, with `kind`.
    pub slug: Option<String>,
    /// A country's ISO 3166-1 alpha-2 or alpha-3 code, e.g. `SG` or `SGP`.
    pub code: Option<String>,
}

impl NodeRef {
    /// Finds the node this names; `argument` names the argument in messages. `BAD_USER_INPUT`
    /// when it names a node in no way or in more than one, `NOT_FOUND` when there is no such
    /// node. Lookups of many references in one turn are batched.
    pub async fn find(&self, ctx: &Context<'_>, argument: &str) -> Result<NodeId, ApiError> {
        let loaders = loader(ctx)?;
        let found = match (&self.id, self.kind, &self.slug, &self.code) {
            (Some(id), None, None, None) => loaders
                .load_one(NodeOfKind(id.kind, id.id))
                .await?
                .ok_or_else(|| format!("no {} with that ID", type_name(id.kind))),
            (None, Some(kind), Some(slug), None) => {
                let kind = kind.into();
                loaders
                    .load_one(NodeBySlug(kind, slug.to_lowercase()))
                    .await?
                    .ok_or_else(|| format!("no {} with slug `{}`", type_name(kind), truncate(slug)))
            }
            (None, None, None, Some(code)) => loaders
                .load_one(CountryByCode(country_code(code)?))
                .await?
                .ok_or_else(|| format!("no country with code `{}`", truncate(code))),
            _ => {
                return Err(ApiError::bad_input(format!(
                    "`{argument}` names its node by `id`, by `kind` and `slug`, or by a country's `code`: exactly one of these"
                )));
            }
        };
        found
            .map(|record| record.id())
            .map_err(|named| ApiError::not_found(format!("`{argument}`: there is {named}")))
    }
}

/// Finds every node `refs` name, each with the name of its argument; batched.
pub async fn find_all(
    ctx: &Context<'_>,
    refs: &[(&str, &NodeRef)],
) -> Result<Vec<NodeId>, ApiError> {
    try_join_all(refs.iter().map(|(argument, node)| node.find(ctx, argument))).await
}
