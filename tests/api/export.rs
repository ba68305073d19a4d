//! `govgraph export` and `GET /export/{format}`: the data-file format round-trips, ids
//! included; GraphML opens in networkx; CSV and JSON-LD hold every node and relationship.

use std::path::PathBuf;

use govgraph_migration::{Migrator, MigratorTrait};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, available};
use crate::import::DGX_2023;

/// A second source stating the event of [`DGX_2023`], so that a fact has two citations.
const ANOTHER_SOURCE: &str = r#"
[[source]]
slug = "dgx-2023-press-release"
name = "DGX 2023 press release"
source_kind = "WEB_PAGE"

[[node]]
ref = "event:dgx-2023"
name = "DGX 2023"
edition = 8
starts_on = "2023-10-02"
ends_on = "2023-10-04"
format = "IN_PERSON"
external_ids = { wikidata = "Q999999999" }
citations = [
    { source = "source:dgx-2023-report", excerpt = "The 8th Digital Government Exchange met in Singapore." },
    { source = "source:dgx-2023-press-release", excerpt = "DGX 2023 opened on 2 October." },
]
"#;

/// The default data set, DGX 2023 and its second source, served.
async fn spawn() -> (TestApp, tempfile::TempDir) {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    // One after the other: one import may define a node only once.
    for (name, text) in [("dgx-2023.toml", DGX_2023), ("press.toml", ANOTHER_SOURCE)] {
        let path: PathBuf = dir.path().join(name);
        std::fs::write(&path, text).expect("written");
        let files = govgraph_data::read_files(&[path]).expect("the file reads");
        govgraph_data::import(&app.store.db, &files, govgraph_data::Options::default())
            .await
            .expect("the file imports");
    }
    (app, dir)
}

/// The body of `GET path`, checked to be streamed with `media_type`.
async fn exported(app: &TestApp, path: &str, media_type: &str) -> String {
    let response = app
        .http
        .get(app.url(path))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let headers = response.headers();
    assert_eq!(headers["content-type"], media_type, "{path}");
    assert!(
        headers.get("content-length").is_none(),
        "{path} is not streamed"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .is_ok_and(|value| value.starts_with("attachment; filename=")),
        "{path}"
    );
    response.text().await.expect("a body")
}

async fn count(db: &TestDb, table: &str) -> usize {
    use sea_orm::ConnectionTrait as _;
    let row = db
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            db.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("counted")
        .expect("a row");
    usize::try_from(row.try_get::<i64>("", "n").expect("a count")).expect("a size")
}

/// The ```graphql blocks of the README.
fn readme_queries() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    crate::readme::examples(&readme)
}

#[tokio::test]
async fn an_export_imported_into_an_empty_database_answers_every_query_as_the_original_does() {
    let (original, dir) = spawn().await;
    let exported = exported(&original, "/export/toml", "application/toml; charset=utf-8").await;
    let file = dir.path().join("govgraph.toml");
    std::fs::write(&file, &exported).expect("written");

    // A database with the schema and nothing in it.
    let empty = TestDb::unmigrated().await;
    Migrator::up(&empty.db, None).await.expect("migrated");
    assert_eq!(count(&empty, "node").await, 0);
    let files = govgraph_data::read_files(&[file]).expect("the export reads");
    let summary = govgraph_data::import(&empty.db, &files, govgraph_data::Options::default())
        .await
        .expect("the export imports");
    assert_eq!(
        summary.nodes.created.count,
        count(&original.store, "node").await
    );
    assert_eq!(
        summary.edges.created.count,
        count(&original.store, "edge").await
    );
    assert_eq!(
        summary.citations.created.count,
        count(&original.store, "citation").await
    );
    let copy = TestApp::spawn_on(empty, |_| {}).await;

    let mut queries = readme_queries();
    assert!(queries.len() >= 7, "only {} README queries", queries.len());
    queries.push(
        r#"{ event(slug: "dgx-2023") { id name externalIds { scheme value }
             citations { excerpt source { id slug } }
             relationships(first: 10) { edges { predicate role validFrom node { id name } } } } }"#
            .to_owned(),
    );
    for query in &queries {
        let first = original.post(query, json!({})).await;
        let second = copy.post(query, json!({})).await;
        assert!(first.get("errors").is_none(), "{query}\n{first:#}");
        assert_eq!(first, second, "{query}");
    }
    // And the copy exports as the original does, byte for byte.
    let again = self::exported(&copy, "/export/toml", "application/toml; charset=utf-8").await;
    assert!(again == exported, "the copy's export differs");
    original.stop().await;
    copy.stop().await;
}

