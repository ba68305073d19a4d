//! Answers as the spec serialises them: the keys of every object in the order the fields were
//! requested ("Serialized Map Ordering"), and `{}` for an object none of whose fields apply.
//!
//! async-graphql inserts each field's value when its resolver finishes, so an object whose
//! fields wait on different loaders comes back in the order they finished; and it turns an
//! object that selected nothing (an inline fragment on another type, a skipped field) into
//! `null`. So before execution each selection set that could select nothing, or whose object's
//! type is only known at run time (an interface or a union), gets one more field, `__typename`
//! under a reserved alias, which no object can lack and which names its concrete type; after
//! execution each object's keys are put in the order the spec's CollectFields gives for that
//! type, and the added field is taken out again. async-graphql also leaves out the key of a field
//! whose resolver failed, where the spec asks for `null` there, or in the nearest nullable place
//! above when the field is non-null; that is done here too.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::registry::Registry;
use async_graphql::{Name, Positioned, Value, Variables};
use async_graphql_value::ConstValue;

/// The alias under which each selection set asks for its object's type.
pub const TYPE_KEY: &str = "__govgraph_typename";

/// Whether any selection of `document`, at any depth of its operations or its fragments, passes
/// `test`.
fn any_selection(document: &ExecutableDocument, test: impl Fn(&Selection) -> bool) -> bool {
    fn set_has(set: &SelectionSet, test: &dyn Fn(&Selection) -> bool) -> bool {
        set.items.iter().any(|item| {
            test(&item.node)
                || match &item.node {
                    Selection::Field(field) => set_has(&field.node.selection_set.node, test),
                    Selection::InlineFragment(fragment) => {
                        set_has(&fragment.node.selection_set.node, test)
                    }
                    Selection::FragmentSpread(_) => false,
                }
        })
    }
    document
        .operations
        .iter()
        .any(|(_, operation)| set_has(&operation.node.selection_set.node, &test))
        || document
            .fragments
            .values()
            .any(|fragment| set_has(&fragment.node.selection_set.node, &test))
}

/// Whether the document already uses the reserved alias, which would then be ambiguous.
pub fn uses_type_key(document: &ExecutableDocument) -> bool {
    any_selection(
        document,
        |selection| matches!(selection, Selection::Field(field) if field.node.response_key().node == TYPE_KEY),
    )
}

/// Whether a `@skip` or `@include` of `document` takes its condition from a variable.
pub fn has_variable_conditions(document: &ExecutableDocument) -> bool {
    any_selection(document, |selection| {
        selection.directives().iter().any(|directive| {
            directive
                .node
                .arguments
                .iter()
                .any(|(_, value)| matches!(value.node, async_graphql_value::Value::Variable(_)))
        })
    })
}

fn type_field(at: async_graphql::Pos) -> Positioned<Selection> {
    let field = Field {
        alias: Some(Positioned::new(Name::new(TYPE_KEY), at)),
        name: Positioned::new(Name::new("__typename"), at),
        arguments: Vec::new(),
        directives: Vec::new(),
        selection_set: Positioned::new(SelectionSet::default(), at),
    };
    Positioned::new(Selection::Field(Positioned::new(field, at)), at)
}

/// Adds the type field to `set`, the selection set of an object, and to every object below.
fn add_type_fields(set: &mut Positioned<SelectionSet>) {
    add_nested_type_fields(set);
    let at = set.pos;
    set.node.items.push(type_field(at));
}

