//! The service against tools that know the specifications better than its own tests do: the
//! `graphql-http` audit of the GraphQL-over-HTTP specification, and schemathesis fuzzing every
//! root field, each answer then checked against the schema.
//!
//! The audit needs Node.js and `npm ci` in `tests/graphql-http`; the fuzzing needs schemathesis
//! installed from `tests/schemathesis/requirements.txt` into the virtual environment
//! `target/schemathesis` (or the one `GOVGRAPH_SCHEMATHESIS` names). Without them these tests say
//! so and pass, except under CI, where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{TestApp, available};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_over_http_audit_passes_in_full() {
    let harness = Path::new(ROOT).join("tests/graphql-http");
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    let missing = if !node {
        Some("`node` is not on PATH".to_owned())
    } else if !harness.join("node_modules").is_dir() {
        Some(format!("run `npm ci` in {}", harness.display()))
    } else {
        None
    };
    if !available("the graphql-http audit", missing) {
        return;
    }
    let app = TestApp::spawn().await;
    let url = app.url("/graphql");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("audit.mjs")
            .arg(url)
            .current_dir(harness)
            .output()
    })
    .await
    .expect("joined")
    .expect("the audit runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let audits: Vec<Value> = serde_json::from_slice(&output.stdout).expect("the audit's JSON");
    assert!(audits.len() >= 60, "{} audits", audits.len());
    let failed: Vec<&Value> = audits
        .iter()
        .filter(|audit| audit["status"] != "ok")
        .collect();
    // Every MUST, SHOULD and MAY of the specification that the suite audits passes.
    assert!(failed.is_empty(), "{failed:#?}");
    app.stop().await;
}

/// The virtual environment schemathesis is installed in.
fn schemathesis_home() -> PathBuf {
    std::env::var_os("GOVGRAPH_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(ROOT).join("target/schemathesis"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzing_every_root_field_gets_no_server_error_and_only_answers_the_schema_allows() {
    let home = schemathesis_home();
    let st = home.join("bin/st");
    let python = home.join("bin/python");
    let missing = (!st.is_file()).then(|| {
        format!(
            "install schemathesis: python3 -m venv {0} && {0}/bin/pip install -r tests/schemathesis/requirements.txt",
            home.display()
        )
    });
    if !available("the schemathesis fuzzing", missing) {
        return;
    }
    let app = TestApp::spawn().await;
    let work = tempfile::tempdir().expect("a scratch directory");
    let cassette = work.path().join("cassette.yaml");
    let url = app.url("/graphql");
    let (dir, cassette_path) = (work.path().to_owned(), cassette.clone());
    let run = tokio::task::spawn_blocking(move || {
        Command::new(st)
            .args([
                "run",
                &url,
                "--phases",
                "fuzzing",
                "--max-examples",
                "20",
                "--seed",
                "42",
            ])
            .args(["--workers", "1", "--checks", "status_not_5xx"])
            .args([
                "--generation-database",
                "none",
                "--no-color",
                "--report",
                "vcr",
            ])
            .arg("--report-vcr-path")
            .arg(&cassette_path)
            .env(
                "SCHEMATHESIS_HOOKS",
                Path::new(ROOT).join("tests/schemathesis/hooks.py"),
            )
            .current_dir(dir)
            .output()
    })
    .await
    .expect("joined")
    .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let extracted = Command::new(python)
        .arg(Path::new(ROOT).join("tests/schemathesis/extract.py"))
        .arg(&cassette)
        .output()
        .expect("the cassette is read");
    assert!(
        extracted.status.success(),
        "{}",
        String::from_utf8_lossy(&extracted.stderr)
    );
    let interactions: Vec<Value> = String::from_utf8_lossy(&extracted.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert!(interactions.len() >= 200, "{} requests", interactions.len());
    for interaction in &interactions {
        let status = interaction["response_status"].as_u64().expect("answered");
        assert!(status < 500, "{interaction:#}");
        let query = interaction["query"].as_str().unwrap_or_default();
        let variables = interaction.get("variables").cloned().unwrap_or(json!({}));
        let body: Value =
            serde_json::from_str(interaction["response_body"].as_str().unwrap_or_default())
                .unwrap_or_else(|_| panic!("not JSON: {interaction:#}"));
        if let Err(problem) = crate::spec::check(query, &variables, None, &body).await {
            panic!("the answer breaks the spec: {problem}\n{interaction:#}");
        }
    }
    app.stop().await;
}
