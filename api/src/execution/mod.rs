//! Running one GraphQL request: its document (parsed once, kept for documents sent again), its
//! shape measured against the limits, its execution with a fresh set of loaders under one
//! deadline, its answer put in the order the spec asks for, and a stable code on every error.
//!
//! Every check that can refuse a request runs before async-graphql sees the document, because
//! async-graphql's own validation expands fragments and would spend on a hostile document the
//! very work the checks exist to refuse. async-graphql also sends every field of a request
//! through each schema extension, however little the extension does per field; so the checks
//! that concern a whole request run here, and the one extension that needs each field, the
//! `ftv1` tracer, sits on a second schema that serves only the requests asking for a trace.

pub mod batching;
pub mod documents;
pub mod ordering;
pub mod persisted;
pub mod rules;
pub mod shape;
pub mod tokens;

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Request, Response, SchemaEnv, ServerError, ValidationMode, Variables};

use self::documents::{Documents, Prepared};
use self::persisted::{DocumentHash, PersistedQueries};
use self::rules::Broken;
use self::shape::{IntrospectionSizes, MAX_INTROSPECTION_LISTS, Shape};
use crate::config::{Limits, Profile};
use crate::error::{Code, assign_codes};
use crate::ftv1::InlineTrace;
use crate::graph::federation::EntityLimit;
use crate::graph::node::MAX_IDS;
use crate::graph::{GovGraphSchema, schema, schema_env};
use crate::telemetry::Metrics;
use govgraph_read::store::Store;

/// One GraphQL request as the client sent it.
#[derive(Clone, Debug, Default)]
pub struct Params {
    /// The document.
    pub query: String,
    /// The operation of the document to run.
    pub operation_name: Option<String>,
    /// The values of the operation's variables.
    pub variables: Variables,
}

/// What the server knows of the caller of a request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Caller {
    /// The caller asked for per-field `ftv1` timings.
    pub trace: bool,
    /// The caller presented the gateway key.
    pub gateway: bool,
}

/// The answer to a request, and whether it was executed: a request refused before execution
/// (a parse, validation or limit error) has no `data`.
pub struct Outcome {
    /// The answer.
    pub response: Response,
    /// Whether execution started.
    pub executed: bool,
}

impl std::borrow::Borrow<Response> for Outcome {
    fn borrow(&self) -> &Response {
        &self.response
    }
}

impl Outcome {
    /// The answer to a request refused before execution.
    pub fn refused(error: ServerError) -> Self {
        Self {
            response: Response::from_errors(vec![error]),
            executed: false,
        }
    }
}

/// A `LIMIT_EXCEEDED` error naming the limit (the configuration setting) that refused it.
fn over(setting: &'static str, what: &str, max: u64, found: u64, advice: &str) -> ServerError {
    let found = if found == u64::MAX {
        format!("more than {max}")
    } else {
        found.to_string()
    };
    let mut error = Code::LimitExceeded.error(format!(
        "{what} limit of {max} exceeded, found {found}: {advice}."
    ));
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("limit", setting);
    error
}

/// Runs requests against the graph.
pub struct Executor {
    plain: GovGraphSchema,
    /// `plain` without async-graphql's validation rules, for requests validated before.
    validated: GovGraphSchema,
    traced: GovGraphSchema,
    env: SchemaEnv,
    sizes: IntrospectionSizes,
    store: Store,
    metrics: Metrics,
    documents: Documents,
    /// The requests (document, operation and variables) that passed validation before.
    passed: quick_cache::sync::Cache<DocumentHash, ()>,
    persisted: PersistedQueries,
    schema_hash: DocumentHash,
    limits: Limits,
    profile: Profile,
}

