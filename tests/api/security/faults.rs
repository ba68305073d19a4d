//! Faults: a database that goes away and comes back, ends its backends, runs out of
//! connections or is not there at start, statements that outlive their requests, and SIGTERM
//! with requests in flight. The database faults run on a PostgreSQL cluster of the test's own.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use govgraph_api::config::{DatabaseConfig, Limits};
use sea_orm::{ConnectionTrait as _, TransactionTrait as _};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::cluster::Cluster;
use super::still_serves;
use crate::helpers::{TestApp, TestDb};
use crate::process::Service;

const QUERY: &str = r#"{ country(code: "SG") { name } }"#;

/// The service over database `govgraph` of a new, running cluster, with a pool of
/// `connections` that waits `acquire` for one.
async fn serving(
    test: &str,
    connections: u32,
    acquire: Duration,
    limits: Limits,
) -> Option<(Cluster, TestApp)> {
    let mut cluster = Cluster::create(test)?;
    cluster.start();
    cluster.create_database("govgraph").await;
    let config = DatabaseConfig {
        database_max_connections: Some(connections),
        database_acquire_timeout: acquire,
        ..DatabaseConfig::new(cluster.url("govgraph"))
    };
    let store = TestDb::at(config, Some(limits.request_timeout)).await;
    let app = TestApp::spawn_on(store, |settings| settings.limits = limits).await;
    Some((cluster, app))
}

/// One request of a load: when it was sent, and its status and error code.
#[derive(Clone, Debug)]
struct Sent {
    at: Instant,
    status: u16,
    code: Option<String>,
}

