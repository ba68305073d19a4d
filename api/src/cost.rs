//! The cost limit: how many field values a query may produce, counting every field under a
//! connection once per item the connection may return.
//!
//! async-graphql's own complexity limit cannot see connections reached through an interface
//! (interface fields carry no complexity), so a query could fan out `relationships` through
//! `Node` without bound. This walks the parsed document with the schema's registry instead: a
//! field whose type is a connection multiplies what is under it by its `first` or `last` (20 when
//! neither is given), through fragments and interfaces alike.

use std::collections::HashSet;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::registry::Registry;
use async_graphql::{Name, Positioned, ServerError, Variables};
use async_graphql_value::{ConstValue, Value};

use crate::error::ApiError;
use crate::graph::relay::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

struct Walk<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    spreading: HashSet<&'a Name>,
}

/// The named type of a field type such as `[Country!]!`.
fn named(ty: &str) -> &str {
    ty.trim_matches(|c| matches!(c, '[' | ']' | '!'))
}

impl<'a> Walk<'a> {
    fn page_size(&self, value: Option<&Positioned<Value>>) -> Option<usize> {
        let number = match &value?.node {
            Value::Variable(name) => match self.variables.get(name)? {
                ConstValue::Number(number) => number.clone(),
                _ => return None,
            },
            Value::Number(number) => number.clone(),
            _ => return None,
        };
        let size = usize::try_from(number.as_u64()?).ok()?;
        Some(size.clamp(1, MAX_PAGE_SIZE as usize))
    }

    /// The values a selection set on type `on` produces.
    fn cost(&mut self, on: &str, set: &'a SelectionSet) -> usize {
        let mut total = 0usize;
        for item in &set.items {
            let cost = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let ty = self
                        .registry
                        .types
                        .get(on)
                        .and_then(|meta| meta.field_by_name(field.name.node.as_str()))
                        .map(|meta| named(&meta.ty).to_owned())
                        .unwrap_or_default();
                    let below = self.cost(&ty, &field.selection_set.node);
                    if ty.ends_with("Connection") {
                        let size = self
                            .page_size(field.get_argument("first"))
                            .or_else(|| self.page_size(field.get_argument("last")))
                            .unwrap_or(DEFAULT_PAGE_SIZE as usize);
                        size.saturating_mul(below.max(1))
                    } else {
                        below.saturating_add(1)
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let ty = fragment
                        .type_condition
                        .as_ref()
                        .map_or(on, |c| c.node.on.node.as_str());
                    self.cost(ty, &fragment.selection_set.node)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.document.fragments.get(name) {
                        // A fragment that spreads itself is refused by validation; here it
                        // just stops counting.
                        Some(fragment) if self.spreading.insert(name) => {
                            let cost = self.fragment(fragment);
                            self.spreading.remove(name);
                            cost
                        }
                        _ => 0,
                    }
                }
            };
            total = total.saturating_add(cost);
        }
        total
    }

    fn fragment(&mut self, fragment: &'a Positioned<FragmentDefinition>) -> usize {
        let fragment = &fragment.node;
        self.cost(
            fragment.type_condition.node.on.node.as_str(),
            &fragment.selection_set.node,
        )
    }
}

/// The cost of the costliest operation of `document`.
pub fn cost(registry: &Registry, document: &ExecutableDocument, variables: &Variables) -> usize {
    let mut walk = Walk {
        registry,
        document,
        variables,
        spreading: HashSet::new(),
    };
    let root = registry.query_type.as_str();
    match &document.operations {
        DocumentOperations::Single(operation) => {
            walk.cost(root, &operation.node.selection_set.node)
        }
        DocumentOperations::Multiple(operations) => operations
            .values()
            .map(|operation| walk.cost(root, &operation.node.selection_set.node))
            .max()
            .unwrap_or_default(),
    }
}

/// The error of a query whose cost is over `max`.
pub fn too_costly(cost: usize, max: usize) -> ServerError {
    let message = format!(
        "this query could produce {cost} values, more than the {max} allowed: ask for smaller pages (`first`, `last`) or fewer nested connections"
    );
    async_graphql::Error::from(ApiError::LimitExceeded(message))
        .into_server_error(Default::default())
}
