//! `govgraph import`: data files validated whole before anything is written, applied as an
//! upsert by natural key, and every bad input refused with its place and the database left as
//! it was.

use std::path::{Path, PathBuf};

use govgraph_data::{ImportError, Options, Problems, Summary};
use govgraph_entities::{
    NodeKind, citation, country, deliverable, edge, event, external_id, node, organisation,
    partnership, person, source, working_group,
};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::helpers::TestDb;

/// Every row of the graph, in a stable order: two equal snapshots mean an unchanged database.
pub(crate) async fn snapshot(db: &impl ConnectionTrait) -> Vec<String> {
    async fn rows<E: EntityTrait>(db: &impl ConnectionTrait, into: &mut Vec<String>)
    where
        E::Model: std::fmt::Debug,
    {
        let mut found: Vec<String> = E::find()
            .all(db)
            .await
            .expect("rows read")
            .iter()
            .map(|row| format!("{}: {row:?}", E::default().table_name()))
            .collect();
        found.sort();
        into.extend(found);
    }
    let mut all = Vec::new();
    rows::<node::Entity>(db, &mut all).await;
    rows::<edge::Entity>(db, &mut all).await;
    rows::<citation::Entity>(db, &mut all).await;
    rows::<external_id::Entity>(db, &mut all).await;
    rows::<country::Entity>(db, &mut all).await;
    rows::<partnership::Entity>(db, &mut all).await;
    rows::<working_group::Entity>(db, &mut all).await;
    rows::<event::Entity>(db, &mut all).await;
    rows::<person::Entity>(db, &mut all).await;
    rows::<organisation::Entity>(db, &mut all).await;
    rows::<deliverable::Entity>(db, &mut all).await;
    rows::<source::Entity>(db, &mut all).await;
    all
}

/// A partner's file: a new source, an event it states, and relationships to nodes the graph
/// holds already (Singapore by its alpha-3 code).
pub(crate) const DGX_2023: &str = r#"
cites = "source:dgx-2023-report"

[[source]]
slug = "dgx-2023-report"
name = "DGX 2023 report"
source_kind = "REPORT"
published = "2023-11"

[[node]]
ref = "event:dgx-2023"
name = "DGX 2023"
edition = 8
starts_on = "2023-10-02"
ends_on = "2023-10-04"
format = "IN_PERSON"
external_ids = { wikidata = "Q999999999" }
excerpt = "The 8th Digital Government Exchange met in Singapore."

[[edge]]
subjects = ["country:SGP"]
predicate = "HOSTS"
objects = ["event:dgx-2023"]
excerpt = "The 8th Digital Government Exchange met in Singapore."

[[edge]]
subjects = ["country:gb", "country:jp"]
predicate = "PARTICIPATES_IN"
objects = ["event:dgx-2023"]
valid_from = "2023"
excerpt = "Delegations came from the United Kingdom and Japan."
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("file written");
    path
}

async fn import(db: &TestDb, paths: &[PathBuf], options: Options) -> Result<Summary, ImportError> {
    let files = govgraph_data::read_files(paths)?;
    govgraph_data::import(&db.db, &files, options).await
}

fn problems(outcome: Result<Summary, ImportError>) -> Problems {
    match outcome {
        Err(ImportError::Invalid(problems)) => problems,
        Err(other) => panic!("not a problem with the files: {other}"),
        Ok(summary) => panic!("the import went through:\n{summary}"),
    }
}

#[tokio::test]
async fn importing_a_file_twice_changes_nothing_the_second_time() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = write(dir.path(), "dgx-2023.toml", DGX_2023);

    let first = import(&db, std::slice::from_ref(&file), Options::default())
        .await
        .expect("the file imports");
    assert_eq!(
        first.nodes.created.labels,
        ["source:dgx-2023-report", "event:dgx-2023"]
    );
    assert_eq!(
        first.edges.created.labels,
        [
            "country:sg HOSTS event:dgx-2023",
            "country:gb PARTICIPATES_IN event:dgx-2023 from 2023",
            "country:jp PARTICIPATES_IN event:dgx-2023 from 2023",
        ]
    );
    // Two nodes and three relationships, and the source citing itself.
    assert_eq!(first.citations.created.count, 2 + 3);
    let after_first = snapshot(&db.db).await;

    let second = import(&db, &[file], Options::default())
        .await
        .expect("the file imports again");
    assert!(second.is_empty(), "{second}");
    assert_eq!(second.nodes.unchanged, 2);
    assert_eq!(second.edges.unchanged, 3);
    assert_eq!(second.citations.unchanged, 5);
    assert_eq!(snapshot(&db.db).await, after_first);
}

