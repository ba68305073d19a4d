//! The shape of a document, measured before anything runs: how deep it nests, how many values
//! it may produce (its cost), and how many aliases, root fields, directives and fragment spreads
//! it carries, each counted as if every fragment were written out in place.
//!
//! Nothing is written out: each fragment is measured once per operation and its measures are
//! reused wherever it is spread, so a document whose fragments spread one another ten times
//! over is measured in time proportional to its length, and refused for what it would expand
//! to. Fragments that spread themselves, directly or not, are refused as the spec's "Fragments
//! Must Not Form Cycles" asks, before async-graphql's own validation (which expands fragments)
//! ever sees them.

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{Name, Pos, Positioned, Variables};
use async_graphql_value::{ConstValue, Value};

use govgraph_read::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// What a list that is neither a connection nor sized by an argument is assumed to hold.
pub const ASSUMED_LIST_SIZE: u64 = 10;

/// How deeply the lists of `__Type` that lead to further types (`fields`, `inputFields`,
/// `interfaces`, `possibleTypes`) may nest in an introspection query, as graphql-js allows: the
/// standard introspection query nests them once; nesting them three times is refused.
pub const MAX_INTROSPECTION_LISTS: u32 = 2;

/// The measures of an operation, or of a fragment or selection set within one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// The deepest nesting of fields.
    pub depth: u32,
    /// The values the selection may produce.
    pub cost: u64,
    /// Fields selected under an alias.
    pub aliases: u64,
    /// Fields selected at the top of the selection set.
    pub root_fields: u64,
    /// Directives on fields, spreads, inline fragments and the operation.
    pub directives: u64,
    /// Fragment spreads.
    pub spreads: u64,
    /// The deepest nesting of the introspection lists that lead to further types.
    pub introspection_lists: u32,
    /// The most representations one `_entities` field carries.
    pub entities: u64,
    /// The most IDs one `nodes` field asks for.
    pub node_ids: u64,
}

impl Shape {
    /// Adds the measures of a sibling selection.
    fn add(&mut self, other: Shape) {
        self.depth = self.depth.max(other.depth);
        self.cost = self.cost.saturating_add(other.cost);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.root_fields = self.root_fields.saturating_add(other.root_fields);
        self.directives = self.directives.saturating_add(other.directives);
        self.spreads = self.spreads.saturating_add(other.spreads);
        self.introspection_lists = self.introspection_lists.max(other.introspection_lists);
        self.entities = self.entities.max(other.entities);
        self.node_ids = self.node_ids.max(other.node_ids);
    }
}

/// Why a document cannot be measured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The fragment that spreads itself.
    pub fragment: String,
    /// Where it is spread within itself.
    pub pos: Pos,
}

/// How many items each list of the introspection schema holds on average in this schema, so
/// that introspection is priced like any other selection.
#[derive(Clone, Copy, Debug)]
pub struct IntrospectionSizes {
    types: u64,
    fields: u64,
    args: u64,
    input_fields: u64,
    enum_values: u64,
    interfaces: u64,
    possible_types: u64,
    directives: u64,
    locations: u64,
}

/// `total / count`, rounded up, and at least 1.
fn average(total: usize, count: usize) -> u64 {
    let (total, count) = (total as u64, count.max(1) as u64);
    total.div_ceil(count).max(1)
}

