//! The `govgraph` command: schema export, migrations, and start-up failures.

use std::process::{Command, Output};

pub(crate) fn govgraph_with(args: &[&str], database_url: &str, envs: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govgraph"))
        .args(args)
        .env("GOVGRAPH_DATABASE_URL", database_url)
        .env("GOVGRAPH_LISTEN", "127.0.0.1:0")
        .env_remove("RUST_LOG")
        .env_remove("GOVGRAPH_LOG_FORMAT")
        .envs(envs.iter().copied())
        .output()
        .expect("govgraph runs")
}

/// Runs `govgraph generate --scale 1` on the database at `database_url`, off the async
/// runtime, and checks that it succeeded.
pub(crate) async fn generate_scale_one(database_url: &str) {
    let url = database_url.to_owned();
    let generated =
        tokio::task::spawn_blocking(move || govgraph(&["generate", "--scale", "1"], &url))
            .await
            .expect("govgraph ran");
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
}

/// Runs the `govgraph` command on the database at `database_url`, and waits for it.
fn govgraph(args: &[&str], database_url: &str) -> Output {
    govgraph_with(args, database_url, &[])
}

#[test]
fn print_schema_prints_schema_graphql() {
    let output = govgraph(&["print-schema"], "sqlite::memory:");
    assert!(output.status.success());
    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    assert_eq!(String::from_utf8_lossy(&output.stdout), file);
}

#[test]
fn a_database_that_cannot_be_opened_gives_one_clear_line_and_a_failure_exit() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("missing/dir/govgraph.db").display()
    );
    let output = govgraph(&["serve"], &url);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("govgraph: cannot open the database sqlite://"),
        "{stderr}"
    );
}

#[test]
fn a_database_password_never_appears_in_the_error() {
    let output = govgraph(
        &["migrate", "status"],
        "postgres://app:hunter2@127.0.0.1:1/govgraph",
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("postgres://app:***@127.0.0.1:1/govgraph"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn migrate_up_applies_and_status_lists_every_migration_and_down_reverts_the_last() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("govgraph.db").display()
    );
    assert!(govgraph(&["migrate", "up"], &url).status.success());
    let status = govgraph(&["migrate", "status"], &url);
    let listed = String::from_utf8_lossy(&status.stdout).into_owned();
    assert_eq!(
        listed,
        "Applied\tm20261127_000001_create_graph\n\
         Applied\tm20261127_000002_load_default_data_set\n\
         Applied\tm20261129_000003_create_search\n\
         Applied\tm20261129_000004_load_default_data_set\n\
         Applied\tm20261129_000005_count_relationships\n\
         Applied\tm20261129_000006_order_relationships\n\
         Applied\tm20261129_000007_count_graph_changes\n\
         Applied\tm20261129_000008_order_the_timeline\n\
         Applied\tm20261207_000009_record_data_sets\n\
         Applied\tm20261207_000010_defer_derived_data_in_bulk_loads\n\
         Applied\tm20261207_000011_split_insert_triggers\n"
    );
    assert!(govgraph(&["migrate", "down"], &url).status.success());
    let listed =
        String::from_utf8_lossy(&govgraph(&["migrate", "status"], &url).stdout).into_owned();
    assert!(
        listed.ends_with("Pending\tm20261207_000011_split_insert_triggers\n"),
        "{listed}"
    );
    assert!(govgraph(&["migrate", "up"], &url).status.success());
    let listed =
        String::from_utf8_lossy(&govgraph(&["migrate", "status"], &url).stdout).into_owned();
    assert!(!listed.contains("Pending"), "{listed}");
}

#[test]
fn logs_are_json_lines_when_asked_and_readable_lines_otherwise() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("govgraph.db").display()
    );
    let output = govgraph_with(
        &["migrate", "up", "--steps", "1"],
        &url,
        &[("GOVGRAPH_LOG_FORMAT", "json")],
    );
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    assert!(!lines.is_empty(), "no log lines");
    assert!(lines.iter().all(|line| line["level"] == "INFO"), "{stderr}");
    assert!(lines.iter().any(|line| {
        line["message"]
            .as_str()
            .is_some_and(|m| m.contains("m20261127_000001_create_graph"))
    }));

    let output = govgraph_with(&["migrate", "up"], &url, &[("RUST_LOG", "info")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr.lines().next().expect("a log line");
    assert!(
        serde_json::from_str::<serde_json::Value>(first).is_err(),
        "{first}"
    );
    assert!(first.contains("INFO"), "{first}");

    let quiet = govgraph_with(&["migrate", "status"], &url, &[("RUST_LOG", "error")]);
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
}

#[test]
fn version_names_the_command() {
    let output = govgraph(&["--version"], "sqlite::memory:");
    assert!(output.status.success());
    let version = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        version.trim(),
        format!("govgraph {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_database_that_refuses_connections_says_so_once() {
    let output = govgraph(
        &["migrate", "status"],
        "postgres://app@127.0.0.1:1/govgraph",
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].to_lowercase().contains("connection refused"),
        "{stderr}"
    );
    assert!(!stderr.contains("pool timed out"), "{stderr}");
}

#[test]
fn an_unknown_postgresql_database_stops_the_service_with_one_clear_line() {
    let Some(server) = crate::helpers::postgres_url() else {
        return;
    };
    let url = match server.rsplit_once('/') {
        Some((host, _)) => format!("{host}/govgraph_no_such_database"),
        None => return,
    };
    let output = govgraph(&["serve"], &url);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("does not exist"), "{stderr}");
}

#[tokio::test]
async fn a_generated_graph_leaves_planner_statistics_that_count_what_it_wrote() {
    use sea_orm::{ConnectionTrait, Database, Statement};

    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("govgraph.db").display()
    );
    generate_scale_one(&url).await;
    let db = Database::connect(&url)
        .await
        .expect("the generated database");
    // The first figure of an index's statistics is the number of rows it counted.
    let analyzed = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT tbl, max(CAST(stat AS INTEGER)) AS counted FROM sqlite_stat1 GROUP BY tbl",
        ))
        .await
        .expect("sqlite_stat1 exists");
    let counted: std::collections::HashMap<String, i64> = analyzed
        .iter()
        .map(|row| {
            (
                row.try_get("", "tbl").expect("a table"),
                row.try_get("", "counted").expect("a count"),
            )
        })
        .collect();
    // One unit of scale: 10,000 relationships and 3,390 nodes beside the data set's.
    assert!(counted.get("edge") > Some(&10_000), "{counted:?}");
    assert!(counted.get("node") > Some(&3_390), "{counted:?}");
    assert!(counted.get("citation") > Some(&13_390), "{counted:?}");
    // The load wrote through a rollback journal; the database is back in WAL mode.
    let mode: String = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA journal_mode",
        ))
        .await
        .expect("the journal mode")
        .expect("a row")
        .try_get_by_index(0)
        .expect("a mode");
    assert_eq!(mode, "wal");
    db.close().await.expect("closed");
}
