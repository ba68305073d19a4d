//! Lookups by natural key: a slug, or a country's ISO code.

use async_graphql::Context;
use govgraph_entities::NodeKind;

use super::loader::loader;
use super::node::NodeType;
use super::relay::{truncate, type_name};
use crate::error::ApiError;
use govgraph_read::loaders::{CountryByCode, NodeBySlug};

/// The node of `kind` with `slug`, if there is one.
pub async fn find_by_slug<N: NodeType>(
    ctx: &Context<'_>,
    kind: NodeKind,
    slug: &str,
) -> Result<Option<N>, ApiError> {
    let key = NodeBySlug(kind, slug.to_lowercase());
    loader(ctx)?
        .load_one(key)
        .await?
        .map(N::from_record)
        .transpose()
}

/// The node of `kind` with `slug`; `NOT_FOUND` when there is none.
pub async fn by_slug<N: NodeType>(
    ctx: &Context<'_>,
    kind: NodeKind,
    slug: &str,
) -> Result<N, ApiError> {
    find_by_slug(ctx, kind, slug).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "there is no {} with slug `{}`",
            type_name(kind),
            truncate(slug)
        ))
    })
}

/// Normalises an ISO 3166-1 alpha-2 or alpha-3 code; `BAD_USER_INPUT` when it cannot be one.
pub fn country_code(code: &str) -> Result<String, ApiError> {
    let code = code.trim().to_uppercase();
    if (code.len() == 2 || code.len() == 3) && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(unknown_country(&code))
    }
}

fn unknown_country(code: &str) -> ApiError {
    ApiError::bad_input(format!(
        "`{}` is not an ISO 3166-1 country code: give two letters (`SG`) or three (`SGP`)",
        truncate(code)
    ))
}

/// The country with an alpha-2 or alpha-3 code, if there is one; `BAD_USER_INPUT` for text that cannot be a code.
pub async fn find_country<N: NodeType>(
    ctx: &Context<'_>,
    code: &str,
) -> Result<Option<N>, ApiError> {
    let code = country_code(code)?;
    loader(ctx)?
        .load_one(CountryByCode(code))
        .await?
        .map(N::from_record)
        .transpose()
}

/// The country with an alpha-2 or alpha-3 code; `BAD_USER_INPUT` for a code that is no country's, since every ISO 3166-1 country is in the graph.
pub async fn country_by_code<N: NodeType>(ctx: &Context<'_>, code: &str) -> Result<N, ApiError> {
    find_country(ctx, code)
        .await?
        .ok_or_else(|| unknown_country(&code.trim().to_uppercase()))
}
