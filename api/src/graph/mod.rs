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

/// The fields of the query root: every node kind's list and lookup, lookups by global ID, and the entity resolvers of federation.
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

/// The schema with no data attached: for SDL export and tests. The server adds the database and limits.
pub fn schema() -> SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .register_output_type::<Node>()
        // async-graphql's own description of `String` breaks its lines mid-sentence.
        .override_output_type_description::<String>(
            "The `String` scalar type represents textual data, represented as UTF-8 character \
             sequences. The String type is most often used by GraphQL to represent free-form \
             human-readable text.",
        )
        .enable_federation()
}

/// The schema's SDL in its federation form, as `_service { sdl }` serves it and `schema.graphql` holds it.
pub fn federation_sdl() -> String {
    schema()
        .finish()
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}

#[cfg(test)]
mod tests {
    use async_graphql::registry::MetaType;

    /// Every description of the schema's own types, fields, arguments and values.
    fn descriptions() -> Vec<(String, String)> {
        let env = crate::execution::schema_env().expect("the registry");
        let mut found = Vec::new();
        let mut keep = |place: String, description: &Option<String>| {
            if let Some(description) = description {
                found.push((place, description.clone()));
            }
        };
        for (name, ty) in &env.registry.types {
            if name.starts_with('_') {
                continue;
            }
            match ty {
                MetaType::Object {
                    description,
                    fields,
                    ..
                }
                | MetaType::Interface {
                    description,
                    fields,
                    ..
                } => {
                    keep(name.clone(), description);
                    for (field_name, field) in fields {
                        keep(format!("{name}.{field_name}"), &field.description);
                        for (arg, value) in &field.args {
                            keep(format!("{name}.{field_name}({arg})"), &value.description);
                        }
                    }
                }
                MetaType::Enum {
                    description,
                    enum_values,
                    ..
                } => {
                    keep(name.clone(), description);
                    for (value_name, value) in enum_values {
                        keep(format!("{name}.{value_name}"), &value.description);
                    }
                }
                MetaType::InputObject {
                    description,
                    input_fields,
                    ..
                } => {
                    keep(name.clone(), description);
                    for (field_name, field) in input_fields {
                        keep(format!("{name}.{field_name}"), &field.description);
                    }
                }
                MetaType::Scalar { description, .. } | MetaType::Union { description, .. } => {
                    keep(name.clone(), description);
                }
            }
        }
        found
    }

    #[test]
    fn the_schema_builds_no_sql() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/graph");
        let files = std::fs::read_dir(&dir).expect("the graph module's files");
        let mut read = 0;
        for file in files {
            let path = file.expect("a file").path();
            let text = std::fs::read_to_string(&path).expect("readable");
            // Spelt in two halves, so that this very file does not name them.
            for sql in [["sea", "_orm"].concat(), ["sea", "_query"].concat()] {
                assert!(!text.contains(&sql), "{} names {sql}", path.display());
            }
            read += 1;
        }
        assert!(read > 10, "{read} files");
    }

    #[test]
    fn descriptions_break_lines_only_between_paragraphs() {
        let descriptions = descriptions();
        assert!(
            descriptions.len() > 300,
            "{} descriptions",
            descriptions.len()
        );
        let wrapped: Vec<String> = descriptions
            .into_iter()
            .filter(|(_, description)| {
                let lines: Vec<&str> = description.split('\n').collect();
                lines
                    .windows(2)
                    .any(|pair| !pair[0].is_empty() && !pair[1].is_empty())
            })
            .map(|(place, description)| format!("{place}: {description:?}"))
            .collect();
        assert!(
            wrapped.is_empty(),
            "line breaks mid-paragraph:\n{}",
            wrapped.join("\n")
        );
    }
}
