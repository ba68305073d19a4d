//! The govgraph GraphQL service: configuration, server, schema and loaders.
//!
//! [`graph::schema`] builds the schema without touching a database; [`execution`] runs one
//! request through it; [`server`] serves it over HTTP with a database from [`db`]; [`cli`] is the
//! `govgraph` command. What the schema reads, it reads through the `govgraph-read` crate.

mod browser;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod execution;
pub mod ftv1;
pub mod graph;
pub mod server;
pub mod telemetry;

pub use graph::{GovGraphSchema, federation_sdl, schema};
