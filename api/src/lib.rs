//! The govgraph GraphQL service: configuration, server, schema and loaders.
//!
//! [`graph::schema`] builds the schema without touching a database; [`server`] serves it over
//! HTTP with a database from [`db`]; [`cli`] is the `govgraph` command.

pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod execution;
pub mod ftv1;
pub mod graph;
mod graphiql;
pub mod loaders;
pub mod server;
pub mod store;
pub mod telemetry;

pub use graph::{GovGraphSchema, federation_sdl, schema};
