//! Applying validated facts: an upsert by natural key, in the caller's transaction. Each fact is
//! compared with what the database holds, so that importing the same files twice changes
//! nothing, not even a timestamp; with `prune`, what the files' sources state in the database
//! and the files no longer do is removed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::future::Future;

use govgraph_entities::{Detail, NodeKind, citation, edge, external_id, node};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, IntoActiveModel, Iterable, QueryFilter, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::arrays::ArrayInsert;
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
    if db.get_database_backend() == DbBackend::Sqlite {
        // SQLite prepares a statement against the schema its connection last read. After another
        // connection changed the schema (an `ANALYZE` that creates its statistics table, say),
        // an insert into a table with triggers fails to prepare ("no such table") when it is
        // the transaction's first statement; a read first brings the schema up to date, and the
        // transaction then keeps it.
        db.execute_unprepared("SELECT 1 FROM node LIMIT 1").await?;
    }
    let now = chrono::Utc::now();
    // Each id is a digest of the fact's natural key: computed once.
    let node_ids: Vec<Uuid> = batch.nodes.iter().map(NodeFact::id).collect();
    let labels = Labels::of(db, batch, &node_ids).await?;
    let mut summary = Summary::default();

    // Nodes and their details and external ids.
    let rows = batch
        .nodes
        .iter()
        .zip(&node_ids)
        .map(|(fact, &id)| node::Model {
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
    let (created, stored) = settle(db, rows.collect(), options.dry_run, |rows| {
        insert_nodes(db, rows)
    })
    .await?;
    let old: Vec<(Uuid, NodeKind)> = batch
        .nodes
        .iter()
        .zip(&node_ids)
        .filter(|(_, id)| !created.contains(id))
        .map(|(fact, &id)| (id, fact.kind))
        .collect();
    let details = stored_details(db, &old).await?;
    let old_ids: Vec<Uuid> = old.iter().map(|(id, _)| *id).collect();
    let external = stored_external_ids(db, &old_ids).await?;
    let mut new_details = Vec::new();
    let mut new_external_ids = Vec::new();
    for (fact, &id) in batch.nodes.iter().zip(&node_ids) {
        let label = || labels.node(id);
        if created.contains(&id) {
            summary.nodes.created.push(label);
            new_details.push((id, &fact.detail));
            new_external_ids.extend(external_ids(id, &fact.external_ids));
            continue;
        }
        // A row another import holds and this transaction cannot see is left to it.
        let Some(row) = stored.get(&id) else {
            summary.nodes.unchanged += 1;
            continue;
        };
        let detail_changed = details
            .get(&id)
            .is_none_or(|stored| !same_detail(stored, &fact.detail, id));
        let ids_changed = external.get(&id).unwrap_or(&BTreeMap::new()) != &fact.external_ids;
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
            new_external_ids.extend(external_ids(id, &fact.external_ids));
        }
    }
    if !options.dry_run {
        insert_details(db, new_details).await?;
        insert_all::<external_id::ActiveModel, _>(db, new_external_ids).await?;
    }

    // Relationships.
    let edge_ids: Vec<Uuid> = batch.edges.iter().map(EdgeFact::id).collect();
    let rows = batch
        .edges
        .iter()
        .zip(&edge_ids)
        .map(|(fact, &id)| edge::Model {
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
    let (created, stored) = settle(db, rows.collect(), options.dry_run, |rows| {
        insert_edges(db, rows, &labels)
    })
    .await?;
    // Labels are written only for the first rows of each change, which a summary names.
    let mut edge_facts = HashMap::with_capacity(batch.edges.len());
    for (fact, &id) in batch.edges.iter().zip(&edge_ids) {
        let label = || labels.edge(fact);
        edge_facts.insert(id, fact);
        if created.contains(&id) {
            summary.edges.created.push(label);
            continue;
        }
        match stored.get(&id) {
            Some(row) if row.valid_to != fact.valid_to => {
                summary.edges.updated.push(label);
                if !options.dry_run {
                    let mut update = row.clone().into_active_model();
                    update.valid_to = Set(fact.valid_to.clone());
                    update.updated_at = Set(now);
                    update.version = Set(row.version + 1);
                    update.update(db).await?;
                }
            }
            _ => summary.edges.unchanged += 1,
        }
    }

    // Citations.
    let citation_ids: Vec<Uuid> = batch.citations.iter().map(CitationFact::id).collect();
    let rows = batch
        .citations
        .iter()
        .zip(&citation_ids)
        .map(|(fact, &id)| citation::Model {
            id,
            source_id: fact.source,
            node_id: matches!(fact.fact, Fact::Node(_)).then_some(fact.fact.id()),
            edge_id: matches!(fact.fact, Fact::Edge(_)).then_some(fact.fact.id()),
            excerpt: fact.excerpt.clone(),
            created_at: now,
        });
    let (created, stored) = settle(db, rows.collect(), options.dry_run, |rows| {
        insert_citations(db, rows)
    })
    .await?;
    for (fact, &id) in batch.citations.iter().zip(&citation_ids) {
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
        if created.contains(&id) {
            summary.citations.created.push(label);
            continue;
        }
        match stored.get(&id) {
            Some(row) if row.excerpt != fact.excerpt => {
                summary.citations.updated.push(label);
                if !options.dry_run {
                    let mut update = row.clone().into_active_model();
                    update.excerpt = Set(fact.excerpt.clone());
                    update.update(db).await?;
                }
            }
            _ => summary.citations.unchanged += 1,
        }
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
    let removed_edges: HashMap<Uuid, edge::Model> = by_id(db, &edge_ids).await?;
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

/// A row kept by the id its facts derive.
trait Keyed: Sized + Send + Sync {
    /// The table.
    type Entity: EntityTrait<Model = Self>;
    /// The id's column.
    const KEY: <Self::Entity as EntityTrait>::Column;
    /// The id.
    fn key(&self) -> Uuid;
}

macro_rules! keyed {
    ($($module:ident),*) => {
        $(impl Keyed for $module::Model {
            type Entity = $module::Entity;
            const KEY: $module::Column = $module::Column::Id;
            fn key(&self) -> Uuid {
                self.id
            }
        })*
    };
}
keyed!(node, edge, citation);

/// The stored rows with the given ids, by id.
async fn by_id<M: Keyed, C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, M>, DbErr> {
    let mut rows = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for row in M::Entity::find()
            .filter(M::KEY.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            rows.insert(row.key(), row);
        }
    }
    Ok(rows)
}

/// Writes `rows` with `insert`, which skips any whose id is taken and answers the ids it wrote,
/// then reads the rows it skipped, which hold what the facts state or an older version: the ids
/// of the new rows, and the stored rows of the others by id. Only rows already there are looked
/// up, so a load into new tables reads nothing back. With `dry_run` nothing is written: every
/// row is looked up, and the new ones are those not found.
async fn settle<M, C, F, Fut>(
    db: &C,
    mut rows: Vec<M>,
    dry_run: bool,
    insert: F,
) -> Result<(HashSet<Uuid>, HashMap<Uuid, M>), DbErr>
where
    M: Keyed,
    C: ConnectionTrait,
    F: FnOnce(Vec<M>) -> Fut,
    Fut: Future<Output = Result<HashSet<Uuid>, DbErr>>,
{
    // In key order, so that each index page is visited once per batch.
    rows.sort_by_key(M::key);
    let ids: Vec<Uuid> = rows.iter().map(M::key).collect();
    if dry_run {
        let stored = by_id(db, &ids).await?;
        let created = ids.into_iter().filter(|id| !stored.contains_key(id));
        return Ok((created.collect(), stored));
    }
    let created = insert(rows).await?;
    let old: Vec<Uuid> = ids.into_iter().filter(|id| !created.contains(id)).collect();
    Ok((created, by_id(db, &old).await?))
}

/// Inserts `rows`, skipping any whose id is taken (by an earlier import, or another running at
/// once): the ids of the rows inserted.
async fn insert_new<A, C>(
    db: &C,
    rows: Vec<<A::Entity as EntityTrait>::Model>,
    key: <A::Entity as EntityTrait>::Column,
) -> Result<HashSet<Uuid>, DbErr>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (max_parameters(db.get_database_backend()) / columns).max(1);
    let mut created = HashSet::with_capacity(rows.len());
    let mut rows = rows.into_iter().map(IntoActiveModel::into_active_model);
    loop {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        if chunk.is_empty() {
            return Ok(created);
        }
        let insert = A::Entity::insert_many(chunk)
            .on_conflict_do_nothing()
            .into_query();
        run_insert(db, insert, key, &mut created).await?;
    }
}

/// Runs `insert`, adding the ids (`key`) of the rows it wrote to `created`.
async fn run_insert<C: ConnectionTrait>(
    db: &C,
    mut insert: sea_orm::sea_query::InsertStatement,
    key: impl sea_orm::sea_query::IntoColumnRef,
    created: &mut HashSet<Uuid>,
) -> Result<(), DbErr> {
    insert.returning_col(key);
    for row in db.query_all(&insert).await? {
        created.insert(row.try_get_by_index::<Uuid>(0)?);
    }
    Ok(())
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

/// Rows per statement of an [`ArrayInsert`]: its size does not grow with them, but the arrays
/// it sends do.
const ARRAY_ROWS: usize = 10_000;

/// One column of `rows`, as an array.
fn column<M, T>(rows: &[M], value: impl Fn(&M) -> T) -> sea_orm::Value
where
    T: Into<sea_orm::Value>
        + sea_orm::sea_query::value::postgres_array::NotU8
        + sea_orm::sea_query::ValueType,
{
    rows.iter().map(value).collect::<Vec<T>>().into()
}

/// When a row was created and last updated, and its version.
type Stamps = (
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
    i32,
);

impl ArrayInsert {
    /// The columns a node's or relationship's row is stamped with: `created_at`, `updated_at`
    /// and `version`, each row's from `stamps`.
    fn stamps<M>(self, rows: &[M], stamps: impl Fn(&M) -> Stamps) -> Self {
        self.column(
            "created_at",
            "timestamptz",
            column(rows, |row| stamps(row).0),
        )
        .column(
            "updated_at",
            "timestamptz",
            column(rows, |row| stamps(row).1),
        )
        .column("version", "int4", column(rows, |row| stamps(row).2))
    }
}

/// Inserts `rows` as [`insert_new`] does; on PostgreSQL as arrays, each chunk's by `arrays`.
async fn insert_as_arrays<A, C>(
    db: &C,
    rows: Vec<<A::Entity as EntityTrait>::Model>,
    key: <A::Entity as EntityTrait>::Column,
    arrays: impl Fn(&[<A::Entity as EntityTrait>::Model]) -> ArrayInsert,
) -> Result<HashSet<Uuid>, DbErr>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    if db.get_database_backend() != DbBackend::Postgres {
        return insert_new::<A, _>(db, rows, key).await;
    }
    let mut created = HashSet::with_capacity(rows.len());
    for chunk in rows.chunks(ARRAY_ROWS) {
        created.extend(arrays(chunk).run(db).await?);
    }
    Ok(created)
}

/// Inserts nodes as [`insert_new`] does.
async fn insert_nodes<C: ConnectionTrait>(
    db: &C,
    rows: Vec<node::Model>,
) -> Result<HashSet<Uuid>, DbErr> {
    insert_as_arrays::<node::ActiveModel, _>(db, rows, node::Column::Id, |chunk| {
        ArrayInsert::into("node")
            .column("id", "uuid", column(chunk, |row| row.id))
            .column(
                "kind",
                "text",
                column(chunk, |row| row.kind.as_str().to_owned()),
            )
            .column("slug", "text", column(chunk, |row| row.slug.clone()))
            .column("name", "text", column(chunk, |row| row.name.clone()))
            .column(
                "name_folded",
                "text",
                column(chunk, |row| row.name_folded.clone()),
            )
            .optional_text("summary", chunk.iter().map(|row| row.summary.clone()))
            .stamps(chunk, |row| (row.created_at, row.updated_at, row.version))
    })
    .await
}

/// Inserts citations as [`insert_new`] does.
async fn insert_citations<C: ConnectionTrait>(
    db: &C,
    rows: Vec<citation::Model>,
) -> Result<HashSet<Uuid>, DbErr> {
    insert_as_arrays::<citation::ActiveModel, _>(db, rows, citation::Column::Id, |chunk| {
        ArrayInsert::into("citation")
            .column("id", "uuid", column(chunk, |row| row.id))
            .column("source_id", "uuid", column(chunk, |row| row.source_id))
            .optional_uuid("node_id", chunk.iter().map(|row| row.node_id))
            .optional_uuid("edge_id", chunk.iter().map(|row| row.edge_id))
            .optional_text("excerpt", chunk.iter().map(|row| row.excerpt.clone()))
            .column(
                "created_at",
                "timestamptz",
                column(chunk, |row| row.created_at),
            )
    })
    .await
}

/// Inserts relationships with the kinds and names of their ends, which the database keeps on
/// each (migration 6): written here, they need no second write of the row. Skips any whose id
/// is taken, and answers the ids of those it wrote, as [`insert_new`] does.
async fn insert_edges<C: ConnectionTrait>(
    db: &C,
    rows: Vec<edge::Model>,
    labels: &Labels,
) -> Result<HashSet<Uuid>, DbErr> {
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
    if db.get_database_backend() == DbBackend::Postgres {
        let mut created = HashSet::with_capacity(rows.len());
        for chunk in rows.chunks(ARRAY_ROWS) {
            let ends: Vec<_> = chunk
                .iter()
                .map(|row| (end(&row.subject_id), end(&row.object_id)))
                .collect();
            let dates = |date: &Option<govgraph_entities::PartialDate>| {
                date.as_ref().map(|d| d.as_str().to_owned())
            };
            let insert = ArrayInsert::into("edge")
                .column("id", "uuid", column(chunk, |row| row.id))
                .column("subject_id", "uuid", column(chunk, |row| row.subject_id))
                .column(
                    "predicate",
                    "text",
                    column(chunk, |row| row.predicate.as_str().to_owned()),
                )
                .column("object_id", "uuid", column(chunk, |row| row.object_id))
                .optional_text("role", chunk.iter().map(|row| row.role.clone()))
                .optional_text("valid_from", chunk.iter().map(|row| dates(&row.valid_from)))
                .optional_text("valid_to", chunk.iter().map(|row| dates(&row.valid_to)))
                .stamps(chunk, |row| (row.created_at, row.updated_at, row.version))
                .optional_text("subject_kind", ends.iter().map(|(s, _)| s.0.clone()))
                .optional_text("subject_name", ends.iter().map(|(s, _)| s.1.clone()))
                .optional_text("object_kind", ends.iter().map(|(_, o)| o.0.clone()))
                .optional_text("object_name", ends.iter().map(|(_, o)| o.1.clone()));
            created.extend(insert.run(db).await?);
        }
        return Ok(created);
    }
    let mut created = HashSet::with_capacity(rows.len());
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
        run_insert(db, insert, edge::Column::Id, &mut created).await?;
    }
    Ok(created)
}

/// The rows of node `node`'s external ids.
fn external_ids(
    node: Uuid,
    ids: &BTreeMap<String, String>,
) -> impl Iterator<Item = external_id::Model> + '_ {
    ids.iter().map(move |(scheme, value)| external_id::Model {
        scheme: scheme.clone(),
        value: value.clone(),
        node_id: node,
    })
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

/// The stored detail rows of the nodes `nodes`, by node.
async fn stored_details<C: ConnectionTrait>(
    db: &C,
    nodes: &[(Uuid, NodeKind)],
) -> Result<HashMap<Uuid, Detail>, DbErr> {
    let mut details = HashMap::new();
    for kind in NodeKind::iter() {
        let ids: Vec<Uuid> = nodes
            .iter()
            .filter(|(_, of)| *of == kind)
            .map(|(id, _)| *id)
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
    /// The labels of every node the batch names (its own nodes' ids `ids`), from the batch and
    /// then the database.
    async fn of<C: ConnectionTrait>(db: &C, batch: &Batch, ids: &[Uuid]) -> Result<Self, DbErr> {
        let mut labels = Self::default();
        for (fact, &id) in batch.nodes.iter().zip(ids) {
            labels.nodes.insert(id, reference(fact.kind, &fact.slug));
            labels.ends.insert(id, (fact.kind, fact.name.clone()));
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