#[tokio::test]
async fn what_an_import_states_is_what_the_api_answers() {
    let app = crate::helpers::TestApp::spawn().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = write(dir.path(), "dgx-2023.toml", DGX_2023);
    let files = govgraph_data::read_files(&[file]).expect("the file reads");
    govgraph_data::import(&app.store.db, &files, Options::default())
        .await
        .expect("the file imports");
    let data = app
        .data(
            r#"{ event(slug: "dgx-2023") { name edition startsOn endsOn format
                 externalIds { scheme value }
                 citations { excerpt source { slug } } } }"#,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        data["event"],
        serde_json::json!({
            "name": "DGX 2023",
            "edition": 8,
            "startsOn": "2023-10-02",
            "endsOn": "2023-10-04",
            "format": "IN_PERSON",
            "externalIds": [{ "scheme": "wikidata", "value": "Q999999999" }],
            "citations": [{
                "excerpt": "The 8th Digital Government Exchange met in Singapore.",
                "source": { "slug": "dgx-2023-report" }
            }]
        })
    );
    app.stop().await;
}

#[tokio::test]
async fn a_dry_run_reports_what_it_would_do_and_writes_nothing() {
    let db = TestDb::new().await;
    let before = snapshot(&db.db).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = write(dir.path(), "dgx-2023.toml", DGX_2023);
    let options = Options {
        dry_run: true,
        prune: false,
    };
    let summary = import(&db, &[file], options).await.expect("a dry run");
    assert_eq!(summary.nodes.created.count, 2);
    assert_eq!(summary.edges.created.count, 3);
    assert_eq!(snapshot(&db.db).await, before);
}

#[tokio::test]
async fn a_changed_fact_is_updated_in_place_and_prune_removes_only_what_the_file_s_sources_no_longer_state()
 {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = write(dir.path(), "dgx-2023.toml", DGX_2023);
    import(&db, std::slice::from_ref(&file), Options::default())
        .await
        .expect("the file imports");

    // The event is renamed, and Japan's participation is no longer stated.
    let edited = DGX_2023
        .replace(
            "name = \"DGX 2023\"",
            "name = \"Digital Government Exchange 2023\"",
        )
        .replace("[\"country:gb\", \"country:jp\"]", "[\"country:gb\"]");
    write(dir.path(), "dgx-2023.toml", &edited);
    let kept = import(&db, std::slice::from_ref(&file), Options::default())
        .await
        .expect("the edit imports");
    assert_eq!(kept.nodes.updated.labels, ["event:dgx-2023"]);
    assert!(
        kept.edges.removed.is_empty(),
        "without --prune nothing goes"
    );
    let event = node::Entity::find_by_id(govgraph_data::node_id(NodeKind::Event, "dgx-2023"))
        .one(&db.db)
        .await
        .expect("read")
        .expect("the event");
    assert_eq!(event.name, "Digital Government Exchange 2023");
    assert_eq!(event.version, 2);

    let prune = Options {
        dry_run: false,
        prune: true,
    };
    let pruned = import(&db, &[file], prune)
        .await
        .expect("the prune imports");
    assert_eq!(
        pruned.edges.removed.labels,
        ["country:jp PARTICIPATES_IN event:dgx-2023 from 2023"]
    );
    assert_eq!(pruned.citations.removed.count, 1);
    assert!(pruned.nodes.removed.is_empty());
    // The article's facts, stated by another source, are untouched.
    let edges = edge::Entity::find().all(&db.db).await.expect("edges");
    let japan = govgraph_data::node_id(NodeKind::Country, "jp");
    assert!(edges.iter().any(|e| e.subject_id == japan));
}

/// Bad files, each with what it is and the problems it must give.
/// A problem a bad file must give: its line, the end of its field, and words of its message.
type Expected = (usize, &'static str, &'static str);

