//! The DataLoader plumbing shared by all domains: one loader, one key type per kind of lookup.
//!
//! Each `load` runs one statement per batch (one per distinct connection shape for link pages),
//! so a request costs a number of statements bounded by the depth of the query, not by the
//! number of rows it returns.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use govgraph_entities::edge;
use tokio::sync::mpsc;
use tracing::Instrument as _;
use uuid::Uuid;

use crate::error::ApiError;
use crate::graph::relay::Page;
use crate::store::{self, CitationRecord, LinkRow, LinkSpec, NodeRecord, Store};

/// The loader behind every batched lookup; a fresh `DataLoader` of it serves each request.
pub struct Db(pub Store);

impl Db {
    /// Runs one batch of `keys` keys of `loader` inside its span, and counts its size.
    async fn batch<T>(
        &self,
        loader: &'static str,
        keys: usize,
        work: impl Future<Output = T>,
    ) -> T {
        self.0.metrics().batch(loader, keys);
        let span = tracing::info_span!(
            target: "govgraph_api::loaders",
            "DataLoader batch",
            otel.name = format!("load {loader}"),
            govgraph.loader.name = loader,
            govgraph.loader.batch.size = i64::try_from(keys).unwrap_or(i64::MAX),
        );
        work.instrument(span).await
    }
}

/// The per-request loader resolvers reach through the context. It counts the keys asked for,
/// so that a batch can tell when the request has stopped asking.
pub struct Loaders {
    loader: DataLoader<Db, HashMapCache>,
    asks: Arc<AtomicUsize>,
}

impl Loaders {
    /// Loads one value through the batch of its key type.
    pub async fn load_one<K>(&self, key: K) -> Result<Option<<Db as Loader<K>>::Value>, ApiError>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        Db: Loader<K, Error = ApiError>,
    {
        self.asks.fetch_add(1, Ordering::Relaxed);
        self.loader.load_one(key).await
    }

    /// Loads many values through the batch of their key type.
    pub async fn load_many<K>(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<HashMap<K, <Db as Loader<K>>::Value>, ApiError>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        Db: Loader<K, Error = ApiError>,
    {
        self.asks.fetch_add(1, Ordering::Relaxed);
        self.loader.load_many(keys).await
    }
}

/// Executes `request` on `schema` with a fresh loader over `db`: the one way to run a request,
/// since the loader's batches run inside the execution (see [`per_request`]).
pub async fn execute(
    schema: &crate::graph::GovGraphSchema,
    db: Store,
    request: async_graphql::Request,
) -> async_graphql::Response {
    let (loaders, batches) = per_request(db);
    let request = request
        .data(loaders)
        .data(crate::graph::federation::EntityCall::default());
    batches.drive(schema.execute(request)).await
}

/// The most turns a batch waits for the request to stop asking for keys.
const MAX_TURNS: usize = 64;

type Batch = BoxFuture<'static, ()>;

/// The batches of one request's loader, run inside the request's own task.
struct Batches(mpsc::UnboundedReceiver<Batch>);

/// A new loader over `db` for one request, and the batches it will create.
///
/// async-graphql's loader takes a batch's keys on a timer in another task; a request that takes
/// longer than the timer to resolve a list then splits its batch. Here batches run inside the
/// request's task (see [`Batches::drive`]) and take their keys once the request has had a turn
/// without asking for any: then every key of the level is in.
fn per_request(db: Store) -> (Loaders, Batches) {
    let (sender, receiver) = mpsc::unbounded_channel::<Batch>();
    let asks = Arc::new(AtomicUsize::new(0));
    let counted = asks.clone();
    let spawn = move |batch: Batch| {
        let asks = counted.clone();
        let when_quiet = async move {
            let mut seen = asks.load(Ordering::Relaxed);
            for _ in 0..MAX_TURNS {
                tokio::task::yield_now().await;
                let now = asks.load(Ordering::Relaxed);
                if now == seen {
                    break;
                }
                seen = now;
            }
            batch.await;
        };
        // The receiver lives as long as the request; a send fails only after it has ended.
        let _ = sender.send(Box::pin(when_quiet));
    };
    // The cache lives as long as the request: what one field loaded, another reuses.
    let loader =
        DataLoader::with_cache(Db(db), spawn, HashMapCache::default()).delay(Duration::ZERO);
    (Loaders { loader, asks }, Batches(receiver))
}

impl Batches {
    /// Runs `work` (the execution of the request) and every batch its loader creates, in the
    /// current task, until `work` is done.
    async fn drive<F: Future>(mut self, work: F) -> F::Output {
        let mut work = std::pin::pin!(work);
        let mut running = FuturesUnordered::new();
        std::future::poll_fn(move |cx| {
            loop {
                if let Poll::Ready(output) = work.as_mut().poll(cx) {
                    return Poll::Ready(output);
                }
                while let Poll::Ready(Some(batch)) = self.0.poll_recv(cx) {
                    running.push(batch);
                }
                let mut finished = false;
                while let Poll::Ready(Some(())) = running.poll_next_unpin(cx) {
                    finished = true;
                }
                // A finished batch has answered `work`: let it go on at once.
                if !finished {
                    return Poll::Pending;
                }
            }
        })
        .await
    }
}

/// A node by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeById(pub Uuid);

/// A node by kind and id, as a global ID names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeOfKind(pub govgraph_entities::NodeKind, pub Uuid);

/// A relationship by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EdgeById(pub Uuid);

/// One page of one node's links.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinkPageOf {
    /// The node the links are asked of.
    pub anchor: Uuid,
    /// Which links.
    pub spec: Arc<LinkSpec>,
    /// Which page.
    pub page: Arc<Page>,
}

