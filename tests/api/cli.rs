//! The `govgraph` command: schema export, migrations, and start-up failures.

use std::process::{Command, Output};

fn govgraph(args: &[&str], database_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govgraph"))
        .args(args)
        .env("GOVGRAPH_DATABASE_URL", database_url)
        .env("GOVGRAPH_LISTEN", "127.0.0.1:0")
        .env_remove("RUST_LOG")
        .output()
        .expect("govgraph runs")
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
        "Applied\tm20261127_000001_create_graph\nApplied\tm20261127_000002_load_default_data_set\n"
    );
    assert!(govgraph(&["migrate", "down"], &url).status.success());
    let listed =
        String::from_utf8_lossy(&govgraph(&["migrate", "status"], &url).stdout).into_owned();
    assert!(
        listed.ends_with("Pending\tm20261127_000002_load_default_data_set\n"),
        "{listed}"
    );
}