async fn ask(http: &reqwest::Client, url: &str) -> Sent {
    let at = Instant::now();
    let response = http
        .post(url)
        .json(&json!({ "query": QUERY }))
        .send()
        .await
        .expect("answered in time");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("a JSON answer");
    let code = body["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned);
    if code.is_none() {
        assert_eq!(body["data"]["country"]["name"], "Singapore", "{body}");
    }
    Sent { at, status, code }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_stopped_and_restarted_under_load_fails_fast_then_serves_again_unrestarted() {
    let limits = Limits::default();
    let Some((mut cluster, app)) =
        serving("the restart test", 4, Duration::from_secs(1), limits).await
    else {
        return;
    };
    still_serves(&app).await;
    let sent = Arc::new(Mutex::new(Vec::<Sent>::new()));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let answered = Arc::new(tokio::sync::Notify::new());
    // A bounded load: four clients, each sending a request every 50 ms at most.
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (http, url, sent, stopping, answered) = (
                app.http.clone(),
                app.url("/graphql"),
                sent.clone(),
                stopping.clone(),
                answered.clone(),
            );
            tokio::spawn(async move {
                while !*stopping.borrow() {
                    let answer = ask(&http, &url).await;
                    sent.lock().unwrap().push(answer);
                    answered.notify_waiters();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        })
        .collect();
    tokio::task::block_in_place(|| cluster.stop());
    let down = Instant::now();
    // Let the load run against the stopped database until forty answers have come after the
    // first second and more than a second before now, or for four seconds at most.
    let known_down = down + Duration::from_secs(1);
    loop {
        let now = Instant::now();
        let known = match now.checked_sub(Duration::from_secs(1)) {
            Some(settled) => sent
                .lock()
                .unwrap()
                .iter()
                .filter(|s| s.at >= known_down && s.at < settled)
                .count(),
            None => 0,
        };
        let deadline = down + Duration::from_secs(4);
        if known >= 40 || Instant::now() >= deadline {
            break;
        }
        // Look again when the next answer comes, or at the deadline.
        let _ = tokio::time::timeout_at(deadline.into(), answered.notified()).await;
    }
    let up_from = Instant::now();
    tokio::task::block_in_place(|| cluster.start());
    let up = Instant::now();
    // Let the load run until every client has been answered well for a while.
    let served_again = loop {
        let first_success = sent
            .lock()
            .unwrap()
            .iter()
            .find(|s| s.at >= up && s.code.is_none())
            .map(|s| s.at);
        if let Some(at) = first_success
            && sent.lock().unwrap().iter().filter(|s| s.at >= at).count() >= 40
        {
            break at;
        }
        assert!(
            up.elapsed() < Duration::from_secs(30),
            "the service never recovered"
        );
        let deadline = up + Duration::from_secs(30);
        let _ = tokio::time::timeout_at(deadline.into(), answered.notified()).await;
    };
    let _ = stop.send(true);
    for worker in workers {
        worker.await.expect("a client ends");
    }
    let sent = sent.lock().unwrap().clone();
    // A request sent less than an acquire timeout before the database returned may still be
    // served: it was waiting for a connection. Those of the first second wait to find the
    // database gone; after that, they fail at once.
    let surely_down = up_from - Duration::from_secs(1);
    let while_down: Vec<&Sent> = sent
        .iter()
        .filter(|s| s.at >= down && s.at < surely_down)
        .collect();
    let known: usize = while_down.iter().filter(|s| s.at >= known_down).count();
    let otherwise: Vec<&&Sent> = while_down
        .iter()
        .filter(|s| s.status != 503 || s.code.as_deref() != Some("UNAVAILABLE"))
        .collect();
    assert!(
        otherwise.is_empty(),
        "while the database was down: {otherwise:?}"
    );
    // Failing fast: far more than one answer per client per acquire timeout (eight in the at most two
    // seconds the database was known to be down).
    assert!(
        known >= 40,
        "only {known} answers while the database was known to be down"
    );
    assert!(
        served_again.duration_since(up) < Duration::from_secs(10),
        "served again {:?} after the database returned",
        served_again.duration_since(up)
    );
    let after: Vec<&Sent> = sent.iter().filter(|s| s.at >= served_again).collect();
    assert!(
        after.iter().all(|s| s.status == 200 && s.code.is_none()),
        "after recovery: {after:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backends_ended_by_the_database_cost_no_request() {
    let Some((cluster, app)) = serving(
        "the terminated-backend test",
        4,
        Duration::from_secs(5),
        Limits::default(),
    )
    .await
    else {
        return;
    };
    // Open several pooled connections.
    let warm: Vec<_> = (0..8)
        .map(|_| {
            let (http, url) = (app.http.clone(), app.url("/graphql"));
            tokio::spawn(async move { ask(&http, &url).await })
        })
        .collect();
    for request in warm {
        assert_eq!(request.await.expect("answered").status, 200);
    }
    let ended = cluster
        .count(
            "postgres",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = 'govgraph' AND pid <> pg_backend_pid()",
        )
        .await;
    assert!(ended >= 1, "no pooled connection to end");
    for _ in 0..20 {
        let answer = ask(&app.http, &app.url("/graphql")).await;
        assert_eq!((answer.status, answer.code), (200, None));
    }
    app.stop().await;
}

/// Takes an exclusive lock on the `node` table, in a transaction held until dropped.
async fn lock_nodes(
    cluster: &Cluster,
) -> (sea_orm::DatabaseConnection, sea_orm::DatabaseTransaction) {
    let db = sea_orm::Database::connect(cluster.url("govgraph"))
        .await
        .expect("the cluster answers");
    let lock = db.begin().await.expect("a transaction");
    lock.execute_unprepared("LOCK TABLE node IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("locked");
    (db, lock)
}

/// Waits until `n` statements of the service wait on a lock.
async fn waiting_on_lock(cluster: &Cluster, n: i64) {
    let started = Instant::now();
    loop {
        let waiting = cluster
            .count(
                "postgres",
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = 'govgraph' AND wait_event_type = 'Lock'",
            )
            .await;
        if waiting == n {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{waiting} waiting, not {n}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_answers_unavailable_within_the_acquire_time() {
    let Some((cluster, app)) = serving(
        "the pool-exhaustion test",
        2,
        Duration::from_secs(1),
        Limits::default(),
    )
    .await
    else {
        return;
    };
    let (db, lock) = lock_nodes(&cluster).await;
    let held: Vec<_> = (0..2)
        .map(|_| {
            let (http, url) = (app.http.clone(), app.url("/graphql"));
            tokio::spawn(async move { ask(&http, &url).await })
        })
        .collect();
    waiting_on_lock(&cluster, 2).await;
    let asked = Instant::now();
    let answer = ask(&app.http, &app.url("/graphql")).await;
    let took = asked.elapsed();
    assert_eq!(
        (answer.status, answer.code.as_deref()),
        (503, Some("UNAVAILABLE"))
    );
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    lock.commit().await.expect("unlocked");
    db.close().await.expect("closed");
    for request in held {
        let answer = request.await.expect("answered");
        assert_eq!((answer.status, answer.code), (200, None));
    }
    still_serves(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_outliving_its_timed_out_request_is_cancelled_by_postgresql() {
    let limits = Limits {
        request_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let Some((cluster, app)) = serving(
        "the statement-cancel test",
        4,
        Duration::from_secs(5),
        limits,
    )
    .await
    else {
        return;
    };
    let (db, lock) = lock_nodes(&cluster).await;
    let response = app.post(QUERY, json!({})).await;
    assert_eq!(response["errors"][0]["extensions"]["code"], "TIMEOUT");
    // The lock is still held, yet no statement of the service waits on it any more.
    waiting_on_lock(&cluster, 0).await;
    lock.rollback().await.expect("unlocked");
    db.close().await.expect("closed");
    still_serves(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_started_before_its_database_waits_for_it_and_says_why_once_per_reason() {
    let Some(mut cluster) = Cluster::create("the database-down start test") else {
        return;
    };
    cluster.start();
    cluster.create_database("govgraph").await;
    cluster.stop();
    let service = Service::start_until(&cluster.url("govgraph"), &[], "is listening");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client");
    let ready = http
        .get(service.url("/readyz"))
        .send()
        .await
        .expect("answered");
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.expect("JSON");
    assert_eq!(body["failed"], "database");
    let response = http
        .post(service.url("/graphql"))
        .json(&json!({ "query": QUERY }))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAVAILABLE");

    tokio::task::block_in_place(|| cluster.start());
    let started = Instant::now();
    loop {
        let ready = http
            .get(service.url("/readyz"))
            .send()
            .await
            .expect("answered");
        if ready.status() == 200 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "never ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body: Value = http
        .post(service.url("/graphql"))
        .json(&json!({ "query": QUERY }))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["data"]["country"]["name"], "Singapore");
    let stopped = service.terminate();
    assert!(stopped.status.success());
    let waiting: Vec<&Value> = stopped
        .logs
        .iter()
        .filter(|line| {
            line["message"]
                .as_str()
                .is_some_and(|m| m.contains("cannot reach the database"))
        })
        .collect();
    // Said once per reason, not once per attempt: while the cluster boots, the reason may turn
    // from a refused connection to a database that is starting up, and that is said too.
    let reasons: Vec<String> = waiting
        .iter()
        .map(|line| line["reason"].as_str().unwrap_or_default().to_lowercase())
        .collect();
    assert!(!reasons.is_empty(), "the wait was never explained");
    assert!(
        reasons.windows(2).all(|pair| pair[0] != pair[1]),
        "a reason was repeated: {reasons:#?}"
    );
    assert!(reasons.len() <= 2, "{reasons:#?}");
    assert!(reasons[0].contains("refused"), "{reasons:#?}");
    assert!(
        reasons
            .iter()
            .all(|reason| !reason.contains("pool timed out")),
        "{reasons:#?}"
    );
}

/// Starts a request whose body is not sent yet, and returns once the server is reading it.
async fn request_in_flight(service: &Service, body: &str) -> TcpStream {
    let mut stream = TcpStream::connect(service.addr).await.expect("connected");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: govgraph\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("sent");
    // The server asks for the body once the request has reached the endpoint.
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).await.expect("100 Continue");
    assert!(
        interim.starts_with(b"HTTP/1.1 100 Continue\r\n\r\n"),
        "{:?}",
        String::from_utf8_lossy(&interim)
    );
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_turns_readiness_503_at_once_and_finishes_every_request_in_flight() {
    let store = TestDb::new().await;
    let service = Service::start(
        &store.url,
        &[
            ("GOVGRAPH_SHUTDOWN_DELAY_SECS", "2"),
            ("GOVGRAPH_SHUTDOWN_DRAIN_SECS", "30"),
            ("GOVGRAPH_BODY_READ_TIMEOUT_SECS", "60"),
        ],
    );
    let body = json!({ "query": QUERY }).to_string();
    let mut in_flight = Vec::new();
    for _ in 0..20 {
        in_flight.push(request_in_flight(&service, &body).await);
    }
    service.signal_terminate();
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let status = http
            .get(service.url("/readyz"))
            .send()
            .await
            .expect("readiness answered during the delay")
            .status();
        if status == 503 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "still ready after SIGTERM"
        );
    }
    for mut stream in in_flight {
        stream.write_all(body.as_bytes()).await.expect("body sent");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.expect("answered");
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        assert!(text.contains("Singapore"), "{text}");
    }
    let stopped = service.wait();
    assert!(stopped.status.success());
}
