//! Search across every kind: what it finds (every node, by words of its name or summary, whatever
//! their accents; countries by their codes and names; nodes by their acronyms), how it ranks,
//! pages and highlights, that any text is safe, that the index follows every write, and what a
//! search costs in statements.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use govgraph_data::node_id;
use govgraph_entities::{NodeKind, country, external_id, node, working_group};
use govgraph_migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestDb};

const SEARCH: &str = r#"
query Search($text: String!, $kinds: [NodeKind!], $first: Int, $after: String) {
  search(text: $text, kinds: $kinds, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      score
      snippet { text highlighted }
      node { __typename kind slug name ... on Country { code } }
    }
  }
}"#;

/// The `search` connection for `text` among `kinds` (every kind when null).
async fn search(app: &TestApp, text: &str, kinds: Value) -> Value {
    let data = app
        .data(
            SEARCH,
            json!({ "text": text, "kinds": kinds, "first": 100 }),
        )
        .await;
    data["search"].clone()
}

/// The names of the nodes a search found, best first.
async fn found(app: &TestApp, text: &str) -> Vec<String> {
    hit_names(&search(app, text, Value::Null).await)
}

fn hit_names(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("not a connection: {connection:#}"))
        .iter()
        .map(|edge| edge["node"]["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// `text` with the accents of Latin letters dropped, as a person without them would type it.
fn without_accents(text: &str) -> String {
    const ACCENTED: [(&str, char); 12] = [
        ("àáâãäåāă", 'a'),
        ("çćč", 'c'),
        ("èéêëēė", 'e'),
        ("ìíîïī", 'i'),
        ("ñń", 'n'),
        ("òóôõöō", 'o'),
        ("ùúûüū", 'u'),
        ("ýÿ", 'y'),
        ("ÅÁÀÂÄ", 'A'),
        ("ÉÈ", 'E'),
        ("ÖÓ", 'O'),
        ("Ü", 'U'),
    ];
    text.chars()
        .map(|c| {
            ACCENTED
                .iter()
                .find(|(accented, _)| accented.contains(c))
                .map_or(c, |(_, plain)| *plain)
        })
        .collect()
}

/// The longest word (run of letters and digits) of `text`.
fn longest_word(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .fold("", |longest, word| {
            if word.chars().count() > longest.chars().count() {
                word
            } else {
                longest
            }
        })
        .to_owned()
}

fn key(kind: &str, slug: &str) -> String {
    format!("{kind}/{slug}")
}

/// Walks every page of `text` among `kinds`, `first` at a time: the keys (`KIND/slug`) and
/// scores of the hits, in order, and the `totalCount` of the first page.
async fn every_page(
    app: &TestApp,
    text: &str,
    kinds: Value,
    first: i64,
) -> (Vec<(String, f64)>, u64) {
    let mut hits = Vec::new();
    let mut after = Value::Null;
    let mut total = None;
    loop {
        let data = app
            .data(
                SEARCH,
                json!({ "text": text, "kinds": kinds, "first": first, "after": after }),
            )
            .await;
        let connection = &data["search"];
        total.get_or_insert(connection["totalCount"].as_u64().expect("a count"));
        for edge in connection["edges"].as_array().expect("edges") {
            let node = &edge["node"];
            hits.push((
                key(
                    node["kind"].as_str().unwrap_or_default(),
                    node["slug"].as_str().unwrap_or_default(),
                ),
                edge["score"].as_f64().expect("a score"),
            ));
        }
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    (hits, total.unwrap_or_default())
}

#[tokio::test]
async fn every_node_of_the_data_set_is_found_by_the_longest_word_of_its_name_typed_without_accents()
{
    let app = TestApp::spawn().await;
    let nodes = node::Entity::find()
        .all(&app.store.db)
        .await
        .expect("the nodes");
    assert!(nodes.len() > 280, "{} nodes", nodes.len());
    for node in &nodes {
        let word = without_accents(&longest_word(&node.name));
        let kind = json!([node.kind.as_str()]);
        let (hits, _) = every_page(&app, &word, kind, 100).await;
        let id = key(node.kind.as_str(), &node.slug);
        assert!(
            hits.iter().any(|(hit, _)| *hit == id),
            "`{word}` does not find {:?} {}",
            node.kind,
            node.name
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn every_node_with_a_summary_is_found_by_the_longest_word_of_its_summary() {
    let app = TestApp::spawn().await;
    let nodes = node::Entity::find()
        .all(&app.store.db)
        .await
        .expect("the nodes");
    let summarised: Vec<&node::Model> = nodes.iter().filter(|n| n.summary.is_some()).collect();
    assert!(summarised.len() > 25, "{} summaries", summarised.len());
    for node in summarised {
        let summary = node.summary.as_deref().unwrap_or_default();
        let word = without_accents(&longest_word(summary));
        let kind = json!([node.kind.as_str()]);
        let (hits, _) = every_page(&app, &word, kind, 100).await;
        let id = key(node.kind.as_str(), &node.slug);
        assert!(
            hits.iter().any(|(hit, _)| *hit == id),
            "`{word}` does not find {} by its summary",
            node.name
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn accents_and_case_make_no_difference() {
    let app = TestApp::spawn().await;
    for (text, first) in [
        ("joao", "João Ricardo Vasconcelos"),
        ("JOÃO vasconcelos", "João Ricardo Vasconcelos"),
        ("sao tome", "São Tomé & Príncipe"),
        ("turkiye", "Türkiye"),
        ("cote d'ivoire", "Côte d’Ivoire"),
        ("CURACAO", "Curaçao"),
        ("aland", "Åland Islands"),
    ] {
        let names = found(&app, text).await;
        assert_eq!(
            names.first().map(String::as_str),
            Some(first),
            "{text}: {names:?}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn countries_are_found_first_by_their_codes_and_short_names() {
    let app = TestApp::spawn().await;
    for (text, code) in [
        ("GB", "GB"),
        ("GBR", "GB"),
        ("gbr", "GB"),
        ("UK", "GB"),
        ("US", "US"),
        ("USA", "US"),
        ("usa", "US"),
        ("SG", "SG"),
    ] {
        let connection = search(&app, text, Value::Null).await;
        assert_eq!(
            connection["edges"][0]["node"]["code"],
            code,
            "{text}: {:?}",
            hit_names(&connection)
        );
        assert!(
            connection["edges"][0]["score"].as_f64().unwrap_or_default() > 1.0,
            "{text}: an exact code scores above 1"
        );
    }
    // `UK` is also the start of Ukraine's name: found too, below the United Kingdom.
    let names = found(&app, "UK").await;
    assert_eq!(names[0], "United Kingdom");
    assert!(names.contains(&"Ukraine".to_owned()), "{names:?}");
    app.stop().await;
}

#[tokio::test]
async fn countries_are_found_by_their_iso_and_official_names() {
    let app = TestApp::spawn().await;
    for (text, first) in [
        (
            "United Kingdom of Great Britain and Northern Ireland",
            "United Kingdom",
        ),
        ("Korea (Republic of)", "South Korea"),
        ("The Republic of Korea", "South Korea"),
        ("Swiss Confederation", "Switzerland"),
        ("Viet Nam", "Vietnam"),
        ("United States of America", "United States"),
    ] {
        let names = found(&app, text).await;
        assert!(names.contains(&first.to_owned()), "{text}: {names:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn acronyms_and_short_names_find_their_nodes_first() {
    let app = TestApp::spawn().await;
    for (text, first) in [
        ("DGX", "Digital Government Exchange"),
        ("gtgp", "GovTech Global Partnership"),
        ("AI WG", "DGX 2022 AI Working Group"),
    ] {
        let names = found(&app, text).await;
        assert_eq!(
            names.first().map(String::as_str),
            Some(first),
            "{text}: {names:?}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_match_in_the_name_ranks_above_a_match_in_the_summary() {
    let app = TestApp::spawn().await;
    // The country is named Singapore; GovTech Singapore has it in its name too, the World Bank
    // only in its summary.
    let names = found(&app, "singapore").await;
    let at = |name: &str| names.iter().position(|n| n == name);
    assert_eq!(names[0], "Singapore", "{names:?}");
    assert!(at("GovTech Singapore") < at("World Bank"), "{names:?}");
    assert!(at("World Bank").is_some(), "{names:?}");
    app.stop().await;
}

#[tokio::test]
async fn kinds_restrict_a_search_and_an_empty_list_is_refused() {
    let app = TestApp::spawn().await;
    let connection = search(&app, "singapore", json!(["ORGANISATION", "DELIVERABLE"])).await;
    let types: HashSet<&str> = connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["__typename"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(types, HashSet::from(["Organisation", "Deliverable"]));
    let names = hit_names(&connection);
    assert!(names.contains(&"GovTech Singapore".to_owned()), "{names:?}");
    assert!(!names.contains(&"Singapore".to_owned()), "{names:?}");
    let everything = search(&app, "singapore", Value::Null).await;
    assert!(
        everything["totalCount"].as_u64() > connection["totalCount"].as_u64(),
        "{everything:#}"
    );
    assert_eq!(
        app.error_codes(SEARCH, json!({ "text": "singapore", "kinds": [] }))
            .await,
        ["BAD_USER_INPUT"]
    );
    app.stop().await;
}

#[tokio::test]
async fn hostile_text_finds_what_its_words_find_and_is_never_a_fault() {
    let app = TestApp::spawn().await;
    let long = "a".repeat(10_000);
    let texts: Vec<&str> = vec![
        "\"",
        "'",
        "\"unterminated",
        "AND",
        "OR NOT",
        "NOT",
        "NEAR(a b)",
        "*",
        "^",
        "col:val",
        "name:singapore",
        "-singapore",
        "sing*",
        "%",
        "_",
        "%_%",
        "\\",
        "'); DROP TABLE node; --",
        "\" OR 1=1 --",
        "😀",
        "🇸🇬 singapore",
        "",
        " ",
        "\t\n",
        "\u{0000}",
        "a\u{0000}b",
        &long,
    ];
    for text in texts {
        let response = app.post(SEARCH, json!({ "text": text, "first": 5 })).await;
        match response.get("errors") {
            None => {
                let total = response["data"]["search"]["totalCount"].as_u64();
                assert!(total.is_some(), "{text:?}: {response:#}");
            }
            Some(errors) => {
                for error in errors.as_array().expect("errors") {
                    assert_eq!(
                        error["extensions"]["code"], "BAD_USER_INPUT",
                        "{text:?}: {response:#}"
                    );
                }
            }
        }
    }
    // Texts without a word find nothing, without an error.
    for text in ["", " ", "\t\n", "*", "\"", "%_%", "😀"] {
        let connection = search(&app, text, Value::Null).await;
        assert_eq!(connection["totalCount"], 0, "{text:?}");
        assert_eq!(connection["edges"], json!([]), "{text:?}");
    }
    // Operators are words like any other, or nothing: the words alone decide.
    assert_eq!(
        found(&app, "-singapore").await,
        found(&app, "singapore").await
    );
    assert_eq!(
        found(&app, "name:singapore").await,
        found(&app, "name singapore").await
    );
    // Over 200 characters is refused, and says why.
    let response = app.post(SEARCH, json!({ "text": "b".repeat(201) })).await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("at most 200 characters"),
        "{response:#}"
    );
    // The graph is intact.
    let data = app.data("{ countries { totalCount } }", json!({})).await;
    assert_eq!(data["countries"]["totalCount"], 249);
    app.stop().await;
}

#[tokio::test]
async fn pages_walk_the_ranking_best_first_without_repeats() {
    let app = TestApp::spawn().await;
    let (hits, total) = every_page(&app, "republic", json!(["COUNTRY"]), 7).await;
    assert!(total > 50, "{total} countries are republics");
    assert_eq!(hits.len() as u64, total);
    let distinct: HashSet<&String> = hits.iter().map(|(id, _)| id).collect();
    assert_eq!(distinct.len(), hits.len(), "a hit came twice");
    assert!(
        hits.windows(2).all(|pair| pair[0].1 >= pair[1].1),
        "scores rise: {hits:?}"
    );
    // The same as one page of them all.
    let (all, _) = every_page(&app, "republic", json!(["COUNTRY"]), 100).await;
    assert_eq!(hits, all);
    // A cursor of another list is refused.
    let countries = app
        .data(
            "{ countries(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = countries["countries"]["pageInfo"]["endCursor"].clone();
    assert_eq!(
        app.error_codes(SEARCH, json!({ "text": "republic", "after": cursor }))
            .await,
        ["BAD_USER_INPUT"]
    );
    // So is one made up, whose score is no number.
    let forged = URL_SAFE_NO_PAD.encode(json!(["Relevance", "best", Uuid::nil()]).to_string());
    assert_eq!(
        app.error_codes(SEARCH, json!({ "text": "republic", "after": forged }))
            .await,
        ["BAD_USER_INPUT"]
    );
    app.stop().await;
}

fn snippet_of(connection: &Value, index: usize) -> Vec<(String, bool)> {
    connection["edges"][index]["snippet"]
        .as_array()
        .expect("a snippet")
        .iter()
        .map(|fragment| {
            (
                fragment["text"].as_str().unwrap_or_default().to_owned(),
                fragment["highlighted"] == json!(true),
            )
        })
        .collect()
}

fn highlighted(snippet: &[(String, bool)]) -> Vec<&str> {
    snippet
        .iter()
        .filter(|(_, highlighted)| *highlighted)
        .map(|(text, _)| text.as_str())
        .collect()
}

#[tokio::test]
async fn the_snippet_highlights_the_matched_words_where_they_are() {
    let app = TestApp::spawn().await;
    // In the name, as written.
    let connection = search(&app, "joao vasco", Value::Null).await;
    assert_eq!(
        snippet_of(&connection, 0),
        [
            ("João".to_owned(), true),
            (" Ricardo ".to_owned(), false),
            ("Vasconcelos".to_owned(), true)
        ]
    );
    // In the summary, around the word.
    let connection = search(&app, "pandemic", Value::Null).await;
    assert_eq!(connection["edges"][0]["node"]["name"], "DGX 2022");
    let snippet = snippet_of(&connection, 0);
    assert_eq!(highlighted(&snippet), ["pandemic"]);
    let text: String = snippet.iter().map(|(text, _)| text.as_str()).collect();
    assert!(text.contains("two years of pandemic disruption"), "{text}");
    // In a code: the name, then the code.
    let connection = search(&app, "GBR", Value::Null).await;
    assert_eq!(
        snippet_of(&connection, 0),
        [
            ("United Kingdom (".to_owned(), false),
            ("GBR".to_owned(), true),
            (")".to_owned(), false)
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_name_filters_of_lists_ignore_accents_too() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{
              countries(filter: { search: "sao tome" }) { nodes { name } }
              people(filter: { search: "JOAO" }) { nodes { name } }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["countries"]["nodes"],
        json!([{ "name": "São Tomé & Príncipe" }])
    );
    assert_eq!(
        data["people"]["nodes"],
        json!([{ "name": "João Ricardo Vasconcelos" }])
    );
    app.stop().await;
}

/// Inserts a topic named `name` straight into the database, as any writer could.
async fn insert_topic(app: &TestApp, slug: &str, name: &str) -> Uuid {
    let now = Utc::now();
    let id = Uuid::new_v4();
    node::Model {
        id,
        kind: NodeKind::Topic,
        slug: slug.to_owned(),
        name: name.to_owned(),
        name_folded: name.to_lowercase(),
        summary: Some("Seen in the southern hemisphere.".to_owned()),
        created_at: now,
        updated_at: now,
        version: 1,
    }
    .into_active_model()
    .insert(&app.store.db)
    .await
    .expect("topic inserted");
    id
}

#[tokio::test]
async fn the_index_follows_every_write_to_nodes_details_and_external_ids() {
    let app = TestApp::spawn().await;
    let db = &app.store.db;
    assert!(found(&app, "quokka").await.is_empty());

    // A new node is found at once.
    let id = insert_topic(&app, "quokkas", "Quokka observation").await;
    assert_eq!(found(&app, "quokka").await, ["Quokka observation"]);
    assert_eq!(
        found(&app, "southern hemisphere").await,
        ["Quokka observation"]
    );

    // Renamed, it is found by its new name and not by its old.
    let mut renamed = node::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("read")
        .expect("the topic")
        .into_active_model();
    renamed.name = Set("Wombat observation".to_owned());
    renamed.summary = Set(None);
    renamed.update(db).await.expect("renamed");
    assert!(found(&app, "quokka").await.is_empty());
    assert!(found(&app, "hemisphere").await.is_empty());
    assert_eq!(found(&app, "wombat").await, ["Wombat observation"]);

    // An external identifier is a code: found by it, first.
    external_id::ActiveModel {
        scheme: Set("wikidata".to_owned()),
        value: Set("Q9999991".to_owned()),
        node_id: Set(id),
    }
    .insert(db)
    .await
    .expect("external id inserted");
    assert_eq!(found(&app, "q9999991").await, ["Wombat observation"]);
    external_id::Entity::delete_many()
        .exec(db)
        .await
        .expect("external ids deleted");
    assert!(found(&app, "q9999991").await.is_empty());

    // A detail row's short name, written and changed.
    let group = Uuid::new_v4();
    node::Model {
        id: group,
        kind: NodeKind::WorkingGroup,
        slug: "marsupials".to_owned(),
        name: "Marsupial working group".to_owned(),
        name_folded: "marsupial working group".to_owned(),
        summary: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        version: 1,
    }
    .into_active_model()
    .insert(db)
    .await
    .expect("group inserted");
    working_group::Model {
        node_id: group,
        kind: NodeKind::WorkingGroup,
        short_name: Some("MWG".to_owned()),
    }
    .into_active_model()
    .insert(db)
    .await
    .expect("group detail inserted");
    assert_eq!(found(&app, "mwg").await, ["Marsupial working group"]);
    let mut detail = working_group::Entity::find_by_id(group)
        .one(db)
        .await
        .expect("read")
        .expect("the detail")
        .into_active_model();
    detail.short_name = Set(Some("MARS".to_owned()));
    detail.update(db).await.expect("short name changed");
    assert!(found(&app, "mwg").await.is_empty());
    // `MARS` is a whole code of the group, and the start of the Marshall Islands' name.
    assert_eq!(found(&app, "mars").await[0], "Marsupial working group");
    assert_eq!(found(&app, "mars ").await, ["Marsupial working group"]);

    // Deleted, it is found no more.
    node::Entity::delete_by_id(id)
        .exec(db)
        .await
        .expect("deleted");
    node::Entity::delete_by_id(group)
        .exec(db)
        .await
        .expect("deleted");
    assert!(found(&app, "wombat").await.is_empty());
    assert!(found(&app, "marsupial").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_search_costs_one_statement_and_its_count_one_more_whatever_the_page_size() {
    let app = TestApp::spawn().await;
    let statements = |query: &'static str, first: i64| {
        let app = &app;
        async move {
            let before = app.statements();
            app.data(query, json!({ "first": first })).await;
            app.store.statements_since(before)
        }
    };
    let page = r#"query($first: Int) {
        search(text: "world bank", first: $first) {
          edges { score snippet { text } node { name } }
          pageInfo { hasNextPage }
        }
      }"#;
    let counted = r#"query($first: Int) {
        search(text: "republic", first: $first) { totalCount nodes { name } }
      }"#;
    let nested = r#"query($first: Int) {
        search(text: "republic", first: $first) { nodes { name sources { name } } }
      }"#;
    assert_eq!(statements(page, 5).await.len(), 1);
    assert_eq!(statements(page, 100).await.len(), 1);
    assert_eq!(statements(counted, 5).await.len(), 2);
    assert_eq!(statements(counted, 100).await.len(), 2);
    // The nodes' own fields are batched as everywhere: one more statement, not one per node.
    assert_eq!(statements(nested, 5).await.len(), 2);
    assert_eq!(statements(nested, 100).await.len(), 2);
    // Only the count: no page is read.
    let count_only =
        r#"query($first: Int) { search(text: "republic", first: $first) { totalCount } }"#;
    assert_eq!(statements(count_only, 5).await.len(), 1);
    // No word: no statement at all.
    let nothing = r#"query($first: Int) { search(text: " * ", first: $first) { totalCount nodes { name } } }"#;
    assert_eq!(statements(nothing, 5).await.len(), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_database_made_before_search_is_indexed_and_names_countries_as_people_do_on_migration() {
    let store = TestDb::unmigrated().await;
    let db = &store.db;
    Migrator::up(db, Some(2))
        .await
        .expect("the migrations before search");
    // Rows as they were written before: a country by its ISO name, a name folded with accents.
    let now = Utc::now();
    let gb = node_id(NodeKind::Country, "gb");
    let joao = node_id(NodeKind::Person, "joao-ricardo-vasconcelos");
    let nodes = Query::insert()
        .into_table(Alias::new("node"))
        .columns(
            [
                "id",
                "kind",
                "slug",
                "name",
                "name_folded",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            Expr::val(gb),
            Expr::val("COUNTRY"),
            Expr::val("gb"),
            Expr::val("United Kingdom of Great Britain and Northern Ireland"),
            Expr::val("united kingdom of great britain and northern ireland"),
            Expr::val(now),
            Expr::val(now),
        ])
        .values_panic([
            Expr::val(joao),
            Expr::val("PERSON"),
            Expr::val("joao-ricardo-vasconcelos"),
            Expr::val("João Ricardo Vasconcelos"),
            Expr::val("joão ricardo vasconcelos"),
            Expr::val(now),
            Expr::val(now),
        ])
        .to_owned();
    db.execute(&nodes).await.expect("nodes written");
    let country = Query::insert()
        .into_table(Alias::new("country"))
        .columns(
            [
                "node_id",
                "alpha2",
                "alpha3",
                "numeric_code",
                "official_name",
            ]
            .map(Alias::new),
        )
        .values_panic([
            Expr::val(gb),
            Expr::val("GB"),
            Expr::val("GBR"),
            Expr::val("826"),
            Expr::val("The United Kingdom of Great Britain and Northern Ireland"),
        ])
        .to_owned();
    db.execute(&country).await.expect("country written");
    let person = Query::insert()
        .into_table(Alias::new("person"))
        .columns([Alias::new("node_id")])
        .values_panic([Expr::val(joao)])
        .to_owned();
    db.execute(&person).await.expect("person written");

    Migrator::up(db, None)
        .await
        .expect("the rest of the migrations");

    let uk = node::Entity::find_by_id(gb)
        .one(db)
        .await
        .expect("read")
        .expect("the country");
    assert_eq!(uk.name, "United Kingdom");
    let detail = country::Entity::find_by_id(gb)
        .one(db)
        .await
        .expect("read")
        .expect("its detail");
    assert_eq!(
        detail.iso_name,
        "United Kingdom of Great Britain and Northern Ireland"
    );
    assert_eq!(detail.short_name.as_deref(), Some("UK"));
    let person = node::Entity::find_by_id(joao)
        .one(db)
        .await
        .expect("read")
        .expect("the person");
    assert_eq!(person.name_folded, "joao ricardo vasconcelos");

    let app = TestApp::spawn_on(store, |_| {}).await;
    assert_eq!(found(&app, "UK").await[0], "United Kingdom");
    assert_eq!(found(&app, "joao").await[0], "João Ricardo Vasconcelos");
    let data = app
        .data(
            r#"{ people(filter: { search: "joao" }) { nodes { name } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["people"]["nodes"],
        json!([{ "name": "João Ricardo Vasconcelos" }])
    );
    app.stop().await;
}
