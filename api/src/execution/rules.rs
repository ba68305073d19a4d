//! Checks of a document that async-graphql leaves undone or does too late: every directive is
//! one the schema defines, used where it may be ("Directives Are Defined", "Directives In
//! Valid Locations", which async-graphql skips on `__typename`); no selection carries more
//! directives than allowed; and every string a request gives, in its variables or written in
//! its document, is short and free of control characters before any of it reaches SQL; and
//! every variable the operation requires is given, before execution rather than during it.

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{__DirectiveLocation, Registry};
use async_graphql::{Pos, Positioned, Variables};
use async_graphql_value::{ConstValue, Value};

/// The longest string a request may give, in characters.
pub const MAX_STRING_CHARS: usize = 1_000;

/// A rule a document breaks, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Broken {
    /// A directive is unknown, or used where it may not be.
    Directive(String, Pos),
    /// A selection carries more directives than allowed.
    TooManyDirectives(usize, Pos),
}

/// A string a request gives that may not reach the service, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadString(pub String);

struct Directives<'a> {
    registry: &'a Registry,
    max_per_selection: usize,
}

impl Directives<'_> {
    fn check(
        &self,
        directives: &[Positioned<Directive>],
        location: __DirectiveLocation,
        at: Pos,
    ) -> Result<(), Broken> {
        if directives.len() > self.max_per_selection {
            return Err(Broken::TooManyDirectives(directives.len(), at));
        }
        for directive in directives {
            let name = directive.node.name.node.as_str();
            let Some(defined) = self.registry.directives.get(name) else {
                return Err(Broken::Directive(
                    format!("Unknown directive \"@{name}\"."),
                    directive.pos,
                ));
            };
            if !defined.locations.contains(&location) {
                return Err(Broken::Directive(
                    format!("Directive \"@{name}\" may not be used on {location:?}."),
                    directive.pos,
                ));
            }
        }
        Ok(())
    }

    fn selection_set(&self, set: &SelectionSet) -> Result<(), Broken> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    self.check(
                        &field.node.directives,
                        __DirectiveLocation::FIELD,
                        field.pos,
                    )?;
                    self.selection_set(&field.node.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => {
                    self.check(
                        &spread.node.directives,
                        __DirectiveLocation::FRAGMENT_SPREAD,
                        spread.pos,
                    )?;
                }
                Selection::InlineFragment(fragment) => {
                    self.check(
                        &fragment.node.directives,
                        __DirectiveLocation::INLINE_FRAGMENT,
                        fragment.pos,
                    )?;
                    self.selection_set(&fragment.node.selection_set.node)?;
                }
            }
        }
        Ok(())
    }
}

