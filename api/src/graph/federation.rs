//! The query root as a federation subgraph answers `_entities`: entry by entry.
//!
//! async-graphql resolves `_entities` all or nothing: one representation that matches no key,
//! or whose lookup fails, turns the whole list into an error. A gateway asking for a hundred
//! entities then loses ninety-nine good ones. Here each failing entry becomes `null` with an
//! error whose path names that entry, and only a call over the representation cap fails whole.

use std::borrow::Cow;
use std::sync::{Mutex, OnceLock};

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{
    Any, Context, ContextSelectionSet, ObjectType, OutputType, PathSegment, Positioned,
    ServerError, ServerResult, Value,
};

use super::QueryFields;
use crate::error::ApiError;

/// The most representations one `_entities` call may carry.
#[derive(Clone, Copy, Debug)]
pub struct EntityLimit(pub usize);

/// The representations of the request's `_entities` call, read once, and which entries have been answered, so that each answer knows its index.
#[derive(Default)]
pub struct EntityCall {
    representations: OnceLock<Vec<Value>>,
    answered: Mutex<Vec<bool>>,
}

impl EntityCall {
    fn representations(&self, ctx: &Context<'_>) -> ServerResult<&[Value]> {
        if let Some(representations) = self.representations.get() {
            return Ok(representations);
        }
        let (_, list) = ctx.param_value::<Vec<Any>>("representations", None)?;
        let list: Vec<Value> = list.into_iter().map(|any| any.0).collect();
        Ok(self.representations.get_or_init(|| list))
    }

    /// The index of the first entry equal to `representation` not answered yet.
    fn claim(&self, representations: &[Value], representation: &Value) -> Option<usize> {
        let mut answered = self.answered.lock().ok()?;
        answered.resize(representations.len(), false);
        let index = representations
            .iter()
            .enumerate()
            .position(|(i, r)| !answered[i] && r == representation)?;
        answered[index] = true;
        Some(index)
    }
}

/// The query root: every field of [`QueryFields`], with `_entities` answered entry by entry.
#[derive(Default)]
pub struct Query(pub QueryFields);

fn entry_error(mut error: ServerError, index: Option<usize>) -> ServerError {
    error.path = vec![PathSegment::Field("_entities".to_owned())];
    error.path.extend(index.map(PathSegment::Index));
    error
}

impl ContainerType for Query {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        self.0.resolve_field(ctx).await
    }

    async fn find_entity(&self, ctx: &Context<'_>, params: &Value) -> ServerResult<Option<Value>> {
        let limit = ctx.data::<EntityLimit>().map_or(100, |limit| limit.0);
        let call = ctx.data::<EntityCall>().ok();
        let index = match call {
            Some(call) => {
                let representations = call.representations(ctx)?;
                if representations.len() > limit {
                    let message = format!(
                        "`_entities` takes at most {limit} representations at once, not {}",
                        representations.len()
                    );
                    return Err(async_graphql::Error::from(ApiError::LimitExceeded(message))
                        .into_server_error(ctx.item.pos));
                }
                call.claim(representations, params)
            }
            None => None,
        };
        let error = match self.0.find_entity(ctx, params).await {
            Ok(Some(value)) => return Ok(Some(value)),
            Ok(None) => async_graphql::Error::from(ApiError::bad_input(
                "this representation names no entity of govgraph: give `__typename` and one of \
                 the type's keys (`id`, `slug`, or a country's `code`)",
            ))
            .into_server_error(ctx.item.pos),
            Err(error) => error,
        };
        ctx.add_error(entry_error(error, index));
        Ok(Some(Value::Null))
    }
}

impl OutputType for Query {
    fn type_name() -> Cow<'static, str> {
        QueryFields::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        QueryFields::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve_container(ctx, self).await
    }
}

impl ObjectType for Query {}