/// Adds the type field to the objects below `set`: those of its fields, and those below its
/// inline fragments, whose own object is `set`'s.
fn add_nested_type_fields(set: &mut Positioned<SelectionSet>) {
    for item in &mut set.node.items {
        match &mut item.node {
            Selection::Field(field) => {
                if !field.node.selection_set.node.items.is_empty() {
                    add_type_fields(&mut field.node.selection_set);
                }
            }
            Selection::InlineFragment(fragment) => {
                add_nested_type_fields(&mut fragment.node.selection_set);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// `document` with the type field added where the answer needs it: to the selection set of
/// every object whose type is an interface or union (whose concrete type orders its keys, and
/// which may select nothing), and, when the document has a `@skip` or `@include` (which may
/// leave any object with nothing), to every object's. An object of a known type that selects
/// something needs none, and costs no more to answer.
pub fn with_type_fields(document: &ExecutableDocument, registry: &Registry) -> ExecutableDocument {
    if has_conditions(document) {
        return with_type_fields_everywhere(document);
    }
    let mut document = document.clone();
    let root = registry.query_type.as_str();
    match &mut document.operations {
        async_graphql::parser::types::DocumentOperations::Single(operation) => {
            add_abstract_type_fields(&mut operation.node.selection_set, root, registry);
        }
        async_graphql::parser::types::DocumentOperations::Multiple(operations) => {
            for operation in operations.values_mut() {
                add_abstract_type_fields(&mut operation.node.selection_set, root, registry);
            }
        }
    }
    for fragment in document.fragments.values_mut() {
        let on = fragment.node.type_condition.node.on.node.to_string();
        add_abstract_type_fields(&mut fragment.node.selection_set, &on, registry);
    }
    document
}

/// Adds the type field to the objects below `set`, of type `on`, whose type is abstract.
fn add_abstract_type_fields(set: &mut Positioned<SelectionSet>, on: &str, registry: &Registry) {
    for item in &mut set.node.items {
        match &mut item.node {
            Selection::Field(field) => {
                if field.node.selection_set.node.items.is_empty() {
                    continue;
                }
                let ty = match field.node.name.node.as_str() {
                    "__schema" => "__Schema",
                    "__type" => "__Type",
                    name => registry
                        .types
                        .get(on)
                        .and_then(|ty| ty.field_by_name(name))
                        .map_or("", |meta| {
                            meta.ty.trim_matches(|c| matches!(c, '[' | ']' | '!'))
                        }),
                };
                add_abstract_type_fields(&mut field.node.selection_set, ty, registry);
                if registry.types.get(ty).is_some_and(|ty| ty.is_abstract()) {
                    let at = field.node.selection_set.pos;
                    field.node.selection_set.node.items.push(type_field(at));
                }
            }
            Selection::InlineFragment(fragment) => {
                let on = fragment.node.type_condition.as_ref().map_or_else(
                    || on.to_owned(),
                    |condition| condition.node.on.node.to_string(),
                );
                add_abstract_type_fields(&mut fragment.node.selection_set, &on, registry);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// Whether `document` has a `@skip` or an `@include`.
fn has_conditions(document: &ExecutableDocument) -> bool {
    any_selection(document, |selection| {
        selection
            .directives()
            .iter()
            .any(|directive| matches!(directive.node.name.node.as_str(), "skip" | "include"))
    })
}

/// `document` with the type field added to every object's selection set.
fn with_type_fields_everywhere(document: &ExecutableDocument) -> ExecutableDocument {
    let mut document = document.clone();
    match &mut document.operations {
        async_graphql::parser::types::DocumentOperations::Single(operation) => {
            add_type_fields(&mut operation.node.selection_set);
        }
        async_graphql::parser::types::DocumentOperations::Multiple(operations) => {
            for operation in operations.values_mut() {
                add_type_fields(&mut operation.node.selection_set);
            }
        }
    }
    for fragment in document.fragments.values_mut() {
        add_nested_type_fields(&mut fragment.node.selection_set);
    }
    document
}

/// One response key of an object: the fields merged under it, in order.
struct Collected<'a> {
    key: &'a Name,
    /// The field's type as declared, such as `[Country!]!`.
    ty: &'a str,
    sets: Vec<&'a SelectionSet>,
}

type Plan<'a> = Rc<Vec<Collected<'a>>>;

/// The plans of one object type, each with the selection sets it was made for.
type Plans<'a> = Vec<(Vec<usize>, Plan<'a>)>;

/// Puts the keys of one answer in order.
struct Order<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    operation: &'a OperationDefinition,
    /// Plans by object type, worked out once per type and selection.
    plans: HashMap<&'a str, Plans<'a>>,
}

impl<'a> Order<'a> {
    fn variable(&self, name: &Name) -> Option<&'a ConstValue> {
        self.variables.get(name).or_else(|| {
            self.operation
                .variable_definitions
                .iter()
                .find(|definition| definition.node.name.node == *name)
                .and_then(|definition| definition.node.default_value.as_ref())
                .map(|value| &value.node)
        })
    }

    /// Whether `@skip` and `@include` keep a selection.
    fn included(&self, directives: &[Positioned<Directive>]) -> bool {
        directives.iter().all(|directive| {
            let condition = directive
                .node
                .get_argument("if")
                .map(|value| match &value.node {
                    async_graphql_value::Value::Boolean(flag) => *flag,
                    async_graphql_value::Value::Variable(name) => {
                        matches!(self.variable(name), Some(ConstValue::Boolean(true)))
                    }
                    _ => false,
                });
            match directive.node.name.node.as_str() {
                "skip" => condition != Some(true),
                "include" => condition != Some(false),
                _ => true,
            }
        })
    }

    /// Whether a fragment on `condition` applies to an object of type `concrete`.
    fn applies(&self, condition: &str, concrete: &str) -> bool {
        condition == concrete
            || self
                .registry
                .types
                .get(condition)
                .is_some_and(|ty| ty.is_possible_type(concrete))
    }

    fn collect(
        &self,
        concrete: &str,
        set: &'a SelectionSet,
        visited: &mut HashSet<&'a Name>,
        into: &mut Vec<Collected<'a>>,
    ) {
        for item in &set.items {
            if !self.included(item.node.directives()) {
                continue;
            }
            match &item.node {
                Selection::Field(field) => {
                    let key = &field.node.response_key().node;
                    if key == TYPE_KEY {
                        continue;
                    }
                    let subset = &field.node.selection_set.node;
                    match into.iter_mut().find(|collected| collected.key == key) {
                        Some(collected) => collected.sets.push(subset),
                        None => into.push(Collected {
                            key,
                            ty: self.field_type(concrete, &field.node.name.node),
                            sets: vec![subset],
                        }),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if !visited.insert(name) {
                        continue;
                    }
                    if let Some(fragment) = self.document.fragments.get(name)
                        && self
                            .applies(fragment.node.type_condition.node.on.node.as_str(), concrete)
                    {
                        self.collect(concrete, &fragment.node.selection_set.node, visited, into);
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let applies = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .is_none_or(|condition| {
                            self.applies(condition.node.on.node.as_str(), concrete)
                        });
                    if applies {
                        self.collect(concrete, &fragment.node.selection_set.node, visited, into);
                    }
                }
            }
        }
    }

    /// The keys of an object of type `concrete` selected by `sets`, in order, with what each
    /// selects; worked out once per selection and type.
    fn plan(&mut self, concrete: &'a str, sets: &[&'a SelectionSet]) -> Plan<'a> {
        let same = |made_for: &[usize]| {
            made_for.len() == sets.len()
                && made_for
                    .iter()
                    .zip(sets)
                    .all(|(made, set)| *made == std::ptr::from_ref(*set) as usize)
        };
        if let Some((_, plan)) = self
            .plans
            .get(concrete)
            .and_then(|plans| plans.iter().find(|(made_for, _)| same(made_for)))
        {
            return plan.clone();
        }
        let mut collected = Vec::new();
        let mut visited = HashSet::new();
        for set in sets {
            self.collect(concrete, set, &mut visited, &mut collected);
        }
        let plan = Rc::new(collected);
        let made_for = sets
            .iter()
            .map(|set| std::ptr::from_ref(*set) as usize)
            .collect();
        self.plans
            .entry(concrete)
            .or_default()
            .push((made_for, plan.clone()));
        plan
    }

    /// The type of field `field` of type `on`, as declared: `[Country!]!`.
    fn field_type(&self, on: &str, field: &str) -> &'a str {
        match field {
            "__typename" => "String!",
            "__schema" => "__Schema!",
            "__type" => "__Type",
            _ => self
                .registry
                .types
                .get(on)
                .and_then(|ty| ty.field_by_name(field))
                .map_or("", |meta| meta.ty.as_str()),
        }
    }

    /// The name of object type `name` as the registry holds it, for as long as the registry.
    fn type_name(&self, name: &str) -> &'a str {
        self.registry
            .types
            .get_key_value(name)
            .map_or("", |(name, _)| name.as_str())
    }

    /// Orders `value`, an answer of type `ty` (as declared: `[Country!]!`) to `sets`; returns
    /// false when it is null where its type is non-null, so that the null goes up to the
    /// nearest nullable place, as the spec's "Handling Field Errors" asks.
    fn value(&mut self, value: &mut Value, ty: &str, sets: &[&'a SelectionSet]) -> bool {
        let (non_null, ty) = match ty.strip_suffix('!') {
            Some(inner) => (true, inner),
            None => (false, ty),
        };
        let whole = match value {
            Value::List(items) if ty.starts_with('[') && ty.ends_with(']') => {
                let item = &ty[1..ty.len() - 1];
                items.iter_mut().all(|entry| self.value(entry, item, sets))
            }
            Value::Object(object) => self.object(object, ty, sets),
            _ => true,
        };
        if !whole {
            *value = Value::Null;
        }
        !(non_null && *value == Value::Null)
    }

    /// Orders an object of declared type `declared`: its keys in the order of its type's plan,
    /// `null` for a nullable field whose resolver failed (async-graphql leaves its key out);
    /// returns false when a non-null field has no value.
    fn object(
        &mut self,
        object: &mut async_graphql::indexmap::IndexMap<Name, Value>,
        declared: &str,
        sets: &[&'a SelectionSet],
    ) -> bool {
        // The type field was added last to the selection, so it is usually the last key.
        let concrete = match object.last() {
            Some((key, _)) if key == TYPE_KEY => object.pop().map(|(_, concrete)| concrete),
            _ => object.shift_remove(TYPE_KEY),
        };
        let concrete = match &concrete {
            Some(Value::String(concrete)) => self.type_name(concrete),
            _ => self.type_name(declared),
        };
        let plan = self.plan(concrete, sets);
        let in_order = object.len() == plan.len()
            && object
                .keys()
                .zip(plan.iter())
                .all(|(key, collected)| key == collected.key);
        let mut whole = true;
        if in_order {
            // Resolvers often finish in the order asked: nothing to move.
            for (item, collected) in object.values_mut().zip(plan.iter()) {
                whole &= self.value(item, collected.ty, &collected.sets);
            }
            return whole;
        }
        let mut ordered = async_graphql::indexmap::IndexMap::with_capacity(plan.len());
        for collected in plan.iter() {
            let mut item = object.swap_remove(collected.key).unwrap_or(Value::Null);
            whole &= self.value(&mut item, collected.ty, &collected.sets);
            ordered.insert(collected.key.clone(), item);
        }
        // Anything the plan did not foresee keeps its place at the end.
        ordered.extend(object.drain(..));
        *object = ordered;
        whole
    }
}

/// Puts the keys of `data`, the answer to the operation `operation_name` of `document`, in the
/// order the spec asks for, takes the type fields out, and gives each field whose resolver
/// failed its `null`, which goes up to the nearest nullable place.
pub fn order(
    registry: &Registry,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    data: &mut Value,
) {
    let operation = match (&document.operations, operation_name) {
        (async_graphql::parser::types::DocumentOperations::Single(operation), _) => operation,
        (async_graphql::parser::types::DocumentOperations::Multiple(operations), Some(name)) => {
            match operations.get(name) {
                Some(operation) => operation,
                None => return,
            }
        }
        (async_graphql::parser::types::DocumentOperations::Multiple(operations), None) => {
            match operations.values().next() {
                Some(operation) if operations.len() == 1 => operation,
                _ => return,
            }
        }
    };
    let root = match operation.node.ty {
        async_graphql::parser::types::OperationType::Query => registry.query_type.clone(),
        async_graphql::parser::types::OperationType::Mutation => {
            registry.mutation_type.clone().unwrap_or_default()
        }
        async_graphql::parser::types::OperationType::Subscription => {
            registry.subscription_type.clone().unwrap_or_default()
        }
    };
    let mut order = Order {
        registry,
        document,
        variables,
        operation: &operation.node,
        plans: HashMap::new(),
    };
    let whole = match data {
        Value::Object(object) => order.object(object, &root, &[&operation.node.selection_set.node]),
        _ => true,
    };
    if !whole {
        *data = Value::Null;
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use serde_json::json;

    use super::*;

    fn schema_env() -> async_graphql::SchemaEnv {
        crate::graph::schema_env().expect("the registry")
    }

    fn ordered(query: &str, variables: serde_json::Value, data: serde_json::Value) -> String {
        let env = schema_env();
        let registry = &env.registry;
        let document = parse_query(query).expect("parses");
        let variables = Variables::from_json(variables);
        let mut data = Value::from_json(data).expect("a value");
        order(registry, &document, None, &variables, &mut data);
        data.into_json().expect("json").to_string()
    }

    #[test]
    fn keys_come_back_in_the_order_they_were_asked_for() {
        let out = ordered(
            "{ a: country(code: \"SG\") { name code } b: partnership(slug: \"dgx\") { name } }",
            json!({}),
            json!({
                "b": { "name": "DGX", "__govgraph_typename": "Partnership" },
                "a": { "code": "SG", "name": "Singapore", "__govgraph_typename": "Country" },
                "__govgraph_typename": "Query"
            }),
        );
        assert_eq!(
            out,
            r#"{"a":{"name":"Singapore","code":"SG"},"b":{"name":"DGX"}}"#
        );
    }

    #[test]
    fn an_abstract_object_is_ordered_by_its_own_type_and_fragments_that_miss_give_nothing() {
        let out = ordered(
            "{ event(slug: \"x\") { participants { nodes { ... on Country { code } name ... on Organisation { kind } } } } }",
            json!({}),
            json!({ "event": { "participants": { "nodes": [
                { "name": "Australia", "code": "AU", "__govgraph_typename": "Country" },
                { "kind": "ORGANISATION", "name": "UN", "__govgraph_typename": "Organisation" },
            ] } } }),
        );
        assert_eq!(
            out,
            r#"{"event":{"participants":{"nodes":[{"code":"AU","name":"Australia"},{"name":"UN","kind":"ORGANISATION"}]}}}"#
        );
    }

    #[test]
    fn merged_fields_and_skipped_fields_follow_the_first_place_a_key_is_asked_for() {
        let out = ordered(
            "query($s: Boolean = true) { country(code: \"SG\") { name @skip(if: $s) ...F code alpha3 } }
             fragment F on Country { alpha3 name }",
            json!({}),
            json!({ "country": { "code": "SG", "name": "Singapore", "alpha3": "SGP" } }),
        );
        assert_eq!(
            out,
            r#"{"country":{"alpha3":"SGP","name":"Singapore","code":"SG"}}"#
        );
    }

    #[test]
    fn a_failed_nullable_field_is_null_and_a_failed_non_null_one_nulls_its_parent() {
        // `country` is nullable: its failure leaves it null.
        let out = ordered(
            "{ country(code: \"ZZ\") { name } partnership(slug: \"dgx\") { name } }",
            json!({}),
            json!({ "partnership": { "name": "DGX", "__govgraph_typename": "Partnership" }, "__govgraph_typename": "Query" }),
        );
        assert_eq!(out, r#"{"country":null,"partnership":{"name":"DGX"}}"#);
        // `countries` is non-null: its failure makes all of `data` null.
        let out = ordered(
            "{ countries(first: 0) { totalCount } }",
            json!({}),
            json!({ "__govgraph_typename": "Query" }),
        );
        assert_eq!(out, "null");
        // A non-null `name` missing in a list item nulls the item's non-null list and stops at
        // the nullable `country`.
        let out = ordered(
            "{ country(code: \"SG\") { memberships { nodes { name } } } }",
            json!({}),
            json!({ "country": { "memberships": { "nodes": [{ "__govgraph_typename": "WorkingGroup" }] } } }),
        );
        assert_eq!(out, r#"{"country":null}"#);
    }

    #[test]
    fn only_a_condition_taken_from_a_variable_needs_the_variables() {
        let conditional =
            parse_query("query($s: Boolean!) { __typename @skip(if: $s) }").expect("parses");
        assert!(has_variable_conditions(&conditional));
        let fixed = parse_query("{ __typename @skip(if: false) }").expect("parses");
        assert!(!has_variable_conditions(&fixed));
        let in_fragment = parse_query(
            "query($s: Boolean!) { ...F } fragment F on Query { ... on Query @include(if: $s) { __typename } }",
        )
        .expect("parses");
        assert!(has_variable_conditions(&in_fragment));
    }

    #[test]
    fn the_type_field_is_added_to_objects_of_abstract_types_only() {
        let env = schema_env();
        let document = parse_query(
            "{ country(code: \"SG\") { name ...F ... on Country { alpha3 } } } fragment F on Country { memberships { nodes { name } } }",
        )
        .expect("parses");
        assert!(!uses_type_key(&document));
        let added = with_type_fields(&document, &env.registry);
        let text = format!("{added:?}");
        // Only `nodes`, a list of the `Node` interface.
        assert_eq!(text.matches(TYPE_KEY).count(), 1, "{text}");
    }

    #[test]
    fn with_a_condition_the_type_field_is_added_to_every_object_once_and_not_to_leaves() {
        let env = schema_env();
        let document = parse_query(
            "{ country(code: \"SG\") { name @skip(if: false) ...F ... on Country { alpha3 } } } fragment F on Country { memberships { nodes { name } } }",
        )
        .expect("parses");
        let added = with_type_fields(&document, &env.registry);
        assert!(uses_type_key(&added));
        let text = format!("{added:?}");
        // The root, `country`, `memberships` and `nodes`: four objects.
        assert_eq!(text.matches(TYPE_KEY).count(), 4, "{text}");
    }
}
