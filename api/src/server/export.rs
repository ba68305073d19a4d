//! `GET /export/{format}`: the whole graph, streamed as it is read, never held whole in memory.
//!
//! - `/export/toml`: the data-file format, which `govgraph import` reads back;
//! - `/export/graphml`: GraphML, for Gephi, Cytoscape and networkx;
//! - `/export/jsonld`: JSON-LD, every node's document as `/id/{kind}/{slug}` serves it;
//! - `/export/csv/{table}`: CSV of one kind's nodes (`country`, `working_group`, …) or of the
//!   relationships (`relationships`).
//!
//! An export reads the graph a page at a time, each page one short statement. At most
//! [`MAX_RUNNING`] run at once; another is refused with `429` and `LIMIT_EXCEEDED`.

use std::sync::Arc;

use bytes::Bytes;
use govgraph_data::export::{ExportError, Format, Sink};
use govgraph_entities::{NodeKind, node};
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, Iterable, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::{Semaphore, mpsc};

use super::Readiness;
use super::linked_data::LinkedData;
use crate::error::Code;

/// The most exports that run at once.
pub const MAX_RUNNING: usize = 2;

/// Chunks waiting to be sent, per export: the reader waits for a slow client.
const BUFFERED_CHUNKS: usize = 4;

/// What `/export` needs.
pub struct Exports {
    db: DatabaseConnection,
    linked_data: Arc<LinkedData>,
    running: Arc<Semaphore>,
}

impl Exports {
    /// Exports the graph in `db`, its JSON-LD made by `linked_data`.
    pub fn new(db: DatabaseConnection, linked_data: Arc<LinkedData>) -> Self {
        Self {
            db,
            linked_data,
            running: Arc::new(Semaphore::new(MAX_RUNNING)),
        }
    }
}

/// What `/export/{format}` can be asked for.
#[derive(Clone, Copy, Debug)]
enum Asked {
    Data(Format),
    JsonLd,
}

impl Asked {
    fn media_type(self) -> &'static str {
        match self {
            Self::Data(format) => format.media_type(),
            Self::JsonLd => "application/ld+json",
        }
    }

    fn file_name(self) -> String {
        match self {
            Self::Data(format) => format.file_name(),
            Self::JsonLd => "govgraph.jsonld".to_owned(),
        }
    }
}

/// The CSV tables: each kind, by its name in references, and `relationships`.
fn csv_table(name: &str) -> Option<Format> {
    if name == "relationships" {
        return Some(Format::RelationshipsCsv);
    }
    NodeKind::iter()
        .find(|kind| kind.as_str().to_lowercase() == name)
        .map(Format::NodesCsv)
}

