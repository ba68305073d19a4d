//! Every answer the suite receives, checked against the GraphQL spec, the schema and the
//! document that asked: the response's shape, each object's keys in the order the fields were
//! requested, each value of its field's type, `null` only where the type allows it, and `{}`
//! for an object none of whose fields apply.
//!
//! The schema comes from introspection, and fields are collected as the spec's CollectFields
//! does, written here afresh rather than borrowed from the server, so that the two do not share
//! a mistake.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use serde_json::{Map, Value};
use tokio::sync::OnceCell;

/// A type as a field declares it.
#[derive(Clone, Debug)]
enum TypeRef {
    NonNull(Box<TypeRef>),
    List(Box<TypeRef>),
    Named(String),
}

impl TypeRef {
    fn from_introspection(value: &Value) -> Self {
        match value["kind"].as_str() {
            Some("NON_NULL") => {
                TypeRef::NonNull(Box::new(Self::from_introspection(&value["ofType"])))
            }
            Some("LIST") => TypeRef::List(Box::new(Self::from_introspection(&value["ofType"]))),
            _ => TypeRef::Named(value["name"].as_str().unwrap_or_default().to_owned()),
        }
    }
}

/// A named type of the schema.
#[derive(Debug, Default)]
struct TypeDef {
    kind: String,
    fields: HashMap<String, TypeRef>,
    enum_values: HashSet<String>,
    possible_types: Vec<String>,
}

/// The schema, as introspection gives it.
pub struct Schema {
    types: HashMap<String, TypeDef>,
}

const INTROSPECTION: &str = r#"
{ __schema { types {
    kind name
    fields(includeDeprecated: true) { name type { ...T } }
    enumValues(includeDeprecated: true) { name }
    possibleTypes { name }
} } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
"#;

static SCHEMA: OnceCell<Schema> = OnceCell::const_new();

/// The schema the service serves, read once by introspection.
pub async fn schema() -> &'static Schema {
    SCHEMA
        .get_or_init(|| async {
            let response = govgraph_api::schema().finish().execute(INTROSPECTION).await;
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            let json = response.data.into_json().expect("introspection as JSON");
            let mut types = HashMap::new();
            for ty in json["__schema"]["types"].as_array().expect("types") {
                let mut def = TypeDef {
                    kind: ty["kind"].as_str().unwrap_or_default().to_owned(),
                    ..TypeDef::default()
                };
                for field in ty["fields"].as_array().into_iter().flatten() {
                    def.fields.insert(
                        field["name"].as_str().unwrap_or_default().to_owned(),
                        TypeRef::from_introspection(&field["type"]),
                    );
                }
                for value in ty["enumValues"].as_array().into_iter().flatten() {
                    def.enum_values
                        .insert(value["name"].as_str().unwrap_or_default().to_owned());
                }
                for possible in ty["possibleTypes"].as_array().into_iter().flatten() {
                    def.possible_types
                        .push(possible["name"].as_str().unwrap_or_default().to_owned());
                }
                types.insert(ty["name"].as_str().unwrap_or_default().to_owned(), def);
            }
            Schema { types }
        })
        .await
}

/// One response key of an object: the field it names and every selection set merged under it.
struct Collected<'a> {
    key: String,
    field: String,
    sets: Vec<&'a SelectionSet>,
}

struct Check<'a> {
    schema: &'a Schema,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Map<String, Value>,
}

impl<'a> Check<'a> {
    fn variable_is_true(&self, name: &str) -> bool {
        match self.variables.get(name) {
            Some(value) => value == &Value::Bool(true),
            None => self
                .operation
                .variable_definitions
                .iter()
                .find(|definition| definition.node.name.node.as_str() == name)
                .and_then(|definition| definition.node.default_value.as_ref())
                .is_some_and(|value| value.node == async_graphql::Value::Boolean(true)),
        }
    }

