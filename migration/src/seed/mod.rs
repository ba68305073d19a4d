//! The default data set: every ISO 3166-1 country, and the facts of the source article.
//!
//! Identifiers are UUIDv5 values derived from natural keys, so the same fact has the same id
//! on every database and loading is idempotent: a second load inserts nothing.

mod countries;
mod file;
pub mod synthetic;

pub use countries::{CountryNames, country_names};

use std::collections::{BTreeMap, HashSet};

use govgraph_entities::{
    DeliverableKind, Detail, EventFormat, NodeKind, OrganisationKind, PartialDate, Predicate,
    SourceKind, citation, deliverable, edge, event, node, organisation, partnership, person,
    source, working_group,
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use file::{DataFile, EdgeEntry, NodeEntry, SourceEntry};

/// The article's facts, as shipped with the service.
const ARTICLE: &str = include_str!("../../data/dgx-2022-article.toml");

/// Namespace of govgraph's deterministic identifiers.
const NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a4e_9b7d_4c1a_8e3f_5d2b_7a90_c4e1);

/// The id of the node of `kind` with `slug`.
pub fn node_id(kind: NodeKind, slug: &str) -> Uuid {
    Uuid::new_v5(
        &NAMESPACE,
        format!("node/{}/{slug}", kind.as_str()).as_bytes(),
    )
}

/// The id of an edge, from the same parts as the database's `edge_fact_key`.
fn edge_id(edge: &SeedEdge) -> Uuid {
    let key = format!(
        "edge/{}/{}/{}/{}/{}",
        edge.subject,
        edge.predicate.as_str(),
        edge.object,
        edge.role.as_deref().unwrap_or(""),
        edge.valid_from.as_ref().map_or("", PartialDate::as_str)
    );
    Uuid::new_v5(&NAMESPACE, key.as_bytes())
}

fn citation_id(source: Uuid, fact: Uuid) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("citation/{source}/{fact}").as_bytes())
}

/// Why a data set cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The file is not valid TOML of the expected shape.
    #[error("the data set file is malformed: {0}")]
    Malformed(#[from] toml::de::Error),
    /// An entry breaks a rule of the graph.
    #[error("{entry}: {problem}")]
    Invalid {
        /// The entry at fault, e.g. `partnership:dgx`.
        entry: String,
        /// What is wrong with it.
        problem: String,
    },
}

fn invalid(entry: &str, problem: impl Into<String>) -> SeedError {
    SeedError::Invalid {
        entry: entry.to_owned(),
        problem: problem.into(),
    }
}

/// The citing source of a node or edge.
#[derive(Clone, Debug)]
struct SourceRef {
    slug: String,
    excerpt: Option<String>,
}

#[derive(Clone, Debug)]
struct SeedNode {
    kind: NodeKind,
    slug: String,
    name: String,
    summary: Option<String>,
    detail: Detail,
    cited_by: SourceRef,
}

impl SeedNode {
    fn id(&self) -> Uuid {
        node_id(self.kind, &self.slug)
    }
}

#[derive(Clone, Debug)]
struct SeedEdge {
    subject: Uuid,
    predicate: Predicate,
    object: Uuid,
    role: Option<String>,
    valid_from: Option<PartialDate>,
    valid_to: Option<PartialDate>,
    cited_by: SourceRef,
}

/// What a load wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadSummary {
    /// Nodes inserted (existing ones are left as they are).
    pub nodes: u64,
    /// Edges inserted.
    pub edges: u64,
    /// Citations inserted.
    pub citations: u64,
}

/// A validated data set, ready to load.
#[derive(Clone, Debug)]
pub struct DataSet {
    nodes: Vec<SeedNode>,
    edges: Vec<SeedEdge>,
}

fn parse_kind(name: &str, entry: &str) -> Result<NodeKind, SeedError> {
    NodeKind::try_from_value(&name.to_uppercase())
        .map_err(|_| invalid(entry, format!("`{name}` is not a node kind")))
}

fn parse_enum<E: ActiveEnum<Value = String>>(value: &str, entry: &str) -> Result<E, SeedError> {
    E::try_from_value(&value.to_owned())
        .map_err(|_| invalid(entry, format!("`{value}` is not a known value here")))
}

fn parse_date(value: Option<&String>, entry: &str) -> Result<Option<PartialDate>, SeedError> {
    value
        .map(|text| {
            text.parse::<PartialDate>()
                .map_err(|e| invalid(entry, e.to_string()))
        })
        .transpose()
}

