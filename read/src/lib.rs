//! The read layer of govgraph: what can be read from the graph and how, with no notion of
//! GraphQL. Pages and cursors ([`page`]), what a list asks for ([`listing`]), what a search asks for and the snippets of its hits ([`search`]), the SQL of each read ([`store`]), and the batched
//! lookups the API's loaders drive ([`loaders`]), one key type per kind of lookup.
//!
//! Everything above this crate (the GraphQL schema, request execution, the HTTP server)
//! converts its own types into these at its edge; nothing here imports them, and a test of the
//! API crate fails if this crate ever names `async_graphql`.

pub mod ids;
pub mod listing;
pub mod loaders;
pub mod page;
pub mod relationships;
pub mod search;
pub mod store;
pub mod traversal;
pub mod validity;

#[cfg(test)]
mod tests {
    #[test]
    fn the_read_layer_depends_on_nothing_that_knows_graphql_or_http() {
        let manifest = include_str!("../Cargo.toml");
        for above in ["async-graphql", "govgraph-api", "poem", "hyper"] {
            assert!(
                !manifest.contains(above),
                "the read layer depends on {above}"
            );
        }
    }
}
