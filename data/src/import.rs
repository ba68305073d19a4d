//! Applying validated facts: an upsert by natural key, in the caller's transaction. Each fact is
//! compared with what the database holds, so that importing the same files twice changes
//! nothing, not even a timestamp; with `prune`, what the files' sources state in the database
//! and the files no longer do is removed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use govgraph_entities::{Detail, NodeKind, citation, edge, external_id, node};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, IntoActiveModel, Iterable, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::facts::{Batch, CitationFact, EdgeFact, Fact, NodeFact};

/// Ids per `IN (...)` list: well under both databases' bound-parameter limits.
const CHUNK: usize = 500;

/// Bound parameters per multi-row insert. PostgreSQL plans a statement once whatever its size,
/// so it takes many (under its limit of 65,535); SQLite compiles every parameter into the
/// statement's program, which costs memory and gains nothing past a few thousand.
fn max_parameters(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Sqlite => 3_000,
        _ => 30_000,
    }
}

/// The most rows of each change a summary names; it counts them all.
pub const NAMED: usize = 1_000;

/// Rows changed in one way: how many, and the labels of the first [`NAMED`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listed {
    /// How many rows.
    pub count: usize,
    /// The labels of the first rows, e.g. `event:dgx-2023`.
    pub labels: Vec<String>,
}

impl Listed {
    /// Counts a row, labelling it while fewer than [`NAMED`] are.
    fn push(&mut self, label: impl FnOnce() -> String) {
        self.count += 1;
        if self.labels.len() < NAMED {
            self.labels.push(label());
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// What an import does, or would do, to one kind of row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Rows that are new.
    pub created: Listed,
    /// Rows that differ.
    pub updated: Listed,
    /// How many rows are as the files state them already.
    pub unchanged: usize,
    /// Rows removed by `--prune`.
    pub removed: Listed,
}

impl Changes {
    /// Whether the import leaves these rows as they were.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.updated.is_empty() && self.removed.is_empty()
    }

    /// Adds the counts and labels of `other`.
    pub fn add(&mut self, other: Changes) {
        for (mine, theirs) in [
            (&mut self.created, other.created),
            (&mut self.updated, other.updated),
            (&mut self.removed, other.removed),
        ] {
            mine.count += theirs.count;
            let room = NAMED.saturating_sub(mine.labels.len());
            mine.labels.extend(theirs.labels.into_iter().take(room));
        }
        self.unchanged += other.unchanged;
    }
}

/// What an import does, or would do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Nodes, sources among them.
    pub nodes: Changes,
    /// Relationships.
    pub edges: Changes,
    /// Citations.
    pub citations: Changes,
}

impl Summary {
    /// Whether the import leaves the database as it was.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edges.is_empty() && self.citations.is_empty()
    }

    /// Adds what another import did.
    pub fn add(&mut self, other: Summary) {
        self.nodes.add(other.nodes);
        self.edges.add(other.edges);
        self.citations.add(other.citations);
    }
}

/// The most rows of each change a summary lists by name.
const LISTED: usize = 20;

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, changes) in [
            ("nodes", &self.nodes),
            ("relationships", &self.edges),
            ("citations", &self.citations),
        ] {
            writeln!(
                f,
                "{name}: {} created, {} updated, {} unchanged, {} removed",
                changes.created.count,
                changes.updated.count,
                changes.unchanged,
                changes.removed.count
            )?;
            for (verb, listed) in [
                ("create", &changes.created),
                ("update", &changes.updated),
                ("remove", &changes.removed),
            ] {
                for label in listed.labels.iter().take(LISTED) {
                    writeln!(f, "  {verb} {label}")?;
                }
                if listed.count > LISTED {
                    writeln!(f, "  … and {} more to {verb}", listed.count - LISTED)?;
                }
            }
        }
        Ok(())
    }
}

/// Whether to write, and whether to remove what the files' sources no longer state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Compute the summary and write nothing.
    pub dry_run: bool,
    /// Remove citations by the files' own sources of facts the files no longer state, and the
    /// facts that no source states any more.
    pub prune: bool,
}