fn required<'a, T>(value: &'a Option<T>, field: &str, entry: &str) -> Result<&'a T, SeedError> {
    value
        .as_ref()
        .ok_or_else(|| invalid(entry, format!("a node of this kind needs `{field}`")))
}

fn source_node(entry: &SourceEntry, file: &str) -> Result<SeedNode, SeedError> {
    let reference = format!("source:{}", entry.slug);
    Ok(SeedNode {
        kind: NodeKind::Source,
        slug: entry.slug.clone(),
        name: entry.name.clone(),
        summary: entry.summary.clone(),
        detail: Detail::Source(source::Model {
            node_id: Uuid::nil(),
            kind: NodeKind::Source,
            source_kind: parse_enum::<SourceKind>(&entry.source_kind, &reference)?,
            url: entry.url.clone(),
            publisher: entry.publisher.clone(),
            published: parse_date(entry.published.as_ref(), &reference)?,
            licence: entry.licence.clone(),
        }),
        cited_by: SourceRef {
            slug: file.to_owned(),
            excerpt: None,
        },
    })
}

fn article_node(entry: &NodeEntry, cites: &str) -> Result<SeedNode, SeedError> {
    let at = entry.reference.as_str();
    let (kind, slug) = entry
        .reference
        .split_once(':')
        .ok_or_else(|| invalid(at, "a reference is `kind:slug`"))?;
    let kind = parse_kind(kind, at)?;
    let nil = Uuid::nil();
    let detail = match kind {
        NodeKind::Partnership => Detail::Partnership(partnership::Model {
            node_id: nil,
            kind: NodeKind::Partnership,
            acronym: entry.acronym.clone(),
            established: parse_date(entry.established.as_ref(), at)?,
        }),
        NodeKind::WorkingGroup => Detail::WorkingGroup(working_group::Model {
            node_id: nil,
            kind: NodeKind::WorkingGroup,
            short_name: entry.short_name.clone(),
        }),
        NodeKind::Event => Detail::Event(event::Model {
            node_id: nil,
            kind: NodeKind::Event,
            starts_on: parse_date(entry.starts_on.as_ref(), at)?,
            ends_on: parse_date(entry.ends_on.as_ref(), at)?,
            location: entry.location.clone(),
            edition: entry.edition,
            format: entry
                .format
                .as_deref()
                .map(|f| parse_enum::<EventFormat>(f, at))
                .transpose()?,
        }),
        NodeKind::Person => Detail::Person(person::Model {
            node_id: nil,
            kind: NodeKind::Person,
            honorific: entry.honorific.clone(),
            title: entry.title.clone(),
        }),
        NodeKind::Organisation => Detail::Organisation(organisation::Model {
            node_id: nil,
            kind: NodeKind::Organisation,
            org_kind: entry
                .org_kind
                .as_deref()
                .map(|kind| parse_enum::<OrganisationKind>(kind, at))
                .transpose()?,
            acronym: entry.acronym.clone(),
        }),
        NodeKind::Deliverable => Detail::Deliverable(deliverable::Model {
            node_id: nil,
            kind: NodeKind::Deliverable,
            deliverable_kind: parse_enum::<DeliverableKind>(
                required(&entry.deliverable_kind, "deliverable_kind", at)?,
                at,
            )?,
            published: parse_date(entry.published.as_ref(), at)?,
            url: entry.url.clone(),
        }),
        NodeKind::Topic => Detail::None,
        NodeKind::Country | NodeKind::Source => {
            return Err(invalid(
                at,
                "countries come from ISO 3166-1 and sources from [[source]]",
            ));
        }
    };
    Ok(SeedNode {
        kind,
        slug: slug.to_owned(),
        name: entry.name.clone(),
        summary: entry.summary.clone(),
        detail,
        cited_by: SourceRef {
            slug: cites.to_owned(),
            excerpt: Some(entry.excerpt.clone()),
        },
    })
}

impl DataSet {
    /// Every ISO 3166-1 country and the facts of the source article, validated.
    pub fn default_data_set() -> Result<Self, SeedError> {
        Self::from_toml(ARTICLE)
    }

