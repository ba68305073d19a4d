//! The graph written out: in the data-file format (what `govgraph import` reads back, ids
//! included), as CSV per kind and for relationships (for spreadsheets), and as GraphML (for
//! Gephi, Cytoscape and networkx). Rows are read a page at a time and written as they are
//! read, so an export of any size holds one page in memory.

use std::collections::{BTreeMap, HashMap};

use govgraph_entities::{Detail, NodeKind, citation, edge, external_id, node};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Iterable, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::format::{CitationEntry, EdgeEntry, NodeEntry, SourceEntry};
use crate::import::reference;

/// Rows per page read.
const PAGE: u64 = 500;

/// A format the graph is exported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The data-file format.
    Toml,
    /// GraphML.
    Graphml,
    /// CSV of the nodes of one kind.
    NodesCsv(NodeKind),
    /// CSV of the relationships.
    RelationshipsCsv,
}

impl Format {
    /// The media type of the format.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Toml => "application/toml; charset=utf-8",
            Self::Graphml => "application/graphml+xml; charset=utf-8",
            Self::NodesCsv(_) | Self::RelationshipsCsv => "text/csv; charset=utf-8",
        }
    }

    /// A file name for an export in the format.
    pub fn file_name(self) -> String {
        match self {
            Self::Toml => "govgraph.toml".to_owned(),
            Self::Graphml => "govgraph.graphml".to_owned(),
            Self::NodesCsv(kind) => format!("{}.csv", kind.as_str().to_lowercase()),
            Self::RelationshipsCsv => "relationships.csv".to_owned(),
        }
    }

    /// Every CSV export: one per kind, and the relationships.
    pub fn every_csv() -> Vec<Self> {
        NodeKind::iter()
            .map(Self::NodesCsv)
            .chain([Self::RelationshipsCsv])
            .collect()
    }
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The database failed.
    #[error("the database failed: {0}")]
    Database(#[from] DbErr),
    /// The output could not be written (the client went away, the disk is full).
    #[error("cannot write the export: {0}")]
    Write(String),
}

/// Where an export's text goes, a chunk at a time.
pub trait Sink {
    /// Takes the next chunk.
    fn write(&mut self, chunk: String) -> impl Future<Output = Result<(), ExportError>> + Send;
}

/// Writes the graph in `db` to `sink` in `format`.
pub async fn export<C: ConnectionTrait, S: Sink + Send>(
    db: &C,
    format: Format,
    sink: &mut S,
) -> Result<(), ExportError> {
    match format {
        Format::Toml => toml_export(db, sink).await,
        Format::Graphml => graphml(db, sink).await,
        Format::NodesCsv(kind) => nodes_csv(db, kind, sink).await,
        Format::RelationshipsCsv => relationships_csv(db, sink).await,
    }
}

/// A node as a data file states it.
struct Described {
    id: Uuid,
    kind: NodeKind,
    slug: String,
    node: NodeEntry,
    source: Option<SourceEntry>,
}