fn bad_files() -> Vec<(&'static str, String, Vec<Expected>)> {
    let edge_to = |objects: &str| {
        format!(
            "cites = \"source:dgx-brings-govtech-community-together\"\n\
             [[edge]]\nsubjects = [\"country:sg\"]\npredicate = \"HOSTS\"\n\
             objects = [{objects}]\nexcerpt = \"x\"\n"
        )
    };
    vec![
        (
            "a syntax error",
            "[[node]]\nref = \"topic:ai\"\nname = \"AI\nsummary = 1\n".to_owned(),
            vec![(3, "", "not valid TOML")],
        ),
        (
            "a truncated file",
            DGX_2023[..DGX_2023.find("format =").expect("format")].to_owned() + "format = \"IN_",
            vec![(16, "", "not valid TOML")],
        ),
        (
            "an unknown kind",
            "cites = \"source:iso-3166-1\"\n[[node]]\nref = \"committee:x\"\nname = \"X\"\n"
                .to_owned(),
            vec![(3, "ref", "`working_group`")],
        ),
        (
            "an unknown predicate",
            edge_to("\"event:dgx-2022\"").replace("HOSTS", "HOSTED"),
            vec![(4, "predicate", "`HAS_WORKING_GROUP`")],
        ),
        (
            "a predicate between the wrong kinds",
            edge_to("\"topic:artificial-intelligence\""),
            vec![(4, "predicate", "HOSTS cannot join `country:sg` to `topic:")],
        ),
        (
            "a node that does not exist",
            edge_to("\"event:dgx-2031\""),
            vec![(
                5,
                "objects",
                "`event:dgx-2031` is neither in the files nor in the graph",
            )],
        ),
        (
            "duplicate slugs",
            "cites = \"source:iso-3166-1\"\n[[node]]\nref = \"topic:x\"\nname = \"X\"\n\
             [[node]]\nref = \"topic:x\"\nname = \"Y\"\n"
                .to_owned(),
            vec![(5, "topic:x", "is defined twice: first at")],
        ),
        (
            "an invalid date",
            DGX_2023.replace("2023-10-04", "2023-02-30"),
            vec![(15, "ends_on", "`2023-02-30` is not a date")],
        ),
        (
            "a validity range that ends before it starts",
            edge_to("\"event:dgx-2022\"") + "valid_from = \"2022\"\nvalid_to = \"2021\"\n",
            vec![(8, "valid_to", "before the start")],
        ),
        (
            "a missing source",
            DGX_2023.replace(
                "cites = \"source:dgx-2023-report\"",
                "cites = \"source:nowhere\"",
            ),
            vec![(
                2,
                "cites",
                "`source:nowhere` is neither in the files nor in the graph",
            )],
        ),
        (
            "a blank excerpt",
            DGX_2023.replacen(
                "excerpt = \"The 8th Digital Government Exchange met in Singapore.\"",
                "excerpt = \"  \"",
                1,
            ),
            vec![(18, "excerpt", "the excerpt is blank")],
        ),
        (
            "a field of another kind",
            "cites = \"source:iso-3166-1\"\n[[node]]\nref = \"topic:x\"\nname = \"X\"\n\
             edition = 3\n"
                .to_owned(),
            vec![(5, "edition", "does not apply to a topic")],
        ),
    ]
}

#[tokio::test]
async fn every_bad_file_is_refused_with_its_place_and_the_database_is_left_as_it_was() {
    let db = TestDb::new().await;
    let before = snapshot(&db.db).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    for (case, text, expected) in bad_files() {
        let file = write(dir.path(), "bad.toml", &text);
        let found = problems(import(&db, &[file], Options::default()).await);
        for (line, field, words) in &expected {
            assert!(
                found.iter().any(|problem| problem.place.line == *line
                    && problem.place.file.ends_with("bad.toml")
                    && problem.field.ends_with(field)
                    && problem.message.contains(words)),
                "{case}: no problem at line {line}, field `{field}`, saying `{words}`:\n{found}"
            );
        }
        assert_eq!(
            snapshot(&db.db).await,
            before,
            "{case}: the database changed"
        );
    }
}

#[tokio::test]
async fn a_file_that_is_not_utf8_or_too_large_is_refused_before_it_is_read_whole() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let latin1 = dir.path().join("latin1.toml");
    std::fs::write(
        &latin1,
        b"cites = \"source:x\"\n[[node]]\nname = \"Jo\xe3o\"\n",
    )
    .expect("written");
    let found = govgraph_data::read_files(&[latin1]).expect_err("not UTF-8");
    assert_eq!(found.0[0].place.line, 3);
    assert!(found.0[0].message.contains("not UTF-8"), "{found}");

    // A sparse file of 2 GB: its size is refused from its metadata, with nothing read.
    let huge = dir.path().join("huge.toml");
    std::fs::File::create(&huge)
        .and_then(|file| file.set_len(2 * 1024 * 1024 * 1024))
        .expect("a sparse file");
    let found = govgraph_data::read_files(&[huge]).expect_err("too large");
    assert!(
        found.0[0].message.contains("holds 2147483648 bytes"),
        "{found}"
    );
}

