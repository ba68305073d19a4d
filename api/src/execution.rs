//! Running one GraphQL request: its parse (kept for documents sent again), its cost, its
//! execution with a fresh set of loaders, and a stable code on every error.
//!
//! async-graphql sends every field of a request through each schema extension, however little
//! the extension does per field. So the checks that concern a whole request (cost, error codes)
//! run here around the execution, and the one extension that needs each field, the `ftv1`
//! tracer, sits on a second schema that serves only the requests asking for a trace.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, SchemaEnv, ServerError, ServerResult, Variables};

use crate::config::Limits;
use crate::cost;
use crate::documents::Documents;
use crate::error::assign_codes;
use crate::ftv1::InlineTrace;
use crate::graph::federation::EntityLimit;
use crate::graph::{GovGraphSchema, schema};
use crate::loaders;
use crate::store::Store;

/// Runs requests against the graph.
pub struct Executor {
    plain: GovGraphSchema,
    traced: GovGraphSchema,
    env: SchemaEnv,
    store: Store,
    documents: Documents,
    max_cost: usize,
    timeout: Duration,
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

/// The schema's environment, which async-graphql shows only to extensions: one request with
/// [`CaptureEnv`] hands it over.
async fn schema_env() -> Option<SchemaEnv> {
    let slot = Arc::new(Mutex::new(None));
    let probe = schema().extension(CaptureEnv(slot.clone())).finish();
    probe.execute("{ __typename }").await;
    slot.lock().ok().and_then(|mut env| env.take())
}

impl Executor {
    /// An executor reading from `store` within `limits`.
    pub async fn new(store: Store, limits: Limits) -> Result<Self, anyhow::Error> {
        let build = |traced: bool| {
            let builder = schema()
                .data(store.clone())
                .data(EntityLimit(limits.max_entity_representations))
                .limit_depth(limits.max_query_depth);
            if traced {
                builder.extension(InlineTrace).finish()
            } else {
                builder.finish()
            }
        };
        let env = schema_env()
            .await
            .ok_or_else(|| anyhow::anyhow!("the schema's registry could not be read"))?;
        Ok(Self {
            plain: build(false),
            traced: build(true),
            env,
            store,
            documents: Documents::default(),
            max_cost: limits.max_query_complexity,
            timeout: Duration::from_secs(limits.request_timeout_secs),
        })
    }

    /// Gives `request` the parse of its document, kept from an earlier request when the same
    /// document was sent before.
    pub fn prepare(&self, request: &mut Request) {
        self.documents.prepare(request);
    }

    /// Runs `request`, with per-field `ftv1` timings when `trace`; every error it returns has
    /// a code.
    pub async fn execute(&self, mut request: Request, trace: bool) -> Response {
        let variables = std::mem::take(&mut request.variables);
        let cost = request
            .parsed_query()
            .map(|document| cost::cost(&self.env.registry, document, &variables));
        request.variables = variables;
        let parsed = cost.is_ok();
        let mut response = match cost {
            Ok(cost) if cost > self.max_cost => {
                Response::from_errors(vec![cost::too_costly(cost, self.max_cost)])
            }
            _ => {
                let schema = if trace { &self.traced } else { &self.plain };
                let run = loaders::execute(schema, self.store.clone(), request);
                match tokio::time::timeout(self.timeout, run).await {
                    Ok(response) => response,
                    Err(_) => Response::from_errors(vec![self.timed_out()]),
                }
            }
        };
        assign_codes(&mut response, parsed);
        response
    }

    fn timed_out(&self) -> ServerError {
        let message = format!(
            "the request did not finish within {} s",
            self.timeout.as_secs()
        );
        let mut error = ServerError::new(message, None);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", "TIMEOUT");
        error
    }
}