/// The number of one node's links.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinkCountOf {
    /// The node the links are asked of.
    pub anchor: Uuid,
    /// Which links.
    pub spec: Arc<LinkSpec>,
}

/// The citations of a node or of an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CitationsOf {
    /// Of the node with this id.
    Node(Uuid),
    /// Of the edge with this id.
    Edge(Uuid),
}

/// Groups keys by a shared part, keeping each group's other parts in order.
fn group_by<K, G: Eq + std::hash::Hash + Clone>(
    keys: &[K],
    part: impl Fn(&K) -> (G, Uuid),
) -> HashMap<G, Vec<Uuid>> {
    let mut groups: HashMap<G, Vec<Uuid>> = HashMap::new();
    for key in keys {
        let (group, id) = part(key);
        groups.entry(group).or_default().push(id);
    }
    groups
}

impl Loader<NodeById> for Db {
    type Value = Arc<NodeRecord>;
    type Error = ApiError;

    async fn load(&self, keys: &[NodeById]) -> Result<HashMap<NodeById, Self::Value>, ApiError> {
        self.batch("NodeById", keys.len(), async {
            let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
            let records = store::nodes_by_id(&self.0, None, &ids).await?;
            Ok(records
                .into_iter()
                .map(|r| (NodeById(r.node.id), Arc::new(r)))
                .collect())
        })
        .await
    }
}

impl Loader<NodeOfKind> for Db {
    type Value = Arc<NodeRecord>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[NodeOfKind],
    ) -> Result<HashMap<NodeOfKind, Self::Value>, ApiError> {
        self.batch("NodeOfKind", keys.len(), async {
            let mut found = HashMap::new();
            for (kind, ids) in group_by(keys, |k| (k.0, k.1)) {
                for record in store::nodes_by_id(&self.0, Some(kind), &ids).await? {
                    found.insert(NodeOfKind(kind, record.node.id), Arc::new(record));
                }
            }
            Ok(found)
        })
        .await
    }
}

impl Loader<EdgeById> for Db {
    type Value = Arc<edge::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[EdgeById]) -> Result<HashMap<EdgeById, Self::Value>, ApiError> {
        self.batch("EdgeById", keys.len(), async {
            let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
            let edges = store::edges_by_id(&self.0, &ids).await?;
            Ok(edges
                .into_iter()
                .map(|e| (EdgeById(e.id), Arc::new(e)))
                .collect())
        })
        .await
    }
}

impl Loader<LinkPageOf> for Db {
    type Value = Arc<Vec<LinkRow>>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[LinkPageOf],
    ) -> Result<HashMap<LinkPageOf, Self::Value>, ApiError> {
        self.batch("LinkPageOf", keys.len(), async {
            let mut pages = HashMap::new();
            let groups = group_by(keys, |k| ((k.spec.clone(), k.page.clone()), k.anchor));
            for ((spec, page), anchors) in groups {
                for (anchor, rows) in store::link_pages(&self.0, &anchors, &spec, &page).await? {
                    let key = LinkPageOf {
                        anchor,
                        spec: spec.clone(),
                        page: page.clone(),
                    };
                    pages.insert(key, Arc::new(rows));
                }
            }
            Ok(pages)
        })
        .await
    }
}

