//! The GraphQL schema: one module per domain, merged into one query root.

pub mod aggregates;
pub mod citation;
pub mod connection;
pub mod federation;
pub mod filter;
pub mod linked;
pub mod loader;
pub mod lookup;
pub mod node;
pub mod node_ref;
pub mod relationship;
pub mod relay;
pub mod search;
pub mod timeline;
pub mod vocabulary;
pub mod walks;

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    EmptyMutation, EmptySubscription, MergedObject, SDLExportOptions, Schema, SchemaBuilder,
    SchemaEnv, ServerResult, Variables,
};
use futures_util::FutureExt as _;

pub use federation::Query;
pub use node::Node;

/// Declares each kind's module of the table of kinds, its object type, and the query root that
/// merges every kind's root fields and entity resolvers.
macro_rules! kind_modules {
    ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
        $(
            mod $module;
            pub use $module::$kind;
        )*

        /// The fields of the query root: every node kind's list and lookup, lookups by global ID, search across every kind, and the entity resolvers of federation.
        #[derive(MergedObject, Default)]
        #[graphql(name = "Query")]
        pub struct QueryFields(
            node::NodeQuery,
            timeline::TimelineQuery,
            aggregates::AggregateQuery,
            walks::WalkQuery,
            search::SearchQuery,
            $($module::Query,)*
        );
    };
}

govgraph_entities::for_each_kind!(kind_modules);

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

/// Keeps the schema environment (the registry of types) of the first request it sees.
struct CaptureEnv(Arc<Mutex<Option<SchemaEnv>>>);

impl ExtensionFactory for CaptureEnv {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CaptureEnv(self.0.clone()))
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for CaptureEnv {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if let Ok(mut env) = self.0.lock() {
            *env = Some(ctx.schema_env.clone());
        }
        next.run(ctx, query, variables).await
    }
}

/// The environment (the registry of types) of the govgraph schema, which async-graphql shows
/// only to extensions: one request, which needs no I/O, hands it over.
pub fn schema_env() -> Option<SchemaEnv> {
    let slot = Arc::new(Mutex::new(None));
    let probe = schema().extension(CaptureEnv(slot.clone())).finish();
    // `{ __typename }` is answered in the first poll: nothing in it waits.
    let _ = probe.execute("{ __typename }").now_or_never();
    slot.lock().ok().and_then(|mut env| env.take())
}

#[cfg(test)]
mod tests {
    use async_graphql::registry::MetaType;

    /// Every description of the schema's own types, fields, arguments and values.
    fn descriptions() -> Vec<(String, String)> {
        let env = super::schema_env().expect("the registry");
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
    fn every_kind_of_the_table_of_kinds_is_an_entity_with_its_lists() {
        use async_graphql::EnumType;

        let env = super::schema_env().expect("the registry");
        let sdl = super::federation_sdl();
        let items = super::vocabulary::NodeKind::items();
        assert_eq!(items.len(), 9);
        for item in items {
            let kind = govgraph_entities::NodeKind::from(item.value);
            assert_eq!(item.name, kind.as_str());
            let name = super::relay::type_name(kind);
            for type_name in [
                name.to_owned(),
                format!("{name}Edge"),
                format!("{name}Connection"),
                format!("Linked{name}Edge"),
                format!("Linked{name}Connection"),
            ] {
                assert!(
                    env.registry.types.contains_key(&type_name),
                    "no type {type_name}"
                );
            }
            assert!(
                sdl.contains(&format!("type {name} implements Node @key(fields: \"id\")")),
                "{name} is no entity keyed by id"
            );
        }
    }

    /// The text of every file of the module directory `dir` of this crate's sources.
    fn sources_of(dir: &str) -> Vec<(std::path::PathBuf, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(dir);
        std::fs::read_dir(&dir)
            .expect("the module's files")
            .map(|file| {
                let path = file.expect("a file").path();
                let text = std::fs::read_to_string(&path).expect("readable");
                (path, text)
            })
            .collect()
    }

    #[test]
    fn no_layer_imports_one_above_it() {
        // Spelt in two halves, so that this very file does not name them.
        let above = |layers: &[&str]| -> Vec<String> {
            layers
                .iter()
                .map(|layer| ["crate::", layer].concat())
                .collect()
        };
        for (dir, forbidden) in [
            ("graph", above(&["execution", "server", "cli"])),
            ("execution", above(&["server", "cli"])),
        ] {
            let files = sources_of(dir);
            assert!(files.len() > 5, "{dir}: {} files", files.len());
            for (path, text) in files {
                for layer in &forbidden {
                    assert!(
                        !text.contains(layer.as_str()),
                        "{} names {layer}",
                        path.display()
                    );
                }
            }
        }
    }

    #[test]
    fn the_schema_builds_no_sql() {
        let files = sources_of("graph");
        assert!(files.len() > 10, "{} files", files.len());
        for (path, text) in files {
            // Spelt in two halves, so that this very file does not name them.
            for sql in [["sea", "_orm"].concat(), ["sea", "_query"].concat()] {
                assert!(!text.contains(&sql), "{} names {sql}", path.display());
            }
        }
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
