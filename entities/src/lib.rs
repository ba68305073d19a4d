//! sea-orm entities of the govgraph knowledge graph.
//!
//! The graph is a property graph on a relational store: one [`node`] row per thing, one detail
//! table per kind (1:1 with `node`), [`edge`] rows for typed relationships that carry their own
//! role and validity, and [`citation`] rows that tie every node and edge to the [`source`]
//! documents that state it. This crate knows nothing of GraphQL.

pub mod citation;
pub mod edge;
pub mod external_id;
#[macro_use]
mod kinds;
pub mod node;
mod partial_date;
mod predicate;

/// Declares the detail table modules the table of kinds names.
macro_rules! detail_modules {
    ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
        $($(pub mod $detail;)?)*
    };
}

for_each_kind!(detail_modules);

pub use kinds::{
    DeliverableKind, Detail, DetailEntity, DetailVisitor, EventFormat, NodeKind, OrganisationKind,
    SourceKind,
};
pub use partial_date::{PartialDate, PartialDateError};
pub use predicate::Predicate;
