//! The per-request loader resolvers reach through the context: async-graphql's `DataLoader`
//! over the read layer's batched lookups. The request driver (`execution::batching`) creates
//! one for each request and runs its batches.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use govgraph_read::loaders::Batch;
use govgraph_read::store::Store;
use tracing::Instrument as _;

use crate::error::ApiError;
use crate::telemetry::Metrics;

/// The per-request loader; registered by the server and by tests for every request.
pub fn loader<'a>(ctx: &'a Context<'_>) -> Result<&'a Loaders, ApiError> {
    ctx.data::<Loaders>()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("no loader in the request")))
}

/// The database; registered by the server.
pub fn database<'a>(ctx: &'a Context<'_>) -> Result<&'a Store, ApiError> {
    ctx.data::<Store>()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("no database in the schema")))
}

/// The loader behind every batched lookup; a fresh `DataLoader` of it serves each request.
pub struct Db {
    store: Store,
    metrics: Metrics,
}

impl Db {
    /// The loader over `store`, counting its batches in `metrics`.
    pub fn new(store: Store, metrics: Metrics) -> Self {
        Self { store, metrics }
    }
}

impl<K> Loader<K> for Db
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Store: Batch<K>,
{
    type Value = <Store as Batch<K>>::Value;
    type Error = ApiError;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, Self::Value>, ApiError> {
        let name = <Store as Batch<K>>::NAME;
        self.metrics.batch(name, keys.len());
        let span = tracing::info_span!(
            target: "govgraph_api::loaders",
            "DataLoader batch",
            otel.name = format!("load {name}"),
            govgraph.loader.name = name,
            govgraph.loader.batch.size = i64::try_from(keys.len()).unwrap_or(i64::MAX),
        );
        self.store
            .load(keys)
            .instrument(span)
            .await
            .map_err(ApiError::from)
    }
}

/// The per-request loader resolvers reach through the context. It counts the keys asked for,
/// so that a batch can tell when the request has stopped asking.
pub struct Loaders {
    loader: DataLoader<Db, HashMapCache>,
    asks: Arc<AtomicUsize>,
}

impl Loaders {
    /// Wraps `loader`, counting every key asked of it in `asks`.
    pub fn new(loader: DataLoader<Db, HashMapCache>, asks: Arc<AtomicUsize>) -> Self {
        Self { loader, asks }
    }

    /// Loads one value through the batch of its key type.
    pub async fn load_one<K>(&self, key: K) -> Result<Option<<Db as Loader<K>>::Value>, ApiError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
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
        K: Send + Sync + Hash + Eq + Clone + 'static,
        Db: Loader<K, Error = ApiError>,
    {
        self.asks.fetch_add(1, Ordering::Relaxed);
        self.loader.load_many(keys).await
    }
}