/// Checks every directive of `document`: defined by the schema, allowed where it is, and at
/// most `max_per_selection` on any one field, spread, fragment or operation.
pub fn check_directives(
    registry: &Registry,
    document: &ExecutableDocument,
    max_per_selection: usize,
) -> Result<(), Broken> {
    let rule = Directives {
        registry,
        max_per_selection,
    };
    for (_, operation) in document.operations.iter() {
        let location = match operation.node.ty {
            OperationType::Query => __DirectiveLocation::QUERY,
            OperationType::Mutation => __DirectiveLocation::MUTATION,
            OperationType::Subscription => __DirectiveLocation::SUBSCRIPTION,
        };
        rule.check(&operation.node.directives, location, operation.pos)?;
        for variable in &operation.node.variable_definitions {
            rule.check(
                &variable.node.directives,
                __DirectiveLocation::VARIABLE_DEFINITION,
                variable.pos,
            )?;
        }
        rule.selection_set(&operation.node.selection_set.node)?;
    }
    for fragment in document.fragments.values() {
        rule.check(
            &fragment.node.directives,
            __DirectiveLocation::FRAGMENT_DEFINITION,
            fragment.pos,
        )?;
        rule.selection_set(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

/// Why `text` may not reach the service, if it may not.
fn string_problem(text: &str) -> Option<&'static str> {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Some("holds a control character (such as NUL)");
    }
    if text.chars().nth(MAX_STRING_CHARS).is_some() {
        return Some("is longer than 1000 characters");
    }
    None
}

fn bad_string(place: &str, problem: &str) -> BadString {
    BadString(format!(
        "a string {place} {problem}; strings take at most {MAX_STRING_CHARS} characters and no control characters but tab and newline"
    ))
}

fn check_const(value: &ConstValue, place: &str) -> Result<(), BadString> {
    match value {
        ConstValue::String(text) => match string_problem(text) {
            Some(problem) => Err(bad_string(place, problem)),
            None => Ok(()),
        },
        ConstValue::Enum(name) => match string_problem(name.as_str()) {
            Some(problem) => Err(bad_string(place, problem)),
            None => Ok(()),
        },
        ConstValue::List(items) => items.iter().try_for_each(|item| check_const(item, place)),
        ConstValue::Object(fields) => {
            fields
                .iter()
                .try_for_each(|(key, item)| match string_problem(key) {
                    Some(problem) => Err(bad_string(place, problem)),
                    None => check_const(item, place),
                })
        }
        _ => Ok(()),
    }
}

fn check_value(value: &Value, place: &str) -> Result<(), BadString> {
    match value {
        Value::String(text) => match string_problem(text) {
            Some(problem) => Err(bad_string(place, problem)),
            None => Ok(()),
        },
        Value::List(items) => items.iter().try_for_each(|item| check_value(item, place)),
        Value::Object(fields) => fields
            .values()
            .try_for_each(|item| check_value(item, place)),
        _ => Ok(()),
    }
}

fn check_arguments(set: &SelectionSet) -> Result<(), BadString> {
    for item in &set.items {
        for directive in item.node.directives() {
            for (_, value) in &directive.node.arguments {
                check_value(&value.node, "in an argument")?;
            }
        }
        match &item.node {
            Selection::Field(field) => {
                for (name, value) in &field.node.arguments {
                    let place =
                        format!("in argument `{}` of `{}`", name.node, field.node.name.node);
                    check_value(&value.node, &place)?;
                }
                check_arguments(&field.node.selection_set.node)?;
            }
            Selection::InlineFragment(fragment) => {
                check_arguments(&fragment.node.selection_set.node)?;
            }
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

/// Checks every string of the request: in `variables`, in variable defaults, and written into
/// the arguments of `document`.
pub fn check_strings(
    document: &ExecutableDocument,
    variables: &Variables,
) -> Result<(), BadString> {
    for (name, value) in variables.iter() {
        check_const(value, &format!("in variable `${name}`"))?;
    }
    for (_, operation) in document.operations.iter() {
        for variable in &operation.node.variable_definitions {
            if let Some(default) = &variable.node.default_value {
                check_const(&default.node, "in a variable's default")?;
            }
        }
        check_arguments(&operation.node.selection_set.node)?;
    }
    for fragment in document.fragments.values() {
        check_arguments(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

/// Refuses a request that leaves out a variable its operation requires (of a non-null type,
/// without a default) or gives it `null`, as the spec's CoerceVariableValues does before
/// execution. The operation is `operation_name`'s, or the document's only one; when it cannot be
/// told, validation reports that.
pub fn check_required_variables(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Result<(), (String, Pos)> {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => operation,
            None => return Ok(()),
        },
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            match operations.values().next() {
                Some(operation) => operation,
                None => return Ok(()),
            }
        }
        (DocumentOperations::Multiple(_), None) => return Ok(()),
    };
    for definition in &operation.node.variable_definitions {
        let variable = &definition.node;
        if variable.var_type.node.nullable || variable.default_value.is_some() {
            continue;
        }
        let name = &variable.name.node;
        let problem = match variables.get(name) {
            None => "was not provided",
            Some(ConstValue::Null) => "must not be null",
            Some(_) => continue,
        };
        return Err((
            format!(
                "Variable \"${name}\" of required type \"{}\" {problem}.",
                variable.var_type.node
            ),
            definition.pos,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn schema_env() -> async_graphql::SchemaEnv {
        crate::graph::schema_env().expect("the registry")
    }

    fn directives(query: &str) -> Result<(), Broken> {
        check_directives(
            &schema_env().registry,
            &parse_query(query).expect("parses"),
            5,
        )
    }

    #[test]
    fn only_a_required_variable_left_out_or_null_is_refused() {
        let check = |query: &str, operation: Option<&str>, variables: serde_json::Value| {
            check_required_variables(
                &parse_query(query).expect("parses"),
                operation,
                &Variables::from_json(variables),
            )
            .map_err(|(message, _)| message)
        };
        let query = "query A($c: String!) { country(code: $c) { name } }";
        assert_eq!(
            check(query, None, serde_json::json!({})),
            Err("Variable \"$c\" of required type \"String!\" was not provided.".to_owned())
        );
        assert!(check(query, None, serde_json::json!({ "c": null })).is_err());
        assert!(check(query, None, serde_json::json!({ "c": "SG" })).is_ok());
        let optional = "query($c: String, $d: String! = \"SG\") { a: country(code: $d) { name } }";
        assert!(check(optional, None, serde_json::json!({})).is_ok());
        let two = format!("{query} query B {{ __typename }}");
        assert!(check(&two, Some("B"), serde_json::json!({})).is_ok());
        assert!(check(&two, Some("A"), serde_json::json!({})).is_err());
    }

    #[test]
    fn an_unknown_directive_is_refused_on_typename_as_anywhere() {
        for query in [
            "{ __typename @foo }",
            "{ countries { totalCount @foo } }",
            "query @foo { __typename }",
            "{ ...F } fragment F on Query @foo { __typename }",
        ] {
            let broken = directives(query).expect_err(query);
            assert!(
                matches!(&broken, Broken::Directive(message, _) if message.contains("@foo")),
                "{query}: {broken:?}"
            );
        }
        assert_eq!(directives("{ __typename @skip(if: false) }"), Ok(()));
    }

    #[test]
    fn a_known_directive_in_the_wrong_place_is_refused() {
        let broken = directives("query @skip(if: true) { __typename }").expect_err("refused");
        assert!(matches!(broken, Broken::Directive(message, _) if message.contains("QUERY")));
    }

    #[test]
    fn more_directives_on_one_field_than_allowed_are_refused() {
        let many = "@skip(if: false) ".repeat(6);
        let broken = directives(&format!("{{ __typename {many} }}")).expect_err("refused");
        assert!(matches!(broken, Broken::TooManyDirectives(6, _)));
    }

    #[test]
    fn a_nul_anywhere_in_a_request_is_refused() {
        let document = parse_query(
            "query($s: String) { countries(filter: { search: \"a\" }) { totalCount } }",
        )
        .expect("parses");
        let variables = Variables::from_json(serde_json::json!({ "s": "a\u{0}b" }));
        assert!(matches!(
            check_strings(&document, &variables),
            Err(BadString(message)) if message.contains("`$s`")
        ));
        let literal =
            parse_query("{ countries(filter: { search: \"a\\u0000b\" }) { totalCount } }")
                .expect("parses");
        assert!(check_strings(&literal, &Variables::default()).is_err());
        let nested = Variables::from_json(serde_json::json!({ "r": [{ "code": "S\u{0}G" }] }));
        assert!(check_strings(&document, &nested).is_err());
    }

    #[test]
    fn long_strings_are_refused_and_tabs_and_newlines_pass() {
        let document = parse_query("{ __typename }").expect("parses");
        let long = Variables::from_json(serde_json::json!({ "s": "x".repeat(1_001) }));
        assert!(check_strings(&document, &long).is_err());
        let fine =
            Variables::from_json(serde_json::json!({ "s": "a\tb\nc", "n": "é".repeat(1_000) }));
        assert_eq!(check_strings(&document, &fine), Ok(()));
    }
}