#[tokio::test]
async fn every_problem_of_every_file_is_reported_at_once() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let first = write(
        dir.path(),
        "first.toml",
        &DGX_2023
            .replace("2023-10-04", "2023-13")
            .replace("\"HOSTS\"", "\"HOST\""),
    );
    let second = write(
        dir.path(),
        "second.toml",
        "cites = \"source:iso-3166-1\"\n[[node]]\nref = \"topic:Bad Slug\"\nname = \"X\"\n",
    );
    let found = problems(import(&db, &[first, second], Options::default()).await);
    let places: Vec<(String, usize)> = found
        .iter()
        .map(|p| {
            let file = Path::new(&p.place.file)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            (file, p.place.line)
        })
        .collect();
    assert_eq!(
        places,
        [
            ("first.toml".to_owned(), 15),
            ("first.toml".to_owned(), 22),
            ("second.toml".to_owned(), 3)
        ],
        "{found}"
    );
}

#[tokio::test]
async fn an_edited_default_data_set_reaches_a_database_made_by_an_earlier_version() {
    let db = TestDb::new().await;
    let current = snapshot(&db.db).await;
    // As an earlier version left it: another name for DGX 2022, a relationship the data set
    // no longer states, and that version's digest.
    let dgx = govgraph_data::node_id(NodeKind::Event, "dgx-2022");
    let backend = db.db.get_database_backend();
    let rename = sea_orm::Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => "UPDATE node SET name = 'DGX 22' WHERE id = $1",
            _ => "UPDATE node SET name = 'DGX 22' WHERE id = ?",
        },
        [dgx.into()],
    );
    db.db.execute_raw(rename).await.expect("renamed");
    let file = r#"
        cites = "source:dgx-brings-govtech-community-together"
        [[edge]]
        subjects = ["country:fr"]
        predicate = "HOSTS"
        objects = ["event:dgx-2022"]
        excerpt = "France"
    "#;
    let files = vec![govgraph_data::read::parse_text("old.toml", file).expect("reads")];
    govgraph_data::import(&db.db, &files, Options::default())
        .await
        .expect("the old fact imports");
    db.db
        .execute_unprepared("UPDATE data_set SET digest = 'an earlier version'")
        .await
        .expect("digest set");
    assert_ne!(snapshot(&db.db).await, current);

    let summary = govgraph_data::default::bring_up_to_date(&db.db)
        .await
        .expect("the default data set imports")
        .expect("a newer version is imported");
    assert_eq!(summary.nodes.updated.labels, ["event:dgx-2022"]);
    assert_eq!(
        summary.edges.removed.labels,
        ["country:fr HOSTS event:dgx-2022"]
    );
    let digest = govgraph_data::default::recorded_digest(&db.db, govgraph_data::default::NAME)
        .await
        .expect("read");
    assert_eq!(digest, Some(govgraph_data::default::digest()));
    // Everything but the event's version and time of update is as a new database has it.
    let dgx_row = |rows: &[String]| {
        rows.iter()
            .filter(|row| !row.contains(&dgx.to_string()) || !row.starts_with("node:"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(dgx_row(&snapshot(&db.db).await), dgx_row(&current));
    // Up to date now: the next start imports nothing.
    assert!(
        govgraph_data::default::bring_up_to_date(&db.db)
            .await
            .expect("checked")
            .is_none()
    );
}

#[test]
fn the_command_prints_each_problem_on_a_line_of_its_own_and_fails() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("govgraph.db").display()
    );
    let file = write(
        dir.path(),
        "bad.toml",
        &DGX_2023.replace("\"HOSTS\"", "\"HOST\""),
    );
    let file = file.display().to_string();
    let quiet = [("RUST_LOG", "warn")];
    let output = crate::cli::govgraph_with(&["import", &file], &url, &quiet);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with(&format!(
            "{file}:22:1: edge #1 (HOST).predicate: `HOST` is not a predicate"
        )),
        "{stderr}"
    );
    assert_eq!(
        lines[1],
        "govgraph: 1 problem(s) in the data files; nothing was written"
    );

    let good = write(dir.path(), "good.toml", DGX_2023)
        .display()
        .to_string();
    let dry = crate::cli::govgraph_with(&["import", "--dry-run", &good], &url, &quiet);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        stdout.contains("nodes: 2 created, 0 updated, 0 unchanged, 0 removed"),
        "{stdout}"
    );
    assert!(stdout.contains("  create event:dgx-2023"), "{stdout}");
    assert!(stdout.contains("dry run: nothing was written"), "{stdout}");
}
