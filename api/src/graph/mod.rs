//! The GraphQL schema: one module per domain, merged into one query root.

pub mod citation;
pub mod connection;
mod country;
mod deliverable;
mod event;
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

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema, SchemaBuilder};

pub use country::Country;
pub use deliverable::Deliverable;
pub use event::Event;
pub use node::Node;
pub use organisation::Organisation;
pub use partnership::Partnership;
pub use person::Person;
pub use source::Source;
pub use topic::Topic;
pub use working_group::WorkingGroup;

/// The query root: every node kind's list and lookup, and lookups by global ID.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
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
    Schema::build(Query::default(), EmptyMutation, EmptySubscription).register_output_type::<Node>()
}