impl Loader<LinkCountOf> for Db {
    type Value = u64;
    type Error = ApiError;

    async fn load(&self, keys: &[LinkCountOf]) -> Result<HashMap<LinkCountOf, u64>, ApiError> {
        self.batch("LinkCountOf", keys.len(), async {
            let mut counts = HashMap::new();
            for (spec, anchors) in group_by(keys, |k| (k.spec.clone(), k.anchor)) {
                for (anchor, total) in store::count_links(&self.0, &anchors, &spec).await? {
                    counts.insert(
                        LinkCountOf {
                            anchor,
                            spec: spec.clone(),
                        },
                        total,
                    );
                }
            }
            Ok(counts)
        })
        .await
    }
}

impl Loader<CitationsOf> for Db {
    type Value = Arc<Vec<CitationRecord>>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[CitationsOf],
    ) -> Result<HashMap<CitationsOf, Self::Value>, ApiError> {
        self.batch("CitationsOf", keys.len(), async {
            let mut found = HashMap::new();
            let groups = group_by(keys, |k| match k {
                CitationsOf::Node(id) => (false, *id),
                CitationsOf::Edge(id) => (true, *id),
            });
            for (of_edges, facts) in groups {
                for (fact, citations) in store::citations_of(&self.0, &facts, of_edges).await? {
                    let key = if of_edges {
                        CitationsOf::Edge(fact)
                    } else {
                        CitationsOf::Node(fact)
                    };
                    found.insert(key, Arc::new(citations));
                }
            }
            Ok(found)
        })
        .await
    }
}

/// The external identifiers of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternalIdsOf(pub Uuid);

impl Loader<ExternalIdsOf> for Db {
    type Value = Arc<Vec<govgraph_entities::external_id::Model>>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[ExternalIdsOf],
    ) -> Result<HashMap<ExternalIdsOf, Self::Value>, ApiError> {
        self.batch("ExternalIdsOf", keys.len(), async {
            let nodes: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
            let found = store::external_ids_of(&self.0, &nodes).await?;
            Ok(found
                .into_iter()
                .map(|(node, ids)| (ExternalIdsOf(node), Arc::new(ids)))
                .collect())
        })
        .await
    }
}

/// A node by kind and slug.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NodeBySlug(pub govgraph_entities::NodeKind, pub String);

impl Loader<NodeBySlug> for Db {
    type Value = Arc<NodeRecord>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[NodeBySlug],
    ) -> Result<HashMap<NodeBySlug, Self::Value>, ApiError> {
        self.batch("NodeBySlug", keys.len(), async {
            let mut found = HashMap::new();
            let mut kinds: HashMap<govgraph_entities::NodeKind, Vec<String>> = HashMap::new();
            for key in keys {
                kinds.entry(key.0).or_default().push(key.1.clone());
            }
            for (kind, slugs) in kinds {
                for record in store::nodes_by_slug(&self.0, kind, &slugs).await? {
                    found.insert(NodeBySlug(kind, record.node.slug.clone()), Arc::new(record));
                }
            }
            Ok(found)
        })
        .await
    }
}

/// A country by ISO 3166-1 alpha-2 or alpha-3 code, upper case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CountryByCode(pub String);

impl Loader<CountryByCode> for Db {
    type Value = Arc<NodeRecord>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[CountryByCode],
    ) -> Result<HashMap<CountryByCode, Self::Value>, ApiError> {
        self.batch("CountryByCode", keys.len(), async {
            let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
            let mut found = HashMap::new();
            for record in store::countries_by_code(&self.0, &codes).await? {
                if let govgraph_entities::Detail::Country(country) = &record.detail {
                    let (alpha2, alpha3) = (country.alpha2.clone(), country.alpha3.clone());
                    let record = Arc::new(record);
                    found.insert(CountryByCode(alpha2), record.clone());
                    found.insert(CountryByCode(alpha3), record);
                }
            }
            Ok(found)
        })
        .await
    }
}