/// The citations of the facts `ids` in `column`, by fact, each source as `source:slug`.
async fn citations_of<C: ConnectionTrait>(
    db: &C,
    column: citation::Column,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<CitationEntry>>, DbErr> {
    /// A citation's node, relationship, excerpt and source slug.
    type Row = (Option<Uuid>, Option<Uuid>, Option<String>, String);
    let rows: Vec<Row> = citation::Entity::find()
        .select_only()
        .column(citation::Column::NodeId)
        .column(citation::Column::EdgeId)
        .column(citation::Column::Excerpt)
        .column_as(node::Column::Slug, "source_slug")
        .join(
            sea_orm::JoinType::InnerJoin,
            citation::Entity::belongs_to(node::Entity)
                .from(citation::Column::SourceId)
                .to(node::Column::Id)
                .into(),
        )
        .filter(column.is_in(ids.iter().copied()))
        .order_by_asc(node::Column::Slug)
        .into_tuple()
        .all(db)
        .await?;
    let mut cited: HashMap<Uuid, Vec<CitationEntry>> = HashMap::new();
    for (node, edge, excerpt, slug) in rows {
        let Some(fact) = node.or(edge) else { continue };
        cited.entry(fact).or_default().push(CitationEntry {
            source: reference(NodeKind::Source, &slug),
            excerpt,
        });
    }
    Ok(cited)
}

/// The nodes of `kind` in slug order, a page after `after`.
async fn node_page<C: ConnectionTrait>(
    db: &C,
    kind: NodeKind,
    after: Option<&str>,
) -> Result<Vec<Described>, DbErr> {
    let mut query = node::Entity::find()
        .filter(node::Column::Kind.eq(kind))
        .order_by_asc(node::Column::Slug)
        .limit(PAGE);
    if let Some(after) = after {
        query = query.filter(node::Column::Slug.gt(after));
    }
    let rows = query.all(db).await?;
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let mut details = crate::import::details_of(db, kind, &ids).await?;
    let mut external: HashMap<Uuid, BTreeMap<String, String>> = HashMap::new();
    for row in external_id::Entity::find()
        .filter(external_id::Column::NodeId.is_in(ids.iter().copied()))
        .all(db)
        .await?
    {
        external
            .entry(row.node_id)
            .or_default()
            .insert(row.scheme, row.value);
    }
    let mut citations = citations_of(db, citation::Column::NodeId, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let detail = details.remove(&row.id).unwrap_or(Detail::None);
            let mut cited = citations.remove(&row.id).unwrap_or_default();
            // A source's citation of itself is implied by its entry.
            let own = reference(NodeKind::Source, &row.slug);
            cited.retain(|citation| !(kind == NodeKind::Source && citation.source == own));
            let ids = external.remove(&row.id).unwrap_or_default();
            describe(row, detail, ids, cited)
        })
        .collect())
}

/// Puts one citation in the entry's `cites` and `excerpt`, more in `citations`.
fn cite(citations: Vec<CitationEntry>) -> (Option<String>, Option<String>, Vec<CitationEntry>) {
    match <[CitationEntry; 1]>::try_from(citations) {
        Ok([only]) => (Some(only.source), only.excerpt, Vec::new()),
        Err(many) => (None, None, many),
    }
}

fn describe(
    row: node::Model,
    detail: Detail,
    external_ids: BTreeMap<String, String>,
    citations: Vec<CitationEntry>,
) -> Described {
    let (cites, excerpt, citations) = cite(citations);
    let mut entry = NodeEntry {
        reference: reference(row.kind, &row.slug),
        name: row.name.clone(),
        summary: row.summary.clone(),
        external_ids,
        excerpt,
        cites,
        citations,
        ..NodeEntry::default()
    };
    let mut source = None;
    match detail {
        Detail::None => {}
        Detail::Partnership(d) => {
            entry.acronym = d.acronym;
            entry.established = d.established.map(|date| date.to_string());
        }
        Detail::WorkingGroup(d) => entry.short_name = d.short_name,
        Detail::Event(d) => {
            entry.starts_on = d.starts_on.map(|date| date.to_string());
            entry.ends_on = d.ends_on.map(|date| date.to_string());
            entry.location = d.location;
            entry.edition = d.edition;
            entry.format = d
                .format
                .map(|format| sea_orm::ActiveEnum::to_value(&format));
        }
        Detail::Person(d) => {
            entry.honorific = d.honorific;
            entry.title = d.title;
        }
        Detail::Country(d) => {
            entry.short_name = d.short_name;
            entry.alpha3 = Some(d.alpha3);
            entry.numeric_code = Some(d.numeric_code);
            entry.iso_name = Some(d.iso_name);
            entry.official_name = Some(d.official_name);
            entry.region = d.region;
            entry.subregion = d.subregion;
        }
        Detail::Organisation(d) => {
            entry.org_kind = d.org_kind.map(|kind| sea_orm::ActiveEnum::to_value(&kind));
            entry.acronym = d.acronym;
        }
        Detail::Deliverable(d) => {
            entry.deliverable_kind = Some(sea_orm::ActiveEnum::to_value(&d.deliverable_kind));
            entry.published = d.published.map(|date| date.to_string());
            entry.url = d.url;
        }
        Detail::Source(d) => {
            source = Some(SourceEntry {
                slug: row.slug.clone(),
                name: row.name.clone(),
                summary: row.summary.clone(),
                source_kind: sea_orm::ActiveEnum::to_value(&d.source_kind),
                url: d.url,
                publisher: d.publisher,
                published: d.published.map(|date| date.to_string()),
                licence: d.licence,
            });
        }
    }
    Described {
        id: row.id,
        kind: row.kind,
        slug: row.slug,
        node: entry,
        source,
    }
}

