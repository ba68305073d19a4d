//! Runs a request with its per-request loader ([`Loaders`], which resolvers reach), the
//! batches of that loader run inside the request's own task.
//!
//! async-graphql's loader takes a batch's keys on a timer in another task; a request that takes
//! longer than the timer to resolve a list then splits its batch. Here batches run inside the
//! request's task (see [`Batches::drive`]) and take their keys once the request has had a turn
//! without asking for any: then every key of the level is in.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use govgraph_read::store::Store;
use tokio::sync::mpsc;

use crate::graph::GovGraphSchema;
use crate::graph::federation::EntityCall;
use crate::graph::loader::{Db, Loaders};
use crate::telemetry::Metrics;

/// Executes `request` on `schema` with a fresh loader over `store`: the one way to run a
/// request, since the loader's batches run inside the execution (see [`per_request`]).
pub async fn execute(
    schema: &GovGraphSchema,
    store: Store,
    metrics: Metrics,
    request: async_graphql::Request,
) -> async_graphql::Response {
    let (loaders, batches) = per_request(Db::new(store, metrics));
    let request = request.data(loaders).data(EntityCall::default());
    batches.drive(schema.execute(request)).await
}

/// The most turns a batch waits for the request to stop asking for keys.
const MAX_TURNS: usize = 64;

type Pending = BoxFuture<'static, ()>;

/// The batches of one request's loader, run inside the request's own task.
struct Batches(mpsc::UnboundedReceiver<Pending>);

/// A new loader over `db` for one request, and the batches it will create, each of which
/// takes its keys once the request has had a turn without asking for any (at most
/// [`MAX_TURNS`] turns).
fn per_request(db: Db) -> (Loaders, Batches) {
    let (sender, receiver) = mpsc::unbounded_channel::<Pending>();
    let asks = Arc::new(AtomicUsize::new(0));
    let counted = asks.clone();
    let spawn = move |batch: Pending| {
        let asks = counted.clone();
        let _ = sender.send(Box::pin(when_quiet(asks, batch)));
    };
    // The cache lives as long as the request: what one field loaded, another reuses.
    let loader = DataLoader::with_cache(db, spawn, HashMapCache::default()).delay(Duration::ZERO);
    (Loaders::new(loader, asks), Batches(receiver))
}

/// Runs `batch` once a turn passes in which `asks` does not move, or after [`MAX_TURNS`].
async fn when_quiet(asks: Arc<AtomicUsize>, batch: Pending) {
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// The keys each batch ran with, in order.
    type Seen = Arc<Mutex<Vec<Vec<u32>>>>;

    /// Batches that record the keys each was given, in the current task.
    fn recording() -> (impl Fn(Vec<u32>) -> Pending + Clone, Seen) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let batch = move |keys: Vec<u32>| -> Pending {
            let record = record.clone();
            Box::pin(async move {
                record.lock().unwrap().push(keys);
            })
        };
        (batch, seen)
    }

    #[tokio::test]
    async fn a_batch_waits_while_the_request_keeps_asking_and_runs_once_it_stops() {
        let asks = Arc::new(AtomicUsize::new(0));
        let (batch, seen) = recording();
        let quiet = when_quiet(asks.clone(), batch(vec![1, 2, 3]));
        let asking = async {
            for _ in 0..5 {
                asks.fetch_add(1, Ordering::Relaxed);
                tokio::task::yield_now().await;
                assert!(
                    seen.lock().unwrap().is_empty(),
                    "ran while keys kept coming"
                );
            }
        };
        futures_util::join!(quiet, asking);
        assert_eq!(*seen.lock().unwrap(), vec![vec![1, 2, 3]]);
    }

    #[tokio::test]
    async fn a_batch_runs_after_the_turn_bound_however_long_the_request_asks() {
        let asks = Arc::new(AtomicUsize::new(0));
        let (batch, seen) = recording();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let quiet = async {
            when_quiet(asks.clone(), batch(vec![7])).await;
            stop.store(true, Ordering::Relaxed);
        };
        let mut turns = 0;
        let asking = async {
            while !stop.load(Ordering::Relaxed) {
                asks.fetch_add(1, Ordering::Relaxed);
                turns += 1;
                tokio::task::yield_now().await;
            }
        };
        futures_util::join!(quiet, asking);
        assert_eq!(*seen.lock().unwrap(), vec![vec![7]]);
        assert!(turns <= MAX_TURNS + 2, "{turns} turns");
    }

    #[tokio::test]
    async fn a_finished_batch_lets_the_request_go_on_and_all_its_batches_run() {
        let (sender, receiver) = mpsc::unbounded_channel::<Pending>();
        let batches = Batches(receiver);
        let (answer, answered) = tokio::sync::oneshot::channel::<u32>();
        let (batch, seen) = recording();
        // The request asks for a batch and waits for its answer, which the batch sends.
        let work = async move {
            let mut answer = Some(answer);
            let first = batch(vec![1]);
            let _ = sender.send(Box::pin(async move {
                first.await;
                if let Some(answer) = answer.take() {
                    let _ = answer.send(42);
                }
            }));
            answered.await.unwrap_or_default()
        };
        assert_eq!(batches.drive(work).await, 42);
        assert_eq!(*seen.lock().unwrap(), vec![vec![1]]);
    }
}
