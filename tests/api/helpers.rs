//! A real server on a loopback port over a fresh database, for each test.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::Mutex;

use govgraph_api::config::{DatabaseConfig, Limits};
use govgraph_api::server::{self, RunningServer, Settings};
use govgraph_api::telemetry::Metrics;
use govgraph_entities::{NodeKind, node};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Statement,
};
use serde_json::{Value, json};

/// Where the database of a test lives, removed when the test ends.
enum Home {
    Sqlite(#[allow(dead_code, reason = "held to delete the directory on drop")] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

/// A fresh, migrated database holding the default data set, which counts its statements.
pub struct TestDb {
    pub db: DatabaseConnection,
    /// Where it is, for another process to open.
    pub url: String,
    statements: Arc<Mutex<Vec<Statement>>>,
    home: Option<Home>,
}

/// The PostgreSQL server to test against, when `GOVGRAPH_TEST_DATABASE_URL` names one.
pub fn postgres_url() -> Option<String> {
    std::env::var("GOVGRAPH_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

fn with_search_path(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3D{schema}")
}

impl TestDb {
    /// A new database: a SQLite file in a temporary directory, or a new schema on the
    /// PostgreSQL server of `GOVGRAPH_TEST_DATABASE_URL`. Migrated, so the data set is loaded.
    pub async fn new() -> Self {
        Self::with_statement_timeout(None).await
    }

    /// A new database whose connections have PostgreSQL cancel any statement running longer
    /// than `timeout`, as the service's do.
    pub async fn with_statement_timeout(timeout: Option<std::time::Duration>) -> Self {
        Self::create(true, timeout).await
    }

    /// A new database with no table in it: migrations are the test's to run.
    pub async fn unmigrated() -> Self {
        Self::create(false, None).await
    }

    async fn create(migrated: bool, timeout: Option<std::time::Duration>) -> Self {
        let (url, home) = match postgres_url() {
            Some(admin_url) => {
                let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(&admin_url)
                    .await
                    .expect("PostgreSQL answers");
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("schema created");
                admin.close().await.expect("admin connection closed");
                (
                    with_search_path(&admin_url, &schema),
                    Home::Postgres { admin_url, schema },
                )
            }
            None => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("govgraph.db").display()
                );
                (url, Home::Sqlite(dir))
            }
        };
        let config = DatabaseConfig {
            database_max_connections: Some(8),
            ..DatabaseConfig::new(url.clone())
        };
        if migrated {
            govgraph_api::db::migrate(&config)
                .await
                .expect("migrations apply");
        }
        let mut db = govgraph_api::db::connect(&config, timeout, false)
            .await
            .expect("database opens");
        let statements = Arc::new(Mutex::new(Vec::new()));
        let log = statements.clone();
        govgraph_read::store::observe_statements(&mut db, move |statement| {
            if let Ok(mut log) = log.lock() {
                log.push(statement.clone());
            }
        });
        Self {
            db,
            url,
            statements,
            home: Some(home),
        }
    }

    /// The database at `url`, which someone else made and will remove, migrated and opened
    /// with `config` for its pool.
    pub async fn at(
        config: DatabaseConfig,
        statement_timeout: Option<std::time::Duration>,
    ) -> Self {
        govgraph_api::db::migrate(&config)
            .await
            .expect("migrations apply");
        let db = govgraph_api::db::connect(&config, statement_timeout, false)
            .await
            .expect("database opens");
        Self {
            db,
            url: config.database_url.clone(),
            statements: Arc::new(Mutex::new(Vec::new())),
            home: None,
        }
    }

    /// Statements run so far.
    pub fn statements(&self) -> usize {
        self.statements.lock().map_or(0, |log| log.len())
    }

    /// The text of the statements run since the first `from`.
    pub fn statements_since(&self, from: usize) -> Vec<String> {
        self.statements_run_since(from)
            .into_iter()
            .map(|statement| statement.sql)
            .collect()
    }

    /// The node of `kind` with `slug`, which the test expects to exist.
    pub async fn node(&self, kind: NodeKind, slug: &str) -> node::Model {
        node::Entity::find()
            .filter(node::Column::Kind.eq(kind))
            .filter(node::Column::Slug.eq(slug))
            .one(&self.db)
            .await
            .expect("a query")
            .unwrap_or_else(|| panic!("the node {kind:?} {slug}"))
    }

    /// The statements run since the first `from`, with their values.
    pub fn statements_run_since(&self, from: usize) -> Vec<Statement> {
        self.statements
            .lock()
            .map(|log| log[from.min(log.len())..].to_vec())
            .unwrap_or_default()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(Home::Postgres { admin_url, schema }) = self.home.take() {
            // Drop needs no async runtime of its own caller: use a thread with its own.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async {
                    let admin = sea_orm::Database::connect(&admin_url)
                        .await
                        .map_err(std::io::Error::other)?;
                    admin
                        .execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE"))
                        .await
                        .map_err(std::io::Error::other)?;
                    admin.close().await.map_err(std::io::Error::other)
                })
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("could not drop test schema: {dropped:?}");
            }
        }
    }
}

