//! govgraph behind a real gateway: composed with the example partner subgraph by
//! `@apollo/composition`, served by `@graphql-hive/gateway-runtime`, queried across both.
//!
//! These tests need Node.js and the packages of `tests/federation` and
//! `examples/partner-subgraph` (`npm ci` in each; `.ci/run` does it). Without them they say so
//! and pass, except under CI, where they fail.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::TestApp;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn harness() -> PathBuf {
    Path::new(ROOT).join("tests/federation")
}

fn partner() -> PathBuf {
    Path::new(ROOT).join("examples/partner-subgraph")
}

/// Whether Node.js and the packages are there; when not, says why, and fails under CI.
fn node_ready() -> bool {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let missing = if !node {
        Some("`node` is not on PATH".to_owned())
    } else {
        [harness(), partner()]
            .into_iter()
            .find(|dir| !dir.join("node_modules").is_dir())
            .map(|dir| format!("run `npm ci` in {}", dir.display()))
    };
    match missing {
        None => true,
        Some(reason) if std::env::var_os("CI").is_some() => {
            panic!("federation tests cannot run: {reason}")
        }
        Some(reason) => {
            eprintln!("skipping a federation test: {reason}");
            false
        }
    }
}

/// A Node.js process started by a test, killed when dropped.
struct NodeProcess(Child);

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `node ARGS` in `dir` and waits (up to a minute) for the line announcing its URL.
fn start(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> (NodeProcess, String) {
    let mut child = Command::new("node")
        .args(args)
        .current_dir(dir)
        .envs(envs.iter().copied())
        .env("APOLLO_TELEMETRY_DISABLED", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let process = NodeProcess(child);
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line
                .split(" at ")
                .nth(1)
                .filter(|_| line.contains(" ready at "))
            {
                let _ = sender.send(url.trim().to_owned());
            }
        }
    });
    let url = receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("the process announced its URL");
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "{url} is not on loopback"
    );
    (process, url)
}

/// Composes the subgraphs (`name`, `url`, SDL file); the supergraph SDL, or the errors.
fn compose(subgraphs: &[(&str, &str, PathBuf)]) -> Result<String, String> {
    let args: Vec<String> = subgraphs
        .iter()
        .map(|(name, url, sdl)| format!("{name}={url}={}", sdl.display()))
        .collect();
    let output = Command::new("node")
        .arg("compose.mjs")
        .args(&args)
        .current_dir(harness())
        .output()
        .expect("compose.mjs runs");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn schema_file() -> PathBuf {
    Path::new(ROOT).join("schema.graphql")
}

#[test]
fn schema_graphql_composes_with_the_partner_subgraph() {
    if !node_ready() {
        return;
    }
    let supergraph = compose(&[
        ("govgraph", "http://127.0.0.1:4000/graphql", schema_file()),
        (
            "partner",
            "http://127.0.0.1:4001/graphql",
            partner().join("schema.graphql"),
        ),
    ])
    .unwrap_or_else(|errors| panic!("composition failed:\n{errors}"));
    assert!(supergraph.contains("enum join__Graph"), "not a supergraph");
    assert!(
        supergraph.contains("maturityScore"),
        "the partner's fields are missing"
    );
}

async fn through(gateway: &str, query: &str) -> Value {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let response: Value = client
        .post(gateway)
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("the gateway answers")
        .json()
        .await
        .expect("JSON");
    assert!(
        response.get("errors").is_none(),
        "errors through the gateway: {response:#}"
    );
    response["data"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_cross_govgraph_and_the_partner_in_both_directions_through_a_gateway() {
    if !node_ready() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_partner, partner_url) = start(&partner(), &["src/server.mjs"], &[("PORT", "0")]);
    let supergraph = compose(&[
        ("govgraph", &app.url("/graphql"), schema_file()),
        ("partner", &partner_url, partner().join("schema.graphql")),
    ])
    .unwrap_or_else(|errors| panic!("composition failed:\n{errors}"));
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("supergraph.graphql");
    std::fs::write(&file, supergraph).expect("supergraph written");
    let file = file.display().to_string();
    let (_gateway, gateway) = start(&harness(), &["gateway.mjs", &file, "0"], &[]);

    // govgraph's working group, the partner's projects, govgraph's countries leading them,
    // and the partner's scores of govgraph's member countries.
    let data = through(
        &gateway,
        r#"{
          workingGroup(slug: "world-bank-cloud-computing") {
            name
            projects { name status leadCountry { code name } }
            members { totalCount }
            coChairs { nodes { ... on Country { code maturityScore { value year } } } }
          }
        }"#,
    )
    .await;
    assert_eq!(
        data["workingGroup"],
        json!({
            "name": "World Bank Working Group on Cloud Computing",
            "projects": [
                { "name": "Sovereign Cloud Playbook", "status": "ACTIVE", "leadCountry": { "code": "JP", "name": "Japan" } },
                { "name": "Shared Landing Zone Reference Architecture", "status": "PLANNED", "leadCountry": { "code": "UY", "name": "Uruguay" } },
                { "name": "Cloud Procurement Benchmark", "status": "COMPLETED", "leadCountry": { "code": "KR", "name": "South Korea" } }
            ],
            "members": { "totalCount": 9 },
            "coChairs": { "nodes": [
                { "code": "SG", "maturityScore": { "value": 4.6, "year": 2024 } },
                { "code": "GB", "maturityScore": { "value": 4.3, "year": 2024 } }
            ] }
        })
    );

    // A country the partner has not scored: govgraph's fields, and null from the partner.
    let data = through(&gateway, r#"{ country(code: "UY") { name maturityScore { value } memberships { nodes { name } } } }"#).await;
    assert_eq!(
        data["country"],
        json!({ "name": "Uruguay", "maturityScore": null, "memberships": { "nodes": [{ "name": "World Bank Working Group on Cloud Computing" }] } })
    );
    let data = through(
        &gateway,
        "{ partnerProjects { name leadCountry { code alpha3 } } }",
    )
    .await;
    let leads: Vec<&str> = data["partnerProjects"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["leadCountry"]["alpha3"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(leads, vec!["JPN", "URY", "KOR", "SGP"]);
    app.stop().await;
}