fn csv_tables() -> String {
    NodeKind::iter()
        .map(|kind| kind.as_str().to_lowercase())
        .chain(["relationships".to_owned()])
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sends each chunk to the response body; fails when the client has gone.
struct Channel(mpsc::Sender<Result<Bytes, std::io::Error>>);

impl Sink for Channel {
    async fn write(&mut self, chunk: String) -> Result<(), ExportError> {
        self.0
            .send(Ok(Bytes::from(chunk)))
            .await
            .map_err(|_| ExportError::Write("the client went away".to_owned()))
    }
}

/// `GET /export/{format}`.
#[handler]
pub async fn whole(
    request: &Request,
    Path(asked): Path<String>,
    exports: Data<&Arc<Exports>>,
    readiness: Data<&Readiness>,
) -> Response {
    let name = asked;
    let asked = match name.as_str() {
        "toml" => Some(Asked::Data(Format::Toml)),
        "graphml" => Some(Asked::Data(Format::Graphml)),
        "jsonld" => Some(Asked::JsonLd),
        _ => None,
    };
    let Some(asked) = asked else {
        return not_found(format!(
            "there is no export `{}`: ask for /export/toml, /export/graphml, /export/jsonld or \
             /export/csv/{{table}}",
            name.chars().take(40).collect::<String>()
        ));
    };
    start(request, asked, &exports, &readiness).await
}

/// `GET /export/csv/{table}`.
#[handler]
pub async fn table(
    request: &Request,
    Path(table): Path<String>,
    exports: Data<&Arc<Exports>>,
    readiness: Data<&Readiness>,
) -> Response {
    let Some(format) = csv_table(&table) else {
        return not_found(format!(
            "there is no table `{}`: the CSV tables are {}",
            table.chars().take(40).collect::<String>(),
            csv_tables()
        ));
    };
    start(request, Asked::Data(format), &exports, &readiness).await
}

async fn start(
    request: &Request,
    asked: Asked,
    exports: &Arc<Exports>,
    readiness: &Readiness,
) -> Response {
    if request.method() != Method::GET {
        let mut response = super::error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            Code::BadRequest,
            "an export is read with GET".to_owned(),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return response;
    }
    if !readiness.is_serving() {
        return super::error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::Unavailable,
            "the service cannot answer now; send the request again in a moment".to_owned(),
        );
    }
    let Ok(permit) = exports.running.clone().try_acquire_owned() else {
        let mut response = super::error_response(
            StatusCode::TOO_MANY_REQUESTS,
            Code::LimitExceeded,
            format!("{MAX_RUNNING} exports are running; ask again when one has finished"),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
        return response;
    };
    let (sender, mut receiver) = mpsc::channel(BUFFERED_CHUNKS);
    let exports = exports.clone();
    tokio::spawn(async move {
        let _permit = permit;
        let mut sink = Channel(sender.clone());
        let outcome = match asked {
            Asked::Data(format) => {
                govgraph_data::export::export(&exports.db, format, &mut sink).await
            }
            Asked::JsonLd => json_ld(&exports, &mut sink).await,
        };
        if let Err(error) = outcome {
            if !matches!(error, ExportError::Write(_)) {
                tracing::error!(error = %error, "an export failed");
            }
            // The body ends in an error, so that the client sees the export cut short rather
            // than a complete-looking file.
            let _ = sender
                .send(Err(std::io::Error::other("the export failed")))
                .await;
        }
    });
    let stream = futures_util::stream::poll_fn(move |context| receiver.poll_recv(context));
    Response::builder()
        .content_type(asked.media_type())
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", asked.file_name()),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_bytes_stream(stream))
}

/// Every node's JSON-LD document, as `/id` serves it, in one `@graph`.
async fn json_ld(exports: &Exports, sink: &mut Channel) -> Result<(), ExportError> {
    sink.write("{\"@graph\": [\n".to_owned()).await?;
    let mut first = true;
    for kind in NodeKind::iter() {
        let mut after: Option<String> = None;
        loop {
            let mut query = node::Entity::find()
                .select_only()
                .column(node::Column::Slug)
                .filter(node::Column::Kind.eq(kind))
                .order_by_asc(node::Column::Slug)
                .limit(PAGE);
            if let Some(after) = &after {
                query = query.filter(node::Column::Slug.gt(after.as_str()));
            }
            let slugs: Vec<String> = query.into_tuple().all(&exports.db).await?;
            let full = slugs.len() as u64 == PAGE;
            let mut chunk = String::new();
            for slug in &slugs {
                let document =
                    exports
                        .linked_data
                        .document_of(kind, slug)
                        .await
                        .map_err(|code| {
                            ExportError::Write(format!(
                                "the linked data of {slug} failed: {code:?}"
                            ))
                        })?;
                let Some(document) = document else { continue };
                let text = serde_json::to_string(&document)
                    .map_err(|error| ExportError::Write(error.to_string()))?;
                if !first {
                    chunk.push_str(",\n");
                }
                first = false;
                chunk.push_str(&text);
            }
            sink.write(chunk).await?;
            after = slugs.into_iter().last();
            if !full {
                break;
            }
        }
    }
    sink.write("\n]}\n".to_owned()).await
}

/// Nodes per page of the JSON-LD export.
const PAGE: u64 = 100;

fn not_found(message: String) -> Response {
    super::error_response(StatusCode::NOT_FOUND, Code::NotFound, message)
}
