//! Integration tests: the real server on a loopback port, a fresh database per test, real HTTP.
//!
//! Every test runs on SQLite; with `GOVGRAPH_TEST_DATABASE_URL` naming a PostgreSQL server,
//! the same tests run there, each in a schema of its own.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

mod answers;
mod batching;
mod browser;
mod cli;
mod collector;
mod conformance;
mod data_set;
mod errors;
mod explore;
mod export;
mod federation;
mod gateway;
mod helpers;
mod import;
mod linked_data;
mod pages;
mod pagination;
mod persisted;
mod process;
mod questions;
mod readme;
mod schema;
mod search;
mod security;
mod server;
mod spec;
mod synthetic;
mod telemetry;
mod walks;