    /// Whether `@skip` and `@include` keep a selection.
    fn kept(
        &self,
        directives: &[async_graphql::Positioned<async_graphql::parser::types::Directive>],
    ) -> bool {
        directives.iter().all(|directive| {
            let condition = directive
                .node
                .get_argument("if")
                .map(|value| match &value.node {
                    async_graphql_value::Value::Boolean(flag) => *flag,
                    async_graphql_value::Value::Variable(name) => self.variable_is_true(name),
                    _ => false,
                });
            match directive.node.name.node.as_str() {
                "skip" => condition != Some(true),
                "include" => condition != Some(false),
                _ => true,
            }
        })
    }

    fn applies(&self, condition: &str, object_type: &str) -> bool {
        condition == object_type
            || self
                .schema
                .types
                .get(condition)
                .is_some_and(|ty| ty.possible_types.iter().any(|t| t == object_type))
    }

    /// The spec's CollectFields for an object of `object_type`.
    fn collect(
        &self,
        object_type: &str,
        set: &'a SelectionSet,
        visited: &mut HashSet<String>,
        into: &mut Vec<Collected<'a>>,
    ) {
        for item in &set.items {
            if !self.kept(item.node.directives()) {
                continue;
            }
            match &item.node {
                Selection::Field(field) => {
                    let key = field.node.response_key().node.to_string();
                    let subset = &field.node.selection_set.node;
                    match into.iter_mut().find(|collected| collected.key == key) {
                        Some(collected) => collected.sets.push(subset),
                        None => into.push(Collected {
                            key,
                            field: field.node.name.node.to_string(),
                            sets: vec![subset],
                        }),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.to_string();
                    if !visited.insert(name.clone()) {
                        continue;
                    }
                    let Some(fragment) = self.document.fragments.get(name.as_str()) else {
                        continue;
                    };
                    if self.applies(
                        fragment.node.type_condition.node.on.node.as_str(),
                        object_type,
                    ) {
                        self.collect(
                            object_type,
                            &fragment.node.selection_set.node,
                            visited,
                            into,
                        );
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let applies = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .is_none_or(|condition| {
                            self.applies(condition.node.on.node.as_str(), object_type)
                        });
                    if applies {
                        self.collect(
                            object_type,
                            &fragment.node.selection_set.node,
                            visited,
                            into,
                        );
                    }
                }
            }
        }
    }

    fn fields(&self, object_type: &str, sets: &[&'a SelectionSet]) -> Vec<Collected<'a>> {
        let mut collected = Vec::new();
        let mut visited = HashSet::new();
        for set in sets {
            self.collect(object_type, set, &mut visited, &mut collected);
        }
        collected
    }

    fn field_type(&self, object_type: &str, field: &str) -> Result<TypeRef, String> {
        let non_null = |name: &str| TypeRef::NonNull(Box::new(TypeRef::Named(name.to_owned())));
        match field {
            "__typename" => Ok(non_null("String")),
            "__schema" => Ok(non_null("__Schema")),
            "__type" => Ok(TypeRef::Named("__Type".to_owned())),
            _ => self
                .schema
                .types
                .get(object_type)
                .and_then(|ty| ty.fields.get(field))
                .cloned()
                .ok_or_else(|| format!("{object_type} has no field `{field}`")),
        }
    }

    fn object(
        &self,
        value: &Value,
        object_type: &str,
        sets: &[&'a SelectionSet],
        at: &str,
    ) -> Result<(), String> {
        let Value::Object(object) = value else {
            return Err(format!(
                "{at}: {object_type} must be an object, not {value}"
            ));
        };
        let fields = self.fields(object_type, sets);
        let expected: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
        let actual: Vec<&str> = object.keys().map(String::as_str).collect();
        if expected != actual {
            return Err(format!(
                "{at}: the keys of {object_type} must be {expected:?} in that order, not {actual:?}"
            ));
        }
        for collected in &fields {
            let item = &object[&collected.key];
            let path = format!("{at}.{}", collected.key);
            if collected.field == "__typename" {
                if item != &Value::String(object_type.to_owned()) {
                    return Err(format!(
                        "{path}: __typename must be {object_type}, not {item}"
                    ));
                }
                continue;
            }
            let ty = self.field_type(object_type, &collected.field)?;
            self.value(item, &ty, &collected.sets, &path)?;
        }
        Ok(())
    }

    fn value(
        &self,
        value: &Value,
        ty: &TypeRef,
        sets: &[&'a SelectionSet],
        at: &str,
    ) -> Result<(), String> {
        match ty {
            TypeRef::NonNull(inner) => {
                if value.is_null() {
                    return Err(format!("{at}: null where the type is non-null"));
                }
                self.value(value, inner, sets, at)
            }
            _ if value.is_null() => Ok(()),
            TypeRef::List(inner) => match value {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, item)| self.value(item, inner, sets, &format!("{at}[{i}]"))),
                _ => Err(format!("{at}: a list was due, not {value}")),
            },
            TypeRef::Named(name) => {
                let def = self
                    .schema
                    .types
                    .get(name)
                    .ok_or_else(|| format!("{at}: unknown type {name}"))?;
                match def.kind.as_str() {
                    "SCALAR" => scalar(value, name, at),
                    "ENUM" => match value {
                        Value::String(text) if def.enum_values.contains(text) => Ok(()),
                        _ => Err(format!("{at}: {value} is not a value of enum {name}")),
                    },
                    "OBJECT" => self.object(value, name, sets, at),
                    _ => self.abstract_object(value, name, def, sets, at),
                }
            }
        }
    }

    /// An object of an interface or union type: of the possible type its `__typename` names,
    /// or else of one whose fields are exactly its keys.
    fn abstract_object(
        &self,
        value: &Value,
        name: &str,
        def: &TypeDef,
        sets: &[&'a SelectionSet],
        at: &str,
    ) -> Result<(), String> {
        let Value::Object(object) = value else {
            return Err(format!("{at}: {name} must be an object, not {value}"));
        };
        let candidates: Vec<&String> = match object.get("__typename").and_then(Value::as_str) {
            Some(concrete) => def
                .possible_types
                .iter()
                .filter(|t| *t == concrete)
                .collect(),
            None => def.possible_types.iter().collect(),
        };
        let mut problems = Vec::new();
        for candidate in candidates {
            match self.object(value, candidate, sets, at) {
                Ok(()) => return Ok(()),
                Err(problem) => problems.push(problem),
            }
        }
        Err(format!(
            "{at}: fits no possible type of {name}: {problems:?}"
        ))
    }
}

fn scalar(value: &Value, name: &str, at: &str) -> Result<(), String> {
    let fits = match name {
        "Int" => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        "Float" => value.is_number(),
        "Boolean" => value.is_boolean(),
        "_Any" => true,
        // String, ID and the custom scalars (dates, partial dates) are all strings.
        _ => value.is_string(),
    };
    if fits {
        Ok(())
    } else {
        Err(format!("{at}: {value} is not a {name}"))
    }
}

fn check_error(error: &Value) -> Result<(), String> {
    let Value::Object(error) = error else {
        return Err(format!("an error must be an object: {error}"));
    };
    if !error.get("message").is_some_and(Value::is_string) {
        return Err(format!("an error must have a message: {error:?}"));
    }
    for key in error.keys() {
        if !["message", "locations", "path", "extensions"].contains(&key.as_str()) {
            return Err(format!("an error has an unknown key `{key}`"));
        }
    }
    if let Some(locations) = error.get("locations") {
        let fine = locations.as_array().is_some_and(|locations| {
            locations.iter().all(|location| {
                ["line", "column"]
                    .iter()
                    .all(|key| location[key].as_u64().is_some_and(|n| n >= 1))
            })
        });
        if !fine {
            return Err(format!("bad locations: {locations}"));
        }
    }
    if let Some(path) = error.get("path")
        && !path
            .as_array()
            .is_some_and(|path| path.iter().all(|s| s.is_string() || s.is_u64()))
    {
        return Err(format!("bad path: {path}"));
    }
    if let Some(extensions) = error.get("extensions")
        && !extensions.is_object()
    {
        return Err(format!("extensions must be an object: {extensions}"));
    }
    Ok(())
}

fn operation<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|operation| &operation.node)
        }
        _ => None,
    }
}

/// Checks `body`, the answer to `query` with `variables`, against the spec and the schema.
pub async fn check(
    query: &str,
    variables: &Value,
    operation_name: Option<&str>,
    body: &Value,
) -> Result<(), String> {
    let Value::Object(response) = body else {
        return Err(format!("a response must be an object: {body}"));
    };
    for key in response.keys() {
        if !["errors", "data", "extensions"].contains(&key.as_str()) {
            return Err(format!("a response has an unknown key `{key}`"));
        }
    }
    match response.get("errors") {
        Some(Value::Array(errors)) if !errors.is_empty() => {
            errors.iter().try_for_each(check_error)?;
        }
        Some(errors) => return Err(format!("`errors` must be a non-empty list: {errors}")),
        None if !response.contains_key("data") => {
            return Err("a response without errors must have data".to_owned());
        }
        None => {}
    }
    let Some(data) = response.get("data") else {
        return Ok(());
    };
    if data.is_null() {
        return Ok(());
    }
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return Err("a document that does not parse has no data".to_owned());
    };
    let Some(operation) = operation(&document, operation_name) else {
        return Err("data for a document without that operation".to_owned());
    };
    let empty = Map::new();
    let variables = variables.as_object().unwrap_or(&empty);
    let schema = schema().await;
    let check = Check {
        schema,
        document: &document,
        operation,
        variables,
    };
    check.object(data, "Query", &[&operation.selection_set.node], "data")
}