/// The nodes of every kind, a page at a time, sources first.
struct NodePages {
    kinds: Vec<NodeKind>,
    after: Option<String>,
}

impl NodePages {
    fn new() -> Self {
        let mut kinds: Vec<NodeKind> = std::iter::once(NodeKind::Source)
            .chain(NodeKind::iter().filter(|kind| *kind != NodeKind::Source))
            .collect();
        // Taken from the end.
        kinds.reverse();
        Self { kinds, after: None }
    }

    /// Only the nodes of `kind`.
    fn of(kind: NodeKind) -> Self {
        Self {
            kinds: vec![kind],
            after: None,
        }
    }

    async fn next<C: ConnectionTrait>(&mut self, db: &C) -> Result<Option<Vec<Described>>, DbErr> {
        while let Some(&kind) = self.kinds.last() {
            let page = node_page(db, kind, self.after.as_deref()).await?;
            if page.len() as u64 == PAGE {
                self.after = page.last().map(|last| last.slug.clone());
            } else {
                self.kinds.pop();
                self.after = None;
            }
            if !page.is_empty() {
                return Ok(Some(page));
            }
        }
        Ok(None)
    }
}

/// A relationship as a data file states it, and its id.
struct Related {
    id: Uuid,
    subject: Uuid,
    object: Uuid,
    edge: EdgeEntry,
}

/// Every relationship in id order, a page at a time, with its ends as references.
#[derive(Default)]
struct EdgePages {
    after: Option<Uuid>,
    done: bool,
}

impl EdgePages {
    async fn next<C: ConnectionTrait>(&mut self, db: &C) -> Result<Option<Vec<Related>>, DbErr> {
        if self.done {
            return Ok(None);
        }
        let mut query = edge::Entity::find()
            .order_by_asc(edge::Column::Id)
            .limit(PAGE);
        if let Some(after) = self.after {
            query = query.filter(edge::Column::Id.gt(after));
        }
        let rows = query.all(db).await?;
        self.after = rows.last().map(|last| last.id);
        self.done = rows.len() as u64 != PAGE;
        if rows.is_empty() {
            return Ok(None);
        }
        let ends: Vec<Uuid> = rows
            .iter()
            .flat_map(|row| [row.subject_id, row.object_id])
            .collect();
        let labels: HashMap<Uuid, String> = node::Entity::find()
            .select_only()
            .column(node::Column::Id)
            .column(node::Column::Kind)
            .column(node::Column::Slug)
            .filter(node::Column::Id.is_in(ends))
            .into_tuple::<(Uuid, NodeKind, String)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, kind, slug)| (id, reference(kind, &slug)))
            .collect();
        let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
        let mut citations = citations_of(db, citation::Column::EdgeId, &ids).await?;
        let label = |id: &Uuid| labels.get(id).cloned().unwrap_or_else(|| id.to_string());
        Ok(Some(
            rows.into_iter()
                .map(|row| {
                    let (cites, excerpt, citations) =
                        cite(citations.remove(&row.id).unwrap_or_default());
                    Related {
                        id: row.id,
                        subject: row.subject_id,
                        object: row.object_id,
                        edge: EdgeEntry {
                            subjects: vec![label(&row.subject_id)],
                            predicate: row.predicate.as_str(),
                            objects: vec![label(&row.object_id)],
                            role: row.role,
                            valid_from: row.valid_from.map(|date| date.to_string()),
                            valid_to: row.valid_to.map(|date| date.to_string()),
                            excerpt,
                            cites,
                            citations,
                        },
                    }
                })
                .collect(),
        ))
    }
}