#[tokio::test]
async fn the_graphml_export_opens_in_networkx_with_every_node_and_relationship() {
    let (app, dir) = spawn().await;
    let graphml = exported(
        &app,
        "/export/graphml",
        "application/graphml+xml; charset=utf-8",
    )
    .await;
    let nodes = count(&app.store, "node").await;
    let edges = count(&app.store, "edge").await;
    let file = dir.path().join("govgraph.graphml");
    std::fs::write(&file, &graphml).expect("written");
    let script = "import sys, networkx as nx\n\
                  g = nx.read_graphml(sys.argv[1])\n\
                  e = next(d for _, _, d in g.edges(data=True) if d.get('role') == 'co-chair')\n\
                  print(g.number_of_nodes(), g.number_of_edges(), g.is_directed(), \
                  g.nodes[next(iter(g.nodes))]['kind'], e['predicate'], e['valid_from'])";
    // CI names a Python with networkx pinned; elsewhere the one on the path.
    let python = std::env::var("GOVGRAPH_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let run = std::process::Command::new(&python)
        .args(["-c", script])
        .arg(&file)
        .output();
    let missing = match &run {
        Err(error) => Some(format!("{python} does not run: {error}")),
        Ok(output) if !output.status.success() => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            stderr
                .contains("No module named 'networkx'")
                .then(|| "networkx is not installed (pip install networkx)".to_owned())
        }
        Ok(_) => None,
    };
    if !available("the GraphML test", missing) {
        app.stop().await;
        return;
    }
    let output = run.expect("python3 ran");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("{nodes} {edges} True SOURCE CO_CHAIRS 2021")
    );
    app.stop().await;
}