/// Parses `text`, the body of an answer to `query`, and checks it; panics with what is wrong.
pub async fn checked(
    query: &str,
    variables: &Value,
    operation_name: Option<&str>,
    text: &str,
) -> Value {
    let body: Value = serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    if let Err(problem) = check(query, variables, operation_name, &body).await {
        panic!("the answer breaks the spec: {problem}\nquery: {query}\nanswer: {text}");
    }
    body
}

#[cfg(test)]
mod checks {
    use serde_json::{Value, json};

    use super::check;

    const QUERY: &str = r#"{ a: country(code: "SG") { name code } event(slug: "dgx-2022") { participants { nodes { ... on Country { code } } } } }"#;

    fn answer(a: Value, nodes: Value) -> Value {
        json!({ "data": { "a": a, "event": { "participants": { "nodes": nodes } } } })
    }

    #[tokio::test]
    async fn a_faithful_answer_passes() {
        let body = answer(
            json!({ "name": "Singapore", "code": "SG" }),
            json!([{ "code": "AU" }, {}]),
        );
        assert_eq!(check(QUERY, &json!({}), None, &body).await, Ok(()));
    }

    #[tokio::test]
    async fn keys_out_of_order_are_caught() {
        let body = answer(json!({ "code": "SG", "name": "Singapore" }), json!([]));
        assert!(check(QUERY, &json!({}), None, &body).await.is_err());
    }

