//! sea-orm entities of the govgraph knowledge graph.
//!
//! The graph is a property graph on a relational store: one [`node`] row per thing, one detail
//! table per kind (1:1 with `node`), [`edge`] rows for typed relationships that carry their own
//! role and validity, and [`citation`] rows that tie every node and edge to the [`source`]
//! documents that state it. This crate knows nothing of GraphQL.

pub mod citation;
pub mod country;
pub mod deliverable;
mod detail;
pub mod edge;
pub mod event;
pub mod external_id;
mod kinds;
pub mod node;
pub mod organisation;
mod partial_date;
pub mod partnership;
pub mod person;
mod predicate;
pub mod source;
pub mod working_group;

pub use detail::Detail;
pub use kinds::{DeliverableKind, EventFormat, NodeKind, OrganisationKind, SourceKind};
pub use partial_date::{PartialDate, PartialDateError};
pub use predicate::Predicate;