    /// Every ISO 3166-1 country, plus the sources, nodes and edges of a data-set file.
    fn from_toml(text: &str) -> Result<Self, SeedError> {
        let file: DataFile = toml::from_str(text)?;
        let cites = file
            .cites
            .strip_prefix("source:")
            .ok_or_else(|| invalid(&file.cites, "`cites` must name a `source:slug`"))?;

        let mut nodes = vec![source_node(
            &countries::iso_source(),
            countries::ISO_3166_SOURCE,
        )?];
        nodes.extend(countries::countries()?);
        for entry in &file.source {
            nodes.push(source_node(entry, &entry.slug)?);
        }
        for entry in &file.node {
            nodes.push(article_node(entry, cites)?);
        }

        let mut kinds = BTreeMap::new();
        for node in &nodes {
            if kinds.insert(node.id(), node.kind).is_some() {
                return Err(invalid(&node.slug, "appears twice"));
            }
        }
        let sources: HashSet<&str> = nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Source)
            .map(|n| n.slug.as_str())
            .collect();
        for node in &nodes {
            if !sources.contains(node.cited_by.slug.as_str()) {
                return Err(invalid(
                    &node.slug,
                    format!("cites unknown source {}", node.cited_by.slug),
                ));
            }
        }

        let resolve = |reference: &str| -> Result<(Uuid, NodeKind), SeedError> {
            let (kind, slug) = reference
                .split_once(':')
                .ok_or_else(|| invalid(reference, "a reference is `kind:slug`"))?;
            let id = node_id(parse_kind(kind, reference)?, slug);
            kinds
                .get(&id)
                .map(|kind| (id, *kind))
                .ok_or_else(|| invalid(reference, "no such node in the data set"))
        };
        let mut edges = Vec::new();
        let mut seen = HashSet::new();
        for entry in &file.edge {
            edges.extend(expand_edge(entry, cites, &resolve)?);
        }
        for edge in &edges {
            let id = edge_id(edge);
            if !seen.insert(id) {
                return Err(invalid(
                    &edge.predicate.as_str(),
                    "the same edge appears twice",
                ));
            }
        }
        Ok(Self { nodes, edges })
    }

    /// Number of nodes in the data set.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of edges in the data set.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The excerpts the data set quotes from the source with `slug`.
    pub fn excerpts_of(&self, slug: &str) -> Vec<&str> {
        let nodes = self.nodes.iter().map(|n| &n.cited_by);
        let edges = self.edges.iter().map(|e| &e.cited_by);
        nodes
            .chain(edges)
            .filter(|c| c.slug == slug)
            .filter_map(|c| c.excerpt.as_deref())
            .collect()
    }

    /// Inserts every node, edge and citation that is not there yet. Run it in a transaction.
    pub async fn load<C: ConnectionTrait>(&self, db: &C) -> Result<LoadSummary, DbErr> {
        let now = chrono::Utc::now();
        let source_id = |slug: &str| node_id(NodeKind::Source, slug);

        let node_rows = self.nodes.iter().map(|n| node::Model {
            id: n.id(),
            kind: n.kind,
            slug: n.slug.clone(),
            name: n.name.clone(),
            name_folded: node::fold(&n.name),
            summary: n.summary.clone(),
            created_at: now,
            updated_at: now,
            version: 1,
        });
        let nodes = insert_new::<node::ActiveModel, _>(db, node_rows).await?;
        self.load_details(db).await?;

        let edge_rows = self.edges.iter().map(|e| edge::Model {
            id: edge_id(e),
            subject_id: e.subject,
            predicate: e.predicate,
            object_id: e.object,
            role: e.role.clone(),
            valid_from: e.valid_from.clone(),
            valid_to: e.valid_to.clone(),
            created_at: now,
            updated_at: now,
            version: 1,
        });
        let edges = insert_new::<edge::ActiveModel, _>(db, edge_rows).await?;

        let node_citations = self.nodes.iter().map(|n| (n.id(), true, &n.cited_by));
        let edge_citations = self.edges.iter().map(|e| (edge_id(e), false, &e.cited_by));
        let citation_rows = node_citations
            .chain(edge_citations)
            .map(|(fact, is_node, by)| {
                let source = source_id(&by.slug);
                citation::Model {
                    id: citation_id(source, fact),
                    source_id: source,
                    node_id: is_node.then_some(fact),
                    edge_id: (!is_node).then_some(fact),
                    excerpt: by.excerpt.clone(),
                    created_at: now,
                }
            });
        let citations = insert_new::<citation::ActiveModel, _>(db, citation_rows).await?;
        Ok(LoadSummary {
            nodes,
            edges,
            citations,
        })
    }

    async fn load_details<C: ConnectionTrait>(&self, db: &C) -> Result<(), DbErr> {
        macro_rules! rows {
            ($variant:ident) => {
                self.nodes.iter().filter_map(|n| match &n.detail {
                    Detail::$variant(model) => {
                        let mut model = model.clone();
                        model.node_id = n.id();
                        Some(model)
                    }
                    _ => None,
                })
            };
        }
        macro_rules! insert_details {
            ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
                $($(
                    insert_new::<govgraph_entities::$detail::ActiveModel, _>(db, rows!($kind)).await?;
                )?)*
            };
        }
        govgraph_entities::for_each_kind!(insert_details);
        Ok(())
    }

    /// Deletes every node of the data set (and so its details, edges and citations). Run it in
    /// a transaction.
    pub async fn unload<C: ConnectionTrait>(&self, db: &C) -> Result<(), DbErr> {
        // A SQLite connection that last read the schema before another connection changed it
        // (as a migration reverted just before this one does) fails the first node deletion it
        // prepares with "no such table: node"; a read of the table first brings its schema up
        // to date.
        node::Entity::find().count(db).await?;
        let ids: Vec<Uuid> = self.nodes.iter().map(SeedNode::id).collect();
        for chunk in ids.chunks(CHUNK) {
            node::Entity::delete_many()
                .filter(node::Column::Id.is_in(chunk.iter().copied()))
                .exec(db)
                .await?;
        }
        Ok(())
    }
}