impl IntrospectionSizes {
    /// The sizes of `registry`'s lists.
    pub fn of(registry: &Registry) -> Self {
        let types = registry.types.values();
        let mut counts = [0usize; 8];
        let [
            with_fields,
            fields,
            args,
            with_inputs,
            inputs,
            with_values,
            values,
            implemented,
        ] = &mut counts;
        let mut possible = (0usize, 0usize);
        for ty in types {
            match ty {
                MetaType::Object { fields: f, .. } | MetaType::Interface { fields: f, .. } => {
                    *with_fields += 1;
                    *fields += f.len();
                    *args += f.values().map(|field| field.args.len()).sum::<usize>();
                }
                MetaType::InputObject { input_fields, .. } => {
                    *with_inputs += 1;
                    *inputs += input_fields.len();
                }
                MetaType::Enum { enum_values, .. } => {
                    *with_values += 1;
                    *values += enum_values.len();
                }
                _ => {}
            }
            if let MetaType::Interface { possible_types, .. }
            | MetaType::Union { possible_types, .. } = ty
            {
                possible.0 += 1;
                possible.1 += possible_types.len();
            }
        }
        *implemented = registry.implements.values().map(|set| set.len()).sum();
        let directive_args: usize = registry.directives.values().map(|d| d.args.len()).sum();
        let locations: usize = registry
            .directives
            .values()
            .map(|d| d.locations.len())
            .sum();
        Self {
            types: registry.types.len() as u64,
            fields: average(counts[1], counts[0]),
            args: average(
                counts[2] + directive_args,
                counts[1] + registry.directives.len(),
            ),
            input_fields: average(counts[4], counts[3]),
            enum_values: average(counts[6], counts[5]),
            interfaces: average(counts[7], registry.implements.len()),
            possible_types: average(possible.1, possible.0),
            directives: registry.directives.len() as u64,
            locations: average(locations, registry.directives.len()),
        }
    }

    /// The items a list field of the introspection schema holds, if `field` on `parent` is one.
    fn of_field(&self, parent: &str, field: &str) -> Option<u64> {
        Some(match (parent, field) {
            ("__Schema", "types") => self.types,
            ("__Schema", "directives") => self.directives,
            ("__Type", "fields") => self.fields,
            ("__Type", "inputFields") => self.input_fields,
            ("__Type", "enumValues") => self.enum_values,
            ("__Type", "interfaces") => self.interfaces,
            ("__Type", "possibleTypes") => self.possible_types,
            ("__Field" | "__Directive", "args") => self.args,
            ("__Directive", "locations") => self.locations,
            _ => return None,
        })
    }
}

/// The lists of `__Type` that lead to further types, which graphql-js's introspection depth
/// rule counts.
fn leads_to_types(parent: &str, field: &str) -> bool {
    parent == "__Type"
        && matches!(
            field,
            "fields" | "inputFields" | "interfaces" | "possibleTypes"
        )
}

/// The named type of a field type such as `[Country!]!`.
fn named(ty: &str) -> &str {
    ty.trim_matches(|c| matches!(c, '[' | ']' | '!'))
}

enum Memo {
    Measuring,
    Measured(Shape),
}

/// Measures one operation of a document.
struct Walk<'a> {
    registry: &'a Registry,
    sizes: &'a IntrospectionSizes,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    operation: &'a OperationDefinition,
    fragments: HashMap<&'a Name, Memo>,
}

impl<'a> Walk<'a> {
    /// The value of `value`, looking variables up in the request and then in the operation's
    /// defaults.
    fn resolve<'v>(&'v self, value: &'v Value) -> Option<ConstValueRef<'v>> {
        match value {
            Value::Variable(name) => match self.variables.get(name) {
                Some(value) => Some(ConstValueRef::Const(value)),
                None => self
                    .operation
                    .variable_definitions
                    .iter()
                    .find(|definition| definition.node.name.node == *name)
                    .and_then(|definition| definition.node.default_value.as_ref())
                    .map(|default| ConstValueRef::Const(&default.node)),
            },
            value => Some(ConstValueRef::Literal(value)),
        }
    }

    /// The page size a connection's `first` or `last` asks for, clamped to what a page may be.
    fn page_size(&self, value: Option<&'a Positioned<Value>>) -> Option<u64> {
        let number = match self.resolve(&value?.node)? {
            ConstValueRef::Const(ConstValue::Number(number))
            | ConstValueRef::Literal(Value::Number(number)) => number.clone(),
            _ => return None,
        };
        let size = number.as_u64().unwrap_or(1);
        Some(size.clamp(1, MAX_PAGE_SIZE))
    }