    #[tokio::test]
    async fn null_for_an_object_whose_fragments_do_not_apply_is_caught() {
        let body = answer(json!({ "name": "Singapore", "code": "SG" }), json!([null]));
        let problem = check(QUERY, &json!({}), None, &body)
            .await
            .expect_err("caught");
        assert!(problem.contains("non-null"), "{problem}");
    }

    #[tokio::test]
    async fn values_of_the_wrong_type_and_unknown_keys_are_caught() {
        let wrong_type = answer(json!({ "name": 7, "code": "SG" }), json!([]));
        assert!(check(QUERY, &json!({}), None, &wrong_type).await.is_err());
        let extra = answer(
            json!({ "name": "Singapore", "code": "SG", "x": 1 }),
            json!([]),
        );
        assert!(check(QUERY, &json!({}), None, &extra).await.is_err());
        let stray = json!({ "data": null, "error": [] });
        assert!(check(QUERY, &json!({}), None, &stray).await.is_err());
    }

    #[tokio::test]
    async fn errors_must_be_a_non_empty_list_of_messages() {
        let empty = json!({ "errors": [] });
        assert!(check(QUERY, &json!({}), None, &empty).await.is_err());
        let no_message = json!({ "errors": [{ "extensions": {} }] });
        assert!(check(QUERY, &json!({}), None, &no_message).await.is_err());
        let fine = json!({ "errors": [{ "message": "no", "locations": [{ "line": 1, "column": 3 }], "extensions": { "code": "X" } }] });
        assert_eq!(check(QUERY, &json!({}), None, &fine).await, Ok(()));
    }
}