/// Applies `batch` to `db` (run it in a transaction): what it changed, or with
/// `options.dry_run`, what it would change.
pub async fn apply<C: ConnectionTrait>(
    db: &C,
    batch: &Batch,
    options: Options,
) -> Result<Summary, DbErr> {
    let now = chrono::Utc::now();
    let labels = Labels::of(db, batch).await?;
    let mut summary = Summary::default();

    // Nodes and their details and external ids.
    let ids: Vec<Uuid> = batch.nodes.iter().map(NodeFact::id).collect();
    let stored =
        by_id::<node::Entity, _>(db, &ids, node::Column::Id, |n: &node::Model| n.id).await?;
    let details = stored_details(db, batch).await?;
    let external = stored_external_ids(db, &ids).await?;
    let mut new_nodes = Vec::new();
    let mut new_details = Vec::new();
    for fact in &batch.nodes {
        let id = fact.id();
        let label = || labels.node(id);
        match stored.get(&id) {
            None => {
                summary.nodes.created.push(label);
                new_nodes.push(node::Model {
                    id,
                    kind: fact.kind,
                    slug: fact.slug.clone(),
                    name: fact.name.clone(),
                    name_folded: node::fold(&fact.name),
                    summary: fact.summary.clone(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                });
                new_details.push((id, &fact.detail));
            }
            Some(row) => {
                let detail_changed = details
                    .get(&id)
                    .is_none_or(|stored| !same_detail(stored, &fact.detail, id));
                let ids_changed =
                    external.get(&id).unwrap_or(&BTreeMap::new()) != &fact.external_ids;
                let row_changed = row.name != fact.name || row.summary != fact.summary;
                if !(detail_changed || ids_changed || row_changed) {
                    summary.nodes.unchanged += 1;
                    continue;
                }
                summary.nodes.updated.push(label);
                if options.dry_run {
                    continue;
                }
                let mut update = row.clone().into_active_model();
                update.name = Set(fact.name.clone());
                update.name_folded = Set(node::fold(&fact.name));
                update.summary = Set(fact.summary.clone());
                update.updated_at = Set(now);
                update.version = Set(row.version + 1);
                update.update(db).await?;
                if detail_changed {
                    write_detail(db, id, &fact.detail, details.contains_key(&id)).await?;
                }
                if ids_changed {
                    external_id::Entity::delete_many()
                        .filter(external_id::Column::NodeId.eq(id))
                        .exec(db)
                        .await?;
                    insert_external_ids(db, id, &fact.external_ids).await?;
                }
            }
        }
    }
    if !options.dry_run {
        // In key order, so that each index page is visited once per batch.
        new_nodes.sort_by_key(|row| row.id);
        insert_all::<node::ActiveModel, _>(db, new_nodes).await?;
        insert_details(db, new_details).await?;
        for fact in batch
            .nodes
            .iter()
            .filter(|fact| !stored.contains_key(&fact.id()))
        {
            insert_external_ids(db, fact.id(), &fact.external_ids).await?;
        }
    }

    // Relationships.
    let ids: Vec<Uuid> = batch.edges.iter().map(EdgeFact::id).collect();
    let stored =
        by_id::<edge::Entity, _>(db, &ids, edge::Column::Id, |e: &edge::Model| e.id).await?;
    let mut new_edges = Vec::new();
    // Labels are written only for the first rows of each change, which a summary names.
    let mut edge_facts = HashMap::with_capacity(batch.edges.len());
    for fact in &batch.edges {
        let id = fact.id();
        let label = || labels.edge(fact);
        edge_facts.insert(id, fact);
        match stored.get(&id) {
            None => {
                summary.edges.created.push(label);
                new_edges.push(edge::Model {
                    id,
                    subject_id: fact.subject,
                    predicate: fact.predicate,
                    object_id: fact.object,
                    role: fact.role.clone(),
                    valid_from: fact.valid_from.clone(),
                    valid_to: fact.valid_to.clone(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                });
            }
            Some(row) if row.valid_to == fact.valid_to => summary.edges.unchanged += 1,
            Some(row) => {
                summary.edges.updated.push(label);
                if !options.dry_run {
                    let mut update = row.clone().into_active_model();
                    update.valid_to = Set(fact.valid_to.clone());
                    update.updated_at = Set(now);
                    update.version = Set(row.version + 1);
                    update.update(db).await?;
                }
            }
        }
    }
    if !options.dry_run {
        new_edges.sort_by_key(|row| row.id);
        insert_edges(db, new_edges, &labels).await?;
    }

    // Citations.
    let ids: Vec<Uuid> = batch.citations.iter().map(CitationFact::id).collect();
    let stored =
        by_id::<citation::Entity, _>(db, &ids, citation::Column::Id, |c: &citation::Model| c.id)
            .await?;
    let mut new_citations = Vec::new();
    for fact in &batch.citations {
        let id = fact.id();
        let label = || {
            let of = match fact.fact {
                Fact::Node(id) => labels.node(id),
                Fact::Edge(id) => edge_facts
                    .get(&id)
                    .map(|edge| labels.edge(edge))
                    .unwrap_or_default(),
            };
            format!("{} of {of}", labels.node(fact.source))
        };
        match stored.get(&id) {
            None => {
                summary.citations.created.push(label);
                new_citations.push(citation::Model {
                    id,
                    source_id: fact.source,
                    node_id: matches!(fact.fact, Fact::Node(_)).then_some(fact.fact.id()),
                    edge_id: matches!(fact.fact, Fact::Edge(_)).then_some(fact.fact.id()),
                    excerpt: fact.excerpt.clone(),
                    created_at: now,
                });
            }
            Some(row) if row.excerpt == fact.excerpt => summary.citations.unchanged += 1,
            Some(row) => {
                summary.citations.updated.push(label);
                if !options.dry_run {
                    let mut update = row.clone().into_active_model();
                    update.excerpt = Set(fact.excerpt.clone());
                    update.update(db).await?;
                }
            }
        }
    }
    if !options.dry_run {
        new_citations.sort_by_key(|row| row.id);
        insert_all::<citation::ActiveModel, _>(db, new_citations).await?;
    }

    if options.prune {
        prune(db, batch, &labels, options.dry_run, &mut summary).await?;
    }
    Ok(summary)
}

/// Removes the citations by the batch's sources that the batch does not hold, then the facts no
/// citation is left for.
async fn prune<C: ConnectionTrait>(
    db: &C,
    batch: &Batch,
    labels: &Labels,
    dry_run: bool,
    summary: &mut Summary,
) -> Result<(), DbErr> {
    let sources = batch.defined_sources();
    let kept: HashSet<Uuid> = batch.citations.iter().map(CitationFact::id).collect();
    let mut stale = Vec::new();
    for chunk in sources.chunks(CHUNK) {
        let rows = citation::Entity::find()
            .filter(citation::Column::SourceId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        stale.extend(rows.into_iter().filter(|row| !kept.contains(&row.id)));
    }
    if stale.is_empty() {
        return Ok(());
    }
    let stale_ids: HashSet<Uuid> = stale.iter().map(|row| row.id).collect();
    let facts: Vec<Fact> = stale
        .iter()
        .filter_map(|row| match (row.node_id, row.edge_id) {
            (Some(node), _) => Some(Fact::Node(node)),
            (None, Some(edge)) => Some(Fact::Edge(edge)),
            (None, None) => None,
        })
        .collect();
    // A fact goes when every citation it has is stale.
    let mut orphans = Vec::new();
    for fact in &facts {
        let column = match fact {
            Fact::Node(_) => citation::Column::NodeId,
            Fact::Edge(_) => citation::Column::EdgeId,
        };
        let others: Vec<Uuid> = citation::Entity::find()
            .select_only()
            .column(citation::Column::Id)
            .filter(column.eq(fact.id()))
            .into_tuple()
            .all(db)
            .await?;
        if others.iter().all(|id| stale_ids.contains(id)) {
            orphans.push(*fact);
        }
    }
    let edge_ids: Vec<Uuid> = orphans
        .iter()
        .filter_map(|fact| match fact {
            Fact::Edge(id) => Some(*id),
            Fact::Node(_) => None,
        })
        .collect();
    let node_ids: Vec<Uuid> = orphans
        .iter()
        .filter_map(|fact| match fact {
            Fact::Node(id) => Some(*id),
            Fact::Edge(_) => None,
        })
        .collect();
    let removed_edges =
        by_id::<edge::Entity, _>(db, &edge_ids, edge::Column::Id, |e: &edge::Model| e.id).await?;
    let mut end_labels = labels.clone();
    end_labels
        .learn(
            db,
            removed_edges
                .values()
                .flat_map(|e| [e.subject_id, e.object_id]),
        )
        .await?;
    end_labels.learn(db, node_ids.iter().copied()).await?;
    for row in &stale {
        let fact = row.node_id.or(row.edge_id).unwrap_or_default();
        summary.citations.removed.push(|| {
            format!(
                "{} of {}",
                end_labels.node(row.source_id),
                end_labels.fact(fact, &removed_edges)
            )
        });
    }
    for row in removed_edges.values() {
        summary.edges.removed.push(|| end_labels.edge_row(row));
    }
    for id in &node_ids {
        summary.nodes.removed.push(|| end_labels.node(*id));
    }
    if dry_run {
        return Ok(());
    }
    let stale: Vec<Uuid> = stale_ids.into_iter().collect();
    for chunk in stale.chunks(CHUNK) {
        citation::Entity::delete_many()
            .filter(citation::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    for chunk in edge_ids.chunks(CHUNK) {
        edge::Entity::delete_many()
            .filter(edge::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    for chunk in node_ids.chunks(CHUNK) {
        node::Entity::delete_many()
            .filter(node::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The rows of `E` with the given ids, by id.
async fn by_id<E, C>(
    db: &C,
    ids: &[Uuid],
    column: E::Column,
    id_of: impl Fn(&E::Model) -> Uuid,
) -> Result<HashMap<Uuid, E::Model>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut rows = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for row in E::find()
            .filter(column.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            rows.insert(id_of(&row), row);
        }
    }
    Ok(rows)
}

/// Inserts `rows`, skipping any whose key is taken (by another import running at once).
async fn insert_all<A, C>(db: &C, rows: Vec<<A::Entity as EntityTrait>::Model>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    // As many rows per statement as the bound parameters allow.
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (max_parameters(db.get_database_backend()) / columns).max(1);
    let rows: Vec<A> = rows
        .into_iter()
        .map(IntoActiveModel::into_active_model)
        .collect();
    for chunk in rows.chunks(per_statement) {
        A::Entity::insert_many(chunk.iter().cloned())
            .on_conflict_do_nothing()
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Inserts relationships with the kinds and names of their ends, which the database keeps on
/// each (migration 6): written here, they need no second write of the row.
async fn insert_edges<C: ConnectionTrait>(
    db: &C,
    rows: Vec<edge::Model>,
    labels: &Labels,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::{Alias, OnConflict, Query, SimpleExpr};
    const COLUMNS: [&str; 14] = [
        "id",
        "subject_id",
        "predicate",
        "object_id",
        "role",
        "valid_from",
        "valid_to",
        "created_at",
        "updated_at",
        "version",
        "subject_kind",
        "subject_name",
        "object_kind",
        "object_name",
    ];
    let end = |id: &Uuid| {
        labels
            .ends
            .get(id)
            .map(|(kind, name)| (Some(kind.as_str().to_owned()), Some(name.clone())))
            .unwrap_or((None, None))
    };
    for chunk in rows.chunks(max_parameters(db.get_database_backend()) / COLUMNS.len()) {
        let mut insert = Query::insert();
        insert
            .into_table(edge::Entity)
            .columns(COLUMNS.map(Alias::new))
            .on_conflict(OnConflict::column(edge::Column::Id).do_nothing().to_owned());
        for row in chunk {
            let (subject_kind, subject_name) = end(&row.subject_id);
            let (object_kind, object_name) = end(&row.object_id);
            let values: [SimpleExpr; 14] = [
                row.id.into(),
                row.subject_id.into(),
                sea_orm::ActiveEnum::to_value(&row.predicate).into(),
                row.object_id.into(),
                row.role.clone().into(),
                row.valid_from
                    .as_ref()
                    .map(|d| d.as_str().to_owned())
                    .into(),
                row.valid_to.as_ref().map(|d| d.as_str().to_owned()).into(),
                row.created_at.into(),
                row.updated_at.into(),
                row.version.into(),
                subject_kind.into(),
                subject_name.into(),
                object_kind.into(),
                object_name.into(),
            ];
            insert
                .values(values)
                .map_err(|error| DbErr::Custom(error.to_string()))?;
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

async fn insert_external_ids<C: ConnectionTrait>(
    db: &C,
    node: Uuid,
    ids: &BTreeMap<String, String>,
) -> Result<(), DbErr> {
    let rows = ids
        .iter()
        .map(|(scheme, value)| external_id::Model {
            scheme: scheme.clone(),
            value: value.clone(),
            node_id: node,
        })
        .collect();
    insert_all::<external_id::ActiveModel, _>(db, rows).await
}

async fn stored_external_ids<C: ConnectionTrait>(
    db: &C,
    nodes: &[Uuid],
) -> Result<HashMap<Uuid, BTreeMap<String, String>>, DbErr> {
    let mut ids: HashMap<Uuid, BTreeMap<String, String>> = HashMap::new();
    for chunk in nodes.chunks(CHUNK) {
        for row in external_id::Entity::find()
            .filter(external_id::Column::NodeId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            ids.entry(row.node_id)
                .or_default()
                .insert(row.scheme, row.value);
        }
    }
    Ok(ids)
}

/// Whether the stored detail row is the one the fact states.
fn same_detail(stored: &Detail, fact: &Detail, id: Uuid) -> bool {
    macro_rules! compare {
        ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
            match (stored, fact) {
                (Detail::None, Detail::None) => true,
                $($(
                    (Detail::$kind(stored), Detail::$kind(fact)) => {
                        let _ = stringify!($detail);
                        let mut fact = fact.clone();
                        fact.node_id = id;
                        *stored == fact
                    }
                )?)*
                _ => false,
            }
        };
    }
    govgraph_entities::for_each_kind!(compare)
}

/// The detail rows of the batch's nodes that exist, by node.
async fn stored_details<C: ConnectionTrait>(
    db: &C,
    batch: &Batch,
) -> Result<HashMap<Uuid, Detail>, DbErr> {
    let mut details = HashMap::new();
    for kind in NodeKind::iter() {
        let ids: Vec<Uuid> = batch
            .nodes
            .iter()
            .filter(|fact| fact.kind == kind)
            .map(NodeFact::id)
            .collect();
        for chunk in ids.chunks(CHUNK) {
            details.extend(details_of(db, kind, chunk).await?);
        }
    }
    Ok(details)
}

/// The detail rows of the nodes `ids`, all of `kind`, by node; `Detail::None` for each node
/// of a kind without details.
pub(crate) async fn details_of<C: ConnectionTrait>(
    db: &C,
    kind: NodeKind,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Detail>, DbErr> {
    let mut details = HashMap::with_capacity(ids.len());
    macro_rules! load {
        ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
            match kind {
                $(NodeKind::$kind => load!(@one $kind $($detail)?),)*
            }
        };
        (@one $kind:ident $detail:ident) => {
            for row in govgraph_entities::$detail::Entity::find()
                .filter(govgraph_entities::$detail::Column::NodeId.is_in(ids.iter().copied()))
                .all(db)
                .await?
            {
                details.insert(row.node_id, Detail::$kind(row));
            }
        };
        (@one $kind:ident) => {
            for id in ids {
                details.insert(*id, Detail::None);
            }
        };
    }
    govgraph_entities::for_each_kind!(load);
    Ok(details)
}

/// Inserts the detail rows of new nodes, a statement per kind and chunk.
async fn insert_details<C: ConnectionTrait>(
    db: &C,
    details: Vec<(Uuid, &Detail)>,
) -> Result<(), DbErr> {
    macro_rules! insert {
        ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
            $($(
                let rows: Vec<govgraph_entities::$detail::Model> = details
                    .iter()
                    .filter_map(|(id, detail)| match detail {
                        Detail::$kind(model) => {
                            let mut model = model.clone();
                            model.node_id = *id;
                            Some(model)
                        }
                        _ => None,
                    })
                    .collect();
                insert_all::<govgraph_entities::$detail::ActiveModel, _>(db, rows).await?;
            )?)*
        };
    }
    govgraph_entities::for_each_kind!(insert);
    Ok(())
}

/// Inserts or updates the detail row of node `id`.
async fn write_detail<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    detail: &Detail,
    exists: bool,
) -> Result<(), DbErr> {
    macro_rules! write {
        ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
            match detail {
                Detail::None => {}
                $($(
                    Detail::$kind(model) => {
                        let _ = stringify!($detail);
                        let mut model = model.clone();
                        model.node_id = id;
                        let active = model.into_active_model().reset_all();
                        if exists {
                            active.update(db).await?;
                        } else {
                            active.insert(db).await?;
                        }
                    }
                )?)*
            }
        };
    }
    govgraph_entities::for_each_kind!(write);
    Ok(())
}

/// How nodes, relationships and citations are named in a summary (`kind:slug`), and the kind
/// and name of each node, which a relationship keeps a copy of.
#[derive(Clone, Debug, Default)]
struct Labels {
    nodes: HashMap<Uuid, String>,
    ends: HashMap<Uuid, (NodeKind, String)>,
}

impl Labels {
    /// The labels of every node the batch names, from the batch and then the database.
    async fn of<C: ConnectionTrait>(db: &C, batch: &Batch) -> Result<Self, DbErr> {
        let mut labels = Self::default();
        for fact in &batch.nodes {
            labels
                .nodes
                .insert(fact.id(), reference(fact.kind, &fact.slug));
            labels
                .ends
                .insert(fact.id(), (fact.kind, fact.name.clone()));
        }
        let ends = batch.edges.iter().flat_map(|e| [e.subject, e.object]);
        let sources = batch.citations.iter().map(|c| c.source);
        labels.learn(db, ends.chain(sources)).await?;
        Ok(labels)
    }

    /// Reads the labels of `ids` not known yet.
    async fn learn<C: ConnectionTrait>(
        &mut self,
        db: &C,
        ids: impl Iterator<Item = Uuid>,
    ) -> Result<(), DbErr> {
        let unknown: Vec<Uuid> = ids
            .filter(|id| !self.nodes.contains_key(id))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for chunk in unknown.chunks(CHUNK) {
            let rows: Vec<(Uuid, NodeKind, String, String)> = node::Entity::find()
                .select_only()
                .column(node::Column::Id)
                .column(node::Column::Kind)
                .column(node::Column::Slug)
                .column(node::Column::Name)
                .filter(node::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            for (id, kind, slug, name) in rows {
                self.nodes.insert(id, reference(kind, &slug));
                self.ends.insert(id, (kind, name));
            }
        }
        Ok(())
    }

    fn node(&self, id: Uuid) -> String {
        self.nodes
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    fn edge(&self, fact: &EdgeFact) -> String {
        let mut label = format!(
            "{} {} {}",
            self.node(fact.subject),
            fact.predicate.as_str(),
            self.node(fact.object)
        );
        if let Some(role) = &fact.role {
            label.push_str(&format!(" as {role}"));
        }
        if let Some(from) = &fact.valid_from {
            label.push_str(&format!(" from {from}"));
        }
        label
    }

    fn edge_row(&self, row: &edge::Model) -> String {
        self.edge(&EdgeFact {
            subject: row.subject_id,
            predicate: row.predicate,
            object: row.object_id,
            role: row.role.clone(),
            valid_from: row.valid_from.clone(),
            valid_to: row.valid_to.clone(),
        })
    }

    fn fact(&self, id: Uuid, edges: &HashMap<Uuid, edge::Model>) -> String {
        edges
            .get(&id)
            .map_or_else(|| self.node(id), |row| self.edge_row(row))
    }
}

/// `kind:slug`, as data files write a reference.
pub fn reference(kind: NodeKind, slug: &str) -> String {
    format!("{}:{slug}", kind.as_str().to_lowercase())
}
