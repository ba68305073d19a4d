//! The GraphQL schema: one module per domain, merged into one query root.

pub mod citation;
pub mod connection;
mod country;
mod deliverable;
mod entities;
mod event;
pub mod federation;
pub mod filter;
pub mod lookup;
pub mod node;
mod organisation;
mod partnership;
mod person;
pub mod relationship;
pub mod relay;
mod source;
mod topic;
pub mod vocabulary;
mod working_group;

use async_graphql::{
    EmptyMutation, EmptySubscription, MergedObject, SDLExportOptions, Schema, SchemaBuilder,
};

pub use country::Country;
pub use deliverable::Deliverable;
pub use event::Event;
pub use federation::Query;
pub use node::Node;
pub use organisation::Organisation;
pub use partnership::Partnership;
pub use person::Person;
pub use source::Source;
pub use topic::Topic;
pub use working_group::WorkingGroup;

/// The fields of the query root: every node kind's list and lookup, lookups by global ID, and
/// the entity resolvers of federation.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryFields(
    node::NodeQuery,
    entities::EntityQuery,
    partnership::PartnershipQuery,
    working_group::WorkingGroupQuery,
    event::EventQuery,
    person::PersonQuery,
    country::CountryListQuery,
    country::CountryQuery,
    organisation::OrganisationQuery,
    deliverable::DeliverableQuery,
    topic::TopicQuery,
    source::SourceQuery,
);

/// The govgraph schema type.
pub type GovGraphSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The schema with no data attached: for SDL export and tests. The server adds the database
/// and limits.
pub fn schema() -> SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .register_output_type::<Node>()
        .enable_federation()
}

/// The schema's SDL in its federation form, as `_service { sdl }` serves it and
/// `schema.graphql` holds it.
pub fn federation_sdl() -> String {
    schema()
        .finish()
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