/// One array-of-tables entry of a data file: `[[name]]` and its fields.
fn toml_entry<T: Serialize>(name: &'static str, entry: &T) -> Result<String, ExportError> {
    toml::to_string(&BTreeMap::from([(name, [entry])]))
        .map(|text| format!("\n{text}"))
        .map_err(|error| ExportError::Write(error.to_string()))
}

async fn toml_export<C: ConnectionTrait, S: Sink + Send>(
    db: &C,
    sink: &mut S,
) -> Result<(), ExportError> {
    sink.write(
        "# The whole graph, exported by `govgraph export`: import it with `govgraph import`. Its\n\
         # format is described by data/README.md and data/govgraph-data.schema.json.\n"
            .to_owned(),
    )
    .await?;
    let mut nodes = NodePages::new();
    while let Some(page) = nodes.next(db).await? {
        let mut chunk = String::new();
        for described in page {
            chunk.push_str(&match &described.source {
                Some(source) => toml_entry("source", source)?,
                None => toml_entry("node", &described.node)?,
            });
        }
        sink.write(chunk).await?;
    }
    let mut edges = EdgePages::default();
    while let Some(page) = edges.next(db).await? {
        let mut chunk = String::new();
        for related in page {
            chunk.push_str(&toml_entry("edge", &related.edge)?);
        }
        sink.write(chunk).await?;
    }
    Ok(())
}