#[tokio::test]
async fn the_csv_exports_hold_a_row_per_node_of_each_kind_and_per_relationship() {
    let (app, _dir) = spawn().await;
    let countries = exported(&app, "/export/csv/country", "text/csv; charset=utf-8").await;
    let mut reader = csv::Reader::from_reader(countries.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header[..5],
        ["id", "ref", "name", "summary", "short_name"].map(str::to_owned)
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
    assert_eq!(rows.len(), 249);
    let bonaire = rows
        .iter()
        .find(|row| &row[1] == "country:bq")
        .expect("Bonaire");
    // A field with commas survives its quoting.
    assert_eq!(&bonaire[7], "Bonaire, Sint Eustatius and Saba");
    let id = govgraph_data::node_id(govgraph_entities::NodeKind::Country, "bq");
    assert_eq!(&bonaire[0], id.to_string());

    let relationships =
        exported(&app, "/export/csv/relationships", "text/csv; charset=utf-8").await;
    let mut reader = csv::Reader::from_reader(relationships.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
    assert_eq!(rows.len(), count(&app.store, "edge").await);
    assert!(rows.iter().any(|row| &row[1] == "country:sg"
        && &row[2] == "CO_CHAIRS"
        && &row[4] == "co-chair"
        && &row[5] == "2021"));

    let events = exported(&app, "/export/csv/event", "text/csv; charset=utf-8").await;
    let mut reader = csv::Reader::from_reader(events.as_bytes());
    let dgx = reader
        .records()
        .map(|r| r.expect("a record"))
        .find(|row| &row[1] == "event:dgx-2023")
        .expect("DGX 2023");
    assert_eq!(
        dgx.iter().rev().take(2).collect::<Vec<_>>(),
        [
            "dgx-2023-press-release; dgx-2023-report",
            "wikidata:Q999999999"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_json_ld_export_is_every_node_s_linked_data_in_one_graph() {
    let (app, _dir) = spawn().await;
    let text = exported(&app, "/export/jsonld", "application/ld+json").await;
    let document: Value = serde_json::from_str(&text).expect("JSON");
    let graph = document["@graph"].as_array().expect("a @graph");
    assert_eq!(graph.len(), count(&app.store, "node").await);
    let triples = crate::linked_data::triples(&text).await;
    crate::linked_data::in_known_vocabularies(&triples);
    assert!(
        triples.iter().any(|t| t
            .split_once(' ')
            .is_some_and(|(subject, rest)| subject.ends_with("/id/country/sg>")
                && rest == "<http://schema.org/name> \"Singapore\"")),
        "Singapore's name is not in the export: {:?}",
        triples
            .iter()
            .filter(|t| t.contains("/country/sg>"))
            .take(5)
            .collect::<Vec<_>>()
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_export_is_not_found_with_what_there_is_and_only_get_is_allowed() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(app.url("/export/xlsx"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("/export/graphml")),
        "{body}"
    );
    let response = app
        .http
        .get(app.url("/export/csv/committee"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.expect("JSON");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("working_group") && m.contains("relationships")),
        "{body}"
    );
    let response = app
        .http
        .post(app.url("/export/toml"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET");
    app.stop().await;
}

/// Asks for `GET /export/toml` over a connection with a small receive window, reads the status
/// line and then stops reading: the export's writer waits for the client, holding its slot.
async fn stalled_export(app: &TestApp) -> tokio::net::TcpStream {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("a small window");
    let mut stream = socket.connect(app.addr).await.expect("connected");
    let request = format!(
        "GET /export/toml HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        app.addr
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    let mut status = [0u8; 12];
    stream.read_exact(&mut status).await.expect("a status line");
    assert_eq!(&status, b"HTTP/1.1 200");
    stream
}

#[tokio::test]
async fn a_third_export_at_once_is_refused_with_429_and_served_once_one_ends() {
    use govgraph_api::server::export::MAX_RUNNING;
    use sea_orm::TransactionTrait as _;
    use tokio::io::AsyncReadExt as _;

    let app = TestApp::spawn().await;
    // A graph whose export is far larger than what the connections can buffer.
    let transaction = app.store.db.begin().await.expect("a transaction");
    govgraph_data::synthetic::generate(&transaction, 1)
        .await
        .expect("generated");
    transaction.commit().await.expect("committed");
    let mut stalled = Vec::new();
    for _ in 0..MAX_RUNNING {
        stalled.push(stalled_export(&app).await);
    }

    let refused = app
        .http
        .get(app.url("/export/graphml"))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "10");
    let body: Value = refused.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");

    // An export gives its slot back before its body ends: once a client has read one to the end
    // (the server closes the connection after it), the next is served.
    let mut finished = stalled.pop().expect("a stalled export");
    let mut rest = Vec::new();
    finished
        .read_to_end(&mut rest)
        .await
        .expect("the export to its end");
    let response = app
        .http
        .get(app.url("/export/graphml"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let served = response.text().await.expect("a body");
    assert_eq!(
        served.matches("<node ").count(),
        count(&app.store, "node").await
    );
    drop(stalled);
    app.stop().await;
}

#[test]
fn the_command_exports_each_format_to_a_file_or_a_directory() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("govgraph.db").display()
    );
    let quiet = [("RUST_LOG", "warn")];
    let run = |args: &[&str]| {
        let output = crate::cli::govgraph_with(args, &url, &quiet);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    };
    // Migrated by one process and filled by the next, whose connection opened before the data
    // set was imported and its statistics gathered.
    run(&["migrate", "up"]);
    run(&["import", "--default"]);
    let toml = run(&["export"]);
    let text = String::from_utf8_lossy(&toml.stdout);
    assert_eq!(text.matches("\n[[node]]\n").count(), 249 + 35);
    assert_eq!(text.matches("\n[[source]]\n").count(), 2);

    let csv_dir = dir.path().join("csv");
    let csv_dir_text = csv_dir.display().to_string();
    run(&["export", "--format", "csv", "--output", &csv_dir_text]);
    let mut files: Vec<String> = std::fs::read_dir(&csv_dir)
        .expect("the directory")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "country.csv",
            "deliverable.csv",
            "event.csv",
            "organisation.csv",
            "partnership.csv",
            "person.csv",
            "relationships.csv",
            "source.csv",
            "topic.csv",
            "working_group.csv"
        ]
    );
    let jsonld = dir.path().join("govgraph.jsonld");
    let jsonld_text = jsonld.display().to_string();
    run(&[
        "export",
        "--format",
        "jsonld",
        "--public-url",
        "https://govgraph.example.org",
        "--output",
        &jsonld_text,
    ]);
    let linked: Value =
        serde_json::from_str(&std::fs::read_to_string(&jsonld).expect("the file")).expect("JSON");
    let graph = linked["@graph"].as_array().expect("a graph");
    assert_eq!(graph.len(), 249 + 35 + 2);
    assert!(
        graph.iter().all(|document| document["@id"]
            .as_str()
            .is_some_and(|id| id.starts_with("https://govgraph.example.org/id/"))),
        "{}",
        graph[0]
    );
    assert!(
        graph
            .iter()
            .any(|document| document["@id"] == "https://govgraph.example.org/id/partnership/dgx"),
        "DGX is described"
    );

    let refused = crate::cli::govgraph_with(&["export", "--format", "csv"], &url, &quiet);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("name a directory with --output"));
}
