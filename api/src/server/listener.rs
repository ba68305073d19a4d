//! Accepting connections and serving HTTP/1.1 and HTTP/2 on them, with the bounds that keep a
//! slow or idle client from holding the server: a deadline for each request's headers, a limit
//! on idle time, a cap on connections and on concurrent HTTP/2 streams, and a drain with a
//! deadline at shutdown.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::config::HttpConfig;

/// The largest HTTP/2 header list a client may send, as Apollo Router allows.
const MAX_HEADER_LIST_BYTES: u32 = 16 * 1024;

/// The largest HTTP/1.1 header section a client may send.
const MAX_HEADER_BUFFER_BYTES: usize = 64 * 1024;

/// The endpoint a listener serves.
pub type App = Arc<poem::endpoint::BoxEndpoint<'static, poem::Response>>;

/// Requests in flight on one connection, and when the last one ended.
struct Activity {
    in_flight: AtomicUsize,
    since: std::sync::Mutex<Instant>,
    quiet: Notify,
}

impl Activity {
    fn new() -> Self {
        Self {
            in_flight: AtomicUsize::new(0),
            since: std::sync::Mutex::new(Instant::now()),
            quiet: Notify::new(),
        }
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.quiet.notify_waiters();
        InFlight(self.clone())
    }

    /// Resolves once no request has been in flight for `idle`.
    async fn idle_for(&self, idle: Duration) {
        loop {
            // Listen before looking, so that a request ending in between is not missed.
            let changed = self.quiet.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let busy = self.in_flight.load(Ordering::Acquire) > 0;
            let since = self
                .since
                .lock()
                .map(|since| *since)
                .unwrap_or_else(|_| Instant::now());
            if !busy && since.elapsed() >= idle {
                return;
            }
            if busy {
                changed.await;
            } else {
                tokio::select! {
                    () = tokio::time::sleep_until(since + idle) => {}
                    () = changed => {}
                }
            }
        }
    }
}

/// A request in flight; its end is counted when dropped.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut since) = self.0.since.lock() {
            *since = Instant::now();
        }
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.quiet.notify_waiters();
    }
}

/// Serves one connection until it closes, goes idle, or the server stops.
async fn connection(
    stream: TcpStream,
    local: SocketAddr,
    remote: SocketAddr,
    app: App,
    http: HttpConfig,
    mut stopping: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let counted = activity.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let app = app.clone();
        let in_flight = counted.begin();
        async move {
            let request = poem::Request::from((
                request,
                LocalAddr(Addr::SocketAddr(local)),
                RemoteAddr(Addr::SocketAddr(remote)),
                poem::http::uri::Scheme::HTTP,
            ));
            let response = app.get_response(request).await;
            drop(in_flight);
            Ok::<_, Infallible>(hyper::Response::from(response))
        }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(http.header_read_timeout)
        .max_buf_size(MAX_HEADER_BUFFER_BYTES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(http.http2_max_streams)
        .max_header_list_size(MAX_HEADER_LIST_BYTES)
        .max_pending_accept_reset_streams(20);
    let served = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(served);
    let idle = tokio::select! {
        _ = served.as_mut() => return,
        _ = stopping.wait_for(|stopping| *stopping) => false,
        () = activity.idle_for(http.idle_timeout) => true,
    };
    // Finish the requests in flight, then close. At shutdown the server's drain deadline bounds
    // this; an idle connection gets as long again to say goodbye (an HTTP/2 client must answer
    // the closing PING), then is dropped.
    served.as_mut().graceful_shutdown();
    if idle {
        let _ = tokio::time::timeout(http.idle_timeout, served).await;
    } else {
        let _ = served.await;
    }
}

/// A listener serving an endpoint in the background.
pub struct Serving {
    /// The address it listens on.
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// Binds `listen` (port 0 picks a free port) and serves `app` on it in the background.
pub async fn serve(listen: SocketAddr, app: App, http: HttpConfig) -> io::Result<Serving> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopping) = watch::channel(false);
    let task = tokio::spawn(accept(listener, app, http, stopping));
    Ok(Serving { addr, stop, task })
}

async fn accept(
    listener: TcpListener,
    app: App,
    http: HttpConfig,
    mut stopping: watch::Receiver<bool>,
) {
    let local = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let permits = Arc::new(Semaphore::new(http.max_connections.max(1)));
    let mut connections = JoinSet::new();
    loop {
        // Past the cap, connections wait in the listen backlog until one closes.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = stopping.wait_for(|stopping| *stopping) => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopping.wait_for(|stopping| *stopping) => break,
        };
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
        let (stream, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, or a connection reset before it was accepted: the
                // listener itself is fine.
                tracing::debug!(error = %error, "a connection could not be accepted");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let stopping = stopping.clone();
        connections.spawn(async move {
            connection(stream, local, remote, app, http, stopping).await;
            drop(permit);
        });
    }
    drop(listener);
    let drained = tokio::time::timeout(http.shutdown_drain, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            connections = connections.len(),
            "requests still in flight when the drain time ended; closing their connections"
        );
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
}

impl Serving {
    /// Stops accepting connections, lets requests in flight finish within the drain time, and
    /// waits for the end.
    pub async fn stop(self) -> io::Result<()> {
        let _ = self.stop.send(true);
        self.task.await.map_err(io::Error::other)
    }
}