/// Rows per INSERT: well under the bound-parameter limits of SQLite and PostgreSQL.
const CHUNK: usize = 200;

/// Inserts the rows whose primary key is not taken yet; returns how many were inserted.
async fn insert_new<A, C>(
    db: &C,
    rows: impl IntoIterator<Item = <A::Entity as EntityTrait>::Model>,
) -> Result<u64, DbErr>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    insert_new_in_chunks::<A, C>(db, rows, CHUNK).await
}

/// [`insert_new`], `chunk` rows per statement.
async fn insert_new_in_chunks<A, C>(
    db: &C,
    rows: impl IntoIterator<Item = <A::Entity as EntityTrait>::Model>,
    chunk: usize,
) -> Result<u64, DbErr>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    let rows: Vec<A> = rows
        .into_iter()
        .map(IntoActiveModel::into_active_model)
        .collect();
    let mut inserted = 0;
    for chunk in rows.chunks(chunk) {
        let result = A::Entity::insert_many(chunk.iter().cloned())
            .on_conflict_do_nothing()
            .exec_without_returning(db)
            .await?;
        if let sea_orm::TryInsertResult::Inserted(count) = result {
            inserted += count;
        }
    }
    Ok(inserted)
}

fn expand_edge(
    entry: &EdgeEntry,
    cites: &str,
    resolve: &impl Fn(&str) -> Result<(Uuid, NodeKind), SeedError>,
) -> Result<Vec<SeedEdge>, SeedError> {
    let at = format!("{} edge", entry.predicate);
    let predicate = parse_enum::<Predicate>(&entry.predicate, &at)?;
    let valid_from = parse_date(entry.valid_from.as_ref(), &at)?;
    let valid_to = parse_date(entry.valid_to.as_ref(), &at)?;
    if let (Some(from), Some(to)) = (&valid_from, &valid_to)
        && !to.is_not_before(from)
    {
        return Err(invalid(&at, "valid_to is before valid_from"));
    }
    let mut edges = Vec::new();
    for subject in &entry.subjects {
        let (subject_id, subject_kind) = resolve(subject)?;
        for object in &entry.objects {
            let (object_id, object_kind) = resolve(object)?;
            if !predicate.allows(subject_kind, object_kind) {
                return Err(invalid(
                    &format!("{subject} {} {object}", entry.predicate),
                    "the predicate does not join these kinds",
                ));
            }
            edges.push(SeedEdge {
                subject: subject_id,
                predicate,
                object: object_id,
                role: entry.role.clone(),
                valid_from: valid_from.clone(),
                valid_to: valid_to.clone(),
                cited_by: SourceRef {
                    slug: cites.to_owned(),
                    excerpt: Some(entry.excerpt.clone()),
                },
            });
        }
    }
    Ok(edges)
}

/// Brings the query planner's statistics up to date, as bulk writes leave them stale: without
/// them SQLite plans a nested page of a freshly generated graph as a scan. `ANALYZE` on both
/// databases; on SQLite with `analysis_limit`, so that it samples each index rather than reading
/// it whole.
pub async fn analyze<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let statement = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => "PRAGMA analysis_limit = 1000; ANALYZE",
        _ => "ANALYZE",
    };
    db.execute_unprepared(statement).await.map(|_| ())
}

#[cfg(test)]
mod tests;