/// A row of CSV, quoted as RFC 4180 says.
fn csv_row<I: IntoIterator<Item = String>>(fields: I) -> String {
    let mut row = fields
        .into_iter()
        .map(|field| {
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    row.push_str("\r\n");
    row
}

fn sources_cell(entry_cites: Option<&String>, citations: &[CitationEntry]) -> String {
    entry_cites
        .into_iter()
        .chain(citations.iter().map(|c| &c.source))
        .map(|source| source.trim_start_matches("source:").to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn nodes_csv<C: ConnectionTrait, S: Sink + Send>(
    db: &C,
    kind: NodeKind,
    sink: &mut S,
) -> Result<(), ExportError> {
    let own = crate::validate::fields_of(kind);
    let extra: &[&str] = if kind == NodeKind::Source {
        &["source_kind", "url", "publisher", "published", "licence"]
    } else {
        own
    };
    let header = ["id", "ref", "name", "summary"]
        .iter()
        .chain(extra)
        .chain(&["external_ids", "sources"])
        .map(|field| (*field).to_owned());
    sink.write(csv_row(header)).await?;
    let mut pages = NodePages::of(kind);
    while let Some(page) = pages.next(db).await? {
        let mut chunk = String::new();
        for described in &page {
            let fields = match &described.source {
                Some(source) => serde_json::to_value(source),
                None => serde_json::to_value(&described.node),
            }
            .map_err(|error| ExportError::Write(error.to_string()))?;
            let text = |field: &str| match fields.get(field) {
                Some(serde_json::Value::String(text)) => text.clone(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            let entry = &described.node;
            let row = [
                described.id.to_string(),
                entry.reference.clone(),
                entry.name.clone(),
                entry.summary.clone().unwrap_or_default(),
            ]
            .into_iter()
            .chain(extra.iter().map(|field| text(field)))
            .chain([
                entry
                    .external_ids
                    .iter()
                    .map(|(scheme, value)| format!("{scheme}:{value}"))
                    .collect::<Vec<_>>()
                    .join("; "),
                sources_cell(entry.cites.as_ref(), &entry.citations),
            ]);
            chunk.push_str(&csv_row(row));
        }
        sink.write(chunk).await?;
    }
    Ok(())
}

async fn relationships_csv<C: ConnectionTrait, S: Sink + Send>(
    db: &C,
    sink: &mut S,
) -> Result<(), ExportError> {
    let header = [
        "id",
        "subject",
        "predicate",
        "object",
        "role",
        "valid_from",
        "valid_to",
        "sources",
    ];
    sink.write(csv_row(header.map(str::to_owned))).await?;
    let mut edges = EdgePages::default();
    while let Some(page) = edges.next(db).await? {
        let mut chunk = String::new();
        for related in page {
            let edge = related.edge;
            chunk.push_str(&csv_row([
                related.id.to_string(),
                edge.subjects.concat(),
                edge.predicate.clone(),
                edge.objects.concat(),
                edge.role.clone().unwrap_or_default(),
                edge.valid_from.clone().unwrap_or_default(),
                edge.valid_to.clone().unwrap_or_default(),
                sources_cell(edge.cites.as_ref(), &edge.citations),
            ]));
        }
        sink.write(chunk).await?;
    }
    Ok(())
}

/// Text as XML character data or an attribute value: escaped, with the characters XML 1.0
/// cannot carry left out.
fn xml(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r') || !c.is_control())
        .collect();
    quick_xml::escape::escape(allowed.as_str()).into_owned()
}

/// The GraphML attributes of nodes and edges: (id, for, name, type).
const GRAPHML_KEYS: [(&str, &str, &str); 8] = [
    ("kind", "node", "kind"),
    ("ref", "node", "ref"),
    ("name", "node", "name"),
    ("summary", "node", "summary"),
    ("predicate", "edge", "predicate"),
    ("role", "edge", "role"),
    ("valid_from", "edge", "valid_from"),
    ("valid_to", "edge", "valid_to"),
];

async fn graphml<C: ConnectionTrait, S: Sink + Send>(
    db: &C,
    sink: &mut S,
) -> Result<(), ExportError> {
    let mut head = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    for (id, domain, name) in GRAPHML_KEYS {
        head.push_str(&format!(
            "  <key id=\"{id}\" for=\"{domain}\" attr.name=\"{name}\" attr.type=\"string\"/>\n"
        ));
    }
    head.push_str("  <graph id=\"govgraph\" edgedefault=\"directed\">\n");
    sink.write(head).await?;
    let data = |key: &str, value: Option<&String>| {
        value.map_or_else(String::new, |value| {
            format!("      <data key=\"{key}\">{}</data>\n", xml(value))
        })
    };
    let mut nodes = NodePages::new();
    while let Some(page) = nodes.next(db).await? {
        let mut chunk = String::new();
        for described in page {
            let entry = &described.node;
            chunk.push_str(&format!("    <node id=\"{}\">\n", described.id));
            chunk.push_str(&data("kind", Some(&described.kind.as_str().to_owned())));
            chunk.push_str(&data("ref", Some(&entry.reference)));
            chunk.push_str(&data("name", Some(&entry.name)));
            chunk.push_str(&data("summary", entry.summary.as_ref()));
            chunk.push_str("    </node>\n");
        }
        sink.write(chunk).await?;
    }
    let mut edges = EdgePages::default();
    while let Some(page) = edges.next(db).await? {
        let mut chunk = String::new();
        for related in page {
            let edge = &related.edge;
            chunk.push_str(&format!(
                "    <edge id=\"{}\" source=\"{}\" target=\"{}\">\n",
                related.id, related.subject, related.object
            ));
            chunk.push_str(&data("predicate", Some(&edge.predicate)));
            chunk.push_str(&data("role", edge.role.as_ref()));
            chunk.push_str(&data("valid_from", edge.valid_from.as_ref()));
            chunk.push_str(&data("valid_to", edge.valid_to.as_ref()));
            chunk.push_str("    </edge>\n");
        }
        sink.write(chunk).await?;
    }
    sink.write("  </graph>\n</graphml>\n".to_owned()).await
}
