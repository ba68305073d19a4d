//! Federated inline tracing (`ftv1`): per-field timings for the gateway, in the response.
//!
//! A gateway that wants them sends `apollo-federation-include-trace: ftv1`; the response then
//! carries `extensions.ftv1`, the base64 of a protobuf `Trace` message of Apollo's usage
//! reporting protocol (only the parts a subgraph fills in are declared here). Without the
//! header, nothing is timed or built.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, ResolveInfo,
};
use async_graphql::{QueryPathSegment, Response, ServerResult, Value};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use prost::Message;

/// The request header a gateway sends to ask for a trace.
pub const HEADER: &str = "apollo-federation-include-trace";

/// `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, Message)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// Nanoseconds within the second.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `Trace`: one operation's execution.
#[derive(Clone, PartialEq, Message)]
pub struct Trace {
    /// When execution ended.
    #[prost(message, optional, tag = "3")]
    pub end_time: Option<Timestamp>,
    /// When execution started.
    #[prost(message, optional, tag = "4")]
    pub start_time: Option<Timestamp>,
    /// How long it took.
    #[prost(uint64, tag = "11")]
    pub duration_ns: u64,
    /// The tree of resolved fields.
    #[prost(message, optional, tag = "14")]
    pub root: Option<Node>,
}

/// `Trace.Node`: a field, or an item of a list, with its timing and errors.
#[derive(Clone, PartialEq, Message)]
pub struct Node {
    /// The field's response name, or the item's index.
    #[prost(oneof = "NodeId", tags = "1, 2")]
    pub id: Option<NodeId>,
    /// The field's type, e.g. `[Country!]!`.
    #[prost(string, tag = "3")]
    pub r#type: String,
    /// Nanoseconds from the start of the trace to the start of the field.
    #[prost(uint64, tag = "8")]
    pub start_time: u64,
    /// Nanoseconds from the start of the trace to the end of the field.
    #[prost(uint64, tag = "9")]
    pub end_time: u64,
    /// The errors raised at this node.
    #[prost(message, repeated, tag = "11")]
    pub error: Vec<TraceError>,
    /// Fields and items below this one.
    #[prost(message, repeated, tag = "12")]
    pub child: Vec<Node>,
    /// The type the field belongs to.
    #[prost(string, tag = "13")]
    pub parent_type: String,
    /// The field's name when it is aliased.
    #[prost(string, tag = "14")]
    pub original_field_name: String,
}

/// `Trace.Node.id`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum NodeId {
    /// A field, by its response name.
    #[prost(string, tag = "1")]
    ResponseName(String),
    /// An item of a list, by its index.
    #[prost(uint32, tag = "2")]
    Index(u32),
}

/// `Trace.Error`.
#[derive(Clone, PartialEq, Message)]
pub struct TraceError {
    /// The error's message.
    #[prost(string, tag = "1")]
    pub message: String,
    /// The error as the response carries it, in JSON.
    #[prost(string, tag = "4")]
    pub json: String,
}

/// A step of a response path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Field(String),
    Index(usize),
}

/// The fields timed so far, by response path.
#[derive(Default)]
struct Timings {
    fields: Vec<(Vec<Step>, Node)>,
}

/// The tree of nodes built from the timed fields.
#[derive(Default)]
struct Tree {
    node: Node,
    children: BTreeMap<Step, Tree>,
}

impl Tree {
    fn at(&mut self, path: &[Step]) -> &mut Tree {
        path.iter().fold(self, |tree, step| {
            tree.children.entry(step.clone()).or_insert_with(|| {
                let id = match step {
                    Step::Field(name) => NodeId::ResponseName(name.clone()),
                    Step::Index(index) => NodeId::Index(u32::try_from(*index).unwrap_or(u32::MAX)),
                };
                Tree {
                    node: Node {
                        id: Some(id),
                        ..Node::default()
                    },
                    children: BTreeMap::new(),
                }
            })
        })
    }

    fn into_node(self) -> Node {
        let mut node = self.node;
        node.child = self.children.into_values().map(Tree::into_node).collect();
        node
    }
}

fn timestamp(time: SystemTime) -> Timestamp {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    Timestamp {
        seconds: i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(since.subsec_nanos()).unwrap_or_default(),
    }
}

fn nanos(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// The extension that builds a trace of every request; the schema that carries it serves only
/// the requests that ask for one.
pub struct InlineTrace;

impl ExtensionFactory for InlineTrace {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Tracer {
            started: OnceLock::new(),
            timings: Mutex::new(Timings::default()),
        })
    }
}

struct Tracer {
    /// Set when the execution starts; fields resolved before it are not timed.
    started: OnceLock<Instant>,
    timings: Mutex<Timings>,
}

fn path_of(info: &ResolveInfo<'_>) -> Vec<Step> {
    let mut path: Vec<Step> = std::iter::once(info.path_node)
        .chain(info.path_node.parents())
        .map(|node| match node.segment {
            QueryPathSegment::Name(name) => Step::Field(name.to_owned()),
            QueryPathSegment::Index(index) => Step::Index(index),
        })
        .collect();
    path.reverse();
    path
}

#[async_graphql::async_trait::async_trait]
impl Extension for Tracer {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let wall_start = SystemTime::now();
        let start = *self.started.get_or_init(Instant::now);
        let mut response = next.run(ctx, operation_name).await;
        let duration_ns = nanos(start);
        let wall_end = SystemTime::now();

        let mut root = Tree::default();
        if let Ok(mut timings) = self.timings.lock() {
            for (path, node) in std::mem::take(&mut timings.fields) {
                let tree = root.at(&path);
                tree.node = Node {
                    id: tree.node.id.take(),
                    child: Vec::new(),
                    ..node
                };
            }
        }
        for error in &response.errors {
            let path: Vec<Step> = error
                .path
                .iter()
                .map(|segment| match segment {
                    async_graphql::PathSegment::Field(name) => Step::Field(name.clone()),
                    async_graphql::PathSegment::Index(index) => Step::Index(*index),
                })
                .collect();
            let json = serde_json::to_string(error).unwrap_or_default();
            root.at(&path).node.error.push(TraceError {
                message: error.message.clone(),
                json,
            });
        }
        let trace = Trace {
            start_time: Some(timestamp(wall_start)),
            end_time: Some(timestamp(wall_end)),
            duration_ns,
            root: Some(root.into_node()),
        };
        response.extensions.insert(
            "ftv1".to_owned(),
            Value::String(STANDARD.encode(trace.encode_to_vec())),
        );
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let Some(&trace_start) = self.started.get() else {
            return next.run(ctx, info).await;
        };
        let start_time = nanos(trace_start);
        let path = path_of(&info);
        let (r#type, parent_type) = (info.return_type.to_owned(), info.parent_type.to_owned());
        let original_field_name = if info.alias.is_some() {
            info.name.to_owned()
        } else {
            String::new()
        };
        let result = next.run(ctx, info).await;
        let node = Node {
            r#type,
            parent_type,
            original_field_name,
            start_time,
            end_time: nanos(trace_start),
            ..Node::default()
        };
        if let Ok(mut timings) = self.timings.lock() {
            timings.fields.push((path, node));
        }
        result
    }
}
