//! The data-file format: a TOML document of sources, nodes and relationships, each citing the
//! source that states it. `data/README.md` is its manual and `data/govgraph-data.schema.json`
//! its JSON Schema, generated from these types.
//!
//! References to nodes are `kind:slug`, e.g. `working_group:dgx-2022-ai`; a country is
//! `country:` and its ISO 3166-1 alpha-2 or alpha-3 code, e.g. `country:sg` or `country:SGP`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A data file: the facts it states, and the sources that state them.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "govgraph data file")]
pub struct DataFile {
    /// The source that an entry with an `excerpt` and no `cites` of its own cites:
    /// `source:slug`, of a source in this file or already in the graph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cites: Option<String>,
    /// The documents that state the facts.
    #[serde(default, rename = "source", skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceEntry>,
    /// The things the graph is about: partnerships, working groups, events, people,
    /// countries, organisations, deliverables and topics.
    #[serde(default, rename = "node", skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeEntry>,
    /// Relationships: every subject joined to every object by the predicate, with the same
    /// role, validity and citations.
    #[serde(default, rename = "edge", skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<EdgeEntry>,
}

/// A source document: an article, a report, a data set, a web page.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    /// Lower-case letters, digits and single hyphens, at most 100 characters.
    #[schemars(
        regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"),
        length(min = 1, max = 100)
    )]
    pub slug: String,
    /// The document's title.
    #[schemars(length(min = 1, max = 300))]
    pub name: String,
    /// What the document is about, in a sentence or two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2000))]
    pub summary: Option<String>,
    /// `ARTICLE`, `REPORT`, `WEB_PAGE` or `DATASET`.
    pub source_kind: String,
    /// Where the document can be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2000))]
    pub url: Option<String>,
    /// Who published it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 300))]
    pub publisher: Option<String>,
    /// When it was published: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"))]
    pub published: Option<String>,
    /// The licence it is published under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 300))]
    pub licence: Option<String>,
}

/// A node of any kind but source, with the details of its kind: a field that does not apply
/// to the kind is refused.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeEntry {
    /// `kind:slug`, e.g. `event:dgx-2022`; a country's slug is its lower-case alpha-2 code.
    #[serde(rename = "ref")]
    #[schemars(regex(pattern = r"^[a-z_]+:[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub reference: String,
    /// The node's name, as people know it.
    #[schemars(length(min = 1, max = 300))]
    pub name: String,
    /// What the node is, in a sentence or two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2000))]
    pub summary: Option<String>,

    /// Partnership, organisation: its acronym, e.g. `DGX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acronym: Option<String>,
    /// Partnership: when it was established.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub established: Option<String>,
    /// Working group, country: its short name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// Event: its first day, month or year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<String>,
    /// Event: its last day, month or year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<String>,
    /// Event: where it takes place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Event: its number in a series, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub edition: Option<i32>,
    /// Event: `IN_PERSON`, `VIRTUAL` or `HYBRID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Organisation: `GOVERNMENT_AGENCY`, `INTERNATIONAL_ORGANISATION`, `ORGANISATIONAL_UNIT`,
    /// `COMPANY`, `ACADEMIC` or `NON_GOVERNMENTAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_kind: Option<String>,
    /// Person: an honorific, e.g. `Dr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific: Option<String>,
    /// Person: their title or position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Deliverable (required there): `REPORT`, `GUIDANCE`, `INSIGHTS`, `PORTAL` or `TOOL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliverable_kind: Option<String>,
    /// Deliverable: when it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Deliverable: where it can be found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Country (required there): the ISO 3166-1 alpha-3 code, e.g. `SGP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub alpha3: Option<String>,
    /// Country (required there): the ISO 3166-1 numeric code, e.g. `702`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{3}$"))]
    pub numeric_code: Option<String>,
    /// Country (required there): its ISO 3166-1 short name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_name: Option<String>,
    /// Country (required there): its official name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub official_name: Option<String>,
    /// Country: its continent, e.g. `Asia`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Country: its part of the continent, e.g. `South-Eastern Asia`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subregion: Option<String>,

    /// Identifiers of the node elsewhere, by scheme: `{ wikidata = "Q334" }`. Schemes are
    /// lower-case letters, digits, `-` and `_`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub external_ids: BTreeMap<String, String>,

    /// The words of the file's `cites` source (or of this entry's own `cites`) that state
    /// the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 5000))]
    pub excerpt: Option<String>,
    /// The source the `excerpt` is from, when not the file's `cites`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cites: Option<String>,
    /// Every source that states the node, with its words; instead of, or as well as,
    /// `excerpt`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<CitationEntry>,
}

/// Relationships from every subject to every object, all with the same predicate, role,
/// validity and citations.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EdgeEntry {
    /// The nodes the relationship goes from, as references.
    #[schemars(length(min = 1))]
    pub subjects: Vec<String>,
    /// What joins them, e.g. `MEMBER_OF`; each predicate joins certain kinds only.
    pub predicate: String,
    /// The nodes the relationship goes to, as references.
    #[schemars(length(min = 1))]
    pub objects: Vec<String>,
    /// The part the subject plays, e.g. `co-chair`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 100))]
    pub role: Option<String>,
    /// When the sources say the relationship began: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// When the sources say the relationship ended, no earlier than `valid_from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    /// The words of the file's `cites` source (or of this entry's own `cites`) that state
    /// the relationship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 5000))]
    pub excerpt: Option<String>,
    /// The source the `excerpt` is from, when not the file's `cites`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cites: Option<String>,
    /// Every source that states the relationship, with its words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<CitationEntry>,
}

/// A source that states a fact, and the words it states it with.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CitationEntry {
    /// `source:slug`.
    pub source: String,
    /// The exact words of the source; left out only where a data set states the fact
    /// without words (as ISO 3166-1 states a country).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 5000))]
    pub excerpt: Option<String>,
}

/// The JSON Schema of a data file (draft 7, as TOML editors such as Taplo validate with).
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    generator.into_root_schema_for::<DataFile>().to_value()
}