    /// The length of the longest list argument of a field.
    fn longest_list_argument(&self, field: &'a async_graphql::parser::types::Field) -> Option<u64> {
        field
            .arguments
            .iter()
            .filter_map(|(_, value)| match self.resolve(&value.node)? {
                ConstValueRef::Const(ConstValue::List(items)) => Some(items.len() as u64),
                ConstValueRef::Literal(Value::List(items)) => Some(items.len() as u64),
                _ => None,
            })
            .max()
    }

    /// How many times what is selected under `field` (on `parent`, of type `ty`) is produced.
    fn multiplier(
        &self,
        parent: &str,
        field: &'a async_graphql::parser::types::Field,
        ty: &str,
    ) -> u64 {
        let name = field.name.node.as_str();
        if named(ty).ends_with("Connection") {
            return self
                .page_size(field.get_argument("first"))
                .or_else(|| self.page_size(field.get_argument("last")))
                .unwrap_or(DEFAULT_PAGE_SIZE);
        }
        if let Some(size) = self.sizes.of_field(parent, name) {
            return size;
        }
        if !ty.starts_with('[') {
            return 1;
        }
        // A connection's own lists hold its page, which its size already counts.
        if parent.ends_with("Connection") {
            return 1;
        }
        self.longest_list_argument(field)
            .unwrap_or(ASSUMED_LIST_SIZE)
            .max(1)
    }

    /// The measures of a selection set on type `on`.
    fn selection_set(&mut self, on: &str, set: &'a SelectionSet) -> Result<Shape, Cycle> {
        let mut shape = Shape::default();
        for item in &set.items {
            let directives = item.node.directives().len() as u64;
            let mut measured = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    let ty = match name {
                        "__typename" => None,
                        "__schema" => Some("__Schema".to_owned()),
                        "__type" => Some("__Type".to_owned()),
                        _ => self
                            .registry
                            .types
                            .get(on)
                            .and_then(|meta| meta.field_by_name(name))
                            .map(|meta| meta.ty.clone()),
                    };
                    let ty = ty.unwrap_or_default();
                    let below = self.selection_set(named(&ty), &field.selection_set.node)?;
                    let times = self.multiplier(on, field, &ty);
                    Shape {
                        depth: below.depth + 1,
                        cost: times.saturating_mul(below.cost).saturating_add(1),
                        aliases: below.aliases + u64::from(field.alias.is_some()),
                        root_fields: 1,
                        directives: below.directives,
                        spreads: below.spreads,
                        introspection_lists: below.introspection_lists
                            + u32::from(leads_to_types(on, name)),
                        entities: if name == "_entities" {
                            self.longest_list_argument(field).unwrap_or_default()
                        } else {
                            below.entities
                        },
                        node_ids: if name == "nodes" && on == self.registry.query_type {
                            self.longest_list_argument(field).unwrap_or_default()
                        } else {
                            below.node_ids
                        },
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(on, |condition| condition.node.on.node.as_str());
                    self.selection_set(on, &fragment.selection_set.node)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let mut shape = match self.document.fragments.get(name) {
                        Some(fragment) => self.fragment(name, fragment, spread.pos)?,
                        // An unknown fragment is refused by validation.
                        None => Shape::default(),
                    };
                    shape.spreads = shape.spreads.saturating_add(1);
                    shape
                }
            };
            measured.directives = measured.directives.saturating_add(directives);
            shape.add(measured);
        }
        Ok(shape)
    }

    /// The measures of a fragment, taken once per operation.
    fn fragment(
        &mut self,
        name: &'a Name,
        fragment: &'a Positioned<FragmentDefinition>,
        spread_at: Pos,
    ) -> Result<Shape, Cycle> {
        match self.fragments.get(name) {
            Some(Memo::Measured(shape)) => return Ok(*shape),
            Some(Memo::Measuring) => {
                return Err(Cycle {
                    fragment: name.to_string(),
                    pos: spread_at,
                });
            }
            None => {}
        }
        self.fragments.insert(name, Memo::Measuring);
        let fragment = &fragment.node;
        let shape = self.selection_set(
            fragment.type_condition.node.on.node.as_str(),
            &fragment.selection_set.node,
        )?;
        self.fragments.insert(name, Memo::Measured(shape));
        Ok(shape)
    }
}