impl Executor {
    /// An executor reading from `store` within `limits`, for callers of `profile`, counting its
    /// batches into `metrics`.
    pub fn new(
        store: Store,
        metrics: Metrics,
        limits: Limits,
        profile: Profile,
    ) -> Result<Self, anyhow::Error> {
        let build = |traced: bool, mode: ValidationMode| {
            let mut builder = schema()
                .data(store.clone())
                .data(EntityLimit(limits.max_entity_representations))
                .validation_mode(mode);
            if profile == Profile::Public {
                builder = builder.disable_introspection().disable_suggestions();
            }
            if traced {
                builder.extension(InlineTrace).finish()
            } else {
                builder.finish()
            }
        };
        let env = schema_env()
            .ok_or_else(|| anyhow::anyhow!("the schema's registry could not be read"))?;
        let plain = build(false, ValidationMode::Strict);
        Ok(Self {
            schema_hash: DocumentHash::of(&plain.sdl()),
            plain,
            validated: build(false, ValidationMode::Fast),
            traced: build(true, ValidationMode::Strict),
            sizes: IntrospectionSizes::of(&env.registry),
            env,
            store,
            metrics,
            documents: Documents::default(),
            passed: quick_cache::sync::Cache::new(VALIDATED_KEPT),
            persisted: PersistedQueries::default(),
            limits,
            profile,
        })
    }

    /// The limits requests are held to.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The documents kept by the hash of Apollo's automatic persisted queries.
    pub fn persisted(&self) -> &PersistedQueries {
        &self.persisted
    }

    /// The hash of the schema served: answers cached under one schema are not another's.
    pub fn schema_hash(&self) -> &DocumentHash {
        &self.schema_hash
    }

    /// The graph's version, which grows with every write: an answer cached at one version is
    /// still right while the version stays.
    pub async fn graph_version(&self) -> Result<i64, sea_orm::DbErr> {
        govgraph_read::store::graph_version(&self.store).await
    }

    /// The parse of `query`, kept from an earlier request when the same document was sent
    /// before; refused when it is longer than the limits allow or does not parse.
    pub fn prepare(&self, query: &str) -> Result<Arc<Prepared>, Box<Outcome>> {
        let limits = &self.limits;
        if query.len() > limits.max_document_bytes {
            return Err(Box::new(Outcome::refused(over(
                "max_document_bytes",
                "Document size",
                limits.max_document_bytes as u64,
                query.len() as u64,
                "send a shorter document (bytes)",
            ))));
        }
        if tokens::count(query, limits.max_document_tokens).is_none() {
            return Err(Box::new(Outcome::refused(over(
                "max_document_tokens",
                "Document token",
                limits.max_document_tokens as u64,
                u64::MAX,
                "send a shorter document",
            ))));
        }
        self.documents
            .prepare(query, &self.env.registry)
            .map_err(|error| {
                let mut refused = Code::GraphqlParseFailed.error(error.to_string());
                refused.locations = error.positions().collect();
                Box::new(Outcome::refused(refused))
            })
    }

    /// Refuses a request whose shape is over a limit, or whose document breaks a rule that must
    /// hold before validation: every check here runs before any SQL.
    fn check(
        &self,
        prepared: &Prepared,
        params: &Params,
        caller: Caller,
    ) -> Result<(), ServerError> {
        let limits = &self.limits;
        let document = &prepared.document;
        let shapes = shape::measure(&self.env.registry, &self.sizes, document, &params.variables)
            .map_err(|cycle| {
            Code::GraphqlValidationFailed
                .error(format!(
                    "Cannot spread fragment \"{}\" within itself.",
                    cycle.fragment
                ))
                .at(cycle.pos)
        })?;
        rules::check_directives(
            &self.env.registry,
            document,
            limits.max_directives_per_field,
        )
        .map_err(|broken| match broken {
            Broken::TooManyDirectives(found, pos) => over(
                "max_directives_per_field",
                "Directives per field",
                limits.max_directives_per_field as u64,
                found as u64,
                "put fewer directives on one field, fragment or operation",
            )
            .at(pos),
            Broken::Directive(message, pos) => Code::GraphqlValidationFailed.error(message).at(pos),
        })?;
        rules::check_strings(document, &params.variables)
            .map_err(|bad| Code::BadUserInput.error(bad.0))?;
        rules::check_required_variables(
            document,
            params.operation_name.as_deref(),
            &params.variables,
        )
        .map_err(|(message, pos)| Code::BadUserInput.error(message).at(pos))?;
        for (_, shape) in &shapes {
            self.check_shape(shape)?;
        }
        if self.profile == Profile::Public
            && (selects_at_root(document, "__schema") || selects_at_root(document, "__type"))
        {
            return Err(Code::GraphqlValidationFailed
                .error("introspection is disabled on this endpoint: the schema is published in `schema.graphql`"));
        }
        if self.profile == Profile::Public
            && !caller.gateway
            && selects_at_root(document, "_service")
        {
            return Err(Code::Unauthenticated.error(
                "`_service` is for federation gateways: send the gateway key in the \
                 `govgraph-gateway-key` header",
            ));
        }
        Ok(())
    }

