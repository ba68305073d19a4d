//! The shape of a data-set file (TOML): sources, nodes and edges, each citing a source.

use serde::Deserialize;

/// A data-set file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DataFile {
    /// The `source:slug` that every node and edge of the file cites.
    pub cites: String,
    #[serde(default)]
    pub source: Vec<SourceEntry>,
    #[serde(default)]
    pub node: Vec<NodeEntry>,
    #[serde(default)]
    pub edge: Vec<EdgeEntry>,
}

/// A source document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourceEntry {
    pub slug: String,
    pub name: String,
    pub summary: Option<String>,
    pub source_kind: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub licence: Option<String>,
}

/// A node of any kind but country and source; the detail fields that apply to its kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NodeEntry {
    /// `kind:slug`.
    #[serde(rename = "ref")]
    pub reference: String,
    pub name: String,
    pub summary: Option<String>,
    pub excerpt: String,
    pub acronym: Option<String>,
    pub established: Option<String>,
    pub short_name: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub location: Option<String>,
    pub edition: Option<i32>,
    pub format: Option<String>,
    pub org_kind: Option<String>,
    pub honorific: Option<String>,
    pub title: Option<String>,
    pub deliverable_kind: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
}

/// Edges from every subject to every object, all with the same predicate, role and validity.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EdgeEntry {
    pub subjects: Vec<String>,
    pub predicate: String,
    pub objects: Vec<String>,
    pub role: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub excerpt: String,
}