/// The service, serving a fresh database on 127.0.0.1, stopped when dropped or by `stop`.
pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub store: TestDb,
    server: Option<RunningServer>,
}

impl TestApp {
    /// Starts the service on a free loopback port over a fresh database.
    pub async fn spawn() -> Self {
        Self::spawn_with(Limits::default()).await
    }

    /// Starts the service with the given limits.
    pub async fn spawn_with(limits: Limits) -> Self {
        Self::spawn_configured(|settings| settings.limits = limits).await
    }

    /// Starts the service with the default settings changed by `configure`.
    pub async fn spawn_configured(configure: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_on(TestDb::new().await, configure).await
    }

    /// Starts the service over `store`, with the default settings changed by `configure`.
    pub async fn spawn_on(store: TestDb, configure: impl FnOnce(&mut Settings)) -> Self {
        let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let metrics =
            Metrics::new(govgraph_api::telemetry::resource(), None).expect("metrics set up");
        let mut settings = Settings::new(Limits::default(), metrics);
        configure(&mut settings);
        let server = server::start(listen, store.db.clone(), settings)
            .await
            .expect("server starts");
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("HTTP client");
        Self {
            addr: server.addr,
            http,
            store,
            server: Some(server),
        }
    }

    /// The URL of `path` on the server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs a GraphQL request and returns the whole JSON response, checked against the spec
    /// and the schema.
    pub async fn post(&self, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables });
        let response = self
            .http
            .post(self.url("/graphql"))
            .json(&body)
            .send()
            .await
            .expect("request sent");
        assert!(response.status().is_success(), "HTTP {}", response.status());
        let text = response.text().await.expect("a response body");
        crate::spec::checked(query, &variables, None, &text).await
    }

    /// POSTs a query that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.post(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// The `extensions.code` of each error of a query that must fail.
    pub async fn error_codes(&self, query: &str, variables: Value) -> Vec<String> {
        let response = self.post(query, variables).await;
        let errors = response["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors in {response:#}"));
        errors
            .iter()
            .map(|e| {
                e["extensions"]["code"]
                    .as_str()
                    .unwrap_or("<none>")
                    .to_owned()
            })
            .collect()
    }

    /// Statements the database has run so far.
    pub fn statements(&self) -> usize {
        self.store.statements()
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("server stops cleanly");
        }
    }
}

/// `edges[].node.<field>` of a connection, as strings.
pub fn names(connection: &Value, field: &str) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("not a connection: {connection:#}"))
        .iter()
        .map(|edge| edge["node"][field].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The sorted values of `names`.
pub fn sorted(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values
}

/// Whether a component a test needs is there: `missing` says why not. Without it the test says
/// so and passes, except under CI, where it fails.
pub fn available(test: &str, missing: Option<String>) -> bool {
    match missing {
        None => true,
        Some(reason) if std::env::var_os("CI").is_some() => {
            panic!("{test} cannot run: {reason}")
        }
        Some(reason) => {
            eprintln!("skipping {test}: {reason}");
            false
        }
    }
}