    fn check_shape(&self, shape: &Shape) -> Result<(), ServerError> {
        let limits = &self.limits;
        let checks: [(&'static str, &str, u64, u64, &str); 9] = [
            (
                "max_fragment_spreads",
                "Fragment spread",
                limits.max_fragment_spreads,
                shape.spreads,
                "spread fewer fragments, or fragments that spread fewer others",
            ),
            (
                "max_aliases",
                "Alias",
                limits.max_aliases,
                shape.aliases,
                "use fewer aliases, or split the request",
            ),
            (
                "max_root_fields",
                "Root field",
                limits.max_root_fields,
                shape.root_fields,
                "ask for fewer fields at the root, or split the request",
            ),
            (
                "max_directives",
                "Directive",
                limits.max_directives,
                shape.directives,
                "use fewer directives",
            ),
            (
                "max_query_depth",
                "Query depth",
                limits.max_query_depth as u64,
                u64::from(shape.depth),
                "nest fewer fields",
            ),
            (
                "max_introspection_depth",
                "Introspection depth",
                u64::from(MAX_INTROSPECTION_LISTS),
                u64::from(shape.introspection_lists),
                "nest `fields`, `inputFields`, `interfaces` and `possibleTypes` less deeply",
            ),
            (
                "max_entity_representations",
                "`_entities` representation",
                limits.max_entity_representations as u64,
                shape.entities,
                "send fewer representations at once",
            ),
            (
                "max_node_ids",
                "`nodes` ID",
                MAX_IDS as u64,
                shape.node_ids,
                "ask for fewer nodes at once",
            ),
            (
                "max_query_cost",
                "Query cost",
                limits.max_query_cost,
                shape.cost,
                "this query could produce that many values: ask for smaller pages (`first`, \
                 `last`) or fewer nested lists",
            ),
        ];
        for (setting, what, max, found, advice) in checks {
            if found > max {
                return Err(over(setting, what, max, found, advice));
            }
        }
        Ok(())
    }

    /// Runs `prepared`, the document of `params`, for `caller`: checks it, executes it, orders
    /// its answer, and gives every error a code, all within the request timeout counted from
    /// `started`.
    pub async fn execute(
        &self,
        prepared: Arc<Prepared>,
        params: Params,
        caller: Caller,
        started: Instant,
    ) -> Outcome {
        let deadline = started + self.limits.request_timeout;
        let run = async {
            // Parsing and pricing cannot be interrupted, so the deadline is looked at between
            // them: a request whose time is up is not executed.
            if Instant::now() >= deadline {
                return Outcome::refused(self.timed_out());
            }
            if let Err(error) = self.check(&prepared, &params, caller) {
                return Outcome::refused(error);
            }
            if Instant::now() >= deadline {
                return Outcome::refused(self.timed_out());
            }
            // Validation depends on the document, the operation and the variables' values
            // only: a request that passed it once skips its rules from then on.
            let validation = passed_key(&params);
            let validated = self.passed.get(&validation).is_some();
            let schema = if caller.trace {
                &self.traced
            } else if validated {
                &self.validated
            } else {
                &self.plain
            };
            let Params {
                query,
                operation_name,
                variables,
            } = params;
            // Putting the answer in order needs the variables only to evaluate `@skip` and
            // `@include`; most documents have none that depend on a variable.
            let conditions = if prepared.conditional {
                variables.clone()
            } else {
                Variables::default()
            };
            let mut request = Request::new(query).variables(variables);
            if let Some(name) = &operation_name {
                request = request.operation_name(name.clone());
            }
            request.set_parsed_query(prepared.executable.clone());
            let mut response =
                batching::execute(schema, self.store.clone(), self.metrics.clone(), request).await;
            let executed = !(response.data == async_graphql::Value::Null
                && !response.errors.is_empty()
                && response.errors.iter().all(|error| error.path.is_empty()));
            if executed && !validated {
                self.passed.insert(validation, ());
            }
            ordering::order(
                &self.env.registry,
                &prepared.document,
                operation_name.as_deref(),
                &conditions,
                &mut response.data,
            );
            Outcome { response, executed }
        };
        let mut outcome = match tokio::time::timeout_at(deadline.into(), run).await {
            Ok(outcome) => outcome,
            Err(_) => Outcome {
                response: Response::from_errors(vec![self.timed_out()]),
                executed: true,
            },
        };
        assign_codes(&mut outcome.response);
        outcome
    }

    fn timed_out(&self) -> ServerError {
        Code::Timeout.error(format!(
            "the request did not finish within {} s",
            seconds(self.limits.request_timeout)
        ))
    }
}

/// How many requests that passed validation are remembered.
const VALIDATED_KEPT: usize = 4096;

/// What a request's validation depends on: its document, operation and variables, hashed.
fn passed_key(params: &Params) -> DocumentHash {
    let variables = serde_json::to_string(&params.variables).unwrap_or_default();
    DocumentHash::of(&format!(
        "{}\u{0}{}\u{0}{variables}",
        params.query,
        params.operation_name.as_deref().unwrap_or_default()
    ))
}

/// A duration in seconds, for messages: `30`, or `0.5`.
fn seconds(duration: Duration) -> String {
    let text = format!("{:.3}", duration.as_secs_f64());
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Whether some operation of `document` selects field `name` at its root, through fragments.
fn selects_at_root(document: &ExecutableDocument, name: &str) -> bool {
    fn set_selects(
        document: &ExecutableDocument,
        set: &SelectionSet,
        name: &str,
        depth: usize,
    ) -> bool {
        depth < 64
            && set.items.iter().any(|item| match &item.node {
                Selection::Field(field) => field.node.name.node == name,
                Selection::InlineFragment(fragment) => {
                    set_selects(document, &fragment.node.selection_set.node, name, depth + 1)
                }
                Selection::FragmentSpread(spread) => document
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .is_some_and(|fragment| {
                        set_selects(document, &fragment.node.selection_set.node, name, depth + 1)
                    }),
            })
    }
    document
        .operations
        .iter()
        .any(|(_, operation)| set_selects(document, &operation.node.selection_set.node, name, 0))
}

/// Positions on errors made before execution.
trait At {
    fn at(self, pos: async_graphql::Pos) -> Self;
}

impl At for ServerError {
    fn at(mut self, pos: async_graphql::Pos) -> Self {
        self.locations = vec![pos];
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_plain_seconds() {
        assert_eq!(seconds(Duration::from_secs(30)), "30");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5");
    }

    #[test]
    fn a_limit_error_names_its_setting_and_says_what_it_found() {
        let error = over("max_aliases", "Alias", 15, 16, "use fewer aliases");
        assert_eq!(
            error.message,
            "Alias limit of 15 exceeded, found 16: use fewer aliases."
        );
        let extensions = error.extensions.expect("extensions");
        assert_eq!(
            extensions.get("code"),
            Some(&async_graphql::Value::from("LIMIT_EXCEEDED"))
        );
        assert_eq!(
            extensions.get("limit"),
            Some(&async_graphql::Value::from("max_aliases"))
        );
        let saturated = over(
            "max_fragment_spreads",
            "Fragment spread",
            100,
            u64::MAX,
            "x",
        );
        assert!(saturated.message.contains("found more than 100"));
    }

    #[test]
    fn the_registry_is_read_without_a_runtime() {
        let env = schema_env().expect("the registry");
        assert!(env.registry.types.contains_key("Country"));
        assert!(env.registry.types.contains_key("__Schema"));
    }

    #[test]
    fn service_is_found_at_the_root_through_fragments() {
        let document = async_graphql::parser::parse_query(
            "{ ...F } fragment F on Query { ... on Query { _service { sdl } } }",
        )
        .expect("parses");
        assert!(selects_at_root(&document, "_service"));
        let nested = async_graphql::parser::parse_query("{ country(code: \"SG\") { name } }")
            .expect("parses");
        assert!(!selects_at_root(&nested, "_service"));
    }
}