/// A value as a document or a request gives it.
enum ConstValueRef<'a> {
    Const(&'a ConstValue),
    Literal(&'a Value),
}

/// The measures of every operation of `document`, each with its name, for `variables`.
pub fn measure<'a>(
    registry: &Registry,
    sizes: &IntrospectionSizes,
    document: &'a ExecutableDocument,
    variables: &Variables,
) -> Result<Vec<(Option<&'a Name>, Shape)>, Cycle> {
    let mut shapes = Vec::new();
    for (name, operation) in document.operations.iter() {
        let root = match operation.node.ty {
            async_graphql::parser::types::OperationType::Query => registry.query_type.as_str(),
            async_graphql::parser::types::OperationType::Mutation => {
                registry.mutation_type.as_deref().unwrap_or_default()
            }
            async_graphql::parser::types::OperationType::Subscription => {
                registry.subscription_type.as_deref().unwrap_or_default()
            }
        };
        let mut walk = Walk {
            registry,
            sizes,
            document,
            variables,
            operation: &operation.node,
            fragments: HashMap::new(),
        };
        let mut shape = walk.selection_set(root, &operation.node.selection_set.node)?;
        shape.directives = shape
            .directives
            .saturating_add(operation.node.directives.len() as u64);
        shapes.push((name, shape));
    }
    // Fragments that no operation spreads are refused by validation; a cycle among them must
    // still be refused first, since validation would follow it.
    let walk_unused = |operation: &'a OperationDefinition| -> Result<(), Cycle> {
        let mut walk = Walk {
            registry,
            sizes,
            document,
            variables,
            operation,
            fragments: HashMap::new(),
        };
        for (name, fragment) in &document.fragments {
            walk.fragment(name, fragment, fragment.pos)?;
        }
        Ok(())
    };
    if let Some((_, operation)) = document.operations.iter().next() {
        walk_unused(&operation.node)?;
    }
    Ok(shapes)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use async_graphql::parser::parse_query;

    use super::*;

    fn schema_env() -> async_graphql::SchemaEnv {
        crate::graph::schema_env().expect("the registry")
    }

    fn shape_of(registry: &Registry, query: &str, variables: serde_json::Value) -> Shape {
        let document = parse_query(query).expect("parses");
        let variables = Variables::from_json(variables);
        let sizes = IntrospectionSizes::of(registry);
        let shapes = measure(registry, &sizes, &document, &variables).expect("no cycle");
        shapes
            .into_iter()
            .map(|(_, shape)| shape)
            .next()
            .expect("one operation")
    }

    #[test]
    fn a_connection_multiplies_what_is_under_it_by_its_page_size() {
        let env = schema_env();
        let registry = &env.registry;
        let shape = shape_of(
            registry,
            "{ countries(first: 100) { nodes { name code } } }",
            serde_json::json!({}),
        );
        // countries, then 100 × (nodes + name + code).
        assert_eq!(shape.cost, 1 + 100 * 3);
        assert_eq!(shape.depth, 3);
        assert_eq!(shape.root_fields, 1);
    }

    #[test]
    fn a_page_size_given_by_a_variable_or_its_default_is_seen() {
        let env = schema_env();
        let registry = &env.registry;
        let query = "query($n: Int = 100) { countries(first: $n) { nodes { name } } }";
        let by_default = shape_of(registry, query, serde_json::json!({}));
        assert_eq!(by_default.cost, 1 + 100 * 2);
        let given = shape_of(registry, query, serde_json::json!({ "n": 7 }));
        assert_eq!(given.cost, 1 + 7 * 2);
        let none = shape_of(
            registry,
            "{ countries { nodes { name } } }",
            serde_json::json!({}),
        );
        assert_eq!(none.cost, 1 + DEFAULT_PAGE_SIZE * 2);
    }

    #[test]
    fn list_arguments_multiply_what_they_fan_out_to() {
        let env = schema_env();
        let registry = &env.registry;
        let ids: Vec<String> = (0..40).map(|i| format!("id{i}")).collect();
        let shape = shape_of(
            registry,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            serde_json::json!({ "ids": ids }),
        );
        assert_eq!(shape.cost, 1 + 40);
        assert_eq!(shape.node_ids, 40);
        let representations: Vec<serde_json::Value> = (0..30)
            .map(|_| serde_json::json!({ "__typename": "Country", "code": "SG" }))
            .collect();
        let shape = shape_of(
            registry,
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Country { name } } }",
            serde_json::json!({ "r": representations }),
        );
        assert_eq!(shape.cost, 1 + 30);
        assert_eq!(shape.entities, 30);
    }

    #[test]
    fn fragments_count_as_if_written_out_wherever_they_are_spread() {
        let env = schema_env();
        let registry = &env.registry;
        let shape = shape_of(
            registry,
            "{ a: country(code: \"SG\") { ...F } b: country(code: \"GB\") { ...F } }
             fragment F on Country { x: name y: code }",
            serde_json::json!({}),
        );
        assert_eq!(shape.aliases, 2 + 2 * 2);
        assert_eq!(shape.spreads, 2);
        assert_eq!(shape.cost, 2 * (1 + 2));
    }

    #[test]
    fn fragments_spreading_each_other_tenfold_are_measured_at_once_not_expanded() {
        let env = schema_env();
        let registry = &env.registry;
        let mut query = String::from("{ ...F0 }\n");
        for level in 0..30 {
            let next = format!("...F{} ", level + 1);
            query.push_str(&format!(
                "fragment F{level} on Query {{ {} }}\n",
                next.repeat(10)
            ));
        }
        query.push_str("fragment F30 on Query { __typename }\n");
        let started = Instant::now();
        let shape = shape_of(registry, &query, serde_json::json!({}));
        assert!(
            started.elapsed().as_millis() < 100,
            "{:?}",
            started.elapsed()
        );
        // 10^30 expanded spreads: saturated, far over any limit.
        assert_eq!(shape.spreads, u64::MAX);
        assert!(shape.root_fields > 1_000_000);
    }

    #[test]
    fn a_fragment_that_spreads_itself_is_a_cycle() {
        let env = schema_env();
        let registry = &env.registry;
        let document = parse_query(
            "{ ...A } fragment A on Query { ...B } fragment B on Query { __typename ...A }",
        )
        .expect("parses");
        let sizes = IntrospectionSizes::of(registry);
        let cycle =
            measure(registry, &sizes, &document, &Variables::default()).expect_err("a cycle");
        assert!(["A", "B"].contains(&cycle.fragment.as_str()), "{cycle:?}");
    }

    #[test]
    fn an_unused_fragment_cycle_is_found_too() {
        let env = schema_env();
        let registry = &env.registry;
        let document = parse_query("{ __typename } fragment A on Query { ...A }").expect("parses");
        let sizes = IntrospectionSizes::of(registry);
        assert!(measure(registry, &sizes, &document, &Variables::default()).is_err());
    }

    #[test]
    fn introspection_is_priced_and_its_type_lists_counted_when_nested() {
        let env = schema_env();
        let registry = &env.registry;
        let sizes = IntrospectionSizes::of(registry);
        let shape = shape_of(
            registry,
            "{ __schema { types { name fields { name } } } }",
            serde_json::json!({}),
        );
        assert_eq!(shape.introspection_lists, 1);
        assert_eq!(shape.cost, 1 + (1 + sizes.types * (1 + 1 + sizes.fields)));
        let nested = shape_of(
            registry,
            "{ __type(name: \"Query\") { fields { type { fields { type { fields { name } } } } } } }",
            serde_json::json!({}),
        );
        assert_eq!(nested.introspection_lists, 3);
    }

    #[test]
    fn directives_on_fields_spreads_inline_fragments_and_operations_are_counted() {
        let env = schema_env();
        let registry = &env.registry;
        let shape = shape_of(
            registry,
            "query Q @skip(if: false) { __typename @include(if: true) ...F @skip(if: false)
               ... on Query @include(if: true) { __typename } }
             fragment F on Query { __typename @skip(if: false) }",
            serde_json::json!({}),
        );
        assert_eq!(shape.directives, 5);
    }
}
